/*
 * kmem_fast.h - the inline fast paths of kmem: a small object served from
 * the calling thread's magazine and freed back into it.  They handle only
 * the common case and answer "not mine" for everything else, which then
 * takes the full path in kmem.c (kmem_alloc_cons, kmem_free_checked), so
 * that every check and report stays in one place.  The state they read is
 * defined in kmem.c, physreq.c and arena.c.
 */
#ifndef DDICOMPAT_KMEM_FAST_H
#define DDICOMPAT_KMEM_FAST_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "kmem/arena.h"
#include "kmem/kmem.h"
#include "kmem/record.h"
#include "kmem/thread.h"
#include "machine/machine.h"
#include "palloc/palloc.h"
#include "verify/verify.h"
#include "vm/vm.h"

#include "sys/kmem.h"

/* Interned physreq constraints (physreq.c); phys_brkup_poolp points in. */
struct preq_info {
	paddr_t		align, boundary;
	uchar_t		dmasize, max_scgth, flags;
	uint16_t	next;		/* hash chain, index + 1 */
};
#define PREQ_INFOS	4096
extern DDI_HIDDEN struct preq_info kmem_preq_info[PREQ_INFOS];

/*
 * Whether physreq p still holds the values interned in i.  Both start
 * with the same eleven bytes (checked below), compared as a word and the
 * three bytes after it; the byte after those is padding in both.
 */
static inline bool
preq_same(const struct preq_info *i, const physreq_t *p)
{
	uint64_t a, b;
	uint32_t c, d;

	memcpy(&a, i, sizeof(a));
	memcpy(&b, p, sizeof(b));
	memcpy(&c, (const uint8_t *)i + 8, sizeof(c));
	memcpy(&d, (const uint8_t *)p + 8, sizeof(d));
	return a == b && ((c ^ d) & 0xffffffu) == 0;
}
_Static_assert(offsetof(struct preq_info, align) == 0 &&
    offsetof(struct preq_info, boundary) == 4 &&
    offsetof(struct preq_info, dmasize) == 8 &&
    offsetof(struct preq_info, max_scgth) == 9 &&
    offsetof(struct preq_info, flags) == 10 &&
    offsetof(struct preq_info, next) >= 12 &&
    offsetof(physreq_t, phys_align) == 0 &&
    offsetof(physreq_t, phys_boundary) == 4 &&
    offsetof(physreq_t, phys_dmasize) == 8 &&
    offsetof(physreq_t, phys_max_scgth) == 9 &&
    offsetof(physreq_t, phys_flags) == 10 &&
    offsetof(physreq_t, phys_brkup_poolp) >= 12,
    "preq_same compares struct preq_info and physreq_t as bytes");

/*
 * kmem_physreq_cons without its reports: false for anything that is not
 * a prepped, unchanged physreq, which the full function then reports.
 */
/*
 * The constraint of interned physreq i for a caller of the given level:
 * DDI <= 7.1 and ODDI callers never get memory at or above 4 GiB.
 */
static inline void
preq_cons(const struct preq_info *i, enum ddi_level level, struct kcons *c)
{
	c->high = i->dmasize == 0 || i->dmasize >= 64 ? UINT64_MAX :
	    UINT64_C(1) << i->dmasize;
	if (c->high > level_rules(level)->paddr_high)
		c->high = level_rules(level)->paddr_high;
	c->align = i->align == 0 ? 1 : i->align;
	c->boundary = i->boundary;
	c->contig = (i->flags & PREQ_PHYSCONTIG) != 0;
}

static inline __attribute__((always_inline)) bool
kmem_physreq_cons_fast(const physreq_t *p, enum ddi_level level,
    struct kcons *c)
{
	const struct preq_info *i;

	if (unlikely(p == NULL))
		return false;
	i = p->phys_brkup_poolp;
	if (unlikely(i < &kmem_preq_info[0] ||
	    i >= &kmem_preq_info[PREQ_INFOS] || !preq_same(i, p)))
		return false;
	preq_cons(i, level, c);
	return true;
}

void	kmem_count_register(void);
void	kmem_count_late(int64_t d);

/* For a thread whose count is registered. */
static inline void
kmem_out_add_registered(int64_t d)
{
	atomic_store_explicit(&kmem_thr.count.bytes, atomic_load_explicit(
	    &kmem_thr.count.bytes, memory_order_relaxed) + d,
	    memory_order_relaxed);
}

