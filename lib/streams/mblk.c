/*
 * mblk.c - message and data blocks: allocation, sharing, copying, freeing
 * and the checks every entry point makes (allocb(9), msgb(9)).
 *
 * All of it is non-blocking: allocations are KM_NOSLEEP, so failrate=
 * reaches them, and nothing here waits.  Reference counts are atomic, so
 * two contexts may free blocks that share a data block at once.
 */
#include "config.h"

#include <string.h>

#include "kmem/kmem_obj.h"
#include "machine/machine.h"
#include "streams/streams.h"
#include "verify/verify.h"
#include "vm/vm.h"

#include "sys/stream.h"

static const struct kcons hdr_cons = {
	.high = UINT64_MAX, .align = 16, .boundary = 0, .contig = false
};

/* What plain allocb gives a driver of the level (see util/level.h). */
void
str_level_cons(enum ddi_level level, struct kcons *c)
{
	const struct level_place *pl = &level_rules(level)->allocb;

	c->high = pl->high;
	c->align = pl->align;
	c->boundary = 0;
	c->contig = pl->contig;
}

static void *
str_mem(size_t size, const struct kcons *c, const char *func,
    const void *caller)
{
	return kmem_obj_alloc(size, c, KM_NOSLEEP, KK_STREAMS, func, caller);
}

static void
str_mem_free(void *p, size_t size)
{
	kmem_obj_free(p, size, KK_STREAMS, "freeb", NULL);
}

static void
mblk_init(mblk_t *m, dblk_t *d, bool own)
{
	memset(m, 0, sizeof(*m));
	m->b_rptr = m->b_wptr = d->db_base;
	m->b_datap = d;
	m->b_pad1 = own ? MB_OWN : 0;
	m->b_pad2 = MB_LIVE;
}

/* A header, with room for inline bytes after it. */
static struct mdb *
mdb_new(size_t inline_len, const struct kcons *c, const char *func,
    const void *caller)
{
	struct mdb *h;

	if ((h = str_mem(sizeof(*h) + inline_len, c, func, caller)) == NULL)
		return NULL;
	memset(&h->d, 0, sizeof(h->d));
	h->d.db_ref = 1;
	h->d.db_type = M_DATA;
	atomic_init(&h->holders, 2);
	h->svc_next = NULL;
	return h;
}

void
str_mdb_release(struct mdb *h, unsigned halves)
{
	size_t size = sizeof(*h);

	/*
	 * Holding every live half, the caller is the only one who may touch
	 * the count: no atomic read-modify-write is needed to see it reach
	 * zero.  The acquire pairs with the release of the other half's
	 * holder, whose writes must be seen before the memory is reused.
	 */
	if (atomic_load_explicit(&h->holders, memory_order_acquire) != halves &&
	    atomic_fetch_sub_explicit(&h->holders, halves,
	    memory_order_acq_rel) != halves)
		return;
	if (h->d.db_muse & DB_INLINE)
		size += h->d.db_size;
	str_mem_free(h, size);
}

mblk_t *
str_alloc(size_t size, const struct kcons *c, const char *func,
    const void *caller)
{
	struct kcons ic = *c;
	struct mdb *h;
	uchar_t *buf;

	if (size > UINT32_MAX)
		return NULL;
	/* Inline when the header's placement serves the buffer too. */
	if (size <= STR_INLINE_MAX && c->boundary == 0 && c->align <= 16) {
		ic.align = 16;
		if ((h = mdb_new(size, &ic, func, caller)) == NULL)
			return NULL;
		h->d.db_muse = DB_INLINE;
		buf = (uchar_t *)(h + 1);
	} else {
		/*
		 * The header under the buffer's address limit too: kmem
		 * then serves both from the window it saw last.
		 */
		ic.align = 16;
		ic.boundary = 0;
		ic.contig = false;
		if ((h = mdb_new(0, &ic, func, caller)) == NULL)
			return NULL;
		if ((buf = str_mem(size > 0 ? size : 1, c, func, caller)) ==
		    NULL) {
			str_mem_free(h, sizeof(*h));
			return NULL;
		}
		h->d.db_muse = DB_SEP;
		h->d.db_addr = (caddr_t)buf;
	}
	h->d.db_size = (uint32_t)size;
	h->d.db_base = buf;
	h->d.db_lim = buf + size;
	mblk_init(&h->m, &h->d, true);
	return &h->m;
}

