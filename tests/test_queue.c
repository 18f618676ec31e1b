/*
 * test_queue.c - STREAMS queues: the queue routines against a model
 * (order, counts, QFULL and the bands', enabling and back-enabling), a
 * module over a driver through the simulated stream head (data, I_STR
 * and transparent ioctls, flush both ways, M_ERROR, hang-up, close with
 * messages queued), a D_MP driver written from two threads, and each
 * misuse reported with the function and the caller.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include <sys/types.h>
#include <sys/param.h>
#include <sys/kmem.h>
#include <sys/stream.h>
#include <sys/stropts.h>
#include <sys/cred.h>
#include <sys/conf.h>
#include <sys/file.h>
#include <sys/ddi.h>

#include "lib/testutil.h"

/* ---- a test driver and module ---- */

static unsigned drv_wsrv_calls, mod_wsrv_calls, drv_opens, drv_closes;
static queue_t *drv_rq;			/* the last driver instance's */
static bool drv_wput_queues;		/* wput: putq, else echo upward */
static bool drv_wsrv_drains;		/* wsrv: getq and free all */

static int
tdrv_open(queue_t *q, dev_t *devp, int flag, int sflag, cred_t *cr)
{
	(void)devp; (void)flag; (void)sflag; (void)cr;
	drv_opens++;
	drv_rq = q;
	q->q_ptr = WR(q)->q_ptr = &drv_opens;
	qprocson(q);
	return 0;
}

static int
tdrv_close(queue_t *q, int flag, cred_t *cr)
{
	(void)flag; (void)cr;
	qprocsoff(q);
	q->q_ptr = WR(q)->q_ptr = NULL;
	drv_closes++;
	return 0;
}

/* Transparent ioctl 'T': copy in 4 bytes, add one, copy them out. */
#define TIOC_INC	(('T' << 8) | 1)
#define SIOC_REV	(('T' << 8) | 2)	/* I_STR: reverse the data */
#define SIOC_FAIL	(('T' << 8) | 3)	/* I_STR: NAK with EPERM */
#define SIOC_POST	(('T' << 8) | 4)	/* I_STR: strioccall, then ACK */

static int post_calls, post_ret;
static pthread_t post_thread;

static int
post_fn(caddr_t arg)
{
	ck_assert_ptr_eq(arg, (caddr_t)&post_calls);
	post_calls++;
	post_thread = pthread_self();
	return post_ret;
}

static caddr_t tioc_uaddr;		/* where TIOC_INC's value is */

static void
drv_ioctl(queue_t *q, mblk_t *mp)
{
	struct iocblk *ioc = (struct iocblk *)mp->b_rptr;

	switch (ioc->ioc_cmd) {
	case SIOC_REV:
		if (mp->b_cont != NULL) {
			uchar_t *a = mp->b_cont->b_rptr,
			    *b = mp->b_cont->b_wptr - 1;

			for (; a < b; a++, b--) {
				uchar_t t = *a;
				*a = *b;
				*b = t;
			}
		}
		ioc->ioc_rval = 7;
		mp->b_datap->db_type = M_IOCACK;
		break;
	case SIOC_POST:
		ck_assert_int_eq(strioccall((__ddi_qfn_t)post_fn,
		    (caddr_t)&post_calls, (long)ioc->ioc_id, q), 0);
		ck_assert_int_eq(post_calls, 0);	/* not yet */
		mp->b_datap->db_type = M_IOCACK;
		break;
	case TIOC_INC: {
		struct copyreq *cq = (struct copyreq *)mp->b_rptr;
		caddr_t uaddr = *(caddr_t *)mp->b_cont->b_rptr;

		freemsg(mp->b_cont);
		mp->b_cont = NULL;
		tioc_uaddr = uaddr;
		cq->cq_addr = uaddr;
		cq->cq_size = 4;
		cq->cq_flag = 0;
		cq->cq_private = NULL;
		mp->b_datap->db_type = M_COPYIN;
		break;
	}
	default:
		ioc->ioc_error = EPERM;
		mp->b_datap->db_type = M_IOCNAK;
		break;
	}
	qreply(q, mp);
}

static void
drv_iocdata(queue_t *q, mblk_t *mp)
{
	struct copyresp *cp = (struct copyresp *)mp->b_rptr;
	struct iocblk *ioc = (struct iocblk *)mp->b_rptr;

	if (cp->cp_rval != NULL) {	/* the copy failed: no reply */
		freemsg(mp);
		return;
	}
	if (mp->b_cont != NULL) {	/* copied in: add one, copy out */
		struct copyreq *cq = (struct copyreq *)mp->b_rptr;
		uint32_t v;

		memcpy(&v, mp->b_cont->b_rptr, 4);
		v++;
		memcpy(mp->b_cont->b_rptr, &v, 4);
		cq->cq_addr = tioc_uaddr;
		cq->cq_size = 4;
		mp->b_datap->db_type = M_COPYOUT;
		qreply(q, mp);
		return;
	}
	mp->b_datap->db_type = M_IOCACK;	/* copied out: done */
	ioc->ioc_count = 0;
	ioc->ioc_error = 0;
	ioc->ioc_rval = 0;
	qreply(q, mp);
}

static int
drv_wput(queue_t *q, mblk_t *mp)
{
	switch (mp->b_datap->db_type) {
	case M_FLUSH:
		if (*mp->b_rptr & FLUSHW)
			flushq(q, FLUSHALL);
		if (*mp->b_rptr & FLUSHR) {
			flushq(RD(q), FLUSHALL);
			*mp->b_rptr &= ~FLUSHW;
			qreply(q, mp);
		} else
			freemsg(mp);
		return 0;
	case M_IOCTL:
		drv_ioctl(q, mp);
		return 0;
	case M_IOCDATA:
		drv_iocdata(q, mp);
		return 0;
	default:
		if (drv_wput_queues)
			(void)putq(q, mp);
		else
			qreply(q, mp);	/* echo */
		return 0;
	}
}

static int
drv_wsrv(queue_t *q)
{
	mblk_t *mp;

	drv_wsrv_calls++;
	if (drv_wsrv_drains)
		while ((mp = getq(q)) != NULL)
			freemsg(mp);
	return 0;
}

/* The read side: pass up with flow control. */
static int
drv_rput(queue_t *q, mblk_t *mp)
{
	(void)putq(q, mp);
	return 0;
}

static int
drv_rsrv(queue_t *q)
{
	mblk_t *mp;

	while ((mp = getq(q)) != NULL) {
		if (mp->b_datap->db_type < QPCTL && !canputnext(q)) {
			(void)putbq(q, mp);
			return 0;
		}
		putnext(q, mp);
	}
	return 0;
}

