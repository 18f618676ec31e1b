/*
 * dev.c - a device used by a simulated process as a program used it:
 * ddisim_dev_open(3) and the calls on the file it returns.
 *
 * Each call runs in the file's process (the calling thread enters it for
 * the call), with its credentials, and passes the program's user
 * addresses to the driver, as the system calls did:
 *
 *   - character devices of drivers older than DDI 8: the driver's read,
 *     write and ioctl, with a uio on the user's buffer;
 *   - character devices of DDI 8 drivers: raw I/O through biostart, the
 *     user's buffer broken up under the driver's breakup control block,
 *     as the kernel did for them (physiock's path);
 *   - block devices: the kernel's buffers, whole sectors, handed to the
 *     driver's strategy (or biostart) and copied to or from the user;
 *   - STREAMS devices: a stream head (ddisim_stream(3)).
 *
 * close(D2) is called on the last close of a device number and open
 * type, as the kernel did; every layered open is closed on its own.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include "util/forklock.h"
#include "machine/entry.h"
#include "machine/machine.h"
#include "verify/verify.h"
#include "verify/wait.h"
#include "kmem/kmem_obj.h"
#include "kern/kern.h"
#include "proc/proc.h"
#include "streams/streams.h"
#include "bio/bio.h"
#include "iomem/iomem.h"
#include "host/host.h"

#include "sys/types.h"
#include "sys/buf.h"
#include "sys/conf.h"
#include "sys/cred.h"
#include "sys/file.h"
#include "sys/open.h"
#include "sys/poll.h"
#include "sys/stream.h"
#include "sys/stropts.h"
#include "sys/uio.h"
#include "ddicompat/ddisim.h"
#include "ddicompat/host.h"
#include "exports.h"

#define FILE_LIVE	0x66696c65u	/* "file" */
#define BLK_CHUNK	(64 * 1024)	/* a block transfer's largest buffer */

struct umap {
	struct umap	*next;
	void		*uva;
	size_t		len;
};

struct ddisim_file {
	LIST_ENTRY(ddisim_file) link;
	uint32_t	magic;
	struct ddisim_drv *d;		/* held while the file is open */
	struct proc	*p;
	dev_t		dev;		/* after a clone open */
	unsigned	inst, chan;
	int		otyp, oflag;
	int64_t		off;
	struct __ddi_stream *str;	/* a STREAMS device */
	struct str_opener opener;	/* its DDI 8 open and close */
	chan_handle_t	ch;		/* a DDI 8 device that is not STREAMS */
	struct umap	*maps;
	bool		busy;		/* being closed */
	unsigned	calls;		/* calls under way on it, close's too */
};

static FORK_MUTEX(file_lock);
static pthread_cond_t file_cv = PTHREAD_COND_INITIALIZER;
static LIST_HEAD(, ddisim_file) files = LIST_HEAD_INITIALIZER(files);

/* ---- running in the file's process ---- */

struct inproc {
	struct proc	*saved;
};

static void
proc_in(struct inproc *ip, struct proc *p)
{
	struct proc *_Atomic *slot = proc_cur_slot();

	ip->saved = atomic_load(slot);
	atomic_store(slot, p);
}

static void
proc_out(struct inproc *ip)
{
	atomic_store(proc_cur_slot(), ip->saved);
}

/*
 * The open file f, held for the call (calls): NULL after a report when f
 * is not one.  A file being closed is not one: its close waits for the
 * calls under way to end, as a file's last reference ended it.
 */
static struct ddisim_file *
file_check(ddisim_file_t *f, const char *func, const void *caller)
{
	struct ddisim_file *x;

	pthread_mutex_lock(&file_lock);
	LIST_FOREACH(x, &files, link)
		if (x == f && x->magic == FILE_LIVE && !x->busy)
			break;
	if (x != NULL)
		x->calls++;
	pthread_mutex_unlock(&file_lock);
	if (x == NULL)
		verify_report(func, caller, "%p is not an open file (never "
		    "returned by ddisim_dev_open, or closed)", (void *)f);
	return x;
}

static void
file_put(struct ddisim_file **fp)
{
	if (*fp == NULL)
		return;
	pthread_mutex_lock(&file_lock);
	if (--(*fp)->calls <= 1)
		pthread_cond_broadcast(&file_cv);
	pthread_mutex_unlock(&file_lock);
}

/* A file held until the end of the block that names it. */
#define FILE_HELD	__attribute__((__cleanup__(file_put)))

/* Whether [u, u+len) is all mapped in p. */
static bool
user_ok(struct proc *p, const void *u, size_t len)
{
	return len == 0 || bio_user_mapped(p, u, len);
}

/* ---- DDI 8 STREAMS devices: d_open and d_close take the queue ---- */

