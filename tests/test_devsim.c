/*
 * test_devsim.c - the bus-master device models, programmed through their
 * ports as a driver would: bytes moved in each programming model, and
 * every fault the audit knows, with what the engine then does.
 */
#include <errno.h>
#include <signal.h>

#include <sys/types.h>
#include <sys/kmem.h>
#include <sys/ddi.h>

#include <ddicompat/devsim.h>

#include "lib/testutil.h"

#define PORT	0x5000
#define IRQ	11

static struct ddisim_dma_config
conf(enum ddisim_dma_model m, unsigned bits)
{
	struct ddisim_dma_config c = {
		.model = m, .addr_bits = bits, .capacity = 1 << 20,
		.port = PORT, .irq = -1, .name = "dev0"
	};

	return c;
}

static void
r(int off, uint32_t v)
{
	outl(PORT + off, v);
}

static uint32_t
st(void)
{
	return (uint32_t)inl(PORT + DDISIM_DMA_STATUS);
}

/* ---- the four models ---- */

START_TEST(single_moves_both_ways)
{
	struct ddisim_dma_config c = conf(DDISIM_DMA_SINGLE, 24);
	struct ddisim_dma_stats s;
	ddisim_dma_t *d;
	uint64_t pa, cap;
	uint8_t *b, *store;

	MACHINE_UP(NULL);
	ck_assert_ptr_nonnull(d = ddisim_dma_create(&c));
	store = ddisim_dma_store(d, &cap);
	ck_assert_uint_eq(cap, 1 << 20);
	fill_seeded(store + 4096, 8192, 1);
	b = buf_below(8192, 24, 512, 0, &pa);
	ck_assert_uint_lt(pa + 8192, 1 << 24);
	r(DDISIM_DMA_ADDR_LO, (uint32_t)pa);
	r(DDISIM_DMA_LEN, 8192);
	r(DDISIM_DMA_BLK_LO, 8);		/* byte 4096 */
	r(DDISIM_DMA_CMD, DDISIM_DMA_GO_READ);
	ck_assert_uint_eq(st(), DDISIM_DMA_ST_DONE);
	ck_assert_uint_eq(inl(PORT + DDISIM_DMA_DONE), 8192);
	ck_assert_mem_eq(b, store + 4096, 8192);
	fill_seeded(b, 8192, 2);
	r(DDISIM_DMA_STATUS, DDISIM_DMA_ST_DONE);
	ck_assert_uint_eq(st(), 0);
	r(DDISIM_DMA_BLK_LO, 100);
	r(DDISIM_DMA_CMD, DDISIM_DMA_GO_WRITE);
	ck_assert_mem_eq(b, store + 100 * 512, 8192);
	ddisim_dma_stats(d, &s);
	ck_assert_uint_eq(s.commands, 2);
	ck_assert_uint_eq(s.to_memory, 8192);
	ck_assert_uint_eq(s.from_memory, 8192);
	ck_assert_uint_eq(s.faults, 0);
	kmem_free(b, 8192);
	ddisim_dma_destroy(d);
	MACHINE_DOWN();
}
END_TEST

/* A test's interrupt routine for the fragment model: the next page. */
static uint64_t frag_pa[8];
static unsigned frag_next, frag_n, frag_irqs;

static void
frag_intr(int vec)
{
	uint32_t s = st();

	ck_assert_int_eq(vec, IRQ);
	frag_irqs++;
	if (s & DDISIM_DMA_ST_FRAG) {
		ck_assert_uint_lt(frag_next, frag_n);
		r(DDISIM_DMA_ADDR_LO, (uint32_t)frag_pa[frag_next]);
		r(DDISIM_DMA_ADDR_HI, (uint32_t)(frag_pa[frag_next] >> 32));
		r(DDISIM_DMA_LEN, 4096);
		frag_next++;
		r(DDISIM_DMA_CMD, DDISIM_DMA_GO_NEXT);
	} else {
		ck_assert(s & DDISIM_DMA_ST_DONE);
		r(DDISIM_DMA_STATUS, s);
	}
}

