/*
 * test_kmem.c - physreq and the kmem_alloc family (DDI 8 entry points).
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdatomic.h>
#include <time.h>
#include <unistd.h>

#include <jemalloc/jemalloc.h>

#include <sys/types.h>
#include <sys/kmem.h>
#include <sys/buf.h>
#include <sys/stream.h>
#include <sys/ddi.h>

#include "lib/testutil.h"
#include "kmem/arena.h"
#include "machine/machine.h"
#include "verify/verify.h"

#define PG	4096u

/*
 * Check that [va, va+size) meets p, page by page, and that it is one
 * physically contiguous segment where kmem_alloc_physreq may not scatter
 * (contig: the caller asked for that too).  Returns the number of
 * segments.
 */
static unsigned
check_buf(const void *va, size_t size, const physreq_t *p, bool contig)
{
	size_t nseg;
	const char *why = preq_unmet(va, size, p, &nseg);

	ck_assert_msg(why == NULL, "%s", why);
	if (contig || (p->phys_flags & PREQ_PHYSCONTIG) ||
	    p->phys_boundary != 0 || p->phys_align > PG || size <= PG)
		ck_assert_uint_eq(nseg, 1);
	return (unsigned)nseg;
}

/* ---- core ---- */

START_TEST(physreq_lifecycle)
{
	physreq_t *p;
	size_t out;

	MACHINE_UP("mem=256M");
	p = physreq_alloc(KM_NOSLEEP);
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(p->phys_align, 1);
	ck_assert_uint_eq(p->phys_boundary, 0);
	ck_assert_uint_eq(p->phys_dmasize, 0);
	ck_assert_uint_eq(p->phys_max_scgth, 0);
	ck_assert_uint_eq(p->phys_flags, 0);
	out = ddisim_outstanding();
	ck_assert_uint_eq(out, sizeof(physreq_t));
	ck_assert(physreq_prep(p, KM_NOSLEEP));
	physreq_free(p);
	MACHINE_DOWN();
}
END_TEST

/*
 * What this platform cannot support: physreq_prep fails, and the next
 * use of the physreq says why rather than "never prepped".  Under
 * verify=abort the prep makes no report (failing is its documented
 * answer); under count it reports too.
 */
static const struct {
	paddr_t		a, b;
	uchar_t		d, f;
	const char	*why;
} bad_preq[] = {
	{ 3, 0, 32, 0, "phys_align 0x3 is not a power of two" },
	{ 1, 3, 32, 0, "phys_boundary 0x3 is not a power of two" },
	{ 1, 0, 65, 0, "phys_dmasize 65 is over 64" },
	{ 1, 0, 32, 0x80, "phys_flags 0x80 has a flag other than "
	    "PREQ_PHYSCONTIG" },
	{ 8192, 4096, 32, 0, "phys_boundary 0x1000 is below the alignment "
	    "0x2000" },
	{ 6, 0, 0, 0, "phys_align 0x6 is not a power of two" },
	/* page 0 is never handed out: nothing below 4 KiB for the pool */
	{ 1, 0, 12, 0, "no page below the device's reach (12 bits) could "
	    "be set aside for its breakup pool" },
	{ 0, 0, 0, 0, "flags 0x40 are neither KM_SLEEP nor KM_NOSLEEP" },
};
#define NBAD_PREQ	(sizeof(bad_preq) / sizeof(bad_preq[0]))

#define LAST_HAS(text) ck_assert_msg(strstr(ddisim_verify_last(),	\
	(text)) != NULL, "report \"%s\" lacks \"%s\"",		\
	ddisim_verify_last(), (text))

/* Fill in bad_preq[i] and prep it: false, with whatever report. */
static void
prep_bad(physreq_t *p, size_t i)
{
	p->phys_align = bad_preq[i].a;
	p->phys_boundary = bad_preq[i].b;
	p->phys_dmasize = bad_preq[i].d;
	p->phys_flags = bad_preq[i].f;
	ck_assert_msg(!physreq_prep(p, i == NBAD_PREQ - 1 ? 0x40 : KM_SLEEP),
	    "case %zu", i);
}

START_TEST(physreq_unsupportable)
{
	size_t i = (size_t)_i;
	physreq_t *p;
	char want[200];

	MACHINE_UP("mem=256M,verify=count");
	p = preq_new(32, 1, 0, 0, 0);
	prep_bad(p, i);
	/* the prep says why (bad sleep flags are misuse: the same) */
	ck_assert_uint_eq(ddisim_verify_count(), 1);
	snprintf(want, sizeof(want), i == NBAD_PREQ - 1 ? "unknown flags "
	    "0x40" : "physreq_prep: physreq %p cannot be prepped: %s",
	    (void *)p, bad_preq[i].why);
	LAST_HAS(want);
	/* so does its next use, and nothing is allocated */
	ck_assert_ptr_null(kmem_alloc_physreq(64, p, KM_SLEEP));
	ck_assert_uint_eq(ddisim_verify_count(), 2);
	snprintf(want, sizeof(want), "kmem_alloc_physreq: physreq %p: its "
	    "last physreq_prep failed (%s)", (void *)p, bad_preq[i].why);
	LAST_HAS(want);
	/* changed since, and still not prepped: said so */
	p->phys_max_scgth = 9;
	ck_assert_ptr_null(kmem_alloc_physreq(64, p, KM_SLEEP));
	ck_assert_uint_eq(ddisim_verify_count(), 3);
	LAST_HAS("was changed after its last physreq_prep, which failed (");
	LAST_HAS(bad_preq[i].why);
	/* mended and prepped, it works */
	p->phys_align = 4;
	p->phys_boundary = 0;
	p->phys_dmasize = 32;
	p->phys_flags = 0;
	ck_assert(physreq_prep(p, KM_SLEEP));
	kmem_free(kmem_alloc_physreq(64, p, KM_SLEEP), 64);
	ck_assert_uint_eq(ddisim_verify_count(), 3);
	physreq_free(p);
	MACHINE_DOWN();
}
END_TEST

/*
 * Under verify=abort a value the platform cannot support fails the prep
 * quietly (bad sleep flags, the last case, are misuse and abort there);
 * the use reports, and aborts.
 */
START_TEST(physreq_unsupportable_aborts_at_use)
{
	size_t i = (size_t)_i;
	physreq_t *p;

	MACHINE_UP("mem=256M");
	p = preq_new(32, 1, 0, 0, 0);
	prep_bad(p, i);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	(void)kmem_alloc_physreq(64, p, KM_SLEEP);
}
END_TEST

/*
 * A physreq used after physreq_free, freed twice, or NULL: reported as
 * such under either audit level, and nothing else happens.
 */
#define NPREQ_FREED	5

static void
physreq_freed_body(int which)
{
	physreq_t *p = preq_new(32, 8, 0, 0, 0), *q = preq_new(32, 16, 0, 0, 0);
	bcb_t *bcb = bcb_alloc(KM_SLEEP);	/* before q's memory is free */
	size_t out;
	char want[160];

	physreq_free(q);
	out = ddisim_outstanding();
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	switch (which) {
	case 0:
		physreq_free(NULL);
		LAST_HAS("physreq_free: NULL physreq (called from ");
		break;
	case 1:
		ck_assert_ptr_null(kmem_alloc_physreq(64, q, KM_SLEEP));
		snprintf(want, sizeof(want), "kmem_alloc_physreq: physreq %p "
		    "was freed by physreq_free", (void *)q);
		LAST_HAS(want);
		break;
	case 2:
		physreq_free(q);
		snprintf(want, sizeof(want), "physreq_free: physreq %p was "
		    "freed already (physreq_free called twice)", (void *)q);
		LAST_HAS(want);
		break;
	case 3:
		ck_assert(!physreq_prep(q, KM_SLEEP));
		snprintf(want, sizeof(want), "physreq_prep: physreq %p was "
		    "freed by physreq_free", (void *)q);
		LAST_HAS(want);
		break;
	case 4:
		bcb->bcb_physreqp = q;
		bcb->bcb_addrtypes = BA_KVIRT;
		bcb->bcb_granularity = 512;
		ck_assert(!bcb_prep(bcb, KM_SLEEP));
		snprintf(want, sizeof(want), "bcb_prep: physreq %p was freed "
		    "by physreq_free", (void *)q);
		LAST_HAS(want);
		break;
	}
	/* One report; nothing freed or allocated; the other one works. */
	ck_assert_uint_eq(ddisim_verify_count(), 1);
	ck_assert_uint_eq(ddisim_outstanding(), out);
	kmem_free(kmem_alloc_physreq(64, p, KM_SLEEP), 64);
	physreq_free(p);
	bcb_free(bcb);
	ck_assert_uint_eq(ddisim_verify_count(), 1);
}

START_TEST(physreq_freed_counted)
{
	MACHINE_UP("mem=256M,verify=count");
	physreq_freed_body(_i);
	MACHINE_DOWN();
}
END_TEST

START_TEST(physreq_freed_counted_full)
{
	MACHINE_UP("mem=256M,verify=count,audit=full");
	physreq_freed_body(_i);
	MACHINE_DOWN();
}
END_TEST

START_TEST(physreq_freed_aborts)
{
	MACHINE_UP("mem=256M");
	physreq_freed_body(_i);
}
END_TEST

START_TEST(static_physreq)
{
	static physreq_t zero;		/* as real drivers declare them */
	void *b;

	MACHINE_UP("mem=256M");
	ck_assert(physreq_prep(&zero, KM_SLEEP));
	b = kmem_alloc_physreq(100, &zero, KM_SLEEP);
	ck_assert_ptr_nonnull(b);
	check_buf(b, 100, &zero, false);
	kmem_free(b, 100);
	MACHINE_DOWN();
}
END_TEST

START_TEST(canonical_requests)
{
	static const struct { size_t size; paddr_t a, b; uchar_t d, f; } rq[] = {
		{ 16384, 1, 65536, 24, PREQ_PHYSCONTIG },	/* ISA */
		{ 2048, 512, 0, 32, PREQ_PHYSCONTIG },		/* HBA CCB */
		{ 4096, 16, 4096, 32, 0 },			/* NIC ring */
		{ 68, 4, 4096, 32, 0 },				/* pool */
		{ 200, 8, 256, 32, 0 },				/* sub-page b */
		{ 100, 64, 0, 28, 0 },				/* odd dmasize */
		{ 3000, 1, 0, 24, 0 },
		{ 65536, 65536, 65536, 24, PREQ_PHYSCONTIG },
		{ 1 << 20, 1, 0, 32, 0 },
		{ 12288, 16384, 0, 40, 0 },			/* align > page */
		{ 100000, 1, 0, 64, 0 },
		{ 5000, 1, 8192, 31, 0 },
	};

	MACHINE_UP("frag=0.3");
	for (size_t i = 0; i < sizeof(rq) / sizeof(rq[0]); i++) {
		physreq_t *p = preq_new(rq[i].d, rq[i].a, rq[i].b, rq[i].f, 0);
		void *b = kmem_alloc_physreq(rq[i].size, p, KM_NOSLEEP);

		ck_assert_msg(b != NULL, "request %zu failed", i);
		ck_assert_uint_eq((uintptr_t)b % rq[i].a, 0);
		check_buf(b, rq[i].size, p, false);
		memset(b, 0xa5, rq[i].size);
		kmem_free(b, rq[i].size);
		physreq_free(p);
	}
	MACHINE_DOWN();
}
END_TEST

