/*
 * ddicompat/check.h - Check (libcheck) fixtures and assertions for suites
 * that test drivers on the simulated machine; see ddisim_check(3).
 *
 * Header-only, on top of <check.h>: the library itself does not depend on
 * Check.  A file names each machine its test cases use once, at file
 * scope, and gives it to test cases:
 *
 *	DDISIM_CK_MACHINE(aged, "frag=0.6,seed=7")
 *	...
 *	ddisim_ck_shared(tc, aged);	built once; each test runs on a copy
 *	ddisim_ck_fresh(tc2, aged);	built anew for each test
 *
 * and asserts on the verifier's reports with ck_assert_ddisim_reports,
 * ck_assert_ddisim_no_report, ck_assert_ddisim_last_report and
 * ck_assert_ddisim_last_report_re.
 */
#ifndef DDICOMPAT_CHECK_H
#define DDICOMPAT_CHECK_H

#include <check.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ddicompat/ddisim.h>

#if defined(__cplusplus) || (defined(__STDC_VERSION__) && \
    __STDC_VERSION__ >= 199901L)
#define DDISIM_CK_INLINE	static inline
#else
#define DDISIM_CK_INLINE	static __inline__
#endif
/* The fixtures a file defines but does not use draw no warning. */
#if defined(__GNUC__)
#define DDISIM_CK_FIXTURE	DDISIM_CK_INLINE __attribute__((__unused__))
#else
#define DDISIM_CK_FIXTURE	DDISIM_CK_INLINE
#endif

/* Seconds Check's limit gives a test beyond the sleeplimit. */
#define DDISIM_CK_TIMEOUT_MARGIN	10

/*
 * The spec a fixture builds from: spec, or $DDISIM_MACHINE when spec is
 * NULL (the default machine when that is unset too).
 */
DDISIM_CK_INLINE const char *
ddisim_ck_spec(const char *spec)
{
	return spec != NULL ? spec : getenv("DDISIM_MACHINE");
}

/*
 * The value of key in spec (the last one given), copied to buf; NULL
 * when spec does not name key.
 */
DDISIM_CK_INLINE const char *
ddisim_ck_spec_value(const char *spec, const char *key, char *buf,
    size_t len)
{
	const char *s = ddisim_ck_spec(spec), *p, *found = NULL;
	size_t klen = strlen(key), n;

	for (p = s; p != NULL && *p != '\0'; p += strcspn(p, ",")) {
		if (*p == ',')
			p++;
		p += strspn(p, " \t");
		if (strncmp(p, key, klen) != 0)
			continue;
		n = klen + strspn(p + klen, " \t");
		if (p[n] == '=')
			found = p + n + 1;
	}
	if (found == NULL)
		return NULL;
	found += strspn(found, " \t");
	n = strcspn(found, ", \t");
	if (n >= len)
		n = len - 1;
	memcpy(buf, found, n);
	buf[n] = '\0';
	return buf;
}

/* The sleeplimit, in milliseconds, of a machine built from spec. */
DDISIM_CK_INLINE unsigned long
ddisim_ck_sleeplimit(const char *spec)
{
	char v[32];

	if (ddisim_ck_spec_value(spec, "sleeplimit", v, sizeof(v)) == NULL)
		return 10000;			/* the library's default */
	return strtoul(v, NULL, 10);
}

/* The verifier policy a spec names; abort when it names none. */
DDISIM_CK_INLINE enum ddisim_verify_policy
ddisim_ck_spec_policy(const char *spec)
{
	char v[16];

	if (ddisim_ck_spec_value(spec, "verify", v, sizeof(v)) == NULL)
		return DDISIM_VERIFY_ABORT;
	if (strcmp(v, "warn") == 0)
		return DDISIM_VERIFY_WARN;
	if (strcmp(v, "count") == 0)
		return DDISIM_VERIFY_COUNT;
	return DDISIM_VERIFY_ABORT;
}

/*
 * Make Check's time limit on each test of tc exceed the sleeplimit of
 * machines built from spec, so that a wait that can never end (a
 * KM_SLEEP request nothing can meet) ends in the library's report rather
 * than in "Test timeout expired".  The limit is only ever raised: from
 * Check's default (4 s, or $CK_DEFAULT_TIMEOUT) to the sleeplimit plus
 * DDISIM_CK_TIMEOUT_MARGIN seconds.
 */
