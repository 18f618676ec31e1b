/*
 * dma.c - the system DMA controller's DDI calls (dma_prog(9)) and ODDI
 * calls (dma_alloc(9)), and the channel registry behind both.
 *
 * The calls program the 8237 model through its ports, in the order the
 * kernel's own driver of the chip used: mask the channel, clear the
 * flip-flop, write the mode, the address and page, the count; and leave
 * the channel masked until dma_enable.
 *
 * Each channel has one owner at a time, which the registry records with
 * the code that took it: the DDI's software lock (taken by dma_prog and
 * dma_swsetup, given back by dma_disable and dma_stop), the ODDI's
 * ownership (dma_alloc, or a dmareq granted by dma_start or dma_relse),
 * or cascade mode (dma_cascade, counted).  Waiting for a channel is for
 * base context only; a wait past the sleeplimit is reported once, and
 * goes on.
 *
 * Locking: chan_lock guards the registry.  It may be held while the chip
 * is programmed (it comes before the chip's own lock, which never calls
 * back here), and is never held while a driver's d_proc runs: a granted
 * request runs once the lock is dropped, and may call back in.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "util/forklock.h"
#include "ddicompat/isadma.h"
#include "isadma/isadma.h"
#include "kern/ctx.h"
#include "kern/kern.h"
#include "kmem/kmem.h"
#include "machine/entry.h"
#include "machine/machine.h"
#include "verify/verify.h"
#include "verify/wait.h"

#include "sys/types.h"
#include "sys/kmem.h"
#include "sys/ddi.h"
#include "sys/dma.h"
#include "exports.h"

#define CB_MAGIC	0x646d6163u	/* "dmac" */
#define BUF_MAGIC	0x646d6162u	/* "dmab" */

struct kdma_cb {
	struct dma_cb	cb;
	uint32_t	magic;
};

struct kdma_buf {
	struct dma_buf	buf;
	uint32_t	magic;
};

struct dchan {
	enum ddisim_chan_owner owner;
	const void	*holder;
	unsigned	cascades;
	struct dmareq	*qhead, *qtail;	/* ODDI requests waiting */
	unsigned	nq;
};

static FORK_MUTEX(chan_lock);
static pthread_cond_t chan_cv = PTHREAD_COND_INITIALIZER;
static struct dchan chans[8];
static uint64_t chans_gen;

static const struct kcons any = { .high = UINT64_MAX, .align = 16 };

/* Ports of a channel's registers. */
static int
port_addr(int c)
{
	return c < 4 ? 2 * c : 0xc0 + 4 * (c - 4);
}

static int
port_count(int c)
{
	return port_addr(c) + (c < 4 ? 1 : 2);
}

static int
port_reg(int c, int reg)	/* reg 8..15 of the channel's chip */
{
	return c < 4 ? reg : 0xc0 + 2 * reg;
}

static const int port_page[8] = {
	0x87, 0x83, 0x81, 0x82, 0x8f, 0x8b, 0x89, 0x8a
};

/* The registry of this machine, fresh for a new one; under chan_lock. */
static void
chans_ensure_locked(void)
{
	if (chans_gen == machine->generation)
		return;
	memset(chans, 0, sizeof(chans));
	chans[4].owner = DDISIM_CHAN_SYSTEM;
	chans_gen = machine->generation;
}

/* A channel a driver may use, or a report for func. */
static bool
chan_ok(int c, const char *func, const void *caller)
{
	if (c < 0 || c > 7) {
		verify_report(func, caller, "channel %d is outside 0..7", c);
		return false;
	}
	if (c == 4) {
		verify_report(func, caller, "channel 4 cascades the two "
		    "controllers and is never available");
		return false;
	}
	return true;
}

/* The controller for this machine; false after a report for func. */
static bool
attach(const char *func, const void *caller)
{
	if (i8237_attach() == 0)
		return true;
	verify_report(func, caller, "the DMA controller's ports are claimed "
	    "by another device");
	return false;
}

/*
 * Take channel c for owner, waiting if sleep; false when it is taken and
 * the caller may not wait.  A wait past the sleeplimit is reported once.
 */
