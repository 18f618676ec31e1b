/*
 * palloc.c - buddy free lists per (node, zone), a free-page bitmap for the
 * exact constrained search, and frees of arbitrary page runs.
 *
 * Metadata lives outside the simulated RAM: 12 bytes of struct pmeta per
 * page plus one bitmap bit, in anonymous mappings that are touched only
 * where blocks are split, so a large machine starts with little resident
 * memory.  Invariants, under palloc_lock:
 *  - a page is free iff its bitmap bit is set;
 *  - every free page belongs to exactly one free block: a head with
 *    PM_HEAD set, order o, aligned to 2^o pages, inside one segment, linked
 *    on its domain's list for order o;
 *  - free blocks are not necessarily maximal after a range was taken out
 *    (their remainders are re-inserted without coalescing), which is why
 *    the exact search works on the bitmap and not on the lists;
 *  - except in an unlisted chunk (see lazy_list_chunk): its free pages
 *    are on no list and its pmeta are untouched; the domains' nfree
 *    counts them all the same.
 */
#include "config.h"

#include <errno.h>
#include <sched.h>
#include <stdatomic.h>
#include <pthread.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "util/forklock.h"
#include "machine/machine.h"
#include "palloc/palloc.h"
#include "util/bitmap.h"
#include "verify/verify.h"
#include "verify/wait.h"

#define NIL		UINT32_MAX
#define PM_HEAD		0x01
#define PM_CLEAN	0x02	/* block's pages were given back to the host */

struct pmeta {
	uint32_t	next;		/* free-list links (pfn), NIL ends */
	uint32_t	prev;
	uint8_t		order;		/* valid when PM_HEAD */
	uint8_t		flags;
	uint16_t	seg;		/* segment index, valid when PM_HEAD */
};

struct pdomain {
	uint32_t	head[PALLOC_NORDERS];	/* free lists by order */
	uint64_t	nfree;		/* pages on the lists */
	uint64_t	ntotal;		/* pages of RAM */
};

/*
 * Per-CPU caches of free blocks, one stack per order and per zone of
 * every node, as Linux keeps a per-CPU list for each zone: single pages,
 * and the naturally aligned blocks of 2 to 16 pages that DMA buffers and
 * STREAMS pullups ask for most.  A CPU whose own node cannot serve a
 * window (a 32-bit device's buffer, asked for on a node above 4 GiB)
 * caches the other node's blocks too.  A cache of higher order holds
 * fewer blocks, so that what it parks stays near 64 pages.
 */
#define PCP_MAX		64		/* order-0 pages per zone */
#define PCP_BATCH	16
#define PCP_DOMS	(MACHINE_MAX_NODES * NZONES)
/*
 * The stack of each order that served the CPU's last request of that
 * order, and the request's window and node: the same request again goes
 * straight to it while it holds a block, skipping the search by node and
 * zone (and its window checks, which would pass as they did).  An empty
 * stack sends the request round the search again, in preference order.
 */
struct pcp_hint {
	uint64_t	low, high;
	int		node;
	int		dm;		/* -1: none */
};

/*
 * A per-CPU cache's lock.  Its holders run a few dozen instructions (a
 * refill or a flush also takes palloc_lock), and the threads that share
 * a simulated CPU are few, so it is a test-and-set lock: a pthread mutex
 * cost more than the cache's own work on the page paths.  A waiter spins
 * briefly, then yields, so a holder that lost its host CPU gets it back.
 */
typedef _Atomic unsigned pcp_lock_t;

static inline void
pcp_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield");
#endif
}

static inline bool
pcp_trylock(pcp_lock_t *l)
{
	return atomic_load_explicit(l, memory_order_relaxed) == 0 &&
	    atomic_exchange_explicit(l, 1, memory_order_acquire) == 0;
}

static void
pcp_lock_wait(pcp_lock_t *l)
{
	unsigned spins = 0;

	do {
		while (atomic_load_explicit(l, memory_order_relaxed) != 0) {
			if (++spins < 128)
				pcp_relax();
			else
				sched_yield();
		}
	} while (atomic_exchange_explicit(l, 1, memory_order_acquire) != 0);
}

static inline void
pcp_lock(pcp_lock_t *l)
{
	if (unlikely(atomic_exchange_explicit(l, 1, memory_order_acquire) !=
	    0))
		pcp_lock_wait(l);
}

static inline void
pcp_unlock(pcp_lock_t *l)
{
	atomic_store_explicit(l, 0, memory_order_release);
}

struct pcpu {
	pcp_lock_t	lock;
	uint32_t	n[PALLOC_PCP_ORDERS][PCP_DOMS];	/* [node*NZONES+z] */
	struct pcp_hint	hint[PALLOC_PCP_ORDERS];
	uint32_t	pfn[PALLOC_PCP_ORDERS][PCP_DOMS][PCP_MAX];
};

/* The per-CPU caches parked pages since the last reclaim. */
static DDI_READ_MOSTLY _Atomic bool pcp_dirty;

static inline void
pcp_cached(void)
{
	if (!atomic_load_explicit(&pcp_dirty, memory_order_relaxed))
		atomic_store_explicit(&pcp_dirty, true, memory_order_relaxed);
}

/* Blocks a cache of order o holds at most, and takes at a refill. */
static inline uint32_t
pcp_cap(unsigned o)
{
	return o == 0 ? PCP_MAX : PCP_MAX >> (o + 1) > 4 ?
	    PCP_MAX >> (o + 1) : 4;
}

static inline uint32_t
pcp_batch(unsigned o)
{
	return o == 0 ? PCP_BATCH : pcp_cap(o) / 2;
}

static FORK_MUTEX(palloc_lock);
static struct pmeta *pm;		/* [npfn] */
static uint64_t *bm;			/* [npfn / 64], 1 = free */
static size_t pm_len, bm_len;

/*
 * Chunks of 2^LAZY_SHIFT pages whose free pages are not on the lists yet:
 * an aged machine's free memory is described by the bitmap alone until
 * an allocation, a free or the fast path needs a chunk (lazy_list_chunk),
 * so that building it writes no pmeta, and a test that uses a few chunks
 * pays for those alone.  A bit per chunk, after the bitmap's words.
 */
#define LAZY_SHIFT	12
static uint64_t *unlisted;		/* 1 = the chunk is unlisted */
static uint64_t nunlisted;
static struct pdomain dom[MACHINE_MAX_NODES][NZONES];
static struct pcpu pcp[MACHINE_MAX_CPUS];

/* Fork handling takes the caches' locks all or none (util/forklock.h). */
static bool
pcp_fork_try_all(void)
{
	for (int i = 0; i < MACHINE_MAX_CPUS; i++)
		if (!pcp_trylock(&pcp[i].lock)) {
			while (--i >= 0)
				pcp_unlock(&pcp[i].lock);
			return false;
		}
	return true;
}

static void
pcp_fork_release_all(void)
{
	for (int i = 0; i < MACHINE_MAX_CPUS; i++)
		pcp_unlock(&pcp[i].lock);
}
FORK_LOCK_HOOKS(pcp, pcp_fork_try_all, pcp_fork_release_all);

/*
 * Per-thread slots, in front of the per-CPU caches: a thread parks the
 * block of each order it freed last in a slot of its own, and its next
 * request of that order with the same window and node takes it back, with
 * no lock and no search, touching only its own memory.  This is the
 * pattern of a driver that allocates, fills, sends and frees one buffer
 * at a time, which a cache shared by the CPU's threads serves at the cost
 * of its lock and its stacks.
 *
 * A slot serves the request (window, node) that its stack (dm) last
 * served through the caches, and holds only blocks of that stack, so that
 * it hands out what the cache would: a block freed while the slot is full
 * takes the slot and pushes the older one onto the stack, so the block
 * freed last still comes back first.  Slots hold blocks of the thread's
 * CPU and machine only (cpu, gen); a thread that moves gives its blocks
 * back first.  The owner takes a block with an atomic exchange and parks
 * one with a plain store, since it is the only one that puts: anyone may
 * take, and a reclaim does, under ptc_lock, which lists the live threads'
 * slots, so a parked block is memory a shortage can get, as a cached one
 * is.  The device audit (palloc_unheld) counts parked blocks as free.
 * Thread exit gives the thread's blocks back; machine shutdown forgets
 * every slot, and a forked child gives back the blocks of the threads it
 * does not have.  Lock order: ptc_lock, then the caches', then
 * palloc_lock.
 */
/* A line each: a free or an allocation of one order touches one. */
struct ptc_slot {
	_Alignas(64) uint64_t low, high; /* the request it serves */
	int		node;
	int		dm;		/* its stack; -1: none */
	_Atomic uint32_t blk;		/* a parked block's first pfn; 0: none */
	uint64_t	seg_lo, seg_hi;	/* a segment of dm's: its blocks'
					   stack needs no lookup */
};

struct ptc {
	uint64_t	gen;		/* machine->generation; 0: unset */
	int		cpu;		/* machine_thread_cpu */
	bool		listed;		/* on ptc_list */
	bool		exited;		/* its thread is exiting: no more */
	struct ptc	*next, **prevp;	/* ptc_list, under ptc_lock */
	struct ptc_slot	slot[PALLOC_PCP_ORDERS];
};

