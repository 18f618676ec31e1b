/*
 * i8237.c - the PC's system DMA controller: two 8237A chips, the second
 * (channels 4-7, 16 bits wide) the master, its channel 0 (channel 4)
 * taking the first chip's (channels 0-3) requests in cascade; and the
 * page registers that give the chips' 16-bit addresses their high bits.
 *
 * The model answers on the ports of the AT: chip 1 on 0x00-0x0f, chip 2
 * on the even ports of 0xc0-0xde, the page registers on 0x80-0x8f.  It
 * keeps the chip's state and its quirks:
 *
 *  - address and count registers are 16 bits, written and read a byte at
 *    a time through the byte-pointer flip-flop; a write loads the base
 *    and the current register both;
 *  - the count register holds transfers minus one: terminal count comes
 *    when a transfer takes it from 0 to 0xffff;
 *  - the address counter increments or decrements in 16 bits and never
 *    carries into the page register: a transfer runs on at the other
 *    end of its 64 KiB page (128 KiB for the 16-bit channels, which
 *    address words and take page bits 1-7 only);
 *  - at terminal count a channel with auto-initialise reloads its
 *    current registers from its base registers and stays unmasked; any
 *    other masks itself;
 *  - a masked channel, or a disabled chip, ignores DREQ.
 *
 * Transfers run when a device asserts DREQ (ddisim_isadev_dreq) or when
 * software sets a channel's request bit.  A transfer that would wrap
 * inside its page, or touches a hole or memory nobody holds, is reported
 * against the code that last programmed the channel's address, and then
 * done as the chip does it.
 *
 * Locking: i8237_lock guards both chips, the page registers and the
 * devices' buffers.  No interrupt is raised while it is held; the
 * audit's reports are made under it, and never call back into the model.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/forklock.h"
#include "ddicompat/ddisim.h"
#include "ddicompat/isadma.h"
#include "bus/bus.h"
#include "isadma/isadma.h"
#include "kern/kern.h"
#include "machine/entry.h"
#include "machine/machine.h"
#include "rm/rm.h"
#include "verify/verify.h"

/* Mode register bits (bits 0-1 select the channel). */
#define M_XFER		0x0c	/* 00 verify, 01 write, 10 read */
#define M_VERIFY	0x00
#define M_WRITE		0x04	/* device to memory */
#define M_READ		0x08	/* memory to device */
#define M_AUTO		0x10
#define M_DEC		0x20
#define M_MODE		0xc0
#define M_DEMAND	0x00
#define M_SINGLE	0x40
#define M_BLOCK		0x80
#define M_CASCADE	0xc0

#define CMD_DISABLE	0x04	/* command register: the chip is off */

struct chan {
	uint16_t	base_addr, cur_addr;
	uint16_t	base_count, cur_count;
	uint8_t		mode;		/* bits 2-7 */
	bool		masked;
	bool		request;	/* software request */
	bool		finished;	/* reached terminal count since its
					   address or count was written */
	const void	*prog_caller;	/* who wrote the address last */
	uint64_t	transfers;
	struct ddisim_isadev *dev;	/* the device on the channel */
};

struct chip {
	struct chan	ch[4];
	bool		ff;		/* true: the high byte is next */
	uint8_t		command;
	uint8_t		status_tc;	/* bits 0-3 */
	uint8_t		temp;
};

struct ddisim_isadev {
	int		chan;
	int		irq;
	uint8_t		*buf;
	size_t		size;
	bool		tc;
	char		name[32];
	uint32_t	rmkey;		/* its board's key, or 0 */
};

static FORK_MUTEX(i8237_lock);
static struct chip chips[2];
static uint8_t pagereg[16];		/* ports 0x80-0x8f */
static ddisim_ports_t *ports_lo, *ports_page, *ports_hi;
static uint64_t attached_gen;		/* machine generation, 0: none */

/* The page register port of each channel (4: the refresh page). */
static const uint8_t page_port[8] = {
	0x87, 0x83, 0x81, 0x82, 0x8f, 0x8b, 0x89, 0x8a
};

static inline struct chan *
chan_of(int chan)
{
	return &chips[chan >> 2].ch[chan & 3];
}

static inline uint8_t
chan_page(int chan)
{
	return pagereg[page_port[chan] - 0x80];
}

