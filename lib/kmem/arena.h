/*
 * arena.h - jemalloc arenas over simulated RAM, one per (node, zone) above
 * 16 MiB, always used through an explicit thread cache per (thread, arena).
 */
#ifndef DDICOMPAT_ARENA_H
#define DDICOMPAT_ARENA_H

#include <stdbool.h>
#include <stddef.h>

int	arena_init(void);
void	arena_fini(void);
bool	arena_exists(int node, int zone);
void	arena_reclaim(void);
int	arena_flags(int node, int zone);
void	*arena_alloc_flags(size_t size, size_t align, int flags);
void	arena_free_flags(void *p, int flags);

#endif /* DDICOMPAT_ARENA_H */
