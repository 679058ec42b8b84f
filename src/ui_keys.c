/* ui_keys.c - the one table of keys: dispatch, hint line and help screen
 * are all generated from it. */
#include <stdio.h>
#include <string.h>
#include <wchar.h>

#include "ui_int.h"

#define CTRL(c) ((c)&0x1F)
#define ALL_FORM (CTX_FORM | CTX_TEXT | CTX_CHOICE)

const KeyBinding KEYS[] = {
    /* the record screen */
    {CTRL('G'), ALL_FORM | CTX_LIST | CTX_PICK | CTX_LINE, ACT_HELP, "^G", "說明", 1},
    {KEY_F(1), ALL_FORM | CTX_LIST | CTX_PICK | CTX_LINE, ACT_HELP, "F1", "說明", 0},
    {CTRL('S'), ALL_FORM | CTX_LIST, ACT_SAVE, "^S", "存檔", 2},
    {CTRL('Q'), ALL_FORM | CTX_LIST, ACT_QUIT, "^Q", "離開", 3},
    {CTRL('N'), ALL_FORM, ACT_NEW_REC, "^N", "新增一筆", 4},
    {KEY_NPAGE, ALL_FORM, ACT_NEXT_REC, "PgDn", "下一筆", 0},
    {CTRL('F'), ALL_FORM, ACT_NEXT_REC, "^F", "下一筆", 5},
    {KEY_PPAGE, ALL_FORM, ACT_PREV_REC, "PgUp", "上一筆", 0},
    {CTRL('B'), ALL_FORM, ACT_PREV_REC, "^B", "上一筆", 6},
    {CTRL('T'), ALL_FORM, ACT_LIST, "^T", "清單", 7},
    {CTRL('D'), ALL_FORM, ACT_DUP_FIELD, "^D", "同上筆", 8},
    {CTRL('Z'), ALL_FORM, ACT_UNDO, "^Z", "復原", 9},
    {CTRL('Y'), ALL_FORM | CTX_LIST, ACT_GOTO, "^Y", "跳到第幾筆 (或檔案的第幾行)", 0},
    {KEY_F(5), ALL_FORM | CTX_LIST, ACT_GOTO, "F5", "跳到第幾筆 (或檔案的第幾行)", 0},
    {CTRL('A'), ALL_FORM, ACT_FIRST_FIELD, "^A", "到此筆的第一欄", 0},
    {KEY_HOME, CTX_CHOICE, ACT_FIRST_FIELD, "Home", "到此筆的第一欄", 0},
    {CTRL('R'), ALL_FORM, ACT_DUP_REC, "^R", "複製整筆", 0},
    {CTRL('X'), ALL_FORM, ACT_DEL_REC, "^X", "刪除此筆", 0},
    {CTRL('K'), ALL_FORM | CTX_LIST, ACT_NEXT_ERROR, "^K", "下一個有錯的記錄", 0},
    {CTRL('W'), ALL_FORM, ACT_SAVE_AS, "^W", "另存新檔 (.csv、.xlsx 或 .ods)", 0},
    {CTRL('O'), ALL_FORM, ACT_EXPORT, "^O", "匯出活頁簿 (.xlsx 或 .ods)", 0},
    {CTRL('P'), ALL_FORM, ACT_PRINT, "^P", "列印 (存成 PDF；有設定印表機時送印)", 0},
    {CTRL('V'), ALL_FORM, ACT_REPORT, "^V", "填報摘要 (完成、未完成、有錯誤)", 0},
    {KEY_F(3), ALL_FORM, ACT_REPORT, "F3", "填報摘要", 0},
    {CTRL('L'), ALL_FORM | CTX_LIST, ACT_REDRAW, "^L", "重繪畫面", 0},
    {'\t', ALL_FORM, ACT_NEXT_FIELD, "Tab", "下一欄", 0},
    {KEY_DOWN, ALL_FORM, ACT_NEXT_FIELD, "Down", "下一欄", 0},
    {KEY_BTAB, ALL_FORM, ACT_PREV_FIELD, "Shift-Tab", "上一欄", 0},
    {KEY_UP, ALL_FORM, ACT_PREV_FIELD, "Up", "上一欄", 0},
    {'\r', CTX_TEXT, ACT_NEXT_FIELD, "Enter", "下一欄", 0},
    {'\n', CTX_TEXT, ACT_NEXT_FIELD, "Enter", "下一欄", 0},
    {KEY_ENTER, CTX_TEXT, ACT_NEXT_FIELD, "Enter", "下一欄", 0},
    {'\r', CTX_CHOICE, ACT_OPEN_PICK, "Enter", "開啟選單", 0},
    {'\n', CTX_CHOICE, ACT_OPEN_PICK, "Enter", "開啟選單", 0},
    {KEY_ENTER, CTX_CHOICE, ACT_OPEN_PICK, "Enter", "開啟選單", 0},
    {' ', CTX_CHOICE, ACT_OPEN_PICK, "Space", "開啟選單", 0},
    {CTRL('U'), CTX_TEXT | CTX_CHOICE | CTX_LINE | CTX_LIST, ACT_CLEAR_FIELD, "^U", "清除此欄",
     0},
    {KEY_BACKSPACE, CTX_CHOICE, ACT_CLEAR_FIELD, "Backspace", "清除此欄 (選項欄)", 0},
    {127, CTX_CHOICE, ACT_CLEAR_FIELD, "Backspace", "清除此欄 (選項欄)", 0},
    {CTRL('H'), CTX_CHOICE, ACT_CLEAR_FIELD, "^H", "清除此欄 (選項欄)", 0},
    {KEY_DC, CTX_CHOICE, ACT_CLEAR_FIELD, "Delete", "清除此欄 (選項欄)", 0},
    {27, CTX_TEXT, ACT_CANCEL, "Esc", "取消此欄的修改", 0},
    /* editing a line: a text field, or a prompt */
    {KEY_F(2), CTX_TEXT, ACT_EDIT, "F2", "修改欄位內容 (打字不再取代)", 0},
    {KEY_LEFT, CTX_TEXT | CTX_LINE, ACT_LEFT, "Left", "游標左移", 0},
    {KEY_RIGHT, CTX_TEXT | CTX_LINE, ACT_RIGHT, "Right", "游標右移", 0},
    {KEY_HOME, CTX_TEXT, ACT_HOME, "Home", "游標到開頭 (未在修改時：到第一欄)", 0},
    {KEY_HOME, CTX_LINE, ACT_HOME, "Home", "游標到開頭", 0},
    {CTRL('A'), CTX_LINE, ACT_HOME, "^A", "游標到開頭", 0},
    {KEY_END, CTX_TEXT | CTX_LINE, ACT_END, "End", "游標到結尾", 0},
    {CTRL('E'), CTX_TEXT | CTX_LINE, ACT_END, "^E", "游標到結尾", 0},
    {KEY_BACKSPACE, CTX_TEXT | CTX_LINE | CTX_LIST, ACT_BACKSPACE, "Backspace", "刪除游標前的字 (文字欄)", 0},
    {127, CTX_TEXT | CTX_LINE | CTX_LIST, ACT_BACKSPACE, "Backspace", "刪除游標前的字 (文字欄)", 0},
    {CTRL('H'), CTX_TEXT | CTX_LINE | CTX_LIST, ACT_BACKSPACE, "^H", "刪除游標前的字 (文字欄)", 0},
    {KEY_DC, CTX_TEXT | CTX_LINE, ACT_DELETE, "Delete", "刪除游標上的字", 0},
    {'\r', CTX_LINE | CTX_PICK | CTX_LIST, ACT_ACCEPT, "Enter", "確定", 2},
    {'\n', CTX_LINE | CTX_PICK | CTX_LIST, ACT_ACCEPT, "Enter", "確定", 0},
    {KEY_ENTER, CTX_LINE | CTX_PICK | CTX_LIST, ACT_ACCEPT, "Enter", "確定", 0},
    {27, CTX_LINE | CTX_PICK | CTX_LIST | CTX_REPORT, ACT_CANCEL, "Esc", "取消/返回", 3},
    /* moving in a list */
    {KEY_UP, CTX_PICK | CTX_LIST | CTX_REPORT, ACT_UP, "Up", "上移", 6},
    {KEY_DOWN, CTX_PICK | CTX_LIST | CTX_REPORT, ACT_DOWN, "Down", "下移", 7},
    {CTRL('P'), CTX_PICK | CTX_LIST, ACT_UP, "^P", "上移", 0},
    {CTRL('N'), CTX_PICK | CTX_LIST, ACT_DOWN, "^N", "下移", 0},
    {KEY_PPAGE, CTX_PICK | CTX_LIST | CTX_REPORT, ACT_PAGE_UP, "PgUp", "上一頁", 0},
    {KEY_NPAGE, CTX_PICK | CTX_LIST | CTX_REPORT, ACT_PAGE_DOWN, "PgDn", "下一頁", 0},
    /* the record list */
    {'\t', CTX_LIST, ACT_FILTER, "Tab", "依狀態篩選", 4},
    {CTRL('F'), CTX_LIST, ACT_SEARCH_FIELD, "^F", "只搜尋某一欄", 5},
    /* the dropdown of a multi field: Space ticks, Enter keeps the ticks */
    {' ', CTX_MULTI, ACT_TOGGLE, "Space", "勾選/取消勾選", 1},
};
const size_t NKEYS = sizeof KEYS / sizeof *KEYS;

