/*
 * proc.c - simulated user processes (ddisim_proc(3)): an address space
 * of user memory whose pages are simulated RAM, scattered physically as
 * a user buffer's pages are, for raw I/O, BA_UVIRT requests and
 * vtop(va, p).
 *
 * User addresses are a range of host addresses reserved with no access,
 * so a driver that dereferences one faults, as a kernel touching user
 * space without mapping it would.  The test, playing the user program,
 * reads and writes its memory through ddisim_proc_read and _write.
 * Page i of the space is an ordinary kmem page allocation; the pages
 * are put in a shuffled order (vm_scatter), from the machine's seed, so
 * that no user page follows its predecessor in RAM.
 *
 * Drivers hold references to processes (proc_ref(9)).  A process
 * destroyed while referenced gives back its memory at once but keeps its
 * structure, dead, on the list of zombies until the last reference goes,
 * so that its identifier is not reused while a driver may still present
 * it: proc_valid then answers false and proc_signal fails.
 *
 * Locking: proc_lock guards both lists, the reference counts and the
 * pending signals; a process's page table does not change after
 * creation.  proc_cur is atomic because the kernel layer reads other
 * threads' (proc_cur_slot) to find the contexts a signal interrupts.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/queue.h>

#include "util/forklock.h"
#include "kmem/kmem.h"
#include "machine/entry.h"
#include "machine/machine.h"
#include "verify/verify.h"
#include "proc/proc.h"
#include "vm/vm.h"

#include "sys/types.h"
#include "sys/kmem.h"
#include "sys/cred.h"

#define PROC_LIVE	0x70726f63u	/* "proc" */
#define PROC_DEAD	0x64656164u	/* "dead" */

struct proc {
	uint32_t	magic;
	uint8_t		*base;		/* first user address */
	size_t		npages;
	size_t		page;		/* machine page size */
	void		**pg;		/* direct-map address of each page */
	cred_t		cred;		/* UCRED while a thread runs in it */
	unsigned	refs;		/* driver references, under proc_lock */
	const void	*ref_caller;	/* who took the latest */
	uint64_t	sigs;		/* posted, not yet collected */
	uint8_t		*iob;		/* ports its user code may use, one
					   bit each; NULL: none */
	LIST_ENTRY(proc) link;		/* procs or zombies, under proc_lock */
	LIST_HEAD(, proc_xmap) xmaps;	/* drv_mmap's, under proc_lock */
};

/* Memory a driver mapped into the process (drv_mmap(9)). */
struct proc_xmap {
	LIST_ENTRY(proc_xmap) link;
	uint8_t		*uva;
	size_t		len;
};

static FORK_MUTEX(proc_lock);
static LIST_HEAD(, proc) procs = LIST_HEAD_INITIALIZER(procs);
static LIST_HEAD(, proc) zombies = LIST_HEAD_INITIALIZER(zombies);
static DDI_TLS struct proc *_Atomic proc_cur;
static uint64_t proc_draws;		/* shuffles made, for their seeds */

bool
proc_live(const struct proc *p, const char *func, const void *caller)
{
	const struct proc *q;

	pthread_mutex_lock(&proc_lock);
	LIST_FOREACH(q, &procs, link)
		if (q == p)
			break;
	pthread_mutex_unlock(&proc_lock);
	if (q == NULL || q->magic != PROC_LIVE) {
		verify_report(func, caller, "%p is not a simulated process",
		    (const void *)p);
		return false;
	}
	return true;
}

/* The driver's mapping holding [u, u+len) whole, or NULL; proc_lock held. */
static struct proc_xmap *
proc_xmap_of(const struct proc *p, const uint8_t *u, size_t len)
{
	struct proc_xmap *x;

	LIST_FOREACH(x, &p->xmaps, link)
		if (u >= x->uva && len <= x->len &&
		    (size_t)(u - x->uva) <= x->len - len)
			return x;
	return NULL;
}

int
proc_xmap_add(struct proc *p, void *uva, size_t len)
{
	struct proc_xmap *x = calloc(1, sizeof(*x));

	if (x == NULL)
		return ENOMEM;
	x->uva = uva;
	x->len = len;
	pthread_mutex_lock(&proc_lock);
	LIST_INSERT_HEAD(&p->xmaps, x, link);
	pthread_mutex_unlock(&proc_lock);
	return 0;
}

