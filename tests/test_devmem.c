/*
 * test_devmem.c - device memory: register windows of simulated devices
 * (ddisim_mmio(3)) reached through physmap(9), physmap1 and DDI 8's
 * devmem_mapin(9); RAM mapped as an alias of its pages; the bus-master
 * device driven through its memory-mapped registers; the limits, the
 * misuse reports and the leak list; and a property test of the doorbell
 * against a model of the registers.
 *
 * Built at DDI 8; physmap and physmap_free (DDI 5 to 7.2) come from the
 * library's own declarations.
 */
#include <check.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/types.h>
#include <sys/kmem.h>
#include <sys/ddi.h>

#include <ddicompat/ddisim.h>
#include <ddicompat/devsim.h>
#include <ddicompat/mmio.h>

#include "exports.h"
#include "lib/testutil.h"

#define PAGE	4096u
#define WIN	0xc0000000u	/* the default machine's 3G-4G hole */
#define NREG	8
#define LOW	"mem=64M"	/* RAM a 32-bit paddr_t reaches */

/* A model: eight 32-bit registers at 0, 4, ... 28. */
struct model {
	uint32_t	val[NREG];	/* what each reads */
	uint32_t	seen[64];	/* stores handed over, in order */
	uint32_t	seen_off[64];
	unsigned	nseen;
	unsigned	reads;
};

static uint32_t
m_read(void *arg, uint32_t off)
{
	struct model *m = arg;

	m->reads++;
	return m->val[off / 4];
}

static void
m_write(void *arg, uint32_t off, uint32_t v)
{
	struct model *m = arg;

	if (m->nseen < 64) {
		m->seen_off[m->nseen] = off;
		m->seen[m->nseen++] = v;
	}
	m->val[off / 4] = v + 1;	/* reads back what it was, plus 1 */
}

/* 0..5 read/write, 6 read-only, 7 write-only; 0x40.. device memory. */
static const struct ddisim_mmio_reg m_regs[NREG] = {
	{ 0x00, 4, "R0", m_read, m_write },
	{ 0x04, 4, "R1", m_read, m_write },
	{ 0x08, 4, "R2", m_read, m_write },
	{ 0x0c, 4, "R3", m_read, m_write },
	{ 0x10, 4, "R4", m_read, m_write },
	{ 0x14, 4, "R5", m_read, m_write },
	{ 0x18, 4, "ID", m_read, NULL },
	{ 0x1c, 4, "GO", NULL, m_write },
};

static ddisim_mmio_t *
window(struct model *m, unsigned flags)
{
	struct ddisim_mmio_ops ops = { m_regs, NREG, flags, "testdev" };
	ddisim_mmio_t *w;

	memset(m, 0, sizeof(*m));
	for (unsigned i = 0; i < NREG; i++)
		m->val[i] = 0x100 * i;
	w = ddisim_mmio_create(WIN, PAGE, &ops, m);
	ck_assert_ptr_nonnull(w);
	return w;
}

/* ---- core ---- */

START_TEST(registers_through_physmap)
{
	struct model m;
	ddisim_mmio_t *w;
	volatile uint32_t *r;

	MACHINE_UP(NULL);
	w = window(&m, 0);
	r = physmap(WIN, PAGE, KM_SLEEP);
	ck_assert_ptr_nonnull((void *)(uintptr_t)r);
	/* published at creation */
	ck_assert_uint_eq(r[1], 0x100);
	ck_assert_uint_eq(r[6], 0x600);
	/* stores reach the model at the next DDI call, in the regs' order */
	r[3] = 33;
	r[1] = 11;
	r[7] = 77;
	ck_assert_uint_eq(m.nseen, 0);
	ddisim_mmio_sync();
	ck_assert_uint_eq(m.nseen, 3);
	ck_assert_uint_eq(m.seen_off[0], 0x04);
	ck_assert_uint_eq(m.seen[0], 11);
	ck_assert_uint_eq(m.seen_off[1], 0x0c);
	ck_assert_uint_eq(m.seen[1], 33);
	ck_assert_uint_eq(m.seen_off[2], 0x1c);
	/* and loads after it see what the model reads */
	ck_assert_uint_eq(r[1], 12);
	ck_assert_uint_eq(r[3], 34);
	/* a write-only register reads back what was stored */
	ck_assert_uint_eq(r[7], 77);
	/* a DDI call other than the sync rings as well */
	r[0] = 5;
	(void)drv_hztousec(1);
	ck_assert_uint_eq(m.nseen, 4);
	ck_assert_uint_eq(r[0], 6);
	physmap_free((void *)(uintptr_t)r, PAGE, 0);
	ddisim_mmio_destroy(w);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	MACHINE_DOWN();
}
END_TEST

