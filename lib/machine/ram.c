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
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "machine/machine.h"
#include "verify/verify.h"

struct machine *machine;

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
 * Locks taken around fork by the layers, in registration order (which is
 * their lock order), and hooks run first in prepare and last after.
 */
#define MAX_FORK_LOCKS	256
#define MAX_FORK_HOOKS	8
static pthread_mutex_t *ram_fork_lock[MAX_FORK_LOCKS];
static unsigned ram_nfork_lock;
static void (*ram_fork_pre[MAX_FORK_HOOKS])(void);
static void (*ram_fork_post[MAX_FORK_HOOKS])(void);
static unsigned ram_nfork_hook;
static pthread_mutex_t ram_init_lock = PTHREAD_MUTEX_INITIALIZER;
/* The child tells the parent its copy is done: [0] read, [1] write. */
static int ram_fork_pipe[2] = { -1, -1 };

void
machine_fork_lock_register(pthread_mutex_t *mtx)
{
	for (unsigned i = 0; i < ram_nfork_lock; i++)
		if (ram_fork_lock[i] == mtx)
			return;
	VERIFY(ram_nfork_lock < MAX_FORK_LOCKS);
	ram_fork_lock[ram_nfork_lock++] = mtx;
}

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

static void
ram_fork_prepare(void)
{
	pthread_mutex_lock(&ram_init_lock);
	for (unsigned i = 0; i < ram_nfork_hook; i++)
		ram_fork_pre[i]();
	for (unsigned i = 0; i < ram_nfork_lock; i++)
		pthread_mutex_lock(ram_fork_lock[i]);
	if (machine != NULL && machine->dmap != NULL &&
	    pipe2(ram_fork_pipe, O_CLOEXEC) != 0)
		ram_fork_pipe[0] = ram_fork_pipe[1] = -1;
}

static void
ram_fork_release(void)
{
	for (unsigned i = ram_nfork_lock; i-- > 0;)
		pthread_mutex_unlock(ram_fork_lock[i]);
	for (unsigned i = 0; i < ram_nfork_hook; i++)
		ram_fork_post[i]();
	pthread_mutex_unlock(&ram_init_lock);
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
	ram_fork_release();
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
	ram_fork_release();
}

static pthread_once_t ram_atfork_once = PTHREAD_ONCE_INIT;

static void
ram_atfork_install(void)
{
	VERIFY(pthread_atfork(ram_fork_prepare, ram_fork_parent,
	    ram_fork_child) == 0);
}


void
machine_atfork_install(void)
{
	pthread_once(&ram_atfork_once, ram_atfork_install);
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

static inline uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t
rng_next(struct rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}
