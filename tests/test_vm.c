/*
 * test_vm.c - kernel virtual memory: the direct map of RAM, the alias
 * windows that make a physically scattered buffer virtually contiguous,
 * and the translations between virtual addresses, physical addresses and
 * page IDs: ddisim_vtop, ddisim_ptov and ddisim_segments; vtop, kvtoppid,
 * phystoppid and pptophys as a DDI 7.1 driver has them; kvtophys and
 * phystokv as an ODDI driver has them (vm_oddi.c).
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>

#include <sys/types.h>
#include <sys/kmem.h>
#include <sys/ddi.h>

#include "lib/testutil.h"

#define PG		4096u
#define BELOW_4G	(UINT64_C(1) << 32)

/* vm_oddi.c */
paddr_t	oddi_kvtophys(void *va);
void	*oddi_phystokv(paddr_t pa);

/*
 * The direct-map address of pa, which need not be RAM: the direct map is
 * linear, and every machine has RAM at 4 KiB.
 */
static unsigned char *
dmap_at(uint64_t pa)
{
	uintptr_t base = (uintptr_t)ddisim_ptov(PG) - PG;

	return (unsigned char *)(base + (uintptr_t)pa);
}

/* A hole of the machine: its first byte. */
static uint64_t
first_hole(void)
{
	struct ddisim_info di;

	ck_assert_int_eq(ddisim_info(&di), 0);
	for (unsigned i = 0; i < di.nranges; i++)
		if (di.range[i].node < 0)
			return di.range[i].start;
	ck_abort_msg("the machine has no hole");
	return 0;
}

/* ---- core ---- */

/*
 * A scattered buffer of a machine whose pages are page bytes long: its
 * segments are made of whole pages, no more of them than the pages it
 * spans, and together exactly the buffer; every 4 KiB step of it
 * translates to its segment's address, the same for ddisim_vtop, vtop,
 * kvtoppid and the ODDI's kvtophys; the direct map of each page shows
 * what was written through the buffer, and the buffer shows what is
 * written through the direct map; the page after the buffer is not
 * mapped.  Returns the number of segments.
 */
static size_t
check_alias(unsigned char *b, size_t size, size_t page, unsigned pshift)
{
	size_t n = ddisim_segments(b, size, NULL, 0), done = 0;
	size_t first = (uintptr_t)b / page;
	size_t last = ((uintptr_t)b + size - 1) / page;
	unsigned char *after = (unsigned char *)((last + 1) * page);
	struct ddisim_seg *seg;

	ck_assert_uint_ge(n, 2);
	ck_assert_uint_le(n, last - first + 1);
	ck_assert_ptr_nonnull(seg = calloc(n, sizeof(*seg)));
	ck_assert_uint_eq(ddisim_segments(b, size, seg, n), n);
	fill_rnd(b, size);
	for (size_t i = 0; i < n; i++) {
		ck_assert_uint_eq(seg[i].pa % page, i == 0 ?
		    (uintptr_t)b % page : 0);
		ck_assert(i == n - 1 || (seg[i].pa + seg[i].len) % page == 0);
		for (size_t off = 0, len; off < seg[i].len; off += len) {
			unsigned char *va = b + done + off, *d;
			uint64_t pa = seg[i].pa + off, got;

			len = PG - ((uintptr_t)va & (PG - 1));
			if (len > seg[i].len - off)
				len = seg[i].len - off;

			ck_assert_int_eq(ddisim_vtop(va, &got), 0);
			ck_assert_uint_eq(got, pa);
			ck_assert_uint_lt(pa, BELOW_4G);	/* DDI 7.1 */
			ck_assert_uint_eq(vtop((caddr_t)va, NULL), pa);
			ck_assert_uint_eq(oddi_kvtophys(va), pa);
			ck_assert_uint_eq(kvtoppid((caddr_t)va), pa >> pshift);
			d = ddisim_ptov(pa);
			ck_assert_ptr_nonnull(d);
			ck_assert_ptr_ne(d, va);
			ck_assert_ptr_eq(oddi_phystokv((paddr_t)pa), d);
			ck_assert_mem_eq(d, va, len);
			fill_seeded(d, len, pa);
			ck_assert_mem_eq(va, d, len);
		}
		done += seg[i].len;
	}
	ck_assert_uint_eq(done, size);
	ck_assert_int_eq(ddisim_vtop(after, NULL), EFAULT);	/* guard */
	free(seg);
	return n;
}

struct live {
	unsigned char	*b;
	size_t		size;
	uint64_t	seed;		/* of its bytes */
};

