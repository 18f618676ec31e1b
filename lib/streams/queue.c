/*
 * queue.c - the queue routines of the DDI (putq(9) and its family): what
 * is on a queue, in what order, and the flow control around it.
 *
 * Order.  A queue holds high priority messages first, then the messages
 * of bands 255 down to 1, then ordinary messages of band 0; a message's
 * key (256 for high priority, else its band) never rises from the head
 * to the tail.  putq puts a message after every message of its key or
 * more, putbq before every message of its key or less, insq where it is
 * told if the order allows.
 *
 * Counts.  Band 0's bytes, with high priority messages, are q_count; a
 * band's are its qband's qb_count.  A message counts the bytes between
 * b_rptr and b_wptr of its blocks, recounted when it leaves (a driver
 * that changes a queued message skews the count, as it did in the
 * original; the count never goes below zero).  A band is full at its high
 * water mark; when a removal takes it to its low water mark or below and
 * a writer found it full (QWANTW, QB_WANTW), the nearest queue behind
 * with a service procedure is enabled: the back-enable.
 *
 * Enabling.  putq and insq enable the queue for a high priority message
 * always; otherwise, unless noenable was called, for a banded message or
 * when getq last found the queue empty (QWANTR).  putbq enables it for a
 * high priority message, or, unless noenable was called, when QWANTR is
 * set.  Service procedures run later, never inside the call (stream.c).
 *
 * Every routine checks its queue and message first and reports what is
 * wrong for the caller; a bad call changes nothing.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>

#include "kmem/kmem_obj.h"
#include "machine/entry.h"
#include "streams/strq.h"
#include "verify/verify.h"

#include "sys/stream.h"
#include "sys/stropts.h"
#include "exports.h"

#define KEY_HIPRI	256u

static unsigned
mkey(const mblk_t *mp)
{
	return mp->b_datap->db_type >= QPCTL ? KEY_HIPRI : mp->b_band;
}

size_t
str_msg_bytes(const mblk_t *mp)
{
	size_t n = 0;

	for (; mp != NULL; mp = mp->b_cont)
		n += blen(mp);
	return n;
}

static const struct kcons qb_cons = { .high = UINT64_MAX, .align = 8 };

/* Band b's qband (1..255), made with the ones below it if make. */
static qband_t *
band_get(queue_t *q, unsigned b, bool make, const char *func,
    const void *caller)
{
	qband_t *qb, **pp = &q->q_bandp;
	unsigned i;

	for (i = 1; i <= b; i++) {
		if (*pp == NULL) {
			if (!make)
				return NULL;
			qb = kmem_obj_alloc(sizeof(*qb), &qb_cons, KM_NOSLEEP,
			    KK_QUEUE, func, caller);
			if (qb == NULL)
				return NULL;
			qb->qb_next = NULL;
			qb->qb_count = 0;
			qb->qb_first = qb->qb_last = NULL;
			qb->qb_hiwat = q->q_hiwat;
			qb->qb_lowat = q->q_lowat;
			qb->qb_flag = 0;
			qb->qb_pad1 = 0;
			*pp = qb;
			q->q_nband = (uchar_t)i;
		}
		qb = *pp;
		if (i == b)
			return qb;
		pp = &qb->qb_next;
	}
	return NULL;
}

/* The queue behind q (whose q_next is q), in the same stream; or NULL. */
static queue_t *
qback(queue_t *q)
{
	queue_t *o = OTHERQ_(q)->q_next;

	return o == NULL ? NULL : OTHERQ_(o);
}

/* Enable the nearest queue behind q that has a service procedure. */
static void
backenable_locked(queue_t *q)
{
	queue_t *b;

	for (b = qback(q); b != NULL; b = qback(b))
		if (!(b->q_flag & QPROCSOFF) && b->q_qinfo->qi_srvp != NULL)
			break;
	if (b != NULL) {
		b->q_flag |= QBACK;
		(void)str_enable_locked(b);
	}
}

