/*
 * fd.c - a floppy-like driver: each piece of a request is one DMA
 * transfer on a system DMA channel, programmed before the controller is
 * told to move its sectors; the controller interrupts when they are done.
 *
 * The DDI 7.1 build asks dma_physreq for the channel's requirements,
 * breaks requests up with buf_breakup under a bcb made from them, and
 * programs each piece with dma_prog.  The ODDI build lets dma_breakup
 * cut requests into 512-byte pieces, asks for the channel with
 * dma_start, programs it with dma_param and reads dma_resid at the end.
 */
#include <sys/types.h>
#include <sys/param.h>
#include <sys/errno.h>
#include <sys/kmem.h>
#include <sys/ksynch.h>
#include <sys/buf.h>
#include <sys/dma.h>
#include <sys/immu.h>
#include <sys/conf.h>
#include <sys/ddi.h>

#include <ddicompat/ddisim.h>

#include "fd.h"

#define F2(p, n)	p##n
#define F1(p, n)	F2(p, n)
#define F(n)		F1(FD, n)

static struct {
	int		chan, irq;
	buf_t		*head, *tail;	/* waiting */
	buf_t		*cur;
	buf_t		*failed;	/* to complete once unlocked */
	unsigned long	pieces;
#if __DDI_ODDI
	struct dmareq	req;
	ddisim_intr_t	*ih;
#else
	lock_t		*lk;
	physreq_t	*preq;
	bcb_t		*bcb;
	struct dma_cb	*cb;
	void		*cookie;
#endif
} fd;

#if !__DDI_ODDI
static LKINFO_DECL(fd_lkinfo, "fd lock", 0);
#endif

static void
fdc_go(buf_t *bp)
{
	outl(FD_PORT + FD_SECTOR, (ulong_t)bp->b_blkno);
	outl(FD_PORT + FD_COUNT, bp->b_bcount / NBPSCTR);
	outl(FD_PORT + FD_CMD, (bp->b_flags & B_READ) ? FD_READ : FD_WRITE);
}

#if __DDI_ODDI
/* The channel is ours: program it, start the controller. */
static int
fd_granted(struct dmareq *r)
{
	dma_param(r->d_chan, r->d_mode, r->d_addr, r->d_cnt);
	dma_enable(r->d_chan);
	fdc_go(fd.cur);
	return 0;
}
#endif

/* Start the next piece if the controller is free; at pldisk. */
static void
start_next(void)
{
	buf_t *bp;

	if (fd.cur != NULL || (bp = fd.head) == NULL)
		return;
	if ((fd.head = bp->av_forw) == NULL)
		fd.tail = NULL;
	fd.cur = bp;
	fd.pieces++;
#if __DDI_ODDI
	fd.req.d_chan = (ushort_t)fd.chan;
	fd.req.d_mode = (bp->b_flags & B_READ) ? DMA_Rdmode : DMA_Wrmode;
	fd.req.d_addr = kvtophys(bp->b_un.b_addr);
	fd.req.d_cnt = (long_t)bp->b_bcount - 1;
	fd.req.d_proc = fd_granted;
	(void)dma_start(&fd.req);
#else
	fd.cb->targbufs->address = vtop(bp->b_un.b_addr, NULL);
	fd.cb->targbufs->count = (ushort_t)bp->b_bcount;
	fd.cb->targbufs->count_hi = (ushort_t)(bp->b_bcount >> 16);
	fd.cb->command = (bp->b_flags & B_READ) ? DMA_CMD_READ :
	    DMA_CMD_WRITE;
	if (!dma_prog(fd.cb, fd.chan, DMA_NOSLEEP)) {
		/* completed once the lock is dropped, as any piece is */
		fd.cur = NULL;
		bioerror(bp, EIO);
		bp->b_resid = bp->b_bcount;
		bp->av_forw = fd.failed;
		fd.failed = bp;
		start_next();
		return;
	}
	dma_enable(fd.chan);
	fdc_go(bp);
#endif
}

/* Complete the pieces that could not start; with the lock dropped. */
static void
finish_failed(buf_t *list)
{
	buf_t *next;

	for (; list != NULL; list = next) {
		next = list->av_forw;
		biodone(list);
	}
}

static void
fd_queue(buf_t *bp)
{
	buf_t *failed;
#if __DDI_ODDI
	int s = spl5();
#else
	pl_t s = LOCK(fd.lk, pldisk);
#endif

	bp->av_forw = NULL;
	if (fd.tail != NULL)
		fd.tail->av_forw = bp;
	else
		fd.head = bp;
	fd.tail = bp;
	start_next();
	failed = fd.failed;
	fd.failed = NULL;
#if __DDI_ODDI
	splx(s);
#else
	UNLOCK(fd.lk, s);
#endif
	finish_failed(failed);
}

