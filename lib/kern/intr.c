/*
 * intr.c - the simulated interrupt controller: lines, attached handlers,
 * raising and delivery (cm_intr_attach(9), ddisim_intr(3)).
 *
 * A line is edge-triggered and latched, as on the PIC: raising it while
 * it is already pending does not queue a second delivery.  All handlers
 * on a line run at the line's level on the line's CPU; DDI 8 handlers are
 * all called and say whether their device interrupted.
 *
 * Locking: intr_lock (read) is held while handlers run, so
 * cm_intr_detach (write) returns only once no handler of the line is
 * running and the driver may free the handler's data.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/queue.h>

#include "util/forklock.h"
#include "verify/verify.h"
#include "machine/entry.h"
#include "machine/machine.h"
#include "kern/ctx.h"
#include "kern/kern.h"

#include "sys/conf.h"
#include "sys/ddi.h"
#include "exports.h"

#define KEY_MARK	0x01000000u

struct ddisim_intr {
	LIST_ENTRY(ddisim_intr) link;	/* intr_line.atts */
	struct intr_line *line;
	int		(*ddi8)(void *);	/* DDI 8 handler, or */
	void		(*old)(int);	/* a vector-taking one */
	void		*idata;
	bool		mp;
};

struct intr_line {
	struct kpend	pend;		/* pl and cpu live here */
	int		irq;
	int		natt;
	bool		mp;		/* every handler is D_MP */
	LIST_HEAD(, ddisim_intr) atts;
	_Atomic unsigned long delivered;
	_Atomic unsigned long unclaimed; /* DDI 8 handlers all said NONE */
};

static FORK_RWLOCK(intr_lock);
static struct intr_line lines[DDISIM_NIRQ];
static pthread_once_t intr_once = PTHREAD_ONCE_INIT;

static void intr_run(struct kpend *);

static void
intr_setup(void)
{
	for (int i = 0; i < DDISIM_NIRQ; i++) {
		lines[i].irq = i;
		lines[i].pend.run = intr_run;
		lines[i].pend.device = true;
		lines[i].pend.cpu = 0;
		LIST_INIT(&lines[i].atts);
	}
}

static void
intr_run(struct kpend *p)
{
	struct intr_line *l = (struct intr_line *)((char *)p -
	    offsetof(struct intr_line, pend));
	struct ddisim_intr *a;
	bool claimed = false, any8 = false;

	atomic_fetch_add(&l->delivered, 1);
	pthread_rwlock_rdlock(&intr_lock);
	LIST_FOREACH(a, &l->atts, link) {
		if (a->ddi8 != NULL) {
			any8 = true;
			if (a->ddi8(a->idata) != ISTAT_NONE)
				claimed = true;
		} else {
			a->old(l->irq);
		}
	}
	pthread_rwlock_unlock(&intr_lock);
	if (any8 && !claimed)
		atomic_fetch_add(&l->unclaimed, 1);
}

static bool
irq_ok(const char *func, const void *caller, int irq)
{
	if (irq < 0 || irq >= DDISIM_NIRQ) {
		verify_report(func, caller, "interrupt line %d is outside "
		    "0..%d", irq, DDISIM_NIRQ - 1);
		return false;
	}
	pthread_once(&intr_once, intr_setup);
	return true;
}

/* Attach a handler; NULL on a reported error. */
static struct ddisim_intr *
intr_attach(const char *func, const void *caller, int irq, pl_t pl,
    struct ddisim_intr *tmpl)
{
	struct intr_line *l;
	struct ddisim_intr *a;

	if (!irq_ok(func, caller, irq))
		return NULL;
	if (pl <= PLBASE || !pl_valid(pl)) {
		verify_report(func, caller, "level %u is not an interrupt "
		    "level (PLBASE < pl <= PLHI)", pl);
		return NULL;
	}
	if (kctx_self()->intr > 0) {
		verify_report(func, caller, "called from interrupt context");
		return NULL;
	}
	if ((a = malloc(sizeof(*a))) == NULL)
		return NULL;
	*a = *tmpl;
	l = &lines[irq];
	pthread_rwlock_wrlock(&intr_lock);
	if (l->natt > 0 && l->pend.pl != pl) {
		pthread_rwlock_unlock(&intr_lock);
		verify_report(func, caller, "line %d is shared at level %u; "
		    "cannot attach at %u", irq, l->pend.pl, pl);
		free(a);
		return NULL;
	}
	a->line = l;
	l->mp = l->natt == 0 ? a->mp : l->mp && a->mp;
	l->pend.pl = pl;
	l->natt++;
	LIST_INSERT_HEAD(&l->atts, a, link);
	pthread_rwlock_unlock(&intr_lock);
	return a;
}

