#!/bin/sh
# man-db finds our pages the UnixWare way from an install: "man -s D3
# name", "man D3 name" (with the D sections in MANSECT), "man 9 name" for
# every name, "man name" for names the host's manual does not also use,
# with the system's pages still on the MANPATH (trailing colon); and the
# header it prints names this project.  Skipped without man-db.
: "${srcdir:=.}"
if ! man --version 2>/dev/null | grep -q '^man 2\.'; then
	echo "man-db's man is not installed (Debian: apt-get install man-db)"
	exit 77
fi
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
status=0
fail() { echo "$*"; status=1; }
links=$(sed -n '/^MAN_LINKS = /,/^$/p' "$srcdir/Makefile.am" |
    tr -d '\\' | sed 's/^MAN_LINKS =//')
# shellcheck disable=SC2086
sh "$srcdir/man/dlinks.sh" "$srcdir/man/dsections" $links > "$tmp/dlinks" ||
    exit 1

dest=$tmp/dest
(unset MAKEFLAGS MFLAGS; ${MAKE:-make} -s install-man install-data-hook \
    DESTDIR="$dest" mandir=/man) > "$tmp/install.out" 2>&1 ||
    { cat "$tmp/install.out"; echo "make install failed"; exit 1; }
man=$dest/man
# No user configuration; the system's pages after ours, as ddicompat(7)
# tells users to set it.
HOME=$tmp; LC_ALL=C; MANPATH=$man:
export HOME LC_ALL MANPATH
unset MANOPT MANSECT MANPAGER PAGER
MANSECT_D=1:n:l:8:3:0:2:3type:3posix:3pm:3perl:3am:5:4:9:6:7:D2:D3:D4:D5

# lookup WANT-FILE MAN-ARGS...: man -w prints one path a name; each must
# be our page (man-db prints where a link leads).
lookup() {
	want=$1; shift
	man -w "$@" > "$tmp/got" 2> "$tmp/err"
	if ! cmp -s "$want" "$tmp/got"; then
		fail "man -w $(echo "$*" | cut -c1-60)...: not our pages:"
		diff "$want" "$tmp/got" | head -20
		head -5 "$tmp/err"
	fi
}
for sec in D2 D3 D4 D5; do
	grep "^$sec " "$tmp/dlinks" | cut -d' ' -f2 > "$tmp/names"
	[ -s "$tmp/names" ] || continue
	while read -r n; do
		readlink -f "$man/man9/$n.9"
	done < "$tmp/names" > "$tmp/want"
	lookup "$tmp/want" -s "$sec" $(cat "$tmp/names")
	MANSECT=$MANSECT_D lookup "$tmp/want" "$sec" $(cat "$tmp/names")
	cat "$tmp/names" >> "$tmp/all"
done
while read -r n; do readlink -f "$man/man9/$n.9"; done < "$tmp/all" > "$tmp/want"
lookup "$tmp/want" 9 $(cat "$tmp/all")
lookup "$tmp/want" -s 9 $(cat "$tmp/all")

# A name in one D section only is not found in another.
man -w -s D3 buf > /dev/null 2>&1 && fail "man -s D3 buf found a page"
man -w -s D4 kmem_alloc > /dev/null 2>&1 &&
    fail "man -s D4 kmem_alloc found a page"
man -w -s D3 open > /dev/null 2>&1 && fail "man -s D3 open found a page"

# Without a section: our names the host does not use, and the other
# sections' pages.
for n in kmem_alloc physreq_t mblk_t LOCK_ALLOC msgpullup_physreq; do
	echo "$(readlink -f "$man/man9/$n.9")"
done > "$tmp/want"
lookup "$tmp/want" kmem_alloc physreq_t mblk_t LOCK_ALLOC msgpullup_physreq
printf '%s\n' "$man/man7/ddicompat.7" "$man/man3/ddisim_init.3" \
    "$man/man1/ddisim.1" > "$tmp/want"
lookup "$tmp/want" ddicompat ddisim_init ddisim
# MANPATH's trailing colon keeps the system's pages: names the host uses
# too find the host's first, which is why the manual says to give the
# section.
for n in sleep timeout outb bcopy open close read write ioctl mmap; do
	host=$(MANPATH= man -w "$n" 2>/dev/null) || continue
	case ${host##*/} in "$n".*) ;; *) continue ;; esac
	got=$(man -w "$n" 2>/dev/null)
	[ "$got" = "$host" ] ||
	    fail "man $n: $got, not the host's $host (system pages hidden?)"
done
# The driver entry points the host's system calls share names with: the
# D2 section and section 9 give ours, section 2 the host's.
for n in open close read write ioctl mmap; do
	ours=$(readlink -f "$man/man9/$n.9")
	for a in "-s D2" "9"; do
		# shellcheck disable=SC2086
		got=$(man -w $a "$n" 2>/dev/null)
		[ "$got" = "$ours" ] || fail "man $a $n: $got, not $ours"
	done
	host=$(MANPATH='' man -w 2 "$n" 2>/dev/null) || continue
	got=$(man -w 2 "$n" 2>/dev/null)
	[ "$got" = "$host" ] || fail "man 2 $n: $got, not the host's $host"
done

# The header: groff, as man-db runs it, names this project.
for a in "-s D3 sleep" "9 physreq_t" "-s D4 buf" "7 ddicompat" "1 ddisim"; do
	# shellcheck disable=SC2086
	head=$(MANWIDTH=80 man -P cat $a 2>/dev/null | head -1)
	case $head in
	*"ddicompat "*Manual*) ;;
	*) fail "man $a: header \"$head\"" ;;
	esac
done
echo "man lookup: $(wc -l < "$tmp/all") names in sections 9 and D2..D5"
exit $status
