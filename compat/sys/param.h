/*
 * sys/param.h - host parameters plus the SVR5 page and sector sizes.
 *
 * PAGESIZE is the i386 compile-time page size.  The simulated machine may
 * use a larger page (page= in the machine spec); drivers that want the
 * machine's page size call ptob(1), as the DDI asks them to.
 *
 * The host's header comes last, after the pragma that lets #include_next
 * pass -pedantic: see <sys/types.h>.
 */
#ifndef DDICOMPAT_SYS_PARAM_H
#define DDICOMPAT_SYS_PARAM_H

#ifndef PAGESIZE
#define PAGESIZE	4096
#endif
#ifndef NBPP
#define NBPP		PAGESIZE	/* bytes per page */
#endif
#define PAGESHIFT	12
#define NBPSCTR		512		/* bytes per disk sector */
#define SCTRSHFT	9
#define NBPW		4		/* bytes per i386 word */

#endif /* DDICOMPAT_SYS_PARAM_H */

#ifdef __GNUC__
#pragma GCC system_header
#endif
#include_next <sys/param.h>
