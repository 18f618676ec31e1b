/*
 * exports.h - prototypes of the exported entry points that the legacy
 * headers declare only for some interface versions.  The library is built
 * at the default level (DDI 8); this header gives it the others.
 */
#ifndef DDICOMPAT_EXPORTS_H
#define DDICOMPAT_EXPORTS_H

#include "sys/types.h"
#include "sys/kmem.h"
#include "sys/ddi.h"
#include "sys/stream.h"

void	*_Compat_kmem_alloc4(size_t, int);
void	*_Compat_kmem_zalloc4(size_t, int);
void	*_Compat_kmem_alloc5(size_t, int);
void	*_Compat_kmem_zalloc5(size_t, int);
void	*_Compat_kmem_alloc7(size_t, int);
void	*_Compat_kmem_zalloc7(size_t, int);
void	*_Compat_kmem_alloc_oddi(size_t, int);
void	*_Compat_kmem_zalloc_oddi(size_t, int);
void	*_Compat_kmem_alloc_physreq7(size_t, physreq_t *, int);
void	*_Compat_kmem_zalloc_physreq7(size_t, physreq_t *, int);
void	*kmem_alloc_physcontig(size_t, physreq_t *, int);
void	 kmem_free_physcontig(void *, size_t);

paddr_t	vtop(caddr_t, proc_t *);
ppid_t	phystoppid(paddr_t);
paddr_t	pptophys(ppid_t);
paddr_t	kvtophys(caddr_t);
caddr_t	phystokv(paddr_t);

caddr_t	getcpages(int, int);
void	freecpages(caddr_t, int);
caddr_t	sptalloc(pgcnt_t, int, pfn_t, memflags_t);
void	sptfree(caddr_t, int, int);

/* Kernel environment: ODDI and pre-DDI 8 forms. */
#if __DDI_AT_LEAST(80)	/* DDI 5 to 7.2 have spl0 and spl7 of their own */
int	spl0(void);
int	spl1(void);
int	spl2(void);
int	spl3(void);
int	spl4(void);
int	spl5(void);
int	spl6(void);
int	spl7(void);
#endif
pl_t	spltty(void);
int	_Compat_sleep(caddr_t, int);
void	wakeup(caddr_t);
pl_t	_Compat_spl1(void);
pl_t	_Compat_spl4(void);
pl_t	_Compat_spl5(void);
pl_t	_Compat_spl6(void);
toid_t	timeout(__ddi_tofn_t, void *, long);
void	_Compat_panic(const char *, ...) __attribute__((format(printf, 1, 2)));
extern ulong_t totalmem;

/* Device numbers, before DDI 8. */
major_t	getmajor(dev_t);
minor_t	getminor(dev_t);
major_t	getemajor(dev_t);
minor_t	geteminor(dev_t);
dev_t	makedevice(major_t, minor_t);
void	wakeup(caddr_t);
int	timeout(__ddi_tofn_t, void *, long);
int	dtimeout(__ddi_tofn_t, void *, long, pl_t, int);
int	_Compat_cm_intr_attach5(rm_key_t, void (*)(int), int *, void **);
struct __ddi_sleep;
struct map;
void	_Compat_rminit(struct map *, ulong_t);
void	_Compat_rmsetwant(struct map *);
ulong_t	_Compat_rmwant(struct map *);
int	SLEEP_LOCKOWNED(struct __ddi_sleep *);

/* STREAMS: DDI <= 5 and ODDI, and DDI 6 to 7.1 forms. */
mblk_t	*_Compat_allocb5(int, uint_t);
mblk_t	*_Compat_copyb5(mblk_t *);
mblk_t	*_Compat_copymsg5(mblk_t *);
mblk_t	*_Compat_msgpullup5(mblk_t *, int);
mblk_t	*_Compat_allocb7(int, uint_t);
mblk_t	*_Compat_copyb7(mblk_t *);
mblk_t	*_Compat_copymsg7(mblk_t *);
mblk_t	*_Compat_msgpullup7(mblk_t *, int);
mblk_t	*_Compat_allocb_physreq7(int, uint_t, physreq_t *);
mblk_t	*_Compat_msgphysreq7(mblk_t *, physreq_t *);
mblk_t	*_Compat_msgpullup_physreq7(mblk_t *, int, physreq_t *);
int	_Compat_testb5(int, uint_t);
queue_t	*_Compat_backq(queue_t *);
int	_Compat_testb7(int, uint_t);
int	testb(int, uint_t);
int	pullupmsg(mblk_t *, int);
toid_t	_Compat_bufcall5(uint_t, int, __ddi_bcfn_t, long);
toid_t	_Compat_bufcall7(uint_t, int, __ddi_bcfn_t, long);

