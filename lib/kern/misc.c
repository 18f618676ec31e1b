/*
 * misc.c - small DDI utilities: min, max, device numbers, drv_priv,
 * ovbcopy, numtos and totalmem.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "machine/entry.h"
#include "verify/verify.h"
#include "machine/machine.h"
#include "kern/kern.h"

#include "sys/types.h"
#include "sys/cred.h"
#include "sys/ddi.h"
#include "exports.h"

DDI_ENTRY(uint_t, min, (uint_t a, uint_t b), (a, b))
{
	return a < b ? a : b;
}

DDI_ENTRY(uint_t, max, (uint_t a, uint_t b), (a, b))
{
	return a > b ? a : b;
}

/*
 * Only the low 32 bits of the host's dev_t carry the SVR4 number, whose
 * major is the external one; the internal one comes from the table of
 * ddisim_major_map (lib/kern/major.c), the same number by default.
 */
DDI_ENTRY(major_t, getmajor, (dev_t dev), (dev))
{
	return major_internal((major_t)((uint32_t)dev >> L_BITSMINOR) &
	    L_MAXMAJ);
}

DDI_ENTRY(minor_t, getminor, (dev_t dev), (dev))
{
	return (minor_t)dev & L_MAXMIN;
}

DDI_ENTRY(major_t, getemajor, (dev_t dev), (dev))
{
	return (major_t)((uint32_t)dev >> L_BITSMINOR) & L_MAXMAJ;
}

DDI_ENTRY(minor_t, geteminor, (dev_t dev), (dev))
{
	return getminor(dev);
}

DDI_ENTRY(dev_t, makedevice, (major_t major, minor_t minor), (major, minor))
{
	if (major > L_MAXMAJ || minor > L_MAXMIN) {
		verify_report(DDI_FUNC, DDI_CALLER, "major %u or minor %u out "
		    "of range (at most %u and %u)", major, minor, L_MAXMAJ,
		    L_MAXMIN);
		return NODEV;
	}
	return (dev_t)(((uint32_t)major << L_BITSMINOR) | minor);
}

/*
 * Privilege is the effective user ID 0, as in System V without the
 * Enhanced Security Utilities.
 */
DDI_ENTRY(int, drv_priv, (cred_t *cr), (cr))
{
	if (cr == NULL) {
		verify_report(DDI_FUNC, DDI_CALLER, "NULL credentials");
		return EPERM;
	}
	return cr->cr_uid == 0 ? 0 : EPERM;
}

/* bcopy that allows the two ranges to overlap. */
DDI_ENTRY_VOID(ovbcopy, (const void *from, void *to, size_t n),
    (from, to, n))
{
	if (n == 0)
		return;
	if (from == NULL || to == NULL) {
		verify_report(DDI_FUNC, DDI_CALLER, "NULL %s address with a "
		    "count of %zu", from == NULL ? "source" : "destination",
		    n);
		return;
	}
	memmove(to, from, n);
}

/* The decimal digits of num, with a NUL, in s: at most 11 bytes. */
DDI_ENTRY(char *, numtos, (ulong_t num, char *s), (num, s))
{
	char digits[16];
	size_t n = 0, i;

	if (s == NULL) {
		verify_report(DDI_FUNC, DDI_CALLER, "NULL string");
		return NULL;
	}
	do {
		digits[n++] = (char)('0' + num % 10);
		num /= 10;
	} while (num != 0);
	for (i = 0; i < n; i++)
		s[i] = digits[n - 1 - i];
	s[n] = '\0';
	return s;
}

/* The machine's RAM in bytes, at most 4 GiB less one: set at boot. */
DDI_PUBLIC_DATA ulong_t totalmem;

void
misc_init(void)
{
	uint64_t mem = machine->spec.mem;

	__atomic_store_n(&totalmem, mem > UINT32_MAX ? UINT32_MAX :
	    (ulong_t)mem, __ATOMIC_RELAXED);
}