/* Account for mp joining q (after linking). */
static void
count_add(queue_t *q, mblk_t *mp, qband_t *qb)
{
	size_t n = str_msg_bytes(mp);

	if (qb == NULL) {
		q->q_count = (ulong_t)(q->q_count + n);
		if (q->q_count >= q->q_hiwat)
			q->q_flag |= QFULL;
		return;
	}
	qb->qb_count = (ulong_t)(qb->qb_count + n);
	if (qb->qb_count >= qb->qb_hiwat)
		qb->qb_flag |= QB_FULL;
}

/* Account for mp leaving q (before unlinking), then back-enable. */
static void
count_sub(queue_t *q, mblk_t *mp, qband_t *qb)
{
	size_t n = str_msg_bytes(mp);

	if (qb == NULL) {
		q->q_count = n > q->q_count ? 0 : (ulong_t)(q->q_count - n);
		if (q->q_count < q->q_hiwat)
			q->q_flag &= ~(ulong_t)QFULL;
		if (q->q_count <= q->q_lowat && (q->q_flag & QWANTW)) {
			q->q_flag &= ~(ulong_t)QWANTW;
			backenable_locked(q);
		}
		return;
	}
	qb->qb_count = n > qb->qb_count ? 0 : (ulong_t)(qb->qb_count - n);
	if (qb->qb_count < qb->qb_hiwat)
		qb->qb_flag &= ~(ulong_t)QB_FULL;
	if (qb->qb_count <= qb->qb_lowat && (qb->qb_flag & QB_WANTW)) {
		qb->qb_flag &= ~(ulong_t)QB_WANTW;
		backenable_locked(q);
	}
}

/* Link mp into q before nb (NULL: at the tail); keep the band's ends. */
static void
link_before(queue_t *q, mblk_t *mp, mblk_t *nb, qband_t *qb)
{
	mp->b_next = nb;
	mp->b_prev = nb != NULL ? nb->b_prev : q->q_last;
	if (mp->b_prev != NULL)
		mp->b_prev->b_next = mp;
	else
		q->q_first = mp;
	if (nb != NULL)
		nb->b_prev = mp;
	else
		q->q_last = mp;
	mp->b_pad1 |= MB_QUEUED;
	if (qb != NULL) {
		if (qb->qb_first == NULL)
			qb->qb_first = qb->qb_last = mp;
		else if (mp->b_next == qb->qb_first)
			qb->qb_first = mp;
		else if (mp->b_prev == qb->qb_last)
			qb->qb_last = mp;
	}
}

static void
unlink_msg(queue_t *q, mblk_t *mp, qband_t *qb)
{
	if (qb != NULL) {
		if (qb->qb_first == mp && qb->qb_last == mp)
			qb->qb_first = qb->qb_last = NULL;
		else if (qb->qb_first == mp)
			qb->qb_first = mp->b_next;
		else if (qb->qb_last == mp)
			qb->qb_last = mp->b_prev;
	}
	if (mp->b_prev != NULL)
		mp->b_prev->b_next = mp->b_next;
	else
		q->q_first = mp->b_next;
	if (mp->b_next != NULL)
		mp->b_next->b_prev = mp->b_prev;
	else
		q->q_last = mp->b_prev;
	mp->b_next = mp->b_prev = NULL;
	mp->b_pad1 &= (uchar_t)~MB_QUEUED;
}

/* The qband a message on q counts in (NULL: band 0 or high priority). */
static qband_t *
msg_band(queue_t *q, const mblk_t *mp)
{
	unsigned k = mkey(mp);

	return k == 0 || k == KEY_HIPRI ? NULL : band_get(q, k, false, NULL,
	    NULL);
}

/* Remove mp from q with its accounting; the lock is held. */
static void
remove_locked(queue_t *q, mblk_t *mp)
{
	qband_t *qb = msg_band(q, mp);

	count_sub(q, mp, qb);
	unlink_msg(q, mp, qb);
}

