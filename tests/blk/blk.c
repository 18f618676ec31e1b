/*
 * blk.c - a block driver for the simulated bus-master devices, written as
 * a UnixWare driver of its version would be: a unit table found by minor
 * number, a queue of requests behind one command register set, a lock at
 * pldisk, an interrupt routine that finishes a command and starts the
 * next.  Before DDI 8 the strategy routine breaks its requests up itself
 * with buf_breakup; in DDI 8 the kernel (ddisim_bio_submit) does, before
 * it calls the biostart entry point.
 *
 * Each piece is given to the device in the unit's programming model:
 * one (address, length) for a contiguous piece; one page-sized fragment
 * per interrupt for a scattered kernel-virtual one; the piece's list
 * written into the engine's registers; or the list's own physical
 * address handed to an engine that fetches descriptors.
 */
#include <sys/types.h>
#include <sys/param.h>
#include <sys/errno.h>
#include <sys/kmem.h>
#include <sys/ksynch.h>
#include <sys/buf.h>
#include <sys/uio.h>
#include <sys/conf.h>
#include <sys/ddi.h>

#include <ddicompat/ddisim.h>
#include <ddicompat/devsim.h>

#include "blk.h"

#define F2(p, n)	p##n
#define F1(p, n)	F2(p, n)
#define F(n)		F1(BLK, n)
#define BLK_UNITS	8

struct unit {
	int		attached;
	struct blk_conf	conf;
	physreq_t	*preq;
	bcb_t		*bcb;
	lock_t		*lk;
	void		*cookie;	/* the interrupt */
	buf_t		*head, *tail;	/* waiting, linked by av_forw */
	buf_t		*cur;		/* on the device */
	size_t		fragoff;	/* FRAGMENT: bytes of cur given */
	unsigned long	started;
#if __DDI_AT_LEAST(80)
	struct ddisim_bio *harness;
#endif
};

static struct unit units[BLK_UNITS];
#if __DDI_AT_LEAST(80)
static drvinfo_t blk_drvinfo = { NULL, "blk", 0, NULL, 0 };
#endif
static LKINFO_DECL(blk_lkinfo, "blk unit lock", 0);

static struct unit *
unit_of(dev_t dev)
{
#if __DDI_AT_LEAST(80)
	/* DDI 8 has no getminor: the low bits name the unit */
	minor_t m = (minor_t)(dev & L_MAXMIN);
#else
	minor_t m = getminor(dev);
#endif

	return m < BLK_UNITS && units[m].attached ? &units[m] : NULL;
}

/* ---- programming the device ---- */

static void
reg(const struct unit *u, int off, uint32_t v)
{
	outl(u->conf.port + off, v);
}

static void
reg64(const struct unit *u, int lo, uint64_t v)
{
	outl(u->conf.port + lo, (uint32_t)v);
	outl(u->conf.port + lo + 4, (uint32_t)(v >> 32));
}

/* The physical address of the piece's byte off, a kernel address. */
static uint64_t
kva_phys(buf_t *bp, size_t off)
{
#if __DDI_AT_MOST(71)
	return vtop(bp->b_un.b_addr + off, NULL);
#else
	uint64_t pa = 0;

	(void)ddisim_vtop(bp->b_un.b_addr + off, &pa);
	return pa;
#endif
}

/* The next fragment of cur: what is left of its page. */
static void
give_fragment(struct unit *u)
{
	buf_t *bp = u->cur;
	size_t left = bp->b_bcount - u->fragoff;
	size_t in = (size_t)((uintptr_t)(bp->b_un.b_addr + u->fragoff) %
	    PAGESIZE);
	size_t n = PAGESIZE - in < left ? PAGESIZE - in : left;

	reg64(u, DDISIM_DMA_ADDR_LO, kva_phys(bp, u->fragoff));
	reg(u, DDISIM_DMA_LEN, (uint32_t)n);
	u->fragoff += n;
}

