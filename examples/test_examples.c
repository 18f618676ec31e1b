/*
 * test_examples.c - the example drivers on an aged machine, checked the
 * way a driver writer would check a port: every physical address the
 * driver gives its device is right, in reach, and aligned.
 */
#include <check.h>
#include <stdlib.h>

#include <ddicompat/ddisim.h>

#include "hba.h"
#include "isa.h"

START_TEST(hba_ccbs_and_sense)
{
	ck_assert_int_eq(ddisim_init("frag=0.6,seed=3"), 0);
	ck_assert_int_eq(hba_init(), 0);
	for (int i = 0; i < hba_nccb(); i++) {
		uint32_t pa;
		uint64_t real;
		void *ccb = hba_ccb(i, &pa);
		void *sense = hba_sense(i);

		ck_assert_int_eq(ddisim_vtop(ccb, &real), 0);
		ck_assert_uint_eq(real, pa);		/* the device's view */
		ck_assert_uint_eq(pa % 128, 0);
		ck_assert_int_eq(ddisim_vtop(sense, &real), 0);
		ck_assert_uint_lt(real, UINT64_C(1) << 32);
		ck_assert_uint_eq(real / 4096, (real + 63) / 4096);
	}
	hba_fini();
	ck_assert_uint_eq(ddisim_outstanding(), 0);
	ddisim_shutdown();
}
END_TEST

START_TEST(isa_buffer_reachable)
{
	struct ddisim_seg seg[4];
	uint32_t pa;

	ck_assert_int_eq(ddisim_init("frag=0.6,seed=3"), 0);
	ck_assert_int_eq(isa_init(&pa), 0);
	ck_assert_uint_eq(ddisim_segments(isa_buffer(), isa_bufsize(), seg, 4),
	    1);
	ck_assert_uint_eq(seg[0].pa, pa);
	ck_assert_uint_le(pa + isa_bufsize(), UINT64_C(1) << 24);
	isa_fini();
	ck_assert_uint_eq(ddisim_outstanding(), 0);
	ddisim_shutdown();
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("examples");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int nf;

	tcase_add_test(tc, hba_ccbs_and_sense);
	tcase_add_test(tc, isa_buffer_reachable);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
