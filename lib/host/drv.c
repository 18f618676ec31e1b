/*
 * drv.c - loading and unloading drivers as the kernel did, and the
 * device numbers they answer to: ddisim_drv_load(3) and the others.
 *
 * A driver is named by its prefix.  What the kernel's configuration
 * tools took from the Master and System files and the link editor's
 * symbol table, the host takes from the names the driver defines:
 * prefix_wrapper (a loadable module, <sys/moddefs.h>), prefixdevflag,
 * prefixinfo (a STREAMS streamtab), and prefixopen, prefixread ... for
 * the entry points of drivers older than DDI 8.  The load sequence is
 * the one the original ran for the driver's generation:
 *
 *   - DDI 8: the wrapper's _load, which calls drv_attach(9), which gives
 *     the driver each board of its name with CFG_ADD;
 *   - older, loadable: the wrapper's _load, with prefix_attach_info
 *     filled in for mod_drvattach(9) as the configuration tools did;
 *   - older, linked into the kernel (DDISIM_DRV_STATIC, or no wrapper):
 *     init, its interrupt routine attached to each of its boards, start.
 *
 * Unloading runs _unload (or, for a driver linked in, halt and the
 * interrupts detached), gives the major numbers back, and reports
 * whatever the machine still holds that the driver's code allocated or
 * attached (host_addr_mine says which code is the driver's).
 *
 * Locking: host_lock guards the driver list and the major table.  No
 * driver code runs with it held; a driver being loaded or unloaded is
 * busy, and a file open on it holds it (holds), which unloading refuses.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/forklock.h"
#include "machine/entry.h"
#include "machine/machine.h"
#include "verify/verify.h"
#include "verify/wait.h"
#include "kmem/kmem.h"
#include "kern/kern.h"
#include "proc/proc.h"
#include "streams/streams.h"
#include "rm/rm.h"
#include "host/host.h"

#include "sys/types.h"
#include "sys/conf.h"
#include "sys/moddefs.h"
#include "sys/stream.h"
#include "ddicompat/ddisim.h"
#include "ddicompat/host.h"
#include "exports.h"

#define DRV_LIVE	0x64727621u	/* "drv!" */
#define NAME_MAX_	32		/* a prefix's or modname's bytes */
#define NMINORS		((uint64_t)L_MAXMIN + 1)

struct holds;

_Static_assert(DDISIM_CFG_SUSPEND == CFG_SUSPEND &&
    DDISIM_CFG_RESUME == CFG_RESUME && DDISIM_CFG_REMOVE == CFG_REMOVE &&
    DDISIM_CFG_MODIFY == CFG_MODIFY && DDISIM_CFG_VERIFY == CFG_VERIFY,
    "DDISIM_CFG_* are the cfg_func_t values");

struct host_inst {
	uint32_t	key;
	void		*idata;
};

struct ddisim_drv {
	struct ddisim_drv *next;
	uint32_t	magic;
	char		prefix[NAME_MAX_ + 1];
	char		modname[NAME_MAX_ + 1];
	char		*object;	/* its path, or NULL */
	void		*dl;		/* dlopen handle, or NULL */
	unsigned	flags;		/* DDISIM_DRV_* */
	int		level;		/* 70 or 80 */
	bool		busy;		/* being loaded or unloaded */
	unsigned	holds;		/* open files and calls under way */
	struct modwrapper *wrapper;	/* NULL: linked into the kernel */
	struct mod_drvintr *ai;		/* attach info the host filled */
	struct host_ops	ops;		/* DDI 7 and older */
	int		devflag;
	const struct drvinfo *info;	/* DDI 8 */
	struct host_inst *inst;		/* DDI 8 instances, in key order */
	unsigned	ninst;
	unsigned	chans;		/* DDI 8: channels an instance has */
	void		**cookies;	/* linked in: its interrupts */
	unsigned	ncookies;
	major_t		major;		/* first major; 0 for a module */
	unsigned	nmajors;
};

static FORK_MUTEX(host_lock);
static struct ddisim_drv *drv_list;		/* under host_lock */
static struct ddisim_drv *majors[L_MAXMAJ + 1];	/* under host_lock */

/*
 * The uniprocessor lock drivers without D_MP run under: one context at a
 * time, which may enter again (an entry point that calls another).
 */
static FORK_MUTEX(up_lock);
static pthread_cond_t up_cv = PTHREAD_COND_INITIALIZER;
static pthread_t up_owner;
static unsigned up_depth;		/* 0: nobody holds it */
/* Set while this thread waits on up_cv: its waits must not release. */
static DDI_TLS bool up_waiting;

/* A forked child has only the thread that forked. */
static void
up_fork_child(void)
{
	up_depth = 0;
}

/*
 * A context that sleeps inside a driver without D_MP lets the others run,
 * as a uniprocessor did: the waits of lib/verify let go of the lock
 * before they sleep (up_release) and take it back after (up_reacquire),
 * never waiting for it while they hold the wait's mutex.
 */
static unsigned
up_release(void)
{
	unsigned held = 0;

	if (up_waiting)
		return 0;	/* up_lock is held: this is its own wait */
	pthread_mutex_lock(&up_lock);
	if (up_depth > 0 && pthread_equal(up_owner, pthread_self())) {
		held = up_depth;
		up_depth = 0;
		pthread_cond_broadcast(&up_cv);
	}
	pthread_mutex_unlock(&up_lock);
	return held;
}

