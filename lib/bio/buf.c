/*
 * buf.c - buffer headers and their completion: getrbuf, freerbuf,
 * biodone, biowait, bioerror, geterror, bioreset, biocanblock (buf(9),
 * getrbuf(9), biodone(9)), buffers with data: geteblk, ngeteblk, brelse,
 * clrbuf (geteblk(9)), biowait_sig, and breakup control blocks:
 * bcb_alloc, bcb_free, bcb_prep (bcb(9)).
 *
 * A buffer from geteblk or ngeteblk is a buf as getrbuf makes it, with
 * data of its own in simulated kernel memory (kb_data); brelse frees
 * both, and so does biodone of such a buffer with B_ASYNC.  Both are
 * recorded as allocated by the driver's call, so the leak report at
 * shutdown names what was never released.
 *
 * A buf is allocated with a trailer the driver does not see: the lock
 * and condition biowait sleeps on, and a magic number that tells a live
 * header from a freed or foreign one.  b_iowait points at the trailer,
 * so that a header the library did not make is recognised.
 *
 * Locking: kb_mtx guards kb_done, the completion biowait waits for, and
 * the wake-up.  The driver owns every member of the buf while it
 * controls it, b_flags included, so biowait never reads b_flags before
 * kb_done says the I/O handler has given the buf back: the handler may
 * set B_ERROR while a waiter waits.  No lock is held while a b_iodone
 * routine runs.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bio/bio.h"
#include "kern/ctx.h"
#include "kern/kern.h"
#include "kmem/kmem_obj.h"
#include "machine/entry.h"
#include "machine/machine.h"
#include "verify/verify.h"
#include "verify/wait.h"
#include "proc/proc.h"

#include "sys/buf.h"
#include "sys/uio.h"
#include "sys/ddi.h"

static const struct kcons plain = { .high = UINT64_MAX, .align = 16 };

/* A live buf from getrbuf, or a report for func and NULL. */
struct kbuf *
kbuf_of(buf_t *bp, const char *func, const void *caller)
{
	struct kbuf *kb = (struct kbuf *)bp;

	if (bp == NULL) {
		verify_report(func, caller, "NULL buf");
		return NULL;
	}
	if (((uintptr_t)bp & 15) != 0 ||
	    kmem_live_size_fast(bp) != sizeof(*kb) || bp->b_iowait != kb ||
	    (kb->kb_magic != KB_LIVE && kb->kb_magic != KB_DEAD)) {
		verify_report(func, caller, "%p is not a live buf from "
		    "getrbuf (freed already, or declared or copied by the "
		    "driver)", (void *)bp);
		return NULL;
	}
	if (kb->kb_magic == KB_DEAD) {
		verify_report(func, caller, "buf %p was freed by freerbuf",
		    (void *)bp);
		return NULL;
	}
	return kb;
}

/* The header as getrbuf hands it out, on a trailer not waited on. */
void
kbuf_reset(struct kbuf *kb)
{
	memset(&kb->kb_buf, 0, sizeof(kb->kb_buf));
	kb->kb_buf.b_flags = B_BUSY | B_KERNBUF;
	kb->kb_buf.b_edev = NODEV;
	kb->kb_buf.b_iowait = kb;
	kb->kb_done = false;
	kb->kb_next = NULL;
	kb->kb_iodone_cur = NULL;
}

/*
 * Lock kb for a change nobody may be waiting through; false, unlocked
 * and reported for func, when someone is in biowait.
 */
static bool
kbuf_lock_idle(struct kbuf *kb, const char *func, const void *caller)
{
	pthread_mutex_lock(&kb->kb_mtx);
	if (kb->kb_waiters == 0)
		return true;
	pthread_mutex_unlock(&kb->kb_mtx);
	verify_report(func, caller, "buf %p is being waited for in biowait",
	    (void *)&kb->kb_buf);
	return false;
}

