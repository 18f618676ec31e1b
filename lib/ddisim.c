/*
 * ddisim.c - the control API: build and tear down the simulated machine.
 *
 * This file sits above every layer and is the only one that names them all:
 * it builds them bottom-up in ddisim_init and tears them down top-down in
 * ddisim_shutdown.
 */
#include "config.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ddicompat/ddisim.h"
#include "devsim/devsim.h"
#include "host/host.h"
#include "iomem/iomem.h"
#include "isadma/isadma.h"
#include "kern/ctx.h"
#include "kern/handle.h"
#include "kern/kern.h"
#include "kmem/kmem.h"
#include "machine/entry.h"
#include "machine/machine.h"
#include "palloc/palloc.h"
#include "streams/streams.h"
#include "verify/verify.h"
#include "verify/wait.h"
#include "proc/proc.h"
#include "rm/rm.h"
#include "vm/vm.h"

static char ddisim_err[512];
static uint64_t ddisim_generation;

/* The memory layers and the RAM, in the reverse of their building. */
static void
ddisim_unbuild(struct machine *m)
{
	vm_fini();
	palloc_fini();
	machine_ram_destroy(m);
	__atomic_store_n(&machine, NULL, __ATOMIC_RELEASE);
	machine_entry_update();
	free(m->seg_of_chunk);
	free(m);
}

static int
ddisim_build(const char *spec)
{
	struct machine *m;
	int error;

	/* its first line holds the hot fields (machine.h) */
	m = aligned_alloc(64, (sizeof(*m) + 63) & ~(size_t)63);
	if (m == NULL)
		return ENOMEM;
	memset(m, 0, sizeof(*m));
	m->memfd = -1;
	error = machine_spec_parse(spec, &m->spec, ddisim_err,
	    sizeof(ddisim_err));
	if (error == 0)
		error = machine_layout(m, ddisim_err, sizeof(ddisim_err));
	if (error == 0)
		error = machine_ram_create(m, ddisim_err, sizeof(ddisim_err));
	if (error != 0) {
		free(m->seg_of_chunk);
		free(m);
		return error;
	}
	m->generation = ++ddisim_generation;
	__atomic_store_n(&machine, m, __ATOMIC_RELEASE);
	machine_entry_update();
	if ((error = palloc_init()) != 0 ||
	    (error = palloc_age(m->spec.frag, m->spec.seed)) != 0 ||
	    (error = vm_init()) != 0 || (error = kmem_init()) != 0) {
		snprintf(ddisim_err, sizeof(ddisim_err), "mem: cannot set up "
		    "the machine's metadata: %s", strerror(error));
		ddisim_unbuild(m);
		return error;
	}
	/* the policy belongs to the process; a spec may choose one */
	if (m->spec.verify_given)
		verify_set_policy(m->spec.verify);
	/* and so do explanations, from the machine's first request */
	if (m->spec.explain_given)
		atomic_store(&kmem_explain_mode, m->spec.explain);
	vwait_set_limit(m->spec.sleeplimit_ms);
	kern_init();
	intr_init();
	clock_init();
	rm_init();
	misc_init();
	/* the PC's DMA controller is on its ports from the start */
	if (m->spec.isadma)
		VERIFY(i8237_attach() == 0);	/* a new machine's are free */
	return 0;
}

/*
 * Which entry point built the running machine, and its caller; NULL when
 * ddisim_init built it.  Guarded by the machine's init lock.
 */
static const char *boot_entry;
static const void *boot_caller;

DDI_CONTROL(int, ddisim_init, (const char *spec), (spec))
{
	pthread_mutex_t *lk = machine_init_lock();
	char where[128];
	int error;

	pthread_mutex_lock(lk);
	ddisim_err[0] = '\0';
	if (machine == NULL) {
		error = ddisim_build(spec);
		boot_entry = NULL;
	} else if (boot_entry != NULL) {
		verify_symbolize(boot_caller, where, sizeof(where));
		snprintf(ddisim_err, sizeof(ddisim_err), "the default machine "
		    "was already built by the first DDI call, %s (called "
		    "from %s); call ddisim_init before any other DDI call, "
		    "or ddisim_shutdown first", boot_entry, where);
		error = EBUSY;
	} else {
		snprintf(ddisim_err, sizeof(ddisim_err), "a machine is "
		    "already running; call ddisim_shutdown first");
		error = EBUSY;
	}
	pthread_mutex_unlock(lk);
	if (error == EBUSY)
		fprintf(stderr, "ddicompat: ddisim_init: %s\n", ddisim_err);
	return error;
}