/*
 * Check a message for a queue routine: live, whole, and not on a queue
 * already.
 */
static bool
msg_ok_for_queue(const mblk_t *mp, const char *func, const void *caller)
{
	if (!str_msg_ok(mp, func, caller, NULL))
		return false;
	if (mp->b_pad1 & MB_QUEUED) {
		verify_report(func, caller, "message %p is already on a queue",
		    (void *)mp);
		return false;
	}
	return true;
}

/*
 * The common entry: a live queue of an open stream, its lock taken.
 * frozen: whether the caller must (1), must not (-1) or may (0) have
 * frozen the stream.
 */
static struct qpair *
q_enter(queue_t *q, int frozen, const char *func, const void *caller)
{
	struct qpair *qp;
	struct __ddi_stream *s;

	if ((qp = qp_check(q, func, caller)) == NULL)
		return NULL;
	s = qp->str;
	str_lock(s, func, caller);
	if (frozen > 0 && s->frozen_by != kctx_self())
		verify_report(func, caller, "the stream of queue %p is not "
		    "frozen: call freezestr first", (void *)q);
	else if (frozen < 0 && s->frozen_by == kctx_self())
		verify_report(func, caller, "called with the stream of queue "
		    "%p frozen by the caller (a deadlock in the original); "
		    "call unfreezestr first", (void *)q);
	return qp;
}

static bool
enable_on_put(queue_t *q, unsigned k, bool back)
{
	if (k == KEY_HIPRI)
		return true;
	if (q->q_flag & QNOENB)
		return false;
	return (q->q_flag & QWANTR) || (!back && k > 0);
}

/*
 * What putq, putbq and insq check first: a live queue, a whole message
 * not on a queue.  A high priority message is in band 0.  Its pair, and
 * the message's key in *kp; NULL after a report.
 */
static struct qpair *
put_prologue(queue_t *q, mblk_t *mp, unsigned *kp, const char *func,
    const void *caller)
{
	struct qpair *qp;

	if ((qp = qp_check(q, func, caller)) == NULL ||
	    !msg_ok_for_queue(mp, func, caller))
		return NULL;
	if (mp->b_datap->db_type >= QPCTL)
		mp->b_band = 0;
	*kp = mkey(mp);
	return qp;
}

/* putq and putbq: back puts mp at the front of its key's section. */
int
str_putq(queue_t *q, mblk_t *mp, bool back, const char *func,
    const void *caller)
{
	struct qpair *qp;
	qband_t *qb = NULL;
	mblk_t *nb;
	unsigned k;

	if ((qp = put_prologue(q, mp, &k, func, caller)) == NULL)
		return 0;
	str_lock(qp->str, func, caller);
	if (qp->str->closed) {
		str_unlock(qp->str);
		verify_report(func, caller, "queue %p belongs to a closed "
		    "stream; message %p not queued", (void *)q, (void *)mp);
		return 0;
	}
	if (k != 0 && k != KEY_HIPRI &&
	    (qb = band_get(q, k, true, func, caller)) == NULL) {
		str_unlock(qp->str);
		return 0;
	}
	for (nb = q->q_first; nb != NULL; nb = nb->b_next)
		if (back ? mkey(nb) <= k : mkey(nb) < k)
			break;
	link_before(q, mp, nb, qb);
	count_add(q, mp, qb);
	if (enable_on_put(q, k, back))
		(void)str_enable_locked(q);
	str_unlock(qp->str);
	return 1;
}

DDI_ENTRY(int, putq, (queue_t *q, mblk_t *mp), (q, mp))
{
	return str_putq(q, mp, false, DDI_FUNC, DDI_CALLER);
}

DDI_ENTRY(int, putbq, (queue_t *q, mblk_t *mp), (q, mp))
{
	return str_putq(q, mp, true, DDI_FUNC, DDI_CALLER);
}