static void
up_take(unsigned depth)
{
	struct vwait w;

	pthread_mutex_lock(&up_lock);
	if (up_depth > 0) {
		vwait_start(&w, VWAIT_KEEP, "a driver without D_MP", NULL);
		up_waiting = true;
		while (up_depth > 0)
			(void)vwait_cond(&w, &up_cv, &up_lock, "waking up in "
			    "a driver without D_MP while another context runs "
			    "one");
		up_waiting = false;
	}
	up_owner = pthread_self();
	up_depth = depth;
	pthread_mutex_unlock(&up_lock);
}

static void
up_reacquire(unsigned held, pthread_mutex_t *mtx)
{
	pthread_mutex_lock(&up_lock);
	if (up_depth == 0) {
		up_owner = pthread_self();
		up_depth = held;
		pthread_mutex_unlock(&up_lock);
		return;
	}
	pthread_mutex_unlock(&up_lock);
	/* busy: wait for it without the wait's mutex, then retake that */
	pthread_mutex_unlock(mtx);
	up_take(held);
	pthread_mutex_lock(mtx);
}

/* ---- what dev.c asks ---- */

static bool
drv_mp(const struct ddisim_drv *d)
{
	if (d->level >= 80)
		return d->info != NULL && (d->info->drv_flags & D_MP);
	return (d->devflag & D_MP) != 0;
}

bool
host_drv_enter(const struct ddisim_drv *d)
{
	pthread_t self = pthread_self();
	struct vwait w;

	if (drv_mp(d))
		return false;
	pthread_mutex_lock(&up_lock);
	if (up_depth > 0 && !pthread_equal(up_owner, self)) {
		vwait_start(&w, VWAIT_KEEP, d->prefix, NULL);
		up_waiting = true;
		while (up_depth > 0 && !pthread_equal(up_owner, self))
			(void)vwait_cond(&w, &up_cv, &up_lock, "waiting to "
			    "run %s, a driver without D_MP, while another "
			    "context runs one", d->prefix);
		up_waiting = false;
	}
	up_owner = self;
	up_depth++;
	pthread_mutex_unlock(&up_lock);
	return true;
}

void
host_drv_leave(bool entered)
{
	if (!entered)
		return;
	pthread_mutex_lock(&up_lock);
	if (--up_depth == 0)
		pthread_cond_broadcast(&up_cv);
	pthread_mutex_unlock(&up_lock);
}

int
host_drv_level(const struct ddisim_drv *d)
{
	return d->level;
}

const struct host_ops *
host_drv_ops(const struct ddisim_drv *d)
{
	return &d->ops;
}

const struct drvinfo *
host_drv_info(const struct ddisim_drv *d)
{
	return d->info;
}

const char *
host_drv_name(const struct ddisim_drv *d)
{
	return d->prefix;
}

const struct streamtab *
host_drv_streamtab(const struct ddisim_drv *d, int *devflag)
{
	if (d->level >= 80) {
		*devflag = d->info != NULL ? (int)d->info->drv_flags : 0;
		return d->info != NULL ? d->info->drv_str : NULL;
	}
	*devflag = d->devflag;
	return d->ops.info;
}

int
host_drv_inst(const struct ddisim_drv *d, unsigned inst, uint32_t *key,
    void **idata)
{
	int rc = ENXIO;

	pthread_mutex_lock(&host_lock);
	if (inst < d->ninst && d->inst[inst].key != 0) {
		*key = d->inst[inst].key;
		*idata = d->inst[inst].idata;
		rc = 0;
	}
	pthread_mutex_unlock(&host_lock);
	return rc;
}

/* The device number of (inst, chan) (host_lock held). */
static dev_t
dev_of(const struct ddisim_drv *d, unsigned inst, unsigned chan)
{
	uint64_t idx;

	if (d->major == 0)
		return NODEV;
	if (d->level < 80) {
		if (inst != 0 || chan > L_MAXMIN)
			return NODEV;
		return makedevice(d->major, chan);
	}
	if (inst >= d->ninst || d->inst[inst].key == 0 || chan >= d->chans)
		return NODEV;
	idx = (uint64_t)inst * d->chans + chan;
	if (idx >= (uint64_t)d->nmajors * NMINORS)
		return NODEV;
	return makedevice(d->major + (major_t)(idx / NMINORS),
	    (minor_t)(idx % NMINORS));
}

dev_t
host_drv_dev(const struct ddisim_drv *d, unsigned inst, unsigned chan)
{
	dev_t dev;

	pthread_mutex_lock(&host_lock);
	dev = dev_of(d, inst, chan);
	pthread_mutex_unlock(&host_lock);
	return dev;
}

struct ddisim_drv *
host_drv_hold(dev_t dev, unsigned *inst, unsigned *chan)
{
	major_t maj = getemajor(dev);
	minor_t min = geteminor(dev);
	struct ddisim_drv *d;
	uint64_t idx;

	if (dev == NODEV || maj > L_MAXMAJ)
		return NULL;
	pthread_mutex_lock(&host_lock);
	d = majors[maj];
	if (d == NULL || d->busy) {
		pthread_mutex_unlock(&host_lock);
		return NULL;
	}
	if (d->level >= 80) {
		idx = (uint64_t)(maj - d->major) * NMINORS + min;
		if (d->chans == 0 || idx / d->chans >= d->ninst ||
		    d->inst[idx / d->chans].key == 0) {
			pthread_mutex_unlock(&host_lock);
			return NULL;
		}
		*inst = (unsigned)(idx / d->chans);
		*chan = (unsigned)(idx % d->chans);
	} else {
		*inst = 0;
		*chan = min;
	}
	d->holds++;
	pthread_mutex_unlock(&host_lock);
	return d;
}

void
host_drv_rele(struct ddisim_drv *d)
{
	pthread_mutex_lock(&host_lock);
	VERIFY(d->holds > 0);
	d->holds--;
	pthread_mutex_unlock(&host_lock);
}

