/*
 * ram.c - simulated RAM: one memfd, one aligned direct map, fork isolation.
 *
 * Nothing of the memfd is touched until used, so a 64 GiB machine costs
 * address space and page-table pages only.  Pages are given back to the host
 * by hole punching (machine_ram_release), which the page allocator batches.
 *
 * Fork isolation: Check runs each test in a child process, and children
 * must not see each other's writes, nor write into the parent's RAM.  The
 * memfd is MAP_SHARED, so after fork() the child's atfork handler copies the
 * populated extents of the RAM into a new memfd and maps it MAP_FIXED over
 * the direct map; registered layers then remap their alias windows.  The
 * prepare handler takes the layers' locks first, so the copy is consistent.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "util/forklock.h"
#include "machine/machine.h"
#include "verify/verify.h"

DDI_READ_MOSTLY struct machine *machine;

#define MAX_REMAP	8
static machine_remap_fn ram_remap[MAX_REMAP];
static unsigned ram_nremap;

void
machine_remap_register(machine_remap_fn fn)
{
	for (unsigned i = 0; i < ram_nremap; i++)
		if (ram_remap[i] == fn)
			return;
	VERIFY(ram_nremap < MAX_REMAP);
	ram_remap[ram_nremap++] = fn;
}

int
machine_ram_create(struct machine *m, char *err, size_t errlen)
{
	size_t len = (size_t)m->top;
	size_t resv = len + MACHINE_DMAP_ALIGN;
	uint8_t *p, *base;

	m->memfd = memfd_create("ddisim-ram", MFD_CLOEXEC);
	if (m->memfd < 0) {
		snprintf(err, errlen, "mem: memfd_create: %s", strerror(errno));
		return errno;
	}
	if (ftruncate(m->memfd, (off_t)len) != 0) {
		int e = errno;

		snprintf(err, errlen, "mem: cannot size RAM to %#zx: %s", len,
		    strerror(e));
		close(m->memfd);
		return e;
	}
	p = mmap(NULL, resv, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS |
	    MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED) {
		int e = errno;

		snprintf(err, errlen, "mem: cannot reserve %#zx bytes of "
		    "address space: %s", resv, strerror(e));
		close(m->memfd);
		return e;
	}
	base = (uint8_t *)(((uintptr_t)p + MACHINE_DMAP_ALIGN - 1) &
	    ~(uintptr_t)(MACHINE_DMAP_ALIGN - 1));
	if (mmap(base, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
	    m->memfd, 0) == MAP_FAILED) {
		int e = errno;

		snprintf(err, errlen, "mem: cannot map RAM: %s", strerror(e));
		munmap(p, resv);
		close(m->memfd);
		return e;
	}
	m->dmap = base;
	m->dmap_resv = p;
	m->dmap_resv_len = resv;
	return 0;
}

void
machine_ram_destroy(struct machine *m)
{
	if (m->dmap_resv != NULL)
		munmap(m->dmap_resv, m->dmap_resv_len);
	if (m->memfd >= 0)
		close(m->memfd);
	m->dmap = NULL;
	m->dmap_resv = NULL;
	m->memfd = -1;
}

/*
 * Give pages back to the host; they read as zeros afterwards.  False when
 * the host refused, and the pages keep their contents.
 */
bool
machine_ram_release(uint64_t pfn, uint64_t npages)
{
	struct machine *m = machine;

	return fallocate(m->memfd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
	    (off_t)(pfn << m->pshift), (off_t)(npages << m->pshift)) == 0;
}

/*
 * In the child: copy the populated extents of the RAM into a fresh memfd and
 * put it in place of the old one everywhere it is mapped.  Only system
 * calls: no allocation, no locks.
 */
static void
ram_fork_child_copy(void)
{
	struct machine *m = machine;
	off_t off = 0, end, top = (off_t)m->top;
	int nfd;

	nfd = memfd_create("ddisim-ram", MFD_CLOEXEC);
	VERIFY(nfd >= 0);
	VERIFY(ftruncate(nfd, top) == 0);
	while (off < top) {
		off = lseek(m->memfd, off, SEEK_DATA);
		if (off < 0)
			break;		/* ENXIO: no data beyond off */
		end = lseek(m->memfd, off, SEEK_HOLE);
		VERIFY(end > off);
		while (off < end) {
			ssize_t n = pwrite(nfd, m->dmap + off,
			    (size_t)(end - off), off);

			VERIFY(n > 0);
			off += n;
		}
	}
	VERIFY(mmap(m->dmap, (size_t)m->top, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_FIXED, nfd, 0) == m->dmap);
	close(m->memfd);
	m->memfd = nfd;
	for (unsigned i = 0; i < ram_nremap; i++)
		ram_remap[i](nfd);
}

