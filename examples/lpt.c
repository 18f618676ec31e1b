/*
 * lpt.c - a DDI 7 loadable driver for the PC's parallel printer ports,
 * multithreaded (D_MP), as UnixWare 7 drivers were written.
 *
 * Configuration: each port is a board named "lpt" in the resource
 * manager, with its I/O ports (CM_IOADDR) and its interrupt (CM_IRQ).
 * _load finds the boards with cm_getnbrd and cm_getbrdkey, reads their
 * parameters with cm_getval, and attaches lptintr to their interrupts
 * with mod_drvattach; minor 0 is the first port, minor 1 the second.
 *
 * Use: a port is opened by one process at a time.  write() takes the
 * program's bytes with uiomove, a chunk at a time, and hands them to the
 * printer one by one: it strobes a byte into the port and sleeps on a
 * synchronization variable until the port's interrupt says the printer
 * took it.  One basic lock per port guards what the writer and the
 * interrupt handler share.  Before each byte the driver looks at the
 * printer's status: a printer off line, out of paper or in fault makes
 * a write with O_NDELAY fail with EAGAIN, and any other write wait,
 * looking again every LPT_RECHECK_US, until the printer is ready or a
 * signal interrupts the wait (EINTR).  A write that printed something
 * before that returns its short count instead.  A watchdog itimeout
 * gives up on a printer that never takes a strobed byte (EIO).
 *
 * Compile as a legacy driver:
 *	cc $(pkg-config --cflags ddicompat) -D_DDI=7 -c lpt.c
 */
#include <sys/types.h>
#include <sys/param.h>
#include <sys/errno.h>
#include <sys/file.h>
#include <sys/cred.h>
#include <sys/uio.h>
#include <sys/kmem.h>
#include <sys/ksynch.h>
#include <sys/moddefs.h>
#include <sys/confmgr.h>
#include <sys/conf.h>
#include <sys/cmn_err.h>
#include <sys/debug.h>
#include <sys/ddi.h>

#include "lpt.h"

#define LPT_CHUNK	256		/* bytes taken from the program at once */
#define LPT_WATCHDOG_US	200000		/* for the printer to take a byte */
#define LPT_RECHECK_US	100000		/* between looks at a printer not
					   ready */
#define LPT_RESET_US	100		/* the reset pulse */
#define LPT_CT_IDLE	(LPT_CT_NOINIT | LPT_CT_SELECT | LPT_CT_IRQEN)
#define LPT_READY(st)	(((st) & (LPT_ST_NOERROR | LPT_ST_SELECT | \
			    LPT_ST_PAPEROUT)) == (LPT_ST_NOERROR | LPT_ST_SELECT))

/* The entry points, named by the prefix in the driver's Master file. */
int	lptopen(dev_t *, int, int, cred_t *);
int	lptclose(dev_t, int, int, cred_t *);
int	lptwrite(dev_t, uio_t *, cred_t *);
int	lptioctl(dev_t, int, void *, int, cred_t *, int *);
void	lptintr(int);

int lptdevflag = D_MP;

STATIC int lpt_load(void);
STATIC int lpt_unload(void);
MOD_DRV_WRAPPER(lpt, lpt_load, lpt_unload, NULL, "lpt - parallel printer");

struct lpt {
	int		unit;
	rm_key_t	key;
	int		base;		/* the first of its I/O ports */
	cm_num_t	irq;
	uchar_t		*buf;		/* the program's bytes, a chunk */
	lock_t		*lock;		/* guards the fields below */
	sv_t		*sv;		/* the writer waits: a byte taken, the
					   watchdog, time to look again */
	int		open;
	int		busy;		/* a byte strobed, not yet taken */
	int		error;		/* why the byte was not taken */
	int		warned;		/* the not-ready note was logged */
	uchar_t		status;		/* the status last read */
};

STATIC struct lpt lpt[LPT_MAXPORT];
STATIC int lpt_nport;
STATIC char lpt_modname[] = "lpt";
STATIC LKINFO_DECL(lpt_lkinfo, "lpt:port", 0);

/* ---- configuration ---- */

/* One value of a parameter of a board: 0 or an errno. */
STATIC int
lpt_getval(rm_key_t key, char *param, void *val, size_t len)
{
	cm_args_t ca;

	ca.cm_key = key;
	ca.cm_param = param;
	ca.cm_val = val;
	ca.cm_vallen = len;
	ca.cm_n = 0;
	return cm_getval(&ca);
}

STATIC void
lpt_free(struct lpt *lp)
{
	kmem_free(lp->buf, LPT_CHUNK);
	SV_DEALLOC(lp->sv);
	LOCK_DEALLOC(lp->lock);
	lp->buf = NULL;
	lp->sv = NULL;
	lp->lock = NULL;
}

