/*
 * test_intr.c - the interrupt controller, spl exclusion between a driver
 * and a device thread, and port I/O.  Built as a DDI 8 driver with
 * -DDEBUG.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>

#include <sys/types.h>
#include <sys/kmem.h>
#include <sys/ksynch.h>
#include <sys/conf.h>
#include <sys/ddi.h>

#include "lib/testutil.h"

static drvinfo_t tk_drvinfo = { NULL, "tk", 0, NULL, 0 };
static drvinfo_t tk_mp_drvinfo = { NULL, "tkmp", D_MP, NULL, 0 };

/* What a handler saw when it ran. */
struct seen {
	atomic_int	calls;
	pl_t		pl;
	int		in_intr;
	int		ivec;
	int		ret;		/* ISTAT_* to return */
};

static struct seen seen_old;

static void
old_intr(int ivec)
{
	seen_old.pl = getpl();
	seen_old.in_intr = ddisim_ctx_in_intr();
	seen_old.ivec = ivec;
	atomic_fetch_add(&seen_old.calls, 1);
}

static int
ddi8_intr(void *idata)
{
	struct seen *s = idata;

	s->pl = getpl();
	s->in_intr = ddisim_ctx_in_intr();
	atomic_fetch_add(&s->calls, 1);
	return s->ret;
}

START_TEST(delivery_and_masking)
{
	ddisim_intr_t *h;
	pl_t s;

	MACHINE_UP("mem=64M,cpus=2");
	ddisim_cpu_set(0);
	memset(&seen_old, 0, sizeof(seen_old));
	h = ddisim_intr_register(5, PLDISK, old_intr);
	ck_assert_ptr_nonnull(h);
	/* At PLBASE the handler runs at once, at its level, as a frame. */
	ck_assert_int_eq(ddisim_intr_raise(5), 1);
	ck_assert_int_eq(atomic_load(&seen_old.calls), 1);
	ck_assert_uint_eq(seen_old.pl, PLDISK);
	ck_assert_int_eq(seen_old.in_intr, 1);
	ck_assert_int_eq(seen_old.ivec, 5);
	ck_assert_uint_eq(getpl(), PLBASE);
	ck_assert_int_eq(ddisim_ctx_in_intr(), 0);
	/* At the line's level or above it waits for the level to drop. */
	s = spldisk();
	ck_assert_int_eq(ddisim_intr_raise(5), 0);
	ck_assert_int_eq(ddisim_intr_raise(5), 0);	/* latched: once */
	ck_assert_int_eq(ddisim_intr_pending(5), 1);
	(void)splhi();
	ck_assert_int_eq(atomic_load(&seen_old.calls), 1);
	(void)splstr();
	ck_assert_int_eq(atomic_load(&seen_old.calls), 1);
	(void)spltimeout();			/* below PLDISK: delivered */
	ck_assert_int_eq(atomic_load(&seen_old.calls), 2);
	ck_assert_int_eq(ddisim_intr_pending(5), 0);
	ck_assert_uint_eq(getpl(), PLTIMEOUT);
	splx(s);
	ck_assert_uint_eq(ddisim_intr_count(5), 2);
	/*
	 * Another CPU's level does not mask this line: a context busy on
	 * CPU 1 hands the interrupt to CPU 0, which takes it at once.
	 */
	ddisim_cpu_set(1);
	s = splhi();
	(void)ddisim_intr_raise(5);
	while (atomic_load(&seen_old.calls) < 3)
		sched_yield();
	splx(s);
	ddisim_cpu_set(0);
	ck_assert_int_eq(atomic_load(&seen_old.calls), 3);
	ddisim_intr_unregister(h);
	ck_assert_int_eq(ddisim_intr_raise(5), -1);	/* stray */
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	MACHINE_DOWN();
}
END_TEST

START_TEST(deterministic_mode)
{
	ddisim_intr_t *h;
	pl_t s;

	MACHINE_UP("mem=64M");
	ddisim_cpu_set(0);
	memset(&seen_old, 0, sizeof(seen_old));
	h = ddisim_intr_register(9, PLSTR, old_intr);
	ddisim_intr_set_deterministic(1);
	ck_assert_int_eq(ddisim_intr_raise(9), 0);
	s = splhi();
	splx(s);				/* a level drop is not a point */
	ck_assert_int_eq(atomic_load(&seen_old.calls), 0);
	s = splhi();
	ck_assert_uint_eq(ddisim_intr_deliver(0), 0);	/* masked */
	splx(s);
	ck_assert_uint_eq(ddisim_intr_deliver(0), 1);
	ck_assert_int_eq(atomic_load(&seen_old.calls), 1);
	ck_assert_uint_eq(ddisim_intr_deliver(0), 0);
	ddisim_intr_set_deterministic(0);
	ddisim_intr_unregister(h);
	MACHINE_DOWN();
}
END_TEST

/* Lines of different levels nest by level, highest first. */
static int nest_order[4];
static atomic_int nest_n;
static void
hi_intr(int ivec)
{
	nest_order[atomic_fetch_add(&nest_n, 1)] = ivec;
}

static void
lo_intr(int ivec)
{
	nest_order[atomic_fetch_add(&nest_n, 1)] = ivec;
	/* A higher line raised from inside a lower handler nests. */
	ck_assert_int_eq(ddisim_intr_raise(3), 1);
}

START_TEST(levels_nest)
{
	ddisim_intr_t *lo, *hi;
	pl_t s;

	MACHINE_UP("mem=64M");
	ddisim_cpu_set(0);
	atomic_store(&nest_n, 0);
	lo = ddisim_intr_register(2, PLTIMEOUT + 1, lo_intr);
	hi = ddisim_intr_register(3, PLHI, hi_intr);
	s = splhi();
	ck_assert_int_eq(ddisim_intr_raise(2), 0);
	splx(s);
	ck_assert_int_eq(atomic_load(&nest_n), 2);
	ck_assert_int_eq(nest_order[0], 2);
	ck_assert_int_eq(nest_order[1], 3);
	ddisim_intr_unregister(lo);
	ddisim_intr_unregister(hi);
	MACHINE_DOWN();
}
END_TEST

