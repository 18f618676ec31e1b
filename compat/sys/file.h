/*
 * sys/file.h - the host's header, plus the file flags a driver's open,
 * close, read, write and ioctl routines receive (oflag, flag, mode) and
 * test: FREAD, FWRITE, FNDELAY, FNONBLOCK, FAPPEND, FSYNC, FEXCL...
 *
 * The host's C library defines some of these names itself (glibc:
 * FAPPEND, FNDELAY, FNONBLOCK, FASYNC, in <fcntl.h>, in its default
 * dialect), with its open(2) flag values.  So that a name means one value
 * in every dialect and whatever the order of includes, every flag here
 * but FREAD and FWRITE has the value of the host's O_ flag: the SVR5
 * values differ (ddicompat(7)), and FNDELAY and FNONBLOCK are one bit.
 * A driver that uses the names, as the DDI asks, sees no difference;
 * the simulated machine passes flags made of the same names.
 *
 * The host's header comes last, after the pragma that lets #include_next
 * pass -pedantic: see <sys/types.h>.
 */
#ifndef DDICOMPAT_SYS_FILE_H
#define DDICOMPAT_SYS_FILE_H

#include <sys/types.h>
/*
 * The host's <fcntl.h>, which its <sys/file.h> includes too, declares
 * struct iovec in some dialects (glibc: with _GNU_SOURCE, which C++
 * compilers define), with the host's layout.  The SVR5 one of
 * <sys/uio.h> is the struct iovec of this compilation: it is declared
 * first and the host's is kept out, by the guard glibc gives it.
 */
#include <sys/uio.h>
#ifndef __iovec_defined
#define __iovec_defined 1
#endif
#include <fcntl.h>

#define FREAD		0x01		/* open for reading */
#define FWRITE		0x02		/* open for writing */
#ifndef FNDELAY
#define FNDELAY		O_NDELAY	/* do not wait (the old name) */
#endif
#ifndef FNONBLOCK
#define FNONBLOCK	O_NONBLOCK	/* do not wait (POSIX) */
#endif
#ifndef FAPPEND
#define FAPPEND		O_APPEND	/* writes go to the end */
#endif
#ifndef FASYNC
#define FASYNC		O_ASYNC		/* signal when I/O is possible */
#endif
#ifndef FSYNC
#define FSYNC		O_SYNC		/* writes complete before returning */
#endif
#ifndef FCREAT
#define FCREAT		O_CREAT		/* the open may create the file */
#endif
#ifndef FTRUNC
#define FTRUNC		O_TRUNC		/* the open truncates */
#endif
#ifndef FEXCL
#define FEXCL		O_EXCL		/* exclusive open */
#endif
#ifndef FNOCTTY
#define FNOCTTY		O_NOCTTY	/* not a controlling terminal */
#endif

/* Every flag; FMASK, the flags kept after the open. */
#ifndef FOPEN
#define FOPEN		0xFFFFFFFF
#endif
#ifndef FMASK
#define FMASK		(FREAD | FWRITE | FNDELAY | FNONBLOCK | FAPPEND | \
			 FSYNC | FASYNC)
#endif

#endif /* DDICOMPAT_SYS_FILE_H */

#ifdef __GNUC__
#pragma GCC system_header
#endif
#include_next <sys/file.h>