static struct module_info drv_minfo = { 42, "tdrv", 0, INFPSZ, 300, 100 };
static struct qinit drv_rinit = {
	drv_rput, drv_rsrv, tdrv_open, tdrv_close, NULL, &drv_minfo, NULL
};
static struct qinit drv_winit = {
	drv_wput, drv_wsrv, NULL, NULL, NULL, &drv_minfo, NULL
};
static struct streamtab drv_tab = { &drv_rinit, &drv_winit, NULL, NULL };

/* A module: passes everything, counts its write service runs. */
static struct module_stat mod_stat;

static int
mod_open(queue_t *q, dev_t *devp, int flag, int sflag, cred_t *cr)
{
	(void)devp; (void)flag; (void)cr;
	ck_assert_int_eq(sflag, MODOPEN);
	qprocson(q);
	return 0;
}

static int
mod_close(queue_t *q, int flag, cred_t *cr)
{
	(void)flag; (void)cr;
	qprocsoff(q);
	return 0;
}

static int
mod_put(queue_t *q, mblk_t *mp)
{
	if (mp->b_datap->db_type == M_DATA && !(q->q_flag & QREADR) &&
	    mp->b_wptr > mp->b_rptr && *mp->b_rptr == 'u')
		*mp->b_rptr = 'U';	/* proof it went through */
	putnext(q, mp);
	return 0;
}

static int
mod_wsrv(queue_t *q)
{
	mblk_t *mp;

	mod_wsrv_calls++;
	while ((mp = getq(q)) != NULL)
		putnext(q, mp);
	return 0;
}

static struct module_info mod_minfo = { 43, "tmod", 0, INFPSZ, 4096, 1024 };
static struct qinit mod_rinit = {
	mod_put, NULL, mod_open, mod_close, NULL, &mod_minfo, &mod_stat
};
static struct qinit mod_winit = {
	mod_put, mod_wsrv, NULL, NULL, NULL, &mod_minfo, &mod_stat
};
static struct streamtab mod_tab = { &mod_rinit, &mod_winit, NULL, NULL };

static void
reset_counts(void)
{
	drv_wsrv_calls = mod_wsrv_calls = drv_opens = drv_closes = 0;
	drv_wput_queues = drv_wsrv_drains = false;
	memset(&mod_stat, 0, sizeof(mod_stat));
}

static ddisim_stream_t *
open_stack(bool with_module)
{
	ddisim_stream_t *s = NULL;
	dev_t dev = 0;

	reset_counts();
	ck_assert_int_eq(ddisim_stream_open(&drv_tab, D_MP, &dev, FREAD |
	    FWRITE, 0, NULL, &s), 0);
	ck_assert_ptr_nonnull(s);
	if (with_module)
		ck_assert_int_eq(ddisim_stream_push(s, &mod_tab, D_MP), 0);
	return s;
}

/* ---- the model ---- */

#define MAXM	64
#define HIWAT	300
#define LOWAT	100

struct mmsg {
	mblk_t		*mp;
	unsigned	key;		/* 256: high priority */
	unsigned	band;
	size_t		bytes;
	bool		data;		/* datamsg type */
};

struct model {
	struct mmsg	m[MAXM];
	size_t		n;
	unsigned long	count[256];	/* [0]: q_count */
	bool		full[256], wantw[256], wantr, noenb;
	bool		band_made[256];
	unsigned	enables, backenables;	/* expected this step */
};

static void
m_insert(struct model *md, size_t at, struct mmsg x)
{
	memmove(&md->m[at + 1], &md->m[at], (md->n - at) * sizeof(x));
	md->m[at] = x;
	md->n++;
}

static unsigned
cband(const struct mmsg *x)
{
	return x->key == 256 ? 0 : x->band;
}

static void
m_count_add(struct model *md, const struct mmsg *x)
{
	unsigned b = cband(x);

	md->count[b] += x->bytes;
	if (md->count[b] >= HIWAT)
		md->full[b] = true;
}

static void
m_count_sub(struct model *md, const struct mmsg *x)
{
	unsigned b = cband(x);

	md->count[b] = x->bytes > md->count[b] ? 0 : md->count[b] - x->bytes;
	if (md->count[b] < HIWAT)
		md->full[b] = false;
	if (md->count[b] <= LOWAT && md->wantw[b]) {
		md->wantw[b] = false;
		md->backenables = 1;
	}
}

static void
m_remove(struct model *md, size_t at)
{
	m_count_sub(md, &md->m[at]);
	memmove(&md->m[at], &md->m[at + 1], (md->n - at - 1) *
	    sizeof(md->m[0]));
	md->n--;
}

static void
m_make_bands(struct model *md, unsigned b)
{
	for (unsigned i = 1; i <= b; i++)
		md->band_made[i] = true;
}

/* Check the queue against the model. */
static void
m_check(queue_t *q, const struct model *md, unsigned step)
{
	mblk_t *mp = q->q_first;
	qband_t *qb;
	unsigned b;

	for (size_t i = 0; i < md->n; i++, mp = mp->b_next) {
		ck_assert_msg(mp == md->m[i].mp, "step %u: message %zu is "
		    "%p, model %p", step, i, (void *)mp, (void *)md->m[i].mp);
		ck_assert_ptr_eq(mp->b_prev, i == 0 ? NULL : md->m[i - 1].mp);
	}
	ck_assert_ptr_null(mp);
	ck_assert_ptr_eq(q->q_last, md->n ? md->m[md->n - 1].mp : NULL);
	ck_assert_uint_eq(q->q_count, md->count[0]);
	ck_assert_msg(!!(q->q_flag & QFULL) == md->full[0], "step %u: QFULL",
	    step);
	ck_assert_int_eq(qsize(q), (int)md->n);
	for (b = 1, qb = q->q_bandp; qb != NULL; b++, qb = qb->qb_next) {
		mblk_t *first = NULL, *last = NULL;

		ck_assert(md->band_made[b]);
		ck_assert_uint_eq(qb->qb_count, md->count[b]);
		ck_assert_msg(!!(qb->qb_flag & QB_FULL) == md->full[b],
		    "step %u: band %u QB_FULL", step, b);
		for (size_t i = 0; i < md->n; i++)
			if (md->m[i].key == b) {
				if (first == NULL)
					first = md->m[i].mp;
				last = md->m[i].mp;
			}
		ck_assert_ptr_eq(qb->qb_first, first);
		ck_assert_ptr_eq(qb->qb_last, last);
	}
	ck_assert(b > 255 || !md->band_made[b]);
	ck_assert_uint_eq(q->q_nband, b - 1);
}

