/*
 * breakup.c - buf_breakup (buf_breakup(9)): a request cut and, where it
 * must be, copied into pieces that each meet a device's breakup control
 * block, handed to its strategy routine in ascending order.
 *
 * Strategy.  A plan is made first, without side effects: the request's
 * data is walked segment by segment (a physically contiguous stretch
 * inside one page, or one iovec's part of it) and cut into pieces where
 * the next piece would cross a physical boundary line, leave a
 * physically contiguous run when contiguity is required and the piece is
 * not a list, exceed bcb_max_xfer, or need more list elements than
 * phys_max_scgth; every piece but the last is then cut back to a whole
 * number of granules.  When every byte can go in place the pieces are
 * issued (the request itself when it forms one piece of a type the
 * driver takes); when any cannot (no physical address, beyond the
 * device's reach, a misaligned segment, a granule that does not fit, a
 * size or offset the granularity does not divide) the whole request goes
 * through a conforming bounce buffer instead, a chunk at a time, with
 * read-modify-write of partial granules.
 *
 * Completion.  Each piece's biodone comes back here (b_iodone): the
 * first error is kept, and the residual is everything from the lowest
 * offset any piece failed to transfer.  Synchronously (BCB_SYNCHRONOUS)
 * at most four pieces are in flight and buf_breakup waits for all of
 * them; otherwise the pieces are counted with a bias of one while they
 * are issued, and the last to finish completes the request.
 *
 * A piece the strategy routine completes before it returns, in the
 * issuing thread, is not counted out under the lock: the issuing thread
 * keeps it, and the next piece it issues takes its place, in the counts
 * and as its buf, so that a device that finishes each piece at once costs
 * no lock per piece.
 *
 * Locking: brk_mtx guards a breakup's counts and results; it is never
 * held across a call to the strategy routine or to biodone.  The pieces
 * done in the issuing thread (inl_*) are that thread's alone.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "util/forklock.h"
#include "bio/bio.h"
#include "kern/ctx.h"
#include "kern/kern.h"
#include "kmem/kmem.h"
#include "streams/streams.h"
#include "machine/entry.h"
#include "machine/machine.h"
#include "verify/verify.h"
#include "verify/wait.h"
#include "proc/page.h"
#include "proc/proc.h"
#include "vm/vm.h"

#include "sys/buf.h"
#include "sys/uio.h"
#include "sys/ddi.h"
#include "exports.h"

#define BRK_WINDOW	4		/* pieces in flight, synchronously */
#define BRK_BOUNCE	(16 * 1024)	/* bounce buffer, before rounding */
#define BRK_MAXBIO	(128 * 1024)	/* bcb_max_xfer 0: DRV_MAXBIOSIZE */
#define BRK_INLINE	32		/* planned pieces on the stack */

/* A stretch of the request's data: one page or iovec at most. */
struct seg {
	uint8_t		*kva;		/* where the CPU reaches it */
	uint64_t	pa;
	size_t		len;
	bool		has_pa;		/* false: outside simulated RAM */
};

struct piece {
	uint64_t	off;		/* bytes into the request */
	uint64_t	len;
	unsigned	nsegs;
};

struct brk {
	buf_t		*parent;
	void		(*strat)(buf_t *);
	const bcb_t	*bcb;
	struct kcons	c;
	enum ddi_level	level;		/* the caller's interface level */
	bool		buf64;		/* its buf has b_cblkno (DDI 8) */
	bool		contig;		/* pieces must be one extent */
	bool		sync;
	uint64_t	total;		/* bytes of the request */
	uint64_t	devoff;		/* its first byte on the device */
	uchar_t		type;		/* the request's address type */
	uchar_t		ctype;		/* the pieces' */
	pthread_mutex_t	mtx;
	pthread_cond_t	cv;
	int		inflight;	/* issued, not done */
	int		count;		/* async: outstanding plus bias */
	int		error;		/* the first error */
	uint64_t	short_at;	/* lowest byte not moved, or total */
	bool		single_done;	/* sync single piece: completed */
	ushort_t	saved_count;
	uint_t		saved_flags;
	struct kbuf	res;		/* single piece: its list, mapping */
	struct kbuf	*spare;		/* done pieces, for the next ones */
	struct kbuf	*inl_spare;	/* done in the issuing thread, */
	int		inl_n;		/* not yet counted out */
	uint64_t	maxx;		/* brk_max_xfer */
	bool		flat;		/* one extent: kernel memory, one */
	uint64_t	flat_pa;	/* segment of RAM; its addresses */
	uint8_t		*flat_kva;
	/* the single-piece form: what the request had before */
	__ddi_iodone_t	saved_iodone;
	void		*saved_misc;
	scgth_t		saved_sg;
	caddr_t		saved_addr;
	uchar_t		saved_type;
};

static _Atomic uint64_t brk_bounces, brk_bounce_bytes;

/* The breakup whose strategy routine this thread is in, while it issues. */
static DDI_TLS struct brk *brk_issuing;

static void	brk_fail(buf_t *bp, int error);

static inline size_t
pg(void)
{
	return machine->spec.page;
}

/*
 * The stretch of the request's data at byte off: its CPU address and,
 * where it is simulated RAM, its physical address, to the end of the
 * page (or the iovec) at most.  False when off is past an iovec list or
 * a user address is not mapped, which fails the request with EFAULT.
 */
static bool
src_seg(const struct brk *b, uint64_t off, struct seg *s)
{
	const buf_t *bp = b->parent;
	const uint8_t *va;
	const proc_t *p = bp->b_proc;
	size_t in;

	s->has_pa = false;
	switch (b->type) {
	case BA_PAGELIST: {
		uint64_t at = (uint64_t)(uintptr_t)bp->b_un.b_addr + off;
		const struct page *pp = bp->b_pages;

		for (uint64_t i = at / pg(); i > 0 && pp != NULL; i--)
			pp = pp->p_next;
		if (pp == NULL || pp->magic != PAGE_LIVE)
			return false;
		in = at % pg();
		s->kva = (uint8_t *)pp->kva + in;
		s->pa = (pp->pfn << machine->pshift) + in;
		s->has_pa = true;
		s->len = pg() - in;
		return true;
	}
	case BA_UIO: {
		const uio_t *u = bp->b_un.b_uio;
		uint64_t skip = off;
		int i;

		for (i = 0; i < u->uio_iovcnt; i++) {
			if (skip < (uint64_t)u->uio_iov[i].iov_len)
				break;
			skip -= (uint64_t)u->uio_iov[i].iov_len;
		}
		if (i == u->uio_iovcnt)
			return false;
		va = (const uint8_t *)u->uio_iov[i].iov_base + skip;
		s->len = (size_t)u->uio_iov[i].iov_len - (size_t)skip;
		if (u->uio_segflg == UIO_SYSSPACE)
			p = NULL;
		break;
	}
	case BA_UVIRT:
		va = (const uint8_t *)bp->b_un.b_addr + off;
		s->len = SIZE_MAX;
		break;
	default:		/* BA_KVIRT */
		va = (const uint8_t *)bp->b_un.b_addr + off;
		s->len = SIZE_MAX;
		p = NULL;
		break;
	}
	in = (uintptr_t)va % pg();
	if (s->len > pg() - in)
		s->len = pg() - in;
	if (p != NULL) {
		if (proc_vtop(p, va, &s->pa) != 0)
			return false;
		s->kva = vm_ptov(s->pa);
		s->has_pa = true;
		return true;
	}
	s->kva = (uint8_t *)(uintptr_t)va;
	s->has_pa = vm_vtop(va, &s->pa) == 0;
	return true;
}

