#!/bin/sh
# The interface-version coverage table of README.md and ddicompat(7),
# computed from the interface lists: for each version, the names its
# list holds, how many the headers declare, the gaps recorded in
# tests/ddi-exports/gaps (names not yet declared), and the names left out
# on purpose (tests/ddi-exports/absent).  Fails when either document's
# table differs from the lists, so that closing gaps means regenerating
# it:  COVERAGE_WRITE=1 sh tests/coverage.sh  (from the source tree, or
# with srcdir=<source tree>) rewrites both tables.
#	sh tests/coverage.sh -md | -mdoc	print one table
: "${srcdir:=.}"
LC_ALL=C
export LC_ALL
data=$srcdir/tests/ddi-exports
versions="5-strict 5 5mp 6-strict 6 6mp 7 7mp 7.1 7.1mp 7.2 7.2mp 8 8mp"
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

flags()
{
	case $1 in
	*-strict) echo "-D_DDI=${1%-strict} -D_DDI_STRICT" ;;
	7.[12]mp) v=${1%mp}; echo "-D_DDI=7 -D_DDI_MINOR=${v#7.} -D_DDI_MP" ;;
	7.[12])	echo "-D_DDI=7 -D_DDI_MINOR=${1#7.}" ;;
	*mp)	echo "-D_DDI=${1%mp} -D_DDI_MP" ;;
	*)	echo "-D_DDI=$1" ;;
	esac
}

names()
{
	grep -v '^#' "$1" | awk 'NF { print $1 }' | sort -u
}

# One line a version: version, flags, listed, declared, gaps, absent.
rows()
{
	names "$data/absent" > "$tmp/absent"
	for v in $versions; do
		names "$data/ddi.$v" > "$tmp/listed"
		listed=$(wc -l < "$tmp/listed")
		absent=$(comm -12 "$tmp/listed" "$tmp/absent" | wc -l)
		gaps=$(grep -v '^#' "$data/gaps" |
		    awk -v v="$v" '$1 == v && $2 == "missing"' | wc -l)
		echo "$v|$(flags "$v")|$listed|$((listed - absent - gaps))|$gaps|$absent"
	done
}

md()
{
	echo "| Version | Flags | Names listed | Declared | Gaps | Deliberately absent |"
	echo "|---|---|--:|--:|--:|--:|"
	rows | awk -F'|' '{ printf "| %s | `%s` | %d | %d | %d | %d |\n",
	    $1, $2, $3, $4, $5, $6 }'
}

mdoc()
{
	echo ".Bl -column \"5-strict\" \"-D_DDI=7 -D_DDI_MINOR=2 -D_DDI_MP\" \"Listed\" \"Declared\" \"Gaps\" \"Absent\""
	echo ".It Em Version Ta Em Flags Ta Em Listed Ta Em Declared Ta Em Gaps Ta Em Absent"
	rows | awk -F'|' '{ printf ".It %s Ta Li %s Ta %d Ta %d Ta %d Ta %d\n",
	    $1, $2, $3, $4, $5, $6 }'
	echo ".El"
}

# The table between the markers of FILE.
extract()
{
	sed -n "/$2 coverage table begin/,/$2 coverage table end/p" "$1" |
	    sed '1d;$d'
}

replace()	# FILE MARKER TABLE-FILE
{
	awk -v t="$3" -v m="$2" '
	    index($0, m " coverage table begin") == 1 { print; while ((getline l < t) > 0) print l; skip = 1; next }
	    index($0, m " coverage table end") == 1 { skip = 0 }
	    !skip' "$1" > "$tmp/new" && cp "$tmp/new" "$1"
}

case ${1:-} in
-md)	md; exit ;;
-mdoc)	mdoc; exit ;;
esac

md > "$tmp/md"
mdoc > "$tmp/mdoc"
readme=$srcdir/README.md
page=$srcdir/man/ddicompat.7
if [ -n "${COVERAGE_WRITE:-}" ]; then
	replace "$readme" "<!--" "$tmp/md"
	replace "$page" '.\\"' "$tmp/mdoc"
fi
status=0
for d in "$readme|<!--|md" "$page|\.\\\\\"|mdoc"; do
	f=${d%%|*}; m=${d#*|}; m=${m%|*}; fmt=${d##*|}
	extract "$f" "$m" > "$tmp/doc"
	if [ ! -s "$tmp/doc" ]; then
		echo "FAIL: ${f#"$srcdir"/}: no coverage table between its markers"
		status=1
	elif ! cmp -s "$tmp/doc" "$tmp/$fmt"; then
		echo "FAIL: ${f#"$srcdir"/}: the coverage table differs from" \
		    "the interface lists (- in the document, + from the lists);"
		echo "regenerate it: COVERAGE_WRITE=1 sh tests/coverage.sh"
		diff "$tmp/doc" "$tmp/$fmt" | sed -n 's/^< /- /p; s/^> /+ /p'
		status=1
	fi
done
[ $status -eq 0 ] && echo "coverage: README.md and ddicompat(7) tables match the lists"
exit $status
