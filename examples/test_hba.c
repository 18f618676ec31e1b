/*
 * test_hba.c - the example host adapter driver (hba.c, DDI 8), loaded
 * from its shared object by the driver host as the kernel loaded it, and
 * used by a program through its device numbers.
 *
 * The adapter is a ddisim_dma(3) device in the descriptor model: it
 * fetches a command's list of (address, length) pairs from RAM at the
 * physical address the driver gives it, and moves the data between its
 * store and those addresses, auditing every pair against its limits (32
 * address lines, a 64 KiB carry boundary, 4-byte alignment, HBA_MAXSG
 * pairs).  Under the default verifier policy a pair that breaks one
 * aborts the test: a test that passes shows the kernel's breakup, told
 * the limits by the driver's devinfo, met them for every request, from
 * the buffer cache and from a program's scattered pages alike.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/types.h>
#include <sys/file.h>
#include <sys/buf.h>
#include <sys/conf.h>
#include <sys/kmem.h>

#include <ddicompat/devsim.h>
#include <ddicompat/host.h>

#include "lib/testutil.h"
#include "hba.h"

#define UNIT	((size_t)HBA_UNIT_BLOCKS * HBA_BSIZE)	/* a unit's bytes */
#define PORT	0x6000
#define IRQ	11

static ddisim_dma_t *
adapter(unsigned units, int port, int irq, int async)
{
	struct ddisim_dma_config c;
	ddisim_dma_t *d;

	memset(&c, 0, sizeof(c));
	c.model = DDISIM_DMA_DESC;
	c.addr_bits = 32;
	c.boundary = HBA_BOUNDARY;
	c.align = HBA_ALIGN;
	c.max_pairs = HBA_MAXSG;
	c.capacity = units * UNIT;
	c.port = port;
	c.irq = irq;
	c.async = async;
	c.name = "hba";
	d = ddisim_dma_create(&c);
	ck_assert_ptr_nonnull(d);
	return d;
}

static ddisim_drv_t *
load(void)
{
	struct ddisim_drvconf c;
	ddisim_drv_t *d = NULL;

	memset(&c, 0, sizeof(c));
	c.prefix = "hba";
	c.object = HBA_SO;
	ck_assert_int_eq(ddisim_drv_load_conf(&c, &d), 0);
	ck_assert_int_eq(ddisim_drv_interface(d), 80);
	return d;
}

static void
pattern(uint8_t *b, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)((i * 131 + seed) ^ (i >> 9));
}

static ddisim_file_t *
open_dev(struct proc *p, ddisim_drv_t *d, unsigned inst, unsigned chan,
    int otyp)
{
	ddisim_file_t *f = NULL;

	ck_assert_int_eq(ddisim_dev_open(p, ddisim_drv_dev(d, inst, chan),
	    otyp, FREAD | FWRITE, &f), 0);
	return f;
}

/* Write len bytes of src at off through f from the process at u. */
static void
put(struct proc *p, ddisim_file_t *f, uint8_t *u, const uint8_t *src,
    size_t len, int64_t off)
{
	size_t done;

	ck_assert_int_eq(ddisim_proc_write(p, u, src, len), 0);
	ck_assert_int_eq(ddisim_dev_seek(f, off), 0);
	ck_assert_int_eq(ddisim_dev_write(f, u, len, &done), 0);
	ck_assert_uint_eq(done, len);
}

/* Read len bytes at off through f into the process at u, then into dst. */
static void
get(struct proc *p, ddisim_file_t *f, uint8_t *u, uint8_t *dst,
    size_t len, int64_t off)
{
	size_t done;

	ck_assert_int_eq(ddisim_dev_seek(f, off), 0);
	ck_assert_int_eq(ddisim_dev_read(f, u, len, &done), 0);
	ck_assert_uint_eq(done, len);
	ck_assert_int_eq(ddisim_proc_read(p, u, dst, len), 0);
}

/*
 * Raw and block I/O on a unit, with the adapter running commands in the
 * driver's thread (_i 0) or in its own (_i 1), whose interrupts come
 * from there.
 */
