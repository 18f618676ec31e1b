/*
 * uaccess.c - a driver's access to the user memory of the process it runs
 * for: copyin, copyout, uiomove, ureadc, uwritec, and the byte and word
 * forms fubyte, fuword, subyte, suword and useracc of DDI 6 and before
 * (copyin(9), uiomove(9), fubyte(9)).
 *
 * User addresses are those of the simulated process the calling thread
 * runs in (ddisim_proc_enter); their pages are simulated RAM, reached
 * here through the kernel's direct map, never through the user range
 * itself, which the host keeps inaccessible.  An address the process does
 * not map fails with EFAULT (or -1, as each page says) and nothing is
 * copied: a copy that runs off the end of the process's memory moves no
 * byte of it.
 *
 * The original could take a page fault, and so sleep, on any user
 * access: a call from interrupt context or with a basic lock held is
 * reported, and then made, as it would have worked there with the pages
 * resident.  A kernel address that is a process's user memory (the usual
 * mistake: a user address in a UIO_SYSSPACE uio, or as the driver's own
 * buffer) is reported and refused instead of faulting the host.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "machine/entry.h"
#include "verify/verify.h"
#include "proc/proc.h"

#include "sys/types.h"
#include "sys/uio.h"
#include "sys/ddi.h"
#include "exports.h"

/*
 * The process of the calling thread, for a user access by func; NULL,
 * after a report, if it runs in none.  The access may sleep in the
 * original: a context that must not is reported first.
 */
static struct proc *
ua_proc(const char *func, const void *caller)
{
	struct proc *p;

	(void)verify_may_block(func, caller);
	if ((p = proc_current()) == NULL)
		verify_report(func, caller, "user address, but the calling "
		    "thread runs in no process (see ddisim_proc_enter)");
	return p;
}

/*
 * Whether [k, k+len) may be used as kernel memory: not NULL, not a
 * process's user memory, which the host would fault on.  Reports if not.
 */
static bool
ua_kernel(const void *k, size_t len, const char *what, const char *func,
    const void *caller)
{
	if (len == 0)
		return true;
	if (k == NULL) {
		verify_report(func, caller, "NULL %s", what);
		return false;
	}
	if (proc_user_range(k, len)) {
		verify_report(func, caller, "%s %p is user memory of a "
		    "simulated process, not kernel memory", what, k);
		return false;
	}
	return true;
}

/*
 * Whether every byte of [u, u+len) is mapped in p.  Its user memory is
 * one range: both ends are in it, or not every byte is.
 */
static bool
ua_mapped(const struct proc *p, const uint8_t *u, size_t len)
{
	uint64_t pa;

	return len == 0 || ((uintptr_t)u <= UINTPTR_MAX - len &&
	    proc_vtop(p, u, &pa) == 0 && proc_vtop(p, u + len - 1, &pa) == 0);
}

/*
 * Copy len bytes between user address u of p and kernel address k, into
 * k when in: 0, or EFAULT with nothing copied.  An unmapped user address
 * is the documented failure and is checked first; a kernel address that
 * is user memory is misuse.
 */
static int
ua_move(struct proc *p, uint8_t *u, void *k, size_t len, bool in,
    const char *what, const char *func, const void *caller)
{
	if (!ua_mapped(p, u, len))
		return EFAULT;
	if (!ua_kernel(k, len, what, func, caller))
		return EFAULT;
	return len == 0 ? 0 : proc_copy(p, u, k, len, in);
}

/* The same for the calling thread's process. */
static int
ua_copy(void *u, void *k, size_t len, bool in, const char *func,
    const void *caller)
{
	struct proc *p;

	if ((p = ua_proc(func, caller)) == NULL)
		return EFAULT;
	return ua_move(p, u, k, len, in, "driver buffer", func, caller);
}

DDI_ENTRY(int, copyin, (const void *userbuf, void *driverbuf, size_t cn),
    (userbuf, driverbuf, cn))
{
	return ua_copy((void *)(uintptr_t)userbuf, driverbuf, cn, true,
	    DDI_FUNC, DDI_CALLER) == 0 ? 0 : -1;
}

