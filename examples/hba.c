/*
 * hba.c - a DDI 8 driver for a bus-master disk adapter, written the way
 * UnixWare 7 HBA and disk drivers were:
 *
 *   - a loadable module: _load states the adapter's DMA limits in a
 *     breakup control block, then drv_attach(9), which gives the driver
 *     each of its boards with CFG_ADD and the board's resource manager
 *     key, from which it reads its ports and to which it attaches its
 *     interrupt;
 *   - one instance per adapter, channel = target * HBA_NLUN + LUN, each
 *     channel one disk unit, probed with a read of its first sector on
 *     open;
 *   - devinfo gives the kernel the breakup control block, so that every
 *     request reaching biostart is a physical scatter/gather list the
 *     adapter can take (no more than HBA_MAXSG elements, none crossing
 *     a 64 KiB line, every address 4-aligned and below 4 GiB), whether
 *     it came from the buffer cache or from a program's buffer (raw
 *     I/O); and DI_SIZE, the unit's size;
 *   - biostart copies the list into a command control block (CCB), from
 *     a pool in memory the adapter reaches, and gives the adapter the
 *     physical address of the CCB's list; the adapter interrupts when
 *     the command ends, and the interrupt routine calls biodone and
 *     starts the next command;
 *   - ioctls for the geometry and the unit's inquiry data.
 *
 * The adapter runs one command at a time; the driver keeps the CCBs it
 * has programmed in order, and the requests that found no free CCB on a
 * queue of their own.
 *
 * Compile as a legacy driver:
 *	cc $(pkg-config --cflags ddicompat) -D_DDI=8 -fPIC -shared \
 *	    -o hba.so hba.c
 */
#include <sys/types.h>
#include <sys/param.h>
#include <sys/buf.h>
#include <sys/conf.h>
#include <sys/confmgr.h>
#include <sys/cred.h>
#include <sys/errno.h>
#include <sys/kmem.h>
#include <sys/ksynch.h>
#include <sys/moddefs.h>
#include <sys/scgth.h>
#include <sys/stream.h>
#include <sys/cmn_err.h>
#include <sys/ddi.h>

#include "hba.h"

/* The adapter's registers: 32 bits, offsets from its first port. */
#define HBA_CMD		0x00	/* W: HBA_GO_* */
#define HBA_STATUS	0x04	/* R: HBA_ST_*; W: 1s clear DONE, ERROR */
#define HBA_LIST_LO	0x08	/* the descriptor list's address */
#define HBA_LIST_HI	0x0c
#define HBA_NDESC	0x10	/* descriptors in it */
#define HBA_BLK_LO	0x14	/* the first sector */
#define HBA_BLK_HI	0x18
#define HBA_DONE	0x20	/* R: bytes the command moved */
#define HBA_NPORTS	0x34

#define HBA_GO_READ	0x1
#define HBA_GO_WRITE	0x2

#define HBA_ST_BUSY	0x1
#define HBA_ST_DONE	0x2
#define HBA_ST_ERROR	0x8

#define HBA_NCCB	8

/* A descriptor, as the adapter fetches it. */
struct hba_sg {
	paddr32_t	sg_addr;
	uint_t		sg_len;
};

/*
 * A command control block.  The adapter fetches c_sg, by the physical
 * address in c_pa; the rest is the driver's.
 */
struct hba_ccb {
	struct hba_sg	c_sg[HBA_MAXSG];
	paddr32_t	c_pa;
	uint_t		c_nsg;
	uint_t		c_cmd;		/* HBA_GO_* */
	daddr_t		c_blkno;	/* the adapter's sector */
	buf_t		*c_bp;
	struct hba_ccb	*c_next;
};

struct hba_unit {
	int		u_present;	/* its first sector read once */
	int		u_open;		/* open: close comes on the last close */
};

/* An adapter: one instance. */
struct hba {
	rm_key_t	h_key;
	int		h_base;		/* its first port */
	lock_t		*h_lock;	/* everything below, at pldisk */
	void		*h_cookie;	/* its interrupt */
	struct hba_ccb	*h_ccbs;	/* HBA_NCCB of them */
	paddr32_t	h_ccbs_pa;
	struct hba_ccb	*h_free;
	struct hba_ccb	*h_ready;	/* programmed, in order */
	struct hba_ccb	**h_readyp;	/* where the next goes */
	struct hba_ccb	*h_active;	/* the adapter's */
	buf_t		*h_waitq;	/* requests with no CCB yet */
	buf_t		**h_waitp;
	sleep_t		*h_probe_lock;	/* h_scratch's */
	caddr_t		h_scratch;	/* a sector for the driver's reads */
	paddr32_t	h_scratch_pa;
	struct hba_unit	h_unit[HBA_NCHAN];
};

