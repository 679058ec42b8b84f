#!/bin/sh
# install.sh - installs spmform from this unpacked tarball; needs no network.
#
#   sh install.sh [PREFIX]        (default /usr/local; run as root for it)
#
# The program goes to PREFIX/bin, its writers' module (what writes .xlsx,
# .ods and PDF files) to PREFIX/lib/spmform, where the program looks for
# it, the bundled libraries to PREFIX/lib (found by the module through its
# rpath, $ORIGIN/..), the forms (with the examples file they name), the
# font print uses (with its fonts.conf), the clerks' guide and an example
# config to PREFIX/share/spmform, the man page to PREFIX/share/man/man1.
# Or run
# bin/spmform straight from this folder: it finds its own forms and module.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
prefix=${1:-/usr/local}
install -d "$prefix/bin" "$prefix/lib/spmform" "$prefix/share/spmform/forms/examples" \
	"$prefix/share/spmform/fonts" \
	"$prefix/share/man/man1"
install -m 755 "$here/bin/spmform" "$prefix/bin/spmform"
install -m 644 "$here/lib/spmform/spmform-writers.so" "$prefix/lib/spmform/"
for lib in "$here"/lib/*.so*; do
	install -m 644 "$lib" "$prefix/lib/"
done
install -m 644 "$here"/share/spmform/forms/*.ini "$here"/share/spmform/forms/*.md \
	"$prefix/share/spmform/forms/"
install -m 644 "$here"/share/spmform/forms/examples/* "$prefix/share/spmform/forms/examples/"
install -m 644 "$here"/share/spmform/fonts/* "$prefix/share/spmform/fonts/"
install -m 644 "$here/share/spmform/config.ini.example" "$here/share/spmform/使用說明.md" \
	"$prefix/share/spmform/"
install -m 644 "$here/share/man/man1/spmform.1" "$prefix/share/man/man1/"
echo "spmform installed in $prefix (try: $prefix/bin/spmform --help, man spmform)"