DDI_ENTRY(int, copyout, (const void *driverbuf, void *userbuf, size_t cn),
    (driverbuf, userbuf, cn))
{
	return ua_copy(userbuf, (void *)(uintptr_t)driverbuf, cn, false,
	    DDI_FUNC, DDI_CALLER) == 0 ? 0 : -1;
}

/*
 * What a uio names: NULL, after a report, unless it is a description this
 * code can follow.  *user says whether its addresses are user addresses.
 */
static bool
uio_usable(const uio_t *uio, bool *user, const char *func,
    const void *caller)
{
	if (uio == NULL) {
		verify_report(func, caller, "NULL uio");
		return false;
	}
	if (uio->uio_iovcnt < 0 || (uio->uio_iovcnt > 0 &&
	    uio->uio_iov == NULL)) {
		verify_report(func, caller, "uio has %d iovecs at %p",
		    uio->uio_iovcnt, (void *)uio->uio_iov);
		return false;
	}
	switch (uio->uio_segflg) {
	case UIO_USERSPACE:
	case UIO_USERISPACE:
		*user = true;
		return true;
	case UIO_SYSSPACE:
		*user = false;
		return true;
	default:
		verify_report(func, caller, "uio_segflg %d is not "
		    "UIO_USERSPACE, UIO_SYSSPACE or UIO_USERISPACE",
		    uio->uio_segflg);
		return false;
	}
}

/*
 * The current iovec of uio, past the empty ones as the original stepped
 * over them; NULL when none is left.  A negative length is reported.
 */
static iovec_t *
uio_current(uio_t *uio, const char *func, const void *caller)
{
	while (uio->uio_iovcnt > 0) {
		iovec_t *iov = uio->uio_iov;

		if (iov->iov_len > 0)
			return iov;
		if (iov->iov_len < 0) {
			verify_report(func, caller, "iovec %p has iov_len %d",
			    (void *)iov, iov->iov_len);
			return NULL;
		}
		uio->uio_iov++;
		uio->uio_iovcnt--;
	}
	verify_report(func, caller, "uio_resid %d is more than its iovecs "
	    "hold", uio->uio_resid);
	return NULL;
}

/* Account for cnt bytes moved through iov of uio. */
static void
uio_advance(uio_t *uio, iovec_t *iov, size_t cnt)
{
	iov->iov_base += cnt;
	iov->iov_len -= (int)cnt;
	uio->uio_resid -= (int)cnt;
	uio->uio_offset = (int32_t)((uint32_t)uio->uio_offset +
	    (uint32_t)cnt);
}

/*
 * Move cnt bytes between iov's first byte and kernel address k, in the
 * direction rw: 0 or EFAULT, with nothing moved on failure.
 */
static int
uio_move1(iovec_t *iov, void *k, size_t cnt, uio_rw_t rw, struct proc *p,
    const char *func, const void *caller)
{
	if (p != NULL)
		return ua_move(p, (uint8_t *)iov->iov_base, k, cnt,
		    rw == UIO_WRITE, "kernel address", func, caller);
	if (!ua_kernel(iov->iov_base, cnt, "UIO_SYSSPACE address", func,
	    caller) || !ua_kernel(k, cnt, "kernel address", func, caller))
		return EFAULT;
	if (rw == UIO_READ)
		memmove(iov->iov_base, k, cnt);
	else
		memmove(k, iov->iov_base, cnt);
	return 0;
}

/*
 * Up to n bytes, as many as uio_resid allows: each iovec's share moves
 * whole or not at all, and the uio is advanced past what moved.
 */
