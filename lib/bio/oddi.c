/*
 * oddi.c - raw I/O for ODDI drivers: physck and physio (physio(9)),
 * dma_breakup and pio_breakup (dma_breakup(9)), and the user area they
 * find the request in (user(9)).
 *
 * An ODDI driver's read or write routine finds the caller's request in
 * the calling thread's user area (u_base, u_count, u_offset) and
 * returns an error in u_error.  physck trims the request to the device;
 * physio hands it to the driver's routine as B_PHYS, BA_UVIRT bufs of at
 * most 128 KiB, one at a time, waits for each and moves the user area
 * past what it moved.  That routine is the strategy routine itself, or a
 * "breakup" routine that calls dma_breakup or pio_breakup, which issue
 * the buf again in pieces the device can take: bio_breakup in
 * synchronous mode under a bcb of their own (dma_breakup's fixed,
 * pio_breakup's sized by maxsecsz), so that the buf is complete when
 * they return.
 *
 * ODDI strategy routines return int, which nobody reads; bio_breakup
 * calls a void routine, so the driver's is reached through a trampoline
 * that finds the breakup in a thread-local variable, as ddisim_bio_submit
 * does: bio_breakup calls its strategy routine from the calling thread.
 * The trampoline also waits for each piece before it returns, so that the
 * driver gets the pieces one at a time, as ODDI drivers did, and sends no
 * more once one failed.  The breakups stack a completion routine on the
 * buf (b_iodone and b_misc, given back before the buf completes) to give
 * its error the ODDI meaning.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>

#include "util/forklock.h"
#include "bio/bio.h"
#include "kern/ctx.h"
#include "kern/kern.h"
#include "kmem/kmem.h"
#include "machine/entry.h"
#include "machine/machine.h"
#include "verify/verify.h"
#include "verify/wait.h"
#include "proc/proc.h"

#include "sys/buf.h"
#include "sys/user.h"
#include "sys/ddi.h"
#include "exports.h"

#define ODDI_CHUNK	(128 * 1024)	/* a physio buf, at most */
#define NBPSCTR		512
#define SEG_USER	0		/* u_segflg: user data */
#define SEG_SYS		1		/* kernel data */
#define SEG_USERI	2		/* user text */
#define DMA_LINE	(64 * 1024)	/* the 8237's address counter wraps */
#define DMA_BITS	24		/* ISA: 16 MiB */

/* ---- the user area ---- */

static DDI_TLS struct user uarea;

DDI_ENTRY0(struct user *, _Compat_u)
{
	uarea.u_procp = proc_current();
	return &uarea;
}

/* Record error e for the caller, unless one is recorded already. */
static void
u_fail(struct user *up, int e)
{
	if (up->u_error == 0)
		up->u_error = e;
}

/* The request's device offset in bytes. */
static int64_t
u_devoff(const struct user *up)
{
	return (up->u_fmode & FBMODE) ? (int64_t)up->u_offset * NBPSCTR :
	    (int64_t)up->u_offset;
}

/* Move the request past n bytes done (FBMODE: whole sectors of them). */
static void
u_advance(struct user *up, uint_t n)
{
	up->u_base += n;
	up->u_count -= n;
	up->u_offset += (up->u_fmode & FBMODE) ? (long_t)(n / NBPSCTR) :
	    (long_t)n;
}

/* ---- physck, physio ---- */

/*
 * Whether the request may go to a device of nblocks sectors: 1, with
 * u_count cut back to the device's end; or 0 when it starts outside the
 * device (ENXIO) or, for a write, at its end (ENXIO) or, for a read, at
 * its end (no error: the read moves nothing).
 */
