/*
 * dma.c - bus-master DMA devices (ddisim_dma(3)): an engine in one of the
 * four classic programming models, with a disk image or a wire behind it,
 * programmed through I/O ports.
 *
 * A command is latched when the driver writes a GO command: its pairs of
 * (address, length) come from the registers, from the engine's on-chip
 * list, or from a descriptor list the engine fetches from RAM, and are
 * moved one by one between the backing store and simulated RAM through
 * the direct map.  Each pair is audited as the engine takes it, and a
 * fault is what the hardware would make of it: the address register
 * keeps only the engine's address lines, the count register only its
 * count bits, the low address bits an aligned engine ignores are
 * ignored, and the address counter wraps at the engine's boundary (or at
 * the top of its reach) instead of carrying.  Bytes aimed at a hole read
 * as all ones and are lost when written, as a master abort does; bytes
 * aimed at memory nobody holds are moved all the same.  Each fault is a
 * verifier report against the driver code that started the command.
 *
 * A command runs in the thread that starts it, or with async in the
 * device's own thread; either way its interrupt is raised once the
 * device's lock is dropped, for the handler reads the status registers.
 *
 * Locking: dev->mtx guards the registers, the command and the store; it
 * is held while a command moves bytes and never while an interrupt is
 * raised or a port is claimed or released.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include "util/forklock.h"
#include "ddicompat/devsim.h"
#include "ddicompat/ddisim.h"
#include "bus/bus.h"
#include "devsim/devsim.h"
#include "kern/kern.h"
#include "machine/entry.h"
#include "machine/machine.h"
#include "palloc/palloc.h"
#include "rm/rm.h"
#include "verify/verify.h"
#include "verify/wait.h"
#include "vm/vm.h"
#include "iomem/iomem.h"
#include "ddicompat/mmio.h"

#define DMA_MAXPAIRS	256		/* max_pairs 0 */
#define DMA_LIMIT	4096		/* max_pairs at most */

struct pair {
	uint64_t	pa;		/* as programmed */
	uint64_t	len;
};

struct ddisim_dma {
	LIST_ENTRY(ddisim_dma) link;	/* dma_devs, under dma_devs_lock */
	struct ddisim_dma_config cfg;	/* constant */
	char		name[32];	/* constant */
	uint32_t	rmkey;		/* its board's key, or 0; constant */
	uint64_t	amask, cmask;	/* address and count register bits */
	uint64_t	wrap;		/* where the address counter wraps, 0 */
	unsigned	maxp;
	ddisim_ports_t	*ports;
	ddisim_mmio_t	*win;		/* cfg.mmio's window, or NULL */
	pthread_mutex_t	mtx;
	pthread_cond_t	cv;
	pthread_t	thr;
	bool		has_thr, stop;
	/* the backing store and, for a wire, what was sent and received */
	uint8_t		*store;
	uint64_t	sent;
	uint8_t		*rx;
	size_t		rxlen, rxoff, rxcap;
	/* registers */
	uint32_t	status;
	uint64_t	addr;
	uint32_t	len;
	uint64_t	blk;
	uint32_t	total;
	unsigned	slot;
	uint64_t	pair_pa;
	struct pair	*onchip;	/* [maxp] */
	/* the command */
	bool		queued;		/* async: latched, not yet run */
	bool		running;	/* async: being run, or its interrupt
					   being raised */
	bool		fragwait;	/* FRAGMENT: waiting for the next */
	bool		rd;		/* device to memory */
	const void	*caller;	/* who started it */
	uint64_t	pos;		/* next byte of the store */
	uint64_t	moved;
	uint64_t	want;		/* bytes of the command */
	uint64_t	budget;		/* fault injection: bytes until it */
	struct pair	lpair;		/* SINGLE, FRAGMENT: latched */
	uint32_t	llen;		/* ONCHIP, DESC: entries, latched */
	uint64_t	laddr;		/* DESC: list address, latched */
	/* fault injection */
	uint64_t	cmdno;		/* commands started */
	uint64_t	fail_at;	/* command number that fails, or 0 */
	uint32_t	fail_after;
	struct ddisim_dma_stats st;
};

static FORK_MUTEX(dma_devs_lock);

/* The driver code of the port access or DDI call that reached the device. */
static const void *
dma_caller(void)
{
	const void *c = pio_caller();

	return c != NULL ? c : iomem_caller();
}
static LIST_HEAD(, ddisim_dma) dma_devs = LIST_HEAD_INITIALIZER(dma_devs);

/* A handle is one of the live devices, as DDI handles are checked. */
static bool
dma_dev_valid(const struct ddisim_dma *d, const char *func,
    const void *caller)
{
	const struct ddisim_dma *x;

	if (d == NULL) {
		verify_report(func, caller, "NULL device");
		return false;
	}
	pthread_mutex_lock(&dma_devs_lock);
	LIST_FOREACH(x, &dma_devs, link)
		if (x == d)
			break;
	pthread_mutex_unlock(&dma_devs_lock);
	if (x == NULL)
		verify_report(func, caller, "%p is not a device from "
		    "ddisim_dma_create, or it was destroyed", (const void *)d);
	return x != NULL;
}

