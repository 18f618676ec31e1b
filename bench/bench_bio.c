/*
 * bench_bio.c - performance figures of buf_breakup, each measured side by
 * side with its baseline in one process:
 *
 *   the cost per piece of breaking up a request that needs no copy (child
 *   buf set-up included), with a strategy routine that completes at once,
 *   against calling that strategy routine directly with a ready buf as
 *   often (goal: 40 ns a piece or less where the direct call takes 23 ns,
 *   so at most 1.74 times the direct call on any machine);
 *   the bounce path's throughput against memcpy of the same bytes.
 *
 * Nothing here passes or fails on timing; the exit status is non-zero
 * only when a request fails or memory is left over.  Median of 5
 * repetitions, ours and the baseline alternating.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sys/types.h>
#include <sys/kmem.h>
#include <sys/buf.h>
#include <sys/ddi.h>

#include "ddicompat/ddisim.h"

#include "bench_util.h"

#define REPS	5

static unsigned failures;
static volatile unsigned long sink;

/* A device that takes every piece at once and moves nothing. */
static void
null_strat(buf_t *bp)
{
	sink += bp->b_bcount;
	bp->b_resid = 0;
	biodone(bp);
}

/* The same for the copy path: it touches the bounce buffer's bytes. */
static void
touch_strat(buf_t *bp)
{
	sink += (unsigned char)bp->b_un.b_addr[bp->b_bcount - 1];
	bp->b_resid = 0;
	biodone(bp);
}

static bcb_t *
mkbcb(size_t max_xfer)
{
	bcb_t *b = bcb_alloc(KM_SLEEP);
	physreq_t *p = physreq_alloc(KM_SLEEP);

	p->phys_dmasize = 64;
	p->phys_align = 4;
	b->bcb_physreqp = p;
	b->bcb_addrtypes = BA_KVIRT;
	b->bcb_granularity = 512;
	b->bcb_max_xfer = max_xfer;
	if (!bcb_prep(b, KM_SLEEP)) {
		fprintf(stderr, "bench_bio: bcb_prep failed\n");
		exit(1);
	}
	return b;
}

static void
rmbcb(bcb_t *b)
{
	physreq_free(b->bcb_physreqp);
	bcb_free(b);
}

static void
bench_pieces(void)
{
	static const unsigned npieces[] = { 2, 16, 64 };
	const size_t piece = 4096;

	printf("buf_breakup per piece, no copy, strategy completes at once, "
	    "vs calling the strategy routine directly\n");
	printf("  %7s %12s %12s %8s  %s\n", "pieces", "ours ns/pc",
	    "direct ns", "ratio", "goal");
	for (size_t k = 0; k < sizeof(npieces) / sizeof(npieces[0]); k++) {
		unsigned n = npieces[k];
		size_t len = n * piece;
		uint8_t *data = kmem_alloc(len, KM_SLEEP);
		bcb_t *bcb = mkbcb(piece);
		buf_t *bp = getrbuf(KM_SLEEP), *cb = getrbuf(KM_SLEEP);
		unsigned long rounds = 200000 / n;
		uint64_t ours[REPS], base[REPS], t0;

		for (int rep = 0; rep < REPS; rep++) {
			t0 = now_ns();
			for (unsigned long i = 0; i < rounds; i++) {
				bioreset(bp);
				bp->b_flags = B_BUSY | B_KERNBUF | B_WRITE;
				bp->b_addrtype = BA_KVIRT;
				bp->b_un.b_addr = (caddr_t)data;
				bp->b_bcount = (uint_t)len;
				buf_breakup(null_strat, bp, bcb);
				if (geterror(bp) != 0)
					failures++;
			}
			ours[rep] = (now_ns() - t0) * 10 / rounds / n;
			t0 = now_ns();
			for (unsigned long i = 0; i < rounds; i++)
				for (unsigned j = 0; j < n; j++) {
					bioreset(cb);
					cb->b_addrtype = BA_KVIRT;
					cb->b_un.b_addr = (caddr_t)data +
					    j * piece;
					cb->b_bcount = (uint_t)piece;
					null_strat(cb);
				}
			base[rep] = (now_ns() - t0) * 10 / rounds / n;
		}
		{
			uint64_t o = median_u64(ours, REPS);
			uint64_t b = median_u64(base, REPS);

			printf("  %7u %12.1f %12.1f %7.2fx  %s\n", n, o / 10.0,
			    b / 10.0, b ? (double)o / (double)b : 0,
			    n == 64 ? "<= 1.74x (40 ns where direct is 23 ns)" :
			    "-");
		}
		freerbuf(bp);
		freerbuf(cb);
		rmbcb(bcb);
		kmem_free(data, len);
	}
}

static void
bench_bounce(void)
{
	const size_t len = 256 * 1024;
	uint8_t *host = malloc(len), *dst = malloc(len);
	bcb_t *bcb = mkbcb(0);
	buf_t *bp = getrbuf(KM_SLEEP);
	unsigned long rounds = 400;
	uint64_t ours[REPS], base[REPS], t0;

	memset(host, 1, len);
	printf("\nbounce path: a 256 KiB write from memory with no physical "
	    "address, vs memcpy of the same bytes\n");
	for (int rep = 0; rep < REPS; rep++) {
		t0 = now_ns();
		for (unsigned long i = 0; i < rounds; i++) {
			bioreset(bp);
			bp->b_flags = B_BUSY | B_KERNBUF | B_WRITE;
			bp->b_addrtype = BA_KVIRT;
			bp->b_un.b_addr = (caddr_t)host;
			bp->b_bcount = (uint_t)len;
			buf_breakup(touch_strat, bp, bcb);
			if (geterror(bp) != 0)
				failures++;
		}
		ours[rep] = (now_ns() - t0) / rounds;
		t0 = now_ns();
		for (unsigned long i = 0; i < rounds; i++) {
			memcpy(dst, host, len);
			sink += dst[i % len];
		}
		base[rep] = (now_ns() - t0) / rounds;
	}
	{
		uint64_t o = median_u64(ours, REPS);
		uint64_t b = median_u64(base, REPS);

		printf("  ours %llu ns, memcpy %llu ns: %.0f %% of memcpy's "
		    "throughput\n", (unsigned long long)o,
		    (unsigned long long)b, o ? 100.0 * (double)b / (double)o :
		    0);
	}
	freerbuf(bp);
	rmbcb(bcb);
	free(host);
	free(dst);
}

int
main(void)
{
	if (ddisim_init(NULL) != 0) {
		fprintf(stderr, "bench_bio: %s\n", ddisim_init_error());
		return 2;
	}
	bench_pieces();
	bench_bounce();
	if (ddisim_outstanding() != 0) {
		fprintf(stderr, "bench_bio: %zu bytes outstanding\n",
		    ddisim_outstanding());
		failures++;
	}
	ddisim_shutdown();
	return failures != 0;
}
