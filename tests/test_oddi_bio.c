/*
 * test_oddi_bio.c - ODDI raw I/O: the user area, physck, physio,
 * dma_breakup and, through an ODDI 2 driver (drv/pio.c), pio_breakup;
 * compiled as an ODDI 5 driver (-D_ODDI=5).
 *
 * The tests play the kernel: they set the calling thread's user area
 * as a read(2) or write(2) would, run in a simulated process whose
 * pages are scattered in RAM, and call the driver's read or write
 * routine.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <sched.h>

#include "lib/testutil.h"
#include "drv/pio.h"

#include <sys/types.h>
#include <sys/kmem.h>
#include <sys/immu.h>
#include <sys/buf.h>
#include <sys/user.h>
#include <sys/ksynch.h>
#include <sys/ddi.h>

#define PG		4096u
#define BELOW_16M	(UINT64_C(1) << 24)
#define BELOW_4G	(UINT64_C(1) << 32)
#define DISK_NBLK	2048u			/* the RAM disk: 1 MiB */
#define DISK_BYTES	(DISK_NBLK * 512u)

LKINFO_DECL(test_lkinfo, "test_oddi_bio lock", 0);

/* ---- a RAM disk, and what its strategy routine saw ---- */

static unsigned char disk[DISK_BYTES];
static pthread_mutex_t rd_mtx = PTHREAD_MUTEX_INITIALIZER;
static struct {
	unsigned	medium;		/* sectors of medium: ENXIO beyond */
	bool		dma;		/* check dma_breakup's pieces */
	unsigned long	pieces;		/* strategy calls */
	unsigned long	bad;		/* pieces that broke a rule */
	const char	*why;		/* the first rule broken */
	unsigned long	maxlen;		/* the largest b_bcount */
	uint_t		flags;		/* the last piece's b_flags */
	uchar_t		type;		/* its b_addrtype */
	proc_t		*proc;		/* its b_proc */
} rd;

static void
rd_reset(bool dma)
{
	pthread_mutex_lock(&rd_mtx);
	memset(&rd, 0, sizeof(rd));
	rd.medium = DISK_NBLK;
	rd.dma = dma;
	pthread_mutex_unlock(&rd_mtx);
}

/*
 * What the system DMA controller can do: 512 bytes, one physically
 * contiguous extent below 16 MiB, not across a 64 KiB line, given at a
 * kernel address whose physical address kvtophys tells.
 */
static const char *
dma_piece_fault(buf_t *bp)
{
	struct ddisim_seg seg[2];

	if (bp->b_bcount != 512)
		return "a piece is not 512 bytes";
	if (bp->b_addrtype != BA_KVIRT)
		return "a piece is not BA_KVIRT";
	if (ddisim_segments(bp->b_un.b_addr, 512, seg, 2) != 1)
		return "a piece is not physically contiguous";
	if (seg[0].pa + 512 > BELOW_16M)
		return "a piece is above 16 MiB";
	if (seg[0].pa / 65536 != (seg[0].pa + 511) / 65536)
		return "a piece crosses a 64 KiB line";
	if (kvtophys(bp->b_un.b_addr) != seg[0].pa)
		return "kvtophys disagrees with the machine";
	return NULL;
}

static void
rd_note(buf_t *bp)
{
	const char *why = rd.dma ? dma_piece_fault(bp) : NULL;

	pthread_mutex_lock(&rd_mtx);
	rd.pieces++;
	if (why != NULL && rd.bad++ == 0)
		rd.why = why;
	if (bp->b_bcount > rd.maxlen)
		rd.maxlen = bp->b_bcount;
	rd.flags = bp->b_flags;
	rd.type = bp->b_addrtype;
	rd.proc = bp->b_proc;
	pthread_mutex_unlock(&rd_mtx);
}

/* The strategy routine, ODDI style: it returns int, which is unused. */
static int
rd_strategy(struct buf *bp)
{
	uint64_t off = (uint64_t)(uint32_t)bp->b_blkno * 512;
	uint64_t end = (uint64_t)rd.medium * 512, n;
	bool mapped = bp->b_addrtype != BA_KVIRT;

	rd_note(bp);
	if (off >= end) {		/* the end of the medium */
		bioerror(bp, ENXIO);
		bp->b_resid = bp->b_bcount;
		biodone(bp);
		return 0;
	}
	n = bp->b_bcount < end - off ? bp->b_bcount : end - off;
	if (mapped)
		bp_mapin(bp);
	if (bp->b_flags & B_READ)
		memcpy(bp->b_un.b_addr, disk + off, n);
	else
		memcpy(disk + off, bp->b_un.b_addr, n);
	if (mapped)
		bp_mapout(bp);
	bp->b_resid = (uint_t)(bp->b_bcount - n);
	biodone(bp);
	return 0;
}

/* What physio calls for a DMA device. */
static int
rd_breakup(struct buf *bp)
{
	dma_breakup(rd_strategy, bp);
	return 0;
}

/* The driver's read and write routines. */
static void
rd_read(void)
{
	if (physck(DISK_NBLK, B_READ))
		physio(rd_breakup, NULL, makedevice(7, 0), B_READ);
}

static void
rd_write(void)
{
	if (physck(DISK_NBLK, B_WRITE))
		physio(rd_breakup, NULL, makedevice(7, 0), B_WRITE);
}

/* The kernel's part of a read(2) or write(2): the user area. */
static void
u_set(void *base, unsigned count, long off, char segflg)
{
	memset(&u, 0, sizeof(u));
	u.u_base = base;
	u.u_count = count;
	u.u_offset = (long_t)off;
	u.u_segflg = segflg;
}

