/*
 * test_bio.c - buffer headers and their completion, and breakup control
 * blocks, from a DDI 8 driver's side of the library.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>

#include <sys/types.h>
#include <sys/kmem.h>
#include <sys/buf.h>
#include <sys/uio.h>
#include <sys/ksynch.h>
#include <sys/ddi.h>

#include "lib/testutil.h"

LKINFO_DECL(test_lkinfo, "test_bio lock", 0);

START_TEST(getrbuf_fields)
{
	size_t base;
	buf_t *bp;

	MACHINE_UP(NULL);
	base = ddisim_outstanding();
	bp = getrbuf(KM_SLEEP);
	ck_assert_ptr_nonnull(bp);
	ck_assert_uint_eq(bp->b_flags, B_BUSY | B_KERNBUF);
	ck_assert(bp->b_edev == NODEV);
	ck_assert_ptr_null(bp->b_iodone);
	ck_assert_ptr_null(bp->b_un.b_addr);
	ck_assert_uint_eq(bp->b_bcount, 0);
	ck_assert_uint_eq(bp->b_resid, 0);
	ck_assert_int_eq(bp->b_error, 0);
	ck_assert_uint_eq(bp->b_addrtype, 0);
	ck_assert_uint_eq(bp->b_scgth.sg_format, 0);
	ck_assert_uint_gt(ddisim_outstanding(), base);
	freerbuf(bp);
	ck_assert_uint_eq(ddisim_outstanding(), base);
	ck_assert_ptr_nonnull(bp = getrbuf(KM_NOSLEEP));
	freerbuf(bp);
	MACHINE_DOWN();
}
END_TEST

/*
 * A device that finishes in another thread, once the thread in biowait
 * sleeps, or once that many verifier reports have been made.
 */
struct late {
	buf_t		*bp;
	int		error;
	pid_t		waiter;		/* the thread in biowait */
	unsigned long	reports;	/* 0, or wait for this many */
};

static void *
late_done(void *arg)
{
	struct late *l = arg;

	if (l->reports != 0)
		while (ddisim_verify_count() < l->reports)
			sched_yield();
	else
		(void)tid_wait_asleep(l->waiter);
	l->bp->b_resid = 7;
	bioerror(l->bp, l->error);
	biodone(l->bp);
	return NULL;
}

START_TEST(biowait_until_biodone)
{
	struct late l;
	pthread_t t;
	buf_t *bp;

	MACHINE_UP(NULL);
	bp = getrbuf(KM_SLEEP);
	l = (struct late){ bp, 0, tid_self(), 0 };
	ck_assert_int_eq(pthread_create(&t, NULL, late_done, &l), 0);
	ck_assert_int_eq(biowait(bp), 0);
	ck_assert(bp->b_flags & B_DONE);
	ck_assert_uint_eq(bp->b_resid, 7);
	pthread_join(t, NULL);
	/* Done already: biowait returns at once, as often as asked. */
	ck_assert_int_eq(biowait(bp), 0);
	/* Again, failing: the error comes back. */
	bioreset(bp);
	ck_assert(!(bp->b_flags & (B_DONE | B_ERROR)));
	ck_assert_uint_eq(bp->b_resid, 0);
	l = (struct late){ bp, ENXIO, tid_self(), 0 };
	ck_assert_int_eq(pthread_create(&t, NULL, late_done, &l), 0);
	ck_assert_int_eq(biowait(bp), ENXIO);
	ck_assert_int_eq(geterror(bp), ENXIO);
	pthread_join(t, NULL);
	freerbuf(bp);
	MACHINE_DOWN();
}
END_TEST

/* Completion at interrupt level, the usual way, while base level waits. */
static buf_t *intr_bp;
static unsigned intr_pl;
static pid_t intr_waiter;	/* the thread in biowait */

static void
disk_intr(int ivec)
{
	(void)ivec;
	intr_pl = ddisim_ctx_pl();
	ck_assert_int_eq(biocanblock(intr_bp), B_FALSE);
	biodone(intr_bp);
}

static void *
raise_later(void *arg)
{
	(void)arg;
	(void)tid_wait_asleep(intr_waiter);
	ck_assert_int_ge(ddisim_intr_raise(5), 0);	/* not stray */
	return NULL;
}

START_TEST(biodone_from_an_interrupt)
{
	ddisim_intr_t *h;
	pthread_t t;

	MACHINE_UP(NULL);
	h = ddisim_intr_register(5, PLDISK, disk_intr);
	ck_assert_ptr_nonnull(h);
	intr_bp = getrbuf(KM_SLEEP);
	intr_waiter = tid_self();
	ck_assert_int_eq(pthread_create(&t, NULL, raise_later, NULL), 0);
	ck_assert_int_eq(biowait(intr_bp), 0);
	ck_assert_uint_eq(intr_pl, PLDISK);
	pthread_join(t, NULL);
	ddisim_intr_unregister(h);
	freerbuf(intr_bp);
	MACHINE_DOWN();
}
END_TEST