static bool
chan_take(int c, enum ddisim_chan_owner owner, bool sleep, const char *func,
    const void *caller)
{
	struct vwait w;

	if (sleep && !kctx_check_block(func, caller, NULL, false))
		sleep = false;		/* reported: do not block here */
	pthread_mutex_lock(&chan_lock);
	chans_ensure_locked();
	vwait_start(&w, VWAIT_KEEP, func, caller);
	while (chans[c].owner != DDISIM_CHAN_FREE) {
		char who[64];

		if (!sleep) {
			pthread_mutex_unlock(&chan_lock);
			return false;
		}
		verify_symbolize(chans[c].holder, who, sizeof(who));
		(void)vwait_cond(&w, &chan_cv, &chan_lock, "channel %d held "
		    "by %s", c, who);
	}
	chans[c].owner = owner;
	chans[c].holder = caller;
	pthread_mutex_unlock(&chan_lock);
	return true;
}

/*
 * Give channel c up.  A dmareq waiting for it takes it at once: the
 * caller grants it once chan_lock is dropped.  Under chan_lock.
 */
static struct dmareq *
chan_give_locked(int c)
{
	struct dmareq *r = chans[c].qhead;

	if (r != NULL) {
		if ((chans[c].qhead = r->d_nxt) == NULL)
			chans[c].qtail = NULL;
		chans[c].nq--;
		r->d_nxt = NULL;
		chans[c].owner = DDISIM_CHAN_ODDI;
		chans[c].holder = (const void *)r->d_proc;
		return r;
	}
	chans[c].owner = DDISIM_CHAN_FREE;
	chans[c].holder = NULL;
	pthread_cond_broadcast(&chan_cv);
	return NULL;
}

static void	grant(struct dmareq *);

/* ---- the chip ---- */

static void
chip_mask(int c, bool on)
{
	outb(port_reg(c, 10), (uchar_t)((c & 3) | (on ? 4 : 0)));
}

/* Mode, address (bytes, or words on 5-7, with the page), count. */
static void
chip_program(int c, uint8_t mode, uint32_t addr, uint16_t count,
    bool setmode)
{
	int ap = port_addr(c), cp = port_count(c);

	chip_mask(c, true);
	outb(port_reg(c, 12), 0);		/* the flip-flop */
	if (setmode)
		outb(port_reg(c, 11), (uchar_t)(mode | (c & 3)));
	outb(ap, (uchar_t)addr);
	outb(ap, (uchar_t)(addr >> 8));
	outb(port_page[c], (uchar_t)(addr >> 16));
	outb(cp, (uchar_t)count);
	outb(cp, (uchar_t)(count >> 8));
}

/* ---- the DDI's structures ---- */

static bool
mode_ok(uchar_t mode, const char *func, const void *caller)
{
	if (mode == DMA_SLEEP || mode == DMA_NOSLEEP)
		return true;
	verify_report(func, caller, "mode %#x is neither DMA_SLEEP nor "
	    "DMA_NOSLEEP", mode);
	return false;
}

/*
 * dma_cb and dma_buf are checked handles: a zeroed kmem block of size
 * bytes with magic at byte moff, which only a live handle of the kind
 * has; what ("cb", "buf") names the kind in reports.
 */
static void *
hnd_alloc(size_t size, size_t moff, uint32_t magic, uchar_t mode,
    const char *func, const void *caller)
{
	uint8_t *k;

	if (!mode_ok(mode, func, caller))
		return NULL;
	if (mode == DMA_SLEEP && !kctx_check_block(func, caller, NULL, false))
		mode = DMA_NOSLEEP;
	k = kmem_alloc_cons(size, &any, mode == DMA_SLEEP ? KM_SLEEP :
	    KM_NOSLEEP, KA_ZERO, KK_KMEM, func, caller);
	if (k != NULL)
		memcpy(k + moff, &magic, sizeof(magic));
	return k;
}

static void *
hnd_of(void *p, size_t size, size_t moff, uint32_t magic, const char *what,
    const char *func, const void *caller)
{
	uint32_t m;

	if (p != NULL && kmem_live_size(p) == size) {
		memcpy(&m, (uint8_t *)p + moff, sizeof(m));
		if (m == magic)
			return p;
	}
	verify_report(func, caller, "%p is not a dma_%s from dma_get_%s", p,
	    what, what);
	return NULL;
}

