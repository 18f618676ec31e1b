/*
 * test_isadma.c - the 8237 model against the chip's documented
 * behaviour, through its ports; and the DDI calls on top of it.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>

#include <sys/types.h>
#include <sys/kmem.h>
#include <sys/ksynch.h>
#include <sys/ddi.h>
#include <sys/dma.h>

#include <ddicompat/isadma.h>

#include "lib/testutil.h"

#define IRQ	6

/* Channel c's ports, as a driver of the chip has them. */
static int
p_addr(int c)
{
	return c < 4 ? 2 * c : 0xc0 + 4 * (c - 4);
}

static int
p_count(int c)
{
	return p_addr(c) + (c < 4 ? 1 : 2);
}

static int
p_reg(int c, int reg)
{
	return c < 4 ? reg : 0xc0 + 2 * reg;
}

static const int p_page[8] = { 0x87, 0x83, 0x81, 0x82, 0x8f, 0x8b, 0x89,
	0x8a };

/* Program c by hand: mode, address (bytes, or words), page, count. */
static void
program(int c, uint8_t mode, uint32_t addr, uint16_t count)
{
	outb(p_reg(c, 10), (uchar_t)(4 | (c & 3)));	/* mask */
	outb(p_reg(c, 12), 0);				/* flip-flop */
	outb(p_reg(c, 11), (uchar_t)(mode | (c & 3)));
	outb(p_addr(c), (uchar_t)addr);
	outb(p_addr(c), (uchar_t)(addr >> 8));
	outb(p_page[c], (uchar_t)(addr >> 16));
	outb(p_count(c), (uchar_t)count);
	outb(p_count(c), (uchar_t)(count >> 8));
}

static void
unmask(int c)
{
	outb(p_reg(c, 10), (uchar_t)(c & 3));
}

static uint16_t
read16(int port)
{
	uint16_t v = inb(port);

	return (uint16_t)(v | inb(port) << 8);
}

/* ---- the chip ---- */

START_TEST(flip_flop_and_registers)
{
	MACHINE_UP(NULL);
	ck_assert_int_eq(ddisim_isadma_attach(), 0);
	outb(0x0c, 0);
	outb(0x04, 0x34);		/* channel 2's address, low then high */
	outb(0x04, 0x12);
	outb(0x05, 0xff);		/* its count */
	outb(0x05, 0x01);
	outb(0x0c, 0);
	ck_assert_uint_eq(read16(0x04), 0x1234);
	ck_assert_uint_eq(read16(0x05), 0x01ff);
	/* a read leaves the flip-flop at the high byte */
	outb(0x0c, 0);
	ck_assert_uint_eq(inb(0x04), 0x34);
	ck_assert_uint_eq(inb(0x05), 0x01);	/* the high byte of the count */
	outb(0x0c, 0);
	/* the page registers hold their bytes; 0x80 is a scratch byte */
	outb(0x81, 0x0a);
	ck_assert_uint_eq(inb(0x81), 0x0a);
	outb(0x80, 0x5a);
	ck_assert_uint_eq(inb(0x80), 0x5a);
	/* masks: all set after attach, but channel 4's */
	ck_assert_uint_eq(inb(0x0f) & 0x0f, 0x0f);
	ck_assert_uint_eq(inb(0xde) & 0x0f, 0x0e);
	outb(0x0e, 0);			/* clear all masks of chip 1 */
	ck_assert_uint_eq(inb(0x0f) & 0x0f, 0);
	outb(0x0f, 0x05);		/* write all masks */
	ck_assert_uint_eq(inb(0x0f) & 0x0f, 0x05);
	outb(0x0d, 0);			/* master clear: all masked */
	ck_assert_uint_eq(inb(0x0f) & 0x0f, 0x0f);
	ddisim_shutdown();
}
END_TEST

START_TEST(count_minus_one_and_terminal_count)
{
	ddisim_isadev_t *d;
	uint8_t *b, *db;
	uint64_t pa;

	MACHINE_UP(NULL);
	ck_assert_ptr_nonnull(d = ddisim_isadev_create(2, -1, 4096, "fd"));
	db = ddisim_isadev_buf(d, NULL);
	fill_seeded(db, 4096, 1);
	b = buf_below(4096, 24, 4096, 0, &pa);
	memset(b, 0, 4096);
	program(2, 0x44, (uint32_t)pa, 511);	/* single, device to memory */
	ck_assert_uint_eq(ddisim_isadev_dreq(d, 0, 100), 0);	/* masked */
	unmask(2);
	ck_assert_uint_eq(ddisim_isadev_dreq(d, 0, 100), 100);
	ck_assert(!ddisim_isadev_tc(d));
	ck_assert_uint_eq(read16(0x05), 411);	/* 412 to go */
	ck_assert_uint_eq(ddisim_isadev_dreq(d, 100, 1000), 412);
	ck_assert(ddisim_isadev_tc(d));
	ck_assert_mem_eq(b, db, 512);
	ck_assert_uint_eq(b[512], 0);
	/* at terminal count: the count reads 0xffff, the channel is masked */
	outb(0x0c, 0);
	ck_assert_uint_eq(read16(0x05), 0xffff);
	ck_assert_uint_eq(inb(0x0f) & 4, 4);
	ck_assert_uint_eq(inb(0x08) & 0x04, 0x04);	/* TC of channel 2 */
	ck_assert_uint_eq(inb(0x08) & 0x04, 0);		/* read clears it */
	kmem_free(b, 4096);
	ddisim_isadev_destroy(d);
	MACHINE_DOWN();
}
END_TEST

