/*
 * pool.c - dma_pool-style block pools in one-page slabs.
 *
 * A pool is keyed by (block size, alignment, boundary, address ceiling,
 * node) and created on first use.  Pools for a boundary hold one object
 * size and pack it as a driver's dma_pool would: the stride is the size
 * rounded up to the larger of the physreq's alignment and the size's
 * natural alignment (pool_stride_align), so 68-byte blocks lie 68 bytes
 * apart.  Pools that exist only for an address window serve several sizes
 * and round them to jemalloc-like classes, 8-byte aligned, so that their
 * number stays small.  Free blocks are linked through their first bytes,
 * as dma_pool does; slab headers live in host memory, found from a block
 * through a per-page table that is read without locks.  Each pool keeps a
 * bitmap of the offsets at which its blocks start, the same in every
 * slab, so a free can tell a block from a pointer into one.
 *
 * Locking: pool_tab_lock guards the pool table; each pool's lock guards
 * its slab lists; a slab_of_page entry is written before its slab is
 * published and cleared after it is unlinked.  No lock is held while a
 * slab page is allocated, since the page allocator may call pool_reclaim.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "util/forklock.h"
#include "kmem/pool.h"
#include "machine/machine.h"
#include "palloc/palloc.h"
#include "verify/verify.h"

struct slab {
	struct slab	*next, *prev;	/* on the pool's partial/full lists */
	struct pool	*pool;
	uint8_t		*va;		/* the slab page (direct map) */
	uint64_t	pfn;
	uint32_t	nfree;
	void		*free;		/* first free block */
};

struct pool {
	struct pool	*next;		/* pool table chain */
	pthread_mutex_t	lock;
	size_t		blk, align, boundary;
	size_t		osize;		/* the object size the layout keeps
					   inside each boundary window */
	uint64_t	high;
	int		node;
	unsigned	per_slab;
	uint64_t	*starts;	/* bit i: a block starts at 4 * i */
	struct slab	*partial;	/* slabs with a free block */
	struct slab	*full;		/* slabs without one */
	struct slab	*empty;		/* fully free slabs, kept for reuse */
	unsigned	nempty;
};

#define POOL_MAX_EMPTY	4		/* empty slabs a pool keeps */

#define POOL_HASH	1024
static FORK_HOOKED_MUTEX(pool_tab_lock);	/* see pool_fork_try_all */
static struct pool *pool_tab[POOL_HASH];
static struct slab *_Atomic *slab_of_page;	/* [npfn] */
static size_t slab_of_page_len;

static size_t
pool_class(size_t size)
{
	size_t c = 16;

	if (size <= 16)
		return 16;
	while (c * 2 < size)
		c *= 2;
	/* four classes per doubling above c */
	size_t step = c / 4;
	return (size + step - 1) / step * step;
}

/*
 * Block offsets inside a page: sequential, but a block whose object would
 * cross a multiple of boundary starts at that multiple instead.  Only the
 * object's own bytes must stay inside a boundary window, so a boundary
 * smaller than the minimum block still works.  Returns the count, and
 * marks each block's offset in starts (bit i: offset 4 * i) if given.
 */
static unsigned
layout_count(size_t blk, size_t osize, size_t boundary, size_t page,
    uint64_t *starts)
{
	size_t off = 0;
	unsigned n = 0;

	while (off + blk <= page) {
		if (boundary != 0 &&
		    off / boundary != (off + osize - 1) / boundary) {
			off = (off / boundary + 1) * boundary;
			continue;
		}
		if (starts != NULL)
			starts[off / 256] |= UINT64_C(1) << (off / 4 % 64);
		n++;
		off += blk;
	}
	return n;
}
/*
 * Alignment of the stride of an exact-size pool.  Every C object of n
 * bytes has an alignment that divides n, so no object of 68 bytes needs
 * more than 4, and none of 64 more than 16 (the largest scalar alignment
 * of the host).  Never below 4: kmem memory was word aligned on the i386,
 * and drivers count on that.  Boundary pools key on this alignment.
 */
