/*
 * test_oddi.c - ODDI: getcpages, sptalloc, kvtophys, phystokv, vtop and
 * the ODDI kmem_alloc, compiled as an ODDI driver (-D_ODDI=5).
 */
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>

#include <sys/types.h>
#include <sys/kmem.h>
#include <sys/immu.h>
#include <sys/ddi.h>

#include "lib/testutil.h"

#define PG	4096u

START_TEST(getcpages_flags)
{
	uint64_t hi;
	size_t n;
	caddr_t p;

	MACHINE_UP("scatter=1");
	p = getcpages(8, DMAABLE);
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_le(phys_top(p, 8 * PG, &n), UINT64_C(1) << 24);
	ck_assert_uint_eq(n, 1);
	freecpages(p, 8);
	p = getcpages(16, DMAABLE64K | NOSLEEP);
	hi = phys_top(p, 16 * PG, &n);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq((hi - 16 * PG) / 65536, (hi - 1) / 65536);
	freecpages(p, 16);
	p = getcpages(4, ANY_MEM);
	ck_assert_uint_le(phys_top(p, 4 * PG, &n), UINT64_C(1) << 32);
	ck_assert_uint_eq(n, 1);
	freecpages(p, 4);
	p = getcpages(3, PREFERDMA);
	ck_assert_uint_le(phys_top(p, 3 * PG, &n), UINT64_C(1) << 24);
	ck_assert_uint_eq(n, 1);
	freecpages(p, 3);
	/* more than the ISA zone: NOSLEEP fails at once */
	ck_assert_ptr_null(getcpages(5000, DMAABLE | NOSLEEP));
	MACHINE_DOWN();
}
END_TEST

START_TEST(sptalloc_fresh_and_mapped)
{
	uint64_t pa;
	size_t n;
	caddr_t p, m;

	MACHINE_UP("scatter=1");
	p = sptalloc(6, PG_P | PG_RW, 0, DMAABLE);
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_le(phys_top(p, 6 * PG, &n), UINT64_C(1) << 24);
	ck_assert_uint_gt(n, 1);			/* may scatter */
	memset(p, 0x5a, 6 * PG);
	/* Map the frames of its first page again through a second window. */
	pa = kvtophys(p);
	m = sptalloc(1, PG_P, (pfn_t)(pa / PG), 0);
	ck_assert_ptr_nonnull(m);
	ck_assert_ptr_ne(m, p);
	ck_assert_uint_eq((unsigned char)m[100], 0x5a);
	m[100] = 1;
	ck_assert_int_eq(p[100], 1);
	ck_assert_uint_eq(ddisim_outstanding(), 6 * PG);
	sptfree(m, 1, 0);
	sptfree(p, 6, 1);
	MACHINE_DOWN();
}
END_TEST

START_TEST(translation)
{
	caddr_t p;
	paddr_t pa;

	MACHINE_UP(NULL);
	p = kmem_alloc(100, KM_SLEEP);
	pa = kvtophys(p);
	ck_assert_uint_eq(vtop(p, NULL), pa);
	ck_assert_ptr_eq(phystokv(pa), p);
	ck_assert_uint_lt(pa, UINT64_C(1) << 24);	/* ODDI default */
	ck_assert_uint_eq(ptob(3), 3 * PG);
	ck_assert_uint_eq(btop(PG + 1), 1);
	ck_assert_uint_eq(btopr(PG + 1), 2);
	kmem_free(p, 100);
	MACHINE_DOWN();
}
END_TEST

static void
oddi_misuse(int which)
{
	caddr_t p = getcpages(2, 0), s = sptalloc(2, PG_P, 0, 0);

	switch (which) {
	case 0: ck_assert_ptr_null(getcpages(2, 0x200)); break;
	case 1: ck_assert_ptr_null(sptalloc(1, PG_RW, 0, 0)); break;
	case 2: sptfree(s, 2, 0); break;		/* would lose pages */
	case 3: ck_assert_ptr_null(sptalloc(1, PG_P, 0x1000000, 0)); break;
	case 4: ck_assert_ptr_null(phystokv(0xe0000000u)); break;
	case 5: ck_assert_uint_eq(kvtophys((caddr_t)&p), 0); break;
	case 6: ck_assert_uint_eq(vtop(p, (proc_t *)&p), 0); break;
	case 7: freecpages(p + PG, 1); break;
	case 8: {
		/* frames mapped, not owned: kmem_free must not free them */
		caddr_t m = sptalloc(1, PG_P, (pfn_t)(kvtophys(p) / PG), 0);

		kmem_free(m, PG);
		ck_assert_uint_eq(kvtophys(m), kvtophys(p));
		sptfree(m, 1, 0);
		break;
	}
	case 9: freecpages(s, 2); break;	/* sptalloc memory */
	}
	ck_assert_uint_eq(ddisim_verify_count(), 1);
	freecpages(p, 2);
	sptfree(s, 2, 1);
	ck_assert_uint_eq(ddisim_verify_count(), 1);
}

