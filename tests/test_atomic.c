/*
 * test_atomic.c - atomic counters (ATOMIC_INT(9)) and KS_HOLD0LOCKS:
 * each operation against an int model, the counter shared by threads,
 * leaks, and each misuse reported with the function and the caller.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>

#include <sys/types.h>
#include <sys/kmem.h>
#include <sys/ksynch.h>
#include <sys/ddi.h>

#include "lib/testutil.h"

START_TEST(allocated_counter)
{
	atomic_int_t *c;

	MACHINE_UP("mem=64M");
	c = ATOMIC_INT_ALLOC(KM_SLEEP);
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(ATOMIC_INT_READ(c), 0);
	ATOMIC_INT_INIT(c, 5);
	ck_assert_int_eq(ATOMIC_INT_READ(c), 5);
	ATOMIC_INT_WRITE(c, -3);
	ck_assert_int_eq(ATOMIC_INT_READ(c), -3);
	ATOMIC_INT_ADD(c, 10);
	ck_assert_int_eq(ATOMIC_INT_READ(c), 7);
	ATOMIC_INT_SUB(c, 8);
	ck_assert_int_eq(ATOMIC_INT_READ(c), -1);
	ATOMIC_INT_INCR(c);
	ck_assert_int_eq(ATOMIC_INT_READ(c), 0);
	ATOMIC_INT_INCR(c);
	ATOMIC_INT_INCR(c);
	ck_assert_int_eq(ATOMIC_INT_DECR(c), B_FALSE);	/* 1 */
	ck_assert_int_eq(ATOMIC_INT_DECR(c), B_TRUE);	/* 0 */
	ck_assert_int_eq(ATOMIC_INT_DECR(c), B_FALSE);	/* -1 */
	ATOMIC_INT_DEALLOC(c);
	c = ATOMIC_INT_ALLOC(KM_NOSLEEP);
	ck_assert_ptr_nonnull(c);
	ATOMIC_INT_DEALLOC(c);
	ck_assert_uint_eq(ddisim_leak_report(NULL), 0);
	MACHINE_DOWN();
}
END_TEST

/* A counter of the driver's own, set up with ATOMIC_INT_INIT. */
START_TEST(driver_counter)
{
	static atomic_int_t refs;

	MACHINE_UP("mem=64M");
	ATOMIC_INT_INIT(&refs, 1);
	ATOMIC_INT_INCR(&refs);
	ck_assert_int_eq(ATOMIC_INT_DECR(&refs), B_FALSE);
	ck_assert_int_eq(ATOMIC_INT_DECR(&refs), B_TRUE);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	MACHINE_DOWN();
}
END_TEST

/* Every operation against an int: the same value and DECR answer. */
START_TEST(counter_model)
{
	atomic_int_t *c;
	long i, n = prop_floor(prop_iters(200000), 1000);
	unsigned model = 0;
	int seen[6] = { 0 };

	MACHINE_UP("mem=64M");
	prop_seed(0xa70a1c);
	c = ATOMIC_INT_ALLOC(KM_SLEEP);
	for (i = 0; i < n; i++) {
		int v = (int)(rnd() >> 33) - (1 << 30);
		size_t op = rndn(6);

		seen[op]++;
		switch (op) {
		case 0:
			ATOMIC_INT_WRITE(c, v % 4);	/* near 0: DECR hits it */
			model = (unsigned)(v % 4);
			break;
		case 1:
			ATOMIC_INT_ADD(c, v);
			model += (unsigned)v;
			break;
		case 2:
			ATOMIC_INT_SUB(c, v);
			model -= (unsigned)v;
			break;
		case 3:
			ATOMIC_INT_INCR(c);
			model++;
			break;
		case 4:
			model--;
			ck_assert_int_eq(ATOMIC_INT_DECR(c),
			    model == 0 ? B_TRUE : B_FALSE);
			break;
		case 5:
			ATOMIC_INT_INIT(c, v);
			model = (unsigned)v;
			break;
		}
		ck_assert_int_eq(ATOMIC_INT_READ(c), (int)model);
	}
	for (i = 0; i < 6; i++)
		ck_assert_int_gt(seen[i], 0);
	ATOMIC_INT_DEALLOC(c);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	MACHINE_DOWN();
}
END_TEST

