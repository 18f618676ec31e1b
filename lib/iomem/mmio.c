/*
 * mmio.c - register windows and device memory of simulated devices
 * (ddisim_mmio(3)).
 *
 * Real drivers reach a mapped register with a plain load or store through
 * a volatile pointer; nothing but the hardware sees it happen.  Here the
 * window is host memory the driver's pointer addresses directly, and the
 * model learns of the driver's accesses at the doorbell: every DDI entry
 * (and ddisim_mmio_sync) compares each register with the value last
 * published, hands a changed one to the model's write callback, then
 * publishes what each readable register now reads.  A store to a byte no
 * register covers, or to a read-only register, is reported against the
 * driver code that made the DDI call following it and undone.  The
 * trade-off against trapping every access is in ddicompat(7).
 *
 * Guard pages without access surround every window, so an access beyond
 * its end stops the driver at the faulting instruction.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/queue.h>
#include <unistd.h>

#include "util/forklock.h"
#include "machine/entry.h"
#include "machine/machine.h"
#include "verify/verify.h"
#include "iomem/iomem.h"

#include "ddicompat/mmio.h"

struct ddisim_mmio {
	LIST_ENTRY(ddisim_mmio) link;
	uint64_t	base, len;
	int		fd;		/* the store; every mapping shares it */
	uint8_t		*mem;		/* the model's view of it */
	uint8_t		*shadow;	/* what was published last */
	void		*resv;		/* mem with its guard pages */
	size_t		resv_len;
	struct ddisim_mmio_reg *regs;
	unsigned	nregs;
	unsigned	flags;
	void		*arg;
	char		name[32];
	unsigned	maps;		/* live mappings of it */
	uint32_t	magic;
	pthread_mutex_t	ring;		/* held by the thread ringing it */
	struct ddisim_mmio *ring_next;	/* that thread's list */
};
#define MMIO_LIVE	0x6d6d696f

/*
 * The doorbell reads and writes window memory that driver threads load
 * and store without any lock, as they would a device's: not a race the
 * thread sanitizer should report against the library.
 */
#if defined(__SANITIZE_THREAD__)
#define MMIO_UNRACED	__attribute__((no_sanitize("thread")))
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define MMIO_UNRACED	__attribute__((no_sanitize("thread")))
#endif
#endif
#ifndef MMIO_UNRACED
#define MMIO_UNRACED
#endif

static FORK_MUTEX(mmio_lock);
static LIST_HEAD(, ddisim_mmio) mmio_wins = LIST_HEAD_INITIALIZER(mmio_wins);
static DDI_TLS bool mmio_ringing;	/* the model's callbacks are running */
static DDI_TLS const void *mmio_caller;	/* the DDI call ringing */

static MMIO_UNRACED uint32_t
mmio_load(const uint8_t *p, unsigned width)
{
	switch (width) {
	case 1:
		return *(const volatile uint8_t *)p;
	case 2:
		return *(const volatile uint16_t *)(const void *)p;
	default:
		return *(const volatile uint32_t *)(const void *)p;
	}
}

static MMIO_UNRACED void
mmio_store(uint8_t *p, unsigned width, uint32_t v)
{
	switch (width) {
	case 1:
		*(volatile uint8_t *)p = (uint8_t)v;
		break;
	case 2:
		*(volatile uint16_t *)(void *)p = (uint16_t)v;
		break;
	default:
		*(volatile uint32_t *)(void *)p = v;
		break;
	}
}

/* Whether byte off of w belongs to a register. */
static bool
mmio_covered(const struct ddisim_mmio *w, uint64_t off)
{
	for (unsigned i = 0; i < w->nregs; i++)
		if (off >= w->regs[i].off &&
		    off < (uint64_t)w->regs[i].off + w->regs[i].width)
			return true;
	return false;
}

/* Publish what every readable register reads now. */
static MMIO_UNRACED void
mmio_publish(struct ddisim_mmio *w)
{
	for (unsigned i = 0; i < w->nregs; i++) {
		const struct ddisim_mmio_reg *r = &w->regs[i];
		uint32_t v;

		if (r->read == NULL)
			continue;
		v = r->read(w->arg, r->off);
		mmio_store(w->mem + r->off, r->width, v);
		mmio_store(w->shadow + r->off, r->width, v);
	}
}

