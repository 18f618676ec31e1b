/*
 * page.h - page lists over simulated RAM: what the block I/O code uses.
 */
#ifndef DDICOMPAT_PAGE_H
#define DDICOMPAT_PAGE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>

#define PAGE_LIVE	0x70616765u	/* "page" */

struct page {
	uint32_t	magic;		/* PAGE_LIVE */
	bool		borrowed;	/* kva belongs to someone else */
	struct page	*p_next;	/* the list, NULL-terminated */
	uint64_t	pfn;
	void		*kva;		/* its direct-map address */
	LIST_ENTRY(page) all;		/* every live page, for page_numtopp */
};

/* Whether pp is a page of a simulated list; reports for func if not. */
bool	page_valid(const struct page *pp, const char *func,
	    const void *caller);

/*
 * A list of the pages under [kva, kva+len) of kernel memory that is
 * physically contiguous, which the list does not own; NULL if host or
 * kernel memory is short.  pagelist_return gives the headers back.
 */
struct page *pagelist_borrow(void *kva, size_t len, const char *func);
void	pagelist_return(struct page *pp, const char *func);

#endif /* DDICOMPAT_PAGE_H */
