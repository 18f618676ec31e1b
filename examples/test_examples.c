/*
 * test_examples.c - the example drivers on an aged machine, checked the
 * way a driver writer would check a port: every physical address the
 * driver gives its device is right, in reach, and aligned.
 *
 * The machines come from <ddicompat/check.h>: the aged one is built once
 * and each test runs on a copy (Check's fork), the small one is built for
 * each test; either fails a test that leaks, with the leak report.  The
 * other tests build machines of their own.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <ddicompat/check.h>

#include <sys/types.h>
#include <sys/stream.h>

#include "snd.h"
#include "rmdev.h"

#include <ddicompat/isadma.h>
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

/*
 * The sound card: it plays a half of the ring at a time by asserting
 * DREQ on its 16-bit channel, into a record of all it played, and
 * interrupts after each half.
 */
static unsigned long snd_next;		/* the next sample byte to give */

static void
snd_stream(unsigned char *dst, size_t len)
{
	for (size_t i = 0; i < len; i++, snd_next++)
		dst[i] = (unsigned char)(snd_next * 7 + (snd_next >> 9));
}

static int snd_playing;

static uint32_t
snd_in(void *arg, int port, int width)
{
	(void)arg;
	(void)port;
	(void)width;
	return (uint32_t)snd_playing;
}

static void
snd_out(void *arg, int port, int width, uint32_t v)
{
	(void)arg;
	(void)port;
	(void)width;
	snd_playing = v == SND_GO;
}

static const struct ddisim_port_ops snd_ops = { snd_in, snd_out };

START_TEST(snd_plays_a_ring_with_auto_initialise)
{
	const size_t half = SND_RING / 2, nhalves = 12;
	ddisim_isadev_t *card;
	ddisim_ports_t *ports;
	unsigned char *heard;

	ck_assert_int_eq(ddisim_init("mem=256M,frag=0.3,seed=4"), 0);
	snd_next = 0;
	snd_playing = 0;
	ports = ddisim_port_claim(0x220, 1, &snd_ops, NULL, "snd0");
	ck_assert_ptr_nonnull(card = ddisim_isadev_create(5, 5, half * nhalves,
	    "snd0"));
	ck_assert_int_eq(snd_attach(ddisim_intr_key(5, 5), 0x220, 5,
	    snd_stream), 0);
	ck_assert_int_eq(snd_playing, 1);
	for (size_t k = 0; k < nhalves; k++) {
		/* words: half the bytes; every second half ends the ring */
		ck_assert_uint_eq(ddisim_isadev_dreq(card, k * half, half / 2),
		    half / 2);
		ck_assert_int_eq(ddisim_isadev_tc(card), k % 2 == 1);
	}
	ck_assert_uint_eq(snd_halves(), nhalves);
	/* the card heard the stream in order, across every reload */
	heard = ddisim_isadev_buf(card, NULL);
	for (size_t i = 0; i < half * nhalves; i++)
		ck_assert_uint_eq(heard[i], (unsigned char)(i * 7 + (i >> 9)));
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	snd_detach();
	ck_assert_int_eq(snd_playing, 0);
	ddisim_isadev_destroy(card);
	ddisim_port_release(ports);
	ddisim_shutdown();
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
	tc = tcase_create("core");
	/* machines of their own, slow under Valgrind: a long limit */
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, snd_plays_a_ring_with_auto_initialise);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
