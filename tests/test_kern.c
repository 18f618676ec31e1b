/*
 * test_kern.c - cmn_err, ASSERT, min/max, device numbers and drv_priv,
 * and the headers drivers include (types, open kinds, devflags).  Built with
 * -DDEBUG, as a driver under test usually is.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <errno.h>

#include <sys/types.h>
#include <sys/cmn_err.h>
#include <sys/debug.h>
#include <sys/cred.h>
#include <sys/open.h>
#include <sys/mkdev.h>
#include <sys/conf.h>
#include <sys/ddi.h>

#include "exports.h"		/* names the version here does not declare */
#include "lib/testutil.h"

int	nodebug_assert_count(void);

static char console[4096];

static void
capture(const char *text, void *arg)
{
	(void)arg;
	strncat(console, text, sizeof(console) - strlen(console) - 1);
}

static void
setup(void)
{
	console[0] = '\0';
	ddisim_putbuf_clear();
	ddisim_console(capture, NULL);
	ddisim_verify_reset();
}

static void
teardown(void)
{
	ddisim_console(NULL, NULL);
	ddisim_verify_set_policy(DDISIM_VERIFY_ABORT);
}

START_TEST(levels_and_routing)
{
	char pb[4096];

	cmn_err(CE_NOTE, "disk %d: %s", 3, "retried");
	cmn_err(CE_WARN, "controller %#x not responding", 0x1f0);
	cmn_err(CE_CONT, "cont ");
	cmn_err(CE_CONT, "inued\n");
	cmn_err(CE_NOTE, "!only in the putbuf");
	cmn_err(CE_WARN, "^only on the console");
	ck_assert_str_eq(console, "NOTICE: disk 3: retried\n"
	    "WARNING: controller 0x1f0 not responding\n"
	    "cont inued\n"
	    "WARNING: only on the console\n");
	ck_assert_uint_eq(ddisim_putbuf(pb, sizeof(pb)), strlen(pb));
	ck_assert_str_eq(pb, "NOTICE: disk 3: retried\n"
	    "WARNING: controller 0x1f0 not responding\n"
	    "cont inued\n"
	    "NOTICE: only in the putbuf\n");
	ck_assert_uint_eq(ddisim_verify_count(), 0);
}
END_TEST

START_TEST(putbuf_keeps_the_last_64k)
{
	static char pb[70000];
	size_t held;

	for (int i = 0; i < 10000; i++)
		cmn_err(CE_CONT, "!%08d\n", i);		/* 9 bytes each */
	held = ddisim_putbuf(pb, sizeof(pb));
	ck_assert_uint_eq(held, 65536);
	ck_assert_uint_eq(strlen(pb), 65536);
	ck_assert_str_eq(pb + 65536 - 9, "00009999\n");
	/* a short buffer gets the oldest bytes, terminated */
	held = ddisim_putbuf(pb, 4);
	ck_assert_uint_eq(held, 65536);
	ck_assert_uint_eq(strlen(pb), 3);
	ck_assert_str_eq(console, "");
}
END_TEST

START_TEST(panic_counted)
{
	ddisim_verify_set_policy(DDISIM_VERIFY_COUNT);
	cmn_err(CE_PANIC, "cannot continue: %s", "bad state");
	ck_assert_uint_eq(ddisim_verify_count(), 1);
	ck_assert_ptr_nonnull(strstr(ddisim_verify_last(),
	    "PANIC: cannot continue: bad state"));
	ck_assert_str_eq(console, "PANIC: cannot continue: bad state\n");
	/* an unknown level is misuse, and printed as a warning */
	cmn_err(7, "odd");
	ck_assert_uint_eq(ddisim_verify_count(), 2);
	ck_assert_ptr_nonnull(strstr(console, "WARNING: odd\n"));
}
END_TEST

START_TEST(panic_aborts)
{
	cmn_err(CE_PANIC, "the end");
}
END_TEST

