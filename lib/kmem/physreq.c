/*
 * physreq.c - physreq_alloc, physreq_prep, physreq_free.
 *
 * physreq_prep validates the structure and points its private member at an
 * interned record of the prepped values.  Records are shared by every
 * physreq with the same values, live for the life of the process (a static
 * physreq may outlive a machine), and let later users detect a physreq that
 * was never prepped or was changed after prep.
 *
 * The private member says more than that, always somewhere the fast path
 * of a user (kmem_physreq_cons_fast) refuses, so that only the report
 * pays for telling them apart:
 *
 *   - a prep that failed points it at a record of why, and of the values
 *     it failed with: the report of the next use gives the reason, or says
 *     the physreq changed since;
 *   - physreq_free points it at preq_freed_mark before the memory goes
 *     back, and notes the address in a small table (freed memory may be
 *     poisoned or reused): a later use, prep or free of a physreq that is
 *     no live allocation any more is reported as freed.
 */
#include "config.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "util/forklock.h"
#include "kmem/kmem.h"
#include "kmem/kmem_fast.h"
#include "machine/entry.h"
#include "machine/machine.h"
#include "palloc/palloc.h"
#include "verify/verify.h"

#include "sys/kmem.h"

#define PREQ_HASH	512
static FORK_MUTEX(preq_lock);
struct preq_info kmem_preq_info[PREQ_INFOS];	/* preq_lock */
static unsigned preq_ninfo;
static uint16_t preq_hash[PREQ_HASH];	/* index + 1; 0 ends */

static unsigned
preq_hashof(const physreq_t *p)
{
	uint32_t h = p->phys_align * 2654435761u ^ p->phys_boundary * 40503u ^
	    (uint32_t)p->phys_dmasize << 16 ^ (uint32_t)p->phys_max_scgth << 8 ^
	    p->phys_flags;

	return (h ^ (h >> 15)) % PREQ_HASH;
}


static const struct preq_info *
preq_intern(const physreq_t *p)
{
	unsigned h = preq_hashof(p);
	struct preq_info *i = NULL;

	pthread_mutex_lock(&preq_lock);
	for (uint16_t k = preq_hash[h]; k != 0; k = kmem_preq_info[k - 1].next)
		if (preq_same(&kmem_preq_info[k - 1], p)) {
			i = &kmem_preq_info[k - 1];
			break;
		}
	if (i == NULL && preq_ninfo < PREQ_INFOS) {
		i = &kmem_preq_info[preq_ninfo++];
		i->align = p->phys_align;
		i->boundary = p->phys_boundary;
		i->dmasize = p->phys_dmasize;
		i->max_scgth = p->phys_max_scgth;
		i->flags = p->phys_flags;
		i->next = preq_hash[h];
		preq_hash[h] = (uint16_t)preq_ninfo;
	}
	pthread_mutex_unlock(&preq_lock);
	return i;
}

/*
 * Why the last physreq_prep of a physreq failed: its private member
 * points at one of these, interned by reason and values like the records
 * above.  When the table is full the reason alone is kept (known false).
 */
enum preq_why {
	PW_ALIGN = 1,		/* phys_align not a power of two */
	PW_BOUNDARY,		/* phys_boundary not one */
	PW_BELOW,		/* phys_boundary below the alignment */
	PW_DMASIZE,		/* phys_dmasize over 64 */
	PW_FLAGS,		/* an unknown phys_flags bit */
	PW_KMFLAGS,		/* flags neither KM_SLEEP nor KM_NOSLEEP */
	PW_FULL,		/* no room for another set of values */
	PW_RESV,		/* no private breakup page */
	PW_NWHY
};

struct preq_fail {
	struct preq_info v;		/* the values it failed with */
	int		kmflags;	/* PW_KMFLAGS: the flags */
	uint8_t		why;		/* enum preq_why */
	bool		known;		/* v and kmflags were recorded */
};

#define PREQ_FAILS	1024
static struct preq_fail preq_fail[PREQ_FAILS];		/* preq_lock */
static unsigned preq_nfail;
static struct preq_fail preq_fail_any[PW_NWHY];		/* reason only */