/* The doorbell for one window, under mmio_lock. */
static MMIO_UNRACED void
mmio_ring_win(struct ddisim_mmio *w, const char *fn, const void *caller)
{
	for (unsigned i = 0; i < w->nregs; i++) {
		const struct ddisim_mmio_reg *r = &w->regs[i];
		uint32_t now = mmio_load(w->mem + r->off, r->width);
		uint32_t was = mmio_load(w->shadow + r->off, r->width);

		if (now == was)
			continue;
		if (r->write == NULL) {
			verify_report(fn, caller, "a store of %#x to %s's "
			    "read-only register %s (offset %#x) before this "
			    "call", now, w->name, r->name, r->off);
			mmio_store(w->mem + r->off, r->width, was);
			continue;
		}
		mmio_store(w->shadow + r->off, r->width, now);
		r->write(w->arg, r->off, now);
	}
	if ((w->flags & DDISIM_MMIO_MEMORY) == 0) {
		for (uint64_t off = 0; off < w->len; off++) {
			/* eight unchanged bytes at a time */
			if (off % 8 == 0 && off + 8 <= w->len &&
			    *(const volatile uint64_t *)(const void *)
			    (w->mem + off) ==
			    *(const uint64_t *)(const void *)(w->shadow + off)) {
				off += 7;
				continue;
			}
			if (w->mem[off] == w->shadow[off] ||
			    mmio_covered(w, off))
				continue;
			verify_report(fn, caller, "a store to offset %#llx of "
			    "%s before this call: no register is there",
			    (unsigned long long)off, w->name);
			/* once per window and doorbell; undo them all */
			for (; off < w->len; off++)
				if (!mmio_covered(w, off))
					w->mem[off] = w->shadow[off];
			break;
		}
	}
	mmio_publish(w);
}

/*
 * Ring every window no other thread is ringing: that one delivers the
 * stores made so far.  No lock is held across the models' callbacks but
 * the window's own, which no other thread waits for but its destroyer.
 */
static void
mmio_ring(const char *fn, const void *caller)
{
	struct ddisim_mmio *w, *mine = NULL;

	if (mmio_ringing)
		return;		/* a model's callback calling the DDI */
	pthread_mutex_lock(&mmio_lock);
	LIST_FOREACH(w, &mmio_wins, link)
		if (pthread_mutex_trylock(&w->ring) == 0) {
			w->ring_next = mine;
			mine = w;
		}
	pthread_mutex_unlock(&mmio_lock);
	mmio_ringing = true;
	mmio_caller = caller;
	for (w = mine; w != NULL; w = w->ring_next)
		mmio_ring_win(w, fn, caller);
	mmio_caller = NULL;
	mmio_ringing = false;
	while (mine != NULL) {
		w = mine;
		mine = w->ring_next;
		pthread_mutex_unlock(&w->ring);
	}
}

static bool
mmio_valid(const struct ddisim_mmio *w, const char *func, const void *caller)
{
	const struct ddisim_mmio *x;

	LIST_FOREACH(x, &mmio_wins, link)
		if (x == w && x->magic == MMIO_LIVE)
			return true;
	verify_report(func, caller, "%p is not a window from "
	    "ddisim_mmio_create", (const void *)w);
	return false;
}

/* Why [base, base+len) cannot be a window, or NULL. */
static const char *
mmio_check(uint64_t base, uint64_t len, const struct ddisim_mmio_ops *ops)
{
	uint64_t pmask = machine->spec.page - 1;
	const struct ddisim_mmio *x;

	if (ops == NULL)
		return "NULL ops";
	if (len == 0 || ((base | len) & pmask) != 0)
		return "base and length are not page aligned, or length is 0";
	if (base + len < base || base + len > MACHINE_TOP_MAX)
		return "the range is beyond the physical address space";
	if (ops->nregs > 0 && ops->regs == NULL)
		return "nregs without regs";
	for (unsigned i = 0; i < ops->nregs; i++) {
		const struct ddisim_mmio_reg *r = &ops->regs[i];

		if ((r->width != 1 && r->width != 2 && r->width != 4) ||
		    r->off % r->width != 0 ||
		    (uint64_t)r->off + r->width > len)
			return "a register's width is not 1, 2 or 4, or it is "
			    "misaligned or outside the window";
		for (unsigned j = 0; j < i; j++)
			if (ops->regs[j].off < r->off + r->width &&
			    r->off < ops->regs[j].off + ops->regs[j].width)
				return "two registers overlap";
	}
	for (unsigned i = 0; i < machine->nsegs; i++) {
		uint64_t s = machine->seg[i].spfn << machine->pshift;
		uint64_t e = machine->seg[i].epfn << machine->pshift;

		if (base < e && s < base + len)
			return "the range overlaps RAM";
	}
	LIST_FOREACH(x, &mmio_wins, link)
		if (base < x->base + x->len && x->base < base + len)
			return "the range overlaps another window";
	return NULL;
}

