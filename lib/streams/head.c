/*
 * head.c - the simulated stream head (ddisim_stream(3)): a stream opened
 * on a driver's streamtab, modules pushed and popped, data and control
 * messages written down and read up, ioctls (I_STR and transparent),
 * M_FLUSH, M_ERROR, M_HANGUP and M_SETOPTS handled as the original head
 * handled them, and close.
 *
 * The head is a queue pair of the stream, the first: its read queue
 * holds what arrived for the reader (flow-controlled by its water marks,
 * so a driver's canputnext sees a full head), and its write queue's
 * service procedure is what a back-enable reaches when the queue below
 * drains, waking writers.  Each call runs the STREAMS service before it
 * returns, as the kernel ran the queues on the way back to the process;
 * a call that must wait (a full stream, an empty head, an ioctl's reply)
 * runs the service while it waits, so it also works without a service
 * thread, and gives up with ETIME at the wait limit (sleeplimit=) after a
 * report.
 */
#include "config.h"

#include <errno.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include "util/forklock.h"
#include "kmem/kmem_obj.h"
#include "kern/kern.h"
#include "machine/entry.h"
#include "proc/proc.h"
#include "streams/streams.h"
#include "streams/strq.h"
#include "verify/verify.h"
#include "verify/wait.h"

#include "sys/conf.h"
#include "sys/cred.h"
#include "sys/file.h"
#include "sys/poll.h"
#include "sys/stream.h"
#include "sys/stropts.h"
#include "ddicompat/ddisim.h"
#include "exports.h"

#define HEAD_HIWAT	5120	/* the read queue's marks, as SVR4's */
#define HEAD_LOWAT	1024
#define HEAD_POLL_MS	5	/* a waiting call runs the service this often */

struct str_head {
	int		oflag;		/* FREAD, FWRITE, FNDELAY ... */
	struct cred	*cr;
	dev_t		dev;
	int		rerror;		/* M_ERROR: reads fail with it */
	int		werror;		/* M_ERROR: writes fail with it */
	bool		hangup;		/* M_HANGUP arrived */
	int		readopt;	/* RNORM, RMSGD, RMSGN | RPROT* */
	ushort_t	wroff;		/* M_SETOPTS so_wroff */
	int		sig;		/* last M_SIG/M_PCSIG signal, or 0 */
	uint_t		ioc_next;	/* next ioctl identifier */
	uint_t		ioc_id;		/* the ioctl waiting, or 0 */
	mblk_t		*ioc_reply;	/* its reply, when it came */
	bool		ioc_busy;	/* an ioctl is in progress */
	__ddi_qfn_t	post_func;	/* strioccall: after the M_IOCACK */
	caddr_t		post_arg;
	struct str_link	*link;		/* linked below a multiplexor */
	bool		close_pending;	/* closed while linked */
};

/*
 * A stream linked below a multiplexor (I_LINK, I_PLINK).  The lower
 * stream's head is cut off and the multiplexor's lower queue pair takes
 * its place; the link remembers both to undo it.  Persistent links
 * (I_PLINK) outlive the stream that made them and are found by the
 * multiplexor's streamtab and the identifier.
 */
struct str_link {
	int		id;		/* l_index, I_LINK's return value */
	bool		persistent;	/* I_PLINK */
	struct __ddi_stream *upper;	/* the stream that linked it */
	const struct streamtab *mux;	/* the multiplexor driver's */
	struct __ddi_stream *lower;	/* the stream linked */
	struct qpair	*pair;		/* the multiplexor's lower pair */
	LIST_ENTRY(str_link) all;	/* links, under link_lock */
};

static FORK_MUTEX(link_lock);
static LIST_HEAD(, str_link) links = LIST_HEAD_INITIALIZER(links);
static int link_next_id;

static int head_rput(queue_t *q, mblk_t *mp);
static int head_wput(queue_t *q, mblk_t *mp);
static int head_wsrv(queue_t *q);

static struct module_info head_minfo = {
	0, "head", 0, INFPSZ, HEAD_HIWAT, HEAD_LOWAT
};
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wcast-function-type"
static struct qinit head_rinit = {
	(__ddi_qfn_t)head_rput, NULL, NULL, NULL, NULL, &head_minfo, NULL
};
static struct qinit head_winit = {
	(__ddi_qfn_t)head_wput, (__ddi_qfn_t)head_wsrv, NULL, NULL, NULL,
	&head_minfo, NULL
};
#pragma GCC diagnostic pop

static struct qpair *
head_pair(struct __ddi_stream *s)
{
	return TAILQ_FIRST(&s->pairs);
}

/* The stream a handle names, checked; NULL after a report. */
static struct __ddi_stream *
stream_check(ddisim_stream_t *s, const char *func, const void *caller)
{
	struct qpair *hp;

	if (s == NULL || kmem_live_size(s) != sizeof(*s) ||
	    (hp = TAILQ_FIRST(&s->pairs)) == NULL ||
	    kmem_live_size(hp) != sizeof(*hp) || hp->magic != QP_LIVE ||
	    hp->role != QP_HEAD || s->closed || s->head->close_pending) {
		verify_report(func, caller, "%p is not an open stream",
		    (void *)s);
		return NULL;
	}
	return s;
}

static void unlink_all(struct __ddi_stream *upper, bool persistent_too,
    const char *func, const void *caller);
static void link_undo(struct str_link *l);

/* Whether s is linked below a multiplexor (its head is cut off). */
static bool
linked(struct __ddi_stream *s)
{
	bool l;

	pthread_mutex_lock(&link_lock);
	l = s->head->link != NULL;
	pthread_mutex_unlock(&link_lock);
	return l;
}

/* An open stream that is not linked: EINVAL for a linked one. */
static int
io_check(struct __ddi_stream *s, const char *func, const void *caller)
{
	if (stream_check(s, func, caller) == NULL)
		return EINVAL;
	return linked(s) ? EINVAL : 0;
}

static void
head_wake(struct __ddi_stream *s)
{
	pthread_mutex_lock(&s->mtx);
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mtx);
}

/*
 * Wait until cond(s) holds, running the service meanwhile; mtx is not
 * held on entry or return.  Returns 0, or ETIME at the wait limit.
 */
static int
head_wait(struct __ddi_stream *s, bool (*cond)(struct __ddi_stream *, int),
    int arg, const char *what, const char *func, const void *caller)
{
	struct vwait w;
	bool started = false;

	for (;;) {
		if (cond(s, arg))
			return 0;
		if (str_service_now() > 0)
			continue;
		pthread_mutex_lock(&s->mtx);
		if (!started) {
			vwait_start_ms(&w, VWAIT_GIVE_UP, 0, "returning ETIME",
			    func, caller);
			vwait_poll_every(&w, HEAD_POLL_MS);
			started = true;
		}
		if (vwait_cond(&w, &s->cv, &s->mtx, "%s", what)) {
			pthread_mutex_unlock(&s->mtx);
			return cond(s, arg) ? 0 : ETIME;
		}
		pthread_mutex_unlock(&s->mtx);
	}
}

