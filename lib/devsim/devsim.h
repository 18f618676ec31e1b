/*
 * devsim.h - the simulated devices: what the rest of the library calls.
 */
#ifndef DDICOMPAT_DEVSIM_INT_H
#define DDICOMPAT_DEVSIM_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Move n bytes between RAM at pa, inside one page, and buf, as a bus
 * master does: a hole reads all ones and loses what is written to it;
 * memory nobody holds is moved all the same.  What was found there.
 */
#define DEVSIM_HOLE	0x1
#define DEVSIM_UNHELD	0x2
unsigned devsim_bus_move(uint64_t pa, uint8_t *buf, size_t n, bool to_ram);
/* The two halves: what page pfn is, and the move once that is known. */
unsigned devsim_bus_probe(uint64_t pfn);
void	devsim_bus_copy(uint64_t pa, uint8_t *buf, size_t n, bool to_ram,
	    unsigned found);

/* Tear down every device still alive; ddisim_shutdown calls it. */
void	devsim_fini(void);

#endif /* DDICOMPAT_DEVSIM_INT_H */
