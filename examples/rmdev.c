/*
 * rmdev.c - a driver that finds its board in the resource manager, as
 * UnixWare drivers did, compiled at two interface versions from this one
 * source, each a loadable module with a prefix of its own (rmdev7 and
 * rmdev8) so that both can be loaded at once:
 *
 *	-D_DDI=7	its _load finds the board by its module name with
 *			cm_getbrdkey, reads each parameter with an atomic
 *			cm_getval, and attaches its interrupt routine, which
 *			takes the vector, with mod_drvattach; its entry
 *			points are rmdev7open, rmdev7ioctl ...
 *	-D_DDI=8	its _load calls drv_attach, and its config entry
 *			point is handed the board's key with CFG_ADD; it
 *			reads the parameters in one read-only transaction;
 *			its handler takes its instance and says whether the
 *			board interrupted; its entry points are drvops
 *
 * Either way it takes the board's port range, memory range and interrupt
 * from the database, and reads the board's status register through the
 * ports it was given.  The board also has its registers in memory space
 * (its CM_MEMADDR): the driver maps them, with physmap at DDI 7 and
 * devmem_mapin at DDI 8, and reads a block through them with plain loads
 * and stores, as drivers of memory-mapped boards did.  A program opens minor (channel) 0 and asks with the
 * ioctls of rmdev.h.  The board is a ddisim_dma device, which is a board
 * of the resource manager.
 *
 * Compile as a legacy driver:
 *	cc $(pkg-config --cflags ddicompat) -D_DDI=7 -c rmdev.c
 */
#include <sys/types.h>
#include <sys/errno.h>
#include <sys/kmem.h>
#include <sys/ksynch.h>
#include <sys/confmgr.h>
#include <sys/cm_i386at.h>
#include <sys/conf.h>
#include <sys/cred.h>
#include <sys/moddefs.h>
#include <sys/stream.h>
#include <sys/ddi.h>

#include "rmdev.h"

#if _DDI >= 8
#define RMDEV_NAME	"rmdev8"	/* its module name, and its boards' */
#else
#define RMDEV_NAME	"rmdev7"
#endif

/* The board's registers, in I/O and in memory space alike. */
#define RMDEV_CMD	0x00	/* W: 1 reads a block into memory */
#define RMDEV_STATUS	0x04	/* R: 1 busy, 2 done, 8 failed */
#define RMDEV_ADDR_LO	0x08	/* where in memory */
#define RMDEV_ADDR_HI	0x0c
#define RMDEV_LEN	0x10	/* bytes */
#define RMDEV_BLK_LO	0x14	/* which block */
#define RMDEV_BLK_HI	0x18
#define RMDEV_DONE	0x20	/* R: bytes moved */
#define RMDEV_NREGS	(0x24 / 4)

#define RMDEV_GO_READ	0x1
#define RMDEV_ST_DONE	0x2
#define RMDEV_ST_ERROR	0x8

struct rmdev {
	rm_key_t	key;
	cm_range_t	io;
	cm_range_t	mem;
	volatile uint_t	*regs;		/* the mapped registers */
	size_t		regsize;
	char		*buf;		/* a block the board can reach */
	paddr_t		bufpa;
#if _DDI >= 8
	physreq_t	*preq;
#endif
	cm_num_t	irq;
	cm_num_t	bus;
	void		*cookie;
	int		intrs;
	sleep_t		*busy;		/* one block read at a time */
};

static struct rmdev rmdev;
static LKINFO_DECL(rmdev_lkinfo, "rmdev:busy", 0);

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
		error = rmdev_get(key, CM_MEMADDR, &rmdev.mem,
		    sizeof(rmdev.mem));
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

/*
 * Map the registers and get a block of memory the board can reach: DDI 8
 * names the memory by key and range, and allocates to a physreq.
 */
static int
rmdev_map(rm_key_t key)
{
#if _DDI >= 8
	if (devmem_size(key, 0, &rmdev.regsize) != 0 ||
	    rmdev.regsize < RMDEV_NREGS * 4)
		return -1;
	rmdev.regs = devmem_mapin(key, 0, 0, rmdev.regsize);
	if (rmdev.regs == NULL)
		return -1;
	rmdev.preq = physreq_alloc(KM_SLEEP);
	rmdev.preq->phys_align = RMDEV_BSIZE;
	rmdev.preq->phys_dmasize = 32;
	rmdev.preq->phys_flags = PREQ_PHYSCONTIG;
	if (!physreq_prep(rmdev.preq, KM_SLEEP))
		return -1;
	rmdev.buf = kmem_alloc_phys(RMDEV_BSIZE, rmdev.preq, &rmdev.bufpa, 0);
	return rmdev.buf != NULL ? 0 : -1;
#else
	(void)key;
	rmdev.regsize = rmdev.mem.endaddr - rmdev.mem.startaddr + 1;
	rmdev.regs = physmap(rmdev.mem.startaddr, rmdev.regsize, KM_SLEEP);
	if (rmdev.regs == NULL)
		return -1;
	/* DDI 7 kernel memory is below 4 GiB; a block does not cross pages */
	rmdev.buf = kmem_alloc(RMDEV_BSIZE, KM_SLEEP);
	rmdev.bufpa = vtop(rmdev.buf, NULL);
	return 0;
#endif
}