static void
hnd_free(void *p, size_t size, size_t moff, uint32_t magic, const char *what,
    const char *func, const void *caller)
{
	if (hnd_of(p, size, moff, magic, what, func, caller) == NULL)
		return;
	memset((uint8_t *)p + moff, 0, sizeof(magic));
	kmem_free_checked(p, size, KK_KMEM, func, caller);
}

#define CB_HND	sizeof(struct kdma_cb), offsetof(struct kdma_cb, magic), \
		CB_MAGIC, "cb"
#define BUF_HND	sizeof(struct kdma_buf), offsetof(struct kdma_buf, magic), \
		BUF_MAGIC, "buf"

DDI_ENTRY(struct dma_cb *, dma_get_cb, (uchar_t mode), (mode))
{
	return hnd_alloc(sizeof(struct kdma_cb), offsetof(struct kdma_cb,
	    magic), CB_MAGIC, mode, DDI_FUNC, DDI_CALLER);
}

static struct kdma_cb *
cb_of(struct dma_cb *cb, const char *func, const void *caller)
{
	return hnd_of(cb, CB_HND, func, caller);
}

DDI_ENTRY_VOID(dma_free_cb, (struct dma_cb *cb), (cb))
{
	hnd_free(cb, CB_HND, DDI_FUNC, DDI_CALLER);
}

DDI_ENTRY(struct dma_buf *, dma_get_buf, (uchar_t mode), (mode))
{
	return hnd_alloc(sizeof(struct kdma_buf), offsetof(struct kdma_buf,
	    magic), BUF_MAGIC, mode, DDI_FUNC, DDI_CALLER);
}

static struct kdma_buf *
buf_of(struct dma_buf *b, const char *func, const void *caller)
{
	return hnd_of(b, BUF_HND, func, caller);
}

DDI_ENTRY_VOID(dma_free_buf, (struct dma_buf *b), (b))
{
	hnd_free(b, BUF_HND, DDI_FUNC, DDI_CALLER);
}

/* ---- dma_prog and its kin ---- */

/*
 * Report a transfer of bytes from pa (down from it, when dec) that the
 * chip cannot make as asked: beyond 16 MiB, or across its page, inside
 * which the address would wrap.  It is programmed as it is all the same.
 */
static void
range_check(int c, uint64_t pa, uint64_t bytes, bool dec, const char *func,
    const void *caller)
{
	unsigned sh = c < 4 ? 16 : 17;
	/* a word channel moves pa and pa+1 first, then the words below */
	uint64_t top = c < 4 ? pa : pa + 1;
	uint64_t lo = dec ? top - (bytes - 1) : pa, hi = dec ? top : pa +
	    bytes - 1;

	if (dec && bytes - 1 > top) {
		verify_report(func, caller, "channel %d: %llu bytes down from "
		    "%#llx run below address 0", c, (unsigned long long)bytes,
		    (unsigned long long)pa);
		return;
	}
	if (hi >= (UINT64_C(1) << 24))
		verify_report(func, caller, "channel %d: %#llx..%#llx is "
		    "beyond the controller's 16 MiB", c,
		    (unsigned long long)lo, (unsigned long long)hi);
	else if (lo >> sh != hi >> sh)
		verify_report(func, caller, "channel %d: %llu bytes at %#llx "
		    "cross a %u KiB page: the address wraps inside it", c,
		    (unsigned long long)bytes, (unsigned long long)pa,
		    c < 4 ? 64 : 128);
}

/*
 * The 8237 mode byte and the register values for cb on channel c, with
 * the dma_buf rewritten as the chip has it; false after a report.
 */