static int
d8_stropen(void *arg, queue_t *rq, dev_t *devp, int oflag, int sflag,
    struct cred *cr)
{
	struct ddisim_file *f = arg;
	const drvops_t *ops = host_drv_info(f->d)->drv_ops;
	channel_t ch = f->chan;
	uint32_t key;
	void *idata;
	int rc;

	(void)devp;
	(void)sflag;
	if (ops->d_open == NULL)
		return 0;
	if ((rc = host_drv_inst(f->d, f->inst, &key, &idata)) != 0)
		return rc;
	if ((rc = ops->d_open(idata, &ch, oflag, cr, rq)) == 0)
		f->chan = ch;
	return rc;
}

static int
d8_strclose(void *arg, queue_t *rq, int oflag, struct cred *cr)
{
	struct ddisim_file *f = arg;
	const drvops_t *ops = host_drv_info(f->d)->drv_ops;
	uint32_t key;
	void *idata;

	if (ops->d_close == NULL ||
	    host_drv_inst(f->d, f->inst, &key, &idata) != 0)
		return 0;
	return ops->d_close(idata, f->chan, oflag, cr, rq);
}

/* ---- open and close ---- */

/* Other files open on (dev, otyp), besides f (file_lock held). */
static unsigned
others_on(const struct ddisim_file *f)
{
	const struct ddisim_file *x;
	unsigned n = 0;

	LIST_FOREACH(x, &files, link)
		if (x != f && x->magic == FILE_LIVE && x->dev == f->dev &&
		    x->otyp == f->otyp)
			n++;
	return n;
}

static int
open_device(struct ddisim_file *f, const char *func, const void *caller)
{
	struct ddisim_drv *d = f->d;
	const struct streamtab *tab;
	struct cred *cr = proc_cred(f->p);
	int devflag, rc = 0;
	bool in;

	tab = host_drv_streamtab(d, &devflag);
	if (tab != NULL) {
		if (f->otyp != OTYP_CHR)
			return ENXIO;
		if (host_drv_level(d) >= 80) {
			dev_t dev = f->dev;

			f->opener.open = d8_stropen;
			f->opener.close = d8_strclose;
			f->opener.arg = f;
			rc = str_head_open(tab, devflag, &dev, f->oflag, 0, cr,
			    &f->opener, &f->str, func, caller);
			if (rc == 0) {
				dev = host_drv_dev(d, f->inst, f->chan);
				if (dev == NODEV) {
					verify_report(func, caller, "%s: its "
					    "d_open chose channel %u, past its "
					    "drv_maxchan", host_drv_name(d),
					    f->chan);
				} else {
					f->dev = dev;
				}
			}
			return rc;
		}
		return str_head_open(tab, devflag, &f->dev, f->oflag, 0, cr,
		    NULL, &f->str, func, caller);
	}
	if (host_drv_level(d) >= 80) {
		const drvinfo_t *info = host_drv_info(d);
		channel_t ch = f->chan;
		uint32_t key;
		void *idata;

		if (f->otyp == OTYP_BLK && info->drv_ops->d_biostart == NULL)
			return ENXIO;
		if ((rc = host_drv_inst(d, f->inst, &key, &idata)) != 0)
			return rc;
		in = host_drv_enter(d);
		rc = drv_open(key, &ch, f->oflag, cr, &f->ch);
		host_drv_leave(in);
		if (rc != 0)
			return rc;
		f->chan = ch;
		if ((f->dev = host_drv_dev(d, f->inst, ch)) == NODEV) {
			verify_report(func, caller, "%s: its d_open chose "
			    "channel %u, past its drv_maxchan",
			    host_drv_name(d), ch);
			f->dev = host_drv_dev(d, f->inst, 0);
		}
		return 0;
	}
	{
		const struct host_ops *o = host_drv_ops(d);

		if (f->otyp == OTYP_BLK && o->strategy == NULL)
			return ENXIO;
		if (o->open != NULL) {
			in = host_drv_enter(d);
			rc = o->open(&f->dev, f->oflag, f->otyp, cr);
			host_drv_leave(in);
		}
	}
	return rc;
}

static int
close_device(struct ddisim_file *f, bool last)
{
	struct ddisim_drv *d = f->d;
	struct cred *cr = proc_cred(f->p);
	int rc = 0;
	bool in;

	if (f->str != NULL)
		return ddisim_stream_close(f->str);
	if (host_drv_level(d) >= 80)
	{
		in = host_drv_enter(d);
		rc = drv_close(f->ch, f->oflag, cr);
		host_drv_leave(in);
		return rc;
	}
	if ((last || f->otyp == OTYP_LYR) && host_drv_ops(d)->close != NULL) {
		in = host_drv_enter(d);
		rc = host_drv_ops(d)->close(f->dev, f->oflag, f->otyp, cr);
		host_drv_leave(in);
	}
	return rc;
}