mblk_t *
str_alloc_ext(uchar_t *base, size_t size, frtn_t *fr, const char *func,
    const void *caller)
{
	struct mdb *h;

	if ((h = mdb_new(0, &hdr_cons, func, caller)) == NULL)
		return NULL;
	h->d.db_muse = DB_EXT;
	h->d.db_frtnp = fr;
	h->d.db_size = (uint32_t)size;
	h->d.db_base = base;
	h->d.db_lim = base + size;
	mblk_init(&h->m, &h->d, true);
	return &h->m;
}

mblk_t *
str_dup(mblk_t *bp, const char *func, const void *caller)
{
	dblk_t *d = bp->b_datap;
	uint8_t ref = __atomic_load_n(&d->db_ref, __ATOMIC_RELAXED);
	mblk_t *m;

	do {
		if (ref == UINT8_MAX)
			return NULL;
	} while (!__atomic_compare_exchange_n(&d->db_ref, &ref, ref + 1,
	    true, __ATOMIC_RELAXED, __ATOMIC_RELAXED));
	if ((m = str_mem(sizeof(*m), &hdr_cons, func, caller)) == NULL) {
		__atomic_sub_fetch(&d->db_ref, 1, __ATOMIC_RELEASE);
		return NULL;
	}
	*m = *bp;
	m->b_next = m->b_prev = m->b_cont = NULL;
	m->b_pad1 = 0;
	m->b_pad2 = MB_LIVE;
	return m;
}

/* The data block's last reference went: its buffer goes, then its half. */
static void
dblk_die(dblk_t *d)
{
	struct mdb *h = MDB_OF_D(d);

	if (d->db_muse & DB_EXT) {
		str_svc_defer_free(h);	/* the service releases the half */
		return;
	}
	if (d->db_muse & DB_SEP)
		str_mem_free(d->db_addr, d->db_size > 0 ? d->db_size : 1);
	str_mdb_release(h, 1);
}

void
str_free(mblk_t *bp)
{
	dblk_t *d = bp->b_datap;
	bool last;

	/* Sole holder: nobody else can take a reference meanwhile. */
	if (__atomic_load_n(&d->db_ref, __ATOMIC_ACQUIRE) == 1) {
		__atomic_store_n(&d->db_ref, 0, __ATOMIC_RELAXED);
		last = true;
	} else {
		last = __atomic_sub_fetch(&d->db_ref, 1, __ATOMIC_ACQ_REL) ==
		    0;
	}
	bp->b_pad2 = MB_DEAD;
	if (!(bp->b_pad1 & MB_OWN)) {
		str_mem_free(bp, sizeof(*bp));
		if (last)
			dblk_die(d);
		return;
	}
	/*
	 * The common case, a block and its own data block, goes at once:
	 * both halves together, with no atomic step between them.
	 */
	if (last && (struct mdb *)bp == MDB_OF_D(d) &&
	    !(d->db_muse & DB_EXT)) {
		if (d->db_muse & DB_SEP)
			str_mem_free(d->db_addr, d->db_size > 0 ?
			    d->db_size : 1);
		str_mdb_release((struct mdb *)bp, 2);
		return;
	}
	if (last)
		dblk_die(d);
	str_mdb_release((struct mdb *)bp, 1);
}

void
str_free_chain(mblk_t *mp)
{
	mblk_t *next;

	for (; mp != NULL; mp = next) {
		next = mp->b_cont;
		str_free(mp);
	}
}

mblk_t *
str_copy(const mblk_t *bp, size_t skip, const struct kcons *c, bool whole,
    const char *func, const void *caller)
{
	const dblk_t *d = bp->b_datap;
	const uchar_t *from = bp->b_rptr + skip;
	size_t len = (size_t)(bp->b_wptr - from);
	size_t off = whole ? (size_t)(from - d->db_base) : 0;
	mblk_t *m;

	m = str_alloc(whole ? (size_t)(d->db_lim - d->db_base) : len, c, func,
	    caller);
	if (m == NULL)
		return NULL;
	m->b_datap->db_type = d->db_type;
	m->b_band = bp->b_band;
	m->b_flag = bp->b_flag;
	m->b_rptr += off;
	if (len > 0)
		memcpy(m->b_rptr, from, len);
	m->b_wptr = m->b_rptr + len;
	return m;
}

