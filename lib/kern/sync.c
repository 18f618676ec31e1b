/*
 * sync.c - sleep locks, synchronization variables, and the ODDI
 * sleep/wakeup (SLEEP_ALLOC(9), SV_ALLOC(9), sleep(9)).
 *
 * These are the calls that block.  Each checks the caller's context first
 * (no interrupt, no spin lock held), and each wait is bounded by the
 * machine's sleeplimit, after which it is reported: a wait nobody will end
 * is a hung test, which a report names and a hang does not.
 *
 * A waiter is a node on its object's list with a "woken" flag, so
 * SV_SIGNAL wakes exactly one thread that was waiting when it was called,
 * and one that gives up (signal, time limit) leaves no stale state.
 *
 * Sleep locks and synchronization variables live in the handle regions of
 * handle.c, as basic locks do.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/queue.h>
#include <time.h>

#include "util/forklock.h"
#include "machine/entry.h"
#include "verify/verify.h"
#include "verify/wait.h"
#include "kern/ctx.h"
#include "kern/handle.h"
#include "kern/kern.h"

#include "sys/kmem.h"
#include "sys/ksynch.h"
#include "sys/ddi.h"
#include "exports.h"

#define SIG_POLL_MS	5

struct kwaiter {
	TAILQ_ENTRY(kwaiter) link;
	const void	*chan;		/* sleep(): the address slept on */
	bool		woken;
};
TAILQ_HEAD(kwaitq, kwaiter);

struct __ddi_sleep {
	struct khandle	h;		/* first: magic, lkinfo, caller */
	pthread_mutex_t	mtx;
	pthread_cond_t	cv;
	struct kctx	*owner;		/* under mtx */
	unsigned	waiters;	/* under mtx */
};
_Static_assert(sizeof(struct __ddi_sleep) <= KH_SLOT_SLEEP,
    "a sleep lock fits its slot");

struct __ddi_sv {
	struct khandle	h;		/* first: magic, caller */
	pthread_mutex_t	mtx;
	pthread_cond_t	cv;
	struct kwaitq	waitq;		/* under mtx */
};
_Static_assert(sizeof(struct __ddi_sv) <= KH_SLOT_SV,
    "a synchronization variable fits its slot");

/* ODDI sleep channels: one queue, woken by address. */
static FORK_MUTEX(chan_lock);
static pthread_cond_t chan_cv = PTHREAD_COND_INITIALIZER;
static struct kwaitq chan_waitq = TAILQ_HEAD_INITIALIZER(chan_waitq);

int
kern_wait_once(struct vwait *w, pthread_mutex_t *mtx, pthread_cond_t *cv,
    bool sig)
{
	if (sig && atomic_load(&kctx_self()->sig))
		return EINTR;
	/* Signals are polled: nothing else knows what we wait on. */
	vwait_poll_every(w, sig ? SIG_POLL_MS : 0);
	if (vwait_cond(w, cv, mtx, NULL))
		return ETIMEDOUT;
	if (sig && atomic_load(&kctx_self()->sig))
		return EINTR;
	return vwait_expired(w) && !w->reported ? ETIMEDOUT : 0;
}

/* pri* plus or minus at most 3. */
static void
pri_check(const char *func, const void *caller, int pri)
{
	static const int base[] = { prilo, primed, pritape, pritty, prinet,
	    pridisk, prihi };

	for (size_t i = 0; i < sizeof(base) / sizeof(base[0]); i++)
		if (pri >= base[i] - 3 && pri <= base[i] + 3)
			return;
	verify_report(func, caller, "priority %d is not one of the pri* "
	    "values plus or minus at most 3", pri);
}

static const char *
sl_name(const sleep_t *lk)
{
	return khandle_name(lk->h.info);
}

static inline __attribute__((always_inline)) bool
sleep_valid(const char *func, const void *caller, const sleep_t *lk)
{
	if (likely(khandle_live(lk, KH_SLEEP, KH_SLOT_SLEEP, KH_MAGIC_SLEEP)))
		return true;
	khandle_report(func, caller, KH_SLEEP, lk);
	return false;
}

