/*
 * test_ksync.c - basic, read/write and sleep locks, synchronization
 * variables, spl and the blocking-context checks.  Built with -DDEBUG.
 */
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>

#include <sys/types.h>
#include <sys/kmem.h>
#include <sys/ksynch.h>
#include <sys/ddi.h>

#include "lib/testutil.h"

static LKINFO_DECL(tk_lkinfo, "tk:lock", 0);
static LKINFO_DECL(tk_sleepinfo, "tk:sleep", 0);

START_TEST(lock_levels)
{
	lock_t *a, *b;
	pl_t s1, s2;

	MACHINE_UP("mem=64M");
	a = LOCK_ALLOC(1, PLDISK, &tk_lkinfo, KM_SLEEP);
	b = LOCK_ALLOC(2, PLHI, &tk_lkinfo, KM_SLEEP);
	ck_assert_ptr_nonnull(a);
	ck_assert_uint_eq(getpl(), PLBASE);
	s1 = LOCK(a, PLDISK);
	ck_assert_uint_eq(s1, PLBASE);
	ck_assert_uint_eq(getpl(), PLDISK);
	ck_assert_int_eq(ddisim_ctx_locks_held(), 1);
	s2 = LOCK(b, PLHI);
	ck_assert_uint_eq(s2, PLDISK);
	ck_assert_uint_eq(getpl(), PLHI);
	UNLOCK(b, s2);
	ck_assert_uint_eq(getpl(), PLDISK);
	UNLOCK(a, s1);
	ck_assert_uint_eq(getpl(), PLBASE);
	ck_assert_int_eq(ddisim_ctx_locks_held(), 0);
	/* Out of order: the caller keeps the level the other lock needs. */
	s1 = LOCK(a, PLDISK);
	s2 = LOCK(b, PLHI);
	UNLOCK(a, PLHI);
	UNLOCK(b, s1);
	ck_assert_uint_eq(getpl(), PLBASE);
	LOCK_DEALLOC(a);
	LOCK_DEALLOC(b);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	MACHINE_DOWN();
}
END_TEST

struct holder {
	lock_t		*lk;
	atomic_int	state;		/* 1: holds it, 2: may release */
};

static void *
hold_lock(void *arg)
{
	struct holder *h = arg;
	pl_t s = LOCK(h->lk, PLHI);

	atomic_store(&h->state, 1);
	while (atomic_load(&h->state) != 2)
		sched_yield();
	UNLOCK(h->lk, s);
	return NULL;
}

START_TEST(trylock_and_exclusion)
{
	struct holder h = { .state = 0 };
	pthread_t t;
	pl_t s;

	MACHINE_UP("mem=64M");
	h.lk = LOCK_ALLOC(5, PLHI, &tk_lkinfo, KM_SLEEP);
	pthread_create(&t, NULL, hold_lock, &h);
	while (atomic_load(&h.state) != 1)
		sched_yield();
	ck_assert_uint_eq(TRYLOCK(h.lk, PLHI), INVPL);
	ck_assert_uint_eq(getpl(), PLBASE);	/* the level came back */
	atomic_store(&h.state, 2);
	s = LOCK(h.lk, PLHI);			/* waits for the holder */
	ck_assert_uint_eq(s, PLBASE);
	UNLOCK(h.lk, s);
	pthread_join(t, NULL);
	s = TRYLOCK(h.lk, PLHI);
	ck_assert_uint_eq(s, PLBASE);
	UNLOCK(h.lk, s);
	LOCK_DEALLOC(h.lk);
	MACHINE_DOWN();
}
END_TEST

struct counter {
	lock_t		*lk;
	long		n;
	long		iters;
};

static void *
count_locked(void *arg)
{
	struct counter *c = arg;

	for (long i = 0; i < c->iters; i++) {
		pl_t s = LOCK(c->lk, PLSTR);
		long v = c->n;

		if ((i & 63) == 0)
			sched_yield();
		c->n = v + 1;
		UNLOCK(c->lk, s);
	}
	return NULL;
}

/* Four threads, one counter, one basic lock: nothing is lost. */
START_TEST(lock_excludes_threads)
{
	struct counter c = { .n = 0, .iters = prop_iters(20000) / 4 };
	pthread_t t[4];

	MACHINE_UP("mem=64M,cpus=4");
	c.lk = LOCK_ALLOC(3, PLSTR, &tk_lkinfo, KM_SLEEP);
	for (int i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, count_locked, &c);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	ck_assert_int_eq(c.n, 4 * c.iters);
	LOCK_DEALLOC(c.lk);
	MACHINE_DOWN();
}
END_TEST

START_TEST(hierarchy_and_levels_reported)
{
	lock_t *lo, *hi;
	unsigned long n;
	pl_t s, s2;

	MACHINE_UP("mem=64M,verify=count");
	lo = LOCK_ALLOC(4, PLDISK, &tk_lkinfo, KM_SLEEP);
	hi = LOCK_ALLOC(4, PLDISK, &tk_lkinfo, KM_SLEEP);
	s = LOCK(lo, PLDISK);
	n = ddisim_verify_count();
	s2 = LOCK(hi, PLDISK);			/* equal hierarchy */
	REPORTED(n, "hierarchy 4");
	UNLOCK(hi, s2);
	n = ddisim_verify_count();
	s2 = TRYLOCK(hi, PLDISK);		/* TRYLOCK is exempt */
	ck_assert_uint_ne(s2, INVPL);
	ck_assert_uint_eq(ddisim_verify_count(), n);
	UNLOCK(hi, s2);
	UNLOCK(lo, s);

	n = ddisim_verify_count();
	s = LOCK(lo, PLTIMEOUT);		/* below min_pl: raised */
	REPORTED(n, "below its minimum");
	ck_assert_int_eq(ddisim_ctx_locks_held(), 1);
	ck_assert_uint_eq(getpl(), PLDISK);
	UNLOCK(lo, s);
	ck_assert_uint_eq(s, PLBASE);
	n = ddisim_verify_count();
	ck_assert_uint_eq(LOCK(lo, PLHI + 1), PLBASE);	/* no level */
	REPORTED(n, "not a priority level");
	ck_assert_int_eq(ddisim_ctx_locks_held(), 0);

	s = LOCK(lo, PLDISK);
	n = ddisim_verify_count();
	(void)LOCK(lo, PLDISK);			/* recursion */
	REPORTED(n, "already held by the caller");
	ck_assert_int_eq(ddisim_ctx_locks_held(), 1);
	n = ddisim_verify_count();
	LOCK_DEALLOC(lo);			/* held */
	REPORTED(n, "is held");
	n = ddisim_verify_count();
	(void)splbase();			/* below the lock's level */
	REPORTED(n, "below 5");
	ck_assert_uint_eq(getpl(), PLDISK);
	UNLOCK(lo, s);
	n = ddisim_verify_count();
	UNLOCK(lo, PLBASE);			/* not held */
	REPORTED(n, "nobody holds it");
	ck_assert_uint_eq(getpl(), PLBASE);

	n = ddisim_verify_count();
	ck_assert_ptr_null(LOCK_ALLOC(0, PLHI, &tk_lkinfo, KM_SLEEP));
	REPORTED(n, "outside 1..32");
	ck_assert_ptr_null(LOCK_ALLOC(33, PLHI, &tk_lkinfo, KM_SLEEP));
	ck_assert_ptr_null(LOCK_ALLOC(1, PLHI + 1, &tk_lkinfo, KM_SLEEP));
	ck_assert_ptr_null(LOCK_ALLOC(1, PLHI, &tk_lkinfo, 7));
	ck_assert_uint_eq(ddisim_verify_count(), n + 4);
	LOCK_DEALLOC(lo);
	LOCK_DEALLOC(hi);
	ddisim_verify_set_policy(DDISIM_VERIFY_ABORT);
	MACHINE_DOWN();
}
END_TEST

struct other {
	lock_t		*lk;
	atomic_int	step;
};

static void *
unlock_foreign(void *arg)
{
	struct other *o = arg;

	UNLOCK(o->lk, PLBASE);
	atomic_store(&o->step, 1);
	return NULL;
}

START_TEST(unlock_by_other_thread_reported)
{
	struct other o = { .step = 0 };
	unsigned long n;
	pthread_t t;
	pl_t s;

	MACHINE_UP("mem=64M,verify=count");
	o.lk = LOCK_ALLOC(1, PLHI, &tk_lkinfo, KM_SLEEP);
	s = LOCK(o.lk, PLHI);
	n = ddisim_verify_count();
	pthread_create(&t, NULL, unlock_foreign, &o);
	pthread_join(t, NULL);
	REPORTED(n, "another context holds it");
	/* Still held by us: a TRYLOCK elsewhere would fail. */
	ck_assert_int_eq(ddisim_ctx_locks_held(), 1);
	UNLOCK(o.lk, s);
	LOCK_DEALLOC(o.lk);
	ddisim_verify_set_policy(DDISIM_VERIFY_ABORT);
	MACHINE_DOWN();
}
END_TEST

START_TEST(hierarchy_aborts)
{
	lock_t *a, *b;

	MACHINE_UP("mem=64M");
	a = LOCK_ALLOC(9, PLHI, &tk_lkinfo, KM_SLEEP);
	b = LOCK_ALLOC(8, PLHI, &tk_lkinfo, KM_SLEEP);
	(void)LOCK(a, PLHI);
	(void)LOCK(b, PLHI);
}
END_TEST