static const struct preq_fail *
preq_fail_intern(const physreq_t *p, enum preq_why why, int kmflags)
{
	struct preq_fail *f = NULL;

	pthread_mutex_lock(&preq_lock);
	for (unsigned k = 0; k < preq_nfail && f == NULL; k++)
		if (preq_fail[k].why == why && preq_fail[k].kmflags ==
		    kmflags && preq_same(&preq_fail[k].v, p))
			f = &preq_fail[k];
	if (f == NULL && preq_nfail < PREQ_FAILS) {
		f = &preq_fail[preq_nfail++];
		f->v.align = p->phys_align;
		f->v.boundary = p->phys_boundary;
		f->v.dmasize = p->phys_dmasize;
		f->v.max_scgth = p->phys_max_scgth;
		f->v.flags = p->phys_flags;
		f->kmflags = kmflags;
		f->why = (uint8_t)why;
		f->known = true;
	}
	if (f == NULL) {
		f = &preq_fail_any[why];
		f->why = (uint8_t)why;
	}
	pthread_mutex_unlock(&preq_lock);
	return f;
}

/* The failure record a private member points at, or NULL. */
static const struct preq_fail *
preq_fail_of(const void *poolp)
{
	const struct preq_fail *f = poolp;

	if (f >= &preq_fail[0] && f < &preq_fail[PREQ_FAILS])
		return f;
	if (f >= &preq_fail_any[0] && f < &preq_fail_any[PW_NWHY])
		return f;
	return NULL;
}

/* What a failure record says, for a report. */
static void
preq_why_say(const struct preq_fail *f, char *buf, size_t len)
{
	const struct preq_info *v = &f->v;

	switch (f->why) {
	case PW_ALIGN:
		snprintf(buf, len, "phys_align %#x is not a power of two",
		    v->align);
		break;
	case PW_BOUNDARY:
		snprintf(buf, len, "phys_boundary %#x is not a power of two",
		    v->boundary);
		break;
	case PW_BELOW:
		snprintf(buf, len, "phys_boundary %#x is below the alignment "
		    "%#x", v->boundary, v->align == 0 ? 1 : v->align);
		break;
	case PW_DMASIZE:
		snprintf(buf, len, "phys_dmasize %u is over 64", v->dmasize);
		break;
	case PW_FLAGS:
		snprintf(buf, len, "phys_flags %#x has a flag other than "
		    "PREQ_PHYSCONTIG", v->flags);
		break;
	case PW_KMFLAGS:
		snprintf(buf, len, "flags %#x are neither KM_SLEEP nor "
		    "KM_NOSLEEP", (unsigned)f->kmflags);
		break;
	case PW_FULL:
		snprintf(buf, len, "all %u sets of requirements ddicompat "
		    "keeps are taken", PREQ_INFOS);
		break;
	default:
		snprintf(buf, len, "no page below the device's reach (%u "
		    "bits) could be set aside for its breakup pool",
		    v->dmasize);
		break;
	}
	if (!f->known)		/* the values were not kept: drop them */
		snprintf(buf, len, "%s", f->why == PW_FULL ? "all sets of "
		    "requirements ddicompat keeps are taken" : f->why ==
		    PW_RESV ? "no page could be set aside for its breakup "
		    "pool" : f->why == PW_KMFLAGS ? "bad flags" : "a member "
		    "has a value this platform cannot support");
}

/*
 * Freed physreqs: physreq_free leaves this mark in the private member and
 * the address in a direct-mapped table (a collision forgets the older
 * one; the mark remains).  Either counts only while the address is no
 * live allocation: memory handed out again is someone else's.
 */
static const char preq_freed_mark;
#define PREQ_FREED_SLOTS	1024
static _Atomic uintptr_t preq_freed_tab[PREQ_FREED_SLOTS];

static _Atomic uintptr_t *
preq_freed_slot(const void *p)
{
	uint64_t h = (uint64_t)(uintptr_t)p * UINT64_C(0x9e3779b97f4a7c15);

	return &preq_freed_tab[h >> 54];
}

static bool
preq_freed(const physreq_t *p)
{
	if (kmem_live(p))
		return false;
	if (atomic_load_explicit(preq_freed_slot(p), memory_order_relaxed) ==
	    (uintptr_t)p)
		return true;
	/* the mark is only ever written in simulated RAM */
	return vm_in_dmap(p) &&
	    p->phys_brkup_poolp == (const void *)&preq_freed_mark;
}

