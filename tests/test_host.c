/*
 * test_host.c - the driver host: drivers loaded as the kernel loaded
 * them and used through their device numbers from a simulated process.
 *
 * hx (tests/host/hx.c) is a DDI 7 driver linked into this program with
 * no wrapper: the host finds its entry points in the program's symbol
 * table.  hx8 (tests/host/hx8.c) is a DDI 8 driver in a shared object
 * the host loads (HX8_SO).
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/types.h>
#include <sys/conf.h>
#include <sys/file.h>
#include <sys/open.h>
#include <sys/poll.h>
#include <sys/stropts.h>
#include <sys/mkdev.h>
#include <sys/ddi.h>
#include <ddicompat/ddisim.h>
#include <ddicompat/host.h>

#include "lib/testutil.h"
#include "host/hx.h"

#define HX_IRQ	5

static unsigned
board(const char *modname, unsigned irq)
{
	struct ddisim_board b;
	unsigned key;

	memset(&b, 0, sizeof(b));
	b.modname = modname;
	if (irq != 0) {
		b.set = DDISIM_BRD_IRQ;
		b.irq = irq;
	}
	key = ddisim_rm_add_board(&b);
	ck_assert_uint_ne(key, 0);
	return key;
}

static ddisim_drv_t *
load_hx8(void)
{
	struct ddisim_drvconf c;
	ddisim_drv_t *d = NULL;

	memset(&c, 0, sizeof(c));
	c.prefix = "hx8";
	c.object = HX8_SO;
	ck_assert_int_eq(ddisim_drv_load_conf(&c, &d), 0);
	ck_assert_ptr_nonnull(d);
	return d;
}

/* ---- DDI 7, linked in ---- */

START_TEST(hx_char_device)
{
	ddisim_drv_t *d;
	ddisim_file_t *f;
	struct proc *p;
	uint8_t *u, buf[300];
	size_t done;
	int rval, *usize;
	dev_t dev;

	MACHINE_UP("mem=64M");
	memset(&hx_life, 0, sizeof(hx_life));
	(void)board("hx", HX_IRQ);
	ck_assert_int_eq(ddisim_drv_load("hx", &d), 0);
	ck_assert_int_eq(ddisim_drv_interface(d), 70);
	ck_assert_ptr_eq(ddisim_drv_find("hx"), d);
	ck_assert_int_eq(hx_life.inits, 1);
	ck_assert_int_eq(hx_life.starts, 1);
	/* its interrupt routine is attached to its board's line */
	ck_assert_int_eq(ddisim_intr_raise(HX_IRQ), 1);
	(void)ddisim_intr_deliver(0);
	ck_assert_int_eq(hx_life.intrs, 1);

	p = ddisim_proc_create(64 * 1024, 0);
	u = ddisim_proc_base(p);
	dev = ddisim_drv_dev(d, 0, 0);
	ck_assert_uint_eq(getemajor(dev), ddisim_drv_major(d));
	ck_assert_int_eq(ddisim_dev_open(p, dev, DDISIM_CHR, FREAD | FWRITE,
	    &f), 0);
	ck_assert_int_eq(hx_life.opens, 1);

	/* write from the process's memory, read it back */
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 7 + 1);
	ck_assert_int_eq(ddisim_proc_write(p, u, buf, sizeof(buf)), 0);
	ck_assert_int_eq(ddisim_dev_seek(f, 1000), 0);
	ck_assert_int_eq(ddisim_dev_write(f, u, sizeof(buf), &done), 0);
	ck_assert_uint_eq(done, sizeof(buf));
	ck_assert_int_eq(ddisim_dev_seek(f, 1000), 0);
	ck_assert_int_eq(ddisim_dev_read(f, u + 4096, sizeof(buf), &done), 0);
	ck_assert_uint_eq(done, sizeof(buf));
	memset(buf, 0, sizeof(buf));
	ck_assert_int_eq(ddisim_proc_read(p, u + 4096, buf, sizeof(buf)), 0);
	for (size_t i = 0; i < sizeof(buf); i++)
		ck_assert_uint_eq(buf[i], (uint8_t)(i * 7 + 1));
	/* at the end of the device: nothing more */
	ck_assert_int_eq(ddisim_dev_seek(f, HX_SIZE), 0);
	ck_assert_int_eq(ddisim_dev_read(f, u, 10, &done), 0);
	ck_assert_uint_eq(done, 0);

	/* an ioctl copying out to the process */
	usize = (int *)(u + 8192);
	ck_assert_int_eq(ddisim_dev_ioctl(f, HX_GETSIZE, (intptr_t)usize,
	    &rval), 0);
	ck_assert_int_eq(rval, HX_SIZE);
	ck_assert_int_eq(ddisim_proc_read(p, usize, &rval, sizeof(rval)), 0);
	ck_assert_int_eq(rval, HX_SIZE);
	ck_assert_int_eq(ddisim_dev_ioctl(f, 0x7777, 0, &rval), EINVAL);

	/* size, devinfo and print, as the kernel asked them */
	{
		uint64_t blocks = 0;
		const char *media = NULL;

		ck_assert_int_eq(ddisim_dev_size(f, &blocks), 0);
		ck_assert_uint_eq(blocks, HX_SIZE / 512);
		ck_assert_int_eq(ddisim_dev_devinfo(f, DI_MEDIA, &media), 0);
		ck_assert_str_eq(media, "disk");
		ck_assert_int_eq(ddisim_dev_print(f, "out of space"), 0);
		ck_assert_int_eq(ddisim_dev_drvctl(f, 1, NULL), ENODEV);
	}

	/* EFAULT: buffers outside the process */
	ck_assert_int_eq(ddisim_dev_read(f, buf, sizeof(buf), &done), EFAULT);
	ck_assert_int_eq(ddisim_dev_ioctl(f, HX_GETSIZE, (intptr_t)buf,
	    &rval), EFAULT);
	ck_assert_int_eq(ddisim_dev_close(f), 0);
	ck_assert_int_eq(hx_life.closes, 1);

	ddisim_proc_destroy(p);
	ck_assert_int_eq(ddisim_drv_unload(d), 0);
	ck_assert_int_eq(hx_life.halts, 1);
	ck_assert_ptr_null(ddisim_drv_find("hx"));
	/* its interrupt routine went with it */
	(void)ddisim_intr_raise(HX_IRQ);
	(void)ddisim_intr_deliver(0);
	ck_assert_int_eq(hx_life.intrs, 1);
	MACHINE_DOWN();
}
END_TEST