static size_t
pool_stride_align(size_t size, size_t align)
{
	size_t natural = size & -size;		/* largest power of two in n */

	if (natural > 16)
		natural = 16;
	if (natural < 4)
		natural = 4;
	return align > natural ? align : natural;
}

/* The block size and effective alignment of a request's pool. */
static void
pool_shape(size_t size, size_t align, size_t boundary, size_t *blkp,
    size_t *alignp)
{
	size_t blk;

	if (boundary != 0) {
		align = pool_stride_align(size, align);
		blk = size < 16 ? 16 : size;
	} else {
		if (align < 8)
			align = 8;
		blk = pool_class(size);
	}
	*blkp = (blk + align - 1) & ~(align - 1);
	*alignp = align;
}

unsigned
pool_blocks_per_slab(size_t size, size_t align, size_t boundary)
{
	size_t blk;

	pool_shape(size, align, boundary, &blk, &align);
	return layout_count(blk, boundary != 0 ? size : blk, boundary,
	    machine->spec.page, NULL);
}

static unsigned
pool_hash(size_t blk, size_t align, size_t boundary, uint64_t high, int node)
{
	uint64_t h = blk * 31 + align * 7 + boundary * 3 + high * 5 +
	    (uint64_t)node;

	h ^= h >> 29;
	h *= UINT64_C(0xbf58476d1ce4e5b9);
	return (unsigned)(h >> 40) % POOL_HASH;
}

static struct pool *
pool_get(size_t size, size_t align, size_t boundary, uint64_t high, int node)
{
	size_t blk, osize;
	unsigned h;
	struct pool *p;

	pool_shape(size, align, boundary, &blk, &align);
	osize = boundary != 0 ? size : blk;
	h = pool_hash(blk, align, boundary, high, node);
	pthread_mutex_lock(&pool_tab_lock);
	for (p = pool_tab[h]; p != NULL; p = p->next)
		if (p->blk == blk && p->align == align && p->osize == osize &&
		    p->boundary == boundary && p->high == high &&
		    p->node == node)
			break;
	if (p == NULL && (p = calloc(1, sizeof(*p))) != NULL) {
		p->starts = calloc(machine->spec.page / 256, sizeof(uint64_t));
		if (p->starts == NULL) {
			free(p);
			pthread_mutex_unlock(&pool_tab_lock);
			return NULL;
		}
		pthread_mutex_init(&p->lock, NULL);
		p->blk = blk;
		p->osize = osize;
		p->align = align;
		p->boundary = boundary;
		p->high = high;
		p->node = node;
		p->per_slab = layout_count(blk, osize, boundary,
		    machine->spec.page, p->starts);
		p->next = pool_tab[h];
		pool_tab[h] = p;
	}
	pthread_mutex_unlock(&pool_tab_lock);
	return p;
}

static struct slab *
slab_lookup(const void *blk)
{
	uint64_t pa = (uint64_t)((const uint8_t *)blk - machine->dmap);

	return atomic_load_explicit(&slab_of_page[pa >> machine->pshift],
	    memory_order_acquire);
}

/* Free-list links: a block may be only 4-byte aligned. */
static inline void *
link_get(const void *b)
{
	void *next;

	memcpy(&next, b, sizeof(next));
	return next;
}

static inline void
link_set(void *b, void *next)
{
	memcpy(b, &next, sizeof(next));
}

static void
list_push(struct slab **head, struct slab *s)
{
	s->prev = NULL;
	s->next = *head;
	if (*head != NULL)
		(*head)->prev = s;
	*head = s;
}

static void
list_del(struct slab **head, struct slab *s)
{
	if (s->prev != NULL)
		s->prev->next = s->next;
	else
		*head = s->next;
	if (s->next != NULL)
		s->next->prev = s->prev;
	s->next = s->prev = NULL;
}

