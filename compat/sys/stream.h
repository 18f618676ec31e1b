/*
 * sys/stream.h - STREAMS messages: msgb(9) and datab(9), the message
 * utilities (allocb(9) and its family) and the physreq-aware routines.
 *
 * Members keep the order and the i386 widths of the UnixWare structures;
 * pointers keep the host's width.  Entry points whose placement depends
 * on the interface version (allocb, copyb, copymsg and msgpullup in DDI 5
 * and earlier and in ODDI) are bound to versioned library symbols.
 */
#ifndef DDICOMPAT_SYS_STREAM_H
#define DDICOMPAT_SYS_STREAM_H

#include <sys/types.h>
#include <sys/kmem.h>

__DDI_BEGIN_DECLS

struct engine;
typedef struct engine	engine_t;

/* Free routine of an esballoc buffer. */
#ifdef __cplusplus
typedef void	(*__ddi_frfn_t)(char *);
#else
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wstrict-prototypes"
typedef void	(*__ddi_frfn_t)();
#pragma GCC diagnostic pop
#endif

typedef struct free_rtn {
	__ddi_frfn_t	free_func;	/* called with free_arg */
	char		*free_arg;
} frtn_t;

/* A data block: the buffer a message block points into. */
typedef struct datab {
	struct free_rtn	*db_frtnp;	/* esballoc free routine, else NULL */
	uchar_t		*db_base;	/* first byte of the buffer */
	uchar_t		*db_lim;	/* one past its last byte */
	uchar_t		db_ref;		/* message blocks sharing it (<= 255) */
	uchar_t		db_type;	/* M_DATA, M_PROTO, ... */
	uchar_t		db_muse;	/* private */
	uint32_t	db_size;	/* private */
	caddr_t		db_addr;	/* private */
	struct datab	*db_odp;	/* private */
	engine_t	*db_cpu;	/* private */
} dblk_t;

/* A message block; a message is a chain of them through b_cont. */
typedef struct msgb {
	struct msgb	*b_next;	/* next message on a queue */
	struct msgb	*b_prev;	/* previous message on a queue */
	struct msgb	*b_cont;	/* next block of this message */
	uchar_t		*b_rptr;	/* first unread byte */
	uchar_t		*b_wptr;	/* first unwritten byte */
	struct datab	*b_datap;	/* its data block */
	uchar_t		b_band;		/* priority band */
	uchar_t		b_pad1;		/* private */
	ushort_t	b_flag;		/* MSG* */
	long_t		b_pad2;		/* private */
} mblk_t;

/* b_flag */
#define MSGMARK		0x01	/* last byte of the message is marked */
#define MSGNOLOOP	0x02	/* do not loop back to the sender */
#define MSGDELIM	0x04	/* message is delimited */
#define MSGNOGET	0x08	/* getq does not return it */
#define MSGLOG		0x10	/* logged */

/* Message types (SVR4.2 values): ordinary below QPCTL, high priority above. */
#define M_DATA		0x00
#define M_PROTO		0x01
#define M_BREAK		0x08
#define M_PASSFP	0x09
#define M_SIG		0x0b
#define M_DELAY		0x0c
#define M_CTL		0x0d
#define M_IOCTL		0x0e
#define M_SETOPTS	0x10
#define M_RSE		0x11
#define M_TRAIL		0x12
#define QPCTL		0x80
#define M_IOCACK	0x81
#define M_IOCNAK	0x82
#define M_PCPROTO	0x83
#define M_PCSIG		0x84
#define M_READ		0x85
#define M_FLUSH		0x86
#define M_STOP		0x87
#define M_START		0x88
#define M_HANGUP	0x89
#define M_ERROR		0x8a
#define M_COPYIN	0x8b
#define M_COPYOUT	0x8c
#define M_IOCDATA	0x8d
#define M_PCRSE		0x8e
#define M_STOPI		0x8f
#define M_STARTI	0x90
#define M_PCCTL		0x91
#define M_PCSETOPTS	0x92

/* Types that carry data for the stream head. */
#define datamsg(type)	((type) == M_DATA || (type) == M_PROTO || \
			    (type) == M_PCPROTO || (type) == M_DELAY)

