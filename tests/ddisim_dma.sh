#!/bin/sh
# ddisim dma: the channel registry after a scripted scenario.
: "${srcdir:=.}"
out=$(./ddisim dma "prog 2 read 512; enable 2; dreq 2 100; cascade 5; \
    alloc 3; prog 6 write 4096") || { echo "ddisim dma failed"; exit 1; }
echo "$out"
status=0
check() {
	echo "$out" | grep -E "$1" >/dev/null || {
		echo "missing: $1"
		status=1
	}
}
check '^dreq on channel 2: 100 transfers$'
check '^2 +ddi .* single write +0x[0-9a-f]{6} +412 +enabled, 100 transfers$'
check '^3 +oddi '
check '^4 +system .* cascade '
check '^5 +cascade .* cascade .*1 cascade$'
check '^6 +ddi .* single read .* 2048 +masked$'
check '^7 +free '
# the holder names the tool's function, not an offset into the executable
check '^2 +ddi +script_step[+ (]'
check '^3 +oddi +script_step[+ (]'
if echo "$out" | grep -E '^[0-9] .* ddisim\+0x' >/dev/null; then
	echo "a holder is only an offset: ddisim+0x..."
	status=1
fi
# a bad step fails, with a message
if ./ddisim dma "prog 4 read 5" >/dev/null 2>&1; then
	echo "channel 4 accepted"
	status=1
fi
exit $status