START_TEST(ram_is_an_alias)
{
	uint8_t *k, *a;
	paddr_t pa;

	MACHINE_UP(LOW);
	k = kmem_alloc(3 * PAGE, KM_SLEEP);
	pa = kvtophys((caddr_t)k + 100);
	a = physmap(pa, 2 * PAGE, KM_NOSLEEP);
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_ne(a, k + 100);
	k[100] = 0x5a;
	ck_assert_uint_eq(a[0], 0x5a);
	a[PAGE + 1] = 0xa5;		/* across a page line */
	ck_assert_uint_eq(k[100 + PAGE + 1], 0xa5);
	physmap_free(a, 2 * PAGE, 0);
	kmem_free(k, 3 * PAGE);
	MACHINE_DOWN();
}
END_TEST

START_TEST(physmap1_one_page_a_cpu)
{
	uint8_t *k;
	paddr_t pa, old = 0;
	vaddr_t va, vb;

	MACHINE_UP(LOW);
	k = kmem_alloc(2 * PAGE, KM_SLEEP);
	k[10] = 1;
	k[PAGE + 20] = 2;
	pa = kvtophys((caddr_t)k + 10);
	va = physmap1(pa, &old);
	ck_assert_uint_ne(va, 0);
	ck_assert_uint_eq(old, (paddr_t)-1);
	ck_assert_uint_eq(*(uint8_t *)va, 1);
	/* a second page replaces the first; the old address comes back */
	vb = physmap1(kvtophys((caddr_t)k + PAGE + 20), &old);
	ck_assert_uint_eq(old, pa);
	ck_assert_uint_eq(*(uint8_t *)vb, 2);
	/* put back what was there */
	va = physmap1(old, &old);
	ck_assert_uint_eq(*(uint8_t *)va, 1);
	ck_assert_uint_eq(physmap1((paddr_t)-1, NULL), 0);
	kmem_free(k, 2 * PAGE);
	MACHINE_DOWN();
}
END_TEST

START_TEST(devmem_by_key)
{
	struct model m;
	ddisim_mmio_t *w;
	struct ddisim_board b = { .modname = "dm", .set = DDISIM_BRD_MEMADDR,
	    .mem_start = WIN, .mem_end = WIN + PAGE - 1 };
	unsigned key;
	size_t len = 0;
	volatile uint32_t *r;

	MACHINE_UP(NULL);
	w = window(&m, DDISIM_MMIO_MEMORY);
	key = ddisim_rm_add_board(&b);
	ck_assert_uint_ne(key, 0);
	ck_assert_int_eq(devmem_size(key, 0, &len), 0);
	ck_assert_uint_eq(len, PAGE);
	ck_assert_int_eq(devmem_size(key, 1, &len), EINVAL);
	ck_assert_uint_eq(devmem_ppid(key, 0, 0x10), WIN / PAGE);
	ck_assert_uint_eq(devmem_ppid(key, 0, PAGE), NOPAGE);
	ck_assert_uint_eq(devmem_ppid(key, 2, 0), NOPAGE);
	r = devmem_mapin(key, 0, 0, PAGE);
	ck_assert_ptr_nonnull((void *)(uintptr_t)r);
	r[2] = 0xfeed;
	r[0x100] = 0xbeef;		/* device memory: no register */
	ddisim_mmio_sync();
	ck_assert_uint_eq(m.nseen, 1);
	ck_assert_uint_eq(m.seen[0], 0xfeed);
	ck_assert_uint_eq(((uint32_t *)ddisim_mmio_mem(w, NULL))[0x100],
	    0xbeef);
	devmem_mapout((void *)(uintptr_t)r, PAGE);
	/* a part of the range */
	r = devmem_mapin(key, 0, 8, 4);
	ck_assert_uint_eq(*r, 0xfeed + 1);
	devmem_mapout((void *)(uintptr_t)r, 4);
	ck_assert_int_eq(ddisim_rm_remove_board(key), 0);
	ddisim_mmio_destroy(w);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	MACHINE_DOWN();
}
END_TEST

