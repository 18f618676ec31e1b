/*
 * pio.c - port I/O: inb(9) and friends, dispatched to the simulated
 * devices that claim port ranges (ddisim_port(3)).
 *
 * The 64 Ki ports map one to one onto a table of claims.  An access to a
 * port nobody claims is reported, and a read of one returns all ones, as
 * an undriven ISA bus does.
 *
 * No lock is held while a device's function runs.  A device's functions
 * raise interrupts whose handlers do port I/O in turn, on this thread or
 * another; holding the table's lock across them would order it against
 * every lock those handlers take.  Instead an access pins its claim: under
 * pio_lock (read) it finds the claim and counts itself in busy, drops the
 * lock, calls the device, and uncounts itself under pio_lock (read) again.
 * A release unlinks the claim under pio_lock (write), so that no new
 * access can find it, sleeps on pio_drain until the accesses of other
 * threads have left, and takes pio_lock (write) once more before the
 * free: that waits out an access still between its decrement and its
 * unlock, the last moment it touches the claim.
 *
 * The releasing thread's own accesses (a device that gives up its ports
 * from inside one of its own functions) cannot be waited for.  Each thread
 * keeps its accesses in progress on a list of frames on its stack; a
 * release does not wait for those, marks the claim an orphan, and the
 * outermost of them frees it on its way out.
 *
 * Lock order: pio_lock before pio_drain_lock; neither is held while a
 * device's function or verify_report runs.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/forklock.h"
#include "machine/entry.h"
#include "verify/verify.h"
#include "verify/wait.h"
#include "kern/kern.h"

#include "sys/ddi.h"

#define NPORTS		65536

struct ddisim_ports {
	int		base;		/* first port; constant */
	int		count;		/* ports claimed; constant */
	struct ddisim_port_ops ops;	/* constant */
	void		*arg;		/* constant */
	char		name[32];	/* constant */
	atomic_int	busy;		/* accesses in progress */
	atomic_bool	dying;		/* unlinked; a release waits */
	atomic_bool	orphan;		/* released inside its own access:
					   the last of those frees it */
};

/* One access in progress in this thread, on its stack. */
struct pio_frame {
	struct ddisim_ports	*d;
	const void		*caller;	/* the driver's code */
	struct pio_frame	*next;
};

static FORK_RWLOCK(pio_lock);
static struct ddisim_ports *pio_map[NPORTS];	/* under pio_lock */
static FORK_MUTEX(pio_drain_lock);
static pthread_cond_t pio_drain = PTHREAD_COND_INITIALIZER;
static _Thread_local struct pio_frame *pio_self; /* innermost access */

DDI_ENTRY(ddisim_ports_t *, ddisim_port_claim, (int base, int count,
    const struct ddisim_port_ops *ops, void *arg, const char *name), (base,
    count, ops, arg, name))
{
	struct ddisim_ports *d;
	int i;

	if (base < 0 || count <= 0 || base + count > NPORTS || ops == NULL ||
	    ops->in == NULL || ops->out == NULL) {
		verify_report(DDI_FUNC, DDI_CALLER, "bad claim: ports "
		    "%#x+%d, ops %p", base, count, (const void *)ops);
		return NULL;
	}
	if ((d = calloc(1, sizeof(*d))) == NULL)
		return NULL;
	d->base = base;
	d->count = count;
	d->ops = *ops;
	d->arg = arg;
	strncpy(d->name, name != NULL ? name : "device", sizeof(d->name) - 1);
	atomic_init(&d->busy, 0);
	atomic_init(&d->dying, false);
	atomic_init(&d->orphan, false);
	pthread_rwlock_wrlock(&pio_lock);
	for (i = base; i < base + count; i++)
		if (pio_map[i] != NULL)
			break;
	if (i < base + count) {
		struct ddisim_ports *o = pio_map[i];
		char oname[sizeof(o->name)];

		memcpy(oname, o->name, sizeof(oname));
		pthread_rwlock_unlock(&pio_lock);
		verify_report(DDI_FUNC, DDI_CALLER, "port %#x is already "
		    "claimed by %s", i, oname);
		free(d);
		return NULL;
	}
	for (i = base; i < base + count; i++)
		pio_map[i] = d;
	pthread_rwlock_unlock(&pio_lock);
	return d;
}