START_TEST(word_channels)
{
	ddisim_isadev_t *d;
	uint8_t *b, *db;
	uint64_t pa;

	MACHINE_UP(NULL);
	ck_assert_ptr_nonnull(d = ddisim_isadev_create(5, -1, 8192, "sb16"));
	db = ddisim_isadev_buf(d, NULL);
	fill_seeded(db, 8192, 2);
	b = buf_below(8192, 24, 4096, 0, &pa);
	memset(b, 0, 8192);
	/* word address: bits 1-16 in the address register, page bits 1-7 */
	program(5, 0x44, (uint32_t)((pa & 0xfe0000) | ((pa >> 1) & 0xffff)),
	    2047);
	unmask(5);
	ck_assert_uint_eq(ddisim_isadev_dreq(d, 0, 4096), 2048);
	ck_assert(ddisim_isadev_tc(d));
	ck_assert_mem_eq(b, db, 4096);
	ck_assert_uint_eq(b[4096], 0);
	ck_assert_uint_eq(inb(0xd0) & 0x02, 0x02);	/* TC: chip 2, ch 1 */
	kmem_free(b, 8192);
	ddisim_isadev_destroy(d);
	MACHINE_DOWN();
}
END_TEST

START_TEST(decrement_and_memory_to_device)
{
	ddisim_isadev_t *d;
	uint8_t *b, *db;
	uint64_t pa;

	MACHINE_UP(NULL);
	ck_assert_ptr_nonnull(d = ddisim_isadev_create(1, -1, 256, "dec"));
	db = ddisim_isadev_buf(d, NULL);
	b = buf_below(4096, 24, 4096, 0, &pa);
	fill_seeded(b, 256, 3);
	/* single, memory to device, decrementing from the last byte */
	program(1, 0x48 | 0x20, (uint32_t)pa + 255, 255);
	unmask(1);
	ck_assert_uint_eq(ddisim_isadev_dreq(d, 0, 256), 256);
	for (int i = 0; i < 256; i++)
		ck_assert_uint_eq(db[i], b[255 - i]);
	/* verify: counts, touches no memory */
	memset(db, 0x77, 256);
	program(1, 0x40, (uint32_t)pa, 15);
	unmask(1);
	ck_assert_uint_eq(ddisim_isadev_dreq(d, 0, 16), 16);
	ck_assert_uint_eq(db[0], 0x77);
	kmem_free(b, 4096);
	ddisim_isadev_destroy(d);
	MACHINE_DOWN();
}
END_TEST

START_TEST(auto_initialise_reloads)
{
	ddisim_isadev_t *d;
	uint8_t *b, *db;
	uint64_t pa;

	MACHINE_UP(NULL);
	ck_assert_ptr_nonnull(d = ddisim_isadev_create(3, -1, 1024, "snd"));
	db = ddisim_isadev_buf(d, NULL);
	b = buf_below(4096, 24, 4096, 0, &pa);
	fill_seeded(b, 128, 4);
	program(3, 0x48 | 0x10, (uint32_t)pa, 127);	/* auto-init */
	unmask(3);
	ck_assert_uint_eq(ddisim_isadev_dreq(d, 0, 1000), 128);
	ck_assert(ddisim_isadev_tc(d));
	/* reloaded from the base registers, and still unmasked */
	outb(0x0c, 0);
	ck_assert_uint_eq(read16(0x06), (uint16_t)pa);
	ck_assert_uint_eq(read16(0x07), 127);
	ck_assert_uint_eq(inb(0x0f) & 8, 0);
	ck_assert_uint_eq(ddisim_isadev_dreq(d, 128, 200), 128);
	ck_assert_mem_eq(db, b, 128);
	ck_assert_mem_eq(db + 128, b, 128);
	kmem_free(b, 4096);
	ddisim_isadev_destroy(d);
	MACHINE_DOWN();
}
END_TEST

START_TEST(masked_and_disabled_ignore_dreq)
{
	ddisim_isadev_t *d;
	uint8_t *b;
	uint64_t pa;

	MACHINE_UP(NULL);
	ck_assert_ptr_nonnull(d = ddisim_isadev_create(0, -1, 512, "x"));
	b = buf_below(4096, 24, 4096, 0, &pa);
	program(0, 0x44, (uint32_t)pa, 511);
	ck_assert_uint_eq(ddisim_isadev_dreq(d, 0, 512), 0);
	unmask(0);
	outb(0x08, 0x04);		/* command: the chip is off */
	ck_assert_uint_eq(ddisim_isadev_dreq(d, 0, 512), 0);
	outb(0x08, 0);
	/* chip 1 reaches the bus only through channel 4 in cascade */
	outb(0xd4, 0x04);		/* mask channel 4 */
	ck_assert_uint_eq(ddisim_isadev_dreq(d, 0, 512), 0);
	outb(0xd4, 0x00);
	ck_assert_uint_eq(ddisim_isadev_dreq(d, 0, 512), 512);
	kmem_free(b, 4096);
	ddisim_isadev_destroy(d);
	MACHINE_DOWN();
}
END_TEST

