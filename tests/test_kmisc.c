/*
 * test_kmisc.c - process references and signals (proc_ref(9)),
 * pollheads (phalloc(9)), kernel threads (kthread_spawn(9)), strlog(9),
 * external majors (etoimajor(9)), event handlers (drv_callback(9)),
 * shutdown requests (drv_shutdown(9)), I/O permission bitmaps
 * (iobitmapctl(9)), boot parameters (bs_getval(9)), the kernel
 * debugger (call_demon(9)) and interface statistics (ifstats_attach(9)).
 *
 * Misuse is made from kmisc_misuse, a global function of this program
 * (linked -rdynamic), so that each report is seen to name both the
 * function and its caller.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>

#include <sys/types.h>
#include <sys/kmem.h>
#include <sys/ksynch.h>
#include <sys/poll.h>
#include <sys/strlog.h>
#include <sys/uadmin.h>
#include <sys/iobitmap.h>
#include <net/if.h>
#include <sys/ddi.h>

#include "exports.h"		/* pollwakeup: DDI 5 to 7.2 */
#include "lib/testutil.h"

#define PAGE	4096u

static LKINFO_DECL(km_lkinfo, "km:lock", 0);

/* The report names func, says what, and was made for kmisc_misuse. */
#define REPORTED_HERE(before, func, what) do {				\
	REPORTED((before), (what));					\
	ck_assert_contains(ddisim_verify_last(), "ddicompat: " func ": "); \
	ck_assert_contains(ddisim_verify_last(),			\
	    "(called from kmisc_misuse" CALLER_SEP);			\
} while (0)

/* ---- processes ---- */

START_TEST(proc_ref_signal_observed)
{
	struct proc *p;
	void *pref;

	MACHINE_UP("mem=64M");
	p = ddisim_proc_create(PAGE, 0);
	ck_assert_ptr_nonnull(p);
	ddisim_proc_enter(p);
	pref = proc_ref();
	ck_assert_ptr_nonnull(pref);
	ddisim_proc_enter(NULL);	/* the reference outlives the call */
	ck_assert_int_eq(proc_valid(pref), B_TRUE);
	ck_assert_uint_eq(ddisim_proc_signals(p), 0);
	ck_assert_int_eq(proc_signal(pref, SIGUSR1), 0);
	ck_assert_int_eq(proc_signal(pref, SIGHUP), 0);
	ck_assert_int_eq(proc_signal(pref, SIGUSR1), 0);
	ck_assert_uint_eq(ddisim_proc_signals(p),
	    (UINT64_C(1) << SIGUSR1) | (UINT64_C(1) << SIGHUP));
	ck_assert_uint_eq(ddisim_proc_signals(p), 0);	/* collected */
	proc_unref(pref);
	ddisim_proc_destroy(p);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	MACHINE_DOWN();
}
END_TEST

struct sigw {
	struct proc	*p;
	lock_t		*lk;
	sv_t		*sv;
	void		*pref;
	atomic_int	waiting;
	bool		res;
};

static void *
sig_waiter(void *arg)
{
	struct sigw *w = arg;

	ddisim_proc_enter(w->p);
	(void)LOCK(w->lk, PLHI);
	w->pref = proc_ref();
	atomic_store(&w->waiting, 1);
	w->res = SV_WAIT_SIG(w->sv, primed, w->lk);
	ddisim_proc_enter(NULL);
	return NULL;
}

START_TEST(proc_signal_interrupts_sleep)
{
	struct sigw w = { .waiting = 0 };
	struct pollhead *ph;
	pthread_t t;
	pl_t s;

	MACHINE_UP("mem=64M,cpus=2");
	w.p = ddisim_proc_create(PAGE, 0);
	w.lk = LOCK_ALLOC(1, PLHI, &km_lkinfo, KM_SLEEP);
	w.sv = SV_ALLOC(KM_SLEEP);
	pthread_create(&t, NULL, sig_waiter, &w);
	while (atomic_load(&w.waiting) == 0)
		sched_yield();
	s = LOCK(w.lk, PLHI);		/* the waiter is queued on the SV */
	UNLOCK(w.lk, s);
	ck_assert_int_eq(proc_signal(w.pref, SIGINT), 0);
	pthread_join(t, NULL);
	ck_assert_int_eq(w.res, B_FALSE);
	ck_assert_uint_eq(ddisim_proc_signals(w.p), UINT64_C(1) << SIGINT);

	/*
	 * The caller's own context, in no process, is not interrupted: its
	 * signalable sleep times out instead of ending at once.
	 */
	ck_assert_int_eq(proc_signal(w.pref, SIGINT), 0);
	ph = phalloc(KM_SLEEP);
	ck_assert_int_eq(ddisim_poll_wait(ph, POLLIN, 5), 0);
	phfree(ph);
	proc_unref(w.pref);
	(void)ddisim_proc_signals(w.p);
	ddisim_proc_destroy(w.p);
	SV_DEALLOC(w.sv);
	LOCK_DEALLOC(w.lk);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	MACHINE_DOWN();
}
END_TEST

START_TEST(proc_exit_while_referenced)
{
	struct proc *p, *q;
	void *pref;
	char *text;

	MACHINE_UP("mem=64M");
	p = ddisim_proc_create(2 * PAGE, 0);
	ddisim_proc_enter(p);
	pref = proc_ref();
	ddisim_proc_destroy(p);		/* exits, the thread in none */
	ck_assert_int_eq(proc_valid(pref), B_FALSE);
	ck_assert_int_eq(proc_signal(pref, SIGHUP), -1);
	/* The identifier is not reused while referenced. */
	q = ddisim_proc_create(PAGE, 0);
	ck_assert_ptr_ne(q, pref);
	ck_assert_int_eq(proc_valid(pref), B_FALSE);
	ck_assert_uint_eq(ddisim_outstanding(), PAGE);	/* q's page only */
	/* The reference, and q's page. */
	ck_assert_uint_eq(leak_report_text(&text), 2);
	ck_assert_contains(text, "proc_ref: 1 reference to exited process");
	ck_assert_contains(text, "taken by ");
	free(text);
	proc_unref(pref);
	ddisim_proc_destroy(q);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	MACHINE_DOWN();
}
END_TEST

START_TEST(proc_leak_listed)
{
	struct proc *p;
	void *a, *b;
	char *text;

	MACHINE_UP("mem=64M");
	p = ddisim_proc_create(PAGE, 0);
	ddisim_proc_enter(p);
	a = proc_ref();
	b = proc_ref();
	ck_assert_ptr_eq(a, b);		/* one process, one identifier */
	/* The references, and the live process's page. */
	ck_assert_uint_eq(leak_report_text(&text), 3);
	ck_assert_contains(text, "proc_ref: 2 references to live process");
	ck_assert_contains(text, "2 process references still held");
	free(text);
	proc_unref(a);
	ck_assert_uint_eq(ddisim_leak_report(NULL), 2);
	proc_unref(b);
	ddisim_proc_enter(NULL);
	ddisim_proc_destroy(p);
	MACHINE_DOWN();
}
END_TEST

/* Many references, and the process's structure goes with the last. */
START_TEST(proc_refs_limits)
{
	enum { N = 1000 };
	struct proc *p;
	void *pref = NULL;

	MACHINE_UP("mem=64M");
	p = ddisim_proc_create(PAGE, 0);
	ddisim_proc_enter(p);
	for (int i = 0; i < N; i++)
		ck_assert_ptr_eq((pref = proc_ref()), p);
	ck_assert_int_eq(proc_signal(pref, 1), 0);
	ck_assert_int_eq(proc_signal(pref, 63), 0);
	ck_assert_uint_eq(ddisim_proc_signals(p),
	    (UINT64_C(1) << 63) | (UINT64_C(1) << 1));
	ddisim_proc_destroy(p);
	for (int i = 0; i < N - 1; i++) {
		proc_unref(pref);
		ck_assert_int_eq(proc_valid(pref), B_FALSE);
	}
	ck_assert_uint_eq(ddisim_leak_report(NULL), 1);
	proc_unref(pref);
	ck_assert_uint_eq(ddisim_leak_report(NULL), 0);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	MACHINE_DOWN();
}
END_TEST