/* Copy between the request's data at off and buf (to: into it). */
static bool
src_copy(const struct brk *b, uint64_t off, uint8_t *buf, size_t len,
    bool to)
{
	struct seg s;

	while (len > 0) {
		if (!src_seg(b, off, &s))
			return false;
		if (s.len > len)
			s.len = len;
		if (to)
			memcpy(s.kva, buf, s.len);
		else
			memcpy(buf, s.kva, s.len);
		off += s.len;
		buf += s.len;
		len -= s.len;
	}
	return true;
}

static uint64_t
round_down(uint64_t x, uint64_t g)
{
	return x - x % g;
}

/*
 * The physically contiguous extent at off, at most limit bytes, never
 * across a boundary line: *line says whether it ends on one.
 */
static bool
next_extent(const struct brk *b, uint64_t off, uint64_t limit,
    struct seg *e, bool *line)
{
	struct seg s;

	*line = false;
	if (b->flat) {
		e->kva = b->flat_kva + off;
		e->pa = b->flat_pa + off;
		e->has_pa = true;
		e->len = limit;
	} else {
		if (!src_seg(b, off, e))
			return false;
		if (e->len > limit)
			e->len = limit;
	}
	while (e->has_pa && e->len < limit && src_seg(b, off + e->len, &s) &&
	    s.has_pa && s.pa == e->pa + e->len)
		e->len += s.len < limit - e->len ? s.len : limit - e->len;
	if (e->has_pa && b->c.boundary != 0) {
		uint64_t end = round_down(e->pa, b->c.boundary) +
		    b->c.boundary;

		if (e->pa + e->len >= end) {
			e->len = end - e->pa;
			*line = true;
		}
	}
	return true;
}

static uint64_t
brk_max_xfer(const struct brk *b)
{
	uint64_t g = b->bcb->bcb_granularity, m = b->bcb->bcb_max_xfer;

	/* 0: the kernel's largest transfer, or no limit for one piece */
	if (m == 0)
		m = (b->bcb->bcb_flags & BCB_ONE_PIECE) ?
		    round_down(b->total + g - 1, g) + g : BRK_MAXBIO;
	return m >= g ? round_down(m, g) : g;
}

/*
 * The piece that starts at off, if every byte of it can go in place:
 * false as soon as one cannot, with *fault set when that is because the
 * data has no address at all (EFAULT), not because it must be copied.
 */
static bool
plan_piece(const struct brk *b, uint64_t off, struct piece *pc, bool *fault)
{
	bool list = b->ctype == BA_SCGTH, line;
	unsigned maxel = b->bcb->bcb_physreqp->phys_max_scgth;
	uint64_t maxx = b->maxx, len = 0, prev_end = 0;
	struct seg e;

	*fault = false;
	pc->off = off;
	pc->nsegs = 0;
	while (off + len < b->total && len < maxx) {
		if (!next_extent(b, off + len, (b->total - off - len) <
		    maxx - len ? b->total - off - len : maxx - len, &e,
		    &line)) {
			*fault = true;
			return false;
		}
		if (!e.has_pa || e.pa + e.len > b->c.high ||
		    e.pa % b->c.align != 0)
			return false;
		if (len > 0 && ((!list && b->contig) ||
		    (list && pc->nsegs == maxel)))
			break;
		/* pages mapped back to back must meet at page edges */
		if (b->ctype == BA_KVIRT && b->type != BA_KVIRT && len > 0 &&
		    (e.pa % pg() != 0 || prev_end % pg() != 0))
			return false;
		pc->nsegs++;
		len += e.len;
		prev_end = e.pa + e.len;
		if (line)
			break;
	}
	if (off + len < b->total)
		len = round_down(len, b->bcb->bcb_granularity);
	pc->len = len;
	return len > 0;
}

/* ---- completion ---- */

static void
brk_free(struct brk *b)
{
	struct kbuf *kb, *next;

	for (kb = b->spare; kb != NULL; kb = next) {
		next = kb->kb_next;
		kb->kb_next = NULL;
		freerbuf(&kb->kb_buf);
	}
	pthread_cond_destroy(&b->cv);
	pthread_mutex_destroy(&b->mtx);
	free(b);
}

static void
brk_finish(struct brk *b)
{
	buf_t *bp = b->parent;

	bp->b_resid = (uint_t)(b->total - b->short_at);
	if (b->error != 0)
		bioerror(bp, b->error);
	brk_free(b);
	biodone(bp);
}

static void
piece_release(struct kbuf *kb)
{
	if (kb->kb_sg != NULL)
		kmem_free_checked(kb->kb_sg, kb->kb_sgbytes, KK_SCGTH,
		    "buf_breakup", NULL);
	if (kb->kb_alias != NULL)
		vm_alias_unmap(kb->kb_alias);
	if (kb->kb_uio != NULL)
		free(kb->kb_uio);
	kb->kb_sg = kb->kb_alias = kb->kb_uio = NULL;
	kb->kb_brk = NULL;
}

/* A piece's biodone: note it, let go of it, maybe finish the request. */
static void
brk_piece_done(buf_t *cbp)
{
	struct kbuf *kb = (struct kbuf *)cbp;
	struct brk *b = kb->kb_brk;
	uint64_t off = kb->kb_off, len = cbp->b_bcount;
	uint64_t moved = cbp->b_resid < len ? len - cbp->b_resid : 0;
	/* geterror's answer: biodone checked the buf already */
	int e = !(cbp->b_flags & B_ERROR) ? 0 : cbp->b_error != 0 ?
	    cbp->b_error : EIO;
	bool last;

	/*
	 * Done, as biodone marks a plain buf that has no b_iodone, so that
	 * a second biodone of the piece is reported as on any buf; reusing
	 * the spare clears it.  The piece's extras go first, and the piece
	 * becomes a spare for the next one: the request may be finished at
	 * once, and frees the spares then.
	 */
	cbp->b_flags |= B_DONE;
	piece_release(kb);
	if (brk_issuing == b) {
		/* the issuing thread counts it out with its next piece */
		if (e != 0 || moved < len) {
			pthread_mutex_lock(&b->mtx);
			if (e != 0 && b->error == 0)
				b->error = e;
			if (off + moved < b->short_at)
				b->short_at = off + moved;
			pthread_mutex_unlock(&b->mtx);
		}
		kb->kb_next = b->inl_spare;
		b->inl_spare = kb;
		b->inl_n++;
		return;
	}
	pthread_mutex_lock(&b->mtx);
	kb->kb_next = b->spare;
	b->spare = kb;
	if (e != 0 && b->error == 0)
		b->error = e;
	if ((e != 0 || moved < len) && off + moved < b->short_at)
		b->short_at = off + moved;
	b->inflight--;
	last = !b->sync && --b->count == 0;
	if (b->sync)		/* only a synchronous breakup waits */
		pthread_cond_broadcast(&b->cv);
	pthread_mutex_unlock(&b->mtx);
	if (last)
		brk_finish(b);
}

