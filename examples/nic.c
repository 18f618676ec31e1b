/*
 * nic.c - a DDI 8 STREAMS driver for an Ethernet adapter, a DLPI 2
 * style 1 provider of connectionless service, written the way UnixWare
 * LAN drivers were.
 *
 * Loading.  _load registers the driver with drv_attach; the kernel then
 * calls its config entry point with CFG_ADD for each adapter the
 * resource manager lists under its name, with the adapter's key, which
 * gives its ports (CM_IOADDR) and its interrupt (cm_intr_attach).  Each
 * adapter is an instance with a state of its own; CFG_REMOVE, which
 * drv_detach in _unload makes for each, takes it down.
 *
 * Streams.  Each stream has a channel of its own.  Channel 0 is the
 * clone channel: opening it gives the stream the first free channel, as
 * d_open does by changing *channelp; the other channels are opened by
 * their number.  A stream is unbound until DL_BIND_REQ
 * binds an Ethernet type (its SAP); then it sends DL_UNITDATA_REQ data
 * units, or raw M_DATA frames with their header, and receives the
 * frames of its type as DL_UNITDATA_IND.  A DLSAP address is the
 * station address followed by the type, most significant byte first.
 *
 * Transmit.  The write put procedure turns data units into frames (the
 * M_PROTO block becomes the header) and queues them; the write service
 * procedure hands them to the adapter, whose ring holds NIC_TXRING
 * frames.  When the ring is full the service procedure puts the frame
 * back and returns: the queue fills, and the stream head above stops
 * writers at its high water mark.  The transmit interrupt frees the
 * frames sent and enables the waiting queues.  The adapter drives 32
 * address bits and reads up to NIC_MAXFRAG (address, length) pairs per
 * frame, each 4-byte aligned and inside one 4 KiB page; the pairs have
 * the layout of scgth_el32_t, so the driver hands the adapter msgscgth's
 * own element array, and keeps it until the frame is sent.  A frame in
 * more pieces than that is pulled up first.
 *
 * Receive.  The adapter fills an allocb_physreq buffer whose address
 * msgscgth gives; the receive interrupt takes it, gives a new one, and
 * queues a DL_UNITDATA_IND on the read queue of each stream bound to
 * the frame's type.  The read service procedure passes them up while
 * canputnext allows; when the stream above is full they wait, in order.
 *
 * Each adapter's basic lock guards the adapter, its ring and its
 * streams; it is not held while the driver calls other modules'
 * procedures.
 *
 * Compile as a legacy driver:
 *	cc $(pkg-config --cflags ddicompat) -D_DDI=8 -c nic.c
 */
#include <sys/types.h>
#include <sys/param.h>
#include <sys/errno.h>
#include <sys/kmem.h>
#include <sys/ksynch.h>
#include <sys/stream.h>
#include <sys/stropts.h>
#include <sys/dlpi.h>
#include <sys/scgth.h>
#include <sys/conf.h>
#include <sys/confmgr.h>
#include <sys/cred.h>
#include <sys/moddefs.h>
#include <sys/ddi.h>

#include "nic.h"

#define NIC_MAXSDU	(NIC_MTU - NIC_HDRLEN)
#define NIC_MINSAP	0x0600		/* types below are 802.3 lengths */
#define NIC_NMULTI	4		/* multicast addresses per stream */

struct nic_softc;

struct nic_minor {
	struct nic_softc *nm_sc;	/* its adapter */
	queue_t		*nm_rq;		/* NULL: not open */
	ulong_t		nm_state;	/* DL_UNBOUND or DL_IDLE */
	ushort_t	nm_sap;		/* the bound type */
	int		nm_txwait;	/* its queue waits for the ring */
	int		nm_nmulti;
	uchar_t		nm_multi[NIC_NMULTI][NIC_ADDRL];
	unsigned int	nm_delivered;
};

struct nic_txslot {
	mblk_t		*ts_mp;		/* the frame the adapter reads */
	scgth_t		ts_sg;		/* and its pairs */
};

struct nic_softc {
	rm_key_t	sc_key;
	int		sc_base;
	physreq_t	*sc_preq;
	lock_t		*sc_lock;	/* guards everything below */
	void		*sc_cookie;	/* its interrupt (cm_intr_attach) */
	mblk_t		*sc_rx;		/* the buffer the adapter fills */
	uchar_t		sc_addr[NIC_ADDRL];
	struct nic_txslot sc_ring[NIC_TXRING];
	unsigned int	sc_txfirst;	/* oldest frame not yet sent */
	unsigned int	sc_txcount;	/* frames in the ring */
	struct nic_minor sc_minor[NIC_NMINOR];	/* channel m + 1's */
	struct nic_dlstats sc_stats;	/* the adapter's part */
};

STATIC LKINFO_DECL(nic_lkinfo, "nic:state", 0);

STATIC int nic_load(void);
STATIC int nic_unload(void);
STATIC int nic_config(cfg_func_t, void *, rm_key_t);
STATIC int nic_open(void *, channel_t *, int, cred_t *, queue_t *);
STATIC int nic_close(void *, channel_t, int, cred_t *, queue_t *);
STATIC int nic_wput(queue_t *, mblk_t *);
STATIC int nic_wsrv(queue_t *);
STATIC int nic_rput(queue_t *, mblk_t *);
STATIC int nic_rsrv(queue_t *);

