/*
 * testutil.c - what the Check programs share; see testutil.h.
 */
#include "testutil.h"


/* ---- machines and suites ---- */

bool
nofork(void)
{
	const char *s = getenv("CK_FORK");

	return s != NULL && strcmp(s, "no") == 0;
}

void
machine_teardown(void)
{
	if (ddisim_initialized())
		ddisim_shutdown();
	ddisim_verify_reset();
	ddisim_verify_set_policy(DDISIM_VERIFY_ABORT);
}

TCase *
tcase_new(const char *name)
{
	TCase *tc = tcase_create(name);

	tcase_add_checked_fixture(tc, NULL, machine_teardown);
	tcase_set_timeout(tc, 600);
	return tc;
}

int
run_suite(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int nf;

	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf;
}

/* ---- property tests ---- */

long
prop_iters(long dflt)
{
	const char *s = getenv("DDISIM_PROP_ITERS");
	long v;

	if (s == NULL || (v = strtol(s, NULL, 10)) <= 0)
		return dflt;
	return v;
}

static uint64_t prop_state = 1;

void
prop_seed(uint64_t seed)
{
	prop_state = seed != 0 ? seed : 1;
}

uint64_t
rnd(void)
{
	prop_state ^= prop_state >> 12;
	prop_state ^= prop_state << 25;
	prop_state ^= prop_state >> 27;
	return prop_state * UINT64_C(2685821657736338717);
}

size_t
rndn(size_t n)
{
	return n == 0 ? 0 : (size_t)(rnd() % n);
}