/* ---- describing a piece ---- */

/* The piece [off, off+len) as a list of its extents, one element each. */
static bool
piece_list(const struct brk *b, uint64_t off, uint64_t len, unsigned nel,
    buf_t *cbp, struct kbuf *kb)
{
	bool v8 = b->buf64, line;
	uchar_t dma = b->bcb->bcb_physreqp->phys_dmasize;
	bool wide = v8 && (dma == 0 || dma > 32);	/* 0: no limit */
	size_t esz = !v8 ? sizeof(ba_scgth_t) : wide ?
	    sizeof(scgth_el64_t) : sizeof(scgth_el32_t);
	struct kcons ac = b->c;
	uint64_t pa[UINT8_MAX + 1];
	size_t ln[UINT8_MAX + 1];
	unsigned n = 0;
	uint8_t *arr;
	struct seg e;

	VERIFY3U(nel, <=, UINT8_MAX + 1);
	ac.contig = true;
	ac.boundary = 0;
	if (ac.align < 8)
		ac.align = 8;
	arr = kmem_alloc_cons(nel * esz, &ac, KM_SLEEP, KA_ZERO, KK_SCGTH,
	    "buf_breakup", NULL);
	if (arr == NULL)
		return false;
	for (uint64_t done = 0; done < len; done += e.len, n++) {
		VERIFY(next_extent(b, off + done, len - done, &e, &line));
		VERIFY(e.has_pa);
		VERIFY3U(n, <, nel);
		pa[n] = e.pa;
		ln[n] = e.len;
	}
	kb->kb_sg = arr;
	kb->kb_sgbytes = nel * esz;
	cbp->b_addrtype = BA_SCGTH;
	if (v8) {
		scgth_fill(&cbp->b_scgth, arr, n, wide, pa, ln);
		return true;
	}
	for (unsigned i = 0; i < n; i++) {
		((ba_scgth_t *)arr)[i].sg_base = (paddr_t)pa[i];
		((ba_scgth_t *)arr)[i].sg_size = (uint32_t)ln[i];
	}
	cbp->b_un.b_scgth = (ba_scgth_t *)arr;
	cbp->b_scgth_count = (ushort_t)n;
	return true;
}

/* The piece's pages mapped into kernel space: its KVIRT address. */
static bool
piece_map(const struct brk *b, uint64_t off, uint64_t len, buf_t *cbp,
    struct kbuf *kb)
{
	size_t n = 0, cap = (size_t)(len / pg()) + 2;
	struct vm_run *runs = calloc(cap, sizeof(*runs));
	uint64_t first_in = 0, end = 0;
	struct seg s;
	void *va;

	if (runs == NULL)
		return false;
	for (uint64_t done = 0; done < len; done += s.len) {
		VERIFY(src_seg(b, off + done, &s) && s.has_pa);
		if (s.len > len - done)
			s.len = len - done;
		if (done == 0)
			first_in = s.pa % pg();
		/*
		 * A segment that continues the last one inside its page is
		 * mapped already; any other starts a page of its own, the
		 * same physical page again if need be.
		 */
		if (done > 0 && s.pa == end && s.pa % pg() != 0) {
			end = s.pa + s.len;
			continue;
		}
		end = s.pa + s.len;
		if (n > 0 && runs[n - 1].pfn + runs[n - 1].npages ==
		    s.pa >> machine->pshift) {
			runs[n - 1].npages++;
		} else {
			VERIFY3U(n, <, cap);
			runs[n].pfn = s.pa >> machine->pshift;
			runs[n++].npages = 1;
		}
	}
	if (n == 1) {
		va = vm_ptov(runs[0].pfn << machine->pshift);
	} else if (vm_alias_map(runs, (unsigned)n, &va) != 0) {
		free(runs);
		return false;
	} else {
		kb->kb_alias = va;
	}
	free(runs);
	cbp->b_addrtype = BA_KVIRT;
	cbp->b_un.b_addr = (caddr_t)va + first_in;
	return true;
}

/* The piece as part of the request's own iovecs. */
static bool
piece_uio(const struct brk *b, uint64_t off, uint64_t len, buf_t *cbp,
    struct kbuf *kb)
{
	const uio_t *u = b->parent->b_un.b_uio;
	struct { uio_t uio; iovec_t iov[]; } *w;
	uint64_t skip = off, left = len;
	int i, n = 0;

	w = malloc(sizeof(*w) + (size_t)u->uio_iovcnt * sizeof(iovec_t));
	if (w == NULL)
		return false;
	w->uio = *u;
	for (i = 0; i < u->uio_iovcnt && left > 0; i++) {
		uint64_t l = (uint64_t)u->uio_iov[i].iov_len;

		if (skip >= l) {
			skip -= l;
			continue;
		}
		w->iov[n].iov_base = u->uio_iov[i].iov_base + skip;
		w->iov[n].iov_len = (int)(l - skip < left ? l - skip : left);
		left -= (uint64_t)w->iov[n++].iov_len;
		skip = 0;
	}
	w->uio.uio_iov = w->iov;
	w->uio.uio_iovcnt = n;
	w->uio.uio_offset = (int32_t)(b->devoff + off);
	w->uio.uio_resid = (int)len;
	kb->kb_uio = w;
	cbp->b_addrtype = BA_UIO;
	cbp->b_un.b_uio = &w->uio;
	return true;
}

/* A done piece to reuse, or NULL; under b->mtx. */
static struct kbuf *
spare_take_locked(struct brk *b)
{
	struct kbuf *kb = b->spare;

	if (kb != NULL)
		b->spare = kb->kb_next;
	return kb;
}

/*
 * A piece's buf, on the spare kb if there is one: the request's
 * identity, its own place and data.
 */
static buf_t *
piece_buf_on(struct brk *b, struct kbuf *kb, uint64_t devoff, uint64_t len)
{
	const buf_t *bp = b->parent;
	buf_t *cbp;

	if (kb != NULL) {
		kbuf_reset(kb);		/* a fresh header, same trailer */
		cbp = &kb->kb_buf;
	} else if ((cbp = getrbuf(KM_SLEEP)) == NULL) {
		return NULL;	/* after a report, under warn or count */
	}
	cbp->b_flags |= bp->b_flags & B_READ;
	cbp->b_edev = bp->b_edev;
	cbp->b_blkno = (daddr_t)(devoff / 512);
	if (b->buf64)
		cbp->b_cblkno = devoff / 512;
	cbp->b_blkoff = (ushort_t)(devoff % 512);
	cbp->b_bcount = (uint_t)len;
	cbp->b_resid = bp->b_resid;
	cbp->b_priv = bp->b_priv;
	cbp->b_priv2 = bp->b_priv2;
	cbp->b_start = bp->b_start;
	return cbp;
}

static buf_t *
piece_buf(struct brk *b, uint64_t devoff, uint64_t len)
{
	struct kbuf *kb;

	pthread_mutex_lock(&b->mtx);
	kb = spare_take_locked(b);
	pthread_mutex_unlock(&b->mtx);
	return piece_buf_on(b, kb, devoff, len);
}

