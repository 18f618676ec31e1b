/*
 * machine.h - the simulated machine: spec, RAM layout, direct map, CPUs.
 *
 * Physical RAM is one memfd as large as the highest physical address; the
 * direct map is one MAP_SHARED mapping of it whose base is aligned to
 * MACHINE_DMAP_ALIGN, so virtual and physical addresses agree modulo every
 * alignment a physreq can ask for and vtop is a subtraction.
 */
#ifndef DDICOMPAT_MACHINE_H
#define DDICOMPAT_MACHINE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ddicompat/ddisim.h"
#include "util/cdefs.h"

#define MACHINE_MAX_NODES	DDISIM_MAX_NODES
#define MACHINE_MAX_CPUS	64
#define MACHINE_MAX_HOLES	16
#define MACHINE_MAX_SEGS	64
#define MACHINE_DMAP_ALIGN	(UINT64_C(1) << 32)
#define MACHINE_CHUNK_SHIFT	21
/*
 * Page numbers fit in MACHINE_PFN_BITS bits: the page allocator and the
 * alias windows keep them in 32-bit fields.  Counted in the smallest page,
 * 4 KiB, that keeps the top of RAM below MACHINE_TOP_MAX, 16 TiB, whatever
 * the page size; machine_spec_parse refuses a spec that reaches it.
 */
#define MACHINE_PFN_BITS	32
#define MACHINE_TOP_MAX		(UINT64_C(4096) << MACHINE_PFN_BITS)

/* Zone lines: a zone ends where the next address bit would be needed. */
enum { ZONE_ISA, ZONE_32, ZONE_36, ZONE_HIGH, NZONES };
extern DDI_HIDDEN const uint64_t machine_zone_end[NZONES];

enum audit_level { AUDIT_LIGHT, AUDIT_FULL };

/* A board= item of the spec: a board the resource manager lists. */
#define MACHINE_MAX_BOARDS	16
struct machine_board {
	struct ddisim_board b;		/* modname and brdid NULL: below */
	char		name[DDISIM_RM_NAMELEN];
	char		brdid[DDISIM_RM_BRDIDLEN];
};

/* A parsed spec; every field has its default after machine_spec_parse. */
struct machine_spec {
	uint64_t	mem;		/* bytes of RAM */
	int		nodes;
	unsigned	nsplits;	/* explicit node split addresses */
	uint64_t	split[MACHINE_MAX_NODES];
	int		cpus;
	unsigned	nholes;
	uint64_t	hole_start[MACHINE_MAX_HOLES];
	uint64_t	hole_end[MACHINE_MAX_HOLES];
	size_t		page;		/* bytes, power of 2, >= 4 KiB */
	double		frag;		/* fraction of RAM held by aging */
	uint64_t	seed;
	double		failrate;	/* NOSLEEP failure probability */
	enum ddisim_verify_policy verify;
	bool		verify_given;	/* the spec named a policy */
	enum audit_level audit;
	bool		scatter;
	bool		isadma;		/* the system DMA controller */
	unsigned	sleeplimit_ms;	/* KM_SLEEP wait before reporting */
	unsigned	maps;		/* mappings aliases may use; 0: half
					   of vm.max_map_count */
	unsigned	nboards;
	struct machine_board board[MACHINE_MAX_BOARDS];
	int		explain;	/* ddisim_explain mode at start */
	bool		explain_given;	/* the spec named one */
};

/*
 * A RAM segment: pages [spfn, epfn) of one node and one zone.  Segments are
 * sorted by address and never straddle a zone line, a node split or a hole.
 */
struct machine_seg {
	uint64_t	spfn;
	uint64_t	epfn;
	int		node;
	int		zone;
};

/*
 * What every page and block path reads comes first, in one cache line:
 * after a large copy has evicted the first-level cache, those paths
 * then miss once here rather than once per field.
 */
