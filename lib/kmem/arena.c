/*
 * arena.c - jemalloc arenas whose extents come from the page allocator.
 *
 * Each (node, zone) above 16 MiB gets one arena, so that threads of
 * different nodes never share one.  Its extent hooks draw page runs from
 * exactly that zone, on that node when it has RAM there and on the
 * nearest node otherwise, so no object ever leaves its zone.  Its
 * metadata stays in host memory because the arena is created with the
 * default hooks and only then given ours (jemalloc keeps the creation
 * hooks for its base allocator).  Objects are always allocated and freed
 * through an explicit tcache per (thread, arena): jemalloc's automatic
 * tcache would hand out objects cached from other arenas.
 *
 * In front of each explicit tcache sits the thread's magazine for that
 * arena: a stack of free objects per size class, in the manner of the
 * Bonwick magazine layer.  jemalloc's own fast path serves only its
 * automatic tcache; a call that names a tcache takes the general path,
 * several times slower.  A magazine hit costs a few loads and stores, and
 * a miss moves half a stack to or from the tcache.  A magazine holds only
 * objects of its own arena, so the zone guarantee is kept.  Classes are
 * jemalloc's own, read with nallocx: any object whose usable size is at
 * least a class's size can be handed out for that class, whichever way
 * it was allocated, so frees file objects by the size the caller asked
 * for (kmem_free's) without asking jemalloc.
 *
 * Locking: arena_lock guards the arena table and the registry of explicit
 * tcaches.  Magazines belong to their thread and take no lock.  Hooks run
 * with jemalloc locks held, so they call the page allocator with
 * noreclaim (reclaim would re-enter jemalloc).
 */
#include "config.h"

#include <errno.h>
#include <jemalloc/jemalloc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "util/forklock.h"
#include "kmem/arena.h"
#include "kmem/kmem_fast.h"
#include "machine/machine.h"
#include "palloc/palloc.h"
#include "machine/entry.h"
#include "verify/verify.h"

/*
 * jemalloc's options, read when it starts.  With opt.retain (the default
 * on Linux) jemalloc assumes that two extents next to each other in the
 * address space belong to different arenas only where the upper one is
 * the start of a hook allocation, and skips the check otherwise.  Our
 * arenas violate that: they share the page allocator's direct map, so a
 * run one arena gives back through hook_dalloc can go to another arena's
 * hook_alloc and end up beside a piece of the first.  jemalloc then
 * coalesces across the two arenas and corrupts both (its debug build
 * asserts in extent_can_acquire_neighbor).  Without retain it compares
 * the arenas itself.  A program that sets retain on anyway (its own
 * malloc_conf, MALLOC_CONF) gets no arenas: arena_init checks.
 */
DDI_PUBLIC_DATA const char *malloc_conf = "retain:false";

#define NO_ARENA	UINT32_MAX
#define MAX_TCACHES	1024

static FORK_MUTEX(arena_lock);
static unsigned arena_ind[MACHINE_MAX_NODES][NZONES];	/* or NO_ARENA */
static int arena_node[4096], arena_zone[4096];	/* by jemalloc index */
/* the machine generation; written under arena_lock */
DDI_READ_MOSTLY _Atomic uint64_t arena_gen;

/*
 * The arena that owns each page of RAM, as node * NZONES + zone + 1 (0:
 * none), written by the extent hooks and read without locks by frees, so
 * that an object goes back to the magazine of its own arena even when
 * that arena drew the page from another node.
 */
_Atomic uint8_t *arena_page_owner;		/* [top / 4 KiB] */
/* the map less dmap / 4 KiB */
DDI_READ_MOSTLY uintptr_t arena_page_owner_bias;
static size_t arena_page_owner_len;

static void
owner_set(uint64_t pfn, uint64_t npages, uint8_t v)
{
	uint64_t first = (pfn << machine->pshift) >> ARENA_OWNER_SHIFT;
	uint64_t n = (npages << machine->pshift) >> ARENA_OWNER_SHIFT;

	for (uint64_t i = 0; i < n; i++)
		atomic_store_explicit(&arena_page_owner[first + i], v,
		    memory_order_relaxed);
}

