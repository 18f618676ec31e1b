/*
 * bio.h - block I/O: what the bio files share.
 */
#ifndef DDICOMPAT_BIO_H
#define DDICOMPAT_BIO_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/level.h"

#include "sys/buf.h"

#define KB_LIVE		0x6b627566u	/* "kbuf" */
#define KB_DEAD		0x64656164u

struct brk;

/* A buf with what the driver does not see. */
struct kbuf {
	buf_t		kb_buf;		/* first: a buf_t * is a kbuf * */
	pthread_mutex_t	kb_mtx;
	pthread_cond_t	kb_cv;
	uint32_t	kb_magic;	/* KB_LIVE while allocated */
	unsigned	kb_waiters;	/* in biowait, under kb_mtx */
	bool		kb_done;	/* biodone completed, under kb_mtx */
	/* A piece of a breakup: its parent's breakup, place and extras. */
	struct brk	*kb_brk;
	uint64_t	kb_off;		/* bytes into the parent's data */
	void		*kb_sg;		/* element array to free, or NULL */
	size_t		kb_sgbytes;
	void		*kb_alias;	/* mapping to undo, or NULL */
	void		*kb_uio;	/* a piece's own uio, or NULL */
	struct kbuf	*kb_next;	/* a breakup's spare pieces */
	/* geteblk and ngeteblk: the data the header came with, or NULL */
	void		*kb_data;
	size_t		kb_datalen;
	/* the b_iodone routine biodone is running, for biocanblock */
	__ddi_iodone_t	kb_iodone_cur;
};

/* Clear kb's header to what getrbuf gives (its lock and wait kept). */
void	kbuf_reset(struct kbuf *kb);

/* A live buf from getrbuf; reports for func and returns NULL if not. */
struct kbuf *kbuf_of(buf_t *bp, const char *func, const void *caller);

/*
 * Whether bcb b is one a driver may use (ddi8: under the DDI 8 rules);
 * reports the first fault for func.
 */
bool	bcb_valid(const bcb_t *b, bool ddi8, const char *func,
	    const void *caller);

/*
 * buf_breakup's body: level is the interface version whose rules apply
 * (80 for DDI 8, 71 for DDI 6 to 7.1, 40 and below for the older ones),
 * func and caller name the entry point in reports.
 */
void	bio_breakup(void (*strat)(buf_t *), buf_t *bp, const bcb_t *bcbp,
	    enum ddi_level level, const char *func, const void *caller);

/* Whether every byte of [va, va+len) is mapped in simulated process p. */
struct proc;
bool	bio_user_mapped(const struct proc *p, const uint8_t *va, size_t len);

/*
 * physiock's raw I/O (physio.c), for the driver host's DDI 8 devices:
 * the uio's user buffers as B_PHYS requests of at most limit bytes from
 * the start of the device (UINT64_MAX: no limit), each handed to strat.
 */
struct uio;
int	raw_io(void (*strat)(buf_t *), buf_t *bp, dev_t dev, int rwflag,
	    uint64_t limit, struct uio *u, const char *func,
	    const void *caller);

#endif /* DDICOMPAT_BIO_H */
