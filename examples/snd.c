/*
 * snd.c - a DDI 5 ISA sound driver's playback, the way such cards were
 * driven: one ring buffer that meets the channel's requirements (from
 * dma_physreq, allocated with kmem_alloc_physcontig); the channel
 * programmed once, in single mode with auto-initialise, so that the 8237
 * reloads its address and count at the end of the ring and runs on by
 * itself; an interrupt from the card after each half it has played, in
 * which the driver refills that half.
 *
 * Compile as a legacy driver:
 *	cc $(pkg-config --cflags ddicompat) -D_DDI=5 -c snd.c
 */
#include <sys/types.h>
#include <sys/kmem.h>
#include <sys/dma.h>
#include <sys/ddi.h>

#include "snd.h"

static struct {
	int		base, chan;
	physreq_t	*preq;
	struct dma_cb	*cb;
	unsigned char	*ring;
	int		half;		/* the half the card plays next */
	unsigned long	halves;
	snd_source_t	src;
	void		*cookie;
} snd;

static void
snd_intr(int vec)
{
	(void)vec;
	/* the half just played is refilled while the card plays the other */
	snd.src(snd.ring + snd.half * (SND_RING / 2), SND_RING / 2);
	snd.half ^= 1;
	snd.halves++;
}

int
snd_attach(unsigned key, int base, int chan, snd_source_t src)
{
	int devflag = 0;

	snd.base = base;
	snd.chan = chan;
	snd.src = src;
	snd.half = 0;
	snd.halves = 0;
	if ((snd.preq = physreq_alloc(KM_SLEEP)) == NULL)
		return -1;
	dma_physreq(chan, chan < 4 ? DMA_PATH_8 : DMA_PATH_16, snd.preq);
	if (!physreq_prep(snd.preq, KM_SLEEP) ||
	    (snd.ring = kmem_alloc_physcontig(SND_RING, snd.preq,
	    KM_SLEEP)) == NULL)
		goto fail;
	src(snd.ring, SND_RING);
	if ((snd.cb = dma_get_cb(DMA_SLEEP)) == NULL ||
	    (snd.cb->targbufs = dma_get_buf(DMA_SLEEP)) == NULL)
		goto fail;
	snd.cb->command = DMA_CMD_WRITE;	/* memory to the card */
	snd.cb->targ_type = DMA_TYPE_MEM;
	snd.cb->reqr_type = DMA_TYPE_IO;
	snd.cb->targ_path = snd.cb->reqr_path = chan < 4 ? DMA_PATH_8 :
	    DMA_PATH_16;
	snd.cb->trans_type = DMA_TRANS_SNGL;
	snd.cb->targ_step = DMA_STEP_INC;
	snd.cb->bufprocess = DMA_BUF_AUTO;
	snd.cb->targbufs->address = vtop((caddr_t)snd.ring, NULL);
	snd.cb->targbufs->count = SND_RING;
	if (!dma_prog(snd.cb, chan, DMA_SLEEP))
		goto fail;
	if (cm_intr_attach(key, snd_intr, &devflag, &snd.cookie) == 0) {
		dma_disable(chan);
		goto fail;
	}
	dma_enable(chan);
	outb(base + SND_CTL, SND_GO);
	return 0;
fail:
	if (snd.cb != NULL) {
		if (snd.cb->targbufs != NULL)
			dma_free_buf(snd.cb->targbufs);
		dma_free_cb(snd.cb);
	}
	if (snd.ring != NULL)
		kmem_free_physcontig(snd.ring, SND_RING);
	physreq_free(snd.preq);
	return -1;
}

unsigned long
snd_halves(void)
{
	return snd.halves;
}

void
snd_detach(void)
{
	outb(snd.base + SND_CTL, SND_HALT);
	dma_disable(snd.chan);
	cm_intr_detach(snd.cookie);
	dma_free_buf(snd.cb->targbufs);
	dma_free_cb(snd.cb);
	kmem_free_physcontig(snd.ring, SND_RING);
	physreq_free(snd.preq);
}
