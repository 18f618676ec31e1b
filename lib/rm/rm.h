/*
 * rm.h - the simulated resource manager: one record per board (and per
 * key a DDI 8 driver creates), each a list of parameters with their
 * values, and the board's configuration space.  See ddisim_rm(3) and
 * cm_getval(9).
 *
 * The database lives as long as the machine: rm_init fills it from the
 * spec's board= items, rm_fini empties it.  Device models add their
 * boards with rm_board_add.
 */
#ifndef DDICOMPAT_RM_RM_H
#define DDICOMPAT_RM_RM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ddicompat/ddisim.h"

/* Keys are 1 to RM_MAX_KEYS; a freed key is reused as late as possible. */
#define RM_MAX_KEYS	1024
/* Values a parameter may have, and the bytes of one. */
#define RM_MAX_VALS	64
#define RM_MAX_VALLEN	4096
/* Transactions one context may have pending at once. */
#define RM_MAX_HELD	4

void		rm_init(void);
void		rm_fini(void);

/*
 * Add a board: its key, or 0 with a report in func's name when the
 * description is wrong or the database is full.
 */
uint32_t	rm_board_add(const struct ddisim_board *b, const char *func,
		    const void *caller);
/* Remove a board rm_board_add made: 0, or EINVAL for another key. */
int		rm_board_remove(uint32_t key);
/*
 * The nth CM_MEMADDR range of key, committed, inclusive: 0, ENOENT for
 * no such key, ENXIO for no nth range.
 */
int		rm_memaddr(uint32_t key, unsigned n, uint64_t *start,
		    uint64_t *end);
/* What key's record holds, on one line ("IRQ 5 IPL 5 IOADDR ..."). */
size_t		rm_describe(uint32_t key, char *buf, size_t len);
/* Keys in use, boards and others. */
unsigned	rm_nkeys(void);

/*
 * The keys of the boards whose CM_MODNAME is modname, in key order: an
 * array the caller frees, *n of them (NULL when none or out of memory).
 */
uint32_t	*rm_board_keys(const char *modname, unsigned *n);

/* drv_attach(9)'s registry: emptied with the machine. */
void		drv_fini(void);
/*
 * For the driver host: the drvinfo attached as name (NULL: none); the
 * keys and idata of its instances in key order, up to max of them (the
 * count is returned); one more instance (CFG_ADD; 0 or an errno value);
 * a config call on one (CFG_REMOVE also drops it; ENXIO: no such
 * instance, EBUSY: it has channels open).
 */
struct drvinfo;
const struct drvinfo *drv_by_name(const char *name);
unsigned	drv_instances(const struct drvinfo *info, uint32_t *keys,
		    void **idata, unsigned max);
int		drv_inst_add(const struct drvinfo *info, uint32_t key);
int		drv_inst_config(const struct drvinfo *info, uint32_t key,
		    int func);
/* ddisim_mod_load(3)'s modules: unloaded with the machine. */
void		mod_fini(void);

/* The bus the machine's boards make it (drv_gethardware's IOBUS_TYPE). */
enum rm_sysbus { RM_SYSBUS_ISA, RM_SYSBUS_EISA, RM_SYSBUS_MCA,
	RM_SYSBUS_PCI };
enum rm_sysbus	rm_sysbus(void);
/* The compressed ID of the EISA board in slot, or false. */
bool		rm_eisa_slot_id(unsigned slot, uint32_t *id);

#endif /* DDICOMPAT_RM_RM_H */
