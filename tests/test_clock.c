/*
 * test_clock.c - simulated time: lbolt, drv_getparm, tick conversions,
 * drv_usecwait, delay, timeout, itimeout, dtimeout, untimeout.  Built as
 * a DDI 7.2 driver, the last version that has all three timeout calls,
 * with -DDEBUG.
 */
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <time.h>
#include <unistd.h>

#include <sys/types.h>
#include <sys/kmem.h>
#include <sys/ksynch.h>
#include <sys/conf.h>
#include <sys/ddi.h>

#include "check_util.h"

#define TICK	10000u		/* us; HZ is 100 */

#define REPORTED(before, text) do {					\
	ck_assert_uint_eq(ddisim_verify_count(), (before) + 1);		\
	ck_assert_msg(strstr(ddisim_verify_last(), (text)) != NULL,	\
	    "report \"%s\" lacks \"%s\"", ddisim_verify_last(), (text)); \
} while (0)

struct shot {
	atomic_int	fired;
	clock_t		at;		/* lbolt when it ran */
	pl_t		pl;
	int		in_intr;
	toid_t		self;		/* for the self-cancelling one */
	int		stop_after;
};

static void
shot_fn(void *arg)
{
	struct shot *s = arg;

	(void)drv_getparm(LBOLT, &s->at);
	s->pl = getpl();
	s->in_intr = ddisim_ctx_in_intr();
	if (atomic_fetch_add(&s->fired, 1) + 1 == s->stop_after)
		untimeout(s->self);
}

START_TEST(itimeout_fires_on_its_tick)
{
	struct shot s = { .fired = 0 };
	clock_t now;
	toid_t id;

	MACHINE_UP("mem=64M");
	ck_assert_uint_eq(ddisim_clock_now(), 0);
	ddisim_clock_advance(TICK / 2);		/* mid-tick */
	id = itimeout(shot_fn, &s, 3, PLTIMEOUT);
	ck_assert_int_ne(id, 0);
	ck_assert_uint_eq(ddisim_clock_callouts(), 1);
	ddisim_clock_advance(2 * TICK);		/* lbolt 2: not yet */
	ck_assert_int_eq(atomic_load(&s.fired), 0);
	ddisim_clock_advance(TICK);		/* lbolt 3 */
	ck_assert_int_eq(atomic_load(&s.fired), 1);
	ck_assert_int_eq(s.at, 3);
	ck_assert_uint_eq(s.pl, PLTIMEOUT);
	ck_assert_int_eq(s.in_intr, 1);
	ck_assert_uint_eq(ddisim_clock_callouts(), 0);
	ck_assert_int_eq(drv_getparm(LBOLT, &now), 0);
	ck_assert_int_eq(now, 3);
	ck_assert_int_eq(lbolt, 3);
	ddisim_clock_advance(100 * TICK);
	ck_assert_int_eq(atomic_load(&s.fired), 1);
	untimeout(id);				/* fired: ignored */
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	MACHINE_DOWN();
}
END_TEST

START_TEST(periodic_and_cancel)
{
	struct shot s = { .fired = 0 }, t = { .fired = 0, .stop_after = 3 };
	toid_t id;

	MACHINE_UP("mem=64M");
	id = itimeout(shot_fn, &s, 2 | TO_PERIODIC, PLSTR);
	ddisim_clock_advance(10 * TICK);
	ck_assert_int_eq(atomic_load(&s.fired), 5);
	ck_assert_int_eq(s.at, 10);
	ck_assert_uint_eq(s.pl, PLSTR);
	untimeout(id);
	ddisim_clock_advance(10 * TICK);
	ck_assert_int_eq(atomic_load(&s.fired), 5);
	/* One that cancels itself from its third run. */
	t.self = itimeout(shot_fn, &t, 1 | TO_PERIODIC, PLTIMEOUT);
	ddisim_clock_advance(10 * TICK);
	ck_assert_int_eq(atomic_load(&t.fired), 3);
	/* Cancelled before it is due: never runs. */
	id = itimeout(shot_fn, &s, 1, PLTIMEOUT);
	untimeout(id);
	ddisim_clock_advance(10 * TICK);
	ck_assert_int_eq(atomic_load(&s.fired), 5);
	ck_assert_uint_eq(ddisim_clock_callouts(), 0);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	MACHINE_DOWN();
}
END_TEST

