/*
 * test_lpt.c - the example printer port driver (DDI 7, a loadable
 * module) loaded by the driver host from its shared object, and used
 * as the print spooler used /dev/lpt0: opened, written, asked for the
 * printer's status, closed.
 *
 * The printers (the device model below) sit on two ports, boards of
 * the resource manager with their I/O ports and interrupts.  A strobe
 * takes the data latch into the printer's paper, sets ACK and raises
 * the port's line; reading the status clears ACK.  A printer can run
 * out of paper after a given number of bytes, and a stalled one
 * ignores strobes.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include <sys/types.h>
#include <sys/file.h>
#include <sys/mkdev.h>
#include <ddicompat/ddisim.h>
#include <ddicompat/host.h>

#include "lib/testutil.h"
#include "lpt.h"

#define LPT0_BASE	0x378
#define LPT0_IRQ	7
#define LPT1_BASE	0x278
#define LPT1_IRQ	5
#define PAPER		8192		/* what a printer's record holds */

/* ---- the printers ---- */

struct printer {
	int		base, irq;
	pthread_mutex_t	mtx;
	unsigned char	latch, ctl;
	int		ack;
	int		offline;
	int		stalled;	/* strobes are ignored */
	long		paper;		/* bytes before it runs out; <0: no
					   end */
	unsigned	resets;
	unsigned char	got[PAPER];	/* what it printed */
	size_t		ngot;
};

static struct printer prn[LPT_MAXPORT];

static uint32_t
prn_in(void *arg, int port, int width)
{
	struct printer *p = arg;
	uint32_t v = 0xff;

	(void)width;
	pthread_mutex_lock(&p->mtx);
	if (port - p->base == LPT_STATUS) {
		v = LPT_ST_NOERROR | LPT_ST_NOTBUSY;
		if (!p->offline)
			v |= LPT_ST_SELECT;
		if (p->paper == 0)
			v |= LPT_ST_PAPEROUT;
		if (p->ack)
			v |= LPT_ST_ACK;
		p->ack = 0;
	} else if (port - p->base == LPT_CONTROL) {
		v = p->ctl;
	}
	pthread_mutex_unlock(&p->mtx);
	return v;
}

static void
prn_out(void *arg, int port, int width, uint32_t v)
{
	struct printer *p = arg;
	int raise = 0;

	(void)width;
	pthread_mutex_lock(&p->mtx);
	if (port - p->base == LPT_DATA) {
		p->latch = (unsigned char)v;
	} else if (port - p->base == LPT_CONTROL) {
		/* the rising edge of the strobe takes the byte */
		if ((v & LPT_CT_STROBE) && !(p->ctl & LPT_CT_STROBE) &&
		    !p->stalled && !p->offline && p->paper != 0 &&
		    p->ngot < PAPER) {
			p->got[p->ngot++] = p->latch;
			if (p->paper > 0)
				p->paper--;
			p->ack = 1;
			raise = (v & LPT_CT_IRQEN) != 0;
		}
		if (!(v & LPT_CT_NOINIT) && (p->ctl & LPT_CT_NOINIT))
			p->resets++;
		p->ctl = (unsigned char)v;
	}
	pthread_mutex_unlock(&p->mtx);
	if (raise)
		(void)ddisim_intr_raise(p->irq);
}

static const struct ddisim_port_ops prn_ops = { prn_in, prn_out };

static ddisim_ports_t *ports[LPT_MAXPORT];

