/*
 * sys/buf.h - block I/O requests (buf(9)) and breakup control blocks
 * (bcb(9)).
 *
 * The members keep the order of the UnixWare 7 structure and the i386
 * widths; pointers keep the host's width.  A buf must come from getrbuf
 * (or from the library): its size is not part of the interface, and the
 * library keeps state after the documented members.
 */
#ifndef DDICOMPAT_SYS_BUF_H
#define DDICOMPAT_SYS_BUF_H

#include <sys/types.h>
#include <sys/kmem.h>
#include <sys/scgth.h>

__DDI_BEGIN_DECLS

struct page;
struct uio;

/* Completion routine: unprototyped, as in the original. */
#ifdef __cplusplus
typedef void	(*__ddi_iodone_t)(struct buf *);
#else
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wstrict-prototypes"
typedef void	(*__ddi_iodone_t)();
#pragma GCC diagnostic pop
#endif

/* A physical scatter/gather element of the pre-DDI 8 BA_SCGTH form. */
typedef struct ba_scgth {
	paddr_t		sg_base;	/* physical address */
	uint32_t	sg_size;	/* bytes */
} ba_scgth_t;

typedef struct buf {
	uint_t		b_flags;	/* B_* */
	union {
		struct buf	*_b_forw;
		proc_t		*_b_orig_proc;
	} _b_un1;
	struct buf	*b_back;
	struct buf	*av_forw;	/* the driver's queue links */
	struct buf	*av_back;
	ushort_t	b_scgth_count;	/* BA_SCGTH elements, before DDI 8 */
	ushort_t	b_blkoff;	/* byte offset inside b_blkno */
	uint_t		b_bcount;	/* bytes to transfer */
	union {
		caddr_t		b_addr;		/* virtual address */
		void		*b_ptr;
		daddr_t		*b_daddr;
		paddr_t		b_paddr;	/* BA_PHYS */
		ba_scgth_t	*b_scgth;	/* BA_SCGTH, before DDI 8 */
		struct uio	*b_uio;		/* BA_UIO */
	} b_un;
	daddr_t		b_blkno;	/* first 512-byte block */
	char		_b_pad2;
	uchar_t		b_numpages;	/* pages of b_pages in the I/O */
	uchar_t		b_addrtype;	/* BA_* of b_un */
	uchar_t		b_orig_type;	/* private to buf_breakup */
	uint_t		b_resid;	/* bytes not transferred */
	union {
		void		*un_ptr;
		int		un_int;
		long_t		un_long;
		daddr_t		un_daddr;
	} b_priv2;			/* the driver's */
	clock_t		b_start;	/* lbolt when the I/O started */
	proc_t		*b_proc;	/* BA_UVIRT: the process */
	struct page	*b_pages;	/* BA_PAGELIST: the pages */
	clock_t		b_reltime;	/* private */
	long_t		b_bufsize;	/* bytes of the data buffer */
	__ddi_iodone_t	b_iodone;	/* biodone calls it instead */
	void		*b_misc;	/* the controlling agent's */
	int		b_childcnt;	/* private to buf_breakup */
	caddr_t		b_orig_addr;	/* private to bp_mapin */
	int		b_error;	/* errno, with B_ERROR */
	dev_t		b_edev;		/* the device */
	union {
		void		*un_ptr;
		int		un_int;
	} b_priv;			/* the driver's */
	__ddi_iodone_t	b_writestrat;	/* private */
	void		*b_iowait;	/* private */
	void		*b_avail;	/* private */
	scgth_t		b_scgth;	/* DDI 8 BA_SCGTH list */
	uint64_t	b_cblkno;	/* DDI 8: block number, 64 bits */
	void		*b_channelp;	/* DDI 8: private */
	int		b_bcb_id;	/* DDI 8: private */
} buf_t;

#define b_forw		_b_un1._b_forw
#define b_orig_proc	_b_un1._b_orig_proc
#define b_addrp		b_un.b_ptr
#define paddr(bp)	((bp)->b_un.b_paddr)
#if !__DDI_AT_LEAST(80)
#define b_private	b_priv.un_ptr
#define b_sector	b_priv2.un_daddr
#endif

/* b_flags */
#define B_WRITE		0x00000000	/* not B_READ */
#define B_READ		0x00000001	/* device to memory */
#define B_DONE		0x00000002	/* the I/O has completed */
#define B_ERROR		0x00000004	/* it failed; errno in b_error */
#define B_BUSY		0x00000008
#define B_PHYS		0x00000010	/* raw I/O to user memory */
#define B_WASPHYS	0x00000020	/* private */
#define B_WANTED	0x00000040
#define B_AGE		0x00000080
#define B_ASYNC		0x00000100	/* nobody waits in biowait */
#define B_DELWRI	0x00000200
#define B_STALE		0x00000800
#define B_PAGEIO	0x00010000	/* the data is a page list */
#define B_REMAPPED	0x00100000	/* private */
#define B_PARTIAL	0x08000000
#define B_KERNBUF	0x20000000	/* from getrbuf */

