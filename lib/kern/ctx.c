/*
 * ctx.c - per-thread kernel context, CPU levels and interrupt delivery.
 *
 * Locking: each simulated CPU has one mutex (kcpu.mtx) guarding its level
 * counts, its in-flight handler counts and its pending queue.  A context's
 * own fields are touched only by its thread, except kctx.sig (atomic) and
 * kctx.sleep_wchan (read under the sleeper's wait lock).  No kcpu.mtx is
 * held while a handler runs.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "util/forklock.h"
#include "verify/verify.h"
#include "machine/machine.h"
#include "kern/ctx.h"
#include "kern/handle.h"
#include "kern/kern.h"
#include "proc/proc.h"

struct kcpu {
	pthread_mutex_t	mtx;
	pthread_cond_t	cv;		/* a frame ended */
	uint32_t	at[PL_NLEVELS];	/* contexts sat here, by level */
	uint32_t	frames[PL_NLEVELS]; /* frames running, by entry level */
	TAILQ_HEAD(, kpend) pending;
	pthread_cond_t	kick_cv;	/* work for the interrupt thread */
	bool		kick;
	bool		ithread;	/* the interrupt thread is running */
};

static struct kcpu kcpus[MACHINE_MAX_CPUS];
FORK_MUTEX_ARRAY(kcpus, mtx);
static pthread_once_t kcpu_once = PTHREAD_ONCE_INIT;

static DDI_TLS struct kctx kctx_tls = { .cpu = -1 };

/*
 * Tell the verifier whether the calling thread's context may forbid
 * blocking; called after every change of its level, locks held or
 * interrupt depth.
 */
static inline void
kctx_sync(const struct kctx *k)
{
	if (k == &kctx_tls)
		verify_ctx_raised = k->intr > 0 || k->nheld > 0 ||
		    k->pl > PLBASE;
}
static DDI_TLS bool kctx_registered;
static pthread_key_t kctx_key;
static FORK_MUTEX(kctx_list_lock);
static LIST_HEAD(, kctx) kctx_all = LIST_HEAD_INITIALIZER(kctx_all);
static unsigned kctx_next_id;

_Atomic bool kctx_deterministic;

bool
pl_valid(pl_t pl)
{
	return pl <= PLHI;	/* pl_t is unsigned: PLBASE is 0 */
}

static void
kctx_unregister(void *arg)
{
	struct kctx *k = arg;

	pthread_mutex_lock(&kctx_list_lock);
	LIST_REMOVE(k, link);
	pthread_mutex_unlock(&kctx_list_lock);
}

/*
 * The child has no interrupt threads, and nobody waits on anything.  Runs
 * with every registered lock held, kcpus[].mtx among them.
 */
static void
kcpu_fork_child(void)
{
	for (int i = MACHINE_MAX_CPUS - 1; i >= 0; i--) {
		struct kcpu *c = &kcpus[i];

		pthread_cond_init(&c->cv, NULL);
		pthread_cond_init(&c->kick_cv, NULL);
		c->kick = false;
		c->ithread = false;
	}
}

static void
kcpu_setup(void)
{
	for (int i = 0; i < MACHINE_MAX_CPUS; i++) {
		pthread_mutex_init(&kcpus[i].mtx, NULL);
		pthread_cond_init(&kcpus[i].cv, NULL);
		pthread_cond_init(&kcpus[i].kick_cv, NULL);
		TAILQ_INIT(&kcpus[i].pending);
	}
	VERIFY(pthread_key_create(&kctx_key, kctx_unregister) == 0);
	machine_fork_child_register(kcpu_fork_child);
}

struct kctx *
kctx_self(void)
{
	struct kctx *k = &kctx_tls;

	if (unlikely(!kctx_registered)) {
		pthread_once(&kcpu_once, kcpu_setup);
		pthread_mutex_lock(&kctx_list_lock);
		k->id = ++kctx_next_id;
		k->procp = proc_cur_slot();
		LIST_INSERT_HEAD(&kctx_all, k, link);
		pthread_mutex_unlock(&kctx_list_lock);
		pthread_setspecific(kctx_key, k);
		kctx_registered = true;
	}
	return k;
}

int
kctx_home_cpu(void)
{
	return machine != NULL ? machine_cpu() : 0;
}

