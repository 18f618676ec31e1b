/*
 * test_cfg8.c - DDI 8 configuration and inter-driver calls (drv_attach(9),
 * drv_open(9)), the module wrappers and ddisim_mod_load(3), and
 * mod_drvattach(9).
 *
 * Two drivers: "rdsk", a RAM disk of two boards whose breakup control
 * block cuts requests into 1 KiB pieces, and "lay", a layered driver of
 * one board that opens rdsk through drv_open when it is opened and moves
 * data to and from it with do_biostart when it is asked to by ioctl.
 */
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/cred.h>
#include <sys/conf.h>
#include <sys/moddefs.h>
#include <sys/kmem.h>
#include <sys/buf.h>
#include <sys/ddi.h>
#include <ddicompat/ddisim.h>
#include "exports.h"
#include "lib/testutil.h"

#define SPEC	"mem=64M,board=rdsk:irq=5,board=rdsk:irq=6,board=lay:irq=7"
#define RDSK_BYTES	(16 * 1024)
#define RDSK_PIECE	1024
#define RDSK_MAXCHAN	15
#define RDSK_CLONE	9	/* opening it gives RDSK_CLONED */
#define RDSK_CLONED	4
#define RDSK_BADCHAN	13	/* d_open refuses it with EBUSY */

/* ---- rdsk: a RAM disk per board ---- */

struct rdsk {
	rm_key_t	key;
	unsigned char	data[RDSK_BYTES];
	bcb_t		*bcb;
	unsigned	opens[RDSK_MAXCHAN + 1];	/* d_open calls */
	unsigned	closes[RDSK_MAXCHAN + 1];	/* d_close calls */
	unsigned	pieces;		/* d_biostart calls */
	cred_t		*last_cred;
};

/* Every CFG_ADD and CFG_REMOVE, for the tests to look at. */
static struct rdsk *rdsk_inst[4];
static unsigned rdsk_adds, rdsk_removes;
static rm_key_t rdsk_refuse;	/* CFG_ADD of this key fails */

static int
rdsk_config(cfg_func_t func, void *idata, rm_key_t key)
{
	struct rdsk *r;
	physreq_t *p;

	switch (func) {
	case CFG_ADD:
		if (key == rdsk_refuse)
			return ENXIO;
		r = kmem_zalloc(sizeof(*r), KM_SLEEP);
		r->key = key;
		r->bcb = bcb_alloc(KM_SLEEP);
		p = physreq_alloc(KM_SLEEP);
		p->phys_dmasize = 32;
		p->phys_align = 4;
		r->bcb->bcb_physreqp = p;
		r->bcb->bcb_addrtypes = BA_KVIRT;
		r->bcb->bcb_granularity = 512;
		r->bcb->bcb_max_xfer = RDSK_PIECE;
		if (!bcb_prep(r->bcb, KM_SLEEP))
			return EINVAL;
		*(void **)idata = r;
		if (key < 4)
			rdsk_inst[key] = r;
		rdsk_adds++;
		return 0;
	case CFG_REMOVE:
		r = idata;
		ck_assert_uint_eq(r->key, key);
		if (key < 4)
			rdsk_inst[key] = NULL;
		physreq_free(r->bcb->bcb_physreqp);
		bcb_free(r->bcb);
		kmem_free(r, sizeof(*r));
		rdsk_removes++;
		return 0;
	default:
		return EOPNOTSUPP;
	}
}

static int
rdsk_open(void *idata, channel_t *chp, int oflags, cred_t *crp,
    struct queue *q)
{
	struct rdsk *r = idata;

	(void)oflags;
	ck_assert_ptr_null(q);
	if (*chp == RDSK_BADCHAN)
		return EBUSY;
	if (*chp == RDSK_CLONE)
		*chp = RDSK_CLONED;
	__atomic_add_fetch(&r->opens[*chp], 1, __ATOMIC_RELAXED);
	__atomic_store_n(&r->last_cred, crp, __ATOMIC_RELAXED);
	return 0;
}

static int
rdsk_close(void *idata, channel_t ch, int oflags, cred_t *crp,
    struct queue *q)
{
	struct rdsk *r = idata;

	(void)oflags;
	(void)crp;
	ck_assert_ptr_null(q);
	__atomic_add_fetch(&r->closes[ch], 1, __ATOMIC_RELAXED);
	return ch == 1 ? EIO : 0;	/* channel 1's close fails */
}

static int
rdsk_devinfo(void *idata, channel_t ch, di_parm_t parm, void *valp)
{
	struct rdsk *r = idata;

	(void)ch;
	switch (parm) {
	case DI_RBCBP:
	case DI_WBCBP:
		*(bcb_t **)valp = r->bcb;
		return 0;
	case DI_SIZE:
		((devsize_t *)valp)->blkno = RDSK_BYTES / 512;
		((devsize_t *)valp)->blkoff = 0;
		return 0;
	case DI_MEDIA:
		*(const char **)valp = "disk";
		return 0;
	default:
		return EOPNOTSUPP;
	}
}

