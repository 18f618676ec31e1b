/*
 * record.c - allocation records: a striped hash for page-level buffers and
 * a shadow map for small objects.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "util/forklock.h"
#include "kmem/pool.h"
#include "kmem/record.h"
#include "machine/machine.h"
#include "verify/verify.h"
#include "vm/vm.h"

#define REC_STRIPES	64
#define REC_BUCKETS	4096

static struct {
	pthread_mutex_t	lock;
	struct krec	*b[REC_BUCKETS / REC_STRIPES];
} rec_tab[REC_STRIPES];
FORK_MUTEX_ARRAY(rec_tab, lock);

_Atomic uint64_t *record_shadow;	/* [top / 8] entries */
DDI_READ_MOSTLY uintptr_t record_shadow_bias;
static size_t shadow_len;

static const char *const kind_name[KK_NKINDS] = {
	"kmem_alloc", "kmem_alloc_physreq", "kmem_alloc_phys",
	"kmem_alloc_physcontig", "physreq_alloc", "getcpages", "sptalloc",
	"allocb", "msgscgth", "getrbuf", "bcb_alloc",
	"ddisim_proc_create", "ddisim_pagelist_create", "rmallocmap",
	"geteblk", "phalloc",
	"ATOMIC_INT_ALLOC", "ddisim_stream_open"
};

const char *
record_kind_name(unsigned kind)
{
	return kind < KK_NKINDS ? kind_name[kind] : "?";
}

static inline unsigned
rec_hash(uintptr_t va)
{
	uint64_t h = (uint64_t)va * UINT64_C(0x9e3779b97f4a7c15);

	return (unsigned)(h >> 52) % REC_BUCKETS;
}

static pthread_once_t rec_once = PTHREAD_ONCE_INIT;

static void
rec_once_init(void)
{
	for (int i = 0; i < REC_STRIPES; i++)
		pthread_mutex_init(&rec_tab[i].lock, NULL);
}

int
record_init(void)
{
	pthread_once(&rec_once, rec_once_init);
	shadow_len = (size_t)(machine->top / 8) * sizeof(uint64_t);
	record_shadow = mmap(NULL, shadow_len, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (record_shadow == MAP_FAILED) {
		record_shadow = NULL;
		return ENOMEM;
	}
	VERIFY(((uintptr_t)machine->dmap & 7) == 0);
	record_shadow_bias = (uintptr_t)record_shadow -
	    ((uintptr_t)machine->dmap >> 3) * sizeof(uint64_t);
	return 0;
}

void
record_fini(void)
{
	for (int i = 0; i < REC_STRIPES; i++)
		for (unsigned j = 0; j < REC_BUCKETS / REC_STRIPES; j++)
			while (rec_tab[i].b[j] != NULL) {
				struct krec *r = rec_tab[i].b[j];

				rec_tab[i].b[j] = r->next;
				free(r);
			}
	if (record_shadow != NULL)
		munmap((void *)record_shadow, shadow_len);
	record_shadow = NULL;
}

void
record_insert(struct krec *r)
{
	unsigned h = rec_hash(r->va);
	unsigned s = h % REC_STRIPES, b = h / REC_STRIPES;

	pthread_mutex_lock(&rec_tab[s].lock);
	r->next = rec_tab[s].b[b];
	rec_tab[s].b[b] = r;
	pthread_mutex_unlock(&rec_tab[s].lock);
}

struct krec *
record_remove(uintptr_t va)
{
	unsigned h = rec_hash(va);
	unsigned s = h % REC_STRIPES, b = h / REC_STRIPES;
	struct krec **pp, *r;

	pthread_mutex_lock(&rec_tab[s].lock);
	for (pp = &rec_tab[s].b[b]; (r = *pp) != NULL; pp = &r->next)
		if (r->va == va) {
			*pp = r->next;
			break;
		}
	pthread_mutex_unlock(&rec_tab[s].lock);
	return r;
}

bool
record_find(uintptr_t va, struct krec *copy)
{
	unsigned h = rec_hash(va);
	unsigned s = h % REC_STRIPES, b = h / REC_STRIPES;
	struct krec *r;

	pthread_mutex_lock(&rec_tab[s].lock);
	for (r = rec_tab[s].b[b]; r != NULL; r = r->next)
		if (r->va == va) {
			*copy = *r;
			break;
		}
	pthread_mutex_unlock(&rec_tab[s].lock);
	return r != NULL;
}

static void
report_line(FILE *f, const char *kind, const void *va, size_t size,
    const void *caller)
{
	char who[128];
	uint64_t pa = 0;

	verify_symbolize(caller, who, sizeof(who));
	(void)vm_vtop(va, &pa);
	fprintf(f, "ddicompat: leak: %s of %zu bytes at %p (pa %#llx), "
	    "allocated by %s\n", kind, size, va, (unsigned long long)pa, who);
}

/*
 * List every live allocation: the records, then the shadow (only pages of
 * it that were ever touched are read: the scan asks mincore which are).
 */
size_t
record_report(FILE *f, size_t *bytes)
{
	size_t n = 0, pg = (size_t)sysconf(_SC_PAGESIZE);

	*bytes = 0;
	for (int i = 0; i < REC_STRIPES; i++) {
		pthread_mutex_lock(&rec_tab[i].lock);
		for (unsigned j = 0; j < REC_BUCKETS / REC_STRIPES; j++)
			for (struct krec *r = rec_tab[i].b[j]; r != NULL;
			    r = r->next) {
				if (!verify_leak_mine(r->caller))
					continue;
				if (f != NULL)
					report_line(f, kind_name[r->kind],
					    (void *)r->va, r->size, r->caller);
				*bytes += r->size;
				n++;
			}
		pthread_mutex_unlock(&rec_tab[i].lock);
	}
	/* One mincore call tells which shadow pages were ever touched. */
	size_t npg = (shadow_len + pg - 1) / pg;
	unsigned char *in = malloc(npg);

	VERIFY(in != NULL);
	if (mincore((void *)record_shadow, shadow_len, in) != 0)
		memset(in, 1, npg);
	for (size_t i = 0; i < npg; i++) {
		const uint64_t *e = (const uint64_t *)((const char *)record_shadow +
		    i * pg);

		if (!(in[i] & 1))
			continue;
		for (size_t k = 0; k < pg / 8; k++) {
			uint64_t v = e[k];
			size_t size;

			if (v == 0 || shadow_is_tag(v) ||
			    !verify_leak_mine((const void *)(uintptr_t)
			    (v & SH_CALLER_MASK)))
				continue;
			size = (size_t)(v >> SH_SIZE_SHIFT);
			if (f != NULL) {
				uint8_t *va = machine->dmap +
				    ((i * pg / 8 + k) << 3);
				const char *what = "small object";

				if (shadow_is_pages(v, machine->spec.page))
					what = record_kind_name((unsigned)
					    (shadow_peek(va + 8) &
					    ~SH_TAG_MASK));
				else if (!(v & SH_ARENA) &&
				    (va = pool_block_in_granule(va)) == NULL)
					va = machine->dmap +
					    ((i * pg / 8 + k) << 3);
				report_line(f, what, va, size,
				    (void *)(uintptr_t)(v & SH_CALLER_MASK));
			}
			*bytes += size;
			n++;
		}
	}
	free(in);
	return n;
}
