/*
 * drv.c - DDI 8 configuration and inter-driver calls: drv_attach(9)
 * registers a driver and gives it, through its config entry point, every
 * board of the resource manager whose CM_MODNAME is its name; drv_open(9)
 * opens a channel of one of those instances for another driver, and
 * do_biostart, do_devinfo, do_ioctl and do_drvctl call the instance's
 * entry points through the handle.
 *
 * One lock guards the registry; no driver entry point is called with it
 * held, so a config routine may itself open another driver.  A driver
 * being attached or detached is "busy": drv_open does not find it, a
 * second drv_attach or drv_detach of it is refused.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/forklock.h"
#include "util/level.h"
#include "machine/entry.h"
#include "verify/verify.h"
#include "bio/bio.h"
#include "rm/rm.h"

#include "sys/types.h"
#include "sys/buf.h"
#include "sys/conf.h"
#include "exports.h"

#define CHAN_LIVE	0x6368616eu	/* "chan" */

struct drv_chancnt {
	struct drv_chancnt	*next;
	channel_t		ch;
	unsigned		n;	/* handles open on ch */
};

struct drv_inst {
	struct drv_inst		*next;
	rm_key_t		key;
	void			*idata;	/* config's CFG_ADD answer */
	unsigned		opens;	/* handles, and opens under way */
	struct drv_chancnt	*chans;
};

struct drv {
	struct drv		*next;
	const drvinfo_t		*info;
	const drvops_t		*ops;
	char			*name;
	struct drv_inst		*insts;
	bool			busy;	/* being attached or detached */
};

struct __ddi_chan {
	struct __ddi_chan	*next;
	uint32_t		magic;	/* CHAN_LIVE while open */
	struct drv		*d;
	struct drv_inst		*in;
	channel_t		ch;
};

static FORK_MUTEX(drv_lock);
static struct drv *drv_list;		/* under drv_lock */
static struct __ddi_chan *chan_list;	/* under drv_lock */

static struct drv *
drv_find(const drvinfo_t *info, const char *name)
{
	for (struct drv *d = drv_list; d != NULL; d = d->next)
		if (d->info == info ||
		    (name != NULL && strcmp(d->name, name) == 0))
			return d;
	return NULL;
}

static struct drv_inst *
inst_find(rm_key_t key, struct drv **dp)
{
	for (struct drv *d = drv_list; d != NULL; d = d->next) {
		if (d->busy)
			continue;
		for (struct drv_inst *in = d->insts; in != NULL;
		    in = in->next)
			if (in->key == key) {
				*dp = d;
				return in;
			}
	}
	return NULL;
}

/* A live handle, or NULL with a report in func's name. */
static struct __ddi_chan *
chan_check(chan_handle_t h, const char *func, const void *caller)
{
	for (struct __ddi_chan *c = chan_list; c != NULL; c = c->next)
		if (c == h && c->magic == CHAN_LIVE)
			return c;
	verify_report(func, caller, "%p is not an open channel handle "
	    "(never returned by drv_open, or closed)", (void *)h);
	return NULL;
}

static void
inst_free(struct drv_inst *in)
{
	while (in->chans != NULL) {
		struct drv_chancnt *cc = in->chans;

		in->chans = cc->next;
		free(cc);
	}
	free(in);
}

static void
chan_free(struct __ddi_chan *c)
{
	c->magic = 0;
	free(c);
}

DDI_ENTRY(int, drv_attach, (const drvinfo_t *infop), (infop))
{
	const void *caller = DDI_CALLER;
	struct drv *d, *old;
	uint32_t *keys;
	unsigned n;

	if (infop == NULL || infop->drv_name == NULL ||
	    infop->drv_name[0] == '\0' || infop->drv_ops == NULL) {
		verify_report(DDI_FUNC, caller, "%s", infop == NULL ?
		    "NULL drvinfo" : infop->drv_ops == NULL ?
		    "drvinfo without drv_ops" : "drvinfo without a drv_name");
		return EINVAL;
	}
	if ((d = calloc(1, sizeof(*d))) == NULL ||
	    (d->name = strdup(infop->drv_name)) == NULL) {
		free(d);
		return ENOMEM;
	}
	d->info = infop;
	d->ops = infop->drv_ops;
	d->busy = true;
	pthread_mutex_lock(&drv_lock);
	if ((old = drv_find(infop, infop->drv_name)) != NULL) {
		pthread_mutex_unlock(&drv_lock);
		verify_report(DDI_FUNC, caller, "driver \"%s\" is already "
		    "attached%s", infop->drv_name, old->info == infop ? "" :
		    " (another drvinfo of that name)");
		free(d->name);
		free(d);
		return EEXIST;
	}
	d->next = drv_list;
	drv_list = d;
	pthread_mutex_unlock(&drv_lock);

	keys = rm_board_keys(infop->drv_name, &n);
	for (unsigned i = 0; i < n; i++) {
		struct drv_inst *in = calloc(1, sizeof(*in));
		void *idata = NULL;

		if (in == NULL)
			break;
		if (d->ops->d_config != NULL &&
		    d->ops->d_config(CFG_ADD, &idata, keys[i]) != 0) {
			/* the driver refused this instance: not added */
			free(in);
			continue;
		}
		in->key = keys[i];
		in->idata = idata;
		pthread_mutex_lock(&drv_lock);
		in->next = d->insts;
		d->insts = in;
		pthread_mutex_unlock(&drv_lock);
	}
	free(keys);
	pthread_mutex_lock(&drv_lock);
	d->busy = false;
	pthread_mutex_unlock(&drv_lock);
	return 0;
}

