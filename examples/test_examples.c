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

#include "lpt.h"
#include "snd.h"

#include <ddicompat/isadma.h>
#include <ddicompat/devsim.h>

DDISIM_CK_MACHINE(aged, "frag=0.6,seed=3");
DDISIM_CK_MACHINE(small, "mem=64M");

/*
 * The printer port the lpt driver drives: a strobe takes the data latch
 * into the device's buffer, sets ACK and raises its line; reading the
 * status clears ACK.  A stalled device ignores strobes.
 */
struct port {
	unsigned char	latch;
	unsigned char	status;
	unsigned char	got[4096];
	size_t		ngot;
	int		stalled;
};

static uint32_t
port_in(void *arg, int port, int width)
{
	struct port *p = arg;
	uint32_t v = 0xff;

	(void)width;
	if (port - 0x378 == LPT_STATUS) {
		v = p->status;
		p->status &= (unsigned char)~LPT_ST_ACK;
	}
	return v;
}

static void
port_out(void *arg, int port, int width, uint32_t v)
{
	struct port *p = arg;

	(void)width;
	if (port - 0x378 == LPT_DATA)
		p->latch = (unsigned char)v;
	else if (port - 0x378 == LPT_CONTROL && (v & LPT_CT_STROBE) &&
	    !p->stalled && p->ngot < sizeof(p->got)) {
		p->got[p->ngot++] = p->latch;
		p->status |= LPT_ST_ACK;
		(void)ddisim_intr_raise(7);
	}
}

static const struct ddisim_port_ops port_ops = { port_in, port_out };

START_TEST(lpt_writes_through_interrupts)
{
	static struct port dev;
	unsigned char buf[2048];
	ddisim_ports_t *ports;
	unsigned seed = 7;

	memset(&dev, 0, sizeof(dev));
	ck_assert_int_eq(ddisim_init("mem=64M,cpus=2"), 0);
	ports = ddisim_port_claim(0x378, 3, &port_ops, &dev, "lpt0");
	ck_assert_int_eq(lpt_attach(ddisim_intr_key(7, 6), 0x378), 0);
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (unsigned char)((seed = seed * 1103515245 + 12345) >>
		    16);
	ck_assert_int_eq(lpt_write(buf, sizeof(buf)), 0);
	ck_assert_uint_eq(dev.ngot, sizeof(buf));
	ck_assert_mem_eq(dev.got, buf, sizeof(buf));
	ck_assert_uint_eq(lpt_interrupts(), sizeof(buf));
	ck_assert_uint_eq(ddisim_clock_callouts(), 0);	/* watchdogs gone */
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	lpt_detach();
	ddisim_port_release(ports);
	ddisim_shutdown();
}
END_TEST

START_TEST(lpt_watchdog_gives_up)
{
	static struct port dev;
	unsigned char c = 'x';
	char pb[256];
	ddisim_ports_t *ports;

	memset(&dev, 0, sizeof(dev));
	dev.stalled = 1;
	ddisim_putbuf_clear();
	ports = ddisim_port_claim(0x378, 3, &port_ops, &dev, "lpt0");
	ck_assert_int_eq(lpt_attach(ddisim_intr_key(7, 6), 0x378), 0);
	ddisim_clock_realtime(1);
	ck_assert_int_eq(lpt_write(&c, 1), EIO);
	ddisim_clock_realtime(0);
	ck_assert_uint_ge(ddisim_clock_now(), 200000);
	(void)ddisim_putbuf(pb, sizeof(pb));
	ck_assert_ptr_nonnull(strstr(pb, "lpt: device not responding"));
	lpt_detach();
	ddisim_port_release(ports);
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
	tcase_add_test(tc, lpt_watchdog_gives_up);
	suite_add_tcase(s, tc);
	tc = tcase_create("core");
	/* machines of their own, slow under Valgrind: a long limit */
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, lpt_writes_through_interrupts);
	tcase_add_test(tc, snd_plays_a_ring_with_auto_initialise);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
