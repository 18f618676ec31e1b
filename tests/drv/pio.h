/*
 * pio.h - an ODDI 2 disk driver that moves data by programmed I/O, for
 * test_oddi_bio: its raw read and write go through physck, physio and
 * pio_breakup, as such drivers' did.
 */
#ifndef PIO_H
#define PIO_H

#define PIO2_NBLK	256		/* sectors the driver's disk has */

struct buf;

/* What the strategy routine saw since the last call. */
struct pio2_stats {
	unsigned long	pieces;		/* strategy calls */
	unsigned long	maxlen;		/* the largest b_bcount */
	unsigned long	bad;		/* not BA_KVIRT, or not whole sectors */
};

void		pio2_read(void);	/* the read(D2oddi) entry point */
void		pio2_write(void);	/* the write(D2oddi) entry point */
unsigned char	*pio2_disk(void);
void		pio2_set_maxsec(int maxsecsz);
void		pio2_set_medium(unsigned nblk);	/* ENXIO from here on */
void		pio2_stats(struct pio2_stats *);	/* and reset them */
void		pio2_breakup(struct buf *bp, int maxsecsz);

#endif /* PIO_H */
