#!/usr/bin/env python3
"""bench/excel_keys.py - the keystrokes the official Excel template needs for
the spec's five example rows (forms/examples/inventory.csv), counted by the
rules written out in bench/README.md.

    python3 bench/excel_keys.py [--markdown]

Prints, for each row, the keys per cell for two ways of working, and the
totals:
  dropdown  the template as meant: a choice cell by its dropdown (Alt+Down,
            Down to the item, Enter, then Tab), a text cell typed out, Tab
            (Enter at the end of a row) to move on.
  fewest    the fewest keys Excel allows: per cell the cheapest of the
            dropdown, typing the choice's text, Ctrl+D (copy the cell above),
            Ctrl+R (copy the cell to the left), AutoComplete (the shortest
            prefix of an earlier entry of the column that is unique, for text
            that is not a number).
A typed character is one key and so is a chord (Alt+Down, Ctrl+D), as in
tests/e2e (where ^D or ^N is one key).  Both end with Ctrl+S and Alt+F4.
"""
import csv
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLE = os.path.join(HERE, "..", "forms", "examples", "inventory.csv")
# The template's dropdowns (its 此頁不可刪除 sheet), by column, in list order.
# 最大可容忍中斷時間 is typed: its 是/否 list on the value sheet (a quirk of
# the template) would refuse every number if it were a validation.
LISTS = {
    2: ["行政", "業務"],
    3: ["共用", "公版", "機關自用"],
    4: ["自行委外", "租用服務", "套裝軟體", "自行開發", "主管/上級機關提供", "其他"],
    9: ["是", "否"], 10: ["是", "否"], 11: ["是", "否"],
    12: ["普", "中", "高", "其他"],
    13: ["是", "否"],
    17: ["符合", "部分符合", "不符合", "不適用"],
    20: ["有", "無"],
}
END = 2  # Ctrl+S, Alt+F4


def is_number(v):
    try:
        float(v)
        return True
    except ValueError:
        return False


def dropdown_cost(col, v):
    """Keys for cell (col, v), moving on included (Tab or Enter)."""
    if not v:
        return 1, "Tab"
    if col in LISTS:
        k = LISTS[col].index(v) + 1
        return k + 3, "Alt+Down, Down x%d, Enter, Tab" % k
    return len(v) + 1, "type %d, Tab" % len(v)


def autocomplete_cost(v, earlier):
    """Keys to get v by AutoComplete from the column's earlier entries."""
    if not v or is_number(v) or v not in earlier:
        return None
    for p in range(1, len(v) + 1):
        hits = {e for e in earlier if e.startswith(v[:p])}
        if hits == {v}:
            return p + 1
    return None


def fewest_cost(rows, r, col):
    v = rows[r][col]
    best, how = dropdown_cost(col, v)
    options = []
    if v and col in LISTS:
        options.append((len(v) + 1, "type %d, Tab" % len(v)))
    if v and r > 0 and rows[r - 1][col] == v:
        options.append((2, "Ctrl+D, Tab"))
    if v and col > 0 and rows[r][col - 1] == v:
        options.append((2, "Ctrl+R, Tab"))
    ac = autocomplete_cost(v, {rows[i][col] for i in range(r)})
    if ac:
        options.append((ac, "AutoComplete %d, Tab" % (ac - 1)))
    for c, h in options:
        if c < best:
            best, how = c, h
    return best, how


def main():
    with open(EXAMPLE, encoding="utf-8-sig", newline="") as f:
        table = list(csv.reader(f))
    header, rows = table[0], table[1:]
    md = "--markdown" in sys.argv
    totals = {"dropdown": 0, "fewest": 0}
    if md:
        print("| row | cells: dropdown way | keys | cells: fewest way | keys |")
        print("| --- | --- | ---: | --- | ---: |")
    for r, row in enumerate(rows):
        d = [dropdown_cost(c, v)[0] for c, v in enumerate(row)]
        f = [fewest_cost(rows, r, c)[0] for c in range(len(row))]
        totals["dropdown"] += sum(d)
        totals["fewest"] += sum(f)
        if md:
            print("| %d | %s | %d | %s | %d |" % (r + 1, " ".join(map(str, d)), sum(d),
                                                 " ".join(map(str, f)), sum(f)))
        else:
            print("row %d: dropdown %3d  fewest %3d" % (r + 1, sum(d), sum(f)))
            for c, v in enumerate(row):
                print("    %-28s %-22s %3d %-34s %3d  %s" % (
                    header[c][:14], v[:20], d[c], dropdown_cost(c, v)[1], f[c],
                    fewest_cost(rows, r, c)[1]))
    if md:
        print("| save, quit | Ctrl+S Alt+F4 | %d | Ctrl+S Alt+F4 | %d |" % (END, END))
    totals = {k: v + END for k, v in totals.items()}
    print()
    print("Excel total: %d keys (dropdowns as meant, text typed out)" % totals["dropdown"])
    print("Excel fewest: %d keys (Ctrl+D, Ctrl+R, AutoComplete, typed choices)" % totals["fewest"])


if __name__ == "__main__":
    main()
