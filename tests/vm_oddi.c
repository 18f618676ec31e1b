/*
 * vm_oddi.c - an ODDI driver's address translations, for test_vm, which
 * is built for DDI 7.1 and so has no kvtophys or phystokv of its own.
 */
#include <sys/types.h>
#include <sys/immu.h>

paddr_t	oddi_kvtophys(void *va);
void	*oddi_phystokv(paddr_t pa);

paddr_t
oddi_kvtophys(void *va)
{
	return kvtophys(va);
}

void *
oddi_phystokv(paddr_t pa)
{
	return phystokv(pa);
}