START_TEST(zalloc_zeroes)
{
	physreq_t *p;
	unsigned char *b;

	MACHINE_UP("mem=256M,nodes=1,cpus=1");
	p = preq_new(32, 1, 0, 0, 0);
	for (int round = 0; round < 2; round++) {
		b = kmem_alloc_physreq(3000, p, KM_SLEEP);
		memset(b, 0xff, 3000);
		kmem_free(b, 3000);
		b = kmem_zalloc_physreq(3000, p, KM_SLEEP);
		for (int i = 0; i < 3000; i++)
			ck_assert_uint_eq(b[i], 0);
		kmem_free(b, 3000);
		b = kmem_zalloc(20000, KM_SLEEP);
		for (int i = 0; i < 20000; i++)
			ck_assert_uint_eq(b[i], 0);
		kmem_free(b, 20000);
	}
	physreq_free(p);
	MACHINE_DOWN();
}
END_TEST

START_TEST(alloc_phys_address)
{
	physreq_t *p32, *p40;
	paddr32_t w[2] = { 0, 0 };
	uint64_t pa;
	void *b;

	MACHINE_UP(NULL);
	p32 = preq_new(32, 64, 0, 0, 0);
	b = kmem_alloc_phys(10000, p32, w, 0);
	ck_assert_ptr_nonnull(b);
	ck_assert_int_eq(ddisim_vtop(b, &pa), 0);
	ck_assert_uint_eq(w[0], pa);
	check_buf(b, 10000, p32, true);
	kmem_free(b, 10000);
	/* 40 bits from a node-1 CPU: above 4 GiB, two words. */
	ddisim_cpu_set(2);
	p40 = preq_new(40, 4096, 0, 0, 0);
	b = kmem_alloc_phys(8192, p40, w, KM_FAIL_OK);
	ck_assert_ptr_nonnull(b);
	ck_assert_int_eq(ddisim_vtop(b, &pa), 0);
	ck_assert_uint_ge(pa, UINT64_C(1) << 32);
	ck_assert_uint_eq(((uint64_t)w[1] << 32) | w[0], pa);
	kmem_free(b, 8192);
	physreq_free(p32);
	physreq_free(p40);
	MACHINE_DOWN();
}
END_TEST

START_TEST(scattered_but_coherent)
{
	physreq_t *p;
	unsigned char *b;
	size_t size = 10 * PG;
	unsigned nseg;

	MACHINE_UP("scatter=1");
	p = preq_new(32, 1, 0, 0, 0);
	b = kmem_alloc_physreq(size, p, KM_SLEEP);
	nseg = check_buf(b, size, p, false);
	ck_assert_uint_eq(nseg, 10);
	{
		struct ddisim_seg seg[3];

		/* all ten counted, the first three described */
		ck_assert_uint_eq(ddisim_segments(b, size, seg, 3), 10);
		ck_assert_int_eq(ddisim_vtop(b, &seg[1].pa), 0);
		ck_assert_uint_eq(seg[0].pa, seg[1].pa);
		ck_assert_uint_eq(seg[0].len, PG);
	}
	/* The same bytes seen through the direct map of each page. */
	for (size_t i = 0; i < size; i++)
		b[i] = (unsigned char)(i * 7);
	for (size_t off = 0; off < size; off += PG) {
		uint64_t pa;
		unsigned char *d;

		ck_assert_int_eq(ddisim_vtop(b + off, &pa), 0);
		d = ddisim_ptov(pa);
		ck_assert_ptr_nonnull(d);
		ck_assert_ptr_ne(d, b + off);
		for (size_t i = 0; i < PG; i++)
			ck_assert_uint_eq(d[i], (unsigned char)((off + i) * 7));
	}
	kmem_free(b, size);
	/* With a contiguity requirement, never scattered. */
	physreq_free(p);
	p = preq_new(32, 1, 0, PREQ_PHYSCONTIG, 0);
	b = kmem_alloc_physreq(size, p, KM_SLEEP);
	ck_assert_uint_eq(check_buf(b, size, p, true), 1);
	kmem_free(b, size);
	physreq_free(p);
	MACHINE_DOWN();
}
END_TEST

/* The node whose RAM holds physical address pa, or -1. */
static int
node_of(const struct ddisim_info *di, uint64_t pa)
{
	for (unsigned i = 0; i < di->nranges; i++)
		if (pa >= di->range[i].start && pa < di->range[i].end)
			return di->range[i].node;
	return -1;
}

/* The DDI 6-7.1 binding of kmem_alloc_physreq: nothing at or above 4 GiB. */
void	*_Compat_kmem_alloc_physreq7(size_t, physreq_t *, int);

/*
 * The thread's physreq memo (a repeat of the last physreq goes straight
 * to its magazine) against what each call must give: random small
 * requests through four physregs, at two interface levels, from CPUs of
 * both nodes, with every field of a physreq changed after its memo is
 * warm now and then.  Each object lies under its window (4 GiB at the
 * DDI 7 level whatever the physreq says), is aligned, and comes from the
 * CPU's own node when the window is all of memory; a changed physreq is
 * refused with one report, and works again once put back.
 */
START_TEST(physreq_memo)
{
	static const struct { unsigned d; uint64_t a; } kinds[] = {
		{ 64, 8 }, { 32, 16 }, { 40, 4 }, { 64, 16 } };
	physreq_t *p[4];
	struct { void *va; size_t size; } held[64];
	unsigned nheld = 0;
	long iters = prop_floor(prop_iters(20000), 2000), refused = 0;
	long node1 = 0;
	struct ddisim_info di;

	/* RAM of both nodes above 4 GiB: each has an arena of its own there */
	MACHINE_UP("mem=16G,nodes=2:8G,cpus=4,verify=count");
	ddisim_info(&di);
	for (int k = 0; k < 4; k++)
		p[k] = preq_new(kinds[k].d, kinds[k].a, 0, 0, 0);
	prop_seed(23);
	for (long it = 0; it < iters; it++) {
		unsigned k = (unsigned)rndn(4);
		bool ddi7 = rndn(4) == 0;
		void *(*alloc)(size_t, physreq_t *, int) = ddi7 ?
		    _Compat_kmem_alloc_physreq7 : kmem_alloc_physreq;
		size_t size = 1 + rndn(rndn(4) == 0 ? 4000 : 256);
		uint64_t high, pa;
		void *va;

		if (rndn(16) == 0)
			ddisim_cpu_set((int)rndn(4));
		if (nheld == 64 || (nheld > 0 && rndn(2) == 0)) {
			unsigned j = (unsigned)rndn(nheld);

			kmem_free(held[j].va, held[j].size);
			held[j] = held[--nheld];
			continue;
		}
		if (rndn(64) == 0) {
			/* one field changed after prep, the memo warm */
			physreq_t save = *p[k];
			unsigned long before = ddisim_verify_count();
			void *w = alloc(size, p[k], KM_SLEEP);

			ck_assert_ptr_nonnull(w);
			switch (rndn(5)) {
			case 0: p[k]->phys_align *= 2; break;
			case 1: p[k]->phys_boundary = 1u << 16; break;
			case 2: p[k]->phys_dmasize = 24; break;
			case 3: p[k]->phys_max_scgth = 3; break;
			case 4: p[k]->phys_flags |= PREQ_PHYSCONTIG; break;
			}
			ck_assert_ptr_null(alloc(size, p[k], KM_SLEEP));
			ck_assert_uint_eq(ddisim_verify_count(), before + 1);
			ck_assert_ptr_nonnull(strstr(ddisim_verify_last(),
			    "physreq"));
			*p[k] = save;
			kmem_free(w, size);
			refused++;
			continue;
		}
		va = alloc(size, p[k], KM_SLEEP);
		ck_assert_ptr_nonnull(va);
		ck_assert_int_eq(ddisim_vtop(va, &pa), 0);
		ck_assert_uint_eq((uintptr_t)va % kinds[k].a, 0);
		high = kinds[k].d >= 64 ? UINT64_MAX :
		    UINT64_C(1) << kinds[k].d;
		if (ddi7 && high > (UINT64_C(1) << 32))
			high = UINT64_C(1) << 32;
		ck_assert_uint_le(pa + size, high);
		/* a whole window: the CPU's own node (CPUs 2-3: node 1) */
		if (high == UINT64_MAX) {
			ck_assert_int_eq(node_of(&di, pa), ddisim_cpu_get() / 2);
			node1 += ddisim_cpu_get() / 2;
		}
		held[nheld].va = va;
		held[nheld++].size = size;
	}
	while (nheld > 0) {
		nheld--;
		kmem_free(held[nheld].va, held[nheld].size);
	}
	ck_assert_int_gt(refused, 0);
	ck_assert_int_gt(node1, 0);
	/*
	 * A warm memo for memory above 8 GiB, then a smaller machine on
	 * which the same physreq is interned alike and the thread is on the
	 * same CPU: the memo is stale and must not serve.
	 */
	{
		void *a, *b;
		unsigned long reports;
		uint64_t pa;

		ddisim_cpu_set(2);
		a = kmem_alloc_physreq(64, p[0], KM_SLEEP);

		kmem_free(a, 64);
		for (int k = 0; k < 4; k++)
			physreq_free(p[k]);
		MACHINE_DOWN();
		MACHINE_UP("mem=256M,cpus=4,verify=count");
		ddisim_cpu_set(2);
		reports = ddisim_verify_count();
		p[0] = preq_new(kinds[0].d, kinds[0].a, 0, 0, 0);
		b = kmem_alloc_physreq(64, p[0], KM_SLEEP);
		ck_assert_ptr_nonnull(b);
		ck_assert_int_eq(ddisim_vtop(b, &pa), 0);
		ck_assert_uint_eq(ddisim_verify_count(), reports);
		kmem_free(b, 64);
		physreq_free(p[0]);
		ck_assert_uint_eq(ddisim_outstanding(), 0);
	}
	MACHINE_DOWN();
}
END_TEST

