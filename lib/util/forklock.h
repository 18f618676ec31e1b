/*
 * forklock.h - every library lock, in one registry that fork handling
 * takes.
 *
 * Check runs each test in a child process.  A library lock held by another
 * thread when the process forks stays held in the child, where that thread
 * does not exist: the child's first call that needs the lock hangs.  So the
 * prepare handler takes every library lock and the parent and child
 * handlers release them, and every lock the library owns is registered:
 *
 *   - a file-scope mutex or read/write lock is defined with FORK_MUTEX or
 *     FORK_RWLOCK, which defines it and puts its entry in the registry (a
 *     linker section, read through __start_/__stop_ symbols), so a lock
 *     cannot exist without its entry; tests/forklocks.sh checks that lib/
 *     defines no other;
 *   - an array of locks inside file-scope structures is registered next to
 *     its definition with FORK_MUTEX_ARRAY;
 *   - locks of objects made at run time are taken by their owner's hooks
 *     (FORK_LOCK_HOOKS), which try to take them all and report whether
 *     they could.
 *
 * The registry has no lock order to respect.  Callbacks into driver code
 * (interrupt handlers, timeouts, STREAMS service routines) run under some
 * library locks and may take others, so no single order holds for every
 * pair; the prepare handler instead tries each lock, and when one is busy
 * it gives back everything it holds, waits for that one alone, and starts
 * again.  It never waits while holding a lock, so it cannot deadlock with a
 * thread that holds one lock and wants another.
 *
 * Locks inside driver-visible objects (lock_t, sv_t, a buf's mutex, a
 * simulated device's) are not taken: they belong to one object, are held
 * only around short critical sections that never wait, and an object in use
 * by another thread at the fork is not the child's to use.
 */
#ifndef DDICOMPAT_UTIL_FORKLOCK_H
#define DDICOMPAT_UTIL_FORKLOCK_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

enum fork_lock_kind {
	FORK_LOCK_MUTEX,
	FORK_LOCK_RWLOCK,
	FORK_LOCK_HOOKS
};

struct fork_lock {
	enum fork_lock_kind kind;
	const char	*name;
	void		*lock;		/* the first lock (MUTEX, RWLOCK) */
	unsigned	n;		/* how many, stride bytes apart */
	size_t		stride;
	bool		(*try_all)(void); /* HOOKS: take all or none */
	void		(*release_all)(void);
};

#define FORK_SET_	__attribute__((used, section("ddi_fork_locks"),	\
	aligned(sizeof(void *))))

/* Define a file-scope mutex or read/write lock, registered. */
#define FORK_MUTEX(name)						\
	pthread_mutex_t name = PTHREAD_MUTEX_INITIALIZER;		\
	static const struct fork_lock fork_lock_##name FORK_SET_ = {	\
		FORK_LOCK_MUTEX, #name, &name, 1, 0, NULL, NULL }
#define FORK_RWLOCK(name)						\
	pthread_rwlock_t name = PTHREAD_RWLOCK_INITIALIZER;		\
	static const struct fork_lock fork_lock_##name FORK_SET_ = {	\
		FORK_LOCK_RWLOCK, #name, &name, 1, 0, NULL, NULL }

/*
 * Define a file-scope mutex that its owner's FORK_LOCK_HOOKS take with the
 * run-time locks it guards, so it is not in the registry on its own.
 */
#define FORK_HOOKED_MUTEX(name)						\
	pthread_mutex_t name = PTHREAD_MUTEX_INITIALIZER

/*
 * Register the mutex member of every element of a file-scope array.  The
 * mutexes must be valid from the start: zero-filled is a default mutex on
 * this platform's threads library, and pthread_mutex_init may run later.
 */
#define FORK_MUTEX_ARRAY(arr, member)					\
	static const struct fork_lock fork_lock_##arr FORK_SET_ = {	\
		FORK_LOCK_MUTEX, #arr "[]." #member, &(arr)[0].member,	\
		sizeof(arr) / sizeof((arr)[0]), sizeof((arr)[0]),	\
		NULL, NULL }

/* Locks of run-time objects, taken by their owner. */
#define FORK_LOCK_HOOKS(name, try_all_fn, release_all_fn)		\
	static const struct fork_lock fork_lock_##name FORK_SET_ = {	\
		FORK_LOCK_HOOKS, #name, NULL, 0, 0, try_all_fn,		\
		release_all_fn }

#endif /* DDICOMPAT_UTIL_FORKLOCK_H */
