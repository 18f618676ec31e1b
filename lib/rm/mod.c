/*
 * mod.c - loadable modules: the mod_drv_ops, mod_str_ops and mod_misc_ops
 * a wrapper (sys/moddefs.h) names, ddisim_mod_load(3) and
 * ddisim_mod_unload, which run a module's _load and _unload as the
 * kernel's loader did, and mod_drvattach(9) and mod_drvdetach(9), which
 * attach the interrupt routine of a driver that is not DDI 8 to every
 * board of its module name in the resource manager.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "util/forklock.h"
#include "machine/entry.h"
#include "verify/verify.h"
#include "rm/rm.h"

#include "sys/types.h"
#include "sys/moddefs.h"
#include "sys/ddi.h"
#include "exports.h"

DDI_VISIBLE struct mod_operations mod_drv_ops = { MOD_TY_DRV, "drv" };
DDI_VISIBLE struct mod_operations mod_str_ops = { MOD_TY_STR, "str" };
DDI_VISIBLE struct mod_operations mod_misc_ops = { MOD_TY_MISC, "misc" };

/* ---- the loaded modules ---- */

struct mod {
	struct mod		*next;
	struct modwrapper	*w;
	bool			busy;	/* its _load or _unload is running */
};

static FORK_MUTEX(mod_lock);
static struct mod *mod_list;	/* under mod_lock */

static struct mod *
mod_find(const struct modwrapper *w)
{
	for (struct mod *m = mod_list; m != NULL; m = m->next)
		if (m->w == w)
			return m;
	return NULL;
}

static bool
mod_wrapper_ok(const struct modwrapper *w, const char *func,
    const void *caller)
{
	const struct mod_operations *ops;

	if (w == NULL) {
		verify_report(func, caller, "NULL wrapper");
		return false;
	}
	if (w->mw_rev != MODREV || w->mw_modlink == NULL ||
	    (ops = w->mw_modlink[0].ml_ops) == NULL ||
	    (ops != &mod_drv_ops && ops != &mod_str_ops &&
	    ops != &mod_misc_ops)) {
		verify_report(func, caller, "%p is not a module wrapper "
		    "(MOD_DRV_WRAPPER and the others make one)",
		    (const void *)w);
		return false;
	}
	return true;
}

DDI_ENTRY(int, ddisim_mod_load, (struct modwrapper *w), (w))
{
	struct mod *m;
	int rc = 0;

	if (!mod_wrapper_ok(w, DDI_FUNC, DDI_CALLER))
		return EINVAL;
	if ((m = calloc(1, sizeof(*m))) == NULL)
		return ENOMEM;
	m->w = w;
	m->busy = true;
	pthread_mutex_lock(&mod_lock);
	if (mod_find(w) != NULL) {
		pthread_mutex_unlock(&mod_lock);
		free(m);
		return EEXIST;
	}
	m->next = mod_list;
	mod_list = m;
	pthread_mutex_unlock(&mod_lock);
	if (w->mw_load != NULL)
		rc = w->mw_load();
	pthread_mutex_lock(&mod_lock);
	if (rc != 0) {
		struct mod **pp;

		for (pp = &mod_list; *pp != m; pp = &(*pp)->next)
			;
		*pp = m->next;
	} else {
		m->busy = false;
	}
	pthread_mutex_unlock(&mod_lock);
	if (rc != 0)
		free(m);
	return rc;
}

DDI_ENTRY(int, ddisim_mod_unload, (struct modwrapper *w), (w))
{
	struct mod *m, **pp;
	int rc = 0;

	if (!mod_wrapper_ok(w, DDI_FUNC, DDI_CALLER))
		return EINVAL;
	pthread_mutex_lock(&mod_lock);
	if ((m = mod_find(w)) == NULL || m->busy) {
		pthread_mutex_unlock(&mod_lock);
		return m == NULL ? ENOENT : EBUSY;
	}
	m->busy = true;
	pthread_mutex_unlock(&mod_lock);
	if (w->mw_unload != NULL)
		rc = w->mw_unload();
	pthread_mutex_lock(&mod_lock);
	if (rc != 0) {
		m->busy = false;	/* it stays loaded */
	} else {
		for (pp = &mod_list; *pp != m; pp = &(*pp)->next)
			;
		*pp = m->next;
	}
	pthread_mutex_unlock(&mod_lock);
	if (rc == 0)
		free(m);
	return rc;
}

DDI_ENTRY(int, ddisim_mod_loaded, (const struct modwrapper *w), (w))
{
	struct mod *m;
	int loaded;

	pthread_mutex_lock(&mod_lock);
	loaded = (m = mod_find(w)) != NULL && !m->busy;
	pthread_mutex_unlock(&mod_lock);
	return loaded;
}