START_TEST(fragment_per_interrupt)
{
	struct ddisim_dma_config c = conf(DDISIM_DMA_FRAGMENT, 64);
	ddisim_intr_t *ih;
	ddisim_dma_t *d;
	uint8_t *pages[4], *store;

	MACHINE_UP("mem=1G,scatter=1");
	c.irq = IRQ;
	c.async = _i;
	ck_assert_ptr_nonnull(d = ddisim_dma_create(&c));
	ck_assert_ptr_nonnull(ih = ddisim_intr_register(IRQ, PLDISK,
	    frag_intr));
	store = ddisim_dma_store(d, NULL);
	fill_seeded(store, 4 * 4096, 3);
	for (int i = 0; i < 4; i++) {
		pages[i] = kmem_zalloc(4096, KM_SLEEP);
		ck_assert_int_eq(ddisim_vtop(pages[i], &frag_pa[i]), 0);
	}
	frag_next = 1;
	frag_n = 4;
	frag_irqs = 0;
	r(DDISIM_DMA_TOTAL, 4 * 4096);
	r(DDISIM_DMA_ADDR_LO, (uint32_t)frag_pa[0]);
	r(DDISIM_DMA_ADDR_HI, (uint32_t)(frag_pa[0] >> 32));
	r(DDISIM_DMA_LEN, 4096);
	r(DDISIM_DMA_BLK_LO, 0);
	r(DDISIM_DMA_CMD, DDISIM_DMA_GO_READ);
	ddisim_dma_idle(d);
	ck_assert_uint_eq(frag_next, 4);
	ck_assert_uint_eq(frag_irqs, 4);	/* three fragments, one end */
	for (int i = 0; i < 4; i++) {
		ck_assert_mem_eq(pages[i], store + i * 4096, 4096);
		kmem_free(pages[i], 4096);
	}
	ck_assert_uint_eq(ddisim_intr_count(IRQ), 4);
	/* GO_NEXT with nothing asked for is a fault, and ignored */
	ddisim_verify_set_policy(DDISIM_VERIFY_COUNT);
	r(DDISIM_DMA_CMD, DDISIM_DMA_GO_NEXT);
	ddisim_dma_idle(d);
	ck_assert_uint_eq(ddisim_verify_count(), 1);
	ck_assert_ptr_nonnull(strstr(ddisim_verify_last(), "GO_NEXT"));
	ddisim_intr_unregister(ih);
	ddisim_dma_destroy(d);
	MACHINE_DOWN();
}
END_TEST

START_TEST(onchip_pairs)
{
	struct ddisim_dma_config c = conf(DDISIM_DMA_ONCHIP, 32);
	uint8_t *p[3], *store;
	uint64_t pa[3];
	size_t len[3] = { 512, 3000, 1684 }, at = 100;
	ddisim_dma_t *d;

	MACHINE_UP(NULL);
	c.max_pairs = 3;
	c.sector = 4;
	ck_assert_ptr_nonnull(d = ddisim_dma_create(&c));
	for (int i = 0; i < 3; i++) {
		p[i] = buf_below(len[i], 32, 4, 0, &pa[i]);
		fill_seeded(p[i], len[i], 10 + i);
	}
	r(DDISIM_DMA_SLOT, 0);
	for (int i = 0; i < 3; i++) {
		r(DDISIM_DMA_PAIR_LO, (uint32_t)pa[i]);
		r(DDISIM_DMA_PAIR_HI, 0);
		r(DDISIM_DMA_PAIR_LEN, (uint32_t)len[i]);
	}
	r(DDISIM_DMA_LEN, 3);
	r(DDISIM_DMA_BLK_LO, 25);		/* byte 100 */
	r(DDISIM_DMA_CMD, DDISIM_DMA_GO_WRITE);
	ck_assert_uint_eq(st(), DDISIM_DMA_ST_DONE);
	ck_assert_uint_eq(inl(PORT + DDISIM_DMA_DONE), 5196);
	store = ddisim_dma_store(d, NULL);
	for (int i = 0; i < 3; i++) {
		ck_assert_mem_eq(store + at, p[i], len[i]);
		at += len[i];
	}
	ddisim_verify_set_policy(DDISIM_VERIFY_COUNT);
	ddisim_verify_reset();
	/* a fourth pair does not fit */
	r(DDISIM_DMA_PAIR_LEN, 8);
	ck_assert_uint_eq(ddisim_verify_count(), 1);
	ck_assert_ptr_nonnull(strstr(ddisim_verify_last(), "holds 3"));
	for (int i = 0; i < 3; i++)
		kmem_free(p[i], len[i]);
	ddisim_shutdown();		/* the device dies with it */
}
END_TEST

