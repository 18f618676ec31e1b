/*
 * test_breakup.c - buf_breakup from a DDI 8 driver's side: a RAM disk
 * whose strategy routine checks every piece against the breakup control
 * block it declared and moves the bytes through physical addresses, as a
 * bus master would, completing at once or later from another thread.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>

#include <sys/types.h>
#include <sys/kmem.h>
#include <sys/buf.h>
#include <sys/uio.h>
#include <sys/ddi.h>

#include "lib/testutil.h"

#define DISK	(4u << 20)
#define PG	4096u


/* The disk: its image, the bcb it declared, what it saw. */
static struct rd {
	uint8_t		*img;
	const bcb_t	*bcb;
	unsigned long	pieces;
	unsigned long	faults;		/* pieces that broke the bcb */
	char		why[160];
	int		fail_piece;	/* fail the n-th piece (1..), 0: none */
	bool		defer;		/* complete from the worker */
	bool		twice;		/* call biodone twice on each piece */
	bool		lag;		/* complete each piece at the next */
	buf_t		*held;		/* lag: the piece not completed yet */
	/* deferred completions */
	pthread_mutex_t	mtx;
	pthread_cond_t	cv;
	buf_t		*q[256];
	int		nq;
	bool		stop;
} rd;

static void
fault(const char *why, uint64_t v)
{
	if (rd.faults++ == 0)
		snprintf(rd.why, sizeof(rd.why), "%s (%#llx)", why,
		    (unsigned long long)v);
}

/* One physically contiguous extent of a piece: check it, move it. */
static void
rd_move(uint64_t pa, uint64_t len, uint64_t devoff, bool rd_, bool first,
    bool *contig_end, uint64_t *last_end)
{
	const physreq_t *p = rd.bcb->bcb_physreqp;
	uint64_t high = p->phys_dmasize == 0 || p->phys_dmasize >= 64 ?
	    UINT64_MAX : UINT64_C(1) << p->phys_dmasize;
	uint8_t *ram = ddisim_ptov(pa);

	if (ram == NULL || pa + len > high)
		fault("beyond the device's reach", pa);
	static uint64_t run;		/* start of the contiguous run */

	if (first || pa != *last_end) {
		if (pa % (p->phys_align ? p->phys_align : 1) != 0)
			fault("segment start misaligned", pa);
		if (!first && (p->phys_flags & PREQ_PHYSCONTIG) &&
		    !(rd.bcb->bcb_addrtypes & BA_SCGTH))
			*contig_end = false;
		run = pa;
	}
	/* what the device moves in one go must not cross a line */
	if (p->phys_boundary != 0 && run / p->phys_boundary !=
	    (pa + len - 1) / p->phys_boundary)
		fault("crosses a boundary", pa);
	*last_end = pa + len;
	if (ram == NULL || devoff + len > DISK)
		return;
	if (rd_)
		memcpy(ram, rd.img + devoff, len);
	else
		memcpy(rd.img + devoff, ram, len);
}

/* Move a piece's data, by what describes it. */
static void
rd_transfer(buf_t *bp, uint64_t devoff)
{
	bool r = (bp->b_flags & B_READ) != 0, contig = true;
	uint64_t len = bp->b_bcount, done = 0, last = 0;

	if (bp->b_addrtype == BA_SCGTH) {
		const scgth_t *sg = &bp->b_scgth;
		unsigned max = rd.bcb->bcb_physreqp->phys_max_scgth;

		if (sg->sg_nelem > max)
			fault("more elements than phys_max_scgth", sg->sg_nelem);
		for (unsigned i = 0; i < sg->sg_nelem; i++) {
			uint64_t pa, sz;

			if (sg->sg_format == SCGTH_EL64) {
				pa = sg->sg_elem.el64[i].sg_base[0] |
				    (uint64_t)sg->sg_elem.el64[i].sg_base[1] <<
				    32;
				sz = sg->sg_elem.el64[i].sg_size;
			} else {
				pa = sg->sg_elem.el32[i].sg_base;
				sz = sg->sg_elem.el32[i].sg_size;
			}
			rd_move(pa, sz, devoff + done, r, i == 0, &contig,
			    &last);
			done += sz;
		}
	} else if (bp->b_addrtype == BA_KVIRT) {
		const uint8_t *va = (const uint8_t *)bp->b_un.b_addr;

		while (done < len) {
			uint64_t pa, chunk = PG - ((uintptr_t)(va + done) % PG);

			if (chunk > len - done)
				chunk = len - done;
			if (ddisim_vtop(va + done, &pa) != 0) {
				fault("a kernel address with no RAM behind it",
				    (uintptr_t)(va + done));
				return;
			}
			rd_move(pa, chunk, devoff + done, r, done == 0, &contig,
			    &last);
			done += chunk;
		}
	} else if (bp->b_addrtype == BA_PAGELIST) {
		struct page *pp = bp->b_pages;
		uint64_t in = (uint64_t)(uintptr_t)bp->b_un.b_addr;

		if (!(bp->b_flags & B_PAGEIO))
			fault("a page list without B_PAGEIO", bp->b_flags);
		for (; pp != NULL && in >= PG; in -= PG)
			pp = ddisim_page_next(pp);
		while (done < len && pp != NULL) {
			uint64_t chunk = PG - in < len - done ? PG - in :
			    len - done;

			rd_move(ddisim_page_phys(pp) + in, chunk, devoff + done,
			    r, done == 0, &contig, &last);
			done += chunk;
			in = 0;
			pp = ddisim_page_next(pp);
		}
	} else if (bp->b_addrtype == BA_UIO) {
		const uio_t *u = bp->b_un.b_uio;

		if ((uint64_t)u->uio_offset != devoff)
			fault("uio_offset is not the piece's place",
			    (uint64_t)u->uio_offset);
		for (int i = 0; i < u->uio_iovcnt; i++) {
			size_t l = (size_t)u->uio_iov[i].iov_len;

			if (devoff + done + l > DISK)
				break;
			if (u->uio_segflg == UIO_SYSSPACE) {
				if (r)
					memcpy(u->uio_iov[i].iov_base,
					    rd.img + devoff + done, l);
				else
					memcpy(rd.img + devoff + done,
					    u->uio_iov[i].iov_base, l);
			} else if (r) {
				ck_assert_int_eq(ddisim_proc_write(bp->b_proc,
				    u->uio_iov[i].iov_base, rd.img + devoff +
				    done, l), 0);
			} else {
				ck_assert_int_eq(ddisim_proc_read(bp->b_proc,
				    u->uio_iov[i].iov_base, rd.img + devoff +
				    done, l), 0);
			}
			done += l;
		}
		if ((uint64_t)u->uio_resid != len)
			fault("uio_resid is not b_bcount",
			    (uint64_t)u->uio_resid);
	} else {
		fault("an address type the bcb does not take", bp->b_addrtype);
		return;
	}
	if (done != len)
		fault("data shorter or longer than b_bcount", done);
	if (!contig)
		fault("not contiguous", 0);
}

static void
rd_strat(buf_t *bp)
{
	uint64_t blk = bp->b_cblkno != 0 ? bp->b_cblkno :
	    (uint64_t)(uint32_t)bp->b_blkno;
	uint64_t devoff = blk * 512 + bp->b_blkoff;
	uint64_t g = rd.bcb->bcb_granularity, mx = rd.bcb->bcb_max_xfer;
	unsigned long n = ++rd.pieces;

	if (getenv("RD_DEBUG"))
		fprintf(stderr, "piece %lu: type %#x devoff %llu len %u\n", n,
		    bp->b_addrtype, (unsigned long long)devoff, bp->b_bcount);

	if (!(bp->b_addrtype & rd.bcb->bcb_addrtypes))
		fault("address type not taken", bp->b_addrtype);
	if (devoff % g != 0 || bp->b_bcount % g != 0)
		fault("not whole granules", devoff);
	if (mx != 0 && bp->b_bcount > mx)
		fault("more than bcb_max_xfer", bp->b_bcount);
	if ((int)n == rd.fail_piece) {
		bioerror(bp, EIO);
		bp->b_resid = bp->b_bcount;
	} else {
		rd_transfer(bp, devoff);
		bp->b_resid = 0;
	}
	if (rd.lag) {
		buf_t *prev = rd.held;

		rd.held = bp;
		if (prev != NULL)
			biodone(prev);
		return;
	}
	if (!rd.defer) {
		biodone(bp);
		if (rd.twice)
			biodone(bp);		/* misuse */
		return;
	}
	pthread_mutex_lock(&rd.mtx);
	ck_assert_int_lt(rd.nq, 256);
	rd.q[rd.nq++] = bp;
	pthread_cond_signal(&rd.cv);
	pthread_mutex_unlock(&rd.mtx);
}

