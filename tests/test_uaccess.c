/*
 * test_uaccess.c - a driver's access to user memory: copyin, copyout,
 * uiomove, ureadc, uwritec, and the DDI 6 byte and word forms with
 * useracc, against simulated processes.  Built as a DDI 6 driver, the
 * last version that has all of them.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>

#include <sys/types.h>
#include <sys/kmem.h>
#include <sys/buf.h>
#include <sys/uio.h>
#include <sys/ksynch.h>
#include <sys/ddi.h>

#include "lib/testutil.h"

#define PAGE		4096u		/* the default machine's page */
#define NPAGE		4
#define USIZE		(NPAGE * PAGE)

#define KEEP_FRAME()	__asm__ volatile("" ::: "memory")

LKINFO_DECL(ua_lkinfo, "test_uaccess lock", 0);

/* A process of NPAGE pages the calling thread runs in; its base in *base. */
static struct proc *
proc_up(char **base)
{
	struct proc *p = ddisim_proc_create(USIZE, 0);

	ck_assert_ptr_nonnull(p);
	*base = ddisim_proc_base(p);
	ck_assert_ptr_nonnull(*base);
	ddisim_proc_enter(p);
	return p;
}

static void
proc_down(struct proc *p)
{
	ddisim_proc_enter(NULL);
	ddisim_proc_destroy(p);
}

/* The whole of p's memory, into buf (USIZE bytes). */
static void
user_snapshot(struct proc *p, char *base, uint8_t *buf)
{
	ck_assert_int_eq(ddisim_proc_read(p, base, buf, USIZE), 0);
}

/* ---- core ---- */

START_TEST(copy_both_ways)
{
	uint8_t k[3000], back[3000], u[3000];
	struct proc *p;
	char *base;

	MACHINE_UP(NULL);
	p = proc_up(&base);
	fill_seeded(k, sizeof(k), 1);
	/* across a page boundary, whose pages are not adjacent in RAM */
	ck_assert_int_eq(copyout(k, base + PAGE - 100, sizeof(k)), 0);
	ck_assert_int_eq(ddisim_proc_read(p, base + PAGE - 100, u, sizeof(u)),
	    0);
	ck_assert_mem_eq(u, k, sizeof(k));
	fill_seeded(u, sizeof(u), 2);
	ck_assert_int_eq(ddisim_proc_write(p, base + 2 * PAGE + 7, u,
	    sizeof(u)), 0);
	ck_assert_int_eq(copyin(base + 2 * PAGE + 7, back, sizeof(back)), 0);
	ck_assert_mem_eq(back, u, sizeof(u));
	/* nothing to copy succeeds anywhere */
	ck_assert_int_eq(copyin(base + USIZE + PAGE, back, 0), 0);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	proc_down(p);
	MACHINE_DOWN();
}
END_TEST

START_TEST(uiomove_user_iovecs)
{
	uint8_t k[1000], u[USIZE], want[1000];
	iovec_t iov[3];
	uio_t uio;
	struct proc *p;
	char *base;

	MACHINE_UP(NULL);
	p = proc_up(&base);
	fill_seeded(k, sizeof(k), 3);
	iov[0].iov_base = base + PAGE - 10;	/* 10 + 290 across a page */
	iov[0].iov_len = 300;
	iov[1].iov_base = base + 3 * PAGE;
	iov[1].iov_len = 0;			/* empty: stepped over */
	iov[2].iov_base = base + 5;
	iov[2].iov_len = 700;
	memset(&uio, 0, sizeof(uio));
	uio.uio_iov = iov;
	uio.uio_iovcnt = 3;
	uio.uio_offset = 4096;
	uio.uio_segflg = UIO_USERSPACE;
	uio.uio_resid = 1000;
	/* a read: the driver's data goes out to the user */
	ck_assert_int_eq(uiomove(k, 400, UIO_READ, &uio), 0);
	ck_assert_int_eq(uio.uio_resid, 600);
	ck_assert_int_eq(uio.uio_offset, 4496);
	ck_assert_ptr_eq(uio.uio_iov, &iov[2]);
	ck_assert_int_eq(uio.uio_iovcnt, 1);
	ck_assert_ptr_eq(iov[0].iov_base, base + PAGE + 290);
	ck_assert_int_eq(iov[0].iov_len, 0);
	ck_assert_ptr_eq(iov[2].iov_base, base + 105);
	ck_assert_int_eq(iov[2].iov_len, 600);
	ck_assert_int_eq(uiomove(k + 400, 600, UIO_READ, &uio), 0);
	ck_assert_int_eq(uio.uio_resid, 0);
	ck_assert_int_eq(uio.uio_offset, 5096);
	user_snapshot(p, base, u);
	ck_assert_mem_eq(u + PAGE - 10, k, 300);
	ck_assert_mem_eq(u + 5, k + 300, 700);
	/* nothing left: a further move does nothing */
	ck_assert_int_eq(uiomove(k, 10, UIO_READ, &uio), 0);
	ck_assert_int_eq(uio.uio_offset, 5096);
	/* a write: the user's data comes in */
	iov[0].iov_base = base + 5;
	iov[0].iov_len = 700;
	uio.uio_iov = iov;
	uio.uio_iovcnt = 1;
	uio.uio_resid = 700;
	uio.uio_segflg = UIO_USERISPACE;	/* user space too */
	memset(want, 0, sizeof(want));
	ck_assert_int_eq(uiomove(want, sizeof(want), UIO_WRITE, &uio), 0);
	ck_assert_mem_eq(want, k + 300, 700);
	ck_assert_int_eq(uio.uio_resid, 0);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	proc_down(p);
	MACHINE_DOWN();
}
END_TEST

