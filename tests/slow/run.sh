#!/usr/bin/env bash
# tests/slow/run.sh - the command-line cases too slow for make test (make
# test-slow runs them): cases in the format of tests/cli/run.sh, under
# tests/slow/cases/.
#
#   SPMFORM=build/san/spmform bash tests/slow/run.sh [CASE...]
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CLI_CASES=$HERE/cases CLI_SUITE=slow exec bash "$HERE/../cli/run.sh" "$@"