START_TEST(recursive_lock_aborts)
{
	lock_t *a;

	MACHINE_UP("mem=64M");
	a = LOCK_ALLOC(9, PLHI, &tk_lkinfo, KM_SLEEP);
	(void)LOCK(a, PLHI);
	(void)LOCK(a, PLHI);
}
END_TEST

struct rwtest {
	rwlock_t	*rw;
	atomic_int	readers_in;
	atomic_int	max_readers;
	atomic_int	writer_in;
	atomic_int	bad;
	long		iters;
};

static void *
rw_worker(void *arg)
{
	struct rwtest *r = arg;

	for (long i = 0; i < r->iters; i++) {
		if (i % 8 == 0) {
			pl_t s = RW_WRLOCK(r->rw, PLDISK);

			if (atomic_fetch_add(&r->writer_in, 1) != 0 ||
			    atomic_load(&r->readers_in) != 0)
				atomic_store(&r->bad, 1);
			sched_yield();
			atomic_fetch_sub(&r->writer_in, 1);
			RW_UNLOCK(r->rw, s);
		} else {
			pl_t s = RW_RDLOCK(r->rw, PLDISK);
			int in = atomic_fetch_add(&r->readers_in, 1) + 1;
			int m = atomic_load(&r->max_readers);

			if (atomic_load(&r->writer_in) != 0)
				atomic_store(&r->bad, 1);
			while (in > m && !atomic_compare_exchange_weak(
			    &r->max_readers, &m, in))
				continue;
			sched_yield();
			atomic_fetch_sub(&r->readers_in, 1);
			RW_UNLOCK(r->rw, s);
		}
	}
	return NULL;
}

START_TEST(rwlock_readers_share_writers_exclude)
{
	struct rwtest r = { .iters = prop_iters(4000) / 2 };
	pthread_t t[4];
	pl_t s, s2;

	MACHINE_UP("mem=64M,cpus=4");
	r.rw = RW_ALLOC(2, PLDISK, &tk_lkinfo, KM_SLEEP);
	s = RW_RDLOCK(r.rw, PLDISK);
	ck_assert_uint_eq(getpl(), PLDISK);
	ck_assert_uint_eq(RW_TRYWRLOCK(r.rw, PLDISK), INVPL);
	ck_assert_uint_eq(getpl(), PLDISK);
	RW_UNLOCK(r.rw, s);
	s = RW_TRYWRLOCK(r.rw, PLHI);
	ck_assert_uint_eq(s, PLBASE);
	ck_assert_uint_eq(getpl(), PLHI);
	RW_UNLOCK(r.rw, s);
	s = RW_TRYRDLOCK(r.rw, PLDISK);
	s2 = s;
	ck_assert_uint_ne(s2, INVPL);
	RW_UNLOCK(r.rw, s);
	for (int i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, rw_worker, &r);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	ck_assert_int_eq(atomic_load(&r.bad), 0);
	ck_assert_uint_eq(getpl(), PLBASE);
	RW_DEALLOC(r.rw);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	MACHINE_DOWN();
}
END_TEST

struct sltest {
	sleep_t		*sl;
	atomic_int	got;
	bool_t		sig_result;
	unsigned	id;
	pid_t		tid;
	atomic_int	ready;
};

static void *
sleep_lock_sig_waiter(void *arg)
{
	struct sltest *t = arg;

	t->id = ddisim_ctx_id();
	t->tid = tid_self();
	atomic_store(&t->ready, 1);
	t->sig_result = SLEEP_LOCK_SIG(t->sl, pridisk);
	if (t->sig_result)
		SLEEP_UNLOCK(t->sl);
	atomic_store(&t->got, 1);
	return NULL;
}

START_TEST(sleep_lock_core)
{
	struct sltest t = { .got = 0, .ready = 0 };
	unsigned long n;
	pthread_t th;

	MACHINE_UP("mem=64M,verify=count");
	t.sl = SLEEP_ALLOC(0, &tk_sleepinfo, KM_SLEEP);
	ck_assert_ptr_nonnull(t.sl);
	ck_assert(SLEEP_LOCKAVAIL(t.sl));
	SLEEP_LOCK(t.sl, pridisk);
	ck_assert(SLEEP_LOCKOWNED(t.sl));
	ck_assert(!SLEEP_LOCKAVAIL(t.sl));
	ck_assert(!SLEEP_TRYLOCK(t.sl));
	/* A signal ends SLEEP_LOCK_SIG without the lock. */
	pthread_create(&th, NULL, sleep_lock_sig_waiter, &t);
	while (!atomic_load(&t.ready))
		sched_yield();
	(void)tid_wait_asleep(t.tid);
	ck_assert_int_eq(atomic_load(&t.got), 0);
	ck_assert_int_eq(ddisim_ctx_signal(t.id), 1);
	pthread_join(th, NULL);
	ck_assert_int_eq(t.sig_result, B_FALSE);
	ck_assert(SLEEP_LOCKOWNED(t.sl));
	/* Without a signal the waiter gets the lock when it is released. */
	atomic_store(&t.ready, 0);
	atomic_store(&t.got, 0);
	pthread_create(&th, NULL, sleep_lock_sig_waiter, &t);
	while (!atomic_load(&t.ready))
		sched_yield();
	(void)tid_wait_asleep(t.tid);
	ck_assert_int_eq(atomic_load(&t.got), 0);
	SLEEP_UNLOCK(t.sl);
	pthread_join(th, NULL);
	ck_assert_int_eq(t.sig_result, B_TRUE);
	ck_assert(SLEEP_LOCKAVAIL(t.sl));
	ck_assert_uint_eq(ddisim_verify_count(), 0);

	n = ddisim_verify_count();
	SLEEP_UNLOCK(t.sl);
	REPORTED(n, "nobody holds it");
	SLEEP_LOCK(t.sl, pridisk + 4);
	REPORTED(n + 1, "priority 64");
	SLEEP_LOCK(t.sl, pridisk);
	REPORTED(n + 2, "already held by the caller");
	SLEEP_DEALLOC(t.sl);
	REPORTED(n + 3, "is held");
	SLEEP_UNLOCK(t.sl);
	SLEEP_DEALLOC(t.sl);
	ck_assert_uint_eq(ddisim_verify_count(), n + 4);
	ddisim_verify_set_policy(DDISIM_VERIFY_ABORT);
	MACHINE_DOWN();
}
END_TEST

/* A producer/consumer over one basic lock and two SVs. */
struct pc {
	lock_t		*lk;
	sv_t		*nonempty;
	int		queue[16];
	int		head, tail;	/* under lk */
	long		iters;
	long		sum;
};

static void *
producer(void *arg)
{
	struct pc *p = arg;

	for (long i = 1; i <= p->iters; i++) {
		pl_t s = LOCK(p->lk, PLSTR);

		while (p->tail - p->head == 16) {
			UNLOCK(p->lk, s);
			sched_yield();
			s = LOCK(p->lk, PLSTR);
		}
		p->queue[p->tail++ % 16] = (int)i;
		SV_SIGNAL(p->nonempty, 0);
		UNLOCK(p->lk, s);
	}
	return NULL;
}

START_TEST(sv_wait_loses_no_wakeup)
{
	struct pc p = { .iters = prop_iters(20000) };
	long got = 0;
	pthread_t t;

	MACHINE_UP("mem=64M,cpus=2");
	p.lk = LOCK_ALLOC(1, PLSTR, &tk_lkinfo, KM_SLEEP);
	p.nonempty = SV_ALLOC(KM_SLEEP);
	pthread_create(&t, NULL, producer, &p);
	while (got < p.iters) {
		pl_t s = LOCK(p.lk, PLSTR);

		while (p.head == p.tail) {
			SV_WAIT(p.nonempty, primed, p.lk);
			ck_assert_uint_eq(getpl(), PLBASE);
			ck_assert_int_eq(ddisim_ctx_locks_held(), 0);
			s = LOCK(p.lk, PLSTR);
		}
		p.sum += p.queue[p.head++ % 16];
		got++;
		UNLOCK(p.lk, s);
	}
	pthread_join(t, NULL);
	ck_assert_int_eq(p.sum, p.iters * (p.iters + 1) / 2);
	SV_DEALLOC(p.nonempty);
	LOCK_DEALLOC(p.lk);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	MACHINE_DOWN();
}
END_TEST

struct svw {
	lock_t		*lk;
	sv_t		*sv;
	atomic_int	waiting;
	atomic_int	woken;
	unsigned	id;
	bool_t		res;
	atomic_int	slots;		/* sv_waiters so far */
	pid_t		tid[3];		/* each sv_waiter's thread */
	atomic_int	up[3];		/* and whether it was woken */
};

static void *
sv_waiter(void *arg)
{
	struct svw *w = arg;
	int me = atomic_fetch_add(&w->slots, 1);

	w->tid[me] = tid_self();
	(void)LOCK(w->lk, PLHI);
	atomic_fetch_add(&w->waiting, 1);
	SV_WAIT(w->sv, prilo, w->lk);
	atomic_store(&w->up[me], 1);
	atomic_fetch_add(&w->woken, 1);
	return NULL;
}

/* Every sv_waiter that was not woken sleeps in the host kernel. */
static void
wait_unwoken_asleep(struct svw *w)
{
	for (int i = 0; i < 3; i++)
		if (!atomic_load(&w->up[i]))
			(void)tid_wait_asleep(w->tid[i]);
}