/* The bus-master device programmed through memory, not ports. */
START_TEST(dma_device_through_memory)
{
	struct ddisim_dma_config c = { .model = DDISIM_DMA_SINGLE,
	    .addr_bits = 32, .capacity = 64 * 1024, .port = 0x300, .irq = -1,
	    .name = "mdisk", .mmio = WIN };
	ddisim_dma_t *d;
	uint8_t *store, *buf;
	volatile uint32_t *r;
	size_t len = 0;
	unsigned key;

	MACHINE_UP(LOW);
	d = ddisim_dma_create(&c);
	ck_assert_ptr_nonnull(d);
	store = ddisim_dma_store(d, NULL);
	for (unsigned i = 0; i < 1024; i++)
		store[512 + i] = (uint8_t)(i * 7);
	key = ddisim_dma_key(d);
	ck_assert_int_eq(devmem_size(key, 0, &len), 0);
	ck_assert_uint_eq(len, PAGE);
	r = devmem_mapin(key, 0, 0, PAGE);
	ck_assert_ptr_nonnull((void *)(uintptr_t)r);
	buf = kmem_alloc(1024, KM_SLEEP);
	r[DDISIM_DMA_ADDR_LO / 4] = kvtophys((caddr_t)buf);
	r[DDISIM_DMA_ADDR_HI / 4] = 0;
	r[DDISIM_DMA_LEN / 4] = 1024;
	r[DDISIM_DMA_BLK_LO / 4] = 1;
	r[DDISIM_DMA_CMD / 4] = DDISIM_DMA_GO_READ;
	ddisim_mmio_sync();
	ck_assert_uint_eq(r[DDISIM_DMA_STATUS / 4] & DDISIM_DMA_ST_DONE,
	    DDISIM_DMA_ST_DONE);
	ck_assert_uint_eq(r[DDISIM_DMA_DONE / 4], 1024);
	ck_assert_int_eq(memcmp(buf, store + 512, 1024), 0);
	/* the command reads 0: the same command again is seen */
	ck_assert_uint_eq(r[DDISIM_DMA_CMD / 4], 0);
	r[DDISIM_DMA_CMD / 4] = DDISIM_DMA_GO_READ;
	ddisim_mmio_sync();
	{
		struct ddisim_dma_stats st;

		ddisim_dma_stats(d, &st);
		ck_assert_uint_eq(st.commands, 2);
	}
	devmem_mapout((void *)(uintptr_t)r, PAGE);
	kmem_free(buf, 1024);
	ddisim_dma_destroy(d);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	MACHINE_DOWN();
}
END_TEST