DDI_ENTRY(int, ddisim_dev_open, (struct proc *p, dev_t dev, int otyp,
    int oflag, ddisim_file_t **fp), (p, dev, otyp, oflag, fp))
{
	const void *caller = DDI_CALLER;
	struct ddisim_file *f;
	struct inproc ip;
	int rc;

	if (fp == NULL) {
		verify_report(DDI_FUNC, caller, "NULL file pointer");
		return EINVAL;
	}
	*fp = NULL;
	if (!proc_live(p, DDI_FUNC, caller))
		return EINVAL;
	if (otyp != OTYP_CHR && otyp != OTYP_BLK && otyp != OTYP_LYR) {
		verify_report(DDI_FUNC, caller, "open type %d is none of "
		    "DDISIM_CHR, DDISIM_BLK, OTYP_LYR", otyp);
		return EINVAL;
	}
	if ((oflag & (FREAD | FWRITE)) == 0)
		return EINVAL;		/* as open(2) with neither */
	if ((f = calloc(1, sizeof(*f))) == NULL)
		return ENOMEM;
	if ((f->d = host_drv_hold(dev, &f->inst, &f->chan)) == NULL) {
		free(f);
		return ENXIO;
	}
	f->p = p;
	f->dev = dev;
	f->otyp = otyp;
	f->oflag = oflag;
	proc_in(&ip, p);
	rc = open_device(f, DDI_FUNC, caller);
	proc_out(&ip);
	if (rc != 0) {
		host_drv_rele(f->d);
		free(f);
		return rc;
	}
	f->magic = FILE_LIVE;
	pthread_mutex_lock(&file_lock);
	LIST_INSERT_HEAD(&files, f, link);
	pthread_mutex_unlock(&file_lock);
	*fp = f;
	return 0;
}

static int
file_close(struct ddisim_file *f, const char *func, const void *caller)
{
	struct inproc ip;
	bool last;
	int rc;

	pthread_mutex_lock(&file_lock);
	f->busy = true;
	if (f->calls > 1) {		/* the others under way end first */
		struct vwait w;

		vwait_start(&w, VWAIT_KEEP, func, caller);
		while (f->calls > 1)
			(void)vwait_cond(&w, &file_cv, &file_lock, "%u other "
			    "call%s on the file still under way in the "
			    "driver", f->calls - 1, f->calls == 2 ? "" : "s");
	}
	last = others_on(f) == 0;
	pthread_mutex_unlock(&file_lock);
	proc_in(&ip, f->p);
	while (f->maps != NULL) {
		struct umap *m = f->maps;

		f->maps = m->next;
		(void)iomem_uunmap(m->uva, m->len, func, caller);
		free(m);
	}
	rc = close_device(f, last);
	proc_out(&ip);
	pthread_mutex_lock(&file_lock);
	LIST_REMOVE(f, link);
	f->magic = 0;
	pthread_mutex_unlock(&file_lock);
	host_drv_rele(f->d);
	free(f);
	return rc;
}

DDI_ENTRY(int, ddisim_dev_close, (ddisim_file_t *fp), (fp))
{
	struct ddisim_file *f;

	if ((f = file_check(fp, DDI_FUNC, DDI_CALLER)) == NULL)
		return EINVAL;
	return file_close(f, DDI_FUNC, DDI_CALLER);
}

/* ---- read and write ---- */

/* DDI 8 raw I/O: physiock's path, each request to the channel. */
static DDI_TLS chan_handle_t raw_ch;

static void
raw_strat(buf_t *bp)
{
	do_biostart(raw_ch, bp);
}

/*
 * One request of the kernel's buffer kb: count bytes from byte first of
 * the device, to the driver's strategy (or biostart) and waited for.
 */
static int
blk_request(struct ddisim_file *f, buf_t *bp, int flags, uint8_t *kb,
    size_t count, int64_t first)
{
	bool in;

	bioreset(bp);
	bp->b_flags = flags;
	bp->b_un.b_addr = (caddr_t)kb;
	bp->b_bcount = count;
	bp->b_blkno = (daddr_t)(first / NBPSCTR);
	bp->b_edev = f->dev;
	in = host_drv_enter(f->d);
	if (host_drv_level(f->d) >= 80)
		do_biostart(f->ch, bp);
	else
		host_drv_ops(f->d)->strategy(bp);
	host_drv_leave(in);
	return biowait(bp);
}