START_TEST(zone_escape)
{
	physreq_t *p64, *p32;
	void *obj[512];
	uint64_t pa;

	MACHINE_UP(NULL);
	ddisim_cpu_set(2);		/* node 1: RAM only above 4 GiB */
	p64 = preq_new(64, 16, 0, 0, 0);
	p32 = preq_new(32, 16, 0, 0, 0);
	for (int round = 0; round < 4; round++) {
		for (int i = 0; i < 512; i++) {
			obj[i] = kmem_alloc_physreq(64 + (size_t)(i % 8) * 32,
			    p64, KM_SLEEP);
			ck_assert_int_eq(ddisim_vtop(obj[i], &pa), 0);
			ck_assert_uint_ge(pa, UINT64_C(1) << 32);
		}
		for (int i = 0; i < 512; i++)
			kmem_free(obj[i], 64 + (size_t)(i % 8) * 32);
		/* The same sizes below 4 GiB must not reuse those objects. */
		for (int i = 0; i < 512; i++) {
			obj[i] = kmem_alloc_physreq(64 + (size_t)(i % 8) * 32,
			    p32, KM_SLEEP);
			ck_assert_int_eq(ddisim_vtop(obj[i], &pa), 0);
			ck_assert_uint_lt(pa, UINT64_C(1) << 32);
		}
		for (int i = 0; i < 512; i++)
			kmem_free(obj[i], 64 + (size_t)(i % 8) * 32);
		/* And the process heap never sees simulated RAM. */
		for (int i = 0; i < 512; i++) {
			obj[i] = malloc(64 + (size_t)(i % 8) * 32);
			ck_assert_int_eq(ddisim_vtop(obj[i], &pa), EFAULT);
		}
		for (int i = 0; i < 512; i++)
			free(obj[i]);
	}
	physreq_free(p64);
	physreq_free(p32);
	MACHINE_DOWN();
}
END_TEST

/* ---- sleeping ---- */

static physreq_t *isa;
static atomic_int sleeper_done;
static void *sleeper_buf;

static atomic_int sleeper_tid;

static void *
sleeper(void *arg)
{
	(void)arg;
	sleeper_tid = tid_self();
	sleeper_buf = kmem_alloc_physreq(PG, isa, KM_SLEEP);
	sleeper_done = 1;
	return NULL;
}

START_TEST(sleep_waits_for_free)
{
	void *held[4096];
	int n = 0;
	pthread_t t;

	MACHINE_UP("mem=64M,nodes=1,cpus=2");
	isa = preq_new(24, PG, 0, PREQ_PHYSCONTIG, 0);
	while (n < 4096 && (held[n] = kmem_alloc_physreq(PG, isa,
	    KM_NOSLEEP)) != NULL)
		n++;
	ck_assert_int_gt(n, 3000);
	ck_assert_int_lt(n, 4096);
	sleeper_done = 0;
	sleeper_tid = 0;
	pthread_create(&t, NULL, sleeper, NULL);
	while (sleeper_tid == 0)
		sched_yield();
	(void)tid_wait_asleep(sleeper_tid);
	ck_assert_int_eq(sleeper_done, 0);	/* still waiting */
	kmem_free(held[--n], PG);
	pthread_join(t, NULL);
	ck_assert_int_eq(sleeper_done, 1);
	ck_assert_ptr_nonnull(sleeper_buf);
	check_buf(sleeper_buf, PG, isa, true);
	kmem_free(sleeper_buf, PG);
	while (n > 0)
		kmem_free(held[--n], PG);
	physreq_free(isa);
	MACHINE_DOWN();
}
END_TEST

START_TEST(sleep_deadline_reports)
{
	physreq_t *p;

	MACHINE_UP("mem=64M,verify=count,sleeplimit=100");
	p = preq_new(24, PG, 0, PREQ_PHYSCONTIG, 0);
	ck_assert_ptr_null(kmem_alloc_physreq(32 << 20 >> 1, p, KM_SLEEP));
	ck_assert_uint_eq(ddisim_verify_count(), 1);
	ck_assert_ptr_nonnull(strstr(ddisim_verify_last(),
	    "kmem_alloc_physreq"));
	physreq_free(p);
	MACHINE_DOWN();
}
END_TEST

START_TEST(fault_injection)
{
	char pattern[2][200];

	for (int run = 0; run < 2; run++) {
		int fails = 0;

		MACHINE_UP("mem=256M,failrate=0.3,seed=9");
		for (int i = 0; i < 200; i++) {
			void *b = kmem_alloc(64, KM_NOSLEEP);

			pattern[run][i] = b == NULL;
			fails += b == NULL;
			if (b != NULL)
				kmem_free(b, 64);
			/* KM_SLEEP is never injected */
			b = kmem_alloc(64, KM_SLEEP);
			ck_assert_ptr_nonnull(b);
			kmem_free(b, 64);
		}
		ck_assert_int_gt(fails, 30);
		ck_assert_int_lt(fails, 90);
		MACHINE_DOWN();
	}
	ck_assert_mem_eq(pattern[0], pattern[1], sizeof(pattern[0]));
}
END_TEST

/* ---- limits ---- */

START_TEST(limits)
{
	physreq_t *p, *b4k;

	MACHINE_UP("mem=256M,verify=count");
	p = preq_new(24, 1, 0, PREQ_PHYSCONTIG, 0);
	b4k = preq_new(32, 1, 4096, 0, 0);
	ck_assert_ptr_null(kmem_alloc(0, KM_SLEEP));
	ck_assert_ptr_null(kmem_alloc_physreq(0, p, KM_SLEEP));
	kmem_free(NULL, 0);		/* size 0: no-op */
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	/* more than the ISA zone holds, contiguous */
	ck_assert_ptr_null(kmem_alloc_physreq(17 << 20, p, KM_NOSLEEP));
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	/* larger than the boundary: a report, then NULL */
	ck_assert_ptr_null(kmem_alloc_physreq(4097, b4k, KM_SLEEP));
	ck_assert_uint_eq(ddisim_verify_count(), 1);
	ck_assert_ptr_null(kmem_alloc((size_t)1 << 41, KM_NOSLEEP));
	ck_assert_uint_eq(ddisim_verify_count(), 2);
	physreq_free(p);
	physreq_free(b4k);
	MACHINE_DOWN();
}
END_TEST

/* ---- misuse: each once expecting the abort, once counted ---- */

static char not_heap[64];

static void
misuse_body(int which)
{
	physreq_t *p = preq_new(32, 1, 0, 0, 0), changed, never = { 0 };
	void *a = kmem_alloc(100, KM_SLEEP), *big = kmem_alloc(3 * PG, KM_SLEEP);
	size_t out = ddisim_outstanding();

	switch (which) {
	case 0: kmem_free(a, 100); kmem_free(a, 100); a = NULL; break;
	case 1: kmem_free(a, 2000); a = NULL; break;	/* wrong class */
	case 2: kmem_free(not_heap, 64); break;
	case 3: kmem_free((char *)a + 16, 84); break;	/* interior */
	case 4: ck_assert_ptr_null(kmem_alloc_physreq(64, &never, 0)); break;
	case 5:
		p->phys_dmasize = 24;		/* changed after prep */
		ck_assert_ptr_null(kmem_alloc_physreq(64, p, 0));
		p->phys_dmasize = 32;
		break;
	case 6: physreq_free(&changed); break;	/* not from physreq_alloc */
	case 7: ck_assert_ptr_null(kmem_alloc(64, 0x40)); break;
	case 8: kmem_free(big, 7 * PG); big = NULL; break;
	case 9: kmem_free(malloc(0) , 1); break;
	}
	/* Under verify=count: one report, nothing corrupted or leaked. */
	ck_assert_uint_eq(ddisim_verify_count(), 1);
	if (which == 0 || which == 1 || which == 8)
		ck_assert_uint_lt(ddisim_outstanding(), out);
	else
		ck_assert_uint_eq(ddisim_outstanding(), out);
	if (a != NULL)
		kmem_free(a, 100);
	if (big != NULL)
		kmem_free(big, 3 * PG);
	a = kmem_alloc(100, KM_SLEEP);
	kmem_free(a, 100);
	physreq_free(p);
	ck_assert_uint_eq(ddisim_verify_count(), 1);
}

MISUSE_TEST_PAIR(misuse_body, "mem=256M")

START_TEST(full_audit)
{
	physreq_t *p;
	unsigned char *a, *b;

	MACHINE_UP("mem=256M,audit=full,verify=count");
	p = preq_new(32, 1, 0, 0, 0);
	/* exact size: a free within the size class is still wrong */
	a = kmem_alloc_physreq(100, p, KM_SLEEP);
	kmem_free(a, 104);
	ck_assert_uint_eq(ddisim_verify_count(), 1);
	/* red zone after a small object, and after a page-level buffer */
	a = kmem_alloc_physreq(100, p, KM_SLEEP);
	a[100] = 0;
	kmem_free(a, 100);
	ck_assert_uint_eq(ddisim_verify_count(), 2);
	ck_assert_ptr_nonnull(strstr(ddisim_verify_last(), "red zone"));
	b = kmem_alloc(5000, KM_SLEEP);
	b[5000] = 0;
	kmem_free(b, 5000);
	ck_assert_uint_eq(ddisim_verify_count(), 3);
	/* clean use makes no report; the leak report names the caller */
	a = kmem_alloc_physreq(100, p, KM_SLEEP);
	memset(a, 1, 100);
	ck_assert_uint_eq(ddisim_leak_report(NULL), 2);
	kmem_free(a, 100);
	ck_assert_uint_eq(ddisim_verify_count(), 3);
	physreq_free(p);
	MACHINE_DOWN();
}
END_TEST

/*
 * Every audit level checks the exact size: the sizes a size class or a
 * page count would hide are each one report, which names both sizes, and
 * the memory is freed all the same.
 */
static const struct {
	size_t	size, freed;
} wrong_sizes[] = {
	{ 4096, 2048 }, { 4096, 4000 }, { 5000, 6000 }, { 5000, 8192 },
	{ 100, 104 }, { 100, 112 }, { 100, 99 }, { 24, 16 }, { 16, 24 },
	{ 3 * 4096, 3 * 4096 - 1 }, { 4095, 4096 },
};
#define NWRONG_SIZES	(sizeof(wrong_sizes) / sizeof(wrong_sizes[0]))

START_TEST(wrong_size_any_audit)
{
	size_t i = (size_t)_i % NWRONG_SIZES;
	size_t size = wrong_sizes[i].size, freed = wrong_sizes[i].freed;
	char want[128];
	void *a;

	MACHINE_UP(_i < (int)NWRONG_SIZES ? "mem=256M,verify=count" :
	    "mem=256M,verify=count,audit=full");
	a = kmem_alloc(size, KM_SLEEP);
	ck_assert_ptr_nonnull(a);
	kmem_free(a, freed);
	snprintf(want, sizeof(want), "kmem_free: %p was allocated with size "
	    "%zu, freed with size %zu (called from ", a, size, freed);
	REPORTED(0, want);
	ck_assert_uint_eq(ddisim_outstanding(), 0);
	MACHINE_DOWN();
}
END_TEST

/*
 * Blocks of 2^k pages are checked as every other allocation under both
 * audit levels: a free of memory another allocator made is reported and
 * leaves it alone, a second free is reported, and a leak is listed under
 * the name of the function that made it, with its size.
 */
