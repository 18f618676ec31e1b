/*
 * test_machine.c - the spec, the RAM layout, fork isolation.
 */
#include <errno.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check_util.h"
#include "machine/machine.h"

static void
expect_reject(const char *spec, const char *key)
{
	int e = ddisim_init(spec);

	ck_assert_int_eq(e, EINVAL);
	ck_assert_msg(strstr(ddisim_init_error(), key) != NULL,
	    "spec \"%s\": message \"%s\" does not name \"%s\"", spec,
	    ddisim_init_error(), key);
	ck_assert_int_eq(ddisim_initialized(), 0);
}

START_TEST(spec_rejects)
{
	expect_reject("bogus=1", "bogus");
	expect_reject("mem=12Q", "mem");
	expect_reject("mem=", "mem");
	expect_reject("nodes=0", "nodes");
	expect_reject("nodes=9", "nodes");
	expect_reject("nodes=2:4G:5G", "nodes");
	expect_reject("cpus=65", "cpus");
	expect_reject("hole=3G-2G", "hole");
	expect_reject("hole=1G-2G,hole=1500M-3G", "hole");
	expect_reject("page=3000", "page");
	expect_reject("frag=0.99", "frag");
	expect_reject("frag=abc", "frag");
	expect_reject("seed=1K", "seed");
	expect_reject("failrate=2", "failrate");
	expect_reject("verify=maybe", "verify");
	expect_reject("audit=some", "audit");
	expect_reject("scatter=2", "scatter");
	expect_reject("mem=1G,nodes=2:2G", "nodes");
	expect_reject("mem=16T", "mem");
	expect_reject("mem=1G,,cpus=2", "empty");
	expect_reject("mem", "key=value");
	expect_reject("mem=0x12345", "mem");
	expect_reject("mem=1G,hole=1000-8192", "hole");
	expect_reject("maps=8", "maps");
	expect_reject("mem=0xfffff00010000000,hole=0x1000-0x100000001000",
	    "mem");
	expect_reject("mem=1G,hole=0x1000-0x100000001000", "hole");
}
END_TEST

START_TEST(default_layout)
{
	struct ddisim_info di;

	MACHINE_UP(NULL);
	ck_assert_int_eq(ddisim_info(&di), 0);
	ck_assert_uint_eq(di.mem, UINT64_C(8) << 30);
	ck_assert_int_eq(di.nodes, 2);
	ck_assert_int_eq(di.cpus, 4);
	ck_assert_uint_eq(di.page, 4096);
	/* RAM 0-640K, hole, RAM 1M-3G, PCI hole, RAM from 4G. */
	ck_assert_uint_eq(di.range[0].start, 0);
	ck_assert_uint_eq(di.range[0].end, 640 * 1024);
	ck_assert_int_eq(di.range[0].node, 0);
	ck_assert_int_eq(di.range[1].node, -1);
	ck_assert_uint_eq(di.range[2].start, 1 << 20);
	ck_assert_uint_eq(di.range[2].end, UINT64_C(3) << 30);
	ck_assert_int_eq(di.range[3].node, -1);
	ck_assert_uint_eq(di.range[4].start, UINT64_C(4) << 30);
	ck_assert_int_eq(di.range[4].node, 1);
	/* holes push RAM up: top = mem + holes below it */
	ck_assert_uint_eq(di.top, (UINT64_C(8) << 30) + (UINT64_C(1) << 30) +
	    384 * 1024);
	ck_assert_uint_eq(di.total_pages[0][0], (16 << 20) / 4096 - 96);
	ck_assert_uint_eq(di.total_pages[1][0], 0);
	ck_assert_uint_eq(di.total_pages[1][1], 0);
	ck_assert_uint_eq(di.total_pages[1][2], (di.top - (UINT64_C(4) << 30))
	    / 4096);
	/*
	 * The jemalloc arenas exist by now, and their metadata took nothing
	 * from simulated RAM: every page is free but page 0.
	 */
	ck_assert_uint_eq(di.free_pages[0][0], di.total_pages[0][0] - 1);
	ck_assert_uint_eq(di.free_pages[0][1], di.total_pages[0][1]);
	ck_assert_uint_eq(di.free_pages[1][2], di.total_pages[1][2]);
	MACHINE_DOWN();
}
END_TEST

START_TEST(equal_nodes_and_cpus)
{
	struct ddisim_info di;

	MACHINE_UP("mem=4G,nodes=4,cpus=8");
	ddisim_info(&di);
	ck_assert_uint_eq(di.top, UINT64_C(4) << 30);
	for (int n = 0; n < 4; n++) {
		uint64_t t = 0;

		for (int z = 0; z < DDISIM_ZONES; z++)
			t += di.total_pages[n][z];
		ck_assert_uint_eq(t, (UINT64_C(1) << 30) / 4096);
	}
	ddisim_set_cpu(5);
	ck_assert_int_eq(ddisim_get_cpu(), 5);
	ck_assert_int_eq(machine_node(), 2);
	MACHINE_DOWN();
}
END_TEST

START_TEST(reinit_fresh)
{
	for (int i = 0; i < 3; i++) {
		MACHINE_UP("mem=64M,cpus=2");
		ck_assert_int_eq(ddisim_init("mem=64M"), EBUSY);
		MACHINE_DOWN();
	}
}
END_TEST

START_TEST(big_machine_is_cheap)
{
	struct ddisim_info di;
	/* Valgrind cannot give one process 68 GiB of address space. */
	unsigned gib = under_valgrind() ? 16 : 64;
	char spec[64];

	snprintf(spec, sizeof(spec), "mem=%uG,nodes=4", gib);
	MACHINE_UP(spec);
	ddisim_info(&di);
	ck_assert_uint_eq(di.mem, (uint64_t)gib << 30);
	ck_assert_uint_eq(di.total_pages[3][3], 0);
	MACHINE_DOWN();
}
END_TEST

static Suite *
machine_suite(void)
{
	Suite *s = suite_create("machine");
	TCase *tc = tcase_new("core");

	tcase_add_test(tc, default_layout);
	tcase_add_test(tc, equal_nodes_and_cpus);
	tcase_add_test(tc, reinit_fresh);
	suite_add_tcase(s, tc);
	tc = tcase_new("limits");
	tcase_add_test(tc, big_machine_is_cheap);
	suite_add_tcase(s, tc);
	tc = tcase_new("misuse");
	tcase_add_test(tc, spec_rejects);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return run_suite(machine_suite()) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
