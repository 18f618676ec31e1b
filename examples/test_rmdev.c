/*
 * test_rmdev.c - the resource manager example driver, one source built
 * at DDI 7 (prefix rmdev7) and at DDI 8 (prefix rmdev8) as two loadable
 * modules, loaded side by side in one process by the driver host, each
 * finding a board of its own in the resource manager, and used through
 * its own device number by a simulated process.
 *
 * Each board is a DMA device the resource manager lists by its name,
 * with ports, a memory window and an interrupt.  Each driver reports
 * what it found there, reads the board's status register, takes the
 * board's interrupt, and reads blocks through the registers it maps
 * (physmap at DDI 7, devmem_mapin at DDI 8) into the program's memory.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/types.h>
#include <sys/file.h>
#include <ddicompat/host.h>
#include <ddicompat/devsim.h>

#include "lib/testutil.h"
#include "rmdev.h"

#define CAPACITY	4096
#define UINFO		0		/* the program's struct rmdev_info */
#define URD		1024		/* its struct rmdev_rd */
#define UBLK		4096		/* where a block is read to */

static struct proc *proc;
static unsigned char *ubase;

/* A board named name, its store filled with a pattern of seed. */
static ddisim_dma_t *
board(const char *name, int port, int irq, uint64_t mmio, unsigned seed)
{
	struct ddisim_dma_config c;
	ddisim_dma_t *d;
	unsigned char *store;

	memset(&c, 0, sizeof(c));
	c.model = DDISIM_DMA_SINGLE;
	c.addr_bits = 32;
	c.capacity = CAPACITY;
	c.port = port;
	c.irq = irq;
	c.name = name;
	c.mmio = mmio;
	d = ddisim_dma_create(&c);
	ck_assert_ptr_nonnull(d);
	store = ddisim_dma_store(d, NULL);
	for (unsigned i = 0; i < CAPACITY; i++)
		store[i] = (unsigned char)(i * seed + i / RMDEV_BSIZE);
	return d;
}

static ddisim_drv_t *
load(const char *prefix, const char *object)
{
	struct ddisim_drvconf c;
	ddisim_drv_t *m = NULL;

	memset(&c, 0, sizeof(c));
	c.prefix = prefix;
	c.object = object;
	ck_assert_int_eq(ddisim_drv_load_conf(&c, &m), 0);
	ck_assert_ptr_nonnull(m);
	return m;
}

static ddisim_file_t *
open0(ddisim_drv_t *m)
{
	ddisim_file_t *f = NULL;

	ck_assert_int_eq(ddisim_dev_open(proc, ddisim_drv_dev(m, 0, 0),
	    DDISIM_CHR, FREAD, &f), 0);
	return f;
}

/* RMDEV_INFO, through the program's memory. */
static struct rmdev_info
info(ddisim_file_t *f)
{
	struct rmdev_info ri;
	int rval;

	ck_assert_int_eq(ddisim_dev_ioctl(f, RMDEV_INFO, (intptr_t)(ubase +
	    UINFO), &rval), 0);
	ck_assert_int_eq(ddisim_proc_read(proc, ubase + UINFO, &ri,
	    sizeof(ri)), 0);
	return ri;
}

/* RMDEV_READ of block blk into the program's buffer at buf. */
static int
read_blk(ddisim_file_t *f, unsigned blk, void *buf, int *rvalp)
{
	struct rmdev_rd rd;

	memset(&rd, 0, sizeof(rd));
	rd.rd_blk = blk;
	rd.rd_buf = buf;
	ck_assert_int_eq(ddisim_proc_write(proc, ubase + URD, &rd, sizeof(rd)),
	    0);
	return ddisim_dev_ioctl(f, RMDEV_READ, (intptr_t)(ubase + URD), rvalp);
}