DDISIM_CK_INLINE void
ddisim_ck_timeout(TCase *tc, const char *spec)
{
	double want = (double)ddisim_ck_sleeplimit(spec) / 1000 +
	    DDISIM_CK_TIMEOUT_MARGIN, have = 4;
	const char *env = getenv("CK_DEFAULT_TIMEOUT");

	if (env != NULL && *env != '\0')
		have = strtod(env, NULL);
	if (want > have)
		tcase_set_timeout(tc, want);
}

/* Build the machine; a spec the library rejects fails with its reason. */
DDISIM_CK_INLINE void
ddisim_ck_build(const char *spec)
{
	const char *s = ddisim_ck_spec(spec);

	/* without fork, a failed test may have left its machine behind */
	if (ddisim_initialized())
		ddisim_shutdown();
	if (ddisim_init(s) != 0)
		ck_abort_msg("ddisim_init(\"%s\"): %s", s != NULL ? s : "",
		    ddisim_init_error());
}

/* Tear the machine down, if there is one. */
DDISIM_CK_INLINE void
ddisim_ck_unbuild(void)
{
	if (ddisim_initialized())
		ddisim_shutdown();
}

/*
 * The leak report as text in *text (free it; NULL if the host had no
 * memory or temporary file for it), and the number of things it lists
 * (ddisim_leak_report's count).
 */
