# spmform - hand-written Makefile.
#
#   make            build ./spmform (and ./spmform-writers.so beside it)
#   make run        install missing packages, build, open the entry screen
#                   (make run FILE=path opens another file)
#   make test       install missing packages, run the unit tests under
#                   ASan+UBSan, the fuzz corpus, the command-line and the
#                   tmux end-to-end cases (under two minutes on 2 cores)
#   make test-slow  what make test leaves out: valgrind over the unit tests,
#                   ThreadSanitizer, the slow cases (tests/slow/: LibreOffice
#                   as a client, the Debian package)
#   make deb        build spmform_VERSION_ARCH.deb (make deb-check: and lintian it)
#   make deps       install the Debian packages the build and tests need (root)
#   make clean

VERSION  := 0.1.0
PREFIX   ?= /usr/local
CC       ?= cc
CFLAGS   ?= -O2 -g
# The project's own flags, apart from CFLAGS so that `make CFLAGS=-O0` only
# changes what it says.  -Werror only in our own builds (make test, CI,
# make WERROR=1), not for someone building a release with a newer compiler.
WERROR   ?=
SPM_WARN := -Wall -Wextra $(if $(filter 1,$(WERROR)),-Werror)
SPM_CFLAGS := -std=c11 -pthread $(SPM_WARN) -MMD -MP
XML_CFLAGS := $(shell pkg-config --cflags libxml-2.0 2>/dev/null || echo -I/usr/include/libxml2)
CPPFLAGS := -D_XOPEN_SOURCE=700 -DSPMFORM_VERSION='"$(VERSION)"' -Isrc $(XML_CFLAGS) \
            -DSPMFORM_DATADIR='"$(PREFIX)/share/spmform"' \
            -DSPMFORM_LIBDIR='"$(PREFIX)/lib/spmform"'
ALL_CFLAGS = $(SPM_CFLAGS) $(CFLAGS)
# The program's own build is optimised across files (small accessors such
# as form_field are called millions of times on a big file).  The
# sanitizer builds are not.
LTO      ?= -flto=auto
CURSES_CFLAGS := $(shell pkg-config --cflags ncursesw 2>/dev/null)
CURSES_LIBS   := $(shell pkg-config --libs ncursesw 2>/dev/null || echo -lncursesw -ltinfo)
XLSX_LIBS     := $(shell pkg-config --libs xlsxwriter 2>/dev/null || echo -lxlsxwriter)
# print.c: Pango lays the text out, cairo writes the PDF, fontconfig finds
# the font (the headers of glib come with them).
PRINT_PC      := pangocairo pangoft2 cairo-pdf fontconfig
PRINT_CFLAGS  := $(shell pkg-config --cflags $(PRINT_PC) 2>/dev/null)
PRINT_LIBS    := $(shell pkg-config --libs $(PRINT_PC) 2>/dev/null || \
                   echo -lpangocairo-1.0 -lpangoft2-1.0 -lpango-1.0 -lgobject-2.0 -lglib-2.0 \
                   -lcairo -lfontconfig)
CPPFLAGS += $(PRINT_CFLAGS)
# the program's libraries; the writers' are WRITER_LIBS (below)
LDLIBS   := -lcsv -liniparser -lminizip -lexpat $(CURSES_LIBS)

SAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all \
             -fno-omit-frame-pointer

# The curses-free core: everything spmform check and the tests use.
CORE_SRCS := src/text.c src/diag.c src/ini.c src/form.c src/rules.c src/table.c \
             src/csvio.c src/config.c src/check.c src/lineedit.c src/session.c \
             src/journal.c src/lock.c src/rows.c src/plain.c src/xlsxin.c \
             src/atomic.c src/progress.c src/par.c src/cp950.c src/mem.c src/io.c \
             src/print_job.c src/zipxml.c src/odsin.c src/capture.c src/journals.c \
             src/merge.c src/report.c src/value.c src/guess.c
