#!/bin/sh
# The numbers errnos(9) and signals(9) give as ddicompat's are the ones a
# driver gets: each row's last column is compared with the value the
# host's <errno.h> or <signal.h> gives the name, compiled with $CC.  The
# pages give those of Linux on x86 and Arm; elsewhere the test is skipped.
: "${srcdir:=.}" "${CC:=cc}"
case $(uname -s)/$(uname -m) in
Linux/x86_64|Linux/i?86|Linux/aarch64|Linux/arm*) ;;
*) echo "the pages give the numbers of Linux on x86 and Arm"; exit 77 ;;
esac
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
# ".It Er EAGAIN Ta 11 Ta 11": name and the last column.
sed -n 's/^\.It \(Er\|Dv\) \([A-Z][A-Z0-9]*\) Ta [0-9]* Ta \([0-9]*\)$/\2 \3/p' \
    "$srcdir/man/errnos.9" "$srcdir/man/signals.9" > "$tmp/rows"
[ "$(wc -l < "$tmp/rows")" -gt 40 ] ||
    { echo "found only $(wc -l < "$tmp/rows") numbered rows"; exit 1; }
{
	echo '#include <errno.h>'
	echo '#include <signal.h>'
	echo '#include <stdio.h>'
	echo 'int main(void) { int bad = 0;'
	while read -r name value; do
		printf 'if (%s != %s) { printf("%s is %%d, the page says %s\\n", %s); bad = 1; }\n' \
		    "$name" "$value" "$name" "$value" "$name"
	done < "$tmp/rows"
	echo 'return bad; }'
} > "$tmp/v.c"
$CC -o "$tmp/v" "$tmp/v.c" || { echo "cannot compile the check"; exit 1; }
"$tmp/v" || exit 1
echo "man values: $(wc -l < "$tmp/rows") numbers are the host's"
