/*
 * rmap.c - private space management maps: rmallocmap, rmfreemap,
 * rmalloc, rmalloc_wait, rmfree (rmallocmap(9), rmalloc(9)), and the
 * interface before them, rminit, rmsetwant, rmwant (rminit(9)).
 *
 * A map is an array of struct map (sys/map.h).  The first three entries
 * are the library's:
 *
 *	[0] m_size: fragment slots		m_addr: rmsetwant's count
 *	[1] m_size: magic, tied to the address	m_addr: RM_* flags, and the
 *						rmalloc_wait waiters << 8
 *	[2] m_size: first unit of the span	m_addr: its last unit
 *
 * The span covers the space given to the map before its first
 * allocation: after that, a free outside it is of units that were never
 * allocated.  The fragments follow in the slots, sorted by index, each
 * one as long as it can be (adjacent free space is always coalesced),
 * ended by an entry of size 0 or by the last slot.  Allocation is first
 * fit.  Units are counted in 32 bits, as ulong_t is: a map's units lie in
 * [1, 2^32), since rmalloc's failure value is 0.
 *
 * Locking: one lock, rm_lock, guards every map; rmalloc_wait sleeps on
 * rm_cv, which rmfree broadcasts when a map has waiters.  A driver that
 * sleeps on the map itself (rmsetwant, then sleep) is woken with wakeup
 * after the lock is dropped.
 */
#include "config.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "util/forklock.h"
#include "kern/ctx.h"
#include "kern/kern.h"
#include "kmem/kmem_obj.h"
#include "machine/entry.h"
#include "verify/verify.h"
#include "verify/wait.h"

#include "sys/types.h"
#include "sys/map.h"
#include "sys/ddi.h"
#include "exports.h"

#define RM_HDR		3		/* entries before the fragments */
#define RM_MAGIC	0x726d6170u	/* "rmap" */
#define RM_DYN		0x01		/* from rmallocmap */
#define RM_USED		0x02		/* rmalloc has allocated from it */
#define RM_SPAN		0x04		/* [2] holds a span */
#define RM_WSHIFT	8		/* the waiters, above the flags */
#define RM_MAXMAP	(1u << 20)	/* fragments in a map, at most */
#define RM_UNITS	(UINT64_C(1) << 32)	/* units lie below */

static FORK_MUTEX(rm_lock);
static pthread_cond_t rm_cv = PTHREAD_COND_INITIALIZER;

static const struct kcons rm_cons = { .high = UINT64_MAX, .align = 16 };

static ulong_t
rm_magic(const struct map *mp)
{
	return (ulong_t)(RM_MAGIC ^ (uint32_t)(uintptr_t)mp);
}

static size_t
rm_bytes(ulong_t cap)
{
	return ((size_t)cap + RM_HDR) * sizeof(struct map);
}

/*
 * Whether mp is a live map; reported for func if not.  Under rm_lock.
 */
static bool
rm_valid(const struct map *mp, const char *func, const void *caller)
{
	if (mp == NULL) {
		verify_report(func, caller, "NULL map");
		return false;
	}
	if (mp[1].m_size != rm_magic(mp) || mp[0].m_size == 0 ||
	    ((mp[1].m_addr & RM_DYN) &&
	    kmem_live_size(mp) != rm_bytes(mp[0].m_size))) {
		verify_report(func, caller, "%p is not a map from rmallocmap "
		    "or rminit (freed already, or never set up)",
		    (const void *)mp);
		return false;
	}
	return true;
}

static struct map *
frags(struct map *mp)
{
	return mp + RM_HDR;
}

/* The fragments in use. */
static ulong_t
nfrags(const struct map *mp)
{
	ulong_t n = 0;

	while (n < mp[0].m_size && mp[RM_HDR + n].m_size != 0)
		n++;
	return n;
}

static unsigned
waiters(const struct map *mp)
{
	return (unsigned)(mp[1].m_addr >> RM_WSHIFT);
}