static void
fd_intr(int vec)
{
	uint32_t st = (uint32_t)inl(FD_PORT + FD_STATUS);
	buf_t *bp, *failed;
#if __DDI_ODDI
	int s = spl5();
	long_t resid;
#else
	pl_t s = LOCK(fd.lk, pldisk);
#endif

	(void)vec;
	if ((bp = fd.cur) == NULL) {
#if __DDI_ODDI
		splx(s);
#else
		UNLOCK(fd.lk, s);
#endif
		return;
	}
	outl(FD_PORT + FD_STATUS, 0);
	fd.cur = NULL;
#if __DDI_ODDI
	resid = dma_resid(fd.chan);
	dma_relse(fd.chan);
	bp->b_resid = (uint_t)resid;
#else
	dma_disable(fd.chan);
	bp->b_resid = st == FD_OK ? 0 : bp->b_bcount;
#endif
	if (st != FD_OK)
		bioerror(bp, EIO);
	start_next();
	failed = fd.failed;
	fd.failed = NULL;
#if __DDI_ODDI
	splx(s);
#else
	UNLOCK(fd.lk, s);
#endif
	biodone(bp);
	finish_failed(failed);
}

#if __DDI_ODDI
static int
fd_piece(buf_t *bp)
{
	fd_queue(bp);
	return 0;
}
#endif

void
F(strategy)(buf_t *bp)
{
#if __DDI_ODDI
	dma_breakup(fd_piece, bp);
#else
	buf_breakup(fd_queue, bp, fd.bcb);
#endif
}

int
F(attach)(int chan, int irq)
{
	fd.chan = chan;
	fd.irq = irq;
	fd.head = fd.tail = fd.cur = fd.failed = NULL;
	fd.pieces = 0;
#if __DDI_ODDI
	fd.ih = ddisim_intr_register(irq, PLDISK, fd_intr);
	return fd.ih != NULL ? 0 : EINVAL;
#else
	{
		int devflag = 0;

		fd.preq = physreq_alloc(KM_SLEEP);
		dma_physreq(chan, chan < 4 ? DMA_PATH_8 : DMA_PATH_16,
		    fd.preq);
		if (!physreq_prep(fd.preq, KM_SLEEP))
			return EINVAL;
		fd.bcb = bcb_alloc(KM_SLEEP);
		fd.bcb->bcb_addrtypes = BA_KVIRT;
		fd.bcb->bcb_flags = BCB_PHYSCONTIG;
		fd.bcb->bcb_max_xfer = 18 * NBPSCTR;	/* a track */
		fd.bcb->bcb_granularity = NBPSCTR;
		fd.bcb->bcb_physreqp = fd.preq;
		fd.cb = dma_get_cb(DMA_SLEEP);
		fd.cb->targbufs = dma_get_buf(DMA_SLEEP);
		fd.cb->targ_type = DMA_TYPE_MEM;
		fd.cb->reqr_type = DMA_TYPE_IO;
		fd.cb->targ_path = fd.cb->reqr_path = chan < 4 ? DMA_PATH_8 :
		    DMA_PATH_16;
		fd.cb->trans_type = DMA_TRANS_SNGL;
		fd.cb->targ_step = DMA_STEP_INC;
		fd.cb->bufprocess = DMA_BUF_SNGL;
		fd.cb->cycles = dma_get_best_mode(fd.cb);
		fd.lk = LOCK_ALLOC(1, pldisk, &fd_lkinfo, KM_SLEEP);
		if (cm_intr_attach(ddisim_intr_key(irq, pldisk), fd_intr,
		    &devflag, &fd.cookie) == 0)
			return EINVAL;
		return 0;
	}
#endif
}

void
F(detach)(void)
{
#if __DDI_ODDI
	ddisim_intr_unregister(fd.ih);
#else
	cm_intr_detach(fd.cookie);
	LOCK_DEALLOC(fd.lk);
	dma_free_buf(fd.cb->targbufs);
	dma_free_cb(fd.cb);
	bcb_free(fd.bcb);
	physreq_free(fd.preq);
#endif
}

unsigned long
F(pieces)(void)
{
	return fd.pieces;
}

#if __DDI_ODDI
/* Another driver's hold on the channel, for the queueing test. */
void	F(hold)(int on);

void
F(hold)(int on)
{
	if (on)
		(void)dma_alloc((unsigned)fd.chan, DMA_NBLOCK);
	else
		dma_relse((unsigned)fd.chan);
}
#endif
