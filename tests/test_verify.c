/*
 * test_verify.c - the verifier (ddisim_verify(3)): one report path for
 * misuse, whatever layer finds it; three policies (abort, warn, count),
 * from the verify key of each machine or ddisim_verify_set_policy; the
 * report count and the text of the last report.  And the library's own
 * integrity checks, VERIFY and ASSERT, which abort whatever the policy.
 *
 * Built against the library's internals (for VERIFY) and linked with
 * -rdynamic, so that a report can name the function that made it.
 */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <unistd.h>

#include <sys/types.h>
#include <sys/kmem.h>
#include <sys/cmn_err.h>
#include <sys/ddi.h>

#include "lib/testutil.h"
#include "verify/verify.h"

/* An empty statement the compiler keeps: no call before it is a tail call. */
#define KEEP_FRAME()	__asm__ volatile("" ::: "memory")

/*
 * Misuse, one report each, as code under test would make it.  These are
 * not static, so that the report's caller resolves to their names.
 */
void	probe_free_host_memory(void);
void	probe_free_twice(void);
void	probe_bad_cpu(void);
void	probe_bad_flags(void);
void	probe_free_static_physreq(void);
void	probe_panic(void);
void	probe_unknown_policy(void);

__attribute__((noinline)) void
probe_free_host_memory(void)
{
	static char host[64];

	kmem_free(host, sizeof(host));
	KEEP_FRAME();
}

__attribute__((noinline)) void
probe_free_twice(void)
{
	void *p = kmem_alloc(64, KM_SLEEP);

	kmem_free(p, 64);
	kmem_free(p, 64);
	KEEP_FRAME();
}

__attribute__((noinline)) void
probe_bad_cpu(void)
{
	int cpu = ddisim_cpu_get();

	ddisim_cpu_set(1000);
	KEEP_FRAME();
	ck_assert_int_eq(ddisim_cpu_get(), cpu);	/* left unchanged */
}

__attribute__((noinline)) void
probe_bad_flags(void)
{
	ck_assert_ptr_null(kmem_alloc(64, 0x80));
	KEEP_FRAME();
}

__attribute__((noinline)) void
probe_free_static_physreq(void)
{
	static physreq_t p;

	physreq_free(&p);
	KEEP_FRAME();
}

__attribute__((noinline)) void
probe_panic(void)
{
	cmn_err(CE_PANIC, "!the disk is on fire");	/* '!': putbuf only */
	KEEP_FRAME();
}

__attribute__((noinline)) void
probe_unknown_policy(void)
{
	ddisim_verify_set_policy((enum ddisim_verify_policy)42);
	KEEP_FRAME();
}

static const struct probe {
	void		(*fn)(void);
	const char	*name;		/* the caller the report names */
	const char	*func;		/* the function it reports */
	const char	*says;		/* and part of what it says */
} probes[] = {
	{ probe_free_host_memory, "probe_free_host_memory", "kmem_free",
	  "is not allocated memory" },
	{ probe_free_twice, "probe_free_twice", "kmem_free",
	  "is not allocated memory (freed twice" },
	{ probe_bad_cpu, "probe_bad_cpu", "ddisim_cpu_set", "cpu 1000" },
	{ probe_bad_flags, "probe_bad_flags", "kmem_alloc",
	  "unknown flags 0x80" },
	{ probe_free_static_physreq, "probe_free_static_physreq",
	  "physreq_free", "is not allocated memory" },
	{ probe_panic, "probe_panic", "cmn_err",
	  "PANIC: the disk is on fire" },
	{ probe_unknown_policy, "probe_unknown_policy",
	  "ddisim_verify_set_policy", "unknown policy 42" },
};
#define NPROBES		(int)(sizeof(probes) / sizeof(probes[0]))

/*
 * The report is "ddicompat: FUNCTION: MESSAGE (called from CALLER)", and
 * CALLER is the probe's name and an offset.
 */
