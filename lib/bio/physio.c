/*
 * physio.c - raw I/O for drivers before DDI 8: physiock and uiophysio
 * (physiock(9)).  The user's iovecs become B_PHYS, BA_UVIRT requests of
 * at most DRV_MAXBIOSIZE bytes, handed to the driver's strategy routine
 * one at a time and waited for; the uio is moved past what was done.
 */
#include "config.h"

#include <errno.h>

#include "bio/bio.h"
#include "kern/ctx.h"
#include "machine/entry.h"
#include "machine/machine.h"
#include "verify/verify.h"
#include "proc/proc.h"

#include "sys/buf.h"
#include "sys/uio.h"
#include "exports.h"

#define PHYS_CHUNK	(128 * 1024)	/* DRV_MAXBIOSIZE */
#define NBPSCTR		512

/* Whether every byte of [va, va+len) is mapped in p. */
bool
bio_user_mapped(const struct proc *p, const uint8_t *va, size_t len)
{
	size_t pg = machine->spec.page;
	uint64_t pa;

	if ((uintptr_t)va > UINTPTR_MAX - len)
		return false;
	for (size_t off = 0; off < len; off += pg - (uintptr_t)(va + off) % pg)
		if (proc_vtop(p, va + off, &pa) != 0)
			return false;
	return true;
}

/*
 * The body of both: limit is the device's size in bytes, or UINT64_MAX.
 * 0, or the errno of the first request that failed.
 */
int
raw_io(void (*strat)(buf_t *), buf_t *bp, dev_t dev, int rwflag,
    uint64_t limit, uio_t *u, const char *func, const void *caller)
{
	struct proc *p = NULL;
	bool own = bp == NULL;
	int e = 0;

	if (strat == NULL || u == NULL || u->uio_iovcnt < 0 ||
	    (u->uio_iovcnt > 0 && u->uio_iov == NULL)) {
		verify_report(func, caller, "%s", strat == NULL ?
		    "NULL strategy routine" : "uio is not a valid description");
		return EINVAL;
	}
	if (!kctx_check_block(func, caller, NULL, false))
		return EINVAL;
	if (u->uio_segflg != UIO_SYSSPACE && (p = proc_current()) == NULL) {
		verify_report(func, caller, "user space I/O, but the calling "
		    "thread runs in no process (see ddisim_proc_enter)");
		return EFAULT;
	}
	if (u->uio_offset < 0 || u->uio_offset % NBPSCTR != 0)
		return EINVAL;		/* whole sectors only */
	if (own && (bp = getrbuf(KM_SLEEP)) == NULL)
		return ENOMEM;
	if (!own && kbuf_of(bp, func, caller) == NULL)
		return EINVAL;
	for (int i = 0; i < u->uio_iovcnt && u->uio_resid > 0 && e == 0;
	    i++) {
		iovec_t *v = &u->uio_iov[i];

		while (v->iov_len > 0 && u->uio_resid > 0 && e == 0) {
			uint64_t off = (uint64_t)u->uio_offset;
			uint64_t len = (uint64_t)v->iov_len;

			if (len > (uint64_t)u->uio_resid)
				len = (uint64_t)u->uio_resid;
			if (off >= limit) {
				/* at the end: a read moves nothing */
				if (off > limit || !(rwflag & B_READ))
					e = ENXIO;
				goto out;
			}
			if (len > limit - off)
				len = limit - off;
			if (len > PHYS_CHUNK)
				len = PHYS_CHUNK;
			if (p != NULL && !bio_user_mapped(p, (uint8_t *)v->iov_base,
			    len)) {
				e = EFAULT;
				goto out;
			}
			bioreset(bp);
			bp->b_flags = (bp->b_flags & (B_BUSY | B_KERNBUF)) |
			    (rwflag & B_READ) | (p != NULL ? B_PHYS : 0);
			bp->b_addrtype = p != NULL ? BA_UVIRT : BA_KVIRT;
			bp->b_un.b_addr = v->iov_base;
			bp->b_proc = p;
			bp->b_edev = dev;
			bp->b_bcount = (uint_t)len;
			bp->b_blkno = (daddr_t)(off / NBPSCTR);
			bp->b_blkoff = (ushort_t)(off % NBPSCTR);
			strat(bp);
			e = biowait(bp);
			len -= bp->b_resid < len ? bp->b_resid : len;
			v->iov_base += len;
			v->iov_len -= (int)len;
			u->uio_resid -= (int)len;
			u->uio_offset += (int32_t)len;
			if (e == 0 && bp->b_resid > 0)
				goto out;	/* short: the device ended */
		}
	}
out:
	if (own)
		freerbuf(bp);
	return e;
}

/* DDI 1 to 7.1: raw I/O checked against a device of nblocks sectors. */
DDI_ENTRY(int, physiock, (void (*strat)(buf_t *), buf_t *bp, dev_t dev,
    int rwflag, daddr_t nblocks, uio_t *uiop), (strat, bp, dev, rwflag, nblocks,
    uiop))
{
	uint64_t limit = nblocks < 0 ? 0 : (uint64_t)nblocks * NBPSCTR;

	return raw_io(strat, bp, dev, rwflag, limit, uiop, DDI_FUNC,
	    DDI_CALLER);
}

/* DDI 1 to 4: raw I/O with no size check. */
DDI_ENTRY(int, uiophysio, (void (*strat)(buf_t *), buf_t *bp, dev_t dev,
    int rwflag, uio_t *uiop), (strat, bp, dev, rwflag, uiop))
{
	return raw_io(strat, bp, dev, rwflag, UINT64_MAX, uiop, DDI_FUNC,
	    DDI_CALLER);
}

/* DDI 5 and 6 (not strict): the same, bound to the compatibility name. */
DDI_ENTRY(int, _Compat_uiophysio, (void (*strat)(buf_t *), buf_t *bp,
    dev_t dev, int rwflag, uio_t *uiop), (strat, bp, dev, rwflag, uiop))
{
	return raw_io(strat, bp, dev, rwflag, UINT64_MAX, uiop, "uiophysio",
	    DDI_CALLER);
}