/*
 * Property: random references, releases, exits, signals and queries on a
 * few processes agree with a model of their reference counts, liveness
 * and posted signals, and the leak report counts what the model holds.
 */
struct pmodel {
	struct proc	*p;		/* NULL: slot empty */
	void		*id;
	int		refs;
	bool		live;
	uint64_t	sigs;
};

START_TEST(proc_refs_model)
{
	enum { NP = 4 };
	struct pmodel m[NP];
	long iters = prop_floor(prop_iters(100000) / 50, 500);
	unsigned seen[7] = { 0 };

	MACHINE_UP("mem=64M");
	memset(m, 0, sizeof(m));
	prop_seed(0x70726f63);
	for (long it = 0; it < iters; it++) {
		struct pmodel *s = &m[rndn(NP)];
		int op = (int)rndn(7), sig = 1 + (int)rndn(62);
		size_t held = 0;

		if (sig == SIGTSTP)		/* drivers may not send it */
			sig++;

		switch (op) {
		case 0:				/* create */
			if (s->p != NULL)
				continue;
			s->p = ddisim_proc_create(PAGE, 0);
			ck_assert_ptr_nonnull(s->p);
			s->live = true;
			s->refs = 0;
			s->sigs = 0;
			s->id = NULL;
			break;
		case 1:				/* ref */
			if (s->p == NULL || !s->live)
				continue;
			ddisim_proc_enter(s->p);
			s->id = proc_ref();
			ddisim_proc_enter(NULL);
			ck_assert_ptr_eq(s->id, s->p);
			s->refs++;
			break;
		case 2:				/* unref */
			if (s->refs == 0)
				continue;
			proc_unref(s->id);
			if (--s->refs == 0 && !s->live)
				s->p = NULL;
			break;
		case 3:				/* exit */
			if (s->p == NULL || !s->live)
				continue;
			ddisim_proc_destroy(s->p);
			s->live = false;
			if (s->refs == 0)
				s->p = NULL;
			break;
		case 4:				/* signal */
			if (s->refs == 0)
				continue;
			ck_assert_int_eq(proc_signal(s->id, sig),
			    s->live ? 0 : -1);
			if (s->live)
				s->sigs |= UINT64_C(1) << sig;
			break;
		case 5:				/* valid */
			if (s->refs == 0)
				continue;
			ck_assert_int_eq(proc_valid(s->id),
			    s->live ? B_TRUE : B_FALSE);
			break;
		case 6:				/* the process collects */
			if (s->p == NULL || !s->live)
				continue;
			ck_assert_uint_eq(ddisim_proc_signals(s->p), s->sigs);
			s->sigs = 0;
			break;
		}
		seen[op]++;
		/* References held, and one page for each live process. */
		for (int i = 0; i < NP; i++)
			held += (size_t)m[i].refs + (m[i].p != NULL &&
			    m[i].live);
		ck_assert_uint_eq(ddisim_leak_report(NULL), held);
	}
	for (int op = 0; op < 7; op++)
		ck_assert_uint_gt(seen[op], 0);
	for (int i = 0; i < NP; i++) {
		while (m[i].refs > 0) {
			proc_unref(m[i].id);
			m[i].refs--;
		}
		if (m[i].p != NULL && m[i].live)
			ddisim_proc_destroy(m[i].p);
	}
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	MACHINE_DOWN();
}
END_TEST

/* ---- polling ---- */

/* The original values, which differ from the host's for the write bits. */
START_TEST(poll_constants)
{
	ck_assert_int_eq(POLLIN, 0x1);
	ck_assert_int_eq(POLLPRI, 0x2);
	ck_assert_int_eq(POLLOUT, 0x4);
	ck_assert_int_eq(POLLERR, 0x8);
	ck_assert_int_eq(POLLHUP, 0x10);
	ck_assert_int_eq(POLLNVAL, 0x20);
	ck_assert_int_eq(POLLRDNORM, 0x40);
	ck_assert_int_eq(POLLWRNORM, POLLOUT);
	ck_assert_int_eq(POLLRDBAND, 0x80);
	ck_assert_int_eq(POLLWRBAND, 0x100);
}
END_TEST

struct pollw {
	struct pollhead	*ph;
	struct proc	*p;
	short		events;
	int		timeout;
	pid_t		tid;
	atomic_int	state;		/* 1: about to wait, 2: returned */
	int		rc;
	int		err;
};

static void *
poll_waiter(void *arg)
{
	struct pollw *w = arg;

	w->tid = tid_self();
	if (w->p != NULL)
		ddisim_proc_enter(w->p);
	atomic_store(&w->state, 1);
	errno = 0;
	w->rc = ddisim_poll_wait(w->ph, w->events, w->timeout);
	w->err = errno;
	ddisim_proc_enter(NULL);
	atomic_store(&w->state, 2);
	return NULL;
}

static void
poll_start(struct pollw *w, pthread_t *t)
{
	atomic_store(&w->state, 0);
	pthread_create(t, NULL, poll_waiter, w);
	while (atomic_load(&w->state) == 0)
		sched_yield();
	ck_assert(tid_wait_asleep(w->tid));
}

START_TEST(poll_wakeup_delivers)
{
	struct pollw w = { .events = POLLIN | POLLRDNORM, .timeout = -1 };
	pthread_t t;

	MACHINE_UP("mem=64M,cpus=2");
	w.ph = phalloc(KM_SLEEP);
	ck_assert_ptr_nonnull(w.ph);
	pollwakeup(w.ph, POLLIN);	/* nobody waits: nothing kept */
	poll_start(&w, &t);
	pollwakeup(w.ph, POLLOUT | POLLWRBAND);	/* not asked for */
	ck_assert(tid_wait_asleep(w.tid));
	ck_assert_int_eq(atomic_load(&w.state), 1);
	pollwakeup(w.ph, POLLIN | POLLRDNORM | POLLOUT);
	pthread_join(t, NULL);
	ck_assert_int_eq(w.rc, POLLIN | POLLRDNORM);

	/* A hang-up is delivered whatever the poller asked for. */
	w.events = POLLOUT;
	poll_start(&w, &t);
	pollwakeup(w.ph, POLLHUP | POLLIN);
	pthread_join(t, NULL);
	ck_assert_int_eq(w.rc, POLLHUP);
	phfree(w.ph);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	MACHINE_DOWN();
}
END_TEST

START_TEST(poll_timeout_and_signal)
{
	struct pollw w = { .events = POLLIN, .timeout = -1 };
	pthread_t t;
	void *pref;

	MACHINE_UP("mem=64M,cpus=2");
	w.ph = phalloc(KM_NOSLEEP);
	ck_assert_int_eq(ddisim_poll_wait(w.ph, POLLIN, 0), 0);
	ck_assert_int_eq(ddisim_poll_wait(w.ph, POLLIN, 20), 0);

	/* A signal posted to the poller's process ends its poll. */
	w.p = ddisim_proc_create(PAGE, 0);
	ddisim_proc_enter(w.p);
	pref = proc_ref();
	ddisim_proc_enter(NULL);
	poll_start(&w, &t);
	ck_assert_int_eq(proc_signal(pref, SIGPOLL), 0);
	pthread_join(t, NULL);
	ck_assert_int_eq(w.rc, -1);
	ck_assert_int_eq(w.err, EINTR);
	proc_unref(pref);
	ck_assert_uint_eq(ddisim_proc_signals(w.p), UINT64_C(1) << SIGPOLL);
	ddisim_proc_destroy(w.p);
	phfree(w.ph);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	MACHINE_DOWN();
}
END_TEST