struct machine {
	uint8_t		*dmap;		/* direct map: PA 0 is dmap[0] */
	uint64_t	top;		/* one past the highest RAM byte */
	uint64_t	npfn;		/* top >> pshift */
	uint64_t	generation;	/* bumped by every ddisim_init */
	int8_t		*seg_of_chunk;	/* by 2 MiB chunk: segment, -1 none,
					   -2 several (search) */
	uint64_t	nchunks;
	unsigned	pshift;		/* log2(page size) */
	unsigned	nsegs;
	struct machine_spec spec;
	struct machine_seg seg[MACHINE_MAX_SEGS];
	int		cpu_node[MACHINE_MAX_CPUS];
	int		memfd;
	void		*dmap_resv;	/* whole reservation, for munmap */
	size_t		dmap_resv_len;
};


/* The machine; NULL when none is built.  Written only by init/shutdown. */
extern DDI_HIDDEN struct machine *machine;

int	machine_spec_parse(const char *spec, struct machine_spec *ms,
	    char *err, size_t errlen);
int	machine_layout(struct machine *m, char *err, size_t errlen);
int	machine_ram_create(struct machine *m, char *err, size_t errlen);
void	machine_ram_destroy(struct machine *m);
bool	machine_ram_release(uint64_t pfn, uint64_t npages);
int	machine_zone_of(uint64_t pa);
int	machine_seg_search(uint64_t pfn);

/* Index of the segment holding pfn, or -1 (a hole or beyond the top). */
static inline int
machine_seg_of(uint64_t pfn)
{
	uint64_t ch = (pfn << machine->pshift) >> MACHINE_CHUNK_SHIFT;

	if (__builtin_expect(ch < machine->nchunks, 1)) {
		int v = machine->seg_of_chunk[ch];

		if (v != -2)
			return v;
	}
	return machine_seg_search(pfn);
}

/* The simulated CPU of the calling thread, and its node. */
extern DDI_HIDDEN DDI_TLS int machine_thread_cpu;
int	machine_cpu_slow(void);

static inline int
machine_cpu(void)
{
	int c = machine_thread_cpu;

	if (__builtin_expect(c < 0 || c >= machine->spec.cpus, 0))
		c = machine_cpu_slow();
	return c;
}

static inline int
machine_node(void)
{
	return machine->cpu_node[machine_cpu()];
}

/*
 * Fork isolation: layers that keep mappings of the memfd register a remap
 * callback, run in the child after the RAM is copied to a new memfd.  The
 * callback must not allocate.
 */
typedef void (*machine_remap_fn)(int newfd);
void	machine_remap_register(machine_remap_fn);

void	machine_fork_hooks_register(void (*pre)(void), void (*post)(void));
/* Run in the child with every registered lock held, before they go. */
void	machine_fork_child_register(void (*fn)(void));
/* For tests: visit every registered lock; and how often prepare waited. */
struct fork_lock;
void	machine_fork_locks_visit(void (*fn)(const struct fork_lock *, void *),
	    void *arg);
unsigned long machine_fork_backoffs(void);
pthread_mutex_t *machine_init_lock(void);
void	machine_set_cpu(int cpu);

/* Deterministic PRNG (splitmix64 seeding, xoshiro256**). */
struct rng {
	uint64_t	s[4];
};
void		rng_seed(struct rng *, uint64_t seed);
/* Inline: the aging workload draws a few numbers for each of its steps. */
static inline uint64_t
rng_next(struct rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = ((s[1] * 5) << 7 | (s[1] * 5) >> 57) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = s[3] << 45 | s[3] >> 19;
	return result;
}
static inline uint64_t
rng_below(struct rng *r, uint64_t n)
{
	return n == 0 ? 0 : (uint64_t)(((unsigned __int128)rng_next(r) * n) >> 64);
}
static inline double
rng_unit(struct rng *r)
{
	return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

#endif /* DDICOMPAT_MACHINE_H */
