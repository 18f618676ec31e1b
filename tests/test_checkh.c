/*
 * test_checkh.c - <ddicompat/check.h> used as a driver's suite uses it.
 *
 * The "user suite" below is what a porter writes: machines named with
 * DDISIM_CK_MACHINE, a machine built once and copied into each test by
 * Check's fork, a machine built for each test, assertions on the
 * verifier's reports, and three tests that fail on purpose (a leak on
 * each kind of machine, and a misuse under the default policy).  Since
 * those must fail, the user suite runs in a child process, with and
 * without fork, and the tests of this program's own suite read what it
 * printed: the leak report, printed before the failure and naming the
 * allocating function and its caller (and the caller's source line when
 * the library can tell it), the misuse report with the function and the
 * caller, the report of a KM_SLEEP request that can never be met where a
 * bare test case gets "Test timeout expired", and the tests that must
 * pass.
 *
 * Linked with -rdynamic so that callers are named by function; their file
 * and line are asserted only when the reports carry them.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sys/types.h>
#include <sys/kmem.h>
#include <sys/cmn_err.h>
#include <sys/strlog.h>
#include <sys/ddi.h>

#include <ddicompat/check.h>

/* ---- the user suite ---- */

DDISIM_CK_MACHINE(aged, "mem=512M,frag=0.6,seed=7,sleeplimit=1500");
DDISIM_CK_MACHINE(plain, "mem=256M,sleeplimit=1500");

/*
 * Where the deliberate mistakes are made, for the reports to name: each
 * enum gives the line of the call below it.  The barriers keep the calls
 * from being tail calls, which would name the test instead.
 */
void *checkh_leaker(size_t len) __attribute__((noinline));
void checkh_misuser(void *p, size_t len) __attribute__((noinline));

enum { CHECKH_LEAK_LINE = __LINE__ + 5 };
void *
checkh_leaker(size_t len)
{
	void *p;
	p = kmem_alloc(len, KM_SLEEP);
	__asm__ volatile("" ::: "memory");
	return p;
}

enum { CHECKH_MISUSE_LINE = __LINE__ + 4 };
void
checkh_misuser(void *p, size_t len)
{
	kmem_free(p, len);
	__asm__ volatile("" ::: "memory");
}

/* Set by a test on the shared machine; the next test must not see it. */
static void *kept;

START_TEST(shared_alloc_free)
{
	void *p = kmem_alloc(8192, KM_SLEEP);

	ck_assert_ptr_nonnull(p);
	kmem_free(p, 8192);
	ck_assert_ddisim_no_report();
	/* the copy's memory, changed here, stays this test's */
	kept = kmem_zalloc(64, KM_SLEEP);
	ck_assert_ptr_nonnull(kept);
	kmem_free(kept, 64);
}
END_TEST

START_TEST(shared_misuse_counted)
{
	void *p = kmem_alloc(4096, KM_SLEEP);

	ddisim_verify_set_policy(DDISIM_VERIFY_COUNT);
	checkh_misuser(p, 4096);
	checkh_misuser(p, 4096);		/* freed twice */
	ck_assert_ddisim_reports(1);
	ck_assert_ddisim_last_report("kmem_free");
	ck_assert_ddisim_last_report_re("kmem_free: .*\\(called from "
	    "checkh_misuser");
}
END_TEST

/* A KM_SLEEP request no machine of 512 MiB can ever meet. */
START_TEST(shared_sleep_never_met)
{
	void *p;

	ddisim_verify_set_policy(DDISIM_VERIFY_COUNT);
	p = kmem_alloc((size_t)1 << 30, KM_SLEEP);
	ck_assert_ptr_null(p);
	ck_assert_ddisim_reports(1);
	ck_assert_ddisim_last_report("still unmet after 1500 ms");
}
END_TEST