START_TEST(page_blocks_checked_any_audit)
{
	static const size_t sizes[] = { 4096, 8192, 12288, 16384, 65536 };
	physreq_t *p;
	buf_t *bp;
	char want[160], *text;
	size_t base, out;
	void *a;

	MACHINE_UP(_i == 0 ? "mem=256M,verify=count" :
	    "mem=256M,verify=count,audit=full");
	p = preq_new(32, 4096, 0, 0, 0);
	base = ddisim_outstanding();		/* the physreq */
	/* geteblk's data is freed by brelse alone */
	bp = ngeteblk(8192);
	ck_assert_ptr_nonnull(bp);
	out = ddisim_outstanding();
	kmem_free(bp->b_un.b_addr, 8192);
	snprintf(want, sizeof(want), "kmem_free: %p came from geteblk, which "
	    "this function does not free (called from ",
	    (void *)bp->b_un.b_addr);
	REPORTED(0, want);
	ck_assert_uint_eq(ddisim_outstanding(), out);
	brelse(bp);
	ck_assert_uint_eq(ddisim_verify_count(), 1);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		unsigned long before = ddisim_verify_count();

		a = kmem_alloc_physreq(sizes[i], p, KM_SLEEP);
		ck_assert_ptr_nonnull(a);
		kmem_free(a, sizes[i]);
		ck_assert_uint_eq(ddisim_verify_count(), before);
		kmem_free(a, sizes[i]);
		snprintf(want, sizeof(want), "kmem_free: %p is not allocated "
		    "memory (freed twice", a);
		REPORTED(before, want);
	}
	ck_assert_uint_eq(ddisim_outstanding(), base);
	a = kmem_alloc_physreq(8192, p, KM_SLEEP);
	ck_assert_uint_eq(leak_report_text(&text), 2);	/* and the physreq */
	snprintf(want, sizeof(want), "ddicompat: leak: kmem_alloc_physreq of "
	    "8192 bytes at %p", a);
	ck_assert_msg(strstr(text, want) != NULL, "\"%s\" lacks \"%s\"",
	    text, want);
	free(text);
	kmem_free(a, 8192);
	ck_assert_uint_eq(leak_report_text(&text), 1);
	free(text);
	physreq_free(p);
	MACHINE_DOWN();
}
END_TEST

/*
 * The library's malloc_conf is the one jemalloc read: linked before
 * jemalloc, as pkg-config puts it, it turns retain off, which the arenas
 * need (ddicompat(7)).
 */
START_TEST(jemalloc_runs_without_retain)
{
	bool retain = true;
	size_t sz = sizeof(retain);

	ck_assert_int_eq(mallctl("opt.retain", &retain, &sz, NULL, 0), 0);
	ck_assert(!retain);
}
END_TEST

/*
 * What an arena caches goes back to the page allocator when a request
 * runs short: this thread's magazines and tcaches, and the arenas' dirty
 * extents, including those that objects of an exited thread left.
 */
static void *
gives_back_churn(void *arg)
{
	physreq_t *p = arg;
	static void *obj[20000];

	for (int i = 0; i < 20000; i++)
		ck_assert_ptr_nonnull(obj[i] = kmem_alloc_physreq(2048, p,
		    KM_NOSLEEP));
	for (int i = 0; i < 20000; i++)
		kmem_free(obj[i], 2048);
	return NULL;
}

START_TEST(arena_gives_back)
{
	physreq_t *p, *big;
	void *run;
	pthread_t t;

	MACHINE_UP("mem=128M,nodes=1,cpus=1");
	p = preq_new(32, 8, 0, 0, 0);
	big = preq_new(32, PG, 0, PREQ_PHYSCONTIG, 0);
	for (int round = 0; round < 2; round++) {
		if (round == 0) {
			(void)gives_back_churn(p);	/* in this thread */
		} else {
			ck_assert_int_eq(pthread_create(&t, NULL,
			    gives_back_churn, p), 0);
			ck_assert_int_eq(pthread_join(t, NULL), 0);
		}
		/* 100 MiB contiguous needs nearly all of the 112 MiB zone. */
		run = kmem_alloc_physreq(100 << 20, big, KM_NOSLEEP);
		ck_assert_ptr_nonnull(run);
		kmem_free(run, 100 << 20);
	}
	physreq_free(p);
	physreq_free(big);
	MACHINE_DOWN();
}
END_TEST

/*
 * Stop the time-based decay of the arena that holds obj, so that what it
 * keeps depends on the allocations alone, not on how long they took.
 */
static void
arena_decay_off(const void *obj)
{
	unsigned ind;
	size_t sz = sizeof(ind);
	ssize_t never = -1;
	char name[64];

	ck_assert_int_eq(mallctl("arenas.lookup", &ind, &sz, &obj,
	    sizeof(obj)), 0);
	snprintf(name, sizeof(name), "arena.%u.dirty_decay_ms", ind);
	ck_assert_int_eq(mallctl(name, NULL, NULL, &never, sizeof(never)), 0);
}

/*
 * An arena reuses the memory its freed objects held: a second round of
 * the same allocations takes no new pages from the page allocator.
 */
START_TEST(arena_reuses_memory)
{
	physreq_t *p;
	static void *obj[20000];
	uint64_t after_first = 0;
	struct ddisim_info di;

	MACHINE_UP("mem=128M,nodes=1,cpus=1");
	p = preq_new(32, 8, 0, 0, 0);
	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < 20000; i++) {
			obj[i] = kmem_alloc_physreq(2048, p, KM_NOSLEEP);
			ck_assert_ptr_nonnull(obj[i]);
			if (round == 0 && i == 0)
				arena_decay_off(obj[0]);
		}
		for (int i = 0; i < 20000; i++)
			kmem_free(obj[i], 2048);
		ddisim_info(&di);
		if (round == 0)
			after_first = di.free_pages[0][1];
		else	/* a page or two may sit in per-CPU caches */
			ck_assert_uint_ge(di.free_pages[0][1] + 64,
			    after_first);
	}
	physreq_free(p);
	MACHINE_DOWN();
}
END_TEST

/*
 * Aliases are scarce (vm.max_map_count): running out of them fails like a
 * memory shortage, and freeing brings them back.
 */
START_TEST(alias_exhaustion)
{
	static void *b[40000];
	size_t n = 0;

	/* A budget of 3000 mappings: each two-run alias takes three. */
	MACHINE_UP("mem=1G,scatter=1,maps=3000");
	while (n < 40000 && (b[n] = kmem_alloc(2 * PG, KM_NOSLEEP)) != NULL) {
		size_t ns;
		struct ddisim_seg seg[2];

		ns = ddisim_segments(b[n], 2 * PG, seg, 2);
		ck_assert_uint_eq(ns, 2);
		n++;
	}
	/* the map budget ran out long before RAM did */
	ck_assert_uint_eq(n, 1000);
	kmem_free(b[--n], 2 * PG);
	b[n] = kmem_alloc(2 * PG, KM_NOSLEEP);
	ck_assert_ptr_nonnull(b[n]);
	n++;
	while (n > 0)
		kmem_free(b[--n], 2 * PG);
	MACHINE_DOWN();
}
END_TEST

/*
 * The context check the kernel-environment layer plugs in: a blocking
 * request where blocking is forbidden is reported, then served as a
 * non-blocking one; kmem_alloc_phys, base context only, fails.
 */
static bool
at_interrupt_level(const char **why)
{
	*why = "is at interrupt level";
	return false;
}

START_TEST(blocking_context_checked)
{
	physreq_t *p;
	paddr32_t pa;
	void *b;

	MACHINE_UP("mem=256M,verify=count");
	p = preq_new(32, 1, 0, 0, 0);
	/* as the kernel layer does for a context that may forbid blocking */
	verify_block_register(at_interrupt_level);
	verify_ctx_raised = true;
	b = kmem_alloc(100, KM_SLEEP);
	ck_assert_ptr_nonnull(b);
	ck_assert_uint_eq(ddisim_verify_count(), 1);
	ck_assert_ptr_nonnull(strstr(ddisim_verify_last(), "interrupt level"));
	kmem_free(b, 100);
	b = kmem_alloc(100, KM_NOSLEEP);	/* allowed anywhere */
	ck_assert_uint_eq(ddisim_verify_count(), 1);
	kmem_free(b, 100);
	ck_assert_ptr_null(kmem_alloc_phys(100, p, &pa, KM_FAIL_OK));
	ck_assert_uint_eq(ddisim_verify_count(), 2);
	verify_ctx_raised = false;
	verify_block_register(NULL);
	physreq_free(p);
	MACHINE_DOWN();
}
END_TEST

/* Findings of review, kept as regression tests. */

START_TEST(sleep_deadline_scattered)
{
	struct timespec t0, t1;

	/* Every retry gives back its partial runs; the deadline holds. */
	MACHINE_UP("mem=64M,sleeplimit=300,verify=count");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_ptr_null(kmem_alloc(128 << 20, KM_SLEEP));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ck_assert_uint_eq(ddisim_verify_count(), 1);
	ck_assert_int_lt(t1.tv_sec - t0.tv_sec, 5);
	MACHINE_DOWN();
}
END_TEST

START_TEST(boundary_below_min_block)
{
	physreq_t *p;
	void *b[100];

	MACHINE_UP("mem=256M");
	p = preq_new(32, 1, 4, 0, 0);
	for (int i = 0; i < 100; i++) {
		b[i] = kmem_alloc_physreq(1 + i % 4, p, KM_NOSLEEP);
		ck_assert_ptr_nonnull(b[i]);
		check_buf(b[i], 1 + i % 4, p, true);
	}
	for (int i = 0; i < 100; i++)
		kmem_free(b[i], 1 + i % 4);
	physreq_free(p);
	MACHINE_DOWN();
}
END_TEST

/*
 * Objects with a boundary are packed at the stride dma_pool uses: a
 * 68-byte object needs no more than 4-byte alignment (its size is not a
 * multiple of 8), so 60 of them share a 4 KiB page, each inside its
 * boundary window, none overlapping another, all word aligned.
 */
START_TEST(boundary_packing_stride)
{
	enum { N = 600 };
	static const struct { size_t size, align; unsigned perpage; } t[] = {
		{ 68, 0, 60 }, { 68, 4, 60 }, { 68, 8, 56 }, { 70, 1, 56 },
		{ 72, 0, 56 }, { 64, 0, 64 }, { 100, 2, 40 },
	};

	MACHINE_UP("mem=256M");
	for (unsigned k = 0; k < sizeof(t) / sizeof(t[0]); k++) {
		physreq_t *p = preq_new(32, t[k].align, PG, 0, 0);
		size_t sz = t[k].size, natural = sz & -sz;
		uint8_t *b[N];
		uint64_t pa[N];
		unsigned most = 0, run = 0;

		if (natural > 16)
			natural = 16;
		for (int i = 0; i < N; i++) {
			b[i] = kmem_alloc_physreq(sz, p, KM_NOSLEEP);
			ck_assert_ptr_nonnull(b[i]);
			check_buf(b[i], sz, p, true);
			ck_assert_uint_eq((uintptr_t)b[i] % 4, 0);
			ck_assert_uint_eq((uintptr_t)b[i] %
			    (natural < 4 ? 4 : natural), 0);
			memset(b[i], i & 0xff, sz);
			ck_assert_int_eq(ddisim_vtop(b[i], &pa[i]), 0);
		}
		for (int i = 0; i < N; i++) {
			for (size_t j = 0; j < sz; j++)
				ck_assert_uint_eq(b[i][j], (unsigned)(i & 0xff));
			/* a fresh machine fills its pages in address order */
			run = i > 0 && pa[i] / PG == pa[i - 1] / PG ? run + 1 : 1;
			if (run > most)
				most = run;
		}
		ck_assert_uint_eq(most, t[k].perpage);
		for (int i = 0; i < N; i++)
			kmem_free(b[i], sz);
		physreq_free(p);
	}
	MACHINE_DOWN();
}
END_TEST