DDI_CONTROL0(const char *, ddisim_init_error)
{
	return ddisim_err;
}

/*
 * The first entry point called without ddisim_init builds the machine
 * here, from $DDISIM_MACHINE or the default; machine_boot holds the init
 * lock.
 */
static int
ddisim_boot(const char *fn, const void *caller, char *err, size_t errlen)
{
	const char *spec = getenv("DDISIM_MACHINE");
	int error;

	error = ddisim_build(spec);
	if (error != 0) {
		snprintf(err, errlen, "DDISIM_MACHINE=\"%s\": %s",
		    spec != NULL ? spec : "", ddisim_err);
		return error;
	}
	boot_entry = fn;
	boot_caller = caller;
	return 0;
}

static void __attribute__((constructor))
ddisim_boot_install(void)
{
	machine_boot_register(ddisim_boot);
}

DDI_CONTROL0_VOID(ddisim_shutdown)
{
	pthread_mutex_t *lk = machine_init_lock();
	struct machine *m;

	pthread_mutex_lock(lk);
	m = machine;
	if (m != NULL) {
		(void)leaks_kern(stderr);
		host_fini();
		devsim_fini();
		isadma_fini();
		i8237_fini();
		mod_fini();
		drv_fini();
		rm_fini();
		iomem_fini();
		streams_fini();
		proc_fini();
		kthread_fini();
		callback_fini();
		boot_fini();
		ifstats_fini();
		clock_fini();
		intr_fini();
		pio_fini();
		kern_fini();
		kmem_leak_report(stderr);
		kmem_fini();
		ddisim_unbuild(m);
	}
	pthread_mutex_unlock(lk);
}

DDI_CONTROL0(int, ddisim_initialized)
{
	return machine != NULL;
}

DDI_ENTRY(int, ddisim_vtop, (const void *va, uint64_t *pa), (va, pa))
{
	uint64_t dummy;

	return vm_vtop(va, pa != NULL ? pa : &dummy);
}

DDI_ENTRY(void *, ddisim_ptov, (uint64_t pa), (pa))
{
	return vm_ptov(pa);
}

DDI_CONTROL0(size_t, ddisim_outstanding)
{
	return machine != NULL ? kmem_outstanding() : 0;
}

DDI_ENTRY_VOID(ddisim_cpu_set, (int cpu), (cpu))
{
	if (cpu < 0 || cpu >= machine->spec.cpus) {
		verify_report(DDI_FUNC, DDI_CALLER, "cpu %d is not one of the "
		    "machine's %d CPUs", cpu, machine->spec.cpus);
		return;
	}
	machine_set_cpu(cpu);
}

DDI_ENTRY0(int, ddisim_cpu_get)
{
	return machine_cpu();
}

DDI_ENTRY(int, ddisim_info, (struct ddisim_info *di), (di))
{
	struct machine *m;
	uint64_t prev = 0;

	m = machine;
	memset(di, 0, sizeof(*di));
	di->mem = m->spec.mem;
	di->top = m->top;
	di->page = m->spec.page;
	di->nodes = m->spec.nodes;
	di->cpus = m->spec.cpus;
	di->frag = m->spec.frag;
	di->seed = m->spec.seed;
	for (unsigned i = 0; i < m->nsegs && di->nranges < DDISIM_MAX_RANGES - 1; i++) {
		uint64_t s = m->seg[i].spfn << m->pshift;
		uint64_t e = m->seg[i].epfn << m->pshift;

		if (s > prev)
			di->range[di->nranges++] = (struct ddisim_range){
			    prev, s, -1 };
		if (di->nranges > 0 &&
		    di->range[di->nranges - 1].node == m->seg[i].node &&
		    di->range[di->nranges - 1].end == s)
			di->range[di->nranges - 1].end = e;
		else
			di->range[di->nranges++] = (struct ddisim_range){
			    s, e, m->seg[i].node };
		prev = e;
	}
	for (int z = 0; z < DDISIM_ZONES; z++)
		di->zone_line[z] = machine_zone_end[z];
	for (int n = 0; n < m->spec.nodes; n++)
		for (int z = 0; z < NZONES; z++) {
			di->free_pages[n][z] = palloc_free_pages(n, z);
			di->total_pages[n][z] = palloc_total_pages(n, z);
		}
	return 0;
}

