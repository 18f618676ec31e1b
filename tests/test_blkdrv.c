/*
 * test_blkdrv.c - a block driver (tests/blk) on the simulated bus-master
 * devices, for the breakup control blocks of real hardware: random
 * writes and reads of random data through scattered, contiguous, user
 * and page-list buffers, checked byte for byte against a model of the
 * disk, with the audit watching every byte the device touches.
 */
#include <errno.h>
#include <pthread.h>

#include <sys/types.h>
#include <sys/kmem.h>
#include <sys/buf.h>
#include <sys/uio.h>
#include <sys/ddi.h>

#include <ddicompat/devsim.h>

#include "blk/blk.h"
#include "exports.h"		/* names the version here does not declare */
#include "lib/testutil.h"

#define PORT	0x6000
#define IRQ	9
#define DISK	(4u << 20)

/* A unit: its device, and how the driver meets it. */
struct setup {
	const char	*name;
	int		ddi8;		/* the DDI 8 build, and the harness */
	struct ddisim_dma_config dev;
	struct blk_conf	blk;
	size_t		maxlen;		/* longest request */
	int		types;		/* buffer kinds tried: K_* bits */
	int		bounces;	/* some requests must be copied */
};

#define K_KMEM		0x01		/* kmem_alloc: may be scattered */
#define K_CONFORM	0x02		/* kmem_alloc_physreq(bcb's physreq) */
#define K_USER		0x04		/* raw I/O from a user process */
#define K_PAGES		0x08		/* a page list */
#define K_ALL		0x0f

static const struct setup setups[] = {
	{
		/* an ISA bus master: 24 bits, 64 KiB pages, no list */
		"isa", 0,
		{ .model = DDISIM_DMA_SINGLE, .addr_bits = 24,
		  .count_bits = 16, .boundary = 65536, .capacity = DISK,
		  .port = PORT, .irq = IRQ, .name = "isa0" },
		{ .port = PORT, .irq = IRQ, .model = DDISIM_DMA_SINGLE,
		  .sector = 512, .addrtypes = BA_KVIRT, .dmasize = 24,
		  .align = 2, .boundary = 65536, .contig = 1,
		  .max_xfer = 32768, .granularity = 512,
		  .nblocks = DISK / 512 },
		96 * 1024, K_ALL, 1
	},
	{
		/* a SCSI adapter: 32 bits, 512-byte aligned, 17 pairs */
		"scsi", 0,
		{ .model = DDISIM_DMA_ONCHIP, .addr_bits = 32,
		  .align = 512, .max_pairs = 17, .capacity = DISK,
		  .port = PORT, .irq = IRQ, .async = 1, .name = "scsi0" },
		{ .port = PORT, .irq = IRQ, .model = DDISIM_DMA_ONCHIP,
		  .sector = 512, .addrtypes = BA_SCGTH, .dmasize = 32,
		  .align = 512, .max_scgth = 17, .max_xfer = 65536,
		  .granularity = 512, .nblocks = DISK / 512 },
		160 * 1024, K_ALL, 1
	},
	{
		/* DDI 8: 64-bit descriptor lists, the kernel's breakup */
		"ddi8", 1,
		{ .model = DDISIM_DMA_DESC, .addr_bits = 64, .desc64 = 1,
		  .max_pairs = 32, .capacity = DISK, .port = PORT,
		  .irq = IRQ, .async = 1, .name = "hba0" },
		{ .port = PORT, .irq = IRQ, .model = DDISIM_DMA_DESC,
		  .sector = 512, .addrtypes = BA_SCGTH, .dmasize = 64,
		  .align = 4, .max_scgth = 32, .granularity = 512,
		  .nblocks = DISK / 512 },
		160 * 1024, K_KMEM | K_CONFORM | K_USER | K_PAGES, 1
	},
	{
		/* a CD drive: 2352-byte sectors, a page per interrupt */
		"cd", 0,
		{ .model = DDISIM_DMA_FRAGMENT, .addr_bits = 32,
		  .sector = 2352, .capacity = 2352 * 1700, .port = PORT,
		  .irq = IRQ, .name = "cd0" },
		{ .port = PORT, .irq = IRQ, .model = DDISIM_DMA_FRAGMENT,
		  .sector = 2352, .addrtypes = BA_KVIRT, .dmasize = 32,
		  .align = 1, .max_xfer = 2352 * 12, .granularity = 2352,
		  .sync = 1, .nblocks = 2352 * 1700 / 512 },
		2352 * 30, K_KMEM | K_CONFORM | K_PAGES, 0
	},
	{
		/* DDI 8 on-chip lists of 32-bit pairs, synchronous */
		"ddi8-onchip", 1,
		{ .model = DDISIM_DMA_ONCHIP, .addr_bits = 32,
		  .max_pairs = 8, .capacity = DISK, .port = PORT,
		  .irq = IRQ, .name = "hba1" },
		{ .port = PORT, .irq = IRQ, .model = DDISIM_DMA_ONCHIP,
		  .sector = 512, .addrtypes = BA_SCGTH, .dmasize = 32,
		  .align = 4, .max_scgth = 8, .boundary = 1u << 20,
		  .granularity = 512, .sync = 1, .nblocks = DISK / 512 },
		96 * 1024, K_KMEM | K_CONFORM | K_PAGES, 0
	},
};
#define NSETUPS	(sizeof(setups) / sizeof(setups[0]))

