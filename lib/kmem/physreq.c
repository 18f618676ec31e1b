/*
 * physreq.c - physreq_alloc, physreq_prep, physreq_free.
 *
 * physreq_prep validates the structure and points its private member at an
 * interned record of the prepped values.  Records are shared by every
 * physreq with the same values, live for the life of the process (a static
 * physreq may outlive a machine), and let later users detect a physreq that
 * was never prepped or was changed after prep.
 */
#include "config.h"

#include <pthread.h>
#include <string.h>

#include "kmem/kmem.h"
#include "kmem/kmem_fast.h"
#include "machine/machine.h"
#include "verify/verify.h"

#include "sys/kmem.h"

#define PREQ_HASH	512
static pthread_mutex_t preq_lock = PTHREAD_MUTEX_INITIALIZER;
struct preq_info kmem_preq_info[PREQ_INFOS];	/* preq_lock */
static unsigned preq_ninfo;
static uint16_t preq_hash[PREQ_HASH];	/* index + 1; 0 ends */

static unsigned
preq_hashof(const physreq_t *p)
{
	uint32_t h = p->phys_align * 2654435761u ^ p->phys_boundary * 40503u ^
	    (uint32_t)p->phys_dmasize << 16 ^ (uint32_t)p->phys_max_scgth << 8 ^
	    p->phys_flags;

	return (h ^ (h >> 15)) % PREQ_HASH;
}


static const struct preq_info *
preq_intern(const physreq_t *p)
{
	unsigned h = preq_hashof(p);
	struct preq_info *i = NULL;

	pthread_mutex_lock(&preq_lock);
	for (uint16_t k = preq_hash[h]; k != 0; k = kmem_preq_info[k - 1].next)
		if (preq_same(&kmem_preq_info[k - 1], p)) {
			i = &kmem_preq_info[k - 1];
			break;
		}
	if (i == NULL && preq_ninfo < PREQ_INFOS) {
		i = &kmem_preq_info[preq_ninfo++];
		i->align = p->phys_align;
		i->boundary = p->phys_boundary;
		i->dmasize = p->phys_dmasize;
		i->max_scgth = p->phys_max_scgth;
		i->flags = p->phys_flags;
		i->next = preq_hash[h];
		preq_hash[h] = (uint16_t)preq_ninfo;
	}
	pthread_mutex_unlock(&preq_lock);
	return i;
}

/* Called by kmem_init, under the machine's init lock. */
void
physreq_init(void)
{
	machine_fork_lock_register(&preq_lock);
}

static bool
is_p2(uint64_t x)
{
	return x != 0 && (x & (x - 1)) == 0;
}

DDI_PUBLIC physreq_t *
physreq_alloc(int flags)
{
	static const struct kcons c = { .high = UINT64_MAX, .align = 8 };
	physreq_t *p;

	machine_ensure();
	if (!kmem_flags_ok(flags, KM_NOSLEEP, __func__, DDI_CALLER))
		return NULL;
	p = kmem_alloc_cons(sizeof(*p), &c, flags, KA_ZERO, KK_PHYSREQ_T,
	    __func__, DDI_CALLER);
	if (p != NULL)
		p->phys_align = 1;
	return p;
}

DDI_PUBLIC void
physreq_free(physreq_t *p)
{
	kmem_free_checked(p, sizeof(*p), KK_PHYSREQ_T, __func__, DDI_CALLER);
}

/*
 * Returns B_FALSE for requirements this platform cannot support: an
 * alignment or boundary that is not a power of two, a boundary smaller than
 * the alignment, more than 64 address bits, unknown flags.
 */
DDI_PUBLIC boolean_t
physreq_prep(physreq_t *p, int flags)
{
	const struct preq_info *i;
	paddr_t align;

	if (p == NULL) {
		verify_report(__func__, DDI_CALLER, "NULL physreq");
		return B_FALSE;
	}
	if (!kmem_flags_ok(flags, KM_NOSLEEP, __func__, DDI_CALLER))
		return B_FALSE;
	/* A zero-filled static physreq means "no alignment". */
	align = p->phys_align == 0 ? 1 : p->phys_align;
	if (!is_p2(align) || (p->phys_boundary != 0 &&
	    (!is_p2(p->phys_boundary) || p->phys_boundary < align)) ||
	    p->phys_dmasize > 64 || (p->phys_flags & ~PREQ_PHYSCONTIG) != 0)
		return B_FALSE;
	if ((i = preq_intern(p)) == NULL)
		return B_FALSE;
	p->phys_brkup_poolp = (void *)(uintptr_t)i;
	return B_TRUE;
}

/*
 * The constraint of a prepped physreq, as seen by a caller of the given
 * interface level: DDI <= 7.1 and ODDI callers never get memory at or
 * above 4 GiB.  Reports and fails for an unprepped or changed physreq.
 */
bool
kmem_physreq_cons(const void *vp, unsigned level, struct kcons *c,
    const char *func, const void *caller)
{
	const physreq_t *p = vp;
	const struct preq_info *i;

	if (p == NULL) {
		verify_report(func, caller, "NULL physreq");
		return false;
	}
	i = p->phys_brkup_poolp;
	if (i < &kmem_preq_info[0] || i >= &kmem_preq_info[PREQ_INFOS]) {
		verify_report(func, caller, "physreq %p was never prepped "
		    "(call physreq_prep after filling it in)", vp);
		return false;
	}
	if (!preq_same(i, p)) {
		verify_report(func, caller, "physreq %p was changed after "
		    "physreq_prep (prep it again after every change)", vp);
		return false;
	}
	preq_cons(i, level, c);
	return true;
}