static bool
cb_compile(struct dma_cb *cb, int c, bool block, uint8_t *mode,
    uint32_t *addr, uint16_t *count, const char *func, const void *caller)
{
	bool wide = c >= 4;
	uchar_t path = cb->targ_path, want = wide ? DMA_PATH_16 : DMA_PATH_8;
	struct dma_buf *b = cb->targbufs;
	uint32_t bytes, pa, units;
	uint8_t m = 0;

	if (b == NULL || buf_of(b, func, caller) == NULL) {
		if (b == NULL)
			verify_report(func, caller, "dma_cb %p has no "
			    "targbufs", (void *)cb);
		return false;
	}
	if (cb->targ_type == DMA_TYPE_MEM && cb->reqr_type == DMA_TYPE_MEM) {
		verify_report(func, caller, "memory to memory: the ISA "
		    "controller does not do it");
		return false;
	}
	if (path != want || (cb->reqr_path != want &&
	    cb->reqr_type == DMA_TYPE_IO)) {
		verify_report(func, caller, "channel %d is %d bits wide, and "
		    "takes DMA_PATH_%s; the dma_cb asks for path %u", c,
		    wide ? 16 : 8, wide ? "16" : "8", path != want ? path :
		    cb->reqr_path);
		return false;
	}
	switch (cb->command) {
	case DMA_CMD_READ:	m = 0x04; break;	/* device to memory */
	case DMA_CMD_WRITE:	m = 0x08; break;
	case DMA_CMD_VRFY:	m = 0x00; break;
	default:
		verify_report(func, caller, "command %u: the ISA controller "
		    "reads, writes and verifies, and does not translate",
		    cb->command);
		return false;
	}
	switch (block ? DMA_TRANS_BLCK : cb->trans_type) {
	case DMA_TRANS_SNGL:	m |= 0x40; break;
	case DMA_TRANS_DMND:	m |= 0x00; break;
	case DMA_TRANS_BLCK:	m |= 0x80; break;
	default:
		verify_report(func, caller, "trans_type %u is not single, "
		    "demand or block (cascade is dma_cascade's)",
		    cb->trans_type);
		return false;
	}
	if (cb->targ_step == DMA_STEP_DEC)
		m |= 0x20;
	else if (cb->targ_step != DMA_STEP_INC) {
		verify_report(func, caller, "targ_step %u: the ISA controller "
		    "increments or decrements", cb->targ_step);
		return false;
	}
	if (cb->bufprocess == DMA_BUF_AUTO)
		m |= 0x10;
	else if (cb->bufprocess != DMA_BUF_SNGL) {
		verify_report(func, caller, "bufprocess %u: the ISA "
		    "controller does not chain buffers", cb->bufprocess);
		return false;
	}
	bytes = (uint32_t)b->count_hi << 16 | b->count;
	pa = b->address;
	if (bytes == 0) {
		verify_report(func, caller, "a count of 0 bytes");
		return false;
	}
	if (wide && ((pa | bytes) & 1)) {
		verify_report(func, caller, "channel %d moves words: address "
		    "%#x and count %u must be even", c, (unsigned)pa,
		    (unsigned)bytes);
		return false;
	}
	units = wide ? bytes / 2 : bytes;
	/* what the chip cannot hold is reported, and programmed as it is */
	if (units > 0x10000)
		verify_report(func, caller, "channel %d: %u bytes is more than "
		    "one transfer of %u KiB; the count wraps", c,
		    (unsigned)bytes, wide ? 128 : 64);
	range_check(c, pa, bytes, cb->targ_step == DMA_STEP_DEC, func,
	    caller);
	*mode = m;
	*count = (uint16_t)(units - 1);
	*addr = wide ? (pa & 0xfe0000u) | ((pa >> 1) & 0xffffu) : pa;
	/* as the chip has them: the caller refills them for the next call */
	b->count = *count;
	b->count_hi = 0;
	b->address = *addr;
	return true;
}

static int
prog(struct dma_cb *cb, int c, uchar_t mode, bool sw, const char *func,
    const void *caller)
{
	uint32_t addr;
	uint16_t count;
	uint8_t m;

	if (!attach(func, caller) || !mode_ok(mode, func, caller) ||
	    cb_of(cb, func, caller) == NULL || !chan_ok(c, func, caller))
		return 0;
	if (!chan_take(c, DDISIM_CHAN_DDI, mode == DMA_SLEEP, func, caller))
		return 0;
	if (!cb_compile(cb, c, sw, &m, &addr, &count, func, caller)) {
		struct dmareq *r;

		pthread_mutex_lock(&chan_lock);
		r = chan_give_locked(c); /* a programming error frees it */
		pthread_mutex_unlock(&chan_lock);
		if (r != NULL)
			grant(r);
		return 0;
	}
	chip_program(c, m, addr, count, true);
	i8237_blame(c, caller);
	return 1;
}