static int hba_config(cfg_func_t, void *, rm_key_t);
static int hba_open(void *, channel_t *, int, cred_t *, queue_t *);
static int hba_close(void *, channel_t, int, cred_t *, queue_t *);
static int hba_devinfo(void *, channel_t, di_parm_t, void *);
static void hba_biostart(void *, channel_t, buf_t *);
static int hba_ioctl(void *, channel_t, int, void *, int, cred_t *, int *);

static const drvops_t hba_ops = {
	hba_config, hba_open, hba_close, hba_devinfo, hba_biostart,
	hba_ioctl, NULL, NULL
};
static const drvinfo_t hba_drvinfo = {
	&hba_ops, "hba", D_MP, NULL, HBA_NCHAN - 1
};

static bcb_t *hba_bcb;			/* the adapter's data limits */
static physreq_t *hba_ctl_preq;		/* its CCBs' and scratch sector's */

static LKINFO_DECL(hba_lkinfo, "hba: adapter lock", 0);
static LKINFO_DECL(hba_probe_lkinfo, "hba: probe lock", LK_NOSTATS);

/* ---- loading ---- */

static int
hba_load(void)
{
	physreq_t *pr;
	int error;

	/*
	 * CCB lists and the scratch sector: 8-aligned for the list fetch,
	 * contiguous, inside one 64 KiB line, below 4 GiB.
	 */
	hba_ctl_preq = physreq_alloc(KM_SLEEP);
	hba_ctl_preq->phys_align = 8;
	hba_ctl_preq->phys_boundary = HBA_BOUNDARY;
	hba_ctl_preq->phys_dmasize = 32;
	hba_ctl_preq->phys_flags = PREQ_PHYSCONTIG;
	if (!physreq_prep(hba_ctl_preq, KM_SLEEP)) {
		physreq_free(hba_ctl_preq);
		return ENOMEM;
	}

	/* the data: lists the adapter takes, whole sectors */
	pr = physreq_alloc(KM_SLEEP);
	pr->phys_align = HBA_ALIGN;
	pr->phys_boundary = HBA_BOUNDARY;
	pr->phys_dmasize = 32;
	pr->phys_max_scgth = HBA_MAXSG;
	hba_bcb = bcb_alloc(KM_SLEEP);
	hba_bcb->bcb_addrtypes = BA_SCGTH;
	hba_bcb->bcb_granularity = HBA_BSIZE;
	hba_bcb->bcb_max_xfer = HBA_MAXXFER;
	hba_bcb->bcb_physreqp = pr;
	if (!bcb_prep(hba_bcb, KM_SLEEP)) {
		error = ENOMEM;
		goto fail;
	}
	if ((error = drv_attach(&hba_drvinfo)) == 0)
		return 0;
fail:
	bcb_free(hba_bcb);
	physreq_free(pr);
	physreq_free(hba_ctl_preq);
	return error;
}

static int
hba_unload(void)
{
	physreq_t *pr = hba_bcb->bcb_physreqp;

	drv_detach(&hba_drvinfo);
	bcb_free(hba_bcb);
	physreq_free(pr);
	physreq_free(hba_ctl_preq);
	return 0;
}

MOD_DRV_WRAPPER(hba, hba_load, hba_unload, NULL,
    "hba - example bus-master disk adapter");

/* ---- configuration ---- */

static int hba_intr(void *);

/* One value of a parameter of the board; 0 or an errno. */
static int
hba_getval(rm_key_t key, char *param, void *val, size_t len)
{
	cm_args_t ca;

	ca.cm_key = key;
	ca.cm_param = param;
	ca.cm_val = val;
	ca.cm_vallen = len;
	ca.cm_n = 0;
	return cm_getval(&ca);
}

