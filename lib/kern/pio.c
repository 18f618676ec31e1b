/*
 * pio.c - port I/O: inb(9) and friends, dispatched to the simulated
 * devices that claim port ranges (ddisim_port(3)).
 *
 * The 64 Ki ports map one to one onto a table of claims.  An access to a
 * port nobody claims is reported, and a read of one returns all ones, as
 * an undriven ISA bus does.  Accesses take pio_lock for reading, so a
 * release returns only once no access to the device is in progress.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "verify/verify.h"
#include "kern/kern.h"

#include "sys/ddi.h"

#define NPORTS		65536

struct ddisim_ports {
	int		base;
	int		count;
	struct ddisim_port_ops ops;
	void		*arg;
	char		name[32];
};

static pthread_rwlock_t pio_lock = PTHREAD_RWLOCK_INITIALIZER;
static struct ddisim_ports *pio_map[NPORTS];	/* under pio_lock */

DDI_PUBLIC ddisim_ports_t *
ddisim_port_claim(int base, int count, const struct ddisim_port_ops *ops,
    void *arg, const char *name)
{
	struct ddisim_ports *d;
	int i;

	if (base < 0 || count <= 0 || base + count > NPORTS || ops == NULL ||
	    ops->in == NULL || ops->out == NULL) {
		verify_report(__func__, DDI_CALLER, "bad claim: ports "
		    "%#x+%d, ops %p", base, count, (const void *)ops);
		return NULL;
	}
	if ((d = calloc(1, sizeof(*d))) == NULL)
		return NULL;
	d->base = base;
	d->count = count;
	d->ops = *ops;
	d->arg = arg;
	strncpy(d->name, name != NULL ? name : "device", sizeof(d->name) - 1);
	pthread_rwlock_wrlock(&pio_lock);
	for (i = base; i < base + count; i++)
		if (pio_map[i] != NULL)
			break;
	if (i < base + count) {
		struct ddisim_ports *o = pio_map[i];

		pthread_rwlock_unlock(&pio_lock);
		verify_report(__func__, DDI_CALLER, "port %#x is already "
		    "claimed by %s", i, o->name);
		free(d);
		return NULL;
	}
	for (i = base; i < base + count; i++)
		pio_map[i] = d;
	pthread_rwlock_unlock(&pio_lock);
	return d;
}

DDI_PUBLIC void
ddisim_port_release(ddisim_ports_t *d)
{
	if (d == NULL)
		return;
	pthread_rwlock_wrlock(&pio_lock);
	for (int i = d->base; i < d->base + d->count; i++)
		if (pio_map[i] == d)
			pio_map[i] = NULL;
	pthread_rwlock_unlock(&pio_lock);
	free(d);
}

/* Forget every claim: devices die with their machine. */
void
pio_fini(void)
{
	pthread_rwlock_wrlock(&pio_lock);
	for (int i = 0; i < NPORTS; i++) {
		struct ddisim_ports *d = pio_map[i];

		if (d == NULL)
			continue;
		for (int j = d->base; j < d->base + d->count; j++)
			pio_map[j] = NULL;
		free(d);
	}
	pthread_rwlock_unlock(&pio_lock);
}

static uint32_t
pio_in(const char *func, const void *caller, int port, int width)
{
	struct ddisim_ports *d;
	uint32_t v;

	if (port < 0 || port >= NPORTS) {
		verify_report(func, caller, "port %#x is outside the I/O "
		    "space", (unsigned)port);
		return UINT32_MAX;
	}
	pthread_rwlock_rdlock(&pio_lock);
	if ((d = pio_map[port]) == NULL) {
		pthread_rwlock_unlock(&pio_lock);
		verify_report(func, caller, "no device claims port %#x",
		    (unsigned)port);
		return UINT32_MAX;
	}
	v = d->ops.in(d->arg, port, width);
	pthread_rwlock_unlock(&pio_lock);
	return width == 4 ? v : v & ((UINT32_C(1) << (8 * width)) - 1);
}

static void
pio_out(const char *func, const void *caller, int port, int width,
    uint32_t v)
{
	struct ddisim_ports *d;

	if (port < 0 || port >= NPORTS) {
		verify_report(func, caller, "port %#x is outside the I/O "
		    "space", (unsigned)port);
		return;
	}
	pthread_rwlock_rdlock(&pio_lock);
	if ((d = pio_map[port]) == NULL) {
		pthread_rwlock_unlock(&pio_lock);
		verify_report(func, caller, "no device claims port %#x "
		    "(write of %#x dropped)", (unsigned)port, v);
		return;
	}
	d->ops.out(d->arg, port, width, v);
	pthread_rwlock_unlock(&pio_lock);
}

DDI_PUBLIC uchar_t
inb(int port)
{
	return (uchar_t)pio_in(__func__, DDI_CALLER, port, 1);
}

DDI_PUBLIC ushort_t
inw(int port)
{
	return (ushort_t)pio_in(__func__, DDI_CALLER, port, 2);
}

DDI_PUBLIC ulong_t
inl(int port)
{
	return pio_in(__func__, DDI_CALLER, port, 4);
}

DDI_PUBLIC void
outb(int port, uchar_t v)
{
	pio_out(__func__, DDI_CALLER, port, 1, v);
}

DDI_PUBLIC void
outw(int port, ushort_t v)
{
	pio_out(__func__, DDI_CALLER, port, 2, v);
}

DDI_PUBLIC void
outl(int port, ulong_t v)
{
	pio_out(__func__, DDI_CALLER, port, 4, v);
}

static bool
rep_ok(const char *func, const void *caller, const void *addr, int cnt)
{
	if (cnt < 0 || (cnt > 0 && addr == NULL)) {
		verify_report(func, caller, "bad buffer %p or count %d", addr,
		    cnt);
		return false;
	}
	return true;
}

DDI_PUBLIC void
repinsb(int port, uchar_t *addr, int cnt)
{
	if (rep_ok(__func__, DDI_CALLER, addr, cnt))
		for (int i = 0; i < cnt; i++)
			addr[i] = (uchar_t)pio_in(__func__, DDI_CALLER, port,
			    1);
}

DDI_PUBLIC void
repinsw(int port, ushort_t *addr, int cnt)
{
	if (rep_ok(__func__, DDI_CALLER, addr, cnt))
		for (int i = 0; i < cnt; i++)
			addr[i] = (ushort_t)pio_in(__func__, DDI_CALLER, port,
			    2);
}

DDI_PUBLIC void
repinsd(int port, ulong_t *addr, int cnt)
{
	if (rep_ok(__func__, DDI_CALLER, addr, cnt))
		for (int i = 0; i < cnt; i++)
			addr[i] = pio_in(__func__, DDI_CALLER, port, 4);
}

DDI_PUBLIC void
repoutsb(int port, uchar_t *addr, int cnt)
{
	if (rep_ok(__func__, DDI_CALLER, addr, cnt))
		for (int i = 0; i < cnt; i++)
			pio_out(__func__, DDI_CALLER, port, 1, addr[i]);
}

DDI_PUBLIC void
repoutsw(int port, ushort_t *addr, int cnt)
{
	if (rep_ok(__func__, DDI_CALLER, addr, cnt))
		for (int i = 0; i < cnt; i++)
			pio_out(__func__, DDI_CALLER, port, 2, addr[i]);
}

DDI_PUBLIC void
repoutsd(int port, ulong_t *addr, int cnt)
{
	if (rep_ok(__func__, DDI_CALLER, addr, cnt))
		for (int i = 0; i < cnt; i++)
			pio_out(__func__, DDI_CALLER, port, 4, addr[i]);
}