START_TEST(errors)
{
	buf_t *bp;

	MACHINE_UP(NULL);
	bp = getrbuf(KM_SLEEP);
	ck_assert_int_eq(geterror(bp), 0);
	bioerror(bp, EIO);
	ck_assert(bp->b_flags & B_ERROR);
	ck_assert_int_eq(bp->b_error, EIO);
	ck_assert_int_eq(geterror(bp), EIO);
	bioerror(bp, 0);		/* clears both */
	ck_assert(!(bp->b_flags & B_ERROR));
	ck_assert_int_eq(geterror(bp), 0);
	/* B_ERROR without an errno reads as EIO. */
	bp->b_flags |= B_ERROR;
	bp->b_error = 0;
	ck_assert_int_eq(geterror(bp), EIO);
	freerbuf(bp);
	MACHINE_DOWN();
}
END_TEST

/* Two completion routines stacked, as a filter and its creator do. */
struct stack {
	int		order[4];
	int		n;
	__ddi_iodone_t	saved;
};

static struct stack stk;

static void
outer_done(buf_t *bp)
{
	stk.order[stk.n++] = 2;
	ck_assert_ptr_null(bp->b_iodone);	/* cleared before the call */
	biodone(bp);				/* none left: B_DONE */
}

static void
inner_done(buf_t *bp)
{
	stk.order[stk.n++] = 1;
	bp->b_iodone = stk.saved;		/* restore, then pass on */
	biodone(bp);
}

START_TEST(iodone_routines_stack)
{
	buf_t *bp;

	MACHINE_UP(NULL);
	memset(&stk, 0, sizeof(stk));
	bp = getrbuf(KM_SLEEP);
	bp->b_iodone = outer_done;
	stk.saved = bp->b_iodone;
	bp->b_iodone = inner_done;
	biodone(bp);
	ck_assert_int_eq(stk.n, 2);
	ck_assert_int_eq(stk.order[0], 1);
	ck_assert_int_eq(stk.order[1], 2);
	ck_assert(bp->b_flags & B_DONE);
	ck_assert_ptr_null(bp->b_iodone);
	ck_assert_int_eq(biowait(bp), 0);
	freerbuf(bp);
	MACHINE_DOWN();
}
END_TEST

START_TEST(biocanblock_by_context)
{
	lock_t *lk;
	buf_t *bp;
	pl_t pl;

	MACHINE_UP(NULL);
	bp = getrbuf(KM_SLEEP);
	ck_assert_int_eq(biocanblock(bp), B_TRUE);
	lk = LOCK_ALLOC(1, plstr, &test_lkinfo, KM_SLEEP);
	pl = LOCK(lk, plstr);
	ck_assert_int_eq(biocanblock(bp), B_FALSE);
	UNLOCK(lk, pl);
	ck_assert_int_eq(biocanblock(bp), B_TRUE);
	LOCK_DEALLOC(lk);
	freerbuf(bp);
	MACHINE_DOWN();
}
END_TEST

START_TEST(bcb_lifecycle)
{
	bcb_t *bcb;
	physreq_t *p;
	void *mem;

	MACHINE_UP(NULL);
	bcb = bcb_alloc(KM_SLEEP);
	ck_assert_ptr_nonnull(bcb);
	ck_assert_uint_eq(bcb->bcb_addrtypes, 0);	/* zero-filled */
	ck_assert_ptr_null(bcb->bcb_physreqp);
	p = physreq_alloc(KM_SLEEP);
	p->phys_dmasize = 32;
	p->phys_align = 512;
	p->phys_max_scgth = 17;
	bcb->bcb_addrtypes = BA_SCGTH | BA_UIO;
	bcb->bcb_granularity = 512;
	bcb->bcb_max_xfer = 64 * 1024;
	bcb->bcb_physreqp = p;
	ck_assert_int_eq(bcb_prep(bcb, KM_SLEEP), B_TRUE);
	/* The physreq is prepped: allocations under it work. */
	mem = kmem_alloc_physreq(4096, p, KM_SLEEP);
	ck_assert_ptr_nonnull(mem);
	kmem_free(mem, 4096);
	/* A granularity that is not a power of two: 2352-byte sectors. */
	bcb->bcb_addrtypes = BA_KVIRT;
	bcb->bcb_granularity = 2352;
	p->phys_align = 4;
	p->phys_max_scgth = 0;
	ck_assert_int_eq(bcb_prep(bcb, KM_NOSLEEP), B_TRUE);
	/*
	 * What physreq_prep cannot support fails, without a report under
	 * the default policy (test_kmem tests the others).
	 */
	p->phys_align = 3;
	ck_assert_int_eq(bcb_prep(bcb, KM_SLEEP), B_FALSE);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	bcb_free(bcb);			/* not the physreq */
	physreq_free(p);
	MACHINE_DOWN();
}
END_TEST

