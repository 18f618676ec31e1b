/*
 * kern.h - what the kernel-environment files share.
 */
#ifndef DDICOMPAT_KERN_H
#define DDICOMPAT_KERN_H

#include <stdbool.h>
#include <stdint.h>
#include <pthread.h>
#include <time.h>

#include "sys/types.h"
#include "sys/ksynch.h"

struct kctx;

/* How long a wait may last before it is reported (sleeplimit=). */
unsigned kern_waitlimit_ms(void);

struct kheld;
void	kern_held_release(const struct kheld *);

/* Give up a basic lock the caller holds, keeping the level (SV_WAIT). */
bool	kern_lock_release(lock_t *, const char *func, const void *caller);

/*
 * One wait on cv, which the caller loops around its own predicate.
 * Returns EINTR if sig (the wait is interruptible) and a signal is
 * pending for the caller, ETIMEDOUT once the deadline dl has passed, else
 * 0.  mtx is held on entry and on return.
 */
int	kern_wait_once(pthread_mutex_t *mtx, pthread_cond_t *cv, bool sig,
	    const struct timespec *dl);
void	kern_deadline(struct timespec *, unsigned ms);

int	kctx_signal(unsigned id);

/* The simulated clock. */
uint64_t clock_now_us(void);
void	clock_init(void);
void	clock_fini(void);
void	intr_init(void);
void	intr_fini(void);
void	pio_fini(void);
/* The code that made the innermost port access of this thread, or NULL. */
const void *pio_caller(void);

#endif /* DDICOMPAT_KERN_H */