/* The buffer still holds its bytes: no other alias overlapped it. */
static void
live_free(struct live *l)
{
	unsigned char *want = malloc(l->size);

	ck_assert_ptr_nonnull(want);
	fill_seeded(want, l->size, l->seed);
	ck_assert_mem_eq(l->b, want, l->size);
	free(want);
	kmem_free(l->b, l->size);
	/* the window is unmapped at once */
	ck_assert_int_eq(ddisim_vtop(l->b, NULL), EFAULT);
	l->b = NULL;
}

/*
 * Scattered buffers of random sizes, up to eight alive at a time, made
 * and freed in random order.
 */
START_TEST(alias_windows)
{
	long iters = prop_floor(prop_iters(100000) / 100, 100);
	struct live live[8] = { { NULL, 0, 0 } };
	unsigned long reports;

	MACHINE_UP("scatter=1");
	reports = ddisim_verify_count();
	prop_seed(0x7f4a7c15);
	for (long it = 0; it < iters; it++) {
		struct live *l = &live[rndn(8)];

		if (l->b != NULL) {
			live_free(l);
			continue;
		}
		l->size = PG + 1 + rndn(63 * PG);
		l->b = kmem_alloc(l->size, KM_SLEEP);
		ck_assert_ptr_nonnull(l->b);
		(void)check_alias(l->b, l->size, PG, 12);
		l->seed = (uint64_t)it;
		fill_seeded(l->b, l->size, l->seed);
	}
	for (int i = 0; i < 8; i++)
		if (live[i].b != NULL)
			live_free(&live[i]);
	ck_assert_uint_eq(ddisim_verify_count(), reports);
	MACHINE_DOWN();
}
END_TEST

/*
 * Random addresses in each RAM range and hole: RAM is reached through
 * the direct map, every translation of it agrees, and a hole has no
 * direct-map address that translates.
 */
START_TEST(direct_map_round_trips)
{
	long iters = prop_floor(prop_iters(100000) / 10, 1000);
	struct ddisim_info di;
	unsigned long reports;
	uint64_t back;

	MACHINE_UP(NULL);
	reports = ddisim_verify_count();
	ck_assert_int_eq(ddisim_info(&di), 0);
	prop_seed(0x51ed27);
	for (long it = 0; it < iters; it++) {
		const struct ddisim_range *r = &di.range[rndn(di.nranges)];
		uint64_t pa = r->start + rndn(r->end - r->start);
		unsigned char *va = ddisim_ptov(pa);

		if (r->node < 0) {
			ck_assert_ptr_null(va);
			ck_assert_int_eq(ddisim_vtop(dmap_at(pa), &back),
			    EFAULT);
			ck_assert_uint_eq(back, 0);
			continue;
		}
		ck_assert_ptr_eq(va, dmap_at(pa));
		ck_assert_int_eq(ddisim_vtop(va, &back), 0);
		ck_assert_uint_eq(back, pa);
		ck_assert_uint_eq(kvtoppid((caddr_t)va), pa / PG);
		if (pa >= BELOW_4G)
			continue;
		ck_assert_uint_eq(vtop((caddr_t)va, NULL), pa);
		ck_assert_uint_eq(oddi_kvtophys(va), pa);
		ck_assert_ptr_eq(oddi_phystokv((paddr_t)pa), va);
		ck_assert_uint_eq(phystoppid((paddr_t)pa), pa / PG);
		ck_assert_uint_eq(pptophys(phystoppid((paddr_t)pa)),
		    pa & ~(uint64_t)(PG - 1));
	}
	/* the top of RAM */
	ck_assert_ptr_nonnull(ddisim_ptov(di.top - 1));
	ck_assert_ptr_null(ddisim_ptov(di.top));
	ck_assert_uint_eq(ddisim_verify_count(), reports);
	MACHINE_DOWN();
}
END_TEST

/*
 * ddisim_segments never stores more than it is allowed, says how many
 * there are, and stops at the first byte that is not simulated memory.
 */
