#!/bin/sh
# The widths ddicompat(7) promises: ulong holds a pointer, ulong_t has
# i386's 32 bits, and -D_DDI_ULONG_CHECK names each line that uses ulong,
# changing no type.
: "${srcdir:=.}" "${CC:=cc}"
LC_ALL=C
export LC_ALL
inc="-I$srcdir/compat -I$srcdir/include"
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
status=0
cat > "$tmp/w.c" <<'C'
#include <sys/types.h>
#include <stdlib.h>
struct ccb { ulong_t addr; ulong count; };
typedef char ulong_holds_a_pointer[sizeof(ulong) == sizeof(void *) ? 1 : -1];
typedef char ulong_t_is_32_bits[sizeof(ulong_t) == 4 ? 1 : -1];
typedef char ccb_is_not_i386_sized[sizeof(struct ccb) != 8 ? 1 : -1];
int ulong_used_twice(void);
int ulong_used_twice(void) { ulong x = 1; return (int)x; }
C
for std in c89 c99 c11; do
	# shellcheck disable=SC2086
	if ! $CC $inc -std=$std -pedantic -Wall -Wextra -Werror -c "$tmp/w.c" \
	    -o "$tmp/plain.o" > "$tmp/plain.log" 2>&1; then
		echo "FAIL: $std: the unit does not compile without the check:"
		cat "$tmp/plain.log"
		status=1
	fi
	# shellcheck disable=SC2086
	$CC $inc -std=$std -pedantic -Wall -Wextra -D_DDI_ULONG_CHECK \
	    -c "$tmp/w.c" -o "$tmp/check.o" > "$tmp/check.log" 2>&1
	lines=$(grep 'w.c:[0-9]*:[0-9]*: warning: .*ulong is 64 bits' \
	    "$tmp/check.log" | sed 's/.*w\.c:\([0-9]*\):.*/\1/' | sort -n -u |
	    tr '\n' ' ')
	if [ "$lines" != "3 4 8 " ]; then
		echo "FAIL: $std: -D_DDI_ULONG_CHECK warned on lines '$lines'," \
		    "not '3 4 9 ':"
		cat "$tmp/check.log"
		status=1
	fi
	# The same code either way (objdump's first lines name the file).
	if command -v objdump > /dev/null 2>&1; then
		objdump -d "$tmp/plain.o" | tail -n +4 > "$tmp/plain.dis"
		objdump -d "$tmp/check.o" | tail -n +4 > "$tmp/check.dis"
		if ! cmp -s "$tmp/plain.dis" "$tmp/check.dis"; then
			echo "FAIL: $std: -D_DDI_ULONG_CHECK changed the code"
			status=1
		fi
	fi
done
echo "widths: ulong, ulong_t and -D_DDI_ULONG_CHECK checked in 3 modes"
exit $status