/* The read side's put procedure: what arrives at the head. */
static int
head_rput(queue_t *q, mblk_t *mp)
{
	struct __ddi_stream *s = QP(q)->str;
	struct str_head *h = s->head;
	uchar_t type = mp->b_datap->db_type;

	switch (type) {
	case M_DATA:
	case M_PROTO:
	case M_PCPROTO:
		if (type == M_PCPROTO) {
			/* One high priority message waits at a head. */
			pthread_mutex_lock(&s->mtx);
			bool have = q->q_first != NULL &&
			    q->q_first->b_datap->db_type >= QPCTL;
			pthread_mutex_unlock(&s->mtx);
			if (have) {
				str_free_chain(mp);
				break;
			}
		}
		(void)str_putq(q, mp, false, "ddisim_stream_read", NULL);
		head_wake(s);
		break;
	case M_FLUSH: {
		uchar_t how = mp->b_rptr < mp->b_wptr ? mp->b_rptr[0] : 0;
		int band = (how & FLUSHBAND) && blen(mp) >= 2 ?
		    mp->b_rptr[1] : -1;

		if (how & FLUSHR)
			str_flush(q, band, FLUSHALL, "M_FLUSH", NULL);
		if (how & FLUSHW) {
			mp->b_rptr[0] = (uchar_t)(how & ~FLUSHR);
			str_putnext(OTHERQ_(q), mp, "M_FLUSH", NULL, "head");
		} else
			str_free_chain(mp);
		break;
	}
	case M_ERROR: {
		int r = mp->b_rptr < mp->b_wptr ? mp->b_rptr[0] : 0;
		int wr = blen(mp) >= 2 ? mp->b_rptr[1] : r;

		pthread_mutex_lock(&s->mtx);
		h->rerror = r == NOERROR ? h->rerror : r;
		h->werror = wr == NOERROR ? h->werror : wr;
		pthread_cond_broadcast(&s->cv);
		pthread_mutex_unlock(&s->mtx);
		str_free_chain(mp);
		break;
	}
	case M_HANGUP:
		pthread_mutex_lock(&s->mtx);
		h->hangup = true;
		pthread_cond_broadcast(&s->cv);
		pthread_mutex_unlock(&s->mtx);
		str_free_chain(mp);
		break;
	case M_IOCACK:
	case M_IOCNAK:
	case M_COPYIN:
	case M_COPYOUT: {
		struct iocblk *ioc = (struct iocblk *)(void *)mp->b_rptr;
		bool mine;

		pthread_mutex_lock(&s->mtx);
		mine = blen(mp) >= sizeof(struct iocblk) && h->ioc_id != 0 &&
		    ioc->ioc_id == h->ioc_id && h->ioc_reply == NULL;
		if (mine) {
			h->ioc_reply = mp;
			pthread_cond_broadcast(&s->cv);
		}
		pthread_mutex_unlock(&s->mtx);
		if (!mine)
			str_free_chain(mp);	/* a late or stray reply */
		break;
	}
	case M_SETOPTS:
		if (blen(mp) >= sizeof(struct stroptions)) {
			struct stroptions *so = (void *)mp->b_rptr;

			pthread_mutex_lock(&s->mtx);
			if (so->so_flags & SO_READOPT)
				h->readopt = so->so_readopt;
			if (so->so_flags & SO_WROFF)
				h->wroff = so->so_wroff;
			pthread_mutex_unlock(&s->mtx);
			if ((so->so_flags & SO_HIWAT) &&
			    !(so->so_flags & SO_BAND))
				str_set_water(q, 0, true, so->so_hiwat);
			if ((so->so_flags & SO_LOWAT) &&
			    !(so->so_flags & SO_BAND))
				str_set_water(q, 0, false, so->so_lowat);
			if ((so->so_flags & SO_HIWAT) &&
			    (so->so_flags & SO_BAND))
				str_set_water(q, so->so_band, true,
				    so->so_hiwat);
			if ((so->so_flags & SO_LOWAT) &&
			    (so->so_flags & SO_BAND))
				str_set_water(q, so->so_band, false,
				    so->so_lowat);
		}
		str_free_chain(mp);
		break;
	case M_SIG:
	case M_PCSIG:
		pthread_mutex_lock(&s->mtx);
		h->sig = mp->b_rptr < mp->b_wptr ? mp->b_rptr[0] : 0;
		pthread_cond_broadcast(&s->cv);
		pthread_mutex_unlock(&s->mtx);
		str_free_chain(mp);
		break;
	default:
		str_free_chain(mp);
		break;
	}
	return 0;
}

/* Nothing is above the head's write queue: a put there is a mistake. */
static int
head_wput(queue_t *q, mblk_t *mp)
{
	verify_report("put", NULL, "message %p put on the stream head's "
	    "write queue %p, which has nothing above it; freed", (void *)mp,
	    (void *)q);
	str_free_chain(mp);
	return 0;
}

/* Back-enabled: the stream below drained; writers may go on. */
static int
head_wsrv(queue_t *q)
{
	head_wake(QP(q)->str);
	return 0;
}

static struct cred *
head_cred(struct cred *cr)
{
	return cr != NULL ? cr : proc_cred(proc_current());
}

/* Call a pair's open routine (a driver's or a module's). */
static int
pair_open(struct qpair *qp, dev_t *devp, int oflag, int sflag,
    struct cred *cr)
{
	__ddi_qfn_t open = qp->q[0].q_qinfo->qi_qopen;
	struct module_stat *ms = qp->q[0].q_qinfo->qi_mstat;
	const struct str_opener *op = qp->opener;
	bool in;
	int err;

	if (!(qp->devflag & D_MP))
		str_procs(qp, true);	/* the system does it for them */
	if (op != NULL)
		open = (__ddi_qfn_t)(uintptr_t)op->open;
	if (open == NULL)
		return 0;
	if (ms != NULL)
		__atomic_fetch_add(&ms->ms_ocnt, 1, __ATOMIC_RELAXED);
	in = str_perim_enter(qp);
	if (op != NULL)
		err = op->open(op->arg, &qp->q[0], devp, oflag, sflag, cr);
	else
		err = ((int (*)(queue_t *, dev_t *, int, int,
		    struct cred *))open)(&qp->q[0], devp, oflag, sflag, cr);
	str_perim_leave(in);
	if (err != 0) {
		str_procs(qp, false);
		return err;
	}
	if (qp->q[0].q_flag & QPROCSOFF) {
		verify_report(qp->role == QP_DRIVER ? "ddisim_stream_open" :
		    "ddisim_stream_push", (const void *)(uintptr_t)open,
		    "the open routine of %s (D_MP) returned without calling "
		    "qprocson; turned on for it", qp->name);
		str_procs(qp, true);
	}
	return 0;
}

static void
pair_close(struct qpair *qp, int oflag, struct cred *cr)
{
	__ddi_qfn_t close = qp->q[0].q_qinfo->qi_qclose;
	struct module_stat *ms = qp->q[0].q_qinfo->qi_mstat;
	const struct str_opener *op = qp->opener;
	bool in;

	if (op != NULL)
		close = (__ddi_qfn_t)(uintptr_t)op->close;
	if (close != NULL) {
		if (ms != NULL)
			__atomic_fetch_add(&ms->ms_ccnt, 1, __ATOMIC_RELAXED);
		in = str_perim_enter(qp);
		if (op != NULL)
			(void)op->close(op->arg, &qp->q[0], oflag, cr);
		else
			(void)((int (*)(queue_t *, int, struct cred *))close)(
			    &qp->q[0], oflag, cr);
		str_perim_leave(in);
	}
	if (!(qp->q[0].q_flag & QPROCSOFF)) {
		if (qp->devflag & D_MP)
			verify_report("ddisim_stream_close",
			    (const void *)(uintptr_t)close, "the close routine "
			    "of %s (D_MP) returned without calling qprocsoff; "
			    "turned off for it", qp->name);
		str_procs(qp, false);
	}
}

/* Link qp below pair above (lock held). */
static void
pair_link_below(struct qpair *above, struct qpair *qp, struct qpair *below)
{
	above->q[1].q_next = &qp->q[1];
	qp->q[0].q_next = &above->q[0];
	qp->q[1].q_next = below != NULL ? &below->q[1] : NULL;
	if (below != NULL)
		below->q[0].q_next = &qp->q[0];
}

/* Whether both sides of tab have a qinit with a put procedure. */
static bool
tab_usable(const struct streamtab *tab)
{
	return tab->st_rdinit != NULL && tab->st_wrinit != NULL &&
	    tab->st_rdinit->qi_putp != NULL && tab->st_wrinit->qi_putp != NULL;
}

static void
stream_destroy(struct __ddi_stream *s)
{
	struct qpair *qp;

	pthread_mutex_lock(&s->mtx);
	s->closed = true;
	pthread_mutex_unlock(&s->mtx);
	while ((qp = TAILQ_FIRST(&s->pairs)) != NULL) {
		TAILQ_REMOVE(&s->pairs, qp, link);
		qp_free(qp);
	}
	if (s->head != NULL) {
		if (s->head->ioc_reply != NULL)
			str_free_chain(s->head->ioc_reply);
		kmem_obj_free(s->head, sizeof(*s->head), KK_QUEUE,
		    "ddisim_stream_close", NULL);
	}
	str_stream_free(s);
}

