/*
 * rmdev.h - what a program asks the example resource manager driver,
 * through ioctl(2) on minor 0 of its device, the same whether it was
 * built at DDI 7 (prefix rmdev7) or at DDI 8 (prefix rmdev8).
 */
#ifndef EXAMPLE_RMDEV_H
#define EXAMPLE_RMDEV_H

#define RMDEV_BSIZE	512		/* a block of the board */

/* RMDEV_INFO: what the driver found of its board. */
struct rmdev_info {
	unsigned int	ri_ports;	/* ports in its CM_IOADDR */
	unsigned int	ri_mem;		/* its CM_MEMADDR's start */
	unsigned int	ri_bus;		/* its CM_BRDBUSTYPE */
	unsigned int	ri_status;	/* its status register, now */
	int		ri_intrs;	/* interrupts taken */
};

/* RMDEV_READ: block rd_blk into the program's buffer at rd_buf. */
struct rmdev_rd {
	unsigned int	rd_blk;
	void		*rd_buf;	/* RMDEV_BSIZE bytes */
};

#define RMDEV_IOC	('M' << 8)
#define RMDEV_INFO	(RMDEV_IOC | 1)	/* struct rmdev_info *, out */
#define RMDEV_READ	(RMDEV_IOC | 2)	/* struct rmdev_rd *, in; rval:
					   the bytes read */

#endif