mblk_t *
str_getq(queue_t *q, const char *func, const void *caller)
{
	struct qpair *qp;
	mblk_t *mp;

	if ((qp = q_enter(q, -1, func, caller)) == NULL)
		return NULL;
	if ((q->q_flag & QPROCSOFF) && !(q->q_flag & QHLIST)) {
		str_unlock(qp->str);
		verify_report(func, caller, "the procedures of queue %p (%s) "
		    "are off: qprocson was not called, or qprocsoff was",
		    (void *)q, qp->name);
		return NULL;
	}
	if ((mp = q->q_first) == NULL) {
		q->q_flag |= QWANTR;
		/* An empty queue is below every low water mark. */
		if (q->q_flag & QWANTW) {
			q->q_flag &= ~(ulong_t)QWANTW;
			backenable_locked(q);
		}
	} else {
		remove_locked(q, mp);
		q->q_flag &= ~(ulong_t)QWANTR;
	}
	str_unlock(qp->str);
	return mp;
}

DDI_ENTRY(mblk_t *, getq, (queue_t *q), (q))
{
	return str_getq(q, DDI_FUNC, DDI_CALLER);
}

DDI_ENTRY(int, insq, (queue_t *q, mblk_t *emp, mblk_t *mp), (q, emp, mp))
{
	const void *caller = DDI_CALLER;
	struct qpair *qp;
	qband_t *qb = NULL;
	mblk_t *prev;
	unsigned k;

	if ((qp = put_prologue(q, mp, &k, DDI_FUNC, caller)) == NULL)
		return 0;
	(void)q_enter(q, 1, DDI_FUNC, caller);
	if (emp != NULL) {
		mblk_t *x;

		for (x = q->q_first; x != NULL && x != emp; x = x->b_next)
			;
		if (x == NULL) {
			str_unlock(qp->str);
			verify_report(DDI_FUNC, caller, "emp %p is not on "
			    "queue %p", (void *)emp, (void *)q);
			return 0;
		}
	}
	prev = emp != NULL ? emp->b_prev : q->q_last;
	if ((emp != NULL && mkey(emp) > k) ||
	    (prev != NULL && mkey(prev) < k)) {
		/* Out of priority order: refused, as documented. */
		str_unlock(qp->str);
		return 0;
	}
	if (k != 0 && k != KEY_HIPRI &&
	    (qb = band_get(q, k, true, DDI_FUNC, caller)) == NULL) {
		str_unlock(qp->str);
		return 0;
	}
	link_before(q, mp, emp, qb);
	count_add(q, mp, qb);
	if (enable_on_put(q, k, false))
		(void)str_enable_locked(q);
	str_unlock(qp->str);
	return 1;
}

DDI_ENTRY_VOID(rmvq, (queue_t *q, mblk_t *mp), (q, mp))
{
	const void *caller = DDI_CALLER;
	struct qpair *qp;
	mblk_t *x;

	if ((qp = q_enter(q, 1, DDI_FUNC, caller)) == NULL)
		return;
	for (x = q->q_first; x != NULL && x != mp; x = x->b_next)
		;
	if (x == NULL) {
		str_unlock(qp->str);
		verify_report(DDI_FUNC, caller, "message %p is not on queue "
		    "%p", (void *)mp, (void *)q);
		return;
	}
	remove_locked(q, mp);
	str_unlock(qp->str);
}

/*
 * flushq and flushband: take the messages off under the lock, free them
 * after it.  band < 0: every band (flushq).
 */