/* Wait out every access that is inside pio_pin or pio_unpin now. */
static void
pio_grace(void)
{
	pthread_rwlock_wrlock(&pio_lock);
	pthread_rwlock_unlock(&pio_lock);
}

/*
 * Wait until the only accesses to the unlinked claim d still in progress
 * are this thread's own, and return how many those are.  The store to
 * dying comes before the load of busy, and pio_unpin's decrement before
 * its load of dying, so either the waiter sees the access gone or the
 * access sees dying and wakes the waiter, under pio_drain_lock and so not
 * before the waiter sleeps.
 */
static int
pio_wait_idle(struct ddisim_ports *d, const void *caller)
{
	struct vwait w;
	int mine = 0;

	for (const struct pio_frame *f = pio_self; f != NULL; f = f->next)
		if (f->d == d)
			mine++;
	atomic_store(&d->dying, true);
	pthread_mutex_lock(&pio_drain_lock);
	vwait_start(&w, VWAIT_KEEP, "ddisim_port_release", caller);
	while (atomic_load(&d->busy) > mine)
		(void)vwait_cond(&w, &pio_drain, &pio_drain_lock, "%s: an "
		    "access in another thread has not returned", d->name);
	pthread_mutex_unlock(&pio_drain_lock);
	return mine;
}

DDI_ENTRY_VOID(ddisim_port_release, (ddisim_ports_t *d), (d))
{
	if (d == NULL)
		return;
	pthread_rwlock_wrlock(&pio_lock);
	for (int i = d->base; i < d->base + d->count; i++)
		if (pio_map[i] == d)
			pio_map[i] = NULL;
	pthread_rwlock_unlock(&pio_lock);
	if (pio_wait_idle(d, DDI_CALLER) > 0) {
		atomic_store(&d->orphan, true);	/* pio_unpin frees it */
		return;
	}
	pio_grace();
	free(d);
}

/*
 * Forget every claim: devices die with their machine.  No access may be
 * in progress (ddisim_shutdown runs with the driver quiet).
 */
void
pio_fini(void)
{
	pthread_rwlock_wrlock(&pio_lock);
	for (int i = 0; i < NPORTS; i++) {
		struct ddisim_ports *d = pio_map[i];

		if (d == NULL)
			continue;
		for (int j = d->base; j < d->base + d->count; j++)
			pio_map[j] = NULL;
		free(d);
	}
	pthread_rwlock_unlock(&pio_lock);
}

/*
 * Find the claim of port and pin it for an access by this thread, with
 * frame f on the caller's stack.  NULL (and a report) when the port is
 * outside the I/O space or nobody claims it; wv is the value of a write,
 * for the report, or NULL for a read.
 */
static struct ddisim_ports *
pio_pin(const char *func, const void *caller, int port, const uint32_t *wv,
    struct pio_frame *f)
{
	struct ddisim_ports *d = NULL;
	char what[40] = "";

	if (port >= 0 && port < NPORTS) {
		pthread_rwlock_rdlock(&pio_lock);
		if ((d = pio_map[port]) != NULL)
			atomic_fetch_add(&d->busy, 1);
		pthread_rwlock_unlock(&pio_lock);
	}
	if (d == NULL) {
		if (wv != NULL)
			(void)snprintf(what, sizeof(what), " (write of %#x "
			    "dropped)", *wv);
		verify_report(func, caller, port < 0 || port >= NPORTS ?
		    "port %#x is outside the I/O space%s" :
		    "no device claims port %#x%s", (unsigned)port, what);
		return NULL;
	}
	f->d = d;
	f->caller = caller;
	f->next = pio_self;
	pio_self = f;
	return d;
}

static void
pio_unpin(struct pio_frame *f)
{
	struct ddisim_ports *d = f->d;

	pio_self = f->next;
	pthread_rwlock_rdlock(&pio_lock);
	if (atomic_fetch_sub(&d->busy, 1) == 1 && atomic_load(&d->orphan)) {
		/* Released by this thread inside this very access. */
		pthread_rwlock_unlock(&pio_lock);
		pio_grace();
		free(d);
		return;
	}
	if (atomic_load(&d->dying)) {
		pthread_mutex_lock(&pio_drain_lock);
		pthread_cond_broadcast(&pio_drain);
		pthread_mutex_unlock(&pio_drain_lock);
	}
	pthread_rwlock_unlock(&pio_lock);
}

/* The code that made the innermost port access of this thread, or NULL. */
const void *
pio_caller(void)
{
	return pio_self != NULL ? pio_self->caller : NULL;
}