/* Free kb, locked and idle, and its data if it has any. */
static void
kbuf_destroy_locked(struct kbuf *kb, const char *func, const void *caller)
{
	kb->kb_magic = KB_DEAD;
	pthread_mutex_unlock(&kb->kb_mtx);
	pthread_mutex_destroy(&kb->kb_mtx);
	pthread_cond_destroy(&kb->kb_cv);
	if (kb->kb_data != NULL)
		kmem_obj_free(kb->kb_data, kb->kb_datalen, KK_EBLK, func,
		    caller);
	kmem_obj_free(kb, sizeof(*kb), KK_BUF, func, caller);
}

DDI_ENTRY(buf_t *, getrbuf, (int flags), (flags))
{
	const void *caller = DDI_CALLER;
	struct kbuf *kb;

	if (!kmem_flags_ok(flags, KM_NOSLEEP, DDI_FUNC, caller))
		return NULL;
	kb = kmem_obj_alloc(sizeof(*kb), &plain, flags, KK_BUF, DDI_FUNC,
	    caller);
	if (kb == NULL)
		return NULL;
	/* the trailer zeroed here, the header by kbuf_reset */
	memset((char *)kb + sizeof(kb->kb_buf), 0, sizeof(*kb) -
	    sizeof(kb->kb_buf));
	kbuf_reset(kb);
	pthread_mutex_init(&kb->kb_mtx, NULL);
	pthread_cond_init(&kb->kb_cv, NULL);
	kb->kb_magic = KB_LIVE;
	return &kb->kb_buf;
}

DDI_ENTRY_VOID(freerbuf, (buf_t *bp), (bp))
{
	const void *caller = DDI_CALLER;
	struct kbuf *kb;

	if ((kb = kbuf_of(bp, DDI_FUNC, caller)) == NULL)
		return;
	if (kb->kb_data != NULL) {
		verify_report(DDI_FUNC, caller, "buf %p came with data from "
		    "geteblk or ngeteblk: release it with brelse", (void *)bp);
		return;
	}
	if (!kbuf_lock_idle(kb, DDI_FUNC, caller))
		return;
	kbuf_destroy_locked(kb, DDI_FUNC, caller);
}

/*
 * Completion.  A b_iodone routine is cleared and called instead: it may
 * set another one and call biodone again, so that routines stack.  With
 * none left, B_DONE is set and biowait wakes.  May be called from any
 * context.
 */
DDI_ENTRY_VOID(biodone, (buf_t *bp), (bp))
{
	const void *caller = DDI_CALLER;
	__ddi_iodone_t fn;
	struct kbuf *kb;

	if ((kb = kbuf_of(bp, DDI_FUNC, caller)) == NULL)
		return;
	if ((fn = bp->b_iodone) != NULL) {
		bp->b_iodone = NULL;
		kb->kb_iodone_cur = fn;		/* for biocanblock */
		((void (*)(buf_t *))fn)(bp);
		return;
	}
	kb->kb_iodone_cur = NULL;
	/* The caller controls the buf: it may read b_flags. */
	if (bp->b_flags & B_DONE) {
		verify_report(DDI_FUNC, caller, "buf %p is already done "
		    "(biodone called twice)", (void *)bp);
		return;
	}
	bp->b_flags |= B_DONE;
	pthread_mutex_lock(&kb->kb_mtx);
	kb->kb_done = true;
	/* nobody waits for an asynchronous buffer with data: released */
	if (kb->kb_data != NULL && (bp->b_flags & B_ASYNC) &&
	    kb->kb_waiters == 0) {
		kbuf_destroy_locked(kb, DDI_FUNC, caller);
		return;
	}
	pthread_cond_broadcast(&kb->kb_cv);
	pthread_mutex_unlock(&kb->kb_mtx);
}

/*
 * Wait for B_DONE; the error, or 0.  Base context only.  A wait longer
 * than the machine's sleeplimit is reported once and goes on: giving up
 * early would hand back a buf the device may still write.
 */
