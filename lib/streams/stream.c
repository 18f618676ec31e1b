/*
 * stream.c - streams and queue pairs: their making and checking, the
 * stream lock and freezestr(9), the uniprocessor perimeter, qprocson(9),
 * and the service procedures' run list (see strq.h for the locks).
 *
 * Service procedures run only from the STREAMS service (service.c): a
 * queue that is enabled goes on the run list and its service procedure
 * is called later, in the service's frame, never inside the call that
 * enabled it.  A queue's service procedure never runs in two contexts at
 * once: the runner claims the queue (svc_runner) before it takes it off
 * the list, and qprocsoff waits for a claim to end.
 *
 * A service procedure that is called again and again in one run (it
 * enables its queue again before it returns, or puts a high priority
 * message back) never drains: it is reported after STR_SVC_BOUND calls in
 * one run and not called again in that run.
 */
#include "config.h"

#include <inttypes.h>
#include <stdatomic.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>

#include "util/forklock.h"
#include "kmem/kmem_obj.h"
#include "kern/kern.h"
#include "machine/entry.h"
#include "machine/machine.h"
#include "streams/strq.h"
#include "verify/verify.h"
#include "verify/wait.h"

#include "sys/conf.h"
#include "sys/stream.h"
#include "exports.h"

#define STR_SVC_BOUND	1000	/* calls of one service procedure a run */

static const struct kcons qp_cons = { .high = UINT64_MAX, .align = 16 };

/* The run list: enabled queues, in the order they were enabled. */
static FORK_MUTEX(run_lock);
static queue_t *run_first, *run_last;
static uint64_t run_gen;		/* runs begun */

/* Every stream, for the leak report. */
static FORK_MUTEX(streams_lock);
static LIST_HEAD(, __ddi_stream) streams_all =
    LIST_HEAD_INITIALIZER(streams_all);

/* The uniprocessor perimeter. */
static FORK_MUTEX(perim_lock);
static pthread_cond_t perim_cv = PTHREAD_COND_INITIALIZER;
static struct kctx *perim_owner;
static unsigned perim_depth;

struct qpair *
qp_check(queue_t *q, const char *func, const void *caller)
{
	struct qpair *qp;

	if (q == NULL) {
		verify_report(func, caller, "NULL queue");
		return NULL;
	}
	if (((uintptr_t)q & 7) != 0) {
		verify_report(func, caller, "%p is not a queue", (void *)q);
		return NULL;
	}
	/* The pair starts a live allocation: q or q - 1 does. */
	if (kmem_live_size(q) == sizeof(struct qpair))
		qp = (struct qpair *)q;
	else if (kmem_live_size(q - 1) == sizeof(struct qpair))
		qp = (struct qpair *)(q - 1);
	else
		qp = NULL;
	if (qp == NULL || qp->magic != QP_LIVE ||
	    (q != &qp->q[0] && q != &qp->q[1])) {
		verify_report(func, caller, "%p is not a live queue (its "
		    "stream was closed, or it was never one)", (void *)q);
		return NULL;
	}
	return qp;
}

static void
q_init(queue_t *q, const struct qinit *qi, bool rd)
{
	const struct module_info *mi = qi->qi_minfo;

	memset(q, 0, sizeof(*q));
	q->q_qinfo = (struct qinit *)(uintptr_t)qi;
	/* Never read yet: the first message enables it (QWANTR). */
	q->q_flag = QUSE | QPROCSOFF | QWANTR | (rd ? QREADR : 0);
	if (mi != NULL) {
		q->q_minpsz = mi->mi_minpsz;
		q->q_maxpsz = mi->mi_maxpsz;
		q->q_hiwat = mi->mi_hiwat;
		q->q_lowat = mi->mi_lowat;
	}
}

