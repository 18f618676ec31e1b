/*
 * vm.c - the alias window and address translation.
 *
 * The window is one PROT_NONE reservation.  vm_lock guards the window's
 * page bitmap (0 = in use by an alias or its guard page) and alias
 * creation; the page table vm_pt (window page -> pfn, 0 = unmapped) is
 * written under vm_lock and read without it, by vtop: a translation of an
 * alias that is being torn down concurrently is the caller's race, as it
 * would be in a kernel.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "util/forklock.h"
#include "machine/machine.h"
#include "util/bitmap.h"
#include "verify/verify.h"
#include "vm/vm.h"

static FORK_MUTEX(vm_lock);
static uint8_t *win;			/* alias window base */
static uint64_t win_pages;
static uint64_t *win_bm;		/* [win_pages / 64], 1 = free */
static uint32_t *vm_pt;			/* [win_pages] pfn, 0 = none */
static uint32_t *vm_len;		/* [win_pages] alias length at start */
static size_t win_bm_len, vm_pt_len;
static uint64_t win_cursor;		/* next-fit start */
static size_t nalias, nvmas, vma_budget;

static void *
vm_anon(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE |
	    MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static size_t
vm_read_max_map_count(void)
{
	FILE *f = fopen("/proc/sys/vm/max_map_count", "r");
	unsigned long v = 65530;

	if (f != NULL) {
		if (fscanf(f, "%lu", &v) != 1)
			v = 65530;
		fclose(f);
	}
	return (size_t)v;
}

/* In the fork child: map every alias run from the new memfd. */
static void
vm_remap(int fd)
{
	unsigned shift = machine->pshift;

	for (uint64_t i = 0; i < win_pages;) {
		uint64_t s = bitmap_next(win_bm, i, win_pages, false), n;

		if (s >= win_pages)
			break;
		n = vm_len[s];
		for (uint64_t k = 0; k < n;) {
			uint64_t run = 1;

			while (k + run < n &&
			    vm_pt[s + k + run] == vm_pt[s + k] + run)
				run++;
			VERIFY(mmap(win + ((s + k) << shift), run << shift,
			    PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd,
			    (off_t)((uint64_t)vm_pt[s + k] << shift)) !=
			    MAP_FAILED);
			k += run;
		}
		i = s + n + 1;		/* past the guard page */
	}
}

static pthread_once_t vm_once = PTHREAD_ONCE_INIT;

static void
vm_once_init(void)
{
	machine_remap_register(vm_remap);
}

int
vm_init(void)
{
	size_t len;

	pthread_once(&vm_once, vm_once_init);
	/* Room for every page of RAM aliased once, plus guards. */
	win_pages = 2 * machine->npfn + 1024;
	len = (size_t)(win_pages << machine->pshift);
	win = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS |
	    MAP_NORESERVE, -1, 0);
	if (win == MAP_FAILED) {
		win = NULL;
		return ENOMEM;
	}
	win_bm_len = (size_t)((win_pages + 63) / 64) * 8;
	vm_pt_len = (size_t)win_pages * sizeof(uint32_t);
	win_bm = vm_anon(win_bm_len);
	vm_pt = vm_anon(vm_pt_len);
	vm_len = vm_anon(vm_pt_len);
	if (win_bm == NULL || vm_pt == NULL || vm_len == NULL) {
		vm_fini();
		return ENOMEM;
	}
	bitmap_fill(win_bm, 0, win_pages, true);
	win_cursor = 0;
	nalias = 0;
	nvmas = 0;
	vma_budget = machine->spec.maps != 0 ? machine->spec.maps :
	    vm_read_max_map_count() / 2;
	return 0;
}

void
vm_fini(void)
{
	if (win != NULL)
		munmap(win, (size_t)(win_pages << machine->pshift));
	if (win_bm != NULL)
		munmap(win_bm, win_bm_len);
	if (vm_pt != NULL)
		munmap(vm_pt, vm_pt_len);
	if (vm_len != NULL)
		munmap(vm_len, vm_pt_len);
	win = NULL;
	win_bm = NULL;
	vm_pt = NULL;
	vm_len = NULL;
}

/* Put [s, s+n) of the window back to PROT_NONE reserved space. */
static void
vm_unreserve(uint64_t s, uint64_t n)
{
	unsigned shift = machine->pshift;

	VERIFY(mmap(win + (s << shift), n << shift, PROT_NONE, MAP_PRIVATE |
	    MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0) != MAP_FAILED);
}

/*
 * Map runs back to back in the window.  Returns 0, or ENOMEM when the
 * window or the mapping budget is exhausted (the caller treats it as a
 * memory shortage).  Each alias is followed by an unmapped guard page.
 */
