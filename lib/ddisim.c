/*
 * ddisim.c - the control API: build and tear down the simulated machine.
 *
 * This file sits above every layer and is the only one that names them all:
 * it builds them bottom-up in ddisim_init and tears them down top-down in
 * ddisim_shutdown.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ddicompat/ddisim.h"
#include "devsim/devsim.h"
#include "isadma/isadma.h"
#include "kern/ctx.h"
#include "kern/kern.h"
#include "kmem/kmem.h"
#include "machine/machine.h"
#include "palloc/palloc.h"
#include "streams/streams.h"
#include "verify/verify.h"
#include "vm/proc.h"
#include "vm/vm.h"

static char ddisim_err[256];
static uint64_t ddisim_generation;

static int
ddisim_build(const char *spec)
{
	struct machine *m;
	int error;

	m = calloc(1, sizeof(*m));
	if (m == NULL)
		return ENOMEM;
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
	machine = m;
	if ((error = palloc_init()) != 0 ||
	    (error = palloc_age(m->spec.frag, m->spec.seed)) != 0 ||
	    (error = vm_init()) != 0 || (error = kmem_init()) != 0) {
		snprintf(ddisim_err, sizeof(ddisim_err), "mem: cannot set up "
		    "the machine's metadata: %s", strerror(error));
		vm_fini();
		palloc_fini();
		machine_ram_destroy(m);
		machine = NULL;
		free(m->seg_of_chunk);
		free(m);
		return error;
	}
	verify_set_policy(m->spec.verify);
	ddisim_verify_reset();
	kern_init();
	intr_init();
	clock_init();
	/* the PC's DMA controller is on its ports from the start */
	if (m->spec.isadma)
		VERIFY(i8237_attach() == 0);	/* a new machine's are free */
	return 0;
}

DDI_PUBLIC int
ddisim_init(const char *spec)
{
	pthread_mutex_t *lk = machine_init_lock();
	int error;

	machine_atfork_install();
	pthread_mutex_lock(lk);
	ddisim_err[0] = '\0';
	if (machine != NULL) {
		snprintf(ddisim_err, sizeof(ddisim_err), "a machine is "
		    "already running; call ddisim_shutdown first");
		error = EBUSY;
	} else {
		error = ddisim_build(spec);
	}
	pthread_mutex_unlock(lk);
	return error;
}

DDI_PUBLIC const char *
ddisim_init_error(void)
{
	return ddisim_err;
}

/* The first DDI call without ddisim_init builds the machine here. */
void
machine_ensure_slow(void)
{
	pthread_mutex_t *lk = machine_init_lock();
	const char *spec = getenv("DDISIM_MACHINE");

	machine_atfork_install();
	pthread_mutex_lock(lk);
	if (machine == NULL && ddisim_build(spec) != 0) {
		fprintf(stderr, "ddicompat: DDISIM_MACHINE=\"%s\": %s\n",
		    spec != NULL ? spec : "", ddisim_err);
		abort();
	}
	pthread_mutex_unlock(lk);
}

DDI_PUBLIC void
ddisim_shutdown(void)
{
	pthread_mutex_t *lk = machine_init_lock();
	struct machine *m;

	pthread_mutex_lock(lk);
	m = machine;
	if (m != NULL) {
		devsim_fini();
		isadma_fini();
		i8237_fini();
		streams_fini();
		proc_fini();
		clock_fini();
		intr_fini();
		pio_fini();
		kern_fini();
		kmem_leak_report(stderr);
		kmem_fini();
		vm_fini();
		palloc_fini();
		machine_ram_destroy(m);
		machine = NULL;
		free(m->seg_of_chunk);
		free(m);
	}
	pthread_mutex_unlock(lk);
}

DDI_PUBLIC int
ddisim_initialized(void)
{
	return machine != NULL;
}

DDI_PUBLIC int
ddisim_vtop(const void *va, uint64_t *pa)
{
	uint64_t dummy;

	return vm_vtop(va, pa != NULL ? pa : &dummy);
}

DDI_PUBLIC void *
ddisim_ptov(uint64_t pa)
{
	return vm_ptov(pa);
}

DDI_PUBLIC size_t
ddisim_outstanding(void)
{
	return machine != NULL ? kmem_outstanding() : 0;
}

DDI_PUBLIC void
ddisim_set_cpu(int cpu)
{
	machine_ensure();
	if (cpu < 0 || cpu >= machine->spec.cpus) {
		verify_report(__func__, DDI_CALLER, "cpu %d is not one of the "
		    "machine's %d CPUs", cpu, machine->spec.cpus);
		return;
	}
	machine_set_cpu(cpu);
}

DDI_PUBLIC int
ddisim_get_cpu(void)
{
	machine_ensure();
	return machine_cpu();
}

DDI_PUBLIC int
ddisim_info(struct ddisim_info *di)
{
	struct machine *m;
	uint64_t prev = 0;

	machine_ensure();
	m = machine;
	memset(di, 0, sizeof(*di));
	di->mem = m->spec.mem;
	di->top = m->top;
	di->page = m->spec.page;
	di->nodes = m->spec.nodes;
	di->cpus = m->spec.cpus;
	di->frag = m->spec.frag;
	di->seed = m->spec.seed;
	for (unsigned i = 0; i < m->nsegs && di->nranges < 63; i++) {
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

DDI_PUBLIC int
ddisim_free_histogram(int node, int zone, uint64_t hist[DDISIM_HIST_BUCKETS])
{
	machine_ensure();
	if (node < 0 || node >= machine->spec.nodes || zone < 0 ||
	    zone >= NZONES)
		return EINVAL;
	palloc_histogram(node, zone, hist);
	return 0;
}

/*
 * Physical segments of [va, va + len): the first max of them in seg, and
 * the count of all of them (which may exceed max).  Stops at the first
 * byte that is not simulated memory.
 */
DDI_PUBLIC size_t
ddisim_segments(const void *va, size_t len, struct ddisim_seg *seg,
    size_t max)
{
	uint64_t pa[64], last_end = UINT64_MAX;
	size_t plen[64], n, total = 0;
	const char *p = va;

	machine_ensure();
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

DDI_PUBLIC size_t
ddisim_leak_report(void *stream)
{
	if (machine == NULL)
		return 0;
	return kmem_leak_report(stream);
}