/* Every explicit tcache made for the current machine; arena_lock. */
static unsigned tc_all[MAX_TCACHES];
static unsigned tc_nall;

/*
 * Magazine geometry, set once from jemalloc's size classes.  A class
 * stack holds at most MAG_BUDGET bytes of objects, between MAG_MIN and
 * ARENA_MAG_SLOTS of them.
 */
#define MAG_MIN		8
#define MAG_BUDGET	(64 * 1024)

static size_t mag_size[ARENA_MAG_NCLASS];	/* bytes of a class */
unsigned arena_mag_cap[ARENA_MAG_NCLASS];	/* slots used, per class */
uint8_t arena_mag_class[ARENA_MAG_MAX / 16 + 1];
static unsigned mag_nclass;

/*
 * The calling thread's tcaches; its magazines are kmem_thr.mag, both
 * valid for kmem_thr.mag_gen.
 */
static DDI_TLS unsigned tc_mine[MACHINE_MAX_NODES][NZONES];
static pthread_key_t tc_key;

static void *
hook_alloc(extent_hooks_t *h, void *new_addr, size_t size, size_t alignment,
    bool *zero, bool *commit, unsigned ind)
{
	unsigned shift = machine->pshift;
	int node = arena_node[ind], zone = arena_zone[ind];
	uint64_t pfn, npages = size >> shift;

	if ((size & (((size_t)1 << shift) - 1)) != 0)
		return NULL;
	if (new_addr != NULL) {
		uint8_t *a = new_addr;
		int seg;

		if (a < machine->dmap || a >= machine->dmap + machine->top)
			return NULL;
		pfn = (uint64_t)(a - machine->dmap) >> shift;
		seg = machine_seg_of(pfn);
		if (seg < 0 || machine->seg[seg].zone != zone ||
		    palloc_alloc_exact(pfn, npages, true) != 0)
			return NULL;
	} else {
		uint64_t zs = zone == 0 ? 0 : machine_zone_end[zone - 1];
		/*
		 * Exactly this zone; the arena's node first, then the
		 * nearest (a node may have no RAM in the zone at all).
		 */
		struct palloc_req r = {
			.npages = npages,
			.low = zs >> shift,
			.high = machine_zone_end[zone] >> shift,
			.align = alignment > ((size_t)1 << shift) ?
			    alignment >> shift : 1,
			.node = node, .zone_min = zone,
			.noreclaim = true, .hook = true };

		if (palloc_alloc(&r, &pfn) != 0)
			return NULL;
	}
	if (*zero)
		memset(machine->dmap + (pfn << shift), 0, size);
	*commit = true;
	owner_set(pfn, npages, (uint8_t)(node * NZONES + zone + 1));
	return machine->dmap + (pfn << shift);
}

static bool
hook_dalloc(extent_hooks_t *h, void *addr, size_t size, bool committed,
    unsigned ind)
{
	uint64_t pa = (uint64_t)((uint8_t *)addr - machine->dmap);
	uint64_t pfn = pa >> machine->pshift, npages = size >> machine->pshift;

	owner_set(pfn, npages, 0);
	/* true keeps the extent in jemalloc: only while a fork is prepared */
	if (palloc_free_hook(pfn, npages))
		return false;
	owner_set(pfn, npages, (uint8_t)(arena_node[ind] * NZONES +
	    arena_zone[ind] + 1));
	return true;
}

static void
hook_destroy(extent_hooks_t *h, void *addr, size_t size, bool committed,
    unsigned ind)
{
	uint64_t pa = (uint64_t)((uint8_t *)addr - machine->dmap);

	owner_set(pa >> machine->pshift, size >> machine->pshift, 0);
	palloc_free(pa >> machine->pshift, size >> machine->pshift);
}

static bool
hook_commit(extent_hooks_t *h, void *addr, size_t size, size_t offset,
    size_t length, unsigned ind)
{
	return false;		/* simulated RAM is always committed */
}

