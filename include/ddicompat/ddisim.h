/*
 * ddicompat/ddisim.h - control of the simulated machine, for tests and tools.
 *
 * Every DDI call acts on one simulated machine per process.  ddisim_init
 * builds it from a spec string (see ddicompat(7)); without an explicit call
 * the first DDI call builds it from $DDISIM_MACHINE or the default machine.
 */
#ifndef DDICOMPAT_DDISIM_H
#define DDICOMPAT_DDISIM_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The default machine: a two-node 8 GiB PC. */
#define DDISIM_DEFAULT_SPEC \
	"mem=8G,hole=640K-1M,hole=3G-4G,nodes=2:4G,cpus=4"

int	ddisim_init(const char *spec);
const char *ddisim_init_error(void);
void	ddisim_shutdown(void);
int	ddisim_initialized(void);

int	ddisim_vtop(const void *va, uint64_t *pa);
void	*ddisim_ptov(uint64_t pa);
size_t	ddisim_outstanding(void);

/* The calling thread's simulated CPU. */
void	ddisim_cpu_set(int cpu);
int	ddisim_cpu_get(void);

/* Verifier: what a misuse report does, and what has been reported. */
enum ddisim_verify_policy {
	DDISIM_VERIFY_ABORT,	/* print the report and abort() (default) */
	DDISIM_VERIFY_WARN,	/* print the report and carry on */
	DDISIM_VERIFY_COUNT	/* count the report silently */
};
void		ddisim_verify_set_policy(enum ddisim_verify_policy);
unsigned long	ddisim_verify_count(void);
const char	*ddisim_verify_last(void);
void		ddisim_verify_reset(void);

/*
 * Why a physical-memory request failed: 1 prints each explanation on the
 * standard error, 2 only keeps it for ddisim_explain_last, 0 (the
 * default) neither.  Returns the previous mode.
 */
int		ddisim_explain(int mode);
const char	*ddisim_explain_last(void);

/* Machine description, for tools and tests. */
#define DDISIM_ZONES	4	/* below 16 MiB, 4 GiB, 64 GiB, and above */
#define DDISIM_MAX_NODES 8	/* NUMA nodes a machine may have */
#define DDISIM_MAX_RANGES 64	/* RAM ranges and holes ddisim_info lists */

struct ddisim_range {
	uint64_t	start;		/* first byte */
	uint64_t	end;		/* one past the last byte */
	int		node;		/* owning NUMA node, or -1 for a hole */
};

struct ddisim_info {
	uint64_t	mem;		/* bytes of RAM */
	uint64_t	top;		/* one past the highest RAM byte */
	size_t		page;		/* page size in bytes */
	int		nodes;
	int		cpus;
	unsigned	nranges;	/* RAM ranges and holes, by address */
	struct ddisim_range range[DDISIM_MAX_RANGES];
	uint64_t	zone_line[DDISIM_ZONES]; /* end of each zone */
	/* pages per node and zone */
	uint64_t	free_pages[DDISIM_MAX_NODES][DDISIM_ZONES];
	uint64_t	total_pages[DDISIM_MAX_NODES][DDISIM_ZONES];
	double		frag;
	uint64_t	seed;
};
int	ddisim_info(struct ddisim_info *);

/*
 * Free-run histogram of one node and zone: hist[k] counts maximal runs of
 * free pages whose length lies in [2^k, 2^(k+1)).
 */
#define DDISIM_HIST_BUCKETS	32
int	ddisim_free_histogram(int node, int zone,
	    uint64_t hist[DDISIM_HIST_BUCKETS]);
/* Free pages that begin in the physical range [start, end). */
uint64_t ddisim_free_pages(uint64_t start, uint64_t end);

/* Physical segments of a buffer: up to max of them; returns the count. */
struct ddisim_seg {
	uint64_t	pa;
	size_t		len;
};
size_t	ddisim_segments(const void *va, size_t len, struct ddisim_seg *seg,
	    size_t max);

/* cmn_err's message buffer and console (see ddisim_putbuf(3)). */
size_t	ddisim_putbuf(char *buf, size_t len);
void	ddisim_putbuf_clear(void);
void	ddisim_console(void (*sink)(const char *text, void *arg), void *arg);
/* Every strlog(9) message, as the log driver's readers saw them. */
void	ddisim_log(void (*sink)(const char *text, void *arg), void *arg);

/*
 * Interrupts (see ddisim_intr(3)).  Lines 0 to DDISIM_NIRQ-1; a line runs
 * its handlers at its level on its CPU (0 unless bound elsewhere).
 */
#define DDISIM_NIRQ	64
typedef struct ddisim_intr ddisim_intr_t;
unsigned	ddisim_intr_key(int irq, unsigned pl);
ddisim_intr_t	*ddisim_intr_register(int irq, unsigned pl,
		    void (*xxintr)(int ivec));
