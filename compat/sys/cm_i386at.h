/*
 * sys/cm_i386at.h - the PC parts of the configuration manager: bus types
 * (the values of CM_BRDBUSTYPE), cm_AT_putconf and its CM_SET_* mask,
 * and the EISA configuration parser eisa_parse_devconfig.
 */
#ifndef DDICOMPAT_SYS_CM_I386AT_H
#define DDICOMPAT_SYS_CM_I386AT_H

#include <sys/types.h>
#include <sys/confmgr.h>

#if __DDI_AT_LEAST(50)

__DDI_BEGIN_DECLS

/* Values of CM_BRDBUSTYPE. */
#define CM_BUS_UNK	0x00
#define CM_BUS_ISA	0x01
#define CM_BUS_EISA	0x02
#define CM_BUS_PCI	0x04
#define CM_BUS_PCCARD	0x08
#define CM_BUS_PNPISA	0x10
#define CM_BUS_MCA	0x20
#define CM_BUS_SYS	0x40
#define CM_BUS_I2O	0x80

/* What cm_AT_putconf sets. */
#define CM_SET_IRQ	0x01	/* CM_IRQ from vector */
#define CM_SET_ITYPE	0x02	/* CM_ITYPE from itype */
#define CM_SET_IOADDR	0x04	/* CM_IOADDR from sioa, eioa */
#define CM_SET_MEMADDR	0x08	/* CM_MEMADDR from scma, ecma */
#define CM_SET_DMAC	0x10	/* CM_DMAC from dmac */

int	cm_AT_putconf(rm_key_t, int, int, ulong_t, ulong_t, ulong_t, ulong_t,
	    int, uint_t, int);

/*
 * EISA slot configuration, as cm_read_devconfig returns it for an EISA
 * board: function records, each with its resources.  eisa_parse_devconfig
 * finds the n-th resource of a type across them.
 */
#define EISA_IRQ	1	/* struct eisa_irq_info */
#define EISA_DMA	2	/* struct eisa_dma_info */
#define EISA_PORT	3	/* struct eisa_port_info */
#define EISA_MEM	4	/* struct eisa_mem_info */

struct eisa_irq_info {
	uchar_t		irq;		/* line */
	uchar_t		level;		/* 1: level-triggered */
	uchar_t		shared;
};
struct eisa_dma_info {
	uchar_t		channel;
	uchar_t		shared;
};
struct eisa_port_info {
	ushort_t	address;	/* first port */
	ushort_t	count;		/* ports */
	uchar_t		shared;
};
struct eisa_mem_info {
	ulong_t		address;	/* first byte */
	ulong_t		size;		/* bytes */
	uchar_t		shared;
};

int	eisa_parse_devconfig(void *, void *, int, int);

__DDI_END_DECLS

#endif /* __DDI_AT_LEAST(50) */

#endif /* DDICOMPAT_SYS_CM_I386AT_H */