START_TEST(descriptors_from_memory)
{
	struct ddisim_dma_config c = conf(DDISIM_DMA_DESC, _i ? 64 : 32);
	ddisim_dma_t *d;
	uint8_t *data[5], *store;
	uint64_t pa[5], lpa;
	uint32_t *list;
	size_t esz = _i ? 16 : 8;

	MACHINE_UP(NULL);
	c.desc64 = _i;
	c.max_pairs = 8;
	ck_assert_ptr_nonnull(d = ddisim_dma_create(&c));
	store = ddisim_dma_store(d, NULL);
	fill_seeded(store, 5 * 1024, 20);
	list = buf_below(5 * esz, 32, 16, 0, &lpa);
	for (int i = 0; i < 5; i++) {
		/* 64-bit: the pieces come from anywhere in RAM */
		data[i] = buf_below(1024, _i ? 0 : 32, 512, 0, &pa[i]);
		if (_i) {
			list[4 * i] = (uint32_t)pa[i];
			list[4 * i + 1] = (uint32_t)(pa[i] >> 32);
			list[4 * i + 2] = 1024;
			list[4 * i + 3] = 0;
		} else {
			list[2 * i] = (uint32_t)pa[i];
			list[2 * i + 1] = 1024;
		}
	}
	r(DDISIM_DMA_ADDR_LO, (uint32_t)lpa);
	r(DDISIM_DMA_ADDR_HI, 0);
	r(DDISIM_DMA_LEN, 5);
	r(DDISIM_DMA_CMD, DDISIM_DMA_GO_READ);
	ck_assert_uint_eq(st(), DDISIM_DMA_ST_DONE);
	for (int i = 0; i < 5; i++) {
		ck_assert_mem_eq(data[i], store + i * 1024, 1024);
		kmem_free(data[i], 1024);
	}
	/* a list longer than the engine takes: the first 8 only */
	ddisim_verify_set_policy(DDISIM_VERIFY_COUNT);
	r(DDISIM_DMA_STATUS, DDISIM_DMA_ST_DONE);
	r(DDISIM_DMA_LEN, 9);
	for (int i = 0; i < 5; i++)
		list[(esz / 4) * i + (_i ? 2 : 1)] = 0;
	r(DDISIM_DMA_CMD, DDISIM_DMA_GO_READ);
	ck_assert_uint_ge(ddisim_verify_count(), 1);
	kmem_free(list, 5 * esz);
	ddisim_dma_destroy(d);
	ddisim_shutdown();
}
END_TEST

/* ---- faults, and what the engine does about them ---- */

