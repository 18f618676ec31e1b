/*
 * record.h - what kmem knows about each live allocation.
 *
 * Page-level allocations carry a record in a hash keyed by address: size,
 * how it was made, its pages, its caller.  Small objects (below a page, from
 * arenas and pools) carry one 8-byte shadow entry per 8 bytes of RAM, in
 * the granule of their first byte (a pool block may start 4 bytes into
 * it): the caller, where they came from, and their size.
 * Both feed kmem_free's checks, the leak report and ddisim_outstanding.
 * Under audit=full small objects are recorded in the hash too, with a red
 * zone after them, and the shadow is not used.
 */
#ifndef DDICOMPAT_RECORD_H
#define DDICOMPAT_RECORD_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "kmem/kmem.h"
#include "machine/machine.h"
#include "util/cdefs.h"

enum rec_path {
	RP_PAGES,		/* contiguous run in the direct map */
	RP_ALIAS,		/* scattered runs behind an alias */
	RP_PCP,			/* a 2^k-page block through the per-CPU cache */
	RP_MAPONLY,		/* sptalloc of existing frames: no pages */
	RP_SMALL_ARENA,		/* audit=full: a small object in an arena */
	RP_SMALL_POOL		/* audit=full: a small object in a pool */
};

struct krec {
	struct krec	*next;		/* hash chain */
	uintptr_t	va;
	size_t		size;		/* bytes asked for */
	uint64_t	pfn;		/* first page (RP_PAGES, RP_PCP) */
	uint64_t	npages;
	const void	*caller;
	uint8_t		kind;		/* enum kmem_kind */
	uint8_t		path;		/* enum rec_path */
	uint8_t		redzone;	/* audit=full: guard bytes after size */
};

/* Shadow entry: caller in bits 0-46, arena bit 47, size in 48-63. */
#define SH_ARENA	(UINT64_C(1) << 47)
#define SH_CALLER_MASK	(SH_ARENA - 1)
#define SH_SIZE_SHIFT	48
#define SH_SIZE_MAX	UINT64_C(0xffff)

/*
 * Under light audit a block of 2^k pages from the per-CPU caches whose
 * size fits the entry is kept in the shadow too, lock-free, rather than
 * in the hash: its first granule holds an entry as above with the arena
 * bit clear and a size of at least a machine page, which no small object
 * has (a pool block is always smaller), and its second granule a tag
 * with the kind it was made as.  A tag has size 0, which no object has,
 * and is never an object's entry.
 */
#define SH_TAG		(UINT64_C(0x7a9) << 8)	/* kind in bits 0-7 */
#define SH_TAG_MASK	(~UINT64_C(0xff))

static inline bool
shadow_is_tag(uint64_t e)
{
	return (e & SH_TAG_MASK) == SH_TAG;
}

/* Whether entry e, at a granule that starts a page, is a page block's. */
static inline bool
shadow_is_pages(uint64_t e, size_t page)
{
	return !(e & SH_ARENA) && (e >> SH_SIZE_SHIFT) >= page;
}

int	record_init(void);
void	record_fini(void);
void	record_insert(struct krec *);
struct krec *record_remove(uintptr_t va);	/* NULL if absent */
bool	record_find(uintptr_t va, struct krec *copy);

/*
 * Shadow: set at allocation, cleared at free; 0 means no object starts in
 * the granule.  Relaxed accesses: an object reaches a freeing thread only
 * through the driver's own synchronisation, which orders them.
 */
extern DDI_HIDDEN _Atomic uint64_t *record_shadow;	/* [top / 8] */
/* record_shadow less the direct map's start / 8 entries, as an integer. */
extern DDI_HIDDEN uintptr_t record_shadow_bias;

static inline _Atomic uint64_t *
shadow_slot(const void *p)
{
	/* the direct map starts 8-aligned: (p - dmap) / 8 = p / 8 - dmap / 8 */
	return (_Atomic uint64_t *)(record_shadow_bias +
	    ((uintptr_t)p >> 3) * sizeof(uint64_t));
}

/*
 * shadow_slot of an 8-aligned p (every block and object start): the
 * shift and the scale cancel, and the slot is the bias plus p.  The
 * _at form takes the bias from a caller that read it once for many.
 */
static inline _Atomic uint64_t *
shadow_slot8_at(uintptr_t bias, uintptr_t p)
{
	return (_Atomic uint64_t *)(bias + p);
}

static inline _Atomic uint64_t *
shadow_slot8(const void *p)
{
	return shadow_slot8_at(record_shadow_bias, (uintptr_t)p);
}

static inline void
shadow_set(const void *p, uint64_t entry)
{
	atomic_store_explicit(shadow_slot(p), entry, memory_order_relaxed);
}

static inline uint64_t
shadow_peek(const void *p)
{
	return atomic_load_explicit(shadow_slot(p), memory_order_relaxed);
}

static inline void
shadow_clear(const void *p)
{
	atomic_store_explicit(shadow_slot(p), 0, memory_order_relaxed);
}

size_t	record_report(FILE *f, size_t *bytes);
const char *record_kind_name(unsigned kind);

#endif /* DDICOMPAT_RECORD_H */