/*
 * Describe [off, off+len) of the request in cbp, in the pieces' type;
 * what must be released later goes in kb.
 */
static bool
piece_describe_into(const struct brk *b, const struct piece *pc,
    buf_t *cbp, struct kbuf *kb)
{
	const buf_t *bp = b->parent;

	switch (b->ctype) {
	case BA_SCGTH:
		return piece_list(b, pc->off, pc->len, pc->nsegs, cbp, kb);
	case BA_UIO:
		cbp->b_proc = bp->b_proc;
		return piece_uio(b, pc->off, pc->len, cbp, kb);
	case BA_PAGELIST: {
		uint64_t at = (uint64_t)(uintptr_t)bp->b_un.b_addr + pc->off;
		struct page *pp = bp->b_pages;

		for (uint64_t i = at / pg(); i > 0; i--)
			pp = pp->p_next;
		cbp->b_addrtype = BA_PAGELIST;
		cbp->b_flags |= B_PAGEIO;
		cbp->b_pages = pp;
		cbp->b_un.b_addr = (caddr_t)(uintptr_t)(at % pg());
		return true;
	}
	case BA_UVIRT:
		cbp->b_addrtype = BA_UVIRT;
		cbp->b_flags |= B_PHYS;
		cbp->b_proc = bp->b_proc;
		cbp->b_un.b_addr = bp->b_un.b_addr + pc->off;
		return true;
	default:		/* BA_KVIRT */
		if (b->type != BA_KVIRT)
			return piece_map(b, pc->off, pc->len, cbp, kb);
		cbp->b_addrtype = BA_KVIRT;
		cbp->b_un.b_addr = bp->b_un.b_addr + pc->off;
		return true;
	}
}

static bool
piece_describe(const struct brk *b, const struct piece *pc, buf_t *cbp)
{
	return piece_describe_into(b, pc, cbp, (struct kbuf *)cbp);
}

/* ---- the copy path ---- */

/* One transfer of the bounce buffer's [at, at+len) at devoff; waits. */
static int
bounce_io(struct brk *b, uint8_t *bounce, uint64_t at, uint64_t len,
    uint64_t devoff, bool rd, uint64_t *moved)
{
	buf_t *cbp = piece_buf(b, devoff, len);
	struct kbuf *kb = (struct kbuf *)cbp;
	struct piece pc = { .off = 0, .len = len, .nsegs = 1 };
	struct brk bb = *b;
	struct page *pl = NULL;
	int e;

	*moved = 0;
	if (cbp == NULL)
		return ENOMEM;
	cbp->b_flags = (cbp->b_flags & ~(uint_t)B_READ) | (rd ? B_READ : 0);
	cbp->b_resid = 0;
	if (b->ctype == BA_KVIRT) {
		cbp->b_addrtype = BA_KVIRT;
		cbp->b_un.b_addr = (caddr_t)bounce + at;
	} else if (b->ctype == BA_PAGELIST) {
		/* the bounce buffer's own pages, as a list */
		if ((pl = pagelist_borrow(bounce + at, len, "buf_breakup")) ==
		    NULL) {
			freerbuf(cbp);
			return ENOMEM;
		}
		cbp->b_addrtype = BA_PAGELIST;
		cbp->b_flags |= B_PAGEIO;
		cbp->b_pages = pl;
		cbp->b_un.b_addr = (caddr_t)((uintptr_t)(bounce + at) % pg());
	} else {
		/* the bounce buffer is one extent: a list of one element */
		bb.type = BA_KVIRT;
		bb.parent = cbp;
		bb.flat = false;	/* the request's extent, not this one */
		cbp->b_un.b_addr = (caddr_t)bounce + at;
		bb.total = len;
		VERIFY(piece_list(&bb, 0, len, pc.nsegs, cbp, kb));
	}
	b->strat(cbp);
	e = biowait(cbp);
	*moved = cbp->b_resid < len ? len - cbp->b_resid : 0;
	if (e == 0 && *moved < len)
		e = -1;			/* short, without an error */
	piece_release(kb);
	freerbuf(cbp);
	pagelist_return(pl, "buf_breakup");
	return e;
}

static uint64_t
bounce_size(const struct brk *b)
{
	uint64_t g = b->bcb->bcb_granularity, sz = BRK_BOUNCE;

	if (b->bcb->bcb_flags & BCB_ONE_PIECE)
		sz = round_down(b->devoff + b->total + g - 1, g) -
		    round_down(b->devoff, g);
	sz = sz >= g ? round_down(sz, g) : g;
	if (sz > brk_max_xfer(b))
		sz = brk_max_xfer(b);
	if (b->c.boundary != 0 && sz > b->c.boundary)
		sz = round_down(b->c.boundary, g);
	return sz;
}

/*
 * Write the request's bytes [os, oe) of the chunk of whole granules at
 * [cs, cs+clen) through the bounce buffer, every transfer at or beyond
 * the one before: a partial first granule is read, merged and written
 * with the rest of the chunk; a partial last granule, after the rest is
 * written, is read, merged and written on its own.  Sequential devices
 * (tape) see head, body and tail in ascending order; no block is read
 * after a later one is written.  BCB_ONE_PIECE keeps the chunk one write:
 * both partial granules are read, in order, before it.
 */
static int
copy_write(struct brk *b, uint8_t *bounce, uint64_t cs, uint64_t clen,
    uint64_t os, uint64_t oe, uint64_t *moved)
{
	const uint64_t g = b->bcb->bcb_granularity, start = b->devoff;
	const bool one = (b->bcb->bcb_flags & BCB_ONE_PIECE) != 0;
	bool head = os > cs, tail = oe < cs + clen;
	/* the bytes written from the bounce buffer's start first */
	uint64_t bl = tail && !one && !(head && clen == g) ? clen - g : clen;
	/* one write for all, its last granule read in place beforehand */
	bool merged_tail = tail && bl == clen && (clen > g || !head);
	int e = 0;

	if (merged_tail && (clen - g) % b->c.align != 0) {
		/* not where the device may put it: the whole chunk, read */
		e = bounce_io(b, bounce, 0, clen, cs, true, moved);
		head = merged_tail = false;
	}
	if (e == 0 && head)
		e = bounce_io(b, bounce, 0, g, cs, true, moved);
	if (e == 0 && merged_tail)
		e = bounce_io(b, bounce, clen - g, g, cs + clen - g, true,
		    moved);
	if (e == 0 && bl > 0 && !src_copy(b, os - start, bounce + (os - cs),
	    (oe < cs + bl ? oe : cs + bl) - os, false))
		e = EFAULT;
	if (e == 0 && bl > 0)
		e = bounce_io(b, bounce, 0, bl, cs, false, moved);
	if (e != 0 || bl == clen)
		return e;
	/* the partial last granule, on its own, at the buffer's start */
	{
		uint64_t ts = cs + clen - g, from = os > ts ? os : ts;

		e = bounce_io(b, bounce, 0, g, ts, true, moved);
		if (e == 0 && !src_copy(b, from - start, bounce + (from - ts),
		    oe - from, false))
			e = EFAULT;
		if (e == 0)
			e = bounce_io(b, bounce, 0, g, ts, false, moved);
	}
	return e;
}

