/*
 * explain.c - why a physical-memory request failed (ddisim_explain(3)).
 *
 * Off by default.  When on, every request of the kmem_alloc family that
 * fails (and what allocates through it: STREAMS buffers, DMA buffers,
 * breakup pools) says which constraint could not be met and, when memory
 * was short, the largest free run that meets the request's window,
 * alignment and boundary.  The search behind that runs only when a
 * request has failed and explanations are on; it reads the free-page
 * bitmap without the allocator's lock, so under concurrent allocation it
 * is a snapshot.
 */
#include "config.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "kmem/kmem.h"
#include "machine/machine.h"
#include "palloc/palloc.h"
#include "verify/verify.h"

DDI_READ_MOSTLY _Atomic int kmem_explain_mode;
static __thread char kmem_explain_text[VERIFY_REPORT_MAX];

/* "64 KiB", "16 MiB", "4097 bytes": bytes as a driver writes them. */
static void
explain_bytes(char *buf, size_t len, uint64_t b)
{
	static const char *const unit[] = { "KiB", "MiB", "GiB", "TiB" };
	int u = -1;

	while (b >= 1024 && (b & 1023) == 0 && u < 3) {
		b >>= 10;
		u++;
	}
	if (u < 0)
		snprintf(buf, len, "%" PRIu64 " bytes", b);
	else
		snprintf(buf, len, "%" PRIu64 " %s", b, unit[u]);
}

/* The largest free run, in pages, that meets c; its first page. */
static uint64_t
explain_largest(const struct kcons *c, uint64_t *pfnp)
{
	uint64_t page = machine->spec.page;
	uint64_t hi = c->high >> machine->pshift, lo = 0, top, pfn;
	uint64_t align = c->align > page ? c->align / page : 1;
	uint64_t bnd = c->boundary >= page ? c->boundary / page : 0;

	if (hi > machine->npfn)
		hi = machine->npfn;
	top = bnd != 0 && bnd < hi ? bnd : hi;
	*pfnp = 0;
	/* A run of n pages that meets c holds one of n - 1 that does. */
	while (lo < top) {
		uint64_t mid = lo + (top - lo + 1) / 2;

		if (palloc_find_run(1, hi, mid, align, bnd, &pfn)) {
			lo = mid;
			*pfnp = pfn;
		} else {
			top = mid - 1;
		}
	}
	return lo;
}

const char *
kmem_explain_last(void)
{
	return kmem_explain_text;
}

/* "FUNC: SIZE bytes, align A, boundary B, below W, contiguous" */
static void
explain_head(char *head, size_t len, const char *func, size_t size,
    const struct kcons *c)
{
	char b[32], w[32];

	explain_bytes(b, sizeof(b), c->boundary);
	explain_bytes(w, sizeof(w), c->high);
	snprintf(head, len, "%s: %zu bytes, align %" PRIu64 "%s%s%s%s%s",
	    func, size, c->align, c->boundary != 0 ? ", boundary " : "",
	    c->boundary != 0 ? b : "", c->high < machine->top ? ", below " :
	    "", c->high < machine->top ? w : "", c->contig ?
	    ", contiguous" : "");
}

static void
explain_out(void)
{
	if (atomic_load(&kmem_explain_mode) == 1)
		fprintf(stderr, "ddicompat: explain: %s\n", kmem_explain_text);
}

void
kmem_explain_why(const char *func, size_t size, const struct kcons *c,
    const char *fmt, ...)
{
	char head[160], why[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	explain_head(head, sizeof(head), func, size, c);
	snprintf(kmem_explain_text, sizeof(kmem_explain_text), "%s: %s", head,
	    why);
	explain_out();
}

void
kmem_explain_say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(kmem_explain_text, sizeof(kmem_explain_text), fmt, ap);
	va_end(ap);
	explain_out();
}

void
kmem_explain_slow(const char *func, size_t size, const struct kcons *c,
    enum kmem_why why)
{
	char head[160];
	char *t = kmem_explain_text;
	size_t len = sizeof(kmem_explain_text);
	uint64_t run, pfn;

	explain_head(head, sizeof(head), func, size, c);
	switch (why) {
	case KW_BOUNDARY:
		snprintf(t, len, "%s: the size is larger than the boundary",
		    head);
		break;
	case KW_TOO_LARGE:
		snprintf(t, len, "%s: the size is larger than any machine's "
		    "memory", head);
		break;
	case KW_INJECTED:
		snprintf(t, len, "%s: the failrate key made this KM_NOSLEEP "
		    "request fail", head);
		break;
	case KW_NO_MEMORY:
	case KW_SLEEPLIMIT:
		run = explain_largest(c, &pfn);
		if (run == 0) {
			snprintf(t, len, "%s: no free page meets the request%s",
			    head, why == KW_SLEEPLIMIT ?
			    " (after waiting the sleeplimit)" : "");
			break;
		}
		snprintf(t, len, "%s: no free run of %zu bytes meets the "
		    "request%s; the largest conforming run is %" PRIu64
		    " bytes at %#" PRIx64, head, size, why == KW_SLEEPLIMIT ?
		    " (after waiting the sleeplimit)" : "",
		    run << machine->pshift, pfn << machine->pshift);
		break;
	}
	explain_out();
}
