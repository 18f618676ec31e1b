/*
 * poll.c - pollheads (phalloc(9), phfree(9), pollwakeup(9)) and the
 * simulated process's side of poll(2), ddisim_poll_wait.
 *
 * A pollhead is where the pollers of one minor device wait.  A test
 * playing a user program whose poll found nothing ready (the driver's
 * chpoll returned no events and its pollhead) waits on the pollhead
 * with ddisim_poll_wait; the driver's pollwakeup ends the wait of every
 * poller interested in the events, POLLERR and POLLHUP always being of
 * interest.  As in the kernel, a wakeup with nobody waiting is not
 * remembered: the next poll asks chpoll again.
 *
 * Locking: poll_lock guards the list of pollheads and every poller; the
 * pollers sleep on poll_cv, which pollwakeup broadcasts.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/queue.h>

#include "util/forklock.h"
#include "kmem/kmem_obj.h"
#include "machine/entry.h"
#include "verify/verify.h"
#include "verify/wait.h"
#include "kern/ctx.h"
#include "kern/kern.h"

#include "exports.h"
#include "sys/types.h"
#include "sys/kmem.h"
#include "sys/poll.h"
#include "sys/ddi.h"

#define PH_LIVE		0x706f6c6cu	/* "poll" */

/* Always reported to a poller, whatever it asked for. */
#define POLL_ALWAYS	(POLLERR | POLLHUP | POLLNVAL)

struct poller {
	short		events;		/* asked for */
	short		revents;	/* delivered; 0 while waiting */
	TAILQ_ENTRY(poller) link;	/* kph.pollers */
};

struct kph {
	struct pollhead	ph;		/* the driver's view: first */
	uint32_t	magic;
	TAILQ_HEAD(, poller) pollers;
	LIST_ENTRY(kph)	link;		/* kphs */
};

static FORK_MUTEX(poll_lock);
static pthread_cond_t poll_cv = PTHREAD_COND_INITIALIZER;
static LIST_HEAD(, kph) kphs = LIST_HEAD_INITIALIZER(kphs);
static const struct kcons plain = { .high = UINT64_MAX, .align = 1 };

/* The live pollhead ph is, or NULL after a report; poll_lock held. */
static struct kph *
kph_find_locked(const struct pollhead *ph, const char *func,
    const void *caller)
{
	struct kph *k;

	LIST_FOREACH(k, &kphs, link)
		if (&k->ph == ph)
			return k;
	verify_report(func, caller, "%p is not a pollhead from phalloc",
	    (const void *)ph);
	return NULL;
}

/* Deliver ev to every poller of k that wants it; how many woke. */
static unsigned
kph_wake_locked(struct kph *k, short ev)
{
	struct poller *p, *next;
	unsigned n = 0;

	for (p = TAILQ_FIRST(&k->pollers); p != NULL; p = next) {
		short got = (short)(ev & (p->events | POLL_ALWAYS));

		next = TAILQ_NEXT(p, link);
		if (got == 0)
			continue;
		p->revents = got;
		TAILQ_REMOVE(&k->pollers, p, link);
		n++;
	}
	if (n > 0)
		pthread_cond_broadcast(&poll_cv);
	return n;
}

DDI_ENTRY(struct pollhead *, phalloc, (int flag), (flag))
{
	const void *caller = DDI_CALLER;
	struct kph *k;

	if (!kmem_flags_ok(flag, KM_NOSLEEP, DDI_FUNC, caller))
		return NULL;
	k = kmem_obj_alloc(sizeof(*k), &plain, flag, KK_POLLHEAD, DDI_FUNC,
	    caller);
	if (k == NULL)
		return NULL;
	k->ph.ph_list = NULL;
	k->ph.ph_dummy = NULL;
	k->ph.ph_events = 0;
	k->magic = PH_LIVE;
	TAILQ_INIT(&k->pollers);
	pthread_mutex_lock(&poll_lock);
	LIST_INSERT_HEAD(&kphs, k, link);
	pthread_mutex_unlock(&poll_lock);
	return &k->ph;
}

/*
 * Freeing a pollhead somebody polls is the driver's error: the pollers
 * are told POLLNVAL, as a poll of a file that went away is.
 */
DDI_ENTRY_VOID(phfree, (struct pollhead *ph), (ph))
{
	const void *caller = DDI_CALLER;
	struct kph *k;
	unsigned n;

	pthread_mutex_lock(&poll_lock);
	if ((k = kph_find_locked(ph, DDI_FUNC, caller)) == NULL) {
		pthread_mutex_unlock(&poll_lock);
		return;
	}
	LIST_REMOVE(k, link);
	k->magic = 0;
	n = kph_wake_locked(k, POLLNVAL);
	pthread_mutex_unlock(&poll_lock);
	if (n > 0)
		verify_report(DDI_FUNC, caller, "pollhead %p freed while %u "
		    "poller%s waited on it", (void *)ph, n, n == 1 ? "" : "s");
	kmem_obj_free(k, sizeof(*k), KK_POLLHEAD, DDI_FUNC, caller);
}

DDI_ENTRY_VOID(pollwakeup, (struct pollhead *ph, short events),
    (ph, events))
{
	struct kph *k;

	pthread_mutex_lock(&poll_lock);
	if ((k = kph_find_locked(ph, DDI_FUNC, DDI_CALLER)) != NULL)
		(void)kph_wake_locked(k, events);
	pthread_mutex_unlock(&poll_lock);
}

/*
 * The user program's poll sleeping on ph: the events delivered, 0 when
 * timeout_ms passed first (0: do not wait; negative: no limit but the
 * machine's wait limit, which reports), or -1 with errno EINTR when a
 * signal ended the sleep.
 */
DDI_ENTRY(int, ddisim_poll_wait, (struct pollhead *ph, short events,
    int timeout_ms), (ph, events, timeout_ms))
{
	const void *caller = DDI_CALLER;
	struct poller me = { .events = events, .revents = 0 };
	struct vwait w;
	struct kph *k;
	int rc = 0;

	if (timeout_ms != 0 && !kctx_check_block(DDI_FUNC, caller, NULL,
	    false))
		return -1;
	pthread_mutex_lock(&poll_lock);
	if ((k = kph_find_locked(ph, DDI_FUNC, caller)) == NULL) {
		pthread_mutex_unlock(&poll_lock);
		errno = EINVAL;
		return -1;
	}
	if (timeout_ms == 0) {
		pthread_mutex_unlock(&poll_lock);
		return 0;
	}
	TAILQ_INSERT_TAIL(&k->pollers, &me, link);
	if (timeout_ms > 0)
		vwait_start_ms(&w, VWAIT_GIVE_UP, (unsigned)timeout_ms,
		    "the poll timed out", DDI_FUNC, caller);
	else
		vwait_start(&w, VWAIT_KEEP, DDI_FUNC, caller);
	while (me.revents == 0) {
		int e = kern_wait_once(&w, &poll_lock, &poll_cv, true);

		if (e == EINTR) {
			rc = -1;
			break;
		}
		if (e == ETIMEDOUT) {
			if (timeout_ms > 0)
				break;
			vwait_report(&w, "poll of pollhead %p for events "
			    "%#x; still waiting", (void *)ph,
			    (unsigned)(unsigned short)events);
		}
	}
	if (me.revents == 0)
		TAILQ_REMOVE(&k->pollers, &me, link);
	else
		rc = me.revents;
	pthread_mutex_unlock(&poll_lock);
	if (rc < 0) {
		(void)kctx_sig_take(kctx_self());
		errno = EINTR;
	}
	return rc;
}