START_TEST(hx_errors_from_the_driver)
{
	ddisim_file_t *f, *g;
	ddisim_drv_t *d;
	struct proc *p;
	size_t done;
	uint8_t *u;

	MACHINE_UP("mem=64M");
	memset(&hx_life, 0, sizeof(hx_life));
	ck_assert_int_eq(ddisim_drv_load("hx", &d), 0);
	p = ddisim_proc_create(16 * 1024, 0);
	u = ddisim_proc_base(p);
	/* a bad minor */
	ck_assert_int_eq(ddisim_dev_open(p, ddisim_drv_dev(d, 0, HX_NMINOR),
	    DDISIM_CHR, FREAD, &f), ENXIO);
	/* a device number no driver has */
	ck_assert_int_eq(ddisim_dev_open(p, makedevice(L_MAXMAJ, 0),
	    DDISIM_CHR, FREAD, &f), ENXIO);
	/* an exclusive minor */
	ck_assert_int_eq(ddisim_dev_open(p, ddisim_drv_dev(d, 0, 3),
	    DDISIM_CHR, FREAD, &f), 0);
	ck_assert_int_eq(ddisim_dev_open(p, ddisim_drv_dev(d, 0, 3),
	    DDISIM_CHR, FREAD, &g), EBUSY);
	ck_assert_int_eq(ddisim_dev_close(f), 0);
	/* EAGAIN with FNDELAY, EINTR without, as the driver says */
	ck_assert_int_eq(ddisim_dev_open(p, ddisim_drv_dev(d, 0, 1),
	    DDISIM_CHR, FREAD | FNDELAY, &f), 0);
	ck_assert_int_eq(ddisim_dev_read(f, u, 10, &done), EAGAIN);
	ck_assert_int_eq(ddisim_dev_close(f), 0);
	ck_assert_int_eq(ddisim_dev_open(p, ddisim_drv_dev(d, 0, 1),
	    DDISIM_CHR, FREAD, &f), 0);
	ck_assert_int_eq(ddisim_dev_read(f, u, 10, &done), EINTR);
	/* not opened for writing */
	ck_assert_int_eq(ddisim_dev_write(f, u, 10, &done), EBADF);
	ck_assert_int_eq(ddisim_dev_close(f), 0);
	/* unloading with a file open is refused */
	ck_assert_int_eq(ddisim_dev_open(p, ddisim_drv_dev(d, 0, 0),
	    DDISIM_CHR, FREAD, &f), 0);
	ddisim_verify_set_policy(DDISIM_VERIFY_COUNT);
	ck_assert_int_eq(ddisim_drv_unload(d), EBUSY);
	ddisim_verify_set_policy(DDISIM_VERIFY_ABORT);
	ck_assert_int_eq(ddisim_dev_close(f), 0);
	ddisim_proc_destroy(p);
	ck_assert_int_eq(ddisim_drv_unload(d), 0);
	MACHINE_DOWN();
}
END_TEST