DDI_ENTRY(sleep_t *, SLEEP_ALLOC, (int arg, lkinfo_t *info, int flag),
    (arg, info, flag))
{
	const void *caller = DDI_CALLER;
	sleep_t *lk;

	if (arg != 0)
		verify_report(DDI_FUNC, caller, "the first argument is "
		    "reserved and must be 0, not %d", arg);
	if (info != NULL && ((info->lk_flags & ~LK_NOSTATS) != 0 ||
	    info->lk_pad[0] != 0 || info->lk_pad[1] != 0)) {
		verify_report(DDI_FUNC, caller, "lkinfo: lk_flags may hold "
		    "only LK_NOSTATS, and lk_pad must be zero");
		return NULL;
	}
	if (flag != KM_SLEEP && flag != KM_NOSLEEP) {
		verify_report(DDI_FUNC, caller, "flag %#x is neither KM_SLEEP "
		    "nor KM_NOSLEEP", (unsigned)flag);
		return NULL;
	}
	if (flag == KM_SLEEP)
		(void)kctx_check_block(DDI_FUNC, caller, NULL, false);
	if ((lk = (sleep_t *)khandle_alloc(KH_SLEEP, info, caller)) == NULL)
		return NULL;
	pthread_mutex_init(&lk->mtx, NULL);
	pthread_cond_init(&lk->cv, NULL);
	return lk;
}

static void
sleep_dtor(struct khandle *h)
{
	sleep_t *lk = (sleep_t *)h;

	pthread_cond_destroy(&lk->cv);
	pthread_mutex_destroy(&lk->mtx);
}

DDI_ENTRY_VOID(SLEEP_DEALLOC, (sleep_t *lk), (lk))
{
	bool busy;

	if (!sleep_valid(DDI_FUNC, DDI_CALLER, lk))
		return;
	pthread_mutex_lock(&lk->mtx);
	busy = lk->owner != NULL || lk->waiters != 0;
	pthread_mutex_unlock(&lk->mtx);
	if (busy) {
		verify_report(DDI_FUNC, DDI_CALLER, "sleep lock \"%s\" is held "
		    "or awaited", sl_name(lk));
		return;
	}
	if (!khandle_free(KH_SLEEP, &lk->h, sleep_dtor))
		khandle_report(DDI_FUNC, DDI_CALLER, KH_SLEEP, lk);
}

/* SLEEP_LOCK and SLEEP_LOCK_SIG: B_FALSE when a signal ends the wait. */
static bool_t
sleep_lock(const char *func, const void *caller, sleep_t *lk, int pri,
    bool sig)
{
	struct kctx *k = kctx_self();
	struct vwait w;
	bool_t got = B_FALSE;

	if (!sleep_valid(func, caller, lk))
		return B_FALSE;
	pri_check(func, caller, pri);
	(void)kctx_check_block(func, caller, NULL, false);
	vwait_start(&w, VWAIT_KEEP, func, caller);
	pthread_mutex_lock(&lk->mtx);
	if (lk->owner == k) {
		pthread_mutex_unlock(&lk->mtx);
		verify_report(func, caller, "sleep lock \"%s\" is already held "
		    "by the caller: deadlock", sl_name(lk));
		return B_FALSE;
	}
	lk->waiters++;
	while (lk->owner != NULL) {
		int e = kern_wait_once(&w, &lk->mtx, &lk->cv, sig);

		if (e == EINTR)
			break;
		if (e == ETIMEDOUT)
			vwait_report(&w, "sleep lock \"%s\" not acquired",
			    sl_name(lk));
	}
	lk->waiters--;
	if (lk->owner == NULL) {
		lk->owner = k;
		got = B_TRUE;
	}
	pthread_mutex_unlock(&lk->mtx);
	if (sig && got == B_FALSE)
		(void)kctx_sig_take(k);
	return got;
}

DDI_ENTRY_VOID(SLEEP_LOCK, (sleep_t *lk, int pri), (lk, pri))
{
	(void)sleep_lock(DDI_FUNC, DDI_CALLER, lk, pri, false);
}

DDI_ENTRY(bool_t, SLEEP_LOCK_SIG, (sleep_t *lk, int pri), (lk, pri))
{
	return sleep_lock(DDI_FUNC, DDI_CALLER, lk, pri, true);
}

DDI_ENTRY(bool_t, SLEEP_TRYLOCK, (sleep_t *lk), (lk))
{
	bool_t got = B_FALSE;

	if (!sleep_valid(DDI_FUNC, DDI_CALLER, lk))
		return B_FALSE;
	pthread_mutex_lock(&lk->mtx);
	if (lk->owner == NULL) {
		lk->owner = kctx_self();
		got = B_TRUE;
	}
	pthread_mutex_unlock(&lk->mtx);
	return got;
}

DDI_ENTRY_VOID(SLEEP_UNLOCK, (sleep_t *lk), (lk))
{
	struct kctx *k = kctx_self();
	struct kctx *owner;

	if (!sleep_valid(DDI_FUNC, DDI_CALLER, lk))
		return;
	pthread_mutex_lock(&lk->mtx);
	if ((owner = lk->owner) == k) {
		lk->owner = NULL;
		pthread_cond_broadcast(&lk->cv);
	}
	pthread_mutex_unlock(&lk->mtx);
	if (owner != k)
		verify_report(DDI_FUNC, DDI_CALLER, "sleep lock \"%s\" is not "
		    "held by the caller (%s)", sl_name(lk), owner != NULL ?
		    "another context holds it" : "nobody holds it");
}