/* Block I/O through kernel buffers, whole sectors. */
static int
blk_io(struct ddisim_file *f, uint8_t *u, size_t len, bool rd,
    size_t *done)
{
	int64_t off = f->off;
	uint8_t *kb;
	buf_t *bp;
	int rc = 0;

	*done = 0;
	if (off < 0)
		return EINVAL;
	if ((bp = getrbuf(KM_SLEEP)) == NULL)
		return ENOMEM;
	if ((kb = kmem_alloc(BLK_CHUNK, KM_SLEEP)) == NULL) {
		freerbuf(bp);
		return ENOMEM;
	}
	while (*done < len && rc == 0) {
		int64_t pos = off + (int64_t)*done;
		int64_t first = pos - pos % NBPSCTR;
		size_t skip = (size_t)(pos - first);
		size_t want = len - *done;
		size_t span = (skip + want + NBPSCTR - 1) / NBPSCTR * NBPSCTR;
		size_t n, got;

		if (span > BLK_CHUNK)
			span = BLK_CHUNK;
		n = span - skip < want ? span - skip : want;
		/* a write of part of a sector reads the sector first */
		if (rd || skip != 0 || n % NBPSCTR != 0) {
			if ((rc = blk_request(f, bp, B_READ, kb, span,
			    first)) != 0)
				break;
			got = span - (size_t)bp->b_resid;
			if (got <= skip)
				break;		/* the end of the device */
			if (got - skip < n)
				n = got - skip;
		}
		if (rd) {
			if (proc_copy(f->p, u + *done, kb + skip, n, false)
			    != 0) {
				rc = EFAULT;
				break;
			}
		} else {
			if (proc_copy(f->p, u + *done, kb + skip, n, true)
			    != 0) {
				rc = EFAULT;
				break;
			}
			if ((rc = blk_request(f, bp, B_WRITE, kb,
			    (skip + n + NBPSCTR - 1) / NBPSCTR * NBPSCTR,
			    first)) != 0)
				break;
			if ((size_t)bp->b_resid >= bp->b_bcount - skip)
				break;
		}
		*done += n;
	}
	kmem_free(kb, BLK_CHUNK);
	freerbuf(bp);
	return rc;
}

/*
 * A stream's read or write: the head moves kernel memory, so the user's
 * bytes go through a buffer of the kernel's, as copyin and copyout did.
 */
static int
stream_rw(struct ddisim_file *f, uint8_t *ubuf, size_t len, size_t *done,
    bool rd)
{
	uint8_t *kb = malloc(len);
	int rc;

	if (kb == NULL)
		return ENOMEM;
	if (rd) {
		rc = ddisim_stream_read(f->str, kb, len, done);
		if (*done > 0 && proc_copy(f->p, ubuf, kb, *done, false) != 0)
			rc = EFAULT;
	} else if (proc_copy(f->p, ubuf, kb, len, true) != 0) {
		rc = EFAULT;
	} else {
		rc = ddisim_stream_write(f->str, kb, len, done);
	}
	free(kb);
	return rc;
}

static int
file_rw(ddisim_file_t *fp, void *ubuf, size_t len, size_t *done, bool rd,
    const char *func, const void *caller)
{
	struct ddisim_file *f FILE_HELD = NULL;
	struct inproc ip;
	size_t dummy;
	int rc;

	if (done == NULL)
		done = &dummy;
	*done = 0;
	if ((f = file_check(fp, func, caller)) == NULL)
		return EINVAL;
	if (!(f->oflag & (rd ? FREAD : FWRITE)))
		return EBADF;
	if (len > INT32_MAX)
		return EINVAL;
	if (len == 0)
		return 0;
	proc_in(&ip, f->p);
	if (!user_ok(f->p, ubuf, len)) {
		rc = EFAULT;
	} else if (f->str != NULL) {
		rc = stream_rw(f, ubuf, len, done, rd);
	} else if (f->otyp == OTYP_BLK) {
		rc = blk_io(f, ubuf, len, rd, done);
	} else {
		iovec_t iov = { (caddr_t)ubuf, (long)len };
		uio_t u;

		memset(&u, 0, sizeof(u));
		u.uio_iov = &iov;
		u.uio_iovcnt = 1;
		u.uio_offset = (int32_t)f->off;
		u.uio_segflg = UIO_USERSPACE;
		u.uio_fmode = (short)f->oflag;
		u.uio_limit = INT32_MAX;
		u.uio_resid = (int)len;
		if (host_drv_level(f->d) >= 80) {
			chan_handle_t saved = raw_ch;

			raw_ch = f->ch;
			bool in = host_drv_enter(f->d);

			rc = raw_io(raw_strat, NULL, f->dev, rd ? B_READ :
			    B_WRITE, UINT64_MAX, &u, func, caller);
			host_drv_leave(in);
			raw_ch = saved;
		} else {
			const struct host_ops *o = host_drv_ops(f->d);
			int (*fn)(dev_t, uio_t *, struct cred *) = rd ?
			    o->read : o->write;
			bool in;

			if (fn == NULL) {
				rc = ENODEV;
			} else {
				in = host_drv_enter(f->d);
				rc = fn(f->dev, &u, proc_cred(f->p));
				host_drv_leave(in);
			}
		}
		*done = len - (size_t)u.uio_resid;
	}
	proc_out(&ip);
	if (f->str == NULL)
		f->off += (int64_t)*done;
	return rc;
}

