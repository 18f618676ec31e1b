/*
 * iomem.h - physical addresses outside RAM: the register windows and
 * device memory of simulated devices (ddisim_mmio(3)), and the kernel
 * mappings drivers make of physical ranges (physmap(9), devmem_mapin(9)).
 */
#ifndef DDICOMPAT_IOMEM_H
#define DDICOMPAT_IOMEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/*
 * A new mapping of [pa, pa+len) when it lies inside one window, with the
 * window's count of mappings raised (iomem_window_put undoes both); NULL
 * when no window holds pa, or with *partial set when one holds pa but not
 * the whole range.  *resv, *resv_len: the mapping, for iomem_window_put.
 */
struct ddisim_mmio;
void	*iomem_window_get(uint64_t pa, uint64_t len, struct ddisim_mmio **wp,
	    bool *partial, void **resv, size_t *resv_len);
void	iomem_window_put(struct ddisim_mmio *w, void *resv, size_t resv_len);
/* A shared mapping of fd between two pages without access, or NULL. */
void	*iomem_guarded(int fd, uint64_t off, size_t len, void **resv,
	    size_t *resv_len);

/*
 * Map [pa, pa+len) for func: RAM as an alias of its pages, a window as
 * its backing store.  NULL after a report when the range is neither.
 */
void	*iomem_map(uint64_t pa, size_t len, const char *func,
	    const void *caller);
/* Undo iomem_map: false after a report when va, len is not one mapping. */
bool	iomem_unmap(void *va, size_t len, const char *func,
	    const void *caller);

/*
 * The driver host's mmap: npages pages at pa[] (RAM, or one device
 * window) as one range of the calling thread's process, and undoing it.
 * 0, EINVAL after a report, or ENOMEM.
 */
int	iomem_umap(const uint64_t *pa, size_t npages, void **uvap,
	    const char *func, const void *caller);
int	iomem_uunmap(void *uva, size_t len, const char *func,
	    const void *caller);

/* A model going: ddisim_mmio_destroy without its report. */
void	iomem_window_release(struct ddisim_mmio *w);

/* In a model's callback: the driver code whose DDI call rang, or NULL. */
const void *iomem_caller(void);

/* Shutdown: list the mappings left (returns their count), drop them. */
size_t	iomem_leak_report(FILE *f);
void	iomem_unmap_all(void);
void	iomem_fini(void);

#endif /* DDICOMPAT_IOMEM_H */
