#!/usr/bin/env python3
"""bench/check.py - the Python peer of `spmform check`: what an IT helper
would write to check an inventory (資通系統盤點清冊) CSV with the csv module.

    python3 bench/check.py FILE...

Reads each FILE (UTF-8 with or without BOM; otherwise CP950), matches the
column titles, and applies the rules of forms/inventory.ini, written out by
hand: required fields, permitted values (with the Y/N aliases and full-width
letters and digits), R7 R8 R9 R10 R11 R12 R13, R14 (duplicates, warnings),
the OID syntax.  Prints one line per problem,

    FILE:LINE: error|warning: LABEL: message

and a summary line per file; exit status 1 when there is an error, 2 when a
file cannot be read.  It is a benchmark peer, not part of spmform: the rules
are spmform's, the messages are shorter.
"""
import csv
import io
import sys

YES_NO = {"Y": "是", "N": "否", "YES": "是", "NO": "否"}
HAVE = {"Y": "有", "N": "無", "YES": "有", "NO": "無"}
PROVIDED = "主管/上級機關提供"
FIXED = (PROVIDED, "套裝軟體")

# (id, title, label, kind, required, values, aliases)
FIELDS = [
    ("asset_id", "資產編號", "資產編號", "text", False, None, None),
    ("name", "系統名稱(必填)", "系統名稱", "text", True, None, None),
    ("attribute", "系統屬性(必填)", "系統屬性", "choice", True, ["行政", "業務"], None),
    ("edition", "系統版本(必填)", "系統版本", "choice", True, ["共用", "公版", "機關自用"], None),
    ("build", "建置方式(必填)", "建置方式", "choice", True,
     ["自行委外", "租用服務", "套裝軟體", "自行開發", PROVIDED, "其他"], None),
    ("agency_oid", "系統主管機關OID(必填)", "系統主管機關OID", "oid", True, None, None),
    ("agency_name", "系統主管機關名稱(必填)", "系統主管機關名稱", "text", True, None, None),
    ("manager_dept", "系統管理者(部門)(必填)", "系統管理者(部門)", "text", True, None, None),
    ("user_dept", "系統使用者(部門)(必填)", "系統使用者(部門)", "text", True, None, None),
    ("onsite", "主機設置於機關內(Y/N)(必填)", "主機設置於機關內", "choice", True, ["是", "否"], YES_NO),
    ("core", "核心系統(Y/N)(必填)", "核心系統", "choice", True, ["是", "否"], YES_NO),
    ("sensitive", "含機敏資訊(Y/N)(必填)", "含機敏資訊", "choice", True, ["是", "否"], YES_NO),
    ("level", "防護需求等級(必填)", "防護需求等級", "choice", True, ["普", "中", "高", "其他"], None),
    ("isms", "是否包含於ISMS導入範圍(Y/N)", "是否包含於ISMS導入範圍", "choice", True, ["是", "否"], YES_NO),
    ("builder", "建置廠商", "建置廠商", "text", True, None, None),
    ("operator", "維運廠商", "維運廠商", "text", True, None, None),
    ("max_downtime", "最大可容忍中斷時間(小時, 數字)(必填)", "最大可容忍中斷時間(小時)", "integer",
     True, None, None),
    ("compliance", "是否符合防護基準(必填)", "是否符合防護基準", "choice", True,
     ["符合", "部分符合", "不符合", "不適用"], None),
    ("gap_note", "不否符合防護基準說明", "不符合防護基準說明", "text", False, None, None),
    ("remarks", "備註", "備註", "text", False, None, None),
    ("china_parts", "本資產是否含有大陸元件(Y/N)(必填)", "本資產是否含有大陸元件", "choice", True,
     ["有", "無"], HAVE),
]
HEADER_ALIASES = {"max_downtime": ["最大可容忍中段時間(小時, 數字)(必填)"]}
IDX = {f[0]: i for i, f in enumerate(FIELDS)}
B, LV, CP = IDX["build"], IDX["level"], IDX["compliance"]
WAIVED_WHEN_PROVIDED = {IDX["isms"], IDX["builder"], IDX["operator"]}  # R8, R9
OID_EXPECT = ("2.16.886.101", "2.16.886.111")
SPACES = " \t\r\n\u3000"
HALF = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
HALF[0x3000] = 0x20


