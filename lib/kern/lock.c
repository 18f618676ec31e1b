/*
 * lock.c - basic locks and read/write locks (LOCK_ALLOC(9), RW_ALLOC(9)).
 *
 * Both are spin locks in the kernel: taken at a raised level, never held
 * across a sleep.  Here a waiter blocks on a host mutex or condition
 * variable instead of spinning, which changes nothing a driver can see.
 * The checks a debug kernel makes are made on every call: the level
 * against the lock's minimum and the handler's level, the hierarchy
 * against every lock the context holds, recursion, release by a context
 * that does not hold the lock, and freeing a held lock.  The handles live
 * in the regions of handle.c, so a lock passed back after LOCK_DEALLOC is
 * reported as freed without reading freed memory.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "verify/verify.h"
#include "verify/wait.h"
#include "machine/entry.h"
#include "machine/machine.h"
#include "kern/ctx.h"
#include "kern/handle.h"
#include "kern/kern.h"

#include "sys/kmem.h"
#include "sys/ksynch.h"

struct __ddi_lock {
	struct khandle	h;		/* first: magic, lkinfo, caller */
	uchar_t		hier;
	pl_t		min_pl;
	pthread_mutex_t	mtx;
	_Atomic(struct kctx *) owner;	/* holder, or NULL */
	_Atomic int	owner_cpu;	/* CPU the holder sits on */
};
_Static_assert(sizeof(struct __ddi_lock) <= KH_SLOT_LOCK,
    "a basic lock fits its slot");

struct __ddi_rwlock {
	struct khandle	h;		/* first: magic, lkinfo, caller */
	uchar_t		hier;
	pl_t		min_pl;
	pthread_mutex_t	mtx;		/* guards the fields below */
	pthread_cond_t	cv;
	unsigned	readers;
	unsigned	writers_waiting;
	struct kctx	*writer;
	int		writer_cpu;	/* CPU the writer sits on */
	uint16_t	readers_on[MACHINE_MAX_CPUS];	/* readers per CPU */
};
_Static_assert(sizeof(struct __ddi_rwlock) <= KH_SLOT_RWLOCK,
    "a read/write lock fits its slot");

/* Arguments common to LOCK_ALLOC and RW_ALLOC; false if unusable. */
static bool
lk_alloc_args_ok(const char *func, const void *caller, uchar_t hier,
    pl_t min_pl, const lkinfo_t *info, int flag)
{
	if (hier < 1 || hier > 32) {
		verify_report(func, caller, "hierarchy %u is outside 1..32",
		    hier);
		return false;
	}
	if (!pl_valid(min_pl)) {
		verify_report(func, caller, "min_pl %u is not a priority "
		    "level", min_pl);
		return false;
	}
	if (info != NULL && (info->lk_flags != 0 || info->lk_pad[0] != 0 ||
	    info->lk_pad[1] != 0)) {
		verify_report(func, caller, "lkinfo \"%s\": lk_flags and "
		    "lk_pad must be zero", khandle_name(info));
		return false;
	}
	if (flag != KM_SLEEP && flag != KM_NOSLEEP) {
		verify_report(func, caller, "flag %#x is neither KM_SLEEP nor "
		    "KM_NOSLEEP", (unsigned)flag);
		return false;
	}
	if (flag == KM_SLEEP)
		(void)kctx_check_block(func, caller, NULL, false);
	return true;
}

/*
 * The level argument of an acquisition: a real level, not below the
 * lock's minimum, not below the current level (the call would lower it;
 * in a handler that is below the handler's level).  A level that is no
 * level at all fails the call; one that is merely too low is reported and
 * raised to what is safe, so the caller's locking stays consistent.
 */
static bool
lk_pl_fix(const char *func, const void *caller, struct kctx *k, pl_t *plp,
    pl_t min_pl, const lkinfo_t *info)
{
	pl_t pl = *plp;

	if (!pl_valid(pl)) {
		verify_report(func, caller, "pl %u is not a priority level",
		    pl);
		return false;
	}
	if (pl < min_pl) {
		verify_report(func, caller, "lock \"%s\": pl %u is below its "
		    "minimum %u", khandle_name(info), pl, min_pl);
		pl = min_pl;
	}
	if (pl < k->pl) {
		verify_report(func, caller, "lock \"%s\": pl %u would lower "
		    "the current level %u", khandle_name(info), pl, k->pl);
		pl = k->pl;
	}
	*plp = pl;
	return true;
}

