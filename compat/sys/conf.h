/*
 * sys/conf.h - driver flags (devflag(D1), drvinfo's drv_flags) and, for
 * DDI 8, the driver's description (drvinfo(D4)), its entry points
 * (drvops(D4)), the config(D2) subfunctions and devinfo(D2) parameters,
 * and the inter-driver calls of drv_attach(9) and drv_open(9).
 */
#ifndef DDICOMPAT_SYS_CONF_H
#define DDICOMPAT_SYS_CONF_H

#include <sys/types.h>
#if __DDI_AT_LEAST(80)
#include <sys/cred.h>
#include <sys/buf.h>
#endif

__DDI_BEGIN_DECLS

/*
 * Driver flags, with the values of System V Release 4.2 MP.  D_HOT had
 * no published number; its value is ddicompat's.
 */
#define D_NEW		0x00	/* a new-style driver (no flag) */
#define D_OLD		0x01	/* an old-style driver */
#define D_DMA		0x02	/* every buffer must be usable for DMA */
#define D_SEEKNEG	0x04	/* negative offsets are valid */
#define D_TAPE		0x08	/* a tape: mounted read-only */
#define D_NOBRKUP	0x10	/* takes page lists: no breakup by the kernel */
#define D_INITPUB	0x20	/* security: public by default */
#define D_NOSPECMACDATA	0x40	/* security: no MAC check on data */
#define D_RDWEQ		0x80	/* security: MAC equality for every access */
#define D_MP		0x100	/* multithreaded: needs no binding to CPU 0 */
#define D_UPF		0x200	/* STREAMS mux with upper and lower service */
#define D_BLKOFF	0x400	/* understands b_blkoff */
#define D_HOT		0x4000	/* DDI 8: can be added and removed running */

#if __DDI_AT_LEAST(80)
/*
 * DDI 8 only: D_MOD (a STREAMS module) and D_RANDOM (honours b_blkno and
 * b_blkoff) had no published numbers; D_RANDOM is D_BLKOFF's meaning.
 */
#define D_MOD		0x8000
#define D_RANDOM	D_BLKOFF

/* config(D2): what the driver is asked to do with an instance. */
typedef enum cfg_func {
	CFG_ADD,	/* a new instance: *(void **)idata receives its data */
	CFG_SUSPEND,	/* stop using the hardware for now (D_HOT) */
	CFG_RESUME,	/* use it again (D_HOT) */
	CFG_REMOVE,	/* the instance goes away */
	CFG_MODIFY,	/* new parameters under key (D_HOT) */
	CFG_VERIFY	/* is key's hardware present and right? */
} cfg_func_t;
#endif

/*
 * devinfo(D2): what a caller asks of a driver.  DDI 5 to 7.2 drivers have
 * DI_BCBP and DI_MEDIA; DDI 8 drivers a breakup control block per
 * direction, the size and the physical requirements instead of DI_BCBP.
 */
#if __DDI_AT_LEAST(50)
typedef enum di_parm {
#if __DDI_AT_MOST(72)
	DI_BCBP = 0,		/* *(bcb_t **)valp */
#endif
#if __DDI_AT_LEAST(80)
	DI_RBCBP = 2,		/* *(bcb_t **)valp: for B_READ */
	DI_WBCBP = 3,		/* *(bcb_t **)valp: for B_WRITE */
	DI_SIZE = 4,		/* *(devsize_t *)valp */
	DI_PHYS_HINT = 5,	/* *(physreq_t **)valp */
#endif
	DI_MEDIA = 1		/* *(char **)valp: "disk", "tape" ... */
} di_parm_t;
#endif

#if __DDI_AT_LEAST(80)
/* DI_SIZE's answer: the device's size in blocks and bytes. */
typedef struct devsize {
	daddr_t		blkno;
	ushort_t	blkoff;
} devsize_t;

struct queue;
struct streamtab;

/* The entry points a DDI 8 driver has; any may be NULL. */
typedef struct drvops {
	int	(*d_config)(cfg_func_t func, void *idata, rm_key_t key);
	int	(*d_open)(void *idata, channel_t *channelp, int oflags,
		    cred_t *crp, struct queue *q);
	int	(*d_close)(void *idata, channel_t channel, int oflags,
		    cred_t *crp, struct queue *q);
	int	(*d_devinfo)(void *idata, channel_t channel, di_parm_t parm,
		    void *valp);
	void	(*d_biostart)(void *idata, channel_t channel, buf_t *bp);
	int	(*d_ioctl)(void *idata, channel_t channel, int cmd, void *arg,
		    int oflags, cred_t *crp, int *rvalp);
	int	(*d_drvctl)(void *idata, channel_t channel, int cmd,
		    void *arg);
	ppid_t	(*d_mmap)(void *idata, channel_t channel, size_t offset,
		    int prot);
} drvops_t;

/* A driver as drv_attach(9) registers it. */
typedef struct drvinfo {
	const drvops_t		*drv_ops;
	const char		*drv_name;	/* its module name */
	uint_t			drv_flags;	/* D_MP, D_HOT ... */
	const struct streamtab	*drv_str;	/* STREAMS drivers; or NULL */
	channel_t		drv_maxchan;	/* highest channel */
} drvinfo_t;

/* An open channel of another driver, from drv_open(9). */
typedef struct __ddi_chan *chan_handle_t;

int	drv_attach(const drvinfo_t *infop);
void	drv_detach(const drvinfo_t *infop);
int	drv_open(rm_key_t key, channel_t *channelp, int oflags, cred_t *crp,
	    chan_handle_t *chan_handlep);
int	drv_close(chan_handle_t chan_handle, int oflags, cred_t *crp);
void	do_biostart(chan_handle_t chan_handle, buf_t *bp);
int	do_devinfo(chan_handle_t chan_handle, di_parm_t parm, void *valp);
int	do_drvctl(chan_handle_t chan_handle, int cmd, void *arg);
int	do_ioctl(chan_handle_t chan_handle, int cmd, void *arg, int oflags,
	    cred_t *crp, int *rvalp);
#endif /* DDI 8 */

__DDI_END_DECLS

#endif /* DDICOMPAT_SYS_CONF_H */