struct share {
	atomic_int_t	*c;
	long		iters;
	int		zeros;		/* DECRs that answered B_TRUE */
};

static void *
hammer(void *arg)
{
	struct share *s = arg;

	for (long i = 0; i < s->iters; i++) {
		ATOMIC_INT_INCR(s->c);
		ATOMIC_INT_ADD(s->c, 3);
		ATOMIC_INT_SUB(s->c, 2);
		if (ATOMIC_INT_DECR(s->c) == B_TRUE)
			__atomic_add_fetch(&s->zeros, 1, __ATOMIC_RELAXED);
		ATOMIC_INT_INCR(s->c);
	}
	return NULL;
}

/* Four threads lose no update; the last decrement to 0 is seen once. */
START_TEST(counter_shared_by_threads)
{
	struct share s = { NULL, prop_iters(20000) / 4, 0 };
	pthread_t t[4];
	int i;

	MACHINE_UP("mem=64M");
	s.c = ATOMIC_INT_ALLOC(KM_SLEEP);
	for (i = 0; i < 4; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, hammer, &s), 0);
	for (i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	ck_assert_int_eq(ATOMIC_INT_READ(s.c), (int)(4 * 2 * s.iters));
	/* each thread's count only grows past a DECR: never back to 0 */
	ck_assert_int_eq(s.zeros, 0);
	ATOMIC_INT_WRITE(s.c, 4);
	for (i = 0; i < 4; i++)
		ck_assert_int_eq(ATOMIC_INT_DECR(s.c), i == 3 ? B_TRUE :
		    B_FALSE);
	ATOMIC_INT_DEALLOC(s.c);
	MACHINE_DOWN();
}
END_TEST

/* A counter never deallocated is a leak at shutdown. */
START_TEST(leaked_counter_listed)
{
	atomic_int_t *c;
	char *text, want[64];

	MACHINE_UP("mem=64M,verify=count");
	c = ATOMIC_INT_ALLOC(KM_SLEEP);
	ck_assert_uint_eq(leak_report_text(&text), 1);
	snprintf(want, sizeof(want), " at %p", (void *)c);
	ck_assert_contains(text, want);
	free(text);
	ATOMIC_INT_DEALLOC(c);
	ck_assert_uint_eq(ddisim_leak_report(NULL), 0);
	MACHINE_DOWN();
}
END_TEST

START_TEST(hold0locks)
{
	static LKINFO_DECL(info, "ta:lock", 0);
	lock_t *lk;
	pl_t pl;

	MACHINE_UP("mem=64M");
	lk = LOCK_ALLOC(1, PLDISK, &info, KM_SLEEP);
	ck_assert_int_eq(KS_HOLD0LOCKS(), B_TRUE);
	pl = LOCK(lk, PLDISK);
	ck_assert_int_eq(KS_HOLD0LOCKS(), B_FALSE);
	UNLOCK(lk, pl);
	ck_assert_int_eq(KS_HOLD0LOCKS(), B_TRUE);
	LOCK_DEALLOC(lk);
	MACHINE_DOWN();
}
END_TEST

/*
 * Misuse, each case twice: counted under verify=count, with the report's
 * text and the call left without effect, and aborting under the default
 * policy.
 */
#define NATOMIC_MISUSE	10