static inline size_t
pg(void)
{
	return machine->spec.page;
}

static void
dma_vfault(struct ddisim_dma *d, const void *caller, const char *fmt,
    va_list ap)
{
	char msg[256];

	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	d->st.faults++;
	verify_report(d->name, caller, "%s", msg);
}

/* A fault of the command in progress, against the driver that began it. */
static void __attribute__((format(printf, 2, 3)))
dma_fault(struct ddisim_dma *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	dma_vfault(d, d->caller, fmt, ap);
	va_end(ap);
}

/* A register access that is wrong in itself, against the code making it. */
static void __attribute__((format(printf, 2, 3)))
dma_misuse(struct ddisim_dma *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	dma_vfault(d, dma_caller(), fmt, ap);
	va_end(ap);
}

/* ---- moving bytes ---- */

/*
 * Move n bytes between RAM at pa, which does not cross a page, and
 * buf.  *hole and *free say, once each per pair, what was found there.
 */
static void
ram_move(struct ddisim_dma *d, uint64_t pa, uint8_t *buf, size_t n,
    bool to_ram, bool *hole, bool *unheld)
{
	unsigned found = bus_move(pa, buf, n, to_ram);

	if ((found & BUS_HOLE) && !*hole)
		dma_fault(d, "%s %#llx: no RAM there (a hole); %s", to_ram ?
		    "writes" : "reads", (unsigned long long)pa, to_ram ?
		    "the bytes are lost" : "it reads all ones");
	if ((found & BUS_UNHELD) && !*unheld)
		dma_fault(d, "%s %#llx: memory nobody holds (never "
		    "allocated, or freed)", to_ram ? "writes" : "reads",
		    (unsigned long long)pa);
	*hole |= (found & BUS_HOLE) != 0;
	*unheld |= (found & BUS_UNHELD) != 0;
}

/* What was reported of one pair already: each fault once. */
struct seen {
	bool		hole, unheld, wrapped;
	uint64_t	wrap_at;	/* the counter wrapped here, and no
					   byte has been moved since */
};

/*
 * Move len bytes at the engine address pa between RAM and buf, the way
 * the engine's address counter runs: it wraps at d->wrap.  Returns the
 * counter's next address.
 */
static uint64_t
engine_move(struct ddisim_dma *d, uint64_t pa, uint8_t *buf, uint64_t len,
    bool to_ram, struct seen *sn)
{
	while (len > 0) {
		uint64_t n = pg() - pa % pg();

		if (sn->wrap_at != 0 && !sn->wrapped) {
			dma_fault(d, "the transfer crosses %#llx, which the "
			    "engine's address counter cannot carry past: it "
			    "goes on at %#llx",
			    (unsigned long long)sn->wrap_at,
			    (unsigned long long)pa);
			sn->wrapped = true;
		}
		sn->wrap_at = 0;
		if (n > len)
			n = len;
		if (d->wrap != 0 && n > d->wrap - pa % d->wrap)
			n = d->wrap - pa % d->wrap;
		ram_move(d, pa, buf, (size_t)n, to_ram, &sn->hole,
		    &sn->unheld);
		buf += n;
		len -= n;
		pa += n;
		if (d->wrap != 0 && pa % d->wrap == 0) {
			sn->wrap_at = pa;
			pa -= d->wrap;
		}
	}
	return pa;
}

/* The address and length the engine makes of a programmed pair. */
static void
engine_pair(struct ddisim_dma *d, struct pair *p)
{
	if (p->len > d->cmask) {
		dma_fault(d, "length %#llx does not fit the engine's %u-bit "
		    "count: it moves %#llx bytes", (unsigned long long)p->len,
		    d->cfg.count_bits, (unsigned long long)(p->len & d->cmask));
		p->len &= d->cmask;
	}
	if (p->pa & ~d->amask) {
		dma_fault(d, "address %#llx is beyond the engine's %u-bit "
		    "reach: it uses %#llx", (unsigned long long)p->pa,
		    d->cfg.addr_bits, (unsigned long long)(p->pa & d->amask));
		p->pa &= d->amask;
	}
	if (d->cfg.align > 1 && p->pa % d->cfg.align != 0) {
		dma_fault(d, "address %#llx is not a multiple of %u, as the "
		    "engine needs: it uses %#llx", (unsigned long long)p->pa,
		    d->cfg.align,
		    (unsigned long long)(p->pa - p->pa % d->cfg.align));
		p->pa -= p->pa % d->cfg.align;
	}
}

/* Device to memory: up to n bytes of the store into buf; how many. */
static uint64_t
store_get(struct ddisim_dma *d, uint8_t *buf, uint64_t n)
{
	if (d->cfg.wire) {		/* what was received */
		if (n > d->rxlen - d->rxoff)
			n = d->rxlen - d->rxoff;
		if (n > 0)
			memcpy(buf, d->rx + d->rxoff, (size_t)n);
		d->rxoff += n;
		return n;
	}
	memcpy(buf, d->store + d->pos, (size_t)n);
	return n;
}

