/*
 * test_versions.c - drivers built for different DDI and ODDI versions in
 * one process, each getting its own version's guarantees from the one
 * library (linked as the installed library is, through its exports).
 */
#include <errno.h>
#include <signal.h>
#include <string.h>

#include "lib/testutil.h"
#include "drv/drv.h"

#define PG		4096u
#define BELOW_16M	(UINT64_C(1) << 24)
#define BELOW_4G	(UINT64_C(1) << 32)

START_TEST(levels)
{
	ck_assert_int_eq(drv_4_level(), 40);
	ck_assert_int_eq(drv_5_level(), 50);
	ck_assert_int_eq(drv_6_level(), 60);
	ck_assert_int_eq(drv_71_level(), 71);
	ck_assert_int_eq(drv_72_level(), 72);
	ck_assert_int_eq(drv_8_level(), 80);
	ck_assert_int_eq(drv_oddi_level(), 0);
}
END_TEST

START_TEST(kmem_alloc_by_version)
{
	size_t size = 6 * PG, n;
	void *p;

	MACHINE_UP("scatter=1");
	ddisim_cpu_set(3);		/* node 1: its RAM is above 4 GiB */
	p = drv_4_alloc(size);		/* DMA-able and contiguous */
	ck_assert_uint_le(phys_top(p, size, &n), BELOW_16M);
	ck_assert_uint_eq(n, 1);
	drv_4_free(p, size);
	p = drv_5_alloc(size);		/* DMA-able, may be scattered */
	ck_assert_uint_le(phys_top(p, size, &n), BELOW_16M);
	ck_assert_uint_gt(n, 1);
	drv_5_free(p, size);
	p = drv_6_alloc(size);		/* no promise, but the paddr_t world */
	ck_assert_uint_le(phys_top(p, size, &n), BELOW_4G);
	ck_assert_uint_gt(phys_top(p, size, &n), BELOW_16M);
	drv_6_free(p, size);
	p = drv_71_zalloc(size);
	ck_assert_uint_le(phys_top(p, size, &n), BELOW_4G);
	drv_71_free(p, size);
	p = drv_72_alloc(size);		/* large-memory aware: anywhere */
	ck_assert_uint_gt(phys_top(p, size, &n), BELOW_4G);
	drv_72_free(p, size);
	p = drv_8_alloc(size);
	ck_assert_uint_gt(phys_top(p, size, &n), BELOW_4G);
	drv_8_free(p, size);
	p = drv_oddi_alloc(size);	/* ODDI default: below 16 MiB */
	ck_assert_uint_le(phys_top(p, size, &n), BELOW_16M);
	drv_oddi_free(p, size);
	p = drv_oddi_alloc_nodma(size);	/* KM_NO_DMA: anywhere below 4 GiB */
	ck_assert_uint_le(phys_top(p, size, &n), BELOW_4G);
	ck_assert_uint_gt(phys_top(p, size, &n), BELOW_16M);
	drv_oddi_free(p, size);
	MACHINE_DOWN();
}
END_TEST

START_TEST(dmasize_above_32_by_version)
{
	struct physreq *preq;
	size_t n;
	void *p;

	MACHINE_UP(NULL);
	ddisim_cpu_set(2);
	/*
	 * DDI 5 drivers call kmem_alloc_physreq too: declared there, the
	 * whole pointer comes back and the memory is the caller's.
	 */
	p = drv_5_alloc64(5 * PG, &preq);
	ck_assert_ptr_nonnull(p);
	memset(p, 0xa5, 5 * PG);
	ck_assert_uint_le(phys_top(p, 5 * PG, &n), BELOW_4G);
	drv_5_free(p, 5 * PG);
	drv_5_preq_free(preq);
	p = drv_6_alloc64(5 * PG, &preq);
	ck_assert_uint_le(phys_top(p, 5 * PG, &n), BELOW_4G);
	drv_6_free(p, 5 * PG);
	drv_6_preq_free(preq);
	p = drv_71_alloc64(100, &preq);
	ck_assert_uint_le(phys_top(p, 100, &n), BELOW_4G);
	drv_71_free(p, 100);
	drv_71_preq_free(preq);
	p = drv_72_alloc64(5 * PG, &preq);
	ck_assert_uint_gt(phys_top(p, 5 * PG, &n), BELOW_4G);
	drv_72_free(p, 5 * PG);
	drv_72_preq_free(preq);
	p = drv_8_alloc64(100, &preq);
	ck_assert_uint_gt(phys_top(p, 100, &n), BELOW_4G);
	drv_8_free(p, 100);
	drv_8_preq_free(preq);
	MACHINE_DOWN();
}
END_TEST