/* ---- the user area ---- */

static void *
other_thread_u(void *arg)
{
	struct user *seen = arg;

	*seen = u;			/* this thread's: all zero */
	u.u_count = 99;
	u.u_error = EIO;
	return NULL;
}

START_TEST(user_area_per_thread)
{
	struct user seen;
	struct proc *p;
	pthread_t t;

	MACHINE_UP(NULL);
	p = ddisim_proc_create(PG, BELOW_4G);
	u_set(NULL, 512, 0, 0);
	ck_assert_ptr_null(u.u_procp);
	ddisim_proc_enter(p);
	ck_assert_ptr_eq(u.u_procp, p);	/* follows the thread's process */
	ck_assert_uint_ne(vtop(ddisim_proc_base(p), u.u_procp), 0);
	memset(&seen, 0xa5, sizeof(seen));
	ck_assert_int_eq(pthread_create(&t, NULL, other_thread_u, &seen), 0);
	pthread_join(t, NULL);
	ck_assert_uint_eq(seen.u_count, 0);
	ck_assert_int_eq(seen.u_error, 0);
	ck_assert_ptr_null(seen.u_procp);
	ck_assert_uint_eq(u.u_count, 512);	/* untouched by the other */
	ck_assert_int_eq(u.u_error, 0);
	ddisim_proc_enter(NULL);
	ddisim_proc_destroy(p);
	ck_assert_ptr_null(u.u_procp);
	MACHINE_DOWN();
}
END_TEST

/* ---- physck ---- */

START_TEST(physck_trims_to_the_device)
{
	/* inside: untouched */
	u_set(NULL, 4096, 0, 0);
	ck_assert_int_eq(physck(16, B_READ), 1);
	ck_assert_uint_eq(u.u_count, 4096);
	ck_assert_int_eq(u.u_error, 0);
	/* across the end: cut back to it, either direction */
	u_set(NULL, 2048, 15 * 512, 0);
	ck_assert_int_eq(physck(16, B_READ), 1);
	ck_assert_uint_eq(u.u_count, 512);
	u_set(NULL, 2048, 15 * 512 + 100, 0);
	ck_assert_int_eq(physck(16, B_WRITE), 1);
	ck_assert_uint_eq(u.u_count, 412);
	ck_assert_int_eq(u.u_error, 0);
	/* at the end: a read moves nothing, a write is ENXIO */
	u_set(NULL, 512, 16 * 512, 0);
	ck_assert_int_eq(physck(16, B_READ), 0);
	ck_assert_int_eq(u.u_error, 0);
	ck_assert_uint_eq(u.u_count, 512);
	ck_assert_int_eq(physck(16, B_WRITE), 0);
	ck_assert_int_eq(u.u_error, ENXIO);
	/* past the end, or before the start: ENXIO */
	u_set(NULL, 512, 16 * 512 + 1, 0);
	ck_assert_int_eq(physck(16, B_READ), 0);
	ck_assert_int_eq(u.u_error, ENXIO);
	u_set(NULL, 512, -512, 0);
	ck_assert_int_eq(physck(16, B_READ), 0);
	ck_assert_int_eq(u.u_error, ENXIO);
	/* FBMODE: the offset counts sectors */
	u_set(NULL, 4096, 14, 0);
	u.u_fmode = FBMODE;
	ck_assert_int_eq(physck(16, B_WRITE | B_BDEV), 1);
	ck_assert_uint_eq(u.u_count, 1024);
	u_set(NULL, 512, 16, 0);
	u.u_fmode = FBMODE;
	ck_assert_int_eq(physck(16, B_READ), 0);
	ck_assert_int_eq(u.u_error, 0);
	/* the first error recorded stays */
	u_set(NULL, 512, 17 * 512, 0);
	u.u_error = EIO;
	ck_assert_int_eq(physck(16, B_READ), 0);
	ck_assert_int_eq(u.u_error, EIO);
	/* a device of no blocks */
	u_set(NULL, 512, 0, 0);
	ck_assert_int_eq(physck(0, B_WRITE), 0);
	ck_assert_int_eq(u.u_error, ENXIO);
}
END_TEST

/* ---- physio ---- */

