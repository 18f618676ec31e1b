/*
 * blk.h - a test block driver for the simulated bus-master devices, built
 * once for DDI 7.1 (BLK = blk7_) and once for DDI 8 (BLK = blk8_).
 */
#ifndef BLK_H
#define BLK_H

#include <stddef.h>
#include <stdint.h>

/* How a unit is set up: its device, and the bcb its requests meet. */
struct blk_conf {
	int		port;		/* the device's first port */
	int		irq;
	int		model;		/* DDISIM_DMA_* */
	unsigned	sector;		/* the device's block size */
	unsigned	addrtypes;	/* BA_* the start routine takes */
	unsigned	dmasize;	/* physreq: address bits, 0: none */
	unsigned long	align;
	unsigned long	boundary;
	unsigned	max_scgth;	/* list elements, 0: no list */
	int		contig;		/* PREQ_PHYSCONTIG, BCB_PHYSCONTIG */
	unsigned long	max_xfer;	/* 0: the kernel's */
	unsigned long	granularity;
	int		sync;		/* BCB_SYNCHRONOUS */
	unsigned long	nblocks;	/* device size in 512-byte blocks */
};

struct buf;
struct uio;
struct physreq;
struct ddisim_bio;

#define BLK_DECLS(v)							\
	int v##attach(int unit, const struct blk_conf *);		\
	void v##detach(int unit);					\
	struct physreq *v##physreq(int unit);				\
	unsigned long v##started(int unit);				\
	void v##strategy(struct buf *);					\
	int v##read(uint32_t dev, struct uio *);			\
	int v##write(uint32_t dev, struct uio *);			\
	struct ddisim_bio *v##harness(int unit);

BLK_DECLS(blk7_)
BLK_DECLS(blk8_)

#endif /* BLK_H */
