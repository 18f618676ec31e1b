/*
 * bench_kmem.c - performance figures of the kmem_alloc family, each measured
 * side by side with its baseline in one process and printed as a ratio.
 *
 * Nothing here passes or fails on timing: machines differ, and a figure is
 * information for whoever reads it.  The exit status is non-zero only when
 * something fails functionally: an allocation that must succeed returns
 * NULL, memory breaks its physreq, a machine cannot be built, or memory is
 * still outstanding when a section shuts its machine down.
 *
 * Method (anchors.md 5.3): CLOCK_MONOTONIC; warm-up rounds first, and
 * before the first figure of the run one whole timing, not shown; a round
 * is 64 allocations then 64 frees, so that the allocator sees a batch
 * outstanding rather than one block bouncing in and out of a cache; every
 * timing is the median of 5 repetitions, ours and the baseline alternating
 * so that drift (frequency scaling, a noisy neighbour) hits both alike.
 * DDISIM_BENCH_SCALE (default 1) multiplies the number of rounds.
 *
 * Every section builds its own machine with ddisim_init and shuts it down,
 * so that no section inherits another's fragmentation or caches.
 *
 * The program is white-box: it reads pool.h and palloc.h for figures the
 * public interface does not give (blocks per slab, metadata size, the bare
 * run search), and links the convenience library libddicore.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jemalloc/jemalloc.h>

#include <sys/types.h>
#include <sys/kmem.h>

#include "ddicompat/ddisim.h"

#include "bench_dpdk.h"
#include "bench_util.h"
#include "kmem/pool.h"
#include "palloc/palloc.h"

#define BATCH		64	/* allocations outstanding per round */
#define REPS		5	/* repetitions; the median is reported */
#define KIB		(UINT64_C(1) << 10)
#define MIB		(UINT64_C(1) << 20)
#define GIB		(UINT64_C(1) << 30)

/* Section machines.  A spec with mem= starts from a flat one-node PC. */
#define SPEC_DEFAULT	DDISIM_DEFAULT_SPEC
#define SPEC_FRAG50	"mem=8G,frag=0.5"
#define SPEC_FRAG90	"mem=8G,frag=0.9"

static double bench_scale = 1.0;
static _Atomic unsigned bench_failures;
static bool dpdk_ok;			/* DPDK's EAL is up */
static char dpdk_why[160];		/* or why not */

/* ---- utilities ---- */

static void
bench_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("bench_kmem: FAIL: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	bench_failures++;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Median of v[0..n); sorts v. */
static double
median(double *v, unsigned n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 != 0 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* A round count scaled by DDISIM_BENCH_SCALE, never below one. */
static unsigned long
scaled(unsigned long base)
{
	double r = (double)base * bench_scale;

	return r < 1 ? 1 : (unsigned long)r;
}

static void
scale_init(void)
{
	const char *s = getenv("DDISIM_BENCH_SCALE");
	char *end;
	double v;

	if (s == NULL || *s == '\0')
		return;
	errno = 0;
	v = strtod(s, &end);
	if (*end != '\0' || errno != 0 || !(v > 0) || v > 1000) {
		fprintf(stderr, "bench_kmem: DDISIM_BENCH_SCALE=\"%s\" is not "
		    "a number in (0, 1000]\n", s);
		exit(2);
	}
	bench_scale = v;
}

/* Resident bytes of the process (statm counts file and shmem pages too). */
static uint64_t
rss_bytes(void)
{
	unsigned long size, resident;
	FILE *f = fopen("/proc/self/statm", "r");
	int n;

	if (f == NULL)
		return 0;
	n = fscanf(f, "%lu %lu", &size, &resident);
	fclose(f);
	return n == 2 ? (uint64_t)resident * (uint64_t)sysconf(_SC_PAGESIZE) :
	    0;
}

/*
 * Anonymous resident bytes only: host-side metadata, without the memfd
 * pages of simulated RAM (those are RssShmem).
 */
static uint64_t
rss_anon_bytes(void)
{
	char line[256];
	unsigned long kb = 0;
	FILE *f = fopen("/proc/self/status", "r");

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "RssAnon: %lu kB", &kb) == 1)
			break;
	fclose(f);
	return (uint64_t)kb * KIB;
}

/* ---- output ---- */

static void
section(const char *title, const char *spec)
{
	printf("\n== %s\n", title);
	if (spec != NULL)
		printf("   machine: %s\n", spec);
	printf("   %-46s %11s %11s %8s  %s\n", "figure", "ours", "baseline",
	    "ratio", "goal");
}

/* One figure: ours, the baseline, ours / baseline, and the goal. */
static void
line(const char *name, double ours, double base, const char *goal)
{
	char ratio[32];

	if (base != 0)
		snprintf(ratio, sizeof(ratio), "%.2fx", ours / base);
	else
		snprintf(ratio, sizeof(ratio), "-");
	printf("   %-46s %11.2f %11.2f %8s  %s\n", name, ours, base, ratio,
	    goal);
}