static void *
sv_sig_waiter(void *arg)
{
	struct svw *w = arg;

	w->id = ddisim_ctx_id();
	(void)LOCK(w->lk, PLHI);
	atomic_fetch_add(&w->waiting, 1);
	w->res = SV_WAIT_SIG(w->sv, prilo, w->lk);
	atomic_fetch_add(&w->woken, 1);
	return NULL;
}

static void
wait_waiting(struct svw *w, int n)
{
	pl_t s;

	/* A waiter counted itself under the lock and drops it only once
	   it is queued on the SV. */
	while (atomic_load(&w->waiting) < n)
		sched_yield();
	s = LOCK(w->lk, PLHI);
	UNLOCK(w->lk, s);
}

START_TEST(sv_signal_wakes_one_broadcast_all)
{
	struct svw w = { .waiting = 0, .woken = 0 };
	pthread_t t[3];

	MACHINE_UP("mem=64M,cpus=4");
	w.lk = LOCK_ALLOC(1, PLHI, &tk_lkinfo, KM_SLEEP);
	w.sv = SV_ALLOC(KM_SLEEP);
	SV_SIGNAL(w.sv, 0);		/* no waiter: no effect, no memory */
	for (int i = 0; i < 3; i++)
		pthread_create(&t[i], NULL, sv_waiter, &w);
	wait_waiting(&w, 3);
	wait_unwoken_asleep(&w);
	ck_assert_int_eq(atomic_load(&w.woken), 0);
	SV_SIGNAL(w.sv, 0);
	while (atomic_load(&w.woken) < 1)
		sched_yield();
	wait_unwoken_asleep(&w);
	ck_assert_int_eq(atomic_load(&w.woken), 1);
	SV_BROADCAST(w.sv, 0);
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	ck_assert_int_eq(atomic_load(&w.woken), 3);

	/* SV_WAIT_SIG: a signal ends the wait with B_FALSE. */
	atomic_store(&w.waiting, 0);
	atomic_store(&w.woken, 0);
	pthread_create(&t[0], NULL, sv_sig_waiter, &w);
	wait_waiting(&w, 1);
	ck_assert_int_eq(ddisim_ctx_signal(w.id), 1);
	pthread_join(t[0], NULL);
	ck_assert_int_eq(w.res, B_FALSE);
	atomic_store(&w.waiting, 0);
	pthread_create(&t[0], NULL, sv_sig_waiter, &w);
	wait_waiting(&w, 1);
	SV_SIGNAL(w.sv, 0);
	pthread_join(t[0], NULL);
	ck_assert_int_eq(w.res, B_TRUE);
	SV_DEALLOC(w.sv);
	LOCK_DEALLOC(w.lk);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	MACHINE_DOWN();
}
END_TEST

START_TEST(spl_levels)
{
	pl_t s;

	MACHINE_UP("mem=64M");
	ck_assert_uint_eq(getpl(), PLBASE);
	s = spltimeout();
	ck_assert_uint_eq(s, PLBASE);
	ck_assert_uint_eq(spldisk(), PLTIMEOUT);
	ck_assert_uint_eq(splstr(), PLDISK);
	ck_assert_uint_eq(splhi(), PLSTR);
	ck_assert_uint_eq(getpl(), PLHI);
	ck_assert_uint_eq(splx(PLDISK), PLHI);
	ck_assert_uint_eq(splbase(), PLDISK);
	ck_assert_uint_eq(getpl(), PLBASE);
	ck_assert(PLBASE < PLTIMEOUT && PLTIMEOUT <= PLDISK &&
	    PLDISK <= PLHI && PLSTR <= PLHI);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	MACHINE_DOWN();
}
END_TEST

/*
 * The context checks: KM_SLEEP with a basic lock held, or above PLBASE,
 * is reported and the allocation does not sleep; KM_NOSLEEP is not
 * reported.  (From an interrupt handler: test_intr.)
 */
START_TEST(blocking_with_lock_held_reported)
{
	lock_t *lk;
	sv_t *sv;
	unsigned long n;
	void *p;
	pl_t s;

	MACHINE_UP("mem=64M,verify=count");
	lk = LOCK_ALLOC(1, PLHI, &tk_lkinfo, KM_SLEEP);
	s = LOCK(lk, PLHI);
	n = ddisim_verify_count();
	p = kmem_alloc(100, KM_NOSLEEP);
	ck_assert_uint_eq(ddisim_verify_count(), n);
	kmem_free(p, 100);
	p = kmem_alloc(100, KM_SLEEP);
	REPORTED(n, "holds a basic or read/write lock");
	kmem_free(p, 100);
	n = ddisim_verify_count();
	sv = SV_ALLOC(KM_SLEEP);
	REPORTED(n, "holds a basic or read/write lock");
	SV_DEALLOC(sv);
	UNLOCK(lk, s);
	s = splhi();
	n = ddisim_verify_count();
	p = kmem_alloc(100, KM_SLEEP);
	REPORTED(n, "runs above PLBASE");
	kmem_free(p, 100);
	splx(s);
	n = ddisim_verify_count();
	p = kmem_alloc(100, KM_SLEEP);
	ck_assert_uint_eq(ddisim_verify_count(), n);
	kmem_free(p, 100);
	LOCK_DEALLOC(lk);
	ddisim_verify_set_policy(DDISIM_VERIFY_ABORT);
	MACHINE_DOWN();
}
END_TEST

START_TEST(km_sleep_with_lock_aborts)
{
	lock_t *lk;

	MACHINE_UP("mem=64M");
	lk = LOCK_ALLOC(1, PLHI, &tk_lkinfo, KM_SLEEP);
	(void)LOCK(lk, PLHI);
	(void)kmem_alloc(100, KM_SLEEP);
}
END_TEST

/* The whole hierarchy at once: 32 locks, 1 to 32, held together. */
START_TEST(hierarchy_full_range)
{
	lock_t *lk[32];
	rwlock_t *rw;
	pl_t s[32];

	MACHINE_UP("mem=64M");
	for (int i = 0; i < 32; i++)
		lk[i] = LOCK_ALLOC((uchar_t)(i + 1), PLTIMEOUT, &tk_lkinfo,
		    KM_NOSLEEP);
	for (int i = 0; i < 32; i++)
		s[i] = LOCK(lk[i], i < 16 ? PLDISK : PLHI);
	ck_assert_int_eq(ddisim_ctx_locks_held(), 32);
	ck_assert_uint_eq(getpl(), PLHI);
	for (int i = 31; i >= 0; i--)
		UNLOCK(lk[i], s[i]);
	ck_assert_uint_eq(getpl(), PLBASE);
	ck_assert_int_eq(ddisim_ctx_locks_held(), 0);
	for (int i = 0; i < 32; i++)
		LOCK_DEALLOC(lk[i]);
	/* Minimum level PLHI: only PLHI will do. */
	rw = RW_ALLOC(32, PLHI, &tk_lkinfo, KM_NOSLEEP);
	s[0] = RW_WRLOCK(rw, PLHI);
	RW_UNLOCK(rw, s[0]);
	RW_DEALLOC(rw);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	MACHINE_DOWN();
}
END_TEST

/*
 * Misuse, each case twice: under verify=count (misuse_*_counted) the
 * report is made once, with its text, and the objects are still usable
 * afterwards and freed without a report; under the default policy
 * (misuse_*_aborts) the same call aborts the process.
 */
static LKINFO_DECL(tk_rwinfo, "tk:rw", 0);
static LKINFO_DECL(tk_badinfo, "tk:bad", 1);	/* lk_flags must be 0 */
static lkinfo_t tk_padinfo = { (char *)"tk:pad", 0, { 0, 1 } };

/* What a second context found when it tried the lock after its misuse. */
struct foreign {
	lock_t		*lk;
	rwlock_t	*rw;
	sleep_t		*sl;
	pl_t		pl;
	bool_t		got;
};

static void
in_thread(void *(*fn)(void *), void *arg)
{
	pthread_t t;

	ck_assert_int_eq(pthread_create(&t, NULL, fn, arg), 0);
	ck_assert_int_eq(pthread_join(t, NULL), 0);
}

static void *
foreign_unlock(void *arg)
{
	struct foreign *f = arg;

	UNLOCK(f->lk, PLBASE);
	if ((f->pl = TRYLOCK(f->lk, PLHI)) != INVPL)
		UNLOCK(f->lk, f->pl);
	return NULL;
}

static void *
foreign_rw_unlock(void *arg)
{
	struct foreign *f = arg;

	RW_UNLOCK(f->rw, PLBASE);
	if ((f->pl = RW_TRYWRLOCK(f->rw, PLHI)) != INVPL)
		RW_UNLOCK(f->rw, f->pl);
	return NULL;
}

static void *
foreign_sleep_unlock(void *arg)
{
	struct foreign *f = arg;

	SLEEP_UNLOCK(f->sl);
	if ((f->got = SLEEP_TRYLOCK(f->sl)))
		SLEEP_UNLOCK(f->sl);
	return NULL;
}

/* The calling context is back where it started. */
static void
ctx_clean(void)
{
	ck_assert_uint_eq(getpl(), PLBASE);
	ck_assert_int_eq(ddisim_ctx_locks_held(), 0);
}

#define NLOCK_MISUSE	19