static void
expect_report(const char *text, const struct probe *p)
{
	char head[128], tail[128];
	size_t n = strlen(text);

	snprintf(head, sizeof(head), "ddicompat: %s: ", p->func);
	snprintf(tail, sizeof(tail), " (called from %s" CALLER_SEP, p->name);
	ck_assert_msg(strncmp(text, head, strlen(head)) == 0 &&
	    strstr(text, p->says) != NULL && strstr(text, tail) != NULL &&
	    n > 0 && text[n - 1] == ')' && strchr(text, '\n') == NULL,
	    "report \"%s\" is not \"%s...%s...%s...)\"", text, head, p->says,
	    tail);
}

/* Make p's report under the current policy; returns what was printed. */
static size_t
make_report(const struct probe *p, char *out, size_t len)
{
	unsigned long n = ddisim_verify_count();
	size_t base = ddisim_outstanding();

	stderr_capture();
	p->fn();
	len = stderr_release(out, len);
	ck_assert_uint_eq(ddisim_verify_count(), n + 1);
	expect_report(ddisim_verify_last(), p);
	/* the misuse was refused: nothing was taken or lost */
	ck_assert_uint_eq(ddisim_outstanding(), base);
	return len;
}

/* ---- core ---- */

START_TEST(count_policy_counts_silently)
{
	char out[1024];

	MACHINE_UP("mem=64M,verify=count");
	for (int i = 0; i < NPROBES; i++) {
		ck_assert_uint_eq(make_report(&probes[i], out, sizeof(out)), 0);
		ck_assert_str_eq(out, "");
	}
	MACHINE_DOWN();
}
END_TEST

START_TEST(warn_policy_prints_each_report)
{
	char out[1024], line[1024];

	MACHINE_UP("mem=64M,verify=warn");
	for (int i = 0; i < NPROBES; i++) {
		make_report(&probes[i], out, sizeof(out));
		snprintf(line, sizeof(line), "%s\n", ddisim_verify_last());
		ck_assert_str_eq(out, line);
	}
	MACHINE_DOWN();
}
END_TEST

/* Under abort: the report, on the standard error, then SIGABRT. */
static int
report_in_child(void *arg)
{
	((const struct probe *)arg)->fn();
	return 0;
}

START_TEST(abort_policy_prints_then_aborts)
{
	const struct probe *p = &probes[_i];
	struct child c;
	char *line, *end;

	MACHINE_UP("mem=64M");
	child_run(&c, report_in_child, (void *)p);
	ck_assert_child_signal(&c, SIGABRT);
	/* the report is a line of its own */
	ck_assert_ptr_nonnull(line = strstr(c.err, "ddicompat: "));
	ck_assert_ptr_nonnull(end = strchr(line, '\n'));
	*end = '\0';
	expect_report(line, p);
	MACHINE_DOWN();
}
END_TEST

/* The same, seen by Check (which can catch the signal when it forks). */
START_TEST(abort_policy_raises_sigabrt)
{
	MACHINE_UP("mem=64M");
	probes[_i].fn();
}
END_TEST

/*
 * A machine built from a spec with a verify key sets that policy; one
 * built without it leaves the policy as it was.
 */
