/*
 * clock.c - simulated time: lbolt, drv_getparm, tick conversions, delays
 * and callouts (drv_getparm(9), itimeout(9), ddisim_clock(3)).
 *
 * Time is a count of microseconds that moves only when something moves
 * it: a test (ddisim_clock_advance), a driver's own delay or
 * drv_usecwait, or, in real-time mode, a thread that follows the host's
 * monotonic clock.  lbolt is that count in ticks of 1/HZ second.
 *
 * A callout waits on a list sorted by expiry.  When time reaches it, it
 * becomes a pending item on its CPU, delivered as an interrupt at its
 * level: at once in the thread that moved the clock if the CPU's level is
 * below it, or later, when the level drops.
 *
 * Locking: clock_lock guards the list, the callout states and the time;
 * it is never held while a callout runs or while a CPU's lock is taken.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/queue.h>
#include <time.h>
#include <unistd.h>

#include "util/forklock.h"
#include "verify/verify.h"
#include "verify/wait.h"
#include "machine/entry.h"
#include "machine/machine.h"
#include "kern/ctx.h"
#include "kern/kern.h"
#include "proc/proc.h"

#include "sys/ddi.h"
#include "exports.h"

#define TICK_US		(1000000 / HZ)

enum co_state { CO_WAITING, CO_DUE, CO_RUNNING };

struct callout {
	struct kpend	pend;		/* level and CPU */
	TAILQ_ENTRY(callout) link;	/* co_wait (CO_WAITING) */
	LIST_ENTRY(callout) all;	/* co_all: every live callout */
	toid_t		id;
	uint64_t	when;		/* expiry, simulated us */
	uint64_t	period;		/* TO_PERIODIC interval, or 0 */
	void		(*fn)(void *);
	void		*arg;
	enum co_state	state;
	bool		cancelled;	/* untimeout while running */
	struct kctx	*runner;
	const char	*func;		/* timeout, itimeout or dtimeout */
	const void	*caller;	/* the code that set it */
};

DDI_PUBLIC_DATA clock_t lbolt;

static FORK_MUTEX(clock_lock);
static pthread_cond_t clock_cv = PTHREAD_COND_INITIALIZER;
static uint64_t clock_us;		/* now; written under clock_lock */
static toid_t co_next_id;
static unsigned co_count;
static TAILQ_HEAD(, callout) co_wait = TAILQ_HEAD_INITIALIZER(co_wait);
static LIST_HEAD(, callout) co_all = LIST_HEAD_INITIALIZER(co_all);
static time_t clock_epoch;		/* host time when the clock was 0 */
static unsigned long setparm[SYSOUTC + 1];

static pthread_t rt_thread;
static bool rt_running;			/* under clock_lock */
static bool rt_stop;

static void	callout_run(struct kpend *);

uint64_t
clock_now_us(void)
{
	uint64_t t;

	pthread_mutex_lock(&clock_lock);
	t = clock_us;
	pthread_mutex_unlock(&clock_lock);
	return t;
}

static void
clock_set_locked(uint64_t t)
{
	clock_us = t;
	__atomic_store_n(&lbolt, (clock_t)(t / TICK_US), __ATOMIC_RELAXED);
	pthread_cond_broadcast(&clock_cv);
}

static void
co_insert_locked(struct callout *co)
{
	struct callout *p;

	co->state = CO_WAITING;
	TAILQ_FOREACH(p, &co_wait, link)
		if (p->when > co->when) {
			TAILQ_INSERT_BEFORE(p, co, link);
			return;
		}
	TAILQ_INSERT_TAIL(&co_wait, co, link);
}

static void
co_free_locked(struct callout *co)
{
	LIST_REMOVE(co, all);
	co_count--;
	free(co);
	pthread_cond_broadcast(&clock_cv);
}

/*
 * Move the clock to target, posting each callout as time passes its
 * expiry, in expiry order; posting may run it here and now.
 */