DDI_ENTRY_VOID(drv_detach, (const drvinfo_t *infop), (infop))
{
	const void *caller = DDI_CALLER;
	struct drv *d, **pp;
	unsigned open = 0;

	pthread_mutex_lock(&drv_lock);
	for (d = drv_list; d != NULL && d->info != infop; d = d->next)
		;
	if (d == NULL || d->busy) {
		pthread_mutex_unlock(&drv_lock);
		if (d == NULL)
			verify_report(DDI_FUNC, caller, "drvinfo %p (\"%s\") "
			    "is not attached", (const void *)infop,
			    infop != NULL && infop->drv_name != NULL ?
			    infop->drv_name : "?");
		else
			verify_report(DDI_FUNC, caller, "driver \"%s\" is "
			    "being attached or detached", d->name);
		return;
	}
	for (struct drv_inst *in = d->insts; in != NULL; in = in->next)
		open += in->opens;
	if (open > 0) {
		pthread_mutex_unlock(&drv_lock);
		verify_report(DDI_FUNC, caller, "driver \"%s\" has %u "
		    "channel%s still open (drv_close them first); not "
		    "detached", d->name, open, open == 1 ? "" : "s");
		return;
	}
	d->busy = true;
	pthread_mutex_unlock(&drv_lock);

	while (d->insts != NULL) {
		struct drv_inst *in = d->insts;

		d->insts = in->next;
		if (d->ops->d_config != NULL)
			(void)d->ops->d_config(CFG_REMOVE, in->idata,
			    in->key);
		inst_free(in);
	}
	pthread_mutex_lock(&drv_lock);
	for (pp = &drv_list; *pp != d; pp = &(*pp)->next)
		;
	*pp = d->next;
	pthread_mutex_unlock(&drv_lock);
	free(d->name);
	free(d);
}

DDI_ENTRY(int, drv_open, (rm_key_t key, channel_t *channelp, int oflags,
    cred_t *crp, chan_handle_t *chan_handlep), (key, channelp, oflags, crp,
    chan_handlep))
{
	const void *caller = DDI_CALLER;
	struct __ddi_chan *c;
	struct drv_chancnt *cc;
	struct drv_inst *in;
	struct drv *d = NULL;
	channel_t ch;
	int rc = 0;

	if (channelp == NULL || chan_handlep == NULL) {
		verify_report(DDI_FUNC, caller, "NULL %s", channelp == NULL ?
		    "channel pointer" : "handle pointer");
		return EINVAL;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (cc = calloc(1, sizeof(*cc))) == NULL) {
		free(c);
		return ENOMEM;
	}
	ch = *channelp;
	pthread_mutex_lock(&drv_lock);
	if ((in = inst_find(key, &d)) == NULL ||
	    ch > d->info->drv_maxchan) {
		pthread_mutex_unlock(&drv_lock);
		free(c);
		free(cc);
		return ENXIO;
	}
	in->opens++;		/* drv_detach waits for this open */
	pthread_mutex_unlock(&drv_lock);

	if (d->ops->d_open != NULL)
		rc = d->ops->d_open(in->idata, &ch, oflags, crp, NULL);

	pthread_mutex_lock(&drv_lock);
	if (rc != 0) {
		in->opens--;
		pthread_mutex_unlock(&drv_lock);
		free(c);
		free(cc);
		return rc;
	}
	c->magic = CHAN_LIVE;
	c->d = d;
	c->in = in;
	c->ch = ch;
	c->next = chan_list;
	chan_list = c;
	{
		struct drv_chancnt *e = in->chans;

		while (e != NULL && e->ch != ch)
			e = e->next;
		if (e == NULL) {
			cc->ch = ch;
			cc->next = in->chans;
			in->chans = e = cc;
			cc = NULL;
		}
		e->n++;
	}
	pthread_mutex_unlock(&drv_lock);
	free(cc);
	*channelp = ch;
	*chan_handlep = c;
	return 0;
}

