#!/usr/bin/env bash
# docs/capture-screens.sh - the 80x24 screens shown in docs/使用說明.md,
# taken from the real program in tmux (so that the guide shows what a
# clerk sees).  Run from the repository root after make:
#
#   bash docs/capture-screens.sh [OUTDIR]     (default build/screens)
#
# Each screen is OUTDIR/NAME.txt; paste them into the guide when the
# screen changes.
set -eu
BIN=$PWD/spmform
OUT=${1:-build/screens}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
W=$(mktemp -d)
trap 'tmux -L caps kill-server 2>/dev/null; rm -rf "$W"' EXIT
cp -r forms "$W/"
cp forms/examples/inventory.csv "$W/盤點清冊.csv"
printf '[defaults]\nagency_oid  = 2.16.886.101.20002\nagency_name = OO局\n' >"$W/config.ini"
cd "$W"

T() { tmux -L caps "$@"; }
start() {
	T kill-server 2>/dev/null || true
	T -f /dev/null new-session -d -x 80 -y 24 "TERM=tmux-256color LC_ALL=C.UTF-8 $BIN $*"
	T set -g status off
	sleep 0.6
}
keys() { T send-keys "$@"; sleep 0.3; }
shot() { T capture-pane -p | sed 's/ *$//' >"$OUT/$1.txt"; }

start 盤點清冊.csv
shot 01-record
keys Down Down Down Down
keys Enter
shot 02-dropdown
keys Escape
sleep 0.3 # Esc's delay, so that the next key is not read as Alt-key
# to 最大可容忍中斷時間 (Down passes the OID and name [defaults] filled)
keys C-a
for i in $(seq 14); do keys Down; done
T send-keys -l '24小時'
keys Enter
keys Up
shot 03-error
keys C-z
keys C-t
shot 04-list
keys Escape
sleep 0.3
keys C-g
shot 05-help
keys q
keys C-n
shot 06-new
T send-keys -l '編號E'; keys Enter
T send-keys -l '系統E'; keys Enter
keys 1 1 1
keys Enter Enter
keys y n y 2 y
keys Enter Enter
T send-keys -l '8'; keys Enter
keys 1 Enter Enter n
shot 07-summary
keys Escape
sleep 0.3
# a power cut: the program is killed with changes unsaved
T kill-server
sleep 0.5
start 盤點清冊.csv
shot 08-recover
keys n
sleep 0.3
T kill-server
printf ':q\n' | "$BIN" --plain 盤點清冊.csv | head -14 >"$OUT/09-plain.txt"
echo "screens in $OUT"