static DDI_TLS struct ptc ptc;
static FORK_MUTEX(ptc_lock);
static struct ptc *ptc_list;
static pthread_key_t ptc_exit_key;
static pthread_once_t ptc_once = PTHREAD_ONCE_INIT;

/*
 * Freed pages go back to the host lazily: once dirty_freed pages were
 * freed since the last sweep, free blocks of SWEEP_MIN bytes or more that
 * are not clean are punched out of the memfd.  Small pieces that are
 * reused at once never pay for hole punching and refaults.
 */
#define SWEEP_MIN	(UINT64_C(1) << 20)
static uint64_t dirty_freed, sweep_at;	/* pages; palloc_lock */

/* Pages freed since boot: tells whether a reclaim gave anything back. */
static uint64_t nfreed;

/* Pages held by the aging workload (frag=); never freed before fini. */
static uint64_t aged_pages;

#define MAX_RECLAIM	8
static palloc_reclaim_fn reclaim_fn[MAX_RECLAIM];
static unsigned nreclaim;
/*
 * Set when a layer caches freed memory (palloc_cached); reclaim is
 * skipped while it is clear, since the hooks would find nothing to give.
 */
DDI_READ_MOSTLY _Atomic bool palloc_cache_dirty;

/* Set while a fork is being prepared; see palloc_lock_hook. */
static _Atomic bool palloc_forking;

static _Atomic uint64_t palloc_gen;
DDI_READ_MOSTLY _Atomic int palloc_nwaiters;
static FORK_MUTEX(wait_lock);
static pthread_cond_t wait_cv;

static inline struct pdomain *
seg_dom(unsigned seg)
{
	const struct machine_seg *s = &machine->seg[seg];

	return &dom[s->node][s->zone];
}

/* ---- bitmap ---- */

#define bm_test(pfn)		bitmap_test(bm, (pfn))
#define bm_fill(s, n, set)	bitmap_fill(bm, (s), (n), (set))
#define bm_next(p, hi, want)	bitmap_next(bm, (p), (hi), (want))

/* The exact search over the free-page bitmap; see bitmap_find_run. */
bool
palloc_find_run(uint64_t lo, uint64_t hi, uint64_t n, uint64_t align,
    uint64_t boundary, uint64_t *pfnp)
{
	return bitmap_find_run(bm, lo, hi, n, align, boundary, pfnp);
}

bool
palloc_test_free_bit(uint64_t pfn)
{
	return bm_test(pfn);
}

/* ---- buddy lists ---- */

static void
list_insert(uint64_t pfn, unsigned order, unsigned seg, bool clean)
{
	struct pdomain *d = seg_dom(seg);
	struct pmeta *p = &pm[pfn];
	uint32_t h = d->head[order];

	p->order = (uint8_t)order;
	p->flags = PM_HEAD | (clean ? PM_CLEAN : 0);
	p->seg = (uint16_t)seg;
	p->prev = NIL;
	p->next = h;
	if (h != NIL)
		pm[h].prev = (uint32_t)pfn;
	d->head[order] = (uint32_t)pfn;
	d->nfree += UINT64_C(1) << order;
}

static void
list_remove(uint64_t pfn)
{
	struct pmeta *p = &pm[pfn];
	struct pdomain *d = seg_dom(p->seg);

	ASSERT(p->flags & PM_HEAD);
	if (p->prev != NIL)
		pm[p->prev].next = p->next;
	else
		d->head[p->order] = p->next;
	if (p->next != NIL)
		pm[p->next].prev = p->prev;
	p->flags = 0;
	d->nfree -= UINT64_C(1) << p->order;
}

/* Largest aligned block starting at s that fits in [s, e). */
static inline unsigned
block_order(uint64_t s, uint64_t e)
{
	unsigned o = s == 0 ? PALLOC_NORDERS - 1 :
	    (unsigned)__builtin_ctzll(s);
	unsigned fit = 63 - (unsigned)__builtin_clzll(e - s);

	if (o > fit)
		o = fit;
	return o < PALLOC_NORDERS - 1 ? o : PALLOC_NORDERS - 1;
}

/* Put [s, e) of segment seg on the lists as maximal aligned blocks. */
static void
insert_range(uint64_t s, uint64_t e, unsigned seg, bool clean)
{
	while (s < e) {
		unsigned o = block_order(s, e);

		list_insert(s, o, seg, clean);
		s += UINT64_C(1) << o;
	}
}

/* Free block of order o at pfn, merging with free buddies in its segment. */
static void
free_block(uint64_t pfn, unsigned o, unsigned seg, bool clean)
{
	const struct machine_seg *sg = &machine->seg[seg];

	while (o < PALLOC_NORDERS - 1) {
		uint64_t b = pfn ^ (UINT64_C(1) << o);

		if (b < sg->spfn || b + (UINT64_C(1) << o) > sg->epfn)
			break;
		if (!(pm[b].flags & PM_HEAD) || pm[b].order != o)
			break;
		clean = clean && (pm[b].flags & PM_CLEAN);
		list_remove(b);
		pfn &= ~(UINT64_C(1) << o);
		o++;
	}
	list_insert(pfn, o, (unsigned)seg, clean);
}

/* The free block holding pfn (whose bit must be set). */
static uint64_t
block_of(uint64_t pfn)
{
	for (unsigned o = 0; o < PALLOC_NORDERS; o++) {
		uint64_t h = pfn & ~((UINT64_C(1) << o) - 1);

		if ((pm[h].flags & PM_HEAD) && pm[h].order == o)
			return h;
	}
	verify_panic(__FILE__, __LINE__, "free page %#llx in no block",
	    (unsigned long long)pfn);
}

/* Free pages of [s, e), a word at a time. */
static uint64_t
bm_count(uint64_t s, uint64_t e)
{
	uint64_t n = 0;

	while (s < e) {
		uint64_t b = s & 63, cnt = 64 - b < e - s ? 64 - b : e - s;
		uint64_t mask = (cnt == 64 ? ~UINT64_C(0) :
		    ((UINT64_C(1) << cnt) - 1)) << b;

		n += (uint64_t)__builtin_popcountll(bm[s >> 6] & mask);
		s += cnt;
	}
	return n;
}

/*
 * Put the free pages of unlisted chunk c on the lists, as blocks that end
 * at its edges, in the order the lists would have had them.
 */
static void
lazy_list_chunk(uint64_t c)
{
	uint64_t cs = c << LAZY_SHIFT, ce = cs + (UINT64_C(1) << LAZY_SHIFT);

	bitmap_fill(unlisted, c, 1, false);
	nunlisted--;
	for (unsigned i = 0; i < machine->nsegs; i++) {
		const struct machine_seg *sg = &machine->seg[i];
		uint64_t p = sg->spfn > cs ? sg->spfn : cs;
		uint64_t e = sg->epfn < ce ? sg->epfn : ce;

		while (p < e) {
			uint64_t f = bm_next(p, e, true), x;

			if (f >= e)
				break;
			x = bm_next(f, e, false);
			seg_dom(i)->nfree -= x - f;	/* insert counts them */
			insert_range(f, x, i, true);
			p = x;
		}
	}
}

/* List the unlisted chunks that [s, e) touches; palloc_lock. */
static inline void
lazy_list_range(uint64_t s, uint64_t e)
{
	uint64_t c, ce;

	if (nunlisted == 0)
		return;
	c = s >> LAZY_SHIFT;
	ce = ((e - 1) >> LAZY_SHIFT) + 1;
	while ((c = bitmap_next(unlisted, c, ce, true)) < ce)
		lazy_list_chunk(c++);
}

/*
 * For the fast path, which found nothing on d's lists: list the highest
 * unlisted chunk of d in [low, high), as the lists serve the highest
 * pages first.  False if there is none.
 */
static bool
lazy_list_more(const struct pdomain *d, uint64_t low, uint64_t high)
{
	if (nunlisted == 0)
		return false;
	for (unsigned i = machine->nsegs; i-- > 0;) {
		const struct machine_seg *sg = &machine->seg[i];
		uint64_t lo = sg->spfn > low ? sg->spfn : low;
		uint64_t hi = sg->epfn < high ? sg->epfn : high, c;

		if (seg_dom(i) != d || lo >= hi)
			continue;
		c = bitmap_prev(unlisted, lo >> LAZY_SHIFT,
		    ((hi - 1) >> LAZY_SHIFT) + 1, true);
		if (c != UINT64_MAX) {
			lazy_list_chunk(c);
			return true;
		}
	}
	return false;
}

/*
 * Leave every chunk of RAM unlisted, with its free pages counted: the
 * lists must be empty (after lists_detach_locked).
 */