def halfwidth(s):
    return s.translate(HALF)


def header_key(title, bare):
    """A column title as compared: half-width, cut at a note (註:), no
    white space, lower case; with bare, without parenthesised parts."""
    h = halfwidth(title)
    at = h.find("註")
    while at >= 0:
        if h[at + 1:].lstrip(" \t\r\n").startswith(":"):
            h = h[:at]
            break
        at = h.find("註", at + 1)
    out, depth = [], 0
    for c in h:
        if c in " \t\r\n":
            continue
        if bare and c == "(":
            depth += 1
        elif bare and c == ")" and depth:
            depth -= 1
        elif not (bare and depth):
            out.append(c.lower() if "A" <= c <= "Z" else c)
    return "".join(out)


KEYS = [[(i, header_key(t, bare)) for i, f in enumerate(FIELDS)
         for t in [f[1], f[2]] + HEADER_ALIASES.get(f[0], [])] for bare in (False, True)]


def match_header(title, taken):
    for bare in (0, 1):
        k = header_key(title, bare)
        for i, key in KEYS[bare]:
            if k and key == k and i not in taken:
                return i
    return -1


def normalize(f, v):
    v = v.strip(SPACES)
    kind = f[3]
    if kind in ("integer", "oid"):
        return halfwidth(v).strip(SPACES)
    if kind == "choice" and v and f[6] and v not in f[5]:
        h = halfwidth(v)  # ｙ, yes, Ｎｏ: the aliases, ASCII case ignored
        if h.isascii() and h.upper() in f[6]:
            return f[6][h.upper()]
    return v


def check_oid(v):
    """None when v is a good OID, else what is wrong with it."""
    if 6 <= len(v) <= 12 and v.isascii() and v.isalnum() and not v.isdigit() and not v.isalpha():
        return "看起來是機關代碼，不是 OID"
    arcs = v.split(".")
    for a in arcs:
        if a == "":
            return "有空的節點或以點結尾"
        if not (a.isascii() and a.isdigit()):
            return "只能有數字和點"
        if len(a) > 1 and a[0] == "0":
            return "的節點不可以 0 開頭"
    if len(arcs) < 2:
        return "至少要有兩節"
    return None


def check_record(cells, emit):
    build, level, comp = cells[B], cells[LV], cells[CP]
    build_ok = build in FIELDS[B][5]
    level_ok = level in FIELDS[LV][5]
    comp_ok = comp in FIELDS[CP][5]
    for i, f in enumerate(FIELDS):
        v = cells[i]
        label, kind = f[2], f[3]
        if not v:
            if f[0] == "gap_note" and comp_ok and comp in ("部分符合", "不符合"):  # R12
                emit("error", label, "是否符合防護基準為「%s」時必填" % comp)
            elif f[4] and not (i in WAIVED_WHEN_PROVIDED and build == PROVIDED):
                emit("error", label, "必填")
            continue
        if kind == "text":
            if v[0] in "=+-@":
                emit("warning", label, "「%s」以「%s」開頭：Excel 可能當成公式" % (v[:60], v[0]))
        elif kind == "choice":  # R13 and the permitted values
            if v not in f[5]:
                emit("error", label, "「%s」不是可填的值；可填：%s" % (v[:60], "、".join(f[5])))
            elif i == LV and build_ok:  # R7
                if (build in FIXED) != (v == "其他"):
                    emit("error", label, "建置方式為「%s」時不可填「%s」" % (build, v))
            elif i == CP and level_ok:  # R11
                if (level == "其他") != (v == "不適用"):
                    emit("error", label, "防護需求等級為「%s」時不可填「%s」" % (level, v))
        elif kind == "integer":  # R10
            if not (v.isascii() and v.isdigit()):
                emit("error", label, "「%s」不是整數" % v[:60])
        elif kind == "oid":
            why = check_oid(v)
            if why:
                emit("error", label, "「%s」不是正確的 OID：%s" % (v[:60], why))
            elif not any(v == p or v.startswith(p + ".") for p in OID_EXPECT):
                emit("warning", label, "OID「%s」不在 %s 之下，請確認" % (v, "、".join(OID_EXPECT)))