/* Memory to device: up to n bytes of buf into the store; how many. */
static uint64_t
store_put(struct ddisim_dma *d, const uint8_t *buf, uint64_t n)
{
	if (d->cfg.wire) {		/* sent, while the wire has room */
		if (n > d->cfg.capacity - d->sent)
			n = d->cfg.capacity - d->sent;
		memcpy(d->store + d->sent, buf, (size_t)n);
		d->sent += n;
		return n;
	}
	memcpy(d->store + d->pos, buf, (size_t)n);
	return n;
}

/*
 * One pair of the command: as many of its bytes as the command, the wire
 * and the injected fault allow.  False when the command must end here.
 */
static bool
do_pair(struct ddisim_dma *d, struct pair p)
{
	struct seen sn = { false, false, false, 0 };
	uint8_t tmp[4096];

	engine_pair(d, &p);
	d->st.pieces++;
	while (p.len > 0 && d->moved < d->want) {
		uint64_t n = p.len < sizeof(tmp) ? p.len : sizeof(tmp);
		uint64_t got, next;

		if (n > d->want - d->moved)
			n = d->want - d->moved;
		if (n > d->budget)
			n = d->budget;
		if (!d->rd && d->cfg.wire && n > d->cfg.capacity - d->sent)
			n = d->cfg.capacity - d->sent;	/* what fits */
		if (n == 0)
			return d->budget > 0 && !(d->cfg.wire && !d->rd &&
			    d->sent == d->cfg.capacity);
		if (d->rd) {
			got = store_get(d, tmp, n);
			next = engine_move(d, p.pa, tmp, got, true, &sn);
			d->st.to_memory += got;
		} else {
			next = engine_move(d, p.pa, tmp, n, false, &sn);
			got = store_put(d, tmp, n);
			d->st.from_memory += got;
		}
		d->pos += got;
		d->moved += got;
		d->budget -= got;
		p.pa = next;
		p.len -= got;
		if (got < n)
			return false;	/* the wire ran dry, or is full */
	}
	return d->budget > 0;
}

/* Read a DESC command's list from RAM into pairs; their count, or -1. */
static int
fetch_list(struct ddisim_dma *d, struct pair *pairs)
{
	size_t esz = d->cfg.desc64 ? 16 : 8;
	unsigned n = d->llen;
	struct pair lp = { d->laddr, 0 };
	struct seen sn = { false, false, false, 0 };
	uint8_t *raw;

	if (n > d->maxp) {
		dma_fault(d, "a list of %u descriptors; the engine takes %u",
		    n, d->maxp);
		n = d->maxp;
	}
	lp.len = (uint64_t)n * esz;
	if (lp.pa % 8 != 0) {
		dma_fault(d, "descriptor list at %#llx is not 8-byte "
		    "aligned: the engine uses %#llx",
		    (unsigned long long)lp.pa,
		    (unsigned long long)(lp.pa & ~UINT64_C(7)));
		lp.pa &= ~UINT64_C(7);
	}
	if (lp.pa & ~d->amask) {
		dma_fault(d, "descriptor list at %#llx is beyond the engine's "
		    "%u-bit reach: it uses %#llx", (unsigned long long)lp.pa,
		    d->cfg.addr_bits, (unsigned long long)(lp.pa & d->amask));
		lp.pa &= d->amask;
	}
	if ((raw = malloc(lp.len + 1)) == NULL)
		return -1;
	(void)engine_move(d, lp.pa, raw, lp.len, false, &sn);
	for (unsigned i = 0; i < n; i++) {
		const uint8_t *e = raw + i * esz;
		uint32_t w[4];

		memcpy(w, e, esz);
		if (d->cfg.desc64) {
			pairs[i].pa = (uint64_t)w[1] << 32 | w[0];
			pairs[i].len = w[2];
		} else {
			pairs[i].pa = w[0];
			pairs[i].len = w[1];
		}
	}
	free(raw);
	return (int)n;
}

/* The end of a command: its status and what it moved. */
static void
cmd_end(struct ddisim_dma *d, bool error)
{
	d->fragwait = false;
	d->status = (d->status & ~(uint32_t)(DDISIM_DMA_ST_BUSY |
	    DDISIM_DMA_ST_FRAG)) | DDISIM_DMA_ST_DONE |
	    (error ? DDISIM_DMA_ST_ERROR : 0);
	if (error)
		d->st.failed++;
}

static bool	cmd_check(struct ddisim_dma *);