static void
lazy_unlist_all_locked(void)
{
	for (unsigned i = 0; i < machine->nsegs; i++) {
		const struct machine_seg *sg = &machine->seg[i];
		uint64_t c = sg->spfn >> LAZY_SHIFT;
		uint64_t ce = ((sg->epfn - 1) >> LAZY_SHIFT) + 1;

		seg_dom(i)->nfree += bm_count(sg->spfn, sg->epfn);
		for (; c < ce; c++)
			if (!bitmap_test(unlisted, c)) {
				bitmap_fill(unlisted, c, 1, true);
				nunlisted++;
			}
	}
}

/* Take the free pages [s, s+n) off the lists; palloc_lock. */
static void
take_range_locked(uint64_t s, uint64_t n)
{
	uint64_t p = s, e = s + n;

	lazy_list_range(s, e);
	while (p < e) {
		uint64_t h = block_of(p);
		unsigned o = pm[h].order, seg = pm[h].seg;
		uint64_t he = h + (UINT64_C(1) << o);
		bool clean = (pm[h].flags & PM_CLEAN) != 0;

		list_remove(h);
		if (h < p)
			insert_range(h, p, seg, clean);
		if (he > e)
			insert_range(e, he, seg, clean);
		p = he;
	}
	bm_fill(s, n, false);
}

/* Punch every dirty free block of SWEEP_MIN bytes or more. */
static void
sweep_locked(void)
{
	unsigned min = 0;

	while ((UINT64_C(1) << (min + machine->pshift)) < SWEEP_MIN)
		min++;
	for (int n = 0; n < machine->spec.nodes; n++)
		for (int z = 0; z < NZONES; z++)
			for (unsigned o = min; o < PALLOC_NORDERS; o++)
				for (uint32_t h = dom[n][z].head[o]; h != NIL;
				    h = pm[h].next) {
					if (pm[h].flags & PM_CLEAN)
						continue;
					if (machine_ram_release(h,
					    UINT64_C(1) << o))
						pm[h].flags |= PM_CLEAN;
				}
	dirty_freed = 0;
}

static void
free_range_locked(uint64_t pfn, uint64_t n, bool clean)
{
	uint64_t e = pfn + n;

	nfreed += n;
	VERIFY(bm_next(pfn, e, true) == e);	/* nothing already free */
	lazy_list_range(pfn, e);	/* before the pages are free */
	bm_fill(pfn, n, true);
	while (pfn < e) {
		int seg = machine_seg_of(pfn);
		uint64_t se;

		VERIFY(seg >= 0);
		se = machine->seg[seg].epfn < e ? machine->seg[seg].epfn : e;
		while (pfn < se) {
			unsigned o = block_order(pfn, se);

			free_block(pfn, o, (unsigned)seg, clean);
			pfn += UINT64_C(1) << o;
		}
	}
}

/* Pages a caller had: dirty.  Sweep once enough of them were freed. */
static void
free_dirty_locked(uint64_t pfn, uint64_t n)
{
	free_range_locked(pfn, n, false);
	dirty_freed += n;
	if (dirty_freed >= sweep_at)
		sweep_locked();
}

/*
 * Take palloc_lock from inside a jemalloc hook.  The fork prepare handler
 * sets palloc_forking and then takes palloc_lock before jemalloc's own
 * prepare handler takes jemalloc's locks; a hook that blocked on
 * palloc_lock while holding a jemalloc lock would deadlock that fork, so
 * hooks spin on trylock and give up once a fork is being prepared.
 */
static bool
palloc_lock_hook(void)
{
	while (pthread_mutex_trylock(&palloc_lock) != 0) {
		if (palloc_forking)
			return false;
		sched_yield();
	}
	if (palloc_forking) {
		pthread_mutex_unlock(&palloc_lock);
		return false;
	}
	return true;
}

static void
palloc_fork_prepare(void)
{
	palloc_forking = true;
}

static void
palloc_fork_done(void)
{
	palloc_forking = false;
}

/* ---- allocation ---- */

/*
 * Fast path: a buddy block of the domain that lies in the window.  Its
 * order covers npages and the alignment, so the run at its head is aligned
 * and crosses no boundary >= npages; the tail is given back.
 */
static bool
alloc_buddy_lists_locked(struct pdomain *d, const struct palloc_req *r,
    uint64_t *pfnp)
{
	unsigned need = r->npages <= 1 ? 0 :
	    64 - (unsigned)__builtin_clzll(r->npages - 1);
	unsigned aord = (unsigned)__builtin_ctzll(r->align);

	if (aord > need)
		need = aord;
	if (r->boundary != 0 && (UINT64_C(1) << need) > r->boundary &&
	    r->align < r->boundary)
		return false;
	for (unsigned o = need; o < PALLOC_NORDERS; o++) {
		unsigned tries = 0;

		for (uint32_t h = d->head[o]; h != NIL && tries < 8;
		    h = pm[h].next, tries++) {
			if (h < r->low || h + (UINT64_C(1) << need) > r->high)
				continue;
			/*
			 * Only the pages taken change state: the rest of the
			 * block goes back to the lists as smaller blocks and
			 * stays free in the bitmap, so that a split costs
			 * O(order), not O(block size).
			 */
			take_range_locked(h, r->npages);
			*pfnp = h;
			return true;
		}
	}
	return false;
}

/* The same, with one more chunk of aged memory listed if nothing fits. */
static bool
alloc_buddy_locked(struct pdomain *d, const struct palloc_req *r,
    uint64_t *pfnp)
{
	return alloc_buddy_lists_locked(d, r, pfnp) ||
	    (lazy_list_more(d, r->low, r->high) &&
	    alloc_buddy_lists_locked(d, r, pfnp));
}

/* Exact search restricted to the segments of one domain. */
static bool
alloc_exact_dom_locked(int node, int zone, const struct palloc_req *r,
    uint64_t *pfnp)
{
	for (unsigned i = 0; i < machine->nsegs; i++) {
		const struct machine_seg *s = &machine->seg[i];
		uint64_t lo = s->spfn > r->low ? s->spfn : r->low;
		uint64_t hi = s->epfn < r->high ? s->epfn : r->high;

		if (s->node != node || s->zone != zone || lo >= hi)
			continue;
		if (palloc_find_run(lo, hi, r->npages, r->align, r->boundary,
		    pfnp)) {
			take_range_locked(*pfnp, r->npages);
			return true;
		}
	}
	return false;
}

static bool
zone_in_window(int zone, const struct palloc_req *r)
{
	uint64_t zs = zone == 0 ? 0 : machine_zone_end[zone - 1] >>
	    machine->pshift;
	uint64_t ze = machine_zone_end[zone] == UINT64_MAX ? UINT64_MAX :
	    machine_zone_end[zone] >> machine->pshift;

	return zs < r->high && r->low < ze;
}

/*
 * Domains in preference order: the preferred node's zones from the highest
 * down to zone_min, then other nodes by distance, then the zones below
 * zone_min the same way.  Returns the count; each entry is node*NZONES+zone.
 */
static unsigned
domain_order(const struct palloc_req *r, int node, int *out)
{
	int nodes = machine->spec.nodes;
	unsigned n = 0;

	for (int pass = 0; pass < 2; pass++) {
		for (int dist = 0; dist < nodes; dist++) {
			for (int sgn = 0; sgn < (dist == 0 ? 1 : 2); sgn++) {
				int nd = sgn == 0 ? node + dist : node - dist;

				if (nd < 0 || nd >= nodes)
					continue;
				for (int z = NZONES - 1; z >= 0; z--) {
					bool low = z < r->zone_min;

					if (low != (pass == 1) ||
					    dom[nd][z].ntotal == 0 ||
					    !zone_in_window(z, r))
						continue;
					out[n++] = nd * NZONES + z;
				}
			}
			if (r->strict)
				return n;
		}
	}
	return n;
}

static bool
alloc_locked(const struct palloc_req *r, int node, uint64_t *pfnp)
{
	int order[MACHINE_MAX_NODES * NZONES];
	unsigned n = domain_order(r, node, order);

	if (r->strict && n > 0 && order[0] / NZONES != node)
		return false;
	if (r->strict && n > 1)
		n = 1;
	for (unsigned i = 0; i < n; i++) {
		struct pdomain *d = &dom[order[i] / NZONES][order[i] % NZONES];

		if (d->nfree >= r->npages && alloc_buddy_locked(d, r, pfnp))
			return true;
	}
	for (unsigned i = 0; i < n; i++)
		if (alloc_exact_dom_locked(order[i] / NZONES,
		    order[i] % NZONES, r, pfnp))
			return true;
	/*
	 * Last, a run that straddles a zone line or node split: it must
	 * start less than npages before a join of two adjacent segments, so
	 * only those neighbourhoods are searched.
	 */
	for (unsigned i = 1; i < machine->nsegs && !r->strict; i++) {
		uint64_t b = machine->seg[i].spfn, lo, hi;

		if (machine->seg[i - 1].epfn != b)
			continue;
		lo = b > r->npages ? b + 1 - r->npages : 0;
		hi = b + r->npages - 1;
		if (lo < r->low)
			lo = r->low;
		if (hi > r->high)
			hi = r->high;
		if (hi > machine->npfn)
			hi = machine->npfn;
		if (lo < hi && palloc_find_run(lo, hi, r->npages, r->align,
		    r->boundary, pfnp)) {
			take_range_locked(*pfnp, r->npages);
			return true;
		}
	}
	return false;
}

