/*
 * devmem.c - DDI 8's device memory calls (devmem_mapin(9)): a board's
 * memory is named by its resource manager key and the index of one of
 * its CM_MEMADDR ranges, never by a physical address.  The mappings are
 * physmap's (lib/iomem/physmap.c), checked and recorded the same way.
 */
#include "config.h"

#include <errno.h>

#include "machine/entry.h"
#include "machine/machine.h"
#include "verify/verify.h"
#include "iomem/iomem.h"
#include "rm/rm.h"

#include "sys/types.h"
#include "exports.h"

/* The range: 0, or an errno after a report when report is set. */
static int
devmem_range(rm_key_t key, uint_t memory, uint64_t *start, uint64_t *len,
    bool report, const char *func, const void *caller)
{
	uint64_t end;
	int e = rm_memaddr(key, memory, start, &end);

	if (e == 0) {
		*len = end - *start + 1;
		return 0;
	}
	if (report)
		verify_report(func, caller, e == ENOENT ? "key %u is no key "
		    "of the resource manager" : "key %u has no memory range "
		    "%u (CM_MEMADDR)", key, memory);
	return EINVAL;
}

/*
 * devmem_mapin: a kernel mapping of len bytes at offset in the memory-th
 * range; NULL after a report when there is no such range, or it does not
 * hold [offset, offset+len).
 */
DDI_ENTRY(void *, devmem_mapin, (rm_key_t key, uint_t memory, size_t offset,
    size_t len), (key, memory, offset, len))
{
	uint64_t start, size;

	if (devmem_range(key, memory, &start, &size, true, DDI_FUNC,
	    DDI_CALLER) != 0)
		return NULL;
	if (len == 0 || offset >= size || len > size - offset) {
		verify_report(DDI_FUNC, DDI_CALLER, "offset %#zx, length "
		    "%#zx: outside the %#llx bytes of key %u's range %u",
		    offset, len, (unsigned long long)size, key, memory);
		return NULL;
	}
	return iomem_map(start + offset, len, DDI_FUNC, DDI_CALLER);
}

DDI_ENTRY_VOID(devmem_mapout, (void *vaddr, size_t len), (vaddr, len))
{
	(void)iomem_unmap(vaddr, len, DDI_FUNC, DDI_CALLER);
}

/* devmem_size: 0 with the range's bytes in *lenp, or EINVAL. */
DDI_ENTRY(int, devmem_size, (rm_key_t key, uint_t memory, size_t *lenp),
    (key, memory, lenp))
{
	uint64_t start, size;

	if (lenp == NULL) {
		verify_report(DDI_FUNC, DDI_CALLER, "NULL lenp");
		return EINVAL;
	}
	if (devmem_range(key, memory, &start, &size, false, DDI_FUNC,
	    DDI_CALLER) != 0)
		return EINVAL;
	*lenp = (size_t)size;
	return 0;
}

/* devmem_ppid: the page at offset in the range, or NOPAGE. */
DDI_ENTRY(ppid_t, devmem_ppid, (rm_key_t key, uint_t memory, size_t offset),
    (key, memory, offset))
{
	uint64_t start, size;

	if (devmem_range(key, memory, &start, &size, false, DDI_FUNC,
	    DDI_CALLER) != 0 || offset >= size)
		return NOPAGE;
	return (ppid_t)((start + offset) >> machine->pshift);
}
