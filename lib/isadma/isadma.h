/*
 * isadma.h - the system DMA controller: what the dma_* calls share with
 * the 8237 model.
 */
#ifndef DDICOMPAT_ISADMA_INT_H
#define DDICOMPAT_ISADMA_INT_H

#include <stdbool.h>
#include <stdint.h>

/* Claim the controller's ports for this machine, once; 0 or EBUSY. */
int	i8237_attach(void);
/* Forget the controller and its devices; ddisim_shutdown calls it. */
void	i8237_fini(void);

/* A channel as the chip has it. */
struct i8237_state {
	uint8_t		mode;		/* the mode register */
	bool		masked;
	bool		tc;		/* reached terminal count since it
					   was programmed */
	uint32_t	addr;		/* current byte address */
	uint32_t	count;		/* transfers still to make */
	uint16_t	raw_count;	/* the count register */
	uint64_t	transfers;
};
void	i8237_state(int chan, struct i8237_state *st);

/*
 * The driver code that programmed chan through a dma_* call: the chip's
 * reports of its transfers name it, not the library's port accesses.
 */
void	i8237_blame(int chan, const void *caller);

/* The dma_* calls' own state, for ddisim_shutdown. */
void	isadma_fini(void);

#endif /* DDICOMPAT_ISADMA_INT_H */
