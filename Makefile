# spmform - hand-written Makefile.
#
#   make            build ./spmform
#   make run        install missing packages, build, run on the bundled example
#   make test       install missing packages, run every test under ASan+UBSan
#   make deps       install the Debian packages the build and tests need (root)
#   make clean

VERSION  := 0.1.0
PREFIX   ?= /usr/local
CC       ?= cc
CPPFLAGS := -D_XOPEN_SOURCE=700 -DSPMFORM_VERSION='"$(VERSION)"' -Isrc \
            -DSPMFORM_DATADIR='"$(PREFIX)/share/spmform"'
CFLAGS   ?= -O2 -g
CFLAGS   += -std=c11 -pthread -Wall -Wextra -Werror -MMD -MP
# The program's own build is optimised across files (small accessors such
# as form_field are called millions of times on a big file): about 8 %
# off check on 100,000 rows.  The sanitizer builds are not.
LTO      ?= -flto=auto
CURSES_CFLAGS := $(shell pkg-config --cflags ncursesw 2>/dev/null)
CURSES_LIBS   := $(shell pkg-config --libs ncursesw 2>/dev/null || echo -lncursesw -ltinfo)
XLSX_LIBS     := $(shell pkg-config --libs xlsxwriter 2>/dev/null || echo -lxlsxwriter)
LDLIBS   := -lcsv -liniparser $(XLSX_LIBS) -lminizip -lexpat $(CURSES_LIBS)

SAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all \
             -fno-omit-frame-pointer

# The curses-free core: everything spmform check and the tests use.
CORE_SRCS := src/text.c src/diag.c src/ini.c src/form.c src/rules.c src/table.c \
             src/csvio.c src/config.c src/check.c src/lineedit.c src/session.c \
             src/journal.c src/lock.c src/rows.c src/plain.c src/xlsxout.c src/xlsxin.c \
             src/atomic.c src/progress.c src/par.c src/cp950.c
# The entry screen: the only files that include curses.
UI_SRCS   := src/ui.c src/ui_keys.c src/ui_form.c src/ui_pick.c src/ui_list.c src/ui_prompt.c
MAIN_SRCS := src/main.c $(UI_SRCS)

CORE_OBJS := $(CORE_SRCS:src/%.c=build/%.o)
MAIN_OBJS := $(MAIN_SRCS:src/%.c=build/%.o)
SAN_CORE  := $(CORE_SRCS:src/%.c=build/san/%.o)
SAN_MAIN  := $(MAIN_SRCS:src/%.c=build/san/%.o)

TEST_SRCS := $(addprefix tests/unit/test_,text.c form.c rules.c csvio.c lineedit.c session.c \
               journal.c admin.c config.c plain.c xlsxout.c xlsxin.c par.c cp950.c)
TEST_BINS := $(TEST_SRCS:tests/unit/%.c=build/san/tests/%)

# Debian packages: what the build needs, and what the tests need on top.
BUILD_PKGS := gcc make libc6-dev libcsv-dev libiniparser-dev libncurses-dev pkg-config \
              libxlsxwriter-dev libminizip-dev libexpat1-dev
TEST_PKGS  := libcmocka-dev tmux valgrind python3-openpyxl
FUZZ_PKGS  := clang-14 libclang-rt-14-dev
PKGS       := $(BUILD_PKGS) $(TEST_PKGS)

.PHONY: all run test unit cli deps deps-check clean fuzz valgrind install uninstall dist bench

all: spmform

spmform: $(CORE_OBJS) $(MAIN_OBJS)
	$(CC) $(CFLAGS) $(LTO) $(LDFLAGS) -o $@ $^ $(LDLIBS)

build/%.o: src/%.c | build
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LTO) -c -o $@ $<

build/san/%.o: src/%.c | build/san
	$(CC) $(CPPFLAGS) $(CFLAGS) $(SAN_FLAGS) -c -o $@ $<

build/san/spmform: $(SAN_CORE) $(SAN_MAIN)
	$(CC) $(CFLAGS) $(SAN_FLAGS) -o $@ $^ $(LDLIBS)

build/san/tests/%: tests/unit/%.c tests/unit/testutil.h $(SAN_CORE) | build/san/tests
	$(CC) $(CPPFLAGS) $(CFLAGS) $(SAN_FLAGS) -o $@ $< $(SAN_CORE) $(LDLIBS) -lcmocka

