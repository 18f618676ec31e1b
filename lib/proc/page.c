/*
 * page.c - page lists over simulated RAM (ddisim_pagelist(3)): what a
 * BA_PAGELIST (B_PAGEIO) request describes its data with, and
 * getnextpg(9), which walks one.
 *
 * A list is NULL-terminated through p_next; each page is a kmem page
 * allocation, put in a shuffled order (vm_scatter) so that, as with the
 * pages of a file or a user buffer, no page follows its predecessor in
 * RAM.
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>

#include "util/forklock.h"
#include "kmem/kmem.h"
#include "machine/entry.h"
#include "machine/machine.h"
#include "verify/verify.h"
#include "proc/page.h"
#include "vm/vm.h"

#include "sys/types.h"
#include "sys/kmem.h"
#include "sys/buf.h"
#include "exports.h"

bool
page_valid(const struct page *pp, const char *func, const void *caller)
{
	if (pp == NULL || kmem_live_size(pp) != sizeof(*pp) ||
	    pp->magic != PAGE_LIVE) {
		verify_report(func, caller, "%p is not a page of a list from "
		    "ddisim_pagelist_create", (const void *)pp);
		return false;
	}
	return true;
}

static FORK_MUTEX(page_all_lock);
static LIST_HEAD(, page) page_all = LIST_HEAD_INITIALIZER(page_all);

static void
page_enter(struct page *pp)
{
	pthread_mutex_lock(&page_all_lock);
	LIST_INSERT_HEAD(&page_all, pp, all);
	pthread_mutex_unlock(&page_all_lock);
}

static void
page_leave(struct page *pp)
{
	pthread_mutex_lock(&page_all_lock);
	LIST_REMOVE(pp, all);
	pthread_mutex_unlock(&page_all_lock);
}

static uint64_t page_draws;		/* shuffles made, for their seeds */

static const struct kcons page_hdr = { .high = UINT64_MAX, .align = 16 };

static uint64_t
page_pfn(const void *pp)
{
	return ((const struct page *)pp)->pfn;
}

static void
pagelist_free(struct page *pp)
{
	struct page *next;

	for (; pp != NULL; pp = next) {
		next = pp->p_next;
		if (pp->magic == PAGE_LIVE)
			page_leave(pp);
		pp->magic = 0;
		if (pp->kva != NULL && !pp->borrowed)
			kmem_free_checked(pp->kva, machine->spec.page,
			    KK_PAGELIST, "ddisim_pagelist_destroy", NULL);
		kmem_free_checked(pp, sizeof(*pp), KK_PAGELIST,
		    "ddisim_pagelist_destroy", NULL);
	}
}

struct page *
pagelist_borrow(void *kva, size_t len, const char *func)
{
	size_t pg = machine->spec.page;
	uint8_t *first = (uint8_t *)((uintptr_t)kva - (uintptr_t)kva % pg);
	uint8_t *end = (uint8_t *)kva + len;
	struct page *head = NULL, **tail = &head;
	uint64_t pa;

	for (uint8_t *va = first; va < end; va += pg) {
		struct page *pp = kmem_alloc_cons(sizeof(*pp), &page_hdr,
		    KM_NOSLEEP, KA_ZERO, KK_PAGELIST, func, NULL);

		if (pp == NULL) {
			pagelist_return(head, func);
			return NULL;
		}
		VERIFY(vm_vtop(va, &pa) == 0);
		pp->pfn = pa >> machine->pshift;
		pp->kva = vm_ptov(pp->pfn << machine->pshift);
		pp->borrowed = true;
		pp->magic = PAGE_LIVE;
		page_enter(pp);
		*tail = pp;
		tail = &pp->p_next;
	}
	return head;
}

void
pagelist_return(struct page *pp, const char *func)
{
	struct page *next;

	for (; pp != NULL; pp = next) {
		next = pp->p_next;
		VERIFY(pp->borrowed);
		page_leave(pp);
		pp->magic = 0;
		kmem_free_checked(pp, sizeof(*pp), KK_PAGELIST, func, NULL);
	}
}