/* Purging punches the pages out of the memfd: they read back as zeros. */
static bool
hook_purge_forced(extent_hooks_t *h, void *addr, size_t size, size_t offset,
    size_t length, unsigned ind)
{
	uint64_t pa = (uint64_t)((uint8_t *)addr - machine->dmap) + offset;

	/* false: done, the pages read as zeros; true: jemalloc keeps them */
	return !machine_ram_release(pa >> machine->pshift,
	    length >> machine->pshift);
}

static bool
hook_split(extent_hooks_t *h, void *addr, size_t size, size_t size_a,
    size_t size_b, bool committed, unsigned ind)
{
	return false;		/* direct-map extents split anywhere */
}

/* Merge only within one segment: never across a zone line or node split. */
static bool
hook_merge(extent_hooks_t *h, void *addr_a, size_t size_a, void *addr_b,
    size_t size_b, bool committed, unsigned ind)
{
	uint64_t a = (uint64_t)((uint8_t *)addr_a - machine->dmap);
	uint64_t b = (uint64_t)((uint8_t *)addr_b - machine->dmap);

	return machine_seg_of(a >> machine->pshift) !=
	    machine_seg_of((b + size_b - 1) >> machine->pshift);
}

static extent_hooks_t arena_hooks = {
	.alloc = hook_alloc,
	.dalloc = hook_dalloc,
	.destroy = hook_destroy,
	.commit = hook_commit,
	.decommit = NULL,
	.purge_lazy = NULL,
	.purge_forced = hook_purge_forced,
	.split = hook_split,
	.merge = hook_merge,
};

static int
arena_create(int node, int zone, unsigned *indp)
{
	extent_hooks_t *hp = &arena_hooks;
	char name[64];
	size_t sz = sizeof(unsigned);
	ssize_t decay = 1000;
	int error;

	if ((error = mallctl("arenas.create", indp, &sz, NULL, 0)) != 0)
		return error;
	if (*indp >= 4096)
		return ENOMEM;
	arena_node[*indp] = node;
	arena_zone[*indp] = zone;
	snprintf(name, sizeof(name), "arena.%u.extent_hooks", *indp);
	if ((error = mallctl(name, NULL, NULL, &hp, sizeof(hp))) != 0)
		return error;
	snprintf(name, sizeof(name), "arena.%u.dirty_decay_ms", *indp);
	(void)mallctl(name, NULL, NULL, &decay, sizeof(decay));
	snprintf(name, sizeof(name), "arena.%u.muzzy_decay_ms", *indp);
	decay = 0;
	(void)mallctl(name, NULL, NULL, &decay, sizeof(decay));
	return 0;
}

/*
 * Give every object of magazine m to its arena, bypassing the tcache, and
 * empty it.
 */
static void
mag_flush(struct arena_mag *m)
{
	for (unsigned c = 0; c < mag_nclass; c++) {
		while (m->n[c] > 0)
			dallocx(m->obj[c][--m->n[c]], MALLOCX_TCACHE_NONE);
	}
}

/* Flush the calling thread's magazines; free them too if release. */
static void
mag_flush_all(bool release)
{
	for (int n = 0; n < MACHINE_MAX_NODES; n++)
		for (int z = 0; z < NZONES; z++) {
			struct arena_mag *m = kmem_thr.mag[n][z];

			if (m == NULL)
				continue;
			mag_flush(m);
			if (release) {
				free(m);
				kmem_thr.mag[n][z] = NULL;
			}
		}
	if (release)
		kmem_pmemo_forget();
}

/*
 * Forget the calling thread's magazines of a machine that is gone: their
 * objects went with its arenas.
 */
static void
mag_drop_all(void)
{
	for (int n = 0; n < MACHINE_MAX_NODES; n++)
		for (int z = 0; z < NZONES; z++) {
			free(kmem_thr.mag[n][z]);
			kmem_thr.mag[n][z] = NULL;
		}
	kmem_pmemo_forget();
}

/*
 * Thread exit: destroy the thread's tcaches, but only those still in the
 * registry, under arena_lock, so that a shutdown that already destroyed
 * them all is never followed by a second destroy of the same id.
 */
