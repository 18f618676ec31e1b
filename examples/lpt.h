/*
 * lpt.h - the parallel printer port driver's interface: the ioctls a
 * program issues on /dev/lpt0 and /dev/lpt1, and the port's registers.
 */
#ifndef EXAMPLE_LPT_H
#define EXAMPLE_LPT_H

/* Minor 0 is the first port configured, minor 1 the second. */
#define LPT_MAXPORT	2

/* The port's registers, offsets from its CM_IOADDR. */
#define LPT_DATA	0		/* the byte the printer takes next */
#define LPT_STATUS	1		/* R: LPT_ST_* */
#define LPT_CONTROL	2		/* W: LPT_CT_* */
#define LPT_NREGS	3

#define LPT_ST_NOERROR	0x08		/* clear: the printer has a fault */
#define LPT_ST_SELECT	0x10		/* the printer is on line */
#define LPT_ST_PAPEROUT	0x20		/* the printer is out of paper */
#define LPT_ST_ACK	0x40		/* the byte strobed was taken, and
					   the port interrupted; reading
					   the status clears it */
#define LPT_ST_NOTBUSY	0x80		/* the printer can take a byte */

#define LPT_CT_STROBE	0x01		/* set then cleared: take the data */
#define LPT_CT_NOINIT	0x04		/* cleared: the printer resets */
#define LPT_CT_SELECT	0x08		/* select the printer */
#define LPT_CT_IRQEN	0x10		/* interrupt on each byte taken */

/* ioctls */
#define LPTIOC		('L' << 8)
#define LPT_GETSTATUS	(LPTIOC | 1)	/* int *: the status register */
#define LPT_RESET	(LPTIOC | 2)	/* reset the printer (opened for
					   writing) */

#endif
