/*
 * streams.h - STREAMS message blocks: what the streams files share.
 *
 * Memory layout.  A data block is always allocated together with one
 * message block, its "own": struct mdb, own block first, so that every
 * live message block, own or lone (from dupb), starts a kmem allocation
 * and can be checked against kmem's records.  Small buffers follow the
 * header in the same allocation (DB_INLINE); others are a kmem allocation
 * of their own under the placement's constraint (DB_SEP); esballoc
 * buffers belong to the caller (DB_EXT).
 *
 * Lifetimes.  A message block may point at any data block (pullupmsg
 * gives an own block another one), so an mdb has two halves that die
 * separately: the data block when its last reference goes, the own block
 * when it is freed.  holders counts the live halves; the allocation goes
 * with the last.  An esballoc data block's half dies only after the
 * STREAMS service has called its free routine.
 *
 * Checks.  A live message block carries MB_LIVE in b_pad2 and a dead own
 * block MB_DEAD; a block handed to any entry point must start a live kmem
 * allocation and carry MB_LIVE, its pointers must lie in its data block,
 * and its chain must end (Brent's cycle test, so a loop costs no memory).
 */
#ifndef DDICOMPAT_STREAMS_H
#define DDICOMPAT_STREAMS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "kmem/kmem.h"
#include "kmem/kmem_obj.h"
#include "kmem/record.h"
#include "machine/machine.h"
#include "vm/vm.h"

#include "sys/types.h"
#include "sys/stream.h"

#define MB_LIVE		((long_t)0x6d626c6b)	/* "mblk" */
#define MB_DEAD		((long_t)0x64656164)	/* "dead" */

#define MB_OWN		0x01	/* b_pad1: the m of an mdb */

#define DB_INLINE	0x01	/* db_muse: buffer follows the mdb */
#define DB_SEP		0x02	/* buffer at db_addr, db_size bytes */
#define DB_EXT		0x04	/* esballoc: the caller's buffer */

struct mdb {
	mblk_t		m;		/* its own block: first */
	dblk_t		d;
	_Atomic uint8_t	holders;	/* live halves: 2, 1, then freed */
	struct mdb	*svc_next;	/* service queue (DB_EXT frees) */
};

#define MDB_OF_D(dp)	((struct mdb *)((char *)(dp) - offsetof(struct mdb, d)))

/* Largest buffer kept inline with its header. */
#define STR_INLINE_MAX	(1024 - sizeof(struct mdb))

/* Bytes of data in a block. */
static inline size_t
blen(const mblk_t *b)
{
	return (size_t)(b->b_wptr - b->b_rptr);
}

/* What placement a level's plain allocb gives (see str_level_cons). */
void	str_level_cons(enum ddi_level level, struct kcons *c);

/*
 * A block with a buffer of exactly size bytes placed under c, of type
 * M_DATA, b_rptr and b_wptr at its start.  NULL on shortage; never
 * reports.
 */
mblk_t	*str_alloc(size_t size, const struct kcons *c, const char *func,
	    const void *caller);
mblk_t	*str_alloc_ext(uchar_t *base, size_t size, frtn_t *fr,
	    const char *func, const void *caller);
/* A lone block sharing bp's data block; NULL at 255 references. */
mblk_t	*str_dup(mblk_t *bp, const char *func, const void *caller);
void	str_free(mblk_t *bp);		/* checked already */
void	str_free_chain(mblk_t *mp);	/* checked already */

/*
 * A copy of bp's data [b_rptr + skip, b_wptr) under c: whole (the whole
 * buffer, same offsets, as copyb) or just the data at the front of a
 * buffer of that size.  Type, band and flags carried over; NULL on
 * shortage.
 */
mblk_t	*str_copy(const mblk_t *bp, size_t skip, const struct kcons *c,
	    bool whole, const char *func, const void *caller);
