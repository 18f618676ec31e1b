#!/bin/sh
# ddisim map --svg and alloc --svg: a well-formed picture whose structure
# is the machine's, as ddisim map prints it.
: "${srcdir:=.}" "${XMLLINT:=xmllint}"
status=0
tmp=svg.$$
fail() {
	echo "FAIL: $*"
	status=1
}
trap 'rm -f $tmp.*' EXIT

# attrs CLASS FILE: "start end node zone pages free" of each rect of CLASS
attrs() {
	awk -v cls="$1" '
	function attr(n,   m) {
		if (match($0, " " n "=\"[^\"]*\"") == 0)
			return "-"
		m = substr($0, RSTART + length(n) + 3, RLENGTH - length(n) - 4)
		return m
	}
	index($0, "<rect class=\"" cls "\"") == 1 {
		print attr("data-start"), attr("data-end"), attr("data-node"),
		    attr("data-zone"), attr("data-pages"), attr("data-free")
	}' "$2"
}
# merge: join "start end" lines whose ranges touch, in address order
merge() {
	sort | awk '
	NR > 1 && $1 == e { e = $2; next }
	NR > 1 { print s, e }
	{ s = $1; e = $2 }
	END { if (NR > 0) print s, e }'
}
xcount() {
	"$XMLLINT" --xpath "count($1)" "$2" 2>/dev/null
}