START_TEST(assert_under_debug)
{
	int x = 1;

	ddisim_verify_set_policy(DDISIM_VERIFY_COUNT);
	ASSERT(x == 1);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	ASSERT(x == 2);
	ck_assert_uint_eq(ddisim_verify_count(), 1);
	ck_assert_ptr_nonnull(strstr(ddisim_verify_last(), "x == 2"));
	ck_assert_ptr_nonnull(strstr(ddisim_verify_last(), "test_kern.c"));
	/* built without DEBUG, the expression is not even evaluated */
	ck_assert_int_eq(nodebug_assert_count(), 0);
	ck_assert_uint_eq(ddisim_verify_count(), 1);
}
END_TEST

START_TEST(assert_aborts)
{
	int x = 1;

	ASSERT(x == 2);
}
END_TEST

START_TEST(min_max_unsigned)
{
	ck_assert_uint_eq(min(3, 5), 3);
	ck_assert_uint_eq(max(3, 5), 5);
	ck_assert_uint_eq(min((uint_t)-1, 2), 2);	/* unsigned */
	ck_assert_uint_eq(max((uint_t)-1, 2), (uint_t)-1);
	ck_assert_int_eq(bcmp("abc", "abd", 3) != 0, 1);
}
END_TEST

START_TEST(device_numbers)
{
	prop_seed(12345);
	for (long i = 0; i < prop_iters(100000) / 10; i++) {
		uint64_t r = rnd();
		major_t ma;
		minor_t mi;
		dev_t d;

		ma = (major_t)(r >> 33) & L_MAXMAJ;
		mi = (minor_t)(r >> 7) & L_MAXMIN;
		d = makedevice(ma, mi);
		ck_assert_uint_eq(getmajor(d), ma);
		ck_assert_uint_eq(getminor(d), mi);
		ck_assert_uint_eq(getemajor(d), ma);
		ck_assert_uint_eq(geteminor(d), mi);
	}
	ck_assert_uint_eq(makedevice(L_MAXMAJ, L_MAXMIN), 0xffffffffu);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
}
END_TEST

/* A process's credentials: privileged as made, not once its user changes. */
START_TEST(drv_priv_by_user)
{
	struct proc *p, *q;
	cred_t *cr, *sys, *none;

	ck_assert_int_eq(drv_getparm(UCRED, &none), 0);	/* no process */
	ck_assert_int_eq(drv_getparm(SYSCRED, &sys), 0);
	ck_assert_ptr_eq(none, sys);
	ck_assert_int_eq(drv_priv(sys), 0);
	p = ddisim_proc_create(4096, 0);
	q = ddisim_proc_create(4096, 0);
	ck_assert_ptr_nonnull(p);
	ck_assert_ptr_nonnull(q);
	ddisim_proc_enter(p);
	ck_assert_int_eq(drv_getparm(UCRED, &cr), 0);
	ck_assert_ptr_ne(cr, sys);
	ck_assert_uint_eq(cr->cr_uid, 0);
	ck_assert_int_eq(drv_priv(cr), 0);
	ck_assert_int_eq(ddisim_proc_setuid(p, 100), 0);
	ck_assert_uint_eq(cr->cr_uid, 100);
	ck_assert_uint_eq(cr->cr_ruid, 100);
	ck_assert_uint_eq(cr->cr_suid, 100);
	ck_assert_int_eq(drv_priv(cr), EPERM);
	/* the other process, and the system, are still privileged */
	ddisim_proc_enter(q);
	ck_assert_int_eq(drv_getparm(UCRED, &cr), 0);
	ck_assert_int_eq(drv_priv(cr), 0);
	ck_assert_int_eq(drv_priv(sys), 0);
	ck_assert_int_eq(ddisim_proc_setuid(p, 0), 0);
	ddisim_proc_enter(p);
	ck_assert_int_eq(drv_getparm(UCRED, &cr), 0);
	ck_assert_int_eq(drv_priv(cr), 0);
	ddisim_proc_enter(NULL);
	ddisim_proc_destroy(p);
	ddisim_proc_destroy(q);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
}
END_TEST

