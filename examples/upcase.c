/*
 * upcase.c - a STREAMS module that turns lower-case ASCII letters into
 * capitals in the data it passes, both ways: a program pushes it on a
 * stream by name (I_PUSH "upcase") and pops it off again (I_POP).
 *
 * It changes the data blocks of M_DATA messages, and of M_PROTO and
 * M_PCPROTO messages after their control block, so that it serves a
 * DLPI stream as well as a byte stream.  A message that shares a data
 * block with another (dupmsg) is copied before it is changed.  Every
 * other message passes untouched, in order; flow control is the next
 * queue's (the module has no service procedures).
 *
 * A loadable module: its wrapper's _load and _unload count the streams
 * it is pushed on, and _unload refuses while it is on any.
 *
 * Compile as a legacy module:
 *	cc $(pkg-config --cflags ddicompat) -D_DDI=7 -c upcase.c
 */
#include <sys/types.h>
#include <sys/param.h>
#include <sys/errno.h>
#include <sys/stream.h>
#include <sys/stropts.h>
#include <sys/cred.h>
#include <sys/conf.h>
#include <sys/moddefs.h>
#include <sys/ddi.h>

int upcasedevflag = D_MP;

STATIC int upcase_open(queue_t *, dev_t *, int, int, cred_t *);
STATIC int upcase_close(queue_t *, int, cred_t *);
STATIC int upcase_put(queue_t *, mblk_t *);
STATIC int upcase_load(void);
STATIC int upcase_unload(void);

STATIC struct module_info upcase_minfo = {
	0x7563, "upcase", 0, INFPSZ, 8192, 1024
};
STATIC struct qinit upcase_rinit = {
	upcase_put, NULL, upcase_open, upcase_close, NULL, &upcase_minfo, NULL
};
STATIC struct qinit upcase_winit = {
	upcase_put, NULL, NULL, NULL, NULL, &upcase_minfo, NULL
};
struct streamtab upcaseinfo = { &upcase_rinit, &upcase_winit, NULL, NULL };

MOD_STR_WRAPPER(upcase, upcase_load, upcase_unload, "upcase - capitals");

STATIC lock_t *upcase_lock;
STATIC LKINFO_DECL(upcase_lkinfo, "upcase:count", 0);
STATIC int upcase_streams;	/* streams it is pushed on */

STATIC int
upcase_load(void)
{
	upcase_lock = LOCK_ALLOC(1, plstr, &upcase_lkinfo, KM_SLEEP);
	return upcase_lock != NULL ? 0 : ENOMEM;
}

STATIC int
upcase_unload(void)
{
	if (upcase_streams != 0)
		return EBUSY;
	LOCK_DEALLOC(upcase_lock);
	return 0;
}

STATIC int
upcase_open(queue_t *q, dev_t *devp, int oflag, int sflag, cred_t *crp)
{
	pl_t s;

	(void)devp;
	(void)oflag;
	(void)crp;
	if (sflag != MODOPEN)
		return EINVAL;		/* a module, never a driver */
	if (q->q_ptr != NULL)
		return 0;
	q->q_ptr = WR(q)->q_ptr = (void *)q;
	s = LOCK(upcase_lock, plstr);
	upcase_streams++;
	UNLOCK(upcase_lock, s);
	qprocson(q);
	return 0;
}

STATIC int
upcase_close(queue_t *q, int oflag, cred_t *crp)
{
	pl_t s;

	(void)oflag;
	(void)crp;
	qprocsoff(q);
	q->q_ptr = WR(q)->q_ptr = NULL;
	s = LOCK(upcase_lock, plstr);
	upcase_streams--;
	UNLOCK(upcase_lock, s);
	return 0;
}

/* Capitals in the data blocks from bp on. */
STATIC void
upcase_blocks(mblk_t *bp)
{
	uchar_t *p;

	for (; bp != NULL; bp = bp->b_cont) {
		if (bp->b_datap->db_type != M_DATA)
			continue;
		for (p = bp->b_rptr; p < bp->b_wptr; p++)
			if (*p >= 'a' && *p <= 'z')
				*p = (uchar_t)(*p - 'a' + 'A');
	}
}

/*
 * A message whose data blocks the module may change: mp itself, or a
 * copy of it when it shares a block with another message; NULL when no
 * copy could be had (mp is then passed as it is).
 */
STATIC mblk_t *
upcase_own(mblk_t *mp)
{
	mblk_t *bp, *nmp;

	for (bp = mp; bp != NULL; bp = bp->b_cont)
		if (bp->b_datap->db_ref > 1)
			break;
	if (bp == NULL)
		return mp;
	if ((nmp = copymsg(mp)) == NULL)
		return NULL;
	freemsg(mp);
	return nmp;
}

STATIC int
upcase_put(queue_t *q, mblk_t *mp)
{
	mblk_t *nmp;

	switch (mp->b_datap->db_type) {
	case M_DATA:
	case M_PROTO:
	case M_PCPROTO:
		if ((nmp = upcase_own(mp)) != NULL) {
			mp = nmp;
			upcase_blocks(mp->b_datap->db_type == M_DATA ? mp :
			    mp->b_cont);
		}
		break;
	default:
		break;
	}
	putnext(q, mp);
	return 0;
}
