/*
 * scgth.c - physical scatter/gather lists of messages: msgscgth and
 * scgth_free (msgscgth(9), scgth(9)).
 *
 * msgscgth works in two phases so that a failure changes nothing: it
 * makes the conforming copies msgphysreq would make and lists the
 * segments of the message as it will be, then, only when the list fits
 * phys_max_scgth and its array could be allocated, puts the copies in
 * place.  Every block with data gives one element per physically
 * contiguous segment; blocks are never merged, so an element never
 * spans two blocks' buffers, and a conforming block's segments already
 * keep to the physreq's alignment and boundary.
 */
#include "config.h"

#include <string.h>

#include "kmem/kmem.h"
#include "machine/entry.h"
#include "machine/machine.h"
#include "streams/streams.h"
#include "verify/verify.h"
#include "vm/vm.h"

#include "sys/stream.h"
#include "sys/scgth.h"

#define SG_MAX		255		/* sg_nelem is a uchar_t */

/*
 * The segments of the message as it will be once the copies are in:
 * at most max, in pa/len.  Returns the count, or max + 1 when more.
 */
static size_t
scgth_collect(const mblk_t *mp, const mblk_t *copies, size_t max,
    uint64_t *pa, size_t *len)
{
	const mblk_t *b, *use;
	size_t n = 0, k, sum;

	for (b = mp; b != NULL; b = b->b_cont) {
		use = b;
		if (copies != NULL && copies->b_prev == b) {
			use = copies;
			copies = copies->b_next;
		}
		if (blen(use) == 0)
			continue;
		k = vm_segments(use->b_rptr, blen(use), pa + n, len + n,
		    max - n);
		if (k > max - n)
			return max + 1;
		/* A conforming block lies in simulated RAM: every page maps. */
		sum = 0;
		for (size_t i = n; i < n + k; i++)
			sum += len[i];
		VERIFY3U(sum, ==, blen(use));
		n += k;
	}
	return n;
}

/* The element array, in memory the device can fetch as one piece. */
static void *
scgth_array(size_t bytes, const struct kcons *dc, const void *caller)
{
	struct kcons c = *dc;

	c.contig = true;
	if (c.align < 8)
		c.align = 8;
	if (c.boundary != 0 && bytes > c.boundary)
		return NULL;
	return kmem_alloc_cons(bytes, &c, KM_NOSLEEP, 0, KK_SCGTH, "msgscgth",
	    caller);
}

/*
 * Fill the element array arr (simulated RAM) from n (pa, len) pairs, in
 * 64-bit elements if wide, and describe it in *sg.  msgscgth and
 * buf_breakup's DDI 8 lists both build theirs here.
 */
void
scgth_fill(scgth_t *sg, void *arr, size_t n, bool wide, const uint64_t *pa,
    const size_t *len)
{
	uint64_t apa;

	VERIFY(vm_vtop(arr, &apa) == 0);
	memset(sg, 0, sizeof(*sg));
	sg->sg_nelem = (uchar_t)n;
	if (wide) {
		scgth_el64_t *e = arr;

		for (size_t i = 0; i < n; i++) {
			e[i].sg_base[0] = (uint32_t)pa[i];
			e[i].sg_base[1] = (uint32_t)(pa[i] >> 32);
			e[i].sg_size = (uint32_t)len[i];
			e[i]._sg_reserved = 0;
		}
		sg->sg_elem.el64 = e;
		sg->sg_el_addr.ea64.sg_base[0] = (uint32_t)apa;
		sg->sg_el_addr.ea64.sg_base[1] = (uint32_t)(apa >> 32);
		sg->sg_el_addr.ea64.sg_size = (uint32_t)(n * sizeof(*e));
		sg->sg_format = SCGTH_EL64;
	} else {
		scgth_el32_t *e = arr;

		for (size_t i = 0; i < n; i++) {
			e[i].sg_base = (uint32_t)pa[i];
			e[i].sg_size = (uint32_t)len[i];
		}
		sg->sg_elem.el32 = e;
		sg->sg_el_addr.ea32.sg_base = (uint32_t)apa;
		sg->sg_el_addr.ea32.sg_size = (uint32_t)(n * sizeof(*e));
		sg->sg_format = SCGTH_EL32;
	}
}