START_TEST(physio_moves_user_data)
{
	static unsigned char data[300 * 1024], back[300 * 1024];
	struct proc *p;
	unsigned char *ub;
	buf_t *bp;

	MACHINE_UP(NULL);
	rd_reset(false);
	prop_seed(11);
	p = ddisim_proc_create(sizeof(data) + PG, BELOW_4G);
	ub = (unsigned char *)ddisim_proc_base(p) + 100;
	fill_rnd(data, sizeof(data));
	ck_assert_int_eq(ddisim_proc_write(p, ub, data, sizeof(data)), 0);
	ddisim_proc_enter(p);
	/* a write of 300 KiB: three bufs, 128 KiB at most */
	u_set(ub, sizeof(data), 8192, 0);
	physio(rd_strategy, NULL, makedevice(7, 0), B_WRITE);
	ck_assert_int_eq(u.u_error, 0);
	ck_assert_uint_eq(u.u_count, 0);
	ck_assert_ptr_eq(u.u_base, ub + sizeof(data));
	ck_assert_int_eq(u.u_offset, 8192 + (long)sizeof(data));
	ck_assert_uint_eq(rd.pieces, 3);
	ck_assert_uint_eq(rd.maxlen, 128 * 1024);
	ck_assert_uint_eq(rd.flags & (B_PHYS | B_READ), B_PHYS);
	ck_assert_uint_eq(rd.type, BA_UVIRT);
	ck_assert_ptr_eq(rd.proc, p);
	ck_assert_int_eq(memcmp(disk + 8192, data, sizeof(data)), 0);
	/* read back with the driver's own buf, which physio keeps */
	memset(back, 0, sizeof(back));
	ck_assert_int_eq(ddisim_proc_write(p, ub, back, sizeof(back)), 0);
	bp = getrbuf(KM_SLEEP);
	u_set(ub, sizeof(data), 8192, 0);
	physio(rd_strategy, bp, makedevice(7, 0), B_READ | B_NOSG);
	ck_assert_int_eq(u.u_error, 0);
	ck_assert_uint_eq(u.u_count, 0);
	ck_assert_uint_eq(rd.flags & (B_PHYS | B_READ), B_PHYS | B_READ);
	ck_assert_int_eq(ddisim_proc_read(p, ub, back, sizeof(back)), 0);
	ck_assert_int_eq(memcmp(back, data, sizeof(data)), 0);
	ck_assert_int_eq(geterror(bp), 0);	/* still a live buf */
	freerbuf(bp);
	ddisim_proc_enter(NULL);
	ddisim_proc_destroy(p);
	MACHINE_DOWN();
}
END_TEST

/* FBMODE offsets; kernel data; a request at the end; a short device. */
START_TEST(physio_offsets_and_segments)
{
	unsigned char *k;

	MACHINE_UP(NULL);
	rd_reset(false);
	k = kmem_alloc(8192, KM_SLEEP);
	memset(k, 0x5a, 8192);
	/* kernel data (u_segflg 1): BA_KVIRT, not B_PHYS, no process */
	u_set(k, 8192, 16, 1);
	u.u_fmode = FBMODE;
	physio(rd_strategy, NULL, makedevice(7, 0), B_WRITE);
	ck_assert_int_eq(u.u_error, 0);
	ck_assert_int_eq(u.u_offset, 32);	/* 16 sectors on */
	ck_assert_uint_eq(rd.type, BA_KVIRT);
	ck_assert_uint_eq(rd.flags & B_PHYS, 0);
	ck_assert_ptr_null(rd.proc);
	ck_assert_uint_eq(disk[16 * 512], 0x5a);
	ck_assert_uint_eq(disk[32 * 512 - 1], 0x5a);
	/* a medium shorter than its request: the read ends short */
	rd.medium = 20;
	u_set(k, 8192, 16 * 512, 1);
	physio(rd_strategy, NULL, makedevice(7, 0), B_READ);
	ck_assert_int_eq(u.u_error, 0);
	ck_assert_uint_eq(u.u_count, 8192 - 4 * 512);
	ck_assert_int_eq(u.u_offset, 20 * 512);
	/* and one starting past it fails with the driver's error */
	u_set(k, 512, 30 * 512, 1);
	physio(rd_strategy, NULL, makedevice(7, 0), B_READ);
	ck_assert_int_eq(u.u_error, ENXIO);
	ck_assert_uint_eq(u.u_count, 512);
	/* not whole sectors: EINVAL, nothing sent */
	rd_reset(false);
	u_set(k, 512, 100, 1);
	physio(rd_strategy, NULL, makedevice(7, 0), B_READ);
	ck_assert_int_eq(u.u_error, EINVAL);
	/* beyond u_offset's 31 bits without FBMODE */
	u_set(k, 8192, INT32_MAX - 4095, 1);
	physio(rd_strategy, NULL, makedevice(7, 0), B_READ);
	ck_assert_int_eq(u.u_error, EINVAL);
	/* an error recorded already: nothing is done */
	u_set(k, 512, 0, 1);
	u.u_error = EIO;
	physio(rd_strategy, NULL, makedevice(7, 0), B_READ);
	ck_assert_int_eq(u.u_error, EIO);
	ck_assert_uint_eq(u.u_count, 512);
	/* nothing to move */
	u_set(k, 0, 0, 1);
	physio(rd_strategy, NULL, makedevice(7, 0), B_READ);
	ck_assert_int_eq(u.u_error, 0);
	ck_assert_uint_eq(rd.pieces, 0);
	kmem_free(k, 8192);
	MACHINE_DOWN();
}
END_TEST

/* A user address outside the process: EFAULT, and nothing moves. */
START_TEST(physio_efault)
{
	unsigned char local[512];
	struct proc *p;
	unsigned char *ub;

	MACHINE_UP(NULL);
	rd_reset(false);
	p = ddisim_proc_create(2 * PG, BELOW_4G);
	ub = ddisim_proc_base(p);
	ddisim_proc_enter(p);
	u_set(ub + 2 * PG - 256, 512, 0, 0);	/* runs off its end */
	physio(rd_strategy, NULL, makedevice(7, 0), B_WRITE);
	ck_assert_int_eq(u.u_error, EFAULT);
	ck_assert_uint_eq(u.u_count, 512);
	u_set(local, sizeof(local), 0, 0);	/* not the process's at all */
	rd_write();
	ck_assert_int_eq(u.u_error, EFAULT);
	u_set(ub + PG, 512, 0, 2);		/* user text is user space */
	rd_read();
	ck_assert_int_eq(u.u_error, 0);
	ck_assert_uint_eq(u.u_count, 0);
	ck_assert_uint_eq(rd.pieces, 1);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	ddisim_proc_enter(NULL);
	ddisim_proc_destroy(p);
	MACHINE_DOWN();
}
END_TEST

