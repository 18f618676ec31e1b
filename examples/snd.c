/*
 * snd.c - a DDI 5 driver for an ISA sound card's playback, linked into
 * the kernel (no module wrapper), multithreaded (D_MP).
 *
 * Configuration: the card is the board named "snd" in the resource
 * manager, with its I/O ports (CM_IOADDR), its interrupt (CM_IRQ) and
 * its DMA channel (CM_DMAC).  The kernel attaches sndintr to the
 * board's interrupt; sndstart, at boot, reads the board's parameters
 * with cm_getbrdkey and cm_getval and allocates the playback ring, a
 * buffer that meets the channel's requirements (dma_physreq, then
 * kmem_alloc_physcontig).  A start routine cannot sleep, and cannot
 * fail: without its card or its memory the driver stays unconfigured
 * and its open says ENXIO.  sndhalt gives everything back.
 *
 * Playing: open (one at a time) programs the system DMA controller's
 * channel once, over the whole ring, in single mode with
 * auto-initialise, so that the 8237 reloads its address and count at
 * the end of the ring and runs on by itself.  write() copies the
 * program's samples into the half of the ring being filled, with
 * uiomove; a full half is handed to the card, which is started if it
 * was stopped.  The card interrupts after each half it has played;
 * sndintr gives that half back to the writer and, when the next half
 * holds nothing to play, stops the card there, at a half's end, where
 * the channel's counters already point at the next half to play.  With
 * both halves handed over, write() sleeps until the card has played
 * one (EAGAIN with O_NDELAY; EINTR when a signal ends the sleep, or the
 * short count of what was taken before).  chpoll says POLLOUT when a
 * half is free, and the interrupt wakes pollers.  SND_DRAIN and close
 * play out a half filled in part, the rest of it silence, and wait for
 * the card to stop; close then disables the channel.  The ring can be
 * mapped by the program (mmap).
 *
 * One basic lock guards what the interrupt handler shares with the
 * entry points; one sleep lock lets one writer or drainer at a time
 * fill the ring.
 *
 * Compile as a legacy driver:
 *	cc $(pkg-config --cflags ddicompat) -D_DDI=5 -c snd.c
 */
#include <sys/types.h>
#include <sys/param.h>
#include <sys/errno.h>
#include <sys/file.h>
#include <sys/cred.h>
#include <sys/uio.h>
#include <sys/poll.h>
#include <sys/kmem.h>
#include <sys/ksynch.h>
#include <sys/dma.h>
#include <sys/confmgr.h>
#include <sys/conf.h>
#include <sys/cmn_err.h>
#include <sys/debug.h>
#include <sys/ddi.h>

#include "snd.h"

/* The entry points, named by the prefix in the driver's Master file. */
void	sndstart(void);
void	sndhalt(void);
int	sndopen(dev_t *, int, int, cred_t *);
int	sndclose(dev_t, int, int, cred_t *);
int	sndwrite(dev_t, uio_t *, cred_t *);
int	sndioctl(dev_t, int, void *, int, cred_t *, int *);
int	sndchpoll(dev_t, short, int, short *, struct pollhead **);
int	sndmmap(dev_t, off_t, uint_t);
void	sndintr(int);

int snddevflag = D_MP;

static struct {
	int		attached;	/* sndstart found the card */
	int		base;		/* the first of its I/O ports */
	int		chan;		/* its DMA channel */
	cm_num_t	irq;
	physreq_t	*preq;
	struct dma_cb	*cb;
	uchar_t		*ring;
	struct pollhead	*ph;
	sleep_t		*wlock;		/* one writer or drainer at a time;
					   the half being filled (fill, len)
					   is its */
	lock_t		*lock;		/* guards the fields below */
	sv_t		*sv;		/* a half was played */
	int		open;
	int		running;	/* the card plays */
	int		play;		/* the half it plays, or plays next */
	int		fill;		/* the half write() fills */
	long		len;		/* bytes in it */
	int		queued[2];	/* handed to the card, not yet played */
	int		rate, fmt;
	ulong_t		halves;		/* halves played */
} snd;