START_TEST(vtop_by_version)
{
	uint64_t pa;
	void *p, *hi;
	struct physreq *preq;

	MACHINE_UP("verify=count");
	p = drv_4_alloc(100);
	ck_assert_int_eq(ddisim_vtop(p, &pa), 0);
	ck_assert_uint_eq(drv_4_vtop(p), pa);
	ck_assert_uint_eq(drv_71_vtop(p), pa);
	ck_assert_uint_eq(drv_oddi_vtop((char *)p + 10), pa + 10);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	/* A DDI 8 module's buffer above 4 GiB: no 32-bit answer. */
	ddisim_cpu_set(2);
	hi = drv_8_alloc64(100, &preq);
	ck_assert_uint_eq(drv_71_vtop(hi), 0);
	ck_assert_uint_eq(ddisim_verify_count(), 1);
	/* Not simulated memory at all. */
	ck_assert_uint_eq(drv_4_vtop(&pa), 0);
	ck_assert_uint_eq(ddisim_verify_count(), 2);
	drv_8_free(hi, 100);
	drv_8_preq_free(preq);
	drv_4_free(p, 100);
	MACHINE_DOWN();
}
END_TEST

START_TEST(physcontig_ddi5)
{
	struct physreq *preq;
	size_t n;
	void *p;

	MACHINE_UP("scatter=1");
	p = drv_5_physcontig(9 * PG, &preq);
	ck_assert_uint_le(phys_top(p, 9 * PG, &n), BELOW_4G);
	ck_assert_uint_eq(n, 1);
	drv_5_free(p, 9 * PG);
	drv_5_preq_free(preq);
	MACHINE_DOWN();
}
END_TEST

/* The data of a one-block message built by a driver's allocb. */
struct mview {
	void	*next, *prev, *cont;
	uint8_t	*rptr, *wptr;
};

/* One past the highest physical byte of its data, and its segment count. */
static uint64_t
mspan(void *m, size_t *nseg)
{
	struct mview *v = m;

	return phys_top(v->rptr, (size_t)(v->wptr - v->rptr), nseg);
}

START_TEST(allocb_by_version)
{
	static const struct {
		void	*(*allocb)(int);
		void	*(*copymsg)(void *);
		void	*(*pullup)(void *, int);
		void	(*freemsg)(void *);
		uint64_t below;		/* 0: above 4 GiB is allowed */
		int	contig;
	} v[] = {
		{ drv_4_allocb, drv_4_copymsg, drv_4_msgpullup, drv_4_freemsg,
		    BELOW_16M, 1 },
		{ drv_5_allocb, drv_5_copymsg, drv_5_msgpullup, drv_5_freemsg,
		    BELOW_16M, 1 },
		{ drv_oddi_allocb, drv_oddi_copymsg, drv_oddi_msgpullup,
		    drv_oddi_freemsg, BELOW_16M, 1 },
		{ drv_6_allocb, drv_6_copymsg, drv_6_msgpullup, drv_6_freemsg,
		    BELOW_4G, 0 },
		{ drv_71_allocb, drv_71_copymsg, drv_71_msgpullup,
		    drv_71_freemsg, BELOW_4G, 0 },
		{ drv_72_allocb, drv_72_copymsg, drv_72_msgpullup,
		    drv_72_freemsg, 0, 0 },
		{ drv_8_allocb, drv_8_copymsg, drv_8_msgpullup, drv_8_freemsg,
		    0, 0 },
	};
	size_t size = 6 * PG, n;

	MACHINE_UP("scatter=1");
	ddisim_cpu_set(3);		/* node 1: its RAM is above 4 GiB */
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		void *m = v[i].allocb((int)size), *c, *p;
		struct mview *mv = m;

		ck_assert_ptr_nonnull(m);
		ck_assert_uint_eq((uintptr_t)mv->rptr % 4, 0);
		c = v[i].copymsg(m);
		p = v[i].pullup(m, -1);
		ck_assert_ptr_nonnull(c);
		ck_assert_ptr_nonnull(p);
		for (void *x = m; x != NULL; x = x == m ? c : x == c ? p :
		    NULL) {
			uint64_t top = mspan(x, &n);

			if (v[i].below != 0)
				ck_assert_msg(top <= v[i].below, "version %zu: "
				    "buffer ends at %#llx", i,
				    (unsigned long long)top);
			else
				ck_assert_uint_gt(top, BELOW_4G);
			if (v[i].contig)
				ck_assert_uint_eq(n, 1);
		}
		v[i].freemsg(c);
		v[i].freemsg(p);
		v[i].freemsg(m);
	}
	MACHINE_DOWN();
}
END_TEST