static void
lock_misuse(int which)
{
	lock_t *a = LOCK_ALLOC(2, PLDISK, &tk_lkinfo, KM_SLEEP);
	lock_t *b = LOCK_ALLOC(3, PLDISK, &tk_lkinfo, KM_SLEEP);
	struct foreign f = { .lk = a };
	unsigned long n = ddisim_verify_count();
	pl_t s, s2;

	ck_assert_uint_eq(n, 0);		/* the setup made no report */
	switch (which) {
	case 0:		/* UNLOCK of a free lock: nothing changes */
		s = spldisk();
		UNLOCK(a, PLBASE);
		REPORTED(n, "lock \"tk:lock\" is not held by the caller "
		    "(nobody holds it)");
		ck_assert_uint_eq(getpl(), PLDISK);
		splx(s);
		break;
	case 1:		/* UNLOCK by another context: still ours */
		s = LOCK(a, PLDISK);
		in_thread(foreign_unlock, &f);
		REPORTED(n, "lock \"tk:lock\" is not held by the caller "
		    "(another context holds it)");
		ck_assert_uint_eq(f.pl, INVPL);
		ck_assert_int_eq(ddisim_ctx_locks_held(), 1);
		ck_assert_uint_eq(getpl(), PLDISK);
		UNLOCK(a, s);
		break;
	case 2:		/* below min_pl: taken at min_pl */
		s = LOCK(a, PLTIMEOUT);
		REPORTED(n, "lock \"tk:lock\": pl 1 is below its minimum 5");
		ck_assert_uint_eq(s, PLBASE);
		ck_assert_uint_eq(getpl(), PLDISK);
		ck_assert_int_eq(ddisim_ctx_locks_held(), 1);
		UNLOCK(a, s);
		break;
	case 3:		/* below the current level: taken at that level */
		s2 = splhi();
		s = LOCK(a, PLDISK);
		REPORTED(n, "lock \"tk:lock\": pl 5 would lower the current "
		    "level 7");
		ck_assert_uint_eq(s, PLHI);
		ck_assert_uint_eq(getpl(), PLHI);
		ck_assert_int_eq(ddisim_ctx_locks_held(), 1);
		UNLOCK(a, s);
		splx(s2);
		break;
	case 4:		/* no level: not taken, level unchanged */
		s2 = spltimeout();
		ck_assert_uint_eq(LOCK(a, PLHI + 1), PLTIMEOUT);
		REPORTED(n, "pl 8 is not a priority level");
		ck_assert_uint_eq(getpl(), PLTIMEOUT);
		ck_assert_int_eq(ddisim_ctx_locks_held(), 0);
		splx(s2);
		break;
	case 5:
		ck_assert_uint_eq(TRYLOCK(a, PLHI + 1), INVPL);
		REPORTED(n, "pl 8 is not a priority level");
		ck_assert_uint_eq(getpl(), PLBASE);
		ck_assert_int_eq(ddisim_ctx_locks_held(), 0);
		break;
	case 6:		/* UNLOCK with no level: released, level kept */
		s = LOCK(a, PLDISK);
		UNLOCK(a, PLHI + 1);
		REPORTED(n, "pl 8 is not a priority level; the lock is "
		    "released at the current level");
		ck_assert_int_eq(ddisim_ctx_locks_held(), 0);
		ck_assert_uint_eq(getpl(), PLDISK);
		splx(s);
		break;
	case 7:		/* LOCK_DEALLOC of a held lock: not freed */
		s = LOCK(a, PLDISK);
		LOCK_DEALLOC(a);
		REPORTED(n, "LOCK_DEALLOC: lock \"tk:lock\" is held");
		ck_assert_int_eq(ddisim_ctx_locks_held(), 1);
		UNLOCK(a, s);
		break;
	case 8:
		ck_assert_uint_eq(LOCK(NULL, PLHI), PLBASE);
		REPORTED(n, "is not a basic lock");
		ck_assert_uint_eq(getpl(), PLBASE);
		break;
	case 9:
		ck_assert_ptr_null(LOCK_ALLOC(0, PLHI, &tk_lkinfo, KM_SLEEP));
		REPORTED(n, "hierarchy 0 is outside 1..32");
		break;
	case 10:
		ck_assert_ptr_null(LOCK_ALLOC(33, PLHI, &tk_lkinfo,
		    KM_NOSLEEP));
		REPORTED(n, "hierarchy 33 is outside 1..32");
		break;
	case 11:
		ck_assert_ptr_null(LOCK_ALLOC(1, PLHI + 1, &tk_lkinfo,
		    KM_SLEEP));
		REPORTED(n, "min_pl 8 is not a priority level");
		break;
	case 12:
		ck_assert_ptr_null(LOCK_ALLOC(1, PLHI, &tk_badinfo, KM_SLEEP));
		REPORTED(n, "lkinfo \"tk:bad\": lk_flags and lk_pad must be "
		    "zero");
		break;
	case 13:
		ck_assert_ptr_null(LOCK_ALLOC(1, PLHI, &tk_padinfo, KM_SLEEP));
		REPORTED(n, "lkinfo \"tk:pad\": lk_flags and lk_pad must be "
		    "zero");
		break;
	case 14:
		ck_assert_ptr_null(LOCK_ALLOC(1, PLHI, &tk_lkinfo, 7));
		REPORTED(n, "flag 0x7 is neither KM_SLEEP nor KM_NOSLEEP");
		break;
	case 15:	/* splbase below a held lock's level */
		s = LOCK(a, PLDISK);
		ck_assert_uint_eq(splbase(), PLDISK);
		REPORTED(n, "splbase: level 0 is below 5, which a lock still "
		    "held needs");
		ck_assert_uint_eq(getpl(), PLDISK);
		UNLOCK(a, s);
		break;
	case 16:	/* splx likewise, and a level that is none */
		s = LOCK(b, PLHI);
		ck_assert_uint_eq(splx(PLDISK), PLHI);
		REPORTED(n, "splx: level 5 is below 7, which a lock still "
		    "held needs");
		ck_assert_uint_eq(getpl(), PLHI);
		UNLOCK(b, s);
		break;
	case 17:
		s = spldisk();
		ck_assert_uint_eq(splx(PLHI + 1), PLDISK);
		REPORTED(n, "splx: 8 is not a priority level");
		ck_assert_uint_eq(getpl(), PLDISK);
		splx(s);
		break;
	case 18:	/* out of order, to a level below the other lock's */
		s = LOCK(a, PLHI);
		s2 = LOCK(b, PLHI);
		UNLOCK(a, PLBASE);
		REPORTED(n, "UNLOCK: level 0 is below 7, which a lock still "
		    "held needs");
		ck_assert_uint_eq(getpl(), PLHI);
		ck_assert_int_eq(ddisim_ctx_locks_held(), 1);
		UNLOCK(b, PLBASE);		/* the last one: no floor */
		ck_assert_uint_eq(ddisim_verify_count(), n + 1);
		ck_assert_uint_eq(getpl(), PLBASE);
		ck_assert_uint_eq(s, PLBASE);
		ck_assert_uint_eq(s2, PLHI);
		break;
	}
	/* Both locks still work, and are freed without a report. */
	s = LOCK(a, PLDISK);
	s2 = LOCK(b, PLHI);
	UNLOCK(b, s2);
	UNLOCK(a, s);
	LOCK_DEALLOC(a);
	LOCK_DEALLOC(b);
	ck_assert_uint_eq(ddisim_verify_count(), n + 1);
	ctx_clean();
}

START_TEST(lock_misuse_counted)
{
	MACHINE_UP("mem=64M,verify=count");
	lock_misuse(_i);
	MACHINE_DOWN();
}
END_TEST

START_TEST(lock_misuse_aborts)
{
	MACHINE_UP("mem=64M");
	lock_misuse(_i);
}
END_TEST

#define NRW_MISUSE	19