/* Run the latched command, or its next fragment; under d->mtx. */
static void
cmd_run(struct ddisim_dma *d)
{
	struct pair *pairs = NULL;
	unsigned n = 0;
	int got;
	bool more = true;

	switch (d->cfg.model) {
	case DDISIM_DMA_SINGLE:
	case DDISIM_DMA_FRAGMENT:
		more = do_pair(d, d->lpair);
		break;
	case DDISIM_DMA_ONCHIP:
		n = d->llen;
		if (n > d->maxp) {
			dma_fault(d, "%u pairs; the engine holds %u", n,
			    d->maxp);
			n = d->maxp;
		}
		for (unsigned i = 0; i < n && more; i++)
			more = do_pair(d, d->onchip[i]);
		break;
	case DDISIM_DMA_DESC:
		if ((pairs = calloc(d->maxp, sizeof(*pairs))) == NULL) {
			cmd_end(d, true);
			return;
		}
		if ((got = fetch_list(d, pairs)) < 0) {
			free(pairs);
			cmd_end(d, true);	/* host memory short */
			return;
		}
		n = (unsigned)got;
		d->want = 0;
		for (unsigned i = 0; i < n; i++)
			d->want += pairs[i].len & d->cmask;
		if (!cmd_check(d)) {
			free(pairs);
			return;
		}
		for (unsigned i = 0; i < n && more; i++)
			more = do_pair(d, pairs[i]);
		free(pairs);
		break;
	}
	if (d->budget == 0 && d->moved < d->want) {
		cmd_end(d, true);		/* the injected fault */
		return;
	}
	if (d->cfg.model == DDISIM_DMA_FRAGMENT && more &&
	    d->moved < d->want) {
		d->fragwait = true;
		d->status |= DDISIM_DMA_ST_FRAG;
		return;
	}
	if (d->moved < d->want && !d->cfg.wire)
		dma_fault(d, "the command's pairs hold %llu bytes; it was "
		    "for %llu", (unsigned long long)d->moved,
		    (unsigned long long)d->want);
	cmd_end(d, false);
}

/*
 * Whether a disk can take the command: whole blocks, inside the medium.
 * If not it has ended, with an error.
 */
static bool
cmd_check(struct ddisim_dma *d)
{
	uint64_t sec = d->cfg.sector;

	if (d->cfg.wire)
		return true;
	if (d->want % sec != 0) {
		dma_fault(d, "a command for %llu bytes, not a whole number of "
		    "%llu-byte blocks: rejected", (unsigned long long)d->want,
		    (unsigned long long)sec);
		cmd_end(d, true);
		return false;
	}
	if (d->blk > d->cfg.capacity / sec ||
	    d->want > d->cfg.capacity - d->pos) {
		cmd_end(d, true);	/* past the end of the medium */
		return false;
	}
	return true;
}

enum latch {
	LATCH_STARTED,		/* latched, to be run */
	LATCH_ENDED,		/* refused: it ended with an error */
	LATCH_IGNORED		/* the device was busy */
};

/* Latch a GO command from the registers. */
static enum latch
cmd_latch(struct ddisim_dma *d, uint32_t go)
{
	uint64_t want = 0;

	if (d->status & DDISIM_DMA_ST_BUSY) {
		dma_misuse(d, "a command started while one is running: "
		    "ignored");
		return LATCH_IGNORED;
	}
	d->caller = dma_caller();
	d->rd = go == DDISIM_DMA_GO_READ;
	d->moved = 0;
	d->status = DDISIM_DMA_ST_BUSY;
	d->st.commands++;
	d->budget = UINT64_MAX;
	if (++d->cmdno == d->fail_at) {
		d->budget = d->fail_after;
		d->fail_at = 0;
	}
	switch (d->cfg.model) {
	case DDISIM_DMA_SINGLE:
		d->lpair = (struct pair){ d->addr, d->len };
		want = d->len & d->cmask;
		break;
	case DDISIM_DMA_FRAGMENT:
		d->lpair = (struct pair){ d->addr, d->len };
		want = d->total;
		break;
	case DDISIM_DMA_ONCHIP:
		d->llen = d->len;
		for (unsigned i = 0; i < d->llen && i < d->maxp; i++)
			want += d->onchip[i].len & d->cmask;
		break;
	case DDISIM_DMA_DESC:
		d->llen = d->len;
		d->laddr = d->addr;	/* want: what the list holds */
		break;
	}
	d->want = want;
	d->pos = d->cfg.wire ? 0 : d->blk <= d->cfg.capacity / d->cfg.sector ?
	    d->blk * d->cfg.sector : d->cfg.capacity;
	return d->cfg.model == DDISIM_DMA_DESC || cmd_check(d) ?
	    LATCH_STARTED : LATCH_ENDED;
}

/* ---- the device's thread, for async ---- */

static void
raise_irq(struct ddisim_dma *d)
{
	if (d->cfg.irq >= 0)
		(void)ddisim_intr_raise(d->cfg.irq);
}

