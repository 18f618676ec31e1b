/*
 * sys/iobitmap.h - the I/O permission bitmap of the calling process:
 * iobitmapctl(9).
 */
#ifndef DDICOMPAT_SYS_IOBITMAP_H
#define DDICOMPAT_SYS_IOBITMAP_H

#include <sys/types.h>

__DDI_BEGIN_DECLS

typedef enum iob_request {
	IOB_ENABLE,		/* let the process use the ports */
	IOB_DISABLE,		/* take them away */
	IOB_CHECK		/* whether it may use them all */
} iob_request_t;

#if !__DDI_ODDI
int	iobitmapctl(iob_request_t, ushort_t[]);
#endif

__DDI_END_DECLS

#endif /* DDICOMPAT_SYS_IOBITMAP_H */
