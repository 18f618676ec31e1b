/*
 * rmdev.c - a driver that finds its board in the resource manager, as
 * UnixWare drivers did, compiled at two interface versions from this one
 * source:
 *
 *	-D_DDI=7	finds the board by its module name with cm_getbrdkey
 *			and reads each parameter with an atomic cm_getval;
 *			its interrupt handler takes the vector
 *	-D_DDI=8	is handed its key by the configuration code and reads
 *			its parameters in one read-only transaction; its
 *			handler takes its instance and says whether the board
 *			interrupted
 *
 * Either way it takes the board's port range and interrupt from the
 * database, attaches the interrupt with the board's key, and reads the
 * board's status register through the ports it was given.  The board
 * is a ddisim_dma device, which is a board of the resource manager.
 *
 * Compile as a legacy driver:
 *	cc $(pkg-config --cflags ddicompat) -D_DDI=7 -c rmdev.c
 */
#include <sys/types.h>
#include <sys/confmgr.h>
#include <sys/cm_i386at.h>
#include <sys/conf.h>
#include <sys/ddi.h>

#include "rmdev.h"

#define RMDEV_STATUS	0x04	/* the board's status register */

struct rmdev {
	rm_key_t	key;
	cm_range_t	io;
	cm_num_t	irq;
	cm_num_t	bus;
	void		*cookie;
	int		intrs;
};

static struct rmdev rmdev;

/* One value of a parameter of the board; 0 or an errno. */
static int
rmdev_get(rm_key_t key, char *param, void *val, size_t len)
{
	cm_args_t ca;

	ca.cm_key = key;
	ca.cm_param = param;
	ca.cm_val = val;
	ca.cm_vallen = len;
	ca.cm_n = 0;
	return cm_getval(&ca);
}

static int
rmdev_read_config(rm_key_t key)
{
	int error;

#if _DDI >= 8
	cm_begin_trans(key, RM_READ);
#endif
	error = rmdev_get(key, CM_IOADDR, &rmdev.io, sizeof(rmdev.io));
	if (error == 0)
		error = rmdev_get(key, CM_IRQ, &rmdev.irq, sizeof(rmdev.irq));
	if (error == 0)
		error = rmdev_get(key, CM_BRDBUSTYPE, &rmdev.bus,
		    sizeof(rmdev.bus));
#if _DDI >= 8
	cm_end_trans(key);
#endif
	return error;
}

#if _DDI >= 8
static int
rmdevintr(void *idata)
{
	struct rmdev *sc = idata;

	sc->intrs++;
	return ISTAT_ASSERTED;
}

static drvinfo_t rmdev_drvinfo = { NULL, "rmdev", D_MP };

int
rmdev8_attach(unsigned key)
{
	rmdev.key = key;
	if (rmdev_read_config(key) != 0)
		return -1;
	if (!cm_intr_attach(key, rmdevintr, &rmdev, &rmdev_drvinfo,
	    &rmdev.cookie))
		return -1;
	return 0;
}
#else
static int rmdevdevflag = D_MP;

static void
rmdevintr(int ivec)
{
	if ((cm_num_t)ivec == rmdev.irq)
		rmdev.intrs++;
}

int
rmdev7_attach(int unit)
{
	if (unit < 0 || (cm_num_t)unit >= cm_getnbrd("rmdev"))
		return -1;
	rmdev.key = cm_getbrdkey("rmdev", (cm_num_t)unit);
	if (rmdev.key == RM_NULL_KEY || rmdev_read_config(rmdev.key) != 0)
		return -1;
	if (!cm_intr_attach(rmdev.key, rmdevintr, &rmdevdevflag,
	    &rmdev.cookie))
		return -1;
	return 0;
}
#endif

unsigned long
RMDEV_FN(status)(void)
{
	return inl((int)rmdev.io.startaddr + RMDEV_STATUS);
}

unsigned long
RMDEV_FN(ports)(void)
{
	return rmdev.io.endaddr - rmdev.io.startaddr + 1;
}

unsigned long
RMDEV_FN(bus)(void)
{
	return rmdev.bus;
}

int
RMDEV_FN(intrs)(void)
{
	return rmdev.intrs;
}

void
RMDEV_FN(detach)(void)
{
	cm_intr_detach(rmdev.cookie);
	rmdev.cookie = NULL;
	rmdev.intrs = 0;
}