/* The address wraps inside its page, and the wrap is reported. */
START_TEST(page_wrap)
{
	int c = _i ? 6 : 2;
	size_t page = _i ? 131072 : 65536, n = 64;
	ddisim_isadev_t *d;
	uint8_t *b, *db;
	uint64_t pa, start;

	MACHINE_UP(NULL);
	ddisim_verify_set_policy(DDISIM_VERIFY_COUNT);
	ck_assert_ptr_nonnull(d = ddisim_isadev_create(c, -1, 4096, "w"));
	db = ddisim_isadev_buf(d, NULL);
	fill_seeded(db, 4096, 5);
	b = buf_below(page, 24, page, 0, &pa);	/* one whole page */
	memset(b, 0, page);
	start = pa + page - n / 2;	/* half the transfer before the end */
	program(c, 0x44, c < 4 ? (uint32_t)start : (uint32_t)((start &
	    0xfe0000) | ((start >> 1) & 0xffff)), (uint16_t)((c < 4 ? n :
	    n / 2) - 1));
	unmask(c);
	ck_assert_uint_eq(ddisim_isadev_dreq(d, 0, c < 4 ? n : n / 2),
	    c < 4 ? n : n / 2);
	ck_assert_uint_eq(ddisim_verify_count(), 1);
	ck_assert_ptr_nonnull(strstr(ddisim_verify_last(), "wraps inside"));
	ck_assert_mem_eq(b + page - n / 2, db, n / 2);
	ck_assert_mem_eq(b, db + n / 2, n / 2);		/* at the page start */
	kmem_free(b, page);
	ddisim_isadev_destroy(d);
	MACHINE_DOWN();
}
END_TEST

/* On every machine but one built with isadma=0. */
START_TEST(present_from_the_start)
{
	MACHINE_UP(NULL);
	outb(0x81, 0x3c);		/* no attach: the page register is there */
	ck_assert_uint_eq(inb(0x81), 0x3c);
	ddisim_shutdown();
	MACHINE_UP("isadma=0,verify=count");
	ck_assert_uint_eq(inb(0x81), 0xff);
	ck_assert_uint_eq(ddisim_verify_count(), 1);
	ck_assert_int_eq(ddisim_isadma_attach(), 0);
	outb(0x81, 0x3c);
	ck_assert_uint_eq(inb(0x81), 0x3c);
	ck_assert_uint_eq(ddisim_verify_count(), 1);
	ddisim_shutdown();
	ck_assert_int_ne(ddisim_init("isadma=2"), 0);
	ck_assert_ptr_nonnull(strstr(ddisim_init_error(), "isadma"));
}
END_TEST

/* ---- the DDI calls ---- */

START_TEST(physreq_of_a_channel)
{
	physreq_t *p;

	MACHINE_UP(NULL);
	p = physreq_alloc(KM_SLEEP);
	dma_physreq(DMA_CH2, DMA_PATH_8, p);
	ck_assert_uint_eq(p->phys_dmasize, 24);
	ck_assert_uint_eq(p->phys_boundary, 65536);
	ck_assert_uint_eq(p->phys_align, 1);
	ck_assert_uint_eq(p->phys_max_scgth, 0);
	ck_assert(p->phys_flags & PREQ_PHYSCONTIG);
	dma_physreq(DMA_CH5, DMA_PATH_16, p);
	ck_assert_uint_eq(p->phys_boundary, 131072);
	ck_assert_uint_eq(p->phys_align, 2);
	ck_assert(physreq_prep(p, KM_SLEEP));
	ddisim_verify_set_policy(DDISIM_VERIFY_COUNT);
	dma_physreq(DMA_CH5, DMA_PATH_8, p);	/* does not match */
	ck_assert_uint_eq(p->phys_boundary, 131072);	/* untouched */
	dma_physreq(DMA_CH4, DMA_PATH_16, p);
	ck_assert_uint_eq(ddisim_verify_count(), 2);
	physreq_free(p);
	MACHINE_DOWN();
}
END_TEST

