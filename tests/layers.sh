#!/bin/sh
# The layers of lib/ (DESIGN.md section 2): a file includes the internal
# headers of its own module and of modules below it, never above; only
# kmem itself includes its private fast paths; and nothing below the
# control API (lib/ddisim.c) names it.
: "${srcdir:=.}"
order="util verify machine palloc vm kmem proc kern streams bio bus iomem rm devsim isadma host"
rank() {
	r=0
	for m in $order; do
		[ "$m" = "$1" ] && { echo $r; return; }
		r=$((r + 1))
	done
	echo -1
}
status=0
n=0
for f in "$srcdir"/lib/*/*.[ch]; do
	mod=$(basename "$(dirname "$f")")
	me=$(rank "$mod")
	if [ "$me" -lt 0 ]; then
		echo "$f: module $mod is not in the layer order"
		status=1
		continue
	fi
	for inc in $(sed -n 's/^#include "\([a-z_]*\)\/[a-z_]*\.h".*/\1/p' "$f"); do
		n=$((n + 1))
		# the public headers, legacy and ddisim, are for everyone
		case $inc in sys|net|ddicompat) continue ;; esac
		them=$(rank "$inc")
		if [ "$them" -lt 0 ] || [ "$them" -gt "$me" ]; then
			echo "$f: $mod includes $inc/, which is above it"
			status=1
		fi
	done
	if [ "$mod" != kmem ] && grep -q '"kmem/kmem_fast.h"' "$f"; then
		echo "$f: includes kmem's private fast paths; use kmem/kmem_obj.h"
		status=1
	fi
	if [ "$mod" != kmem ] && grep -qE '\b(kmem_alloc_fast|kmem_free_fast)\(' "$f"; then
		echo "$f: calls kmem's fast paths; use kmem_obj_alloc/free"
		status=1
	fi
done
# Below the control API nothing names it: no ddisim_init/_shutdown call,
# no ddisim.c function, no include of a header above the modules.
if grep -nE '\b(ddisim_init|ddisim_shutdown|ddisim_build|ddisim_boot)\(' \
    "$srcdir"/lib/*/*.c; then
	echo "a module below the control API calls it"
	status=1
fi
[ "$n" -gt 100 ] || { echo "read only $n includes"; exit 1; }
echo "layers: $n includes in lib/*/ checked against the layer order"
exit $status
