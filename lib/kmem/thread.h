/*
 * thread.h - the calling thread's kmem state, in one thread-local
 * structure: its outstanding-bytes count (kmem.c), its last arena
 * decision (kmem.c), its physreq memo (api.c) and its magazines
 * (arena.c).  One structure is one address to find from the thread
 * pointer, where four thread-locals were four loads of an offset from
 * the GOT on every fast path, and its hot fields share one cache line.
 */
#ifndef DDICOMPAT_KMEM_THREAD_H
#define DDICOMPAT_KMEM_THREAD_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "machine/machine.h"
#include "util/cdefs.h"

struct arena_mag;
struct preq_info;

/*
 * Bytes held by drivers, counted per thread (kmem.c).  Each count is
 * written only by its thread (relaxed loads and stores, no read-modify-
 * write on the hot path); ddisim_outstanding sums the live threads'
 * counts and what exited threads left, and kmem_init zeroes them all.  A
 * count may be negative: a thread can free what another allocated.
 */
struct kmem_tcount {
	_Atomic int64_t		bytes;
	struct kmem_tcount	*next;		/* kmem_count_lock */
	bool			registered;	/* on kmem_counts */
	bool			exited;		/* its thread is exiting */
};

/*
 * The physreq of the calling thread's last magazine hit (api.c): its
 * interned constraint, the interface level it was asked at, and the
 * magazine that served it.  The same physreq, unchanged, at the same
 * level, on the same CPU and under the same magazines goes straight to
 * that magazine: the constraint, the window's arena and the magazine
 * were all decided by the hit that set the memo, and hold while those
 * do.  It is set only for a thread whose count is registered, and
 * forgotten (kmem_pmemo_forget) whenever the thread's magazines are
 * freed and when its count is folded at exit; a machine built since
 * shows in arena_gen_now.  level is -1 in a memo that holds nothing, so
 * that no request matches it, a physreq never prepped included.
 */
struct kmem_pmemo {
	const struct preq_info	*info;
	struct arena_mag	*mag;
	int			cpu;
	int			level;		/* -1: none */
};

/*
 * The last arena decision of this thread (kmem.c): the window and CPU it
 * was made for, valid for one machine generation.
 */
struct kmem_amemo {
	uint64_t	gen;
	uint64_t	high;
	int		cpu;
	int		node, zone;
};

struct kmem_thread {
	/* what every small-object allocation and free reads: one line */
	struct kmem_pmemo	pmemo;
	struct kmem_tcount	count;
	uint64_t		mag_gen;	/* mag is valid for arena_gen */
	struct kmem_amemo	amemo;
	/* the thread's magazine of each arena (arena.c) */
	struct arena_mag	*mag[MACHINE_MAX_NODES][NZONES];
};
extern DDI_HIDDEN DDI_TLS struct kmem_thread kmem_thr;

#endif /* DDICOMPAT_KMEM_THREAD_H */