static void
clock_advance_to(uint64_t target)
{
	struct callout *co;

	pthread_mutex_lock(&clock_lock);
	while ((co = TAILQ_FIRST(&co_wait)) != NULL && co->when <= target) {
		TAILQ_REMOVE(&co_wait, co, link);
		co->state = CO_DUE;
		if (co->when > clock_us)
			clock_set_locked(co->when);
		pthread_mutex_unlock(&clock_lock);
		kctx_post(&co->pend, true);
		pthread_mutex_lock(&clock_lock);
	}
	if (target > clock_us)
		clock_set_locked(target);
	pthread_mutex_unlock(&clock_lock);
}

static void
callout_run(struct kpend *p)
{
	struct callout *co = (struct callout *)((char *)p -
	    offsetof(struct callout, pend));

	pthread_mutex_lock(&clock_lock);
	co->state = CO_RUNNING;
	co->runner = kctx_self();
	pthread_mutex_unlock(&clock_lock);
	co->fn(co->arg);
	pthread_mutex_lock(&clock_lock);
	co->runner = NULL;
	if (co->period != 0 && !co->cancelled) {
		co->when += co->period;
		co_insert_locked(co);
		pthread_cond_broadcast(&clock_cv);
	} else {
		co_free_locked(co);
	}
	pthread_mutex_unlock(&clock_lock);
}

static toid_t
callout_new(const char *func, const void *caller, void (*fn)(void *),
    void *arg, long ticks, pl_t pl, int cpu)
{
	struct kctx *k = kctx_self();
	struct callout *co;
	bool periodic;
	toid_t id;

	/* A negative count has TO_PERIODIC's bit set too: test it first. */
	if (fn == NULL || ticks < 0) {
		verify_report(func, caller, fn == NULL ? "NULL function" :
		    "negative tick count %ld", ticks);
		return 0;
	}
	periodic = (ticks & TO_PERIODIC) != 0;
	ticks &= ~TO_PERIODIC;
	if (ticks == 0)
		ticks = 1;
	if ((co = calloc(1, sizeof(*co))) == NULL)
		return 0;
	co->pend.pl = pl;
	co->pend.cpu = cpu >= 0 ? cpu : k->cpu >= 0 ? k->cpu :
	    kctx_home_cpu();
	co->pend.run = callout_run;
	co->fn = fn;
	co->arg = arg;
	co->func = func;
	co->caller = caller;
	pthread_mutex_lock(&clock_lock);
	co_next_id = co_next_id >= INT_MAX - 1 ? 1 : co_next_id + 1;
	co->id = co_next_id;
	co->when = (clock_us / TICK_US + (uint64_t)ticks) * TICK_US;
	co->period = periodic ? (uint64_t)ticks * TICK_US : 0;
	LIST_INSERT_HEAD(&co_all, co, all);
	co_count++;
	co_insert_locked(co);
	id = co->id;		/* co may run and be freed once unlocked */
	pthread_mutex_unlock(&clock_lock);
	return id;
}

DDI_ENTRY(toid_t, timeout, (__ddi_tofn_t fn, void *arg, long ticks),
    (fn, arg, ticks))
{
	if (ticks >= 0 && (ticks & TO_PERIODIC) != 0) {
		verify_report(DDI_FUNC, DDI_CALLER, "TO_PERIODIC is for "
		    "itimeout");
		return 0;
	}
	return callout_new(DDI_FUNC, DDI_CALLER, (void (*)(void *))fn, arg,
	    ticks, PLHI, -1);
}

DDI_ENTRY(toid_t, itimeout, (__ddi_tofn_t fn, void *arg, long ticks, pl_t pl),
    (fn, arg, ticks, pl))
{
	if (pl < PLTIMEOUT || !pl_valid(pl)) {
		verify_report(DDI_FUNC, DDI_CALLER, "level %u is not in "
		    "PLTIMEOUT..PLHI", pl);
		return 0;
	}
	return callout_new(DDI_FUNC, DDI_CALLER, (void (*)(void *))fn, arg,
	    ticks, pl, -1);
}