DDI_ENTRY(int, ddisim_stream_open, (const struct streamtab *tab, int devflag,
    dev_t *devp, int oflag, int sflag, struct cred *cr,
    ddisim_stream_t **sp), (tab, devflag, devp, oflag, sflag, cr, sp))
{
	return str_head_open(tab, devflag, devp, oflag, sflag, cr, NULL, sp,
	    DDI_FUNC, DDI_CALLER);
}

int
str_head_open(const struct streamtab *tab, int devflag, dev_t *devp,
    int oflag, int sflag, struct cred *cr, const struct str_opener *op,
    struct __ddi_stream **sp, const char *func, const void *caller)
{
	static const struct kcons cons = { .high = UINT64_MAX, .align = 16 };
	struct __ddi_stream *s;
	struct qpair *hp, *dp;
	dev_t dev;
	int err;

	if (tab == NULL || sp == NULL || devp == NULL) {
		verify_report(func, caller, "NULL %s", tab == NULL ?
		    "streamtab" : sp == NULL ? "stream pointer" : "devp");
		return EINVAL;
	}
	*sp = NULL;
	if ((s = str_stream_alloc(func, caller)) == NULL)
		return ENOMEM;
	s->head = kmem_obj_alloc(sizeof(*s->head), &cons, KM_NOSLEEP,
	    KK_QUEUE, func, caller);
	hp = qp_alloc(s, QP_HEAD, NULL, &head_rinit, &head_winit, D_MP,
	    func, caller);
	dp = qp_alloc(s, QP_DRIVER, tab, tab->st_rdinit, tab->st_wrinit,
	    devflag, func, caller);
	if (dp != NULL)
		dp->opener = op;
	if (s->head == NULL || hp == NULL || dp == NULL) {
		if (hp != NULL)
			TAILQ_INSERT_TAIL(&s->pairs, hp, link);
		if (dp != NULL)
			TAILQ_INSERT_TAIL(&s->pairs, dp, link);
		stream_destroy(s);
		return tab_usable(tab) ? ENOMEM : EINVAL;
	}
	memset(s->head, 0, sizeof(*s->head));
	s->head->oflag = oflag;
	s->head->cr = head_cred(cr);
	hp->q[0].q_flag |= QHLIST;
	hp->q[1].q_flag |= QHLIST;
	str_procs(hp, true);
	TAILQ_INSERT_TAIL(&s->pairs, hp, link);
	TAILQ_INSERT_TAIL(&s->pairs, dp, link);
	pthread_mutex_lock(&s->mtx);
	pair_link_below(hp, dp, NULL);
	pthread_mutex_unlock(&s->mtx);
	dev = *devp;
	if ((err = pair_open(dp, &dev, oflag, sflag, s->head->cr)) != 0) {
		stream_destroy(s);
		return err;
	}
	s->head->dev = *devp = dev;
	(void)str_service_now();
	*sp = s;
	return 0;
}

DDI_ENTRY(int, ddisim_stream_push, (ddisim_stream_t *s,
    const struct streamtab *tab, int devflag), (s, tab, devflag))
{
	const void *caller = DDI_CALLER;
	struct qpair *hp, *mp, *below;
	dev_t dev;
	int err;

	if (io_check(s, DDI_FUNC, caller) != 0)
		return EINVAL;
	if (tab == NULL) {
		verify_report(DDI_FUNC, caller, "NULL streamtab");
		return EINVAL;
	}
	if ((mp = qp_alloc(s, QP_MODULE, tab, tab->st_rdinit, tab->st_wrinit,
	    devflag, DDI_FUNC, caller)) == NULL)
		return tab_usable(tab) ? ENOMEM : EINVAL;
	hp = head_pair(s);
	pthread_mutex_lock(&s->mtx);
	below = TAILQ_NEXT(hp, link);
	TAILQ_INSERT_AFTER(&s->pairs, hp, mp, link);
	pair_link_below(hp, mp, below);
	pthread_mutex_unlock(&s->mtx);
	dev = s->head->dev;
	if ((err = pair_open(mp, &dev, s->head->oflag, MODOPEN,
	    s->head->cr)) != 0) {
		pthread_mutex_lock(&s->mtx);
		TAILQ_REMOVE(&s->pairs, mp, link);
		hp->q[1].q_next = &below->q[1];
		below->q[0].q_next = &hp->q[0];
		pthread_mutex_unlock(&s->mtx);
		qp_free(mp);
		return err;
	}
	(void)str_service_now();
	return 0;
}

/* Pop the module under the head: close it, unlink it, free it. */
static void
pop_top(struct __ddi_stream *s)
{
	struct qpair *hp = head_pair(s), *mp = TAILQ_NEXT(hp, link);
	struct qpair *below = TAILQ_NEXT(mp, link);

	pair_close(mp, s->head->oflag, s->head->cr);
	pthread_mutex_lock(&s->mtx);
	TAILQ_REMOVE(&s->pairs, mp, link);
	hp->q[1].q_next = &below->q[1];
	below->q[0].q_next = &hp->q[0];
	pthread_mutex_unlock(&s->mtx);
	qp_free(mp);
}

DDI_ENTRY(int, ddisim_stream_pop, (ddisim_stream_t *s), (s))
{
	struct qpair *top;

	if (io_check(s, DDI_FUNC, DDI_CALLER) != 0)
		return EINVAL;
	top = TAILQ_NEXT(head_pair(s), link);
	if (top->role != QP_MODULE)
		return EINVAL;		/* no module is pushed */
	pop_top(s);
	(void)str_service_now();
	return 0;
}

/*
 * Close: the links this stream made are undone first (I_UNLINK to the
 * multiplexor, as the original head did), then the modules are popped
 * and the driver closed.  A stream linked below a multiplexor stays until
 * it is unlinked; its close is finished then.
 */
static void
stream_close_now(struct __ddi_stream *s, const char *func,
    const void *caller)
{
	struct qpair *top;

	unlink_all(s, false, func, caller);
	(void)str_service_now();
	while ((top = TAILQ_NEXT(head_pair(s), link))->role == QP_MODULE)
		pop_top(s);
	pair_close(top, s->head->oflag, s->head->cr);
	str_procs(head_pair(s), false);
	stream_destroy(s);
}

DDI_ENTRY(int, ddisim_stream_close, (ddisim_stream_t *s), (s))
{
	if (stream_check(s, DDI_FUNC, DDI_CALLER) == NULL)
		return EINVAL;
	if (linked(s)) {
		pthread_mutex_lock(&s->mtx);
		s->head->close_pending = true;
		pthread_mutex_unlock(&s->mtx);
		return 0;
	}
	stream_close_now(s, DDI_FUNC, DDI_CALLER);
	return 0;
}

/*
 * Whether a writer of band may go on: the queue below that decides has
 * room (marked as wanted if not), or an error or hang-up ends the write.
 */
static bool
can_write(struct __ddi_stream *s, int w_band)
{
	struct str_head *h = s->head;
	queue_t *wq = &head_pair(s)->q[1], *n;
	bool ok;

	pthread_mutex_lock(&s->mtx);
	if (h->werror != 0 || h->hangup) {
		pthread_mutex_unlock(&s->mtx);
		return true;
	}
	n = str_next_on(wq);
	while (n->q_next != NULL && ((n->q_flag & QPROCSOFF) ||
	    n->q_qinfo->qi_srvp == NULL))
		n = n->q_next;
	if (w_band == 0) {
		ok = !(n->q_flag & QFULL);
		if (!ok)
			n->q_flag |= QWANTW;
	} else {
		qband_t *qb = n->q_bandp;

		for (int i = 1; qb != NULL && i < w_band; i++)
			qb = qb->qb_next;
		ok = qb == NULL || !(qb->qb_flag & QB_FULL);
		if (!ok)
			qb->qb_flag |= QB_WANTW;
	}
	pthread_mutex_unlock(&s->mtx);
	return ok;
}

/* The error a write meets now, or 0. */
static int
write_error(struct __ddi_stream *s)
{
	struct str_head *h = s->head;
	int err;

	pthread_mutex_lock(&s->mtx);
	err = h->werror != 0 ? h->werror : h->hangup ? ENXIO : 0;
	pthread_mutex_unlock(&s->mtx);
	return err;
}