/* ---- dma_breakup ---- */

/*
 * Property: raw reads and writes at random offsets, lengths and user
 * addresses, from a process below 16 MiB (the pieces go in place) and
 * one anywhere (they go through the DMA pool's bounce buffer), reach
 * the strategy routine only as pieces the DMA controller can take, and
 * move exactly the bytes asked for.
 */
START_TEST(dma_breakup_property)
{
	static unsigned char shadow[DISK_BYTES], data[48 * 1024];
	const size_t psz = sizeof(data) + 2 * PG;
	long iters = prop_floor(prop_iters(100000) / 300, 20);
	uint64_t b0, b1, bytes;
	struct proc *lo, *hi;

	MACHINE_UP(NULL);
	rd_reset(true);
	prop_seed(0x0dd1);
	fill_rnd(disk, sizeof(disk));
	memcpy(shadow, disk, sizeof(disk));
	lo = ddisim_proc_create(psz, BELOW_16M);
	hi = ddisim_proc_create(psz, 0);
	ck_assert_ptr_nonnull(lo);
	ck_assert_ptr_nonnull(hi);
	ddisim_breakup_stats(&b0, &bytes);
	for (long it = 0; it < iters; it++) {
		struct proc *p = rnd() & 1 ? lo : hi;
		unsigned char *ub = (unsigned char *)ddisim_proc_base(p) +
		    rndn(psz - sizeof(data));
		size_t len = 1 + rndn(sizeof(data));
		uint64_t off = rndn(DISK_NBLK) * 512, want;
		bool wr = rnd() & 1;

		if (rnd() % 4 == 0)
			len = (len + 511) / 512 * 512;
		want = len < DISK_BYTES - off ? len : DISK_BYTES - off;
		ddisim_proc_enter(p);
		u_set(ub, (unsigned)len, (long)off, 0);
		if (wr) {
			fill_rnd(data, len);
			ck_assert_int_eq(ddisim_proc_write(p, ub, data, len),
			    0);
			memcpy(shadow + off, data, want);
			rd_write();
		} else {
			memset(data, 0, len);
			ck_assert_int_eq(ddisim_proc_write(p, ub, data, len),
			    0);
			rd_read();
		}
		ck_assert_msg(rd.bad == 0, "iteration %ld: %s", it, rd.why);
		/* physck cut the request to the disk: all of it moved */
		ck_assert_int_eq(u.u_error, 0);
		ck_assert_uint_eq(u.u_count, 0);
		ck_assert_ptr_eq(u.u_base, ub + want);
		ck_assert_int_eq(u.u_offset, (long)(off + want));
		if (!wr) {
			ck_assert_int_eq(ddisim_proc_read(p, ub, data, len),
			    0);
			ck_assert_int_eq(memcmp(data, disk + off, want), 0);
			for (size_t i = want; i < len; i++)
				ck_assert_uint_eq(data[i], 0);
		}
		/* whole disk: partial sectors were read, merged, written */
		ck_assert_int_eq(memcmp(disk, shadow, sizeof(disk)), 0);
	}
	ddisim_breakup_stats(&b1, &bytes);
	ck_assert_uint_gt(b1, b0);		/* the bounce path ran */
	/* page-aligned, whole sectors, below 16 MiB: in place */
	ddisim_proc_enter(lo);
	rd.pieces = 0;
	u_set(ddisim_proc_base(lo), 8192, 4096, 0);
	rd_read();
	ck_assert_int_eq(u.u_error, 0);
	ck_assert_uint_eq(rd.pieces, 16);
	ddisim_breakup_stats(&b0, &bytes);
	ck_assert_uint_eq(b0, b1);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	ddisim_proc_enter(NULL);
	ddisim_proc_destroy(lo);
	ddisim_proc_destroy(hi);
	MACHINE_DOWN();
}
END_TEST

/* A raw buf of n sectors at blkno, for the low process's data. */
static buf_t *
raw_buf(struct proc *p, void *ub, unsigned n, daddr_t blkno, uint_t rw)
{
	buf_t *bp = getrbuf(KM_SLEEP);

	bp->b_flags |= rw | B_PHYS;
	bp->b_addrtype = BA_UVIRT;
	bp->b_un.b_addr = ub;
	bp->b_proc = p;
	bp->b_bcount = n * 512;
	bp->b_blkno = blkno;
	bp->b_edev = makedevice(7, 0);
	return bp;
}

/*
 * End of medium in the first block: ENXIO; in a later one: B_ERROR with
 * b_error 0 and the residual, which physio turns into a short count.
 */