static void *
rd_worker(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&rd.mtx);
	for (;;) {
		while (rd.nq == 0 && !rd.stop)
			pthread_cond_wait(&rd.cv, &rd.mtx);
		if (rd.nq == 0 && rd.stop)
			break;
		{
			buf_t *bp = rd.q[0];

			memmove(rd.q, rd.q + 1, (size_t)--rd.nq *
			    sizeof(rd.q[0]));
			pthread_mutex_unlock(&rd.mtx);
			biodone(bp);
			pthread_mutex_lock(&rd.mtx);
		}
	}
	pthread_mutex_unlock(&rd.mtx);
	return NULL;
}

static pthread_t rd_thread;

static void
rd_start(bool defer)
{
	memset(&rd, 0, sizeof(rd));
	rd.img = calloc(1, DISK);
	rd.defer = defer;
	pthread_mutex_init(&rd.mtx, NULL);
	pthread_cond_init(&rd.cv, NULL);
	if (defer)
		ck_assert_int_eq(pthread_create(&rd_thread, NULL, rd_worker,
		    NULL), 0);
}

static void
rd_stop(void)
{
	if (rd.defer) {
		pthread_mutex_lock(&rd.mtx);
		rd.stop = true;
		pthread_cond_signal(&rd.cv);
		pthread_mutex_unlock(&rd.mtx);
		pthread_join(rd_thread, NULL);
	}
	free(rd.img);
}

/* The breakup control blocks of the tests. */
enum { ISA, SCSI, WIDE, CD, NKINDS };

static bcb_t *
mkbcb(int kind)
{
	bcb_t *b = bcb_alloc(KM_SLEEP);
	physreq_t *p = physreq_alloc(KM_SLEEP);

	b->bcb_physreqp = p;
	switch (kind) {
	case ISA:	/* 24 bits, 64 KiB lines, contiguous, no list */
		p->phys_dmasize = 24;
		p->phys_boundary = 64 * 1024;
		p->phys_align = 2;
		p->phys_flags = PREQ_PHYSCONTIG;
		b->bcb_addrtypes = BA_KVIRT;
		b->bcb_granularity = 512;
		b->bcb_max_xfer = 64 * 1024;
		break;
	case SCSI:	/* 32 bits, 512-byte segments, 17 elements */
		p->phys_dmasize = 32;
		p->phys_align = 512;
		p->phys_max_scgth = 17;
		b->bcb_addrtypes = BA_SCGTH;
		b->bcb_granularity = 512;
		b->bcb_max_xfer = 128 * 1024;
		break;
	case WIDE:	/* 64 bits, lists of 64 */
		p->phys_dmasize = 64;
		p->phys_align = 4;
		p->phys_max_scgth = 64;
		b->bcb_addrtypes = BA_SCGTH | BA_UIO;
		b->bcb_granularity = 512;
		break;
	default:	/* CD: 2352-byte sectors, no boundary */
		p->phys_dmasize = 32;
		p->phys_align = 4;
		b->bcb_addrtypes = BA_KVIRT;
		b->bcb_granularity = 2352;
		b->bcb_max_xfer = 2352 * 16;
		break;
	}
	ck_assert(bcb_prep(b, KM_SLEEP));
	return b;
}

static void
rmbcb(bcb_t *b)
{
	physreq_free(b->bcb_physreqp);
	bcb_free(b);
}

/* One request: buf_breakup, then wait for it; the request's error. */
static int
rq(bcb_t *bcb, bool rd_, uint64_t devoff, void *data, size_t len,
    uint_t *resid, bool async)
{
	buf_t *bp = getrbuf(KM_SLEEP);
	int e;

	bp->b_flags |= rd_ ? B_READ : B_WRITE;
	if (async)
		bp->b_flags |= B_ASYNC;
	bp->b_addrtype = BA_KVIRT;
	bp->b_un.b_addr = data;
	bp->b_bcount = (uint_t)len;
	bp->b_blkno = (daddr_t)(devoff / 512);
	bp->b_blkoff = (ushort_t)(devoff % 512);
	rd.bcb = bcb;
	buf_breakup(rd_strat, bp, bcb);
	e = biowait(bp);
	if (resid != NULL)
		*resid = bp->b_resid;
	freerbuf(bp);
	return e;
}

/*
 * Buffers: anywhere, host memory, low and contiguous, 32-bit scattered,
 * low and scattered.
 */
static physreq_t *low_preq, *b32_preq, *lows_preq;
#define NHOW	5

static void *
buffer(int how, size_t len)
{
	switch (how) {
	case 0:
		return kmem_alloc(len, KM_SLEEP);
	case 1:
		return malloc(len);	/* no physical address: bounced */
	case 2:
		return kmem_alloc_physreq(len, low_preq, KM_SLEEP);
	case 3:
		return kmem_alloc_physreq(len, b32_preq, KM_SLEEP);
	default:
		return kmem_alloc_physreq(len, lows_preq, KM_SLEEP);
	}
}

static void
unbuffer(int how, void *p, size_t len)
{
	if (how == 1)
		free(p);
	else
		kmem_free(p, len);
}

static void
buffers_init(void)
{
	low_preq = physreq_alloc(KM_SLEEP);
	low_preq->phys_dmasize = 24;
	low_preq->phys_align = 512;
	low_preq->phys_flags = PREQ_PHYSCONTIG;
	ck_assert(physreq_prep(low_preq, KM_SLEEP));
	b32_preq = physreq_alloc(KM_SLEEP);
	b32_preq->phys_dmasize = 32;
	b32_preq->phys_align = 512;
	ck_assert(physreq_prep(b32_preq, KM_SLEEP));
	lows_preq = physreq_alloc(KM_SLEEP);
	lows_preq->phys_dmasize = 24;
	lows_preq->phys_align = 512;
	ck_assert(physreq_prep(lows_preq, KM_SLEEP));
}

static void
buffers_fini(void)
{
	physreq_free(low_preq);
	physreq_free(b32_preq);
	physreq_free(lows_preq);
}

/*
 * Writes then reads of random data at random places, through every kind
 * of bcb: the data comes back, the disk holds what was written, and the
 * device never saw a piece that broke its bcb.
 */
static void
round_trips(const char *spec, bool defer, long iters)
{
	uint64_t b0, b1, bounced = 0;
	unsigned long split = 0, in_place = 0;

	uint8_t *model = calloc(1, DISK);	/* what the disk should hold */

	MACHINE_UP(spec);
	rd_start(defer);
	buffers_init();
	prop_seed(UINT64_C(0x243f6a8885a308d3));
	for (long it = 0; it < iters; it++) {
		int kind = (int)rndn(NKINDS), how = (int)rndn(NHOW);
		bcb_t *bcb = mkbcb(kind);
		uint64_t g = bcb->bcb_granularity;
		size_t len = (1 + rndn(rndn(4) ? 48 : 400)) * g;
		uint64_t devoff = rndn((DISK - len) / g) * g;
		uint8_t *w, *r, *wb, *rb;
		size_t skew;
		bool sync = rndn(2);

		if (rndn(4) == 0 && kind != ISA) {	/* unaligned: copied */
			len -= rndn(g);
			devoff += rndn(g);
		}
		if (sync)
			bcb->bcb_flags |= BCB_SYNCHRONOUS;
		ddisim_cpu_set((int)rndn(4));
		skew = how == 1 ? 0 : rndn(17) * (rndn(2) ? 512 : 4);
		wb = buffer(how, len + skew);
		rb = buffer(how, len + skew);
		w = wb + skew;
		r = rb + skew;
		fill_rnd(w, len);
		{
			unsigned long before = rd.pieces;

			ck_assert_int_eq(rq(bcb, false, devoff, w, len, NULL,
			    !sync && rndn(2)), 0);
			split += rd.pieces - before > 1;
		}
		ck_assert_msg(memcmp(rd.img + devoff, w, len) == 0,
		    "kind %d: the disk does not hold what was written", kind);
		memcpy(model + devoff, w, len);
		{
			/* around it too: partial granules were merged */
			uint64_t lo = devoff > 2 * g ? devoff - 2 * g : 0;
			uint64_t hi = devoff + len + 2 * g < DISK ?
			    devoff + len + 2 * g : DISK;

			ck_assert_msg(memcmp(rd.img + lo, model + lo, hi - lo)
			    == 0, "kind %d: bytes beside the write changed",
			    kind);
		}
		ddisim_breakup_stats(&b0, NULL);
		ck_assert_int_eq(rq(bcb, true, devoff, r, len, NULL, false), 0);
		ddisim_breakup_stats(&b1, NULL);
		bounced += b1 - b0;
		in_place += b1 == b0;
		ck_assert_msg(memcmp(r, w, len) == 0, "kind %d: read back "
		    "differs", kind);
		ck_assert_msg(rd.faults == 0, "kind %d: %lu bad pieces: %s",
		    kind, rd.faults, rd.why);
		unbuffer(how, wb, len + skew);
		unbuffer(how, rb, len + skew);
		rmbcb(bcb);
	}
	buffers_fini();
	rd_stop();
	free(model);
	MACHINE_DOWN();
	/* Every path was met: see ROUND_TRIPS_MIN. */
	ck_assert_uint_gt(split, 0);
	ck_assert_uint_gt(bounced, 0);
	ck_assert_uint_gt(in_place, 0);
}