def check_file(path, out):
    name = path
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as e:
        out.write("%s: 無法讀取：%s\n" % (name, e.strerror))
        return 2
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp950")
        except UnicodeDecodeError:
            out.write("%s: 不是 UTF-8 也不是 CP950\n" % name)
            return 2
    counts = {"error": 0, "warning": 0}
    line = 0

    def emit(sev, label, msg):
        counts[sev] += 1
        out.write("%s:%d: %s: %s%s\n" % (name, line, sev, label + ": " if label else "", msg))

    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        header = []
    except csv.Error as e:
        out.write("%s:%d: error: %s\n" % (name, reader.line_num, e))
        return 2
    line = 1
    colmap, taken = [], set()
    for j, t in enumerate(header):
        m = match_header(t, taken)
        colmap.append(m)
        if m >= 0:
            taken.add(m)
        elif t.strip(SPACES):
            emit("warning", None, "第 %d 欄「%s」不是表單的欄位" % (j + 1, t))
    if not taken:
        emit("error", None, "標題列沒有任何認得的欄位")
        out.write("%s: 無法讀取，未檢查任何記錄\n" % name)
        return 2
    for i, f in enumerate(FIELDS):
        if i not in taken:
            emit("warning", f[2], "檔案缺少這一欄")
    ncols = len(header)
    seen_id, seen_sys = {}, {}  # R14
    nrec = 0
    while True:
        line = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as e:
            emit("error", None, "CSV 格式錯誤：%s" % e)
            break
        cells = [""] * len(FIELDS)
        empty = True
        for j, v in enumerate(row[:ncols]):
            m = colmap[j]
            if m >= 0:
                v = cells[m] = normalize(FIELDS[m], v)
            empty = empty and not v
        extra = any(v for v in row[ncols:])
        if empty and not extra:
            continue
        nrec += 1
        if extra:
            emit("error", None, "這筆記錄有 %d 欄，比標題多 %d 欄" % (len(row), len(row) - ncols))
        elif len(row) < ncols:
            emit("warning", None, "這筆記錄只有 %d 欄，標題有 %d 欄" % (len(row), ncols))
        check_record(cells, emit)
        aid = cells[IDX["asset_id"]]
        if aid:
            if aid in seen_id:
                emit("warning", "資產編號", "與第 %d 行重複" % seen_id[aid])
            else:
                seen_id[aid] = line
        key = (cells[IDX["name"]], cells[IDX["agency_oid"]])
        if key[0] and key[1]:
            if key in seen_sys:
                emit("warning", "系統名稱", "與第 %d 行的系統名稱及系統主管機關OID相同" % seen_sys[key])
            else:
                seen_sys[key] = line
    out.write("%s: %d 筆記錄，%d 個錯誤，%d 個警告\n" % (name, nrec, counts["error"], counts["warning"]))
    return 1 if counts["error"] else 0


def main():
    if len(sys.argv) < 2:
        sys.stderr.write("usage: check.py FILE...\n")
        return 2
    out = sys.stdout
    rc = 0
    for path in sys.argv[1:]:
        rc = max(rc, check_file(path, out))
    out.flush()
    return rc


if __name__ == "__main__":
    sys.exit(main())
