#!/bin/sh
# ddisim: help and version, the reason for every refused argument, and
# the answers of each command.
: "${srcdir:=.}"
status=0
fail() {
	echo "FAIL: $*"
	status=1
}
# run ARGS...: stdout in $out, stderr in $err, exit status in $rc
run() {
	./ddisim "$@" >cli.$$.out 2>cli.$$.err
	rc=$?
	out=$(cat cli.$$.out)
	err=$(cat cli.$$.err)
}
# expect_rc N WHAT
expect_rc() {
	[ "$rc" -eq "$1" ] || fail "$2: exit status $rc, not $1"
}

# Help: exit 0, on stdout, nothing on stderr, for ddisim and each command.
for h in --help -h help; do
	run $h
	expect_rc 0 "ddisim $h"
	[ -z "$err" ] || fail "ddisim $h wrote to stderr: $err"
	for c in map alloc demo dma drivers help; do
		echo "$out" | grep -q "^  ddisim $c" ||
			fail "ddisim $h does not list $c"
	done
done
for c in map alloc demo dma drivers help; do
	for form in "$c --help" "$c -h" "help $c"; do
		run $form
		expect_rc 0 "ddisim $form"
		[ -z "$err" ] || fail "ddisim $form wrote to stderr: $err"
		echo "$out" | grep -q "^usage: ddisim $c" ||
			fail "ddisim $form: no usage of $c: $out"
	done
done
run alloc --help
echo "$out" | grep -q -- '--boundary N' || fail "alloc --help: no --boundary"
# help wins over a refused argument
run alloc 8K --boundary 4K --help
expect_rc 0 "alloc 8K --boundary 4K --help"

# Version: the package's.
run --version
expect_rc 0 "ddisim --version"
echo "$out" | grep -E -q '^ddisim \(ddicompat\) [0-9]+\.[0-9]+' ||
	fail "--version: $out"

# Refused arguments: exit 2, nothing on stdout, the reason then a hint.
# refused "REASON (an ERE)" ARGS...
refused() {
	want=$1
	shift
	run "$@"
	expect_rc 2 "ddisim $*"
	[ -z "$out" ] || fail "ddisim $*: refused, but wrote to stdout: $out"
	first=$(printf '%s\n' "$err" | sed -n 1p)
	hint=$(printf '%s\n' "$err" | sed -n 2p)
	echo "$first" | grep -E -q -- "$want" ||
		fail "ddisim $*: reason '$first' does not match '$want'"
	echo "$hint" | grep -E -q "^Try 'ddisim( [a-z]+)? --help'\.$" ||
		fail "ddisim $*: no hint: '$hint'"
	[ "$(printf '%s\n' "$err" | wc -l)" -eq 2 ] ||
		fail "ddisim $*: more than a reason and a hint: $err"
}
# Once an abort (exit 134) after a verifier report.
refused '^ddisim alloc: --boundary: 4K is smaller than the size 8K' \
	alloc 8K --boundary 4K
refused '^ddisim alloc: --boundary: 4K is smaller than the size 8K' \
	alloc 8K -b 4K
refused '^ddisim alloc: --boundary: 16K is smaller than the alignment 32K' \
	alloc 8K --boundary=16K --align 32K
refused '^ddisim alloc: --boundary: 3000 is not a power of two' \
	alloc 1K --boundary 3000
refused '^ddisim alloc: --align: 3 is not a power of two' alloc 8K --align=3
refused '^ddisim alloc: --align: .x. is not a size' alloc 8K --align x
refused '^ddisim alloc: --dmasize: 65 is more than 64 address bits' \
	alloc 4K --dmasize 65
refused '^ddisim alloc: --count: 0 is not a count from 1 to 256' \
	alloc 4K --count 0
refused '^ddisim alloc: --count: 257 ' alloc 4K --count 257
refused '^ddisim alloc: no SIZE' alloc
refused '^ddisim alloc: SIZE: 0 bytes' alloc 0
refused "^ddisim alloc: SIZE: '1Z' is not a size" alloc 1Z
refused "^ddisim alloc: SIZE: '-1' is not a size" alloc -- -1
refused "^ddisim alloc: SIZE: '99999999999999999999K' is not a size" \
	alloc 99999999999999999999K
refused "^ddisim alloc: SIZE: 2T is larger than any machine's memory" \
	alloc 2T