static void
note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("   . ", stdout);
	vprintf(fmt, ap);
	fputc('\n', stdout);
	va_end(ap);
}

/* ---- machines and physreqs ---- */

static bool
machine_up(const char *spec)
{
	if (ddisim_init(spec) != 0) {
		bench_fail("ddisim_init(\"%s\"): %s", spec,
		    ddisim_init_error());
		return false;
	}
	/* Node 0 for the main thread, whatever CPU it drew before. */
	ddisim_cpu_set(0);
	return true;
}

/* Shut down; memory still held here is a leak in this program or below. */
static void
machine_down(void)
{
	size_t out = ddisim_outstanding();

	if (out != 0)
		bench_fail("%zu bytes outstanding before ddisim_shutdown", out);
	ddisim_shutdown();
}

static physreq_t *
mkpreq(paddr_t align, paddr_t boundary, uchar_t dmasize, uchar_t flags)
{
	physreq_t *p = physreq_alloc(KM_NOSLEEP);

	if (p == NULL) {
		bench_fail("physreq_alloc returned NULL");
		return NULL;
	}
	p->phys_align = align;
	p->phys_boundary = boundary;
	p->phys_dmasize = dmasize;
	p->phys_flags = flags;
	if (!physreq_prep(p, KM_NOSLEEP)) {
		bench_fail("physreq_prep(align %#x, boundary %#x, dmasize %u) "
		    "refused", align, boundary, dmasize);
		physreq_free(p);
		return NULL;
	}
	return p;
}

static void
rmpreq(physreq_t *p)
{
	if (p != NULL)
		physreq_free(p);
}

/*
 * Does [p, p+size) meet the physreq?  Everything below 2^dmasize, the
 * start aligned, one physical extent when the library promises one, and no
 * boundary crossed.
 */
static bool
phys_ok(const void *p, size_t size, const physreq_t *preq)
{
	struct ddisim_seg seg[16];
	uint64_t lim = preq->phys_dmasize == 0 || preq->phys_dmasize >= 64 ?
	    UINT64_MAX : UINT64_C(1) << preq->phys_dmasize;
	uint64_t align = preq->phys_align != 0 ? preq->phys_align : 1;
	size_t n = ddisim_segments(p, size, seg, 16);
	bool contig = (preq->phys_flags & PREQ_PHYSCONTIG) != 0 ||
	    preq->phys_boundary != 0 || size <= 4096;

	if (n == 0 || seg[0].pa % align != 0 || (contig && n != 1))
		return false;
	for (size_t i = 0; i < n && i < 16; i++)
		if (seg[i].pa + seg[i].len - 1 >= lim)
			return false;
	if (preq->phys_boundary != 0 && seg[0].pa / preq->phys_boundary !=
	    (seg[0].pa + size - 1) / preq->phys_boundary)
		return false;
	return true;
}

/* ---- the batch loop ---- */

/*
 * What is timed: ours (a physreq) or a baseline (jemalloc, or DPDK in
 * bench_dpdk.c).  Ours and jemalloc go through the same two functions,
 * so the call overhead is the same; DPDK's loop is the same loop, in its
 * own translation unit.
 */
enum dpdk_kind { NOT_DPDK, DPDK_MALLOC, DPDK_MEMZONE };

struct subject {
	size_t		size;
	physreq_t	*preq;		/* ours; NULL selects a baseline */
	int		kmflags;	/* ours: KM_SLEEP or KM_NOSLEEP */
	int		mxflags;	/* jemalloc: MALLOCX_* */
	enum dpdk_kind	dpdk;		/* DPDK instead of jemalloc */
	unsigned	align;		/* DPDK: alignment */
	unsigned	bound;		/* DPDK_MEMZONE: boundary */
	bool		may_fail;	/* NULL is a result, not a failure */
	unsigned	batch;		/* outstanding per round; 0: BATCH */
	const char	*what;		/* for failure messages */
};

static unsigned
batch_of(const struct subject *s)
{
	return s->batch != 0 && s->batch < BATCH ? s->batch : BATCH;
}

static void *
subj_alloc(const struct subject *s)
{
	if (s->preq != NULL)
		return kmem_alloc_physreq(s->size, s->preq, s->kmflags);
	return mallocx(s->size, s->mxflags);
}

static void
subj_free(const struct subject *s, void *p)
{
	if (s->preq != NULL)
		kmem_free(p, s->size);
	else
		sdallocx(p, s->size, s->mxflags);
}

struct tally {
	unsigned long	attempts;
	unsigned long	ok;
};