/* hierarchy(D5): strictly above every spin lock the context holds. */
static bool
lk_hier_ok(const char *func, const void *caller, struct kctx *k,
    uchar_t hier, const lkinfo_t *info)
{
	for (int i = 0; i < k->nheld; i++)
		if (k->held[i].hier >= hier) {
			verify_report(func, caller, "lock \"%s\" (hierarchy "
			    "%u) taken while holding one of hierarchy %u",
			    khandle_name(info), hier, k->held[i].hier);
			return false;
		}
	return true;
}

static inline __attribute__((always_inline)) bool
lock_valid(const char *func, const void *caller, const lock_t *lp)
{
	if (likely(khandle_live(lp, KH_LOCK, KH_SLOT_LOCK, KH_MAGIC_LOCK)))
		return true;
	khandle_report(func, caller, KH_LOCK, lp);
	return false;
}

DDI_ENTRY(lock_t *, LOCK_ALLOC, (uchar_t hier, pl_t min_pl, lkinfo_t *info,
    int flag), (hier, min_pl, info, flag))
{
	lock_t *lp;

	if (!lk_alloc_args_ok(DDI_FUNC, DDI_CALLER, hier, min_pl, info, flag))
		return NULL;
	if ((lp = (lock_t *)khandle_alloc(KH_LOCK, info, DDI_CALLER)) ==
	    NULL)
		return NULL;
	lp->hier = hier;
	lp->min_pl = min_pl;
	pthread_mutex_init(&lp->mtx, NULL);
	atomic_init(&lp->owner_cpu, -1);
	return lp;
}

static void
lock_dtor(struct khandle *h)
{
	pthread_mutex_destroy(&((lock_t *)h)->mtx);
}

DDI_ENTRY_VOID(LOCK_DEALLOC, (lock_t *lp), (lp))
{
	if (!lock_valid(DDI_FUNC, DDI_CALLER, lp))
		return;
	if (atomic_load(&lp->owner) != NULL) {
		verify_report(DDI_FUNC, DDI_CALLER, "lock \"%s\" is held",
		    khandle_name(lp->h.info));
		return;
	}
	if (!khandle_free(KH_LOCK, &lp->h, lock_dtor))
		khandle_report(DDI_FUNC, DDI_CALLER, KH_LOCK, lp);
}

/*
 * Wait for the host mutex.  A holder on this CPU that this interrupt frame
 * preempted can never run again: report the deadlock instead of hanging.
 * A wait longer than the machine's sleeplimit is reported once.
 */
static bool
lock_wait(const char *func, const void *caller, struct kctx *k, lock_t *lp)
{
	struct vwait w;

	if (pthread_mutex_trylock(&lp->mtx) == 0)
		return true;
	if (k->intr > 0 && atomic_load(&lp->owner_cpu) == k->cpu) {
		verify_report(func, caller, "lock \"%s\" is held by the "
		    "context this handler interrupted on CPU %d: deadlock",
		    khandle_name(lp->h.info), k->cpu);
		return false;
	}
	vwait_start(&w, VWAIT_KEEP, func, caller);
	vwait_lock(&w, &lp->mtx, "lock \"%s\" not acquired",
	    khandle_name(lp->h.info));
	return true;
}

static void
lock_took(struct kctx *k, lock_t *lp, pl_t pl, const char *func,
    const void *caller)
{
	atomic_store(&lp->owner, k);
	atomic_store(&lp->owner_cpu, k->cpu >= 0 ? k->cpu :
	    kctx_home_cpu());
	(void)kctx_push_held(k, lp, KHELD_LOCK, lp->hier, pl, func, caller);
}