START_TEST(hx_last_close_block_mmap_poll)
{
	ddisim_file_t *f, *g, *b;
	ddisim_drv_t *d;
	struct proc *p;
	uint8_t *u, *map, pat[3000], back[3000];
	size_t done;
	short rev;

	MACHINE_UP("mem=64M");
	memset(&hx_life, 0, sizeof(hx_life));
	ck_assert_int_eq(ddisim_drv_load("hx", &d), 0);
	p = ddisim_proc_create(64 * 1024, 0);
	u = ddisim_proc_base(p);
	/* close is called on the last close of a device number */
	ck_assert_int_eq(ddisim_dev_open(p, ddisim_drv_dev(d, 0, 0),
	    DDISIM_CHR, FREAD | FWRITE, &f), 0);
	ck_assert_int_eq(ddisim_dev_open(p, ddisim_drv_dev(d, 0, 0),
	    DDISIM_CHR, FREAD, &g), 0);
	ck_assert_int_eq(ddisim_dev_close(g), 0);
	ck_assert_int_eq(hx_life.closes, 0);

	/* block I/O of part sectors, seen through the character device */
	for (size_t i = 0; i < sizeof(pat); i++)
		pat[i] = (uint8_t)(i ^ 0x5a);
	ck_assert_int_eq(ddisim_proc_write(p, u, pat, sizeof(pat)), 0);
	ck_assert_int_eq(ddisim_dev_open(p, ddisim_drv_dev(d, 0, 0),
	    DDISIM_BLK, FREAD | FWRITE, &b), 0);
	ck_assert_int_eq(ddisim_dev_seek(b, 700), 0);
	ck_assert_int_eq(ddisim_dev_write(b, u, sizeof(pat), &done), 0);
	ck_assert_uint_eq(done, sizeof(pat));
	ck_assert_int_eq(ddisim_dev_seek(f, 700), 0);
	ck_assert_int_eq(ddisim_dev_read(f, u + 8192, sizeof(back), &done), 0);
	ck_assert_int_eq(ddisim_proc_read(p, u + 8192, back, sizeof(back)), 0);
	ck_assert_mem_eq(back, pat, sizeof(pat));
	ck_assert_int_eq(ddisim_dev_seek(b, 701), 0);
	ck_assert_int_eq(ddisim_dev_read(b, u + 16384, 100, &done), 0);
	ck_assert_int_eq(ddisim_proc_read(p, u + 16384, back, 100), 0);
	ck_assert_mem_eq(back, pat + 1, 100);
	/* the last close of the block device: its own open type */
	ck_assert_int_eq(ddisim_dev_close(b), 0);
	ck_assert_int_eq(hx_life.closes, 1);

	/* the driver's pages mapped into the process */
	ck_assert_int_eq(ddisim_dev_mmap(f, 0, 8192, 3, (void **)&map), 0);
	ck_assert_int_eq(ddisim_proc_read(p, map + 700, back, 100), 0);
	ck_assert_mem_eq(back, pat, 100);
	ck_assert_int_eq(ddisim_proc_write(p, map + 5000, "mapped", 6), 0);
	ck_assert_int_eq(ddisim_dev_seek(f, 5000), 0);
	ck_assert_int_eq(ddisim_dev_read(f, u, 6, &done), 0);
	ck_assert_int_eq(ddisim_proc_read(p, u, back, 6), 0);
	ck_assert_mem_eq(back, "mapped", 6);
	ck_assert_int_eq(ddisim_dev_munmap(f, map, 8192), 0);
	ck_assert_int_eq(ddisim_dev_mmap(f, HX_SIZE, 4096, 3, (void **)&map),
	    ENXIO);

	/* poll: not ready, then ready after a wakeup */
	ck_assert_int_eq(ddisim_dev_poll(f, POLLIN, 0, &rev), 0);
	ck_assert_int_eq(rev, 0);
	ck_assert_int_eq(ddisim_dev_ioctl(f, HX_READY, 1, NULL), 0);
	ck_assert_int_eq(ddisim_dev_poll(f, POLLIN | POLLOUT, 10, &rev), 0);
	ck_assert_int_eq(rev, POLLIN | POLLOUT);

	ck_assert_int_eq(ddisim_dev_close(f), 0);
	ck_assert_int_eq(hx_life.closes, 2);
	ddisim_proc_destroy(p);
	ck_assert_int_eq(ddisim_drv_unload(d), 0);
	MACHINE_DOWN();
}
END_TEST

/*
 * Two threads use hx (not D_MP) at once, each its own file and part of
 * the store: the host runs one entry point at a time, so the driver's
 * unlocked state stays whole (and a race checker sees no race).
 */
struct rw_arg {
	ddisim_drv_t	*d;
	struct proc	*p;
	int		base;
	int		bad;
};