void
proc_xmap_del(struct proc *p, void *uva)
{
	struct proc_xmap *x;

	pthread_mutex_lock(&proc_lock);
	LIST_FOREACH(x, &p->xmaps, link)
		if (x->uva == uva)
			break;
	if (x != NULL)
		LIST_REMOVE(x, link);
	pthread_mutex_unlock(&proc_lock);
	free(x);
}

static void
proc_xmaps_free(struct proc *p)
{
	struct proc_xmap *x;

	while ((x = LIST_FIRST(&p->xmaps)) != NULL) {
		LIST_REMOVE(x, link);
		free(x);
	}
}

int
proc_vtop(const struct proc *p, const void *uva, uint64_t *pa)
{
	const uint8_t *u = uva;
	size_t off;

	if (u < p->base || u >= p->base + p->npages * p->page) {
		bool mapped;

		pthread_mutex_lock(&proc_lock);
		mapped = proc_xmap_of(p, u, 1) != NULL;
		pthread_mutex_unlock(&proc_lock);
		return mapped ? vm_vtop(u, pa) : EFAULT;
	}
	off = (size_t)(u - p->base);
	return vm_vtop((const uint8_t *)p->pg[off / p->page] +
	    off % p->page, pa);
}

bool
proc_user_range(const void *va, size_t len)
{
	const uint8_t *a = va;
	const struct proc *q;
	bool hit = false;

	if (len == 0)
		return false;
	if ((uintptr_t)a > UINTPTR_MAX - len)
		len = UINTPTR_MAX - (uintptr_t)a;
	pthread_mutex_lock(&proc_lock);
	LIST_FOREACH(q, &procs, link) {
		const struct proc_xmap *x;

		if (a < q->base + q->npages * q->page && q->base < a + len) {
			hit = true;
			break;
		}
		LIST_FOREACH(x, &q->xmaps, link)
			if (a < x->uva + x->len && x->uva < a + len)
				hit = true;
		if (hit)
			break;
	}
	pthread_mutex_unlock(&proc_lock);
	return hit;
}

/* A thread's process may have been destroyed, or its machine shut down. */
struct proc *
proc_current(void)
{
	struct proc *q;

	if (proc_cur == NULL)
		return NULL;
	pthread_mutex_lock(&proc_lock);
	LIST_FOREACH(q, &procs, link)
		if (q == proc_cur)
			break;
	pthread_mutex_unlock(&proc_lock);
	return q;
}

static uint64_t
kva_pfn(const void *kva)
{
	uint64_t pa;

	VERIFY(vm_vtop(kva, &pa) == 0);
	return pa >> machine->pshift;
}

/* Give back p's memory; its structure stays. */
static void
proc_strip(struct proc *p)
{
	for (size_t i = 0; i < p->npages; i++)
		if (p->pg[i] != NULL)
			kmem_free_checked(p->pg[i], p->page, KK_PROC,
			    "ddisim_proc_destroy", NULL);
	munmap(p->base, p->npages * p->page);
	free(p->pg);
	p->pg = NULL;
	p->npages = 0;
	free(p->iob);
	p->iob = NULL;
}

static void
proc_release(struct proc *p)
{
	proc_strip(p);
	proc_xmaps_free(p);
	p->magic = 0;
	free(p);
}

/* The process, live or dead, that pref names, or NULL. */
static struct proc *
proc_find_locked(const void *pref)
{
	struct proc *q;

	LIST_FOREACH(q, &procs, link)
		if (q == pref)
			return q;
	LIST_FOREACH(q, &zombies, link)
		if (q == pref)
			return q;
	return NULL;
}

struct proc *_Atomic *
proc_cur_slot(void)
{
	return &proc_cur;
}

struct proc *
proc_hold(const void *caller)
{
	struct proc *p, *cur = proc_cur;

	if (cur == NULL)
		return NULL;
	pthread_mutex_lock(&proc_lock);
	LIST_FOREACH(p, &procs, link)
		if (p == cur) {
			p->refs++;
			p->ref_caller = caller;
			break;
		}
	pthread_mutex_unlock(&proc_lock);
	return p;
}

