/*
 * sys/user.h - the ODDI user area: the members a driver's read, write
 * and ioctl routines find the caller's request and return an error in
 * (user(9)).
 *
 * This header takes the place of the host's <sys/user.h>, which on Linux
 * describes a traced process's registers and declares a struct user of
 * its own: the two cannot meet in one translation unit, and a driver that
 * includes <sys/user.h> means this one, so it does not include the
 * host's.  A file that needs the host's (through <sys/procfs.h>) cannot
 * also be built against these headers.
 *
 * Under the ODDI, u is the calling thread's user area: every host thread
 * that plays a system call has its own, as every process had in the
 * kernel.  The library owns it; a test sets its members as the kernel
 * would before it calls the driver's entry point.
 */
#ifndef DDICOMPAT_SYS_USER_H
#define DDICOMPAT_SYS_USER_H

#include <sys/types.h>

__DDI_BEGIN_DECLS

struct user {
	caddr_t		u_base;		/* next byte of the caller's data */
	uint_t		u_count;	/* bytes still to move */
	long_t		u_offset;	/* device offset: bytes, or sectors
					   with FBMODE in u_fmode */
	char		u_segflg;	/* u_base is: 0 user data, 1 kernel
					   data, 2 user text */
	int		u_fmode;	/* the open file's mode flags */
	int		u_error;	/* errno for the caller, or 0 (char in
					   the original; int holds every
					   host errno) */
	proc_t		*u_procp;	/* the calling process: the library
					   sets it on every access */
};

/* u_fmode: u_offset counts 512-byte sectors (ddicompat's value). */
#define FBMODE		0x4000

struct user	*_Compat_u(void);

#if __DDI_ODDI
#define u		(*_Compat_u())
#endif

__DDI_END_DECLS

#endif /* DDICOMPAT_SYS_USER_H */