void
str_flush(queue_t *q, int band, int flag, const char *func,
    const void *caller)
{
	struct qpair *qp;
	mblk_t *mp, *next, *gone = NULL, **tail = &gone;

	if (flag != FLUSHDATA && flag != FLUSHALL) {
		verify_report(func, caller, "flag %d is neither FLUSHDATA nor "
		    "FLUSHALL", flag);
		return;
	}
	if ((qp = q_enter(q, -1, func, caller)) == NULL)
		return;
	for (mp = q->q_first; mp != NULL; mp = next) {
		next = mp->b_next;
		if (band >= 0 && (mp->b_datap->db_type >= QPCTL ||
		    mp->b_band != band))
			continue;
		if (flag == FLUSHDATA && !datamsg(mp->b_datap->db_type))
			continue;
		remove_locked(q, mp);
		*tail = mp;
		tail = &mp->b_next;
	}
	str_unlock(qp->str);
	for (mp = gone; mp != NULL; mp = next) {
		next = mp->b_next;
		mp->b_next = NULL;
		str_free_chain(mp);
	}
}

DDI_ENTRY_VOID(flushq, (queue_t *q, int flag), (q, flag))
{
	str_flush(q, -1, flag, DDI_FUNC, DDI_CALLER);
}

DDI_ENTRY_VOID(flushband, (queue_t *q, uchar_t pri, int flag),
    (q, pri, flag))
{
	str_flush(q, pri, flag, DDI_FUNC, DDI_CALLER);
}

DDI_ENTRY(int, qsize, (queue_t *q), (q))
{
	struct qpair *qp;
	mblk_t *mp;
	int n = 0;

	if ((qp = q_enter(q, 0, DDI_FUNC, DDI_CALLER)) == NULL)
		return 0;
	for (mp = q->q_first; mp != NULL; mp = mp->b_next)
		n++;
	str_unlock(qp->str);
	return n;
}

/*
 * canput and bcanput from q: the first queue from q on with a service
 * procedure (or the last) decides.
 */
static int
canput_from(struct qpair *qp, queue_t *q, unsigned band, const char *func,
    const void *caller)
{
	int ok = 1;

	while (q->q_next != NULL && ((q->q_flag & QPROCSOFF) ||
	    q->q_qinfo->qi_srvp == NULL))
		q = q->q_next;
	if (band == 0) {
		if (q->q_flag & QFULL) {
			q->q_flag |= QWANTW;
			ok = 0;
		}
	} else {
		qband_t *qb = band_get(q, band, false, func, caller);

		if (qb != NULL && (qb->qb_flag & QB_FULL)) {
			qb->qb_flag |= QB_WANTW;
			ok = 0;
		}
	}
	str_unlock(qp->str);
	return ok;
}

DDI_ENTRY(int, canput, (queue_t *q), (q))
{
	struct qpair *qp;

	if ((qp = q_enter(q, 0, DDI_FUNC, DDI_CALLER)) == NULL)
		return 0;
	return canput_from(qp, q, 0, DDI_FUNC, DDI_CALLER);
}

DDI_ENTRY(int, bcanput, (queue_t *q, uchar_t pri), (q, pri))
{
	struct qpair *qp;

	if ((qp = q_enter(q, 0, DDI_FUNC, DDI_CALLER)) == NULL)
		return 0;
	return canput_from(qp, q, pri, DDI_FUNC, DDI_CALLER);
}

/* canputnext and bcanputnext: from the next queue that runs. */
static int
canputnext_common(queue_t *q, unsigned band, const char *func,
    const void *caller)
{
	struct qpair *qp;
	queue_t *n;

	if ((qp = q_enter(q, 0, func, caller)) == NULL)
		return 0;
	if ((n = str_next_on(q)) == NULL) {
		str_unlock(qp->str);
		verify_report(func, caller, "queue %p (%s) has no next queue",
		    (void *)q, qp->name);
		return 0;
	}
	return canput_from(qp, n, band, func, caller);
}

DDI_ENTRY(int, canputnext, (queue_t *q), (q))
{
	return canputnext_common(q, 0, DDI_FUNC, DDI_CALLER);
}

DDI_ENTRY(int, bcanputnext, (queue_t *q, uchar_t pri), (q, pri))
{
	return canputnext_common(q, pri, DDI_FUNC, DDI_CALLER);
}