/*
 * Round trips that meet a split request, a bounced one and one done in
 * place; the fixed seed meets all three within the first two.
 */
#define ROUND_TRIPS_MIN	20

START_TEST(round_trips_at_once)
{
	round_trips("scatter=1", false, prop_floor(prop_iters(100000) / 100,
	    ROUND_TRIPS_MIN));
}
END_TEST

START_TEST(round_trips_completed_later)
{
	round_trips("scatter=1", true, prop_floor(prop_iters(100000) / 200,
	    ROUND_TRIPS_MIN));
}
END_TEST

/* Data that already conforms goes in place: no bounce buffer at all. */
START_TEST(conforming_data_is_never_copied)
{
	uint64_t b0, b1;

	MACHINE_UP("scatter=1");
	rd_start(false);
	for (int kind = 0; kind < NKINDS; kind++) {
		bcb_t *bcb = mkbcb(kind);
		size_t len = 20 * bcb->bcb_granularity;
		uint8_t *w = kmem_alloc_physreq(len, bcb->bcb_physreqp,
		    KM_SLEEP);

		if (bcb->bcb_physreqp->phys_boundary != 0 &&
		    len > bcb->bcb_physreqp->phys_boundary)
			len = bcb->bcb_physreqp->phys_boundary;
		memset(w, kind + 1, len);
		ddisim_breakup_stats(&b0, NULL);
		ck_assert_int_eq(rq(bcb, false, 0, w, len, NULL, false), 0);
		ck_assert_int_eq(rq(bcb, true, 0, w, len, NULL, false), 0);
		ddisim_breakup_stats(&b1, NULL);
		ck_assert_uint_eq(b1, b0);
		ck_assert_uint_eq(rd.faults, 0);
		kmem_free(w, 20 * bcb->bcb_granularity);
		rmbcb(bcb);
	}
	rd_stop();
	MACHINE_DOWN();
}
END_TEST

/*
 * A raw request from a user process (BA_UIO, DDI 8), 1 to 4 iovecs over
 * scattered user pages: as pieces of the driver's own BA_UIO, as lists
 * of the user pages, or through a bounce buffer for a KVIRT-only device.
 */
static int
rq_uio(bcb_t *bcb, struct proc *p, bool rd_, uint64_t devoff, iovec_t *iov,
    int n, uint_t *resid)
{
	uio_t uio;
	buf_t *bp;
	int e, total = 0;

	for (int i = 0; i < n; i++)
		total += iov[i].iov_len;
	memset(&uio, 0, sizeof(uio));
	uio.uio_iov = iov;
	uio.uio_iovcnt = n;
	uio.uio_offset = (int32_t)devoff;
	uio.uio_segflg = UIO_USERSPACE;
	uio.uio_resid = total;
	ddisim_proc_enter(p);
	bp = uiobuf(NULL, &uio);
	bp->b_flags |= rd_ ? B_READ : B_WRITE;
	bp->b_blkno = (daddr_t)(devoff / 512);
	bp->b_blkoff = (ushort_t)(devoff % 512);
	rd.bcb = bcb;
	buf_breakup(rd_strat, bp, bcb);
	e = biowait(bp);
	if (resid != NULL)
		*resid = bp->b_resid;
	freerbuf(bp);
	ddisim_proc_enter(NULL);
	return e;
}

START_TEST(user_requests)
{
	static uint8_t data[64 * 1024], back[64 * 1024];
	const int kinds[] = { WIDE, SCSI, CD, ISA };
	struct proc *p;
	uint8_t *u;

	MACHINE_UP("scatter=1");
	rd_start(false);
	p = ddisim_proc_create(sizeof(data) * 2, UINT64_C(1) << 24);
	u = ddisim_proc_base(p);
	prop_seed(77);
	for (int it = 0; it < 40; it++) {
		bcb_t *bcb = mkbcb(kinds[it % 4]);
		uint64_t g = bcb->bcb_granularity;
		iovec_t iov[4];
		int n = 1 + (int)rndn(4), total = 0;
		size_t at = 0;

		for (int i = 0; i < n; i++) {
			int len = (int)((1 + rndn(8)) * (g >= 2048 ? g : 512));

			at += rndn(3) * 512;	/* gaps between the pieces */
			if (at + (size_t)len > sizeof(data))
				break;
			iov[i].iov_base = (caddr_t)u + at;
			iov[i].iov_len = len;
			at += (size_t)len;
			total += len;
			n = i + 1;
		}
		if (total % (int)g != 0) {
			/* keep whole granules: trim the last piece */
			iov[n - 1].iov_len -= total % (int)g;
			total -= total % (int)g;
		}
		if (total == 0 || iov[n - 1].iov_len <= 0) {
			rmbcb(bcb);
			continue;
		}
		fill_rnd(data, sizeof(data));
		ck_assert_int_eq(ddisim_proc_write(p, u, data, sizeof(data)),
		    0);
		ck_assert_int_eq(rq_uio(bcb, p, false, 8192, iov, n, NULL), 0);
		/* the disk holds the iovecs' bytes, back to back */
		for (int i = 0, d = 0; i < n; d += iov[i].iov_len, i++)
			ck_assert_int_eq(memcmp(rd.img + 8192 + d, data +
			    (iov[i].iov_base - (caddr_t)u),
			    (size_t)iov[i].iov_len), 0);
		/* read back into zeroed user memory */
		memset(back, 0, sizeof(back));
		ck_assert_int_eq(ddisim_proc_write(p, u, back, sizeof(back)),
		    0);
		ck_assert_int_eq(rq_uio(bcb, p, true, 8192, iov, n, NULL), 0);
		ck_assert_int_eq(ddisim_proc_read(p, u, back, sizeof(back)), 0);
		for (int i = 0; i < n; i++) {
			size_t o = (size_t)(iov[i].iov_base - (caddr_t)u);

			ck_assert_int_eq(memcmp(back + o, data + o,
			    (size_t)iov[i].iov_len), 0);
		}
		ck_assert_msg(rd.faults == 0, "kind %d: %s", kinds[it % 4],
		    rd.why);
		rmbcb(bcb);
	}
	ddisim_proc_destroy(p);
	rd_stop();
	MACHINE_DOWN();
}
END_TEST

/*
 * Regressions: iovecs that split a page, mapped for a KVIRT-only device
 * (the page must be mapped once); a list for a device with no address
 * limit (phys_dmasize 0: 64-bit elements, no truncated address).
 */
START_TEST(split_pages_and_unlimited_lists)
{
	static uint8_t data[8192], back[8192];
	bcb_t *bcb;
	struct proc *p;
	iovec_t iov[2];
	uint8_t *u, *w;

	MACHINE_UP(NULL);
	rd_start(false);
	bcb = mkbcb(CD);
	bcb->bcb_granularity = 512;
	bcb->bcb_max_xfer = 0;
	ck_assert(bcb_prep(bcb, KM_SLEEP));
	p = ddisim_proc_create(sizeof(data), UINT64_C(1) << 32);
	u = ddisim_proc_base(p);
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 5 + 1);
	ck_assert_int_eq(ddisim_proc_write(p, u, data, sizeof(data)), 0);
	iov[0].iov_base = (caddr_t)u;
	iov[0].iov_len = 2048;
	iov[1].iov_base = (caddr_t)u + 2048;
	iov[1].iov_len = 6144;
	ck_assert_int_eq(rq_uio(bcb, p, false, 0, iov, 2, NULL), 0);
	ck_assert_int_eq(memcmp(rd.img, data, sizeof(data)), 0);
	memset(back, 0, sizeof(back));
	ck_assert_int_eq(ddisim_proc_write(p, u, back, sizeof(back)), 0);
	ck_assert_int_eq(rq_uio(bcb, p, true, 0, iov, 2, NULL), 0);
	ck_assert_int_eq(ddisim_proc_read(p, u, back, sizeof(back)), 0);
	ck_assert_int_eq(memcmp(back, data, sizeof(data)), 0);
	ddisim_proc_destroy(p);
	rmbcb(bcb);
	/* dmasize 0: the whole machine, data above 4 GiB */
	bcb = mkbcb(WIDE);
	bcb->bcb_physreqp->phys_dmasize = 0;
	ck_assert(bcb_prep(bcb, KM_SLEEP));
	ddisim_cpu_set(3);
	w = kmem_alloc(8192, KM_SLEEP);
	memcpy(w, data, sizeof(data));
	ck_assert_int_eq(rq(bcb, false, 65536, w, 8192, NULL, false), 0);
	ck_assert_int_eq(memcmp(rd.img + 65536, data, sizeof(data)), 0);
	ck_assert_msg(rd.faults == 0, "%s", rd.why);
	kmem_free(w, 8192);
	rmbcb(bcb);
	rd_stop();
	MACHINE_DOWN();
}
END_TEST

