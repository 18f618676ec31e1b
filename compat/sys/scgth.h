/*
 * sys/scgth.h - physical scatter/gather lists (scgth(9), DDI 8).
 *
 * sg_elem points at the element array in kernel virtual memory; sg_el_addr
 * gives the same array's physical address and byte length, in the form
 * of one element, for a device that fetches the list itself.  The array
 * belongs to the library: release it with scgth_free.
 */
#ifndef DDICOMPAT_SYS_SCGTH_H
#define DDICOMPAT_SYS_SCGTH_H

#include <sys/types.h>
#include <sys/kmem.h>

__DDI_BEGIN_DECLS

/* For devices that drive at most 32 address bits. */
typedef struct scgth_el32 {
	uint32_t	sg_base;	/* physical address */
	uint32_t	sg_size;	/* bytes */
} scgth_el32_t;

/* For devices that drive more. */
typedef struct scgth_el64 {
	uint32_t	sg_base[2];	/* [0] low, [1] high 32 bits */
	uint32_t	sg_size;	/* bytes */
	uint32_t	_sg_reserved;
} scgth_el64_t;

typedef struct scgth {
	union {
		scgth_el32_t	*el32;
		scgth_el64_t	*el64;
	} sg_elem;			/* the element array */
	union {
		scgth_el32_t	ea32;
		scgth_el64_t	ea64;
	} sg_el_addr;			/* its physical address and length */
	uchar_t		sg_nelem;	/* elements in the array */
	uchar_t		sg_format;	/* SCGTH_EL*, or 0: no array */
} scgth_t;

/* sg_format */
#define SCGTH_NONE	0	/* nothing to free */
#define SCGTH_EL32	1	/* sg_elem.el32, sg_el_addr.ea32 */
#define SCGTH_EL64	2	/* sg_elem.el64, sg_el_addr.ea64 */

#if __DDI_AT_LEAST(80)
struct msgb;
struct msgb	*msgscgth(struct msgb *, physreq_t *, scgth_t *);
void		 scgth_free(scgth_t *);
#endif

__DDI_END_DECLS

#endif /* DDICOMPAT_SYS_SCGTH_H */
