/*
 * sym_nodwarf.c - code built without debug information (-g0), for
 * test_verify: a report from here names its caller as symbol+offset,
 * from the program's symbol table, for a static function too.
 */
#include <sys/types.h>
#include <sys/kmem.h>
#include <sys/ddi.h>

void	sym_nodwarf_free(void *p, size_t size);

static char sym_nodwarf_host[64];

__attribute__((noinline)) static void
sym_nodwarf_static(void)
{
	kmem_free(sym_nodwarf_host, sizeof(sym_nodwarf_host));
	__asm__ volatile("" ::: "memory");
}

__attribute__((noinline)) void
sym_nodwarf_free(void *p, size_t size)
{
	if (p == NULL)
		sym_nodwarf_static();
	else
		kmem_free(p, size);
	__asm__ volatile("" ::: "memory");
}
