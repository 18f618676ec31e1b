/*
 * test_fd.c - a floppy-like driver (tests/fd) on the 8237 model: the
 * controller the test plays moves 512-byte sectors by asserting DREQ on
 * the driver's channel, and interrupts when it is done.  Random requests
 * from low and from anywhere in memory round-trip byte for byte, on an
 * 8-bit and a 16-bit channel, for DDI 7.1 and for the ODDI.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>

#include <sys/types.h>
#include <sys/kmem.h>
#include <sys/buf.h>
#include <sys/ddi.h>

#include <ddicompat/isadma.h>

#include "fd/fd.h"
#include "exports.h"		/* names the version here does not declare */
#include "lib/testutil.h"

#define IRQ	6
#define SECTORS	2880			/* a 1.44 MB diskette */
#define DISK	(SECTORS * 512)

void	fdo_hold(int on);

/* The floppy controller: its registers and the diskette in its DMA side. */
static struct fdc {
	ddisim_isadev_t	*dev;
	int		chan;
	uint32_t	sector, count, status;
	unsigned long	commands, failed;
} fdc;

static uint32_t
fdc_in(void *arg, int port, int width)
{
	(void)arg;
	(void)width;
	return port - FD_PORT == FD_STATUS ? fdc.status : 0;
}

static void
fdc_out(void *arg, int port, int width, uint32_t v)
{
	size_t unit = fdc.chan < 4 ? 1 : 2, want, got;

	(void)arg;
	(void)width;
	switch (port - FD_PORT) {
	case FD_SECTOR:
		fdc.sector = v;
		break;
	case FD_COUNT:
		fdc.count = v;
		break;
	case FD_STATUS:
		fdc.status = 0;
		break;
	case FD_CMD:
		/* one DREQ per byte (word) of the sectors, to the end */
		fdc.commands++;
		want = (size_t)fdc.count * 512 / unit;
		got = fdc.sector + fdc.count <= SECTORS ?
		    ddisim_isadev_dreq(fdc.dev, (size_t)fdc.sector * 512,
		    want) : 0;
		fdc.status = got == want && ddisim_isadev_tc(fdc.dev) ?
		    FD_OK : FD_FAIL;
		if (fdc.status != FD_OK)
			fdc.failed++;
		(void)ddisim_intr_raise(IRQ);
		break;
	}
}

static const struct ddisim_port_ops fdc_ops = { fdc_in, fdc_out };

static ddisim_ports_t *
fdc_up(int chan)
{
	ddisim_ports_t *p;

	memset(&fdc, 0, sizeof(fdc));
	fdc.chan = chan;
	fdc.dev = ddisim_isadev_create(chan, -1, DISK, "fdc");
	ck_assert_ptr_nonnull(fdc.dev);
	p = ddisim_port_claim(FD_PORT, 16, &fdc_ops, NULL, "fdc");
	ck_assert_ptr_nonnull(p);
	return p;
}

/* The driver of a run: DDI 7.1 or ODDI. */
static int oddi;

static void
strat(buf_t *bp)
{
	if (oddi)
		fdo_strategy(bp);
	else
		fd7_strategy(bp);
}

static int
io(void *data, size_t len, uint64_t off, int rd, size_t *resid)
{
	buf_t *bp = getrbuf(KM_SLEEP);
	int e;

	bp->b_flags |= rd ? B_READ : B_WRITE;
	bp->b_addrtype = BA_KVIRT;
	bp->b_un.b_addr = data;
	bp->b_bcount = (uint_t)len;
	bp->b_blkno = (daddr_t)(off / 512);
	bp->b_edev = makedevice(2, 0);
	strat(bp);
	e = biowait(bp);
	if (resid != NULL)
		*resid = bp->b_resid;
	freerbuf(bp);
	return e;
}