/*
 * The whole request through a conforming bounce buffer, a chunk of whole
 * granules at a time, in the calling thread.  A write of a partial
 * granule reads the granule first (read-modify-write).
 */
static void
brk_copy(struct brk *b)
{
	const uint64_t g = b->bcb->bcb_granularity;
	const uint64_t start = b->devoff, end = b->devoff + b->total;
	const bool rd = (b->parent->b_flags & B_READ) != 0;
	uint64_t sz = bounce_size(b), gs = round_down(start, g);
	uint64_t ge = round_down(end + g - 1, g), moved;
	struct kcons bc = b->c;
	uint8_t *bounce;
	bool resv = false;
	int e = 0;

	bc.contig = true;
	/*
	 * A bounce buffer without waiting, else the pool's private page
	 * (one page of it at a time), else one that may wait for memory.
	 */
	bounce = kmem_alloc_cons(sz, &bc, KM_NOSLEEP, 0, KK_BUF, "buf_breakup",
	    NULL);
	if (bounce == NULL && pg() % g == 0 && b->c.align <= pg() &&
	    !(b->bcb->bcb_flags & BCB_ONE_PIECE) &&
	    (bounce = physreq_resv_take(b->bcb->bcb_physreqp)) != NULL) {
		uint64_t pa;

		/* below a DDI 6 to 7.1 caller's 4 GiB too */
		VERIFY(vm_vtop(bounce, &pa) == 0);
		if (pa + pg() <= b->c.high) {
			resv = true;
			sz = sz < pg() ? sz : pg();
		} else {
			physreq_resv_give(b->bcb->bcb_physreqp);
			bounce = NULL;
		}
	}
	if (bounce == NULL && (bounce = kmem_alloc_cons(sz, &bc, KM_SLEEP, 0,
	    KK_BUF, "buf_breakup", NULL)) == NULL) {
		b->error = ENOMEM;
		b->short_at = 0;
		return;
	}
	atomic_fetch_add(&brk_bounces, 1);
	for (uint64_t cs = gs; cs < ge && e == 0; cs += sz) {
		uint64_t clen = ge - cs < sz ? ge - cs : sz;
		uint64_t os = cs > start ? cs : start;
		uint64_t oe = cs + clen < end ? cs + clen : end;

		if (rd) {
			e = bounce_io(b, bounce, 0, clen, cs, true, &moved);
			if (e == 0 && !src_copy(b, os - start, bounce + (os -
			    cs), oe - os, true))
				e = EFAULT;
		} else {
			e = copy_write(b, bounce, cs, clen, os, oe, &moved);
		}
		if (e != 0) {
			b->short_at = os - start;
			b->error = e > 0 ? e : 0;
		} else {
			atomic_fetch_add(&brk_bounce_bytes, oe - os);
		}
	}
	if (resv)
		physreq_resv_give(b->bcb->bcb_physreqp);
	else
		kmem_free_checked(bounce, sz, KK_BUF, "buf_breakup", NULL);
}

/* ---- the request in place ---- */

/*
 * Wait once for a piece to finish, under b->mtx.  A wait past the limit
 * is reported, and goes on: the pieces may still be moving data.
 */
static void
brk_wait_locked(struct brk *b, struct vwait *w)
{
	(void)vwait_cond(w, &b->cv, &b->mtx, "pieces of buf %p not done",
	    (void *)b->parent);
}

/*
 * Issue pieces from the plan, in ascending order.  A piece is counted in
 * flight, and takes a spare, in one visit to the lock; a piece that
 * cannot be described is uncounted, and ends the issuing.
 */
static void
brk_issue(struct brk *b, const struct piece *pcs, size_t n)
{
	struct brk *outer = brk_issuing;
	struct kbuf *kb;
	struct vwait w;
	bool last;

	b->count = 1;		/* the bias, while issuing */
	for (size_t i = 0; i < n; i++) {
		buf_t *cbp;
		bool waited = false;

		if (b->inl_n > 0) {
			/* in place of a piece done here, uncounted yet */
			b->inl_n--;
			kb = b->inl_spare;
			b->inl_spare = kb->kb_next;
		} else {
			pthread_mutex_lock(&b->mtx);
			while (b->sync && b->inflight == BRK_WINDOW) {
				if (!waited)
					vwait_start(&w, VWAIT_KEEP,
					    "buf_breakup", NULL);
				waited = true;
				brk_wait_locked(b, &w);
			}
			kb = spare_take_locked(b);
			b->inflight++;
			b->count++;
			pthread_mutex_unlock(&b->mtx);
		}
		cbp = piece_buf_on(b, kb, b->devoff + pcs[i].off, pcs[i].len);
		/* kernel memory given as it is: its address, inline */
		if (cbp != NULL && b->ctype == BA_KVIRT &&
		    b->type == BA_KVIRT) {
			cbp->b_addrtype = BA_KVIRT;
			cbp->b_un.b_addr = b->parent->b_un.b_addr + pcs[i].off;
		} else if (cbp == NULL || !piece_describe(b, &pcs[i], cbp)) {
			pthread_mutex_lock(&b->mtx);
			b->inflight--;
			b->count--;
			if (b->error == 0)
				b->error = ENOMEM;
			if (pcs[i].off < b->short_at)
				b->short_at = pcs[i].off;
			pthread_mutex_unlock(&b->mtx);
			if (cbp != NULL) {
				piece_release((struct kbuf *)cbp);
				freerbuf(cbp);
			}
			break;
		}
		kb = (struct kbuf *)cbp;
		kb->kb_brk = b;
		kb->kb_off = pcs[i].off;
		cbp->b_iodone = brk_piece_done;
		brk_issuing = b;
		b->strat(cbp);
		brk_issuing = outer;
	}
	pthread_mutex_lock(&b->mtx);
	/* the pieces done here and not replaced: counted out, kept spare */
	b->inflight -= b->inl_n;
	b->count -= b->inl_n;
	b->inl_n = 0;
	while ((kb = b->inl_spare) != NULL) {
		b->inl_spare = kb->kb_next;
		kb->kb_next = b->spare;
		b->spare = kb;
	}
	if (b->sync && b->inflight > 0) {
		vwait_start(&w, VWAIT_KEEP, "buf_breakup", NULL);
		while (b->inflight > 0)
			brk_wait_locked(b, &w);
	}
	last = --b->count == 0 || b->sync;
	pthread_mutex_unlock(&b->mtx);
	if (last)
		brk_finish(b);
}

/*
 * The single piece: the request itself, described in the pieces' type
 * if that differs (convert), and, with BCB_SYNCHRONOUS, waited for.  Its
 * list, mapping or uio are the breakup's own (b->res), and the breakup
 * stacks its completion routine through b_iodone and b_misc, which the
 * driver preserves, so that a request that is itself a piece of an
 * outer breakup keeps what the outer one holds.
 */
