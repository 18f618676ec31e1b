/*
 * service.c - the STREAMS service: esballoc free routines and bufcall
 * callbacks (bufcall(9), ddisim_streams(3)).
 *
 * Neither ever runs inside the call that makes it due: freeb queues an
 * esballoc buffer's free routine, bufcall queues a callback, and the
 * service calls them later, in a frame of its own at plstr on one
 * simulated CPU, like an interrupt: they must not block, and blocking
 * there is reported.  The service runs when a test asks for it
 * (ddisim_streams_run), so tests decide when, and at shutdown.
 *
 * A run calls every queued free routine first (they give memory back),
 * then every bufcall callback queued before the run began whose buffer
 * size could be allocated now; the others wait for the next run.  A
 * callback that calls bufcall again is therefore not called twice in one
 * run.
 *
 * Locking: svc_lock guards both queues and the entries' states; it is
 * never held while a free routine, a callback or an allocation runs.
 * post_lock serialises posting the service's pending item.
 */
#include "config.h"

#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/queue.h>

#include "util/forklock.h"
#include "kern/ctx.h"
#include "kern/kern.h"
#include "machine/entry.h"
#include "machine/machine.h"
#include "streams/streams.h"
#include "streams/strq.h"
#include "verify/verify.h"

#include "sys/stream.h"
#include "exports.h"

enum bc_state { BC_QUEUED, BC_RUNNING };

#define STR_FINI_ROUNDS	1000	/* free routines run at shutdown, in rounds */

struct bcall {
	TAILQ_ENTRY(bcall) link;	/* bc_queue, under svc_lock */
	toid_t		id;
	size_t		size;
	unsigned	level;		/* the caller's interface level */
	void		(*fn)(long);
	long		arg;
	uint64_t	seq;		/* when queued: the run count then */
	uint64_t	tried;		/* the last run that looked at it */
	enum bc_state	state;
	struct kctx	*runner;	/* BC_RUNNING: who calls it */
	const char	*func;		/* bufcall or esbbcall */
	const void	*caller;	/* the code that queued it */
};

static FORK_MUTEX(svc_lock);
static pthread_cond_t svc_cv = PTHREAD_COND_INITIALIZER;
static FORK_MUTEX(post_lock);
static struct mdb *svc_frees;		/* due free routines, in order */
static struct mdb **svc_frees_tail = &svc_frees;
static TAILQ_HEAD(, bcall) bc_queue = TAILQ_HEAD_INITIALIZER(bc_queue);
static toid_t bc_next_id;
static uint64_t svc_runs;		/* runs begun, under svc_lock */
static _Atomic unsigned long svc_called; /* routines and callbacks run */
static struct kpend svc_pend;
static DDI_TLS bool svc_inside;		/* this thread runs the service */

void
str_svc_defer_free(struct mdb *h)
{
	pthread_mutex_lock(&svc_lock);
	h->svc_next = NULL;
	*svc_frees_tail = h;
	svc_frees_tail = &h->svc_next;
	pthread_mutex_unlock(&svc_lock);
}

static unsigned
svc_run_frees(void)
{
	struct mdb *h, *next;
	unsigned n = 0;

	pthread_mutex_lock(&svc_lock);
	h = svc_frees;
	svc_frees = NULL;
	svc_frees_tail = &svc_frees;
	pthread_mutex_unlock(&svc_lock);
	for (; h != NULL; h = next, n++) {
		frtn_t *fr = h->d.db_frtnp;

		next = h->svc_next;
		((void (*)(char *))fr->free_func)(fr->free_arg);
		str_mdb_release(h, 1);
	}
	return n;
}

/*
 * Whether a buffer of size bytes could be had now, where allocb places
 * it for a driver of the level, as testb asks.
 */
bool
str_probe(size_t size, enum ddi_level level, const char *func, const void *caller)
{
	struct kcons c;
	mblk_t *m;

	str_level_cons(level, &c);
	if ((m = str_alloc(size, &c, func, caller)) == NULL)
		return false;
	str_free(m);
	return true;
}