DDI_ENTRY(int, physck, (daddr_t nblocks, int rwflag), (nblocks, rwflag))
{
	struct user *up = _Compat_u();
	uint64_t limit = nblocks < 0 ? 0 : (uint64_t)nblocks * NBPSCTR;
	int64_t off = u_devoff(up);

	if (off < 0) {
		u_fail(up, ENXIO);
		return 0;
	}
	if ((uint64_t)off >= limit) {
		if ((uint64_t)off > limit || !(rwflag & B_READ))
			u_fail(up, ENXIO);
		return 0;
	}
	if (up->u_count > limit - (uint64_t)off)
		up->u_count = (uint_t)(limit - (uint64_t)off);
	return 1;
}

/*
 * What physio needs before it moves anything: 0, with *pp the process
 * the data is in (NULL for kernel data), or the errno to record, after a
 * report for misuse.
 */
static int
physio_check(int (*strategy)(buf_t *), buf_t *bp, int rwflag,
    const struct user *up, struct proc **pp, const void *caller)
{
	const char *f = "physio";
	int64_t off = u_devoff(up), end;

	*pp = NULL;
	if (strategy == NULL) {
		verify_report(f, caller, "NULL strategy routine");
		return EINVAL;
	}
	if ((rwflag & ~(B_READ | B_BDEV | B_NOSG)) != 0) {
		verify_report(f, caller, "rwflag %#x: give B_READ or B_WRITE, "
		    "with B_BDEV or B_NOSG", (unsigned)rwflag);
		return EINVAL;
	}
	if ((bp != NULL && kbuf_of(bp, f, caller) == NULL) ||
	    !kctx_check_block(f, caller, NULL, false))
		return EINVAL;
	if (up->u_segflg != SEG_SYS) {
		if (up->u_segflg != SEG_USER && up->u_segflg != SEG_USERI) {
			verify_report(f, caller, "u.u_segflg %d: 0 (user) or 1 "
			    "(kernel)", up->u_segflg);
			return EINVAL;
		}
		if ((*pp = proc_current()) == NULL) {
			verify_report(f, caller, "user space I/O, but the "
			    "calling thread runs in no process (see "
			    "ddisim_proc_enter)");
			return EFAULT;
		}
	}
	end = off + (int64_t)up->u_count;
	if (off < 0 || off % NBPSCTR != 0 || ((up->u_fmode & FBMODE) ?
	    end / NBPSCTR : end) > INT32_MAX)
		return EINVAL;		/* whole sectors, in u_offset's reach */
	if (*pp != NULL && !bio_user_mapped(*pp, (uint8_t *)up->u_base,
	    up->u_count))
		return EFAULT;
	return 0;
}

/*
 * The request, a buf at a time, until it is done, fails or comes back
 * short.  A buf that failed with no errno (B_ERROR, b_error 0) after it
 * moved something met the end of the medium (dma_breakup's way to say
 * so): the request ends short, without an error.
 */
static void
physio_run(int (*strategy)(buf_t *), buf_t *bp, dev_t dev, int rwflag,
    struct user *up, struct proc *p)
{
	while (up->u_count > 0) {
		uint_t len = up->u_count < ODDI_CHUNK ? up->u_count :
		    ODDI_CHUNK, moved;
		int e;

		bioreset(bp);
		bp->b_flags = (bp->b_flags & (B_BUSY | B_KERNBUF)) |
		    (rwflag & B_READ) | (p != NULL ? B_PHYS : 0);
		bp->b_addrtype = p != NULL ? BA_UVIRT : BA_KVIRT;
		bp->b_un.b_addr = up->u_base;
		bp->b_proc = p;
		bp->b_edev = dev;
		bp->b_bcount = len;
		bp->b_blkno = (daddr_t)(u_devoff(up) / NBPSCTR);
		bp->b_blkoff = 0;
		(void)strategy(bp);
		e = biowait(bp);
		moved = len - (bp->b_resid < len ? bp->b_resid : len);
		u_advance(up, moved);
		if (e != 0) {
			if (!((bp->b_flags & B_ERROR) && bp->b_error == 0 &&
			    moved > 0))
				u_fail(up, e);
			return;
		}
		if (moved < len)
			return;		/* short: the device ended */
	}
}

