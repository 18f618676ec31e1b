/*
 * test_snd.c - the example sound card driver (DDI 5, no module wrapper,
 * as if linked into the kernel) loaded by the driver host from its
 * shared object, and used as a player used /dev/snd: opened, told the
 * rate, written samples to, polled, drained, mapped, closed.
 *
 * The card (the device model below) is a board of the resource manager
 * with its I/O ports, its interrupt and its DMA channel.  Told to play,
 * it takes a half of the ring at a time through the system DMA
 * controller, asserting DREQ on its 16-bit channel (a ddisim_isadev
 * that keeps a record of all the card played), and interrupts after
 * each half.  The test decides when the card plays a half, as time
 * passing would; interrupts are delivered in deterministic mode, so
 * that a half's interrupt has been handled, and the driver has decided
 * whether the card goes on, before the card plays the next.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <string.h>

#include <sys/types.h>
#include <sys/file.h>
#include <sys/poll.h>
#include <ddicompat/ddisim.h>
#include <ddicompat/isadma.h>
#include <ddicompat/host.h>

#include "lib/testutil.h"
#include "snd.h"

#define SND_BASE	0x220
#define SND_IRQ		5
#define SND_CHAN	5
#define RECORD		(64 * SND_HALF)	/* what the card's record holds */
#define SCRATCH		0x20000		/* a user address for ioctls */
#define USER		(SCRATCH + 4096)

/* ---- the card ---- */

static struct card {
	pthread_mutex_t	mtx;
	int		playing;
	int		irq;		/* SND_ST_IRQ, until read */
	unsigned	rate, fmt;
	unsigned	gos, halts;
	size_t		played;		/* bytes, into the record */
	ddisim_isadev_t	*dma;		/* its side of the channel */
	ddisim_ports_t	*ports;
} card;

static uint32_t
card_in(void *arg, int port, int width)
{
	struct card *c = arg;
	uint32_t v = 0xff;

	(void)width;
	pthread_mutex_lock(&c->mtx);
	if (port - SND_BASE == SND_STAT) {
		v = (c->playing ? SND_ST_PLAYING : 0) |
		    (c->irq ? SND_ST_IRQ : 0);
		c->irq = 0;
	}
	pthread_mutex_unlock(&c->mtx);
	return v;
}

static void
card_out(void *arg, int port, int width, uint32_t v)
{
	struct card *c = arg;

	pthread_mutex_lock(&c->mtx);
	switch (port - SND_BASE) {
	case SND_CTL:
		if (v == SND_GO) {
			c->playing = 1;
			c->gos++;
		} else if (v == SND_HALT) {
			c->playing = 0;
			c->halts++;
		}
		break;
	case SND_FMT:
		c->fmt = v & 0xff;
		break;
	case SND_RATE:
		c->rate = width == 2 ? v & 0xffff : 0;
		break;
	}
	pthread_mutex_unlock(&c->mtx);
}

static const struct ddisim_port_ops card_ops = { card_in, card_out };

static int
card_playing(void)
{
	int on;

	pthread_mutex_lock(&card.mtx);
	on = card.playing;
	pthread_mutex_unlock(&card.mtx);
	return on;
}

/*
 * The card plays a half if it is playing: the half's words through the
 * channel, then its interrupt, handled before this returns.  1 if it
 * played.
 */
static int
card_play(void)
{
	if (!card_playing())
		return 0;
	ck_assert_uint_le(card.played + SND_HALF, RECORD);
	ck_assert_uint_eq(ddisim_isadev_dreq(card.dma, card.played,
	    SND_HALF / 2), SND_HALF / 2);
	card.played += SND_HALF;
	pthread_mutex_lock(&card.mtx);
	card.irq = 1;
	pthread_mutex_unlock(&card.mtx);
	ck_assert_int_eq(ddisim_intr_raise(SND_IRQ), 0);
	while (ddisim_intr_pending(SND_IRQ))
		if (ddisim_intr_deliver(0) == 0)
			sched_yield();
	return 1;
}

/* ---- the machine, the card and the driver ---- */

static void
board(unsigned set)
{
	struct ddisim_board b;

	memset(&b, 0, sizeof(b));
	b.modname = "snd";
	b.set = set;
	b.irq = SND_IRQ;
	b.io_start = SND_BASE;
	b.io_end = SND_BASE + SND_NREGS - 1;
	b.dmac = SND_CHAN;
	ck_assert_uint_ne(ddisim_rm_add_board(&b), 0);
}

