/*
 * physreq.c - the physreq-aware STREAMS routines: allocb_physreq,
 * msgphysreq, msgpullup_physreq (allocb_physreq(9), msgphysreq(9),
 * msgpullup_physreq(9)), and the conforming copies msgscgth shares.
 *
 * Interface levels 5 to 7.1 see physical addresses as 32 bits, so the
 * versions they are bound to place nothing at or above 4 GiB, whatever
 * the physreq's phys_dmasize says.
 */
#include "config.h"

#include "kmem/kmem_obj.h"
#include "machine/entry.h"
#include "machine/machine.h"
#include "streams/streams.h"
#include "verify/verify.h"

#include "sys/stream.h"
#include "exports.h"

bool
str_physreq_cons(physreq_t *preq, enum ddi_level level, struct kcons *c,
    const char *func, const void *caller)
{
	if (likely(kmem_physreq_cons_fast(preq, level, c)))
		return true;
	return kmem_physreq_cons(preq, level, c, func, caller);
}

static mblk_t *
allocb_physreq_level(int size, physreq_t *preq, enum ddi_level level,
    const char *func, const void *caller)
{
	struct kcons c;

	if (size < 0) {
		verify_report(func, caller, "negative size %d", size);
		return NULL;
	}
	if (!str_physreq_cons(preq, level, &c, func, caller))
		return NULL;
	if (c.boundary != 0 && (size_t)size > c.boundary) {
		kmem_explain(func, (size_t)size, &c, KW_BOUNDARY);
		verify_report(func, caller, "size %d is larger than the "
		    "physreq's boundary %#llx", size,
		    (unsigned long long)c.boundary);
		return NULL;
	}
	return str_alloc(size > 0 ? (size_t)size : 4, &c, func, caller);
}

DDI_ENTRY(mblk_t *, allocb_physreq, (int size, uint_t pri, physreq_t *preq),
    (size, pri, preq))
{
	(void)pri;
	return allocb_physreq_level(size, preq, LEVEL_LATEST, DDI_FUNC,
	    DDI_CALLER);
}

DDI_ENTRY(mblk_t *, _Compat_allocb_physreq7, (int size, uint_t pri,
    physreq_t *preq), (size, pri, preq))
{
	(void)pri;
	return allocb_physreq_level(size, preq, LEVEL_DDI6_71, "allocb_physreq",
	    DDI_CALLER);
}

/*
 * Conforming copies of the blocks of mp whose data does not meet c, in
 * message order through b_next, each remembering in b_prev the block it
 * stands for.  *copies is NULL when every block conforms.  False, with
 * nothing made, on shortage or when a block is longer than a boundary
 * (nothing splits a block).
 */
bool
str_conform_copies(mblk_t *mp, const struct kcons *c, mblk_t **copies,
    const char *func, const void *caller)
{
	mblk_t *b, *nb, **tail = copies;

	*copies = NULL;
	for (b = mp; b != NULL; b = b->b_cont) {
		if (str_range_ok(b->b_rptr, blen(b), c))
			continue;
		if ((c->boundary != 0 && blen(b) > c->boundary) ||
		    (nb = str_copy(b, 0, c, false, func, caller)) == NULL) {
			str_copies_free(*copies);
			*copies = NULL;
			return false;
		}
		nb->b_prev = b;
		*tail = nb;
		tail = &nb->b_next;
	}
	return true;
}

void
str_copies_free(mblk_t *copies)
{
	mblk_t *next;

	for (; copies != NULL; copies = next) {
		next = copies->b_next;
		str_free(copies);
	}
}

/* Put the copies in place of their originals and free those. */
mblk_t *
str_conform_commit(mblk_t *mp, mblk_t *copies)
{
	mblk_t *head = mp, **pp = &head, *nb, *next, *orig;

	for (nb = copies; nb != NULL; nb = next) {
		next = nb->b_next;
		orig = nb->b_prev;
		while (*pp != orig)
			pp = &(*pp)->b_cont;
		nb->b_cont = orig->b_cont;
		*pp = nb;
		pp = &nb->b_cont;
		if (orig == mp) {
			nb->b_next = mp->b_next;
			nb->b_prev = mp->b_prev;
		} else {
			nb->b_next = nb->b_prev = NULL;
		}
		str_free(orig);
	}
	return head;
}

