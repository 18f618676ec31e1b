/*
 * bench_streams.c - performance figures of the STREAMS routines, each
 * measured side by side with its baseline in one process and printed as
 * a ratio:
 *
 *   msgpullup_physreq of 4-64 KiB messages in 1-16 blocks, against memcpy
 *   of the same bytes from the same blocks into one buffer (efficiency:
 *   memcpy's time over ours; the goal is 90 % or more from 32 KiB), and
 *   against the same fix-up done by hand, allocb_physreq then memcpy of
 *   each block then freemsg (the goal: at most 1.3 times its time); and
 *   what the checks of the message cost, which the fix-up by hand does
 *   not make: msgdsize of the same message, which makes the same checks
 *   of every block, timed alike, and the ratio to the fix-up by hand
 *   with that taken off;
 *   msgphysreq of a message that already conforms (nothing is copied),
 *   per block, against msgdsize, which walks and checks the same blocks;
 *   allocb_physreq + freeb against allocb + freeb.
 *
 * Nothing here passes or fails on timing.  The exit status is non-zero
 * only when something fails functionally: a call that must succeed
 * returns NULL, a result does not conform or lost bytes, or memory is
 * outstanding when a section shuts its machine down.
 *
 * Method: CLOCK_MONOTONIC; a warm-up round first; every timing is the
 * median of 5 repetitions, ours and the baseline alternating so that
 * drift hits both alike.  DDISIM_BENCH_SCALE (default 1) multiplies the
 * number of rounds.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sys/types.h>
#include <sys/kmem.h>
#include <sys/stream.h>
#include <sys/ddi.h>

#include "ddicompat/ddisim.h"

#include "bench_util.h"

#define REPS		5
#define KIB		1024u

static double bench_scale = 1.0;
static unsigned bench_failures;
static volatile size_t sink;

static void
bench_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("bench_streams: FAIL: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	bench_failures++;
}

static unsigned long
rounds(unsigned long base)
{
	unsigned long n = (unsigned long)(base * bench_scale);

	return n > 0 ? n : 1;
}

static void
machine_up(void)
{
	if (ddisim_init(NULL) != 0) {
		fprintf(stderr, "bench_streams: %s\n", ddisim_init_error());
		exit(2);
	}
	ddisim_verify_set_policy(DDISIM_VERIFY_COUNT);
}

static void
machine_down(const char *section)
{
	(void)ddisim_streams_run();
	if (ddisim_outstanding() != 0)
		bench_fail("%s: %zu bytes outstanding", section,
		    ddisim_outstanding());
	if (ddisim_verify_count() != 0)
		bench_fail("%s: %lu verifier reports: %s", section,
		    ddisim_verify_count(), ddisim_verify_last());
	ddisim_shutdown();
}

static physreq_t *
preq(uchar_t dmasize, paddr_t align, paddr_t boundary, uchar_t flags)
{
	physreq_t *p = physreq_alloc(KM_SLEEP);

	p->phys_dmasize = dmasize;
	p->phys_align = align;
	p->phys_boundary = boundary;
	p->phys_flags = flags;
	if (!physreq_prep(p, KM_SLEEP)) {
		bench_fail("physreq_prep refused a valid physreq");
		exit(1);
	}
	return p;
}

/* A message of nb blocks holding total bytes, each block's data filled. */
static mblk_t *
message(size_t total, unsigned nb)
{
	mblk_t *head = NULL, **tail = &head;

	for (unsigned i = 0; i < nb; i++) {
		size_t len = total / nb + (i < total % nb);
		mblk_t *m = allocb((int)len, BPRI_MED);

		if (m == NULL) {
			bench_fail("allocb(%zu) failed", len);
			exit(1);
		}
		for (size_t j = 0; j < len; j++)
			m->b_wptr[j] = (uchar_t)(i * 31 + j);
		m->b_wptr += len;
		*tail = m;
		tail = &m->b_cont;
	}
	return head;
}

/* ---- msgpullup_physreq against memcpy ---- */

/*
 * One row: msgpullup_physreq of total bytes in nb blocks, memcpy of the
 * same bytes, the fix-up by hand and the checks' cost (msgdsize), each the
 * median of REPS timings; printed if show.
 */