/*
 * Allocate one run satisfying *r.  Returns 0 or ENOMEM; never sleeps.
 * Before failing, the registered reclaim hooks are run and the search is
 * repeated once.
 */
int
palloc_alloc(const struct palloc_req *r, uint64_t *pfnp)
{
	int node = r->node >= 0 ? r->node : machine_node();
	bool ok;

	*pfnp = 0;
	VERIFY(r->align != 0 && (r->align & (r->align - 1)) == 0);
	VERIFY(r->boundary == 0 || (r->boundary & (r->boundary - 1)) == 0);
	if (r->npages == 0 || r->low >= r->high)
		return ENOMEM;
	for (int attempt = 0; attempt < 2; attempt++) {
		uint64_t before;

		if (r->hook) {
			if (!palloc_lock_hook())
				return ENOMEM;
		} else {
			pthread_mutex_lock(&palloc_lock);
		}
		ok = alloc_locked(r, node, pfnp);
		before = nfreed;
		pthread_mutex_unlock(&palloc_lock);
		if (ok)
			return 0;
		/*
		 * Reclaim when a cache may hold what the request needs: the
		 * per-CPU caches hold nothing below 16 MiB.
		 */
		if (attempt > 0 || r->noreclaim || (!palloc_cache_dirty &&
		    !(atomic_load_explicit(&pcp_dirty, memory_order_relaxed) &&
		    r->high > machine_zone_end[ZONE_ISA] >> machine->pshift)))
			break;
		palloc_reclaim();
		/* Search again only if the hooks gave something back. */
		pthread_mutex_lock(&palloc_lock);
		ok = nfreed != before;
		pthread_mutex_unlock(&palloc_lock);
		if (!ok)
			break;
	}
	return ENOMEM;
}

/* Take exactly [pfn, pfn+npages) if it is free and in one segment. */
int
palloc_alloc_exact(uint64_t pfn, uint64_t npages, bool hook)
{
	int seg = machine_seg_of(pfn), err = ENOMEM;

	if (seg < 0 || pfn + npages > machine->seg[seg].epfn)
		return ENOMEM;
	if (hook) {
		if (!palloc_lock_hook())
			return ENOMEM;
	} else {
		pthread_mutex_lock(&palloc_lock);
	}
	if (bm_next(pfn, pfn + npages, false) == pfn + npages) {
		take_range_locked(pfn, npages);
		err = 0;
	}
	pthread_mutex_unlock(&palloc_lock);
	return err;
}

/* Free any run of allocated pages, whatever pieces it was allocated in. */
void
palloc_free(uint64_t pfn, uint64_t npages)
{
	palloc_free_quiet(pfn, npages);
	palloc_notify();
}

/* The same without waking sleepers: a caller undoing its own attempt. */
void
palloc_free_quiet(uint64_t pfn, uint64_t npages)
{
	VERIFY(pfn != 0 && pfn + npages <= machine->npfn && npages > 0);
	pthread_mutex_lock(&palloc_lock);
	free_dirty_locked(pfn, npages);
	pthread_mutex_unlock(&palloc_lock);
}

/* From a jemalloc hook: false (keep the extent) while a fork is prepared. */
bool
palloc_free_hook(uint64_t pfn, uint64_t npages)
{
	VERIFY(pfn != 0 && pfn + npages <= machine->npfn && npages > 0);
	if (!palloc_lock_hook())
		return false;
	free_dirty_locked(pfn, npages);
	pthread_mutex_unlock(&palloc_lock);
	palloc_notify();
	return true;
}

bool
palloc_is_free(uint64_t pfn, uint64_t npages)
{
	bool r;

	pthread_mutex_lock(&palloc_lock);
	r = bm_next(pfn, pfn + npages, false) == pfn + npages;
	pthread_mutex_unlock(&palloc_lock);
	return r;
}

/* Free pages of [lo, hi), pfns of RAM or not: a walk of the bitmap's runs. */
uint64_t
palloc_count_free(uint64_t lo, uint64_t hi)
{
	uint64_t n = 0;

	pthread_mutex_lock(&palloc_lock);
	for (unsigned i = 0; i < machine->nsegs; i++) {
		const struct machine_seg *s = &machine->seg[i];
		uint64_t p = s->spfn > lo ? s->spfn : lo;
		uint64_t e = s->epfn < hi ? s->epfn : hi;

		while (p < e) {
			uint64_t f = bm_next(p, e, true), c;

			if (f >= e)
				break;
			c = bm_next(f, e, false);
			n += c - f;
			p = c;
		}
	}
	pthread_mutex_unlock(&palloc_lock);
	return n;
}

/*
 * The first page of [pfn, pfn+npages) that nobody holds: free on the
 * buddy lists, or parked free in a per-CPU cache; pfn+npages if all are
 * held.  For the device models' audit, not for a fast path: the caches
 * are searched block by block.
 */
uint64_t
palloc_unheld(uint64_t pfn, uint64_t npages)
{
	uint64_t end = pfn + npages, first;
	int ncpu = machine->spec.cpus;

	/*
	 * The slots, every cache, then the lists (the lock order): a page
	 * moving between a cache and the lists is seen in one or the other.
	 * A block a slot's owner moves to a cache is in neither while it
	 * waits for the cache's lock, and counts as held then.
	 */
	pthread_mutex_lock(&ptc_lock);
	for (int cpu = 0; cpu < ncpu; cpu++)
		pcp_lock(&pcp[cpu].lock);
	pthread_mutex_lock(&palloc_lock);
	first = bm_next(pfn, end, true);
	for (const struct ptc *t = ptc_list; t != NULL; t = t->next)
		for (unsigned o = 0; o < PALLOC_PCP_ORDERS; o++) {
			uint64_t b = atomic_load_explicit(&t->slot[o].blk,
			    memory_order_relaxed);
			uint64_t be = b + (UINT64_C(1) << o);

			if (b != 0 && b < first && be > pfn)
				first = b > pfn ? b : pfn;
		}
	for (int cpu = 0; cpu < ncpu; cpu++) {
		const struct pcpu *c = &pcp[cpu];

		for (unsigned o = 0; o < PALLOC_PCP_ORDERS; o++)
			for (int dm = 0; dm < PCP_DOMS; dm++)
				for (uint32_t i = 0; i < c->n[o][dm]; i++) {
					uint64_t b = c->pfn[o][dm][i];
					uint64_t be = b + (UINT64_C(1) << o);

					if (b < first && be > pfn)
						first = b > pfn ? b : pfn;
				}
	}
	pthread_mutex_unlock(&palloc_lock);
	for (int cpu = ncpu - 1; cpu >= 0; cpu--)
		pcp_unlock(&pcp[cpu].lock);
	pthread_mutex_unlock(&ptc_lock);
	return first;
}

/* ---- per-CPU single pages ---- */

static void
zone_pfns(int zone, uint64_t *zs, uint64_t *ze)
{
	*zs = zone == 0 ? 0 : machine_zone_end[zone - 1] >> machine->pshift;
	*ze = machine_zone_end[zone] == UINT64_MAX ? machine->npfn :
	    machine_zone_end[zone] >> machine->pshift;
	if (*ze > machine->npfn)
		*ze = machine->npfn;
}

/* The cache of a zone serves a window only if the zone lies inside it. */
static bool
pcp_zone_ok(int zone, uint64_t low, uint64_t high)
{
	uint64_t zs, ze;

	zone_pfns(zone, &zs, &ze);
	return zs >= low && ze <= high;
}

/*
 * A naturally aligned block of 2^o pages in [low, high) from the calling
 * CPU's caches, refilled in batches from the buddy lists.  When no cache
 * can serve the window, a page comes from palloc_alloc, and a block
 * request fails with ENOMEM, for its caller to search as it would have.
 */
/* From CPU cache c, stack (o, node, z), refilled if empty; under c->lock. */
static bool
pcp_take_locked(struct pcpu *c, unsigned o, int node, int z, uint64_t low,
    uint64_t high, uint64_t *pfnp)
{
	struct pdomain *d = &dom[node][z];
	uint32_t *n = &c->n[o][node * NZONES + z];
	uint32_t *stack = c->pfn[o][node * NZONES + z];
	uint64_t np = UINT64_C(1) << o;

	if (d->ntotal == 0 || !pcp_zone_ok(z, low, high))
		return false;
	if (*n == 0) {
		struct palloc_req b = { .npages = np, .align = np,
		    .node = node, .strict = true };

		zone_pfns(z, &b.low, &b.high);
		pthread_mutex_lock(&palloc_lock);
		while (*n < pcp_batch(o) && alloc_buddy_locked(d, &b, pfnp))
			stack[(*n)++] = (uint32_t)*pfnp;
		pthread_mutex_unlock(&palloc_lock);
		pcp_cached();		/* parked pages */
	}
	while (*n > 0) {
		uint64_t p = stack[--*n];

		if (p >= low && p + np <= high) {
			*pfnp = p;
			return true;
		}
		palloc_free(p, np);
	}
	return false;
}