/* Highest level of anything sat on the CPU; PLBASE when idle. */
static pl_t
kcpu_level_locked(const struct kcpu *c)
{
	for (pl_t l = PLHI; l > PLBASE; l--)
		if (c->at[l] != 0)
			return l;
	return PLBASE;
}

/* A frame above level pl runs on the CPU: it interrupted pl. */
static bool
kcpu_frame_above_locked(const struct kcpu *c, pl_t pl)
{
	for (pl_t l = PLHI; l > pl; l--)
		if (c->frames[l] != 0)
			return true;
	return false;
}

/*
 * The highest queued item the CPU's level lets through, or NULL; the
 * oldest among equals.  dev: device interrupts may be taken.
 */
static struct kpend *
kcpu_next_locked(struct kcpu *c, bool dev)
{
	pl_t level = kcpu_level_locked(c);
	struct kpend *best = NULL, *p;

	TAILQ_FOREACH(p, &c->pending, link)
		if (p->pl > level && (dev || !p->device) &&
		    (best == NULL || p->pl > best->pl))
			best = p;
	return best;
}

/*
 * Run one item as an interrupt frame of the calling thread on CPU cpu.
 * The frame sits at the item's level; when it ends the thread's previous
 * state comes back, whatever the handler did to its level.  Locks the
 * handler leaves held are reported and released, so that a test run under
 * verify=count can go on.
 */
static void
kctx_frame(struct kctx *k, int cpu, struct kpend *p)
{
	struct kcpu *c = &kcpus[cpu];
	pl_t opl = k->pl;
	pl_t oframe = k->frame_pl, entry = p->pl;
	int ocpu = k->cpu, onheld = k->nheld;

	k->pl = entry;
	k->cpu = cpu;
	k->intr++;
	k->frame_pl = entry;
	kctx_sync(k);
	p->run(p);		/* may free p (a one-shot callout) */
	if (k->nheld > onheld) {
		char sym[128];

		verify_symbolize(k->held[onheld].caller, sym, sizeof(sym));
		verify_report("interrupt", NULL, "handler returned holding "
		    "%d lock(s); the first was taken at %s; releasing them",
		    k->nheld - onheld, sym);
		while (k->nheld > onheld)
			kern_held_release(&k->held[--k->nheld]);
	}
	pthread_mutex_lock(&c->mtx);
	if (k->pl > PLBASE)
		c->at[k->pl]--;
	c->frames[entry]--;
	pthread_cond_broadcast(&c->cv);
	pthread_mutex_unlock(&c->mtx);
	k->pl = opl;
	k->cpu = ocpu;
	k->intr--;
	k->frame_pl = oframe;
	kctx_sync(k);
}

/*
 * Deliver, in the calling thread, what CPU cpu's level lets through, at
 * most max items (max < 0: all).  Called with c->mtx held; returns with it
 * held.  The item leaves the queue before it runs, so a handler may raise
 * its own line again.
 */
static unsigned
kcpu_deliver_locked(struct kctx *k, int cpu, int max, bool dev)
{
	struct kcpu *c = &kcpus[cpu];
	struct kpend *p;
	unsigned n = 0;

	while ((max < 0 || (int)n < max) &&
	    (p = kcpu_next_locked(c, dev)) != NULL) {
		TAILQ_REMOVE(&c->pending, p, link);
		p->queued = false;
		c->at[p->pl]++;
		c->frames[p->pl]++;
		pthread_mutex_unlock(&c->mtx);
		kctx_frame(k, cpu, p);
		n++;
		pthread_mutex_lock(&c->mtx);
	}
	return n;
}

pl_t
kctx_setpl(pl_t pl)
{
	struct kctx *k = kctx_self();
	pl_t opl = k->pl;
	struct kcpu *c;
	int cpu;

	if (pl == opl)
		return opl;
	pthread_once(&kcpu_once, kcpu_setup);
	cpu = k->cpu >= 0 ? k->cpu : kctx_home_cpu();
	c = &kcpus[cpu];
	pthread_mutex_lock(&c->mtx);
	if (pl > opl)
		while (kcpu_frame_above_locked(c, opl > k->frame_pl ? opl :
		    k->frame_pl))
			pthread_cond_wait(&c->cv, &c->mtx);
	if (opl > PLBASE)
		c->at[opl]--;
	if (pl > PLBASE)
		c->at[pl]++;
	k->pl = pl;
	kctx_sync(k);
	if (k->intr == 0)
		k->cpu = pl > PLBASE ? cpu : -1;
	if (pl < opl)
		(void)kcpu_deliver_locked(k, cpu, -1,
		    !atomic_load_explicit(&kctx_deterministic,
		    memory_order_relaxed));
	pthread_mutex_unlock(&c->mtx);
	return opl;
}