mblk_t *
str_copy_chain(const mblk_t *mp, const struct kcons *c, bool whole,
    const char *func, const void *caller)
{
	mblk_t *head = NULL, **tail = &head;

	for (; mp != NULL; mp = mp->b_cont) {
		if ((*tail = str_copy(mp, 0, c, whole, func, caller)) ==
		    NULL) {
			str_free_chain(head);
			return NULL;
		}
		tail = &(*tail)->b_cont;
	}
	return head;
}

/*
 * One block: a live message block (it starts a kmem allocation and
 * carries the magic), a live data block, pointers inside it.
 */
bool
str_block_check(const mblk_t *bp, const char *func, const void *caller)
{
	const dblk_t *d;
	size_t size;

	if (str_block_fine(bp))
		return true;
	if (bp == NULL) {
		verify_report(func, caller, "NULL message block");
		return false;
	}
	size = kmem_live_size(bp);
	if (((uintptr_t)bp & 7) != 0 || (size != sizeof(mblk_t) &&
	    size < sizeof(struct mdb))) {
		verify_report(func, caller, "%p is not a live message block "
		    "(already freed, or never allocated)", (void *)bp);
		return false;
	}
	if (bp->b_pad2 != MB_LIVE) {
		verify_report(func, caller, bp->b_pad2 == MB_DEAD ?
		    "message block %p was already freed" :
		    "%p is not a live message block (already freed, or never "
		    "allocated)", (void *)bp);
		return false;
	}
	d = bp->b_datap;
	if (d == NULL || kmem_live_size(MDB_OF_D(d)) < sizeof(struct mdb) ||
	    __atomic_load_n(&d->db_ref, __ATOMIC_RELAXED) == 0 ||
	    (d->db_muse != DB_INLINE && d->db_muse != DB_SEP &&
	    d->db_muse != DB_EXT)) {
		verify_report(func, caller, "message block %p: b_datap %p is "
		    "not a live data block", (void *)bp, (void *)d);
		return false;
	}
	if (bp->b_rptr > bp->b_wptr) {
		verify_report(func, caller, "message block %p: b_rptr %p is "
		    "past b_wptr %p", (void *)bp, (void *)bp->b_rptr,
		    (void *)bp->b_wptr);
		return false;
	}
	if (bp->b_rptr < d->db_base || bp->b_wptr > d->db_lim) {
		verify_report(func, caller, "message block %p: [b_rptr %p, "
		    "b_wptr %p) is outside its data block [%p, %p)",
		    (void *)bp, (void *)bp->b_rptr, (void *)bp->b_wptr,
		    (void *)d->db_base, (void *)d->db_lim);
		return false;
	}
	return true;
}

/*
 * str_msg_walk while every block passes blk_quick, in a loop that calls
 * nothing, with the same loop test; false, with nothing said, as soon as
 * one does not, for the full walk to start again from the head.  want_x
 * is a constant where it is inlined.
 */
static inline __attribute__((always_inline)) bool
msg_walk_quick(const mblk_t *mp, size_t *nblocks, size_t *xbytes,
    bool want_x)
{
	const mblk_t *saved = mp;
	size_t n = 0, x = 0;
	const uint8_t *lo;
	uintptr_t span, bias;
	unsigned type;
	bool lead = want_x;

	if (unlikely(!kmem_fast_ok))
		return false;
	lo = machine->dmap;
	span = machine->top;
	bias = record_shadow_bias;
	if (!blk_quick(mp, lo, span, bias))
		return false;
	type = mp->b_datap->db_type;
	for (;;) {
		const mblk_t *next = mp->b_cont;

		n++;
		if (lead) {
			if (mp->b_datap->db_type == type)
				x += blen(mp);
			else
				lead = false;
		}
		if (next == NULL)
			break;
		if (unlikely(next == saved))
			return false;
		/*
		 * Brent's test as the full walk makes it, with the saved
		 * block moved on when the count is a power of two: no step
		 * counter of its own, the same bound.
		 */
		if ((n & (n - 1)) == 0)
			saved = next;
		mp = next;
		if (unlikely(!blk_quick(mp, lo, span, bias)))
			return false;
	}
	if (nblocks != NULL)
		*nblocks = n;
	if (want_x)
		*xbytes = x;
	return true;
}