STATIC struct module_info nic_rminfo = {
	0x4e49, "nic", 0, NIC_MAXSDU, NIC_RHIWAT, NIC_RLOWAT
};
STATIC struct module_info nic_wminfo = {
	0x4e49, "nic", 0, NIC_MTU, NIC_WHIWAT, NIC_WLOWAT
};
/* DDI 8: open and close are the driver's drvops, not the queue's. */
STATIC struct qinit nic_rinit = {
	nic_rput, nic_rsrv, NULL, NULL, NULL, &nic_rminfo, NULL
};
STATIC struct qinit nic_winit = {
	nic_wput, nic_wsrv, NULL, NULL, NULL, &nic_wminfo, NULL
};
STATIC struct streamtab nic_str = { &nic_rinit, &nic_winit, NULL, NULL };

STATIC drvops_t nic_drvops = {
	nic_config, nic_open, nic_close, NULL, NULL, NULL, NULL, NULL
};
/* Channel 0 clones; channels 1 to NIC_NMINOR are streams. */
STATIC drvinfo_t nic_drvinfo = {
	&nic_drvops, "nic", D_MP, &nic_str, NIC_NMINOR
};

MOD_DRV_WRAPPER(nic, nic_load, nic_unload, NULL, "nic - Ethernet DLPI");

STATIC const uchar_t nic_broadcast[NIC_ADDRL] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff
};

/* ---- the adapter ---- */

/* Give the adapter a fresh receive buffer; 0, or -1 if none was had. */
STATIC int
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

/* The frame in the receive buffer, or NULL; the adapter gets a new one. */
STATIC mblk_t *
nic_rx_take(struct nic_softc *sc)
{
	ulong_t len = inl(sc->sc_base + NIC_RX_LEN);
	mblk_t *mp = sc->sc_rx;

	if (len == 0 || mp == NULL)
		return NULL;
	if (len > NIC_MTU)
		len = NIC_MTU;
	mp->b_wptr = mp->b_rptr + len;
	sc->sc_rx = NULL;
	if (nic_rx_post(sc) != 0) {
		/* No new buffer: keep this one, drop the frame. */
		mp->b_wptr = mp->b_rptr;
		sc->sc_rx = mp;
		outl(sc->sc_base + NIC_RX_SIZE, 0);
		sc->sc_stats.ns_ierrors++;
		return NULL;
	}
	sc->sc_stats.ns_ipackets++;
	return mp;
}

/*
 * Hand one frame to the adapter, its pairs in *sgp, and return the
 * message the adapter reads, which the driver keeps until it is sent;
 * NULL when no memory could be had (the frame is then freed).
 */
STATIC mblk_t *
nic_tx_start(struct nic_softc *sc, mblk_t *mp, scgth_t *sgp)
{
	mblk_t *nmp;

	if ((nmp = msgscgth(mp, sc->sc_preq, sgp)) == NULL) {
		/* Too many pieces: one buffer, then try again. */
		sc->sc_stats.ns_pullups++;
		if ((nmp = msgpullup_physreq(mp, -1, sc->sc_preq)) == NULL) {
			freemsg(mp);
			return NULL;
		}
		freemsg(mp);
		mp = nmp;
		if ((nmp = msgscgth(mp, sc->sc_preq, sgp)) == NULL) {
			freemsg(mp);
			return NULL;
		}
	}
	if (sgp->sg_nelem == 0) {
		freemsg(nmp);
		return NULL;
	}
	outl(sc->sc_base + NIC_TX_LIST, sgp->sg_el_addr.ea32.sg_base);
	outl(sc->sc_base + NIC_TX_COUNT, sgp->sg_nelem);
	return nmp;
}

STATIC int
nic_hw_init(struct nic_softc *sc, int base)
{
	ulong_t lo, hi;

	bzero(sc, sizeof(*sc));
	sc->sc_base = base;
	sc->sc_preq = physreq_alloc(KM_SLEEP);
	sc->sc_preq->phys_dmasize = 32;
	sc->sc_preq->phys_align = 4;
	sc->sc_preq->phys_boundary = 4096;
	sc->sc_preq->phys_max_scgth = NIC_MAXFRAG;
	if (!physreq_prep(sc->sc_preq, KM_SLEEP)) {
		physreq_free(sc->sc_preq);
		return -1;
	}
	lo = inl(base + NIC_MAC_LO);
	hi = inl(base + NIC_MAC_HI);
	sc->sc_addr[0] = (uchar_t)lo;
	sc->sc_addr[1] = (uchar_t)(lo >> 8);
	sc->sc_addr[2] = (uchar_t)(lo >> 16);
	sc->sc_addr[3] = (uchar_t)(lo >> 24);
	sc->sc_addr[4] = (uchar_t)hi;
	sc->sc_addr[5] = (uchar_t)(hi >> 8);
	if (nic_rx_post(sc) != 0) {
		physreq_free(sc->sc_preq);
		return -1;
	}
	return 0;
}

STATIC void
nic_hw_fini(struct nic_softc *sc)
{
	outl(sc->sc_base + NIC_RX_SIZE, 0);
	if (sc->sc_rx != NULL)
		freemsg(sc->sc_rx);
	sc->sc_rx = NULL;
	physreq_free(sc->sc_preq);
}

