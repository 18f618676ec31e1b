/*
 * ifstats.c - the chain of network interface statistics:
 * ifstats_attach(9), ifstats_detach(9) and the chain's head, ifstats,
 * which drivers of DDI 6 and before could walk.
 *
 * The chain links the drivers' own structures through ifs_next, as the
 * original did; the newest interface is first.  Structures still on the
 * chain at shutdown are listed in the leak report and the chain is
 * emptied.  Locking: ifs_lock guards the chain.
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>

#include "util/forklock.h"
#include "machine/entry.h"
#include "verify/verify.h"
#include "kern/kern.h"

#include "exports.h"
#include "sys/types.h"
#include "net/if.h"

DDI_PUBLIC_DATA struct ifstats *ifstats;
static FORK_MUTEX(ifs_lock);
static const void *ifs_caller_of_last;	/* for the leak report */

static bool
ifs_on_chain_locked(const struct ifstats *ifs)
{
	for (const struct ifstats *p = ifstats; p != NULL; p = p->ifs_next)
		if (p == ifs)
			return true;
	return false;
}

DDI_ENTRY_VOID(_Compat_ifstats_attach, (struct ifstats *ifs), (ifs))
{
	bool dup;

	if (ifs == NULL || ifs->ifs_name == NULL) {
		verify_report("ifstats_attach", DDI_CALLER, "%s",
		    ifs == NULL ? "NULL ifstats" : "ifstats with no "
		    "ifs_name");
		return;
	}
	pthread_mutex_lock(&ifs_lock);
	if (!(dup = ifs_on_chain_locked(ifs))) {
		ifs->ifs_next = ifstats;
		ifstats = ifs;
		ifs_caller_of_last = DDI_CALLER;
	}
	pthread_mutex_unlock(&ifs_lock);
	if (dup)
		verify_report("ifstats_attach", DDI_CALLER, "interface %s%d "
		    "(%p) is already attached", ifs->ifs_name, ifs->ifs_unit,
		    (void *)ifs);
}

DDI_ENTRY(struct ifstats *, _Compat_ifstats_detach, (struct ifstats *ifs),
    (ifs))
{
	struct ifstats **pp;
	bool found = false;

	pthread_mutex_lock(&ifs_lock);
	for (pp = &ifstats; *pp != NULL; pp = &(*pp)->ifs_next)
		if (*pp == ifs) {
			*pp = ifs->ifs_next;
			ifs->ifs_next = NULL;
			found = true;
			break;
		}
	pthread_mutex_unlock(&ifs_lock);
	if (!found) {
		verify_report("ifstats_detach", DDI_CALLER, "%p is not an "
		    "attached ifstats", (void *)ifs);
		return NULL;
	}
	return ifs;
}

/* Interfaces still attached, listed on f if not NULL: their number. */
size_t
ifstats_leak_report(FILE *f)
{
	size_t n = 0;

	pthread_mutex_lock(&ifs_lock);
	for (const struct ifstats *p = ifstats; p != NULL; p = p->ifs_next) {
		/* the structure is the driver's: its address names it */
		if (!verify_leak_mine(p))
			continue;
		if (f != NULL)
			fprintf(f, "ddicompat: leak: ifstats_attach: interface "
			    "%s%d (%p) still attached\n", p->ifs_name,
			    p->ifs_unit, (const void *)p);
		n++;
	}
	pthread_mutex_unlock(&ifs_lock);
	if (n > 0 && f != NULL) {
		char who[128];

		verify_symbolize(ifs_caller_of_last, who, sizeof(who));
		fprintf(f, "ddicompat: %zu interface%s still attached at "
		    "shutdown, the latest by %s\n", n, n == 1 ? "" : "s", who);
	}
	return n;
}

void
ifstats_fini(void)
{
	pthread_mutex_lock(&ifs_lock);
	ifstats = NULL;
	ifs_caller_of_last = NULL;
	pthread_mutex_unlock(&ifs_lock);
}
