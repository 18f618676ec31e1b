/*
 * physmap.c - kernel mappings of physical ranges: physmap, physmap_free
 * and physmap1 (physmap(9)), and the table devmem_mapin(9) shares.
 *
 * RAM is mapped as an alias of its pages (a second virtual address of the
 * same memory, as the kernel's page tables gave); a device's window is
 * mapped as its backing store, so a driver's loads and stores reach the
 * model (ddisim_mmio(3)).  Every mapping is recorded with the call that
 * made it: a free of something else, of the wrong size, or twice is
 * reported, and those left at shutdown are listed.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/queue.h>

#include "util/forklock.h"
#include "machine/entry.h"
#include "machine/machine.h"
#include "verify/verify.h"
#include "vm/vm.h"
#include "proc/proc.h"
#include "iomem/iomem.h"

#include "sys/types.h"
#include "sys/kmem.h"
#include "sys/ddi.h"
#include "exports.h"

struct iomap {
	LIST_ENTRY(iomap) link;
	uint8_t		*va;		/* what the caller got */
	size_t		len;
	uint64_t	pa;
	void		*alias;		/* RAM: the alias's base; a window:
					   the mapping with its guards */
	size_t		alias_len;
	struct ddisim_mmio	*win;		/* a window: its reference */
	const char	*func;		/* the call that made it */
	const void	*caller;
	struct proc	*proc;		/* drv_mmap's: the process */
};

static FORK_MUTEX(iomap_lock);
static LIST_HEAD(, iomap) iomaps = LIST_HEAD_INITIALIZER(iomaps);

/* physmap1's slots: one page per simulated CPU. */
static struct {
	bool		busy;
	paddr_t		pa;
	void		*va;
	size_t		len;
} p1slot[MACHINE_MAX_CPUS];

/* Whether every page of [pa, pa+len) is RAM. */
static bool
iomem_is_ram(uint64_t pa, size_t len)
{
	uint64_t pfn = pa >> machine->pshift;
	uint64_t last = (pa + len - 1) >> machine->pshift;

	if (pa + len - 1 >= machine->top)
		return false;
	for (; pfn <= last; pfn++)
		if (machine_seg_of(pfn) < 0)
			return false;
	return true;
}

static void
iomap_insert(struct iomap *m)
{
	pthread_mutex_lock(&iomap_lock);
	LIST_INSERT_HEAD(&iomaps, m, link);
	pthread_mutex_unlock(&iomap_lock);
}