static void
tc_thread_exit(void *arg)
{
	pthread_mutex_lock(&arena_lock);
	if (kmem_thr.mag_gen != arena_gen_now()) {
		pthread_mutex_unlock(&arena_lock);
		mag_drop_all();
		return;
	}
	mag_flush_all(true);
	for (int n = 0; n < MACHINE_MAX_NODES; n++)
		for (int z = 0; z < NZONES; z++) {
			unsigned t = tc_mine[n][z];

			tc_mine[n][z] = 0;
			if (t-- == 0)
				continue;
			for (unsigned i = 0; i < tc_nall; i++)
				if (tc_all[i] == t) {
					tc_all[i] = tc_all[--tc_nall];
					(void)mallctl("tcache.destroy", NULL,
					    NULL, &t, sizeof(t));
					break;
				}
		}
	/*
	 * A later destructor of this thread that frees or allocates makes
	 * new caches: the stale generation sends it through arena_tcache,
	 * which registers this destructor again.
	 */
	kmem_thr.mag_gen = 0;
	pthread_mutex_unlock(&arena_lock);
}

static pthread_once_t arena_once = PTHREAD_ONCE_INIT;

/*
 * jemalloc's size classes from 16 bytes to ARENA_MAG_MAX.  They are
 * multiples of 16 there, so the class of every size in (16 (i - 1), 16 i]
 * is that of 16 i, and every object of a class is 16-byte aligned.
 */
static void
mag_classes_init(void)
{
	size_t prev = 0;

	for (size_t i = 1; i <= ARENA_MAG_MAX / 16; i++) {
		size_t cs = nallocx(16 * i, 0);

		VERIFY(cs >= 16 * i && cs % 16 == 0);
		if (cs != prev) {
			VERIFY(mag_nclass < ARENA_MAG_NCLASS);
			mag_size[mag_nclass] = cs;
			size_t cap = MAG_BUDGET / cs;

			if (cap < MAG_MIN)
				cap = MAG_MIN;
			if (cap > ARENA_MAG_SLOTS)
				cap = ARENA_MAG_SLOTS;
			arena_mag_cap[mag_nclass] = (unsigned)cap;
			mag_nclass++;
			prev = cs;
		}
		arena_mag_class[i] = (uint8_t)(mag_nclass - 1);
	}
}

static void
arena_once_init(void)
{
	VERIFY(pthread_key_create(&tc_key, tc_thread_exit) == 0);
	mag_classes_init();
}

static bool
zone_has_ram(int zone)
{
	for (int n = 0; n < machine->spec.nodes; n++)
		if (palloc_total_pages(n, zone) != 0)
			return true;
	return false;
}

/*
 * Whether jemalloc runs without opt.retain (see malloc_conf above); if not,
 * say once why small objects come from pools only.
 */
static bool
arena_jemalloc_usable(void)
{
	static atomic_bool warned;
	bool retain = true;
	size_t sz = sizeof(retain);

	if (mallctl("opt.retain", &retain, &sz, NULL, 0) == 0 && !retain)
		return true;
	if (!atomic_exchange(&warned, true))
		fprintf(stderr, "ddicompat: jemalloc runs with opt.retain, "
		    "which cannot keep arenas apart, so small objects come "
		    "from pools: link -lddicompat before -ljemalloc (as "
		    "pkg-config --libs ddicompat does) and leave retain out "
		    "of MALLOC_CONF\n");
	return false;
}

