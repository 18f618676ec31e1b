/*
 * test_fork.c - fork isolation: Check runs each test in a child process;
 * children must neither see each other's writes nor write into the
 * parent's RAM, even though the parent built the machine and allocated
 * (in the direct map and behind an alias) before forking.
 */
#include <pthread.h>
#include <stdio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sys/types.h>
#include <sys/kmem.h>
#include <sys/ddi.h>

#include "lib/testutil.h"

#define SIZE	(8 * 4096)

static unsigned char *direct, *alias;

static void
expect_fill(const unsigned char *p, unsigned char v)
{
	for (size_t i = 0; i < SIZE; i++)
		ck_assert_uint_eq(p[i], v);
}

START_TEST(child_writes)
{
	uint64_t pa;
	unsigned char *d;

	expect_fill(direct, 0xaa);
	expect_fill(alias, 0xbb);
	memset(direct, 0x55, SIZE);
	memset(alias, 0x66, SIZE);
	/* Still one coherent RAM in the child: alias and direct map agree. */
	ck_assert_int_eq(ddisim_vtop(alias + 4096, &pa), 0);
	d = ddisim_ptov(pa);
	ck_assert_uint_eq(d[0], 0x66);
	d[0] = 0x77;
	ck_assert_uint_eq(alias[4096], 0x77);
	/* Allocations in the child stay in the child. */
	void *b = kmem_alloc(SIZE, KM_SLEEP);
	memset(b, 1, SIZE);
	kmem_free(b, SIZE);
}
END_TEST

START_TEST(sibling_sees_parent_state)
{
	expect_fill(direct, 0xaa);
	expect_fill(alias, 0xbb);
}
END_TEST

static _Atomic int stop;

static void *
churn(void *arg)
{
	while (!stop) {
		void *a = kmem_alloc(200, KM_SLEEP), *b = kmem_alloc(5 * 4096,
		    KM_SLEEP);

		kmem_free(a, 200);
		kmem_free(b, 5 * 4096);
	}
	return NULL;
}

/*
 * Forks while other threads allocate (jemalloc's fork handlers and ours
 * must not deadlock), and the parent writes the moment fork returns (the
 * child must still see the RAM as it was at the fork).
 */
START_TEST(fork_under_load)
{
	pthread_t t[2];

	stop = 0;
	for (int i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, churn, NULL);
	for (int round = 0; round < 10; round++) {
		pid_t pid;
		int status;

		memset(direct, round, SIZE);
		pid = fork();
		ck_assert_int_ge(pid, 0);
		if (pid == 0) {
			struct timespec ts = { 0, 20 * 1000 * 1000 };

			nanosleep(&ts, NULL);
			for (size_t i = 0; i < SIZE; i++)
				if (direct[i] != (unsigned char)round)
					_exit(1);
			_exit(0);
		}
		memset(direct, 0xee, SIZE);
		ck_assert_int_eq(waitpid(pid, &status, 0), pid);
		ck_assert(WIFEXITED(status));
		ck_assert_int_eq(WEXITSTATUS(status), 0);
	}
	stop = 1;
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("fork");
	TCase *tc = tcase_create("core");
	size_t nseg;
	struct ddisim_seg seg[16];
	int nf;

	if (nofork()) {
		/* Isolation is a property of fork mode; nothing to test. */
		printf("fork isolation needs CK_FORK=yes; not run\n");
		return EXIT_SUCCESS;
	}
	if (ddisim_init("scatter=1") != 0) {
		fprintf(stderr, "ddisim_init: %s\n", ddisim_init_error());
		return EXIT_FAILURE;
	}
	direct = kmem_alloc(SIZE, KM_SLEEP);
	{
		physreq_t *p = physreq_alloc(KM_SLEEP);

		p->phys_flags = PREQ_PHYSCONTIG;
		physreq_prep(p, KM_SLEEP);
		kmem_free(direct, SIZE);
		direct = kmem_alloc_physreq(SIZE, p, KM_SLEEP);
		physreq_free(p);
	}
	alias = kmem_alloc(SIZE, KM_SLEEP);
	nseg = ddisim_segments(alias, SIZE, seg, 16);
	if (nseg < 2) {
		fprintf(stderr, "expected a scattered buffer\n");
		return EXIT_FAILURE;
	}
	memset(direct, 0xaa, SIZE);
	memset(alias, 0xbb, SIZE);
	tcase_add_test(tc, child_writes);
	tcase_add_test(tc, sibling_sees_parent_state);
	tcase_add_test(tc, child_writes);
	tcase_add_test(tc, sibling_sees_parent_state);
	tcase_add_test(tc, fork_under_load);
	tcase_add_test(tc, sibling_sees_parent_state);
	suite_add_tcase(s, tc);
	nf = run_suite(s);
	/* The parent's memory is untouched by all of them. */
	for (size_t i = 0; i < SIZE; i++)
		if (direct[i] != 0xaa || alias[i] != 0xbb) {
			fprintf(stderr, "parent RAM changed at %zu\n", i);
			return EXIT_FAILURE;
		}
	kmem_free(direct, SIZE);
	kmem_free(alias, SIZE);
	if (ddisim_outstanding() != 0)
		return EXIT_FAILURE;
	ddisim_shutdown();
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
