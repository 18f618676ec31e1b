/*
 * test_eblk.c - buffers that come with data: geteblk, ngeteblk, brelse
 * and clrbuf; biowait_sig, which a signal ends; biocanblock calling a
 * b_iodone routine again where it may block.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>

#include <sys/types.h>
#include <sys/kmem.h>
#include <sys/buf.h>
#include <sys/ksynch.h>
#include <sys/ddi.h>

#include "lib/testutil.h"
#include <ddicompat/check.h>

/* The default machine, for <ddicompat/check.h>'s fixtures. */
DDISIM_CK_MACHINE(dflt, DDISIM_DEFAULT_SPEC);

START_TEST(geteblk_fields)
{
	size_t base;
	buf_t *bp;

	base = ddisim_outstanding();
	bp = geteblk();
	ck_assert_ptr_nonnull(bp);
	ck_assert_uint_eq(bp->b_flags, B_BUSY);		/* a write */
	ck_assert(bp->b_edev == NODEV);
	ck_assert_uint_eq(bp->b_bcount, 1024);
	ck_assert_int_eq(bp->b_bufsize, 1024);
	ck_assert_uint_eq(bp->b_addrtype, BA_KVIRT);
	ck_assert_ptr_null(bp->b_iodone);
	ck_assert_uint_eq(bp->b_resid, 0);
	/* the data is simulated kernel memory, all of it reachable */
	ck_assert_uint_eq(phys_top(bp->b_un.b_addr, 1024, NULL) != 0, 1);
	memset(bp->b_un.b_addr, 0x5a, 1024);
	ck_assert_uint_gt(ddisim_outstanding(), base);
	brelse(bp);
	ck_assert_uint_eq(ddisim_outstanding(), base);
	/* any size */
	bp = ngeteblk(100000);
	ck_assert_uint_eq(bp->b_bcount, 100000);
	ck_assert_int_eq(bp->b_bufsize, 100000);
	ck_assert_uint_eq(phys_top(bp->b_un.b_addr, 100000, NULL) != 0, 1);
	memset(bp->b_un.b_addr, 1, 100000);
	brelse(bp);
	bp = ngeteblk(1);
	ck_assert_uint_eq(bp->b_bcount, 1);
	brelse(bp);
	ck_assert_uint_eq(ddisim_outstanding(), base);
}
END_TEST

START_TEST(clrbuf_zeroes)
{
	uint8_t own[64];
	buf_t *bp;

	bp = ngeteblk(4096);
	memset(bp->b_un.b_addr, 0xff, 4096);
	bp->b_resid = 77;
	bp->b_bcount = 1000;			/* part of it */
	clrbuf(bp);
	ck_assert_uint_eq(bp->b_resid, 0);
	ck_assert_uint_eq(first_not(bp->b_un.b_addr, 1000, 0), 1000);
	ck_assert_uint_eq(first_not(bp->b_un.b_addr + 1000, 3096, 0xff),
	    3096);
	brelse(bp);
	/* a header of getrbuf's with the driver's own kernel data */
	memset(own, 0xee, sizeof(own));
	bp = getrbuf(KM_SLEEP);
	bp->b_un.b_addr = (caddr_t)own;
	bp->b_bcount = 32;
	clrbuf(bp);
	ck_assert_uint_eq(first_not(own, 32, 0), 32);
	ck_assert_uint_eq(first_not(own + 32, 32, 0xee), 32);
	freerbuf(bp);
}
END_TEST

/* A buffer with B_ASYNC is released by biodone: nobody waits for it. */
START_TEST(async_biodone_releases)
{
	size_t base;
	buf_t *bp;

	base = ddisim_outstanding();
	bp = geteblk();
	bp->b_flags |= B_ASYNC;
	biodone(bp);
	ck_assert_uint_eq(ddisim_outstanding(), base);
	/* synchronous: biowait, then brelse */
	bp = geteblk();
	biodone(bp);
	ck_assert_int_eq(biowait(bp), 0);
	brelse(bp);
	ck_assert_uint_eq(ddisim_outstanding(), base);
}
END_TEST