/*
 * Regressions from review: a layered driver that breaks a piece up
 * again; a request with its own b_iodone under BCB_SYNCHRONOUS; pieces
 * released before a synchronous buf_breakup returns; iovecs that visit
 * one page twice, for a KVIRT-only device.
 */
static bcb_t *inner_bcb;

static void
outer_strat(buf_t *bp)
{
	buf_breakup(rd_strat, bp, inner_bcb);	/* a filter below */
}

static int own_done;

static void
own_iodone(buf_t *bp)
{
	own_done++;
	bp->b_iodone = NULL;
	biodone(bp);
}

START_TEST(layered_and_stacked)
{
	bcb_t *outer;
	buf_t *bp;
	uint8_t *w;
	size_t base;

	MACHINE_UP(NULL);
	rd_start(true);
	outer = mkbcb(CD);
	outer->bcb_granularity = 512;
	outer->bcb_max_xfer = 4096;
	ck_assert(bcb_prep(outer, KM_SLEEP));
	inner_bcb = mkbcb(SCSI);
	rd.bcb = inner_bcb;
	w = kmem_alloc(8192, KM_SLEEP);
	memset(w, 0x5a, 8192);
	bp = getrbuf(KM_SLEEP);
	bp->b_addrtype = BA_KVIRT;
	bp->b_un.b_addr = (caddr_t)w;
	bp->b_bcount = 8192;
	buf_breakup(outer_strat, bp, outer);
	ck_assert_int_eq(biowait(bp), 0);
	ck_assert_int_eq(memcmp(rd.img, w, 8192), 0);
	freerbuf(bp);
	/* Synchronous, one piece, the requester's own completion routine. */
	inner_bcb->bcb_flags |= BCB_SYNCHRONOUS;
	own_done = 0;
	bp = getrbuf(KM_SLEEP);
	bp->b_addrtype = BA_KVIRT;
	bp->b_un.b_addr = (caddr_t)w;
	bp->b_bcount = 4096;
	bp->b_iodone = own_iodone;
	buf_breakup(rd_strat, bp, inner_bcb);
	ck_assert_int_eq(own_done, 1);		/* done before the return */
	ck_assert_int_eq(biowait(bp), 0);
	freerbuf(bp);
	/* Synchronous, many pieces completed later: released on return. */
	inner_bcb->bcb_physreqp->phys_max_scgth = 2;
	ck_assert(bcb_prep(inner_bcb, KM_SLEEP));
	for (int i = 0; i < 50; i++) {
		bp = getrbuf(KM_SLEEP);
		bp->b_addrtype = BA_KVIRT;
		bp->b_un.b_addr = (caddr_t)w;
		bp->b_bcount = 8192;
		base = ddisim_outstanding();
		buf_breakup(rd_strat, bp, inner_bcb);
		ck_assert_uint_eq(ddisim_outstanding(), base);
		ck_assert_int_eq(biowait(bp), 0);
		freerbuf(bp);
	}
	ck_assert_msg(rd.faults == 0, "%s", rd.why);
	kmem_free(w, 8192);
	rmbcb(outer);
	rmbcb(inner_bcb);
	rd_stop();
	MACHINE_DOWN();
}
END_TEST

START_TEST(iovecs_revisit_a_page)
{
	bcb_t *bcb;
	uint8_t *a;
	iovec_t iov[2];
	uio_t uio;
	buf_t *bp;

	MACHINE_UP(NULL);
	rd_start(false);
	bcb = mkbcb(CD);
	bcb->bcb_granularity = 512;
	bcb->bcb_max_xfer = 0;
	ck_assert(bcb_prep(bcb, KM_SLEEP));
	rd.bcb = bcb;
	a = kmem_alloc(4096, KM_SLEEP);		/* one page */
	for (int i = 0; i < 4096; i++)
		a[i] = (uint8_t)(i * 3);
	/* the second half, then the first: the same page twice */
	iov[0].iov_base = (caddr_t)a + 2048;
	iov[0].iov_len = 2048;
	iov[1].iov_base = (caddr_t)a;
	iov[1].iov_len = 2048;
	memset(&uio, 0, sizeof(uio));
	uio.uio_iov = iov;
	uio.uio_iovcnt = 2;
	uio.uio_segflg = UIO_SYSSPACE;
	uio.uio_resid = 4096;
	bp = uiobuf(NULL, &uio);
	bp->b_flags |= B_WRITE;
	buf_breakup(rd_strat, bp, bcb);
	ck_assert_int_eq(biowait(bp), 0);
	ck_assert_int_eq(memcmp(rd.img, a + 2048, 2048), 0);
	ck_assert_int_eq(memcmp(rd.img + 2048, a, 2048), 0);
	freerbuf(bp);
	kmem_free(a, 4096);
	rmbcb(bcb);
	rd_stop();
	MACHINE_DOWN();
}
END_TEST

/*
 * The DDI 8 arrangement: the driver registers its bcbs and sees only
 * conforming pieces at its biostart entry point.
 */
static int bs_calls;
static channel_t bs_channel;

static void
xx_biostart(void *idata, channel_t channel, buf_t *bp)
{
	ck_assert_ptr_eq(idata, &rd);
	bs_channel = channel;
	bs_calls++;
	rd_strat(bp);
}

START_TEST(kernel_breaks_up_before_biostart)
{
	bcb_t *rbcb, *wbcb;
	ddisim_bio_t *h;
	uint8_t *w, *r;
	size_t len = 96 * 1024;
	buf_t *bp;

	MACHINE_UP("scatter=1");
	rd_start(true);
	rbcb = mkbcb(SCSI);
	wbcb = mkbcb(SCSI);
	h = ddisim_bio_attach(rbcb, wbcb, xx_biostart, &rd);
	ck_assert_ptr_nonnull(h);
	rd.bcb = wbcb;
	w = kmem_alloc(len, KM_SLEEP);
	r = kmem_alloc(len, KM_SLEEP);
	for (size_t i = 0; i < len; i++)
		w[i] = (uint8_t)(i * 11);
	bs_calls = 0;
	bp = getrbuf(KM_SLEEP);
	bp->b_addrtype = BA_KVIRT;
	bp->b_un.b_addr = (caddr_t)w;
	bp->b_bcount = (uint_t)len;
	bp->b_blkno = 8;
	ddisim_bio_submit(h, 3, bp);
	ck_assert_int_eq(biowait(bp), 0);
	ck_assert_int_gt(bs_calls, 1);		/* broken up, 17 elements */
	ck_assert_uint_eq(bs_channel, 3);
	ck_assert_int_eq(memcmp(rd.img + 8 * 512, w, len), 0);
	bioreset(bp);
	bp->b_flags |= B_READ;
	bp->b_un.b_addr = (caddr_t)r;
	rd.bcb = rbcb;
	ddisim_bio_submit(h, 3, bp);
	ck_assert_int_eq(biowait(bp), 0);
	ck_assert_int_eq(memcmp(r, w, len), 0);
	ck_assert_msg(rd.faults == 0, "%s", rd.why);
	freerbuf(bp);
	ddisim_bio_detach(h);
	/* a detached harness is refused, and frees nothing twice */
	ddisim_verify_set_policy(DDISIM_VERIFY_COUNT);
	ddisim_bio_detach(h);
	ck_assert_uint_eq(ddisim_verify_count(), 1);
	ck_assert_ptr_nonnull(strstr(ddisim_verify_last(),
	    "ddisim_bio_detach: "));
	ck_assert_ptr_nonnull(strstr(ddisim_verify_last(), "was detached"));
	ddisim_verify_set_policy(DDISIM_VERIFY_ABORT);
	kmem_free(w, len);
	kmem_free(r, len);
	rmbcb(rbcb);
	rmbcb(wbcb);
	rd_stop();
	MACHINE_DOWN();
}
END_TEST

/* An ISA device and a low, contiguous buffer larger than its lines. */
START_TEST(isa_lines)
{
	bcb_t *bcb;
	uint8_t *w;
	size_t len = 200 * 1024;
	uint64_t b0, b1;

	MACHINE_UP(NULL);
	rd_start(false);
	buffers_init();
	bcb = mkbcb(ISA);
	w = buffer(2, len + 12288);
	for (size_t i = 0; i < len; i++)
		w[12288 + i] = (uint8_t)(i * 7);
	ddisim_breakup_stats(&b0, NULL);
	/* 12 KiB into the buffer: the lines fall inside pieces' reach */
	ck_assert_int_eq(rq(bcb, false, 4096, w + 12288, len, NULL, false),
	    0);
	ddisim_breakup_stats(&b1, NULL);
	ck_assert_uint_eq(b1, b0);		/* in place */
	ck_assert_uint_ge(rd.pieces, 4);	/* cut at the 64 KiB lines */
	ck_assert_msg(rd.faults == 0, "%s", rd.why);
	ck_assert_int_eq(memcmp(rd.img + 4096, w + 12288, len), 0);
	unbuffer(2, w, len + 12288);
	rmbcb(bcb);
	buffers_fini();
	rd_stop();
	MACHINE_DOWN();
}
END_TEST