START_TEST(callouts_wait_for_the_level)
{
	struct shot s = { .fired = 0 }, h = { .fired = 0 };
	struct shot d = { .fired = 0 };
	pl_t pl;

	MACHINE_UP("mem=64M,cpus=2");
	ddisim_set_cpu(0);
	(void)itimeout(shot_fn, &s, 1, PLDISK);
	(void)timeout(shot_fn, &h, 1);
	pl = splhi();
	ddisim_clock_advance(5 * TICK);
	ck_assert_int_eq(atomic_load(&s.fired), 0);
	ck_assert_int_eq(atomic_load(&h.fired), 0);
	(void)splstr();				/* PLDISK still masked */
	ck_assert_int_eq(atomic_load(&h.fired), 1);
	ck_assert_uint_eq(h.pl, PLHI);		/* timeout runs at PLHI */
	ck_assert_int_eq(atomic_load(&s.fired), 0);
	splx(pl);
	ck_assert_int_eq(atomic_load(&s.fired), 1);
	ck_assert_int_eq(s.at, 5);		/* ran late, at lbolt 5 */
	/*
	 * dtimeout runs on the CPU it names: CPU 1 is not masked, and takes
	 * it while this context still sits at PLHI on CPU 0.
	 */
	pl = splhi();
	ck_assert_int_ne(dtimeout(shot_fn, &d, 1, PLTIMEOUT, 1), 0);
	ddisim_clock_advance(TICK);
	while (atomic_load(&d.fired) == 0)
		sched_yield();
	ck_assert_uint_eq(getpl(), PLHI);
	splx(pl);
	ck_assert_int_eq(dtimeout(shot_fn, &d, 1, PLTIMEOUT, 2), 0);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	MACHINE_DOWN();
}
END_TEST

START_TEST(usecwait_and_delay_move_time)
{
	struct shot s = { .fired = 0 };
	time_t t0, t1;

	MACHINE_UP("mem=64M");
	ck_assert_int_eq(drv_getparm(TIME, &t0), 0);
	(void)itimeout(shot_fn, &s, 2, PLTIMEOUT);
	drv_usecwait(15000);
	ck_assert_uint_eq(ddisim_clock_now(), 15000);
	ck_assert_int_eq(atomic_load(&s.fired), 0);
	drv_usecwait(5000);
	ck_assert_int_eq(atomic_load(&s.fired), 1);
	delay(300);
	ck_assert_uint_eq(ddisim_clock_now(), 302 * TICK);
	ck_assert_int_eq(drv_getparm(TIME, &t1), 0);
	ck_assert_int_ge(t1 - t0, 3);
	ck_assert_int_eq(drv_usectohz(0), 0);
	ck_assert_int_eq(drv_usectohz(1), 1);
	ck_assert_int_eq(drv_usectohz(10000), 1);
	ck_assert_int_eq(drv_usectohz(10001), 2);
	ck_assert_int_eq(drv_hztousec(3), 30000);
	ck_assert_int_eq(drv_hztousec(drv_usectohz(123456)), 130000);
	MACHINE_DOWN();
}
END_TEST

static void
param_intr(int ivec)
{
	pid_t pid;
	clock_t lb;

	(void)ivec;
	ck_assert_int_eq(drv_getparm(LBOLT, &lb), 0);
	ck_assert_int_eq(drv_getparm(PPID, &pid), -1);	/* reported */
}