/* Several pollheads, several pollers each: each wakeup reaches its own. */
START_TEST(poll_many)
{
	enum { NPH = 4, NW = 3 };
	struct pollw w[NPH][NW];
	pthread_t t[NPH][NW];
	char *text;

	MACHINE_UP("mem=64M,cpus=2");
	for (int i = 0; i < NPH; i++) {
		struct pollhead *ph = phalloc(KM_SLEEP);

		for (int j = 0; j < NW; j++) {
			memset(&w[i][j], 0, sizeof(w[i][j]));
			w[i][j].ph = ph;
			w[i][j].events = (short)(j == 0 ? POLLIN : POLLPRI);
			w[i][j].timeout = -1;
			poll_start(&w[i][j], &t[i][j]);
		}
	}
	for (int i = 0; i < NPH; i++) {
		pollwakeup(w[i][0].ph, POLLPRI);
		for (int j = 1; j < NW; j++)
			pthread_join(t[i][j], NULL);
		ck_assert_int_eq(atomic_load(&w[i][0].state), 1);
	}
	for (int i = 0; i < NPH; i++) {
		pollwakeup(w[i][0].ph, POLLIN);
		pthread_join(t[i][0], NULL);
		for (int j = 0; j < NW; j++)
			ck_assert_int_eq(w[i][j].rc, j == 0 ? POLLIN :
			    POLLPRI);
	}
	for (int i = 1; i < NPH; i++)
		phfree(w[i][0].ph);
	/* The one not freed is a leak. */
	ck_assert_uint_eq(leak_report_text(&text), 1);
	ck_assert_contains(text, "ddicompat: leak: ");
	free(text);
	phfree(w[0][0].ph);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	MACHINE_DOWN();
}
END_TEST

/* ---- kernel threads ---- */

struct ktw {
	lock_t		*lk;
	sv_t		*sv;
	atomic_int	ran;
	unsigned	pl;
	int		held;
	unsigned	id;
	void		*procp;
	bool		slept;
};

static void
kt_body(void *arg)
{
	struct ktw *k = arg;
	pl_t s;

	k->pl = ddisim_ctx_pl();
	k->held = ddisim_ctx_locks_held();
	k->id = ddisim_ctx_id();
	k->procp = &k->procp;
	(void)drv_getparm(UPROCP, &k->procp);
	s = LOCK(k->lk, PLHI);
	UNLOCK(k->lk, s);
	atomic_store(&k->ran, 1);
}

/* Ends through kthread_exit from below its function. */
static void
kt_exit_deep(struct ktw *k)
{
	atomic_store(&k->ran, 1);
	kthread_exit();
	atomic_store(&k->ran, 2);	/* never */
}

static void
kt_exiter(void *arg)
{
	kt_exit_deep(arg);
}

/* Sleeps on the SV until told; wakes the test when it starts. */
static void
kt_sleeper(void *arg)
{
	struct ktw *k = arg;

	(void)LOCK(k->lk, PLHI);
	atomic_store(&k->ran, 1);
	SV_WAIT(k->sv, primed, k->lk);
	k->slept = true;
}

START_TEST(kthread_runs_in_base_context)
{
	struct ktw k = { .ran = 0 };
	struct proc *p;
	kthread_id_t id = NULL;
	char *text;

	MACHINE_UP("mem=64M,cpus=2");
	k.lk = LOCK_ALLOC(1, PLHI, &km_lkinfo, KM_SLEEP);
	p = ddisim_proc_create(PAGE, 0);
	ddisim_proc_enter(p);		/* the spawner runs in a process */
	ck_assert_int_eq(kthread_spawn(kt_body, &k, "kt:body", &id), 0);
	ck_assert_ptr_nonnull(id);
	ck_assert_int_eq(kthread_wait(id), 0);
	ck_assert_int_eq(atomic_load(&k.ran), 1);
	ck_assert_uint_eq(k.pl, PLBASE);
	ck_assert_int_eq(k.held, 0);
	ck_assert_uint_ne(k.id, ddisim_ctx_id());
	ck_assert_ptr_null(k.procp);	/* outside any process */

	/* kthread_exit ends the thread where it is called. */
	atomic_store(&k.ran, 0);
	ck_assert_int_eq(kthread_spawn(kt_exiter, &k, "kt:exit", &id), 0);
	ck_assert_int_eq(kthread_wait(id), 0);
	ck_assert_int_eq(atomic_load(&k.ran), 1);

	/* One not waited for is a leak until it is. */
	atomic_store(&k.ran, 0);
	ck_assert_int_eq(kthread_spawn(kt_body, &k, "kt:late", &id), 0);
	while (atomic_load(&k.ran) == 0)
		sched_yield();
	/* The thread, p's page and the lock. */
	ck_assert_uint_eq(leak_report_text(&text), 3);
	ck_assert_contains(text, "kernel thread \"kt:late\"");
	ck_assert_contains(text, "never waited for, spawned by ");
	free(text);
	ck_assert_int_eq(kthread_wait(id), 0);
	ddisim_proc_enter(NULL);
	ddisim_proc_destroy(p);
	LOCK_DEALLOC(k.lk);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	MACHINE_DOWN();
}
END_TEST

START_TEST(kthread_detached_and_sleeping)
{
	struct ktw k = { .ran = 0 };
	char *text;
	pl_t s;

	MACHINE_UP("mem=64M,cpus=2");
	k.lk = LOCK_ALLOC(1, PLHI, &km_lkinfo, KM_SLEEP);
	k.sv = SV_ALLOC(KM_SLEEP);
	ck_assert_int_eq(kthread_spawn(kt_sleeper, &k, "kt:sleeper", NULL),
	    0);
	while (atomic_load(&k.ran) == 0)
		sched_yield();
	s = LOCK(k.lk, PLHI);		/* it is queued on the SV */
	/* The thread, the lock and the SV. */
	ck_assert_uint_eq(leak_report_text(&text), 3);
	ck_assert_contains(text, "\"kt:sleeper\" still running, detached");
	free(text);
	SV_SIGNAL(k.sv, 0);
	UNLOCK(k.lk, s);
	/* A detached thread is forgotten when it ends. */
	while (ddisim_leak_report(NULL) != 2)
		sched_yield();
	ck_assert(k.slept);
	SV_DEALLOC(k.sv);
	LOCK_DEALLOC(k.lk);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	MACHINE_DOWN();
}
END_TEST

/* Many threads at once, each joined. */
START_TEST(kthread_many)
{
	enum { N = 32 };
	struct ktw k[N];
	kthread_id_t id[N];
	lock_t *lk;

	MACHINE_UP("mem=64M,cpus=2");
	lk = LOCK_ALLOC(1, PLHI, &km_lkinfo, KM_SLEEP);
	for (int i = 0; i < N; i++) {
		memset(&k[i], 0, sizeof(k[i]));
		k[i].lk = lk;
		ck_assert_int_eq(kthread_spawn(kt_body, &k[i], "kt:many",
		    &id[i]), 0);
	}
	for (int i = N - 1; i >= 0; i--) {
		ck_assert_int_eq(kthread_wait(id[i]), 0);
		ck_assert_int_eq(atomic_load(&k[i].ran), 1);
	}
	/* Each ran in a context of its own. */
	for (int i = 0; i < N; i++)
		for (int j = 0; j < i; j++)
			ck_assert_uint_ne(k[i].id, k[j].id);
	LOCK_DEALLOC(lk);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	MACHINE_DOWN();
}
END_TEST

/* Ends with its lock held: reported for it. */
void	kmisc_kt_lockholder(void *arg);

__attribute__((noinline)) void
kmisc_kt_lockholder(void *arg)
{
	struct ktw *k = arg;

	(void)LOCK(k->lk, PLHI);
	kthread_exit();
	/* Not a tail call, which would make the library the caller. */
	__asm__ __volatile__("" ::: "memory");
}

/* ---- strlog ---- */