# The writers of .xlsx, .ods and PDF files, built into a module of their
# own, spmform-writers.so, that the program loads (dlopen) the first time
# it writes such a file: src/writers.h.  Their libraries (libxlsxwriter and
# its libcrypto, libxml2 and its ICU, Pango, cairo and fontconfig) made
# every spmform process load 53 shared objects at start (now 10), and
# took most of its memory (/usr/bin/time -f %M, in MB, linked / in the
# module): spmform --version 11.4 / 2.2; spmform check on 1,000 rows 11.8
# / 2.8, on 100,000 rows 22.0 / 13.7; the entry screen on the 100,000-row
# CP950 file 48.4 / 40.0.  The program exports the core functions the
# module uses (build/exports, below), and the module links no copy of
# them; it hides all of its own symbols but its table
# (-fvisibility=hidden).  The unit tests link the writers directly
# (TEST_CORE), the fuzz targets the loader.
WRITER_SRCS  := src/xlsxout.c src/odsout.c src/layout.c src/print.c
MODULE_SRCS  := $(WRITER_SRCS) src/writers_module.c
WRITER_LIBS  := $(XLSX_LIBS) -lminizip -lxml2 $(PRINT_LIBS)
MODULE_FLAGS := -fPIC -fvisibility=hidden
MODULE       := spmform-writers.so
# The entry screen: the only files that include curses.
UI_SRCS   := src/ui.c src/ui_keys.c src/ui_form.c src/ui_pick.c src/ui_list.c src/ui_prompt.c \
             src/ui_report.c
# the program's own: the loader of the module, the commands, the screen
MAIN_SRCS := src/writers.c src/main.c $(UI_SRCS)

CORE_OBJS   := $(CORE_SRCS:src/%.c=build/%.o)
MAIN_OBJS   := $(MAIN_SRCS:src/%.c=build/%.o)
MODULE_OBJS := $(MODULE_SRCS:src/%.c=build/%.o)
WRITER_OBJS := $(WRITER_SRCS:src/%.c=build/%.o)
SAN_CORE    := $(CORE_SRCS:src/%.c=build/san/%.o)
SAN_MAIN    := $(MAIN_SRCS:src/%.c=build/san/%.o)
SAN_MODULE  := $(MODULE_SRCS:src/%.c=build/san/%.o)
# what a unit test links: the core and the writers themselves
TEST_CORE   := $(SAN_CORE) $(WRITER_SRCS:src/%.c=build/san/%.o)

TEST_SRCS := $(addprefix tests/unit/test_,text.c form.c rules.c csvio.c lineedit.c session.c \
               journal.c admin.c config.c plain.c xlsxout.c xlsxin.c par.c cp950.c print.c \
               odsout.c odsin.c merge.c report.c value.c kinds.c)
TEST_BINS := $(TEST_SRCS:tests/unit/%.c=build/san/tests/%)

# Debian packages: what the build needs, and what the tests need on top.
# fonts-arphic-uming: the Ming face (AR PL UMing TW) that print.c sets
# Traditional Chinese in; see src/print.h.
BUILD_PKGS := gcc make libc6-dev libcsv-dev libiniparser-dev libncurses-dev pkg-config \
              libxlsxwriter-dev libminizip-dev libexpat1-dev libxml2-dev \
              libpango1.0-dev libcairo2-dev libfontconfig-dev fontconfig fonts-arphic-uming
TEST_PKGS  := libcmocka-dev tmux valgrind python3-openpyxl poppler-utils
FUZZ_PKGS  := clang-14 libclang-rt-14-dev
# what make test-slow needs on top: LibreOffice as a client (headless, no
# display), and the tools that build and check the Debian package
SLOW_PKGS  := libreoffice-calc-nogui lintian dpkg-dev
PKGS       := $(BUILD_PKGS) $(TEST_PKGS)

.PHONY: FORCE all run test test-slow deps deps-check clean fuzz install uninstall dist bench \
        deb deb-check

all: spmform $(MODULE)

spmform: $(CORE_OBJS) $(MAIN_OBJS) build/exports
	$(CC) $(ALL_CFLAGS) $(LTO) $(LDFLAGS) -Wl,--dynamic-list=build/exports -o $@ \
	  $(filter %.o,$^) $(LDLIBS)

$(MODULE): $(MODULE_OBJS)
	$(CC) $(ALL_CFLAGS) $(LTO) -shared $(MODULE_FLAGS) $(LDFLAGS) -o $@ $^ $(WRITER_LIBS)