/* rounds of n allocations then n frees; returns elapsed ns. */
static uint64_t
run_rounds(const struct subject *s, unsigned long rounds, struct tally *t)
{
	void *p[BATCH];
	unsigned n = batch_of(s);
	unsigned long ok = 0;
	uint64_t t0, t1;

	if (s->dpdk != NOT_DPDK) {
		t1 = s->dpdk == DPDK_MALLOC ? bench_dpdk_malloc_rounds(s->size,
		    s->align, n, rounds, &ok) : bench_dpdk_memzone_rounds(
		    s->size, s->align, s->bound, n, rounds, &ok);
		t0 = 0;
		goto done;
	}
	t0 = now_ns();
	for (unsigned long r = 0; r < rounds; r++) {
		for (unsigned i = 0; i < n; i++)
			p[i] = subj_alloc(s);
		for (unsigned i = 0; i < n; i++)
			if (p[i] != NULL) {
				subj_free(s, p[i]);
				ok++;
			}
	}
	t1 = now_ns();
done:
	if (!s->may_fail && ok != rounds * n)
		bench_fail("%s: %lu of %lu allocations returned NULL",
		    s->what, rounds * n - ok, rounds * n);
	if (t != NULL) {
		t->attempts += rounds * n;
		t->ok += ok;
	}
	return t1 - t0;
}

/* One batch whose placement is checked, before any timing. */
static void
check_subject(const struct subject *s)
{
	void *p[BATCH];
	unsigned n = batch_of(s);

	if (s->preq == NULL)
		return;
	for (unsigned i = 0; i < n; i++) {
		p[i] = subj_alloc(s);
		if (p[i] != NULL && !phys_ok(p[i], s->size, s->preq))
			bench_fail("%s: %p breaks its physreq", s->what, p[i]);
		if (p[i] == NULL && !s->may_fail)
			bench_fail("%s: NULL on the checked batch", s->what);
	}
	for (unsigned i = 0; i < n; i++)
		if (p[i] != NULL)
			subj_free(s, p[i]);
}

/*
 * Median ns per attempt of two subjects, repetitions alternating which one
 * goes first.  Tallies cover the timed repetitions only.
 */
static void
time_two(const struct subject *a, const struct subject *b,
    unsigned long rounds, double *ma, double *mb, struct tally *ta,
    struct tally *tb)
{
	double va[REPS], vb[REPS];
	unsigned long warm = rounds / 10 + 2;

	check_subject(a);
	check_subject(b);
	(void)run_rounds(a, warm, NULL);
	(void)run_rounds(b, warm, NULL);
	for (unsigned r = 0; r < REPS; r++) {
		uint64_t na, nb;

		if (r % 2 == 0) {
			na = run_rounds(a, rounds, ta);
			nb = run_rounds(b, rounds, tb);
		} else {
			nb = run_rounds(b, rounds, tb);
			na = run_rounds(a, rounds, ta);
		}
		va[r] = (double)na / (double)(rounds * batch_of(a));
		vb[r] = (double)nb / (double)(rounds * batch_of(b));
	}
	*ma = median(va, REPS);
	*mb = median(vb, REPS);
}

/*
 * One figure against DPDK: ours and DPDK's subject timed as time_two
 * does, or a note that DPDK was skipped, and why.
 */
static void
dpdk_line(const char *name, const struct subject *ours,
    const struct subject *dp, unsigned long rounds, const char *goal)
{
	struct tally to = { 0 }, tb = { 0 };
	double o, b;

	if (!dpdk_ok) {
		note("DPDK figure skipped (%s): %s", name, dpdk_why);
		return;
	}
	time_two(ours, dp, rounds, &o, &b, &to, &tb);
	line(name, o, b, goal);
	if (tb.ok != tb.attempts)
		note("DPDK: %lu of %lu requests failed", tb.attempts - tb.ok,
		    tb.attempts);
}

/* ---- threads ---- */

struct worker {
	pthread_t		tid;
	const struct subject	*s;
	int			cpu;
	unsigned long		rounds;
	pthread_barrier_t	*go;
	uint64_t		t0, t1;
};

/*
 * Warm up (which also makes this thread's explicit tcaches), then start
 * with the others.  Each thread notes its own start and end: thread
 * creation and exit (tcache destruction) stay outside the measurement.
 */
static void *
worker_main(void *arg)
{
	struct worker *w = arg;

	ddisim_cpu_set(w->cpu);
	(void)run_rounds(w->s, w->rounds / 10 + 2, NULL);
	pthread_barrier_wait(w->go);
	w->t0 = now_ns();
	(void)run_rounds(w->s, w->rounds, NULL);
	w->t1 = now_ns();
	return NULL;
}