# ThreadSanitizer on the unit tests of the code that runs in parts side by
# side (src/par.c; reading, checking and searching in parts).  TSan needs
# the address layout it was built for: the tests run under setarch -R
# (no address randomisation); where the system refuses that (a container's
# seccomp may), make test says they were skipped, and why.
TSAN_FLAGS := -O1 -g -fsanitize=thread
TSAN_CORE  := $(CORE_SRCS:src/%.c=build/tsan/%.o)
TSAN_TESTS := $(addprefix build/tsan/tests/test_,par csvio rules session)

build/tsan/%.o: src/%.c | build/tsan
	$(CC) $(CPPFLAGS) $(CFLAGS) $(TSAN_FLAGS) -c -o $@ $<

build/tsan/tests/%: tests/unit/%.c tests/unit/testutil.h $(TSAN_CORE) | build/tsan/tests
	$(CC) $(CPPFLAGS) $(CFLAGS) $(TSAN_FLAGS) -o $@ $< $(TSAN_CORE) $(LDLIBS) -lcmocka

build build/san build/san/tests build/fuzz build/tsan build/tsan/tests:
	mkdir -p $@

# --- fuzzing ---------------------------------------------------------------
# make fuzz: libFuzzer (clang) on each target for FUZZ_SECONDS, starting from
# the seed corpus in tests/fuzz/corpus/NAME; new inputs go to build/fuzz/,
# crashes to build/fuzz/artifacts/ (copy each into tests/fuzz/regress/NAME
# once fixed).  make test replays corpus and regressions with gcc instead.
FUZZ_TARGETS ?= csv form journal xlsx
FUZZ_SECONDS ?= 600
FUZZ_CC      ?= clang
FUZZ_FLAGS   := -g -O1 -pthread -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZ_REPLAY  := $(FUZZ_TARGETS:%=build/san/fuzz_%)

build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz_util.h $(CORE_SRCS) | build/fuzz
	$(FUZZ_CC) $(CPPFLAGS) -std=c11 -Wall -Wextra -Werror $(FUZZ_FLAGS) -o $@ $(filter %.c,$^) $(LDLIBS)

build/san/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz_util.h tests/fuzz/driver.c $(SAN_CORE) | build/san
	$(CC) $(CPPFLAGS) $(CFLAGS) $(SAN_FLAGS) -o $@ $< tests/fuzz/driver.c $(SAN_CORE) $(LDLIBS)

fuzz: deps
	@$(MAKE) --no-print-directory deps PKGS="$(FUZZ_PKGS)"
	@$(MAKE) --no-print-directory $(FUZZ_TARGETS:%=build/fuzz/fuzz_%)
	@for t in $(FUZZ_TARGETS); do \
	  mkdir -p build/fuzz/corpus-$$t build/fuzz/artifacts tests/fuzz/regress/$$t; \
	  echo "fuzzing $$t for $(FUZZ_SECONDS) s"; \
	  build/fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 \
	    -artifact_prefix=build/fuzz/artifacts/$$t- \
	    build/fuzz/corpus-$$t tests/fuzz/corpus/$$t || exit 1; \
	done

# Opens the entry screen on the file named in config.ini (inventory.csv).
run: deps spmform
	./spmform

