/*
 * sys/cred.h - access credentials (cred(D4)): what a driver's open, close,
 * read, write and ioctl routines receive as cred_t *, and drv_priv(9)
 * tests.
 *
 * The members are those of the System V Release 4 DDI/DKI, with uid_t and
 * gid_t of the host (32 bits, as on i386).  The credentials of a simulated
 * process (ddisim_proc(3)) and of the system are of this type.
 */
#ifndef DDICOMPAT_SYS_CRED_H
#define DDICOMPAT_SYS_CRED_H

#include <sys/types.h>

__DDI_BEGIN_DECLS

typedef struct cred {
	ushort_t	cr_ref;		/* references; drivers do not set it */
	ushort_t	cr_ngroups;	/* entries of cr_groups in use */
	uid_t		cr_uid;		/* effective user ID */
	gid_t		cr_gid;		/* effective group ID */
	uid_t		cr_ruid;	/* real user ID */
	gid_t		cr_rgid;	/* real group ID */
	uid_t		cr_suid;	/* saved user ID */
	gid_t		cr_sgid;	/* saved group ID */
	gid_t		cr_groups[1];	/* supplementary groups */
} cred_t;

__DDI_END_DECLS

#endif /* DDICOMPAT_SYS_CRED_H */
