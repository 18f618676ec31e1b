/*
 * handle.c - the regions that hold locks and synchronization variables:
 * allocation, quarantine, the slow path of the handle check, the leak
 * report (see handle.h for the design).
 *
 * Each kind's region is reserved once per process as inaccessible address
 * space and made read/write a chunk at a time as slots are handed out, so
 * a machine with a handful of locks costs a page or two, and the region
 * is never unmapped: a handle from an earlier machine stays readable.
 */
#include "config.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kern/handle.h"
#include "util/forklock.h"
#include "verify/verify.h"

#define KH_CHUNK	(64 * 1024)	/* bytes made read/write at a time */

struct kh_region kh_region[KH_NKINDS];

static const uint32_t kh_slot[KH_NKINDS] = {
	KH_SLOT_LOCK, KH_SLOT_RWLOCK, KH_SLOT_SLEEP, KH_SLOT_SV
};
static const uint32_t kh_magic[KH_NKINDS] = {
	KH_MAGIC_LOCK, KH_MAGIC_RWLOCK, KH_MAGIC_SLEEP, KH_MAGIC_SV
};
static const char *const kh_what[KH_NKINDS] = {
	"basic lock", "read/write lock", "sleep lock",
	"synchronization variable"
};

/* What is not read on the hot path; all of it under kh_lock. */
static struct kh_state {
	uint32_t	hwm;		/* slots ever handed out */
	uint32_t	committed;	/* slots made read/write */
	uint32_t	qhead, qtail;	/* quarantine, oldest first: slot + 1 */
	uint32_t	qlen;
} kh_state[KH_NKINDS];

static FORK_MUTEX(kh_lock);
static pthread_once_t kh_once = PTHREAD_ONCE_INIT;

