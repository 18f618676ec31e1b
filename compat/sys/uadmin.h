/*
 * sys/uadmin.h - administrative commands and drv_shutdown(9).
 */
#ifndef DDICOMPAT_SYS_UADMIN_H
#define DDICOMPAT_SYS_UADMIN_H

#include <sys/types.h>

__DDI_BEGIN_DECLS

/* uadmin(2) commands. */
#define A_REBOOT	1
#define A_SHUTDOWN	2
#define A_REMOUNT	4
#define A_CLOCK		8
#define A_SWAPCTL	16
#define A_SETCONFIG	128

/* What follows a shutdown (SD_SOFT, SD_HARD). */
#define AD_HALT		0	/* halt, power off if possible */
#define AD_BOOT		1	/* reboot the default kernel */
#define AD_IBOOT	2	/* reboot to the interactive prompt */
#define AD_NOSYNC	4

/* Whether SD_PANIC asks first. */
#define AD_QUERY	1
#define AD_NOQUERY	2

/* Request types of drv_shutdown. */
typedef enum {
	SD_SOFT,		/* a clean shutdown, as shutdown(1M) */
	SD_HARD,		/* at once, without the shutdown scripts */
	SD_PANIC		/* a panic the user asked for */
} shutdown_request_t;

#if !__DDI_ODDI
void	drv_shutdown(shutdown_request_t, int);
#endif

__DDI_END_DECLS

#endif /* DDICOMPAT_SYS_UADMIN_H */
