/*
 * test_examples.c - the example drivers on an aged machine, checked the
 * way a driver writer would check a port: every physical address the
 * driver gives its device is right, in reach, and aligned.
 *
 * The machines come from <ddicompat/check.h>: the aged one is built once
 * and each test runs on a copy (Check's fork), the small one is built for
 * each test; either fails a test that leaks, with the leak report.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <ddicompat/check.h>

#include <sys/types.h>
#include <sys/stream.h>

#include "rmdev.h"

#include <ddicompat/devsim.h>

DDISIM_CK_MACHINE(aged, "frag=0.6,seed=3");
DDISIM_CK_MACHINE(small, "mem=64M");

/*
 * The resource manager driver, built at DDI 7 and at DDI 8, on the same
 * board: a DMA device, which the resource manager lists by its name.
 * Each finds the board's ports, memory and interrupt there, reads the
 * board's status register, takes its interrupt, and reads blocks through
 * the registers it maps (physmap at DDI 7, devmem_mapin at DDI 8).
 */
START_TEST(rmdev_finds_its_board_at_two_versions)
{
	struct ddisim_dma_config c = {
		.model = DDISIM_DMA_SINGLE, .addr_bits = 32, .capacity = 4096,
		.port = 0x600, .irq = 9, .name = "rmdev", .mmio = 0xe0000000,
	};
	ddisim_dma_t *d;
	unsigned char *store, out[512];

	d = ddisim_dma_create(&c);
	ck_assert_ptr_nonnull(d);
	store = ddisim_dma_store(d, NULL);
	for (unsigned i = 0; i < 4096; i++)
		store[i] = (unsigned char)(i * 3 + i / 512);

	ck_assert_int_eq(rmdev7_attach(1), -1);	/* one board only */
	ck_assert_int_eq(rmdev7_attach(0), 0);
	ck_assert_uint_eq(rmdev7_ports(), DDISIM_DMA_NPORTS);
	ck_assert_uint_eq(rmdev7_bus(), 0x04);	/* CM_BUS_PCI */
	ck_assert_uint_eq(rmdev7_status(), 0);	/* idle */
	ck_assert_int_eq(ddisim_intr_raise(9), 1);
	ck_assert_int_eq(rmdev7_intrs(), 1);
	ck_assert_uint_eq(rmdev7_mem(), 0xe0000000);
	ck_assert_int_eq(rmdev7_read(3, out), 0);
	ck_assert_int_eq(memcmp(out, store + 3 * 512, 512), 0);
	ck_assert_int_eq(rmdev7_intrs(), 2);	/* the end of the read */
	rmdev7_detach();

	ck_assert_int_eq(rmdev8_attach(ddisim_dma_key(d)), 0);
	ck_assert_uint_eq(rmdev8_ports(), DDISIM_DMA_NPORTS);
	ck_assert_uint_eq(rmdev8_status(), 2);	/* the DDI 7 read's done */
	ck_assert_int_eq(ddisim_intr_raise(9), 1);
	ck_assert_int_eq(rmdev8_intrs(), 1);
	ck_assert_uint_eq(rmdev8_mem(), 0xe0000000);
	ck_assert_int_eq(rmdev8_read(5, out), 0);
	ck_assert_int_eq(memcmp(out, store + 5 * 512, 512), 0);
	ck_assert_int_eq(rmdev8_read(6, out), 0);
	ck_assert_int_eq(memcmp(out, store + 6 * 512, 512), 0);
	rmdev8_detach();

	ddisim_dma_destroy(d);
	ck_assert_ddisim_no_report();
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("examples");
	TCase *tc = tcase_create("aged");
	SRunner *sr;
	int nf;

	ddisim_ck_shared(tc, aged);
	suite_add_tcase(s, tc);
	tc = tcase_create("small");
	ddisim_ck_fresh(tc, small);
	tcase_add_test(tc, rmdev_finds_its_board_at_two_versions);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
