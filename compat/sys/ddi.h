/*
 * sys/ddi.h - DDI/ODDI kernel functions.  Include it last, as the DDI asks.
 *
 * Under the DDI, ptob, btop and btopr are functions (they answer with the
 * simulated machine's page size), not the kernel's macros.
 */
#ifndef DDICOMPAT_SYS_DDI_H
#define DDICOMPAT_SYS_DDI_H

#include <strings.h>	/* bcopy, bzero, bcmp: the host's, same semantics */
#include <sys/types.h>
#include <sys/param.h>

__DDI_BEGIN_DECLS

#undef min
#undef max
uint_t	min(uint_t, uint_t);
uint_t	max(uint_t, uint_t);

major_t	getmajor(dev_t);
minor_t	getminor(dev_t);
major_t	getemajor(dev_t);
minor_t	geteminor(dev_t);
dev_t	makedevice(major_t, minor_t);

#undef ptob
#undef btop
#undef btopr
ulong_t	ptob(ulong_t);
ulong_t	btop(ulong_t);
ulong_t	btopr(ulong_t);

/* Address translation. */
#if __DDI_ODDI || __DDI_AT_MOST(71)
paddr_t	vtop(caddr_t, proc_t *);
#endif
#if __DDI_AT_LEAST(30) && !__DDI_BETWEEN(40, 49)
ppid_t	kvtoppid(caddr_t);
#endif
#if __DDI_BETWEEN(50, 71)
ppid_t	phystoppid(paddr_t);
paddr_t	pptophys(ppid_t);
#endif

__DDI_END_DECLS

#endif /* DDICOMPAT_SYS_DDI_H */
