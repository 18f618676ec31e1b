/*
 * api.c - the classic allocation entry points, one per interface version
 * where placement differs (allocb(9); see sys/stream.h).
 *
 * Every entry point checks what it is given before it touches it: a
 * block that is not live, pointers outside their data block, a message
 * that loops.  Those are reported and not followed: the call then does
 * nothing and returns its failure value.
 */
#include "config.h"

#include "kmem/kmem.h"
#include "machine/entry.h"
#include "machine/machine.h"
#include "streams/streams.h"
#include "streams/strq.h"
#include "verify/verify.h"

#include "sys/stream.h"
#include "exports.h"

/* allocb's minimum buffer, for a request of 0 bytes. */
#define STR_MINBUF	4

static mblk_t *
allocb_level(int size, enum ddi_level level, const char *func, const void *caller)
{
	struct kcons c;

	if (size < 0) {
		verify_report(func, caller, "negative size %d", size);
		return NULL;
	}
	str_level_cons(level, &c);
	return str_alloc(size > 0 ? (size_t)size : STR_MINBUF, &c, func,
	    caller);
}

DDI_ENTRY(mblk_t *, allocb, (int size, uint_t pri), (size, pri))
{
	(void)pri;
	return allocb_level(size, LEVEL_LATEST, DDI_FUNC, DDI_CALLER);
}

DDI_ENTRY(mblk_t *, _Compat_allocb7, (int size, uint_t pri), (size, pri))
{
	(void)pri;
	return allocb_level(size, LEVEL_DDI6_71, "allocb", DDI_CALLER);
}

DDI_ENTRY(mblk_t *, _Compat_allocb5, (int size, uint_t pri), (size, pri))
{
	(void)pri;
	return allocb_level(size, LEVEL_DDI5, "allocb", DDI_CALLER);
}

DDI_ENTRY(mblk_t *, esballoc, (uchar_t *base, int size, int pri, frtn_t *fr),
    (base, size, pri, fr))
{
	const void *caller = DDI_CALLER;

	(void)pri;
	if (base == NULL || fr == NULL || fr->free_func == NULL ||
	    size < 0) {
		verify_report(DDI_FUNC, caller, "%s", base == NULL ?
		    "NULL base" : fr == NULL ? "NULL free routine" :
		    fr->free_func == NULL ? "NULL free_func" :
		    "negative size");
		return NULL;
	}
	return str_alloc_ext(base, (size_t)size, fr, DDI_FUNC, caller);
}

/* A message on a queue is the queue's: freeing it is reported. */
static bool
not_queued(const mblk_t *mp, const char *func, const void *caller)
{
	if (!(mp->b_pad1 & MB_QUEUED))
		return true;
	verify_report(func, caller, "message %p is still on a queue; not "
	    "freed (take it off with getq or rmvq first)", (const void *)mp);
	return false;
}

DDI_ENTRY_VOID(freeb, (mblk_t *bp), (bp))
{
	if (str_block_ok(bp, DDI_FUNC, DDI_CALLER) &&
	    not_queued(bp, DDI_FUNC, DDI_CALLER))
		str_free(bp);
}

DDI_ENTRY_VOID(freemsg, (mblk_t *mp), (mp))
{
	if (mp != NULL && str_msg_ok(mp, DDI_FUNC, DDI_CALLER, NULL) &&
	    not_queued(mp, DDI_FUNC, DDI_CALLER))
		str_free_chain(mp);
}

DDI_ENTRY(mblk_t *, dupb, (mblk_t *bp), (bp))
{
	const void *caller = DDI_CALLER;

	if (!str_block_ok(bp, DDI_FUNC, caller))
		return NULL;
	return str_dup(bp, DDI_FUNC, caller);
}

DDI_ENTRY(mblk_t *, dupmsg, (mblk_t *mp), (mp))
{
	const void *caller = DDI_CALLER;
	mblk_t *head = NULL, **tail = &head;

	if (!str_msg_ok(mp, DDI_FUNC, caller, NULL))
		return NULL;
	for (; mp != NULL; mp = mp->b_cont) {
		if ((*tail = str_dup(mp, DDI_FUNC, caller)) == NULL) {
			str_free_chain(head);
			return NULL;
		}
		tail = &(*tail)->b_cont;
	}
	return head;
}