static void *
dma_thread(void *arg)
{
	struct ddisim_dma *d = arg;

	pthread_mutex_lock(&d->mtx);
	for (;;) {
		while (!d->queued && !d->stop)
			pthread_cond_wait(&d->cv, &d->mtx);
		if (d->stop)
			break;
		d->queued = false;
		d->running = true;
		cmd_run(d);
		pthread_mutex_unlock(&d->mtx);
		raise_irq(d);
		pthread_mutex_lock(&d->mtx);
		d->running = false;
		pthread_cond_broadcast(&d->cv);
	}
	pthread_mutex_unlock(&d->mtx);
	return NULL;
}

/* ---- the ports ---- */

static uint32_t
dma_in(void *arg, int port, int width)
{
	struct ddisim_dma *d = arg;
	uint32_t v = UINT32_MAX;
	int off = port - d->cfg.port;

	(void)width;
	pthread_mutex_lock(&d->mtx);
	switch (off) {
	case DDISIM_DMA_STATUS:
		v = d->status;
		break;
	case DDISIM_DMA_ADDR_LO:
		v = (uint32_t)d->addr;
		break;
	case DDISIM_DMA_ADDR_HI:
		v = (uint32_t)(d->addr >> 32);
		break;
	case DDISIM_DMA_LEN:
		v = d->len;
		break;
	case DDISIM_DMA_BLK_LO:
		v = (uint32_t)d->blk;
		break;
	case DDISIM_DMA_BLK_HI:
		v = (uint32_t)(d->blk >> 32);
		break;
	case DDISIM_DMA_TOTAL:
		v = d->total;
		break;
	case DDISIM_DMA_DONE:
		v = (d->status & DDISIM_DMA_ST_BUSY) && !d->fragwait ?
		    0 : (uint32_t)d->moved;
		break;
	case DDISIM_DMA_SLOT:
		v = d->slot;
		break;
	default:
		break;			/* write-only, or no register */
	}
	pthread_mutex_unlock(&d->mtx);
	return v;
}

/* A GO command; true when an interrupt is due now. */
static bool
dma_go(struct ddisim_dma *d, uint32_t v)
{
	switch (v) {
	case DDISIM_DMA_GO_READ:
	case DDISIM_DMA_GO_WRITE:
		switch (cmd_latch(d, v)) {
		case LATCH_IGNORED:
			return false;
		case LATCH_ENDED:
			return true;	/* its end interrupts, as any end */
		case LATCH_STARTED:
			break;
		}
		break;
	case DDISIM_DMA_GO_NEXT:
		if (d->cfg.model != DDISIM_DMA_FRAGMENT || !d->fragwait) {
			dma_misuse(d, "GO_NEXT without a fragment asked for: "
			    "ignored");
			return false;
		}
		d->caller = dma_caller();
		d->fragwait = false;
		d->status &= ~(uint32_t)DDISIM_DMA_ST_FRAG;
		d->lpair = (struct pair){ d->addr, d->len };
		break;
	case DDISIM_DMA_GO_ABORT:
		if (d->status & DDISIM_DMA_ST_BUSY) {
			d->queued = false;
			cmd_end(d, true);
		}
		return false;
	default:
		dma_misuse(d, "command %#x is not one the device knows", v);
		return false;
	}
	if (d->cfg.async) {
		d->queued = true;
		pthread_cond_broadcast(&d->cv);
		return false;
	}
	cmd_run(d);
	return true;
}

static void
dma_out(void *arg, int port, int width, uint32_t v)
{
	struct ddisim_dma *d = arg;
	int off = port - d->cfg.port;
	bool irq = false;

	(void)width;
	pthread_mutex_lock(&d->mtx);
	switch (off) {
	case DDISIM_DMA_CMD:
		irq = dma_go(d, v);
		break;
	case DDISIM_DMA_STATUS:
		d->status &= ~(v & (uint32_t)(DDISIM_DMA_ST_DONE |
		    DDISIM_DMA_ST_ERROR));
		break;
	case DDISIM_DMA_ADDR_LO:
		d->addr = (d->addr & ~(uint64_t)UINT32_MAX) | v;
		break;
	case DDISIM_DMA_ADDR_HI:
		d->addr = (d->addr & UINT32_MAX) | (uint64_t)v << 32;
		break;
	case DDISIM_DMA_LEN:
		d->len = v;
		break;
	case DDISIM_DMA_BLK_LO:
		d->blk = (d->blk & ~(uint64_t)UINT32_MAX) | v;
		break;
	case DDISIM_DMA_BLK_HI:
		d->blk = (d->blk & UINT32_MAX) | (uint64_t)v << 32;
		break;
	case DDISIM_DMA_TOTAL:
		d->total = v;
		break;
	case DDISIM_DMA_SLOT:
		d->slot = v;
		break;
	case DDISIM_DMA_PAIR_LO:
		d->pair_pa = (d->pair_pa & ~(uint64_t)UINT32_MAX) | v;
		break;
	case DDISIM_DMA_PAIR_HI:
		d->pair_pa = (d->pair_pa & UINT32_MAX) | (uint64_t)v << 32;
		break;
	case DDISIM_DMA_PAIR_LEN:
		if (d->cfg.model != DDISIM_DMA_ONCHIP || d->slot >= d->maxp) {
			dma_misuse(d, "pair %u written; the engine holds %u: "
			    "dropped", d->slot, d->cfg.model ==
			    DDISIM_DMA_ONCHIP ? d->maxp : 0);
			break;
		}
		d->onchip[d->slot].pa = d->pair_pa;
		d->onchip[d->slot++].len = v;
		break;
	default:
		dma_misuse(d, "write of %#x to offset %#x, where the device "
		    "has no register", v, (unsigned)off);
		break;
	}
	pthread_mutex_unlock(&d->mtx);
	if (irq)
		raise_irq(d);
}

