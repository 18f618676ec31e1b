/*
 * sys/systm.h - the kernel's variables and routines shared between its
 * parts.
 *
 * What of it the DDI publishes to drivers, the string and copy routines,
 * bcopy, bzero, the spl calls, min and max, numtos, drv_usecwait, is
 * declared by <sys/ddi.h>, as the DDI asks a driver to include last; the
 * rest is the kernel's own (its root device, system call table, trap
 * vectors) and has no meaning on the simulated machine.  The header
 * provides the types the original's did, so that a driver including it
 * compiles unchanged.
 */
#ifndef DDICOMPAT_SYS_SYSTM_H
#define DDICOMPAT_SYS_SYSTM_H

#include <sys/types.h>

#endif /* DDICOMPAT_SYS_SYSTM_H */