/*
 * A block that starts 4 bytes into a shadow granule: pointers 4 bytes
 * off either way are not its start, a second free is caught, and the
 * leak report names its true address.
 */
START_TEST(word_aligned_block_misuse)
{
	physreq_t *p;
	uint8_t *a, *b;
	unsigned long n;
	char buf[4096], want[64];
	FILE *f;
	size_t base, nbase;

	MACHINE_UP("mem=256M,verify=count");
	p = preq_new(32, 4, PG, 0, 0);
	base = ddisim_outstanding();	/* the physreq */
	nbase = ddisim_leak_report(NULL);
	a = kmem_alloc_physreq(68, p, KM_NOSLEEP);
	b = kmem_alloc_physreq(68, p, KM_NOSLEEP);
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	if ((uintptr_t)b % 8 == 0) {	/* make b the one at 4 mod 8 */
		uint8_t *t = a;

		a = b;
		b = t;
	}
	ck_assert_uint_eq((uintptr_t)b % 8, 4);
	n = ddisim_verify_count();
	kmem_free(b - 4, 68);
	ck_assert_uint_eq(ddisim_verify_count(), n + 1);
	ck_assert_ptr_nonnull(strstr(ddisim_verify_last(), "not allocated"));
	kmem_free(b + 4, 68);
	ck_assert_uint_eq(ddisim_verify_count(), n + 2);
	kmem_free(a + 4, 68);
	ck_assert_uint_eq(ddisim_verify_count(), n + 3);
	ck_assert_uint_eq(ddisim_outstanding(), base + 136);
	f = fmemopen(buf, sizeof(buf), "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(ddisim_leak_report(f), nbase + 2);
	fclose(f);
	snprintf(want, sizeof(want), "68 bytes at %p ", (void *)b);
	ck_assert_msg(strstr(buf, want) != NULL, "no \"%s\" in %s", want,
	    buf);
	kmem_free(b, 68);
	ck_assert_uint_eq(ddisim_verify_count(), n + 3);
	kmem_free(b, 68);
	ck_assert_uint_eq(ddisim_verify_count(), n + 4);
	kmem_free(a, 68);
	ck_assert_uint_eq(ddisim_verify_count(), n + 4);
	physreq_free(p);
	MACHINE_DOWN();
}
END_TEST

START_TEST(large_machine_pages)
{
	physreq_t *p;
	void *small[300], *big;

	MACHINE_UP("mem=512M,page=16K,nodes=1");
	ck_assert_uint_eq(ptob(1), 16384);
	p = preq_new(32, 8, 0, 0, 0);
	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < 300; i++) {
			small[i] = kmem_alloc_physreq(64 + (size_t)i * 40, p,
			    KM_SLEEP);
			check_buf(small[i], 64 + (size_t)i * 40, p, true);
		}
		big = kmem_alloc(100000, KM_SLEEP);
		memset(big, 1, 100000);
		for (int i = 0; i < 300; i++)
			kmem_free(small[i], 64 + (size_t)i * 40);
		kmem_free(big, 100000);
	}
	physreq_free(p);
	MACHINE_DOWN();
}
END_TEST

START_TEST(scatter_many_pages)
{
	physreq_t *p;
	void *b;
	size_t n;
	struct ddisim_seg seg[300];

	MACHINE_UP("scatter=1");
	p = preq_new(32, 1, 0, 0, 0);
	b = kmem_alloc_physreq(4 << 20, p, KM_NOSLEEP);
	ck_assert_ptr_nonnull(b);
	n = ddisim_segments(b, 4 << 20, seg, 300);
	ck_assert_uint_gt(n, 100);
	ck_assert_uint_le(n, 256);
	check_buf(b, 4 << 20, p, false);
	kmem_free(b, 4 << 20);
	physreq_free(p);
	MACHINE_DOWN();
}
END_TEST

/* ---- property ---- */

struct live {
	unsigned char	*p;
	size_t		size;
	physreq_t	*preq;
	unsigned char	tag;
};

static void
live_check_free(struct live *l)
{
	/* Overlap would have overwritten another buffer's tag. */
	ck_assert_uint_eq(l->p[0], l->tag);
	ck_assert_uint_eq(l->p[l->size - 1], l->tag);
	for (size_t off = PG - ((uintptr_t)l->p & (PG - 1)); off < l->size;
	    off += PG)
		ck_assert_uint_eq(l->p[off], l->tag);
	kmem_free(l->p, l->size);
	physreq_free(l->preq);
}

START_TEST(property_random_physreqs)
{
	static const uchar_t dmas[] = { 0, 28, 30, 31, 32, 36, 40, 64 };
	struct live live[32];
	unsigned nlive = 0;
	/* 1000: enough for the shares of each kind asserted at the end */
	long iters = prop_floor(prop_iters(100000), 1000), ok = 0, nulls = 0;
	long n24 = 0, nbnd = 0, nalign = 0;
	struct rng r;

	MACHINE_UP("frag=0.5,seed=21");
	rng_seed(&r, 1234);
	for (long i = 0; i < iters; i++) {
		unsigned kind = (unsigned)rng_below(&r, 5);
		paddr_t a = 1, b = 0;
		uchar_t d = dmas[rng_below(&r, 8)], f = 0;
		size_t size = rng_below(&r, 3) != 0 ? 1 + rng_below(&r, 4000) :
		    1 + rng_below(&r, rng_below(&r, 4) == 0 ? 256 * 1024 :
		    32 * 1024);
		physreq_t *p;
		void *buf;

		if (kind == 0) {
			d = 24;
			n24++;
			if (size > 64 * 1024)
				size = 1 + size % (64 * 1024);
		} else if (kind == 1) {
			b = (paddr_t)1 << (8 + rng_below(&r, 10));
			if (size > b)
				size = 1 + size % b;
			nbnd++;
		} else if (kind == 2) {
			a = (paddr_t)1 << (13 + rng_below(&r, 5));
			nalign++;
		} else {
			a = (paddr_t)1 << rng_below(&r, 12);
		}
		if (b != 0 && a > b)
			a = b;
		if (rng_below(&r, 4) == 0)
			f = PREQ_PHYSCONTIG;
		p = preq_new(d, a, b, f, 0);
		buf = kmem_alloc_physreq(size, p, KM_NOSLEEP);
		if (buf == NULL) {
			nulls++;
			physreq_free(p);
			continue;
		}
		ok++;
		ck_assert_uint_eq((uintptr_t)buf % a, 0);
		check_buf(buf, size, p, false);
		if (nlive == 32) {
			unsigned k = (unsigned)rng_below(&r, nlive);

			live_check_free(&live[k]);
			live[k] = live[--nlive];
		}
		live[nlive] = (struct live){ buf, size, p,
		    (unsigned char)(i | 1) };
		memset(buf, live[nlive].tag, size);
		nlive++;
	}
	while (nlive > 0)
		live_check_free(&live[--nlive]);
	ck_assert_int_ge(n24, iters / 5 - iters / 50);
	ck_assert_int_ge(nbnd, iters / 5 - iters / 50);
	ck_assert_int_ge(nalign, iters / 5 - iters / 50);
	/* Aged memory: most requests are met, some are not. */
	ck_assert_int_gt(ok, iters * 9 / 10);
	MACHINE_DOWN();
}
END_TEST

/* ---- threads ---- */

static void *
stress_thread(void *arg)
{
	struct rng r;
	void *b[64];
	size_t sz[64];
	physreq_t *p[3];

	rng_seed(&r, (uint64_t)(uintptr_t)arg);
	ddisim_cpu_set((int)(uintptr_t)arg % 4);
	p[0] = preq_new(32, 8, 0, 0, 0);
	p[1] = preq_new(24, 64, 4096, 0, 0);
	p[2] = preq_new(0, PG, 0, 0, 0);
	for (int i = 0; i < 64; i++)
		b[i] = NULL;
	for (long i = 0; i < prop_iters(100000) / 4; i++) {
		int k = (int)rng_below(&r, 64);

		if (b[k] != NULL) {
			kmem_free(b[k], sz[k]);
			b[k] = NULL;
		} else {
			physreq_t *q = p[rng_below(&r, 3)];

			sz[k] = 1 + rng_below(&r, q == p[2] ? 5 * PG : 2000);
			b[k] = kmem_alloc_physreq(sz[k], q, KM_SLEEP);
			check_buf(b[k], sz[k], q, false);
			memset(b[k], k, sz[k]);
		}
	}
	for (int i = 0; i < 64; i++)
		if (b[i] != NULL)
			kmem_free(b[i], sz[i]);
	for (int i = 0; i < 3; i++)
		physreq_free(p[i]);
	return NULL;
}

START_TEST(threaded_stress)
{
	pthread_t t[4];

	MACHINE_UP("frag=0.2");
	for (uintptr_t i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, stress_thread, (void *)(i + 1));
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	MACHINE_DOWN();
}
END_TEST

/* ---- magazines ---- */

struct mag_probe {
	int		cpu;
	unsigned	n;
	void		*obj[64];
	unsigned	cached;		/* out: objects in the magazine */
	int		node, zone;	/* in: which magazine to read */
};

static void *
mag_free_on(void *arg)
{
	struct mag_probe *m = arg;
	struct arena_mag *mag;

	ddisim_cpu_set(m->cpu);
	for (unsigned i = 0; i < m->n; i++)
		kmem_free(m->obj[i], 256);
	mag = kmem_thr.mag[m->node][m->zone];
	m->cached = mag != NULL ? mag->n[arena_mag_class[256 / 16]] : 0;
	return NULL;
}

/*
 * An object goes back to the magazine of the arena that made it, even
 * when that arena drew the page from another node and the free runs on
 * a CPU of that other node: node 1 has no RAM below 4 GiB, so its 32-bit
 * arena lives on node 0's pages.
 */
START_TEST(magazine_home_arena)
{
	struct mag_probe m = { .cpu = 0, .n = 40 };
	physreq_t *p;
	pthread_t t;
	int node = -1, zone = -1;

	MACHINE_UP(NULL);
	p = preq_new(32, 8, 0, 0, 0);
	ddisim_cpu_set(2);			/* node 1 */
	for (unsigned i = 0; i < m.n; i++) {
		uint64_t pa;

		m.obj[i] = kmem_alloc_physreq(256, p, KM_NOSLEEP);
		ck_assert_ptr_nonnull(m.obj[i]);
		ck_assert(arena_owner(m.obj[i], &node, &zone));
		ck_assert_int_eq(node, 1);
		ck_assert_int_eq(zone, machine_zone_of(UINT64_C(1) << 31));
		ck_assert_int_eq(ddisim_vtop(m.obj[i], &pa), 0);
		ck_assert_uint_lt(pa, UINT64_C(1) << 32);
	}
	m.node = node;
	m.zone = zone;
	ck_assert_int_eq(pthread_create(&t, NULL, mag_free_on, &m), 0);
	ck_assert_int_eq(pthread_join(t, NULL), 0);
	ck_assert_uint_eq(m.cached, m.n);
	physreq_free(p);
	MACHINE_DOWN();
}
END_TEST

