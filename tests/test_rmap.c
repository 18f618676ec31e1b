/*
 * test_rmap.c - private space management maps: rmallocmap, rmalloc,
 * rmalloc_wait, rmfree, rmfreemap, and the older rminit, rmsetwant and
 * rmwant; first fit and coalescing against a model of the unit space,
 * the limits, the misuse reports, and waits ended by rmfree.
 */
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>

#include <sys/types.h>
#include <sys/kmem.h>
#include <sys/map.h>
#include <sys/ddi.h>

#include "exports.h"
#include "lib/testutil.h"
#include <ddicompat/check.h>

/* The default machine, for <ddicompat/check.h>'s fixtures. */
DDISIM_CK_MACHINE(dflt, DDISIM_DEFAULT_SPEC);

#define HDR	3		/* the library's entries before the fragments */

/* The map's free fragments, in order, as "index+size ..." text. */
static const char *
frag_text(const struct map *mp, ulong_t cap)
{
	static char buf[4096];
	size_t at = 0;

	buf[0] = '\0';
	for (ulong_t i = 0; i < cap && mp[HDR + i].m_size != 0; i++)
		at += (size_t)snprintf(buf + at, sizeof(buf) - at, "%lu+%lu ",
		    (unsigned long)mp[HDR + i].m_addr,
		    (unsigned long)mp[HDR + i].m_size);
	return buf;
}

#define ck_frags(mp, cap, want)						\
	ck_assert_str_eq(frag_text((mp), (cap)), (want))

START_TEST(first_fit_and_coalescing)
{
	struct map *mp;

	mp = rmallocmap(8);
	ck_assert_ptr_nonnull(mp);
	ck_frags(mp, 8, "");
	ck_assert_uint_eq(rmalloc(mp, 1), 0);		/* nothing given yet */
	rmfree(mp, 100, 1);
	ck_frags(mp, 8, "1+100 ");
	ck_assert_uint_eq(rmalloc(mp, 10), 1);
	ck_assert_uint_eq(rmalloc(mp, 20), 11);
	ck_assert_uint_eq(rmalloc(mp, 30), 31);
	ck_frags(mp, 8, "61+40 ");
	rmfree(mp, 10, 1);
	ck_frags(mp, 8, "1+10 61+40 ");
	/* first fit: the first fragment large enough, from its start */
	ck_assert_uint_eq(rmalloc(mp, 15), 61);
	ck_assert_uint_eq(rmalloc(mp, 5), 1);
	ck_frags(mp, 8, "6+5 76+25 ");
	/* coalescing: with the next, with the previous, with both */
	rmfree(mp, 20, 11);		/* 11..30: joins 6+5 */
	ck_frags(mp, 8, "6+25 76+25 ");
	rmfree(mp, 15, 61);		/* 61..75: joins 76+25 */
	ck_frags(mp, 8, "6+25 61+40 ");
	rmfree(mp, 30, 31);		/* 31..60: joins both */
	ck_frags(mp, 8, "6+95 ");
	rmfree(mp, 5, 1);
	ck_frags(mp, 8, "1+100 ");
	/* all of it, then nothing */
	ck_assert_uint_eq(rmalloc(mp, 100), 1);
	ck_frags(mp, 8, "");
	ck_assert_uint_eq(rmalloc(mp, 1), 0);
	rmfree(mp, 100, 1);
	/* part of an allocation may go back */
	ck_assert_uint_eq(rmalloc(mp, 50), 1);
	rmfree(mp, 10, 21);
	ck_frags(mp, 8, "21+10 51+50 ");
	rmfree(mp, 20, 1);
	rmfree(mp, 20, 31);
	ck_frags(mp, 8, "1+100 ");
	rmfreemap(mp);
	ck_assert_ddisim_no_report();
}
END_TEST

/* The interface before rmallocmap: the driver's own array. */
START_TEST(driver_array)
{
	static struct map xx_map[3 + 4];
	struct map *mp = xx_map;

	_Compat_rminit(mp, 3 + 4);
	rmfree(mp, 64, 1000);
	ck_frags(mp, 4, "1000+64 ");
	ck_assert_uint_eq(rmalloc(mp, 64), 1000);
	ck_assert_uint_eq(rmalloc(mp, 1), 0);
	ck_assert_uint_eq(_Compat_rmwant(mp), 0);
	_Compat_rmsetwant(mp);
	_Compat_rmsetwant(mp);
	ck_assert_uint_eq(_Compat_rmwant(mp), 2);
	rmfree(mp, 64, 1000);		/* wakes the sleepers: count cleared */
	ck_assert_uint_eq(_Compat_rmwant(mp), 0);
	ck_frags(mp, 4, "1000+64 ");
	/* again from scratch */
	_Compat_rminit(mp, 3 + 4);
	ck_frags(mp, 4, "");
	ck_assert_ddisim_no_report();
}
END_TEST