/* Its two forms, each compiled apart so that its loop keeps all in registers. */
static __attribute__((noinline)) bool
msg_walk_quick_x(const mblk_t *mp, size_t *nblocks, size_t *xbytes)
{
	return msg_walk_quick(mp, nblocks, xbytes, true);
}

static __attribute__((noinline)) bool
msg_walk_quick_n(const mblk_t *mp, size_t *nblocks)
{
	return msg_walk_quick(mp, nblocks, NULL, false);
}

/*
 * Every block of a message, and that the chain ends.  Brent's test:
 * the saved block moves to the current one whenever the step count
 * reaches a power of two; a chain that loops meets the saved block
 * within twice its length, with no memory and one comparison a block.
 * On the way it counts the blocks and, for callers that want it, the
 * bytes of the leading blocks of the first one's type (xmsgsize), so
 * that they need not walk the message a second time.  Messages whose
 * blocks all pass the quick checks are walked once; any other is walked
 * again block by block with the full checks, which report.
 */
bool
str_msg_walk_all(const mblk_t *mp, const char *func, const void *caller,
    size_t *nblocks, size_t *xbytes)
{
	const mblk_t *head = mp, *saved = mp;
	size_t n = 0, power = 1, lam = 0, x = 0;
	bool lead = true;

	if (mp == NULL) {
		verify_report(func, caller, "NULL message");
		return false;
	}
	if (xbytes != NULL ? likely(msg_walk_quick_x(mp, nblocks, xbytes)) :
	    likely(msg_walk_quick_n(mp, nblocks)))
		return true;
	for (; mp != NULL; mp = mp->b_cont) {
		if (!str_block_check(mp, func, caller))
			return false;
		n++;
		if (lead) {
			if (mp->b_datap->db_type == head->b_datap->db_type)
				x += blen(mp);
			else
				lead = false;
		}
		if (mp->b_cont == saved) {
			verify_report(func, caller, "message %p loops: block "
			    "%p's b_cont leads back to block %p", (void *)head,
			    (void *)mp, (void *)saved);
			return false;
		}
		if (++lam == power) {
			saved = mp->b_cont;
			power <<= 1;
			lam = 0;
		}
	}
	if (nblocks != NULL)
		*nblocks = n;
	if (xbytes != NULL)
		*xbytes = x;
	return true;
}

/*
 * Whether [va, va+len) meets c as physreq_met decides: every byte below
 * c->high, every physically contiguous segment starting aligned and not
 * crossing a boundary, and one segment if c->contig.  Memory outside
 * simulated RAM has no physical address and never meets it.  An empty
 * range has nothing to transfer and meets anything.
 */
static bool
str_seg_ok(uint64_t pa, uint64_t len, const struct kcons *c)
{
	if (pa + len > c->high || (pa & (c->align - 1)) != 0)
		return false;
	return c->boundary == 0 ||
	    (pa & ~(c->boundary - 1)) == ((pa + len - 1) & ~(c->boundary - 1));
}

bool
str_range_ok(const void *va, size_t len, const struct kcons *c)
{
	const uint8_t *p = va;
	size_t pg = machine->spec.page;
	uint64_t seg = 0, seglen = 0, a;

	if (len == 0)
		return true;
	/* In one RAM segment of the direct map: one physical extent. */
	if (vm_in_dmap(p) && vm_in_dmap(p + len - 1)) {
		uint64_t pa = (uint64_t)(p - machine->dmap);
		int sg = machine_seg_of(pa >> machine->pshift);

		if (sg >= 0 && sg == machine_seg_of((pa + len - 1) >>
		    machine->pshift))
			return str_seg_ok(pa, len, c);
	}
	while (len > 0) {
		size_t chunk = pg - ((uintptr_t)p & (pg - 1));

		if (chunk > len)
			chunk = len;
		if (vm_vtop(p, &a) != 0)
			return false;
		if (seglen > 0 && seg + seglen == a) {
			seglen += chunk;
		} else {
			if (seglen > 0 && (c->contig || !str_seg_ok(seg, seglen,
			    c)))
				return false;
			seg = a;
			seglen = chunk;
		}
		p += chunk;
		len -= chunk;
	}
	return str_seg_ok(seg, seglen, c);
}