uint32_t
pio_in(const char *func, const void *caller, int port, int width)
{
	struct pio_frame f;
	struct ddisim_ports *d;
	uint32_t v;

	if ((d = pio_pin(func, caller, port, NULL, &f)) == NULL)
		return UINT32_MAX;
	v = d->ops.in(d->arg, port, width);
	pio_unpin(&f);
	return width == 4 ? v : v & ((UINT32_C(1) << (8 * width)) - 1);
}

void
pio_out(const char *func, const void *caller, int port, int width,
    uint32_t v)
{
	struct pio_frame f;
	struct ddisim_ports *d;

	if ((d = pio_pin(func, caller, port, &v, &f)) == NULL)
		return;
	d->ops.out(d->arg, port, width, v);
	pio_unpin(&f);
}

DDI_ENTRY(uchar_t, inb, (int port), (port))
{
	return (uchar_t)pio_in(DDI_FUNC, DDI_CALLER, port, 1);
}

DDI_ENTRY(ushort_t, inw, (int port), (port))
{
	return (ushort_t)pio_in(DDI_FUNC, DDI_CALLER, port, 2);
}

DDI_ENTRY(ulong_t, inl, (int port), (port))
{
	return pio_in(DDI_FUNC, DDI_CALLER, port, 4);
}

DDI_ENTRY_VOID(outb, (int port, uchar_t v), (port, v))
{
	pio_out(DDI_FUNC, DDI_CALLER, port, 1, v);
}

DDI_ENTRY_VOID(outw, (int port, ushort_t v), (port, v))
{
	pio_out(DDI_FUNC, DDI_CALLER, port, 2, v);
}

DDI_ENTRY_VOID(outl, (int port, ulong_t v), (port, v))
{
	pio_out(DDI_FUNC, DDI_CALLER, port, 4, v);
}

static bool
rep_ok(const char *func, const void *caller, const void *addr, int cnt)
{
	if (cnt < 0 || (cnt > 0 && addr == NULL)) {
		verify_report(func, caller, "bad buffer %p or count %d", addr,
		    cnt);
		return false;
	}
	return true;
}

DDI_ENTRY_VOID(repinsb, (int port, uchar_t *addr, int cnt), (port, addr, cnt))
{
	if (rep_ok(DDI_FUNC, DDI_CALLER, addr, cnt))
		for (int i = 0; i < cnt; i++)
			addr[i] = (uchar_t)pio_in(DDI_FUNC, DDI_CALLER, port,
			    1);
}

DDI_ENTRY_VOID(repinsw, (int port, ushort_t *addr, int cnt), (port, addr, cnt))
{
	if (rep_ok(DDI_FUNC, DDI_CALLER, addr, cnt))
		for (int i = 0; i < cnt; i++)
			addr[i] = (ushort_t)pio_in(DDI_FUNC, DDI_CALLER, port,
			    2);
}

DDI_ENTRY_VOID(repinsd, (int port, ulong_t *addr, int cnt), (port, addr, cnt))
{
	if (rep_ok(DDI_FUNC, DDI_CALLER, addr, cnt))
		for (int i = 0; i < cnt; i++)
			addr[i] = pio_in(DDI_FUNC, DDI_CALLER, port, 4);
}

DDI_ENTRY_VOID(repoutsb, (int port, uchar_t *addr, int cnt), (port, addr, cnt))
{
	if (rep_ok(DDI_FUNC, DDI_CALLER, addr, cnt))
		for (int i = 0; i < cnt; i++)
			pio_out(DDI_FUNC, DDI_CALLER, port, 1, addr[i]);
}

DDI_ENTRY_VOID(repoutsw, (int port, ushort_t *addr, int cnt), (port, addr, cnt))
{
	if (rep_ok(DDI_FUNC, DDI_CALLER, addr, cnt))
		for (int i = 0; i < cnt; i++)
			pio_out(DDI_FUNC, DDI_CALLER, port, 2, addr[i]);
}

DDI_ENTRY_VOID(repoutsd, (int port, ulong_t *addr, int cnt), (port, addr, cnt))
{
	if (rep_ok(DDI_FUNC, DDI_CALLER, addr, cnt))
		for (int i = 0; i < cnt; i++)
			pio_out(DDI_FUNC, DDI_CALLER, port, 4, addr[i]);
}
