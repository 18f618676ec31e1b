/*
 * vm.h - kernel virtual memory: the direct map and alias windows.
 *
 * A physically contiguous buffer is handed out as its direct-map address.
 * A buffer made of several physical runs is mapped back to back in the
 * alias window, one mmap per run with ascending file offsets, so it is
 * virtually contiguous and physically scattered, as on real hardware.
 * Aliases are scarce (vm.max_map_count): they are counted against a budget
 * and exhausting it fails like a memory shortage.
 */
#ifndef DDICOMPAT_VM_H
#define DDICOMPAT_VM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "machine/machine.h"

struct vm_run {
	uint64_t	pfn;
	uint64_t	npages;
};

int	vm_init(void);
void	vm_fini(void);

int	vm_alias_map(const struct vm_run *runs, unsigned nruns, void **vap);
void	vm_alias_unmap(void *va);
bool	vm_is_alias(const void *va);
size_t	vm_alias_count(void);		/* live aliases */
size_t	vm_alias_vmas(void);		/* mappings they use */

/* Translation: 0, or EFAULT if va is neither direct map RAM nor alias. */
int	vm_vtop(const void *va, uint64_t *pa);
/*
 * The DDI's 32-bit forms: a kernel address, or a physical address of
 * what (for the report), as a paddr_t; 0 after a report for func.
 */
uint32_t vm_vtop32(const void *va, const char *func, const void *caller);
uint32_t vm_paddr32(uint64_t pa, const char *what, const char *func,
	    const void *caller);
void	*vm_ptov(uint64_t pa);		/* direct-map address of pa */

/* Whether va lies in the direct map of the current machine's RAM. */
static inline bool
vm_in_dmap(const void *va)
{
	const uint8_t *p = va;

	return machine != NULL && p >= machine->dmap &&
	    p < machine->dmap + machine->top;
}

/*
 * Whether a lies in the span bytes from lo and is 8-aligned, in one
 * compare: rotated right by three, an offset with any of its low three
 * bits set has one of its top three set, above any span over 8; span is
 * a multiple of 8.  lo and span are the direct map's, read once by a
 * caller that tests many addresses.
 */
static inline __attribute__((always_inline)) bool
vm_in_span8(uintptr_t a, const uint8_t *lo, uintptr_t span)
{
	uintptr_t off = a - (uintptr_t)lo;

	return ((off >> 3) | (off << (sizeof(off) * 8 - 3))) < (span >> 3);
}

/*
 * Whether va lies in the direct map and is 8-aligned.  Only where a
 * machine is up: in an entry point's body.
 */
static inline bool
vm_in_dmap8(const void *va)
{
	return vm_in_span8((uintptr_t)va, machine->dmap, machine->top);
}

/* Physical runs of [va, va+len): fills up to max, returns the count. */
size_t	vm_segments(const void *va, size_t len, uint64_t *pa, size_t *plen,
	    size_t max);

/*
 * Shuffle n items, deterministically from the machine's seed and draw,
 * until no item's page directly follows the previous item's in RAM: the
 * order of a user buffer's pages.  pfn gives an item's page.
 */
void	vm_scatter(void **v, size_t n, uint64_t draw,
	    uint64_t (*pfn)(const void *));

#endif /* DDICOMPAT_VM_H */