static void
rdsk_biostart(void *idata, channel_t ch, buf_t *bp)
{
	struct rdsk *r = idata;
	uint64_t off = (uint64_t)bp->b_blkno * 512 + bp->b_blkoff;

	(void)ch;
	__atomic_add_fetch(&r->pieces, 1, __ATOMIC_RELAXED);
	ck_assert_uint_le(bp->b_bcount, RDSK_PIECE);
	if (off + bp->b_bcount > RDSK_BYTES) {
		bp->b_resid = bp->b_bcount;
		bioerror(bp, ENXIO);
	} else {
		if (bp->b_flags & B_READ)
			memcpy(bp->b_un.b_addr, r->data + off, bp->b_bcount);
		else
			memcpy(r->data + off, bp->b_un.b_addr, bp->b_bcount);
		bp->b_resid = 0;
	}
	biodone(bp);
}

static int
rdsk_ioctl(void *idata, channel_t ch, int cmd, void *arg, int oflags,
    cred_t *crp, int *rvalp)
{
	(void)idata;
	(void)arg;
	(void)oflags;
	(void)crp;
	*rvalp = cmd + (int)ch;
	return cmd == 0 ? EINVAL : 0;
}

static int
rdsk_drvctl(void *idata, channel_t ch, int cmd, void *arg)
{
	(void)idata;
	(void)ch;
	*(int *)arg = cmd * 2;
	return 0;
}

static const drvops_t rdsk_ops = {
	rdsk_config, rdsk_open, rdsk_close, rdsk_devinfo, rdsk_biostart,
	rdsk_ioctl, rdsk_drvctl, NULL
};
static const drvinfo_t rdsk_info = {
	&rdsk_ops, "rdsk", D_MP, NULL, RDSK_MAXCHAN
};

/* ---- lay: a layered driver over rdsk's first board ---- */

#define LAY_READ	1
#define LAY_WRITE	2
#define LAY_SIZE	3

struct lay_xfer {
	uint64_t	off;
	void		*buf;
	size_t		len;
};

struct lay {
	chan_handle_t	lower;
	channel_t	lower_ch;
};

static rm_key_t lay_lower_key;

static int
lay_config(cfg_func_t func, void *idata, rm_key_t key)
{
	(void)key;
	if (func == CFG_ADD) {
		*(void **)idata = kmem_zalloc(sizeof(struct lay), KM_SLEEP);
		return 0;
	}
	if (func == CFG_REMOVE) {
		kmem_free(idata, sizeof(struct lay));
		return 0;
	}
	return EOPNOTSUPP;
}

static int
lay_open(void *idata, channel_t *chp, int oflags, cred_t *crp,
    struct queue *q)
{
	struct lay *l = idata;

	(void)chp;
	(void)q;
	l->lower_ch = 2;
	return drv_open(lay_lower_key, &l->lower_ch, oflags, crp, &l->lower);
}

static int
lay_close(void *idata, channel_t ch, int oflags, cred_t *crp,
    struct queue *q)
{
	struct lay *l = idata;

	(void)ch;
	(void)q;
	return drv_close(l->lower, oflags, crp);
}

static int
lay_ioctl(void *idata, channel_t ch, int cmd, void *arg, int oflags,
    cred_t *crp, int *rvalp)
{
	struct lay *l = idata;
	struct lay_xfer *x = arg;
	devsize_t sz;
	buf_t *bp;
	int e;

	(void)ch;
	(void)oflags;
	(void)crp;
	*rvalp = 0;
	if (cmd == LAY_SIZE) {
		if ((e = do_devinfo(l->lower, DI_SIZE, &sz)) == 0)
			*rvalp = (int)sz.blkno;
		return e;
	}
	bp = getrbuf(KM_SLEEP);
	bp->b_flags |= cmd == LAY_READ ? B_READ : B_WRITE;
	bp->b_addrtype = BA_KVIRT;
	bp->b_un.b_addr = x->buf;
	bp->b_bcount = (uint_t)x->len;
	bp->b_blkno = (daddr_t)(x->off / 512);
	bp->b_blkoff = (ushort_t)(x->off % 512);
	do_biostart(l->lower, bp);
	e = biowait(bp);
	*rvalp = (int)bp->b_resid;
	freerbuf(bp);
	return e;
}

static const drvops_t lay_ops = {
	lay_config, lay_open, lay_close, NULL, NULL, lay_ioctl, NULL, NULL
};
static const drvinfo_t lay_info = { &lay_ops, "lay", D_MP, NULL, 0 };

static void
counts_reset(void)
{
	memset(rdsk_inst, 0, sizeof(rdsk_inst));
	rdsk_adds = rdsk_removes = 0;
	rdsk_refuse = 0;
}

/* ---- core ---- */