/* The board's ports, checked: 0 or an errno. */
static int
hba_ports(rm_key_t key, int *basep)
{
	cm_range_t io;
	cm_num_t irq;
	int error;

	cm_begin_trans(key, RM_READ);
	error = hba_getval(key, CM_IOADDR, &io, sizeof(io));
	if (error == 0)
		error = hba_getval(key, CM_IRQ, &irq, sizeof(irq));
	cm_end_trans(key);
	if (error != 0)
		return ENXIO;
	if (io.endaddr < io.startaddr ||
	    io.endaddr - io.startaddr + 1 < HBA_NPORTS)
		return ENXIO;
	*basep = (int)io.startaddr;
	return 0;
}

static void
hba_free(struct hba *h)
{
	if (h->h_scratch != NULL)
		kmem_free(h->h_scratch, HBA_BSIZE);
	if (h->h_ccbs != NULL)
		kmem_free(h->h_ccbs, HBA_NCCB * sizeof(struct hba_ccb));
	if (h->h_probe_lock != NULL)
		SLEEP_DEALLOC(h->h_probe_lock);
	if (h->h_lock != NULL)
		LOCK_DEALLOC(h->h_lock);
	kmem_free(h, sizeof(*h));
}

static int
hba_add(void *idata, rm_key_t key)
{
	struct hba *h;
	int i, error;

	if ((h = kmem_zalloc(sizeof(*h), KM_NOSLEEP)) == NULL)
		return ENOMEM;
	h->h_key = key;
	if ((error = hba_ports(key, &h->h_base)) != 0) {
		cmn_err(CE_WARN, "hba: board %d has no ports or interrupt",
		    (int)key);
		hba_free(h);
		return error;
	}
	h->h_lock = LOCK_ALLOC(1, pldisk, &hba_lkinfo, KM_NOSLEEP);
	h->h_probe_lock = SLEEP_ALLOC(0, &hba_probe_lkinfo, KM_NOSLEEP);
	h->h_ccbs = kmem_alloc_phys(HBA_NCCB * sizeof(struct hba_ccb),
	    hba_ctl_preq, &h->h_ccbs_pa, KM_FAIL_OK);
	h->h_scratch = kmem_alloc_phys(HBA_BSIZE, hba_ctl_preq,
	    &h->h_scratch_pa, KM_FAIL_OK);
	if (h->h_lock == NULL || h->h_probe_lock == NULL ||
	    h->h_ccbs == NULL || h->h_scratch == NULL) {
		hba_free(h);
		return ENOMEM;
	}
	for (i = 0; i < HBA_NCCB; i++) {
		struct hba_ccb *c = &h->h_ccbs[i];

		c->c_pa = h->h_ccbs_pa + (paddr32_t)(i * sizeof(*c));
		c->c_next = h->h_free;
		h->h_free = c;
	}
	h->h_readyp = &h->h_ready;
	h->h_waitp = &h->h_waitq;
	/* a command left over from before us is not ours */
	outl(h->h_base + HBA_STATUS, HBA_ST_DONE | HBA_ST_ERROR);
	if (!cm_intr_attach(key, hba_intr, h, (drvinfo_t *)&hba_drvinfo,
	    &h->h_cookie)) {
		hba_free(h);
		return EIO;
	}
	*(void **)idata = h;
	return 0;
}

static int
hba_config(cfg_func_t func, void *idata, rm_key_t key)
{
	struct hba *h = idata;
	int base, i;

	switch (func) {
	case CFG_ADD:
		return hba_add(idata, key);
	case CFG_REMOVE:
		for (i = 0; i < HBA_NCHAN; i++)
			if (h->h_unit[i].u_open)
				return EBUSY;
		cm_intr_detach(h->h_cookie);
		hba_free(h);
		return 0;
	case CFG_VERIFY:
		return hba_ports(key, &base);
	default:
		return EOPNOTSUPP;	/* not D_HOT */
	}
}

/* ---- commands ---- */

/*
 * Describe bp to the adapter in c (h_lock held).  A request from the
 * kernel is a list; the driver's own reads go to its scratch sector.
 * b_priv2 holds the adapter's sector, b_priv the bytes to move.
 */