static void
atomic_misuse(int which)
{
	static atomic_int_t mine;	/* never initialised */
	atomic_int_t own, *c = NULL, *gone;
	char text[160];

	own.__ai_value = 0;
	own.__ai_state = 0;
	gone = ATOMIC_INT_ALLOC(KM_SLEEP);
	ATOMIC_INT_DEALLOC(gone);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	switch (which) {
	case 0:
		ck_assert_ptr_null(ATOMIC_INT_ALLOC(0x7));
		snprintf(text, sizeof(text), "ATOMIC_INT_ALLOC: ");
		break;
	case 1:
		ck_assert_int_eq(ATOMIC_INT_READ(NULL), 0);
		snprintf(text, sizeof(text), "ATOMIC_INT_READ: NULL counter");
		break;
	case 2:
		ck_assert_int_eq(ATOMIC_INT_READ(&mine), 0);
		snprintf(text, sizeof(text), "ATOMIC_INT_READ: counter %p was "
		    "never allocated or initialised", (void *)&mine);
		break;
	case 3:
		ATOMIC_INT_INCR(&own);
		ck_assert_int_eq(own.__ai_value, 0);
		snprintf(text, sizeof(text), "ATOMIC_INT_INCR: counter %p was "
		    "never allocated or initialised", (void *)&own);
		break;
	case 4:
		ATOMIC_INT_INIT(&own, 3);
		ATOMIC_INT_DEALLOC(&own);
		ck_assert_int_eq(ATOMIC_INT_READ(&own), 3);
		snprintf(text, sizeof(text), "ATOMIC_INT_DEALLOC: counter %p "
		    "was not allocated by ATOMIC_INT_ALLOC", (void *)&own);
		break;
	case 5:
		ATOMIC_INT_DEALLOC(gone);
		snprintf(text, sizeof(text), "ATOMIC_INT_DEALLOC: counter %p "
		    "was deallocated", (void *)gone);
		break;
	case 6:
		ATOMIC_INT_ADD(gone, 1);
		snprintf(text, sizeof(text), "ATOMIC_INT_ADD: counter %p was "
		    "deallocated", (void *)gone);
		break;
	case 7:
		ck_assert_int_eq(ATOMIC_INT_DECR(gone), B_FALSE);
		snprintf(text, sizeof(text), "ATOMIC_INT_DECR: counter %p was "
		    "deallocated", (void *)gone);
		break;
	case 8:
		ATOMIC_INT_INIT(c, 1);
		snprintf(text, sizeof(text), "ATOMIC_INT_INIT: NULL counter");
		break;
	case 9:
		ATOMIC_INT_WRITE(gone, 1);
		snprintf(text, sizeof(text), "ATOMIC_INT_WRITE: counter %p "
		    "was deallocated", (void *)gone);
		break;
	}
	ck_assert_uint_eq(ddisim_verify_count(), 1);
	ck_assert_msg(strstr(ddisim_verify_last(), text) != NULL,
	    "report \"%s\" lacks \"%s\"", ddisim_verify_last(), text);
	ck_assert_ptr_nonnull(strstr(ddisim_verify_last(), "test_atomic"));
	/* a good counter still works */
	c = ATOMIC_INT_ALLOC(KM_SLEEP);
	ATOMIC_INT_INCR(c);
	ck_assert_int_eq(ATOMIC_INT_DECR(c), B_TRUE);
	ATOMIC_INT_DEALLOC(c);
	ck_assert_uint_eq(ddisim_verify_count(), 1);
}

START_TEST(atomic_misuse_counted)
{
	MACHINE_UP("mem=64M,verify=count");
	atomic_misuse(_i);
	MACHINE_DOWN();
}
END_TEST

START_TEST(atomic_misuse_aborts)
{
	MACHINE_UP("mem=64M");
	atomic_misuse(_i);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("atomic");
	TCase *tc = tcase_new("core");

	tcase_add_test(tc, allocated_counter);
	tcase_add_test(tc, driver_counter);
	tcase_add_test(tc, counter_model);
	tcase_add_test(tc, counter_shared_by_threads);
	tcase_add_test(tc, hold0locks);
	suite_add_tcase(s, tc);
	tc = tcase_new("limits");
	tcase_add_test(tc, leaked_counter_listed);
	suite_add_tcase(s, tc);
	tc = tcase_new("misuse");
	TCASE_ADD_MISUSE(tc, atomic_misuse_counted, atomic_misuse_aborts,
	    NATOMIC_MISUSE);
	suite_add_tcase(s, tc);
	return run_suite(s) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