START_TEST(reach_truncates_the_address)
{
	struct ddisim_dma_config c = conf(DDISIM_DMA_SINGLE, 32);
	ddisim_dma_t *d;
	uint64_t pa, low;
	uint8_t *hi, *store;

	MACHINE_UP(NULL);
	ddisim_verify_set_policy(DDISIM_VERIFY_COUNT);
	ck_assert_ptr_nonnull(d = ddisim_dma_create(&c));
	store = ddisim_dma_store(d, NULL);
	/* the default machine's RAM above 4 GiB: node 1's, for CPU 3 */
	ddisim_cpu_set(3);
	hi = buf_below(4096, 0, 4096, 0, &pa);
	ddisim_cpu_set(0);
	if (pa < (UINT64_C(1) << 32)) {
		kmem_free(hi, 4096);
		ck_abort_msg("expected RAM above 4 GiB, got %#llx",
		    (unsigned long long)pa);
	}
	fill_seeded(hi, 4096, 30);
	low = pa & 0xffffffffu;
	r(DDISIM_DMA_ADDR_LO, (uint32_t)pa);
	r(DDISIM_DMA_ADDR_HI, (uint32_t)(pa >> 32));
	r(DDISIM_DMA_LEN, 4096);
	r(DDISIM_DMA_CMD, DDISIM_DMA_GO_WRITE);	/* memory to device */
	ck_assert_uint_ge(ddisim_verify_count(), 1);
	ck_assert_msg(strstr(ddisim_verify_last(), "beyond") != NULL ||
	    ddisim_verify_count() > 1, "%s", ddisim_verify_last());
	/* the engine read the truncated address, not the buffer */
	if (ddisim_ptov(low) != NULL)
		ck_assert_mem_eq(store, ddisim_ptov(low), 4096);
	else
		for (int i = 0; i < 4096; i++)
			ck_assert_uint_eq(store[i], 0xff);
	kmem_free(hi, 4096);
	ddisim_dma_destroy(d);
	ddisim_shutdown();
}
END_TEST

START_TEST(boundary_wraps)
{
	struct ddisim_dma_config c = conf(DDISIM_DMA_SINGLE, 24);
	ddisim_dma_t *d;
	uint64_t pa;
	uint8_t *b, *store, zero[4096] = { 0 };

	MACHINE_UP(NULL);
	ddisim_verify_set_policy(DDISIM_VERIFY_COUNT);
	c.boundary = 65536;
	c.count_bits = 16;
	ck_assert_ptr_nonnull(d = ddisim_dma_create(&c));
	store = ddisim_dma_store(d, NULL);
	fill_seeded(store, 8192, 40);
	b = buf_below(65536, 24, 65536, 0, &pa);
	memset(b, 0, 65536);
	r(DDISIM_DMA_ADDR_LO, (uint32_t)pa + 61440);
	r(DDISIM_DMA_LEN, 8192);
	r(DDISIM_DMA_CMD, DDISIM_DMA_GO_READ);
	ck_assert_msg(ddisim_verify_count() == 1 &&
	    strstr(ddisim_verify_last(), "cannot carry") != NULL, "%lu: %s",
	    ddisim_verify_count(), ddisim_verify_last());
	ck_assert_mem_eq(b + 61440, store, 4096);
	ck_assert_mem_eq(b, store + 4096, 4096);	/* wrapped */
	ck_assert_mem_eq(b + 4096, zero, 4096);
	/* a length the 16-bit count cannot hold: its low bits */
	r(DDISIM_DMA_STATUS, DDISIM_DMA_ST_DONE);
	r(DDISIM_DMA_ADDR_LO, (uint32_t)pa);
	r(DDISIM_DMA_LEN, 0x10200);
	r(DDISIM_DMA_CMD, DDISIM_DMA_GO_READ);
	ck_assert_uint_eq(inl(PORT + DDISIM_DMA_DONE), 0x200);
	ck_assert_ptr_nonnull(strstr(ddisim_verify_last(), "16-bit count"));
	kmem_free(b, 65536);
	ddisim_dma_destroy(d);
	ddisim_shutdown();
}
END_TEST

START_TEST(alignment_drops_low_bits)
{
	struct ddisim_dma_config c = conf(DDISIM_DMA_SINGLE, 32);
	ddisim_dma_t *d;
	uint64_t pa;
	uint8_t *b, *store;

	MACHINE_UP(NULL);
	ddisim_verify_set_policy(DDISIM_VERIFY_COUNT);
	c.align = 512;
	ck_assert_ptr_nonnull(d = ddisim_dma_create(&c));
	store = ddisim_dma_store(d, NULL);
	fill_seeded(store, 512, 50);
	b = buf_below(2048, 32, 512, 0, &pa);
	memset(b, 0, 2048);
	r(DDISIM_DMA_ADDR_LO, (uint32_t)pa + 100);
	r(DDISIM_DMA_LEN, 512);
	r(DDISIM_DMA_CMD, DDISIM_DMA_GO_READ);
	ck_assert_uint_eq(ddisim_verify_count(), 1);
	ck_assert_ptr_nonnull(strstr(ddisim_verify_last(), "multiple of 512"));
	ck_assert_mem_eq(b, store, 512);
	kmem_free(b, 2048);
	ddisim_dma_destroy(d);
	ddisim_shutdown();
}
END_TEST

