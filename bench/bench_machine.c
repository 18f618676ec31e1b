/*
 * bench_machine.c - how long building an aged machine takes (ddisim_init
 * with frag=), the cost a test suite pays per machine it builds: the
 * default 8 GiB machine aged to frag=0.6 and a 64 GiB machine aged to
 * frag=0.5, each beside its goal, and the unaged machines for reference.
 *
 * Wall time of ddisim_init alone (not ddisim_shutdown), the fastest and
 * the median of REPS builds with seeds 1 to REPS: the fastest is what the
 * code costs, the median what a loaded host gives; and the process's CPU
 * time of the fastest build, which a busy host inflates less.  Nothing here passes
 * or fails on timing; the exit status is non-zero only when a machine
 * cannot be built.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "ddicompat/ddisim.h"

#include "bench_util.h"

#define REPS	7

static uint64_t
cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static const struct {
	const char	*name;
	const char	*spec;
	double		goal_ms;	/* 0: no goal, for reference */
} cases[] = {
	{ "default 8 GiB", DDISIM_DEFAULT_SPEC, 0 },
	{ "default 8 GiB, frag=0.6", DDISIM_DEFAULT_SPEC ",frag=0.6", 20 },
	{ "mem=64G", "mem=64G", 0 },
	{ "mem=64G,frag=0.5", "mem=64G,frag=0.5", 150 },
};

int
main(void)
{
	printf("bench_machine: ddisim_init, fastest and median of %d seeds\n",
	    REPS);
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		uint64_t t[REPS], best = UINT64_MAX, best_cpu = 0;
		char spec[160];

		for (int r = 0; r < REPS; r++) {
			uint64_t t0, c0;

			snprintf(spec, sizeof(spec), "%s,seed=%d",
			    cases[c].spec, r + 1);
			c0 = cpu_ns();
			t0 = now_ns();
			if (ddisim_init(spec) != 0) {
				fprintf(stderr, "bench_machine: %s: %s\n",
				    spec, ddisim_init_error());
				return EXIT_FAILURE;
			}
			t[r] = now_ns() - t0;
			c0 = cpu_ns() - c0;
			ddisim_shutdown();
			if (t[r] < best) {
				best = t[r];
				best_cpu = c0;
			}
		}
		printf("%-24s %7.1f ms (cpu %7.1f)  median %7.1f ms",
		    cases[c].name, best / 1e6, best_cpu / 1e6,
		    median_u64(t, REPS) / 1e6);
		if (cases[c].goal_ms > 0)
			printf("  goal <= %.0f ms", cases[c].goal_ms);
		printf("\n");
	}
	return EXIT_SUCCESS;
}