START_TEST(allocb_physreq_by_version)
{
	void *(*f[])(int, struct physreq **) = { drv_5_allocb64,
	    drv_6_allocb64, drv_71_allocb64, drv_72_allocb64,
	    drv_8_allocb64 };
	void (*fr[])(void *) = { drv_5_freemsg, drv_6_freemsg,
	    drv_71_freemsg, drv_72_freemsg, drv_8_freemsg };
	void (*pf[])(struct physreq *) = { drv_5_preq_free, drv_6_preq_free,
	    drv_71_preq_free, drv_72_preq_free, drv_8_preq_free };
	size_t n;

	MACHINE_UP(NULL);
	ddisim_cpu_set(3);
	for (int i = 0; i < 5; i++) {
		struct physreq *p;
		struct mview *m = f[i](3 * (int)PG, &p);
		uint64_t top;

		ck_assert_ptr_nonnull(m);
		m->wptr = m->rptr + 3 * PG;
		top = mspan(m, &n);
		if (i < 3)
			ck_assert_uint_le(top, BELOW_4G);
		else
			ck_assert_uint_gt(top, BELOW_4G);
		fr[i](m);
		pf[i](p);
	}
	MACHINE_DOWN();
}
END_TEST

START_TEST(msgphysreq_by_version)
{
	void *(*f[])(void *) = { drv_6_msgphysreq64, drv_71_msgphysreq64,
	    drv_72_msgphysreq64, drv_8_msgphysreq64 };
	size_t n;

	MACHINE_UP(NULL);
	ddisim_cpu_set(3);
	for (int i = 0; i < 4; i++) {
		void *m = drv_8_allocb(3000), *r;	/* above 4 GiB */

		ck_assert_uint_gt(mspan(m, &n), BELOW_4G);
		r = f[i](m);
		ck_assert_ptr_nonnull(r);
		if (i < 2) {		/* paddr_t drivers: copied below */
			ck_assert_ptr_ne(r, m);
			ck_assert_uint_le(mspan(r, &n), BELOW_4G);
		} else {
			ck_assert_ptr_eq(r, m);
		}
		drv_8_freemsg(r);
	}
	MACHINE_DOWN();
}
END_TEST