START_TEST(attach_configures_every_board)
{
	counts_reset();
	MACHINE_UP(SPEC);
	ck_assert_int_eq(drv_attach(&rdsk_info), 0);
	ck_assert_uint_eq(rdsk_adds, 2);
	ck_assert_ptr_nonnull(rdsk_inst[1]);
	ck_assert_ptr_nonnull(rdsk_inst[2]);
	ck_assert_ptr_ne(rdsk_inst[1], rdsk_inst[2]);
	ck_assert_uint_eq(rdsk_inst[1]->key, 1);
	drv_detach(&rdsk_info);
	ck_assert_uint_eq(rdsk_removes, 2);
	ck_assert_ptr_null(rdsk_inst[1]);
	/* detached: attachable again */
	ck_assert_int_eq(drv_attach(&rdsk_info), 0);
	ck_assert_uint_eq(rdsk_adds, 4);
	drv_detach(&rdsk_info);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	MACHINE_DOWN();
}
END_TEST

START_TEST(open_close_and_calls)
{
	static cred_t cr;
	chan_handle_t h1, h2, h3;
	channel_t ch;
	devsize_t sz;
	const char *media;
	int rv, v;

	counts_reset();
	MACHINE_UP(SPEC);
	ck_assert_int_eq(drv_attach(&rdsk_info), 0);
	ch = 2;
	ck_assert_int_eq(drv_open(1, &ch, 1, &cr, &h1), 0);
	ck_assert_uint_eq(ch, 2);
	ck_assert_ptr_eq(rdsk_inst[1]->last_cred, &cr);
	ck_assert_int_eq(drv_open(1, &ch, 1, &cr, &h2), 0);
	ck_assert_ptr_ne(h1, h2);
	ck_assert_uint_eq(rdsk_inst[1]->opens[2], 2);	/* every open */
	/* a clone open gives another channel */
	ch = RDSK_CLONE;
	ck_assert_int_eq(drv_open(1, &ch, 1, NULL, &h3), 0);
	ck_assert_uint_eq(ch, RDSK_CLONED);
	ck_assert_uint_eq(rdsk_inst[1]->opens[RDSK_CLONED], 1);
	/* the calls reach the right instance and channel */
	ck_assert_int_eq(do_devinfo(h1, DI_SIZE, &sz), 0);
	ck_assert_int_eq(sz.blkno, RDSK_BYTES / 512);
	ck_assert_int_eq(do_devinfo(h1, DI_MEDIA, &media), 0);
	ck_assert_str_eq(media, "disk");
	ck_assert_int_eq(do_devinfo(h1, DI_PHYS_HINT, &media), EOPNOTSUPP);
	ck_assert_int_eq(do_ioctl(h3, 10, NULL, 0, NULL, &rv), 0);
	ck_assert_int_eq(rv, 10 + RDSK_CLONED);
	ck_assert_int_eq(do_ioctl(h3, 0, NULL, 0, NULL, &rv), EINVAL);
	ck_assert_int_eq(do_drvctl(h2, 21, &v), 0);
	ck_assert_int_eq(v, 42);
	/* one close per channel, at the last drv_close */
	ck_assert_int_eq(drv_close(h1, 1, &cr), 0);
	ck_assert_uint_eq(rdsk_inst[1]->closes[2], 0);
	ck_assert_int_eq(drv_close(h2, 1, &cr), 0);
	ck_assert_uint_eq(rdsk_inst[1]->closes[2], 1);
	ck_assert_int_eq(drv_close(h3, 1, NULL), 0);
	ck_assert_uint_eq(rdsk_inst[1]->closes[RDSK_CLONED], 1);
	/* a failing close: its error, and the channel is closed */
	ch = 1;
	ck_assert_int_eq(drv_open(2, &ch, 1, NULL, &h1), 0);
	ck_assert_int_eq(drv_close(h1, 1, NULL), EIO);
	drv_detach(&rdsk_info);
	ck_assert_uint_eq(rdsk_removes, 2);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	MACHINE_DOWN();
}
END_TEST

/* lay opens rdsk through drv_open and moves data with do_biostart. */
START_TEST(layered_driver_moves_data)
{
	static unsigned char out[5000], in[5000];
	struct lay_xfer x;
	chan_handle_t h;
	channel_t ch = 0;
	unsigned before;
	int rv;

	counts_reset();
	MACHINE_UP(SPEC);
	ck_assert_int_eq(drv_attach(&rdsk_info), 0);
	ck_assert_int_eq(drv_attach(&lay_info), 0);
	lay_lower_key = 1;
	ck_assert_int_eq(drv_open(3, &ch, 3, NULL, &h), 0);
	ck_assert_uint_eq(rdsk_inst[1]->opens[2], 1);
	ck_assert_int_eq(do_ioctl(h, LAY_SIZE, NULL, 0, NULL, &rv), 0);
	ck_assert_int_eq(rv, RDSK_BYTES / 512);
	for (size_t i = 0; i < sizeof(out); i++)
		out[i] = (unsigned char)(i * 7 + 3);
	/* 5000 bytes at byte 700: pieces of at most 1 KiB */
	x.off = 700;
	x.buf = out;
	x.len = sizeof(out);
	before = rdsk_inst[1]->pieces;
	ck_assert_int_eq(do_ioctl(h, LAY_WRITE, &x, 0, NULL, &rv), 0);
	ck_assert_int_eq(rv, 0);
	ck_assert_uint_ge(rdsk_inst[1]->pieces - before, 5);
	ck_assert_mem_eq(rdsk_inst[1]->data + 700, out, sizeof(out));
	ck_assert_uint_eq(rdsk_inst[2]->pieces, 0);
	x.buf = in;
	ck_assert_int_eq(do_ioctl(h, LAY_READ, &x, 0, NULL, &rv), 0);
	ck_assert_mem_eq(in, out, sizeof(out));
	/* past the end: the lower driver's error comes back */
	x.off = RDSK_BYTES - 512;
	x.len = 1024;
	ck_assert_int_eq(do_ioctl(h, LAY_READ, &x, 0, NULL, &rv), ENXIO);
	ck_assert_int_eq(drv_close(h, 3, NULL), 0);
	ck_assert_uint_eq(rdsk_inst[1]->closes[2], 1);
	drv_detach(&lay_info);
	drv_detach(&rdsk_info);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	MACHINE_DOWN();
}
END_TEST