START_TEST(ddi8_attach_shared_line)
{
	struct seen a = { .ret = ISTAT_NONE }, b = { .ret = ISTAT_ASSERTED };
	void *ca = NULL, *cb = NULL;
	rm_key_t key;

	MACHINE_UP("mem=64M,verify=count");
	ddisim_cpu_set(0);
	key = ddisim_intr_key(11, PLSTR);
	ck_assert_int_eq(cm_intr_attach(key, ddi8_intr, &a, &tk_drvinfo, &ca),
	    1);
	ck_assert_int_eq(cm_intr_attach(key, ddi8_intr, &b, &tk_mp_drvinfo,
	    &cb), 1);
	ck_assert_int_eq(ddisim_intr_raise(11), 1);
	ck_assert_int_eq(atomic_load(&a.calls), 1);
	ck_assert_int_eq(atomic_load(&b.calls), 1);
	ck_assert_uint_eq(a.pl, PLSTR);
	/* A line with a handler that is not D_MP stays on CPU 0. */
	ck_assert_int_eq(ddisim_intr_bind(11, 1), EPERM);
	ck_assert_uint_eq(ddisim_verify_count(), 1);
	cm_intr_detach(ca);
	ck_assert_int_eq(ddisim_intr_bind(11, 1), 0);
	ck_assert_int_eq(ddisim_intr_raise(11), 1);
	ck_assert_int_eq(atomic_load(&a.calls), 1);
	ck_assert_int_eq(atomic_load(&b.calls), 2);
	cm_intr_detach(cb);
	/* A key without an interrupt, a level mismatch on a shared line. */
	ck_assert_int_eq(cm_intr_attach(12345, ddi8_intr, &a, &tk_drvinfo,
	    NULL), 0);
	ck_assert_int_eq(cm_intr_attach(key, ddi8_intr, &a, &tk_drvinfo,
	    &ca), 1);
	ck_assert_int_eq(cm_intr_attach(ddisim_intr_key(11, PLHI), ddi8_intr,
	    &b, &tk_drvinfo, &cb), 0);
	ck_assert_uint_eq(ddisim_verify_count(), 3);
	cm_intr_detach(ca);
	MACHINE_DOWN();
}
END_TEST

/*
 * KM_SLEEP from an interrupt handler is reported and does not sleep;
 * KM_NOSLEEP is not reported.  The handler counts the reports of each
 * call on its own.
 */
static atomic_ulong nosleep_reports, sleep_reports;
static void
alloc_intr(int ivec)
{
	unsigned long n0, n1;
	void *p;

	(void)ivec;
	n0 = ddisim_verify_count();
	p = kmem_alloc(64, KM_NOSLEEP);
	n1 = ddisim_verify_count();
	atomic_store(&nosleep_reports, n1 - n0);
	kmem_free(p, 64);
	p = kmem_alloc(64, KM_SLEEP);
	atomic_store(&sleep_reports, ddisim_verify_count() - n1);
	kmem_free(p, 64);
}

START_TEST(km_sleep_in_handler_reported)
{
	ddisim_intr_t *h;

	MACHINE_UP("mem=64M,verify=count");
	ddisim_cpu_set(0);
	atomic_store(&nosleep_reports, 99);
	atomic_store(&sleep_reports, 99);
	h = ddisim_intr_register(4, PLDISK, alloc_intr);
	ck_assert_int_eq(ddisim_intr_raise(4), 1);
	ck_assert_uint_eq(atomic_load(&nosleep_reports), 0);
	ck_assert_uint_eq(atomic_load(&sleep_reports), 1);
	ck_assert_uint_eq(ddisim_verify_count(), 1);
	ck_assert_ptr_nonnull(strstr(ddisim_verify_last(),
	    "kmem_alloc: may block, but the caller is an interrupt handler"));
	ddisim_intr_unregister(h);
	MACHINE_DOWN();
}
END_TEST

START_TEST(km_sleep_in_handler_aborts)
{
	MACHINE_UP("mem=64M");
	ddisim_cpu_set(0);
	(void)ddisim_intr_register(4, PLDISK, alloc_intr);
	(void)ddisim_intr_raise(4);
}
END_TEST

/* A handler that returns holding a lock; one that takes the lock the
   context it interrupted holds. */
static lock_t *tk_lock;
static LKINFO_DECL(tk_lkinfo, "tk:intr", 0);

static void
leaky_intr(int ivec)
{
	(void)ivec;
	(void)LOCK(tk_lock, PLHI);
}

static void *
raise6(void *arg)
{
	(void)arg;
	ddisim_cpu_set(1);
	(void)ddisim_intr_raise(6);
	return NULL;
}

START_TEST(handler_lock_misuse_reported)
{
	ddisim_intr_t *h;
	unsigned long n;
	pthread_t t;
	pl_t s;

	MACHINE_UP("mem=64M,verify=count");
	ddisim_cpu_set(0);
	tk_lock = LOCK_ALLOC(1, PLDISK, &tk_lkinfo, KM_SLEEP);
	h = ddisim_intr_register(6, PLHI, leaky_intr);
	n = ddisim_verify_count();
	ck_assert_int_eq(ddisim_intr_raise(6), 1);
	REPORTED(n, "handler returned holding 1 lock");
	ck_assert_int_eq(ddisim_ctx_locks_held(), 0);
	s = TRYLOCK(tk_lock, PLHI);		/* it was released */
	ck_assert_uint_eq(s, PLBASE);
	UNLOCK(tk_lock, s);
	/*
	 * Taken at PLDISK (its minimum, but below the handler's level): the
	 * handler, run by a device thread on the same CPU, would spin
	 * forever on a lock its own CPU's preempted context holds.
	 */
	s = LOCK(tk_lock, PLDISK);
	n = ddisim_verify_count();
	pthread_create(&t, NULL, raise6, NULL);
	pthread_join(t, NULL);
	REPORTED(n, "held by the context this handler interrupted on CPU 0");
	UNLOCK(tk_lock, s);
	ddisim_intr_unregister(h);
	LOCK_DEALLOC(tk_lock);
	MACHINE_DOWN();
}
END_TEST

/*
 * The spl race.  A driver written for a uniprocessor keeps a queue count
 * that both its base-level code and its interrupt handler update with a
 * read-modify-write, protected only by splhi/splx.  A device thread
 * interrupts it thousands of times.  With the spl calls nothing is lost;
 * without them the simulation shows the lost updates.  The loads and
 * stores are relaxed atomics so the race is a logic race, not a data race
 * a thread checker would stop on.
 */