/* strlog without its format checking, for formats made at run time. */
static int (*const strlog_rt)(short, short, char, ushort_t, char *, ...) =
    strlog;

static char console_text[4096];

static void
console_catch(const char *text, void *arg)
{
	(void)arg;
	strncat(console_text, text, sizeof(console_text) -
	    strlen(console_text) - 1);
}

START_TEST(strlog_to_putbuf_and_console)
{
	char pb[4096];

	MACHINE_UP("mem=64M");
	ddisim_putbuf_clear();
	console_text[0] = '\0';
	ddisim_console(console_catch, NULL);
	ck_assert_int_eq(strlog(42, 3, 1, SL_ERROR | SL_WARN,
	    "unit %d lost %u frames (%#x)", 3, 17u, 0xbeefu), 1);
	ck_assert_int_eq(strlog(42, 0, 0, SL_CONSOLE | SL_NOTE, "up"), 1);
	ddisim_console(NULL, NULL);
	(void)ddisim_putbuf(pb, sizeof(pb));
	ck_assert_contains(pb, "STRLOG mid 42 sid 3 level 1 ERROR|WARN: "
	    "unit 3 lost 17 frames (0xbeef)\n");
	ck_assert_contains(pb, "STRLOG mid 42 sid 0 level 0 CONSOLE|NOTE: "
	    "up\n");
	/* Only the SL_CONSOLE one reached the console. */
	ck_assert_str_eq(console_text,
	    "STRLOG mid 42 sid 0 level 0 CONSOLE|NOTE: up\n");
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	MACHINE_DOWN();
}
END_TEST

START_TEST(strlog_limits)
{
	char fmt[LOGMSGSZ], pb[8192];

	MACHINE_UP("mem=64M");
	ddisim_putbuf_clear();
	/* NLOGARGS arguments, a width from one, %% and %c. */
	ck_assert_int_eq(strlog(-1, 32767, 127, SL_TRACE,
	    "%*d%% %c", 5, 42, 'z'), 1);
	(void)ddisim_putbuf(pb, sizeof(pb));
	ck_assert_contains(pb, "mid -1 sid 32767 level 127 TRACE:    42% z");
	/* The longest format. */
	memset(fmt, 'x', sizeof(fmt) - 1);
	fmt[sizeof(fmt) - 1] = '\0';
	ck_assert_int_eq(strlog_rt(1, 1, 1, 0, fmt), 1);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	MACHINE_DOWN();
}
END_TEST

/* ---- external and internal majors ---- */

START_TEST(majors_identity_and_mapped)
{
	int e;

	MACHINE_UP("mem=64M");
	ck_assert_int_eq(etoimajor(5), 5);
	ck_assert_int_eq(itoemajor(5, -1), 5);
	ck_assert_int_eq(itoemajor(5, 5), -1);
	/* A driver configured with majors 50 to 52. */
	ck_assert_int_eq(ddisim_major_map(51, 50), 0);
	ck_assert_int_eq(ddisim_major_map(52, 50), 0);
	ck_assert_int_eq(etoimajor(51), 50);
	ck_assert_int_eq(etoimajor(52), 50);
	ck_assert_int_eq(etoimajor(53), 53);
	e = -1;
	ck_assert_int_eq((e = itoemajor(50, e)), 50);
	ck_assert_int_eq((e = itoemajor(50, e)), 51);
	ck_assert_int_eq((e = itoemajor(50, e)), 52);
	ck_assert_int_eq(itoemajor(50, e), -1);
	ck_assert_int_eq(itoemajor(51, -1), -1);	/* nothing maps to it */
	ck_assert_uint_eq(getmajor(makedevice(52, 3)), 50);
	ck_assert_uint_eq(getemajor(makedevice(52, 3)), 52);
	ck_assert_uint_eq(getminor(makedevice(52, 3)), 3);
	/* Mapping a number to itself undoes its mapping. */
	ck_assert_int_eq(ddisim_major_map(51, 51), 0);
	ck_assert_int_eq(etoimajor(51), 51);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	MACHINE_DOWN();
	/* The table goes with the machine. */
	MACHINE_UP("mem=64M");
	ck_assert_int_eq(etoimajor(52), 52);
	MACHINE_DOWN();
}
END_TEST

START_TEST(majors_limits)
{
	MACHINE_UP("mem=64M");
	ck_assert_int_eq(etoimajor(L_MAXMAJ), L_MAXMAJ);
	ck_assert_int_eq(etoimajor(L_MAXMAJ + 1), -1);
	ck_assert_int_eq(itoemajor(L_MAXMAJ, L_MAXMAJ - 1), L_MAXMAJ);
	ck_assert_int_eq(itoemajor(L_MAXMAJ, L_MAXMAJ), -1);
	ck_assert_int_eq(itoemajor(L_MAXMAJ + 1, -1), -1);
	ck_assert_int_eq(ddisim_major_map(L_MAXMAJ + 1, 0), EINVAL);
	ck_assert_int_eq(ddisim_major_map(0, L_MAXMAJ + 1), EINVAL);
	ck_assert_int_eq(ddisim_major_map(0, L_MAXMAJ), 0);
	ck_assert_int_eq(etoimajor(0), L_MAXMAJ);
	ck_assert_int_eq(itoemajor(L_MAXMAJ, -1), 0);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	MACHINE_DOWN();
}
END_TEST

/* ---- event handlers and shutdown requests ---- */

static int cb_order[8], cb_n;
static unsigned cb_pl;
static struct mca_info *cb_mi;

/* Global, so that reports name it. */
int	cb_rec(void *arg);

int
cb_rec(void *arg)
{
	int r = *(int *)arg;

	cb_pl = ddisim_ctx_pl();
	if (cb_n < 8)
		cb_order[cb_n++] = r;
	return r;
}

static int
cb_mca(void *arg, struct mca_info *mi)
{
	cb_mi = mi;
	return *(int *)arg;
}

START_TEST(callback_nmi_weighed)
{
	static int unknown = NMI_UNKNOWN, benign = NMI_BENIGN,
	    reboot = NMI_REBOOT;
	int rqt, opt;
	char pb[4096];

	MACHINE_UP("mem=64M,verify=count");
	drv_callback(NMI_ATTACH, cb_rec, &unknown);
	drv_callback(NMI_ATTACH, cb_rec, &benign);
	cb_n = 0;
	ck_assert_int_eq(ddisim_callback_raise(NMI_ATTACH, NULL), NMI_BENIGN);
	ck_assert_int_eq(cb_n, 2);		/* the latest first */
	ck_assert_int_eq(cb_order[0], NMI_BENIGN);
	ck_assert_int_eq(cb_order[1], NMI_UNKNOWN);
	ck_assert_uint_eq(cb_pl, PLHI);
	ck_assert_uint_eq(ddisim_ctx_pl(), PLBASE);

	/* A reboot request becomes a clean shutdown request. */
	drv_callback(NMI_ATTACH, cb_rec, &reboot);
	ck_assert_int_eq(ddisim_callback_raise(NMI_ATTACH, NULL), NMI_REBOOT);
	ck_assert_uint_eq(ddisim_shutdown_requests(&rqt, &opt), 1);
	ck_assert_int_eq(rqt, SD_SOFT);
	ck_assert_int_eq(opt, AD_BOOT);
	ck_assert_uint_eq(ddisim_shutdown_requests(&rqt, &opt), 0);
	drv_callback(NMI_DETACH, cb_rec, &reboot);
	drv_callback(NMI_DETACH, cb_rec, &benign);
	ck_assert_uint_eq(ddisim_verify_count(), 0);

	/* Nobody recognizes it: the system panics. */
	ddisim_putbuf_clear();
	ck_assert_int_eq(ddisim_callback_raise(NMI_ATTACH, NULL),
	    NMI_UNKNOWN);
	REPORTED(0, "PANIC: An unknown NMI interrupt occurred.");
	(void)ddisim_putbuf(pb, sizeof(pb));
	ck_assert_contains(pb, "PANIC: An unknown NMI interrupt occurred.\n");
	drv_callback(NMI_DETACH, cb_rec, &unknown);
	MACHINE_DOWN();
}
END_TEST