void		ddisim_intr_unregister(ddisim_intr_t *);
int		ddisim_intr_bind(int irq, int cpu);
int		ddisim_intr_raise(int irq);
void		ddisim_intr_set_deterministic(int on);
unsigned	ddisim_intr_deliver(int cpu);
int		ddisim_intr_pending(int irq);
unsigned long	ddisim_intr_count(int irq);

/*
 * External major numbers mapped to internal ones, as a driver configured
 * with several majors has them (see ddisim_major_map(3)).
 */
int		ddisim_major_map(unsigned emaj, unsigned imaj);

/*
 * The machine's exceptional events, for drv_callback handlers, and the
 * drivers' drv_shutdown requests (see ddisim_callback_raise(3)).
 */
struct mca_info;
int		ddisim_callback_raise(int tag, struct mca_info *mi);
unsigned	ddisim_shutdown_requests(int *rqt, int *option);

/*
 * Boot parameters for bs_getval, and the kernel debugger call_demon
 * calls (see ddisim_bootparam(3)).
 */
int		ddisim_bootparam(const char *name, const char *value);
void		ddisim_demon(void (*fn)(const void *caller, void *arg),
		    void *arg);
unsigned	ddisim_demon_calls(void);

/* Calling context (see ddisim_ctx(3)). */
unsigned	ddisim_ctx_id(void);
int		ddisim_ctx_signal(unsigned id);
unsigned	ddisim_ctx_pl(void);
int		ddisim_ctx_locks_held(void);
int		ddisim_ctx_in_intr(void);

/* Port I/O devices (see ddisim_port(3)). */
struct ddisim_port_ops {
	uint32_t (*in)(void *arg, int port, int width);
	void	(*out)(void *arg, int port, int width, uint32_t val);
};
typedef struct ddisim_ports ddisim_ports_t;
ddisim_ports_t	*ddisim_port_claim(int base, int count,
		    const struct ddisim_port_ops *ops, void *arg,
		    const char *name);
void		ddisim_port_release(ddisim_ports_t *);

/* The simulated clock (see ddisim_clock(3)), in microseconds. */
uint64_t	ddisim_clock_now(void);
void		ddisim_clock_advance(uint64_t usec);
void		ddisim_clock_realtime(int on);
unsigned	ddisim_clock_callouts(void);

/*
 * Simulated user processes (see ddisim_proc(3)): user memory in scattered
 * pages of simulated RAM, all below physical address below (0: anywhere).
 */
struct proc;
struct proc	*ddisim_proc_create(size_t bytes, uint64_t below);
void		ddisim_proc_destroy(struct proc *);
void		*ddisim_proc_base(struct proc *);
size_t		ddisim_proc_size(struct proc *);
int		ddisim_proc_write(struct proc *, void *uaddr, const void *src,
		    size_t len);
int		ddisim_proc_read(struct proc *, const void *uaddr, void *dst,
		    size_t len);
void		ddisim_proc_enter(struct proc *);
int		ddisim_proc_setuid(struct proc *, unsigned uid);
uint64_t	ddisim_proc_signals(struct proc *);
int		ddisim_proc_io(struct proc *, int port, int width,
		    uint32_t *val, int write);

/*
 * The user program's poll sleeping on a driver's pollhead (see
 * ddisim_poll_wait(3)): the events, 0 on timeout, -1 (EINTR) on a signal.
 */
struct pollhead;
int		ddisim_poll_wait(struct pollhead *, short events,
		    int timeout_ms);

/* Page lists for BA_PAGELIST requests (see ddisim_pagelist(3)). */
struct page;
struct page	*ddisim_pagelist_create(size_t npages, uint64_t below);
void		ddisim_pagelist_destroy(struct page *);
void		*ddisim_page_addr(struct page *);
uint64_t	ddisim_page_phys(struct page *);
struct page	*ddisim_page_next(struct page *);

/*
 * The DDI 8 kernel's breakup before a driver's biostart entry point
 * (see ddisim_bio(3)).
 */
struct buf;
struct bcb;
typedef struct ddisim_bio ddisim_bio_t;
ddisim_bio_t	*ddisim_bio_attach(const struct bcb *read_bcb,
		    const struct bcb *write_bcb,
		    void (*biostart)(void *idata, uint32_t channel,
		    struct buf *bp), void *idata);
void		ddisim_bio_detach(ddisim_bio_t *);
void		ddisim_bio_submit(ddisim_bio_t *, uint32_t channel,
		    struct buf *bp);

/* Bounce buffers buf_breakup used, and the bytes copied through them. */
void	ddisim_breakup_stats(uint64_t *bounces, uint64_t *bounce_bytes);
/* How often the copy path fell back on physreq_prep's private page. */
uint64_t ddisim_breakup_reserve_uses(void);