/* The driver of a setup, by build. */
static int
setup_attach(const struct setup *s)
{
	return s->ddi8 ? blk8_attach(0, &s->blk) : blk7_attach(0, &s->blk);
}

static void
setup_detach(const struct setup *s)
{
	if (s->ddi8)
		blk8_detach(0);
	else
		blk7_detach(0);
}

static void
drv_strategy(const struct setup *s, buf_t *bp)
{
	if (s->ddi8)
		blk8_strategy(bp);
	else
		blk7_strategy(bp);
}

static physreq_t *
drv_physreq(const struct setup *s)
{
	return s->ddi8 ? blk8_physreq(0) : blk7_physreq(0);
}

static int
drv_rw(const struct setup *s, uio_t *u, int rd)
{
	if (s->ddi8)
		return rd ? blk8_read(makedevice(7, 0), u) :
		    blk8_write(makedevice(7, 0), u);
	return rd ? blk7_read(makedevice(7, 0), u) :
	    blk7_write(makedevice(7, 0), u);
}

/* Whether every piece of [p, p+len) meets what the unit needs as is. */
static int
conforms(const struct setup *s, const void *p, size_t len)
{
	const physreq_t want = {
		.phys_align = (paddr_t)s->blk.align,
		.phys_boundary = (paddr_t)s->blk.boundary,
		.phys_dmasize = (uchar_t)s->blk.dmasize,
		.phys_flags = s->blk.contig ? PREQ_PHYSCONTIG : 0
	};

	return preq_meets(p, len, &want);
}

/* One kernel request through the driver's strategy routine. */
static int
kio(const struct setup *s, void *addr, size_t len, uint64_t off, int rd,
    struct page *pages, size_t *resid)
{
	buf_t *bp = getrbuf(KM_SLEEP);
	int e;

	ck_assert_ptr_nonnull(bp);
	if (pages != NULL) {
		bp->b_addrtype = BA_PAGELIST;
		bp->b_flags |= B_PAGEIO;
		bp->b_pages = pages;
		bp->b_un.b_addr = 0;
	} else {
		bp->b_addrtype = BA_KVIRT;
		bp->b_un.b_addr = addr;
	}
	bp->b_flags |= rd ? B_READ : B_WRITE;
	bp->b_edev = makedevice(7, 0);
	bp->b_bcount = (uint_t)len;
	bp->b_blkno = (daddr_t)(off / 512);
	bp->b_blkoff = (ushort_t)(off % 512);
	drv_strategy(s, bp);
	e = biowait(bp);
	if (resid != NULL)
		*resid = bp->b_resid;
	freerbuf(bp);
	return e;
}

/* A page list's bytes [0, len) to or from flat memory. */
static void
pages_copy(struct page *pp, uint8_t *flat, size_t len, int to_pages)
{
	for (size_t off = 0; off < len; off += 4096, pp = ddisim_page_next(
	    pp)) {
		size_t n = len - off < 4096 ? len - off : 4096;

		if (to_pages)
			memcpy(ddisim_page_addr(pp), flat + off, n);
		else
			memcpy(flat + off, ddisim_page_addr(pp), n);
	}
}

struct tally {
	unsigned long	ops, conforming, bounced_any;
};