struct qpair *
qp_alloc(struct __ddi_stream *str, enum qp_role role,
    const struct streamtab *tab, const struct qinit *rinit,
    const struct qinit *winit, int devflag, const char *func,
    const void *caller)
{
	struct qpair *qp;

	if (rinit == NULL || winit == NULL || rinit->qi_putp == NULL ||
	    winit->qi_putp == NULL) {
		verify_report(func, caller, "streamtab %p: a queue has no "
		    "qinit or no put procedure", (const void *)tab);
		return NULL;
	}
	qp = kmem_obj_alloc(sizeof(*qp), &qp_cons, KM_NOSLEEP, KK_QUEUE, func,
	    caller);
	if (qp == NULL)
		return NULL;
	memset(qp, 0, sizeof(*qp));
	q_init(&qp->q[0], rinit, true);
	q_init(&qp->q[1], winit, false);
	qp->q[0].q_str = qp->q[1].q_str = str;
	qp->magic = QP_LIVE;
	qp->role = role;
	qp->devflag = role == QP_HEAD ? D_MP : devflag;
	qp->tab = tab;
	qp->name = rinit->qi_minfo != NULL && rinit->qi_minfo->mi_idname !=
	    NULL ? rinit->qi_minfo->mi_idname : role == QP_HEAD ? "head" :
	    "(unnamed)";
	qp->str = str;
	return qp;
}

static void
bands_free(queue_t *q)
{
	qband_t *qb, *next;

	for (qb = q->q_bandp; qb != NULL; qb = next) {
		next = qb->qb_next;
		kmem_obj_free(qb, sizeof(*qb), KK_QUEUE, "ddisim_stream_close",
		    NULL);
	}
	q->q_bandp = NULL;
	q->q_nband = 0;
}

void
qp_free(struct qpair *qp)
{
	for (int i = 0; i < 2; i++) {
		queue_t *q = &qp->q[i];
		mblk_t *mp, *next;

		str_disable_wait(q);
		for (mp = q->q_first; mp != NULL; mp = next) {
			next = mp->b_next;
			mp->b_next = mp->b_prev = NULL;
			mp->b_pad1 &= (uchar_t)~MB_QUEUED;
			str_free_chain(mp);
		}
		q->q_first = q->q_last = NULL;
		bands_free(q);
	}
	qp->magic = QP_DEAD;
	kmem_obj_free(qp, sizeof(*qp), KK_QUEUE, "ddisim_stream_close", NULL);
}

/* Streams: made and freed by the head. */
struct __ddi_stream *
str_stream_alloc(const char *func, const void *caller)
{
	struct __ddi_stream *s;

	s = kmem_obj_alloc(sizeof(*s), &qp_cons, KM_NOSLEEP, KK_QUEUE, func,
	    caller);
	if (s == NULL)
		return NULL;
	memset(s, 0, sizeof(*s));
	pthread_mutex_init(&s->mtx, NULL);
	pthread_cond_init(&s->cv, NULL);
	TAILQ_INIT(&s->pairs);
	pthread_mutex_lock(&streams_lock);
	LIST_INSERT_HEAD(&streams_all, s, all);
	pthread_mutex_unlock(&streams_lock);
	return s;
}

void
str_stream_free(struct __ddi_stream *s)
{
	pthread_mutex_lock(&streams_lock);
	LIST_REMOVE(s, all);
	pthread_mutex_unlock(&streams_lock);
	pthread_cond_destroy(&s->cv);
	pthread_mutex_destroy(&s->mtx);
	kmem_obj_free(s, sizeof(*s), KK_QUEUE, "ddisim_stream_close", NULL);
}

void
str_lock(struct __ddi_stream *s, const char *func, const void *caller)
{
	struct kctx *self = kctx_self();
	struct vwait w;

	pthread_mutex_lock(&s->mtx);
	if (s->frozen_by == NULL || s->frozen_by == self)
		return;
	vwait_start(&w, VWAIT_KEEP, func, caller);
	while (s->frozen_by != NULL && s->frozen_by != self)
		(void)vwait_cond(&w, &s->cv, &s->mtx, "the stream is frozen "
		    "by another context (freezestr)");
}

