# tests/helpers.sh - file helpers for the setup snippets of the CLI and
# end-to-end cases; sourced by tests/cli/run.sh and tests/e2e/run.sh.
# shellcheck shell=bash

# to_cp950 IN OUT: OUT is IN converted from UTF-8 to CP950, and must really
# be CP950: not valid UTF-8, and converting it back gives IN again.
to_cp950() {
	iconv -f UTF-8 -t CP950 "$1" >"$2" || return 1
	if iconv -f UTF-8 -t UTF-8 "$2" >/dev/null 2>&1; then
		echo "to_cp950: $2 is still valid UTF-8" >&2
		return 1
	fi
	iconv -f CP950 -t UTF-8 "$2" | cmp -s - "$1" || {
		echo "to_cp950: $2 does not convert back to $1" >&2
		return 1
	}
}

# crlf IN OUT: OUT is IN with every LF made CRLF.
crlf() {
	sed 's/$/\r/' "$1" >"$2"
}

# bom IN OUT: OUT is IN with a UTF-8 byte-order mark in front.
bom() {
	{ printf '\357\273\277' && cat "$1"; } >"$2"
}