START_TEST(uiomove_kernel_space)
{
	uint8_t *a, *b;
	iovec_t iov[2];
	uio_t uio;

	MACHINE_UP(NULL);
	a = kmem_alloc(512, KM_SLEEP);
	b = kmem_alloc(512, KM_SLEEP);
	fill_seeded(a, 512, 4);
	memset(b, 0, 512);
	iov[0].iov_base = (caddr_t)b;
	iov[0].iov_len = 200;
	iov[1].iov_base = (caddr_t)b + 300;
	iov[1].iov_len = 212;
	memset(&uio, 0, sizeof(uio));
	uio.uio_iov = iov;
	uio.uio_iovcnt = 2;
	uio.uio_segflg = UIO_SYSSPACE;
	uio.uio_resid = 412;
	/* no process needed, and allowed at any level */
	ck_assert_int_eq(uiomove(a, 512, UIO_READ, &uio), 0);
	ck_assert_int_eq(uio.uio_resid, 0);
	ck_assert_int_eq(uio.uio_offset, 412);
	ck_assert_mem_eq(b, a, 200);
	ck_assert_uint_eq(first_not(b + 200, 100, 0), 100);
	ck_assert_mem_eq(b + 300, a + 200, 212);
	kmem_free(a, 512);
	kmem_free(b, 512);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	MACHINE_DOWN();
}
END_TEST

/* Kernel space from an interrupt handler, and under a basic lock: fine. */
static char intr_src[32] = "from the interrupt handler";
static char intr_dst[32];
static int intr_rc = -1;

static void
sys_intr(int vec)
{
	iovec_t iov = { intr_dst, (int)sizeof(intr_dst) };
	uio_t uio;

	(void)vec;
	memset(&uio, 0, sizeof(uio));
	uio.uio_iov = &iov;
	uio.uio_iovcnt = 1;
	uio.uio_segflg = UIO_SYSSPACE;
	uio.uio_resid = (int)sizeof(intr_dst);
	intr_rc = uiomove(intr_src, (long)sizeof(intr_src), UIO_READ, &uio);
	if (intr_rc == 0 && uio.uio_resid != 0)
		intr_rc = -2;
}

START_TEST(kernel_space_at_any_level)
{
	ddisim_intr_t *h;
	lock_t *lk;
	pl_t pl;

	MACHINE_UP(NULL);
	h = ddisim_intr_register(9, PLDISK, sys_intr);
	ck_assert_ptr_nonnull(h);
	ck_assert_int_ge(ddisim_intr_raise(9), 0);
	ddisim_intr_unregister(h);
	ck_assert_int_eq(intr_rc, 0);
	ck_assert_mem_eq(intr_dst, intr_src, sizeof(intr_src));
	lk = LOCK_ALLOC(1, plstr, &ua_lkinfo, KM_SLEEP);
	pl = LOCK(lk, plstr);
	memset(intr_dst, 0, sizeof(intr_dst));
	sys_intr(0);
	UNLOCK(lk, pl);
	LOCK_DEALLOC(lk);
	ck_assert_int_eq(intr_rc, 0);
	ck_assert_mem_eq(intr_dst, intr_src, sizeof(intr_src));
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	MACHINE_DOWN();
}
END_TEST