DDI_ENTRY(toid_t, dtimeout, (__ddi_tofn_t fn, void *arg, long ticks, pl_t pl,
    int cpu), (fn, arg, ticks, pl, cpu))
{
	int ncpu = machine != NULL ? machine->spec.cpus : 1;

	if (pl < PLTIMEOUT || !pl_valid(pl)) {
		verify_report(DDI_FUNC, DDI_CALLER, "level %u is not in "
		    "PLTIMEOUT..PLHI", pl);
		return 0;
	}
	if (cpu < 0 || cpu >= ncpu)
		return 0;	/* the manual's failure: no such processor */
	return callout_new(DDI_FUNC, DDI_CALLER, (void (*)(void *))fn, arg,
	    ticks, pl, cpu);
}

static struct callout *
co_find_locked(toid_t id)
{
	struct callout *co;

	LIST_FOREACH(co, &co_all, all)
		if (co->id == id)
			return co;
	return NULL;
}

/*
 * Cancel a callout.  One that is running on another thread is waited
 * for, as on a multiprocessor; one that calls untimeout on itself only
 * stops repeating.  An ID that has fired, or was cancelled, is ignored.
 */
DDI_ENTRY_VOID(untimeout, (toid_t id), (id))
{
	const void *caller = DDI_CALLER;
	struct kctx *k = kctx_self();
	struct callout *co;

	pthread_mutex_lock(&clock_lock);
	if (id <= 0 || id > co_next_id) {
		pthread_mutex_unlock(&clock_lock);
		verify_report(DDI_FUNC, caller, "%d was never returned by a "
		    "timeout call", id);
		return;
	}
	while ((co = co_find_locked(id)) != NULL) {
		if (k->pl > co->pend.pl) {
			pthread_mutex_unlock(&clock_lock);
			verify_report(DDI_FUNC, caller, "called at level %u, "
			    "above the callout's level %u", k->pl,
			    co->pend.pl);
			pthread_mutex_lock(&clock_lock);
		}
		co->cancelled = true;
		if (co->state == CO_WAITING) {
			TAILQ_REMOVE(&co_wait, co, link);
			co_free_locked(co);
			break;
		}
		if (co->state == CO_DUE && kctx_unpost(&co->pend)) {
			co_free_locked(co);
			break;
		}
		if (co->runner == k)
			break;		/* itself: it will not repeat */
		pthread_cond_wait(&clock_cv, &clock_lock);
	}
	pthread_mutex_unlock(&clock_lock);
}

DDI_ENTRY(clock_t, drv_hztousec, (clock_t ticks), (ticks))
{
	if (ticks <= 0)
		return 0;
	if (ticks > LONG_MAX / TICK_US)
		return LONG_MAX;
	return ticks * TICK_US;
}

DDI_ENTRY(clock_t, drv_usectohz, (clock_t usec), (usec))
{
	if (usec <= 0)
		return 0;
	return usec / TICK_US + (usec % TICK_US != 0);
}

static bool
clock_is_realtime(void)
{
	bool rt;

	pthread_mutex_lock(&clock_lock);
	rt = rt_running;
	pthread_mutex_unlock(&clock_lock);
	return rt;
}

/*
 * Busy-wait: in real-time mode the host waits; otherwise the wait is the
 * clock moving forward, and callouts due meanwhile are delivered as the
 * caller's level allows.
 */
DDI_ENTRY_VOID(drv_usecwait, (clock_t usec), (usec))
{
	struct timespec ts;

	if (usec <= 0)
		return;
	if (!clock_is_realtime()) {
		clock_advance_to(clock_now_us() + (uint64_t)usec);
		return;
	}
	ts.tv_sec = usec / 1000000;
	ts.tv_nsec = (usec % 1000000) * 1000;
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		continue;
}