DDI_ENTRY(int, dma_prog, (struct dma_cb *cb, int chan, uchar_t mode),
    (cb, chan, mode))
{
	return prog(cb, chan, mode, false, DDI_FUNC, DDI_CALLER);
}

DDI_ENTRY(int, dma_swsetup, (struct dma_cb *cb, int chan, uchar_t mode),
    (cb, chan, mode))
{
	const void *caller = DDI_CALLER;

	if (!prog(cb, chan, mode, true, DDI_FUNC, caller))
		return 0;
	if (cb->proc != NULL)
		(void)((int (*)(char *))cb->proc)(cb->procparms);
	return 1;
}

/* Whether the caller's DDI lock is on c; a report for func if not. */
static bool
held_ddi(int c, const char *func, const void *caller)
{
	bool ok;

	pthread_mutex_lock(&chan_lock);
	chans_ensure_locked();
	ok = chans[c].owner == DDISIM_CHAN_DDI;
	pthread_mutex_unlock(&chan_lock);
	if (!ok)
		verify_report(func, caller, "channel %d was not programmed "
		    "by dma_prog or dma_swsetup", c);
	return ok;
}

DDI_ENTRY_VOID(dma_swstart, (struct dma_cb *cb, int chan, uchar_t mode),
    (cb, chan, mode))
{
	const void *caller = DDI_CALLER;

	if (!attach(DDI_FUNC, caller) || cb_of(cb, DDI_FUNC, caller) == NULL ||
	    !chan_ok(chan, DDI_FUNC, caller) || !mode_ok(mode, DDI_FUNC,
	    caller) || !held_ddi(chan, DDI_FUNC, caller))
		return;
	if (mode == DMA_SLEEP)
		(void)kctx_check_block(DDI_FUNC, caller, NULL, false);
	/* the transfer runs to terminal count as the request is set */
	chip_mask(chan, false);
	outb(port_reg(chan, 9), (uchar_t)((chan & 3) | 4));
}

DDI_ENTRY_VOID(dma_enable, (int chan), (chan))
{
	const void *caller = DDI_CALLER;

	if (!attach(DDI_FUNC, caller) || !chan_ok(chan, DDI_FUNC, caller))
		return;
	chip_mask(chan, false);
}

static void
release(int chan, bool stop, const char *func, const void *caller)
{
	enum ddisim_chan_owner o;
	struct dmareq *r = NULL;

	if (!attach(func, caller) || !chan_ok(chan, func, caller))
		return;
	chip_mask(chan, true);
	if (stop)
		outb(port_reg(chan, 9), (uchar_t)(chan & 3));
	pthread_mutex_lock(&chan_lock);
	chans_ensure_locked();
	if ((o = chans[chan].owner) == DDISIM_CHAN_DDI)
		r = chan_give_locked(chan);
	pthread_mutex_unlock(&chan_lock);
	if (o == DDISIM_CHAN_ODDI || o == DDISIM_CHAN_CASCADE)
		verify_report(func, caller, "channel %d is held %s, not by "
		    "dma_prog's lock: masked, and left held", chan,
		    o == DDISIM_CHAN_ODDI ? "through dma_alloc or dma_start" :
		    "in cascade mode");
	if (r != NULL)
		grant(r);
}

DDI_ENTRY_VOID(dma_disable, (int chan), (chan))
{
	release(chan, false, DDI_FUNC, DDI_CALLER);
}

DDI_ENTRY_VOID(dma_stop, (int chan), (chan))
{
	release(chan, true, DDI_FUNC, DDI_CALLER);
}