/* What is never released is listed at shutdown with the driver's call. */
START_TEST(leaks_listed)
{
	buf_t *bp;
	char *text, want[96];
	int line;

	MACHINE_UP(NULL);
	bp = ngeteblk(3 * 4096), line = __LINE__;
	ck_assert_uint_eq(leak_report_text(&text), 2);	/* header, data */
	ck_assert_contains(text, "12288 bytes");
#ifdef TEST_CALLER_LINES
	snprintf(want, sizeof(want), "allocated by leaks_listed_fn "
	    "(test_eblk.c:%d)\n", line);
#else
	snprintf(want, sizeof(want), "allocated by test_eblk+0x");
	(void)line;
#endif
	ck_assert_contains(text, want);
	free(text);
	brelse(bp);
	ck_assert_uint_eq(leak_report_text(&text), 0);
	free(text);
	MACHINE_DOWN();
}
END_TEST

/* ---- biowait_sig ---- */

struct sigwait {
	buf_t		*bp;
	_Atomic unsigned id;		/* the waiter's context */
	_Atomic pid_t	tid;
	_Atomic int	ret;
};

static void *
sig_waiter(void *arg)
{
	struct sigwait *w = arg;

	atomic_store(&w->id, ddisim_ctx_id());
	atomic_store(&w->tid, tid_self());
	atomic_store(&w->ret, biowait_sig(w->bp));
	return NULL;
}

static void
waiter_asleep(struct sigwait *w)
{
	while (atomic_load(&w->tid) == 0)
		sched_yield();
	ck_assert(tid_wait_asleep(atomic_load(&w->tid)));
}

/*
 * B_TRUE once biodone is called; B_FALSE when a signal reaches the
 * waiting context first, the request still outstanding, and the signal
 * is taken: a second biowait_sig waits again, to the end.
 */
START_TEST(biowait_sig_ends_on_signal)
{
	struct sigwait w = { .ret = -1 };
	pthread_t t;

	w.bp = getrbuf(KM_SLEEP);
	ck_assert_int_eq(pthread_create(&t, NULL, sig_waiter, &w), 0);
	waiter_asleep(&w);
	ck_assert_int_eq(ddisim_ctx_signal(atomic_load(&w.id)), 1);
	pthread_join(t, NULL);
	ck_assert_int_eq(atomic_load(&w.ret), B_FALSE);
	ck_assert(!(w.bp->b_flags & B_DONE));
	/* again: no signal pending now, so it waits for biodone */
	w.tid = 0;
	w.ret = -1;
	ck_assert_int_eq(pthread_create(&t, NULL, sig_waiter, &w), 0);
	waiter_asleep(&w);
	ck_assert_int_eq(atomic_load(&w.ret), -1);
	biodone(w.bp);
	pthread_join(t, NULL);
	ck_assert_int_eq(atomic_load(&w.ret), B_TRUE);
	/* done already: B_TRUE at once */
	ck_assert_int_eq(biowait_sig(w.bp), B_TRUE);
	freerbuf(w.bp);
}
END_TEST

/* ---- biocanblock ---- */

static buf_t *rc_bp;
static _Atomic int rc_calls, rc_blockable;
static _Atomic unsigned rc_pl;

/* A layered driver's completion: retries need a blockable context. */
static void
retry_iodone(buf_t *bp)
{
	rc_calls++;
	if (!biocanblock(bp))
		return;			/* called again where it may block */
	rc_blockable++;
	rc_pl = ddisim_ctx_pl();
	biodone(bp);			/* on to biowait */
}

static void
disk_intr(int ivec)
{
	(void)ivec;
	rc_bp->b_iodone = (__ddi_iodone_t)retry_iodone;
	biodone(rc_bp);
}

/*
 * A b_iodone routine running at interrupt level is told it may not
 * block, and is called again in base context, where it completes the
 * request; in base context it is told so at once.
 */