struct spldrv {
	atomic_long	count;		/* the driver's shared counter */
	atomic_long	handled;	/* handler runs */
	atomic_int	in_cs;		/* the base level is inside splhi */
	atomic_long	overlap;	/* handler runs inside it */
	atomic_int	stop;
	bool		use_spl;
	long		iters;
};

static struct spldrv *the_drv;

static void
bump(atomic_long *c)
{
	long v = atomic_load_explicit(c, memory_order_relaxed);

	sched_yield();			/* a long critical section */
	atomic_store_explicit(c, v + 1, memory_order_relaxed);
}

static void
spl_intr(int ivec)
{
	(void)ivec;
	if (atomic_load(&the_drv->in_cs))
		atomic_fetch_add(&the_drv->overlap, 1);
	bump(&the_drv->count);
	atomic_fetch_add(&the_drv->handled, 1);
}

static void *
device_thread(void *arg)
{
	struct spldrv *d = arg;

	while (!atomic_load(&d->stop)) {
		(void)ddisim_intr_raise(7);
		sched_yield();
	}
	return NULL;
}

static long
spl_round(struct spldrv *d)
{
	pthread_t t;
	long i;

	atomic_store(&d->count, 0);
	atomic_store(&d->handled, 0);
	atomic_store(&d->overlap, 0);
	atomic_store(&d->stop, 0);
	pthread_create(&t, NULL, device_thread, d);
	/* Go on until the device has interrupted at least iters/2 times. */
	for (i = 0; i < d->iters || atomic_load(&d->handled) < d->iters / 2;
	    i++) {
		pl_t s = d->use_spl ? splhi() : PLBASE;

		atomic_store(&d->in_cs, d->use_spl);
		bump(&d->count);
		atomic_store(&d->in_cs, 0);
		if (d->use_spl)
			splx(s);
	}
	atomic_store(&d->stop, 1);
	pthread_join(t, NULL);
	return i + atomic_load(&d->handled) - atomic_load(&d->count);
}

START_TEST(spl_protects_against_interrupts)
{
	struct spldrv d = { .use_spl = true,
	    .iters = prop_floor(prop_iters(20000) / 4, 500) };
	ddisim_intr_t *h;
	long lost;

	MACHINE_UP("mem=64M,cpus=2");
	ddisim_cpu_set(0);
	the_drv = &d;
	h = ddisim_intr_register(7, PLDISK, spl_intr);
	lost = spl_round(&d);
	ck_assert_int_eq(lost, 0);
	/* No handler ran inside the splhi section, and each ran once. */
	ck_assert_int_eq(atomic_load(&d.overlap), 0);
	ck_assert_int_eq(atomic_load(&d.handled), (long)ddisim_intr_count(7));
	ck_assert_int_eq(ddisim_intr_pending(7), 0);
	ck_assert_uint_eq(getpl(), PLBASE);
	ddisim_intr_unregister(h);
	MACHINE_DOWN();
}
END_TEST

START_TEST(missing_spl_is_detected)
{
	struct spldrv d = { .use_spl = false,
	    .iters = prop_floor(prop_iters(20000) / 4, 500) };
	ddisim_intr_t *h;
	long lost = 0;

	MACHINE_UP("mem=64M,cpus=2");
	ddisim_cpu_set(0);
	the_drv = &d;
	h = ddisim_intr_register(7, PLDISK, spl_intr);
	for (int round = 0; round < 20 && lost == 0; round++)
		lost = spl_round(&d);
	ck_assert_int_gt(lost, 0);
	ddisim_intr_unregister(h);
	MACHINE_DOWN();
}
END_TEST

/* A device with eight byte registers, a 16-bit FIFO and a 32-bit one. */
struct toydev {
	uint8_t		reg[8];
	uint32_t	fifo[64];
	int		head, tail;
	int		widths_seen;
};

static uint32_t
toy_in(void *arg, int port, int width)
{
	struct toydev *d = arg;

	d->widths_seen |= width;
	if (port - 0x300 < 8 && width == 1)
		return d->reg[port - 0x300];
	return d->fifo[d->head++ % 64];
}

static void
toy_out(void *arg, int port, int width, uint32_t v)
{
	struct toydev *d = arg;

	d->widths_seen |= width;
	if (port - 0x300 < 8 && width == 1)
		d->reg[port - 0x300] = (uint8_t)v;
	else
		d->fifo[d->tail++ % 64] = v;
}

static const struct ddisim_port_ops toy_ops = { toy_in, toy_out };

START_TEST(port_io_dispatch)
{
	struct toydev d = { .head = 0 };
	ddisim_ports_t *p;
	ushort_t w[4] = { 1, 2, 0xfffe, 0x8001 }, wr[4];
	ulong_t l[3] = { 0xdeadbeef, 7, 0 }, lr[3];
	uchar_t b[3] = { 9, 8, 7 }, br[3];

	MACHINE_UP("mem=64M");
	p = ddisim_port_claim(0x300, 16, &toy_ops, &d, "toy");
	ck_assert_ptr_nonnull(p);
	outb(0x302, 0xa5);
	ck_assert_uint_eq(d.reg[2], 0xa5);
	ck_assert_uint_eq(inb(0x302), 0xa5);
	outw(0x308, 0x1234);
	ck_assert_uint_eq(inw(0x308), 0x1234);
	outl(0x30c, 0x89abcdefu);
	ck_assert_uint_eq(inl(0x30c), 0x89abcdefu);
	repoutsw(0x308, w, 4);
	repinsw(0x308, wr, 4);
	ck_assert_mem_eq(w, wr, sizeof(w));
	repoutsd(0x30c, l, 3);
	repinsd(0x30c, lr, 3);
	ck_assert_mem_eq(l, lr, sizeof(l));
	repoutsb(0x30a, b, 3);
	repinsb(0x30a, br, 3);
	ck_assert_mem_eq(b, br, sizeof(b));
	ck_assert_int_eq(d.widths_seen, 1 | 2 | 4);
	ddisim_port_release(p);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	MACHINE_DOWN();
}
END_TEST