/* A software driver: no config routine, its boards' keys, no idata. */
static int sw_opens;
static int
sw_open(void *idata, channel_t *chp, int oflags, cred_t *crp,
    struct queue *q)
{
	(void)chp;
	(void)oflags;
	(void)crp;
	(void)q;
	ck_assert_ptr_null(idata);
	sw_opens++;
	return 0;
}
static const drvops_t sw_ops = { NULL, sw_open, NULL, NULL, NULL, NULL,
	NULL, NULL };
static const drvinfo_t sw_info = { &sw_ops, "lay", 0, NULL, 0 };
static const drvinfo_t none_info = { &sw_ops, "none", 0, NULL, 0 };

START_TEST(software_driver)
{
	chan_handle_t h;
	channel_t ch = 0;
	int rv;
	buf_t *bp;

	MACHINE_UP(SPEC);
	sw_opens = 0;
	ck_assert_int_eq(drv_attach(&sw_info), 0);
	ck_assert_int_eq(drv_open(3, &ch, 0, NULL, &h), 0);
	ck_assert_int_eq(sw_opens, 1);
	/* entry points it does not have */
	ck_assert_int_eq(do_devinfo(h, DI_SIZE, &rv), EOPNOTSUPP);
	ck_assert_int_eq(do_ioctl(h, 1, NULL, 0, NULL, &rv), ENOTTY);
	ck_assert_int_eq(do_drvctl(h, 1, NULL), EINVAL);
	bp = getrbuf(KM_SLEEP);
	bp->b_flags |= B_READ;
	do_biostart(h, bp);
	ck_assert_int_eq(biowait(bp), ENXIO);
	freerbuf(bp);
	ck_assert_int_eq(drv_close(h, 0, NULL), 0);
	drv_detach(&sw_info);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	MACHINE_DOWN();
}
END_TEST

/*
 * stk: a pass-through driver stacked on rdsk's second board; its
 * biostart hands each of its own pieces (2 KiB at most) down with
 * do_biostart, which breaks them up again for rdsk.
 */
struct stk {
	chan_handle_t	lower;
	bcb_t		*bcb;
	unsigned	pieces;
};

static int
stk_config(cfg_func_t func, void *idata, rm_key_t key)
{
	struct stk *k;
	channel_t ch = 0;
	int e;

	(void)key;
	if (func == CFG_ADD) {
		k = kmem_zalloc(sizeof(*k), KM_SLEEP);
		k->bcb = bcb_alloc(KM_SLEEP);
		k->bcb->bcb_physreqp = physreq_alloc(KM_SLEEP);
		k->bcb->bcb_physreqp->phys_dmasize = 32;
		k->bcb->bcb_physreqp->phys_align = 4;
		k->bcb->bcb_addrtypes = BA_KVIRT;
		k->bcb->bcb_granularity = 512;
		k->bcb->bcb_max_xfer = 2 * RDSK_PIECE;
		ck_assert(bcb_prep(k->bcb, KM_SLEEP));
		/* a config routine may open the driver below */
		if ((e = drv_open(2, &ch, 0, NULL, &k->lower)) != 0)
			return e;
		*(void **)idata = k;
		return 0;
	}
	if (func == CFG_REMOVE) {
		k = idata;
		ck_assert_int_eq(drv_close(k->lower, 0, NULL), 0);
		physreq_free(k->bcb->bcb_physreqp);
		bcb_free(k->bcb);
		kmem_free(k, sizeof(*k));
		return 0;
	}
	return EOPNOTSUPP;
}

static int
stk_devinfo(void *idata, channel_t ch, di_parm_t parm, void *valp)
{
	struct stk *k = idata;

	(void)ch;
	if (parm != DI_RBCBP && parm != DI_WBCBP)
		return EOPNOTSUPP;
	*(bcb_t **)valp = k->bcb;
	return 0;
}

static void
stk_biostart(void *idata, channel_t ch, buf_t *bp)
{
	struct stk *k = idata;

	(void)ch;
	k->pieces++;
	ck_assert_uint_le(bp->b_bcount, 2 * RDSK_PIECE);
	do_biostart(k->lower, bp);
}

