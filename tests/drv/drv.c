/*
 * drv.c - one "driver", compiled once per interface version (DRV names
 * the version: drv_4_, drv_8_, drv_oddi_ ...), so that drivers of
 * different versions share the test process, as they would a kernel.
 */
#include <sys/types.h>
#include <sys/kmem.h>
#include <sys/immu.h>
#include <sys/stream.h>
#include <sys/buf.h>
#include <sys/uio.h>
#include <vm/page.h>
#include <sys/ddi.h>

#include "drv.h"

#define CAT2(a, b)	a##b
#define CAT(a, b)	CAT2(a, b)
#define F(name)		CAT(DRV, name)

void *
F(alloc)(size_t size)
{
	return kmem_alloc(size, KM_SLEEP);
}

void *
F(zalloc)(size_t size)
{
	return kmem_zalloc(size, KM_NOSLEEP);
}

void
F(free)(void *p, size_t size)
{
	kmem_free(p, size);
}

int
F(level)(void)
{
	return __DDICOMPAT_LEVEL;
}

#if __DDI_ODDI
void *
F(alloc_nodma)(size_t size)
{
	return kmem_alloc(size, KM_NOSLEEP | KM_NO_DMA);
}
#endif

#if __DDI_AT_LEAST(50)
/* A 64-bit-capable physreq: DDI <= 7.1 still only gets memory < 4 GiB. */
void *
F(alloc64)(size_t size, physreq_t **pp)
{
	physreq_t *p = physreq_alloc(KM_SLEEP);

	p->phys_dmasize = 64;
	if (!physreq_prep(p, KM_SLEEP))
		return NULL;
	*pp = p;
	return kmem_alloc_physreq(size, p, KM_SLEEP);
}
#endif

#if __DDI_ODDI || __DDI_AT_MOST(71)
unsigned long
F(vtop)(void *p)
{
	return vtop(p, NULL);
}
#endif

#if __DDI_ODDI || __DDI_AT_MOST(71)
/* A user address of process p, as a raw-I/O strategy routine asks. */
unsigned long
F(uvtop)(void *va, proc_t *p)
{
	return vtop(va, p);
}
#endif

#if __DDI_BETWEEN(50, 60)
void *
F(physcontig)(size_t size, physreq_t **pp)
{
	physreq_t *p = physreq_alloc(KM_SLEEP);

	p->phys_dmasize = 32;
	physreq_prep(p, KM_SLEEP);
	*pp = p;
	return kmem_alloc_physcontig(size, p, KM_SLEEP);
}
#endif

#if __DDI_AT_LEAST(50)
void
F(preq_free)(physreq_t *p)
{
	physreq_free(p);
}
#endif

/* STREAMS: placement of plain allocb and copies follows the version. */
void *
F(allocb)(int size)
{
	mblk_t *m = allocb(size, BPRI_MED);

	if (m != NULL)
		m->b_wptr = m->b_datap->db_lim;
	return m;
}

void *
F(copymsg)(void *mp)
{
	return copymsg(mp);
}

void *
F(msgpullup)(void *mp, int len)
{
	return msgpullup(mp, len);
}

void
F(freemsg)(void *mp)
{
	freemsg(mp);
}

#if __DDI_AT_LEAST(50)
/* A 64-bit physreq's buffer: DDI 5 to 7.1 never see 4 GiB or more. */
void *
F(allocb64)(int size, physreq_t **pp)
{
	physreq_t *p = physreq_alloc(KM_SLEEP);

	p->phys_dmasize = 64;
	if (!physreq_prep(p, KM_SLEEP))
		return NULL;
	*pp = p;
	return allocb_physreq(size, BPRI_MED, p);
}
#endif

#if __DDI_BETWEEN(50, 50)
/* DDI 5: the machine's RAM, from the kernel's variable. */
unsigned long
F(totalmem)(void)
{
	return totalmem;
}
#endif

#if __DDI_ODDI || __DDI_AT_MOST(60)
int
F(testb)(int size)
{
	return testb(size, BPRI_MED);
}
#endif

int
F(bufcall)(int size, void (*fn)(long), long arg)
{
	return bufcall((uint_t)size, BPRI_MED, fn, arg);
}

