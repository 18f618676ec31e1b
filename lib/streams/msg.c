/*
 * msg.c - message manipulation: linkb, unlinkb, rmvb, msgdsize, adjmsg,
 * pullupmsg, and the msgpullup family's common body (allocb(9)).
 */
#include "config.h"

#include <string.h>

#include "kmem/kmem.h"
#include "machine/entry.h"
#include "machine/machine.h"
#include "streams/streams.h"
#include "verify/verify.h"

#include "sys/stream.h"
#include "exports.h"

/* Bytes in the leading blocks that share the first block's type. */
static size_t
xmsgsize(const mblk_t *mp)
{
	uchar_t type = mp->b_datap->db_type;
	size_t n = 0;

	for (; mp != NULL && mp->b_datap->db_type == type; mp = mp->b_cont)
		n += blen(mp);
	return n;
}

DDI_ENTRY_VOID(linkb, (mblk_t *mp, mblk_t *bp), (mp, bp))
{
	const void *caller = DDI_CALLER;
	mblk_t *b;

	if (!str_msg_ok(mp, DDI_FUNC, caller, NULL) ||
	    !str_msg_ok(bp, DDI_FUNC, caller, NULL))
		return;
	/*
	 * Two linear chains that share a block share everything after it,
	 * mp's last block included: finding that one in bp's chain is the
	 * exact test for a link that would loop.
	 */
	for (b = mp; b->b_cont != NULL; b = b->b_cont)
		;
	for (const mblk_t *x = bp; x != NULL; x = x->b_cont)
		if (x == b) {
			verify_report(DDI_FUNC, caller, "messages %p and %p "
			    "share block %p: linking would make a loop",
			    (void *)mp, (void *)bp, (void *)b);
			return;
		}
	b->b_cont = bp;
}

DDI_ENTRY(mblk_t *, unlinkb, (mblk_t *mp), (mp))
{
	mblk_t *rest;

	if (!str_block_ok(mp, DDI_FUNC, DDI_CALLER))
		return NULL;
	rest = mp->b_cont;
	mp->b_cont = NULL;
	return rest;
}

DDI_ENTRY(mblk_t *, rmvb, (mblk_t *mp, mblk_t *bp), (mp, bp))
{
	mblk_t **pp;

	if (!str_msg_ok(mp, DDI_FUNC, DDI_CALLER, NULL))
		return (mblk_t *)-1;
	for (pp = &mp; *pp != NULL; pp = &(*pp)->b_cont)
		if (*pp == bp) {
			*pp = bp->b_cont;
			bp->b_cont = NULL;
			return mp;
		}
	return (mblk_t *)-1;
}

/* High priority: the types from QPCTL up, whatever the message holds. */
DDI_ENTRY(int, pcmsg, (uchar_t type), (type))
{
	return type >= QPCTL;
}

DDI_ENTRY(int, msgdsize, (mblk_t *mp), (mp))
{
	size_t n = 0;

	if (!str_msg_ok(mp, DDI_FUNC, DDI_CALLER, NULL))
		return 0;
	for (; mp != NULL; mp = mp->b_cont)
		if (mp->b_datap->db_type == M_DATA)
			n += blen(mp);
	return n > INT32_MAX ? INT32_MAX : (int)n;
}

/*
 * Trim len bytes from the head (len > 0) or -len from the tail (len < 0)
 * of the leading blocks of the first block's type.  Emptied blocks stay.
 */
DDI_ENTRY(int, adjmsg, (mblk_t *mp, int len), (mp, len))
{
	size_t want, run, keep;
	uchar_t type;
	mblk_t *b;

	if (!str_msg_ok(mp, DDI_FUNC, DDI_CALLER, NULL))
		return 0;
	run = xmsgsize(mp);
	want = len < 0 ? (size_t)-(long)len : (size_t)len;
	if (want > run)
		return 0;
	type = mp->b_datap->db_type;
	if (len >= 0) {
		for (b = mp; want > 0; b = b->b_cont) {
			size_t take = blen(b) < want ? blen(b) : want;

			b->b_rptr += take;
			want -= take;
		}
		return 1;
	}
	keep = run - want;
	for (b = mp; b != NULL && b->b_datap->db_type == type;
	    b = b->b_cont) {
		if (blen(b) > keep)
			b->b_wptr = b->b_rptr + keep;
		keep -= blen(b);
	}
	return 1;
}

/*
 * The msgpullup family: a new message whose first block holds the first
 * len bytes (all leading same-type bytes for -1) and whose other blocks
 * are copies of the rest, empty ones left out, every block placed under
 * c.  whole: the rest are copyb copies (whole buffer, same offsets);
 * else data-only copies.  The original is never changed.
 */
