/*
 * arena.h - jemalloc arenas over simulated RAM, one per (node, zone) above
 * 16 MiB, always used through a magazine and an explicit thread cache per
 * (thread, arena).
 */
#ifndef DDICOMPAT_ARENA_H
#define DDICOMPAT_ARENA_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kmem/thread.h"
#include "machine/machine.h"
#include "verify/verify.h"

int	arena_init(void);
void	arena_fini(void);
bool	arena_exists(int node, int zone);
void	arena_reclaim(void);
int	arena_flags(int node, int zone);
/* Objects of (node, zone) through the thread's magazine and tcache. */
void	*arena_alloc(int node, int zone, size_t size, size_t align);
void	arena_free(int node, int zone, void *p, size_t size);

/*
 * Magazines (arena.c): their geometry and the calling thread's, exposed
 * for the inline fast paths of kmem_fast.h, which serve a hit and leave
 * the rest to arena_alloc and arena_free.
 */
#define ARENA_MAG_MAX		4096	/* largest object a magazine holds */
#define ARENA_MAG_NCLASS	48
#define ARENA_MAG_SLOTS		64

struct arena_mag {
	int		flags;		/* mallocx: this arena, this tcache */
	unsigned	n[ARENA_MAG_NCLASS];	/* objects per class */
	void		*obj[ARENA_MAG_NCLASS][ARENA_MAG_SLOTS];
};

/* by (size + 15) / 16 */
extern DDI_HIDDEN uint8_t arena_mag_class[ARENA_MAG_MAX / 16 + 1];
extern DDI_HIDDEN unsigned arena_mag_cap[ARENA_MAG_NCLASS];
extern DDI_HIDDEN _Atomic uint64_t arena_gen;

static inline uint64_t
arena_gen_now(void)
{
	return atomic_load_explicit(&arena_gen, memory_order_relaxed);
}

#define ARENA_OWNER_SHIFT	12	/* the owner map is by 4 KiB page */
extern DDI_HIDDEN _Atomic uint8_t *arena_page_owner;
extern DDI_HIDDEN uintptr_t arena_page_owner_bias;

/*
 * The (node, zone) of the arena that owns the page of p, which must be in
 * the direct map; false if no arena does.  The direct map starts on a
 * page boundary, so p's entry is at the bias plus p / 4 KiB.
 */
static inline bool
arena_owner(const void *p, int *node, int *zone)
{
	unsigned v = atomic_load_explicit((_Atomic uint8_t *)
	    (arena_page_owner_bias + ((uintptr_t)p >> ARENA_OWNER_SHIFT)),
	    memory_order_relaxed);

	if (v == 0)
		return false;
	*node = (int)(v - 1) / NZONES;
	*zone = (int)(v - 1) % NZONES;
	return true;
}

/*
 * The magazine of the calling thread for the arena whose owner-map value
 * is v (node * NZONES + zone + 1, not 0), or NULL: arena_mag_hit without
 * decoding v, since the magazines are laid out in the same order.
 */
static inline struct arena_mag *
arena_mag_hit_owner(unsigned v)
{
	if (likely(kmem_thr.mag_gen == arena_gen_now()))
		return (&kmem_thr.mag[0][0])[v - 1];
	return NULL;
}

/* The owner-map value of p's page (see arena_owner); 0: no arena's. */
static inline unsigned
arena_owner_value(const void *p)
{
	return atomic_load_explicit((_Atomic uint8_t *)
	    (arena_page_owner_bias + ((uintptr_t)p >> ARENA_OWNER_SHIFT)),
	    memory_order_relaxed);
}

static inline struct arena_mag *
arena_mag_hit(int node, int zone)
{
	if (likely(kmem_thr.mag_gen == arena_gen_now()))
		return kmem_thr.mag[node][zone];
	return NULL;
}

#endif /* DDICOMPAT_ARENA_H */