START_TEST(callback_fatal_and_other_events)
{
	static int fatal = NMI_FATAL, benign = NMI_BENIGN;
	struct mca_info mi = { .flags = MCA_INFO_ADDRV, .bank = 2 };

	MACHINE_UP("mem=64M,verify=count");
	/* A fatal answer panics, and the handlers after it do not run. */
	drv_callback(NMI_ATTACH, cb_rec, &benign);
	drv_callback(NMI_ATTACH, cb_rec, &fatal);
	cb_n = 0;
	ck_assert_int_eq(ddisim_callback_raise(NMI_ATTACH, NULL), NMI_FATAL);
	REPORTED(0, "PANIC: Fatal NMI Interrupt");
	ck_assert_contains(ddisim_verify_last(), "(called from cb_rec");
	ck_assert_int_eq(cb_n, 1);
	drv_callback(NMI_DETACH, cb_rec, &fatal);
	drv_callback(NMI_DETACH, cb_rec, &benign);

	/* Power-down and watchdog handlers: how many ran. */
	drv_callback(POWERDOWN_ATTACH, cb_rec, &benign);
	drv_callback(WATCHDOG_ALIVE_ATTACH, cb_rec, &benign);
	drv_callback(WATCHDOG_ALIVE_ATTACH, cb_rec, &fatal);
	cb_n = 0;
	ck_assert_int_eq(ddisim_callback_raise(POWERDOWN_ATTACH, NULL), 1);
	ck_assert_int_eq(ddisim_callback_raise(WATCHDOG_ALIVE_ATTACH, NULL),
	    2);
	ck_assert_uint_eq(cb_pl, PLBASE);	/* at the raiser's level */
	ck_assert_int_eq(ddisim_callback_raise(NMI_ATTACH, NULL) ==
	    NMI_UNKNOWN, 1);
	REPORTED(1, "unknown NMI");
	drv_callback(POWERDOWN_DETACH, cb_rec, &benign);
	drv_callback(WATCHDOG_ALIVE_DETACH, cb_rec, &benign);
	drv_callback(WATCHDOG_ALIVE_DETACH, cb_rec, &fatal);

	/* Machine-check handlers get the bank's information. */
	drv_callback(MCA_ATTACH, (__ddi_cbfn_t)cb_mca, &benign);
	ck_assert_int_eq(ddisim_callback_raise(MCA_ATTACH, &mi), MCA_BENIGN);
	ck_assert_ptr_eq(cb_mi, &mi);
	drv_callback(MCA_DETACH, (__ddi_cbfn_t)cb_mca, &benign);
	ck_assert_int_eq(ddisim_callback_raise(MCA_ATTACH, &mi), MCA_UNKNOWN);
	ck_assert_uint_eq(ddisim_verify_count(), 2);
	MACHINE_DOWN();
}
END_TEST

START_TEST(callback_ddi5_and_leak)
{
	static int benign = NMI_BENIGN;
	char *text;

	MACHINE_UP("mem=64M");
	_Compat_drv_callback_5(NMI_ATTACH, cb_rec, &benign);
	ck_assert_int_eq(ddisim_callback_raise(NMI_ATTACH, NULL), NMI_BENIGN);
	ck_assert_uint_eq(leak_report_text(&text), 1);
	ck_assert_contains(text, "drv_callback: NMI handler cb_rec");
	ck_assert_contains(text, "still attached, by ");
	free(text);
	_Compat_drv_callback_5(NMI_DETACH, cb_rec, &benign);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	MACHINE_DOWN();
}
END_TEST

START_TEST(shutdown_requests)
{
	int rqt, opt;
	char pb[4096];

	MACHINE_UP("mem=64M,verify=count");
	ddisim_putbuf_clear();
	drv_shutdown(SD_SOFT, AD_HALT);
	drv_shutdown(SD_HARD, AD_IBOOT);
	ck_assert_uint_eq(ddisim_shutdown_requests(&rqt, &opt), 2);
	ck_assert_int_eq(rqt, SD_HARD);
	ck_assert_int_eq(opt, AD_IBOOT);
	drv_shutdown(SD_PANIC, AD_QUERY);	/* nobody answers yes */
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	drv_shutdown(SD_PANIC, AD_NOQUERY);
	REPORTED(0, "PANIC: hot key panic");
	ck_assert_uint_eq(ddisim_shutdown_requests(&rqt, &opt), 2);
	ck_assert_int_eq(rqt, SD_PANIC);
	ck_assert_int_eq(opt, AD_NOQUERY);
	(void)ddisim_putbuf(pb, sizeof(pb));
	ck_assert_contains(pb, "a clean shutdown is requested; then halt\n");
	ck_assert_contains(pb, "an immediate shutdown is requested; then "
	    "reboot to the boot prompt\n");
	ck_assert_contains(pb, "(y or n) : n\n");
	ck_assert_contains(pb, "PANIC: hot key panic\n");
	MACHINE_DOWN();
}
END_TEST

/* ---- I/O permission bitmaps ---- */

static uint32_t io_reg[8];

static uint32_t
io_in(void *arg, int port, int width)
{
	(void)arg;
	(void)width;
	return io_reg[port & 7];
}

static void
io_out(void *arg, int port, int width, uint32_t val)
{
	(void)arg;
	(void)width;
	io_reg[port & 7] = val;
}

static const struct ddisim_port_ops io_ops = { io_in, io_out };

START_TEST(iobitmap_per_process)
{
	ushort_t two[] = { 0x300, 0x301, 0 }, first[] = { 0x300, 0 },
	    second[] = { 0x301, 0 };
	struct proc *p, *q;
	ddisim_ports_t *d;
	uint32_t v;

	MACHINE_UP("mem=64M");
	d = ddisim_port_claim(0x300, 4, &io_ops, NULL, "iob");
	p = ddisim_proc_create(PAGE, 0);
	q = ddisim_proc_create(PAGE, 0);
	ddisim_proc_enter(p);
	ck_assert_int_eq(iobitmapctl(IOB_CHECK, two), 0);
	ck_assert_int_eq(iobitmapctl(IOB_ENABLE, two), 0);
	ck_assert_int_ne(iobitmapctl(IOB_CHECK, two), 0);

	/* The user code's accesses: allowed ones reach the device. */
	v = 0x5a;
	ck_assert_int_eq(ddisim_proc_io(p, 0x301, 1, &v, 1), 0);
	ck_assert_uint_eq(io_reg[1], 0x5a);
	io_reg[0] = 0xbeef;
	ck_assert_int_eq(ddisim_proc_io(p, 0x300, 2, &v, 0), 0);
	ck_assert_uint_eq(v, 0xbeef);
	/* One byte outside the bitmap faults the whole access. */
	io_reg[2] = 0;
	v = 0x77;
	ck_assert_int_eq(ddisim_proc_io(p, 0x301, 2, &v, 1), EFAULT);
	ck_assert_uint_eq(io_reg[1], 0x5a);
	ck_assert_uint_eq(ddisim_proc_signals(p), UINT64_C(1) << SIGSEGV);

	/* Taking one port away leaves the other. */
	ck_assert_int_eq(iobitmapctl(IOB_DISABLE, second), 0);
	ck_assert_int_ne(iobitmapctl(IOB_CHECK, first), 0);
	ck_assert_int_eq(iobitmapctl(IOB_CHECK, second), 0);

	/* Another process has its own, empty, bitmap. */
	ddisim_proc_enter(q);
	ck_assert_int_eq(iobitmapctl(IOB_CHECK, first), 0);
	ck_assert_int_eq(iobitmapctl(IOB_DISABLE, first), 0);
	ck_assert_int_eq(ddisim_proc_io(q, 0x300, 1, &v, 0), EFAULT);
	ck_assert_uint_eq(ddisim_proc_signals(q), UINT64_C(1) << SIGSEGV);
	ddisim_proc_enter(NULL);
	ddisim_proc_destroy(q);
	ddisim_proc_destroy(p);
	ddisim_port_release(d);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	MACHINE_DOWN();
}
END_TEST

