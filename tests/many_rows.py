#!/usr/bin/env python3
"""tests/many_rows.py - a big inventory for tests: the example rows of
forms/examples/inventory.csv over and over, each with its own asset number
(編號N) and system name (系統N), until the file has at least MIN_BYTES.

    python3 tests/many_rows.py EXAMPLE.csv OUT.csv MIN_BYTES

Written in UTF-8 without BOM, LF line ends.
"""
import sys


def main():
    example, out_path, min_bytes = sys.argv[1], sys.argv[2], int(sys.argv[3])
    lines = open(example, encoding="utf-8-sig").read().splitlines()
    head, examples = lines[0], lines[1:]
    out, size, i = [head], 0, 0
    while size < min_bytes:
        f = examples[i % len(examples)].split(",")
        f[0], f[1] = "編號%d" % i, "系統%d" % i
        out.append(",".join(f))
        size += len(out[-1].encode()) + 1
        i += 1
    with open(out_path, "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