static const drvops_t stk_ops = {
	stk_config, NULL, NULL, stk_devinfo, stk_biostart, NULL, NULL, NULL
};
static const drvinfo_t stk_info = { &stk_ops, "stk", D_MP, NULL, 0 };

START_TEST(stacked_biostart)
{
	static unsigned char out[6144], in[6144];
	struct ddisim_board b = { .modname = "stk" };
	chan_handle_t h;
	channel_t ch = 0;
	rm_key_t key;
	buf_t *bp;

	counts_reset();
	MACHINE_UP(SPEC);
	key = ddisim_rm_add_board(&b);
	ck_assert_uint_ne(key, 0);
	ck_assert_int_eq(drv_attach(&rdsk_info), 0);
	ck_assert_int_eq(drv_attach(&stk_info), 0);
	ck_assert_uint_eq(rdsk_inst[2]->opens[0], 1);	/* from CFG_ADD */
	ck_assert_int_eq(drv_open(key, &ch, 0, NULL, &h), 0);
	for (size_t i = 0; i < sizeof(out); i++)
		out[i] = (unsigned char)(i * 13 + 1);
	for (int rd = 0; rd < 2; rd++) {
		bp = getrbuf(KM_SLEEP);
		bp->b_flags |= rd ? B_READ : B_WRITE;
		bp->b_addrtype = BA_KVIRT;
		bp->b_un.b_addr = (caddr_t)(rd ? in : out);
		bp->b_bcount = sizeof(out);
		bp->b_blkno = 2;
		do_biostart(h, bp);
		ck_assert_int_eq(biowait(bp), 0);
		ck_assert_uint_eq(bp->b_resid, 0);
		freerbuf(bp);
	}
	ck_assert_mem_eq(rdsk_inst[2]->data + 1024, out, sizeof(out));
	ck_assert_mem_eq(in, out, sizeof(out));
	ck_assert_uint_ge(rdsk_inst[2]->pieces, 2 * 6);
	ck_assert_uint_eq(rdsk_inst[1]->pieces, 0);
	ck_assert_int_eq(drv_close(h, 0, NULL), 0);
	/* stk holds rdsk open: rdsk cannot go first */
	drv_detach(&stk_info);
	drv_detach(&rdsk_info);
	ck_assert_ptr_null(rdsk_inst[2]);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	MACHINE_DOWN();
}
END_TEST

/* ---- modules ---- */

static int rdsk8_load_rc;
static int rdsk8_loads, rdsk8_unloads;

static int
rdsk8_load(void)
{
	rdsk8_loads++;
	if (rdsk8_load_rc != 0)
		return rdsk8_load_rc;
	return drv_attach(&rdsk_info);
}

static int
rdsk8_unload(void)
{
	rdsk8_unloads++;
	if (rdsk_inst[1] != NULL && rdsk_inst[1]->opens[0] !=
	    rdsk_inst[1]->closes[0])
		return EBUSY;
	drv_detach(&rdsk_info);
	return 0;
}

MOD_DRV_WRAPPER(rdsk8, rdsk8_load, rdsk8_unload, NULL, "rdsk: RAM disk");
MOD_MISC_WRAPPER(misc8, NULL, NULL, "nothing to load");
MOD_STR_WRAPPER(str8, NULL, NULL, "a STREAMS module");

/* A driver before DDI 8: its interrupts through mod_drvattach. */
static unsigned hd_intrs;
static int hd_devflag = D_MP;
static void
hd_intr(int vec)
{
	ck_assert_int_ge(vec, 5);
	__atomic_add_fetch(&hd_intrs, 1, __ATOMIC_RELAXED);
}
static struct mod_drvintr hd_intr_info = {
	MOD_INTR_MAGIC, MOD_INTR_VER, "rdsk", &hd_devflag, hd_intr, NULL
};
static int
hd_load(void)
{
	mod_drvattach(&hd_intr_info);
	return 0;
}
static int
hd_unload(void)
{
	mod_drvdetach(&hd_intr_info);
	return 0;
}
MOD_HDRV_WRAPPER(hd, hd_load, hd_unload, NULL, "interrupts only");

