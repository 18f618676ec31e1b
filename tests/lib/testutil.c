/*
 * testutil.c - what the Check programs share; see testutil.h.
 */
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <sys/types.h>
#include <sys/kmem.h>

/* The finest page any machine has: translation is linear inside it. */
#define WALK_PAGE	4096u


/* ---- machines and suites ---- */

bool
nofork(void)
{
	const char *s = getenv("CK_FORK");

	return s != NULL && strcmp(s, "no") == 0;
}

void
machine_teardown(void)
{
	if (ddisim_initialized())
		ddisim_shutdown();
	ddisim_verify_reset();
	ddisim_verify_set_policy(DDISIM_VERIFY_ABORT);
}

size_t
leak_report_text(char **text)
{
	size_t len = 0, n;
	FILE *f = open_memstream(text, &len);

	ck_assert_ptr_nonnull(f);
	n = ddisim_leak_report(f);
	ck_assert_int_eq(fclose(f), 0);
	return n;
}

TCase *
tcase_new(const char *name)
{
	TCase *tc = tcase_create(name);

	tcase_add_checked_fixture(tc, NULL, machine_teardown);
	tcase_set_timeout(tc, 600);
	return tc;
}

int
run_suite(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int nf;

	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf;
}

/* ---- property tests ---- */

long
prop_iters(long dflt)
{
	const char *s = getenv("DDISIM_PROP_ITERS");
	long v;

	if (s == NULL || (v = strtol(s, NULL, 10)) <= 0)
		return dflt;
	return v;
}

static uint64_t prop_state = 1;

void
prop_seed(uint64_t seed)
{
	prop_state = seed != 0 ? seed : 1;
}

uint64_t
rnd(void)
{
	prop_state ^= prop_state >> 12;
	prop_state ^= prop_state << 25;
	prop_state ^= prop_state >> 27;
	return prop_state * UINT64_C(2685821657736338717);
}

size_t
rndn(size_t n)
{
	return n == 0 ? 0 : (size_t)(rnd() % n);
}

/* ---- bytes ---- */

void
fill_rnd(void *p, size_t n)
{
	uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)rnd();
}

void
fill_seeded(void *p, size_t n, uint64_t seed)
{
	uint64_t z = seed;
	uint8_t *b = p;

	/* splitmix64: neighbouring seeds give unrelated bytes */
	for (size_t i = 0; i < n; i += 8) {
		uint64_t r;

		z += UINT64_C(0x9e3779b97f4a7c15);
		r = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
		r = (r ^ (r >> 27)) * UINT64_C(0x94d049bb133111eb);
		r ^= r >> 31;
		for (size_t k = 0; k < 8 && i + k < n; k++)
			b[i + k] = (uint8_t)(r >> (8 * k));
	}
}

size_t
first_not(const void *p, size_t n, uint8_t v)
{
	const uint8_t *b = p;
	size_t i = 0;

	while (i < n && b[i] == v)
		i++;
	return i;
}

/* ---- physical requirements ---- */

struct physreq *
preq_new(unsigned dmasize, uint64_t align, uint64_t boundary, unsigned flags,
    unsigned max_scgth)
{
	physreq_t *p = physreq_alloc(KM_SLEEP);

	ck_assert_ptr_nonnull(p);
	p->phys_dmasize = (uchar_t)dmasize;
	p->phys_align = (paddr_t)align;
	p->phys_boundary = (paddr_t)boundary;
	p->phys_flags = (uchar_t)flags;
	p->phys_max_scgth = (uchar_t)max_scgth;
	ck_assert(physreq_prep(p, KM_SLEEP));
	return p;
}

/* One maximal physically contiguous segment, as the walk closes it. */
typedef void (*seg_fn)(uint64_t pa, uint64_t len, size_t i, void *arg);

/*
 * Translate [va, va+len) a page at a time, extending the current segment
 * while each page's address follows the last, and hand every segment to
 * fn once it is closed.  Each step moves to the next page boundary or the
 * end, so the walk ends after at most len / WALK_PAGE + 2 steps; it ends
 * early at the first byte that does not translate.  Returns the bytes
 * translated and stores the segment count.
 */