/* Aggregate alloc+free pairs per microsecond of nthr (<= 2) threads. */
static double
throughput(const struct subject *s, const int *cpus, unsigned nthr,
    unsigned long rounds)
{
	struct worker w[2];
	pthread_barrier_t go;
	uint64_t start = UINT64_MAX, end = 0;

	pthread_barrier_init(&go, NULL, nthr);
	for (unsigned i = 0; i < nthr; i++) {
		w[i] = (struct worker){ .s = s, .cpu = cpus[i],
		    .rounds = rounds, .go = &go };
		if (pthread_create(&w[i].tid, NULL, worker_main, &w[i]) != 0) {
			bench_fail("pthread_create");
			exit(1);
		}
	}
	for (unsigned i = 0; i < nthr; i++) {
		pthread_join(w[i].tid, NULL);
		if (w[i].t0 < start)
			start = w[i].t0;
		if (w[i].t1 > end)
			end = w[i].t1;
	}
	pthread_barrier_destroy(&go);
	return (double)(nthr * rounds * batch_of(s)) * 1000.0 /
	    (double)(end - start);
}

/* ---- the sections ---- */

/* 1. Small physreq objects against jemalloc's default arena. */
static void
sec_small(void)
{
	static const size_t sizes[] = { 64, 256, 1024, 2048 };
	physreq_t *preq;
	char name[80];

	section("1. small objects: kmem_alloc_physreq+kmem_free vs "
	    "jemalloc mallocx+sdallocx (default arena), ns/pair",
	    SPEC_DEFAULT " (audit=light, the default)");
	if (!machine_up(SPEC_DEFAULT))
		return;
	if ((preq = mkpreq(8, 0, 32, 0)) != NULL) {
		/*
		 * The first figure a process times came out slow in both
		 * columns, by different amounts, run after run, while the
		 * host CPU's clock and caches settled: one whole timing of
		 * the first pair goes before it, and is not shown.
		 */
		{
			struct subject ours = { .size = sizes[0],
			    .preq = preq, .kmflags = KM_SLEEP,
			    .what = "small physreq" };
			struct subject base = { .size = sizes[0],
			    .what = "mallocx" };
			double o, b;

			time_two(&ours, &base, scaled(20000), &o, &b, NULL,
			    NULL);
		}
		for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]);
		    i++) {
			struct subject ours = { .size = sizes[i], .preq = preq,
			    .kmflags = KM_SLEEP, .what = "small physreq" };
			struct subject base = { .size = sizes[i],
			    .what = "mallocx" };
			double o, b;

			time_two(&ours, &base, scaled(20000), &o, &b, NULL,
			    NULL);
			snprintf(name, sizeof(name), "%zu B, align 8, "
			    "dmasize 32", sizes[i]);
			/* the smallest is held to jemalloc's own time */
			line(name, o, b, sizes[i] == 64 ? "<= 1.0x" :
			    "<= 1.5x");
		}
	}
	rmpreq(preq);
	if ((preq = mkpreq(64, 0, 32, 0)) != NULL) {
		struct subject ours = { .size = 256, .preq = preq,
		    .kmflags = KM_SLEEP, .what = "256 B align 64" };
		struct subject dp = { .size = 256, .dpdk = DPDK_MALLOC,
		    .align = 64, .what = "rte_malloc 256" };

		dpdk_line("256 B, align 64 vs DPDK rte_malloc", &ours, &dp,
		    scaled(20000), "<= 1.0x");
	}
	rmpreq(preq);
	machine_down();
}

/* 2. One page, dmasize 32, against jemalloc's page-aligned page. */
static void
sec_page(void)
{
	physreq_t *preq;

	section("2. one page: kmem_alloc_physreq(4096) vs "
	    "mallocx(4096, MALLOCX_ALIGN(4096)), ns/pair", SPEC_DEFAULT);
	if (!machine_up(SPEC_DEFAULT))
		return;
	if ((preq = mkpreq(4096, 0, 32, 0)) != NULL) {
		struct subject ours = { .size = 4096, .preq = preq,
		    .kmflags = KM_SLEEP, .what = "one page" };
		struct subject base = { .size = 4096,
		    .mxflags = MALLOCX_ALIGN(4096), .what = "mallocx page" };
		struct subject dp = { .size = 4096, .dpdk = DPDK_MALLOC,
		    .align = 4096, .what = "rte_malloc page" };
		double o, b;

		time_two(&ours, &base, scaled(10000), &o, &b, NULL, NULL);
		line("4096 B, align 4096, dmasize 32", o, b, "<= 0.5x");
		dpdk_line("same vs DPDK rte_malloc(4096, align 4096)", &ours,
		    &dp, scaled(10000), "<= 0.5x");
	}
	rmpreq(preq);
	machine_down();
}

/*
 * Aligned 16-page blocks below 16 MiB that are wholly free now: what an
 * exhaustive search of the bitmap could hand out, the oracle for the
 * constrained request of section 3.  No section sets page=, so pages are
 * 4 KiB.
 */