START_TEST(policy_follows_the_verify_key)
{
	char out[1024];
	struct child c;

	ddisim_verify_set_policy(DDISIM_VERIFY_COUNT);
	MACHINE_UP("mem=64M,verify=warn");
	ck_assert_uint_gt(make_report(&probes[0], out, sizeof(out)), 0);
	MACHINE_DOWN();
	MACHINE_UP("mem=64M");			/* still warn */
	ck_assert_uint_gt(make_report(&probes[0], out, sizeof(out)), 0);
	MACHINE_DOWN();
	MACHINE_UP("mem=64M,verify=count");
	ck_assert_uint_eq(make_report(&probes[0], out, sizeof(out)), 0);
	MACHINE_DOWN();
	MACHINE_UP("mem=64M");			/* still count */
	ck_assert_uint_eq(make_report(&probes[0], out, sizeof(out)), 0);
	/* set by hand, until the next machine with the key */
	ddisim_verify_set_policy(DDISIM_VERIFY_WARN);
	ck_assert_uint_gt(make_report(&probes[0], out, sizeof(out)), 0);
	MACHINE_DOWN();
	MACHINE_UP("mem=64M,verify=abort");
	child_run(&c, report_in_child, (void *)&probes[0]);
	ck_assert_child_signal(&c, SIGABRT);
	MACHINE_DOWN();
	MACHINE_UP("mem=64M");			/* still abort */
	child_run(&c, report_in_child, (void *)&probes[0]);
	ck_assert_child_signal(&c, SIGABRT);
	MACHINE_DOWN();
}
END_TEST

/*
 * An unknown policy is a report, made under the policy in force, which
 * stays in force.
 */
static int
unknown_policy_in_child(void *arg)
{
	(void)arg;
	probe_unknown_policy();
	return 0;
}

START_TEST(unknown_policy_changes_nothing)
{
	char out[1024];
	struct child c;

	MACHINE_UP("mem=64M,verify=count");
	ck_assert_uint_eq(make_report(&probes[6], out, sizeof(out)), 0);
	ck_assert_uint_eq(make_report(&probes[0], out, sizeof(out)), 0);
	ddisim_verify_set_policy(DDISIM_VERIFY_WARN);
	ck_assert_uint_gt(make_report(&probes[6], out, sizeof(out)), 0);
	ck_assert_uint_gt(make_report(&probes[0], out, sizeof(out)), 0);
	ddisim_verify_set_policy(DDISIM_VERIFY_ABORT);
	child_run(&c, unknown_policy_in_child, NULL);
	ck_assert_child_signal(&c, SIGABRT);
	MACHINE_DOWN();
}
END_TEST

/*
 * The count and the last report belong to the process: machines come and
 * go under them; only ddisim_verify_reset clears them.
 */
START_TEST(count_and_last_outlive_machines)
{
	char out[1024], last[1024];
	unsigned long n;

	ddisim_verify_reset();
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	ck_assert_str_eq(ddisim_verify_last(), "");
	MACHINE_UP("mem=64M,verify=count");
	make_report(&probes[2], out, sizeof(out));
	n = ddisim_verify_count();
	ck_assert_uint_eq(n, 1);
	snprintf(last, sizeof(last), "%s", ddisim_verify_last());
	MACHINE_DOWN();
	ck_assert_uint_eq(ddisim_verify_count(), n);
	ck_assert_str_eq(ddisim_verify_last(), last);
	MACHINE_UP("mem=64M,verify=count");
	ck_assert_uint_eq(ddisim_verify_count(), n);
	ck_assert_str_eq(ddisim_verify_last(), last);
	ddisim_verify_reset();
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	ck_assert_str_eq(ddisim_verify_last(), "");
	MACHINE_DOWN();
}
END_TEST

/*
 * ddisim_verify_last returns the calling thread's copy: a report made
 * meanwhile by another thread does not change it, and the thread's next
 * call sees the new report.
 */
static void *
report_elsewhere(void *arg)
{
	const struct probe *p = arg;

	p->fn();
	expect_report(ddisim_verify_last(), p);
	return NULL;
}

START_TEST(last_is_the_callers_copy)
{
	const char *mine;
	char before[1024];
	pthread_t t;

	MACHINE_UP("mem=64M,verify=count");
	probes[2].fn();
	mine = ddisim_verify_last();
	expect_report(mine, &probes[2]);
	snprintf(before, sizeof(before), "%s", mine);
	ck_assert_int_eq(pthread_create(&t, NULL, report_elsewhere,
	    (void *)&probes[3]), 0);
	pthread_join(t, NULL);
	ck_assert_str_eq(mine, before);
	expect_report(ddisim_verify_last(), &probes[3]);
	MACHINE_DOWN();
}
END_TEST

