/*
 * isa.h - the example ISA diskette driver: its controller's registers,
 * which its test plays, its drives, and its ioctl.
 */
#ifndef EXAMPLE_ISA_H
#define EXAMPLE_ISA_H

/* Where the System file put the controller (the driver's Space.c). */
#define ISA_IOBASE	0x3f0
#define ISA_DMACHAN	2
#define ISA_IRQ		6
extern int	isa_ioaddr;		/* ISA_IOBASE */
extern int	isa_dmachan;		/* ISA_DMACHAN */

/*
 * The controller's registers, 8 bits, offsets from ISA_IOBASE.  A
 * command moves ISA_COUNT sectors of a drive, from ISA_SECTOR on, with
 * the system DMA controller's channel: the controller asserts DREQ for
 * each byte, and interrupts when it has finished, or failed.
 */
#define ISA_CMD		0	/* W: ISA_CMD_* */
#define ISA_STATUS	1	/* R: ISA_ST_*; W: 1s clear DONE, ERROR */
#define ISA_DRIVE	2	/* the drive */
#define ISA_SECTOR_LO	3	/* the first sector */
#define ISA_SECTOR_HI	4
#define ISA_COUNT	5	/* sectors */
#define ISA_DRIVES	6	/* R: a bit for each drive there */
#define ISA_NPORTS	7

#define ISA_CMD_READ	1	/* drive to memory */
#define ISA_CMD_WRITE	2	/* memory to drive */

#define ISA_ST_BUSY	0x01
#define ISA_ST_DONE	0x02
#define ISA_ST_ERROR	0x08

/* The drives: minor numbers 0 and 1, each a 1.44 MB diskette. */
#define ISA_NDRIVE	2
#define ISA_SECSIZE	512
#define ISA_NSECT	18		/* sectors a track */
#define ISA_NHEAD	2
#define ISA_NCYL	80
#define ISA_NBLK	(ISA_NSECT * ISA_NHEAD * ISA_NCYL)	/* 2880 */

/* ioctl */
#define ISA_GETPARAM	0x6601		/* struct isa_param out */

struct isa_param {
	unsigned int	p_cyls;
	unsigned int	p_heads;
	unsigned int	p_sectors;	/* a track's */
	unsigned int	p_blocks;
	unsigned int	p_retries;	/* commands done again since init */
};

#endif