static const struct ddisim_port_ops dma_ops = { dma_in, dma_out };

/*
 * The same registers in memory.  A doorbell hands the model the stores in
 * this order: the command last, after what it reads; the command reads 0
 * so that every one written is seen.
 */
static uint32_t
dma_mmio_in(void *arg, uint32_t off)
{
	struct ddisim_dma *d = arg;

	return dma_in(d, d->cfg.port + (int)off, 4);
}

static uint32_t
dma_mmio_zero(void *arg, uint32_t off)
{
	(void)arg;
	(void)off;
	return 0;
}

static void
dma_mmio_out(void *arg, uint32_t off, uint32_t v)
{
	struct ddisim_dma *d = arg;

	dma_out(d, d->cfg.port + (int)off, 4, v);
}

#define DMA_REG(o, n, r, w)	{ (o), 4, (n), (r), (w) }
static const struct ddisim_mmio_reg dma_regs[] = {
	DMA_REG(DDISIM_DMA_STATUS, "STATUS", dma_mmio_in, dma_mmio_out),
	DMA_REG(DDISIM_DMA_ADDR_LO, "ADDR_LO", dma_mmio_in, dma_mmio_out),
	DMA_REG(DDISIM_DMA_ADDR_HI, "ADDR_HI", dma_mmio_in, dma_mmio_out),
	DMA_REG(DDISIM_DMA_LEN, "LEN", dma_mmio_in, dma_mmio_out),
	DMA_REG(DDISIM_DMA_BLK_LO, "BLK_LO", dma_mmio_in, dma_mmio_out),
	DMA_REG(DDISIM_DMA_BLK_HI, "BLK_HI", dma_mmio_in, dma_mmio_out),
	DMA_REG(DDISIM_DMA_TOTAL, "TOTAL", dma_mmio_in, dma_mmio_out),
	DMA_REG(DDISIM_DMA_DONE, "DONE", dma_mmio_in, NULL),
	DMA_REG(DDISIM_DMA_SLOT, "SLOT", dma_mmio_in, dma_mmio_out),
	DMA_REG(DDISIM_DMA_PAIR_LO, "PAIR_LO", NULL, dma_mmio_out),
	DMA_REG(DDISIM_DMA_PAIR_HI, "PAIR_HI", NULL, dma_mmio_out),
	DMA_REG(DDISIM_DMA_PAIR_LEN, "PAIR_LEN", dma_mmio_zero, dma_mmio_out),
	DMA_REG(DDISIM_DMA_CMD, "CMD", dma_mmio_zero, dma_mmio_out),
};

/* ---- the API ---- */

static bool
config_ok(const struct ddisim_dma_config *c, const void *caller)
{
	const char *why = NULL;

	if (c == NULL)
		why = "NULL configuration";
	else if (c->model < DDISIM_DMA_SINGLE || c->model > DDISIM_DMA_DESC)
		why = "model is not a DDISIM_DMA_ model";
	else if (c->addr_bits < 16 || c->addr_bits > 64)
		why = "addr_bits is outside 16..64";
	else if (c->count_bits != 0 && (c->count_bits < 8 ||
	    c->count_bits > 32))
		why = "count_bits is outside 8..32";
	else if (c->boundary != 0 && ((c->boundary & (c->boundary - 1)) != 0 ||
	    c->boundary < 16))
		why = "boundary is not a power of 2 of at least 16";
	else if (c->sector > (1u << 20))
		why = "sector is above 1 MiB";
	else if (c->align != 0 && (c->align & (c->align - 1)) != 0)
		why = "align is not a power of 2";
	else if (c->max_pairs > DMA_LIMIT)
		why = "max_pairs is above 4096";
	else if (c->capacity == 0 || c->capacity > (UINT64_C(1) << 40))
		why = "capacity is 0 or above 1 TiB";
	else if (c->port < 0 || c->port > 65536 - DDISIM_DMA_NPORTS)
		why = "the ports do not fit the I/O space";
	else if (c->irq >= DDISIM_NIRQ)
		why = "irq is not a line of the interrupt controller";
	else if (c->mmio != 0 && (c->mmio >= (UINT64_C(1) << 32) -
	    machine->spec.page))
		why = "mmio is not below 4 GiB";
	if (why != NULL)
		verify_report("ddisim_dma_create", caller, "%s", why);
	return why == NULL;
}