static size_t
arena_small_allocated(const void *obj)
{
	unsigned ind;
	size_t sz = sizeof(ind), v, vsz = sizeof(v);
	uint64_t epoch = 1;
	char name[64];

	ck_assert_int_eq(mallctl("arenas.lookup", &ind, &sz, &obj,
	    sizeof(obj)), 0);
	ck_assert_int_eq(mallctl("epoch", NULL, NULL, &epoch,
	    sizeof(epoch)), 0);
	snprintf(name, sizeof(name), "stats.arenas.%u.small.allocated", ind);
	ck_assert_int_eq(mallctl(name, &v, &vsz, NULL, 0), 0);
	return v;
}

static void *
mag_churn(void *arg)
{
	physreq_t *p = arg;
	void *b[300];

	for (int i = 0; i < 300; i++)
		ck_assert_ptr_nonnull(b[i] = kmem_alloc_physreq(256, p,
		    KM_NOSLEEP));
	for (int i = 0; i < 300; i++)
		kmem_free(b[i], 256);		/* into this thread's caches */
	return NULL;
}

/*
 * What a thread's magazines and tcaches hold goes back to the arena when
 * the thread exits: the arena's count of allocated small bytes returns to
 * where it was.
 */
START_TEST(magazine_thread_exit_gives_back)
{
	physreq_t *p;
	pthread_t t;
	void *probe;
	size_t before;
	bool stats = true;
	size_t bsz = sizeof(stats);

	MACHINE_UP("mem=256M,nodes=1,cpus=1");
	ck_assert_int_eq(mallctl("config.stats", &stats, &bsz, NULL, 0), 0);
	ck_assert_msg(stats, "jemalloc was built without statistics");
	p = preq_new(32, 8, 0, 0, 0);
	probe = kmem_alloc_physreq(256, p, KM_NOSLEEP);
	ck_assert_ptr_nonnull(probe);
	before = arena_small_allocated(probe);
	ck_assert_int_eq(pthread_create(&t, NULL, mag_churn, p), 0);
	ck_assert_int_eq(pthread_join(t, NULL), 0);
	ck_assert_uint_eq(arena_small_allocated(probe), before);
	kmem_free(probe, 256);
	physreq_free(p);
	MACHINE_DOWN();
}
END_TEST

/*
 * A driver's thread-specific destructor that frees kmem memory runs after
 * the library's own ones: what it frees still reaches the arena, and the
 * byte count stays right.
 */
static pthread_key_t late_key;
static void *late_obj;

static void
late_free(void *arg)
{
	kmem_free(arg, 64);
}

static void *
late_thread(void *arg)
{
	physreq_t *p = arg;
	void *mine;

	/* This thread's own caches exist, and are torn down before ours. */
	mine = kmem_alloc_physreq(64, p, KM_NOSLEEP);
	ck_assert_ptr_nonnull(mine);
	kmem_free(mine, 64);
	pthread_setspecific(late_key, late_obj);
	return NULL;
}

START_TEST(freed_by_a_late_destructor)
{
	physreq_t *p;
	pthread_t t;
	size_t before, out;
	void *probe;

	MACHINE_UP("mem=256M,nodes=1,cpus=1");
	p = preq_new(32, 8, 0, 0, 0);
	probe = kmem_alloc_physreq(64, p, KM_NOSLEEP);
	/* made now, after the library's keys: its destructor runs last */
	ck_assert_int_eq(pthread_key_create(&late_key, late_free), 0);
	out = ddisim_outstanding();
	late_obj = kmem_alloc_physreq(64, p, KM_NOSLEEP);
	ck_assert_ptr_nonnull(late_obj);
	before = arena_small_allocated(probe);
	ck_assert_int_eq(pthread_create(&t, NULL, late_thread, p), 0);
	ck_assert_int_eq(pthread_join(t, NULL), 0);
	ck_assert_uint_eq(arena_small_allocated(probe), before - 64);
	ck_assert_uint_eq(ddisim_outstanding(), out);
	pthread_key_delete(late_key);
	kmem_free(probe, 64);
	physreq_free(p);
	MACHINE_DOWN();
}
END_TEST

/*
 * Objects made on one node and freed on another, by other threads, at
 * random sizes: every byte arrives as written, every object is checked
 * against its physreq, and nothing is left outstanding.
 */
#define HANDOFF_SLOTS	256

struct handoff {
	pthread_mutex_t	lock;
	pthread_cond_t	cv;
	void		*obj[HANDOFF_SLOTS];
	size_t		size[HANDOFF_SLOTS];
	unsigned	head, tail;	/* tail - head objects queued */
	int		producers;	/* still running */
	physreq_t	*preq[2];
};

struct handoff_arg {
	struct handoff	*h;
	int		cpu;
	uint64_t	seed;
};

static void *
handoff_produce(void *arg)
{
	struct handoff_arg *a = arg;
	struct handoff *h = a->h;
	struct rng r;

	rng_seed(&r, a->seed);
	ddisim_cpu_set(a->cpu);
	for (long i = 0; i < prop_iters(100000) / 8; i++) {
		physreq_t *q = h->preq[rng_below(&r, 2)];
		size_t sz = 1 + rng_below(&r, 3000);
		uint8_t *b = kmem_alloc_physreq(sz, q, KM_SLEEP);

		check_buf(b, sz, q, false);
		for (size_t j = 0; j < sz; j++)
			b[j] = (uint8_t)(sz + j);
		pthread_mutex_lock(&h->lock);
		while (h->tail - h->head == HANDOFF_SLOTS)
			pthread_cond_wait(&h->cv, &h->lock);
		h->obj[h->tail % HANDOFF_SLOTS] = b;
		h->size[h->tail % HANDOFF_SLOTS] = sz;
		h->tail++;
		pthread_cond_broadcast(&h->cv);
		pthread_mutex_unlock(&h->lock);
	}
	pthread_mutex_lock(&h->lock);
	h->producers--;
	pthread_cond_broadcast(&h->cv);
	pthread_mutex_unlock(&h->lock);
	return NULL;
}

static void *
handoff_consume(void *arg)
{
	struct handoff_arg *a = arg;
	struct handoff *h = a->h;

	ddisim_cpu_set(a->cpu);
	for (;;) {
		uint8_t *b;
		size_t sz;

		pthread_mutex_lock(&h->lock);
		while (h->tail == h->head && h->producers > 0)
			pthread_cond_wait(&h->cv, &h->lock);
		if (h->tail == h->head) {
			pthread_mutex_unlock(&h->lock);
			return NULL;
		}
		b = h->obj[h->head % HANDOFF_SLOTS];
		sz = h->size[h->head % HANDOFF_SLOTS];
		h->head++;
		pthread_cond_broadcast(&h->cv);
		pthread_mutex_unlock(&h->lock);
		for (size_t j = 0; j < sz; j++)
			ck_assert_uint_eq(b[j], (uint8_t)(sz + j));
		kmem_free(b, sz);
	}
}

START_TEST(cross_thread_frees)
{
	struct handoff h = { .producers = 2 };
	struct handoff_arg a[4];
	pthread_t t[4];

	MACHINE_UP("frag=0.2");
	pthread_mutex_init(&h.lock, NULL);
	pthread_cond_init(&h.cv, NULL);
	h.preq[0] = preq_new(32, 8, 0, 0, 0);
	h.preq[1] = preq_new(64, 16, 0, 0, 0);
	for (int i = 0; i < 4; i++) {
		/* producers on CPUs 0 and 2, consumers on 3 and 1 */
		a[i] = (struct handoff_arg){ .h = &h, .cpu = i < 2 ? 2 * i :
		    3 - 2 * (i - 2), .seed = 77 + (uint64_t)i };
		ck_assert_int_eq(pthread_create(&t[i], NULL, i < 2 ?
		    handoff_produce : handoff_consume, &a[i]), 0);
	}
	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(pthread_join(t[i], NULL), 0);
	ck_assert_uint_eq(h.head, h.tail);
	physreq_free(h.preq[0]);
	physreq_free(h.preq[1]);
	pthread_mutex_destroy(&h.lock);
	pthread_cond_destroy(&h.cv);
	MACHINE_DOWN();
}
END_TEST

/*
 * Random allocations from every path (arena and pool objects, per-CPU
 * pages, page runs, scattered buffers; kmem_alloc, kmem_zalloc and
 * kmem_alloc_physreq), each freed with its own size or with a random
 * wrong one (one byte off, the next size class, a page more, anything):
 * every wrong size is one report naming both sizes, a right size never
 * reports, and nothing leaks.
 */
static size_t
wrong_size(size_t size)
{
	size_t w;

	switch (rndn(5)) {
	case 0:
		w = rndn(2) == 0 ? size + 1 : size - 1;
		break;
	case 1:
		w = size + 1 + rndn(size < 64 ? 16 : size / 4);
		break;
	case 2:
		w = size - rndn(size < 64 ? size : size / 4);
		break;
	case 3:
		w = rndn(2) == 0 ? (size + PG - 1) / PG * PG : size + PG;
		break;
	default:
		w = 1 + rndn(3 * size);
		break;
	}
	return w == 0 || w == size ? size + 8 : w;
}

START_TEST(property_free_sizes)
{
	static const char *const specs[] = {
		"mem=512M,verify=count,seed=3",
		"mem=512M,verify=count,seed=3,frag=0.5,scatter=1",
		"mem=512M,verify=count,seed=3,audit=full",
	};
	long iters = prop_floor(prop_iters(20000), 2000), wrong = 0;
	long npaths[3] = { 0 };
	struct { void *p; size_t size; } live[64];
	unsigned nlive = 0;
	physreq_t *preq[3];

	MACHINE_UP(specs[_i]);
	prop_seed(0x5eed + (uint64_t)_i);
	preq[0] = preq_new(32, 8, 0, 0, 0);
	preq[1] = preq_new(32, 64, 4096, 0, 0);
	preq[2] = preq_new(32, 8192, 0, PREQ_PHYSCONTIG, 0);
	for (long i = 0; i < iters; i++) {
		size_t size;
		unsigned how = (unsigned)rndn(5);
		void *p;

		if (nlive == 64 || (nlive > 0 && rndn(2) == 0)) {
			unsigned k = (unsigned)rndn(nlive);
			unsigned long before = ddisim_verify_count();
			size_t give = live[k].size;
			char want[128];

			if (rndn(2) == 0) {
				give = wrong_size(give);
				wrong++;
			}
			kmem_free(live[k].p, give);
			if (give == live[k].size) {
				ck_assert_uint_eq(ddisim_verify_count(),
				    before);
			} else {
				snprintf(want, sizeof(want), "%p was "
				    "allocated with size %zu, freed with size "
				    "%zu", live[k].p, live[k].size, give);
				REPORTED(before, want);
			}
			live[k] = live[--nlive];
			continue;
		}
		switch (rndn(8)) {
		case 0:
			size = PG;
			break;
		case 1:
		case 2:
			size = 1 + rndn(8 * PG);
			break;
		default:
			size = 1 + rndn(PG - 1);
			break;
		}
		if (how == 3 && size > 4096)
			size = 1 + size % 4096;
		npaths[size < PG ? 0 : size == PG ? 1 : 2]++;
		p = how == 0 ? kmem_alloc(size, KM_NOSLEEP) :
		    how == 1 ? kmem_zalloc(size, KM_NOSLEEP) :
		    kmem_alloc_physreq(size, preq[how - 2], KM_NOSLEEP);
		if (p == NULL)
			continue;
		live[nlive].p = p;
		live[nlive++].size = size;
	}
	while (nlive > 0) {
		nlive--;
		kmem_free(live[nlive].p, live[nlive].size);
	}
	ck_assert_uint_eq(ddisim_verify_count(), (unsigned long)wrong);
	ck_assert_int_ge(wrong, iters / 8);
	ck_assert_int_gt(npaths[1], iters / 40);
	ck_assert_int_gt(npaths[2], iters / 20);
	for (int j = 0; j < 3; j++)
		physreq_free(preq[j]);
	ck_assert_uint_eq(ddisim_outstanding(), 0);
	MACHINE_DOWN();
}
END_TEST