/* The frame-number calls of DDI 5 and 6, by their library names. */
START_TEST(frames_and_pages)
{
	struct page *list, *pp;
	uint8_t *k;
	unsigned n = 0;

	MACHINE_UP(LOW);
	k = kmem_alloc(PAGE, KM_SLEEP);
	ck_assert_uint_eq(_Compat_hat_getkpfnum((caddr_t)k + 7),
	    _Compat_kvtophys((caddr_t)k) / PAGE);
	ck_assert_uint_eq(_Compat_hat_getppfnum(0x123456, 0), 0x123);
	ck_assert_uint_eq(_Compat_hat_getppfnum(WIN, 0), WIN / PAGE);
	list = ddisim_pagelist_create(3, 0);
	for (pp = list; pp != NULL; pp = ddisim_page_next(pp), n++) {
		unsigned pfn = page_pptonum(pp);

		ck_assert_uint_eq(pfn, ddisim_page_phys(pp) / PAGE);
		ck_assert_ptr_eq(page_numtopp(pfn), pp);
	}
	ck_assert_uint_eq(n, 3);
	/* a frame no list holds has no structure */
	ck_assert_ptr_null(page_numtopp(_Compat_hat_getkpfnum((caddr_t)k)));
	ddisim_pagelist_destroy(list);
	kmem_free(k, PAGE);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	MACHINE_DOWN();
}
END_TEST

/* drv_mmap: kernel pages and a device's window in a process. */
START_TEST(mapped_into_a_process)
{
	struct model m;
	ddisim_mmio_t *w;
	struct proc *p;
	uint8_t *k, back[16];
	vaddr_t uva = 0, ureg = 0;
	uint32_t v = 0x1234;

	MACHINE_UP(LOW);
	w = window(&m, 0);
	p = ddisim_proc_create(PAGE, 0);
	ddisim_proc_enter(p);
	k = kmem_zalloc(2 * PAGE, KM_SLEEP);
	ck_assert_uint_eq((uintptr_t)k % PAGE, 0);
	memcpy(k + PAGE, "kernel", 7);
	ck_assert_int_eq(drv_mmap((vaddr_t)k, 0, 2 * PAGE, &uva, 3, 3, 0), 0);
	ck_assert_uint_ne(uva, 0);
	ck_assert_uint_ne(uva, (vaddr_t)k);
	/* the process sees the kernel's pages, and the kernel its stores */
	ck_assert_int_eq(ddisim_proc_read(p, (void *)(uva + PAGE), back, 7),
	    0);
	ck_assert_str_eq((char *)back, "kernel");
	ck_assert_int_eq(ddisim_proc_write(p, (void *)uva, "user", 5), 0);
	ck_assert_str_eq((char *)k, "user");
	ck_assert_int_eq(copyin((void *)(uva + PAGE), back, 7), 0);
	ck_assert_str_eq((char *)back, "kernel");
	/* a device's registers, by physical address */
	ck_assert_int_eq(drv_mmap(0, WIN, PAGE, &ureg, 3, 3, 0), 0);
	ck_assert_int_eq(ddisim_proc_write(p, (void *)(ureg + 8), &v, 4), 0);
	ddisim_mmio_sync();
	ck_assert_uint_eq(m.nseen, 1);
	ck_assert_uint_eq(m.seen[0], 0x1234);
	drv_munmap(ureg, PAGE);
	drv_munmap(uva, 2 * PAGE);
	ck_assert_int_eq(ddisim_proc_read(p, (void *)uva, back, 4), EFAULT);
	kmem_free(k, 2 * PAGE);
	ddisim_proc_enter(NULL);
	ddisim_proc_destroy(p);
	ddisim_mmio_destroy(w);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	MACHINE_DOWN();
}
END_TEST

/*
 * The allocator's entry points test, in one load, whether a machine
 * exists and no window is open: they must ring while one is, stop when
 * the last goes, and ring again for a new one.
 */