DDI_ENTRY(int, uiomove, (void *address, long nbytes, uio_rw_t rwflag,
    uio_t *uio_p), (address, nbytes, rwflag, uio_p))
{
	uint8_t *k = address;
	struct proc *p = NULL;
	bool user;

	if (!uio_usable(uio_p, &user, DDI_FUNC, DDI_CALLER))
		return EFAULT;
	if (rwflag != UIO_READ && rwflag != UIO_WRITE) {
		verify_report(DDI_FUNC, DDI_CALLER, "rwflag %d is not UIO_READ "
		    "or UIO_WRITE", (int)rwflag);
		return EFAULT;
	}
	if (nbytes <= 0 || uio_p->uio_resid <= 0)
		return 0;
	if (user && (p = ua_proc(DDI_FUNC, DDI_CALLER)) == NULL)
		return EFAULT;
	while (nbytes > 0 && uio_p->uio_resid > 0) {
		iovec_t *iov = uio_current(uio_p, DDI_FUNC, DDI_CALLER);
		size_t cnt;

		if (iov == NULL)
			return EFAULT;
		cnt = (size_t)iov->iov_len;
		if (cnt > (size_t)nbytes)
			cnt = (size_t)nbytes;
		if (cnt > (size_t)uio_p->uio_resid)
			cnt = (size_t)uio_p->uio_resid;
		if (uio_move1(iov, k, cnt, rwflag, p, DDI_FUNC, DDI_CALLER) != 0)
			return EFAULT;
		uio_advance(uio_p, iov, cnt);
		k += cnt;
		nbytes -= (long)cnt;
	}
	return 0;
}

/*
 * The iovec the next byte of uio moves through, with the process for a
 * user uio in *pp; NULL when there is none (uio_resid used up) or the
 * uio is not usable.
 */
static iovec_t *
uio_byte(uio_t *uio, struct proc **pp, const char *func, const void *caller)
{
	bool user;

	*pp = NULL;
	if (!uio_usable(uio, &user, func, caller) || uio->uio_resid <= 0)
		return NULL;
	if (user && (*pp = ua_proc(func, caller)) == NULL)
		return NULL;
	return uio_current(uio, func, caller);
}

DDI_ENTRY(int, ureadc, (int c, uio_t *uio_p), (c, uio_p))
{
	uint8_t b = (uint8_t)c;
	struct proc *p;
	iovec_t *iov = uio_byte(uio_p, &p, DDI_FUNC, DDI_CALLER);

	if (iov == NULL || uio_move1(iov, &b, 1, UIO_READ, p, DDI_FUNC,
	    DDI_CALLER) != 0)
		return EFAULT;
	uio_advance(uio_p, iov, 1);
	return 0;
}

DDI_ENTRY(int, uwritec, (uio_t *uio_p), (uio_p))
{
	uint8_t b;
	struct proc *p;
	iovec_t *iov = uio_byte(uio_p, &p, DDI_FUNC, DDI_CALLER);

	if (iov == NULL || uio_move1(iov, &b, 1, UIO_WRITE, p, DDI_FUNC,
	    DDI_CALLER) != 0)
		return -1;
	uio_advance(uio_p, iov, 1);
	return b;
}

/* ---- DDI 6 and before: a byte or a word at a time ---- */

DDI_ENTRY(int, fubyte, (char *addr), (addr))
{
	uint8_t b;

	return ua_copy(addr, &b, 1, true, DDI_FUNC, DDI_CALLER) == 0 ? b : -1;
}

DDI_ENTRY(int, fuword, (int *addr), (addr))
{
	int32_t w;

	return ua_copy(addr, &w, sizeof(w), true, DDI_FUNC, DDI_CALLER) == 0 ?
	    w : -1;
}

DDI_ENTRY(int, subyte, (char *addr, char c), (addr, c))
{
	uint8_t b = (uint8_t)c;

	return ua_copy(addr, &b, 1, false, DDI_FUNC, DDI_CALLER) == 0 ? 0 :
	    -1;
}

DDI_ENTRY(int, suword, (int *addr, int w), (addr, w))
{
	int32_t v = w;

	return ua_copy(addr, &v, sizeof(v), false, DDI_FUNC, DDI_CALLER) ==
	    0 ? 0 : -1;
}

/*
 * 1 when every byte of [base, base+count) is user memory of the calling
 * process, else 0.  Its memory is readable and writable alike, so access
 * (B_READ or B_WRITE) does not change the answer.
 */
DDI_ENTRY(int, _Compat_useracc, (caddr_t base, uint_t count, int access),
    (base, count, access))
{
	struct proc *p = ua_proc("useracc", DDI_CALLER);

	(void)access;
	return p != NULL && ua_mapped(p, (uint8_t *)base, count);
}
