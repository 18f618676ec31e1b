/*
 * sys/sysmacros.h - the host's header, plus the SVR5 unit conversions
 * between disk sectors, bytes and pages, and MIN, MAX, howmany and
 * roundup.
 *
 * The host's header defines major(), minor() and makedev() for the
 * host's device numbers, and they stay the host's: a driver takes a
 * device number apart with getmajor(9) and getminor(9) and makes one
 * with makedevice(9), as the DDI asks; the original's macros of those
 * names were for the kernel's own use.  Where the host's <sys/param.h>
 * already defines MIN, MAX, howmany or roundup, its definitions, which
 * compute the same, are kept.
 *
 * The host's header comes last, after the pragma that lets #include_next
 * pass -pedantic: see <sys/types.h>.
 */
#ifndef DDICOMPAT_SYS_SYSMACROS_H
#define DDICOMPAT_SYS_SYSMACROS_H

#include <sys/types.h>
#include <sys/param.h>

/* Disk sectors and bytes: NBPSCTR, SCTRSHFT from <sys/param.h>. */
#define dtob(DD)	((DD) << SCTRSHFT)
#define btod(BB)	(((BB) + NBPSCTR - 1) >> SCTRSHFT)	/* rounded up */
#define btodt(BB)	((BB) >> SCTRSHFT)			/* truncated */

/* Disk sectors and pages (of PAGESIZE bytes). */
#ifndef NDPP
#define NDPP		(PAGESIZE / NBPSCTR)	/* sectors per page */
#endif
#ifndef DPPSHFT
#define DPPSHFT		(PAGESHIFT - SCTRSHFT)
#endif
#define ptod(PP)	((PP) << DPPSHFT)
#define dtop(DD)	(((DD) + NDPP - 1) >> DPPSHFT)		/* rounded up */
#define dtopt(DD)	((DD) >> DPPSHFT)			/* truncated */

#ifndef MIN
#define MIN(a, b)	((a) < (b) ? (a) : (b))
#endif
#ifndef MAX
#define MAX(a, b)	((a) < (b) ? (b) : (a))
#endif
#ifndef howmany
#define howmany(x, y)	(((x) + ((y) - 1)) / (y))
#endif
#ifndef roundup
#define roundup(x, y)	((((x) + ((y) - 1)) / (y)) * (y))
#endif

#endif /* DDICOMPAT_SYS_SYSMACROS_H */

#ifdef __GNUC__
#pragma GCC system_header
#endif
#include_next <sys/sysmacros.h>