DDI_ENTRY_VOID(put, (queue_t *q, mblk_t *mp), (q, mp))
{
	const void *caller = DDI_CALLER;

	if (qp_check(q, DDI_FUNC, caller) == NULL ||
	    !msg_ok_for_queue(mp, DDI_FUNC, caller))
		return;
	str_call_put(q, mp, DDI_FUNC, caller);
}

/* putnext and qreply: to the next queue from q whose procedures run. */
void
str_putnext(queue_t *q, mblk_t *mp, const char *func, const void *caller,
    const char *what)
{
	struct qpair *qp;
	queue_t *n;

	if ((qp = qp_check(q, func, caller)) == NULL ||
	    !msg_ok_for_queue(mp, func, caller))
		return;
	str_lock(qp->str, func, caller);
	n = str_next_on(q);
	str_unlock(qp->str);
	if (n == NULL) {
		verify_report(func, caller, "%s %p (%s) has no next queue; "
		    "message %p freed", what, (void *)q, qp->name,
		    (void *)mp);
		str_free_chain(mp);
		return;
	}
	str_call_put(n, mp, func, caller);
}

DDI_ENTRY_VOID(putnext, (queue_t *q, mblk_t *mp), (q, mp))
{
	str_putnext(q, mp, DDI_FUNC, DDI_CALLER, "queue");
}

DDI_ENTRY_VOID(qreply, (queue_t *q, mblk_t *mp), (q, mp))
{
	const void *caller = DDI_CALLER;
	struct qpair *qp;

	if ((qp = qp_check(q, DDI_FUNC, caller)) == NULL)
		return;
	str_putnext(OTHERQ_(q), mp, DDI_FUNC, caller, (q->q_flag & QREADR) ?
	    "qreply from a read queue: its write queue" :
	    "qreply from a write queue: its read queue");
}

/* A control message of type, with one byte of data if param >= 0. */
mblk_t *
str_ctl_msg(int type, int param, const char *func, const void *caller)
{
	struct kcons c;
	mblk_t *mp;

	if (type < 0 || type > 0xff || datamsg(type)) {
		verify_report(func, caller, "type %#x is not a control "
		    "message type", (unsigned)type);
		return NULL;
	}
	str_level_cons(LEVEL_LATEST, &c);
	if ((mp = str_alloc(param >= 0 ? 1 : 4, &c, func, caller)) == NULL)
		return NULL;
	mp->b_datap->db_type = (uchar_t)type;
	if (param >= 0)
		*mp->b_wptr++ = (uchar_t)param;
	return mp;
}

static int
putctl_common(queue_t *q, bool next, int type, int param, const char *func,
    const void *caller)
{
	struct qpair *qp;
	queue_t *n = q;
	mblk_t *mp;

	if ((qp = qp_check(q, func, caller)) == NULL)
		return 0;
	if (next) {
		str_lock(qp->str, func, caller);
		n = str_next_on(q);
		str_unlock(qp->str);
		if (n == NULL) {
			verify_report(func, caller, "queue %p (%s) has no "
			    "next queue", (void *)q, qp->name);
			return 0;
		}
	}
	if ((mp = str_ctl_msg(type, param, func, caller)) == NULL)
		return 0;
	str_call_put(n, mp, func, caller);
	return 1;
}

DDI_ENTRY(int, putctl, (queue_t *q, int type), (q, type))
{
	return putctl_common(q, false, type, -1, DDI_FUNC, DDI_CALLER);
}

DDI_ENTRY(int, putctl1, (queue_t *q, int type, int param), (q, type, param))
{
	return putctl_common(q, false, type, param & 0xff, DDI_FUNC,
	    DDI_CALLER);
}

DDI_ENTRY(int, putnextctl, (queue_t *q, int type), (q, type))
{
	return putctl_common(q, true, type, -1, DDI_FUNC, DDI_CALLER);
}