static char snd_modname[] = "snd";
static LKINFO_DECL(snd_lkinfo, "snd:ring", 0);
static LKINFO_DECL(snd_wlkinfo, "snd:writer", 0);

/* ---- configuration ---- */

/* One value of a parameter of the board: 0 or an errno. */
static int
snd_getval(rm_key_t key, char *param, void *val, size_t len)
{
	cm_args_t ca;

	ca.cm_key = key;
	ca.cm_param = param;
	ca.cm_val = val;
	ca.cm_vallen = len;
	ca.cm_n = 0;
	return cm_getval(&ca);
}

static void
snd_free(void)
{
	if (snd.cb != NULL) {
		if (snd.cb->targbufs != NULL)
			dma_free_buf(snd.cb->targbufs);
		dma_free_cb(snd.cb);
	}
	if (snd.ring != NULL)
		kmem_free_physcontig(snd.ring, SND_RING);
	if (snd.preq != NULL)
		physreq_free(snd.preq);
	if (snd.ph != NULL)
		phfree(snd.ph);
	if (snd.sv != NULL)
		SV_DEALLOC(snd.sv);
	if (snd.wlock != NULL)
		SLEEP_DEALLOC(snd.wlock);
	if (snd.lock != NULL)
		LOCK_DEALLOC(snd.lock);
	snd.cb = NULL;
	snd.ring = NULL;
	snd.preq = NULL;
	snd.ph = NULL;
	snd.sv = NULL;
	snd.wlock = NULL;
	snd.lock = NULL;
}

/* Everything the driver needs, without sleeping: 0, or -1. */
static int
snd_alloc(void)
{
	int path = snd.chan < 4 ? DMA_PATH_8 : DMA_PATH_16;

	snd.lock = LOCK_ALLOC(1, plhi, &snd_lkinfo, KM_NOSLEEP);
	snd.wlock = SLEEP_ALLOC(0, &snd_wlkinfo, KM_NOSLEEP);
	snd.sv = SV_ALLOC(KM_NOSLEEP);
	snd.ph = phalloc(KM_NOSLEEP);
	snd.preq = physreq_alloc(KM_NOSLEEP);
	if (snd.lock == NULL || snd.wlock == NULL || snd.sv == NULL ||
	    snd.ph == NULL || snd.preq == NULL)
		return -1;
	dma_physreq(snd.chan, path, snd.preq);
	if (!physreq_prep(snd.preq, KM_NOSLEEP))
		return -1;
	snd.ring = kmem_alloc_physcontig(SND_RING, snd.preq, KM_NOSLEEP);
	if (snd.ring == NULL)
		return -1;
	if ((snd.cb = dma_get_cb(DMA_NOSLEEP)) == NULL ||
	    (snd.cb->targbufs = dma_get_buf(DMA_NOSLEEP)) == NULL)
		return -1;
	snd.cb->command = DMA_CMD_WRITE;	/* memory to the card */
	snd.cb->targ_type = DMA_TYPE_MEM;
	snd.cb->reqr_type = DMA_TYPE_IO;
	snd.cb->targ_path = snd.cb->reqr_path = (uchar_t)path;
	snd.cb->trans_type = DMA_TRANS_SNGL;
	snd.cb->targ_step = DMA_STEP_INC;
	snd.cb->bufprocess = DMA_BUF_AUTO;
	return 0;
}

void
sndstart(void)
{
	rm_key_t key;
	cm_range_t io;
	cm_num_t dmac;

	if ((key = cm_getbrdkey(snd_modname, 0)) == RM_NULL_KEY)
		return;				/* no card configured */
	if (snd_getval(key, CM_IOADDR, &io, sizeof(io)) != 0 ||
	    snd_getval(key, CM_IRQ, &snd.irq, sizeof(snd.irq)) != 0 ||
	    snd_getval(key, CM_DMAC, &dmac, sizeof(dmac)) != 0 ||
	    io.endaddr < io.startaddr + SND_NREGS - 1 || dmac > 7 ||
	    dmac == 4) {
		cmn_err(CE_WARN, "snd: the card's I/O ports, interrupt or DMA "
		    "channel are not configured");
		return;
	}
	snd.base = (int)io.startaddr;
	snd.chan = (int)dmac;
	if (snd_alloc() != 0) {
		cmn_err(CE_WARN, "snd: no memory for the playback ring");
		snd_free();
		return;
	}
	outb(snd.base + SND_CTL, SND_HALT);
	snd.attached = 1;
}