static unsigned
isa_free_64k_blocks(void)
{
	unsigned n = 0;

	for (uint64_t b = 0; b < (16 * MIB) / 4096; b += 16) {
		uint64_t i;

		for (i = 0; i < 16 && palloc_test_free_bit(b + i); i++)
			;
		n += i == 16;
	}
	return n;
}

/* 3. 64 KiB contiguous under ISA constraints on aged memory. */
static void
sec_contig(void)
{
	physreq_t *con, *unc;
	unsigned avail;

	section("3. 64 KiB contiguous: align 64K, boundary 64K, dmasize 24, "
	    "PREQ_PHYSCONTIG vs unconstrained 64 KiB, KM_NOSLEEP", SPEC_FRAG50);
	if (!machine_up(SPEC_FRAG50))
		return;
	con = mkpreq(64 * KIB, 64 * KIB, 24, PREQ_PHYSCONTIG);
	unc = mkpreq(1, 0, 0, 0);
	if (con != NULL && unc != NULL) {
		struct subject ours = { .size = 64 * KIB, .preq = con,
		    .kmflags = KM_NOSLEEP, .may_fail = true,
		    .what = "64K constrained" };
		struct subject base = { .size = 64 * KIB, .preq = unc,
		    .kmflags = KM_NOSLEEP, .what = "64K unconstrained" };
		struct tally to = { 0 };
		double o, b, rate, oracle;

		avail = isa_free_64k_blocks();
		time_two(&ours, &base, scaled(2000), &o, &b, &to, NULL);
		line("64 KiB constrained, ns/attempt", o, b, "<= 3x");
		rate = 100.0 * (double)to.ok / (double)to.attempts;
		oracle = 100.0 * (avail < BATCH ? avail : BATCH) / BATCH;
		line("constrained success rate, % (vs bitmap oracle)", rate,
		    oracle, "100% of oracle");
		note("%lu of %lu constrained attempts succeeded; %u aligned "
		    "free 64 KiB blocks below 16 MiB", to.ok, to.attempts,
		    avail);

		/*
		 * The goal is for requests a suitable block exists for
		 * (anchors.md section 8): when the zone holds fewer blocks
		 * than a batch, time again with batches of what it holds,
		 * both sides alike, so that only successful searches count.
		 */
		if (avail > 0 && avail < BATCH) {
			char name[80];

			ours.batch = base.batch = avail;
			to = (struct tally){ 0 };
			time_two(&ours, &base, scaled(2000), &o, &b, &to,
			    NULL);
			snprintf(name, sizeof(name), "same, batches of %u "
			    "(all satisfiable), ns/pair", avail);
			line(name, o, b, "<= 3x");
			if (to.ok != to.attempts)
				note("%lu of %lu satisfiable requests failed",
				    to.attempts - to.ok, to.attempts);
		}
		/* DPDK's bounded zone, in batches of the same size. */
		{
			struct subject dp = { .size = 64 * KIB,
			    .dpdk = DPDK_MEMZONE, .align = 64 * KIB,
			    .bound = 64 * KIB, .batch = ours.batch,
			    .what = "rte_memzone_reserve_bounded" };

			dpdk_line("same vs DPDK rte_memzone_reserve_bounded",
			    &ours, &dp, scaled(2000), "<= 1.0x");
		}
	}
	rmpreq(con);
	rmpreq(unc);
	machine_down();
}

/* RAM bytes below lim, from the machine description. */
static uint64_t
ram_below(uint64_t lim)
{
	struct ddisim_info di;
	uint64_t n = 0;

	ddisim_info(&di);
	for (unsigned i = 0; i < di.nranges; i++) {
		const struct ddisim_range *r = &di.range[i];

		if (r->node < 0 || r->start >= lim)
			continue;
		n += (r->end < lim ? r->end : lim) - r->start;
	}
	return n;
}

/*
 * A run length, at least the request's, that no free run reaches anywhere
 * in RAM; 0 if even all of RAM is free in one run.
 */
static uint64_t
impossible_run(uint64_t from, uint64_t npfn)
{
	uint64_t pfn;

	for (uint64_t n = from; n < npfn; n *= 2)
		if (!palloc_find_run(0, npfn, n, 1, 0, &pfn))
			return n;
	return 0;
}

/* Maximal free runs in all RAM: what the search's cost grows with. */
static uint64_t
free_runs(void)
{
	struct ddisim_info di;
	uint64_t hist[DDISIM_HIST_BUCKETS], n = 0;

	ddisim_info(&di);
	for (int nd = 0; nd < di.nodes; nd++)
		for (int z = 0; z < DDISIM_ZONES; z++)
			if (ddisim_free_histogram(nd, z, hist) == 0)
				for (int k = 0; k < DDISIM_HIST_BUCKETS; k++)
					n += hist[k];
	return n;
}