DDI_ENTRY(int, biowait, (buf_t *bp), (bp))
{
	const void *caller = DDI_CALLER;
	struct vwait w;
	struct kbuf *kb;

	if ((kb = kbuf_of(bp, DDI_FUNC, caller)) == NULL)
		return EINVAL;
	if (!kctx_check_block(DDI_FUNC, caller, NULL, false))
		return EINVAL;
	vwait_start(&w, VWAIT_KEEP, DDI_FUNC, caller);
	pthread_mutex_lock(&kb->kb_mtx);
	kb->kb_waiters++;
	while (!kb->kb_done)
		(void)vwait_cond(&w, &kb->kb_cv, &kb->kb_mtx, "buf %p not done",
		    (void *)bp);
	kb->kb_waiters--;
	pthread_mutex_unlock(&kb->kb_mtx);
	return geterror(bp);
}

/*
 * biowait that a signal to the waiting context ends: B_TRUE when the
 * request is done, B_FALSE when a signal came first (the signal is
 * taken).  Base context only.
 */
DDI_ENTRY(bool_t, biowait_sig, (buf_t *bp), (bp))
{
	const void *caller = DDI_CALLER;
	struct vwait w;
	struct kbuf *kb;
	bool done;

	if ((kb = kbuf_of(bp, DDI_FUNC, caller)) == NULL)
		return B_FALSE;
	if (!kctx_check_block(DDI_FUNC, caller, NULL, false))
		return B_FALSE;
	vwait_start(&w, VWAIT_KEEP, DDI_FUNC, caller);
	pthread_mutex_lock(&kb->kb_mtx);
	kb->kb_waiters++;
	while (!kb->kb_done) {
		int e = kern_wait_once(&w, &kb->kb_mtx, &kb->kb_cv, true);

		if (e == ETIMEDOUT)
			vwait_report(&w, "buf %p not done", (void *)bp);
		if (e == EINTR)
			break;
	}
	done = kb->kb_done;
	kb->kb_waiters--;
	pthread_mutex_unlock(&kb->kb_mtx);
	if (!done)
		(void)kctx_sig_take(kctx_self());
	return done ? B_TRUE : B_FALSE;
}

DDI_ENTRY_VOID(bioerror, (buf_t *bp, int error), (bp, error))
{
	if (kbuf_of(bp, DDI_FUNC, DDI_CALLER) == NULL)
		return;
	bp->b_error = error;
	if (error != 0)
		bp->b_flags |= B_ERROR;
	else
		bp->b_flags &= ~(uint_t)B_ERROR;
}

DDI_ENTRY(int, geterror, (buf_t *bp), (bp))
{
	if (kbuf_of(bp, DDI_FUNC, DDI_CALLER) == NULL)
		return EINVAL;
	if (!(bp->b_flags & B_ERROR))
		return 0;
	return bp->b_error != 0 ? bp->b_error : EIO;
}

/*
 * For another I/O: not done, no error, nothing left over.  A buf to be
 * reused must go through here: biowait waits for the completion this
 * clears, not for the B_DONE bit.
 */
DDI_ENTRY_VOID(bioreset, (buf_t *bp), (bp))
{
	const void *caller = DDI_CALLER;
	struct kbuf *kb;

	if ((kb = kbuf_of(bp, DDI_FUNC, caller)) == NULL ||
	    !kbuf_lock_idle(kb, DDI_FUNC, caller))
		return;
	bp->b_flags &= ~(uint_t)(B_DONE | B_ERROR);
	bp->b_error = 0;
	bp->b_resid = 0;
	kb->kb_done = false;
	pthread_mutex_unlock(&kb->kb_mtx);
}

/* A b_iodone routine to run again where it may block. */
struct recall {
	buf_t		*bp;
	__ddi_iodone_t	fn;
};

static void *
recall_main(void *arg)
{
	struct recall r = *(struct recall *)arg;
	struct kbuf *kb = (struct kbuf *)r.bp;

	free(arg);
	kb->kb_iodone_cur = r.fn;
	((void (*)(buf_t *))r.fn)(r.bp);
	return NULL;
}

/*
 * Whether the caller, completing bp, may block here.  When it may not
 * and it is the b_iodone routine biodone runs for bp, that routine is
 * called again for bp, as the DDI 8 kernel did, from a kernel thread of
 * its own in base context; the caller returns at once.
 */
