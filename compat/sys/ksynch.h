/*
 * sys/ksynch.h - basic locks, read/write locks, sleep locks and
 * synchronization variables.
 *
 * The lock types are opaque: drivers hold pointers from the *_ALLOC calls.
 * lkinfo_t keeps the SVR4 members so that old drivers that fill it in by
 * hand still compile; SVR5 drivers use LKINFO_DECL.
 */
#ifndef DDICOMPAT_SYS_KSYNCH_H
#define DDICOMPAT_SYS_KSYNCH_H

#include <sys/types.h>
#include <sys/ipl.h>

__DDI_BEGIN_DECLS

typedef struct __ddi_lock	lock_t;
typedef struct __ddi_rwlock	rwlock_t;
typedef struct __ddi_sleep	sleep_t;
typedef struct __ddi_sv		sv_t;

#ifndef __ddi_bool_t_defined
typedef int			bool_t;
#define __ddi_bool_t_defined
#endif

typedef struct lkinfo {
	char	*lk_name;	/* for statistics; starts with the prefix */
	int	lk_flags;	/* LK_NOSTATS (SLEEP_ALLOC only) or 0 */
	long	lk_pad[2];	/* must be zero */
} lkinfo_t;

#define LK_NOSTATS	0x1	/* SLEEP_ALLOC: collect no statistics */

#define LKINFO_DECL(var, name, flags) \
	lkinfo_t var = { (char *)(name), (flags), { 0, 0 } }

/* Priority hints for the sleeping calls; add or subtract at most 3. */
#define prilo		10
#define primed		20
#define pritape		30
#define pritty		40
#define prinet		50
#define pridisk		60
#define prihi		70

lock_t	*LOCK_ALLOC(uchar_t, pl_t, lkinfo_t *, int);
void	LOCK_DEALLOC(lock_t *);
pl_t	LOCK(lock_t *, pl_t);
pl_t	TRYLOCK(lock_t *, pl_t);
void	UNLOCK(lock_t *, pl_t);

rwlock_t *RW_ALLOC(uchar_t, pl_t, lkinfo_t *, int);
void	RW_DEALLOC(rwlock_t *);
pl_t	RW_RDLOCK(rwlock_t *, pl_t);
pl_t	RW_WRLOCK(rwlock_t *, pl_t);
pl_t	RW_TRYRDLOCK(rwlock_t *, pl_t);
pl_t	RW_TRYWRLOCK(rwlock_t *, pl_t);
void	RW_UNLOCK(rwlock_t *, pl_t);

sleep_t	*SLEEP_ALLOC(int, lkinfo_t *, int);
void	SLEEP_DEALLOC(sleep_t *);
void	SLEEP_LOCK(sleep_t *, int);
bool_t	SLEEP_LOCK_SIG(sleep_t *, int);
bool_t	SLEEP_TRYLOCK(sleep_t *);
void	SLEEP_UNLOCK(sleep_t *);
bool_t	SLEEP_LOCKAVAIL(sleep_t *);
bool_t	SLEEP_LOCKOWNED(sleep_t *);

sv_t	*SV_ALLOC(int);
void	SV_DEALLOC(sv_t *);
void	SV_WAIT(sv_t *, int, lock_t *);
bool_t	SV_WAIT_SIG(sv_t *, int, lock_t *);
void	SV_SIGNAL(sv_t *, int);
void	SV_BROADCAST(sv_t *, int);

#if !__DDI_ODDI
/*
 * Atomic counters (ATOMIC_INT(9)): allocated, or declared by the driver
 * and set up with ATOMIC_INT_INIT.  The members are private.
 */
typedef struct __ddi_atomic_int {
	int		__ai_value;
	unsigned	__ai_state;
} atomic_int_t;

atomic_int_t *ATOMIC_INT_ALLOC(int);
void	ATOMIC_INT_DEALLOC(atomic_int_t *);
void	ATOMIC_INT_INIT(atomic_int_t *, int);
int	ATOMIC_INT_READ(atomic_int_t *);
void	ATOMIC_INT_WRITE(atomic_int_t *, int);
void	ATOMIC_INT_ADD(atomic_int_t *, int);
void	ATOMIC_INT_SUB(atomic_int_t *, int);
void	ATOMIC_INT_INCR(atomic_int_t *);
boolean_t ATOMIC_INT_DECR(atomic_int_t *);

/* Whether the caller holds no basic or read/write lock (for ASSERT). */
boolean_t KS_HOLD0LOCKS(void);
#endif

__DDI_END_DECLS

#endif /* DDICOMPAT_SYS_KSYNCH_H */
