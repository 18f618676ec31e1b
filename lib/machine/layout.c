/*
 * layout.c - turn a spec into RAM segments, nodes and CPUs.
 *
 * RAM fills physical addresses from 0 upward; a hole pushes the RAM that
 * would have been under it above it (as a PC chipset remaps memory under
 * the PCI hole), so mem= is always the amount of RAM and the top of RAM is
 * mem plus the holes below it.  Segments are then cut at zone lines and at
 * node splits.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "machine/machine.h"
#include "verify/verify.h"

const uint64_t machine_zone_end[NZONES] = {
	UINT64_C(1) << 24, UINT64_C(1) << 32, UINT64_C(1) << 36, UINT64_MAX
};

struct range {
	uint64_t	s, e;
};

static int
layout_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return EINVAL;
}

/* RAM ranges in address order; returns their count. */
static unsigned
layout_ram(const struct machine_spec *ms, struct range *ram, uint64_t *topp)
{
	unsigned order[MACHINE_MAX_HOLES], n = 0;
	uint64_t cur = 0, left = ms->mem;

	for (unsigned i = 0; i < ms->nholes; i++) {
		unsigned j = i;

		while (j > 0 && ms->hole_start[order[j - 1]] > ms->hole_start[i]) {
			order[j] = order[j - 1];
			j--;
		}
		order[j] = i;
	}
	for (unsigned k = 0; k < ms->nholes && left > 0; k++) {
		uint64_t hs = ms->hole_start[order[k]];
		uint64_t he = ms->hole_end[order[k]];

		if (hs >= cur + left)
			break;		/* above the top of RAM: no effect */
		if (hs > cur) {
			ram[n++] = (struct range){ cur, hs };
			left -= hs - cur;
		}
		if (he > cur)
			cur = he;
	}
	if (left > 0)
		ram[n++] = (struct range){ cur, cur + left };
	*topp = n > 0 ? ram[n - 1].e : 0;
	return n;
}

static int
layout_node_of(const struct machine *m, const uint64_t *split, uint64_t pa)
{
	int node = 0;

	while (node + 1 < m->spec.nodes && pa >= split[node])
		node++;
	return node;
}

/* Equal shares of RAM by amount, split points rounded to a page. */
static void
layout_equal_splits(const struct machine *m, const struct range *ram,
    unsigned nram, uint64_t *split)
{
	uint64_t share = m->spec.mem / (uint64_t)m->spec.nodes, acc = 0;
	int k = 0;

	for (unsigned i = 0; i < nram && k + 1 < m->spec.nodes; i++) {
		uint64_t len = ram[i].e - ram[i].s;

		while (k + 1 < m->spec.nodes &&
		    acc + len > share * (uint64_t)(k + 1)) {
			uint64_t at = ram[i].s + share * (uint64_t)(k + 1) - acc;

			split[k++] = at & ~((uint64_t)m->spec.page - 1);
		}
		acc += len;
	}
}