/* uiobuf describes a process's scattered request; UPROCP names it. */
START_TEST(uiobuf_describes_user_data)
{
	struct proc *p;
	iovec_t iov[2];
	uio_t uio;
	buf_t *bp;
	void *cur;

	MACHINE_UP(NULL);
	p = ddisim_proc_create(3 * 4096, 0);
	ck_assert_int_eq(drv_getparm(UPROCP, &cur), 0);
	ck_assert_ptr_null(cur);
	ddisim_proc_enter(p);
	ck_assert_int_eq(drv_getparm(UPROCP, &cur), 0);
	ck_assert_ptr_eq(cur, p);
	iov[0].iov_base = (caddr_t)ddisim_proc_base(p) + 10;
	iov[0].iov_len = 5000;
	iov[1].iov_base = (caddr_t)ddisim_proc_base(p) + 8192;
	iov[1].iov_len = 3000;
	memset(&uio, 0, sizeof(uio));
	uio.uio_iov = iov;
	uio.uio_iovcnt = 2;
	uio.uio_offset = 1024;
	uio.uio_segflg = UIO_USERSPACE;
	uio.uio_resid = 8000;
	bp = uiobuf(NULL, &uio);
	ck_assert_ptr_nonnull(bp);
	ck_assert_uint_eq(bp->b_addrtype, BA_UIO);
	ck_assert_ptr_eq(bp->b_un.b_uio, &uio);
	ck_assert_uint_eq(bp->b_bcount, 8000);
	ck_assert_ptr_eq(bp->b_proc, p);
	/* Kernel data in an existing buf: no process. */
	uio.uio_segflg = UIO_SYSSPACE;
	uio.uio_resid = 100;
	ck_assert_ptr_eq(uiobuf(bp, &uio), bp);
	ck_assert_ptr_null(bp->b_proc);
	ck_assert_uint_eq(bp->b_bcount, 100);
	freerbuf(bp);
	ddisim_proc_destroy(p);
	ck_assert_int_eq(drv_getparm(UPROCP, &cur), 0);
	ck_assert_ptr_null(cur);
	MACHINE_DOWN();
}
END_TEST

START_TEST(getrbuf_fails_only_nosleep)
{
	MACHINE_UP("failrate=1");
	ck_assert_ptr_null(getrbuf(KM_NOSLEEP));
	ck_assert_ptr_null(bcb_alloc(KM_NOSLEEP));
	MACHINE_DOWN();
}
END_TEST

/*
 * Misuse, each case twice: counted under verify=count, with its text,
 * with nothing followed or leaked; aborting under the default policy.
 */
#define NMISUSE		14

