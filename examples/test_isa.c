/*
 * test_isa.c - the example ISA diskette driver (isa.c, DDI 4), linked
 * into this program as it was linked into the kernel, loaded by the
 * driver host by its prefix, and used by a program through its device
 * numbers.
 *
 * The controller is played here: its registers on the ports the
 * driver's Space.c names, and a ddisim_isadev(3) device on the system
 * DMA controller's channel, whose buffer is the diskettes' image.  A
 * command asserts DREQ for each byte of its sectors, so the data moves
 * only through the 8237 channel as the driver programmed it, and the
 * device interrupts when the channel reaches terminal count.  The
 * program's buffers lie anywhere in a machine of 256 MiB, mostly beyond
 * the channel's 16 MiB: the driver moves them through its track buffer.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sys/types.h>
#include <sys/file.h>

#include <ddicompat/host.h>
#include <ddicompat/isadma.h>

#include "lib/testutil.h"
#include "isa.h"

#define DISK	((size_t)ISA_NBLK * ISA_SECSIZE)	/* a drive's bytes */

/* ---- the controller ---- */

static struct fdc {
	ddisim_isadev_t	*dev;
	uint8_t		*image;		/* the drives, one after the other */
	unsigned	drives;		/* a bit for each drive there */
	uint8_t		drive, seclo, sechi, count, status;
	unsigned	fail;		/* commands to fail from now */
	unsigned	commands;
} fdc;

static uint32_t
fdc_in(void *arg, int port, int width)
{
	struct fdc *c = arg;

	(void)width;
	switch (port - isa_ioaddr) {
	case ISA_STATUS:
		return c->status;
	case ISA_DRIVES:
		return c->drives;
	default:
		return 0xff;
	}
}

static void
fdc_command(struct fdc *c, uint32_t cmd)
{
	size_t sector = (size_t)c->seclo | (size_t)c->sechi << 8;
	size_t n = (size_t)c->count * ISA_SECSIZE;

	c->commands++;
	if ((cmd != ISA_CMD_READ && cmd != ISA_CMD_WRITE) ||
	    c->drive >= ISA_NDRIVE || !(c->drives & (1u << c->drive)) ||
	    sector + c->count > ISA_NBLK || c->fail > 0) {
		if (c->fail > 0)
			c->fail--;
		c->status = ISA_ST_DONE | ISA_ST_ERROR;
		(void)ddisim_intr_raise(ISA_IRQ);
		return;
	}
	/* byte by byte through the channel; its end raises the line */
	c->status = ISA_ST_DONE;
	if (ddisim_isadev_dreq(c->dev, c->drive * DISK + sector * ISA_SECSIZE,
	    n) != n || !ddisim_isadev_tc(c->dev))
		c->status |= ISA_ST_ERROR;
}

static void
fdc_out(void *arg, int port, int width, uint32_t v)
{
	struct fdc *c = arg;

	(void)width;
	switch (port - isa_ioaddr) {
	case ISA_CMD:
		fdc_command(c, v);
		break;
	case ISA_STATUS:
		c->status &= (uint8_t)~(v & (ISA_ST_DONE | ISA_ST_ERROR));
		break;
	case ISA_DRIVE:
		c->drive = (uint8_t)v;
		break;
	case ISA_SECTOR_LO:
		c->seclo = (uint8_t)v;
		break;
	case ISA_SECTOR_HI:
		c->sechi = (uint8_t)v;
		break;
	case ISA_COUNT:
		c->count = (uint8_t)v;
		break;
	}
}

static const struct ddisim_port_ops fdc_ops = { fdc_in, fdc_out };

/* A machine, the controller with drive 0, and the driver loaded. */
static ddisim_ports_t *
up(ddisim_drv_t **dp)
{
	ddisim_ports_t *ports;
	size_t size;

	MACHINE_UP("mem=256M,frag=0.5,seed=4");
	ddisim_cpu_set(0);		/* the driver runs on CPU 0 */
	memset(&fdc, 0, sizeof(fdc));
	fdc.drives = 0x1;
	fdc.dev = ddisim_isadev_create(isa_dmachan, ISA_IRQ,
	    ISA_NDRIVE * DISK, "isa");
	ck_assert_ptr_nonnull(fdc.dev);
	fdc.image = ddisim_isadev_buf(fdc.dev, &size);
	ck_assert_uint_eq(size, ISA_NDRIVE * DISK);
	for (size_t i = 0; i < size; i++)
		fdc.image[i] = (uint8_t)(i * 7 + (i >> 9));
	ports = ddisim_port_claim(isa_ioaddr, ISA_NPORTS, &fdc_ops, &fdc,
	    "isa0");
	ck_assert_ptr_nonnull(ports);
	ddisim_putbuf_clear();
	ck_assert_int_eq(ddisim_drv_load("isa", dp), 0);
	ck_assert_int_eq(ddisim_drv_interface(*dp), 70);
	return ports;
}