/* A cb and buf for a transfer of len bytes at pa. */
static struct dma_cb *
mkcb(int chan, uchar_t cmd, uint64_t pa, size_t len)
{
	struct dma_cb *cb = dma_get_cb(DMA_SLEEP);
	struct dma_buf *b = dma_get_buf(DMA_SLEEP);

	ck_assert_ptr_nonnull(cb);
	ck_assert_ptr_nonnull(b);
	cb->targbufs = b;
	cb->command = cmd;
	cb->targ_type = DMA_TYPE_MEM;
	cb->reqr_type = DMA_TYPE_IO;
	cb->targ_path = cb->reqr_path = chan < 4 ? DMA_PATH_8 : DMA_PATH_16;
	cb->trans_type = DMA_TRANS_SNGL;
	cb->bufprocess = DMA_BUF_SNGL;
	b->address = (paddr_t)pa;
	b->count = (ushort_t)len;
	b->count_hi = (ushort_t)(len >> 16);
	return cb;
}

static void
rmcb(struct dma_cb *cb)
{
	dma_free_buf(cb->targbufs);
	dma_free_cb(cb);
}

START_TEST(dma_prog_programs_the_chip)
{
	int c = _i ? 5 : 2;
	struct dma_cb *cb;
	ddisim_isadev_t *d;
	struct ddisim_chan ch[8];
	uint8_t *b, *db;
	uint64_t pa;

	MACHINE_UP(NULL);
	ck_assert_ptr_nonnull(d = ddisim_isadev_create(c, -1, 4096, "dev"));
	db = ddisim_isadev_buf(d, NULL);
	fill_seeded(db, 4096, 6);
	b = buf_below(4096, 24, 4096, 0, &pa);
	cb = mkcb(c, DMA_CMD_READ, pa, 1024);
	ck_assert_int_eq(dma_prog(cb, c, DMA_NOSLEEP), 1);
	/* the caller's dma_buf, as the chip has it */
	ck_assert_uint_eq(cb->targbufs->count, c < 4 ? 1023 : 511);
	if (c >= 4)
		ck_assert_uint_eq(cb->targbufs->address, (pa & 0xfe0000) |
		    ((pa >> 1) & 0xffff));
	ck_assert_int_eq(ddisim_isadma_channels(ch), 8);
	ck_assert_int_eq(ch[c].owner, DDISIM_CHAN_DDI);
	ck_assert(ch[c].masked);
	ck_assert_uint_eq(ch[c].addr, pa);
	ck_assert_uint_eq(ch[c].count, c < 4 ? 1024 : 512);
	ck_assert_int_eq(ch[4].owner, DDISIM_CHAN_SYSTEM);
	/* held: another program without sleeping fails */
	ck_assert_int_eq(dma_prog(cb, c, DMA_NOSLEEP), 0);
	ck_assert_uint_eq(ddisim_isadev_dreq(d, 0, 2048), 0);	/* masked */
	dma_enable(c);
	ck_assert_uint_eq(ddisim_isadev_dreq(d, 0, 2048), c < 4 ? 1024 :
	    512);
	ck_assert(ddisim_isadev_tc(d));
	ck_assert_mem_eq(b, db, 1024);
	dma_disable(c);
	ck_assert_int_eq(ddisim_isadma_channels(ch), 8);
	ck_assert_int_eq(ch[c].owner, DDISIM_CHAN_FREE);
	/* free again: the next program succeeds */
	cb->targbufs->address = (paddr_t)pa;
	cb->targbufs->count = 512;
	ck_assert_int_eq(dma_prog(cb, c, DMA_NOSLEEP), 1);
	dma_stop(c);
	rmcb(cb);
	kmem_free(b, 4096);
	ddisim_isadev_destroy(d);
	MACHINE_DOWN();
}
END_TEST

/* A thread that releases a channel once another waits for it. */
struct release {
	int		chan;
	pid_t		waiter;
	atomic_int	released;	/* dma_disable has been called */
};

static void *
releaser(void *arg)
{
	struct release *r = arg;

	(void)tid_wait_asleep(r->waiter);
	atomic_store(&r->released, 1);
	dma_disable(r->chan);
	return NULL;
}

START_TEST(dma_sleep_waits_for_the_channel)
{
	int c = 3;
	struct release r = { .chan = c, .waiter = tid_self() };
	struct dma_cb *cb;
	pthread_t t;
	uint8_t *b;
	uint64_t pa;

	MACHINE_UP(NULL);
	b = buf_below(4096, 24, 4096, 0, &pa);
	cb = mkcb(c, DMA_CMD_WRITE, pa, 512);
	ck_assert_int_eq(dma_prog(cb, c, DMA_SLEEP), 1);
	ck_assert_int_eq(pthread_create(&t, NULL, releaser, &r), 0);
	cb->targbufs->count = 512;
	cb->targbufs->address = (paddr_t)pa;
	ck_assert_int_eq(dma_prog(cb, c, DMA_SLEEP), 1);	/* waits */
	ck_assert_int_eq(atomic_load(&r.released), 1);
	pthread_join(t, NULL);
	dma_disable(c);
	rmcb(cb);
	kmem_free(b, 4096);
	MACHINE_DOWN();
}
END_TEST

static int
sw_proc(char *arg)
{
	(*(int *)arg)++;
	return 0;
}