DDI_ENTRY(boolean_t, dma_cascade, (int chan, uchar_t mode), (chan, mode))
{
	const void *caller = DDI_CALLER;
	uchar_t sl = mode & DMA_NOSLEEP;
	bool on = (mode & DMA_ENABLE) != 0, last = false;
	struct dmareq *r = NULL;

	if (!attach(DDI_FUNC, caller) || !chan_ok(chan, DDI_FUNC, caller))
		return B_FALSE;
	if (((mode & DMA_ENABLE) != 0) == ((mode & DMA_DISABLE) != 0) ||
	    (mode & ~(DMA_NOSLEEP | DMA_ENABLE | DMA_DISABLE))) {
		verify_report(DDI_FUNC, caller, "mode %#x: DMA_ENABLE or "
		    "DMA_DISABLE, with DMA_SLEEP or DMA_NOSLEEP", mode);
		return B_FALSE;
	}
	if (on) {
		struct vwait w;

		if (sl == DMA_SLEEP && !kctx_check_block(DDI_FUNC, caller, NULL,
		    false))
			sl = DMA_NOSLEEP;	/* reported: do not block */
		pthread_mutex_lock(&chan_lock);
		chans_ensure_locked();
		vwait_start(&w, VWAIT_KEEP, DDI_FUNC, caller);
		while (chans[chan].owner != DDISIM_CHAN_CASCADE &&
		    chans[chan].owner != DDISIM_CHAN_FREE) {
			if (sl == DMA_NOSLEEP) {
				pthread_mutex_unlock(&chan_lock);
				return B_FALSE;
			}
			(void)vwait_cond(&w, &chan_cv, &chan_lock, "channel %d "
			    "busy", chan);
		}
		if (chans[chan].owner == DDISIM_CHAN_CASCADE) {
			chans[chan].cascades++;
			pthread_mutex_unlock(&chan_lock);
			return B_TRUE;
		}
		chans[chan].owner = DDISIM_CHAN_CASCADE;
		chans[chan].holder = caller;
		chans[chan].cascades = 1;
		/* the chip under the lock: a racing disable waits for it */
		chip_mask(chan, true);
		outb(port_reg(chan, 11), (uchar_t)(0xc0 | (chan & 3)));
		chip_mask(chan, false);
		pthread_mutex_unlock(&chan_lock);
		return B_TRUE;
	}
	pthread_mutex_lock(&chan_lock);
	chans_ensure_locked();
	if (chans[chan].owner != DDISIM_CHAN_CASCADE) {
		pthread_mutex_unlock(&chan_lock);
		verify_report(DDI_FUNC, caller, "channel %d is not in cascade "
		    "mode", chan);
		return B_FALSE;
	}
	if (--chans[chan].cascades == 0) {
		last = true;
		chip_mask(chan, true);
		outb(port_reg(chan, 11), (uchar_t)(0x40 | (chan & 3)));
		r = chan_give_locked(chan);
	}
	pthread_mutex_unlock(&chan_lock);
	if (last && r != NULL)
		grant(r);
	return B_TRUE;
}

DDI_ENTRY(uchar_t, dma_get_best_mode, (struct dma_cb *cb), (cb))
{
	if (cb_of(cb, DDI_FUNC, DDI_CALLER) == NULL)
		return DMA_CYCLES_1;
	return DMA_CYCLES_2;		/* what UnixWare 7 says on ISA */
}

DDI_ENTRY_VOID(dma_physreq, (int chan, int datapath, physreq_t *preq),
    (chan, datapath, preq))
{
	const void *caller = DDI_CALLER;

	if (!chan_ok(chan, DDI_FUNC, caller))
		return;
	if (preq == NULL) {
		verify_report(DDI_FUNC, caller, "NULL physreq");
		return;
	}
	if ((datapath == DMA_PATH_8 && chan >= 4) ||
	    (datapath == DMA_PATH_16 && chan < 4) ||
	    (datapath != DMA_PATH_8 && datapath != DMA_PATH_16)) {
		verify_report(DDI_FUNC, caller, "path %d does not match "
		    "channel %d of the ISA controller, which is %d bits wide "
		    "(DMA_PATH_%d)", datapath, chan, chan < 4 ? 8 : 16,
		    chan < 4 ? 8 : 16);
		return;
	}
	preq->phys_flags |= PREQ_PHYSCONTIG;
	preq->phys_max_scgth = 0;
	preq->phys_dmasize = 24;
	if (datapath == DMA_PATH_8) {
		preq->phys_align = 1;
		preq->phys_boundary = 64 * 1024;
	} else {
		preq->phys_align = 2;
		preq->phys_boundary = 128 * 1024;
	}
}