void
str_unlock(struct __ddi_stream *s)
{
	pthread_mutex_unlock(&s->mtx);
}

DDI_ENTRY(pl_t, freezestr, (queue_t *q), (q))
{
	const void *caller = DDI_CALLER;
	struct kctx *self = kctx_self();
	struct qpair *qp;
	pl_t old;

	if ((qp = qp_check(q, DDI_FUNC, caller)) == NULL)
		return getpl();
	str_lock(qp->str, DDI_FUNC, caller);
	if (qp->str->frozen_by == self) {
		str_unlock(qp->str);
		verify_report(DDI_FUNC, caller, "the stream of queue %p is "
		    "already frozen by the caller (a deadlock in the "
		    "original)", (void *)q);
		return getpl();
	}
	qp->str->frozen_by = self;
	str_unlock(qp->str);
	old = splstr();
	return old;
}

DDI_ENTRY_VOID(unfreezestr, (queue_t *q, pl_t pl), (q, pl))
{
	const void *caller = DDI_CALLER;
	struct qpair *qp;

	if ((qp = qp_check(q, DDI_FUNC, caller)) == NULL)
		return;
	pthread_mutex_lock(&qp->str->mtx);
	if (qp->str->frozen_by != kctx_self()) {
		pthread_mutex_unlock(&qp->str->mtx);
		verify_report(DDI_FUNC, caller, "the stream of queue %p is not "
		    "frozen by the caller", (void *)q);
		return;
	}
	qp->str->frozen_by = NULL;
	pthread_cond_broadcast(&qp->str->cv);
	pthread_mutex_unlock(&qp->str->mtx);
	(void)splx(pl);
}

bool
str_perim_enter(const struct qpair *qp)
{
	struct kctx *self;
	struct vwait w;

	if (qp->devflag & D_MP)
		return false;
	self = kctx_self();
	pthread_mutex_lock(&perim_lock);
	if (perim_owner != self) {
		vwait_start(&w, VWAIT_KEEP, qp->name, NULL);
		while (perim_owner != NULL)
			(void)vwait_cond(&w, &perim_cv, &perim_lock, "waiting "
			    "to run %s, a driver or module without D_MP, "
			    "while another context runs one", qp->name);
		perim_owner = self;
	}
	perim_depth++;
	pthread_mutex_unlock(&perim_lock);
	return true;
}

void
str_perim_leave(bool entered)
{
	if (!entered)
		return;
	pthread_mutex_lock(&perim_lock);
	if (--perim_depth == 0) {
		perim_owner = NULL;
		pthread_cond_broadcast(&perim_cv);
	}
	pthread_mutex_unlock(&perim_lock);
}

queue_t *
str_next_on(queue_t *q)
{
	queue_t *n = q->q_next;

	while (n != NULL && (n->q_flag & QPROCSOFF) && n->q_next != NULL)
		n = n->q_next;
	return n;
}

static void
stat_add(long_t *cnt)
{
	__atomic_fetch_add(cnt, 1, __ATOMIC_RELAXED);
}

void
str_call_put(queue_t *q, mblk_t *mp, const char *func, const void *caller)
{
	struct qpair *qp = QP(q);
	struct module_stat *ms;
	bool in, closed;

	str_lock(qp->str, func, caller);
	if ((q->q_flag & QPROCSOFF) && q->q_next != NULL)
		q = str_next_on(q);
	closed = qp->str->closed;
	if (closed || (q->q_flag & QPROCSOFF)) {
		str_unlock(qp->str);
		verify_report(func, caller, "queue %p (%s) %s; message %p "
		    "freed", (void *)q, QP(q)->name, closed ?
		    "belongs to a closed stream" : "has its procedures off",
		    (void *)mp);
		str_free_chain(mp);
		return;
	}
	str_unlock(qp->str);
	qp = QP(q);
	if ((ms = q->q_qinfo->qi_mstat) != NULL)
		stat_add(&ms->ms_pcnt);
	in = str_perim_enter(qp);
	((int (*)(queue_t *, mblk_t *))q->q_qinfo->qi_putp)(q, mp);
	str_perim_leave(in);
}