# check_map SPEC: ddisim map --svg on the machine SPEC against its text
check_map() {
	spec=$1
	./ddisim map --machine "$spec" --svg $tmp.svg >$tmp.txt ||
		{ fail "$spec: ddisim map --svg failed"; return; }
	"$XMLLINT" --noout $tmp.svg || { fail "$spec: not well-formed"; return; }
	# standalone SVG: the namespace, a viewBox, titles, a legend
	head -2 $tmp.svg | grep -q '<svg xmlns="http://www.w3.org/2000/svg" .*viewBox="0 0 [0-9]* [0-9]*"' ||
		fail "$spec: no xmlns or viewBox"
	sed -n 3p $tmp.svg | grep -q '^<title>ddisim map: ' ||
		fail "$spec: no title first"
	[ "$(xcount '//*[local-name()="g"][@class="legend"]' $tmp.svg)" = 1 ] ||
		fail "$spec: no legend"
	[ "$(xcount '//*[local-name()="title"]' $tmp.svg)" -gt 3 ] ||
		fail "$spec: too few titles"

	# one group a node, node0 to nodeN-1
	nodes=$(sed -n 's/^machine: .* RAM, \([0-9]*\) nodes*, .*/\1/p' $tmp.txt)
	[ "$(xcount '//*[local-name()="g"][@class="node"]' $tmp.svg)" = "$nodes" ] ||
		fail "$spec: not $nodes node groups"
	n=0
	while [ $n -lt "$nodes" ]; do
		[ "$(xcount "//*[local-name()=\"g\"][@class=\"node\"][@id=\"node$n\"]" $tmp.svg)" = 1 ] ||
			fail "$spec: no node$n"
		n=$((n + 1))
	done
	# the lines the awk checks read are the elements xmllint counts
	for c in zone used free hole; do
		[ "$(xcount "//*[local-name()=\"rect\"][@class=\"$c\"]" $tmp.svg)" = \
		    "$(attrs $c $tmp.svg | wc -l | tr -d ' ')" ] ||
			fail "$spec: $c rects are not one a line"
	done

	# holes: the map's, address for address
	grep '  hole ' $tmp.txt | sed 's/^  \(0x[0-9a-f]*\)-\(0x[0-9a-f]*\) .*/\1 \2/' \
		>$tmp.want
	attrs hole $tmp.svg | cut -d' ' -f1,2 | merge >$tmp.got
	cmp -s $tmp.want $tmp.got ||
		{ fail "$spec: holes differ"; diff $tmp.want $tmp.got; }
	# RAM of each node: the map's ranges, from the zones drawn
	n=0
	while [ $n -lt "$nodes" ]; do
		grep "  RAM node $n " $tmp.txt |
		    sed 's/^  \(0x[0-9a-f]*\)-\(0x[0-9a-f]*\) .*/\1 \2/' >$tmp.want
		attrs zone $tmp.svg | awk -v n=$n '$3 == n' | cut -d' ' -f1,2 |
		    merge >$tmp.got
		cmp -s $tmp.want $tmp.got ||
			{ fail "$spec: node $n RAM differs"; diff $tmp.want $tmp.got; }
		n=$((n + 1))
	done
	# each node and zone: total pages in the zone strip, free pages in
	# the free bars, as the map counts them
	awk '$1 == "node" && $2 ~ /^[0-9]+$/ {
		k = 3
		if ($3 == "below" || $3 == "above") { z = $3 " " $4; k = 4 }
		else z = $3
		zi = z == "below 16M" ? 0 : z == "16M-4G" ? 1 : \
		    z == "4G-64G" ? 2 : z == "above 64G" ? 3 : "x"
		print $2, zi, $(k + 1), $(k + 3)
	}' $tmp.txt >$tmp.want
	attrs zone $tmp.svg >$tmp.zone
	attrs free $tmp.svg >$tmp.free
	while read -r node z free total; do
		t=$(awk -v n=$node -v z=$z '$3 == n && $4 == z { s += $5 }
		    END { print s + 0 }' $tmp.zone)
		f=$(awk -v n=$node -v z=$z '$3 == n && $4 == z { s += $6 }
		    END { print s + 0 }' $tmp.free)
		[ "$t" = "$total" ] ||
			fail "$spec: node $node zone $z: $t pages drawn, map says $total"
		[ "$f" = "$free" ] ||
			fail "$spec: node $node zone $z: $f free drawn, map says $free"
	done <$tmp.want
	[ -s $tmp.want ] || fail "$spec: no zones read from the map"
	# free bars lie inside RAM, within the band, none wider than a run
	rects=$(grep -c '^<rect ' $tmp.svg)
	[ "$rects" -le 8000 ] || fail "$spec: $rects rects"
	echo "$spec: $nodes nodes, $rects rects, $(wc -c <$tmp.svg) bytes"
}

check_map "mem=8G,hole=640K-1M,hole=3G-4G,nodes=2:4G,cpus=4"
check_map "mem=16M,cpus=1"
check_map "mem=8G,frag=0.6,seed=7"
check_map "mem=2G,nodes=4,cpus=8,hole=1G-1100M,frag=0.5,seed=3"
check_map "mem=80G,nodes=3,hole=3G-4G"

# alloc --svg: each buffer marked where the text says it landed
./ddisim alloc 64K --count 8 --dmasize 24 --boundary 64K --contig \
    --machine mem=1G,nodes=2,frag=0.5,seed=7 --svg $tmp.svg >$tmp.txt ||
	fail "alloc --svg failed"
"$XMLLINT" --noout $tmp.svg || fail "alloc --svg: not well-formed"
sed -n 3p $tmp.svg | grep -q '^<title>ddisim alloc: ' || fail "alloc: title"
sed -n 's/^    pa \(0x[0-9a-f]*\)-\(0x[0-9a-f]*\)$/\1 \2/p' $tmp.txt | sort \
    >$tmp.want
attrs buffer $tmp.svg | cut -d' ' -f1,2 | sort >$tmp.got
[ "$(wc -l <$tmp.want)" -eq 8 ] || fail "alloc: not 8 buffers in the text"
cmp -s $tmp.want $tmp.got || { fail "alloc: buffers differ"; diff $tmp.want $tmp.got; }
# a scattered buffer: one mark per run of nearby segments
./ddisim alloc 256K --dmasize 32 --machine scatter=1 --svg $tmp.svg \
    >$tmp.txt || fail "alloc scatter --svg failed"
segs=$(awk -F'"' '/<rect class="buffer"/ {
	for (i = 1; i < NF; i++) if ($i ~ / data-segments=$/) s += $(i + 1)
    } END { print s }' $tmp.svg)
[ "$segs" = 64 ] || fail "alloc scatter: $segs segments marked, not 64"

# refused
if ./ddisim dma --svg $tmp.x 2>$tmp.err; then fail "dma --svg accepted"; fi
grep -q "^ddisim dma: --svg is an option of 'ddisim map' and 'ddisim alloc'" \
    $tmp.err || fail "dma --svg: $(cat $tmp.err)"
./ddisim map --svg /nonexistent/dir/x.svg >/dev/null 2>$tmp.err
[ $? -eq 2 ] || fail "unwritable --svg: not exit 2"
grep -q '^ddisim map: --svg: cannot write /nonexistent/dir/x.svg: ' $tmp.err ||
	fail "unwritable --svg: $(cat $tmp.err)"
exit $status