/*
 * Breakup pools: one private page per (phys_dmasize, phys_max_scgth), set
 * aside by physreq_prep below the device's reach, shared by every physreq
 * that matches, never freed by physreq_free.  buf_breakup's copy path
 * falls back on it, one user at a time, when no bounce buffer can be had,
 * so that I/O makes progress when memory is short.  The pages are the
 * machine's, outside kmem's accounting, like its metadata.
 */
#define RESV_MAX	64

static struct resv {
	uint8_t		dmasize, max_scgth;
	uint64_t	pfn;
	bool		busy;
} resv[RESV_MAX];
static unsigned nresv;
static uint64_t resv_gen;		/* machine the table belongs to */
static FORK_MUTEX(resv_lock);
static pthread_cond_t resv_cv = PTHREAD_COND_INITIALIZER;
static _Atomic uint64_t resv_uses;

static struct resv *
resv_find_locked(uint8_t dmasize, uint8_t max_scgth)
{
	if (resv_gen != machine->generation) {
		nresv = 0;		/* a new machine: its own pages */
		resv_gen = machine->generation;
	}
	for (unsigned i = 0; i < nresv; i++)
		if (resv[i].dmasize == dmasize && resv[i].max_scgth ==
		    max_scgth)
			return &resv[i];
	return NULL;
}

/* Set aside the pool's page if it has none; false if none can be had. */
static bool
resv_prep(const physreq_t *p)
{
	struct palloc_req r = { .npages = 1, .low = 1, .align = 1,
	    .node = -1, .zone_min = 0 };
	uint64_t high = p->phys_dmasize == 0 || p->phys_dmasize >= 64 ?
	    UINT64_MAX : UINT64_C(1) << p->phys_dmasize;
	bool ok = true;

	r.high = high >> machine->pshift;
	if (r.high > machine->npfn || high == UINT64_MAX)
		r.high = machine->npfn;
	pthread_mutex_lock(&resv_lock);
	if (resv_find_locked(p->phys_dmasize, p->phys_max_scgth) == NULL) {
		if (nresv == RESV_MAX) {
			ok = true;	/* the table is full: no pool, no page */
		} else if (palloc_alloc(&r, &resv[nresv].pfn) != 0) {
			ok = false;
		} else {
			resv[nresv].dmasize = p->phys_dmasize;
			resv[nresv].max_scgth = p->phys_max_scgth;
			resv[nresv].busy = false;
			nresv++;
		}
	}
	pthread_mutex_unlock(&resv_lock);
	return ok;
}

/*
 * The private page of p's pool, waited for while another user has it:
 * its direct-map address, or NULL when the pool has none.
 */
void *
physreq_resv_take(const physreq_t *p)
{
	struct resv *v;
	void *va = NULL;

	pthread_mutex_lock(&resv_lock);
	if ((v = resv_find_locked(p->phys_dmasize, p->phys_max_scgth)) !=
	    NULL) {
		while (v->busy)
			pthread_cond_wait(&resv_cv, &resv_lock);
		v->busy = true;
		va = machine->dmap + (v->pfn << machine->pshift);
		atomic_fetch_add(&resv_uses, 1);
	}
	pthread_mutex_unlock(&resv_lock);
	return va;
}

void
physreq_resv_give(const physreq_t *p)
{
	struct resv *v;

	pthread_mutex_lock(&resv_lock);
	if ((v = resv_find_locked(p->phys_dmasize, p->phys_max_scgth)) !=
	    NULL)
		v->busy = false;
	pthread_cond_broadcast(&resv_cv);
	pthread_mutex_unlock(&resv_lock);
}

uint64_t
physreq_resv_uses(void)
{
	return atomic_load(&resv_uses);
}

/* Called by kmem_init, under the machine's init lock. */
void
physreq_init(void)
{
	/* the last machine's addresses mean nothing to this one */
	for (unsigned i = 0; i < PREQ_FREED_SLOTS; i++)
		atomic_store_explicit(&preq_freed_tab[i], 0,
		    memory_order_relaxed);
}

static bool
is_p2(uint64_t x)
{
	return x != 0 && (x & (x - 1)) == 0;
}

