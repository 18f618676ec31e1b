/*
 * api.c - the kmem_alloc family's public entry points, one per interface
 * version where the guarantees differ (see sys/kmem.h and ddicompat(7)).
 */
#include "config.h"

#include "kmem/kmem.h"
#include "kmem/kmem_fast.h"
#include "machine/entry.h"
#include "machine/machine.h"
#include "util/level.h"
#include "verify/verify.h"
#include "vm/vm.h"

#include "sys/kmem.h"
#include "exports.h"

#define KM_ODDI_NO_DMA	0x20	/* KM_NO_DMA, declared for ODDI only */

static __attribute__((noinline)) void *
kmem_plain_slow(size_t size, int flags, enum ddi_level level, int how,
    const char *func, const void *caller)
{
	const struct level_place *pl = &level_rules(level)->kmem;
	struct kcons c = { .high = pl->high, .align = pl->align,
	    .contig = pl->contig };

	if (!kmem_flags_ok(flags, KM_NOSLEEP, func, caller))
		return NULL;
	return kmem_alloc_cons(size, &c, flags, how, KK_KMEM, func, caller);
}

/* As kmem_physreq: a magazine hit inline, the rest out of line. */
static inline __attribute__((always_inline)) void *
kmem_plain(size_t size, int flags, enum ddi_level level, int how,
    const char *func, const void *caller)
{
	const struct level_place *pl = &level_rules(level)->kmem;
	struct kcons c = { .high = pl->high, .align = pl->align,
	    .contig = pl->contig };
	void *p;

	if (likely((flags & ~KM_NOSLEEP) == 0) &&
	    likely((p = kmem_alloc_fast(size, &c, flags, how, caller)) !=
	    NULL))
		return p;
	return kmem_plain_slow(size, flags, level, how, func, caller);
}

/* DDI 7.2 and 8: no physical guarantee at all. */
DDI_ENTRY_HOT(void *, kmem_alloc, (size_t size, int flags), (size, flags))
{
	return kmem_plain(size, flags, LEVEL_DDI72_8, 0, DDI_FUNC, DDI_CALLER);
}

DDI_ENTRY_HOT(void *, kmem_zalloc, (size_t size, int flags), (size, flags))
{
	return kmem_plain(size, flags, LEVEL_DDI72_8, KA_ZERO, DDI_FUNC,
	    DDI_CALLER);
}

/* DDI 6 to 7.1: the paddr_t world, below 4 GiB. */
DDI_ENTRY_HOT(void *, _Compat_kmem_alloc7, (size_t size, int flags),
    (size, flags))
{
	return kmem_plain(size, flags, LEVEL_DDI6_71, 0, "kmem_alloc",
	    DDI_CALLER);
}

DDI_ENTRY_HOT(void *, _Compat_kmem_zalloc7, (size_t size, int flags),
    (size, flags))
{
	return kmem_plain(size, flags, LEVEL_DDI6_71, KA_ZERO, "kmem_zalloc",
	    DDI_CALLER);
}

/* DDI 5: DMA-able (below 16 MiB), contiguity not promised. */
DDI_ENTRY_HOT(void *, _Compat_kmem_alloc5, (size_t size, int flags),
    (size, flags))
{
	return kmem_plain(size, flags, LEVEL_DDI5, 0, "kmem_alloc", DDI_CALLER);
}

DDI_ENTRY_HOT(void *, _Compat_kmem_zalloc5, (size_t size, int flags),
    (size, flags))
{
	return kmem_plain(size, flags, LEVEL_DDI5, KA_ZERO, "kmem_zalloc",
	    DDI_CALLER);
}

/* DDI 1-4: DMA-able and physically contiguous. */
DDI_ENTRY_HOT(void *, _Compat_kmem_alloc4, (size_t size, int flags),
    (size, flags))
{
	return kmem_plain(size, flags, LEVEL_DDI1_4, 0, "kmem_alloc",
	    DDI_CALLER);
}

DDI_ENTRY_HOT(void *, _Compat_kmem_zalloc4, (size_t size, int flags),
    (size, flags))
{
	return kmem_plain(size, flags, LEVEL_DDI1_4, KA_ZERO, "kmem_zalloc",
	    DDI_CALLER);
}