static void
intr_detach(const char *func, const void *caller, struct ddisim_intr *a)
{
	struct ddisim_intr *a2;
	struct intr_line *l;

	if (a == NULL) {
		verify_report(func, caller, "NULL cookie");
		return;
	}
	if (kctx_self()->intr > 0) {
		verify_report(func, caller, "called from interrupt context");
		return;
	}
	l = a->line;
	pthread_rwlock_wrlock(&intr_lock);
	LIST_REMOVE(a, link);
	if (--l->natt == 0) {
		(void)kctx_unpost(&l->pend);
		l->pend.pl = PLBASE;
	}
	l->mp = true;
	LIST_FOREACH(a2, &l->atts, link)
		l->mp = l->mp && a2->mp;
	pthread_rwlock_unlock(&intr_lock);
	free(a);
}

DDI_ENTRY(unsigned, ddisim_intr_key, (int irq, unsigned pl), (irq, pl))
{
	if (!irq_ok(DDI_FUNC, DDI_CALLER, irq))
		return 0;
	if (pl <= PLBASE || !pl_valid(pl)) {
		verify_report(DDI_FUNC, DDI_CALLER, "level %u is not an "
		    "interrupt level", pl);
		return 0;
	}
	return KEY_MARK | (unsigned)irq << 8 | pl;
}

static intr_key_fn intr_key_fn_;

void
intr_key_resolver(intr_key_fn fn)
{
	__atomic_store_n(&intr_key_fn_, fn, __ATOMIC_RELEASE);
}

static bool
key_decode(const char *func, const void *caller, rm_key_t key, int *irq,
    pl_t *pl)
{
	intr_key_fn fn = __atomic_load_n(&intr_key_fn_, __ATOMIC_ACQUIRE);
	unsigned rpl;

	if ((key & 0xff000000u) != KEY_MARK && fn != NULL &&
	    fn(key, irq, &rpl)) {
		if (*irq < 0 || *irq >= DDISIM_NIRQ || rpl <= PLBASE ||
		    !pl_valid(rpl)) {
			verify_report(func, caller, "key %u: CM_IRQ %d or "
			    "CM_IPL %u is not an interrupt", key, *irq, rpl);
			return false;
		}
		*pl = rpl;
		return true;
	}
	if ((key & 0xff000000u) != KEY_MARK ||
	    ((key >> 8) & 0xffff) >= DDISIM_NIRQ) {
		verify_report(func, caller, "key %#x has no interrupt "
		    "(no CM_IRQ and CM_IPL)", key);
		return false;
	}
	*irq = (int)((key >> 8) & 0xffff);
	*pl = key & 0xff;
	return true;
}

DDI_ENTRY(int, cm_intr_attach, (rm_key_t key, int (*handler)(void *),
    void *idata, struct drvinfo *info, void **cookiep), (key, handler, idata,
    info, cookiep))
{
	const void *caller = DDI_CALLER;
	struct ddisim_intr tmpl = { .ddi8 = handler, .idata = idata };
	struct ddisim_intr *a;
	int irq;
	pl_t pl;

	if (handler == NULL || info == NULL) {
		verify_report(DDI_FUNC, caller, "NULL %s", handler == NULL ?
		    "handler" : "drvinfo");
		return 0;
	}
	if (!key_decode(DDI_FUNC, caller, key, &irq, &pl))
		return 0;
	tmpl.mp = (info->drv_flags & D_MP) != 0;
	if ((a = intr_attach(DDI_FUNC, caller, irq, pl, &tmpl)) == NULL)
		return 0;
	if (cookiep != NULL)
		*cookiep = a;
	return 1;
}

DDI_ENTRY(int, _Compat_cm_intr_attach5, (rm_key_t key, void (*handler)(int),
    int *devflagp, void **cookiep), (key, handler, devflagp, cookiep))
{
	const void *caller = DDI_CALLER;
	struct ddisim_intr tmpl = { .old = handler };
	struct ddisim_intr *a;
	int irq;
	pl_t pl;

	if (handler == NULL) {
		verify_report("cm_intr_attach", caller, "NULL handler");
		return 0;
	}
	if (!key_decode("cm_intr_attach", caller, key, &irq, &pl))
		return 0;
	tmpl.mp = devflagp != NULL && (*devflagp & D_MP) != 0;
	a = intr_attach("cm_intr_attach", caller, irq, pl, &tmpl);
	if (a == NULL)
		return 0;
	if (cookiep != NULL)
		*cookiep = a;
	return 1;
}

DDI_ENTRY_VOID(cm_intr_detach, (void *cookie), (cookie))
{
	intr_detach(DDI_FUNC, DDI_CALLER, cookie);
}

DDI_ENTRY(ddisim_intr_t *, ddisim_intr_register, (int irq, unsigned pl,
    void (*xxintr)(int)), (irq, pl, xxintr))
{
	struct ddisim_intr tmpl = { .old = xxintr };

	if (xxintr == NULL) {
		verify_report(DDI_FUNC, DDI_CALLER, "NULL handler");
		return NULL;
	}
	return intr_attach(DDI_FUNC, DDI_CALLER, irq, pl, &tmpl);
}