/* The piece's list into the engine's pair registers. */
static void
give_pairs(struct unit *u, buf_t *bp)
{
	unsigned n;

	reg(u, DDISIM_DMA_SLOT, 0);
#if __DDI_AT_LEAST(80)
	n = bp->b_scgth.sg_nelem;
	for (unsigned i = 0; i < n; i++) {
		if (bp->b_scgth.sg_format == SCGTH_EL64) {
			const scgth_el64_t *e = &bp->b_scgth.sg_elem.el64[i];

			reg(u, DDISIM_DMA_PAIR_LO, e->sg_base[0]);
			reg(u, DDISIM_DMA_PAIR_HI, e->sg_base[1]);
			reg(u, DDISIM_DMA_PAIR_LEN, e->sg_size);
		} else {
			const scgth_el32_t *e = &bp->b_scgth.sg_elem.el32[i];

			reg(u, DDISIM_DMA_PAIR_LO, e->sg_base);
			reg(u, DDISIM_DMA_PAIR_HI, 0);
			reg(u, DDISIM_DMA_PAIR_LEN, e->sg_size);
		}
	}
#else
	n = bp->b_scgth_count;
	for (unsigned i = 0; i < n; i++) {
		reg(u, DDISIM_DMA_PAIR_LO, bp->b_un.b_scgth[i].sg_base);
		reg(u, DDISIM_DMA_PAIR_HI, 0);
		reg(u, DDISIM_DMA_PAIR_LEN, bp->b_un.b_scgth[i].sg_size);
	}
#endif
	reg(u, DDISIM_DMA_LEN, n);
}

/* The list's own address, for an engine that fetches it. */
static void
give_list(struct unit *u, buf_t *bp)
{
#if __DDI_AT_LEAST(80)
	if (bp->b_scgth.sg_format == SCGTH_EL64)
		reg64(u, DDISIM_DMA_ADDR_LO,
		    (uint64_t)bp->b_scgth.sg_el_addr.ea64.sg_base[1] << 32 |
		    bp->b_scgth.sg_el_addr.ea64.sg_base[0]);
	else
		reg64(u, DDISIM_DMA_ADDR_LO,
		    bp->b_scgth.sg_el_addr.ea32.sg_base);
	reg(u, DDISIM_DMA_LEN, bp->b_scgth.sg_nelem);
#else
	reg64(u, DDISIM_DMA_ADDR_LO, vtop((caddr_t)bp->b_un.b_scgth, NULL));
	reg(u, DDISIM_DMA_LEN, bp->b_scgth_count);
#endif
}

/* Start the next waiting request, if the device is free; under u->lk. */
static void
start_next(struct unit *u)
{
	buf_t *bp;
	uint64_t devoff;

	if (u->cur != NULL || (bp = u->head) == NULL)
		return;
	if ((u->head = bp->av_forw) == NULL)
		u->tail = NULL;
	u->cur = bp;
	u->started++;
	devoff = (uint64_t)(uint32_t)bp->b_blkno * NBPSCTR + bp->b_blkoff;
	reg64(u, DDISIM_DMA_BLK_LO, devoff / u->conf.sector);
	switch (u->conf.model) {
	case DDISIM_DMA_SINGLE:
		reg64(u, DDISIM_DMA_ADDR_LO, kva_phys(bp, 0));
		reg(u, DDISIM_DMA_LEN, bp->b_bcount);
		break;
	case DDISIM_DMA_FRAGMENT:
		u->fragoff = 0;
		reg(u, DDISIM_DMA_TOTAL, bp->b_bcount);
		give_fragment(u);
		break;
	case DDISIM_DMA_ONCHIP:
		give_pairs(u, bp);
		break;
	default:
		give_list(u, bp);
		break;
	}
	reg(u, DDISIM_DMA_CMD, (bp->b_flags & B_READ) ? DDISIM_DMA_GO_READ :
	    DDISIM_DMA_GO_WRITE);
}