/* The machine, both printers on their boards, and the driver loaded. */
static ddisim_drv_t *
lpt_up(void)
{
	static const int base[] = { LPT0_BASE, LPT1_BASE };
	static const int irq[] = { LPT0_IRQ, LPT1_IRQ };
	struct ddisim_drvconf c;
	ddisim_drv_t *d = NULL;

	MACHINE_UP("mem=64M,cpus=2");
	ddisim_putbuf_clear();
	for (int i = 0; i < LPT_MAXPORT; i++) {
		struct ddisim_board b;

		memset(&prn[i], 0, sizeof(prn[i]));
		pthread_mutex_init(&prn[i].mtx, NULL);
		prn[i].base = base[i];
		prn[i].irq = irq[i];
		prn[i].paper = -1;
		ports[i] = ddisim_port_claim(base[i], LPT_NREGS, &prn_ops,
		    &prn[i], i == 0 ? "lpt0" : "lpt1");
		ck_assert_ptr_nonnull(ports[i]);
		memset(&b, 0, sizeof(b));
		b.modname = "lpt";
		b.set = DDISIM_BRD_IRQ | DDISIM_BRD_IOADDR;
		b.irq = (unsigned)irq[i];
		b.io_start = (uint32_t)base[i];
		b.io_end = (uint32_t)base[i] + LPT_NREGS - 1;
		ck_assert_uint_ne(ddisim_rm_add_board(&b), 0);
	}
	memset(&c, 0, sizeof(c));
	c.prefix = "lpt";
	c.object = LPT_SO;
	ck_assert_int_eq(ddisim_drv_load_conf(&c, &d), 0);
	ck_assert_int_eq(ddisim_drv_interface(d), 70);
	/* its _load turned the ports' interrupts on */
	for (int i = 0; i < LPT_MAXPORT; i++)
		ck_assert_uint_eq(prn[i].ctl, LPT_CT_NOINIT | LPT_CT_SELECT |
		    LPT_CT_IRQEN);
	return d;
}

static void
lpt_down(ddisim_drv_t *d)
{
	ck_assert_int_eq(ddisim_drv_unload(d), 0);
	/* its _unload turned the ports' interrupts off */
	for (int i = 0; i < LPT_MAXPORT; i++) {
		ck_assert_uint_eq(prn[i].ctl & LPT_CT_IRQEN, 0);
		ddisim_port_release(ports[i]);
	}
	ck_assert_uint_eq(ddisim_clock_callouts(), 0);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	MACHINE_DOWN();
	for (int i = 0; i < LPT_MAXPORT; i++)
		pthread_mutex_destroy(&prn[i].mtx);
}

static int
lpt_open(struct proc *p, ddisim_drv_t *d, unsigned minor, int oflag,
    ddisim_file_t **fp)
{
	return ddisim_dev_open(p, ddisim_drv_dev(d, 0, minor), DDISIM_CHR,
	    oflag, fp);
}

/* ---- a write in a thread of its own, which the test interrupts ---- */

struct bgwrite {
	pthread_t	t;
	ddisim_file_t	*f;
	const void	*u;
	size_t		len, done;
	int		rc;
	_Atomic unsigned ctx;
	_Atomic pid_t	tid;
};

static void *
bgwrite_run(void *arg)
{
	struct bgwrite *w = arg;

	atomic_store(&w->tid, tid_self());
	atomic_store(&w->ctx, ddisim_ctx_id());
	w->rc = ddisim_dev_write(w->f, w->u, w->len, &w->done);
	return NULL;
}

/*
 * Start the write; return once it waits for the printer, its next look
 * at it set for LPT_RECHECK_US from now.
 */
static void
bgwrite_start(struct bgwrite *w, ddisim_file_t *f, const void *u, size_t len)
{
	memset(w, 0, sizeof(*w));
	w->f = f;
	w->u = u;
	w->len = len;
	ck_assert_int_eq(pthread_create(&w->t, NULL, bgwrite_run, w), 0);
	while (atomic_load(&w->tid) == 0 || atomic_load(&w->ctx) == 0 ||
	    ddisim_clock_callouts() == 0)
		sched_yield();
	ck_assert(tid_wait_asleep(atomic_load(&w->tid)));
}

static void
bgwrite_join(struct bgwrite *w)
{
	ck_assert_int_eq(pthread_join(w->t, NULL), 0);
}

/* ---- the tests ---- */

/*
 * Both ports print what the program wrote, a byte per interrupt, and
 * answer their ioctls.
 */
