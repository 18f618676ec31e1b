/*
 * fd.h - a floppy-like driver on the system DMA controller, built for
 * DDI 7.1 (FD = fd7_: dma_physreq, buf_breakup, dma_prog) and for the
 * ODDI (FD = fdo_: dma_breakup, dma_start, dma_param, dma_resid).
 */
#ifndef FD_H
#define FD_H

/* The controller the test plays: ports from FD_PORT. */
#define FD_PORT		0x3f0
#define FD_SECTOR	0x0	/* W: first 512-byte sector */
#define FD_COUNT	0x4	/* W: sectors */
#define FD_CMD		0x8	/* W: FD_READ or FD_WRITE */
#define FD_STATUS	0xc	/* R: FD_OK or FD_FAIL; W: clear */
#define FD_READ		1
#define FD_WRITE	2
#define FD_OK		1
#define FD_FAIL		2

struct buf;

#define FD_DECLS(v)							\
	int v##attach(int chan, int irq);				\
	void v##detach(void);						\
	void v##strategy(struct buf *);					\
	unsigned long v##pieces(void);

FD_DECLS(fd7_)
FD_DECLS(fdo_)

#endif /* FD_H */