static void *
rw_thread(void *a_)
{
	struct rw_arg *a = a_;
	uint8_t *u = ddisim_proc_base(a->p), pat[256], back[256];
	ddisim_file_t *f;
	size_t done;

	if (ddisim_dev_open(a->p, ddisim_drv_dev(a->d, 0, 0), DDISIM_CHR,
	    FREAD | FWRITE, &f) != 0) {
		a->bad++;
		return NULL;
	}
	for (int i = 0; i < 200; i++) {
		memset(pat, (a->base + i) & 0xff, sizeof(pat));
		if (ddisim_proc_write(a->p, u, pat, sizeof(pat)) != 0 ||
		    ddisim_dev_seek(f, a->base) != 0 ||
		    ddisim_dev_write(f, u, sizeof(pat), &done) != 0 ||
		    ddisim_dev_seek(f, a->base) != 0 ||
		    ddisim_dev_read(f, u + 1024, sizeof(back), &done) != 0 ||
		    ddisim_proc_read(a->p, u + 1024, back, sizeof(back)) != 0 ||
		    memcmp(back, pat, sizeof(pat)) != 0)
			a->bad++;
	}
	if (ddisim_dev_close(f) != 0)
		a->bad++;
	return NULL;
}

START_TEST(hx_two_threads)
{
	struct rw_arg a[2];
	pthread_t t[2];
	ddisim_drv_t *d;

	MACHINE_UP("mem=64M");
	ck_assert_int_eq(ddisim_drv_load("hx", &d), 0);
	for (int i = 0; i < 2; i++) {
		a[i].d = d;
		a[i].p = ddisim_proc_create(8192, 0);
		a[i].base = 4096 * (i + 1);
		a[i].bad = 0;
		ck_assert_int_eq(pthread_create(&t[i], NULL, rw_thread, &a[i]),
		    0);
	}
	for (int i = 0; i < 2; i++) {
		ck_assert_int_eq(pthread_join(t[i], NULL), 0);
		ck_assert_int_eq(a[i].bad, 0);
		ddisim_proc_destroy(a[i].p);
	}
	ck_assert_int_eq(ddisim_drv_unload(d), 0);
	MACHINE_DOWN();
}
END_TEST

/* A DDI 7 loadable module: _load, mod_drvattach through its attach info. */
START_TEST(hxm_loadable_ddi7)
{
	ddisim_drv_t *d;
	ddisim_file_t *f;
	struct proc *p;
	int rval;

	MACHINE_UP("mem=64M");
	(void)board("hxm", 9);
	(void)board("hxm", 10);
	ck_assert_int_eq(ddisim_drv_load("hxm", &d), 0);
	ck_assert_int_eq(ddisim_drv_interface(d), 70);
	p = ddisim_proc_create(8192, 0);
	ck_assert_int_eq(ddisim_dev_open(p, ddisim_drv_dev(d, 0, 0),
	    DDISIM_CHR, FREAD, &f), 0);
	/* both boards' lines reach its interrupt routine */
	ck_assert_int_eq(ddisim_intr_raise(9), 1);
	ck_assert_int_eq(ddisim_intr_raise(10), 1);
	(void)ddisim_intr_deliver(0);
	ck_assert_int_eq(ddisim_dev_ioctl(f, HX_GETSIZE, 0, &rval), 0);
	ck_assert_int_eq(rval, 2);
	ck_assert_int_eq(ddisim_dev_close(f), 0);
	/* an _unload that refuses keeps it loaded */
	hxm_refuse_unload = 1;
	ck_assert_int_eq(ddisim_drv_unload(d), EBUSY);
	ck_assert_ptr_eq(ddisim_drv_find("hxm"), d);
	hxm_refuse_unload = 0;
	ddisim_proc_destroy(p);
	ck_assert_int_eq(ddisim_drv_unload(d), 0);
	ck_assert_int_eq(ddisim_intr_raise(9), -1);
	MACHINE_DOWN();
}
END_TEST

/*
 * A STREAMS driver and a module a program pushes by name: the module
 * stays while pushed, and the stream polls readable when data came.
 */