static const uchar_t mtypes[] = { M_DATA, M_PROTO, M_CTL, M_PCPROTO,
	M_PCCTL };

static struct mmsg
m_new(void)
{
	struct mmsg x;
	uchar_t t = mtypes[rndn(sizeof(mtypes))];
	size_t len = rndn(120);

	x.mp = allocb((int)len, BPRI_MED);
	ck_assert_ptr_nonnull(x.mp);
	x.mp->b_datap->db_type = t;
	x.mp->b_wptr += len;
	x.bytes = len;
	x.data = datamsg(t);
	if (t >= QPCTL) {
		x.key = 256;
		x.band = 0;
	} else {
		x.band = rndn(3) == 0 ? 1 + (unsigned)rndn(3) : 0;
		x.key = x.band;
	}
	x.mp->b_band = (uchar_t)x.band;
	return x;
}

static bool
m_enable_on_put(const struct model *md, unsigned k, bool back)
{
	if (k == 256)
		return true;
	if (md->noenb)
		return false;
	return md->wantr || (!back && k > 0);
}

START_TEST(queue_model)
{
	long iters = prop_floor(prop_iters(4000), 400);
	ddisim_stream_t *s;
	struct model md;
	queue_t *wq;
	pl_t pl;

	MACHINE_UP("mem=64M");
	prop_seed(0x51ea11);
	s = open_stack(true);
	/* The driver's write queue: reach it with a put that queues. */
	drv_wput_queues = true;
	{
		char c = 'x';

		ck_assert_int_eq(ddisim_stream_write(s, &c, 1, NULL), 0);
	}
	/* The message waits on the driver's write queue. */
	ck_assert_uint_eq(drv_wsrv_calls, 1);
	wq = WR(drv_rq);
	ck_assert_ptr_nonnull(wq->q_first);
	{
		mblk_t *mp = getq(wq);

		ck_assert_ptr_nonnull(mp);
		freemsg(mp);
		ck_assert_ptr_null(getq(wq));	/* QWANTR now */
	}
	pl = freezestr(wq);
	ck_assert_int_eq(strqset(wq, QHIWAT, 0, HIWAT), 0);
	ck_assert_int_eq(strqset(wq, QLOWAT, 0, LOWAT), 0);
	unfreezestr(wq, pl);
	(void)ddisim_streams_run();
	memset(&md, 0, sizeof(md));
	md.wantr = true;
	for (long it = 0; it < iters; it++) {
		unsigned op = (unsigned)rndn(11), d0 = drv_wsrv_calls,
		    m0 = mod_wsrv_calls;
		struct mmsg x;
		size_t at;

		md.enables = md.backenables = 0;
		switch (op) {
		case 0: case 1: case 2:		/* putq */
			if (md.n == MAXM)
				break;
			x = m_new();
			for (at = 0; at < md.n && md.m[at].key >= x.key; at++)
				;
			if (x.band > 0)
				m_make_bands(&md, x.band);
			m_insert(&md, at, x);
			m_count_add(&md, &x);
			md.enables = m_enable_on_put(&md, x.key, false);
			ck_assert_int_eq(putq(wq, x.mp), 1);
			break;
		case 3:				/* putbq */
			if (md.n == MAXM)
				break;
			x = m_new();
			for (at = 0; at < md.n && md.m[at].key > x.key; at++)
				;
			if (x.band > 0)
				m_make_bands(&md, x.band);
			m_insert(&md, at, x);
			m_count_add(&md, &x);
			md.enables = m_enable_on_put(&md, x.key, true);
			ck_assert_int_eq(putbq(wq, x.mp), 1);
			break;
		case 4: case 5: {		/* getq */
			mblk_t *mp;

			if (md.n == 0) {
				md.wantr = true;
				if (md.wantw[0]) {
					md.wantw[0] = false;
					md.backenables = 1;
				}
				ck_assert_ptr_null(getq(wq));
				break;
			}
			x = md.m[0];
			m_remove(&md, 0);
			md.wantr = false;
			mp = getq(wq);
			ck_assert_ptr_eq(mp, x.mp);
			freemsg(mp);
			break;
		}
		case 6: {			/* insq */
			size_t pos;
			bool ok;

			if (md.n == MAXM)
				break;
			x = m_new();
			pos = rndn(md.n + 1);
			ok = !(pos < md.n && md.m[pos].key > x.key) &&
			    !(pos > 0 && md.m[pos - 1].key < x.key);
			pl = freezestr(wq);
			ck_assert_int_eq(insq(wq, pos < md.n ? md.m[pos].mp :
			    NULL, x.mp), ok);
			unfreezestr(wq, pl);
			if (!ok) {
				freemsg(x.mp);
				break;
			}
			if (x.band > 0)
				m_make_bands(&md, x.band);
			m_insert(&md, pos, x);
			m_count_add(&md, &x);
			md.enables = m_enable_on_put(&md, x.key, false);
			break;
		}
		case 7: {			/* rmvq */
			mblk_t *mp;

			if (md.n == 0)
				break;
			at = rndn(md.n);
			mp = md.m[at].mp;
			m_remove(&md, at);
			pl = freezestr(wq);
			rmvq(wq, mp);
			unfreezestr(wq, pl);
			freemsg(mp);
			break;
		}
		case 8: {			/* flushq / flushband */
			int flag = rndn(2) ? FLUSHALL : FLUSHDATA;
			int band = rndn(2) ? -1 : (int)rndn(4);

			for (at = 0; at < md.n;) {
				if ((band < 0 || (md.m[at].key != 256 &&
				    md.m[at].band == (unsigned)band)) &&
				    (flag == FLUSHALL || md.m[at].data))
					m_remove(&md, at);
				else
					at++;
			}
			if (band < 0)
				flushq(wq, flag);
			else
				flushband(wq, (uchar_t)band, flag);
			break;
		}
		case 9: {			/* canput / bcanput */
			unsigned b = rndn(2) ? 0 : 1 + (unsigned)rndn(3);
			int want;

			if (b == 0)
				want = !md.full[0];
			else
				want = !(md.band_made[b] && md.full[b]);
			if (!want)
				md.wantw[b] = true;
			ck_assert_int_eq(b == 0 ? canput(wq) :
			    bcanput(wq, (uchar_t)b), want);
			break;
		}
		case 10:			/* noenable / enableok */
			md.noenb = rndn(2) == 0;
			if (md.noenb)
				noenable(wq);
			else
				enableok(wq);
			break;
		}
		(void)ddisim_streams_run();
		ck_assert_msg(drv_wsrv_calls - d0 == md.enables, "step %ld "
		    "(op %u): driver service ran %u times, model %u", it, op,
		    drv_wsrv_calls - d0, md.enables);
		ck_assert_msg(mod_wsrv_calls - m0 == md.backenables, "step %ld "
		    "(op %u): back-enables %u, model %u", it, op,
		    mod_wsrv_calls - m0, md.backenables);
		m_check(wq, &md, (unsigned)it);
	}
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	ck_assert_int_eq(ddisim_stream_close(s), 0);
	MACHINE_DOWN();
}
END_TEST