STATIC int
lpt_load(void)
{
	cm_range_t io;
	cm_num_t n;
	int i;

	n = cm_getnbrd(lpt_modname);
	if (n == 0)
		return ENODEV;
	if (n > LPT_MAXPORT) {
		cmn_err(CE_NOTE, "lpt: %lu ports configured; using the first "
		    "%d", (unsigned long)n, LPT_MAXPORT);
		n = LPT_MAXPORT;
	}
	for (i = 0; i < (int)n; i++) {
		struct lpt *lp = &lpt[i];

		lp->unit = i;
		lp->key = cm_getbrdkey(lpt_modname, (cm_num_t)i);
		if (lp->key == RM_NULL_KEY ||
		    lpt_getval(lp->key, CM_IOADDR, &io, sizeof(io)) != 0 ||
		    lpt_getval(lp->key, CM_IRQ, &lp->irq,
		    sizeof(lp->irq)) != 0 ||
		    io.endaddr < io.startaddr + LPT_NREGS - 1) {
			cmn_err(CE_WARN, "lpt%d: no I/O ports or no interrupt "
			    "configured", i);
			while (i-- > 0)
				lpt_free(&lpt[i]);
			return ENXIO;
		}
		lp->base = (int)io.startaddr;
		lp->buf = kmem_alloc(LPT_CHUNK, KM_SLEEP);
		lp->lock = LOCK_ALLOC(1, plstr, &lpt_lkinfo, KM_SLEEP);
		lp->sv = SV_ALLOC(KM_SLEEP);
	}
	lpt_nport = (int)n;
	mod_drvattach(&lpt_attach_info);
	for (i = 0; i < lpt_nport; i++)
		outb(lpt[i].base + LPT_CONTROL, LPT_CT_IDLE);
	return 0;
}

STATIC int
lpt_unload(void)
{
	int i;

	for (i = 0; i < lpt_nport; i++)
		outb(lpt[i].base + LPT_CONTROL, LPT_CT_NOINIT);
	mod_drvdetach(&lpt_attach_info);
	for (i = 0; i < lpt_nport; i++)
		lpt_free(&lpt[i]);
	lpt_nport = 0;
	return 0;
}

/* ---- the interrupt and the timeouts ---- */

void
lptintr(int ivec)
{
	int i;

	for (i = 0; i < lpt_nport; i++) {
		struct lpt *lp = &lpt[i];
		pl_t s;

		if (lp->irq != (cm_num_t)ivec)
			continue;
		s = LOCK(lp->lock, plstr);
		lp->status = inb(lp->base + LPT_STATUS);
		if ((lp->status & LPT_ST_ACK) && lp->busy) {
			lp->busy = 0;
			SV_BROADCAST(lp->sv, 0);
		}
		UNLOCK(lp->lock, s);
	}
}

STATIC void
lpt_watchdog(void *arg)
{
	struct lpt *lp = arg;
	pl_t s = LOCK(lp->lock, plstr);

	if (lp->busy) {
		cmn_err(CE_WARN, "!lpt%d: printer not responding", lp->unit);
		lp->error = EIO;
		lp->busy = 0;
		SV_BROADCAST(lp->sv, 0);
	}
	UNLOCK(lp->lock, s);
}

/* Time to look at a printer that was not ready. */
STATIC void
lpt_recheck(void *arg)
{
	struct lpt *lp = arg;
	pl_t s = LOCK(lp->lock, plstr);

	SV_BROADCAST(lp->sv, 0);
	UNLOCK(lp->lock, s);
}

/* ---- output ---- */

/*
 * Wait for the printer to be ready, strobe c into it and wait for it to
 * take it: 0 or an errno.
 */