DDI_ENTRY(int, ddisim_dev_read, (ddisim_file_t *fp, void *ubuf, size_t len,
    size_t *done), (fp, ubuf, len, done))
{
	return file_rw(fp, ubuf, len, done, true, DDI_FUNC, DDI_CALLER);
}

DDI_ENTRY(int, ddisim_dev_write, (ddisim_file_t *fp, const void *ubuf,
    size_t len, size_t *done), (fp, ubuf, len, done))
{
	return file_rw(fp, (void *)(uintptr_t)ubuf, len, done, false,
	    DDI_FUNC, DDI_CALLER);
}

DDI_ENTRY(int, ddisim_dev_seek, (ddisim_file_t *fp, int64_t offset),
    (fp, offset))
{
	struct ddisim_file *f FILE_HELD = NULL;

	if ((f = file_check(fp, DDI_FUNC, DDI_CALLER)) == NULL)
		return EINVAL;
	if (f->str != NULL)
		return ESPIPE;
	if (offset < 0 || offset > INT32_MAX)
		return EINVAL;
	f->off = offset;
	return 0;
}

/* ---- ioctl ---- */

/* Copy between the process and the kernel: 0 or EFAULT. */
static int
ucopy(struct ddisim_file *f, intptr_t u, void *k, size_t n, bool in)
{
	return proc_copy(f->p, (uint8_t *)u, k, n, in) != 0 ? EFAULT : 0;
}

/*
 * The stream head's ioctls, whose arguments the head reads and writes in
 * the kernel: copied in from the process and back out, as the system
 * call did.  I_LINK and I_PLINK name the lower stream by its file (the
 * ddisim_file_t the program opened it as); I_PUSH's name and transparent
 * ioctls the head reads from the process itself.
 */
static int
stream_ioctl(struct ddisim_file *f, int cmd, intptr_t arg, int *rvalp,
    const char *func, const void *caller)
{
	struct strioctl sio;
	struct bandinfo bi;
	char name[FMNAMESZ + 1];
	char *kdata = NULL;
	int v = 0, rc;

	switch (cmd) {
	case I_STR:
		if ((rc = ucopy(f, arg, &sio, sizeof(sio), true)) != 0)
			return rc;
		if (sio.ic_len < 0)
			return EINVAL;
		if (sio.ic_len > 0) {
			if ((kdata = malloc((size_t)sio.ic_len)) == NULL)
				return ENOMEM;
			if ((rc = ucopy(f, (intptr_t)sio.ic_dp, kdata,
			    (size_t)sio.ic_len, true)) != 0) {
				free(kdata);
				return rc;
			}
		}
		{
			char *udp = sio.ic_dp;

			sio.ic_dp = kdata;
			rc = ddisim_stream_ioctl(f->str, I_STR,
			    (intptr_t)&sio, rvalp);
			sio.ic_dp = udp;
		}
		if (rc == 0 && sio.ic_len > 0)
			rc = ucopy(f, (intptr_t)sio.ic_dp, kdata,
			    (size_t)sio.ic_len, false);
		if (rc == 0)
			rc = ucopy(f, arg, &sio, sizeof(sio), false);
		free(kdata);
		return rc;
	case I_NREAD:
	case I_GRDOPT:
		if ((rc = ddisim_stream_ioctl(f->str, cmd, (intptr_t)&v,
		    rvalp)) != 0)
			return rc;
		return arg == 0 && cmd == I_NREAD ? 0 :
		    ucopy(f, arg, &v, sizeof(v), false);
	case I_LOOK:
		if ((rc = ddisim_stream_ioctl(f->str, cmd, (intptr_t)name,
		    rvalp)) != 0)
			return rc;
		return ucopy(f, arg, name, strlen(name) + 1, false);
	case I_FLUSHBAND:
		if ((rc = ucopy(f, arg, &bi, sizeof(bi), true)) != 0)
			return rc;
		return ddisim_stream_ioctl(f->str, cmd, (intptr_t)&bi, rvalp);
	case I_LINK:
	case I_PLINK: {
		struct ddisim_file *lower FILE_HELD = file_check(
		    (ddisim_file_t *)arg, func, caller);

		if (lower == NULL)
			return EINVAL;
		if (lower->str == NULL)
			return EINVAL;	/* not a stream */
		return ddisim_stream_ioctl(f->str, cmd, (intptr_t)lower->str,
		    rvalp);
	}
	default:
		return ddisim_stream_ioctl(f->str, cmd, arg, rvalp);
	}
}