static void
chip_reset(struct chip *c)
{
	for (int i = 0; i < 4; i++) {
		c->ch[i].masked = true;
		c->ch[i].request = false;
	}
	c->ff = false;
	c->command = 0;
	c->status_tc = 0;
	c->temp = 0;
}

/* ---- transfers ---- */

/* The byte address of a channel's current transfer. */
static uint64_t
xfer_addr(int chan, const struct chan *ch)
{
	if (chan < 4)
		return (uint64_t)chan_page(chan) << 16 | ch->cur_addr;
	return (uint64_t)(chan_page(chan) & 0xfe) << 16 |
	    (uint64_t)ch->cur_addr << 1;
}

/*
 * Whether chan answers a request now: a device's DREQ, which its mask
 * gates, or a software request (soft), which no mask bit holds back.
 */
static bool
chan_live(int chan, bool soft)
{
	const struct chip *c = &chips[chan >> 2];
	const struct chan *ch = chan_of(chan);

	if ((c->command & CMD_DISABLE) || (ch->masked && !soft))
		return false;
	/* chip 1's requests reach the bus only through channel 4 */
	if (chan < 4 && (chips[1].ch[0].masked ||
	    (chips[1].command & CMD_DISABLE) ||
	    (chips[1].ch[0].mode & M_MODE) != M_CASCADE))
		return false;
	return (ch->mode & M_MODE) != M_CASCADE;
}

/*
 * Up to n transfers on chan, the device's side at dbuf (NULL: nothing
 * there, the floating bus), under i8237_lock.  Stops at terminal count
 * (*tc set) or when the channel stops answering.  The transfers made.
 */
static size_t
run_locked(int chan, uint8_t *dbuf, size_t dlen, size_t n, bool *tc,
    bool whole, bool soft)
{
	struct chan *ch = chan_of(chan);
	size_t unit = chan < 4 ? 1 : 2, done = 0;
	bool wrap_told = false, hole = false, unheld = false;
	uint64_t cpfn = UINT64_MAX;	/* the page probed last */
	unsigned cfound = 0;
	uint8_t bus[2];

	*tc = false;
	while ((whole || done < n) && chan_live(chan, soft)) {
		uint64_t pa = xfer_addr(chan, ch);
		uint8_t *side = dbuf != NULL && (done + 1) * unit <= dlen ?
		    dbuf + done * unit : bus;
		unsigned found = 0;
		uint16_t next;

		if ((ch->mode & M_XFER) == M_WRITE ||
		    (ch->mode & M_XFER) == M_READ) {
			/* a page is probed once per run of transfers in it */
			if (pa >> machine->pshift != cpfn) {
				cpfn = pa >> machine->pshift;
				cfound = bus_probe(cpfn);
			}
			found = cfound;
			if ((ch->mode & M_XFER) == M_WRITE && side == bus)
				memset(bus, 0xff, sizeof(bus));
			bus_copy(pa, side, unit,
			    (ch->mode & M_XFER) == M_WRITE, found);
		}		/* else verify, and the illegal 11 */
		if ((found & BUS_HOLE) && !hole)
			verify_report("i8237", ch->prog_caller, "channel %d: "
			    "%s %#llx: no RAM there (a hole)", chan,
			    (ch->mode & M_XFER) == M_WRITE ? "writes" : "reads",
			    (unsigned long long)pa);
		if ((found & BUS_UNHELD) && !unheld)
			verify_report("i8237", ch->prog_caller, "channel %d: "
			    "%s %#llx: memory nobody holds (never allocated, "
			    "or freed)", chan, (ch->mode & M_XFER) == M_WRITE ?
			    "writes" : "reads", (unsigned long long)pa);
		hole |= (found & BUS_HOLE) != 0;
		unheld |= (found & BUS_UNHELD) != 0;
		done++;
		ch->transfers++;
		next = (uint16_t)(ch->cur_addr + ((ch->mode & M_DEC) ? -1 : 1));
		if (!wrap_told && ((ch->mode & M_DEC) ? next == 0xffff :
		    next == 0) && ch->cur_count != 0) {
			wrap_told = true;
			verify_report("i8237", ch->prog_caller, "channel %d: "
			    "the transfer wraps inside its %u KiB page at "
			    "%#llx: the page register does not carry", chan,
			    chan < 4 ? 64 : 128, (unsigned long long)pa);
		}
		ch->cur_addr = next;
		if (ch->cur_count-- == 0) {
			*tc = true;
			ch->finished = true;
			chips[chan >> 2].status_tc |= (uint8_t)(1u << (chan & 3));
			ch->request = false;
			if (ch->mode & M_AUTO) {
				ch->cur_addr = ch->base_addr;
				ch->cur_count = ch->base_count;
			} else {
				ch->masked = true;
			}
			break;
		}
		/* block mode runs to terminal count once requested */
		if ((ch->mode & M_MODE) == M_BLOCK)
			whole = true;
	}
	return done;
}

