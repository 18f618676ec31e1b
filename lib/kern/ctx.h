/*
 * ctx.h - execution context of the calling thread, and the simulated CPUs'
 * interrupt state.
 *
 * Every host thread that calls into the library is one kernel context: it
 * has a priority level, a stack of basic and read/write locks it holds, and
 * an interrupt depth.  While its level is above PLBASE (or while it runs an
 * interrupt handler) it sits on one simulated CPU, and that CPU's level is
 * the highest level of the contexts sitting on it.
 *
 * An interrupt or a due callout is a "pending item" queued on its CPU.  It
 * is delivered when its level is above the CPU's level: at once, in the
 * thread that raised it, or later, in whichever thread lowers the CPU's
 * level below it (splx, UNLOCK, a handler returning).  A context that
 * raises its level waits while a handler that interrupted it is still
 * running on the same CPU, as a uniprocessor would not resume it before the
 * handler returned.  That is what makes spl exclusion real between threads.
 */
#ifndef DDICOMPAT_KERN_CTX_H
#define DDICOMPAT_KERN_CTX_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>

#include "sys/types.h"
#include "sys/ipl.h"
#include "util/cdefs.h"

#define KCTX_MAXHELD	32		/* basic and rw locks held at once */
#define PL_NLEVELS	(PLHI + 1)

enum kheld_kind { KHELD_LOCK, KHELD_RDLOCK, KHELD_WRLOCK };

struct kheld {
	const void	*lock;
	uint8_t		kind;		/* enum kheld_kind */
	uint8_t		hier;
	pl_t		pl;		/* level it was acquired at */
	int		cpu;		/* CPU the holder sat on then */
	const void	*caller;
};

/* Where a held lock is recorded for hierarchy and ownership checks. */
struct kctx {
	pl_t		pl;		/* current level */
	int		cpu;		/* CPU sat on while pl > PLBASE or
					   in a frame; -1 otherwise */
	int		intr;		/* interrupt/callout frames entered */
	pl_t		frame_pl;	/* entry level of the innermost frame */
	int		nheld;
	struct kheld	held[KCTX_MAXHELD];
	unsigned	id;		/* 1.., for ddisim_ctx_signal */
	_Atomic bool	sig;		/* a signal is pending */
	void		*sleep_wchan;	/* what it sleeps on, or NULL */
	struct proc *_Atomic *procp;	/* its thread's current process */
	LIST_ENTRY(kctx) link;		/* kctx_all, under kctx_list_lock */
};

/* Something a CPU runs at a level: an interrupt line or a due callout. */
struct kpend {
	TAILQ_ENTRY(kpend) link;	/* kcpu.pending, under kcpu.mtx */
	pl_t		pl;
	int		cpu;
	bool		queued;		/* on kcpu.pending */
	bool		device;		/* a device interrupt, which the
					   deterministic mode holds back */
	void		(*run)(struct kpend *);
};

struct kctx *kctx_self(void);

/* The CPU a context uses when it has none latched. */
int	kctx_home_cpu(void);

/*
 * Set the calling context's level; return the previous one.  Raising waits
 * for handlers that interrupted this context; lowering delivers what the
 * new level lets through.
 */
pl_t	kctx_setpl(pl_t pl);

/*
 * spl.c: the lowest level the context may drop to (held spin locks, the
 * handler's own level), and a level change that keeps to it, reporting
 * for func a pl below it.
 */
pl_t	spl_floor(const struct kctx *k, const char **who);
pl_t	spl_set_checked(const char *func, const void *caller, pl_t pl);

/*
 * Queue an item on its CPU.  now: deliver it in the calling thread if the
 * CPU's level allows (device interrupts not in the deterministic mode).
 */
void	kctx_post(struct kpend *, bool now);

/* Remove a queued item; true if it was queued. */
bool	kctx_unpost(struct kpend *);
bool	kctx_is_posted(struct kpend *);

/* Deliver everything CPU cpu's level lets through, here; count. */
unsigned kctx_deliver(int cpu, int max);

/*
 * Blocking checks.  exclude: a held basic lock the call gives up;
 * raised_ok: the call drops the level itself (SV_WAIT, ODDI sleep).
 */
bool	kctx_may_block(const char **why, const void *exclude, bool raised_ok);
bool	kctx_check_block(const char *func, const void *caller,
	    const void *exclude, bool raised_ok);

/* Held-lock bookkeeping for the lock implementations. */
bool	kctx_push_held(struct kctx *, const void *lock, enum kheld_kind,
	    uchar_t hier, pl_t pl, const char *func, const void *caller);
int	kctx_find_held(struct kctx *, const void *lock);
void	kctx_pop_held(struct kctx *, int idx);

/* Signals for the _SIG waits. */
bool	kctx_sig_take(struct kctx *);

/* Deterministic delivery (ddisim_intr_mode). */
extern DDI_HIDDEN _Atomic bool kctx_deterministic;

bool	pl_valid(pl_t);

void	kern_init(void);
void	kern_fini(void);

#endif /* DDICOMPAT_KERN_CTX_H */
