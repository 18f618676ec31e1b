#!/bin/sh
# Every file-scope lock of the library is defined through the fork
# registry's macros (lib/util/forklock.h), so that fork handling takes it.
: "${srcdir:=.}"
bad=$(grep -nE '^(static[[:space:]]+)?pthread_(mutex|rwlock)_t[[:space:]]+[A-Za-z_0-9]+[[:space:]]*(=|;|\[)' \
    "$srcdir"/lib/*.c "$srcdir"/lib/*/*.c)
n=$(grep -cE 'FORK_(MUTEX|RWLOCK|HOOKED_MUTEX|MUTEX_ARRAY|LOCK_HOOKS)\(' \
    "$srcdir"/lib/*.c "$srcdir"/lib/*/*.c | awk -F: '{ s += $2 } END { print s }')
if [ -n "$bad" ]; then
	echo "locks outside the fork registry:"
	echo "$bad"
	exit 1
fi
[ "$n" -ge 20 ] || { echo "found only $n registered locks"; exit 1; }
echo "forklocks: $n registered lock definitions, none outside the registry"
