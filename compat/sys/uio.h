/*
 * sys/uio.h - descriptions of scattered I/O: iovec(9) and uio(9).
 *
 * The SVR4.2 layout with the i386 widths: 32-bit lengths, offset, limit
 * and residual; the host's pointers.
 */
#ifndef DDICOMPAT_SYS_UIO_H
#define DDICOMPAT_SYS_UIO_H

#include <sys/types.h>

__DDI_BEGIN_DECLS

typedef struct iovec {
	caddr_t		iov_base;	/* first byte */
	int		iov_len;	/* bytes */
} iovec_t;

typedef struct uio {
	iovec_t		*uio_iov;	/* the pieces */
	int		uio_iovcnt;	/* how many */
	int32_t		uio_offset;	/* device byte offset */
	short		uio_segflg;	/* UIO_USERSPACE, UIO_SYSSPACE */
	short		uio_fmode;	/* file mode flags */
	daddr_t		uio_limit;	/* largest block offset */
	int		uio_resid;	/* bytes still to move */
} uio_t;

typedef enum uio_rw { UIO_READ, UIO_WRITE } uio_rw_t;
typedef enum uio_seg { UIO_USERSPACE, UIO_SYSSPACE, UIO_USERISPACE }
    uio_seg_t;

/* Moving data a uio describes (uiomove(9)). */
int	uiomove(void *, long, uio_rw_t, uio_t *);
int	ureadc(int, uio_t *);
int	uwritec(uio_t *);

__DDI_END_DECLS

#endif /* DDICOMPAT_SYS_UIO_H */