/* Whether a message type is high priority (QPCTL and above). */
int	pcmsg(uchar_t);

/* Allocation priorities: accepted and ignored. */
#define BPRI_LO		1
#define BPRI_MED	2
#define BPRI_HI		3

/* Classic allocation; placement depends on the interface version. */
#if __DDI_ODDI || __DDI_AT_MOST(50)
mblk_t	*allocb(int, uint_t) __DDI_ENTRY(_Compat_allocb5);
mblk_t	*copyb(mblk_t *) __DDI_ENTRY(_Compat_copyb5);
mblk_t	*copymsg(mblk_t *) __DDI_ENTRY(_Compat_copymsg5);
mblk_t	*msgpullup(mblk_t *, int) __DDI_ENTRY(_Compat_msgpullup5);
#elif __DDI_AT_MOST(71)
mblk_t	*allocb(int, uint_t) __DDI_ENTRY(_Compat_allocb7);
mblk_t	*copyb(mblk_t *) __DDI_ENTRY(_Compat_copyb7);
mblk_t	*copymsg(mblk_t *) __DDI_ENTRY(_Compat_copymsg7);
mblk_t	*msgpullup(mblk_t *, int) __DDI_ENTRY(_Compat_msgpullup7);
#else
mblk_t	*allocb(int, uint_t);
mblk_t	*copyb(mblk_t *);
mblk_t	*copymsg(mblk_t *);
mblk_t	*msgpullup(mblk_t *, int);
#endif
/* testb and pullupmsg: up to DDI 6, not at its strict level. */
#if __DDI_ODDI || (__DDI_AT_MOST(50) && !__DDI_STRICT)
int	 testb(int, uint_t) __DDI_ENTRY(_Compat_testb5);
#elif __DDI_AT_MOST(60) && !__DDI_STRICT
int	 testb(int, uint_t) __DDI_ENTRY(_Compat_testb7);
#endif
mblk_t	*esballoc(uchar_t *, int, int, frtn_t *);
void	 freeb(mblk_t *);
void	 freemsg(mblk_t *);
mblk_t	*dupb(mblk_t *);
mblk_t	*dupmsg(mblk_t *);

/* A callback when a buffer may be had (unprototyped: any argument type). */
#ifdef __cplusplus
typedef void	(*__ddi_bcfn_t)(long);
#else
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wstrict-prototypes"
typedef void	(*__ddi_bcfn_t)();
#pragma GCC diagnostic pop
#endif
#if __DDI_ODDI || __DDI_AT_MOST(50)
toid_t	 bufcall(uint_t, int, __ddi_bcfn_t, long)
	    __DDI_ENTRY(_Compat_bufcall5);
#elif __DDI_AT_MOST(71)
toid_t	 bufcall(uint_t, int, __ddi_bcfn_t, long)
	    __DDI_ENTRY(_Compat_bufcall7);
#else
toid_t	 bufcall(uint_t, int, __ddi_bcfn_t, long);
#endif
toid_t	 esbbcall(int, __ddi_bcfn_t, long);
void	 unbufcall(toid_t);

/* Manipulation. */
void	 linkb(mblk_t *, mblk_t *);
mblk_t	*unlinkb(mblk_t *);
mblk_t	*rmvb(mblk_t *, mblk_t *);
int	 msgdsize(mblk_t *);
int	 adjmsg(mblk_t *, int);
#if __DDI_ODDI || (__DDI_AT_MOST(60) && !__DDI_STRICT)
int	 pullupmsg(mblk_t *, int);
#endif

/*
 * Physical requirements (DDI 5 and later).
 * Before DDI 7.2 nothing is placed at or above 4 GiB.
 */
#if __DDI_BETWEEN(50, 71)
mblk_t	*allocb_physreq(int, uint_t, physreq_t *)
	    __DDI_ENTRY(_Compat_allocb_physreq7);