DDI_ENTRY(int, putnextctl1, (queue_t *q, int type, int param),
    (q, type, param))
{
	return putctl_common(q, true, type, param & 0xff, DDI_FUNC,
	    DDI_CALLER);
}

DDI_ENTRY_VOID(qenable, (queue_t *q), (q))
{
	struct qpair *qp;

	if ((qp = q_enter(q, 0, DDI_FUNC, DDI_CALLER)) == NULL)
		return;
	(void)str_enable_locked(q);
	str_unlock(qp->str);
}

DDI_ENTRY_VOID(noenable, (queue_t *q), (q))
{
	struct qpair *qp;

	if ((qp = q_enter(q, 0, DDI_FUNC, DDI_CALLER)) == NULL)
		return;
	q->q_flag |= QNOENB;
	str_unlock(qp->str);
}

DDI_ENTRY_VOID(enableok, (queue_t *q), (q))
{
	struct qpair *qp;

	if ((qp = q_enter(q, 0, DDI_FUNC, DDI_CALLER)) == NULL)
		return;
	q->q_flag &= ~(ulong_t)QNOENB;
	str_unlock(qp->str);
}

DDI_ENTRY(queue_t *, OTHERQ, (queue_t *q), (q))
{
	return qp_check(q, DDI_FUNC, DDI_CALLER) == NULL ? NULL : OTHERQ_(q);
}

DDI_ENTRY(queue_t *, RD, (queue_t *q), (q))
{
	struct qpair *qp = qp_check(q, DDI_FUNC, DDI_CALLER);

	return qp == NULL ? NULL : &qp->q[0];
}

DDI_ENTRY(queue_t *, WR, (queue_t *q), (q))
{
	struct qpair *qp = qp_check(q, DDI_FUNC, DDI_CALLER);

	return qp == NULL ? NULL : &qp->q[1];
}

DDI_ENTRY(int, SAMESTR, (queue_t *q), (q))
{
	struct qpair *qp;
	int same;

	if ((qp = q_enter(q, 0, DDI_FUNC, DDI_CALLER)) == NULL)
		return 0;
	same = q->q_next != NULL &&
	    (q->q_next->q_flag & QREADR) == (q->q_flag & QREADR);
	str_unlock(qp->str);
	return same;
}

/* backq: the queue whose q_next is q, up to DDI 6. */
DDI_ENTRY(queue_t *, _Compat_backq, (queue_t *q), (q))
{
	struct qpair *qp;
	queue_t *b;

	if ((qp = q_enter(q, 0, "backq", DDI_CALLER)) == NULL)
		return NULL;
	b = qback(q);
	str_unlock(qp->str);
	return b;
}

/* strqget and strqset: which fields a band has, and which may be set. */
static int
qfield_check(qfields_t what, unsigned pri, bool set)
{
	if ((unsigned)what >= (unsigned)QBAD)
		return EINVAL;
	if (pri > 0 && (what == QMAXPSZ || what == QMINPSZ))
		return EINVAL;
	if (set && (what == QCOUNT || what == QFIRST || what == QLAST ||
	    what == QFLAG))
		return EPERM;
	return 0;
}