DDI_ENTRY(pl_t, LOCK, (lock_t *lp, pl_t pl), (lp, pl))
{
	struct kctx *k = kctx_self();
	const void *caller = DDI_CALLER;
	pl_t opl;

	if (!lock_valid(DDI_FUNC, caller, lp) ||
	    !lk_pl_fix(DDI_FUNC, caller, k, &pl, lp->min_pl, lp->h.info))
		return k->pl;
	if (atomic_load(&lp->owner) == k) {
		verify_report(DDI_FUNC, caller, "lock \"%s\" is already held "
		    "by the caller: deadlock", khandle_name(lp->h.info));
		return k->pl;
	}
	(void)lk_hier_ok(DDI_FUNC, caller, k, lp->hier, lp->h.info);
	opl = kctx_setpl(pl);
	if (!lock_wait(DDI_FUNC, caller, k, lp)) {
		(void)kctx_setpl(opl);
		return opl;
	}
	lock_took(k, lp, pl, DDI_FUNC, caller);
	return opl;
}

DDI_ENTRY(pl_t, TRYLOCK, (lock_t *lp, pl_t pl), (lp, pl))
{
	struct kctx *k = kctx_self();
	const void *caller = DDI_CALLER;
	pl_t opl;

	if (!lock_valid(DDI_FUNC, caller, lp) ||
	    !lk_pl_fix(DDI_FUNC, caller, k, &pl, lp->min_pl, lp->h.info))
		return INVPL;
	opl = kctx_setpl(pl);
	if (pthread_mutex_trylock(&lp->mtx) != 0) {
		(void)kctx_setpl(opl);
		return INVPL;
	}
	lock_took(k, lp, pl, DDI_FUNC, caller);
	return opl;
}

DDI_ENTRY_VOID(UNLOCK, (lock_t *lp, pl_t pl), (lp, pl))
{
	struct kctx *k = kctx_self();
	const void *caller = DDI_CALLER;
	int i;

	if (!lock_valid(DDI_FUNC, caller, lp))
		return;
	if ((i = kctx_find_held(k, lp)) < 0) {
		verify_report(DDI_FUNC, caller, "lock \"%s\" is not held by "
		    "the caller (%s)", khandle_name(lp->h.info),
		    atomic_load(&lp->owner) != NULL ? "another context holds "
		    "it" : "nobody holds it");
		return;
	}
	if (!pl_valid(pl)) {
		verify_report(DDI_FUNC, caller, "pl %u is not a priority "
		    "level; the lock is released at the current level", pl);
		pl = k->pl;
	}
	kctx_pop_held(k, i);
	atomic_store(&lp->owner_cpu, -1);
	atomic_store(&lp->owner, NULL);
	pthread_mutex_unlock(&lp->mtx);
	(void)spl_set_checked(DDI_FUNC, caller, pl);
}

static inline __attribute__((always_inline)) bool
rw_valid(const char *func, const void *caller, const rwlock_t *lp)
{
	if (likely(khandle_live(lp, KH_RWLOCK, KH_SLOT_RWLOCK,
	    KH_MAGIC_RWLOCK)))
		return true;
	khandle_report(func, caller, KH_RWLOCK, lp);
	return false;
}

DDI_ENTRY(rwlock_t *, RW_ALLOC, (uchar_t hier, pl_t min_pl, lkinfo_t *info,
    int flag), (hier, min_pl, info, flag))
{
	rwlock_t *lp;

	if (!lk_alloc_args_ok(DDI_FUNC, DDI_CALLER, hier, min_pl, info, flag))
		return NULL;
	if ((lp = (rwlock_t *)khandle_alloc(KH_RWLOCK, info, DDI_CALLER)) ==
	    NULL)
		return NULL;
	lp->hier = hier;
	lp->min_pl = min_pl;
	pthread_mutex_init(&lp->mtx, NULL);
	pthread_cond_init(&lp->cv, NULL);
	return lp;
}

static void
rw_dtor(struct khandle *h)
{
	rwlock_t *lp = (rwlock_t *)h;

	pthread_cond_destroy(&lp->cv);
	pthread_mutex_destroy(&lp->mtx);
}

