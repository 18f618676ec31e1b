/*
 * bench_dpdk.c - DPDK's rte_malloc and rte_memzone_reserve_bounded for
 * bench_kmem (see bench_dpdk.h).  Built with DPDK's own flags; when
 * configure finds no libdpdk, only the stubs at the end are built.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "bench_dpdk.h"
#include "bench_util.h"

#define DPDK_BATCH	64

#ifdef HAVE_DPDK
#include <pthread.h>
#include <sched.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_memzone.h>
#include <rte_version.h>

static bool dpdk_up;

bool
bench_dpdk_init(char *why, size_t whylen)
{
	/*
	 * --in-memory is what DPDK documents for a process without shared
	 * files, but DPDK 22.11 refuses it with --no-huge (which runs in
	 * legacy memory mode); --no-shconf is the part of it that applies.
	 */
	char *argv[] = { "bench_kmem", "--no-huge", "--no-pci",
	    "--no-shconf", "--no-telemetry", "-l", "0", "-m", "128",
	    "--log-level=error", "--file-prefix=ddicompat-bench", NULL };
	cpu_set_t saved;
	bool have_aff;
	int r;

	have_aff = sched_getaffinity(0, sizeof(saved), &saved) == 0;
	r = rte_eal_init((int)(sizeof(argv) / sizeof(argv[0])) - 1, argv);
	if (have_aff)
		(void)sched_setaffinity(0, sizeof(saved), &saved);
	if (r < 0) {
		snprintf(why, whylen, "rte_eal_init failed: %s",
		    rte_strerror(rte_errno));
		return false;
	}
	dpdk_up = true;
	return true;
}

const char *
bench_dpdk_version(void)
{
	return dpdk_up ? rte_version() : NULL;
}

uint64_t
bench_dpdk_malloc_rounds(size_t size, unsigned align, unsigned n,
    unsigned long rounds, unsigned long *ok)
{
	void *p[DPDK_BATCH];
	unsigned long got = 0;
	uint64_t t0, t1;

	if (n > DPDK_BATCH)
		n = DPDK_BATCH;
	t0 = now_ns();
	for (unsigned long r = 0; r < rounds; r++) {
		for (unsigned i = 0; i < n; i++)
			p[i] = rte_malloc(NULL, size, align);
		for (unsigned i = 0; i < n; i++)
			if (p[i] != NULL) {
				rte_free(p[i]);
				got++;
			}
	}
	t1 = now_ns();
	*ok += got;
	return t1 - t0;
}

uint64_t
bench_dpdk_memzone_rounds(size_t len, unsigned align, unsigned bound,
    unsigned n, unsigned long rounds, unsigned long *ok)
{
	const struct rte_memzone *mz[DPDK_BATCH];
	char name[DPDK_BATCH][RTE_MEMZONE_NAMESIZE];
	unsigned long got = 0;
	uint64_t t0, t1;

	if (n > DPDK_BATCH)
		n = DPDK_BATCH;
	for (unsigned i = 0; i < n; i++)
		snprintf(name[i], sizeof(name[i]), "bench%u", i);
	t0 = now_ns();
	for (unsigned long r = 0; r < rounds; r++) {
		for (unsigned i = 0; i < n; i++)
			mz[i] = rte_memzone_reserve_bounded(name[i], len,
			    SOCKET_ID_ANY, 0, align, bound);
		for (unsigned i = 0; i < n; i++)
			if (mz[i] != NULL) {
				rte_memzone_free(mz[i]);
				got++;
			}
	}
	t1 = now_ns();
	*ok += got;
	return t1 - t0;
}

#else /* !HAVE_DPDK */

bool
bench_dpdk_init(char *why, size_t whylen)
{
	snprintf(why, whylen, "configure found no DPDK (pkg-config libdpdk; "
	    "Debian: libdpdk-dev)");
	return false;
}

const char *
bench_dpdk_version(void)
{
	return NULL;
}

uint64_t
bench_dpdk_malloc_rounds(size_t size, unsigned align, unsigned n,
    unsigned long rounds, unsigned long *ok)
{
	return 0;
}

uint64_t
bench_dpdk_memzone_rounds(size_t len, unsigned align, unsigned bound,
    unsigned n, unsigned long rounds, unsigned long *ok)
{
	return 0;
}

#endif /* HAVE_DPDK */