int
proc_rele(const void *pref, const char *func, const void *caller)
{
	struct proc *p, *gone = NULL;
	int rc = 0;

	pthread_mutex_lock(&proc_lock);
	if ((p = proc_find_locked(pref)) == NULL || p->refs == 0)
		rc = -1;
	else if (--p->refs == 0 && p->magic == PROC_DEAD) {
		LIST_REMOVE(p, link);
		gone = p;
	}
	pthread_mutex_unlock(&proc_lock);
	if (rc != 0)
		verify_report(func, caller, p == NULL ? "%p is not a process "
		    "reference" : "process %p is not referenced (more "
		    "proc_unref calls than proc_ref calls)", pref);
	if (gone != NULL) {
		gone->magic = 0;
		free(gone);
	}
	return rc;
}

int
proc_alive(const void *pref, const char *func, const void *caller)
{
	struct proc *p;
	int rc;

	pthread_mutex_lock(&proc_lock);
	p = proc_find_locked(pref);
	rc = p == NULL ? -1 : p->magic == PROC_LIVE;
	pthread_mutex_unlock(&proc_lock);
	if (rc < 0)
		verify_report(func, caller, "%p is not a process reference",
		    pref);
	return rc;
}

int
proc_post(const void *pref, int sig, const char *func, const void *caller)
{
	struct proc *p;
	int rc;

	pthread_mutex_lock(&proc_lock);
	if ((p = proc_find_locked(pref)) == NULL)
		rc = -1;
	else if (p->magic == PROC_LIVE) {
		p->sigs |= UINT64_C(1) << sig;
		rc = 1;
	} else
		rc = 0;
	pthread_mutex_unlock(&proc_lock);
	if (rc < 0)
		verify_report(func, caller, "%p is not a process reference",
		    pref);
	return rc;
}

#define IOB_BYTES	(65536 / 8)

/* p, if it is a live process; proc_lock held. */
static struct proc *
proc_live_locked(struct proc *p)
{
	struct proc *q;

	LIST_FOREACH(q, &procs, link)
		if (q == p)
			return q;
	return NULL;
}

int
proc_iob_set(struct proc *p, const uint16_t *ports, bool enable)
{
	int rc = 0;

	pthread_mutex_lock(&proc_lock);
	if (proc_live_locked(p) == NULL)
		rc = EINVAL;
	else if (p->iob == NULL && enable &&
	    (p->iob = calloc(1, IOB_BYTES)) == NULL)
		rc = ENOMEM;
	else if (p->iob != NULL)
		for (; *ports != 0; ports++) {
			if (enable)
				p->iob[*ports / 8] |= (uint8_t)(1u <<
				    (*ports % 8));
			else
				p->iob[*ports / 8] &= (uint8_t)~(1u <<
				    (*ports % 8));
		}
	pthread_mutex_unlock(&proc_lock);
	return rc;
}

bool
proc_iob_check(struct proc *p, const uint16_t *ports)
{
	bool all = true;

	pthread_mutex_lock(&proc_lock);
	if (proc_live_locked(p) == NULL || p->iob == NULL)
		all = false;
	else
		for (; *ports != 0 && all; ports++)
			all = (p->iob[*ports / 8] >> (*ports % 8)) & 1;
	pthread_mutex_unlock(&proc_lock);
	return all;
}

bool
proc_iob_range(struct proc *p, unsigned port, unsigned width)
{
	bool all = true;

	pthread_mutex_lock(&proc_lock);
	if (proc_live_locked(p) == NULL || p->iob == NULL)
		all = false;
	else
		for (unsigned i = port; i < port + width && all; i++)
			all = i < 65536 && ((p->iob[i / 8] >> (i % 8)) & 1);
	pthread_mutex_unlock(&proc_lock);
	return all;
}