/*
 * The device as a board of the resource manager, which is how a driver
 * finds it (ddisim_rm(3)): its name, its ports, its interrupt; an ISA
 * board if its engine reaches no more than 24 address bits, else PCI.
 */
static uint32_t
dma_board(const struct ddisim_dma *d, const void *caller)
{
	struct ddisim_board b = {
		.modname = d->name,
		.bus = d->cfg.addr_bits <= 24 ? 0x01 /* CM_BUS_ISA */ :
		    0x04 /* CM_BUS_PCI */,
		.set = DDISIM_BRD_IOADDR,
		.io_start = (uint32_t)d->cfg.port,
		.io_end = (uint32_t)d->cfg.port + DDISIM_DMA_NPORTS - 1,
	};

	if (d->cfg.mmio != 0) {
		b.set |= DDISIM_BRD_MEMADDR;
		b.mem_start = (uint32_t)d->cfg.mmio;
		b.mem_end = (uint32_t)(d->cfg.mmio + machine->spec.page - 1);
	}
	if (d->cfg.irq >= 0) {
		b.set |= DDISIM_BRD_IRQ;
		b.irq = (unsigned)d->cfg.irq;
	}
	return rm_board_add(&b, "ddisim_dma_create", caller);
}

DDI_ENTRY(unsigned, ddisim_dma_key, (ddisim_dma_t *d), (d))
{
	if (!dma_dev_valid(d, DDI_FUNC, DDI_CALLER))
		return 0;
	return d->rmkey;
}

DDI_ENTRY(ddisim_dma_t *, ddisim_dma_create,
    (const struct ddisim_dma_config *c), (c))
{
	const void *caller = DDI_CALLER;
	struct ddisim_dma *d;

	if (!config_ok(c, caller))
		return NULL;
	if ((d = calloc(1, sizeof(*d))) == NULL)
		return NULL;
	d->cfg = *c;
	if (d->cfg.count_bits == 0)
		d->cfg.count_bits = 32;
	if (d->cfg.sector == 0)
		d->cfg.sector = 512;
	(void)snprintf(d->name, sizeof(d->name), "%s", c->name != NULL ?
	    c->name : "dma");
	d->cfg.name = d->name;
	d->amask = c->addr_bits == 64 ? UINT64_MAX :
	    (UINT64_C(1) << c->addr_bits) - 1;
	d->cmask = (UINT64_C(1) << d->cfg.count_bits) - 1;
	/* the counter wraps at its boundary, or at the top of its reach */
	d->wrap = c->addr_bits < 64 ? UINT64_C(1) << c->addr_bits : 0;
	if (c->boundary != 0 && (d->wrap == 0 || c->boundary < d->wrap))
		d->wrap = c->boundary;
	d->maxp = c->max_pairs != 0 ? c->max_pairs : DMA_MAXPAIRS;
	d->store = calloc(1, (size_t)c->capacity);
	d->onchip = calloc(d->maxp, sizeof(*d->onchip));
	pthread_mutex_init(&d->mtx, NULL);
	pthread_cond_init(&d->cv, NULL);
	if (d->store == NULL || d->onchip == NULL)
		goto fail;
	if (c->async) {
		if (pthread_create(&d->thr, NULL, dma_thread, d) != 0)
			goto fail;
		d->has_thr = true;
	}
	if ((d->ports = ddisim_port_claim(c->port, DDISIM_DMA_NPORTS,
	    &dma_ops, d, d->name)) == NULL)
		goto fail;
	if (c->mmio != 0) {
		struct ddisim_mmio_ops mo = { dma_regs,
		    sizeof(dma_regs) / sizeof(dma_regs[0]), 0, d->name };

		if ((d->win = ddisim_mmio_create(c->mmio, machine->spec.page,
		    &mo, d)) == NULL) {
			ddisim_port_release(d->ports);
			goto fail;
		}
	}
	d->rmkey = dma_board(d, caller);
	pthread_mutex_lock(&dma_devs_lock);
	LIST_INSERT_HEAD(&dma_devs, d, link);
	pthread_mutex_unlock(&dma_devs_lock);
	return d;
fail:
	if (d->has_thr) {
		pthread_mutex_lock(&d->mtx);
		d->stop = true;
		pthread_cond_broadcast(&d->cv);
		pthread_mutex_unlock(&d->mtx);
		pthread_join(d->thr, NULL);
	}
	pthread_cond_destroy(&d->cv);
	pthread_mutex_destroy(&d->mtx);
	free(d->onchip);
	free(d->store);
	free(d);
	return NULL;
}

/* Stop d's thread, give up its ports and its board, free it. */
static void
dma_teardown(struct ddisim_dma *d)
{
	if (d->rmkey != 0)
		(void)rm_board_remove(d->rmkey);
	if (d->win != NULL)
		iomem_window_release(d->win);
	if (d->has_thr) {
		pthread_mutex_lock(&d->mtx);
		while (d->queued || d->running)
			pthread_cond_wait(&d->cv, &d->mtx);
		d->stop = true;
		pthread_cond_broadcast(&d->cv);
		pthread_mutex_unlock(&d->mtx);
		pthread_join(d->thr, NULL);
	}
	ddisim_port_release(d->ports);
	pthread_cond_destroy(&d->cv);
	pthread_mutex_destroy(&d->mtx);
	free(d->onchip);
	free(d->store);
	free(d->rx);
	free(d);
}