/*
 * When no bounce buffer can be had without waiting, the copy path falls
 * back on physreq_prep's private page, and the I/O still gets done.
 */
START_TEST(private_page_when_memory_is_short)
{
	bcb_t *bcb;
	uint8_t *w, *r;
	size_t len = 3 * 4096;
	uint64_t before;

	MACHINE_UP("failrate=1");	/* every no-sleep allocation fails */
	rd_start(false);
	bcb = mkbcb(SCSI);
	w = malloc(len);		/* no physical address: bounced */
	r = malloc(len);
	for (size_t i = 0; i < len; i++)
		w[i] = (uint8_t)(i * 13);
	before = ddisim_breakup_reserve_uses();
	ck_assert_int_eq(rq(bcb, false, 4096, w, len, NULL, false), 0);
	ck_assert_int_eq(rq(bcb, true, 4096, r, len, NULL, false), 0);
	ck_assert_int_eq(memcmp(r, w, len), 0);
	ck_assert_uint_ge(ddisim_breakup_reserve_uses(), before + 2);
	ck_assert_msg(rd.faults == 0, "%s", rd.why);
	free(w);
	free(r);
	rmbcb(bcb);
	rd_stop();
	MACHINE_DOWN();
}
END_TEST

/* Piece k of n fails: the first error, and the residual from there. */
START_TEST(errors_and_residual)
{
	bcb_t *bcb;
	uint8_t *w;
	uint_t resid;
	size_t len = 64 * 1024;

	MACHINE_UP(NULL);
	rd_start(true);
	bcb = mkbcb(CD);
	bcb->bcb_max_xfer = 2352 * 4;	/* pieces of 9408 bytes */
	ck_assert(bcb_prep(bcb, KM_SLEEP));
	len = 2352 * 20;
	w = kmem_alloc(len, KM_SLEEP);
	rd.fail_piece = 3;
	ck_assert_int_eq(rq(bcb, false, 0, w, len, &resid, false), EIO);
	ck_assert_uint_eq(resid, len - 2 * 2352 * 4);
	/* Synchronously too. */
	rd.pieces = 0;
	bcb->bcb_flags |= BCB_SYNCHRONOUS;
	ck_assert_int_eq(rq(bcb, false, 0, w, len, &resid, false), EIO);
	ck_assert_uint_eq(resid, len - 2 * 2352 * 4);
	kmem_free(w, len);
	rmbcb(bcb);
	rd_stop();
	MACHINE_DOWN();
}
END_TEST

/*
 * The same when the strategy routine completes pieces in the issuing
 * thread: each before it returns, or each when it is given the next one
 * (the last after buf_breakup has returned).
 */
START_TEST(errors_and_residual_in_the_issuing_thread)
{
	bcb_t *bcb;
	uint8_t *w;
	uint_t resid;
	size_t len = 2352 * 20;
	buf_t *bp;

	MACHINE_UP(NULL);
	rd_start(false);
	bcb = mkbcb(CD);
	bcb->bcb_max_xfer = 2352 * 4;	/* pieces of 9408 bytes */
	ck_assert(bcb_prep(bcb, KM_SLEEP));
	w = kmem_alloc(len, KM_SLEEP);
	for (size_t i = 0; i < len; i++)
		w[i] = (uint8_t)(i * 7 + 1);
	rd.fail_piece = 3;
	ck_assert_int_eq(rq(bcb, false, 0, w, len, &resid, false), EIO);
	ck_assert_uint_eq(resid, len - 2 * 2352 * 4);
	rd.pieces = 0;
	bcb->bcb_flags |= BCB_SYNCHRONOUS;
	ck_assert_int_eq(rq(bcb, false, 0, w, len, &resid, false), EIO);
	ck_assert_uint_eq(resid, len - 2 * 2352 * 4);
	bcb->bcb_flags &= ~BCB_SYNCHRONOUS;
	/* Lagging by one piece, with and without a failure. */
	for (int fail = 3; fail >= 0; fail -= 3) {
		memset(rd.img, 0, len);
		rd.pieces = 0;
		rd.fail_piece = fail;
		rd.lag = true;
		bp = getrbuf(KM_SLEEP);
		bp->b_flags |= B_WRITE;
		bp->b_addrtype = BA_KVIRT;
		bp->b_un.b_addr = (caddr_t)w;
		bp->b_bcount = (uint_t)len;
		rd.bcb = bcb;
		buf_breakup(rd_strat, bp, bcb);
		ck_assert_uint_eq(rd.pieces, 5);
		ck_assert_ptr_nonnull(rd.held);
		ck_assert(!(bp->b_flags & B_DONE));
		biodone(rd.held);
		rd.held = NULL;
		ck_assert_int_eq(biowait(bp), fail != 0 ? EIO : 0);
		ck_assert_uint_eq(bp->b_resid, fail != 0 ? len - 2 * 2352 * 4 :
		    0);
		if (fail == 0)
			ck_assert(memcmp(rd.img, w, len) == 0);
		freerbuf(bp);
	}
	ck_assert_uint_eq(rd.faults, 0);
	kmem_free(w, len);
	rmbcb(bcb);
	rd_stop();
	MACHINE_DOWN();
}
END_TEST

/* What the reference fails rather than serves. */
START_TEST(refusals)
{
	bcb_t *bcb;
	uint8_t *w;
	uint_t resid;

	MACHINE_UP(NULL);
	rd_start(false);
	bcb = mkbcb(SCSI);
	w = kmem_alloc(4096, KM_SLEEP);
	/* BCB_SYNCHRONOUS with B_ASYNC: EINVAL, nothing sent. */
	bcb->bcb_flags |= BCB_SYNCHRONOUS;
	ck_assert_int_eq(rq(bcb, false, 0, w, 4096, &resid, true), EINVAL);
	ck_assert_uint_eq(resid, 4096);
	ck_assert_uint_eq(rd.pieces, 0);
	/* BCB_EXACT_SIZE: a partial granule is refused, not copied. */
	bcb->bcb_flags = BCB_EXACT_SIZE;
	ck_assert_int_eq(rq(bcb, false, 0, w, 1000, &resid, false), EINVAL);
	ck_assert_uint_eq(rd.pieces, 0);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	kmem_free(w, 4096);
	rmbcb(bcb);
	rd_stop();
	MACHINE_DOWN();
}
END_TEST

/*
 * Misuse, each case counted (the report, and the request failed with
 * EINVAL and its whole count left over, nothing sent) and aborting.
 */
#define NMISUSE		5

static void
misuse(int which)
{
	bcb_t *bcb = mkbcb(SCSI);
	buf_t *bp = getrbuf(KM_SLEEP);
	uint8_t *w = kmem_alloc(4096, KM_SLEEP);
	void (*strat)(buf_t *) = rd_strat;
	const char *want = NULL;

	bp->b_addrtype = BA_KVIRT;
	bp->b_un.b_addr = (caddr_t)w;
	bp->b_bcount = 4096;
	rd.bcb = bcb;
	switch (which) {
	case 0:
		strat = NULL;
		want = "NULL strategy routine";
		break;
	case 1:
		bcb->bcb_physreqp->phys_align = 64;	/* after the prep */
		want = "was changed after physreq_prep";
		break;
	case 2:
		bp->b_addrtype = BA_PHYS;
		want = "is not one address type buf_breakup takes";
		break;
	case 3:
		bcb->bcb_addrtypes = BA_UIO;	/* cannot describe KVIRT */
		want = "has no type that can describe";
		break;
	case 4:
		bcb->bcb_granularity = 0;
		want = "bcb_granularity is 0";
		break;
	}
	buf_breakup(strat, bp, bcb);
	ck_assert_uint_ge(ddisim_verify_count(), 1);
	ck_assert_msg(strstr(ddisim_verify_last(), want) != NULL,
	    "report \"%s\" lacks \"%s\"", ddisim_verify_last(), want);
	ck_assert_int_eq(biowait(bp), EINVAL);
	ck_assert_uint_eq(bp->b_resid, 4096);
	ck_assert_uint_eq(rd.pieces, 0);
	bcb->bcb_physreqp->phys_align = 512;
	freerbuf(bp);
	kmem_free(w, 4096);
	rmbcb(bcb);
}

START_TEST(misuse_counted)
{
	MACHINE_UP(NULL);
	rd_start(false);
	ddisim_verify_set_policy(DDISIM_VERIFY_COUNT);
	misuse(_i);
	ddisim_verify_set_policy(DDISIM_VERIFY_ABORT);
	rd_stop();
	MACHINE_DOWN();
}
END_TEST

