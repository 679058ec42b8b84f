/* zipxml.c - see zipxml.h. */
#include "zipxml.h"

#include <errno.h>
#include <fcntl.h>
#include <float.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mem.h"
#include "progress.h"

/* Parts are inflated and parsed in pieces of this many bytes. */
#define CHUNK ((unsigned)1 << 16)

const char *zipxml_local(const char *name)
{
	const char *sep = strrchr(name, ZIPXML_NS_SEP);
	return sep ? sep + 1 : name;
}

bool zipxml_is(const char *name, const char *ns, const char *local)
{
	const char *sep = strrchr(name, ZIPXML_NS_SEP);
	if (!ns)
		return !sep && strcmp(name, local) == 0;
	size_t n = strlen(ns);
	return sep && (size_t)(sep - name) == n && strncmp(name, ns, n) == 0 &&
	       strcmp(sep + 1, local) == 0;
}

const char *zipxml_attr(const char **atts, const char *local, bool namespaced)
{
	for (size_t i = 0; atts[i]; i += 2) {
		const char *sep = strrchr(atts[i], ZIPXML_NS_SEP);
		if (namespaced ? sep && strcmp(sep + 1, local) == 0 : !sep && strcmp(atts[i], local) == 0)
			return atts[i + 1];
	}
	return NULL;
}

const char *zipxml_attr_ns(const char **atts, const char *ns, const char *local)
{
	for (size_t i = 0; atts[i]; i += 2)
		if (zipxml_is(atts[i], ns, local))
			return atts[i + 1];
	return NULL;
}

/* Whether s is a decimal number as a <v> holds it: [+-]digits[.digits]
 * [E[+-]digits], digits on at least one side of the point. */
static bool is_decimal(const char *s)
{
	bool digits = false;
	if (*s == '+' || *s == '-')
		s++;
	for (; *s >= '0' && *s <= '9'; s++)
		digits = true;
	if (*s == '.')
		for (s++; *s >= '0' && *s <= '9'; s++)
			digits = true;
	if (!digits)
		return false;
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '+' || *s == '-')
			s++;
		if (*s < '0' || *s > '9')
			return false;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	return *s == '\0';
}

char *zipxml_number_text(const char *v, locale_t cloc)
{
	if (!cloc || strlen(v) > 400 || !is_decimal(v))
		return xstrdup(v);
	locale_t old = uselocale(cloc);
	double x = strtod(v, NULL);
	char out[64];
	if (x > DBL_MAX || x < -DBL_MAX)
		out[0] = '\0'; /* beyond a double: keep v */
	else if (x > -1e15 && x < 1e15 && (double)(long long)x == x)
		snprintf(out, sizeof out, "%lld", (long long)x);
	else
		snprintf(out, sizeof out, "%.15G", x);
	uselocale(old);
	return xstrdup(*out ? out : v);
}

void zipxml_fail(ZipxmlPart *p, char *msg)
{
	if (!p->stopped) {
		diag_add(p->dl, DIAG_ERROR, 0, 0, -1, -1, "活頁簿損壞：%s 第 %lu 行：%s", p->name,
			 (unsigned long)XML_GetCurrentLineNumber(p->xp), msg);
		p->stopped = true;
		XML_StopParser(p->xp, XML_FALSE);
	}
	free(msg);
}

void zipxml_stop(ZipxmlPart *p)
{
	if (!p->stopped) {
		p->stopped = true;
		XML_StopParser(p->xp, XML_FALSE);
	}
}

void zipxml_finish(ZipxmlPart *p)
{
	if (!p->stopped) {
		p->finished = true;
		zipxml_stop(p);
	}
}

static void XMLCALL on_doctype(void *ud, const XML_Char *name, const XML_Char *sysid,
			       const XML_Char *pubid, int has_internal_subset)
{
	(void)name, (void)sysid, (void)pubid, (void)has_internal_subset;
	zipxml_fail(ud, xstrdup("含有 DTD (<!DOCTYPE>)，活頁簿不會有這種內容"));
}