/* Wait for room below for band; 0, EAGAIN (FNDELAY) or ETIME. */
static int
write_room(struct __ddi_stream *s, int band, const char *func,
    const void *caller)
{
	if (can_write(s, band))
		return 0;
	if (s->head->oflag & (FNDELAY | FNONBLOCK))
		return EAGAIN;
	return head_wait(s, can_write, band, "a write waits for the stream "
	    "below the head to drain (flow control)", func, caller);
}

/* A block of len bytes for the head to send, with the write offset. */
static mblk_t *
head_block(struct __ddi_stream *s, size_t len, uchar_t type,
    const char *func, const void *caller)
{
	struct kcons c;
	mblk_t *mp;
	size_t off = s->head->wroff;

	str_level_cons(LEVEL_LATEST, &c);
	if ((mp = str_alloc(len + off > 0 ? len + off : 1, &c, func,
	    caller)) == NULL)
		return NULL;
	mp->b_rptr += off;
	mp->b_wptr = mp->b_rptr;
	mp->b_datap->db_type = type;
	return mp;
}

/* Send mp down from the head. */
static void
head_send(struct __ddi_stream *s, mblk_t *mp, const char *func,
    const void *caller)
{
	str_putnext(&head_pair(s)->q[1], mp, func, caller, "the head's "
	    "write queue");
}

DDI_ENTRY(int, ddisim_stream_write, (ddisim_stream_t *s, const void *buf,
    size_t len, size_t *written), (s, buf, len, written))
{
	const void *caller = DDI_CALLER;
	const uchar_t *p = buf;
	size_t done = 0, max;
	queue_t *top;
	int err = 0;

	if (written != NULL)
		*written = 0;
	if (io_check(s, DDI_FUNC, caller) != 0)
		return EINVAL;
	if (buf == NULL && len > 0) {
		verify_report(DDI_FUNC, caller, "NULL buffer");
		return EFAULT;
	}
	if ((err = write_error(s)) != 0)
		return err;
	pthread_mutex_lock(&s->mtx);
	top = str_next_on(&head_pair(s)->q[1]);
	max = top->q_maxpsz == INFPSZ || top->q_maxpsz <= 0 ? len :
	    (size_t)top->q_maxpsz;
	if ((long)len < top->q_minpsz) {
		pthread_mutex_unlock(&s->mtx);
		return ERANGE;
	}
	pthread_mutex_unlock(&s->mtx);
	do {
		size_t n = len - done < max ? len - done : max;
		mblk_t *mp;

		if ((err = write_room(s, 0, DDI_FUNC, caller)) != 0 ||
		    (err = write_error(s)) != 0)
			break;
		if ((mp = head_block(s, n, M_DATA, DDI_FUNC, caller)) ==
		    NULL) {
			err = ENOSR;
			break;
		}
		memcpy(mp->b_wptr, p + done, n);
		mp->b_wptr += n;
		head_send(s, mp, DDI_FUNC, caller);
		done += n;
	} while (done < len);
	(void)str_service_now();
	if (written != NULL)
		*written = done;
	return done > 0 ? 0 : err;
}

DDI_ENTRY(int, ddisim_stream_putmsg, (ddisim_stream_t *s,
    const struct strbuf *ctl, const struct strbuf *data, int band,
    int flags), (s, ctl, data, band, flags))
{
	const void *caller = DDI_CALLER;
	bool hipri = flags == MSG_HIPRI || flags == RS_HIPRI;
	int clen = ctl != NULL ? ctl->len : -1;
	int dlen = data != NULL ? data->len : -1;
	mblk_t *mp = NULL, *dp = NULL;
	int err;

	if (io_check(s, DDI_FUNC, caller) != 0)
		return EINVAL;
	if ((flags != 0 && flags != MSG_HIPRI && flags != MSG_BAND) ||
	    band < 0 || band > 255 || (hipri && (band != 0 || clen < 0))) {
		verify_report(DDI_FUNC, caller, "flags %#x with band %d: "
		    "MSG_HIPRI needs a control part and band 0",
		    (unsigned)flags, band);
		return EINVAL;
	}
	if ((clen > 0 && ctl->buf == NULL) || (dlen > 0 &&
	    data->buf == NULL)) {
		verify_report(DDI_FUNC, caller, "NULL buffer with a length");
		return EFAULT;
	}
	if (clen < 0 && dlen < 0)
		return 0;		/* nothing is sent */
	if ((err = write_error(s)) != 0)
		return err;
	if (!hipri && (err = write_room(s, band, DDI_FUNC, caller)) != 0)
		return err;
	if (clen >= 0) {
		if ((mp = head_block(s, (size_t)clen, hipri ? M_PCPROTO :
		    M_PROTO, DDI_FUNC, caller)) == NULL)
			return ENOSR;
		memcpy(mp->b_wptr, ctl->buf, (size_t)clen);
		mp->b_wptr += clen;
	}
	if (dlen >= 0) {
		if ((dp = head_block(s, (size_t)dlen, M_DATA, DDI_FUNC,
		    caller)) == NULL) {
			if (mp != NULL)
				str_free_chain(mp);
			return ENOSR;
		}
		memcpy(dp->b_wptr, data->buf, (size_t)dlen);
		dp->b_wptr += dlen;
	}
	if (mp != NULL)
		mp->b_cont = dp;
	else
		mp = dp;
	mp->b_band = (uchar_t)band;
	head_send(s, mp, DDI_FUNC, caller);
	(void)str_service_now();
	return 0;
}

/* Whether a reader may go on: a message, an error or a hang-up. */
static bool
can_read(struct __ddi_stream *s, int arg)
{
	struct str_head *h = s->head;
	bool ok;

	(void)arg;
	pthread_mutex_lock(&s->mtx);
	ok = head_pair(s)->q[0].q_first != NULL || h->rerror != 0 ||
	    h->hangup;
	pthread_mutex_unlock(&s->mtx);
	return ok;
}

/*
 * Wait for something to read; 0 when a message is there, else the error:
 * the read error, EAGAIN (FNDELAY, empty), ETIME, or -1 at a hang-up
 * (end of file).
 */
static int
read_wait(struct __ddi_stream *s, const char *func, const void *caller)
{
	struct str_head *h = s->head;
	int err;

	(void)str_service_now();
	if (!can_read(s, 0)) {
		if (h->oflag & (FNDELAY | FNONBLOCK))
			return EAGAIN;
		if ((err = head_wait(s, can_read, 0, "a read waits for a "
		    "message at the stream head", func, caller)) != 0)
			return err;
	}
	pthread_mutex_lock(&s->mtx);
	err = h->rerror != 0 ? h->rerror :
	    head_pair(s)->q[0].q_first != NULL ? 0 : -1;
	pthread_mutex_unlock(&s->mtx);
	return err;
}

/*
 * Copy up to max bytes of the blocks of mp that are (ctl) or are not
 * control blocks into buf; consume them.  Whether some are left.
 */
static bool
take_part(mblk_t *mp, bool ctl, char *buf, size_t max, size_t *got)
{
	size_t n = 0;
	bool more = false;

	for (; mp != NULL; mp = mp->b_cont) {
		bool is_ctl = mp->b_datap->db_type != M_DATA;
		size_t k;

		if (is_ctl != ctl)
			continue;
		k = blen(mp) < max - n ? blen(mp) : max - n;
		if (k > 0 && buf != NULL)
			memcpy(buf + n, mp->b_rptr, k);
		mp->b_rptr += k;
		n += k;
		if (blen(mp) > 0)
			more = true;
	}
	*got = n;
	return more;
}

/* Put back what is left of mp at the head, or free it when empty. */
static void
put_back(struct __ddi_stream *s, mblk_t *mp)
{
	mblk_t *b;

	for (b = mp; b != NULL; b = b->b_cont)
		if (blen(b) > 0)
			break;
	if (b == NULL) {
		str_free_chain(mp);
		return;
	}
	(void)str_putq(&head_pair(s)->q[0], mp, true, "ddisim_stream_read",
	    NULL);
}