/*
 * Raw I/O of the request in the user area through strategy: bp, or with
 * NULL a buf of the library's; rwflag B_READ or B_WRITE, with B_BDEV or
 * B_NOSG, which change nothing here.  Errors go to u_error; nothing is
 * done when one is recorded already.  Base context; blocks.
 */
DDI_ENTRY_VOID(physio, (int (*strategy)(buf_t *), buf_t *bp, dev_t dev,
    int rwflag), (strategy, bp, dev, rwflag))
{
	const void *caller = DDI_CALLER;
	struct user *up = _Compat_u();
	struct proc *p;
	bool own = bp == NULL;
	int e;

	if ((e = physio_check(strategy, bp, rwflag, up, &p, caller)) != 0) {
		u_fail(up, e);
		return;
	}
	if (up->u_error != 0 || up->u_count == 0)
		return;
	if (own && (bp = getrbuf(KM_SLEEP)) == NULL) {
		u_fail(up, EAGAIN);	/* after a report, under verify=count */
		return;
	}
	physio_run(strategy, bp, dev, rwflag, up, p);
	if (own)
		freerbuf(bp);
}

/* ---- dma_breakup, pio_breakup ---- */

/*
 * The fixed requirements, prepped once per machine.  The system DMA
 * controller: 512-byte pieces, each one physically contiguous extent
 * below 16 MiB that does not cross a 64 KiB line (the 8-bit channels';
 * the 16-bit ones' 128 KiB lines are then met too).  Programmed I/O:
 * none, the CPU moves the data.
 */
static struct {
	physreq_t	dma_preq;
	physreq_t	pio_preq;
	bcb_t		dma_bcb;
	uint64_t	gen;		/* the machine they were prepped on */
} oddi_req;
static FORK_MUTEX(oddi_req_lock);

/* Whether the requirements are prepped: false if memory ran out. */
static bool
oddi_req_prep(void)
{
	bool ok;

	pthread_mutex_lock(&oddi_req_lock);
	if (oddi_req.gen != machine->generation) {
		memset(&oddi_req, 0, sizeof(oddi_req));
		oddi_req.dma_preq.phys_align = 1;
		oddi_req.dma_preq.phys_boundary = DMA_LINE;
		oddi_req.dma_preq.phys_dmasize = DMA_BITS;
		oddi_req.pio_preq.phys_align = 1;
		oddi_req.dma_bcb.bcb_addrtypes = BA_KVIRT;
		oddi_req.dma_bcb.bcb_flags = BCB_PHYSCONTIG | BCB_SYNCHRONOUS;
		oddi_req.dma_bcb.bcb_max_xfer = NBPSCTR;
		oddi_req.dma_bcb.bcb_granularity = NBPSCTR;
		oddi_req.dma_bcb.bcb_physreqp = &oddi_req.dma_preq;
		/* the DMA pool's private page below 16 MiB may be missing */
		if (physreq_prep(&oddi_req.dma_preq, KM_NOSLEEP) &&
		    physreq_prep(&oddi_req.pio_preq, KM_NOSLEEP))
			oddi_req.gen = machine->generation;
	}
	ok = oddi_req.gen == machine->generation;
	pthread_mutex_unlock(&oddi_req_lock);
	return ok;
}

static void
oddi_fail(buf_t *bp, int e)
{
	bioerror(bp, e);
	bp->b_resid = bp->b_bcount;
	biodone(bp);
}

/*
 * The checks of both breakups on a live buf: 0, or the errno bp was
 * failed with for misuse.  Then the level goes down to PLBASE, as the
 * ODDI's spl0 call did, for the sleeps to come.
 */
static int
oddi_brk_check(int (*strategy)(buf_t *), buf_t *bp, const char *func,
    const void *caller)
{
	if (strategy == NULL) {
		verify_report(func, caller, "NULL strategy routine");
		oddi_fail(bp, EINVAL);
		return EINVAL;
	}
	if (!kctx_check_block(func, caller, NULL, true)) {
		oddi_fail(bp, EINVAL);
		return EINVAL;
	}
	(void)spl_set_checked(func, caller, PLBASE);
	return 0;
}

