/*
 * sys/dma.h - the system DMA controller: the PC's two cascaded 8237A
 * chips, through the DDI's dma_cb and dma_buf (dma_prog(9)) and the
 * ODDI's channel calls (dma_alloc(9)).
 *
 * The structures keep the UnixWare 7 member order and the i386 widths;
 * pointers keep the host's width.  The chip's channel numbers and mode
 * bytes come from <sys/i8237A.h>, as in the original.  A dma_cb and a
 * dma_buf must come from dma_get_cb and dma_get_buf: their sizes are not
 * part of the interface.
 */
#ifndef DDICOMPAT_SYS_DMA_H
#define DDICOMPAT_SYS_DMA_H

#include <sys/types.h>
#include <sys/kmem.h>
#include <sys/i8237A.h>

__DDI_BEGIN_DECLS

/* Callbacks: unprototyped, as in the original. */
#ifdef __cplusplus
typedef int	(*__ddi_dmaproc_t)(...);
#else
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wstrict-prototypes"
typedef int	(*__ddi_dmaproc_t)();
#pragma GCC diagnostic pop
#endif

struct dma_buf {
	ushort_t	reserved;
	ushort_t	count;		/* bytes, low 16 bits */
	paddr_t		address;	/* physical address of the data */
	paddr_t		physical;	/* physical address of the next */
	struct dma_buf	*next_buf;	/* the next, for chained transfers */
	ushort_t	reserved_hi;
	ushort_t	count_hi;	/* bytes, high 16 bits (EISA) */
	ulong_t		address_hi;
	ulong_t		physical_hi;
};

struct dma_cb {
	struct dma_cb	*next;		/* the kernel's */
	struct dma_buf	*targbufs;	/* the target's (memory's) buffers */
	struct dma_buf	*reqrbufs;	/* the requestor's (the device's) */
	uchar_t		command;	/* DMA_CMD_* */
	uchar_t		targ_type;	/* DMA_TYPE_* */
	uchar_t		reqr_type;
	uchar_t		targ_step;	/* DMA_STEP_* */
	uchar_t		reqr_step;
	uchar_t		trans_type;	/* DMA_TRANS_* */
	uchar_t		targ_path;	/* DMA_PATH_* */
	uchar_t		reqr_path;
	uchar_t		cycles;		/* DMA_CYCLES_* */
	uchar_t		bufprocess;	/* DMA_BUF_* */
	ushort_t	dummy;
	char		*procparms;	/* proc's argument */
	__ddi_dmaproc_t	proc;		/* dma_swsetup calls it */
};

/* Not DDI: what dma_get_chan_stat reads. */
struct dma_stat {
	paddr_t		targaddr;
	paddr_t		targaddr_hi;
	paddr_t		reqraddr;
	paddr_t		reqraddr_hi;
	ushort_t	count;
	ushort_t	count_hi;
};

/* command */
#define DMA_CMD_READ	0	/* device to memory */
#define DMA_CMD_WRITE	1	/* memory to device */
#define DMA_CMD_TRAN	2	/* translate */
#define DMA_CMD_VRFY	3	/* verify: no memory cycle */

/* targ_type, reqr_type */
#define DMA_TYPE_MEM	0
#define DMA_TYPE_IO	1

/* targ_step, reqr_step */
#define DMA_STEP_INC	0
#define DMA_STEP_DEC	1
#define DMA_STEP_HOLD	2

/* trans_type */
#define DMA_TRANS_SNGL	0	/* single */
#define DMA_TRANS_DMND	1	/* demand */
#define DMA_TRANS_BLCK	2	/* block */
#define DMA_TRANS_CSCD	3	/* cascade */

/* targ_path, reqr_path, and dma_physreq's datapath */
#define DMA_PATH_8	0
#define DMA_PATH_16	1
#define DMA_PATH_32	2
#define DMA_PATH_64	3
#define DMA_PATH_16B	4

/* cycles */
#define DMA_CYCLES_1	0	/* ISA timing */
#define DMA_CYCLES_2	1	/* EISA type A */
#define DMA_CYCLES_3	2	/* EISA type B */
#define DMA_CYCLES_4	3	/* burst */

/* bufprocess */
#define DMA_BUF_SNGL	0
#define DMA_BUF_CHAIN	1
#define DMA_BUF_AUTO	2	/* auto-initialise */

/* mode arguments */
#define DMA_SLEEP	0
#define DMA_NOSLEEP	1
#define DMA_ENABLE	2	/* dma_cascade */
#define DMA_DISABLE	4

#define PDMA		5	/* sleep priority */

#if !__DDI_ODDI
int		dma_prog(struct dma_cb *, int, uchar_t);
uchar_t		dma_get_best_mode(struct dma_cb *);
int		dma_swsetup(struct dma_cb *, int, uchar_t);
void		dma_swstart(struct dma_cb *, int, uchar_t);
void		dma_stop(int);
void		dma_disable(int);
struct dma_cb	*dma_get_cb(uchar_t);
void		dma_free_cb(struct dma_cb *);
struct dma_buf	*dma_get_buf(uchar_t);
void		dma_free_buf(struct dma_buf *);
void		dma_get_chan_stat(struct dma_stat *, int);
#if __DDI_AT_LEAST(50)
boolean_t	dma_cascade(int, uchar_t);
void		dma_physreq(int, int, physreq_t *);
#endif
#endif
/* the same routine in both */
void		dma_enable(int);

/* ODDI: a request for a channel, for dma_start. */
struct dmareq {
	struct dmareq	*d_nxt;		/* the queue: the kernel's */
	ushort_t	d_chan;
	ushort_t	d_mode;		/* DMA_Rdmode, DMA_Wrmode */
	paddr_t		d_addr;
	long_t		d_cnt;
	__ddi_dmaproc_t	d_proc;		/* called when the channel is
					   granted */
	char		*d_params;	/* the driver's, for d_proc */
};

#if __DDI_ODDI
int		dma_alloc(unsigned, unsigned);
void		dma_relse(unsigned);
void		dma_param(unsigned, unsigned, paddr_t, long_t);
int		dma_start(struct dmareq *);
long_t		dma_resid(unsigned);
#endif

__DDI_END_DECLS

#endif /* DDICOMPAT_SYS_DMA_H */