static void
rw_misuse(int which)
{
	rwlock_t *ra = RW_ALLOC(2, PLDISK, &tk_rwinfo, KM_SLEEP);
	rwlock_t *rb = RW_ALLOC(3, PLDISK, &tk_rwinfo, KM_SLEEP);
	lock_t *b = LOCK_ALLOC(3, PLDISK, &tk_lkinfo, KM_SLEEP);
	struct foreign f = { .rw = ra };
	unsigned long n = ddisim_verify_count();
	pl_t s, s2;

	ck_assert_uint_eq(n, 0);		/* the setup made no report */
	switch (which) {
	case 0:		/* hierarchy: 2 after 3, taken all the same */
		s = RW_WRLOCK(rb, PLDISK);
		s2 = RW_RDLOCK(ra, PLDISK);
		REPORTED(n, "RW_RDLOCK: lock \"tk:rw\" (hierarchy 2) taken "
		    "while holding one of hierarchy 3");
		ck_assert_int_eq(ddisim_ctx_locks_held(), 2);
		ck_assert_uint_eq(RW_TRYWRLOCK(ra, PLDISK), INVPL);
		RW_UNLOCK(ra, s2);
		RW_UNLOCK(rb, s);
		break;
	case 1:		/* across kinds: a basic lock of the same value */
		s = LOCK(b, PLDISK);
		s2 = RW_WRLOCK(rb, PLDISK);
		REPORTED(n, "RW_WRLOCK: lock \"tk:rw\" (hierarchy 3) taken "
		    "while holding one of hierarchy 3");
		ck_assert_int_eq(ddisim_ctx_locks_held(), 2);
		RW_UNLOCK(rb, s2);
		UNLOCK(b, s);
		break;
	case 2:		/* RW_UNLOCK of a free lock: nothing changes */
		s = spldisk();
		RW_UNLOCK(ra, PLBASE);
		REPORTED(n, "read/write lock \"tk:rw\" is not held by the "
		    "caller");
		ck_assert_uint_eq(getpl(), PLDISK);
		splx(s);
		break;
	case 3:		/* RW_UNLOCK by a context that does not hold it */
		s = RW_RDLOCK(ra, PLDISK);
		in_thread(foreign_rw_unlock, &f);
		REPORTED(n, "read/write lock \"tk:rw\" is not held by the "
		    "caller");
		ck_assert_uint_eq(f.pl, INVPL);	/* our reader is still in */
		ck_assert_int_eq(ddisim_ctx_locks_held(), 1);
		RW_UNLOCK(ra, s);
		break;
	case 4:		/* write recursion; a try simply fails */
		s = RW_WRLOCK(ra, PLDISK);
		ck_assert_uint_eq(RW_TRYWRLOCK(ra, PLDISK), INVPL);
		ck_assert_uint_eq(RW_TRYRDLOCK(ra, PLDISK), INVPL);
		ck_assert_uint_eq(ddisim_verify_count(), n);
		ck_assert_uint_eq(RW_WRLOCK(ra, PLDISK), PLDISK);
		REPORTED(n, "RW_WRLOCK: read/write lock \"tk:rw\" is already "
		    "held by the caller: deadlock");
		ck_assert_int_eq(ddisim_ctx_locks_held(), 1);
		ck_assert_uint_eq(getpl(), PLDISK);
		RW_UNLOCK(ra, s);
		break;
	case 5:		/* read recursion */
		s = RW_RDLOCK(ra, PLDISK);
		ck_assert_uint_eq(RW_RDLOCK(ra, PLDISK), PLDISK);
		REPORTED(n, "RW_RDLOCK: read/write lock \"tk:rw\" is already "
		    "held by the caller: deadlock");
		ck_assert_int_eq(ddisim_ctx_locks_held(), 1);
		RW_UNLOCK(ra, s);
		break;
	case 6:		/* write after read by the same context */
		s = RW_RDLOCK(ra, PLDISK);
		ck_assert_uint_eq(RW_WRLOCK(ra, PLDISK), PLDISK);
		REPORTED(n, "already held by the caller: deadlock");
		ck_assert_int_eq(ddisim_ctx_locks_held(), 1);
		RW_UNLOCK(ra, s);
		break;
	case 7:		/* RW_DEALLOC of a held lock: not freed */
		s = RW_RDLOCK(ra, PLDISK);
		RW_DEALLOC(ra);
		REPORTED(n, "RW_DEALLOC: read/write lock \"tk:rw\" is held or "
		    "awaited");
		ck_assert_int_eq(ddisim_ctx_locks_held(), 1);
		RW_UNLOCK(ra, s);
		break;
	case 8:		/* no level: not taken */
		ck_assert_uint_eq(RW_WRLOCK(ra, PLHI + 1), PLBASE);
		REPORTED(n, "RW_WRLOCK: pl 8 is not a priority level");
		ctx_clean();
		break;
	case 9:
		ck_assert_uint_eq(RW_TRYRDLOCK(ra, PLHI + 1), INVPL);
		REPORTED(n, "RW_TRYRDLOCK: pl 8 is not a priority level");
		ctx_clean();
		break;
	case 10:	/* RW_UNLOCK with no level: released, level kept */
		s = RW_WRLOCK(ra, PLDISK);
		RW_UNLOCK(ra, PLHI + 1);
		REPORTED(n, "pl 8 is not a priority level; the lock is "
		    "released at the current level");
		ck_assert_int_eq(ddisim_ctx_locks_held(), 0);
		ck_assert_uint_eq(getpl(), PLDISK);
		splx(s);
		break;
	case 11:	/* below min_pl: raised */
		s = RW_RDLOCK(ra, PLTIMEOUT);
		REPORTED(n, "lock \"tk:rw\": pl 1 is below its minimum 5");
		ck_assert_uint_eq(getpl(), PLDISK);
		ck_assert_int_eq(ddisim_ctx_locks_held(), 1);
		RW_UNLOCK(ra, s);
		break;
	case 12:	/* below the current level: raised */
		s2 = splhi();
		s = RW_WRLOCK(ra, PLDISK);
		REPORTED(n, "lock \"tk:rw\": pl 5 would lower the current "
		    "level 7");
		ck_assert_uint_eq(getpl(), PLHI);
		RW_UNLOCK(ra, s);
		splx(s2);
		break;
	case 13:
		ck_assert_uint_eq(RW_RDLOCK(NULL, PLHI), PLBASE);
		REPORTED(n, "is not a read/write lock");
		ctx_clean();
		break;
	case 14:
		ck_assert_ptr_null(RW_ALLOC(0, PLHI, &tk_rwinfo, KM_SLEEP));
		REPORTED(n, "RW_ALLOC: hierarchy 0 is outside 1..32");
		break;
	case 15:
		ck_assert_ptr_null(RW_ALLOC(1, PLHI + 1, &tk_rwinfo,
		    KM_SLEEP));
		REPORTED(n, "RW_ALLOC: min_pl 8 is not a priority level");
		break;
	case 16:
		ck_assert_ptr_null(RW_ALLOC(1, PLHI, &tk_badinfo, KM_SLEEP));
		REPORTED(n, "lkinfo \"tk:bad\": lk_flags and lk_pad must be "
		    "zero");
		break;
	case 17:
		ck_assert_ptr_null(RW_ALLOC(1, PLHI, &tk_rwinfo, 0x10));
		REPORTED(n, "flag 0x10 is neither KM_SLEEP nor KM_NOSLEEP");
		break;
	case 18:	/* out of order, below the other lock's level */
		s = RW_WRLOCK(ra, PLHI);
		s2 = LOCK(b, PLHI);
		RW_UNLOCK(ra, PLBASE);
		REPORTED(n, "RW_UNLOCK: level 0 is below 7, which a lock "
		    "still held needs");
		ck_assert_uint_eq(getpl(), PLHI);
		ck_assert_int_eq(ddisim_ctx_locks_held(), 1);
		UNLOCK(b, PLBASE);
		ck_assert_uint_eq(ddisim_verify_count(), n + 1);
		ck_assert_uint_eq(getpl(), PLBASE);
		ck_assert_uint_eq(s, PLBASE);
		ck_assert_uint_eq(s2, PLHI);
		break;
	}
	/* Everything still works, and is freed without a report. */
	s = RW_WRLOCK(ra, PLDISK);
	s2 = RW_RDLOCK(rb, PLDISK);
	RW_UNLOCK(rb, s2);
	RW_UNLOCK(ra, s);
	RW_DEALLOC(ra);
	RW_DEALLOC(rb);
	LOCK_DEALLOC(b);
	ck_assert_uint_eq(ddisim_verify_count(), n + 1);
	ctx_clean();
}

START_TEST(rw_misuse_counted)
{
	MACHINE_UP("mem=64M,verify=count");
	rw_misuse(_i);
	MACHINE_DOWN();
}
END_TEST

START_TEST(rw_misuse_aborts)
{
	MACHINE_UP("mem=64M");
	rw_misuse(_i);
}
END_TEST

/* Wakes whoever waits on sv until told to stop. */
struct waker {
	sv_t		*sv;
	atomic_int	stop;
};

static void *
sv_waker(void *arg)
{
	struct waker *w = arg;

	while (!atomic_load(&w->stop)) {
		SV_SIGNAL(w->sv, 0);
		sched_yield();
	}
	return NULL;
}

#define NSLEEP_MISUSE	16