START_TEST(dma_breakup_end_of_medium)
{
	struct proc *p;
	void *ub;
	buf_t *bp;

	MACHINE_UP(NULL);
	rd_reset(true);
	rd.medium = 8;
	p = ddisim_proc_create(16 * 512, BELOW_16M);
	ub = ddisim_proc_base(p);
	bp = raw_buf(p, ub, 16, 0, B_READ);
	dma_breakup(rd_strategy, bp);		/* complete on return */
	ck_assert(bp->b_flags & B_DONE);
	ck_assert(bp->b_flags & B_ERROR);
	ck_assert_int_eq(bp->b_error, 0);
	ck_assert_uint_eq(bp->b_resid, 8 * 512);
	ck_assert_uint_eq(rd.bad, 0);
	freerbuf(bp);
	bp = raw_buf(p, ub, 2, 8, B_READ);
	dma_breakup(rd_strategy, bp);
	ck_assert(bp->b_flags & B_DONE);
	ck_assert_int_eq(geterror(bp), ENXIO);
	ck_assert_uint_eq(bp->b_resid, 2 * 512);
	freerbuf(bp);
	/* the same through physio, as the driver's read routine */
	ddisim_proc_enter(p);
	u_set(ub, 16 * 512, 0, 0);
	rd_read();
	ck_assert_int_eq(u.u_error, 0);
	ck_assert_uint_eq(u.u_count, 8 * 512);
	ck_assert_int_eq(u.u_offset, 8 * 512);
	rd_read();			/* go on from there: ENXIO */
	ck_assert_int_eq(u.u_error, ENXIO);
	ck_assert_uint_eq(u.u_count, 8 * 512);
	/* a zero-length buf is complete at once */
	bp = raw_buf(p, ub, 0, 0, B_READ);
	rd.pieces = 0;
	dma_breakup(rd_strategy, bp);
	ck_assert(bp->b_flags & B_DONE);
	ck_assert_int_eq(geterror(bp), 0);
	ck_assert_uint_eq(rd.pieces, 0);
	freerbuf(bp);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	ddisim_proc_enter(NULL);
	ddisim_proc_destroy(p);
	MACHINE_DOWN();
}
END_TEST

/* dma_breakup calls spl0: the caller's level is gone on return. */
START_TEST(dma_breakup_lowers_the_level)
{
	struct proc *p;
	buf_t *bp;

	MACHINE_UP(NULL);
	rd_reset(true);
	p = ddisim_proc_create(PG, BELOW_16M);
	bp = raw_buf(p, ddisim_proc_base(p), 2, 0, B_WRITE);
	(void)spl5();
	ck_assert_uint_eq(ddisim_ctx_pl(), PL5);
	dma_breakup(rd_strategy, bp);
	ck_assert_uint_eq(ddisim_ctx_pl(), PLBASE);
	ck_assert_int_eq(geterror(bp), 0);
	ck_assert_uint_eq(rd.pieces, 2);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	freerbuf(bp);
	ddisim_proc_destroy(p);
	MACHINE_DOWN();
}
END_TEST

/*
 * A device that completes at its own pace, from another thread, as an
 * interrupt would: dma_breakup still sends it one piece at a time.  It
 * holds each piece until the thread that sent it sleeps, waiting for it
 * (a dma_breakup that went on instead would have sent the next piece
 * first, which the device counts), or, with late_reports set, until the
 * wait for that piece has been reported: the k-th piece, once there have
 * been late_report_base + k reports.
 */
static pthread_mutex_t late_mtx = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t late_cv = PTHREAD_COND_INITIALIZER;
static buf_t *late_bp;			/* the piece the device has */
static pid_t late_sender;		/* the thread that sent it */
static bool late_quit;
static unsigned long late_overlaps;	/* pieces sent while one was out */
static bool late_reports;
static unsigned long late_report_base;

static void *
late_device(void *arg)
{
	unsigned long pieces = 0;
	buf_t *bp;
	pid_t sender;

	(void)arg;
	for (;;) {
		pthread_mutex_lock(&late_mtx);
		while (late_bp == NULL && !late_quit)
			pthread_cond_wait(&late_cv, &late_mtx);
		bp = late_bp;
		sender = late_sender;
		pthread_mutex_unlock(&late_mtx);
		if (bp == NULL)
			return NULL;
		pieces++;
		if (late_reports)
			while (ddisim_verify_count() < late_report_base +
			    pieces)
				sched_yield();
		else
			(void)tid_wait_asleep(sender);
		pthread_mutex_lock(&late_mtx);
		late_bp = NULL;
		pthread_mutex_unlock(&late_mtx);
		(void)rd_strategy(bp);	/* moves the data, biodone */
	}
}

static int
late_strategy(struct buf *bp)
{
	pthread_mutex_lock(&late_mtx);
	if (late_bp != NULL)
		late_overlaps++;
	late_bp = bp;
	late_sender = tid_self();
	pthread_cond_signal(&late_cv);
	pthread_mutex_unlock(&late_mtx);
	return 0;
}

static int
late_breakup(struct buf *bp)
{
	dma_breakup(late_strategy, bp);
	return 0;
}

START_TEST(dma_breakup_waits_for_each_piece)
{
	static unsigned char data[6 * 1024 + 512], back[sizeof(data)];
	static const size_t lens[] = { 512, 6 * 1024 + 512, 1000 };
	struct proc *p;
	unsigned char *ub;
	pthread_t dev;

	MACHINE_UP(NULL);
	rd_reset(true);
	prop_seed(5);
	late_quit = false;
	ck_assert_int_eq(pthread_create(&dev, NULL, late_device, NULL), 0);
	p = ddisim_proc_create(sizeof(data) + PG, BELOW_16M);
	ub = ddisim_proc_base(p);
	ddisim_proc_enter(p);
	for (size_t i = 0; i < 3; i++) {
		size_t len = lens[i];

		fill_rnd(data, len);
		ck_assert_int_eq(ddisim_proc_write(p, ub, data, len), 0);
		u_set(ub, (unsigned)len, 4096, 0);
		physio(late_breakup, NULL, makedevice(7, 0), B_WRITE);
		ck_assert_int_eq(u.u_error, 0);
		ck_assert_uint_eq(u.u_count, 0);
		ck_assert_int_eq(memcmp(disk + 4096, data, len), 0);
		memset(back, 0, len);
		ck_assert_int_eq(ddisim_proc_write(p, ub, back, len), 0);
		u_set(ub, (unsigned)len, 4096, 0);
		physio(late_breakup, NULL, makedevice(7, 0), B_READ);
		ck_assert_int_eq(u.u_error, 0);
		ck_assert_int_eq(ddisim_proc_read(p, ub, back, len), 0);
		ck_assert_int_eq(memcmp(back, data, len), 0);
	}
	ck_assert_uint_eq(late_overlaps, 0);
	ck_assert_msg(rd.bad == 0, "%s", rd.why);
	pthread_mutex_lock(&late_mtx);
	late_quit = true;
	pthread_cond_signal(&late_cv);
	pthread_mutex_unlock(&late_mtx);
	pthread_join(dev, NULL);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	ddisim_proc_enter(NULL);
	ddisim_proc_destroy(p);
	MACHINE_DOWN();
}
END_TEST

