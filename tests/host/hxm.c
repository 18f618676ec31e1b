/*
 * hxm.c - a DDI 7 loadable driver (a DLKM): its wrapper names _load and
 * _unload, and _load attaches its interrupts with mod_drvattach through
 * the hxm_attach_info the wrapper makes and the host fills in, as the
 * configuration tools did.  D_MP.
 */
#include <sys/types.h>
#include <sys/cred.h>
#include <sys/kmem.h>
#include <sys/moddefs.h>
#include <sys/conf.h>
#include <sys/ddi.h>
#include <errno.h>

#include "hx.h"

int	hxmopen(dev_t *, int, int, cred_t *);
int	hxmioctl(dev_t, int, void *, int, cred_t *, int *);
void	hxmintr(int);

int hxmdevflag = D_MP;

static int hxm_load(void);
static int hxm_unload(void);
MOD_DRV_WRAPPER(hxm, hxm_load, hxm_unload, NULL, "hxm - loadable test");

static int *hxm_count;		/* interrupts taken */
int hxm_refuse_unload;		/* the test's: _unload says EBUSY */

static int
hxm_load(void)
{
	if ((hxm_count = kmem_zalloc(sizeof(*hxm_count), KM_NOSLEEP)) == NULL)
		return ENOMEM;
	mod_drvattach(&hxm_attach_info);
	return 0;
}

static int
hxm_unload(void)
{
	if (hxm_refuse_unload)
		return EBUSY;
	mod_drvdetach(&hxm_attach_info);
	kmem_free(hxm_count, sizeof(*hxm_count));
	return 0;
}

/* ARGSUSED */
int
hxmopen(dev_t *devp, int oflag, int otyp, cred_t *crp)
{
	(void)oflag;
	(void)otyp;
	(void)crp;
	return getminor(*devp) == 0 ? 0 : ENXIO;
}

/* ARGSUSED */
int
hxmioctl(dev_t dev, int cmd, void *arg, int mode, cred_t *crp, int *rvalp)
{
	(void)dev;
	(void)arg;
	(void)mode;
	(void)crp;
	if (cmd != HX_GETSIZE)
		return EINVAL;
	*rvalp = *hxm_count;
	return 0;
}

void
hxmintr(int ivec)
{
	(void)ivec;
	(*hxm_count)++;
}