START_TEST(port_io_unclaimed_reported)
{
	struct toydev d = { .head = 0 };
	ddisim_ports_t *p;
	unsigned long n;

	MACHINE_UP("mem=64M,verify=count");
	n = ddisim_verify_count();
	ck_assert_uint_eq(inb(0x2e0), 0xff);
	REPORTED(n, "no device claims port 0x2e0");
	ck_assert_uint_eq(inw(0x2e0), 0xffff);
	ck_assert_uint_eq(inl(0x2e0), 0xffffffffu);
	outb(0x2e0, 1);
	REPORTED(n + 3, "write of 0x1 dropped");
	p = ddisim_port_claim(0x300, 16, &toy_ops, &d, "toy");
	n = ddisim_verify_count();
	ck_assert_ptr_null(ddisim_port_claim(0x30f, 2, &toy_ops, &d, "other"));
	REPORTED(n, "already claimed by toy");
	ddisim_port_release(p);
	n = ddisim_verify_count();
	ck_assert_uint_eq(inb(0x300), 0xff);	/* gone with its claim */
	REPORTED(n, "no device claims port 0x300");
	ck_assert_uint_eq(inb(0x10000), 0xff);
	REPORTED(n + 1, "outside the I/O space");
	MACHINE_DOWN();
}
END_TEST

/*
 * A device whose read blocks until the test lets it go, to show that a
 * release waits for an access in progress in another thread.
 */
struct slowdev {
	atomic_int	entered;
	atomic_int	go;
	atomic_int	released;
	atomic_int	releaser;	/* slow_releaser's thread */
	ddisim_ports_t	*ports;
};

static uint32_t
slow_in(void *arg, int port, int width)
{
	struct slowdev *d = arg;

	(void)port;
	(void)width;
	atomic_store(&d->entered, 1);
	while (!atomic_load(&d->go))
		sched_yield();
	return 0x5a;
}

static void
slow_out(void *arg, int port, int width, uint32_t v)
{
	struct slowdev *d = arg;

	(void)port;
	(void)width;
	if (v == 0xdead) {		/* the device unplugs itself */
		ddisim_port_release(d->ports);
		atomic_store(&d->released, 1);
	}
}

static const struct ddisim_port_ops slow_ops = { slow_in, slow_out };

static void *
slow_reader(void *arg)
{
	(void)arg;
	return (void *)(uintptr_t)inb(0x310);
}

static void *
slow_releaser(void *arg)
{
	struct slowdev *d = arg;

	atomic_store(&d->releaser, tid_self());
	ddisim_port_release(d->ports);
	atomic_store(&d->released, 1);
	return NULL;
}

START_TEST(port_release_waits_for_access)
{
	struct slowdev d = { .entered = 0 };
	pthread_t rd, rl;
	void *v;

	MACHINE_UP("mem=64M");
	d.ports = ddisim_port_claim(0x310, 1, &slow_ops, &d, "slow");
	ck_assert_ptr_nonnull(d.ports);
	ck_assert_int_eq(pthread_create(&rd, NULL, slow_reader, NULL), 0);
	while (!atomic_load(&d.entered))
		sched_yield();
	ck_assert_int_eq(pthread_create(&rl, NULL, slow_releaser, &d), 0);
	while (atomic_load(&d.releaser) == 0)
		sched_yield();
	(void)tid_wait_asleep(atomic_load(&d.releaser));
	ck_assert_int_eq(atomic_load(&d.released), 0);
	atomic_store(&d.go, 1);
	ck_assert_int_eq(pthread_join(rd, &v), 0);
	ck_assert_uint_eq((uintptr_t)v, 0x5a);
	ck_assert_int_eq(pthread_join(rl, NULL), 0);
	ck_assert_int_eq(atomic_load(&d.released), 1);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	MACHINE_DOWN();
}
END_TEST

/* A release that waits past the sleeplimit says so, then still waits. */
START_TEST(port_release_wait_reported)
{
	struct slowdev d = { .entered = 0 };
	pthread_t rd, rl;
	unsigned long n;

	MACHINE_UP("mem=64M,sleeplimit=100,verify=count");
	d.ports = ddisim_port_claim(0x310, 1, &slow_ops, &d, "slow");
	ck_assert_ptr_nonnull(d.ports);
	ck_assert_int_eq(pthread_create(&rd, NULL, slow_reader, NULL), 0);
	while (!atomic_load(&d.entered))
		sched_yield();
	n = ddisim_verify_count();
	ck_assert_int_eq(pthread_create(&rl, NULL, slow_releaser, &d), 0);
	while (ddisim_verify_count() == n)
		sched_yield();
	REPORTED(n, "ddisim_port_release: slow: an access in another thread "
	    "has not returned after 100 ms");
	ck_assert_int_eq(atomic_load(&d.released), 0);
	atomic_store(&d.go, 1);
	ck_assert_int_eq(pthread_join(rd, NULL), 0);
	ck_assert_int_eq(pthread_join(rl, NULL), 0);
	ck_assert_int_eq(atomic_load(&d.released), 1);
	ck_assert_uint_eq(ddisim_verify_count(), n + 1);
	MACHINE_DOWN();
}
END_TEST

START_TEST(port_release_inside_own_access)
{
	struct slowdev d = { .go = 1 };
	unsigned long n;

	MACHINE_UP("mem=64M,verify=count");
	d.ports = ddisim_port_claim(0x310, 2, &slow_ops, &d, "slow");
	ck_assert_ptr_nonnull(d.ports);
	ck_assert_uint_eq(inb(0x311), 0x5a);
	outw(0x310, 0xdead);
	ck_assert_int_eq(atomic_load(&d.released), 1);
	n = ddisim_verify_count();
	ck_assert_uint_eq(inb(0x310), 0xff);
	REPORTED(n, "no device claims port 0x310");
	/* The ports are free again: the claim's memory went with them. */
	d.ports = ddisim_port_claim(0x310, 2, &slow_ops, &d, "slow");
	ck_assert_ptr_nonnull(d.ports);
	ddisim_port_release(d.ports);
	MACHINE_DOWN();
}
END_TEST

/* Counts the accesses of a device that answers with its port number. */
struct edgedev {
	int		accesses;
};

static uint32_t
edge_in(void *arg, int port, int width)
{
	struct edgedev *d = arg;

	(void)width;
	d->accesses++;
	return (uint32_t)port;
}

static void
edge_out(void *arg, int port, int width, uint32_t v)
{
	struct edgedev *d = arg;

	(void)port;
	(void)width;
	(void)v;
	d->accesses++;
}

static const struct ddisim_port_ops edge_ops = { edge_in, edge_out };

/*
 * The edges: the first and last interrupt lines at the lowest and highest
 * interrupt levels, the first and last ports, and string transfers of no
 * element, which touch no device.
 */
