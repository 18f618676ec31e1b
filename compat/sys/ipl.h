/*
 * sys/ipl.h - interrupt priority levels (pl(D5)).
 *
 * The manuals fix only the order: PLBASE < PLTIMEOUT <= PLDISK, PLSTR <=
 * PLHI.  The numbers are this library's: eight levels, so that the ODDI
 * spl0 ... spl7 map one to one onto them and spl7 is splhi.
 */
#ifndef DDICOMPAT_SYS_IPL_H
#define DDICOMPAT_SYS_IPL_H

#include <sys/types.h>

#define PL0		0u
#define PL1		1u
#define PL2		2u
#define PL3		3u
#define PL4		4u
#define PL5		5u
#define PL6		6u
#define PL7		7u

#define PLBASE		PL0	/* blocks nothing */
#define PLTIMEOUT	PL1	/* blocks itimeout callbacks */
#define PLDISK		PL5	/* blocks disk interrupts */
#define PLSTR		PL6	/* blocks STREAMS interrupts */
#define PLTTY		PLSTR
#define PLHI		PL7	/* blocks every interrupt */
#define INVPL		((pl_t)-1)	/* "no level": a failed TRYLOCK */

#define plbase		PLBASE
#define pltimeout	PLTIMEOUT
#define pldisk		PLDISK
#define plstr		PLSTR
#define pltty		PLTTY
#define plhi		PLHI
#define invpl		INVPL
#define pl0		PL0
#define pl1		PL1
#define pl2		PL2
#define pl3		PL3
#define pl4		PL4
#define pl5		PL5
#define pl6		PL6
#define pl7		PL7

#endif /* DDICOMPAT_SYS_IPL_H */
