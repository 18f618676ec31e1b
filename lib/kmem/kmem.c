/*
 * kmem.c - the kmem_alloc family: one allocation path for every caller.
 *
 * kmem_alloc_cons() turns a constraint into one of four paths:
 *  1. below a page: a jemalloc arena of a (node, zone) inside the window
 *     when the window ends on a zone line and no sub-page boundary applies,
 *     else a dma_pool-style pool;
 *  2. exactly one page: the per-CPU page caches;
 *  3. larger, or contiguity required: the page allocator's exact search;
 *  4. larger and scatterable: a contiguous run if one is free, otherwise
 *     runs gathered and joined in an alias window.
 * KM_SLEEP retries after every free until the machine's sleeplimit; then
 * the simulation reports instead of hanging.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/forklock.h"
#include "kmem/arena.h"
#include "kmem/kmem.h"
#include "kmem/kmem_fast.h"
#include "kmem/pool.h"
#include "kmem/record.h"
#include "machine/machine.h"
#include "palloc/palloc.h"
#include "verify/verify.h"
#include "verify/wait.h"
#include "vm/vm.h"

#include "sys/kmem.h"

/*
 * Bytes held by drivers.  Each thread keeps its own count, written only by
 * itself (relaxed loads and stores, no read-modify-write on the hot path);
 * ddisim_outstanding sums the live threads' counts and what exited
 * threads left.  A thread's count may be negative: it can free memory
 * another thread allocated.
 */
static FORK_MUTEX(kmem_count_lock);
static struct kmem_tcount *kmem_counts;		/* live threads */
static _Atomic int64_t kmem_count_exited;	/* threads gone */
/*
 * In the thread's own TLS block, which no other thread's data shares a
 * cache line with.  A memo that holds nothing has level -1.
 */
DDI_TLS struct kmem_thread kmem_thr = { .pmemo = { .level = -1 } };
static pthread_key_t kmem_count_key;
static pthread_once_t kmem_count_once = PTHREAD_ONCE_INIT;

/*
 * Thread exit: fold the count into kmem_count_exited.  What a later
 * destructor of the same thread allocates or frees goes straight there
 * (kmem_count_late): the record lives in TLS, which glibc frees after its
 * last round of destructors, so it must not be linked again.
 */
static void
kmem_count_exit(void *arg)
{
	struct kmem_tcount *t = arg, **pp;

	pthread_mutex_lock(&kmem_count_lock);
	for (pp = &kmem_counts; *pp != NULL; pp = &(*pp)->next)
		if (*pp == t) {
			*pp = t->next;
			kmem_count_exited += atomic_load_explicit(&t->bytes,
			    memory_order_relaxed);
			break;
		}
	atomic_store_explicit(&t->bytes, 0, memory_order_relaxed);
	t->registered = false;
	t->exited = true;
	kmem_pmemo_forget();		/* it counts only a registered thread */
	pthread_mutex_unlock(&kmem_count_lock);
}

static void
kmem_count_key_init(void)
{
	VERIFY(pthread_key_create(&kmem_count_key, kmem_count_exit) == 0);
}

void
kmem_count_late(int64_t d)
{
	kmem_count_exited += d;
}

void
kmem_count_register(void)
{
	struct kmem_tcount *t = &kmem_thr.count;

	pthread_once(&kmem_count_once, kmem_count_key_init);
	pthread_mutex_lock(&kmem_count_lock);
	t->next = kmem_counts;
	kmem_counts = t;
	t->registered = true;
	pthread_mutex_unlock(&kmem_count_lock);
	pthread_setspecific(kmem_count_key, t);
}

static _Atomic uint64_t kmem_fail_seq;	/* fault-injection draws */

#define MAX_GATHER	256		/* runs in one scattered buffer */