START_TEST(edges)
{
	struct edgedev d = { .accesses = 0 };
	ddisim_ports_t *lo, *hi;
	ddisim_intr_t *a, *b;
	uchar_t buf[4] = { 0 };

	MACHINE_UP("mem=64M,isadma=0");	/* port 0 free */
	ddisim_cpu_set(0);
	memset(&seen_old, 0, sizeof(seen_old));
	a = ddisim_intr_register(0, PLTIMEOUT, old_intr);
	b = ddisim_intr_register(DDISIM_NIRQ - 1, PLHI, old_intr);
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert_int_eq(ddisim_intr_raise(0), 1);
	ck_assert_uint_eq(seen_old.pl, PLTIMEOUT);
	ck_assert_int_eq(seen_old.ivec, 0);
	ck_assert_int_eq(ddisim_intr_raise(DDISIM_NIRQ - 1), 1);
	ck_assert_uint_eq(seen_old.pl, PLHI);
	ck_assert_int_eq(seen_old.ivec, DDISIM_NIRQ - 1);
	ck_assert_int_eq(seen_old.calls, 2);
	ddisim_intr_unregister(a);
	ddisim_intr_unregister(b);
	ck_assert_int_eq(ddisim_intr_raise(0), -1);	/* no handler left */

	lo = ddisim_port_claim(0, 1, &edge_ops, &d, "lo");
	hi = ddisim_port_claim(0xffff, 1, &edge_ops, &d, "hi");
	ck_assert_ptr_nonnull(lo);
	ck_assert_ptr_nonnull(hi);
	ck_assert_uint_eq(inw(0), 0);
	ck_assert_uint_eq(inl(0xffff), 0xffff);
	outb(0xffff, 1);
	ck_assert_int_eq(d.accesses, 3);
	repinsb(0, buf, 0);
	repoutsb(0xffff, buf, 0);
	ck_assert_int_eq(d.accesses, 3);
	ddisim_port_release(lo);
	ddisim_port_release(hi);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	MACHINE_DOWN();
}
END_TEST

START_TEST(unclaimed_port_aborts)
{
	MACHINE_UP("mem=64M");
	(void)inb(0x2e0);
}
END_TEST

/*
 * Misuse in an interrupt handler, each case twice: under verify=count
 * the report is made once, with its text, and everything is usable
 * afterwards; under the default policy the same call aborts.  The
 * handler records what it saw, for the test to check once it returned.
 * Line 4 runs at PLDISK, line 6 at PLHI.
 */
static LKINFO_DECL(tk_rwinfo, "tk:rw", 0);
static LKINFO_DECL(tk_sleepinfo, "tk:sleep", 0);

static struct {
	int		which;		/* -1: do nothing */
	lock_t		*lk;
	rwlock_t	*rw;
	sleep_t		*sl;
	sv_t		*sv;
	ddisim_intr_t	*cookie;	/* line 4's handler */
	unsigned long	reports;	/* made during the misuse */
	pl_t		pl;		/* level after it */
	int		held;		/* locks held after it */
	int		ret;
	uint64_t	clock;		/* ddisim_clock_now() after it */
} hm;

static struct seen hm_seen;

static void
misuse_intr(int ivec)
{
	unsigned long n = ddisim_verify_count();
	void *cookie = NULL;
	lock_t *lk;
	pl_t s;

	(void)ivec;
	switch (hm.which) {
	case -1:
		return;
	case 0:		/* returns holding a basic lock */
	case 2:		/* the interrupted context holds it: deadlock */
		(void)LOCK(hm.lk, PLHI);
		break;
	case 1:		/* returns holding a read/write lock */
		(void)RW_RDLOCK(hm.rw, PLHI);
		break;
	case 3:		/* UNLOCK below the handler's level */
		s = LOCK(hm.lk, PLHI);
		UNLOCK(hm.lk, PLBASE);
		hm.ret = (int)s;
		break;
	case 4:
		s = RW_WRLOCK(hm.rw, PLHI);
		RW_UNLOCK(hm.rw, PLBASE);
		hm.ret = (int)s;
		break;
	case 5:		/* spl below the handler's level */
		hm.ret = (int)splbase();
		break;
	case 6:
		(void)splhi();
		hm.ret = (int)splx(PLTIMEOUT);
		break;
	case 7:		/* LOCK below the handler's level (line 6) */
		s = LOCK(hm.lk, PLDISK);
		hm.ret = (int)s;
		hm.held = ddisim_ctx_locks_held();
		hm.pl = getpl();
		UNLOCK(hm.lk, s);
		hm.reports = ddisim_verify_count() - n;
		return;
	case 8:		/* the blocking calls: reported, none blocks */
		(void)LOCK(hm.lk, PLDISK);
		SV_WAIT(hm.sv, primed, hm.lk);
		break;
	case 9:
		(void)LOCK(hm.lk, PLDISK);
		hm.ret = SV_WAIT_SIG(hm.sv, primed, hm.lk);
		break;
	case 10:	/* a free sleep lock: taken after the report */
		SLEEP_LOCK(hm.sl, pridisk);
		hm.ret = SLEEP_LOCKOWNED(hm.sl);
		SLEEP_UNLOCK(hm.sl);
		break;
	case 11:
		hm.ret = SLEEP_LOCK_SIG(hm.sl, pridisk);
		if (hm.ret)
			SLEEP_UNLOCK(hm.sl);
		break;
	case 12:
		delay(10);
		break;
	case 13:
		lk = LOCK_ALLOC(5, PLHI, &tk_lkinfo, KM_SLEEP);
		hm.ret = lk != NULL;
		LOCK_DEALLOC(lk);
		break;
	case 14:	/* attaching and detaching from a handler */
		hm.ret = cm_intr_attach(ddisim_intr_key(12, PLDISK),
		    ddi8_intr, &hm_seen, &tk_mp_drvinfo, &cookie);
		break;
	case 15:
		hm.ret = ddisim_intr_register(13, PLDISK, old_intr) != NULL;
		break;
	case 16:
		cm_intr_detach(hm.cookie);
		break;
	case 17:	/* the interrupted context reads it: deadlock */
		hm.ret = (int)RW_WRLOCK(hm.rw, PLHI);
		break;
	case 18:	/* the interrupted context writes it: deadlock */
		hm.ret = (int)RW_RDLOCK(hm.rw, PLHI);
		break;
	case 19:	/* binding waits for handlers: not from one */
		hm.ret = ddisim_intr_bind(4, 0);
		break;
	}
	hm.reports = ddisim_verify_count() - n;
	hm.pl = getpl();
	hm.held = ddisim_ctx_locks_held();
	hm.clock = ddisim_clock_now();
}