int
arena_init(void)
{
	bool usable;

	pthread_once(&arena_once, arena_once_init);
	/*
	 * By 4 KiB page: arenas exist only where that is the machine's page
	 * too, and the map stays untouched elsewhere.
	 */
	arena_page_owner_len = (size_t)(machine->top >> ARENA_OWNER_SHIFT);
	arena_page_owner = mmap(NULL, arena_page_owner_len,
	    PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS |
	    MAP_NORESERVE, -1, 0);
	if (arena_page_owner == MAP_FAILED) {
		arena_page_owner = NULL;
		return ENOMEM;
	}
	VERIFY(((uintptr_t)machine->dmap & ((1u << ARENA_OWNER_SHIFT) - 1)) ==
	    0);
	arena_page_owner_bias = (uintptr_t)arena_page_owner -
	    ((uintptr_t)machine->dmap >> ARENA_OWNER_SHIFT);
	pthread_mutex_lock(&arena_lock);
	atomic_store_explicit(&arena_gen, machine->generation,
	    memory_order_relaxed);
	tc_nall = 0;
	usable = arena_jemalloc_usable();
	/* All unset first: a failure below tears down only what was made. */
	for (int n = 0; n < MACHINE_MAX_NODES; n++)
		for (int z = 0; z < NZONES; z++)
			arena_ind[n][z] = NO_ARENA;
	for (int n = 0; n < MACHINE_MAX_NODES; n++)
		for (int z = 0; z < NZONES; z++) {
			int error;

			/*
			 * jemalloc splits extents at host pages: with larger
			 * machine pages the pools serve small objects.
			 */
			if (!usable || n >= machine->spec.nodes ||
			    z == ZONE_ISA || !zone_has_ram(z) ||
			    machine->spec.page != (size_t)sysconf(_SC_PAGESIZE))
				continue;
			if ((error = arena_create(n, z, &arena_ind[n][z])) != 0) {
				pthread_mutex_unlock(&arena_lock);
				arena_fini();	/* the arenas made, the map */
				return error;
			}
		}
	pthread_mutex_unlock(&arena_lock);
	return 0;
}

/* Destroy every tcache, then the arenas, giving their extents back. */
void
arena_fini(void)
{
	char name[64];

	pthread_mutex_lock(&arena_lock);
	for (unsigned i = 0; i < tc_nall; i++)
		(void)mallctl("tcache.destroy", NULL, NULL, &tc_all[i],
		    sizeof(tc_all[i]));
	tc_nall = 0;
	for (int n = 0; n < MACHINE_MAX_NODES; n++)
		for (int z = 0; z < NZONES; z++) {
			if (arena_ind[n][z] == NO_ARENA)
				continue;
			snprintf(name, sizeof(name), "arena.%u.destroy",
			    arena_ind[n][z]);
			(void)mallctl(name, NULL, NULL, NULL, 0);
			arena_ind[n][z] = NO_ARENA;
		}
	atomic_store_explicit(&arena_gen, 0, memory_order_relaxed);
	pthread_mutex_unlock(&arena_lock);
	if (arena_page_owner != NULL)
		munmap((void *)arena_page_owner, arena_page_owner_len);
	arena_page_owner = NULL;
}

bool
arena_exists(int node, int zone)
{
	return arena_ind[node][zone] != NO_ARENA;
}

/* The calling thread's explicit tcache for (node, zone), made on demand. */
static unsigned
arena_tcache(int node, int zone)
{
	unsigned t;
	size_t sz = sizeof(t);

	if (kmem_thr.mag_gen != arena_gen_now()) {
		memset(tc_mine, 0, sizeof(tc_mine));
		mag_drop_all();
		kmem_thr.mag_gen = arena_gen_now();
		pthread_setspecific(tc_key, &kmem_thr.mag_gen);
	}
	if ((t = tc_mine[node][zone]) != 0)
		return t;
	pthread_mutex_lock(&arena_lock);
	if (tc_nall < MAX_TCACHES &&
	    mallctl("tcache.create", &t, &sz, NULL, 0) == 0) {
		tc_all[tc_nall++] = t;
		/* Index 0 is a valid tcache: store it biased by one. */
		tc_mine[node][zone] = t + 1;
	}
	pthread_mutex_unlock(&arena_lock);
	return tc_mine[node][zone];
}

/* mallocx/dallocx flags for (node, zone) from the calling thread. */
int
arena_flags(int node, int zone)
{
	unsigned t = arena_tcache(node, zone);

	return (int)MALLOCX_ARENA(arena_ind[node][zone]) |
	    (t != 0 ? MALLOCX_TCACHE(t - 1) : MALLOCX_TCACHE_NONE);
}

/*
 * The calling thread's magazine for (node, zone), made on demand; NULL
 * when the host is out of memory or jemalloc has no tcache to spare.
 */
