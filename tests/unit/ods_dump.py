# ods_dump.py - prints what an .ods package holds, one line per thing, for
# test_odsout.c: a reader of its own (Python's zipfile and ElementTree), so
# that the writer is not checked by spmform's own reader alone.
#
#   python3 -I tests/unit/ods_dump.py FILE.ods
#
#   entry POS NAME METHOD EXTRA        (METHOD 0 stored, 8 deflated; EXTRA bytes)
#   mimetype-at OFFSET TEXT            (where the first entry's data starts)
#   sheet POS NAME visible|hidden      active NAME
#   freeze NAME ROWS                   (settings.xml, VerticalSplitMode 2)
#   cell NAME!REF TYPE VALUE           (TYPE s string, n float; "\n" printed as \n)
#   style NAME!REF STYLE               (the cell's style, for empty styled cells too)
#   merged NAME RANGE                  dv NAME RANGE CONDITION
#   header-row NAME ROW                (printed on every page)
#   print-range NAME RANGES            page NAME ORIENTATION SCALE-TO-X
#   column NAME COL WIDTH TEXTSTYLE    row NAME ROW HEIGHT
import sys
import zipfile
import xml.etree.ElementTree as ET

NS = {
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "fo": "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0",
    "config": "urn:oasis:names:tc:opendocument:xmlns:config:1.0",
}


def q(prefix, local):
    return "{%s}%s" % (NS[prefix], local)


def esc(v):
    return v.replace("\\", "\\\\").replace("\n", "\\n")


def col(i):
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def pieces(el, out):
    """(text, literal) pieces of a paragraph: literal text is subject to
    XML white-space collapsing (ODF 1.3 part 3, 6.1.2), <text:s/> and
    <text:tab/> are not."""
    if el.text:
        out.append((el.text, True))
    for ch in el:
        if ch.tag == q("text", "s"):
            out.append((" " * int(ch.get(q("text", "c"), "1")), False))
        elif ch.tag == q("text", "tab"):
            out.append(("\t", False))
        elif ch.tag == q("text", "line-break"):
            out.append(("\n", False))
        else:
            pieces(ch, out)
        if ch.tail:
            out.append((ch.tail, True))


def para_text(p):
    """A paragraph's text as an ODF consumer sees it: in literal text each
    white-space character is a space, and a space that follows another or
    starts or ends the paragraph is dropped."""
    ps = []
    pieces(p, ps)
    chars = []  # (character, is a literal space)
    for text, literal in ps:
        for c in text:
            if literal and c in " \t\r\n":
                if chars and chars[-1][0] != " ":
                    chars.append((" ", True))
            else:
                chars.append((c, False))
    while chars and chars[-1][1]:
        chars.pop()
    return "".join(c for c, _ in chars)


path = sys.argv[1]
z = zipfile.ZipFile(path)
for i, info in enumerate(z.infolist()):
    print("entry", i + 1, info.filename, info.compress_type, len(info.extra))
raw = open(path, "rb").read()
name_len = int.from_bytes(raw[26:28], "little")
extra_len = int.from_bytes(raw[28:30], "little")
at = 30 + name_len + extra_len
print("mimetype-at", at, raw[at:at + 46].decode("ascii", "replace"))

content = ET.fromstring(z.read("content.xml"))
styles = {}
for st in content.iter(q("style", "style")):
    styles[st.get(q("style", "name"))] = st
