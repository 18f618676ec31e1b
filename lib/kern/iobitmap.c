/*
 * iobitmap.c - iobitmapctl(9): which I/O ports a simulated process's
 * user code may use, and ddisim_proc_io, that user code's in and out
 * instructions.
 *
 * The bitmap is the process's (lib/proc/proc.c); the ports are the
 * simulated port space (pio.c).  An access the bitmap does not allow
 * faults as the processor's would, with a general protection fault: the
 * process gets SIGSEGV and the access does not reach the port.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>

#include "machine/entry.h"
#include "verify/verify.h"
#include "proc/proc.h"
#include "kern/ctx.h"
#include "kern/kern.h"

#include "sys/types.h"
#include "sys/iobitmap.h"
#include "sys/ddi.h"

DDI_ENTRY(int, iobitmapctl, (iob_request_t rqt, ushort_t ports[]),
    (rqt, ports))
{
	const void *caller = DDI_CALLER;
	struct proc *p;

	if (rqt != IOB_ENABLE && rqt != IOB_DISABLE && rqt != IOB_CHECK) {
		verify_report(DDI_FUNC, caller, "request %d is not IOB_ENABLE, "
		    "IOB_DISABLE or IOB_CHECK", (int)rqt);
		return rqt == IOB_CHECK ? 0 : EINVAL;
	}
	if (ports == NULL) {
		verify_report(DDI_FUNC, caller, "NULL port list");
		return rqt == IOB_CHECK ? 0 : EINVAL;
	}
	if (!kctx_check_block(DDI_FUNC, caller, NULL, false))
		return rqt == IOB_CHECK ? 0 : EINVAL;
	if ((p = proc_current()) == NULL) {
		verify_report(DDI_FUNC, caller, "the calling thread runs in "
		    "no simulated process (ddisim_proc_enter)");
		return rqt == IOB_CHECK ? 0 : EINVAL;
	}
	if (rqt == IOB_CHECK)
		return proc_iob_check(p, ports) ? 1 : 0;
	return proc_iob_set(p, ports, rqt == IOB_ENABLE);
}

/*
 * The user code of p executing an in (write 0) or out of width 1, 2 or
 * 4 at port: 0, with the value read in *val; EFAULT, with SIGSEGV
 * posted to p, when its bitmap does not allow every port touched.
 */
DDI_ENTRY(int, ddisim_proc_io, (struct proc *p, int port, int width,
    uint32_t *val, int write), (p, port, width, val, write))
{
	if (!proc_live(p, DDI_FUNC, DDI_CALLER))
		return EINVAL;
	if ((width != 1 && width != 2 && width != 4) || port < 0 ||
	    port > 65536 - width || val == NULL) {
		verify_report(DDI_FUNC, DDI_CALLER, "port %#x, width %d: not "
		    "an access of 1, 2 or 4 bytes inside the port space, or "
		    "no value", (unsigned)port, width);
		return EINVAL;
	}
	if (!proc_iob_range(p, (unsigned)port, (unsigned)width)) {
		if (proc_post(p, SIGSEGV, DDI_FUNC, DDI_CALLER) == 1)
			(void)kctx_signal_proc(p);
		return EFAULT;
	}
	if (write)
		pio_out(DDI_FUNC, DDI_CALLER, port, width, *val);
	else
		*val = pio_in(DDI_FUNC, DDI_CALLER, port, width);
	return 0;
}