size_t
kmem_outstanding(void)
{
	int64_t sum;

	pthread_mutex_lock(&kmem_count_lock);
	sum = kmem_count_exited;
	for (struct kmem_tcount *t = kmem_counts; t != NULL; t = t->next)
		sum += atomic_load_explicit(&t->bytes, memory_order_relaxed);
	pthread_mutex_unlock(&kmem_count_lock);
	return (size_t)sum;
}

static void
kmem_reclaim(void)
{
	arena_reclaim();
	pool_reclaim();
}

int
kmem_init(void)
{
	int error;

	/*
	 * A new machine: every count starts again.  No DDI call may run while
	 * a machine is built, so no thread updates its count meanwhile.
	 */
	pthread_mutex_lock(&kmem_count_lock);
	kmem_count_exited = 0;
	for (struct kmem_tcount *t = kmem_counts; t != NULL; t = t->next)
		atomic_store_explicit(&t->bytes, 0, memory_order_relaxed);
	pthread_mutex_unlock(&kmem_count_lock);
	kmem_fail_seq = 0;
	kmem_fast_ok = machine->spec.audit == AUDIT_LIGHT &&
	    machine->spec.failrate <= 0;
	physreq_init();
	if ((error = record_init()) != 0)
		return error;
	if ((error = pool_init()) != 0 || (error = arena_init()) != 0) {
		record_fini();
		return error;
	}
	palloc_reclaim_register(kmem_reclaim);
	return 0;
}

void
kmem_fini(void)
{
	arena_fini();
	pool_fini();
	record_fini();
}

size_t
kmem_leak_report(FILE *f)
{
	size_t bytes, n = record_report(f, &bytes);

	if (n > 0 && f != NULL)
		fprintf(f, "ddicompat: %zu allocation%s (%zu bytes) still "
		    "held at shutdown\n", n, n == 1 ? "" : "s", bytes);
	return n;
}

/*
 * Whether a live allocation starts at p: a small object in p's shadow
 * granule (so possibly 4 bytes off, which callers that check a magic
 * number tell apart), or a record.  For entry points that take handles.
 */
bool
kmem_live(const void *p)
{
	struct krec r;
	uint64_t e;

	if (machine == NULL || p == NULL)
		return false;
	if (machine->spec.audit == AUDIT_LIGHT && vm_in_dmap(p) &&
	    ((uintptr_t)p & 3) == 0 && (e = shadow_peek(p)) != 0 &&
	    !shadow_is_tag(e))
		return true;
	return record_find((uintptr_t)p, &r);
}

/*
 * The size a live allocation starting at p was asked for, or 0: for
 * handles whose size tells their kind.  p must be 8-byte aligned, so
 * that the granule's entry is p's own.
 */
size_t
kmem_live_size(const void *p)
{
	struct krec r;
	uint64_t e;

	if (machine == NULL || p == NULL || ((uintptr_t)p & 7) != 0)
		return 0;
	if (machine->spec.audit == AUDIT_LIGHT && vm_in_dmap(p) &&
	    (e = shadow_peek(p)) != 0)
		return (size_t)(e >> SH_SIZE_SHIFT);
	return record_find((uintptr_t)p, &r) && r.va == (uintptr_t)p ?
	    r.size : 0;
}

/* Deterministic fault injection for no-sleep allocations (failrate=). */
static bool
kmem_inject_failure(void)
{
	double rate = machine->spec.failrate;
	uint64_t z;

	if (rate <= 0)
		return false;
	z = machine->spec.seed + (kmem_fail_seq++ + 1) *
	    UINT64_C(0x9e3779b97f4a7c15);
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	z ^= z >> 31;
	return (double)(z >> 11) * 0x1.0p-53 < rate;
}

bool
kmem_flags_ok(int flags, int allowed, const char *func, const void *caller)
{
	if ((flags & ~allowed) != 0) {
		verify_report(func, caller, "unknown flags %#x", flags);
		return false;
	}
	return true;
}

/* ---- the paths ---- */

static uint64_t
kmem_pfn_high(const struct kcons *c)
{
	uint64_t h = c->high >> machine->pshift;

	return h < machine->npfn ? h : machine->npfn;
}

