/*
 * bitmap.c - runs of set bits: fill, next, and the constrained run search.
 */
#include "config.h"

#include <stddef.h>

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
 * align and boundary are powers of two.  Runs of at most 64 bits are
 * searched a word at a time (find_run_small); longer ones as follows.
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
/* Bits at every multiple of step (a power of two, at most 64) in a word. */
static uint64_t
every(uint64_t step, uint64_t unit)
{
	/* bit 0 and every step-th bit above it, by log2(step) */
	static const uint64_t ones[6] = {
		~UINT64_C(0), UINT64_C(0x5555555555555555),
		UINT64_C(0x1111111111111111), UINT64_C(0x0101010101010101),
		UINT64_C(0x0001000100010001), UINT64_C(0x0000000100000001),
	};

	return step >= 64 ? unit : ones[__builtin_ctzll(step)] * unit;
}

/*
 * Bit i of the result is set when bits i..i+n-1 of the 128 bits next:w
 * are all set (1 <= n <= 64): runs of 2^j set bits by doubling, then a
 * run of n as one of 2^j at i and another at i + n - 2^j.
 */
static inline uint64_t
run_starts(uint64_t w, uint64_t next, uint64_t n)
{
	unsigned __int128 v = (unsigned __int128)next << 64 | w;
	uint64_t m = 1;

	while (2 * m <= n) {
		v &= v >> m;
		m *= 2;
	}
	if (m < n)
		v &= v >> (n - m);
	return (uint64_t)v;
}

/*
 * The first word at or after wi, below wend, that has a set bit: sum has
 * bit k set iff word k of the bitmap is not zero.  Without sum, wi.
 */
static inline uint64_t
next_word(const uint64_t *sum, uint64_t wi, uint64_t wend)
{
	return sum == NULL ? wi : bitmap_next(sum, wi, wend, true);
}

/*
 * The search for runs of at most 64 bits, a word at a time.  For each
 * word, x gets the starts whose n bits are all set, the run spilling into
 * the next word: x = w & w >> 1 & ... & w >> (n - 1), each shift fed from
 * the next word.  Then x keeps only the starts that the alignment allows
 * (a fixed pattern, or one word in align / 64 for larger alignments), that
 * the boundary allows (a fixed pattern below 64; above it at most one
 * multiple of boundary ends inside the word's reach, and the n - 1 starts
 * before it go), and that lie in [lo, hi - n].  The lowest bit left is the
 * answer.  Each word is read at most twice; the work is O((hi - lo) / 64)
 * words of O(log n) shifts each (run_starts), which beats probing
 * candidates one by one when runs are short and memory fragmented.  With a
 * summary (bitmap_find_run_sum), words without a set bit are skipped 64 at
 * a time.
 */
static bool
find_run_small(const uint64_t *bm, const uint64_t *sum, uint64_t lo,
    uint64_t hi, uint64_t n, uint64_t align, uint64_t boundary,
    uint64_t *startp)
{
	uint64_t last = hi - n;		/* the highest start */
	uint64_t amask = align <= 64 ? every(align, 1) : 1;
	uint64_t bpat = ~UINT64_C(0);

	if (boundary != 0 && boundary < 64)
		bpat = every(boundary, boundary - n + 1 == 64 ? ~UINT64_C(0) :
		    (UINT64_C(1) << (boundary - n + 1)) - 1);
	for (uint64_t wi = lo >> 6; wi <= last >> 6; wi++) {
		uint64_t base = wi << 6, w, next, x;

		if (align > 64 && (base & (align - 1)) != 0) {
			wi = (roundup_p2(base, align) >> 6) - 1;
			continue;
		}
		if (bm[wi] == 0 && sum != NULL) {
			/* skip the words that have no set bit at once */
			wi = next_word(sum, wi, (last >> 6) + 1) - 1;
			continue;
		}
		if ((w = bm[wi] & amask & bpat) == 0)
			continue;
		next = base + 64 < hi ? bm[wi + 1] : 0;
		x = w & run_starts(bm[wi], next, n);
		if (boundary >= 64 && n > 1) {
			/* starts in (m - n, m) cross the next multiple m */
			uint64_t m = (base | (boundary - 1)) + 1;
			uint64_t from = m - n + 1 > base ? m - n + 1 - base : 0;

			if (from < 64)
				x &= ~(~UINT64_C(0) << from) |
				    (m - base >= 64 ? 0 :
				    ~UINT64_C(0) << (m - base));
		}
		if (wi == lo >> 6)
			x &= ~UINT64_C(0) << (lo & 63);
		if (wi == last >> 6)
			x &= ~UINT64_C(0) >> (63 - (last & 63));
		if (x != 0) {
			*startp = base + (uint64_t)__builtin_ctzll(x);
			return true;
		}
	}
	return false;
}

bool
bitmap_find_run(const uint64_t *bm, uint64_t lo, uint64_t hi, uint64_t n,
    uint64_t align, uint64_t boundary, uint64_t *startp)
{
	return bitmap_find_run_sum(bm, NULL, lo, hi, n, align, boundary,
	    startp);
}

/* The same, skipping the words that sum says are zero (see next_word). */
bool
bitmap_find_run_sum(const uint64_t *bm, const uint64_t *sum, uint64_t lo,
    uint64_t hi, uint64_t n, uint64_t align, uint64_t boundary,
    uint64_t *startp)
{
	uint64_t pos = roundup_p2(lo, align), known = pos;
	/* boundary is a power of two: the bits above it name its window */
	uint64_t bmask = boundary != 0 ? ~(boundary - 1) : 0;

	if (n == 0 || (boundary != 0 && n > boundary))
		return false;
	if (n <= 64) {
		if (pos >= hi || hi - pos < n)
			return false;
		return find_run_small(bm, sum, pos, hi, n, align, boundary,
		    startp);
	}
	while (pos < hi && hi - pos >= n) {
		uint64_t c, end = pos + n;

		if (sum != NULL && bm[pos >> 6] == 0) {
			/* no start in a word without a set bit */
			uint64_t w = next_word(sum, pos >> 6,
			    ((hi - 1) >> 6) + 1);

			pos = roundup_p2(w << 6, align);
			continue;
		}

		if (((pos ^ (end - 1)) & bmask) != 0) {
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