static void
proc_leak_line(FILE *f, const struct proc *p)
{
	char who[128];

	verify_symbolize(p->ref_caller, who, sizeof(who));
	fprintf(f, "ddicompat: leak: proc_ref: %u reference%s to %s process "
	    "%p, the latest taken by %s\n", p->refs, p->refs == 1 ? "" : "s",
	    p->magic == PROC_LIVE ? "live" : "exited", (const void *)p, who);
}

size_t
proc_leak_report(FILE *f)
{
	struct proc *p;
	size_t n = 0;

	/* a reference does not say who took it: not one driver's */
	if (!verify_leak_mine(NULL))
		return 0;
	pthread_mutex_lock(&proc_lock);
	LIST_FOREACH(p, &procs, link)
		if (p->refs > 0) {
			if (f != NULL)
				proc_leak_line(f, p);
			n += p->refs;
		}
	LIST_FOREACH(p, &zombies, link) {
		if (f != NULL)
			proc_leak_line(f, p);
		n += p->refs;
	}
	pthread_mutex_unlock(&proc_lock);
	if (n > 0 && f != NULL)
		fprintf(f, "ddicompat: %zu process reference%s still held at "
		    "shutdown\n", n, n == 1 ? "" : "s");
	return n;
}

DDI_ENTRY(struct proc *, ddisim_proc_create, (size_t bytes, uint64_t below),
    (bytes, below))
{
	struct kcons c = { .high = below != 0 ? below : UINT64_MAX,
	    .contig = true };
	struct proc *p;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	p->page = machine->spec.page;
	c.align = p->page;
	p->npages = bytes == 0 ? 1 : (bytes + p->page - 1) / p->page;
	p->base = mmap(NULL, p->npages * p->page, PROT_NONE, MAP_PRIVATE |
	    MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p->base == MAP_FAILED ||
	    (p->pg = calloc(p->npages, sizeof(*p->pg))) == NULL) {
		if (p->base != MAP_FAILED)
			munmap(p->base, p->npages * p->page);
		free(p);
		return NULL;
	}
	for (size_t i = 0; i < p->npages; i++)
		if ((p->pg[i] = kmem_alloc_cons(p->page, &c, KM_NOSLEEP,
		    KA_ZERO, KK_PROC, "ddisim_proc_create", DDI_CALLER)) ==
		    NULL) {
			proc_release(p);
			return NULL;
		}
	vm_scatter(p->pg, p->npages, proc_draws++, kva_pfn);
	p->cred.cr_ref = 1;		/* user and groups 0: privileged */
	p->magic = PROC_LIVE;
	pthread_mutex_lock(&proc_lock);
	LIST_INSERT_HEAD(&procs, p, link);
	pthread_mutex_unlock(&proc_lock);
	return p;
}

/*
 * A referenced process becomes a zombie, and holds one more reference of
 * its own while its memory goes, so that the driver's last proc_unref
 * cannot free it under us.
 */
DDI_ENTRY_VOID(ddisim_proc_destroy, (struct proc *p), (p))
{
	bool held;

	if (p == NULL || !proc_live(p, DDI_FUNC, DDI_CALLER))
		return;
	pthread_mutex_lock(&proc_lock);
	LIST_REMOVE(p, link);
	if ((held = p->refs > 0)) {
		p->magic = PROC_DEAD;
		p->refs++;
		LIST_INSERT_HEAD(&zombies, p, link);
	}
	pthread_mutex_unlock(&proc_lock);
	if (proc_cur == p)
		proc_cur = NULL;
	if (!held) {
		proc_release(p);
		return;
	}
	proc_strip(p);
	pthread_mutex_lock(&proc_lock);
	if (--p->refs == 0)
		LIST_REMOVE(p, link);
	else
		p = NULL;
	pthread_mutex_unlock(&proc_lock);
	if (p != NULL) {
		p->magic = 0;
		free(p);
	}
}

/* The signals posted to p since the last call (bit n: signal n). */
DDI_ENTRY(uint64_t, ddisim_proc_signals, (struct proc *p), (p))
{
	uint64_t s;

	if (!proc_live(p, DDI_FUNC, DDI_CALLER))
		return 0;
	pthread_mutex_lock(&proc_lock);
	s = p->sigs;
	p->sigs = 0;
	pthread_mutex_unlock(&proc_lock);
	return s;
}

