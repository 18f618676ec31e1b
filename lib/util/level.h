/*
 * level.h - interface levels, and what each one gets.
 *
 * A driver's interface version reaches the library through the versioned
 * entry points the legacy headers redirect to (_Compat_kmem_alloc5 and
 * the like).  Versions whose rules are the same share a level; the table
 * in level.c is the one place that says what a level's driver gets where
 * its version decides: the placement of plain kmem_alloc and allocb
 * memory, the widest physical address its paddr_t can hold, and which
 * form of the buf's scatter-gather list and block number it uses.
 */
#ifndef DDICOMPAT_UTIL_LEVEL_H
#define DDICOMPAT_UTIL_LEVEL_H

#include <stdbool.h>
#include <stdint.h>

enum ddi_level {
	LEVEL_ODDI,		/* the ODDI, every release */
	LEVEL_DDI1_4,		/* DDI 1 to 4 */
	LEVEL_DDI5,		/* DDI 5 */
	LEVEL_DDI6_71,		/* DDI 6, 7 and 7.1: 32-bit paddr_t */
	LEVEL_DDI72_8,		/* DDI 7.2 and 8 */
	LEVEL_COUNT
};

/* The newest level: what the unversioned entry points serve. */
#define LEVEL_LATEST	LEVEL_DDI72_8

/* A placement: [0, high), aligned to align bytes, contiguous or not. */
struct level_place {
	uint64_t	high;		/* one past the highest byte, bytes */
	unsigned	align;		/* bytes */
	bool		contig;		/* physically contiguous */
};

struct level_rules {
	const char	*name;		/* "DDI 6 to 7.1" */
	struct level_place kmem;	/* plain kmem_alloc */
	struct level_place allocb;	/* plain allocb (STREAMS default) */
	uint64_t	paddr_high;	/* physical addresses its paddr_t holds:
					   no memory at or above this */
	bool		buf64;		/* DDI 8 buf: scgth_t lists in b_scgth
					   and a 64-bit b_cblkno */
};

/*
 * The table.  It is static in this header so that a rule looked up with a
 * constant level folds to a constant on the allocation fast paths.
 *
 * DDI 1 to 5 and the ODDI assumed kernel memory was DMA-able: below the
 * ISA line, and for DDI 1 to 4 physically contiguous.  STREAMS buffers of
 * those versions followed the kernel's STREAMS default (word aligned,
 * contiguous, below 16 MiB).  DDI 6 to 7.1 live in 32-bit physical
 * addresses, so nothing they are given may lie at or above 4 GiB.  DDI 7.2
 * and 8 are promised nothing about plain memory.
 */
#define BELOW_16M	(UINT64_C(1) << 24)
#define BELOW_4G	(UINT64_C(1) << 32)
#define ANYWHERE	UINT64_MAX

static const struct level_rules level_table[LEVEL_COUNT] = {
	[LEVEL_ODDI] = {
		.name = "ODDI",
		.kmem = { BELOW_16M, 8, false },
		.allocb = { BELOW_16M, 4, true },
		.paddr_high = BELOW_4G,
		.buf64 = false,
	},
	[LEVEL_DDI1_4] = {
		.name = "DDI 1 to 4",
		.kmem = { BELOW_16M, 8, true },
		.allocb = { BELOW_16M, 4, true },
		.paddr_high = BELOW_4G,
		.buf64 = false,
	},
	[LEVEL_DDI5] = {
		.name = "DDI 5",
		.kmem = { BELOW_16M, 8, false },
		.allocb = { BELOW_16M, 4, true },
		.paddr_high = BELOW_4G,
		.buf64 = false,
	},
	[LEVEL_DDI6_71] = {
		.name = "DDI 6 to 7.1",
		.kmem = { BELOW_4G, 8, false },
		.allocb = { BELOW_4G, 8, false },
		.paddr_high = BELOW_4G,
		.buf64 = false,
	},
	[LEVEL_DDI72_8] = {
		.name = "DDI 7.2 and 8",
		.kmem = { ANYWHERE, 8, false },
		.allocb = { ANYWHERE, 8, false },
		.paddr_high = ANYWHERE,
		.buf64 = true,
	},
};

#undef BELOW_16M
#undef BELOW_4G
#undef ANYWHERE

static inline const struct level_rules *
level_rules(enum ddi_level l)
{
	return &level_table[l];
}

#endif /* DDICOMPAT_UTIL_LEVEL_H */