/* ---- a driver's interrupts: mod_drvattach, mod_drvdetach ---- */

/* What di_hook points to: the cookies of the boards attached. */
struct mod_hook {
	struct mod_hook		*next;	/* hook_list */
	struct mod_drvintr	*di;
	uint32_t	magic;
	unsigned	n;
	void		*cookie[];
};
#define HOOK_LIVE	0x686f6f6bu	/* "hook" */

/* Guards every attach_info's di_hook. */
static FORK_MUTEX(hook_lock);
static struct mod_hook *hook_list;	/* under hook_lock */

static bool
intr_info_ok(const struct mod_drvintr *di, const char *func,
    const void *caller)
{
	if (di != NULL && di->di_magic == MOD_INTR_MAGIC &&
	    di->di_version == MOD_INTR_VER && di->di_modname == NULL &&
	    di->di_handler == NULL) {
		verify_report(func, caller, "%p is the blank attach_info a "
		    "module wrapper makes: ddisim_drv_load(3) fills it in, as "
		    "the configuration tools did (ddisim_mod_load does not)",
		    (const void *)di);
		return false;
	}
	if (di == NULL || di->di_magic != MOD_INTR_MAGIC ||
	    di->di_version != MOD_INTR_VER || di->di_modname == NULL ||
	    di->di_handler == NULL) {
		verify_report(func, caller, "%p is not an attach_info "
		    "(struct mod_drvintr with MOD_INTR_MAGIC, MOD_INTR_VER, "
		    "a module name and a handler)", (const void *)di);
		return false;
	}
	return true;
}

DDI_ENTRY_VOID(mod_drvattach, (void *iip), (iip))
{
	const void *caller = DDI_CALLER;
	struct mod_drvintr *di = iip;
	struct mod_hook *h;
	uint32_t *keys;
	unsigned n;

	if (!intr_info_ok(di, DDI_FUNC, caller))
		return;
	pthread_mutex_lock(&hook_lock);
	if (di->di_hook != NULL) {
		pthread_mutex_unlock(&hook_lock);
		verify_report(DDI_FUNC, caller, "\"%s\": its interrupts are "
		    "attached already", di->di_modname);
		return;
	}
	keys = rm_board_keys(di->di_modname, &n);
	h = calloc(1, sizeof(*h) + n * sizeof(h->cookie[0]));
	if (h == NULL) {
		pthread_mutex_unlock(&hook_lock);
		free(keys);
		verify_report(DDI_FUNC, caller, "\"%s\": out of memory; no "
		    "interrupt attached", di->di_modname);
		return;
	}
	h->magic = HOOK_LIVE;
	for (unsigned i = 0; i < n; i++)
		if (_Compat_cm_intr_attach5(keys[i], di->di_handler,
		    di->di_devflagp, &h->cookie[h->n]) != 0)
			h->n++;
	h->di = di;
	h->next = hook_list;
	hook_list = h;
	di->di_hook = h;
	pthread_mutex_unlock(&hook_lock);
	free(keys);
}

DDI_ENTRY_VOID(mod_drvdetach, (void *iip), (iip))
{
	const void *caller = DDI_CALLER;
	struct mod_drvintr *di = iip;
	struct mod_hook *h;

	if (!intr_info_ok(di, DDI_FUNC, caller))
		return;
	pthread_mutex_lock(&hook_lock);
	h = di->di_hook;
	if (h == NULL || h->magic != HOOK_LIVE) {
		pthread_mutex_unlock(&hook_lock);
		verify_report(DDI_FUNC, caller, "\"%s\": its interrupts are "
		    "not attached", di->di_modname);
		return;
	}
	di->di_hook = NULL;
	for (struct mod_hook **pp = &hook_list; *pp != NULL;
	    pp = &(*pp)->next)
		if (*pp == h) {
			*pp = h->next;
			break;
		}
	pthread_mutex_unlock(&hook_lock);
	for (unsigned i = 0; i < h->n; i++)
		cm_intr_detach(h->cookie[i]);
	h->magic = 0;
	free(h);
}

void
mod_fini(void)
{
	pthread_mutex_lock(&mod_lock);
	while (mod_list != NULL) {
		struct mod *m = mod_list;

		mod_list = m->next;
		free(m);
	}
	pthread_mutex_unlock(&mod_lock);
	/* the interrupts went with the machine; the attach_infos stay */
	pthread_mutex_lock(&hook_lock);
	while (hook_list != NULL) {
		struct mod_hook *h = hook_list;

		hook_list = h->next;
		h->di->di_hook = NULL;
		free(h);
	}
	pthread_mutex_unlock(&hook_lock);
}