START_TEST(swsetup_and_swstart)
{
	static int called;
	struct dma_cb *cb;
	ddisim_isadev_t *d;
	uint8_t *b, *db;
	uint64_t pa;

	MACHINE_UP(NULL);
	ck_assert_ptr_nonnull(d = ddisim_isadev_create(1, -1, 4096, "sw"));
	db = ddisim_isadev_buf(d, NULL);
	b = buf_below(4096, 24, 4096, 0, &pa);
	fill_seeded(b, 2048, 7);
	cb = mkcb(1, DMA_CMD_WRITE, pa, 2048);
	cb->procparms = (char *)&called;
	cb->proc = sw_proc;
	ck_assert_int_eq(dma_swsetup(cb, 1, DMA_SLEEP), 1);
	ck_assert_int_eq(called, 1);
	dma_swstart(cb, 1, DMA_NOSLEEP);
	ck_assert_mem_eq(db, b, 2048);		/* ran to terminal count */
	dma_stop(1);
	rmcb(cb);
	kmem_free(b, 4096);
	ddisim_isadev_destroy(d);
	MACHINE_DOWN();
}
END_TEST

START_TEST(cascade_counts)
{
	struct ddisim_chan ch[8];
	struct dma_cb *cb;
	uint64_t pa = 0x10000;

	MACHINE_UP(NULL);
	ck_assert(dma_cascade(DMA_CH6, DMA_ENABLE | DMA_SLEEP));
	ck_assert(dma_cascade(DMA_CH6, DMA_ENABLE | DMA_NOSLEEP));
	ddisim_isadma_channels(ch);
	ck_assert_int_eq(ch[6].owner, DDISIM_CHAN_CASCADE);
	ck_assert_uint_eq(ch[6].cascades, 2);
	ck_assert_uint_eq(ch[6].mode & 0xc0, 0xc0);
	ck_assert(!ch[6].masked);
	/* in cascade mode the channel is taken */
	cb = mkcb(6, DMA_CMD_READ, pa, 512);
	ck_assert_int_eq(dma_prog(cb, 6, DMA_NOSLEEP), 0);
	ck_assert(dma_cascade(DMA_CH6, DMA_DISABLE | DMA_NOSLEEP));
	ddisim_isadma_channels(ch);
	ck_assert_int_eq(ch[6].owner, DDISIM_CHAN_CASCADE);
	ck_assert(dma_cascade(DMA_CH6, DMA_DISABLE | DMA_NOSLEEP));
	ddisim_isadma_channels(ch);
	ck_assert_int_eq(ch[6].owner, DDISIM_CHAN_FREE);
	ck_assert(ch[6].masked);
	ddisim_verify_set_policy(DDISIM_VERIFY_COUNT);
	ck_assert(!dma_cascade(DMA_CH6, DMA_DISABLE | DMA_NOSLEEP));
	ck_assert_uint_eq(ddisim_verify_count(), 1);
	rmcb(cb);
	MACHINE_DOWN();
}
END_TEST

/* Misuse: refused and reported, or reported and programmed as is. */
START_TEST(misuse_counted)
{
	struct dma_cb *cb;
	uint8_t *b;
	uint64_t pa;
	unsigned long n0;

	MACHINE_UP(NULL);
	ddisim_verify_set_policy(DDISIM_VERIFY_COUNT);
	b = buf_below(65536, 24, 65536, 0, &pa);
	cb = mkcb(2, DMA_CMD_READ, pa, 512);
	/* channel 4 */
	ck_assert_int_eq(dma_prog(cb, 4, DMA_NOSLEEP), 0);
	ck_assert_ptr_nonnull(strstr(ddisim_verify_last(), "channel 4"));
	/* a path that does not match the channel; the lock is given back */
	cb->targ_path = cb->reqr_path = DMA_PATH_16;
	ck_assert_int_eq(dma_prog(cb, 2, DMA_NOSLEEP), 0);
	ck_assert_ptr_nonnull(strstr(ddisim_verify_last(), "8 bits wide"));
	cb->targ_path = cb->reqr_path = DMA_PATH_8;
	cb->targbufs->count = 512;
	ck_assert_int_eq(dma_prog(cb, 2, DMA_NOSLEEP), 1);
	dma_disable(2);
	/* memory to memory */
	cb->reqr_type = DMA_TYPE_MEM;
	ck_assert_int_eq(dma_prog(cb, 2, DMA_NOSLEEP), 0);
	cb->reqr_type = DMA_TYPE_IO;
	/* above 16 MiB: reported, programmed as the chip can hold it */
	n0 = ddisim_verify_count();
	cb->targbufs->address = 0x2000000;
	cb->targbufs->count = 512;
	ck_assert_int_eq(dma_prog(cb, 2, DMA_NOSLEEP), 1);
	ck_assert_uint_eq(ddisim_verify_count(), n0 + 1);
	ck_assert_ptr_nonnull(strstr(ddisim_verify_last(), "16 MiB"));
	dma_disable(2);
	/* across a 64 KiB page */
	cb->targbufs->address = (paddr_t)(pa + 65536 - 256);
	cb->targbufs->count = 512;
	ck_assert_int_eq(dma_prog(cb, 2, DMA_NOSLEEP), 1);
	ck_assert_uint_eq(ddisim_verify_count(), n0 + 2);
	ck_assert_ptr_nonnull(strstr(ddisim_verify_last(), "64 KiB page"));
	dma_disable(2);
	/* an odd count on a 16-bit channel */
	cb->targ_path = cb->reqr_path = DMA_PATH_16;
	cb->targbufs->address = (paddr_t)pa;
	cb->targbufs->count = 511;
	ck_assert_int_eq(dma_prog(cb, 5, DMA_NOSLEEP), 0);
	ck_assert_ptr_nonnull(strstr(ddisim_verify_last(), "even"));
	/* not a cb from dma_get_cb */
	{
		struct dma_cb fake;

		memset(&fake, 0, sizeof(fake));
		ck_assert_int_eq(dma_prog(&fake, 2, DMA_NOSLEEP), 0);
		ck_assert_ptr_nonnull(strstr(ddisim_verify_last(),
		    "dma_get_cb"));
	}
	/* a bad mode */
	ck_assert_ptr_null(dma_get_cb(7));
	rmcb(cb);
	kmem_free(b, 65536);
	MACHINE_DOWN();
}
END_TEST

