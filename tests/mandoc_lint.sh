#!/bin/sh
# Every manual page must be mandoc -Tlint clean at warning level.
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
done
[ "$n" -gt 0 ] || { echo "no manual pages found"; exit 1; }
echo "mandoc lint: $n pages checked"
exit $status