START_TEST(iobitmap_limits)
{
	ushort_t top[] = { 0xffff, 0xfffe, 0 }, none[] = { 0 };
	struct proc *p;
	ddisim_ports_t *d;
	uint32_t v = 0x1234;

	MACHINE_UP("mem=64M");
	d = ddisim_port_claim(0xfff8, 8, &io_ops, NULL, "iob-top");
	p = ddisim_proc_create(PAGE, 0);
	ddisim_proc_enter(p);
	/* An empty list: nothing to check, so all of it is enabled. */
	ck_assert_int_eq(iobitmapctl(IOB_CHECK, none), 0);  /* no bitmap */
	ck_assert_int_eq(iobitmapctl(IOB_ENABLE, none), 0);
	ck_assert_int_ne(iobitmapctl(IOB_CHECK, none), 0);
	ck_assert_int_eq(iobitmapctl(IOB_ENABLE, top), 0);
	ck_assert_int_eq(ddisim_proc_io(p, 0xfffe, 2, &v, 1), 0);
	ck_assert_uint_eq(io_reg[6], 0x1234);
	ck_assert_int_eq(ddisim_proc_io(p, 0xfffc, 4, &v, 0), EFAULT);
	ddisim_proc_enter(NULL);
	ddisim_proc_destroy(p);
	ddisim_port_release(d);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	MACHINE_DOWN();
}
END_TEST

/* ---- boot parameters and the kernel debugger ---- */

START_TEST(bootparams)
{
	char *old;

	MACHINE_UP("mem=64M");
	ck_assert_ptr_null(bs_getval("BOOTDEV"));
	ck_assert_int_eq(ddisim_bootparam("BOOTDEV", "hd(0,1)"), 0);
	ck_assert_int_eq(ddisim_bootparam("QUIET", ""), 0);
	old = bs_getval("BOOTDEV");
	ck_assert_str_eq(old, "hd(0,1)");
	ck_assert_str_eq(bs_getval("QUIET"), "");
	ck_assert_ptr_null(bs_getval("bootdev"));	/* case matters */
	/* Set again: the new value; the old one stays readable. */
	ck_assert_int_eq(ddisim_bootparam("BOOTDEV", "fd(0)"), 0);
	ck_assert_str_eq(bs_getval("BOOTDEV"), "fd(0)");
	ck_assert_str_eq(old, "hd(0,1)");
	ck_assert_int_eq(ddisim_bootparam("BOOTDEV", NULL), 0);
	ck_assert_ptr_null(bs_getval("BOOTDEV"));
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	MACHINE_DOWN();
	/* The parameters go with the machine. */
	MACHINE_UP("mem=64M");
	ck_assert_ptr_null(bs_getval("QUIET"));
	MACHINE_DOWN();
}
END_TEST

START_TEST(bootparams_limits)
{
	static char big[8192];

	MACHINE_UP("mem=64M");
	memset(big, 'v', sizeof(big) - 1);
	ck_assert_int_eq(ddisim_bootparam("BIG", big), 0);
	ck_assert_str_eq(bs_getval("BIG"), big);
	ck_assert_int_eq(ddisim_bootparam("", "x"), EINVAL);
	ck_assert_int_eq(ddisim_bootparam("A=B", "x"), EINVAL);
	ck_assert_int_eq(ddisim_bootparam(NULL, "x"), EINVAL);
	for (int i = 0; i < 1000; i++) {
		char v[16];

		snprintf(v, sizeof(v), "%d", i);
		ck_assert_int_eq(ddisim_bootparam("N", v), 0);
	}
	ck_assert_str_eq(bs_getval("N"), "999");
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	MACHINE_DOWN();
}
END_TEST

static const void *demon_caller;
static int demon_arg_seen;

static void
demon(const void *caller, void *arg)
{
	demon_caller = caller;
	demon_arg_seen = *(int *)arg;
}

void	kmisc_calls_demon(void);

__attribute__((noinline)) void
kmisc_calls_demon(void)
{
	call_demon();
	/* Not a tail call, which would make the test's own code the caller. */
	__asm__ __volatile__("" ::: "memory");
}

START_TEST(demon_hook)
{
	static int tag = 42;

	MACHINE_UP("mem=64M");
	call_demon();			/* no debugger: returns at once */
	ck_assert_uint_eq(ddisim_demon_calls(), 1);
	ddisim_demon(demon, &tag);
	kmisc_calls_demon();
	ck_assert_uint_eq(ddisim_demon_calls(), 2);
	ck_assert_int_eq(demon_arg_seen, 42);
	ck_assert_ptr_nonnull(demon_caller);
	/* The debugger is told where it was called from. */
	ck_assert(demon_caller > (const void *)kmisc_calls_demon &&
	    (const char *)demon_caller < (const char *)kmisc_calls_demon +
	    64);
	MACHINE_DOWN();
	MACHINE_UP("mem=64M");
	ck_assert_uint_eq(ddisim_demon_calls(), 0);
	call_demon();			/* the hook went with the machine */
	ck_assert_int_eq(demon_arg_seen, 42);
	MACHINE_DOWN();
}
END_TEST

/* ---- interface statistics ---- */

START_TEST(ifstats_chain)
{
	static char wd[] = "wd", el[] = "el";
	struct ifstats a = { .ifs_name = wd, .ifs_unit = 0 },
	    b = { .ifs_name = wd, .ifs_unit = 1 },
	    c = { .ifs_name = el, .ifs_unit = 0 };
	char *text;

	MACHINE_UP("mem=64M");
	ck_assert_ptr_null(ifstats);
	_Compat_ifstats_attach(&a);
	_Compat_ifstats_attach(&b);
	_Compat_ifstats_attach(&c);
	/* The newest first, linked through the drivers' structures. */
	ck_assert_ptr_eq(ifstats, &c);
	ck_assert_ptr_eq(c.ifs_next, &b);
	ck_assert_ptr_eq(b.ifs_next, &a);
	ck_assert_ptr_null(a.ifs_next);
	/* Counters are the driver's to update in place. */
	b.ifs_ipackets = 7;
	b.ifinoctets = 1500;
	ck_assert_uint_eq(c.ifs_next->ifs_mib.ifs_ins.ii_ifinoctets, 1500);
	ck_assert_ptr_eq(_Compat_ifstats_detach(&b), &b);
	ck_assert_ptr_eq(c.ifs_next, &a);
	ck_assert_ptr_null(b.ifs_next);
	ck_assert_uint_eq(leak_report_text(&text), 2);
	ck_assert_contains(text, "interface el0");
	ck_assert_contains(text, "interface wd0");
	free(text);
	ck_assert_ptr_eq(_Compat_ifstats_detach(&c), &c);
	ck_assert_ptr_eq(_Compat_ifstats_detach(&a), &a);
	ck_assert_ptr_null(ifstats);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	MACHINE_DOWN();
}
END_TEST

/* The layout of the original, with i386 widths. */
START_TEST(ifstats_layout)
{
	ck_assert_uint_eq(sizeof(((struct ifstats *)0)->ifs_mib.ifs_ins
	    .ii_ifinoctets), 4);
	ck_assert_uint_eq(sizeof(struct ifs_ins), 5 * 4);
	ck_assert_uint_eq(sizeof(struct ifs_outs), 4 * 4);
	ck_assert_uint_eq(sizeof(struct ifs_mib), 2 * 4 + 9 * 4);
}
END_TEST

/* ---- misuse ---- */

#define NKMISC_MISUSE	47

/* A callout that asks for a process reference, which needs user context. */
void	kmisc_callout_ref(void *arg);