/* ---- the stack through the head ---- */

START_TEST(stack_data_and_ioctls)
{
	ddisim_stream_t *s;
	struct strioctl sio;
	char buf[64], rev[] = "abcdef";
	size_t got;
	int rval = -1;

	MACHINE_UP("mem=64M");
	s = open_stack(true);
	ck_assert_uint_eq(drv_opens, 1);
	/* Data goes down through the module and echoes back up. */
	ck_assert_int_eq(ddisim_stream_write(s, "up", 2, &got), 0);
	ck_assert_uint_eq(got, 2);
	ck_assert_int_eq(ddisim_stream_read(s, buf, sizeof(buf), &got), 0);
	ck_assert_uint_eq(got, 2);
	ck_assert_int_eq(memcmp(buf, "Up", 2), 0);
	ck_assert_int_ge(mod_stat.ms_pcnt, 2);
	/* I_STR: data in, data out, a return value. */
	sio.ic_cmd = SIOC_REV;
	sio.ic_timout = 0;
	sio.ic_len = 6;
	sio.ic_dp = rev;
	ck_assert_int_eq(ddisim_stream_ioctl(s, I_STR, (intptr_t)&sio, &rval),
	    0);
	ck_assert_int_eq(rval, 7);
	ck_assert_int_eq(sio.ic_len, 6);
	ck_assert_str_eq(rev, "fedcba");
	/* A NAK's error. */
	sio.ic_cmd = SIOC_FAIL;
	sio.ic_len = 0;
	ck_assert_int_eq(ddisim_stream_ioctl(s, I_STR, (intptr_t)&sio, &rval),
	    EPERM);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	ck_assert_int_eq(ddisim_stream_close(s), 0);
	ck_assert_uint_eq(drv_closes, 1);
	MACHINE_DOWN();
}
END_TEST

/* A transparent ioctl copies in and out of the simulated process. */
START_TEST(stack_transparent_ioctl)
{
	ddisim_stream_t *s;
	struct proc *p;
	uint32_t v = 41, *u;
	int rval;

	MACHINE_UP("mem=64M");
	p = ddisim_proc_create(8192, 0);
	ck_assert_ptr_nonnull(p);
	ddisim_proc_enter(p);
	u = (uint32_t *)ddisim_proc_base(p) + 3;
	ck_assert_int_eq(ddisim_proc_write(p, u, &v, 4), 0);
	s = open_stack(true);
	ck_assert_int_eq(ddisim_stream_ioctl(s, TIOC_INC, (intptr_t)u, &rval),
	    0);
	ck_assert_int_eq(ddisim_proc_read(p, u, &v, 4), 0);
	ck_assert_uint_eq(v, 42);
	/* A bad user address: EFAULT, and the driver frees its state. */
	ck_assert_int_eq(ddisim_stream_ioctl(s, TIOC_INC, (intptr_t)16,
	    &rval), EFAULT);
	ck_assert_int_eq(ddisim_stream_close(s), 0);
	ddisim_proc_enter(NULL);
	ddisim_proc_destroy(p);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	MACHINE_DOWN();
}
END_TEST

/* Flush both ways, M_ERROR and hang-up, close with messages queued. */
START_TEST(stack_flush_error_hangup)
{
	ddisim_stream_t *s;
	char buf[16];
	size_t got;
	int n = -1;

	MACHINE_UP("mem=64M");
	s = open_stack(true);
	/* Echoed data waits at the head; I_FLUSH FLUSHR drops it. */
	ck_assert_int_eq(ddisim_stream_write(s, "abc", 3, NULL), 0);
	ck_assert_int_eq(ddisim_stream_ioctl(s, I_NREAD, (intptr_t)&n, NULL),
	    0);
	ck_assert_int_eq(n, 3);
	ck_assert_int_eq(ddisim_stream_ioctl(s, I_FLUSH, FLUSHR, NULL), 0);
	ck_assert_int_eq(ddisim_stream_ioctl(s, I_NREAD, (intptr_t)&n, NULL),
	    0);
	ck_assert_int_eq(n, 0);
	/* Messages queued on the driver's write side; FLUSHW drops them. */
	drv_wput_queues = true;
	ck_assert_int_eq(ddisim_stream_write(s, "def", 3, NULL), 0);
	ck_assert_int_eq(qsize(WR(drv_rq)), 1);
	ck_assert_int_eq(ddisim_stream_ioctl(s, I_FLUSH, FLUSHW, NULL), 0);
	ck_assert_int_eq(qsize(WR(drv_rq)), 0);
	/* A flush the driver starts upward: FLUSHRW comes back down. */
	ck_assert_int_eq(ddisim_stream_write(s, "ghi", 3, NULL), 0);
	ck_assert_int_eq(putnextctl1(drv_rq, M_FLUSH, FLUSHRW), 1);
	(void)ddisim_streams_run();
	ck_assert_int_eq(qsize(WR(drv_rq)), 0);
	/* M_ERROR: reads and writes fail with it. */
	ck_assert_int_eq(putnextctl1(drv_rq, M_ERROR, EIO), 1);
	ck_assert_int_eq(ddisim_stream_read(s, buf, sizeof(buf), &got), EIO);
	ck_assert_int_eq(ddisim_stream_write(s, "x", 1, NULL), EIO);
	ck_assert_int_eq(ddisim_stream_close(s), 0);
	/* Hang-up: reads end (0 bytes), writes fail with ENXIO. */
	s = open_stack(false);
	ck_assert_int_eq(putnextctl(drv_rq, M_HANGUP), 1);
	ck_assert_int_eq(ddisim_stream_read(s, buf, sizeof(buf), &got), 0);
	ck_assert_uint_eq(got, 0);
	ck_assert_int_eq(ddisim_stream_write(s, "x", 1, NULL), ENXIO);
	/* Close with messages still on the driver's queues: freed. */
	drv_wput_queues = true;
	ck_assert_int_eq(ddisim_stream_close(s), 0);
	s = open_stack(true);
	drv_wput_queues = true;
	ck_assert_int_eq(ddisim_stream_write(s, "jkl", 3, NULL), 0);
	ck_assert_int_eq(ddisim_stream_write(s, "mno", 3, NULL), 0);
	ck_assert_int_eq(qsize(WR(drv_rq)), 2);
	ck_assert_int_eq(ddisim_stream_close(s), 0);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	MACHINE_DOWN();
}
END_TEST