sheet_pos = 0
for t in content.iter(q("table", "table")):
    sheet_pos += 1
    name = t.get(q("table", "name"))
    ts = styles.get(t.get(q("table", "style-name")))
    shown = "visible"
    if ts is not None:
        tp = ts.find(q("style", "table-properties"))
        if tp is not None and tp.get(q("table", "display")) == "false":
            shown = "hidden"
    print("sheet", sheet_pos, name, shown)
    if t.get(q("table", "print-ranges")):
        print("print-range", name, t.get(q("table", "print-ranges")))
    c = 0
    for tc in t.findall(q("table", "table-column")):
        n = int(tc.get(q("table", "number-columns-repeated"), "1"))
        cs = styles.get(tc.get(q("table", "style-name")))
        w = cs.find(q("style", "table-column-properties")).get(q("style", "column-width"))
        for _ in range(n):
            print("column", name, col(c), w, tc.get(q("table", "default-cell-style-name")))
            c += 1
    dvs = {}
    r = 0

    def rows(el, header):
        global r
        for ch in el:
            if ch.tag == q("table", "table-header-rows"):
                rows(ch, True)
            elif ch.tag in (q("table", "table-rows"), q("table", "table-row-group")):
                rows(ch, header)
            elif ch.tag == q("table", "table-row"):
                reps = int(ch.get(q("table", "number-rows-repeated"), "1"))
                rs = styles.get(ch.get(q("table", "style-name")))
                for _ in range(reps):
                    r += 1
                    if header:
                        print("header-row", name, r)
                    if rs is not None:
                        h = rs.find(q("style", "table-row-properties")).get(q("style", "row-height"))
                        print("row", name, r, h)
                    cc = 0
                    for cell in ch:
                        n = int(cell.get(q("table", "number-columns-repeated"), "1"))
                        for _ in range(n):
                            cc += 1
                            ref = "%s%d" % (col(cc - 1), r)
                            dv = cell.get(q("table", "content-validation-name"))
                            if dv:
                                dvs.setdefault(dv, []).append((r, cc))
                            if cell.tag != q("table", "table-cell"):
                                continue
                            if cell.get(q("table", "style-name")):
                                print("style %s!%s %s" % (name, ref, cell.get(q("table", "style-name"))))
                            span_c = int(cell.get(q("table", "number-columns-spanned"), "1"))
                            span_r = int(cell.get(q("table", "number-rows-spanned"), "1"))
                            if span_c > 1 or span_r > 1:
                                print("merged %s %s:%s%d" % (name, ref, col(cc - 2 + span_c), r + span_r - 1))
                            vt = cell.get(q("office", "value-type"))
                            if vt == "float":
                                print("cell %s!%s n %s" % (name, ref, cell.get(q("office", "value"))))
                            elif vt == "string":
                                text = "\n".join(para_text(p) for p in cell.findall(q("text", "p")))
                                print("cell %s!%s s %s" % (name, ref, esc(text)))
                            elif vt:
                                print("cell %s!%s %s ?" % (name, ref, vt))
    rows(t, False)
    for dv, cells in sorted(dvs.items()):
        rr = [x[0] for x in cells]
        cs = [x[1] for x in cells]
        cond = None
        for v in content.iter(q("table", "content-validation")):
            if v.get(q("table", "name")) == dv:
                cond = v.get(q("table", "condition"))
        whole = (max(rr) - min(rr) + 1) * (max(cs) - min(cs) + 1) == len(cells)
        print("dv %s %s%d:%s%d%s %s" % (name, col(min(cs) - 1), min(rr), col(max(cs) - 1), max(rr),
                                      "" if whole else "(gaps)", cond))

st = ET.fromstring(z.read("styles.xml"))
layouts = {pl.get(q("style", "name")): pl for pl in st.iter(q("style", "page-layout"))}
masters = {mp.get(q("style", "name")): mp.get(q("style", "page-layout-name"))
           for mp in st.iter(q("style", "master-page"))}
for t in content.iter(q("table", "table")):
    ts = styles.get(t.get(q("table", "style-name")))
    pl = layouts.get(masters.get(ts.get(q("style", "master-page-name"))))
    props = pl.find(q("style", "page-layout-properties"))
    print("page", t.get(q("table", "name")), props.get(q("style", "print-orientation")),
          props.get(q("style", "scale-to-X")))

settings = ET.fromstring(z.read("settings.xml"))
for entry in settings.iter(q("config", "config-item-map-named")):
    if entry.get(q("config", "name")) != "Tables":
        continue
    for tab in entry.findall(q("config", "config-item-map-entry")):
        items = {i.get(q("config", "name")): i.text for i in tab.findall(q("config", "config-item"))}
        if items.get("VerticalSplitMode") == "2":
            print("freeze", tab.get(q("config", "name")), items.get("VerticalSplitPosition"))
for item in settings.iter(q("config", "config-item")):
    if item.get(q("config", "name")) == "ActiveTable":
        print("active", item.text)
