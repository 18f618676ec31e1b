/*
 * sys/resmgr.h - the resource manager's own names, for the drivers and
 * modules that include it rather than <sys/confmgr.h>: the key type,
 * the null key and the transaction modes.  The database and its calls
 * are in <sys/confmgr.h>, which this header includes.
 */
#ifndef DDICOMPAT_SYS_RESMGR_H
#define DDICOMPAT_SYS_RESMGR_H

#include <sys/types.h>
#include <sys/confmgr.h>

#endif /* DDICOMPAT_SYS_RESMGR_H */