/* The string functions <sys/ddi.h> declares are the C library's. */
START_TEST(ddi_strings)
{
	const char *volatile tail = "cdef";
	char b[32], *end;

	ck_assert_ptr_eq(strcpy(b, "disk"), b);
	ck_assert_ptr_eq(strcat(b, "0"), b);
	ck_assert_str_eq(b, "disk0");
	ck_assert_uint_eq(strlen(b), 5);
	ck_assert_int_lt(strcmp("disk0", "disk1"), 0);
	ck_assert_int_eq(strncmp("disk0", "disk1", 4), 0);
	ck_assert_ptr_eq(strncpy(b, "ab", 4), b);
	ck_assert_int_eq(b[2] + b[3], 0);		/* padded */
	/* Through a pointer the compiler cannot follow: the truncation is
	 * the point, and -Wstringop-truncation would refuse the literal. */
	ck_assert_ptr_eq(strncat(b, tail, 2), b);
	ck_assert_str_eq(b, "abcd");
	ck_assert_ptr_eq(strchr(b, 'c'), b + 2);	/* DDI 8 */
	ck_assert_uint_eq(strtoul("0x1f0,", &end, 0), 0x1f0);
	ck_assert_int_eq(*end, ',');
}
END_TEST

/* numtos: the decimal digits, as snprintf writes them; returns s. */
START_TEST(numtos_digits)
{
	char s[16], want[16];
	long i, n = prop_floor(prop_iters(100000) / 10, 100);

	ck_assert_ptr_eq(numtos(0, s), s);
	ck_assert_str_eq(s, "0");
	ck_assert_str_eq(numtos(4294967295u, s), "4294967295");
	ck_assert_str_eq(numtos(10, s), "10");
	prop_seed(4711);
	for (i = 0; i < n; i++) {
		ulong_t v = (ulong_t)(rnd() >> (32 + rndn(32)));

		memset(s, 'x', sizeof(s));
		snprintf(want, sizeof(want), "%lu", (unsigned long)v);
		ck_assert_str_eq(numtos(v, s), want);
	}
	ck_assert_uint_eq(ddisim_verify_count(), 0);
}
END_TEST

/* ovbcopy against memmove on one buffer, the ranges overlapping or not. */
START_TEST(ovbcopy_overlaps)
{
	unsigned char buf[256], model[256];
	long i, n = prop_floor(prop_iters(100000) / 10, 200);
	int up = 0, down = 0;

	prop_seed(0x0b);
	fill_rnd(buf, sizeof(buf));
	memcpy(model, buf, sizeof(buf));
	for (i = 0; i < n; i++) {
		size_t len = rndn(128), from = rndn(256 - len),
		    to = rndn(256 - len);

		ovbcopy(buf + from, buf + to, len);
		memmove(model + to, model + from, len);
		ck_assert_int_eq(memcmp(buf, model, sizeof(buf)), 0);
		if (len > 0 && to > from && to < from + len)
			up++;
		if (len > 0 && from > to && from < to + len)
			down++;
	}
	ck_assert_int_gt(up, 0);
	ck_assert_int_gt(down, 0);
	ovbcopy(NULL, NULL, 0);			/* nothing to copy */
	ck_assert_uint_eq(ddisim_verify_count(), 0);
}
END_TEST

START_TEST(ticks_follow_the_clock)
{
	clock_t t0 = TICKS();

	ck_assert_int_eq(t0, lbolt);
	ddisim_clock_advance(5 * 10000);		/* 5 ticks of 10 ms */
	ck_assert_int_eq(TICKS(), t0 + 5);
	ck_assert_int_eq(TICKS(), lbolt);
}
END_TEST

/*
 * ThreadSanitizer does not follow a lock across fork (see test_forklock),
 * so the panic test, which forks, runs in the other builds only.
 */