DDI_ENTRY(int, ddisim_stream_read, (ddisim_stream_t *s, void *buf,
    size_t len, size_t *got), (s, buf, len, got))
{
	const void *caller = DDI_CALLER;
	size_t done = 0;
	int err;

	if (got != NULL)
		*got = 0;
	if (io_check(s, DDI_FUNC, caller) != 0)
		return EINVAL;
	if (buf == NULL && len > 0) {
		verify_report(DDI_FUNC, caller, "NULL buffer");
		return EFAULT;
	}
	if ((err = read_wait(s, DDI_FUNC, caller)) != 0)
		return err < 0 ? 0 : err;
	/* Byte-stream reads: whole data messages while they fit. */
	while (done < len) {
		queue_t *rq = &head_pair(s)->q[0];
		mblk_t *mp;
		size_t n;
		bool more;

		pthread_mutex_lock(&s->mtx);
		mp = rq->q_first;
		if (mp != NULL && mp->b_datap->db_type != M_DATA &&
		    !(s->head->readopt & (RPROTDAT | RPROTDIS))) {
			pthread_mutex_unlock(&s->mtx);
			if (done == 0)
				err = EBADMSG;
			break;
		}
		pthread_mutex_unlock(&s->mtx);
		if (mp == NULL || (mp = str_getq(rq, DDI_FUNC, caller)) ==
		    NULL)
			break;
		if (s->head->readopt & RPROTDIS) {
			size_t junk;

			(void)take_part(mp, true, NULL, SIZE_MAX, &junk);
		}
		more = take_part(mp, s->head->readopt & RPROTDAT ? true :
		    false, (char *)buf + done, len - done, &n);
		if (s->head->readopt & RPROTDAT) {
			size_t n2;

			done += n;
			more = take_part(mp, false, (char *)buf + done,
			    len - done, &n2) || more;
			n = n2;
		}
		done += n;
		if ((s->head->readopt & RMODEMASK) == RMSGD)
			str_free_chain(mp);	/* the rest is discarded */
		else
			put_back(s, mp);
		if (more || (s->head->readopt & RMODEMASK) != RNORM)
			break;
	}
	(void)str_service_now();
	if (got != NULL)
		*got = done;
	return done > 0 ? 0 : err;
}

DDI_ENTRY(int, ddisim_stream_getmsg, (ddisim_stream_t *s, struct strbuf *ctl,
    struct strbuf *data, int *bandp, int *flagsp, int *morep),
    (s, ctl, data, bandp, flagsp, morep))
{
	const void *caller = DDI_CALLER;
	queue_t *rq;
	mblk_t *mp;
	size_t n;
	int err, more = 0, want;
	bool has_ctl;

	if (morep != NULL)
		*morep = 0;
	if (io_check(s, DDI_FUNC, caller) != 0)
		return EINVAL;
	if (flagsp == NULL) {
		verify_report(DDI_FUNC, caller, "NULL flagsp");
		return EINVAL;
	}
	want = *flagsp;
	if (want != 0 && want != MSG_ANY && want != MSG_HIPRI &&
	    want != MSG_BAND && want != RS_HIPRI) {
		verify_report(DDI_FUNC, caller, "flags %#x", (unsigned)want);
		return EINVAL;
	}
	if ((err = read_wait(s, DDI_FUNC, caller)) != 0) {
		if (err < 0) {		/* hang-up: an empty message */
			if (ctl != NULL)
				ctl->len = 0;
			if (data != NULL)
				data->len = 0;
			*flagsp = 0;
			return 0;
		}
		return err;
	}
	rq = &head_pair(s)->q[0];
	pthread_mutex_lock(&s->mtx);
	mp = rq->q_first;
	if (mp != NULL && (want == MSG_HIPRI || want == RS_HIPRI) &&
	    mp->b_datap->db_type < QPCTL)
		mp = NULL;
	if (mp != NULL && want == MSG_BAND && bandp != NULL &&
	    mp->b_datap->db_type < QPCTL && mp->b_band < *bandp)
		mp = NULL;
	pthread_mutex_unlock(&s->mtx);
	if (mp == NULL || (mp = str_getq(rq, DDI_FUNC, caller)) == NULL)
		return EAGAIN;
	if (bandp != NULL)
		*bandp = mp->b_band;
	*flagsp = mp->b_datap->db_type >= QPCTL ? MSG_HIPRI :
	    mp->b_band > 0 ? MSG_BAND : MSG_ANY;
	has_ctl = mp->b_datap->db_type != M_DATA;
	if (ctl != NULL && ctl->maxlen >= 0) {
		if (take_part(mp, true, ctl->buf, (size_t)ctl->maxlen, &n))
			more |= MORECTL;
		ctl->len = has_ctl ? (int)n : -1;
	} else if (has_ctl)
		more |= MORECTL;
	if (data != NULL && data->maxlen >= 0) {
		bool had = false;

		for (mblk_t *b = mp; b != NULL; b = b->b_cont)
			had |= b->b_datap->db_type == M_DATA;
		if (take_part(mp, false, data->buf, (size_t)data->maxlen, &n))
			more |= MOREDATA;
		data->len = had ? (int)n : -1;
	} else {
		for (mblk_t *b = mp; b != NULL; b = b->b_cont)
			if (b->b_datap->db_type == M_DATA && blen(b) > 0)
				more |= MOREDATA;
	}
	put_back(s, mp);
	(void)str_service_now();
	if (morep != NULL)
		*morep = more;
	return 0;
}

DDI_ENTRY(int, ddisim_stream_signal, (ddisim_stream_t *s), (s))
{
	int sig;

	if (stream_check(s, DDI_FUNC, DDI_CALLER) == NULL)
		return 0;
	pthread_mutex_lock(&s->mtx);
	sig = s->head->sig;
	s->head->sig = 0;
	pthread_mutex_unlock(&s->mtx);
	return sig;
}

/* Whether the ioctl in progress has its reply, or cannot get one. */
static bool
ioc_replied(struct __ddi_stream *s, int arg)
{
	struct str_head *h = s->head;
	bool ok;

	(void)arg;
	pthread_mutex_lock(&s->mtx);
	ok = h->ioc_reply != NULL || h->hangup || h->rerror != 0 ||
	    h->werror != 0;
	pthread_mutex_unlock(&s->mtx);
	return ok;
}

static bool
ioc_free(struct __ddi_stream *s, int arg)
{
	bool ok;

	(void)arg;
	pthread_mutex_lock(&s->mtx);
	ok = !s->head->ioc_busy;
	pthread_mutex_unlock(&s->mtx);
	return ok;
}

/* A zeroed block of n bytes, of type, for an ioctl message. */
static mblk_t *
ioc_block(size_t n, uchar_t type, const char *func, const void *caller)
{
	struct kcons c;
	mblk_t *mp;

	str_level_cons(LEVEL_LATEST, &c);
	if ((mp = str_alloc(n, &c, func, caller)) == NULL)
		return NULL;
	memset(mp->b_rptr, 0, n);
	mp->b_wptr += n;
	mp->b_datap->db_type = type;
	return mp;
}

/*
 * A transparent ioctl's copy step: do what M_COPYIN or M_COPYOUT asks
 * in the calling thread's process and answer with M_IOCDATA.  0, or
 * EFAULT (the M_IOCDATA then says so, and the ioctl ends), or ENOSR.
 */
static int
ioc_copy(struct __ddi_stream *s, mblk_t *req, const char *func,
    const void *caller)
{
	struct copyreq cq;
	struct copyresp *cp;
	struct proc *p = proc_current();
	mblk_t *resp, *data = NULL;
	int err = 0;

	memcpy(&cq, req->b_rptr, sizeof(cq));
	if ((resp = ioc_block(sizeof(struct copyresp), M_IOCDATA, func,
	    caller)) == NULL) {
		str_free_chain(req);
		return ENOSR;
	}
	if (p == NULL)
		err = EFAULT;
	else if (req->b_datap->db_type == M_COPYIN) {
		if ((data = ioc_block(cq.cq_size, M_DATA, func, caller)) ==
		    NULL)
			err = ENOSR;
		else if (proc_copy(p, (uint8_t *)cq.cq_addr, data->b_rptr,
		    cq.cq_size, true) != 0)
			err = EFAULT;
	} else {
		size_t off = 0;

		for (mblk_t *b = req->b_cont; b != NULL && err == 0;
		    b = b->b_cont) {
			size_t n = blen(b);

			if (off + n > cq.cq_size)
				n = cq.cq_size - off;
			if (n > 0 && proc_copy(p, (uint8_t *)cq.cq_addr + off,
			    b->b_rptr, n, false) != 0)
				err = EFAULT;
			off += n;
		}
	}
	str_free_chain(req);
	if (err != 0 && data != NULL) {
		str_free_chain(data);
		data = NULL;
	}
	cp = (struct copyresp *)(void *)resp->b_rptr;
	cp->cp_cmd = cq.cq_cmd;
	cp->cp_cr = cq.cq_cr;
	cp->cp_id = cq.cq_id;
	cp->cp_rval = err != 0 ? (caddr_t)(uintptr_t)1 : NULL;
	cp->cp_private = cq.cq_private;
	resp->b_cont = data;
	head_send(s, resp, func, caller);
	return err;
}

