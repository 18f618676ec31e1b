/*
 * sys/stropts.h - what drivers and the stream head share about STREAMS
 * ioctls and messages: the I_* commands of streamio(7), strioctl, strbuf,
 * the M_FLUSH and getmsg/putmsg flags, the read and write options and the
 * S_* events.  The values are those of System V Release 4.
 */
#ifndef DDICOMPAT_SYS_STROPTS_H
#define DDICOMPAT_SYS_STROPTS_H

#include <sys/types.h>

__DDI_BEGIN_DECLS

/* M_FLUSH's first byte, and I_FLUSH's argument. */
#define FLUSHR		0x01	/* flush the read side */
#define FLUSHW		0x02	/* flush the write side */
#define FLUSHRW		0x03	/* flush both */
#define FLUSHBAND	0x04	/* only the band in the second byte */

/* S_* events for I_SETSIG and M_PCSIG / M_SIG. */
#define S_INPUT		0x0001	/* a message other than high priority */
#define S_HIPRI		0x0002	/* a high priority message */
#define S_OUTPUT	0x0004	/* the write queue is no longer full */
#define S_MSG		0x0008	/* an M_SIG or M_PCSIG reached the head */
#define S_ERROR		0x0010	/* an M_ERROR */
#define S_HANGUP	0x0020	/* an M_HANGUP */
#define S_RDNORM	0x0040	/* a normal message */
#define S_WRNORM	S_OUTPUT
#define S_RDBAND	0x0080	/* a banded message */
#define S_WRBAND	0x0100	/* a band's write queue is no longer full */
#define S_BANDURG	0x0200	/* with S_RDBAND: SIGURG */

/* Read options (I_SRDOPT, M_SETOPTS so_readopt). */
#define RNORM		0x0000	/* byte stream */
#define RMSGD		0x0001	/* message discard */
#define RMSGN		0x0002	/* message non-discard */
#define RMODEMASK	0x0003
#define RPROTDAT	0x0004	/* control part read as data */
#define RPROTDIS	0x0008	/* control part discarded */
#define RPROTNORM	0x0010	/* control part: read fails (EBADMSG) */
#define RPROTMASK	0x001c

/* Write options (I_SWROPT). */
#define SNDZERO		0x001	/* zero-length writes send a message */
#define SNDPIPE		0x002	/* SIGPIPE on a write error */

/* getmsg and putmsg flags, and I_PEEK's. */
#define RS_HIPRI	0x01	/* high priority */
#define MSG_HIPRI	0x01
#define MSG_ANY		0x02
#define MSG_BAND	0x04
#define MSG_DISCARD	0x08
#define MSG_PEEKIOCTL	0x10

/* getmsg's return: more to come. */
#define MORECTL		1
#define MOREDATA	2

/* An ioctl with no data the stream head knows of: M_IOCTL ioc_count. */
#define TRANSPARENT	((unsigned int)-1)

/* The stream head's ioctls (streamio(7)). */
#define STR		('S' << 8)
#define I_NREAD		(STR | 01)
#define I_PUSH		(STR | 02)
#define I_POP		(STR | 03)
#define I_LOOK		(STR | 04)
#define I_FLUSH		(STR | 05)
#define I_SRDOPT	(STR | 06)
#define I_GRDOPT	(STR | 07)
#define I_STR		(STR | 010)
#define I_SETSIG	(STR | 011)
#define I_GETSIG	(STR | 012)
#define I_FIND		(STR | 013)
#define I_LINK		(STR | 014)
#define I_UNLINK	(STR | 015)
#define I_RECVFD	(STR | 016)
#define I_PEEK		(STR | 017)
#define I_FDINSERT	(STR | 020)
#define I_SENDFD	(STR | 021)
#define I_SWROPT	(STR | 023)
#define I_GWROPT	(STR | 024)
#define I_LIST		(STR | 025)
#define I_PLINK		(STR | 026)
#define I_PUNLINK	(STR | 027)
#define I_FLUSHBAND	(STR | 034)
#define I_CKBAND	(STR | 035)
#define I_GETBAND	(STR | 036)
#define I_ATMARK	(STR | 037)
#define I_SETCLTIME	(STR | 040)
#define I_GETCLTIME	(STR | 041)
#define I_CANPUT	(STR | 042)

#define MUXID_ALL	(-1)	/* I_UNLINK, I_PUNLINK: every link */
#define INFTIM		(-1)	/* I_STR ic_timout: wait for ever */

/* I_STR's argument. */
struct strioctl {
	int		ic_cmd;		/* the command */
	int		ic_timout;	/* seconds; INFTIM; 0: the default */
	int		ic_len;		/* bytes of data in, then out */
	char		*ic_dp;		/* the data */
};

/* getmsg's and putmsg's control and data parts. */
struct strbuf {
	int		maxlen;		/* bytes the buffer holds */
	int		len;		/* bytes in it, or -1: no part */
	char		*buf;
};

/* I_PEEK's argument. */
struct strpeek {
	struct strbuf	ctlbuf;
	struct strbuf	databuf;
	long		flags;		/* RS_HIPRI */
};

/* I_FDINSERT's argument. */
struct strfdinsert {
	struct strbuf	ctlbuf;
	struct strbuf	databuf;
	long		flags;
	int		fildes;
	int		offset;
};

/* I_FLUSHBAND's argument. */
struct bandinfo {
	unsigned char	bi_pri;		/* the band */
	int		bi_flag;	/* FLUSHR, FLUSHW, FLUSHRW */
};

/* I_LIST's argument. */
#define FMNAMESZ	8	/* longest module name */
struct str_mlist {
	char		l_name[FMNAMESZ + 1];
};
struct str_list {
	int		sl_nmods;
	struct str_mlist *sl_modlist;
};

__DDI_END_DECLS

#endif /* DDICOMPAT_SYS_STROPTS_H */