START_TEST(lpt_prints_through_interrupts)
{
	unsigned char buf[3000];
	ddisim_file_t *f0, *f1;
	ddisim_drv_t *d;
	struct proc *p;
	uint8_t *u;
	size_t done;
	int status;

	d = lpt_up();
	p = ddisim_proc_create(16384, 0);
	u = ddisim_proc_base(p);
	fill_seeded(buf, sizeof(buf), 7);
	ck_assert_int_eq(ddisim_proc_write(p, u, buf, sizeof(buf)), 0);

	ck_assert_int_eq(lpt_open(p, d, 0, FWRITE, &f0), 0);
	ck_assert_int_eq(lpt_open(p, d, 1, FREAD | FWRITE, &f1), 0);
	ck_assert_int_eq(ddisim_dev_write(f0, u, sizeof(buf), &done), 0);
	ck_assert_uint_eq(done, sizeof(buf));
	ck_assert_uint_eq(prn[0].ngot, sizeof(buf));
	ck_assert_mem_eq(prn[0].got, buf, sizeof(buf));
	ck_assert_uint_eq(ddisim_intr_count(LPT0_IRQ), sizeof(buf));
	ck_assert_int_eq(ddisim_dev_write(f1, u + 100, 10, &done), 0);
	ck_assert_uint_eq(done, 10);
	ck_assert_uint_eq(prn[1].ngot, 10);
	ck_assert_mem_eq(prn[1].got, buf + 100, 10);
	ck_assert_uint_eq(prn[0].ngot, sizeof(buf));	/* its own port */
	ck_assert_uint_eq(ddisim_intr_count(LPT1_IRQ), 10);
	ck_assert_uint_eq(ddisim_clock_callouts(), 0);	/* watchdogs gone */

	/* the status, copied out to the program */
	ck_assert_int_eq(ddisim_dev_ioctl(f1, LPT_GETSTATUS,
	    (intptr_t)(u + 8192), NULL), 0);
	ck_assert_int_eq(ddisim_proc_read(p, u + 8192, &status,
	    sizeof(status)), 0);
	ck_assert_int_eq(status, LPT_ST_NOERROR | LPT_ST_SELECT |
	    LPT_ST_NOTBUSY);
	prn[1].offline = 1;
	ck_assert_int_eq(ddisim_dev_ioctl(f1, LPT_GETSTATUS,
	    (intptr_t)(u + 8192), NULL), 0);
	ck_assert_int_eq(ddisim_proc_read(p, u + 8192, &status,
	    sizeof(status)), 0);
	ck_assert_int_eq(status, LPT_ST_NOERROR | LPT_ST_NOTBUSY);
	prn[1].offline = 0;
	/* a reset pulses the printer's INIT line once */
	ck_assert_int_eq(ddisim_dev_ioctl(f0, LPT_RESET, 0, NULL), 0);
	ck_assert_uint_eq(prn[0].resets, 1);
	ck_assert_uint_eq(prn[1].resets, 0);
	ck_assert_uint_eq(prn[0].ctl, LPT_CT_NOINIT | LPT_CT_SELECT |
	    LPT_CT_IRQEN);

	ck_assert_int_eq(ddisim_dev_close(f0), 0);
	ck_assert_int_eq(ddisim_dev_close(f1), 0);
	/* closed, the port opens again */
	ck_assert_int_eq(lpt_open(p, d, 0, FWRITE, &f0), 0);
	ck_assert_int_eq(ddisim_dev_close(f0), 0);
	ddisim_proc_destroy(p);
	lpt_down(d);
}
END_TEST