/* What the drivers print is the test's console. */
START_TEST(shared_console)
{
	cmn_err(CE_NOTE, "checkh: hello %d", 42);
	(void)strlog(77, 3, 0, SL_CONSOLE | SL_NOTE, "checkh: logged %d", 7);
	(void)strlog(77, 3, 0, SL_TRACE, "checkh: traced %d", 8);
	ck_assert_ddisim_console("checkh: hello 42");
	ck_assert_ddisim_console("checkh: logged 7");
	ck_assert_ddisim_console("checkh: traced 8");
}
END_TEST

/*
 * Fails on purpose: the teardown prints the leak report, then fails; what
 * the driver said comes first in the output.
 */
START_TEST(shared_leak)
{
	cmn_err(CE_NOTE, "checkh: about to leak");
	ck_assert_ptr_nonnull(checkh_leaker(100));
}
END_TEST

/* Fails on purpose: the misuse report, then SIGABRT (default policy). */
START_TEST(shared_misuse_aborts)
{
	void *p = kmem_alloc(200, KM_SLEEP);

	checkh_misuser(p, 200);
	checkh_misuser(p, 200);			/* freed twice */
}
END_TEST

/*
 * With fork, what shared_alloc_free set is gone: it was set in that
 * test's process.  Without fork the tests share the process, its
 * variables and the machine, and this test fails.
 */
START_TEST(shared_isolated)
{
	ck_assert_ptr_null(kept);
}
END_TEST

/* Fails on purpose, on a machine of its own. */
START_TEST(fresh_leak)
{
	ck_assert_ptr_nonnull(checkh_leaker(700));
}
END_TEST

START_TEST(fresh_clean)
{
	/* a machine nobody used: the leak before it went with its machine */
	ck_assert_uint_eq(ddisim_outstanding(), 0);
	ck_assert_ddisim_no_report();
}
END_TEST

/* The same never-met request in a test case without the fixture. */
START_TEST(bare_sleep_never_met)
{
	ck_assert_int_eq(ddisim_init("mem=256M,sleeplimit=3000"), 0);
	ddisim_verify_set_policy(DDISIM_VERIFY_COUNT);
	(void)kmem_alloc((size_t)1 << 30, KM_SLEEP);
}
END_TEST

/* The user suite, run with fork or without. */
static int
user_suite(int fork_mode)
{
	Suite *s = suite_create("user");
	TCase *tc = tcase_create("shared");
	SRunner *sr;
	int nf;

	ddisim_ck_shared(tc, aged);
	tcase_add_test(tc, shared_alloc_free);
	tcase_add_test(tc, shared_misuse_counted);
	tcase_add_test(tc, shared_sleep_never_met);
	tcase_add_test(tc, shared_leak);
	tcase_add_test(tc, shared_isolated);
	tcase_add_test(tc, shared_console);
	if (fork_mode)
		tcase_add_test(tc, shared_misuse_aborts);
	suite_add_tcase(s, tc);
	tc = tcase_create("fresh");
	ddisim_ck_fresh(tc, plain);
	tcase_add_test(tc, fresh_leak);
	tcase_add_test(tc, fresh_clean);
	suite_add_tcase(s, tc);
	if (fork_mode) {
		tc = tcase_create("bare");
		tcase_add_test(tc, bare_sleep_never_met);
		suite_add_tcase(s, tc);
	}
	sr = srunner_create(s);
	srunner_set_fork_status(sr, fork_mode ? CK_FORK : CK_NOFORK);
	srunner_run_all(sr, CK_VERBOSE);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf;
}

/* ---- this program's suite: what the user suite printed ---- */

struct run {
	int	status;
	char	out[65536];
};