/*
 * The arena zone for a window [0, high): the highest zone above 16 MiB
 * that lies entirely inside it, provided the window ends exactly on a zone
 * line (or covers all RAM).  -1 means the window needs a pool.
 */
static int
kmem_line_zone(uint64_t high)
{
	int z;

	if (high >= machine->top)
		z = machine_zone_of(machine->top - 1);
	else if (high > machine_zone_end[ZONE_ISA] &&
	    machine_zone_end[machine_zone_of(high - 1)] == high)
		z = machine_zone_of(high - 1);
	else
		return -1;
	return z > ZONE_ISA ? z : -1;
}

DDI_READ_MOSTLY bool kmem_fast_ok;

/*
 * Below a page: arenas for windows that end on a zone line, by node
 * distance and from the highest zone down; pools for everything with a
 * boundary (dma_pool packing) and for windows between lines.
 */
static void *
kmem_small(size_t size, const struct kcons *c, uint64_t *entry)
{
	int cpu = machine_cpu(), node = machine->cpu_node[cpu];
	int nodes = machine->spec.nodes, top;
	bool first = true;

	if (c->boundary == 0 && kmem_thr.amemo.gen == machine->generation &&
	    kmem_thr.amemo.high == c->high && kmem_thr.amemo.cpu == cpu) {
		void *p = arena_alloc(kmem_thr.amemo.node,
		    kmem_thr.amemo.zone, size, c->align);

		if (p != NULL) {
			*entry |= SH_ARENA;
			return p;
		}
	}
	top = c->boundary != 0 ? -1 : kmem_line_zone(c->high);

	for (int dist = 0; top > 0 && dist < nodes; dist++) {
		for (int sgn = 0; sgn < (dist == 0 ? 1 : 2); sgn++) {
			int nd = sgn == 0 ? node + dist : node - dist;

			if (nd < 0 || nd >= nodes)
				continue;
			for (int z = top; z > ZONE_ISA; z--) {
				void *p;

				if (!arena_exists(nd, z))
					continue;
				p = arena_alloc(nd, z, size, c->align);
				if (p == NULL) {
					first = false;
					continue;
				}
				/*
				 * Remember only the first choice, so that a
				 * fallback does not stick once it is over.
				 */
				if (first)
					kmem_thr.amemo = (struct kmem_amemo){
					    .gen = machine->generation,
					    .high = c->high, .cpu = cpu,
					    .node = nd, .zone = z };
				else
					kmem_thr.amemo.gen = 0;
				*entry |= SH_ARENA;
				return p;
			}
		}
	}
	return pool_alloc(size, c->align, c->boundary, c->high, node);
}

/*
 * Gather scatterable runs: as large as can be found, halving on failure,
 * at most MAX_GATHER of them.  With scatter=1 runs are as small as that
 * limit allows and are mapped in reverse order, so that no two neighbours
 * in the buffer are neighbours in RAM.
 */
static int
kmem_gather(uint64_t npages, const struct kcons *c, bool scatter,
    struct vm_run *runs, unsigned *nrunsp)
{
	struct palloc_req r = { .low = 1, .high = kmem_pfn_high(c),
	    .align = 1, .node = -1, .zone_min = ZONE_ISA + 1,
	    .noreclaim = true };
	uint64_t least = (npages + MAX_GATHER - 1) / MAX_GATHER;
	uint64_t want = scatter ? least : npages, left = npages;
	bool reclaimed = false;
	unsigned n = 0;

