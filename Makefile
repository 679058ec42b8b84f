# spmform - hand-written Makefile.
#
#   make            build ./spmform
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
            -DSPMFORM_DATADIR='"$(PREFIX)/share/spmform"'
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
LDLIBS   := -lcsv -liniparser $(XLSX_LIBS) -lminizip -lexpat -lxml2 $(CURSES_LIBS) $(PRINT_LIBS)

SAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all \
             -fno-omit-frame-pointer

# The curses-free core: everything spmform check and the tests use.
CORE_SRCS := src/text.c src/diag.c src/ini.c src/form.c src/rules.c src/table.c \
             src/csvio.c src/config.c src/check.c src/lineedit.c src/session.c \
             src/journal.c src/lock.c src/rows.c src/plain.c src/xlsxout.c src/xlsxin.c \
             src/atomic.c src/progress.c src/par.c src/cp950.c src/mem.c src/io.c src/print.c \
             src/print_job.c src/zipxml.c src/layout.c src/odsout.c src/odsin.c src/capture.c
# The entry screen: the only files that include curses.
UI_SRCS   := src/ui.c src/ui_keys.c src/ui_form.c src/ui_pick.c src/ui_list.c src/ui_prompt.c
MAIN_SRCS := src/main.c $(UI_SRCS)

CORE_OBJS := $(CORE_SRCS:src/%.c=build/%.o)
MAIN_OBJS := $(MAIN_SRCS:src/%.c=build/%.o)
SAN_CORE  := $(CORE_SRCS:src/%.c=build/san/%.o)
SAN_MAIN  := $(MAIN_SRCS:src/%.c=build/san/%.o)

TEST_SRCS := $(addprefix tests/unit/test_,text.c form.c rules.c csvio.c lineedit.c session.c \
               journal.c admin.c config.c plain.c xlsxout.c xlsxin.c par.c cp950.c print.c \
               odsout.c odsin.c)
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

all: spmform

spmform: $(CORE_OBJS) $(MAIN_OBJS)
	$(CC) $(ALL_CFLAGS) $(LTO) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# Objects depend on the flags they were built with: make WERROR=1 after
# make builds everything again (with -Werror), instead of trusting objects
# that were built without it.
build/flags: FORCE | build
	@f='$(CPPFLAGS) $(ALL_CFLAGS) $(LTO) $(SAN_FLAGS)'; \
	  [ "$$(cat $@ 2>/dev/null)" = "$$f" ] || echo "$$f" >$@
FORCE:

build/%.o: src/%.c build/flags | build
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(LTO) -c -o $@ $<

build/san/%.o: src/%.c build/flags | build/san
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(SAN_FLAGS) -c -o $@ $<

build/san/spmform: $(SAN_CORE) $(SAN_MAIN)
	$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) -o $@ $^ $(LDLIBS)

build/san/tests/%: tests/unit/%.c tests/unit/testutil.h $(SAN_CORE) | build/san/tests
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(SAN_FLAGS) -o $@ $< $(SAN_CORE) $(LDLIBS) -lcmocka

# ThreadSanitizer on the unit tests of the code that runs in parts side by
# side (src/par.c; reading, checking and searching in parts).  TSan needs
# the address layout it was built for: the tests run under setarch -R
# (no address randomisation); where the system refuses that (a container's
# seccomp may), make test says they were skipped, and why.
TSAN_FLAGS := -O1 -g -fsanitize=thread
TSAN_CORE  := $(CORE_SRCS:src/%.c=build/tsan/%.o)
TSAN_TESTS := $(addprefix build/tsan/tests/test_,par)

build/tsan/%.o: src/%.c build/flags | build/tsan
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(TSAN_FLAGS) -c -o $@ $<

build/tsan/tests/%: tests/unit/%.c tests/unit/testutil.h $(TSAN_CORE) | build/tsan/tests
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(TSAN_FLAGS) -o $@ $< $(TSAN_CORE) $(LDLIBS) -lcmocka

build build/san build/san/tests build/fuzz build/tsan build/tsan/tests:
	mkdir -p $@