/* ---- ddisim_explain ---- */

/* Requests that fail, for the explanation tests. */
static mblk_t *explain_msg(size_t first, size_t second);

static void
explain_fail_all(physreq_t *big)
{
	physreq_t *bad = physreq_alloc(KM_SLEEP);
	mblk_t *m = explain_msg(100, 5000);

	ck_assert_ptr_null(kmem_alloc_physreq(8192, big, KM_NOSLEEP));
	ck_assert_ptr_null(kmem_alloc((size_t)1 << 41, KM_NOSLEEP));
	ck_assert_ptr_null(kmem_zalloc_physreq(8192, big, KM_NOSLEEP));
	ck_assert_ptr_null(allocb_physreq(8192, BPRI_MED, big));
	ck_assert_ptr_null(msgpullup_physreq(m, -1, big));
	ck_assert_ptr_null(msgphysreq(m, big));
	freemsg(m);
	bad->phys_align = 3;
	ck_assert_int_eq(physreq_prep(bad, KM_NOSLEEP), B_FALSE);
	physreq_free(bad);
}

/* Off by default: a failure prints and keeps nothing. */
START_TEST(explain_off_says_nothing)
{
	physreq_t *p4k, *below16m;
	char err[512];

	MACHINE_UP("mem=64M,verify=count");
	p4k = preq_new(32, PG, PG, 0, 0);
	below16m = preq_new(24, PG, 0, PREQ_PHYSCONTIG, 0);
	stderr_capture();
	explain_fail_all(p4k);
	ck_assert_ptr_null(kmem_alloc_physreq(32 << 20, below16m, KM_NOSLEEP));
	ck_assert_uint_eq(stderr_release(err, sizeof(err)), 0);
	ck_assert_str_eq(ddisim_explain_last(), "");
	/* the three oversized requests and the prep are misuse */
	ck_assert_uint_eq(ddisim_verify_count(), 5);
	/* Mode 2 keeps without printing; a bad mode changes nothing. */
	ck_assert_int_eq(ddisim_explain(2), 0);
	stderr_capture();
	ck_assert_ptr_null(kmem_alloc_physreq(32 << 20, below16m, KM_NOSLEEP));
	ck_assert_int_eq(ddisim_explain(7), 2);
	ck_assert_uint_eq(stderr_release(err, sizeof(err)), 0);
	REPORTED(5, "ddisim_explain: unknown mode 7");
	ck_assert_contains(ddisim_explain_last(), "kmem_alloc_physreq: "
	    "33554432 bytes, align 4096, below 16 MiB, contiguous: ");
	ck_assert_int_eq(ddisim_explain(0), 2);
	physreq_free(p4k);
	physreq_free(below16m);
	MACHINE_DOWN();
}
END_TEST

/* Each reason, printed on one line and kept for the thread. */
static void
explain_expect(const char *err, const char *want)
{
	char line[600];

	snprintf(line, sizeof(line), "ddicompat: explain: %s\n", want);
	ck_assert_str_eq(ddisim_explain_last(), want);
	ck_assert_contains(err, line);
}

START_TEST(explain_each_reason)
{
	physreq_t *p4k, *below16m;
	char err[2048], want[256];
	void **pages;
	uint64_t *pa;
	size_t n = 0, run = 0;

	MACHINE_UP("mem=64M,verify=count,sleeplimit=100");
	ck_assert_int_eq(ddisim_explain(1), 0);
	p4k = preq_new(32, PG, PG, 0, 0);
	below16m = preq_new(24, PG, 0, PREQ_PHYSCONTIG, 0);
	/* The size is larger than the boundary. */
	stderr_capture();
	ck_assert_ptr_null(kmem_alloc_physreq(8192, p4k, KM_NOSLEEP));
	stderr_release(err, sizeof(err));
	explain_expect(err, "kmem_alloc_physreq: 8192 bytes, align 4096, "
	    "boundary 4 KiB: the size is larger than the boundary");
	/* Larger than any machine. */
	stderr_capture();
	ck_assert_ptr_null(kmem_alloc((size_t)1 << 41, KM_NOSLEEP));
	stderr_release(err, sizeof(err));
	ck_assert_contains(ddisim_explain_last(), "kmem_alloc: "
	    "2199023255552 bytes, align ");
	ck_assert_contains(ddisim_explain_last(),
	    ": the size is larger than any machine's memory");
	/* Every page below 16 MiB taken: no free page at all. */
	pages = malloc(4096 * sizeof(*pages));
	pa = malloc(4096 * sizeof(*pa));
	while (n < 4096 && (pages[n] = kmem_alloc_physreq(PG, below16m,
	    KM_NOSLEEP)) != NULL) {
		ck_assert_int_eq(ddisim_vtop(pages[n], &pa[n]), 0);
		n++;
	}
	ck_assert_uint_gt(n, 3000);
	stderr_capture();
	ck_assert_ptr_null(kmem_alloc_physreq(PG, below16m, KM_NOSLEEP));
	stderr_release(err, sizeof(err));
	explain_expect(err, "kmem_alloc_physreq: 4096 bytes, align 4096, "
	    "below 16 MiB, contiguous: no free page meets the request");
	/* Three adjacent pages freed: the largest run is theirs. */
	for (size_t i = 0; i + 2 < n && run == 0; i++)
		for (size_t j = 0; j < n && run == 0; j++)
			if (pa[j] == pa[i] + PG)
				for (size_t k = 0; k < n; k++)
					if (pa[k] == pa[i] + 2 * PG) {
						kmem_free(pages[i], PG);
						kmem_free(pages[j], PG);
						kmem_free(pages[k], PG);
						pages[i] = pages[j] =
						    pages[k] = NULL;
						run = i + 1;
						break;
					}
	ck_assert_uint_ne(run, 0);
	stderr_capture();
	ck_assert_ptr_null(kmem_alloc_physreq(4 * PG, below16m, KM_NOSLEEP));
	stderr_release(err, sizeof(err));
	snprintf(want, sizeof(want), "kmem_alloc_physreq: 16384 bytes, "
	    "align 4096, below 16 MiB, contiguous: no free run of 16384 bytes "
	    "meets the request; the largest conforming run is 12288 bytes at "
	    "%#" PRIx64, pa[run - 1]);
	explain_expect(err, want);
	/* The same after waiting; the wait's own report still comes. */
	stderr_capture();
	ck_assert_ptr_null(kmem_alloc_physreq(4 * PG, below16m, KM_SLEEP));
	stderr_release(err, sizeof(err));
	snprintf(want, sizeof(want), "kmem_alloc_physreq: 16384 bytes, "
	    "align 4096, below 16 MiB, contiguous: no free run of 16384 bytes "
	    "meets the request (after waiting the sleeplimit); the largest "
	    "conforming run is 12288 bytes at %#" PRIx64, pa[run - 1]);
	explain_expect(err, want);
	REPORTED(2, "KM_SLEEP request of 16384 bytes still unmet");
	for (size_t i = 0; i < n; i++)
		if (pages[i] != NULL)
			kmem_free(pages[i], PG);
	free(pages);
	free(pa);
	physreq_free(p4k);
	physreq_free(below16m);
	ck_assert_int_eq(ddisim_explain(0), 1);
	MACHINE_DOWN();
}
END_TEST

/*
 * STREAMS: a pullup or a conforming copy that cannot meet the physreq
 * says which part of the message is at fault.
 */
static mblk_t *
explain_msg(size_t first, size_t second)
{
	mblk_t *a = allocb((int)first, BPRI_MED), *b = allocb((int)second,
	    BPRI_MED);

	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	memset(a->b_wptr, 1, first);
	a->b_wptr += first;
	memset(b->b_wptr, 2, second);
	b->b_wptr += second;
	linkb(a, b);
	return a;
}

START_TEST(explain_streams)
{
	physreq_t *p;
	mblk_t *m;

	MACHINE_UP("mem=64M");
	ck_assert_int_eq(ddisim_explain(2), 0);
	p = preq_new(32, 4, 4096, 0, 0);
	m = explain_msg(100, 5000);
	ck_assert_ptr_null(msgpullup_physreq(m, -1, p));
	ck_assert_str_eq(ddisim_explain_last(), "msgpullup_physreq: 5100 "
	    "bytes, align 4, boundary 4 KiB: the size is larger than the "
	    "boundary");
	ck_assert_ptr_null(msgpullup_physreq(m, 100, p));
	ck_assert_str_eq(ddisim_explain_last(), "msgpullup_physreq: 100 "
	    "bytes, align 4, boundary 4 KiB: 5000 bytes of a later block, "
	    "which is not pulled up, are more than the boundary");
	ck_assert_ptr_null(msgpullup_physreq(m, 6000, p));
	ck_assert_str_eq(ddisim_explain_last(), "msgpullup_physreq: 6000 "
	    "bytes, align 4, boundary 4 KiB: the message holds only 5100 "
	    "bytes");
	ck_assert_ptr_null(msgphysreq(m, p));
	ck_assert_str_eq(ddisim_explain_last(), "msgphysreq: 5000 bytes, "
	    "align 4, boundary 4 KiB: a block of the message is larger than "
	    "the boundary");
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	freemsg(m);
	physreq_free(p);
	ck_assert_int_eq(ddisim_explain(0), 2);
	MACHINE_DOWN();
}
END_TEST