/* ---- the STREAMS modules I_PUSH finds by name ---- */

static const struct streamtab *
fmod_lookup(const char *name, int *devflag)
{
	const struct streamtab *tab = NULL;

	pthread_mutex_lock(&host_lock);
	for (struct ddisim_drv *d = drv_list; d != NULL; d = d->next)
		if (!d->busy && (d->flags & DDISIM_DRV_MODULE) &&
		    strcmp(d->modname, name) == 0) {
			tab = d->ops.info;
			*devflag = d->devflag;
			break;
		}
	pthread_mutex_unlock(&host_lock);
	return tab;
}

/* ---- checking a handle ---- */

static struct ddisim_drv *
drv_check(ddisim_drv_t *d, const char *func, const void *caller)
{
	struct ddisim_drv *x;

	pthread_mutex_lock(&host_lock);
	for (x = drv_list; x != NULL && x != d; x = x->next)
		;
	pthread_mutex_unlock(&host_lock);
	if (x == NULL || x->magic != DRV_LIVE) {
		verify_report(func, caller, "%p is not a loaded driver (never "
		    "returned by ddisim_drv_load, or unloaded)", (void *)d);
		return NULL;
	}
	return x;
}

/* ---- loading ---- */

static bool
name_ok(const char *s)
{
	size_t n;

	if (s == NULL || (n = strlen(s)) == 0 || n > NAME_MAX_ ||
	    !(isalpha((unsigned char)s[0]) || s[0] == '_'))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!(isalnum((unsigned char)s[i]) || s[i] == '_'))
			return false;
	return true;
}

#define SYM(d, field, suffix)						\
	((d)->ops.field = (__typeof__((d)->ops.field))host_sym((d)->dl,	\
	    (d)->prefix, suffix))

static void
find_ops(struct ddisim_drv *d)
{
	SYM(d, devflag, "devflag");
	SYM(d, init, "init");
	SYM(d, start, "start");
	SYM(d, halt, "halt");
	SYM(d, open, "open");
	SYM(d, close, "close");
	SYM(d, read, "read");
	SYM(d, write, "write");
	SYM(d, ioctl, "ioctl");
	SYM(d, strategy, "strategy");
	SYM(d, print, "print");
	SYM(d, size, "size");
	SYM(d, chpoll, "chpoll");
	SYM(d, mmap, "mmap");
	SYM(d, intr, "intr");
	SYM(d, devinfo, "devinfo");
	SYM(d, info, "info");
	d->devflag = d->ops.devflag != NULL ? *d->ops.devflag : 0;
}

static bool
has_device_ops(const struct ddisim_drv *d)
{
	const struct host_ops *o = &d->ops;

	return o->open != NULL || o->close != NULL || o->read != NULL ||
	    o->write != NULL || o->ioctl != NULL || o->strategy != NULL ||
	    o->info != NULL || o->mmap != NULL || o->chpoll != NULL ||
	    o->size != NULL || o->print != NULL || o->devinfo != NULL;
}

/* Take nmaj free majors from want (0: the first free); host_lock held. */
static int
majors_take(struct ddisim_drv *d, major_t want, unsigned nmaj)
{
	major_t first = want != 0 ? want : 1;

	if (nmaj == 0 || nmaj > L_MAXMAJ)
		return ENOSPC;
	for (; first + nmaj - 1 <= L_MAXMAJ; first++) {
		unsigned i;

		for (i = 0; i < nmaj && majors[first + i] == NULL; i++)
			;
		if (i == nmaj) {
			for (i = 0; i < nmaj; i++)
				majors[first + i] = d;
			d->major = first;
			d->nmajors = nmaj;
			return 0;
		}
		if (want != 0)
			return EBUSY;
	}
	return ENOSPC;
}

static void
majors_give(struct ddisim_drv *d)
{
	for (unsigned i = 0; i < d->nmajors; i++)
		if (majors[d->major + i] == d)
			majors[d->major + i] = NULL;
	d->major = 0;
	d->nmajors = 0;
}

/* Take a fresh copy of a DDI 8 driver's instances (no lock held). */
static int
inst_refresh(struct ddisim_drv *d)
{
	struct host_inst *in;
	uint32_t *keys;
	void **idata;
	unsigned n, max = 16, slots;

	for (;;) {
		keys = calloc(max, sizeof(*keys));
		idata = calloc(max, sizeof(*idata));
		if (keys == NULL || idata == NULL) {
			free(keys);
			free(idata);
			return ENOMEM;
		}
		n = drv_instances(d->info, keys, idata, max);
		if (n <= max)
			break;
		free(keys);
		free(idata);
		max = n;
	}
	/*
	 * An instance keeps its number (and so its minor numbers) while it
	 * lives: a new one takes the first free slot, one removed leaves
	 * its slot free, and free slots at the end go.
	 */
	pthread_mutex_lock(&host_lock);
	slots = d->ninst > n ? d->ninst : n;
	slots += n;
	if ((in = calloc(slots > 0 ? slots : 1, sizeof(*in))) == NULL) {
		pthread_mutex_unlock(&host_lock);
		free(keys);
		free(idata);
		return ENOMEM;
	}
	for (unsigned i = 0; i < d->ninst; i++)
		for (unsigned j = 0; j < n; j++)
			if (d->inst[i].key != 0 && d->inst[i].key == keys[j]) {
				in[i].key = keys[j];
				in[i].idata = idata[j];
				keys[j] = 0;
			}
	for (unsigned j = 0, free_slot = 0; j < n; j++) {
		if (keys[j] == 0)
			continue;
		while (in[free_slot].key != 0)
			free_slot++;
		in[free_slot].key = keys[j];
		in[free_slot].idata = idata[j];
	}
	while (slots > 0 && in[slots - 1].key == 0)
		slots--;
	free(d->inst);
	d->inst = in;
	d->ninst = slots;
	pthread_mutex_unlock(&host_lock);
	free(keys);
	free(idata);
	return 0;
}

