/*
 * strq.h - STREAMS queues: what queue.c, stream.c, head.c and the service
 * share.
 *
 * Objects.  A queue pair (struct qpair) is the read queue, then the write
 * queue, then the library's state of the pair: RD and WR are the pair's
 * two members, and any queue_t the library is handed is checked to be one
 * of them (a live kmem allocation of a qpair, with its magic) before
 * anything is read through it.  A stream (struct __ddi_stream) holds its
 * pairs from the head down to the driver, and, for the head, the state
 * of head.c.
 *
 * Locks.  A stream's mtx guards the messages and flow-control state of
 * every queue of the stream: q_first, q_last, q_count, q_flag, the qband
 * lists.  It is held only inside library code, never while driver code
 * runs.  freezestr holds the stream for its caller (frozen_by) instead:
 * other contexts wait in str_lock until unfreezestr, the freezer passes.
 * The run list of enabled queues has a lock of its own (run_lock) taken
 * inside a stream's mtx, never the other way round.
 *
 * Perimeters.  Procedures of a driver or module without D_MP run inside
 * the uniprocessor perimeter, one context at a time in the whole machine
 * (UnixWare ran them on one processor); a context already inside may enter
 * again, as a put procedure that calls putnext into another such module.
 */
#ifndef DDICOMPAT_STREAMS_STRQ_H
#define DDICOMPAT_STREAMS_STRQ_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/queue.h>

#include "kern/ctx.h"
#include "streams/streams.h"

#include "sys/types.h"
#include "sys/stream.h"

#define QP_LIVE		0x71706169u	/* "qpai" */
#define QP_DEAD		0x64656164u	/* "dead" */

#define MB_QUEUED	0x02		/* b_pad1: the message is on a queue */

/* Whose procedures a pair holds. */
enum qp_role { QP_HEAD, QP_MODULE, QP_DRIVER };

struct __ddi_stream;

struct qpair {
	queue_t		q[2];		/* read, write: first */
	uint32_t	magic;		/* QP_LIVE while the pair lives */
	enum qp_role	role;
	int		devflag;	/* D_MP: no perimeter */
	const struct streamtab *tab;
	const char	*name;		/* module_info's name, or "head" */
	struct __ddi_stream *str;
	const struct str_opener *opener; /* the driver host's, or NULL */
	TAILQ_ENTRY(qpair) link;	/* the stream's pairs, head first */
	/* Service bookkeeping, per side, under run_lock. */
	unsigned	svc_calls[2];	/* calls in run svc_gen */
	uint64_t	svc_gen[2];	/* the run svc_calls counts in */
	struct kctx	*svc_runner[2];	/* context running it, or NULL */
};

TAILQ_HEAD(qpair_list, qpair);

struct str_head;			/* head.c's */

struct __ddi_stream {
	pthread_mutex_t	mtx;		/* see above */
	pthread_cond_t	cv;		/* thaws, service completions */
	struct kctx	*frozen_by;	/* freezestr's caller */
	bool		closed;		/* closed: nothing may be put */
	struct qpair_list pairs;	/* head first, driver last */
	struct str_head	*head;		/* head.c's state */
	LIST_ENTRY(__ddi_stream) all;	/* every stream, under streams_lock */
};

static inline struct qpair *
QP(queue_t *q)
{
	return (struct qpair *)(q - ((q->q_flag & QREADR) ? 0 : 1));
}

static inline queue_t *
OTHERQ_(queue_t *q)
{
	return (q->q_flag & QREADR) ? q + 1 : q - 1;
}

/* Checks: report for func and return NULL on a bad queue. */
struct qpair *qp_check(queue_t *q, const char *func, const void *caller);

/* A new pair for a streamtab's side; NULL on shortage (reported). */
struct qpair *qp_alloc(struct __ddi_stream *str, enum qp_role role,
	    const struct streamtab *tab, const struct qinit *rinit,
	    const struct qinit *winit, int devflag, const char *func,
	    const void *caller);
/* Free a pair, its bands and every message still on it. */
void	qp_free(struct qpair *qp);

/* The stream's lock, as a queue routine takes it (see above). */
void	str_lock(struct __ddi_stream *s, const char *func, const void *caller);
void	str_unlock(struct __ddi_stream *s);

/* Perimeter: enter before calling a pair's procedures, leave after. */
bool	str_perim_enter(const struct qpair *qp);
void	str_perim_leave(bool entered);

/*
 * Call q's put procedure with mp, in the perimeter; a queue whose
 * procedures are off passes mp on to the next queue that has them on.
 */
void	str_call_put(queue_t *q, mblk_t *mp, const char *func,
	    const void *caller);
/* The next queue from q whose procedures run; NULL at the end. */
queue_t	*str_next_on(queue_t *q);

/* A stream, and its end (head.c makes and closes them). */
struct __ddi_stream *str_stream_alloc(const char *func, const void *caller);
void	str_stream_free(struct __ddi_stream *s);
/* qprocson (on) and qprocsoff for a pair. */
void	str_procs(struct qpair *qp, bool on);

/* Enable q (lock held); whether it went on the run list. */
bool	str_enable_locked(queue_t *q);
/* Take q off the run list, and wait for its service to end elsewhere. */
void	str_disable_wait(queue_t *q);

/* A run of the STREAMS service now (service.c); what it called. */
unsigned str_service_now(void);

/* Run the service procedures of enabled queues: their number. */
unsigned str_run_queues(void);
/* Queues on the run list. */
unsigned str_runq_pending(void);

/* The queue routines' bodies, for the head (queue.c). */
int	str_putq(queue_t *q, mblk_t *mp, bool back, const char *func,
	    const void *caller);
mblk_t	*str_getq(queue_t *q, const char *func, const void *caller);
/* flushq (band < 0) and flushband. */
void	str_flush(queue_t *q, int band, int flag, const char *func,
	    const void *caller);
void	str_putnext(queue_t *q, mblk_t *mp, const char *func,
	    const void *caller, const char *what);
/* A control message of type, with param's byte if param >= 0. */
mblk_t	*str_ctl_msg(int type, int param, const char *func,
	    const void *caller);

/* Count of a message's bytes, as flow control counts them. */
size_t	str_msg_bytes(const mblk_t *mp);

/* Set a band's (0: the queue's) high or low water mark. */
void	str_set_water(queue_t *q, unsigned band, bool hi, ulong_t val);
/* Some stream still open, or NULL; drop them all (head.c). */
struct __ddi_stream *str_stream_any(void);
void	str_heads_drop(void);

/* Streams and pairs left at shutdown: listed on f; their number. */
size_t	str_queues_leak_report(FILE *f);
void	str_queues_fini(void);
void	str_thread_stop(void);

#endif /* DDICOMPAT_STREAMS_STRQ_H */