/* Run the user suite in a child; its stdout and stderr in r->out. */
static void
run_user_suite(struct run *r, int fork_mode)
{
	int fd[2];
	size_t len = 0;
	ssize_t n;
	pid_t pid;

	ck_assert_int_eq(pipe(fd), 0);
	fflush(NULL);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(fd[0]);
		dup2(fd[1], STDOUT_FILENO);
		dup2(fd[1], STDERR_FILENO);
		close(fd[1]);
		/* Check's own default: 4 s would do; 1 s is quicker */
		setenv("CK_DEFAULT_TIMEOUT", "1", 1);
		unsetenv("CK_TIMEOUT_MULTIPLIER");
		_exit(user_suite(fork_mode));
	}
	close(fd[1]);
	while ((n = read(fd[0], r->out + len, sizeof(r->out) - 1 - len)) > 0)
		len += (size_t)n;
	r->out[len] = '\0';
	close(fd[0]);
	ck_assert_int_eq(waitpid(pid, &r->status, 0), pid);
	/* the whole output goes to the log, for whoever reads it */
	printf("---- the user suite (%s) ----\n%s---- end ----\n",
	    fork_mode ? "fork" : "no fork", r->out);
	fflush(stdout);
}

/* The line of out that holds both a and b, or NULL. */
static const char *
line_with(const char *out, const char *a, const char *b)
{
	static char line[4096];
	const char *p = out;

	while (*p != '\0') {
		size_t n = strcspn(p, "\n");

		if (n < sizeof(line)) {
			memcpy(line, p, n);
			line[n] = '\0';
			if (strstr(line, a) != NULL && (b == NULL ||
			    strstr(line, b) != NULL))
				return line;
		}
		p += n + (p[n] == '\n');
	}
	return NULL;
}

#define ck_assert_line(out, a, b)					\
	ck_assert_msg(line_with((out), (a), (b)) != NULL,		\
	    "no line holds \"%s\" and \"%s\"", (a), (b) ? (b) : "")

/*
 * A report naming a caller in this file names its function, and when it
 * names the file too (a library that reads debug information), the line
 * of the call.
 */
static void
check_caller(const char *out, const char *what, const char *fn, int line)
{
	const char *l = line_with(out, what, fn);
	char where[64];

	ck_assert_msg(l != NULL, "no line holds \"%s\" and \"%s\"", what, fn);
	if (strstr(l, "test_checkh.c:") != NULL) {
		snprintf(where, sizeof(where), "test_checkh.c:%d", line);
		ck_assert_msg(strstr(l, where) != NULL, "\"%s\" lacks %s", l,
		    where);
	}
}

/* Check's result line of a test: "...:F:tcase:test:..." or ":P:". */
static const char *
result(const char *out, const char *tcase, const char *test)
{
	char key[128];

	snprintf(key, sizeof(key), ":%s:%s:", tcase, test);
	return line_with(out, key, NULL);
}

#define ck_assert_result(out, tc, t, want) do {				\
	const char *l_ = result((out), (tc), (t));			\
	ck_assert_msg(l_ != NULL, "no result for %s:%s", (tc), (t));	\
	ck_assert_msg(strstr(l_, (want)) != NULL, "%s:%s: \"%s\" lacks "\
	    "\"%s\"", (tc), (t), l_, (want));				\
} while (0)

