/*
 * sys/poll.h - polling of character devices: the event bits of poll(2)
 * with their System V values, the pollhead a driver's chpoll routine
 * hands back, and phalloc(9), phfree(9) and pollwakeup(9).
 *
 * A driver uses only pollheads from phalloc and never looks inside one.
 */
#ifndef DDICOMPAT_SYS_POLL_H
#define DDICOMPAT_SYS_POLL_H

#include <sys/types.h>

__DDI_BEGIN_DECLS

struct pollfd {
	int		fd;		/* file to poll */
	short		events;		/* events of interest */
	short		revents;	/* events that occurred */
};

#define POLLIN		0x0001		/* readable, not high priority */
#define POLLPRI		0x0002		/* high-priority data readable */
#define POLLOUT		0x0004		/* writable, normal data */
#define POLLERR		0x0008		/* an error (revents only) */
#define POLLHUP		0x0010		/* hung up (revents only) */
#define POLLNVAL	0x0020		/* not a valid file (revents only) */
#define POLLRDNORM	0x0040		/* normal data readable */
#define POLLNORM	POLLRDNORM
#define POLLWRNORM	POLLOUT		/* normal data writable */
#define POLLRDBAND	0x0080		/* priority band data readable */
#define POLLWRBAND	0x0100		/* priority band data writable */

struct polldat;
typedef struct pollhead {
	struct polldat	*ph_list;	/* the pollers */
	struct polldat	*ph_dummy;
	short		ph_events;	/* events they wait for */
} pollhead_t;

#if !__DDI_ODDI
struct pollhead	*phalloc(int);
void		phfree(struct pollhead *);
#endif
#if __DDI_AT_MOST(72)
void		pollwakeup(struct pollhead *, short);
#endif

__DDI_END_DECLS

#endif /* DDICOMPAT_SYS_POLL_H */
