/*
 * sys/fcntl.h - the host's header, for drivers that include it for the
 * O_ flags.
 *
 * The host's header includes <fcntl.h>, which in some dialects (glibc:
 * with _GNU_SOURCE, which C++ compilers define) declares its own struct
 * iovec.  The struct iovec of a driver's compilation is the SVR5 one of
 * <sys/uio.h>, which <sys/ddi.h> includes, so it is declared here first
 * and the host's is kept out by the guard glibc gives it, as
 * <sys/file.h> does.  The header adds no name of its own.
 *
 * The host's header comes last, after the pragma that lets #include_next
 * pass -pedantic: see <sys/types.h>.
 */
#ifndef DDICOMPAT_SYS_FCNTL_H
#define DDICOMPAT_SYS_FCNTL_H

#include <sys/types.h>
#include <sys/uio.h>
#ifndef __iovec_defined
#define __iovec_defined 1
#endif

#endif /* DDICOMPAT_SYS_FCNTL_H */

#ifdef __GNUC__
#pragma GCC system_header
#endif
#include_next <sys/fcntl.h>