DDI_ENTRY_VOID(dma_get_chan_stat, (struct dma_stat *st, int chan), (st, chan))
{
	const void *caller = DDI_CALLER;
	struct i8237_state s;

	if (!attach(DDI_FUNC, caller) || !chan_ok(chan, DDI_FUNC, caller))
		return;
	if (st == NULL) {
		verify_report(DDI_FUNC, caller, "NULL dma_stat");
		return;
	}
	i8237_state(chan, &s);
	memset(st, 0, sizeof(*st));
	st->targaddr = s.addr;
	st->count = s.raw_count;
}

/* ---- the ODDI ---- */

static int
oddi_chan(unsigned chan, const char *func, const void *caller)
{
	if (!attach(func, caller) || !chan_ok((int)chan, func, caller))
		return -1;
	return (int)chan;
}

DDI_ENTRY(int, dma_alloc, (unsigned chan, unsigned mode), (chan, mode))
{
	const void *caller = DDI_CALLER;
	int c = oddi_chan(chan, DDI_FUNC, caller);

	if (c < 0)
		return 0;
	if (mode != DMA_BLOCK && mode != DMA_NBLOCK) {
		verify_report(DDI_FUNC, caller, "mode %u is neither DMA_BLOCK "
		    "nor DMA_NBLOCK", mode);
		return 0;
	}
	return chan_take(c, DDISIM_CHAN_ODDI, mode == DMA_BLOCK, DDI_FUNC,
	    caller) ? 1 : 0;
}

/* Grant c to the queued request r: its d_proc, at spl6. */
static void
grant(struct dmareq *r)
{
	bool raise = getpl() < 6;
	int s = raise ? spl6() : 0;

	(void)((int (*)(struct dmareq *))r->d_proc)(r);
	if (raise)
		(void)splx(s);
}

DDI_ENTRY_VOID(dma_relse, (unsigned chan), (chan))
{
	const void *caller = DDI_CALLER;
	int c = oddi_chan(chan, DDI_FUNC, caller);
	struct dmareq *r = NULL;

	if (c < 0)
		return;
	pthread_mutex_lock(&chan_lock);
	chans_ensure_locked();
	if (chans[c].owner != DDISIM_CHAN_ODDI) {
		pthread_mutex_unlock(&chan_lock);
		verify_report(DDI_FUNC, caller, "channel %d is not owned "
		    "through dma_alloc or dma_start", c);
		return;
	}
	/* ownership passes straight to the next request, if one waits */
	r = chan_give_locked(c);
	pthread_mutex_unlock(&chan_lock);
	if (r != NULL)
		grant(r);
}

DDI_ENTRY(int, dma_start, (struct dmareq *r), (r))
{
	const void *caller = DDI_CALLER;
	int c;

	if (r == NULL || r->d_proc == NULL) {
		verify_report(DDI_FUNC, caller, "%s", r == NULL ?
		    "NULL dmareq" : "dmareq with no d_proc");
		return 0;
	}
	if ((c = oddi_chan(r->d_chan, DDI_FUNC, caller)) < 0)
		return 0;
	pthread_mutex_lock(&chan_lock);
	chans_ensure_locked();
	if (chans[c].owner == DDISIM_CHAN_FREE) {
		chans[c].owner = DDISIM_CHAN_ODDI;
		chans[c].holder = caller;
		pthread_mutex_unlock(&chan_lock);
		grant(r);
		return 1;
	}
	for (int q = 0; q < 8; q++)
		for (const struct dmareq *x = chans[q].qhead; x != NULL;
		    x = x->d_nxt)
			if (x == r) {
				pthread_mutex_unlock(&chan_lock);
				verify_report(DDI_FUNC, caller, "dmareq %p is "
				    "queued already, on channel %d", (void *)r,
				    q);
				return 0;
			}
	r->d_nxt = NULL;
	if (chans[c].qtail != NULL)
		chans[c].qtail->d_nxt = r;
	else
		chans[c].qhead = r;
	chans[c].qtail = r;
	chans[c].nq++;
	pthread_mutex_unlock(&chan_lock);
	return 0;
}

