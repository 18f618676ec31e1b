/*
 * bus.h - a bus master's access to simulated RAM, shared by every device
 * model (the bus-master engines of devsim/, the 8237 of isadma/).
 *
 * bus_move moves n bytes between RAM at pa, inside one page, and buf, as
 * a bus master does: a hole reads all ones and loses what is written to
 * it; memory nobody holds is moved all the same.  It returns what it found
 * there, for the device's audit.
 */
#ifndef DDICOMPAT_BUS_H
#define DDICOMPAT_BUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BUS_HOLE	0x1	/* no RAM there */
#define BUS_UNHELD	0x2	/* RAM nobody holds (never given, or freed) */

unsigned bus_move(uint64_t pa, uint8_t *buf, size_t n, bool to_ram);
/* The two halves: what page pfn is, and the move once that is known. */
unsigned bus_probe(uint64_t pfn);
void	bus_copy(uint64_t pa, uint8_t *buf, size_t n, bool to_ram,
	    unsigned found);

#endif /* DDICOMPAT_BUS_H */
