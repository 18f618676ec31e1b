/*
 * ddicompat/host.h - the driver host: a driver loaded as the kernel
 * loaded it, configured from the resource manager, given device numbers,
 * and used through them by a simulated process as a program used it
 * (see ddisim_drv(3) and ddisim_dev(3)).
 *
 * A driver is named by its entry-point prefix.  Its entry points, its
 * devflag, its streamtab and its module wrapper are found by name, in a
 * shared object the host loads or in the running program, as the
 * kernel's configuration tools found them; nothing is listed by hand.
 * Every call returns 0 or an errno value, as the system calls did.
 */
#ifndef DDICOMPAT_HOST_H
#define DDICOMPAT_HOST_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* What the driver's Master and System files said about it. */
struct ddisim_drvconf {
	const char	*prefix;	/* entry-point prefix, e.g. "lpt" */
	const char	*modname;	/* its boards' CM_MODNAME, and the name
					   I_PUSH finds a module by; NULL:
					   the prefix */
	const char	*object;	/* shared object holding it; NULL: the
					   running program (see the page) */
	unsigned	flags;		/* DDISIM_DRV_* */
	major_t		major;		/* its first major number; 0: the
					   first free one */
	unsigned	nmajors;	/* majors it takes; 0: as many as its
					   instances' channels need, else 1 */
};
/* Linked into the kernel: no _load; init and start run (DDI 7 and older). */
#define DDISIM_DRV_STATIC	0x1
/* A STREAMS module (MOD_STR_WRAPPER): pushed by name, no device number. */
#define DDISIM_DRV_MODULE	0x2

typedef struct ddisim_drv ddisim_drv_t;

int		ddisim_drv_load(const char *prefix, ddisim_drv_t **dp);
int		ddisim_drv_load_conf(const struct ddisim_drvconf *conf,
		    ddisim_drv_t **dp);
int		ddisim_drv_unload(ddisim_drv_t *d);
ddisim_drv_t	*ddisim_drv_find(const char *prefix);

/* Its interface: 80 for DDI 8, 70 for DDI 7 and older (no wrapper says). */
int		ddisim_drv_interface(ddisim_drv_t *d);
major_t		ddisim_drv_major(ddisim_drv_t *d);
/* Its instances: DDI 8 ones it accepted; 1 for the others. */
unsigned	ddisim_drv_ninstances(ddisim_drv_t *d);
/* An instance's resource manager key (0 for a driver that is not DDI 8). */
unsigned	ddisim_drv_key(ddisim_drv_t *d, unsigned instance);
/*
 * The device number of a channel of an instance (DDI 8), or of a minor
 * number (instance 0, others); NODEV when there is none.
 */
dev_t		ddisim_drv_dev(ddisim_drv_t *d, unsigned instance,
		    unsigned channel);
/*
 * A DDI 8 instance's config entry point, with CFG_SUSPEND, CFG_RESUME,
 * CFG_REMOVE, CFG_MODIFY or CFG_VERIFY; the values, for a test built at
 * another interface version:
 */
#define DDISIM_CFG_SUSPEND	1
#define DDISIM_CFG_RESUME	2
#define DDISIM_CFG_REMOVE	3
#define DDISIM_CFG_MODIFY	4
#define DDISIM_CFG_VERIFY	5
int		ddisim_drv_config(ddisim_drv_t *d, unsigned instance,
		    int func);
/*
 * A board added to the resource manager after the load (its key), given
 * to the loaded driver: CFG_ADD (DDI 8); EINVAL for other drivers.
 */
int		ddisim_drv_add_board(ddisim_drv_t *d, unsigned key);
int		ddisim_drv_remove_board(ddisim_drv_t *d, unsigned key);

/* The loaded drivers, as the configuration tools listed them. */
void		ddisim_drv_report(FILE *f);

/*
 * A device opened by a simulated process (ddisim_proc(3)).  Buffers and
 * ioctl arguments are user addresses of that process.
 */
#define DDISIM_CHR	2	/* OTYP_CHR */
#define DDISIM_BLK	0	/* OTYP_BLK */
typedef struct ddisim_file ddisim_file_t;
struct proc;
struct __ddi_stream;

int		ddisim_dev_open(struct proc *p, dev_t dev, int otyp,
		    int oflag, ddisim_file_t **fp);
int		ddisim_dev_close(ddisim_file_t *f);
int		ddisim_dev_read(ddisim_file_t *f, void *ubuf, size_t len,
		    size_t *done);
int		ddisim_dev_write(ddisim_file_t *f, const void *ubuf,
		    size_t len, size_t *done);
int		ddisim_dev_seek(ddisim_file_t *f, int64_t offset);
int		ddisim_dev_ioctl(ddisim_file_t *f, int cmd, intptr_t arg,
		    int *rvalp);
int		ddisim_dev_mmap(ddisim_file_t *f, int64_t offset, size_t len,
		    int prot, void **uaddrp);
int		ddisim_dev_munmap(ddisim_file_t *f, void *uaddr, size_t len);
int		ddisim_dev_poll(ddisim_file_t *f, short events,
		    int timeout_ms, short *reventsp);
/*
 * What the kernel asked of a device besides I/O: its size in blocks
 * (size(D2), or DDI 8 devinfo DI_SIZE), devinfo(D2), DDI 8 drvctl(D2),
 * and print(D2) of a message about it.
 */
int		ddisim_dev_size(ddisim_file_t *f, uint64_t *blocksp);
int		ddisim_dev_devinfo(ddisim_file_t *f, int parm, void *valp);
int		ddisim_dev_drvctl(ddisim_file_t *f, int cmd, void *arg);
int		ddisim_dev_print(ddisim_file_t *f, const char *msg);
dev_t		ddisim_dev_number(ddisim_file_t *f);
/* The stream of a STREAMS device, for ddisim_stream_putmsg and others. */
struct __ddi_stream *ddisim_dev_stream(ddisim_file_t *f);

#ifdef __cplusplus
}
#endif

#endif /* DDICOMPAT_HOST_H */