static void
down(ddisim_drv_t *d, ddisim_ports_t *ports)
{
	struct ddisim_chan ch[8];

	ck_assert_int_eq(ddisim_drv_unload(d), 0);
	/* the channel is free again */
	ck_assert_int_eq(ddisim_isadma_channels(ch), 8);
	ck_assert_int_eq(ch[isa_dmachan].owner, DDISIM_CHAN_FREE);
	ddisim_port_release(ports);
	ddisim_isadev_destroy(fdc.dev);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	MACHINE_DOWN();
}

static void
pattern(uint8_t *b, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)((i * 31 + seed) ^ (i >> 8));
}

static ddisim_file_t *
open_dev(struct proc *p, ddisim_drv_t *d, unsigned minor, int otyp)
{
	ddisim_file_t *f = NULL;

	ck_assert_int_eq(ddisim_dev_open(p, ddisim_drv_dev(d, 0, minor), otyp,
	    FREAD | FWRITE, &f), 0);
	return f;
}

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

START_TEST(isa_raw_and_block_io)
{
	enum { BIG = 40 * ISA_SECSIZE };
	static uint8_t pat[BIG], back[BIG];
	struct ddisim_chan ch[8];
	struct isa_param prm;
	ddisim_ports_t *ports;
	ddisim_file_t *c, *b;
	ddisim_drv_t *d;
	struct proc *p;
	uint64_t blocks;
	char con[512];
	uint8_t *u;
	int rval;

	ports = up(&d);
	(void)ddisim_putbuf(con, sizeof(con));
	ck_assert_contains(con, "isa: diskette controller at 0x3f0, DMA "
	    "channel 2, drives 0x1");
	p = ddisim_proc_create(256 * 1024, 0);
	u = ddisim_proc_base(p);

	/* raw: the program's scattered pages, at an odd address */
	c = open_dev(p, d, 0, DDISIM_CHR);
	get(p, c, u + 3, back, BIG, 1024);
	ck_assert_mem_eq(back, fdc.image + 1024, BIG);
	ck_assert_uint_eq(fdc.commands, 3);	/* a track a command */
	pattern(pat, 10 * ISA_SECSIZE, 1);
	put(p, c, u + 64 * 1024 + 100, pat, 10 * ISA_SECSIZE, 100 * 512);
	ck_assert_mem_eq(fdc.image + 100 * 512, pat, 10 * ISA_SECSIZE);

	/* the block device: the kernel's buffers, any offset */
	b = open_dev(p, d, 0, DDISIM_BLK);
	pattern(pat, 1000, 2);
	put(p, b, u + 5, pat, 1000, 777);
	ck_assert_mem_eq(fdc.image + 777, pat, 1000);
	get(p, b, u + 128 * 1024, back, 3000, 5);
	ck_assert_mem_eq(back, fdc.image + 5, 3000);
	ck_assert_int_eq(ddisim_dev_close(b), 0);

	/* what the kernel asks: the size; a message about the drive */
	ck_assert_int_eq(ddisim_dev_size(c, &blocks), 0);
	ck_assert_uint_eq(blocks, ISA_NBLK);
	ddisim_putbuf_clear();
	ck_assert_int_eq(ddisim_dev_print(c, "media error"), 0);
	(void)ddisim_putbuf(con, sizeof(con));
	ck_assert_contains(con, "isa: drive 0: media error");

	/* the drive's parameters */
	ck_assert_int_eq(ddisim_dev_ioctl(c, ISA_GETPARAM, (intptr_t)u, &rval),
	    0);
	ck_assert_int_eq(ddisim_proc_read(p, u, &prm, sizeof(prm)), 0);
	ck_assert_uint_eq(prm.p_blocks, ISA_NBLK);
	ck_assert_uint_eq(prm.p_cyls * prm.p_heads * prm.p_sectors, ISA_NBLK);
	ck_assert_uint_eq(prm.p_retries, 0);
	ck_assert_int_eq(ddisim_dev_close(c), 0);

	/* every byte went through the channel, which nobody holds now */
	ck_assert_int_eq(ddisim_isadma_channels(ch), 8);
	ck_assert_uint_ge(ch[isa_dmachan].transfers, BIG + 10 * ISA_SECSIZE +
	    1024 + 1536 + 3584);
	ck_assert_int_eq(ch[isa_dmachan].owner, DDISIM_CHAN_FREE);
	ddisim_proc_destroy(p);
	down(d, ports);
}
END_TEST