START_TEST(misuse_aborts)
{
	MACHINE_UP(NULL);
	rd_start(false);
	misuse(_i);
}
END_TEST

/*
 * A strategy routine that calls biodone twice on each piece it is handed,
 * synchronously and not: each second call is reported, as on a plain
 * buf, and does nothing else; the request completes once, whole.
 */
#define NTWICE		2

static void
biodone_twice(int which)
{
	bcb_t *bcb = mkbcb(WIDE);		/* in place: no copy */
	size_t len = 256 * 1024;		/* two pieces of 128 KiB */
	uint8_t *w = kmem_alloc(len, KM_SLEEP);
	uint_t resid = 1;

	if (which == 1)
		bcb->bcb_flags |= BCB_SYNCHRONOUS;
	for (size_t i = 0; i < len; i++)
		w[i] = (uint8_t)(i * 7 + 1);
	rd.twice = true;
	ck_assert_int_eq(rq(bcb, false, 8192, w, len, &resid, false), 0);
	ck_assert_uint_eq(resid, 0);
	ck_assert_uint_eq(rd.pieces, 2);
	ck_assert_uint_eq(rd.faults, 0);
	ck_assert_uint_eq(ddisim_verify_count(), 2);	/* one a piece */
	ck_assert_msg(strstr(ddisim_verify_last(), "biodone: buf ") != NULL &&
	    strstr(ddisim_verify_last(), " is already done (biodone called "
	    "twice)") != NULL, "report \"%s\"", ddisim_verify_last());
	ck_assert_int_eq(memcmp(rd.img + 8192, w, len), 0);
	/* The next request, on the same spares, is not disturbed. */
	rd.twice = false;
	memset(w, 0, len);
	ck_assert_int_eq(rq(bcb, true, 8192, w, len, &resid, false), 0);
	ck_assert_int_eq(memcmp(rd.img + 8192, w, len), 0);
	ck_assert_uint_eq(ddisim_verify_count(), 2);
	kmem_free(w, len);
	rmbcb(bcb);
}

START_TEST(biodone_twice_counted)
{
	MACHINE_UP("verify=count");
	rd_start(false);
	biodone_twice(_i);
	rd_stop();
	MACHINE_DOWN();
}
END_TEST

START_TEST(biodone_twice_aborts)
{
	MACHINE_UP(NULL);
	rd_start(false);
	biodone_twice(_i);
}
END_TEST

void	_Compat_buf_breakup7(void (*)(buf_t *), buf_t *, const bcb_t *);

/* One DDI 7.1 request of data or of a page list, waited for. */
static int
rq7(bcb_t *bcb, bool rd_, uint64_t devoff, void *data, struct page *pl,
    size_t len)
{
	buf_t *bp = getrbuf(KM_SLEEP);
	int e;

	bp->b_flags |= rd_ ? B_READ : B_WRITE;
	if (pl != NULL) {
		bp->b_flags |= B_PAGEIO;
		bp->b_addrtype = BA_PAGELIST;
		bp->b_pages = pl;
		bp->b_un.b_addr = data;		/* the offset in the first */
	} else {
		bp->b_addrtype = BA_KVIRT;
		bp->b_un.b_addr = data;
	}
	bp->b_bcount = (uint_t)len;
	bp->b_blkno = (daddr_t)(devoff / 512);
	bp->b_blkoff = (ushort_t)(devoff % 512);
	rd.bcb = bcb;
	_Compat_buf_breakup7(rd_strat, bp, bcb);
	e = biowait(bp);
	if (e == 0 && bp->b_resid != 0)
		e = -1;
	freerbuf(bp);
	return e;
}

/*
 * A driver before DDI 8 that takes only page lists: a page list goes in
 * place, any other request through a bounce buffer whose own pages are
 * the list.
 */
START_TEST(page_lists_only)
{
	bcb_t *bcb;
	physreq_t *p;
	struct page *pl, *pp;
	uint8_t *w, *r;
	size_t len = 100 * 1024;
	uint64_t b0, b1;

	MACHINE_UP(NULL);
	rd_start(false);
	bcb = mkbcb(ISA);
	p = bcb->bcb_physreqp;
	bcb->bcb_addrtypes = BA_PAGELIST;
	p->phys_flags = 0;
	ck_assert(physreq_prep(p, KM_SLEEP));
	w = kmem_alloc(len, KM_SLEEP);		/* anywhere: bounced */
	r = kmem_zalloc(len, KM_SLEEP);
	for (size_t i = 0; i < len; i++)
		w[i] = (uint8_t)(i * 11 + 3);
	ddisim_breakup_stats(&b0, NULL);
	ck_assert_int_eq(rq7(bcb, false, 8192, w, NULL, len), 0);
	ck_assert_int_eq(rq7(bcb, true, 8192, r, NULL, len), 0);
	ddisim_breakup_stats(&b1, NULL);
	ck_assert_uint_eq(b1, b0 + 2);
	ck_assert_mem_eq(r, w, len);
	ck_assert_mem_eq(rd.img + 8192, w, len);
	ck_assert_msg(rd.faults == 0, "%s", rd.why);
	/* a low page list goes as it is, cut at the 64 KiB lines */
	pl = ddisim_pagelist_create(26, UINT64_C(1) << 24);
	ck_assert_ptr_nonnull(pl);
	rd.pieces = 0;
	ck_assert_int_eq(rq7(bcb, true, 8192, (void *)512, pl, len), 0);
	ddisim_breakup_stats(&b0, NULL);
	ck_assert_uint_eq(b0, b1);
	ck_assert_uint_ge(rd.pieces, 2);
	pp = pl;
	for (size_t off = 0; off < len; pp = ddisim_page_next(pp)) {
		size_t in = off == 0 ? 512 : 0, n = PG - in;

		if (n > len - off)
			n = len - off;
		ck_assert_mem_eq((uint8_t *)ddisim_page_addr(pp) + in,
		    w + off, n);
		off += n;
	}
	ck_assert_msg(rd.faults == 0, "%s", rd.why);
	ddisim_pagelist_destroy(pl);
	kmem_free(w, len);
	kmem_free(r, len);
	rmbcb(bcb);
	rd_stop();
	MACHINE_DOWN();
}
END_TEST

/*
 * DDI 8 names a request's block in b_cblkno when it is not 0, and every
 * piece carries both forms; DDI 6 to 7.1 use b_blkno alone.
 */

static uint64_t seen_cblkno, seen_blkno;
static unsigned long v7_pieces, v7_faults;
static void v7_strat(buf_t *);

static void
blkno_strat(buf_t *bp)
{
	seen_cblkno = bp->b_cblkno;
	seen_blkno = (uint64_t)(uint32_t)bp->b_blkno;
	rd_strat(bp);
}

static void
blkno_strat7(buf_t *bp)
{
	seen_cblkno = bp->b_cblkno;
	seen_blkno = (uint64_t)(uint32_t)bp->b_blkno;
	v7_strat(bp);
}

START_TEST(block_numbers)
{
	bcb_t *bcb;
	uint8_t *w;
	size_t len = 8 * 1024;
	buf_t *bp;

	MACHINE_UP(NULL);
	rd_start(false);
	bcb = mkbcb(WIDE);
	bcb->bcb_max_xfer = 4096;
	bcb->bcb_physreqp->phys_max_scgth = 8;
	ck_assert(bcb_prep(bcb, KM_SLEEP));
	w = kmem_alloc(len, KM_SLEEP);
	memset(w, 0xc3, len);
	for (int v = 0; v < 2; v++) {
		bp = getrbuf(KM_SLEEP);
		bp->b_flags |= B_WRITE;
		bp->b_addrtype = BA_KVIRT;
		bp->b_un.b_addr = (caddr_t)w;
		bp->b_bcount = (uint_t)len;
		bp->b_blkno = 100;
		bp->b_cblkno = 3000;
		rd.bcb = bcb;
		memset(rd.img, 0, DISK);
		if (v == 0)
			buf_breakup(blkno_strat, bp, bcb);
		else
			_Compat_buf_breakup7(blkno_strat7, bp, bcb);
		ck_assert_int_eq(biowait(bp), 0);
		freerbuf(bp);
		/* the last piece: the second 4 KiB */
		if (v == 0) {
			ck_assert_uint_eq(seen_cblkno, 3008);
			ck_assert_uint_eq(seen_blkno, 3008);
			ck_assert_uint_eq(rd.img[3000 * 512], 0xc3);
			ck_assert_uint_eq(rd.img[100 * 512], 0);
		} else {
			ck_assert_uint_eq(seen_cblkno, 0);
			ck_assert_uint_eq(seen_blkno, 108);
			ck_assert_uint_eq(rd.img[100 * 512], 0xc3);
			ck_assert_uint_eq(rd.img[3000 * 512], 0);
		}
	}
	ck_assert_msg(rd.faults == 0, "%s", rd.why);
	ck_assert_uint_eq(v7_faults, 0);
	kmem_free(w, len);
	rmbcb(bcb);
	rd_stop();
	MACHINE_DOWN();
}
END_TEST

