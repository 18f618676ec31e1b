#!/bin/sh
# Each public header compiles alone, as C and as C++, for every interface
# version a driver can select.
: "${srcdir:=.}" "${CC:=cc}" "${CXX:=c++}"
inc="-I$srcdir/compat -I$srcdir/include"
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
status=0
n=0
for ver in "-D_DDI=1" "-D_DDI=4" "-D_DDI=5" "-D_DDI=6" "-D_DDI=7" \
    "-D_DDI=7 -D_DDI_MINOR=1" "-D_DDI=7 -D_DDI_MINOR=2" "-D_DDI=8" \
    "-D_DDI=8 -D_DDI_MP" "-D_ODDI=1" "-D_ODDI=6" ""; do
	for h in "$srcdir"/compat/sys/*.h "$srcdir"/compat/vm/*.h \
	    "$srcdir"/include/ddicompat/*.h; do
		case $h in
		*/compat/sys/*) name="sys/${h##*/}" ;;
		*/compat/vm/*) name="vm/${h##*/}" ;;
		*) name="ddicompat/${h##*/}" ;;
		esac
		printf '#include <%s>\n' "$name" > "$tmp/t.c"
		cp "$tmp/t.c" "$tmp/t.cc"
		n=$((n + 1))
		# shellcheck disable=SC2086
		if ! $CC $inc $ver -Wall -Wextra -Werror -fsyntax-only \
		    "$tmp/t.c"; then
			echo "FAIL: $name as C with '$ver'"
			status=1
		fi
		# shellcheck disable=SC2086
		if ! $CXX $inc $ver -Wall -Wextra -Werror -fsyntax-only \
		    "$tmp/t.cc"; then
			echo "FAIL: $name as C++ with '$ver'"
			status=1
		fi
	done
done
echo "headers: $n header/version pairs compiled as C and C++"
exit $status
