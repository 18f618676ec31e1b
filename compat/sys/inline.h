/*
 * sys/inline.h - the original's in-line assembler versions of the port
 * I/O and processor-control routines.
 *
 * The original defined them only for its own compiler; built with any
 * other, a driver that included this header got the ordinary functions
 * instead, which <sys/ddi.h> declares (inb(9), outb(9) and the rest).
 * That is what a driver gets here, with every compiler: the header
 * provides the types the original's did and defines nothing else, so
 * that a driver including it compiles unchanged.
 */
#ifndef DDICOMPAT_SYS_INLINE_H
#define DDICOMPAT_SYS_INLINE_H

#include <sys/types.h>

#endif /* DDICOMPAT_SYS_INLINE_H */