START_TEST(hot_entries_ring)
{
	struct model m, m2;
	ddisim_mmio_t *w, *w2;
	volatile uint32_t *r;
	physreq_t *pr;
	void *p;

	MACHINE_UP(NULL);
	pr = physreq_alloc(KM_SLEEP);
	pr->phys_dmasize = 32;
	ck_assert(physreq_prep(pr, KM_SLEEP));
	w = window(&m, 0);
	r = physmap(WIN, PAGE, KM_SLEEP);
	r[0] = 5;
	p = kmem_alloc(64, KM_SLEEP);
	ck_assert_uint_eq(m.nseen, 1);
	ck_assert_uint_eq(m.seen[0], 5);
	ck_assert_uint_eq(r[0], 6);
	r[2] = 7;
	kmem_free(p, 64);
	ck_assert_uint_eq(m.nseen, 2);
	ck_assert_uint_eq(m.seen_off[1], 0x08);
	r[4] = 9;
	p = kmem_alloc_physreq(64, pr, KM_SLEEP);
	ck_assert_uint_eq(m.nseen, 3);
	ck_assert_uint_eq(m.seen[2], 9);
	kmem_free(p, 64);
	physmap_free((void *)(uintptr_t)r, PAGE, 0);
	ddisim_mmio_destroy(w);
	/* no window: the calls are served, and the old model hears nothing */
	p = kmem_zalloc(64, KM_SLEEP);
	ck_assert_ptr_nonnull(p);
	kmem_free(p, 64);
	ck_assert_uint_eq(m.nseen, 3);
	w2 = window(&m2, 0);
	r = physmap(WIN, PAGE, KM_SLEEP);
	r[1] = 3;
	p = kmem_alloc(64, KM_SLEEP);
	ck_assert_uint_eq(m2.nseen, 1);
	ck_assert_uint_eq(m2.seen[0], 3);
	kmem_free(p, 64);
	physmap_free((void *)(uintptr_t)r, PAGE, 0);
	ddisim_mmio_destroy(w2);
	physreq_free(pr);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	MACHINE_DOWN();
}
END_TEST

/*
 * A device running commands in its own thread, whose interrupts ring the
 * doorbell there while the driver polls through memory here.
 */
START_TEST(async_device_polled)
{
	struct ddisim_dma_config c = { .model = DDISIM_DMA_SINGLE,
	    .addr_bits = 32, .capacity = 64 * 1024, .port = 0x300, .irq = 5,
	    .async = 1, .name = "adisk", .mmio = WIN };
	ddisim_dma_t *d;
	uint8_t *store, *buf;
	volatile uint32_t *r;

	MACHINE_UP(LOW);
	d = ddisim_dma_create(&c);
	ck_assert_ptr_nonnull(d);
	store = ddisim_dma_store(d, NULL);
	r = physmap(WIN, PAGE, KM_SLEEP);
	buf = kmem_alloc(512, KM_SLEEP);
	for (unsigned blk = 0; blk < 20; blk++) {
		int tries = 0;

		memset(store + blk * 512, (int)blk + 1, 512);
		r[DDISIM_DMA_ADDR_LO / 4] = kvtophys((caddr_t)buf);
		r[DDISIM_DMA_LEN / 4] = 512;
		r[DDISIM_DMA_BLK_LO / 4] = blk;
		r[DDISIM_DMA_CMD / 4] = DDISIM_DMA_GO_READ;
		do
			drv_usecwait(100);
		while ((r[DDISIM_DMA_STATUS / 4] & DDISIM_DMA_ST_BUSY) != 0 &&
		    ++tries < 100000);
		ddisim_dma_idle(d);
		ddisim_mmio_sync();
		ck_assert_uint_eq(r[DDISIM_DMA_DONE / 4], 512);
		ck_assert_uint_eq(buf[511], blk + 1);
	}
	physmap_free((void *)(uintptr_t)r, PAGE, 0);
	kmem_free(buf, 512);
	ddisim_dma_destroy(d);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	MACHINE_DOWN();
}
END_TEST

/* ---- limits ---- */

