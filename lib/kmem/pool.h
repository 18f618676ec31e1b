/*
 * pool.h - small-object pools packed the way Linux dma_pool packs them:
 * fixed-size blocks laid out in one-page slabs, none crossing the boundary.
 * They serve what jemalloc arenas cannot: sub-page boundaries, the 16 MiB
 * zone, and address windows that do not end on a zone line.
 */
#ifndef DDICOMPAT_POOL_H
#define DDICOMPAT_POOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pool;

int	pool_init(void);
void	pool_fini(void);
/* A block of at least size bytes, aligned, inside [0, high). */
void	*pool_alloc(size_t size, size_t align, size_t boundary,
	    uint64_t high, int node);
void	pool_free(void *p);
/* Whether p is the start of a block of some pool (it may be free). */
bool	pool_is_block(const void *p);
/* The block that starts in the 8-byte granule at g, or NULL. */
void	*pool_block_in_granule(void *g);
void	pool_reclaim(void);
/* Blocks per slab for a layout, for density reports. */
unsigned pool_blocks_per_slab(size_t size, size_t align, size_t boundary);

#endif /* DDICOMPAT_POOL_H */