START_TEST(module_load_unload)
{
	chan_handle_t h;
	channel_t ch = 0;

	counts_reset();
	rdsk8_loads = rdsk8_unloads = 0;
	rdsk8_load_rc = 0;
	MACHINE_UP(SPEC);
	ck_assert_int_eq(rdsk8_wrapper.mw_rev, MODREV);
	ck_assert_ptr_eq(rdsk8_wrapper.mw_modlink[0].ml_ops, &mod_drv_ops);
	ck_assert_str_eq(rdsk8_wrapper.mw_modlink[0].ml_type_data->mtd_info,
	    "rdsk: RAM disk");
	ck_assert_ptr_null(rdsk8_wrapper.mw_modlink[1].ml_ops);
	ck_assert_ptr_eq(str8_wrapper.mw_modlink[0].ml_ops, &mod_str_ops);
	ck_assert_int_eq(mod_misc_ops.mo_type, MOD_TY_MISC);
	/* load: _load runs, and attaches */
	ck_assert_int_eq(ddisim_mod_load(&rdsk8_wrapper), 0);
	ck_assert_int_eq(ddisim_mod_loaded(&rdsk8_wrapper), 1);
	ck_assert_uint_eq(rdsk_adds, 2);
	ck_assert_int_eq(ddisim_mod_load(&rdsk8_wrapper), EEXIST);
	ck_assert_int_eq(rdsk8_loads, 1);
	/* _unload refuses while open: still loaded */
	ck_assert_int_eq(drv_open(1, &ch, 0, NULL, &h), 0);
	ck_assert_int_eq(ddisim_mod_unload(&rdsk8_wrapper), EBUSY);
	ck_assert_int_eq(ddisim_mod_loaded(&rdsk8_wrapper), 1);
	ck_assert_int_eq(drv_close(h, 0, NULL), 0);
	ck_assert_int_eq(ddisim_mod_unload(&rdsk8_wrapper), 0);
	ck_assert_int_eq(ddisim_mod_loaded(&rdsk8_wrapper), 0);
	ck_assert_uint_eq(rdsk_removes, 2);
	ck_assert_int_eq(ddisim_mod_unload(&rdsk8_wrapper), ENOENT);
	/* a failing _load: not loaded */
	rdsk8_load_rc = ENOSPC;
	ck_assert_int_eq(ddisim_mod_load(&rdsk8_wrapper), ENOSPC);
	ck_assert_int_eq(ddisim_mod_loaded(&rdsk8_wrapper), 0);
	/* no _load, no _unload */
	ck_assert_int_eq(ddisim_mod_load(&misc8_wrapper), 0);
	ck_assert_int_eq(ddisim_mod_load(&str8_wrapper), 0);
	ck_assert_int_eq(ddisim_mod_unload(&misc8_wrapper), 0);
	ck_assert_int_eq(ddisim_mod_unload(&str8_wrapper), 0);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	MACHINE_DOWN();
}
END_TEST

START_TEST(drvattach_interrupts)
{
	hd_intrs = 0;
	MACHINE_UP(SPEC);
	ck_assert_int_eq(ddisim_mod_load(&hd_wrapper), 0);
	ck_assert_ptr_nonnull(hd_intr_info.di_hook);
	ck_assert_int_eq(ddisim_intr_raise(5), 1);
	ck_assert_int_eq(ddisim_intr_raise(6), 1);
	ck_assert_int_eq(ddisim_intr_raise(7), -1);	/* lay's board */
	ck_assert_uint_eq(hd_intrs, 2);
	ck_assert_int_eq(ddisim_mod_unload(&hd_wrapper), 0);
	ck_assert_ptr_null(hd_intr_info.di_hook);
	ck_assert_int_eq(ddisim_intr_raise(5), -1);
	ck_assert_uint_eq(hd_intrs, 2);
	/* attached when the machine goes: detached with it */
	mod_drvattach(&hd_intr_info);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	MACHINE_DOWN();
	ck_assert_ptr_null(hd_intr_info.di_hook);
}
END_TEST

/* ---- limits ---- */

START_TEST(limits)
{
	chan_handle_t h = NULL;
	channel_t ch;

	counts_reset();
	MACHINE_UP(SPEC);
	/* no driver has the key: ENXIO, no report */
	ch = 0;
	ck_assert_int_eq(drv_open(1, &ch, 0, NULL, &h), ENXIO);
	ck_assert_int_eq(drv_open(99, &ch, 0, NULL, &h), ENXIO);
	/* a board the driver refused is no instance */
	rdsk_refuse = 2;
	ck_assert_int_eq(drv_attach(&rdsk_info), 0);
	ck_assert_uint_eq(rdsk_adds, 1);
	ck_assert_int_eq(drv_open(2, &ch, 0, NULL, &h), ENXIO);
	/* past drv_maxchan */
	ch = RDSK_MAXCHAN + 1;
	ck_assert_int_eq(drv_open(1, &ch, 0, NULL, &h), ENXIO);
	ck_assert_uint_eq(ch, RDSK_MAXCHAN + 1);
	ch = RDSK_MAXCHAN;
	ck_assert_int_eq(drv_open(1, &ch, 0, NULL, &h), 0);
	ck_assert_int_eq(drv_close(h, 0, NULL), 0);
	/* d_open's error, and no channel left open: detach works */
	ch = RDSK_BADCHAN;
	ck_assert_int_eq(drv_open(1, &ch, 0, NULL, &h), EBUSY);
	drv_detach(&rdsk_info);
	ck_assert_uint_eq(rdsk_removes, 1);
	/* a driver with no boards attaches, with no instance */
	ck_assert_int_eq(drv_attach(&none_info), 0);
	drv_detach(&none_info);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	MACHINE_DOWN();
}
END_TEST

/* Threads open, call and close the same channel at once. */
#define NTHR	4
#define NITER	200

