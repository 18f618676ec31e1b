/*
 * map.c - bp_mapin and bp_mapout (bp_mapin(9)): a kernel virtual address
 * for the data of a raw (B_PHYS, BA_UVIRT) or paged (B_PAGEIO,
 * BA_PAGELIST) request, for drivers before DDI 8 that move data with the
 * CPU.
 *
 * The pages are mapped back to back in the alias window, as a scattered
 * kernel buffer is; pages that happen to be one physical run use the
 * direct map and no alias.  bp_mapout undoes exactly what bp_mapin did,
 * from the members bp_mapin saved (b_orig_addr, b_orig_proc,
 * b_orig_type), which the driver must leave alone meanwhile.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>

#include "kmem/kmem.h"
#include "machine/entry.h"
#include "machine/machine.h"
#include "verify/verify.h"
#include "proc/page.h"
#include "proc/proc.h"
#include "vm/vm.h"

#include "sys/buf.h"
#include "exports.h"

/* The runs of pfns of npages pages, merged where they follow on. */
static unsigned
runs_add(struct vm_run *runs, unsigned n, uint64_t pfn)
{
	if (n > 0 && runs[n - 1].pfn + runs[n - 1].npages == pfn) {
		runs[n - 1].npages++;
		return n;
	}
	runs[n].pfn = pfn;
	runs[n].npages = 1;
	return n + 1;
}

/* Pages of a user range; false after a report. */
static bool
user_runs(buf_t *bp, size_t off, size_t npages, struct vm_run *runs,
    unsigned *nruns, const char *func, const void *caller)
{
	size_t pg = machine->spec.page;
	const uint8_t *u = (const uint8_t *)bp->b_un.b_addr - off;
	uint64_t pa;

	if (!proc_live(bp->b_proc, func, caller))
		return false;
	for (size_t i = 0; i < npages; i++) {
		if (proc_vtop(bp->b_proc, u + i * pg, &pa) != 0) {
			verify_report(func, caller, "buf %p: user address %p "
			    "is not mapped in process %p", (void *)bp,
			    (const void *)(u + i * pg), (void *)bp->b_proc);
			return false;
		}
		*nruns = runs_add(runs, *nruns, pa >> machine->pshift);
	}
	return true;
}

static bool
page_runs(buf_t *bp, size_t npages, struct vm_run *runs, unsigned *nruns,
    const char *func, const void *caller)
{
	struct page *pp = bp->b_pages;

	for (size_t i = 0; i < npages; i++, pp = pp->p_next) {
		if (pp == NULL) {
			verify_report(func, caller, "buf %p: its page list "
			    "ends before its %u bytes", (void *)bp,
			    bp->b_bcount);
			return false;
		}
		if (!page_valid(pp, func, caller))
			return false;
		*nruns = runs_add(runs, *nruns, pp->pfn);
	}
	return true;
}

DDI_ENTRY_VOID(bp_mapin, (buf_t *bp), (bp))
{
	const void *caller = DDI_CALLER;
	size_t pg, off, npages;
	struct vm_run *runs;
	unsigned nruns = 0;
	bool user, ok;
	void *va;

	if (bp == NULL) {
		verify_report(DDI_FUNC, caller, "NULL buf");
		return;
	}
	user = (bp->b_flags & B_PHYS) || bp->b_addrtype == BA_UVIRT;
	if ((bp->b_flags & B_REMAPPED) || (!user && !(bp->b_flags &
	    B_PAGEIO) && bp->b_addrtype != BA_PAGELIST))
		return;		/* kernel data, or mapped already */
	pg = machine->spec.page;
	off = user ? (uintptr_t)bp->b_un.b_addr % pg :
	    (size_t)(uintptr_t)bp->b_un.b_addr;
	if (!user && off >= pg) {
		verify_report(DDI_FUNC, caller, "buf %p: offset %zu into its "
		    "first page is not less than a page", (void *)bp, off);
		return;
	}
	npages = (off + bp->b_bcount + pg - 1) / pg;
	if (npages == 0)
		npages = 1;
	if ((runs = calloc(npages, sizeof(*runs))) == NULL) {
		verify_report(DDI_FUNC, caller, "out of host memory");
		return;
	}
	ok = user ? user_runs(bp, off, npages, runs, &nruns, DDI_FUNC,
	    caller) : page_runs(bp, npages, runs, &nruns, DDI_FUNC, caller);
	if (ok && nruns == 1) {
		va = vm_ptov(runs[0].pfn << machine->pshift);
	} else if (ok && vm_alias_map(runs, nruns, &va) != 0) {
		verify_report(DDI_FUNC, caller, "buf %p: no kernel virtual "
		    "space left to map %zu pages", (void *)bp, npages);
		ok = false;
	}
	free(runs);
	if (!ok)
		return;
	bp->b_orig_type = bp->b_addrtype;
	bp->b_orig_addr = bp->b_un.b_addr;
	bp->b_un.b_addr = (caddr_t)va + off;
	bp->b_addrtype = BA_KVIRT;
	bp->b_numpages = npages > UINT8_MAX ? 0 : (uchar_t)npages;
	bp->b_flags |= B_REMAPPED;
	if (user) {
		bp->b_orig_proc = bp->b_proc;
		bp->b_proc = NULL;
		bp->b_flags = (bp->b_flags & ~(uint_t)B_PHYS) | B_WASPHYS;
	}
}

DDI_ENTRY_VOID(bp_mapout, (buf_t *bp), (bp))
{
	size_t pg, off;
	uint8_t *base;

	if (bp == NULL) {
		verify_report(DDI_FUNC, DDI_CALLER, "NULL buf");
		return;
	}
	if (!(bp->b_flags & B_REMAPPED))
		return;
	pg = machine->spec.page;
	off = (bp->b_flags & B_WASPHYS) ? (uintptr_t)bp->b_orig_addr % pg :
	    (size_t)(uintptr_t)bp->b_orig_addr;
	base = (uint8_t *)bp->b_un.b_addr - off;
	if (vm_is_alias(base))
		vm_alias_unmap(base);
	bp->b_un.b_addr = bp->b_orig_addr;
	bp->b_addrtype = bp->b_orig_type;
	bp->b_flags &= ~(uint_t)B_REMAPPED;
	if (bp->b_flags & B_WASPHYS) {
		bp->b_proc = bp->b_orig_proc;
		bp->b_orig_proc = NULL;
		bp->b_flags = (bp->b_flags & ~(uint_t)B_WASPHYS) | B_PHYS;
	}
}