DDI_ENTRY(struct page *, ddisim_pagelist_create, (size_t npages,
    uint64_t below), (npages, below))
{
	struct kcons c = { .high = below != 0 ? below : UINT64_MAX,
	    .contig = true };
	struct page *head = NULL, **tail = &head, **v;
	uint64_t z;

	c.align = machine->spec.page;
	if (npages == 0 || (v = calloc(npages, sizeof(*v))) == NULL)
		return NULL;
	for (size_t i = 0; i < npages; i++) {
		if ((v[i] = kmem_alloc_cons(sizeof(**v), &page_hdr,
		    KM_NOSLEEP, KA_ZERO, KK_PAGELIST,
		    "ddisim_pagelist_create", DDI_CALLER)) == NULL ||
		    (v[i]->kva = kmem_alloc_cons(machine->spec.page, &c,
		    KM_NOSLEEP, KA_ZERO, KK_PAGELIST,
		    "ddisim_pagelist_create", DDI_CALLER)) == NULL)
			goto fail;
		VERIFY(vm_vtop(v[i]->kva, &z) == 0);
		v[i]->pfn = z >> machine->pshift;
		v[i]->magic = PAGE_LIVE;
		page_enter(v[i]);
	}
	vm_scatter((void **)v, npages, page_draws++, page_pfn);
	for (size_t i = 0; i < npages; i++) {
		*tail = v[i];
		tail = &v[i]->p_next;
	}
	free(v);
	return head;
fail:
	for (size_t i = 0; i < npages && v[i] != NULL; i++) {
		v[i]->p_next = NULL;
		pagelist_free(v[i]);
	}
	free(v);
	return NULL;
}

DDI_ENTRY_VOID(ddisim_pagelist_destroy, (struct page *pp), (pp))
{
	if (pp != NULL && page_valid(pp, DDI_FUNC, DDI_CALLER))
		pagelist_free(pp);
}

DDI_ENTRY(void *, ddisim_page_addr, (struct page *pp), (pp))
{
	return page_valid(pp, DDI_FUNC, DDI_CALLER) ? pp->kva : NULL;
}

DDI_ENTRY(uint64_t, ddisim_page_phys, (struct page *pp), (pp))
{
	return page_valid(pp, DDI_FUNC, DDI_CALLER) ?
	    pp->pfn << machine->pshift : 0;
}

DDI_ENTRY(struct page *, ddisim_page_next, (struct page *pp), (pp))
{
	return page_valid(pp, DDI_FUNC, DDI_CALLER) ? pp->p_next : NULL;
}

/*
 * The page after pp in bp's page list, the first for a NULL pp, NULL at
 * the end.  DDI 3 and 5 to 7.1.
 */
DDI_ENTRY(struct page *, getnextpg, (buf_t *bp, struct page *pp), (bp, pp))
{
	const void *caller = DDI_CALLER;

	if (bp == NULL) {
		verify_report(DDI_FUNC, caller, "NULL buf");
		return NULL;
	}
	if (pp == NULL)
		return bp->b_pages;
	return page_valid(pp, DDI_FUNC, caller) ? pp->p_next : NULL;
}

/*
 * page_numtopp (DDI 5 and 6, not strict): the page structure of page
 * frame pfn.  The simulation has structures for the pages of page lists
 * only; NULL for any other frame.
 */
DDI_ENTRY(struct page *, page_numtopp, (uint_t pfn), (pfn))
{
	struct page *pp;

	pthread_mutex_lock(&page_all_lock);
	LIST_FOREACH(pp, &page_all, all)
		if (pp->pfn == pfn)
			break;
	pthread_mutex_unlock(&page_all_lock);
	return pp;
}

/* page_pptonum: the frame number of a page, or NOPAGE after a report. */
DDI_ENTRY(uint_t, page_pptonum, (struct page *pp), (pp))
{
	return page_valid(pp, DDI_FUNC, DDI_CALLER) ? (uint_t)pp->pfn :
	    NOPAGE;
}