/*
 * One random request: a kind of buffer, a place and a length in whole
 * granules, a direction; the data checked against the model.
 */
static void
one_request(const struct setup *s, uint8_t *model, uint64_t cap,
    struct proc *pr, struct tally *t)
{
	size_t g = s->blk.granularity, maxg = s->maxlen / g;
	size_t len = (1 + rndn(maxg)) * g;
	uint64_t off = rndn((size_t)((cap - len) / g + 1)) * g;
	int rd = rndn(2), kind;
	uint64_t b0, b1;
	uint8_t *data = malloc(len);
	size_t resid = 99;
	int e;

	do
		kind = 1 << rndn(4);
	while (!(s->types & kind));
	/* memory that meets a boundary is no longer than it */
	if (kind == K_CONFORM && s->blk.boundary != 0 && len >
	    s->blk.boundary) {
		len = s->blk.boundary;
		off = rndn((size_t)((cap - len) / g + 1)) * g;
	}
	ck_assert_ptr_nonnull(data);
	if (!rd)
		fill_rnd(data, len);
	ddisim_breakup_stats(&b0, NULL);
	if (kind == K_KMEM || kind == K_CONFORM) {
		/* kmem_alloc at an offset, or memory the unit takes as is */
		size_t skew = kind == K_KMEM ? rndn(4) * 4 : 0;
		uint8_t *raw = kind == K_KMEM ? kmem_alloc(len + skew,
		    KM_SLEEP) : kmem_alloc_physreq(len, drv_physreq(s),
		    KM_SLEEP);
		int ok;

		ck_assert_ptr_nonnull(raw);
		ok = conforms(s, raw + skew, len);
		if (kind == K_CONFORM)
			ck_assert_msg(ok, "%s: kmem_alloc_physreq's memory "
			    "does not conform", s->name);
		if (!rd)
			memcpy(raw + skew, data, len);
		e = kio(s, raw + skew, len, off, rd, NULL, &resid);
		if (rd)
			memcpy(data, raw + skew, len);
		kmem_free(raw, len + skew);
		t->conforming += ok;
		ddisim_breakup_stats(&b1, NULL);
		if (ok)
			ck_assert_msg(b1 == b0, "%s: %zu bytes at %llu that "
			    "conform went through a bounce buffer", s->name,
			    len, (unsigned long long)off);
	} else if (kind == K_PAGES) {
		struct page *pp = ddisim_pagelist_create((len + 4095) / 4096,
		    s->blk.dmasize == 24 ? (UINT64_C(1) << 24) : 0);

		ck_assert_ptr_nonnull(pp);
		if (!rd)
			pages_copy(pp, data, len, 1);
		e = kio(s, NULL, len, off, rd, pp, &resid);
		if (rd)
			pages_copy(pp, data, len, 0);
		ddisim_pagelist_destroy(pp);
	} else {
		/* raw I/O from the process: its pages are scattered */
		uint8_t *ua = (uint8_t *)ddisim_proc_base(pr) +
		    rndn(ddisim_proc_size(pr) - len + 1);
		iovec_t iov = { (caddr_t)ua, (int)len };
		uio_t u = { .uio_iov = &iov, .uio_iovcnt = 1,
		    .uio_offset = (int32_t)off, .uio_segflg = UIO_USERSPACE,
		    .uio_resid = (int)len };

		if (!rd)
			ck_assert_int_eq(ddisim_proc_write(pr, ua, data, len),
			    0);
		ddisim_proc_enter(pr);
		e = drv_rw(s, &u, rd);
		ddisim_proc_enter(NULL);
		resid = (size_t)u.uio_resid;
		if (rd)
			ck_assert_int_eq(ddisim_proc_read(pr, ua, data, len),
			    0);
	}
	ck_assert_msg(e == 0 && resid == 0, "%s: %s of %zu bytes at %llu "
	    "(kind %d): error %d, resid %zu; %s", s->name, rd ? "read" :
	    "write", len, (unsigned long long)off, kind, e, resid,
	    ddisim_verify_count() ? ddisim_verify_last() : "no report");
	if (rd)
		ck_assert_msg(memcmp(data, model + off, len) == 0,
		    "%s: read of %zu bytes at %llu (kind %d) differs",
		    s->name, len, (unsigned long long)off, kind);
	else
		memcpy(model + off, data, len);
	ddisim_breakup_stats(&b1, NULL);
	t->bounced_any += b1 != b0;
	t->ops++;
	free(data);
}

