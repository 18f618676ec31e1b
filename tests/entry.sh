#!/bin/sh
# Every exported function as the first call of a fresh process: the
# program has a case or a stated exclusion for each, and the dynamic
# symbol table of the built library, not the program, says which
# functions there are.
: "${srcdir:=.}"
lib=.libs/libddicompat.so
if [ ! -f "$lib" ]; then
	echo "no shared library at $lib (built with --disable-shared?)"
	exit 77
fi
tmp=$(mktemp) || exit 1
trap 'rm -f "$tmp"' EXIT
# "TYPE NAME", one a line; the version node (DDICOMPAT_*) is no symbol.
nm -D --defined-only "$lib" |
    awk '$2 ~ /^[TtWiDdBbRrV]$/ { sub(/@.*/, "", $3); print $2, $3 }' |
    grep -v ' DDICOMPAT_' | sort -u -k2 > "$tmp"
./tests/test_entry "$tmp"