START_TEST(holes_and_free_memory)
{
	struct ddisim_dma_config c = conf(DDISIM_DMA_SINGLE, 32);
	ddisim_dma_t *d;
	uint64_t pa;
	uint8_t *b, *store;

	MACHINE_UP(NULL);
	ddisim_verify_set_policy(DDISIM_VERIFY_COUNT);
	ck_assert_ptr_nonnull(d = ddisim_dma_create(&c));
	store = ddisim_dma_store(d, NULL);
	/* the hole at 640 KiB: all ones read */
	r(DDISIM_DMA_ADDR_LO, 0xa0000);
	r(DDISIM_DMA_LEN, 1024);
	r(DDISIM_DMA_CMD, DDISIM_DMA_GO_WRITE);
	ck_assert_uint_eq(ddisim_verify_count(), 1);
	ck_assert_ptr_nonnull(strstr(ddisim_verify_last(), "hole"));
	for (int i = 0; i < 1024; i++)
		ck_assert_uint_eq(store[i], 0xff);
	/* memory freed before the engine wrote it: reported, and written */
	b = buf_below(4096, 32, 4096, 0, &pa);
	kmem_free(b, 4096);
	fill_seeded(store, 4096, 60);
	r(DDISIM_DMA_STATUS, DDISIM_DMA_ST_DONE);
	r(DDISIM_DMA_ADDR_LO, (uint32_t)pa);
	r(DDISIM_DMA_LEN, 4096);
	r(DDISIM_DMA_CMD, DDISIM_DMA_GO_READ);
	ck_assert_uint_eq(ddisim_verify_count(), 2);
	ck_assert_ptr_nonnull(strstr(ddisim_verify_last(), "nobody holds"));
	ck_assert_mem_eq(ddisim_ptov(pa), store, 4096);
	/* page 0 is never handed out */
	r(DDISIM_DMA_STATUS, DDISIM_DMA_ST_DONE);
	r(DDISIM_DMA_ADDR_LO, 0);
	r(DDISIM_DMA_LEN, 512);
	r(DDISIM_DMA_CMD, DDISIM_DMA_GO_WRITE);
	ck_assert_uint_eq(ddisim_verify_count(), 3);
	ddisim_dma_destroy(d);
	ddisim_shutdown();
}
END_TEST

