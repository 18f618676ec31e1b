/*
 * sys/conf.h - driver flags (devflag(D1), drvinfo's drv_flags) and the
 * DDI 8 drvinfo structure.
 *
 * Only the members of drvinfo this library reads are here: the name and
 * the flags.
 */
#ifndef DDICOMPAT_SYS_CONF_H
#define DDICOMPAT_SYS_CONF_H

#include <sys/types.h>

__DDI_BEGIN_DECLS

/*
 * Driver flags, with the values of System V Release 4.2 MP.  D_HOT had
 * no published number; its value is ddicompat's.
 */
#define D_NEW		0x00	/* a new-style driver (no flag) */
#define D_OLD		0x01	/* an old-style driver */
#define D_DMA		0x02	/* every buffer must be usable for DMA */
#define D_SEEKNEG	0x04	/* negative offsets are valid */
#define D_TAPE		0x08	/* a tape: mounted read-only */
#define D_NOBRKUP	0x10	/* takes page lists: no breakup by the kernel */
#define D_INITPUB	0x20	/* security: public by default */
#define D_NOSPECMACDATA	0x40	/* security: no MAC check on data */
#define D_RDWEQ		0x80	/* security: MAC equality for every access */
#define D_MP		0x100	/* multithreaded: needs no binding to CPU 0 */
#define D_UPF		0x200	/* STREAMS mux with upper and lower service */
#define D_BLKOFF	0x400	/* understands b_blkoff */
#define D_HOT		0x4000	/* DDI 8: can be added and removed running */

struct drvops;

typedef struct drvinfo {
	const struct drvops	*drv_ops;
	const char		*drv_name;
	int			drv_flags;	/* D_MP ... */
} drvinfo_t;

__DDI_END_DECLS

#endif /* DDICOMPAT_SYS_CONF_H */
