/*
 * entry.c - the slow path of every entry point: build the machine on the
 * first DDI call of a process, through the builder the control API
 * registered.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "machine/entry.h"

static machine_boot_fn boot_fn;
machine_doorbell_fn machine_doorbell;
DDI_READ_MOSTLY bool machine_quiet;

static bool
machine_quiet_now(void)
{
	return __atomic_load_n(&machine, __ATOMIC_SEQ_CST) != NULL &&
	    __atomic_load_n(&machine_doorbell, __ATOMIC_SEQ_CST) == NULL;
}

/*
 * Two threads may store to machine and machine_doorbell at once (a
 * machine built while another thread opens a register window), each then
 * storing what it computed: each checks after its store that the value
 * still holds, and stores again until it does, so that the last to
 * finish leaves the value both stores imply.
 */
void
machine_entry_update(void)
{
	bool q;

	do {
		q = machine_quiet_now();
		__atomic_store_n(&machine_quiet, q, __ATOMIC_SEQ_CST);
	} while (machine_quiet_now() != q);
}

void
machine_boot_register(machine_boot_fn fn)
{
	boot_fn = fn;
}

void
machine_boot(const char *fn, const void *caller)
{
	pthread_mutex_t *lk = machine_init_lock();
	char err[320];
	int error = 0;

	if (boot_fn == NULL) {
		/* only a static link that left out the control API */
		fprintf(stderr, "ddicompat: %s: no machine, and the control "
		    "API that builds one is not linked in (link with "
		    "-Wl,-u,ddisim_init)\n", fn);
		abort();
	}
	pthread_mutex_lock(lk);
	if (machine == NULL)
		error = boot_fn(fn, caller, err, sizeof(err));
	pthread_mutex_unlock(lk);
	if (error != 0) {
		fprintf(stderr, "ddicompat: %s: cannot build the machine: %s\n",
		    fn, err);
		abort();
	}
}