DDI_ENTRY(int, ddisim_free_histogram, (int node, int zone,
    uint64_t hist[DDISIM_HIST_BUCKETS]), (node, zone, hist))
{
	if (node < 0 || node >= machine->spec.nodes || zone < 0 ||
	    zone >= NZONES)
		return EINVAL;
	palloc_histogram(node, zone, hist);
	return 0;
}

/* Free pages that begin in [start, end), counted as free_pages counts. */
DDI_ENTRY(uint64_t, ddisim_free_pages, (uint64_t start, uint64_t end),
    (start, end))
{
	uint64_t mask = machine->spec.page - 1;
	uint64_t lo = (start >> machine->pshift) + ((start & mask) != 0);
	uint64_t hi = (end >> machine->pshift) + ((end & mask) != 0);

	if (lo >= hi)
		return 0;
	return palloc_count_free(lo, hi);
}

/*
 * Physical segments of [va, va + len): the first max of them in seg, and
 * the count of all of them (which may exceed max).  Stops at the first
 * byte that is not simulated memory.
 */
DDI_ENTRY(size_t, ddisim_segments, (const void *va, size_t len,
    struct ddisim_seg *seg, size_t max), (va, len, seg, max))
{
	uint64_t pa[64], last_end = UINT64_MAX;
	size_t plen[64], n, total = 0;
	const char *p = va;

	while (len > 0) {
		n = vm_segments(p, len, pa, plen, 64);
		if (n == 0)
			break;
		if (n > 64)
			n = 64;
		for (size_t i = 0; i < n; i++) {
			if (total > 0 && pa[i] == last_end) {
				if (total <= max)
					seg[total - 1].len += plen[i];
			} else {
				if (total < max)
					seg[total] = (struct ddisim_seg){
					    pa[i], plen[i] };
				total++;
			}
			last_end = pa[i] + plen[i];
			p += plen[i];
			len -= plen[i];
		}
	}
	return total;
}

DDI_CONTROL(size_t, ddisim_leak_report, (FILE *stream), (stream))
{
	if (machine == NULL)
		return 0;
	return leaks_list(stream);
}

DDI_CONTROL_VOID(ddisim_verify_set_policy, (enum ddisim_verify_policy pol),
    (pol))
{
	if (pol != DDISIM_VERIFY_ABORT && pol != DDISIM_VERIFY_WARN &&
	    pol != DDISIM_VERIFY_COUNT) {
		verify_report(DDI_FUNC, DDI_CALLER, "unknown policy %d",
		    (int)pol);
		return;
	}
	verify_set_policy(pol);
}

DDI_CONTROL0(unsigned long, ddisim_verify_count)
{
	return verify_count();
}

DDI_CONTROL0(const char *, ddisim_verify_last)
{
	static DDI_TLS char copy[VERIFY_REPORT_MAX];

	verify_last_copy(copy);
	return copy;
}

DDI_CONTROL0_VOID(ddisim_verify_reset)
{
	verify_reset();
}

DDI_CONTROL(int, ddisim_explain, (int mode), (mode))
{
	if (mode < 0 || mode > 2) {
		verify_report(DDI_FUNC, DDI_CALLER, "unknown mode %d", mode);
		return kmem_explain_mode;
	}
	return atomic_exchange(&kmem_explain_mode, mode);
}

DDI_CONTROL0(const char *, ddisim_explain_last)
{
	return kmem_explain_last();
}