DDI_ENTRY_VOID(dma_param, (unsigned chan, unsigned mode, paddr_t addr,
    long_t cnt), (chan, mode, addr, cnt))
{
	const void *caller = DDI_CALLER;
	int c = oddi_chan(chan, DDI_FUNC, caller);
	uint32_t a = addr;
	uint64_t units;
	bool dec;

	if (c < 0)
		return;
	if (cnt < 0 || cnt > (c < 4 ? 0xffff : 0x1ffff)) {
		verify_report(DDI_FUNC, caller, "count %ld: bytes minus one, "
		    "0 to %u on channel %d", (long)cnt, c < 4 ? 0xffff :
		    0x1ffff, c);
		return;
	}
	units = (uint64_t)cnt + 1;
	if (c >= 4) {
		if (units < 2) {
			verify_report(DDI_FUNC, caller, "channel %d moves "
			    "words: a count of 1 byte is not one; nothing "
			    "programmed", c);
			return;
		}
		if ((a | units) & 1)
			verify_report(DDI_FUNC, caller, "channel %d moves "
			    "words: address %#x and %llu bytes must be even",
			    c, (unsigned)a, (unsigned long long)units);
		units /= 2;
		a = (a & 0xfe0000u) | ((a >> 1) & 0xffffu);
	}
	if ((mode & 0xff) == DMA_Nomode) {
		struct i8237_state st;

		i8237_state(c, &st);	/* the mode the chip keeps */
		dec = (st.mode & 0x20) != 0;
	} else {
		dec = (mode & 0x20) != 0;
	}
	range_check(c, addr, (uint64_t)cnt + 1, dec, DDI_FUNC, caller);
	chip_program(c, (uint8_t)(mode & 0xfc), a, (uint16_t)(units - 1),
	    (mode & 0xff) != DMA_Nomode);
	i8237_blame(c, caller);
}

DDI_ENTRY(long_t, dma_resid, (unsigned chan), (chan))
{
	const void *caller = DDI_CALLER;
	int c = oddi_chan(chan, DDI_FUNC, caller);
	uint16_t v;

	if (c < 0)
		return 0;
	chip_mask(c, true);
	outb(port_reg(c, 12), 0);
	v = inb(port_count(c));
	v |= (uint16_t)(inb(port_count(c)) << 8);
	if (v == 0xffff)
		return 0;
	return (long_t)(v + 1) * (c < 4 ? 1 : 2);
}

/* ---- the registry ---- */

DDI_ENTRY(int, ddisim_isadma_channels, (struct ddisim_chan out[8]), (out))
{
	struct dchan copy[8];

	if (out == NULL) {
		verify_report(DDI_FUNC, DDI_CALLER, "NULL array");
		return 0;
	}
	(void)i8237_attach();
	pthread_mutex_lock(&chan_lock);
	chans_ensure_locked();
	memcpy(copy, chans, sizeof(copy));
	pthread_mutex_unlock(&chan_lock);
	for (int c = 0; c < 8; c++) {
		struct i8237_state s;

		i8237_state(c, &s);
		memset(&out[c], 0, sizeof(out[c]));
		out[c].chan = c;
		out[c].owner = copy[c].owner;
		if (copy[c].holder != NULL)
			verify_symbolize(copy[c].holder, out[c].holder,
			    sizeof(out[c].holder));
		out[c].masked = s.masked;
		out[c].mode = s.mode;
		out[c].addr = s.addr;
		/* after terminal count, without auto-initialise, none left */
		out[c].count = s.tc && !(s.mode & 0x10) ? 0 : s.count;
		out[c].tc = s.tc;
		out[c].cascades = copy[c].cascades;
		out[c].queued = copy[c].nq;
		out[c].transfers = s.transfers;
	}
	return 8;
}

void
isadma_fini(void)
{
	pthread_mutex_lock(&chan_lock);
	memset(chans, 0, sizeof(chans));
	chans_gen = 0;
	pthread_mutex_unlock(&chan_lock);
}