/* A second mapping of whole pages of kernel memory at kva; NULL: none. */
static struct iomap *
iomem_map_kva(uint8_t *kva, size_t len, const char *func, const void *caller)
{
	size_t pg = machine->spec.page, n;
	uint64_t pa[64];
	size_t plen[64];
	struct vm_run runs[64];
	struct iomap *m;

	if (((uintptr_t)kva % pg) != 0 || len % pg != 0 || len == 0) {
		verify_report(func, caller, "%p+%#zx is not whole pages",
		    (void *)kva, len);
		return NULL;
	}
	n = vm_segments(kva, len, pa, plen, 64);
	if (n == 0 || n == 64) {
		verify_report(func, caller, "%p+%#zx is not simulated kernel "
		    "memory of 63 physical runs at most", (void *)kva, len);
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		runs[i] = (struct vm_run){ pa[i] >> machine->pshift,
		    plen[i] >> machine->pshift };
	if ((m = calloc(1, sizeof(*m))) == NULL)
		return NULL;
	if (vm_alias_map(runs, (unsigned)n, &m->alias) != 0) {
		free(m);
		return NULL;
	}
	m->va = m->alias;
	m->len = len;
	m->pa = pa[0];
	m->func = func;
	m->caller = caller;
	return m;
}

void *
iomem_map(uint64_t pa, size_t len, const char *func, const void *caller)
{
	size_t pg = machine->spec.page;
	struct iomap *m;
	bool partial;

	if (len == 0) {
		verify_report(func, caller, "length 0");
		return NULL;
	}
	if (pa + len < pa) {
		verify_report(func, caller, "%#llx+%#zx wraps around",
		    (unsigned long long)pa, len);
		return NULL;
	}
	if ((m = calloc(1, sizeof(*m))) == NULL)
		return NULL;
	m->len = len;
	m->pa = pa;
	m->func = func;
	m->caller = caller;
	if ((m->va = iomem_window_get(pa, len, &m->win, &partial, &m->alias,
	    &m->alias_len)) != NULL) {
		/* a window: its store */
	} else if (partial) {
		verify_report(func, caller, "%#llx+%#zx runs past the end of "
		    "the device window it starts in",
		    (unsigned long long)pa, len);
		free(m);
		return NULL;
	} else if (iomem_is_ram(pa, len)) {
		uint64_t first = pa >> machine->pshift;
		struct vm_run run = { first,
		    ((pa + len - 1) >> machine->pshift) - first + 1 };

		if (vm_alias_map(&run, 1, &m->alias) != 0) {
			free(m);
			return NULL;	/* no mapping left: a shortage */
		}
		m->va = (uint8_t *)m->alias + (pa & (pg - 1));
	} else {
		verify_report(func, caller, "%#llx+%#zx is neither RAM nor a "
		    "device's window", (unsigned long long)pa, len);
		free(m);
		return NULL;
	}
	iomap_insert(m);
	return m->va;
}

static void
iomap_drop(struct iomap *m)
{
	if (m->win != NULL)
		iomem_window_put(m->win, m->alias, m->alias_len);
	else
		vm_alias_unmap(m->alias);
	free(m);
}

static bool
iomem_unmap_as(void *va, size_t len, bool user, const char *func,
    const void *caller)
{
	struct iomap *m;

	pthread_mutex_lock(&iomap_lock);
	LIST_FOREACH(m, &iomaps, link)
		if (m->va == va && (m->proc != NULL) == user)
			break;
	if (m == NULL) {
		pthread_mutex_unlock(&iomap_lock);
		verify_report(func, caller, "%p is not mapped (never, or "
		    "freed already)", va);
		return false;
	}
	if (m->len != len) {
		pthread_mutex_unlock(&iomap_lock);
		verify_report(func, caller, "%p was mapped with length %#zx, "
		    "not %#zx", va, m->len, len);
		return false;
	}
	LIST_REMOVE(m, link);
	pthread_mutex_unlock(&iomap_lock);
	if (m->proc != NULL) {
		proc_xmap_del(m->proc, m->va);
		(void)proc_rele(m->proc, func, caller);
	}
	iomap_drop(m);
	return true;
}

bool
iomem_unmap(void *va, size_t len, const char *func, const void *caller)
{
	return iomem_unmap_as(va, len, false, func, caller);
}

size_t
iomem_leak_report(FILE *f)
{
	struct iomap *m;
	size_t n = 0;
	char sym[128];

	pthread_mutex_lock(&iomap_lock);
	LIST_FOREACH(m, &iomaps, link) {
		if (!verify_leak_mine(m->caller))
			continue;
		n++;
		if (f == NULL)
			continue;
		verify_symbolize(m->caller, sym, sizeof(sym));
		fprintf(f, "ddicompat: leak: mapping of physical %#llx+%#zx "
		    "at %p, made by %s from %s\n", (unsigned long long)m->pa,
		    m->len, (void *)m->va, m->func, sym);
	}
	pthread_mutex_unlock(&iomap_lock);
	return n;
}

void
iomem_unmap_all(void)
{
	pthread_mutex_lock(&iomap_lock);
	while (!LIST_EMPTY(&iomaps)) {
		struct iomap *m = LIST_FIRST(&iomaps);

		LIST_REMOVE(m, link);
		iomap_drop(m);
	}
	for (int c = 0; c < MACHINE_MAX_CPUS; c++)
		p1slot[c].busy = false;
	pthread_mutex_unlock(&iomap_lock);
}

/*
 * physmap (DDI 5 to 7.2): a kernel mapping of nbytes at physaddr, RAM or
 * a device's memory; NULL when there is none (a report for a range that
 * is neither, or a flag that is not KM_SLEEP or KM_NOSLEEP).
 */
DDI_ENTRY(void *, physmap, (paddr_t physaddr, ulong_t nbytes, uint_t flags),
    (physaddr, nbytes, flags))
{
	if (flags != KM_SLEEP && flags != KM_NOSLEEP) {
		verify_report(DDI_FUNC, DDI_CALLER, "flags %#x: KM_SLEEP or "
		    "KM_NOSLEEP", flags);
		return NULL;
	}
	return iomem_map(physaddr, nbytes, DDI_FUNC, DDI_CALLER);
}

DDI_ENTRY_VOID(physmap_free, (void *vaddr, ulong_t nbytes, uint_t flags),
    (vaddr, nbytes, flags))
{
	if (flags != 0)
		verify_report(DDI_FUNC, DDI_CALLER, "flags %#x: must be 0",
		    flags);
	(void)iomem_unmap(vaddr, nbytes, DDI_FUNC, DDI_CALLER);
}

/*
 * physmap1 (DDI 5 to 8): the calling CPU's one-page mapping.  Maps the
 * page holding paddr and returns paddr's address in it, or with paddr
 * (paddr_t)-1 only gives the page up (and returns 0).  Either way
 * *opaddr, when opaddr is not NULL, gets the address the page mapped
 * before, (paddr_t)-1 for none, so that the caller can put it back.
 */
DDI_ENTRY(vaddr_t, physmap1, (paddr_t paddr, paddr_t *opaddr),
    (paddr, opaddr))
{
	int cpu = machine_cpu();
	size_t pg = machine->spec.page;
	uint64_t pbase = paddr & ~(uint64_t)(pg - 1);
	void *va = NULL;

	if (paddr != (paddr_t)-1 &&
	    (va = iomem_map(pbase, pg, DDI_FUNC, DDI_CALLER)) == NULL)
		return 0;
	pthread_mutex_lock(&iomap_lock);
	if (opaddr != NULL)
		*opaddr = p1slot[cpu].busy ? p1slot[cpu].pa : (paddr_t)-1;
	if (p1slot[cpu].busy) {
		void *old = p1slot[cpu].va;

		p1slot[cpu].busy = false;
		pthread_mutex_unlock(&iomap_lock);
		(void)iomem_unmap(old, pg, DDI_FUNC, DDI_CALLER);
		pthread_mutex_lock(&iomap_lock);
	}
	if (va != NULL) {
		p1slot[cpu].busy = true;
		p1slot[cpu].pa = paddr;
		p1slot[cpu].va = va;
	}
	pthread_mutex_unlock(&iomap_lock);
	return va == NULL ? 0 : (vaddr_t)va + (paddr - pbase);
}

/* The kernel mapping iomem_map made at va, taken off the kernel's list. */
static struct iomap *
iomap_take(void *va)
{
	struct iomap *m;

	pthread_mutex_lock(&iomap_lock);
	LIST_FOREACH(m, &iomaps, link)
		if (m->va == va && m->proc == NULL)
			break;
	VERIFY(m != NULL);
	LIST_REMOVE(m, link);
	pthread_mutex_unlock(&iomap_lock);
	return m;
}

/*
 * Make m, of len bytes, a mapping of the calling thread's process: a
 * reference keeps the process's structure while it is mapped.  0, or
 * ENOMEM with m dropped.
 */
static int
iomap_to_user(struct iomap *m, size_t len, const char *func,
    const void *caller)
{
	struct proc *p;

	if ((p = proc_hold(caller)) == NULL ||
	    proc_xmap_add(p, m->va, len) != 0) {
		if (p != NULL)
			(void)proc_rele(p, func, caller);
		iomap_drop(m);
		return ENOMEM;
	}
	m->proc = p;
	iomap_insert(m);
	return 0;
}

/*
 * drv_mmap (DDI 5 to 7.2): map len bytes, kernel memory at kvaddr or
 * else physical memory at paddr (RAM or a device's), into the calling
 * thread's simulated process; the user address in *uvaddrp.  0, or
 * EINVAL after a report, or ENOMEM when no mapping is left.
 */
DDI_ENTRY(int, drv_mmap, (vaddr_t kvaddr, paddr_t paddr, size_t len,
    vaddr_t *uvaddrp, uint_t prot, uint_t maxprot, uint_t flags),
    (kvaddr, paddr, len, uvaddrp, prot, maxprot, flags))
{
	size_t pg = machine->spec.page;
	struct iomap *m;
	void *va;
	int err;

	(void)prot;
	(void)maxprot;
	(void)flags;
	if (uvaddrp == NULL) {
		verify_report(DDI_FUNC, DDI_CALLER, "NULL uvaddrp");
		return EINVAL;
	}
	if (proc_current() == NULL) {
		verify_report(DDI_FUNC, DDI_CALLER, "the calling thread runs "
		    "in no simulated process (ddisim_proc_enter)");
		return EINVAL;
	}
	if (kvaddr != 0) {
		if ((m = iomem_map_kva((uint8_t *)kvaddr, len, DDI_FUNC,
		    DDI_CALLER)) == NULL)
			return EINVAL;
	} else {
		if (paddr % pg != 0 || len % pg != 0) {
			verify_report(DDI_FUNC, DDI_CALLER, "physical %#x+%#zx "
			    "is not whole pages", paddr, len);
			return EINVAL;
		}
		if ((va = iomem_map(paddr, len, DDI_FUNC, DDI_CALLER)) == NULL)
			return EINVAL;
		/* take it back out of the kernel's mappings */
		m = iomap_take(va);
	}
	if ((err = iomap_to_user(m, len, DDI_FUNC, DDI_CALLER)) != 0)
		return err;
	*uvaddrp = (vaddr_t)m->va;
	return 0;
}

/*
 * The driver host's mmap: the pages at pa[0..npages) (RAM, scattered or
 * not, or whole pages of one device window, in order) as one range of
 * the calling thread's process.  0, EINVAL after a report, or ENOMEM.
 */
int
iomem_umap(const uint64_t *pa, size_t npages, void **uvap, const char *func,
    const void *caller)
{
	size_t pg = machine->spec.page, len = npages * pg, nruns = 0;
	struct vm_run *runs;
	struct iomap *m;
	bool ram = true, contig = true;
	int err;

	if (npages == 0 || proc_current() == NULL) {
		verify_report(func, caller, "%s", npages == 0 ? "no pages" :
		    "the calling thread runs in no simulated process");
		return EINVAL;
	}
	for (size_t i = 0; i < npages; i++) {
		if (pa[i] % pg != 0) {
			verify_report(func, caller, "page %zu at %#llx is not "
			    "page aligned", i, (unsigned long long)pa[i]);
			return EINVAL;
		}
		if (!iomem_is_ram(pa[i], pg))
			ram = false;
		if (i > 0 && pa[i] != pa[i - 1] + pg)
			contig = false;
	}
	if (!ram && !contig) {
		verify_report(func, caller, "the pages are device memory but "
		    "not contiguous in one window");
		return EINVAL;
	}
	if (!ram) {
		void *va = iomem_map(pa[0], len, func, caller);

		if (va == NULL)
			return EINVAL;
		m = iomap_take(va);
	} else {
		if ((runs = calloc(npages, sizeof(*runs))) == NULL)
			return ENOMEM;
		for (size_t i = 0; i < npages; i++) {
			if (nruns > 0 && runs[nruns - 1].pfn +
			    runs[nruns - 1].npages == pa[i] >> machine->pshift)
				runs[nruns - 1].npages++;
			else
				runs[nruns++] = (struct vm_run){
				    pa[i] >> machine->pshift, 1 };
		}
		if ((m = calloc(1, sizeof(*m))) == NULL ||
		    vm_alias_map(runs, (unsigned)nruns, &m->alias) != 0) {
			free(m);
			free(runs);
			return ENOMEM;
		}
		free(runs);
		m->va = m->alias;
		m->len = len;
		m->pa = pa[0];
		m->func = func;
		m->caller = caller;
	}
	if ((err = iomap_to_user(m, len, func, caller)) != 0)
		return err;
	*uvap = m->va;
	return 0;
}

int
iomem_uunmap(void *uva, size_t len, const char *func, const void *caller)
{
	return iomem_unmap_as(uva, len, true, func, caller) ? 0 : EINVAL;
}

/* drv_munmap (DDI 5 to 8): undo drv_mmap; a report for anything else. */
DDI_ENTRY_VOID(drv_munmap, (vaddr_t uvaddr, size_t len), (uvaddr, len))
{
	(void)iomem_unmap_as((void *)uvaddr, len, true, DDI_FUNC, DDI_CALLER);
}