DDI_ENTRY(bool_t, SLEEP_LOCKAVAIL, (sleep_t *lk), (lk))
{
	bool_t avail;

	if (!sleep_valid(DDI_FUNC, DDI_CALLER, lk))
		return B_FALSE;
	pthread_mutex_lock(&lk->mtx);
	avail = lk->owner == NULL;
	pthread_mutex_unlock(&lk->mtx);
	return avail;
}

DDI_ENTRY(bool_t, SLEEP_LOCKOWNED, (sleep_t *lk), (lk))
{
	bool_t own;

	if (!sleep_valid(DDI_FUNC, DDI_CALLER, lk))
		return B_FALSE;
	pthread_mutex_lock(&lk->mtx);
	own = lk->owner == kctx_self();
	pthread_mutex_unlock(&lk->mtx);
	return own;
}

static inline __attribute__((always_inline)) bool
sv_valid(const char *func, const void *caller, const sv_t *sv)
{
	if (likely(khandle_live(sv, KH_SV, KH_SLOT_SV, KH_MAGIC_SV)))
		return true;
	khandle_report(func, caller, KH_SV, sv);
	return false;
}

DDI_ENTRY(sv_t *, SV_ALLOC, (int flag), (flag))
{
	sv_t *sv;

	if (flag != KM_SLEEP && flag != KM_NOSLEEP) {
		verify_report(DDI_FUNC, DDI_CALLER, "flag %#x is neither "
		    "KM_SLEEP nor KM_NOSLEEP", (unsigned)flag);
		return NULL;
	}
	if (flag == KM_SLEEP)
		(void)kctx_check_block(DDI_FUNC, DDI_CALLER, NULL, false);
	if ((sv = (sv_t *)khandle_alloc(KH_SV, NULL, DDI_CALLER)) == NULL)
		return NULL;
	pthread_mutex_init(&sv->mtx, NULL);
	pthread_cond_init(&sv->cv, NULL);
	TAILQ_INIT(&sv->waitq);
	return sv;
}

static void
sv_dtor(struct khandle *h)
{
	sv_t *sv = (sv_t *)h;

	pthread_cond_destroy(&sv->cv);
	pthread_mutex_destroy(&sv->mtx);
}

DDI_ENTRY_VOID(SV_DEALLOC, (sv_t *sv), (sv))
{
	bool busy;

	if (!sv_valid(DDI_FUNC, DDI_CALLER, sv))
		return;
	pthread_mutex_lock(&sv->mtx);
	busy = !TAILQ_EMPTY(&sv->waitq);
	pthread_mutex_unlock(&sv->mtx);
	if (busy) {
		verify_report(DDI_FUNC, DDI_CALLER, "threads are waiting on "
		    "synchronization variable %p", (void *)sv);
		return;
	}
	if (!khandle_free(KH_SV, &sv->h, sv_dtor))
		khandle_report(DDI_FUNC, DDI_CALLER, KH_SV, sv);
}

/*
 * Queue on sv, then give up lkp and drop to PLBASE (which may run pending
 * interrupts in this thread; one of them may be the SV_SIGNAL), then wait.
 * Being queued before the lock is released is what makes a wakeup
 * impossible to lose.  Returns B_FALSE if a signal ended the wait.
 */
static bool_t
sv_wait(const char *func, const void *caller, sv_t *sv, int pri,
    lock_t *lkp, bool sig)
{
	struct kwaiter w = { .woken = false };
	struct vwait vw;
	bool_t woken;

	if (!sv_valid(func, caller, sv))
		return B_FALSE;
	pri_check(func, caller, pri);
	if (!kctx_check_block(func, caller, lkp, false)) {
		/* Reported; do not hang the handler: a spurious wakeup. */
		if (kern_lock_release(lkp, func, caller))
			(void)kctx_setpl(PLBASE);
		return B_TRUE;
	}
	pthread_mutex_lock(&sv->mtx);
	TAILQ_INSERT_TAIL(&sv->waitq, &w, link);
	pthread_mutex_unlock(&sv->mtx);
	if (kern_lock_release(lkp, func, caller))
		(void)kctx_setpl(PLBASE);
	vwait_start_ms(&vw, VWAIT_GIVE_UP, 0, "returning as a spurious "
	    "wakeup", func, caller);
	pthread_mutex_lock(&sv->mtx);
	while (!w.woken) {
		int e = kern_wait_once(&vw, &sv->mtx, &sv->cv, sig);

		if (e == ETIMEDOUT)
			vwait_report(&vw, "not woken");
		if (e != 0)
			break;
	}
	if (!(woken = w.woken))
		TAILQ_REMOVE(&sv->waitq, &w, link);
	pthread_mutex_unlock(&sv->mtx);
	if (sig && !woken)
		return kctx_sig_take(kctx_self()) ? B_FALSE : B_TRUE;
	return B_TRUE;
}