static void *
opener(void *arg)
{
	(void)arg;
	for (int i = 0; i < NITER; i++) {
		chan_handle_t h;
		channel_t ch = 3;
		int rv;

		ck_assert_int_eq(drv_open(1, &ch, 0, NULL, &h), 0);
		ck_assert_int_eq(do_ioctl(h, 5, NULL, 0, NULL, &rv), 0);
		ck_assert_int_eq(rv, 8);
		ck_assert_int_eq(drv_close(h, 0, NULL), 0);
	}
	return NULL;
}

START_TEST(concurrent_opens)
{
	pthread_t t[NTHR];

	counts_reset();
	MACHINE_UP(SPEC);
	ck_assert_int_eq(drv_attach(&rdsk_info), 0);
	for (int i = 0; i < NTHR; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, opener, NULL), 0);
	for (int i = 0; i < NTHR; i++)
		pthread_join(t[i], NULL);
	ck_assert_uint_eq(rdsk_inst[1]->opens[3], NTHR * NITER);
	ck_assert_uint_ge(rdsk_inst[1]->closes[3], 1);
	drv_detach(&rdsk_info);
	ck_assert_uint_eq(rdsk_removes, 2);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	MACHINE_DOWN();
}
END_TEST

/* ---- property: opens and closes against a model of the counts ---- */

#define PH	32	/* handles the model follows */

START_TEST(open_close_model)
{
	chan_handle_t h[PH];
	channel_t hch[PH];
	unsigned open_per_ch[4] = { 0 }, model_closes[4] = { 0 };
	unsigned model_opens[4] = { 0 };
	long iters = prop_floor(prop_iters(2000), 200);
	unsigned seed = 13, nh = 0;
	bool seen_last = false, seen_notlast = false;

	counts_reset();
	MACHINE_UP(SPEC);
	ck_assert_int_eq(drv_attach(&rdsk_info), 0);
	for (long i = 0; i < iters; i++) {
		seed = seed * 1103515245u + 12345u;
		if (nh < PH && (nh == 0 || (seed >> 16) % 2 == 0)) {
			channel_t ch = (seed >> 20) % 4;

			ck_assert_int_eq(drv_open(2, &ch, 0, NULL, &h[nh]), 0);
			hch[nh++] = ch;
			open_per_ch[ch]++;
			model_opens[ch]++;
		} else {
			unsigned k = (seed >> 18) % nh;
			channel_t ch = hch[k];

			ck_assert_int_eq(drv_close(h[k], 0, NULL),
			    ch == 1 && open_per_ch[ch] == 1 ? EIO : 0);
			if (--open_per_ch[ch] == 0) {
				model_closes[ch]++;
				seen_last = true;
			} else {
				seen_notlast = true;
			}
			h[k] = h[--nh];
			hch[k] = hch[nh];
		}
		for (int c = 0; c < 4; c++) {
			ck_assert_uint_eq(rdsk_inst[2]->opens[c],
			    model_opens[c]);
			ck_assert_uint_eq(rdsk_inst[2]->closes[c],
			    model_closes[c]);
		}
	}
	ck_assert(seen_last && seen_notlast);
	while (nh > 0)
		(void)drv_close(h[--nh], 0, NULL);
	drv_detach(&rdsk_info);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	MACHINE_DOWN();
}
END_TEST

/* ---- misuse ---- */

static const char *const cfg8_misuse_text[] = {
	"drv_attach: NULL drvinfo",
	"drv_attach: driver \"rdsk\" is already attached",
	"drv_attach: driver \"rdsk\" is already attached (another drvinfo",
	"drv_detach: drvinfo",
	"drv_detach: driver \"rdsk\" has 1 channel still open",
	"drv_close: ",
	"drv_close: ",
	"do_ioctl: ",
	"do_biostart: ",
	"drv_open: NULL handle pointer",
	"do_biostart: the driver gives no breakup control block for DI_RBCBP",
	"mod_drvattach: ",
	"mod_drvdetach: \"rdsk\": its interrupts are not attached",
	"mod_drvattach: \"rdsk\": its interrupts are attached already",
	"ddisim_mod_load: ",
	"drv_attach: drvinfo without drv_ops",
};
#define NCFG8_MISUSE \
	(int)(sizeof(cfg8_misuse_text) / sizeof(cfg8_misuse_text[0]))

static const drvinfo_t rdsk_info2 = {
	&rdsk_ops, "rdsk", 0, NULL, 0
};
static const drvinfo_t noops_info = { NULL, "noops", 0, NULL, 0 };
/* rdsk without a devinfo routine */
static const drvops_t nobcb_ops = {
	rdsk_config, rdsk_open, rdsk_close, NULL, rdsk_biostart, NULL,
	NULL, NULL
};
static const drvinfo_t nobcb_info = { &nobcb_ops, "rdsk", 0, NULL, 3 };

/* What the misuse left for the caller to undo. */
static chan_handle_t misuse_h;
static const drvinfo_t *misuse_attached;
static buf_t *misuse_bp;