START_TEST(window_placement)
{
	struct model m;
	struct ddisim_mmio_ops ops = { m_regs, NREG, 0, "x" };
	ddisim_mmio_t *w, *w2;
	unsigned long before;

	MACHINE_UP("verify=count");
	w = window(&m, 0);
	before = ddisim_verify_count();
	/* RAM, another window, misalignment: refused with a report */
	ck_assert_ptr_null(ddisim_mmio_create(0x100000, PAGE, &ops, &m));
	REPORTED(before, "overlaps RAM");
	ck_assert_ptr_null(ddisim_mmio_create(WIN, PAGE, &ops, &m));
	REPORTED(before + 1, "overlaps another window");
	ck_assert_ptr_null(ddisim_mmio_create(WIN + PAGE + 1, PAGE, &ops,
	    &m));
	REPORTED(before + 2, "page aligned");
	/* the ISA hole and above the top of RAM are fine */
	w2 = ddisim_mmio_create(0xd0000, PAGE, &ops, &m);
	ck_assert_ptr_nonnull(w2);
	ddisim_mmio_destroy(w2);
	w2 = ddisim_mmio_create(UINT64_C(0x400000000), PAGE, &ops, &m);
	ck_assert_ptr_nonnull(w2);
	ddisim_mmio_destroy(w2);
	/* the last byte of a window maps; one more does not */
	{
		uint8_t *p = physmap(WIN + PAGE - 1, 1, KM_NOSLEEP);

		ck_assert_ptr_nonnull(p);
		physmap_free(p, 1, 0);
		ck_assert_ptr_null(physmap(WIN + PAGE - 1, 2, KM_NOSLEEP));
		REPORTED(before + 3, "runs past the end");
	}
	ddisim_mmio_destroy(w);
	ddisim_verify_set_policy(DDISIM_VERIFY_ABORT);
	MACHINE_DOWN();
}
END_TEST

START_TEST(leak_listed)
{
	struct model m;
	char *text, want[96];
	void *p;
	int line;

	MACHINE_UP(NULL);
	(void)window(&m, 0);
	p = physmap(WIN + 8, 16, KM_SLEEP), line = __LINE__;
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_ge(leak_report_text(&text), 1);
	ck_assert_contains(text, "mapping of physical 0xc0000008+0x10");
#ifdef TEST_CALLER_LINES
	snprintf(want, sizeof(want), "made by physmap from leak_listed_fn "
	    "(test_devmem.c:%d)", line);
#else
	snprintf(want, sizeof(want), "made by physmap from test_devmem+0x");
	(void)line;
#endif
	ck_assert_contains(text, want);
	free(text);
	physmap_free(p, 16, 0);
	ck_assert_uint_eq(leak_report_text(&text), 0);
	free(text);
	ddisim_shutdown();		/* the window goes with the machine */
}
END_TEST

/* A device going while mapped: the window stays as plain memory. */
START_TEST(destroyed_while_mapped)
{
	struct model m;
	ddisim_mmio_t *w;
	volatile uint32_t *r;
	unsigned long before;

	MACHINE_UP("verify=count");
	w = window(&m, 0);
	r = physmap(WIN, PAGE, KM_SLEEP);
	before = ddisim_verify_count();
	ddisim_mmio_destroy(w);
	REPORTED(before, "is still mapped 1 time(s)");
	ck_assert_contains(ddisim_verify_last(), "test_devmem");
	r[0] = 9;			/* no model, no callback, no report */
	ddisim_mmio_sync();
	ck_assert_uint_eq(m.nseen, 0);
	ck_assert_uint_eq(r[0], 9);
	physmap_free((void *)(uintptr_t)r, PAGE, 0);
	ck_assert_uint_eq(ddisim_verify_count(), before + 1);
	ddisim_verify_set_policy(DDISIM_VERIFY_ABORT);
	MACHINE_DOWN();
}
END_TEST

/* ---- property: the doorbell against a model ---- */