/*
 * A CPU's interrupt thread: it takes the interrupts that a context on
 * another CPU raised but could not run itself, as that CPU would.
 */
static void *
kcpu_ithread(void *arg)
{
	int cpu = (int)(intptr_t)arg;
	struct kcpu *c = &kcpus[cpu];
	struct kctx *k = kctx_self();

	pthread_mutex_lock(&c->mtx);
	for (;;) {
		while (!c->kick)
			pthread_cond_wait(&c->kick_cv, &c->mtx);
		c->kick = false;
		(void)kcpu_deliver_locked(k, cpu, -1,
		    !atomic_load_explicit(&kctx_deterministic,
		    memory_order_relaxed));
	}
	return NULL;
}

static void
kcpu_kick_locked(struct kcpu *c, int cpu)
{
	pthread_attr_t attr;
	pthread_t t;

	c->kick = true;
	if (c->ithread) {
		pthread_cond_signal(&c->kick_cv);
		return;
	}
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	VERIFY(pthread_create(&t, &attr, kcpu_ithread,
	    (void *)(intptr_t)cpu) == 0);
	pthread_attr_destroy(&attr);
	c->ithread = true;
}

/*
 * The raising thread runs the handler itself when it is on the item's
 * CPU (masking then decides), or when it is idle: at PLBASE, holding no
 * spin lock, not in a handler, as a device thread is.  A context busy on
 * another CPU hands the item to the item's CPU instead: running the
 * handler inside it would make it take, say, a lock it holds itself,
 * which on the machine two CPUs would simply contend for.
 */
void
kctx_post(struct kpend *p, bool now)
{
	struct kctx *k = kctx_self();
	struct kcpu *c;
	int here;

	pthread_once(&kcpu_once, kcpu_setup);
	here = k->cpu >= 0 ? k->cpu : kctx_home_cpu();
	c = &kcpus[p->cpu];
	pthread_mutex_lock(&c->mtx);
	if (!p->queued) {
		TAILQ_INSERT_TAIL(&c->pending, p, link);
		p->queued = true;
	}
	if (now && !(p->device && atomic_load_explicit(&kctx_deterministic,
	    memory_order_relaxed))) {
		if (here == p->cpu || (k->intr == 0 && k->nheld == 0 &&
		    k->pl == PLBASE))
			(void)kcpu_deliver_locked(k, p->cpu, -1,
			    !atomic_load_explicit(&kctx_deterministic,
			    memory_order_relaxed));
		else
			kcpu_kick_locked(c, p->cpu);
	}
	pthread_mutex_unlock(&c->mtx);
}

bool
kctx_unpost(struct kpend *p)
{
	struct kcpu *c = &kcpus[p->cpu];
	bool was;

	pthread_once(&kcpu_once, kcpu_setup);
	pthread_mutex_lock(&c->mtx);
	if ((was = p->queued)) {
		TAILQ_REMOVE(&c->pending, p, link);
		p->queued = false;
	}
	pthread_mutex_unlock(&c->mtx);
	return was;
}

bool
kctx_is_posted(struct kpend *p)
{
	struct kcpu *c = &kcpus[p->cpu];
	bool q;

	pthread_once(&kcpu_once, kcpu_setup);
	pthread_mutex_lock(&c->mtx);
	q = p->queued;
	pthread_mutex_unlock(&c->mtx);
	return q;
}

unsigned
kctx_deliver(int cpu, int max)
{
	struct kcpu *c;
	unsigned n;

	pthread_once(&kcpu_once, kcpu_setup);
	c = &kcpus[cpu];
	pthread_mutex_lock(&c->mtx);
	n = kcpu_deliver_locked(kctx_self(), cpu, max, true);
	pthread_mutex_unlock(&c->mtx);
	return n;
}