/* A software request or an unmask may start a transfer; under the lock. */
static void
kick_locked(int chan)
{
	struct chan *ch = chan_of(chan);
	bool tc;

	if (!ch->request || !chan_live(chan, true))
		return;
	(void)run_locked(chan, ch->dev != NULL ? ch->dev->buf : NULL,
	    ch->dev != NULL ? ch->dev->size : 0, 0, &tc, true, true);
}

/* ---- the ports ---- */

/* The chip register a port names, or -1. */
static int
decode(int port, int *chipno)
{
	if (port >= 0x00 && port <= 0x0f) {
		*chipno = 0;
		return port;
	}
	if (port >= 0xc0 && port <= 0xdf && (port & 1) == 0) {
		*chipno = 1;
		return (port - 0xc0) >> 1;
	}
	return -1;
}

static uint32_t
chip_in(void *arg, int port, int width)
{
	int n, reg = decode(port, &n);
	uint32_t v = 0xff;
	struct chip *c;

	(void)arg;
	(void)width;
	if (reg < 0)
		return 0xff;		/* the odd ports of chip 2 */
	c = &chips[n];
	pthread_mutex_lock(&i8237_lock);
	if (reg < 8) {
		struct chan *ch = &c->ch[reg >> 1];
		uint16_t r = (reg & 1) ? ch->cur_count : ch->cur_addr;

		v = c->ff ? r >> 8 : r & 0xff;
		c->ff = !c->ff;
	} else if (reg == 8) {		/* status: reading clears TC */
		v = c->status_tc;
		/* a device's DREQ lasts only while it transfers */
		for (int i = 0; i < 4; i++)
			if (c->ch[i].request)
				v |= 0x10u << i;
		c->status_tc = 0;
	} else if (reg == 13) {
		v = c->temp;
	} else if (reg == 15) {		/* the mask bits, on later chips */
		v = 0xf0;
		for (int i = 0; i < 4; i++)
			v |= c->ch[i].masked ? 1u << i : 0;
	}
	pthread_mutex_unlock(&i8237_lock);
	return v;
}

static void
chip_out(void *arg, int port, int width, uint32_t v)
{
	int n, reg = decode(port, &n);
	uint8_t b = (uint8_t)v;
	struct chip *c;

	(void)arg;
	(void)width;
	if (reg < 0)
		return;
	c = &chips[n];
	pthread_mutex_lock(&i8237_lock);
	if (reg < 8) {
		struct chan *ch = &c->ch[reg >> 1];
		uint16_t *base = (reg & 1) ? &ch->base_count : &ch->base_addr;
		uint16_t *cur = (reg & 1) ? &ch->cur_count : &ch->cur_addr;

		*base = c->ff ? (uint16_t)((*base & 0xff) | b << 8) :
		    (uint16_t)((*base & 0xff00) | b);
		*cur = *base;
		ch->finished = false;
		c->ff = !c->ff;
		if (!(reg & 1))
			ch->prog_caller = pio_caller();
	} else {
		struct chan *ch = &c->ch[b & 3];

		switch (reg) {
		case 8:			/* command */
			c->command = b;
			break;
		case 9:			/* request */
			ch->request = (b & 4) != 0;
			break;
		case 10:		/* single mask */
			ch->masked = (b & 4) != 0;
			break;
		case 11:		/* mode */
			ch->mode = b & 0xfc;
			break;
		case 12:		/* clear the flip-flop */
			c->ff = false;
			break;
		case 13:		/* master clear */
			chip_reset(c);
			break;
		case 14:		/* clear all masks */
			for (int i = 0; i < 4; i++)
				c->ch[i].masked = false;
			break;
		case 15:		/* write all masks */
			for (int i = 0; i < 4; i++)
				c->ch[i].masked = (b >> i) & 1;
			break;
		}
	}
	/* any write may let a pending software request through */
	for (int i = 0; i < 8; i++)
		kick_locked(i);
	pthread_mutex_unlock(&i8237_lock);
}