/* ODDI: below 16 MiB unless KM_NO_DMA, then below 4 GiB. */
static void *
kmem_oddi(size_t size, int flags, int how, const char *func,
    const void *caller)
{
	if (!kmem_flags_ok(flags, KM_NOSLEEP | KM_ODDI_NO_DMA, func, caller))
		return NULL;
	/* KM_NO_DMA: anywhere its paddr_t reaches, as DDI 6 to 7.1 */
	return kmem_plain(size, flags & KM_NOSLEEP, (flags & KM_ODDI_NO_DMA) ?
	    LEVEL_DDI6_71 : LEVEL_ODDI, how, func, caller);
}

DDI_ENTRY(void *, _Compat_kmem_alloc_oddi, (size_t size, int flags),
    (size, flags))
{
	return kmem_oddi(size, flags, 0, "kmem_alloc", DDI_CALLER);
}

DDI_ENTRY(void *, _Compat_kmem_zalloc_oddi, (size_t size, int flags),
    (size, flags))
{
	return kmem_oddi(size, flags, KA_ZERO, "kmem_zalloc", DDI_CALLER);
}

DDI_ENTRY_HOT_VOID(kmem_free, (void *p, size_t size), (p, size))
{
	if (likely(kmem_free_fast(p, size))) {
		palloc_notify();
		return;
	}
	kmem_free_checked(p, size, KK_KMEM, DDI_FUNC, DDI_CALLER);
}

/*
 * What a physreq entry point asks besides size, physreq and flags, in one
 * word, so that the slow path takes six arguments, all in registers, and
 * the fast path reaches it with a jump: the interface level, the how
 * flags (KA_*), the kind and whether the memory must be contiguous.
 */
#define KP_MODE(level, how, kind, contig)				\
	((unsigned)(level) | (unsigned)(how) << 8 |			\
	    (unsigned)(kind) << 16 | ((contig) ? 1u : 0u) << 24)
#define KP_LEVEL(m)	((enum ddi_level)((m) & 0xff))
#define KP_HOW(m)	((int)(((m) >> 8) & 0xff))
#define KP_KIND(m)	((enum kmem_kind)(((m) >> 16) & 0xff))
#define KP_CONTIG(m)	(((m) >> 24) != 0)

/*
 * Everything but a hit of the physreq memo: a magazine hit found the
 * long way, which sets the memo; then the checks, their reports, every
 * path.
 */
static __attribute__((noinline)) void *
kmem_physreq_slow(size_t size, physreq_t *preq, int flags, unsigned mode,
    const char *func, const void *caller)
{
	enum ddi_level level = KP_LEVEL(mode);
	int how = KP_HOW(mode);
	struct arena_mag *m;
	struct kcons c;
	void *p;

	if (likely((flags & ~KM_NOSLEEP) == 0) &&
	    likely(kmem_physreq_cons_fast(preq, level, &c))) {
		if ((p = kmem_alloc_fast_mag(size, &c, flags, how,
		    caller, &m)) != NULL) {
			kmem_thr.pmemo = (struct kmem_pmemo){
			    .info = preq->phys_brkup_poolp, .mag = m,
			    .cpu = machine_thread_cpu, .level = (int)level };
			return p;
		}
		/* A miss of the magazines needs no check made again. */
	} else if (!kmem_flags_ok(flags, KM_NOSLEEP, func, caller) ||
	    !kmem_physreq_cons(preq, level, &c, func, caller)) {
		return NULL;
	}
	c.contig |= KP_CONTIG(mode);
	return kmem_alloc_cons(size, &c, flags, how, KP_KIND(mode), func,
	    caller);
}

/*
 * A hit of the physreq memo is served inline, keeping the entry point
 * small; all else starts again in kmem_physreq_slow.  A magazine's
 * objects lie in the direct map, so contig (kmem_alloc_physcontig) asks
 * nothing more of them.
 */