/* vtop of a simulated user process's addresses, page by page. */
START_TEST(vtop_of_user_addresses)
{
	unsigned char buf[5 * PG], back[PG];
	struct proc *p;
	unsigned char *u;
	unsigned long pa, prev = 0;
	int jumps = 0;

	MACHINE_UP(NULL);
	p = ddisim_proc_create(5 * PG, BELOW_4G);
	ck_assert_ptr_nonnull(p);
	u = ddisim_proc_base(p);
	ck_assert_uint_eq(ddisim_proc_size(p), 5 * PG);
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (unsigned char)(i * 7 + 3);
	ck_assert_int_eq(ddisim_proc_write(p, u, buf, sizeof(buf)), 0);
	for (int i = 0; i < 5; i++) {
		pa = drv_71_uvtop(u + i * PG + 100, p);
		ck_assert_uint_ne(pa, 0);
		ck_assert_uint_eq(pa % PG, 100);
		ck_assert_uint_lt(pa, BELOW_4G);
		ck_assert_int_eq(memcmp(ddisim_ptov(pa), buf + i * PG + 100,
		    PG - 100), 0);
		ck_assert_uint_eq(drv_4_uvtop(u + i * PG + 100, p), pa);
		jumps += i > 0 && pa != prev + PG;
		prev = pa;
	}
	ck_assert_int_gt(jumps, 0);		/* scattered, as user pages are */
	/* Unmapped: 0, no report. */
	ck_assert_uint_eq(drv_71_uvtop(u + 5 * PG, p), 0);
	ck_assert_uint_eq(drv_71_uvtop(u - 1, p), 0);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	/* Reads outside the process fail; inside they see the data. */
	ck_assert_int_eq(ddisim_proc_read(p, u + 4 * PG, back, PG), 0);
	ck_assert_int_eq(memcmp(back, buf + 4 * PG, PG), 0);
	ck_assert_int_eq(ddisim_proc_read(p, u + 4 * PG + 1, back, PG),
	    EFAULT);
	ddisim_proc_destroy(p);
	MACHINE_DOWN();
}
END_TEST

/* bp_mapin gives raw and paged data a kernel address, and bp_mapout undoes it. */
START_TEST(bp_mapin_user_and_page_lists)
{
	static unsigned char buf[6 * PG], out[6 * PG];
	struct proc *p;
	struct page *list, *pp;
	unsigned char *u;
	int n;

	MACHINE_UP(NULL);
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (unsigned char)(i * 13 + 1);
	p = ddisim_proc_create(6 * PG, 0);
	u = ddisim_proc_base(p);
	ck_assert_int_eq(ddisim_proc_write(p, u, buf, sizeof(buf)), 0);
	/* A range over four scattered pages, starting mid-page. */
	ck_assert_int_eq(drv_71_map_user(p, u + 100, 3 * PG + 50, out), 0);
	ck_assert_int_eq(memcmp(out, buf + 100, 3 * PG + 50), 0);
	ck_assert_int_eq(drv_oddi_map_user(p, u, PG, out), 0);
	ck_assert_int_eq(memcmp(out, buf, PG), 0);
	/* A page list: fill each page, read through the mapping. */
	list = ddisim_pagelist_create(5, 0);
	ck_assert_ptr_nonnull(list);
	n = 0;
	for (pp = list; pp != NULL; pp = ddisim_page_next(pp), n++)
		memcpy(ddisim_page_addr(pp), buf + n * PG, PG);
	ck_assert_int_eq(n, 5);
	ck_assert_int_eq(drv_71_count_pages(list), 5);
	ck_assert_int_eq(drv_5_map_pages(list, 200, 4 * PG, out), 0);
	ck_assert_int_eq(memcmp(out, buf + 200, 4 * PG), 0);
	ck_assert_int_eq(drv_4_map_pages(list, 0, 10, out), 0);
	ck_assert_int_eq(memcmp(out, buf, 10), 0);
	/* Scattered: no page follows the one before it in RAM. */
	for (pp = list; ddisim_page_next(pp) != NULL; pp = ddisim_page_next(pp))
		ck_assert_uint_ne(ddisim_page_phys(ddisim_page_next(pp)),
		    ddisim_page_phys(pp) + PG);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	/* Misuse, counted: reported, and the buf left as it was (check 1). */
	ddisim_verify_set_policy(DDISIM_VERIFY_COUNT);
	ck_assert_int_eq(drv_71_map_user(p, u + 5 * PG, 2 * PG, out), 1);
	ck_assert_ptr_nonnull(strstr(ddisim_verify_last(),
	    "is not mapped in process"));
	ck_assert_int_eq(drv_71_map_pages(list, 0, 6 * PG, out), 1);
	ck_assert_ptr_nonnull(strstr(ddisim_verify_last(),
	    "its page list ends before its"));
	ck_assert_int_eq(drv_71_map_pages(list, PG, 10, out), 1);
	ck_assert_ptr_nonnull(strstr(ddisim_verify_last(),
	    "is not less than a page"));
	ck_assert_uint_eq(ddisim_verify_count(), 3);
	ddisim_verify_set_policy(DDISIM_VERIFY_ABORT);
	ddisim_pagelist_destroy(list);
	ddisim_proc_destroy(p);
	MACHINE_DOWN();
}
END_TEST