/* First fit: the index of size units taken, or 0.  Under rm_lock. */
static ulong_t
rm_take(struct map *mp, size_t size)
{
	struct map *f = frags(mp);
	ulong_t n = nfrags(mp);

	for (ulong_t i = 0; i < n; i++) {
		ulong_t at = f[i].m_addr;

		if (f[i].m_size < size)
			continue;
		f[i].m_addr += (ulong_t)size;
		f[i].m_size -= (ulong_t)size;
		if (f[i].m_size == 0) {
			memmove(&f[i], &f[i + 1], (n - i - 1) * sizeof(*f));
			f[n - 1].m_size = f[n - 1].m_addr = 0;
		}
		mp[1].m_addr |= RM_USED;
		return at;
	}
	return 0;
}

/*
 * Whether size units could ever be free at once: false only when the
 * map has been allocated from and its span is smaller.  Under rm_lock.
 */
static bool
rm_could_fit(const struct map *mp, size_t size)
{
	if (!(mp[1].m_addr & RM_USED))
		return true;
	return (mp[1].m_addr & RM_SPAN) && (uint64_t)mp[2].m_addr -
	    mp[2].m_size + 1 >= size;
}

/* Size units from mp, or 0; for rmalloc and rmalloc_wait. */
static bool
rm_size_ok(size_t size, const char *func, const void *caller)
{
	if (size == 0) {
		verify_report(func, caller, "size 0: allocate 1 unit or more");
		return false;
	}
	return true;
}

DDI_ENTRY(struct map *, rmallocmap, (ulong_t mapsize), (mapsize))
{
	const void *caller = DDI_CALLER;
	struct map *mp;

	if (mapsize == 0 || mapsize > RM_MAXMAP) {
		verify_report(DDI_FUNC, caller, "mapsize %lu: give 1 to %u "
		    "entries", (unsigned long)mapsize, RM_MAXMAP);
		return NULL;
	}
	mp = kmem_obj_alloc(rm_bytes(mapsize), &rm_cons, KM_NOSLEEP, KK_RMAP,
	    DDI_FUNC, caller);
	if (mp == NULL)
		return NULL;
	memset(mp, 0, rm_bytes(mapsize));
	mp[0].m_size = mapsize;
	mp[1].m_size = rm_magic(mp);
	mp[1].m_addr = RM_DYN;
	return mp;
}

DDI_ENTRY_VOID(rmfreemap, (struct map *mp), (mp))
{
	const void *caller = DDI_CALLER;
	ulong_t cap;

	pthread_mutex_lock(&rm_lock);
	if (!rm_valid(mp, DDI_FUNC, caller)) {
		pthread_mutex_unlock(&rm_lock);
		return;
	}
	if (!(mp[1].m_addr & RM_DYN)) {
		pthread_mutex_unlock(&rm_lock);
		verify_report(DDI_FUNC, caller, "map %p was set up by rminit, "
		    "not allocated by rmallocmap", (void *)mp);
		return;
	}
	if (waiters(mp) != 0 || mp[0].m_addr != 0) {
		unsigned w = waiters(mp);
		ulong_t want = mp[0].m_addr;

		pthread_mutex_unlock(&rm_lock);
		verify_report(DDI_FUNC, caller, "map %p has %u waiter(s) in "
		    "rmalloc_wait and %lu by rmsetwant; not freed", (void *)mp,
		    w, (unsigned long)want);
		return;
	}
	cap = mp[0].m_size;
	mp[1].m_size = 0;		/* no longer a map */
	pthread_mutex_unlock(&rm_lock);
	kmem_obj_free(mp, rm_bytes(cap), KK_RMAP, DDI_FUNC, caller);
}

DDI_ENTRY(ulong_t, rmalloc, (struct map *mp, size_t size), (mp, size))
{
	const void *caller = DDI_CALLER;
	ulong_t at = 0;

	pthread_mutex_lock(&rm_lock);
	if (rm_valid(mp, DDI_FUNC, caller) &&
	    rm_size_ok(size, DDI_FUNC, caller) && size < RM_UNITS)
		at = rm_take(mp, size);
	pthread_mutex_unlock(&rm_lock);
	return at;
}