	if (c->high <= machine_zone_end[ZONE_ISA])
		r.zone_min = ZONE_ISA;
	while (left > 0) {
		uint64_t pfn;

		r.npages = want < left ? want : left;
		if (palloc_alloc(&r, &pfn) == 0) {
			runs[n++] = (struct vm_run){ pfn, r.npages };
			left -= r.npages;
			continue;
		}
		/* Smaller runs, while the run count allows them. */
		if (want / 2 >= least && (want / 2) * (MAX_GATHER - n) >= left) {
			want /= 2;
			continue;
		}
		/* Once, ask the layers' caches for memory and go on. */
		if (!reclaimed) {
			reclaimed = true;
			palloc_reclaim();
			continue;
		}
		for (unsigned i = 0; i < n; i++)
			palloc_free_quiet(runs[i].pfn, runs[i].npages);
		return ENOMEM;
	}
	if (scatter) {
		for (unsigned i = 0; i < n / 2; i++) {
			struct vm_run t = runs[i];

			runs[i] = runs[n - 1 - i];
			runs[n - 1 - i] = t;
		}
	}
	*nrunsp = n;
	return 0;
}

static void *
kmem_pages(size_t size, const struct kcons *c, struct krec *rec)
{
	size_t page = machine->spec.page;
	uint64_t npages = (size + page - 1) / page;
	bool contig = c->contig || c->boundary != 0 || c->align > page ||
	    npages == 1;
	struct palloc_req r = { .npages = npages, .low = 1,
	    .high = kmem_pfn_high(c), .node = -1, .zone_min = ZONE_ISA + 1,
	    .align = c->align > page ? c->align / page : 1,
	    .boundary = c->boundary / page };
	struct vm_run runs[MAX_GATHER];
	unsigned nruns;
	void *va;

	if (c->high <= machine_zone_end[ZONE_ISA])
		r.zone_min = ZONE_ISA;
	rec->npages = npages;
	/*
	 * A power-of-two run of up to 16 pages that may be contiguous comes
	 * from the per-CPU caches: their blocks are aligned to their size,
	 * so they meet any alignment and boundary at least that large.
	 */
	if (npages < (UINT64_C(1) << PALLOC_PCP_ORDERS) &&
	    (npages & (npages - 1)) == 0 && c->align <= npages * page &&
	    (c->boundary == 0 || c->boundary >= npages * page) &&
	    (npages == 1 || contig || !machine->spec.scatter)) {
		if (palloc_block_alloc((unsigned)__builtin_ctzll(npages), 1,
		    r.high, -1, &rec->pfn) == 0) {
			rec->path = RP_PCP;
			return machine->dmap + (rec->pfn << machine->pshift);
		}
		/* No aligned block: any run will do, as below. */
		if (npages == 1)
			return NULL;
	}
	if (contig || !machine->spec.scatter) {
		if (palloc_alloc(&r, &rec->pfn) == 0) {
			rec->path = RP_PAGES;
			return machine->dmap + (rec->pfn << machine->pshift);
		}
		if (contig)
			return NULL;
	}
	if (kmem_gather(npages, c, machine->spec.scatter, runs, &nruns) != 0)
		return NULL;
	if (nruns == 1) {
		rec->pfn = runs[0].pfn;
		rec->path = RP_PAGES;
		return machine->dmap + (rec->pfn << machine->pshift);
	}
	if (vm_alias_map(runs, nruns, &va) != 0) {
		for (unsigned i = 0; i < nruns; i++)
			palloc_free_quiet(runs[i].pfn, runs[i].npages);
		return NULL;
	}
	rec->pfn = 0;
	rec->path = RP_ALIAS;
	return va;
}

/*
 * Light audit: a block of 2^k pages from the per-CPU caches, for a request
 * kmem_pages would serve from them, kept in the shadow (record.h) rather
 * than in the hash, so that neither its allocation nor its free takes a
 * lock of kmem's or a host allocation; NULL, with nothing done, for any
 * other request or when no cache has a block.  sptalloc's pages keep
 * their record, which sptfree looks up itself.
 */
