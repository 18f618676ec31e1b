/*
 * test_fork.c - fork isolation: a child of a process that built the
 * machine and allocated (in the direct map and behind an alias) must not
 * see its siblings' writes to simulated RAM, must not write into its
 * parent's, and must not see what the parent writes once it has forked.
 * Check forks each test in its own child, but only in its fork mode; so
 * each test here forks its children itself, and the isolation is tested
 * the same way under CK_FORK=no (Valgrind, TSan).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

#include <sys/types.h>
#include <sys/kmem.h>
#include <sys/ddi.h>

#include "lib/testutil.h"

#define PG	4096u
#define SIZE	(8 * PG)

/* The parent's buffers: one physically contiguous, one scattered. */
static unsigned char *direct, *alias;
static uint64_t alias_pa[SIZE / PG];	/* each page's address in the parent */

static void
setup(void)
{
	physreq_t *p;
	struct phys_span sp;

	MACHINE_UP("scatter=1");
	p = preq_new(0, 1, 0, PREQ_PHYSCONTIG, 0);
	direct = kmem_alloc_physreq(SIZE, p, KM_SLEEP);
	physreq_free(p);
	alias = kmem_alloc(SIZE, KM_SLEEP);
	phys_span(direct, SIZE, &sp);
	ck_assert_uint_eq(sp.nseg, 1);
	phys_span(alias, SIZE, &sp);
	ck_assert_uint_eq(sp.nseg, SIZE / PG);	/* scatter=1: page by page */
	for (size_t i = 0; i < SIZE / PG; i++)
		ck_assert_int_eq(ddisim_vtop(alias + i * PG, &alias_pa[i]), 0);
	memset(direct, 0xaa, SIZE);
	memset(alias, 0xbb, SIZE);
}

/* The parent's RAM and allocations are as setup left them. */
static void
expect_parent_untouched(void)
{
	uint64_t pa;

	ck_assert_uint_eq(first_not(direct, SIZE, 0xaa), SIZE);
	ck_assert_uint_eq(first_not(alias, SIZE, 0xbb), SIZE);
	for (size_t i = 0; i < SIZE / PG; i++) {
		ck_assert_int_eq(ddisim_vtop(alias + i * PG, &pa), 0);
		ck_assert_uint_eq(pa, alias_pa[i]);
	}
	ck_assert_uint_eq(ddisim_outstanding(), 2 * SIZE);
}

static void
teardown(void)
{
	if (ddisim_initialized()) {
		kmem_free(direct, SIZE);
		kmem_free(alias, SIZE);
		ck_assert_uint_eq(ddisim_outstanding(), 0);
		ck_assert_uint_eq(ddisim_leak_report(NULL), 0);
	}
	machine_teardown();
}

/* One byte through a pipe, to say "go on" to another process. */
static void
tell(int fd)
{
	while (write(fd, "", 1) != 1 && errno == EINTR)
		;
}

static bool
heard(int fd)
{
	char c;
	ssize_t r;

	while ((r = read(fd, &c, 1)) < 0 && errno == EINTR)
		;
	return r == 1;
}

/*
 * In a child: the parent's contents are there, writes land, the alias and
 * the direct map still show the same RAM, and the allocator works (what
 * it allocates here is left allocated, in the child only).
 */
static int
writer(void *arg)
{
	uint64_t pa;
	unsigned char *d;
	void *b;

	(void)arg;
	CHILD_EXPECT(first_not(direct, SIZE, 0xaa) == SIZE, "direct map");
	CHILD_EXPECT(first_not(alias, SIZE, 0xbb) == SIZE, "alias");
	memset(direct, 0x55, SIZE);
	memset(alias, 0x66, SIZE);
	CHILD_EXPECT(ddisim_vtop(alias + PG, &pa) == 0, "vtop of the alias");
	CHILD_EXPECT(pa == alias_pa[1], "the alias moved to %#llx",
	    (unsigned long long)pa);
	d = ddisim_ptov(pa);
	CHILD_EXPECT(d != NULL && d[0] == 0x66, "direct map of the alias");
	d[0] = 0x77;
	CHILD_EXPECT(alias[PG] == 0x77, "the alias misses a direct write");
	b = kmem_alloc(SIZE, KM_SLEEP);
	CHILD_EXPECT(b != NULL, "kmem_alloc");
	memset(b, 1, SIZE);
	CHILD_EXPECT(ddisim_outstanding() == 3 * SIZE, "outstanding %zu",
	    ddisim_outstanding());
	return 0;
}

START_TEST(child_writes_stay_in_child)
{
	struct child c;

	for (int round = 0; round < 3; round++) {
		child_run(&c, writer, NULL);
		ck_assert_child_exit(&c, 0);
		expect_parent_untouched();
	}
}
END_TEST

/*
 * Two children alive at once: the first writes, then lets the second
 * look, which must see the parent's bytes and write its own; then the
 * first must still see its own.
 */
struct pair {
	int	first_wrote[2];		/* pipe: first -> second */
	int	second_wrote[2];	/* pipe: second -> first */
};