void
sndhalt(void)
{
	if (!snd.attached)
		return;
	outb(snd.base + SND_CTL, SND_HALT);
	snd.attached = 0;
	snd_free();
}

/* ---- the card ---- */

void
sndintr(int ivec)
{
	pl_t s;

	if (!snd.attached || (cm_num_t)ivec != snd.irq)
		return;
	s = LOCK(snd.lock, plhi);
	if (!(inb(snd.base + SND_STAT) & SND_ST_IRQ) || !snd.running) {
		UNLOCK(snd.lock, s);
		return;				/* not the card's */
	}
	/* the half just played is the writer's again */
	snd.queued[snd.play] = 0;
	snd.play ^= 1;
	snd.halves++;
	if (!snd.queued[snd.play]) {
		/* nothing to play next: stop at this half's end */
		outb(snd.base + SND_CTL, SND_HALT);
		snd.running = 0;
	}
	SV_BROADCAST(snd.sv, 0);
	UNLOCK(snd.lock, s);
	pollwakeup(snd.ph, POLLOUT | POLLWRNORM);
}

/* Hand the half just filled to the card, and start it if it stopped. */
static void
snd_queue(void)
{
	pl_t s = LOCK(snd.lock, plhi);

	snd.queued[snd.fill] = 1;
	snd.fill ^= 1;
	snd.len = 0;
	if (!snd.running) {
		/* stopped, it had played all: it goes on with this half */
		ASSERT(snd.queued[snd.play]);
		outb(snd.base + SND_CTL, SND_GO);
		snd.running = 1;
	}
	UNLOCK(snd.lock, s);
}

/* Play what was written, a half filled in part included: 0 or EINTR. */
static int
snd_drain(void)
{
	uchar_t *p, silence;
	pl_t s;

	if (!SLEEP_LOCK_SIG(snd.wlock, primed))
		return EINTR;
	if (snd.len > 0) {
		silence = snd.fmt == SND_FMT_U8 ? 0x80 : 0;
		p = snd.ring + snd.fill * SND_HALF;
		while (snd.len < SND_HALF)
			p[snd.len++] = silence;
		snd_queue();
	}
	s = LOCK(snd.lock, plhi);
	while (snd.running) {
		if (!SV_WAIT_SIG(snd.sv, primed, snd.lock)) {
			SLEEP_UNLOCK(snd.wlock);
			return EINTR;
		}
		s = LOCK(snd.lock, plhi);
	}
	UNLOCK(snd.lock, s);
	SLEEP_UNLOCK(snd.wlock);
	return 0;
}

/* ---- the entry points ---- */

/* ARGSUSED */
int
sndopen(dev_t *devp, int oflag, int otyp, cred_t *crp)
{
	pl_t s;

	if (getminor(*devp) != 0 || !snd.attached)
		return ENXIO;
	s = LOCK(snd.lock, plhi);
	if (snd.open) {
		UNLOCK(snd.lock, s);
		return EBUSY;
	}
	snd.open = 1;
	snd.running = 0;
	snd.play = snd.fill = 0;
	snd.len = 0;
	snd.queued[0] = snd.queued[1] = 0;
	snd.rate = SND_RATE_DFLT;
	snd.fmt = SND_FMT_U8;
	UNLOCK(snd.lock, s);

	/* the channel runs over the whole ring, reloading at its end */
	snd.cb->targbufs->address = vtop((caddr_t)snd.ring, NULL);
	snd.cb->targbufs->count = SND_RING;
	snd.cb->targbufs->count_hi = 0;
	if (!dma_prog(snd.cb, snd.chan, DMA_NOSLEEP)) {
		s = LOCK(snd.lock, plhi);
		snd.open = 0;
		UNLOCK(snd.lock, s);
		return EBUSY;			/* the channel is taken */
	}
	dma_enable(snd.chan);
	outb(snd.base + SND_FMT, (uchar_t)snd.fmt);
	outw(snd.base + SND_RATE, (ushort_t)snd.rate);
	return 0;
}

