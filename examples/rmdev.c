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
 * Either way it takes the board's port range, memory range and interrupt
 * from the database, attaches the interrupt with the board's key, and
 * reads the board's status register through the ports it was given.
 * The board also has its registers in memory space (its CM_MEMADDR): the
 * driver maps them, with physmap at DDI 7 and devmem_mapin at DDI 8, and
 * reads a block through them with plain loads and stores, as drivers of
 * memory-mapped boards did.  The board is a ddisim_dma device, which is
 * a board of the resource manager.
 *
 * Compile as a legacy driver:
 *	cc $(pkg-config --cflags ddicompat) -D_DDI=7 -c rmdev.c
 */
#include <sys/types.h>
#include <sys/kmem.h>
#include <sys/confmgr.h>
#include <sys/cm_i386at.h>
#include <sys/conf.h>
#include <sys/ddi.h>

#include "rmdev.h"

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
#define RMDEV_BSIZE	512

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
 * Read block blk into out through the memory-mapped registers, waiting
 * for the board a millisecond at a time: 0, or -1 when it fails or does
 * not finish.
 */
int
RMDEV_FN(read)(unsigned blk, void *out)
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
	bcopy(rmdev.buf, out, RMDEV_BSIZE);
	return 0;
}

#if _DDI >= 8
static int
rmdevintr(void *idata)
{
	struct rmdev *sc = idata;

	sc->intrs++;
	return ISTAT_ASSERTED;
}

static drvinfo_t rmdev_drvinfo = { NULL, "rmdev", D_MP, NULL, 0 };

int
rmdev8_attach(unsigned key)
{
	rmdev.key = key;
	if (rmdev_read_config(key) != 0 || rmdev_map(key) != 0) {
		rmdev_unmap();
		return -1;
	}
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
	if (rmdev_map(rmdev.key) != 0) {
		rmdev_unmap();
		return -1;
	}
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
RMDEV_FN(mem)(void)
{
	return rmdev.mem.startaddr;
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
	rmdev_unmap();
	rmdev.intrs = 0;
}