int zipxml_parse(unzFile z, const char *name, bool required, ZipxmlPart *p,
		 XML_StartElementHandler on_start, XML_EndElementHandler on_end,
		 XML_CharacterDataHandler on_text)
{
	/* part names are case-insensitive (OPC); 0 would mean sensitive on Unix */
	if (unzLocateFile(z, name, 2) != UNZ_OK) {
		if (!required)
			return 0;
		diag_add(p->dl, DIAG_ERROR, 0, 0, -1, -1, "活頁簿損壞：缺少 %s", name);
		return -1;
	}
	unz_file_info64 info;
	if (unzGetCurrentFileInfo64(z, &info, NULL, 0, NULL, 0, NULL, 0) != UNZ_OK) {
		diag_add(p->dl, DIAG_ERROR, 0, 0, -1, -1, "活頁簿損壞：無法讀取 %s 的目錄資料", name);
		return -1;
	}
	if (info.flag & 1) {
		diag_add(p->dl, DIAG_ERROR, 0, 0, -1, -1, "活頁簿的 %s 已加密，無法讀取", name);
		return -1;
	}
	ZPOS64_T max = p->max_size ? p->max_size : ZIPXML_MAX_PART;
	if (info.uncompressed_size > max) {
		diag_add(p->dl, DIAG_ERROR, 0, 0, -1, -1,
			 "%s 解壓縮後有 %llu 位元組，超過上限 %llu MiB，不讀取", name,
			 (unsigned long long)info.uncompressed_size, (unsigned long long)(max >> 20));
		return -1;
	}
	if (unzOpenCurrentFile(z) != UNZ_OK) {
		diag_add(p->dl, DIAG_ERROR, 0, 0, -1, -1,
			 "活頁簿損壞：%s 無法解壓縮 (壓縮方式不支援或資料損壞)", name);
		return -1;
	}
	XML_Parser xp = XML_ParserCreateNS(NULL, ZIPXML_NS_SEP);
	if (!xp)
		mem_out_of_memory(); /* as xmalloc does */
	p->xp = xp;
	p->name = name;
	p->stopped = false;
	p->finished = false;
	p->depth = 0;
	XML_SetUserData(xp, p);
	XML_SetElementHandler(xp, on_start, on_end);
	XML_SetCharacterDataHandler(xp, on_text);
	XML_SetStartDoctypeDeclHandler(xp, on_doctype);
	char *chunk = xmalloc(CHUNK);
	ZPOS64_T total = 0;
	int rc = 1;
	for (;;) {
		int got = unzReadCurrentFile(z, chunk, CHUNK);
		if (got < 0) {
			diag_add(p->dl, DIAG_ERROR, 0, 0, -1, -1,
				 "活頁簿損壞：%s 解壓縮失敗 (資料損壞或檔案不完整)", name);
			rc = -1;
			break;
		}
		total += (ZPOS64_T)got;
		if (total > max) { /* minizip stops at the declared size; be sure */
			diag_add(p->dl, DIAG_ERROR, 0, 0, -1, -1,
				 "%s 解壓縮後超過上限 %llu MiB，不讀取", name,
				 (unsigned long long)(max >> 20));
			rc = -1;
			break;
		}
		if (p->progress_total &&
		    !progress_report(p->progress_done + (size_t)total, p->progress_total)) {
			diag_add(p->dl, DIAG_ERROR, 0, 0, -1, -1, "%s", progress_stopped_msg);
			rc = -1;
			break;
		}
		if (p->finished) { /* only inflated: the CRC is still checked */
			if (got == 0)
				break;
			continue;
		}
		if (XML_Parse(xp, chunk, got, got == 0) == XML_STATUS_ERROR) {
			if (p->finished)
				continue; /* rc stays 1 */
			if (!p->stopped)
				diag_add(p->dl, DIAG_ERROR, 0, 0, -1, -1,
					 "活頁簿損壞：%s 第 %lu 行第 %lu 字：XML 格式錯誤 (%s)", name,
					 (unsigned long)XML_GetCurrentLineNumber(xp),
					 (unsigned long)XML_GetCurrentColumnNumber(xp) + 1,
					 XML_ErrorString(XML_GetErrorCode(xp)));
			rc = -1;
			break;
		}
		if (got == 0)
			break;
	}
	p->progress_done += (size_t)total;
	/* the CRC is checked only when the whole part was read */
	if (unzCloseCurrentFile(z) == UNZ_CRCERROR && rc == 1) {
		diag_add(p->dl, DIAG_ERROR, 0, 0, -1, -1, "活頁簿損壞：%s 的檢查碼 (CRC) 不符", name);
		rc = -1;
	}
	XML_ParserFree(xp);
	free(chunk);
	return rc;
}