DDI_ENTRY_VOID(delay, (long ticks), (ticks))
{
	const void *caller = DDI_CALLER;
	uint64_t target;
	struct vwait w;

	if (!kctx_check_block(DDI_FUNC, caller, NULL, false) || ticks <= 0)
		return;
	target = (clock_now_us() / TICK_US + (uint64_t)ticks) * TICK_US;
	if (!clock_is_realtime()) {
		clock_advance_to(target);
		return;
	}
	vwait_start_ms(&w, VWAIT_GIVE_UP, vwait_limit() +
	    (unsigned)(ticks * 10), "returning early", DDI_FUNC, caller);
	pthread_mutex_lock(&clock_lock);
	while (clock_us < target)
		if (vwait_cond(&w, &clock_cv, &clock_lock, "the real-time "
		    "clock did not reach the end of the delay"))
			break;
	pthread_mutex_unlock(&clock_lock);
}

static const char sys_provider[] = "ddicompat simulated PC";

DDI_ENTRY(int, drv_getparm, (ulong_t parm, void *value), (parm, value))
{
	const void *caller = DDI_CALLER;
	bool user = parm >= UPROCP && parm <= PSID;

	if (value == NULL) {
		verify_report(DDI_FUNC, caller, "NULL value pointer");
		return -1;
	}
	if (user && kctx_self()->intr > 0) {
		verify_report(DDI_FUNC, caller, "parameter %u needs user "
		    "context, not an interrupt", parm);
		return -1;
	}
	switch (parm) {
	case LBOLT:
		*(clock_t *)value = (clock_t)(clock_now_us() / TICK_US);
		return 0;
	case TIME:
		*(time_t *)value = clock_epoch +
		    (time_t)(clock_now_us() / 1000000);
		return 0;
	case UPROCP:
		/* the simulated process the thread runs in, or none */
		*(void **)value = proc_current();
		return 0;
	case UCRED:
		/* the process's credentials, the system's outside one */
		*(void **)value = proc_cred(proc_current());
		return 0;
	case SYSCRED:
		*(void **)value = proc_cred(NULL);
		return 0;
	case PPGRP:
		*(pid_t *)value = getpgrp();
		return 0;
	case PPID:
		*(pid_t *)value = getpid();
		return 0;
	case PSID:
		*(pid_t *)value = getsid(0);
		return 0;
	case STRMSGSIZE:
		*(size_t *)value = 65536;
		return 0;
	case DRV_MAXBIOSIZE:
		*(size_t *)value = 128 * 1024;
		return 0;
	case HW_PROVIDER:
		*(const char **)value = sys_provider;
		return 0;
	default:
		return -1;
	}
}

DDI_ENTRY(int, drv_setparm, (ulong_t parm, ulong_t value), (parm, value))
{
	if (parm < SYSRINT || parm > SYSOUTC)
		return -1;
	__atomic_fetch_add(&setparm[parm], value, __ATOMIC_RELAXED);
	return 0;
}

DDI_ENTRY0(uint64_t, ddisim_clock_now)
{
	return clock_now_us();
}

DDI_ENTRY_VOID(ddisim_clock_advance, (uint64_t usec), (usec))
{
	if (clock_is_realtime()) {
		verify_report(DDI_FUNC, DDI_CALLER, "the clock follows real "
		    "time; turn that off first");
		return;
	}
	clock_advance_to(clock_now_us() + usec);
}

DDI_ENTRY0(unsigned, ddisim_clock_callouts)
{
	unsigned n;

	pthread_mutex_lock(&clock_lock);
	n = co_count;
	pthread_mutex_unlock(&clock_lock);
	return n;
}

