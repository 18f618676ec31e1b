/*
 * misc.c - small DDI utilities: min, max, and device numbers.
 */
#include "config.h"

#include "verify/verify.h"

#include "sys/types.h"
#include "sys/ddi.h"

DDI_PUBLIC uint_t
min(uint_t a, uint_t b)
{
	return a < b ? a : b;
}

DDI_PUBLIC uint_t
max(uint_t a, uint_t b)
{
	return a > b ? a : b;
}

/* Only the low 32 bits of the host's dev_t carry the SVR4 number. */
DDI_PUBLIC major_t
getmajor(dev_t dev)
{
	return (major_t)((uint32_t)dev >> L_BITSMINOR) & L_MAXMAJ;
}

DDI_PUBLIC minor_t
getminor(dev_t dev)
{
	return (minor_t)dev & L_MAXMIN;
}

/* No driver-to-major mapping is simulated: external equals internal. */
DDI_PUBLIC major_t
getemajor(dev_t dev)
{
	return getmajor(dev);
}

DDI_PUBLIC minor_t
geteminor(dev_t dev)
{
	return getminor(dev);
}

DDI_PUBLIC dev_t
makedevice(major_t major, minor_t minor)
{
	if (major > L_MAXMAJ || minor > L_MAXMIN) {
		verify_report(__func__, DDI_CALLER, "major %u or minor %u out "
		    "of range (at most %u and %u)", major, minor, L_MAXMAJ,
		    L_MAXMIN);
		return NODEV;
	}
	return (dev_t)(((uint32_t)major << L_BITSMINOR) | minor);
}