/* Reports from many threads at once are all counted. */
#define NTHREADS	4

static void *
report_many(void *arg)
{
	long n = *(long *)arg;

	for (long i = 0; i < n; i++)
		probe_bad_cpu();
	return NULL;
}

START_TEST(count_is_exact_across_threads)
{
	long each = prop_floor(prop_iters(100000) / 20, 200);
	pthread_t t[NTHREADS];
	unsigned long n;

	MACHINE_UP("mem=64M,verify=count");
	n = ddisim_verify_count();
	for (int i = 0; i < NTHREADS; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, report_many,
		    &each), 0);
	for (int i = 0; i < NTHREADS; i++)
		pthread_join(t[i], NULL);
	ck_assert_uint_eq(ddisim_verify_count(), n + NTHREADS * each);
	expect_report(ddisim_verify_last(), &probes[2]);
	MACHINE_DOWN();
}
END_TEST

/*
 * Random reports under random policies, with resets among them: the
 * count is the number of reports since the last reset, the last report
 * is the latest's, and what is printed is the reports made under warn.
 */
START_TEST(property_random_reports)
{
	long iters = prop_floor(prop_iters(100000) / 100, 200);
	unsigned long model = 0, printed = 0;
	const struct probe *latest = NULL;
	char out[1024], line[1024];

	MACHINE_UP("mem=64M,verify=count");
	ddisim_verify_reset();
	prop_seed(0x5ee1);
	for (long it = 0; it < iters; it++) {
		bool warn = rndn(2);
		const struct probe *p = &probes[rndn(NPROBES)];

		if (rndn(16) == 0) {
			ddisim_verify_reset();
			model = 0;
			latest = NULL;
		}
		ddisim_verify_set_policy(warn ? DDISIM_VERIFY_WARN :
		    DDISIM_VERIFY_COUNT);
		if (rndn(4) == 0) {		/* no report this time */
			ck_assert_uint_eq(ddisim_verify_count(), model);
			if (latest == NULL)
				ck_assert_str_eq(ddisim_verify_last(), "");
			else
				expect_report(ddisim_verify_last(), latest);
			continue;
		}
		make_report(p, out, sizeof(out));
		model++;
		latest = p;
		ck_assert_uint_eq(ddisim_verify_count(), model);
		snprintf(line, sizeof(line), "%s\n", ddisim_verify_last());
		ck_assert_str_eq(out, warn ? line : "");
		printed += warn;
	}
	ck_assert_uint_gt(printed, 0);
	ck_assert_uint_lt(printed, (unsigned long)iters);
	MACHINE_DOWN();
}
END_TEST

/* ---- limits ---- */

/*
 * A report that its caller's long name and a long message would make
 * longer than the 511 bytes kept: it is cut to them, and still names
 * the function, what was wrong and the caller; warn prints it so.
 */
#define CAT(a, b)	CAT_(a, b)
#define CAT_(a, b)	a##b
#define STR(x)		STR_(x)
#define STR_(x)		#x
#define LONG_PROBE	CAT(probe_panic_from_a_function_whose_name_is_,	\
	    long_enough_to_take_a_report_past_what_the_verifier_keeps)
#define LONG_NAME	STR(LONG_PROBE)
void	LONG_PROBE(void);

__attribute__((noinline)) void
LONG_PROBE(void)
{
	char msg[600];

	memset(msg, 'x', sizeof(msg) - 1);
	msg[sizeof(msg) - 1] = '\0';
	cmn_err(CE_PANIC, "!%s", msg);
	KEEP_FRAME();
}