/*
 * One breakup in progress, on its caller's stack.  The pieces go to the
 * driver one at a time, as the ODDI's did: the trampoline waits for each
 * piece before it returns to bio_breakup, and once a piece failed or came
 * back short the rest are given back unsent.  mtx guards piece_done and
 * stop, which a piece's completion sets, in whatever thread it runs.
 */
struct oddi_brk {
	int		(*strategy)(buf_t *);
	const char	*func;
	bool		dma;		/* dma_breakup's end-of-medium rule */
	pthread_mutex_t	mtx;
	pthread_cond_t	cv;
	bool		piece_done;	/* the piece sent last completed */
	bool		stop;		/* a piece failed or came back short */
	__ddi_iodone_t	piece_iodone;	/* the piece's own completion */
	void		*piece_misc;
	__ddi_iodone_t	iodone;		/* the request's own completion */
	void		*misc;
	bool		done;		/* the request completed */
	int		error;		/* the error it ended with */
};

static DDI_TLS struct oddi_brk *oddi_cur;

/* A piece completed: note how, and hand it on to bio_breakup. */
static void
oddi_piece_done(buf_t *pbp)
{
	struct oddi_brk *o = pbp->b_misc;
	bool bad = geterror(pbp) != 0 || pbp->b_resid > 0;

	pbp->b_iodone = o->piece_iodone;
	pbp->b_misc = o->piece_misc;
	biodone(pbp);
	pthread_mutex_lock(&o->mtx);
	if (bad)
		o->stop = true;
	o->piece_done = true;
	pthread_cond_broadcast(&o->cv);
	pthread_mutex_unlock(&o->mtx);
}

/*
 * bio_breakup's strategy routine: the driver's, then a wait for the
 * piece.  A wait past the sleeplimit is reported once and goes on, as
 * biowait does.  Base context, the calling thread: bio_breakup calls it
 * from there.
 */
static void
oddi_trampoline(buf_t *pbp)
{
	struct oddi_brk *o = oddi_cur;
	struct vwait w;
	bool stop;

	VERIFY(o != NULL);
	pthread_mutex_lock(&o->mtx);
	stop = o->stop;
	o->piece_done = false;
	pthread_mutex_unlock(&o->mtx);
	if (stop) {
		pbp->b_resid = pbp->b_bcount;	/* not sent: not moved */
		biodone(pbp);
		return;
	}
	o->piece_iodone = pbp->b_iodone;
	o->piece_misc = pbp->b_misc;
	pbp->b_iodone = oddi_piece_done;
	pbp->b_misc = o;
	(void)o->strategy(pbp);
	vwait_start(&w, VWAIT_KEEP, o->func, NULL);
	pthread_mutex_lock(&o->mtx);
	while (!o->piece_done)
		(void)vwait_cond(&w, &o->cv, &o->mtx, "a piece of %p not done",
		    (void *)pbp);
	pthread_mutex_unlock(&o->mtx);
}

/*
 * The request is through bio_breakup: give it back its own completion,
 * put its error in ODDI terms and complete it.  A shortage is EAGAIN.
 * For dma_breakup a piece that failed with ENXIO, or moved nothing, met
 * the end of the medium: in the first block that is ENXIO, later B_ERROR
 * with b_error 0 and the residual.  For pio_breakup any error leaves all
 * of b_bcount as the residual.
 */
static void
oddi_done(buf_t *bp)
{
	struct oddi_brk *o = bp->b_misc;
	uint_t resid = bp->b_resid < bp->b_bcount ? bp->b_resid :
	    bp->b_bcount;
	int e = geterror(bp);

	bp->b_iodone = o->iodone;
	bp->b_misc = o->misc;
	if (e == ENOMEM)
		e = EAGAIN;
	if (o->dma && (e == ENXIO || (e == 0 && resid > 0))) {
		if (resid == bp->b_bcount) {
			e = ENXIO;
		} else {
			e = 0;
			bp->b_flags |= B_ERROR;
			bp->b_error = 0;
		}
	}
	if (e != 0) {
		bioerror(bp, e);
		if (!o->dma)
			bp->b_resid = bp->b_bcount;
	}
	o->error = e;
	o->done = true;
	biodone(bp);
}