DDI_ENTRY(int, drv_close, (chan_handle_t chan_handle, int oflags,
    cred_t *crp), (chan_handle, oflags, crp))
{
	const void *caller = DDI_CALLER;
	struct __ddi_chan *c, **pp;
	struct drv_chancnt *e, **ep;
	bool last;
	int rc = 0;

	pthread_mutex_lock(&drv_lock);
	if ((c = chan_check(chan_handle, DDI_FUNC, caller)) == NULL) {
		pthread_mutex_unlock(&drv_lock);
		return EINVAL;
	}
	for (pp = &chan_list; *pp != c; pp = &(*pp)->next)
		;
	*pp = c->next;
	c->magic = 0;
	for (ep = &c->in->chans; (*ep)->ch != c->ch; ep = &(*ep)->next)
		;
	e = *ep;
	last = --e->n == 0;
	if (last)
		*ep = e->next;
	pthread_mutex_unlock(&drv_lock);
	if (last) {
		free(e);
		if (c->d->ops->d_close != NULL)
			rc = c->d->ops->d_close(c->in->idata, c->ch, oflags,
			    crp, NULL);
	}
	pthread_mutex_lock(&drv_lock);
	c->in->opens--;
	pthread_mutex_unlock(&drv_lock);
	chan_free(c);
	return rc;
}

/* What an entry point call through a handle needs, read under the lock. */
struct chan_view {
	const drvops_t	*ops;
	void		*idata;
	channel_t	ch;
};

static bool
chan_view(chan_handle_t h, struct chan_view *v, const char *func,
    const void *caller)
{
	struct __ddi_chan *c;

	v->ops = NULL;
	pthread_mutex_lock(&drv_lock);
	if ((c = chan_check(h, func, caller)) != NULL) {
		v->ops = c->d->ops;
		v->idata = c->in->idata;
		v->ch = c->ch;
	}
	pthread_mutex_unlock(&drv_lock);
	return c != NULL;
}

DDI_ENTRY(int, do_devinfo, (chan_handle_t chan_handle, di_parm_t parm,
    void *valp), (chan_handle, parm, valp))
{
	struct chan_view v;

	if (!chan_view(chan_handle, &v, DDI_FUNC, DDI_CALLER))
		return EINVAL;
	if (v.ops->d_devinfo == NULL)
		return EOPNOTSUPP;
	return v.ops->d_devinfo(v.idata, v.ch, parm, valp);
}

DDI_ENTRY(int, do_ioctl, (chan_handle_t chan_handle, int cmd, void *arg,
    int oflags, cred_t *crp, int *rvalp), (chan_handle, cmd, arg, oflags,
    crp, rvalp))
{
	struct chan_view v;

	if (!chan_view(chan_handle, &v, DDI_FUNC, DDI_CALLER))
		return EINVAL;
	if (v.ops->d_ioctl == NULL)
		return ENOTTY;
	return v.ops->d_ioctl(v.idata, v.ch, cmd, arg, oflags, crp, rvalp);
}

DDI_ENTRY(int, do_drvctl, (chan_handle_t chan_handle, int cmd, void *arg),
    (chan_handle, cmd, arg))
{
	struct chan_view v;

	if (!chan_view(chan_handle, &v, DDI_FUNC, DDI_CALLER))
		return EINVAL;
	if (v.ops->d_drvctl == NULL)
		return EINVAL;
	return v.ops->d_drvctl(v.idata, v.ch, cmd, arg);
}

/*
 * The strategy routine do_biostart gives buf_breakup, which calls it in
 * the calling thread, before it returns (as ddisim_bio_submit relies
 * on): the target is the one do_biostart is serving in this thread.
 */
static DDI_TLS const struct chan_view *drv_cur;

static void
drv_strat(buf_t *bp)
{
	const struct chan_view *v = drv_cur;

	VERIFY(v != NULL);
	v->ops->d_biostart(v->idata, v->ch, bp);
}

DDI_ENTRY_VOID(do_biostart, (chan_handle_t chan_handle, buf_t *bp),
    (chan_handle, bp))
{
	const void *caller = DDI_CALLER;
	const struct chan_view *saved = drv_cur;
	struct chan_view v;
	bcb_t *bcb = NULL;
	int rc;

	if (bp == NULL) {
		verify_report(DDI_FUNC, caller, "NULL buf");
		return;
	}
	if (!chan_view(chan_handle, &v, DDI_FUNC, caller) ||
	    v.ops->d_biostart == NULL) {
		bioerror(bp, v.ops == NULL ? EINVAL : ENXIO);
		biodone(bp);
		return;
	}
	rc = v.ops->d_devinfo == NULL ? EOPNOTSUPP :
	    v.ops->d_devinfo(v.idata, v.ch, (bp->b_flags & B_READ) ?
	    DI_RBCBP : DI_WBCBP, &bcb);
	if (rc != 0 || bcb == NULL) {
		verify_report(DDI_FUNC, caller, "the driver gives no breakup "
		    "control block for %s (devinfo: %d)",
		    (bp->b_flags & B_READ) ? "DI_RBCBP" : "DI_WBCBP", rc);
		bioerror(bp, EIO);
		biodone(bp);
		return;
	}
	drv_cur = &v;		/* a biostart may itself call do_biostart */
	bio_breakup(drv_strat, bp, bcb, LEVEL_LATEST, DDI_FUNC, caller);
	drv_cur = saved;
}