static void
check_blk(ddisim_file_t *f, ddisim_dma_t *d, unsigned blk)
{
	unsigned char out[RMDEV_BSIZE];
	int rval = 0;

	ck_assert_int_eq(read_blk(f, blk, ubase + UBLK, &rval), 0);
	ck_assert_int_eq(rval, RMDEV_BSIZE);
	ck_assert_int_eq(ddisim_proc_read(proc, ubase + UBLK, out,
	    sizeof(out)), 0);
	ck_assert_mem_eq(out, ddisim_dma_store(d, NULL) + blk * RMDEV_BSIZE,
	    RMDEV_BSIZE);
}

/*
 * Both builds at once: each on its own board, with its own major, its
 * own interrupt and its own registers; errors as the system calls gave
 * them; both unloaded, and nothing left.
 */
START_TEST(rmdev_ddi7_and_ddi8_side_by_side)
{
	ddisim_dma_t *b7, *b8;
	ddisim_drv_t *m7, *m8;
	ddisim_file_t *f7, *f8, *g;
	struct rmdev_info ri;
	unsigned char host[RMDEV_BSIZE];
	int rval;

	MACHINE_UP("mem=64M");
	b7 = board("rmdev7", 0x600, 9, 0xe0000000, 3);
	b8 = board("rmdev8", 0x640, 10, 0xe0001000, 7);
	proc = ddisim_proc_create(16 * 1024, 0);
	ubase = ddisim_proc_base(proc);
	m7 = load("rmdev7", RMDEV7_SO);
	m8 = load("rmdev8", RMDEV8_SO);
	ck_assert_int_eq(ddisim_drv_interface(m7), 70);
	ck_assert_int_eq(ddisim_drv_interface(m8), 80);
	ck_assert_uint_ne(ddisim_drv_major(m7), ddisim_drv_major(m8));
	ck_assert_uint_eq(ddisim_drv_ninstances(m8), 1);
	ck_assert_uint_eq(ddisim_drv_key(m8, 0), ddisim_dma_key(b8));

	f7 = open0(m7);
	f8 = open0(m8);
	ri = info(f7);
	ck_assert_uint_eq(ri.ri_ports, DDISIM_DMA_NPORTS);
	ck_assert_uint_eq(ri.ri_bus, 0x04);	/* CM_BUS_PCI */
	ck_assert_uint_eq(ri.ri_mem, 0xe0000000);
	ck_assert_uint_eq(ri.ri_status, 0);	/* idle */
	ri = info(f8);
	ck_assert_uint_eq(ri.ri_ports, DDISIM_DMA_NPORTS);
	ck_assert_uint_eq(ri.ri_mem, 0xe0001000);
	ck_assert_uint_eq(ri.ri_status, 0);

	/* each board's line reaches its own driver only */
	ck_assert_int_eq(ddisim_intr_raise(9), 1);
	ck_assert_int_eq(info(f7).ri_intrs, 1);
	ck_assert_int_eq(info(f8).ri_intrs, 0);
	ck_assert_int_eq(ddisim_intr_raise(10), 1);
	ck_assert_int_eq(info(f8).ri_intrs, 1);

	/* blocks through the mapped registers, into the program's memory */
	check_blk(f7, b7, 3);
	ck_assert_int_eq(info(f7).ri_intrs, 2);	/* the end of the read */
	ck_assert_uint_eq(info(f7).ri_status, 2);	/* done */
	check_blk(f8, b8, 5);
	check_blk(f8, b8, 6);
	check_blk(f7, b7, 7);
	ck_assert_int_eq(info(f8).ri_intrs, 3);

	/* the program's buffers must be its own; unknown ioctls */
	ck_assert_int_eq(ddisim_dev_ioctl(f7, RMDEV_INFO, (intptr_t)host,
	    &rval), EFAULT);
	ck_assert_int_eq(ddisim_dev_ioctl(f8, RMDEV_INFO, (intptr_t)host,
	    &rval), EFAULT);
	ck_assert_int_eq(read_blk(f7, 1, host, &rval), EFAULT);
	ck_assert_int_eq(read_blk(f8, 1, host, &rval), EFAULT);
	ck_assert_int_eq(ddisim_dev_ioctl(f7, RMDEV_READ, (intptr_t)host,
	    &rval), EFAULT);
	ck_assert_int_eq(ddisim_dev_ioctl(f7, RMDEV_IOC | 9, 0, &rval),
	    EINVAL);
	ck_assert_int_eq(ddisim_dev_ioctl(f8, RMDEV_IOC | 9, 0, &rval),
	    EINVAL);
	/* past the end of the board: the board fails the read */
	ck_assert_int_eq(read_blk(f8, CAPACITY / RMDEV_BSIZE, ubase + UBLK,
	    &rval), EIO);

	/* bad minors: the DDI 7 driver's open says so; DDI 8 has one channel */
	ck_assert_int_eq(ddisim_dev_open(proc, ddisim_drv_dev(m7, 0, 1),
	    DDISIM_CHR, FREAD, &g), ENXIO);
	ck_assert_uint_eq(ddisim_drv_dev(m8, 0, 1), NODEV);
	ck_assert_int_eq(ddisim_dev_open(proc, ddisim_drv_dev(m8, 0, 0) + 1,
	    DDISIM_CHR, FREAD, &g), ENXIO);

	/* the DDI 7 build unloaded first; the DDI 8 one goes on alone */
	ck_assert_int_eq(ddisim_dev_close(f7), 0);
	ck_assert_int_eq(ddisim_drv_unload(m7), 0);
	ck_assert_ptr_null(ddisim_drv_find("rmdev7"));
	check_blk(f8, b8, 2);
	ck_assert_int_eq(ddisim_dev_close(f8), 0);
	ck_assert_int_eq(ddisim_drv_unload(m8), 0);
	/* their interrupts went with them */
	ck_assert_int_eq(ddisim_intr_raise(9), -1);
	ck_assert_int_eq(ddisim_intr_raise(10), -1);
	ddisim_proc_destroy(proc);
	ddisim_dma_destroy(b7);
	ddisim_dma_destroy(b8);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	MACHINE_DOWN();
}
END_TEST