/* ---- the DLPI messages the driver sends up ---- */

/* A protocol block of len bytes, zeroed, of type; NULL if none. */
STATIC mblk_t *
nic_proto(size_t len, uchar_t type)
{
	mblk_t *mp;

	if ((mp = allocb((int)len, BPRI_HI)) == NULL)
		return NULL;
	mp->b_datap->db_type = type;
	bzero(mp->b_wptr, len);
	mp->b_wptr += len;
	return mp;
}

/* Whether len bytes at off lie inside the block. */
STATIC int
nic_fits(const mblk_t *mp, ulong_t off, ulong_t len)
{
	ulong_t have = (ulong_t)(mp->b_wptr - mp->b_rptr);

	return off <= have && len <= have - off;
}

/* Put a DLSAP address, station then type, at p. */
STATIC void
nic_dlsap(uchar_t *p, const uchar_t *addr, ushort_t sap)
{
	bcopy(addr, p, NIC_ADDRL);
	p[NIC_ADDRL] = (uchar_t)(sap >> 8);
	p[NIC_ADDRL + 1] = (uchar_t)sap;
}

STATIC void
nic_error_ack(queue_t *q, mblk_t *mp, ulong_t prim, ulong_t err, int uerr)
{
	dl_error_ack_t *ea;
	mblk_t *ap;

	freemsg(mp);
	if ((ap = nic_proto(DL_ERROR_ACK_SIZE, M_PCPROTO)) == NULL)
		return;
	ea = (dl_error_ack_t *)ap->b_rptr;
	ea->dl_primitive = DL_ERROR_ACK;
	ea->dl_error_primitive = prim;
	ea->dl_errno = err;
	ea->dl_unix_errno = (ulong_t)uerr;
	qreply(q, ap);
}

STATIC void
nic_ok_ack(queue_t *q, mblk_t *mp, ulong_t prim)
{
	dl_ok_ack_t *oa;
	mblk_t *ap;

	freemsg(mp);
	if ((ap = nic_proto(DL_OK_ACK_SIZE, M_PCPROTO)) == NULL)
		return;
	oa = (dl_ok_ack_t *)ap->b_rptr;
	oa->dl_primitive = DL_OK_ACK;
	oa->dl_correct_primitive = prim;
	qreply(q, ap);
}

/* A DL_UNITDATA_REQ that cannot be sent: DL_UDERROR_IND with its address. */
STATIC void
nic_uderror(queue_t *q, mblk_t *mp, ulong_t err)
{
	dl_unitdata_req_t *ur = (dl_unitdata_req_t *)mp->b_rptr;
	dl_uderror_ind_t *ue;
	ulong_t alen = ur->dl_dest_addr_length;
	mblk_t *ap;

	if (alen > NIC_DLSAPL || !nic_fits(mp, ur->dl_dest_addr_offset, alen))
		alen = 0;
	if ((ap = nic_proto(DL_UDERROR_IND_SIZE + alen, M_PROTO)) != NULL) {
		ue = (dl_uderror_ind_t *)ap->b_rptr;
		ue->dl_primitive = DL_UDERROR_IND;
		ue->dl_dest_addr_length = alen;
		ue->dl_dest_addr_offset = alen ? DL_UDERROR_IND_SIZE : 0;
		ue->dl_errno = err;
		bcopy(mp->b_rptr + ur->dl_dest_addr_offset,
		    ap->b_rptr + DL_UDERROR_IND_SIZE, alen);
		qreply(q, ap);
	}
	freemsg(mp);
}

/* ---- open and close ---- */

/*
 * d_open: a DDI 8 STREAMS driver's open has the syntax of any driver's,
 * with its read queue as the last argument.  Channel 0 clones.
 */
STATIC int
nic_open(void *idata, channel_t *channelp, int oflags, cred_t *crp,
    queue_t *q)
{
	struct nic_softc *sc = idata;
	struct nic_minor *nm = NULL;
	channel_t ch;
	pl_t s;

	(void)oflags;
	(void)crp;
	if (q == NULL)
		return ENXIO;		/* only as a stream */
	if (q->q_ptr != NULL)
		return 0;		/* a reopen of this stream */
	s = LOCK(sc->sc_lock, plstr);
	if (*channelp == 0) {
		for (ch = 1; ch <= NIC_NMINOR; ch++)
			if (sc->sc_minor[ch - 1].nm_rq == NULL) {
				nm = &sc->sc_minor[ch - 1];
				break;
			}
	} else if ((ch = *channelp) <= NIC_NMINOR &&
	    sc->sc_minor[ch - 1].nm_rq == NULL)
		nm = &sc->sc_minor[ch - 1];
	if (nm == NULL) {
		UNLOCK(sc->sc_lock, s);
		return *channelp == 0 ? ENXIO : EBUSY;
	}
	bzero(nm, sizeof(*nm));
	nm->nm_sc = sc;
	nm->nm_rq = q;
	nm->nm_state = DL_UNBOUND;
	UNLOCK(sc->sc_lock, s);
	q->q_ptr = WR(q)->q_ptr = nm;
	*channelp = ch;
	qprocson(q);
	return 0;
}