/* Waiting for a channel where the context forbids it is reported. */
LKINFO_DECL(t_lkinfo, "test lock", 0);

START_TEST(sleep_in_the_wrong_context)
{
	struct dma_cb *cb;
	lock_t *lk;
	pl_t pl;
	uint64_t pa = 0x20000;

	MACHINE_UP(NULL);
	ddisim_verify_set_policy(DDISIM_VERIFY_COUNT);
	cb = mkcb(2, DMA_CMD_READ, pa, 512);
	lk = LOCK_ALLOC(1, pldisk, &t_lkinfo, KM_SLEEP);
	pl = LOCK(lk, pldisk);
	ck_assert_int_eq(dma_prog(cb, 2, DMA_SLEEP), 1);	/* was free */
	ck_assert_uint_eq(ddisim_verify_count(), 1);
	/* held now: it does not wait under the lock, it fails */
	ck_assert_int_eq(dma_prog(cb, 2, DMA_SLEEP), 0);
	ck_assert_uint_eq(ddisim_verify_count(), 2);
	UNLOCK(lk, pl);
	dma_disable(2);
	LOCK_DEALLOC(lk);
	rmcb(cb);
	MACHINE_DOWN();
}
END_TEST

/* The ODDI's calls, declared as an ODDI driver has them. */
int	dma_alloc(unsigned, unsigned);
void	dma_relse(unsigned);
void	dma_param(unsigned, unsigned, paddr_t, long);
long	dma_resid(unsigned);

START_TEST(oddi_param_and_resid)
{
	ddisim_isadev_t *d;
	uint8_t *b, *db;
	uint64_t pa;

	MACHINE_UP(NULL);
	ck_assert_ptr_nonnull(d = ddisim_isadev_create(5, -1, 4096, "o"));
	db = ddisim_isadev_buf(d, NULL);
	fill_seeded(db, 4096, 8);
	b = buf_below(4096, 24, 4096, 0, &pa);
	ck_assert_int_eq(dma_alloc(5, DMA_NBLOCK), 1);
	ck_assert_int_eq(dma_alloc(5, DMA_NBLOCK), 0);	/* owned */
	dma_param(5, DMA_Rdmode, (paddr_t)pa, 1023);	/* bytes minus one */
	dma_enable(5);
	ck_assert_uint_eq(ddisim_isadev_dreq(d, 0, 100), 100);	/* words */
	ck_assert_int_eq(dma_resid(5), 1024 - 200);
	dma_enable(5);		/* dma_resid masked it */
	ck_assert_uint_eq(ddisim_isadev_dreq(d, 200, 1000), 412);
	ck_assert_int_eq(dma_resid(5), 0);
	ck_assert_mem_eq(b, db, 1024);
	/* DMA_Nomode keeps the mode: memory to device is not set */
	dma_param(5, DMA_Nomode, (paddr_t)pa, 511);
	{
		struct ddisim_chan ch[8];

		ddisim_isadma_channels(ch);
		ck_assert_uint_eq(ch[5].mode & 0xfc, DMA_Rdmode);
		ck_assert_uint_eq(ch[5].count, 256);
	}
	dma_relse(5);
	ck_assert_int_eq(dma_alloc(5, DMA_BLOCK), 1);
	dma_relse(5);
	ddisim_verify_set_policy(DDISIM_VERIFY_COUNT);
	dma_relse(5);		/* not owned */
	dma_param(4, DMA_Rdmode, 0, 0);
	ck_assert_uint_eq(ddisim_verify_count(), 2);
	kmem_free(b, 4096);
	ddisim_isadev_destroy(d);
	MACHINE_DOWN();
}
END_TEST

/* A dmareq waiting behind a DDI owner is granted when it lets go. */
int	dma_start(struct dmareq *);

static int granted;

