/*
 * hba.c - a DDI 8 host-bus-adapter driver's DMA set-up, written the way
 * UnixWare HBA drivers were: one physreq per DMA path, prepped at
 * initialisation; a pool of command control blocks (CCBs) from
 * kmem_alloc_phys, whose physical addresses the adapter is given; sense
 * buffers from kmem_zalloc_physreq.
 *
 * Compile as a legacy driver:
 *	cc $(pkg-config --cflags ddicompat) -D_DDI=8 -c hba.c
 */
#include <sys/types.h>
#include <sys/kmem.h>
#include <sys/ddi.h>

#include "hba.h"

#define HBA_NCCB	32
#define HBA_SENSE	64

struct hba_ccb {
	paddr32_t	c_next_pa;	/* adapter follows this chain */
	paddr32_t	c_sense_pa;	/* where the adapter writes sense */
	uchar_t		c_cdb[12];
	uchar_t		c_status;
	uchar_t		c_pad[107];
};					/* 128 bytes, as the adapter wants */

struct hba_softc {
	physreq_t	*sc_ccb_preq;	/* 32-bit, 128-byte aligned */
	physreq_t	*sc_sense_preq;	/* 32-bit, within one 4 KiB page */
	struct hba_ccb	*sc_ccb;
	paddr32_t	sc_ccb_pa;
	uchar_t		*sc_sense[HBA_NCCB];
};

static struct hba_softc hba_sc;

int
hba_init(void)
{
	struct hba_softc *sc = &hba_sc;
	int i;

	sc->sc_ccb_preq = physreq_alloc(KM_SLEEP);
	sc->sc_ccb_preq->phys_align = 128;
	sc->sc_ccb_preq->phys_dmasize = 32;
	sc->sc_ccb_preq->phys_flags = PREQ_PHYSCONTIG;
	if (!physreq_prep(sc->sc_ccb_preq, KM_SLEEP))
		return -1;
	sc->sc_sense_preq = physreq_alloc(KM_SLEEP);
	sc->sc_sense_preq->phys_align = 4;
	sc->sc_sense_preq->phys_boundary = 4096;
	sc->sc_sense_preq->phys_dmasize = 32;
	if (!physreq_prep(sc->sc_sense_preq, KM_SLEEP))
		return -1;

	/* The CCB array cannot fail: no KM_FAIL_OK at initialisation. */
	sc->sc_ccb = kmem_alloc_phys(HBA_NCCB * sizeof(struct hba_ccb),
	    sc->sc_ccb_preq, &sc->sc_ccb_pa, 0);
	for (i = 0; i < HBA_NCCB; i++) {
		sc->sc_sense[i] = kmem_zalloc_physreq(HBA_SENSE,
		    sc->sc_sense_preq, KM_SLEEP);
		/* DDI 8 has no vtop: physical addresses come from the
		 * CCB base, and sense buffers are described to the adapter
		 * by the kernel's scatter/gather services; the simulation
		 * lets the test look them up with ddisim_vtop. */
		sc->sc_ccb[i].c_next_pa = i + 1 < HBA_NCCB ? sc->sc_ccb_pa +
		    (paddr32_t)((i + 1) * sizeof(struct hba_ccb)) : 0;
	}
	return 0;
}

void *
hba_ccb(int i, paddr32_t *pa)
{
	*pa = hba_sc.sc_ccb_pa + (paddr32_t)(i * sizeof(struct hba_ccb));
	return &hba_sc.sc_ccb[i];
}

void *
hba_sense(int i)
{
	return hba_sc.sc_sense[i];
}

int
hba_nccb(void)
{
	return HBA_NCCB;
}

void
hba_fini(void)
{
	struct hba_softc *sc = &hba_sc;
	int i;

	for (i = 0; i < HBA_NCCB; i++)
		kmem_free(sc->sc_sense[i], HBA_SENSE);
	kmem_free(sc->sc_ccb, HBA_NCCB * sizeof(struct hba_ccb));
	physreq_free(sc->sc_sense_preq);
	physreq_free(sc->sc_ccb_preq);
}