STATIC int
nic_close(void *idata, channel_t channel, int oflags, cred_t *crp,
    queue_t *q)
{
	struct nic_softc *sc = idata;
	struct nic_minor *nm = q->q_ptr;
	pl_t s;

	(void)channel;
	(void)oflags;
	(void)crp;
	qprocsoff(q);
	s = LOCK(sc->sc_lock, plstr);
	nm->nm_rq = NULL;
	nm->nm_state = DL_UNBOUND;
	UNLOCK(sc->sc_lock, s);
	q->q_ptr = WR(q)->q_ptr = NULL;
	return 0;
}

/* ---- the write side ---- */

STATIC void
nic_info_req(queue_t *q, mblk_t *mp, struct nic_minor *nm)
{
	struct nic_softc *sc = nm->nm_sc;
	dl_info_ack_t *ia;
	mblk_t *ap;

	freemsg(mp);
	if ((ap = nic_proto(DL_INFO_ACK_SIZE + NIC_DLSAPL + NIC_ADDRL,
	    M_PCPROTO)) == NULL)
		return;
	ia = (dl_info_ack_t *)ap->b_rptr;
	ia->dl_primitive = DL_INFO_ACK;
	ia->dl_max_sdu = NIC_MAXSDU;
	ia->dl_min_sdu = 1;
	ia->dl_addr_length = NIC_DLSAPL;
	ia->dl_mac_type = DL_ETHER;
	ia->dl_current_state = nm->nm_state;
	ia->dl_sap_length = -2;		/* the type follows the station */
	ia->dl_service_mode = DL_CLDLS;
	ia->dl_provider_style = DL_STYLE1;
	ia->dl_addr_offset = DL_INFO_ACK_SIZE;
	ia->dl_version = DL_VERSION_2;
	ia->dl_brdcst_addr_length = NIC_ADDRL;
	ia->dl_brdcst_addr_offset = DL_INFO_ACK_SIZE + NIC_DLSAPL;
	nic_dlsap(ap->b_rptr + DL_INFO_ACK_SIZE, sc->sc_addr, nm->nm_sap);
	bcopy(nic_broadcast, ap->b_rptr + DL_INFO_ACK_SIZE + NIC_DLSAPL,
	    NIC_ADDRL);
	qreply(q, ap);
}

STATIC void
nic_bind_req(queue_t *q, mblk_t *mp, struct nic_minor *nm)
{
	struct nic_softc *sc = nm->nm_sc;
	dl_bind_req_t *br = (dl_bind_req_t *)mp->b_rptr;
	dl_bind_ack_t *ba;
	ulong_t sap = br->dl_sap;
	mblk_t *ap;
	pl_t s;

	if (mp->b_wptr - mp->b_rptr < (int)DL_BIND_REQ_SIZE) {
		nic_error_ack(q, mp, DL_BIND_REQ, DL_BADPRIM, 0);
		return;
	}
	if (nm->nm_state != DL_UNBOUND) {
		nic_error_ack(q, mp, DL_BIND_REQ, DL_OUTSTATE, 0);
		return;
	}
	if (br->dl_service_mode != DL_CLDLS || br->dl_max_conind != 0) {
		nic_error_ack(q, mp, DL_BIND_REQ, DL_UNSUPPORTED, 0);
		return;
	}
	if (sap < NIC_MINSAP || sap > 0xffff) {
		nic_error_ack(q, mp, DL_BIND_REQ, DL_BADSAP, 0);
		return;
	}
	if ((ap = nic_proto(DL_BIND_ACK_SIZE + NIC_DLSAPL, M_PCPROTO)) ==
	    NULL) {
		nic_error_ack(q, mp, DL_BIND_REQ, DL_SYSERR, ENOSR);
		return;
	}
	freemsg(mp);
	s = LOCK(sc->sc_lock, plstr);
	nm->nm_sap = (ushort_t)sap;
	nm->nm_state = DL_IDLE;
	UNLOCK(sc->sc_lock, s);
	ba = (dl_bind_ack_t *)ap->b_rptr;
	ba->dl_primitive = DL_BIND_ACK;
	ba->dl_sap = sap;
	ba->dl_addr_length = NIC_DLSAPL;
	ba->dl_addr_offset = DL_BIND_ACK_SIZE;
	nic_dlsap(ap->b_rptr + DL_BIND_ACK_SIZE, sc->sc_addr, (ushort_t)sap);
	qreply(q, ap);
}

STATIC void
nic_unbind_req(queue_t *q, mblk_t *mp, struct nic_minor *nm)
{
	struct nic_softc *sc = nm->nm_sc;
	pl_t s;

	if (nm->nm_state != DL_IDLE) {
		nic_error_ack(q, mp, DL_UNBIND_REQ, DL_OUTSTATE, 0);
		return;
	}
	s = LOCK(sc->sc_lock, plstr);
	nm->nm_state = DL_UNBOUND;
	nm->nm_nmulti = 0;
	UNLOCK(sc->sc_lock, s);
	/* What was on its way, either way, goes. */
	flushq(q, FLUSHDATA);
	flushq(RD(q), FLUSHDATA);
	(void)putnextctl1(RD(q), M_FLUSH, FLUSHRW);
	nic_ok_ack(q, mp, DL_UNBIND_REQ);
}

