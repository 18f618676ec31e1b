/*
 * ddicompat/mmio.h - memory-mapped register windows and device memory of
 * simulated devices (see ddisim_mmio(3)).
 *
 * A window is a range of physical addresses outside RAM (in a hole of the
 * machine, or above its top) that a device model owns.  Drivers map it with
 * physmap(9) or devmem_mapin(9) and reach it with plain loads and stores,
 * as on the real machine.  The window is backed by host memory; at every
 * DDI call (the doorbell) the library hands the model each register the
 * driver stored to since the last call, then refreshes every readable
 * register from the model.
 */
#ifndef DDICOMPAT_MMIO_H
#define DDICOMPAT_MMIO_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One register: offset from the window's base, width 1, 2 or 4. */
struct ddisim_mmio_reg {
	uint32_t	off;		/* a multiple of width */
	unsigned	width;
	const char	*name;		/* in reports */
	/* The value a load sees; NULL: what the driver stored last. */
	uint32_t	(*read)(void *arg, uint32_t off);
	/* A store the driver made; NULL: the register is read-only. */
	void		(*write)(void *arg, uint32_t off, uint32_t val);
};

struct ddisim_mmio_ops {
	const struct ddisim_mmio_reg *regs;
	unsigned	nregs;
	unsigned	flags;		/* DDISIM_MMIO_* */
	const char	*name;		/* in reports; NULL: "mmio" */
};

/* Bytes no register covers are device memory, not reported. */
#define DDISIM_MMIO_MEMORY	0x1

typedef struct ddisim_mmio ddisim_mmio_t;

ddisim_mmio_t	*ddisim_mmio_create(uint64_t base, uint64_t len,
		    const struct ddisim_mmio_ops *ops, void *arg);
void		ddisim_mmio_destroy(ddisim_mmio_t *);
/* The window's backing store: what the driver sees, for the model. */
void		*ddisim_mmio_mem(ddisim_mmio_t *, uint64_t *len);
/* Ring the doorbell now, as a DDI call does. */
void		ddisim_mmio_sync(void);

#ifdef __cplusplus
}
#endif

#endif /* DDICOMPAT_MMIO_H */