/* 4. The cost of a request that cannot be met, per GiB searched. */
static void
sec_fail(void)
{
	physreq_t *preq;
	void **held = NULL;
	size_t nheld = 0, cap = 0, size;
	struct ddisim_info di;

	section("4. a request that cannot be met: 256 pages contiguous, "
	    "dmasize 32, KM_NOSLEEP", SPEC_FRAG90);
	if (!machine_up(SPEC_FRAG90))
		return;
	ddisim_info(&di);
	size = 256 * di.page;
	if ((preq = mkpreq(1, 0, 32, PREQ_PHYSCONTIG)) != NULL) {
		double us[REPS], fr[REPS], win = (double)ram_below(
		    UINT64_C(1) << 32) / (double)GIB;
		double all = (double)di.mem / (double)GIB, req, run;
		uint64_t npfn = di.top / di.page, n, pfn;
		unsigned long k = scaled(50);

		/*
		 * Take every run that could satisfy the request first, so
		 * that the timed ones fail whatever the aging left.
		 */
		for (;;) {
			void *p = kmem_alloc_physreq(size, preq, KM_NOSLEEP);

			if (p == NULL)
				break;
			if (nheld == cap) {
				cap = cap ? cap * 2 : 64;
				held = realloc(held, cap * sizeof(*held));
				if (held == NULL) {
					bench_fail("realloc");
					exit(1);
				}
			}
			held[nheld++] = p;
		}
		n = impossible_run(256, npfn);
		for (unsigned r = 0; r < REPS; r++) {
			uint64_t t0 = now_ns();

			for (unsigned long i = 0; i < k; i++) {
				void *p = kmem_alloc_physreq(size, preq,
				    KM_NOSLEEP);

				if (p != NULL) {
					bench_fail("256-page request met "
					    "after every such run was taken");
					kmem_free(p, size);
				}
			}
			us[r] = (double)(now_ns() - t0) / 1000.0 / (double)k;
			t0 = now_ns();
			for (unsigned long i = 0; i < k && n != 0; i++)
				if (palloc_find_run(0, npfn, n, 1, 0, &pfn))
					bench_fail("palloc_find_run found a "
					    "run of %llu pages",
					    (unsigned long long)n);
			fr[r] = (double)(now_ns() - t0) / 1000.0 / (double)k;
		}
		req = median(us, REPS);
		run = median(fr, REPS);
		line("failing kmem request, us/GiB of window", req / win,
		    run / all, "<= 50 us/GiB");
		if (n != 0)
			line("palloc_find_run, all RAM, us/GiB", run / all, 50,
			    "<= 50 us/GiB (baseline: budget)");
		else
			bench_fail("no impossible run length below %llu pages",
			    (unsigned long long)npfn);
		note("failing request: %.1f us over a %.2f GiB window; "
		    "find_run of %llu pages: %.1f us over %.2f GiB", req, win,
		    (unsigned long long)n, run, all);
		note("%zu runs of 256 pages were taken first; %llu free runs "
		    "in RAM; baseline of the first line: palloc_find_run",
		    nheld, (unsigned long long)free_runs());
		for (size_t i = 0; i < nheld; i++)
			kmem_free(held[i], size);
		free(held);
	}
	rmpreq(preq);
	machine_down();
}

/*
 * Linux dma_pool's layout (mm/dmapool.c since 6.4): the size rounded up to
 * the alignment, 16 bytes at least, blocks laid out in an allocation of
 * max(size, PAGE_SIZE) and moved up to the next multiple of boundary
 * rather than cross it.
 */
static unsigned
dmapool_blocks(size_t size, size_t align, size_t boundary, size_t page)
{
	size_t alloc, off = 0, next;
	unsigned n = 0;

	if (size < 16)
		size = 16;
	size = (size + align - 1) & ~(align - 1);
	alloc = size > page ? size : page;
	next = boundary;
	while (off + size <= alloc) {
		if (next - off < size) {
			off = next;
			next += boundary;
			continue;
		}
		n++;
		off += size;
	}
	return n;
}

