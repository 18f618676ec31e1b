/*
 * isa.c - a DDI 4 driver for an ISA diskette controller, linked into the
 * kernel, written the way such drivers were before UnixWare 7:
 *
 *   - no module wrapper: the kernel runs isainit and isastart at boot,
 *     and isahalt at shutdown; the System file gives the controller's
 *     ports, DMA channel and interrupt, and attaches isaintr;
 *   - block I/O through isastrategy, raw I/O through physiock, which
 *     hands isastrategy the program's own buffer;
 *   - the data moves through the system DMA controller (dma_prog), which
 *     reaches only the first 16 MiB and cannot carry past a 64 KiB line;
 *     a program's buffer may be anywhere, so every transfer goes through
 *     one track buffer from kmem_alloc, which in DDI 1 to 4 is DMA-able
 *     and physically contiguous, and whose physical address vtop gives;
 *   - one command at a time, queued at spldisk, the next started from
 *     the interrupt routine; a failed command is tried again, twice.
 *
 * Compile as a legacy driver:
 *	cc $(pkg-config --cflags ddicompat) -D_DDI=4 -c isa.c
 */
#include <sys/types.h>
#include <sys/param.h>
#include <sys/buf.h>
#include <sys/cred.h>
#include <sys/errno.h>
#include <sys/file.h>
#include <sys/kmem.h>
#include <sys/open.h>
#include <sys/uio.h>
#include <sys/dma.h>
#include <sys/cmn_err.h>
#include <sys/ddi.h>

#include "isa.h"

/* Space.c: what the System file said. */
int	isa_ioaddr = ISA_IOBASE;
int	isa_dmachan = ISA_DMACHAN;

int	isadevflag = 0;		/* not multithreaded: runs on CPU 0 */

void	isainit(void);
void	isastart(void);
void	isahalt(void);
int	isaopen(dev_t *, int, int, cred_t *);
int	isaclose(dev_t, int, int, cred_t *);
int	isaread(dev_t, uio_t *, cred_t *);
int	isawrite(dev_t, uio_t *, cred_t *);
int	isaioctl(dev_t, int, void *, int, cred_t *, int *);
void	isastrategy(buf_t *);
int	isaprint(dev_t, char *);
int	isasize(dev_t);
void	isaintr(int);

#define ISA_BUFSZ	(ISA_NSECT * ISA_SECSIZE)	/* a track */
#define ISA_TRIES	3
#define ISA_64K		0x10000

static struct {
	caddr_t		mem;		/* two tracks, from kmem_alloc */
	caddr_t		buf;		/* the one that no 64 KiB line cuts */
	paddr_t		bufpa;
	struct dma_cb	*cb;
	int		drives;		/* the controller's ISA_DRIVES */
	int		opens[ISA_NDRIVE];
	buf_t		*head, *tail;	/* the queue; head is under way */
	uint_t		done;		/* bytes of head moved */
	uint_t		count;		/* bytes of head to move */
	uint_t		chunk;		/* bytes of the command under way */
	int		tries;
	uint_t		retries;
} isa;

void
isainit(void)
{
	isa.retries = 0;
	/*
	 * A 64 KiB line can cut one of two tracks side by side, not both:
	 * take the other.
	 */
	isa.mem = kmem_alloc(2 * ISA_BUFSZ, KM_SLEEP);
	isa.buf = isa.mem;
	isa.bufpa = vtop(isa.buf, NULL);
	if ((isa.bufpa & (ISA_64K - 1)) + ISA_BUFSZ > ISA_64K) {
		isa.buf += ISA_BUFSZ;
		isa.bufpa = vtop(isa.buf, NULL);
	}
	isa.cb = dma_get_cb(DMA_SLEEP);
	isa.cb->targbufs = dma_get_buf(DMA_SLEEP);
	isa.cb->targ_type = DMA_TYPE_MEM;
	isa.cb->reqr_type = DMA_TYPE_IO;
	isa.cb->targ_path = isa.cb->reqr_path = DMA_PATH_8;
	isa.cb->trans_type = DMA_TRANS_SNGL;
	isa.cb->targ_step = DMA_STEP_INC;
	isa.cb->bufprocess = DMA_BUF_SNGL;
}

