#!/bin/sh
# Each public header compiles alone, and all of them compile together, in
# every language mode a driver may be built in and for every interface
# version it can select, with -Wall -Wextra -Werror:
#
#	C	-std=c89, c99, c11 and c17, each with -pedantic, and the
#		compiler's default (GNU) dialect
#	C++	-std=c++11 and c++17, each with -pedantic
#
# with $CC and $CXX, and also with the other of GCC and Clang when it is
# installed.
#
# No warning is excepted.  The GNU extensions the headers cannot do
# without are kept from -pedantic this way:
#   - <sys/types.h> and <sys/param.h> reach the host's headers of the same
#     names with #include_next, which they place last, after
#     "#pragma GCC system_header": a compiler reports no extension in a
#     system header.  The SVR5 part of each comes before the pragma, so
#     that its own warnings still show.
#   - The unprototyped callback types (b_iodone, timeout's function...)
#     sit between "#pragma GCC diagnostic" lines that keep them from
#     -Wstrict-prototypes, in drivers built with it.
#   - cmn_err's format attribute and the __asm__ labels that bind entry
#     points to versioned symbols use the reserved spellings, which
#     -pedantic accepts in every mode.
#
# The work is one translation unit per header and version, the version
# set by #define as -D would set it.  A header that, with the headers it
# includes, names no version macro reads the same in every version, and
# is compiled alone at the default version only; the unit of all the
# headers still has it at every version.  One compiler run per compiler
# and mode compiles every unit, and the runs go two at a time.
: "${srcdir:=.}" "${CC:=cc}" "${CXX:=c++}"
inc="-I$srcdir/compat -I$srcdir/include"
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

# The interface versions: what a driver's -D flags would say.
versions="ddi1 ddi4 ddi5 ddi5mp ddi5strict ddi6 ddi6strict ddi7 ddi71 ddi72
    ddi8 ddi8mp oddi1 oddi6"
version_defines()
{
	case $1 in
	ddi7?)	printf '#define _DDI 7\n#define _DDI_MINOR %s\n' "${1#ddi7}" ;;
	ddi*mp)	v=${1#ddi}; printf '#define _DDI %s\n#define _DDI_MP 1\n' "${v%mp}" ;;
	ddi*strict) v=${1#ddi}
		printf '#define _DDI %s\n#define _DDI_STRICT 1\n' "${v%strict}" ;;
	ddi*)	printf '#define _DDI %s\n' "${1#ddi}" ;;
	oddi*)	printf '#define _ODDI %s\n' "${1#oddi}" ;;
	esac
}

# Whether a header, or a header of ours it includes, names a version
# macro.  <ddicompat/version.h>, which nearly every header includes,
# counts only for itself; the macros that do not change with the version
# do not count.  When the dependencies cannot be listed, it does.
version_dependent()
{
	# shellcheck disable=SC2086
	files=$(printf '#include <%s>\n' "$1" |
	    $CC $inc -MM -x c - 2>/dev/null) || return 0
	for f in $(printf '%s\n' "$files" | sed 's/^[^:]*://; s/\\$//'); do
		case $f in
		*/ddicompat/version.h)
			[ "$1" = ddicompat/version.h ] || continue ;;
		esac
		grep -Eo '[A-Za-z_][A-Za-z0-9_]*' "$f"
	done | grep -E '^__?O?DDI' |
	    grep -Evq '^__DDI_(BEGIN_DECLS|END_DECLS|ENTRY)$'
}

headers=
for h in "$srcdir"/compat/sys/*.h "$srcdir"/compat/vm/*.h \
    "$srcdir"/compat/net/*.h "$srcdir"/include/ddicompat/*.h; do
	case $h in
	*/compat/sys/ddi.h) continue ;;	# last, below
	*/compat/sys/*) headers="$headers sys/${h##*/}" ;;
	*/compat/vm/*) headers="$headers vm/${h##*/}" ;;
	*/compat/net/*) headers="$headers net/${h##*/}" ;;
	*) headers="$headers ddicompat/${h##*/}" ;;
	esac
done
# The DDI asks drivers to include <sys/ddi.h> last.
headers="$headers sys/ddi.h"

