/* nic.h - the example network driver's entry points, for its test. */
#ifndef EXAMPLE_NIC_H
#define EXAMPLE_NIC_H

/*
 * The adapter's registers, 32 bits wide, at base + offset.  Transmit:
 * write the physical address of a list of (address, length) pairs, then
 * their count, which sends the frame.  Receive: give a buffer's physical
 * address and size; the length register then reads the bytes of the
 * frame that arrived in it, 0 while none has.
 */
#define NIC_TX_LIST	0x00
#define NIC_TX_COUNT	0x04
#define NIC_RX_ADDR	0x08
#define NIC_RX_SIZE	0x0c
#define NIC_RX_LEN	0x10
#define NIC_NREGS	0x14

#define NIC_MAXFRAG	8	/* pairs the adapter reads per frame */
#define NIC_MTU		1514

struct msgb;

int	nic_init(int base);
int	nic_xmit(struct msgb *mp);
struct msgb *nic_rxpoll(void);
unsigned long nic_pullups(void);
void	nic_fini(void);

#endif