/*
 * Hooks run first in prepare and last after: state that must be set before
 * the locks are taken (palloc stops giving pages back to the host).
 */
#define MAX_FORK_HOOKS	8
static void (*ram_fork_pre[MAX_FORK_HOOKS])(void);
static void (*ram_fork_post[MAX_FORK_HOOKS])(void);
static unsigned ram_nfork_hook;
static void (*ram_fork_child_fn[MAX_FORK_HOOKS])(void);
static unsigned ram_nfork_child;
static FORK_MUTEX(ram_init_lock);
/* The child tells the parent its copy is done: [0] read, [1] write. */
static int ram_fork_pipe[2] = { -1, -1 };
/* Times prepare found a lock busy and started again (for tests). */
static _Atomic unsigned long ram_fork_backoffs;

/* The registry (see forklock.h): the linker gathers the entries. */
extern const struct fork_lock __start_ddi_fork_locks[]
    __attribute__((visibility("hidden")));
extern const struct fork_lock __stop_ddi_fork_locks[]
    __attribute__((visibility("hidden")));

void
machine_fork_hooks_register(void (*pre)(void), void (*post)(void))
{
	for (unsigned i = 0; i < ram_nfork_hook; i++)
		if (ram_fork_pre[i] == pre)
			return;
	VERIFY(ram_nfork_hook < MAX_FORK_HOOKS);
	ram_fork_pre[ram_nfork_hook] = pre;
	ram_fork_post[ram_nfork_hook++] = post;
}

void
machine_fork_child_register(void (*fn)(void))
{
	for (unsigned i = 0; i < ram_nfork_child; i++)
		if (ram_fork_child_fn[i] == fn)
			return;
	VERIFY(ram_nfork_child < MAX_FORK_HOOKS);
	ram_fork_child_fn[ram_nfork_child++] = fn;
}

void
machine_fork_locks_visit(void (*fn)(const struct fork_lock *, void *),
    void *arg)
{
	for (const struct fork_lock *f = __start_ddi_fork_locks;
	    f < __stop_ddi_fork_locks; f++)
		fn(f, arg);
}

unsigned long
machine_fork_backoffs(void)
{
	return ram_fork_backoffs;
}

/* The i-th lock of a MUTEX or RWLOCK entry; a HOOKS entry has none. */
static void *
fork_lock_at(const struct fork_lock *f, unsigned i)
{
	if (f->lock == NULL)
		return NULL;
	return (char *)f->lock + (size_t)i * f->stride;
}

/*
 * A read/write lock remembers its writer by thread id, which the child's
 * thread does not share with the parent's: the child makes it new.
 */
static void
fork_unlock_one(const struct fork_lock *f, unsigned i, bool child)
{
	if (f->kind == FORK_LOCK_MUTEX)
		pthread_mutex_unlock(fork_lock_at(f, i));
	else if (f->kind == FORK_LOCK_RWLOCK && child)
		pthread_rwlock_init(fork_lock_at(f, i), NULL);
	else if (f->kind == FORK_LOCK_RWLOCK)
		pthread_rwlock_unlock(fork_lock_at(f, i));
	else
		f->release_all();
}

/* Give back, in reverse, every lock taken before (f, i). */
static void
fork_unlock_before(const struct fork_lock *f, unsigned i, bool child)
{
	for (;;) {
		if (i == 0) {
			if (f == __start_ddi_fork_locks)
				return;
			f--;
			i = f->kind == FORK_LOCK_HOOKS ? 1 : f->n;
		}
		fork_unlock_one(f, --i, child);
	}
}

/* Try one lock; on failure wait until it is free, holding nothing else. */
static bool
fork_try_one(const struct fork_lock *f, unsigned i)
{
	void *l = fork_lock_at(f, i);

	switch (f->kind) {
	case FORK_LOCK_MUTEX:
		return pthread_mutex_trylock(l) == 0;
	case FORK_LOCK_RWLOCK:
		return pthread_rwlock_trywrlock(l) == 0;
	case FORK_LOCK_HOOKS:
		return f->try_all();
	}
	return false;
}