static int
on_grant(struct dmareq *r)
{
	granted++;
	ck_assert_int_ge(getpl(), 6);
	dma_relse(r->d_chan);
	return 0;
}

START_TEST(queue_behind_any_owner)
{
	struct dmareq r;
	struct dma_cb *cb;
	struct ddisim_chan ch[8];

	MACHINE_UP(NULL);
	granted = 0;
	cb = mkcb(1, DMA_CMD_READ, 0x20000, 512);
	ck_assert_int_eq(dma_prog(cb, 1, DMA_NOSLEEP), 1);
	memset(&r, 0, sizeof(r));
	r.d_chan = 1;
	r.d_proc = on_grant;
	ck_assert_int_eq(dma_start(&r), 0);		/* queued */
	ddisim_isadma_channels(ch);
	ck_assert_uint_eq(ch[1].queued, 1);
	dma_disable(1);
	ck_assert_int_eq(granted, 1);
	ddisim_isadma_channels(ch);
	ck_assert_int_eq(ch[1].owner, DDISIM_CHAN_FREE);
	ck_assert_uint_eq(ch[1].queued, 0);
	/* and behind a cascade */
	ck_assert(dma_cascade(DMA_CH7, DMA_ENABLE | DMA_NOSLEEP));
	r.d_chan = 7;
	ck_assert_int_eq(dma_start(&r), 0);
	ck_assert(dma_cascade(DMA_CH7, DMA_DISABLE | DMA_NOSLEEP));
	ck_assert_int_eq(granted, 2);
	/* free: granted at once */
	ck_assert_int_eq(dma_start(&r), 1);
	ck_assert_int_eq(granted, 3);
	rmcb(cb);
	MACHINE_DOWN();
}
END_TEST

/* The edges the chip and the calls must get right. */
START_TEST(edges)
{
	struct ddisim_chan ch[8];
	struct dma_cb *cb;
	struct dmareq r;
	ddisim_isadev_t *d;
	physreq_t *p;
	uint8_t *b, *db;
	uint64_t pa;

	MACHINE_UP(NULL);
	ddisim_verify_set_policy(DDISIM_VERIFY_COUNT);
	/* a software request runs whatever the mask, and shows in status */
	ck_assert_ptr_nonnull(d = ddisim_isadev_create(1, -1, 256, "sw"));
	db = ddisim_isadev_buf(d, NULL);
	b = buf_below(4096, 24, 4096, 0, &pa);
	fill_seeded(b, 64, 9);
	outb(0x08, 0x04);		/* chip 1 off: the request waits */
	program(1, 0x88, (uint32_t)pa, 63);	/* block, memory to device */
	outb(0x09, 0x04 | 1);
	ck_assert_uint_eq(inb(0x08) & 0x20, 0x20);	/* requesting */
	ck_assert_uint_ne(db[0], b[0]);
	outb(0x08, 0);			/* on: it runs, masked as it is */
	ck_assert_mem_eq(db, b, 64);
	ck_assert_uint_eq(inb(0x08) & 0x22, 0x02);	/* TC, no request */
	/* the registry still knows it finished after the status read */
	ddisim_isadma_channels(ch);
	ck_assert(ch[1].tc);
	ck_assert_uint_eq(ch[1].count, 0);
	/* one word down from a page's first byte crosses nothing */
	cb = mkcb(5, DMA_CMD_READ, 0x20000, 2);
	cb->targ_step = DMA_STEP_DEC;
	ck_assert_int_eq(dma_prog(cb, 5, DMA_NOSLEEP), 1);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	dma_disable(5);
	/* a 1-byte ODDI count on a word channel programs nothing */
	ck_assert_int_eq(dma_alloc(6, DMA_NBLOCK), 1);
	dma_param(6, DMA_Rdmode, 0x10000, 0);
	ck_assert_uint_eq(ddisim_verify_count(), 1);
	ddisim_isadma_channels(ch);
	ck_assert_uint_ne(ch[6].count, 65536);
	/* a dmareq queued twice */
	memset(&r, 0, sizeof(r));
	r.d_chan = 6;
	r.d_proc = on_grant;
	ck_assert_int_eq(dma_start(&r), 0);
	ck_assert_int_eq(dma_start(&r), 0);
	ck_assert_uint_eq(ddisim_verify_count(), 2);
	ck_assert_ptr_nonnull(strstr(ddisim_verify_last(), "queued already"));
	ddisim_isadma_channels(ch);
	ck_assert_uint_eq(ch[6].queued, 1);
	granted = 0;
	dma_relse(6);			/* to r, which gives it back */
	ck_assert_int_eq(granted, 1);
	/* the ISA controller has no EISA paths */
	p = physreq_alloc(KM_SLEEP);
	dma_physreq(DMA_CH2, DMA_PATH_32, p);
	ck_assert_uint_eq(ddisim_verify_count(), 3);
	ck_assert_uint_eq(p->phys_dmasize, 0);		/* untouched */
	physreq_free(p);
	rmcb(cb);
	kmem_free(b, 4096);
	ddisim_isadev_destroy(d);
	MACHINE_DOWN();
}
END_TEST