DDI_ENTRY(int, ddisim_dev_ioctl, (ddisim_file_t *fp, int cmd, intptr_t arg,
    int *rvalp), (fp, cmd, arg, rvalp))
{
	struct ddisim_file *f FILE_HELD = NULL;
	struct inproc ip;
	int rval = 0, rc;

	if ((f = file_check(fp, DDI_FUNC, DDI_CALLER)) == NULL)
		return EINVAL;
	proc_in(&ip, f->p);
	if (f->str != NULL) {
		rc = stream_ioctl(f, cmd, arg, &rval, DDI_FUNC, DDI_CALLER);
	} else if (host_drv_level(f->d) >= 80) {
		bool in = host_drv_enter(f->d);

		rc = do_ioctl(f->ch, cmd, (void *)arg, f->oflag,
		    proc_cred(f->p), &rval);
		host_drv_leave(in);
	} else if (host_drv_ops(f->d)->ioctl == NULL) {
		rc = ENOTTY;
	} else {
		bool in = host_drv_enter(f->d);

		rc = host_drv_ops(f->d)->ioctl(f->dev, cmd, (void *)arg,
		    f->oflag, proc_cred(f->p), &rval);
		host_drv_leave(in);
	}
	proc_out(&ip);
	if (rvalp != NULL)
		*rvalp = rval;
	return rc;
}

/* ---- mmap ---- */

DDI_ENTRY(int, ddisim_dev_mmap, (ddisim_file_t *fp, int64_t offset,
    size_t len, int prot, void **uaddrp), (fp, offset, len, prot, uaddrp))
{
	const void *caller = DDI_CALLER;
	size_t pg, npages;
	struct ddisim_file *f FILE_HELD = NULL;
	struct inproc ip;
	struct umap *m;
	uint64_t *pa;
	int rc = 0;

	if ((f = file_check(fp, DDI_FUNC, caller)) == NULL)
		return EINVAL;
	if (uaddrp == NULL) {
		verify_report(DDI_FUNC, caller, "NULL address pointer");
		return EINVAL;
	}
	pg = machine->spec.page;
	if (len == 0 || offset < 0 || (uint64_t)offset % pg != 0)
		return EINVAL;
	if (f->str != NULL)
		return ENODEV;
	npages = (len + pg - 1) / pg;
	if ((pa = calloc(npages, sizeof(*pa))) == NULL ||
	    (m = calloc(1, sizeof(*m))) == NULL) {
		free(pa);
		return ENOMEM;
	}
	proc_in(&ip, f->p);
	for (size_t i = 0; i < npages && rc == 0; i++) {
		int64_t o = offset + (int64_t)(i * pg);
		ppid_t pp;

		if (host_drv_level(f->d) >= 80) {
			const drvops_t *ops = host_drv_info(f->d)->drv_ops;
			uint32_t key;
			void *idata;

			if (ops->d_mmap == NULL) {
				rc = ENODEV;
				break;
			}
			if ((rc = host_drv_inst(f->d, f->inst, &key, &idata))
			    != 0)
				break;
			{
				bool in = host_drv_enter(f->d);

				pp = ops->d_mmap(idata, f->chan, (size_t)o,
				    prot);
				host_drv_leave(in);
			}
		} else {
			const struct host_ops *o8 = host_drv_ops(f->d);
			bool in;

			if (o8->mmap == NULL) {
				rc = ENODEV;
				break;
			}
			in = host_drv_enter(f->d);
			pp = (ppid_t)o8->mmap(f->dev, (off_t)o, (unsigned)prot);
			host_drv_leave(in);
		}
		if (pp == NOPAGE)
			rc = ENXIO;
		else
			pa[i] = pptophys(pp);
	}
	if (rc == 0)
		rc = iomem_umap(pa, npages, &m->uva, DDI_FUNC, caller);
	proc_out(&ip);
	free(pa);
	if (rc != 0) {
		free(m);
		return rc;
	}
	m->len = npages * pg;
	pthread_mutex_lock(&file_lock);
	m->next = f->maps;
	f->maps = m;
	pthread_mutex_unlock(&file_lock);
	*uaddrp = m->uva;
	return 0;
}

DDI_ENTRY(int, ddisim_dev_munmap, (ddisim_file_t *fp, void *uaddr,
    size_t len), (fp, uaddr, len))
{
	const void *caller = DDI_CALLER;
	struct ddisim_file *f FILE_HELD = NULL;
	struct umap *m, **pp;
	struct inproc ip;
	size_t pg;
	int rc;

	if ((f = file_check(fp, DDI_FUNC, caller)) == NULL)
		return EINVAL;
	pg = machine->spec.page;
	pthread_mutex_lock(&file_lock);
	for (pp = &f->maps; (m = *pp) != NULL && m->uva != uaddr;
	    pp = &m->next)
		;
	if (m == NULL || m->len != (len + pg - 1) / pg * pg) {
		pthread_mutex_unlock(&file_lock);
		verify_report(DDI_FUNC, caller, "%p+%#zx is not a mapping "
		    "ddisim_dev_mmap made on this file", uaddr, len);
		return EINVAL;
	}
	*pp = m->next;
	pthread_mutex_unlock(&file_lock);
	proc_in(&ip, f->p);
	rc = iomem_uunmap(m->uva, m->len, DDI_FUNC, caller);
	proc_out(&ip);
	free(m);
	return rc;
}