START_TEST(hba_raw_and_block_io)
{
	enum { BIG = 100 * 1024 };
	static uint8_t pat[BIG], back[BIG];
	struct ddisim_dma_stats st;
	struct hba_inquiry inq;
	struct hba_geom g;
	devsize_t size;
	bcb_t *bcb, *wbcb;
	uint64_t blocks;
	ddisim_file_t *c, *b;
	ddisim_dma_t *a;
	ddisim_drv_t *d;
	struct proc *p, *hi;
	uint8_t *u, *store;
	int rval;

	MACHINE_UP("mem=6G,seed=11");
	a = adapter(3, PORT, IRQ, _i);
	store = ddisim_dma_store(a, NULL);
	d = load();
	ck_assert_uint_eq(ddisim_drv_ninstances(d), 1);
	ck_assert_uint_eq(ddisim_drv_key(d, 0), ddisim_dma_key(a));

	/* the program's pages: scattered, below 4 GiB */
	p = ddisim_proc_create(512 * 1024, UINT64_C(1) << 32);
	u = ddisim_proc_base(p);

	/* raw: target 0, LUN 1, the program's buffer in place */
	c = open_dev(p, d, 0, 1, DDISIM_CHR);
	pattern(pat, BIG, 1);
	put(p, c, u, pat, BIG, 8192);
	ck_assert_mem_eq(store + UNIT + 8192, pat, BIG);
	ddisim_dma_idle(a);
	ddisim_dma_stats(a, &st);
	/* more pairs than commands: the pages were not contiguous */
	ck_assert_uint_gt(st.pieces, st.commands + 2);
	ck_assert_uint_eq(st.from_memory, BIG);
	get(p, c, u + 256 * 1024, back, BIG, 8192);
	ck_assert_mem_eq(back, pat, BIG);

	/* a buffer the adapter cannot take in place: not 4-aligned */
	pattern(pat, 3 * HBA_BSIZE, 2);
	put(p, c, u + 1, pat, 3 * HBA_BSIZE, 512);
	ck_assert_mem_eq(store + UNIT + 512, pat, 3 * HBA_BSIZE);

	/* the block device of the unit: the kernel's buffers, any offset */
	b = open_dev(p, d, 0, 1, DDISIM_BLK);
	pattern(pat, 3000, 3);
	put(p, b, u + 5, pat, 3000, 700);
	ck_assert_mem_eq(store + UNIT + 700, pat, 3000);
	get(p, b, u + 64 * 1024 + 3, back, 1000, 1234);
	ck_assert_mem_eq(back, pat + 1234 - 700, 1000);
	ck_assert_int_eq(ddisim_dev_close(b), 0);

	/* what the kernel asks: the unit's size, the adapter's limits */
	ck_assert_int_eq(ddisim_dev_size(c, &blocks), 0);
	ck_assert_uint_eq(blocks, HBA_UNIT_BLOCKS);
	ck_assert_int_eq(ddisim_dev_devinfo(c, DI_SIZE, &size), 0);
	ck_assert_int_eq(size.blkno, HBA_UNIT_BLOCKS);
	ck_assert_int_eq(ddisim_dev_devinfo(c, DI_RBCBP, &bcb), 0);
	ck_assert_uint_eq(bcb->bcb_addrtypes, BA_SCGTH);
	ck_assert_uint_eq(bcb->bcb_physreqp->phys_max_scgth, HBA_MAXSG);
	ck_assert_uint_eq(bcb->bcb_physreqp->phys_boundary, HBA_BOUNDARY);
	ck_assert_uint_eq(bcb->bcb_physreqp->phys_align, HBA_ALIGN);
	ck_assert_uint_eq(bcb->bcb_physreqp->phys_dmasize, 32);
	ck_assert_int_eq(ddisim_dev_devinfo(c, DI_WBCBP, &wbcb), 0);
	ck_assert_ptr_eq(wbcb, bcb);

	/* what the unit says of itself */
	ck_assert_int_eq(ddisim_dev_ioctl(c, HBA_GETGEOM, (intptr_t)u, &rval),
	    0);
	ck_assert_int_eq(ddisim_proc_read(p, u, &g, sizeof(g)), 0);
	ck_assert_uint_eq(g.g_blocks, HBA_UNIT_BLOCKS);
	ck_assert_uint_eq(g.g_cyls * g.g_heads * g.g_sectors, HBA_UNIT_BLOCKS);
	ck_assert_int_eq(ddisim_dev_ioctl(c, HBA_INQUIRY, (intptr_t)u, &rval),
	    0);
	ck_assert_int_eq(ddisim_proc_read(p, u, &inq, sizeof(inq)), 0);
	ck_assert_uint_eq(inq.i_key, ddisim_dma_key(a));
	ck_assert_uint_eq(inq.i_target, 0);
	ck_assert_uint_eq(inq.i_lun, 1);
	ck_assert_mem_eq(inq.i_vendor, "EXAMPLE ", 8);
	ck_assert_int_eq(ddisim_dev_close(c), 0);

	/*
	 * A program whose pages may lie above 4 GiB: the kernel moves its
	 * data through memory the adapter reaches.  Target 1, LUN 0.
	 */
	hi = ddisim_proc_create(128 * 1024, 0);
	c = open_dev(hi, d, 0, 2, DDISIM_CHR);
	pattern(store + 2 * UNIT, 64 * 1024, 4);
	get(hi, c, ddisim_proc_base(hi), back, 64 * 1024, 0);
	ck_assert_mem_eq(back, store + 2 * UNIT, 64 * 1024);
	ck_assert_int_eq(ddisim_dev_close(c), 0);

	ddisim_dma_idle(a);
	ddisim_dma_stats(a, &st);
	ck_assert_uint_eq(st.failed, 0);
	ck_assert_uint_eq(st.faults, 0);
	ddisim_proc_destroy(hi);
	ddisim_proc_destroy(p);
	ck_assert_int_eq(ddisim_drv_unload(d), 0);
	ddisim_dma_destroy(a);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	MACHINE_DOWN();
}
END_TEST