static void
rmdev_unmap(void)
{
#if _DDI >= 8
	if (rmdev.regs != NULL)
		devmem_mapout((void *)rmdev.regs, rmdev.regsize);
	if (rmdev.buf != NULL)
		kmem_free(rmdev.buf, RMDEV_BSIZE);
	if (rmdev.preq != NULL)
		physreq_free(rmdev.preq);
	rmdev.preq = NULL;
#else
	if (rmdev.regs != NULL)
		physmap_free((void *)rmdev.regs, rmdev.regsize, 0);
	if (rmdev.buf != NULL)
		kmem_free(rmdev.buf, RMDEV_BSIZE);
#endif
	rmdev.regs = NULL;
	rmdev.buf = NULL;
}

#define REG(off)	rmdev.regs[(off) / 4]

/*
 * Read block blk into the driver's buffer through the memory-mapped
 * registers, waiting for the board a millisecond at a time: 0, or -1
 * when it fails or does not finish.
 */
static int
rmdev_read(unsigned blk)
{
	int tries;

	REG(RMDEV_ADDR_LO) = rmdev.bufpa;
	REG(RMDEV_ADDR_HI) = 0;
	REG(RMDEV_LEN) = RMDEV_BSIZE;
	REG(RMDEV_BLK_LO) = blk;
	REG(RMDEV_BLK_HI) = 0;
	REG(RMDEV_CMD) = RMDEV_GO_READ;
	for (tries = 0; tries < 100; tries++) {
		drv_usecwait(1000);
		if (REG(RMDEV_STATUS) & (RMDEV_ST_DONE | RMDEV_ST_ERROR))
			break;
	}
	if ((REG(RMDEV_STATUS) & RMDEV_ST_DONE) == 0 ||
	    (REG(RMDEV_STATUS) & RMDEV_ST_ERROR) != 0 ||
	    REG(RMDEV_DONE) != RMDEV_BSIZE)
		return -1;
	return 0;
}

/* The board, its key: its parameters, its registers, a buffer. */
static int
rmdev_attach(rm_key_t key)
{
	rmdev.key = key;
	if (rmdev_read_config(key) != 0 || rmdev_map(key) != 0) {
		rmdev_unmap();
		rmdev.key = 0;
		return ENXIO;
	}
	rmdev.busy = SLEEP_ALLOC(0, &rmdev_lkinfo, KM_SLEEP);
	return 0;
}

static void
rmdev_detach(void)
{
	SLEEP_DEALLOC(rmdev.busy);
	rmdev_unmap();
	rmdev.key = 0;
	rmdev.intrs = 0;
}

/* What a program asks, the same at either version. */
static int
rmdev_ioctl(int cmd, void *arg, int *rvalp)
{
	struct rmdev_info info;
	struct rmdev_rd rd;
	int error = 0;

	switch (cmd) {
	case RMDEV_INFO:
		bzero(&info, sizeof(info));
		info.ri_ports = rmdev.io.endaddr - rmdev.io.startaddr + 1;
		info.ri_mem = rmdev.mem.startaddr;
		info.ri_bus = rmdev.bus;
		info.ri_status = inl((int)rmdev.io.startaddr + RMDEV_STATUS);
		info.ri_intrs = rmdev.intrs;
		if (copyout(&info, arg, sizeof(info)) != 0)
			return EFAULT;
		return 0;
	case RMDEV_READ:
		if (copyin(arg, &rd, sizeof(rd)) != 0)
			return EFAULT;
		SLEEP_LOCK(rmdev.busy, pridisk);
		if (rmdev_read(rd.rd_blk) != 0)
			error = EIO;
		else if (copyout(rmdev.buf, rd.rd_buf, RMDEV_BSIZE) != 0)
			error = EFAULT;
		SLEEP_UNLOCK(rmdev.busy);
		if (error == 0)
			*rvalp = RMDEV_BSIZE;
		return error;
	default:
		return EINVAL;
	}
}

#if _DDI >= 8
static int rmdev_load(void);
static int rmdev_unload(void);
static int rmdev_config(cfg_func_t, void *, rm_key_t);
static int rmdev_open(void *, channel_t *, int, cred_t *, queue_t *);
static int rmdev_close(void *, channel_t, int, cred_t *, queue_t *);
static int rmdev_ioctl8(void *, channel_t, int, void *, int, cred_t *,
    int *);