#if __DDI_AT_LEAST(60)
/* msgphysreq for a 64-bit device: DDI 6 to 7.1 still copy below 4 GiB. */
void *
F(msgphysreq64)(void *mp)
{
	physreq_t *p = physreq_alloc(KM_SLEEP);
	mblk_t *r;

	p->phys_dmasize = 64;
	if (!physreq_prep(p, KM_SLEEP))
		return NULL;
	r = msgphysreq(mp, p);
	physreq_free(p);
	return r;
}
#endif

#if __DDI_ODDI || __DDI_AT_MOST(71)
/*
 * A raw read's data, through bp_mapin as a driver moving it with the CPU
 * would: copy it to out, then check that bp_mapout restored the buf.
 * 0, or the number of the check that failed.
 */
static int
F(mapped_copy)(buf_t *bp, unsigned char *out, size_t len)
{
	caddr_t addr = bp->b_un.b_addr;
	uchar_t type = bp->b_addrtype;
	uint_t flags = bp->b_flags;
	proc_t *p = bp->b_proc;

	bp_mapin(bp);
	if (bp->b_addrtype != BA_KVIRT || !(bp->b_flags & B_REMAPPED))
		return 1;
	if ((flags & B_PHYS) && ((bp->b_flags & B_PHYS) || bp->b_proc))
		return 2;
	bcopy(bp->b_un.b_addr, out, len);
	bp_mapout(bp);
	if (bp->b_un.b_addr != addr || bp->b_addrtype != type ||
	    bp->b_flags != flags || bp->b_proc != p)
		return 3;
	return 0;
}

int
F(map_user)(proc_t *p, void *uaddr, size_t len, unsigned char *out)
{
	buf_t *bp = getrbuf(KM_SLEEP);
	int r;

	bp->b_flags |= B_READ | B_PHYS;
	bp->b_addrtype = BA_UVIRT;
	bp->b_un.b_addr = uaddr;
	bp->b_bcount = (uint_t)len;
	bp->b_proc = p;
	r = F(mapped_copy)(bp, out, len);
	freerbuf(bp);
	return r;
}

int
F(map_pages)(struct page *list, size_t off, size_t len, unsigned char *out)
{
	buf_t *bp = getrbuf(KM_SLEEP);
	int r;

	bp->b_flags |= B_READ | B_PAGEIO;
	bp->b_addrtype = BA_PAGELIST;
	bp->b_pages = list;
	bp->b_un.b_addr = (caddr_t)off;
	bp->b_bcount = (uint_t)len;
	r = F(mapped_copy)(bp, out, len);
	freerbuf(bp);
	return r;
}
#endif

#if __DDI_BETWEEN(50, 71)
/* How many pages getnextpg walks in a list. */
int
F(count_pages)(struct page *list)
{
	buf_t *bp = getrbuf(KM_SLEEP);
	page_t *pp = NULL;
	int n = 0;

	bp->b_flags |= B_PAGEIO;
	bp->b_pages = list;
	while ((pp = getnextpg(bp, pp)) != NULL)
		n++;
	freerbuf(bp);
	return n;
}
#endif

#if __DDI_AT_MOST(71) && !__DDI_ODDI
/*
 * A raw disk of 256 KiB whose strategy routine moves data with the CPU
 * through bp_mapin, as programmed-I/O drivers of these versions did,
 * and raw reads and writes through physiock.
 */
#define RDSZ	(256 * 1024)
static unsigned char F(disk)[RDSZ];
static unsigned long F(reqs);

static void
F(rd_strat)(buf_t *bp)
{
	unsigned long off = (unsigned long)bp->b_blkno * 512 + bp->b_blkoff;

	F(reqs)++;
	bp_mapin(bp);
	if (bp->b_flags & B_READ)
		bcopy(F(disk) + off, bp->b_un.b_addr, bp->b_bcount);
	else
		bcopy(bp->b_un.b_addr, F(disk) + off, bp->b_bcount);
	bp_mapout(bp);
	bp->b_resid = 0;
	biodone(bp);
}

