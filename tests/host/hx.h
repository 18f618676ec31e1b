/*
 * hx.h - the driver host's test drivers: hx (DDI 7, linked into the
 * test program, no wrapper) and hx8 (DDI 8, a shared object the host
 * loads), each a small memory device with every kind of entry point.
 */
#ifndef TESTS_HOST_HX_H
#define TESTS_HOST_HX_H

#define HX_SIZE		(64 * 1024)	/* each device's store */
#define HX_NMINOR	4		/* hx: minors 0 to 3 */
#define HX8_NCHAN	2		/* hx8: channels 0 and 1 */

/* ioctls */
#define HX_GETSIZE	0x6801		/* copy out the store's size (int) */
#define HX_FILL		0x6802		/* copy in a byte; fill the store */
#define HX_READY	0x6803		/* arg 1: readable (poll), 0: not */
#define HX_NOTE		0x6804		/* cmn_err a note */

/* What the test reads of hx's life, linked with it. */
struct hx_life {
	int	inits, starts, halts, opens, closes, intrs;
};
extern struct hx_life hx_life;
/*
 * Leaks unloading must find: 1, hxhalt forgets to free the store; 2, it
 * leaves a timeout pending.
 */
extern int hxdevflag_leak;

/* hxm: set, its _unload refuses. */
extern int hxm_refuse_unload;

#endif