START_TEST(failures_and_rejections)
{
	struct ddisim_dma_config c = conf(DDISIM_DMA_SINGLE, 32);
	struct ddisim_dma_stats s;
	ddisim_dma_t *d;
	uint64_t pa;
	uint8_t *b;

	MACHINE_UP(NULL);
	ck_assert_ptr_nonnull(d = ddisim_dma_create(&c));
	b = buf_below(8192, 32, 512, 0, &pa);
	r(DDISIM_DMA_ADDR_LO, (uint32_t)pa);
	r(DDISIM_DMA_LEN, 8192);
	ck_assert_int_eq(ddisim_dma_fail(d, 1, 1536), 0);
	r(DDISIM_DMA_CMD, DDISIM_DMA_GO_READ);	/* this one works */
	ck_assert_uint_eq(st(), DDISIM_DMA_ST_DONE);
	r(DDISIM_DMA_STATUS, DDISIM_DMA_ST_DONE);
	r(DDISIM_DMA_CMD, DDISIM_DMA_GO_READ);	/* this one fails */
	ck_assert_uint_eq(st(), DDISIM_DMA_ST_DONE | DDISIM_DMA_ST_ERROR);
	ck_assert_uint_eq(inl(PORT + DDISIM_DMA_DONE), 1536);
	/* past the end of the medium: an error, no report */
	r(DDISIM_DMA_STATUS, DDISIM_DMA_ST_DONE | DDISIM_DMA_ST_ERROR);
	r(DDISIM_DMA_BLK_LO, 2046);
	r(DDISIM_DMA_CMD, DDISIM_DMA_GO_READ);
	ck_assert_uint_eq(st(), DDISIM_DMA_ST_DONE | DDISIM_DMA_ST_ERROR);
	ck_assert_uint_eq(inl(PORT + DDISIM_DMA_DONE), 0);
	/* not whole blocks: rejected, and reported */
	ddisim_verify_set_policy(DDISIM_VERIFY_COUNT);
	r(DDISIM_DMA_STATUS, DDISIM_DMA_ST_DONE | DDISIM_DMA_ST_ERROR);
	r(DDISIM_DMA_BLK_LO, 0);
	r(DDISIM_DMA_LEN, 1000);
	r(DDISIM_DMA_CMD, DDISIM_DMA_GO_WRITE);
	ck_assert_uint_eq(st(), DDISIM_DMA_ST_DONE | DDISIM_DMA_ST_ERROR);
	ck_assert_uint_eq(ddisim_verify_count(), 1);
	ck_assert_ptr_nonnull(strstr(ddisim_verify_last(), "whole number"));
	/* an unknown command, a write to no register */
	r(DDISIM_DMA_CMD, 0x77);
	r(0x31, 1);
	ck_assert_uint_eq(ddisim_verify_count(), 3);
	ddisim_dma_stats(d, &s);
	ck_assert_uint_eq(s.commands, 4);
	ck_assert_uint_eq(s.failed, 3);
	ck_assert_uint_eq(s.faults, 3);
	kmem_free(b, 8192);
	ddisim_dma_destroy(d);
	MACHINE_DOWN();
}
END_TEST

/* A command the disk refuses ends with its interrupt, as any other. */
static unsigned refused_irqs;

static void
refused_intr(int vec)
{
	(void)vec;
	refused_irqs++;
	r(DDISIM_DMA_STATUS, st());
}

START_TEST(refusals_interrupt)
{
	struct ddisim_dma_config c = conf(_i == 2 ? DDISIM_DMA_DESC :
	    _i == 1 ? DDISIM_DMA_ONCHIP : DDISIM_DMA_SINGLE, 32);
	ddisim_intr_t *ih;
	ddisim_dma_t *d;
	uint64_t pa;
	uint32_t *list;

	MACHINE_UP(NULL);
	c.irq = IRQ;
	c.async = 1;
	ck_assert_ptr_nonnull(d = ddisim_dma_create(&c));
	ck_assert_ptr_nonnull(ih = ddisim_intr_register(IRQ, PLDISK,
	    refused_intr));
	list = buf_below(64, 32, 16, 0, &pa);
	list[0] = (uint32_t)pa;
	list[1] = 512;
	refused_irqs = 0;
	r(DDISIM_DMA_ADDR_LO, (uint32_t)pa);
	r(DDISIM_DMA_LEN, _i == 0 ? 512 : 1);
	if (_i == 1) {
		r(DDISIM_DMA_SLOT, 0);
		r(DDISIM_DMA_PAIR_LO, (uint32_t)pa);
		r(DDISIM_DMA_PAIR_LEN, 512);
	}
	r(DDISIM_DMA_BLK_LO, 4096);		/* past the 2048-block disk */
	r(DDISIM_DMA_CMD, DDISIM_DMA_GO_READ);
	ddisim_dma_idle(d);
	ck_assert_uint_eq(refused_irqs, 1);
	ck_assert_uint_eq(ddisim_intr_count(IRQ), 1);
	kmem_free(list, 64);
	ddisim_intr_unregister(ih);
	ddisim_dma_destroy(d);
	MACHINE_DOWN();
}
END_TEST

