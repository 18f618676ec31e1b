/*
 * testutil.h - what the Check programs share: machines and suites,
 * property-test iterations and their random numbers, byte patterns,
 * physical requirements and the page walk that checks them, child
 * processes, the standard error, and handshakes with other threads.
 *
 * The header needs no legacy header (a program built without compat/ can
 * include it); the functions are in testutil.c, built once for every
 * program as tests/lib/libtestutil.la.
 */
#ifndef DDICOMPAT_TESTUTIL_H
#define DDICOMPAT_TESTUTIL_H

#include <check.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <ddicompat/ddisim.h>

#include "config.h"
#ifdef HAVE_VALGRIND_VALGRIND_H
#include <valgrind/valgrind.h>
#define under_valgrind()	(RUNNING_ON_VALGRIND != 0)
#else
#define under_valgrind()	0
#endif

/* ---- machines and suites ---- */

/* True when the suite runs without fork (Valgrind, TSan): no abort tests. */
bool	nofork(void);

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
void	machine_teardown(void);

/* A test case whose tests always end with no machine left running. */
TCase	*tcase_new(const char *name);

/*
 * The misuse tests of a family, n of them numbered from 0: each counted
 * under verify=count, and each expected to abort under the default
 * policy, which only a forking runner can see.
 */
/*
 * The two tests of a suite's misuse cases, for TCASE_ADD_MISUSE:
 * misuse_counted runs case _i of body under the count policy on a machine
 * built from spec and ends the machine, and misuse_aborts runs it under
 * the abort policy, where its report must raise SIGABRT.
 */
#define MISUSE_TEST_PAIR(body, spec)					\
START_TEST(misuse_counted)						\
{									\
	MACHINE_UP(spec);						\
	ddisim_verify_set_policy(DDISIM_VERIFY_COUNT);			\
	body(_i);							\
	ddisim_verify_set_policy(DDISIM_VERIFY_ABORT);			\
	MACHINE_DOWN();							\
}									\
END_TEST								\
									\
START_TEST(misuse_aborts)						\
{									\
	MACHINE_UP(spec);						\
	body(_i);							\
}									\
END_TEST

#define TCASE_ADD_MISUSE(tc, counted, aborts, n) do {			\
	tcase_add_loop_test((tc), counted, 0, (n));			\
	if (!nofork())							\
		tcase_add_loop_test_raise_signal((tc), aborts, SIGABRT,	\
		    0, (n));						\
} while (0)

/*
 * What ddisim_leak_report writes, in *text (free it), and the count it
 * returns.
 */
size_t	leak_report_text(char **text);

/* text holds want. */
#define ck_assert_contains(text, want)					\
	ck_assert_msg(strstr((text), (want)) != NULL,			\
	    "\"%s\" lacks \"%s\"", (text), (want))

/* One more verifier report than before, and the last names text. */
#define REPORTED(before, text) do {					\
	ck_assert_uint_eq(ddisim_verify_count(), (before) + 1);		\
	ck_assert_msg(strstr(ddisim_verify_last(), (text)) != NULL,	\
	    "report \"%s\" lacks \"%s\"", ddisim_verify_last(), (text)); \
} while (0)

/*
 * What follows a function's name in a report's caller: " (" and the file
 * and line where the library names callers with libdw, "+0x" and an
 * offset where it falls back to dladdr (ddisim_verify(3)).
 */
#ifdef TEST_CALLER_LINES
#define CALLER_SEP	" ("
#else
#define CALLER_SEP	"+0x"
#endif

/* Run a suite; returns the number of failures. */
int	run_suite(Suite *s);

/* ---- property tests ---- */

/* Iterations of property tests: $DDISIM_PROP_ITERS, or dflt. */
long	prop_iters(long dflt);

/*
 * n, but at least floor: the iterations below which a property test's
 * coverage assertions (every outcome was met) cannot hold.  The test's
 * seed must not depend on n, so that every longer run starts with the
 * run of floor iterations and meets at least what that run met.
 */
static inline long
prop_floor(long n, long floor)
{
	return n < floor ? floor : n;
}

/*
 * xorshift64*: the property tests' random numbers, from a fixed seed
 * (prop_seed), so that a failure is the same run after run.
 */
void		prop_seed(uint64_t seed);
uint64_t	rnd(void);
size_t		rndn(size_t n);		/* in [0, n); 0 if n is 0 */

/* ---- bytes ---- */

/* n bytes from rnd(). */
void	fill_rnd(void *p, size_t n);
/* n bytes that depend on seed alone; rnd() is left as it was. */
void	fill_seeded(void *p, size_t n, uint64_t seed);
/* The offset of the first of n bytes that is not v, or n. */
size_t	first_not(const void *p, size_t n, uint8_t v);

/* ---- physical requirements ---- */

struct physreq;

/* A prepped physreq; free it with physreq_free. */
struct physreq *preq_new(unsigned dmasize, uint64_t align, uint64_t boundary,
	    unsigned flags, unsigned max_scgth);