static void ptc_key(unsigned o, uint64_t low, uint64_t high, int node,
    int dm, uint64_t pfn);

/* palloc_block_alloc past the thread's slot: the CPU's caches, the lists. */
static __attribute__((noinline)) int
pcp_block_alloc(unsigned o, uint64_t low, uint64_t high, int node,
    uint64_t *pfnp)
{
	int cpu = machine_cpu(), home = machine->cpu_node[cpu];
	int nn = machine->spec.nodes;
	struct pcpu *c = &pcp[cpu];
	uint64_t np = UINT64_C(1) << o;
	struct palloc_req r;
	struct pcp_hint *h;

	VERIFY3U(o, <, PALLOC_PCP_ORDERS);
	/* Below 16 MiB only: no cache serves it (ZONE_ISA is not cached). */
	if (high <= machine_zone_end[ZONE_ISA] >> machine->pshift)
		goto uncached;
	pcp_lock(&c->lock);
	h = &c->hint[o];
	if (likely(h->dm >= 0 && h->high == high && h->low == low &&
	    h->node == node && c->n[o][h->dm] > 0)) {
		uint64_t p = c->pfn[o][h->dm][c->n[o][h->dm] - 1];

		/* the zone lies in the window: checked as the search does */
		if (likely(p >= low && p + np <= high)) {
			int dm = h->dm;

			c->n[o][dm]--;
			pcp_unlock(&c->lock);
			*pfnp = p;
			ptc_key(o, low, high, node, dm, p);
			return 0;
		}
	}
	/* The asked-for node, or the CPU's own and then the others. */
	for (int k = 0; k < (node < 0 ? nn : 1); k++) {
		int nd = node >= 0 ? node : (home + k) % nn;

		for (int z = NZONES - 1; z > ZONE_ISA; z--)
			if (pcp_take_locked(c, o, nd, z, low, high, pfnp)) {
				*h = (struct pcp_hint){ .low = low,
				    .high = high, .node = node,
				    .dm = nd * NZONES + z };
				pcp_unlock(&c->lock);
				ptc_key(o, low, high, node, nd * NZONES + z,
				    *pfnp);
				return 0;
			}
	}
	h->dm = -1;
	pcp_unlock(&c->lock);
uncached:
	/* Blocks: the caller has a better search of its own than this. */
	if (o > 0)
		return ENOMEM;
	/* A page: the lists, where zones below zone_min serve last. */
	r = (struct palloc_req){ .npages = np, .low = low, .high = high,
	    .align = np, .node = node, .zone_min = ZONE_ISA + 1 };
	return palloc_alloc(&r, pfnp);
}

int
palloc_block_alloc(unsigned o, uint64_t low, uint64_t high, int node,
    uint64_t *pfnp)
{
	struct ptc_slot *s;

	VERIFY3U(o, <, PALLOC_PCP_ORDERS);
	s = &ptc.slot[o];
	if (likely(ptc.gen == machine->generation &&
	    ptc.cpu == machine_thread_cpu && s->low == low &&
	    s->high == high && s->node == node)) {
		uint32_t b = atomic_exchange_explicit(&s->blk, 0,
		    memory_order_acquire);

		if (likely(b != 0)) {
			*pfnp = b;
			return 0;
		}
	}
	return pcp_block_alloc(o, low, high, node, pfnp);
}

int
palloc_page_alloc(uint64_t low, uint64_t high, int node, uint64_t *pfnp)
{
	return palloc_block_alloc(0, low, high, node, pfnp);
}

/* A block of stack dm onto the caller's CPU's cache. */
static void
pcp_push(uint64_t pfn, unsigned o, int dm)
{
	struct pcpu *c = &pcp[machine_cpu()];
	uint64_t np = UINT64_C(1) << o;
	uint32_t *n;

	pcp_lock(&c->lock);
	n = &c->n[o][dm];
	if (*n == pcp_cap(o)) {
		pthread_mutex_lock(&palloc_lock);
		while (*n > pcp_cap(o) / 2)
			free_dirty_locked(c->pfn[o][dm][--*n], np);
		pthread_mutex_unlock(&palloc_lock);
	}
	c->pfn[o][dm][(*n)++] = (uint32_t)pfn;
	pcp_unlock(&c->lock);
}

/* The stack a block belongs on; -1 if no cache takes it. */
static inline int
pcp_dom_of(uint64_t pfn, unsigned o)
{
	int seg = machine_seg_of(pfn);
	const struct machine_seg *s;

	VERIFY(seg >= 0);
	s = &machine->seg[seg];
	/* A cached block lies in the segment of one zone of one node. */
	if (s->zone == ZONE_ISA || pfn + (UINT64_C(1) << o) > s->epfn)
		return -1;
	return s->node * NZONES + s->zone;
}

/*
 * A block palloc_block_alloc gave, back to the caller's slot, or its
 * CPU's cache.
 */
void
palloc_block_free(uint64_t pfn, unsigned o)
{
	uint64_t np = UINT64_C(1) << o;
	struct ptc_slot *s;
	bool mine;
	int dm;

	VERIFY3U(o, <, PALLOC_PCP_ORDERS);
	s = &ptc.slot[o];
	mine = ptc.gen == machine->generation && ptc.cpu == machine_thread_cpu;
	/* in the segment the slot's last block came from: the slot's stack */
	if (likely(mine && pfn >= s->seg_lo && pfn + np <= s->seg_hi))
		dm = s->dm;
	else if ((dm = pcp_dom_of(pfn, o)) < 0) {
		palloc_free(pfn, np);
		return;
	}
	if (likely(mine && s->dm == dm)) {
		/* Only this thread puts: an empty slot stays empty till then. */
		uint32_t old = atomic_load_explicit(&s->blk,
		    memory_order_relaxed);

		if (old == 0)
			atomic_store_explicit(&s->blk, (uint32_t)pfn,
			    memory_order_release);
		else if ((old = atomic_exchange_explicit(&s->blk,
		    (uint32_t)pfn, memory_order_acq_rel)) != 0)
			pcp_push(old, o, dm);
	} else {
		pcp_push(pfn, o, dm);
	}
	pcp_cached();
	palloc_notify();
}

/* ---- the per-thread slots ---- */

/* Every block parked in t's slots, under palloc_lock, to the lists. */
static void
ptc_give_back_locked(struct ptc *t)
{
	for (unsigned o = 0; o < PALLOC_PCP_ORDERS; o++) {
		uint32_t b = atomic_exchange_explicit(&t->slot[o].blk, 0,
		    memory_order_acquire);

		if (b != 0)
			free_dirty_locked(b, UINT64_C(1) << o);
	}
}

/* Thread exit: off the list, its blocks back; no slot from now on. */
static void
ptc_exit(void *arg)
{
	struct ptc *t = arg;

	pthread_mutex_lock(&ptc_lock);
	if (t->listed) {
		if (t->next != NULL)
			t->next->prevp = t->prevp;
		*t->prevp = t->next;
		t->listed = false;
		/* a machine that was shut down emptied the slots first */
		pthread_mutex_lock(&palloc_lock);
		ptc_give_back_locked(t);
		pthread_mutex_unlock(&palloc_lock);
	}
	t->exited = true;
	t->gen = 0;
	pthread_mutex_unlock(&ptc_lock);
	palloc_notify();	/* sleepers may want what came back */
}

static void
ptc_exit_key_init(void)
{
	VERIFY(pthread_key_create(&ptc_exit_key, ptc_exit) == 0);
}

/*
 * Set the calling thread's slot of order o to serve (low, high, node)
 * from stack dm, which just served it block pfn: a block of another
 * stack parked there goes back first, and a thread that moved to another
 * CPU, or has not set its slots up on this machine, starts afresh.  The
 * slot remembers pfn's segment, whose blocks then need no lookup of
 * their stack when they are freed.
 */
static void
ptc_key(unsigned o, uint64_t low, uint64_t high, int node, int dm,
    uint64_t pfn)
{
	struct ptc_slot *s = &ptc.slot[o];
	uint32_t b;

	if (unlikely(ptc.gen != machine->generation ||
	    ptc.cpu != machine_thread_cpu)) {
		if (ptc.exited)
			return;
		if (!ptc.listed) {
			pthread_once(&ptc_once, ptc_exit_key_init);
			pthread_mutex_lock(&ptc_lock);
			ptc.next = ptc_list;
			if (ptc_list != NULL)
				ptc_list->prevp = &ptc.next;
			ptc.prevp = &ptc_list;
			ptc_list = &ptc;
			ptc.listed = true;
			pthread_mutex_unlock(&ptc_lock);
			pthread_setspecific(ptc_exit_key, &ptc);
		}
		/* Another CPU's blocks: back through this one's cache. */
		for (unsigned k = 0; k < PALLOC_PCP_ORDERS; k++) {
			struct ptc_slot *x = &ptc.slot[k];

			if (ptc.gen == machine->generation &&
			    (b = atomic_exchange_explicit(&x->blk, 0,
			    memory_order_acquire)) != 0)
				pcp_push(b, k, x->dm);
			/* blk is 0: a reclaim only empties it */
			x->low = x->high = x->seg_lo = x->seg_hi = 0;
			x->node = 0;
			x->dm = -1;
		}
		ptc.gen = machine->generation;
		ptc.cpu = machine_thread_cpu;
	}
	if (s->dm != dm && (b = atomic_exchange_explicit(&s->blk, 0,
	    memory_order_acquire)) != 0)
		pcp_push(b, o, s->dm);
	if (s->dm != dm || pfn < s->seg_lo ||
	    pfn + (UINT64_C(1) << o) > s->seg_hi) {
		const struct machine_seg *sg;

		sg = &machine->seg[machine_seg_of(pfn)];
		s->seg_lo = sg->spfn;
		s->seg_hi = sg->epfn;
	}
	s->low = low;
	s->high = high;
	s->node = node;
	s->dm = dm;
}