static inline void
kmem_out_add(int64_t d)
{
	if (unlikely(!kmem_thr.count.registered)) {
		if (kmem_thr.count.exited) {
			kmem_count_late(d);
			return;
		}
		kmem_count_register();
	}
	kmem_out_add_registered(d);
}


/* The machine audits lightly and injects no faults (kmem.c). */
extern DDI_HIDDEN bool kmem_fast_ok;


static inline void
kmem_pmemo_forget(void)
{
	kmem_thr.pmemo = (struct kmem_pmemo){ .info = NULL, .level = -1 };
}

/* Pop an object of size from magazine m, recorded as the caller's. */
static inline __attribute__((always_inline)) void *
kmem_mag_pop(struct arena_mag *m, size_t size, int how, const void *caller)
{
	unsigned cl = arena_mag_class[(size + 15) >> 4];
	void *p;

	if (unlikely(m->n[cl] == 0))
		return NULL;
	p = m->obj[cl][--m->n[cl]];
	/* a magazine holds objects, never NULL; each 16-aligned */
	if (p == NULL)
		__builtin_unreachable();
	atomic_store_explicit(shadow_slot8(p),
	    ((uint64_t)(uintptr_t)caller & SH_CALLER_MASK) | SH_ARENA |
	    (uint64_t)size << SH_SIZE_SHIFT, memory_order_relaxed);
	if (how & KA_ZERO)
		memset(p, 0, size);
	kmem_out_add_registered((int64_t)size);
	return p;
}

/*
 * kmem_alloc_fast through the physreq memo: NULL, with nothing done,
 * unless preq is the memo's, unchanged (the check kmem_physreq_cons
 * makes), asked at the memo's level from its CPU while its magazines
 * stand (the memo is forgotten when they go; a new machine changes
 * arena_gen_now), and the magazine has an object.
 */
static inline __attribute__((always_inline)) void *
kmem_alloc_memo(size_t size, const physreq_t *preq, int level, int flags,
    int how, const void *caller)
{
	const struct preq_info *i;

	if (unlikely(preq == NULL))
		return NULL;
	i = preq->phys_brkup_poolp;
	/* the level first: a memo that holds nothing has none */
	if (unlikely(i != kmem_thr.pmemo.info ||
	    level != kmem_thr.pmemo.level || !preq_same(i, preq) ||
	    kmem_thr.pmemo.cpu != machine_thread_cpu ||
	    kmem_thr.mag_gen != arena_gen_now() ||
	    size - 1 >= ARENA_MAG_MAX - 1 ||
	    ((flags & KM_NOSLEEP) == 0 && verify_ctx_raised)))
		return NULL;
	return kmem_mag_pop(kmem_thr.pmemo.mag, size, how, caller);
}

/*
 * A small object for constraint c from the magazine the thread used last
 * for the same window, or NULL when that takes more than a pop: then
 * nothing was done and nothing reported.  flags is the entry point's, and
 * caller goes into the shadow; *magp, if magp is given, is the magazine
 * that served.  The fast paths make no call but tail calls, so that they
 * save no registers: a context that may forbid blocking (KM_SLEEP must
 * then be checked and reported) and a thread whose count is not
 * registered yet take the full path.
 */
static inline __attribute__((always_inline)) void *
kmem_alloc_fast_mag(size_t size, const struct kcons *c, int flags, int how,
    const void *caller, struct arena_mag **magp)
{
	struct arena_mag *m;
	void *p;

	/* Arenas exist only where the machine's page is the host's. */
	if (unlikely(!kmem_fast_ok || size - 1 >= ARENA_MAG_MAX - 1 ||
	    c->boundary != 0 || c->align > 16))
		return NULL;
	/*
	 * The memo's CPU is one machine_cpu() returned, which it also stored:
	 * the raw thread-local value equals it exactly while it holds.
	 */
	if (unlikely(kmem_thr.amemo.gen != machine->generation ||
	    kmem_thr.amemo.high != c->high ||
	    kmem_thr.amemo.cpu != machine_thread_cpu))
		return NULL;
	if (unlikely(((flags & KM_NOSLEEP) == 0 && verify_ctx_raised) ||
	    !kmem_thr.count.registered))
		return NULL;
	if (unlikely((m = arena_mag_hit(kmem_thr.amemo.node,
	    kmem_thr.amemo.zone)) == NULL))
		return NULL;
	if ((p = kmem_mag_pop(m, size, how, caller)) != NULL && magp != NULL)
		*magp = m;
	return p;
}