static inline __attribute__((always_inline)) void *
kmem_pages_fast(size_t size, const struct kcons *c, enum kmem_kind kind,
    const void *caller)
{
	size_t page = machine->spec.page;
	unsigned shift = machine->pshift;
	uint64_t npages, bytes, pfn;
	uint8_t *p;

	if (size < page || size > SH_SIZE_MAX || kind == KK_SPT)
		return NULL;
	npages = (size + page - 1) >> shift;
	bytes = npages << shift;
	if ((npages & (npages - 1)) != 0 ||
	    npages >= (UINT64_C(1) << PALLOC_PCP_ORDERS) || c->align > bytes ||
	    (c->boundary != 0 && c->boundary < bytes) ||
	    (npages > 1 && machine->spec.scatter && !c->contig &&
	    c->boundary == 0 && c->align <= page))
		return NULL;
	if (palloc_block_alloc((unsigned)__builtin_ctzll(npages), 1,
	    kmem_pfn_high(c), -1, &pfn) != 0)
		return NULL;
	p = machine->dmap + (pfn << shift);
	shadow_set(p + 8, SH_TAG | (uint64_t)kind);
	shadow_set(p, ((uint64_t)(uintptr_t)caller & SH_CALLER_MASK) |
	    (uint64_t)size << SH_SIZE_SHIFT);
	return p;
}

#define REDZONE		16	/* audit=full guard bytes after objects */
#define RZ_BYTE		0xfc	/* red zone pattern */
#define POISON_BYTE	0xde	/* freed memory under audit=full */

static bool
kmem_is_small(size_t size, const struct kcons *c)
{
	return size < machine->spec.page && c->align <= machine->spec.page;
}

/* One attempt, no waiting.  Fills *rec for page-level results. */
static void *
kmem_try(size_t size, const struct kcons *c, struct krec *rec,
    uint64_t *entry)
{
	if (kmem_is_small(size, c))
		return kmem_small(size + rec->redzone, c, entry);
	return kmem_pages(size, c, rec);
}

/*
 * audit=full: small objects get REDZONE guard bytes when the boundary
 * leaves room; page-level buffers use the slack of their last page.
 */
/* One past the last guard byte of a recorded allocation. */
static size_t
kmem_redzone_end(const struct krec *r)
{
	if (r->path == RP_SMALL_ARENA || r->path == RP_SMALL_POOL)
		return r->size + r->redzone;
	if (r->path == RP_MAPONLY)
		return r->size;
	return (size_t)r->npages * machine->spec.page;
}

static void
kmem_redzone_set(void *p, const struct krec *r)
{
	memset((char *)p + r->size, RZ_BYTE, kmem_redzone_end(r) - r->size);
}

static bool
kmem_redzone_ok(const struct krec *r)
{
	const unsigned char *p = (const unsigned char *)r->va;

	for (size_t i = r->size, end = kmem_redzone_end(r); i < end; i++)
		if (p[i] != RZ_BYTE)
			return false;
	return true;
}

void *
kmem_alloc_cons(size_t size, const struct kcons *c, int flags, int how,
    enum kmem_kind kind, const char *func, const void *caller)
{
	struct krec rec;
	uint64_t entry = (uint64_t)(uintptr_t)caller & SH_CALLER_MASK;
	bool sleep = (flags & KM_NOSLEEP) == 0;
	void *p;