/*
 * Each piece the device is slow with is reported once, and waited for:
 * the request's two 512-byte pieces, two reports.
 */
START_TEST(dma_breakup_reports_a_long_wait)
{
	struct proc *p;
	pthread_t dev;

	MACHINE_UP("sleeplimit=50,verify=count");
	rd_reset(true);
	late_quit = false;
	late_reports = true;
	late_report_base = ddisim_verify_count();
	ck_assert_int_eq(pthread_create(&dev, NULL, late_device, NULL), 0);
	p = ddisim_proc_create(PG, BELOW_16M);
	ddisim_proc_enter(p);
	u_set(ddisim_proc_base(p), 1024, 0, 0);
	physio(late_breakup, NULL, makedevice(7, 0), B_WRITE);
	ck_assert_int_eq(u.u_error, 0);
	ck_assert_uint_eq(u.u_count, 0);
	ck_assert_uint_eq(ddisim_verify_count(), 2);
	ck_assert_ptr_nonnull(strstr(ddisim_verify_last(), "dma_breakup: a "
	    "piece of"));
	ck_assert_ptr_nonnull(strstr(ddisim_verify_last(), "not done after "
	    "50 ms; still waiting"));
	pthread_mutex_lock(&late_mtx);
	late_quit = true;
	pthread_cond_signal(&late_cv);
	pthread_mutex_unlock(&late_mtx);
	pthread_join(dev, NULL);
	late_reports = false;
	ddisim_proc_enter(NULL);
	ddisim_proc_destroy(p);
	ddisim_verify_set_policy(DDISIM_VERIFY_ABORT);
	MACHINE_DOWN();
}
END_TEST

/*
 * Memory runs out: with every byte of a small machine taken, the first
 * piece's buf cannot be had (the KM_SLEEP wait is reported after the
 * sleeplimit, and counted); the request fails with EAGAIN.
 */
START_TEST(dma_breakup_eagain)
{
	static void *pages[16384];
	size_t np = 0;
	buf_t *held = NULL, *b, *bp;
	struct proc *p;

	MACHINE_UP("mem=32M,sleeplimit=50,verify=count");
	rd_reset(true);
	p = ddisim_proc_create(PG, BELOW_16M);
	bp = raw_buf(p, ddisim_proc_base(p), 2, 0, B_WRITE);
	dma_breakup(rd_strategy, bp);		/* the pool is set up */
	ck_assert_int_eq(geterror(bp), 0);
	while (np < 16384 && (pages[np] = kmem_alloc(PG, KM_NOSLEEP |
	    KM_NO_DMA)) != NULL)
		np++;
	while (np < 16384 && (pages[np] = kmem_alloc(PG, KM_NOSLEEP)) !=
	    NULL)
		np++;
	ck_assert_uint_lt(np, 16384);
	while ((b = getrbuf(KM_NOSLEEP)) != NULL) {
		b->av_forw = held;
		held = b;
	}
	bioreset(bp);
	rd.pieces = 0;
	dma_breakup(rd_strategy, bp);
	ck_assert(bp->b_flags & B_DONE);
	ck_assert_int_eq(geterror(bp), EAGAIN);
	ck_assert_uint_eq(bp->b_resid, bp->b_bcount);
	ck_assert_uint_eq(rd.pieces, 0);
	ck_assert_uint_ge(ddisim_verify_count(), 1);
	ck_assert_ptr_nonnull(strstr(ddisim_verify_last(), "still unmet"));
	while ((b = held) != NULL) {
		held = b->av_forw;
		freerbuf(b);
	}
	while (np > 0)
		kmem_free(pages[--np], PG);
	freerbuf(bp);
	ddisim_proc_destroy(p);
	ddisim_verify_set_policy(DDISIM_VERIFY_ABORT);
	MACHINE_DOWN();
}
END_TEST

/* ---- pio_breakup, through the ODDI 2 driver ---- */