/* A piece, from buf_breakup or the kernel: queue it, maybe start it. */
static void
blk_start(struct unit *u, buf_t *bp)
{
	pl_t pl = LOCK(u->lk, pldisk);

	bp->av_forw = NULL;
	if (u->tail != NULL)
		u->tail->av_forw = bp;
	else
		u->head = bp;
	u->tail = bp;
	start_next(u);
	UNLOCK(u->lk, pl);
}

/* The device of u interrupted: finish or feed its command. */
static int
unit_intr(struct unit *u)
{
	buf_t *bp = NULL;
	uint32_t st;
	pl_t pl = LOCK(u->lk, pldisk);

	st = inl(u->conf.port + DDISIM_DMA_STATUS);
	if (u->cur == NULL || !(st & (DDISIM_DMA_ST_DONE |
	    DDISIM_DMA_ST_FRAG))) {
		UNLOCK(u->lk, pl);
		return ISTAT_NONE;
	}
	if (st & DDISIM_DMA_ST_FRAG) {
		give_fragment(u);
		reg(u, DDISIM_DMA_CMD, DDISIM_DMA_GO_NEXT);
		UNLOCK(u->lk, pl);
		return ISTAT_ASSERTED;
	}
	bp = u->cur;
	u->cur = NULL;
	bp->b_resid = bp->b_bcount - inl(u->conf.port + DDISIM_DMA_DONE);
	reg(u, DDISIM_DMA_STATUS, st);
	if (st & DDISIM_DMA_ST_ERROR)
		bioerror(bp, EIO);
	start_next(u);
	UNLOCK(u->lk, pl);
	biodone(bp);
	return ISTAT_ASSERTED;
}

#if __DDI_AT_LEAST(80)
static int
blk_intr(void *idata)
{
	return unit_intr(idata);
}

/* The biostart entry point: the kernel broke the request up already. */
static void
blk_biostart(void *idata, uint32_t channel, buf_t *bp)
{
	(void)channel;
	blk_start(idata, bp);
}
#else
static void
blk_intr(int vec)
{
	for (int i = 0; i < BLK_UNITS; i++)
		if (units[i].attached && units[i].conf.irq == vec)
			(void)unit_intr(&units[i]);
}

/* Each piece buf_breakup makes. */
static void
blk_piece(buf_t *bp)
{
	struct unit *u = unit_of(bp->b_edev);

	if (u == NULL) {
		bioerror(bp, ENXIO);
		biodone(bp);
		return;
	}
	blk_start(u, bp);
}
#endif

void
F(strategy)(buf_t *bp)
{
	struct unit *u = unit_of(bp->b_edev);

	if (u == NULL) {
		bioerror(bp, ENXIO);
		biodone(bp);
		return;
	}
#if __DDI_AT_LEAST(80)
	ddisim_bio_submit(u->harness, 0, bp);
#else
	buf_breakup(blk_piece, bp, u->bcb);
#endif
}

/* ---- raw I/O ---- */

static int
blk_rw(uint32_t dev, uio_t *uiop, int rw)
{
	struct unit *u = unit_of(dev);

	if (u == NULL)
		return ENXIO;
#if __DDI_AT_LEAST(80)
	{
		buf_t *bp = uiobuf(NULL, uiop);
		int e;

		if (bp == NULL)
			return ENOMEM;
		bp->b_flags |= rw;
		bp->b_edev = dev;
		bp->b_blkno = (daddr_t)(uiop->uio_offset / NBPSCTR);
		bp->b_blkoff = (ushort_t)(uiop->uio_offset % NBPSCTR);
		F(strategy)(bp);
		e = biowait(bp);
		uiop->uio_resid = (int)bp->b_resid;
		freerbuf(bp);
		return e;
	}
#else
	/* reads let physiock check the device's end; writes check it here */
	if (rw == B_READ)
		return physiock(F(strategy), NULL, dev, rw,
		    (daddr_t)u->conf.nblocks, uiop);
	if ((uint64_t)uiop->uio_offset + (uint64_t)uiop->uio_resid >
	    (uint64_t)u->conf.nblocks * NBPSCTR)
		return ENXIO;
	return physiock(F(strategy), NULL, dev, rw,
	    (daddr_t)u->conf.nblocks, uiop);
#endif
}