/* Every thread's parked blocks to the lists: a reclaim. */
static void
ptc_drain_all(void)
{
	pthread_mutex_lock(&ptc_lock);
	pthread_mutex_lock(&palloc_lock);
	for (struct ptc *t = ptc_list; t != NULL; t = t->next)
		ptc_give_back_locked(t);
	pthread_mutex_unlock(&palloc_lock);
	pthread_mutex_unlock(&ptc_lock);
}

/* Machine shutdown: the blocks parked in slots go with its memory. */
static void
ptc_forget_all(void)
{
	pthread_mutex_lock(&ptc_lock);
	for (struct ptc *t = ptc_list; t != NULL; t = t->next)
		for (unsigned o = 0; o < PALLOC_PCP_ORDERS; o++)
			atomic_store_explicit(&t->slot[o].blk, 0,
			    memory_order_relaxed);
	pthread_mutex_unlock(&ptc_lock);
}

/*
 * A forked child has only the thread that forked: the other threads'
 * slots lie in memory the child may reuse for threads of its own, so
 * their blocks go back to the lists and they leave the list.  The fork
 * handler holds every lock while this runs.
 */
static void
ptc_fork_child(void)
{
	for (struct ptc *t = ptc_list; t != NULL; t = t->next)
		if (t != &ptc && pm != NULL)
			ptc_give_back_locked(t);
	ptc_list = NULL;
	if (ptc.listed) {
		ptc.next = NULL;
		ptc.prevp = &ptc_list;
		ptc_list = &ptc;
	}
}

void
palloc_page_free(uint64_t pfn)
{
	palloc_block_free(pfn, 0);
}

static void
pcp_drain_all(void)
{
	ptc_drain_all();
	for (int cpu = 0; cpu < machine->spec.cpus; cpu++) {
		struct pcpu *c = &pcp[cpu];

		pcp_lock(&c->lock);
		pthread_mutex_lock(&palloc_lock);
		for (unsigned o = 0; o < PALLOC_PCP_ORDERS; o++)
			for (int dm = 0; dm < PCP_DOMS; dm++)
				while (c->n[o][dm] > 0)
					free_dirty_locked(c->pfn[o][dm]
					    [--c->n[o][dm]], UINT64_C(1) << o);
		pthread_mutex_unlock(&palloc_lock);
		pcp_unlock(&c->lock);
	}
	palloc_notify();
}

/* ---- reclaim and waiting ---- */

void
palloc_reclaim_register(palloc_reclaim_fn fn)
{
	for (unsigned i = 0; i < nreclaim; i++)
		if (reclaim_fn[i] == fn)
			return;
	VERIFY(nreclaim < MAX_RECLAIM);
	reclaim_fn[nreclaim++] = fn;
}

void
palloc_reclaim(void)
{
	palloc_cache_dirty = false;
	pcp_dirty = false;
	for (unsigned i = 0; i < nreclaim; i++)
		reclaim_fn[i]();
	pcp_drain_all();
}

uint64_t
palloc_generation(void)
{
	return palloc_gen;
}

/*
 * Wake sleepers after memory was freed.  Cheap when nobody sleeps: a
 * sleeper registers (palloc_wait_begin) before its last attempt, so a
 * free that finds no sleeper registered happened before that attempt,
 * which then sees the memory.
 */
void
palloc_notify_slow(void)
{
	pthread_mutex_lock(&wait_lock);
	palloc_gen++;
	pthread_cond_broadcast(&wait_cv);
	pthread_mutex_unlock(&wait_lock);
}

uint64_t
palloc_wait_begin(void)
{
	palloc_nwaiters++;
	return palloc_gen;
}

void
palloc_wait_end(void)
{
	palloc_nwaiters--;
}

/* Sleep until a free after generation gen, or w's deadline; false then. */
bool
palloc_wait(uint64_t gen, struct vwait *w)
{
	bool woke;

	pthread_mutex_lock(&wait_lock);
	while (palloc_gen == gen)
		if (vwait_cond(w, &wait_cv, &wait_lock, NULL))
			break;
	woke = palloc_gen != gen;
	pthread_mutex_unlock(&wait_lock);
	return woke;
}

/* ---- life cycle ---- */

static pthread_once_t palloc_once = PTHREAD_ONCE_INIT;

static void
palloc_once_init(void)
{
	pthread_cond_init(&wait_cv, NULL);
	machine_fork_hooks_register(palloc_fork_prepare, palloc_fork_done);
	machine_fork_child_register(ptc_fork_child);
}

int
palloc_init(void)
{
	uint64_t npfn = machine->npfn;

	pthread_once(&palloc_once, palloc_once_init);
	pm_len = (size_t)npfn * sizeof(struct pmeta);
	bm_len = (size_t)((npfn + 63) / 64 +
	    (((npfn + (UINT64_C(1) << LAZY_SHIFT) - 1) >> LAZY_SHIFT) + 63) /
	    64) * sizeof(uint64_t);
	pm = mmap(NULL, pm_len, PROT_READ | PROT_WRITE, MAP_PRIVATE |
	    MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (pm == MAP_FAILED)
		return ENOMEM;
	bm = mmap(NULL, bm_len, PROT_READ | PROT_WRITE, MAP_PRIVATE |
	    MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (bm == MAP_FAILED) {
		munmap(pm, pm_len);
		return ENOMEM;
	}
	unlisted = bm + (npfn + 63) / 64;
	nunlisted = 0;
	memset(dom, 0, sizeof(dom));
	for (int n = 0; n < MACHINE_MAX_NODES; n++)
		for (int z = 0; z < NZONES; z++)
			for (int o = 0; o < PALLOC_NORDERS; o++)
				dom[n][z].head[o] = NIL;
	for (int c = 0; c < MACHINE_MAX_CPUS; c++) {
		memset(pcp[c].n, 0, sizeof(pcp[c].n));
		for (unsigned o = 0; o < PALLOC_PCP_ORDERS; o++)
			pcp[c].hint[o].dm = -1;
	}
	dirty_freed = 0;
	palloc_cache_dirty = false;
	/* sweep after max(16 MiB, RAM / 64) of freed pages */
	sweep_at = (UINT64_C(16) << 20) >> machine->pshift;
	if (sweep_at < machine->npfn / 64)
		sweep_at = machine->npfn / 64;
	aged_pages = 0;
	for (unsigned i = 0; i < machine->nsegs; i++) {
		const struct machine_seg *s = &machine->seg[i];
		/* Physical page 0 is never handed out: 0 means "no page". */
		uint64_t sp = s->spfn == 0 ? 1 : s->spfn;

		dom[s->node][s->zone].ntotal += s->epfn - s->spfn;
		if (sp >= s->epfn)
			continue;
		bm_fill(sp, s->epfn - sp, true);
		insert_range(sp, s->epfn, i, true);
	}
	return 0;
}

void
palloc_fini(void)
{
	ptc_forget_all();
	if (pm != NULL)
		munmap(pm, pm_len);
	if (bm != NULL)
		munmap(bm, bm_len);
	pm = NULL;
	bm = NULL;
	unlisted = NULL;
	nunlisted = 0;
}

/* ---- statistics ---- */

uint64_t
palloc_free_pages(int node, int zone)
{
	uint64_t n;

	pthread_mutex_lock(&palloc_lock);
	n = dom[node][zone].nfree;
	pthread_mutex_unlock(&palloc_lock);
	return n;
}

uint64_t
palloc_total_pages(int node, int zone)
{
	return dom[node][zone].ntotal;
}

size_t
palloc_meta_bytes(void)
{
	return pm_len + bm_len;
}

/* Bytes of struct pmeta the host has pages for: those ever written. */
size_t
palloc_meta_resident(void)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE), res = 0;
	unsigned char v[1024];

	for (size_t off = 0; off < pm_len; off += sizeof(v) * pg) {
		size_t len = pm_len - off < sizeof(v) * pg ? pm_len - off :
		    sizeof(v) * pg;

		if (mincore((char *)pm + off, len, v) != 0)
			return SIZE_MAX;
		for (size_t i = 0; i < (len + pg - 1) / pg; i++)
			res += (v[i] & 1) * pg;
	}
	return res;
}

uint64_t
palloc_aged_pages(void)
{
	return aged_pages;
}