/* Attach a linked-in driver's interrupt routine to each of its boards. */
static int
static_intr_attach(struct ddisim_drv *d)
{
	uint32_t *keys;
	unsigned n;

	if (d->ops.intr == NULL)
		return 0;
	keys = rm_board_keys(d->modname, &n);
	if (n == 0)
		return 0;
	if (keys == NULL || (d->cookies = calloc(n, sizeof(void *))) == NULL) {
		free(keys);
		return ENOMEM;
	}
	for (unsigned i = 0; i < n; i++)
		if (_Compat_cm_intr_attach5(keys[i], d->ops.intr,
		    d->ops.devflag != NULL ? d->ops.devflag : &d->devflag,
		    &d->cookies[d->ncookies]) != 0)
			d->ncookies++;
	free(keys);
	return 0;
}

static void
static_intr_detach(struct ddisim_drv *d)
{
	for (unsigned i = 0; i < d->ncookies; i++)
		cm_intr_detach(d->cookies[i]);
	free(d->cookies);
	d->cookies = NULL;
	d->ncookies = 0;
}

/*
 * A leak scope: whether the code (or streamtab) at caller is d's.  In a
 * shared object, it is when it lies in it.  In the running program, when
 * the function or object it lies in is named with d's prefix, and not
 * with the longer prefix of another driver linked in ("sd" is not
 * "sdi"); a program without a symbol table cannot tell, and everything
 * counts.
 */
struct scope {
	struct ddisim_drv *d;
	unsigned	nothers;
	char		others[16][NAME_MAX_ + 1];
};

static bool
drv_mine(const void *caller, void *arg)
{
	struct scope *sc = arg;
	const char *name = host_addr_owner(sc->d->dl, caller);
	size_t len = strlen(sc->d->prefix);

	if (name == NULL)
		return false;
	if (sc->d->dl != NULL || name[0] == '\0')
		return true;
	if (strncmp(name, sc->d->prefix, len) != 0)
		return false;
	for (unsigned i = 0; i < sc->nothers; i++)
		if (strlen(sc->others[i]) > len &&
		    strncmp(name, sc->others[i], strlen(sc->others[i])) == 0)
			return false;
	return true;
}

/*
 * What a driver's unload, or its failed load, left: everything the
 * machine holds that its code allocated or attached, reported, then
 * listed on the standard error with the calls that made it.
 */
static void
left_behind(struct ddisim_drv *d, const char *what, const char *func,
    const void *caller)
{
	struct scope sc;
	size_t n;

	memset(&sc, 0, sizeof(sc));
	sc.d = d;
	pthread_mutex_lock(&host_lock);
	for (struct ddisim_drv *x = drv_list; x != NULL; x = x->next)
		if (x != d && x->dl == NULL && sc.nothers < 16)
			memcpy(sc.others[sc.nothers++], x->prefix,
			    sizeof(x->prefix));
	pthread_mutex_unlock(&host_lock);
	verify_leak_scope(drv_mine, &sc);
	n = leaks_list(NULL);
	if (n > 0) {
		verify_report(func, caller, "%s: %s left %zu thing%s its code "
		    "allocated or attached (memory, locks, timeouts, "
		    "interrupts, mappings, streams); they follow", d->prefix,
		    what, n, n == 1 ? "" : "s");
		(void)leaks_list(stderr);
	}
	verify_leak_scope(NULL, NULL);
}

static void
drv_free(struct ddisim_drv *d)
{
	d->magic = 0;
	host_obj_close(d->dl);
	free(d->object);
	free(d->inst);
	free(d->cookies);
	free(d);
}