mblk_t *
str_pullup(mblk_t *mp, int len, const struct kcons *c, bool whole,
    const char *func, const void *caller)
{
	mblk_t *head, **tail, *b;
	size_t n, want, skip;
	uchar_t *dst;

	if (!str_msg_walk(mp, func, caller, NULL, &n))
		return NULL;
	if (len < -1) {
		verify_report(func, caller, "length %d: give -1 (all) or a "
		    "count of bytes", len);
		return NULL;
	}
	want = len == -1 ? n : (size_t)len;
	if (want > n || (c->boundary != 0 && want > c->boundary))
		return NULL;
	if ((head = str_alloc(want, c, func, caller)) == NULL)
		return NULL;
	head->b_datap->db_type = mp->b_datap->db_type;
	head->b_band = mp->b_band;
	head->b_flag = mp->b_flag;
	dst = head->b_wptr;
	for (b = mp, skip = 0; want > 0; ) {
		size_t take = blen(b) < want ? blen(b) : want;

		memcpy(dst, b->b_rptr, take);
		dst += take;
		want -= take;
		if (take < blen(b)) {
			skip = take;
			break;
		}
		b = b->b_cont;
	}
	head->b_wptr = dst;
	tail = &head->b_cont;
	for (; b != NULL; b = b->b_cont, skip = 0) {
		if (blen(b) == skip)
			continue;
		if (!whole && c->boundary != 0 && blen(b) - skip > c->boundary)
			goto fail;
		if ((*tail = str_copy(b, skip, c, whole, func, caller)) == NULL)
			goto fail;
		tail = &(*tail)->b_cont;
	}
	return head;
fail:
	str_free_chain(head);
	return NULL;
}

/* Swap two blocks' contents but for their identity (b_pad1, b_pad2). */
static void
mblk_swap(mblk_t *a, mblk_t *b)
{
	mblk_t t = *a;
	uchar_t pa = a->b_pad1, pb = b->b_pad1;

	*a = *b;
	*b = t;
	a->b_pad1 = pa;
	b->b_pad1 = pb;
}

/*
 * In place: the first len bytes (all leading same-type bytes for -1)
 * move into a new DMA-able, contiguous data block that the head block,
 * keeping its address, type, band and flags, now points at.  Blocks the
 * bytes came from completely are freed; what remains of the last one
 * stays, and what remains of the head's old data follows the head in a
 * block of its own.  Already contiguous and DMA-able: nothing changes.
 */
DDI_ENTRY(int, pullupmsg, (mblk_t *mp, int len), (mp, len))
{
	const void *caller = DDI_CALLER;
	struct kcons c;
	mblk_t *nb, *b, *next, **tail, *nx;
	size_t n, want;
	uchar_t *dst;

	if (!str_msg_ok(mp, DDI_FUNC, caller, NULL))
		return 0;
	if (len < -1) {
		verify_report(DDI_FUNC, caller, "length %d: give -1 (all) or "
		    "a count of bytes", len);
		return 0;
	}
	n = xmsgsize(mp);
	want = len == -1 ? n : (size_t)len;
	if (want > n)
		return 0;
	str_level_cons(LEVEL_DDI5, &c);
	if (blen(mp) >= want && str_range_ok(mp->b_rptr, want, &c))
		return 1;
	if ((nb = str_alloc(want, &c, DDI_FUNC, caller)) == NULL)
		return 0;
	nb->b_datap->db_type = mp->b_datap->db_type;
	dst = nb->b_wptr;
	/* The head's bytes, then those of the blocks after it. */
	b = mp;
	while (want > 0) {
		size_t take = blen(b) < want ? blen(b) : want;

		memcpy(dst, b->b_rptr, take);
		dst += take;
		b->b_rptr += take;
		want -= take;
		if (want > 0)
			b = b->b_cont;
	}
	nb->b_wptr = dst;
	/* b: the last block touched.  Free the emptied ones but the head. */
	next = b->b_cont;
	if (b != mp) {
		for (mblk_t *x = mp->b_cont; x != b; x = nx) {
			nx = x->b_cont;
			str_free(x);
		}
		if (blen(b) == 0) {
			str_free(b);
		} else {
			b->b_cont = next;
			next = b;
		}
	}
	/* The head takes the new data; nb holds the old, if any is left. */
	nb->b_band = mp->b_band;
	nb->b_flag = mp->b_flag;
	mblk_swap(mp, nb);
	mp->b_next = nb->b_next;
	mp->b_prev = nb->b_prev;
	nb->b_next = nb->b_prev = NULL;
	tail = &mp->b_cont;
	if (blen(nb) > 0) {
		*tail = nb;
		tail = &nb->b_cont;
	} else {
		str_free(nb);
	}
	*tail = next;
	return 1;
}