/*
 * Send an M_IOCTL down with data (count bytes, or TRANSPARENT) and wait
 * for its M_IOCACK or M_IOCNAK, doing the copies a transparent ioctl
 * asks for.  0 with *replyp, or an errno.
 */
static int
head_ioctl(struct __ddi_stream *s, int cmd, mblk_t *data, uint_t count,
    mblk_t **replyp, const char *func, const void *caller)
{
	struct str_head *h = s->head;
	struct iocblk *ioc;
	mblk_t *mp, *reply;
	__ddi_qfn_t post;
	caddr_t post_arg;
	int err;

	*replyp = NULL;
	if ((err = head_wait(s, ioc_free, 0, "an ioctl waits for another to "
	    "end", func, caller)) != 0) {
		str_free_chain(data);
		return err;
	}
	if ((mp = ioc_block(sizeof(struct iocblk), M_IOCTL, func, caller)) ==
	    NULL) {
		str_free_chain(data);
		return ENOSR;
	}
	pthread_mutex_lock(&s->mtx);
	h->ioc_busy = true;
	if (++h->ioc_next == 0)
		h->ioc_next = 1;
	h->ioc_id = h->ioc_next;
	pthread_mutex_unlock(&s->mtx);
	ioc = (struct iocblk *)(void *)mp->b_rptr;
	ioc->ioc_cmd = cmd;
	ioc->ioc_cr = h->cr;
	ioc->ioc_id = h->ioc_id;
	ioc->ioc_count = count;
	mp->b_cont = data;
	head_send(s, mp, func, caller);
	for (;;) {
		if ((err = head_wait(s, ioc_replied, 0, "an ioctl waits for "
		    "its M_IOCACK or M_IOCNAK", func, caller)) != 0)
			break;
		pthread_mutex_lock(&s->mtx);
		reply = h->ioc_reply;
		h->ioc_reply = NULL;
		if (reply == NULL)
			err = h->rerror != 0 ? h->rerror : h->werror != 0 ?
			    h->werror : ENXIO;
		pthread_mutex_unlock(&s->mtx);
		if (reply == NULL)
			break;
		if (reply->b_datap->db_type == M_IOCACK ||
		    reply->b_datap->db_type == M_IOCNAK) {
			*replyp = reply;
			break;
		}
		if (count != TRANSPARENT) {
			verify_report(func, caller, "%s for an I_STR ioctl; "
			    "only transparent ioctls copy", reply->b_datap->
			    db_type == M_COPYIN ? "M_COPYIN" : "M_COPYOUT");
			reply->b_datap->db_type = M_COPYIN;
			((struct copyreq *)(void *)reply->b_rptr)->cq_size = 0;
			((struct copyreq *)(void *)reply->b_rptr)->cq_addr =
			    NULL;
			if (reply->b_cont != NULL) {
				str_free_chain(reply->b_cont);
				reply->b_cont = NULL;
			}
		}
		if ((err = ioc_copy(s, reply, func, caller)) != 0)
			break;
	}
	/* strioccall: the driver's post-processing, in the caller's context. */
	pthread_mutex_lock(&s->mtx);
	post = h->post_func;
	post_arg = h->post_arg;
	h->post_func = NULL;
	h->post_arg = NULL;
	pthread_mutex_unlock(&s->mtx);
	if (post != NULL && *replyp != NULL &&
	    (*replyp)->b_datap->db_type == M_IOCACK) {
		int perr = ((int (*)(caddr_t))post)(post_arg);

		if (perr != 0) {
			ioc = (struct iocblk *)(void *)(*replyp)->b_rptr;
			ioc->ioc_error = perr;
		}
	}
	pthread_mutex_lock(&s->mtx);
	h->ioc_busy = false;
	h->ioc_id = 0;
	if (h->ioc_reply != NULL) {
		str_free_chain(h->ioc_reply);
		h->ioc_reply = NULL;
	}
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mtx);
	return err;
}

/* The reply's outcome: its error or 0, and its value. */
static int
ioc_result(mblk_t *reply, int *rvalp)
{
	struct iocblk *ioc = (struct iocblk *)(void *)reply->b_rptr;

	if (reply->b_datap->db_type == M_IOCNAK)
		return ioc->ioc_error != 0 ? ioc->ioc_error : EINVAL;
	if (ioc->ioc_error != 0)
		return ioc->ioc_error;
	if (rvalp != NULL)
		*rvalp = ioc->ioc_rval;
	return 0;
}

/*
 * An ioctl whose reply carries nothing back but its outcome: its error,
 * or 0 with its value in *rvalp (if not NULL).
 */
static int
head_ioctl_outcome(struct __ddi_stream *s, int cmd, mblk_t *data,
    uint_t count, int *rvalp, const char *func, const void *caller)
{
	mblk_t *reply;
	int err;

	if ((err = head_ioctl(s, cmd, data, count, &reply, func, caller)) != 0)
		return err;
	err = ioc_result(reply, rvalp);
	str_free_chain(reply);
	return err;
}

static int
ioctl_str(struct __ddi_stream *s, struct strioctl *sio, int *rvalp,
    const char *func, const void *caller)
{
	mblk_t *data = NULL, *reply;
	struct iocblk *ioc;
	size_t off = 0;
	int err;

	if (sio == NULL || sio->ic_len < 0 || (sio->ic_len > 0 &&
	    sio->ic_dp == NULL)) {
		verify_report(func, caller, "I_STR: a strioctl with no data "
		    "buffer or a negative length");
		return EINVAL;
	}
	if (sio->ic_len > 0) {
		if ((data = ioc_block((size_t)sio->ic_len, M_DATA, func,
		    caller)) == NULL)
			return ENOSR;
		memcpy(data->b_rptr, sio->ic_dp, (size_t)sio->ic_len);
	}
	if ((err = head_ioctl(s, sio->ic_cmd, data, (uint_t)sio->ic_len,
	    &reply, func, caller)) != 0)
		return err;
	if ((err = ioc_result(reply, rvalp)) == 0) {
		ioc = (struct iocblk *)(void *)reply->b_rptr;
		for (mblk_t *b = reply->b_cont; b != NULL &&
		    off < ioc->ioc_count; b = b->b_cont) {
			size_t n = blen(b);

			if (off + n > ioc->ioc_count)
				n = ioc->ioc_count - off;
			if (off + n > (size_t)sio->ic_len)
				n = off < (size_t)sio->ic_len ?
				    (size_t)sio->ic_len - off : 0;
			if (n > 0)
				memcpy(sio->ic_dp + off, b->b_rptr, n);
			off += n;
		}
		sio->ic_len = (int)off;
	}
	str_free_chain(reply);
	return err;
}

static int
ioctl_transparent(struct __ddi_stream *s, int cmd, intptr_t arg, int *rvalp,
    const char *func, const void *caller)
{
	mblk_t *data;
	caddr_t a = (caddr_t)arg;

	if ((data = ioc_block(sizeof(a), M_DATA, func, caller)) == NULL)
		return ENOSR;
	memcpy(data->b_rptr, &a, sizeof(a));
	return head_ioctl_outcome(s, cmd, data, TRANSPARENT, rvalp, func,
	    caller);
}