/*
 * The physical layout of [va, va+len), from ddisim_vtop of every page in
 * turn: how many maximal physically contiguous segments, how many bytes
 * from va on translate (the walk stops at the first that does not), and
 * the lowest and one past the highest physical byte.  The walk keeps no
 * array, so a buffer of any number of segments is seen whole.
 */
struct phys_span {
	size_t		nseg;
	size_t		mapped;
	uint64_t	lo;
	uint64_t	hi;
};
void	phys_span(const void *va, size_t len, struct phys_span *s);

/*
 * One past the highest physical byte of [va, va+len), every byte of
 * which must be simulated memory; the segment count in *nseg unless nseg
 * is NULL.
 */
uint64_t phys_top(const void *va, size_t len, size_t *nseg);

/*
 * Why [va, va+len) does not meet p, or NULL when it does: every byte
 * simulated memory below 2^phys_dmasize (no limit for 0), every
 * physically contiguous segment starting on phys_align (0 counts as 1)
 * and inside one phys_boundary window, and one segment only with
 * PREQ_PHYSCONTIG; an empty range meets anything.  p need not be
 * prepped.  Stores the number of segments in *nseg unless nseg is NULL.
 * The text belongs to the calling thread until its next call.
 */
const char *preq_unmet(const void *va, size_t len, const struct physreq *p,
	    size_t *nseg);

static inline bool
preq_meets(const void *va, size_t len, const struct physreq *p)
{
	return preq_unmet(va, len, p, NULL) == NULL;
}

#define ck_assert_meets(va, len, p) do {				\
	const char *why_ = preq_unmet((va), (len), (p), NULL);		\
	ck_assert_msg(why_ == NULL, "%s", why_);			\
} while (0)

/*
 * len bytes of physically contiguous memory below 2^bits (anywhere for
 * 0), aligned, and inside one boundary window (0: none), from
 * kmem_alloc_physreq; its physical address in *pa unless pa is NULL.
 * Free it with kmem_free.
 */
void	*buf_below(size_t len, unsigned bits, uint64_t align,
	    uint64_t boundary, uint64_t *pa);

/* ---- child processes ---- */

/*
 * A forked child of the test, which runs a function and exits with what
 * it returns, while the parent reads its standard error.  This works the
 * same with and without CK_FORK, so a test of what happens across fork,
 * or of an abort, also runs under Valgrind and TSan.  The function must
 * not use ck_assert, since the child is not the test: it reports through
 * its exit status and its standard error, as CHILD_EXPECT does.
 */
struct child {
	pid_t		pid;
	int		err_fd;		/* read end of the child's stderr */
	int		status;		/* as waitpid stores it */
	char		err[8192];	/* the start of its standard error */
};

void	child_start(struct child *c, int (*fn)(void *), void *arg);
void	child_wait(struct child *c);

static inline void
child_run(struct child *c, int (*fn)(void *), void *arg)
{
	child_start(c, fn, arg);
	child_wait(c);
}

/* In a child's function: unless cond, say why on stderr and return 1. */
#define CHILD_EXPECT(cond, ...) do {					\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: ", __FILE__, __LINE__);		\
		fprintf(stderr, __VA_ARGS__);				\
		fputc('\n', stderr);					\
		return 1;						\
	}								\
} while (0)

/* The child exited with code. */
#define ck_assert_child_exit(c, code) do {				\
	ck_assert_msg(WIFEXITED((c)->status) &&				\
	    WEXITSTATUS((c)->status) == (code), "child: status %#x, "	\
	    "stderr: %s", (c)->status, (c)->err);			\
} while (0)

/* The child was killed by sig. */
#define ck_assert_child_signal(c, sig) do {				\
	ck_assert_msg(WIFSIGNALED((c)->status) &&			\
	    WTERMSIG((c)->status) == (sig), "child: status %#x, "	\
	    "stderr: %s", (c)->status, (c)->err);			\
} while (0)

/* ---- the standard error ---- */

/*
 * Send what the process writes to its standard error into a file, until
 * stderr_release puts the standard error back and copies what was
 * written into buf (len bytes at most, NUL-terminated); it returns the
 * number of bytes written, which may be more than it copied.
 */
void	stderr_capture(void);
size_t	stderr_release(char *buf, size_t len);

/* ---- handshakes with other threads ---- */

/* The host's id of the calling thread. */
pid_t	tid_self(void);

/*
 * Wait until thread tid of this process sleeps in the host kernel, as a
 * thread does that waits on a lock, a condition or I/O; returns false if
 * the thread has exited instead.  A test asks this of a thread it expects
 * to block in the library before it lets that thread go on, or before it
 * checks that the thread has not gone on: unlike a nap, this neither
 * races on a slow host nor wastes time on a fast one.  A thread that
 * sleeps briefly elsewhere (on a contended lock) can satisfy the wait
 * too early; that only makes the test weaker, never wrong.
 */
bool	tid_wait_asleep(pid_t tid);

#endif /* DDICOMPAT_TESTUTIL_H */