#elif __DDI_AT_LEAST(72)
mblk_t	*allocb_physreq(int, uint_t, physreq_t *);
#endif
#if __DDI_BETWEEN(50, 71)
mblk_t	*msgphysreq(mblk_t *, physreq_t *) __DDI_ENTRY(_Compat_msgphysreq7);
mblk_t	*msgpullup_physreq(mblk_t *, int, physreq_t *)
	    __DDI_ENTRY(_Compat_msgpullup_physreq7);
#elif __DDI_AT_LEAST(72)
mblk_t	*msgphysreq(mblk_t *, physreq_t *);
mblk_t	*msgpullup_physreq(mblk_t *, int, physreq_t *);
#endif

/*
 * Queues (queue(D4), qinit(D4), module_info(D4), streamtab(D4),
 * qband(D4)).  The public members keep the order of System V Release 4;
 * the members marked private belong to the library.  A driver reads
 * q_ptr, q_next, q_count, q_flag and the packet and water-mark members,
 * and changes only q_ptr (the others through strqset).
 */
struct qband;
struct __ddi_stream;

/*
 * The procedures of a queue are unprototyped, as in the original: put and
 * service procedures, open and close routines of every generation may be
 * stored in them without casts.
 */
#ifdef __cplusplus
typedef int	(*__ddi_qfn_t)(...);
#else
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wstrict-prototypes"
typedef int	(*__ddi_qfn_t)();
#pragma GCC diagnostic pop
#endif

struct module_info {
	ushort_t	mi_idnum;	/* module ID number */
	char		*mi_idname;	/* module name */
	long_t		mi_minpsz;	/* smallest packet accepted */
	long_t		mi_maxpsz;	/* largest packet accepted (INFPSZ) */
	ulong_t		mi_hiwat;	/* high water mark */
	ulong_t		mi_lowat;	/* low water mark */
};

struct module_stat {
	long_t		ms_pcnt;	/* put procedure calls */
	long_t		ms_scnt;	/* service procedure calls */
	long_t		ms_ocnt;	/* open calls */
	long_t		ms_ccnt;	/* close calls */
	long_t		ms_acnt;	/* admin calls */
	char		*ms_xptr;	/* the module's own statistics */
	short		ms_xsize;	/* their size */
	uint_t		ms_flags;	/* the module's own flags */
};

struct qinit {
	__ddi_qfn_t	qi_putp;	/* put procedure */
	__ddi_qfn_t	qi_srvp;	/* service procedure */
	__ddi_qfn_t	qi_qopen;	/* open routine (read side) */
	__ddi_qfn_t	qi_qclose;	/* close routine (read side) */
	__ddi_qfn_t	qi_qadmin;	/* not used */
	struct module_info *qi_minfo;	/* limits and name */
	struct module_stat *qi_mstat;	/* statistics; or NULL */
};

/* What a driver or module gives the system: its four queue inits. */
struct streamtab {
	struct qinit	*st_rdinit;	/* read side */
	struct qinit	*st_wrinit;	/* write side */
	struct qinit	*st_muxrinit;	/* multiplexor lower read side */
	struct qinit	*st_muxwinit;	/* multiplexor lower write side */
};

typedef struct queue {
	struct qinit	*q_qinfo;	/* procedures and limits */
	struct msgb	*q_first;	/* first message queued */
	struct msgb	*q_last;	/* last message queued */
	struct queue	*q_next;	/* next queue of the stream */
	struct queue	*q_link;	/* private: the service's run list */
	void		*q_ptr;		/* the driver's or module's own data */
	ulong_t		q_count;	/* bytes queued in band 0 */
	ulong_t		q_flag;		/* Q* below */
	long_t		q_minpsz;	/* smallest packet accepted */
	long_t		q_maxpsz;	/* largest packet accepted */
	ulong_t		q_hiwat;	/* high water mark (band 0) */
	ulong_t		q_lowat;	/* low water mark (band 0) */
	struct qband	*q_bandp;	/* bands 1 to q_nband */
	uchar_t		q_nband;	/* highest band with a qband */
	uchar_t		q_pad1[3];	/* private */
	struct __ddi_stream *q_str;	/* private: the stream */
	long_t		q_pad2[2];	/* private */
} queue_t;