DDI_ENTRY(int, strqget, (queue_t *q, qfields_t what, uchar_t pri,
    long *valp), (q, what, pri, valp))
{
	const void *caller = DDI_CALLER;
	struct qpair *qp;
	qband_t *qb = NULL;
	long v = 0;
	int err;

	if ((err = qfield_check(what, pri, false)) != 0) {
		verify_report(DDI_FUNC, caller, "field %d is not one band %u "
		    "has", (int)what, pri);
		return err;
	}
	if (valp == NULL) {
		verify_report(DDI_FUNC, caller, "NULL valp");
		return EINVAL;
	}
	if ((qp = q_enter(q, 1, DDI_FUNC, caller)) == NULL)
		return EINVAL;
	if (pri > 0 && (qb = band_get(q, pri, true, DDI_FUNC, caller)) ==
	    NULL) {
		str_unlock(qp->str);
		return ENOMEM;
	}
	switch (what) {
	case QHIWAT: v = qb ? (long)qb->qb_hiwat : (long)q->q_hiwat; break;
	case QLOWAT: v = qb ? (long)qb->qb_lowat : (long)q->q_lowat; break;
	case QMAXPSZ: v = q->q_maxpsz; break;
	case QMINPSZ: v = q->q_minpsz; break;
	case QCOUNT: v = qb ? (long)qb->qb_count : (long)q->q_count; break;
	case QFIRST: v = (long)(intptr_t)(qb ? qb->qb_first : q->q_first);
		break;
	case QLAST: v = (long)(intptr_t)(qb ? qb->qb_last : q->q_last); break;
	case QFLAG: v = qb ? (long)qb->qb_flag : (long)q->q_flag; break;
	case QBAD: break;
	}
	str_unlock(qp->str);
	*valp = v;
	return 0;
}

DDI_ENTRY(int, strqset, (queue_t *q, qfields_t what, uchar_t pri, long val),
    (q, what, pri, val))
{
	const void *caller = DDI_CALLER;
	struct qpair *qp;
	qband_t *qb = NULL;
	int err;

	if ((err = qfield_check(what, pri, true)) != 0) {
		verify_report(DDI_FUNC, caller, "field %d of band %u %s",
		    (int)what, pri, err == EPERM ? "cannot be set" :
		    "does not exist");
		return err;
	}
	if ((qp = q_enter(q, 1, DDI_FUNC, caller)) == NULL)
		return EINVAL;
	if (pri > 0 && (qb = band_get(q, pri, true, DDI_FUNC, caller)) ==
	    NULL) {
		str_unlock(qp->str);
		return ENOMEM;
	}
	switch (what) {
	case QHIWAT:
		if (qb != NULL) {
			qb->qb_hiwat = (ulong_t)val;
			if (qb->qb_count >= qb->qb_hiwat)
				qb->qb_flag |= QB_FULL;
			else
				qb->qb_flag &= ~(ulong_t)QB_FULL;
		} else {
			q->q_hiwat = (ulong_t)val;
			if (q->q_count >= q->q_hiwat)
				q->q_flag |= QFULL;
			else
				q->q_flag &= ~(ulong_t)QFULL;
		}
		break;
	case QLOWAT:
		if (qb != NULL)
			qb->qb_lowat = (ulong_t)val;
		else
			q->q_lowat = (ulong_t)val;
		break;
	case QMAXPSZ: q->q_maxpsz = (long_t)val; break;
	case QMINPSZ: q->q_minpsz = (long_t)val; break;
	default: break;
	}
	str_unlock(qp->str);
	return 0;
}

void
str_set_water(queue_t *q, unsigned band, bool hi, ulong_t val)
{
	struct qpair *qp = QP(q);
	qband_t *qb = NULL;

	str_lock(qp->str, "M_SETOPTS", NULL);
	if (band > 0 && (qb = band_get(q, band, true, "M_SETOPTS", NULL)) ==
	    NULL) {
		str_unlock(qp->str);
		return;
	}
	if (qb != NULL) {
		if (hi)
			qb->qb_hiwat = val;
		else
			qb->qb_lowat = val;
		if (qb->qb_count >= qb->qb_hiwat)
			qb->qb_flag |= QB_FULL;
		else
			qb->qb_flag &= ~(ulong_t)QB_FULL;
	} else {
		if (hi)
			q->q_hiwat = val;
		else
			q->q_lowat = val;
		if (q->q_count >= q->q_hiwat)
			q->q_flag |= QFULL;
		else
			q->q_flag &= ~(ulong_t)QFULL;
	}
	str_unlock(qp->str);
}
