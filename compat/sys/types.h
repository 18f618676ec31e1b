/*
 * sys/types.h - the host's types plus the SVR5 (i386) ones drivers use.
 *
 * Every type here has the width it had on i386 UnixWare, whatever the host
 * and whatever the DDI version: physical addresses are 32 bits (paddr_t,
 * paddr32_t) or 64 (paddr64_t), ulong_t is 32 bits.  Pointers keep the
 * host's width.
 *
 * The SVR5 part comes first and the host's header last: wrapping it takes
 * #include_next, which -pedantic reports as an extension outside a system
 * header, and the pragma that makes this one a system header covers the
 * rest of the file, where it must not hide the SVR5 part from warnings.
 */
#ifndef DDICOMPAT_SYS_TYPES_H
#define DDICOMPAT_SYS_TYPES_H

#include <stdint.h>
#include <ddicompat/version.h>

/*
 * clock_t, as in the SVR5 <sys/types.h>: lbolt and the drv_* time calls
 * use it.  ISO C declares it in <time.h> only, and glibc's <sys/types.h>
 * only for X/Open, so under -std=c99 a driver would not see it.  glibc
 * has a header that declares clock_t alone, under the guard <time.h>
 * uses, so that neither clashes with the other; other C libraries get
 * <time.h>.  (<stdint.h> above has told us which C library this is.)
 */
#if defined(__GLIBC__) && \
    (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 26))
#include <bits/types/clock_t.h>
#else
#include <time.h>
#endif

typedef unsigned char	uchar_t;
typedef unsigned short	ushort_t;
typedef unsigned int	uint_t;
typedef uint32_t	ulong_t;
typedef int32_t		long_t;
typedef uint64_t	ullong_t;
typedef int64_t		llong_t;

typedef uint32_t	paddr_t;	/* physical address, DDI <= 7.x */
typedef uint32_t	paddr32_t;	/* one 32-bit word of a physical address */
typedef uint64_t	paddr64_t;	/* full physical address */
typedef uint32_t	ppid_t;		/* physical page ID (frame number) */
#define NOPAGE		((ppid_t)-1)

typedef uint32_t	pft_t;		/* ODDI page frame */
typedef uint32_t	pfn_t;		/* ODDI page frame number */
typedef uint32_t	pgcnt_t;	/* ODDI page count */
typedef uint32_t	memflags_t;	/* ODDI allocation flags */

#ifndef __daddr_t_defined
typedef char		*caddr_t;
typedef int32_t		daddr_t;
#define __daddr_t_defined
#endif

typedef int		boolean_t;
#define B_FALSE		0
#define B_TRUE		1
#ifndef TRUE
#define TRUE		1
#endif
#ifndef FALSE
#define FALSE		0
#endif

/*
 * The System V short names.  The C library may declare ushort and uint
 * as well, as the same types.  vaddr_t holds a virtual address as a
 * number, so it has the host's pointer width.
 */
typedef unsigned char	unchar;
typedef unsigned short	ushort;
typedef unsigned int	uint;
typedef char		*addr_t;	/* a kernel address */

/*
 * ulong is the host's unsigned long, as wide as a pointer, because old
 * drivers keep addresses in it; ulong_t keeps the 32 bits of i386.  A
 * structure a device reads that declares a member ulong therefore has
 * another layout than on UnixWare.  -D_DDI_ULONG_CHECK makes every use of
 * ulong a warning that names its line, so that a porter can find them and
 * choose ulong_t for the device's structures (ddicompat(7), "Widths").
 */
#ifdef _DDI_ULONG_CHECK
#ifdef __GNUC__
typedef unsigned long	__ddi_ulong_t __attribute__((__deprecated__(
    "ulong is 64 bits here and 32 on i386 UnixWare: a structure a device "
    "reads needs ulong_t or uint32_t")));
#else
typedef unsigned long	__ddi_ulong_t;
#endif
#define ulong		__ddi_ulong_t
#else
typedef unsigned long	ulong;
#endif
typedef uintptr_t	vaddr_t;	/* a virtual address, as a number */

typedef uint_t		rm_key_t;	/* a resource manager key */

typedef unsigned int	pl_t;		/* interrupt priority level (pl(D5)) */

/*
 * Device numbers: SVR4's expanded form, 14 bits of major above 18 bits of
 * minor, kept in the host's dev_t.
 */
typedef uint_t		major_t;
typedef uint_t		minor_t;
#define L_BITSMAJOR	14
#define L_BITSMINOR	18
#define L_MAXMAJ	0x3fff
#define L_MAXMIN	0x3ffff
#ifndef NODEV
#define NODEV		((dev_t)-1)
#endif

typedef int		toid_t;		/* timeout and bufcall identifiers */
typedef uint32_t	channel_t;	/* a device's channel (DDI 8) */

struct proc;
typedef struct proc	proc_t;

#ifndef STATIC
#define STATIC		static
#endif

#endif /* DDICOMPAT_SYS_TYPES_H */

#ifdef __GNUC__
#pragma GCC system_header
#endif
#include_next <sys/types.h>