size_t zipxml_part_size(unzFile z, const char *name)
{
	unz_file_info64 info;
	if (unzLocateFile(z, name, 2) != UNZ_OK ||
	    unzGetCurrentFileInfo64(z, &info, NULL, 0, NULL, 0, NULL, 0) != UNZ_OK ||
	    info.uncompressed_size > SIZE_MAX)
		return 0;
	return (size_t)info.uncompressed_size;
}

bool zipxml_check_file(const char *path, const ZipxmlKind *kind, DiagList *dl)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		diag_add(dl, DIAG_ERROR, 0, 0, -1, -1, "無法開啟：%s", strerror(errno));
		return false;
	}
	struct stat st;
	if (fstat(fd, &st) != 0) {
		diag_add(dl, DIAG_ERROR, 0, 0, -1, -1, "無法讀取：%s", strerror(errno));
		close(fd);
		return false;
	}
	if (!S_ISREG(st.st_mode)) {
		diag_add(dl, DIAG_ERROR, 0, 0, -1, -1,
			 S_ISDIR(st.st_mode) ? "這是資料夾，不是檔案" : "不是一般檔案");
		close(fd);
		return false;
	}
	unsigned char magic[8] = {0};
	ssize_t got = read(fd, magic, sizeof magic);
	close(fd);
	if (got < 0) {
		diag_add(dl, DIAG_ERROR, 0, 0, -1, -1, "讀取失敗：%s", strerror(errno));
		return false;
	}
	if (got == 0) {
		diag_add(dl, DIAG_ERROR, 0, 0, -1, -1, "檔案是空的");
		return false;
	}
	if (got == 8 && memcmp(magic, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8) == 0) {
		diag_add(dl, DIAG_ERROR, 0, 0, -1, -1,
			 "這是舊版 Excel (.xls) 檔，或設了開啟密碼的活頁簿，不是 %s；請%s(不設密碼)",
			 kind->ending, kind->save_as);
		return false;
	}
	if (got < 4 || memcmp(magic, "PK", 2) != 0) {
		diag_add(dl, DIAG_ERROR, 0, 0, -1, -1, "這不是 %s %s (不是 ZIP 檔)", kind->ending,
			 kind->noun);
		return false;
	}
	return true;
}

void XMLCALL zipxml_end_depth(void *ud, const XML_Char *name)
{
	(void)name;
	((ZipxmlPart *)ud)->depth--;
}

void XMLCALL zipxml_no_text(void *ud, const XML_Char *s, int len)
{
	(void)ud, (void)s, (void)len;
}

void zipxml_buf_add(ZipxmlBuf *b, const char *s, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		size_t cap = b->cap ? 2 * b->cap : 64;
		while (cap < b->n + n + 1)
			cap *= 2;
		b->s = xrealloc(b->s, cap);
		b->cap = cap;
	}
	memcpy(b->s + b->n, s, n);
	b->n += n;
	b->s[b->n] = '\0';
}

void zipxml_buf_clear(ZipxmlBuf *b)
{
	b->n = 0;
	if (b->cap)
		b->s[0] = '\0';
}

const char *zipxml_buf_str(const ZipxmlBuf *b)
{
	return b->cap ? b->s : "";
}