START_TEST(hxs_stream_and_module)
{
	ddisim_drv_t *ds, *du;
	ddisim_file_t *f;
	struct proc *p;
	uint8_t *u, back[8];
	size_t done;
	short rev;

	MACHINE_UP("mem=64M");
	ck_assert_int_eq(ddisim_drv_load("hxs", &ds), 0);
	ck_assert_int_eq(ddisim_drv_load("hxu", &du), 0);
	ck_assert_uint_eq(ddisim_drv_major(du), 0);	/* a module: no device */
	p = ddisim_proc_create(8192, 0);
	u = ddisim_proc_base(p);
	ck_assert_int_eq(ddisim_dev_open(p, ddisim_drv_dev(ds, 0, 0),
	    DDISIM_CHR, FREAD | FWRITE, &f), 0);
	ck_assert_ptr_nonnull(ddisim_dev_stream(f));
	ck_assert_int_eq(ddisim_dev_poll(f, POLLIN, 0, &rev), 0);
	ck_assert_int_eq(rev, 0);
	/* the module's name in the process's memory */
	ck_assert_int_eq(ddisim_proc_write(p, u + 100, "hxu", 4), 0);
	ck_assert_int_eq(ddisim_dev_ioctl(f, I_PUSH, (intptr_t)(u + 100),
	    NULL), 0);
	ck_assert_int_eq(ddisim_proc_write(p, u, "abc12", 5), 0);
	ck_assert_int_eq(ddisim_dev_write(f, u, 5, &done), 0);
	ck_assert_uint_eq(done, 5);
	ck_assert_int_eq(ddisim_dev_poll(f, POLLIN | POLLOUT, 100, &rev), 0);
	ck_assert_int_eq(rev, POLLIN | POLLOUT);
	ck_assert_int_eq(ddisim_dev_read(f, u + 200, sizeof(back), &done), 0);
	ck_assert_uint_eq(done, 5);
	ck_assert_int_eq(ddisim_proc_read(p, u + 200, back, 5), 0);
	ck_assert_mem_eq(back, "ABC12", 5);
	/* pushed: it stays */
	ddisim_verify_set_policy(DDISIM_VERIFY_COUNT);
	ck_assert_int_eq(ddisim_drv_unload(du), EBUSY);
	REPORTED(0, "hxu: the module is pushed on a stream still open");
	ddisim_verify_set_policy(DDISIM_VERIFY_ABORT);
	ck_assert_int_eq(ddisim_dev_ioctl(f, I_POP, 0, NULL), 0);
	ck_assert_int_eq(ddisim_drv_unload(du), 0);
	/* a name nobody loaded */
	ddisim_verify_set_policy(DDISIM_VERIFY_COUNT);
	ck_assert_int_eq(ddisim_dev_ioctl(f, I_PUSH, (intptr_t)(u + 100),
	    NULL), EINVAL);
	REPORTED(1, "no module \"hxu\" is loaded");
	ddisim_verify_set_policy(DDISIM_VERIFY_ABORT);
	/* a name outside the process */
	ck_assert_int_eq(ddisim_dev_ioctl(f, I_PUSH, (intptr_t)back, NULL),
	    EFAULT);
	ck_assert_int_eq(ddisim_dev_close(f), 0);
	ddisim_proc_destroy(p);
	ck_assert_int_eq(ddisim_drv_unload(ds), 0);
	MACHINE_DOWN();
}
END_TEST

/* ---- DDI 8, a shared object ---- */