void
isastart(void)
{
	outb(isa_ioaddr + ISA_STATUS, ISA_ST_DONE | ISA_ST_ERROR);
	isa.drives = inb(isa_ioaddr + ISA_DRIVES);
	cmn_err(CE_CONT, "isa: diskette controller at 0x%x, DMA channel %d, "
	    "drives 0x%x\n", isa_ioaddr, isa_dmachan, isa.drives);
}

void
isahalt(void)
{
	dma_free_buf(isa.cb->targbufs);
	dma_free_cb(isa.cb);
	kmem_free(isa.mem, 2 * ISA_BUFSZ);
	isa.cb = NULL;
	isa.mem = isa.buf = NULL;
}

/* ARGSUSED */
int
isaopen(dev_t *devp, int flag, int otyp, cred_t *crp)
{
	minor_t drive = getminor(*devp);

	(void)flag;
	(void)otyp;
	(void)crp;
	if (drive >= ISA_NDRIVE || !(isa.drives & (1 << drive)))
		return ENXIO;
	isa.opens[drive]++;
	return 0;
}

/* ARGSUSED */
int
isaclose(dev_t dev, int flag, int otyp, cred_t *crp)
{
	(void)flag;
	(void)otyp;
	(void)crp;
	isa.opens[getminor(dev)] = 0;		/* the last close */
	return 0;
}

/* ARGSUSED */
int
isaread(dev_t dev, uio_t *uiop, cred_t *crp)
{
	(void)crp;
	return physiock(isastrategy, NULL, dev, B_READ, ISA_NBLK, uiop);
}

/* ARGSUSED */
int
isawrite(dev_t dev, uio_t *uiop, cred_t *crp)
{
	(void)crp;
	return physiock(isastrategy, NULL, dev, B_WRITE, ISA_NBLK, uiop);
}

/* ARGSUSED */
int
isaioctl(dev_t dev, int cmd, void *arg, int mode, cred_t *crp, int *rvalp)
{
	struct isa_param p;

	(void)dev;
	(void)mode;
	(void)crp;
	switch (cmd) {
	case ISA_GETPARAM:
		p.p_cyls = ISA_NCYL;
		p.p_heads = ISA_NHEAD;
		p.p_sectors = ISA_NSECT;
		p.p_blocks = ISA_NBLK;
		p.p_retries = isa.retries;
		if (copyout(&p, arg, sizeof(p)) != 0)
			return EFAULT;
		*rvalp = 0;
		return 0;
	default:
		return EINVAL;
	}
}

/* ARGSUSED */
int
isasize(dev_t dev)
{
	(void)dev;
	return ISA_NBLK;
}

int
isaprint(dev_t dev, char *str)
{
	cmn_err(CE_NOTE, "isa: drive %d: %s", (int)getminor(dev), str);
	return 0;
}

/*
 * Start the next command of the request at the head (at spldisk): 0, or
 * EBUSY when the DMA channel is not to be had.
 */