static int
first_sibling(void *arg)
{
	struct pair *p = arg;

	close(p->first_wrote[0]);	/* a death is an end of file */
	close(p->second_wrote[1]);
	memset(direct, 0x11, SIZE);
	memset(alias, 0x12, SIZE);
	tell(p->first_wrote[1]);
	CHILD_EXPECT(heard(p->second_wrote[0]), "the second sibling died");
	CHILD_EXPECT(first_not(direct, SIZE, 0x11) == SIZE,
	    "the second sibling's write reached the first (direct map)");
	CHILD_EXPECT(first_not(alias, SIZE, 0x12) == SIZE,
	    "the second sibling's write reached the first (alias)");
	return 0;
}

static int
second_sibling(void *arg)
{
	struct pair *p = arg;

	close(p->first_wrote[1]);
	close(p->second_wrote[0]);
	CHILD_EXPECT(heard(p->first_wrote[0]), "the first sibling died");
	CHILD_EXPECT(first_not(direct, SIZE, 0xaa) == SIZE,
	    "the first sibling's write reached the second (direct map)");
	CHILD_EXPECT(first_not(alias, SIZE, 0xbb) == SIZE,
	    "the first sibling's write reached the second (alias)");
	memset(direct, 0x21, SIZE);
	memset(alias, 0x22, SIZE);
	tell(p->second_wrote[1]);
	return 0;
}

START_TEST(siblings_do_not_see_each_other)
{
	struct child a, b;
	struct pair p;

	ck_assert_int_eq(pipe(p.first_wrote), 0);
	ck_assert_int_eq(pipe(p.second_wrote), 0);
	child_start(&a, first_sibling, &p);
	child_start(&b, second_sibling, &p);
	for (int i = 0; i < 2; i++) {
		close(p.first_wrote[i]);
		close(p.second_wrote[i]);
	}
	child_wait(&a);
	child_wait(&b);
	ck_assert_child_exit(&a, 0);
	ck_assert_child_exit(&b, 0);
	expect_parent_untouched();
}
END_TEST

/* A child that forks in turn: the grandchild is isolated from it. */
static int
grandchild(void *arg)
{
	(void)arg;
	CHILD_EXPECT(first_not(direct, SIZE, 0x33) == SIZE, "the child's "
	    "write did not reach its own child");
	memset(direct, 0x44, SIZE);
	return 0;
}

static int
middle_child(void *arg)
{
	struct child g;

	(void)arg;
	memset(direct, 0x33, SIZE);
	child_run(&g, grandchild, NULL);
	CHILD_EXPECT(WIFEXITED(g.status) && WEXITSTATUS(g.status) == 0,
	    "grandchild: status %#x: %s", g.status, g.err);
	CHILD_EXPECT(first_not(direct, SIZE, 0x33) == SIZE,
	    "the grandchild's write reached its parent");
	return 0;
}

START_TEST(grandchildren_too)
{
	struct child c;

	child_run(&c, middle_child, NULL);
	ck_assert_child_exit(&c, 0);
	expect_parent_untouched();
}
END_TEST

/*
 * Forks while other threads allocate (jemalloc's fork handlers and ours
 * must not deadlock), and the parent overwrites the buffer as soon as
 * fork returns: the child, which looks only once the parent has written,
 * must still see the RAM as it was at the fork.
 */
static _Atomic int stop;

static void *
churn(void *arg)
{
	(void)arg;
	while (!stop) {
		void *a = kmem_alloc(200, KM_SLEEP), *b = kmem_alloc(5 * PG,
		    KM_SLEEP);

		kmem_free(a, 200);
		kmem_free(b, 5 * PG);
	}
	return NULL;
}

struct snapshot {
	unsigned char	expect;		/* direct's bytes at the fork */
	int		written[2];	/* pipe: the parent has written */
};

static int
looker(void *arg)
{
	struct snapshot *s = arg;

	close(s->written[1]);
	CHILD_EXPECT(heard(s->written[0]), "the parent did not write");
	CHILD_EXPECT(first_not(direct, SIZE, s->expect) == SIZE,
	    "the parent's write after fork reached the child");
	return 0;
}

START_TEST(fork_under_load)
{
	pthread_t t[2];

	stop = 0;
	for (int i = 0; i < 2; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, churn, NULL), 0);
	for (int round = 0; round < 10; round++) {
		struct snapshot s = { .expect = (unsigned char)round };
		struct child c;

		ck_assert_int_eq(pipe(s.written), 0);
		memset(direct, round, SIZE);
		child_start(&c, looker, &s);
		close(s.written[0]);
		memset(direct, 0xee, SIZE);
		tell(s.written[1]);
		close(s.written[1]);
		child_wait(&c);
		ck_assert_child_exit(&c, 0);
	}
	stop = 1;
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	memset(direct, 0xaa, SIZE);
	expect_parent_untouched();
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("fork");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, child_writes_stay_in_child);
	tcase_add_test(tc, siblings_do_not_see_each_other);
	tcase_add_test(tc, grandchildren_too);
	tcase_add_test(tc, fork_under_load);
	suite_add_tcase(s, tc);
	return run_suite(s) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