STATIC void
nic_phys_addr_req(queue_t *q, mblk_t *mp, struct nic_minor *nm)
{
	struct nic_softc *sc = nm->nm_sc;
	dl_phys_addr_ack_t *pa;
	mblk_t *ap;

	if (mp->b_wptr - mp->b_rptr < (int)DL_PHYS_ADDR_REQ_SIZE) {
		nic_error_ack(q, mp, DL_PHYS_ADDR_REQ, DL_BADPRIM, 0);
		return;
	}
	freemsg(mp);
	if ((ap = nic_proto(DL_PHYS_ADDR_ACK_SIZE + NIC_ADDRL, M_PCPROTO)) ==
	    NULL)
		return;
	pa = (dl_phys_addr_ack_t *)ap->b_rptr;
	pa->dl_primitive = DL_PHYS_ADDR_ACK;
	pa->dl_addr_length = NIC_ADDRL;
	pa->dl_addr_offset = DL_PHYS_ADDR_ACK_SIZE;
	bcopy(sc->sc_addr, ap->b_rptr + DL_PHYS_ADDR_ACK_SIZE, NIC_ADDRL);
	qreply(q, ap);
}

/* DL_ENABMULTI_REQ and DL_DISABMULTI_REQ. */
STATIC void
nic_multi_req(queue_t *q, mblk_t *mp, struct nic_minor *nm, ulong_t prim)
{
	struct nic_softc *sc = nm->nm_sc;
	dl_enabmulti_req_t *er = (dl_enabmulti_req_t *)mp->b_rptr;
	ulong_t err = 0;
	uchar_t *a;
	int i;
	pl_t s;

	if (mp->b_wptr - mp->b_rptr < (int)DL_ENABMULTI_REQ_SIZE) {
		nic_error_ack(q, mp, prim, DL_BADPRIM, 0);
		return;
	}
	if (nm->nm_state != DL_IDLE) {
		nic_error_ack(q, mp, prim, DL_OUTSTATE, 0);
		return;
	}
	a = mp->b_rptr + er->dl_addr_offset;
	if (er->dl_addr_length != NIC_ADDRL ||
	    !nic_fits(mp, er->dl_addr_offset, NIC_ADDRL) || !(a[0] & 1)) {
		nic_error_ack(q, mp, prim, DL_BADADDR, 0);
		return;
	}
	s = LOCK(sc->sc_lock, plstr);
	for (i = 0; i < nm->nm_nmulti; i++)
		if (bcmp(nm->nm_multi[i], a, NIC_ADDRL) == 0)
			break;
	if (prim == DL_ENABMULTI_REQ) {
		if (i == nm->nm_nmulti) {
			if (i == NIC_NMULTI)
				err = DL_TOOMANY;
			else
				bcopy(a, nm->nm_multi[nm->nm_nmulti++],
				    NIC_ADDRL);
		}
	} else if (i == nm->nm_nmulti)
		err = DL_NOTENAB;
	else {
		nm->nm_nmulti--;
		bcopy(nm->nm_multi[nm->nm_nmulti], nm->nm_multi[i],
		    NIC_ADDRL);
	}
	UNLOCK(sc->sc_lock, s);
	if (err != 0)
		nic_error_ack(q, mp, prim, err, 0);
	else
		nic_ok_ack(q, mp, prim);
}

STATIC void
nic_stats_req(queue_t *q, mblk_t *mp, struct nic_minor *nm)
{
	struct nic_softc *sc = nm->nm_sc;
	dl_get_statistics_ack_t *sa;
	struct nic_dlstats st;
	mblk_t *ap;
	pl_t s;

	freemsg(mp);
	if ((ap = nic_proto(DL_GET_STATISTICS_ACK_SIZE + sizeof(st),
	    M_PCPROTO)) == NULL)
		return;
	s = LOCK(sc->sc_lock, plstr);
	st = sc->sc_stats;
	st.ns_delivered = nm->nm_delivered;
	UNLOCK(sc->sc_lock, s);
	st.ns_rqueued = (unsigned int)qsize(RD(q));
	sa = (dl_get_statistics_ack_t *)ap->b_rptr;
	sa->dl_primitive = DL_GET_STATISTICS_ACK;
	sa->dl_stat_length = sizeof(st);
	sa->dl_stat_offset = DL_GET_STATISTICS_ACK_SIZE;
	bcopy(&st, ap->b_rptr + DL_GET_STATISTICS_ACK_SIZE, sizeof(st));
	qreply(q, ap);
}

/*
 * A DL_UNITDATA_REQ: checked, then made a frame in place, its M_PROTO
 * block the header, and queued for the service procedure.
 */