START_TEST(getparm_values_and_limits)
{
	size_t sz;
	pid_t pid;
	void *p;
	char *hw;
	unsigned long n;
	ddisim_intr_t *h;

	MACHINE_UP("mem=64M,verify=count");
	ck_assert_int_eq(drv_getparm(PPID, &pid), 0);
	ck_assert_int_eq(pid, getpid());
	ck_assert_int_eq(drv_getparm(UPROCP, &p), 0);
	ck_assert_ptr_null(p);
	ck_assert_int_eq(drv_getparm(SYSCRED, &p), 0);
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(drv_getparm(DRV_MAXBIOSIZE, &sz), 0);
	ck_assert_uint_gt(sz, 0);
	ck_assert_int_eq(drv_getparm(HW_PROVIDER, &hw), 0);
	ck_assert_ptr_nonnull(hw);
	ck_assert_int_eq(drv_getparm(999, &sz), -1);
	ck_assert_int_eq(drv_setparm(SYSRINT, 5), 0);
	ck_assert_int_eq(drv_setparm(999, 5), -1);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	ddisim_set_cpu(0);
	h = ddisim_intr_register(3, PLDISK, param_intr);
	n = ddisim_verify_count();
	ck_assert_int_eq(ddisim_intr_raise(3), 1);
	REPORTED(n, "needs user context");
	ddisim_intr_unregister(h);
	MACHINE_DOWN();
}
END_TEST

START_TEST(timeout_misuse_reported)
{
	struct shot s = { .fired = 0 };
	unsigned long n;

	MACHINE_UP("mem=64M,verify=count");
	n = ddisim_verify_count();
	ck_assert_int_eq(itimeout(shot_fn, &s, 1, PLBASE), 0);
	REPORTED(n, "not in PLTIMEOUT..PLHI");
	ck_assert_int_eq(itimeout(NULL, &s, 1, PLHI), 0);
	REPORTED(n + 1, "NULL function");
	untimeout(4242);
	REPORTED(n + 2, "never returned");
	ck_assert_int_eq(timeout(shot_fn, &s, 1 | TO_PERIODIC), 0);
	REPORTED(n + 3, "TO_PERIODIC is for itimeout");
	ck_assert_uint_eq(ddisim_clock_callouts(), 0);
	MACHINE_DOWN();
}
END_TEST

/*
 * untimeout racing with expiry: one thread moves the clock a tick at a
 * time while another sets one-tick callouts and cancels them at random
 * moments.  Once untimeout returns the callout is not running and never
 * will: every callout ran once or not at all, and none ran after its
 * untimeout returned.
 */
#define RACE_N	4096
struct race {
	atomic_int	state[RACE_N];	/* 0 set, 1 running, 2 ran */
	atomic_int	late;		/* ran after untimeout returned */
	atomic_int	cancelled[RACE_N];
	atomic_int	stop;
};

static struct race race;

static void
race_fn(void *arg)
{
	int i = (int)(intptr_t)arg;

	if (atomic_load(&race.cancelled[i]))
		atomic_store(&race.late, 1);
	atomic_store(&race.state[i], 1);
	sched_yield();
	atomic_store(&race.state[i], 2);
}

static void *
ticker(void *arg)
{
	(void)arg;
	while (!atomic_load(&race.stop)) {
		ddisim_clock_advance(TICK);
		sched_yield();
	}
	return NULL;
}

