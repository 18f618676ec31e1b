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

/* Last index in [lo, pos) whose bit equals want; UINT64_MAX if none. */
uint64_t
bitmap_prev(const uint64_t *bm, uint64_t lo, uint64_t pos, bool want)
{
	while (pos > lo) {
		uint64_t last = pos - 1, w = bm[last >> 6];

		if (!want)
			w = ~w;
		/* keep bits at or below last within its word */
		w &= ~UINT64_C(0) >> (63 - (last & 63));
		if (w != 0) {
			uint64_t r = (last & ~UINT64_C(63)) + 63 -
			    (uint64_t)__builtin_clzll(w);

			return r >= lo ? r : UINT64_MAX;
		}
		if ((last & ~UINT64_C(63)) <= lo)
			break;
		pos = last & ~UINT64_C(63);
	}
	return UINT64_MAX;
}

/*
 * The exact search: lowest p in [lo, hi) with p aligned to align, bits
 * [p, p+n) all set, and [p, p+n) not crossing a multiple of boundary.
 *
 * Each candidate [pos, pos+n) is probed from its end backwards, as in
 * Boyer-Moore: the last clear bit c found there rules out every start up
 * to c at once, so fragmented memory is crossed in strides of up to n
 * without reading the bits in between.  Why it terminates and never
 * misses a run: pos only grows; a start t in [pos, c] cannot succeed since
 * c lies in [t, t+n); [c+1, pos+n) is then known to be set, and "known"
 * only grows, so each word is read a bounded number of times.  The work is
 * O((hi - lo) / 64) word reads at worst and O((hi - lo) / n) probes on
 * fragmented memory.
 */
bool
bitmap_find_run(const uint64_t *bm, uint64_t lo, uint64_t hi, uint64_t n,
    uint64_t align, uint64_t boundary, uint64_t *startp)
{
	uint64_t pos = roundup_p2(lo, align), known = pos;

	if (n == 0 || (boundary != 0 && n > boundary))
		return false;
	while (pos < hi && hi - pos >= n) {
		uint64_t c, end = pos + n;

		if (boundary != 0 && pos / boundary != (end - 1) / boundary) {
			pos = roundup_p2(roundup_p2(pos + 1, boundary), align);
			continue;
		}
		if (known < pos)
			known = pos;
		/* [pos, known) is set; look for a clear bit in [known, end) */
		c = known < end ? bitmap_prev(bm, known, end, false) :
		    UINT64_MAX;
		if (c == UINT64_MAX) {
			*startp = pos;
			return true;
		}
		known = end;
		pos = roundup_p2(c + 1, align);
	}
	return false;
}