/* A new slab with every block on its free list, or NULL. */
static struct slab *
slab_new(struct pool *p)
{
	struct slab *s = calloc(1, sizeof(*s));
	struct palloc_req r = { .npages = 1, .low = 1,
	    .high = p->high >> machine->pshift, .align = 1, .node = p->node,
	    .zone_min = p->high <= machine_zone_end[ZONE_ISA] ? ZONE_ISA :
	    ZONE_ISA + 1 };
	size_t page = machine->spec.page, off;

	if (s == NULL)
		return NULL;
	if (r.high > machine->npfn)
		r.high = machine->npfn;
	if (palloc_alloc(&r, &s->pfn) != 0) {
		free(s);
		return NULL;
	}
	s->va = machine->dmap + (s->pfn << machine->pshift);
	s->pool = p;
	/* Thread the free list through the blocks, in address order. */
	for (off = page; off >= 4; ) {
		off -= 4;
		if (!(p->starts[off / 256] >> (off / 4 % 64) & 1))
			continue;
		link_set(s->va + off, s->free);
		s->free = s->va + off;
		s->nfree++;
	}
	atomic_store_explicit(&slab_of_page[s->pfn], s, memory_order_release);
	return s;
}

static void
slab_destroy(struct slab *s)
{
	atomic_store_explicit(&slab_of_page[s->pfn], NULL,
	    memory_order_release);
	palloc_free(s->pfn, 1);
	free(s);
}

static void *
slab_take(struct pool *p, struct slab *s)
{
	void *b = s->free;

	s->free = link_get(b);
	if (--s->nfree == 0) {
		list_del(&p->partial, s);
		list_push(&p->full, s);
	}
	return b;
}

void *
pool_alloc(size_t size, size_t align, size_t boundary, uint64_t high,
    int node)
{
	struct pool *p = pool_get(size, align, boundary, high, node);
	struct slab *s;
	void *b;

	if (p == NULL)
		return NULL;
	pthread_mutex_lock(&p->lock);
	if (p->partial == NULL && p->empty != NULL) {
		struct slab *e = p->empty;

		list_del(&p->empty, e);
		p->nempty--;
		list_push(&p->partial, e);
	}
	if (p->partial != NULL) {
		b = slab_take(p, p->partial);
		pthread_mutex_unlock(&p->lock);
		return b;
	}
	pthread_mutex_unlock(&p->lock);
	if ((s = slab_new(p)) == NULL)
		return NULL;
	pthread_mutex_lock(&p->lock);
	list_push(&p->partial, s);
	b = slab_take(p, s);
	pthread_mutex_unlock(&p->lock);
	return b;
}

void
pool_free(void *b)
{
	struct slab *s = slab_lookup(b);
	struct pool *p;
	struct slab *victim = NULL;

	VERIFY(s != NULL);
	p = s->pool;
	pthread_mutex_lock(&p->lock);
	link_set(b, s->free);
	s->free = b;
	if (s->nfree++ == 0) {
		list_del(&p->full, s);
		list_push(&p->partial, s);
	}
	if (s->nfree == p->per_slab) {
		/* Keep a few empty slabs; give the others back. */
		list_del(&p->partial, s);
		if (p->nempty < POOL_MAX_EMPTY) {
			list_push(&p->empty, s);
			p->nempty++;
		} else {
			victim = s;
		}
	}
	pthread_mutex_unlock(&p->lock);
	if (victim != NULL)
		slab_destroy(victim);
	palloc_cached();
	palloc_notify();
}

/* Whether b is where a block of a pool slab starts.  Lock-free. */
bool
pool_is_block(const void *b)
{
	struct slab *s;
	size_t off;

	if (slab_of_page == NULL || (s = slab_lookup(b)) == NULL)
		return false;
	off = (size_t)((const uint8_t *)b - s->va);
	return (off & 3) == 0 &&
	    (s->pool->starts[off / 256] >> (off / 4 % 64) & 1) != 0;
}