static void
sleep_misuse(int which)
{
	sleep_t *sl = SLEEP_ALLOC(0, &tk_sleepinfo, KM_SLEEP);
	lock_t *lk = LOCK_ALLOC(1, PLDISK, &tk_lkinfo, KM_SLEEP);
	sv_t *sv = SV_ALLOC(KM_SLEEP), *sv2;
	struct foreign f = { .sl = sl };
	struct waker wk = { .sv = sv, .stop = 0 };
	struct svw w = { .sv = sv, .lk = lk, .waiting = 0, .woken = 0 };
	unsigned long n = ddisim_verify_count();
	sleep_t *sl2;
	pthread_t t;
	pl_t s;

	ck_assert_uint_eq(n, 0);		/* the setup made no report */
	switch (which) {
	case 0:		/* SLEEP_UNLOCK of a free lock */
		SLEEP_UNLOCK(sl);
		REPORTED(n, "sleep lock \"tk:sleep\" is not held by the "
		    "caller (nobody holds it)");
		ck_assert(SLEEP_LOCKAVAIL(sl));
		break;
	case 1:		/* SLEEP_UNLOCK by another context: still ours */
		SLEEP_LOCK(sl, pridisk);
		in_thread(foreign_sleep_unlock, &f);
		REPORTED(n, "sleep lock \"tk:sleep\" is not held by the "
		    "caller (another context holds it)");
		ck_assert_int_eq(f.got, B_FALSE);
		ck_assert(SLEEP_LOCKOWNED(sl));
		SLEEP_UNLOCK(sl);
		break;
	case 2:		/* recursion: returns at once, still held once */
		SLEEP_LOCK(sl, pridisk);
		SLEEP_LOCK(sl, pridisk);
		REPORTED(n, "SLEEP_LOCK: sleep lock \"tk:sleep\" is already "
		    "held by the caller: deadlock");
		ck_assert(SLEEP_LOCKOWNED(sl));
		SLEEP_UNLOCK(sl);
		ck_assert(SLEEP_LOCKAVAIL(sl));
		break;
	case 3:
		SLEEP_LOCK(sl, pridisk);
		ck_assert_int_eq(SLEEP_LOCK_SIG(sl, pridisk), B_FALSE);
		REPORTED(n, "SLEEP_LOCK_SIG: sleep lock \"tk:sleep\" is "
		    "already held by the caller: deadlock");
		ck_assert(SLEEP_LOCKOWNED(sl));
		SLEEP_UNLOCK(sl);
		break;
	case 4:		/* SLEEP_DEALLOC of a held lock: not freed */
		SLEEP_LOCK(sl, pridisk);
		SLEEP_DEALLOC(sl);
		REPORTED(n, "SLEEP_DEALLOC: sleep lock \"tk:sleep\" is held "
		    "or awaited");
		ck_assert(SLEEP_LOCKOWNED(sl));
		SLEEP_UNLOCK(sl);
		break;
	case 5:		/* a bad priority: reported, and the lock taken */
		SLEEP_LOCK(sl, prilo - 4);
		REPORTED(n, "priority 6 is not one of the pri* values");
		ck_assert(SLEEP_LOCKOWNED(sl));
		SLEEP_UNLOCK(sl);
		break;
	case 6:
		SLEEP_LOCK(NULL, pridisk);
		REPORTED(n, "SLEEP_LOCK: (nil) is not a sleep lock");
		break;
	case 7:		/* the reserved argument: reported, allocated */
		sl2 = SLEEP_ALLOC(1, &tk_sleepinfo, KM_SLEEP);
		REPORTED(n, "the first argument is reserved and must be 0, "
		    "not 1");
		ck_assert_ptr_nonnull(sl2);
		ck_assert(SLEEP_TRYLOCK(sl2));
		SLEEP_UNLOCK(sl2);
		SLEEP_DEALLOC(sl2);
		break;
	case 8:		/* LK_NOSTATS is allowed, nothing else */
		sl2 = SLEEP_ALLOC(0, &tk_badinfo, KM_SLEEP);
		ck_assert_ptr_nonnull(sl2);
		SLEEP_DEALLOC(sl2);
		ck_assert_uint_eq(ddisim_verify_count(), n);
		ck_assert_ptr_null(SLEEP_ALLOC(0, &tk_padinfo, KM_SLEEP));
		REPORTED(n, "lkinfo: lk_flags may hold only LK_NOSTATS, and "
		    "lk_pad must be zero");
		break;
	case 9:
		ck_assert_ptr_null(SLEEP_ALLOC(0, &tk_sleepinfo, 3));
		REPORTED(n, "SLEEP_ALLOC: flag 0x3 is neither KM_SLEEP nor "
		    "KM_NOSLEEP");
		break;
	case 10:
		ck_assert_ptr_null(SV_ALLOC(-1));
		REPORTED(n, "SV_ALLOC: flag 0xffffffff is neither KM_SLEEP "
		    "nor KM_NOSLEEP");
		break;
	case 11:	/* SV_DEALLOC with a waiter: not freed */
		pthread_create(&t, NULL, sv_waiter, &w);
		wait_waiting(&w, 1);
		SV_DEALLOC(sv);
		REPORTED(n, "SV_DEALLOC: threads are waiting on "
		    "synchronization variable");
		SV_SIGNAL(sv, 0);		/* still there to wake it */
		pthread_join(t, NULL);
		ck_assert_int_eq(atomic_load(&w.woken), 1);
		break;
	case 12:	/* flags: reported, and the waiter woken all the same */
		pthread_create(&t, NULL, sv_waiter, &w);
		wait_waiting(&w, 1);
		SV_BROADCAST(sv, 1);
		REPORTED(n, "SV_BROADCAST: flags must be 0, not 0x1");
		pthread_join(t, NULL);
		ck_assert_int_eq(atomic_load(&w.woken), 1);
		break;
	case 13:	/* not an SV: returns at once, lock and level kept */
		s = LOCK(lk, PLDISK);
		SV_WAIT(NULL, primed, lk);
		REPORTED(n, "SV_WAIT: (nil) is not a synchronization "
		    "variable");
		ck_assert_int_eq(ddisim_ctx_locks_held(), 1);
		ck_assert_uint_eq(getpl(), PLDISK);
		UNLOCK(lk, s);
		break;
	case 14:	/* a bad priority: reported, and the wait goes on */
		pthread_create(&t, NULL, sv_waker, &wk);
		s = LOCK(lk, PLDISK);
		SV_WAIT(sv, prihi + 4, lk);
		atomic_store(&wk.stop, 1);
		pthread_join(t, NULL);
		REPORTED(n, "SV_WAIT: priority 74 is not one of the pri* "
		    "values");
		ctx_clean();
		ck_assert_uint_eq(s, PLBASE);
		break;
	case 15:	/* lkp not held: reported, and the wait goes on */
		pthread_create(&t, NULL, sv_waker, &wk);
		s = spldisk();
		SV_WAIT(sv, primed, lk);
		atomic_store(&wk.stop, 1);
		pthread_join(t, NULL);
		REPORTED(n, "SV_WAIT: lock \"tk:lock\" is not held by the "
		    "caller");
		ck_assert_uint_eq(getpl(), PLDISK);	/* as it was */
		splx(s);
		break;
	}
	/* Everything still works, and is freed without a report. */
	SLEEP_LOCK(sl, pridisk);
	SLEEP_UNLOCK(sl);
	SLEEP_DEALLOC(sl);
	sv2 = SV_ALLOC(KM_NOSLEEP);
	SV_DEALLOC(sv2);
	SV_DEALLOC(sv);
	LOCK_DEALLOC(lk);
	ck_assert_uint_eq(ddisim_verify_count(), n + 1);
	ctx_clean();
}

START_TEST(sleep_misuse_counted)
{
	MACHINE_UP("mem=64M,verify=count,sleeplimit=5000");
	sleep_misuse(_i);
	MACHINE_DOWN();
}
END_TEST

START_TEST(sleep_misuse_aborts)
{
	MACHINE_UP("mem=64M,sleeplimit=5000");
	sleep_misuse(_i);
}
END_TEST

/*
 * Blocking where it is forbidden: with a basic or read/write lock held,
 * or above PLBASE.  Each call is reported and does not block.  (From an
 * interrupt handler: test_intr; from a callout: test_clock.)
 */
#define NBLOCK_MISUSE	13