bool
str_enable_locked(queue_t *q)
{
	if (q->q_qinfo->qi_srvp == NULL || (q->q_flag & (QENAB | QPROCSOFF)))
		return false;
	pthread_mutex_lock(&run_lock);
	q->q_flag |= QENAB;
	q->q_link = NULL;
	if (run_last != NULL)
		run_last->q_link = q;
	else
		run_first = q;
	run_last = q;
	pthread_mutex_unlock(&run_lock);
	return true;
}

/* Unlink q from the run list (run_lock held); whether it was there. */
static bool
run_remove(queue_t *q)
{
	queue_t **pp, *prev = NULL;

	for (pp = &run_first; *pp != NULL; prev = *pp, pp = &(*pp)->q_link)
		if (*pp == q) {
			*pp = q->q_link;
			if (run_last == q)
				run_last = prev;
			q->q_link = NULL;
			return true;
		}
	return false;
}

void
str_disable_wait(queue_t *q)
{
	struct qpair *qp = QP(q);
	struct __ddi_stream *s = qp->str;
	struct kctx *self = kctx_self();
	int side = (q->q_flag & QREADR) ? 0 : 1;
	struct vwait w;
	bool waited = false;

	pthread_mutex_lock(&s->mtx);
	pthread_mutex_lock(&run_lock);
	if (qp->svc_runner[side] == NULL && run_remove(q))
		q->q_flag &= ~(ulong_t)QENAB;
	for (;;) {
		struct kctx *r = qp->svc_runner[side];

		if (r == NULL || r == self)
			break;
		pthread_mutex_unlock(&run_lock);
		if (!waited) {
			vwait_start(&w, VWAIT_KEEP, "qprocsoff", NULL);
			waited = true;
		}
		(void)vwait_cond(&w, &s->cv, &s->mtx, "the service procedure "
		    "of %s is still running in another context", qp->name);
		pthread_mutex_lock(&run_lock);
		if (qp->svc_runner[side] == NULL && run_remove(q))
			q->q_flag &= ~(ulong_t)QENAB;
	}
	pthread_mutex_unlock(&run_lock);
	pthread_mutex_unlock(&s->mtx);
}

/* Claim the first queue on the run list nobody runs and not bounded. */
static queue_t *
run_claim(uint64_t gen)
{
	queue_t *q;

	pthread_mutex_lock(&run_lock);
	for (q = run_first; q != NULL; q = q->q_link) {
		struct qpair *qp = QP(q);
		int side = (q->q_flag & QREADR) ? 0 : 1;

		if (qp->svc_runner[side] != NULL)
			continue;
		if (qp->svc_gen[side] != gen) {
			qp->svc_gen[side] = gen;
			qp->svc_calls[side] = 0;
		}
		if (qp->svc_calls[side] >= STR_SVC_BOUND)
			continue;
		qp->svc_calls[side]++;
		qp->svc_runner[side] = kctx_self();
		break;
	}
	pthread_mutex_unlock(&run_lock);
	return q;
}