static ddisim_drv_t *
load(int want)
{
	struct ddisim_drvconf c;
	ddisim_drv_t *d = NULL;

	memset(&c, 0, sizeof(c));
	c.prefix = "snd";
	c.object = SND_SO;
	ck_assert_int_eq(ddisim_drv_load_conf(&c, &d), want);
	if (want == 0)
		ck_assert_int_eq(ddisim_drv_interface(d), 70);
	return d;
}

/* The machine, the card on its board, and the driver loaded. */
static ddisim_drv_t *
snd_up(const char *spec)
{
	ddisim_drv_t *d;

	MACHINE_UP(spec);
	ddisim_intr_set_deterministic(1);
	ddisim_putbuf_clear();
	memset(&card, 0, sizeof(card));
	pthread_mutex_init(&card.mtx, NULL);
	card.dma = ddisim_isadev_create(SND_CHAN, -1, RECORD, "snddma");
	ck_assert_ptr_nonnull(card.dma);
	card.ports = ddisim_port_claim(SND_BASE, SND_NREGS, &card_ops, &card,
	    "snd0");
	ck_assert_ptr_nonnull(card.ports);
	board(DDISIM_BRD_IRQ | DDISIM_BRD_IOADDR | DDISIM_BRD_DMAC);
	d = load(0);
	return d;
}

static void
snd_down(ddisim_drv_t *d)
{
	struct ddisim_chan ch[8];

	ck_assert_int_eq(ddisim_drv_unload(d), 0);
	ck_assert_int_eq(card.playing, 0);
	/* nobody holds the channel */
	ck_assert_int_eq(ddisim_isadma_channels(ch), 8);
	ck_assert_int_eq(ch[SND_CHAN].owner, DDISIM_CHAN_FREE);
	ddisim_isadev_destroy(card.dma);
	ddisim_port_release(card.ports);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	MACHINE_DOWN();
	pthread_mutex_destroy(&card.mtx);
}

static int
snd_open(struct proc *p, ddisim_drv_t *d, unsigned minor, int oflag,
    ddisim_file_t **fp)
{
	return ddisim_dev_open(p, ddisim_drv_dev(d, 0, minor), DDISIM_CHR,
	    oflag, fp);
}

/* An int ioctl argument, through the program's memory. */
static int
ioctl_int(struct proc *p, ddisim_file_t *f, int cmd, int *v)
{
	uint8_t *u = (uint8_t *)ddisim_proc_base(p) + SCRATCH;
	int rc;

	ck_assert_int_eq(ddisim_proc_write(p, u, v, sizeof(*v)), 0);
	rc = ddisim_dev_ioctl(f, cmd, (intptr_t)u, NULL);
	ck_assert_int_eq(ddisim_proc_read(p, u, v, sizeof(*v)), 0);
	return rc;
}

/* ---- a call in a thread of its own, which sleeps in the driver ---- */

enum bgop { BG_WRITE, BG_IOCTL, BG_POLL, BG_CLOSE };

struct bg {
	pthread_t	t;
	enum bgop	op;
	ddisim_file_t	*f;
	const void	*u;
	size_t		len, done;
	int		cmd;
	short		revents;
	int		rc;
	_Atomic int	over;
	_Atomic unsigned ctx;
	_Atomic pid_t	tid;
};

static void *
bg_run(void *arg)
{
	struct bg *b = arg;

	atomic_store(&b->tid, tid_self());
	atomic_store(&b->ctx, ddisim_ctx_id());
	switch (b->op) {
	case BG_WRITE:
		b->rc = ddisim_dev_write(b->f, b->u, b->len, &b->done);
		break;
	case BG_IOCTL:
		b->rc = ddisim_dev_ioctl(b->f, b->cmd, 0, NULL);
		break;
	case BG_POLL:
		b->rc = ddisim_dev_poll(b->f, POLLOUT, 20000, &b->revents);
		break;
	case BG_CLOSE:
		b->rc = ddisim_dev_close(b->f);
		break;
	}
	atomic_store(&b->over, 1);
	return NULL;
}