/* ---- limits ---- */

/*
 * A map of n entries holds n fragments; a free that needs one more loses
 * its units, reported as the original warned, and the map stays sound.
 */
START_TEST(full_map_loses_a_fragment)
{
	struct map *mp;
	unsigned long before;

	MACHINE_UP(NULL);
	ddisim_verify_set_policy(DDISIM_VERIFY_COUNT);
	mp = rmallocmap(2);
	rmfree(mp, 100, 1);
	ck_assert_uint_eq(rmalloc(mp, 10), 1);
	ck_assert_uint_eq(rmalloc(mp, 10), 11);
	ck_assert_uint_eq(rmalloc(mp, 10), 21);
	ck_assert_uint_eq(rmalloc(mp, 10), 31);
	rmfree(mp, 10, 1);
	ck_frags(mp, 2, "1+10 41+60 ");
	before = ddisim_verify_count();
	rmfree(mp, 10, 21);			/* a third fragment */
	REPORTED(before, "overflow");
	ck_assert_contains(ddisim_verify_last(), "lost 10 units at 21");
	ck_assert_contains(ddisim_verify_last(), "test_rmap");
	ck_frags(mp, 2, "1+10 41+60 ");
	/* a free that merges needs no entry */
	rmfree(mp, 10, 11);
	ck_frags(mp, 2, "1+20 41+60 ");
	rmfree(mp, 10, 31);
	ck_frags(mp, 2, "1+20 31+70 ");
	ck_assert_uint_eq(rmalloc(mp, 21), 31);	/* the lost units stay lost */
	rmfreemap(mp);
	ck_assert_uint_eq(ddisim_verify_count(), before + 1);
	ddisim_verify_set_policy(DDISIM_VERIFY_ABORT);
	MACHINE_DOWN();
}
END_TEST

/* The largest units a map may hold, and the smallest maps. */
START_TEST(unit_range)
{
	struct map *mp;
	static struct map small[4];

	MACHINE_UP(NULL);
	mp = rmallocmap(1);
	rmfree(mp, 0xfffffffful, 1);		/* every unit there is */
	ck_assert_uint_eq(rmalloc(mp, 0xfffffffful), 1);
	ck_assert_uint_eq(rmalloc(mp, 1), 0);
	rmfree(mp, 1, 0xfffffffful);		/* the last unit */
	ck_assert_uint_eq(rmalloc(mp, 1), 0xfffffffful);
	rmfree(mp, 0xfffffffful, 1);
	rmfreemap(mp);
	_Compat_rminit(small, 4);		/* one fragment */
	rmfree(small, 5, 1);
	ck_assert_uint_eq(rmalloc(small, 5), 1);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	MACHINE_DOWN();
}
END_TEST

/* An rmallocmap map left allocated is a leak, listed with its caller. */
START_TEST(leak_named)
{
	struct map *mp;
	char *text, want[96];
	int line;

	MACHINE_UP(NULL);
	mp = rmallocmap(4), line = __LINE__;
	ck_assert_uint_eq(leak_report_text(&text), 1);
	/* seven entries of 8 bytes, allocated by the driver's call */
	ck_assert_contains(text, "56 bytes");
#ifdef TEST_CALLER_LINES
	snprintf(want, sizeof(want), "allocated by leak_named_fn "
	    "(test_rmap.c:%d)\n", line);
#else
	snprintf(want, sizeof(want), "allocated by test_rmap+0x");
	(void)line;
#endif
	ck_assert_contains(text, want);
	free(text);
	rmfreemap(mp);
	MACHINE_DOWN();
}
END_TEST

/* ---- property: first fit and coalescing against a model ---- */

#define UNITS	600		/* units 1..UNITS */
#define NOUT	64		/* outstanding allocations at most */

static uint8_t used[UNITS + 1];	/* the model: 1 allocated, 0 free */

/* First fit in the model: the lowest index of size free units, or 0. */
static ulong_t
model_fit(size_t size)
{
	size_t run = 0;

	for (ulong_t i = 1; i <= UNITS; i++) {
		run = used[i] ? 0 : run + 1;
		if (run == size)
			return i - (ulong_t)size + 1;
	}
	return 0;
}

/* The model's free runs, as frag_text gives the map's. */
static const char *
model_text(void)
{
	static char buf[4096];
	size_t at = 0;

	buf[0] = '\0';
	for (ulong_t i = 1; i <= UNITS; ) {
		ulong_t s = i;

		if (used[i]) {
			i++;
			continue;
		}
		while (i <= UNITS && !used[i])
			i++;
		at += (size_t)snprintf(buf + at, sizeof(buf) - at, "%lu+%lu ",
		    (unsigned long)s, (unsigned long)(i - s));
	}
	return buf;
}