/*
 * The block of a pool slab that starts in the 8-byte granule at g, or
 * NULL: blocks are at least 16 bytes long, so at most one starts there.
 */
void *
pool_block_in_granule(void *g)
{
	if (pool_is_block(g))
		return g;
	if (pool_is_block((uint8_t *)g + 4))
		return (uint8_t *)g + 4;
	return NULL;
}

/* Give every pool's empty slabs back to the page allocator. */
void
pool_reclaim(void)
{
	for (unsigned h = 0; h < POOL_HASH; h++) {
		pthread_mutex_lock(&pool_tab_lock);
		struct pool *p = pool_tab[h];
		pthread_mutex_unlock(&pool_tab_lock);

		for (; p != NULL; p = p->next) {
			struct slab *s;

			pthread_mutex_lock(&p->lock);
			s = p->empty;
			p->empty = NULL;
			p->nempty = 0;
			pthread_mutex_unlock(&p->lock);
			while (s != NULL) {
				struct slab *next = s->next;

				slab_destroy(s);
				s = next;
			}
		}
	}
}

int
pool_init(void)
{
	memset(pool_tab, 0, sizeof(pool_tab));
	slab_of_page_len = (size_t)machine->npfn * sizeof(*slab_of_page);
	slab_of_page = mmap(NULL, slab_of_page_len, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (slab_of_page == MAP_FAILED) {
		slab_of_page = NULL;
		return ENOMEM;
	}
	return 0;
}

static void
slab_list_free(struct slab *s)
{
	while (s != NULL) {
		struct slab *next = s->next;

		slab_of_page[s->pfn] = NULL;
		palloc_free(s->pfn, 1);
		free(s);
		s = next;
	}
}

/*
 * Fork: the table's lock and every pool's, all or none (see
 * util/forklock.h).  Pools are made at run time, so they are not in the
 * registry themselves.
 */
static bool
pool_fork_try_all(void)
{
	struct pool *p;
	unsigned h;

	if (pthread_mutex_trylock(&pool_tab_lock) != 0)
		return false;
	for (h = 0; h < POOL_HASH; h++)
		for (p = pool_tab[h]; p != NULL; p = p->next)
			if (pthread_mutex_trylock(&p->lock) != 0)
				goto busy;
	return true;
busy:
	/* give back the pools before p: all of the chains before h, and
	   the head of chain h up to p */
	for (struct pool *q = pool_tab[h]; q != p; q = q->next)
		pthread_mutex_unlock(&q->lock);
	while (h-- > 0)
		for (struct pool *q = pool_tab[h]; q != NULL; q = q->next)
			pthread_mutex_unlock(&q->lock);
	pthread_mutex_unlock(&pool_tab_lock);
	return false;
}

static void
pool_fork_release_all(void)
{
	for (unsigned h = 0; h < POOL_HASH; h++)
		for (struct pool *p = pool_tab[h]; p != NULL; p = p->next)
			pthread_mutex_unlock(&p->lock);
	pthread_mutex_unlock(&pool_tab_lock);
}
FORK_LOCK_HOOKS(pools, pool_fork_try_all, pool_fork_release_all);

/* Free every pool and slab; blocks still held were reported as leaks. */
void
pool_fini(void)
{
	pthread_mutex_lock(&pool_tab_lock);
	for (unsigned h = 0; h < POOL_HASH; h++)
		while (pool_tab[h] != NULL) {
			struct pool *p = pool_tab[h];

			pool_tab[h] = p->next;
			slab_list_free(p->partial);
			slab_list_free(p->full);
			slab_list_free(p->empty);
			pthread_mutex_destroy(&p->lock);
			free(p->starts);
			free(p);
		}
	pthread_mutex_unlock(&pool_tab_lock);
	if (slab_of_page != NULL)
		munmap((void *)slab_of_page, slab_of_page_len);
	slab_of_page = NULL;
}
