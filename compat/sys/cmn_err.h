/*
 * sys/cmn_err.h - kernel messages and panics.
 */
#ifndef DDICOMPAT_SYS_CMN_ERR_H
#define DDICOMPAT_SYS_CMN_ERR_H

#include <sys/types.h>

__DDI_BEGIN_DECLS

#define CE_CONT		0	/* continue a message; no prefix */
#define CE_NOTE		1	/* "NOTICE: " */
#define CE_WARN		2	/* "WARNING: " */
#define CE_PANIC	3	/* "PANIC: ", then the system panics */

void	cmn_err(int, const char *, ...) __attribute__((format(printf, 2, 3)));

__DDI_END_DECLS

#endif /* DDICOMPAT_SYS_CMN_ERR_H */