/* ODDI physio's rwflag modifiers: ddicompat's values, no b_flags bit. */
#define B_BDEV		0x02000000	/* dev is a block device */
#define B_NOSG		0x04000000	/* no scatter/gather requests */

/* Address types (b_addrtype, bcb_addrtypes). */
#define BA_KVIRT	0x01	/* b_un.b_addr: kernel virtual */
#define BA_UVIRT	0x02	/* b_un.b_addr in b_proc: user virtual */
#define BA_PAGELIST	0x04	/* b_pages, b_un.b_addr the first's offset */
#define BA_PHYS		0x08	/* b_un.b_paddr */
#define BA_SCGTH	0x10	/* a physical scatter/gather list */
#define BA_UIO		0x20	/* b_un.b_uio (DDI 8) */

/* A device's breakup control block. */
typedef struct bcb {
	uchar_t		bcb_addrtypes;	/* BA_* the strategy routine takes */
	uchar_t		bcb_flags;	/* BCB_* */
	size_t		bcb_max_xfer;	/* bytes a piece at most; 0: none */
	size_t		bcb_granularity; /* pieces are multiples of it */
	physreq_t	*bcb_physreqp;	/* what every piece must meet */
} bcb_t;

#define BCB_PHYSCONTIG	0x01	/* each piece contiguous (before DDI 8) */
#define BCB_ONE_PIECE	0x02	/* the whole request in one piece */
#define BCB_EXACT_SIZE	0x04	/* fail what granularity does not divide */
#define BCB_SYNCHRONOUS	0x08	/* one piece at a time; no B_ASYNC */

buf_t	*getrbuf(int);
void	 freerbuf(buf_t *);
buf_t	*geteblk(void);
buf_t	*ngeteblk(size_t);
void	 brelse(buf_t *);
void	 clrbuf(buf_t *);
void	 biodone(buf_t *);
int	 biowait(buf_t *);
#if __DDI_AT_LEAST(50)
#ifndef __ddi_bool_t_defined
typedef int	bool_t;
#define __ddi_bool_t_defined
#endif
bool_t	 biowait_sig(buf_t *);
#endif
void	 bioerror(buf_t *, int);
int	 geterror(buf_t *);
void	 bioreset(buf_t *);
#if __DDI_AT_LEAST(80)
boolean_t biocanblock(buf_t *);
buf_t	*uiobuf(buf_t *, struct uio *);
#endif
#if __DDI_ODDI || __DDI_AT_MOST(72)
void	 bp_mapin(buf_t *);
void	 bp_mapout(buf_t *);
#endif
#if __DDI_AT_MOST(40)
void	 dma_pageio(void (*)(buf_t *), buf_t *);
#elif __DDI_BETWEEN(50, 60) && !__DDI_STRICT
void	 dma_pageio(void (*)(buf_t *), buf_t *)
	    __DDI_ENTRY(_Compat_dma_pageio);
#endif
#if __DDI_AT_MOST(72)
int	 physiock(void (*)(buf_t *), buf_t *, dev_t, int, daddr_t,
	    struct uio *);
#endif
#if __DDI_AT_MOST(40)
int	 uiophysio(void (*)(buf_t *), buf_t *, dev_t, int, struct uio *);
#elif __DDI_BETWEEN(50, 60) && !__DDI_STRICT
int	 uiophysio(void (*)(buf_t *), buf_t *, dev_t, int, struct uio *)
	    __DDI_ENTRY(_Compat_uiophysio);
#endif
#if __DDI_ODDI
int	 physck(daddr_t, int);
void	 physio(int (*)(buf_t *), buf_t *, dev_t, int);
void	 dma_breakup(int (*)(buf_t *), buf_t *);
#endif
#if __DDI_ODDI && __DDICOMPAT_ODDI <= 2
void	 pio_breakup(int (*)(buf_t *), buf_t *, int);
#endif
#if __DDI_AT_LEAST(30) && __DDI_AT_MOST(71) && !__DDI_BETWEEN(40, 49)
struct page *getnextpg(buf_t *, struct page *);
#endif
#if __DDI_AT_LEAST(50)
bcb_t	*bcb_alloc(int);
void	 bcb_free(bcb_t *);
#endif
#if __DDI_AT_LEAST(80)
boolean_t bcb_prep(bcb_t *, int);
#endif
#if __DDI_BETWEEN(50, 71)
void	 buf_breakup(void (*)(buf_t *), buf_t *, const bcb_t *)
	    __DDI_ENTRY(_Compat_buf_breakup7);
#elif __DDI_AT_LEAST(72)
void	 buf_breakup(void (*)(buf_t *), buf_t *, const bcb_t *);
#endif

__DDI_END_DECLS

#endif /* DDICOMPAT_SYS_BUF_H */