/*
 * Without a board: the DDI 7 build's _load fails and leaves nothing;
 * the DDI 8 build loads with no instance and no device, and takes a
 * board added while it is loaded (CFG_ADD), one only, and gives it back
 * (CFG_REMOVE).  A build is loaded once.
 */
START_TEST(rmdev_boards_come_and_go)
{
	struct ddisim_drvconf c;
	ddisim_drv_t *m7 = NULL, *m8, *again = NULL;
	ddisim_dma_t *b1, *b2;
	ddisim_file_t *f;

	MACHINE_UP("mem=64M");
	proc = ddisim_proc_create(16 * 1024, 0);
	ubase = ddisim_proc_base(proc);
	memset(&c, 0, sizeof(c));
	c.prefix = "rmdev7";
	c.object = RMDEV7_SO;
	ck_assert_int_eq(ddisim_drv_load_conf(&c, &m7), ENODEV);
	ck_assert_ptr_null(m7);
	ck_assert_ptr_null(ddisim_drv_find("rmdev7"));
	m8 = load("rmdev8", RMDEV8_SO);
	ck_assert_uint_eq(ddisim_drv_ninstances(m8), 0);
	ck_assert_uint_eq(ddisim_drv_dev(m8, 0, 0), NODEV);
	c.prefix = "rmdev8";
	c.object = RMDEV8_SO;
	ck_assert_int_eq(ddisim_drv_load_conf(&c, &again), EEXIST);
	ck_assert_ptr_null(again);

	b1 = board("rmdev8", 0x600, 9, 0xe0000000, 5);
	b2 = board("rmdev8", 0x640, 10, 0xe0001000, 11);
	ck_assert_int_eq(ddisim_drv_add_board(m8, ddisim_dma_key(b1)), 0);
	ck_assert_uint_eq(ddisim_drv_ninstances(m8), 1);
	ck_assert_int_eq(ddisim_drv_add_board(m8, ddisim_dma_key(b2)), EBUSY);
	ck_assert_uint_eq(ddisim_drv_ninstances(m8), 1);
	f = open0(m8);
	check_blk(f, b1, 4);
	ck_assert_int_eq(ddisim_drv_remove_board(m8, ddisim_dma_key(b1)),
	    EBUSY);
	ck_assert_int_eq(ddisim_dev_close(f), 0);
	ck_assert_int_eq(ddisim_drv_remove_board(m8, ddisim_dma_key(b1)), 0);
	ck_assert_uint_eq(ddisim_drv_ninstances(m8), 0);
	ck_assert_int_eq(ddisim_intr_raise(9), -1);
	/* the other board, now that the first is gone */
	ck_assert_int_eq(ddisim_drv_add_board(m8, ddisim_dma_key(b2)), 0);
	f = open0(m8);
	check_blk(f, b2, 1);
	ck_assert_int_eq(ddisim_dev_close(f), 0);
	ck_assert_int_eq(ddisim_drv_unload(m8), 0);
	ddisim_proc_destroy(proc);
	ddisim_dma_destroy(b1);
	ddisim_dma_destroy(b2);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	MACHINE_DOWN();
}
END_TEST

