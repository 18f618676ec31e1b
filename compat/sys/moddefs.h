/*
 * sys/moddefs.h - loadable modules: the wrapper a module declares with
 * MOD_DRV_WRAPPER, MOD_HDRV_WRAPPER, MOD_STR_WRAPPER or MOD_MISC_WRAPPER,
 * naming its _load and _unload routines (and a driver's halt routine),
 * and mod_drvattach(9) and mod_drvdetach(9), which attach and detach the
 * interrupts of a driver that is not DDI 8.  See moddefs(9).
 *
 * The structures behind the wrappers were private to the kernel; these
 * are ddicompat's.  ddisim_mod_load(3) loads a module by its wrapper,
 * as the kernel's loader did.
 */
#ifndef DDICOMPAT_SYS_MODDEFS_H
#define DDICOMPAT_SYS_MODDEFS_H

#include <stddef.h>
#include <sys/types.h>

#if __DDI_AT_LEAST(40)

__DDI_BEGIN_DECLS

/* The revision of struct modwrapper this library loads. */
#define MODREV		1

/* What kind of module a wrapper's link makes it. */
struct mod_operations {
	int		mo_type;	/* MOD_TY_* */
	const char	*mo_name;
};
#define MOD_TY_DRV	1	/* driver (MOD_DRV_WRAPPER, MOD_HDRV_WRAPPER) */
#define MOD_TY_STR	2	/* STREAMS module (MOD_STR_WRAPPER) */
#define MOD_TY_MISC	3	/* anything else (MOD_MISC_WRAPPER) */

extern struct mod_operations	mod_drv_ops;
extern struct mod_operations	mod_str_ops;
extern struct mod_operations	mod_misc_ops;

struct mod_type_data {
	const char	*mtd_info;	/* the wrapper's description */
	void		*mtd_pdata;	/* configuration data; none here */
};

struct modlink {
	struct mod_operations	*ml_ops;	/* NULL ends the list */
	struct mod_type_data	*ml_type_data;
};

struct modwrapper {
	int		mw_rev;			/* MODREV */
	int		(*mw_load)(void);	/* _load, or NULL */
	int		(*mw_unload)(void);	/* _unload, or NULL */
	void		(*mw_halt)(void);	/* halt, or NULL */
	void		*mw_conf_data;
	struct modlink	*mw_modlink;
};

#define MOD_WRAPPER_(ops, p, l, u, h, d)				\
	static struct mod_type_data p##_mod_tdata = { d, NULL };	\
	static struct modlink p##_mod_link[] = {			\
		{ &ops, &p##_mod_tdata }, { NULL, NULL } };		\
	struct modwrapper p##_wrapper = { MODREV, l, u, h, NULL,	\
		p##_mod_link }
/*
 * A driver's wrapper also makes prefix_attach_info, which the kernel's
 * configuration tools generated for mod_drvattach: blank, and weak so
 * that a definition of the porter's own wins.  ddisim_drv_load(3) fills
 * in the module name, devflag and interrupt routine before _load runs.
 */
#define MOD_ATTACH_INFO_(p)						\
	struct mod_drvintr p##_attach_info __attribute__((__weak__)) =	\
		{ MOD_INTR_MAGIC, MOD_INTR_VER, NULL, NULL, NULL, NULL }
#define MOD_DRV_WRAPPER(p, l, u, h, d)	\
	MOD_ATTACH_INFO_(p);		\
	MOD_WRAPPER_(mod_drv_ops, p, l, u, h, d)
#define MOD_HDRV_WRAPPER(p, l, u, h, d)	\
	MOD_ATTACH_INFO_(p);		\
	MOD_WRAPPER_(mod_drv_ops, p, l, u, h, d)
#define MOD_STR_WRAPPER(p, l, u, d)	\
	MOD_WRAPPER_(mod_str_ops, p, l, u, NULL, d)
#define MOD_MISC_WRAPPER(p, l, u, d)	\
	MOD_WRAPPER_(mod_misc_ops, p, l, u, NULL, d)

/*
 * prefixattach_info, which the kernel's configuration tools generated and
 * a porter now declares: the module name whose boards' interrupts
 * mod_drvattach attaches, the driver's devflag and its interrupt routine.
 */
struct mod_drvintr {
	ushort_t	di_magic;	/* MOD_INTR_MAGIC */
	ushort_t	di_version;	/* MOD_INTR_VER */
	const char	*di_modname;
	int		*di_devflagp;	/* D_MP ...; or NULL */
	void		(*di_handler)(int);
	void		*di_hook;	/* mod_drvattach's; start NULL */
};
#define MOD_INTR_MAGIC	0xEB13
#define MOD_INTR_VER	1

void	mod_drvattach(void *iip);
void	mod_drvdetach(void *iip);

__DDI_END_DECLS

#endif /* DDI 4 and later */

#endif /* DDICOMPAT_SYS_MODDEFS_H */