# Unit tests (cmocka) and the command-line tests, all on sanitized builds.
# Every test program runs even when an earlier one fails; the last line
# counts them all: "N passed, N failed".
export ASAN_OPTIONS  := detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS := print_stacktrace=1:halt_on_error=1
# libxlsxwriter 1.1.4 leaks a string per list validation (fixed upstream in 1.1.6)
export LSAN_OPTIONS  := suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0
test: deps
	@$(MAKE) --no-print-directory $(TEST_BINS) $(PLAIN_TESTS) $(TSAN_TESTS) $(FUZZ_REPLAY) \
	  build/san/spmform spmform
	@pass=0; fail=0; rc=0; \
	for t in $(TEST_BINS); do \
	  out=$$(LC_ALL=C.UTF-8 $$t 2>&1); r=$$?; printf '%s\n' "$$out"; \
	  p=$$(printf '%s\n' "$$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test(s)\./\1/p'); \
	  f=$$(printf '%s\n' "$$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test(s), listed below:/\1/p'); \
	  pass=$$((pass + $${p:-0})); fail=$$((fail + $${f:-0})); \
	  if [ $$r -ne 0 ]; then rc=1; [ -z "$$f" ] && fail=$$((fail + 1)); fi; \
	done; \
	for t in $(PLAIN_TESTS); do \
	  LC_ALL=C.UTF-8 $(VALGRIND) -q $$t >build/$${t##*/}.valgrind 2>&1; r=$$?; \
	  if [ $$r -eq 0 ]; then echo "valgrind $${t##*/}: ok"; pass=$$((pass + 1)); \
	  else echo "valgrind $${t##*/}: FAILED (exit $$r)"; tail -40 build/$${t##*/}.valgrind; fail=$$((fail + 1)); rc=1; fi; \
	done; \
	for t in $(TSAN_TESTS); do \
	  if ! setarch -R true 2>/dev/null; then \
	    echo "tsan $${t##*/}: skipped: this system refuses setarch -R, which ThreadSanitizer needs"; \
	    continue; fi; \
	  LC_ALL=C.UTF-8 TSAN_OPTIONS=halt_on_error=1 setarch -R $$t >build/$${t##*/}.tsan 2>&1; r=$$?; \
	  if [ $$r -eq 0 ]; then echo "tsan $${t##*/}: ok"; pass=$$((pass + 1)); \
	  else echo "tsan $${t##*/}: FAILED (exit $$r)"; tail -60 build/$${t##*/}.tsan; fail=$$((fail + 1)); rc=1; fi; \
	done; \
	for t in $(FUZZ_TARGETS); do \
	  out=$$(build/san/fuzz_$$t tests/fuzz/corpus/$$t/* $$(ls -d tests/fuzz/regress/$$t/* 2>/dev/null) 2>&1); r=$$?; \
	  printf 'fuzz %s: %s\n' $$t "$$out"; \
	  if [ $$r -eq 0 ]; then pass=$$((pass + 1)); else fail=$$((fail + 1)); rc=1; fi; \
	done; \
	for suite in cli e2e; do \
	  out=$$(SPMFORM=build/san/spmform bash tests/$$suite/run.sh 2>&1); r=$$?; printf '%s\n' "$$out"; \
	  p=$$(printf '%s\n' "$$out" | sed -n "s/^$$suite: \([0-9]*\) passed, \([0-9]*\) failed$$/\1/p"); \
	  f=$$(printf '%s\n' "$$out" | sed -n "s/^$$suite: \([0-9]*\) passed, \([0-9]*\) failed$$/\2/p"); \
	  pass=$$((pass + $${p:-0})); fail=$$((fail + $${f:-0})); \
	  if [ $$r -ne 0 ]; then rc=1; if [ -z "$$f" ] || [ "$$f" = 0 ]; then fail=$$((fail + 1)); fi; fi; \
	done; \
	echo "$$pass passed, $$fail failed"; exit $$rc

# The unit tests (built without sanitizers) under valgrind: no leak and no
# memory error of our own; known library leaks are suppressed in
# tests/valgrind.supp.
PLAIN_TESTS := $(TEST_SRCS:tests/unit/%.c=build/tests/%)
VALGRIND    := valgrind --leak-check=full --show-leak-kinds=definite,indirect \
               --errors-for-leak-kinds=definite,indirect --error-exitcode=9 \
               --suppressions=tests/valgrind.supp
build/tests:
	mkdir -p $@
build/tests/%: tests/unit/%.c tests/unit/testutil.h $(CORE_OBJS) | build/tests
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LTO) -o $@ $< $(CORE_OBJS) $(LDLIBS) -lcmocka
valgrind: deps $(PLAIN_TESTS)
	@for t in $(PLAIN_TESTS); do \
	  LC_ALL=C.UTF-8 $(VALGRIND) $$t || exit 1; \
	done

# --- bench -----------------------------------------------------------------
# make bench: spmform against the floor and its peers, on generated files of
# 1,000 to 100,000 rows; prints a table and writes bench/RESULTS.md.  Not
# part of make test.  See bench/README.md.
bench: deps spmform
	bash bench/run

