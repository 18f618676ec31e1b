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

#include "check_util.h"

#define REPORTED(before, text) do {					\
	ck_assert_uint_eq(ddisim_verify_count(), (before) + 1);		\
	ck_assert_msg(strstr(ddisim_verify_last(), (text)) != NULL,	\
	    "report \"%s\" lacks \"%s\"", ddisim_verify_last(), (text)); \
} while (0)

static drvinfo_t tk_drvinfo = { NULL, "tk", 0 };
static drvinfo_t tk_mp_drvinfo = { NULL, "tkmp", D_MP };

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
	ddisim_set_cpu(0);
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
	ddisim_set_cpu(1);
	s = splhi();
	(void)ddisim_intr_raise(5);
	while (atomic_load(&seen_old.calls) < 3)
		sched_yield();
	splx(s);
	ddisim_set_cpu(0);
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
	ddisim_set_cpu(0);
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
	ddisim_set_cpu(0);
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
	ddisim_set_cpu(0);
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
 * KM_NOSLEEP is not reported.
 */
static atomic_ulong handler_reports;
static void
alloc_intr(int ivec)
{
	unsigned long n = ddisim_verify_count();
	void *p = kmem_alloc(64, KM_NOSLEEP);

	(void)ivec;
	if (ddisim_verify_count() != n)
		atomic_store(&handler_reports, 100);
	kmem_free(p, 64);
	p = kmem_alloc(64, KM_SLEEP);
	atomic_store(&handler_reports, ddisim_verify_count() - n);
	kmem_free(p, 64);
}

START_TEST(km_sleep_in_handler_reported)
{
	ddisim_intr_t *h;

	MACHINE_UP("mem=64M,verify=count");
	ddisim_set_cpu(0);
	h = ddisim_intr_register(4, PLDISK, alloc_intr);
	ck_assert_int_eq(ddisim_intr_raise(4), 1);
	ck_assert_uint_eq(atomic_load(&handler_reports), 1);
	ck_assert_ptr_nonnull(strstr(ddisim_verify_last(),
	    "interrupt handler"));
	ddisim_intr_unregister(h);
	MACHINE_DOWN();
}
END_TEST

START_TEST(km_sleep_in_handler_aborts)
{
	MACHINE_UP("mem=64M");
	ddisim_set_cpu(0);
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
	ddisim_set_cpu(1);
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
	ddisim_set_cpu(0);
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
	atomic_store(&d->stop, 0);
	pthread_create(&t, NULL, device_thread, d);
	/* Go on until the device has interrupted at least iters/2 times. */
	for (i = 0; i < d->iters || atomic_load(&d->handled) < d->iters / 2;
	    i++) {
		pl_t s = d->use_spl ? splhi() : PLBASE;

		bump(&d->count);
		if (d->use_spl)
			splx(s);
	}
	atomic_store(&d->stop, 1);
	pthread_join(t, NULL);
	return i + atomic_load(&d->handled) - atomic_load(&d->count);
}

START_TEST(spl_protects_against_interrupts)
{
	struct spldrv d = { .use_spl = true, .iters = prop_iters(20000) / 4 };
	ddisim_intr_t *h;
	long lost;

	if (d.iters < 500)
		d.iters = 500;
	MACHINE_UP("mem=64M,cpus=2");
	ddisim_set_cpu(0);
	the_drv = &d;
	h = ddisim_intr_register(7, PLDISK, spl_intr);
	lost = spl_round(&d);
	ck_assert_int_eq(lost, 0);
	ck_assert_int_ge(atomic_load(&d.handled), d.iters / 2);
	ck_assert_uint_eq(getpl(), PLBASE);
	ddisim_intr_unregister(h);
	MACHINE_DOWN();
}
END_TEST

START_TEST(missing_spl_is_detected)
{
	struct spldrv d = { .use_spl = false, .iters = prop_iters(20000) / 4 };
	ddisim_intr_t *h;
	long lost = 0;

	if (d.iters < 500)
		d.iters = 500;
	MACHINE_UP("mem=64M,cpus=2");
	ddisim_set_cpu(0);
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
	ck_assert_uint_eq(inb(0x80), 0xff);
	REPORTED(n, "no device claims port 0x80");
	ck_assert_uint_eq(inw(0x80), 0xffff);
	ck_assert_uint_eq(inl(0x80), 0xffffffffu);
	outb(0x80, 1);
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
	for (int i = 0; i < 2000; i++)	/* give the release every chance */
		sched_yield();
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

START_TEST(unclaimed_port_aborts)
{
	MACHINE_UP("mem=64M");
	(void)inb(0x80);
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
	suite_add_tcase(s, tc);

	tc = tcase_new("spl_race");
	tcase_add_test(tc, spl_protects_against_interrupts);
	tcase_add_test(tc, missing_spl_is_detected);
	suite_add_tcase(s, tc);

	tc = tcase_new("misuse");
	tcase_add_test(tc, km_sleep_in_handler_reported);
	tcase_add_test(tc, handler_lock_misuse_reported);
	tcase_add_test(tc, port_io_unclaimed_reported);
	if (!nofork()) {
		tcase_add_test_raise_signal(tc, km_sleep_in_handler_aborts,
		    SIGABRT);
		tcase_add_test_raise_signal(tc, unclaimed_port_aborts,
		    SIGABRT);
	}
	suite_add_tcase(s, tc);
	return run_suite(s) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