/* copymsg under c; all or nothing. */
mblk_t	*str_copy_chain(const mblk_t *mp, const struct kcons *c, bool whole,
	    const char *func, const void *caller);

/*
 * One block under str_block_ok's checks, all passed, without a report,
 * in few instructions.  lo and span are the direct map's, bias the
 * shadow's (record_shadow_bias), read once by a caller that walks many
 * blocks.  True when they all pass on what the shadow says; false when
 * anything needs a closer look (a block that fails, or one only the
 * records know).  Each test is a compare and a branch that a good
 * message never takes.
 */
static inline __attribute__((always_inline)) bool
blk_quick(const mblk_t *mp, const uint8_t *lo, uintptr_t span, uintptr_t bias)
{
	const uint64_t hdr_min = (uint64_t)sizeof(struct mdb) << SH_SIZE_SHIFT;
	const dblk_t *d;
	uintptr_t dh;
	uint64_t e;
	unsigned muse;

	if (unlikely(!vm_in_span8((uintptr_t)mp, lo, span)))
		return false;
	e = atomic_load_explicit(shadow_slot8_at(bias, (uintptr_t)mp),
	    memory_order_relaxed);
	d = mp->b_datap;
	/* as an integer: a NULL d gives no pointer arithmetic on NULL */
	dh = (uintptr_t)d - offsetof(struct mdb, d);
	if (dh != (uintptr_t)mp) {
		/*
		 * A block on another's data: both allocations are checked.
		 * A NULL d fails here too, its header far outside the map.
		 */
		if (unlikely((e >> SH_SIZE_SHIFT) != sizeof(mblk_t) &&
		    e < hdr_min))
			return false;
		if (unlikely(!vm_in_span8(dh, lo, span)))
			return false;
		e = atomic_load_explicit(shadow_slot8_at(bias, dh),
		    memory_order_relaxed);
	}
	if (unlikely(e < hdr_min))
		return false;
	if (unlikely(mp->b_pad2 != MB_LIVE))
		return false;
	if (unlikely(__atomic_load_n(&d->db_ref, __ATOMIC_RELAXED) == 0))
		return false;
	/* DB_INLINE, DB_SEP or DB_EXT: 1, 2 or 4 */
	muse = d->db_muse;
	if (unlikely(muse - 1 >= DB_EXT || muse == 3))
		return false;
	if (unlikely(mp->b_rptr > mp->b_wptr || mp->b_rptr < d->db_base ||
	    mp->b_wptr > d->db_lim))
		return false;
	return true;
}
_Static_assert(DB_INLINE == 1 && DB_SEP == 2 && DB_EXT == 4,
    "blk_quick takes db_muse for one bit of three");

static inline __attribute__((always_inline)) bool
str_block_fine(const mblk_t *bp)
{
	return likely(kmem_fast_ok) && blk_quick(bp, machine->dmap,
	    machine->top, record_shadow_bias);
}

/*
 * Checks: report for func and return false on a bad block or message.
 * The block that passes the quick checks, and the message of one such
 * block, the commonest, are answered inline; everything else, and every
 * report, is in mblk.c.
 */
bool	str_block_check(const mblk_t *bp, const char *func, const void *caller);
bool	str_msg_walk_all(const mblk_t *mp, const char *func, const void *caller,
	    size_t *nblocks, size_t *xbytes);

static inline __attribute__((always_inline)) bool
str_block_ok(const mblk_t *bp, const char *func, const void *caller)
{
	return likely(str_block_fine(bp)) || str_block_check(bp, func, caller);
}

/* str_msg_ok, also giving the bytes xmsgsize would count. */
static inline __attribute__((always_inline)) bool
str_msg_walk(const mblk_t *mp, const char *func, const void *caller,
    size_t *nblocks, size_t *xbytes)
{
	if (likely(mp != NULL && mp->b_cont == NULL && str_block_fine(mp))) {
		if (nblocks != NULL)
			*nblocks = 1;
		if (xbytes != NULL)
			*xbytes = blen(mp);
		return true;
	}
	return str_msg_walk_all(mp, func, caller, nblocks, xbytes);
}