# What a program exports for its module: a dynamic list (ld
# --dynamic-list) of every symbol the module leaves undefined (ld ignores
# the names the program does not define: libc's, Pango's).  LTO keeps
# those functions and optimises the rest as before (-rdynamic would export
# everything).  Rewritten only when it changes, as build/flags.
exports = nm -D --undefined-only $< | awk 'BEGIN { print "{" } \
	    { sub(/@.*/, "", $$NF); print "  " $$NF ";" } END { print "};" }' >$@.new && \
	  { cmp -s $@.new $@ && rm $@.new || mv $@.new $@; }
build/exports: $(MODULE) | build
	@$(exports)
build/%/exports: build/%/$(MODULE)
	@$(exports)

# The module's objects are position-independent, and hidden (writers.h);
# the unit tests link the same ones.
$(MODULE_OBJS) $(SAN_MODULE): PIC := $(MODULE_FLAGS)

# Objects depend on the flags they were built with: make WERROR=1 after
# make builds everything again (with -Werror), instead of trusting objects
# that were built without it.
build/flags: FORCE | build
	@f='$(CPPFLAGS) $(ALL_CFLAGS) $(LTO) $(SAN_FLAGS)'; \
	  [ "$$(cat $@ 2>/dev/null)" = "$$f" ] || echo "$$f" >$@
FORCE:

build/%.o: src/%.c build/flags | build
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(LTO) $(PIC) -c -o $@ $<

build/san/%.o: src/%.c build/flags | build/san
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(SAN_FLAGS) $(PIC) -c -o $@ $<

build/san/spmform: $(SAN_CORE) $(SAN_MAIN) build/san/exports
	$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) -Wl,--dynamic-list=build/san/exports -o $@ \
	  $(filter %.o,$^) $(LDLIBS)

build/san/$(MODULE): $(SAN_MODULE)
	$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) -shared $(MODULE_FLAGS) -o $@ $^ $(WRITER_LIBS)

build/san/tests/%: tests/unit/%.c tests/unit/testutil.h $(TEST_CORE) | build/san/tests
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(SAN_FLAGS) -o $@ $< $(TEST_CORE) $(LDLIBS) $(WRITER_LIBS) \
	  -lcmocka

# ThreadSanitizer on the unit tests of the code that runs in parts side by
# side (src/par.c; reading, checking and searching in parts).  TSan needs
# the address layout it was built for: the tests run under setarch -R
# (no address randomisation); where the system refuses that (a container's
# seccomp may), make test says they were skipped, and why.
TSAN_FLAGS := -O1 -g -fsanitize=thread
TSAN_CORE  := $(CORE_SRCS:src/%.c=build/tsan/%.o) $(WRITER_SRCS:src/%.c=build/tsan/%.o)
TSAN_TESTS := $(addprefix build/tsan/tests/test_,par)

build/tsan/%.o: src/%.c build/flags | build/tsan
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(TSAN_FLAGS) -c -o $@ $<

build/tsan/tests/%: tests/unit/%.c tests/unit/testutil.h $(TSAN_CORE) | build/tsan/tests
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(TSAN_FLAGS) -o $@ $< $(TSAN_CORE) $(LDLIBS) $(WRITER_LIBS) \
	  -lcmocka

build build/san build/san/tests build/fuzz build/tsan build/tsan/tests:
	mkdir -p $@

# --- fuzzing ---------------------------------------------------------------
# make fuzz: libFuzzer (clang) on each target for FUZZ_SECONDS, starting from
# the seed corpus in tests/fuzz/corpus/NAME; new inputs go to build/fuzz/,
# crashes to build/fuzz/artifacts/ (copy each into tests/fuzz/regress/NAME
# once fixed).  make test replays corpus and regressions with gcc instead.
# The targets only read: they link the core with the writers' loader
# (src/writers.c), never the writers.
FUZZ_TARGETS ?= csv form journal xlsx ods lock sst
FUZZ_SECONDS ?= 600
FUZZ_CC      ?= clang
FUZZ_FLAGS   := -g -O1 -pthread -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZ_REPLAY  := $(FUZZ_TARGETS:%=build/san/fuzz_%)