DDI_ENTRY(physreq_t *, physreq_alloc, (int flags), (flags))
{
	static const struct kcons c = { .high = UINT64_MAX, .align = 8 };
	physreq_t *p;

	if (!kmem_flags_ok(flags, KM_NOSLEEP, DDI_FUNC, DDI_CALLER))
		return NULL;
	p = kmem_alloc_cons(sizeof(*p), &c, flags, KA_ZERO, KK_PHYSREQ_T,
	    DDI_FUNC, DDI_CALLER);
	if (p != NULL)
		p->phys_align = 1;
	return p;
}

/*
 * The mark goes in only when the free will take place, a physreq-sized
 * allocation starting at p, so that a pointer physreq_free refuses keeps
 * its state.
 */
DDI_ENTRY_VOID(physreq_free, (physreq_t *p), (p))
{
	bool ours;

	if (p == NULL) {
		verify_report(DDI_FUNC, DDI_CALLER, "NULL physreq");
		return;
	}
	if (preq_freed(p)) {
		verify_report(DDI_FUNC, DDI_CALLER, "physreq %p was freed "
		    "already (physreq_free called twice)", (void *)p);
		return;
	}
	if ((ours = kmem_live_size(p) == sizeof(*p)))
		p->phys_brkup_poolp = (void *)(uintptr_t)&preq_freed_mark;
	kmem_free_checked(p, sizeof(*p), KK_PHYSREQ_T, DDI_FUNC, DDI_CALLER);
	if (ours)
		atomic_store_explicit(preq_freed_slot(p), (uintptr_t)p,
		    memory_order_relaxed);
}

/* The first thing about p that this platform cannot support, or 0. */
static enum preq_why
preq_check(const physreq_t *p)
{
	/* A zero-filled static physreq means "no alignment". */
	paddr_t align = p->phys_align == 0 ? 1 : p->phys_align;

	if (!is_p2(align))
		return PW_ALIGN;
	if (p->phys_boundary != 0 && !is_p2(p->phys_boundary))
		return PW_BOUNDARY;
	if (p->phys_boundary != 0 && p->phys_boundary < align)
		return PW_BELOW;
	if (p->phys_dmasize > 64)
		return PW_DMASIZE;
	if ((p->phys_flags & ~PREQ_PHYSCONTIG) != 0)
		return PW_FLAGS;
	return 0;
}

/*
 * "physreq_prep: align 4096, boundary 0x800, dmasize 24, contiguous:
 * REASON", for ddisim_explain: the values the prep was given, in the
 * order of the structure, then why they cannot be supported.
 */
static void
preq_explain(const char *func, const physreq_t *p, const struct preq_fail *f)
{
	char head[160], why[160];
	size_t n;

	n = (size_t)snprintf(head, sizeof(head), "%s: align %u", func,
	    (unsigned)p->phys_align);
	if (p->phys_boundary != 0 && n < sizeof(head))
		n += (size_t)snprintf(head + n, sizeof(head) - n,
		    ", boundary %#x", (unsigned)p->phys_boundary);
	if (p->phys_dmasize != 0 && n < sizeof(head))
		n += (size_t)snprintf(head + n, sizeof(head) - n,
		    ", dmasize %u", (unsigned)p->phys_dmasize);
	if (p->phys_max_scgth != 0 && n < sizeof(head))
		n += (size_t)snprintf(head + n, sizeof(head) - n,
		    ", max_scgth %u", (unsigned)p->phys_max_scgth);
	if (p->phys_flags == PREQ_PHYSCONTIG && n < sizeof(head))
		snprintf(head + n, sizeof(head) - n, ", contiguous");
	else if (p->phys_flags != 0 && n < sizeof(head))
		snprintf(head + n, sizeof(head) - n, ", flags %#x",
		    (unsigned)p->phys_flags);
	preq_why_say(f, why, sizeof(why));
	kmem_explain_say("%s: %s", head, why);
}

/*
 * A prep that fails remembers why in the private member.  Failing is
 * physreq_prep's documented answer to values the platform cannot
 * support, which a driver may try in order to fall back, so under
 * verify=abort it is no report; under warn and count, where a report
 * costs the driver nothing, it is one.  Bad flags were reported already.
 */
static boolean_t
preq_prep_failed(const char *func, const void *caller, physreq_t *p,
    enum preq_why why, int kmflags)
{
	const struct preq_fail *f = preq_fail_intern(p, why, kmflags);
	char text[160];