/* Raw I/O from a user process through physiock, to a DDI 7.1 driver. */
START_TEST(physiock_raw_io)
{
	static unsigned char buf[40 * 1024], back[40 * 1024];
	struct proc *p;
	unsigned char *u, *disk = drv_71_disk_image();
	int resid;

	MACHINE_UP(NULL);
	p = ddisim_proc_create(sizeof(buf), BELOW_4G);
	u = ddisim_proc_base(p);
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (unsigned char)(i * 9 + 4);
	ck_assert_int_eq(ddisim_proc_write(p, u, buf, sizeof(buf)), 0);
	ddisim_proc_enter(p);
	ck_assert_int_eq(drv_71_raw(0, u, sizeof(buf), 8192, &resid), 0);
	ck_assert_int_eq(resid, 0);
	ck_assert_int_eq(memcmp(disk + 8192, buf, sizeof(buf)), 0);
	memset(back, 0, sizeof(back));
	ck_assert_int_eq(ddisim_proc_write(p, u, back, sizeof(back)), 0);
	ck_assert_int_eq(drv_71_raw(1, u, sizeof(buf), 8192, &resid), 0);
	ck_assert_int_eq(ddisim_proc_read(p, u, back, sizeof(back)), 0);
	ck_assert_int_eq(memcmp(back, buf, sizeof(buf)), 0);
	/* Past the end: truncated; at the end: a read moves nothing. */
	ck_assert_int_eq(drv_71_raw(1, u, 8192, 256 * 1024 - 4096, &resid),
	    0);
	ck_assert_int_eq(resid, 4096);
	ck_assert_int_eq(drv_71_raw(1, u, 512, 256 * 1024, &resid), 0);
	ck_assert_int_eq(resid, 512);
	ck_assert_int_eq(drv_71_raw(0, u, 512, 256 * 1024, &resid), ENXIO);
	ck_assert_int_eq(drv_71_raw(1, u, 512, 256 * 1024 + 512, &resid),
	    ENXIO);
	/* Not whole sectors, or beyond the process: refused. */
	ck_assert_int_eq(drv_71_raw(1, u, 512, 100, &resid), EINVAL);
	ck_assert_int_eq(drv_71_raw(1, u + sizeof(buf) - 256, 512, 0,
	    &resid), EFAULT);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	ddisim_proc_enter(NULL);
	ddisim_proc_destroy(p);
	MACHINE_DOWN();
}
END_TEST

/* dma_pageio: pieces of a page at most, each contiguous (DDI 4). */
START_TEST(dma_pageio_pages)
{
	unsigned char *data, *disk = drv_4_disk_image();
	unsigned long pieces, bad;
	size_t len = 5 * PG + 1024;

	MACHINE_UP("scatter=1");
	data = drv_4_alloc(len + 2048);		/* DDI 4: low, contiguous */
	for (size_t i = 0; i < len; i++)
		data[2048 + i] = (unsigned char)(i * 7 + 1);
	ck_assert_int_eq(drv_4_pageio(data + 2048, (int)len, 4096, &pieces,
	    &bad), 0);
	ck_assert_uint_eq(bad, 0);
	ck_assert_uint_ge(pieces, 6);		/* cut at page lines */
	ck_assert_int_eq(memcmp(disk + 4096, data + 2048, len), 0);
	drv_4_free(data, len + 2048);
	MACHINE_DOWN();
}
END_TEST