DDI_ENTRY(mblk_t *, msgscgth, (mblk_t *mp, physreq_t *preq, scgth_t *sgp),
    (mp, preq, sgp))
{
	const void *caller = DDI_CALLER;
	uint64_t pa[SG_MAX + 1];
	size_t len[SG_MAX + 1], n, max, esize;
	struct kcons c;
	mblk_t *copies;
	void *arr = NULL;
	bool wide;

	if (!str_msg_ok(mp, DDI_FUNC, caller, NULL) ||
	    !str_physreq_cons(preq, LEVEL_LATEST, &c, DDI_FUNC, caller))
		return NULL;
	if (sgp == NULL) {
		verify_report(DDI_FUNC, caller, "NULL scgth_t");
		return NULL;
	}
	if (preq->phys_dmasize == 0) {
		verify_report(DDI_FUNC, caller, "phys_dmasize is 0: a device "
		    "that does no DMA has no scatter/gather list");
		return NULL;
	}
	/* 0: the device takes no list, only one (address, length) pair. */
	max = preq->phys_max_scgth > 0 ? preq->phys_max_scgth : 1;
	wide = preq->phys_dmasize > 32;
	esize = wide ? sizeof(scgth_el64_t) : sizeof(scgth_el32_t);
	if (!str_conform_copies(mp, &c, &copies, DDI_FUNC, caller))
		return NULL;
	n = scgth_collect(mp, copies, max, pa, len);
	if (n > max || (n > 0 && (arr = scgth_array(n * esize, &c,
	    caller)) == NULL)) {
		str_copies_free(copies);
		return NULL;
	}
	if (copies != NULL) {
		mp = str_conform_commit(mp, copies);
		/* The copies' segments were listed; they have not moved. */
	}
	if (n == 0)
		memset(sgp, 0, sizeof(*sgp));
	else
		scgth_fill(sgp, arr, n, wide, pa, len);
	return mp;
}

/*
 * Release the element array of a list msgscgth (or buf_breakup) made.
 * A list of format 0 has none: nothing happens.
 */
DDI_ENTRY_VOID(scgth_free, (scgth_t *sgp), (sgp))
{
	const void *caller = DDI_CALLER;
	size_t esize;
	void *arr;

	if (sgp == NULL) {
		verify_report(DDI_FUNC, caller, "NULL scgth_t");
		return;
	}
	switch (sgp->sg_format) {
	case SCGTH_NONE:
		return;
	case SCGTH_EL32:
		esize = sizeof(scgth_el32_t);
		arr = sgp->sg_elem.el32;
		break;
	case SCGTH_EL64:
		esize = sizeof(scgth_el64_t);
		arr = sgp->sg_elem.el64;
		break;
	default:
		verify_report(DDI_FUNC, caller, "sg_format %u is not a list "
		    "format", sgp->sg_format);
		return;
	}
	if (sgp->sg_nelem == 0 || arr == NULL) {
		verify_report(DDI_FUNC, caller, "list %p has format %u but no "
		    "elements", (void *)sgp, sgp->sg_format);
		return;
	}
	if (!kmem_live(arr)) {
		verify_report(DDI_FUNC, caller, "list %p: element array %p is "
		    "not allocated (freed twice, or never made by msgscgth)",
		    (void *)sgp, arr);
		return;
	}
	kmem_free_checked(arr, sgp->sg_nelem * esize, KK_SCGTH, DDI_FUNC,
	    caller);
	memset(sgp, 0, sizeof(*sgp));
}