static unsigned
svc_run_bufcalls(void)
{
	struct bcall *b;
	uint64_t run;
	unsigned n = 0;

	pthread_mutex_lock(&svc_lock);
	run = ++svc_runs;
	for (;;) {
		TAILQ_FOREACH(b, &bc_queue, link)
			if (b->state == BC_QUEUED && b->seq < run &&
			    b->tried != run)
				break;
		if (b == NULL)
			break;
		b->tried = run;
		b->state = BC_RUNNING;
		b->runner = kctx_self();
		pthread_mutex_unlock(&svc_lock);
		if (str_probe(b->size, b->level, "bufcall", NULL)) {
			b->fn(b->arg);
			n++;
			pthread_mutex_lock(&svc_lock);
			TAILQ_REMOVE(&bc_queue, b, link);
			free(b);
		} else {
			pthread_mutex_lock(&svc_lock);
			b->state = BC_QUEUED;
			b->runner = NULL;
		}
		pthread_cond_broadcast(&svc_cv);
	}
	pthread_mutex_unlock(&svc_lock);
	return n;
}

static void
svc_run(struct kpend *p)
{
	unsigned n;

	(void)p;
	svc_inside = true;
	n = svc_run_frees();
	n += svc_run_bufcalls();
	n += str_run_queues();
	svc_inside = false;
	atomic_fetch_add(&svc_called, n);
}

/*
 * A run now, as ddisim_streams_run: also what the stream head does
 * before it returns, as the kernel ran the queues on the way back to the
 * process.
 */
unsigned
str_service_now(void)
{
	struct kctx *k;
	unsigned long before;

	if (svc_inside)
		return 0;
	k = kctx_self();
	pthread_mutex_lock(&post_lock);
	before = atomic_load(&svc_called);
	if (!kctx_is_posted(&svc_pend)) {
		svc_pend.pl = PLSTR;
		svc_pend.cpu = k->cpu >= 0 ? k->cpu : kctx_home_cpu();
		svc_pend.run = svc_run;
	}
	kctx_post(&svc_pend, true);
	pthread_mutex_unlock(&post_lock);
	return (unsigned)(atomic_load(&svc_called) - before);
}

DDI_ENTRY0(unsigned, ddisim_streams_run)
{
	return str_service_now();
}

DDI_ENTRY0(unsigned, ddisim_streams_pending)
{
	struct mdb *h;
	struct bcall *b;
	unsigned n = 0;

	pthread_mutex_lock(&svc_lock);
	for (h = svc_frees; h != NULL; h = h->svc_next)
		n++;
	TAILQ_FOREACH(b, &bc_queue, link)
		n++;
	pthread_mutex_unlock(&svc_lock);
	return n + str_runq_pending();
}

static toid_t
bufcall_queue(size_t size, enum ddi_level level, __ddi_bcfn_t fn, long arg,
    const char *func, const void *caller)
{
	struct bcall *b;
	toid_t id;

	if (fn == NULL) {
		verify_report(func, caller, "NULL function");
		return 0;
	}
	if ((b = calloc(1, sizeof(*b))) == NULL)
		return 0;
	b->size = size;
	b->level = level;
	b->fn = (void (*)(long))fn;
	b->arg = arg;
	b->state = BC_QUEUED;
	b->func = func;
	b->caller = caller;
	pthread_mutex_lock(&svc_lock);
	bc_next_id = bc_next_id >= INT_MAX - 1 ? 1 : bc_next_id + 1;
	id = b->id = bc_next_id;
	b->seq = svc_runs;
	TAILQ_INSERT_TAIL(&bc_queue, b, link);
	pthread_mutex_unlock(&svc_lock);
	return id;
}

DDI_ENTRY(toid_t, bufcall, (uint_t size, int pri, __ddi_bcfn_t fn, long arg),
    (size, pri, fn, arg))
{
	(void)pri;
	return bufcall_queue(size, LEVEL_LATEST, fn, arg, DDI_FUNC,
	    DDI_CALLER);
}

DDI_ENTRY(toid_t, _Compat_bufcall7, (uint_t size, int pri, __ddi_bcfn_t fn,
    long arg), (size, pri, fn, arg))
{
	(void)pri;
	return bufcall_queue(size, LEVEL_DDI6_71, fn, arg, "bufcall", DDI_CALLER);
}