DDI_ENTRY_VOID(ddisim_intr_unregister, (ddisim_intr_t *a), (a))
{
	intr_detach(DDI_FUNC, DDI_CALLER, a);
}

/*
 * A line of a driver that is not multithreaded stays on CPU 0, where
 * UnixWare ran such drivers.
 */
DDI_ENTRY(int, ddisim_intr_bind, (int irq, int cpu), (irq, cpu))
{
	struct intr_line *l;
	int ncpu = machine != NULL ? machine->spec.cpus : 1;
	int error = 0;

	if (!irq_ok(DDI_FUNC, DDI_CALLER, irq))
		return EINVAL;
	if (cpu < 0 || cpu >= ncpu) {
		verify_report(DDI_FUNC, DDI_CALLER, "CPU %d is outside 0..%d",
		    cpu, ncpu - 1);
		return EINVAL;
	}
	/* Handlers run under intr_lock (read): waiting for it here hangs. */
	if (kctx_self()->intr > 0) {
		verify_report(DDI_FUNC, DDI_CALLER, "called from interrupt "
		    "context");
		return EDEADLK;
	}
	l = &lines[irq];
	pthread_rwlock_wrlock(&intr_lock);
	if (l->natt > 0 && !l->mp && cpu != 0)
		error = EPERM;
	else if (kctx_unpost(&l->pend)) {
		l->pend.cpu = cpu;
		kctx_post(&l->pend, false);
	} else {
		l->pend.cpu = cpu;
	}
	pthread_rwlock_unlock(&intr_lock);
	if (error != 0)
		verify_report(DDI_FUNC, DDI_CALLER, "line %d has a handler "
		    "that is not D_MP; it stays on CPU 0", irq);
	return error;
}

/*
 * Device side: assert the line.  Returns 1 if a handler ran before the
 * call returned, 0 if the delivery waits for the level to drop (or for
 * ddisim_intr_deliver in the deterministic mode), -1 if no handler is
 * attached (the interrupt is stray, and dropped).
 */
DDI_ENTRY(int, ddisim_intr_raise, (int irq), (irq))
{
	struct intr_line *l;
	unsigned long before = 0;
	int natt;

	if (!irq_ok(DDI_FUNC, DDI_CALLER, irq))
		return -1;
	l = &lines[irq];
	/*
	 * Held (read) across the post, so that ddisim_intr_bind cannot move
	 * the line to another CPU under it; handlers run here take it again
	 * for reading, which the lock allows.
	 */
	pthread_rwlock_rdlock(&intr_lock);
	if ((natt = l->natt) != 0) {
		before = atomic_load(&l->delivered);
		kctx_post(&l->pend, true);
	}
	pthread_rwlock_unlock(&intr_lock);
	if (natt == 0)
		return -1;
	return atomic_load(&l->delivered) != before;
}

DDI_ENTRY_VOID(ddisim_intr_set_deterministic, (int on), (on))
{
	atomic_store(&kctx_deterministic, on != 0);
}

DDI_ENTRY(unsigned, ddisim_intr_deliver, (int cpu), (cpu))
{
	int ncpu = machine != NULL ? machine->spec.cpus : 1;

	if (cpu < 0 || cpu >= ncpu) {
		verify_report(DDI_FUNC, DDI_CALLER, "CPU %d is outside 0..%d",
		    cpu, ncpu - 1);
		return 0;
	}
	return kctx_deliver(cpu, -1);
}

DDI_ENTRY(int, ddisim_intr_pending, (int irq), (irq))
{
	if (!irq_ok(DDI_FUNC, DDI_CALLER, irq))
		return 0;
	return kctx_is_posted(&lines[irq].pend);
}

DDI_ENTRY(unsigned long, ddisim_intr_count, (int irq), (irq))
{
	if (!irq_ok(DDI_FUNC, DDI_CALLER, irq))
		return 0;
	return atomic_load(&lines[irq].delivered);
}

void
intr_init(void)
{
	pthread_once(&intr_once, intr_setup);
}

/* A new machine starts with no handlers attached and nothing counted. */
void
intr_fini(void)
{
	struct ddisim_intr *a;

	pthread_once(&intr_once, intr_setup);
	pthread_rwlock_wrlock(&intr_lock);
	for (int i = 0; i < DDISIM_NIRQ; i++) {
		struct intr_line *l = &lines[i];

		while ((a = LIST_FIRST(&l->atts)) != NULL) {
			LIST_REMOVE(a, link);
			free(a);
		}
		(void)kctx_unpost(&l->pend);
		l->natt = 0;
		l->pend.pl = PLBASE;
		l->pend.cpu = 0;
		atomic_store(&l->delivered, 0);
		atomic_store(&l->unclaimed, 0);
	}
	pthread_rwlock_unlock(&intr_lock);
}