static int
load(const struct ddisim_drvconf *conf, ddisim_drv_t **dp, const char *func,
    const void *caller)
{
	struct ddisim_drv *d, *x;
	char err[512];
	unsigned nmaj;
	int rc;

	if (dp != NULL)
		*dp = NULL;
	if (conf == NULL || !name_ok(conf->prefix) ||
	    (conf->modname != NULL && !name_ok(conf->modname))) {
		verify_report(func, caller, "%s", conf == NULL ? "NULL conf" :
		    !name_ok(conf->prefix) ? "the prefix must be a C name of "
		    "1 to 32 characters" : "the modname must be a C name of "
		    "1 to 32 characters");
		return EINVAL;
	}
	if (conf->major > L_MAXMAJ || conf->nmajors > L_MAXMAJ ||
	    (conf->flags & ~(unsigned)(DDISIM_DRV_STATIC |
	    DDISIM_DRV_MODULE)) != 0) {
		verify_report(func, caller, "%s", conf->major > L_MAXMAJ ||
		    conf->nmajors > L_MAXMAJ ? "major numbers go up to "
		    "L_MAXMAJ (0x3fff)" : "unknown flags");
		return EINVAL;
	}
	if ((d = calloc(1, sizeof(*d))) == NULL)
		return ENOMEM;
	d->magic = DRV_LIVE;
	(void)snprintf(d->prefix, sizeof(d->prefix), "%s", conf->prefix);
	(void)snprintf(d->modname, sizeof(d->modname), "%s",
	    conf->modname != NULL ? conf->modname : conf->prefix);
	d->flags = conf->flags;
	d->busy = true;
	if (conf->object != NULL &&
	    (d->object = strdup(conf->object)) == NULL) {
		free(d);
		return ENOMEM;
	}

	pthread_mutex_lock(&host_lock);
	/*
	 * One driver a module name; one a prefix in one object (the same
	 * source built at two versions loads from two objects).
	 */
	for (x = drv_list; x != NULL; x = x->next)
		if (strcmp(x->modname, d->modname) == 0 ||
		    (strcmp(x->prefix, d->prefix) == 0 &&
		    (x->object == NULL) == (d->object == NULL) &&
		    (x->object == NULL || strcmp(x->object, d->object) == 0)))
			break;
	if (x != NULL) {
		pthread_mutex_unlock(&host_lock);
		drv_free(d);
		return EEXIST;
	}
	d->next = drv_list;
	drv_list = d;
	pthread_mutex_unlock(&host_lock);
	str_fmod_lookup_set(fmod_lookup);
	machine_fork_child_register(up_fork_child);
	vwait_set_sleep_hooks(up_release, up_reacquire);

	if ((rc = host_obj_open(conf->object, &d->dl, err, sizeof(err)))
	    != 0) {
		verify_report(func, caller, "%s: cannot load %s: %s",
		    d->prefix, conf->object, err);
		goto fail;
	}
	find_ops(d);
	d->wrapper = host_sym(d->dl, d->prefix, "_wrapper");
	if (d->flags & DDISIM_DRV_STATIC)
		d->wrapper = NULL;
	d->level = 70;

	if (d->wrapper != NULL) {
		const struct mod_operations *mo;

		if (d->wrapper->mw_rev != MODREV ||
		    d->wrapper->mw_modlink == NULL ||
		    (mo = d->wrapper->mw_modlink[0].ml_ops) == NULL) {
			verify_report(func, caller, "%s: %s_wrapper is not a "
			    "module wrapper (MOD_DRV_WRAPPER makes one)",
			    d->prefix, d->prefix);
			rc = EINVAL;
			goto fail;
		}
		if (mo == &mod_str_ops)
			d->flags |= DDISIM_DRV_MODULE;
		else if (mo != &mod_drv_ops) {
			verify_report(func, caller, "%s: %s_wrapper makes a "
			    "module that is neither a driver nor a STREAMS "
			    "module (MOD_MISC_WRAPPER); ddisim_mod_load loads "
			    "those", d->prefix, d->prefix);
			rc = EINVAL;
			goto fail;
		}
		/* what the configuration tools generated for mod_drvattach */
		d->ai = host_sym(d->dl, d->prefix, "_attach_info");
		if (d->ai != NULL && (d->ai->di_magic != MOD_INTR_MAGIC ||
		    d->ai->di_modname != NULL))
			d->ai = NULL;	/* the porter's own: left alone */
		if (d->ai != NULL) {
			d->ai->di_modname = d->modname;
			d->ai->di_devflagp = d->ops.devflag;
			d->ai->di_handler = d->ops.intr;
		}
		{
			bool in = host_drv_enter(d);

			rc = ddisim_mod_load(d->wrapper);
			host_drv_leave(in);
		}
		if (rc != 0) {
			if (d->ai != NULL)
				d->ai->di_modname = NULL;
			goto fail;
		}
		if ((d->flags & DDISIM_DRV_MODULE) && d->ops.info == NULL) {
			verify_report(func, caller, "%s: a STREAMS module "
			    "needs its streamtab, %sinfo", d->prefix,
			    d->prefix);
			rc = ENOENT;
			goto unload;
		}
		if ((d->info = drv_by_name(d->modname)) == NULL &&
		    !(d->flags & DDISIM_DRV_MODULE) && !has_device_ops(d) &&
		    d->ops.intr == NULL) {
			verify_report(func, caller, "%s: its _load attached no "
			    "DDI 8 driver named \"%s\" and it has no entry "
			    "point of an older driver (is its drv_name another "
			    "module name? say it in the conf's modname)",
			    d->prefix, d->modname);
			rc = ENOENT;
			goto unload;
		}
		if (d->info != NULL) {
			d->level = 80;
			d->chans = (unsigned)d->info->drv_maxchan + 1;
			if ((rc = inst_refresh(d)) != 0)
				goto unload;
		}
	} else {
		if ((d->flags & DDISIM_DRV_MODULE) && d->ops.info == NULL) {
			verify_report(func, caller, "%s: a STREAMS module needs "
			    "its streamtab, %sinfo", d->prefix, d->prefix);
			rc = ENOENT;
			goto fail;
		}
		if (!has_device_ops(d) && d->ops.init == NULL &&
		    d->ops.start == NULL && d->ops.intr == NULL) {
			verify_report(func, caller, "%s: no %s_wrapper and no "
			    "entry point (%sopen, %sinfo, %sstrategy ...) in "
			    "%s", d->prefix, d->prefix, d->prefix, d->prefix,
			    d->prefix, conf->object != NULL ? conf->object :
			    "the running program (is the driver linked in, "
			    "with its symbols?)");
			rc = ENOENT;
			goto fail;
		}
		if (d->ops.init != NULL) {
			bool in = host_drv_enter(d);

			d->ops.init();
			host_drv_leave(in);
		}
		if ((rc = static_intr_attach(d)) != 0)
			goto fail_static;
		if (d->ops.start != NULL) {
			bool in = host_drv_enter(d);

			d->ops.start();
			host_drv_leave(in);
		}
	}

	/* its device numbers */
	if (!(d->flags & DDISIM_DRV_MODULE)) {
		nmaj = conf->nmajors;
		if (nmaj == 0 && d->level >= 80) {
			uint64_t need = (uint64_t)(d->ninst > 0 ? d->ninst : 1) *
			    d->chans;

			nmaj = (unsigned)((need + NMINORS - 1) / NMINORS);
		}
		if (nmaj == 0)
			nmaj = 1;
		pthread_mutex_lock(&host_lock);
		rc = majors_take(d, conf->major, nmaj);
		pthread_mutex_unlock(&host_lock);
		if (rc != 0) {
			verify_report(func, caller, "%s: %s", d->prefix,
			    rc == EBUSY ? "its major number is taken" :
			    "no major numbers left");
			goto unload;
		}
		if (d->level < 80)
			for (unsigned i = 1; i < d->nmajors; i++)
				(void)ddisim_major_map(d->major + i, d->major);
	}
	pthread_mutex_lock(&host_lock);
	d->busy = false;
	pthread_mutex_unlock(&host_lock);
	if (dp != NULL)
		*dp = d;
	return 0;

unload:
	if (d->wrapper != NULL) {
		(void)ddisim_mod_unload(d->wrapper);
		if (d->ai != NULL)
			d->ai->di_modname = NULL;
		goto fail;
	}
fail_static:
	if (d->ops.halt != NULL) {
		bool in = host_drv_enter(d);

		d->ops.halt();
		host_drv_leave(in);
	}
	static_intr_detach(d);
fail:
	pthread_mutex_lock(&host_lock);
	majors_give(d);
	for (struct ddisim_drv **pp = &drv_list; *pp != NULL;
	    pp = &(*pp)->next)
		if (*pp == d) {
			*pp = d->next;
			break;
		}
	pthread_mutex_unlock(&host_lock);
	left_behind(d, "the failed load", func, caller);
	drv_free(d);
	return rc;
}