/* The STREAMS service (see ddisim_streams(3)). */
unsigned	ddisim_streams_run(void);
unsigned	ddisim_streams_pending(void);
int		ddisim_streams_thread(int on);

/*
 * A stream head a test drives (see ddisim_stream(3)): a stream opened on
 * a driver's streamtab, modules pushed on it, messages written down and
 * read up, ioctls.  Every call returns 0 or an errno value, as the system
 * calls did.
 */
struct streamtab;
struct strbuf;
struct cred;
typedef struct __ddi_stream ddisim_stream_t;
int		ddisim_stream_open(const struct streamtab *tab, int devflag,
		    dev_t *devp, int oflag, int sflag,
		    struct cred *cr, ddisim_stream_t **sp);
int		ddisim_stream_close(ddisim_stream_t *s);
int		ddisim_stream_push(ddisim_stream_t *s,
		    const struct streamtab *tab, int devflag);
int		ddisim_stream_pop(ddisim_stream_t *s);
int		ddisim_stream_write(ddisim_stream_t *s, const void *buf,
		    size_t len, size_t *written);
int		ddisim_stream_read(ddisim_stream_t *s, void *buf, size_t len,
		    size_t *got);
int		ddisim_stream_putmsg(ddisim_stream_t *s,
		    const struct strbuf *ctl, const struct strbuf *data,
		    int band, int flags);
int		ddisim_stream_getmsg(ddisim_stream_t *s, struct strbuf *ctl,
		    struct strbuf *data, int *bandp, int *flagsp, int *morep);
int		ddisim_stream_ioctl(ddisim_stream_t *s, int cmd, intptr_t arg,
		    int *rvalp);
int		ddisim_stream_signal(ddisim_stream_t *s);

/* Leak report (also printed by ddisim_shutdown); returns the leak count. */
size_t	ddisim_leak_report(FILE *stream);


/*
 * The resource manager (ddisim_rm(3)): boards the machine has, one key
 * each, with the parameters cm_getval(9) reads.  The spec's board= items
 * make some at boot; a test or a device model adds more.  set says which
 * of the optional members count.
 */
#define DDISIM_BRD_IRQ		0x001	/* irq, ipl, itype */
#define DDISIM_BRD_IOADDR	0x002	/* io_start, io_end */
#define DDISIM_BRD_MEMADDR	0x004	/* mem_start, mem_end */
#define DDISIM_BRD_DMAC		0x008	/* dmac */
#define DDISIM_BRD_SLOT		0x010	/* slot */
#define DDISIM_BRD_BRDID	0x020	/* brdid */
#define DDISIM_BRD_UNIT		0x040	/* unit */
#define DDISIM_BRD_BINDCPU	0x080	/* bindcpu */
#define DDISIM_RM_NAMELEN	32	/* a modname's bytes, with the NUL */
#define DDISIM_RM_BRDIDLEN	16	/* a board ID's bytes, with the NUL */
#define DDISIM_RM_CFGMAX	4096	/* the largest configuration space */

struct ddisim_board {
	const char	*modname;	/* the driver's name (CM_MODNAME) */
	unsigned	bus;		/* CM_BUS_* (sys/cm_i386at.h); 0: ISA */
	unsigned	set;		/* DDISIM_BRD_* */
	unsigned	irq;		/* CM_IRQ */
	unsigned	ipl;		/* CM_IPL; 0: 5 */
	unsigned	itype;		/* CM_ITYPE; 0: CM_ITYPE_EDGE */
	uint32_t	io_start, io_end;	/* CM_IOADDR, inclusive */
	uint32_t	mem_start, mem_end;	/* CM_MEMADDR, inclusive */
	unsigned	dmac;		/* CM_DMAC */
	unsigned	slot;		/* CM_SLOT */
	const char	*brdid;		/* CM_BRDID */
	uint32_t	unit;		/* CM_UNIT */
	unsigned	bindcpu;	/* CM_BINDCPU */
	const void	*config;	/* configuration space; NULL: the
					   bus's own (see ddisim_rm(3)) */
	size_t		config_len;
};

unsigned	ddisim_rm_add_board(const struct ddisim_board *);
int		ddisim_rm_remove_board(unsigned key);
unsigned	ddisim_rm_nkeys(void);

/*
 * Loadable modules (ddisim_mod(3)): load one by the wrapper its
 * MOD_*_WRAPPER made (<sys/moddefs.h>), running its _load; unload it,
 * running its _unload.
 */
struct modwrapper;
int		ddisim_mod_load(struct modwrapper *);
int		ddisim_mod_unload(struct modwrapper *);
int		ddisim_mod_loaded(const struct modwrapper *);

#ifdef __cplusplus
}
#endif

#endif /* DDICOMPAT_DDISIM_H */