#if defined(__SANITIZE_THREAD__)
#define UNDER_TSAN	1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define UNDER_TSAN	1
#endif
#endif

#ifndef UNDER_TSAN
/*
 * panic ends the process as the system would halt, whatever the
 * verify= policy: a child panics, its message and report reach stderr,
 * and it dies of SIGABRT.
 */
static void
panic_child(bool count, char *out, size_t len)
{
	int fd[2], status;
	ssize_t n, got = 0;
	pid_t pid;

	ck_assert_int_eq(pipe(fd), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		dup2(fd[1], 2);
		close(fd[0]);
		if (count)
			ddisim_verify_set_policy(DDISIM_VERIFY_COUNT);
		ddisim_console(NULL, NULL);
		_Compat_panic("disk %d is gone", 3);
		_exit(0);			/* not reached */
	}
	close(fd[1]);
	while ((n = read(fd[0], out + got, len - 1 - (size_t)got)) > 0)
		got += n;
	out[got] = '\0';
	close(fd[0]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT,
	    "the child ended with status %#x", status);
}

START_TEST(panic_ends_the_process)
{
	char out[4096];

	panic_child(false, out, sizeof(out));
	ck_assert_contains(out, "PANIC: disk 3 is gone\n");
	ck_assert_contains(out, "panic: PANIC: disk 3 is gone");
	ck_assert_contains(out, "test_kern");	/* the caller */
	panic_child(true, out, sizeof(out));
	ck_assert_contains(out, "PANIC: disk 3 is gone\n");
	ck_assert_contains(out, "panic: PANIC: disk 3 is gone");
	ck_assert_contains(out, "test_kern");
}
END_TEST
#endif /* !UNDER_TSAN */

/* The types and constants of the headers, with the originals' values. */
START_TEST(header_types_and_constants)
{
	vaddr_t va = (vaddr_t)&va;
	addr_t a = (addr_t)&va;
	lock_t *lk = NULL;	/* <sys/ddi.h> brings <sys/ksynch.h> */
	sv_t *sv = NULL;
	struct uio *uiop = NULL;	/* and <sys/uio.h>, <sys/buf.h> */
	buf_t *bp = NULL;

	ck_assert_uint_eq(sizeof(unchar), 1);
	ck_assert_uint_eq(sizeof(ushort), 2);
	ck_assert_uint_eq(sizeof(uint), 4);
	ck_assert_uint_eq(sizeof(rm_key_t), 4);
	ck_assert_uint_eq(sizeof(vaddr_t), sizeof(void *));
	ck_assert_ptr_eq((void *)va, (void *)a);
	ck_assert_int_eq(TRUE, 1);
	ck_assert_int_eq(FALSE, 0);
	ck_assert_ptr_null(lk);
	ck_assert_ptr_null(sv);
	ck_assert_ptr_null(uiop);
	ck_assert_ptr_null(bp);
	ck_assert_int_eq(OTYP_BLK, 0);
	ck_assert_int_eq(OTYP_MNT, 1);
	ck_assert_int_eq(OTYP_CHR, 2);
	ck_assert_int_eq(OTYP_SWP, 3);
	ck_assert_int_eq(OTYP_LYR, 4);
	ck_assert_int_eq(OTYPCNT, 5);
	ck_assert_int_eq(MAXMAJ, L_MAXMAJ);
	ck_assert_int_eq(MAXMIN, L_MAXMIN);
	ck_assert_int_eq(OMAXMAJ, (1 << ONBITSMAJOR) - 1);
	ck_assert_int_eq(OMAXMIN, (1 << ONBITSMINOR) - 1);
	/* the devflag bits are distinct */
	ck_assert_int_eq(D_NEW, 0);
	ck_assert_int_eq(D_OLD | D_DMA | D_SEEKNEG | D_TAPE | D_NOBRKUP |
	    D_INITPUB | D_NOSPECMACDATA | D_RDWEQ | D_MP | D_UPF | D_BLKOFF |
	    D_HOT, D_OLD + D_DMA + D_SEEKNEG + D_TAPE + D_NOBRKUP + D_INITPUB +
	    D_NOSPECMACDATA + D_RDWEQ + D_MP + D_UPF + D_BLKOFF + D_HOT);
	ck_assert_int_eq(D_MP, 0x100);
	ck_assert_int_eq(D_BLKOFF, 0x400);
}
END_TEST