/* bp through bio_breakup under bcb to strategy; the error it ended with. */
static int
oddi_breakup(int (*strategy)(buf_t *), buf_t *bp, const bcb_t *bcb,
    bool dma, const char *func, const void *caller)
{
	struct oddi_brk o = { .strategy = strategy, .func = func,
	    .dma = dma, .iodone = bp->b_iodone, .misc = bp->b_misc };
	struct oddi_brk *saved = oddi_cur;

	if (bp->b_bcount == 0) {
		biodone(bp);
		return 0;
	}
	pthread_mutex_init(&o.mtx, NULL);
	pthread_cond_init(&o.cv, NULL);
	bp->b_iodone = oddi_done;
	bp->b_misc = &o;
	oddi_cur = &o;
	bio_breakup(oddi_trampoline, bp, bcb, LEVEL_ODDI, func, caller);
	oddi_cur = saved;
	VERIFY(o.done);		/* synchronous, and bp was checked */
	pthread_cond_destroy(&o.cv);
	pthread_mutex_destroy(&o.mtx);
	return o.error;
}

/*
 * Called by the routine physio calls, for a device on the system DMA
 * controller: bp again, to xxstrategy, in 512-byte pieces it can reach.
 * bp is complete on return.  User context; blocks; returns at PLBASE.
 */
DDI_ENTRY_VOID(dma_breakup, (int (*xxstrategy)(buf_t *), buf_t *bp),
    (xxstrategy, bp))
{
	const void *caller = DDI_CALLER;

	if (kbuf_of(bp, DDI_FUNC, caller) == NULL ||
	    oddi_brk_check(xxstrategy, bp, DDI_FUNC, caller) != 0)
		return;
	if (!oddi_req_prep()) {
		oddi_fail(bp, EAGAIN);
		return;
	}
	(void)oddi_breakup(xxstrategy, bp, &oddi_req.dma_bcb, true, DDI_FUNC,
	    caller);
}

/*
 * The same for programmed I/O (ODDI 1 and 2): pieces of at most
 * maxsecsz sectors at kernel addresses, no physical requirement.  An
 * error is also recorded in u_error.
 */
DDI_ENTRY_VOID(pio_breakup, (int (*xxstrategy)(buf_t *), buf_t *bp,
    int maxsecsz), (xxstrategy, bp, maxsecsz))
{
	const void *caller = DDI_CALLER;
	bcb_t bcb;
	int e;

	if (kbuf_of(bp, DDI_FUNC, caller) == NULL)
		return;
	if (maxsecsz <= 0) {
		verify_report(DDI_FUNC, caller, "maxsecsz %d: a piece must "
		    "hold a sector at least", maxsecsz);
		oddi_fail(bp, EINVAL);
		e = EINVAL;
	} else if ((e = oddi_brk_check(xxstrategy, bp, DDI_FUNC,
	    caller)) == 0) {
		memset(&bcb, 0, sizeof(bcb));
		bcb.bcb_addrtypes = BA_KVIRT;
		bcb.bcb_flags = BCB_SYNCHRONOUS;
		bcb.bcb_max_xfer = (size_t)maxsecsz * NBPSCTR;
		bcb.bcb_granularity = NBPSCTR;
		bcb.bcb_physreqp = &oddi_req.pio_preq;
		if (!oddi_req_prep()) {
			oddi_fail(bp, EAGAIN);
			e = EAGAIN;
		} else {
			e = oddi_breakup(xxstrategy, bp, &bcb, false,
			    DDI_FUNC, caller);
		}
	}
	if (e != 0)
		u_fail(_Compat_u(), e);
}