STATIC void
nic_unitdata_req(queue_t *q, mblk_t *mp, struct nic_minor *nm)
{
	struct nic_softc *sc = nm->nm_sc;
	dl_unitdata_req_t *ur = (dl_unitdata_req_t *)mp->b_rptr;
	uchar_t dst[NIC_DLSAPL], *h;
	ulong_t alen, aoff;
	int len;

	if (mp->b_wptr - mp->b_rptr < (int)DL_UNITDATA_REQ_SIZE) {
		nic_error_ack(q, mp, DL_UNITDATA_REQ, DL_BADPRIM, 0);
		return;
	}
	if (nm->nm_state != DL_IDLE) {
		nic_uderror(q, mp, DL_OUTSTATE);
		return;
	}
	alen = ur->dl_dest_addr_length;
	aoff = ur->dl_dest_addr_offset;
	if ((alen != NIC_DLSAPL && alen != NIC_ADDRL) ||
	    aoff < DL_UNITDATA_REQ_SIZE || !nic_fits(mp, aoff, alen)) {
		nic_uderror(q, mp, DL_BADADDR);
		return;
	}
	len = mp->b_cont != NULL ? msgdsize(mp->b_cont) : 0;
	if (len < 1 || len > NIC_MAXSDU) {
		nic_uderror(q, mp, DL_BADDATA);
		return;
	}
	bcopy(mp->b_rptr + aoff, dst, alen);
	if (alen == NIC_ADDRL) {	/* no type given: the bound one */
		dst[NIC_ADDRL] = (uchar_t)(nm->nm_sap >> 8);
		dst[NIC_ADDRL + 1] = (uchar_t)nm->nm_sap;
	}
	if (mp->b_datap->db_ref > 1 ||
	    mp->b_datap->db_lim - mp->b_datap->db_base < NIC_HDRLEN) {
		mblk_t *hp;

		if ((hp = allocb(NIC_HDRLEN, BPRI_MED)) == NULL) {
			nic_uderror(q, mp, DL_SYSERR);
			return;
		}
		hp->b_cont = mp->b_cont;
		mp->b_cont = NULL;
		freeb(mp);
		mp = hp;
	}
	mp->b_datap->db_type = M_DATA;
	mp->b_rptr = mp->b_datap->db_base;
	mp->b_wptr = mp->b_rptr + NIC_HDRLEN;
	h = mp->b_rptr;
	bcopy(dst, h, NIC_ADDRL);
	bcopy(sc->sc_addr, h + NIC_ADDRL, NIC_ADDRL);
	h[2 * NIC_ADDRL] = dst[NIC_ADDRL];
	h[2 * NIC_ADDRL + 1] = dst[NIC_ADDRL + 1];
	(void)putq(q, mp);
}

STATIC void
nic_proto_msg(queue_t *q, mblk_t *mp, struct nic_minor *nm)
{
	ulong_t prim;

	if (mp->b_wptr - mp->b_rptr < (int)sizeof(ulong_t)) {
		nic_error_ack(q, mp, 0, DL_BADPRIM, 0);
		return;
	}
	prim = ((union DL_primitives *)mp->b_rptr)->dl_primitive;
	switch (prim) {
	case DL_INFO_REQ:
		nic_info_req(q, mp, nm);
		break;
	case DL_BIND_REQ:
		nic_bind_req(q, mp, nm);
		break;
	case DL_UNBIND_REQ:
		nic_unbind_req(q, mp, nm);
		break;
	case DL_UNITDATA_REQ:
		nic_unitdata_req(q, mp, nm);
		break;
	case DL_PHYS_ADDR_REQ:
		nic_phys_addr_req(q, mp, nm);
		break;
	case DL_ENABMULTI_REQ:
	case DL_DISABMULTI_REQ:
		nic_multi_req(q, mp, nm, prim);
		break;
	case DL_GET_STATISTICS_REQ:
		nic_stats_req(q, mp, nm);
		break;
	case DL_ATTACH_REQ:
	case DL_DETACH_REQ:
		/* Style 1: the open chose the adapter. */
		nic_error_ack(q, mp, prim, DL_OUTSTATE, 0);
		break;
	case DL_SUBS_BIND_REQ:
	case DL_SUBS_UNBIND_REQ:
	case DL_PROMISCON_REQ:
	case DL_PROMISCOFF_REQ:
	case DL_SET_PHYS_ADDR_REQ:
	case DL_UDQOS_REQ:
	case DL_TEST_REQ:
	case DL_TEST_RES:
	case DL_XID_REQ:
	case DL_XID_RES:
	case DL_CONNECT_REQ:
	case DL_CONNECT_RES:
	case DL_TOKEN_REQ:
	case DL_DISCONNECT_REQ:
	case DL_RESET_REQ:
	case DL_RESET_RES:
	case DL_DATA_ACK_REQ:
	case DL_REPLY_REQ:
	case DL_REPLY_UPDATE_REQ:
		nic_error_ack(q, mp, prim, DL_NOTSUPPORTED, 0);
		break;
	default:
		nic_error_ack(q, mp, prim, DL_BADPRIM, 0);
		break;
	}
}

/* A raw frame the driver cannot send. */
STATIC void
nic_drop(struct nic_minor *nm, mblk_t *mp)
{
	struct nic_softc *sc = nm->nm_sc;
	pl_t s;

	freemsg(mp);
	s = LOCK(sc->sc_lock, plstr);
	sc->sc_stats.ns_oerrors++;
	UNLOCK(sc->sc_lock, s);
}