START_TEST(long_report_cut_to_511_bytes)
{
	static const struct probe p = { LONG_PROBE, LONG_NAME, "cmn_err",
	    "PANIC: xxxxxxxxxxxxxxxx" };
	char out[2048], line[1024];

	MACHINE_UP("mem=64M,verify=warn");
	make_report(&p, out, sizeof(out));
	ck_assert_uint_le(strlen(ddisim_verify_last()), 511);
	snprintf(line, sizeof(line), "%s\n", ddisim_verify_last());
	ck_assert_str_eq(out, line);
	MACHINE_DOWN();
}
END_TEST

/* ---- the library's own checks ---- */

static int
verify_fails(void *arg)
{
	int x = *(int *)arg;

	VERIFY(x == 2);
	return 0;
}

static int
verify3_fails(void *arg)
{
	unsigned five = 5, three = 3;
	long minus = -1, two = 2;

	if (*(int *)arg == 0)
		VERIFY3U(five, <=, three);
	else
		VERIFY3S(minus, >, two);
	return 0;
}

/*
 * A broken invariant is not a report: it says where, and aborts under
 * any policy, leaving the report count alone.
 */
START_TEST(verify_aborts_under_every_policy)
{
	static const char *const specs[] = { "mem=64M,verify=count",
	    "mem=64M,verify=warn", "mem=64M" };
	char where[128];
	struct child c;
	int one = 1, two = 2, which;
	unsigned long n;

	for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		MACHINE_UP(specs[i]);
		n = ddisim_verify_count();
		child_run(&c, verify_fails, &one);
		ck_assert_child_signal(&c, SIGABRT);
		snprintf(where, sizeof(where), "ddicompat: internal error at "
		    "%s:", __FILE__);
		ck_assert_ptr_nonnull(strstr(c.err, where));
		ck_assert_ptr_nonnull(strstr(c.err,
		    ": VERIFY(x == 2) failed\n"));
		ck_assert_uint_eq(ddisim_verify_count(), n);
		MACHINE_DOWN();
	}
	ck_assert_int_eq(verify_fails(&two), 0);	/* holds: no abort */
	which = 0;
	child_run(&c, verify3_fails, &which);
	ck_assert_child_signal(&c, SIGABRT);
	ck_assert_ptr_nonnull(strstr(c.err,
	    "VERIFY3(five <= three) failed (0x5 <= 0x3)\n"));
	which = 1;
	child_run(&c, verify3_fails, &which);
	ck_assert_child_signal(&c, SIGABRT);
	ck_assert_ptr_nonnull(strstr(c.err,
	    "VERIFY3(minus > two) failed (-1 > 2)\n"));
}
END_TEST

/*
 * ASSERT is VERIFY in a debug build (config_debug) and nothing at all
 * otherwise, its expression not even evaluated.
 */
static int evaluated;

static int
assert_false(void *arg)
{
	(void)arg;
	ASSERT(++evaluated == 0);
	return evaluated;
}

START_TEST(assert_follows_the_build)
{
	struct child c;

	child_run(&c, assert_false, NULL);
	if (config_debug) {
		ck_assert_child_signal(&c, SIGABRT);
		ck_assert_ptr_nonnull(strstr(c.err,
		    "VERIFY(++evaluated == 0) failed"));
	} else {
		ck_assert_child_exit(&c, 0);
		ck_assert_str_eq(c.err, "");
	}
}
END_TEST

/* ---- the caller a report names ---- */

/*
 * Where the library names callers with libdw, a report names the
 * function and the source line of the call, for a global function, a
 * static one, an inlined one, a Check test function itself, and in a
 * forked child; a function's own address (a callback) is named too.
 * Code without debug information falls back to symbol+offset.
 */
void	sym_nodwarf_free(void *p, size_t size);

static char sym_host[64];