static int
isa_command(void)
{
	buf_t *bp = isa.head;
	daddr_t sector = bp->b_blkno + (daddr_t)(isa.done / ISA_SECSIZE);
	int read = (bp->b_flags & B_READ) != 0;

	isa.chunk = isa.count - isa.done;
	if (isa.chunk > ISA_BUFSZ)
		isa.chunk = ISA_BUFSZ;
	if (!read)
		bcopy(bp->b_un.b_addr + isa.done, isa.buf, isa.chunk);

	isa.cb->command = read ? DMA_CMD_READ : DMA_CMD_WRITE;
	isa.cb->targbufs->address = isa.bufpa;
	isa.cb->targbufs->count = (ushort_t)isa.chunk;
	isa.cb->targbufs->count_hi = 0;
	if (!dma_prog(isa.cb, isa_dmachan, DMA_NOSLEEP)) {
		cmn_err(CE_WARN, "isa: DMA channel %d is busy", isa_dmachan);
		return EBUSY;
	}
	dma_enable(isa_dmachan);
	outb(isa_ioaddr + ISA_DRIVE, getminor(bp->b_edev));
	outb(isa_ioaddr + ISA_SECTOR_LO, sector & 0xff);
	outb(isa_ioaddr + ISA_SECTOR_HI, (sector >> 8) & 0xff);
	outb(isa_ioaddr + ISA_COUNT, isa.chunk / ISA_SECSIZE);
	outb(isa_ioaddr + ISA_CMD, read ? ISA_CMD_READ : ISA_CMD_WRITE);
	return 0;
}

static void isa_finish(int);

/* Begin the request at the head, if any (at spldisk). */
static void
isa_next(void)
{
	buf_t *bp;

	while ((bp = isa.head) != NULL) {
		isa.done = 0;
		isa.tries = 0;
		isa.count = bp->b_bcount;
		if ((daddr_t)(isa.count / ISA_SECSIZE) > ISA_NBLK - bp->b_blkno)
			isa.count = (uint_t)(ISA_NBLK - bp->b_blkno) *
			    ISA_SECSIZE;
		if (isa_command() == 0)
			return;
		isa_finish(EIO);
	}
}

/* The head is finished: take it off and end it (at spldisk). */
static void
isa_finish(int error)
{
	buf_t *bp = isa.head;

	if ((isa.head = bp->av_forw) == NULL)
		isa.tail = NULL;
	bp->b_resid = bp->b_bcount - isa.done;
	if (error != 0)
		bioerror(bp, error);
	bp_mapout(bp);
	biodone(bp);
}

void
isastrategy(buf_t *bp)
{
	minor_t drive = getminor(bp->b_edev);
	int s;

	if (drive >= ISA_NDRIVE || bp->b_blkno < 0 ||
	    bp->b_blkno > ISA_NBLK || bp->b_bcount % ISA_SECSIZE != 0 ||
	    (bp->b_blkno == ISA_NBLK && !(bp->b_flags & B_READ))) {
		bioerror(bp, bp->b_bcount % ISA_SECSIZE != 0 ? EINVAL :
		    ENXIO);
		biodone(bp);
		return;
	}
	if (bp->b_blkno == ISA_NBLK || bp->b_bcount == 0) {
		bp->b_resid = bp->b_bcount;	/* the end: nothing to read */
		biodone(bp);
		return;
	}
	bp_mapin(bp);		/* a program's buffer, for bcopy */
	bp->av_forw = NULL;
	s = spldisk();
	if (isa.head == NULL) {
		isa.head = isa.tail = bp;
		isa_next();
	} else {
		isa.tail->av_forw = bp;
		isa.tail = bp;
	}
	splx(s);
}

/* ARGSUSED */
void
isaintr(int ivec)
{
	uchar_t st = inb(isa_ioaddr + ISA_STATUS);
	buf_t *bp = isa.head;

	(void)ivec;
	if (bp == NULL || !(st & ISA_ST_DONE))
		return;				/* not ours */
	outb(isa_ioaddr + ISA_STATUS, st);	/* acknowledge */
	dma_disable(isa_dmachan);
	if (st & ISA_ST_ERROR) {
		if (++isa.tries >= ISA_TRIES)
			goto failed;
		isa.retries++;
	} else {
		if (bp->b_flags & B_READ)
			bcopy(isa.buf, bp->b_un.b_addr + isa.done, isa.chunk);
		isa.done += isa.chunk;
		isa.tries = 0;
		if (isa.done == isa.count) {
			isa_finish(0);
			isa_next();
			return;
		}
	}
	if (isa_command() == 0)
		return;
failed:
	isa_finish(EIO);
	isa_next();
}
