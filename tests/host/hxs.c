/*
 * hxs.c - a DDI 7 STREAMS loop-back driver linked into the test
 * program (hxsinfo, D_MP): what is written comes back up; and hxu, a
 * loadable STREAMS module (MOD_STR_WRAPPER) that turns the data going up
 * to upper case, which a program pushes by name.
 */
#include <sys/types.h>
#include <sys/stream.h>
#include <sys/stropts.h>
#include <sys/cred.h>
#include <sys/moddefs.h>
#include <sys/conf.h>
#include <sys/ddi.h>
#include <errno.h>

int hxsdevflag = D_MP;
int hxudevflag = D_MP;

static int hxs_open(queue_t *, dev_t *, int, int, cred_t *);
static int hxs_close(queue_t *, int, cred_t *);
static int hxs_wput(queue_t *, mblk_t *);
static int hxs_rput(queue_t *, mblk_t *);

static struct module_info hxs_minfo = { 0x6873, "hxs", 0, INFPSZ, 4096, 1024 };
static struct qinit hxs_rinit = {
	hxs_rput, NULL, hxs_open, hxs_close, NULL, &hxs_minfo, NULL
};
static struct qinit hxs_winit = {
	hxs_wput, NULL, NULL, NULL, NULL, &hxs_minfo, NULL
};
struct streamtab hxsinfo = { &hxs_rinit, &hxs_winit, NULL, NULL };

/* ARGSUSED */
static int
hxs_open(queue_t *q, dev_t *devp, int oflag, int sflag, cred_t *crp)
{
	(void)devp;
	(void)oflag;
	(void)sflag;
	(void)crp;
	qprocson(q);
	return 0;
}

/* ARGSUSED */
static int
hxs_close(queue_t *q, int oflag, cred_t *crp)
{
	(void)oflag;
	(void)crp;
	qprocsoff(q);
	return 0;
}

static int
hxs_rput(queue_t *q, mblk_t *mp)
{
	putnext(q, mp);
	return 0;
}

static int
hxs_wput(queue_t *q, mblk_t *mp)
{
	switch (mp->b_datap->db_type) {
	case M_DATA:
		qreply(q, mp);		/* back up the stream */
		break;
	case M_FLUSH:
		if (*mp->b_rptr & FLUSHW)
			flushq(q, FLUSHDATA);
		if (*mp->b_rptr & FLUSHR) {
			flushq(RD(q), FLUSHDATA);
			*mp->b_rptr &= ~FLUSHW;
			qreply(q, mp);
		} else {
			freemsg(mp);
		}
		break;
	default:
		freemsg(mp);
		break;
	}
	return 0;
}

/* ---- hxu: upper case going up ---- */

static int hxu_open(queue_t *, dev_t *, int, int, cred_t *);
static int hxu_close(queue_t *, int, cred_t *);
static int hxu_rput(queue_t *, mblk_t *);
static int hxu_wput(queue_t *, mblk_t *);

static struct module_info hxu_minfo = { 0x6875, "hxu", 0, INFPSZ, 4096, 1024 };
static struct qinit hxu_rinit = {
	hxu_rput, NULL, hxu_open, hxu_close, NULL, &hxu_minfo, NULL
};
static struct qinit hxu_winit = {
	hxu_wput, NULL, NULL, NULL, NULL, &hxu_minfo, NULL
};
struct streamtab hxuinfo = { &hxu_rinit, &hxu_winit, NULL, NULL };

MOD_STR_WRAPPER(hxu, NULL, NULL, "hxu - upper case");

/* ARGSUSED */
static int
hxu_open(queue_t *q, dev_t *devp, int oflag, int sflag, cred_t *crp)
{
	(void)devp;
	(void)oflag;
	(void)crp;
	if (sflag != MODOPEN)
		return EINVAL;
	qprocson(q);
	return 0;
}

/* ARGSUSED */
static int
hxu_close(queue_t *q, int oflag, cred_t *crp)
{
	(void)oflag;
	(void)crp;
	qprocsoff(q);
	return 0;
}

static int
hxu_rput(queue_t *q, mblk_t *mp)
{
	if (mp->b_datap->db_type == M_DATA)
		for (mblk_t *b = mp; b != NULL; b = b->b_cont)
			for (unsigned char *p = b->b_rptr; p < b->b_wptr; p++)
				if (*p >= 'a' && *p <= 'z')
					*p = (unsigned char)(*p - 'a' + 'A');
	putnext(q, mp);
	return 0;
}

static int
hxu_wput(queue_t *q, mblk_t *mp)
{
	putnext(q, mp);
	return 0;
}