START_TEST(wire_sends_and_receives)
{
	struct ddisim_dma_config c = conf(DDISIM_DMA_SINGLE, 32);
	static const char frame[] = "a frame off the wire";
	ddisim_dma_t *d;
	uint64_t pa;
	uint8_t *b, *store;

	MACHINE_UP(NULL);
	c.wire = 1;
	c.capacity = 100;
	ck_assert_ptr_nonnull(d = ddisim_dma_create(&c));
	store = ddisim_dma_store(d, NULL);
	b = buf_below(256, 32, 4, 0, &pa);
	ck_assert_int_eq(ddisim_dma_wire_feed(d, frame, sizeof(frame)), 0);
	r(DDISIM_DMA_ADDR_LO, (uint32_t)pa);
	r(DDISIM_DMA_LEN, 256);
	r(DDISIM_DMA_CMD, DDISIM_DMA_GO_READ);
	ck_assert_uint_eq(st(), DDISIM_DMA_ST_DONE);
	ck_assert_uint_eq(inl(PORT + DDISIM_DMA_DONE), sizeof(frame));
	ck_assert_str_eq((char *)b, frame);
	/* sending: 60 bytes twice into a 100-byte wire; the second is short */
	memset(b, 'x', 60);
	r(DDISIM_DMA_LEN, 60);
	r(DDISIM_DMA_CMD, DDISIM_DMA_GO_WRITE);
	r(DDISIM_DMA_CMD, DDISIM_DMA_GO_WRITE);
	ck_assert_uint_eq(inl(PORT + DDISIM_DMA_DONE), 40);
	ck_assert_uint_eq(ddisim_dma_wire_sent(d), 100);
	ck_assert_uint_eq(store[99], 'x');
	kmem_free(b, 256);
	ddisim_dma_destroy(d);
	MACHINE_DOWN();
}
END_TEST

/* Bad configurations: reported, nothing created. */
START_TEST(bad_configurations)
{
	struct ddisim_dma_config c;
	ddisim_dma_t *d;

	MACHINE_UP(NULL);
	ddisim_verify_set_policy(DDISIM_VERIFY_COUNT);
	ck_assert_ptr_null(ddisim_dma_create(NULL));
	c = conf(DDISIM_DMA_SINGLE, 8);
	ck_assert_ptr_null(ddisim_dma_create(&c));
	c = conf(0, 32);
	ck_assert_ptr_null(ddisim_dma_create(&c));
	c = conf(DDISIM_DMA_SINGLE, 32);
	c.boundary = 3000;
	ck_assert_ptr_null(ddisim_dma_create(&c));
	c.boundary = 8;				/* below 16 */
	ck_assert_ptr_null(ddisim_dma_create(&c));
	c.boundary = 0;
	c.capacity = 0;
	ck_assert_ptr_null(ddisim_dma_create(&c));
	ck_assert_uint_eq(ddisim_verify_count(), 6);
	c = conf(DDISIM_DMA_SINGLE, 32);
	ck_assert_ptr_nonnull(d = ddisim_dma_create(&c));
	ck_assert_ptr_null(ddisim_dma_create(&c));	/* ports taken */
	ck_assert_uint_eq(ddisim_verify_count(), 7);
	ck_assert_int_eq(ddisim_dma_wire_feed(d, "x", 1), EINVAL);
	ddisim_dma_destroy(d);
	MACHINE_DOWN();
}
END_TEST

/* The test-side calls with no device: reported, and harmless. */
START_TEST(null_devices)
{
	struct ddisim_dma_stats st;
	uint64_t size = 7;

	MACHINE_UP(NULL);
	ddisim_verify_set_policy(DDISIM_VERIFY_COUNT);
	ck_assert_ptr_null(ddisim_dma_store(NULL, &size));
	ck_assert_uint_eq(size, 7);
	ck_assert_uint_eq(ddisim_dma_wire_sent(NULL), 0);
	ck_assert_int_eq(ddisim_dma_wire_feed(NULL, "x", 1), EINVAL);
	ck_assert_int_eq(ddisim_dma_fail(NULL, 0, 0), EINVAL);
	ddisim_dma_idle(NULL);
	ddisim_dma_stats(NULL, &st);
	ck_assert_uint_eq(ddisim_verify_count(), 6);
	ck_assert_ptr_nonnull(strstr(ddisim_verify_last(), "NULL device"));
	ddisim_dma_destroy(NULL);		/* nothing, as free(NULL) */
	ck_assert_uint_eq(ddisim_verify_count(), 6);
	MACHINE_DOWN();
}
END_TEST