DDI_ENTRY(ddisim_mmio_t *, ddisim_mmio_create, (uint64_t base, uint64_t len,
    const struct ddisim_mmio_ops *ops, void *arg), (base, len, ops, arg))
{
	struct ddisim_mmio *w;
	const char *why;

	if (mmio_ringing) {
		verify_report(DDI_FUNC, DDI_CALLER, "called from a window's "
		    "callback");
		return NULL;
	}
	pthread_mutex_lock(&mmio_lock);
	if ((why = mmio_check(base, len, ops)) != NULL) {
		pthread_mutex_unlock(&mmio_lock);
		verify_report(DDI_FUNC, DDI_CALLER, "%#llx+%#llx: %s",
		    (unsigned long long)base, (unsigned long long)len, why);
		return NULL;
	}
	if ((w = calloc(1, sizeof(*w))) == NULL)
		goto fail;
	w->base = base;
	w->len = len;
	w->nregs = ops->nregs;
	w->flags = ops->flags;
	w->arg = arg;
	snprintf(w->name, sizeof(w->name), "%s", ops->name != NULL ?
	    ops->name : "mmio");
	w->fd = -1;
	if ((w->fd = memfd_create("ddisim-mmio", MFD_CLOEXEC)) < 0 ||
	    ftruncate(w->fd, (off_t)len) != 0 ||
	    (w->mem = iomem_guarded(w->fd, 0, (size_t)len, &w->resv,
	    &w->resv_len)) == NULL ||
	    (w->shadow = calloc(1, (size_t)len)) == NULL ||
	    (ops->nregs > 0 &&
	    (w->regs = calloc(ops->nregs, sizeof(*w->regs))) == NULL))
		goto fail;
	if (ops->nregs > 0)
		memcpy(w->regs, ops->regs, ops->nregs * sizeof(*w->regs));
	for (unsigned i = 0; i < w->nregs; i++)
		if (w->regs[i].name == NULL)
			w->regs[i].name = "?";
	w->magic = MMIO_LIVE;
	pthread_mutex_init(&w->ring, NULL);
	mmio_ringing = true;
	mmio_publish(w);
	mmio_ringing = false;
	LIST_INSERT_HEAD(&mmio_wins, w, link);
	__atomic_store_n(&machine_doorbell, mmio_ring, __ATOMIC_RELEASE);
	machine_entry_update();
	pthread_mutex_unlock(&mmio_lock);
	return w;
fail:
	if (w != NULL) {
		if (w->resv != NULL)
			munmap(w->resv, w->resv_len);
		if (w->fd >= 0)
			close(w->fd);
		free(w->shadow);
		free(w->regs);
		free(w);
	}
	pthread_mutex_unlock(&mmio_lock);
	return NULL;
}

/* Under mmio_lock, which it drops and takes again. */
static void
mmio_free(struct ddisim_mmio *w)
{
	LIST_REMOVE(w, link);
	if (LIST_EMPTY(&mmio_wins)) {
		__atomic_store_n(&machine_doorbell, NULL, __ATOMIC_RELEASE);
		machine_entry_update();
	}
	w->magic = 0;
	pthread_mutex_unlock(&mmio_lock);
	/* a thread still ringing it finishes first */
	pthread_mutex_lock(&w->ring);
	pthread_mutex_unlock(&w->ring);
	pthread_mutex_destroy(&w->ring);
	munmap(w->resv, w->resv_len);
	close(w->fd);
	free(w->shadow);
	free(w->regs);
	free(w);
	pthread_mutex_lock(&mmio_lock);
}

/*
 * Take w's model away: free it, or while it is mapped leave it as inert
 * memory without registers until the mappings (or the machine) go.  The
 * number of its mappings; called with mmio_lock held, which it drops.
 */
static unsigned
mmio_release(struct ddisim_mmio *w)
{
	unsigned maps = w->maps;

	if (maps == 0) {
		mmio_free(w);
		pthread_mutex_unlock(&mmio_lock);
		return 0;
	}
	w->magic = 0;
	pthread_mutex_unlock(&mmio_lock);
	pthread_mutex_lock(&w->ring);
	w->nregs = 0;
	w->flags |= DDISIM_MMIO_MEMORY;
	w->arg = NULL;
	pthread_mutex_unlock(&w->ring);
	return maps;
}