/*
 * Wait until size units are free at once.  A request larger than all
 * the map was given can never be met: it is reported and gets 0.  A wait
 * past the wait limit is reported once and goes on.
 */
DDI_ENTRY(ulong_t, rmalloc_wait, (struct map *mp, size_t size), (mp, size))
{
	const void *caller = DDI_CALLER;
	struct vwait w;
	ulong_t at = 0;

	if (!kctx_check_block(DDI_FUNC, caller, NULL, false))
		return 0;
	pthread_mutex_lock(&rm_lock);
	if (!rm_valid(mp, DDI_FUNC, caller) ||
	    !rm_size_ok(size, DDI_FUNC, caller))
		goto out;
	vwait_start(&w, VWAIT_KEEP, DDI_FUNC, caller);
	while ((at = rm_take(mp, size)) == 0) {
		if (size >= RM_UNITS || !rm_could_fit(mp, size)) {
			pthread_mutex_unlock(&rm_lock);
			verify_report(DDI_FUNC, caller, "map %p: %zu units "
			    "are more than all the space it was given",
			    (void *)mp, size);
			return 0;
		}
		mp[1].m_addr += 1u << RM_WSHIFT;
		(void)vwait_cond(&w, &rm_cv, &rm_lock, "map %p: %zu units not "
		    "free", (void *)mp, size);
		mp[1].m_addr -= 1u << RM_WSHIFT;
	}
out:
	pthread_mutex_unlock(&rm_lock);
	return at;
}

/*
 * Free [index, index+size): coalesced with its neighbours, or in a slot
 * of its own.  Refused, and reported, when it overlaps free space, lies
 * outside what the map was given once it is in use, or starts at 0; a
 * free that needs a slot in a full map loses its units, as the original
 * warned.  Waiters are woken when something was freed.
 */
