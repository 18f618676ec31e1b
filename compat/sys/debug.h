/*
 * sys/debug.h - ASSERT, active when the driver is compiled with -DDEBUG.
 */
#ifndef DDICOMPAT_SYS_DEBUG_H
#define DDICOMPAT_SYS_DEBUG_H

#include <sys/types.h>

__DDI_BEGIN_DECLS

int	assfail(const char *, const char *, int);

#undef ASSERT
#ifdef DEBUG
#define ASSERT(EX)	((void)((EX) || assfail(#EX, __FILE__, __LINE__)))
#else
#define ASSERT(EX)	((void)0)
#endif

__DDI_END_DECLS

#endif /* DDICOMPAT_SYS_DEBUG_H */