__attribute__((noinline)) void
kmisc_callout_ref(void *arg)
{
	*(void **)arg = proc_ref();
}

void	kmisc_misuse(int which);

__attribute__((noinline)) void
kmisc_misuse(int which)
{
	static int bogus;
	struct proc *p = ddisim_proc_create(PAGE, 0);
	unsigned n = ddisim_verify_count();
	void *pref;

	ddisim_proc_enter(p);
	pref = proc_ref();
	switch (which) {
	case 0:
		ddisim_proc_enter(NULL);
		ck_assert_ptr_null(proc_ref());
		REPORTED_HERE(n, "proc_ref", "runs in no simulated process");
		break;
	case 1:
		proc_unref(&bogus);
		REPORTED_HERE(n, "proc_unref", "is not a process reference");
		break;
	case 2:
		proc_unref(pref);
		proc_unref(pref);
		REPORTED_HERE(n, "proc_unref", "is not referenced");
		pref = proc_ref();
		break;
	case 3:
		ck_assert_int_eq(proc_valid(&bogus), B_FALSE);
		REPORTED_HERE(n, "proc_valid", "is not a process reference");
		break;
	case 4:
		ck_assert_int_eq(proc_signal(pref, 0), -1);
		REPORTED_HERE(n, "proc_signal", "signal 0 out of range");
		break;
	case 5:
		ck_assert_int_eq(proc_signal(pref, 64), -1);
		REPORTED_HERE(n, "proc_signal", "signal 64 out of range");
		break;
	case 6:
		ck_assert_int_eq(proc_signal(pref, SIGTSTP), -1);
		REPORTED_HERE(n, "proc_signal", "SIGTSTP");
		break;
	case 7:
		ck_assert_int_eq(proc_signal(&bogus, SIGHUP), -1);
		REPORTED_HERE(n, "proc_signal", "is not a process reference");
		break;
	case 8:
		ck_assert_uint_eq(ddisim_proc_signals((struct proc *)&bogus),
		    0);
		REPORTED_HERE(n, "ddisim_proc_signals",
		    "is not a simulated process");
		break;
	case 10:
		phfree((struct pollhead *)&bogus);
		REPORTED_HERE(n, "phfree", "is not a pollhead from phalloc");
		break;
	case 11: {
		struct pollhead *ph = phalloc(KM_SLEEP);

		phfree(ph);
		phfree(ph);
		REPORTED_HERE(n, "phfree", "is not a pollhead from phalloc");
		break;
	}
	case 12:
		pollwakeup((struct pollhead *)&bogus, POLLIN);
		REPORTED_HERE(n, "pollwakeup",
		    "is not a pollhead from phalloc");
		break;
	case 13:
		errno = 0;
		ck_assert_int_eq(ddisim_poll_wait((struct pollhead *)&bogus,
		    POLLIN, 0), -1);
		ck_assert_int_eq(errno, EINVAL);
		REPORTED_HERE(n, "ddisim_poll_wait",
		    "is not a pollhead from phalloc");
		break;
	case 14:
		ck_assert_ptr_null(phalloc(0x40));
		REPORTED_HERE(n, "phalloc", "0x40");
		break;
	case 15: {
		struct pollw w = { .events = POLLIN, .timeout = -1 };
		pthread_t t;

		w.ph = phalloc(KM_SLEEP);
		poll_start(&w, &t);
		phfree(w.ph);		/* the poller is told POLLNVAL */
		REPORTED_HERE(n, "phfree", "freed while 1 poller waited");
		pthread_join(t, NULL);
		ck_assert_int_eq(w.rc, POLLNVAL);
		break;
	}
	case 16:
		kthread_exit();		/* not a kernel thread: returns */
		REPORTED_HERE(n, "kthread_exit", "is not a kernel thread");
		break;
	case 17:
		ck_assert_int_eq(kthread_spawn(NULL, NULL, "kt", NULL),
		    EINVAL);
		REPORTED_HERE(n, "kthread_spawn", "NULL function");
		break;
	case 18:
		ck_assert_int_eq(kthread_wait((kthread_id_t)&bogus), EINVAL);
		REPORTED_HERE(n, "kthread_wait", "is not a kernel thread");
		break;
	case 19: {
		struct ktw k = { .ran = 0 };
		kthread_id_t id;

		k.lk = LOCK_ALLOC(1, PLHI, &km_lkinfo, KM_SLEEP);
		ck_assert_int_eq(kthread_spawn(kt_body, &k, "kt", &id), 0);
		ck_assert_int_eq(kthread_wait(id), 0);
		ck_assert_int_eq(kthread_wait(id), EINVAL);
		REPORTED_HERE(n, "kthread_wait", "already waited for");
		LOCK_DEALLOC(k.lk);
		break;
	}
	case 20: {
		struct ktw k = { .ran = 0 };
		kthread_id_t id;

		k.lk = LOCK_ALLOC(1, PLHI, &km_lkinfo, KM_SLEEP);
		ck_assert_int_eq(kthread_spawn(kmisc_kt_lockholder, &k, "kt",
		    &id), 0);
		ck_assert_int_eq(kthread_wait(id), 0);
		REPORTED(n, "kernel thread \"kt\" ends holding 1 lock");
		ck_assert_contains(ddisim_verify_last(),
		    "(called from kmisc_kt_lockholder" CALLER_SEP);
		/* Released: the lock is free again. */
		ck_assert_int_ne(TRYLOCK(k.lk, PLHI), invpl);
		UNLOCK(k.lk, PLBASE);
		LOCK_DEALLOC(k.lk);
		break;
	}
	case 21:
		ck_assert_int_eq(strlog(1, 0, 0, SL_ERROR, "%s", "name"), 0);
		REPORTED_HERE(n, "strlog", "%s is not allowed");
		break;
	case 22:
		ck_assert_int_eq(strlog(1, 0, 0, SL_ERROR, "%d %d %d %d", 1, 2,
		    3, 4), 0);
		REPORTED_HERE(n, "strlog", "4 arguments; at most NLOGARGS");
		break;
	case 23:
		ck_assert_int_eq(strlog(1, 0, 0, 0x100, "x"), 0);
		REPORTED_HERE(n, "strlog", "unknown flags 0x100");
		break;
	case 24: {
		char *volatile none = NULL;

		ck_assert_int_eq(strlog_rt(1, 0, 0, SL_ERROR, none), 0);
		REPORTED_HERE(n, "strlog", "NULL format");
		break;
	}
	case 25: {
		char pb[256];

		ddisim_putbuf_clear();
		ck_assert_int_eq(strlog(1, 0, 0, SL_ERROR, "%e", 1.0), 0);
		REPORTED_HERE(n, "strlog", "%e is not allowed");
		/* Nothing was logged. */
		(void)ddisim_putbuf(pb, sizeof(pb));
		ck_assert_ptr_null(strstr(pb, "STRLOG"));
		break;
	}
	case 26:
		ck_assert_int_eq(itoemajor(1, -2), -1);
		REPORTED_HERE(n, "itoemajor", "lastemaj -2 is neither -1");
		break;
	case 27:
		ck_assert_int_eq(itoemajor(1, L_MAXMAJ + 1), -1);
		REPORTED_HERE(n, "itoemajor", "lastemaj 16384");
		break;
	case 28:
		drv_callback(0x100, cb_rec, NULL);
		REPORTED_HERE(n, "drv_callback", "unknown event tag 0x100");
		break;
	case 29:
		drv_callback(NMI_ATTACH, NULL, NULL);
		REPORTED_HERE(n, "drv_callback", "NULL handler");
		break;
	case 30:
		drv_callback(NMI_DETACH, cb_rec, &bogus);
		REPORTED_HERE(n, "drv_callback", "no NMI handler");
		break;
	case 31:
		_Compat_drv_callback_5(POWERDOWN_ATTACH, cb_rec, &bogus);
		REPORTED_HERE(n, "drv_callback", "not one of DDI 5 to 7");
		ck_assert_int_eq(ddisim_callback_raise(POWERDOWN_ATTACH, NULL),
		    0);
		break;
	case 32: {
		lock_t *lk = LOCK_ALLOC(1, PLHI, &km_lkinfo, KM_SLEEP);
		pl_t s = LOCK(lk, PLHI);

		drv_callback(NMI_ATTACH, cb_rec, &bogus);
		REPORTED_HERE(n, "drv_callback", "may block");
		UNLOCK(lk, s);
		LOCK_DEALLOC(lk);
		ck_assert_uint_eq(ddisim_leak_report(NULL), 2);	/* p, ref */
		break;
	}
	case 33:
		drv_shutdown((shutdown_request_t)7, AD_BOOT);
		REPORTED_HERE(n, "drv_shutdown", "request 7 is not SD_SOFT");
		ck_assert_uint_eq(ddisim_shutdown_requests(NULL, NULL), 0);
		break;
	case 34:
		drv_shutdown(SD_SOFT, 9);
		REPORTED_HERE(n, "drv_shutdown", "option 9 is not AD_HALT");
		ck_assert_uint_eq(ddisim_shutdown_requests(NULL, NULL), 0);
		break;
	case 35:
		ck_assert_int_eq(ddisim_callback_raise(NMI_DETACH, NULL), -1);
		REPORTED_HERE(n, "ddisim_callback_raise",
		    "is not an _ATTACH event tag");
		break;
	case 36: {
		ushort_t one[] = { 0x300, 0 };

		ddisim_proc_enter(NULL);
		ck_assert_int_eq(iobitmapctl(IOB_ENABLE, one), EINVAL);
		REPORTED_HERE(n, "iobitmapctl", "runs in no simulated process");
		ddisim_proc_enter(p);
		break;
	}
	case 37: {
		ushort_t one[] = { 0x300, 0 };

		ck_assert_int_eq(iobitmapctl((iob_request_t)5, one), EINVAL);
		REPORTED_HERE(n, "iobitmapctl", "request 5 is not IOB_ENABLE");
		break;
	}
	case 38:
		ck_assert_int_eq(iobitmapctl(IOB_CHECK, NULL), 0);
		REPORTED_HERE(n, "iobitmapctl", "NULL port list");
		break;
	case 39: {
		ushort_t one[] = { 0x300, 0 };
		lock_t *lk = LOCK_ALLOC(1, PLHI, &km_lkinfo, KM_SLEEP);
		pl_t s = LOCK(lk, PLHI);

		ck_assert_int_eq(iobitmapctl(IOB_ENABLE, one), EINVAL);
		REPORTED_HERE(n, "iobitmapctl", "may block");
		UNLOCK(lk, s);
		LOCK_DEALLOC(lk);
		ck_assert_int_eq(iobitmapctl(IOB_CHECK, one), 0);
		break;
	}
	case 40: {
		uint32_t v;

		ck_assert_int_eq(ddisim_proc_io(p, 0xffff, 2, &v, 0), EINVAL);
		REPORTED_HERE(n, "ddisim_proc_io", "not an access of 1, 2 or 4");
		break;
	}
	case 41: {
		const char *volatile none = NULL;

		ck_assert_ptr_null(bs_getval(none));
		REPORTED_HERE(n, "bs_getval", "NULL name");
		break;
	}
	case 42:
		_Compat_ifstats_attach(NULL);
		REPORTED_HERE(n, "ifstats_attach", "NULL ifstats");
		break;
	case 43: {
		struct ifstats s = { .ifs_name = NULL };

		_Compat_ifstats_attach(&s);
		REPORTED_HERE(n, "ifstats_attach", "no ifs_name");
		ck_assert_ptr_null(ifstats);
		break;
	}
	case 44: {
		static char wd[] = "wd";
		struct ifstats s = { .ifs_name = wd, .ifs_unit = 3 };

		_Compat_ifstats_attach(&s);
		_Compat_ifstats_attach(&s);
		REPORTED_HERE(n, "ifstats_attach", "wd3");
		ck_assert_ptr_eq(ifstats, &s);
		ck_assert_ptr_null(s.ifs_next);	/* no loop made */
		ck_assert_ptr_eq(_Compat_ifstats_detach(&s), &s);
		break;
	}
	case 45: {
		struct ifstats s = { .ifs_name = NULL };

		ck_assert_ptr_null(_Compat_ifstats_detach(&s));
		REPORTED_HERE(n, "ifstats_detach", "is not an attached");
		break;
	}
	case 46: {
		void *got = &got;

		ck_assert_int_ne(itimeout(kmisc_callout_ref, &got, 1,
		    PLTIMEOUT), 0);
		ddisim_clock_advance(20000);	/* two ticks: it runs here */
		ck_assert_ptr_null(got);
		REPORTED(n, "proc_ref: called from an interrupt handler or "
		    "callout");
		ck_assert_contains(ddisim_verify_last(),
		    "(called from kmisc_callout_ref" CALLER_SEP);
		break;
	}
	case 9:
		ddisim_proc_destroy(p);
		proc_unref(pref);
		proc_unref(pref);	/* the zombie went with the last */
		REPORTED_HERE(n, "proc_unref", "is not a process reference");
		p = NULL;
		pref = NULL;
		break;
	}
	/* Nothing was disturbed: no signal posted, the reference holds. */
	if (p != NULL) {
		ck_assert_uint_eq(ddisim_proc_signals(p), 0);
		ck_assert_int_eq(proc_valid(pref), B_TRUE);
		proc_unref(pref);
		ddisim_proc_enter(NULL);
		ddisim_proc_destroy(p);
	}
	ck_assert_uint_eq(ddisim_verify_count(), n + 1);
}

