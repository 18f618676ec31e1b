#!/bin/sh
# The manual as make install lays it out: every section 9 page has its
# UnixWare section (man/dsections), every structure's _t alias has a
# link, and the installed manD2..manD5 links and MAN_LINKS links all lead
# to a page; make uninstall takes every one away again.  Installs into a
# temporary DESTDIR.  tests/man_lookup.sh asks man-db the same questions.
: "${srcdir:=.}"
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
status=0
fail() { echo "$*"; status=1; }
links=$(sed -n '/^MAN_LINKS = /,/^$/p' "$srcdir/Makefile.am" |
    tr -d '\\' | sed 's/^MAN_LINKS =//')

# Every section 9 page has one line in man/dsections, and no line names a
# page that is not there.
sed -n 's/^\([^#][^ 	]*\).*/\1/p' "$srcdir/man/dsections" | sort > "$tmp/classified"
(cd "$srcdir/man" && ls ./*.9) | sed 's|^\./||' | sort > "$tmp/pages"
comm -23 "$tmp/pages" "$tmp/classified" |
    while read -r p; do echo "man/dsections: no line for $p"; done
comm -13 "$tmp/pages" "$tmp/classified" |
    while read -r p; do echo "man/dsections: no page $p"; done
cmp -s "$tmp/pages" "$tmp/classified" || status=1
# shellcheck disable=SC2086
sh "$srcdir/man/dlinks.sh" "$srcdir/man/dsections" $links > "$tmp/dlinks" ||
    status=1
cut -d' ' -f2 "$tmp/dlinks" | sort > "$tmp/names9"
[ "$(wc -l < "$tmp/names9")" -gt 300 ] ||
    fail "only $(wc -l < "$tmp/names9") section 9 names"

# Every structure, union or enumeration type a compat header names NAME_t
# has a page or link of that name, but for the types a driver only points
# to (no page describes their members) and lasterr_t, a floppy ioctl
# structure no page describes; and so do the DDI's handle types.
cat "$srcdir"/compat/sys/*.h "$srcdir"/compat/vm/*.h "$srcdir"/compat/net/*.h |
    perl -0777 -ne 'while (/typedef\s+(?:struct|union|enum)\s*\w*\s*(\{(?:[^{}]++|(?1))*\})?\s*(\w+_t)\s*;/g) { print "$2\n" }' |
    sort -u > "$tmp/types"
printf '%s\n' pl_t toid_t kthread_id_t rm_key_t cm_num_t channel_t \
    chan_handle_t major_t minor_t >> "$tmp/types"
[ "$(wc -l < "$tmp/types")" -gt 20 ] ||
    fail "found only $(wc -l < "$tmp/types") structure types"
while read -r t; do
	case $t in engine_t|page_t|proc_t|lasterr_t) continue ;; esac
	grep -qx -- "$t" "$tmp/names9" || fail "$t: no page or link $t.9"
done < "$tmp/types"

# Install the manual alone into a DESTDIR, as make install does.
dest=$tmp/dest
(unset MAKEFLAGS MFLAGS; ${MAKE:-make} -s install-man install-data-hook \
    DESTDIR="$dest" mandir=/man) > "$tmp/install.out" 2>&1 ||
    { cat "$tmp/install.out"; echo "make install failed"; exit 1; }
while read -r sec name; do
	f=$dest/man/man$sec/$name.$sec
	if [ ! -L "$f" ]; then
		fail "$f: not installed"
	elif [ ! -f "$f" ]; then
		fail "$f: leads to no page"
	fi
done < "$tmp/dlinks"
for l in $links; do
	dst=${l##*:}
	f=$dest/man/man${dst##*.}/$dst
	[ -f "$f" ] || fail "$f: leads to no page"
done
# Nothing in manD* that man/dsections did not ask for.
(cd "$dest/man" && find . -path './manD*' ! -type d) | sort > "$tmp/dfiles"
sed 's|^\(D[0-9]\) \(.*\)|./man\1/\2.\1|' "$tmp/dlinks" | sort > "$tmp/dwant"
cmp -s "$tmp/dfiles" "$tmp/dwant" ||
    fail "manD* holds other files than man/dsections asks for"
(unset MAKEFLAGS MFLAGS; ${MAKE:-make} -s uninstall-man uninstall-hook \
    DESTDIR="$dest" mandir=/man) > "$tmp/uninstall.out" 2>&1 ||
    { cat "$tmp/uninstall.out"; echo "make uninstall failed"; exit 1; }
left=$(find "$dest" ! -type d)
[ -z "$left" ] || fail "make uninstall left: $left"
echo "man install: $(wc -l < "$tmp/dlinks") names in D2..D5," \
    "$(wc -l < "$tmp/types") structure types"
exit $status