DDI_ENTRY_VOID(RW_DEALLOC, (rwlock_t *lp), (lp))
{
	bool busy;

	if (!rw_valid(DDI_FUNC, DDI_CALLER, lp))
		return;
	pthread_mutex_lock(&lp->mtx);
	busy = lp->readers != 0 || lp->writer != NULL ||
	    lp->writers_waiting != 0;
	pthread_mutex_unlock(&lp->mtx);
	if (busy) {
		verify_report(DDI_FUNC, DDI_CALLER, "read/write lock \"%s\" is "
		    "held or awaited", khandle_name(lp->h.info));
		return;
	}
	if (!khandle_free(KH_RWLOCK, &lp->h, rw_dtor))
		khandle_report(DDI_FUNC, DDI_CALLER, KH_RWLOCK, lp);
}

/*
 * Whether a handler on cpu that waits for lp waits for the context it
 * interrupted, which cannot run until the handler returns: that context
 * holds lp for writing, or holds it for reading while the handler wants
 * to write or queues behind a waiting writer (who waits for that reader).
 * Called with lp->mtx held.
 */
static bool
rw_waits_on_own_cpu(const rwlock_t *lp, bool write, int cpu)
{
	if (lp->writer != NULL && lp->writer_cpu == cpu)
		return true;
	return lp->readers_on[cpu] > 0 && (write || lp->writers_waiting > 0);
}

/*
 * Acquire in read or write mode.  Writers are preferred: a reader waits
 * behind a waiting writer, so a stream of readers cannot starve one.
 * try: give up instead of waiting.
 */
static pl_t
rw_acquire(const char *func, const void *caller, rwlock_t *lp, pl_t pl,
    bool write, bool try)
{
	struct kctx *k = kctx_self();
	struct vwait w;
	pl_t opl;
	int cpu;

	if (!rw_valid(func, caller, lp) ||
	    !lk_pl_fix(func, caller, k, &pl, lp->min_pl, lp->h.info))
		return try ? INVPL : k->pl;
	if (kctx_find_held(k, lp) >= 0) {
		/* Waiting would never end; a try simply fails. */
		if (!try)
			verify_report(func, caller, "read/write lock \"%s\" is "
			    "already held by the caller: deadlock",
			    khandle_name(lp->h.info));
		return try ? INVPL : k->pl;
	}
	if (!try)
		(void)lk_hier_ok(func, caller, k, lp->hier, lp->h.info);
	opl = kctx_setpl(pl);
	cpu = k->cpu >= 0 ? k->cpu : kctx_home_cpu();
	pthread_mutex_lock(&lp->mtx);
	if (write)
		lp->writers_waiting++;
	vwait_start(&w, VWAIT_KEEP, func, caller);
	while (lp->writer != NULL || (write ? lp->readers != 0 :
	    lp->writers_waiting != 0)) {
		if (try)
			break;
		if (k->intr > 0 && rw_waits_on_own_cpu(lp, write, cpu)) {
			if (write)
				lp->writers_waiting--;
			pthread_mutex_unlock(&lp->mtx);
			verify_report(func, caller, "read/write lock \"%s\" "
			    "is held by the context this handler interrupted "
			    "on CPU %d: deadlock", khandle_name(lp->h.info),
			    cpu);
			(void)kctx_setpl(opl);
			return opl;
		}
		(void)vwait_cond(&w, &lp->cv, &lp->mtx, "read/write lock "
		    "\"%s\" not acquired", khandle_name(lp->h.info));
	}
	if (write)
		lp->writers_waiting--;
	if (lp->writer != NULL || (write ? lp->readers != 0 :
	    lp->writers_waiting != 0)) {
		pthread_mutex_unlock(&lp->mtx);
		(void)kctx_setpl(opl);
		return INVPL;
	}
	if (write) {
		lp->writer = k;
		lp->writer_cpu = cpu;
	} else {
		lp->readers++;
		lp->readers_on[cpu]++;
	}
	pthread_mutex_unlock(&lp->mtx);
	if (!kctx_push_held(k, lp, write ? KHELD_WRLOCK : KHELD_RDLOCK,
	    lp->hier, pl, func, caller) && !write) {
		/* Held but not recorded: its CPU cannot be undone later. */
		pthread_mutex_lock(&lp->mtx);
		lp->readers_on[cpu]--;
		pthread_mutex_unlock(&lp->mtx);
	}
	return opl;
}