START_TEST(pio_breakup_pieces)
{
	static unsigned char data[64 * 1024], back[64 * 1024];
	static const int maxsec[] = { 1, 3, 8, 256 };
	unsigned char *disk2 = pio2_disk();
	struct pio2_stats st;
	struct proc *p;

	MACHINE_UP(NULL);
	prop_seed(0x9102);
	p = ddisim_proc_create(sizeof(data) + PG, BELOW_4G);
	ddisim_proc_enter(p);
	for (long it = 0; it < prop_iters(100000) / 500; it++) {
		int ms = maxsec[rndn(4)];
		unsigned char *ub = (unsigned char *)ddisim_proc_base(p) +
		    rndn(PG);
		size_t len = 1 + rndn(sizeof(data));
		long off = (long)rndn(PIO2_NBLK - 128) * 512;
		size_t whole = (len + 511) / 512 * 512;
		size_t pieces = (whole + ms * 512 - 1) / (ms * 512);

		pio2_set_maxsec(ms);
		fill_rnd(data, len);
		ck_assert_int_eq(ddisim_proc_write(p, ub, data, len), 0);
		u_set(ub, (unsigned)len, off, 0);
		pio2_stats(&st);
		pio2_write();
		pio2_stats(&st);
		ck_assert_int_eq(u.u_error, 0);
		ck_assert_uint_eq(u.u_count, 0);
		ck_assert_uint_eq(st.bad, 0);
		ck_assert_uint_le(st.maxlen, (unsigned long)ms * 512);
		if (len % 512 == 0)	/* in place: as few as can be */
			ck_assert_uint_eq(st.pieces, pieces);
		ck_assert_int_eq(memcmp(disk2 + off, data, len), 0);
		memset(back, 0, len);
		ck_assert_int_eq(ddisim_proc_write(p, ub, back, len), 0);
		u_set(ub, (unsigned)len, off, 0);
		pio2_read();
		pio2_stats(&st);
		ck_assert_int_eq(u.u_error, 0);
		ck_assert_uint_le(st.maxlen, (unsigned long)ms * 512);
		ck_assert_int_eq(ddisim_proc_read(p, ub, back, len), 0);
		ck_assert_int_eq(memcmp(back, data, len), 0);
	}
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	ddisim_proc_enter(NULL);
	ddisim_proc_destroy(p);
	MACHINE_DOWN();
}
END_TEST

/* An error: in u_error, and all of b_bcount is the residual. */
START_TEST(pio_breakup_errors)
{
	struct pio2_stats st;
	struct proc *p;
	buf_t *bp;

	MACHINE_UP(NULL);
	p = ddisim_proc_create(8 * PG, BELOW_4G);
	ddisim_proc_enter(p);
	pio2_set_maxsec(4);
	pio2_set_medium(16);
	u_set(ddisim_proc_base(p), 32 * 512, 0, 0);
	pio2_read();
	ck_assert_int_eq(u.u_error, ENXIO);
	ck_assert_uint_eq(u.u_count, 32 * 512);	/* nothing counts */
	pio2_stats(&st);
	ck_assert_uint_eq(st.pieces, 5);	/* 4 good, then the end */
	/* a piece that comes back short is no error: the rest stays */
	u_set(NULL, 0, 0, 0);
	bp = raw_buf(p, ddisim_proc_base(p), 8, 14, B_READ);
	pio2_breakup(bp, 4);
	pio2_stats(&st);
	ck_assert(bp->b_flags & B_DONE);
	ck_assert_int_eq(geterror(bp), 0);
	ck_assert_uint_eq(bp->b_resid, 6 * 512);
	ck_assert_uint_eq(st.pieces, 1);	/* none after the short one */
	ck_assert_int_eq(u.u_error, 0);
	freerbuf(bp);
	/* the driver's error */
	bp = raw_buf(p, ddisim_proc_base(p), 8, 16, B_READ);
	pio2_breakup(bp, 4);
	ck_assert(bp->b_flags & B_DONE);
	ck_assert_int_eq(geterror(bp), ENXIO);
	ck_assert_uint_eq(bp->b_resid, bp->b_bcount);
	ck_assert_int_eq(u.u_error, ENXIO);
	freerbuf(bp);
	pio2_set_medium(PIO2_NBLK);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	ddisim_proc_enter(NULL);
	ddisim_proc_destroy(p);
	MACHINE_DOWN();
}
END_TEST

/* ---- threads: each its own process and user area ---- */

struct worker {
	struct proc	*p;
	unsigned	region;		/* its 64 KiB of the disk */
	int		error;		/* u_error seen, or -1: bad data */
	unsigned	count;		/* u_count left */
};

static void *
worker_run(void *arg)
{
	static const size_t len = 60 * 1024;
	struct worker *w = arg;
	unsigned char *ub, out[60 * 1024], in[60 * 1024];
	long off = (long)w->region * 65536;

	ddisim_proc_enter(w->p);
	ub = (unsigned char *)ddisim_proc_base(w->p) + 300 * (w->region + 1);
	for (int round = 0; round < 8; round++) {
		for (size_t i = 0; i < len; i++)
			out[i] = (unsigned char)(i * 13 + w->region * 7 +
			    (size_t)round);
		ddisim_proc_write(w->p, ub, out, len);
		u_set(ub, len, off, 0);
		rd_write();
		if ((w->error = u.u_error) != 0 || (w->count = u.u_count))
			break;
		memset(in, 0, len);
		ddisim_proc_write(w->p, ub, in, len);
		u_set(ub, len, off, 0);
		rd_read();
		ddisim_proc_read(w->p, ub, in, len);
		if ((w->error = u.u_error) != 0 || (w->count = u.u_count))
			break;
		if (memcmp(in, out, len) != 0) {
			w->error = -1;
			break;
		}
	}
	ddisim_proc_enter(NULL);
	return NULL;
}