#define NINTR_MISUSE	20

static const char *const intr_misuse_text[NINTR_MISUSE] = {
	"interrupt: handler returned holding 1 lock(s); the first was "
	    "taken at ",
	"interrupt: handler returned holding 1 lock(s)",
	"LOCK: lock \"tk:intr\" is held by the context this handler "
	    "interrupted on CPU 0: deadlock",
	"UNLOCK: level 0 is below 5, which the interrupt handler needs",
	"RW_UNLOCK: level 0 is below 5, which the interrupt handler needs",
	"splbase: level 0 is below 5, which the interrupt handler needs",
	"splx: level 1 is below 5, which the interrupt handler needs",
	"LOCK: lock \"tk:intr\": pl 5 would lower the current level 7",
	"SV_WAIT: may block, but the caller is an interrupt handler or "
	    "callout",
	"SV_WAIT_SIG: may block, but the caller is an interrupt handler or "
	    "callout",
	"SLEEP_LOCK: may block, but the caller is an interrupt handler or "
	    "callout",
	"SLEEP_LOCK_SIG: may block, but the caller is an interrupt handler "
	    "or callout",
	"delay: may block, but the caller is an interrupt handler or callout",
	"LOCK_ALLOC: may block, but the caller is an interrupt handler or "
	    "callout",
	"cm_intr_attach: called from interrupt context",
	"ddisim_intr_register: called from interrupt context",
	"cm_intr_detach: called from interrupt context",
	"RW_WRLOCK: read/write lock \"tk:rw\" is held by the context this "
	    "handler interrupted on CPU 0: deadlock",
	"RW_RDLOCK: read/write lock \"tk:rw\" is held by the context this "
	    "handler interrupted on CPU 0: deadlock",
	"ddisim_intr_bind: called from interrupt context",
};

static void
intr_misuse(int which)
{
	ddisim_intr_t *h6;
	unsigned long n;
	uint64_t t0;
	pthread_t t;
	pl_t s;

	ddisim_cpu_set(0);
	memset(&hm, 0, sizeof(hm));
	memset(&hm_seen, 0, sizeof(hm_seen));
	memset(&seen_old, 0, sizeof(seen_old));
	hm.which = which;
	hm.pl = INVPL;
	hm.held = -1;
	hm.ret = -1;
	hm.lk = LOCK_ALLOC(1, PLDISK, &tk_lkinfo, KM_SLEEP);
	hm.rw = RW_ALLOC(2, PLDISK, &tk_rwinfo, KM_SLEEP);
	hm.sl = SLEEP_ALLOC(0, &tk_sleepinfo, KM_SLEEP);
	hm.sv = SV_ALLOC(KM_SLEEP);
	hm.cookie = ddisim_intr_register(4, PLDISK, misuse_intr);
	ck_assert_ptr_nonnull(hm.cookie);
	h6 = ddisim_intr_register(6, PLHI, misuse_intr);
	ck_assert_ptr_nonnull(h6);
	t0 = ddisim_clock_now();
	n = ddisim_verify_count();
	ck_assert_uint_eq(n, 0);
	if (which == 2) {
		/* Held at PLDISK on CPU 0; CPU 1 raises line 6 for CPU 0. */
		s = LOCK(hm.lk, PLDISK);
		pthread_create(&t, NULL, raise6, NULL);
		pthread_join(t, NULL);
		ck_assert_int_eq(ddisim_ctx_locks_held(), 1);
		UNLOCK(hm.lk, s);
	} else if (which == 17 || which == 18) {
		/* The same with a read/write lock, read or written. */
		s = which == 17 ? RW_RDLOCK(hm.rw, PLDISK) :
		    RW_WRLOCK(hm.rw, PLDISK);
		pthread_create(&t, NULL, raise6, NULL);
		pthread_join(t, NULL);
		ck_assert_int_eq(ddisim_ctx_locks_held(), 1);
		RW_UNLOCK(hm.rw, s);
	} else {
		ck_assert_int_eq(ddisim_intr_raise(which == 7 ? 6 : 4), 1);
	}
	REPORTED(n, intr_misuse_text[which]);
	switch (which) {
	case 0:
	case 1:
		/* released, as the report says */
		ck_assert_int_eq(ddisim_ctx_locks_held(), 0);
		break;
	case 2:		/* the level came back, the lock was not taken */
		ck_assert_uint_eq(hm.pl, PLHI);
		ck_assert_int_eq(hm.held, 0);
		break;
	case 3:		/* released at the handler's level */
	case 4:
		ck_assert_int_eq(hm.ret, PLDISK);
		ck_assert_uint_eq(hm.pl, PLDISK);
		ck_assert_int_eq(hm.held, 0);
		break;
	case 5:
	case 6:
		ck_assert_int_eq(hm.ret, which == 5 ? PLDISK : PLHI);
		ck_assert_uint_eq(hm.pl, PLDISK);
		break;
	case 7:		/* taken at the handler's level */
		ck_assert_int_eq(hm.ret, PLHI);
		ck_assert_uint_eq(hm.pl, PLHI);
		ck_assert_int_eq(hm.held, 1);
		break;
	case 8:		/* returned at once, lock given up, at PLBASE */
	case 9:
		ck_assert_int_eq(hm.held, 0);
		ck_assert_uint_eq(hm.pl, PLBASE);
		if (which == 9)
			ck_assert_int_eq(hm.ret, B_TRUE);
		break;
	case 10:
	case 11:
		ck_assert_int_eq(hm.ret, B_TRUE);
		ck_assert(SLEEP_LOCKAVAIL(hm.sl));
		break;
	case 12:	/* no delay: the clock did not move */
		ck_assert_uint_eq(hm.clock, t0);
		ck_assert_uint_eq(hm.pl, PLDISK);
		break;
	case 13:	/* allocated all the same */
		ck_assert_int_eq(hm.ret, 1);
		break;
	case 14:	/* nothing attached */
	case 15:
		ck_assert_int_eq(hm.ret, 0);
		ck_assert_int_eq(ddisim_intr_raise(which == 14 ? 12 : 13), -1);
		break;
	case 16:	/* still attached: the line still reaches it */
		break;
	case 17:	/* not taken; the handler's level came back */
	case 18:
		ck_assert_int_eq(hm.ret, PLHI);
		ck_assert_uint_eq(hm.pl, PLHI);
		ck_assert_int_eq(hm.held, 0);
		break;
	case 19:	/* refused; the line stays where it was */
		ck_assert_int_eq(hm.ret, EDEADLK);
		ck_assert_int_eq(ddisim_intr_bind(4, 0), 0);	/* from here */
		break;
	}
	/* Made by the call in the handler, or after it returned. */
	ck_assert_uint_eq(hm.reports, which < 2 ? 0 : 1);
	/* The handlers still run, and nothing was left held. */
	hm.which = -1;
	ck_assert_int_eq(ddisim_intr_raise(4), 1);
	ck_assert_int_eq(ddisim_intr_raise(6), 1);
	s = TRYLOCK(hm.lk, PLHI);
	ck_assert_uint_eq(s, PLBASE);
	UNLOCK(hm.lk, s);
	s = RW_TRYWRLOCK(hm.rw, PLHI);
	ck_assert_uint_eq(s, PLBASE);
	RW_UNLOCK(hm.rw, s);
	ck_assert(SLEEP_TRYLOCK(hm.sl));
	SLEEP_UNLOCK(hm.sl);
	ddisim_intr_unregister(hm.cookie);
	ddisim_intr_unregister(h6);
	SV_DEALLOC(hm.sv);
	SLEEP_DEALLOC(hm.sl);
	RW_DEALLOC(hm.rw);
	LOCK_DEALLOC(hm.lk);
	ck_assert_uint_eq(ddisim_verify_count(), n + 1);
	ck_assert_uint_eq(getpl(), PLBASE);
	ck_assert_int_eq(ddisim_ctx_locks_held(), 0);
	ck_assert_int_eq(ddisim_ctx_in_intr(), 0);
}