START_TEST(random_round_trips)
{
	const struct setup *s = &setups[_i];
	/* 40: enough for every outcome to occur */
	long iters = prop_floor(prop_iters(100000) / 200, 40);
	struct ddisim_dma_stats st;
	struct tally t = { 0, 0, 0 };
	ddisim_dma_t *d;
	struct proc *pr;
	uint8_t *model, *store;
	uint64_t cap;

	MACHINE_UP(_i % 2 ? "mem=2G,scatter=1,frag=0.3,seed=5" :
	    "frag=0.2,seed=3");
	ddisim_verify_set_policy(DDISIM_VERIFY_COUNT);
	ddisim_cpu_set(0);
	ck_assert_ptr_nonnull(d = ddisim_dma_create(&s->dev));
	ck_assert_int_eq(setup_attach(s), 0);
	store = ddisim_dma_store(d, &cap);
	ck_assert_ptr_nonnull(model = calloc(1, (size_t)cap));
	ck_assert_ptr_nonnull(pr = ddisim_proc_create(s->maxlen + 65536,
	    s->blk.dmasize == 24 ? (UINT64_C(1) << 24) : 0));
	prop_seed(0x5eed0000u + (unsigned)_i);
	for (long i = 0; i < iters; i++)
		one_request(s, model, cap, pr, &t);
	ddisim_dma_idle(d);
	ck_assert_msg(memcmp(store, model, (size_t)cap) == 0,
	    "%s: the disk differs from the model", s->name);
	ddisim_dma_stats(d, &st);
	ck_assert_uint_eq(st.faults, 0);
	ck_assert_uint_eq(st.failed, 0);
	ck_assert_msg(ddisim_verify_count() == 0, "%s: %s", s->name,
	    ddisim_verify_last());
	ck_assert_uint_gt(st.commands, (uint64_t)iters);
	/* in place, and (where the unit's needs make it so) bounced */
	ck_assert_uint_gt(t.conforming, 0);
	ck_assert_uint_lt(t.bounced_any, t.ops);
	if (s->bounces)
		ck_assert_uint_gt(t.bounced_any, 0);
	ddisim_proc_destroy(pr);
	setup_detach(s);
	ddisim_dma_destroy(d);
	free(model);
	MACHINE_DOWN();
}
END_TEST

/*
 * The device fails piece k of a request of n pieces after some bytes:
 * the request gets the first error, and its residual counts from the
 * lowest byte not moved.
 */
START_TEST(failed_piece_residual)
{
	struct setup s = setups[_i % 2 ? 1 : 4];
	const size_t piece = 8192, n = 6, len = n * piece;
	unsigned k = (unsigned)(_i / 2) % n;
	uint32_t after = (uint32_t)(512 * (1 + _i % 3));
	ddisim_dma_t *d;
	size_t resid;
	uint8_t *b;
	int e;

	MACHINE_UP(NULL);
	s.blk.max_xfer = piece;
	s.blk.boundary = 0;		/* pieces of exactly 8 KiB */
	ck_assert_ptr_nonnull(d = ddisim_dma_create(&s.dev));
	ck_assert_int_eq(setup_attach(&s), 0);
	b = kmem_alloc_physreq(len, drv_physreq(&s), KM_SLEEP);
	ck_assert_ptr_nonnull(b);
	memset(b, 0x5a, len);
	ck_assert_int_eq(ddisim_dma_fail(d, k, after), 0);
	e = kio(&s, b, len, 4096, _i % 4 < 2, NULL, &resid);
	ddisim_dma_idle(d);
	ck_assert_int_eq(e, EIO);
	ck_assert_uint_eq(resid, len - (k * piece + after));
	/* the next request is whole again */
	e = kio(&s, b, len, 4096, 1, NULL, &resid);
	ck_assert_int_eq(e, 0);
	ck_assert_uint_eq(resid, 0);
	kmem_free(b, len);
	setup_detach(&s);
	ddisim_dma_destroy(d);
	MACHINE_DOWN();
}
END_TEST

/* Requests from several threads at once share the unit's queue. */
struct worker {
	const struct setup *s;
	uint64_t	base;		/* a region of the disk of its own */
	int		seed;
	int		bad;
};