/* q_flag.  Drivers may test QREADR, QFULL and QNOENB; they set none. */
#define QENAB		0x0001	/* on the service's run list */
#define QWANTR		0x0002	/* getq found it empty: enable on putq */
#define QWANTW		0x0004	/* canput found it full: back-enable */
#define QFULL		0x0008	/* band 0 at or above its high water mark */
#define QREADR		0x0010	/* the read queue of its pair */
#define QUSE		0x0020	/* allocated */
#define QNOENB		0x0040	/* putq and putbq do not enable it */
#define QBACK		0x0100	/* back-enabled: its service was asked for */
#define QHLIST		0x0200	/* the stream head's queue */
#define QPROCSOFF	0x0400	/* put and service procedures are off */
#define QSVCBUSY	0x0800	/* its service procedure is running */

/* The flow control of one priority band above 0. */
typedef struct qband {
	struct qband	*qb_next;	/* next band's */
	ulong_t		qb_count;	/* bytes queued in the band */
	struct msgb	*qb_first;	/* first message of the band */
	struct msgb	*qb_last;	/* last message of the band */
	ulong_t		qb_hiwat;	/* high water mark */
	ulong_t		qb_lowat;	/* low water mark */
	ulong_t		qb_flag;	/* QB_* */
	long_t		qb_pad1;	/* private */
} qband_t;

#define QB_FULL		0x01	/* at or above its high water mark */
#define QB_WANTW	0x02	/* bcanput found it full: back-enable */
#define QB_BACK		0x04	/* back-enabled */

/* What strqget and strqset read and change. */
typedef enum qfields {
	QHIWAT	= 0,		/* q_hiwat or qb_hiwat */
	QLOWAT	= 1,		/* q_lowat or qb_lowat */
	QMAXPSZ	= 2,		/* q_maxpsz */
	QMINPSZ	= 3,		/* q_minpsz */
	QCOUNT	= 4,		/* q_count or qb_count */
	QFIRST	= 5,		/* q_first or qb_first */
	QLAST	= 6,		/* q_last or qb_last */
	QFLAG	= 7,		/* q_flag or qb_flag */
	QBAD	= 8
} qfields_t;

#define INFPSZ		(-1)	/* no largest packet */

/* Open routines' sflag. */
#define MODOPEN		0x1	/* a module is pushed */
#define CLONEOPEN	0x2	/* a clone open: choose a minor */

/* M_ERROR: no error on this side. */
#define NOERROR		((unsigned char)-1)

/* flushq and flushband: what to flush. */
#define FLUSHDATA	0	/* data messages only (datamsg) */
#define FLUSHALL	1	/* every message */

/* An M_IOCTL, M_IOCACK or M_IOCNAK message's first block. */
struct iocblk {
	int		ioc_cmd;	/* the ioctl's command */
	struct cred	*ioc_cr;	/* the caller's credentials */
	uint_t		ioc_id;		/* this ioctl's identifier */
	uint_t		ioc_count;	/* bytes of data, or TRANSPARENT */
	int		ioc_error;	/* M_IOCACK, M_IOCNAK: an errno */
	int		ioc_rval;	/* M_IOCACK: the ioctl's value */
	long_t		ioc_filler[4];	/* private */
};

/* An M_COPYIN or M_COPYOUT message's first block. */
struct copyreq {
	int		cq_cmd;		/* the ioctl's command */
	struct cred	*cq_cr;		/* the caller's credentials */
	uint_t		cq_id;		/* the ioctl's identifier */
	caddr_t		cq_addr;	/* the user address to copy */
	uint_t		cq_size;	/* bytes to copy */
	int		cq_flag;	/* STRCANON, RECOPY */
	struct msgb	*cq_private;	/* the module's own state */
	long_t		cq_filler[4];	/* private */
};

/* An M_IOCDATA message's first block: how a copy went. */
struct copyresp {
	int		cp_cmd;		/* the ioctl's command */
	struct cred	*cp_cr;		/* the caller's credentials */
	uint_t		cp_id;		/* the ioctl's identifier */
	caddr_t		cp_rval;	/* NULL on success, else failure */
	uint_t		cp_pad1;	/* private */
	int		cp_pad2;	/* private */
	struct msgb	*cp_private;	/* cq_private, returned */
	long_t		cp_filler[4];	/* private */
};