/* The "(called from FN (test_verify.c:LINE))" the last report ends with. */
static void
expect_caller_line(const char *fn, int line)
{
	char want[128];
	const char *last = ddisim_verify_last();

#ifdef TEST_CALLER_LINES
	snprintf(want, sizeof(want), " (called from %s (test_verify.c:%d))",
	    fn, line);
#else
	/*
	 * dladdr names only what the program exports (-rdynamic), which
	 * Check's static test functions are not: the program and an
	 * offset.  The probes above check exported names.
	 */
	snprintf(want, sizeof(want), " (called from test_verify+0x");
	(void)fn;
	(void)line;
#endif
	ck_assert_msg(strstr(last, want) != NULL &&
	    last[strlen(last) - 1] == ')', "report \"%s\" lacks \"%s\"",
	    last, want);
}

__attribute__((noinline)) static int
sym_static_reporter(void)
{
	int line;

	kmem_free(sym_host, sizeof(sym_host)), line = __LINE__;
	KEEP_FRAME();
	return line;
}

static inline __attribute__((always_inline)) int
sym_inlined_reporter(void)
{
	int line;

	kmem_free(sym_host, sizeof(sym_host)), line = __LINE__;
	return line;
}

START_TEST(caller_is_function_and_line)
{
	int line;

	MACHINE_UP("mem=64M,verify=count");
	kmem_free(sym_host, sizeof(sym_host)), line = __LINE__;
	ck_assert_uint_eq(ddisim_verify_count(), 1);
	expect_caller_line("caller_is_function_and_line_fn", line);
	/* dladdr cannot name these: only libdw's names are checked. */
	line = sym_static_reporter();
#ifdef TEST_CALLER_LINES
	expect_caller_line("sym_static_reporter", line);
#endif
	line = sym_inlined_reporter();
#ifdef TEST_CALLER_LINES
	expect_caller_line("sym_inlined_reporter", line);
#endif
	(void)line;
	ck_assert_uint_eq(ddisim_verify_count(), 3);
	MACHINE_DOWN();
}
END_TEST

START_TEST(caller_of_leak_is_function_and_line)
{
	char *text, want[128];
	void *p;
	int line;

	MACHINE_UP("mem=64M");
	p = kmem_alloc(100, KM_SLEEP), line = __LINE__;
	ck_assert_uint_eq(leak_report_text(&text), 1);
#ifdef TEST_CALLER_LINES
	snprintf(want, sizeof(want), "allocated by "
	    "caller_of_leak_is_function_and_line_fn (test_verify.c:%d)\n",
	    line);
#else
	snprintf(want, sizeof(want), "allocated by test_verify+0x");
	(void)line;
#endif
	ck_assert_contains(text, want);
	free(text);
	kmem_free(p, 100);
	MACHINE_DOWN();
}
END_TEST

/* Code without DWARF: the symbol table's name and an offset. */
START_TEST(caller_without_debug_info)
{
	void *p;

	MACHINE_UP("mem=64M,verify=count");
	p = kmem_alloc(100, KM_SLEEP);
	sym_nodwarf_free(p, 104);
	REPORTED(0, "freed with size 104 (called from sym_nodwarf_free+0x");
#ifdef TEST_CALLER_LINES
	/* A static function: from .symtab, without -rdynamic. */
	sym_nodwarf_free(NULL, 0);
	REPORTED(1, "(called from sym_nodwarf_static+0x");
#endif
	MACHINE_DOWN();
}
END_TEST

/* A function's own address, as callbacks and timeouts are named. */
START_TEST(function_address_is_named)
{
	char buf[128];

	verify_symbolize((const void *)(uintptr_t)probe_panic, buf,
	    sizeof(buf));
#ifdef TEST_CALLER_LINES
	ck_assert_msg(strncmp(buf, "probe_panic (test_verify.c:", 27) == 0,
	    "\"%s\"", buf);
#else
	ck_assert_str_eq(buf, "probe_panic+0");
#endif
	verify_symbolize(NULL, buf, sizeof(buf));
	ck_assert_str_eq(buf, "(nil)");
}
END_TEST