Action ui_keys_action(int key, KeyCtx ctx)
{
	for (size_t i = 0; i < NKEYS; i++)
		if (KEYS[i].key == key && (KEYS[i].ctx & ctx))
			return KEYS[i].action;
	return ACT_NONE;
}

void ui_keys_hint_line(KeyCtx ctx, int width, wchar_t *out, size_t outlen)
{
	size_t o = 0;
	int used = 0;
	out[0] = 0;
	for (int prio = 1; prio < 20; prio++)
		for (size_t i = 0; i < NKEYS; i++) {
			const KeyBinding *b = &KEYS[i];
			if (b->hint != prio || !(b->ctx & ctx))
				continue;
			wchar_t item[64];
			swprintf(item, 64, L"%s%s%s", used ? "  " : "", b->name, b->label);
			/* "%s" with a char* in swprintf converts with the locale: UTF-8 */
			int w = wcswidth(item, wcslen(item));
			if (w < 0 || used + w > width || o + wcslen(item) + 1 >= outlen)
				return;
			wcscpy(out + o, item);
			o += wcslen(item);
			used += w;
		}
}

void ui_keys_print(FILE *out)
{
	/* each key once, with what it does on the record screen (or where else) */
	for (size_t i = 0; i < NKEYS; i++) {
		bool seen = false;
		for (size_t j = 0; j < i && !seen; j++)
			seen = strcmp(KEYS[j].name, KEYS[i].name) == 0 &&
			       strcmp(KEYS[j].label, KEYS[i].label) == 0;
		if (!seen)
			fprintf(out, "  %-10s %s\n", KEYS[i].name, KEYS[i].label);
	}
}
