/*
 * sys/i8237A.h - the PC's system DMA controller: two Intel 8237A chips,
 * the first (channels 0-3) cascaded into channel 4 of the second, with a
 * page register per channel (AT) and a high page and a high count
 * register per channel (EISA).
 *
 * The port numbers, channel numbers and mode bytes are those of the
 * UnixWare and OpenServer header, for drivers that program the chip
 * with outb(9) themselves rather than through dma_prog(9).  On the
 * simulated machine the ports reach the 8237 model behind the dma_*
 * calls (ddisim_isadma(3)); the EISA extension ports (0x400-0x4ff) have
 * no model and read as 0xff.
 *
 * The header is the same at every interface version.
 */
#ifndef DDICOMPAT_SYS_I8237A_H
#define DDICOMPAT_SYS_I8237A_H

/* Channel numbering, and the alignment dma_prog asks of a buffer. */
#define D37A_MAX_CHAN	8
#define D37A_MIN_CHAN	0x0
#define D37A_DFR_ALIGN	0xf

/* Page registers (address bits 16-23), one per channel. */
#define DMACH0PG	0x87
#define DMACH1PG	0x83
#define DMACH2PG	0x81
#define DMACH3PG	0x82
#define DMACH4PG	0x00	/* the cascade has none */
#define DMACH5PG	0x8b
#define DMACH6PG	0x89
#define DMACH7PG	0x8a

/* EISA high page registers (address bits 24-31). */
#define DMACH0HPG	0x487
#define DMACH1HPG	0x483
#define DMACH2HPG	0x481
#define DMACH3HPG	0x482
#define DMACH4HPG	0x000
#define DMACH5HPG	0x48b
#define DMACH6HPG	0x489
#define DMACH7HPG	0x48a

/* Chip 1 (channels 0-3, bytes): base and current address and count. */
#define DMA1BCA0	0x00
#define DMA1BCWC0	0x01
#define DMA1BCA1	0x02
#define DMA1BCWC1	0x03
#define DMA1BCA2	0x04
#define DMA1BCWC2	0x05
#define DMA1BCA3	0x06
#define DMA1BCWC3	0x07
/* chip 1's control registers */
#define DMA1RSWWCR	0x08	/* status (read), command (write) */
#define DMA1WRR		0x09	/* request */
#define DMA1WSMR	0x0a	/* one mask bit */
#define DMA1WMR		0x0b	/* mode */
#define DMA1CBPFF	0x0c	/* clear the byte pointer flip-flop */
#define DMA1RTRWMC	0x0d	/* temporary (read), master clear (write) */
#define DMA1CMR		0x0e	/* clear all mask bits */
#define DMA1WAMRB	0x0f	/* all mask bits */

/* Chip 2 (channels 4-7, words): on the even ports from 0xc0. */
#define DMA2BCA0	0xc0
#define DMA2BCWC0	0xc2
#define DMA2BCA1	0xc4
#define DMA2BCWC1	0xc6
#define DMA2BCA2	0xc8
#define DMA2BCWC2	0xca
#define DMA2BCA3	0xcc
#define DMA2BCWC3	0xce
#define DMA2RSWWCR	0xd0
#define DMA2WRR		0xd2
#define DMA2WSMR	0xd4
#define DMA2WMR		0xd6
#define DMA2CBPFF	0xd8
#define DMA2RTRWMC	0xda
#define DMA2CMR		0xdc
#define DMA2WAMRB	0xde

/* The XENIX names of the same ports: address and count per channel. */
#define DMA_0ADR	0x00
#define DMA_0WCNT	0x01
#define DMA_1ADR	0x02
#define DMA_1WCNT	0x03
#define DMA_2ADR	0x04
#define DMA_2WCNT	0x05
#define DMA_3ADR	0x06
#define DMA_3WCNT	0x07
#define DMA_4ADR	0xC0	/* the cascade */
#define DMA_4WCNT	0xC2
#define DMA_5ADR	0xC4
#define DMA_5WCNT	0xC6
#define DMA_6ADR	0xC8
#define DMA_6WCNT	0xCA
#define DMA_7ADR	0xCC
#define DMA_7WCNT	0xCE

/* EISA high count registers (count bits 16-23). */
#define DMACH0CCH	0x401
#define DMACH1CCH	0x403
#define DMACH2CCH	0x405
#define DMACH3CCH	0x407
#define DMACH4CCH	0x000
#define DMACH5CCH	0x4c6
#define DMACH6CCH	0x4ca
#define DMACH7CCH	0x4ce

