/*
 * pool.c - dma_pool-style block pools in one-page slabs.
 *
 * A pool is keyed by (block size, alignment, boundary, address ceiling,
 * node) and created on first use; block sizes are rounded to jemalloc-like
 * size classes so that the number of pools stays small.  Free blocks are
 * linked through their first word, as dma_pool does; slab headers live in
 * host memory, found from a block through a hash of slab page addresses.
 *
 * Locking: pool_tab_lock guards the pool table and the slab hash; each
 * pool's lock guards its slab lists.  Order: pool lock, then pool_tab_lock.
 * No lock is held while a slab page is allocated, since the page allocator
 * may call pool_reclaim.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "kmem/pool.h"
#include "machine/machine.h"
#include "palloc/palloc.h"
#include "verify/verify.h"

struct slab {
	struct slab	*next, *prev;	/* on the pool's partial/full lists */
	struct slab	*hnext;		/* slab hash chain */
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
	uint64_t	high;
	int		node;
	unsigned	per_slab;
	struct slab	*partial;	/* slabs with a free block */
	struct slab	*empty;		/* at most one fully free slab */
};

#define POOL_HASH	1024
#define SLAB_HASH	4096
static pthread_mutex_t pool_tab_lock = PTHREAD_MUTEX_INITIALIZER;
static struct pool *pool_tab[POOL_HASH];
static struct slab *slab_tab[SLAB_HASH];

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
 * Block offsets inside a page: sequential, but a block that would cross a
 * multiple of boundary starts at that multiple instead.  Returns the count.
 */
static unsigned
layout_count(size_t blk, size_t boundary, size_t page)
{
	size_t off = 0;
	unsigned n = 0;

	while (off + blk <= page) {
		if (boundary != 0 && off / boundary != (off + blk - 1) / boundary) {
			off = (off / boundary + 1) * boundary;
			continue;
		}
		n++;
		off += blk;
	}
	return n;
}

unsigned
pool_blocks_per_slab(size_t size, size_t align, size_t boundary)
{
	size_t blk = (pool_class(size) + align - 1) & ~(align - 1);

	return layout_count(blk, boundary, machine->spec.page);
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
	size_t blk = (pool_class(size) + align - 1) & ~(align - 1);
	unsigned h;
	struct pool *p;

	if (boundary != 0 && blk > boundary)
		blk = (size + align - 1) & ~(align - 1); /* boundary >= align */
	h = pool_hash(blk, align, boundary, high, node);
	pthread_mutex_lock(&pool_tab_lock);
	for (p = pool_tab[h]; p != NULL; p = p->next)
		if (p->blk == blk && p->align == align &&
		    p->boundary == boundary && p->high == high &&
		    p->node == node)
			break;
	if (p == NULL && (p = calloc(1, sizeof(*p))) != NULL) {
		pthread_mutex_init(&p->lock, NULL);
		p->blk = blk;
		p->align = align;
		p->boundary = boundary;
		p->high = high;
		p->node = node;
		p->per_slab = layout_count(blk, boundary, machine->spec.page);
		p->next = pool_tab[h];
		pool_tab[h] = p;
	}
	pthread_mutex_unlock(&pool_tab_lock);
	return p;
}

static unsigned
slab_hash(const void *va)
{
	return (unsigned)(((uintptr_t)va >> machine->pshift) % SLAB_HASH);
}

static struct slab *
slab_lookup(const void *blk)
{
	uint8_t *page = (uint8_t *)((uintptr_t)blk &
	    ~(uintptr_t)(machine->spec.page - 1));
	struct slab *s;

	pthread_mutex_lock(&pool_tab_lock);
	for (s = slab_tab[slab_hash(page)]; s != NULL; s = s->hnext)
		if (s->va == page)
			break;
	pthread_mutex_unlock(&pool_tab_lock);
	return s;
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
	size_t page = machine->spec.page, off = 0;
	void **link;

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
	link = &s->free;
	while (off + p->blk <= page) {
		if (p->boundary != 0 &&
		    off / p->boundary != (off + p->blk - 1) / p->boundary) {
			off = (off / p->boundary + 1) * p->boundary;
			continue;
		}
		*link = s->va + off;
		link = (void **)(s->va + off);
		s->nfree++;
		off += p->blk;
	}
	*link = NULL;
	pthread_mutex_lock(&pool_tab_lock);
	s->hnext = slab_tab[slab_hash(s->va)];
	slab_tab[slab_hash(s->va)] = s;
	pthread_mutex_unlock(&pool_tab_lock);
	return s;
}

static void
slab_destroy(struct slab *s)
{
	struct slab **pp;

	pthread_mutex_lock(&pool_tab_lock);
	for (pp = &slab_tab[slab_hash(s->va)]; *pp != s; pp = &(*pp)->hnext)
		;
	*pp = s->hnext;
	pthread_mutex_unlock(&pool_tab_lock);
	palloc_free(s->pfn, 1);
	free(s);
}

static void *
slab_take(struct pool *p, struct slab *s)
{
	void *b = s->free;

	s->free = *(void **)b;
	if (--s->nfree == 0)
		list_del(&p->partial, s);
	return b;
}

void *
pool_alloc(size_t size, size_t align, size_t boundary, uint64_t high,
    int node)
{
	struct pool *p = pool_get(size, align < 8 ? 8 : align, boundary, high,
	    node);
	struct slab *s;
	void *b;

	if (p == NULL)
		return NULL;
	pthread_mutex_lock(&p->lock);
	if (p->partial == NULL && p->empty != NULL) {
		list_push(&p->partial, p->empty);
		p->empty = NULL;
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
	*(void **)b = s->free;
	s->free = b;
	if (s->nfree++ == 0)
		list_push(&p->partial, s);
	if (s->nfree == p->per_slab) {
		/* Keep one empty slab; give the others back. */
		list_del(&p->partial, s);
		if (p->empty == NULL)
			p->empty = s;
		else
			victim = s;
	}
	pthread_mutex_unlock(&p->lock);
	if (victim != NULL)
		slab_destroy(victim);
	palloc_notify();
}

/* Give every pool's spare empty slab back to the page allocator. */
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
			pthread_mutex_unlock(&p->lock);
			if (s != NULL)
				slab_destroy(s);
		}
	}
}

int
pool_init(void)
{
	memset(pool_tab, 0, sizeof(pool_tab));
	memset(slab_tab, 0, sizeof(slab_tab));
	return 0;
}

/* Free every pool and slab; outstanding blocks were reported as leaks. */
void
pool_fini(void)
{
	for (unsigned h = 0; h < SLAB_HASH; h++)
		while (slab_tab[h] != NULL) {
			struct slab *s = slab_tab[h];

			slab_tab[h] = s->hnext;
			palloc_free(s->pfn, 1);
			free(s);
		}
	for (unsigned h = 0; h < POOL_HASH; h++)
		while (pool_tab[h] != NULL) {
			struct pool *p = pool_tab[h];

			pool_tab[h] = p->next;
			pthread_mutex_destroy(&p->lock);
			free(p);
		}
}