static void
bg_start(struct bg *b, enum bgop op, ddisim_file_t *f, const void *u,
    size_t len, int cmd)
{
	memset(b, 0, sizeof(*b));
	b->op = op;
	b->f = f;
	b->u = u;
	b->len = len;
	b->cmd = cmd;
	ck_assert_int_eq(pthread_create(&b->t, NULL, bg_run, b), 0);
	while (atomic_load(&b->tid) == 0 || atomic_load(&b->ctx) == 0)
		sched_yield();
}

/* Until the call sleeps; then a signal, and the call's end. */
static void
bg_interrupt(struct bg *b)
{
	ck_assert(tid_wait_asleep(atomic_load(&b->tid)));
	ck_assert_int_eq(ddisim_ctx_signal(atomic_load(&b->ctx)), 1);
	ck_assert_int_eq(pthread_join(b->t, NULL), 0);
}

/* The card plays while the call goes on; the halves it played. */
static unsigned
bg_play(struct bg *b)
{
	unsigned n = 0;

	while (!atomic_load(&b->over))
		if (card_play())
			n++;
		else
			sched_yield();
	ck_assert_int_eq(pthread_join(b->t, NULL), 0);
	return n;
}

/* ---- the tests ---- */

/*
 * A player's life: the rate set, a stream written faster than the card
 * plays it, the writer sleeping on a full ring and woken by the card's
 * interrupts, the ring mapped, the last half played out with silence,
 * and the card heard it all in order across every reload of the
 * channel.
 */
START_TEST(snd_plays_what_the_program_writes)
{
	const size_t total = 6 * SND_HALF + SND_HALF / 2;
	static uint8_t data[6 * SND_HALF + SND_HALF / 2], back[SND_HALF];
	ddisim_file_t *f;
	ddisim_drv_t *d;
	struct proc *p;
	uint8_t *u, *heard, *map;
	struct bg b;
	unsigned n;
	size_t done;
	short rev;
	int v;

	d = snd_up("mem=256M,frag=0.3,seed=4");
	ck_assert_uint_eq(card.halts, 1);	/* sndstart stopped it */
	p = ddisim_proc_create(USER + total, 0);
	u = (uint8_t *)ddisim_proc_base(p) + USER;
	fill_seeded(data, total, 5);
	ck_assert_int_eq(ddisim_proc_write(p, u, data, total), 0);

	ck_assert_int_eq(snd_open(p, d, 0, FWRITE, &f), 0);
	ck_assert_uint_eq(card.rate, SND_RATE_DFLT);
	ck_assert_uint_eq(card.fmt, SND_FMT_U8);
	v = 22050;
	ck_assert_int_eq(ioctl_int(p, f, SND_SETRATE, &v), 0);
	ck_assert_uint_eq(card.rate, 22050);
	v = 0;
	ck_assert_int_eq(ioctl_int(p, f, SND_GETRATE, &v), 0);
	ck_assert_int_eq(v, 22050);

	/* the ring takes two halves; the first starts the card */
	ck_assert_int_eq(ddisim_dev_write(f, u, 2 * SND_HALF, &done), 0);
	ck_assert_uint_eq(done, 2 * SND_HALF);
	ck_assert_int_eq(card_playing(), 1);
	ck_assert_uint_eq(card.gos, 1);
	ck_assert_int_eq(ddisim_dev_poll(f, POLLOUT, 0, &rev), 0);
	ck_assert_int_eq(rev, 0);
	v = 44100;
	ck_assert_int_eq(ioctl_int(p, f, SND_SETRATE, &v), EBUSY);
	ck_assert_uint_eq(card.rate, 22050);

	/* the rest, as fast as the card takes it */
	bg_start(&b, BG_WRITE, f, u + 2 * SND_HALF, total - 2 * SND_HALF, 0);
	n = bg_play(&b);
	ck_assert_int_eq(b.rc, 0);
	ck_assert_uint_eq(b.done, total - 2 * SND_HALF);
	/* four halves had to be played to make room; two more may be */
	ck_assert_uint_ge(n, 4);
	ck_assert_uint_le(n, 6);
	ck_assert_uint_eq(card.played, n * SND_HALF);

	/* the ring mapped: its first half holds the last samples written */
	ck_assert_int_eq(ddisim_dev_mmap(f, 0, SND_RING, 3, (void **)&map), 0);
	ck_assert_int_eq(ddisim_proc_read(p, map, back, SND_HALF / 2), 0);
	ck_assert_mem_eq(back, data + 6 * SND_HALF, SND_HALF / 2);
	ck_assert_int_eq(ddisim_dev_munmap(f, map, SND_RING), 0);

	/* drained: the half begun is played out with silence */
	bg_start(&b, BG_IOCTL, f, NULL, 0, SND_DRAIN);
	ck_assert_uint_eq(bg_play(&b), 7 - n);
	ck_assert_int_eq(b.rc, 0);
	ck_assert_int_eq(card_playing(), 0);
	ck_assert_uint_eq(card.played, 7 * SND_HALF);
	heard = ddisim_isadev_buf(card.dma, NULL);
	ck_assert_mem_eq(heard, data, total);
	ck_assert_uint_eq(first_not(heard + total, SND_HALF / 2, 0x80),
	    SND_HALF / 2);
	ck_assert_int_eq(ddisim_dev_poll(f, POLLOUT, 0, &rev), 0);
	ck_assert_int_eq(rev, POLLOUT);
	/* stopped, the card takes a new rate */
	ck_assert_int_eq(ioctl_int(p, f, SND_SETRATE, &v), 0);
	ck_assert_uint_eq(card.rate, 44100);

	ck_assert_int_eq(ddisim_dev_close(f), 0);
	/* sndstart's halt, one for each start (the card ran dry), close's */
	ck_assert_uint_eq(card.halts, card.gos + 2);
	ddisim_proc_destroy(p);
	snd_down(d);
}
END_TEST