START_TEST(untimeout_races_expiry)
{
	int n = (int)prop_iters(20000) / 5;
	unsigned seed = 12345;
	int ran = 0, cancelled_first = 0;
	pthread_t t;

	if (n > RACE_N)
		n = RACE_N;
	MACHINE_UP("mem=64M,cpus=2");
	memset(&race, 0, sizeof(race));
	pthread_create(&t, NULL, ticker, NULL);
	for (int i = 0; i < n; i++) {
		toid_t id = itimeout(race_fn, (void *)(intptr_t)i, 1,
		    PLTIMEOUT);

		for (unsigned spin = (seed = seed * 1103515245 + 12345) >> 26;
		    spin > 0; spin--)
			sched_yield();
		untimeout(id);
		ck_assert_int_ne(atomic_load(&race.state[i]), 1);
		atomic_store(&race.cancelled[i], 1);
	}
	atomic_store(&race.stop, 1);
	pthread_join(t, NULL);
	ddisim_clock_advance(10 * TICK);
	for (int i = 0; i < n; i++) {
		ran += atomic_load(&race.state[i]) == 2;
		cancelled_first += atomic_load(&race.state[i]) == 0;
	}
	ck_assert_int_gt(ran, 0);
	ck_assert_int_gt(cancelled_first, 0);
	ck_assert_int_eq(atomic_load(&race.late), 0);
	ck_assert_int_eq(ran + cancelled_first, n);
	ck_assert_uint_eq(ddisim_clock_callouts(), 0);
	MACHINE_DOWN();
}
END_TEST

START_TEST(realtime_clock)
{
	struct shot s = { .fired = 0 };
	struct timespec a, b;
	uint64_t t0;

	MACHINE_UP("mem=64M");
	ddisim_clock_realtime(1);
	t0 = ddisim_clock_now();
	(void)itimeout(shot_fn, &s, 2, PLTIMEOUT);
	clock_gettime(CLOCK_MONOTONIC, &a);
	delay(5);
	clock_gettime(CLOCK_MONOTONIC, &b);
	ck_assert_int_ge((b.tv_sec - a.tv_sec) * 1000000000L +
	    (b.tv_nsec - a.tv_nsec), 30000000L);
	ck_assert_int_eq(atomic_load(&s.fired), 1);
	ck_assert_uint_ge(ddisim_clock_now() - t0, 4 * TICK);
	ddisim_clock_realtime(0);
	t0 = ddisim_clock_now();
	ddisim_clock_advance(TICK);
	ck_assert_uint_eq(ddisim_clock_now(), t0 + TICK);
	MACHINE_DOWN();
}
END_TEST

/* The DDI 5-7 cm_intr_attach: a vector-taking handler, devflag. */
static atomic_int old_calls;
static int old_vec;
static void
old_intr(int ivec)
{
	old_vec = ivec;
	atomic_fetch_add(&old_calls, 1);
}

START_TEST(cm_intr_attach_ddi7)
{
	int devflag = D_MP;
	void *cookie;

	MACHINE_UP("mem=64M");
	ddisim_set_cpu(0);
	ck_assert_int_eq(cm_intr_attach(ddisim_intr_key(14, PLDISK), old_intr,
	    &devflag, &cookie), 1);
	ck_assert_int_eq(ddisim_intr_bind(14, 1), 0);	/* D_MP may move */
	ck_assert_int_eq(ddisim_intr_raise(14), 1);
	ck_assert_int_eq(atomic_load(&old_calls), 1);
	ck_assert_int_eq(old_vec, 14);
	cm_intr_detach(cookie);
	MACHINE_DOWN();
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("clock");
	TCase *tc;

	tc = tcase_new("core");
	tcase_add_test(tc, itimeout_fires_on_its_tick);
	tcase_add_test(tc, periodic_and_cancel);
	tcase_add_test(tc, callouts_wait_for_the_level);
	tcase_add_test(tc, usecwait_and_delay_move_time);
	tcase_add_test(tc, realtime_clock);
	tcase_add_test(tc, cm_intr_attach_ddi7);
	suite_add_tcase(s, tc);

	tc = tcase_new("limits");
	tcase_add_test(tc, getparm_values_and_limits);
	tcase_add_test(tc, untimeout_races_expiry);
	suite_add_tcase(s, tc);

	tc = tcase_new("misuse");
	tcase_add_test(tc, timeout_misuse_reported);
	suite_add_tcase(s, tc);
	return run_suite(s) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
