/*
 * hx8.c - a DDI 8 memory device, built as a shared object the driver
 * host loads: its _load attaches it, the configuration entry point makes
 * one instance per board named "hx8", and channels 0 and 1 of each
 * instance are two halves of the instance's store.  D_MP.
 */
#include <sys/types.h>
#include <sys/param.h>
#include <sys/buf.h>
#include <sys/conf.h>
#include <sys/confmgr.h>
#include <sys/cred.h>
#include <sys/kmem.h>
#include <sys/moddefs.h>
#include <sys/stream.h>
#include <sys/cmn_err.h>
#include <sys/ddi.h>
#include <errno.h>

#include "hx.h"

#define HALF	(HX_SIZE / 2)

struct hx8 {
	rm_key_t	key;
	caddr_t		store;
	int		suspended;
	int		opens[HX8_NCHAN];
};

static int hx8_config(cfg_func_t, void *, rm_key_t);
static int hx8_open(void *, channel_t *, int, cred_t *, queue_t *);
static int hx8_close(void *, channel_t, int, cred_t *, queue_t *);
static int hx8_devinfo(void *, channel_t, di_parm_t, void *);
static void hx8_biostart(void *, channel_t, buf_t *);
static int hx8_ioctl(void *, channel_t, int, void *, int, cred_t *, int *);
static ppid_t hx8_mmap(void *, channel_t, size_t, int);
static int hx8_drvctl(void *, channel_t, int, void *);

static const drvops_t hx8_ops = {
	hx8_config, hx8_open, hx8_close, hx8_devinfo, hx8_biostart,
	hx8_ioctl, hx8_drvctl, hx8_mmap
};
static const drvinfo_t hx8_drvinfo = {
	&hx8_ops, "hx8", D_MP, NULL, HX8_NCHAN - 1
};

static bcb_t *hx8_bcb;

static int
hx8_load(void)
{
	physreq_t *pr;
	int rc;

	/* kernel virtual pieces of whole sectors */
	hx8_bcb = bcb_alloc(KM_SLEEP);
	pr = physreq_alloc(KM_SLEEP);
	pr->phys_align = 1;
	pr->phys_boundary = 0;
	pr->phys_dmasize = 64;
	pr->phys_max_scgth = 0;
	if (!physreq_prep(pr, KM_SLEEP)) {
		physreq_free(pr);
		bcb_free(hx8_bcb);
		return ENOMEM;
	}
	hx8_bcb->bcb_addrtypes = BA_KVIRT;
	hx8_bcb->bcb_granularity = NBPSCTR;
	hx8_bcb->bcb_physreqp = pr;
	if ((rc = drv_attach(&hx8_drvinfo)) != 0) {
		physreq_free(pr);
		bcb_free(hx8_bcb);
	}
	return rc;
}

static int
hx8_unload(void)
{
	drv_detach(&hx8_drvinfo);
	physreq_free(hx8_bcb->bcb_physreqp);
	bcb_free(hx8_bcb);
	return 0;
}

MOD_DRV_WRAPPER(hx8, hx8_load, hx8_unload, NULL, "hx8 - test memory device");

static int
hx8_config(cfg_func_t func, void *idata, rm_key_t key)
{
	struct hx8 *h;

	switch (func) {
	case CFG_ADD:
		if ((h = kmem_zalloc(sizeof(*h), KM_NOSLEEP)) == NULL)
			return ENOMEM;
		if ((h->store = kmem_zalloc(HX_SIZE, KM_NOSLEEP)) == NULL) {
			kmem_free(h, sizeof(*h));
			return ENOMEM;
		}
		h->key = key;
		*(void **)idata = h;
		return 0;
	case CFG_REMOVE:
		h = idata;
		kmem_free(h->store, HX_SIZE);
		kmem_free(h, sizeof(*h));
		return 0;
	case CFG_SUSPEND:
		((struct hx8 *)idata)->suspended = 1;
		return 0;
	case CFG_RESUME:
		((struct hx8 *)idata)->suspended = 0;
		return 0;
	case CFG_MODIFY:
	case CFG_VERIFY:
		return 0;
	default:
		return EOPNOTSUPP;
	}
}

/* ARGSUSED */
static int
hx8_open(void *idata, channel_t *chanp, int oflags, cred_t *crp,
    queue_t *q)
{
	struct hx8 *h = idata;

	(void)oflags;
	(void)crp;
	(void)q;
	if (*chanp >= HX8_NCHAN)
		return ENXIO;
	if (h->suspended)
		return EIO;
	h->opens[*chanp]++;
	return 0;
}

/* ARGSUSED */
static int
hx8_close(void *idata, channel_t chan, int oflags, cred_t *crp, queue_t *q)
{
	struct hx8 *h = idata;

	(void)oflags;
	(void)crp;
	(void)q;
	h->opens[chan]--;
	return 0;
}

/* ARGSUSED */
static int
hx8_devinfo(void *idata, channel_t chan, di_parm_t parm, void *valp)
{
	(void)idata;
	(void)chan;
	switch (parm) {
	case DI_RBCBP:
	case DI_WBCBP:
		*(bcb_t **)valp = hx8_bcb;
		return 0;
	case DI_SIZE:
		((devsize_t *)valp)->blkno = HALF / NBPSCTR;
		((devsize_t *)valp)->blkoff = 0;
		return 0;
	default:
		return EOPNOTSUPP;
	}
}

static void
hx8_biostart(void *idata, channel_t chan, buf_t *bp)
{
	struct hx8 *h = idata;
	long off = (long)bp->b_blkno * NBPSCTR;
	long n = (long)bp->b_bcount;
	caddr_t base = h->store + (long)chan * HALF;

	if (h->suspended || off > HALF) {
		bioerror(bp, h->suspended ? EIO : ENXIO);
		biodone(bp);
		return;
	}
	if (off + n > HALF)
		n = HALF - off;
	if (bp->b_flags & B_READ)
		bcopy(base + off, bp->b_un.b_addr, (size_t)n);
	else
		bcopy(bp->b_un.b_addr, base + off, (size_t)n);
	bp->b_resid = bp->b_bcount - (unsigned)n;
	biodone(bp);
}

/* ARGSUSED */
static int
hx8_ioctl(void *idata, channel_t chan, int cmd, void *arg, int oflags,
    cred_t *crp, int *rvalp)
{
	struct hx8 *h = idata;
	int size = HALF;

	(void)oflags;
	(void)crp;
	switch (cmd) {
	case HX_GETSIZE:
		if (copyout(&size, arg, sizeof(size)) != 0)
			return EFAULT;
		*rvalp = (int)h->key * 10 + (int)chan;
		return 0;
	case HX_NOTE:
		cmn_err(CE_NOTE, "hx8: key %d channel %d", (int)h->key,
		    (int)chan);
		return 0;
	default:
		return EINVAL;
	}
}

/* ARGSUSED */
static ppid_t
hx8_mmap(void *idata, channel_t chan, size_t off, int prot)
{
	struct hx8 *h = idata;

	(void)prot;
	if (off >= HALF)
		return NOPAGE;
	return kvtoppid(h->store + (long)chan * HALF + (long)off);
}

/* drvctl: the instance's key into *arg, plus cmd. */
static int
hx8_drvctl(void *idata, channel_t chan, int cmd, void *arg)
{
	(void)chan;
	*(int *)arg = (int)((struct hx8 *)idata)->key + cmd;
	return 0;
}