	if (size == 0)
		return NULL;
	if (sleep && !verify_may_block(func, caller))
		sleep = false;
	/*
	 * Fast path: a small object, light audit, no fault injection, and
	 * the arena or pool has one at hand.  Only the shadow is written.
	 */
	if (likely(kmem_is_small(size, c) && c->boundary == 0 &&
	    machine->spec.audit == AUDIT_LIGHT &&
	    machine->spec.failrate <= 0) &&
	    (p = kmem_small(size, c, &entry)) != NULL) {
		shadow_set(p, entry | ((uint64_t)size << SH_SIZE_SHIFT));
		if (how & KA_ZERO)
			memset(p, 0, size);
		kmem_out_add((int64_t)size);
		return p;
	}
	if (likely(kmem_fast_ok) &&
	    (p = kmem_pages_fast(size, c, kind, caller)) != NULL) {
		if (how & KA_ZERO)
			memset(p, 0, size);
		kmem_out_add((int64_t)size);
		return p;
	}
	memset(&rec, 0, sizeof(rec));
	rec.size = size;
	rec.caller = caller;
	rec.kind = (uint8_t)kind;
	if (c->boundary != 0 && size > c->boundary) {
		kmem_explain(func, size, c, KW_BOUNDARY);
		verify_report(func, caller, "size %zu is larger than the "
		    "physreq's boundary %#llx", size,
		    (unsigned long long)c->boundary);
		return NULL;
	}
	if (size >= (UINT64_C(1) << 40)) {
		kmem_explain(func, size, c, KW_TOO_LARGE);
		verify_report(func, caller, "size %zu is larger than any "
		    "machine's memory", size);
		return NULL;
	}
	if (machine->spec.audit == AUDIT_FULL && kmem_is_small(size, c) &&
	    (c->boundary == 0 || size + REDZONE <= c->boundary) &&
	    size + REDZONE < machine->spec.page)
		rec.redzone = REDZONE;
	if (!sleep && kmem_inject_failure()) {
		kmem_explain(func, size, c, KW_INJECTED);
		return NULL;
	}
	p = kmem_try(size, c, &rec, &entry);
	if (p == NULL && sleep) {
		uint64_t gen = palloc_wait_begin();
		struct vwait w;

		vwait_start_ms(&w, VWAIT_GIVE_UP, (how & KA_FAILOK) ? 100 : 0,
		    "the simulated machine has no memory that satisfies it",
		    func, caller);
		while ((p = kmem_try(size, c, &rec, &entry)) == NULL) {
			/* The deadline holds however often frees wake us. */
			if (palloc_wait(gen, &w) && !vwait_expired(&w)) {
				gen = palloc_generation();
				continue;
			}
			if (!vwait_expired(&w))
				continue;
			/* One last try after the deadline, then give up. */
			if ((p = kmem_try(size, c, &rec, &entry)) != NULL ||
			    (how & KA_FAILOK))
				break;
			palloc_wait_end();
			kmem_explain(func, size, c, KW_SLEEPLIMIT);
			vwait_report(&w, "KM_SLEEP request of %zu bytes still "
			    "unmet", size);
			return NULL;
		}
		palloc_wait_end();
	}
	if (p == NULL) {
		kmem_explain(func, size, c, sleep ? KW_SLEEPLIMIT :
		    KW_NO_MEMORY);
		return NULL;
	}
	if (kmem_is_small(size, c) && machine->spec.audit != AUDIT_FULL) {
		shadow_set(p, entry | ((uint64_t)size << SH_SIZE_SHIFT));
	} else {
		struct krec *r = malloc(sizeof(*r));

		VERIFY(r != NULL);
		*r = rec;
		r->va = (uintptr_t)p;
		if (kmem_is_small(size, c))
			r->path = (entry & SH_ARENA) ? RP_SMALL_ARENA :
			    RP_SMALL_POOL;
		if (machine->spec.audit == AUDIT_FULL)
			kmem_redzone_set(p, r);
		record_insert(r);
	}
	if (how & KA_ZERO)
		memset(p, 0, size);
	kmem_out_add((int64_t)size);
	return p;
}

/* Which allocations a free function may release. */
static bool
kind_frees(enum kmem_kind freer, unsigned made)
{
	switch (freer) {
	case KK_KMEM:
	case KK_PHYSCONTIG:
		return made == KK_KMEM || made == KK_PHYSREQ ||
		    made == KK_PHYS || made == KK_PHYSCONTIG;
	default:
		return made == (unsigned)freer;
	}
}

/* Free a small object that was asked for with size bytes. */
static void
kmem_free_small(void *p, bool arena, size_t size)
{
	int node, zone;

	if (arena) {
		VERIFY(arena_owner(p, &node, &zone));
		arena_free(node, zone, p, size);
		palloc_cached();
		palloc_notify();
	} else {
		pool_free(p);
	}
}

