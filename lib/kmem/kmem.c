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
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kmem/arena.h"
#include "kmem/kmem.h"
#include "kmem/pool.h"
#include "kmem/record.h"
#include "machine/machine.h"
#include "palloc/palloc.h"
#include "verify/verify.h"
#include "vm/vm.h"

#include "sys/kmem.h"

static _Atomic size_t kmem_out;		/* bytes held by drivers */
static _Atomic uint64_t kmem_fail_seq;	/* fault-injection draws */

#define MAX_GATHER	256		/* runs in one scattered buffer */

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

size_t
kmem_outstanding(void)
{
	return kmem_out;
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

	kmem_out = 0;
	kmem_fail_seq = 0;
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

/* Is [0, high) exactly the space below a zone line, and which zone? */
static int
kmem_window_zone(uint64_t high, int node)
{
	int best = -1;

	for (int z = ZONE_ISA + 1; z < NZONES; z++)
		if (machine_zone_end[z] <= high || (z == NZONES - 1 &&
		    high == UINT64_MAX))
			if (arena_exists(node, z))
				best = z;
	/* Lines only: a window ending between lines uses pools. */
	if (best >= 0 && high != UINT64_MAX && high < machine->top &&
	    machine_zone_end[machine_zone_of(high - 1)] != high)
		return -1;
	return best;
}

static void *
kmem_small(size_t size, const struct kcons *c, uint64_t *entry)
{
	size_t page = machine->spec.page, align = c->align < 16 ? 16 :
	    c->align, want = size;
	int node = machine_node();

	/* Pools: sub-page boundary, or a window not ending on a line. */
	if (c->boundary != 0 && c->boundary < page)
		return pool_alloc(size, c->align, c->boundary, c->high, node);
	if (c->boundary != 0) {
		/* A naturally aligned block <= page crosses no boundary. */
		while (align < want)
			align <<= 1;
		want = align;
	}
	for (int i = 0; i < machine->spec.nodes; i++) {
		int nd = (node + i) % machine->spec.nodes;
		int z = kmem_window_zone(c->high, nd);

		for (; z > ZONE_ISA; z--) {
			void *p;

			if (!arena_exists(nd, z))
				continue;
			p = arena_alloc(nd, z, want, align);
			if (p != NULL) {
				*entry |= SH_ARENA;
				return p;
			}
		}
		if (kmem_window_zone(c->high, nd) < 0)
			break;
	}
	return pool_alloc(size, c->align, c->boundary, c->high, node);
}

/* Gather scatterable runs: as large as can be found, halving on failure. */
static int
kmem_gather(uint64_t npages, const struct kcons *c, bool scatter,
    struct vm_run *runs, unsigned *nrunsp)
{
	struct palloc_req r = { .low = 1, .high = kmem_pfn_high(c),
	    .align = 1, .node = -1, .zone_min = ZONE_ISA + 1,
	    .noreclaim = true };
	uint64_t want = scatter ? 1 : npages, left = npages;
	unsigned n = 0;

	if (c->high <= machine_zone_end[ZONE_ISA])
		r.zone_min = ZONE_ISA;
	while (left > 0) {
		uint64_t pfn;

		r.npages = want < left ? want : left;
		if (n == MAX_GATHER || palloc_alloc(&r, &pfn) != 0) {
			if (want > 1 && n < MAX_GATHER) {
				want /= 2;
				continue;
			}
			for (unsigned i = 0; i < n; i++)
				palloc_free(runs[i].pfn, runs[i].npages);
			return ENOMEM;
		}
		runs[n++] = (struct vm_run){ pfn, r.npages };
		left -= r.npages;
	}
	if (scatter) {
		/* Reverse, so that neighbours in RAM are apart in the alias. */
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
	if (npages == 1 && c->align <= page) {
		if (palloc_page_alloc(1, r.high, -1, &rec->pfn) != 0)
			return NULL;
		rec->path = RP_PCP;
		return machine->dmap + (rec->pfn << machine->pshift);
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
			palloc_free(runs[i].pfn, runs[i].npages);
		return NULL;
	}
	rec->pfn = 0;
	rec->path = RP_ALIAS;
	return va;
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
	struct krec rec = { .size = size, .caller = caller,
	    .kind = (uint8_t)kind };
	uint64_t entry = (uint64_t)(uintptr_t)caller & SH_CALLER_MASK;
	uint64_t deadline = 0;
	bool sleep = (flags & KM_NOSLEEP) == 0;
	void *p;

	if (size == 0)
		return NULL;
	if (c->boundary != 0 && size > c->boundary) {
		verify_report(func, caller, "size %zu is larger than the "
		    "physreq's boundary %#llx", size,
		    (unsigned long long)c->boundary);
		return NULL;
	}
	if (size >= (UINT64_C(1) << 40)) {
		verify_report(func, caller, "size %zu is larger than any "
		    "machine's memory", size);
		return NULL;
	}
	if (machine->spec.audit == AUDIT_FULL && kmem_is_small(size, c) &&
	    (c->boundary == 0 || size + REDZONE <= c->boundary) &&
	    size + REDZONE < machine->spec.page)
		rec.redzone = REDZONE;
	if (sleep && !verify_may_block(func, caller))
		sleep = false;
	if (!sleep && kmem_inject_failure())
		return NULL;
	for (;;) {
		uint64_t gen = palloc_generation();

		p = kmem_try(size, c, &rec, &entry);
		if (p != NULL || !sleep)
			break;
		if (deadline == 0)
			deadline = now_ns() + ((how & KA_FAILOK) ? 100000000u :
			    (uint64_t)machine->spec.sleeplimit_ms * 1000000u);
		if (!palloc_wait(gen, deadline) && now_ns() >= deadline) {
			p = kmem_try(size, c, &rec, &entry);
			if (p != NULL || (how & KA_FAILOK))
				break;
			verify_report(func, caller, "KM_SLEEP request of %zu "
			    "bytes still unmet after %u ms: the simulated "
			    "machine has no memory that satisfies it", size,
			    machine->spec.sleeplimit_ms);
			return NULL;
		}
	}
	if (p == NULL)
		return NULL;
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
	kmem_out += size;
	return p;
}

/* jemalloc-like size classes: four per doubling, 16 bytes at least. */
static size_t
size_class(size_t size)
{
	size_t c = 16, step;

	if (size <= 16)
		return 16;
	while (c * 2 < size)
		c *= 2;
	step = c / 4;
	return (size + step - 1) / step * step;
}

static bool
size_matches(size_t asked, size_t given, size_t page)
{
	if (machine->spec.audit == AUDIT_FULL)
		return asked == given;
	if (asked >= page || given >= page)
		return (asked + page - 1) / page == (given + page - 1) / page;
	return size_class(asked) == size_class(given);
}

static void
kmem_free_small(void *p, bool arena)
{
	if (arena) {
		uint64_t pa = (uint64_t)((uint8_t *)p - machine->dmap);
		int seg = machine_seg_of(pa >> machine->pshift);

		arena_free(p, machine->seg[seg].node, machine->seg[seg].zone);
		palloc_notify();
	} else {
		pool_free(p);
	}
}

static void
kmem_free_pages(struct krec *r)
{
	if (r->path == RP_SMALL_ARENA || r->path == RP_SMALL_POOL) {
		kmem_free_small((void *)r->va, r->path == RP_SMALL_ARENA);
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
		palloc_page_free(r->pfn);
	} else {
		palloc_free(r->pfn, r->npages);
	}
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
	size_t page;
	uint64_t e;
	struct krec *r;

	if (size == 0)
		return;
	machine_ensure();
	page = machine->spec.page;
	if (p == NULL) {
		verify_report(func, caller, "NULL pointer with size %zu", size);
		return;
	}
	if ((r = record_remove((uintptr_t)p)) != NULL) {
		if (!size_matches(r->size, size, page))
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
		kmem_out -= r->size;
		kmem_free_pages(r);
		free(r);
		palloc_notify();
		return;
	}
	if (!vm_in_dmap(p) || ((uintptr_t)p & 7) != 0 ||
	    (e = shadow_take(p)) == 0) {
		verify_report(func, caller, "%p is not allocated memory "
		    "(freed twice, or never returned by an allocator)", p);
		return;
	}
	if (!size_matches((size_t)(e >> SH_SIZE_SHIFT), size, page))
		verify_report(func, caller, "%p was allocated with size %zu, "
		    "freed with size %zu", p, (size_t)(e >> SH_SIZE_SHIFT),
		    size);
	kmem_out -= (size_t)(e >> SH_SIZE_SHIFT);
	kmem_free_small(p, (e & SH_ARENA) != 0);
}