/* What the driver refuses, and the errors it returns. */
START_TEST(lpt_errors)
{
	ddisim_file_t *f, *g;
	ddisim_drv_t *d;
	struct proc *p;
	unsigned char local[16];
	uint8_t *u;
	size_t done;

	d = lpt_up();
	p = ddisim_proc_create(8192, 0);
	u = ddisim_proc_base(p);
	/* a minor with no port */
	ck_assert_int_eq(lpt_open(p, d, LPT_MAXPORT, FWRITE, &f), ENXIO);
	/* one open at a time */
	ck_assert_int_eq(lpt_open(p, d, 0, FREAD, &f), 0);
	ck_assert_int_eq(lpt_open(p, d, 0, FWRITE, &g), EBUSY);
	/* not opened for writing */
	ck_assert_int_eq(ddisim_dev_write(f, u, 1, &done), EBADF);
	ck_assert_int_eq(ddisim_dev_ioctl(f, LPT_RESET, 0, NULL), EBADF);
	ck_assert_uint_eq(prn[0].resets, 0);
	/* buffers outside the program */
	ck_assert_int_eq(ddisim_dev_ioctl(f, LPT_GETSTATUS, (intptr_t)local,
	    NULL), EFAULT);
	ck_assert_int_eq(ddisim_dev_ioctl(f, 0x7777, 0, NULL), EINVAL);
	ck_assert_int_eq(ddisim_dev_close(f), 0);
	ck_assert_int_eq(lpt_open(p, d, 0, FWRITE, &f), 0);
	ck_assert_int_eq(ddisim_dev_write(f, local, sizeof(local), &done),
	    EFAULT);
	ck_assert_uint_eq(done, 0);
	ck_assert_uint_eq(prn[0].ngot, 0);
	ck_assert_int_eq(ddisim_dev_close(f), 0);
	ddisim_proc_destroy(p);
	lpt_down(d);
}
END_TEST

/*
 * A printer out of paper: a write with O_NDELAY is EAGAIN; any other
 * waits for paper, and a signal ends the wait (EINTR, or the short count
 * of what was printed before); with paper again it prints on.
 */
START_TEST(lpt_out_of_paper)
{
	unsigned char buf[64];
	struct bgwrite w;
	ddisim_file_t *f, *nd;
	ddisim_drv_t *d;
	struct proc *p;
	char log[512];
	uint8_t *u;
	size_t done;

	d = lpt_up();
	p = ddisim_proc_create(8192, 0);
	u = ddisim_proc_base(p);
	fill_seeded(buf, sizeof(buf), 11);
	ck_assert_int_eq(ddisim_proc_write(p, u, buf, sizeof(buf)), 0);

	/* paper for 20 bytes: the write prints them, then waits */
	prn[0].paper = 20;
	ck_assert_int_eq(lpt_open(p, d, 0, FWRITE, &f), 0);
	bgwrite_start(&w, f, u, sizeof(buf));
	ck_assert_int_eq(ddisim_ctx_signal(atomic_load(&w.ctx)), 1);
	bgwrite_join(&w);
	ck_assert_int_eq(w.rc, 0);
	ck_assert_uint_eq(w.done, 20);
	ck_assert_uint_eq(prn[0].ngot, 20);
	(void)ddisim_putbuf(log, sizeof(log));
	ck_assert_ptr_nonnull(strstr(log, "lpt0: printer out of paper"));

	/* nothing printed: EINTR */
	bgwrite_start(&w, f, u + 20, sizeof(buf) - 20);
	ck_assert_int_eq(ddisim_ctx_signal(atomic_load(&w.ctx)), 1);
	bgwrite_join(&w);
	ck_assert_int_eq(w.rc, EINTR);
	ck_assert_uint_eq(w.done, 0);
	ck_assert_int_eq(ddisim_dev_close(f), 0);

	/* O_NDELAY: EAGAIN, at once */
	ck_assert_int_eq(lpt_open(p, d, 0, FWRITE | FNDELAY, &nd), 0);
	ck_assert_int_eq(ddisim_dev_write(nd, u + 20, 5, &done), EAGAIN);
	ck_assert_uint_eq(done, 0);
	ck_assert_int_eq(ddisim_dev_close(nd), 0);

	/* paper again: the waiting write sees it at its next look */
	ck_assert_int_eq(lpt_open(p, d, 0, FWRITE, &f), 0);
	bgwrite_start(&w, f, u + 20, sizeof(buf) - 20);
	pthread_mutex_lock(&prn[0].mtx);
	prn[0].paper = -1;
	pthread_mutex_unlock(&prn[0].mtx);
	ddisim_clock_advance(100000);
	bgwrite_join(&w);
	ck_assert_int_eq(w.rc, 0);
	ck_assert_uint_eq(w.done, sizeof(buf) - 20);
	ck_assert_uint_eq(prn[0].ngot, sizeof(buf));
	ck_assert_mem_eq(prn[0].got, buf, sizeof(buf));
	ck_assert_int_eq(ddisim_dev_close(f), 0);
	ddisim_proc_destroy(p);
	lpt_down(d);
}
END_TEST