/*
 * Flow control end to end: the head's read queue fills (its high water
 * mark is 5120), the driver's read service stops at canputnext and puts
 * back; reading drains the head and back-enables the driver, which sends
 * the rest.
 */
START_TEST(stack_read_flow_control)
{
	static char big[1000];
	ddisim_stream_t *s;
	size_t total = 0, got;
	char buf[1000];
	int i;

	MACHINE_UP("mem=64M");
	s = open_stack(false);
	for (i = 0; i < 12; i++) {
		mblk_t *mp = allocb(sizeof(big), BPRI_MED);

		ck_assert_ptr_nonnull(mp);
		memset(mp->b_wptr, 'a' + i, sizeof(big));
		mp->b_wptr += sizeof(big);
		put(drv_rq, mp);
	}
	(void)ddisim_streams_run();
	ck_assert_int_gt(qsize(drv_rq), 0);	/* held back */
	for (i = 0; i < 12; i++) {
		ck_assert_int_eq(ddisim_stream_read(s, buf, sizeof(buf), &got),
		    0);
		ck_assert_uint_eq(got, sizeof(buf));
		ck_assert_int_eq(buf[0], 'a' + i);	/* in order */
		total += got;
	}
	ck_assert_uint_eq(total, 12 * sizeof(big));
	ck_assert_int_eq(qsize(drv_rq), 0);
	ck_assert_int_eq(ddisim_stream_close(s), 0);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	MACHINE_DOWN();
}
END_TEST

/* putmsg and getmsg with control parts, bands and high priority. */
START_TEST(stack_putmsg_getmsg)
{
	ddisim_stream_t *s;
	char c1[] = "ctl", d1[] = "data", cb[16], db[16];
	struct strbuf ctl = { 0, 3, c1 }, data = { 0, 4, d1 };
	struct strbuf rc = { sizeof(cb), 0, cb }, rd = { sizeof(db), 0, db };
	int band = 0, flags, more;

	MACHINE_UP("mem=64M");
	s = open_stack(true);
	ck_assert_int_eq(ddisim_stream_putmsg(s, &ctl, &data, 0, 0), 0);
	ck_assert_int_eq(ddisim_stream_putmsg(s, NULL, &data, 2, MSG_BAND),
	    0);
	ck_assert_int_eq(ddisim_stream_putmsg(s, &ctl, NULL, 0, MSG_HIPRI), 0);
	/* High priority first, then band 2, then band 0. */
	flags = MSG_ANY;
	ck_assert_int_eq(ddisim_stream_getmsg(s, &rc, &rd, &band, &flags,
	    &more), 0);
	ck_assert_int_eq(flags, MSG_HIPRI);
	ck_assert_int_eq(rc.len, 3);
	ck_assert_int_eq(rd.len, -1);
	flags = MSG_ANY;
	ck_assert_int_eq(ddisim_stream_getmsg(s, &rc, &rd, &band, &flags,
	    &more), 0);
	ck_assert_int_eq(flags, MSG_BAND);
	ck_assert_int_eq(band, 2);
	ck_assert_int_eq(rc.len, -1);
	ck_assert_int_eq(rd.len, 4);
	/* A part bigger than the buffer: MORECTL, the rest stays. */
	rc.maxlen = 2;
	flags = MSG_ANY;
	ck_assert_int_eq(ddisim_stream_getmsg(s, &rc, &rd, &band, &flags,
	    &more), 0);
	ck_assert_int_eq(more, MORECTL);
	ck_assert_int_eq(memcmp(cb, "ct", 2), 0);
	rc.maxlen = sizeof(cb);
	flags = MSG_ANY;
	ck_assert_int_eq(ddisim_stream_getmsg(s, &rc, &rd, &band, &flags,
	    &more), 0);
	ck_assert_int_eq(more, 0);
	ck_assert_int_eq(rc.len, 1);
	ck_assert_int_eq(cb[0], 'l');
	ck_assert_int_eq(ddisim_stream_close(s), 0);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	MACHINE_DOWN();
}
END_TEST


/* ---- a multiplexor over a linked stream ---- */

static queue_t *mux_upper_rq, *mux_lower_wq;
static int mux_links, mux_unlinks, mux_last_id;

static int
mux_open(queue_t *q, dev_t *devp, int flag, int sflag, cred_t *cr)
{
	(void)devp; (void)flag; (void)sflag; (void)cr;
	mux_upper_rq = q;
	qprocson(q);
	return 0;
}

static int
mux_close(queue_t *q, int flag, cred_t *cr)
{
	(void)flag; (void)cr;
	qprocsoff(q);
	mux_upper_rq = NULL;
	return 0;
}

static int
mux_uwput(queue_t *q, mblk_t *mp)
{
	struct iocblk *ioc;
	struct linkblk *lb;

	switch (mp->b_datap->db_type) {
	case M_IOCTL:
		ioc = (struct iocblk *)mp->b_rptr;
		lb = (struct linkblk *)mp->b_cont->b_rptr;
		if (ioc->ioc_cmd == I_LINK) {
			ck_assert_ptr_eq(lb->l_qtop, q);
			mux_lower_wq = lb->l_qbot;
			mux_last_id = lb->l_index;
			mux_links++;
		} else if (ioc->ioc_cmd == I_UNLINK) {
			ck_assert_ptr_eq(lb->l_qbot, mux_lower_wq);
			mux_lower_wq = NULL;
			mux_unlinks++;
		} else {
			mp->b_datap->db_type = M_IOCNAK;
			qreply(q, mp);
			return 0;
		}
		ioc->ioc_count = 0;
		mp->b_datap->db_type = M_IOCACK;
		qreply(q, mp);
		return 0;
	case M_DATA:
		if (mux_lower_wq != NULL) {
			putnext(mux_lower_wq, mp);
			return 0;
		}
		break;
	}
	freemsg(mp);
	return 0;
}

static int
mux_urput(queue_t *q, mblk_t *mp)
{
	putnext(q, mp);
	return 0;
}

/* The lower read side: what the linked stream sends up goes up here. */
static int
mux_lrput(queue_t *q, mblk_t *mp)
{
	(void)q;
	if (mux_upper_rq != NULL)
		putnext(mux_upper_rq, mp);
	else
		freemsg(mp);
	return 0;
}