START_TEST(biocanblock_calls_again)
{
	ddisim_intr_t *h;

	h = ddisim_intr_register(5, PLDISK, disk_intr);
	rc_bp = getrbuf(KM_SLEEP);
	ck_assert_int_ge(ddisim_intr_raise(5), 0);
	ck_assert_int_eq(biowait(rc_bp), 0);
	ck_assert_int_eq(rc_calls, 2);
	ck_assert_int_eq(rc_blockable, 1);
	ck_assert_uint_eq(rc_pl, PLBASE);
	/* completed in base context: no second call */
	bioreset(rc_bp);
	rc_calls = rc_blockable = 0;
	rc_bp->b_iodone = (__ddi_iodone_t)retry_iodone;
	biodone(rc_bp);
	ck_assert_int_eq(biowait(rc_bp), 0);
	ck_assert_int_eq(rc_calls, 1);
	ck_assert_int_eq(rc_blockable, 1);
	/* outside a b_iodone routine it only answers */
	{
		pl_t pl = splhi();

		ck_assert_int_eq(biocanblock(rc_bp), B_FALSE);
		splx(pl);
	}
	ddisim_intr_unregister(h);
	freerbuf(rc_bp);
	ck_assert_ddisim_no_report();
}
END_TEST

/* ---- misuse ---- */

#define NMISUSE	9

static void
misuse(int which)
{
	size_t base = ddisim_outstanding();
	buf_t *eb = geteblk(), *rb = getrbuf(KM_SLEEP);
	const char *want = NULL;
	unsigned long before = ddisim_verify_count();

	switch (which) {
	case 0:
		brelse(rb);
		want = "has no data of its own (from getrbuf?)";
		break;
	case 1:
		freerbuf(eb);
		want = "came with data from geteblk or ngeteblk";
		break;
	case 2:
		brelse(eb);
		brelse(eb);
		want = "is not a live buf";
		eb = NULL;
		break;
	case 3:
		ck_assert_ptr_null(ngeteblk(0));
		want = "size 0: give 1 to";
		break;
	case 4:
		eb->b_bcount = 2000;		/* more than its 1024 */
		clrbuf(eb);
		want = "run outside its 1024 bytes of data";
		eb->b_bcount = 1024;
		break;
	case 5:
		rb->b_addrtype = BA_PAGELIST;
		rb->b_bcount = 10;
		clrbuf(rb);
		want = "its data is not in kernel memory";
		break;
	case 6: {
		pl_t pl = splhi();

		ck_assert_int_eq(biowait_sig(rb), B_FALSE);
		splx(pl);
		want = "biowait_sig: may block, but the caller";
		break;
	}
	case 7: {
		pl_t pl = splhi();

		ck_assert_ptr_null(geteblk());
		splx(pl);
		want = "geteblk: may block, but the caller";
		break;
	}
	case 8:
		rb->b_bcount = 10;		/* no data at all */
		clrbuf(rb);
		want = "10 bytes at NULL";
		break;
	}
	REPORTED(before, want);
	ck_assert_contains(ddisim_verify_last(), "test_eblk");
	if (eb != NULL)
		brelse(eb);
	freerbuf(rb);
	ck_assert_uint_eq(ddisim_outstanding(), base);
}

MISUSE_TEST_PAIR(misuse, NULL)

int
main(void)
{
	Suite *s = suite_create("eblk");
	TCase *tc;

	/* one default machine; each test runs on a copy of it */
	tc = tcase_create("core");
	ddisim_ck_shared(tc, dflt);
	tcase_add_test(tc, geteblk_fields);
	tcase_add_test(tc, clrbuf_zeroes);
	tcase_add_test(tc, async_biodone_releases);
	tcase_add_test(tc, biowait_sig_ends_on_signal);
	tcase_add_test(tc, biocanblock_calls_again);
	suite_add_tcase(s, tc);
	tc = tcase_new("limits");
	tcase_add_test(tc, leaks_listed);
	suite_add_tcase(s, tc);
	tc = tcase_new("misuse");
	TCASE_ADD_MISUSE(tc, misuse_counted, misuse_aborts, NMISUSE);
	suite_add_tcase(s, tc);
	return run_suite(s) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