STATIC int
nic_wput(queue_t *q, mblk_t *mp)
{
	struct nic_minor *nm = q->q_ptr;
	struct iocblk *ioc;

	switch (mp->b_datap->db_type) {
	case M_DATA:
		/* A raw frame, header included, from a bound stream. */
		if (nm->nm_state != DL_IDLE || msgdsize(mp) < NIC_HDRLEN ||
		    msgdsize(mp) > NIC_MTU) {
			nic_drop(nm, mp);
			break;
		}
		(void)putq(q, mp);
		break;
	case M_PROTO:
	case M_PCPROTO:
		nic_proto_msg(q, mp, nm);
		break;
	case M_FLUSH:
		if (*mp->b_rptr & FLUSHW)
			flushq(q, FLUSHDATA);
		if (*mp->b_rptr & FLUSHR) {
			flushq(RD(q), FLUSHDATA);
			*mp->b_rptr &= ~FLUSHW;
			qreply(q, mp);
		} else
			freemsg(mp);
		break;
	case M_IOCTL:
		/* No ioctls of its own. */
		ioc = (struct iocblk *)mp->b_rptr;
		mp->b_datap->db_type = M_IOCNAK;
		ioc->ioc_count = 0;
		ioc->ioc_error = EINVAL;
		qreply(q, mp);
		break;
	default:
		freemsg(mp);
		break;
	}
	return 0;
}

/* Hand the queued frames to the adapter while its ring has room. */
STATIC int
nic_wsrv(queue_t *q)
{
	struct nic_minor *nm = q->q_ptr;
	struct nic_softc *sc = nm->nm_sc;
	struct nic_txslot *ts;
	mblk_t *mp;
	pl_t s;

	while ((mp = getq(q)) != NULL) {
		s = LOCK(sc->sc_lock, plstr);
		if (sc->sc_txcount == NIC_TXRING) {
			/* Full: wait for the transmit interrupt. */
			nm->nm_txwait = 1;
			sc->sc_stats.ns_txfull++;
			UNLOCK(sc->sc_lock, s);
			(void)putbq(q, mp);
			return 0;
		}
		ts = &sc->sc_ring[(sc->sc_txfirst + sc->sc_txcount) %
		    NIC_TXRING];
		if ((ts->ts_mp = nic_tx_start(sc, mp, &ts->ts_sg)) == NULL)
			sc->sc_stats.ns_oerrors++;
		else
			sc->sc_txcount++;
		UNLOCK(sc->sc_lock, s);
	}
	return 0;
}

/* ---- the read side ---- */

/* What is put on the read side waits its turn with the frames. */
STATIC int
nic_rput(queue_t *q, mblk_t *mp)
{
	(void)putq(q, mp);
	return 0;
}

/* Pass the indications up while the stream above has room. */
STATIC int
nic_rsrv(queue_t *q)
{
	mblk_t *mp;

	while ((mp = getq(q)) != NULL) {
		if (!canputnext(q)) {
			(void)putbq(q, mp);
			return 0;
		}
		putnext(q, mp);
	}
	return 0;
}

/* Whether a stream takes a frame sent to dst. */
STATIC int
nic_wants(const struct nic_softc *sc, const struct nic_minor *nm,
    const uchar_t *dst)
{
	int i;

	if (!(dst[0] & 1))
		return bcmp(dst, sc->sc_addr, NIC_ADDRL) == 0;
	if (bcmp(dst, nic_broadcast, NIC_ADDRL) == 0)
		return 1;
	for (i = 0; i < nm->nm_nmulti; i++)
		if (bcmp(dst, nm->nm_multi[i], NIC_ADDRL) == 0)
			return 1;
	return 0;
}

/* A frame arrived (lock held): one DL_UNITDATA_IND per stream bound. */
STATIC void
nic_deliver(struct nic_softc *sc, mblk_t *mp)
{
	const uchar_t *h = mp->b_rptr;
	ushort_t type;
	dl_unitdata_ind_t *ui;
	struct nic_minor *nm, *last = NULL;
	mblk_t *ip, *dp;
	int m;

	if (mp->b_wptr - mp->b_rptr <= NIC_HDRLEN) {
		sc->sc_stats.ns_ierrors++;
		freemsg(mp);
		return;
	}
	type = (ushort_t)(h[2 * NIC_ADDRL] << 8 | h[2 * NIC_ADDRL + 1]);
	for (m = 0; m < NIC_NMINOR; m++) {
		nm = &sc->sc_minor[m];
		if (nm->nm_rq != NULL && nm->nm_state == DL_IDLE &&
		    nm->nm_sap == type && nic_wants(sc, nm, h))
			last = nm;
	}
	for (m = 0; m < NIC_NMINOR && last != NULL; m++) {
		nm = &sc->sc_minor[m];
		if (nm->nm_rq == NULL || nm->nm_state != DL_IDLE ||
		    nm->nm_sap != type || !nic_wants(sc, nm, h))
			continue;
		if (!canput(nm->nm_rq) || (ip = nic_proto(DL_UNITDATA_IND_SIZE
		    + 2 * NIC_DLSAPL, M_PROTO)) == NULL) {
			sc->sc_stats.ns_ierrors++;
			continue;
		}
		ui = (dl_unitdata_ind_t *)ip->b_rptr;
		ui->dl_primitive = DL_UNITDATA_IND;
		ui->dl_dest_addr_length = NIC_DLSAPL;
		ui->dl_dest_addr_offset = DL_UNITDATA_IND_SIZE;
		ui->dl_src_addr_length = NIC_DLSAPL;
		ui->dl_src_addr_offset = DL_UNITDATA_IND_SIZE + NIC_DLSAPL;
		ui->dl_group_address = h[0] & 1;
		nic_dlsap(ip->b_rptr + ui->dl_dest_addr_offset, h, type);
		nic_dlsap(ip->b_rptr + ui->dl_src_addr_offset, h + NIC_ADDRL,
		    type);
		if (nm == last)
			dp = mp;
		else if ((dp = dupmsg(mp)) == NULL) {
			freemsg(ip);
			sc->sc_stats.ns_ierrors++;
			continue;
		}
		dp->b_rptr += NIC_HDRLEN;
		ip->b_cont = dp;
		nm->nm_delivered++;
		(void)putq(nm->nm_rq, ip);
		if (nm == last)
			return;
	}
	freemsg(mp);
}