/* The control registers by function, chip 1. */
#define CTL1_CMD	0x08
#define CTL1_REQ	0x09
#define CTL1_STAT	0x08
#define CTL1_MASK	0x0A
#define CTL1_MODE	0x0B
#define CTL1_CLFF	0x0C
#define CTL1_ALLMASK	0x0F

/* EISA: interrupt status, chaining mode, extended mode. */
#define EISA_DMAIS	0x40a
#define CTL1_SCM	0x40a
#define CTL1_EWM	0x40b

/* The control registers by function, chip 2. */
#define CTL2_CMD	0xD0
#define CTL2_REQ	0xD2
#define CTL2_STAT	0xD0
#define CTL2_MASK	0xD4
#define CTL2_MODE	0xD6
#define CTL2_CLFF	0xD8
#define CTL2_ALLMASK	0xDE
#define CTL2_SCM	0x40a
#define CTL2_EWM	0x40b

/* The page registers under their XENIX names. */
#define DMA_0XADR	0x87
#define DMA_1XADR	0x83
#define DMA_2XADR	0x81
#define DMA_3XADR	0x82
#define DMA_5XADR	0x8B
#define DMA_6XADR	0x89
#define DMA_7XADR	0x8A

#define DMA_MSK		0x0A	/* chip 1's single mask register */
#define DMA_CLEAR	0x1A
#define IOCR		0x56

/* Channels: the d_chan of a dmareq, the chan of the dma_* calls. */
#define NCHANS		8
#define DMA_CH0		0
#define DMA_CH1		1
#define DMA_CH2		2
#define DMA_CH3		3
#define DMA_CH4		4	/* the cascade: never available */
#define DMA_CH5		5
#define DMA_CH6		6
#define DMA_CH7		7

/* Single mask register: bit 2 sets the channel's mask, clear clears it. */
#define DMA_SETMSK	4
#define DMA_CLRMSK	0
/* transfer types */
#define DMA_RD		1
#define DMA_WR		2
#define DMA_VR		0

/* Mode bytes (channel bits clear): single transfer, incrementing. */
#define DMA_Wrmode	0x48	/* memory to device */
#define DMA_Rdmode	0x44	/* device to memory */
#define DMA_Nomode	0x0C	/* no valid transfer: leave the mode */

#define DMAPRI		PRIBIO	/* sleep priority, from <sys/ddi.h> */

/* dma_alloc (ODDI) */
#define DMA_BLOCK	0	/* wait for the channel */
#define DMA_NBLOCK	1	/* fail at once if it is taken */

/* EISA extended mode: the data path, and chaining. */
#define EISA_DMA_8	0
#define EISA_DMA_16	1	/* counted in words */
#define EISA_DMA_32	2
#define EISA_DMA_16B	3	/* counted in bytes */
#define EISA_ENCM	4	/* enable chaining mode */
#define EISA_CMOK	8	/* chaining mode completed */

/* Every register of one channel, for a table indexed by channel. */
struct d37A_chan_reg_addr {
	unsigned char	addr_reg;
	unsigned char	cnt_reg;
	unsigned char	page_reg;
	unsigned char	ff_reg;		/* the byte pointer flip-flop */
	unsigned char	cmd_reg;
	unsigned char	mode_reg;
	unsigned char	mask_reg;
	unsigned char	stat_reg;
	unsigned char	reqt_reg;
	unsigned short	hpage_reg;	/* EISA */
	unsigned short	hcnt_reg;	/* EISA */
	unsigned short	xmode_reg;	/* EISA */
	unsigned short	scm_reg;	/* EISA */
};

/* The initialiser of that table, channels 0 to 7. */
#define __D37A_CHAN(n, c) \
	{ DMA_##n##ADR, DMA_##n##WCNT, DMACH##n##PG, CTL##c##_CLFF, \
	CTL##c##_CMD, CTL##c##_MODE, CTL##c##_MASK, CTL##c##_STAT, \
	CTL##c##_REQ, DMACH##n##HPG, DMACH##n##CCH, CTL##c##_EWM, \
	CTL##c##_SCM }
#define D37A_BASE_REGS_VALUES \
	__D37A_CHAN(0, 1), __D37A_CHAN(1, 1), __D37A_CHAN(2, 1), \
	__D37A_CHAN(3, 1), __D37A_CHAN(4, 2), __D37A_CHAN(5, 2), \
	__D37A_CHAN(6, 2), __D37A_CHAN(7, 2)

#endif /* DDICOMPAT_SYS_I8237A_H */