int
vm_alias_map(const struct vm_run *runs, unsigned nruns, void **vap)
{
	unsigned shift = machine->pshift;
	uint64_t n = 0, s, off = 0;

	*vap = NULL;
	for (unsigned i = 0; i < nruns; i++)
		n += runs[i].npages;
	pthread_mutex_lock(&vm_lock);
	if (nvmas + nruns + 1 > vma_budget ||
	    (!bitmap_find_run(win_bm, win_cursor, win_pages, n + 1, 1, 0, &s) &&
	    !bitmap_find_run(win_bm, 0, win_pages, n + 1, 1, 0, &s))) {
		pthread_mutex_unlock(&vm_lock);
		return ENOMEM;
	}
	for (unsigned i = 0; i < nruns; i++) {
		if (mmap(win + ((s + off) << shift), runs[i].npages << shift,
		    PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
		    machine->memfd, (off_t)(runs[i].pfn << shift)) ==
		    MAP_FAILED) {
			if (off > 0) {
				vm_unreserve(s, off);
				memset(&vm_pt[s], 0, (size_t)off *
				    sizeof(uint32_t));
			}
			pthread_mutex_unlock(&vm_lock);
			return ENOMEM;
		}
		for (uint64_t k = 0; k < runs[i].npages; k++)
			vm_pt[s + off + k] = (uint32_t)(runs[i].pfn + k);
		off += runs[i].npages;
	}
	bitmap_fill(win_bm, s, n + 1, false);
	vm_len[s] = (uint32_t)n;
	win_cursor = s + n + 1;
	nalias++;
	nvmas += nruns + 1;
	pthread_mutex_unlock(&vm_lock);
	*vap = win + (s << shift);
	return 0;
}

void
vm_alias_unmap(void *va)
{
	uint64_t s = (uint64_t)((uint8_t *)va - win) >> machine->pshift;
	uint64_t n, nruns = 1;

	pthread_mutex_lock(&vm_lock);
	n = vm_len[s];
	VERIFY(n > 0);
	for (uint64_t k = 1; k < n; k++)
		if (vm_pt[s + k] != vm_pt[s + k - 1] + 1)
			nruns++;
	vm_unreserve(s, n);
	memset(&vm_pt[s], 0, (size_t)n * sizeof(uint32_t));
	vm_len[s] = 0;
	bitmap_fill(win_bm, s, n + 1, true);
	nalias--;
	nvmas -= nruns + 1;
	pthread_mutex_unlock(&vm_lock);
}

bool
vm_is_alias(const void *va)
{
	const uint8_t *p = va;

	return win != NULL && p >= win &&
	    p < win + (win_pages << machine->pshift);
}

size_t
vm_alias_count(void)
{
	return nalias;
}

size_t
vm_alias_vmas(void)
{
	return nvmas;
}


int
vm_vtop(const void *va, uint64_t *pa)
{
	const uint8_t *p = va;
	unsigned shift;

	*pa = 0;
	if (machine == NULL)
		return EFAULT;
	shift = machine->pshift;
	if (vm_in_dmap(p)) {
		uint64_t a = (uint64_t)(p - machine->dmap);

		if (machine_seg_of(a >> shift) < 0)
			return EFAULT;	/* a hole */
		*pa = a;
		return 0;
	}
	if (vm_is_alias(p)) {
		uint64_t off = (uint64_t)(p - win);
		uint32_t pfn = vm_pt[off >> shift];

		if (pfn == 0)
			return EFAULT;
		*pa = ((uint64_t)pfn << shift) | (off & ((1u << shift) - 1));
		return 0;
	}
	return EFAULT;
}

void *
vm_ptov(uint64_t pa)
{
	if (machine == NULL || pa >= machine->top ||
	    machine_seg_of(pa >> machine->pshift) < 0)
		return NULL;
	return machine->dmap + pa;
}

size_t
vm_segments(const void *va, size_t len, uint64_t *pa, size_t *plen,
    size_t max)
{
	const uint8_t *p = va;
	size_t n = 0, pg = (size_t)1 << machine->pshift;

	while (len > 0) {
		uint64_t a;
		size_t chunk = pg - ((uintptr_t)p & (pg - 1));

		if (chunk > len)
			chunk = len;
		if (vm_vtop(p, &a) != 0)
			return n;
		if (n > 0 && pa[n - 1] + plen[n - 1] == a) {
			plen[n - 1] += chunk;
		} else {
			if (n == max)
				return n + 1;	/* more than max */
			pa[n] = a;
			plen[n] = chunk;
			n++;
		}
		p += chunk;
		len -= chunk;
	}
	return n;
}

static uint64_t
splitmix(uint64_t *z)
{
	uint64_t r;

	*z += UINT64_C(0x9e3779b97f4a7c15);
	r = (*z ^ (*z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	r = (r ^ (r >> 27)) * UINT64_C(0x94d049bb133111eb);
	return r ^ (r >> 31);
}

void
vm_scatter(void **v, size_t n, uint64_t draw, uint64_t (*pfn)(const void *))
{
	uint64_t z = machine->spec.seed ^ (draw * UINT64_C(0xd1b54a32d192ed03));

	for (int attempt = 0; attempt < 32; attempt++) {
		size_t i;

		for (i = n; i > 1; i--) {
			size_t j = (size_t)(splitmix(&z) % i);
			void *t = v[i - 1];

			v[i - 1] = v[j];
			v[j] = t;
		}
		for (i = 1; i < n; i++)
			if (pfn(v[i]) == pfn(v[i - 1]) + 1)
				break;
		if (i >= n)
			return;
	}
}