/* I_FLUSH and I_FLUSHBAND: the head's read side, then down. */
static int
ioctl_flush(struct __ddi_stream *s, int how, int band, const char *func,
    const void *caller)
{
	mblk_t *mp;

	if ((how & ~FLUSHRW) != 0 || (how & FLUSHRW) == 0 || band < -1 ||
	    band > 255)
		return EINVAL;
	if (how & FLUSHR)
		str_flush(&head_pair(s)->q[0], band, FLUSHALL, func, caller);
	if ((mp = ioc_block(band >= 0 ? 2 : 1, M_FLUSH, func, caller)) ==
	    NULL)
		return ENOSR;
	mp->b_rptr[0] = (uchar_t)(how | (band >= 0 ? FLUSHBAND : 0));
	if (band >= 0)
		mp->b_rptr[1] = (uchar_t)band;
	head_send(s, mp, func, caller);
	return 0;
}

/* The driver pair at the bottom of s. */
static struct qpair *
driver_pair(struct __ddi_stream *s)
{
	return TAILQ_LAST(&s->pairs, qpair_list);
}

/* Send I_LINK or I_UNLINK's M_IOCTL with l's linkblk up to upper. */
static int
mux_ioctl(struct __ddi_stream *upper, int cmd, struct str_link *l,
    const char *func, const void *caller)
{
	struct linkblk *lb;
	mblk_t *data;

	if ((data = ioc_block(sizeof(*lb), M_DATA, func, caller)) == NULL)
		return ENOSR;
	lb = (struct linkblk *)(void *)data->b_rptr;
	lb->l_qtop = l->persistent ? NULL : &driver_pair(upper)->q[1];
	lb->l_qbot = &l->pair->q[1];
	lb->l_index = l->id;
	return head_ioctl_outcome(upper, cmd, data, sizeof(*lb), NULL, func,
	    caller);
}

/* Cut lower's head off and put l's pair in its place. */
static void
link_do(struct str_link *l)
{
	struct __ddi_stream *lower = l->lower;
	struct qpair *hp = head_pair(lower), *top = TAILQ_NEXT(hp, link);

	pthread_mutex_lock(&lower->mtx);
	l->pair->q[1].q_next = &top->q[1];
	l->pair->q[0].q_next = NULL;
	top->q[0].q_next = &l->pair->q[0];
	hp->q[1].q_next = NULL;
	pthread_mutex_unlock(&lower->mtx);
	str_procs(l->pair, true);
	pthread_mutex_lock(&link_lock);
	lower->head->link = l;
	LIST_INSERT_HEAD(&links, l, all);
	pthread_mutex_unlock(&link_lock);
}

/* Put lower's head back, free the link; finish a pending close. */
static void
link_undo(struct str_link *l)
{
	struct __ddi_stream *lower = l->lower;
	struct qpair *hp = head_pair(lower), *top = TAILQ_NEXT(hp, link);
	bool closing;

	pthread_mutex_lock(&link_lock);
	LIST_REMOVE(l, all);
	lower->head->link = NULL;
	pthread_mutex_unlock(&link_lock);
	str_procs(l->pair, false);
	pthread_mutex_lock(&lower->mtx);
	hp->q[1].q_next = &top->q[1];
	top->q[0].q_next = &hp->q[0];
	closing = lower->head->close_pending;
	lower->head->close_pending = false;
	pthread_mutex_unlock(&lower->mtx);
	qp_free(l->pair);
	kmem_obj_free(l, sizeof(*l), KK_QUEUE, "ddisim_stream_ioctl", NULL);
	if (closing)
		stream_close_now(lower, "ddisim_stream_close", NULL);
}

/* Whether s is upper, or linked (directly or not) below upper. */
static bool
below_or_same(struct __ddi_stream *s, struct __ddi_stream *upper)
{
	bool found = false;

	pthread_mutex_lock(&link_lock);
	for (; s != NULL; s = s->head->link != NULL ?
	    s->head->link->upper : NULL)
		if (s == upper) {
			found = true;
			break;
		}
	pthread_mutex_unlock(&link_lock);
	return found;
}

static int
mux_link(struct __ddi_stream *upper, struct __ddi_stream *lower,
    bool persistent, int *idp, const char *func, const void *caller)
{
	static const struct kcons cons = { .high = UINT64_MAX, .align = 16 };
	const struct streamtab *tab = driver_pair(upper)->tab;
	struct str_link *l;
	int err;

	if (stream_check(lower, func, caller) == NULL)
		return EINVAL;
	if (tab == NULL || tab->st_muxrinit == NULL ||
	    tab->st_muxwinit == NULL)
		return EINVAL;		/* the driver is no multiplexor */
	if (linked(lower) || below_or_same(upper, lower))
		return EINVAL;		/* linked already, or a cycle */
	if ((l = kmem_obj_alloc(sizeof(*l), &cons, KM_NOSLEEP, KK_QUEUE, func,
	    caller)) == NULL)
		return ENOSR;
	memset(l, 0, sizeof(*l));
	if ((l->pair = qp_alloc(lower, QP_DRIVER, tab, tab->st_muxrinit,
	    tab->st_muxwinit, driver_pair(upper)->devflag, func, caller)) ==
	    NULL) {
		kmem_obj_free(l, sizeof(*l), KK_QUEUE, func, caller);
		return ENOSR;
	}
	pthread_mutex_lock(&link_lock);
	if (++link_next_id <= 0)
		link_next_id = 1;
	l->id = link_next_id;
	pthread_mutex_unlock(&link_lock);
	l->persistent = persistent;
	l->upper = persistent ? NULL : upper;
	l->mux = tab;
	l->lower = lower;
	link_do(l);
	if ((err = mux_ioctl(upper, persistent ? I_PLINK : I_LINK, l, func,
	    caller)) != 0) {
		link_undo(l);
		return err;
	}
	*idp = l->id;
	return 0;
}

/*
 * I_UNLINK and I_PUNLINK: the links of upper (or, persistent, of its
 * multiplexor) with identifier id, or all of them (MUXID_ALL).  Each is
 * undone even if the multiplexor refuses, as the original did; the first
 * refusal is returned.
 */
static int
mux_unlink(struct __ddi_stream *upper, int id, bool persistent,
    const char *func, const void *caller)
{
	const struct streamtab *tab = driver_pair(upper)->tab;
	int err = 0, found = 0;

	for (;;) {
		struct str_link *l;
		int e;

		pthread_mutex_lock(&link_lock);
		LIST_FOREACH(l, &links, all)
			if (l->persistent == persistent &&
			    (persistent ? l->mux == tab : l->upper == upper) &&
			    (id == MUXID_ALL || l->id == id))
				break;
		pthread_mutex_unlock(&link_lock);
		if (l == NULL)
			break;
		found++;
		e = mux_ioctl(upper, persistent ? I_PUNLINK : I_UNLINK, l,
		    func, caller);
		if (err == 0)
			err = e;
		link_undo(l);
	}
	return found == 0 ? EINVAL : err;
}

/* The links upper made, undone as its close does. */
static void
unlink_all(struct __ddi_stream *upper, bool persistent_too,
    const char *func, const void *caller)
{
	(void)mux_unlink(upper, MUXID_ALL, false, func, caller);
	if (persistent_too)
		(void)mux_unlink(upper, MUXID_ALL, true, func, caller);
}

/* What poll(2) says of s now, for the driver host (service run first). */
short
str_head_poll(struct __ddi_stream *s, short events)
{
	struct str_head *h = s->head;
	mblk_t *first;
	short rev = 0;

	(void)str_service_now();
	if (events & (POLLOUT | POLLWRNORM)) {
		if (can_write(s, 0))
			rev |= events & (POLLOUT | POLLWRNORM);
	}
	pthread_mutex_lock(&s->mtx);
	first = head_pair(s)->q[0].q_first;
	if (first != NULL) {
		if (first->b_datap->db_type >= QPCTL)
			rev |= events & POLLPRI;
		else if (first->b_band > 0)
			rev |= events & (POLLIN | POLLRDBAND);
		else
			rev |= events & (POLLIN | POLLRDNORM);
	}
	if (h->rerror != 0 || h->werror != 0)
		rev |= POLLERR;
	if (h->hangup)
		rev |= POLLHUP;
	pthread_mutex_unlock(&s->mtx);
	return rev;
}

