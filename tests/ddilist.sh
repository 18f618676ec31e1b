#!/bin/sh
# The interface lists as the contract.  tests/ddi-exports/ddi.<version>
# names everything a driver of that version may use.  For each version,
# with every public header included and <sys/ddi.h> last:
#
#   - each listed name is declared: a macro, or an identifier whose
#     address a function takes;
#   - each name that another version lists and this one does not is not
#     declared (the interfaces a version dropped are gone from it);
#   - a program that takes the address of every listed function and
#     object and expands every listed macro compiles, links against the
#     library and runs.
#
# Names listed in tests/ddi-exports/absent are the original kernel's
# implementation of a macro, or otherwise left out on purpose; each must
# be named, with its reason, in ddicompat(7), and none may be declared.
#
# tests/ddi-exports/gaps records, one "version missing|extra name" a
# line, where the headers do not yet meet a list.  The test computes the
# same lines and fails on any difference: a new gap is a regression, a
# closed one must leave the file.  DDILIST_KEEP=dir keeps the work;
# DDILIST_WRITE=1 rewrites the record from what the headers declare.
: "${srcdir:=.}" "${CC:=cc}"
# The compiler's messages are parsed: no translated or curly quotes.
LC_ALL=C
export LC_ALL
data=$srcdir/tests/ddi-exports
inc="-I$srcdir/compat -I$srcdir/include"
versions="5-strict 5 5mp 6-strict 6 6mp 7 7mp 7.1 7.1mp 7.2 7.2mp 8 8mp"
if [ -n "${DDILIST_KEEP:-}" ]; then
	tmp=$DDILIST_KEEP
	mkdir -p "$tmp" || exit 1
else
	tmp=$(mktemp -d) || exit 1
	trap 'rm -rf "$tmp"' EXIT
fi

version_flags()
{
	case $1 in
	*-strict) echo "-D_DDI=${1%-strict} -D_DDI_STRICT" ;;
	7.[12]mp) v=${1%mp}; echo "-D_DDI=7 -D_DDI_MINOR=${v#7.} -D_DDI_MP" ;;
	7.[12])	echo "-D_DDI=7 -D_DDI_MINOR=${1#7.}" ;;
	*mp)	echo "-D_DDI=${1%mp} -D_DDI_MP" ;;
	*)	echo "-D_DDI=$1" ;;
	esac
}

names()	# list file: its names, one a line, sorted
{
	grep -v '^#' "$1" | awk 'NF { print $1 }' | sort -u
}

# The deliberate omissions, each documented in ddicompat(7).
names "$data/absent" > "$tmp/absent"
status=0
for n in $(cat "$tmp/absent"); do
	if ! grep -q -- "$n" "$srcdir/man/ddicompat.7"; then
		echo "FAIL: $n is left out (tests/ddi-exports/absent)" \
		    "but ddicompat(7) does not say so"
		status=1
	fi
done

for v in $versions; do
	names "$data/ddi.$v"
done | sort -u > "$tmp/union"

# Every public header, <sys/ddi.h> last.
headers=
for h in "$srcdir"/compat/sys/*.h "$srcdir"/compat/vm/*.h \
    "$srcdir"/compat/net/*.h; do
	case $h in
	*/sys/ddi.h) ;;
	*/sys/*) headers="$headers sys/${h##*/}" ;;
	*/vm/*)	headers="$headers vm/${h##*/}" ;;
	*/net/*) headers="$headers net/${h##*/}" ;;
	esac
done
headers="$headers sys/ddi.h"

