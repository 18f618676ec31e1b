/*
 * wait.c - the one wait-and-report helper (see wait.h).
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>

#include "verify/verify.h"
#include "verify/wait.h"

static _Atomic unsigned vwait_limit_ms = 10000;

void
vwait_set_limit(unsigned ms)
{
	vwait_limit_ms = ms;
}

unsigned
vwait_limit(void)
{
	return vwait_limit_ms;
}

static void
ts_after(struct timespec *ts, unsigned ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

static bool
ts_le(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec &&
	    a->tv_nsec <= b->tv_nsec);
}

void
vwait_start_ms(struct vwait *w, enum vwait_mode mode, unsigned ms,
    const char *why, const char *func, const void *caller)
{
	w->limit_ms = ms != 0 ? ms : vwait_limit_ms;
	ts_after(&w->until, w->limit_ms);
	w->poll.tv_sec = 0;
	w->poll.tv_nsec = 0;
	w->mode = mode;
	w->expired = false;
	w->reported = false;
	w->why = why != NULL ? why : "giving up";
	w->func = func;
	w->caller = caller;
}

void
vwait_start(struct vwait *w, enum vwait_mode mode, const char *func,
    const void *caller)
{
	vwait_start_ms(w, mode, 0, NULL, func, caller);
}

void
vwait_poll_every(struct vwait *w, unsigned ms)
{
	w->poll.tv_sec = ms / 1000;
	w->poll.tv_nsec = (long)(ms % 1000) * 1000000L;
}

bool
vwait_expired(struct vwait *w)
{
	struct timespec now;

	if (!w->expired) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		w->expired = ts_le(&w->until, &now);
	}
	return w->expired;
}

static void
vwait_vreport(struct vwait *w, const char *fmt, va_list ap)
{
	char text[320];

	if (w->reported)
		return;
	w->reported = true;
	vsnprintf(text, sizeof(text), fmt, ap);
	if (w->mode == VWAIT_KEEP)
		verify_report(w->func, w->caller, "%s after %u ms; still "
		    "waiting", text, w->limit_ms);
	else
		verify_report(w->func, w->caller, "%s after %u ms; %s", text,
		    w->limit_ms, w->why);
}

void
vwait_report(struct vwait *w, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwait_vreport(w, fmt, ap);
	va_end(ap);
}

/*
 * The wake-up time of one wait: the deadline, or the next poll point if
 * that comes first.  Past the deadline a kept wait has none (NULL).
 */
static const struct timespec *
vwait_next(struct vwait *w, struct timespec *ts)
{
	if (w->poll.tv_sec != 0 || w->poll.tv_nsec != 0) {
		clock_gettime(CLOCK_MONOTONIC, ts);
		ts->tv_sec += w->poll.tv_sec;
		ts->tv_nsec += w->poll.tv_nsec;
		if (ts->tv_nsec >= 1000000000L) {
			ts->tv_sec++;
			ts->tv_nsec -= 1000000000L;
		}
		if (w->expired || !ts_le(&w->until, ts))
			return ts;
	}
	return w->expired ? NULL : &w->until;
}

/*
 * The driver host's uniprocessor lock, which a context sleeping in a
 * driver without D_MP lets go of, as a uniprocessor ran others while one
 * slept (vwait_set_sleep_hooks).
 */
static _Atomic(vwait_release_fn) sleep_release;
static _Atomic(vwait_reacquire_fn) sleep_reacquire;

void
vwait_set_sleep_hooks(vwait_release_fn release, vwait_reacquire_fn reacquire)
{
	atomic_store(&sleep_reacquire, reacquire);
	atomic_store(&sleep_release, release);
}

static unsigned
sleep_begin(void)
{
	vwait_release_fn rel = atomic_load(&sleep_release);

	return rel != NULL ? rel() : 0;
}

static void
sleep_end(unsigned held, pthread_mutex_t *mtx)
{
	vwait_reacquire_fn re;

	if (held != 0 && (re = atomic_load(&sleep_reacquire)) != NULL)
		re(held, mtx);
}

bool
vwait_cond(struct vwait *w, pthread_cond_t *cv, pthread_mutex_t *mtx,
    const char *fmt, ...)
{
	const struct timespec *next;
	struct timespec ts;
	unsigned held;
	va_list ap;

	if (w->expired && w->mode == VWAIT_GIVE_UP)
		return true;
	next = vwait_next(w, &ts);
	held = sleep_begin();
	if (next == NULL)
		(void)pthread_cond_wait(cv, mtx);
	else
		(void)pthread_cond_clockwait(cv, mtx, CLOCK_MONOTONIC, next);
	sleep_end(held, mtx);
	if (w->reported || !vwait_expired(w))
		return false;
	if (fmt != NULL) {
		va_start(ap, fmt);
		vwait_vreport(w, fmt, ap);
		va_end(ap);
	}
	return w->mode == VWAIT_GIVE_UP;
}

/*
 * There is no monotonic timed lock that every checker understands
 * (ThreadSanitizer does not know pthread_mutex_clocklock), so the wait is
 * pthread_mutex_timedlock's, to the real-time instant that is the same
 * distance away as the monotonic deadline when the wait starts.
 */
static void vwait_lock_wait(struct vwait *w, pthread_mutex_t *mtx,
    const char *fmt, va_list ap);

void
vwait_lock(struct vwait *w, pthread_mutex_t *mtx, const char *fmt, ...)
{
	unsigned held;
	va_list ap;

	if (pthread_mutex_trylock(mtx) == 0)
		return;
	held = sleep_begin();
	va_start(ap, fmt);
	vwait_lock_wait(w, mtx, fmt, ap);
	va_end(ap);
	sleep_end(held, mtx);
}

static void
vwait_lock_wait(struct vwait *w, pthread_mutex_t *mtx, const char *fmt,
    va_list ap)
{
	struct timespec mono, real;
	long long ns;

	clock_gettime(CLOCK_MONOTONIC, &mono);
	clock_gettime(CLOCK_REALTIME, &real);
	ns = (long long)(w->until.tv_sec - mono.tv_sec) * 1000000000LL +
	    (w->until.tv_nsec - mono.tv_nsec);
	if (ns > 0) {
		ns += real.tv_nsec;
		real.tv_sec += (time_t)(ns / 1000000000LL);
		real.tv_nsec = (long)(ns % 1000000000LL);
		if (pthread_mutex_timedlock(mtx, &real) == 0)
			return;
	} else if (pthread_mutex_trylock(mtx) == 0) {
		return;
	}
	w->expired = true;
	vwait_vreport(w, fmt, ap);
	VERIFY(pthread_mutex_lock(mtx) == 0);
}