/* Block I/O before DDI 8. */
struct buf;
struct bcb;
struct page;
void	bp_mapin(struct buf *);
void	bp_mapout(struct buf *);
struct page *getnextpg(struct buf *, struct page *);
void	_Compat_buf_breakup7(void (*)(struct buf *), struct buf *,
	    const struct bcb *);
void	dma_pageio(void (*)(struct buf *), struct buf *);
struct uio;
int	physiock(void (*)(struct buf *), struct buf *, dev_t, int, daddr_t,
	    struct uio *);
int	uiophysio(void (*)(struct buf *), struct buf *, dev_t, int,
	    struct uio *);

/* ODDI raw I/O. */
int	physck(daddr_t, int);
void	physio(int (*)(struct buf *), struct buf *, dev_t, int);
void	dma_breakup(int (*)(struct buf *), struct buf *);
void	pio_breakup(int (*)(struct buf *), struct buf *, int);

/* The ODDI's system DMA calls (sys/dma.h). */
struct dmareq;
int	dma_alloc(unsigned, unsigned);
void	dma_relse(unsigned);
void	dma_param(unsigned, unsigned, paddr_t, long_t);
int	dma_start(struct dmareq *);
long_t	dma_resid(unsigned);

/* User memory: the byte and word forms of DDI 6 and before. */
int	fubyte(char *);
int	fuword(int *);
int	subyte(char *, char);
int	suword(int *, int);
int	_Compat_useracc(caddr_t, uint_t, int);
/* The resource manager: DDI 5 to 7.2 forms (sys/confmgr.h). */
struct cm_args;
ulong_t	_Compat_cm_getnbrd(char *);
rm_key_t _Compat_cm_getbrdkey(char *, ulong_t);
int	_Compat_cm_getversion(void);
int	_Compat_cm_getval_5(struct cm_args *);
int	_Compat_cm_getval_7_1(struct cm_args *);
int	_Compat_cm_addval(struct cm_args *);
int	_Compat_cm_delval(struct cm_args *);
int	_Compat_cm_getval_8(struct cm_args *);
int	_Compat_cm_addval_8(struct cm_args *);
int	_Compat_cm_delval_8(struct cm_args *);
int	_Compat_drv_gethardware(ulong_t, void *);
int	_Compat_drv_gethardware_7_2(ulong_t, void *);
/* External and internal majors: DDI 7.2 and before. */
int	etoimajor(major_t);
int	itoemajor(major_t, int);

/* drv_callback of DDI 5 to 7. */
void	_Compat_drv_callback_5(int, __ddi_cbfn_t, void *);

/* The interface statistics chain of DDI 7.2 and before. */
struct ifstats;
extern struct ifstats *ifstats;
void	_Compat_ifstats_attach(struct ifstats *);
struct ifstats *_Compat_ifstats_detach(struct ifstats *);

/* Polling: pollwakeup is DDI 5 to 7.2 only. */
struct pollhead;
void	pollwakeup(struct pollhead *, short);

/* Device memory: the DDI 5 to 7.2 mappings (sys/ddi.h). */
void	*physmap(paddr_t, ulong_t, uint_t);
void	physmap_free(void *, ulong_t, uint_t);
int	drv_mmap(vaddr_t, paddr_t, size_t, vaddr_t *, uint_t, uint_t, uint_t);

/* DDI 5 and 6 (not strict): the compatibility names (sys/ddi.h). */
struct page;
paddr_t	_Compat_kvtophys(caddr_t);
uint_t	_Compat_hat_getkpfnum(caddr_t);
uint_t	_Compat_hat_getppfnum(paddr_t, uint_t);
struct page *page_numtopp(uint_t);
uint_t	page_pptonum(struct page *);
void	_Compat_rdma_filter(void (*)(struct buf *), struct buf *);
void	_Compat_dma_pageio(void (*)(struct buf *), struct buf *);
int	_Compat_uiophysio(void (*)(struct buf *), struct buf *, dev_t, int,
	    struct uio *);

#endif /* DDICOMPAT_EXPORTS_H */