: > "$tmp/gaps"
total=0
for v in $versions; do
	d=$tmp/$v
	mkdir -p "$d" || exit 1
	flags=$(version_flags "$v")
	names "$data/ddi.$v" | comm -23 - "$tmp/absent" > "$d/listed"
	comm -23 "$tmp/union" "$d/listed" | comm -23 - "$tmp/absent" > "$d/others"
	# shellcheck disable=SC2086
	printf '#include <%s>\n' $headers > "$d/head.h"

	# Which names are macros.
	# shellcheck disable=SC2086
	if ! $CC $inc $flags -E -dM -x c "$d/head.h" > "$d/macros.txt" \
	    2> "$d/cpp.log"; then
		echo "FAIL: ddi.$v: the headers do not preprocess"
		cat "$d/cpp.log"
		status=1
		continue
	fi
	sed -n 's/^#define \([A-Za-z_][A-Za-z0-9_]*\).*/\1/p' \
	    "$d/macros.txt" | sort -u > "$d/macros"

	# Which other names are declared: one function per name, so that
	# the compiler reports each undeclared one.
	comm -23 "$tmp/union" "$d/macros" > "$d/idents"
	{
		printf '#include "head.h"\n'
		awk '{ printf "void *ddilist_%s(void);\n", $1
		       printf "void *ddilist_%s(void) { return (void *)&%s; }\n",
			   $1, $1 }' "$d/idents"
	} > "$d/decl.c"
	# shellcheck disable=SC2086
	$CC $inc $flags -w -fsyntax-only -fmax-errors=0 -I"$d" "$d/decl.c" \
	    > "$d/decl.log" 2>&1
	sed -n "s/.*error: '\([A-Za-z_][A-Za-z0-9_]*\)' undeclared.*/\1/p;
		s/.*error: use of undeclared identifier '\([A-Za-z_][A-Za-z0-9_]*\)'.*/\1/p" \
	    "$d/decl.log" | sort -u > "$d/undeclared"
	# Any other error means the unit itself is broken.
	if grep 'error:' "$d/decl.log" | grep -v 'undeclared' |
	    grep -q .; then
		echo "FAIL: ddi.$v: unexpected errors:"
		grep 'error:' "$d/decl.log" | grep -v undeclared | head -20
		status=1
	fi
	comm -23 "$tmp/union" "$d/undeclared" > "$d/declared"

	comm -23 "$d/listed" "$d/declared" |
	    sed "s/^/$v missing /" >> "$tmp/gaps"
	comm -12 "$d/others" "$d/declared" |
	    sed "s/^/$v extra /" >> "$tmp/gaps"
	comm -12 "$tmp/absent" "$d/declared" |
	    sed "s/^/$v extra /" >> "$tmp/gaps"

	# The program: the address of every listed, declared identifier,
	# and the expansion of every listed macro, a function-like one with
	# as many zeros as it has parameters.
	comm -12 "$d/listed" "$d/declared" | comm -23 - "$d/macros" > "$d/refs"
	comm -12 "$d/listed" "$d/macros" > "$d/expand"
	{
		printf '#include "head.h"\n#include <stdio.h>\n'
		printf 'static void *const refs[] = {\n'
		awk '{ printf "\t(void *)&%s,\n", $1 }' "$d/refs"
		printf '\t0\n};\n'
		printf 'static volatile long sink;\n'
		printf 'static unsigned long expand(void) {\n\tunsigned long n = 0;\n'
		awk 'NR == FNR { want[$1] = 1; next }
		    /^#define / {
			name = $2; args = ""
			if (name ~ /\(/) {
				np = split(substr(name, index(name, "(") + 1), a, ",")
				name = substr(name, 1, index(name, "(") - 1)
				args = "("
				for (i = 1; i <= np; i++)
					args = args (i > 1 ? ", " : "") "0"
				args = args ")"
			}
			if (name in want)
				printf "\tsink = (long)(%s%s);\n\tn++;\n", name, args
		    }' "$d/expand" "$d/macros.txt"
		printf '\treturn n;\n}\n'
		printf 'int main(void) {\n\tsize_t i, n = 0;\n'
		printf '\tfor (i = 0; refs[i] != 0; i++)\n\t\tn++;\n'
		printf '\tprintf("%%lu %%lu\\n", (unsigned long)n, expand());\n'
		printf '\treturn 0;\n}\n'
	} > "$d/prog.c"
	# shellcheck disable=SC2086
	if ! ${LIBTOOL:-./libtool} --mode=link --tag=CC $CC $inc $flags -w \
	    ${LINK_FLAGS:-} -I"$d" -o "$d/prog" "$d/prog.c" libddicompat.la \
	    > "$d/link.log" 2>&1; then
		echo "FAIL: ddi.$v: the program does not link:"
		grep -E 'undefined reference|error' "$d/link.log" | head -40
		status=1
		continue
	fi
	nref=$(wc -l < "$d/refs")
	nexp=$(wc -l < "$d/expand")
	got=$("$d/prog")
	if [ "$got" != "$nref $nexp" ]; then
		echo "FAIL: ddi.$v: the program counted '$got'," \
		    "not '$nref $nexp' (addresses, macros)"
		status=1
	fi
	total=$((total + nref + nexp))
	echo "ddi.$v: $(wc -l < "$d/listed") names listed, $nref linked" \
	    "by address, $nexp macros expanded"
done

sort "$tmp/gaps" > "$tmp/gaps.now"
if [ -n "${DDILIST_WRITE:-}" ]; then
	{
		sed -n '/^#/p' "$data/gaps"
		cat "$tmp/gaps.now"
	} > "$tmp/gaps.new" && cp "$tmp/gaps.new" "$data/gaps"
fi
grep -v '^#' "$data/gaps" 2>/dev/null | sort > "$tmp/gaps.recorded"
if ! cmp -s "$tmp/gaps.now" "$tmp/gaps.recorded"; then
	echo "FAIL: the gaps differ from tests/ddi-exports/gaps" \
	    "(+ found now, - recorded):"
	diff "$tmp/gaps.recorded" "$tmp/gaps.now" | sed -n 's/^> /+ /p; s/^< /- /p'
	status=1
fi
echo "ddilist: $(wc -l < "$tmp/gaps.now") gaps recorded," \
    "$total names referenced in programs that ran"
exit $status