/* What a program gets back when things go wrong. */
START_TEST(hba_errors)
{
	ddisim_file_t *c, *b, *x;
	struct ddisim_dma_stats st;
	ddisim_dma_t *a;
	ddisim_drv_t *d;
	uint8_t *u, buf[4096];
	struct proc *p;
	size_t done, psize;
	int rval;

	MACHINE_UP("mem=256M");
	a = adapter(2, PORT, IRQ, 0);
	d = load();
	p = ddisim_proc_create(64 * 1024, 0);
	u = ddisim_proc_base(p);
	psize = ddisim_proc_size(p);

	/* a unit that is not there (target 3, LUN 1), a minor past them */
	ck_assert_int_eq(ddisim_dev_open(p, ddisim_drv_dev(d, 0, 7),
	    DDISIM_CHR, FREAD, &x), ENXIO);
	ck_assert_int_eq(ddisim_dev_open(p, ddisim_drv_dev(d, 0, 2),
	    DDISIM_BLK, FREAD, &x), ENXIO);
	ck_assert_uint_eq(ddisim_drv_dev(d, 0, HBA_NCHAN), NODEV);
	ck_assert_int_eq(ddisim_dev_open(p, NODEV, DDISIM_CHR, FREAD, &x),
	    ENXIO);

	c = open_dev(p, d, 0, 0, DDISIM_CHR);
	b = open_dev(p, d, 0, 0, DDISIM_BLK);

	/* EFAULT: buffers that are not the program's, wholly or in part */
	ck_assert_int_eq(ddisim_dev_read(c, buf, sizeof(buf), &done), EFAULT);
	ck_assert_int_eq(ddisim_dev_write(b, buf, sizeof(buf), &done), EFAULT);
	ck_assert_int_eq(ddisim_dev_read(c, u + psize - 512, 1024, &done),
	    EFAULT);
	ck_assert_int_eq(ddisim_dev_ioctl(c, HBA_GETGEOM, (intptr_t)buf,
	    &rval), EFAULT);
	ck_assert_int_eq(ddisim_dev_ioctl(c, 0x7777, (intptr_t)u, &rval),
	    EINVAL);
	/* raw I/O is of whole sectors */
	ck_assert_int_eq(ddisim_dev_seek(c, 100), 0);
	ck_assert_int_eq(ddisim_dev_read(c, u, 512, &done), EINVAL);

	/* a command the adapter fails part way: EIO, raw and block */
	ck_assert_int_eq(ddisim_dma_fail(a, 0, 1024), 0);
	ck_assert_int_eq(ddisim_dev_seek(c, 0), 0);
	ck_assert_int_eq(ddisim_dev_read(c, u, 4096, &done), EIO);
	ck_assert_int_eq(ddisim_dma_fail(a, 0, 0), 0);
	ck_assert_int_eq(ddisim_dev_seek(b, 0), 0);
	ck_assert_int_eq(ddisim_dev_write(b, u, 4096, &done), EIO);
	ck_assert_int_eq(ddisim_dev_seek(b, 0), 0);
	ck_assert_int_eq(ddisim_dev_read(b, u, 4096, &done), 0);
	ck_assert_uint_eq(done, 4096);

	/* the end of the unit: short, then nothing, then ENXIO */
	ck_assert_int_eq(ddisim_dev_seek(c, (int64_t)UNIT - 512), 0);
	ck_assert_int_eq(ddisim_dev_read(c, u, 2048, &done), 0);
	ck_assert_uint_eq(done, 512);
	ck_assert_int_eq(ddisim_dev_read(c, u, 2048, &done), 0);
	ck_assert_uint_eq(done, 0);
	ck_assert_int_eq(ddisim_dev_write(c, u, 512, &done), ENXIO);
	ck_assert_int_eq(ddisim_dev_seek(c, (int64_t)UNIT + 512), 0);
	ck_assert_int_eq(ddisim_dev_read(c, u, 512, &done), ENXIO);
	ck_assert_int_eq(ddisim_dev_seek(b, (int64_t)UNIT - 100), 0);
	ck_assert_int_eq(ddisim_dev_read(b, u, 1000, &done), 0);
	ck_assert_uint_eq(done, 100);
	ck_assert_int_eq(ddisim_dev_read(b, u, 1000, &done), 0);
	ck_assert_uint_eq(done, 0);

	/* unloading with files open is refused */
	ddisim_verify_set_policy(DDISIM_VERIFY_COUNT);
	ck_assert_int_eq(ddisim_drv_unload(d), EBUSY);
	ddisim_verify_set_policy(DDISIM_VERIFY_ABORT);
	ck_assert_int_eq(ddisim_dev_close(b), 0);
	ck_assert_int_eq(ddisim_dev_close(c), 0);

	ddisim_dma_stats(a, &st);
	ck_assert_uint_eq(st.failed, 2 + 2);	/* two injected, two probes */
	ck_assert_uint_eq(st.faults, 0);
	ddisim_proc_destroy(p);
	ck_assert_int_eq(ddisim_drv_unload(d), 0);
	ddisim_dma_destroy(a);
	MACHINE_DOWN();
}
END_TEST