DDI_ENTRY(int, ddisim_drv_load, (const char *prefix, ddisim_drv_t **dp),
    (prefix, dp))
{
	struct ddisim_drvconf conf = { .prefix = prefix };

	return load(&conf, dp, DDI_FUNC, DDI_CALLER);
}

DDI_ENTRY(int, ddisim_drv_load_conf, (const struct ddisim_drvconf *conf,
    ddisim_drv_t **dp), (conf, dp))
{
	return load(conf, dp, DDI_FUNC, DDI_CALLER);
}

DDI_ENTRY(int, ddisim_drv_unload, (ddisim_drv_t *dp), (dp))
{
	const void *caller = DDI_CALLER;
	struct ddisim_drv *d;
	int rc;

	if ((d = drv_check(dp, DDI_FUNC, caller)) == NULL)
		return EINVAL;
	pthread_mutex_lock(&host_lock);
	if (d->busy || d->holds > 0) {
		unsigned holds = d->holds;

		pthread_mutex_unlock(&host_lock);
		if (holds > 0)
			verify_report(DDI_FUNC, caller, "%s: %u file%s still "
			    "open on it (ddisim_dev_close them first); not "
			    "unloaded", d->prefix, holds, holds == 1 ? " is" :
			    "s are");
		return EBUSY;
	}
	d->busy = true;
	pthread_mutex_unlock(&host_lock);
	if ((d->flags & DDISIM_DRV_MODULE) && d->ops.info != NULL &&
	    str_tab_in_use(d->ops.info)) {
		pthread_mutex_lock(&host_lock);
		d->busy = false;
		pthread_mutex_unlock(&host_lock);
		verify_report(DDI_FUNC, caller, "%s: the module is pushed on a "
		    "stream still open (I_POP it or close the stream first); "
		    "not unloaded", d->prefix);
		return EBUSY;
	}
	if (d->wrapper != NULL) {
		bool in = host_drv_enter(d);

		rc = ddisim_mod_unload(d->wrapper);
		host_drv_leave(in);
		if (rc != 0) {
			pthread_mutex_lock(&host_lock);
			d->busy = false;
			pthread_mutex_unlock(&host_lock);
			return rc;	/* its _unload said no: it stays */
		}
		if (d->ai != NULL)
			d->ai->di_modname = NULL;
		if (d->level >= 80 && drv_by_name(d->modname) != NULL)
			verify_report(DDI_FUNC, caller, "%s: its _unload "
			    "returned 0 without drv_detach(9)", d->prefix);
	} else {
		if (d->ops.halt != NULL) {
			bool in = host_drv_enter(d);

			d->ops.halt();
			host_drv_leave(in);
		}
		static_intr_detach(d);
	}
	pthread_mutex_lock(&host_lock);
	if (d->level < 80)
		for (unsigned i = 1; i < d->nmajors; i++)
			(void)ddisim_major_map(d->major + i, d->major + i);
	majors_give(d);
	for (struct ddisim_drv **pp = &drv_list; *pp != NULL;
	    pp = &(*pp)->next)
		if (*pp == d) {
			*pp = d->next;
			break;
		}
	pthread_mutex_unlock(&host_lock);
	left_behind(d, "unloading", DDI_FUNC, caller);
	drv_free(d);
	return 0;
}

/* ---- what a test asks of a loaded driver ---- */

DDI_ENTRY(ddisim_drv_t *, ddisim_drv_find, (const char *prefix), (prefix))
{
	struct ddisim_drv *d;

	if (prefix == NULL)
		return NULL;
	pthread_mutex_lock(&host_lock);
	for (d = drv_list; d != NULL; d = d->next)
		if (!d->busy && strcmp(d->prefix, prefix) == 0)
			break;
	pthread_mutex_unlock(&host_lock);
	return d;
}

DDI_ENTRY(int, ddisim_drv_interface, (ddisim_drv_t *dp), (dp))
{
	struct ddisim_drv *d = drv_check(dp, DDI_FUNC, DDI_CALLER);

	return d != NULL ? d->level : 0;
}