static mblk_t *
copyb_level(mblk_t *bp, enum ddi_level level, const char *func, const void *caller)
{
	struct kcons c;

	if (!str_block_ok(bp, func, caller))
		return NULL;
	str_level_cons(level, &c);
	return str_copy(bp, 0, &c, true, func, caller);
}

DDI_ENTRY(mblk_t *, copyb, (mblk_t *bp), (bp))
{
	return copyb_level(bp, LEVEL_LATEST, DDI_FUNC, DDI_CALLER);
}

DDI_ENTRY(mblk_t *, _Compat_copyb7, (mblk_t *bp), (bp))
{
	return copyb_level(bp, LEVEL_DDI6_71, "copyb", DDI_CALLER);
}

DDI_ENTRY(mblk_t *, _Compat_copyb5, (mblk_t *bp), (bp))
{
	return copyb_level(bp, LEVEL_DDI5, "copyb", DDI_CALLER);
}

static mblk_t *
copymsg_level(mblk_t *mp, enum ddi_level level, const char *func,
    const void *caller)
{
	struct kcons c;

	if (!str_msg_ok(mp, func, caller, NULL))
		return NULL;
	str_level_cons(level, &c);
	return str_copy_chain(mp, &c, true, func, caller);
}

DDI_ENTRY(mblk_t *, copymsg, (mblk_t *mp), (mp))
{
	return copymsg_level(mp, LEVEL_LATEST, DDI_FUNC, DDI_CALLER);
}

DDI_ENTRY(mblk_t *, _Compat_copymsg7, (mblk_t *mp), (mp))
{
	return copymsg_level(mp, LEVEL_DDI6_71, "copymsg", DDI_CALLER);
}

DDI_ENTRY(mblk_t *, _Compat_copymsg5, (mblk_t *mp), (mp))
{
	return copymsg_level(mp, LEVEL_DDI5, "copymsg", DDI_CALLER);
}

static mblk_t *
msgpullup_level(mblk_t *mp, int len, enum ddi_level level, const char *func,
    const void *caller)
{
	struct kcons c;

	str_level_cons(level, &c);
	return str_pullup(mp, len, &c, true, func, caller);
}

DDI_ENTRY(mblk_t *, msgpullup, (mblk_t *mp, int len), (mp, len))
{
	return msgpullup_level(mp, len, LEVEL_LATEST, DDI_FUNC, DDI_CALLER);
}

DDI_ENTRY(mblk_t *, _Compat_msgpullup7, (mblk_t *mp, int len), (mp, len))
{
	return msgpullup_level(mp, len, LEVEL_DDI6_71, "msgpullup", DDI_CALLER);
}

DDI_ENTRY(mblk_t *, _Compat_msgpullup5, (mblk_t *mp, int len), (mp, len))
{
	return msgpullup_level(mp, len, LEVEL_DDI5, "msgpullup", DDI_CALLER);
}

static int
testb_level(int size, enum ddi_level level, const char *func, const void *caller)
{
	if (size < 0) {
		verify_report(func, caller, "negative size %d", size);
		return 0;
	}
	return str_probe(size > 0 ? (size_t)size : STR_MINBUF, level, func,
	    caller);
}

DDI_ENTRY(int, testb, (int size, uint_t pri), (size, pri))
{
	(void)pri;
	return testb_level(size, LEVEL_LATEST, DDI_FUNC, DDI_CALLER);
}

DDI_ENTRY(int, _Compat_testb7, (int size, uint_t pri), (size, pri))
{
	(void)pri;
	return testb_level(size, LEVEL_DDI6_71, "testb", DDI_CALLER);
}

DDI_ENTRY(int, _Compat_testb5, (int size, uint_t pri), (size, pri))
{
	(void)pri;
	return testb_level(size, LEVEL_DDI5, "testb", DDI_CALLER);
}