START_TEST(ureadc_uwritec)
{
	char kbuf[4], sysbuf[4] = "abc";
	iovec_t iov[2];
	uio_t uio;
	struct proc *p;
	char *base;

	MACHINE_UP(NULL);
	p = proc_up(&base);
	iov[0].iov_base = base + PAGE - 1;
	iov[0].iov_len = 2;
	iov[1].iov_base = base + 3 * PAGE;
	iov[1].iov_len = 1;
	memset(&uio, 0, sizeof(uio));
	uio.uio_iov = iov;
	uio.uio_iovcnt = 2;
	uio.uio_segflg = UIO_USERSPACE;
	uio.uio_resid = 3;
	ck_assert_int_eq(ureadc('x', &uio), 0);
	ck_assert_int_eq(ureadc(0x1ff, &uio), 0);	/* the low byte */
	ck_assert_int_eq(ureadc('z', &uio), 0);
	ck_assert_int_eq(uio.uio_resid, 0);
	ck_assert_int_eq(uio.uio_offset, 3);
	ck_assert_int_eq(ureadc('!', &uio), EFAULT);	/* no room left */
	ck_assert_int_eq(copyin(base + PAGE - 1, kbuf, 2), 0);
	ck_assert_int_eq(kbuf[0], 'x');
	ck_assert_int_eq((uint8_t)kbuf[1], 0xff);
	ck_assert_int_eq(copyin(base + 3 * PAGE, kbuf, 1), 0);
	ck_assert_int_eq(kbuf[0], 'z');
	/* and back in: characters as unsigned values */
	iov[0].iov_base = base + PAGE - 1;
	iov[0].iov_len = 2;
	uio.uio_iov = iov;
	uio.uio_iovcnt = 1;
	uio.uio_resid = 2;
	uio.uio_offset = 0;
	ck_assert_int_eq(uwritec(&uio), 'x');
	ck_assert_int_eq(uwritec(&uio), 0xff);
	ck_assert_int_eq(uwritec(&uio), -1);	/* used up */
	ck_assert_int_eq(uio.uio_offset, 2);
	/* kernel space */
	iov[0].iov_base = sysbuf;
	iov[0].iov_len = 3;
	uio.uio_iovcnt = 1;
	uio.uio_resid = 3;
	uio.uio_segflg = UIO_SYSSPACE;
	ck_assert_int_eq(uwritec(&uio), 'a');
	ck_assert_int_eq(ureadc('B', &uio), 0);
	ck_assert_int_eq(uwritec(&uio), 'c');
	ck_assert_str_eq(sysbuf, "aBc");
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	proc_down(p);
	MACHINE_DOWN();
}
END_TEST

START_TEST(bytes_and_words)
{
	struct proc *p;
	char *base, c;
	int w;

	MACHINE_UP(NULL);
	p = proc_up(&base);
	ck_assert_int_eq(subyte(base + 10, (char)0xfe), 0);
	ck_assert_int_eq(fubyte(base + 10), 0xfe);	/* never negative */
	ck_assert_int_eq(suword((int *)(void *)(base + PAGE - 2), 0x12345678),
	    0);
	ck_assert_int_eq(fuword((int *)(void *)(base + PAGE - 2)),
	    0x12345678);
	ck_assert_int_eq(ddisim_proc_read(p, base + PAGE - 2, &w, 4), 0);
	ck_assert_int_eq(w, 0x12345678);
	ck_assert_int_eq(ddisim_proc_read(p, base + 10, &c, 1), 0);
	ck_assert_int_eq((uint8_t)c, 0xfe);
	/* a word of -1 reads as the failure value: the original's too */
	ck_assert_int_eq(suword((int *)(void *)base, -1), 0);
	ck_assert_int_eq(fuword((int *)(void *)base), -1);
	ck_assert_int_eq(useracc(base, USIZE, B_READ), 1);
	ck_assert_int_eq(useracc(base + 100, 10, B_WRITE), 1);
	ck_assert_int_eq(useracc(base + USIZE, 0, B_READ), 1);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	proc_down(p);
	MACHINE_DOWN();
}
END_TEST

/* A thread that runs in a process and copies in it alone. */
struct worker {
	struct proc	*p;
	char		*base;
	uint8_t		seed;
	int		bad;
};