#define RMAP_MIN	2000

START_TEST(against_a_model)
{
	long iters = prop_floor(prop_iters(100000) / 25, RMAP_MIN);
	struct { ulong_t at, n; } out[NOUT];
	int nout = 0;
	unsigned long fails = 0, partial = 0, merges = 0;
	struct map *mp;

	MACHINE_UP(NULL);
	mp = rmallocmap(UNITS);		/* never full */
	memset(used, 0, sizeof(used));
	rmfree(mp, UNITS, 1);
	prop_seed(UINT64_C(0xa4093822299f31d0));
	for (long it = 0; it < iters; it++) {
		if (nout < NOUT && (nout == 0 || rndn(2))) {
			size_t size = 1 + rndn(rndn(4) ? 20 : 200);
			ulong_t want = model_fit(size), got = rmalloc(mp, size);

			ck_assert_msg(got == want, "rmalloc(%zu): %lu, the model "
			    "%lu", size, (unsigned long)got,
			    (unsigned long)want);
			if (got == 0) {
				fails++;
				continue;
			}
			memset(used + got, 1, size);
			out[nout].at = got;
			out[nout++].n = (ulong_t)size;
		} else {
			int k = (int)rndn((size_t)nout);
			ulong_t at = out[k].at, n = out[k].n, cut;
			size_t before = strlen(frag_text(mp, UNITS));

			/* all of it, or its first or last part */
			cut = n > 1 && rndn(3) == 0 ? 1 + rndn(n - 1) : n;
			if (cut < n) {
				partial++;
				if (rndn(2)) {
					rmfree(mp, cut, at);
					out[k].at += cut;
				} else {
					rmfree(mp, cut, at + n - cut);
					at += n - cut;
				}
				out[k].n -= cut;
			} else {
				rmfree(mp, n, at);
				out[k] = out[--nout];
			}
			memset(used + at, 0, cut);
			merges += strlen(frag_text(mp, UNITS)) <= before;
		}
		ck_assert_str_eq(frag_text(mp, UNITS), model_text());
	}
	while (nout > 0) {
		rmfree(mp, out[nout - 1].n, out[nout - 1].at);
		nout--;
	}
	ck_frags(mp, UNITS, "1+600 ");
	rmfreemap(mp);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	MACHINE_DOWN();
	/* the seed meets a failed allocation, partial frees and merges */
	ck_assert_uint_gt(fails, 0);
	ck_assert_uint_gt(partial, 0);
	ck_assert_uint_gt(merges, 0);
}
END_TEST

/* ---- waits ---- */

struct waiter {
	struct map	*mp;
	size_t		size;
	_Atomic ulong_t	got;
	_Atomic bool	done;
	_Atomic pid_t	tid;
	bool		old;		/* rmsetwant and sleep */
};

static void *
wait_thread(void *arg)
{
	struct waiter *w = arg;
	ulong_t at;

	atomic_store(&w->tid, tid_self());
	if (!w->old) {
		at = rmalloc_wait(w->mp, w->size);
	} else {
		while ((at = rmalloc(w->mp, w->size)) == 0) {
			_Compat_rmsetwant(w->mp);
			(void)_Compat_sleep((caddr_t)w->mp, 20);
		}
	}
	atomic_store(&w->got, at);
	atomic_store(&w->done, true);
	return NULL;
}

static void
wait_for(struct waiter *w)
{
	while (atomic_load(&w->tid) == 0)
		sched_yield();
	ck_assert(tid_wait_asleep(atomic_load(&w->tid)));
}

/*
 * rmalloc_wait sleeps until a free lets it have its units at once: a free
 * too small leaves it asleep, a later one that coalesces wakes it.  The
 * old interface's sleeper, on the map's address, is woken too.
 */
START_TEST(wait_ended_by_free)
{
	struct waiter w = { .size = 30 };
	pthread_t t;
	struct map *mp;

	w.mp = mp = rmallocmap(4);
	rmfree(mp, 50, 1);
	ck_assert_uint_eq(rmalloc(mp, 20), 1);
	ck_assert_uint_eq(rmalloc(mp, 20), 21);
	ck_assert_uint_eq(rmalloc(mp, 10), 41);
	ck_assert_int_eq(pthread_create(&t, NULL, wait_thread, &w), 0);
	wait_for(&w);
	rmfree(mp, 10, 41);		/* 10 free: not enough */
	wait_for(&w);
	ck_assert(!atomic_load(&w.done));
	rmfree(mp, 20, 21);		/* 21..50 now: 30 at once */
	pthread_join(t, NULL);
	ck_assert_uint_eq(atomic_load(&w.got), 21);
	rmfree(mp, 30, 21);
	rmfree(mp, 20, 1);
	rmfreemap(mp);
	ck_assert_ddisim_no_report();
}
END_TEST