START_TEST(hx8_instances_and_channels)
{
	unsigned k1, k2, k3;
	ddisim_file_t *f, *g;
	ddisim_drv_t *d;
	struct proc *p;
	uint8_t *u, pat[1024], back[1024];
	size_t done;
	int rval;

	MACHINE_UP("mem=64M");
	k1 = board("hx8", 0);
	k2 = board("hx8", 0);
	d = load_hx8();
	ck_assert_int_eq(ddisim_drv_interface(d), 80);
	ck_assert_uint_eq(ddisim_drv_ninstances(d), 2);
	ck_assert_uint_eq(ddisim_drv_key(d, 0), k1);
	ck_assert_uint_eq(ddisim_drv_key(d, 1), k2);
	/* minors: instance * channels + channel */
	ck_assert_uint_eq(getminor(ddisim_drv_dev(d, 1, 1)), HX8_NCHAN + 1);
	ck_assert_uint_eq(ddisim_drv_dev(d, 2, 0), NODEV);
	ck_assert_uint_eq(ddisim_drv_dev(d, 0, HX8_NCHAN), NODEV);

	p = ddisim_proc_create(64 * 1024, 0);
	u = ddisim_proc_base(p);
	ck_assert_int_eq(ddisim_dev_open(p, ddisim_drv_dev(d, 1, 1),
	    DDISIM_CHR, FREAD | FWRITE, &f), 0);
	ck_assert_int_eq(ddisim_dev_ioctl(f, HX_GETSIZE, (intptr_t)u, &rval),
	    0);
	ck_assert_int_eq(rval, (int)k2 * 10 + 1);
	/* raw I/O through biostart: whole sectors */
	for (size_t i = 0; i < sizeof(pat); i++)
		pat[i] = (uint8_t)(i * 13);
	ck_assert_int_eq(ddisim_proc_write(p, u + 4096, pat, sizeof(pat)), 0);
	ck_assert_int_eq(ddisim_dev_seek(f, 2048), 0);
	ck_assert_int_eq(ddisim_dev_write(f, u + 4096, sizeof(pat), &done), 0);
	ck_assert_uint_eq(done, sizeof(pat));
	ck_assert_int_eq(ddisim_dev_seek(f, 2048), 0);
	ck_assert_int_eq(ddisim_dev_read(f, u + 12288, sizeof(pat), &done), 0);
	ck_assert_int_eq(ddisim_proc_read(p, u + 12288, back, sizeof(back)),
	    0);
	ck_assert_mem_eq(back, pat, sizeof(pat));
	ck_assert_int_eq(ddisim_dev_seek(f, 100), 0);
	ck_assert_int_eq(ddisim_dev_read(f, u, 512, &done), EINVAL);
	/* the same bytes through the block device of that channel */
	ck_assert_int_eq(ddisim_dev_open(p, ddisim_drv_dev(d, 1, 1),
	    DDISIM_BLK, FREAD, &g), 0);
	ck_assert_int_eq(ddisim_dev_seek(g, 2048 + 10), 0);
	ck_assert_int_eq(ddisim_dev_read(g, u + 20480, 100, &done), 0);
	ck_assert_int_eq(ddisim_proc_read(p, u + 20480, back, 100), 0);
	ck_assert_mem_eq(back, pat + 10, 100);
	ck_assert_int_eq(ddisim_dev_close(g), 0);

	/* size through devinfo DI_SIZE, and drvctl */
	{
		uint64_t blocks = 0;
		int v = 0;

		ck_assert_int_eq(ddisim_dev_size(f, &blocks), 0);
		ck_assert_uint_eq(blocks, HX_SIZE / 2 / 512);
		ck_assert_int_eq(ddisim_dev_drvctl(f, 5, &v), 0);
		ck_assert_int_eq(v, (int)k2 + 5);
		ck_assert_int_eq(ddisim_dev_print(f, "x"), ENODEV);
	}

	/* suspend and resume the instance */
	ck_assert_int_eq(ddisim_drv_config(d, 1, DDISIM_CFG_SUSPEND), 0);
	ck_assert_int_eq(ddisim_dev_open(p, ddisim_drv_dev(d, 1, 0),
	    DDISIM_CHR, FREAD, &g), EIO);
	ck_assert_int_eq(ddisim_drv_config(d, 1, DDISIM_CFG_RESUME), 0);
	ck_assert_int_eq(ddisim_dev_close(f), 0);

	/* a board added while loaded, and removed */
	k3 = board("hx8", 0);
	ck_assert_int_eq(ddisim_drv_add_board(d, k3), 0);
	ck_assert_uint_eq(ddisim_drv_ninstances(d), 3);
	ck_assert_int_eq(ddisim_dev_open(p, ddisim_drv_dev(d, 2, 0),
	    DDISIM_CHR, FREAD, &g), 0);
	ck_assert_int_eq(ddisim_drv_remove_board(d, k3), EBUSY);
	ck_assert_int_eq(ddisim_dev_close(g), 0);
	/* a file open on another instance does not keep it */
	ck_assert_int_eq(ddisim_dev_open(p, ddisim_drv_dev(d, 1, 0),
	    DDISIM_CHR, FREAD, &g), 0);
	ck_assert_int_eq(ddisim_drv_remove_board(d, k3), 0);
	ck_assert_int_eq(ddisim_dev_close(g), 0);
	ck_assert_uint_eq(ddisim_drv_ninstances(d), 2);
	/* a removed instance leaves its number free, the others keep theirs */
	ck_assert_int_eq(ddisim_drv_remove_board(d, k1), 0);
	ck_assert_uint_eq(ddisim_drv_ninstances(d), 2);
	ck_assert_uint_eq(ddisim_drv_key(d, 0), 0);
	ck_assert_uint_eq(ddisim_drv_dev(d, 0, 0), NODEV);
	ck_assert_uint_eq(ddisim_drv_key(d, 1), k2);
	ck_assert_int_eq(ddisim_dev_open(p, makedevice(ddisim_drv_major(d), 0),
	    DDISIM_CHR, FREAD, &g), ENXIO);
	ck_assert_int_eq(ddisim_drv_add_board(d, k3), 0);
	ck_assert_uint_eq(ddisim_drv_key(d, 0), k3);

	ddisim_proc_destroy(p);
	ck_assert_int_eq(ddisim_drv_unload(d), 0);
	MACHINE_DOWN();
}
END_TEST