static void
block_misuse(int which)
{
	lock_t *a = LOCK_ALLOC(2, PLDISK, &tk_lkinfo, KM_SLEEP);
	lock_t *b = LOCK_ALLOC(3, PLDISK, &tk_lkinfo, KM_SLEEP), *lk2;
	rwlock_t *rw = RW_ALLOC(2, PLDISK, &tk_rwinfo, KM_SLEEP), *rw2;
	sleep_t *sl = SLEEP_ALLOC(0, &tk_sleepinfo, KM_SLEEP), *sl2;
	sv_t *sv = SV_ALLOC(KM_SLEEP), *sv2;
	unsigned long n = ddisim_verify_count();
	uint64_t t0 = ddisim_clock_now();
	void *p;
	pl_t s, s2;

	ck_assert_uint_eq(n, 0);		/* the setup made no report */
	switch (which) {
	case 0:		/* SV_WAIT with a lock other than lkp held */
		s = LOCK(a, PLDISK);
		s2 = LOCK(b, PLDISK);
		SV_WAIT(sv, primed, b);
		REPORTED(n, "SV_WAIT: may block, but the caller holds a "
		    "basic or read/write lock");
		/* b given up and PLBASE set, as after a spurious wakeup */
		ck_assert_int_eq(ddisim_ctx_locks_held(), 1);
		ck_assert_uint_eq(getpl(), PLBASE);
		UNLOCK(a, s);
		ck_assert_uint_eq(s2, PLDISK);
		break;
	case 1:
		s = RW_RDLOCK(rw, PLDISK);
		s2 = LOCK(b, PLDISK);
		ck_assert_int_eq(SV_WAIT_SIG(sv, primed, b), B_TRUE);
		REPORTED(n, "SV_WAIT_SIG: may block, but the caller holds a "
		    "basic or read/write lock");
		ck_assert_int_eq(ddisim_ctx_locks_held(), 1);
		RW_UNLOCK(rw, s);
		ck_assert_uint_eq(s2, PLDISK);
		break;
	case 2:		/* SLEEP_LOCK of a free lock: reported, then taken */
		s = LOCK(a, PLDISK);
		SLEEP_LOCK(sl, pridisk);
		REPORTED(n, "SLEEP_LOCK: may block, but the caller holds a "
		    "basic or read/write lock");
		ck_assert(SLEEP_LOCKOWNED(sl));
		ck_assert_uint_eq(getpl(), PLDISK);
		SLEEP_UNLOCK(sl);
		UNLOCK(a, s);
		break;
	case 3:
		s = RW_WRLOCK(rw, PLDISK);
		ck_assert_int_eq(SLEEP_LOCK_SIG(sl, pridisk), B_TRUE);
		REPORTED(n, "SLEEP_LOCK_SIG: may block, but the caller holds "
		    "a basic or read/write lock");
		ck_assert(SLEEP_LOCKOWNED(sl));
		SLEEP_UNLOCK(sl);
		RW_UNLOCK(rw, s);
		break;
	case 4:
		s = splhi();
		SLEEP_LOCK(sl, pridisk);
		REPORTED(n, "SLEEP_LOCK: may block, but the caller runs above "
		    "PLBASE");
		ck_assert(SLEEP_LOCKOWNED(sl));
		ck_assert_uint_eq(getpl(), PLHI);
		SLEEP_UNLOCK(sl);
		splx(s);
		break;
	case 5:		/* delay: reported, and the clock does not move */
		s = LOCK(a, PLDISK);
		delay(10);
		REPORTED(n, "delay: may block, but the caller holds a basic "
		    "or read/write lock");
		ck_assert_uint_eq(ddisim_clock_now(), t0);
		UNLOCK(a, s);
		break;
	case 6:
		s = spldisk();
		delay(10);
		REPORTED(n, "delay: may block, but the caller runs above "
		    "PLBASE");
		ck_assert_uint_eq(ddisim_clock_now(), t0);
		splx(s);
		break;
	case 7:		/* KM_SLEEP above PLBASE: reported, still served */
		s = splstr();
		p = kmem_alloc(64, KM_SLEEP);
		REPORTED(n, "kmem_alloc: may block, but the caller runs above "
		    "PLBASE");
		ck_assert_ptr_nonnull(p);
		kmem_free(p, 64);
		splx(s);
		break;
	case 8:
		s = RW_RDLOCK(rw, PLDISK);
		p = kmem_alloc(64, KM_SLEEP);
		REPORTED(n, "kmem_alloc: may block, but the caller holds a "
		    "basic or read/write lock");
		kmem_free(p, 64);
		RW_UNLOCK(rw, s);
		break;
	case 9:		/* the allocators: reported, allocated all the same */
		s = LOCK(a, PLDISK);
		sv2 = SV_ALLOC(KM_SLEEP);
		REPORTED(n, "SV_ALLOC: may block, but the caller holds a "
		    "basic or read/write lock");
		ck_assert_ptr_nonnull(sv2);
		SV_DEALLOC(sv2);
		UNLOCK(a, s);
		break;
	case 10:
		s = LOCK(a, PLDISK);
		lk2 = LOCK_ALLOC(5, PLHI, &tk_lkinfo, KM_SLEEP);
		REPORTED(n, "LOCK_ALLOC: may block, but the caller holds a "
		    "basic or read/write lock");
		ck_assert_ptr_nonnull(lk2);
		s2 = LOCK(lk2, PLHI);
		UNLOCK(lk2, s2);
		LOCK_DEALLOC(lk2);
		UNLOCK(a, s);
		break;
	case 11:
		s = splhi();
		rw2 = RW_ALLOC(5, PLHI, &tk_rwinfo, KM_SLEEP);
		REPORTED(n, "RW_ALLOC: may block, but the caller runs above "
		    "PLBASE");
		ck_assert_ptr_nonnull(rw2);
		RW_DEALLOC(rw2);
		splx(s);
		break;
	case 12:
		s = LOCK(a, PLDISK);
		sl2 = SLEEP_ALLOC(0, &tk_sleepinfo, KM_SLEEP);
		REPORTED(n, "SLEEP_ALLOC: may block, but the caller holds a "
		    "basic or read/write lock");
		ck_assert_ptr_nonnull(sl2);
		SLEEP_DEALLOC(sl2);
		UNLOCK(a, s);
		break;
	}
	/* At base level, with nothing held, the same calls are not reported. */
	SLEEP_LOCK(sl, pridisk);
	SLEEP_UNLOCK(sl);
	delay(1);
	ck_assert_uint_gt(ddisim_clock_now(), t0);
	p = kmem_alloc(64, KM_SLEEP);
	kmem_free(p, 64);
	SLEEP_DEALLOC(sl);
	SV_DEALLOC(sv);
	RW_DEALLOC(rw);
	LOCK_DEALLOC(a);
	LOCK_DEALLOC(b);
	ck_assert_uint_eq(ddisim_verify_count(), n + 1);
	ctx_clean();
}

START_TEST(block_misuse_counted)
{
	MACHINE_UP("mem=64M,verify=count");
	block_misuse(_i);
	MACHINE_DOWN();
}
END_TEST

START_TEST(block_misuse_aborts)
{
	MACHINE_UP("mem=64M");
	block_misuse(_i);
}
END_TEST

/*
 * A handle passed back after its *_DEALLOC, freed twice, or of another
 * kind: each is reported as such and does nothing, without reading freed
 * memory (the sanitizer build would see it).
 */
#define NFREED_MISUSE	16

static void
freed_misuse(int which)
{
	lock_t *lk = LOCK_ALLOC(1, PLDISK, &tk_lkinfo, KM_SLEEP);
	lock_t *dlk = LOCK_ALLOC(2, PLDISK, &tk_lkinfo, KM_SLEEP);
	rwlock_t *drw = RW_ALLOC(2, PLDISK, &tk_rwinfo, KM_SLEEP);
	sleep_t *dsl = SLEEP_ALLOC(0, &tk_sleepinfo, KM_SLEEP);
	sv_t *dsv = SV_ALLOC(KM_SLEEP);
	sleep_t *sl = SLEEP_ALLOC(0, &tk_sleepinfo, KM_SLEEP);
	lock_t *more[64];
	unsigned long n = ddisim_verify_count();
	char want[128];
	pl_t s;

	LOCK_DEALLOC(dlk);
	RW_DEALLOC(drw);
	SLEEP_DEALLOC(dsl);
	SV_DEALLOC(dsv);
	ck_assert_uint_eq(ddisim_verify_count(), n);	/* no report yet */
	switch (which) {
	case 0:		/* UNLOCK after LOCK_DEALLOC */
		s = spldisk();
		UNLOCK(dlk, PLBASE);
		snprintf(want, sizeof(want), "UNLOCK: %p is not a basic lock "
		    "(it was freed)", (void *)dlk);
		REPORTED(n, want);
		ck_assert_uint_eq(getpl(), PLDISK);	/* nothing changed */
		splx(s);
		break;
	case 1:		/* LOCK after LOCK_DEALLOC: not taken */
		ck_assert_uint_eq(LOCK(dlk, PLDISK), PLBASE);
		REPORTED(n, "LOCK: ");
		REPORTED(n, "is not a basic lock (it was freed)");
		ck_assert_int_eq(ddisim_ctx_locks_held(), 0);
		break;
	case 2:
		ck_assert_uint_eq(TRYLOCK(dlk, PLDISK), INVPL);
		REPORTED(n, "TRYLOCK: ");
		REPORTED(n, "is not a basic lock (it was freed)");
		break;
	case 3:		/* a second LOCK_DEALLOC */
		LOCK_DEALLOC(dlk);
		snprintf(want, sizeof(want), "LOCK_DEALLOC: %p is not a basic "
		    "lock (it was freed)", (void *)dlk);
		REPORTED(n, want);
		break;
	case 4:
		s = RW_WRLOCK(drw, PLDISK);
		ck_assert_uint_eq(s, PLBASE);
		REPORTED(n, "RW_WRLOCK: ");
		REPORTED(n, "is not a read/write lock (it was freed)");
		ck_assert_int_eq(ddisim_ctx_locks_held(), 0);
		break;
	case 5:
		RW_UNLOCK(drw, PLBASE);
		REPORTED(n, "RW_UNLOCK: ");
		REPORTED(n, "is not a read/write lock (it was freed)");
		break;
	case 6:
		RW_DEALLOC(drw);
		REPORTED(n, "RW_DEALLOC: ");
		REPORTED(n, "is not a read/write lock (it was freed)");
		break;
	case 7:
		SLEEP_LOCK(dsl, pridisk);
		REPORTED(n, "SLEEP_LOCK: ");
		REPORTED(n, "is not a sleep lock (it was freed)");
		break;
	case 8:
		ck_assert_int_eq(SLEEP_TRYLOCK(dsl), B_FALSE);
		REPORTED(n, "is not a sleep lock (it was freed)");
		break;
	case 9:
		SLEEP_DEALLOC(dsl);
		REPORTED(n, "SLEEP_DEALLOC: ");
		REPORTED(n, "is not a sleep lock (it was freed)");
		break;
	case 10:
		SV_SIGNAL(dsv, 0);
		REPORTED(n, "SV_SIGNAL: ");
		REPORTED(n, "is not a synchronization variable (it was freed)");
		break;
	case 11:	/* SV_WAIT: returns at once, lock and level kept */
		s = LOCK(lk, PLDISK);
		SV_WAIT(dsv, primed, lk);
		REPORTED(n, "SV_WAIT: ");
		REPORTED(n, "is not a synchronization variable (it was freed)");
		ck_assert_int_eq(ddisim_ctx_locks_held(), 1);
		ck_assert_uint_eq(getpl(), PLDISK);
		UNLOCK(lk, s);
		break;
	case 12:
		SV_DEALLOC(dsv);
		REPORTED(n, "SV_DEALLOC: ");
		REPORTED(n, "is not a synchronization variable (it was freed)");
		break;
	case 13:	/* a handle of another kind */
		ck_assert_uint_eq(LOCK((lock_t *)sl, PLDISK), PLBASE);
		REPORTED(n, "is not a basic lock (it is a sleep lock)");
		ck_assert(SLEEP_LOCKAVAIL(sl));
		break;
	case 14:	/* a pointer into a lock is not one */
		UNLOCK((lock_t *)((char *)lk + 8), PLBASE);
		snprintf(want, sizeof(want), "UNLOCK: %p is not a basic lock "
		    "(called from", (void *)((char *)lk + 8));
		REPORTED(n, want);
		break;
	case 15:	/* the freed slot is not handed out again at once */
		for (int i = 0; i < 64; i++) {
			more[i] = LOCK_ALLOC(1, PLDISK, &tk_lkinfo, KM_SLEEP);
			ck_assert_ptr_ne(more[i], dlk);
			LOCK_DEALLOC(more[i]);
		}
		UNLOCK(dlk, PLBASE);
		REPORTED(n, "is not a basic lock (it was freed)");
		break;
	}
	/* What is live still works, and is freed without a report. */
	s = LOCK(lk, PLDISK);
	UNLOCK(lk, s);
	SLEEP_LOCK(sl, pridisk);
	SLEEP_UNLOCK(sl);
	SLEEP_DEALLOC(sl);
	LOCK_DEALLOC(lk);
	ck_assert_uint_eq(ddisim_verify_count(), n + 1);
	ctx_clean();
}

