/*
 * sys/kmem.h - kernel memory allocation and physical requirements (physreq).
 *
 * Entry points whose physical guarantees depend on the interface version
 * (kmem_alloc in DDI 1-5 and ODDI, the 4 GiB ceiling of DDI <= 7.1) are
 * bound to versioned library symbols; see ddicompat(7).
 */
#ifndef DDICOMPAT_SYS_KMEM_H
#define DDICOMPAT_SYS_KMEM_H

#include <stddef.h>
#include <sys/types.h>

__DDI_BEGIN_DECLS

/* Sleep flags (DDI and ODDI). */
#define KM_SLEEP	0x00	/* may block; never fails */
#define KM_NOSLEEP	0x01	/* never blocks; may return NULL */
/* kmem_alloc_phys only (DDI 8): give up instead of waiting. */
#define KM_FAIL_OK	0x10
#if __DDI_ODDI
/* ODDI: memory need not be DMA-able (may lie above 16 MiB). */
#define KM_NO_DMA	0x20
#endif

/*
 * Physical requirements of a device or DMA path.  Obtain with
 * physreq_alloc, fill in, then physreq_prep before use.  The layout is the
 * same for every interface version.
 */
typedef struct physreq {
	paddr_t	phys_align;	/* start alignment in bytes; power of 2 */
	paddr_t	phys_boundary;	/* 0, or a power of 2 not to be crossed */
	uchar_t	phys_dmasize;	/* address bits the device drives; 0 = no DMA */
	uchar_t	phys_max_scgth;	/* scatter/gather elements; 0 = none */
	uchar_t	phys_flags;	/* PREQ_* */
	void	*phys_brkup_poolp; /* private to the implementation */
} physreq_t;

#define PREQ_PHYSCONTIG	0x02	/* one physically contiguous extent */

#if __DDI_AT_LEAST(50)
physreq_t	*physreq_alloc(int);
void		 physreq_free(physreq_t *);
boolean_t	 physreq_prep(physreq_t *, int);
#endif

/* General-purpose allocation: placement depends on the interface version. */
#if __DDI_ODDI
void	*kmem_alloc(size_t, int) __DDI_ENTRY(_Compat_kmem_alloc_oddi);
void	*kmem_zalloc(size_t, int) __DDI_ENTRY(_Compat_kmem_zalloc_oddi);
#elif __DDI_AT_MOST(40)
void	*kmem_alloc(size_t, int) __DDI_ENTRY(_Compat_kmem_alloc4);
void	*kmem_zalloc(size_t, int) __DDI_ENTRY(_Compat_kmem_zalloc4);
#elif __DDI_AT_MOST(50)
void	*kmem_alloc(size_t, int) __DDI_ENTRY(_Compat_kmem_alloc5);
void	*kmem_zalloc(size_t, int) __DDI_ENTRY(_Compat_kmem_zalloc5);
#elif __DDI_AT_MOST(71)
void	*kmem_alloc(size_t, int) __DDI_ENTRY(_Compat_kmem_alloc7);
void	*kmem_zalloc(size_t, int) __DDI_ENTRY(_Compat_kmem_zalloc7);
#else
void	*kmem_alloc(size_t, int);
void	*kmem_zalloc(size_t, int);
#endif
void	 kmem_free(void *, size_t);

/* Allocation under physical requirements (DDI 5 and later). */
#if __DDI_BETWEEN(50, 71)
void	*kmem_alloc_physreq(size_t, physreq_t *, int)
	    __DDI_ENTRY(_Compat_kmem_alloc_physreq7);
void	*kmem_zalloc_physreq(size_t, physreq_t *, int)
	    __DDI_ENTRY(_Compat_kmem_zalloc_physreq7);
#elif __DDI_AT_LEAST(72)
void	*kmem_alloc_physreq(size_t, physreq_t *, int);
void	*kmem_zalloc_physreq(size_t, physreq_t *, int);
#endif

#if __DDI_AT_LEAST(72)
void	*kmem_alloc_phys(size_t, physreq_t *, paddr32_t *, int);
#endif

#if __DDI_BETWEEN(50, 60)
void	*kmem_alloc_physcontig(size_t, physreq_t *, int);
void	 kmem_free_physcontig(void *, size_t);
#endif

__DDI_END_DECLS

#endif /* DDICOMPAT_SYS_KMEM_H */