static void
kh_setup(void)
{
	for (int k = 0; k < KH_NKINDS; k++) {
		size_t len = (size_t)KH_MAX_SLOTS * kh_slot[k];
		void *p = mmap(NULL, len, PROT_NONE, MAP_PRIVATE |
		    MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

		/* Without a region every allocation of the kind fails. */
		if (p != MAP_FAILED)
			kh_region[k].base = (uintptr_t)p;
	}
}

void
khandle_init(void)
{
	pthread_once(&kh_once, kh_setup);
}

static inline struct khandle *
kh_at(enum kh_kind kind, uint32_t idx)
{
	return (struct khandle *)(kh_region[kind].base +
	    (uintptr_t)idx * kh_slot[kind]);
}

/* Make one more chunk of the region read/write; under kh_lock. */
static bool
kh_commit_locked(enum kh_kind kind)
{
	struct kh_state *s = &kh_state[kind];
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	size_t chunk = KH_CHUNK > pg ? KH_CHUNK : pg;
	uint32_t n = (uint32_t)(chunk / kh_slot[kind]);

	if (kh_region[kind].base == 0 || s->committed + n > KH_MAX_SLOTS)
		return false;
	if (mprotect(kh_at(kind, s->committed), chunk, PROT_READ |
	    PROT_WRITE) != 0)
		return false;
	s->committed += n;
	return true;
}

/* Take the oldest quarantined slot; under kh_lock. */
static uint32_t
kh_dequeue_locked(struct kh_state *s, enum kh_kind kind)
{
	uint32_t idx = s->qhead - 1;

	s->qhead = kh_at(kind, idx)->qnext;
	if (s->qhead == 0)
		s->qtail = 0;
	s->qlen--;
	return idx;
}

static void
kh_enqueue_locked(enum kh_kind kind, struct khandle *h)
{
	struct kh_state *s = &kh_state[kind];
	uint32_t idx = (uint32_t)(((uintptr_t)h - kh_region[kind].base) /
	    kh_slot[kind]);

	h->qnext = 0;
	if (s->qtail != 0)
		kh_at(kind, s->qtail - 1)->qnext = idx + 1;
	else
		s->qhead = idx + 1;
	s->qtail = idx + 1;
	s->qlen++;
}

/*
 * A fresh slot while the quarantine is short; the oldest freed one once it
 * holds KH_QUARANTINE, or when no fresh slot is left.
 */
struct khandle *
khandle_alloc(enum kh_kind kind, const lkinfo_t *info, const void *caller)
{
	struct kh_state *s = &kh_state[kind];
	struct khandle *h;
	uint32_t idx;

	khandle_init();
	pthread_mutex_lock(&kh_lock);
	if (s->qlen > KH_QUARANTINE || (s->qlen > 0 &&
	    s->hwm == KH_MAX_SLOTS)) {
		idx = kh_dequeue_locked(s, kind);
	} else if (s->hwm < s->committed || kh_commit_locked(kind)) {
		idx = s->hwm++;
		atomic_store_explicit(&kh_region[kind].len,
		    (uintptr_t)s->hwm * kh_slot[kind], memory_order_release);
	} else if (s->qlen > 0) {
		idx = kh_dequeue_locked(s, kind);
	} else {
		pthread_mutex_unlock(&kh_lock);
		return NULL;
	}
	pthread_mutex_unlock(&kh_lock);
	h = kh_at(kind, idx);
	memset((char *)h + sizeof(*h), 0, kh_slot[kind] - sizeof(*h));
	h->qnext = 0;
	h->info = info;
	h->caller = caller;
	atomic_store_explicit(&h->magic, kh_magic[kind], memory_order_release);
	return h;
}

bool
khandle_free(enum kh_kind kind, struct khandle *h,
    void (*dtor)(struct khandle *))
{
	uint32_t live = kh_magic[kind];

	if (!atomic_compare_exchange_strong(&h->magic, &live, KH_FREED))
		return false;
	if (dtor != NULL)
		dtor(h);
	pthread_mutex_lock(&kh_lock);
	kh_enqueue_locked(kind, h);
	pthread_mutex_unlock(&kh_lock);
	return true;
}

/* The magic of the slot p is, or 0 when p is no slot of the kind. */
static uint32_t
kh_slot_magic(enum kh_kind kind, const void *p)
{
	uintptr_t off = (uintptr_t)p - kh_region[kind].base;

	if (kh_region[kind].base == 0 || off >= atomic_load_explicit(
	    &kh_region[kind].len, memory_order_acquire) ||
	    off % kh_slot[kind] != 0)
		return 0;
	return atomic_load_explicit(&((const struct khandle *)p)->magic,
	    memory_order_acquire);
}

void
khandle_report(const char *func, const void *caller, enum kh_kind kind,
    const void *p)
{
	char why[96] = "";
	uint32_t m = kh_slot_magic(kind, p);

	if (m == KH_FREED)
		snprintf(why, sizeof(why), " (it was freed)");
	else if (m == KH_DROPPED)
		snprintf(why, sizeof(why), " (it was freed: it leaked, and "
		    "its machine was shut down)");
	for (int k = 0; k < KH_NKINDS && m == 0; k++) {
		if (k == (int)kind || (m = kh_slot_magic(k, p)) == 0)
			continue;
		snprintf(why, sizeof(why), m == kh_magic[k] ? " (it is a %s)" :
		    " (it was a %s, and was freed)", kh_what[k]);
	}
	verify_report(func, caller, "%p is not a %s%s", p, kh_what[kind],
	    why);
}

const char *
khandle_name(const lkinfo_t *info)
{
	enum { TAIL = 13, HEAD = KH_NAME_MAX - 3 - TAIL };
	static DDI_TLS char buf[2][KH_NAME_MAX + 1];
	static DDI_TLS unsigned turn;
	char *out = buf[turn++ & 1];
	const char *s;
	size_t len, o = 0;

	if (info == NULL || info->lk_name == NULL)
		return "(unnamed)";
	s = info->lk_name;
	len = strlen(s);
	for (size_t i = 0; i < len; i++) {
		if (len > KH_NAME_MAX && i == HEAD) {
			memcpy(out + o, "...", 3);
			o += 3;
			i = len - TAIL;
		}
		out[o++] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' :
		    s[i];
	}
	out[o] = '\0';
	return out;
}

static void
kh_leak_line(FILE *f, enum kh_kind kind, const struct khandle *h)
{
	char who[128];

	verify_symbolize(h->caller, who, sizeof(who));
	if (kind == KH_SV)
		fprintf(f, "ddicompat: leak: %s at %p, allocated by %s\n",
		    kh_what[kind], (const void *)h, who);
	else
		fprintf(f, "ddicompat: leak: %s \"%s\" at %p, allocated by "
		    "%s\n", kh_what[kind], khandle_name(h->info),
		    (const void *)h, who);
}

/* The slots of the kind ever handed out. */
static uint32_t
kh_hwm(enum kh_kind kind)
{
	uint32_t n;

	pthread_mutex_lock(&kh_lock);
	n = kh_state[kind].hwm;
	pthread_mutex_unlock(&kh_lock);
	return n;
}

size_t
khandle_leak_report(FILE *f)
{
	size_t n = 0;

	for (int k = 0; k < KH_NKINDS; k++)
		for (uint32_t i = 0, hwm = kh_hwm(k); i < hwm; i++) {
			const struct khandle *h = kh_at(k, i);

			if (atomic_load_explicit(&h->magic,
			    memory_order_acquire) != kh_magic[k] ||
			    !verify_leak_mine(h->caller))
				continue;
			if (f != NULL)
				kh_leak_line(f, k, h);
			n++;
		}
	if (n > 0 && f != NULL)
		fprintf(f, "ddicompat: %zu lock%s or synchronization "
		    "variable%s still allocated at shutdown\n", n,
		    n == 1 ? "" : "s", n == 1 ? "" : "s");
	return n;
}

void
khandle_drop_all(void)
{
	for (int k = 0; k < KH_NKINDS; k++)
		for (uint32_t i = 0, hwm = kh_hwm(k); i < hwm; i++) {
			struct khandle *h = kh_at(k, i);
			uint32_t live = kh_magic[k];

			if (!atomic_compare_exchange_strong(&h->magic, &live,
			    KH_DROPPED))
				continue;
			pthread_mutex_lock(&kh_lock);
			kh_enqueue_locked(k, h);
			pthread_mutex_unlock(&kh_lock);
		}
}