static void
kmem_free_pages(struct krec *r)
{
	if (r->path == RP_SMALL_ARENA || r->path == RP_SMALL_POOL) {
		/* the size asked of the arena, red zone included */
		kmem_free_small((void *)r->va, r->path == RP_SMALL_ARENA,
		    r->size + r->redzone);
	} else if (r->path == RP_ALIAS) {
		uint64_t pa[MAX_GATHER];
		size_t len[MAX_GATHER], n;

		n = vm_segments((void *)r->va, r->npages * machine->spec.page,
		    pa, len, MAX_GATHER);
		VERIFY(n <= MAX_GATHER);
		vm_alias_unmap((void *)r->va);
		for (size_t i = 0; i < n; i++)
			palloc_free(pa[i] >> machine->pshift,
			    len[i] >> machine->pshift);
	} else if (r->path == RP_PCP) {
		palloc_block_free(r->pfn, (unsigned)__builtin_ctzll(r->npages));
	} else {
		palloc_free(r->pfn, r->npages);
	}
}

/*
 * Take the shadow entry of the small object that starts at p, or return 0
 * when none does.  The entry is in p's 8-byte granule.  Arena objects are
 * at least 8-byte aligned.  Pool blocks may start 4 bytes into a granule,
 * and a granule holds at most one block start, so for a pool entry the
 * pool says whether p is that start or a pointer 4 bytes off it.
 *
 * The entry is read and cleared with two plain accesses, not an atomic
 * exchange: a lock-prefixed instruction on every free costs more than the
 * rest of the fast path.  Every double free made one after the other is
 * caught; two frees of one object racing in two threads can both pass
 * (ddicompat(7), CAVEATS), as in other allocators' debug checks.
 */
static inline uint64_t
kmem_shadow_claim(const void *p)
{
	uint64_t e = shadow_peek(p);

	if (e == 0)
		return 0;
	if ((e & SH_ARENA) ? ((uintptr_t)p & 7) != 0 : !pool_is_block(p))
		return 0;
	shadow_clear(p);
	return e;
}

/* Free the page block p kept in the shadow, whose first entry is e. */
/*
 * A shadow-kept block of was bytes, checked and counted out by the
 * caller, back to the page caches.
 */
static inline __attribute__((always_inline)) void
kmem_shadow_pages_release(void *p, size_t was)
{
	shadow_clear((uint8_t *)p + 8);
	shadow_clear(p);
	palloc_block_free((uint64_t)((uint8_t *)p - machine->dmap) >>
	    machine->pshift, (unsigned)__builtin_ctzll((was +
	    machine->spec.page - 1) >> machine->pshift));
}

static void
kmem_free_shadow_pages(void *p, uint64_t e, size_t size, enum kmem_kind kind,
    const char *func, const void *caller)
{
	uint8_t *g1 = (uint8_t *)p + 8;
	unsigned made = (unsigned)(shadow_peek(g1) & ~SH_TAG_MASK);
	size_t was = (size_t)(e >> SH_SIZE_SHIFT);

	if (!kind_frees(kind, made)) {
		verify_report(func, caller, "%p came from %s, which this "
		    "function does not free", p, record_kind_name(made));
		return;
	}
	if (unlikely(was != size))
		verify_report(func, caller, "%p was allocated with size %zu, "
		    "freed with size %zu", p, was, size);
	kmem_out_add(-(int64_t)was);
	kmem_shadow_pages_release(p, was);
}

/*
 * kmem_obj_alloc and kmem_obj_free for a page or more (kmem_fast.h): the
 * block kmem_alloc_cons's fast path would take, and its free, without
 * the entry checks of the full functions; NULL or false, with nothing
 * done, for whatever those must see: a context that may forbid a
 * KM_SLEEP request, a thread whose count is not registered, a block that
 * is not a whole shadow-kept block of this kind and size.
 */