/* The explain= spec key: from the machine's start, until changed. */
START_TEST(explain_spec_key)
{
	physreq_t *p4k;
	char err[1024];

	MACHINE_UP("mem=64M,verify=count,explain=1");
	p4k = preq_new(32, PG, PG, 0, 0);
	stderr_capture();
	ck_assert_ptr_null(kmem_alloc_physreq(8192, p4k, KM_NOSLEEP));
	stderr_release(err, sizeof(err));
	explain_expect(err, "kmem_alloc_physreq: 8192 bytes, align 4096, "
	    "boundary 4 KiB: the size is larger than the boundary");
	physreq_free(p4k);
	MACHINE_DOWN();
	/* 2 keeps without printing. */
	MACHINE_UP("mem=64M,explain=2");
	p4k = preq_new(32, PG, PG, 0, 0);
	stderr_capture();
	ck_assert_ptr_null(kmem_zalloc_physreq(3 * PG, p4k, KM_NOSLEEP));
	ck_assert_uint_eq(stderr_release(err, sizeof(err)), 0);
	ck_assert_str_eq(ddisim_explain_last(), "kmem_zalloc_physreq: 12288 "
	    "bytes, align 4096, boundary 4 KiB: the size is larger than the "
	    "boundary");
	physreq_free(p4k);
	MACHINE_DOWN();
	/* A spec without the key leaves the mode as it is; 0 turns it off. */
	MACHINE_UP("mem=64M");
	ck_assert_int_eq(ddisim_explain(2), 2);
	MACHINE_DOWN();
	MACHINE_UP("mem=64M,explain=0");
	p4k = preq_new(32, PG, PG, 0, 0);
	stderr_capture();
	ck_assert_ptr_null(kmem_alloc_physreq(8192, p4k, KM_NOSLEEP));
	ck_assert_uint_eq(stderr_release(err, sizeof(err)), 0);
	ck_assert_str_eq(ddisim_explain_last(), "kmem_zalloc_physreq: 12288 "
	    "bytes, align 4096, boundary 4 KiB: the size is larger than the "
	    "boundary");
	ck_assert_int_eq(ddisim_explain(0), 0);
	physreq_free(p4k);
	MACHINE_DOWN();
}
END_TEST

/* A physreq_prep that fails says which value cannot be supported. */
static void
explain_prep(unsigned align, unsigned boundary, unsigned dmasize,
    unsigned flags, unsigned max_scgth, const char *want)
{
	physreq_t *p = physreq_alloc(KM_SLEEP);
	char err[1024], line[600];

	ck_assert_ptr_nonnull(p);
	p->phys_align = align;
	p->phys_boundary = boundary;
	p->phys_dmasize = (uchar_t)dmasize;
	p->phys_flags = (uchar_t)flags;
	p->phys_max_scgth = (uchar_t)max_scgth;
	stderr_capture();
	ck_assert_int_eq(physreq_prep(p, KM_NOSLEEP), B_FALSE);
	stderr_release(err, sizeof(err));
	snprintf(line, sizeof(line), "ddicompat: explain: %s\n", want);
	ck_assert_str_eq(ddisim_explain_last(), want);
	ck_assert_str_eq(err, line);
	physreq_free(p);
}

START_TEST(explain_physreq_prep)
{
	/* Under verify=abort a failed prep is no report: only this says. */
	MACHINE_UP("mem=64M,explain=1");
	explain_prep(3, 0, 32, 0, 0, "physreq_prep: align 3, dmasize 32: "
	    "phys_align 0x3 is not a power of two");
	explain_prep(1, 3000, 0, 0, 0, "physreq_prep: align 1, boundary "
	    "0xbb8: phys_boundary 0xbb8 is not a power of two");
	explain_prep(8192, 4096, 32, PREQ_PHYSCONTIG, 4, "physreq_prep: "
	    "align 8192, boundary 0x1000, dmasize 32, max_scgth 4, "
	    "contiguous: phys_boundary 0x1000 is below the alignment 0x2000");
	explain_prep(1, 0, 65, 0, 0, "physreq_prep: align 1, dmasize 65: "
	    "phys_dmasize 65 is over 64");
	explain_prep(1, 0, 0, 0x10, 0, "physreq_prep: align 1, flags 0x10: "
	    "phys_flags 0x10 has a flag other than PREQ_PHYSCONTIG");
	/* Nothing free below 4 KiB for the device's breakup page. */
	explain_prep(1, 0, 12, 0, 0, "physreq_prep: align 1, dmasize 12: no "
	    "page below the device's reach (12 bits) could be set aside for "
	    "its breakup pool");
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	MACHINE_DOWN();
}
END_TEST

/*
 * allocb_physreq: the boundary, and memory that no run of meets; a
 * pullup that runs out of memory too.
 */
START_TEST(explain_allocb_physreq)
{
	physreq_t *p4k, *below16m;
	mblk_t *b[4096], *m;
	char want[300];
	size_t n = 0;
	uint64_t pa;

	MACHINE_UP("mem=64M,verify=count,explain=2");
	m = explain_msg(3000, 3000);
	p4k = preq_new(32, 4, PG, 0, 0);
	ck_assert_ptr_null(allocb_physreq(5000, BPRI_MED, p4k));
	ck_assert_str_eq(ddisim_explain_last(), "allocb_physreq: 5000 bytes, "
	    "align 4, boundary 4 KiB: the size is larger than the boundary");
	REPORTED(0, "size 5000 is larger than the physreq's boundary");
	below16m = preq_new(24, PG, 0, PREQ_PHYSCONTIG, 0);
	while (n < 4096 && (b[n] = allocb_physreq(PG, BPRI_MED, below16m)) !=
	    NULL)
		n++;
	ck_assert_uint_gt(n, 1000);
	ck_assert_uint_lt(n, 4096);
	ck_assert_contains(ddisim_explain_last(), "allocb_physreq: ");
	ck_assert_contains(ddisim_explain_last(), ", below 16 MiB, "
	    "contiguous: no free ");
	/* A pullup that needs memory below 16 MiB says the same. */
	ck_assert_ptr_null(msgpullup_physreq(m, -1, below16m));
	ck_assert_contains(ddisim_explain_last(), "msgpullup_physreq: 6000 "
	    "bytes, align 4096, below 16 MiB, contiguous: no free ");
	freemsg(m);
	/* One block back: the largest conforming run is its page. */
	ck_assert_int_eq(ddisim_vtop(b[n / 2]->b_datap->db_base, &pa), 0);
	freeb(b[n / 2]);
	b[n / 2] = NULL;
	ck_assert_ptr_null(allocb_physreq(2 * PG, BPRI_MED, below16m));
	snprintf(want, sizeof(want), "allocb_physreq: 8192 bytes, align "
	    "4096, below 16 MiB, contiguous: no free run of 8192 bytes meets "
	    "the request; the largest conforming run is 4096 bytes at %#"
	    PRIx64, pa & ~(uint64_t)(PG - 1));
	ck_assert_str_eq(ddisim_explain_last(), want);
	for (size_t i = 0; i < n; i++)
		if (b[i] != NULL)
			freeb(b[i]);
	physreq_free(p4k);
	physreq_free(below16m);
	MACHINE_DOWN();
}
END_TEST

/* Fault injection says so. */
START_TEST(explain_injected_failure)
{
	void *p;

	MACHINE_UP("mem=64M,failrate=1");
	ck_assert_int_eq(ddisim_explain(2), 0);
	p = kmem_alloc(100, KM_NOSLEEP);
	ck_assert_ptr_null(p);
	ck_assert_contains(ddisim_explain_last(), "kmem_alloc: 100 bytes, "
	    "align ");
	ck_assert_contains(ddisim_explain_last(), ": the failrate key made "
	    "this KM_NOSLEEP request fail");
	ck_assert_int_eq(ddisim_explain(0), 2);
	MACHINE_DOWN();
}
END_TEST

static Suite *
kmem_suite(void)
{
	Suite *s = suite_create("kmem");
	TCase *tc = tcase_new("core");

	tcase_add_test(tc, physreq_lifecycle);
	tcase_add_loop_test(tc, physreq_unsupportable, 0, NBAD_PREQ);
	tcase_add_test(tc, static_physreq);
	tcase_add_test(tc, canonical_requests);
	tcase_add_test(tc, zalloc_zeroes);
	tcase_add_test(tc, alloc_phys_address);
	tcase_add_test(tc, scattered_but_coherent);
	tcase_add_test(tc, zone_escape);
	tcase_add_test(tc, sleep_waits_for_free);
	tcase_add_test(tc, sleep_deadline_reports);
	tcase_add_test(tc, fault_injection);
	tcase_add_test(tc, full_audit);
	tcase_add_loop_test(tc, wrong_size_any_audit, 0, 2 * NWRONG_SIZES);
	tcase_add_loop_test(tc, page_blocks_checked_any_audit, 0, 2);
	tcase_add_test(tc, jemalloc_runs_without_retain);
	tcase_add_test(tc, arena_gives_back);
	tcase_add_test(tc, arena_reuses_memory);
	tcase_add_test(tc, physreq_memo);
	tcase_add_test(tc, alias_exhaustion);
	tcase_add_test(tc, sleep_deadline_scattered);
	tcase_add_test(tc, blocking_context_checked);
	tcase_add_test(tc, boundary_below_min_block);
	tcase_add_test(tc, boundary_packing_stride);
	tcase_add_test(tc, word_aligned_block_misuse);
	tcase_add_test(tc, magazine_home_arena);
	tcase_add_test(tc, magazine_thread_exit_gives_back);
	tcase_add_test(tc, freed_by_a_late_destructor);
	tcase_add_test(tc, large_machine_pages);
	tcase_add_test(tc, scatter_many_pages);
	suite_add_tcase(s, tc);
	tc = tcase_new("limits");
	tcase_add_test(tc, limits);
	suite_add_tcase(s, tc);
	tc = tcase_new("misuse");
	tcase_add_loop_test(tc, misuse_counted, 0, 10);
	tcase_add_loop_test(tc, physreq_freed_counted, 0, NPREQ_FREED);
	tcase_add_loop_test(tc, physreq_freed_counted_full, 0, NPREQ_FREED);
	if (!nofork()) {
		tcase_add_loop_test_raise_signal(tc, misuse_aborts, SIGABRT,
		    0, 10);
		tcase_add_loop_test_raise_signal(tc, physreq_freed_aborts,
		    SIGABRT, 0, NPREQ_FREED);
		tcase_add_loop_test_raise_signal(tc,
		    physreq_unsupportable_aborts_at_use, SIGABRT, 0,
		    NBAD_PREQ - 1);
	}
	suite_add_tcase(s, tc);
	tc = tcase_new("explain");
	tcase_add_test(tc, explain_off_says_nothing);
	tcase_add_test(tc, explain_each_reason);
	tcase_add_test(tc, explain_injected_failure);
	tcase_add_test(tc, explain_streams);
	tcase_add_test(tc, explain_spec_key);
	tcase_add_test(tc, explain_physreq_prep);
	tcase_add_test(tc, explain_allocb_physreq);
	suite_add_tcase(s, tc);
	tc = tcase_new("property");
	tcase_add_test(tc, property_random_physreqs);
	tcase_add_loop_test(tc, property_free_sizes, 0, 3);
	tcase_add_test(tc, threaded_stress);
	tcase_add_test(tc, cross_thread_frees);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return run_suite(kmem_suite()) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