static void *
worker_run(void *arg)
{
	struct worker *w = arg;
	uint8_t out[256], in[256];

	ddisim_proc_enter(w->p);
	for (int i = 0; i < 200; i++) {
		memset(out, w->seed + i, sizeof(out));
		if (copyout(out, w->base + (size_t)i * 64, sizeof(out)) != 0 ||
		    copyin(w->base + (size_t)i * 64, in, sizeof(in)) != 0 ||
		    memcmp(in, out, sizeof(in)) != 0)
			w->bad++;
	}
	ddisim_proc_enter(NULL);
	return NULL;
}

/* Each thread reaches the memory of its own process. */
START_TEST(threads_in_their_processes)
{
	struct worker w[2];
	pthread_t t[2];

	MACHINE_UP(NULL);
	for (int i = 0; i < 2; i++) {
		w[i].p = ddisim_proc_create(USIZE, 0);
		ck_assert_ptr_nonnull(w[i].p);
		w[i].base = ddisim_proc_base(w[i].p);
		w[i].seed = (uint8_t)(i * 100);
		w[i].bad = 0;
		ck_assert_int_eq(pthread_create(&t[i], NULL, worker_run, &w[i]),
		    0);
	}
	for (int i = 0; i < 2; i++) {
		uint8_t last[256];

		pthread_join(t[i], NULL);
		ck_assert_int_eq(w[i].bad, 0);
		ck_assert_int_eq(ddisim_proc_read(w[i].p, w[i].base + 199 * 64,
		    last, sizeof(last)), 0);
		ck_assert_uint_eq(first_not(last, sizeof(last),
		    (uint8_t)(w[i].seed + 199)), sizeof(last));
		ddisim_proc_destroy(w[i].p);
	}
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	MACHINE_DOWN();
}
END_TEST

/* ---- limits ---- */

/* A copy that runs off the end of the process copies nothing. */
START_TEST(partial_copies_copy_nothing)
{
	uint8_t k[64], u[USIZE], before[USIZE];
	struct proc *p;
	char *base;

	MACHINE_UP(NULL);
	p = proc_up(&base);
	fill_seeded(before, sizeof(before), 5);
	ck_assert_int_eq(ddisim_proc_write(p, base, before, USIZE), 0);
	fill_seeded(k, sizeof(k), 6);
	ck_assert_int_eq(copyout(k, base + USIZE - 32, sizeof(k)), -1);
	ck_assert_int_eq(copyout(k, base - 32, sizeof(k)), -1);
	ck_assert_int_eq(copyout(k, base + USIZE, 1), -1);
	user_snapshot(p, base, u);
	ck_assert_mem_eq(u, before, USIZE);
	memset(k, 0x77, sizeof(k));
	ck_assert_int_eq(copyin(base + USIZE - 32, k, sizeof(k)), -1);
	ck_assert_int_eq(copyin(NULL, k, sizeof(k)), -1);
	ck_assert_int_eq(copyin(base, k, SIZE_MAX), -1);
	ck_assert_int_eq(copyin(base + 1, k, (size_t)-1), -1);
	/* an unmapped user range fails first, whatever the other side */
	ck_assert_int_eq(copyin(base + USIZE - 4, base, 8), -1);
	ck_assert_int_eq(copyout(base, base - 8, 8), -1);
	ck_assert_uint_eq(first_not(k, sizeof(k), 0x77), sizeof(k));
	/* the last byte and word are there; one further is not */
	ck_assert_int_eq(copyin(base + USIZE - 1, k, 1), 0);
	ck_assert_int_eq(fubyte(base + USIZE - 1), before[USIZE - 1]);
	ck_assert_int_eq(fubyte(base + USIZE), -1);
	ck_assert_int_eq(fubyte(base - 1), -1);
	ck_assert_int_eq(fuword((int *)(void *)(base + USIZE - 3)), -1);
	ck_assert_int_eq(subyte(base + USIZE, 1), -1);
	ck_assert_int_eq(suword((int *)(void *)(base + USIZE - 2), 1), -1);
	user_snapshot(p, base, u);
	ck_assert_mem_eq(u, before, USIZE);
	ck_assert_int_eq(useracc(base + USIZE - 1, 2, B_READ), 0);
	ck_assert_int_eq(useracc(base - 1, 1, B_WRITE), 0);
	ck_assert_int_eq(useracc(base, UINT_MAX, B_READ), 0);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	proc_down(p);
	MACHINE_DOWN();
}
END_TEST