/* A destroyed device, or a pointer that never was one, is refused. */
START_TEST(stale_devices)
{
	struct ddisim_dma_config c = conf(DDISIM_DMA_SINGLE, 32);
	struct ddisim_dma_stats st;
	ddisim_dma_t *d, *other;
	uint64_t size = 7;
	int junk;

	MACHINE_UP(NULL);
	ddisim_verify_set_policy(DDISIM_VERIFY_COUNT);
	ck_assert_ptr_nonnull(d = ddisim_dma_create(&c));
	ddisim_dma_destroy(d);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	ddisim_dma_destroy(d);			/* twice */
	ck_assert_uint_eq(ddisim_verify_count(), 1);
	ck_assert_ptr_nonnull(strstr(ddisim_verify_last(),
	    "ddisim_dma_destroy: "));
	ck_assert_ptr_nonnull(strstr(ddisim_verify_last(),
	    "or it was destroyed"));
	ck_assert_ptr_null(ddisim_dma_store(d, &size));
	ck_assert_uint_eq(size, 7);
	ck_assert_int_eq(ddisim_dma_fail(d, 0, 0), EINVAL);
	ddisim_dma_stats((ddisim_dma_t *)&junk, &st);
	ck_assert_uint_eq(ddisim_verify_count(), 4);
	ck_assert_ptr_nonnull(strstr(ddisim_verify_last(),
	    "ddisim_dma_stats: "));
	/* a live device is untouched by all that */
	ck_assert_ptr_nonnull(other = ddisim_dma_create(&c));
	ck_assert_ptr_nonnull(ddisim_dma_store(other, &size));
	ck_assert_uint_eq(size, c.capacity);
	ddisim_dma_destroy(other);
	ck_assert_uint_eq(ddisim_verify_count(), 4);
	MACHINE_DOWN();
}
END_TEST

/* A fault aborts under the default policy, naming the driver's code. */
START_TEST(fault_aborts)
{
	struct ddisim_dma_config c = conf(DDISIM_DMA_SINGLE, 24);

	MACHINE_UP(NULL);
	ck_assert_ptr_nonnull(ddisim_dma_create(&c));
	r(DDISIM_DMA_ADDR_LO, 0x2000000);	/* 32 MiB: beyond 24 bits */
	r(DDISIM_DMA_LEN, 512);
	r(DDISIM_DMA_CMD, DDISIM_DMA_GO_WRITE);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("devsim");
	TCase *tc;

	tc = tcase_new("models");
	tcase_add_test(tc, single_moves_both_ways);
	tcase_add_loop_test(tc, fragment_per_interrupt, 0, 2);
	tcase_add_test(tc, onchip_pairs);
	tcase_add_loop_test(tc, descriptors_from_memory, 0, 2);
	tcase_add_test(tc, wire_sends_and_receives);
	suite_add_tcase(s, tc);
	tc = tcase_new("audit");
	tcase_add_test(tc, reach_truncates_the_address);
	tcase_add_test(tc, boundary_wraps);
	tcase_add_test(tc, alignment_drops_low_bits);
	tcase_add_test(tc, holes_and_free_memory);
	tcase_add_test(tc, failures_and_rejections);
	tcase_add_loop_test(tc, refusals_interrupt, 0, 3);
	tcase_add_test(tc, bad_configurations);
	tcase_add_test(tc, null_devices);
	tcase_add_test(tc, stale_devices);
	if (!nofork())
		tcase_add_test_raise_signal(tc, fault_aborts, SIGABRT);
	suite_add_tcase(s, tc);
	return run_suite(s) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
