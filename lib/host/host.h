/*
 * host.h - the driver host's parts: finding a driver's names (sym.c),
 * the loaded drivers and their device numbers (drv.c), and the devices
 * processes open (dev.c).  See ddisim_drv(3) and ddisim_dev(3).
 */
#ifndef DDICOMPAT_HOST_HOST_H
#define DDICOMPAT_HOST_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sys/types.h"

/*
 * A shared object loaded for a driver (*handlep stays NULL for object
 * NULL, the running program): 0, or ENOENT with dlerror's words in err.
 */
int	host_obj_open(const char *object, void **handlep, char *err,
	    size_t errlen);
void	host_obj_close(void *handle);
/* prefix + suffix defined in the object (or the program), or NULL. */
void	*host_sym(void *handle, const char *prefix, const char *suffix);
void	host_sym_fini(void);
/*
 * What holds the code or data at addr: for a shared object (handle), its
 * path when addr is in it; in the running program, the name of the
 * function or object addr is in, "" when the program has no symbol table
 * to tell by.  NULL: not there.
 */
const char *host_addr_owner(void *handle, const void *addr);

/* The entry points of a driver that is not DDI 8, found by name. */
struct uio;
struct buf;
struct cred;
struct pollhead;
struct host_ops {
	int	*devflag;
	void	(*init)(void);
	void	(*start)(void);
	void	(*halt)(void);
	int	(*open)(dev_t *devp, int oflag, int otyp, struct cred *cr);
	int	(*close)(dev_t dev, int oflag, int otyp, struct cred *cr);
	int	(*read)(dev_t dev, struct uio *uiop, struct cred *cr);
	int	(*write)(dev_t dev, struct uio *uiop, struct cred *cr);
	int	(*ioctl)(dev_t dev, int cmd, void *arg, int mode,
		    struct cred *cr, int *rvalp);
	void	(*strategy)(struct buf *bp);
	int	(*print)(dev_t dev, char *str);
	int	(*size)(dev_t dev);
	int	(*chpoll)(dev_t dev, short events, int anyyet,
		    short *reventsp, struct pollhead **phpp);
	int	(*mmap)(dev_t dev, off_t off, unsigned prot);
	void	(*intr)(int ivec);
	int	(*devinfo)(dev_t dev, int parm, void *valp);
	const struct streamtab *info;
};

struct ddisim_drv;
struct drvinfo;

/* Resolve dev to its driver, held (host_drv_rele); NULL: ENXIO. */
struct ddisim_drv *host_drv_hold(dev_t dev, unsigned *inst,
	    unsigned *chan);
void	host_drv_rele(struct ddisim_drv *d);
/* What dev.c needs of a driver. */
int	host_drv_level(const struct ddisim_drv *d);	/* 70, 80 */
const struct host_ops *host_drv_ops(const struct ddisim_drv *d);
const struct drvinfo *host_drv_info(const struct ddisim_drv *d);
const struct streamtab *host_drv_streamtab(const struct ddisim_drv *d,
	    int *devflag);
int	host_drv_inst(const struct ddisim_drv *d, unsigned inst, uint32_t *key,
	    void **idata);
dev_t	host_drv_dev(const struct ddisim_drv *d, unsigned inst, unsigned chan);
const char *host_drv_name(const struct ddisim_drv *d);
/* A driver without D_MP runs one entry point at a time: enter, leave. */
bool	host_drv_enter(const struct ddisim_drv *d);
void	host_drv_leave(bool entered);

/* Files still open on a driver (inst -1) or on one of its instances. */
unsigned host_files_on(const struct ddisim_drv *d, int inst);
size_t	host_files_leak_report(FILE *f);
void	host_files_fini(void);

void	host_fini(void);
size_t	host_leak_report(FILE *f);

/*
 * What the machine holds for drivers (leaks.c): everything besides
 * memory, and everything, listed on f when not NULL, their number
 * returned.  Under a leak scope (verify_leak_scope), one driver's.
 */
size_t	leaks_kern(FILE *f);
size_t	leaks_list(FILE *f);

#endif /* DDICOMPAT_HOST_HOST_H */
