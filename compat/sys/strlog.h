/*
 * sys/strlog.h - the STREAMS log driver's interface for drivers:
 * strlog(9) and its flags, and the structures of log(7) messages.
 */
#ifndef DDICOMPAT_SYS_STRLOG_H
#define DDICOMPAT_SYS_STRLOG_H

#include <sys/types.h>

__DDI_BEGIN_DECLS

/* The control part of a log message. */
struct log_ctl {
	short		mid;		/* module or driver ID */
	short		sid;		/* sub-ID: the minor device */
	char		level;		/* tracing level */
	short		flags;		/* SL_* */
	clock_t		ltime;		/* ticks since boot */
	time_t		ttime;		/* seconds since the epoch */
	long		seq_no;		/* sequence number */
	int		pri;		/* priority: facility | level */
};

#define SL_FATAL	0x01	/* a fatal error */
#define SL_NOTIFY	0x02	/* with SL_ERROR: tell the administrator */
#define SL_ERROR	0x04	/* for the error logger */
#define SL_TRACE	0x08	/* for the tracer */
#define SL_CONSOLE	0x10	/* for the console */
#define SL_WARN		0x20	/* a warning */
#define SL_NOTE		0x40	/* a notice */

/* What a tracer asks to see (I_TRCLOG). */
struct trace_ids {
	short		ti_mid;
	short		ti_sid;
	char		ti_level;
};

#define LOGCTL		(('L') << 8)
#define I_TRCLOG	(LOGCTL | 1)	/* the caller is the tracer */
#define I_ERRLOG	(LOGCTL | 2)	/* the caller is the error logger */
#define I_CONSLOG	(LOGCTL | 3)	/* the caller is the console logger */

#define LOGMSGSZ	1024	/* longest format */
#define NLOGARGS	3	/* most arguments */

int	strlog(short, short, char, ushort_t, char *, ...)
#if defined(__GNUC__)
	    __attribute__((__format__(__printf__, 5, 6)))
#endif
	    ;

__DDI_END_DECLS

#endif /* DDICOMPAT_SYS_STRLOG_H */