static struct arena_mag *
mag_get(int node, int zone)
{
	struct arena_mag *m;

	if (arena_tcache(node, zone) == 0)	/* also resets a stale thread */
		return NULL;
	if ((m = kmem_thr.mag[node][zone]) != NULL)
		return m;
	if ((m = calloc(1, sizeof(*m))) == NULL)
		return NULL;
	m->flags = arena_flags(node, zone);
	kmem_thr.mag[node][zone] = m;
	return m;
}

static inline struct arena_mag *
mag_mine(int node, int zone)
{
	struct arena_mag *m = arena_mag_hit(node, zone);

	return m != NULL ? m : mag_get(node, zone);
}

/* Fill half of class c's empty stack from the tcache; one object or NULL. */
static void *
mag_refill(struct arena_mag *m, unsigned c)
{
	unsigned want = arena_mag_cap[c] / 2;

	while (m->n[c] < want) {
		void *p = mallocx(mag_size[c], m->flags);

		if (p == NULL)
			break;
		m->obj[c][m->n[c]++] = p;
	}
	return m->n[c] > 0 ? m->obj[c][--m->n[c]] : NULL;
}

/*
 * An object of size bytes aligned to align (0: what its class gives) from
 * the arena of (node, zone), through the calling thread's magazine and
 * tcache.  NULL when the arena has no memory.
 */
void *
arena_alloc(int node, int zone, size_t size, size_t align)
{
	struct arena_mag *m;
	unsigned c;

	if (size <= ARENA_MAG_MAX && align <= 16 &&
	    (m = mag_mine(node, zone)) != NULL) {
		c = arena_mag_class[(size + 15) >> 4];
		if (likely(m->n[c] > 0))
			return m->obj[c][--m->n[c]];
		return mag_refill(m, c);
	}
	/*
	 * No magazine: still take the whole class, 16-byte aligned, since a
	 * free may file the object in a magazine by the size asked for.
	 */
	if (size <= ARENA_MAG_MAX)
		size = mag_size[arena_mag_class[(size + 15) >> 4]];
	return mallocx(size, align > 16 ? arena_flags(node, zone) |
	    MALLOCX_ALIGN(align) : arena_flags(node, zone));
}

/*
 * Free an object of the arena of (node, zone) that was asked for with
 * size bytes.  A full stack first gives half of itself to the tcache.
 */
void
arena_free(int node, int zone, void *p, size_t size)
{
	struct arena_mag *m;
	unsigned c;

	if (size > ARENA_MAG_MAX || (m = mag_mine(node, zone)) == NULL) {
		/* dallocx reads only the tcache; the extent names the arena */
		dallocx(p, arena_flags(node, zone));
		return;
	}
	c = arena_mag_class[(size + 15) >> 4];
	if (unlikely(m->n[c] == arena_mag_cap[c]))
		while (m->n[c] > arena_mag_cap[c] / 2)
			dallocx(m->obj[c][--m->n[c]], m->flags);
	m->obj[c][m->n[c]++] = p;
}

/*
 * Give cached memory back: empty this thread's magazines, flush its
 * tcaches into their arenas, and purge the arenas.
 */
void
arena_reclaim(void)
{
	if (kmem_thr.mag_gen == arena_gen_now()) {
		mag_flush_all(false);
		for (int n = 0; n < MACHINE_MAX_NODES; n++)
			for (int z = 0; z < NZONES; z++) {
				unsigned t = tc_mine[n][z];

				if (t == 0)
					continue;
				t--;
				(void)mallctl("tcache.flush", NULL, NULL, &t,
				    sizeof(t));
			}
	}
	/*
	 * Then purge every arena: its dirty extents go back to the page
	 * allocator through hook_dalloc.  Called without palloc's locks, and
	 * never from inside jemalloc (hook allocations do not reclaim).
	 */
	for (int n = 0; n < MACHINE_MAX_NODES; n++)
		for (int z = 0; z < NZONES; z++) {
			char name[64];

			if (arena_ind[n][z] == NO_ARENA)
				continue;
			snprintf(name, sizeof(name), "arena.%u.purge",
			    arena_ind[n][z]);
			(void)mallctl(name, NULL, NULL, NULL, 0);
		}
}