static inline __attribute__((always_inline)) bool
str_msg_ok(const mblk_t *mp, const char *func, const void *caller,
    size_t *nblocks)
{
	return str_msg_walk(mp, func, caller, nblocks, NULL);
}

/* Whether [va, va+len) meets c page by page, as physreq_met decides. */
bool	str_range_ok(const void *va, size_t len, const struct kcons *c);

/* msgpullup under c: whole copies of the rest if whole. */
mblk_t	*str_pullup(mblk_t *mp, int len, const struct kcons *c, bool whole,
	    const char *func, const void *caller);

/* A prepped physreq's constraint for the level; reports as kmem does. */
bool	str_physreq_cons(physreq_t *preq, enum ddi_level level, struct kcons *c,
	    const char *func, const void *caller);

/*
 * msgphysreq in two steps, so that callers can do more before they
 * commit: conforming copies of the blocks that need them (b_next links
 * them in message order, b_prev names the block each replaces; NULL if
 * none does), then the swap.  False with nothing made on shortage or for
 * a block longer than a boundary.
 */
bool	str_conform_copies(mblk_t *mp, const struct kcons *c,
	    mblk_t **copies, const char *func, const void *caller);
void	str_copies_free(mblk_t *copies);
mblk_t	*str_conform_commit(mblk_t *mp, mblk_t *copies);

/* A list's element array from (pa, len) pairs (scgth.c). */
struct scgth;
void	scgth_fill(struct scgth *sg, void *arr, size_t n, bool wide,
	    const uint64_t *pa, const size_t *len);

/* Release halves (1 or 2) of an mdb; the last frees it. */
void	str_mdb_release(struct mdb *h, unsigned halves);

/* Whether allocb could give a level's driver size bytes now (testb). */
bool	str_probe(size_t size, enum ddi_level level, const char *func,
	    const void *caller);

/* The service: deferred esballoc frees. */
void	str_svc_defer_free(struct mdb *);
void	streams_fini(void);
/* Bufcalls still pending, listed on f if not NULL: their number. */
size_t	streams_leak_report(FILE *f);

/*
 * For the driver host: a driver whose open and close are not its
 * streamtab's (a DDI 8 driver's d_open and d_close take the read queue),
 * and the modules I_PUSH finds by name.
 */
struct queue;
struct cred;
struct streamtab;
struct __ddi_stream;
struct str_opener {
	int	(*open)(void *arg, struct queue *rq, dev_t *devp, int oflag,
		    int sflag, struct cred *cr);
	int	(*close)(void *arg, struct queue *rq, int oflag,
		    struct cred *cr);
	void	*arg;
};
int	str_head_open(const struct streamtab *tab, int devflag, dev_t *devp,
	    int oflag, int sflag, struct cred *cr, const struct str_opener *op,
	    struct __ddi_stream **sp, const char *func, const void *caller);
/* The streamtab and devflag of the module called name, or NULL. */
typedef const struct streamtab *(*str_fmod_fn)(const char *name,
	    int *devflag);
void	str_fmod_lookup_set(str_fmod_fn fn);
/* Whether a stream has a module or driver of tab on it. */
bool	str_tab_in_use(const struct streamtab *tab);
/* What poll(2) says of the stream's head now (POLLIN, POLLOUT ...). */
short	str_head_poll(struct __ddi_stream *s, short events);
/*
 * Wait for one (0, *reventsp set or 0 at the timeout), EINTR when intr
 * says a signal came, ETIME after a report when timeout_ms < 0 and the
 * wait limit passed.
 */
int	str_head_poll_wait(struct __ddi_stream *s, short events,
	    int timeout_ms, short *reventsp, bool (*intr)(void *), void *arg,
	    const char *func, const void *caller);

#endif /* DDICOMPAT_STREAMS_H */
