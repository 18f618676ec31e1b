/* snd.h - the example sound driver's entry points, for its test. */
#ifndef EXAMPLE_SND_H
#define EXAMPLE_SND_H

#include <stddef.h>

/*
 * The card's one register the test provides: writing SND_GO starts
 * playback, SND_HALT stops it.  The card interrupts after every half of
 * the ring buffer it has played.
 */
#define SND_CTL		0
#define SND_GO		1
#define SND_HALT	2

#define SND_RING	16384	/* bytes: two halves of 8 KiB */

/* The samples the driver plays: it asks for the next len bytes. */
typedef void	(*snd_source_t)(unsigned char *dst, size_t len);

int	snd_attach(unsigned key, int base, int chan, snd_source_t src);
unsigned long	snd_halves(void);
void	snd_detach(void);

#endif