START_TEST(intr_misuse_counted)
{
	MACHINE_UP("mem=64M,cpus=2,verify=count");
	intr_misuse(_i);
	MACHINE_DOWN();
}
END_TEST

START_TEST(intr_misuse_aborts)
{
	MACHINE_UP("mem=64M,cpus=2");
	intr_misuse(_i);
}
END_TEST

/*
 * Misuse of the interrupt controller and of the ports, both ways.  Line
 * 11 has a handler that is not D_MP, at PLSTR; it still works afterwards.
 */
#define NCTL_MISUSE	16

static void
ctl_misuse(int which)
{
	struct seen a = { .ret = ISTAT_ASSERTED };
	void *ca = NULL, *cb = NULL;
	unsigned long n;
	rm_key_t key;

	ddisim_cpu_set(0);
	memset(&seen_old, 0, sizeof(seen_old));
	key = ddisim_intr_key(11, PLSTR);
	ck_assert_int_eq(cm_intr_attach(key, ddi8_intr, &a, &tk_drvinfo, &ca),
	    1);
	n = ddisim_verify_count();
	ck_assert_uint_eq(n, 0);
	switch (which) {
	case 0:
		ck_assert_int_eq(ddisim_intr_raise(DDISIM_NIRQ), -1);
		REPORTED(n, "ddisim_intr_raise: interrupt line 64 is outside "
		    "0..63");
		break;
	case 1:
		ck_assert_int_eq(ddisim_intr_pending(-1), 0);
		REPORTED(n, "ddisim_intr_pending: interrupt line -1 is "
		    "outside 0..63");
		break;
	case 2:
		ck_assert_uint_eq(ddisim_intr_count(DDISIM_NIRQ), 0);
		REPORTED(n, "interrupt line 64 is outside 0..63");
		break;
	case 3:
		ck_assert_ptr_null(ddisim_intr_register(3, PLBASE, old_intr));
		REPORTED(n, "level 0 is not an interrupt level (PLBASE < pl "
		    "<= PLHI)");
		break;
	case 4:
		ck_assert_ptr_null(ddisim_intr_register(3, PLHI + 1,
		    old_intr));
		REPORTED(n, "level 8 is not an interrupt level");
		break;
	case 5:
		ck_assert_ptr_null(ddisim_intr_register(3, PLDISK, NULL));
		REPORTED(n, "ddisim_intr_register: NULL handler");
		break;
	case 6:
		ddisim_intr_unregister(NULL);
		REPORTED(n, "ddisim_intr_unregister: NULL cookie");
		break;
	case 7:
		ck_assert_int_eq(cm_intr_attach(key, NULL, &a, &tk_drvinfo,
		    &cb), 0);
		REPORTED(n, "cm_intr_attach: NULL handler");
		break;
	case 8:
		ck_assert_int_eq(cm_intr_attach(key, ddi8_intr, &a, NULL, &cb),
		    0);
		REPORTED(n, "cm_intr_attach: NULL drvinfo");
		break;
	case 9:
		ck_assert_int_eq(cm_intr_attach(12345, ddi8_intr, &a,
		    &tk_drvinfo, &cb), 0);
		REPORTED(n, "key 0x3039 has no interrupt (no CM_IRQ and "
		    "CM_IPL)");
		break;
	case 10:	/* a shared line keeps its level */
		ck_assert_int_eq(cm_intr_attach(ddisim_intr_key(11, PLHI),
		    ddi8_intr, &a, &tk_mp_drvinfo, &cb), 0);
		REPORTED(n, "line 11 is shared at level 6; cannot attach at 7");
		break;
	case 11:	/* not D_MP: stays on CPU 0 */
		ck_assert_int_eq(ddisim_intr_bind(11, 1), EPERM);
		REPORTED(n, "line 11 has a handler that is not D_MP; it stays "
		    "on CPU 0");
		break;
	case 12:
		ck_assert_int_eq(ddisim_intr_bind(11, 2), EINVAL);
		REPORTED(n, "ddisim_intr_bind: CPU 2 is outside 0..1");
		break;
	case 13:
		ck_assert_uint_eq(ddisim_intr_deliver(-1), 0);
		REPORTED(n, "ddisim_intr_deliver: CPU -1 is outside 0..1");
		break;
	case 14:
		ck_assert_uint_eq(ddisim_intr_key(DDISIM_NIRQ, PLDISK), 0);
		REPORTED(n, "ddisim_intr_key: interrupt line 64 is outside "
		    "0..63");
		break;
	case 15:
		ck_assert_uint_eq(ddisim_intr_key(1, PLBASE), 0);
		REPORTED(n, "ddisim_intr_key: level 0 is not an interrupt "
		    "level");
		break;
	}
	/* Nothing else was attached; line 11 still runs on CPU 0. */
	ck_assert_ptr_null(cb);
	ck_assert_int_eq(ddisim_intr_raise(3), -1);
	ck_assert_int_eq(ddisim_intr_raise(11), 1);
	ck_assert_int_eq(atomic_load(&a.calls), 1);
	ck_assert_uint_eq(a.pl, PLSTR);
	cm_intr_detach(ca);
	ck_assert_int_eq(ddisim_intr_raise(11), -1);
	ck_assert_uint_eq(ddisim_verify_count(), n + 1);
}

