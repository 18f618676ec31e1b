/*
 * isa.c - a DDI 4 ISA driver's buffer handling: in DDI 1-4, kmem_alloc
 * memory was DMA-able (below 16 MiB) and physically contiguous, and the
 * driver handed vtop's answer straight to the DMA controller.  ddicompat
 * keeps that promise for drivers built with -D_DDI=4.
 */
#include <sys/types.h>
#include <sys/kmem.h>
#include <sys/ddi.h>

#include "isa.h"

#define ISA_BUFSZ	(16 * 1024)

static caddr_t isa_buf;

int
isa_init(paddr_t *pa)
{
	if ((isa_buf = kmem_alloc(ISA_BUFSZ, KM_NOSLEEP)) == NULL)
		return -1;
	*pa = vtop(isa_buf, NULL);	/* the controller's address */
	return 0;
}

caddr_t
isa_buffer(void)
{
	return isa_buf;
}

unsigned
isa_bufsize(void)
{
	return ISA_BUFSZ;
}

void
isa_fini(void)
{
	kmem_free(isa_buf, ISA_BUFSZ);
}