static void
brk_single_done(buf_t *bp)
{
	struct brk *b = bp->b_misc;
	bool sync = b->sync;

	piece_release(&b->res);
	if (b->saved_type != 0) {
		bp->b_addrtype = b->saved_type;
		bp->b_un.b_addr = b->saved_addr;
		bp->b_scgth = b->saved_sg;
		bp->b_scgth_count = b->saved_count;
		bp->b_flags = (bp->b_flags & ~(uint_t)(B_REMAPPED | B_PHYS |
		    B_PAGEIO)) | (b->saved_flags & (B_REMAPPED | B_PHYS |
		    B_PAGEIO));
	}
	bp->b_iodone = b->saved_iodone;
	bp->b_misc = b->saved_misc;
	if (!sync) {
		brk_free(b);
		biodone(bp);
		return;
	}
	biodone(bp);		/* bp may be gone now: only b below */
	pthread_mutex_lock(&b->mtx);
	b->single_done = true;
	pthread_cond_broadcast(&b->cv);
	pthread_mutex_unlock(&b->mtx);
}

static void
brk_single(struct brk *b, const struct piece *pc, bool convert)
{
	buf_t *bp = b->parent;
	bool sync = b->sync;	/* b is gone once an async piece is done */
	struct vwait w;

	b->saved_iodone = bp->b_iodone;
	b->saved_misc = bp->b_misc;
	b->saved_type = 0;
	if (convert) {
		b->saved_type = bp->b_addrtype;
		b->saved_addr = bp->b_un.b_addr;
		b->saved_sg = bp->b_scgth;
		b->saved_count = bp->b_scgth_count;
		b->saved_flags = bp->b_flags;
		/* it describes neither user space nor pages while converted */
		bp->b_flags &= ~(uint_t)(B_PHYS | B_PAGEIO);
		if (!piece_describe_into(b, pc, bp, &b->res)) {
			bp->b_addrtype = b->saved_type;
			bp->b_un.b_addr = b->saved_addr;
			bp->b_flags = b->saved_flags;
			brk_free(b);
			brk_fail(bp, ENOMEM);
			return;
		}
		if (bp->b_addrtype == BA_KVIRT)
			bp->b_flags |= B_REMAPPED;
	}
	bp->b_misc = b;
	bp->b_iodone = brk_single_done;
	b->strat(bp);
	if (!sync)
		return;
	pthread_mutex_lock(&b->mtx);
	vwait_start(&w, VWAIT_KEEP, "buf_breakup", NULL);
	while (!b->single_done)
		brk_wait_locked(b, &w);
	pthread_mutex_unlock(&b->mtx);
	brk_free(b);
}

/* ---- the entry points ---- */

/* The type the pieces are given in, or 0 when the driver takes none. */
static uchar_t
brk_ctype(uchar_t type, uchar_t takes)
{
	if (takes & type)
		return type;
	if (takes & BA_SCGTH)
		return BA_SCGTH;
	if (takes & BA_KVIRT)
		return BA_KVIRT;
	if (takes & BA_PAGELIST)
		return BA_PAGELIST;	/* through a bounce buffer's pages */
	return 0;
}

static void
brk_fail(buf_t *bp, int error)
{
	bioerror(bp, error);
	bp->b_resid = bp->b_bcount;
	biodone(bp);
}

/* A BA_UIO request's description; reports for func if it is unusable. */
static bool
brk_uio_ok(const buf_t *bp, const char *func, const void *caller)
{
	const uio_t *u = bp->b_un.b_uio;

	if (u == NULL) {
		verify_report(func, caller, "buf %p: BA_UIO with a NULL "
		    "b_un.b_uio", (const void *)bp);
		return false;
	}
	if (u->uio_iovcnt < 0 || (u->uio_iovcnt > 0 && u->uio_iov == NULL)) {
		verify_report(func, caller, "buf %p: uio %p has no iovecs",
		    (const void *)bp, (const void *)u);
		return false;
	}
	for (int i = 0; i < u->uio_iovcnt; i++)
		if (u->uio_iov[i].iov_len < 0) {
			verify_report(func, caller, "buf %p: iovec %d has "
			    "length %d", (const void *)bp, i,
			    u->uio_iov[i].iov_len);
			return false;
		}
	return u->uio_segflg == UIO_SYSSPACE ||
	    proc_live(bp->b_proc, func, caller);
}

/*
 * Everything before a plan, for a bp its caller has found live: false
 * when bp was failed.
 */
static bool
brk_setup(struct brk *b, void (*strat)(buf_t *), buf_t *bp,
    const bcb_t *bcbp, enum ddi_level level, const char *func,
    const void *caller)
{
	const uchar_t types = BA_KVIRT | BA_UVIRT | BA_PAGELIST | BA_UIO;

	memset(b, 0, sizeof(*b));
	if (strat == NULL || !bcb_valid(bcbp, false, func, caller) ||
	    !kmem_physreq_cons(bcbp->bcb_physreqp, level, &b->c, func,
	    caller)) {
		if (strat == NULL)
			verify_report(func, caller, "NULL strategy routine");
		brk_fail(bp, EINVAL);
		return false;
	}
	/*
	 * No type: the driver predates b_addrtype (getrbuf leaves it 0), and
	 * b_flags says what the data is, as the SVR4.2MP kernel read it.
	 * The type taken is recorded in the request.
	 */
	if (bp->b_addrtype == 0)
		bp->b_addrtype = (bp->b_flags & B_PAGEIO) ? BA_PAGELIST :
		    (bp->b_flags & B_PHYS) ? BA_UVIRT : BA_KVIRT;
	if (bp->b_addrtype == BA_UIO && !brk_uio_ok(bp, func, caller)) {
		brk_fail(bp, EINVAL);
		return false;
	}
	if (bp->b_addrtype == BA_UVIRT && !proc_live(bp->b_proc, func,
	    caller)) {
		brk_fail(bp, EINVAL);
		return false;
	}
	if (!(bp->b_addrtype & types) || (bp->b_addrtype &
	    (bp->b_addrtype - 1))) {
		verify_report(func, caller, "buf %p: b_addrtype %#x is not "
		    "one address type buf_breakup takes (BA_KVIRT, BA_UVIRT, "
		    "BA_PAGELIST, BA_UIO)", (void *)bp, bp->b_addrtype);
		brk_fail(bp, EINVAL);
		return false;
	}
	b->parent = bp;
	b->strat = strat;
	b->bcb = bcbp;
	b->level = level;
	b->buf64 = level_rules(level)->buf64;
	b->type = bp->b_addrtype;
	b->ctype = brk_ctype(b->type, bcbp->bcb_addrtypes);
	b->contig = b->c.contig || (bcbp->bcb_flags & BCB_PHYSCONTIG);
	b->sync = (bcbp->bcb_flags & BCB_SYNCHRONOUS) != 0;
	b->total = bp->b_bcount;
	/* DDI 8 requests may name their block in 64 bits */
	b->devoff = (level_rules(level)->buf64 && bp->b_cblkno != 0 ? bp->b_cblkno :
	    (uint64_t)(uint32_t)bp->b_blkno) * 512 + bp->b_blkoff;
	b->short_at = b->total;
	b->maxx = brk_max_xfer(b);
	/*
	 * Kernel memory in one RAM segment of the direct map is one
	 * physical extent, which next_extent need not walk page by page.
	 */
	if (b->type == BA_KVIRT && b->total > 0) {
		const uint8_t *va = (const uint8_t *)bp->b_un.b_addr;

		if (vm_in_dmap(va) && vm_in_dmap(va + b->total - 1)) {
			uint64_t pa = (uint64_t)(va - machine->dmap);
			int sg = machine_seg_of(pa >> machine->pshift);

			b->flat = sg >= 0 && sg == machine_seg_of((pa +
			    b->total - 1) >> machine->pshift);
			b->flat_pa = pa;
			b->flat_kva = (uint8_t *)(uintptr_t)va;
		}
	}
	if (b->ctype == 0) {
		verify_report(func, caller, "bcb_addrtypes %#x has no type "
		    "that can describe a request of type %#x",
		    bcbp->bcb_addrtypes, b->type);
		brk_fail(bp, EINVAL);
		return false;
	}
	if (b->sync && (bp->b_flags & B_ASYNC)) {
		brk_fail(bp, EINVAL);		/* as documented */
		return false;
	}
	return true;
}