/* ARGSUSED */
int
sndclose(dev_t dev, int oflag, int otyp, cred_t *crp)
{
	pl_t s;

	/* a signal cuts the drain short: the rest is not played */
	(void)snd_drain();
	s = LOCK(snd.lock, plhi);
	outb(snd.base + SND_CTL, SND_HALT);
	snd.running = 0;
	snd.queued[0] = snd.queued[1] = 0;
	UNLOCK(snd.lock, s);
	dma_disable(snd.chan);
	s = LOCK(snd.lock, plhi);
	snd.open = 0;
	UNLOCK(snd.lock, s);
	return 0;
}

/* ARGSUSED */
int
sndwrite(dev_t dev, uio_t *uiop, cred_t *crp)
{
	int resid = uiop->uio_resid;
	int error = 0;
	long n;
	pl_t s;

	if (!SLEEP_LOCK_SIG(snd.wlock, primed))
		return EINTR;
	while (uiop->uio_resid > 0 && error == 0) {
		s = LOCK(snd.lock, plhi);
		if (snd.queued[snd.fill]) {
			/* both halves wait for the card: wait for one */
			if (uiop->uio_fmode & (FNDELAY | FNONBLOCK)) {
				UNLOCK(snd.lock, s);
				error = EAGAIN;
			} else if (!SV_WAIT_SIG(snd.sv, primed, snd.lock)) {
				error = EINTR;
			}
			continue;
		}
		UNLOCK(snd.lock, s);
		/* the half being filled is the writer's alone */
		n = SND_HALF - snd.len;
		if (n > uiop->uio_resid)
			n = uiop->uio_resid;
		error = uiomove(snd.ring + snd.fill * SND_HALF + snd.len, n,
		    UIO_WRITE, uiop);
		if (error != 0)
			break;
		snd.len += n;
		if (snd.len == SND_HALF)
			snd_queue();
	}
	SLEEP_UNLOCK(snd.wlock);
	/* Once samples were taken, a wait cut short is a short count. */
	if ((error == EAGAIN || error == EINTR) && uiop->uio_resid < resid)
		error = 0;
	return error;
}

/* ARGSUSED */
int
sndioctl(dev_t dev, int cmd, void *arg, int mode, cred_t *crp, int *rvalp)
{
	int v;
	pl_t s;

	switch (cmd) {
	case SND_SETRATE:
	case SND_SETFMT:
		if (copyin(arg, &v, sizeof(v)) != 0)
			return EFAULT;
		if (cmd == SND_SETRATE ? v < SND_RATE_MIN || v > SND_RATE_MAX :
		    v != SND_FMT_U8 && v != SND_FMT_S16)
			return EINVAL;
		s = LOCK(snd.lock, plhi);
		if (snd.running) {
			UNLOCK(snd.lock, s);
			return EBUSY;
		}
		if (cmd == SND_SETRATE) {
			snd.rate = v;
			outw(snd.base + SND_RATE, (ushort_t)v);
		} else {
			snd.fmt = v;
			outb(snd.base + SND_FMT, (uchar_t)v);
		}
		UNLOCK(snd.lock, s);
		return 0;
	case SND_GETRATE:
		v = snd.rate;
		if (copyout(&v, arg, sizeof(v)) != 0)
			return EFAULT;
		return 0;
	case SND_DRAIN:
		return snd_drain();
	default:
		return EINVAL;
	}
}

/* ARGSUSED */
int
sndchpoll(dev_t dev, short events, int anyyet, short *reventsp,
    struct pollhead **phpp)
{
	pl_t s = LOCK(snd.lock, plhi);

	*reventsp = 0;
	if (!snd.queued[snd.fill])
		*reventsp = events & (POLLOUT | POLLWRNORM);
	UNLOCK(snd.lock, s);
	if (*reventsp == 0 && !anyyet)
		*phpp = snd.ph;
	return 0;
}

/* ARGSUSED */
int
sndmmap(dev_t dev, off_t off, uint_t prot)
{
	if (off < 0 || off >= SND_RING)
		return NOPAGE;
	return (int)kvtoppid((caddr_t)snd.ring + off);
}