static size_t
seg_walk(const void *va, size_t len, seg_fn fn, void *arg, size_t *nseg)
{
	const char *c = va;
	uint64_t seg = 0, seglen = 0;
	size_t off = 0, n = 0;

	while (off < len) {
		size_t chunk = WALK_PAGE - ((uintptr_t)(c + off) &
		    (WALK_PAGE - 1));
		uint64_t pa;

		if (chunk > len - off)
			chunk = len - off;
		if (ddisim_vtop(c + off, &pa) != 0)
			break;
		if (seglen > 0 && seg + seglen == pa) {
			seglen += chunk;
		} else {
			if (seglen > 0)
				fn(seg, seglen, n - 1, arg);
			seg = pa;
			seglen = chunk;
			n++;
		}
		off += chunk;
	}
	if (seglen > 0)
		fn(seg, seglen, n - 1, arg);
	*nseg = n;
	return off;
}

static void
span_seg(uint64_t pa, uint64_t len, size_t i, void *arg)
{
	struct phys_span *s = arg;

	if (i == 0 || pa < s->lo)
		s->lo = pa;
	if (i == 0 || pa + len > s->hi)
		s->hi = pa + len;
}

void
phys_span(const void *va, size_t len, struct phys_span *s)
{
	memset(s, 0, sizeof(*s));
	s->mapped = seg_walk(va, len, span_seg, s, &s->nseg);
}

uint64_t
phys_top(const void *va, size_t len, size_t *nseg)
{
	struct phys_span s;

	phys_span(va, len, &s);
	ck_assert_msg(s.mapped == len, "byte %zu of %zu at %p is not "
	    "simulated memory", s.mapped, len, va);
	if (nseg != NULL)
		*nseg = s.nseg;
	return s.hi;
}

struct unmet {
	const physreq_t	*p;
	uint64_t	high;		/* 2^dmasize, or UINT64_MAX */
	char		*why;		/* the first violation, or "" */
	size_t		whylen;
};

static void
unmet_seg(uint64_t pa, uint64_t len, size_t i, void *arg)
{
	struct unmet *u = arg;
	uint64_t align = u->p->phys_align != 0 ? u->p->phys_align : 1;
	uint64_t b = u->p->phys_boundary;

	if (u->why[0] != '\0')
		return;
	if (pa + len > u->high)
		snprintf(u->why, u->whylen, "segment %zu [%#llx, %#llx) "
		    "reaches beyond dmasize %u", i, (unsigned long long)pa,
		    (unsigned long long)(pa + len), u->p->phys_dmasize);
	else if (pa % align != 0)
		snprintf(u->why, u->whylen, "segment %zu at %#llx is not "
		    "aligned to %#llx", i, (unsigned long long)pa,
		    (unsigned long long)align);
	else if (b != 0 && pa / b != (pa + len - 1) / b)
		snprintf(u->why, u->whylen, "segment %zu [%#llx, %#llx) "
		    "crosses a %#llx boundary", i, (unsigned long long)pa,
		    (unsigned long long)(pa + len), (unsigned long long)b);
}

const char *
preq_unmet(const void *va, size_t len, const struct physreq *p, size_t *nseg)
{
	static _Thread_local char why[256];
	struct unmet u = { p, p->phys_dmasize == 0 || p->phys_dmasize >= 64 ?
	    UINT64_MAX : UINT64_C(1) << p->phys_dmasize, why, sizeof(why) };
	size_t n, mapped;

	why[0] = '\0';
	mapped = seg_walk(va, len, unmet_seg, &u, &n);
	if (nseg != NULL)
		*nseg = n;
	if (mapped < len)
		snprintf(why, sizeof(why), "byte %zu of %zu at %p is not "
		    "simulated memory", mapped, len, va);
	else if ((p->phys_flags & PREQ_PHYSCONTIG) && n > 1)
		snprintf(why, sizeof(why), "%zu segments where PREQ_PHYSCONTIG "
		    "wants one", n);
	return why[0] != '\0' ? why : NULL;
}

