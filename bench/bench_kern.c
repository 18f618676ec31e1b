/*
 * bench_kern.c - performance figures of the lock and synchronization
 * calls, the hottest entry points a driver makes, each measured side by
 * side with its baseline in one process:
 *
 *   LOCK then UNLOCK of an uncontended basic lock, against
 *   pthread_mutex_lock then pthread_mutex_unlock of a host mutex;
 *   RW_RDLOCK and RW_WRLOCK then RW_UNLOCK of a read/write lock;
 *   SLEEP_LOCK then SLEEP_UNLOCK of a sleep lock;
 *   SV_SIGNAL of a synchronization variable nobody waits on.
 *
 * Every call checks its handle, its level and the lock hierarchy, and
 * records what the context holds; the figures say what that costs on top
 * of the host's own primitive.  Nothing here passes or fails on timing;
 * the exit status is non-zero only when the machine cannot be built or a
 * call is reported as misuse.  Median of 5 repetitions, ours and the
 * baseline alternating.  DDISIM_BENCH_SCALE (default 1) multiplies the
 * number of iterations.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <sys/types.h>
#include <sys/kmem.h>
#include <sys/ksynch.h>
#include <sys/ddi.h>

#include "ddicompat/ddisim.h"

#include "bench_util.h"

#define REPS	5
#define ITERS	1000000UL

static unsigned long iters = ITERS;
static pthread_mutex_t host_mtx = PTHREAD_MUTEX_INITIALIZER;
static lkinfo_t bench_lkinfo = { .lk_name = "bench_lock" };

static lock_t *lk;
static rwlock_t *rw;
static sleep_t *sl;
static sv_t *sv;

static void
run_host(void)
{
	for (unsigned long i = 0; i < iters; i++) {
		pthread_mutex_lock(&host_mtx);
		pthread_mutex_unlock(&host_mtx);
	}
}

static void
run_lock(void)
{
	for (unsigned long i = 0; i < iters; i++) {
		pl_t opl = LOCK(lk, plhi);

		UNLOCK(lk, opl);
	}
}

static void
run_rdlock(void)
{
	for (unsigned long i = 0; i < iters; i++) {
		pl_t opl = RW_RDLOCK(rw, plhi);

		RW_UNLOCK(rw, opl);
	}
}

static void
run_wrlock(void)
{
	for (unsigned long i = 0; i < iters; i++) {
		pl_t opl = RW_WRLOCK(rw, plhi);

		RW_UNLOCK(rw, opl);
	}
}

static void
run_sleep(void)
{
	for (unsigned long i = 0; i < iters; i++) {
		SLEEP_LOCK(sl, primed);
		SLEEP_UNLOCK(sl);
	}
}

static void
run_signal(void)
{
	for (unsigned long i = 0; i < iters; i++)
		SV_SIGNAL(sv, 0);
}

/* Nanoseconds one run of fn takes. */
static uint64_t
time_ns(void (*fn)(void))
{
	uint64_t t0 = now_ns();

	fn();
	return now_ns() - t0;
}

static void
measure(const char *what, void (*ours)(void))
{
	uint64_t a[REPS], b[REPS];
	double ma, mb;

	ours();				/* warm-up */
	run_host();
	for (int r = 0; r < REPS; r++) {
		a[r] = time_ns(ours);
		b[r] = time_ns(run_host);
	}
	ma = (double)median_u64(a, REPS) / (double)iters;
	mb = (double)median_u64(b, REPS) / (double)iters;

	printf("%-34s %8.1f ns   host mutex pair %6.1f ns   ratio %5.2f\n",
	    what, ma, mb, ma / mb);
}

int
main(void)
{
	const char *s = getenv("DDISIM_BENCH_SCALE");

	if (s != NULL && atof(s) > 0)
		iters = (unsigned long)((double)ITERS * atof(s));
	if (iters == 0)
		iters = 1;
	if (ddisim_init("mem=256M") != 0) {
		fprintf(stderr, "bench_kern: %s\n", ddisim_init_error());
		return 1;
	}
	ddisim_verify_set_policy(DDISIM_VERIFY_COUNT);
	lk = LOCK_ALLOC(1, plhi, &bench_lkinfo, KM_SLEEP);
	rw = RW_ALLOC(1, plhi, &bench_lkinfo, KM_SLEEP);
	sl = SLEEP_ALLOC(0, &bench_lkinfo, KM_SLEEP);
	sv = SV_ALLOC(KM_SLEEP);
	if (lk == NULL || rw == NULL || sl == NULL || sv == NULL) {
		fprintf(stderr, "bench_kern: allocation failed\n");
		return 1;
	}
	printf("bench_kern: %lu iterations, median of %d\n", iters, REPS);
	measure("LOCK + UNLOCK", run_lock);
	measure("RW_RDLOCK + RW_UNLOCK", run_rdlock);
	measure("RW_WRLOCK + RW_UNLOCK", run_wrlock);
	measure("SLEEP_LOCK + SLEEP_UNLOCK", run_sleep);
	measure("SV_SIGNAL (no waiter)", run_signal);
	SV_DEALLOC(sv);
	SLEEP_DEALLOC(sl);
	RW_DEALLOC(rw);
	LOCK_DEALLOC(lk);
	if (ddisim_verify_count() != 0) {
		fprintf(stderr, "bench_kern: %lu misuse reports; the last: "
		    "%s\n", ddisim_verify_count(), ddisim_verify_last());
		return 1;
	}
	ddisim_shutdown();
	return 0;
}