DDI_ENTRY(toid_t, _Compat_bufcall5, (uint_t size, int pri, __ddi_bcfn_t fn,
    long arg), (size, pri, fn, arg))
{
	(void)pri;
	return bufcall_queue(size, LEVEL_DDI5, fn, arg, "bufcall", DDI_CALLER);
}

/* For esballoc: the callback waits for a message header, not a buffer. */
DDI_ENTRY(toid_t, esbbcall, (int pri, __ddi_bcfn_t fn, long arg),
    (pri, fn, arg))
{
	(void)pri;
	return bufcall_queue(0, LEVEL_LATEST, fn, arg, DDI_FUNC, DDI_CALLER);
}

/*
 * Cancel a bufcall.  One that is running in another context is waited
 * for, as untimeout waits; from inside its own callback, or for an id
 * that has run, nothing happens.  An id never issued is reported.
 */
DDI_ENTRY_VOID(unbufcall, (toid_t id), (id))
{
	struct kctx *self = kctx_self();
	struct bcall *b;

	pthread_mutex_lock(&svc_lock);
	for (;;) {
		TAILQ_FOREACH(b, &bc_queue, link)
			if (b->id == id)
				break;
		if (b == NULL || b->state == BC_QUEUED ||
		    b->runner == self)
			break;
		pthread_cond_wait(&svc_cv, &svc_lock);
	}
	if (b == NULL && (id <= 0 || id > bc_next_id)) {
		pthread_mutex_unlock(&svc_lock);
		verify_report(DDI_FUNC, DDI_CALLER, "id %d was never returned "
		    "by bufcall or esbbcall", id);
		return;
	}
	if (b != NULL && b->state == BC_QUEUED) {
		TAILQ_REMOVE(&bc_queue, b, link);
		free(b);
	}
	pthread_mutex_unlock(&svc_lock);
}

/*
 * The leak report's part: every bufcall still queued (one being called
 * now is done with), listed on f if not NULL; their number.
 */
size_t
streams_leak_report(FILE *f)
{
	char fn[128], who[128], what[40];
	struct bcall *b;
	size_t n = 0;

	pthread_mutex_lock(&svc_lock);
	TAILQ_FOREACH(b, &bc_queue, link) {
		if (b->state != BC_QUEUED || !verify_leak_mine(b->caller))
			continue;
		n++;
		if (f == NULL)
			continue;
		verify_symbolize((const void *)(uintptr_t)b->fn, fn,
		    sizeof(fn));
		verify_symbolize(b->caller, who, sizeof(who));
		if (b->size == 0)
			snprintf(what, sizeof(what), "a message header");
		else
			snprintf(what, sizeof(what), "%zu bytes", b->size);
		fprintf(f, "ddicompat: leak: %s %d pending (calls %s when %s "
		    "can be had), scheduled by %s\n", b->func, b->id, fn, what,
		    who);
	}
	pthread_mutex_unlock(&svc_lock);
	if (n > 0 && f != NULL)
		fprintf(f, "ddicompat: %zu bufcall%s still pending at "
		    "shutdown\n", n, n == 1 ? "" : "s");
	return n + str_queues_leak_report(f);
}

/*
 * Shutdown: due free routines still run, since a driver counts on them;
 * bufcalls that never ran are dropped, as pending timeouts are (after
 * the leak report listed them).
 */
void
streams_fini(void)
{
	struct bcall *b;

	(void)kctx_unpost(&svc_pend);
	str_queues_fini();
	/*
	 * A free routine may free messages of its own: run until none is
	 * due, within reason.  What is left then is reported, and leaks.
	 */
	for (int round = 0; svc_run_frees() > 0; round++)
		if (round == STR_FINI_ROUNDS) {
			verify_report("ddisim_shutdown", NULL, "esballoc free "
			    "routines keep making others due; %u left "
			    "uncalled", ddisim_streams_pending());
			break;
		}
	pthread_mutex_lock(&svc_lock);
	while ((b = TAILQ_FIRST(&bc_queue)) != NULL) {
		TAILQ_REMOVE(&bc_queue, b, link);
		free(b);
	}
	svc_frees = NULL;		/* what the report above left */
	svc_frees_tail = &svc_frees;
	bc_next_id = 0;
	svc_runs = 0;
	pthread_mutex_unlock(&svc_lock);
}