/*
 * uiomove stops at the iovec that faults: what earlier iovecs moved
 * stays moved and accounted, the faulting one moves nothing.
 */
START_TEST(uiomove_stops_at_the_fault)
{
	uint8_t k[300], u[USIZE], zero[USIZE];
	iovec_t iov[3];
	uio_t uio;
	struct proc *p;
	char *base;

	MACHINE_UP(NULL);
	p = proc_up(&base);
	memset(zero, 0, sizeof(zero));
	fill_seeded(k, sizeof(k), 7);
	iov[0].iov_base = base + 8;
	iov[0].iov_len = 100;
	iov[1].iov_base = base + USIZE - 50;	/* 50 in, 50 beyond */
	iov[1].iov_len = 100;
	iov[2].iov_base = base + 500;
	iov[2].iov_len = 100;
	memset(&uio, 0, sizeof(uio));
	uio.uio_iov = iov;
	uio.uio_iovcnt = 3;
	uio.uio_offset = 10;
	uio.uio_segflg = UIO_USERSPACE;
	uio.uio_resid = 300;
	ck_assert_int_eq(uiomove(k, 300, UIO_READ, &uio), EFAULT);
	ck_assert_int_eq(uio.uio_resid, 200);
	ck_assert_int_eq(uio.uio_offset, 110);
	ck_assert_ptr_eq(uio.uio_iov, &iov[1]);
	ck_assert_int_eq(uio.uio_iovcnt, 2);
	ck_assert_ptr_eq(iov[1].iov_base, base + USIZE - 50);
	ck_assert_int_eq(iov[1].iov_len, 100);
	user_snapshot(p, base, u);
	ck_assert_mem_eq(u + 8, k, 100);
	ck_assert_mem_eq(u + 108, zero, USIZE - 108);
	/* ureadc at an unmapped byte: EFAULT, the uio unchanged */
	iov[0].iov_base = base + USIZE;
	iov[0].iov_len = 1;
	uio.uio_iov = iov;
	uio.uio_iovcnt = 1;
	uio.uio_resid = 1;
	ck_assert_int_eq(ureadc('a', &uio), EFAULT);
	ck_assert_int_eq(uwritec(&uio), -1);
	ck_assert_int_eq(uio.uio_resid, 1);
	ck_assert_ptr_eq(iov[0].iov_base, base + USIZE);
	/* uio_resid bounds the move, whatever the iovecs hold */
	iov[0].iov_base = base;
	iov[0].iov_len = 100;
	uio.uio_resid = 40;
	ck_assert_int_eq(uiomove(k, 100, UIO_READ, &uio), 0);
	ck_assert_int_eq(uio.uio_resid, 0);
	ck_assert_int_eq(iov[0].iov_len, 60);
	/* a negative count moves nothing */
	uio.uio_resid = 60;
	ck_assert_int_eq(uiomove(k, -5, UIO_READ, &uio), 0);
	ck_assert_int_eq(uio.uio_resid, 60);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	proc_down(p);
	MACHINE_DOWN();
}
END_TEST

/* ---- misuse ---- */

/*
 * Each case reports, as the code under test would, with its function
 * and its caller, this function: not static, so that the report can name
 * it.
 */
#define NMISUSE		13

static const char *const misuse_want[NMISUSE] = {
	"copyin: user address, but the calling thread runs in no process",
	"copyout: may block, but the caller",
	"uiomove: may block, but the caller",
	"fubyte: user address, but the calling thread runs in no process",
	"useracc: user address, but the calling thread runs in no process",
	"uiomove: UIO_SYSSPACE address",
	"copyin: driver buffer",
	"uiomove: uio_segflg 7 is not",
	"uiomove: uio_resid 50 is more than its iovecs hold",
	"ureadc: NULL uio",
	"uwritec: iovec",
	"uiomove: rwflag 2 is not UIO_READ or UIO_WRITE",
	"uiomove: kernel address",
};

static struct proc *mis_p;
static char *mis_base;

void	uaccess_intr(int);
void	uaccess_misuse(int, uio_t *, iovec_t *);

__attribute__((noinline)) void
uaccess_intr(int vec)
{
	uint8_t k[8] = "intr";

	(void)vec;
	/* reported, and made */
	ck_assert_int_eq(copyout(k, mis_base, sizeof(k)), 0);
	KEEP_FRAME();
}

