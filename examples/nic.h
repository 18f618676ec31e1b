/* nic.h - the example network driver's adapter and entry points. */
#ifndef EXAMPLE_NIC_H
#define EXAMPLE_NIC_H

/*
 * The adapter's registers, 32 bits wide, at base + offset.
 *
 * Transmit: write the physical address of a list of (address, length)
 * pairs, then their count, which hands the frame to the adapter.  It
 * holds up to NIC_TXRING frames it has not sent yet; it sends them in
 * order, reading the list and the bytes it names when it sends, and
 * then counts them in NIC_TX_DONE (read: the frames sent since the last
 * read) and interrupts with NIC_ISR_TX.
 *
 * Receive: give a buffer's physical address and size; when a frame has
 * arrived in it the length register reads its bytes (0 while none has)
 * and the adapter interrupts with NIC_ISR_RX.  Giving a new buffer
 * clears the length.
 *
 * NIC_ISR reads the causes of the interrupt and clears them; NIC_CTL
 * enables interrupts; NIC_MAC_LO and NIC_MAC_HI read the station
 * address, its first four bytes and its last two, first byte lowest.
 */
#define NIC_TX_LIST	0x00
#define NIC_TX_COUNT	0x04
#define NIC_RX_ADDR	0x08
#define NIC_RX_SIZE	0x0c
#define NIC_RX_LEN	0x10
#define NIC_ISR		0x14
#define NIC_TX_DONE	0x18
#define NIC_MAC_LO	0x1c
#define NIC_MAC_HI	0x20
#define NIC_CTL		0x24
#define NIC_NREGS	0x28

#define NIC_ISR_TX	0x01	/* frames were sent */
#define NIC_ISR_RX	0x02	/* a frame arrived */
#define NIC_CTL_IE	0x01	/* interrupts enabled */

#define NIC_MAXFRAG	8	/* pairs the adapter reads per frame */
#define NIC_TXRING	4	/* frames it holds unsent */
#define NIC_MTU		1514	/* the largest frame, header included */
#define NIC_HDRLEN	14	/* destination, source, type */
#define NIC_ADDRL	6	/* a station address */
#define NIC_DLSAPL	8	/* a DLSAP address: station, then type */
#define NIC_NMINOR	8	/* streams an adapter has open at once */
#define NIC_CLONE	0	/* the channel whose open picks a free one */

/* The write queue's water marks: the frames that may wait. */
#define NIC_WHIWAT	4096
#define NIC_WLOWAT	1024
/* The read queue's: frames the stream above has not taken yet. */
#define NIC_RHIWAT	65536
#define NIC_RLOWAT	16384

/* What DL_GET_STATISTICS_ACK returns, for the adapter and the stream. */
struct nic_dlstats {
	unsigned int	ns_opackets;	/* frames the adapter sent */
	unsigned int	ns_ipackets;	/* frames it received */
	unsigned int	ns_pullups;	/* frames pulled up before sending */
	unsigned int	ns_oerrors;	/* frames dropped on the way out */
	unsigned int	ns_ierrors;	/* frames dropped on the way in */
	unsigned int	ns_txfull;	/* times a frame waited for the ring */
	unsigned int	ns_rqueued;	/* this stream: frames waiting */
	unsigned int	ns_delivered;	/* this stream: frames passed up */
};

#endif