static int
mux_lwput(queue_t *q, mblk_t *mp)
{
	putnext(q, mp);
	return 0;
}

static struct module_info mux_minfo = { 44, "tmux", 0, INFPSZ, 4096, 1024 };
static struct qinit mux_urinit = {
	mux_urput, NULL, mux_open, mux_close, NULL, &mux_minfo, NULL
};
static struct qinit mux_uwinit = {
	mux_uwput, NULL, NULL, NULL, NULL, &mux_minfo, NULL
};
static struct qinit mux_lrinit = {
	mux_lrput, NULL, NULL, NULL, NULL, &mux_minfo, NULL
};
static struct qinit mux_lwinit = {
	mux_lwput, NULL, NULL, NULL, NULL, &mux_minfo, NULL
};
static struct streamtab mux_tab = {
	&mux_urinit, &mux_uwinit, &mux_lrinit, &mux_lwinit
};

START_TEST(mux_link_unlink)
{
	ddisim_stream_t *u, *l;
	dev_t dev = 0;
	char buf[16];
	size_t got;
	int id = -1;

	MACHINE_UP("mem=64M");
	mux_links = mux_unlinks = 0;
	ck_assert_int_eq(ddisim_stream_open(&mux_tab, D_MP, &dev, FREAD |
	    FWRITE, 0, NULL, &u), 0);
	l = open_stack(false);
	ck_assert_int_eq(ddisim_stream_ioctl(u, I_LINK, (intptr_t)l, &id), 0);
	ck_assert_int_eq(id, mux_last_id);
	ck_assert_int_eq(mux_links, 1);
	/* Through the multiplexor to the echo driver and back. */
	ck_assert_int_eq(ddisim_stream_write(u, "hello", 5, NULL), 0);
	ck_assert_int_eq(ddisim_stream_read(u, buf, sizeof(buf), &got), 0);
	ck_assert_uint_eq(got, 5);
	ck_assert_int_eq(memcmp(buf, "hello", 5), 0);
	/* The linked stream does no I/O; linking it again is refused. */
	ck_assert_int_eq(ddisim_stream_write(l, "x", 1, NULL), EINVAL);
	ck_assert_int_eq(ddisim_stream_ioctl(u, I_LINK, (intptr_t)l, NULL),
	    EINVAL);
	/* Closing it while linked: it stays until unlinked. */
	ck_assert_int_eq(ddisim_stream_close(l), 0);
	ck_assert_uint_eq(drv_closes, 0);
	ck_assert_int_eq(ddisim_stream_ioctl(u, I_UNLINK, id, NULL), 0);
	ck_assert_int_eq(mux_unlinks, 1);
	ck_assert_uint_eq(drv_closes, 1);
	ck_assert_int_eq(ddisim_stream_ioctl(u, I_UNLINK, id, NULL), EINVAL);
	/* Closing the multiplexor's stream unlinks what it linked. */
	l = open_stack(false);
	ck_assert_int_eq(ddisim_stream_ioctl(u, I_LINK, (intptr_t)l, &id), 0);
	ck_assert_int_eq(ddisim_stream_close(u), 0);
	ck_assert_int_eq(mux_unlinks, 2);
	ck_assert_int_eq(ddisim_stream_write(l, "again", 5, NULL), 0);
	ck_assert_int_eq(ddisim_stream_read(l, buf, sizeof(buf), &got), 0);
	ck_assert_uint_eq(got, 5);
	/* A driver that is no multiplexor cannot link. */
	{
		ddisim_stream_t *l2 = open_stack(false);

		ck_assert_int_eq(ddisim_stream_ioctl(l, I_LINK, (intptr_t)l2,
		    NULL), EINVAL);
		ck_assert_int_eq(ddisim_stream_close(l2), 0);
	}
	ck_assert_int_eq(ddisim_stream_close(l), 0);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	MACHINE_DOWN();
}
END_TEST

/*
 * strioccall: the post-processing runs after the M_IOCACK, in the
 * thread (and so the process) that made the ioctl.
 */
START_TEST(strioccall_post)
{
	ddisim_stream_t *s;
	struct strioctl sio = { SIOC_POST, 0, 0, NULL };
	struct proc *p;

	MACHINE_UP("mem=64M");
	p = ddisim_proc_create(4096, 0);
	ddisim_proc_enter(p);
	s = open_stack(false);
	post_calls = post_ret = 0;
	ck_assert_int_eq(ddisim_stream_ioctl(s, I_STR, (intptr_t)&sio, NULL),
	    0);
	ck_assert_int_eq(post_calls, 1);
	ck_assert(pthread_equal(post_thread, pthread_self()));
	post_calls = 0;
	post_ret = ENOSPC;
	ck_assert_int_eq(ddisim_stream_ioctl(s, I_STR, (intptr_t)&sio, NULL),
	    ENOSPC);
	ck_assert_int_eq(post_calls, 1);
	/* No ioctl with that identifier: refused and reported. */
	ddisim_verify_set_policy(DDISIM_VERIFY_COUNT);
	ck_assert_int_eq(strioccall((__ddi_qfn_t)post_fn, NULL, 12345, drv_rq),
	    1);
	ck_assert_contains(ddisim_verify_last(), "no ioctl with identifier");
	ddisim_verify_set_policy(DDISIM_VERIFY_ABORT);
	ck_assert_int_eq(ddisim_stream_close(s), 0);
	ddisim_proc_enter(NULL);
	ddisim_proc_destroy(p);
	MACHINE_DOWN();
}
END_TEST

/* ---- a D_MP driver's put procedures on two CPUs ---- */

static _Atomic unsigned mp_bytes;

static int
mp_wput(queue_t *q, mblk_t *mp)
{
	(void)q;
	atomic_fetch_add(&mp_bytes, (unsigned)msgdsize(mp));
	freemsg(mp);
	return 0;
}

static struct qinit mp_winit = {
	mp_wput, NULL, NULL, NULL, NULL, &drv_minfo, NULL
};
static struct qinit mp_rinit = {
	drv_rput, drv_rsrv, tdrv_open, tdrv_close, NULL, &drv_minfo, NULL
};
static struct streamtab mp_tab = { &mp_rinit, &mp_winit, NULL, NULL };

struct writer {
	ddisim_stream_t	*s;
	int		cpu;
};

static void *
writer(void *arg)
{
	struct writer *w = arg;
	char buf[37];

	ddisim_cpu_set(w->cpu);
	memset(buf, 'w', sizeof(buf));
	for (int i = 0; i < 200; i++)
		ck_assert_int_eq(ddisim_stream_write(w->s, buf, sizeof(buf),
		    NULL), 0);
	return NULL;
}

