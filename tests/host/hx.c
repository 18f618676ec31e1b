/*
 * hx.c - a DDI 7 character and block memory device, linked into the
 * test program without a module wrapper: the host runs hxinit, attaches
 * hxintr to each board named "hx", and runs hxstart, as the kernel did
 * for a driver linked into it.  Not D_MP: the host serialises it.
 */
#include <sys/types.h>
#include <sys/param.h>
#include <sys/buf.h>
#include <sys/cred.h>
#include <errno.h>
#include <sys/file.h>
#include <sys/kmem.h>
#include <sys/open.h>
#include <sys/poll.h>
#include <sys/uio.h>
#include <sys/cmn_err.h>
#include <sys/conf.h>
#include <sys/ddi.h>

#include "hx.h"

/* The entry points the host finds by name. */
void	hxinit(void);
void	hxstart(void);
void	hxhalt(void);
int	hxopen(dev_t *, int, int, cred_t *);
int	hxclose(dev_t, int, int, cred_t *);
int	hxread(dev_t, uio_t *, cred_t *);
int	hxwrite(dev_t, uio_t *, cred_t *);
int	hxioctl(dev_t, int, void *, int, cred_t *, int *);
void	hxstrategy(buf_t *);
int	hxchpoll(dev_t, short, int, short *, struct pollhead **);
int	hxmmap(dev_t, off_t, uint_t);
void	hxintr(int);
int	hxsize(dev_t);
int	hxprint(dev_t, char *);
int	hxdevinfo(dev_t, di_parm_t, void **);

int hxdevflag = 0;
struct hx_life hx_life;
int hxdevflag_leak;

static caddr_t hx_store;
static struct pollhead *hx_ph;
static int hx_ready;
static int hx_open[HX_NMINOR];

/* A timeout a leaking halt leaves pending. */
static void
hx_tick(void *arg)
{
	(void)arg;
}

void
hxinit(void)
{
	hx_life.inits++;
	hx_store = kmem_zalloc(HX_SIZE, KM_SLEEP);
	hx_ph = phalloc(KM_SLEEP);
}

void
hxstart(void)
{
	hx_life.starts++;
}

void
hxhalt(void)
{
	hx_life.halts++;
	if (hxdevflag_leak == 2)
		(void)itimeout(hx_tick, NULL, drv_usectohz(10000000), pltimeout);
	if (hxdevflag_leak != 1)
		kmem_free(hx_store, HX_SIZE);
	phfree(hx_ph);
	hx_store = NULL;
}

/* ARGSUSED */
int
hxopen(dev_t *devp, int oflag, int otyp, cred_t *crp)
{
	minor_t m = getminor(*devp);

	(void)oflag;
	(void)otyp;
	(void)crp;
	if (m >= HX_NMINOR)
		return ENXIO;
	if (m == 3 && hx_open[m] > 0)
		return EBUSY;		/* minor 3 is exclusive */
	hx_open[m]++;
	hx_life.opens++;
	return 0;
}

/* ARGSUSED */
int
hxclose(dev_t dev, int oflag, int otyp, cred_t *crp)
{
	(void)oflag;
	(void)otyp;
	(void)crp;
	hx_open[getminor(dev)] = 0;	/* the last close */
	hx_life.closes++;
	return 0;
}

static int
hxrw(dev_t dev, uio_t *uiop, uio_rw_t rw)
{
	long n;

	if (getminor(dev) == 1 && !hx_ready)
		return (uiop->uio_fmode & FNDELAY) ? EAGAIN : EINTR;
	if (uiop->uio_offset < 0 || uiop->uio_offset >= HX_SIZE)
		return uiop->uio_offset == HX_SIZE ? 0 : ENXIO;
	n = HX_SIZE - uiop->uio_offset;
	if (n > uiop->uio_resid)
		n = uiop->uio_resid;
	return uiomove(hx_store + uiop->uio_offset, n, rw, uiop);
}

/* ARGSUSED */
int
hxread(dev_t dev, uio_t *uiop, cred_t *crp)
{
	(void)crp;
	return hxrw(dev, uiop, UIO_READ);
}

/* ARGSUSED */
int
hxwrite(dev_t dev, uio_t *uiop, cred_t *crp)
{
	(void)crp;
	return hxrw(dev, uiop, UIO_WRITE);
}

/* ARGSUSED */
int
hxioctl(dev_t dev, int cmd, void *arg, int mode, cred_t *crp, int *rvalp)
{
	int size = HX_SIZE;
	unsigned char c;

	(void)dev;
	(void)mode;
	(void)crp;
	switch (cmd) {
	case HX_GETSIZE:
		if (copyout(&size, arg, sizeof(size)) != 0)
			return EFAULT;
		*rvalp = size;
		return 0;
	case HX_FILL:
		if (copyin(arg, &c, 1) != 0)
			return EFAULT;
		for (int i = 0; i < HX_SIZE; i++)
			hx_store[i] = (char)c;
		return 0;
	case HX_READY:
		hx_ready = (int)(long)arg;
		if (hx_ready)
			pollwakeup(hx_ph, POLLIN);
		return 0;
	case HX_NOTE:
		cmn_err(CE_NOTE, "hx: note %d", (int)(long)arg);
		return 0;
	default:
		return EINVAL;
	}
}

void
hxstrategy(buf_t *bp)
{
	long off = (long)bp->b_blkno * NBPSCTR;
	long n = (long)bp->b_bcount;

	if (off > HX_SIZE) {
		bioerror(bp, ENXIO);
		biodone(bp);
		return;
	}
	if (off + n > HX_SIZE)
		n = HX_SIZE - off;
	bp_mapin(bp);
	if (bp->b_flags & B_READ)
		bcopy(hx_store + off, bp->b_un.b_addr, (size_t)n);
	else
		bcopy(bp->b_un.b_addr, hx_store + off, (size_t)n);
	bp_mapout(bp);
	bp->b_resid = bp->b_bcount - (unsigned)n;
	biodone(bp);
}

/* ARGSUSED */
int
hxchpoll(dev_t dev, short events, int anyyet, short *reventsp,
    struct pollhead **phpp)
{
	(void)dev;
	*reventsp = 0;
	if (hx_ready)
		*reventsp = events & (POLLIN | POLLRDNORM);
	*reventsp |= events & POLLOUT;
	if (*reventsp == 0 && !anyyet)
		*phpp = hx_ph;
	return 0;
}

/* ARGSUSED */
int
hxmmap(dev_t dev, off_t off, uint_t prot)
{
	(void)dev;
	(void)prot;
	if (off < 0 || off >= HX_SIZE)
		return NOPAGE;
	return (int)kvtoppid(hx_store + off);
}

void
hxintr(int ivec)
{
	(void)ivec;
	hx_life.intrs++;
}

/* ARGSUSED */
int
hxsize(dev_t dev)
{
	return getminor(dev) < HX_NMINOR ? HX_SIZE / NBPSCTR : -1;
}

int
hxprint(dev_t dev, char *str)
{
	cmn_err(CE_NOTE, "hx: minor %d: %s", (int)getminor(dev), str);
	return 0;
}

/* ARGSUSED */
int
hxdevinfo(dev_t dev, di_parm_t parm, void **valp)
{
	(void)dev;
	if (parm != DI_MEDIA)
		return EINVAL;
	*(const char **)valp = "disk";
	return 0;
}