DDI_ENTRY(boolean_t, biocanblock, (buf_t *bp), (bp))
{
	const void *caller = DDI_CALLER;
	const char *why;
	struct kbuf *kb;
	struct recall *r;
	pthread_attr_t attr;
	pthread_t t;
	int e;

	if (kctx_may_block(&why, NULL, false))
		return B_TRUE;
	if (bp == NULL || (kb = kbuf_of(bp, DDI_FUNC, caller)) == NULL ||
	    kb->kb_iodone_cur == NULL)
		return B_FALSE;		/* no routine to call again */
	if ((r = malloc(sizeof(*r))) == NULL) {
		verify_report(DDI_FUNC, caller, "no memory to call the b_iodone "
		    "routine of buf %p again", (void *)bp);
		return B_FALSE;
	}
	r->bp = bp;
	r->fn = kb->kb_iodone_cur;
	kb->kb_iodone_cur = NULL;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	e = pthread_create(&t, &attr, recall_main, r);
	pthread_attr_destroy(&attr);
	if (e != 0) {
		free(r);
		verify_report(DDI_FUNC, caller, "cannot start a thread to call "
		    "the b_iodone routine of buf %p again", (void *)bp);
	}
	return B_FALSE;
}

/*
 * A buffer with bsize bytes of data in simulated kernel memory: the
 * header as getrbuf gives it, set up for a synchronous write of all of
 * the data.  Base context: it waits for memory.
 */
static buf_t *
eblk_alloc(size_t bsize, const char *func, const void *caller)
{
	struct kbuf *kb;
	void *data;

	if (bsize == 0 || bsize > UINT32_MAX) {
		verify_report(func, caller, "size %zu: give 1 to %u bytes",
		    bsize, UINT32_MAX);
		return NULL;
	}
	if (!kctx_check_block(func, caller, NULL, false))
		return NULL;
	kb = kmem_obj_alloc(sizeof(*kb), &plain, KM_SLEEP, KK_BUF, func,
	    caller);
	if (kb == NULL)
		return NULL;
	data = kmem_obj_alloc(bsize, &plain, KM_SLEEP, KK_EBLK, func, caller);
	if (data == NULL) {
		kmem_obj_free(kb, sizeof(*kb), KK_BUF, func, caller);
		return NULL;
	}
	memset((char *)kb + sizeof(kb->kb_buf), 0, sizeof(*kb) -
	    sizeof(kb->kb_buf));
	kbuf_reset(kb);
	pthread_mutex_init(&kb->kb_mtx, NULL);
	pthread_cond_init(&kb->kb_cv, NULL);
	kb->kb_magic = KB_LIVE;
	kb->kb_data = data;
	kb->kb_datalen = bsize;
	kb->kb_buf.b_flags = B_BUSY;
	kb->kb_buf.b_un.b_addr = data;
	kb->kb_buf.b_addrtype = BA_KVIRT;
	kb->kb_buf.b_bcount = (uint_t)bsize;
	kb->kb_buf.b_bufsize = (long_t)bsize;
	return &kb->kb_buf;
}

DDI_ENTRY0(buf_t *, geteblk)
{
	return eblk_alloc(1024, DDI_FUNC, DDI_CALLER);
}

DDI_ENTRY(buf_t *, ngeteblk, (size_t bsize), (bsize))
{
	return eblk_alloc(bsize, DDI_FUNC, DDI_CALLER);
}

/* Release a buffer from geteblk or ngeteblk: its header and its data. */
DDI_ENTRY_VOID(brelse, (buf_t *bp), (bp))
{
	const void *caller = DDI_CALLER;
	struct kbuf *kb;

	if ((kb = kbuf_of(bp, DDI_FUNC, caller)) == NULL)
		return;
	if (kb->kb_data == NULL) {
		verify_report(DDI_FUNC, caller, "buf %p has no data of its own "
		    "(from getrbuf?): free it with freerbuf", (void *)bp);
		return;
	}
	if (!kbuf_lock_idle(kb, DDI_FUNC, caller))
		return;
	kbuf_destroy_locked(kb, DDI_FUNC, caller);
}

/*
 * Zero the b_bcount bytes the buffer describes, and b_resid.  Kernel
 * data only: the buffer's own, or what the driver pointed it at.
 */
