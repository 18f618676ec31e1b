/*
 * pio.c - an ODDI 2 disk driver that moves data by programmed I/O (see
 * pio.h), built with -D_ODDI=2 as its author would have built it.
 */
#include <errno.h>

#include <sys/types.h>
#include <sys/buf.h>
#include <sys/user.h>
#include <sys/ddi.h>

#include "pio.h"

static unsigned char pio_disk[PIO2_NBLK * 512];
static unsigned pio_medium = PIO2_NBLK;
static int pio_maxsec = 4;
static struct pio2_stats pio_st;

/* The strategy routine: the CPU copies each piece. */
static int
piostrategy(struct buf *bp)
{
	unsigned long off = (unsigned long)bp->b_blkno * 512;
	unsigned long end = (unsigned long)pio_medium * 512, n;

	pio_st.pieces++;
	if (bp->b_bcount > pio_st.maxlen)
		pio_st.maxlen = bp->b_bcount;
	if (bp->b_addrtype != BA_KVIRT || bp->b_bcount % 512 != 0)
		pio_st.bad++;
	if (off >= end) {
		bp->b_flags |= B_ERROR;
		bp->b_error = ENXIO;
		bp->b_resid = bp->b_bcount;
		biodone(bp);
		return 0;
	}
	n = bp->b_bcount < end - off ? bp->b_bcount : end - off;
	if (bp->b_flags & B_READ)
		bcopy(pio_disk + off, bp->b_un.b_addr, n);
	else
		bcopy(bp->b_un.b_addr, pio_disk + off, n);
	bp->b_resid = bp->b_bcount - n;
	biodone(bp);
	return 0;
}

/* What physio calls: the request cut into pieces the device takes. */
static int
piobreakup(struct buf *bp)
{
	pio_breakup(piostrategy, bp, pio_maxsec);
	return 0;
}

void
pio2_read(void)
{
	if (physck(PIO2_NBLK, B_READ))
		physio(piobreakup, NULL, makedevice(9, 0), B_READ);
}

void
pio2_write(void)
{
	if (physck(PIO2_NBLK, B_WRITE))
		physio(piobreakup, NULL, makedevice(9, 0), B_WRITE);
}

unsigned char *
pio2_disk(void)
{
	return pio_disk;
}

void
pio2_set_maxsec(int maxsecsz)
{
	pio_maxsec = maxsecsz;
}

void
pio2_set_medium(unsigned nblk)
{
	pio_medium = nblk;
}

void
pio2_stats(struct pio2_stats *st)
{
	*st = pio_st;
	pio_st.pieces = pio_st.maxlen = pio_st.bad = 0;
}

void
pio2_breakup(struct buf *bp, int maxsecsz)
{
	pio_breakup(piostrategy, bp, maxsecsz);
}