/*
 * Both builds loaded, opened, read and unloaded with no-sleep
 * allocations failing: whatever fails comes back as an errno, and
 * nothing is left or reported.
 */
START_TEST(rmdev_under_failrate)
{
	long seeds = prop_floor(prop_iters(1000), 50);
	unsigned whole = 0;
	char spec[64];

	for (long i = 1; i <= seeds; i++) {
		struct ddisim_drvconf c;
		ddisim_dma_t *b[2];
		ddisim_drv_t *m[2];
		ddisim_file_t *f;
		int rc, rval, done = 0;

		(void)snprintf(spec, sizeof(spec),
		    "mem=16M,failrate=0.3,seed=%ld", i);
		MACHINE_UP(spec);
		b[0] = board("rmdev7", 0x600, 9, 0xe0000000, 3);
		b[1] = board("rmdev8", 0x640, 10, 0xe0001000, 7);
		for (int k = 0; k < 100 && (proc = ddisim_proc_create(4096,
		    0)) == NULL; k++)
			;
		ck_assert_ptr_nonnull(proc);
		ubase = ddisim_proc_base(proc);
		for (int k = 0; k < 2; k++) {
			memset(&c, 0, sizeof(c));
			c.prefix = k == 0 ? "rmdev7" : "rmdev8";
			c.object = k == 0 ? RMDEV7_SO : RMDEV8_SO;
			m[k] = NULL;
			rc = ddisim_drv_load_conf(&c, &m[k]);
			ck_assert_msg(rc == 0 || rc == ENOMEM, "seed %ld: %s: "
			    "%d", i, c.prefix, rc);
			if (rc != 0 || ddisim_drv_ninstances(m[k]) == 0)
				continue;
			rc = ddisim_dev_open(proc, ddisim_drv_dev(m[k], 0, 0),
			    DDISIM_CHR, FREAD, &f);
			ck_assert_msg(rc == 0 || rc == ENOMEM, "seed %ld: "
			    "open: %d", i, rc);
			if (rc != 0)
				continue;
			rc = read_blk(f, 1, ubase + 2048, &rval);
			ck_assert_msg(rc == 0 || rc == EIO, "seed %ld: read: "
			    "%d", i, rc);
			done += rc == 0;
			ck_assert_int_eq(ddisim_dev_close(f), 0);
		}
		whole += done == 2;
		for (int k = 0; k < 2; k++)
			if (m[k] != NULL)
				ck_assert_int_eq(ddisim_drv_unload(m[k]), 0);
		ddisim_proc_destroy(proc);
		ddisim_dma_destroy(b[0]);
		ddisim_dma_destroy(b[1]);
		ck_assert_uint_eq(ddisim_verify_count(), 0);
		MACHINE_DOWN();
	}
	ck_assert_uint_gt(whole, 0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("rmdev");
	TCase *tc = tcase_new("core");

	tcase_add_test(tc, rmdev_ddi7_and_ddi8_side_by_side);
	tcase_add_test(tc, rmdev_boards_come_and_go);
	suite_add_tcase(s, tc);
	tc = tcase_new("failrate");
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, rmdev_under_failrate);
	suite_add_tcase(s, tc);
	return run_suite(s) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