/* _i: 0 DDI 7.1 on channel 2, 1 on channel 5, 2 ODDI on 2, 3 on 5. */
START_TEST(round_trips)
{
	int chan = _i % 2 ? 5 : 2;
	long iters = prop_floor(prop_iters(100000) / 500, 30);
	struct ddisim_chan ch[8];
	ddisim_ports_t *ports;
	uint8_t *model, *store;
	unsigned long lowbufs = 0, anywhere = 0;

	oddi = _i >= 2;
	MACHINE_UP("frag=0.1,seed=11");
	ddisim_verify_set_policy(DDISIM_VERIFY_COUNT);
	ddisim_cpu_set(0);
	ports = fdc_up(chan);
	ck_assert_int_eq(oddi ? fdo_attach(chan, IRQ) : fd7_attach(chan, IRQ),
	    0);
	store = ddisim_isadev_buf(fdc.dev, NULL);
	ck_assert_ptr_nonnull(model = calloc(1, DISK));
	prop_seed(0xfd00u + (unsigned)_i);
	for (long i = 0; i < iters; i++) {
		size_t n = 1 + rndn(36), len = n * 512, resid = 1;
		uint64_t off = rndn(SECTORS - n + 1) * 512;
		int rd = rndn(2), lo = rndn(2);
		uint8_t *b = lo ? buf_below(len, 24, 512, 128 * 1024, NULL) :
		    kmem_alloc(len, KM_SLEEP);
		int e;

		ck_assert_ptr_nonnull(b);
		if (!rd)
			fill_rnd(b, len);
		e = io(b, len, off, rd, &resid);
		ck_assert_msg(e == 0 && resid == 0, "%s of %zu sectors at %llu: "
		    "error %d, resid %zu; %s", rd ? "read" : "write", n,
		    (unsigned long long)off / 512, e, resid,
		    ddisim_verify_count() ? ddisim_verify_last() : "no report");
		if (rd)
			ck_assert_msg(memcmp(b, model + off, len) == 0,
			    "read of %zu sectors at %llu differs", n,
			    (unsigned long long)off / 512);
		else
			memcpy(model + off, b, len);
		lowbufs += lo;
		anywhere += !lo;
		kmem_free(b, len);
	}
	ck_assert_mem_eq(store, model, DISK);
	ck_assert_msg(ddisim_verify_count() == 0, "%s", ddisim_verify_last());
	ck_assert_uint_eq(fdc.failed, 0);
	ck_assert_uint_ge(fdc.commands, (unsigned long)iters);
	ck_assert_uint_gt(lowbufs, 0);
	ck_assert_uint_gt(anywhere, 0);
	/* the channel is free again, and moved every byte */
	ck_assert_int_eq(ddisim_isadma_channels(ch), 8);
	ck_assert_int_eq(ch[chan].owner, DDISIM_CHAN_FREE);
	ck_assert(ch[chan].masked);
	ck_assert_uint_gt(ch[chan].transfers, 0);
	if (oddi)
		fdo_detach();
	else
		fd7_detach();
	ddisim_port_release(ports);
	ddisim_isadev_destroy(fdc.dev);
	free(model);
	MACHINE_DOWN();
}
END_TEST

/* ODDI: a request for a channel someone holds waits in its queue. */
struct waiter {
	uint8_t	*b;
	int	e;
};

static void *
wait_io(void *arg)
{
	struct waiter *w = arg;

	w->e = io(w->b, 1024, 4096, 0, NULL);
	return NULL;
}

START_TEST(dma_start_queues)
{
	struct ddisim_chan ch[8];
	struct waiter w;
	ddisim_ports_t *ports;
	pthread_t t;
	uint8_t *store;

	MACHINE_UP(NULL);
	ddisim_cpu_set(0);
	oddi = 1;
	ports = fdc_up(2);
	ck_assert_int_eq(fdo_attach(2, IRQ), 0);
	store = ddisim_isadev_buf(fdc.dev, NULL);
	w.b = buf_below(1024, 24, 512, 128 * 1024, NULL);
	memset(w.b, 0xab, 1024);
	fdo_hold(1);			/* another driver has the channel */
	ck_assert_int_eq(pthread_create(&t, NULL, wait_io, &w), 0);
	/* the request is queued once the channel's registry says so */
	do {
		sched_yield();
		ddisim_isadma_channels(ch);
	} while (ch[2].queued == 0);
	ck_assert_uint_eq(ch[2].queued, 1);
	ck_assert_int_eq(ch[2].owner, DDISIM_CHAN_ODDI);
	ck_assert_uint_eq(fdc.commands, 0);
	fdo_hold(0);			/* dma_relse grants it to the queue */
	pthread_join(t, NULL);
	ck_assert_int_eq(w.e, 0);
	ck_assert_uint_ge(fdc.commands, 2);	/* 512-byte pieces */
	ck_assert_mem_eq(store + 4096, w.b, 1024);
	kmem_free(w.b, 1024);
	fdo_detach();
	ddisim_port_release(ports);
	ddisim_isadev_destroy(fdc.dev);
	MACHINE_DOWN();
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("fd");
	TCase *tc;

	tc = tcase_new("round trips");
	tcase_add_loop_test(tc, round_trips, 0, 4);
	suite_add_tcase(s, tc);
	tc = tcase_new("oddi");
	tcase_add_test(tc, dma_start_queues);
	suite_add_tcase(s, tc);
	return run_suite(s) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