/* The rest of the calls' refusals: reported, and nothing done. */
START_TEST(refusals_of_the_other_calls)
{
	struct dma_stat st;
	struct dma_cb *cb;
	ddisim_isadev_t *d;
	unsigned long n;
	struct dmareq r;

	MACHINE_UP(NULL);
	ddisim_verify_set_policy(DDISIM_VERIFY_COUNT);
	/* devices */
	ck_assert_ptr_null(ddisim_isadev_create(4, -1, 512, "x"));
	ck_assert_ptr_null(ddisim_isadev_create(9, -1, 512, "x"));
	ck_assert_ptr_null(ddisim_isadev_create(1, DDISIM_NIRQ, 512, "x"));
	ck_assert_ptr_null(ddisim_isadev_create(1, -1, 0, "x"));
	ck_assert_ptr_nonnull(d = ddisim_isadev_create(1, -1, 512, "dev1"));
	ck_assert_ptr_null(ddisim_isadev_create(1, -1, 512, "again"));
	ck_assert_uint_eq(ddisim_verify_count(), 5);
	ck_assert_uint_eq(ddisim_isadev_dreq(d, 256, 300), 0);
	ck_assert_ptr_nonnull(strstr(ddisim_verify_last(), "dev1"));
	ck_assert_ptr_null(ddisim_isadev_buf(NULL, NULL));
	ck_assert_uint_eq(ddisim_isadev_dreq(NULL, 0, 1), 0);
	ck_assert_int_eq(ddisim_isadev_tc(NULL), 0);
	ck_assert_int_eq(ddisim_isadma_channels(NULL), 0);
	ck_assert_uint_eq(ddisim_verify_count(), 10);
	ddisim_isadev_destroy(d);
	/* the DDI */
	n = ddisim_verify_count();
	cb = mkcb(1, DMA_CMD_READ, 0x20000, 512);
	dma_swstart(cb, 1, DMA_NOSLEEP);	/* not programmed */
	ck_assert_ptr_nonnull(strstr(ddisim_verify_last(), "not programmed"));
	ck_assert(!dma_cascade(DMA_CH5, DMA_ENABLE | DMA_DISABLE));
	ck_assert(!dma_cascade(DMA_CH4, DMA_ENABLE));
	dma_get_chan_stat(NULL, 1);
	dma_get_chan_stat(&st, 8);
	ck_assert_ptr_null(dma_get_buf(3));
	dma_free_cb(NULL);
	dma_free_buf((struct dma_buf *)cb);	/* a cb is not a buf */
	ck_assert_uint_eq(ddisim_verify_count(), n + 8);
	/* the ODDI */
	ck_assert_int_eq(dma_alloc(1, 9), 0);
	ck_assert_int_eq(dma_alloc(4, DMA_NBLOCK), 0);
	ck_assert_int_eq(dma_start(NULL), 0);
	memset(&r, 0, sizeof(r));
	r.d_chan = 1;
	ck_assert_int_eq(dma_start(&r), 0);		/* no d_proc */
	dma_param(1, DMA_Rdmode, 0x20000, 0x10000);	/* count too big */
	ck_assert_int_eq(dma_resid(4), 0);
	ck_assert_uint_eq(ddisim_verify_count(), n + 14);
	rmcb(cb);
	MACHINE_DOWN();
}
END_TEST

START_TEST(channel_4_aborts)
{
	MACHINE_UP(NULL);
	dma_enable(4);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("isadma");
	TCase *tc;

	tc = tcase_new("8237");
	tcase_add_test(tc, present_from_the_start);
	tcase_add_test(tc, flip_flop_and_registers);
	tcase_add_test(tc, count_minus_one_and_terminal_count);
	tcase_add_test(tc, word_channels);
	tcase_add_test(tc, decrement_and_memory_to_device);
	tcase_add_test(tc, auto_initialise_reloads);
	tcase_add_test(tc, masked_and_disabled_ignore_dreq);
	tcase_add_loop_test(tc, page_wrap, 0, 2);
	suite_add_tcase(s, tc);
	tc = tcase_new("ddi");
	tcase_add_test(tc, physreq_of_a_channel);
	tcase_add_loop_test(tc, dma_prog_programs_the_chip, 0, 2);
	tcase_add_test(tc, dma_sleep_waits_for_the_channel);
	tcase_add_test(tc, swsetup_and_swstart);
	tcase_add_test(tc, cascade_counts);
	tcase_add_test(tc, oddi_param_and_resid);
	tcase_add_test(tc, queue_behind_any_owner);
	suite_add_tcase(s, tc);
	tc = tcase_new("misuse");
	tcase_add_test(tc, misuse_counted);
	tcase_add_test(tc, sleep_in_the_wrong_context);
	tcase_add_test(tc, edges);
	tcase_add_test(tc, refusals_of_the_other_calls);
	if (!nofork())
		tcase_add_test_raise_signal(tc, channel_4_aborts, SIGABRT);
	suite_add_tcase(s, tc);
	return run_suite(s) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