START_TEST(old_sleeper_woken)
{
	static struct map xx_map[3 + 8];
	struct waiter w = { .mp = xx_map, .size = 8, .old = true };
	pthread_t t;

	_Compat_rminit(xx_map, 3 + 8);
	rmfree(xx_map, 8, 100);
	ck_assert_uint_eq(rmalloc(xx_map, 8), 100);
	ck_assert_int_eq(pthread_create(&t, NULL, wait_thread, &w), 0);
	wait_for(&w);
	ck_assert_uint_ge(_Compat_rmwant(xx_map), 1);
	rmfree(xx_map, 8, 100);
	pthread_join(t, NULL);
	ck_assert_uint_eq(atomic_load(&w.got), 100);
	ck_assert_uint_eq(_Compat_rmwant(xx_map), 0);
	ck_assert_ddisim_no_report();
}
END_TEST

/* ---- misuse ---- */

#define NMISUSE	12

static void
misuse(int which)
{
	static struct map arr[3 + 2], junk[8];
	struct map *mp = rmallocmap(4), *fresh = NULL;
	const char *want = NULL;
	unsigned long before;

	rmfree(mp, 100, 1);
	ck_assert_uint_eq(rmalloc(mp, 40), 1);	/* 41+60 free */
	before = ddisim_verify_count();
	switch (which) {
	case 0:
		rmfree(mp, 10, 50);		/* inside free space */
		want = "overlap the 60 free units at 41";
		break;
	case 1:
		rmfree(mp, 10, 35);		/* runs into free space */
		want = "overlap the 60 free units at 41";
		break;
	case 2:
		rmfree(mp, 10, 500);		/* beyond the space given */
		want = "were never allocated from it";
		break;
	case 3:
		rmfree(mp, 5, 0);
		want = "units lie in 1 to 2^32-1";
		break;
	case 4:
		rmfree(mp, 0, 7);
		want = "a free is 1 unit or more";
		break;
	case 5:
		ck_assert_uint_eq(rmalloc(mp, 0), 0);
		want = "size 0";
		break;
	case 6:
		ck_assert_uint_eq(rmalloc(junk, 1), 0);
		want = "is not a map from rmallocmap or rminit";
		break;
	case 7:
		fresh = rmallocmap(2);
		rmfreemap(fresh);
		rmfree(fresh, 1, 1);		/* after rmfreemap */
		want = "is not a map from rmallocmap or rminit";
		break;
	case 8:
		_Compat_rminit(arr, 3 + 2);
		rmfreemap(arr);
		want = "was set up by rminit";
		break;
	case 9:
		ck_assert_ptr_null(rmallocmap(0));
		want = "mapsize 0";
		break;
	case 10:
		_Compat_rminit(arr, 3);
		want = "give an array of 4";
		break;
	case 11:
		ck_assert_uint_eq(rmalloc_wait(mp, 200), 0);
		want = "more than all the space it was given";
		break;
	}
	REPORTED(before, want);
	ck_assert_contains(ddisim_verify_last(), "test_rmap");
	/* the map is as it was */
	ck_frags(mp, 4, "41+60 ");
	rmfree(mp, 40, 1);
	ck_frags(mp, 4, "1+100 ");
	rmfreemap(mp);
}

MISUSE_TEST_PAIR(misuse, NULL)

int
main(void)
{
	Suite *s = suite_create("rmap");
	TCase *tc;

	/* one default machine; each test runs on a copy of it */
	tc = tcase_create("core");
	ddisim_ck_shared(tc, dflt);
	tcase_add_test(tc, first_fit_and_coalescing);
	tcase_add_test(tc, driver_array);
	tcase_add_test(tc, wait_ended_by_free);
	tcase_add_test(tc, old_sleeper_woken);
	suite_add_tcase(s, tc);
	tc = tcase_new("limits");
	tcase_add_test(tc, full_map_loses_a_fragment);
	tcase_add_test(tc, unit_range);
	tcase_add_test(tc, leak_named);
	suite_add_tcase(s, tc);
	tc = tcase_new("property");
	tcase_add_test(tc, against_a_model);
	suite_add_tcase(s, tc);
	tc = tcase_new("misuse");
	TCASE_ADD_MISUSE(tc, misuse_counted, misuse_aborts, NMISUSE);
	suite_add_tcase(s, tc);
	return run_suite(s) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
