/*
 * kthread.c - DDI 8 kernel threads: kthread_spawn, kthread_exit and
 * kthread_wait.
 *
 * A kernel thread is a host thread that starts in a kernel context of
 * its own, at base level, holding no lock and running in no simulated
 * process, so that the lock, level and blocking checks apply to what it
 * does as to any other context.  It ends when its function returns or
 * calls kthread_exit; it must hold no lock and be back at base level
 * then.  A thread spawned with an identifier is joined by kthread_wait;
 * one spawned without is detached and forgotten when it ends.
 *
 * The records are host memory (not the machine's): a thread still
 * running when the machine shuts down keeps its record and frees it when
 * it ends.  kthread_leak_report lists the threads nobody waited for and
 * the detached ones still running.
 *
 * Locking: kt_lock guards the list and every record's state; kt_cv is
 * broadcast when a thread ends.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include "util/forklock.h"
#include "machine/entry.h"
#include "verify/verify.h"
#include "verify/wait.h"
#include "kern/ctx.h"
#include "kern/kern.h"

#include "sys/types.h"
#include "sys/ksynch.h"
#include "sys/ddi.h"

#define KT_LIVE		0x6b746872u	/* "kthr" */

struct __ddi_kthread {
	uint32_t	magic;
	pthread_t	tid;
	void		(*func)(void *);
	void		*arg;
	char		name[32];
	bool		joinable;	/* spawned with an identifier */
	bool		exited;
	bool		waiting;	/* kthread_wait is joining it */
	const void	*caller;	/* who spawned it */
	LIST_ENTRY(__ddi_kthread) link;	/* kts, under kt_lock */
};

static FORK_MUTEX(kt_lock);
static pthread_cond_t kt_cv = PTHREAD_COND_INITIALIZER;
static LIST_HEAD(, __ddi_kthread) kts = LIST_HEAD_INITIALIZER(kts);
static DDI_TLS struct __ddi_kthread *kt_self;

/* The thread's end, by return or kthread_exit: checks, then bookkeeping. */
static void
kt_end(struct __ddi_kthread *t, const char *func, const void *caller)
{
	struct kctx *k = kctx_self();
	bool forget;

	if (k->nheld > 0 || k->pl != PLBASE) {
		verify_report(func, caller, "kernel thread \"%s\" ends "
		    "holding %d lock%s at level %u; releasing them", t->name,
		    k->nheld, k->nheld == 1 ? "" : "s", (unsigned)k->pl);
		while (k->nheld > 0) {
			kern_held_release(&k->held[k->nheld - 1]);
			kctx_pop_held(k, k->nheld - 1);
		}
		(void)kctx_setpl(PLBASE);
	}
	pthread_mutex_lock(&kt_lock);
	t->exited = true;
	if ((forget = !t->joinable))
		LIST_REMOVE(t, link);
	pthread_cond_broadcast(&kt_cv);
	pthread_mutex_unlock(&kt_lock);
	kt_self = NULL;
	if (forget) {
		t->magic = 0;
		free(t);
	}
}

static void *
kt_main(void *arg)
{
	struct __ddi_kthread *t = arg;

	kt_self = t;
	(void)kctx_self();		/* a context of its own, at PLBASE */
	t->func(t->arg);
	kt_end(t, "kthread_spawn", (const void *)(uintptr_t)t->func);
	return NULL;
}

DDI_ENTRY(int, kthread_spawn, (void (*func)(void *), void *arg,
    const char *name, kthread_id_t *idp), (func, arg, name, idp))
{
	const void *caller = DDI_CALLER;
	struct __ddi_kthread *t;
	pthread_attr_t at;
	int e;

	if (func == NULL) {
		verify_report(DDI_FUNC, caller, "NULL function");
		return EINVAL;
	}
	if (!kctx_check_block(DDI_FUNC, caller, NULL, false))
		return EINVAL;
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return ENOMEM;
	t->magic = KT_LIVE;
	t->func = func;
	t->arg = arg;
	t->joinable = idp != NULL;
	t->caller = caller;
	if (name != NULL)
		strncpy(t->name, name, sizeof(t->name) - 1);
	pthread_attr_init(&at);
	if (!t->joinable)
		pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
	pthread_mutex_lock(&kt_lock);
	LIST_INSERT_HEAD(&kts, t, link);
	e = pthread_create(&t->tid, &at, kt_main, t);
	if (e != 0)
		LIST_REMOVE(t, link);
	else if (idp != NULL)
		*idp = t;
	pthread_mutex_unlock(&kt_lock);
	pthread_attr_destroy(&at);
	if (e != 0) {
		free(t);
		return EAGAIN;
	}
	return 0;
}