static void
pieces_free(struct piece *pcs, struct piece *inl)
{
	if (pcs != inl)
		free(pcs);
}

void
bio_breakup(void (*strat)(buf_t *), buf_t *bp, const bcb_t *bcbp,
    enum ddi_level level, const char *func, const void *caller)
{
	struct piece inl[BRK_INLINE], *pcs = inl, one;
	struct brk *b;
	size_t n = 0, cap = BRK_INLINE;
	uint64_t g;
	bool fault = false, inplace = true;

	if (kbuf_of(bp, func, caller) == NULL ||
	    !kctx_check_block(func, caller, NULL, false))
		return;
	if ((b = calloc(1, sizeof(*b))) == NULL) {
		brk_fail(bp, ENOMEM);
		return;
	}
	if (!brk_setup(b, strat, bp, bcbp, level, func, caller)) {
		free(b);
		return;
	}
	pthread_mutex_init(&b->mtx, NULL);
	pthread_cond_init(&b->cv, NULL);
	g = bcbp->bcb_granularity;
	/* only a page list becomes page lists in place */
	if (b->ctype == BA_PAGELIST && b->type != BA_PAGELIST)
		inplace = false;
	if (b->devoff % g != 0 || b->total % g != 0) {
		if (bcbp->bcb_flags & BCB_EXACT_SIZE) {
			brk_free(b);
			brk_fail(bp, EINVAL);	/* our errno; see the page */
			return;
		}
		inplace = false;
	}
	for (uint64_t off = 0; inplace && off < b->total; off += one.len) {
		if (!plan_piece(b, off, &one, &fault)) {
			inplace = false;
			break;
		}
		if (n == cap) {
			struct piece *np = realloc(pcs == inl ? NULL : pcs,
			    cap * 2 * sizeof(*pcs));

			if (np == NULL) {
				pieces_free(pcs, inl);
				brk_free(b);
				brk_fail(bp, ENOMEM);
				return;
			}
			if (pcs == inl)
				memcpy(np, inl, sizeof(inl));
			pcs = np;
			cap *= 2;
		}
		pcs[n++] = one;
	}
	if (fault) {
		pieces_free(pcs, inl);
		brk_free(b);
		brk_fail(bp, EFAULT);
		return;
	}
	if (inplace && n > 1 && (bcbp->bcb_flags & BCB_ONE_PIECE))
		inplace = false;
	if (!inplace) {
		pieces_free(pcs, inl);
		if ((bcbp->bcb_flags & BCB_ONE_PIECE) && bounce_size(b) <
		    round_down(b->devoff + b->total + g - 1, g) -
		    round_down(b->devoff, g)) {
			brk_free(b);
			brk_fail(bp, EINVAL);	/* cannot be one piece */
			return;
		}
		/* a bounce buffer is kernel memory: never user addresses */
		if (b->ctype != BA_KVIRT && b->ctype != BA_SCGTH &&
		    b->ctype != BA_PAGELIST)
			b->ctype = brk_ctype(BA_KVIRT, bcbp->bcb_addrtypes);
		if (b->ctype == 0 && (bcbp->bcb_addrtypes & BA_PAGELIST))
			b->ctype = BA_PAGELIST;
		if (b->ctype == 0 || b->ctype == BA_UIO) {
			verify_report(func, caller, "bcb_addrtypes %#x has no "
			    "kernel form (BA_KVIRT, BA_SCGTH or BA_PAGELIST) "
			    "for a bounce buffer", bcbp->bcb_addrtypes);
			brk_free(b);
			brk_fail(bp, EINVAL);
			return;
		}
		brk_copy(b);
		brk_finish(b);
		return;
	}
	if (n <= 1) {
		bool same = n == 0 || b->ctype == b->type;
		struct piece first = { 0, 0, 0 };

		if (n == 1)
			first = pcs[0];
		pieces_free(pcs, inl);
		if (same && !b->sync) {
			brk_free(b);
			strat(bp);	/* the request itself, as it is */
		} else {
			brk_single(b, &first, !same);
		}
		return;
	}
	brk_issue(b, pcs, n);
	pieces_free(pcs, inl);
}

DDI_ENTRY_VOID(buf_breakup, (void (*strat)(buf_t *), buf_t *bp,
    const bcb_t *bcbp), (strat, bp, bcbp))
{
	bio_breakup(strat, bp, bcbp, LEVEL_LATEST, DDI_FUNC, DDI_CALLER);
}

DDI_ENTRY_VOID(_Compat_buf_breakup7, (void (*strat)(buf_t *), buf_t *bp,
    const bcb_t *bcbp), (strat, bp, bcbp))
{
	bio_breakup(strat, bp, bcbp, LEVEL_DDI6_71, "buf_breakup",
	    DDI_CALLER);
}

DDI_ENTRY0(uint64_t, ddisim_breakup_reserve_uses)
{
	return physreq_resv_uses();
}

DDI_ENTRY_VOID(ddisim_breakup_stats, (uint64_t *bounces,
    uint64_t *bounce_bytes), (bounces, bounce_bytes))
{
	if (bounces != NULL)
		*bounces = atomic_load(&brk_bounces);
	if (bounce_bytes != NULL)
		*bounce_bytes = atomic_load(&brk_bounce_bytes);
}

/* ---- the DDI 8 kernel's side: breakup before biostart ---- */

/*
 * A DDI 8 driver registers its read and write bcbs with the kernel, and
 * the kernel breaks requests up before it calls the driver's biostart
 * entry point.  ddisim_bio is that kernel step.  buf_breakup calls its
 * strategy routine from the calling thread, so the harness it serves is
 * passed to the routine in a thread-local variable.
 */
struct ddisim_bio {
	const bcb_t	*rbcb, *wbcb;
	void		(*biostart)(void *, uint32_t, buf_t *);
	void		*idata;
	LIST_ENTRY(ddisim_bio) link;	/* bio_harnesses, under bio_lock */
};

/* The live harnesses: a handle is checked against them, as DDI ones are. */
static FORK_MUTEX(bio_lock);
static LIST_HEAD(, ddisim_bio) bio_harnesses =
    LIST_HEAD_INITIALIZER(bio_harnesses);