/* 5. Packing of 68-byte objects that must not cross 4 KiB. */
static void
sec_density(void)
{
	enum { NOBJ = 10000 };
	physreq_t *preq;
	unsigned dma;

	section("5. packing density: 68-byte objects, 4 KiB boundary, "
	    "blocks per page vs Linux dma_pool", SPEC_DEFAULT);
	if (!machine_up(SPEC_DEFAULT))
		return;
	dma = dmapool_blocks(68, 4, 4096, 4096);
	line("pool_blocks_per_slab(68, 4, 4096)",
	    pool_blocks_per_slab(68, 4, 4096), dma, ">= 1.0x");
	if ((preq = mkpreq(4, 4096, 32, 0)) != NULL) {
		void **p = calloc(NOBJ, sizeof(*p));
		uint64_t *pg = calloc(NOBJ, sizeof(*pg));
		unsigned got = 0, pages = 0;

		if (p == NULL || pg == NULL) {
			bench_fail("calloc");
			exit(1);
		}
		for (unsigned i = 0; i < NOBJ; i++) {
			uint64_t pa = 0;

			p[i] = kmem_alloc_physreq(68, preq, KM_NOSLEEP);
			if (p[i] == NULL)
				continue;
			if (!phys_ok(p[i], 68, preq) ||
			    ddisim_vtop(p[i], &pa) != 0)
				bench_fail("68-byte object %p breaks its "
				    "physreq", p[i]);
			pg[got++] = pa >> 12;	/* 4 KiB pages */
		}
		if (got != NOBJ)
			bench_fail("%u of %u 68-byte allocations returned "
			    "NULL", NOBJ - got, NOBJ);
		qsort(pg, got, sizeof(*pg), cmp_u64);
		for (unsigned i = 0; i < got; i++)
			pages += i == 0 || pg[i] != pg[i - 1];
		if (pages > 0)
			line("kmem_alloc_physreq 68 B x 10000, objs/page",
			    (double)got / pages, dma, ">= 1.0x");
		note("%u objects on %u distinct pages; dma_pool: %u blocks "
		    "of 68 B per page", got, pages, dma);
		for (unsigned i = 0; i < NOBJ; i++)
			if (p[i] != NULL)
				kmem_free(p[i], 68);
		free(p);
		free(pg);
	}
	rmpreq(preq);
	machine_down();
}

/* 6. Building a 64 GiB machine: time and resident memory. */
static void
sec_bigmachine(void)
{
	static const char *const spec[][2] = {
		{ "mem=64G", "mem=8G" },
		{ "mem=64G,frag=0.5", "mem=8G,frag=0.5" },
	};
	char name[80];

	section("6. machine start: ddisim_init+ddisim_shutdown (ms) and RSS "
	    "growth at init (MiB)", "mem=64G and mem=64G,frag=0.5; "
	    "baselines mem=8G and mem=8G,frag=0.5");
	for (unsigned s = 0; s < 2; s++) {
		double t[2][REPS], rss[2][REPS], meta = 0;

		for (unsigned r = 0; r < REPS; r++)
			for (unsigned j = 0; j < 2; j++) {
				/* Alternate which size goes first. */
				unsigned m = (r % 2) ^ j;
				uint64_t r0, t0, t1, t2;

				r0 = rss_bytes();
				t0 = now_ns();
				if (!machine_up(spec[s][m]))
					return;
				t1 = now_ns();
				rss[m][r] = ((double)rss_bytes() -
				    (double)r0) / (double)MIB;
				if (m == 0)
					meta = (double)palloc_meta_bytes() /
					    (double)MIB;
				t2 = now_ns();
				machine_down();
				t[m][r] = (double)(t1 - t0 + now_ns() - t2) /
				    1e6;
			}
		snprintf(name, sizeof(name), "%s start+stop, ms", spec[s][0]);
		line(name, median(t[0], REPS), median(t[1], REPS),
		    "report (8x = linear in RAM)");
		snprintf(name, sizeof(name), "%s RSS at init, MiB", spec[s][0]);
		line(name, median(rss[0], REPS), median(rss[1], REPS),
		    "report (8x = linear in RAM)");
		note("palloc metadata mapped for %s: %.1f MiB (touched only "
		    "where used)", spec[s][0], meta);
	}
}

/* 7. Page-allocator metadata per page, and what small objects cost. */
static void
sec_meta(void)
{
	enum { NOBJ = 16384 };
	struct ddisim_info di;
	physreq_t *preq;
	double per;

	section("7. metadata bytes per page", SPEC_DEFAULT);
	if (!machine_up(SPEC_DEFAULT))
		return;
	ddisim_info(&di);
	per = (double)palloc_meta_bytes() / (double)(di.top / di.page);
	line("palloc_meta_bytes / pages, B/page (vs Linux)", per, 64,
	    "<= 16 B/page (0.25x)");

	/*
	 * Host memory behind pages of small objects, measured: anonymous RSS
	 * growth (records, shadow, jemalloc metadata) per page of simulated
	 * RAM the objects occupy.  Objects are written, as a driver would.
	 */
	if ((preq = mkpreq(8, 0, 32, 0)) != NULL) {
		void **p = calloc(NOBJ, sizeof(*p));
		uint64_t *pg = calloc(NOBJ, sizeof(*pg)), a0, a1;
		unsigned got = 0, pages = 0;

		if (p == NULL || pg == NULL) {
			bench_fail("calloc");
			exit(1);
		}
		a0 = rss_anon_bytes();
		for (unsigned i = 0; i < NOBJ; i++) {
			if ((p[i] = kmem_alloc_physreq(256, preq,
			    KM_SLEEP)) == NULL) {
				bench_fail("256-byte allocation returned NULL");
				continue;
			}
			memset(p[i], 0xa5, 256);
		}
		a1 = rss_anon_bytes();
		for (unsigned i = 0; i < NOBJ; i++) {
			uint64_t pa;

			if (p[i] != NULL && ddisim_vtop(p[i], &pa) == 0)
				pg[got++] = pa / di.page;
		}
		qsort(pg, got, sizeof(*pg), cmp_u64);
		for (unsigned i = 0; i < got; i++)
			pages += i == 0 || pg[i] != pg[i - 1];
		if (pages > 0)
			line("host anon RSS per page of 256 B objects, B/page",
			    (double)(a1 > a0 ? a1 - a0 : 0) / pages, 64,
			    "report (vs Linux struct page)");
		note("%u objects of 256 B on %u pages; anon RSS grew %.1f MiB",
		    got, pages, (double)(a1 > a0 ? a1 - a0 : 0) / (double)MIB);
		for (unsigned i = 0; i < NOBJ; i++)
			if (p[i] != NULL)
				kmem_free(p[i], 256);
		free(p);
		free(pg);
	}
	rmpreq(preq);
	machine_down();
}