START_TEST(device_number_limits)
{
	ddisim_verify_set_policy(DDISIM_VERIFY_COUNT);
	ck_assert(makedevice(L_MAXMAJ + 1, 0) == NODEV);
	ck_assert(makedevice(0, L_MAXMIN + 1) == NODEV);
	ck_assert_uint_eq(ddisim_verify_count(), 2);
	ck_assert_uint_eq(getmajor(NODEV), L_MAXMAJ);
	ck_assert_uint_eq(getminor(NODEV), L_MAXMIN);
}
END_TEST

/*
 * bcopy, bzero and bcmp are the host's: bcopy copies overlapping areas
 * correctly either way, as memmove does; a count of 0 does nothing.
 */
START_TEST(byte_strings)
{
	static const char orig[] = "0123456789abcdef";
	char buf[16], dst[16];
	size_t none = 0;	/* not a literal 0, which Clang questions */

	memcpy(buf, orig, 16);
	memset(dst, 'x', 16);
	bcopy(buf, dst, 16);			/* from, to: memcpy reversed */
	ck_assert_mem_eq(dst, orig, 16);
	bcopy(buf, buf + 2, 8);			/* overlap, copying up */
	ck_assert_mem_eq(buf, "0101234567abcdef", 16);
	memcpy(buf, orig, 16);
	bcopy(buf + 2, buf, 8);			/* overlap, copying down */
	ck_assert_mem_eq(buf, "2345678989abcdef", 16);
	bcopy(orig, buf, 0);
	ck_assert_mem_eq(buf, "2345678989abcdef", 16);
	bzero(buf + 4, 8);
	ck_assert_mem_eq(buf, "2345\0\0\0\0\0\0\0\0cdef", 16);
	bzero(buf, none);
	ck_assert_int_eq(buf[0], '2');
	bzero(dst, sizeof(dst));
	for (size_t i = 0; i < sizeof(dst); i++)
		ck_assert_int_eq(dst[i], 0);
	/* bcmp does not stop at a NUL. */
	ck_assert_int_eq(bcmp("a\0b", "a\0c", 3) != 0, 1);
	ck_assert_int_eq(bcmp("a\0b", "a\0b", 3), 0);
	ck_assert_int_eq(bcmp("abc", "xyz", 0), 0);
}
END_TEST

/*
 * Misuse, each case twice: under verify=count the report is made once,
 * with its text, and the call goes on as documented; under the default
 * policy it aborts.  cmn_err is called through a pointer, which carries
 * no format attribute, so that a NULL format compiles.
 */
#define NKERN_MISUSE	9

