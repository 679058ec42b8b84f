# lo_check.py - what the LibreOffice cases of tests/slow compare.
#
#   python3 -I tests/slow/lo_check.py cells WORKBOOK CSVDIR
#       Every cell of every sheet of WORKBOOK (.xlsx read with openpyxl,
#       .ods with tests/unit/ods_dump.py) against the CSV file LibreOffice
#       wrote for that sheet (CSVDIR/NAME-SHEET.csv, NAME the workbook's
#       name without its ending): each value must be at the same row and
#       column, and the CSV must hold nothing else.  Prints one line per
#       sheet ("SHEET: N values in place"), or each difference; exit 1 then.
#
#   python3 -I tests/slow/lo_check.py dropdowns WORKBOOK.xlsx
#       The sheets (name, state) and validations of an .xlsx, one per
#       line, sorted, with the formula's sheet name unquoted (LibreOffice
#       writes 此頁不可刪除!$B$2:$B$3 where libxlsxwriter writes
#       '此頁不可刪除'!$B$2:$B$3); a range validation with its operator
#       and second bound.
import csv
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def col(i):
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def ref_to_rc(ref):
    letters = "".join(c for c in ref if c.isalpha())
    c = 0
    for ch in letters:
        c = c * 26 + ord(ch) - 64
    return int(ref[len(letters):]) - 1, c - 1


def workbook_cells(path):
    """{sheet: {(row, col): text}} and the sheets in order."""
    sheets, order = {}, []
    if path.endswith(".xlsx"):
        import openpyxl
        wb = openpyxl.load_workbook(path)
        for ws in wb.worksheets:
            order.append(ws.title)
            cells = sheets.setdefault(ws.title, {})
            for row in ws.iter_rows():
                for c in row:
                    if c.value is not None and str(c.value) != "":
                        v = c.value
                        if isinstance(v, float) and v.is_integer():
                            v = int(v)
                        # _xHHHH_ is U+HHHH to Excel and LibreOffice;
                        # openpyxl leaves it as stored
                        v = re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), str(v))
                        cells[(c.row - 1, c.column - 1)] = v
        return sheets, order
    out = subprocess.run([sys.executable, "-I", os.path.join(HERE, "..", "unit", "ods_dump.py"), path],
                         check=True, capture_output=True, text=True).stdout
    for line in out.split("\n"):
        if line.startswith("sheet "):
            name = line.split(" ", 2)[2].rsplit(" ", 1)[0]
            order.append(name)
            sheets.setdefault(name, {})
        elif line.startswith("cell "):
            where, kind, value = line[5:].split(" ", 2)
            name, ref = where.rsplit("!", 1)
            value = value.replace("\\n", "\n").replace("\\\\", "\\")
            if value:
                sheets[name][ref_to_rc(ref)] = value
    return sheets, order


def cells(path, csvdir):
    stem = os.path.splitext(os.path.basename(path))[0]
    sheets, order = workbook_cells(path)
    bad = 0
    for name in order:
        want = sheets[name]
        got = {}
        with open(os.path.join(csvdir, "%s-%s.csv" % (stem, name)), encoding="utf-8", newline="") as f:
            for r, row in enumerate(csv.reader(f)):
                for c, v in enumerate(row):
                    if v != "":
                        got[(r, c)] = v
        for rc in sorted(set(want) | set(got)):
            if want.get(rc) != got.get(rc):
                bad += 1
                if bad <= 20:
                    print("%s!%s%d: workbook %r, LibreOffice %r" % (name, col(rc[1]), rc[0] + 1,
                                                                   want.get(rc), got.get(rc)))
        if not bad:
            print("%s %s: %d values in place" % (stem, name, len(want)))
    return 1 if bad else 0


def dropdowns(path):
    import openpyxl
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        print("sheet", ws.title, ws.sheet_state)
        lines = []
        for dv in ws.data_validations.dataValidation:
            # a range (whole, decimal, date): its operator (between when
            # none is written: OOXML's default) and, for between, the
            # second bound (LibreOffice writes a 0 where there is none)
            bounds = ""
            if dv.type in ("whole", "decimal", "date"):
                op = dv.operator or "between"
                bounds = " %s" % op + (" %s" % dv.formula2 if op == "between" else "")
            lines.append("dv %s %s %s %s%s | %s | %s" % (ws.title, dv.sqref, dv.type,
                                                        (dv.formula1 or "").replace("'", ""),
                                                        bounds, dv.promptTitle, dv.errorTitle))
        for line in sorted(lines):
            print(line)
    return 0


if __name__ == "__main__":
    if sys.argv[1] == "cells":
        sys.exit(cells(sys.argv[2], sys.argv[3]))
    sys.exit(dropdowns(sys.argv[2]))