START_TEST(segments_within_bounds)
{
	struct ddisim_seg all[10], seg[5];
	const struct ddisim_seg unset = { 0x5a5a, 0x5a5a };
	uint64_t hole;
	int local;
	unsigned char *b;

	MACHINE_UP("scatter=1");
	b = kmem_alloc(10 * PG, KM_SLEEP);
	ck_assert_uint_eq(ddisim_segments(b, 10 * PG, all, 10), 10);
	for (int i = 0; i < 5; i++)
		seg[i] = unset;
	ck_assert_uint_eq(ddisim_segments(b, 10 * PG, seg, 3), 10);
	for (int i = 0; i < 3; i++) {
		ck_assert_uint_eq(seg[i].pa, all[i].pa);
		ck_assert_uint_eq(seg[i].len, all[i].len);
	}
	ck_assert_mem_eq(&seg[3], &unset, sizeof(unset));
	ck_assert_uint_eq(ddisim_segments(b, 10 * PG, NULL, 0), 10);
	ck_assert_uint_eq(ddisim_segments(b, 0, seg, 5), 0);
	/* from part of one page into the next */
	ck_assert_uint_eq(ddisim_segments(b + PG - 1, 2, seg, 5), 2);
	ck_assert_uint_eq(seg[0].pa, all[0].pa + PG - 1);
	ck_assert_uint_eq(seg[0].len, 1);
	ck_assert_uint_eq(seg[1].pa, all[1].pa);
	ck_assert_uint_eq(seg[1].len, 1);
	kmem_free(b, 10 * PG);
	/* RAM running into a hole: the walk stops there */
	hole = first_hole();
	ck_assert_uint_eq(ddisim_segments(dmap_at(hole - PG), 3 * PG, seg, 5),
	    1);
	ck_assert_uint_eq(seg[0].pa, hole - PG);
	ck_assert_uint_eq(seg[0].len, PG);
	ck_assert_uint_eq(ddisim_segments(dmap_at(hole), PG, seg, 5), 0);
	/* host memory is not simulated memory at all */
	ck_assert_uint_eq(ddisim_segments(&local, sizeof(local), seg, 5), 0);
	MACHINE_DOWN();
}
END_TEST

/*
 * The walk the other tests check buffers with (tests/lib preq_unmet)
 * sees each way a buffer can fail a physreq, and passes one that meets
 * it.
 */
START_TEST(conformance_walk_sees_each_violation)
{
	physreq_t p = { .phys_align = 1 };
	unsigned char *at16m, *scattered;
	size_t nseg;
	int local;

	MACHINE_UP("scatter=1");
	at16m = dmap_at(UINT64_C(16) << 20);
	ck_assert_ptr_null(preq_unmet(at16m, PG, &p, &nseg));
	ck_assert_uint_eq(nseg, 1);
	p.phys_dmasize = 24;			/* ends above 16 MiB */
	ck_assert_ptr_nonnull(strstr(preq_unmet(at16m, 1, &p, NULL),
	    "beyond dmasize 24"));
	ck_assert_ptr_null(preq_unmet(at16m - PG, PG, &p, NULL));
	ck_assert_ptr_nonnull(preq_unmet(at16m - PG, PG + 1, &p, NULL));
	p.phys_dmasize = 32;
	p.phys_align = 1024;
	ck_assert_ptr_null(preq_unmet(at16m + 1024, 100, &p, NULL));
	ck_assert_ptr_nonnull(strstr(preq_unmet(at16m + 512, 100, &p, NULL),
	    "not aligned to 0x400"));
	p.phys_align = 0;			/* counts as 1 */
	ck_assert_ptr_null(preq_unmet(at16m + 3, 100, &p, NULL));
	p.phys_boundary = PG;
	ck_assert_ptr_null(preq_unmet(at16m + PG - 10, 10, &p, NULL));
	ck_assert_ptr_nonnull(strstr(preq_unmet(at16m + PG - 10, 11, &p,
	    NULL), "crosses a 0x1000 boundary"));
	p.phys_boundary = 0;
	scattered = kmem_alloc(3 * PG, KM_SLEEP);
	ck_assert_ptr_null(preq_unmet(scattered, 3 * PG, &p, &nseg));
	ck_assert_uint_eq(nseg, 3);
	p.phys_flags = PREQ_PHYSCONTIG;
	ck_assert_ptr_nonnull(strstr(preq_unmet(scattered, 3 * PG, &p, NULL),
	    "3 segments where PREQ_PHYSCONTIG wants one"));
	ck_assert_ptr_null(preq_unmet(scattered, PG, &p, NULL));
	kmem_free(scattered, 3 * PG);
	ck_assert_ptr_nonnull(strstr(preq_unmet(&local, 1, &p, NULL),
	    "not simulated memory"));
	ck_assert_ptr_nonnull(strstr(preq_unmet(dmap_at(first_hole() - 1), 2,
	    &p, NULL), "byte 1 of 2"));
	ck_assert_ptr_null(preq_unmet(&local, 0, &p, NULL));
	MACHINE_DOWN();
}
END_TEST