/* A printer that never takes the byte: the watchdog gives up, EIO. */
START_TEST(lpt_watchdog_gives_up)
{
	ddisim_file_t *f;
	ddisim_drv_t *d;
	struct proc *p;
	char log[512];
	size_t done;

	d = lpt_up();
	p = ddisim_proc_create(4096, 0);
	ck_assert_int_eq(ddisim_proc_write(p, ddisim_proc_base(p), "x", 1),
	    0);
	prn[1].stalled = 1;
	ck_assert_int_eq(lpt_open(p, d, 1, FWRITE, &f), 0);
	ddisim_clock_realtime(1);
	ck_assert_int_eq(ddisim_dev_write(f, ddisim_proc_base(p), 1, &done),
	    EIO);
	ddisim_clock_realtime(0);
	ck_assert_uint_eq(done, 0);
	ck_assert_uint_ge(ddisim_clock_now(), 200000);
	(void)ddisim_putbuf(log, sizeof(log));
	ck_assert_ptr_nonnull(strstr(log, "lpt1: printer not responding"));
	ck_assert_int_eq(ddisim_dev_close(f), 0);
	ddisim_proc_destroy(p);
	lpt_down(d);
}
END_TEST

/* What cmn_err printed on the console, kept for the test to read. */
static char console[1024];

static void
console_keep(const char *text, void *arg)
{
	size_t n = strlen(console);

	(void)arg;
	(void)snprintf(console + n, sizeof(console) - n, "%s", text);
}

/*
 * _load refuses a machine with no port (ENODEV) and a port with no I/O
 * address (ENXIO, with a warning), and leaves nothing behind.
 */
START_TEST(lpt_load_refused)
{
	struct ddisim_drvconf c;
	struct ddisim_board b;
	ddisim_drv_t *d = NULL;

	MACHINE_UP("mem=64M");
	console[0] = '\0';
	ddisim_console(console_keep, NULL);
	memset(&c, 0, sizeof(c));
	c.prefix = "lpt";
	c.object = LPT_SO;
	ck_assert_int_eq(ddisim_drv_load_conf(&c, &d), ENODEV);
	ck_assert_ptr_null(d);
	memset(&b, 0, sizeof(b));
	b.modname = "lpt";
	b.set = DDISIM_BRD_IRQ;
	b.irq = LPT0_IRQ;
	ck_assert_uint_ne(ddisim_rm_add_board(&b), 0);
	ck_assert_int_eq(ddisim_drv_load_conf(&c, &d), ENXIO);
	ck_assert_ptr_null(d);
	ck_assert_ptr_null(ddisim_drv_find("lpt"));
	ddisim_console(NULL, NULL);
	ck_assert_ptr_nonnull(strstr(console, "WARNING: lpt0: no I/O ports or no "
	    "interrupt configured"));
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	MACHINE_DOWN();
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("lpt");
	TCase *tc = tcase_new("core");

	/* threads and interrupts, slow under Valgrind: a long limit */
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, lpt_prints_through_interrupts);
	tcase_add_test(tc, lpt_errors);
	tcase_add_test(tc, lpt_out_of_paper);
	tcase_add_test(tc, lpt_watchdog_gives_up);
	tcase_add_test(tc, lpt_load_refused);
	suite_add_tcase(s, tc);
	return run_suite(s) == 0 ? 0 : 1;
}