refused "^ddisim alloc: one SIZE: unexpected '2K'" alloc 1K 2K
refused '^ddisim alloc: --boundary needs a value' alloc 8K --boundary
refused "^ddisim map: --align is an option of 'ddisim alloc'" map --align 4
refused "^ddisim map: unknown option '-x'" map -x
refused "^ddisim map: unknown option '--frob'" map --frob
refused "^ddisim map: unexpected 'extra'" map extra
refused "^ddisim dma: one SCRIPT.*unexpected 'b'" dma a b
# a dma script is read whole before any step runs
refused "^ddisim dma: step 1: prog: channel 4 is the cascade" dma "prog 4 read 5"
refused "^ddisim dma: step 2: no step 'frob'; the steps are prog, " \
	dma "enable 2; frob 2"
refused "^ddisim dma: step 1: 'prog' takes 3 words: prog CHAN read\\|write BYTES" \
	dma "prog 2 read"
refused "^ddisim dma: step 1: 'enable' takes 1 word: enable CHAN" \
	dma "enable 2 3"
refused "^ddisim dma: step 1: enable: '9' is not a channel from 0 to 7" \
	dma "enable 9"
refused "^ddisim dma: step 1: prog: 'sideways' is not read or write" \
	dma "prog 2 sideways 5"
refused "^ddisim dma: step 1: prog: '65537' is not a byte count from 1 to 65536" \
	dma "prog 2 read 65537"
refused "^ddisim dma: step 3: prog: channel 2 was programmed already" \
	dma "prog 2 read 64K; enable 2; prog 2 write 5"
refused "^ddisim dma: step 1: dreq: 'lots' is not a number of transfers" \
	dma "dreq 2 lots"
# a step the machine refuses: the registry all the same, exit 1, the call
run dma "alloc 2; prog 2 read 512"
expect_rc 1 "dma: prog on a channel alloc holds"
printf '%s\n' "$out" | grep -E -q '^2 +oddi ' ||
	fail "dma alloc+prog: no registry: $out"
[ "$err" = "ddisim dma: step 2, 'prog 2 read 512': dma_prog returned B_FALSE: the channel is taken (by alloc, cascade or another prog)" ] ||
	fail "dma alloc+prog: $err"
run dma "prog 2 read 64K; enable 2"
expect_rc 0 "dma: prog 64K"
refused "^ddisim: no command 'frob'" frob
refused "^ddisim: no command:" 
refused "^ddisim help: no command 'frob'" help frob
refused "^ddisim alloc: --machine: mem: '8Q' is not a size" \
	alloc 4K --machine mem=8Q
refused "^ddisim map: --machine: nodes" map --machine nodes=99
DDISIM_MACHINE=mem=8Q
export DDISIM_MACHINE
refused "^ddisim map: DDISIM_MACHINE: mem: '8Q'" map
unset DDISIM_MACHINE

# An allocation the machine can serve: exit 0, its constraints met.
run alloc 4K --boundary 4K --dmasize 24
expect_rc 0 "alloc 4K --boundary 4K --dmasize 24"
echo "$out" | grep -q 'dmasize 24: ok; align 1: ok; boundary 0x1000: ok' ||
	fail "alloc 4K --boundary 4K --dmasize 24: $out"
# One it cannot: exit 1, with the reason.
run alloc 32M --dmasize 24 --contig
expect_rc 1 "alloc 32M --dmasize 24 --contig"
echo "$out" | grep -q 'kmem_alloc_physreq: NULL (KM_NOSLEEP): 33554432 bytes, align 1, below 16 MiB, contiguous: no free run of 33554432 bytes meets the request; the largest conforming run is [0-9]* bytes at 0x' ||
	fail "alloc 32M --dmasize 24 --contig: $out"
# A physreq no page can serve: prep fails, saying why.
run alloc 4K --dmasize 12
expect_rc 1 "alloc 4K --dmasize 12"
echo "$out" | grep -q "physreq_prep: B_FALSE (requirements cannot be supported): align 1, dmasize 12: no page below the device's reach (12 bits) could be set aside for its breakup pool" ||
	fail "alloc 4K --dmasize 12: $out"
# explain=1 in the spec also prints the reason on the standard error.
run alloc 32M --dmasize 24 --contig --machine explain=1
expect_rc 1 "alloc 32M --dmasize 24 --contig --machine explain=1"
echo "$err" | grep -q '^ddicompat: explain: kmem_alloc_physreq: 33554432 bytes' ||
	fail "alloc 32M ... --machine explain=1: stderr $err"