#define STRCANON	0x01	/* cq_flag: canonical data */
#define RECOPY		0x02	/* cq_flag: copy in again */

/* An M_SETOPTS message: options for the stream head. */
struct stroptions {
	ulong_t		so_flags;	/* SO_* : which options */
	short		so_readopt;	/* read option (RNORM ...) */
	ushort_t	so_wroff;	/* write offset */
	long_t		so_minpsz;	/* smallest packet */
	long_t		so_maxpsz;	/* largest packet */
	ulong_t		so_hiwat;	/* read-side high water mark */
	ulong_t		so_lowat;	/* read-side low water mark */
	uchar_t		so_band;	/* the band the water marks are for */
};

#define SO_ALL		0x003f	/* every option of the first six */
#define SO_READOPT	0x0001
#define SO_WROFF	0x0002
#define SO_MINPSZ	0x0004
#define SO_MAXPSZ	0x0008
#define SO_HIWAT	0x0010
#define SO_LOWAT	0x0020
#define SO_MREADON	0x0040
#define SO_MREADOFF	0x0080
#define SO_NDELON	0x0100
#define SO_NDELOFF	0x0200
#define SO_ISTTY	0x0400
#define SO_ISNTTY	0x0800
#define SO_TOSTOP	0x1000
#define SO_TONSTOP	0x2000
#define SO_BAND		0x4000	/* the water marks are so_band's */
#define SO_DELIM	0x8000
#define SO_NODELIM	0x10000
#define SO_STRHOLD	0x20000

/* An M_CTL-like M_IOCTL's data for I_LINK, I_UNLINK, I_PLINK, I_PUNLINK. */
struct linkblk {
	struct queue	*l_qtop;	/* the multiplexor's lowest write queue
					   (the upper stream's) */
	struct queue	*l_qbot;	/* the linked stream's top write queue */
	int		l_index;	/* the link's identifier */
};

/* The queue routines. */
int	 putq(queue_t *, mblk_t *);
mblk_t	*getq(queue_t *);
int	 putbq(queue_t *, mblk_t *);
int	 insq(queue_t *, mblk_t *, mblk_t *);
void	 rmvq(queue_t *, mblk_t *);
void	 flushq(queue_t *, int);
void	 flushband(queue_t *, uchar_t, int);
int	 qsize(queue_t *);
int	 canput(queue_t *);
int	 bcanput(queue_t *, uchar_t);
void	 put(queue_t *, mblk_t *);
void	 putnext(queue_t *, mblk_t *);
int	 putctl(queue_t *, int);
int	 putctl1(queue_t *, int, int);
void	 qreply(queue_t *, mblk_t *);
void	 qenable(queue_t *);
void	 noenable(queue_t *);
void	 enableok(queue_t *);
queue_t	*OTHERQ(queue_t *);
queue_t	*RD(queue_t *);
queue_t	*WR(queue_t *);
#if !__DDI_ODDI
int	 canputnext(queue_t *);
int	 bcanputnext(queue_t *, uchar_t);
int	 putnextctl(queue_t *, int);
int	 putnextctl1(queue_t *, int, int);
int	 SAMESTR(queue_t *);
int	 strqget(queue_t *, qfields_t, uchar_t, long *);
int	 strqset(queue_t *, qfields_t, uchar_t, long);
pl_t	 freezestr(queue_t *);
void	 unfreezestr(queue_t *, pl_t);
void	 qprocson(queue_t *);
void	 qprocsoff(queue_t *);
#endif
/* strioccall: DDI 8 only. */
#if __DDI_AT_LEAST(80)
int	 strioccall(__ddi_qfn_t, caddr_t, long, queue_t *);
#endif
/* backq: up to DDI 6, not at its strict levels. */
#if __DDI_ODDI || (__DDI_AT_MOST(60) && !__DDI_STRICT)
queue_t	*backq(queue_t *) __DDI_ENTRY(_Compat_backq);
#endif

__DDI_END_DECLS

#endif /* DDICOMPAT_SYS_STREAM_H */