DDI_ENTRY0_VOID(kthread_exit)
{
	struct __ddi_kthread *t = kt_self;

	if (t == NULL) {
		verify_report(DDI_FUNC, DDI_CALLER, "the caller is not a "
		    "kernel thread from kthread_spawn");
		return;
	}
	kt_end(t, DDI_FUNC, DDI_CALLER);
	pthread_exit(NULL);
}

/* The live, joinable record id names, or NULL after a report. */
static struct __ddi_kthread *
kt_find_locked(kthread_id_t id, const char *func, const void *caller)
{
	struct __ddi_kthread *t;

	LIST_FOREACH(t, &kts, link)
		if (t == id)
			break;
	if (t == NULL)
		verify_report(func, caller, "%p is not a kernel thread from "
		    "kthread_spawn, or was already waited for", (void *)id);
	else if (t == kt_self)
		verify_report(func, caller, "kernel thread \"%s\" waits for "
		    "itself", t->name);
	else if (t->waiting)
		verify_report(func, caller, "kernel thread \"%s\" is already "
		    "being waited for", t->name);
	else
		return t;
	return NULL;
}

DDI_ENTRY(int, kthread_wait, (kthread_id_t id), (id))
{
	const void *caller = DDI_CALLER;
	struct __ddi_kthread *t;
	struct vwait w;

	if (!kctx_check_block(DDI_FUNC, caller, NULL, false))
		return EINVAL;
	pthread_mutex_lock(&kt_lock);
	if ((t = kt_find_locked(id, DDI_FUNC, caller)) == NULL) {
		pthread_mutex_unlock(&kt_lock);
		return EINVAL;
	}
	t->waiting = true;
	vwait_start(&w, VWAIT_KEEP, DDI_FUNC, caller);
	while (!t->exited)
		(void)vwait_cond(&w, &kt_cv, &kt_lock, "kernel thread \"%s\" "
		    "has not exited", t->name);
	LIST_REMOVE(t, link);
	pthread_mutex_unlock(&kt_lock);
	pthread_join(t->tid, NULL);
	t->magic = 0;
	free(t);
	return 0;
}

/*
 * The leak report's part: threads spawned with an identifier and never
 * waited for, and detached ones still running.
 */
size_t
kthread_leak_report(FILE *f)
{
	struct __ddi_kthread *t;
	size_t n = 0;

	pthread_mutex_lock(&kt_lock);
	LIST_FOREACH(t, &kts, link) {
		if (t->waiting || !verify_leak_mine(t->caller))
			continue;
		if (f != NULL) {
			char who[128];

			verify_symbolize(t->caller, who, sizeof(who));
			fprintf(f, "ddicompat: leak: kernel thread \"%s\" %s, "
			    "%s, spawned by %s\n", t->name,
			    t->exited ? "exited" : "still running",
			    t->joinable ? "never waited for" : "detached",
			    who);
		}
		n++;
	}
	pthread_mutex_unlock(&kt_lock);
	if (n > 0 && f != NULL)
		fprintf(f, "ddicompat: %zu kernel thread%s not waited for at "
		    "shutdown\n", n, n == 1 ? "" : "s");
	return n;
}

/*
 * Shutdown, after the leak report: threads that ended are joined and
 * forgotten; running ones are detached, and free their records when
 * they end.
 */
void
kthread_fini(void)
{
	struct __ddi_kthread *t, *next;

	pthread_mutex_lock(&kt_lock);
	for (t = LIST_FIRST(&kts); t != NULL; t = next) {
		next = LIST_NEXT(t, link);
		if (t->waiting)
			continue;
		if (t->exited) {
			LIST_REMOVE(t, link);
			pthread_join(t->tid, NULL);
			t->magic = 0;
			free(t);
		} else if (t->joinable) {
			pthread_detach(t->tid);
			t->joinable = false;
		}
	}
	pthread_mutex_unlock(&kt_lock);
}