START_TEST(isa_errors)
{
	ddisim_ports_t *ports;
	ddisim_file_t *c, *b, *x;
	struct isa_param prm;
	ddisim_drv_t *d;
	struct proc *p;
	uint8_t *u, buf[1024];
	size_t done, psize;
	int rval;

	ports = up(&d);
	p = ddisim_proc_create(64 * 1024, 0);
	u = ddisim_proc_base(p);
	psize = ddisim_proc_size(p);

	/* no drive 1; no unit 5 */
	ck_assert_int_eq(ddisim_dev_open(p, ddisim_drv_dev(d, 0, 1),
	    DDISIM_CHR, FREAD, &x), ENXIO);
	ck_assert_int_eq(ddisim_dev_open(p, ddisim_drv_dev(d, 0, 5),
	    DDISIM_BLK, FREAD, &x), ENXIO);
	c = open_dev(p, d, 0, DDISIM_CHR);
	b = open_dev(p, d, 0, DDISIM_BLK);

	/* EFAULT: buffers that are not the program's, wholly or in part */
	ck_assert_int_eq(ddisim_dev_read(c, buf, sizeof(buf), &done), EFAULT);
	ck_assert_int_eq(ddisim_dev_write(b, buf, sizeof(buf), &done), EFAULT);
	ck_assert_int_eq(ddisim_dev_read(c, u + psize - 512, 1024, &done),
	    EFAULT);
	ck_assert_int_eq(ddisim_dev_ioctl(c, ISA_GETPARAM, (intptr_t)buf,
	    &rval), EFAULT);
	ck_assert_int_eq(ddisim_dev_ioctl(c, 0x7777, 0, &rval), EINVAL);
	/* raw I/O is of whole sectors */
	ck_assert_int_eq(ddisim_dev_seek(c, 100), 0);
	ck_assert_int_eq(ddisim_dev_read(c, u, 512, &done), EINVAL);
	ck_assert_int_eq(ddisim_dev_seek(c, 0), 0);
	ck_assert_int_eq(ddisim_dev_read(c, u, 1000, &done), EINVAL);

	/* a failure the driver's retry gets over; then three: EIO */
	fdc.fail = 1;
	ck_assert_int_eq(ddisim_dev_seek(c, 2048), 0);
	ck_assert_int_eq(ddisim_dev_read(c, u, 1024, &done), 0);
	ck_assert_int_eq(ddisim_proc_read(p, u, buf, 1024), 0);
	ck_assert_mem_eq(buf, fdc.image + 2048, 1024);
	fdc.fail = 3;
	ck_assert_int_eq(ddisim_dev_read(c, u, 1024, &done), EIO);
	fdc.fail = 3;
	ck_assert_int_eq(ddisim_dev_seek(b, 0), 0);
	ck_assert_int_eq(ddisim_dev_write(b, u, 1024, &done), EIO);
	ck_assert_int_eq(ddisim_dev_ioctl(c, ISA_GETPARAM, (intptr_t)u, &rval),
	    0);
	ck_assert_int_eq(ddisim_proc_read(p, u, &prm, sizeof(prm)), 0);
	ck_assert_uint_eq(prm.p_retries, 1 + 2 + 2);

	/* the end of the diskette: short, then nothing, then ENXIO */
	ck_assert_int_eq(ddisim_dev_seek(c, (int64_t)DISK - 512), 0);
	ck_assert_int_eq(ddisim_dev_read(c, u, 2048, &done), 0);
	ck_assert_uint_eq(done, 512);
	ck_assert_int_eq(ddisim_dev_read(c, u, 2048, &done), 0);
	ck_assert_uint_eq(done, 0);
	ck_assert_int_eq(ddisim_dev_write(c, u, 512, &done), ENXIO);
	ck_assert_int_eq(ddisim_dev_seek(c, (int64_t)DISK + 512), 0);
	ck_assert_int_eq(ddisim_dev_read(c, u, 512, &done), ENXIO);
	ck_assert_int_eq(ddisim_dev_seek(b, (int64_t)DISK - 100), 0);
	ck_assert_int_eq(ddisim_dev_read(b, u, 1000, &done), 0);
	ck_assert_uint_eq(done, 100);
	ck_assert_int_eq(ddisim_dev_read(b, u, 1000, &done), 0);
	ck_assert_uint_eq(done, 0);
	ck_assert_int_eq(ddisim_dev_seek(b, (int64_t)DISK), 0);
	ck_assert_int_eq(ddisim_dev_write(b, u, 512, &done), ENXIO);

	ck_assert_int_eq(ddisim_dev_close(b), 0);
	ck_assert_int_eq(ddisim_dev_close(c), 0);
	ddisim_proc_destroy(p);
	down(d, ports);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("isa");
	TCase *tc;

	tc = tcase_new("core");
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, isa_raw_and_block_io);
	tcase_add_test(tc, isa_errors);
	suite_add_tcase(s, tc);
	return run_suite(s) == 0 ? 0 : 1;
}