unsigned
str_run_queues(void)
{
	unsigned n = 0;
	uint64_t gen;
	queue_t *q;

	pthread_mutex_lock(&run_lock);
	gen = ++run_gen;
	pthread_mutex_unlock(&run_lock);
	while ((q = run_claim(gen)) != NULL) {
		struct qpair *qp = QP(q);
		struct __ddi_stream *s = qp->str;
		int side = (q->q_flag & QREADR) ? 0 : 1;
		struct module_stat *ms;
		bool in, bounded;

		pthread_mutex_lock(&s->mtx);
		pthread_mutex_lock(&run_lock);
		(void)run_remove(q);
		q->q_flag &= ~(ulong_t)(QENAB | QBACK);
		bounded = qp->svc_calls[side] == STR_SVC_BOUND;
		pthread_mutex_unlock(&run_lock);
		pthread_mutex_unlock(&s->mtx);
		if ((ms = q->q_qinfo->qi_mstat) != NULL)
			stat_add(&ms->ms_scnt);
		in = str_perim_enter(qp);
		((int (*)(queue_t *))q->q_qinfo->qi_srvp)(q);
		str_perim_leave(in);
		n++;
		pthread_mutex_lock(&s->mtx);
		pthread_mutex_lock(&run_lock);
		qp->svc_runner[side] = NULL;
		if (bounded && !(q->q_flag & QENAB))
			bounded = false;
		pthread_mutex_unlock(&run_lock);
		pthread_cond_broadcast(&s->cv);
		pthread_mutex_unlock(&s->mtx);
		if (bounded)
			verify_report("ddisim_streams_run", NULL, "the service "
			    "procedure of %s (%s side) ran %u times in one run "
			    "and is enabled again: it never drains (%s); not "
			    "called again in this run", qp->name, side == 0 ?
			    "read" : "write", STR_SVC_BOUND, q->q_first != NULL ?
			    "messages stay on its queue" : "it enables itself");
	}
	return n;
}

unsigned
str_runq_pending(void)
{
	unsigned n = 0;
	queue_t *q;

	pthread_mutex_lock(&run_lock);
	for (q = run_first; q != NULL; q = q->q_link)
		n++;
	pthread_mutex_unlock(&run_lock);
	return n;
}

/*
 * qprocson and qprocsoff, on a read queue.  qprocsoff waits for a
 * service procedure of the pair running elsewhere, and takes the pair
 * off the run list.
 */
static struct qpair *
procs_check(queue_t *rq, const char *func, const void *caller)
{
	struct qpair *qp;

	if ((qp = qp_check(rq, func, caller)) == NULL)
		return NULL;
	if (!(rq->q_flag & QREADR)) {
		verify_report(func, caller, "queue %p (%s) is a write queue; "
		    "pass the read queue", (void *)rq, qp->name);
		return NULL;
	}
	pthread_mutex_lock(&qp->str->mtx);
	if (qp->str->frozen_by == kctx_self()) {
		pthread_mutex_unlock(&qp->str->mtx);
		verify_report(func, caller, "called with the stream frozen by "
		    "the caller");
		return NULL;
	}
	pthread_mutex_unlock(&qp->str->mtx);
	return qp;
}

void
str_procs(struct qpair *qp, bool on)
{
	if (!on) {
		str_disable_wait(&qp->q[0]);
		str_disable_wait(&qp->q[1]);
	}
	pthread_mutex_lock(&qp->str->mtx);
	for (int i = 0; i < 2; i++) {
		if (on)
			qp->q[i].q_flag &= ~(ulong_t)QPROCSOFF;
		else
			qp->q[i].q_flag |= QPROCSOFF;
	}
	/* A queue with messages and a service procedure runs them now. */
	if (on)
		for (int i = 0; i < 2; i++)
			if (qp->q[i].q_first != NULL)
				(void)str_enable_locked(&qp->q[i]);
	pthread_mutex_unlock(&qp->str->mtx);
}

DDI_ENTRY_VOID(qprocson, (queue_t *rq), (rq))
{
	struct qpair *qp;

	if ((qp = procs_check(rq, DDI_FUNC, DDI_CALLER)) != NULL)
		str_procs(qp, true);
}

DDI_ENTRY_VOID(qprocsoff, (queue_t *rq), (rq))
{
	struct qpair *qp;

	if ((qp = procs_check(rq, DDI_FUNC, DDI_CALLER)) != NULL)
		str_procs(qp, false);
}