/*
 * Waiting: O_NDELAY writes take what fits, then EAGAIN; poll sleeps
 * until a half is played; close plays out what was written; a signal
 * ends a write or a drain waiting for the card (EINTR).
 */
START_TEST(snd_waits_and_wakes)
{
	static uint8_t data[3 * SND_HALF];
	ddisim_file_t *f;
	ddisim_drv_t *d;
	struct proc *p;
	uint8_t *u, *heard;
	struct bg b;
	size_t done;
	short rev;
	int v;

	d = snd_up("mem=64M");
	p = ddisim_proc_create(USER + sizeof(data), 0);
	u = (uint8_t *)ddisim_proc_base(p) + USER;
	fill_seeded(data, sizeof(data), 9);
	ck_assert_int_eq(ddisim_proc_write(p, u, data, sizeof(data)), 0);
	heard = ddisim_isadev_buf(card.dma, NULL);

	ck_assert_int_eq(snd_open(p, d, 0, FWRITE | FNDELAY, &f), 0);
	ck_assert_int_eq(ddisim_dev_write(f, u, 3 * SND_HALF, &done), 0);
	ck_assert_uint_eq(done, 2 * SND_HALF);
	ck_assert_int_eq(ddisim_dev_write(f, u + done, 10, &done), EAGAIN);
	ck_assert_uint_eq(done, 0);
	ck_assert_int_eq(ddisim_dev_poll(f, POLLOUT, 0, &rev), 0);
	ck_assert_int_eq(rev, 0);
	/* poll sleeps until a signal, or until the card has played a half */
	bg_start(&b, BG_POLL, f, NULL, 0, 0);
	bg_interrupt(&b);
	ck_assert_int_eq(b.rc, EINTR);
	bg_start(&b, BG_POLL, f, NULL, 0, 0);
	ck_assert(tid_wait_asleep(atomic_load(&b.tid)));
	ck_assert_int_eq(atomic_load(&b.over), 0);
	ck_assert_int_eq(card_play(), 1);
	ck_assert_int_eq(pthread_join(b.t, NULL), 0);
	ck_assert_int_eq(b.rc, 0);
	ck_assert_int_eq(b.revents, POLLOUT);
	ck_assert_int_eq(ddisim_dev_write(f, u + 2 * SND_HALF, 100, &done), 0);
	ck_assert_uint_eq(done, 100);
	/* close plays what is left, the half begun padded with silence */
	bg_start(&b, BG_CLOSE, f, NULL, 0, 0);
	ck_assert_uint_eq(bg_play(&b), 2);
	ck_assert_int_eq(b.rc, 0);
	ck_assert_uint_eq(card.played, 3 * SND_HALF);
	ck_assert_mem_eq(heard, data, 2 * SND_HALF + 100);
	ck_assert_uint_eq(first_not(heard + 2 * SND_HALF + 100,
	    SND_HALF - 100, 0x80), SND_HALF - 100);

	/* a signal ends a write waiting for room, then a drain */
	ck_assert_int_eq(snd_open(p, d, 0, FWRITE, &f), 0);
	ck_assert_uint_eq(card.rate, SND_RATE_DFLT);	/* open's */
	ck_assert_int_eq(ddisim_dev_write(f, u, 2 * SND_HALF, &done), 0);
	bg_start(&b, BG_WRITE, f, u + 2 * SND_HALF, 10, 0);
	bg_interrupt(&b);
	ck_assert_int_eq(b.rc, EINTR);
	ck_assert_uint_eq(b.done, 0);
	bg_start(&b, BG_IOCTL, f, NULL, 0, SND_DRAIN);
	bg_interrupt(&b);
	ck_assert_int_eq(b.rc, EINTR);
	ck_assert_int_eq(card_playing(), 1);
	bg_start(&b, BG_CLOSE, f, NULL, 0, 0);
	ck_assert_uint_eq(bg_play(&b), 2);
	ck_assert_int_eq(b.rc, 0);
	ck_assert_mem_eq(heard + 3 * SND_HALF, data, 2 * SND_HALF);

	/* 16-bit samples: silence is 0 */
	ck_assert_int_eq(snd_open(p, d, 0, FWRITE, &f), 0);
	v = SND_FMT_S16;
	ck_assert_int_eq(ioctl_int(p, f, SND_SETFMT, &v), 0);
	ck_assert_uint_eq(card.fmt, SND_FMT_S16);
	ck_assert_int_eq(ddisim_dev_write(f, u, 100, &done), 0);
	bg_start(&b, BG_CLOSE, f, NULL, 0, 0);
	ck_assert_uint_eq(bg_play(&b), 1);
	ck_assert_int_eq(b.rc, 0);
	ck_assert_uint_eq(card.played, 6 * SND_HALF);
	ck_assert_mem_eq(heard + 5 * SND_HALF, data, 100);
	ck_assert_uint_eq(first_not(heard + 5 * SND_HALF + 100,
	    SND_HALF - 100, 0), SND_HALF - 100);
	ddisim_proc_destroy(p);
	snd_down(d);
}
END_TEST