# --- fuzzing ---------------------------------------------------------------
# make fuzz: libFuzzer (clang) on each target for FUZZ_SECONDS, starting from
# the seed corpus in tests/fuzz/corpus/NAME; new inputs go to build/fuzz/,
# crashes to build/fuzz/artifacts/ (copy each into tests/fuzz/regress/NAME
# once fixed).  make test replays corpus and regressions with gcc instead.
FUZZ_TARGETS ?= csv form journal xlsx ods
FUZZ_SECONDS ?= 600
FUZZ_CC      ?= clang
FUZZ_FLAGS   := -g -O1 -pthread -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZ_REPLAY  := $(FUZZ_TARGETS:%=build/san/fuzz_%)

build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz_util.h $(CORE_SRCS) | build/fuzz
	$(FUZZ_CC) $(CPPFLAGS) $(SPM_CFLAGS) $(FUZZ_FLAGS) -o $@ $(filter %.c,$^) $(LDLIBS)

build/san/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz_util.h tests/fuzz/driver.c $(SAN_CORE) | build/san
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(SAN_FLAGS) -o $@ $< tests/fuzz/driver.c $(SAN_CORE) $(LDLIBS)

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
build/tests/%: tests/unit/%.c tests/unit/testutil.h $(CORE_OBJS) | build/tests
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(LTO) -o $@ $< $(CORE_OBJS) $(LDLIBS) -lcmocka

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
# the data files the forms name ([form] examples)
FORM_DATA := $(wildcard forms/examples/*.csv)
INSTALLED := $(BINDIR)/spmform $(FORMS:forms/%=$(DATADIR)/forms/%) \
             $(FORM_DATA:forms/%=$(DATADIR)/forms/%) \
             $(DATADIR)/config.ini.example $(DATADIR)/README.md $(DATADIR)/forms/README.md \
             $(MANDIR)/spmform.1

install: spmform
	install -d $(BINDIR) $(DATADIR)/forms/examples $(MANDIR)
	install -m 755 spmform $(BINDIR)/spmform
	install -m 644 $(FORMS) forms/README.md $(DATADIR)/forms/
	install -m 644 $(FORM_DATA) $(DATADIR)/forms/examples/
	install -m 644 config.ini $(DATADIR)/config.ini.example
	install -m 644 README.md $(DATADIR)/README.md
	install -m 644 docs/spmform.1 $(MANDIR)/spmform.1

uninstall:
	rm -f $(INSTALLED)
	-rmdir $(DATADIR)/forms/examples $(DATADIR)/forms $(DATADIR) 2>/dev/null

# --- dist ------------------------------------------------------------------
# make dist: spmform-VERSION-linux-x86_64.tar.gz for a machine with no
# network and no -dev packages.  What Debian ships as .a is linked in; what
# it ships only as a shared library (libxlsxwriter, and the libminizip and
# libcrypto it needs: a minimal Debian has no libcrypto; Pango, cairo,
# fontconfig and theirs; libxml2, the .ods writer's, whose .a would need
# ICU linked in as well, and ICU's data is 31 MB either way) goes into the
# tarball's lib/, found through an $$ORIGIN rpath (DT_RPATH, so that those
# libraries find their own dependencies there too).  Which ones: every library the program loads
# (ldd) but those of glibc and zlib, which every Debian has.  print's font
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

build/dist/spmform: $(CORE_OBJS) $(MAIN_OBJS)
	mkdir -p build/dist
	$(CC) $(ALL_CFLAGS) $(LTO) -o $@ $^ $(STATIC) -lxlsxwriter -lxml2 -lz $(PRINT_LIBS) $(EXTRA_DIST_LIBS) \
	  -Wl,--disable-new-dtags -Wl,-rpath,'$$ORIGIN/../lib'

dist: build/dist/spmform
	rm -rf build/$(DIST) $(DIST).tar.gz
	install -d build/$(DIST)/bin build/$(DIST)/lib build/$(DIST)/share/spmform/forms/examples \
	  build/$(DIST)/share/spmform/fonts build/$(DIST)/share/man/man1
	install -m 755 build/dist/spmform build/$(DIST)/bin/spmform
	ldd build/dist/spmform | awk '$$2 == "=>" && $$3 ~ /^\// { print $$1, $$3 }' | \
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
	install -m 755 docs/install.sh build/$(DIST)/install.sh
	tar -C build -czf $(DIST).tar.gz $(DIST)
	@echo "$(DIST).tar.gz"

# --- deb -------------------------------------------------------------------
# make deb: spmform_VERSION_ARCH.deb for a Debian host (dpkg -i): the
# program in /usr/bin (built apart in build/deb/ with dpkg-buildflags'
# hardening and SPMFORM_DATADIR=/usr/share/spmform, so that it finds its
# forms there), the forms with their examples file, an example config, the
# man page, README and changelog in /usr/share/doc/spmform with the
# copyright file (packaging/deb/).  Depends is what dpkg-shlibdeps finds
# the binary needs.  Made with dpkg-deb --root-owner-group: no fakeroot.
# make deb-check runs lintian on it (make test-slow does, in tests/slow).
DEB_ARCH  := $(shell dpkg --print-architecture 2>/dev/null || echo amd64)
DEB       := spmform_$(VERSION)_$(DEB_ARCH).deb
# the package's tree, where dpkg-shlibdeps wants a package's files to be
DEB_ROOT  := build/deb/pkg/debian/spmform
DEB_DATA  := /usr/share/spmform
DEB_PP    := $(filter-out -DSPMFORM_DATADIR=%,$(CPPFLAGS)) -DSPMFORM_DATADIR='"$(DEB_DATA)"' \
             $(shell DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags --get CPPFLAGS 2>/dev/null)
DEB_CC    := $(SPM_CFLAGS) $(shell DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags --get CFLAGS 2>/dev/null)
DEB_LD    := $(shell DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags --get LDFLAGS 2>/dev/null)
DEB_OBJS  := $(CORE_SRCS:src/%.c=build/deb/%.o) $(MAIN_SRCS:src/%.c=build/deb/%.o)

build/deb/flags: FORCE | build/deb
	@f='$(DEB_PP) $(DEB_CC) $(DEB_LD) $(LTO)'; [ "$$(cat $@ 2>/dev/null)" = "$$f" ] || echo "$$f" >$@
build/deb:
	mkdir -p $@
build/deb/%.o: src/%.c build/deb/flags | build/deb
	$(CC) $(DEB_PP) $(DEB_CC) $(LTO) -c -o $@ $<
build/deb/spmform: $(DEB_OBJS)
	$(CC) $(DEB_CC) $(LTO) $(DEB_LD) -o $@ $^ $(LDLIBS)

deb: build/deb/spmform
	@$(MAKE) --no-print-directory deps PKGS="dpkg-dev"
	rm -rf $(DEB_ROOT) $(DEB)
	install -d $(DEB_ROOT)/DEBIAN $(DEB_ROOT)/usr/bin $(DEB_ROOT)$(DEB_DATA)/forms/examples \
	  $(DEB_ROOT)/usr/share/man/man1 $(DEB_ROOT)/usr/share/doc/spmform
	install -m 755 build/deb/spmform $(DEB_ROOT)/usr/bin/spmform
	strip --remove-section=.comment --remove-section=.note --strip-unneeded \
	  $(DEB_ROOT)/usr/bin/spmform
	install -m 644 $(FORMS) forms/README.md $(DEB_ROOT)$(DEB_DATA)/forms/
	install -m 644 $(FORM_DATA) $(DEB_ROOT)$(DEB_DATA)/forms/examples/
	install -m 644 config.ini $(DEB_ROOT)$(DEB_DATA)/config.ini.example
	gzip -9n <docs/spmform.1 >$(DEB_ROOT)/usr/share/man/man1/spmform.1.gz
	gzip -9n <README.md >$(DEB_ROOT)/usr/share/doc/spmform/README.md.gz
	gzip -9n <packaging/deb/changelog >$(DEB_ROOT)/usr/share/doc/spmform/changelog.gz
	install -m 644 packaging/deb/copyright $(DEB_ROOT)/usr/share/doc/spmform/copyright
	chmod 644 $(DEB_ROOT)/usr/share/man/man1/spmform.1.gz $(DEB_ROOT)/usr/share/doc/spmform/*.gz
	printf "Source: spmform\n\nPackage: spmform\nArchitecture: any\n" >build/deb/pkg/debian/control
	depends=$$(cd build/deb/pkg && dpkg-shlibdeps -O -edebian/spmform/usr/bin/spmform | \
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
	rm -rf build spmform spmform-*.tar.gz spmform_*.deb

-include $(CORE_OBJS:.o=.d) $(MAIN_OBJS:.o=.d) $(SAN_CORE:.o=.d) $(SAN_MAIN:.o=.d) $(TSAN_CORE:.o=.d) \
         $(DEB_OBJS:.o=.d)