int
machine_layout(struct machine *m, char *err, size_t errlen)
{
	const struct machine_spec *ms = &m->spec;
	struct range ram[MACHINE_MAX_HOLES + 1];
	uint64_t split[MACHINE_MAX_NODES], pmask = ms->page - 1;
	uint64_t node_pages[MACHINE_MAX_NODES] = { 0 };
	unsigned nram;

	m->pshift = (unsigned)__builtin_ctzll(ms->page);
	if (ms->mem < 2 * ms->page || (ms->mem & pmask) != 0)
		return layout_err(err, errlen, "mem: %#llx is not a multiple "
		    "of the %zu-byte page of at least two pages",
		    (unsigned long long)ms->mem, ms->page);
	for (unsigned i = 0; i < ms->nholes; i++)
		if (((ms->hole_start[i] | ms->hole_end[i]) & pmask) != 0)
			return layout_err(err, errlen, "hole: %#llx-%#llx is "
			    "not page aligned",
			    (unsigned long long)ms->hole_start[i],
			    (unsigned long long)ms->hole_end[i]);
	/* Keep the arithmetic below far from overflow. */
	if (ms->mem >= (UINT64_C(1) << 44))
		return layout_err(err, errlen, "mem: %#llx is more than the "
		    "16 TiB the simulation can map",
		    (unsigned long long)ms->mem);
	for (unsigned i = 0; i < ms->nholes; i++)
		if (ms->hole_end[i] >= (UINT64_C(1) << 44))
			return layout_err(err, errlen, "hole: %#llx-%#llx "
			    "lies beyond 16 TiB",
			    (unsigned long long)ms->hole_start[i],
			    (unsigned long long)ms->hole_end[i]);
	nram = layout_ram(ms, ram, &m->top);
	if (m->top >= (UINT64_C(1) << 44))
		return layout_err(err, errlen, "mem: the top of RAM (%#llx) "
		    "is above the 16 TiB the simulation can map",
		    (unsigned long long)m->top);
	m->npfn = m->top >> m->pshift;

	if (ms->nsplits > 0) {
		for (unsigned k = 0; k < ms->nsplits; k++) {
			if ((ms->split[k] & pmask) != 0 || ms->split[k] == 0 ||
			    ms->split[k] >= m->top)
				return layout_err(err, errlen, "nodes: split "
				    "%#llx is not a page-aligned address "
				    "inside RAM",
				    (unsigned long long)ms->split[k]);
			split[k] = ms->split[k];
		}
	} else {
		layout_equal_splits(m, ram, nram, split);
	}

	/* Cut every RAM range at zone lines and node splits. */
	m->nsegs = 0;
	for (unsigned i = 0; i < nram; i++) {
		uint64_t s = ram[i].s;

		while (s < ram[i].e) {
			int zone = machine_zone_of(s);
			int node = layout_node_of(m, split, s);
			uint64_t e = ram[i].e;

			if (machine_zone_end[zone] < e)
				e = machine_zone_end[zone];
			if (node + 1 < ms->nodes && split[node] < e)
				e = split[node];
			if (m->nsegs == MACHINE_MAX_SEGS)
				return layout_err(err, errlen, "hole: too many "
				    "RAM segments (at most %d)",
				    MACHINE_MAX_SEGS);
			m->seg[m->nsegs++] = (struct machine_seg){
				.spfn = s >> m->pshift, .epfn = e >> m->pshift,
				.node = node, .zone = zone };
			node_pages[node] += (e - s) >> m->pshift;
			s = e;
		}
	}
	for (int n = 0; n < ms->nodes; n++)
		if (node_pages[n] == 0)
			return layout_err(err, errlen, "nodes: node %d gets "
			    "no RAM", n);

	/* A 2 MiB chunk table makes most segment look-ups one load. */
	m->nchunks = (m->top + (UINT64_C(1) << MACHINE_CHUNK_SHIFT) - 1) >>
	    MACHINE_CHUNK_SHIFT;
	m->seg_of_chunk = malloc((size_t)m->nchunks);
	if (m->seg_of_chunk == NULL)
		return layout_err(err, errlen, "mem: no memory for the "
		    "segment table");
	memset(m->seg_of_chunk, -1, (size_t)m->nchunks);
	for (unsigned i = 0; i < m->nsegs; i++) {
		uint64_t s0 = (m->seg[i].spfn << m->pshift) >>
		    MACHINE_CHUNK_SHIFT;
		uint64_t e0 = ((m->seg[i].epfn << m->pshift) - 1) >>
		    MACHINE_CHUNK_SHIFT;

		for (uint64_t ch = s0; ch <= e0; ch++) {
			uint64_t cs = ch << MACHINE_CHUNK_SHIFT;
			uint64_t ce = cs + (UINT64_C(1) << MACHINE_CHUNK_SHIFT);
			bool whole = (m->seg[i].spfn << m->pshift) <= cs &&
			    (m->seg[i].epfn << m->pshift) >= ce;

			m->seg_of_chunk[ch] = whole ? (int8_t)i : -2;
		}
	}

	/* CPUs in equal blocks per node: cpu c is on node c*nodes/cpus. */
	for (int c = 0; c < ms->cpus; c++)
		m->cpu_node[c] = (int)((int64_t)c * ms->nodes / ms->cpus);
	return 0;
}

int
machine_zone_of(uint64_t pa)
{
	int z = 0;

	while (pa >= machine_zone_end[z])
		z++;
	return z;
}

/* Binary search over the segments: -1 for a hole or beyond the top. */
int
machine_seg_search(uint64_t pfn)
{
	unsigned lo = 0, hi = machine->nsegs;

	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;

		if (pfn < machine->seg[mid].spfn)
			hi = mid;
		else if (pfn >= machine->seg[mid].epfn)
			lo = mid + 1;
		else
			return (int)mid;
	}
	return -1;
}