__attribute__((noinline)) void
uaccess_misuse(int which, uio_t *uio, iovec_t *iov)
{
	uint8_t k[64];
	lock_t *lk;
	pl_t pl;

	switch (which) {
	case 0:
		ddisim_proc_enter(NULL);
		ck_assert_int_eq(copyin(mis_base, k, 8), -1);
		break;
	case 1: {
		ddisim_intr_t *h = ddisim_intr_register(9, PLDISK, uaccess_intr);

		ck_assert_ptr_nonnull(h);
		ck_assert_int_ge(ddisim_intr_raise(9), 0);
		ddisim_intr_unregister(h);
		break;
	}
	case 2:
		lk = LOCK_ALLOC(1, plstr, &ua_lkinfo, KM_SLEEP);
		pl = LOCK(lk, plstr);
		/* reported, and made: the pages are resident here */
		ck_assert_int_eq(uiomove(k, 8, UIO_READ, uio), 0);
		UNLOCK(lk, pl);
		LOCK_DEALLOC(lk);
		ck_assert_int_eq(uio->uio_resid, 92);
		break;
	case 3:
		ddisim_proc_enter(NULL);
		ck_assert_int_eq(fubyte(mis_base), -1);
		break;
	case 4:
		ddisim_proc_enter(NULL);
		ck_assert_int_eq(useracc(mis_base, 1, B_READ), 0);
		break;
	case 5:			/* a user address as kernel space */
		uio->uio_segflg = UIO_SYSSPACE;
		ck_assert_int_eq(uiomove(k, 8, UIO_READ, uio), EFAULT);
		ck_assert_int_eq(uio->uio_resid, 100);
		break;
	case 6:			/* a user address as the driver's buffer */
		ck_assert_int_eq(copyin(mis_base, mis_base + 100, 8), -1);
		break;
	case 7:
		uio->uio_segflg = 7;
		ck_assert_int_eq(uiomove(k, 8, UIO_READ, uio), EFAULT);
		break;
	case 8:
		uio->uio_resid = 150;
		uio->uio_iov->iov_len = 100;
		ck_assert_int_eq(uiomove(k, 64, UIO_READ, uio), 0);
		ck_assert_int_eq(uiomove(k, 64, UIO_READ, uio), EFAULT);
		ck_assert_int_eq(uio->uio_resid, 50);	/* 100 were moved */
		break;
	case 9:
		ck_assert_int_eq(ureadc('a', NULL), EFAULT);
		break;
	case 10:
		iov->iov_len = -4;
		ck_assert_int_eq(uwritec(uio), -1);
		break;
	case 11:
		ck_assert_int_eq(uiomove(k, 8, (uio_rw_t)2, uio), EFAULT);
		ck_assert_int_eq(uio->uio_resid, 100);
		break;
	case 12:		/* a user address as the kernel side */
		ck_assert_int_eq(uiomove(mis_base + 200, 8, UIO_WRITE, uio),
		    EFAULT);
		ck_assert_int_eq(uio->uio_resid, 100);
		break;
	}
	KEEP_FRAME();
}

static void
misuse(int which)
{
	char tail[64];
	iovec_t iov;
	uio_t uio;

	mis_p = ddisim_proc_create(USIZE, 0);
	ck_assert_ptr_nonnull(mis_p);
	mis_base = ddisim_proc_base(mis_p);
	ddisim_proc_enter(mis_p);
	iov.iov_base = mis_base;
	iov.iov_len = 100;
	memset(&uio, 0, sizeof(uio));
	uio.uio_iov = &iov;
	uio.uio_iovcnt = 1;
	uio.uio_segflg = UIO_USERSPACE;
	uio.uio_resid = 100;
	uaccess_misuse(which, &uio, &iov);
	ck_assert_uint_ge(ddisim_verify_count(), 1);
	ck_assert_contains(ddisim_verify_last(), misuse_want[which]);
	snprintf(tail, sizeof(tail), "(called from %s" CALLER_SEP, which == 1 ?
	    "uaccess_intr" : "uaccess_misuse");
	ck_assert_contains(ddisim_verify_last(), tail);
	proc_down(mis_p);
}

START_TEST(misuse_counted)
{
	MACHINE_UP(NULL);
	ddisim_verify_set_policy(DDISIM_VERIFY_COUNT);
	misuse(_i);
	ck_assert_uint_eq(ddisim_verify_count(), 1);
	ddisim_verify_set_policy(DDISIM_VERIFY_ABORT);
	MACHINE_DOWN();
}
END_TEST