size_t
str_queues_leak_report(FILE *f)
{
	struct __ddi_stream *s;
	size_t n = 0;

	pthread_mutex_lock(&streams_lock);
	LIST_FOREACH(s, &streams_all, all) {
		struct qpair *qp = TAILQ_LAST(&s->pairs, qpair_list), *x;
		bool mine = false;

		/* a driver's or module's stream: one of its pairs is */
		pthread_mutex_lock(&s->mtx);
		TAILQ_FOREACH(x, &s->pairs, link)
			if (x->tab != NULL && verify_leak_mine(x->tab))
				mine = true;
		pthread_mutex_unlock(&s->mtx);
		if (!mine && !verify_leak_mine(NULL))
			continue;
		n++;
		if (f != NULL)
			fprintf(f, "ddicompat: leak: a stream on %s was never "
			    "closed (ddisim_stream_close)\n", qp != NULL ?
			    qp->name : "(nothing)");
	}
	pthread_mutex_unlock(&streams_lock);
	return n;
}

bool
str_tab_in_use(const struct streamtab *tab)
{
	struct __ddi_stream *s;
	struct qpair *qp;
	bool used = false;

	pthread_mutex_lock(&streams_lock);
	LIST_FOREACH(s, &streams_all, all) {
		pthread_mutex_lock(&s->mtx);
		TAILQ_FOREACH(qp, &s->pairs, link)
			if (qp->tab == tab)
				used = true;
		pthread_mutex_unlock(&s->mtx);
		if (used)
			break;
	}
	pthread_mutex_unlock(&streams_lock);
	return used;
}

struct __ddi_stream *
str_stream_any(void)
{
	struct __ddi_stream *s;

	pthread_mutex_lock(&streams_lock);
	s = LIST_FIRST(&streams_all);
	pthread_mutex_unlock(&streams_lock);
	return s;
}

void
str_queues_fini(void)
{
	str_thread_stop();
	str_heads_drop();
	pthread_mutex_lock(&run_lock);
	run_first = run_last = NULL;
	run_gen = 0;
	pthread_mutex_unlock(&run_lock);
}

/*
 * The service thread (ddisim_streams_thread): runs the service whenever
 * something is due, so that a test need not call ddisim_streams_run.  It
 * looks every millisecond.  A forked child has no such thread: its state
 * says so, and the child starts one of its own when it asks.
 */
static FORK_MUTEX(thr_lock);
static pthread_t thr;
static bool thr_on;
static _Atomic bool thr_stop;

static void *
svc_thread(void *arg)
{
	const struct timespec ms = { 0, 1000000 };

	(void)arg;
	while (!atomic_load(&thr_stop))
		if (str_service_now() == 0)
			(void)nanosleep(&ms, NULL);
	return NULL;
}

/* In a forked child, thr_lock held: the thread stayed in the parent. */
static void
svc_thread_fork_child(void)
{
	thr_on = false;
	atomic_store(&thr_stop, false);
}

DDI_ENTRY(int, ddisim_streams_thread, (int on), (on))
{
	int err = 0;

	machine_fork_child_register(svc_thread_fork_child);
	pthread_mutex_lock(&thr_lock);
	if (on && !thr_on) {
		atomic_store(&thr_stop, false);
		if ((err = pthread_create(&thr, NULL, svc_thread, NULL)) == 0)
			thr_on = true;
	} else if (!on && thr_on) {
		atomic_store(&thr_stop, true);
		(void)pthread_join(thr, NULL);
		thr_on = false;
	}
	pthread_mutex_unlock(&thr_lock);
	return err;
}

void
str_thread_stop(void)
{
	pthread_mutex_lock(&thr_lock);
	if (thr_on) {
		atomic_store(&thr_stop, true);
		(void)pthread_join(thr, NULL);
		thr_on = false;
	}
	pthread_mutex_unlock(&thr_lock);
}