START_TEST(doorbell_against_a_model)
{
	long iters = prop_floor(prop_iters(2000), 500);
	struct model m;
	ddisim_mmio_t *w;
	volatile uint32_t *r;
	uint64_t seed = 0x6d6d696f;
	unsigned delivered = 0, coalesced = 0;

	MACHINE_UP(NULL);
	w = window(&m, 0);
	r = physmap(WIN, PAGE, KM_SLEEP);
	for (long it = 0; it < iters; it++) {
		uint32_t last[6], pub[6];
		bool stored[6] = { false };
		unsigned n, j = 0;

		for (unsigned reg = 0; reg < 6; reg++)
			pub[reg] = r[reg];
		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		n = (unsigned)(seed >> 60) % 6;
		m.nseen = 0;
		for (unsigned k = 0; k < n; k++) {
			unsigned reg;
			uint32_t v;

			seed = seed * 6364136223846793005ULL +
			    1442695040888963407ULL;
			reg = (unsigned)(seed >> 33) % 6;
			/* now and then the value it holds: no store at all */
			v = (seed >> 20) % 8 == 0 ? pub[reg] :
			    (uint32_t)(seed >> 13);
			if (stored[reg])
				coalesced++;
			r[reg] = v;
			last[reg] = v;
			stored[reg] = true;
		}
		ddisim_mmio_sync();
		/*
		 * The model: each register whose value changed is handed
		 * over once, with the last value stored, in the registers'
		 * order; each reads what the model then says.
		 */
		for (unsigned reg = 0; reg < 6; reg++) {
			if (!stored[reg] || last[reg] == pub[reg]) {
				ck_assert_uint_eq(r[reg], pub[reg]);
				continue;
			}
			ck_assert_uint_lt(j, m.nseen);
			ck_assert_uint_eq(m.seen_off[j], reg * 4);
			ck_assert_uint_eq(m.seen[j], last[reg]);
			ck_assert_uint_eq(r[reg], last[reg] + 1);
			j++;
			delivered++;
		}
		ck_assert_uint_eq(j, m.nseen);
	}
	ck_assert_uint_gt(delivered, 0);
	ck_assert_uint_gt(coalesced, 0);
	physmap_free((void *)(uintptr_t)r, PAGE, 0);
	ddisim_mmio_destroy(w);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	MACHINE_DOWN();
}
END_TEST

/* ---- misuse ---- */

#define NMISUSE	17

