/* lpt.h - the example printer-port driver's entry points, for its test. */
#ifndef EXAMPLE_LPT_H
#define EXAMPLE_LPT_H

#include <stddef.h>

/* Register offsets and bits of the simulated port the test provides. */
#define LPT_DATA	0
#define LPT_STATUS	1
#define LPT_CONTROL	2
#define LPT_ST_ACK	0x40	/* a byte was taken (read clears it) */
#define LPT_CT_STROBE	0x01
#define LPT_CT_IRQEN	0x10

int	lpt_attach(unsigned key, int base);
int	lpt_write(const unsigned char *buf, size_t len);
unsigned long lpt_interrupts(void);
void	lpt_detach(void);

#endif