START_TEST(freed_misuse_counted)
{
	MACHINE_UP("mem=64M,verify=count");
	freed_misuse(_i);
	MACHINE_DOWN();
}
END_TEST

START_TEST(freed_misuse_aborts)
{
	MACHINE_UP("mem=64M");
	freed_misuse(_i);
}
END_TEST

/*
 * A driver's lock name of 300 characters, or with a newline in it: the
 * report quotes it cut to 48 characters (its start and end), on one
 * line, and keeps the reason and the caller.
 */
#define NNAME_MISUSE	3

static char long_name[301];
static lkinfo_t long_info = { long_name, 0, { 0, 0 } };
static LKINFO_DECL(nl_info, "tk:\nodd", 0);

static void
name_misuse(int which)
{
	lock_t *lo = LOCK_ALLOC(2, PLDISK, &long_info, KM_SLEEP);
	lock_t *hi = LOCK_ALLOC(3, PLDISK, &tk_lkinfo, KM_SLEEP);
	rwlock_t *rw = RW_ALLOC(2, PLDISK, &nl_info, KM_SLEEP);
	const char *last;
	pl_t s, s2;

	for (int i = 0; i < 300; i++)
		long_name[i] = i < 150 ? 'a' + i % 26 : 'Z';
	memcpy(long_name + 287, "<end-of-name>", 13);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	switch (which) {
	case 0:		/* the message ends with the reason */
		s = LOCK(lo, PLDISK);
		LOCK_DEALLOC(lo);
		REPORTED(0, "LOCK_DEALLOC: lock \"abcdefghijklmnopqrstuvwxyz"
		    "abcdef...<end-of-name>\" is held (called from ");
		UNLOCK(lo, s);
		break;
	case 1:		/* the middle of a message survives too */
		s = LOCK(hi, PLDISK);
		s2 = LOCK(lo, PLDISK);
		REPORTED(0, "LOCK: lock \"abcdefghijklmnopqrstuvwxyzabcdef..."
		    "<end-of-name>\" (hierarchy 2) taken while holding one of "
		    "hierarchy 3 (called from ");
		UNLOCK(lo, s2);
		UNLOCK(hi, s);
		break;
	case 2:		/* a newline does not break the report's line */
		RW_UNLOCK(rw, PLBASE);
		REPORTED(0, "RW_UNLOCK: read/write lock \"tk:?odd\" is not "
		    "held by the caller");
		break;
	}
	last = ddisim_verify_last();
	ck_assert_ptr_null(strchr(last, '\n'));
	ck_assert_uint_lt(strlen(last), 200);
	ck_assert_ptr_null(strstr(last, "ZZZZZZZZZZZZZZZZ"));
	/* the locks are intact */
	s = LOCK(lo, PLDISK);
	UNLOCK(lo, s);
	RW_DEALLOC(rw);
	LOCK_DEALLOC(hi);
	LOCK_DEALLOC(lo);
	ck_assert_uint_eq(ddisim_verify_count(), 1);
	ctx_clean();
}

START_TEST(name_misuse_counted)
{
	MACHINE_UP("mem=64M,verify=count");
	name_misuse(_i);
	MACHINE_DOWN();
}
END_TEST

START_TEST(name_misuse_aborts)
{
	MACHINE_UP("mem=64M");
	name_misuse(_i);
}
END_TEST

/*
 * What a driver forgot to free is listed with the code that allocated
 * it, counted by ddisim_leak_report, and dropped at shutdown: a later
 * use says so, and the next machine starts with none.
 */
START_TEST(leaked_locks_listed)
{
	static LKINFO_DECL(leaky, "tk:leaky", 0);
	lock_t *lk, *gone;
	rwlock_t *rw;
	sleep_t *sl;
	sv_t *sv;
	char *text, want[160];

	MACHINE_UP("mem=64M,verify=count");
	lk = LOCK_ALLOC(1, PLDISK, &leaky, KM_SLEEP);
	rw = RW_ALLOC(1, PLDISK, &leaky, KM_SLEEP);
	sl = SLEEP_ALLOC(0, NULL, KM_SLEEP);
	sv = SV_ALLOC(KM_SLEEP);
	gone = LOCK_ALLOC(1, PLDISK, &leaky, KM_SLEEP);
	LOCK_DEALLOC(gone);			/* freed: not listed */
	ck_assert_uint_eq(ddisim_leak_report(NULL), 4);
	ck_assert_uint_eq(leak_report_text(&text), 4);
	snprintf(want, sizeof(want), "ddicompat: leak: basic lock "
	    "\"tk:leaky\" at %p, allocated by ", (void *)lk);
	ck_assert_contains(text, want);
	snprintf(want, sizeof(want), "ddicompat: leak: read/write lock "
	    "\"tk:leaky\" at %p, allocated by ", (void *)rw);
	ck_assert_contains(text, want);
	snprintf(want, sizeof(want), "ddicompat: leak: sleep lock "
	    "\"(unnamed)\" at %p, allocated by ", (void *)sl);
	ck_assert_contains(text, want);
	snprintf(want, sizeof(want), "ddicompat: leak: synchronization "
	    "variable at %p, allocated by ", (void *)sv);
	ck_assert_contains(text, want);
	ck_assert_contains(text, "ddicompat: 4 locks or synchronization "
	    "variables still allocated at shutdown\n");
	ck_assert_ptr_null(strstr(text, "allocated by (nil)"));
	free(text);
	/* Listing them changes nothing: they still work. */
	UNLOCK(lk, LOCK(lk, PLDISK));
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	ddisim_shutdown();
	MACHINE_UP("mem=64M,verify=count");
	ck_assert_uint_eq(ddisim_leak_report(NULL), 0);
	ck_assert_uint_eq(LOCK(lk, PLDISK), PLBASE);
	REPORTED(0, "is not a basic lock (it was freed: it leaked, and its "
	    "machine was shut down)");
	SV_SIGNAL(sv, 0);
	REPORTED(1, "is not a synchronization variable (it was freed: it "
	    "leaked");
	ctx_clean();
	MACHINE_DOWN();
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("ksync");
	TCase *tc;

	tc = tcase_new("core");
	tcase_add_test(tc, lock_levels);
	tcase_add_test(tc, trylock_and_exclusion);
	tcase_add_test(tc, lock_excludes_threads);
	tcase_add_test(tc, rwlock_readers_share_writers_exclude);
	tcase_add_test(tc, sleep_lock_core);
	tcase_add_test(tc, sv_wait_loses_no_wakeup);
	tcase_add_test(tc, sv_signal_wakes_one_broadcast_all);
	tcase_add_test(tc, spl_levels);
	tcase_add_test(tc, leaked_locks_listed);
	suite_add_tcase(s, tc);

	tc = tcase_new("limits");
	tcase_add_test(tc, hierarchy_full_range);
	suite_add_tcase(s, tc);

	tc = tcase_new("misuse");
	tcase_add_test(tc, hierarchy_and_levels_reported);
	tcase_add_test(tc, unlock_by_other_thread_reported);
	tcase_add_test(tc, blocking_with_lock_held_reported);
	if (!nofork()) {
		tcase_add_test_raise_signal(tc, hierarchy_aborts, SIGABRT);
		tcase_add_test_raise_signal(tc, recursive_lock_aborts,
		    SIGABRT);
		tcase_add_test_raise_signal(tc, km_sleep_with_lock_aborts,
		    SIGABRT);
	}
	tcase_add_loop_test(tc, lock_misuse_counted, 0, NLOCK_MISUSE);
	tcase_add_loop_test(tc, rw_misuse_counted, 0, NRW_MISUSE);
	tcase_add_loop_test(tc, sleep_misuse_counted, 0, NSLEEP_MISUSE);
	tcase_add_loop_test(tc, block_misuse_counted, 0, NBLOCK_MISUSE);
	tcase_add_loop_test(tc, freed_misuse_counted, 0, NFREED_MISUSE);
	tcase_add_loop_test(tc, name_misuse_counted, 0, NNAME_MISUSE);
	if (!nofork()) {
		tcase_add_loop_test_raise_signal(tc, lock_misuse_aborts,
		    SIGABRT, 0, NLOCK_MISUSE);
		tcase_add_loop_test_raise_signal(tc, rw_misuse_aborts,
		    SIGABRT, 0, NRW_MISUSE);
		tcase_add_loop_test_raise_signal(tc, sleep_misuse_aborts,
		    SIGABRT, 0, NSLEEP_MISUSE);
		tcase_add_loop_test_raise_signal(tc, block_misuse_aborts,
		    SIGABRT, 0, NBLOCK_MISUSE);
		tcase_add_loop_test_raise_signal(tc, freed_misuse_aborts,
		    SIGABRT, 0, NFREED_MISUSE);
		tcase_add_loop_test_raise_signal(tc, name_misuse_aborts,
		    SIGABRT, 0, NNAME_MISUSE);
	}
	suite_add_tcase(s, tc);
	return run_suite(s) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
