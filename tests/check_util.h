/*
 * check_util.h - shared helpers for the Check programs.
 */
#ifndef DDICOMPAT_CHECK_UTIL_H
#define DDICOMPAT_CHECK_UTIL_H

#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <ddicompat/ddisim.h>

#include "config.h"
#ifdef HAVE_VALGRIND_VALGRIND_H
#include <valgrind/valgrind.h>
#define under_valgrind()	(RUNNING_ON_VALGRIND != 0)
#else
#define under_valgrind()	0
#endif

/* Iterations of property tests: $DDISIM_PROP_ITERS, or dflt. */
static inline long
prop_iters(long dflt)
{
	const char *s = getenv("DDISIM_PROP_ITERS");
	long v;

	if (s == NULL || (v = strtol(s, NULL, 10)) <= 0)
		return dflt;
	return v;
}

/*
 * xorshift64*: the property tests' random numbers, from a fixed seed
 * (prop_seed), so that a failure is the same run after run.
 */
static inline uint64_t *
prop_statep(void)
{
	static uint64_t state = 1;

	return &state;
}

static inline void
prop_seed(uint64_t seed)
{
	*prop_statep() = seed != 0 ? seed : 1;
}

static inline uint64_t
rnd(void)
{
	uint64_t *s = prop_statep();

	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * UINT64_C(2685821657736338717);
}

static inline size_t
rndn(size_t n)
{
	return n == 0 ? 0 : (size_t)(rnd() % n);
}

/* True when the suite runs without fork (Valgrind, TSan): no abort tests. */
static inline int
nofork(void)
{
	const char *s = getenv("CK_FORK");

	return s != NULL && strcmp(s, "no") == 0;
}

/* Build a machine for a test; fail the test if the spec is rejected. */
#define MACHINE_UP(spec) do {						\
	const char *s_ = (spec);					\
	int e_ = ddisim_init(s_);					\
	ck_assert_msg(e_ == 0, "ddisim_init(%s): %s", s_ ? s_ :		\
	    "default", ddisim_init_error());				\
} while (0)

/* Tear down, asserting nothing leaked. */
#define MACHINE_DOWN() do {						\
	ck_assert_uint_eq(ddisim_outstanding(), 0);			\
	ck_assert_uint_eq(ddisim_leak_report(NULL), 0);			\
	ddisim_shutdown();						\
} while (0)

/*
 * Teardown for every test case: without fork (Valgrind), a failed test
 * leaves its machine up; the next test must still get a fresh one.  The
 * verifier's count, last report and policy belong to the process and
 * survive a machine, so they are reset here too.
 */
static inline void
machine_teardown(void)
{
	if (ddisim_initialized())
		ddisim_shutdown();
	ddisim_verify_reset();
	ddisim_verify_set_policy(DDISIM_VERIFY_ABORT);
}

/* A test case whose tests always end with no machine left running. */
static inline TCase *
tcase_new(const char *name)
{
	TCase *tc = tcase_create(name);

	tcase_add_checked_fixture(tc, NULL, machine_teardown);
	tcase_set_timeout(tc, 600);
	return tc;
}

/* Run a suite; returns the number of failures. */
static inline int
run_suite(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int nf;

	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf;
}

#endif /* DDICOMPAT_CHECK_UTIL_H */
