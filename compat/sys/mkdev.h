/*
 * sys/mkdev.h - the layout of device numbers: the expanded form that
 * getmajor(9) and makedevice(9) use, and the old (SVR3) 7+8-bit form.
 */
#ifndef DDICOMPAT_SYS_MKDEV_H
#define DDICOMPAT_SYS_MKDEV_H

#include <sys/types.h>

#define ONBITSMAJOR	7	/* old form: bits of major number */
#define ONBITSMINOR	8	/* old form: bits of minor number */
#define OMAXMAJ		0x7f	/* old form: largest major number */
#define OMAXMIN		0xff	/* old form: largest minor number */

#define NBITSMAJOR	L_BITSMAJOR	/* expanded form: 14 */
#define NBITSMINOR	L_BITSMINOR	/* expanded form: 18 */
#define MAXMAJ		L_MAXMAJ	/* 0x3fff */
#define MAXMIN		L_MAXMIN	/* 0x3ffff */

#endif /* DDICOMPAT_SYS_MKDEV_H */
