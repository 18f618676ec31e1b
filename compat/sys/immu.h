/*
 * sys/immu.h - ODDI page-level allocators and address translation.
 *
 * The flag values were never published; these are ddicompat's own, chosen
 * so that no two flags share a bit.  See getcpages(9) and sptalloc(9).
 */
#ifndef DDICOMPAT_SYS_IMMU_H
#define DDICOMPAT_SYS_IMMU_H

#include <sys/types.h>

__DDI_BEGIN_DECLS

#if __DDI_ODDI
/* getcpages and sptalloc flags. */
#define ANY_MEM		0x00	/* no placement constraint */
#define NOSLEEP		0x01	/* fail rather than wait */
#define SHORTSLEEP	0x02	/* wait only briefly */
#define DMAABLE		0x04	/* every page below 16 MiB */
#define PREFERDMA	0x08	/* prefer below 16 MiB, accept any */
#define DMAABLE64K	0x10	/* below 16 MiB, within one 64 KiB block */
#define VM_SLEEP(pri)	0x00	/* sleep priority is not modelled */
#define VM_NOSLEEP	NOSLEEP

/* sptalloc mode: i386 page-table entry bits. */
#define PG_P		0x001	/* present (required) */
#define PG_RW		0x002	/* writable */
#define PG_US		0x004	/* user accessible */
#define PG_PCD		0x010	/* cache disabled */

caddr_t	getcpages(int, int);
void	freecpages(caddr_t, int);
caddr_t	sptalloc(pgcnt_t, int, pfn_t, memflags_t);
void	sptfree(caddr_t, int, int);
paddr_t	kvtophys(caddr_t);
caddr_t	phystokv(paddr_t);
#endif

__DDI_END_DECLS

#endif /* DDICOMPAT_SYS_IMMU_H */
