/*
 * kmem.h - the kmem_alloc family and physreq objects: internal interface.
 */
#ifndef DDICOMPAT_KMEM_H
#define DDICOMPAT_KMEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "util/level.h"
#include "util/cdefs.h"

/* What a prepped physreq (or a version's default) asks of memory. */
struct kcons {
	uint64_t	high;		/* one past the highest acceptable PA */
	uint64_t	align;		/* bytes, power of 2, >= 1 */
	uint64_t	boundary;	/* bytes, power of 2, or 0 */
	bool		contig;		/* one physically contiguous extent */
};

/* How an allocation was made: what kmem_free and the leak report say. */
enum kmem_kind {
	KK_KMEM,		/* kmem_alloc, kmem_zalloc */
	KK_PHYSREQ,		/* kmem_(z)alloc_physreq */
	KK_PHYS,		/* kmem_alloc_phys */
	KK_PHYSCONTIG,		/* kmem_alloc_physcontig */
	KK_PHYSREQ_T,		/* a physreq_t from physreq_alloc */
	KK_CPAGES,		/* getcpages */
	KK_SPT,			/* sptalloc */
	KK_STREAMS,		/* STREAMS headers and buffers */
	KK_SCGTH,		/* msgscgth element arrays */
	KK_BUF,			/* getrbuf */
	KK_BCB,			/* bcb_alloc */
	KK_PROC,		/* simulated user memory */
	KK_PAGELIST,		/* simulated page lists */
	KK_RMAP,		/* rmallocmap */
	KK_EBLK,		/* geteblk, ngeteblk data */
	KK_POLLHEAD,		/* phalloc */
	KK_ATOMIC,		/* ATOMIC_INT_ALLOC */
	KK_QUEUE,		/* STREAMS queues, bands and streams */
	KK_NKINDS
};

#define KA_ZERO		0x01	/* zero-fill */
#define KA_FAILOK	0x02	/* KM_FAIL_OK: wait briefly, then fail */

int	kmem_init(void);
void	physreq_init(void);
void	kmem_fini(void);
size_t	kmem_outstanding(void);
size_t	kmem_leak_report(FILE *);

/* Whether a live allocation starts at (or, small, 4 bytes below) p. */
bool	kmem_live(const void *p);
size_t	kmem_live_size(const void *p);

/*
 * The one allocation path.  flags are KM_SLEEP/KM_NOSLEEP; how is KA_*.
 * Returns NULL only for NOSLEEP shortage (or fault injection), FAILOK, or a
 * KM_SLEEP deadline under verify=warn/count.
 */
/*
 * Why a request failed (explain.c): said when ddisim_explain is on, and
 * kept for the calling thread.  0 off, 1 printed and kept, 2 kept.
 */
enum kmem_why {
	KW_BOUNDARY,		/* the size is larger than the boundary */
	KW_TOO_LARGE,		/* larger than any machine */
	KW_INJECTED,		/* failrate */
	KW_NO_MEMORY,		/* no free memory meets the constraint */
	KW_SLEEPLIMIT		/* the same, after waiting */
};
extern DDI_HIDDEN _Atomic int kmem_explain_mode;
void	kmem_explain_slow(const char *func, size_t size,
	    const struct kcons *c, enum kmem_why why);
const char *kmem_explain_last(void);
/* A reason of the caller's own, when explanations are on. */
void	kmem_explain_why(const char *func, size_t size,
	    const struct kcons *c, const char *fmt, ...)
	    __attribute__((format(printf, 4, 5)));
/* A whole explanation of the caller's own, when explanations are on. */
void	kmem_explain_say(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));

static inline void
kmem_explain(const char *func, size_t size, const struct kcons *c,
    enum kmem_why why)
{
	if (__builtin_expect(kmem_explain_mode != 0, 0))
		kmem_explain_slow(func, size, c, why);
}

void	*kmem_alloc_cons(size_t size, const struct kcons *c, int flags,
	    int how, enum kmem_kind kind, const char *func,
	    const void *caller);
void	kmem_free_checked(void *p, size_t size, enum kmem_kind kind,
	    const char *func, const void *caller);
bool	kmem_flags_ok(int flags, int allowed, const char *func,
	    const void *caller);

/* Derive the constraint of a physreq for a caller of a given level. */
bool	kmem_physreq_cons(const void *preq, enum ddi_level level,
	    struct kcons *c, const char *func, const void *caller);
/*
 * Whether preq was freed by physreq_free, reported for func if so: for
 * users that read its members before they take its constraint.
 */
bool	physreq_freed_report(const void *preq, const char *func,
	    const void *caller);

/* physreq_prep's private breakup pages (see physreq.c). */
struct physreq;
void	*physreq_resv_take(const struct physreq *p);
void	physreq_resv_give(const struct physreq *p);
uint64_t physreq_resv_uses(void);


#endif /* DDICOMPAT_KMEM_H */