static void
kern_misuse(int which)
{
	void (*ce)(int, const char *, ...) = cmn_err;
	char text[160], pb[256];

	switch (which) {
	case 0:
		ck_assert(makedevice(L_MAXMAJ + 1, 5) == NODEV);
		snprintf(text, sizeof(text), "makedevice: major %u or minor 5 "
		    "out of range (at most %u and %u)", L_MAXMAJ + 1, L_MAXMAJ,
		    L_MAXMIN);
		break;
	case 1:
		ck_assert(makedevice(3, L_MAXMIN + 1) == NODEV);
		snprintf(text, sizeof(text), "makedevice: major 3 or minor %u "
		    "out of range (at most %u and %u)", L_MAXMIN + 1, L_MAXMAJ,
		    L_MAXMIN);
		break;
	case 2:		/* printed as a warning */
		cmn_err(7, "odd %d", 7);
		snprintf(text, sizeof(text), "cmn_err: unknown level 7; "
		    "printed as CE_WARN");
		ck_assert_str_eq(console, "WARNING: odd 7\n");
		break;
	case 3:
		cmn_err(-1, "below");
		snprintf(text, sizeof(text), "cmn_err: unknown level -1; "
		    "printed as CE_WARN");
		ck_assert_str_eq(console, "WARNING: below\n");
		break;
	case 4:		/* nothing printed */
		ce(CE_NOTE, NULL);
		snprintf(text, sizeof(text), "cmn_err: NULL format");
		ck_assert_str_eq(console, "");
		ck_assert_uint_eq(ddisim_putbuf(pb, sizeof(pb)), 0);
		break;
	case 5:		/* no credentials: not privileged */
		ck_assert_int_eq(drv_priv(NULL), EPERM);
		snprintf(text, sizeof(text), "drv_priv: NULL credentials");
		break;
	case 7:		/* nothing copied */
		strcpy(pb, "kept");
		ovbcopy(pb, NULL, 4);
		ck_assert_str_eq(pb, "kept");
		snprintf(text, sizeof(text), "ovbcopy: NULL destination "
		    "address with a count of 4");
		break;
	case 8:
		ck_assert_ptr_null(numtos(5, NULL));
		snprintf(text, sizeof(text), "numtos: NULL string");
		break;
	case 6:		/* not a process: nothing changed */
		ck_assert_int_eq(ddisim_proc_setuid((struct proc *)text, 5),
		    EINVAL);
		snprintf(text, sizeof(text), "ddisim_proc_setuid: %p is not a "
		    "simulated process", (void *)text);
		break;
	}
	ck_assert_uint_eq(ddisim_verify_count(), 1);
	ck_assert_msg(strstr(ddisim_verify_last(), text) != NULL,
	    "report \"%s\" lacks \"%s\"", ddisim_verify_last(), text);
	/* The calls still work. */
	ck_assert_uint_eq(makedevice(3, 5), (3u << L_BITSMINOR) | 5);
	console[0] = '\0';
	cmn_err(CE_NOTE, "fine");
	ck_assert_str_eq(console, "NOTICE: fine\n");
	ck_assert_uint_eq(ddisim_verify_count(), 1);
}

START_TEST(kern_misuse_counted)
{
	ddisim_verify_set_policy(DDISIM_VERIFY_COUNT);
	kern_misuse(_i);
}
END_TEST

START_TEST(kern_misuse_aborts)
{
	kern_misuse(_i);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("kern");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, levels_and_routing);
	tcase_add_test(tc, putbuf_keeps_the_last_64k);
	tcase_add_test(tc, assert_under_debug);
	tcase_add_test(tc, min_max_unsigned);
	tcase_add_test(tc, device_numbers);
	tcase_add_test(tc, byte_strings);
	tcase_add_test(tc, drv_priv_by_user);
	tcase_add_test(tc, header_types_and_constants);
	tcase_add_test(tc, ddi_strings);
	tcase_add_test(tc, numtos_digits);
	tcase_add_test(tc, ovbcopy_overlaps);
	tcase_add_test(tc, ticks_follow_the_clock);
#ifndef UNDER_TSAN
	tcase_add_test(tc, panic_ends_the_process);
#endif
	suite_add_tcase(s, tc);
	tc = tcase_create("limits");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, device_number_limits);
	suite_add_tcase(s, tc);
	tc = tcase_create("misuse");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, panic_counted);
	TCASE_ADD_MISUSE(tc, kern_misuse_counted, kern_misuse_aborts,
	    NKERN_MISUSE);
	if (!nofork()) {
		tcase_add_test_raise_signal(tc, panic_aborts, SIGABRT);
		tcase_add_test_raise_signal(tc, assert_aborts, SIGABRT);
	}
	suite_add_tcase(s, tc);
	return run_suite(s) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
