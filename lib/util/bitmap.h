/*
 * bitmap.h - word-at-a-time bit runs, shared by the page allocator's
 * free-page bitmap and the alias window's address-space bitmap.
 */
#ifndef DDICOMPAT_BITMAP_H
#define DDICOMPAT_BITMAP_H

#include <stdbool.h>
#include <stdint.h>

static inline uint64_t
roundup_p2(uint64_t x, uint64_t a)
{
	return (x + a - 1) & ~(a - 1);
}

static inline bool
bitmap_test(const uint64_t *bm, uint64_t i)
{
	return (bm[i >> 6] >> (i & 63)) & 1;
}

void		bitmap_fill(uint64_t *bm, uint64_t s, uint64_t n, bool set);
uint64_t	bitmap_next(const uint64_t *bm, uint64_t pos, uint64_t hi,
		    bool want);
uint64_t	bitmap_prev(const uint64_t *bm, uint64_t lo, uint64_t pos,
		    bool want);
bool		bitmap_find_run(const uint64_t *bm, uint64_t lo, uint64_t hi,
		    uint64_t n, uint64_t align, uint64_t boundary,
		    uint64_t *startp);
bool		bitmap_find_run_sum(const uint64_t *bm, const uint64_t *sum,
		    uint64_t lo, uint64_t hi, uint64_t n, uint64_t align,
		    uint64_t boundary, uint64_t *startp);

#endif /* DDICOMPAT_BITMAP_H */
