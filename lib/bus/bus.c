/*
 * bus.c - a bus master's access to simulated RAM: what every device model
 * moves its bytes through.
 */
#include "config.h"

#include <string.h>

#include "bus/bus.h"
#include "machine/machine.h"
#include "palloc/palloc.h"
#include "vm/vm.h"

unsigned
bus_probe(uint64_t pfn)
{
	if (pfn >= machine->npfn || machine_seg_of(pfn) < 0)
		return BUS_HOLE;
	if (pfn == 0 || palloc_unheld(pfn, 1) == pfn)	/* 0: never given */
		return BUS_UNHELD;
	return 0;
}

void
bus_copy(uint64_t pa, uint8_t *buf, size_t n, bool to_ram,
    unsigned found)
{
	if (found & BUS_HOLE) {
		if (!to_ram)
			memset(buf, 0xff, n);	/* a master abort */
		return;
	}
	if (to_ram)
		memcpy(vm_ptov(pa), buf, n);
	else
		memcpy(buf, vm_ptov(pa), n);
}

unsigned
bus_move(uint64_t pa, uint8_t *buf, size_t n, bool to_ram)
{
	unsigned found = bus_probe(pa >> machine->pshift);

	bus_copy(pa, buf, n, to_ram, found);
	return found;
}
