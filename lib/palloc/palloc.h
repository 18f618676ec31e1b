/*
 * palloc.h - the physical page allocator.
 *
 * Free pages of each (node, zone) domain sit on binary-buddy free lists, as
 * in FreeBSD's vm_phys, for a fast path; a free-page bitmap over all RAM
 * supports the exact constrained search, which finds a satisfying run
 * whenever one exists.  All page numbers are machine pages (page= key).
 */
#ifndef DDICOMPAT_PALLOC_H
#define DDICOMPAT_PALLOC_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ddicompat/ddisim.h"
#include "util/cdefs.h"

#define PALLOC_NORDERS	19	/* orders 0..18: 1 GiB blocks of 4 KiB */

/* A constrained request for one physically contiguous run. */
struct palloc_req {
	uint64_t	npages;
	uint64_t	low;		/* first acceptable pfn */
	uint64_t	high;		/* one past the last acceptable pfn */
	uint64_t	align;		/* pages, power of 2 (1 = none) */
	uint64_t	boundary;	/* pages, power of 2, 0 = none */
	int		node;		/* preferred node; -1 = the thread's */
	int		zone_min;	/* lowest zone to use; see below */
	bool		strict;		/* only the preferred node and zone */
	bool		noreclaim;	/* caller holds locks reclaim needs */
	bool		hook;		/* called from a jemalloc extent hook */
};
/*
 * hook: the caller holds jemalloc locks.  It must not wait for palloc_lock
 * while a fork is being prepared (the fork handler holds palloc_lock and
 * then waits for jemalloc's locks), so it fails instead.
 *
 * zone_min: zones below it are used only when no other zone can satisfy
 * the request (ZONE_ISA is kept for those who need it).  strict requests
 * (the per-CPU cache refills) use only the preferred node's domains.
 */

int	palloc_init(void);
void	palloc_fini(void);
int	palloc_age(double frac, uint64_t seed);
int	palloc_age_how(double frac, uint64_t seed, bool tile);

int	palloc_alloc(const struct palloc_req *req, uint64_t *pfnp);
int	palloc_alloc_exact(uint64_t pfn, uint64_t npages, bool hook);
void	palloc_free(uint64_t pfn, uint64_t npages);
bool	palloc_free_hook(uint64_t pfn, uint64_t npages);
void	palloc_free_quiet(uint64_t pfn, uint64_t npages);
bool	palloc_is_free(uint64_t pfn, uint64_t npages);
uint64_t palloc_count_free(uint64_t lo, uint64_t hi);
uint64_t palloc_unheld(uint64_t pfn, uint64_t npages);

/*
 * Naturally aligned blocks of 2^o pages, o < PALLOC_PCP_ORDERS, through
 * the per-CPU caches; the page forms are order 0.  A block goes back with
 * palloc_block_free and the same order.  For o > 0, ENOMEM means only
 * that no cache could serve the window: palloc_alloc may still.
 */
#define PALLOC_PCP_ORDERS	5	/* up to 16 pages */
int	palloc_block_alloc(unsigned o, uint64_t low, uint64_t high, int node,
	    uint64_t *pfnp);
void	palloc_block_free(uint64_t pfn, unsigned o);
int	palloc_page_alloc(uint64_t low, uint64_t high, int node,
	    uint64_t *pfnp);
void	palloc_page_free(uint64_t pfn);

/*
 * Reclaim hooks: before a request fails, each registered hook is asked to
 * give back what its layer caches (thread caches, empty slabs, per-CPU
 * pages); the request is then retried once.
 */
typedef void (*palloc_reclaim_fn)(void);
void	palloc_reclaim_register(palloc_reclaim_fn fn);
void	palloc_reclaim(void);
/* A layer kept freed memory in a cache: the next failure reclaims. */
extern DDI_HIDDEN _Atomic bool palloc_cache_dirty;
static inline void
palloc_cached(void)
{
	/* read-mostly: write the shared line only on a change */
	if (!atomic_load_explicit(&palloc_cache_dirty, memory_order_relaxed))
		atomic_store_explicit(&palloc_cache_dirty, true,
		    memory_order_relaxed);
}

/*
 * Waiting for memory: a sleeper registers with palloc_wait_begin (which
 * returns the current generation), retries, and if that fails waits until
 * a free bumps the generation or the deadline (CLOCK_MONOTONIC, ns)
 * passes; palloc_wait_end unregisters.  Frees call palloc_notify.
 */
uint64_t palloc_generation(void);
uint64_t palloc_wait_begin(void);
void	palloc_wait_end(void);
extern DDI_HIDDEN _Atomic int palloc_nwaiters;
void	palloc_notify_slow(void);
/* Cheap when nobody sleeps: one load of a read-mostly line. */
static inline void
palloc_notify(void)
{
	if (atomic_load(&palloc_nwaiters) != 0)
		palloc_notify_slow();
}
struct vwait;
bool	palloc_wait(uint64_t gen, struct vwait *w);

/* Statistics. */
uint64_t palloc_free_pages(int node, int zone);
uint64_t palloc_total_pages(int node, int zone);
void	palloc_histogram(int node, int zone,
	    uint64_t hist[DDISIM_HIST_BUCKETS]);
size_t	palloc_meta_bytes(void);
size_t	palloc_meta_resident(void);
uint64_t palloc_aged_pages(void);

/* White-box helpers for tests: the exact search alone, and the bitmap. */
bool	palloc_find_run(uint64_t lo, uint64_t hi, uint64_t n, uint64_t align,
	    uint64_t boundary, uint64_t *pfnp);
bool	palloc_test_free_bit(uint64_t pfn);

#endif /* DDICOMPAT_PALLOC_H */
