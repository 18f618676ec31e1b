/*
 * kern.h - what the kernel-environment files share.
 */
#ifndef DDICOMPAT_KERN_H
#define DDICOMPAT_KERN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <pthread.h>
#include <time.h>

#include "sys/types.h"
#include "sys/ksynch.h"

struct kctx;

struct kheld;
void	kern_held_release(const struct kheld *);

/* Give up a basic lock the caller holds, keeping the level (SV_WAIT). */
bool	kern_lock_release(lock_t *, const char *func, const void *caller);

/*
 * One wait of w on cv, which the caller loops around its own predicate;
 * an interruptible wait (sig) polls for signals.  Returns EINTR if sig
 * and a signal is pending for the caller; ETIMEDOUT while w's deadline
 * has passed and its report is not made (the caller makes it with
 * vwait_report, and a VWAIT_GIVE_UP caller stops); else 0.  mtx is held
 * on entry and on return.
 */
struct vwait;
int	kern_wait_once(struct vwait *w, pthread_mutex_t *mtx,
	    pthread_cond_t *cv, bool sig);

/* A kernel message to the console, the putbuf, or both. */
void	cmn_emit(const char *text, bool to_console, bool to_putbuf);
/* A strlog message, for the log sink (ddisim_log). */
void	cmn_log(const char *text);

/* The internal major number of external emaj (major.c). */
major_t	major_internal(major_t emaj);
void	major_reset(void);

int	kctx_signal(unsigned id);
struct proc;
unsigned kctx_signal_proc(const struct proc *p);

/* The simulated clock. */
uint64_t clock_now_us(void);
void	clock_init(void);
void	clock_fini(void);
/* Timeouts still pending, listed on f if not NULL: their number. */
size_t	clock_leak_report(FILE *f);
void	intr_init(void);
/* totalmem, from the machine's spec. */
void	misc_init(void);
void	intr_fini(void);
/*
 * Keys that ddisim_intr_key did not make are the resource manager's: a
 * layer above registers how to find their CM_IRQ and CM_IPL (false: the
 * key has none).
 */
typedef bool (*intr_key_fn)(unsigned key, int *irq, unsigned *pl);
void	intr_key_resolver(intr_key_fn);
void	pio_fini(void);
/* One port access, as inb and outb make them (width 1, 2 or 4). */
uint32_t pio_in(const char *func, const void *caller, int port, int width);
void	pio_out(const char *func, const void *caller, int port, int width,
	    uint32_t v);
/* Kernel threads nobody waited for, listed on f if not NULL: how many. */
size_t	kthread_leak_report(FILE *f);
void	kthread_fini(void);
/* drv_callback handlers still attached, listed on f: how many. */
size_t	callback_leak_report(FILE *f);
void	callback_fini(void);
void	boot_fini(void);
/* Interfaces still on the ifstats chain, listed on f: how many. */
size_t	ifstats_leak_report(FILE *f);
void	ifstats_fini(void);
/* The code that made the innermost port access of this thread, or NULL. */
const void *pio_caller(void);

#endif /* DDICOMPAT_KERN_H */