DDI_ENTRY_VOID(ddisim_dma_destroy, (ddisim_dma_t *d), (d))
{
	if (d == NULL)
		return;
	if (!dma_dev_valid(d, DDI_FUNC, DDI_CALLER))
		return;
	pthread_mutex_lock(&dma_devs_lock);
	LIST_REMOVE(d, link);
	pthread_mutex_unlock(&dma_devs_lock);
	dma_teardown(d);
}

/* Devices die with their machine, before its ports do. */
void
devsim_fini(void)
{
	struct ddisim_dma *d;

	pthread_mutex_lock(&dma_devs_lock);
	while ((d = LIST_FIRST(&dma_devs)) != NULL) {
		LIST_REMOVE(d, link);
		pthread_mutex_unlock(&dma_devs_lock);
		dma_teardown(d);
		pthread_mutex_lock(&dma_devs_lock);
	}
	pthread_mutex_unlock(&dma_devs_lock);
}

DDI_ENTRY(uint8_t *, ddisim_dma_store, (ddisim_dma_t *d, uint64_t *size),
    (d, size))
{
	if (!dma_dev_valid(d, DDI_FUNC, DDI_CALLER))
		return NULL;
	if (size != NULL)
		*size = d->cfg.capacity;
	return d->store;
}

DDI_ENTRY(uint64_t, ddisim_dma_wire_sent, (ddisim_dma_t *d), (d))
{
	uint64_t n;

	if (!dma_dev_valid(d, DDI_FUNC, DDI_CALLER))
		return 0;
	pthread_mutex_lock(&d->mtx);
	n = d->sent;
	pthread_mutex_unlock(&d->mtx);
	return n;
}

DDI_ENTRY(int, ddisim_dma_wire_feed, (ddisim_dma_t *d, const void *data,
    size_t len), (d, data, len))
{
	int e = 0;

	if (!dma_dev_valid(d, DDI_FUNC, DDI_CALLER))
		return EINVAL;
	if (!d->cfg.wire || (data == NULL && len > 0)) {
		verify_report(DDI_FUNC, DDI_CALLER, "%s", !d->cfg.wire ?
		    "the device is not a wire" : "NULL data");
		return EINVAL;
	}
	pthread_mutex_lock(&d->mtx);
	/* consumed bytes are dropped first */
	if (d->rxoff > 0)
		memmove(d->rx, d->rx + d->rxoff, d->rxlen - d->rxoff);
	d->rxlen -= d->rxoff;
	d->rxoff = 0;
	if (d->rxlen + len > d->rxcap) {
		size_t cap = d->rxcap ? d->rxcap : 4096;
		uint8_t *n;

		while (cap < d->rxlen + len)
			cap *= 2;
		if ((n = realloc(d->rx, cap)) == NULL)
			e = ENOMEM;
		else {
			d->rx = n;
			d->rxcap = cap;
		}
	}
	if (e == 0 && len > 0) {
		memcpy(d->rx + d->rxlen, data, len);
		d->rxlen += len;
	}
	pthread_mutex_unlock(&d->mtx);
	return e;
}

DDI_ENTRY(int, ddisim_dma_fail, (ddisim_dma_t *d, unsigned nth, uint32_t after),
    (d, nth, after))
{
	if (!dma_dev_valid(d, DDI_FUNC, DDI_CALLER))
		return EINVAL;
	pthread_mutex_lock(&d->mtx);
	d->fail_at = d->cmdno + 1 + nth;
	d->fail_after = after;
	pthread_mutex_unlock(&d->mtx);
	return 0;
}

DDI_ENTRY_VOID(ddisim_dma_idle, (ddisim_dma_t *d), (d))
{
	struct vwait w;

	if (!dma_dev_valid(d, DDI_FUNC, DDI_CALLER))
		return;
	vwait_start(&w, VWAIT_KEEP, DDI_FUNC, DDI_CALLER);
	pthread_mutex_lock(&d->mtx);
	while (d->queued || d->running)
		(void)vwait_cond(&w, &d->cv, &d->mtx, "%s: the device is still "
		    "busy", d->name);
	pthread_mutex_unlock(&d->mtx);
}

DDI_ENTRY_VOID(ddisim_dma_stats, (ddisim_dma_t *d, struct ddisim_dma_stats *st),
    (d, st))
{
	if (!dma_dev_valid(d, DDI_FUNC, DDI_CALLER))
		return;
	if (st == NULL) {
		verify_report(DDI_FUNC, DDI_CALLER, "NULL stats");
		return;
	}
	pthread_mutex_lock(&d->mtx);
	*st = d->st;
	pthread_mutex_unlock(&d->mtx);
}