/* Pages of 64 KiB: segments, page IDs and translations follow them. */
START_TEST(large_pages)
{
	const size_t page = 64 * 1024;
	unsigned char *b;
	uint64_t pa;

	MACHINE_UP("mem=256M,page=64K,scatter=1");
	ck_assert_uint_eq(ptob(1), page);
	ck_assert_uint_eq(btop(3 * page - 1), 2);
	ck_assert_uint_eq(btopr(3 * page - 1), 3);
	b = kmem_alloc(3 * page, KM_SLEEP);
	ck_assert_ptr_nonnull(b);
	ck_assert_uint_eq(check_alias(b, 3 * page, page, 16), 3);
	kmem_free(b, 3 * page);
	pa = 5 * page + 12345;
	ck_assert_uint_eq(phystoppid((paddr_t)pa), 5);
	ck_assert_uint_eq(pptophys(5), 5 * page);
	ck_assert_uint_eq(kvtoppid((caddr_t)ddisim_ptov(pa)), 5);
	MACHINE_DOWN();
}
END_TEST

/* ---- limits ---- */

/*
 * Alias mappings are a budget (maps=): a buffer of r physical runs takes
 * r + 1, and a request that would overspend it fails as a request does
 * when memory is short, though RAM is plentiful; a buffer of a page
 * needs no alias; a free gives its mappings back, and a failed request
 * takes none.
 */
START_TEST(alias_budget)
{
	void *b[5], *page;
	size_t out;

	MACHINE_UP("mem=256M,scatter=1,maps=16");
	for (int round = 0; round < 2; round++) {
		for (int i = 0; i < 4; i++) {
			ck_assert_ptr_nonnull(b[i] = kmem_alloc(3 * PG,
			    KM_NOSLEEP));
			ck_assert_uint_eq(ddisim_segments(b[i], 3 * PG, NULL,
			    0), 3);
		}
		out = ddisim_outstanding();
		ck_assert_ptr_null(kmem_alloc(2 * PG, KM_NOSLEEP));
		ck_assert_uint_eq(ddisim_outstanding(), out);
		ck_assert_ptr_nonnull(page = kmem_alloc(PG, KM_NOSLEEP));
		kmem_free(b[3], 3 * PG);
		ck_assert_ptr_nonnull(b[3] = kmem_alloc(2 * PG, KM_NOSLEEP));
		ck_assert_ptr_null(kmem_alloc(2 * PG, KM_NOSLEEP));
		kmem_free(b[3], 2 * PG);
		kmem_free(page, PG);
		for (int i = 0; i < 3; i++)
			kmem_free(b[i], 3 * PG);
	}
	/* all sixteen for one buffer of fifteen pages */
	ck_assert_ptr_nonnull(b[4] = kmem_alloc(15 * PG, KM_NOSLEEP));
	ck_assert_uint_eq(ddisim_segments(b[4], 15 * PG, NULL, 0), 15);
	ck_assert_ptr_null(kmem_alloc(2 * PG, KM_NOSLEEP));
	kmem_free(b[4], 15 * PG);
	MACHINE_DOWN();
}
END_TEST

struct alias_sleeper {
	atomic_int	tid;
	atomic_int	done;
	void		*b;
};

static void *
alias_sleeper(void *arg)
{
	struct alias_sleeper *s = arg;

	atomic_store(&s->tid, tid_self());
	s->b = kmem_alloc(3 * PG, KM_SLEEP);
	atomic_store(&s->done, 1);
	return NULL;
}

/* A KM_SLEEP request waits for mappings as for memory, and gets them. */
START_TEST(alias_budget_sleep_waits_for_a_free)
{
	struct alias_sleeper s = { .tid = 0, .done = 0, .b = NULL };
	void *b[4];
	pthread_t t;

	MACHINE_UP("mem=256M,scatter=1,maps=16");
	for (int i = 0; i < 4; i++)
		ck_assert_ptr_nonnull(b[i] = kmem_alloc(3 * PG, KM_NOSLEEP));
	ck_assert_int_eq(pthread_create(&t, NULL, alias_sleeper, &s), 0);
	while (atomic_load(&s.tid) == 0)
		sched_yield();
	(void)tid_wait_asleep(atomic_load(&s.tid));
	ck_assert_int_eq(atomic_load(&s.done), 0);
	kmem_free(b[0], 3 * PG);
	pthread_join(t, NULL);
	ck_assert_ptr_nonnull(s.b);
	ck_assert_uint_eq(ddisim_segments(s.b, 3 * PG, NULL, 0), 3);
	kmem_free(s.b, 3 * PG);
	for (int i = 1; i < 4; i++)
		kmem_free(b[i], 3 * PG);
	MACHINE_DOWN();
}
END_TEST