void
iomem_window_release(struct ddisim_mmio *w)
{
	pthread_mutex_lock(&mmio_lock);
	(void)mmio_release(w);
}

DDI_ENTRY_VOID(ddisim_mmio_destroy, (ddisim_mmio_t *w), (w))
{
	unsigned maps;

	if (w == NULL)
		return;
	if (mmio_ringing) {
		verify_report(DDI_FUNC, DDI_CALLER, "called from a window's "
		    "callback");
		return;
	}
	pthread_mutex_lock(&mmio_lock);
	if (!mmio_valid(w, DDI_FUNC, DDI_CALLER)) {
		pthread_mutex_unlock(&mmio_lock);
		return;
	}
	if ((maps = mmio_release(w)) != 0)
		verify_report(DDI_FUNC, DDI_CALLER, "%s is still mapped "
		    "%u time(s): it stays as memory without registers "
		    "until they go", w->name, maps);
}

DDI_ENTRY(void *, ddisim_mmio_mem, (ddisim_mmio_t *w, uint64_t *len),
    (w, len))
{
	void *p = NULL;

	pthread_mutex_lock(&mmio_lock);
	if (mmio_valid(w, DDI_FUNC, DDI_CALLER)) {
		p = w->mem;
		if (len != NULL)
			*len = w->len;
	}
	pthread_mutex_unlock(&mmio_lock);
	return p;
}

/* The entry's own doorbell has rung: nothing more to do. */
DDI_ENTRY0_VOID(ddisim_mmio_sync)
{
	(void)DDI_FUNC;
	(void)DDI_CALLER;
}

const void *
iomem_caller(void)
{
	return mmio_caller;
}

/*
 * A shared mapping of len bytes of fd from off, between two pages
 * without access; the reservation in *resv, *resv_len.  NULL on failure.
 */
void *
iomem_guarded(int fd, uint64_t off, size_t len, void **resv,
    size_t *resv_len)
{
	size_t pg = machine->spec.page;
	void *r, *p;

	*resv_len = len + 2 * pg;
	r = mmap(NULL, *resv_len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
	    -1, 0);
	if (r == MAP_FAILED) {
		*resv = NULL;
		return NULL;
	}
	p = mmap((uint8_t *)r + pg, len, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_FIXED, fd, (off_t)off);
	if (p == MAP_FAILED) {
		munmap(r, *resv_len);
		*resv = NULL;
		return NULL;
	}
	*resv = r;
	return p;
}

void *
iomem_window_get(uint64_t pa, uint64_t len, struct ddisim_mmio **wp,
    bool *partial, void **resv, size_t *resv_len)
{
	uint64_t pmask = machine->spec.page - 1;
	struct ddisim_mmio *w;
	void *va = NULL;

	*partial = false;
	*wp = NULL;
	pthread_mutex_lock(&mmio_lock);
	LIST_FOREACH(w, &mmio_wins, link) {
		uint64_t off = pa - w->base, first;
		uint8_t *p;

		if (pa < w->base || pa >= w->base + w->len)
			continue;
		if (len > w->len - off) {
			*partial = true;
			break;
		}
		/* a mapping of its own, of the pages the range touches */
		first = off & ~pmask;
		p = iomem_guarded(w->fd, first,
		    (size_t)(((off + len + pmask) & ~pmask) - first), resv,
		    resv_len);
		if (p == NULL)
			break;
		w->maps++;
		*wp = w;
		va = p + (off - first);
		break;
	}
	pthread_mutex_unlock(&mmio_lock);
	return va;
}

void
iomem_window_put(struct ddisim_mmio *w, void *resv, size_t resv_len)
{
	munmap(resv, resv_len);
	pthread_mutex_lock(&mmio_lock);
	VERIFY(w->maps > 0);
	w->maps--;
	pthread_mutex_unlock(&mmio_lock);
}

/* Windows go with their machine, after the mappings of them. */
void
iomem_fini(void)
{
	iomem_unmap_all();
	pthread_mutex_lock(&mmio_lock);
	while (!LIST_EMPTY(&mmio_wins))
		mmio_free(LIST_FIRST(&mmio_wins));
	pthread_mutex_unlock(&mmio_lock);
}