static void
fork_wait_for(const struct fork_lock *f, unsigned i)
{
	void *l = fork_lock_at(f, i);

	if (f->kind == FORK_LOCK_MUTEX) {
		pthread_mutex_lock(l);
		pthread_mutex_unlock(l);
	} else if (f->kind == FORK_LOCK_RWLOCK) {
		pthread_rwlock_wrlock(l);
		pthread_rwlock_unlock(l);
	} else {
		sched_yield();
	}
}

/*
 * Take every registered lock.  Each pass tries them in registry order;
 * a busy one makes the pass give back what it took and wait for that lock
 * alone before the next pass.  A pass ends either holding everything or
 * holding nothing, so this never waits while holding a lock; it ends when
 * the other threads leave the library's critical sections, which never
 * wait for the forking thread.
 */
static void
fork_lock_all(void)
{
	const struct fork_lock *f;
	unsigned i, n;

again:
	for (f = __start_ddi_fork_locks; f < __stop_ddi_fork_locks; f++) {
		n = f->kind == FORK_LOCK_HOOKS ? 1 : f->n;
		for (i = 0; i < n; i++) {
			if (fork_try_one(f, i))
				continue;
			fork_unlock_before(f, i, false);
			ram_fork_backoffs++;
			fork_wait_for(f, i);
			goto again;
		}
	}
}

static void
fork_unlock_all(bool child)
{
	fork_unlock_before(__stop_ddi_fork_locks, 0, child);
}

static void
ram_fork_prepare(void)
{
	for (unsigned i = 0; i < ram_nfork_hook; i++)
		ram_fork_pre[i]();
	fork_lock_all();
	if (machine != NULL && machine->dmap != NULL &&
	    pipe2(ram_fork_pipe, O_CLOEXEC) != 0)
		ram_fork_pipe[0] = ram_fork_pipe[1] = -1;
}

static void
ram_fork_release(bool child)
{
	fork_unlock_all(child);
	for (unsigned i = 0; i < ram_nfork_hook; i++)
		ram_fork_post[i]();
}

/*
 * In the parent: wait until the child has its own copy of RAM before any
 * thread here may write to (or punch holes in) the shared memfd.  Once
 * the parent's write end is closed, the read returns when the child writes
 * its byte or exits; it returns at once if the fork failed.
 */
static void
ram_fork_parent(void)
{
	if (ram_fork_pipe[0] >= 0) {
		char c;

		close(ram_fork_pipe[1]);
		while (read(ram_fork_pipe[0], &c, 1) < 0 && errno == EINTR)
			;
		close(ram_fork_pipe[0]);
		ram_fork_pipe[0] = ram_fork_pipe[1] = -1;
	}
	ram_fork_release(false);
}

static void
ram_fork_child(void)
{
	if (machine != NULL && machine->dmap != NULL)
		ram_fork_child_copy();
	if (ram_fork_pipe[0] >= 0) {
		close(ram_fork_pipe[0]);
		(void)write(ram_fork_pipe[1], "c", 1);
		close(ram_fork_pipe[1]);
		ram_fork_pipe[0] = ram_fork_pipe[1] = -1;
	}
	for (unsigned i = 0; i < ram_nfork_child; i++)
		ram_fork_child_fn[i]();
	ram_fork_release(true);
}

/*
 * The handlers go in when the library is loaded: the registry's locks are
 * used with or without a machine (the verifier's, the console's).
 */
static void __attribute__((constructor))
ram_atfork_install(void)
{
	VERIFY(pthread_atfork(ram_fork_prepare, ram_fork_parent,
	    ram_fork_child) == 0);
}

pthread_mutex_t *
machine_init_lock(void)
{
	return &ram_init_lock;
}

/* Simulated CPUs: threads are spread round robin until they set one. */
DDI_TLS int machine_thread_cpu = -1;
static _Atomic unsigned ram_next_cpu;

int
machine_cpu_slow(void)
{
	machine_thread_cpu = (int)(ram_next_cpu++ %
	    (unsigned)machine->spec.cpus);
	return machine_thread_cpu;
}


void
machine_set_cpu(int cpu)
{
	machine_thread_cpu = cpu;
}

/* splitmix64 to seed xoshiro256** (public-domain algorithms). */
void
rng_seed(struct rng *r, uint64_t seed)
{
	for (int i = 0; i < 4; i++) {
		uint64_t z = (seed += UINT64_C(0x9e3779b97f4a7c15));

		z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
		z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
		r->s[i] = z ^ (z >> 31);
	}
}