static inline __attribute__((always_inline)) void *
kmem_physreq(size_t size, physreq_t *preq, int flags, enum ddi_level level,
    int how, enum kmem_kind kind, bool contig, const char *func,
    const void *caller)
{
	void *p;

	if (likely((flags & ~KM_NOSLEEP) == 0) &&
	    likely((p = kmem_alloc_memo(size, preq, (int)level, flags, how,
	    caller)) != NULL))
		return p;
	return kmem_physreq_slow(size, preq, flags,
	    KP_MODE(level, how, kind, contig), func, caller);
}
_Static_assert(LEVEL_COUNT <= 0x100 && KK_NKINDS <= 0x100 &&
    (KA_ZERO | KA_FAILOK) <= 0xff,
    "KP_MODE keeps a level, the how flags and a kind in a byte each");

DDI_ENTRY_HOT(void *, kmem_alloc_physreq, (size_t size, physreq_t *preq,
    int flags), (size, preq, flags))
{
	return kmem_physreq(size, preq, flags, LEVEL_LATEST, 0, KK_PHYSREQ,
	    false, DDI_FUNC, DDI_CALLER);
}

DDI_ENTRY_HOT(void *, kmem_zalloc_physreq, (size_t size, physreq_t *preq,
    int flags), (size, preq, flags))
{
	return kmem_physreq(size, preq, flags, LEVEL_LATEST, KA_ZERO,
	    KK_PHYSREQ, false, DDI_FUNC, DDI_CALLER);
}

DDI_ENTRY_HOT(void *, _Compat_kmem_alloc_physreq7, (size_t size,
    physreq_t *preq, int flags), (size, preq, flags))
{
	return kmem_physreq(size, preq, flags, LEVEL_DDI6_71, 0, KK_PHYSREQ, false,
	    "kmem_alloc_physreq", DDI_CALLER);
}

DDI_ENTRY_HOT(void *, _Compat_kmem_zalloc_physreq7, (size_t size,
    physreq_t *preq, int flags), (size, preq, flags))
{
	return kmem_physreq(size, preq, flags, LEVEL_DDI6_71, KA_ZERO, KK_PHYSREQ, false,
	    "kmem_zalloc_physreq", DDI_CALLER);
}

/* DDI 5-6: always contiguous, below 4 GiB. */
DDI_ENTRY(void *, kmem_alloc_physcontig, (size_t size, physreq_t *preq,
    int flags), (size, preq, flags))
{
	return kmem_physreq(size, preq, flags, LEVEL_DDI6_71, 0, KK_PHYSCONTIG, true,
	    DDI_FUNC, DDI_CALLER);
}

DDI_ENTRY_VOID(kmem_free_physcontig, (void *p, size_t size), (p, size))
{
	kmem_free_checked(p, size, KK_PHYSCONTIG, DDI_FUNC, DDI_CALLER);
}

/*
 * DDI 7.2 and 8: contiguous memory and its physical address, in
 * (dmasize + 31) / 32 words, least significant first.  Base context only.
 */
DDI_ENTRY(void *, kmem_alloc_phys, (size_t size, physreq_t *preq,
    paddr32_t *paddrp, int flags), (size, preq, paddrp, flags))
{
	const void *caller = DDI_CALLER;
	struct kcons c;
	uint64_t pa;
	void *p;

	if (!kmem_flags_ok(flags, KM_FAIL_OK, DDI_FUNC, caller) ||
	    !kmem_physreq_cons(preq, LEVEL_LATEST, &c, DDI_FUNC, caller))
		return NULL;
	if (preq->phys_dmasize == 0) {
		verify_report(DDI_FUNC, caller, "phys_dmasize is 0: the "
		    "address width decides how the address is returned");
		return NULL;
	}
	if (paddrp == NULL) {
		verify_report(DDI_FUNC, caller, "NULL paddrp");
		return NULL;
	}
	if (!verify_may_block(DDI_FUNC, caller))
		return NULL;
	c.contig = true;
	p = kmem_alloc_cons(size, &c, (flags & KM_FAIL_OK) ? KM_NOSLEEP :
	    KM_SLEEP, 0, KK_PHYS, DDI_FUNC, caller);
	if (p == NULL)
		return NULL;
	VERIFY(vm_vtop(p, &pa) == 0);
	paddrp[0] = (paddr32_t)pa;
	if (preq->phys_dmasize > 32)
		paddrp[1] = (paddr32_t)(pa >> 32);
	return p;
}
