/*
 * sys/f_ddi.h - the i386 family's part of the DDI: drv_callback(9), its
 * events and its handlers' answers.  <sys/ddi.h> includes it.
 */
#ifndef DDICOMPAT_SYS_F_DDI_H
#define DDICOMPAT_SYS_F_DDI_H

#include <sys/types.h>

__DDI_BEGIN_DECLS

#define NMI_ATTACH		0x01
#define NMI_DETACH		0x02
#define WATCHDOG_ALIVE_ATTACH	0x04
#define WATCHDOG_ALIVE_DETACH	0x08
#define POWERDOWN_ATTACH	0x10
#define POWERDOWN_DETACH	0x20
#define MCA_ATTACH		0x40
#define MCA_DETACH		0x80

/* What a machine-check handler is told, after its argument. */
struct mca_info {
	short		flags;		/* MCA_INFO_* */
	short		bank;		/* the reporting bank */
	ulong_t		mci_addr[2];	/* its address register */
	ulong_t		mci_misc[2];	/* its miscellaneous register */
};
#define MCA_INFO_ADDRV	0x1		/* mci_addr is valid */
#define MCA_INFO_MISCV	0x2		/* mci_misc is valid */

/* What an MCA or NMI handler answers. */
#define MCA_UNKNOWN	0x00		/* not its device */
#define MCA_FATAL	0x01		/* the system must panic */
#define MCA_BENIGN	0x02		/* handled; carry on */
#define MCA_BUS_TIMEOUT	0x04		/* a bus timeout or fault */
#define MCA_REBOOT	0x10		/* handled; reboot cleanly */
#define NMI_UNKNOWN	MCA_UNKNOWN
#define NMI_FATAL	MCA_FATAL
#define NMI_BENIGN	MCA_BENIGN
#define NMI_BUS_TIMEOUT	MCA_BUS_TIMEOUT
#define NMI_REBOOT	MCA_REBOOT

#if !__DDI_ODDI
#ifdef __cplusplus
typedef int	(*__ddi_cbfn_t)(void *);
#else
/* Unprototyped on purpose: MCA handlers take a second argument. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wstrict-prototypes"
typedef int	(*__ddi_cbfn_t)();
#pragma GCC diagnostic pop
#endif
/* DDI 5 to 7 honour only NMI_ATTACH and NMI_DETACH. */
#if __DDI_AT_MOST(70)
void	drv_callback(int, __ddi_cbfn_t, void *)
	    __DDI_ENTRY(_Compat_drv_callback_5);
#else
void	drv_callback(int, __ddi_cbfn_t, void *);
#endif
#endif

__DDI_END_DECLS

#endif /* DDICOMPAT_SYS_F_DDI_H */