/*
 * DDI 6 to 7.1: lists of ba_scgth_t in b_un.b_scgth, and nothing above
 * 4 GiB, whatever the physreq says.
 */
static void
v7_strat(buf_t *bp)
{
	uint64_t devoff = (uint64_t)(uint32_t)bp->b_blkno * 512 +
	    bp->b_blkoff, done = 0;
	bool r = (bp->b_flags & B_READ) != 0;

	v7_pieces++;
	if (bp->b_addrtype != BA_SCGTH || bp->b_scgth.sg_format != 0 ||
	    bp->b_scgth_count == 0 || bp->b_scgth_count > 8)
		v7_faults++;
	for (unsigned i = 0; i < bp->b_scgth_count; i++) {
		const ba_scgth_t *e = &bp->b_un.b_scgth[i];
		uint8_t *ram = ddisim_ptov(e->sg_base);

		if (ram == NULL || e->sg_base % 4 != 0) {
			v7_faults++;
			continue;
		}
		if (r)
			memcpy(ram, rd.img + devoff + done, e->sg_size);
		else
			memcpy(rd.img + devoff + done, ram, e->sg_size);
		done += e->sg_size;
	}
	if (done != bp->b_bcount)
		v7_faults++;
	bp->b_resid = 0;
	biodone(bp);
}

START_TEST(lists_before_ddi8)
{
	bcb_t *bcb;
	physreq_t *p64;
	uint8_t *w, *r;
	size_t len = 64 * 1024;
	uint64_t pa, b0, b1;

	MACHINE_UP(NULL);
	rd_start(false);
	bcb = mkbcb(WIDE);
	bcb->bcb_physreqp->phys_max_scgth = 8;
	ck_assert(bcb_prep(bcb, KM_SLEEP));
	/* memory above 4 GiB, which a DDI 8 caller could take in place */
	p64 = physreq_alloc(KM_SLEEP);
	p64->phys_dmasize = 64;
	ck_assert(physreq_prep(p64, KM_SLEEP));
	ddisim_cpu_set(3);
	w = kmem_alloc_physreq(len, p64, KM_SLEEP);
	r = kmem_zalloc_physreq(len, p64, KM_SLEEP);
	ddisim_cpu_set(0);
	ck_assert_int_eq(ddisim_vtop(w, &pa), 0);
	ck_assert_uint_ge(pa, UINT64_C(1) << 32);
	for (size_t i = 0; i < len; i++)
		w[i] = (uint8_t)(i ^ (i >> 8));
	ddisim_breakup_stats(&b0, NULL);
	for (int dir = 0; dir < 2; dir++) {
		buf_t *bp = getrbuf(KM_SLEEP);

		bp->b_flags |= dir ? B_READ : B_WRITE;
		bp->b_addrtype = BA_KVIRT;
		bp->b_un.b_addr = (caddr_t)(dir ? r : w);
		bp->b_bcount = (uint_t)len;
		bp->b_blkno = 40;
		_Compat_buf_breakup7(v7_strat, bp, bcb);
		ck_assert_int_eq(biowait(bp), 0);
		freerbuf(bp);
	}
	ddisim_breakup_stats(&b1, NULL);
	ck_assert_uint_eq(b1, b0 + 2);		/* both bounced below 4 GiB */
	ck_assert_uint_eq(v7_faults, 0);
	ck_assert_uint_gt(v7_pieces, 2);
	ck_assert_mem_eq(r, w, len);
	ck_assert_mem_eq(rd.img + 40 * 512, w, len);
	kmem_free(w, len);
	kmem_free(r, len);
	physreq_free(p64);
	rmbcb(bcb);
	rd_stop();
	MACHINE_DOWN();
}
END_TEST

/*
 * A buf whose b_addrtype is 0, as getrbuf leaves it and as drivers
 * older than the field send it: the type comes from b_flags (B_PAGEIO a
 * page list, B_PHYS user memory in b_proc, else kernel memory), the
 * request records it, and the data goes where it says.
 */
START_TEST(address_type_from_flags)
{
	static uint8_t data[16 * 1024];
	const size_t len = sizeof(data);
	const uchar_t want[3] = { BA_KVIRT, BA_PAGELIST, BA_UVIRT };
	struct proc *p;
	struct page *pl;
	uint8_t *k;
	bcb_t *bcb;

	MACHINE_UP("scatter=1");
	rd_start(false);
	bcb = mkbcb(WIDE);
	p = ddisim_proc_create(len, UINT64_C(1) << 32);
	pl = ddisim_pagelist_create(len / PG, UINT64_C(1) << 32);
	k = kmem_alloc(len, KM_SLEEP);
	ck_assert_ptr_nonnull(pl);
	prop_seed(5);
	for (int how = 0; how < 3; how++) {
		uint64_t devoff = 64 * 1024 * (uint64_t)(how + 1);
		buf_t *bp = getrbuf(KM_SLEEP);
		struct page *pp = pl;

		fill_rnd(data, len);
		ck_assert_uint_eq(bp->b_addrtype, 0);
		bp->b_flags |= B_WRITE;
		bp->b_bcount = (uint_t)len;
		bp->b_blkno = (daddr_t)(devoff / 512);
		switch (how) {
		case 0:
			memcpy(k, data, len);
			bp->b_un.b_addr = (caddr_t)k;
			break;
		case 1:
			for (size_t off = 0; off < len; off += PG) {
				memcpy(ddisim_page_addr(pp), data + off, PG);
				pp = ddisim_page_next(pp);
			}
			bp->b_flags |= B_PAGEIO;
			bp->b_pages = pl;
			bp->b_un.b_addr = NULL;		/* offset 0 */
			break;
		default:
			ck_assert_int_eq(ddisim_proc_write(p,
			    ddisim_proc_base(p), data, len), 0);
			bp->b_flags |= B_PHYS;
			bp->b_proc = p;
			bp->b_un.b_addr = (caddr_t)ddisim_proc_base(p);
			break;
		}
		rd.bcb = bcb;
		buf_breakup(rd_strat, bp, bcb);
		ck_assert_int_eq(biowait(bp), 0);
		ck_assert_uint_eq(bp->b_resid, 0);
		ck_assert_uint_eq(bp->b_addrtype, want[how]);
		freerbuf(bp);
		ck_assert_msg(memcmp(rd.img + devoff, data, len) == 0,
		    "type %#x: the disk does not hold the data", want[how]);
	}
	ck_assert_msg(rd.faults == 0, "%s", rd.why);
	kmem_free(k, len);
	ddisim_pagelist_destroy(pl);
	ddisim_proc_destroy(p);
	rmbcb(bcb);
	rd_stop();
	MACHINE_DOWN();
}
END_TEST

/* What a sequential device saw: each transfer's place, size, direction. */
#define NSEEN	512
static struct {
	uint64_t	off, len;
	bool		rd;
} seen[NSEEN];
static unsigned nseen;

static void
order_strat(buf_t *bp)
{
	uint64_t blk = bp->b_cblkno != 0 ? bp->b_cblkno :
	    (uint64_t)(uint32_t)bp->b_blkno;

	ck_assert_uint_lt(nseen, NSEEN);
	seen[nseen].off = blk * 512 + bp->b_blkoff;
	seen[nseen].len = bp->b_bcount;
	seen[nseen++].rd = (bp->b_flags & B_READ) != 0;
	rd_strat(bp);
}

/* A write of len bytes at devoff, through order_strat; its error. */
static int
rq_order(bcb_t *bcb, uint64_t devoff, void *data, size_t len)
{
	buf_t *bp = getrbuf(KM_SLEEP);
	int e;

	bp->b_flags |= B_WRITE;
	bp->b_un.b_addr = data;		/* b_addrtype 0: kernel memory */
	bp->b_bcount = (uint_t)len;
	bp->b_blkno = (daddr_t)(devoff / 512);
	bp->b_blkoff = (ushort_t)(devoff % 512);
	rd.bcb = bcb;
	nseen = 0;
	buf_breakup(order_strat, bp, bcb);
	e = biowait(bp);
	freerbuf(bp);
	return e;
}

/*
 * The order a write of [devoff, devoff+len) reached the device in: no
 * transfer starts before the one before it, no block is read once a
 * later one is written, and the writes follow one another without gap
 * or overlap over exactly the granules the request touches.
 */
