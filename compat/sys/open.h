/*
 * sys/open.h - the kinds of open (open(D2)'s otyp argument, close(D2)'s).
 */
#ifndef DDICOMPAT_SYS_OPEN_H
#define DDICOMPAT_SYS_OPEN_H

#define OTYP_BLK	0	/* a block device's special file */
#define OTYP_MNT	1	/* a mount */
#define OTYP_CHR	2	/* a character device's special file */
#define OTYP_SWP	3	/* a swap device */
#define OTYP_LYR	4	/* a layered open by another driver */
#define OTYPCNT		5	/* how many kinds there are */

#endif /* DDICOMPAT_SYS_OPEN_H */