static void
pullup_row(size_t total, unsigned nb, physreq_t *p, uchar_t *dst, bool show)
{
	mblk_t *mp = message(total, nb), *r;
	unsigned long n = rounds(64 * KIB * 64 / total);
	uint64_t ours[REPS], base[REPS], hand[REPS], chk[REPS];
	uint64_t t0, o, m, h, k;

	/* once, checked: it conforms and keeps the bytes */
	r = msgpullup_physreq(mp, -1, p);
	if (r == NULL || r->b_cont != NULL ||
	    (size_t)(r->b_wptr - r->b_rptr) != total) {
		bench_fail("msgpullup_physreq result");
		exit(1);
	}
	freemsg(r);
	for (int rep = 0; rep < REPS; rep++) {
		t0 = now_ns();
		for (unsigned long i = 0; i < n; i++) {
			r = msgpullup_physreq(mp, -1, p);
			if (r == NULL) {
				bench_fail("pullup NULL");
				exit(1);
			}
			sink += r->b_rptr[0];
			freemsg(r);
		}
		ours[rep] = (now_ns() - t0) / n;
		t0 = now_ns();
		for (unsigned long i = 0; i < n; i++) {
			uchar_t *d = dst;

			for (mblk_t *x = mp; x != NULL; x = x->b_cont) {
				size_t l = (size_t)(x->b_wptr - x->b_rptr);

				memcpy(d, x->b_rptr, l);
				d += l;
			}
			sink += dst[i % total];
		}
		base[rep] = (now_ns() - t0) / n;
		t0 = now_ns();
		for (unsigned long i = 0; i < n; i++) {
			r = allocb_physreq((int)total, BPRI_MED, p);
			if (r == NULL) {
				bench_fail("allocb_physreq NULL");
				exit(1);
			}
			for (mblk_t *x = mp; x != NULL; x = x->b_cont) {
				size_t l = (size_t)(x->b_wptr - x->b_rptr);

				memcpy(r->b_wptr, x->b_rptr, l);
				r->b_wptr += l;
			}
			sink += r->b_rptr[0];
			freemsg(r);
		}
		hand[rep] = (now_ns() - t0) / n;
		t0 = now_ns();
		for (unsigned long i = 0; i < n; i++)
			sink += (size_t)msgdsize(mp);
		chk[rep] = (now_ns() - t0) / n;
	}
	freemsg(mp);
	if (!show)
		return;
	o = median_u64(ours, REPS);
	m = median_u64(base, REPS);
	h = median_u64(hand, REPS);
	k = median_u64(chk, REPS);
	printf("  %8zu %7u %9llu %10llu %10.0f%% %8s %9llu %7.2fx %8s %9llu "
	    "%7.2fx\n", total, nb, (unsigned long long)o,
	    (unsigned long long)m, o > 0 ? 100.0 * (double)m / (double)o : 0,
	    total >= 32 * KIB ? ">= 90%" : "-", (unsigned long long)h,
	    h > 0 ? (double)o / (double)h : 0, "<= 1.3x",
	    (unsigned long long)k,
	    h > 0 && o > k ? (double)(o - k) / (double)h : 0);
}

static void
bench_pullup(void)
{
	static const size_t totals[] = { 4 * KIB, 16 * KIB, 32 * KIB,
	    64 * KIB };
	static const unsigned nbs[] = { 1, 4, 16 };
	physreq_t *p;
	uchar_t *dst;

	machine_up();
	ddisim_cpu_set(3);		/* blocks above 4 GiB: all must move */
	p = preq(32, 4, 0, PREQ_PHYSCONTIG);
	dst = malloc(64 * KIB);
	printf("msgpullup_physreq(mp, -1) vs memcpy of the same bytes, and vs "
	    "allocb_physreq + memcpy by hand (32-bit, contiguous)\n");
	printf("  %8s %7s %9s %10s %11s %8s %9s %8s %8s %9s %8s\n", "bytes",
	    "blocks", "ours ns", "memcpy ns", "efficiency", "goal",
	    "by hand", "ratio", "goal", "checks ns", "less chk");
	/*
	 * The first row, timed once unshown: the first timings of a process
	 * came out slow in every column while the host CPU settled.
	 */
	pullup_row(totals[0], nbs[0], p, dst, false);
	for (size_t t = 0; t < sizeof(totals) / sizeof(totals[0]); t++)
		for (size_t b = 0; b < sizeof(nbs) / sizeof(nbs[0]); b++)
			pullup_row(totals[t], nbs[b], p, dst, true);
	free(dst);
	physreq_free(p);
	machine_down("pullup");
}

/* ---- msgphysreq of a conforming message ---- */

