/*
 * lpt.c - a DDI 8 multithreaded driver for a printer-style port, written
 * as such drivers were: one basic lock guards the state that the writer
 * and the interrupt handler share, the writer sleeps on a synchronization
 * variable until the handler says the byte was taken, and a watchdog
 * itimeout gives up on a device that never answers.
 */
#include <sys/types.h>
#include <sys/errno.h>
#include <sys/kmem.h>
#include <sys/ksynch.h>
#include <sys/conf.h>
#include <sys/cmn_err.h>
#include <sys/debug.h>
#include <sys/ddi.h>

#include "lpt.h"

#define LPT_WATCHDOG_US	200000		/* per byte */

struct lpt {
	int		base;
	lock_t		*lock;		/* guards the fields below */
	sv_t		*done;		/* a byte was taken, or gave up */
	int		busy;
	int		error;
	unsigned long	intrs;
	void		*cookie;
};

STATIC struct lpt lpt;
STATIC LKINFO_DECL(lpt_lkinfo, "lpt:state", 0);
STATIC drvinfo_t lpt_drvinfo = { NULL, "lpt", D_MP, NULL, 0 };

STATIC int
lpt_intr(void *idata)
{
	struct lpt *lp = idata;
	pl_t s;

	if ((inb(lp->base + LPT_STATUS) & LPT_ST_ACK) == 0)
		return ISTAT_NONE;	/* another device on the line */
	s = LOCK(lp->lock, plstr);
	lp->busy = 0;
	lp->intrs++;
	SV_SIGNAL(lp->done, 0);
	UNLOCK(lp->lock, s);
	return ISTAT_ASSERTED;
}

STATIC void
lpt_watchdog(void *arg)
{
	struct lpt *lp = arg;
	pl_t s = LOCK(lp->lock, plstr);

	if (lp->busy) {
		cmn_err(CE_WARN, "!lpt: device not responding");
		lp->error = EIO;
		lp->busy = 0;
		SV_BROADCAST(lp->done, 0);
	}
	UNLOCK(lp->lock, s);
}

int
lpt_attach(unsigned key, int base)
{
	lpt.base = base;
	lpt.lock = LOCK_ALLOC(1, plstr, &lpt_lkinfo, KM_SLEEP);
	lpt.done = SV_ALLOC(KM_SLEEP);
	if (cm_intr_attach(key, lpt_intr, &lpt, &lpt_drvinfo,
	    &lpt.cookie) == 0) {
		SV_DEALLOC(lpt.done);
		LOCK_DEALLOC(lpt.lock);
		return ENXIO;
	}
	outb(base + LPT_CONTROL, LPT_CT_IRQEN);
	return 0;
}

/* Write one byte and wait for the device to take it. */
STATIC int
lpt_putc(struct lpt *lp, unsigned char c)
{
	toid_t wd;
	int error;
	pl_t s;

	s = LOCK(lp->lock, plstr);
	ASSERT(!lp->busy);
	lp->busy = 1;
	lp->error = 0;
	outb(lp->base + LPT_DATA, c);
	outb(lp->base + LPT_CONTROL, LPT_CT_IRQEN | LPT_CT_STROBE);
	wd = itimeout(lpt_watchdog, lp, drv_usectohz(LPT_WATCHDOG_US), plstr);
	while (lp->busy) {
		/* Drops the lock and the level; no wakeup can slip by. */
		SV_WAIT(lp->done, primed, lp->lock);
		s = LOCK(lp->lock, plstr);
	}
	error = lp->error;
	UNLOCK(lp->lock, s);
	/* Not under the lock: the watchdog may be waiting for it. */
	untimeout(wd);
	return error;
}

int
lpt_write(const unsigned char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		int error = lpt_putc(&lpt, buf[i]);

		if (error != 0)
			return error;
	}
	return 0;
}

unsigned long
lpt_interrupts(void)
{
	return lpt.intrs;
}

void
lpt_detach(void)
{
	outb(lpt.base + LPT_CONTROL, 0);
	cm_intr_detach(lpt.cookie);
	SV_DEALLOC(lpt.done);
	LOCK_DEALLOC(lpt.lock);
}
