/*
 * leaks.c - everything the machine holds for drivers, listed with the
 * calls that made each: the leak report ddisim_leak_report(3) and
 * ddisim_shutdown print, and the count the driver host compares before
 * a load and after an unload.
 */
#include "config.h"

#include <stdio.h>

#include "iomem/iomem.h"
#include "kern/handle.h"
#include "kern/kern.h"
#include "kmem/kmem.h"
#include "proc/proc.h"
#include "streams/streams.h"
#include "host/host.h"

size_t
leaks_kern(FILE *f)
{
	return host_leak_report(f) + khandle_leak_report(f) +
	    clock_leak_report(f) + streams_leak_report(f) +
	    proc_leak_report(f) + kthread_leak_report(f) +
	    callback_leak_report(f) + ifstats_leak_report(f) +
	    iomem_leak_report(f);
}

size_t
leaks_list(FILE *f)
{
	return leaks_kern(f) + kmem_leak_report(f);
}