	p->phys_brkup_poolp = (void *)(uintptr_t)f;
	if (unlikely(kmem_explain_mode != 0))
		preq_explain(func, p, f);
	if (why != PW_KMFLAGS && verify_policy() != DDISIM_VERIFY_ABORT) {
		preq_why_say(f, text, sizeof(text));
		verify_report(func, caller, "physreq %p cannot be prepped: %s",
		    (void *)p, text);
	}
	return B_FALSE;
}

/*
 * Returns B_FALSE for requirements this platform cannot support: an
 * alignment or boundary that is not a power of two, a boundary smaller than
 * the alignment, more than 64 address bits, unknown flags.
 */
DDI_ENTRY(boolean_t, physreq_prep, (physreq_t *p, int flags), (p, flags))
{
	const struct preq_info *i;
	enum preq_why why;

	if (p == NULL) {
		verify_report(DDI_FUNC, DDI_CALLER, "NULL physreq");
		return B_FALSE;
	}
	if (preq_freed(p)) {	/* its memory is not the caller's to write */
		verify_report(DDI_FUNC, DDI_CALLER, "physreq %p was freed by "
		    "physreq_free", (void *)p);
		return B_FALSE;
	}
	if (!kmem_flags_ok(flags, KM_NOSLEEP, DDI_FUNC, DDI_CALLER))
		return preq_prep_failed(DDI_FUNC, DDI_CALLER, p, PW_KMFLAGS,
		    flags);
	if ((why = preq_check(p)) != 0)
		return preq_prep_failed(DDI_FUNC, DDI_CALLER, p, why, 0);
	if ((i = preq_intern(p)) == NULL)
		return preq_prep_failed(DDI_FUNC, DDI_CALLER, p, PW_FULL, 0);
	/* a device that does DMA gets its breakup pool's private page */
	if (p->phys_dmasize != 0 && !resv_prep(p))
		return preq_prep_failed(DDI_FUNC, DDI_CALLER, p, PW_RESV, 0);
	p->phys_brkup_poolp = (void *)(uintptr_t)i;
	return B_TRUE;
}

/*
 * Report for func why p, whose private member points at no prepped
 * record, cannot be used: freed, its last prep failed, or never prepped.
 */
static void
preq_unusable_report(const void *vp, const char *func, const void *caller)
{
	const physreq_t *p = vp;
	const struct preq_fail *f;
	char text[160];

	if (preq_freed(p)) {
		verify_report(func, caller, "physreq %p was freed by "
		    "physreq_free", vp);
	} else if ((f = preq_fail_of(p->phys_brkup_poolp)) != NULL) {
		preq_why_say(f, text, sizeof(text));
		if (!f->known || preq_same(&f->v, p))
			verify_report(func, caller, "physreq %p: its last "
			    "physreq_prep failed (%s)", vp, text);
		else
			verify_report(func, caller, "physreq %p was changed "
			    "after its last physreq_prep, which failed (%s): "
			    "prep it again", vp, text);
	} else {
		verify_report(func, caller, "physreq %p was never prepped "
		    "(call physreq_prep after filling it in)", vp);
	}
}

/*
 * The constraint of a prepped physreq, as seen by a caller of the given
 * interface level: DDI <= 7.1 and ODDI callers never get memory at or
 * above 4 GiB.  Reports and fails for an unprepped or changed physreq.
 */
bool
kmem_physreq_cons(const void *vp, enum ddi_level level, struct kcons *c,
    const char *func, const void *caller)
{
	const physreq_t *p = vp;
	const struct preq_info *i;

	if (p == NULL) {
		verify_report(func, caller, "NULL physreq");
		return false;
	}
	i = p->phys_brkup_poolp;
	if (i < &kmem_preq_info[0] || i >= &kmem_preq_info[PREQ_INFOS]) {
		preq_unusable_report(p, func, caller);
		return false;
	}
	if (!preq_same(i, p)) {
		verify_report(func, caller, "physreq %p was changed after "
		    "physreq_prep (prep it again after every change)", vp);
		return false;
	}
	preq_cons(i, level, c);
	return true;
}

/* Whether p was freed by physreq_free; reported for func if so. */
bool
physreq_freed_report(const void *p, const char *func, const void *caller)
{
	if (p == NULL || !preq_freed(p))
		return false;
	verify_report(func, caller, "physreq %p was freed by physreq_free",
	    p);
	return true;
}