void *
buf_below(size_t len, unsigned bits, uint64_t align, uint64_t boundary,
    uint64_t *pa)
{
	physreq_t *p = preq_new(bits, align, boundary, PREQ_PHYSCONTIG, 0);
	void *b = kmem_alloc_physreq(len, p, KM_SLEEP);

	physreq_free(p);
	ck_assert_ptr_nonnull(b);
	if (pa != NULL)
		ck_assert_int_eq(ddisim_vtop(b, pa), 0);
	return b;
}

/* ---- child processes ---- */

void
child_start(struct child *c, int (*fn)(void *), void *arg)
{
	int fds[2];

	memset(c, 0, sizeof(*c));
	ck_assert_int_eq(pipe(fds), 0);
	/* nothing buffered before the fork is written twice */
	fflush(stdout);
	fflush(stderr);
	c->pid = fork();
	ck_assert_int_ge(c->pid, 0);
	if (c->pid == 0) {
		close(fds[0]);
		if (dup2(fds[1], STDERR_FILENO) < 0)
			_exit(127);
		close(fds[1]);
		_exit(fn(arg));
	}
	close(fds[1]);
	c->err_fd = fds[0];
}

/*
 * Read the child's standard error to its end, keeping what fits, then
 * reap it.  The end comes when the child exits, since nothing else holds
 * the pipe's write end.
 */
void
child_wait(struct child *c)
{
	char sink[512];
	size_t n = 0;

	for (;;) {
		char *to = n < sizeof(c->err) - 1 ? c->err + n : sink;
		size_t room = n < sizeof(c->err) - 1 ?
		    sizeof(c->err) - 1 - n : sizeof(sink);
		ssize_t r = read(c->err_fd, to, room);

		if (r < 0 && errno == EINTR)
			continue;
		ck_assert_int_ge(r, 0);
		if (r == 0)
			break;
		if (to != sink)
			n += (size_t)r;
	}
	c->err[n] = '\0';
	close(c->err_fd);
	while (waitpid(c->pid, &c->status, 0) < 0)
		ck_assert_int_eq(errno, EINTR);
}

/* ---- the standard error ---- */

static FILE *capture_file;
static int capture_saved = -1;

void
stderr_capture(void)
{
	char discard[1];

	/* a test that failed while capturing left its capture behind */
	if (capture_saved >= 0)
		(void)stderr_release(discard, sizeof(discard));
	fflush(stderr);
	ck_assert_ptr_nonnull(capture_file = tmpfile());
	ck_assert_int_ge(capture_saved = dup(STDERR_FILENO), 0);
	ck_assert_int_ge(dup2(fileno(capture_file), STDERR_FILENO), 0);
}

size_t
stderr_release(char *buf, size_t len)
{
	struct stat st;
	size_t got;

	ck_assert_int_ge(capture_saved, 0);
	fflush(stderr);
	ck_assert_int_ge(dup2(capture_saved, STDERR_FILENO), 0);
	close(capture_saved);
	capture_saved = -1;
	ck_assert_int_eq(fstat(fileno(capture_file), &st), 0);
	rewind(capture_file);
	got = fread(buf, 1, len - 1, capture_file);
	buf[got] = '\0';
	fclose(capture_file);
	capture_file = NULL;
	return (size_t)st.st_size;
}

/* ---- handshakes with other threads ---- */

pid_t
tid_self(void)
{
	return (pid_t)syscall(SYS_gettid);
}

/* Thread tid's state letter from /proc, or 0 if it is gone. */
static char
tid_state(pid_t tid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", (int)tid);
	if ((fd = open(path, O_RDONLY)) < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* "tid (name) S ...": the name may hold spaces and parentheses */
	p = strrchr(buf, ')');
	return p != NULL && p[1] == ' ' ? p[2] : 0;
}

bool
tid_wait_asleep(pid_t tid)
{
	for (;;) {
		char s = tid_state(tid);

		if (s == 'S' || s == 'D')
			return true;
		if (s != 'R')
			return false;	/* exited (Z, X) or gone */
		sched_yield();
	}
}