DDI_ENTRY(pl_t, RW_RDLOCK, (rwlock_t *lp, pl_t pl), (lp, pl))
{
	return rw_acquire(DDI_FUNC, DDI_CALLER, lp, pl, false, false);
}

DDI_ENTRY(pl_t, RW_WRLOCK, (rwlock_t *lp, pl_t pl), (lp, pl))
{
	return rw_acquire(DDI_FUNC, DDI_CALLER, lp, pl, true, false);
}

DDI_ENTRY(pl_t, RW_TRYRDLOCK, (rwlock_t *lp, pl_t pl), (lp, pl))
{
	return rw_acquire(DDI_FUNC, DDI_CALLER, lp, pl, false, true);
}

DDI_ENTRY(pl_t, RW_TRYWRLOCK, (rwlock_t *lp, pl_t pl), (lp, pl))
{
	return rw_acquire(DDI_FUNC, DDI_CALLER, lp, pl, true, true);
}

DDI_ENTRY_VOID(RW_UNLOCK, (rwlock_t *lp, pl_t pl), (lp, pl))
{
	struct kctx *k = kctx_self();
	const void *caller = DDI_CALLER;
	int i;

	if (!rw_valid(DDI_FUNC, caller, lp))
		return;
	if ((i = kctx_find_held(k, lp)) < 0) {
		verify_report(DDI_FUNC, caller, "read/write lock \"%s\" is not "
		    "held by the caller", khandle_name(lp->h.info));
		return;
	}
	if (!pl_valid(pl)) {
		verify_report(DDI_FUNC, caller, "pl %u is not a priority "
		    "level; the lock is released at the current level", pl);
		pl = k->pl;
	}
	pthread_mutex_lock(&lp->mtx);
	if (k->held[i].kind == KHELD_WRLOCK) {
		lp->writer = NULL;
	} else {
		lp->readers--;
		lp->readers_on[k->held[i].cpu]--;
	}
	pthread_cond_broadcast(&lp->cv);
	pthread_mutex_unlock(&lp->mtx);
	kctx_pop_held(k, i);
	(void)spl_set_checked(DDI_FUNC, caller, pl);
}

/* For SV_WAIT: release a basic lock the caller holds, keeping the level. */
bool
kern_lock_release(lock_t *lp, const char *func, const void *caller)
{
	struct kctx *k = kctx_self();
	int i;

	if (!lock_valid(func, caller, lp))
		return false;
	if ((i = kctx_find_held(k, lp)) < 0) {
		verify_report(func, caller, "lock \"%s\" is not held by the "
		    "caller", khandle_name(lp->h.info));
		return false;
	}
	kctx_pop_held(k, i);
	atomic_store(&lp->owner_cpu, -1);
	atomic_store(&lp->owner, NULL);
	pthread_mutex_unlock(&lp->mtx);
	return true;
}

/*
 * Release a lock an interrupt handler returned holding, whatever its
 * kind, so that the rest of the test can go on after the report.
 */
void
kern_held_release(const struct kheld *h)
{
	if (h->kind == KHELD_LOCK) {
		lock_t *lp = (lock_t *)(uintptr_t)h->lock;

		atomic_store(&lp->owner_cpu, -1);
		atomic_store(&lp->owner, NULL);
		pthread_mutex_unlock(&lp->mtx);
	} else {
		rwlock_t *lp = (rwlock_t *)(uintptr_t)h->lock;

		pthread_mutex_lock(&lp->mtx);
		if (h->kind == KHELD_WRLOCK) {
			lp->writer = NULL;
		} else {
			lp->readers--;
			lp->readers_on[h->cpu]--;
		}
		pthread_cond_broadcast(&lp->cv);
		pthread_mutex_unlock(&lp->mtx);
	}
}
