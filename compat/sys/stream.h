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

__DDI_END_DECLS

#endif /* DDICOMPAT_SYS_STREAM_H */
