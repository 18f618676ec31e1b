/*
 * ddicompat/isadma.h - the PC's system DMA controller, two cascaded
 * 8237A chips, for tests: the devices that assert DREQ on its channels,
 * and its channel registry (see ddisim_isadma(3)).
 */
#ifndef DDICOMPAT_ISADMA_H
#define DDICOMPAT_ISADMA_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The controller answers on its I/O ports (0x00-0x0f, 0x80-0x8f,
 * 0xc0-0xdf) on every machine but one built with isadma=0, which gets it
 * on first use: a dma_* call, or this one.
 */
int	ddisim_isadma_attach(void);

/* A device on a channel: its own buffer, and its interrupt line. */
typedef struct ddisim_isadev ddisim_isadev_t;
ddisim_isadev_t	*ddisim_isadev_create(int chan, int irq, size_t bufsize,
		    const char *name);
void		ddisim_isadev_destroy(ddisim_isadev_t *);
uint8_t		*ddisim_isadev_buf(ddisim_isadev_t *, size_t *size);
/*
 * Assert DREQ for up to n transfers (bytes on channels 0-3, words on
 * 5-7), the device's side starting at byte off of its buffer; the
 * transfers made.  It stops at terminal count, or when the channel does
 * not answer; a channel in block mode runs on to terminal count once
 * asked, past n (and past the device's buffer, onto the floating bus),
 * as the chip does.  Raises the device's interrupt when it stops.
 */
size_t		ddisim_isadev_dreq(ddisim_isadev_t *, size_t off, size_t n);
/* Whether the last ddisim_isadev_dreq ended at terminal count. */
int		ddisim_isadev_tc(ddisim_isadev_t *);

/* What the registry knows of a channel. */
enum ddisim_chan_owner {
	DDISIM_CHAN_FREE,
	DDISIM_CHAN_DDI,	/* locked by dma_prog or dma_swsetup */
	DDISIM_CHAN_ODDI,	/* owned through dma_alloc or dma_start */
	DDISIM_CHAN_CASCADE,	/* in cascade mode for a bus master */
	DDISIM_CHAN_SYSTEM	/* channel 4: the cascade of the chips */
};

struct ddisim_chan {
	int		chan;
	enum ddisim_chan_owner owner;
	char		holder[64];	/* the code that took it, or "" */
	int		masked;
	uint8_t		mode;		/* the mode register, 8237 bits */
	uint32_t	addr;		/* current byte address */
	uint32_t	count;		/* transfers still to make */
	int		tc;		/* reached terminal count */
	unsigned	cascades;	/* dma_cascade enables held */
	unsigned	queued;		/* ODDI dmareqs waiting */
	uint64_t	transfers;	/* made since the machine began */
};

/* All eight channels; returns 8. */
int	ddisim_isadma_channels(struct ddisim_chan chans[8]);

#ifdef __cplusplus
}
#endif

#endif /* DDICOMPAT_ISADMA_H */