START_TEST(threads_have_their_own_user_area)
{
	struct worker w[4];
	pthread_t t[4];

	MACHINE_UP(NULL);
	rd_reset(true);
	for (unsigned i = 0; i < 4; i++) {
		w[i] = (struct worker){ ddisim_proc_create(64 * 1024 +
		    4 * PG, i % 2 ? 0 : BELOW_16M), i, 0, 0 };
		ck_assert_int_eq(pthread_create(&t[i], NULL, worker_run,
		    &w[i]), 0);
	}
	for (unsigned i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		ck_assert_int_eq(w[i].error, 0);
		ck_assert_uint_eq(w[i].count, 0);
		ddisim_proc_destroy(w[i].p);
	}
	ck_assert_msg(rd.bad == 0, "%s", rd.why);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	MACHINE_DOWN();
}
END_TEST

/* ---- misuse ---- */

#define NMISUSE	10

static void
misuse(int i)
{
	size_t base = ddisim_outstanding();
	struct proc *p = ddisim_proc_create(PG, BELOW_16M);
	const char *want = NULL;
	buf_t fake, *bp = raw_buf(p, ddisim_proc_base(p), 1, 0, B_READ);
	lock_t *lk;

	memset(&fake, 0, sizeof(fake));
	u_set(ddisim_proc_base(p), 512, 0, 0);
	ddisim_proc_enter(p);
	switch (i) {
	case 0:
		physio(NULL, NULL, makedevice(7, 0), B_READ);
		ck_assert_int_eq(u.u_error, EINVAL);
		want = "physio: NULL strategy routine";
		break;
	case 1:
		physio(rd_strategy, NULL, makedevice(7, 0), 0x40);
		ck_assert_int_eq(u.u_error, EINVAL);
		want = "rwflag 0x40";
		break;
	case 2:
		physio(rd_strategy, &fake, makedevice(7, 0), B_READ);
		ck_assert_int_eq(u.u_error, EINVAL);
		want = "is not a live buf from getrbuf";
		break;
	case 3:
		ddisim_proc_enter(NULL);
		physio(rd_strategy, NULL, makedevice(7, 0), B_READ);
		ck_assert_int_eq(u.u_error, EFAULT);
		want = "the calling thread runs in no process";
		break;
	case 4:
		u.u_segflg = 5;
		physio(rd_strategy, NULL, makedevice(7, 0), B_READ);
		ck_assert_int_eq(u.u_error, EINVAL);
		want = "u.u_segflg 5";
		break;
	case 5:
		dma_breakup(NULL, bp);
		ck_assert(bp->b_flags & B_DONE);
		ck_assert_int_eq(geterror(bp), EINVAL);
		ck_assert_uint_eq(bp->b_resid, 512);
		want = "dma_breakup: NULL strategy routine";
		break;
	case 6:
		dma_breakup(rd_strategy, NULL);
		want = "dma_breakup: NULL buf";
		break;
	case 7:
		dma_breakup(rd_strategy, &fake);
		want = "is not a live buf from getrbuf";
		break;
	case 8:
		pio2_breakup(bp, 0);
		ck_assert_int_eq(geterror(bp), EINVAL);
		ck_assert_int_eq(u.u_error, EINVAL);
		want = "maxsecsz 0";
		break;
	case 9:
		lk = LOCK_ALLOC(1, PLDISK, &test_lkinfo, KM_SLEEP);
		(void)LOCK(lk, PLDISK);
		dma_breakup(rd_strategy, bp);
		ck_assert_int_eq(geterror(bp), EINVAL);
		want = "may block, but the caller holds";
		UNLOCK(lk, PLBASE);
		LOCK_DEALLOC(lk);
		break;
	}
	ck_assert_uint_ge(ddisim_verify_count(), 1);
	ck_assert_msg(strstr(ddisim_verify_last(), want) != NULL,
	    "report \"%s\" lacks \"%s\"", ddisim_verify_last(), want);
	freerbuf(bp);
	ddisim_proc_enter(NULL);
	ddisim_proc_destroy(p);
	ck_assert_uint_eq(ddisim_outstanding(), base);
}

START_TEST(misuse_counted)
{
	MACHINE_UP(NULL);
	rd_reset(false);
	ddisim_verify_set_policy(DDISIM_VERIFY_COUNT);
	misuse(_i);
	ddisim_verify_set_policy(DDISIM_VERIFY_ABORT);
	MACHINE_DOWN();
}
END_TEST

START_TEST(misuse_aborts)
{
	MACHINE_UP(NULL);
	rd_reset(false);
	misuse(_i);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("oddi_bio");
	TCase *tc;

	tc = tcase_new("core");
	tcase_add_test(tc, user_area_per_thread);
	tcase_add_test(tc, physck_trims_to_the_device);
	tcase_add_test(tc, physio_moves_user_data);
	tcase_add_test(tc, physio_offsets_and_segments);
	tcase_add_test(tc, physio_efault);
	tcase_add_test(tc, dma_breakup_property);
	tcase_add_test(tc, dma_breakup_end_of_medium);
	tcase_add_test(tc, dma_breakup_lowers_the_level);
	tcase_add_test(tc, dma_breakup_waits_for_each_piece);
	tcase_add_test(tc, pio_breakup_pieces);
	tcase_add_test(tc, pio_breakup_errors);
	tcase_add_test(tc, threads_have_their_own_user_area);
	suite_add_tcase(s, tc);
	tc = tcase_new("limits");
	tcase_add_test(tc, dma_breakup_eagain);
	tcase_add_test(tc, dma_breakup_reports_a_long_wait);
	suite_add_tcase(s, tc);
	tc = tcase_new("misuse");
	TCASE_ADD_MISUSE(tc, misuse_counted, misuse_aborts, NMISUSE);
	suite_add_tcase(s, tc);
	return run_suite(s) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
