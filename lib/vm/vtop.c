/*
 * vtop.c - the DDI and ODDI address-translation entry points.
 *
 * All answer from the same model as ddisim_vtop.  A pointer that is not
 * simulated kernel memory is a verifier report (a real kernel panics).
 */
#include "config.h"

#include <stdio.h>

#include "exports.h"
#include "machine/entry.h"
#include "machine/machine.h"
#include "verify/verify.h"
#include "vm/vm.h"

#include "sys/ddi.h"

/* A physical address as a 32-bit paddr_t; 0 after a report. */
uint32_t
vm_paddr32(uint64_t pa, const char *what, const char *func,
    const void *caller)
{
	if (pa > UINT32_MAX) {
		verify_report(func, caller, "%s is at physical %#llx, which "
		    "does not fit a 32-bit paddr_t", what,
		    (unsigned long long)pa);
		return 0;
	}
	return (uint32_t)pa;
}

/* Kernel address to a 32-bit paddr_t; 0 after a report. */
uint32_t
vm_vtop32(const void *va, const char *func, const void *caller)
{
	uint64_t pa;
	char what[32];

	if (vm_vtop(va, &pa) != 0) {
		verify_report(func, caller, "%p is not simulated kernel "
		    "memory", va);
		return 0;
	}
	if (likely(pa <= UINT32_MAX))
		return (paddr_t)pa;
	snprintf(what, sizeof(what), "%p", va);
	return vm_paddr32(pa, what, func, caller);
}

DDI_ENTRY(paddr_t, kvtophys, (caddr_t va), (va))
{
	return vm_vtop32(va, DDI_FUNC, DDI_CALLER);
}

/* DDI 5 and 6 (not strict): kvtophys under its compatibility name. */
DDI_ENTRY(paddr_t, _Compat_kvtophys, (caddr_t va), (va))
{
	return vm_vtop32(va, "kvtophys", DDI_CALLER);
}

/*
 * hat_getkpfnum (DDI 5 and 6, not strict): the page frame number of a
 * kernel address, or NOPAGE after a report.
 */
DDI_ENTRY(uint_t, _Compat_hat_getkpfnum, (caddr_t va), (va))
{
	uint64_t pa;

	if (vm_vtop(va, &pa) != 0) {
		verify_report("hat_getkpfnum", DDI_CALLER, "%p is not "
		    "simulated kernel memory", (void *)va);
		return NOPAGE;
	}
	return (uint_t)(pa >> machine->pshift);
}

/*
 * hat_getppfnum (DDI 5 and 6, not strict): the page frame number of a
 * physical address in main store (pspace 0), RAM or a device's memory;
 * NOPAGE after a report for another physical space.
 */
DDI_ENTRY(uint_t, _Compat_hat_getppfnum, (paddr_t pa, uint_t pspace),
    (pa, pspace))
{
	if (pspace != 0) {
		verify_report("hat_getppfnum", DDI_CALLER, "physical space %u: "
		    "the machine has main store (0) only", pspace);
		return NOPAGE;
	}
	return (uint_t)((uint64_t)pa >> machine->pshift);
}

DDI_ENTRY(caddr_t, phystokv, (paddr_t pa), (pa))
{
	void *va;

	if ((va = vm_ptov(pa)) == NULL)
		verify_report(DDI_FUNC, DDI_CALLER, "physical %#x is not "
		    "simulated RAM", pa);
	return va;
}

DDI_ENTRY(ppid_t, kvtoppid, (caddr_t va), (va))
{
	uint64_t pa;

	if (vm_vtop(va, &pa) != 0) {
		verify_report(DDI_FUNC, DDI_CALLER, "%p is not simulated "
		    "kernel memory", (void *)va);
		return NOPAGE;
	}
	return (ppid_t)(pa >> machine->pshift);
}

DDI_ENTRY(ppid_t, phystoppid, (paddr_t pa), (pa))
{
	if (machine_seg_of(pa >> machine->pshift) < 0)
		return NOPAGE;
	return (ppid_t)(pa >> machine->pshift);
}

DDI_ENTRY(paddr_t, pptophys, (ppid_t ppid), (ppid))
{
	char what[32];

	snprintf(what, sizeof(what), "page %#x", ppid);
	return vm_paddr32((uint64_t)ppid << machine->pshift, what, DDI_FUNC,
	    DDI_CALLER);
}

DDI_ENTRY(ulong_t, ptob, (ulong_t pages), (pages))
{
	return (ulong_t)((uint64_t)pages << machine->pshift);
}

DDI_ENTRY(ulong_t, btop, (ulong_t bytes), (bytes))
{
	return bytes >> machine->pshift;
}

DDI_ENTRY(ulong_t, btopr, (ulong_t bytes), (bytes))
{
	return (ulong_t)(((uint64_t)bytes + machine->spec.page - 1) >>
	    machine->pshift);
}