/* In a forked child, whether or not the parent symbolized first. */
static int
sym_child(void *arg)
{
	int line;

	(void)arg;
	kmem_free(sym_host, sizeof(sym_host)), line = __LINE__;
	fprintf(stderr, "%d\n%s\n", line, ddisim_verify_last());
	return 0;
}

START_TEST(caller_named_in_forked_child)
{
	struct child c;
	char want[128];
	int line;

	MACHINE_UP("mem=64M,verify=count");
	if (_i == 1) {
		kmem_free(sym_host, sizeof(sym_host)), line = __LINE__;
		expect_caller_line("caller_named_in_forked_child_fn", line);
	}
	child_run(&c, sym_child, NULL);
	ck_assert_child_exit(&c, 0);
	line = atoi(c.err);
	ck_assert_int_gt(line, 0);
#ifdef TEST_CALLER_LINES
	snprintf(want, sizeof(want), " (called from sym_child "
	    "(test_verify.c:%d))\n", line);
#else
	snprintf(want, sizeof(want), " (called from ");
#endif
	ck_assert_contains(c.err, want);
	MACHINE_DOWN();
}
END_TEST

/* Threads naming callers at once (TSan watches the shared state). */
#define SYM_THREADS	4

static void *
sym_thread(void *arg)
{
	char buf[128], want[64];

	(void)arg;
	snprintf(want, sizeof(want), "probe_bad_flags%s", CALLER_SEP);
	for (int i = 0; i < 200; i++) {
		verify_symbolize((const char *)(uintptr_t)probe_bad_flags + 1,
		    buf, sizeof(buf));
		if (strncmp(buf, want, strlen(want)) != 0)
			return (void *)1;
	}
	return NULL;
}

START_TEST(callers_named_from_threads)
{
	pthread_t t[SYM_THREADS];
	void *rv;

	for (int i = 0; i < SYM_THREADS; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, sym_thread, NULL),
		    0);
	for (int i = 0; i < SYM_THREADS; i++) {
		ck_assert_int_eq(pthread_join(t[i], &rv), 0);
		ck_assert_ptr_null(rv);
	}
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("verify");
	TCase *tc;

	tc = tcase_new("core");
	tcase_add_test(tc, count_policy_counts_silently);
	tcase_add_test(tc, warn_policy_prints_each_report);
	tcase_add_loop_test(tc, abort_policy_prints_then_aborts, 0, NPROBES);
	if (!nofork())
		tcase_add_loop_test_raise_signal(tc,
		    abort_policy_raises_sigabrt, SIGABRT, 0, NPROBES);
	tcase_add_test(tc, policy_follows_the_verify_key);
	tcase_add_test(tc, unknown_policy_changes_nothing);
	tcase_add_test(tc, count_and_last_outlive_machines);
	tcase_add_test(tc, last_is_the_callers_copy);
	tcase_add_test(tc, count_is_exact_across_threads);
	suite_add_tcase(s, tc);
	tcase_add_test(tc, caller_is_function_and_line);
	tcase_add_test(tc, caller_of_leak_is_function_and_line);
	tcase_add_test(tc, caller_without_debug_info);
	tcase_add_test(tc, function_address_is_named);
	tcase_add_loop_test(tc, caller_named_in_forked_child, 0, 2);
	tcase_add_test(tc, callers_named_from_threads);
	suite_add_tcase(s, tc);
	tc = tcase_new("property");
	tcase_add_test(tc, property_random_reports);
	suite_add_tcase(s, tc);
	tc = tcase_new("limits");
	tcase_add_test(tc, long_report_cut_to_511_bytes);
	suite_add_tcase(s, tc);
	tc = tcase_new("internal");
	tcase_add_test(tc, verify_aborts_under_every_policy);
	tcase_add_test(tc, assert_follows_the_build);
	suite_add_tcase(s, tc);
	return run_suite(s) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