static bool
bio_harness_valid(struct ddisim_bio *h, const char *func, const void *caller)
{
	struct ddisim_bio *x;

	if (h == NULL) {
		verify_report(func, caller, "NULL harness");
		return false;
	}
	pthread_mutex_lock(&bio_lock);
	LIST_FOREACH(x, &bio_harnesses, link)
		if (x == h)
			break;
	pthread_mutex_unlock(&bio_lock);
	if (x == NULL)
		verify_report(func, caller, "%p is not a harness from "
		    "ddisim_bio_attach, or it was detached", (void *)h);
	return x != NULL;
}

static DDI_TLS struct ddisim_bio *bio_cur;
static DDI_TLS uint32_t bio_channel;

static void
bio_strat(buf_t *bp)
{
	struct ddisim_bio *h = bio_cur;

	VERIFY(h != NULL);
	h->biostart(h->idata, bio_channel, bp);
}

DDI_ENTRY(struct ddisim_bio *, ddisim_bio_attach, (const bcb_t *rbcb,
    const bcb_t *wbcb, void (*biostart)(void *, uint32_t, buf_t *),
    void *idata), (rbcb, wbcb, biostart, idata))
{
	const void *caller = DDI_CALLER;
	struct ddisim_bio *h;

	if (biostart == NULL) {
		verify_report(DDI_FUNC, caller, "NULL biostart routine");
		return NULL;
	}
	if ((rbcb != NULL && !bcb_valid(rbcb, true, DDI_FUNC, caller)) ||
	    (wbcb != NULL && !bcb_valid(wbcb, true, DDI_FUNC, caller)))
		return NULL;
	if ((h = calloc(1, sizeof(*h))) == NULL)
		return NULL;
	h->rbcb = rbcb;
	h->wbcb = wbcb;
	h->biostart = biostart;
	h->idata = idata;
	pthread_mutex_lock(&bio_lock);
	LIST_INSERT_HEAD(&bio_harnesses, h, link);
	pthread_mutex_unlock(&bio_lock);
	return h;
}

DDI_ENTRY_VOID(ddisim_bio_detach, (struct ddisim_bio *h), (h))
{
	if (h == NULL)
		return;
	if (!bio_harness_valid(h, DDI_FUNC, DDI_CALLER))
		return;
	pthread_mutex_lock(&bio_lock);
	LIST_REMOVE(h, link);
	pthread_mutex_unlock(&bio_lock);
	free(h);
}

/*
 * Hand bp to the driver as the kernel would: broken up under the bcb of
 * its direction, or as it is when the driver registered none.
 */
DDI_ENTRY_VOID(ddisim_bio_submit, (struct ddisim_bio *h, uint32_t channel,
    buf_t *bp), (h, channel, bp))
{
	const void *caller = DDI_CALLER;
	struct ddisim_bio *saved = bio_cur;
	uint32_t saved_ch = bio_channel;
	const bcb_t *bcb;

	if (!bio_harness_valid(h, DDI_FUNC, caller))
		return;
	if (kbuf_of(bp, DDI_FUNC, caller) == NULL)
		return;
	bcb = (bp->b_flags & B_READ) ? h->rbcb : h->wbcb;
	if (bcb == NULL) {
		h->biostart(h->idata, channel, bp);
		return;
	}
	bio_cur = h;
	bio_channel = channel;
	bio_breakup(bio_strat, bp, bcb, LEVEL_LATEST, "ddisim_bio_submit",
	    caller);
	bio_cur = saved;
	bio_channel = saved_ch;
}

/*
 * dma_pageio (DDI 1 to 4): raw I/O broken at page boundaries for DMA.
 * In UnixWare 2 and 7 it is buf_breakup with a fixed bcb: kernel, user
 * and page-list data, each piece physically contiguous, at most a page,
 * whole sectors, no address limit.
 */
static struct {
	physreq_t	preq;
	bcb_t		bcb;
	uint64_t	gen;		/* machine the physreq was prepped on */
} pageio;
static FORK_MUTEX(pageio_lock);

static void
pageio_run(void (*strat)(buf_t *), buf_t *bp, enum ddi_level level,
    const void *caller)
{
	pthread_mutex_lock(&pageio_lock);
	if (pageio.gen != machine->generation) {
		memset(&pageio.preq, 0, sizeof(pageio.preq));
		pageio.preq.phys_align = 1;
		pageio.preq.phys_boundary = (paddr_t)pg();
		VERIFY(physreq_prep(&pageio.preq, KM_SLEEP));
		pageio.bcb.bcb_addrtypes = BA_KVIRT | BA_UVIRT | BA_PAGELIST;
		pageio.bcb.bcb_flags = BCB_PHYSCONTIG;
		pageio.bcb.bcb_max_xfer = pg();
		pageio.bcb.bcb_granularity = 512;
		pageio.bcb.bcb_physreqp = &pageio.preq;
		pageio.gen = machine->generation;
	}
	pthread_mutex_unlock(&pageio_lock);
	bio_breakup(strat, bp, &pageio.bcb, level, "dma_pageio", caller);
}

DDI_ENTRY_VOID(dma_pageio, (void (*strat)(buf_t *), buf_t *bp), (strat, bp))
{
	pageio_run(strat, bp, LEVEL_DDI1_4, DDI_CALLER);
}

/* DDI 5 and 6 (not strict): the same, for their bufs. */
DDI_ENTRY_VOID(_Compat_dma_pageio, (void (*strat)(buf_t *), buf_t *bp),
    (strat, bp))
{
	pageio_run(strat, bp, LEVEL_DDI5, DDI_CALLER);
}

/*
 * rdma_filter (DDI 5 and 6, not strict): make a transfer reachable by a
 * device restricted to the ISA bus's 24 address bits.  Every simulated
 * machine with RAM above 16 MiB restricts DMA, so the data is always
 * broken up, and moved through memory below 16 MiB where it lies above.
 */
static struct {
	physreq_t	preq;
	bcb_t		bcb;
	uint64_t	gen;
} rdma;
static FORK_MUTEX(rdma_lock);

DDI_ENTRY_VOID(_Compat_rdma_filter, (void (*strat)(buf_t *), buf_t *bp),
    (strat, bp))
{
	pthread_mutex_lock(&rdma_lock);
	if (rdma.gen != machine->generation) {
		memset(&rdma.preq, 0, sizeof(rdma.preq));
		rdma.preq.phys_align = 1;
		rdma.preq.phys_dmasize = 24;
		VERIFY(physreq_prep(&rdma.preq, KM_SLEEP));
		rdma.bcb.bcb_addrtypes = BA_KVIRT | BA_UVIRT | BA_PAGELIST;
		rdma.bcb.bcb_flags = 0;
		rdma.bcb.bcb_max_xfer = 0;
		rdma.bcb.bcb_granularity = 512;
		rdma.bcb.bcb_physreqp = &rdma.preq;
		rdma.gen = machine->generation;
	}
	pthread_mutex_unlock(&rdma_lock);
	bio_breakup(strat, bp, &rdma.bcb, LEVEL_DDI5, "rdma_filter",
	    DDI_CALLER);
}