static void *
worker_run(void *arg)
{
	struct worker *w = arg;
	uint8_t *b = kmem_alloc(65536, KM_SLEEP), *c = malloc(65536);

	for (int i = 0; i < 20 && b != NULL && c != NULL; i++) {
		size_t len = 512 * (1 + (size_t)(w->seed * 7 + i * 13) % 128);

		for (size_t j = 0; j < len; j++)
			b[j] = (uint8_t)(j * 31 + i + w->seed);
		memcpy(c, b, len);
		if (kio(w->s, b, len, w->base, 0, NULL, NULL) != 0)
			w->bad++;
		memset(b, 0, len);
		if (kio(w->s, b, len, w->base, 1, NULL, NULL) != 0 ||
		    memcmp(b, c, len) != 0)
			w->bad++;
	}
	kmem_free(b, 65536);
	free(c);
	return NULL;
}

START_TEST(threads_share_the_unit)
{
	const struct setup *s = &setups[_i ? 2 : 1];
	struct worker w[3];
	pthread_t t[3];
	ddisim_dma_t *d;

	MACHINE_UP(NULL);
	ck_assert_ptr_nonnull(d = ddisim_dma_create(&s->dev));
	ck_assert_int_eq(setup_attach(s), 0);
	for (int i = 0; i < 3; i++) {
		w[i] = (struct worker){ s, (uint64_t)i << 20, i + 1, 0 };
		ck_assert_int_eq(pthread_create(&t[i], NULL, worker_run,
		    &w[i]), 0);
	}
	for (int i = 0; i < 3; i++) {
		pthread_join(t[i], NULL);
		ck_assert_int_eq(w[i].bad, 0);
	}
	ddisim_dma_idle(d);
	setup_detach(s);
	ddisim_dma_destroy(d);
	MACHINE_DOWN();
}
END_TEST

/*
 * A driver that gets the bcb wrong programs its device with what it was
 * given: the engine's audit catches a physreq that does not match it.
 */
START_TEST(wrong_physreq_is_caught)
{
	struct setup s = setups[0];
	struct ddisim_dma_stats st;
	ddisim_dma_t *d;
	uint64_t pa;
	uint8_t *b, *store;
	int e;

	MACHINE_UP("mem=1G,seed=9");
	ddisim_verify_set_policy(DDISIM_VERIFY_COUNT);
	s.blk.dmasize = 32;		/* the engine has 24 bits */
	ck_assert_ptr_nonnull(d = ddisim_dma_create(&s.dev));
	ck_assert_int_eq(setup_attach(&s), 0);
	/* memory above 16 MiB, which the driver's physreq accepts */
	b = kmem_alloc_physreq(8192, drv_physreq(&s), KM_SLEEP);
	ck_assert_ptr_nonnull(b);
	ck_assert_int_eq(ddisim_vtop(b, &pa), 0);
	if (pa < (1u << 24)) {
		kmem_free(b, 8192);
		ck_abort_msg("expected memory above 16 MiB");
	}
	memset(b, 1, 8192);
	e = kio(&s, b, 8192, 0, 0, NULL, NULL);
	ck_assert_int_eq(e, 0);
	ddisim_dma_stats(d, &st);
	ck_assert_uint_ge(st.faults, 1);
	ck_assert_uint_ge(ddisim_verify_count(), st.faults);
	/* the device wrote what lies at the address's low 24 bits */
	store = ddisim_dma_store(d, NULL);
	ck_assert_mem_eq(store, ddisim_ptov(pa & 0xffffff), 8192);
	kmem_free(b, 8192);
	setup_detach(&s);
	ddisim_dma_destroy(d);
	MACHINE_DOWN();
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("blkdrv");
	TCase *tc;

	tc = tcase_new("round trips");
	tcase_add_loop_test(tc, random_round_trips, 0, (int)NSETUPS);
	suite_add_tcase(s, tc);
	tc = tcase_new("errors");
	tcase_add_loop_test(tc, failed_piece_residual, 0, 24);
	tcase_add_test(tc, wrong_physreq_is_caught);
	suite_add_tcase(s, tc);
	tc = tcase_new("threads");
	tcase_add_loop_test(tc, threads_share_the_unit, 0, 2);
	suite_add_tcase(s, tc);
	return run_suite(s) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