void
palloc_histogram(int node, int zone, uint64_t hist[DDISIM_HIST_BUCKETS])
{
	memset(hist, 0, sizeof(uint64_t) * DDISIM_HIST_BUCKETS);
	pthread_mutex_lock(&palloc_lock);
	for (unsigned i = 0; i < machine->nsegs; i++) {
		const struct machine_seg *s = &machine->seg[i];
		uint64_t p = s->spfn;

		if (s->node != node || s->zone != zone)
			continue;
		while (p < s->epfn) {
			uint64_t f = bm_next(p, s->epfn, true), c;

			if (f >= s->epfn)
				break;
			c = bm_next(f, s->epfn, false);
			hist[63 - __builtin_clzll(c - f)]++;
			p = c;
		}
	}
	pthread_mutex_unlock(&palloc_lock);
}

/* ---- aging ---- */

#define AGE_SCAN	(UINT64_C(1) << 16)	/* pages scanned per try */
#define AGE_MAX_EXT	MACHINE_MAX_SEGS
#define AGE_TILE	(UINT64_C(1) << 18)	/* pages a large machine's
						   aging simulates */

struct held {
	uint64_t	pfn, n;
};

/*
 * The aging workload works on a bitmap alone: the buddy lists are taken
 * down before it starts and rebuilt from the bitmap, a chunk at a time as
 * they are needed (lazy_list_chunk), once it ends, so that each of its
 * allocations and frees costs a few bit operations and not a split or a
 * merge of blocks.  A summary bitmap (a bit per bitmap word,
 * set while the word has a free page) lets its searches cross allocated
 * memory 4096 pages at a time, and the searches are clipped to the RAM
 * extents (adjacent segments joined), so that a hole is never scanned.
 * None of this changes a result: each search returns what the search over
 * the whole bitmap would, so the aged memory is the same, page for page,
 * for a given seed.
 *
 * A machine larger than AGE_TILE pages is not aged page by page: the
 * workload runs on a tile of AGE_TILE pages, with as many steps per page
 * as the machine would have had, and the machine's memory is then laid
 * out from turns of the tile (see age_spread).  The workload is local (it
 * looks for room within AGE_SCAN pages of a random place), so a tile whose
 * windows wrap around its end, as if it were a piece of an endless
 * memory, ages like any stretch of a large machine's memory; the places
 * the machine's holes and end give the workload are given to the tile in
 * the same proportion (see tile_place).  The machine's free runs are then
 * the tile's, distributed as page-by-page aging distributes them (within
 * a few percent in each size class; test_palloc compares the two), for a
 * constant cost: a machine of any size costs what 1 GiB did.
 */
struct age {
	uint64_t	*bm;		/* the bitmap aged, 1 = free */
	uint64_t	*sum;		/* [npfn / 4096 + 1] */
	uint64_t	ext[AGE_MAX_EXT][2];	/* RAM extents [s, e) */
	unsigned	next;
	uint64_t	npfn;		/* pages the workload picks places in */
	bool		torus;		/* a tile: windows wrap at npfn */
	/* a tile's share of the machine's holes (see tile_place) */
	uint64_t	vhole;		/* places, beyond npfn */
	double		hscale;		/* machine hole pages per place */
	uint64_t	hole[AGE_MAX_EXT];	/* the machine's holes, pages */
	unsigned	nholes;
	double		edge;		/* see tile_place */
	double		pscale;		/* tile pages / machine's RAM */
};

/* Set or clear the bits of [s, s+n) and their words' summary bits. */
static inline void
age_fill(struct age *a, uint64_t s, uint64_t n, bool set)
{
	uint64_t e = s + n;

	while (s < e) {
		uint64_t w = s >> 6, b = s & 63;
		uint64_t cnt = 64 - b < e - s ? 64 - b : e - s;
		uint64_t mask = (cnt == 64 ? ~UINT64_C(0) :
		    ((UINT64_C(1) << cnt) - 1)) << b;
		uint64_t sbit = UINT64_C(1) << (w & 63);

		if (set) {
			a->bm[w] |= mask;
			a->sum[w >> 6] |= sbit;
		} else if ((a->bm[w] &= ~mask) == 0)
			a->sum[w >> 6] &= ~sbit;
		s += cnt;
	}
}

/* palloc_find_run(lo, hi, n, align, 0) over the extents, with the summary. */
static bool
age_find(const struct age *a, uint64_t lo, uint64_t hi, uint64_t n,
    uint64_t align, uint64_t *pfnp)
{
	for (unsigned i = 0; i < a->next; i++) {
		uint64_t l = lo > a->ext[i][0] ? lo : a->ext[i][0];
		uint64_t h = hi < a->ext[i][1] ? hi : a->ext[i][1];

		if (l < h && bitmap_find_run_sum(a->bm, a->sum, l, h, n, align,
		    0, pfnp))
			return true;
	}
	return false;
}

/* Take every free block off the lists; the bitmap keeps the truth. */
static void
lists_detach_locked(void)
{
	for (int n = 0; n < machine->spec.nodes; n++)
		for (int z = 0; z < NZONES; z++)
			for (unsigned o = 0; o < PALLOC_NORDERS; o++)
				while (dom[n][z].head[o] != NIL)
					list_remove(dom[n][z].head[o]);
}

/* Run length of the simulated workload: mostly small, a long tail. */
static uint64_t
age_size(struct rng *r)
{
	uint64_t x = rng_below(r, 100);

	if (x < 50)
		return 1;
	if (x < 75)
		return 2 + rng_below(r, 3);
	if (x < 90)
		return 5 + rng_below(r, 12);
	if (x < 98)
		return 17 + rng_below(r, 48);
	return 65 + rng_below(r, 448);
}

/* [lo, hi) of a tile, hi - lo <= npfn, going on at its start past its end. */
static bool
tile_find(const struct age *a, uint64_t lo, uint64_t hi, uint64_t n,
    uint64_t align, uint64_t *pfnp)
{
	uint64_t t = a->npfn;

	return age_find(a, lo, hi < t ? hi : t, n, align, pfnp) ||
	    (hi > t && age_find(a, 0, hi - t, n, align, pfnp));
}

/*
 * Where a run goes on a tile, found as on the machine, whose random places
 * fall in its holes too and whose windows stop at its holes and its end.
 * The place is drawn from the tile's pages and its share of the machine's
 * holes: vhole places, each standing for hscale hole pages.  A place in a
 * hole has what is left of its window after the hole's end, which is the
 * tile's page 0, nothing if the window ends inside the hole; as the tile
 * takes only pscale of the places that crowd the memory after a hole, it
 * takes them on pscale of that memory, to crowd it as much.  A window
 * that would go on past the tile's end stops there as often as the
 * machine's windows meet a hole they cannot cross or the end of RAM
 * (edge).  A single page not found in its window is the first free one
 * after it, as on the machine.
 */
static bool
tile_place(const struct age *a, struct rng *r, uint64_t n, uint64_t align,
    uint64_t *pfnp)
{
	uint64_t t = a->npfn, start = rng_below(r, t + a->vhole), lo, hi;

	if (start < t) {
		lo = start;
		hi = start + AGE_SCAN;
		/* a window that a large hole or the end of RAM cuts short */
		if (hi > t && rng_unit(r) < a->edge)
			hi = t;
	} else {
		uint64_t x = (uint64_t)((double)(start - t) * a->hscale), d;
		unsigned i = 0;

		while (i + 1 < a->nholes && x >= a->hole[i])
			x -= a->hole[i++];
		d = x < a->hole[i] ? a->hole[i] - x : 1;
		lo = 0;
		hi = d < AGE_SCAN ? (uint64_t)((double)(AGE_SCAN - d) *
		    a->pscale) : 0;
	}
	if (hi > lo && tile_find(a, lo, hi, n, align, pfnp))
		return true;
	return n == 1 && tile_find(a, hi % t, hi % t + t, 1, 1, pfnp);
}

/*
 * The workload: it allocates runs of mixed sizes at random places (a
 * long-running system's free list is in random order) and frees whole runs
 * or pieces of them, until target pages are held; it then churns the same
 * amount again so that what stays free has the shape of an aged system's
 * free memory rather than of fresh random holes.  Returns the pages held.
 */
static uint64_t
age_run(struct age *a, struct held *h, uint64_t target, uint64_t maxops,
    struct rng *r)
{
	uint64_t held = 0, ops = 0, npfn = a->npfn;
	size_t nh = 0;