DDI_ENTRY_VOID(SV_WAIT, (sv_t *sv, int pri, lock_t *lkp), (sv, pri, lkp))
{
	(void)sv_wait(DDI_FUNC, DDI_CALLER, sv, pri, lkp, false);
}

DDI_ENTRY(bool_t, SV_WAIT_SIG, (sv_t *sv, int pri, lock_t *lkp), (sv, pri, lkp))
{
	return sv_wait(DDI_FUNC, DDI_CALLER, sv, pri, lkp, true);
}

static void
sv_wake(const char *func, const void *caller, sv_t *sv, int flags, bool all)
{
	struct kwaiter *w;

	if (!sv_valid(func, caller, sv))
		return;
	if (flags != 0)
		verify_report(func, caller, "flags must be 0, not %#x",
		    (unsigned)flags);
	pthread_mutex_lock(&sv->mtx);
	while ((w = TAILQ_FIRST(&sv->waitq)) != NULL) {
		TAILQ_REMOVE(&sv->waitq, w, link);
		w->woken = true;
		if (!all)
			break;
	}
	pthread_cond_broadcast(&sv->cv);
	pthread_mutex_unlock(&sv->mtx);
}

DDI_ENTRY_VOID(SV_SIGNAL, (sv_t *sv, int flags), (sv, flags))
{
	sv_wake(DDI_FUNC, DDI_CALLER, sv, flags, false);
}

DDI_ENTRY_VOID(SV_BROADCAST, (sv_t *sv, int flags), (sv, flags))
{
	sv_wake(DDI_FUNC, DDI_CALLER, sv, flags, true);
}

/*
 * ODDI sleep: the caller usually sleeps at a raised level (spl5, say) so
 * that the interrupt that will wake it cannot slip in between its test and
 * its sleep.  As for SV_WAIT, it is queued first, then the level drops to
 * PLBASE for the sleep and comes back on return.  A signal ends the sleep
 * only with PCATCH and a priority above PZERO; without PCATCH the kernel
 * would abandon the system call, which a simulation cannot do, so the
 * signal stays pending and the sleep goes on.
 */
DDI_ENTRY(int, _Compat_sleep, (caddr_t chan, int pri), (chan, pri))
{
	const void *caller = DDI_CALLER;
	struct kctx *k = kctx_self();
	struct kwaiter w = { .chan = chan, .woken = false };
	bool sig = (pri & PCATCH) != 0 && (pri & 0xff) > PZERO;
	struct vwait vw;
	pl_t opl;
	int ret = 0;

	if (!kctx_check_block("sleep", caller, NULL, true))
		return 0;
	pthread_mutex_lock(&chan_lock);
	TAILQ_INSERT_TAIL(&chan_waitq, &w, link);
	pthread_mutex_unlock(&chan_lock);
	opl = kctx_setpl(PLBASE);
	vwait_start_ms(&vw, VWAIT_GIVE_UP, 0, "returning as a spurious "
	    "wakeup", "sleep", caller);
	pthread_mutex_lock(&chan_lock);
	while (!w.woken) {
		int e = kern_wait_once(&vw, &chan_lock, &chan_cv, sig);

		if (e == ETIMEDOUT)
			vwait_report(&vw, "no wakeup(%p)", (void *)chan);
		if (e != 0) {
			ret = e == EINTR;
			break;
		}
	}
	if (!w.woken)
		TAILQ_REMOVE(&chan_waitq, &w, link);
	pthread_mutex_unlock(&chan_lock);
	if (ret)
		(void)kctx_sig_take(k);
	(void)kctx_setpl(opl);
	return ret;
}

DDI_ENTRY_VOID(wakeup, (caddr_t chan), (chan))
{
	struct kwaiter *w, *next;

	pthread_mutex_lock(&chan_lock);
	for (w = TAILQ_FIRST(&chan_waitq); w != NULL; w = next) {
		next = TAILQ_NEXT(w, link);
		if (w->chan == chan) {
			TAILQ_REMOVE(&chan_waitq, w, link);
			w->woken = true;
		}
	}
	pthread_cond_broadcast(&chan_cv);
	pthread_mutex_unlock(&chan_lock);
}
