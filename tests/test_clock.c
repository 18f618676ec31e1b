/*
 * test_clock.c - simulated time: lbolt, drv_getparm, tick conversions,
 * drv_usecwait, delay, timeout, itimeout, dtimeout, untimeout.  Built as
 * a DDI 7.2 driver, the last version that has all three timeout calls,
 * with -DDEBUG.
 */
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include <sys/types.h>
#include <sys/kmem.h>
#include <sys/ksynch.h>
#include <sys/conf.h>
#include <sys/ddi.h>

#include "exports.h"		/* names the version here does not declare */
#include "lib/testutil.h"

#define TICK	10000u		/* us; HZ is 100 */

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

/*
 * Callouts still scheduled are listed with the code that set them and
 * counted by ddisim_leak_report; shutdown drops them.
 */
START_TEST(pending_timeouts_listed)
{
	struct shot s = { .fired = 0 };
	toid_t once, every, gone, fired;
	char *text, want[160];

	MACHINE_UP("mem=64M");
	fired = itimeout(shot_fn, &s, 1, PLTIMEOUT);
	once = itimeout(shot_fn, &s, 5, PLTIMEOUT);
	every = itimeout(shot_fn, &s, 3 | TO_PERIODIC, PLSTR);
	gone = timeout(shot_fn, &s, 2);
	untimeout(gone);			/* cancelled: not listed */
	ddisim_clock_advance(TICK);		/* fired runs: not listed */
	ck_assert_int_eq(atomic_load(&s.fired), 1);
	ck_assert_uint_eq(ddisim_leak_report(NULL), 2);
	ck_assert_uint_eq(leak_report_text(&text), 2);
	snprintf(want, sizeof(want), "ddicompat: leak: itimeout %d pending "
	    "(calls ", once);
	ck_assert_contains(text, want);
	ck_assert_contains(text, " in 4 ticks), scheduled by ");
	snprintf(want, sizeof(want), "ddicompat: leak: itimeout %d pending "
	    "(calls ", every);
	ck_assert_contains(text, want);
	ck_assert_contains(text, " in 2 ticks, then every 3), scheduled by ");
	ck_assert_contains(text, "ddicompat: 2 timeouts still pending at "
	    "shutdown\n");
	snprintf(want, sizeof(want), "itimeout %d ", fired);
	ck_assert_ptr_null(strstr(text, want));
	free(text);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	ddisim_shutdown();
	MACHINE_UP("mem=64M");
	ck_assert_uint_eq(ddisim_clock_callouts(), 0);
	ddisim_clock_advance(100 * TICK);	/* none of them runs */
	ck_assert_int_eq(atomic_load(&s.fired), 1);
	MACHINE_DOWN();
}
END_TEST