/*
 * poll(2) on s for the driver host: until an event, timeout_ms (-1: no
 * end but the wait limit, after which a report and ETIME), or intr(arg)
 * says a signal came (EINTR).  The service runs meanwhile.
 */
int
str_head_poll_wait(struct __ddi_stream *s, short events, int timeout_ms,
    short *reventsp, bool (*intr)(void *), void *arg, const char *func,
    const void *caller)
{
	const struct timespec step = { 0, HEAD_POLL_MS * 1000000L };
	unsigned limit = timeout_ms >= 0 ? (unsigned)timeout_ms : vwait_limit();
	struct timespec t0, now;
	uint64_t ms;

	(void)clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		if ((*reventsp = str_head_poll(s, events)) != 0)
			return 0;
		if (intr != NULL && intr(arg))
			return EINTR;
		(void)clock_gettime(CLOCK_MONOTONIC, &now);
		ms = (uint64_t)(now.tv_sec - t0.tv_sec) * 1000 +
		    (uint64_t)((now.tv_nsec - t0.tv_nsec) / 1000000);
		if (ms >= limit)
			break;
		(void)nanosleep(&step, NULL);
	}
	if (timeout_ms >= 0)
		return 0;
	verify_report(func, caller, "poll without a timeout: no event of "
	    "%#x on the stream after %u ms (sleeplimit); returning ETIME",
	    (unsigned)(unsigned short)events, limit);
	return ETIME;
}

/* The driver host's module table, for I_PUSH. */
static _Atomic(str_fmod_fn) fmod_lookup;

void
str_fmod_lookup_set(str_fmod_fn fn)
{
	atomic_store(&fmod_lookup, fn);
}

/*
 * I_PUSH: the module named by the string at arg, a user address when the
 * calling thread runs in a simulated process.
 */
static int
push_by_name(struct __ddi_stream *s, intptr_t arg, const char *func,
    const void *caller)
{
	str_fmod_fn fn = atomic_load(&fmod_lookup);
	struct proc *p = proc_current();
	const struct streamtab *tab;
	char name[FMNAMESZ + 1];
	int devflag = 0;
	size_t i;

	if (arg == 0)
		return EINVAL;
	for (i = 0; i < sizeof(name); i++) {
		if (p != NULL) {
			if (proc_copy(p, (uint8_t *)arg + i, (uint8_t *)&name[i],
			    1, true) != 0)
				return EFAULT;
		} else {
			name[i] = ((const char *)arg)[i];
		}
		if (name[i] == '\0')
			break;
	}
	if (i == sizeof(name))
		return EINVAL;		/* longer than any module's name */
	if (fn == NULL || (tab = fn(name, &devflag)) == NULL) {
		verify_report(func, caller, "I_PUSH: no module \"%s\" is "
		    "loaded (ddisim_drv_load(3) loads one; ddisim_stream_push "
		    "pushes one by its streamtab)", name);
		return EINVAL;
	}
	return ddisim_stream_push(s, tab, devflag);
}

DDI_ENTRY(int, ddisim_stream_ioctl, (ddisim_stream_t *s, int cmd,
    intptr_t arg, int *rvalp), (s, cmd, arg, rvalp))
{
	const void *caller = DDI_CALLER;
	struct str_head *h;
	queue_t *rq;
	int err = 0, rval = 0;

	if (io_check(s, DDI_FUNC, caller) != 0)
		return EINVAL;
	h = s->head;
	rq = &head_pair(s)->q[0];
	switch (cmd) {
	case I_STR:
		err = ioctl_str(s, (struct strioctl *)arg, &rval, DDI_FUNC,
		    caller);
		break;
	case I_FLUSH:
		err = ioctl_flush(s, (int)arg, -1, DDI_FUNC, caller);
		break;
	case I_FLUSHBAND: {
		struct bandinfo *bi = (struct bandinfo *)arg;

		err = bi == NULL ? EINVAL : ioctl_flush(s, bi->bi_flag,
		    bi->bi_pri, DDI_FUNC, caller);
		break;
	}
	case I_NREAD:
		pthread_mutex_lock(&s->mtx);
		for (mblk_t *m = rq->q_first; m != NULL; m = m->b_next)
			rval++;
		if (arg != 0)
			*(int *)arg = rq->q_first == NULL ? 0 :
			    (int)str_msg_bytes(rq->q_first);
		pthread_mutex_unlock(&s->mtx);
		break;
	case I_CANPUT:
		if (arg < 0 || arg > 255)
			err = EINVAL;
		else
			rval = can_write(s, (int)arg) ? 1 : 0;
		break;
	case I_SRDOPT:
		if ((arg & RMODEMASK) == RMODEMASK)
			err = EINVAL;
		else {
			pthread_mutex_lock(&s->mtx);
			h->readopt = (int)arg;
			pthread_mutex_unlock(&s->mtx);
		}
		break;
	case I_GRDOPT:
		if (arg == 0)
			err = EINVAL;
		else {
			pthread_mutex_lock(&s->mtx);
			*(int *)arg = h->readopt;
			pthread_mutex_unlock(&s->mtx);
		}
		break;
	case I_LOOK: {
		struct qpair *top = TAILQ_NEXT(head_pair(s), link);

		if (top->role != QP_MODULE)
			err = EINVAL;
		else if (arg != 0) {
			strncpy((char *)arg, top->name, FMNAMESZ);
			((char *)arg)[FMNAMESZ] = '\0';
		}
		break;
	}
	case I_POP:
		if (TAILQ_NEXT(head_pair(s), link)->role != QP_MODULE)
			err = EINVAL;
		else
			pop_top(s);
		break;
	case I_PUSH:
		err = push_by_name(s, arg, DDI_FUNC, caller);
		break;
	case I_LINK:
	case I_PLINK:
		err = mux_link(s, (struct __ddi_stream *)arg, cmd == I_PLINK,
		    &rval, DDI_FUNC, caller);
		break;
	case I_UNLINK:
	case I_PUNLINK:
		err = mux_unlink(s, (int)arg, cmd == I_PUNLINK, DDI_FUNC,
		    caller);
		break;
	default:
		err = ioctl_transparent(s, cmd, arg, &rval, DDI_FUNC, caller);
		break;
	}
	(void)str_service_now();
	if (err == 0 && rvalp != NULL)
		*rvalp = rval;
	return err;
}

/* Shutdown: streams a test never closed, dropped (after the report). */
void
str_heads_drop(void)
{
	struct __ddi_stream *s;

	while ((s = str_stream_any()) != NULL)
		stream_destroy(s);
}

/*
 * strioccall (DDI 8): a driver handling the M_IOCTL with identifier
 * iocid asks the head to call func(arg) once the ioctl is acknowledged,
 * in the context of the process that made it.  A nonzero return becomes
 * the ioctl's error.  One function an ioctl: a second call replaces the
 * first.  0, or 1 when no ioctl with that identifier is in progress on
 * q's stream or above it.
 */
DDI_ENTRY(int, strioccall, (__ddi_qfn_t func, caddr_t arg, long iocid,
    queue_t *q), (func, arg, iocid, q))
{
	const void *caller = DDI_CALLER;
	struct qpair *qp;
	struct __ddi_stream *s;

	if (func == NULL) {
		verify_report(DDI_FUNC, caller, "NULL function");
		return 1;
	}
	if ((qp = qp_check(q, DDI_FUNC, caller)) == NULL)
		return 1;
	pthread_mutex_lock(&link_lock);
	for (s = qp->str; s != NULL; s = s->head->link != NULL ?
	    s->head->link->upper : NULL) {
		struct str_head *h = s->head;
		bool mine;

		pthread_mutex_lock(&s->mtx);
		mine = h->ioc_busy && (long)h->ioc_id == iocid;
		if (mine) {
			h->post_func = func;
			h->post_arg = arg;
		}
		pthread_mutex_unlock(&s->mtx);
		if (mine)
			break;
	}
	pthread_mutex_unlock(&link_lock);
	if (s == NULL) {
		verify_report(DDI_FUNC, caller, "no ioctl with identifier %ld "
		    "is in progress on the stream of queue %p", iocid,
		    (void *)q);
		return 1;
	}
	return 0;
}