/*
 * Open a stream on tab, write it from two threads on CPUs 0 and 1, close
 * it; the bytes the driver saw (*bytes) must be all of them.
 */
static void
two_writers(const struct streamtab *tab, int devflag, _Atomic unsigned *bytes)
{
	struct writer w[2];
	pthread_t t[2];
	dev_t dev = 0;
	ddisim_stream_t *s;

	atomic_store(bytes, 0);
	ck_assert_int_eq(ddisim_stream_open(tab, devflag, &dev, FREAD |
	    FWRITE, 0, NULL, &s), 0);
	for (int i = 0; i < 2; i++) {
		w[i].s = s;
		w[i].cpu = i;
		ck_assert_int_eq(pthread_create(&t[i], NULL, writer, &w[i]),
		    0);
	}
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	ck_assert_uint_eq(atomic_load(bytes), 2 * 200 * 37);
	ck_assert_int_eq(ddisim_stream_close(s), 0);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
}

START_TEST(mp_two_cpus)
{
	MACHINE_UP("mem=64M,cpus=2");
	two_writers(&mp_tab, D_MP, &mp_bytes);
	MACHINE_DOWN();
}
END_TEST


/* A driver without D_MP: its put procedures never run two at once. */
static _Atomic int up_inside, up_overlaps;
static _Atomic unsigned up_bytes;

static int
up_wput(queue_t *q, mblk_t *mp)
{
	(void)q;
	if (atomic_fetch_add(&up_inside, 1) != 0)
		atomic_fetch_add(&up_overlaps, 1);
	for (volatile int i = 0; i < 2000; i++)
		;
	atomic_fetch_add(&up_bytes, (unsigned)msgdsize(mp));
	atomic_fetch_sub(&up_inside, 1);
	freemsg(mp);
	return 0;
}

static int
up_open(queue_t *q, dev_t *devp, int flag, int sflag, cred_t *cr)
{
	(void)devp; (void)flag; (void)sflag; (void)cr;
	/* Not D_MP: the system turned the procedures on for it. */
	ck_assert(!(q->q_flag & QPROCSOFF));
	return 0;
}

static struct qinit up_winit = {
	up_wput, NULL, NULL, NULL, NULL, &drv_minfo, NULL
};
static struct qinit up_rinit = {
	drv_rput, drv_rsrv, up_open, NULL, NULL, &drv_minfo, NULL
};
static struct streamtab up_tab = { &up_rinit, &up_winit, NULL, NULL };

START_TEST(up_serialised)
{
	MACHINE_UP("mem=64M,cpus=2");
	atomic_store(&up_overlaps, 0);
	two_writers(&up_tab, 0, &up_bytes);
	ck_assert_int_eq(atomic_load(&up_overlaps), 0);
	MACHINE_DOWN();
}
END_TEST

/* The service thread runs what an interrupt enabled, unasked. */
START_TEST(service_thread_runs)
{
	ddisim_stream_t *s;
	mblk_t *mp;
	int n = 0, tries;

	MACHINE_UP("mem=64M");
	s = open_stack(false);
	ck_assert_int_eq(ddisim_streams_thread(1), 0);
	mp = allocb(10, BPRI_MED);
	ck_assert_ptr_nonnull(mp);
	mp->b_wptr += 10;
	ck_assert_int_eq(putq(drv_rq, mp), 1);	/* as an interrupt would */
	for (tries = 0; tries < 5000 && ddisim_streams_pending() > 0; tries++)
		usleep(1000);
	ck_assert_uint_eq(ddisim_streams_pending(), 0);
	ck_assert_int_eq(qsize(drv_rq), 0);	/* it went to the head */
	ck_assert_int_eq(ddisim_streams_thread(0), 0);
	ck_assert_int_eq(ddisim_stream_ioctl(s, I_NREAD, (intptr_t)&n, NULL),
	    0);
	ck_assert_int_eq(n, 10);
	ck_assert_int_eq(ddisim_stream_close(s), 0);
	MACHINE_DOWN();
}
END_TEST


/* RMSGD: a read takes from one message and discards what is left. */
START_TEST(read_message_discard)
{
	ddisim_stream_t *s;
	char buf[8];
	size_t got;
	int n = -1, nmsg = -1;

	MACHINE_UP("mem=64M");
	s = open_stack(false);
	ck_assert_int_eq(ddisim_stream_write(s, "hello", 5, NULL), 0);
	ck_assert_int_eq(ddisim_stream_write(s, "world", 5, NULL), 0);
	ck_assert_int_eq(ddisim_stream_ioctl(s, I_SRDOPT, RMSGD, NULL), 0);
	ck_assert_int_eq(ddisim_stream_read(s, buf, 2, &got), 0);
	ck_assert_uint_eq(got, 2);
	ck_assert_int_eq(memcmp(buf, "he", 2), 0);
	ck_assert_int_eq(ddisim_stream_ioctl(s, I_NREAD, (intptr_t)&n, &nmsg),
	    0);
	ck_assert_int_eq(nmsg, 1);		/* "llo" is gone */
	ck_assert_int_eq(n, 5);
	ck_assert_int_eq(ddisim_stream_ioctl(s, I_SRDOPT, RMSGN, NULL), 0);
	ck_assert_int_eq(ddisim_stream_read(s, buf, 3, &got), 0);
	ck_assert_int_eq(ddisim_stream_ioctl(s, I_NREAD, (intptr_t)&n, &nmsg),
	    0);
	ck_assert_int_eq(nmsg, 1);		/* RMSGN keeps "ld" */
	ck_assert_int_eq(n, 2);
	ck_assert_int_eq(ddisim_stream_close(s), 0);
	MACHINE_DOWN();
}
END_TEST

/*
 * A child forked while the service thread runs has no thread: asking for
 * one starts one of its own, which runs what the child enables.
 */