/* What the driver refuses, and the errors it returns. */
START_TEST(snd_errors)
{
	ddisim_file_t *f, *g;
	ddisim_drv_t *d;
	struct proc *p;
	unsigned char local[16];
	uint8_t *u;
	void *map;
	size_t done;
	int v;

	d = snd_up("mem=64M");
	p = ddisim_proc_create(USER + 4096, 0);
	u = (uint8_t *)ddisim_proc_base(p) + USER;
	/* one card: minor 0 */
	ck_assert_int_eq(snd_open(p, d, 1, FWRITE, &f), ENXIO);
	/* one open at a time */
	ck_assert_int_eq(snd_open(p, d, 0, FREAD | FWRITE, &f), 0);
	ck_assert_int_eq(snd_open(p, d, 0, FWRITE, &g), EBUSY);
	/* buffers outside the program */
	ck_assert_int_eq(ddisim_dev_write(f, local, sizeof(local), &done),
	    EFAULT);
	ck_assert_uint_eq(done, 0);
	ck_assert_int_eq(ddisim_dev_ioctl(f, SND_SETRATE, (intptr_t)local,
	    NULL), EFAULT);
	ck_assert_int_eq(ddisim_dev_ioctl(f, SND_GETRATE, (intptr_t)local,
	    NULL), EFAULT);
	/* values the card cannot take */
	v = SND_RATE_MIN - 1;
	ck_assert_int_eq(ioctl_int(p, f, SND_SETRATE, &v), EINVAL);
	v = SND_RATE_MAX + 1;
	ck_assert_int_eq(ioctl_int(p, f, SND_SETRATE, &v), EINVAL);
	v = 7;
	ck_assert_int_eq(ioctl_int(p, f, SND_SETFMT, &v), EINVAL);
	ck_assert_uint_eq(card.rate, SND_RATE_DFLT);
	ck_assert_uint_eq(card.fmt, SND_FMT_U8);
	ck_assert_int_eq(ddisim_dev_ioctl(f, 0x7777, 0, NULL), EINVAL);
	/* it only plays; past the ring there is nothing to map */
	ck_assert_int_eq(ddisim_dev_read(f, u, 10, &done), ENODEV);
	ck_assert_int_eq(ddisim_dev_mmap(f, SND_RING, 4096, 1, &map), ENXIO);
	/* nothing written: close has nothing to play */
	ck_assert_int_eq(ddisim_dev_close(f), 0);
	ck_assert_uint_eq(card.gos, 0);
	ck_assert_uint_eq(card.played, 0);
	ddisim_proc_destroy(p);
	snd_down(d);
}
END_TEST