static void
misuse(int which)
{
	struct model m;
	ddisim_mmio_t *w = window(&m, 0);
	struct ddisim_board b = { .modname = "dm", .set = DDISIM_BRD_MEMADDR,
	    .mem_start = WIN, .mem_end = WIN + PAGE - 1 };
	unsigned key = ddisim_rm_add_board(&b);
	volatile uint32_t *r = physmap(WIN, PAGE, KM_SLEEP);
	static char junk[16];
	const char *want = NULL;
	unsigned long before;
	void *p;

	ck_assert_ptr_nonnull((void *)(uintptr_t)r);
	before = ddisim_verify_count();
	switch (which) {
	case 0:
		physmap_free(junk, sizeof(junk), 0);
		want = "physmap_free: ";
		break;
	case 1:
		p = physmap(WIN, 8, KM_SLEEP);
		physmap_free(p, 8, 0);
		physmap_free(p, 8, 0);		/* twice */
		want = "is not mapped (never, or freed already)";
		break;
	case 2:
		physmap_free((void *)(uintptr_t)r, PAGE / 2, 0);
		want = "was mapped with length 0x1000, not 0x800";
		break;
	case 3:
		ck_assert_ptr_null(physmap(0xa0000, PAGE, KM_SLEEP));
		want = "is neither RAM nor a device's window";
		break;
	case 4:
		ck_assert_ptr_null(physmap(WIN + 16, PAGE, KM_SLEEP));
		want = "runs past the end of the device window";
		break;
	case 5:
		r[0x40] = 1;			/* no register there */
		ddisim_mmio_sync();
		want = "a store to offset 0x100 of testdev before this call";
		ck_assert_uint_eq(r[0x40], 0);	/* undone */
		break;
	case 6:
		r[6] = 1;			/* ID is read-only */
		ddisim_mmio_sync();
		want = "read-only register ID (offset 0x18)";
		ck_assert_uint_eq(r[6], 0x600);
		break;
	case 7:
		ck_assert_ptr_null(devmem_mapin(999, 0, 0, 4));
		want = "key 999 is no key";
		break;
	case 8:
		ck_assert_ptr_null(devmem_mapin(key, 0, PAGE - 4, 8));
		want = "outside the 0x1000 bytes of key";
		break;
	case 9:
		devmem_mapout(junk, 4);
		want = "devmem_mapout: ";
		break;
	case 10:
		ck_assert_ptr_null(physmap(WIN, 4, 7));
		want = "flags 0x7";
		break;
	case 11:
		ck_assert_uint_eq(_Compat_hat_getkpfnum(junk), NOPAGE);
		want = "hat_getkpfnum: ";
		break;
	case 12:
		ck_assert_uint_eq(_Compat_hat_getppfnum(0x100000, 1), NOPAGE);
		want = "physical space 1";
		break;
	case 13:
		ck_assert_uint_eq(page_pptonum((struct page *)(void *)junk),
		    NOPAGE);
		want = "page_pptonum: ";
		break;
	case 14: {
		vaddr_t uva;

		ck_assert_int_eq(drv_mmap(0, WIN, PAGE, &uva, 3, 3, 0),
		    EINVAL);
		want = "runs in no simulated process";
		break;
	}
	case 15:
		drv_munmap((vaddr_t)r, PAGE);	/* physmap's, not drv_mmap's */
		want = "drv_munmap: ";
		break;
	case 16: {
		struct proc *pr = ddisim_proc_create(PAGE, 0);
		vaddr_t uva;

		ddisim_proc_enter(pr);
		ck_assert_int_eq(drv_mmap(0, WIN + 8, PAGE, &uva, 3, 3, 0),
		    EINVAL);
		ddisim_proc_enter(NULL);
		ddisim_proc_destroy(pr);
		want = "is not whole pages";
		break;
	}
	}
	REPORTED(before, want);
	ck_assert_contains(ddisim_verify_last(), "test_devmem");
	/* nothing changed: the mapping and window work as before */
	r[2] = 42;
	ddisim_mmio_sync();
	ck_assert_uint_eq(r[2], 43);
	physmap_free((void *)(uintptr_t)r, PAGE, 0);
	ck_assert_int_eq(ddisim_rm_remove_board(key), 0);
	ddisim_mmio_destroy(w);
}

MISUSE_TEST_PAIR(misuse, NULL)

int
main(void)
{
	Suite *s = suite_create("devmem");
	TCase *tc;

	tc = tcase_new("core");
	tcase_add_test(tc, registers_through_physmap);
	tcase_add_test(tc, hot_entries_ring);
	tcase_add_test(tc, ram_is_an_alias);
	tcase_add_test(tc, physmap1_one_page_a_cpu);
	tcase_add_test(tc, devmem_by_key);
	tcase_add_test(tc, dma_device_through_memory);
	tcase_add_test(tc, frames_and_pages);
	tcase_add_test(tc, mapped_into_a_process);
	tcase_add_test(tc, async_device_polled);
	suite_add_tcase(s, tc);
	tc = tcase_new("limits");
	tcase_add_test(tc, window_placement);
	tcase_add_test(tc, leak_listed);
	tcase_add_test(tc, destroyed_while_mapped);
	suite_add_tcase(s, tc);
	tc = tcase_new("property");
	tcase_add_test(tc, doorbell_against_a_model);
	suite_add_tcase(s, tc);
	tc = tcase_new("misuse");
	TCASE_ADD_MISUSE(tc, misuse_counted, misuse_aborts, NMISUSE);
	suite_add_tcase(s, tc);
	return run_suite(s) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
