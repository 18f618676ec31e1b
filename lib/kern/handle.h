/*
 * handle.h - where locks and synchronization variables live, and how a
 * call tells a live one from anything else.
 *
 * A driver names a lock_t, rwlock_t, sleep_t or sv_t only by the pointer
 * its *_ALLOC call returned, and passes it back on every call: after the
 * matching *_DEALLOC too, by mistake.  So the handles are not host heap
 * memory, which a free gives back and a later read of would be undefined,
 * but slots of a region the library reserves once per kind and never
 * returns to the host.  Reading the first word of any slot of a region is
 * defined whether the slot is live, freed or was never used, so a handle is
 * checked by
 *
 *	the pointer lies in its kind's region, below the part handed out,
 *	on a slot boundary, and the slot's magic says live:
 *
 * a subtraction, two compares and one load of the line the call is about
 * to use anyway.  Only when that fails does the slow path work out what the
 * pointer is: a freed handle, a dropped one, a handle of another kind, or
 * nothing of ours.
 *
 * A freed slot is quarantined: it is handed out again only after
 * KH_QUARANTINE later frees of its kind (or when the region is otherwise
 * full), oldest first, so that a handle used after its free is reported as
 * freed rather than landing on the next lock allocated.  The regions are
 * also the registry of live handles for the leak report: it scans the
 * slots ever handed out.
 *
 * Locking: kh_lock (handle.c) guards allocation and the quarantine; the
 * magic word is atomic, and the only other header fields are written
 * before the handle is returned to the driver.
 */
#ifndef DDICOMPAT_KERN_HANDLE_H
#define DDICOMPAT_KERN_HANDLE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "verify/verify.h"

#include "sys/types.h"
#include "sys/ksynch.h"

enum kh_kind { KH_LOCK, KH_RWLOCK, KH_SLEEP, KH_SV, KH_NKINDS };

/* Slot bytes per kind: powers of two, each struct asserts it fits. */
#define KH_SLOT_LOCK	128
#define KH_SLOT_RWLOCK	512
#define KH_SLOT_SLEEP	128
#define KH_SLOT_SV	128

/* The magic word of a live handle of each kind. */
#define KH_MAGIC_LOCK	0x4c4f434bu	/* "LOCK" */
#define KH_MAGIC_RWLOCK	0x52574c4bu	/* "RWLK" */
#define KH_MAGIC_SLEEP	0x534c504bu	/* "SLPK" */
#define KH_MAGIC_SV	0x53564152u	/* "SVAR" */

/* ...and of a slot that holds no live handle (0: never handed out). */
#define KH_FREED	0xdead10c0u	/* freed by its *_DEALLOC */
#define KH_DROPPED	0xdeadd0d0u	/* leaked, dropped at shutdown */

/* Slots per kind: what the regions reserve (address space only). */
#define KH_MAX_SLOTS	(1u << 18)
/* Frees of a kind before a freed slot is handed out again. */
#define KH_QUARANTINE	1024u

/* The first member of every handle. */
struct khandle {
	_Atomic uint32_t magic;		/* live magic, KH_FREED, ... */
	uint32_t	qnext;		/* quarantine: next slot + 1; kh_lock */
	const lkinfo_t	*info;		/* the driver's name for it, or NULL */
	const void	*caller;	/* the code that allocated it */
};

/*
 * A kind's region: base never changes once set; len, the bytes of slots
 * handed out so far, only grows.  Read without a lock: a driver that has a
 * handle got it from an allocation that happened before, and a stale len
 * only sends a pointer to the slow path, which looks again.
 */
struct kh_region {
	uintptr_t	base;
	_Atomic uintptr_t len;
};
extern DDI_HIDDEN struct kh_region kh_region[KH_NKINDS];

/* Whether p is a live handle of the kind: the check of every call. */
static inline __attribute__((always_inline)) bool
khandle_live(const void *p, enum kh_kind kind, uintptr_t slot,
    uint32_t magic)
{
	uintptr_t off = (uintptr_t)p - kh_region[kind].base;

	return likely(off < atomic_load_explicit(&kh_region[kind].len,
	    memory_order_relaxed) && (off & (slot - 1)) == 0 &&
	    atomic_load_explicit(&((const struct khandle *)p)->magic,
	    memory_order_relaxed) == magic);
}

/* Reserve the regions; once per process, under the machine's init lock. */
void	khandle_init(void);

/*
 * A new handle of the kind: its header filled in and live, the rest of the
 * slot zeroed.  NULL when the region is full.
 */
struct khandle *khandle_alloc(enum kh_kind kind, const lkinfo_t *info,
	    const void *caller);

/*
 * Free a live handle: false, with nothing done, if another call freed it
 * first.  dtor (may be NULL) destroys what the kind keeps in the slot,
 * after the handle stops being live and before the slot can be reused.
 */
bool	khandle_free(enum kh_kind kind, struct khandle *h,
	    void (*dtor)(struct khandle *));

/*
 * Report for func that p, passed as a handle of the kind, is not a live
 * one, saying what it is: freed, dropped, another kind, or nothing.
 */
void	khandle_report(const char *func, const void *caller,
	    enum kh_kind kind, const void *p) __attribute__((noinline, cold));

/*
 * A name for reports: info's lk_name cut to at most KH_NAME_MAX characters
 * (its start and end kept), control characters shown as '?', or
 * "(unnamed)".  In a thread-local buffer that the next call but one reuses.
 */
#define KH_NAME_MAX	48
const char *khandle_name(const lkinfo_t *info);

/*
 * The leak report: one line per live handle on f (if not NULL); returns
 * their number.  khandle_drop_all then frees them all as KH_DROPPED, for
 * ddisim_shutdown (their host mutexes hold no resources to destroy).
 */
size_t	khandle_leak_report(FILE *f);
void	khandle_drop_all(void);

#endif /* DDICOMPAT_KERN_HANDLE_H */