START_TEST(misuse_aborts)
{
	MACHINE_UP(NULL);
	misuse(_i);
}
END_TEST

/* ---- property: uiomove, ureadc and uwritec against a model ---- */

#define KSIZE		2048
#define SYSSIZE		2048
#define MAXIOV		6

struct space {
	uint8_t		user[USIZE];	/* the model of the process */
	uint8_t		sys[SYSSIZE];	/* of a kernel-space uio's memory */
	uint8_t		k[KSIZE];	/* of the driver's buffer */
};

/* The model's iovec: an offset into its space, which may lie outside. */
struct miov {
	long		off;
	int		len;
};

struct muio {
	struct miov	iov[MAXIOV];
	int		n;		/* iovecs in all */
	int		first;		/* index of uio_iov */
	int		cnt;		/* uio_iovcnt */
	int32_t		offset;
	int		resid;
};

/* Whether [off, off+len) lies in a space of size bytes. */
static bool
in_space(long off, long len, long size)
{
	return off >= 0 && len >= 0 && off <= size - len;
}

/*
 * The model: a move of at most n bytes between m's memory and k + koff.
 * Each iovec's share moves whole or, when any of it is outside the
 * space, not at all and ends the move with EFAULT.
 */
static int
model_move(struct space *s, struct muio *m, bool user, long koff, long n,
    bool read)
{
	uint8_t *mem = user ? s->user : s->sys;
	long size = user ? USIZE : SYSSIZE;

	while (n > 0 && m->resid > 0) {
		struct miov *v;
		long c;

		while (m->cnt > 0 && m->iov[m->first].len == 0) {
			m->first++;
			m->cnt--;
		}
		v = &m->iov[m->first];
		c = v->len;
		if (c > n)
			c = n;
		if (c > m->resid)
			c = m->resid;
		if (!in_space(v->off, c, size))
			return EFAULT;
		for (long j = 0; j < c; j++) {
			if (read)
				mem[v->off + j] = s->k[koff + j];
			else
				s->k[koff + j] = mem[v->off + j];
		}
		v->off += c;
		v->len -= (int)c;
		m->resid -= (int)c;
		m->offset += (int32_t)c;
		koff += c;
		n -= c;
	}
	return 0;
}

/* The model of one ureadc (read) or uwritec: the byte, or -1. */
static int
model_char(struct space *s, struct muio *m, bool user, int c, bool read)
{
	uint8_t *mem = user ? s->user : s->sys;
	long size = user ? USIZE : SYSSIZE;
	struct miov *v;
	int r;

	if (m->resid <= 0)
		return -1;
	while (m->cnt > 0 && m->iov[m->first].len == 0) {
		m->first++;
		m->cnt--;
	}
	v = &m->iov[m->first];
	if (!in_space(v->off, 1, size))
		return -1;
	if (read)
		mem[v->off] = (uint8_t)c;
	r = mem[v->off];
	v->off++;
	v->len--;
	m->resid--;
	m->offset++;
	return r;
}

