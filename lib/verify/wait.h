/*
 * wait.h - waits that another context must end, reported when they last.
 *
 * A DDI call that waits for something only another context can do (a
 * free, a biodone, a lock's release, a wakeup) waits as the kernel did.
 * A simulation must not hang a test in silence, so every such wait in the
 * library goes through this helper, with one set of rules:
 *
 *   - the deadline is the wait limit (the machine's sleeplimit=) from the
 *     start of the wait, on CLOCK_MONOTONIC: wake-ups that do not end the
 *     wait do not push it back, and a step of the wall clock does not
 *     move it;
 *   - at the deadline the helper makes one verifier report, "TEXT after N
 *     ms; still waiting" (VWAIT_KEEP) or "TEXT after N ms; WHY"
 *     (VWAIT_GIVE_UP), in the name of the DDI function and its caller;
 *     under verify=abort that ends the process;
 *   - re-arm: a VWAIT_KEEP wait then has no deadline and ends only when
 *     its condition holds (giving up early would hand back a buffer a
 *     device may still write); a VWAIT_GIVE_UP wait returns true from then
 *     on, and its caller returns the failure value its manual page gives.
 *
 * Usage, with mtx held around the condition:
 *
 *	struct vwait w;
 *
 *	vwait_start(&w, VWAIT_KEEP, func, caller);
 *	while (!done)
 *		(void)vwait_cond(&w, &cv, &mtx, "buf %p not done", bp);
 */
#ifndef DDICOMPAT_VERIFY_WAIT_H
#define DDICOMPAT_VERIFY_WAIT_H

#include <pthread.h>
#include <stdbool.h>
#include <time.h>

enum vwait_mode { VWAIT_KEEP, VWAIT_GIVE_UP };

struct vwait {
	struct timespec	until;		/* CLOCK_MONOTONIC deadline */
	struct timespec	poll;		/* optional earlier wake-up, or 0 */
	unsigned	limit_ms;	/* the deadline's distance, ms */
	enum vwait_mode	mode;
	bool		expired;	/* the deadline has passed */
	bool		reported;	/* and the report was made */
	const char	*why;		/* VWAIT_GIVE_UP: what happens now */
	const char	*func;		/* the DDI function waiting */
	const void	*caller;	/* its caller */
};

/* The wait limit in ms (sleeplimit=); set by the control API. */
void	vwait_set_limit(unsigned ms);
unsigned vwait_limit(void);

/*
 * Start a wait of the limit (limit_ms 0) or of limit_ms.  why is the end
 * of a VWAIT_GIVE_UP report ("returning as a spurious wakeup").
 */
void	vwait_start(struct vwait *w, enum vwait_mode mode, const char *func,
	    const void *caller);
void	vwait_start_ms(struct vwait *w, enum vwait_mode mode, unsigned ms,
	    const char *why, const char *func, const void *caller);

/* Also wake up every ms (0: never) so the caller can poll, e.g. signals. */
void	vwait_poll_every(struct vwait *w, unsigned ms);

/*
 * One wait on cv, mtx held, until a wake-up, the poll interval or the
 * deadline.  The first time the deadline is found passed, the report is
 * made with fmt (NULL: leave it to vwait_report).  Returns true when the
 * deadline has passed and the wait is VWAIT_GIVE_UP: the caller stops.
 */
bool	vwait_cond(struct vwait *w, pthread_cond_t *cv, pthread_mutex_t *mtx,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Lock mtx, reporting once if that takes past the deadline (VWAIT_KEEP). */
void	vwait_lock(struct vwait *w, pthread_mutex_t *mtx, const char *fmt,
	    ...) __attribute__((format(printf, 3, 4)));

/* Whether the deadline has passed (looks at the clock). */
bool	vwait_expired(struct vwait *w);

/* Make the report now if it was not made: for waits on other primitives. */
void	vwait_report(struct vwait *w, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/*
 * What a wait does around its sleep, for the driver host's uniprocessor
 * lock: release() before it (the depth it let go of, 0: none held), and
 * reacquire(depth, mtx) after, with mtx held; reacquire may let go of
 * mtx and take it again, as a spurious wake-up would.
 */
typedef unsigned (*vwait_release_fn)(void);
typedef void (*vwait_reacquire_fn)(unsigned held, pthread_mutex_t *mtx);
void	vwait_set_sleep_hooks(vwait_release_fn release,
	    vwait_reacquire_fn reacquire);

#endif /* DDICOMPAT_VERIFY_WAIT_H */