DDI_ENTRY_VOID(clrbuf, (buf_t *bp), (bp))
{
	const void *caller = DDI_CALLER;
	struct kbuf *kb;

	if ((kb = kbuf_of(bp, DDI_FUNC, caller)) == NULL)
		return;
	if ((bp->b_addrtype != BA_KVIRT && bp->b_addrtype != 0) ||
	    (bp->b_flags & (B_PHYS | B_PAGEIO))) {
		verify_report(DDI_FUNC, caller, "buf %p: its data is not in "
		    "kernel memory (b_addrtype %#x, b_flags %#x)", (void *)bp,
		    bp->b_addrtype, bp->b_flags);
		return;
	}
	if (bp->b_bcount != 0 && bp->b_un.b_addr == NULL) {
		verify_report(DDI_FUNC, caller, "buf %p: %u bytes at NULL",
		    (void *)bp, bp->b_bcount);
		return;
	}
	if (kb->kb_data != NULL && (bp->b_un.b_addr < (caddr_t)kb->kb_data ||
	    (size_t)(bp->b_un.b_addr - (caddr_t)kb->kb_data) + bp->b_bcount >
	    kb->kb_datalen)) {
		verify_report(DDI_FUNC, caller, "buf %p: %u bytes at %p run "
		    "outside its %zu bytes of data", (void *)bp, bp->b_bcount,
		    (void *)bp->b_un.b_addr, kb->kb_datalen);
		return;
	}
	memset(bp->b_un.b_addr, 0, bp->b_bcount);
	bp->b_resid = 0;
}

/*
 * DDI 8: make bp (or, if NULL, a new buf from getrbuf(KM_SLEEP)) describe
 * uiop's data as BA_UIO: b_un.b_uio, b_bcount the bytes still to move,
 * and for user space b_proc the caller's process.  Base context when a
 * buf is allocated.
 */
DDI_ENTRY(buf_t *, uiobuf, (buf_t *bp, struct uio *uiop), (bp, uiop))
{
	const void *caller = DDI_CALLER;
	int total = 0;

	if (uiop == NULL || uiop->uio_iovcnt < 0 ||
	    (uiop->uio_iovcnt > 0 && uiop->uio_iov == NULL) ||
	    uiop->uio_resid < 0) {
		verify_report(DDI_FUNC, caller, "uio %p is not a valid "
		    "description (NULL, or negative counts)", (void *)uiop);
		return NULL;
	}
	for (int i = 0; i < uiop->uio_iovcnt; i++) {
		if (uiop->uio_iov[i].iov_len < 0 ||
		    uiop->uio_iov[i].iov_len > INT32_MAX - total) {
			verify_report(DDI_FUNC, caller, "uio %p: iovec %d has "
			    "length %d", (void *)uiop, i,
			    uiop->uio_iov[i].iov_len);
			return NULL;
		}
		total += uiop->uio_iov[i].iov_len;
	}
	if (total < uiop->uio_resid) {
		verify_report(DDI_FUNC, caller, "uio %p: uio_resid %d is more "
		    "than its iovecs hold (%d)", (void *)uiop,
		    uiop->uio_resid, total);
		return NULL;
	}
	if (bp == NULL) {
		if (!verify_may_block(DDI_FUNC, caller))
			return NULL;
		bp = getrbuf(KM_SLEEP);
	} else if (kbuf_of(bp, DDI_FUNC, caller) == NULL) {
		return NULL;
	}
	bp->b_un.b_uio = uiop;
	bp->b_addrtype = BA_UIO;
	bp->b_bcount = (uint_t)uiop->uio_resid;
	bp->b_resid = 0;
	/* User space: the process the caller runs in holds the data. */
	bp->b_proc = uiop->uio_segflg == UIO_SYSSPACE ? NULL :
	    proc_current();
	return bp;
}

DDI_ENTRY(bcb_t *, bcb_alloc, (int flags), (flags))
{
	const void *caller = DDI_CALLER;

	if (!kmem_flags_ok(flags, KM_NOSLEEP, DDI_FUNC, caller))
		return NULL;
	return kmem_alloc_cons(sizeof(bcb_t), &plain, flags, KA_ZERO, KK_BCB,
	    DDI_FUNC, caller);
}