START_TEST(prop_uio_against_model)
{
	long iters = prop_floor(prop_iters(3000), 300);
	long met[6] = { 0 };	/* user, sys, fault, ureadc, uwritec, split */
	static struct space model;
	uint8_t *sys, *kbuf, got[USIZE];
	struct proc *p;
	char *base;

	MACHINE_UP(NULL);
	p = proc_up(&base);
	sys = kmem_alloc(SYSSIZE, KM_SLEEP);
	kbuf = kmem_alloc(KSIZE, KM_SLEEP);
	prop_seed(0x75616363657373ULL);
	fill_rnd(model.user, USIZE);
	fill_rnd(model.sys, SYSSIZE);
	fill_rnd(model.k, KSIZE);
	ck_assert_int_eq(ddisim_proc_write(p, base, model.user, USIZE), 0);
	memcpy(sys, model.sys, SYSSIZE);
	memcpy(kbuf, model.k, KSIZE);
	for (long it = 0; it < iters; it++) {
		bool user = rndn(4) != 0, read = rndn(2) == 0;
		long size = user ? USIZE : SYSSIZE, total = 0, koff, n;
		uint8_t *mbase = user ? (uint8_t *)base : sys;
		iovec_t iov[MAXIOV];
		struct muio m;
		uio_t uio;
		int op = (int)rndn(5);		/* 0-2 uiomove, 3 ureadc, 4 uwritec */

		memset(&m, 0, sizeof(m));
		m.n = m.cnt = 1 + (int)rndn(MAXIOV);
		for (int i = 0; i < m.n; i++) {
			long len = rndn(5) == 0 ? 0 : (long)rndn(700);
			long off;

			/* user iovecs now and then reach outside */
			if (user && rndn(10) == 0)
				off = (long)rndn((size_t)size + 400) - 200;
			else
				off = (long)rndn((size_t)(size - len + 1));
			m.iov[i].off = off;
			m.iov[i].len = (int)len;
			total += len;
			iov[i].iov_base = (caddr_t)(mbase + off);
			iov[i].iov_len = (int)len;
		}
		m.resid = (int)(total - (long)rndn((size_t)total / 4 + 1));
		m.offset = (int32_t)rndn(1 << 20);
		memset(&uio, 0, sizeof(uio));
		uio.uio_iov = iov;
		uio.uio_iovcnt = m.cnt;
		uio.uio_offset = m.offset;
		uio.uio_segflg = user ? UIO_USERSPACE : UIO_SYSSPACE;
		uio.uio_resid = m.resid;
		if (op <= 2) {
			int want, rc;

			n = (long)rndn(KSIZE + 1);
			koff = (long)rndn((size_t)(KSIZE - n + 1));
			want = model_move(&model, &m, user, koff, n, read);
			rc = uiomove(kbuf + koff, n, read ? UIO_READ : UIO_WRITE,
			    &uio);
			ck_assert_int_eq(rc, want);
			met[want != 0 ? 2 : user ? 0 : 1]++;
			if (want == 0 && m.resid > 0 && n > 0 && m.first > 0)
				met[5]++;
		} else {
			/* a run of characters, until the uio is used up */
			int k = 1 + (int)rndn(40);

			for (int i = 0; i < k; i++) {
				int c = (int)rndn(256), want, rc;

				want = model_char(&model, &m, user, c, op == 3);
				if (op == 3) {
					rc = ureadc(c, &uio);
					ck_assert_int_eq(rc, want < 0 ? EFAULT : 0);
				} else {
					rc = uwritec(&uio);
					ck_assert_int_eq(rc, want);
				}
				if (want < 0)
					break;
			}
			met[op]++;
		}
		/* the uio as the model has it */
		ck_assert_int_eq(uio.uio_resid, m.resid);
		ck_assert_int_eq(uio.uio_offset, m.offset);
		ck_assert_ptr_eq(uio.uio_iov, &iov[m.first]);
		ck_assert_int_eq(uio.uio_iovcnt, m.cnt);
		for (int i = 0; i < m.n; i++) {
			ck_assert_ptr_eq(iov[i].iov_base, mbase + m.iov[i].off);
			ck_assert_int_eq(iov[i].iov_len, m.iov[i].len);
		}
		/* and every byte of every memory */
		ck_assert_mem_eq(kbuf, model.k, KSIZE);
		ck_assert_mem_eq(sys, model.sys, SYSSIZE);
		if (user) {
			user_snapshot(p, base, got);
			ck_assert_mem_eq(got, model.user, USIZE);
		}
	}
	for (int i = 0; i < 6; i++)
		ck_assert_msg(met[i] > 0, "outcome %d never met in %ld", i,
		    iters);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	kmem_free(sys, SYSSIZE);
	kmem_free(kbuf, KSIZE);
	proc_down(p);
	MACHINE_DOWN();
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("uaccess");
	TCase *tc;

	tc = tcase_new("core");
	tcase_add_test(tc, copy_both_ways);
	tcase_add_test(tc, uiomove_user_iovecs);
	tcase_add_test(tc, uiomove_kernel_space);
	tcase_add_test(tc, kernel_space_at_any_level);
	tcase_add_test(tc, ureadc_uwritec);
	tcase_add_test(tc, bytes_and_words);
	tcase_add_test(tc, threads_in_their_processes);
	suite_add_tcase(s, tc);
	tc = tcase_new("limits");
	tcase_add_test(tc, partial_copies_copy_nothing);
	tcase_add_test(tc, uiomove_stops_at_the_fault);
	suite_add_tcase(s, tc);
	tc = tcase_new("misuse");
	TCASE_ADD_MISUSE(tc, misuse_counted, misuse_aborts, NMISUSE);
	suite_add_tcase(s, tc);
	tc = tcase_new("property");
	tcase_add_test(tc, prop_uio_against_model);
	suite_add_tcase(s, tc);
	return run_suite(s) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
