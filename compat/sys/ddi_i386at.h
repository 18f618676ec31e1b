/*
 * sys/ddi_i386at.h - drv_gethardware(9): what a DDI 5 to 7.2 driver may
 * ask of the PC it runs on.  DDI 8 dropped it; the resource manager
 * (CM_BRDBUSTYPE) answers for the board instead.
 */
#ifndef DDICOMPAT_SYS_DDI_I386AT_H
#define DDICOMPAT_SYS_DDI_I386AT_H

#include <sys/types.h>

#if __DDI_BETWEEN(50, 72)

__DDI_BEGIN_DECLS

/* parm */
#define PROC_INFO	0	/* struct cpuparms */
#define IOBUS_TYPE	1	/* ulong_t: BUS_* */
#define TOTAL_MEM	2	/* ulong_t: bytes of memory */
#define DMA_SIZE	3	/* ulong_t: address bits DMA reaches */
#define BOOT_DEV	4	/* struct bootdev */
#define HD_PARMS	5	/* struct hdparms */
#define EISA_BRDID	6	/* ulong_t: in, the slot; out, the ID */

/* IOBUS_TYPE */
#define BUS_ISA		1
#define BUS_EISA	2
#define BUS_MCA		3
#define BUS_PCI		4

struct cpuparms {
	ulong_t		cpu_id;		/* CPU_* */
	ulong_t		cpu_step;	/* STEP_* */
	ulong_t		cpu_resrvd[2];
};
#define CPU_UNK		0
#define CPU_i386	1
#define CPU_i486	2
#define CPU_i586	3
#define CPU_i686	4
#define CPU_i786	5
#define STEP_UNK	0
#define STEP_B1		1	/* with CPU_i386 */

struct bootdev {
	ulong_t		bdv_type;	/* BOOT_* */
	ulong_t		bdv_unit;
};
#define BOOT_FLOPPY	1
#define BOOT_DISK	2
#define BOOT_NETWORK	3

struct hdparms {
	ulong_t		hp_unit;	/* in: the disk */
	ulong_t		hp_ncyls;
	ulong_t		hp_nheads;
	ulong_t		hp_nsects;
	ulong_t		hp_precomp;
	ulong_t		hp_lz;
};

#if __DDI_AT_LEAST(72)
int	drv_gethardware(ulong_t, void *)
	    __DDI_ENTRY(_Compat_drv_gethardware_7_2);
#else
int	drv_gethardware(ulong_t, void *) __DDI_ENTRY(_Compat_drv_gethardware);
#endif

__DDI_END_DECLS

#endif

#endif /* DDICOMPAT_SYS_DDI_I386AT_H */