# The units.  The declaration at the end keeps a unit whose header
# declares nothing (<ddicompat/version.h>) from being empty, which ISO C
# forbids.
units=
n=0
unit()	# version, header or "all"
{
	f="$tmp/$1/$(printf '%s' "$2" | tr / -).c"
	{
		version_defines "$1"
		if [ "$2" = all ]; then
			# shellcheck disable=SC2086
			printf '#include <%s>\n' $headers
		else
			printf '#include <%s>\n' "$2"
		fi
		printf 'extern int headers_unit;\n'
	} > "$f"
	units="$units $f"
	n=$((n + 1))
}
for v in $versions default; do
	mkdir "$tmp/$v" || exit 1
	unit "$v" all
done
for h in $headers; do
	if version_dependent "$h"; then
		for v in $versions; do
			unit "$v" "$h"
		done
	fi
	unit default "$h"
done

# The compilers: $CC and $CXX, and the other family's pair if installed.
compilers="$CC|$CXX"
if $CC -dM -E -x c /dev/null 2>/dev/null | grep -q '__clang__'; then
	other="gcc|g++"
else
	other="clang|clang++"
fi
if command -v "${other%|*}" >/dev/null 2>&1 &&
    command -v "${other#*|}" >/dev/null 2>&1; then
	compilers="$compilers $other"
fi

# One job per compiler and mode: a script that compiles every unit and
# leaves the diagnostics of a failure in a file of its own, so that jobs
# running side by side do not mix their output.
mkdir "$tmp/jobs" || exit 1
j=0
for pair in $compilers; do
	for mode in "c:-std=c89 -pedantic" "c:-std=c99 -pedantic" \
	    "c:-std=c11 -pedantic" "c:-std=c17 -pedantic" "c:" \
	    "c++:-std=c++11 -pedantic" "c++:-std=c++17 -pedantic"; do
		lang=${mode%%:*}
		flags=${mode#*:}
		if [ "$lang" = c ]; then comp=${pair%|*}; else comp=${pair#*|}; fi
		j=$((j + 1))
		cat > "$tmp/jobs/$j" <<EOF
if ! $comp $inc $flags -Wall -Wextra -Werror -fsyntax-only \\
    -x $lang $units > "$tmp/jobs/$j.log" 2>&1; then
	echo "FAIL: $comp ${flags:-(default mode)}" >> "$tmp/jobs/$j.log"
	exit 1
fi
rm -f "$tmp/jobs/$j.log"
EOF
	done
done

printf '%s\n' "$tmp"/jobs/* | xargs -n 1 -P 2 sh
status=$?

# A DDI 8 interrupt handler takes the driver's own instance type, as
# real drivers' do, and cm_intr_attach takes it without a diagnostic.
cat > "$tmp/intr8.c" <<'EOF'
#include <sys/types.h>
#include <sys/conf.h>
#include <sys/ddi.h>
struct xx_dev { int irqs; };
static int xx_intr(struct xx_dev *dp) { dp->irqs++; return ISTAT_ASSERTED; }
int xx_attach(struct xx_dev *, drvinfo_t *, void **);
int xx_attach(struct xx_dev *dp, drvinfo_t *ip, void **cookiep)
{
	return cm_intr_attach(0, xx_intr, dp, ip, cookiep);
}
EOF
for std in c89 c99 c17; do
	# shellcheck disable=SC2086
	if ! $CC $inc -std=$std -pedantic -Wall -Wextra -Wstrict-prototypes \
	    -Werror -fsyntax-only "$tmp/intr8.c"; then
		echo "FAIL: a DDI 8 handler of the driver's type (-std=$std)"
		status=1
	fi
done

# Selections that name no level stop the compilation.
for bad in "-D_DDI=7 -D_DDI_STRICT" "-D_DDI=8 -D_DDI_STRICT" \
    "-D_ODDI=5 -D_DDI_STRICT" "-D_DDI=5 -D_DDI_STRICT -D_DDI_MP" \
    "-D_DDI=5 -D_ODDI=5" "-D_DDI=9" "-D_DDI=6 -D_DDI_MINOR=1"; do
	# shellcheck disable=SC2086
	if printf '#include <sys/ddi.h>\n' |
	    $CC $inc $bad -E -x c - > /dev/null 2>&1; then
		echo "FAIL: $bad is accepted"
		status=1
	fi
done
cat "$tmp"/jobs/*.log 2>/dev/null
echo "headers: $n units, each compiled in $j compiler and mode pairs"
[ $status -eq 0 ]