/* DDI 7 and DDI 8 drivers side by side, each with its own major. */
START_TEST(ddi7_and_ddi8_side_by_side)
{
	ddisim_drv_t *d7, *d8;
	ddisim_file_t *f7, *f8;
	struct proc *p;
	int rval;

	MACHINE_UP("mem=64M");
	(void)board("hx8", 0);
	ck_assert_int_eq(ddisim_drv_load("hx", &d7), 0);
	d8 = load_hx8();
	ck_assert_uint_ne(ddisim_drv_major(d7), ddisim_drv_major(d8));
	p = ddisim_proc_create(16 * 1024, 0);
	ck_assert_int_eq(ddisim_dev_open(p, ddisim_drv_dev(d7, 0, 0),
	    DDISIM_CHR, FREAD, &f7), 0);
	ck_assert_int_eq(ddisim_dev_open(p, ddisim_drv_dev(d8, 0, 0),
	    DDISIM_CHR, FREAD, &f8), 0);
	ck_assert_int_eq(ddisim_dev_ioctl(f7, HX_GETSIZE,
	    (intptr_t)ddisim_proc_base(p), &rval), 0);
	ck_assert_int_eq(rval, HX_SIZE);
	ck_assert_int_eq(ddisim_dev_ioctl(f8, HX_GETSIZE,
	    (intptr_t)ddisim_proc_base(p), &rval), 0);
	ck_assert_int_eq(rval, (int)ddisim_drv_key(d8, 0) * 10);
	ck_assert_int_eq(ddisim_dev_close(f7), 0);
	ck_assert_int_eq(ddisim_dev_close(f8), 0);
	ddisim_proc_destroy(p);
	ck_assert_int_eq(ddisim_drv_unload(d8), 0);
	ck_assert_int_eq(ddisim_drv_unload(d7), 0);
	MACHINE_DOWN();
}
END_TEST

/*
 * Load and unload under fault injection: whatever fails, nothing is
 * left behind and nothing is reported but by the driver itself.
 */
START_TEST(hx8_load_under_failrate)
{
	long seeds = prop_floor(prop_iters(1000), 50);
	unsigned partial = 0, whole = 0;
	char spec[64];

	for (long s = 1; s <= seeds; s++) {
		ddisim_drv_t *d = NULL;
		struct ddisim_drvconf c;
		int rc;

		(void)snprintf(spec, sizeof(spec),
		    "mem=16M,failrate=0.3,seed=%ld", s);
		MACHINE_UP(spec);
		(void)board("hx8", 0);
		(void)board("hx8", 0);
		(void)board("hx8", 0);
		memset(&c, 0, sizeof(c));
		c.prefix = "hx8";
		c.object = HX8_SO;
		rc = ddisim_drv_load_conf(&c, &d);
		ck_assert_msg(rc == 0 || rc == ENOMEM, "seed %ld: %d", s, rc);
		if (rc == 0) {
			if (ddisim_drv_ninstances(d) < 3)
				partial++;
			else
				whole++;
			ck_assert_int_eq(ddisim_drv_unload(d), 0);
		}
		ck_assert_uint_eq(ddisim_verify_count(), 0);
		MACHINE_DOWN();
	}
	/* both outcomes were met */
	ck_assert_uint_gt(partial, 0);
	ck_assert_uint_gt(whole, 0);
}
END_TEST

/* ---- what is reported ---- */

START_TEST(unload_reports_what_is_left)
{
	ddisim_file_t *f;
	ddisim_drv_t *d;
	struct proc *p;

	MACHINE_UP("mem=64M");
	ck_assert_int_eq(ddisim_drv_load("hx", &d), 0);
	p = ddisim_proc_create(16 * 1024, 0);
	ck_assert_int_eq(ddisim_dev_open(p, ddisim_drv_dev(d, 0, 0),
	    DDISIM_CHR, FREAD, &f), 0);
	ck_assert_int_eq(ddisim_dev_ioctl(f, HX_NOTE, 7, NULL), 0);
	ck_assert_int_eq(ddisim_dev_close(f), 0);
	ddisim_proc_destroy(p);
	ddisim_verify_set_policy(DDISIM_VERIFY_COUNT);
	/* a driver whose halt frees nothing: its memory is left */
	hxdevflag_leak = 1;
	ck_assert_int_eq(ddisim_drv_unload(d), 0);
	hxdevflag_leak = 0;
	REPORTED(0, "hx: unloading left 1 thing its code allocated");
	ddisim_verify_set_policy(DDISIM_VERIFY_ABORT);
	ddisim_shutdown();
}
END_TEST

/* Not only memory: a timeout its halt left pending. */
START_TEST(unload_reports_a_timeout_left)
{
	ddisim_drv_t *d;

	MACHINE_UP("mem=64M");
	ck_assert_int_eq(ddisim_drv_load("hx", &d), 0);
	ddisim_verify_set_policy(DDISIM_VERIFY_COUNT);
	hxdevflag_leak = 2;
	ck_assert_int_eq(ddisim_drv_unload(d), 0);
	hxdevflag_leak = 0;
	REPORTED(0, "hx: unloading left 1 thing its code allocated");
	ddisim_verify_set_policy(DDISIM_VERIFY_ABORT);
	ddisim_shutdown();
}
END_TEST

/*
 * A linked-in driver whose load fails after its init (its major number
 * is taken): halt runs and its interrupts go, nothing is left.
 */