# --- install ---------------------------------------------------------------
# make install [PREFIX=/usr/local] [DESTDIR=]: the program, the forms, an
# example config, the man page.  make uninstall removes exactly those.
BINDIR  := $(DESTDIR)$(PREFIX)/bin
DATADIR := $(DESTDIR)$(PREFIX)/share/spmform
MANDIR  := $(DESTDIR)$(PREFIX)/share/man/man1
FORMS   := $(wildcard forms/*.ini)
INSTALLED := $(BINDIR)/spmform $(FORMS:forms/%=$(DATADIR)/forms/%) \
             $(DATADIR)/config.ini.example $(DATADIR)/README.md $(DATADIR)/forms/README.md \
             $(MANDIR)/spmform.1

install: spmform
	install -d $(BINDIR) $(DATADIR)/forms $(MANDIR)
	install -m 755 spmform $(BINDIR)/spmform
	install -m 644 $(FORMS) forms/README.md $(DATADIR)/forms/
	install -m 644 config.ini $(DATADIR)/config.ini.example
	install -m 644 README.md $(DATADIR)/README.md
	install -m 644 docs/spmform.1 $(MANDIR)/spmform.1

uninstall:
	rm -f $(INSTALLED)
	-rmdir $(DATADIR)/forms $(DATADIR) 2>/dev/null

# --- dist ------------------------------------------------------------------
# make dist: spmform-VERSION-linux-x86_64.tar.gz for a machine with no
# network and no -dev packages.  What Debian ships as .a is linked in; what
# it ships only as a shared library (libxlsxwriter, and the libminizip and
# libcrypto it needs: a minimal Debian has no libcrypto) goes into the
# tarball's lib/, found through an $$ORIGIN rpath (DT_RPATH, so that
# libxlsxwriter finds its own dependencies there too).
DIST     := spmform-$(VERSION)-linux-x86_64
LIBDIR   := $(shell dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null | sed 's|^|/usr/lib/|')
STATIC   := -Wl,-Bstatic -lcsv -liniparser -lncursesw -ltinfo -lexpat -lminizip -Wl,-Bdynamic
DIST_LIBS := $(LIBDIR)/libxlsxwriter.so.4 $(LIBDIR)/libminizip.so.1 $(LIBDIR)/libcrypto.so.3

build/dist/spmform: $(CORE_OBJS) $(MAIN_OBJS)
	mkdir -p build/dist
	$(CC) $(CFLAGS) $(LTO) -o $@ $^ $(STATIC) -lxlsxwriter -lz $(EXTRA_DIST_LIBS) \
	  -Wl,--disable-new-dtags -Wl,-rpath,'$$ORIGIN/../lib'

dist: build/dist/spmform
	rm -rf build/$(DIST) $(DIST).tar.gz
	install -d build/$(DIST)/bin build/$(DIST)/lib build/$(DIST)/share/spmform/forms \
	  build/$(DIST)/share/man/man1
	install -m 755 build/dist/spmform build/$(DIST)/bin/spmform
	cp -L $(DIST_LIBS) build/$(DIST)/lib/
	install -m 644 $(FORMS) forms/README.md build/$(DIST)/share/spmform/forms/
	install -m 644 config.ini build/$(DIST)/share/spmform/config.ini.example
	install -m 644 docs/spmform.1 build/$(DIST)/share/man/man1/spmform.1
	install -m 644 README.md build/$(DIST)/README.md
	install -m 755 docs/install.sh build/$(DIST)/install.sh
	tar -C build -czf $(DIST).tar.gz $(DIST)
	@echo "$(DIST).tar.gz"

# Installs what is missing; as non-root prints the apt-get line and stops.
deps:
	@missing=$$(for p in $(PKGS); do \
	  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; \
	done | tr '\n' ' '); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing: $$missing"; \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $$missing || \
	      { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $$missing; }; \
	  else \
	    echo "missing packages; run as root:"; \
	    echo "  apt-get install -y $$missing"; exit 1; \
	  fi; \
	fi

# Exit status 1 when a package is missing (for .ci/run).
deps-check:
	@for p in $(PKGS); do \
	  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || exit 1; \
	done

clean:
	rm -rf build spmform spmform-*.tar.gz

-include $(CORE_OBJS:.o=.d) $(MAIN_OBJS:.o=.d) $(SAN_CORE:.o=.d) $(SAN_MAIN:.o=.d) $(TSAN_CORE:.o=.d)
