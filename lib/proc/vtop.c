/*
 * vtop.c - vtop, which translates a kernel address, or a user address of a
 * simulated process.  It lives with the processes: a user address is
 * theirs to translate.
 */
#include "config.h"

#include <stdio.h>

#include "exports.h"
#include "machine/entry.h"
#include "proc/proc.h"
#include "verify/verify.h"
#include "vm/vm.h"

#include "sys/ddi.h"

/*
 * A user address of process p: 0 when p maps nothing there, as in the
 * original; a process that is not one is reported.
 */
DDI_ENTRY(paddr_t, vtop, (caddr_t va, proc_t *p), (va, p))
{
	uint64_t pa;
	char what[48];

	if (p == NULL)
		return vm_vtop32(va, DDI_FUNC, DDI_CALLER);
	if (!proc_live(p, DDI_FUNC, DDI_CALLER) || proc_vtop(p, va, &pa) != 0)
		return 0;
	snprintf(what, sizeof(what), "user address %p", (void *)va);
	return vm_paddr32(pa, what, DDI_FUNC, DDI_CALLER);
}