static void
hba_fill(struct hba *h, struct hba_ccb *c, buf_t *bp)
{
	uint_t want = (uint_t)bp->b_priv.un_int, n = 0, i;

	c->c_bp = bp;
	c->c_cmd = (bp->b_flags & B_READ) ? HBA_GO_READ : HBA_GO_WRITE;
	c->c_blkno = bp->b_priv2.un_daddr;
	c->c_nsg = 0;
	if (bp->b_addrtype != BA_SCGTH) {
		c->c_sg[0].sg_addr = h->h_scratch_pa;
		c->c_sg[0].sg_len = want;
		c->c_nsg = 1;
		return;
	}
	/* the kernel's list, as far as the unit goes */
	for (i = 0; i < bp->b_scgth.sg_nelem && n < want; i++) {
		const scgth_el32_t *e = &bp->b_scgth.sg_elem.el32[i];
		uint_t len = e->sg_size;

		if (len > want - n)
			len = want - n;
		c->c_sg[i].sg_addr = e->sg_base;
		c->c_sg[i].sg_len = len;
		n += len;
		c->c_nsg++;
	}
}

/* Give the adapter the next command, if it is idle (h_lock held). */
static void
hba_kick(struct hba *h)
{
	struct hba_ccb *c;

	if (h->h_active != NULL || (c = h->h_ready) == NULL)
		return;
	if ((h->h_ready = c->c_next) == NULL)
		h->h_readyp = &h->h_ready;
	h->h_active = c;
	outl(h->h_base + HBA_LIST_LO, c->c_pa);
	outl(h->h_base + HBA_LIST_HI, 0);
	outl(h->h_base + HBA_NDESC, c->c_nsg);
	outl(h->h_base + HBA_BLK_LO, (ulong_t)c->c_blkno);
	outl(h->h_base + HBA_BLK_HI, 0);
	outl(h->h_base + HBA_CMD, c->c_cmd);
}

/* Program a CCB for bp, or queue bp for one (h_lock held). */
static void
hba_queue(struct hba *h, buf_t *bp)
{
	struct hba_ccb *c;

	if ((c = h->h_free) == NULL) {
		bp->av_forw = NULL;
		*h->h_waitp = bp;
		h->h_waitp = &bp->av_forw;
		return;
	}
	h->h_free = c->c_next;
	hba_fill(h, c, bp);
	c->c_next = NULL;
	*h->h_readyp = c;
	h->h_readyp = &c->c_next;
}

static void
hba_biostart(void *idata, channel_t chan, buf_t *bp)
{
	struct hba *h = idata;
	daddr_t blkno = bp->b_blkno;
	uint_t count = bp->b_bcount;
	pl_t pl;

	if (blkno < 0 || blkno > HBA_UNIT_BLOCKS || bp->b_blkoff != 0 ||
	    (blkno == HBA_UNIT_BLOCKS && !(bp->b_flags & B_READ))) {
		bioerror(bp, ENXIO);
		biodone(bp);
		return;
	}
	/* the end of the unit: a read there moves nothing */
	if ((daddr_t)(count / HBA_BSIZE) > HBA_UNIT_BLOCKS - blkno)
		count = (uint_t)(HBA_UNIT_BLOCKS - blkno) * HBA_BSIZE;
	bp->b_resid = bp->b_bcount - count;
	if (count == 0) {
		biodone(bp);
		return;
	}
	bp->b_priv2.un_daddr = (daddr_t)chan * HBA_UNIT_BLOCKS + blkno;
	bp->b_priv.un_int = (int)count;
	pl = LOCK(h->h_lock, pldisk);
	hba_queue(h, bp);
	hba_kick(h);
	UNLOCK(h->h_lock, pl);
}

static int
hba_intr(void *idata)
{
	struct hba *h = idata;
	struct hba_ccb *c;
	ulong_t st;
	buf_t *bp, *next;
	pl_t pl;

	pl = LOCK(h->h_lock, pldisk);
	st = inl(h->h_base + HBA_STATUS);
	if ((c = h->h_active) == NULL || !(st & HBA_ST_DONE)) {
		UNLOCK(h->h_lock, pl);
		return ISTAT_NONE;
	}
	h->h_active = NULL;
	bp = c->c_bp;
	bp->b_resid += (uint_t)bp->b_priv.un_int -
	    (uint_t)inl(h->h_base + HBA_DONE);
	if (st & HBA_ST_ERROR)
		bioerror(bp, EIO);
	outl(h->h_base + HBA_STATUS, st);	/* acknowledge */
	c->c_bp = NULL;
	c->c_next = h->h_free;
	h->h_free = c;
	if ((next = h->h_waitq) != NULL) {
		if ((h->h_waitq = next->av_forw) == NULL)
			h->h_waitp = &h->h_waitq;
		hba_queue(h, next);
	}
	hba_kick(h);
	UNLOCK(h->h_lock, pl);
	biodone(bp);
	return ISTAT_ASSERTED;
}