STATIC int
lpt_putc(struct lpt *lp, uchar_t c, int fmode)
{
	toid_t id;
	int error;
	pl_t s;

	s = LOCK(lp->lock, plstr);
	ASSERT(!lp->busy);
	while (lp->status = inb(lp->base + LPT_STATUS),
	    !LPT_READY(lp->status)) {
		if (fmode & (FNDELAY | FNONBLOCK)) {
			UNLOCK(lp->lock, s);
			return EAGAIN;
		}
		if (!lp->warned) {
			lp->warned = 1;
			cmn_err(CE_NOTE, "!lpt%d: printer %s", lp->unit,
			    (lp->status & LPT_ST_PAPEROUT) ? "out of paper" :
			    !(lp->status & LPT_ST_SELECT) ? "off line" :
			    "fault");
		}
		id = itimeout(lpt_recheck, lp, drv_usectohz(LPT_RECHECK_US),
		    plstr);
		if (id == 0) {
			UNLOCK(lp->lock, s);	/* nothing would end the wait */
			return EAGAIN;
		}
		/* Drops the lock and the level; no wakeup can slip by. */
		if (!SV_WAIT_SIG(lp->sv, primed, lp->lock)) {
			untimeout(id);
			return EINTR;
		}
		untimeout(id);
		s = LOCK(lp->lock, plstr);
	}
	lp->warned = 0;
	/* No byte goes out without a watchdog to end the wait for it. */
	id = itimeout(lpt_watchdog, lp, drv_usectohz(LPT_WATCHDOG_US), plstr);
	if (id == 0) {
		UNLOCK(lp->lock, s);
		return EAGAIN;
	}
	lp->busy = 1;
	lp->error = 0;
	outb(lp->base + LPT_DATA, c);
	outb(lp->base + LPT_CONTROL, LPT_CT_IDLE | LPT_CT_STROBE);
	outb(lp->base + LPT_CONTROL, LPT_CT_IDLE);
	/* A byte in flight is not abandoned: the watchdog ends the wait. */
	while (lp->busy) {
		SV_WAIT(lp->sv, primed, lp->lock);
		s = LOCK(lp->lock, plstr);
	}
	error = lp->error;
	UNLOCK(lp->lock, s);
	/* Not under the lock: the watchdog may be waiting for it. */
	untimeout(id);
	return error;
}

/* ---- the entry points ---- */

/* ARGSUSED */
int
lptopen(dev_t *devp, int oflag, int otyp, cred_t *crp)
{
	minor_t m = getminor(*devp);
	struct lpt *lp;
	pl_t s;

	if (m >= (minor_t)lpt_nport)
		return ENXIO;
	lp = &lpt[m];
	s = LOCK(lp->lock, plstr);
	if (lp->open) {
		UNLOCK(lp->lock, s);
		return EBUSY;
	}
	lp->open = 1;
	UNLOCK(lp->lock, s);
	return 0;
}

/* ARGSUSED */
int
lptclose(dev_t dev, int oflag, int otyp, cred_t *crp)
{
	struct lpt *lp = &lpt[getminor(dev)];
	pl_t s;

	/* Every byte written was taken: nothing to wait for. */
	s = LOCK(lp->lock, plstr);
	lp->open = 0;
	UNLOCK(lp->lock, s);
	return 0;
}

/* ARGSUSED */
int
lptwrite(dev_t dev, uio_t *uiop, cred_t *crp)
{
	struct lpt *lp = &lpt[getminor(dev)];
	int resid = uiop->uio_resid;
	int error = 0;
	long n, i;

	while (uiop->uio_resid > 0 && error == 0) {
		n = uiop->uio_resid < LPT_CHUNK ? uiop->uio_resid : LPT_CHUNK;
		if ((error = uiomove(lp->buf, n, UIO_WRITE, uiop)) != 0)
			break;
		for (i = 0; i < n; i++)
			if ((error = lpt_putc(lp, lp->buf[i],
			    uiop->uio_fmode)) != 0) {
				/* what the printer did not take was not
				   written */
				uiop->uio_resid += (int)(n - i);
				uiop->uio_offset -= (int)(n - i);
				break;
			}
	}
	/* Once something was printed, a wait cut short is a short count. */
	if ((error == EAGAIN || error == EINTR) && uiop->uio_resid < resid)
		error = 0;
	return error;
}

/* ARGSUSED */
int
lptioctl(dev_t dev, int cmd, void *arg, int mode, cred_t *crp, int *rvalp)
{
	struct lpt *lp = &lpt[getminor(dev)];
	int status;
	pl_t s;

	switch (cmd) {
	case LPT_GETSTATUS:
		s = LOCK(lp->lock, plstr);
		/* reading the port while a byte is in flight would eat the
		   acknowledgment its interrupt looks for */
		if (!lp->busy)
			lp->status = inb(lp->base + LPT_STATUS);
		status = lp->status;
		UNLOCK(lp->lock, s);
		if (copyout(&status, arg, sizeof(status)) != 0)
			return EFAULT;
		return 0;
	case LPT_RESET:
		if (!(mode & FWRITE))
			return EBADF;
		s = LOCK(lp->lock, plstr);
		if (lp->busy) {
			UNLOCK(lp->lock, s);
			return EBUSY;
		}
		outb(lp->base + LPT_CONTROL, LPT_CT_SELECT);
		drv_usecwait(LPT_RESET_US);
		outb(lp->base + LPT_CONTROL, LPT_CT_IDLE);
		UNLOCK(lp->lock, s);
		return 0;
	default:
		return EINVAL;
	}
}