/* What cmn_err printed on the console, kept for the test to read. */
static char console[1024];

static void
console_keep(const char *text, void *arg)
{
	size_t n = strlen(console);

	(void)arg;
	(void)snprintf(console + n, sizeof(console) - n, "%s", text);
}

/*
 * Without its card, or with a card whose board lacks a parameter, the
 * driver loads (a start routine cannot fail) and its open says ENXIO.
 */
START_TEST(snd_no_card)
{
	ddisim_file_t *f;
	ddisim_drv_t *d;
	struct proc *p;

	MACHINE_UP("mem=64M");
	console[0] = '\0';
	ddisim_console(console_keep, NULL);
	p = ddisim_proc_create(4096, 0);
	d = load(0);
	ck_assert_int_eq(snd_open(p, d, 0, FWRITE, &f), ENXIO);
	ck_assert_int_eq(ddisim_drv_unload(d), 0);
	board(DDISIM_BRD_IRQ | DDISIM_BRD_IOADDR);	/* no DMA channel */
	d = load(0);
	ck_assert_int_eq(snd_open(p, d, 0, FWRITE, &f), ENXIO);
	ddisim_console(NULL, NULL);
	ck_assert_ptr_nonnull(strstr(console, "WARNING: snd: the card's I/O ports, "
	    "interrupt or DMA channel are not configured"));
	ck_assert_int_eq(ddisim_drv_unload(d), 0);
	ddisim_proc_destroy(p);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	MACHINE_DOWN();
}
END_TEST

/*
 * Loaded under fault injection: a start routine that finds no memory
 * says so and leaves the driver unconfigured; either way the driver
 * plays or refuses, and leaves nothing behind.
 */
static void
console_count(const char *text, void *arg)
{
	if (strstr(text, "snd: no memory for the playback ring") != NULL)
		(*(unsigned *)arg)++;
}

START_TEST(snd_start_under_failrate)
{
	long seeds = prop_floor(prop_iters(200), 50);
	unsigned failed = 0, played = 0, warned = 0;
	char spec[64], log[512];

	ddisim_console(console_count, &warned);

	for (long s = 1; s <= seeds; s++) {
		ddisim_file_t *f;
		ddisim_drv_t *d;
		struct proc *p;
		size_t done;
		int nomem, rc;

		(void)snprintf(spec, sizeof(spec),
		    "mem=64M,failrate=0.1,seed=%ld", s);
		d = snd_up(spec);
		(void)ddisim_putbuf(log, sizeof(log));
		nomem = strstr(log, "snd: no memory for the playback ring") !=
		    NULL;
		failed += (unsigned)nomem;
		/* the program's pages may fail to come too */
		if ((p = ddisim_proc_create(SND_HALF, 0)) == NULL) {
			snd_down(d);
			continue;
		}
		rc = snd_open(p, d, 0, FWRITE, &f);
		if (nomem) {
			ck_assert_msg(rc == ENXIO, "seed %ld: %d", s, rc);
		} else {
			ck_assert_msg(rc == 0, "seed %ld: %d", s, rc);
			ck_assert_int_eq(ddisim_dev_write(f,
			    ddisim_proc_base(p), SND_HALF, &done), 0);
			ck_assert_int_eq(card_play(), 1);
			ck_assert_int_eq(ddisim_dev_close(f), 0);
			played++;
		}
		ddisim_proc_destroy(p);
		snd_down(d);
	}
	ddisim_console(NULL, NULL);
	/* each failure was the driver's, said on the console */
	ck_assert_uint_eq(warned, failed);
	ck_assert_uint_gt(failed, 0);
	ck_assert_uint_gt(played, 0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("snd");
	TCase *tc = tcase_new("core");

	/* threads and interrupts, slow under Valgrind: a long limit */
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, snd_plays_what_the_program_writes);
	tcase_add_test(tc, snd_waits_and_wakes);
	tcase_add_test(tc, snd_errors);
	tcase_add_test(tc, snd_no_card);
	suite_add_tcase(s, tc);
	tc = tcase_new("failrate");
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, snd_start_under_failrate);
	suite_add_tcase(s, tc);
	return run_suite(s) == 0 ? 0 : 1;
}
