/*
 * sys/conf.h - driver flags and the DDI 8 drvinfo structure.
 *
 * Only the members this library reads are here: the name and the flags.
 */
#ifndef DDICOMPAT_SYS_CONF_H
#define DDICOMPAT_SYS_CONF_H

#include <sys/types.h>

__DDI_BEGIN_DECLS

#define D_MP		0x100	/* multithreaded: needs no binding to CPU 0 */

struct drvops;

typedef struct drvinfo {
	const struct drvops	*drv_ops;
	const char		*drv_name;
	int			drv_flags;	/* D_MP ... */
} drvinfo_t;

__DDI_END_DECLS

#endif /* DDICOMPAT_SYS_CONF_H */