START_TEST(with_fork)
{
	static struct run r;
	const char *rep, *fail;

	run_user_suite(&r, 1);
	/* the three deliberate failures and the bare test case's timeout */
	ck_assert_msg(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 4,
	    "status %#x", r.status);
	ck_assert_result(r.out, "shared", "shared_alloc_free", ":P:");
	ck_assert_result(r.out, "shared", "shared_misuse_counted", ":P:");
	ck_assert_result(r.out, "shared", "shared_sleep_never_met", ":P:");
	ck_assert_result(r.out, "fresh", "fresh_clean", ":P:");
	ck_assert_result(r.out, "shared", "shared_isolated", ":P:");
	ck_assert_result(r.out, "shared", "shared_console", ":P:");
	/* a test's console in its output, before its failure */
	rep = strstr(r.out, "console: NOTICE: checkh: about to leak");
	fail = strstr(r.out, ":shared:shared_leak:");
	ck_assert_ptr_nonnull(rep);
	ck_assert_ptr_nonnull(fail);
	ck_assert_msg(rep < fail, "the console follows the failure");

	/* The leak: the report, with the caller, before the failure. */
	check_caller(r.out, "leak: small object of 100 bytes", "checkh_leaker",
	    CHECKH_LEAK_LINE);
	rep = strstr(r.out, "leak: small object of 100 bytes");
	fail = strstr(r.out, ":shared:shared_leak:");
	ck_assert_ptr_nonnull(rep);
	ck_assert_ptr_nonnull(fail);
	ck_assert_msg(rep < fail, "the leak report follows the failure");
	ck_assert_result(r.out, "shared", "shared_leak",
	    "left behind at the end of the test: 1 things");
	check_caller(r.out, "leak: small object of 700 bytes", "checkh_leaker",
	    CHECKH_LEAK_LINE);
	ck_assert_result(r.out, "fresh", "fresh_leak",
	    "left behind at the end of the test: 1 things, 700 bytes");

	/* The misuse under the default policy: its report, then SIGABRT. */
	check_caller(r.out, "ddicompat: kmem_free:", "checkh_misuser",
	    CHECKH_MISUSE_LINE);
	ck_assert_result(r.out, "shared", "shared_misuse_aborts",
	    "signal 6");

	/* The never-met request: a report, not a timeout, with the fixture;
	   Check's timeout without it. */
	ck_assert_result(r.out, "bare", "bare_sleep_never_met",
	    "Test timeout expired");
	ck_assert_ptr_null(line_with(r.out, ":shared:", "timeout"));
}
END_TEST

START_TEST(without_fork)
{
	static struct run r;

	run_user_suite(&r, 0);
	ck_assert_msg(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 3,
	    "status %#x", r.status);
	/* what one test set, the next sees */
	ck_assert_result(r.out, "shared", "shared_isolated", ":F:");
	/* One machine for the test case: each test judged on what it did,
	   so the leak fails its test and no other. */
	ck_assert_result(r.out, "shared", "shared_alloc_free", ":P:");
	ck_assert_result(r.out, "shared", "shared_misuse_counted", ":P:");
	ck_assert_result(r.out, "shared", "shared_sleep_never_met", ":P:");
	ck_assert_result(r.out, "shared", "shared_console", ":P:");
	ck_assert_result(r.out, "shared", "shared_leak",
	    "left behind at the end of the test");
	check_caller(r.out, "leak: small object of 100 bytes", "checkh_leaker",
	    CHECKH_LEAK_LINE);
	/* the leaked machine went at the failure: the next is fresh */
	ck_assert_result(r.out, "fresh", "fresh_leak",
	    "left behind at the end of the test: 1 things, 700 bytes");
	ck_assert_result(r.out, "fresh", "fresh_clean", ":P:");
}
END_TEST

START_TEST(spec_values)
{
	char v[32];

	ck_assert_uint_eq(ddisim_ck_sleeplimit("mem=1G"), 10000);
	ck_assert_uint_eq(ddisim_ck_sleeplimit("mem=1G, sleeplimit = 250 "),
	    250);
	ck_assert_uint_eq(ddisim_ck_sleeplimit("xsleeplimit=5"), 10000);
	ck_assert_int_eq(ddisim_ck_spec_policy("verify=count,mem=1G"),
	    DDISIM_VERIFY_COUNT);
	ck_assert_int_eq(ddisim_ck_spec_policy("mem=1G"),
	    DDISIM_VERIFY_ABORT);
	ck_assert_str_eq(ddisim_ck_spec_value("a=1,b=2,a=3", "a", v,
	    sizeof(v)), "3");
	ck_assert_ptr_null(ddisim_ck_spec_value("ab=1", "a", v, sizeof(v)));
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("checkh");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int nf;

	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, spec_values);
	tcase_add_test(tc, with_fork);
	tcase_add_test(tc, without_fork);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