START_TEST(static_load_fails_after_init)
{
	struct ddisim_drvconf c;
	ddisim_drv_t *d, *e;

	MACHINE_UP("mem=64M");
	memset(&hx_life, 0, sizeof(hx_life));
	(void)board("hx", HX_IRQ);
	memset(&c, 0, sizeof(c));
	c.prefix = "hxm";
	c.major = 40;
	ck_assert_int_eq(ddisim_drv_load_conf(&c, &d), 0);
	c.prefix = "hx";
	ddisim_verify_set_policy(DDISIM_VERIFY_COUNT);
	ck_assert_int_eq(ddisim_drv_load_conf(&c, &e), EBUSY);
	REPORTED(0, "its major number is taken");
	ddisim_verify_set_policy(DDISIM_VERIFY_ABORT);
	ck_assert_int_eq(hx_life.inits, 1);
	ck_assert_int_eq(hx_life.halts, 1);
	ck_assert_int_eq(ddisim_intr_raise(HX_IRQ), -1);
	ck_assert_int_eq(ddisim_drv_unload(d), 0);
	MACHINE_DOWN();
}
END_TEST

static void
misuse(int i)
{
	unsigned long before = ddisim_verify_count();
	ddisim_drv_t *d;
	ddisim_file_t *f;
	size_t done;
	int rval;

	switch (i) {
	case 0:
		ck_assert_int_eq(ddisim_drv_unload((ddisim_drv_t *)&rval),
		    EINVAL);
		REPORTED(before, "is not a loaded driver");
		break;
	case 1:
		ck_assert_int_eq(ddisim_drv_load("1bad", &d), EINVAL);
		REPORTED(before, "prefix must be a C name");
		break;
	case 2:
		ck_assert_int_eq(ddisim_drv_load("nosuchdrv", &d), ENOENT);
		REPORTED(before, "no nosuchdrv_wrapper and no entry point");
		break;
	case 3:
		ck_assert_int_eq(ddisim_dev_read((ddisim_file_t *)&rval,
		    NULL, 1, &done), EINVAL);
		REPORTED(before, "is not an open file");
		break;
	case 4: {
		struct ddisim_drvconf c = { .prefix = "hx8",
		    .object = "/nonexistent/hx8.so" };

		ck_assert_int_eq(ddisim_drv_load_conf(&c, &d), ENOENT);
		REPORTED(before, "cannot load /nonexistent/hx8.so");
		break;
	}
	case 5:
		ck_assert_int_eq(ddisim_drv_load("hx", &d), 0);
		ck_assert_int_eq(ddisim_drv_config(d, 0, DDISIM_CFG_SUSPEND), EINVAL);
		REPORTED(before, "is not a DDI 8 driver");
		ck_assert_int_eq(ddisim_drv_unload(d), 0);
		break;
	case 6: {
		struct proc *p = ddisim_proc_create(8192, 0);

		ck_assert_int_eq(ddisim_drv_load("hx", &d), 0);
		ck_assert_int_eq(ddisim_dev_open(p, ddisim_drv_dev(d, 0, 0),
		    DDISIM_CHR, FREAD, &f), 0);
		ck_assert_int_eq(ddisim_dev_close(f), 0);
		ck_assert_int_eq(ddisim_dev_close(f), EINVAL);
		REPORTED(before, "is not an open file");
		ddisim_proc_destroy(p);
		ck_assert_int_eq(ddisim_drv_unload(d), 0);
		break;
	}
	}
}

MISUSE_TEST_PAIR(misuse, "mem=64M")

int
main(void)
{
	Suite *s = suite_create("host");
	TCase *tc;

	tc = tcase_new("ddi7");
	tcase_add_test(tc, hx_char_device);
	tcase_add_test(tc, hx_errors_from_the_driver);
	tcase_add_test(tc, hx_last_close_block_mmap_poll);
	tcase_add_test(tc, hxm_loadable_ddi7);
	tcase_add_test(tc, hx_two_threads);
	tcase_add_test(tc, hxs_stream_and_module);
	suite_add_tcase(s, tc);
	tc = tcase_new("ddi8");
	tcase_add_test(tc, hx8_instances_and_channels);
	tcase_add_test(tc, ddi7_and_ddi8_side_by_side);
	suite_add_tcase(s, tc);
	tc = tcase_new("failrate");
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, hx8_load_under_failrate);
	suite_add_tcase(s, tc);
	tc = tcase_new("misuse");
	tcase_add_test(tc, unload_reports_what_is_left);
	tcase_add_test(tc, unload_reports_a_timeout_left);
	tcase_add_test(tc, static_load_fails_after_init);
	TCASE_ADD_MISUSE(tc, misuse_counted, misuse_aborts, 7);
	suite_add_tcase(s, tc);
	return run_suite(s) == 0 ? 0 : 1;
}