START_TEST(callouts_wait_for_the_level)
{
	struct shot s = { .fired = 0 }, h = { .fired = 0 };
	struct shot d = { .fired = 0 };
	pl_t pl;

	MACHINE_UP("mem=64M,cpus=2");
	ddisim_cpu_set(0);
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
	ddisim_cpu_set(0);
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
	/* 400: enough for both ends of the race to be met */
	int n = (int)prop_floor(prop_iters(20000) / 5, 400);
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
	ddisim_cpu_set(0);
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

/* drv_getparm values, as drv_getparm(9) documents them. */
START_TEST(getparm_documented_values)
{
	void *cred, *syscred;
	const char *hw;
	pid_t pid;
	size_t sz;
	time_t t;

	MACHINE_UP("mem=64M");
	ck_assert_int_eq(drv_getparm(SYSCRED, &syscred), 0);
	ck_assert_int_eq(drv_getparm(UCRED, &cred), 0);
	ck_assert_ptr_nonnull(cred);
	ck_assert_ptr_eq(cred, syscred);	/* "that of SYSCRED" */
	ck_assert_int_eq(drv_getparm(PPGRP, &pid), 0);
	ck_assert_int_eq(pid, getpgrp());
	ck_assert_int_eq(drv_getparm(PSID, &pid), 0);
	ck_assert_int_eq(pid, getsid(0));
	ck_assert_int_eq(drv_getparm(STRMSGSIZE, &sz), 0);
	ck_assert_uint_eq(sz, 65536);
	ck_assert_int_eq(drv_getparm(DRV_MAXBIOSIZE, &sz), 0);
	ck_assert_uint_eq(sz, 131072);
	ck_assert_int_eq(drv_getparm(HW_PROVIDER, &hw), 0);
	ck_assert_str_eq(hw, "ddicompat simulated PC");
	ck_assert_int_eq(drv_getparm(TIME, &t), 0);
	ck_assert_int_le(t, time(NULL));
	ck_assert_int_ge(t, time(NULL) - 60);
	/* Not a parameter: -1, and nothing stored. */
	sz = 7;
	ck_assert_int_eq(drv_getparm(HW_PROVIDER + 1, &sz), -1);
	ck_assert_int_eq(drv_getparm(0, &sz), -1);
	ck_assert_uint_eq(sz, 7);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	MACHINE_DOWN();
}
END_TEST

/*
 * Misuse, each case twice: under verify=count the report is made once,
 * with its text, and the clock and its callouts still work; under the
 * default policy the same call aborts.  Some cases run in a callout or
 * in a handler (line 3, PLDISK), which record what they saw.
 */
static LKINFO_DECL(tc_lkinfo, "tc:lock", 0);

static struct {
	int		which;
	lock_t		*lk;
	unsigned long	reports;	/* made during the call */
	int		ret;
	void		*val;
	uint64_t	clock;
	int		ran;
} cm;

static void
misuse_in_frame(void)
{
	unsigned long n = ddisim_verify_count();

	cm.ran++;
	switch (cm.which) {
	case 0:		/* a callout that returns holding a lock */
		(void)LOCK(cm.lk, PLHI);
		break;
	case 1:		/* user context parameters: none stored */
	case 2:
		cm.ret = drv_getparm(UCRED, &cm.val);
		break;
	case 3:
		cm.ret = drv_getparm(PPGRP, &cm.val);
		break;
	case 4:
		cm.ret = drv_getparm(PSID, &cm.val);
		break;
	case 5:
		cm.ret = drv_getparm(UPROCP, &cm.val);
		break;
	case 6:		/* delay: no delay, the clock does not move */
	case 7:
		cm.clock = ddisim_clock_now();
		delay(5);
		cm.clock = ddisim_clock_now() - cm.clock;
		break;
	}
	cm.reports = ddisim_verify_count() - n;
}

static void
misuse_callout(void *arg)
{
	(void)arg;
	misuse_in_frame();
}

static void
misuse_clock_intr(int ivec)
{
	(void)ivec;
	misuse_in_frame();
}

#define NCLOCK_MISUSE	21

static const char *const clock_misuse_text[NCLOCK_MISUSE] = {
	"interrupt: handler returned holding 1 lock(s); the first was "
	    "taken at ",
	"drv_getparm: parameter 4 needs user context, not an interrupt",
	"drv_getparm: parameter 4 needs user context, not an interrupt",
	"drv_getparm: parameter 5 needs user context, not an interrupt",
	"drv_getparm: parameter 7 needs user context, not an interrupt",
	"drv_getparm: parameter 3 needs user context, not an interrupt",
	"delay: may block, but the caller is an interrupt handler or callout",
	"delay: may block, but the caller is an interrupt handler or callout",
	"drv_getparm: NULL value pointer",
	"itimeout: level 0 is not in PLTIMEOUT..PLHI",
	"itimeout: level 8 is not in PLTIMEOUT..PLHI",
	"dtimeout: level 0 is not in PLTIMEOUT..PLHI",
	"dtimeout: NULL function",
	"itimeout: negative tick count -5",
	"timeout: negative tick count -5",
	"timeout: TO_PERIODIC is for itimeout",
	"untimeout: 0 was never returned by a timeout call",
	"untimeout: -1 was never returned by a timeout call",
	"untimeout: 2147483647 was never returned by a timeout call",
	"untimeout: called at level 5, above the callout's level 1",
	"ddisim_clock_advance: the clock follows real time; turn that off "
	    "first",
};

static void
clock_misuse(int which)
{
	struct shot s = { .fired = 0 };
	ddisim_intr_t *h;
	unsigned long n;
	uint64_t t0;
	toid_t id;
	pl_t pl;

	ddisim_cpu_set(0);
	memset(&cm, 0, sizeof(cm));
	cm.which = which;
	cm.ret = 99;
	cm.val = &cm;
	cm.reports = 99;
	cm.lk = LOCK_ALLOC(1, PLTIMEOUT, &tc_lkinfo, KM_SLEEP);
	h = ddisim_intr_register(3, PLDISK, misuse_clock_intr);
	n = ddisim_verify_count();
	ck_assert_uint_eq(n, 0);
	t0 = ddisim_clock_now();
	switch (which) {
	case 0:		/* in a callout */
	case 1:
	case 3:
	case 6:
		ck_assert_int_ne(itimeout(misuse_callout, NULL, 1, PLTIMEOUT),
		    0);
		ddisim_clock_advance(TICK);
		ck_assert_int_eq(cm.ran, 1);
		break;
	case 2:		/* in a handler */
	case 4:
	case 5:
	case 7:
		ck_assert_int_eq(ddisim_intr_raise(3), 1);
		ck_assert_int_eq(cm.ran, 1);
		break;
	case 8:
		ck_assert_int_eq(drv_getparm(LBOLT, NULL), -1);
		break;
	case 9:
		ck_assert_int_eq(itimeout(shot_fn, &s, 1, PLBASE), 0);
		break;
	case 10:
		ck_assert_int_eq(itimeout(shot_fn, &s, 1, PLHI + 1), 0);
		break;
	case 11:
		ck_assert_int_eq(dtimeout(shot_fn, &s, 1, PLBASE, 0), 0);
		break;
	case 12:
		ck_assert_int_eq(dtimeout(NULL, &s, 1, PLTIMEOUT, 0), 0);
		break;
	case 13:
		ck_assert_int_eq(itimeout(shot_fn, &s, -5, PLTIMEOUT), 0);
		break;
	case 14:
		ck_assert_int_eq(timeout(shot_fn, &s, -5), 0);
		break;
	case 15:
		ck_assert_int_eq(timeout(shot_fn, &s, 2 | TO_PERIODIC), 0);
		break;
	case 16:
		untimeout(0);
		break;
	case 17:
		untimeout(-1);
		break;
	case 18:	/* beyond any issued: nothing is cancelled */
		id = itimeout(shot_fn, &s, 1, PLTIMEOUT);
		ck_assert_int_gt(id, 0);
		untimeout(INT_MAX);
		ck_assert_uint_eq(ddisim_clock_callouts(), 1);
		ddisim_clock_advance(TICK);
		ck_assert_int_eq(atomic_load(&s.fired), 1);
		break;
	case 19:	/* above the callout's level: cancelled all the same */
		id = itimeout(shot_fn, &s, 1, PLTIMEOUT);
		pl = spldisk();
		untimeout(id);
		splx(pl);
		ck_assert_uint_eq(ddisim_clock_callouts(), 0);
		ddisim_clock_advance(2 * TICK);
		ck_assert_int_eq(atomic_load(&s.fired), 0);
		break;
	case 20:	/* real-time mode: the clock does not jump */
		ddisim_clock_realtime(1);
		ddisim_clock_advance(1000 * 1000000ull);
		ck_assert_uint_lt(ddisim_clock_now() - t0, 500 * 1000000ull);
		ddisim_clock_realtime(0);
		break;
	}
	REPORTED(n, clock_misuse_text[which]);
	switch (which) {
	case 0:		/* the lock was released */
		ck_assert_uint_eq(cm.reports, 0);
		pl = TRYLOCK(cm.lk, PLHI);
		ck_assert_uint_eq(pl, PLBASE);
		UNLOCK(cm.lk, pl);
		break;
	case 1:
	case 2:
	case 3:
	case 4:
	case 5:
		ck_assert_uint_eq(cm.reports, 1);
		ck_assert_int_eq(cm.ret, -1);
		ck_assert_ptr_eq(cm.val, &cm);
		break;
	case 6:
	case 7:
		ck_assert_uint_eq(cm.reports, 1);
		ck_assert_uint_eq(cm.clock, 0);
		break;
	}
	/* No callout was left; the clock and callouts still work. */
	ck_assert_uint_eq(ddisim_clock_callouts(), 0);
	ck_assert_int_ne(itimeout(shot_fn, &s, 2, PLTIMEOUT), 0);
	t0 = (uint64_t)atomic_load(&s.fired);
	ddisim_clock_advance(2 * TICK);
	ck_assert_int_eq(atomic_load(&s.fired), (int)t0 + 1);
	ddisim_intr_unregister(h);
	LOCK_DEALLOC(cm.lk);
	ck_assert_uint_eq(ddisim_verify_count(), n + 1);
	ck_assert_uint_eq(getpl(), PLBASE);
	ck_assert_int_eq(ddisim_ctx_locks_held(), 0);
}

START_TEST(clock_misuse_counted)
{
	MACHINE_UP("mem=64M,verify=count");
	clock_misuse(_i);
	MACHINE_DOWN();
}
END_TEST

START_TEST(clock_misuse_aborts)
{
	MACHINE_UP("mem=64M");
	clock_misuse(_i);
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
	tcase_add_test(tc, pending_timeouts_listed);
	suite_add_tcase(s, tc);

	tc = tcase_new("limits");
	tcase_add_test(tc, getparm_values_and_limits);
	tcase_add_test(tc, getparm_documented_values);
	tcase_add_test(tc, untimeout_races_expiry);
	suite_add_tcase(s, tc);

	tc = tcase_new("misuse");
	tcase_add_test(tc, timeout_misuse_reported);
	TCASE_ADD_MISUSE(tc, clock_misuse_counted, clock_misuse_aborts,
	    NCLOCK_MISUSE);
	suite_add_tcase(s, tc);
	return run_suite(s) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