build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(wildcard tests/fuzz/*.h) $(CORE_SRCS) src/writers.c | build/fuzz
	$(FUZZ_CC) $(CPPFLAGS) $(SPM_CFLAGS) $(FUZZ_FLAGS) -o $@ $(filter %.c,$^) $(LDLIBS)

build/san/fuzz_%: tests/fuzz/fuzz_%.c $(wildcard tests/fuzz/*.h) tests/fuzz/driver.c $(SAN_CORE) \
                  build/san/writers.o | build/san
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(SAN_FLAGS) -o $@ $< tests/fuzz/driver.c $(SAN_CORE) \
	  build/san/writers.o $(LDLIBS)

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

# Opens the entry screen on FILE, or on the file named in config.ini
# (inventory.csv).
run: deps spmform
	./spmform $(FILE)

# make test: the unit tests on the sanitized build, the fuzz corpus, the
# command-line and the end-to-end cases; make test-slow: the rest.  Both
# build with -Werror; tests/run.sh runs every suite even when one fails and
# ends with "N passed, M failed, K skipped".
PLAIN_TESTS := $(TEST_SRCS:tests/unit/%.c=build/tests/%)
test: deps
	@$(MAKE) --no-print-directory WERROR=1 $(TEST_BINS) $(FUZZ_REPLAY) build/san/spmform spmform
	@UNIT_BINS="$(TEST_BINS)" FUZZ_BINS="$(FUZZ_REPLAY)" bash tests/run.sh unit fuzz cli e2e

test-slow: deps
	@$(MAKE) --no-print-directory deps PKGS="$(SLOW_PKGS)"
	@$(MAKE) --no-print-directory WERROR=1 $(TEST_BINS) $(PLAIN_TESTS) $(TSAN_TESTS) \
	  build/san/spmform spmform
	@UNIT_BINS="$(TEST_BINS)" PLAIN_BINS="$(PLAIN_TESTS)" TSAN_BINS="$(TSAN_TESTS)" \
	  bash tests/run.sh unit-slow valgrind tsan slow

build/tests:
	mkdir -p $@
build/tests/%: tests/unit/%.c tests/unit/testutil.h $(CORE_OBJS) $(WRITER_OBJS) | build/tests
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(LTO) -o $@ $< $(CORE_OBJS) $(WRITER_OBJS) $(LDLIBS) \
	  $(WRITER_LIBS) -lcmocka

# --- bench -----------------------------------------------------------------
# make bench: spmform against the floor and its peers, on generated files of
# 1,000 to 100,000 rows; prints a table and writes bench/RESULTS.md.  Not
# part of make test.  See bench/README.md.
bench: deps spmform
	bash bench/run

# --- install ---------------------------------------------------------------
# make install [PREFIX=/usr/local] [DESTDIR=]: the program and its writers'
# module (PREFIX/lib/spmform, where the program looks: src/writers.h), the
# forms, an example config, the man page.  make uninstall removes exactly
# those.
BINDIR  := $(DESTDIR)$(PREFIX)/bin
MODDIR  := $(DESTDIR)$(PREFIX)/lib/spmform
DATADIR := $(DESTDIR)$(PREFIX)/share/spmform
MANDIR  := $(DESTDIR)$(PREFIX)/share/man/man1
FORMS   := $(wildcard forms/*.ini)
# the clerks' guide, shown by the help screen where it is installed, and
# the printed pages it shows (beside it, where its links find them)
GUIDE   := 使用說明.md
GUIDE_PICS := print-inventory.png print-admin.png
# the data files the forms name ([form] examples)
FORM_DATA := $(wildcard forms/examples/*.csv)
INSTALLED := $(BINDIR)/spmform $(MODDIR)/$(MODULE) $(FORMS:forms/%=$(DATADIR)/forms/%) \
             $(FORM_DATA:forms/%=$(DATADIR)/forms/%) \
             $(DATADIR)/config.ini.example $(DATADIR)/README.md $(DATADIR)/forms/README.md \
             $(DATADIR)/$(GUIDE) $(GUIDE_PICS:%=$(DATADIR)/%) \
             $(MANDIR)/spmform.1

install: spmform $(MODULE)
	install -d $(BINDIR) $(MODDIR) $(DATADIR)/forms/examples $(MANDIR)
	install -m 755 spmform $(BINDIR)/spmform
	install -m 644 $(MODULE) $(MODDIR)/$(MODULE)
	install -m 644 $(FORMS) forms/README.md $(DATADIR)/forms/
	install -m 644 $(FORM_DATA) $(DATADIR)/forms/examples/
	install -m 644 config.ini $(DATADIR)/config.ini.example
	install -m 644 README.md $(DATADIR)/README.md
	install -m 644 docs/$(GUIDE) $(GUIDE_PICS:%=docs/%) $(DATADIR)/
	install -m 644 docs/spmform.1 $(MANDIR)/spmform.1

uninstall:
	rm -f $(INSTALLED)
	-rmdir $(DATADIR)/forms/examples $(DATADIR)/forms $(DATADIR) $(MODDIR) 2>/dev/null

# --- dist ------------------------------------------------------------------
# make dist: spmform-VERSION-linux-x86_64.tar.gz for a machine with no
# network and no -dev packages.  What Debian ships as .a is linked in; what
# it ships only as a shared library (libxlsxwriter, and the libminizip and
# libcrypto it needs: a minimal Debian has no libcrypto; Pango, cairo,
# fontconfig and theirs; libxml2, the .ods writer's, whose .a would need
# ICU linked in as well, and ICU's data is 31 MB either way) goes into the
# tarball's lib/.  Only the writers' module needs those: it is in
# lib/spmform/ and finds them through an $$ORIGIN/.. rpath (DT_RPATH, so
# that those libraries find their own dependencies there too).  Which
# ones: every library the program or the module loads (ldd) but those of
# glibc and zlib, which every Debian has.  print's font
# and a fonts.conf naming it go to share/spmform/fonts/ (print.c looks
# there first), with the font's licence.
DIST     := spmform-$(VERSION)-linux-x86_64
LIBDIR   := $(shell dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null | sed 's|^|/usr/lib/|')
STATIC   := -Wl,-Bstatic -lcsv -liniparser -lncursesw -ltinfo -lexpat -lminizip -Wl,-Bdynamic
# not bundled: glibc's, and what every Debian has because apt and dpkg need
# it (zlib, liblzma; libstdc++ and libgcc_s, which ICU needs)
DIST_SYSTEM := linux-vdso.so.1 ld-linux-x86-64.so.2 libc.so.6 libm.so.6 libpthread.so.0 \
               libdl.so.2 librt.so.1 libz.so.1 liblzma.so.5 libstdc++.so.6 libgcc_s.so.1
DIST_FONT := /usr/share/fonts/truetype/arphic/uming.ttc
DIST_FONT_LICENSE := /usr/share/doc/fonts-arphic-uming/copyright

build/dist/spmform: $(CORE_OBJS) $(MAIN_OBJS) build/dist/exports
	$(CC) $(ALL_CFLAGS) $(LTO) -Wl,--dynamic-list=build/dist/exports -o $@ $(filter %.o,$^) \
	  $(STATIC) -lz $(EXTRA_DIST_LIBS) \
	  -Wl,--disable-new-dtags -Wl,-rpath,'$$ORIGIN/../lib'

build/dist/$(MODULE): $(MODULE_OBJS)
	mkdir -p build/dist
	$(CC) $(ALL_CFLAGS) $(LTO) -shared $(MODULE_FLAGS) -o $@ $^ $(WRITER_LIBS) \
	  -Wl,--disable-new-dtags -Wl,-rpath,'$$ORIGIN/..'

dist: build/dist/spmform
	rm -rf build/$(DIST) $(DIST).tar.gz
	install -d build/$(DIST)/bin build/$(DIST)/lib/spmform \
	  build/$(DIST)/share/spmform/forms/examples build/$(DIST)/share/spmform/fonts \
	  build/$(DIST)/share/man/man1
	install -m 755 build/dist/spmform build/$(DIST)/bin/spmform
	install -m 644 build/dist/$(MODULE) build/$(DIST)/lib/spmform/$(MODULE)
	ldd build/dist/spmform build/dist/$(MODULE) | \
	  awk '$$2 == "=>" && $$3 ~ /^\// { print $$1, $$3 }' | sort -u | \
	  while read -r name path; do \
	    case " $(DIST_SYSTEM) " in *" $$name "*) ;; *) cp -L "$$path" build/$(DIST)/lib/ || exit 1 ;; esac; \
	  done
	install -m 644 $(FORMS) forms/README.md build/$(DIST)/share/spmform/forms/
	install -m 644 $(DIST_FONT) docs/fonts.conf build/$(DIST)/share/spmform/fonts/
	install -m 644 $(DIST_FONT_LICENSE) build/$(DIST)/share/spmform/fonts/COPYRIGHT.uming
	install -m 644 $(FORM_DATA) build/$(DIST)/share/spmform/forms/examples/
	install -m 644 config.ini build/$(DIST)/share/spmform/config.ini.example
	install -m 644 docs/spmform.1 build/$(DIST)/share/man/man1/spmform.1
	install -m 644 README.md build/$(DIST)/README.md
	install -m 644 docs/$(GUIDE) $(GUIDE_PICS:%=docs/%) build/$(DIST)/share/spmform/
	install -m 755 docs/install.sh build/$(DIST)/install.sh
	tar -C build -czf $(DIST).tar.gz $(DIST)
	@echo "$(DIST).tar.gz"

# --- deb -------------------------------------------------------------------
# make deb: spmform_VERSION_ARCH.deb for a Debian host (dpkg -i): the
# program in /usr/bin and its writers' module in /usr/lib/spmform (built
# apart in build/deb/ with dpkg-buildflags' hardening,
# SPMFORM_DATADIR=/usr/share/spmform and SPMFORM_LIBDIR=/usr/lib/spmform,
# so that it finds its forms and its module there), the forms with their
# examples file, an example config, the
# man page, README and changelog in /usr/share/doc/spmform with the
# copyright file (packaging/deb/).  Depends is what dpkg-shlibdeps finds
# the program and the module need.  Made with dpkg-deb --root-owner-group:
# no fakeroot.
# make deb-check runs lintian on it (make test-slow does, in tests/slow).
DEB_ARCH  := $(shell dpkg --print-architecture 2>/dev/null || echo amd64)
DEB       := spmform_$(VERSION)_$(DEB_ARCH).deb
# the package's tree, where dpkg-shlibdeps wants a package's files to be
DEB_ROOT  := build/deb/pkg/debian/spmform
DEB_DATA  := /usr/share/spmform
DEB_LIB   := /usr/lib/spmform
DEB_PP    := $(filter-out -DSPMFORM_DATADIR=% -DSPMFORM_LIBDIR=%,$(CPPFLAGS)) \
             -DSPMFORM_DATADIR='"$(DEB_DATA)"' -DSPMFORM_LIBDIR='"$(DEB_LIB)"' \
             $(shell DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags --get CPPFLAGS 2>/dev/null)
DEB_CC    := $(SPM_CFLAGS) $(shell DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags --get CFLAGS 2>/dev/null)
DEB_LD    := $(shell DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags --get LDFLAGS 2>/dev/null)
DEB_OBJS  := $(CORE_SRCS:src/%.c=build/deb/%.o) $(MAIN_SRCS:src/%.c=build/deb/%.o)
DEB_MODULE := $(MODULE_SRCS:src/%.c=build/deb/%.o)

build/deb/flags: FORCE | build/deb
	@f='$(DEB_PP) $(DEB_CC) $(DEB_LD) $(LTO)'; [ "$$(cat $@ 2>/dev/null)" = "$$f" ] || echo "$$f" >$@
build/deb:
	mkdir -p $@
$(DEB_MODULE): PIC := $(MODULE_FLAGS)
build/deb/%.o: src/%.c build/deb/flags | build/deb
	$(CC) $(DEB_PP) $(DEB_CC) $(LTO) $(PIC) -c -o $@ $<
build/deb/spmform: $(DEB_OBJS) build/deb/exports
	$(CC) $(DEB_CC) $(LTO) $(DEB_LD) -Wl,--dynamic-list=build/deb/exports -o $@ \
	  $(filter %.o,$^) $(LDLIBS)
build/deb/$(MODULE): $(DEB_MODULE)
	$(CC) $(DEB_CC) $(LTO) -shared $(MODULE_FLAGS) $(DEB_LD) -o $@ $^ $(WRITER_LIBS)

deb: build/deb/spmform
	@$(MAKE) --no-print-directory deps PKGS="dpkg-dev"
	rm -rf $(DEB_ROOT) $(DEB)
	install -d $(DEB_ROOT)/DEBIAN $(DEB_ROOT)/usr/bin $(DEB_ROOT)$(DEB_LIB) \
	  $(DEB_ROOT)$(DEB_DATA)/forms/examples \
	  $(DEB_ROOT)/usr/share/man/man1 $(DEB_ROOT)/usr/share/doc/spmform \
	  $(DEB_ROOT)/usr/share/lintian/overrides
	install -m 755 build/deb/spmform $(DEB_ROOT)/usr/bin/spmform
	install -m 644 build/deb/$(MODULE) $(DEB_ROOT)$(DEB_LIB)/$(MODULE)
	strip --remove-section=.comment --remove-section=.note --strip-unneeded \
	  $(DEB_ROOT)/usr/bin/spmform $(DEB_ROOT)$(DEB_LIB)/$(MODULE)
	install -m 644 $(FORMS) forms/README.md $(DEB_ROOT)$(DEB_DATA)/forms/
	install -m 644 docs/$(GUIDE) $(GUIDE_PICS:%=docs/%) $(DEB_ROOT)$(DEB_DATA)/
	install -m 644 $(FORM_DATA) $(DEB_ROOT)$(DEB_DATA)/forms/examples/
	install -m 644 config.ini $(DEB_ROOT)$(DEB_DATA)/config.ini.example
	gzip -9n <docs/spmform.1 >$(DEB_ROOT)/usr/share/man/man1/spmform.1.gz
	gzip -9n <README.md >$(DEB_ROOT)/usr/share/doc/spmform/README.md.gz
	gzip -9n <packaging/deb/changelog >$(DEB_ROOT)/usr/share/doc/spmform/changelog.gz
	install -m 644 packaging/deb/copyright $(DEB_ROOT)/usr/share/doc/spmform/copyright
	install -m 644 packaging/deb/lintian-overrides $(DEB_ROOT)/usr/share/lintian/overrides/spmform
	chmod 644 $(DEB_ROOT)/usr/share/man/man1/spmform.1.gz $(DEB_ROOT)/usr/share/doc/spmform/*.gz
	printf "Source: spmform\n\nPackage: spmform\nArchitecture: any\n" >build/deb/pkg/debian/control
	depends=$$(cd build/deb/pkg && dpkg-shlibdeps -O -edebian/spmform/usr/bin/spmform \
	    -edebian/spmform$(DEB_LIB)/$(MODULE) | \
	  sed -n 's/^shlibs:Depends=//p'); \
	test -n "$$depends" || { echo "make deb: dpkg-shlibdeps found no Depends" >&2; exit 1; }; \
	size=$$(du -sk --exclude=DEBIAN $(DEB_ROOT) | cut -f1); \
	sed -e 's/@VERSION@/$(VERSION)/' -e 's/@ARCH@/$(DEB_ARCH)/' -e "s/@SIZE@/$$size/" \
	  -e "s/@DEPENDS@/$$depends/" packaging/deb/control.in >$(DEB_ROOT)/DEBIAN/control
	(cd $(DEB_ROOT) && find usr -type f -exec md5sum {} + | sort -k2) >$(DEB_ROOT)/DEBIAN/md5sums
	chmod 644 $(DEB_ROOT)/DEBIAN/control $(DEB_ROOT)/DEBIAN/md5sums
	dpkg-deb --root-owner-group -Zxz --build $(DEB_ROOT) $(DEB) >/dev/null
	@echo "$(DEB)"

deb-check: deb
	@$(MAKE) --no-print-directory deps PKGS="lintian dpkg-dev"
	lintian --fail-on error $(DEB)

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
	rm -rf build spmform $(MODULE) spmform-*.tar.gz spmform_*.deb

-include $(CORE_OBJS:.o=.d) $(MAIN_OBJS:.o=.d) $(SAN_CORE:.o=.d) $(SAN_MAIN:.o=.d) $(TSAN_CORE:.o=.d) \
         $(DEB_OBJS:.o=.d) $(MODULE_OBJS:.o=.d) $(SAN_MODULE:.o=.d) $(DEB_MODULE:.o=.d)