int
F(raw)(int rd, void *ubase, int len, int off, int *resid)
{
	iovec_t iov[2];
	uio_t uio;
	int e;

	/* two iovecs, as readv would make */
	iov[0].iov_base = ubase;
	iov[0].iov_len = len / 2;
	iov[1].iov_base = (caddr_t)ubase + len / 2;
	iov[1].iov_len = len - len / 2;
	bzero(&uio, sizeof(uio));
	uio.uio_iov = iov;
	uio.uio_iovcnt = 2;
	uio.uio_offset = off;
	uio.uio_segflg = UIO_USERSPACE;
	uio.uio_resid = len;
	e = physiock(F(rd_strat), NULL, makedevice(7, 0), rd ? B_READ : B_WRITE,
	    RDSZ / 512, &uio);
	*resid = uio.uio_resid;
	return e;
}

unsigned char *
F(disk_image)(void)
{
	return F(disk);
}
#endif

#if __DDI_AT_MOST(40) && !__DDI_ODDI
/* A DMA device that takes one page at most, contiguous: dma_pageio. */
static unsigned long F(bad);

static void
F(pg_strat)(buf_t *bp)
{
	unsigned long off = (unsigned long)bp->b_blkno * 512 + bp->b_blkoff;
	paddr_t pa = vtop(bp->b_un.b_addr, bp->b_proc);

	if (bp->b_bcount > 4096 || pa / 4096 != (pa + bp->b_bcount - 1) / 4096)
		F(bad)++;
	F(reqs)++;
	if (bp->b_flags & B_READ)
		bcopy(F(disk) + off, bp->b_un.b_addr, bp->b_bcount);
	else
		bcopy(bp->b_un.b_addr, F(disk) + off, bp->b_bcount);
	bp->b_resid = 0;
	biodone(bp);
}

/* Write len bytes of data at off through dma_pageio; pieces, bad ones. */
int
F(pageio)(void *data, int len, int off, unsigned long *pieces,
    unsigned long *bad)
{
	buf_t *bp = getrbuf(KM_SLEEP);
	int e;

	F(reqs) = F(bad) = 0;
	bp->b_flags |= B_WRITE;
	bp->b_addrtype = BA_KVIRT;
	bp->b_un.b_addr = data;
	bp->b_bcount = (uint_t)len;
	bp->b_blkno = off / 512;
	dma_pageio(F(pg_strat), bp);
	e = biowait(bp);
	freerbuf(bp);
	*pieces = F(reqs);
	*bad = F(bad);
	return e;
}
#endif

#if __DDI_BETWEEN(50, 60)
/*
 * An ISA bus master of DDI 5 and 6: its strategy routine goes through
 * rdma_filter, and notes pieces whose data lies at or above 16 MiB (by
 * kvtophys, which DDI 5 and 6 bind to the library's compatibility name).
 */
static unsigned long F(high);
static unsigned long F(pieces);

static void
F(isa_strat)(buf_t *bp)
{
	unsigned long off = (unsigned long)bp->b_blkno * 512;
	char *p = bp->b_un.b_addr;

	for (uint_t i = 0; i < bp->b_bcount; i += 512)
		if (kvtophys(p + i) >= 0x1000000)
			F(high)++;
	F(pieces)++;
	if (bp->b_flags & B_READ)
		bcopy(F(disk) + off, bp->b_un.b_addr, bp->b_bcount);
	else
		bcopy(bp->b_un.b_addr, F(disk) + off, bp->b_bcount);
	bp->b_resid = 0;
	biodone(bp);
}

/* Move len bytes between data and the disk at off; pieces, high ones. */
int
F(rdma)(int rd, void *data, int len, int off, unsigned long *pieces,
    unsigned long *high)
{
	buf_t *bp = getrbuf(KM_SLEEP);
	int e;

	F(pieces) = F(high) = 0;
	bp->b_flags |= rd ? B_READ : B_WRITE;
	bp->b_un.b_addr = data;
	bp->b_bcount = (uint_t)len;
	bp->b_blkno = off / 512;
	rdma_filter(F(isa_strat), bp);
	e = biowait(bp);
	freerbuf(bp);
	*pieces = F(pieces);
	*high = F(high);
	return e;
}

/* The frame numbers of a kernel address, by its two names. */
void
F(frames)(void *kva, unsigned *kpfn, unsigned *ppfn)
{
	*kpfn = hat_getkpfnum(kva);
	*ppfn = hat_getppfnum(kvtophys(kva), 0);
}
#endif
