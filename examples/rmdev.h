/*
 * rmdev.h - the example resource manager driver's entry points, for its
 * test: rmdev7_* built at DDI 7, rmdev8_* at DDI 8, from one source.
 */
#ifndef EXAMPLE_RMDEV_H
#define EXAMPLE_RMDEV_H

#if defined(_DDI) && _DDI >= 8
#define RMDEV_FN(n)	rmdev8_##n
#elif defined(_DDI)
#define RMDEV_FN(n)	rmdev7_##n
#endif

int		rmdev7_attach(int unit);
unsigned long	rmdev7_status(void);
unsigned long	rmdev7_ports(void);
unsigned long	rmdev7_mem(void);
int		rmdev7_read(unsigned blk, void *out);
unsigned long	rmdev7_bus(void);
int		rmdev7_intrs(void);
void		rmdev7_detach(void);

int		rmdev8_attach(unsigned key);
unsigned long	rmdev8_status(void);
unsigned long	rmdev8_ports(void);
unsigned long	rmdev8_mem(void);
int		rmdev8_read(unsigned blk, void *out);
unsigned long	rmdev8_bus(void);
int		rmdev8_intrs(void);
void		rmdev8_detach(void);

#endif
