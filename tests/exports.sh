#!/bin/sh
# Every symbol the library exports is documented: a DDI or ddisim
# name in the NAME section of a manual page, a versioned _Compat_ entry
# point by name somewhere in the pages.  And every page the build installs
# a link to exists.
: "${srcdir:=.}"
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
status=0
# The dynamic symbol table of the built library is the truth: the
# version script exports ddisim_* by pattern.
lib=.libs/libddicompat.so
if [ ! -f "$lib" ]; then
	echo "no shared library at $lib (built with --disable-shared?)"
	exit 77
fi
nm -D --defined-only "$lib" | awk '$2 ~ /^[TDBRVW]$/ { print $3 }' |
    sed 's/@.*//' | grep -v '^DDICOMPAT_' | sort -u > "$tmp/exported"
for page in "$srcdir"/man/*.[1379]; do
	awk '/^\.Sh NAME/ { n = 1; next } /^\.Sh/ { n = 0 }
	    n && /^\.Nm/ { sub(/,$/, "", $2); print $2 }' "$page"
done | sort -u > "$tmp/named"
cat "$srcdir"/man/*.[1379] > "$tmp/all"
n=0
while read -r sym; do
	n=$((n + 1))
	case $sym in
	_Compat_*|malloc_conf)
		# versioned entry points, and the jemalloc options the
		# library sets: named in ddicompat(7)
		grep -q -- "$sym" "$tmp/all" && continue ;;
	*)
		grep -qx -- "$sym" "$tmp/named" && continue ;;
	esac
	echo "exported but undocumented: $sym"
	status=1
done < "$tmp/exported"
[ "$n" -gt 50 ] || { echo "read only $n exported symbols"; exit 1; }
# MAN_LINKS targets: each link's source page must exist.
for l in $(sed -n '/^MAN_LINKS = /,/^$/p' "$srcdir/Makefile.am" |
    tr -d '\\' | sed 's/^MAN_LINKS =//'); do
	src=${l%%:*}
	[ -f "$srcdir/man/$src" ] || { echo "link $l: no page $src"; status=1; }
done
echo "exports: $n exported symbols, each documented"
exit $status