static void
bench_conforming(void)
{
	static const unsigned nbs[] = { 1, 4, 16 };
	physreq_t *p;

	machine_up();
	p = preq(32, 4, 0, 0);
	printf("\nmsgphysreq of a conforming message (no copy) vs msgdsize, "
	    "per block\n");
	printf("  %7s %12s %12s %8s\n", "blocks", "ours ns/blk",
	    "msgdsize ns", "ratio");
	for (size_t b = 0; b < sizeof(nbs) / sizeof(nbs[0]); b++) {
		mblk_t *mp = NULL, **tail = &mp;
		unsigned long n = rounds(200000 / nbs[b]);
		uint64_t ours[REPS], base[REPS], t0;

		for (unsigned i = 0; i < nbs[b]; i++) {
			*tail = allocb_physreq(512, BPRI_MED, p);
			(*tail)->b_wptr += 512;
			tail = &(*tail)->b_cont;
		}
		for (int rep = 0; rep < REPS; rep++) {
			t0 = now_ns();
			for (unsigned long i = 0; i < n; i++)
				if (msgphysreq(mp, p) != mp) {
					bench_fail("msgphysreq copied");
					exit(1);
				}
			ours[rep] = (now_ns() - t0) * 10 / n / nbs[b];
			t0 = now_ns();
			for (unsigned long i = 0; i < n; i++)
				sink += (size_t)msgdsize(mp);
			base[rep] = (now_ns() - t0) * 10 / n / nbs[b];
		}
		{
			uint64_t o = median_u64(ours, REPS);
			uint64_t m = median_u64(base, REPS);

			printf("  %7u %12.1f %12.1f %7.2fx\n", nbs[b],
			    (double)o / 10, (double)m / 10,
			    m > 0 ? (double)o / (double)m : 0);
		}
		freemsg(mp);
	}
	physreq_free(p);
	machine_down("conforming");
}

/* ---- allocb_physreq + freeb against allocb + freeb ---- */

static void
bench_alloc(void)
{
	static const int sizes[] = { 64, 512, 2048, 4096 };
	mblk_t *batch[64];
	physreq_t *p;

	machine_up();
	p = preq(32, 16, 0, 0);
	printf("\nallocb_physreq + freeb vs allocb + freeb (32-bit, "
	    "16-aligned), batches of 64\n");
	printf("  %6s %10s %10s %8s\n", "bytes", "ours ns", "allocb ns",
	    "ratio");
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		unsigned long n = rounds(4000);
		uint64_t ours[REPS], base[REPS], t0;

		for (int rep = -1; rep < REPS; rep++) {
			t0 = now_ns();
			for (unsigned long i = 0; i < n; i++) {
				for (int j = 0; j < 64; j++)
					if ((batch[j] = allocb_physreq(
					    sizes[s], BPRI_MED, p)) == NULL) {
						bench_fail("allocb_physreq");
						exit(1);
					}
				for (int j = 0; j < 64; j++)
					freeb(batch[j]);
			}
			if (rep >= 0)
				ours[rep] = (now_ns() - t0) / n / 64;
			t0 = now_ns();
			for (unsigned long i = 0; i < n; i++) {
				for (int j = 0; j < 64; j++)
					if ((batch[j] = allocb(sizes[s],
					    BPRI_MED)) == NULL) {
						bench_fail("allocb");
						exit(1);
					}
				for (int j = 0; j < 64; j++)
					freeb(batch[j]);
			}
			if (rep >= 0)
				base[rep] = (now_ns() - t0) / n / 64;
		}
		{
			uint64_t o = median_u64(ours, REPS);
			uint64_t m = median_u64(base, REPS);

			printf("  %6d %10llu %10llu %7.2fx\n", sizes[s],
			    (unsigned long long)o, (unsigned long long)m,
			    m > 0 ? (double)o / (double)m : 0);
		}
	}
	physreq_free(p);
	machine_down("alloc");
}

int
main(void)
{
	const char *s = getenv("DDISIM_BENCH_SCALE");
	const char *only = getenv("DDISIM_BENCH_ONLY");

	if (s != NULL && atof(s) > 0)
		bench_scale = atof(s);
	/* DDISIM_BENCH_ONLY=pullup|conforming|alloc: one section, to profile */
	if (only == NULL || strcmp(only, "pullup") == 0)
		bench_pullup();
	if (only == NULL || strcmp(only, "conforming") == 0)
		bench_conforming();
	if (only == NULL || strcmp(only, "alloc") == 0)
		bench_alloc();
	if (bench_failures > 0) {
		fprintf(stderr, "bench_streams: %u failures\n",
		    bench_failures);
		return 1;
	}
	return 0;
}
