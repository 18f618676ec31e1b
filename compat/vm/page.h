/*
 * vm/page.h - the page structure, opaque to drivers: they see page lists
 * only through b_pages and getnextpg(9).
 */
#ifndef DDICOMPAT_VM_PAGE_H
#define DDICOMPAT_VM_PAGE_H

#include <sys/types.h>

__DDI_BEGIN_DECLS

struct page;
typedef struct page	page_t;

__DDI_END_DECLS

#endif /* DDICOMPAT_VM_PAGE_H */
