/*
 * snd.h - the ISA sound card driver's interface: the ioctls a program
 * issues on /dev/snd, and the card's registers.
 */
#ifndef EXAMPLE_SND_H
#define EXAMPLE_SND_H

/*
 * The playback ring, which the card's DMA channel runs over again and
 * again (auto-initialise): two halves; the card interrupts after each
 * half it has played.  A program may map it (mmap) to see it.
 */
#define SND_RING	16384
#define SND_HALF	(SND_RING / 2)

/* The card's registers, offsets from its CM_IOADDR. */
#define SND_CTL		0		/* W: SND_GO or SND_HALT */
#define SND_STAT	1		/* R: SND_ST_*; reading clears
					   SND_ST_IRQ */
#define SND_FMT		2		/* W: SND_FMT_* */
#define SND_RATE	4		/* W, 16 bits: samples per second */
#define SND_NREGS	6

#define SND_GO		1		/* play, from where the channel is */
#define SND_HALT	2		/* stop playing */
#define SND_ST_PLAYING	0x01
#define SND_ST_IRQ	0x80		/* the card interrupted: a half is
					   played */

/* Sample formats, and the silence of each. */
#define SND_FMT_U8	0		/* 8-bit unsigned: silence 0x80 */
#define SND_FMT_S16	1		/* 16-bit signed: silence 0 */

#define SND_RATE_MIN	4000
#define SND_RATE_MAX	48000
#define SND_RATE_DFLT	8000		/* what each open starts with */

/* ioctls */
#define SNDIOC		('S' << 8)
#define SND_SETRATE	(SNDIOC | 1)	/* int *: samples per second; EBUSY
					   while the card plays */
#define SND_GETRATE	(SNDIOC | 2)	/* int *: samples per second */
#define SND_SETFMT	(SNDIOC | 3)	/* int *: SND_FMT_*; EBUSY while the
					   card plays */
#define SND_DRAIN	(SNDIOC | 4)	/* wait until all that was written
					   is played */

#endif