void *
kmem_obj_pages(size_t size, const struct kcons *c, int flags,
    enum kmem_kind kind, const void *caller)
{
	void *p;

	if (unlikely(!kmem_fast_ok || !kmem_thr.count.registered ||
	    ((flags & KM_NOSLEEP) == 0 && verify_ctx_raised)))
		return NULL;
	if ((p = kmem_pages_fast(size, c, kind, caller)) != NULL)
		kmem_out_add_registered((int64_t)size);
	return p;
}

bool
kmem_obj_pages_free(void *p, size_t size, enum kmem_kind kind)
{
	uint64_t off = (uint64_t)((uint8_t *)p - machine->dmap), e;
	size_t page = machine->spec.page;

	if (unlikely(!kmem_fast_ok || !kmem_thr.count.registered ||
	    !vm_in_dmap(p) || (off & (page - 1)) != 0))
		return false;
	e = shadow_peek(p);
	if (unlikely(!shadow_is_pages(e, page) ||
	    (e >> SH_SIZE_SHIFT) != size ||
	    shadow_peek((uint8_t *)p + 8) != (SH_TAG | (uint64_t)kind)))
		return false;
	kmem_out_add_registered(-(int64_t)size);
	kmem_shadow_pages_release(p, size);
	return true;
}

/*
 * Free p of size bytes.  Misuse (a wrong size, a pointer no allocator
 * returned, a second free) is reported; a wrong-size free of a real block
 * then frees it with its recorded size, anything else is left alone.
 */
void
kmem_free_checked(void *p, size_t size, enum kmem_kind kind,
    const char *func, const void *caller)
{
	uint64_t e;
	struct krec *r;

	if (size == 0)
		return;
	if (p == NULL) {
		verify_report(func, caller, "NULL pointer with size %zu", size);
		return;
	}
	/* Light audit: page blocks and small objects are in the shadow. */
	if (machine->spec.audit == AUDIT_LIGHT && vm_in_dmap(p) &&
	    (((uint8_t *)p - machine->dmap) & (machine->spec.page - 1)) == 0 &&
	    shadow_is_pages(e = shadow_peek(p), machine->spec.page)) {
		kmem_free_shadow_pages(p, e, size, kind, func, caller);
		return;
	}
	if (machine->spec.audit == AUDIT_LIGHT && vm_in_dmap(p) &&
	    ((uintptr_t)p & 3) == 0 && (e = kmem_shadow_claim(p)) != 0) {
		size_t was = (size_t)(e >> SH_SIZE_SHIFT);

		if (unlikely(was != size))
			verify_report(func, caller, "%p was allocated with "
			    "size %zu, freed with size %zu", p, was, size);
		kmem_out_add(-(int64_t)was);
		kmem_free_small(p, (e & SH_ARENA) != 0, was);
		return;
	}
	if ((r = record_remove((uintptr_t)p)) != NULL) {
		if (!kind_frees(kind, r->kind) || r->path == RP_MAPONLY) {
			verify_report(func, caller, "%p came from %s, which "
			    "this function does not free", p,
			    record_kind_name(r->kind));
			record_insert(r);
			return;
		}
		if (r->size != size)
			verify_report(func, caller, "%p was allocated with "
			    "size %zu, freed with size %zu", p, r->size, size);
		if (machine->spec.audit == AUDIT_FULL) {
			if (!kmem_redzone_ok(r))
				verify_report(func, caller, "%p: bytes after "
				    "its %zu were overwritten (red zone)", p,
				    r->size);
			if (r->path != RP_MAPONLY)
				memset(p, POISON_BYTE, r->size);
		}
		kmem_out_add(-(int64_t)r->size);
		kmem_free_pages(r);
		free(r);
		palloc_notify();
		return;
	}
	verify_report(func, caller, "%p is not allocated memory (freed twice, "
	    "or never returned by an allocator)", p);
}
