/*
 * oddi.c - ODDI page allocators: getcpages/freecpages, sptalloc/sptfree.
 *
 * The flag values are ddicompat's own (see sys/immu.h); the ODDI never
 * published them.
 */
#include "config.h"

#include <stdlib.h>

#include "exports.h"
#include "kmem/kmem.h"
#include "kmem/record.h"
#include "machine/entry.h"
#include "machine/machine.h"
#include "palloc/palloc.h"
#include "verify/verify.h"
#include "vm/vm.h"

#define NOSLEEP_F	0x01
#define SHORTSLEEP_F	0x02
#define DMAABLE_F	0x04
#define PREFERDMA_F	0x08
#define DMAABLE64K_F	0x10
#define PG_P_F		0x001
#define PG_MODE_ALL	(0x001 | 0x002 | 0x004 | 0x008 | 0x010)

static int
oddi_sleep(int flags, int *how)
{
	*how = 0;
	if (flags & NOSLEEP_F)
		return KM_NOSLEEP;
	if (flags & SHORTSLEEP_F)
		*how = KA_FAILOK;
	return KM_SLEEP;
}

/* npgs physically contiguous pages; the kernel virtual address. */
DDI_ENTRY(caddr_t, getcpages, (int npgs, int flags), (npgs, flags))
{
	const void *caller = DDI_CALLER;
	struct kcons c = { .high = UINT64_C(1) << 32, .align = 1,
	    .contig = true };
	int how, sl;
	void *p;

	if (!kmem_flags_ok(flags, NOSLEEP_F | SHORTSLEEP_F | DMAABLE_F |
	    PREFERDMA_F | DMAABLE64K_F, DDI_FUNC, caller))
		return NULL;
	if (npgs <= 0) {
		if (npgs < 0)
			verify_report(DDI_FUNC, caller, "page count %d", npgs);
		return NULL;
	}
	sl = oddi_sleep(flags, &how);
	if (flags & (DMAABLE_F | DMAABLE64K_F))
		c.high = UINT64_C(1) << 24;
	if (flags & DMAABLE64K_F)
		c.boundary = 64 * 1024;
	if ((flags & PREFERDMA_F) && !(flags & (DMAABLE_F | DMAABLE64K_F))) {
		struct kcons low = c;

		low.high = UINT64_C(1) << 24;
		p = kmem_alloc_cons((size_t)npgs * machine->spec.page, &low,
		    KM_NOSLEEP, how, KK_CPAGES, DDI_FUNC, caller);
		if (p != NULL)
			return p;
	}
	return kmem_alloc_cons((size_t)npgs * machine->spec.page, &c, sl, how,
	    KK_CPAGES, DDI_FUNC, caller);
}

DDI_ENTRY_VOID(freecpages, (caddr_t va, int npgs), (va, npgs))
{
	if (npgs <= 0) {
		if (npgs < 0)
			verify_report(DDI_FUNC, DDI_CALLER, "page count %d",
			    npgs);
		return;
	}
	kmem_free_checked(va, (size_t)npgs * machine->spec.page, KK_CPAGES,
	    DDI_FUNC, DDI_CALLER);
}

/* Map existing RAM frames [base, base + pages) at a new address. */
static caddr_t
spt_map(pgcnt_t pages, pfn_t base, const void *caller)
{
	struct vm_run run = { base, pages };
	struct krec *r;
	int seg = machine_seg_of(base);
	void *va;

	if (seg < 0 || base + (uint64_t)pages > machine->seg[seg].epfn) {
		verify_report("sptalloc", caller, "frames %#x-%#llx are not "
		    "simulated RAM", base,
		    (unsigned long long)base + pages - 1);
		return NULL;
	}
	if (vm_alias_map(&run, 1, &va) != 0)
		return NULL;
	r = calloc(1, sizeof(*r));
	VERIFY(r != NULL);
	r->va = (uintptr_t)va;
	r->size = 0;		/* maps, holds no memory */
	r->pfn = base;
	r->npages = pages;
	r->caller = caller;
	r->kind = KK_SPT;
	r->path = RP_MAPONLY;
	record_insert(r);
	return va;
}

DDI_ENTRY(caddr_t, sptalloc, (pgcnt_t pages, int mode, pfn_t base,
    memflags_t flag), (pages, mode, base, flag))
{
	const void *caller = DDI_CALLER;
	struct kcons c = { .high = UINT64_C(1) << 32, .align = 1 };
	int how, sl;

	if (!kmem_flags_ok((int)flag, NOSLEEP_F | SHORTSLEEP_F | DMAABLE_F,
	    DDI_FUNC, caller))
		return NULL;
	if (!(mode & PG_P_F) || (mode & ~PG_MODE_ALL) != 0) {
		verify_report(DDI_FUNC, caller, "mode %#x: PG_P is required "
		    "and only page-table bits are allowed", mode);
		return NULL;
	}
	if (pages == 0) {
		verify_report(DDI_FUNC, caller, "zero pages");
		return NULL;
	}
	if (base != 0)
		return spt_map(pages, base, caller);
	sl = oddi_sleep((int)flag, &how);
	if (flag & DMAABLE_F)
		c.high = UINT64_C(1) << 24;
	return kmem_alloc_cons((size_t)pages * machine->spec.page, &c, sl, how,
	    KK_SPT, DDI_FUNC, caller);
}

DDI_ENTRY_VOID(sptfree, (caddr_t va, int npages, int freeflg),
    (va, npages, freeflg))
{
	const void *caller = DDI_CALLER;
	struct krec *r;

	/* Take the record first: a concurrent sptfree then finds none. */
	r = va != NULL ? record_remove((uintptr_t)va) : NULL;
	if (r == NULL || r->kind != KK_SPT) {
		verify_report(DDI_FUNC, caller, "%p (%d pages) is not a "
		    "sptalloc mapping", (void *)va, npages);
		if (r != NULL)
			record_insert(r);
		return;
	}
	if (npages <= 0 || (uint64_t)npages != r->npages) {
		verify_report(DDI_FUNC, caller, "%p maps %llu pages, not %d",
		    (void *)va, (unsigned long long)r->npages, npages);
		record_insert(r);
		return;
	}
	if (r->path == RP_MAPONLY) {
		if (freeflg != 0)
			verify_report(DDI_FUNC, caller, "freeflg set for "
			    "frames mapped from base %#llx, which sptalloc "
			    "did not allocate; they stay allocated",
			    (unsigned long long)r->pfn);
		free(r);
		vm_alias_unmap(va);
		return;
	}
	if (freeflg == 0) {
		verify_report(DDI_FUNC, caller, "freeflg 0 would unmap %p "
		    "and lose its pages; pass 1 to free them", (void *)va);
		record_insert(r);
		return;
	}
	record_insert(r);
	kmem_free_checked(va, (size_t)npages * machine->spec.page, KK_SPT,
	    DDI_FUNC, caller);
}