DDI_ENTRY(major_t, ddisim_drv_major, (ddisim_drv_t *dp), (dp))
{
	struct ddisim_drv *d = drv_check(dp, DDI_FUNC, DDI_CALLER);

	return d != NULL ? d->major : 0;
}

DDI_ENTRY(unsigned, ddisim_drv_ninstances, (ddisim_drv_t *dp), (dp))
{
	struct ddisim_drv *d = drv_check(dp, DDI_FUNC, DDI_CALLER);
	unsigned n;

	if (d == NULL)
		return 0;
	pthread_mutex_lock(&host_lock);
	n = d->level >= 80 ? d->ninst : 1;
	pthread_mutex_unlock(&host_lock);
	return n;
}

DDI_ENTRY(unsigned, ddisim_drv_key, (ddisim_drv_t *dp, unsigned instance),
    (dp, instance))
{
	struct ddisim_drv *d = drv_check(dp, DDI_FUNC, DDI_CALLER);
	unsigned key = 0;

	if (d == NULL)
		return 0;
	pthread_mutex_lock(&host_lock);
	if (d->level >= 80 && instance < d->ninst)
		key = d->inst[instance].key;
	pthread_mutex_unlock(&host_lock);
	return key;
}

DDI_ENTRY(dev_t, ddisim_drv_dev, (ddisim_drv_t *dp, unsigned instance,
    unsigned channel), (dp, instance, channel))
{
	struct ddisim_drv *d = drv_check(dp, DDI_FUNC, DDI_CALLER);

	return d != NULL ? host_drv_dev(d, instance, channel) : NODEV;
}

/* A DDI 8 driver, held busy for a configuration change: 0 or errno. */
static int
config_begin(ddisim_drv_t *dp, struct ddisim_drv **dpp, const char *func,
    const void *caller)
{
	struct ddisim_drv *d;

	if ((d = drv_check(dp, func, caller)) == NULL)
		return EINVAL;
	if (d->level < 80) {
		verify_report(func, caller, "%s is not a DDI 8 driver: it has "
		    "no config entry point", d->prefix);
		return EINVAL;
	}
	pthread_mutex_lock(&host_lock);
	if (d->busy) {
		pthread_mutex_unlock(&host_lock);
		return EBUSY;
	}
	d->busy = true;
	pthread_mutex_unlock(&host_lock);
	*dpp = d;
	return 0;
}

static int
config_end(struct ddisim_drv *d, int rc)
{
	int e = inst_refresh(d);

	pthread_mutex_lock(&host_lock);
	d->busy = false;
	pthread_mutex_unlock(&host_lock);
	return rc != 0 ? rc : e;
}

DDI_ENTRY(int, ddisim_drv_config, (ddisim_drv_t *dp, unsigned instance,
    int func), (dp, instance, func))
{
	const void *caller = DDI_CALLER;
	struct ddisim_drv *d;
	uint32_t key = 0;
	int rc;

	if (func != CFG_SUSPEND && func != CFG_RESUME && func != CFG_MODIFY &&
	    func != CFG_VERIFY && func != CFG_REMOVE) {
		verify_report(DDI_FUNC, caller, "config function %d is none of "
		    "CFG_SUSPEND, CFG_RESUME, CFG_MODIFY, CFG_VERIFY, "
		    "CFG_REMOVE (ddisim_drv_add_board makes a CFG_ADD)", func);
		return EINVAL;
	}
	if ((rc = config_begin(dp, &d, DDI_FUNC, caller)) != 0)
		return rc;
	pthread_mutex_lock(&host_lock);
	if (instance < d->ninst)
		key = d->inst[instance].key;
	pthread_mutex_unlock(&host_lock);
	if (key == 0)
		return config_end(d, ENXIO);
	if (func == CFG_REMOVE && host_files_on(d, (int)instance) > 0)
		return config_end(d, EBUSY);
	{
		bool in = host_drv_enter(d);

		rc = drv_inst_config(d->info, key, func);
		host_drv_leave(in);
	}
	return config_end(d, rc);
}

DDI_ENTRY(int, ddisim_drv_add_board, (ddisim_drv_t *dp, unsigned key),
    (dp, key))
{
	struct ddisim_drv *d;
	unsigned slot;
	uint64_t need;
	int rc;

	if ((rc = config_begin(dp, &d, DDI_FUNC, DDI_CALLER)) != 0)
		return rc;
	/* the instance number it would take: the first free one */
	pthread_mutex_lock(&host_lock);
	for (slot = 0; slot < d->ninst && d->inst[slot].key != 0; slot++)
		;
	pthread_mutex_unlock(&host_lock);
	need = ((uint64_t)slot + 1) * d->chans;
	if (need > (uint64_t)d->nmajors * NMINORS)
		return config_end(d, ENOSPC);	/* no minor numbers left */
	{
		bool in = host_drv_enter(d);

		rc = drv_inst_add(d->info, key);
		host_drv_leave(in);
	}
	return config_end(d, rc);
}

DDI_ENTRY(int, ddisim_drv_remove_board, (ddisim_drv_t *dp, unsigned key),
    (dp, key))
{
	struct ddisim_drv *d;
	unsigned inst;
	int rc;

	if ((rc = config_begin(dp, &d, DDI_FUNC, DDI_CALLER)) != 0)
		return rc;
	/* its instance: files open on it keep it */
	pthread_mutex_lock(&host_lock);
	for (inst = 0; inst < d->ninst && d->inst[inst].key != key; inst++)
		;
	pthread_mutex_unlock(&host_lock);
	if (inst < d->ninst && host_files_on(d, (int)inst) > 0)
		return config_end(d, EBUSY);
	{
		bool in = host_drv_enter(d);

		rc = drv_inst_config(d->info, key, CFG_REMOVE);
		host_drv_leave(in);
	}
	return config_end(d, rc);
}