/* Why a valid message could not be made to conform, unreported. */
static void
msgphysreq_explain(mblk_t *mp, const struct kcons *c, const char *func)
{
	for (mblk_t *b = mp; b != NULL; b = b->b_cont) {
		size_t bl = (size_t)(b->b_wptr - b->b_rptr);

		if (c->boundary != 0 && bl > c->boundary) {
			kmem_explain_why(func, bl, c, "a block of the message "
			    "is larger than the boundary");
			return;
		}
	}
}

static mblk_t *
msgphysreq_level(mblk_t *mp, physreq_t *preq, enum ddi_level level,
    const char *func, const void *caller)
{
	/* the reports so far, read only for an explanation */
	bool explain = unlikely(kmem_explain_mode != 0);
	unsigned long reports = explain ? verify_count() : 0;
	struct kcons c;
	mblk_t *copies;

	if (!str_msg_ok(mp, func, caller, NULL) ||
	    !str_physreq_cons(preq, level, &c, func, caller))
		return NULL;
	if (!str_conform_copies(mp, &c, &copies, func, caller)) {
		if (explain && verify_count() == reports)
			msgphysreq_explain(mp, &c, func);
		return NULL;
	}
	return copies == NULL ? mp : str_conform_commit(mp, copies);
}

DDI_ENTRY(mblk_t *, msgphysreq, (mblk_t *mp, physreq_t *preq), (mp, preq))
{
	return msgphysreq_level(mp, preq, LEVEL_LATEST, DDI_FUNC,
	    DDI_CALLER);
}

DDI_ENTRY(mblk_t *, _Compat_msgphysreq7, (mblk_t *mp, physreq_t *preq),
    (mp, preq))
{
	return msgphysreq_level(mp, preq, LEVEL_DDI6_71, "msgphysreq", DDI_CALLER);
}

/*
 * Why a pullup of a valid message failed without a report: the message
 * is too short, the length or a block left after it does not fit in the
 * boundary, or (said by the allocator already) memory was short.
 */
static void
msgpullup_physreq_explain(mblk_t *mp, int len, const struct kcons *c,
    const char *func)
{
	uchar_t type = mp->b_datap->db_type;
	size_t n = 0, want, skip;

	/* The leading blocks that share the first one's type. */
	for (mblk_t *b = mp; b != NULL && b->b_datap->db_type == type;
	    b = b->b_cont)
		n += (size_t)(b->b_wptr - b->b_rptr);
	want = len == -1 ? n : (size_t)len;
	skip = want;

	if (want > n) {
		kmem_explain_why(func, want, c, "the message holds only %zu "
		    "bytes", n);
		return;
	}
	if (c->boundary != 0 && want > c->boundary) {
		kmem_explain(func, want, c, KW_BOUNDARY);
		return;
	}
	for (mblk_t *b = mp; b != NULL; b = b->b_cont) {
		size_t bl = (size_t)(b->b_wptr - b->b_rptr);

		if (skip >= bl) {
			skip -= bl;
			continue;
		}
		if (c->boundary != 0 && bl - skip > c->boundary) {
			kmem_explain_why(func, want, c, "%zu bytes of a later "
			    "block, which is not pulled up, are more than the "
			    "boundary", bl - skip);
			return;
		}
		skip = 0;
	}
}

static mblk_t *
msgpullup_physreq_level(mblk_t *mp, int len, physreq_t *preq,
    enum ddi_level level, const char *func, const void *caller)
{
	/* the reports so far, read only for an explanation */
	bool explain = unlikely(kmem_explain_mode != 0);
	unsigned long reports = explain ? verify_count() : 0;
	struct kcons c;
	mblk_t *nb;

	if (!str_physreq_cons(preq, level, &c, func, caller))
		return NULL;
	nb = str_pullup(mp, len, &c, false, func, caller);
	if (unlikely(nb == NULL) && explain && verify_count() == reports)
		msgpullup_physreq_explain(mp, len, &c, func);
	return nb;
}

DDI_ENTRY(mblk_t *, msgpullup_physreq, (mblk_t *mp, int len, physreq_t *preq),
    (mp, len, preq))
{
	return msgpullup_physreq_level(mp, len, preq, LEVEL_LATEST,
	    DDI_FUNC, DDI_CALLER);
}

DDI_ENTRY(mblk_t *, _Compat_msgpullup_physreq7, (mblk_t *mp, int len,
    physreq_t *preq), (mp, len, preq))
{
	return msgpullup_physreq_level(mp, len, preq, LEVEL_DDI6_71,
	    "msgpullup_physreq", DDI_CALLER);
}