/*
 * Whether a unit is there: its first sector read into the scratch
 * sector.  0, or ENXIO.
 */
static int
hba_probe(struct hba *h, channel_t chan)
{
	buf_t *bp;
	int error;

	SLEEP_LOCK(h->h_probe_lock, pridisk);
	bp = getrbuf(KM_SLEEP);
	bp->b_flags |= B_READ;
	bp->b_un.b_addr = h->h_scratch;
	bp->b_bcount = HBA_BSIZE;
	bp->b_blkno = 0;
	hba_biostart(h, chan, bp);
	error = biowait(bp);
	freerbuf(bp);
	SLEEP_UNLOCK(h->h_probe_lock);
	return error != 0 ? ENXIO : 0;
}

/* ---- the entry points programs reach ---- */

/* ARGSUSED */
static int
hba_open(void *idata, channel_t *chanp, int oflags, cred_t *crp,
    queue_t *q)
{
	struct hba *h = idata;
	struct hba_unit *u;
	channel_t chan = *chanp;
	int present;
	pl_t pl;

	(void)oflags;
	(void)crp;
	(void)q;
	if (chan >= HBA_NCHAN)
		return ENXIO;
	u = &h->h_unit[chan];
	pl = LOCK(h->h_lock, pldisk);
	present = u->u_present;
	UNLOCK(h->h_lock, pl);
	if (!present && hba_probe(h, chan) != 0)
		return ENXIO;
	pl = LOCK(h->h_lock, pldisk);
	u->u_present = 1;
	u->u_open = 1;
	UNLOCK(h->h_lock, pl);
	return 0;
}

/* ARGSUSED */
static int
hba_close(void *idata, channel_t chan, int oflags, cred_t *crp, queue_t *q)
{
	struct hba *h = idata;
	pl_t pl;

	(void)oflags;
	(void)crp;
	(void)q;
	pl = LOCK(h->h_lock, pldisk);
	h->h_unit[chan].u_open = 0;
	UNLOCK(h->h_lock, pl);
	return 0;
}

/* ARGSUSED */
static int
hba_devinfo(void *idata, channel_t chan, di_parm_t parm, void *valp)
{
	devsize_t *sz;

	(void)idata;
	(void)chan;
	switch (parm) {
	case DI_RBCBP:
	case DI_WBCBP:
		*(bcb_t **)valp = hba_bcb;
		return 0;
	case DI_SIZE:
		sz = valp;
		sz->blkno = HBA_UNIT_BLOCKS;
		sz->blkoff = 0;
		return 0;
	default:
		return EOPNOTSUPP;
	}
}

/* ARGSUSED */
static int
hba_ioctl(void *idata, channel_t chan, int cmd, void *arg, int oflags,
    cred_t *crp, int *rvalp)
{
	struct hba *h = idata;
	struct hba_geom g;
	struct hba_inquiry inq;

	(void)oflags;
	(void)crp;
	switch (cmd) {
	case HBA_GETGEOM:
		/* the translation the adapter's BIOS made */
		g.g_heads = 64;
		g.g_sectors = 32;
		g.g_blocks = HBA_UNIT_BLOCKS;
		g.g_cyls = g.g_blocks / (g.g_heads * g.g_sectors);
		if (copyout(&g, arg, sizeof(g)) != 0)
			return EFAULT;
		*rvalp = 0;
		return 0;
	case HBA_INQUIRY:
		bzero(&inq, sizeof(inq));
		inq.i_key = (unsigned int)h->h_key;
		inq.i_target = (unsigned int)(chan / HBA_NLUN);
		inq.i_lun = (unsigned int)(chan % HBA_NLUN);
		bcopy("EXAMPLE ", inq.i_vendor, sizeof(inq.i_vendor));
		bcopy("HBA DISK UNIT   ", inq.i_product,
		    sizeof(inq.i_product));
		if (copyout(&inq, arg, sizeof(inq)) != 0)
			return EFAULT;
		*rvalp = 0;
		return 0;
	default:
		return EINVAL;
	}
}
