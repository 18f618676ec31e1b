#!/bin/sh
# The picture ddisim map --svg draws renders in a real browser: headless
# Chromium takes a screenshot, which must be an image of the requested
# size and far from blank (a blank page of the same size is the measure).
# Skipped (77) without Chromium.
: "${srcdir:=.}"
browser=
for b in "${CHROMIUM:-}" chromium chromium-browser google-chrome \
    google-chrome-stable headless_shell; do
	[ -n "$b" ] && command -v "$b" >/dev/null 2>&1 && { browser=$b; break; }
done
if [ -z "$browser" ]; then
	echo "SKIP: no Chromium (set CHROMIUM to its command)"
	exit 77
fi
tmp=render.$$
trap 'rm -rf $tmp.*' EXIT
mkdir $tmp.profile
status=0

./ddisim map --machine mem=8G,nodes=2,hole=3G-4G,frag=0.6,seed=7 \
    --svg "$PWD/$tmp.svg" >/dev/null || { echo "ddisim map --svg failed"; exit 1; }
w=$(sed -n 's/^<svg .* width="\([0-9]*\)" height="\([0-9]*\)".*/\1/p' $tmp.svg)
h=$(sed -n 's/^<svg .* width="\([0-9]*\)" height="\([0-9]*\)".*/\2/p' $tmp.svg)
printf '<svg xmlns="http://www.w3.org/2000/svg" width="%s" height="%s"/>\n' \
    "$w" "$h" >$tmp.blank.svg

shot() {
	timeout 120 "$browser" --headless --no-sandbox --disable-gpu \
	    --hide-scrollbars --user-data-dir="$PWD/$tmp.profile" \
	    --window-size="$w,$h" --screenshot="$PWD/$2" "file://$PWD/$1" \
	    >/dev/null 2>&1
	[ -s "$2" ] || { echo "no screenshot of $1"; exit 1; }
}
shot $tmp.svg $tmp.png
shot $tmp.blank.svg $tmp.blank.png

# PNG signature, then IHDR: width and height, big-endian, at bytes 16-23
sig=$(od -An -tx1 -N8 $tmp.png | tr -d ' \n')
[ "$sig" = 89504e470d0a1a0a ] || { echo "not a PNG: $sig"; status=1; }
pw=$(od -An -tu1 -j16 -N4 $tmp.png | awk '{ print $1*16777216 + $2*65536 + $3*256 + $4 }')
ph=$(od -An -tu1 -j20 -N4 $tmp.png | awk '{ print $1*16777216 + $2*65536 + $3*256 + $4 }')
[ "$pw" -ge "$w" ] && [ "$ph" -ge "$h" ] ||
	{ echo "screenshot ${pw}x$ph, the picture is ${w}x$h"; status=1; }
# A blank page compresses to almost nothing; the picture (text, hatching,
# thousands of bars) does not.
size=$(wc -c <$tmp.png)
blank=$(wc -c <$tmp.blank.png)
echo "screenshot ${pw}x$ph: $size bytes; blank page: $blank bytes"
[ "$size" -gt $((blank * 5)) ] && [ "$size" -gt 20000 ] ||
	{ echo "the screenshot looks blank"; status=1; }
exit $status