	while (ops++ < maxops || held < target) {
		bool grow = held < target && (ops > maxops / 2 ||
		    rng_below(r, 100) < 60 || nh == 0);

		if (grow) {
			uint64_t n = age_size(r), start, lim, p;
			uint64_t align = rng_below(r, 4) == 0 ?
			    UINT64_C(1) << (63 - __builtin_clzll(n)) : 1;
			bool found;

			/*
			 * Look near a random place; only single pages search
			 * everywhere, so that a run on aged memory costs a
			 * bounded scan rather than one of all RAM.
			 */
			if (a->torus)
				found = tile_place(a, r, n, align, &p);
			else {
				start = rng_below(r, npfn);
				lim = start + AGE_SCAN < npfn ?
				    start + AGE_SCAN : npfn;
				found = age_find(a, start, lim, n, align, &p) ||
				    (n == 1 && (age_find(a, lim, npfn, n, align,
				    &p) || age_find(a, 1, start + n, n, align,
				    &p)));
			}
			if (!found) {
				if (n == 1)
					break;	/* memory is full */
				continue;
			}
			age_fill(a, p, n, false);
			h[nh++] = (struct held){ p, n };
			held += n;
		} else {
			size_t i = (size_t)rng_below(r, nh);
			uint64_t cut = h[i].n > 1 && rng_below(r, 3) == 0 ?
			    1 + rng_below(r, h[i].n - 1) : h[i].n;

			/* Free the tail piece of a run, or all of it. */
			age_fill(a, h[i].pfn + h[i].n - cut, cut, true);
			nfreed += cut;
			held -= cut;
			h[i].n -= cut;
			if (h[i].n == 0)
				h[i] = h[--nh];
		}
	}
	return held;
}

/* The first page at or after pos (cyclically) of the tile in state want. */
static uint64_t
tile_next(const uint64_t *tb, uint64_t pos, bool want)
{
	uint64_t p = bitmap_next(tb, pos % AGE_TILE, AGE_TILE, want);

	if (p < AGE_TILE)
		return p;
	p = bitmap_next(tb, 0, AGE_TILE, want);
	return p < AGE_TILE ? p : UINT64_MAX;
}

/* Copy the tile's pages [q, q+n) (cyclically) to bm[p, p+n), q = p mod 64. */
static void
tile_copy(const uint64_t *tb, uint64_t q, uint64_t p, uint64_t n)
{
	while (n > 0) {
		uint64_t b = p & 63, cnt = 64 - b < n ? 64 - b : n;
		uint64_t mask = (cnt == 64 ? ~UINT64_C(0) :
		    ((UINT64_C(1) << cnt) - 1)) << b;

		bm[p >> 6] = (bm[p >> 6] & ~mask) |
		    (tb[(q % AGE_TILE) >> 6] & mask);
		q += cnt;
		p += cnt;
		n -= cnt;
	}
}

/*
 * A place in the tile where a free run starts (the page before it is
 * held), at an offset equal to p's modulo 64, searched from a random word:
 * a copy from there keeps the tile's alignments up to 64 pages.  A random
 * place at that offset when there is none.
 */
static uint64_t
tile_run_start(const uint64_t *tb, uint64_t p, struct rng *r)
{
	uint64_t nw = AGE_TILE / 64, w0 = rng_below(r, nw);
	unsigned b = (unsigned)(p & 63);

	for (uint64_t k = 0; k < nw; k++) {
		uint64_t w = (w0 + k) % nw;
		uint64_t prev = tb[(w + nw - 1) % nw];
		uint64_t starts = tb[w] & ~(tb[w] << 1 | prev >> 63);

		if ((starts >> b) & 1)
			return (w << 6) | b;
	}
	return (w0 << 6) | b;
}

/*
 * Lay each RAM extent out as turns of the aged tile, each from a free run
 * of the tile once round it: a turn holds every run of the tile once,
 * begins with a free run and ends with the held page before it, so that
 * the turns neither merge nor cut free runs, and the machine's free runs
 * are the tile's, in the same proportions.  Each turn starts at a place
 * of its own, and an extent begins at a random place of the tile, as a
 * hole cuts memory anywhere.  Returns the free pages laid out.
 */
static uint64_t
age_spread(const struct age *a, const uint64_t *tb, struct rng *r)
{
	uint64_t nfree = 0;

	for (unsigned i = 0; i < a->next; i++) {
		uint64_t p = a->ext[i][0], e = a->ext[i][1];
		uint64_t q = (rng_below(r, AGE_TILE / 64) << 6) | (p & 63);
		uint64_t h = tile_next(tb, q, false), f, n;

		/* up to the first free run, then whole turns */
		f = h == UINT64_MAX ? UINT64_MAX : tile_next(tb, h, true);
		n = f == UINT64_MAX ? e - p : (f - q + AGE_TILE) % AGE_TILE;
		while (p < e) {
			if (n > e - p)
				n = e - p;
			tile_copy(tb, q, p, n);
			p += n;
			q = tile_run_start(tb, p, r);
			n = AGE_TILE;
		}
	}
	if (bm_test(0))
		bm_fill(0, 1, false);	/* page 0 is never handed out */
	for (unsigned i = 0; i < a->next; i++)
		nfree += bm_count(a->ext[i][0], a->ext[i][1]);
	return nfree;
}

/*
 * Age the machine until frac of RAM is held by the workload (age_run):
 * through a tile (age_spread) on a machine of more than AGE_TILE pages,
 * and page by page on a smaller one.
 */
int
palloc_age(double frac, uint64_t seed)
{
	uint64_t ram = 0;

	for (unsigned i = 0; i < machine->nsegs; i++)
		ram += machine->seg[i].epfn - machine->seg[i].spfn;
	return palloc_age_how(frac, seed, ram > AGE_TILE);
}

/* The same, through a tile if tile and the machine is larger. */
int
palloc_age_how(double frac, uint64_t seed, bool tile)
{
	uint64_t ram = 0, target, maxops, held;
	size_t cap, sumw, len;
	struct held *h;
	struct age a = { .next = 0 };
	struct rng r;

	for (unsigned i = 0; i < machine->nsegs; i++)
		ram += machine->seg[i].epfn - machine->seg[i].spfn;
	target = (uint64_t)(frac * (double)ram);
	if (target == 0)
		return 0;
	maxops = target / 4 + 1024;	/* about three times the runs held */
	for (unsigned i = 0; i < machine->nsegs; i++) {
		const struct machine_seg *s = &machine->seg[i];

		if (a.next > 0 && a.ext[a.next - 1][1] == s->spfn)
			a.ext[a.next - 1][1] = s->epfn;
		else {
			a.ext[a.next][0] = s->spfn;
			a.ext[a.next++][1] = s->epfn;
		}
	}
	/* a tile too large for the machine, or too small a share of work */
	if (ram <= AGE_TILE || (uint64_t)(frac * (double)AGE_TILE) == 0)
		tile = false;
	if (tile) {
		/* the tile's share of the work, at the machine's density */
		target = (uint64_t)(frac * (double)AGE_TILE);
		maxops = (uint64_t)((double)maxops * (double)AGE_TILE /
		    (double)ram);
	}
	cap = (size_t)(target + 16);
	sumw = (size_t)((tile ? AGE_TILE : machine->npfn) / 4096 + 1);
	len = cap * sizeof(*h) + sumw * sizeof(uint64_t) +
	    (tile ? AGE_TILE / 8 : 0);
	h = mmap(NULL, len, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (h == MAP_FAILED)
		return ENOMEM;
	a.sum = (uint64_t *)(h + cap);
	rng_seed(&r, seed);
	pthread_mutex_lock(&palloc_lock);
	lists_detach_locked();
	if (tile) {
		struct age t = { .bm = a.sum + sumw, .sum = a.sum, .next = 1,
		    .ext = { { 0, AGE_TILE } }, .npfn = AGE_TILE,
		    .torus = true };
		uint64_t nfree, holes = 0;

		/* the holes below and between the extents */
		for (unsigned i = 0; i < a.next; i++) {
			uint64_t g = a.ext[i][0] - (i > 0 ? a.ext[i - 1][1] : 0);

			if (g > 0) {
				t.hole[t.nholes++] = g;
				holes += g;
			}
		}
		t.vhole = (uint64_t)((double)AGE_TILE * (double)holes /
		    (double)ram + 0.5);
		t.hscale = t.vhole > 0 ? (double)holes / (double)t.vhole : 0;
		/* edges: the end of RAM and each hole no window crosses */
		t.edge = 1;
		for (unsigned i = 0; i < t.nholes; i++)
			t.edge += t.hole[i] >= AGE_SCAN;
		t.edge *= (double)AGE_TILE / (double)ram;
		t.pscale = (double)AGE_TILE / (double)ram;

		bitmap_fill(t.bm, 0, AGE_TILE, true);
		bitmap_fill(t.sum, 0, AGE_TILE / 64, true);
		age_run(&t, h, target, maxops, &r);
		nfree = age_spread(&a, t.bm, &r);
		held = ram - nfree - (machine->seg[0].spfn == 0);
	} else {
		a.bm = bm;
		a.npfn = machine->npfn;
		a.torus = false;
		for (uint64_t w = 0; w < (machine->npfn + 63) / 64; w++)
			if (bm[w] != 0)
				bitmap_fill(a.sum, w, 1, true);
		held = age_run(&a, h, target, maxops, &r);
	}
	aged_pages = held;
	/*
	 * The free runs go on the lists when they are needed, as clean
	 * blocks: the workload never touched its pages.
	 */
	lazy_unlist_all_locked();
	pthread_mutex_unlock(&palloc_lock);
	munmap(h, len);
	return 0;
}