# alloc --scgth: each buffer as msgscgth lists it, element for segment.
run alloc 6K --dmasize 32 --scgth 4 --machine scatter=1
expect_rc 0 "alloc 6K --scgth 4"
printf '%s\n' "$out" | grep -q 'msgscgth: data kept in place, 2 elements of 32 bits (phys_max_scgth 4)' ||
	fail "alloc 6K --scgth 4: $out"
segs=$(printf '%s\n' "$out" | sed -n 's/^    pa 0x\([0-9a-f]*\)-.*/\1/p')
elems=$(printf '%s\n' "$out" | sed -n 's/^      0x\([0-9a-f]*\) .*/\1/p')
[ -n "$segs" ] && [ "$segs" = "$elems" ] ||
	fail "alloc 6K --scgth 4: elements $elems are not the segments $segs"
run alloc 1M --dmasize 32 --scgth 2 --machine scatter=1
expect_rc 1 "alloc 1M --scgth 2 on a scattering machine"
printf '%s\n' "$out" | grep -q 'msgscgth: NULL: the buffer is 256 physical segments, phys_max_scgth 2 allows 2 elements' ||
	fail "alloc 1M --scgth 2: $out"
run alloc 64K --contig --dmasize 64 --scgth 0
expect_rc 0 "alloc 64K --contig --scgth 0"
printf '%s\n' "$out" | grep -q 'msgscgth: data kept in place, 1 element of 64 bits' ||
	fail "alloc 64K --scgth 0: $out"
refused '^ddisim alloc: --scgth: 256 is more than the 255 elements' \
	alloc 4K --scgth 256
refused '^ddisim alloc: --scgth: a message block of 2G bytes' \
	alloc 2G --scgth 2
refused "^ddisim map: --scgth is an option of 'ddisim alloc'" map --scgth 2

# map lists the CPUs of each node: CPU c on node c * nodes / cpus.
run map
expect_rc 0 "map"
printf '%s\n' "$out" | grep -q '^  node 0: CPUs 0-1$' || fail "map: node 0 CPUs"
printf '%s\n' "$out" | grep -q '^  node 1: CPUs 2-3$' || fail "map: node 1 CPUs"
run map --machine mem=1G,nodes=4,cpus=2
for l in '  node 0: CPU 0' '  node 1: no CPUs' '  node 2: CPU 1' \
    '  node 3: no CPUs'; do
	printf '%s\n' "$out" | grep -q "^$l\$" || fail "map nodes=4,cpus=2: $l"
done
run map --machine mem=2G,nodes=2,cpus=7
printf '%s\n' "$out" | grep -q '^  node 0: CPUs 0-3$' || fail "cpus=7: node 0"
printf '%s\n' "$out" | grep -q '^  node 1: CPUs 4-6$' || fail "cpus=7: node 1"

# drivers: loaded, listed with their instances' boards, unloaded.
hx8=tests/host/.libs/hx8.so
if [ ! -f "$hx8" ]; then
	fail "drivers: no test driver at $hx8 (built by make check)"
else
	run drivers --machine "mem=64M,board=hx8:irq=5:ioaddr=0x300-0x31f,board=hx8:irq=6" "$hx8"
	expect_rc 0 "drivers $hx8"
	printf '%s\n' "$out" | grep -q '^hx8 *hx8 *8 *block+char module *[0-9][0-9]* *D_MP ' ||
		fail "drivers: no line for hx8: $out"
	printf '%s\n' "$out" | grep -q '^  instance 0: key 1, minors 0-1: IRQ 5 IPL 5 IOADDR 0x300-0x31f$' ||
		fail "drivers: instance 0: $out"
	printf '%s\n' "$out" | grep -q '^  instance 1: key 2, minors 2-3: IRQ 6 IPL 5$' ||
		fail "drivers: instance 1: $out"
	run drivers "x8=$hx8"
	expect_rc 1 "drivers x8=$hx8 (no x8_wrapper in it)"
	printf '%s\n' "$err" | grep -q "cannot load x8" || fail "drivers x8: $err"
fi
run drivers /nonexistent/libnope.so
expect_rc 1 "drivers /nonexistent/libnope.so"
printf '%s\n' "$err" | grep -q 'cannot load nope' || fail "drivers nope: $err"
refused "^ddisim drivers: DRIVER '1bad=x': no prefix" drivers 1bad=x
refused "^ddisim drivers: DRIVER 'hx8=': no object after '='" drivers hx8=

rm -f cli.$$.out cli.$$.err
exit $status