static uint32_t
page_in(void *arg, int port, int width)
{
	uint32_t v;

	(void)arg;
	(void)width;
	pthread_mutex_lock(&i8237_lock);
	v = pagereg[port - 0x80];
	pthread_mutex_unlock(&i8237_lock);
	return v;
}

static void
page_out(void *arg, int port, int width, uint32_t v)
{
	(void)arg;
	(void)width;
	pthread_mutex_lock(&i8237_lock);
	pagereg[port - 0x80] = (uint8_t)v;
	pthread_mutex_unlock(&i8237_lock);
}

static const struct ddisim_port_ops chip_ops = { chip_in, chip_out };
static const struct ddisim_port_ops page_ops = { page_in, page_out };

/* ---- the rest of the library's side ---- */

static FORK_MUTEX(attach_lock);

int
i8237_attach(void)
{
	int e = 0;

	pthread_mutex_lock(&attach_lock);
	if (attached_gen != machine->generation) {
		pthread_mutex_lock(&i8237_lock);
		memset(chips, 0, sizeof(chips));
		memset(pagereg, 0, sizeof(pagereg));
		chip_reset(&chips[0]);
		chip_reset(&chips[1]);
		/* as the BIOS leaves it: channel 4 cascades chip 1 */
		chips[1].ch[0].mode = M_CASCADE;
		chips[1].ch[0].masked = false;
		pthread_mutex_unlock(&i8237_lock);
		ports_lo = ddisim_port_claim(0x00, 16, &chip_ops, NULL,
		    "i8237 1");
		ports_page = ddisim_port_claim(0x80, 16, &page_ops, NULL,
		    "dma page");
		ports_hi = ddisim_port_claim(0xc0, 32, &chip_ops, NULL,
		    "i8237 2");
		if (ports_lo == NULL || ports_page == NULL ||
		    ports_hi == NULL) {
			if (ports_lo != NULL)
				ddisim_port_release(ports_lo);
			if (ports_page != NULL)
				ddisim_port_release(ports_page);
			if (ports_hi != NULL)
				ddisim_port_release(ports_hi);
			ports_lo = ports_page = ports_hi = NULL;
			e = EBUSY;
		} else {
			attached_gen = machine->generation;
		}
	}
	pthread_mutex_unlock(&attach_lock);
	return e;
}

/* The ports die with the machine; forget them, and the devices. */
void
i8237_fini(void)
{
	pthread_mutex_lock(&attach_lock);
	attached_gen = 0;
	ports_lo = ports_page = ports_hi = NULL;
	pthread_mutex_unlock(&attach_lock);
	pthread_mutex_lock(&i8237_lock);
	for (int i = 0; i < 8; i++) {
		struct ddisim_isadev *d = chan_of(i)->dev;

		if (d != NULL) {
			free(d->buf);
			free(d);
		}
	}
	memset(chips, 0, sizeof(chips));
	pthread_mutex_unlock(&i8237_lock);
}

void
i8237_blame(int chan, const void *caller)
{
	pthread_mutex_lock(&i8237_lock);
	chan_of(chan)->prog_caller = caller;
	pthread_mutex_unlock(&i8237_lock);
}

void
i8237_state(int chan, struct i8237_state *st)
{
	const struct chan *ch;

	pthread_mutex_lock(&i8237_lock);
	ch = chan_of(chan);
	st->mode = ch->mode | (uint8_t)(chan & 3);
	st->masked = ch->masked;
	st->addr = (uint32_t)xfer_addr(chan, ch);
	st->count = (uint32_t)(uint16_t)(ch->cur_count + 1);
	if (st->count == 0)
		st->count = 0x10000;
	st->raw_count = ch->cur_count;
	st->tc = ch->finished;
	st->transfers = ch->transfers;
	pthread_mutex_unlock(&i8237_lock);
}

/* ---- devices ---- */

/*
 * The device as an ISA board of the resource manager (ddisim_rm(3)): its
 * name, its channel as CM_DMAC and its interrupt line.
 */
static uint32_t
isadev_board(const struct ddisim_isadev *d, const void *caller)
{
	struct ddisim_board b = {
		.modname = d->name,
		.bus = 0x01,		/* CM_BUS_ISA */
		.set = DDISIM_BRD_DMAC,
		.dmac = (unsigned)d->chan,
	};

	if (d->irq >= 0) {
		b.set |= DDISIM_BRD_IRQ;
		b.irq = (unsigned)d->irq;
	}
	return rm_board_add(&b, "ddisim_isadev_create", caller);
}

