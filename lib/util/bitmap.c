/*
 * bitmap.c - runs of set bits: fill, next, and the constrained run search.
 */
#include "config.h"

#include "util/bitmap.h"

void
bitmap_fill(uint64_t *bm, uint64_t s, uint64_t n, bool set)
{
	uint64_t e = s + n;

	while (s < e) {
		uint64_t w = s >> 6, b = s & 63;
		uint64_t cnt = 64 - b < e - s ? 64 - b : e - s;
		uint64_t mask = (cnt == 64 ? ~UINT64_C(0) :
		    ((UINT64_C(1) << cnt) - 1)) << b;

		if (set)
			bm[w] |= mask;
		else
			bm[w] &= ~mask;
		s += cnt;
	}
}

/* First index in [pos, hi) whose bit equals want; hi if none. */
uint64_t
bitmap_next(const uint64_t *bm, uint64_t pos, uint64_t hi, bool want)
{
	while (pos < hi) {
		uint64_t w = bm[pos >> 6];

		if (!want)
			w = ~w;
		w &= ~UINT64_C(0) << (pos & 63);
		if (w != 0) {
			uint64_t r = (pos & ~UINT64_C(63)) +
			    (uint64_t)__builtin_ctzll(w);

			return r < hi ? r : hi;
		}
		pos = (pos | 63) + 1;
	}
	return hi;
}

/*
 * The exact search: lowest p in [lo, hi) with p aligned to align, bits
 * [p, p+n) all set, and [p, p+n) not crossing a multiple of boundary.
 *
 * Why it terminates and is linear: pos only grows.  [pos, known) is known
 * to be set, so each word is examined a bounded number of times: a scan for
 * a clear bit starts at known, and after one is found at c the scan for the
 * next set bit starts at c + 1.  Alignment and boundary moves skip bits
 * without examining them.  The work is O((hi - lo) / 64) word operations,
 * whatever the pattern of the bits.
 */
bool
bitmap_find_run(const uint64_t *bm, uint64_t lo, uint64_t hi, uint64_t n,
    uint64_t align, uint64_t boundary, uint64_t *startp)
{
	uint64_t pos = roundup_p2(lo, align), known = pos;

	if (n == 0 || (boundary != 0 && n > boundary))
		return false;
	while (pos < hi && hi - pos >= n) {
		uint64_t c;

		if (boundary != 0 && pos / boundary !=
		    (pos + n - 1) / boundary) {
			pos = roundup_p2(roundup_p2(pos + 1, boundary), align);
			continue;
		}
		if (known < pos)
			known = pos;
		c = bitmap_next(bm, known, pos + n, false);
		if (c == pos + n) {
			*startp = pos;
			return true;
		}
		c = bitmap_next(bm, c + 1, hi, true);
		if (c >= hi)
			break;
		pos = roundup_p2(c, align);
		known = c;
	}
	return false;
}