MISUSE_TEST_PAIR(kmisc_misuse, "mem=64M")

int
main(void)
{
	Suite *s = suite_create("kmisc");
	TCase *tc;

	tc = tcase_new("core");
	tcase_add_test(tc, proc_ref_signal_observed);
	tcase_add_test(tc, proc_signal_interrupts_sleep);
	tcase_add_test(tc, proc_exit_while_referenced);
	tcase_add_test(tc, proc_leak_listed);
	suite_add_tcase(s, tc);

	tcase_add_test(tc, poll_constants);
	tcase_add_test(tc, poll_wakeup_delivers);
	tcase_add_test(tc, poll_timeout_and_signal);
	suite_add_tcase(s, tc);

	tcase_add_test(tc, kthread_runs_in_base_context);
	tcase_add_test(tc, kthread_detached_and_sleeping);
	tcase_add_test(tc, strlog_to_putbuf_and_console);
	tcase_add_test(tc, majors_identity_and_mapped);
	tcase_add_test(tc, callback_nmi_weighed);
	tcase_add_test(tc, callback_fatal_and_other_events);
	tcase_add_test(tc, callback_ddi5_and_leak);
	tcase_add_test(tc, shutdown_requests);
	tcase_add_test(tc, iobitmap_per_process);
	tcase_add_test(tc, bootparams);
	tcase_add_test(tc, demon_hook);
	tcase_add_test(tc, ifstats_chain);
	tcase_add_test(tc, ifstats_layout);
	suite_add_tcase(s, tc);

	tc = tcase_new("limits");
	tcase_add_test(tc, proc_refs_limits);
	tcase_add_test(tc, proc_refs_model);
	tcase_add_test(tc, poll_many);
	tcase_add_test(tc, kthread_many);
	tcase_add_test(tc, strlog_limits);
	tcase_add_test(tc, majors_limits);
	tcase_add_test(tc, iobitmap_limits);
	tcase_add_test(tc, bootparams_limits);
	suite_add_tcase(s, tc);

	tc = tcase_new("misuse");
	TCASE_ADD_MISUSE(tc, misuse_counted, misuse_aborts, NKMISC_MISUSE);
	suite_add_tcase(s, tc);
	return run_suite(s) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
