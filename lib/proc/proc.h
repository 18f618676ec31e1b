/*
 * proc.h - simulated user processes: what other layers use.
 */
#ifndef DDICOMPAT_PROC_H
#define DDICOMPAT_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct proc;

/* Whether p is a live simulated process; reports for func if not. */
bool	proc_live(const struct proc *p, const char *func, const void *caller);

/*
 * Physical address of user address uva in p: 0, or EFAULT when p maps
 * nothing there.
 */
int	proc_vtop(const struct proc *p, const void *uva, uint64_t *pa);

/*
 * Copy len bytes between user address u of p and host (kernel) memory:
 * into host when in, out of it otherwise.  0, or EFAULT, with nothing
 * copied, when any byte of [u, u+len) is outside p.
 */
int	proc_copy(struct proc *p, uint8_t *u, uint8_t *host, size_t len,
	    bool in);

/*
 * Memory a driver mapped into p (drv_mmap(9)): user addresses whose
 * copies go straight to [uva, uva+len).  proc_xmap_add: 0 or ENOMEM.
 */
int	proc_xmap_add(struct proc *p, void *uva, size_t len);
void	proc_xmap_del(struct proc *p, void *uva);

/* Whether any byte of [va, va+len) is user memory of a live process. */
bool	proc_user_range(const void *va, size_t len);

/* The process the calling thread runs in, or NULL. */
struct proc *proc_current(void);

/*
 * The credentials of p (a cred_t of <sys/cred.h>), or the system's when
 * p is NULL.  The system's are privileged, as are a new process's.
 */
struct cred;
struct cred *proc_cred(struct proc *p);

/*
 * Where the calling thread's current process is kept, for the kernel
 * layer to see which contexts run in a process (proc_signal).
 */
struct proc *_Atomic *proc_cur_slot(void);

/*
 * Driver references (proc_ref(9)).  A process destroyed while referenced
 * is dead but keeps its identifier until the last reference goes.
 * proc_hold takes one on the calling thread's process and returns it, or
 * NULL when the thread runs in none.  The others take an identifier a
 * driver holds and report for func a pointer that is no process: -1;
 * proc_rele also reports an identifier with no reference left.
 *
 * proc_rele: 0.  proc_alive: 1 live, 0 dead.  proc_post: 1 posted,
 * 0 dead (nothing posted).
 */
struct proc *proc_hold(const void *caller);
int	proc_rele(const void *pref, const char *func, const void *caller);
int	proc_alive(const void *pref, const char *func, const void *caller);
int	proc_post(const void *pref, int sig, const char *func,
	    const void *caller);

/*
 * The process's I/O permission bitmap (iobitmapctl(9)): every port of
 * the 0-terminated list ports enabled or disabled for its user code (0,
 * or ENOMEM), or whether all of them are enabled; and whether the ports
 * [port, port + width) all are.  p must be live (EINVAL, false).
 */
int	proc_iob_set(struct proc *p, const uint16_t *ports, bool enable);
bool	proc_iob_check(struct proc *p, const uint16_t *ports);
bool	proc_iob_range(struct proc *p, unsigned port, unsigned width);

/* References still held, listed on f if not NULL: their number. */
size_t	proc_leak_report(FILE *f);

void	proc_fini(void);

#endif /* DDICOMPAT_PROC_H */
