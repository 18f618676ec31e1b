#!/bin/sh
# Every manual page must be mandoc -Tlint clean at warning level, and its
# header must name this project: lines 2 and 3 are
#	.ds doc-volume-operating-system ddicompat
#	.Dt TITLE SECTION ddicompat
# mandoc shows .Dt's third argument in the header ("Kernel Developer's
# Manual (ddicompat)"); groff, which man-db formats with, ignores it for
# numbered sections and prefixes the volume with that string instead of
# "BSD".
: "${srcdir:=.}" "${MANDOC:=mandoc}"
status=0
n=0
for page in "$srcdir"/man/*.[1379]; do
	n=$((n + 1))
	out=$("$MANDOC" -Tlint -Wwarning "$page" 2>&1)
	if [ -n "$out" ]; then
		printf '%s\n' "$out"
		status=1
	fi
	if [ "$(sed -n 2p "$page")" != ".ds doc-volume-operating-system ddicompat" ] ||
	    ! sed -n 3p "$page" | grep -q '^\.Dt [^ ][^ ]* [^ ][^ ]* ddicompat$'; then
		echo "$page: lines 2-3 must be \".ds doc-volume-operating-system ddicompat\" and \".Dt TITLE SECTION ddicompat\""
		status=1
	fi
done
[ "$n" -gt 0 ] || { echo "no manual pages found"; exit 1; }
echo "mandoc lint: $n pages checked"
exit $status