START_TEST(misuse_counted)
{
	MACHINE_UP("verify=count");
	oddi_misuse(_i);
	MACHINE_DOWN();
}
END_TEST

START_TEST(misuse_aborts)
{
	MACHINE_UP(NULL);
	oddi_misuse(_i);
}
END_TEST

START_TEST(spl_levels_oddi)
{
	int s;

	MACHINE_UP("mem=64M");
	s = spl5();
	ck_assert_int_eq(s, 0);
	ck_assert_int_eq(spl7(), 5);
	ck_assert_int_eq(splhi(), 7);
	ck_assert_int_eq(splstr(), 7);
	ck_assert_int_eq(spltty(), 6);
	ck_assert_int_eq(spl1(), 6);
	ck_assert_int_eq(splx(s), 1);
	ck_assert_int_eq(spl0(), 0);
	MACHINE_DOWN();
}
END_TEST

/*
 * The classic ODDI handshake: the driver sleeps at spl5 until its
 * interrupt handler, run by a device thread, sets a flag and calls
 * wakeup.  Sleeping at spl5 closes the window between the test of the
 * flag and the sleep, so no wakeup is lost however the two interleave.
 */
static atomic_int io_done;
static atomic_int dev_go, dev_quit;

static void
xxintr(int ivec)
{
	(void)ivec;
	atomic_store(&io_done, 1);
	wakeup((caddr_t)&io_done);
}

static void *
xxdevice(void *arg)
{
	(void)arg;
	while (!atomic_load(&dev_quit)) {
		if (atomic_exchange(&dev_go, 0))
			(void)ddisim_intr_raise(10);
		else
			sched_yield();
	}
	return NULL;
}

START_TEST(sleep_wakeup_from_interrupt)
{
	long n = prop_iters(20000) / 10;
	ddisim_intr_t *h;
	pthread_t t;

	MACHINE_UP("mem=64M,cpus=2");
	ddisim_cpu_set(0);
	h = ddisim_intr_register(10, 5, xxintr);
	pthread_create(&t, NULL, xxdevice, NULL);
	for (long i = 0; i < n; i++) {
		int s = spl5();

		atomic_store(&io_done, 0);
		atomic_store(&dev_go, 1);	/* start the "transfer" */
		while (!atomic_load(&io_done))
			ck_assert_int_eq(sleep((caddr_t)&io_done, PRIBIO), 0);
		ck_assert_int_eq(splx(s), 5);
	}
	atomic_store(&dev_quit, 1);
	pthread_join(t, NULL);
	ddisim_intr_unregister(h);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	MACHINE_DOWN();
}
END_TEST

static atomic_uint sleeper_id;
static atomic_int sleeper_ret = -1;

static void *
catch_sleeper(void *arg)
{
	(void)arg;
	atomic_store(&sleeper_id, ddisim_ctx_id());
	atomic_store(&sleeper_ret, sleep((caddr_t)&sleeper_id,
	    (PZERO + 1) | PCATCH));
	return NULL;
}

START_TEST(sleep_pcatch_signal)
{
	pthread_t t;

	MACHINE_UP("mem=64M");
	pthread_create(&t, NULL, catch_sleeper, NULL);
	while (atomic_load(&sleeper_id) == 0)
		sched_yield();
	while (!ddisim_ctx_signal(atomic_load(&sleeper_id)))
		sched_yield();
	pthread_join(t, NULL);
	ck_assert_int_eq(atomic_load(&sleeper_ret), 1);
	MACHINE_DOWN();
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("oddi");
	TCase *tc = tcase_new("core");

	tcase_add_test(tc, getcpages_flags);
	tcase_add_test(tc, sptalloc_fresh_and_mapped);
	tcase_add_test(tc, translation);
	tcase_add_test(tc, spl_levels_oddi);
	tcase_add_test(tc, sleep_wakeup_from_interrupt);
	tcase_add_test(tc, sleep_pcatch_signal);
	suite_add_tcase(s, tc);
	tc = tcase_new("misuse");
	TCASE_ADD_MISUSE(tc, misuse_counted, misuse_aborts, 10);
	suite_add_tcase(s, tc);
	return run_suite(s) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