DDI_ENTRY(void *, ddisim_proc_base, (struct proc *p), (p))
{
	return proc_live(p, DDI_FUNC, DDI_CALLER) ? p->base : NULL;
}

DDI_ENTRY(size_t, ddisim_proc_size, (struct proc *p), (p))
{
	return proc_live(p, DDI_FUNC, DDI_CALLER) ? p->npages * p->page : 0;
}

int
proc_copy(struct proc *p, uint8_t *u, uint8_t *host, size_t len, bool in)
{
	size_t off;

	if (u < p->base || len > p->npages * p->page ||
	    (size_t)(u - p->base) > p->npages * p->page - len) {
		bool mapped;

		/* a driver's mapping: the memory is right there */
		pthread_mutex_lock(&proc_lock);
		mapped = proc_xmap_of(p, u, len) != NULL;
		pthread_mutex_unlock(&proc_lock);
		if (!mapped)
			return EFAULT;
		if (len == 0)
			return 0;
		if (in)
			memcpy(host, u, len);
		else
			memcpy(u, host, len);
		return 0;
	}
	off = (size_t)(u - p->base);
	while (len > 0) {
		size_t chunk = p->page - off % p->page;
		uint8_t *k = (uint8_t *)p->pg[off / p->page] + off % p->page;

		if (chunk > len)
			chunk = len;
		if (in)
			memcpy(host, k, chunk);
		else
			memcpy(k, host, chunk);
		host += chunk;
		off += chunk;
		len -= chunk;
	}
	return 0;
}

DDI_ENTRY(int, ddisim_proc_write, (struct proc *p, void *uaddr, const void *src,
    size_t len), (p, uaddr, src, len))
{
	if (!proc_live(p, DDI_FUNC, DDI_CALLER))
		return EINVAL;
	return proc_copy(p, uaddr, (uint8_t *)(uintptr_t)src, len, false);
}

DDI_ENTRY(int, ddisim_proc_read, (struct proc *p, const void *uaddr, void *dst,
    size_t len), (p, uaddr, dst, len))
{
	if (!proc_live(p, DDI_FUNC, DDI_CALLER))
		return EINVAL;
	return proc_copy(p, (uint8_t *)(uintptr_t)uaddr, dst, len, true);
}

/* The calling thread runs in p from now on (NULL: in none). */
DDI_ENTRY_VOID(ddisim_proc_enter, (struct proc *p), (p))
{
	if (p != NULL && !proc_live(p, DDI_FUNC, DDI_CALLER))
		return;
	proc_cur = p;
}

/* The system's credentials: user and group 0, never changed. */
static cred_t proc_syscred = { 1, 0, 0, 0, 0, 0, 0, 0, { 0 } };

struct cred *
proc_cred(struct proc *p)
{
	return p != NULL ? &p->cred : &proc_syscred;
}

/*
 * The user p runs as: the effective, real and saved user IDs of its
 * credentials, which drv_priv(9) tests.  Not to be called while a driver
 * may read them.
 */
DDI_ENTRY(int, ddisim_proc_setuid, (struct proc *p, unsigned uid), (p, uid))
{
	if (!proc_live(p, DDI_FUNC, DDI_CALLER))
		return EINVAL;
	p->cred.cr_uid = p->cred.cr_ruid = p->cred.cr_suid = (uid_t)uid;
	return 0;
}

/*
 * Shutdown: processes still alive are reported as leaks by kmem, and
 * references still held by proc_leak_report, before this.
 */
void
proc_fini(void)
{
	struct proc *p;

	pthread_mutex_lock(&proc_lock);
	while ((p = LIST_FIRST(&procs)) != NULL) {
		LIST_REMOVE(p, link);
		p->magic = 0;
		munmap(p->base, p->npages * p->page);
		free(p->pg);
		free(p->iob);
		proc_xmaps_free(p);
		free(p);
	}
	while ((p = LIST_FIRST(&zombies)) != NULL) {
		LIST_REMOVE(p, link);
		p->magic = 0;
		proc_xmaps_free(p);
		free(p);
	}
	proc_draws = 0;
	pthread_mutex_unlock(&proc_lock);
	proc_cur = NULL;
}
