/*
 * hw.c - drv_gethardware(9): the simulated PC described to a DDI 5 to
 * 7.2 driver.  The bus is the one the machine's boards make it (an MCA
 * or EISA board makes an MCA or EISA machine), the memory is the spec's,
 * DMA reaches 24 address bits on an ISA machine and 32 on the others.
 */
#include "config.h"

#include <stdint.h>

#include "machine/entry.h"
#include "machine/machine.h"
#include "verify/verify.h"
#include "rm/rm.h"

#include "sys/types.h"
#include "exports.h"

/* The parm values and structures of <sys/ddi_i386at.h>, which the
   library, built at DDI 8, does not see. */
#define PROC_INFO	0
#define IOBUS_TYPE	1
#define TOTAL_MEM	2
#define DMA_SIZE	3
#define BOOT_DEV	4
#define HD_PARMS	5
#define EISA_BRDID	6
#define BUS_ISA		1
#define BUS_EISA	2
#define BUS_MCA		3
#define BUS_PCI		4
#define CPU_i686	4
#define STEP_UNK	0

struct hw_cpuparms {
	ulong_t		cpu_id;
	ulong_t		cpu_step;
	ulong_t		cpu_resrvd[2];
};

/* pci: whether the caller knows BUS_PCI (DDI 7.2). */
static int
hw_get(ulong_t parm, void *value_p, bool pci, const void *caller)
{
	enum rm_sysbus bus;

	if (value_p == NULL) {
		verify_report("drv_gethardware", caller, "NULL value_p");
		return -1;
	}
	switch (parm) {
	case PROC_INFO: {
		struct hw_cpuparms *cp = value_p;

		cp->cpu_id = CPU_i686;
		cp->cpu_step = STEP_UNK;
		cp->cpu_resrvd[0] = cp->cpu_resrvd[1] = 0;
		return 0;
	}
	case IOBUS_TYPE:
		bus = rm_sysbus();
		*(ulong_t *)value_p = bus == RM_SYSBUS_MCA ? BUS_MCA :
		    bus == RM_SYSBUS_EISA ? BUS_EISA :
		    bus == RM_SYSBUS_PCI && pci ? BUS_PCI : BUS_ISA;
		return 0;
	case TOTAL_MEM:
		*(ulong_t *)value_p = machine->spec.mem > UINT32_MAX ?
		    UINT32_MAX : (ulong_t)machine->spec.mem;
		return 0;
	case DMA_SIZE:
		*(ulong_t *)value_p = rm_sysbus() == RM_SYSBUS_ISA ? 24 : 32;
		return 0;
	case EISA_BRDID: {
		uint32_t id;

		if (rm_sysbus() != RM_SYSBUS_EISA)
			return -1;
		*(ulong_t *)value_p = rm_eisa_slot_id(*(ulong_t *)value_p,
		    &id) ? id : (ulong_t)-1;
		return 0;
	}
	case BOOT_DEV:
	case HD_PARMS:
		/* the simulated machine booted from nothing and has no
		   BIOS disk: no answer, as for a parm the kernel lacks */
		return -1;
	default:
		return -1;
	}
}

DDI_ENTRY(int, _Compat_drv_gethardware, (ulong_t parm, void *value_p),
    (parm, value_p))
{
	return hw_get(parm, value_p, false, DDI_CALLER);
}

DDI_ENTRY(int, _Compat_drv_gethardware_7_2, (ulong_t parm, void *value_p),
    (parm, value_p))
{
	return hw_get(parm, value_p, true, DDI_CALLER);
}