/* ... and after the sleeplimit, it is reported, as for memory. */
START_TEST(alias_budget_sleep_deadline)
{
	void *b[4];
	unsigned long n;

	MACHINE_UP("mem=256M,scatter=1,maps=16,sleeplimit=100,verify=count");
	for (int i = 0; i < 4; i++)
		ck_assert_ptr_nonnull(b[i] = kmem_alloc(3 * PG, KM_NOSLEEP));
	n = ddisim_verify_count();
	ck_assert_ptr_null(kmem_alloc(3 * PG, KM_SLEEP));
	REPORTED(n, "KM_SLEEP request of 12288 bytes still unmet after "
	    "100 ms");
	for (int i = 0; i < 4; i++)
		kmem_free(b[i], 3 * PG);
	ddisim_verify_set_policy(DDISIM_VERIFY_ABORT);
	MACHINE_DOWN();
}
END_TEST

/* ---- misuse ---- */

#define NVM_MISUSE	9

static void
vm_misuse(int which)
{
	unsigned long n = ddisim_verify_count();
	int local;
	void *p;
	uint64_t pa;

	switch (which) {
	case 0:
		ck_assert_uint_eq(vtop((caddr_t)&local, NULL), 0);
		REPORTED(n, "vtop: ");
		REPORTED(n, "is not simulated kernel memory");
		break;
	case 1:
		ck_assert_ptr_nonnull(p = malloc(64));
		ck_assert_uint_eq(vtop(p, NULL), 0);
		free(p);
		REPORTED(n, "is not simulated kernel memory");
		break;
	case 2:		/* the direct map of a hole */
		ck_assert_uint_eq(vtop((caddr_t)dmap_at(first_hole()), NULL),
		    0);
		REPORTED(n, "is not simulated kernel memory");
		break;
	case 3:		/* a scattered buffer, freed */
		p = kmem_alloc(2 * PG, KM_SLEEP);
		ck_assert_uint_eq(ddisim_segments(p, 2 * PG, NULL, 0), 2);
		kmem_free(p, 2 * PG);
		ck_assert_uint_eq(vtop(p, NULL), 0);
		REPORTED(n, "is not simulated kernel memory");
		break;
	case 4:
		ck_assert_uint_eq(kvtoppid((caddr_t)&local), NOPAGE);
		REPORTED(n, "kvtoppid: ");
		break;
	case 5:
		ck_assert_uint_eq(oddi_kvtophys(&local), 0);
		REPORTED(n, "kvtophys: ");
		break;
	case 6:
		ck_assert_ptr_null(oddi_phystokv((paddr_t)first_hole()));
		REPORTED(n, "phystokv: physical ");
		REPORTED(n, "is not simulated RAM");
		break;
	case 7:		/* memory at 4 GiB and above: node 1's */
		ddisim_cpu_set(3);
		p = buf_below(PG, 64, PG, 0, &pa);
		ddisim_cpu_set(0);
		ck_assert_uint_ge(pa, BELOW_4G);
		ck_assert_uint_eq(vtop(p, NULL), 0);
		kmem_free(p, PG);
		REPORTED(n, "does not fit a 32-bit paddr_t");
		break;
	case 8:
		ck_assert_uint_eq(pptophys((ppid_t)(BELOW_4G / PG)), 0);
		REPORTED(n, "pptophys: page 0x100000");
		break;
	}
}

START_TEST(vm_misuse_counted)
{
	MACHINE_UP("scatter=1,verify=count");
	vm_misuse(_i);
	ddisim_verify_set_policy(DDISIM_VERIFY_ABORT);
	MACHINE_DOWN();
}
END_TEST

START_TEST(vm_misuse_aborts)
{
	MACHINE_UP("scatter=1");
	vm_misuse(_i);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("vm");
	TCase *tc;

	tc = tcase_new("core");
	tcase_add_test(tc, alias_windows);
	tcase_add_test(tc, direct_map_round_trips);
	tcase_add_test(tc, segments_within_bounds);
	tcase_add_test(tc, conformance_walk_sees_each_violation);
	tcase_add_test(tc, large_pages);
	suite_add_tcase(s, tc);
	tc = tcase_new("limits");
	tcase_add_test(tc, alias_budget);
	tcase_add_test(tc, alias_budget_sleep_waits_for_a_free);
	tcase_add_test(tc, alias_budget_sleep_deadline);
	suite_add_tcase(s, tc);
	tc = tcase_new("misuse");
	TCASE_ADD_MISUSE(tc, vm_misuse_counted, vm_misuse_aborts, NVM_MISUSE);
	suite_add_tcase(s, tc);
	return run_suite(s) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