/* ---- for the driver host ---- */

const struct drvinfo *
drv_by_name(const char *name)
{
	const struct drvinfo *info = NULL;
	struct drv *d;

	pthread_mutex_lock(&drv_lock);
	if ((d = drv_find(NULL, name)) != NULL && !d->busy)
		info = d->info;
	pthread_mutex_unlock(&drv_lock);
	return info;
}

unsigned
drv_instances(const struct drvinfo *info, uint32_t *keys, void **idata,
    unsigned max)
{
	unsigned n = 0, i;
	struct drv *d;

	pthread_mutex_lock(&drv_lock);
	if ((d = drv_find(info, NULL)) != NULL)
		for (struct drv_inst *in = d->insts; in != NULL;
		    in = in->next) {
			/* in key order: the list is newest first */
			for (i = n; i > 0 && keys[i - 1] > in->key; i--)
				if (i < max) {
					keys[i] = keys[i - 1];
					idata[i] = idata[i - 1];
				}
			if (i < max) {
				keys[i] = in->key;
				idata[i] = in->idata;
			}
			n++;
		}
	pthread_mutex_unlock(&drv_lock);
	return n;
}

int
drv_inst_add(const struct drvinfo *info, uint32_t key)
{
	struct drv_inst *in;
	struct drv *d, *other;
	void *idata = NULL;
	int rc = 0;

	if ((in = calloc(1, sizeof(*in))) == NULL)
		return ENOMEM;
	pthread_mutex_lock(&drv_lock);
	if ((d = drv_find(info, NULL)) == NULL || d->busy) {
		pthread_mutex_unlock(&drv_lock);
		free(in);
		return d == NULL ? ENOENT : EBUSY;
	}
	if (inst_find(key, &other) != NULL) {
		pthread_mutex_unlock(&drv_lock);
		free(in);
		return EEXIST;
	}
	d->busy = true;
	pthread_mutex_unlock(&drv_lock);
	if (d->ops->d_config != NULL)
		rc = d->ops->d_config(CFG_ADD, &idata, key);
	pthread_mutex_lock(&drv_lock);
	if (rc == 0) {
		in->key = key;
		in->idata = idata;
		in->next = d->insts;
		d->insts = in;
		in = NULL;
	}
	d->busy = false;
	pthread_mutex_unlock(&drv_lock);
	free(in);
	return rc;
}

int
drv_inst_config(const struct drvinfo *info, uint32_t key, int func)
{
	struct drv_inst *in, **pp;
	struct drv *d;
	int rc;

	pthread_mutex_lock(&drv_lock);
	if ((d = drv_find(info, NULL)) == NULL || d->busy) {
		pthread_mutex_unlock(&drv_lock);
		return d == NULL ? ENOENT : EBUSY;
	}
	for (pp = &d->insts; (in = *pp) != NULL && in->key != key;
	    pp = &in->next)
		;
	if (in == NULL) {
		pthread_mutex_unlock(&drv_lock);
		return ENXIO;
	}
	if (func == CFG_REMOVE && in->opens > 0) {
		pthread_mutex_unlock(&drv_lock);
		return EBUSY;
	}
	d->busy = true;
	pthread_mutex_unlock(&drv_lock);
	rc = d->ops->d_config != NULL ? d->ops->d_config((cfg_func_t)func,
	    in->idata, key) : func == CFG_REMOVE ? 0 : EOPNOTSUPP;
	pthread_mutex_lock(&drv_lock);
	if (func == CFG_REMOVE && rc == 0) {
		for (pp = &d->insts; *pp != in; pp = &(*pp)->next)
			;
		*pp = in->next;
		inst_free(in);
	}
	d->busy = false;
	pthread_mutex_unlock(&drv_lock);
	return rc;
}

void
drv_fini(void)
{
	pthread_mutex_lock(&drv_lock);
	while (chan_list != NULL) {
		struct __ddi_chan *c = chan_list;

		chan_list = c->next;
		chan_free(c);
	}
	while (drv_list != NULL) {
		struct drv *d = drv_list;

		drv_list = d->next;
		while (d->insts != NULL) {
			struct drv_inst *in = d->insts;

			d->insts = in->next;
			inst_free(in);
		}
		free(d->name);
		free(d);
	}
	pthread_mutex_unlock(&drv_lock);
}