static drvops_t rmdev_drvops = {
	rmdev_config, rmdev_open, rmdev_close, NULL, NULL, rmdev_ioctl8,
	NULL, NULL
};
static drvinfo_t rmdev_drvinfo = {
	&rmdev_drvops, RMDEV_NAME, D_MP, NULL, 0
};

MOD_DRV_WRAPPER(rmdev8, rmdev_load, rmdev_unload, NULL,
    "rmdev8 - resource manager example, DDI 8");

static int
rmdev_load(void)
{
	return drv_attach(&rmdev_drvinfo);
}

static int
rmdev_unload(void)
{
	drv_detach(&rmdev_drvinfo);
	return 0;
}

static int
rmdevintr(void *idata)
{
	struct rmdev *sc = idata;

	sc->intrs++;
	return ISTAT_ASSERTED;
}

static int
rmdev_config(cfg_func_t func, void *idata, rm_key_t key)
{
	int error;

	switch (func) {
	case CFG_ADD:
		if (rmdev.key != 0)
			return EBUSY;		/* one board */
		if ((error = rmdev_attach(key)) != 0)
			return error;
		if (!cm_intr_attach(key, rmdevintr, &rmdev, &rmdev_drvinfo,
		    &rmdev.cookie)) {
			rmdev_detach();
			return ENXIO;
		}
		*(void **)idata = &rmdev;
		return 0;
	case CFG_REMOVE:
		cm_intr_detach(rmdev.cookie);
		rmdev.cookie = NULL;
		rmdev_detach();
		return 0;
	default:
		return EOPNOTSUPP;
	}
}

/* ARGSUSED */
static int
rmdev_open(void *idata, channel_t *channelp, int oflags, cred_t *crp,
    queue_t *q)
{
	(void)idata;
	(void)channelp;
	(void)oflags;
	(void)crp;
	(void)q;
	return 0;			/* channel 0, the only one */
}

/* ARGSUSED */
static int
rmdev_close(void *idata, channel_t channel, int oflags, cred_t *crp,
    queue_t *q)
{
	(void)idata;
	(void)channel;
	(void)oflags;
	(void)crp;
	(void)q;
	return 0;
}

/* ARGSUSED */
static int
rmdev_ioctl8(void *idata, channel_t channel, int cmd, void *arg, int oflags,
    cred_t *crp, int *rvalp)
{
	(void)idata;
	(void)channel;
	(void)oflags;
	(void)crp;
	return rmdev_ioctl(cmd, arg, rvalp);
}
#else
int	rmdev7open(dev_t *, int, int, cred_t *);
int	rmdev7close(dev_t, int, int, cred_t *);
int	rmdev7ioctl(dev_t, int, void *, int, cred_t *, int *);
void	rmdev7intr(int);

int rmdev7devflag = D_MP;

static int rmdev_load(void);
static int rmdev_unload(void);

MOD_DRV_WRAPPER(rmdev7, rmdev_load, rmdev_unload, NULL,
    "rmdev7 - resource manager example, DDI 7");

/* The first board of its name; its interrupts, by mod_drvattach. */
static int
rmdev_load(void)
{
	rm_key_t key;
	int error;

	if (cm_getnbrd(RMDEV_NAME) < 1)
		return ENODEV;
	key = cm_getbrdkey(RMDEV_NAME, 0);
	if (key == RM_NULL_KEY)
		return ENODEV;
	if ((error = rmdev_attach(key)) != 0)
		return error;
	mod_drvattach(&rmdev7_attach_info);
	return 0;
}

static int
rmdev_unload(void)
{
	mod_drvdetach(&rmdev7_attach_info);
	rmdev_detach();
	return 0;
}

void
rmdev7intr(int ivec)
{
	if ((cm_num_t)ivec == rmdev.irq)
		rmdev.intrs++;
}

/* ARGSUSED */
int
rmdev7open(dev_t *devp, int oflag, int otyp, cred_t *crp)
{
	(void)oflag;
	(void)otyp;
	(void)crp;
	return getminor(*devp) == 0 ? 0 : ENXIO;
}

/* ARGSUSED */
int
rmdev7close(dev_t dev, int oflag, int otyp, cred_t *crp)
{
	(void)dev;
	(void)oflag;
	(void)otyp;
	(void)crp;
	return 0;
}

/* ARGSUSED */
int
rmdev7ioctl(dev_t dev, int cmd, void *arg, int mode, cred_t *crp,
    int *rvalp)
{
	(void)dev;
	(void)mode;
	(void)crp;
	return rmdev_ioctl(cmd, arg, rvalp);
}
#endif
