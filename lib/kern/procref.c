/*
 * procref.c - proc_ref, proc_unref, proc_signal and proc_valid: a
 * driver's references to the simulated process it was called in, and
 * the signals it posts to it.
 *
 * The references and the pending signals are the process layer's
 * (lib/proc/proc.c); what this file adds is the kernel side of a
 * signal: every context that runs in the process has it pending, so
 * that its next or current SV_WAIT_SIG, SLEEP_LOCK_SIG or PCATCH sleep
 * ends.
 */
#include "config.h"

#include <signal.h>

#include "machine/entry.h"
#include "verify/verify.h"
#include "proc/proc.h"
#include "kern/ctx.h"
#include "kern/kern.h"

#include "sys/types.h"
#include "sys/ddi.h"

/* Signals are bits of a 64-bit set. */
#define PROC_NSIG	64

DDI_ENTRY0(void *, proc_ref)
{
	struct proc *p;

	if (kctx_self()->intr > 0) {
		verify_report(DDI_FUNC, DDI_CALLER, "called from an interrupt "
		    "handler or callout; it needs user context");
		return NULL;
	}
	if ((p = proc_hold(DDI_CALLER)) == NULL)
		verify_report(DDI_FUNC, DDI_CALLER, "the calling thread runs "
		    "in no simulated process (ddisim_proc_enter)");
	return p;
}

DDI_ENTRY_VOID(proc_unref, (void *pref), (pref))
{
	(void)proc_rele(pref, DDI_FUNC, DDI_CALLER);
}

DDI_ENTRY(boolean_t, proc_valid, (void *pref), (pref))
{
	return proc_alive(pref, DDI_FUNC, DDI_CALLER) == 1 ? B_TRUE :
	    B_FALSE;
}

DDI_ENTRY(int, proc_signal, (void *pref, int sig), (pref, sig))
{
	int rc;

	if (sig <= 0 || sig >= PROC_NSIG) {
		verify_report(DDI_FUNC, DDI_CALLER, "signal %d out of range "
		    "(1 to %d)", sig, PROC_NSIG - 1);
		return -1;
	}
	if (sig == SIGTSTP) {
		verify_report(DDI_FUNC, DDI_CALLER, "SIGTSTP may not be sent "
		    "by a driver");
		return -1;
	}
	if ((rc = proc_post(pref, sig, DDI_FUNC, DDI_CALLER)) != 1)
		return -1;
	(void)kctx_signal_proc(pref);
	return 0;
}
