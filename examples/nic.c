/*
 * nic.c - a DDI 8 network driver's transmit and receive DMA, written the
 * way UnixWare STREAMS LAN drivers were.  The adapter drives 32 address
 * bits and reads up to eight (address, length) pairs per frame, each
 * 4-byte aligned and inside one 4 KiB page; the pairs have the layout of
 * scgth_el32_t, so the driver hands the adapter msgscgth's own element
 * array.  A frame in more pieces than that is pulled up first.  Receive
 * buffers are allocb_physreq blocks whose address msgscgth also gives.
 *
 * Compile as a legacy driver:
 *	cc $(pkg-config --cflags ddicompat) -D_DDI=8 -c nic.c
 */
#include <sys/types.h>
#include <sys/kmem.h>
#include <sys/stream.h>
#include <sys/scgth.h>
#include <sys/ddi.h>

#include "nic.h"

struct nic_softc {
	int		sc_base;
	physreq_t	*sc_preq;
	mblk_t		*sc_rx;		/* the buffer the adapter fills */
	unsigned long	sc_pullups;
};

static struct nic_softc nic_sc;

/* Give the adapter a fresh receive buffer; 0, or -1 if none was had. */
static int
nic_rx_post(struct nic_softc *sc)
{
	scgth_t sg;
	mblk_t *mp;

	if ((mp = allocb_physreq(NIC_MTU, BPRI_HI, sc->sc_preq)) == NULL)
		return -1;
	/* The whole buffer, for its address; then empty again. */
	mp->b_wptr = mp->b_datap->db_lim;
	if (msgscgth(mp, sc->sc_preq, &sg) != mp || sg.sg_nelem != 1) {
		freeb(mp);
		return -1;
	}
	outl(sc->sc_base + NIC_RX_ADDR, sg.sg_elem.el32[0].sg_base);
	outl(sc->sc_base + NIC_RX_SIZE, sg.sg_elem.el32[0].sg_size);
	scgth_free(&sg);
	mp->b_wptr = mp->b_rptr;
	sc->sc_rx = mp;
	return 0;
}

int
nic_init(int base)
{
	struct nic_softc *sc = &nic_sc;

	sc->sc_base = base;
	sc->sc_pullups = 0;
	sc->sc_preq = physreq_alloc(KM_SLEEP);
	sc->sc_preq->phys_dmasize = 32;
	sc->sc_preq->phys_align = 4;
	sc->sc_preq->phys_boundary = 4096;
	sc->sc_preq->phys_max_scgth = NIC_MAXFRAG;
	if (!physreq_prep(sc->sc_preq, KM_SLEEP))
		return -1;
	return nic_rx_post(sc);
}

/*
 * Send one frame.  The message is the driver's from here on: it is
 * freed once sent, or dropped (return -1) when no memory can be had.
 */
int
nic_xmit(mblk_t *mp)
{
	struct nic_softc *sc = &nic_sc;
	scgth_t sg;
	mblk_t *nmp;

	if ((nmp = msgscgth(mp, sc->sc_preq, &sg)) == NULL) {
		/* Too many pieces: one buffer, then try again. */
		sc->sc_pullups++;
		if ((nmp = msgpullup_physreq(mp, -1, sc->sc_preq)) == NULL) {
			freemsg(mp);
			return -1;
		}
		freemsg(mp);
		mp = nmp;
		if ((nmp = msgscgth(mp, sc->sc_preq, &sg)) == NULL) {
			freemsg(mp);
			return -1;
		}
	}
	mp = nmp;
	if (sg.sg_nelem > 0) {
		outl(sc->sc_base + NIC_TX_LIST, sg.sg_el_addr.ea32.sg_base);
		outl(sc->sc_base + NIC_TX_COUNT, sg.sg_nelem);
		scgth_free(&sg);
	}
	freemsg(mp);
	return 0;
}

/* A frame that has arrived, or NULL; the adapter gets a new buffer. */
mblk_t *
nic_rxpoll(void)
{
	struct nic_softc *sc = &nic_sc;
	ulong_t len = inl(sc->sc_base + NIC_RX_LEN);
	mblk_t *mp = sc->sc_rx;

	if (len == 0 || mp == NULL)
		return NULL;
	mp->b_wptr = mp->b_rptr + len;
	sc->sc_rx = NULL;
	(void)nic_rx_post(sc);
	return mp;
}

unsigned long
nic_pullups(void)
{
	return nic_sc.sc_pullups;
}

void
nic_fini(void)
{
	struct nic_softc *sc = &nic_sc;

	outl(sc->sc_base + NIC_RX_SIZE, 0);
	if (sc->sc_rx != NULL)
		freemsg(sc->sc_rx);
	sc->sc_rx = NULL;
	physreq_free(sc->sc_preq);
}
