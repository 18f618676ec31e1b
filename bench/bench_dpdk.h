/*
 * bench_dpdk.h - DPDK's allocators as a baseline of bench_kmem, in a
 * translation unit of their own: DPDK's headers are compiled with their
 * own flags (as system headers), so that their warnings never meet the
 * project's -Werror, and bench_kmem.c sees only these declarations.
 *
 * Without DPDK (configure found no libdpdk) bench_dpdk_init says why and
 * fails, and the program prints no DPDK figure.
 */
#ifndef BENCH_DPDK_H
#define BENCH_DPDK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Start DPDK's EAL once for the process: no huge pages, no PCI, no shared
 * configuration, one lcore, a little memory.  The calling thread's CPU
 * affinity is restored afterwards (the EAL pins its main lcore).  False,
 * with the reason in why, when DPDK is absent or will not start.
 */
bool	bench_dpdk_init(char *why, size_t whylen);
/* "DPDK 22.11.x", or NULL before a successful bench_dpdk_init. */
const char *bench_dpdk_version(void);

/*
 * rounds of n rte_malloc(size, align) then n rte_free, n <= 64; returns
 * elapsed ns and adds the successful allocations to *ok.
 */
uint64_t bench_dpdk_malloc_rounds(size_t size, unsigned align, unsigned n,
	    unsigned long rounds, unsigned long *ok);
/*
 * The same with rte_memzone_reserve_bounded(len, align, bound) and
 * rte_memzone_free, names made before the clock starts.
 */
uint64_t bench_dpdk_memzone_rounds(size_t len, unsigned align,
	    unsigned bound, unsigned n, unsigned long rounds,
	    unsigned long *ok);

#endif /* !BENCH_DPDK_H */