DDI_ENTRY(ddisim_isadev_t *, ddisim_isadev_create, (int chan, int irq,
    size_t bufsize, const char *name), (chan, irq, bufsize, name))
{
	const void *caller = DDI_CALLER;
	struct ddisim_isadev *d;

	if (chan < 0 || chan > 7 || chan == 4 || irq >= DDISIM_NIRQ ||
	    bufsize == 0 || bufsize > (64u << 20)) {
		verify_report(DDI_FUNC, caller, "%s", chan < 0 || chan > 7 ?
		    "channel is outside 0..7" : chan == 4 ? "channel 4 is the "
		    "cascade; no device can use it" : irq >= DDISIM_NIRQ ?
		    "irq is not a line of the interrupt controller" :
		    "bufsize is 0 or above 64 MiB");
		return NULL;
	}
	if (i8237_attach() != 0) {
		verify_report(DDI_FUNC, caller, "the DMA controller's ports "
		    "are claimed by another device");
		return NULL;
	}
	if ((d = calloc(1, sizeof(*d))) == NULL ||
	    (d->buf = calloc(1, bufsize)) == NULL) {
		free(d);
		return NULL;
	}
	d->chan = chan;
	d->irq = irq;
	d->size = bufsize;
	(void)snprintf(d->name, sizeof(d->name), "%s", name != NULL ? name :
	    "isadev");
	pthread_mutex_lock(&i8237_lock);
	if (chan_of(chan)->dev != NULL) {
		pthread_mutex_unlock(&i8237_lock);
		verify_report(DDI_FUNC, caller, "channel %d has a device "
		    "already", chan);
		free(d->buf);
		free(d);
		return NULL;
	}
	chan_of(chan)->dev = d;
	pthread_mutex_unlock(&i8237_lock);
	d->rmkey = isadev_board(d, caller);
	return d;
}

DDI_ENTRY_VOID(ddisim_isadev_destroy, (ddisim_isadev_t *d), (d))
{
	if (d == NULL)
		return;
	pthread_mutex_lock(&i8237_lock);
	if (chan_of(d->chan)->dev == d)
		chan_of(d->chan)->dev = NULL;
	pthread_mutex_unlock(&i8237_lock);
	if (d->rmkey != 0)
		(void)rm_board_remove(d->rmkey);
	free(d->buf);
	free(d);
}

DDI_ENTRY(uint8_t *, ddisim_isadev_buf, (ddisim_isadev_t *d, size_t *size),
    (d, size))
{
	if (d == NULL) {
		verify_report(DDI_FUNC, DDI_CALLER, "NULL device");
		return NULL;
	}
	if (size != NULL)
		*size = d->size;
	return d->buf;
}

DDI_ENTRY(size_t, ddisim_isadev_dreq, (ddisim_isadev_t *d, size_t off,
    size_t n), (d, off, n))
{
	size_t done, unit;
	bool tc;

	if (d == NULL) {
		verify_report(DDI_FUNC, DDI_CALLER, "NULL device");
		return 0;
	}
	unit = d->chan < 4 ? 1 : 2;
	if (off > d->size || n > (d->size - off) / unit) {
		verify_report(DDI_FUNC, DDI_CALLER, "%s: %zu transfers from "
		    "byte %zu run past the device's %zu-byte buffer", d->name,
		    n, off, d->size);
		return 0;
	}
	pthread_mutex_lock(&i8237_lock);
	done = run_locked(d->chan, d->buf + off, d->size - off, n, &tc,
	    false, false);
	d->tc = tc;
	pthread_mutex_unlock(&i8237_lock);
	if (d->irq >= 0)
		(void)ddisim_intr_raise(d->irq);
	return done;
}

DDI_ENTRY(int, ddisim_isadev_tc, (ddisim_isadev_t *d), (d))
{
	int tc;

	if (d == NULL) {
		verify_report(DDI_FUNC, DDI_CALLER, "NULL device");
		return 0;
	}
	pthread_mutex_lock(&i8237_lock);
	tc = d->tc;
	pthread_mutex_unlock(&i8237_lock);
	return tc;
}

DDI_ENTRY0(int, ddisim_isadma_attach)
{
	return i8237_attach();
}