DDI_ENTRY_VOID(bcb_free, (bcb_t *bcbp), (bcbp))
{
	const void *caller = DDI_CALLER;

	if (bcbp != NULL && kmem_live_size(bcbp) != sizeof(*bcbp)) {
		verify_report(DDI_FUNC, caller, "%p is not a bcb from "
		    "bcb_alloc (freed already, or something else)",
		    (void *)bcbp);
		return;
	}
	kmem_free_checked(bcbp, sizeof(*bcbp), KK_BCB, DDI_FUNC, caller);
}

/*
 * What a DDI 8 bcb may say: report the first thing that is wrong for
 * func, or return true.
 */
bool
bcb_valid(const bcb_t *b, bool ddi8, const char *func, const void *caller)
{
	const physreq_t *p;
	uchar_t known = BA_KVIRT | BA_UVIRT | BA_PAGELIST | BA_PHYS |
	    BA_SCGTH | BA_UIO;

	if (b == NULL) {
		verify_report(func, caller, "NULL bcb");
		return false;
	}
	p = b->bcb_physreqp;
	if (b->bcb_addrtypes == 0 || (b->bcb_addrtypes & ~known) != 0) {
		verify_report(func, caller, "bcb_addrtypes %#x: give one or "
		    "more BA_* types", b->bcb_addrtypes);
		return false;
	}
	if (ddi8 && ((b->bcb_addrtypes & ~(BA_KVIRT | BA_SCGTH | BA_UIO)) ||
	    (b->bcb_addrtypes & (BA_KVIRT | BA_SCGTH)) ==
	    (BA_KVIRT | BA_SCGTH))) {
		verify_report(func, caller, "bcb_addrtypes %#x: DDI 8 takes "
		    "BA_KVIRT, BA_SCGTH and BA_UIO, and not BA_SCGTH with "
		    "BA_KVIRT", b->bcb_addrtypes);
		return false;
	}
	if ((b->bcb_flags & ~(BCB_PHYSCONTIG | BCB_ONE_PIECE |
	    BCB_EXACT_SIZE | BCB_SYNCHRONOUS)) != 0 ||
	    (ddi8 && (b->bcb_flags & BCB_PHYSCONTIG))) {
		verify_report(func, caller, "bcb_flags %#x: %s", b->bcb_flags,
		    ddi8 && (b->bcb_flags & BCB_PHYSCONTIG) ? "DDI 8 has no "
		    "BCB_PHYSCONTIG: set PREQ_PHYSCONTIG in the physreq" :
		    "unknown flags");
		return false;
	}
	if (b->bcb_granularity == 0) {
		verify_report(func, caller, "bcb_granularity is 0");
		return false;
	}
	if (p == NULL) {
		verify_report(func, caller, "NULL bcb_physreqp");
		return false;
	}
	if (physreq_freed_report(p, func, caller))
		return false;		/* its members are not to be read */
	if (p->phys_boundary != 0 && p->phys_boundary % b->bcb_granularity) {
		verify_report(func, caller, "phys_boundary %#x is not a "
		    "multiple of bcb_granularity %zu", p->phys_boundary,
		    b->bcb_granularity);
		return false;
	}
	if ((b->bcb_addrtypes & BA_SCGTH) && p->phys_max_scgth < 2) {
		verify_report(func, caller, "BA_SCGTH with phys_max_scgth %u: "
		    "a list needs 2 elements at least", p->phys_max_scgth);
		return false;
	}
	return true;
}

/* DDI 8: check the bcb and prepare its physreq. */
DDI_ENTRY(boolean_t, bcb_prep, (bcb_t *bcbp, int flags), (bcbp, flags))
{
	const void *caller = DDI_CALLER;

	if (!kmem_flags_ok(flags, KM_NOSLEEP, DDI_FUNC, caller) ||
	    !bcb_valid(bcbp, true, DDI_FUNC, caller))
		return B_FALSE;
	if ((flags & KM_NOSLEEP) == 0 && !verify_may_block(DDI_FUNC, caller))
		return B_FALSE;
	return physreq_prep(bcbp->bcb_physreqp, flags);
}
