/*
 * sys/confmgr.h - the configuration manager: the resource manager
 * database of <key, parameter, value> tuples, one key per board, and the
 * calls that read and change it (cm_params(9), cm_getval(9)).
 *
 * DDI 5 to 7.2 read and write one value at a time, each call atomic by
 * itself; DDI 8 brackets every access with cm_begin_trans and cm_end_trans
 * and creates and deletes keys.  cm_getnbrd, cm_getbrdkey and
 * cm_getversion are gone at DDI 8, which hands a driver its key instead.
 */
#ifndef DDICOMPAT_SYS_CONFMGR_H
#define DDICOMPAT_SYS_CONFMGR_H

#include <stddef.h>
#include <sys/types.h>
#include <sys/ddi.h>	/* rm_key_t */

#if __DDI_AT_LEAST(50)

__DDI_BEGIN_DECLS

/* A scalar parameter value. */
typedef ulong_t		cm_num_t;

/* An address range, both ends inclusive. */
struct cm_addr_rng {
	ulong_t		startaddr;
	ulong_t		endaddr;
};
typedef struct cm_addr_rng	cm_range_t;

/* The arguments of cm_getval, cm_addval and cm_delval. */
typedef struct cm_args {
	rm_key_t	cm_key;		/* the record */
	char		*cm_param;	/* the parameter */
	void		*cm_val;	/* the value's buffer */
	size_t		cm_vallen;	/* its length in bytes */
	uint_t		cm_n;		/* which value of the parameter */
} cm_args_t;

/* No record: what cm_getbrdkey and cm_newkey return on failure. */
#define RM_NULL_KEY	((rm_key_t)0)

/* The parameters every board has (cm_params(9)). */
#define CM_MODNAME	"MODNAME"	/* string, read-only */
#define CM_UNIT		"UNIT"		/* cm_num_t */
#define CM_IPL		"IPL"		/* cm_num_t */
#define CM_ITYPE	"ITYPE"		/* cm_num_t: CM_ITYPE_* */
#define CM_IRQ		"IRQ"		/* cm_num_t */
#define CM_IOADDR	"IOADDR"	/* cm_range_t */
#define CM_MEMADDR	"MEMADDR"	/* cm_range_t */
#define CM_DMAC		"DMAC"		/* cm_num_t */
#define CM_BINDCPU	"BINDCPU"	/* cm_num_t */
#define CM_BRDBUSTYPE	"BRDBUSTYPE"	/* cm_num_t: CM_BUS_*, read-only */
#define CM_BRDID	"BRDID"		/* string, read-only */
#define CM_SLOT		"SLOT"		/* cm_num_t, read-only */
#define CM_ENTRYTYPE	"ENTRYTYPE"	/* cm_num_t: CM_ENTRY_* */

#define CM_ITYPE_EDGE	1	/* edge-triggered interrupt */
#define CM_ITYPE_LEVEL	4	/* level-sensitive interrupt */

#define CM_ENTRY_DEFAULT	0	/* configured by the system */
#define CM_ENTRY_DRVOWNED	1	/* the driver owns the parameters */

#if __DDI_AT_MOST(72)
cm_num_t cm_getnbrd(char *) __DDI_ENTRY(_Compat_cm_getnbrd);
rm_key_t cm_getbrdkey(char *, cm_num_t) __DDI_ENTRY(_Compat_cm_getbrdkey);
int	cm_getversion(void) __DDI_ENTRY(_Compat_cm_getversion);
int	cm_addval(cm_args_t *) __DDI_ENTRY(_Compat_cm_addval);
int	cm_delval(cm_args_t *) __DDI_ENTRY(_Compat_cm_delval);
#if __DDI_AT_LEAST(71)
int	cm_getval(cm_args_t *) __DDI_ENTRY(_Compat_cm_getval_7_1);
#else
int	cm_getval(cm_args_t *) __DDI_ENTRY(_Compat_cm_getval_5);
#endif
size_t	cm_devconfig_size(rm_key_t);
int	cm_read_devconfig(rm_key_t, size_t, void *, size_t);
int	cm_write_devconfig(rm_key_t, size_t, void *, size_t);
#if __DDI_AT_LEAST(71)
int	cm_read_devconfig8(rm_key_t, size_t, uchar_t *);
int	cm_read_devconfig16(rm_key_t, size_t, ushort_t *);
int	cm_read_devconfig32(rm_key_t, size_t, ulong_t *);
int	cm_write_devconfig8(rm_key_t, size_t, uchar_t *);
int	cm_write_devconfig16(rm_key_t, size_t, ushort_t *);
int	cm_write_devconfig32(rm_key_t, size_t, ulong_t *);
#endif
#else /* DDI 8 */
/* Transactions: RM_READ shares a record, RM_RDWR has it alone. */
#define RM_READ		0
#define RM_RDWR		1
void	cm_begin_trans(rm_key_t, int);
void	cm_end_trans(rm_key_t);
void	cm_abort_trans(rm_key_t);
rm_key_t cm_newkey(rm_key_t, boolean_t);
int	cm_delkey(rm_key_t);
int	cm_getval(cm_args_t *) __DDI_ENTRY(_Compat_cm_getval_8);
int	cm_addval(cm_args_t *) __DDI_ENTRY(_Compat_cm_addval_8);
int	cm_delval(cm_args_t *) __DDI_ENTRY(_Compat_cm_delval_8);
size_t	cm_devconfig_size(rm_key_t);
int	cm_read_devconfig(rm_key_t, off_t, void *, size_t);
int	cm_write_devconfig(rm_key_t, off_t, void *, size_t);
int	cm_read_devconfig8(rm_key_t, off_t, uchar_t *);
int	cm_read_devconfig16(rm_key_t, off_t, ushort_t *);
int	cm_read_devconfig32(rm_key_t, off_t, ulong_t *);
int	cm_write_devconfig8(rm_key_t, off_t, uchar_t *);
int	cm_write_devconfig16(rm_key_t, off_t, ushort_t *);
int	cm_write_devconfig32(rm_key_t, off_t, ulong_t *);
#endif

__DDI_END_DECLS

#endif /* __DDI_AT_LEAST(50) */

#endif /* DDICOMPAT_SYS_CONFMGR_H */