DDI_ENTRY_VOID(rmfree, (struct map *mp, size_t size, ulong_t index),
    (mp, size, index))
{
	const void *caller = DDI_CALLER;
	uint64_t end = (uint64_t)index + size;	/* one past the last */
	struct map *f;
	ulong_t n, p;
	bool prev, next, want = false;

	pthread_mutex_lock(&rm_lock);
	if (!rm_valid(mp, DDI_FUNC, caller))
		goto out;
	if (size == 0 || index == 0 || size >= RM_UNITS || end > RM_UNITS) {
		pthread_mutex_unlock(&rm_lock);
		verify_report(DDI_FUNC, caller, "map %p: %zu units at %lu: "
		    "units lie in 1 to 2^32-1 and a free is 1 unit or more",
		    (void *)mp, size, (unsigned long)index);
		return;
	}
	f = frags(mp);
	n = nfrags(mp);
	for (p = 0; p < n && f[p].m_addr < index; p++)
		;
	if ((p > 0 && (uint64_t)f[p - 1].m_addr + f[p - 1].m_size > index) ||
	    (p < n && f[p].m_addr < end)) {
		ulong_t o = p > 0 && (uint64_t)f[p - 1].m_addr +
		    f[p - 1].m_size > index ? p - 1 : p;
		unsigned long fa = f[o].m_addr, fs = f[o].m_size;

		pthread_mutex_unlock(&rm_lock);
		verify_report(DDI_FUNC, caller, "map %p: %zu units at %lu "
		    "overlap the %lu free units at %lu (freed twice?)",
		    (void *)mp, size, (unsigned long)index, fs, fa);
		return;
	}
	if (mp[1].m_addr & RM_USED) {
		if (!(mp[1].m_addr & RM_SPAN) || index < mp[2].m_size ||
		    end - 1 > mp[2].m_addr) {
			pthread_mutex_unlock(&rm_lock);
			verify_report(DDI_FUNC, caller, "map %p: %zu units at "
			    "%lu were never allocated from it (space is added "
			    "before the first rmalloc)", (void *)mp, size,
			    (unsigned long)index);
			return;
		}
	} else if (!(mp[1].m_addr & RM_SPAN)) {
		mp[2].m_size = index;
		mp[2].m_addr = (ulong_t)(end - 1);
		mp[1].m_addr |= RM_SPAN;
	} else {
		if (index < mp[2].m_size)
			mp[2].m_size = index;
		if (end - 1 > mp[2].m_addr)
			mp[2].m_addr = (ulong_t)(end - 1);
	}
	prev = p > 0 && (uint64_t)f[p - 1].m_addr + f[p - 1].m_size == index;
	next = p < n && f[p].m_addr == end;
	if (prev && next) {
		f[p - 1].m_size += (ulong_t)size + f[p].m_size;
		memmove(&f[p], &f[p + 1], (n - p - 1) * sizeof(*f));
		f[n - 1].m_size = f[n - 1].m_addr = 0;
	} else if (prev) {
		f[p - 1].m_size += (ulong_t)size;
	} else if (next) {
		f[p].m_addr = index;
		f[p].m_size += (ulong_t)size;
	} else if (n == mp[0].m_size) {
		ulong_t cap = mp[0].m_size;

		pthread_mutex_unlock(&rm_lock);
		verify_report(DDI_FUNC, caller, "map %p overflow: its %lu "
		    "entries are in use; lost %zu units at %lu (give the map "
		    "more entries)", (void *)mp, (unsigned long)cap, size,
		    (unsigned long)index);
		return;
	} else {
		memmove(&f[p + 1], &f[p], (n - p) * sizeof(*f));
		f[p].m_addr = index;
		f[p].m_size = (ulong_t)size;
	}
	if (waiters(mp) != 0)
		pthread_cond_broadcast(&rm_cv);
	if (mp[0].m_addr != 0) {
		mp[0].m_addr = 0;
		want = true;
	}
out:
	pthread_mutex_unlock(&rm_lock);
	if (want)
		wakeup((caddr_t)mp);
}

/*
 * The interface before rmallocmap: the driver's own array of mapsize
 * entries, three of them the library's.
 */
DDI_ENTRY_VOID(_Compat_rminit, (struct map *mp, ulong_t mapsize),
    (mp, mapsize))
{
	const void *caller = DDI_CALLER;

	if (mp == NULL || mapsize <= RM_HDR || mapsize - RM_HDR > RM_MAXMAP) {
		verify_report("rminit", caller, "map %p with %lu entries: "
		    "give an array of 4 to %u entries", (void *)mp,
		    (unsigned long)mapsize, RM_MAXMAP + RM_HDR);
		return;
	}
	pthread_mutex_lock(&rm_lock);
	if (mp[1].m_size == rm_magic(mp) && waiters(mp) != 0) {
		pthread_mutex_unlock(&rm_lock);
		verify_report("rminit", caller, "map %p has waiters in "
		    "rmalloc_wait", (void *)mp);
		return;
	}
	memset(mp, 0, (size_t)mapsize * sizeof(*mp));
	mp[0].m_size = mapsize - RM_HDR;
	mp[1].m_size = rm_magic(mp);
	pthread_mutex_unlock(&rm_lock);
}

DDI_ENTRY_VOID(_Compat_rmsetwant, (struct map *mp), (mp))
{
	pthread_mutex_lock(&rm_lock);
	if (rm_valid(mp, "rmsetwant", DDI_CALLER))
		mp[0].m_addr++;
	pthread_mutex_unlock(&rm_lock);
}

DDI_ENTRY(ulong_t, _Compat_rmwant, (struct map *mp), (mp))
{
	ulong_t n = 0;

	pthread_mutex_lock(&rm_lock);
	if (rm_valid(mp, "rmwant", DDI_CALLER))
		n = mp[0].m_addr;
	pthread_mutex_unlock(&rm_lock);
	return n;
}