START_TEST(service_thread_fork)
{
	ddisim_stream_t *s;
	pid_t pid;
	int status;

	MACHINE_UP("mem=64M");
	s = open_stack(false);
	ck_assert_int_eq(ddisim_streams_thread(1), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		mblk_t *mp = allocb(4, BPRI_MED);
		int tries;

		if (mp == NULL || ddisim_streams_thread(1) != 0 ||
		    putq(drv_rq, mp) != 1)
			_exit(3);
		for (tries = 0; tries < 2000 && ddisim_streams_pending() > 0;
		    tries++)
			usleep(1000);
		if (ddisim_streams_pending() > 0)
			_exit(4);	/* no thread ran it */
		_exit(ddisim_streams_thread(0) == 0 ? 0 : 5);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	ck_assert_int_eq(ddisim_streams_thread(0), 0);
	ck_assert_int_eq(ddisim_stream_close(s), 0);
	MACHINE_DOWN();
}
END_TEST

/* ---- misuse ---- */

/* A streamtab whose write side cannot take a message. */
static struct qinit noput_winit = {
	NULL, NULL, NULL, NULL, NULL, &drv_minfo, NULL
};
static struct streamtab noput_tab = {
	&drv_rinit, &noput_winit, NULL, NULL
};

static void
misuse_body(int i)
{
	unsigned before = ddisim_verify_count();
	ddisim_stream_t *s = open_stack(false);
	queue_t *rq = drv_rq, *wq = WR(drv_rq);
	mblk_t *mp = allocb(8, BPRI_MED);
	pl_t pl;

	ck_assert_ptr_nonnull(mp);
	switch (i) {
	case 0:		/* putnext from a queue with no next */
		putnext(wq, mp);
		REPORTED(before, "putnext");
		ck_assert_contains(ddisim_verify_last(), "no next queue");
		mp = NULL;
		break;
	case 1:		/* getq with the procedures off */
		qprocsoff(rq);
		ck_assert_ptr_null(getq(wq));
		REPORTED(before, "are off");
		qprocson(rq);
		break;
	case 2:		/* freeing a message still on a queue */
		ck_assert_int_eq(putq(wq, mp), 1);
		freemsg(mp);
		REPORTED(before, "still on a queue");
		mp = NULL;
		break;
	case 3:		/* qreply from the driver's read side */
		qreply(rq, mp);
		REPORTED(before, "qreply from a read queue");
		mp = NULL;
		break;
	case 4:		/* a message put on a queue after close */
		ck_assert_int_eq(ddisim_stream_close(s), 0);
		s = NULL;
		ck_assert_int_eq(putq(wq, mp), 0);
		REPORTED(before, "not a live queue");
		break;
	case 5:		/* insq without freezing the stream */
		ck_assert_int_eq(insq(wq, NULL, mp), 1);
		REPORTED(before, "not frozen");
		mp = NULL;
		break;
	case 6:		/* getq with the stream frozen by the caller */
		pl = freezestr(wq);
		(void)getq(wq);
		REPORTED(before, "frozen by the caller");
		unfreezestr(wq, pl);
		break;
	case 7:		/* unfreezestr of a stream not frozen */
		unfreezestr(wq, getpl());
		REPORTED(before, "not frozen by the caller");
		break;
	case 8:		/* a queue that is no queue */
		(void)qsize((queue_t *)(void *)mp->b_rptr);
		REPORTED(before, "not a live queue");
		break;
	case 9:		/* a module whose write side has no put procedure */
		ck_assert_int_eq(ddisim_stream_push(s, &noput_tab, D_MP),
		    EINVAL);
		REPORTED(before, "no put procedure");
		break;
	}
	ck_assert_contains(ddisim_verify_last(), "called from");
	if (mp != NULL)
		freemsg(mp);
	if (s != NULL) {
		flushq(wq, FLUSHALL);
		ck_assert_int_eq(ddisim_stream_close(s), 0);
	}
}

MISUSE_TEST_PAIR(misuse_body, "mem=64M")

/* A service procedure that never drains is reported after a bound. */
static int
spin_wsrv(queue_t *q)
{
	mblk_t *mp = getq(q);

	if (mp != NULL)
		(void)putbq(q, mp);
	qenable(q);
	return 0;
}

static struct qinit spin_winit = {
	drv_wput, spin_wsrv, NULL, NULL, NULL, &drv_minfo, NULL
};
static struct streamtab spin_tab = { &drv_rinit, &spin_winit, NULL, NULL };

START_TEST(service_never_drains)
{
	ddisim_stream_t *s;
	dev_t dev = 0;

	MACHINE_UP("mem=64M");
	ddisim_verify_set_policy(DDISIM_VERIFY_COUNT);
	reset_counts();
	drv_wput_queues = true;
	ck_assert_int_eq(ddisim_stream_open(&spin_tab, D_MP, &dev, FWRITE, 0,
	    NULL, &s), 0);
	ck_assert_int_eq(ddisim_stream_write(s, "z", 1, NULL), 0);
	ck_assert_uint_ge(ddisim_verify_count(), 1);
	ck_assert_contains(ddisim_verify_last(), "it never drains");
	ck_assert_contains(ddisim_verify_last(), "tdrv");
	/* Closing: the same again, once, then the stream is gone. */
	ck_assert_int_eq(ddisim_stream_close(s), 0);
	ddisim_verify_set_policy(DDISIM_VERIFY_ABORT);
	MACHINE_DOWN();
}
END_TEST

/* A stream never closed is in the leak report, then dropped. */
START_TEST(stream_leak_reported)
{
	ddisim_stream_t *s;
	char *text;

	MACHINE_UP("mem=64M");
	s = open_stack(true);
	(void)s;
	ck_assert_uint_ge(leak_report_text(&text), 1);
	ck_assert_contains(text, "a stream on tdrv was never closed");
	free(text);
	ddisim_shutdown();
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("queue");
	TCase *tc;

	tc = tcase_new("model");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, queue_model);
	suite_add_tcase(s, tc);
	tc = tcase_new("stack");
	tcase_add_test(tc, stack_data_and_ioctls);
	tcase_add_test(tc, stack_transparent_ioctl);
	tcase_add_test(tc, stack_flush_error_hangup);
	tcase_add_test(tc, stack_read_flow_control);
	tcase_add_test(tc, stack_putmsg_getmsg);
	tcase_add_test(tc, stream_leak_reported);
	tcase_add_test(tc, mux_link_unlink);
	tcase_add_test(tc, strioccall_post);
	tcase_add_test(tc, read_message_discard);
	suite_add_tcase(s, tc);
	tc = tcase_new("mp");
	tcase_add_test(tc, mp_two_cpus);
	tcase_add_test(tc, up_serialised);
	tcase_add_test(tc, service_thread_runs);
	if (!nofork())
		tcase_add_test(tc, service_thread_fork);
	suite_add_tcase(s, tc);
	tc = tcase_new("misuse");
	TCASE_ADD_MISUSE(tc, misuse_counted, misuse_aborts, 10);
	tcase_add_test(tc, service_never_drains);
	suite_add_tcase(s, tc);
	return run_suite(s) == 0 ? 0 : 1;
}