/* rdma_filter: a DDI 5 ISA master sees data below 16 MiB only. */
START_TEST(rdma_filter_low)
{
	unsigned char *data, *disk = drv_5_disk_image();
	unsigned long pieces, high;
	size_t len = 9 * PG + 512;
	unsigned kpfn, ppfn;

	MACHINE_UP(NULL);
	data = drv_6_alloc(len);		/* above 16 MiB */
	ck_assert_uint_gt(phys_top(data, len, &pieces), BELOW_16M);
	for (size_t i = 0; i < len; i++)
		data[i] = (unsigned char)(i * 13 + 5);
	ck_assert_int_eq(drv_5_rdma(0, data, (int)len, 1024, &pieces, &high),
	    0);
	ck_assert_uint_eq(high, 0);
	ck_assert_uint_ge(pieces, 1);
	ck_assert_int_eq(memcmp(disk + 1024, data, len), 0);
	memset(data, 0, len);
	ck_assert_int_eq(drv_5_rdma(1, data, (int)len, 1024, &pieces, &high),
	    0);
	ck_assert_uint_eq(high, 0);
	ck_assert_int_eq(memcmp(disk + 1024, data, len), 0);
	/* and the frame numbers of an address, by both names, agree */
	drv_6_frames(data + 100, &kpfn, &ppfn);
	ck_assert_uint_eq(kpfn, ppfn);
	drv_6_free(data, len);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	MACHINE_DOWN();
}
END_TEST

static int bc_ran;

static void
bc_note(long arg)
{
	bc_ran = (int)arg;
}

/* DDI 5's totalmem: the machine's RAM, at most what 32 bits hold. */
START_TEST(totalmem_ddi5)
{
	MACHINE_UP("mem=64M");
	ck_assert_uint_eq(drv_5_totalmem(), 64ul << 20);
	MACHINE_DOWN();
	MACHINE_UP("mem=1G,hole=640K-1M");	/* RAM, not its top */
	ck_assert_uint_eq(drv_5_totalmem(), 1ul << 30);
	MACHINE_DOWN();
	MACHINE_UP(NULL);			/* 8 GiB */
	ck_assert_uint_eq(drv_5_totalmem(), 0xfffffffful);
	MACHINE_DOWN();
}
END_TEST

/* testb and bufcall ask about the memory the caller's allocb uses. */
START_TEST(testb_bufcall_by_version)
{
	static void *held[1024];
	size_t n = 0;

	MACHINE_UP(NULL);
	bc_ran = 0;
	while (n < 1024 && (held[n] = drv_5_allocb(65536)) != NULL)
		n++;
	ck_assert_uint_gt(n, 0);
	ck_assert_uint_lt(n, 1024);	/* below 16 MiB ran out */
	ck_assert_int_eq(drv_5_testb(65536), 0);
	ck_assert_int_eq(drv_6_testb(65536), 1);	/* below 4 GiB */
	ck_assert_int_ne(drv_5_bufcall(65536, bc_note, 5), 0);
	(void)ddisim_streams_run();
	ck_assert_int_eq(bc_ran, 0);
	drv_5_freemsg(held[--n]);
	ck_assert_uint_eq(ddisim_streams_run(), 1);
	ck_assert_int_eq(bc_ran, 5);
	while (n > 0)
		drv_5_freemsg(held[--n]);
	MACHINE_DOWN();
}
END_TEST

static Suite *
versions_suite(void)
{
	Suite *s = suite_create("versions");
	TCase *tc = tcase_new("core");

	tcase_add_test(tc, levels);
	tcase_add_test(tc, kmem_alloc_by_version);
	tcase_add_test(tc, dmasize_above_32_by_version);
	tcase_add_test(tc, vtop_by_version);
	tcase_add_test(tc, physcontig_ddi5);
	tcase_add_test(tc, allocb_by_version);
	tcase_add_test(tc, allocb_physreq_by_version);
	tcase_add_test(tc, msgphysreq_by_version);
	tcase_add_test(tc, testb_bufcall_by_version);
	tcase_add_test(tc, totalmem_ddi5);
	tcase_add_test(tc, vtop_of_user_addresses);
	tcase_add_test(tc, bp_mapin_user_and_page_lists);
	tcase_add_test(tc, physiock_raw_io);
	tcase_add_test(tc, dma_pageio_pages);
	tcase_add_test(tc, rdma_filter_low);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return run_suite(versions_suite()) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