static uint64_t
mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* The real-time clock: one tick at a time, like the clock interrupt. */
static void *
rt_main(void *arg)
{
	uint64_t start = mono_us(), base = (uint64_t)(uintptr_t)arg;
	struct timespec ts = { 0, TICK_US * 1000 };

	for (;;) {
		pthread_mutex_lock(&clock_lock);
		if (rt_stop) {
			pthread_mutex_unlock(&clock_lock);
			return NULL;
		}
		pthread_mutex_unlock(&clock_lock);
		clock_advance_to(base + (mono_us() - start));
		nanosleep(&ts, NULL);
	}
}

DDI_ENTRY_VOID(ddisim_clock_realtime, (int on), (on))
{
	bool join = false;

	pthread_mutex_lock(&clock_lock);
	if (on && !rt_running) {
		rt_stop = false;
		if (pthread_create(&rt_thread, NULL, rt_main,
		    (void *)(uintptr_t)clock_us) == 0)
			rt_running = true;
	} else if (!on && rt_running) {
		rt_stop = true;
		rt_running = false;
		join = true;
	}
	pthread_mutex_unlock(&clock_lock);
	if (join)
		pthread_join(rt_thread, NULL);
}

void
clock_init(void)
{
	pthread_mutex_lock(&clock_lock);
	clock_epoch = time(NULL);
	clock_set_locked(0);
	pthread_mutex_unlock(&clock_lock);
}

static void
co_leak_line_locked(FILE *f, const struct callout *co)
{
	char fn[128], who[128], every[48] = "";
	uint64_t left = co->when > clock_us ? (co->when - clock_us +
	    TICK_US - 1) / TICK_US : 0;

	verify_symbolize((const void *)(uintptr_t)co->fn, fn, sizeof(fn));
	verify_symbolize(co->caller, who, sizeof(who));
	if (co->period != 0)
		snprintf(every, sizeof(every), ", then every %llu",
		    (unsigned long long)(co->period / TICK_US));
	fprintf(f, "ddicompat: leak: %s %d pending (calls %s in %llu "
	    "tick%s%s), scheduled by %s\n", co->func, co->id, fn,
	    (unsigned long long)left, left == 1 ? "" : "s", every, who);
}

/*
 * The leak report's part: every callout that would still run, periodic
 * ones included (one running its last time is not), listed on f if not
 * NULL; their number.
 */
size_t
clock_leak_report(FILE *f)
{
	struct callout *co;
	size_t n = 0;

	pthread_mutex_lock(&clock_lock);
	LIST_FOREACH(co, &co_all, all) {
		if (co->cancelled || (co->state == CO_RUNNING &&
		    co->period == 0) || !verify_leak_mine(co->caller))
			continue;
		if (f != NULL)
			co_leak_line_locked(f, co);
		n++;
	}
	pthread_mutex_unlock(&clock_lock);
	if (n > 0 && f != NULL)
		fprintf(f, "ddicompat: %zu timeout%s still pending at "
		    "shutdown\n", n, n == 1 ? "" : "s");
	return n;
}

/*
 * Stop the real-time thread and drop every callout: the driver that set
 * them is gone with its machine (after the leak report listed them).
 */
void
clock_fini(void)
{
	struct callout *co;

	struct callout *next;

	ddisim_clock_realtime(0);
	pthread_mutex_lock(&clock_lock);
	for (co = LIST_FIRST(&co_all); co != NULL; co = next) {
		next = LIST_NEXT(co, all);
		co->cancelled = true;
		if (co->state == CO_WAITING)
			TAILQ_REMOVE(&co_wait, co, link);
		else if (co->state == CO_DUE && !kctx_unpost(&co->pend))
			continue;	/* about to run; it frees itself */
		else if (co->state == CO_RUNNING)
			continue;
		co_free_locked(co);
	}
	pthread_mutex_unlock(&clock_lock);
}

/* DDI 8: lbolt as a call. */
DDI_ENTRY0(clock_t, TICKS)
{
	return (clock_t)(clock_now_us() / TICK_US);
}