/* ---- poll ---- */

/* Whether a signal is pending for the process p. */
static bool
signalled(void *p)
{
	return ddisim_proc_signals(p) != 0;
}

DDI_ENTRY(int, ddisim_dev_poll, (ddisim_file_t *fp, short events,
    int timeout_ms, short *reventsp), (fp, events, timeout_ms, reventsp))
{
	const void *caller = DDI_CALLER;
	struct ddisim_file *f FILE_HELD = NULL;
	struct inproc ip;
	short rev = 0;
	int rc = 0;

	if ((f = file_check(fp, DDI_FUNC, caller)) == NULL)
		return EINVAL;
	if (reventsp == NULL) {
		verify_report(DDI_FUNC, caller, "NULL revents pointer");
		return EINVAL;
	}
	proc_in(&ip, f->p);
	if (f->str != NULL) {
		rc = str_head_poll_wait(f->str, events, timeout_ms, &rev,
		    signalled, f->p, DDI_FUNC, caller);
	} else if (host_drv_level(f->d) >= 80 ||
	    host_drv_ops(f->d)->chpoll == NULL) {
		/* no chpoll: always ready, as the kernel said */
		rev = events & (POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM);
	} else {
		const struct host_ops *o = host_drv_ops(f->d);
		int anyyet = 0;

		for (;;) {
			struct pollhead *php = NULL;
			bool in = host_drv_enter(f->d);
			int w;

			rev = 0;
			rc = o->chpoll(f->dev, events, anyyet, &rev, &php);
			host_drv_leave(in);
			if (rc != 0 || rev != 0 || timeout_ms == 0)
				break;
			if (php == NULL) {
				verify_report(DDI_FUNC, caller, "%s: its chpoll "
				    "found no event and returned no pollhead "
				    "to sleep on", host_drv_name(f->d));
				rc = EINVAL;
				break;
			}
			w = ddisim_poll_wait(php, events, timeout_ms);
			if (w < 0) {
				rc = EINTR;
				break;
			}
			if (w == 0)
				break;		/* timed out */
			anyyet = 0;		/* ask again for revents */
		}
	}
	proc_out(&ip);
	*reventsp = rev;
	return rc;
}

/* ---- what the kernel asked of a device besides I/O ---- */

/* A DDI 8 file's entry points and instance data: 0 or ENXIO. */
static int
d8_view(struct ddisim_file *f, const drvops_t **opsp, void **idatap)
{
	uint32_t key;

	*opsp = host_drv_info(f->d)->drv_ops;
	return host_drv_inst(f->d, f->inst, &key, idatap);
}

DDI_ENTRY(int, ddisim_dev_size, (ddisim_file_t *fp, uint64_t *blocksp),
    (fp, blocksp))
{
	const void *caller = DDI_CALLER;
	struct ddisim_file *f FILE_HELD = NULL;
	struct inproc ip;
	int rc = 0;

	if ((f = file_check(fp, DDI_FUNC, caller)) == NULL)
		return EINVAL;
	if (blocksp == NULL) {
		verify_report(DDI_FUNC, caller, "NULL size pointer");
		return EINVAL;
	}
	proc_in(&ip, f->p);
	if (host_drv_level(f->d) >= 80) {
		const drvops_t *ops;
		devsize_t ds;
		void *idata;

		memset(&ds, 0, sizeof(ds));
		if ((rc = d8_view(f, &ops, &idata)) == 0) {
			bool in = host_drv_enter(f->d);

			rc = ops->d_devinfo == NULL ? ENODEV :
			    ops->d_devinfo(idata, f->chan, DI_SIZE, &ds);
			host_drv_leave(in);
		}
		if (rc == 0)
			*blocksp = (uint64_t)(uint32_t)ds.blkno;
	} else if (host_drv_ops(f->d)->size == NULL) {
		rc = ENODEV;
	} else {
		bool in = host_drv_enter(f->d);
		int n = host_drv_ops(f->d)->size(f->dev);

		host_drv_leave(in);
		if (n < 0)
			rc = ENXIO;	/* size(D2): -1 for no such device */
		else
			*blocksp = (uint64_t)n;
	}
	proc_out(&ip);
	return rc;
}