STATIC int
nic_intr(struct nic_softc *sc)
{
	struct nic_minor *nm;
	struct nic_txslot *ts;
	ulong_t isr, done;
	mblk_t *mp;
	int m;
	pl_t s;

	s = LOCK(sc->sc_lock, plstr);
	if ((isr = inl(sc->sc_base + NIC_ISR)) == 0) {
		UNLOCK(sc->sc_lock, s);
		return ISTAT_NONE;
	}
	if (isr & NIC_ISR_TX) {
		for (done = inl(sc->sc_base + NIC_TX_DONE);
		    done > 0 && sc->sc_txcount > 0; done--) {
			ts = &sc->sc_ring[sc->sc_txfirst];
			scgth_free(&ts->ts_sg);
			freemsg(ts->ts_mp);
			ts->ts_mp = NULL;
			sc->sc_txfirst = (sc->sc_txfirst + 1) % NIC_TXRING;
			sc->sc_txcount--;
			sc->sc_stats.ns_opackets++;
		}
		for (m = 0; m < NIC_NMINOR; m++) {
			nm = &sc->sc_minor[m];
			if (nm->nm_rq != NULL && nm->nm_txwait) {
				nm->nm_txwait = 0;
				qenable(WR(nm->nm_rq));
			}
		}
	}
	if ((isr & NIC_ISR_RX) && (mp = nic_rx_take(sc)) != NULL)
		nic_deliver(sc, mp);
	UNLOCK(sc->sc_lock, s);
	return ISTAT_ASSERTED;
}

/* ---- loading and configuration ---- */

STATIC int
nic_load(void)
{
	return drv_attach(&nic_drvinfo);
}

STATIC int
nic_unload(void)
{
	drv_detach(&nic_drvinfo);
	return 0;
}

/* The adapter's ports, from the resource manager; 0 or an errno. */
STATIC int
nic_ports(rm_key_t key, int *basep)
{
	cm_range_t io;
	cm_args_t ca;
	int error;

	ca.cm_key = key;
	ca.cm_param = CM_IOADDR;
	ca.cm_val = &io;
	ca.cm_vallen = sizeof(io);
	ca.cm_n = 0;
	cm_begin_trans(key, RM_READ);
	error = cm_getval(&ca);
	cm_end_trans(key);
	if (error != 0)
		return error;
	if (io.endaddr - io.startaddr + 1 < NIC_NREGS)
		return EINVAL;
	*basep = (int)io.startaddr;
	return 0;
}

/* CFG_ADD: an adapter, its key; its state in *idatap. */
STATIC int
nic_add(void **idatap, rm_key_t key)
{
	struct nic_softc *sc;
	int base, error;

	if ((error = nic_ports(key, &base)) != 0)
		return error;
	if ((sc = kmem_zalloc(sizeof(*sc), KM_SLEEP)) == NULL)
		return ENOMEM;
	if (nic_hw_init(sc, base) != 0) {
		kmem_free(sc, sizeof(*sc));
		return ENOMEM;
	}
	sc->sc_key = key;
	sc->sc_lock = LOCK_ALLOC(1, plstr, &nic_lkinfo, KM_SLEEP);
	if (cm_intr_attach(key, nic_intr, sc, &nic_drvinfo,
	    &sc->sc_cookie) == 0) {
		LOCK_DEALLOC(sc->sc_lock);
		nic_hw_fini(sc);
		kmem_free(sc, sizeof(*sc));
		return ENXIO;
	}
	outl(base + NIC_CTL, NIC_CTL_IE);
	*idatap = sc;
	return 0;
}

/* CFG_REMOVE: every stream is closed; the frames not yet sent are dropped. */
STATIC void
nic_remove(struct nic_softc *sc)
{
	struct nic_txslot *ts;

	outl(sc->sc_base + NIC_CTL, 0);
	cm_intr_detach(sc->sc_cookie);
	for (; sc->sc_txcount > 0; sc->sc_txcount--) {
		ts = &sc->sc_ring[sc->sc_txfirst];
		scgth_free(&ts->ts_sg);
		freemsg(ts->ts_mp);
		sc->sc_txfirst = (sc->sc_txfirst + 1) % NIC_TXRING;
	}
	LOCK_DEALLOC(sc->sc_lock);
	nic_hw_fini(sc);
	kmem_free(sc, sizeof(*sc));
}

STATIC int
nic_config(cfg_func_t func, void *idata, rm_key_t key)
{
	switch (func) {
	case CFG_ADD:
		return nic_add(idata, key);
	case CFG_REMOVE:
		nic_remove(idata);
		return 0;
	default:
		return EOPNOTSUPP;
	}
}
