/*
 * ddicompat/devsim.h - simulated bus-master DMA devices (see ddisim_dma(3)).
 *
 * A device is a DMA engine with a backing store (a disk image, or a wire)
 * that a driver programs through I/O ports, as real adapters were
 * programmed.  The engine moves bytes between the store and simulated RAM
 * at the physical addresses it is given, audits every access, and raises
 * an interrupt when a command ends.
 */
#ifndef DDICOMPAT_DEVSIM_H
#define DDICOMPAT_DEVSIM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* How the engine is told where the data is. */
enum ddisim_dma_model {
	DDISIM_DMA_SINGLE = 1,	/* one (address, length) per command */
	DDISIM_DMA_FRAGMENT,	/* one (address, length) per interrupt */
	DDISIM_DMA_ONCHIP,	/* a list of pairs in the engine's registers */
	DDISIM_DMA_DESC		/* a list of descriptors in DMA memory */
};

struct ddisim_dma_config {
	enum ddisim_dma_model model;
	unsigned	addr_bits;	/* address lines, 16 to 64 */
	unsigned	count_bits;	/* width of a length, 8 to 32; 0: 32 */
	uint64_t	boundary;	/* a power of 2 (16 or more) the
					   address counter cannot carry past;
					   0: none */
	uint32_t	align;		/* addresses the engine can take are
					   multiples of it; 0: any */
	unsigned	max_pairs;	/* ONCHIP: its registers; DESC: a list's
					   longest; 0: 256 */
	int		desc64;		/* DESC: 16-byte descriptors, else 8 */
	uint32_t	sector;		/* bytes of a device block; 0: 512 */
	uint64_t	capacity;	/* bytes of the backing store */
	int		wire;		/* a wire: no position; see the page */
	int		port;		/* first of DDISIM_DMA_NPORTS ports */
	int		irq;		/* line raised when a command ends;
					   negative: none */
	int		async;		/* commands run in the device's own
					   thread, not in the one that starts
					   them */
	const char	*name;		/* in reports; NULL: "dma" */
	uint64_t	mmio;		/* physical base of a window of one
					   page with the same registers at
					   the same offsets, below 4 GiB and
					   outside RAM (ddisim_mmio(3)); its
					   board's CM_MEMADDR; 0: none */
};

/* Registers: offsets from config.port, 32 bits each. */
#define DDISIM_DMA_CMD		0x00	/* W: DDISIM_DMA_GO_* */
#define DDISIM_DMA_STATUS	0x04	/* R: DDISIM_DMA_ST_*; W: 1s clear */
#define DDISIM_DMA_ADDR_LO	0x08	/* data, or list, address */
#define DDISIM_DMA_ADDR_HI	0x0c
#define DDISIM_DMA_LEN		0x10	/* bytes, or list entries */
#define DDISIM_DMA_BLK_LO	0x14	/* first device block */
#define DDISIM_DMA_BLK_HI	0x18
#define DDISIM_DMA_TOTAL	0x1c	/* FRAGMENT: bytes of the command */
#define DDISIM_DMA_DONE		0x20	/* R: bytes the command moved */
#define DDISIM_DMA_SLOT		0x24	/* ONCHIP: the pair written next */
#define DDISIM_DMA_PAIR_LO	0x28	/* ONCHIP: the pair's address */
#define DDISIM_DMA_PAIR_HI	0x2c
#define DDISIM_DMA_PAIR_LEN	0x30	/* ONCHIP: its length; next slot */
#define DDISIM_DMA_NPORTS	0x34

/* Commands. */
#define DDISIM_DMA_GO_READ	0x1	/* device to memory */
#define DDISIM_DMA_GO_WRITE	0x2	/* memory to device */
#define DDISIM_DMA_GO_NEXT	0x3	/* FRAGMENT: the next fragment */
#define DDISIM_DMA_GO_ABORT	0x4	/* end the command where it is */

/* Status. */
#define DDISIM_DMA_ST_BUSY	0x1	/* a command is running */
#define DDISIM_DMA_ST_DONE	0x2	/* the command ended */
#define DDISIM_DMA_ST_FRAG	0x4	/* FRAGMENT: give the next fragment */
#define DDISIM_DMA_ST_ERROR	0x8	/* the command failed */

typedef struct ddisim_dma ddisim_dma_t;

ddisim_dma_t	*ddisim_dma_create(const struct ddisim_dma_config *);
void		ddisim_dma_destroy(ddisim_dma_t *);
/* Its board's resource manager key (ddisim_rm(3)), or 0. */
unsigned	ddisim_dma_key(ddisim_dma_t *);

/* The backing store, for a test to fill and to check. */
uint8_t		*ddisim_dma_store(ddisim_dma_t *, uint64_t *size);
/* A wire: bytes written to it so far, and where reads are taken from. */
uint64_t	ddisim_dma_wire_sent(ddisim_dma_t *);
int		ddisim_dma_wire_feed(ddisim_dma_t *, const void *data,
		    size_t len);

/*
 * Fault injection: the nth command from now (0: the next) fails after
 * moving after bytes.
 */
int		ddisim_dma_fail(ddisim_dma_t *, unsigned nth, uint32_t after);
/* Until no command is running or waiting to run. */
void		ddisim_dma_idle(ddisim_dma_t *);

struct ddisim_dma_stats {
	uint64_t	commands;	/* started */
	uint64_t	failed;		/* ended with DDISIM_DMA_ST_ERROR */
	uint64_t	to_memory;	/* bytes moved into RAM */
	uint64_t	from_memory;	/* bytes moved out of RAM */
	uint64_t	pieces;		/* (address, length) pairs done */
	uint64_t	faults;		/* reports: audited accesses and
					   register misuse */
};
void		ddisim_dma_stats(ddisim_dma_t *, struct ddisim_dma_stats *);

#ifdef __cplusplus
}
#endif

#endif /* DDICOMPAT_DEVSIM_H */