static void
misuse(int which)
{
	size_t base = ddisim_outstanding();
	buf_t *bp = getrbuf(KM_SLEEP), fake;
	bcb_t *bcb = bcb_alloc(KM_SLEEP);
	physreq_t *p = physreq_alloc(KM_SLEEP);
	const char *want = NULL;
	lock_t *lk;
	pl_t pl;

	memset(&fake, 0, sizeof(fake));
	p->phys_dmasize = 32;
	p->phys_max_scgth = 8;
	bcb->bcb_addrtypes = BA_KVIRT;
	bcb->bcb_granularity = 512;
	bcb->bcb_physreqp = p;
	switch (which) {
	case 0:
		biodone(bp);
		biodone(bp);
		want = "already done (biodone called twice)";
		break;
	case 1:
		freerbuf(bp);
		freerbuf(bp);
		want = "is not a live buf from getrbuf";
		bp = NULL;
		break;
	case 2:
		lk = LOCK_ALLOC(1, plstr, &test_lkinfo, KM_SLEEP);
		pl = LOCK(lk, plstr);
		ck_assert_int_eq(biowait(bp), EINVAL);	/* did not wait */
		UNLOCK(lk, pl);
		LOCK_DEALLOC(lk);
		want = "biowait: may block, but the caller";
		break;
	case 3:
		bcb->bcb_granularity = 0;
		ck_assert_int_eq(bcb_prep(bcb, KM_SLEEP), B_FALSE);
		want = "bcb_granularity is 0";
		break;
	case 4:
		p->phys_boundary = 4096;
		bcb->bcb_granularity = 2352;
		ck_assert_int_eq(bcb_prep(bcb, KM_SLEEP), B_FALSE);
		want = "phys_boundary 0x1000 is not a multiple of "
		    "bcb_granularity 2352";
		break;
	case 5:
		bcb->bcb_addrtypes = BA_UVIRT;
		ck_assert_int_eq(bcb_prep(bcb, KM_SLEEP), B_FALSE);
		want = "DDI 8 takes BA_KVIRT, BA_SCGTH and BA_UIO";
		break;
	case 6:
		bcb->bcb_addrtypes = BA_SCGTH | BA_KVIRT;
		ck_assert_int_eq(bcb_prep(bcb, KM_SLEEP), B_FALSE);
		want = "not BA_SCGTH with BA_KVIRT";
		break;
	case 7:
		bcb->bcb_flags = BCB_PHYSCONTIG;
		ck_assert_int_eq(bcb_prep(bcb, KM_SLEEP), B_FALSE);
		want = "DDI 8 has no BCB_PHYSCONTIG";
		break;
	case 8:
		bioerror(&fake, EIO);
		ck_assert_int_eq(fake.b_error, 0);	/* not followed */
		want = "is not a live buf from getrbuf";
		break;
	case 9:
		ck_assert_ptr_null(getrbuf(0x8));
		want = "getrbuf: unknown flags 0x8";
		break;
	case 10:
		bcb->bcb_addrtypes = BA_SCGTH;
		p->phys_max_scgth = 1;
		ck_assert_int_eq(bcb_prep(bcb, KM_SLEEP), B_FALSE);
		want = "a list needs 2 elements at least";
		break;
	case 12: {
		iovec_t iov = { NULL, 10 };
		uio_t uio = { &iov, 1, 0, UIO_SYSSPACE, 0, 0, 20 };

		ck_assert_ptr_null(uiobuf(bp, &uio));
		want = "uio_resid 20 is more than its iovecs hold (10)";
		ck_assert_uint_eq(bp->b_addrtype, 0);	/* untouched */
		break;
	}
	case 13:
		ddisim_proc_enter((struct proc *)bcb);
		want = "ddisim_proc_enter: ";
		ck_assert_ptr_nonnull(strstr(ddisim_verify_last(),
		    "is not a simulated process"));
		break;
	case 11:		/* a buf is not a bcb: nothing is freed */
		bcb_free((bcb_t *)bp);
		want = "is not a bcb from bcb_alloc";
		ck_assert_int_eq(geterror(bp), 0);	/* still a live buf */
		break;
	}
	ck_assert_uint_ge(ddisim_verify_count(), 1);
	ck_assert_msg(strstr(ddisim_verify_last(), want) != NULL,
	    "report \"%s\" lacks \"%s\"", ddisim_verify_last(), want);
	if (bp != NULL)
		freerbuf(bp);
	bcb_free(bcb);
	physreq_free(p);
	ck_assert_uint_eq(ddisim_outstanding(), base);
}

MISUSE_TEST_PAIR(misuse, NULL)

/* A wait past the sleeplimit is reported, and then goes on to the end. */
START_TEST(biowait_reports_a_long_wait)
{
	struct late l;
	pthread_t t;
	buf_t *bp;

	MACHINE_UP("sleeplimit=50");
	ddisim_verify_set_policy(DDISIM_VERIFY_COUNT);
	bp = getrbuf(KM_SLEEP);
	l = (struct late){ bp, 0, tid_self(), ddisim_verify_count() + 1 };
	ck_assert_int_eq(pthread_create(&t, NULL, late_done, &l), 0);
	ck_assert_int_eq(biowait(bp), 0);
	ck_assert(bp->b_flags & B_DONE);
	ck_assert_uint_eq(ddisim_verify_count(), 1);
	ck_assert_ptr_nonnull(strstr(ddisim_verify_last(), "not done after "
	    "50 ms; still waiting"));
	pthread_join(t, NULL);
	freerbuf(bp);
	ddisim_verify_set_policy(DDISIM_VERIFY_ABORT);
	MACHINE_DOWN();
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("bio");
	TCase *tc;

	tc = tcase_new("core");
	tcase_add_test(tc, getrbuf_fields);
	tcase_add_test(tc, biowait_until_biodone);
	tcase_add_test(tc, biodone_from_an_interrupt);
	tcase_add_test(tc, errors);
	tcase_add_test(tc, iodone_routines_stack);
	tcase_add_test(tc, biocanblock_by_context);
	tcase_add_test(tc, bcb_lifecycle);
	tcase_add_test(tc, uiobuf_describes_user_data);
	suite_add_tcase(s, tc);
	tc = tcase_new("limits");
	tcase_add_test(tc, getrbuf_fails_only_nosleep);
	tcase_add_test(tc, biowait_reports_a_long_wait);
	suite_add_tcase(s, tc);
	tc = tcase_new("misuse");
	TCASE_ADD_MISUSE(tc, misuse_counted, misuse_aborts, NMISUSE);
	suite_add_tcase(s, tc);
	return run_suite(s) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