DDI_ENTRY(int, ddisim_dev_devinfo, (ddisim_file_t *fp, int parm,
    void *valp), (fp, parm, valp))
{
	struct ddisim_file *f FILE_HELD = NULL;
	struct inproc ip;
	int rc;

	if ((f = file_check(fp, DDI_FUNC, DDI_CALLER)) == NULL)
		return EINVAL;
	proc_in(&ip, f->p);
	if (host_drv_level(f->d) >= 80) {
		const drvops_t *ops;
		void *idata;

		if ((rc = d8_view(f, &ops, &idata)) == 0) {
			bool in = host_drv_enter(f->d);

			rc = ops->d_devinfo == NULL ? ENODEV :
			    ops->d_devinfo(idata, f->chan, (di_parm_t)parm,
			    valp);
			host_drv_leave(in);
		}
	} else if (host_drv_ops(f->d)->devinfo == NULL) {
		rc = ENODEV;
	} else {
		bool in = host_drv_enter(f->d);

		rc = host_drv_ops(f->d)->devinfo(f->dev, parm, valp);
		host_drv_leave(in);
	}
	proc_out(&ip);
	return rc;
}

DDI_ENTRY(int, ddisim_dev_drvctl, (ddisim_file_t *fp, int cmd, void *arg),
    (fp, cmd, arg))
{
	struct ddisim_file *f FILE_HELD = NULL;
	const drvops_t *ops;
	struct inproc ip;
	void *idata;
	int rc;

	if ((f = file_check(fp, DDI_FUNC, DDI_CALLER)) == NULL)
		return EINVAL;
	if (host_drv_level(f->d) < 80)
		return ENODEV;		/* drvctl is DDI 8's */
	proc_in(&ip, f->p);
	if ((rc = d8_view(f, &ops, &idata)) == 0) {
		bool in = host_drv_enter(f->d);

		rc = ops->d_drvctl == NULL ? ENODEV :
		    ops->d_drvctl(idata, f->chan, cmd, arg);
		host_drv_leave(in);
	}
	proc_out(&ip);
	return rc;
}

DDI_ENTRY(int, ddisim_dev_print, (ddisim_file_t *fp, const char *msg),
    (fp, msg))
{
	const void *caller = DDI_CALLER;
	struct ddisim_file *f FILE_HELD = NULL;
	char buf[256];
	int rc;

	if ((f = file_check(fp, DDI_FUNC, caller)) == NULL)
		return EINVAL;
	if (msg == NULL) {
		verify_report(DDI_FUNC, caller, "NULL message");
		return EINVAL;
	}
	if (host_drv_level(f->d) >= 80 || host_drv_ops(f->d)->print == NULL)
		return ENODEV;
	/* the driver's print takes a writable string */
	(void)snprintf(buf, sizeof(buf), "%s", msg);
	{
		struct inproc ip;
		bool in;

		proc_in(&ip, f->p);
		in = host_drv_enter(f->d);
		rc = host_drv_ops(f->d)->print(f->dev, buf);
		host_drv_leave(in);
		proc_out(&ip);
	}
	return rc;
}

DDI_ENTRY(dev_t, ddisim_dev_number, (ddisim_file_t *fp), (fp))
{
	struct ddisim_file *f FILE_HELD = NULL;

	if ((f = file_check(fp, DDI_FUNC, DDI_CALLER)) == NULL)
		return NODEV;
	return f->dev;
}

DDI_ENTRY(struct __ddi_stream *, ddisim_dev_stream, (ddisim_file_t *fp),
    (fp))
{
	struct ddisim_file *f FILE_HELD = NULL;

	if ((f = file_check(fp, DDI_FUNC, DDI_CALLER)) == NULL)
		return NULL;
	return f->str;
}

/* ---- for drv.c and the machine ---- */

unsigned
host_files_on(const struct ddisim_drv *d, int inst)
{
	struct ddisim_file *f;
	unsigned n = 0;

	pthread_mutex_lock(&file_lock);
	LIST_FOREACH(f, &files, link)
		if (f->d == d && (inst < 0 || f->inst == (unsigned)inst))
			n++;
	pthread_mutex_unlock(&file_lock);
	return n;
}

size_t
host_files_leak_report(FILE *out)
{
	struct ddisim_file *f;
	size_t n = 0;

	pthread_mutex_lock(&file_lock);
	LIST_FOREACH(f, &files, link) {
		n++;
		if (out != NULL)
			fprintf(out, "ddicompat: leak: device %u,%u (%s) was "
			    "opened and never closed (ddisim_dev_close)\n",
			    (unsigned)getemajor(f->dev),
			    (unsigned)geteminor(f->dev), host_drv_name(f->d));
	}
	pthread_mutex_unlock(&file_lock);
	return n;
}

void
host_files_fini(void)
{
	pthread_mutex_lock(&file_lock);
	while (!LIST_EMPTY(&files)) {
		struct ddisim_file *f = LIST_FIRST(&files);

		LIST_REMOVE(f, link);
		while (f->maps != NULL) {
			struct umap *m = f->maps;

			f->maps = m->next;
			free(m);
		}
		f->magic = 0;
		free(f);
	}
	pthread_mutex_unlock(&file_lock);
}