__attribute__((noinline)) void cfg8_misuse_site(int which);
__attribute__((noinline)) void
cfg8_misuse_site(int which)
{
	static struct modwrapper bogus;
	static struct mod_drvintr bad_info;
	chan_handle_t h;
	channel_t ch = 0;
	int rv;

	switch (which) {
	case 0:
		(void)drv_attach(NULL);
		break;
	case 1:
		(void)drv_attach(&rdsk_info);
		misuse_attached = &rdsk_info;
		(void)drv_attach(&rdsk_info);
		break;
	case 2:
		(void)drv_attach(&rdsk_info);
		misuse_attached = &rdsk_info;
		(void)drv_attach(&rdsk_info2);
		break;
	case 3:
		drv_detach(&rdsk_info);
		break;
	case 4:
		(void)drv_attach(&rdsk_info);
		misuse_attached = &rdsk_info;
		(void)drv_open(1, &ch, 0, NULL, &misuse_h);
		drv_detach(&rdsk_info);
		break;
	case 5:
		(void)drv_close((chan_handle_t)&bogus, 0, NULL);
		break;
	case 6:
		(void)drv_attach(&rdsk_info);
		misuse_attached = &rdsk_info;
		(void)drv_open(1, &ch, 0, NULL, &h);
		(void)drv_close(h, 0, NULL);
		(void)drv_close(h, 0, NULL);
		break;
	case 7:
		(void)drv_attach(&rdsk_info);
		misuse_attached = &rdsk_info;
		(void)drv_open(1, &ch, 0, NULL, &h);
		(void)drv_close(h, 0, NULL);
		(void)do_ioctl(h, 1, NULL, 0, NULL, &rv);
		break;
	case 8:
		misuse_bp = getrbuf(KM_SLEEP);
		misuse_bp->b_flags |= B_READ;
		do_biostart((chan_handle_t)&bogus, misuse_bp);
		break;
	case 9:
		(void)drv_attach(&rdsk_info);
		misuse_attached = &rdsk_info;
		(void)drv_open(1, &ch, 0, NULL, NULL);
		break;
	case 10:
		(void)drv_attach(&nobcb_info);
		misuse_attached = &nobcb_info;
		(void)drv_open(1, &ch, 0, NULL, &misuse_h);
		misuse_bp = getrbuf(KM_SLEEP);
		misuse_bp->b_flags |= B_READ;
		do_biostart(misuse_h, misuse_bp);
		break;
	case 11:
		mod_drvattach(&bad_info);
		break;
	case 12:
		mod_drvdetach(&hd_intr_info);
		break;
	case 13:
		mod_drvattach(&hd_intr_info);
		mod_drvattach(&hd_intr_info);
		break;
	case 14:
		(void)ddisim_mod_load(&bogus);
		break;
	default:
		(void)drv_attach(&noops_info);
		break;
	}
}

static void
cfg8_misuse(int which)
{
	unsigned long n = ddisim_verify_count();

	counts_reset();
	misuse_h = NULL;
	misuse_attached = NULL;
	misuse_bp = NULL;
	cfg8_misuse_site(which);
	REPORTED(n, cfg8_misuse_text[which]);
	ck_assert_contains(ddisim_verify_last(),
	    "(called from cfg8_misuse_site");
	/* nothing was corrupted: the state is whole and can be undone */
	if (misuse_bp != NULL) {
		ck_assert_int_ne(biowait(misuse_bp), 0);
		freerbuf(misuse_bp);
	}
	if (misuse_h != NULL)
		ck_assert_int_eq(drv_close(misuse_h, 0, NULL), 0);
	if (which == 13)
		mod_drvdetach(&hd_intr_info);
	if (misuse_attached != NULL) {
		drv_detach(misuse_attached);
		ck_assert_uint_eq(rdsk_removes, rdsk_adds);
	}
	ck_assert_int_eq(drv_attach(&rdsk_info), 0);
	drv_detach(&rdsk_info);
	ck_assert_uint_eq(ddisim_verify_count(), n + 1);
}

START_TEST(cfg8_misuse_counted)
{
	MACHINE_UP(SPEC ",verify=count");
	cfg8_misuse(_i);
	MACHINE_DOWN();
}
END_TEST

START_TEST(cfg8_misuse_aborts)
{
	MACHINE_UP(SPEC);
	cfg8_misuse(_i);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("cfg8");
	TCase *tc;

	tc = tcase_new("core");
	tcase_add_test(tc, attach_configures_every_board);
	tcase_add_test(tc, open_close_and_calls);
	tcase_add_test(tc, layered_driver_moves_data);
	tcase_add_test(tc, software_driver);
	tcase_add_test(tc, stacked_biostart);
	tcase_add_test(tc, module_load_unload);
	tcase_add_test(tc, drvattach_interrupts);
	tcase_add_test(tc, concurrent_opens);
	suite_add_tcase(s, tc);

	tc = tcase_new("limits");
	tcase_add_test(tc, limits);
	suite_add_tcase(s, tc);

	tc = tcase_new("misuse");
	TCASE_ADD_MISUSE(tc, cfg8_misuse_counted, cfg8_misuse_aborts,
	    NCFG8_MISUSE);
	suite_add_tcase(s, tc);

	tc = tcase_new("property");
	tcase_add_test(tc, open_close_model);
	suite_add_tcase(s, tc);
	return run_suite(s) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
