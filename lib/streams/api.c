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
#include "machine/machine.h"
#include "streams/streams.h"
#include "verify/verify.h"

#include "sys/stream.h"
#include "exports.h"

/* allocb's minimum buffer, for a request of 0 bytes. */
#define STR_MINBUF	4

static mblk_t *
allocb_level(int size, unsigned level, const char *func, const void *caller)
{
	struct kcons c;

	machine_ensure();
	if (size < 0) {
		verify_report(func, caller, "negative size %d", size);
		return NULL;
	}
	str_level_cons(level, &c);
	return str_alloc(size > 0 ? (size_t)size : STR_MINBUF, &c, func,
	    caller);
}

DDI_PUBLIC mblk_t *
allocb(int size, uint_t pri)
{
	(void)pri;
	return allocb_level(size, KLEVEL_LATEST, __func__, DDI_CALLER);
}

DDI_PUBLIC mblk_t *
_Compat_allocb7(int size, uint_t pri)
{
	(void)pri;
	return allocb_level(size, 71, "allocb", DDI_CALLER);
}

DDI_PUBLIC mblk_t *
_Compat_allocb5(int size, uint_t pri)
{
	(void)pri;
	return allocb_level(size, 50, "allocb", DDI_CALLER);
}

DDI_PUBLIC mblk_t *
esballoc(uchar_t *base, int size, int pri, frtn_t *fr)
{
	const void *caller = DDI_CALLER;

	(void)pri;
	machine_ensure();
	if (base == NULL || fr == NULL || fr->free_func == NULL ||
	    size < 0) {
		verify_report(__func__, caller, "%s", base == NULL ?
		    "NULL base" : fr == NULL ? "NULL free routine" :
		    fr->free_func == NULL ? "NULL free_func" :
		    "negative size");
		return NULL;
	}
	return str_alloc_ext(base, (size_t)size, fr, __func__, caller);
}

DDI_PUBLIC void
freeb(mblk_t *bp)
{
	machine_ensure();
	if (str_block_ok(bp, __func__, DDI_CALLER))
		str_free(bp);
}

DDI_PUBLIC void
freemsg(mblk_t *mp)
{
	machine_ensure();
	if (mp != NULL && str_msg_ok(mp, __func__, DDI_CALLER, NULL))
		str_free_chain(mp);
}

DDI_PUBLIC mblk_t *
dupb(mblk_t *bp)
{
	const void *caller = DDI_CALLER;

	machine_ensure();
	if (!str_block_ok(bp, __func__, caller))
		return NULL;
	return str_dup(bp, __func__, caller);
}

DDI_PUBLIC mblk_t *
dupmsg(mblk_t *mp)
{
	const void *caller = DDI_CALLER;
	mblk_t *head = NULL, **tail = &head;

	machine_ensure();
	if (!str_msg_ok(mp, __func__, caller, NULL))
		return NULL;
	for (; mp != NULL; mp = mp->b_cont) {
		if ((*tail = str_dup(mp, __func__, caller)) == NULL) {
			str_free_chain(head);
			return NULL;
		}
		tail = &(*tail)->b_cont;
	}
	return head;
}

static mblk_t *
copyb_level(mblk_t *bp, unsigned level, const char *func, const void *caller)
{
	struct kcons c;

	machine_ensure();
	if (!str_block_ok(bp, func, caller))
		return NULL;
	str_level_cons(level, &c);
	return str_copy(bp, 0, &c, true, func, caller);
}

DDI_PUBLIC mblk_t *
copyb(mblk_t *bp)
{
	return copyb_level(bp, KLEVEL_LATEST, __func__, DDI_CALLER);
}

DDI_PUBLIC mblk_t *
_Compat_copyb7(mblk_t *bp)
{
	return copyb_level(bp, 71, "copyb", DDI_CALLER);
}

DDI_PUBLIC mblk_t *
_Compat_copyb5(mblk_t *bp)
{
	return copyb_level(bp, 50, "copyb", DDI_CALLER);
}

static mblk_t *
copymsg_level(mblk_t *mp, unsigned level, const char *func,
    const void *caller)
{
	struct kcons c;

	machine_ensure();
	if (!str_msg_ok(mp, func, caller, NULL))
		return NULL;
	str_level_cons(level, &c);
	return str_copy_chain(mp, &c, true, func, caller);
}

DDI_PUBLIC mblk_t *
copymsg(mblk_t *mp)
{
	return copymsg_level(mp, KLEVEL_LATEST, __func__, DDI_CALLER);
}

DDI_PUBLIC mblk_t *
_Compat_copymsg7(mblk_t *mp)
{
	return copymsg_level(mp, 71, "copymsg", DDI_CALLER);
}

DDI_PUBLIC mblk_t *
_Compat_copymsg5(mblk_t *mp)
{
	return copymsg_level(mp, 50, "copymsg", DDI_CALLER);
}

static mblk_t *
msgpullup_level(mblk_t *mp, int len, unsigned level, const char *func,
    const void *caller)
{
	struct kcons c;

	machine_ensure();
	str_level_cons(level, &c);
	return str_pullup(mp, len, &c, true, func, caller);
}

DDI_PUBLIC mblk_t *
msgpullup(mblk_t *mp, int len)
{
	return msgpullup_level(mp, len, KLEVEL_LATEST, __func__, DDI_CALLER);
}

DDI_PUBLIC mblk_t *
_Compat_msgpullup7(mblk_t *mp, int len)
{
	return msgpullup_level(mp, len, 71, "msgpullup", DDI_CALLER);
}

DDI_PUBLIC mblk_t *
_Compat_msgpullup5(mblk_t *mp, int len)
{
	return msgpullup_level(mp, len, 50, "msgpullup", DDI_CALLER);
}

static int
testb_level(int size, unsigned level, const char *func, const void *caller)
{
	machine_ensure();
	if (size < 0) {
		verify_report(func, caller, "negative size %d", size);
		return 0;
	}
	return str_probe(size > 0 ? (size_t)size : STR_MINBUF, level, func,
	    caller);
}

DDI_PUBLIC int
testb(int size, uint_t pri)
{
	(void)pri;
	return testb_level(size, KLEVEL_LATEST, __func__, DDI_CALLER);
}

DDI_PUBLIC int
_Compat_testb7(int size, uint_t pri)
{
	(void)pri;
	return testb_level(size, 71, "testb", DDI_CALLER);
}

DDI_PUBLIC int
_Compat_testb5(int size, uint_t pri)
{
	(void)pri;
	return testb_level(size, 50, "testb", DDI_CALLER);
}