/* Two adapters, two instances; a third added and removed while loaded. */
START_TEST(hba_instances)
{
	ddisim_dma_t *a0, *a1, *a2;
	ddisim_file_t *f0, *f1, *f2;
	ddisim_drv_t *d;
	struct proc *p;
	uint8_t *u, pat[2048], back[2048];

	MACHINE_UP("mem=256M");
	a0 = adapter(1, PORT, IRQ, 0);
	a1 = adapter(1, PORT + 0x100, IRQ + 1, 0);
	d = load();
	ck_assert_uint_eq(ddisim_drv_ninstances(d), 2);
	p = ddisim_proc_create(64 * 1024, 0);
	u = ddisim_proc_base(p);
	f0 = open_dev(p, d, 0, 0, DDISIM_CHR);
	f1 = open_dev(p, d, 1, 0, DDISIM_CHR);
	pattern(pat, sizeof(pat), 5);
	put(p, f1, u, pat, sizeof(pat), 4096);
	ck_assert_mem_eq(ddisim_dma_store(a1, NULL) + 4096, pat, sizeof(pat));
	pattern(pat, sizeof(pat), 6);
	put(p, f0, u, pat, sizeof(pat), 4096);
	ck_assert_mem_eq(ddisim_dma_store(a0, NULL) + 4096, pat, sizeof(pat));

	ck_assert_int_eq(ddisim_dev_close(f0), 0);
	ck_assert_int_eq(ddisim_dev_close(f1), 0);

	a2 = adapter(1, PORT + 0x200, IRQ + 2, 0);
	ck_assert_int_eq(ddisim_drv_add_board(d, ddisim_dma_key(a2)), 0);
	ck_assert_uint_eq(ddisim_drv_ninstances(d), 3);
	f2 = open_dev(p, d, 2, 0, DDISIM_CHR);
	memcpy(ddisim_dma_store(a2, NULL), pat, sizeof(pat));
	get(p, f2, u + 8192, back, sizeof(back), 0);
	ck_assert_mem_eq(back, pat, sizeof(pat));
	ck_assert_int_eq(ddisim_drv_remove_board(d, ddisim_dma_key(a2)),
	    EBUSY);
	ck_assert_int_eq(ddisim_dev_close(f2), 0);
	ck_assert_int_eq(ddisim_drv_remove_board(d, ddisim_dma_key(a2)), 0);
	ddisim_dma_destroy(a2);
	ck_assert_uint_eq(ddisim_drv_ninstances(d), 2);
	ddisim_proc_destroy(p);
	ck_assert_int_eq(ddisim_drv_unload(d), 0);
	ddisim_dma_destroy(a1);
	ddisim_dma_destroy(a0);
	MACHINE_DOWN();
}
END_TEST