static inline __attribute__((always_inline)) void *
kmem_alloc_fast(size_t size, const struct kcons *c, int flags, int how,
    const void *caller)
{
	return kmem_alloc_fast_mag(size, c, flags, how, caller, NULL);
}

/*
 * Free an arena object of exactly the size it was asked for into a
 * magazine of the arena that owns it that has room.  False (nothing done)
 * for anything else.  The caller then calls palloc_notify.
 */
static inline __attribute__((always_inline)) bool
kmem_free_fast(void *p, size_t size)
{
	struct arena_mag *m;
	unsigned cl, v;
	uint64_t e;

	if (unlikely(!kmem_fast_ok || !kmem_thr.count.registered ||
	    !vm_in_dmap8(p)))
		return false;
	e = atomic_load_explicit(shadow_slot8(p), memory_order_relaxed);
	if (unlikely(!(e & SH_ARENA) || (e >> SH_SIZE_SHIFT) != size ||
	    size > ARENA_MAG_MAX || (v = arena_owner_value(p)) == 0 ||
	    (m = arena_mag_hit_owner(v)) == NULL))
		return false;
	cl = arena_mag_class[(size + 15) >> 4];
	if (unlikely(m->n[cl] == arena_mag_cap[cl]))
		return false;
	atomic_store_explicit(shadow_slot8(p), 0, memory_order_relaxed);
	kmem_out_add_registered(-(int64_t)size);
	m->obj[cl][m->n[cl]++] = p;
	palloc_cached();
	return true;
}

/*
 * kmem_live_size with its common case inline: light audit, an entry in
 * the shadow.  The rest, records included, in kmem_live_size.
 */
static inline __attribute__((always_inline)) size_t
kmem_live_size_fast(const void *p)
{
	uint64_t e;

	if (likely(kmem_fast_ok && vm_in_dmap(p) && ((uintptr_t)p & 7) == 0 &&
	    (e = shadow_peek(p)) != 0))
		return (size_t)(e >> SH_SIZE_SHIFT);
	return kmem_live_size(p);
}

/* kmem_obj_alloc's and kmem_obj_free's route for a page or more (kmem.c). */
void	*kmem_obj_pages(size_t size, const struct kcons *c, int flags,
	    enum kmem_kind kind, const void *caller);
bool	 kmem_obj_pages_free(void *p, size_t size, enum kmem_kind kind);

/*
 * What other layers allocate their objects and buffers with (STREAMS
 * blocks, bufs): a magazine hit inline, a page or more from the page
 * caches, anything else through kmem_alloc_cons, which checks, reports
 * and waits as flags say.  kind is what kmem_free's checks and the leak
 * report call the memory.
 */
static inline __attribute__((always_inline)) void *
kmem_obj_alloc(size_t size, const struct kcons *c, int flags,
    enum kmem_kind kind, const char *func, const void *caller)
{
	void *p;

	if (likely((flags & ~KM_NOSLEEP) == 0)) {
		/* A page or more: a block from the per-CPU caches. */
		if (size >= ARENA_MAG_MAX) {
			if (likely((p = kmem_obj_pages(size, c, flags, kind,
			    caller)) != NULL))
				return p;
		} else if (likely((p = kmem_alloc_fast(size, c, flags, 0,
		    caller)) != NULL)) {
			return p;
		}
	}
	return kmem_alloc_cons(size, c, flags, 0, kind, func, caller);
}

/*
 * Its free: into a magazine, or through the checked path; either way the
 * page allocator's waiters hear of it.
 */
static inline __attribute__((always_inline)) void
kmem_obj_free(void *p, size_t size, enum kmem_kind kind, const char *func,
    const void *caller)
{
	if (size >= ARENA_MAG_MAX) {
		if (likely(kmem_obj_pages_free(p, size, kind)))
			return;
	} else if (likely(kmem_free_fast(p, size))) {
		palloc_notify();
		return;
	}
	kmem_free_checked(p, size, kind, func, caller);
}

#endif /* DDICOMPAT_KMEM_FAST_H */