int
F(read)(uint32_t dev, struct uio *uiop)
{
	return blk_rw(dev, uiop, B_READ);
}

int
F(write)(uint32_t dev, struct uio *uiop)
{
	return blk_rw(dev, uiop, B_WRITE);
}

/* ---- configuration ---- */

int
F(attach)(int unit, const struct blk_conf *c)
{
	struct unit *u;
	physreq_t *pr;
	bcb_t *b;

	if (unit < 0 || unit >= BLK_UNITS || units[unit].attached)
		return EINVAL;
	u = &units[unit];
	if ((pr = physreq_alloc(KM_SLEEP)) == NULL)
		return ENOMEM;
	pr->phys_align = c->align;
	pr->phys_boundary = c->boundary;
	pr->phys_dmasize = (uchar_t)c->dmasize;
	pr->phys_max_scgth = (uchar_t)c->max_scgth;
	pr->phys_flags = c->contig ? PREQ_PHYSCONTIG : 0;
	if ((b = bcb_alloc(KM_SLEEP)) == NULL) {
		physreq_free(pr);
		return ENOMEM;
	}
	b->bcb_addrtypes = (uchar_t)c->addrtypes;
	b->bcb_flags = c->sync ? BCB_SYNCHRONOUS : 0;
#if __DDI_AT_MOST(71)
	if (c->contig)
		b->bcb_flags |= BCB_PHYSCONTIG;
#endif
	b->bcb_max_xfer = c->max_xfer;
	b->bcb_granularity = c->granularity;
	b->bcb_physreqp = pr;
#if __DDI_AT_LEAST(80)
	if (!bcb_prep(b, KM_SLEEP))
		goto fail;
#else
	if (!physreq_prep(pr, KM_SLEEP))
		goto fail;
#endif
	u->conf = *c;
	u->preq = pr;
	u->bcb = b;
	u->head = u->tail = u->cur = NULL;
	u->started = 0;
	u->lk = LOCK_ALLOC(1, pldisk, &blk_lkinfo, KM_SLEEP);
#if __DDI_AT_LEAST(80)
	if (cm_intr_attach(ddisim_intr_key(c->irq, pldisk), blk_intr, u,
	    &blk_drvinfo, &u->cookie) == 0)
		goto fail_lock;
	u->harness = ddisim_bio_attach(b, b, blk_biostart, u);
	if (u->harness == NULL) {
		cm_intr_detach(u->cookie);
		goto fail_lock;
	}
#else
	{
		int devflag = 0;

		if (cm_intr_attach(ddisim_intr_key(c->irq, pldisk), blk_intr,
		    &devflag, &u->cookie) == 0)
			goto fail_lock;
	}
#endif
	u->attached = 1;
	return 0;
fail_lock:
	LOCK_DEALLOC(u->lk);
fail:
	bcb_free(b);
	physreq_free(pr);
	return EINVAL;
}

void
F(detach)(int unit)
{
	struct unit *u = &units[unit];

	if (unit < 0 || unit >= BLK_UNITS || !u->attached)
		return;
#if __DDI_AT_LEAST(80)
	ddisim_bio_detach(u->harness);
#endif
	cm_intr_detach(u->cookie);
	LOCK_DEALLOC(u->lk);
	bcb_free(u->bcb);
	physreq_free(u->preq);
	u->attached = 0;
}

physreq_t *
F(physreq)(int unit)
{
	return units[unit].preq;
}

unsigned long
F(started)(int unit)
{
	return units[unit].started;
}

struct ddisim_bio *
F(harness)(int unit)
{
#if __DDI_AT_LEAST(80)
	return units[unit].harness;
#else
	(void)unit;
	return NULL;
#endif
}