/*
 * Blocking is forbidden in an interrupt or callout, with a basic or
 * read/write lock held (other than the one the call gives up), and above
 * PLBASE, where the debug kernel asserts too.
 */
bool
kctx_may_block(const char **why, const void *exclude, bool raised_ok)
{
	struct kctx *k = &kctx_tls;
	int held = k->nheld;

	if (!kctx_registered)
		return true;
	if (k->intr > 0) {
		*why = "is an interrupt handler or callout";
		return false;
	}
	if (exclude != NULL && kctx_find_held(k, exclude) >= 0)
		held--;
	if (held > 0) {
		*why = "holds a basic or read/write lock";
		return false;
	}
	if (!raised_ok && exclude == NULL && k->pl > PLBASE) {
		*why = "runs above PLBASE";
		return false;
	}
	return true;
}

static bool
kctx_block_pred(const char **why)
{
	return kctx_may_block(why, NULL, false);
}

bool
kctx_check_block(const char *func, const void *caller, const void *exclude,
    bool raised_ok)
{
	const char *why = NULL;

	if (kctx_may_block(&why, exclude, raised_ok))
		return true;
	verify_report(func, caller, "may block, but the caller %s", why);
	return false;
}

bool
kctx_push_held(struct kctx *k, const void *lock, enum kheld_kind kind,
    uchar_t hier, pl_t pl, const char *func, const void *caller)
{
	if (k->nheld == KCTX_MAXHELD) {
		verify_report(func, caller, "more than %d locks held at once",
		    KCTX_MAXHELD);
		return false;
	}
	k->held[k->nheld++] = (struct kheld){ .lock = lock, .kind = kind,
	    .hier = hier, .pl = pl, .caller = caller,
	    .cpu = k->cpu >= 0 ? k->cpu : kctx_home_cpu() };
	kctx_sync(k);
	return true;
}

int
kctx_find_held(struct kctx *k, const void *lock)
{
	for (int i = k->nheld - 1; i >= 0; i--)
		if (k->held[i].lock == lock)
			return i;
	return -1;
}

void
kctx_pop_held(struct kctx *k, int idx)
{
	memmove(&k->held[idx], &k->held[idx + 1],
	    (size_t)(k->nheld - idx - 1) * sizeof(k->held[0]));
	k->nheld--;
	kctx_sync(k);
}

bool
kctx_sig_take(struct kctx *k)
{
	return atomic_exchange(&k->sig, false);
}

/*
 * Drop whatever interrupts and callouts a previous machine left queued.
 * Contexts keep their state: a test thread's level is its own business.
 */
void
kern_init(void)
{
	pthread_once(&kcpu_once, kcpu_setup);
	verify_block_register(kctx_block_pred);
	khandle_init();
}

void
kern_fini(void)
{
	pthread_once(&kcpu_once, kcpu_setup);
	for (int i = 0; i < MACHINE_MAX_CPUS; i++) {
		struct kcpu *c = &kcpus[i];
		struct kpend *p;

		pthread_mutex_lock(&c->mtx);
		while ((p = TAILQ_FIRST(&c->pending)) != NULL) {
			TAILQ_REMOVE(&c->pending, p, link);
			p->queued = false;
		}
		pthread_mutex_unlock(&c->mtx);
	}
	atomic_store(&kctx_deterministic, false);
	major_reset();
	khandle_drop_all();		/* after the leak report */
}

/* Post a signal to the context with the given id; 0 if none. */
int
kctx_signal(unsigned id)
{
	struct kctx *k;
	int found = 0;

	pthread_mutex_lock(&kctx_list_lock);
	LIST_FOREACH(k, &kctx_all, link)
		if (k->id == id) {
			atomic_store(&k->sig, true);
			found = 1;
			break;
		}
	pthread_mutex_unlock(&kctx_list_lock);
	return found;
}

/* Post a signal to every context that runs in process p; how many. */
unsigned
kctx_signal_proc(const struct proc *p)
{
	struct kctx *k;
	unsigned n = 0;

	pthread_mutex_lock(&kctx_list_lock);
	LIST_FOREACH(k, &kctx_all, link)
		if (atomic_load(k->procp) == p) {
			atomic_store(&k->sig, true);
			n++;
		}
	pthread_mutex_unlock(&kctx_list_lock);
	return n;
}