/* 8. Two threads on CPUs of different nodes against one thread. */
static void
sec_threads(void)
{
	static const int cpu0[] = { 0 }, cpu2[] = { 2 }, both[] = { 0, 2 };
	physreq_t *preq;

	section("8. scaling: 256 B small-object benchmark, 2 threads (cpus 0 "
	    "and 2) vs 1, pairs/us", SPEC_DEFAULT);
	if (!machine_up(SPEC_DEFAULT))
		return;
	if ((preq = mkpreq(8, 0, 32, 0)) != NULL) {
		struct subject ours = { .size = 256, .preq = preq,
		    .kmflags = KM_SLEEP, .what = "256 B physreq" };
		struct subject base = { .size = 256, .what = "mallocx 256" };
		/* What is run, on which CPUs, by how many threads. */
		const struct {
			const struct subject	*s;
			const int		*cpus;
			unsigned		nthr;
		} run[] = {
			{ &ours, cpu0, 1 }, { &ours, both, 2 },
			{ &base, cpu0, 1 }, { &base, both, 2 },
			{ &ours, cpu2, 1 },
		};
		enum { NRUN = sizeof(run) / sizeof(run[0]) };
		double t[NRUN][REPS], m[NRUN];
		unsigned long rounds = scaled(20000);

		/* Reverse the order on odd repetitions, against drift. */
		for (unsigned r = 0; r < REPS; r++)
			for (unsigned k = 0; k < NRUN; k++) {
				unsigned i = r % 2 == 0 ? k : NRUN - 1 - k;

				t[i][r] = throughput(run[i].s, run[i].cpus,
				    run[i].nthr, rounds);
			}
		for (unsigned i = 0; i < NRUN; i++)
			m[i] = median(t[i], REPS);
		line("kmem 2 threads vs 1, pairs/us", m[1], m[0], ">= 1.6x");
		line("jemalloc 2 threads vs 1 (what the host gives)", m[3],
		    m[2], "reference");
		line("kmem 1 thread on cpu 2 (node 1) vs cpu 0", m[4], m[0],
		    "reference");
		note("%ld online CPUs on the host",
		    sysconf(_SC_NPROCESSORS_ONLN));
	}
	rmpreq(preq);
	machine_down();
}

int
main(void)
{
	const char *ver = "?";
	size_t sz = sizeof(ver);
	uint64_t t0 = now_ns();

	scale_init();
	(void)mallctl("version", &ver, &sz, NULL, 0);
	dpdk_ok = bench_dpdk_init(dpdk_why, sizeof(dpdk_why));
	/* Line-buffered: progress shows even when output is piped. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("bench_kmem: DDISIM_BENCH_SCALE=%g, jemalloc %s, %ld CPUs; "
	    "median of %d, batches of %d\n", bench_scale, ver,
	    sysconf(_SC_NPROCESSORS_ONLN), REPS, BATCH);
	if (dpdk_ok)
		printf("bench_kmem: %s beside, EAL --no-huge --no-pci "
		    "--no-shconf, one lcore, -m 128\n", bench_dpdk_version());
	else
		printf("bench_kmem: DPDK figures skipped: %s\n", dpdk_why);
	sec_small();
	sec_page();
	sec_contig();
	sec_fail();
	sec_density();
	sec_bigmachine();
	sec_meta();
	sec_threads();
	printf("\nbench_kmem: %.1f s, %u functional failure%s\n",
	    (double)(now_ns() - t0) / 1e9, (unsigned)bench_failures,
	    bench_failures == 1 ? "" : "s");
	return bench_failures != 0;
}