/* ---- the listing ---- */

static void
flags_text(int devflag, char *buf, size_t len)
{
	static const struct { int bit; const char *name; } f[] = {
		{ D_MP, "D_MP" }, { D_DMA, "D_DMA" }, { D_NOBRKUP,
		"D_NOBRKUP" }, { D_BLKOFF, "D_BLKOFF" }, { D_HOT, "D_HOT" },
	};
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		if (devflag & f[i].bit) {
			int k = snprintf(buf + n, len - n, "%s%s",
			    n > 0 ? "|" : "", f[i].name);

			if (k > 0 && (size_t)k < len - n)
				n += (size_t)k;
		}
	if (n == 0)
		(void)snprintf(buf, len, "0");
}

DDI_ENTRY_VOID(ddisim_drv_report, (FILE *f), (f))
{
	char flags[64], desc[256];

	if (f == NULL) {
		verify_report(DDI_FUNC, DDI_CALLER, "NULL stream");
		return;
	}
	pthread_mutex_lock(&host_lock);
	fprintf(f, "%-8s %-8s %-4s %-10s %-7s %-11s %s\n", "PREFIX", "MODNAME",
	    "DDI", "TYPE", "LOAD", "MAJOR", "FLAGS");
	for (struct ddisim_drv *d = drv_list; d != NULL; d = d->next) {
		const char *type;
		char maj[24];
		int devflag = d->level >= 80 && d->info != NULL ?
		    (int)d->info->drv_flags : d->devflag;

		if (d->busy)
			continue;
		if (d->flags & DDISIM_DRV_MODULE)
			type = "module";
		else if ((d->level >= 80 && d->info->drv_str != NULL) ||
		    (d->level < 80 && d->ops.info != NULL))
			type = "streams";
		else if ((d->level >= 80 &&
		    d->info->drv_ops->d_biostart != NULL) ||
		    (d->level < 80 && d->ops.strategy != NULL))
			type = "block+char";
		else
			type = "char";
		if (d->nmajors == 0)
			(void)snprintf(maj, sizeof(maj), "-");
		else if (d->nmajors == 1)
			(void)snprintf(maj, sizeof(maj), "%u",
			    (unsigned)d->major);
		else
			(void)snprintf(maj, sizeof(maj), "%u-%u",
			    (unsigned)d->major,
			    (unsigned)(d->major + d->nmajors - 1));
		flags_text(devflag, flags, sizeof(flags));
		fprintf(f, "%-8s %-8s %-4s %-10s %-7s %-11s %s%s%s\n",
		    d->prefix, d->modname, d->level >= 80 ? "8" : "<=7", type,
		    d->wrapper != NULL ? "module" : "static", maj, flags,
		    d->object != NULL ? " " : "", d->object != NULL ?
		    d->object : "");
		if (d->level >= 80) {
			for (unsigned i = 0; i < d->ninst; i++) {
				dev_t lo = dev_of(d, i, 0);
				dev_t hi = dev_of(d, i, d->chans - 1);

				if (d->inst[i].key == 0)
					continue;	/* removed */
				(void)rm_describe(d->inst[i].key, desc,
				    sizeof(desc));
				if (d->nmajors == 1)
					fprintf(f, "  instance %u: key %u, "
					    "minors %u-%u: %s\n", i,
					    (unsigned)d->inst[i].key,
					    (unsigned)geteminor(lo),
					    (unsigned)geteminor(hi), desc);
				else
					fprintf(f, "  instance %u: key %u, "
					    "devices %u,%u-%u,%u: %s\n", i,
					    (unsigned)d->inst[i].key,
					    (unsigned)getemajor(lo),
					    (unsigned)geteminor(lo),
					    (unsigned)getemajor(hi),
					    (unsigned)geteminor(hi), desc);
			}
		} else {
			uint32_t *keys;
			unsigned n;

			keys = rm_board_keys(d->modname, &n);
			for (unsigned i = 0; i < n && keys != NULL; i++) {
				(void)rm_describe(keys[i], desc, sizeof(desc));
				fprintf(f, "  board: key %u: %s\n",
				    (unsigned)keys[i], desc);
			}
			free(keys);
			if (d->ncookies > 0)
				fprintf(f, "  interrupts attached: %u\n",
				    d->ncookies);
		}
	}
	pthread_mutex_unlock(&host_lock);
}

/* ---- the machine going ---- */

size_t
host_leak_report(FILE *f)
{
	size_t n;

	if (!verify_leak_mine(NULL))
		return 0;	/* the host's records are no driver's */
	n = host_files_leak_report(f);
	pthread_mutex_lock(&host_lock);
	for (struct ddisim_drv *d = drv_list; d != NULL; d = d->next) {
		n++;
		if (f != NULL)
			fprintf(f, "ddicompat: leak: driver %s is still loaded "
			    "(ddisim_drv_unload)\n", d->prefix);
	}
	pthread_mutex_unlock(&host_lock);
	return n;
}

void
host_fini(void)
{
	host_files_fini();
	pthread_mutex_lock(&host_lock);
	while (drv_list != NULL) {
		struct ddisim_drv *d = drv_list;

		drv_list = d->next;
		if (d->ai != NULL)
			d->ai->di_modname = NULL;
		drv_free(d);
	}
	memset(majors, 0, sizeof(majors));
	pthread_mutex_unlock(&host_lock);
	str_fmod_lookup_set(NULL);
	host_sym_fini();
}