DDISIM_CK_INLINE size_t
ddisim_ck_leak_text(char **text)
{
	FILE *f = tmpfile();
	size_t n;
	long len;

	*text = NULL;
	if (f == NULL)
		return ddisim_leak_report(stderr);
	n = ddisim_leak_report(f);
	if ((len = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (*text = (char *)malloc((size_t)len + 1)) != NULL)
		(*text)[fread(*text, 1, (size_t)len, f)] = '\0';
	fclose(f);
	return n;
}

/*
 * What one test starts from, recorded by the per-test setup: the bytes and
 * the things outstanding.  With fork each test has a copy of its own;
 * without it, each test records its own start.
 */
struct ddisim_ck_start {
	size_t		bytes;
	size_t		things;
};
static struct ddisim_ck_start ddisim_ck_start_;

/*
 * The test's console: what the drivers printed (cmn_err, strlog with
 * SL_CONSOLE) since the test began, kept for ck_assert_ddisim_console and
 * written through to the standard error, marked, so that a failed test's
 * output shows what its drivers said before it failed.  The last
 * DDISIM_CK_CONSOLE_MAX - 1 bytes are kept.
 */
#define DDISIM_CK_CONSOLE_MAX	16384
static char ddisim_ck_console_[DDISIM_CK_CONSOLE_MAX];
static size_t ddisim_ck_console_len_;

DDISIM_CK_INLINE void
ddisim_ck_console_sink_keep(const char *text)
{
	size_t n = strlen(text), keep;

	if (n >= DDISIM_CK_CONSOLE_MAX - 1) {
		text += n - (DDISIM_CK_CONSOLE_MAX - 1);
		n = DDISIM_CK_CONSOLE_MAX - 1;
	}
	if (ddisim_ck_console_len_ + n > DDISIM_CK_CONSOLE_MAX - 1) {
		keep = DDISIM_CK_CONSOLE_MAX - 1 - n;
		memmove(ddisim_ck_console_, ddisim_ck_console_ +
		    ddisim_ck_console_len_ - keep, keep);
		ddisim_ck_console_len_ = keep;
	}
	memcpy(ddisim_ck_console_ + ddisim_ck_console_len_, text, n);
	ddisim_ck_console_len_ += n;
	ddisim_ck_console_[ddisim_ck_console_len_] = '\0';
}

DDISIM_CK_INLINE void
ddisim_ck_console_sink(const char *text, void *arg)
{
	size_t n = strlen(text);

	(void)arg;
	fprintf(stderr, "console: %s%s", text,
	    n > 0 && text[n - 1] == '\n' ? "" : "\n");
	ddisim_ck_console_sink_keep(text);
}

/*
 * strlog(9) messages that do not go to the console: written through
 * marked "log:" and kept with the console's.
 */
DDISIM_CK_INLINE void
ddisim_ck_log_sink(const char *text, void *arg)
{
	const char *colon = strchr(text, ':');
	const char *con = strstr(text, " CONSOLE");

	(void)arg;
	/* with SL_CONSOLE among its flags the console sink has it already */
	if (con != NULL && colon != NULL && con < colon)
		return;
	fprintf(stderr, "log: %s", text);
	ddisim_ck_console_sink_keep(text);
}

/* What the test's drivers printed on the console since it began. */
DDISIM_CK_INLINE const char *
ddisim_ck_console(void)
{
	return ddisim_ck_console_;
}

/* Start the test's console afresh and capture it. */
DDISIM_CK_INLINE void
ddisim_ck_console_start(void)
{
	ddisim_ck_console_len_ = 0;
	ddisim_ck_console_[0] = '\0';
	ddisim_console(ddisim_ck_console_sink, NULL);
	ddisim_log(ddisim_ck_log_sink, NULL);
}

/*
 * Per-test setup: record what the test starts from, start the verifier's
 * count and last report afresh, set the policy the spec names, and
 * capture the console.
 */
DDISIM_CK_INLINE void
ddisim_ck_test_setup(const char *spec)
{
	char *text = NULL;

	ddisim_ck_console_start();
	ddisim_ck_start_.bytes = ddisim_outstanding();
	ddisim_ck_start_.things = ddisim_ck_leak_text(&text);
	free(text);
	ddisim_verify_set_policy(ddisim_ck_spec_policy(spec));
	ddisim_verify_reset();
}

/*
 * Per-test teardown: if the test left behind anything it did not start
 * with, the leak report (each line names the allocating function and its
 * caller) goes to the standard error and the test fails with the report
 * as its message.  fresh: the machine is the test's own and is torn down
 * first, whatever happens (ddisim_shutdown prints the report).
 */
DDISIM_CK_INLINE void
ddisim_ck_test_teardown(int fresh)
{
	char *text = NULL;
	size_t bytes = ddisim_outstanding(), things;

	things = ddisim_ck_leak_text(&text);
	if (things <= ddisim_ck_start_.things &&
	    bytes <= ddisim_ck_start_.bytes) {
		free(text);
		if (fresh)
			ddisim_ck_unbuild();
		return;
	}
	if (fresh)
		ddisim_ck_unbuild();	/* prints the report */
	else
		fputs(text != NULL ? text : "", stderr);
	fflush(stderr);
	ck_abort_msg("left behind at the end of the test: %lu things, %lu "
	    "bytes (at its start: %lu, %lu)\n%s", (unsigned long)things,
	    (unsigned long)bytes, (unsigned long)ddisim_ck_start_.things,
	    (unsigned long)ddisim_ck_start_.bytes,
	    text != NULL ? text : "(the leak report is on the standard error)");
}

/*
 * DDISIM_CK_MACHINE(name, spec), at file scope, defines the fixtures of a
 * machine called name, built from spec (an expression evaluated when the
 * machine is built; NULL: $DDISIM_MACHINE or the default machine).
 */
#define DDISIM_CK_MACHINE(name, spec)					\
DDISIM_CK_FIXTURE const char *						\
name##_ddisim_ck_spec(void)						\
{									\
	return (spec);							\
}									\
DDISIM_CK_FIXTURE void							\
name##_ddisim_ck_build(void)						\
{									\
	ddisim_ck_build(name##_ddisim_ck_spec());			\
}									\
DDISIM_CK_FIXTURE void							\
name##_ddisim_ck_test_setup(void)					\
{									\
	ddisim_ck_test_setup(name##_ddisim_ck_spec());			\
}									\
DDISIM_CK_FIXTURE void							\
name##_ddisim_ck_test_teardown(void)					\
{									\
	ddisim_ck_test_teardown(0);					\
}									\
DDISIM_CK_FIXTURE void							\
name##_ddisim_ck_fresh_setup(void)					\
{									\
	ddisim_ck_build(name##_ddisim_ck_spec());			\
	ddisim_ck_test_setup(name##_ddisim_ck_spec());			\
}									\
DDISIM_CK_FIXTURE void							\
name##_ddisim_ck_fresh_teardown(void)					\
{									\
	ddisim_ck_test_teardown(1);					\
}									\
extern int name##_ddisim_ck_unused_

/*
 * The machine called name, built once for test case tc, before its first
 * test, and torn down after its last (an unchecked fixture).  With fork
 * (Check's default), each test runs in a child process that has a copy of
 * the machine of its own: what one test does is gone for the next.  Each
 * test must leave behind nothing it did not start with.
 */
#define ddisim_ck_shared(tc, name) do {					\
	tcase_add_unchecked_fixture((tc), name##_ddisim_ck_build,	\
	    ddisim_ck_unbuild);						\
	tcase_add_checked_fixture((tc), name##_ddisim_ck_test_setup,	\
	    name##_ddisim_ck_test_teardown);				\
	ddisim_ck_timeout((tc), name##_ddisim_ck_spec());		\
} while (0)

/*
 * The machine called name, built anew for every test of tc and torn down
 * after it (a checked fixture), for tests that need a machine nobody
 * used, with or without fork.
 */
#define ddisim_ck_fresh(tc, name) do {					\
	tcase_add_checked_fixture((tc), name##_ddisim_ck_fresh_setup,	\
	    name##_ddisim_ck_fresh_teardown);				\
	ddisim_ck_timeout((tc), name##_ddisim_ck_spec());		\
} while (0)

/* ---- assertions on the verifier's reports ---- */

/*
 * The verifier made n reports since the test began (since the last
 * ddisim_verify_reset without a fixture); the failure message quotes the
 * last one.
 */
#define ck_assert_ddisim_reports(n) do {				\
	unsigned long ddisim_ck_n_ = ddisim_verify_count();		\
	ck_assert_msg(ddisim_ck_n_ == (unsigned long)(n),		\
	    "%lu verifier reports, not %lu; the last: \"%s\"",		\
	    ddisim_ck_n_, (unsigned long)(n), ddisim_verify_last());	\
} while (0)

/* No report since the test began. */
#define ck_assert_ddisim_no_report()	ck_assert_ddisim_reports(0)

/* The last report holds the string text. */
#define ck_assert_ddisim_last_report(text) do {				\
	const char *ddisim_ck_t_ = (text);				\
	ck_assert_msg(strstr(ddisim_verify_last(), ddisim_ck_t_) !=	\
	    NULL, "the last verifier report \"%s\" does not hold "	\
	    "\"%s\"", ddisim_verify_last(), ddisim_ck_t_);		\
} while (0)

/* The test's console holds the string text. */
#define ck_assert_ddisim_console(text) do {				\
	const char *ddisim_ck_c_ = (text);				\
	ck_assert_msg(strstr(ddisim_ck_console(), ddisim_ck_c_) !=	\
	    NULL, "the console does not hold \"%s\"; it holds:\n%s",	\
	    ddisim_ck_c_, ddisim_ck_console());				\
} while (0)

/* Does s match the POSIX extended regular expression re?  -1: bad re. */
DDISIM_CK_INLINE int
ddisim_ck_matches(const char *s, const char *re)
{
	regex_t rx;
	int r;

	if (regcomp(&rx, re, REG_EXTENDED | REG_NOSUB) != 0)
		return -1;
	r = regexec(&rx, s, 0, NULL, 0) == 0;
	regfree(&rx);
	return r;
}

/* The last report matches the POSIX extended regular expression re. */
#define ck_assert_ddisim_last_report_re(re) do {			\
	const char *ddisim_ck_re_ = (re);				\
	int ddisim_ck_m_ = ddisim_ck_matches(ddisim_verify_last(),	\
	    ddisim_ck_re_);						\
	ck_assert_msg(ddisim_ck_m_ >= 0, "bad regular expression "	\
	    "\"%s\"", ddisim_ck_re_);					\
	ck_assert_msg(ddisim_ck_m_ == 1, "the last verifier report "	\
	    "\"%s\" does not match /%s/", ddisim_verify_last(),		\
	    ddisim_ck_re_);						\
} while (0)

#endif /* DDICOMPAT_CHECK_H */