START_TEST(ctl_misuse_counted)
{
	MACHINE_UP("mem=64M,cpus=2,verify=count");
	ctl_misuse(_i);
	MACHINE_DOWN();
}
END_TEST

START_TEST(ctl_misuse_aborts)
{
	MACHINE_UP("mem=64M,cpus=2");
	ctl_misuse(_i);
}
END_TEST

#define NPORT_MISUSE	10

static void
port_misuse(int which)
{
	static const struct ddisim_port_ops half_ops = { toy_in, NULL };
	struct toydev d = { .head = 0 };
	ddisim_ports_t *p;
	uchar_t b[4] = { 1, 2, 3, 4 };
	unsigned long n;

	p = ddisim_port_claim(0x300, 16, &toy_ops, &d, "toy");
	ck_assert_ptr_nonnull(p);
	n = ddisim_verify_count();
	ck_assert_uint_eq(n, 0);
	switch (which) {
	case 0:
		ck_assert_ptr_null(ddisim_port_claim(0x400, 0, &toy_ops, &d,
		    "x"));
		REPORTED(n, "bad claim: ports 0x400+0");
		break;
	case 1:
		ck_assert_ptr_null(ddisim_port_claim(0xfff0, 32, &toy_ops, &d,
		    "x"));
		REPORTED(n, "bad claim: ports 0xfff0+32");
		break;
	case 2:
		ck_assert_ptr_null(ddisim_port_claim(0x400, 4, &half_ops, &d,
		    "x"));
		REPORTED(n, "bad claim: ports 0x400+4");
		break;
	case 3:
		ck_assert_ptr_null(ddisim_port_claim(0x2f8, 9, &toy_ops, &d,
		    "x"));
		REPORTED(n, "port 0x300 is already claimed by toy");
		break;
	case 4:
		ck_assert_uint_eq(inw(0x10000), 0xffff);
		REPORTED(n, "inw: port 0x10000 is outside the I/O space");
		break;
	case 5:
		outl(-1, 7);
		REPORTED(n, "outl: port 0xffffffff is outside the I/O space "
		    "(write of 0x7 dropped)");
		break;
	case 6:
		outw(0x2e0, 0x1234);
		REPORTED(n, "outw: no device claims port 0x2e0 (write of 0x1234 "
		    "dropped)");
		break;
	case 7:
		repinsb(0x300, NULL, 3);
		REPORTED(n, "repinsb: bad buffer (nil) or count 3");
		break;
	case 8:		/* nothing is read */
		repinsb(0x300, b, -1);
		REPORTED(n, "repinsb: bad buffer");
		ck_assert_uint_eq(b[0], 1);
		break;
	case 9:		/* nothing is written */
		repoutsw(0x308, (ushort_t *)b, -2);
		REPORTED(n, "repoutsw: bad buffer");
		ck_assert_int_eq(d.tail, 0);
		break;
	}
	/* The claim still works; a count of 0 is no misuse. */
	repinsb(0x300, NULL, 0);
	outb(0x301, 0x5a);
	ck_assert_uint_eq(inb(0x301), 0x5a);
	ddisim_port_release(p);
	p = ddisim_port_claim(0x400, 4, &toy_ops, &d, "again");
	ck_assert_ptr_nonnull(p);
	ddisim_port_release(p);
	ck_assert_uint_eq(ddisim_verify_count(), n + 1);
}

START_TEST(port_misuse_counted)
{
	MACHINE_UP("mem=64M,verify=count");
	port_misuse(_i);
	MACHINE_DOWN();
}
END_TEST

START_TEST(port_misuse_aborts)
{
	MACHINE_UP("mem=64M");
	port_misuse(_i);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("intr");
	TCase *tc;

	tc = tcase_new("core");
	tcase_add_test(tc, delivery_and_masking);
	tcase_add_test(tc, deterministic_mode);
	tcase_add_test(tc, levels_nest);
	tcase_add_test(tc, ddi8_attach_shared_line);
	tcase_add_test(tc, port_io_dispatch);
	tcase_add_test(tc, port_release_waits_for_access);
	tcase_add_test(tc, port_release_inside_own_access);
	tcase_add_test(tc, port_release_wait_reported);
	suite_add_tcase(s, tc);

	tc = tcase_new("limits");
	tcase_add_test(tc, edges);
	suite_add_tcase(s, tc);

	tc = tcase_new("spl_race");
	tcase_add_test(tc, spl_protects_against_interrupts);
	tcase_add_test(tc, missing_spl_is_detected);
	suite_add_tcase(s, tc);

	tc = tcase_new("misuse");
	tcase_add_test(tc, km_sleep_in_handler_reported);
	tcase_add_test(tc, handler_lock_misuse_reported);
	tcase_add_test(tc, port_io_unclaimed_reported);
	TCASE_ADD_MISUSE(tc, intr_misuse_counted, intr_misuse_aborts,
	    NINTR_MISUSE);
	TCASE_ADD_MISUSE(tc, ctl_misuse_counted, ctl_misuse_aborts,
	    NCTL_MISUSE);
	TCASE_ADD_MISUSE(tc, port_misuse_counted, port_misuse_aborts,
	    NPORT_MISUSE);
	if (!nofork()) {
		tcase_add_test_raise_signal(tc, km_sleep_in_handler_aborts,
		    SIGABRT);
		tcase_add_test_raise_signal(tc, unclaimed_port_aborts,
		    SIGABRT);
	}
	suite_add_tcase(s, tc);
	return run_suite(s) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