/*
 * Loading and unloading with allocations failing at random: the driver
 * takes the adapters it can, gives back all it took for those it
 * cannot, and leaves nothing when it goes.
 */
START_TEST(hba_load_under_failrate)
{
	long seeds = prop_floor(prop_iters(1000), 50);
	unsigned partial = 0, whole = 0;
	char spec[64];

	for (long s = 1; s <= seeds; s++) {
		ddisim_dma_t *a[3];
		struct ddisim_drvconf c;
		ddisim_drv_t *d = NULL;
		int rc;

		(void)snprintf(spec, sizeof(spec),
		    "mem=32M,failrate=0.05,seed=%ld", s);
		MACHINE_UP(spec);
		for (int i = 0; i < 3; i++)
			a[i] = adapter(1, PORT + 0x100 * i, IRQ + i, 0);
		memset(&c, 0, sizeof(c));
		c.prefix = "hba";
		c.object = HBA_SO;
		rc = ddisim_drv_load_conf(&c, &d);
		ck_assert_msg(rc == 0 || rc == ENOMEM, "seed %ld: %d", s, rc);
		if (rc == 0) {
			if (ddisim_drv_ninstances(d) < 3)
				partial++;
			else
				whole++;
			ck_assert_int_eq(ddisim_drv_unload(d), 0);
		}
		for (int i = 0; i < 3; i++)
			ddisim_dma_destroy(a[i]);
		ck_assert_uint_eq(ddisim_verify_count(), 0);
		MACHINE_DOWN();
	}
	ck_assert_uint_gt(partial, 0);
	ck_assert_uint_gt(whole, 0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("hba");
	TCase *tc;

	tc = tcase_new("core");
	tcase_set_timeout(tc, 600);
	tcase_add_loop_test(tc, hba_raw_and_block_io, 0, 2);
	tcase_add_test(tc, hba_errors);
	tcase_add_test(tc, hba_instances);
	suite_add_tcase(s, tc);
	tc = tcase_new("failrate");
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, hba_load_under_failrate);
	suite_add_tcase(s, tc);
	return run_suite(s) == 0 ? 0 : 1;
}