static void
check_order(uint64_t devoff, uint64_t len, uint64_t g)
{
	uint64_t gs = devoff - devoff % g;
	uint64_t ge = (devoff + len + g - 1) / g * g, wend = gs;

	ck_assert_uint_gt(nseen, 0);
	for (unsigned i = 0; i < nseen; i++) {
		if (i > 0)
			ck_assert_msg(seen[i].off >= seen[i - 1].off,
			    "write %llu+%llu: transfer %u at %llu after one "
			    "at %llu", (unsigned long long)devoff,
			    (unsigned long long)len, i,
			    (unsigned long long)seen[i].off,
			    (unsigned long long)seen[i - 1].off);
		if (seen[i].rd) {
			ck_assert_uint_ge(seen[i].off, wend);
			continue;
		}
		ck_assert_msg(seen[i].off == wend, "write %llu+%llu: a write "
		    "at %llu, the last ended at %llu",
		    (unsigned long long)devoff, (unsigned long long)len,
		    (unsigned long long)seen[i].off,
		    (unsigned long long)wend);
		wend += seen[i].len;
	}
	ck_assert_uint_eq(wend, ge);
}

/*
 * A write of part of a sector: the head, the body, the tail, each in
 * ascending block order; a partial granule read just before it is
 * written, never after a later block is.
 */
START_TEST(partial_writes_in_order)
{
	static const struct { uint64_t off, len; unsigned n; bool rd[5];
	    uint64_t blk[5]; } c[] = {
		/* whole block 10, part of 11 */
		{ 10 * 512, 600, 3, { false, true, false },
		    { 10, 11, 11 } },
		/* part of 10, whole 11, part of 12 */
		{ 10 * 512 + 100, 1000, 4, { true, false, true, false },
		    { 10, 10, 12, 12 } },
		/* inside block 10 alone */
		{ 10 * 512 + 7, 20, 2, { true, false }, { 10, 10 } },
		/* part of 10, whole 11 */
		{ 10 * 512 + 12, 1012, 2, { true, false }, { 10, 10 } },
	};
	uint8_t *w;
	bcb_t *bcb;

	MACHINE_UP(NULL);
	rd_start(false);
	w = kmem_alloc(4096, KM_SLEEP);
	bcb = mkbcb(SCSI);
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		memset(w, (int)(0x40 + i), 4096);
		memset(rd.img, 0x11, 16 * 512);
		ck_assert_int_eq(rq_order(bcb, c[i].off, w, c[i].len), 0);
		ck_assert_msg(nseen == c[i].n, "case %zu: %u transfers, "
		    "not %u", i, nseen, c[i].n);
		for (unsigned j = 0; j < nseen; j++) {
			ck_assert_msg(seen[j].rd == c[i].rd[j] &&
			    seen[j].off / 512 == c[i].blk[j], "case %zu: "
			    "transfer %u is a %s of block %llu", i, j,
			    seen[j].rd ? "read" : "write",
			    (unsigned long long)(seen[j].off / 512));
		}
		check_order(c[i].off, c[i].len, 512);
		ck_assert_uint_eq(first_not(rd.img + c[i].off, c[i].len,
		    (uint8_t)(0x40 + i)), c[i].len);
		ck_assert_uint_eq(first_not(rd.img, c[i].off, 0x11),
		    c[i].off);
		ck_assert_uint_eq(first_not(rd.img + c[i].off + c[i].len,
		    16 * 512 - c[i].off - c[i].len, 0x11),
		    16 * 512 - c[i].off - c[i].len);
	}
	/*
	 * One piece: both partial granules are read, in order, and the
	 * request is written once.
	 */
	bcb->bcb_flags |= BCB_ONE_PIECE;
	memset(w, 0x77, 4096);
	memset(rd.img, 0x11, 16 * 512);
	ck_assert_int_eq(rq_order(bcb, 10 * 512 + 100, w, 1000), 0);
	ck_assert_uint_eq(nseen, 3);
	ck_assert(seen[0].rd && seen[0].off == 10 * 512);
	ck_assert(seen[1].rd && seen[1].off == 12 * 512);
	ck_assert(!seen[2].rd && seen[2].off == 10 * 512 &&
	    seen[2].len == 3 * 512);
	ck_assert_uint_eq(first_not(rd.img + 10 * 512 + 100, 1000, 0x77),
	    1000);
	ck_assert_uint_eq(first_not(rd.img, 10 * 512 + 100, 0x11),
	    10 * 512 + 100);
	ck_assert_uint_eq(first_not(rd.img + 10 * 512 + 1100, 412, 0x11),
	    412);
	ck_assert_msg(rd.faults == 0, "%s", rd.why);
	rmbcb(bcb);
	rd_stop();
	kmem_free(w, 4096);
	MACHINE_DOWN();
}
END_TEST

/*
 * Writes at random offsets and lengths, whole granules or not, in place
 * or bounced, through contiguous, list and 2352-byte devices: every one
 * reaches the device in ascending order (check_order) and leaves the
 * disk as a model of it says, the bytes beside it untouched.
 */
#define ORDER_MIN	50

START_TEST(writes_ascend)
{
	const int kinds[] = { ISA, SCSI, CD };
	long iters = prop_floor(prop_iters(100000) / 50, ORDER_MIN);
	uint8_t *model = calloc(1, DISK);
	unsigned long partial = 0, bounced = 0;

	MACHINE_UP("scatter=1");
	rd_start(false);
	buffers_init();
	prop_seed(UINT64_C(0x13198a2e03707344));
	for (long it = 0; it < iters; it++) {
		int kind = kinds[rndn(3)], how = (int)rndn(NHOW);
		bcb_t *bcb = mkbcb(kind);
		uint64_t g = bcb->bcb_granularity, b0, b1;
		size_t len = 1 + rndn(rndn(4) ? 3 * g : 64 * g);
		uint64_t devoff = rndn(DISK - len - 2 * g) + g;
		uint8_t *wb, *w;

		if (rndn(3) == 0) {		/* whole granules */
			devoff -= devoff % g;
			len = len < g ? g : len - len % g;
		}
		partial += devoff % g != 0 || len % g != 0;
		wb = buffer(how, len + 4);
		w = wb + (how == 1 ? 0 : 4 * rndn(2));
		fill_rnd(w, len);
		ddisim_breakup_stats(&b0, NULL);
		ck_assert_int_eq(rq_order(bcb, devoff, w, len), 0);
		ddisim_breakup_stats(&b1, NULL);
		bounced += b1 != b0;
		check_order(devoff, len, g);
		memcpy(model + devoff, w, len);
		{
			uint64_t lo = devoff - g, hi = devoff + len + g;

			ck_assert_msg(memcmp(rd.img + lo, model + lo, hi - lo)
			    == 0, "kind %d: write %llu+%zu: the disk differs "
			    "from the model", kind,
			    (unsigned long long)devoff, len);
		}
		ck_assert_msg(rd.faults == 0, "kind %d: %s", kind, rd.why);
		unbuffer(how, wb, len + 4);
		rmbcb(bcb);
	}
	buffers_fini();
	rd_stop();
	free(model);
	MACHINE_DOWN();
	ck_assert_uint_gt(partial, 0);
	ck_assert_uint_gt(bounced, 0);
	ck_assert_uint_lt(bounced, (unsigned long)iters);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("breakup");
	TCase *tc;

	tc = tcase_new("core");
	tcase_add_test(tc, conforming_data_is_never_copied);
	tcase_add_test(tc, errors_and_residual);
	tcase_add_test(tc, isa_lines);
	tcase_add_test(tc, user_requests);
	tcase_add_test(tc, split_pages_and_unlimited_lists);
	tcase_add_test(tc, layered_and_stacked);
	tcase_add_test(tc, iovecs_revisit_a_page);
	tcase_add_test(tc, kernel_breaks_up_before_biostart);
	tcase_add_test(tc, page_lists_only);
	tcase_add_test(tc, block_numbers);
	tcase_add_test(tc, lists_before_ddi8);
	tcase_add_test(tc, address_type_from_flags);
	tcase_add_test(tc, partial_writes_in_order);
	suite_add_tcase(s, tc);
	tc = tcase_new("limits");
	tcase_add_test(tc, errors_and_residual_in_the_issuing_thread);
	tcase_add_test(tc, refusals);
	tcase_add_test(tc, private_page_when_memory_is_short);
	suite_add_tcase(s, tc);
	tc = tcase_new("property");
	tcase_add_test(tc, round_trips_at_once);
	tcase_add_test(tc, round_trips_completed_later);
	tcase_add_test(tc, writes_ascend);
	suite_add_tcase(s, tc);
	tc = tcase_new("misuse");
	tcase_add_loop_test(tc, misuse_counted, 0, NMISUSE);
	tcase_add_loop_test(tc, biodone_twice_counted, 0, NTWICE);
	if (!nofork()) {
		tcase_add_loop_test_raise_signal(tc, misuse_aborts, SIGABRT,
		    0, NMISUSE);
		tcase_add_loop_test_raise_signal(tc, biodone_twice_aborts,
		    SIGABRT, 0, NTWICE);
	}
	suite_add_tcase(s, tc);
	return run_suite(s) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
