/*
 * test_entry.c - every exported function as the first call of a process.
 *
 * A driver's first DDI call may be any of them, so each must build the
 * default machine itself (DDI_ENTRY in lib/machine/entry.h), and the
 * control calls that must work before ddisim_init must build nothing
 * (DDI_CONTROL).  For every exported function this program either has a
 * case, which in a freshly forked child makes that function the child's
 * first call into the library, with valid arguments, and checks its result,
 * the machine it left behind and the verifier's count; or it lists the
 * function as excluded, with the reason no first call can be benign: it
 * needs a handle only an earlier call can give, or it sleeps by design.
 * A few cases run under verify=count ($DDISIM_MACHINE, read by the first
 * call) and check the report a documented failure path makes: a failed
 * ASSERT, a read of an unclaimed port, a queue routine or a stream head
 * call given no queue or stream.
 *
 * The list of exported symbols is the truth, not this file: tests/entry.sh
 * feeds the dynamic symbol table of the built library, one "TYPE NAME" line
 * per symbol, and an exported function with neither a case nor an exclusion
 * fails, as does a case or exclusion that names no exported function.
 *
 * The parent never calls into the library: each child starts from the
 * state of a process that has only run the library's constructors.  It
 * forks itself, so CK_FORK plays no part.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sys/types.h>
#include <sys/param.h>
#include <sys/kmem.h>
#include <sys/ksynch.h>
#include <sys/cmn_err.h>
#include <sys/debug.h>
#include <sys/stream.h>
#include <sys/stropts.h>
#include <sys/conf.h>
#include <sys/file.h>
#include <sys/scgth.h>
#include <sys/buf.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/dma.h>
#include <sys/cred.h>
#include <sys/map.h>
#include <sys/confmgr.h>
#include <sys/cm_i386at.h>
#include <sys/poll.h>
#include <sys/open.h>
#include <sys/strlog.h>
#include <sys/uadmin.h>
#include <sys/iobitmap.h>
#include <net/if.h>
#include <sys/moddefs.h>
#include <sys/ddi.h>

#include <ddicompat/ddisim.h>
#include <ddicompat/devsim.h>
#include <ddicompat/isadma.h>
#include <ddicompat/mmio.h>
#include <ddicompat/host.h>

/* The entry points of other interface versions, and the ODDI's. */
#include "exports.h"

/* ODDI flag values of getcpages(9) and sptalloc(9), as documented there. */
#define ODDI_ANY_MEM	0x00
#define ODDI_PG_P	0x001
#define ODDI_PG_RW	0x002

#define MIB		(UINT64_C(1) << 20)
#define GIB		(UINT64_C(1) << 30)
#define PAGE		4096u		/* the default machine's page */
#define DEV_IOB		0x2f0		/* a port nobody claims */
#define RAM_PA		0x100000u	/* RAM on the default machine: 1 MiB */

enum kind {
	BUILDS,		/* DDI_ENTRY: builds the default machine */
	CONTROL,	/* DDI_CONTROL: builds nothing */
	INITS		/* ddisim_init: builds the machine it is asked for */
};

struct entry_case {
	const char	*fn;	/* the exported function the case covers */
	const char	*first;	/* the one it calls first; NULL: fn */
	enum kind	kind;	/* what the first call must leave behind */
	const char	*spec;	/* $DDISIM_MACHINE in the child; NULL: unset */
	unsigned	reports; /* verifier reports the case makes */
	void		(*run)(void);
	const char	*what;	/* what the case shows */
};

/* ---- the child's checks ---- */

static const struct entry_case *cur;
static bool first_checked;

static void __attribute__((noreturn, format(printf, 2, 3)))
child_fail(int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "test_entry.c:%d: %s (%s): ", line, cur->fn,
	    cur->what);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	_exit(1);
}

#define EXPECT(e)	((e) ? (void)0 :				\
	child_fail(__LINE__, "check failed: %s", #e))

/* ddisim_init, with stderr quiet: a refusal prints its message there. */
static int
quiet_init(const char *spec)
{
	int saved = dup(2), null = open("/dev/null", O_WRONLY);
	int rc;

	if (saved < 0 || null < 0)
		child_fail(__LINE__, "cannot quieten stderr: %s",
		    strerror(errno));
	dup2(null, 2);
	rc = ddisim_init(spec);
	dup2(saved, 2);
	close(saved);
	close(null);
	return rc;
}

/*
 * ddisim_init on a machine that a DDI call built fails with EBUSY and
 * names that call: this is how the child learns which function built its
 * machine.
 */
static const char *
init_refusal(void)
{
	int rc = quiet_init("mem=1G");

	if (rc != EBUSY)
		child_fail(__LINE__, "ddisim_init on a built machine returned "
		    "%d, not EBUSY", rc);
	return ddisim_init_error();
}

/*
 * Called by every case right after its first call, before anything else
 * can build a machine: what the first call must have left behind.
 */
static void
first_call_done(int line)
{
	char needle[128];
	const char *msg;

	first_checked = true;
	switch (cur->kind) {
	case BUILDS:
		if (!ddisim_initialized())
			child_fail(line, "no machine after the first call");
		msg = init_refusal();
		snprintf(needle, sizeof(needle), "by the first DDI call, %s "
		    "(called from", cur->first != NULL ? cur->first : cur->fn);
		if (strstr(msg, needle) == NULL)
			child_fail(line, "the machine was not built by the "
			    "first call: \"%s\"", msg);
		break;
	case CONTROL:
		if (ddisim_initialized())
			child_fail(line, "a control call built a machine");
		break;
	case INITS:
		if (!ddisim_initialized())
			child_fail(line, "no machine after ddisim_init");
		break;
	}
}

#define FIRST_CALL_DONE()	first_call_done(__LINE__)

/*
 * Walk the physical segments of [va, va + len): at most maxseg of them,
 * all of it simulated RAM below limit, each segment starting on a multiple
 * of align and crossing no multiple of boundary (0: none).
 */
static void
expect_segments(int line, const void *va, size_t len, size_t maxseg,
    uint64_t limit, uint64_t align, uint64_t boundary)
{
	struct ddisim_seg seg[64];
	size_t n = ddisim_segments(va, len, seg, 64), total = 0;

	if (n == 0 || n > maxseg || n > 64)
		child_fail(line, "%zu segments, at most %zu wanted", n, maxseg);
	for (size_t i = 0; i < n; i++) {
		uint64_t s = seg[i].pa, e = s + seg[i].len;

		if (e > limit)
			child_fail(line, "segment %#llx+%#zx reaches past "
			    "%#llx", (unsigned long long)s, seg[i].len,
			    (unsigned long long)limit);
		if (align > 1 && s % align != 0)
			child_fail(line, "segment %#llx not aligned to %#llx",
			    (unsigned long long)s, (unsigned long long)align);
		if (boundary != 0 && s / boundary != (e - 1) / boundary)
			child_fail(line, "segment %#llx+%#zx crosses a "
			    "multiple of %#llx", (unsigned long long)s,
			    seg[i].len, (unsigned long long)boundary);
		total += seg[i].len;
	}
	if (total != len)
		child_fail(line, "segments cover %zu of %zu bytes", total, len);
}

#define EXPECT_SEGMENTS(va, len, maxseg, limit, align, boundary)	\
	expect_segments(__LINE__, va, len, maxseg, limit, align, boundary)

static bool
all_bytes(const void *p, size_t len, unsigned char v)
{
	const unsigned char *c = p;

	for (size_t i = 0; i < len; i++)
		if (c[i] != v)
			return false;
	return true;
}

/* A pointer into simulated memory translates to a physical address. */
static bool
simulated(const void *p)
{
	uint64_t pa;

	return ddisim_vtop(p, &pa) == 0 && pa != 0;
}

/* ---- memory ---- */

static void
c_kmem_alloc(void)
{
	char *p = kmem_alloc(100, KM_SLEEP);

	FIRST_CALL_DONE();
	EXPECT(p != NULL);
	EXPECT(simulated(p) && simulated(p + 99));
	EXPECT(ddisim_outstanding() == 100);
	memset(p, 0xab, 100);
	kmem_free(p, 100);
}

static void
c_kmem_zalloc(void)
{
	char *p = kmem_zalloc(3 * PAGE, KM_SLEEP);

	FIRST_CALL_DONE();
	EXPECT(p != NULL);
	EXPECT(all_bytes(p, 3 * PAGE, 0));
	EXPECT_SEGMENTS(p, 3 * PAGE, 3, UINT64_MAX, 1, 0);
	kmem_free(p, 3 * PAGE);
}

/* A size of 0 makes kmem_free do nothing (kmem_alloc(9)), NULL or not. */
static void
c_kmem_free(void)
{
	kmem_free(NULL, 0);
	FIRST_CALL_DONE();
	EXPECT(ddisim_outstanding() == 0);
}

static void
c_kmem_free_physcontig(void)
{
	kmem_free_physcontig(NULL, 0);	/* kmem_free under another name */
	FIRST_CALL_DONE();
	EXPECT(ddisim_outstanding() == 0);
}

/*
 * The versioned kmem_alloc entry points, each with its placement
 * (kmem_alloc(9)): DDI 1 to 4 contiguous below 16 MiB, DDI 5 and ODDI
 * below 16 MiB (4 GiB with KM_NO_DMA), DDI 6 to 7.1 below 4 GiB.
 */
#define KMEM_VERSIONED(name, call, zero, maxseg, limit)			\
static void								\
c_##name(void)								\
{									\
	size_t len = 2 * PAGE;						\
	char *p = call;							\
									\
	FIRST_CALL_DONE();						\
	EXPECT(p != NULL);						\
	EXPECT(!(zero) || all_bytes(p, len, 0));			\
	EXPECT_SEGMENTS(p, len, maxseg, limit, 1, 0);			\
	kmem_free(p, len);						\
}

KMEM_VERSIONED(_Compat_kmem_alloc4, _Compat_kmem_alloc4(len, KM_SLEEP),
    false, 1, 16 * MIB)
KMEM_VERSIONED(_Compat_kmem_zalloc4, _Compat_kmem_zalloc4(len, KM_SLEEP),
    true, 1, 16 * MIB)
KMEM_VERSIONED(_Compat_kmem_alloc5, _Compat_kmem_alloc5(len, KM_SLEEP),
    false, 2, 16 * MIB)
KMEM_VERSIONED(_Compat_kmem_zalloc5, _Compat_kmem_zalloc5(len, KM_SLEEP),
    true, 2, 16 * MIB)
KMEM_VERSIONED(_Compat_kmem_alloc7, _Compat_kmem_alloc7(len, KM_SLEEP),
    false, 2, 4 * GIB)
KMEM_VERSIONED(_Compat_kmem_zalloc7, _Compat_kmem_zalloc7(len, KM_SLEEP),
    true, 2, 4 * GIB)
KMEM_VERSIONED(_Compat_kmem_alloc_oddi,
    _Compat_kmem_alloc_oddi(len, KM_SLEEP), false, 2, 16 * MIB)
KMEM_VERSIONED(_Compat_kmem_zalloc_oddi,
    _Compat_kmem_zalloc_oddi(len, KM_SLEEP | 0x20 /* KM_NO_DMA */), true,
    2, 4 * GIB)

static void
c_physreq_alloc(void)
{
	physreq_t *p = physreq_alloc(KM_SLEEP);

	FIRST_CALL_DONE();
	EXPECT(p != NULL);
	EXPECT(p->phys_align == 1 && p->phys_boundary == 0);
	EXPECT(p->phys_dmasize == 0 && p->phys_max_scgth == 0);
	EXPECT(p->phys_flags == 0);
	EXPECT(ddisim_outstanding() == sizeof(*p));
	physreq_free(p);
}

/*
 * A zero-filled static physreq, filled in as an ISA bus-master driver
 * would and prepared by the process's first DDI call (physreq(9)): the
 * case that crashed before every entry point built the machine.
 */
static physreq_t isa_preq;

static void
c_physreq_prep(void)
{
	size_t len = 16 * 1024;
	boolean_t ok;
	char *p;

	isa_preq.phys_align = 512;
	isa_preq.phys_boundary = 64 * 1024;
	isa_preq.phys_dmasize = 24;
	isa_preq.phys_flags |= PREQ_PHYSCONTIG;
	ok = physreq_prep(&isa_preq, KM_SLEEP);
	FIRST_CALL_DONE();
	EXPECT(ok == B_TRUE);
	p = kmem_alloc_physreq(len, &isa_preq, KM_SLEEP);
	EXPECT(p != NULL);
	EXPECT((uintptr_t)p % 512 == 0);
	EXPECT_SEGMENTS(p, len, 1, 16 * MIB, 512, 64 * 1024);
	kmem_free(p, len);
}

/* A physreq left entirely zero: phys_align 0 counts as 1. */
static physreq_t zero_preq;

static void
c_physreq_prep_zero(void)
{
	size_t len = 3 * PAGE;
	boolean_t ok = physreq_prep(&zero_preq, KM_SLEEP);
	char *p;

	FIRST_CALL_DONE();
	EXPECT(ok == B_TRUE);
	p = kmem_zalloc_physreq(len, &zero_preq, KM_SLEEP);
	EXPECT(p != NULL);
	EXPECT(all_bytes(p, len, 0));
	EXPECT_SEGMENTS(p, len, 3, UINT64_MAX, 1, 0);
	kmem_free(p, len);
}

static void
c_getcpages(void)
{
	caddr_t p = getcpages(2, ODDI_ANY_MEM);
	struct ddisim_seg seg[1];

	FIRST_CALL_DONE();
	EXPECT(p != NULL);
	EXPECT((uintptr_t)p % PAGE == 0);
	/* contiguous, below the ODDI's 4 GiB, above 16 MiB first */
	EXPECT_SEGMENTS(p, 2 * PAGE, 1, 4 * GIB, PAGE, 0);
	EXPECT(ddisim_segments(p, 2 * PAGE, seg, 1) == 1);
	EXPECT(seg[0].pa >= 16 * MIB);
	freecpages(p, 2);
}

static void
c_sptalloc(void)
{
	caddr_t p = sptalloc(2, ODDI_PG_P | ODDI_PG_RW, 0, 0);

	FIRST_CALL_DONE();
	EXPECT(p != NULL);
	EXPECT_SEGMENTS(p, 2 * PAGE, 2, 4 * GIB, PAGE, 0);
	memset(p, 0x5a, 2 * PAGE);
	sptfree(p, 2, 1);
}

/* With a base frame: a second mapping of RAM the direct map reaches. */
static void
c_sptalloc_frames(void)
{
	caddr_t p = sptalloc(1, ODDI_PG_P | ODDI_PG_RW, RAM_PA / PAGE, 0);
	uint64_t pa;
	unsigned char *d;

	FIRST_CALL_DONE();
	EXPECT(p != NULL);
	EXPECT(ddisim_vtop(p + 10, &pa) == 0 && pa == RAM_PA + 10);
	d = ddisim_ptov(RAM_PA);
	EXPECT(d != NULL);
	p[10] = 0x3c;
	EXPECT(d[10] == 0x3c);
	sptfree(p, 1, 0);
}

/* ---- addresses ---- */

static void
c_phystokv(void)
{
	caddr_t va = phystokv(RAM_PA + 0x123);
	uint64_t pa;

	FIRST_CALL_DONE();
	EXPECT(va != NULL);
	EXPECT(ddisim_vtop(va, &pa) == 0 && pa == RAM_PA + 0x123);
	EXPECT(va == (caddr_t)ddisim_ptov(RAM_PA + 0x123));
}

static void
c_phystoppid(void)
{
	ppid_t id = phystoppid(RAM_PA + 0x23456);

	FIRST_CALL_DONE();
	EXPECT(id == (RAM_PA + 0x23456) / PAGE);
}

static void
c_pptophys(void)
{
	paddr_t pa = pptophys(0x123);

	FIRST_CALL_DONE();
	EXPECT(pa == 0x123000);
}

static void
c_ptob(void)
{
	ulong_t b = ptob(3);

	FIRST_CALL_DONE();
	EXPECT(b == 3 * PAGE);
}

static void
c_btop(void)
{
	ulong_t n = btop(10000);

	FIRST_CALL_DONE();
	EXPECT(n == 2);
}

static void
c_btopr(void)
{
	ulong_t n = btopr(10000);

	FIRST_CALL_DONE();
	EXPECT(n == 3);
}

static void
c_ddisim_vtop(void)
{
	int local = 0;
	uint64_t pa = 1;
	int rc = ddisim_vtop(&local, &pa);

	FIRST_CALL_DONE();
	/* host memory: EFAULT and 0, without a report */
	EXPECT(rc == EFAULT && pa == 0);
}

static void
c_ddisim_ptov(void)
{
	void *va = ddisim_ptov(RAM_PA);
	uint64_t pa;

	FIRST_CALL_DONE();
	EXPECT(va != NULL);
	EXPECT(ddisim_vtop(va, &pa) == 0 && pa == RAM_PA);
	EXPECT(ddisim_ptov(0xa0000) == NULL);	/* the 640 KiB hole */
}

static void
c_ddisim_segments(void)
{
	char local[64] = "";
	struct ddisim_seg seg[2];
	size_t n = ddisim_segments(local, sizeof(local), seg, 2);

	FIRST_CALL_DONE();
	EXPECT(n == 0);		/* not simulated memory: no segment */
}

static void
c_ddisim_cpu_set(void)
{
	ddisim_cpu_set(2);
	FIRST_CALL_DONE();
	EXPECT(ddisim_cpu_get() == 2);
}

static void
c_ddisim_cpu_get(void)
{
	int cpu = ddisim_cpu_get();

	FIRST_CALL_DONE();
	EXPECT(cpu >= 0 && cpu < 4);
}

static void
c_ddisim_info(void)
{
	struct ddisim_info di;
	int rc;

	memset(&di, 0xa5, sizeof(di));
	rc = ddisim_info(&di);
	FIRST_CALL_DONE();
	EXPECT(rc == 0);
	EXPECT(di.mem == 8 * GIB);
	EXPECT(di.page == PAGE && di.nodes == 2 && di.cpus == 4);
	/* RAM, the 640 KiB hole, RAM, the PCI hole, node 1 from 4 GiB */
	EXPECT(di.nranges == 5);
	EXPECT(di.range[0].start == 0 && di.range[0].end == 640 * 1024);
	EXPECT(di.range[0].node == 0 && di.range[1].node == -1);
	EXPECT(di.range[3].start == 3 * GIB && di.range[3].node == -1);
	EXPECT(di.range[4].start == 4 * GIB && di.range[4].node == 1);
	EXPECT(di.top == di.range[4].end);
	EXPECT(di.zone_line[0] == 16 * MIB && di.zone_line[1] == 4 * GIB);
}

static void
c_ddisim_free_histogram(void)
{
	uint64_t hist[DDISIM_HIST_BUCKETS], runs = 0;
	int rc;

	memset(hist, 0, sizeof(hist));
	rc = ddisim_free_histogram(0, 1, hist);
	FIRST_CALL_DONE();
	EXPECT(rc == 0);
	for (int k = 0; k < DDISIM_HIST_BUCKETS; k++)
		runs += hist[k];
	EXPECT(runs > 0);	/* node 0's RAM from 16 MiB to 3 GiB is free */
	EXPECT(ddisim_free_histogram(0, DDISIM_ZONES, hist) == EINVAL);
}

static void
c_ddisim_free_pages(void)
{
	uint64_t n = ddisim_free_pages(UINT64_C(16) << 20, UINT64_C(32) << 20);

	FIRST_CALL_DONE();
	EXPECT(n == 4096);	/* 16 MiB to 32 MiB is free and RAM */
	EXPECT(ddisim_free_pages(0xa0000, 0x100000) == 0);	/* the hole */
}

/* ---- the kernel environment ---- */

static char console_text[256];

static void
c_cmn_err(void)
{
	char pb[256];

	/* "!": the putbuf only, so the test's output stays clean */
	cmn_err(CE_NOTE, "!entry %d", 42);
	FIRST_CALL_DONE();
	EXPECT(ddisim_putbuf(pb, sizeof(pb)) == strlen("NOTICE: entry 42\n"));
	EXPECT(strcmp(pb, "NOTICE: entry 42\n") == 0);
}

static void
c_assfail(void)
{
	int rc = assfail("x == 1", "drv.c", 7);

	FIRST_CALL_DONE();
	EXPECT(rc == 0);	/* verify=count lets it return */
	EXPECT(strstr(ddisim_verify_last(), "ASSERT: assertion failed: "
	    "x == 1, file drv.c, line 7") != NULL);
}

static void
c_min(void)
{
	uint_t v = min((uint_t)-1, 2);

	FIRST_CALL_DONE();
	EXPECT(v == 2);
}

static void
c_max(void)
{
	uint_t v = max(3, 9);

	FIRST_CALL_DONE();
	EXPECT(v == 9);
}

#define DEV_7_12345	(((dev_t)7 << L_BITSMINOR) | 0x12345)

static void
c_getmajor(void)
{
	major_t m = getmajor(DEV_7_12345);

	FIRST_CALL_DONE();
	EXPECT(m == 7);
}

static void
c_getminor(void)
{
	minor_t m = getminor(DEV_7_12345);

	FIRST_CALL_DONE();
	EXPECT(m == 0x12345);
}

static void
c_getemajor(void)
{
	major_t m = getemajor(DEV_7_12345);

	FIRST_CALL_DONE();
	EXPECT(m == 7);
}

static void
c_geteminor(void)
{
	minor_t m = geteminor(DEV_7_12345);

	FIRST_CALL_DONE();
	EXPECT(m == 0x12345);
}

static void
c_makedevice(void)
{
	dev_t d = makedevice(7, 0x12345);

	FIRST_CALL_DONE();
	EXPECT(d == DEV_7_12345);
}

static LKINFO_DECL(entry_lkinfo, "entry:lock", 0);

static void
c_LOCK_ALLOC(void)
{
	lock_t *lp = LOCK_ALLOC(1, PLDISK, &entry_lkinfo, KM_SLEEP);
	pl_t pl;

	FIRST_CALL_DONE();
	EXPECT(lp != NULL);
	pl = LOCK(lp, PLDISK);
	EXPECT(pl == PLBASE && getpl() == PLDISK);
	EXPECT(ddisim_ctx_locks_held() == 1);
	EXPECT(TRYLOCK(lp, PLDISK) == INVPL);
	UNLOCK(lp, pl);
	EXPECT(getpl() == PLBASE && ddisim_ctx_locks_held() == 0);
	LOCK_DEALLOC(lp);
}

static void
c_RW_ALLOC(void)
{
	rwlock_t *lp = RW_ALLOC(2, PLSTR, &entry_lkinfo, KM_NOSLEEP);
	pl_t pl;

	FIRST_CALL_DONE();
	EXPECT(lp != NULL);
	pl = RW_RDLOCK(lp, PLSTR);
	EXPECT(pl == PLBASE && getpl() == PLSTR);
	RW_UNLOCK(lp, pl);
	pl = RW_TRYWRLOCK(lp, PLSTR);
	EXPECT(pl == PLBASE);
	RW_UNLOCK(lp, pl);
	RW_DEALLOC(lp);
}

static void
c_SLEEP_ALLOC(void)
{
	sleep_t *lk = SLEEP_ALLOC(0, &entry_lkinfo, KM_SLEEP);

	FIRST_CALL_DONE();
	EXPECT(lk != NULL);
	EXPECT(SLEEP_LOCKAVAIL(lk) == B_TRUE);
	EXPECT(SLEEP_TRYLOCK(lk) == B_TRUE);
	EXPECT(SLEEP_LOCKOWNED(lk) == B_TRUE);
	EXPECT(SLEEP_LOCKAVAIL(lk) == B_FALSE);
	SLEEP_UNLOCK(lk);
	SLEEP_DEALLOC(lk);
}

static void
c_SV_ALLOC(void)
{
	sv_t *sv = SV_ALLOC(KM_SLEEP);

	FIRST_CALL_DONE();
	EXPECT(sv != NULL);
	SV_SIGNAL(sv, 0);	/* nobody waits: lost, as documented */
	SV_BROADCAST(sv, 0);
	SV_DEALLOC(sv);
}

static void
c_getpl(void)
{
	pl_t pl = getpl();

	FIRST_CALL_DONE();
	EXPECT(pl == PLBASE);
}

/* The spl calls: each returns the base level and leaves its own. */
#define SPL_CASE(name, call, level)					\
static void								\
c_##name(void)								\
{									\
	unsigned old = (unsigned)(call);				\
									\
	FIRST_CALL_DONE();						\
	EXPECT(old == PLBASE);						\
	EXPECT(getpl() == (level));					\
	EXPECT(ddisim_ctx_pl() == (level));				\
	(void)splx(PLBASE);						\
	EXPECT(getpl() == PLBASE);					\
}

SPL_CASE(splbase, splbase(), PLBASE)
SPL_CASE(spltimeout, spltimeout(), PLTIMEOUT)
SPL_CASE(spldisk, spldisk(), PLDISK)
SPL_CASE(splstr, splstr(), PLSTR)
SPL_CASE(spltty, spltty(), PLTTY)
SPL_CASE(splhi, splhi(), PLHI)
SPL_CASE(splx, splx(PLDISK), PLDISK)
SPL_CASE(spl0, spl0(), PL0)
SPL_CASE(spl1, spl1(), PL1)
SPL_CASE(spl2, spl2(), PL2)
SPL_CASE(spl3, spl3(), PL3)
SPL_CASE(spl4, spl4(), PL4)
SPL_CASE(spl5, spl5(), PL5)
SPL_CASE(spl6, spl6(), PL6)
SPL_CASE(spl7, spl7(), PL7)
SPL_CASE(_Compat_spl1, _Compat_spl1(), PL1)
SPL_CASE(_Compat_spl4, _Compat_spl4(), PL4)
SPL_CASE(_Compat_spl5, _Compat_spl5(), PL5)
SPL_CASE(_Compat_spl6, _Compat_spl6(), PL6)

static int wake_chan;

static void
c_wakeup(void)
{
	wakeup((caddr_t)&wake_chan);	/* nobody asleep: lost */
	FIRST_CALL_DONE();
	EXPECT(getpl() == PLBASE);
}

/* ---- port I/O ---- */

/*
 * The default machine's 8237s answer on their ports from the start; the
 * second chip's "read masks" register (0xde) reads 0xfe, every channel
 * masked but 4, the cascade (ddisim_isadma(3)), which no unclaimed port
 * returns.  The page registers (0x80-0x8f) read back what was written.
 */
#define DMA2_MASKS	0xde
#define DMA1_SMASK	0x0a
#define DMA1_MASKS	0x0f
#define PAGE_CH0	0x87
#define PAGE_CH1	0x83
#define PAGE_CH2	0x81
#define FREE_PORT	0x300

static void
c_inb(void)
{
	uchar_t v = inb(DMA2_MASKS);

	FIRST_CALL_DONE();
	EXPECT(v == 0xfe);
}

static void
c_inw(void)
{
	ushort_t v = inw(DMA2_MASKS);

	FIRST_CALL_DONE();
	EXPECT(v == 0xfe);
}

static void
c_inl(void)
{
	ulong_t v = inl(DMA2_MASKS);

	FIRST_CALL_DONE();
	EXPECT(v == 0xfe);
}

/* An unclaimed port reads as all ones, with a report (inb(9)). */
#define IN_UNCLAIMED(name, call, ones)					\
static void								\
c_##name##_unclaimed(void)						\
{									\
	unsigned long v = (unsigned long)(call);			\
									\
	FIRST_CALL_DONE();						\
	EXPECT(v == (ones));						\
	EXPECT(strstr(ddisim_verify_last(), #name ": no device claims "	\
	    "port 0x300") != NULL);					\
}

IN_UNCLAIMED(inb, inb(FREE_PORT), 0xffUL)
IN_UNCLAIMED(inw, inw(FREE_PORT), 0xffffUL)
IN_UNCLAIMED(inl, inl(FREE_PORT), 0xffffffffUL)

static void
c_outb(void)
{
	struct ddisim_chan ch[8];

	outb(DMA1_SMASK, 0x01);		/* unmask channel 1 */
	FIRST_CALL_DONE();
	EXPECT(ddisim_isadma_channels(ch) == 8);
	EXPECT(!ch[1].masked && ch[0].masked && ch[2].masked);
	EXPECT(inb(DMA1_MASKS) == 0xfd);
}

static void
c_outw(void)
{
	outw(PAGE_CH0, 0x1234);		/* the low byte reaches the register */
	FIRST_CALL_DONE();
	EXPECT(inb(PAGE_CH0) == 0x34);
}

static void
c_outl(void)
{
	outl(PAGE_CH1, 0xdeadbeef);
	FIRST_CALL_DONE();
	EXPECT(inb(PAGE_CH1) == 0xef);
}

static void
c_repinsb(void)
{
	uchar_t b[4] = { 0x55, 0x55, 0x55, 0x55 };

	repinsb(DMA2_MASKS, b, 3);
	FIRST_CALL_DONE();
	EXPECT(b[0] == 0xfe && b[1] == 0xfe && b[2] == 0xfe && b[3] == 0x55);
}

static void
c_repinsw(void)
{
	ushort_t w[3] = { 0x5555, 0x5555, 0x5555 };

	repinsw(DMA2_MASKS, w, 2);
	FIRST_CALL_DONE();
	EXPECT(w[0] == 0xfe && w[1] == 0xfe && w[2] == 0x5555);
}

static void
c_repinsd(void)
{
	ulong_t d[3] = { 0x55555555, 0x55555555, 0x55555555 };

	repinsd(DMA2_MASKS, d, 2);
	FIRST_CALL_DONE();
	EXPECT(d[0] == 0xfe && d[1] == 0xfe && d[2] == 0x55555555);
}

static void
c_repoutsb(void)
{
	uchar_t b[3] = { 1, 2, 3 };

	repoutsb(PAGE_CH0, b, 3);	/* the register keeps the last */
	FIRST_CALL_DONE();
	EXPECT(inb(PAGE_CH0) == 3);
}

static void
c_repoutsw(void)
{
	ushort_t w[2] = { 0x1111, 0x2222 };

	repoutsw(PAGE_CH1, w, 2);
	FIRST_CALL_DONE();
	EXPECT(inb(PAGE_CH1) == 0x22);
}

static void
c_repoutsd(void)
{
	ulong_t d[2] = { 0x11111111, 0x12345678 };

	repoutsd(PAGE_CH2, d, 2);
	FIRST_CALL_DONE();
	EXPECT(inb(PAGE_CH2) == 0x78);
}

/* A device of the test's on four ports. */
struct entry_dev {
	int	last_port, last_width;
	uint32_t last_val;
};

static uint32_t
entry_dev_in(void *arg, int port, int width)
{
	struct entry_dev *d = arg;

	d->last_port = port;
	d->last_width = width;
	return 0xa0u + (uint32_t)(port - FREE_PORT);
}

static void
entry_dev_out(void *arg, int port, int width, uint32_t val)
{
	struct entry_dev *d = arg;

	d->last_port = port;
	d->last_width = width;
	d->last_val = val;
}

static const struct ddisim_port_ops entry_dev_ops = {
	entry_dev_in, entry_dev_out
};

static void
c_ddisim_port_claim(void)
{
	struct entry_dev dev = { 0, 0, 0 };
	ddisim_ports_t *h = ddisim_port_claim(FREE_PORT, 4, &entry_dev_ops,
	    &dev, "entry");

	FIRST_CALL_DONE();
	EXPECT(h != NULL);
	EXPECT(inb(FREE_PORT + 1) == 0xa1);
	EXPECT(dev.last_port == FREE_PORT + 1 && dev.last_width == 1);
	outw(FREE_PORT + 2, 0xbeef);
	EXPECT(dev.last_port == FREE_PORT + 2 && dev.last_width == 2);
	EXPECT(dev.last_val == 0xbeef);
	ddisim_port_release(h);
}

static void
c_ddisim_port_release(void)
{
	ddisim_port_release(NULL);	/* documented to do nothing */
	FIRST_CALL_DONE();
	EXPECT(inb(DMA2_MASKS) == 0xfe);
}

/* ---- time ---- */

static void
c_drv_getparm(void)
{
	clock_t t = -1;
	int rc = drv_getparm(LBOLT, &t);
	char *hw = NULL;
	size_t sz = 0;

	FIRST_CALL_DONE();
	EXPECT(rc == 0 && t == 0);	/* a new machine's clock is at 0 */
	EXPECT(drv_getparm(HW_PROVIDER, &hw) == 0);
	EXPECT(hw != NULL && strcmp(hw, "ddicompat simulated PC") == 0);
	EXPECT(drv_getparm(STRMSGSIZE, &sz) == 0 && sz == 65536);
}

static void
c_drv_setparm(void)
{
	int rc = drv_setparm(SYSRINT, 5);

	FIRST_CALL_DONE();
	EXPECT(rc == 0);
	EXPECT(drv_setparm(99, 1) == -1);
}

static void
c_drv_hztousec(void)
{
	clock_t us = drv_hztousec(3);

	FIRST_CALL_DONE();
	EXPECT(us == 30000);
}

static void
c_drv_usectohz(void)
{
	clock_t t = drv_usectohz(10001);

	FIRST_CALL_DONE();
	EXPECT(t == 2);		/* rounded up */
}

static void
c_drv_usecwait(void)
{
	drv_usecwait(2500);
	FIRST_CALL_DONE();
	EXPECT(ddisim_clock_now() == 2500);
}

static void
c_delay(void)
{
	uint64_t now;

	delay(3);
	FIRST_CALL_DONE();
	now = ddisim_clock_now();
	EXPECT(now >= 20000 && now <= 30000);
	EXPECT(lbolt == 3);
}

struct shot {
	_Atomic int	runs;
	_Atomic unsigned pl;
	_Atomic int	in_intr;
};

static void
shot_fn(void *arg)
{
	struct shot *s = arg;

	s->pl = getpl();
	s->in_intr = ddisim_ctx_in_intr();
	s->runs++;
}

/* Wait a bounded time for a callback another thread may run. */
static bool
wait_runs(_Atomic int *runs, int want)
{
	for (int i = 0; i < 5000 && *runs < want; i++) {
		struct timespec ts = { 0, 1000 * 1000 };

		nanosleep(&ts, NULL);
	}
	return *runs == want;
}

static void
c_timeout(void)
{
	static struct shot s;
	toid_t id = timeout(shot_fn, &s, 2);

	FIRST_CALL_DONE();
	EXPECT(id > 0);
	EXPECT(ddisim_clock_callouts() == 1);
	ddisim_clock_advance(10000);
	EXPECT(s.runs == 0);
	ddisim_clock_advance(10000);
	EXPECT(wait_runs(&s.runs, 1));
	EXPECT(s.pl == PLHI && s.in_intr == 1);
	EXPECT(ddisim_clock_callouts() == 0);
}

static void
c_itimeout(void)
{
	static struct shot s;
	toid_t id = itimeout(shot_fn, &s, 1, PLTIMEOUT);

	FIRST_CALL_DONE();
	EXPECT(id > 0);
	ddisim_clock_advance(10000);
	EXPECT(wait_runs(&s.runs, 1));
	EXPECT(s.pl == PLTIMEOUT && s.in_intr == 1);
}

static void
c_dtimeout(void)
{
	static struct shot s;
	toid_t id = dtimeout(shot_fn, &s, 1, PLDISK, 1);

	FIRST_CALL_DONE();
	EXPECT(id > 0);
	ddisim_clock_advance(10000);
	EXPECT(wait_runs(&s.runs, 1));
	EXPECT(s.pl == PLDISK);
}

static void
c_ddisim_clock_now(void)
{
	uint64_t now = ddisim_clock_now();

	FIRST_CALL_DONE();
	EXPECT(now == 0);
}

static void
c_ddisim_clock_advance(void)
{
	ddisim_clock_advance(15000);
	FIRST_CALL_DONE();
	EXPECT(ddisim_clock_now() == 15000);
	EXPECT(lbolt == 1);
}

static void
c_ddisim_clock_callouts(void)
{
	unsigned n = ddisim_clock_callouts();

	FIRST_CALL_DONE();
	EXPECT(n == 0);
}

static void
c_ddisim_clock_realtime(void)
{
	ddisim_clock_realtime(1);
	FIRST_CALL_DONE();
	/* the library's thread moves the clock a tick at a time */
	for (int i = 0; i < 5000 && ddisim_clock_now() == 0; i++) {
		struct timespec ts = { 0, 1000 * 1000 };

		nanosleep(&ts, NULL);
	}
	ddisim_clock_realtime(0);
	EXPECT(ddisim_clock_now() > 0);
}

/* ---- contexts and interrupts ---- */

static void
c_ddisim_ctx_id(void)
{
	unsigned id = ddisim_ctx_id();

	FIRST_CALL_DONE();
	EXPECT(id >= 1);
	EXPECT(ddisim_ctx_id() == id);
}

static void
c_ddisim_ctx_signal(void)
{
	int rc = ddisim_ctx_signal(0);	/* identifiers start at 1 */

	FIRST_CALL_DONE();
	EXPECT(rc == 0);
	EXPECT(ddisim_ctx_signal(ddisim_ctx_id()) == 1);
}

static void
c_ddisim_ctx_pl(void)
{
	unsigned pl = ddisim_ctx_pl();

	FIRST_CALL_DONE();
	EXPECT(pl == PLBASE);
}

static void
c_ddisim_ctx_locks_held(void)
{
	int n = ddisim_ctx_locks_held();

	FIRST_CALL_DONE();
	EXPECT(n == 0);
}

static void
c_ddisim_ctx_in_intr(void)
{
	int n = ddisim_ctx_in_intr();

	FIRST_CALL_DONE();
	EXPECT(n == 0);
}

static _Atomic int intr_runs, intr_ivec;
static _Atomic unsigned intr_pl;

static void
entry_intr(int ivec)
{
	intr_ivec = ivec;
	intr_pl = getpl();
	intr_runs++;
}

static void
c_ddisim_intr_key(void)
{
	unsigned key = ddisim_intr_key(5, PLDISK);

	FIRST_CALL_DONE();
	EXPECT(key != 0);
}

static void
c_ddisim_intr_register(void)
{
	ddisim_intr_t *h = ddisim_intr_register(5, PLDISK, entry_intr);

	FIRST_CALL_DONE();
	EXPECT(h != NULL);
	ddisim_cpu_set(0);
	EXPECT(ddisim_intr_raise(5) == 1);
	EXPECT(intr_runs == 1 && intr_ivec == 5 && intr_pl == PLDISK);
	EXPECT(ddisim_intr_count(5) == 1);
	ddisim_intr_unregister(h);
}

static void
c_ddisim_intr_bind(void)
{
	int rc = ddisim_intr_bind(6, 1);

	FIRST_CALL_DONE();
	EXPECT(rc == 0);
}

static void
c_ddisim_intr_raise(void)
{
	int rc = ddisim_intr_raise(7);

	FIRST_CALL_DONE();
	EXPECT(rc == -1);	/* no handler: a stray, dropped */
	EXPECT(ddisim_intr_count(7) == 0 && ddisim_intr_pending(7) == 0);
}

static void
c_ddisim_intr_set_deterministic(void)
{
	ddisim_intr_t *h;

	ddisim_intr_set_deterministic(1);
	FIRST_CALL_DONE();
	ddisim_cpu_set(0);
	h = ddisim_intr_register(8, PLSTR, entry_intr);
	EXPECT(h != NULL);
	EXPECT(ddisim_intr_raise(8) == 0 && ddisim_intr_pending(8) == 1);
	EXPECT(intr_runs == 0);
	EXPECT(ddisim_intr_deliver(0) == 1);
	EXPECT(intr_runs == 1 && intr_ivec == 8);
	ddisim_intr_set_deterministic(0);
	ddisim_intr_unregister(h);
}

static void
c_ddisim_intr_deliver(void)
{
	unsigned n = ddisim_intr_deliver(0);

	FIRST_CALL_DONE();
	EXPECT(n == 0);
}

static void
c_ddisim_intr_pending(void)
{
	int p = ddisim_intr_pending(3);

	FIRST_CALL_DONE();
	EXPECT(p == 0);
}

static void
c_ddisim_intr_count(void)
{
	unsigned long n = ddisim_intr_count(3);

	FIRST_CALL_DONE();
	EXPECT(n == 0);
}

/* ---- STREAMS ---- */

static void
expect_fresh_block(int line, mblk_t *mp, int size)
{
	if (mp == NULL)
		child_fail(line, "no message");
	if (mp->b_rptr != mp->b_datap->db_base ||
	    mp->b_wptr != mp->b_rptr ||
	    mp->b_datap->db_lim - mp->b_datap->db_base != size ||
	    mp->b_datap->db_ref != 1 || mp->b_datap->db_type != M_DATA ||
	    mp->b_cont != NULL || mp->b_band != 0 || mp->b_flag != 0)
		child_fail(line, "not a fresh %d-byte M_DATA block", size);
}

#define ALLOCB_CASE(name, call, limit)					\
static void								\
c_##name(void)								\
{									\
	mblk_t *mp = call;						\
									\
	FIRST_CALL_DONE();						\
	expect_fresh_block(__LINE__, mp, 100);				\
	EXPECT((uintptr_t)mp->b_rptr % 4 == 0);				\
	EXPECT_SEGMENTS(mp->b_rptr, 100, 1, limit, 1, 0);		\
	freemsg(mp);							\
}

ALLOCB_CASE(allocb, allocb(100, BPRI_MED), UINT64_MAX)
ALLOCB_CASE(_Compat_allocb7, _Compat_allocb7(100, BPRI_MED), 4 * GIB)
ALLOCB_CASE(_Compat_allocb5, _Compat_allocb5(100, BPRI_MED), 16 * MIB)

#define TESTB_CASE(name)						\
static void								\
c_##name(void)								\
{									\
	int ok = name(100, BPRI_LO);					\
									\
	FIRST_CALL_DONE();						\
	EXPECT(ok == 1);						\
}

TESTB_CASE(testb)
TESTB_CASE(_Compat_testb7)
TESTB_CASE(_Compat_testb5)

static _Atomic int ext_freed;
static char *_Atomic ext_arg;

static void
ext_free(char *arg)
{
	ext_arg = arg;
	ext_freed++;
}

static void
c_esballoc(void)
{
	static uchar_t buf[64];
	static frtn_t fr;
	mblk_t *mp;

	fr.free_func = ext_free;
	fr.free_arg = (char *)buf;
	mp = esballoc(buf, sizeof(buf), BPRI_LO, &fr);
	FIRST_CALL_DONE();
	EXPECT(mp != NULL);
	EXPECT(mp->b_datap->db_base == buf);
	EXPECT(mp->b_datap->db_lim == buf + sizeof(buf));
	EXPECT(mp->b_rptr == buf && mp->b_datap->db_frtnp == &fr);
	freemsg(mp);
	EXPECT(ext_freed == 0);		/* never inside the free */
	EXPECT(ddisim_streams_pending() == 1);
	EXPECT(ddisim_streams_run() == 1);
	EXPECT(ext_freed == 1 && ext_arg == (char *)buf);
}

static void
c_freemsg(void)
{
	freemsg(NULL);			/* accepted, and does nothing */
	FIRST_CALL_DONE();
	EXPECT(ddisim_outstanding() == 0);
}

static _Atomic int bc_runs;
static _Atomic long bc_arg;

static void
bc_fn(long arg)
{
	bc_arg = arg;
	bc_runs++;
}

#define BUFCALL_CASE(name, call)					\
static void								\
c_##name(void)								\
{									\
	toid_t id = call;						\
									\
	FIRST_CALL_DONE();						\
	EXPECT(id > 0);							\
	EXPECT(bc_runs == 0);		/* never called by bufcall */	\
	EXPECT(ddisim_streams_pending() == 1);				\
	EXPECT(ddisim_streams_run() == 1);				\
	EXPECT(bc_runs == 1 && bc_arg == 42);				\
	EXPECT(ddisim_streams_pending() == 0);				\
}

BUFCALL_CASE(bufcall, bufcall(64, BPRI_MED, bc_fn, 42))
BUFCALL_CASE(_Compat_bufcall7, _Compat_bufcall7(64, BPRI_MED, bc_fn, 42))
BUFCALL_CASE(_Compat_bufcall5, _Compat_bufcall5(64, BPRI_MED, bc_fn, 42))
BUFCALL_CASE(esbbcall, esbbcall(BPRI_MED, bc_fn, 42))

static void
c_ddisim_streams_run(void)
{
	unsigned n = ddisim_streams_run();

	FIRST_CALL_DONE();
	EXPECT(n == 0);
}

static void
c_ddisim_streams_pending(void)
{
	unsigned n = ddisim_streams_pending();

	FIRST_CALL_DONE();
	EXPECT(n == 0);
}

static void
c_scgth_free(void)
{
	scgth_t sg;

	memset(&sg, 0, sizeof(sg));	/* sg_format 0: left alone */
	scgth_free(&sg);
	FIRST_CALL_DONE();
	EXPECT(sg.sg_format == SCGTH_NONE && sg.sg_nelem == 0);
	EXPECT(sg.sg_elem.el32 == NULL);
}

/* ---- resource maps ---- */

static void
c_rmallocmap(void)
{
	struct map *mp = rmallocmap(4);

	FIRST_CALL_DONE();
	EXPECT(mp != NULL);
	EXPECT(simulated(mp));
	rmfree(mp, 10, 100);
	EXPECT(rmalloc(mp, 4) == 100);
	EXPECT(rmalloc(mp, 7) == 0);
	rmfree(mp, 4, 100);
	rmfreemap(mp);
}

/* A driver's own map, set up by its first DDI call. */
static struct map entry_map[3 + 2];

static void
c__Compat_rminit(void)
{
	_Compat_rminit(entry_map, 3 + 2);
	FIRST_CALL_DONE();
	EXPECT(ddisim_initialized());
	rmfree(entry_map, 8, 1);
	EXPECT(rmalloc(entry_map, 8) == 1);
	EXPECT(rmalloc(entry_map, 1) == 0);
}

/* ---- block I/O ---- */

static void
c_getrbuf(void)
{
	buf_t *bp = getrbuf(KM_SLEEP);

	FIRST_CALL_DONE();
	EXPECT(bp != NULL);
	EXPECT(bp->b_flags == (B_BUSY | B_KERNBUF));
	EXPECT(bp->b_edev == NODEV);
	EXPECT(bp->b_iodone == NULL && bp->b_addrtype == 0);
	EXPECT(bp->b_bcount == 0 && bp->b_error == 0 && bp->b_resid == 0);
	EXPECT(bp->b_scgth.sg_format == 0);
	EXPECT(simulated(bp));
	EXPECT(ddisim_outstanding() > 0);
	freerbuf(bp);
}

static void
c_geteblk(void)
{
	buf_t *bp = geteblk();

	FIRST_CALL_DONE();
	EXPECT(bp != NULL);
	EXPECT(bp->b_flags == B_BUSY && bp->b_edev == NODEV);
	EXPECT(bp->b_bcount == 1024 && bp->b_addrtype == BA_KVIRT);
	EXPECT(simulated(bp->b_un.b_addr));
	clrbuf(bp);
	EXPECT(bp->b_un.b_addr[0] == 0 && bp->b_un.b_addr[1023] == 0);
	brelse(bp);
	EXPECT(ddisim_outstanding() == 0);
}

static void
c_ngeteblk(void)
{
	buf_t *bp = ngeteblk(3 * PAGE);

	FIRST_CALL_DONE();
	EXPECT(bp != NULL);
	EXPECT(bp->b_bcount == 3 * PAGE && bp->b_bufsize == 3 * PAGE);
	EXPECT(simulated(bp->b_un.b_addr));
	brelse(bp);
	EXPECT(ddisim_outstanding() == 0);
}

static void
c_bcb_alloc(void)
{
	bcb_t *b = bcb_alloc(KM_SLEEP);

	FIRST_CALL_DONE();
	EXPECT(b != NULL);
	EXPECT(b->bcb_addrtypes == 0 && b->bcb_flags == 0);
	EXPECT(b->bcb_max_xfer == 0 && b->bcb_granularity == 0);
	EXPECT(b->bcb_physreqp == NULL);
	bcb_free(b);
}

/* A driver's own bcb and physreq, prepared by its first DDI call. */
static physreq_t bcb_preq;
static bcb_t static_bcb;

static void
c_bcb_prep(void)
{
	boolean_t ok;
	char *p;

	bcb_preq.phys_dmasize = 32;
	static_bcb.bcb_addrtypes = BA_KVIRT;
	static_bcb.bcb_granularity = NBPSCTR;
	static_bcb.bcb_physreqp = &bcb_preq;
	ok = bcb_prep(&static_bcb, KM_SLEEP);
	FIRST_CALL_DONE();
	EXPECT(ok == B_TRUE);
	/* its physreq is prepared now */
	p = kmem_alloc_physreq(PAGE, &bcb_preq, KM_SLEEP);
	EXPECT(p != NULL);
	EXPECT_SEGMENTS(p, PAGE, 1, 4 * GIB, 1, 0);
	kmem_free(p, PAGE);
}

static _Atomic int starts;

static void
entry_biostart(void *idata, uint32_t channel, buf_t *bp)
{
	*(int *)idata = (int)channel;
	starts++;
	bp->b_resid = 0;
	biodone(bp);
}

static void
c_ddisim_bio_attach(void)
{
	int seen = -1;
	ddisim_bio_t *h = ddisim_bio_attach(NULL, NULL, entry_biostart, &seen);
	buf_t *bp;

	FIRST_CALL_DONE();
	EXPECT(h != NULL);
	/* no bcb for the direction: the request goes to biostart as it is */
	bp = getrbuf(KM_SLEEP);
	EXPECT(bp != NULL);
	bp->b_flags |= B_READ;
	ddisim_bio_submit(h, 3, bp);
	EXPECT(biowait(bp) == 0);
	EXPECT(starts == 1 && seen == 3);
	freerbuf(bp);
	ddisim_bio_detach(h);
}

static void
c_ddisim_breakup_stats(void)
{
	uint64_t bounces = 1, bytes = 1;

	ddisim_breakup_stats(&bounces, &bytes);
	FIRST_CALL_DONE();
	EXPECT(bounces == 0 && bytes == 0);
}

static void
c_ddisim_breakup_reserve_uses(void)
{
	uint64_t n = ddisim_breakup_reserve_uses();

	FIRST_CALL_DONE();
	EXPECT(n == 0);
}

static _Atomic int strat_calls;

static void
entry_strat(buf_t *bp)
{
	memset(bp->b_un.b_addr, 0x5a, bp->b_bcount);
	strat_calls++;
	bp->b_resid = 0;
	biodone(bp);
}

/* A kernel-space uio over a buffer of the caller's. */
static char uio_data[1024];
static iovec_t uio_iov;
static uio_t uio;

static void
uio_setup(void)
{
	memset(uio_data, 0, sizeof(uio_data));
	uio_iov.iov_base = uio_data;
	uio_iov.iov_len = (int)sizeof(uio_data);
	uio.uio_iov = &uio_iov;
	uio.uio_iovcnt = 1;
	uio.uio_offset = 0;
	uio.uio_segflg = UIO_SYSSPACE;
	uio.uio_resid = (int)sizeof(uio_data);
}

static void
c_physiock(void)
{
	int rc;

	uio_setup();
	rc = physiock(entry_strat, NULL, DEV_7_12345, B_READ, 100, &uio);
	FIRST_CALL_DONE();
	EXPECT(rc == 0);
	EXPECT(strat_calls == 1 && uio.uio_resid == 0);
	EXPECT(uio.uio_offset == (int32_t)sizeof(uio_data));
	EXPECT(all_bytes(uio_data, sizeof(uio_data), 0x5a));
	EXPECT(ddisim_outstanding() == 0);	/* its own buf is freed */
}

static void
c_uiophysio(void)
{
	int rc;

	uio_setup();
	rc = uiophysio(entry_strat, NULL, DEV_7_12345, B_READ, &uio);
	FIRST_CALL_DONE();
	EXPECT(rc == 0);
	EXPECT(strat_calls == 1 && uio.uio_resid == 0);
	EXPECT(all_bytes(uio_data, sizeof(uio_data), 0x5a));
}

static void
c__Compat_uiophysio(void)
{
	int rc;

	uio_setup();
	rc = _Compat_uiophysio(entry_strat, NULL, DEV_7_12345, B_READ, &uio);
	FIRST_CALL_DONE();
	EXPECT(rc == 0);
	EXPECT(strat_calls == 1 && uio.uio_resid == 0);
	EXPECT(all_bytes(uio_data, sizeof(uio_data), 0x5a));
}

static void
c_physck(void)
{
	int ok = physck(100, B_READ);	/* a new user area: offset 0 */

	FIRST_CALL_DONE();
	EXPECT(ok == 1);
	EXPECT(_Compat_u()->u_error == 0);
}

static void
c__Compat_u(void)
{
	struct user *up = _Compat_u();

	FIRST_CALL_DONE();
	EXPECT(up != NULL);
	EXPECT(up->u_base == NULL && up->u_count == 0 && up->u_offset == 0);
	EXPECT(up->u_error == 0 && up->u_procp == NULL);
	EXPECT(_Compat_u() == up);
}

/* ---- user memory ---- */

/*
 * The user-memory calls, first in a thread that runs in no process:
 * nothing copied, the failure value and a report (copyin(9)).
 */
#define NO_PROC(name, call, fails)					\
static void								\
c_##name##_noproc(void)							\
{									\
	long v = (long)(call);						\
									\
	FIRST_CALL_DONE();						\
	EXPECT(v == (fails));						\
	EXPECT(strstr(ddisim_verify_last(), "runs in no process") != NULL); \
}

static char ua_byte = 'u';
static int ua_word = 0x1234;

NO_PROC(copyin, copyin(&ua_byte, uio_data, 1), -1L)
NO_PROC(copyout, copyout(uio_data, &ua_byte, 1), -1L)
NO_PROC(fubyte, fubyte(&ua_byte), -1L)
NO_PROC(fuword, fuword(&ua_word), -1L)
NO_PROC(subyte, subyte(&ua_byte, 'x'), -1L)
NO_PROC(suword, suword(&ua_word, 7), -1L)
NO_PROC(_Compat_useracc, _Compat_useracc(&ua_byte, 1, B_READ), 0L)

/* Kernel space: no process needed. */
static void
c_uiomove(void)
{
	char src[16] = "uiomove, first";
	int rc;

	uio_setup();
	uio.uio_offset = 512;
	rc = uiomove(src, (long)sizeof(src), UIO_READ, &uio);
	FIRST_CALL_DONE();
	EXPECT(rc == 0);
	EXPECT(memcmp(uio_data, src, sizeof(src)) == 0);
	EXPECT(uio.uio_resid == (int)(sizeof(uio_data) - sizeof(src)));
	EXPECT(uio.uio_offset == 512 + (int32_t)sizeof(src));
	EXPECT(uio_iov.iov_base == uio_data + sizeof(src));
}

static void
c_ureadc(void)
{
	int rc;

	uio_setup();
	rc = ureadc('r', &uio);
	FIRST_CALL_DONE();
	EXPECT(rc == 0 && uio_data[0] == 'r');
	EXPECT(uio.uio_resid == (int)sizeof(uio_data) - 1);
}

static void
c_uwritec(void)
{
	int c;

	uio_setup();
	uio_data[0] = (char)0xe7;
	c = uwritec(&uio);
	FIRST_CALL_DONE();
	EXPECT(c == 0xe7);
	EXPECT(uio.uio_offset == 1);
	EXPECT(uio_iov.iov_len == (int)sizeof(uio_data) - 1);
}

/* ---- simulated processes, page lists and devices ---- */

static void
c_ddisim_proc_create(void)
{
	struct proc *p = ddisim_proc_create(3 * PAGE, 4 * GIB);
	char in[16] = "entry", out[16];
	char *base;

	FIRST_CALL_DONE();
	EXPECT(p != NULL);
	EXPECT(ddisim_proc_size(p) == 3 * PAGE);
	base = ddisim_proc_base(p);
	EXPECT(base != NULL);
	EXPECT(ddisim_proc_write(p, base + PAGE + 10, in, sizeof(in)) == 0);
	EXPECT(ddisim_proc_read(p, base + PAGE + 10, out, sizeof(out)) == 0);
	EXPECT(memcmp(in, out, sizeof(in)) == 0);
	EXPECT(ddisim_proc_read(p, base + 3 * PAGE, out, 1) == EFAULT);
	ddisim_proc_destroy(p);
}

static void
c_ddisim_proc_enter(void)
{
	proc_t *pp = (proc_t *)&pp;

	ddisim_proc_enter(NULL);	/* run in no process */
	FIRST_CALL_DONE();
	EXPECT(drv_getparm(UPROCP, &pp) == 0 && pp == NULL);
}

static void
c_ATOMIC_INT_ALLOC(void)
{
	atomic_int_t *c = ATOMIC_INT_ALLOC(KM_SLEEP);

	FIRST_CALL_DONE();
	EXPECT(c != NULL);
	EXPECT(ATOMIC_INT_READ(c) == 0);
	ATOMIC_INT_INCR(c);
	EXPECT(ATOMIC_INT_DECR(c) == B_TRUE);
	ATOMIC_INT_DEALLOC(c);
}

static void
c_ATOMIC_INT_INIT(void)
{
	static atomic_int_t c;

	ATOMIC_INT_INIT(&c, 7);
	FIRST_CALL_DONE();
	EXPECT(ATOMIC_INT_READ(&c) == 7);
}

static void
c_KS_HOLD0LOCKS(void)
{
	boolean_t none = KS_HOLD0LOCKS();

	FIRST_CALL_DONE();
	EXPECT(none == B_TRUE);
}

static void
c_ovbcopy(void)
{
	char b[8] = "abcdefg";

	ovbcopy(b, b + 1, 5);		/* overlapping, upward */
	FIRST_CALL_DONE();
	EXPECT(memcmp(b, "aabcdeg", 8) == 0);
}

static void
c_pcmsg(void)
{
	int hi = pcmsg(M_PCPROTO);

	FIRST_CALL_DONE();
	EXPECT(hi == 1 && pcmsg(M_PROTO) == 0);
}

static void
c_numtos(void)
{
	char s[12];
	char *r = numtos(4294967295u, s);

	FIRST_CALL_DONE();
	EXPECT(r == s && strcmp(s, "4294967295") == 0);
}

static void
c_TICKS(void)
{
	clock_t t = TICKS();

	FIRST_CALL_DONE();
	EXPECT(t == 0);
	ddisim_clock_advance(3 * 10000);
	EXPECT(TICKS() == 3 && lbolt == 3);
}

static void
c_drv_priv(void)
{
	cred_t root = { 1, 0, 0, 0, 0, 0, 0, 0, { 0 } };
	int rc = drv_priv(&root);

	FIRST_CALL_DONE();
	EXPECT(rc == 0);
	root.cr_uid = 1;
	EXPECT(drv_priv(&root) == EPERM);
}

static void
c_proc_ref_none(void)
{
	void *pref = proc_ref();	/* no process: a report, NULL */

	FIRST_CALL_DONE();
	EXPECT(pref == NULL);
}

static void
c_proc_ref(void)
{
	struct proc *p = ddisim_proc_create(PAGE, 0);
	void *pref;

	FIRST_CALL_DONE();
	ddisim_proc_enter(p);
	pref = proc_ref();
	EXPECT(pref != NULL && proc_valid(pref) == B_TRUE);
	EXPECT(proc_signal(pref, 1) == 0);
	EXPECT(ddisim_proc_signals(p) == 2);
	proc_unref(pref);
	ddisim_proc_enter(NULL);
	ddisim_proc_destroy(p);
}

static void
c_phalloc(void)
{
	struct pollhead *ph = phalloc(KM_NOSLEEP);

	FIRST_CALL_DONE();
	EXPECT(ph != NULL);
	EXPECT(ddisim_poll_wait(ph, POLLIN, 0) == 0);
	pollwakeup(ph, POLLIN);
	phfree(ph);
}

static void
entry_kt(void *arg)
{
	*(int *)arg = (int)ddisim_ctx_pl() + 1;
}

static void
c_kthread_spawn(void)
{
	kthread_id_t id = NULL;
	int ran = 0;
	int rc = kthread_spawn(entry_kt, &ran, "entry", &id);

	FIRST_CALL_DONE();
	EXPECT(rc == 0 && id != NULL);
	EXPECT(kthread_wait(id) == 0);
	EXPECT(ran == (int)PLBASE + 1);
}

static void
c_strlog(void)
{
	char pb[256];
	int rc = strlog(7, 1, 0, SL_ERROR, "unit %d", 1);

	FIRST_CALL_DONE();
	EXPECT(rc == 1);
	(void)ddisim_putbuf(pb, sizeof(pb));
	EXPECT(strstr(pb, "STRLOG mid 7 sid 1 level 0 ERROR: unit 1") !=
	    NULL);
}

static void
c_etoimajor(void)
{
	int i = etoimajor(7);

	FIRST_CALL_DONE();
	EXPECT(i == 7);
}

static void
c_itoemajor(void)
{
	int e = itoemajor(7, -1);

	FIRST_CALL_DONE();
	EXPECT(e == 7 && itoemajor(7, e) == -1);
}

static void
c_ddisim_major_map(void)
{
	int rc = ddisim_major_map(8, 7);

	FIRST_CALL_DONE();
	EXPECT(rc == 0);
	EXPECT(etoimajor(8) == 7);
}

static int
entry_nmi(void *arg)
{
	(void)arg;
	return NMI_BENIGN;
}

static void
c_drv_callback(void)
{
	drv_callback(NMI_ATTACH, entry_nmi, NULL);
	FIRST_CALL_DONE();
	EXPECT(ddisim_callback_raise(NMI_ATTACH, NULL) == NMI_BENIGN);
	drv_callback(NMI_DETACH, entry_nmi, NULL);
	EXPECT(ddisim_verify_count() == 0);
}

static void
c__Compat_drv_callback_5(void)
{
	_Compat_drv_callback_5(NMI_ATTACH, entry_nmi, NULL);
	FIRST_CALL_DONE();
	EXPECT(ddisim_callback_raise(NMI_ATTACH, NULL) == NMI_BENIGN);
	_Compat_drv_callback_5(NMI_DETACH, entry_nmi, NULL);
}

static void
c_ddisim_callback_raise(void)
{
	int n = ddisim_callback_raise(POWERDOWN_ATTACH, NULL);

	FIRST_CALL_DONE();
	EXPECT(n == 0);
}

static void
c_drv_shutdown(void)
{
	int rqt, opt;

	drv_shutdown(SD_SOFT, AD_BOOT);
	FIRST_CALL_DONE();
	EXPECT(ddisim_shutdown_requests(&rqt, &opt) == 1);
	EXPECT(rqt == SD_SOFT && opt == AD_BOOT);
}

static void
c_ddisim_shutdown_requests(void)
{
	int rqt = 0, opt = 0;
	unsigned n = ddisim_shutdown_requests(&rqt, &opt);

	FIRST_CALL_DONE();
	EXPECT(n == 0 && rqt == -1 && opt == -1);
}

static void
c_iobitmapctl(void)
{
	ushort_t ports[] = { 0x300, 0 };
	int rc = iobitmapctl(IOB_CHECK, ports);	/* no process: a report */

	FIRST_CALL_DONE();
	EXPECT(rc == 0);
}

static void
c_ddisim_proc_io(void)
{
	ushort_t ports[] = { DEV_IOB, 0 };
	struct proc *p = ddisim_proc_create(PAGE, 0);
	uint32_t v = 0;

	FIRST_CALL_DONE();
	ddisim_proc_enter(p);
	EXPECT(ddisim_proc_io(p, DEV_IOB, 1, &v, 0) == EFAULT);
	EXPECT(iobitmapctl(IOB_ENABLE, ports) == 0);
	EXPECT(iobitmapctl(IOB_CHECK, ports) != 0);
	ddisim_proc_enter(NULL);
	ddisim_proc_destroy(p);
}

static void
c_bs_getval(void)
{
	char *v = bs_getval("BOOTDEV");

	FIRST_CALL_DONE();
	EXPECT(v == NULL);
}

static void
c_ddisim_bootparam(void)
{
	int rc = ddisim_bootparam("BOOTDEV", "hd(0,1)");

	FIRST_CALL_DONE();
	EXPECT(rc == 0);
	EXPECT(bs_getval("BOOTDEV") != NULL &&
	    strcmp(bs_getval("BOOTDEV"), "hd(0,1)") == 0);
}

static void
c_call_demon(void)
{
	call_demon();
	FIRST_CALL_DONE();
	EXPECT(ddisim_demon_calls() == 1);
}

static void
entry_demon(const void *caller, void *arg)
{
	*(const void **)arg = caller;
}

static void
c_ddisim_demon(void)
{
	const void *seen = NULL;

	ddisim_demon(entry_demon, &seen);
	FIRST_CALL_DONE();
	call_demon();
	EXPECT(seen != NULL);
	ddisim_demon(NULL, NULL);
}

static void
c_ddisim_demon_calls(void)
{
	unsigned n = ddisim_demon_calls();

	FIRST_CALL_DONE();
	EXPECT(n == 0);
}

static void
c__Compat_ifstats_attach(void)
{
	static char name[] = "entry";
	static struct ifstats s = { .ifs_name = name };

	_Compat_ifstats_attach(&s);
	FIRST_CALL_DONE();
	EXPECT(ifstats == &s);
	EXPECT(_Compat_ifstats_detach(&s) == &s && ifstats == NULL);
}

static void
c__Compat_ifstats_detach(void)
{
	static struct ifstats s;
	struct ifstats *r = _Compat_ifstats_detach(&s);	/* a report */

	FIRST_CALL_DONE();
	EXPECT(r == NULL);
}

static void
c_ddisim_pagelist_create(void)
{
	struct page *pp = ddisim_pagelist_create(3, 16 * MIB);
	struct page *q;
	int n = 0;

	FIRST_CALL_DONE();
	EXPECT(pp != NULL);
	for (q = pp; q != NULL; q = ddisim_page_next(q)) {
		uint64_t pa;

		EXPECT(ddisim_page_phys(q) < 16 * MIB);
		EXPECT(ddisim_page_phys(q) % PAGE == 0);
		EXPECT(ddisim_vtop(ddisim_page_addr(q), &pa) == 0);
		EXPECT(pa == ddisim_page_phys(q));
		EXPECT(all_bytes(ddisim_page_addr(q), PAGE, 0));
		n++;
	}
	EXPECT(n == 3);
	ddisim_pagelist_destroy(pp);
}

#define DEV_PORT	0x400

static void
c_ddisim_dma_create(void)
{
	struct ddisim_dma_config c;
	ddisim_dma_t *d;
	uint64_t size = 0;

	memset(&c, 0, sizeof(c));
	c.model = DDISIM_DMA_SINGLE;
	c.addr_bits = 32;
	c.capacity = 64 * 1024;
	c.port = DEV_PORT;
	c.irq = -1;
	c.name = "entry";
	d = ddisim_dma_create(&c);
	FIRST_CALL_DONE();
	EXPECT(d != NULL);
	EXPECT(ddisim_dma_store(d, &size) != NULL && size == 64 * 1024);
	EXPECT(inl(DEV_PORT + DDISIM_DMA_STATUS) == 0);	/* idle */
	ddisim_dma_destroy(d);
}

static void
c_ddisim_dma_destroy(void)
{
	ddisim_dma_destroy(NULL);	/* documented to do nothing */
	FIRST_CALL_DONE();
}

static void
c_ddisim_isadev_create(void)
{
	ddisim_isadev_t *d = ddisim_isadev_create(1, -1, 4096, "entry");
	uint8_t *b;
	size_t size = 0;

	FIRST_CALL_DONE();
	EXPECT(d != NULL);
	b = ddisim_isadev_buf(d, &size);
	EXPECT(b != NULL && size == 4096 && all_bytes(b, size, 0));
	ddisim_isadev_destroy(d);
}

static void
c_ddisim_isadev_destroy(void)
{
	ddisim_isadev_destroy(NULL);	/* documented to do nothing */
	FIRST_CALL_DONE();
}

static void
c_ddisim_isadma_attach(void)
{
	int rc = ddisim_isadma_attach();

	FIRST_CALL_DONE();
	EXPECT(rc == 0);
	EXPECT(inb(DMA2_MASKS) == 0xfe);
}

static void
c_ddisim_isadma_channels(void)
{
	struct ddisim_chan ch[8];
	int n;

	memset(ch, 0xa5, sizeof(ch));
	n = ddisim_isadma_channels(ch);
	FIRST_CALL_DONE();
	EXPECT(n == 8);
	for (int i = 0; i < 8; i++) {
		EXPECT(ch[i].chan == i);
		EXPECT(ch[i].owner == (i == 4 ? DDISIM_CHAN_SYSTEM :
		    DDISIM_CHAN_FREE));
		EXPECT(ch[i].masked == (i != 4));
		EXPECT(ch[i].transfers == 0 && ch[i].queued == 0);
	}
}

/* ---- the system DMA controller ---- */

static struct ddisim_chan chans[8];

static void
load_chans(int line)
{
	if (ddisim_isadma_channels(chans) != 8)
		child_fail(line, "ddisim_isadma_channels failed");
}

static void
c_dma_get_cb(void)
{
	struct dma_cb *cb = dma_get_cb(DMA_SLEEP);

	FIRST_CALL_DONE();
	EXPECT(cb != NULL);
	EXPECT(cb->targbufs == NULL && cb->reqrbufs == NULL);
	EXPECT(cb->command == DMA_CMD_READ && cb->proc == NULL);
	EXPECT(dma_get_best_mode(cb) == DMA_CYCLES_2);
	dma_free_cb(cb);
}

static void
c_dma_get_buf(void)
{
	struct dma_buf *b = dma_get_buf(DMA_NOSLEEP);

	FIRST_CALL_DONE();
	EXPECT(b != NULL);
	EXPECT(b->count == 0 && b->address == 0 && b->next_buf == NULL);
	dma_free_buf(b);
}

static void
c_dma_enable(void)
{
	dma_enable(1);
	FIRST_CALL_DONE();
	load_chans(__LINE__);
	EXPECT(!chans[1].masked && chans[1].owner == DDISIM_CHAN_FREE);
}

static void
c_dma_disable(void)
{
	dma_disable(2);			/* a free channel: masked, no report */
	FIRST_CALL_DONE();
	load_chans(__LINE__);
	EXPECT(chans[2].masked && chans[2].owner == DDISIM_CHAN_FREE);
}

static void
c_dma_stop(void)
{
	dma_stop(3);
	FIRST_CALL_DONE();
	load_chans(__LINE__);
	EXPECT(chans[3].masked && chans[3].owner == DDISIM_CHAN_FREE);
}

static void
c_dma_cascade(void)
{
	boolean_t ok = dma_cascade(5, DMA_ENABLE | DMA_NOSLEEP);

	FIRST_CALL_DONE();
	EXPECT(ok == B_TRUE);
	load_chans(__LINE__);
	EXPECT(chans[5].owner == DDISIM_CHAN_CASCADE);
	EXPECT(chans[5].cascades == 1 && !chans[5].masked);
	EXPECT(dma_cascade(5, DMA_DISABLE | DMA_NOSLEEP) == B_TRUE);
	load_chans(__LINE__);
	EXPECT(chans[5].owner == DDISIM_CHAN_FREE && chans[5].masked);
}

static physreq_t dma_preq;

static void
c_dma_physreq(void)
{
	char *p;

	dma_physreq(1, DMA_PATH_8, &dma_preq);
	FIRST_CALL_DONE();
	EXPECT(dma_preq.phys_align == 1);
	EXPECT(dma_preq.phys_boundary == 64 * 1024);
	EXPECT(dma_preq.phys_dmasize == 24 && dma_preq.phys_max_scgth == 0);
	EXPECT(dma_preq.phys_flags == PREQ_PHYSCONTIG);
	EXPECT(physreq_prep(&dma_preq, KM_SLEEP) == B_TRUE);
	p = kmem_alloc_physreq(8 * PAGE, &dma_preq, KM_SLEEP);
	EXPECT(p != NULL);
	EXPECT_SEGMENTS(p, 8 * PAGE, 1, 16 * MIB, 1, 64 * 1024);
	kmem_free(p, 8 * PAGE);
}

static void
c_dma_get_chan_stat(void)
{
	struct dma_stat st;

	memset(&st, 0xa5, sizeof(st));
	dma_get_chan_stat(&st, 2);
	FIRST_CALL_DONE();
	/* as the BIOS leaves it: every register 0 */
	EXPECT(st.targaddr == 0 && st.count == 0);
	EXPECT(st.targaddr_hi == 0 && st.reqraddr == 0);
	EXPECT(st.reqraddr_hi == 0 && st.count_hi == 0);
}

static void
c_dma_alloc(void)
{
	int ok = dma_alloc(1, DMA_NBLOCK);

	FIRST_CALL_DONE();
	EXPECT(ok == 1);
	load_chans(__LINE__);
	EXPECT(chans[1].owner == DDISIM_CHAN_ODDI);
	EXPECT(dma_alloc(1, DMA_NBLOCK) == 0);	/* owned: no report */
	dma_relse(1);
	load_chans(__LINE__);
	EXPECT(chans[1].owner == DDISIM_CHAN_FREE);
}

static _Atomic int dproc_runs;
static _Atomic unsigned dproc_pl;

static int
entry_dproc(struct dmareq *r)
{
	dproc_pl = getpl();
	dproc_runs += r->d_chan == 6;
	return 0;
}

static void
c_dma_start(void)
{
	static struct dmareq r;
	int ok;

	r.d_chan = 6;
	r.d_proc = (__ddi_dmaproc_t)entry_dproc;
	ok = dma_start(&r);
	FIRST_CALL_DONE();
	EXPECT(ok == 1);
	EXPECT(dproc_runs == 1 && dproc_pl >= PL6);
	EXPECT(getpl() == PLBASE);	/* the caller's level is restored */
	load_chans(__LINE__);
	EXPECT(chans[6].owner == DDISIM_CHAN_ODDI);
	dma_relse(6);
}

static void
c_dma_param(void)
{
	dma_param(1, DMA_Rdmode, RAM_PA, 511);
	FIRST_CALL_DONE();
	load_chans(__LINE__);
	EXPECT(chans[1].addr == RAM_PA && chans[1].count == 512);
	EXPECT(chans[1].mode == (DMA_Rdmode | 1) && chans[1].masked);
	EXPECT(chans[1].owner == DDISIM_CHAN_FREE);
}

static void
c_dma_resid(void)
{
	long_t n = dma_resid(1);

	FIRST_CALL_DONE();
	EXPECT(n == 1);		/* the count register reads 0: one to go */
	load_chans(__LINE__);
	EXPECT(chans[1].masked);
}

/* ---- the control API ---- */

/* The control calls first: none of them builds a machine. */
static void
c_ddisim_initialized(void)
{
	int up = ddisim_initialized();

	FIRST_CALL_DONE();
	EXPECT(up == 0);
}

static void
c_ddisim_init_error(void)
{
	const char *msg = ddisim_init_error();

	FIRST_CALL_DONE();
	EXPECT(msg != NULL && msg[0] == '\0');
}

static void
c_ddisim_shutdown(void)
{
	ddisim_shutdown();		/* without a machine: nothing */
	FIRST_CALL_DONE();
	EXPECT(ddisim_outstanding() == 0);
}

static void
c_ddisim_outstanding(void)
{
	size_t n = ddisim_outstanding();

	FIRST_CALL_DONE();
	EXPECT(n == 0);
}

static void
c_ddisim_leak_report(void)
{
	FILE *f = tmpfile();
	size_t n;

	if (f == NULL)
		child_fail(__LINE__, "tmpfile: %s", strerror(errno));
	n = ddisim_leak_report(f);
	FIRST_CALL_DONE();
	EXPECT(n == 0);
	EXPECT(ftell(f) == 0);		/* nothing written */
	fclose(f);
}

static void
c_ddisim_verify_count(void)
{
	unsigned long n = ddisim_verify_count();

	FIRST_CALL_DONE();
	EXPECT(n == 0);
}

static void
c_ddisim_verify_last(void)
{
	const char *s = ddisim_verify_last();

	FIRST_CALL_DONE();
	EXPECT(s != NULL && s[0] == '\0');
}

/* The policy belongs to the process: it works before any machine. */
static void
c_ddisim_verify_set_policy(void)
{
	ddisim_verify_set_policy(DDISIM_VERIFY_COUNT);
	FIRST_CALL_DONE();
	/* a bad policy is itself a report, counted rather than fatal now */
	ddisim_verify_set_policy((enum ddisim_verify_policy)99);
	EXPECT(ddisim_verify_count() == 1);
	EXPECT(strstr(ddisim_verify_last(), "ddisim_verify_set_policy: "
	    "unknown policy 99") != NULL);
	EXPECT(!ddisim_initialized());
}

static void
c_ddisim_explain(void)
{
	int was = ddisim_explain(2);

	FIRST_CALL_DONE();
	EXPECT(was == 0);
	EXPECT(ddisim_explain(0) == 2);
	EXPECT(!ddisim_initialized());
}

static void
c_ddisim_explain_last(void)
{
	const char *s = ddisim_explain_last();

	FIRST_CALL_DONE();
	EXPECT(s != NULL && s[0] == '\0');
	EXPECT(!ddisim_initialized());
}

static void
c_ddisim_verify_reset(void)
{
	ddisim_verify_reset();
	FIRST_CALL_DONE();
	ddisim_verify_set_policy(DDISIM_VERIFY_COUNT);
	ddisim_verify_set_policy((enum ddisim_verify_policy)99);
	EXPECT(ddisim_verify_count() == 1);
	ddisim_verify_reset();
	EXPECT(ddisim_verify_count() == 0 && ddisim_verify_last()[0] == '\0');
	EXPECT(!ddisim_initialized());
}

static void
c_ddisim_putbuf(void)
{
	char pb[8] = "xxxxxxx";
	size_t n = ddisim_putbuf(pb, sizeof(pb));

	FIRST_CALL_DONE();
	EXPECT(n == 0 && pb[0] == '\0');
}

static void
c_ddisim_putbuf_clear(void)
{
	ddisim_putbuf_clear();
	FIRST_CALL_DONE();
	EXPECT(ddisim_putbuf(NULL, 0) == 0);
}

static void
console_sink(const char *text, void *arg)
{
	strncat(console_text, text, sizeof(console_text) -
	    strlen(console_text) - 1);
	(void)arg;
}

static void
c_ddisim_console(void)
{
	ddisim_console(console_sink, NULL);
	FIRST_CALL_DONE();
	/* the sink is the console from now on; cmn_err then builds */
	cmn_err(CE_WARN, "^entry %s", "sink");
	EXPECT(strcmp(console_text, "WARNING: entry sink\n") == 0);
	ddisim_console(NULL, NULL);
}

static char log_text[256];

static void
log_sink(const char *text, void *arg)
{
	strncat(log_text, text, sizeof(log_text) - strlen(log_text) - 1);
	(void)arg;
}

static void
c_ddisim_log(void)
{
	ddisim_log(log_sink, NULL);
	FIRST_CALL_DONE();
	/* every strlog message reaches the sink; the call builds */
	EXPECT(strlog(12, 3, 1, SL_NOTE, "entry %d", 7) == 1);
	EXPECT(strcmp(log_text, "STRLOG mid 12 sid 3 level 1 NOTE: entry 7\n")
	    == 0);
	ddisim_log(NULL, NULL);
}

/* ddisim_init first: its machine, not the default, serves the DDI. */
static void
c_ddisim_init(void)
{
	int rc = ddisim_init("mem=1G");
	struct ddisim_info di;

	FIRST_CALL_DONE();
	EXPECT(rc == 0 && ddisim_init_error()[0] == '\0');
	EXPECT(getpl() == PLBASE);
	EXPECT(ddisim_info(&di) == 0 && di.mem == GIB);
	/* a second init is refused, naming no DDI call */
	rc = quiet_init(NULL);
	EXPECT(rc == EBUSY);
	EXPECT(strstr(ddisim_init_error(), "already running") != NULL);
	EXPECT(strstr(ddisim_init_error(), "first DDI call") == NULL);
}

/*
 * ddisim_init after a DDI call built the default machine: EBUSY, with a
 * message on stderr too that names the call and says what to do; after a
 * shutdown the spec is taken.
 */
static void
c_ddisim_init_after_ddi(void)
{
	pl_t pl = getpl();
	FILE *f = tmpfile();
	char text[512];
	size_t n;
	int saved, rc;
	struct ddisim_info di;

	FIRST_CALL_DONE();
	EXPECT(pl == PLBASE);
	if (f == NULL || (saved = dup(2)) < 0)
		child_fail(__LINE__, "cannot capture stderr");
	fflush(stderr);
	dup2(fileno(f), 2);
	rc = ddisim_init("mem=1G");
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	EXPECT(rc == EBUSY);
	EXPECT(strstr(ddisim_init_error(), "built by the first DDI call, "
	    "getpl (called from ") != NULL);
	EXPECT(strstr(ddisim_init_error(), "call ddisim_init before any "
	    "other DDI call") != NULL);
	rewind(f);
	n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	fclose(f);
	EXPECT(strncmp(text, "ddicompat: ddisim_init: ", 24) == 0);
	EXPECT(strstr(text, ddisim_init_error()) != NULL);
	ddisim_shutdown();
	EXPECT(!ddisim_initialized());
	EXPECT(ddisim_init("mem=1G") == 0);
	EXPECT(ddisim_info(&di) == 0 && di.mem == GIB);
}

/* ---- the resource manager: the spec's board is key 1 ---- */

#define RM_SPEC	"board=ent:irq=5:ioaddr=0x300-0x31f:bus=pci:brdid=80861229"

static void
c__Compat_cm_getnbrd(void)
{
	cm_num_t n = _Compat_cm_getnbrd("ent");

	FIRST_CALL_DONE();
	EXPECT(n == 1);
}

static void
c__Compat_cm_getbrdkey(void)
{
	rm_key_t k = _Compat_cm_getbrdkey("ent", 0);

	FIRST_CALL_DONE();
	EXPECT(k == 1);
}

static void
c__Compat_cm_getversion(void)
{
	int v = _Compat_cm_getversion();

	FIRST_CALL_DONE();
	EXPECT(v == 1);		/* the spec's one board */
}

#define RM_GETVAL(name)							\
static void								\
c_##name(void)								\
{									\
	cm_num_t irq = 0;						\
	cm_args_t a = { 1, (char *)CM_IRQ, &irq, sizeof(irq), 0 };	\
	int rc = name(&a);						\
									\
	FIRST_CALL_DONE();						\
	EXPECT(rc == 0 && irq == 5);					\
}
RM_GETVAL(_Compat_cm_getval_5)
RM_GETVAL(_Compat_cm_getval_7_1)

/* DDI 8 outside a transaction: reported, and answered. */
static void
c__Compat_cm_getval_8(void)
{
	cm_num_t irq = 0;
	cm_args_t a = { 1, (char *)CM_IRQ, &irq, sizeof(irq), 0 };
	int rc = _Compat_cm_getval_8(&a);

	FIRST_CALL_DONE();
	EXPECT(rc == 0 && irq == 5);
}

static void
c__Compat_cm_addval(void)
{
	cm_num_t u = 3;
	cm_args_t a = { 1, (char *)CM_UNIT, &u, sizeof(u), 0 };
	int rc = _Compat_cm_addval(&a);

	FIRST_CALL_DONE();
	EXPECT(rc == 0);
	u = 0;
	EXPECT(_Compat_cm_getval_7_1(&a) == 0 && u == 3);
}

static void
c__Compat_cm_delval(void)
{
	cm_num_t irq;
	cm_args_t a = { 1, (char *)CM_IRQ, &irq, sizeof(irq), 0 };
	int rc = _Compat_cm_delval(&a);

	FIRST_CALL_DONE();
	EXPECT(rc == 0);
	EXPECT(_Compat_cm_getval_7_1(&a) == ENOENT);
}

/* DDI 8 outside a transaction: reported, and refused. */
#define RM_PUT8(name)							\
static void								\
c_##name(void)								\
{									\
	cm_num_t u = 3;							\
	cm_args_t a = { 1, (char *)CM_UNIT, &u, sizeof(u), 0 };		\
	int rc = name(&a);						\
									\
	FIRST_CALL_DONE();						\
	EXPECT(rc == EINVAL);						\
}
RM_PUT8(_Compat_cm_addval_8)
RM_PUT8(_Compat_cm_delval_8)

static void
c_cm_begin_trans(void)
{
	cm_num_t irq = 0;
	cm_args_t a = { 1, (char *)CM_IRQ, &irq, sizeof(irq), 0 };

	cm_begin_trans(1, RM_READ);
	FIRST_CALL_DONE();
	EXPECT(cm_getval(&a) == 0 && irq == 5);
	cm_end_trans(1);
}

static void
c_cm_newkey(void)
{
	rm_key_t k = cm_newkey(RM_NULL_KEY, B_FALSE);

	FIRST_CALL_DONE();
	EXPECT(k != RM_NULL_KEY);
	cm_end_trans(k);
	EXPECT(ddisim_rm_nkeys() == 1);
}

static void
c_cm_devconfig_size(void)
{
	size_t n = cm_devconfig_size(1);

	FIRST_CALL_DONE();
	EXPECT(n == 256);
}

static void
c_cm_read_devconfig(void)
{
	unsigned char id[4];
	int n = cm_read_devconfig(1, 0, id, sizeof(id));

	FIRST_CALL_DONE();
	EXPECT(n == 4 && id[0] == 0x86 && id[1] == 0x80 && id[3] == 0x12);
}

static void
c_cm_write_devconfig(void)
{
	unsigned char b[2] = { 1, 2 };
	int n = cm_write_devconfig(1, 0x40, b, sizeof(b));
	ushort_t v = 0;

	FIRST_CALL_DONE();
	EXPECT(n == 2);
	EXPECT(cm_read_devconfig16(1, 0x40, &v) == 0 && v == 0x0201);
}

static void
c_cm_read_devconfig8(void)
{
	uchar_t v = 0;
	int rc = cm_read_devconfig8(1, 0x3c, &v);

	FIRST_CALL_DONE();
	EXPECT(rc == 0 && v == 5);
}

static void
c_cm_read_devconfig16(void)
{
	ushort_t v = 0;
	int rc = cm_read_devconfig16(1, 0, &v);

	FIRST_CALL_DONE();
	EXPECT(rc == 0 && v == 0x8086);
}

static void
c_cm_read_devconfig32(void)
{
	ulong_t v = 0;
	int rc = cm_read_devconfig32(1, 0, &v);

	FIRST_CALL_DONE();
	EXPECT(rc == 0 && v == 0x12298086);
}

#define RM_WRITE_ITEM(name, type, val, rd)				\
static void								\
c_##name(void)								\
{									\
	type v = (val), back = 0;					\
	int rc = name(1, 0x40, &v);					\
									\
	FIRST_CALL_DONE();						\
	EXPECT(rc == 0);						\
	EXPECT(rd(1, 0x40, &back) == 0 && back == (val));		\
}
RM_WRITE_ITEM(cm_write_devconfig8, uchar_t, 0x5a, cm_read_devconfig8)
RM_WRITE_ITEM(cm_write_devconfig16, ushort_t, 0x5aa5, cm_read_devconfig16)
RM_WRITE_ITEM(cm_write_devconfig32, ulong_t, 0x5aa5f00f,
    cm_read_devconfig32)

static void
c_cm_AT_putconf(void)
{
	int rc = cm_AT_putconf(1, 9, CM_ITYPE_LEVEL, 0, 0, 0, 0, 0,
	    CM_SET_IRQ | CM_SET_ITYPE, 0);
	cm_num_t irq = 0;
	cm_args_t a = { 1, (char *)CM_IRQ, &irq, sizeof(irq), 0 };

	FIRST_CALL_DONE();
	EXPECT(rc == 0);
	EXPECT(_Compat_cm_getval_7_1(&a) == 0 && irq == 9);
}

/* An EISA slot's configuration with one function and one IRQ entry. */
static void
c_eisa_parse_devconfig(void)
{
	static unsigned char cfg[12 + 320];
	struct eisa_irq_info irq;
	int rc;

	cfg[6] = 1;
	cfg[12 + 34] = 0x04;
	cfg[12 + 178] = 0x2b;		/* line 11, level-triggered */
	rc = eisa_parse_devconfig(cfg, &irq, EISA_IRQ, 0);
	FIRST_CALL_DONE();
	EXPECT(rc == 0 && irq.irq == 11 && irq.level == 1);
}

#define GH_IOBUS_TYPE	1
#define GH_BUS_ISA	1
#define GH_BUS_PCI	4

static void
c__Compat_drv_gethardware(void)
{
	ulong_t bus = 0;
	int rc = _Compat_drv_gethardware(GH_IOBUS_TYPE, &bus);

	FIRST_CALL_DONE();
	EXPECT(rc == 0 && bus == GH_BUS_ISA);
}

static void
c__Compat_drv_gethardware_7_2(void)
{
	ulong_t bus = 0;
	int rc = _Compat_drv_gethardware_7_2(GH_IOBUS_TYPE, &bus);

	FIRST_CALL_DONE();
	EXPECT(rc == 0 && bus == GH_BUS_PCI);
}

static void
c_ddisim_rm_add_board(void)
{
	struct ddisim_board b = { .modname = "added", .set = DDISIM_BRD_IRQ,
	    .irq = 7 };
	unsigned k = ddisim_rm_add_board(&b);

	FIRST_CALL_DONE();
	EXPECT(k != 0);
	EXPECT(_Compat_cm_getbrdkey("added", 0) == k);
}

static void
c_ddisim_rm_remove_board(void)
{
	int rc = ddisim_rm_remove_board(1);

	FIRST_CALL_DONE();
	EXPECT(rc == 0);
	EXPECT(_Compat_cm_getnbrd("ent") == 0);
}

static void
c_ddisim_rm_nkeys(void)
{
	unsigned n = ddisim_rm_nkeys();

	FIRST_CALL_DONE();
	EXPECT(n == 1);
}

/* ---- DDI 8 configuration, inter-driver calls, modules ---- */

static const drvops_t ent_ops = { NULL, NULL, NULL, NULL, NULL, NULL,
	NULL, NULL };
static const drvinfo_t ent_info = { &ent_ops, "nobrd", 0, NULL, 0 };

static void
c_drv_attach(void)
{
	int rc = drv_attach(&ent_info);

	FIRST_CALL_DONE();
	EXPECT(rc == 0);
	drv_detach(&ent_info);
}

static void
c_drv_detach(void)
{
	drv_detach(&ent_info);
	FIRST_CALL_DONE();
	EXPECT(drv_attach(&ent_info) == 0);
}

static void
c_drv_open(void)
{
	chan_handle_t h = NULL;
	channel_t ch = 0;
	int rc = drv_open(1, &ch, 0, NULL, &h);

	FIRST_CALL_DONE();
	EXPECT(rc == ENXIO && h == NULL);
}

static int ent_bogus_chan;

static void
c_drv_close(void)
{
	int rc = drv_close((chan_handle_t)(void *)&ent_bogus_chan, 0, NULL);

	FIRST_CALL_DONE();
	EXPECT(rc == EINVAL);
}

static void
c_do_devinfo(void)
{
	devsize_t sz;
	int rc = do_devinfo((chan_handle_t)(void *)&ent_bogus_chan, DI_SIZE,
	    &sz);

	FIRST_CALL_DONE();
	EXPECT(rc == EINVAL);
}

static void
c_do_ioctl(void)
{
	int rv = 0;
	int rc = do_ioctl((chan_handle_t)(void *)&ent_bogus_chan, 1, NULL, 0,
	    NULL, &rv);

	FIRST_CALL_DONE();
	EXPECT(rc == EINVAL);
}

static void
c_do_drvctl(void)
{
	int rc = do_drvctl((chan_handle_t)(void *)&ent_bogus_chan, 1, NULL);

	FIRST_CALL_DONE();
	EXPECT(rc == EINVAL);
}

static void
ent_intr(int vec)
{
	(void)vec;
}

static struct mod_drvintr ent_attach_info = {
	MOD_INTR_MAGIC, MOD_INTR_VER, "nobrd", NULL, ent_intr, NULL
};

static void
c_mod_drvattach(void)
{
	mod_drvattach(&ent_attach_info);
	FIRST_CALL_DONE();
	EXPECT(ent_attach_info.di_hook != NULL);
	mod_drvdetach(&ent_attach_info);
	EXPECT(ent_attach_info.di_hook == NULL);
}

static void
c_mod_drvdetach(void)
{
	mod_drvdetach(&ent_attach_info);
	FIRST_CALL_DONE();
	EXPECT(ent_attach_info.di_hook == NULL);
}

static int ent_loads;

static int
ent_load(void)
{
	ent_loads++;
	return 0;
}

MOD_MISC_WRAPPER(ent, ent_load, NULL, "test_entry");

static void
c_ddisim_mod_load(void)
{
	int rc = ddisim_mod_load(&ent_wrapper);

	FIRST_CALL_DONE();
	EXPECT(rc == 0 && ent_loads == 1);
	EXPECT(ddisim_mod_unload(&ent_wrapper) == 0);
}

static void
c_ddisim_mod_unload(void)
{
	int rc = ddisim_mod_unload(&ent_wrapper);

	FIRST_CALL_DONE();
	EXPECT(rc == ENOENT);
}

static void
c_ddisim_mod_loaded(void)
{
	int rc = ddisim_mod_loaded(&ent_wrapper);

	FIRST_CALL_DONE();
	EXPECT(rc == 0);
}

/* ---- device memory ---- */

#define WIN_PA		0xc0000000u	/* in the default machine's 3G-4G hole */
#define DEVMEM_SPEC	"board=ent:memaddr=0x200000-0x201fff"

static uint32_t
c_mmio_read(void *arg, uint32_t off)
{
	(void)arg;
	return off + 0x1000;
}

static const struct ddisim_mmio_reg c_mmio_regs[] = {
	{ 0, 4, "ID", c_mmio_read, NULL },
};
static const struct ddisim_mmio_ops c_mmio_ops = { c_mmio_regs, 1, 0,
	"entry" };

static void
c_ddisim_mmio_create(void)
{
	ddisim_mmio_t *w = ddisim_mmio_create(WIN_PA, PAGE, &c_mmio_ops, NULL);
	volatile uint32_t *r;

	FIRST_CALL_DONE();
	EXPECT(w != NULL);
	r = physmap(WIN_PA, PAGE, KM_NOSLEEP);
	EXPECT(r != NULL && r[0] == 0x1000);
	physmap_free((void *)(uintptr_t)r, PAGE, 0);
	ddisim_mmio_destroy(w);
}

static void
c_ddisim_mmio_destroy(void)
{
	ddisim_mmio_destroy(NULL);	/* documented to do nothing */
	FIRST_CALL_DONE();
}

static void
c_ddisim_mmio_sync(void)
{
	ddisim_mmio_sync();		/* no window: nothing to do */
	FIRST_CALL_DONE();
}

static void
c_physmap(void)
{
	char *p = physmap(RAM_PA, PAGE, KM_NOSLEEP);

	FIRST_CALL_DONE();
	EXPECT(p != NULL);
	p[0] = 'x';
	EXPECT(*(char *)phystokv(RAM_PA) == 'x');
	physmap_free(p, PAGE, 0);
}

static void
c_physmap1(void)
{
	paddr_t old = 0;
	vaddr_t va = physmap1(RAM_PA + 8, &old);

	FIRST_CALL_DONE();
	EXPECT(va != 0 && old == (paddr_t)-1);
	*(volatile char *)va = 'z';
	EXPECT(*(char *)phystokv(RAM_PA + 8) == 'z');
	EXPECT(physmap1((paddr_t)-1, &old) == 0 && old == RAM_PA + 8);
}

static void
c_drv_mmap(void)
{
	vaddr_t uva = 1;
	int rc = drv_mmap(0, RAM_PA, PAGE, &uva, 3, 3, 0);

	FIRST_CALL_DONE();
	EXPECT(rc == EINVAL && uva == 1);	/* in no process */
}

static void
c_devmem_mapin(void)
{
	char *p = devmem_mapin(1, 0, 0x1000, 0x1000);

	FIRST_CALL_DONE();
	EXPECT(p != NULL);
	p[0] = 'y';
	EXPECT(*(char *)phystokv(0x201000) == 'y');
	devmem_mapout(p, 0x1000);
}

static void
c_devmem_size(void)
{
	size_t len = 0;
	int rc = devmem_size(1, 0, &len);

	FIRST_CALL_DONE();
	EXPECT(rc == 0 && len == 0x2000);
	EXPECT(devmem_size(1, 1, &len) == EINVAL);
}

static void
c_devmem_ppid(void)
{
	ppid_t p = devmem_ppid(1, 0, 0x1000);

	FIRST_CALL_DONE();
	EXPECT(p == 0x201);
	EXPECT(devmem_ppid(1, 0, 0x2000) == NOPAGE);
}

static void
c__Compat_hat_getppfnum(void)
{
	uint_t pfn = _Compat_hat_getppfnum(RAM_PA + 5, 0);

	FIRST_CALL_DONE();
	EXPECT(pfn == RAM_PA / PAGE);
}

static void
c_page_numtopp(void)
{
	struct page *pp = page_numtopp(RAM_PA / PAGE);

	FIRST_CALL_DONE();
	EXPECT(pp == NULL);		/* no page list holds it */
}

/*
 * The queue routines and the stream head's calls, first called on a
 * NULL queue or stream: each builds the machine, makes one report that
 * names it, and returns its failure value without touching anything.
 * The stream head's open is first called for real, on a loopback driver.
 */
static void
expect_null_report(int line, const char *func, const char *text)
{
	char needle[128];
	const char *last = ddisim_verify_last();

	snprintf(needle, sizeof(needle), "ddicompat: %s: ", func);
	if (strncmp(last, needle, strlen(needle)) != 0 ||
	    strstr(last, text) == NULL)
		child_fail(line, "the report is \"%s\", not \"%s...%s...\"",
		    last, needle, text);
}

#define NULL_CASE(fn, func, text, expr)					\
static void								\
c_##fn(void)								\
{									\
	bool ok_ = (expr);						\
									\
	first_call_done(__LINE__);					\
	EXPECT(ok_);							\
	expect_null_report(__LINE__, func, text);			\
}
#define Q_NULL(fn, expr)	NULL_CASE(fn, #fn, "NULL queue", expr)
#define S_NULL(fn, expr)	NULL_CASE(fn, #fn, "is not an open stream", \
	expr)

static int
entry_post(caddr_t arg)
{
	(void)arg;
	return 0;
}
Q_NULL(strioccall, strioccall((__ddi_qfn_t)entry_post, NULL, 1, NULL) == 1)
Q_NULL(putq, putq(NULL, NULL) == 0)
Q_NULL(putbq, putbq(NULL, NULL) == 0)
Q_NULL(getq, getq(NULL) == NULL)
Q_NULL(insq, insq(NULL, NULL, NULL) == 0)
Q_NULL(rmvq, (rmvq(NULL, NULL), true))
Q_NULL(flushq, (flushq(NULL, FLUSHALL), true))
Q_NULL(flushband, (flushband(NULL, 1, FLUSHDATA), true))
Q_NULL(qsize, qsize(NULL) == 0)
Q_NULL(canput, canput(NULL) == 0)
Q_NULL(bcanput, bcanput(NULL, 1) == 0)
Q_NULL(canputnext, canputnext(NULL) == 0)
Q_NULL(bcanputnext, bcanputnext(NULL, 1) == 0)
Q_NULL(put, (put(NULL, NULL), true))
Q_NULL(putnext, (putnext(NULL, NULL), true))
Q_NULL(putctl, putctl(NULL, M_HANGUP) == 0)
Q_NULL(putctl1, putctl1(NULL, M_ERROR, EIO) == 0)
Q_NULL(putnextctl, putnextctl(NULL, M_HANGUP) == 0)
Q_NULL(putnextctl1, putnextctl1(NULL, M_ERROR, EIO) == 0)
Q_NULL(qreply, (qreply(NULL, NULL), true))
Q_NULL(qenable, (qenable(NULL), true))
Q_NULL(noenable, (noenable(NULL), true))
Q_NULL(enableok, (enableok(NULL), true))
Q_NULL(OTHERQ, OTHERQ(NULL) == NULL)
Q_NULL(RD, RD(NULL) == NULL)
Q_NULL(WR, WR(NULL) == NULL)
Q_NULL(SAMESTR, SAMESTR(NULL) == 0)
NULL_CASE(_Compat_backq, "backq", "NULL queue", _Compat_backq(NULL) == NULL)
Q_NULL(freezestr, freezestr(NULL) == PLBASE)
Q_NULL(unfreezestr, (unfreezestr(NULL, PLBASE), getpl() == PLBASE))
Q_NULL(qprocson, (qprocson(NULL), true))
Q_NULL(qprocsoff, (qprocsoff(NULL), true))

static long ent_qval;
Q_NULL(strqget, strqget(NULL, QHIWAT, 0, &ent_qval) == EINVAL)
Q_NULL(strqset, strqset(NULL, QHIWAT, 0, 100) == EINVAL)

static char ent_sbuf[8];
static struct strbuf ent_ctl = { sizeof(ent_sbuf), 0, ent_sbuf };
static int ent_flags;
S_NULL(ddisim_stream_close, ddisim_stream_close(NULL) == EINVAL)
S_NULL(ddisim_stream_push, ddisim_stream_push(NULL, NULL, D_MP) == EINVAL)
S_NULL(ddisim_stream_pop, ddisim_stream_pop(NULL) == EINVAL)
S_NULL(ddisim_stream_write, ddisim_stream_write(NULL, "x", 1, NULL) ==
    EINVAL)
S_NULL(ddisim_stream_read, ddisim_stream_read(NULL, ent_sbuf,
    sizeof(ent_sbuf), NULL) == EINVAL)
S_NULL(ddisim_stream_putmsg, ddisim_stream_putmsg(NULL, &ent_ctl, NULL, 0,
    0) == EINVAL)
S_NULL(ddisim_stream_getmsg, ddisim_stream_getmsg(NULL, &ent_ctl, NULL,
    NULL, &ent_flags, NULL) == EINVAL)
S_NULL(ddisim_stream_ioctl, ddisim_stream_ioctl(NULL, I_FLUSH, FLUSHRW,
    NULL) == EINVAL)
S_NULL(ddisim_stream_signal, ddisim_stream_signal(NULL) == 0)

/* A loopback driver: what is written comes back up. */
static int
ent_lb_open(queue_t *q, dev_t *devp, int flag, int sflag, cred_t *cr)
{
	(void)devp; (void)flag; (void)sflag; (void)cr;
	qprocson(q);
	return 0;
}

static int
ent_lb_close(queue_t *q, int flag, cred_t *cr)
{
	(void)flag; (void)cr;
	qprocsoff(q);
	return 0;
}

static int
ent_lb_wput(queue_t *q, mblk_t *mp)
{
	if (mp->b_datap->db_type == M_DATA)
		qreply(q, mp);
	else
		freemsg(mp);
	return 0;
}

static int
ent_lb_rput(queue_t *q, mblk_t *mp)
{
	putnext(q, mp);
	return 0;
}

static struct module_info ent_lb_minfo = { 1, "entlb", 0, INFPSZ, 512,
	128 };
static struct qinit ent_lb_rinit = {
	ent_lb_rput, NULL, ent_lb_open, ent_lb_close, NULL, &ent_lb_minfo,
	NULL
};
static struct qinit ent_lb_winit = {
	ent_lb_wput, NULL, NULL, NULL, NULL, &ent_lb_minfo, NULL
};
static struct streamtab ent_lb_tab = {
	&ent_lb_rinit, &ent_lb_winit, NULL, NULL
};

static void
c_ddisim_stream_open(void)
{
	ddisim_stream_t *s = NULL;
	dev_t dev = 0x703;		/* no DDI call before the first */
	char buf[16];
	size_t n = 0;
	int rc = ddisim_stream_open(&ent_lb_tab, D_MP, &dev, FREAD | FWRITE,
	    0, NULL, &s);

	FIRST_CALL_DONE();
	EXPECT(rc == 0 && s != NULL && dev == 0x703);
	EXPECT(ddisim_stream_write(s, "hello", 5, &n) == 0 && n == 5);
	EXPECT(ddisim_stream_read(s, buf, sizeof(buf), &n) == 0 && n == 5);
	EXPECT(memcmp(buf, "hello", 5) == 0);
	EXPECT(ddisim_stream_close(s) == 0);
}

static void
c_ddisim_streams_thread(void)
{
	int rc = ddisim_streams_thread(1);

	FIRST_CALL_DONE();
	EXPECT(rc == 0);
	EXPECT(ddisim_streams_thread(1) == 0);	/* already running */
	EXPECT(ddisim_streams_thread(0) == 0);
	EXPECT(ddisim_streams_thread(0) == 0);	/* already stopped */
}

/* ---- the driver host ---- */

/*
 * A character driver linked into this program, which the host finds by
 * its prefix in the program's own symbol table (ddisim_drv(3)): a driver
 * with entry points named by its prefix and no module wrapper, loaded as
 * one linked into the kernel.  Minors 0 and 1; what is written is read
 * back; ioctl 1 returns 2.
 */
int entddevflag = D_MP;
int entdopen(dev_t *devp, int oflag, int otyp, cred_t *cr);
int entdclose(dev_t dev, int oflag, int otyp, cred_t *cr);
int entdread(dev_t dev, uio_t *uiop, cred_t *cr);
int entdwrite(dev_t dev, uio_t *uiop, cred_t *cr);
int entdioctl(dev_t dev, int cmd, void *arg, int mode, cred_t *cr,
    int *rvalp);

static int entd_opens;
static char entd_buf[16];

int
entdopen(dev_t *devp, int oflag, int otyp, cred_t *cr)
{
	(void)oflag; (void)cr;
	if (getminor(*devp) > 1 || otyp != OTYP_CHR)
		return ENXIO;
	entd_opens++;
	return 0;
}

int
entdclose(dev_t dev, int oflag, int otyp, cred_t *cr)
{
	(void)dev; (void)oflag; (void)otyp; (void)cr;
	entd_opens--;
	return 0;
}

static int
entd_move(uio_t *uiop, uio_rw_t rw)
{
	long n = uiop->uio_resid < (long)sizeof(entd_buf) ?
	    uiop->uio_resid : (long)sizeof(entd_buf);

	return uiomove(entd_buf, n, rw, uiop);
}

int
entdread(dev_t dev, uio_t *uiop, cred_t *cr)
{
	(void)dev; (void)cr;
	return entd_move(uiop, UIO_READ);
}

int
entdwrite(dev_t dev, uio_t *uiop, cred_t *cr)
{
	(void)dev; (void)cr;
	return entd_move(uiop, UIO_WRITE);
}

int
entdioctl(dev_t dev, int cmd, void *arg, int mode, cred_t *cr, int *rvalp)
{
	(void)dev; (void)arg; (void)mode; (void)cr;
	if (cmd != 1)
		return EINVAL;
	*rvalp = 2;
	return 0;
}

/* What ddisim_drv_report prints, in a string the caller frees. */
static char *
drv_listing(void)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (f == NULL)
		child_fail(__LINE__, "open_memstream: %s", strerror(errno));
	ddisim_drv_report(f);
	fclose(f);
	return text;
}

static void
c_ddisim_drv_load(void)
{
	ddisim_drv_t *d = NULL;
	int rc = ddisim_drv_load("entd", &d);
	char *text;

	FIRST_CALL_DONE();
	EXPECT(rc == 0 && d != NULL);
	EXPECT(ddisim_drv_find("entd") == d);
	EXPECT(ddisim_drv_interface(d) == 70);
	EXPECT(ddisim_drv_major(d) == 1);	/* the first free major */
	EXPECT(ddisim_drv_ninstances(d) == 1);
	EXPECT(ddisim_drv_key(d, 0) == 0);	/* not DDI 8 */
	EXPECT(ddisim_drv_dev(d, 0, 1) == makedevice(1, 1));
	EXPECT(ddisim_drv_dev(d, 1, 0) == NODEV);
	text = drv_listing();
	EXPECT(strstr(text, "\nentd ") != NULL);
	EXPECT(strstr(text, " static ") != NULL);
	free(text);
	EXPECT(ddisim_drv_unload(d) == 0);
	EXPECT(ddisim_drv_find("entd") == NULL);
}

/* A prefix with nothing behind it in the program. */
static void
c_ddisim_drv_load_none(void)
{
	ddisim_drv_t *d = (ddisim_drv_t *)&d;
	int rc = ddisim_drv_load("entnone", &d);

	FIRST_CALL_DONE();
	EXPECT(rc == ENOENT);
	EXPECT(d == NULL);
	expect_null_report(__LINE__, "ddisim_drv_load",
	    "no entnone_wrapper and no entry point");
	EXPECT(ddisim_drv_find("entnone") == NULL);
}

/* Two majors from 7: the second maps to the first internal major. */
static void
c_ddisim_drv_load_conf(void)
{
	struct ddisim_drvconf c = { .prefix = "entd", .modname = "entdm",
	    .major = 7, .nmajors = 2 };
	ddisim_drv_t *d = NULL;
	int rc = ddisim_drv_load_conf(&c, &d);

	FIRST_CALL_DONE();
	EXPECT(rc == 0 && d != NULL);
	EXPECT(ddisim_drv_major(d) == 7);
	EXPECT(ddisim_drv_dev(d, 0, 3) == makedevice(7, 3));
	EXPECT(etoimajor(8) == 7);
	/* a prefix is loaded once at a time */
	EXPECT(ddisim_drv_load("entd", NULL) == EEXIST);
	EXPECT(ddisim_drv_unload(d) == 0);
	EXPECT(etoimajor(8) == 8);
}

static void
c_ddisim_drv_find(void)
{
	ddisim_drv_t *d = ddisim_drv_find("nosuch");

	FIRST_CALL_DONE();
	EXPECT(d == NULL);
	EXPECT(ddisim_drv_find(NULL) == NULL);
}

static void
c_ddisim_drv_report(void)
{
	char *text = drv_listing();	/* the first call */

	FIRST_CALL_DONE();
	/* the headings, and no driver */
	EXPECT(text != NULL && strncmp(text, "PREFIX ", 7) == 0);
	EXPECT(strchr(text, '\n') == text + strlen(text) - 1);
	free(text);
}

#define D_NULL(fn, expr)	NULL_CASE(fn, #fn, "is not a loaded driver", \
	expr)
D_NULL(ddisim_drv_unload, ddisim_drv_unload(NULL) == EINVAL)
D_NULL(ddisim_drv_interface, ddisim_drv_interface(NULL) == 0)
D_NULL(ddisim_drv_major, ddisim_drv_major(NULL) == 0)
D_NULL(ddisim_drv_ninstances, ddisim_drv_ninstances(NULL) == 0)
D_NULL(ddisim_drv_key, ddisim_drv_key(NULL, 0) == 0)
D_NULL(ddisim_drv_dev, ddisim_drv_dev(NULL, 0, 0) == NODEV)
D_NULL(ddisim_drv_config, ddisim_drv_config(NULL, 0, CFG_SUSPEND) == EINVAL)
D_NULL(ddisim_drv_add_board, ddisim_drv_add_board(NULL, 1) == EINVAL)
D_NULL(ddisim_drv_remove_board, ddisim_drv_remove_board(NULL, 1) == EINVAL)

/*
 * The device of the driver above, used by a process: a refused minor,
 * a block open of a driver without strategy, then written, read back,
 * an ioctl, a poll, a mapping it cannot make, a size, devinfo, drvctl
 * and print it has no entry point for, and closed.
 */
static void
c_ddisim_dev_open(void)
{
	ddisim_drv_t *d = NULL;
	int rc = ddisim_drv_load("entd", &d);
	ddisim_file_t *f = NULL;
	struct proc *p;
	char *u, out[8];
	size_t n = 0;
	int rval = 0;
	short rev = 0;
	void *ua = NULL;
	uint64_t blocks = 0;

	FIRST_CALL_DONE();
	EXPECT(rc == 0);
	p = ddisim_proc_create(PAGE, 0);
	EXPECT(p != NULL);
	u = ddisim_proc_base(p);
	EXPECT(ddisim_dev_open(p, ddisim_drv_dev(d, 0, 2), DDISIM_CHR, FREAD,
	    &f) == ENXIO && f == NULL);
	EXPECT(ddisim_dev_open(p, ddisim_drv_dev(d, 0, 1), DDISIM_BLK, FREAD,
	    &f) == ENXIO);
	EXPECT(ddisim_dev_open(p, makedevice(ddisim_drv_major(d) + 1, 0),
	    DDISIM_CHR, FREAD, &f) == ENXIO);
	EXPECT(ddisim_dev_open(p, ddisim_drv_dev(d, 0, 1), DDISIM_CHR,
	    FREAD | FWRITE, &f) == 0 && f != NULL);
	EXPECT(entd_opens == 1);
	EXPECT(ddisim_dev_number(f) == ddisim_drv_dev(d, 0, 1));
	EXPECT(ddisim_dev_stream(f) == NULL);
	EXPECT(ddisim_proc_write(p, u, "hello", 5) == 0);
	EXPECT(ddisim_dev_write(f, u, 5, &n) == 0 && n == 5);
	EXPECT(ddisim_dev_seek(f, 0) == 0);
	EXPECT(ddisim_dev_read(f, u + 8, 5, &n) == 0 && n == 5);
	EXPECT(ddisim_proc_read(p, u + 8, out, 5) == 0);
	EXPECT(memcmp(out, "hello", 5) == 0);
	EXPECT(ddisim_dev_read(f, u + PAGE, 1, &n) == EFAULT && n == 0);
	EXPECT(ddisim_dev_ioctl(f, 1, 0, &rval) == 0 && rval == 2);
	EXPECT(ddisim_dev_ioctl(f, 3, 0, NULL) == EINVAL);
	/* no chpoll: always ready */
	EXPECT(ddisim_dev_poll(f, POLLIN | POLLOUT, 0, &rev) == 0);
	EXPECT(rev == (POLLIN | POLLOUT));
	EXPECT(ddisim_dev_mmap(f, 0, PAGE, 0, &ua) == ENODEV);
	/* no size, devinfo or print; drvctl is DDI 8's */
	EXPECT(ddisim_dev_size(f, &blocks) == ENODEV);
	EXPECT(ddisim_dev_devinfo(f, 1, &ua) == ENODEV);
	EXPECT(ddisim_dev_drvctl(f, 1, NULL) == ENODEV);
	EXPECT(ddisim_dev_print(f, "entd") == ENODEV);
	EXPECT(ddisim_dev_close(f) == 0);
	EXPECT(entd_opens == 0);
	ddisim_proc_destroy(p);
	EXPECT(ddisim_drv_unload(d) == 0);
}

static ddisim_file_t *ent_file;
static char ent_dbuf[8];
static void *ent_uaddr;
static short ent_rev;
static uint64_t ent_blocks;
#define F_NULL(fn, expr)	NULL_CASE(fn, #fn, "is not an open file", expr)
NULL_CASE(ddisim_dev_open_noproc, "ddisim_dev_open", "is not a simulated process",
    ddisim_dev_open(NULL, (dev_t)0, DDISIM_CHR, FREAD, &ent_file)
    == EINVAL && ent_file == NULL)
F_NULL(ddisim_dev_close, ddisim_dev_close(NULL) == EINVAL)
F_NULL(ddisim_dev_read, ddisim_dev_read(NULL, ent_dbuf, 1, NULL) == EINVAL)
F_NULL(ddisim_dev_write, ddisim_dev_write(NULL, ent_dbuf, 1, NULL) ==
    EINVAL)
F_NULL(ddisim_dev_seek, ddisim_dev_seek(NULL, 0) == EINVAL)
F_NULL(ddisim_dev_ioctl, ddisim_dev_ioctl(NULL, 1, 0, NULL) == EINVAL)
F_NULL(ddisim_dev_mmap, ddisim_dev_mmap(NULL, 0, PAGE, 0, &ent_uaddr) ==
    EINVAL)
F_NULL(ddisim_dev_munmap, ddisim_dev_munmap(NULL, ent_dbuf, PAGE) ==
    EINVAL)
F_NULL(ddisim_dev_poll, ddisim_dev_poll(NULL, POLLIN, 0, &ent_rev) ==
    EINVAL)
F_NULL(ddisim_dev_size, ddisim_dev_size(NULL, &ent_blocks) == EINVAL)
F_NULL(ddisim_dev_devinfo, ddisim_dev_devinfo(NULL, 1, &ent_uaddr) ==
    EINVAL)
F_NULL(ddisim_dev_drvctl, ddisim_dev_drvctl(NULL, 1, NULL) == EINVAL)
F_NULL(ddisim_dev_print, ddisim_dev_print(NULL, "x") == EINVAL)
F_NULL(ddisim_dev_number, ddisim_dev_number(NULL) == NODEV)
F_NULL(ddisim_dev_stream, ddisim_dev_stream(NULL) == NULL)

/* ---- the table ---- */

#define E(fn, what)	{ #fn, NULL, BUILDS, NULL, 0, c_##fn, what }
#define C(fn, what)	{ #fn, NULL, CONTROL, NULL, 0, c_##fn, what }

#define Q(fn, what)	{ #fn, NULL, BUILDS, "verify=count", 1, c_##fn, what }

static const struct entry_case cases[] = {
	Q(putq, "NULL queue: reported, 0"),
	Q(putbq, "NULL queue: reported, 0"),
	Q(getq, "NULL queue: reported, NULL"),
	Q(insq, "NULL queue: reported, 0"),
	Q(rmvq, "NULL queue: reported"),
	Q(flushq, "NULL queue: reported"),
	Q(flushband, "NULL queue: reported"),
	Q(qsize, "NULL queue: reported, 0"),
	Q(canput, "NULL queue: reported, 0"),
	Q(bcanput, "NULL queue: reported, 0"),
	Q(canputnext, "NULL queue: reported, 0"),
	Q(bcanputnext, "NULL queue: reported, 0"),
	Q(put, "NULL queue: reported"),
	Q(putnext, "NULL queue: reported"),
	Q(putctl, "NULL queue: reported, 0"),
	Q(putctl1, "NULL queue: reported, 0"),
	Q(putnextctl, "NULL queue: reported, 0"),
	Q(putnextctl1, "NULL queue: reported, 0"),
	Q(qreply, "NULL queue: reported"),
	Q(qenable, "NULL queue: reported"),
	Q(noenable, "NULL queue: reported"),
	Q(enableok, "NULL queue: reported"),
	Q(OTHERQ, "NULL queue: reported, NULL"),
	Q(RD, "NULL queue: reported, NULL"),
	Q(WR, "NULL queue: reported, NULL"),
	Q(strioccall, "NULL queue: reported, 1"),
	Q(SAMESTR, "NULL queue: reported, 0"),
	Q(_Compat_backq, "DDI 5, 6: NULL queue: reported, NULL"),
	Q(freezestr, "NULL queue: reported, the level unchanged"),
	Q(unfreezestr, "NULL queue: reported, the level unchanged"),
	Q(qprocson, "NULL queue: reported"),
	Q(qprocsoff, "NULL queue: reported"),
	Q(strqget, "NULL queue: reported, EINVAL"),
	Q(strqset, "NULL queue: reported, EINVAL"),
	E(ddisim_stream_open, "a loopback driver: written, read back, "
	    "closed"),
	Q(ddisim_stream_close, "no stream: reported, EINVAL"),
	Q(ddisim_stream_push, "no stream: reported, EINVAL"),
	Q(ddisim_stream_pop, "no stream: reported, EINVAL"),
	Q(ddisim_stream_write, "no stream: reported, EINVAL"),
	Q(ddisim_stream_read, "no stream: reported, EINVAL"),
	Q(ddisim_stream_putmsg, "no stream: reported, EINVAL"),
	Q(ddisim_stream_getmsg, "no stream: reported, EINVAL"),
	Q(ddisim_stream_ioctl, "no stream: reported, EINVAL"),
	Q(ddisim_stream_signal, "no stream: reported, 0"),
	E(ddisim_streams_thread, "the service thread started and stopped"),
	{ "ddisim_drv_load", NULL, BUILDS, NULL, 0, c_ddisim_drv_load,
	    "a driver linked into the program: found, numbered, listed, "
	    "unloaded" },
	{ "ddisim_drv_load", NULL, BUILDS, "verify=count", 1,
	    c_ddisim_drv_load_none, "a prefix with nothing behind it: "
	    "reported, ENOENT" },
	E(ddisim_drv_load_conf, "two majors from 7, the second mapped to the "
	    "first"),
	E(ddisim_drv_find, "no such driver: NULL"),
	E(ddisim_drv_report, "the headings alone"),
	Q(ddisim_drv_unload, "no driver: reported, EINVAL"),
	Q(ddisim_drv_interface, "no driver: reported, 0"),
	Q(ddisim_drv_major, "no driver: reported, 0"),
	Q(ddisim_drv_ninstances, "no driver: reported, 0"),
	Q(ddisim_drv_key, "no driver: reported, 0"),
	Q(ddisim_drv_dev, "no driver: reported, NODEV"),
	Q(ddisim_drv_config, "no driver: reported, EINVAL"),
	Q(ddisim_drv_add_board, "no driver: reported, EINVAL"),
	Q(ddisim_drv_remove_board, "no driver: reported, EINVAL"),
	{ "ddisim_dev_open", "ddisim_drv_load", BUILDS, NULL, 0,
	    c_ddisim_dev_open, "the linked-in driver's device opened by a "
	    "process, written, read back, an ioctl, polled, no size, "
	    "devinfo, drvctl or print: ENODEV, closed" },
	{ "ddisim_dev_open", NULL, BUILDS, "verify=count", 1,
	    c_ddisim_dev_open_noproc, "no process: reported, EINVAL" },
	Q(ddisim_dev_close, "no file: reported, EINVAL"),
	Q(ddisim_dev_read, "no file: reported, EINVAL"),
	Q(ddisim_dev_write, "no file: reported, EINVAL"),
	Q(ddisim_dev_seek, "no file: reported, EINVAL"),
	Q(ddisim_dev_ioctl, "no file: reported, EINVAL"),
	Q(ddisim_dev_mmap, "no file: reported, EINVAL"),
	Q(ddisim_dev_munmap, "no file: reported, EINVAL"),
	Q(ddisim_dev_poll, "no file: reported, EINVAL"),
	Q(ddisim_dev_size, "no file: reported, EINVAL"),
	Q(ddisim_dev_devinfo, "no file: reported, EINVAL"),
	Q(ddisim_dev_drvctl, "no file: reported, EINVAL"),
	Q(ddisim_dev_print, "no file: reported, EINVAL"),
	Q(ddisim_dev_number, "no file: reported, NODEV"),
	Q(ddisim_dev_stream, "no file: reported, NULL"),
	E(pcmsg, "M_PCPROTO high priority, M_PROTO not"),
	{ "_Compat_cm_getnbrd", NULL, BUILDS, RM_SPEC, 0,
	    c__Compat_cm_getnbrd, "boards of a module from the spec" },
	{ "_Compat_cm_getbrdkey", NULL, BUILDS, RM_SPEC, 0,
	    c__Compat_cm_getbrdkey, "the key of the spec's board" },
	{ "_Compat_cm_getversion", NULL, BUILDS, RM_SPEC, 0,
	    c__Compat_cm_getversion, "one change: the spec's board" },
	{ "_Compat_cm_getval_5", NULL, BUILDS, RM_SPEC, 0,
	    c__Compat_cm_getval_5, "DDI 5: CM_IRQ of the spec's board" },
	{ "_Compat_cm_getval_7_1", NULL, BUILDS, RM_SPEC, 0,
	    c__Compat_cm_getval_7_1, "DDI 7.1: CM_IRQ of the spec's board" },
	{ "_Compat_cm_getval_8", NULL, BUILDS, RM_SPEC ",verify=count", 1,
	    c__Compat_cm_getval_8, "DDI 8 outside a transaction: "
	    "reported, answered" },
	{ "_Compat_cm_addval", NULL, BUILDS, RM_SPEC, 0,
	    c__Compat_cm_addval, "DDI 5: a CM_UNIT" },
	{ "_Compat_cm_delval", NULL, BUILDS, RM_SPEC, 0,
	    c__Compat_cm_delval, "DDI 5: every CM_IRQ" },
	{ "_Compat_cm_addval_8", NULL, BUILDS, RM_SPEC ",verify=count", 1,
	    c__Compat_cm_addval_8, "DDI 8 outside a transaction: "
	    "reported, refused" },
	{ "_Compat_cm_delval_8", NULL, BUILDS, RM_SPEC ",verify=count", 1,
	    c__Compat_cm_delval_8, "DDI 8 outside a transaction: "
	    "reported, refused" },
	{ "cm_begin_trans", NULL, BUILDS, RM_SPEC, 0, c_cm_begin_trans,
	    "a read-only transaction on the spec's board" },
	E(cm_newkey, "a new key, committed"),
	E(drv_attach, "a driver with no boards"),
	{ "drv_detach", NULL, BUILDS, "verify=count", 1, c_drv_detach,
	    "a driver never attached: reported" },
	E(drv_open, "a key no driver has: ENXIO"),
	{ "drv_close", NULL, BUILDS, "verify=count", 1, c_drv_close,
	    "not a handle: reported, EINVAL" },
	{ "do_devinfo", NULL, BUILDS, "verify=count", 1, c_do_devinfo,
	    "not a handle: reported, EINVAL" },
	{ "do_ioctl", NULL, BUILDS, "verify=count", 1, c_do_ioctl,
	    "not a handle: reported, EINVAL" },
	{ "do_drvctl", NULL, BUILDS, "verify=count", 1, c_do_drvctl,
	    "not a handle: reported, EINVAL" },
	E(mod_drvattach, "a module with no boards: attached, nothing on"),
	{ "mod_drvdetach", NULL, BUILDS, "verify=count", 1, c_mod_drvdetach,
	    "not attached: reported" },
	E(ddisim_mod_load, "a module with a _load"),
	E(ddisim_mod_unload, "a module not loaded: ENOENT"),
	E(ddisim_mod_loaded, "a module not loaded"),
	{ "cm_devconfig_size", NULL, BUILDS, RM_SPEC, 0,
	    c_cm_devconfig_size, "a PCI board's 256 bytes" },
	{ "cm_read_devconfig", NULL, BUILDS, RM_SPEC, 0,
	    c_cm_read_devconfig, "a PCI board's IDs" },
	{ "cm_write_devconfig", NULL, BUILDS, RM_SPEC, 0,
	    c_cm_write_devconfig, "two bytes of a PCI board's space" },
	{ "cm_read_devconfig8", NULL, BUILDS, RM_SPEC, 0,
	    c_cm_read_devconfig8, "a PCI board's interrupt line" },
	{ "cm_read_devconfig16", NULL, BUILDS, RM_SPEC, 0,
	    c_cm_read_devconfig16, "a PCI board's vendor ID" },
	{ "cm_read_devconfig32", NULL, BUILDS, RM_SPEC, 0,
	    c_cm_read_devconfig32, "a PCI board's two IDs" },
	{ "cm_write_devconfig8", NULL, BUILDS, RM_SPEC, 0,
	    c_cm_write_devconfig8, "a byte, read back" },
	{ "cm_write_devconfig16", NULL, BUILDS, RM_SPEC, 0,
	    c_cm_write_devconfig16, "a 16-bit word, read back" },
	{ "cm_write_devconfig32", NULL, BUILDS, RM_SPEC, 0,
	    c_cm_write_devconfig32, "a 32-bit word, read back" },
	{ "cm_AT_putconf", NULL, BUILDS, RM_SPEC, 0, c_cm_AT_putconf,
	    "a new CM_IRQ and CM_ITYPE" },
	E(eisa_parse_devconfig, "the IRQ of an EISA function record"),
	E(_Compat_drv_gethardware, "an ISA machine"),
	{ "_Compat_drv_gethardware_7_2", NULL, BUILDS, RM_SPEC, 0,
	    c__Compat_drv_gethardware_7_2, "DDI 7.2: a PCI machine" },
	E(ddisim_rm_add_board, "a board, found by name"),
	{ "ddisim_rm_remove_board", NULL, BUILDS, RM_SPEC, 0,
	    c_ddisim_rm_remove_board, "the spec's board" },
	{ "ddisim_rm_nkeys", NULL, BUILDS, RM_SPEC, 0, c_ddisim_rm_nkeys,
	    "the spec's board" },
	E(kmem_alloc, "100 bytes of simulated memory"),
	E(kmem_zalloc, "three zeroed pages"),
	E(kmem_free, "a size of 0, which does nothing"),
	E(kmem_free_physcontig, "a size of 0, which does nothing"),
	E(_Compat_kmem_alloc4, "DDI 4: contiguous below 16 MiB"),
	E(_Compat_kmem_zalloc4, "DDI 4: zeroed, contiguous below 16 MiB"),
	E(_Compat_kmem_alloc5, "DDI 5: below 16 MiB"),
	E(_Compat_kmem_zalloc5, "DDI 5: zeroed, below 16 MiB"),
	E(_Compat_kmem_alloc7, "DDI 7.1: below 4 GiB"),
	E(_Compat_kmem_zalloc7, "DDI 7.1: zeroed, below 4 GiB"),
	E(_Compat_kmem_alloc_oddi, "ODDI: below 16 MiB"),
	E(_Compat_kmem_zalloc_oddi, "ODDI, KM_NO_DMA: zeroed, below 4 GiB"),
	E(physreq_alloc, "a physreq asking nothing"),
	E(physreq_prep, "a driver's zero-filled static physreq, then "
	    "kmem_alloc_physreq under it"),
	{ "physreq_prep", NULL, BUILDS, NULL, 0, c_physreq_prep_zero,
	    "an all-zero static physreq, then kmem_zalloc_physreq" },
	E(getcpages, "two contiguous pages below 4 GiB"),
	E(sptalloc, "two fresh pages mapped"),
	{ "sptalloc", NULL, BUILDS, NULL, 0, c_sptalloc_frames,
	    "an existing frame mapped beside the direct map" },
	E(phystokv, "the direct map of a RAM address"),
	E(phystoppid, "a page ID"),
	E(pptophys, "a physical address"),
	E(ptob, "bytes of pages"),
	E(btop, "whole pages of bytes"),
	E(btopr, "pages holding bytes"),
	E(ddisim_vtop, "EFAULT for host memory"),
	E(ddisim_ptov, "the direct map, and back"),
	E(ddisim_segments, "no segment for host memory"),
	E(ddisim_cpu_set, "the thread's CPU"),
	E(ddisim_cpu_get, "one of four CPUs"),
	E(ddisim_info, "the default machine's layout"),
	E(ddisim_free_histogram, "free runs of node 0 below 4 GiB"),
	E(ddisim_free_pages, "free pages of a free range and of a hole"),
	E(cmn_err, "a message in the putbuf"),
	{ "assfail", NULL, BUILDS, "verify=count", 1, c_assfail,
	    "the report of a failed ASSERT" },
	E(min, "unsigned minimum"),
	E(max, "unsigned maximum"),
	E(getmajor, "major number"),
	E(getminor, "minor number"),
	E(getemajor, "external major number"),
	E(geteminor, "external minor number"),
	E(makedevice, "a device number"),
	E(LOCK_ALLOC, "a basic lock that locks"),
	E(RW_ALLOC, "a read/write lock that locks"),
	E(SLEEP_ALLOC, "a sleep lock that locks"),
	E(SV_ALLOC, "a synchronization variable"),
	E(getpl, "PLBASE"),
	E(splbase, "PLBASE kept"),
	E(spltimeout, "PLTIMEOUT set"),
	E(spldisk, "PLDISK set"),
	E(splstr, "PLSTR set"),
	E(spltty, "PLTTY set"),
	E(splhi, "PLHI set"),
	E(splx, "PLDISK set"),
	E(spl0, "level 0 set"),
	E(spl1, "level 1 set"),
	E(spl2, "level 2 set"),
	E(spl3, "level 3 set"),
	E(spl4, "level 4 set"),
	E(spl5, "level 5 set"),
	E(spl6, "level 6 set"),
	E(spl7, "level 7 set"),
	E(_Compat_spl1, "DDI 5, 6: level 1 set"),
	E(_Compat_spl4, "DDI 5, 6: level 4 set"),
	E(_Compat_spl5, "DDI 5, 6: level 5 set"),
	E(_Compat_spl6, "DDI 5, 6: level 6 set (spl6, splvm)"),
	E(wakeup, "a wakeup with nobody asleep"),
	E(inb, "the 8237's mask register"),
	E(inw, "the 8237's mask register, 16 bits"),
	E(inl, "the 8237's mask register, 32 bits"),
	{ "inb", NULL, BUILDS, "verify=count", 1, c_inb_unclaimed,
	    "an unclaimed port: 0xff and a report" },
	{ "inw", NULL, BUILDS, "verify=count", 1, c_inw_unclaimed,
	    "an unclaimed port: 0xffff and a report" },
	{ "inl", NULL, BUILDS, "verify=count", 1, c_inl_unclaimed,
	    "an unclaimed port: 0xffffffff and a report" },
	E(outb, "a channel unmasked through the 8237's port"),
	E(outw, "a page register written"),
	E(outl, "a page register written"),
	E(repinsb, "three reads of the 8237's mask register"),
	E(repinsw, "two 16-bit reads"),
	E(repinsd, "two 32-bit reads"),
	E(repoutsb, "three writes of a page register"),
	E(repoutsw, "two 16-bit writes"),
	E(repoutsd, "two 32-bit writes"),
	E(ddisim_port_claim, "a device of the test's answers"),
	E(ddisim_port_release, "NULL, which does nothing"),
	E(drv_getparm, "LBOLT of a new machine"),
	E(drv_setparm, "a counter"),
	E(drv_hztousec, "ticks to microseconds"),
	E(drv_usectohz, "microseconds to ticks"),
	E(drv_usecwait, "the clock moved"),
	E(delay, "the clock moved three ticks"),
	E(timeout, "a callback at PLHI"),
	E(itimeout, "a callback at PLTIMEOUT"),
	E(dtimeout, "a callback on CPU 1"),
	E(ddisim_clock_now, "0 on a new machine"),
	E(ddisim_clock_advance, "the clock moved"),
	E(ddisim_clock_callouts, "no callbacks"),
	E(ddisim_clock_realtime, "the clock follows the host"),
	E(ddisim_ctx_id, "an identifier"),
	E(ddisim_ctx_signal, "no context 0"),
	E(ddisim_ctx_pl, "PLBASE"),
	E(ddisim_ctx_locks_held, "no locks"),
	E(ddisim_ctx_in_intr, "not in a handler"),
	E(ddisim_intr_key, "a key"),
	E(ddisim_intr_register, "a handler that runs"),
	E(ddisim_intr_bind, "a line bound to CPU 1"),
	E(ddisim_intr_raise, "a stray interrupt dropped"),
	E(ddisim_intr_set_deterministic, "an interrupt held for deliver"),
	E(ddisim_intr_deliver, "nothing to deliver"),
	E(ddisim_intr_pending, "nothing pending"),
	E(ddisim_intr_count, "no interrupts yet"),
	E(allocb, "a fresh 100-byte message"),
	E(_Compat_allocb7, "DDI 7.1: a message below 4 GiB"),
	E(_Compat_allocb5, "DDI 5: a message below 16 MiB"),
	E(testb, "a buffer could be had"),
	E(_Compat_testb7, "DDI 7.1: a buffer could be had"),
	E(_Compat_testb5, "DDI 5: a buffer could be had"),
	E(esballoc, "a message on the caller's buffer, its free routine"),
	E(freemsg, "NULL, which does nothing"),
	E(bufcall, "a callback from the STREAMS service"),
	E(_Compat_bufcall7, "DDI 7.1: a callback from the service"),
	E(_Compat_bufcall5, "DDI 5: a callback from the service"),
	E(esbbcall, "a callback from the service"),
	E(ddisim_streams_run, "nothing to run"),
	E(ddisim_streams_pending, "nothing pending"),
	E(scgth_free, "an empty list left alone"),
	E(rmallocmap, "a map that manages what it is given"),
	E(_Compat_rminit, "DDI 6: a driver's array set up as a map"),
	E(getrbuf, "a fresh buffer header"),
	E(geteblk, "a buffer with 1024 bytes of data, cleared, released"),
	E(ngeteblk, "a buffer with three pages of data"),
	E(bcb_alloc, "a cleared bcb"),
	E(bcb_prep, "a driver's static bcb and physreq prepared"),
	E(ddisim_bio_attach, "a request handed to biostart"),
	E(ddisim_breakup_stats, "no bounces"),
	E(ddisim_breakup_reserve_uses, "no reserve used"),
	E(physiock, "a kernel-space read through the strategy routine"),
	E(uiophysio, "a kernel-space read through the strategy routine"),
	E(_Compat_uiophysio, "DDI 5 and 6: the same read"),
	E(_Compat_hat_getppfnum, "the frame of a RAM address"),
	E(page_numtopp, "a frame no page list holds: NULL"),
	E(physck, "a request inside the device"),
	E(_Compat_u, "a zero-filled user area"),
	{ "copyin", NULL, BUILDS, "verify=count", 1, c_copyin_noproc,
	    "no process: -1 and a report" },
	{ "copyout", NULL, BUILDS, "verify=count", 1, c_copyout_noproc,
	    "no process: -1 and a report" },
	{ "fubyte", NULL, BUILDS, "verify=count", 1, c_fubyte_noproc,
	    "no process: -1 and a report" },
	{ "fuword", NULL, BUILDS, "verify=count", 1, c_fuword_noproc,
	    "no process: -1 and a report" },
	{ "subyte", NULL, BUILDS, "verify=count", 1, c_subyte_noproc,
	    "no process: -1 and a report" },
	{ "suword", NULL, BUILDS, "verify=count", 1, c_suword_noproc,
	    "no process: -1 and a report" },
	{ "_Compat_useracc", NULL, BUILDS, "verify=count", 1,
	    c__Compat_useracc_noproc, "no process: 0 and a report" },
	E(uiomove, "kernel space: bytes moved and the uio advanced"),
	E(ureadc, "kernel space: a byte stored"),
	E(uwritec, "kernel space: a byte fetched"),
	E(ddisim_proc_create, "a process with user memory"),
	E(ddisim_proc_enter, "no process"),
	E(drv_priv, "user 0 privileged, user 1 not"),
	E(phalloc, "a pollhead, polled without waiting and freed"),
	E(kthread_spawn, "a kernel thread at base level, waited for"),
	E(strlog, "a message in the putbuf"),
	E(etoimajor, "external 7 is internal 7"),
	E(itoemajor, "internal 7 has external 7 only"),
	C(ddisim_major_map, "external 8 mapped to internal 7"),
	E(drv_callback, "an NMI handler attached, raised and detached"),
	E(_Compat_drv_callback_5, "DDI 5: an NMI handler attached and raised"),
	E(ddisim_callback_raise, "a power-down with no handler"),
	E(drv_shutdown, "a clean reboot requested and recorded"),
	C(ddisim_shutdown_requests, "no request yet"),
	{ "iobitmapctl", NULL, BUILDS, "verify=count", 1, c_iobitmapctl,
	    "in no process: 0 and a report" },
	E(bs_getval, "no such boot parameter"),
	E(_Compat_ifstats_attach, "an interface on the chain and off"),
	{ "_Compat_ifstats_detach", NULL, BUILDS, "verify=count", 1,
	    c__Compat_ifstats_detach, "not attached: NULL and a report" },
	C(ddisim_bootparam, "a boot parameter that bs_getval finds"),
	E(call_demon, "no debugger: returns, counted"),
	C(ddisim_demon, "a debugger hook, called with the caller"),
	C(ddisim_demon_calls, "none yet"),
	{ "ddisim_proc_io", "ddisim_proc_create", BUILDS, NULL, 0,
	    c_ddisim_proc_io, "a port the bitmap does not allow faults" },
	{ "proc_ref", NULL, BUILDS, "verify=count", 1, c_proc_ref_none,
	    "in no process: NULL and a report" },
	{ "ddisim_proc_create", NULL, BUILDS, NULL, 0, c_proc_ref,
	    "a reference, a signal posted and seen, released" },
	E(ovbcopy, "an overlapping copy"),
	E(numtos, "the largest ulong_t in decimal"),
	E(TICKS, "the ticks since boot"),
	E(ATOMIC_INT_ALLOC, "a counter at 0"),
	E(ATOMIC_INT_INIT, "the driver's counter at 7"),
	E(KS_HOLD0LOCKS, "no lock held"),
	E(ddisim_pagelist_create, "three pages below 16 MiB"),
	E(ddisim_dma_create, "a bus-master device on its ports"),
	E(ddisim_dma_destroy, "NULL, which does nothing"),
	E(ddisim_mmio_create, "a window in a hole, its register read"),
	E(ddisim_mmio_destroy, "NULL, which does nothing"),
	E(ddisim_mmio_sync, "no window, nothing to do"),
	E(physmap, "an alias of a RAM page, written through"),
	E(physmap1, "the CPU's page, given up again"),
	{ "drv_mmap", NULL, BUILDS, "verify=count", 1, c_drv_mmap,
	    "in no process: EINVAL and a report" },
	{ "devmem_mapin", NULL, BUILDS, DEVMEM_SPEC, 0, c_devmem_mapin,
	    "the second page of the board's memory" },
	{ "devmem_size", NULL, BUILDS, DEVMEM_SPEC, 0, c_devmem_size,
	    "the bytes of the board's range; EINVAL for another" },
	{ "devmem_ppid", NULL, BUILDS, DEVMEM_SPEC, 0, c_devmem_ppid,
	    "a page of the board's range; NOPAGE past it" },
	E(ddisim_isadev_create, "a device on channel 1"),
	E(ddisim_isadev_destroy, "NULL, which does nothing"),
	E(ddisim_isadma_attach, "the controller already attached"),
	E(ddisim_isadma_channels, "the channels as the BIOS leaves them"),
	E(dma_get_cb, "a zeroed control block"),
	E(dma_get_buf, "a zeroed buffer descriptor"),
	E(dma_enable, "channel 1 unmasked"),
	E(dma_disable, "a free channel masked"),
	E(dma_stop, "a free channel masked"),
	E(dma_cascade, "channel 5 in cascade mode and out"),
	E(dma_physreq, "an 8-bit channel's physreq, allocated under"),
	E(dma_get_chan_stat, "a channel's registers"),
	E(dma_alloc, "channel 1 owned"),
	E(dma_start, "channel 6 granted at once"),
	E(dma_param, "channel 1 programmed"),
	E(dma_resid, "channel 1's count"),
	C(ddisim_initialized, "no machine"),
	C(ddisim_init_error, "no error"),
	C(ddisim_shutdown, "nothing to shut down"),
	C(ddisim_outstanding, "nothing outstanding"),
	C(ddisim_leak_report, "nothing to report"),
	C(ddisim_verify_count, "no reports"),
	C(ddisim_verify_last, "no report"),
	{ "ddisim_verify_set_policy", NULL, CONTROL, NULL, 1,
	    c_ddisim_verify_set_policy, "the policy of the process" },
	C(ddisim_verify_reset, "the count reset"),
	C(ddisim_explain, "explanations off before"),
	C(ddisim_explain_last, "nothing explained"),
	C(ddisim_putbuf, "an empty putbuf"),
	C(ddisim_putbuf_clear, "an empty putbuf"),
	C(ddisim_console, "a sink for the console"),
	C(ddisim_log, "a sink for the STREAMS log"),
	{ "ddisim_init", NULL, INITS, NULL, 0, c_ddisim_init,
	    "its machine serves the DDI" },
	{ "ddisim_init", "getpl", BUILDS, NULL, 0, c_ddisim_init_after_ddi,
	    "after a DDI call built the machine: EBUSY, naming the call" },
};

/*
 * Exported functions without a case, and why: each needs what only an
 * earlier call gives (a handle, a prepared structure, an owned channel),
 * or sleeps by design.
 */
static const char R_PREQ[] = "needs a physreq_t an earlier physreq_prep "
    "prepared";
static const char R_KVA[] = "needs an address of simulated kernel memory "
    "from an earlier call";
static const char R_LOCK[] = "needs a lock from LOCK_ALLOC";
static const char R_RW[] = "needs a lock from RW_ALLOC";
static const char R_SLEEP[] = "needs a lock from SLEEP_ALLOC";
static const char R_SV[] = "needs a variable from SV_ALLOC";
static const char R_SVWAIT[] = "sleeps by design, on a variable from "
    "SV_ALLOC with a lock from LOCK_ALLOC held";
static const char R_MSG[] = "needs a message from allocb";
static const char R_ATOMIC[] = "needs a counter from ATOMIC_INT_ALLOC or "
    "ATOMIC_INT_INIT";
static const char R_BUF[] = "needs a buf from getrbuf";
static const char R_MAP[] = "needs a map from rmallocmap or rminit";
static const char R_CB[] = "needs a control block from dma_get_cb";

struct exclusion {
	const char	*fn;
	const char	*why;
};

static const struct exclusion excluded[] = {
	{ "cm_end_trans", "ends a transaction cm_begin_trans began" },
	{ "cm_abort_trans", "ends a transaction cm_begin_trans began" },
	{ "cm_delkey", "needs a read/write transaction from cm_begin_trans" },
	{ "ddisim_dma_key", "needs a device from ddisim_dma_create" },
	{ "freecpages", "frees pages getcpages returned" },
	{ "sptfree", "unmaps what sptalloc mapped" },
	{ "physreq_free", "frees a physreq from physreq_alloc" },
	{ "kmem_alloc_physreq", R_PREQ },
	{ "kmem_zalloc_physreq", R_PREQ },
	{ "_Compat_kmem_alloc_physreq7", R_PREQ },
	{ "_Compat_kmem_zalloc_physreq7", R_PREQ },
	{ "kmem_alloc_physcontig", R_PREQ },
	{ "kmem_alloc_phys", R_PREQ },
	{ "allocb_physreq", R_PREQ },
	{ "_Compat_allocb_physreq7", R_PREQ },
	{ "vtop", R_KVA },
	{ "kvtophys", R_KVA },
	{ "_Compat_kvtophys", R_KVA },
	{ "_Compat_hat_getkpfnum", R_KVA },
	{ "page_pptonum", "needs a list from ddisim_pagelist_create" },
	{ "_Compat_rdma_filter", R_BUF },
	{ "_Compat_dma_pageio", R_BUF },
	{ "kvtoppid", R_KVA },
	{ "LOCK", R_LOCK },
	{ "TRYLOCK", R_LOCK },
	{ "UNLOCK", R_LOCK },
	{ "LOCK_DEALLOC", R_LOCK },
	{ "RW_RDLOCK", R_RW },
	{ "RW_WRLOCK", R_RW },
	{ "RW_TRYRDLOCK", R_RW },
	{ "RW_TRYWRLOCK", R_RW },
	{ "RW_UNLOCK", R_RW },
	{ "RW_DEALLOC", R_RW },
	{ "SLEEP_LOCK", R_SLEEP },
	{ "SLEEP_LOCK_SIG", R_SLEEP },
	{ "SLEEP_TRYLOCK", R_SLEEP },
	{ "SLEEP_UNLOCK", R_SLEEP },
	{ "SLEEP_LOCKAVAIL", R_SLEEP },
	{ "SLEEP_LOCKOWNED", R_SLEEP },
	{ "SLEEP_DEALLOC", R_SLEEP },
	{ "SV_SIGNAL", R_SV },
	{ "SV_BROADCAST", R_SV },
	{ "SV_DEALLOC", R_SV },
	{ "SV_WAIT", R_SVWAIT },
	{ "SV_WAIT_SIG", R_SVWAIT },
	{ "_Compat_sleep", "sleeps by design until a wakeup" },
	{ "rmfreemap", R_MAP },
	{ "rmalloc", R_MAP },
	{ "rmalloc_wait", R_MAP },
	{ "rmfree", R_MAP },
	{ "_Compat_rmsetwant", R_MAP },
	{ "_Compat_rmwant", R_MAP },
	{ "_Compat_panic", "ends the process by design (test_kern)" },
	{ "untimeout", "needs an identifier from a timeout call" },
	{ "unbufcall", "needs an identifier from bufcall" },
	{ "cm_intr_attach", "needs a key from ddisim_intr_key" },
	{ "_Compat_cm_intr_attach5", "needs a key from ddisim_intr_key" },
	{ "cm_intr_detach", "needs a cookie from cm_intr_attach" },
	{ "do_biostart", "needs a buf from getrbuf (and a handle from "
	    "drv_open)" },
	{ "ddisim_proc_setuid", "needs a process from ddisim_proc_create" },
	{ "ATOMIC_INT_DEALLOC", "needs a counter from ATOMIC_INT_ALLOC" },
	{ "ATOMIC_INT_READ", R_ATOMIC },
	{ "ATOMIC_INT_WRITE", R_ATOMIC },
	{ "ATOMIC_INT_ADD", R_ATOMIC },
	{ "ATOMIC_INT_SUB", R_ATOMIC },
	{ "ATOMIC_INT_INCR", R_ATOMIC },
	{ "ATOMIC_INT_DECR", R_ATOMIC },
	{ "ddisim_intr_unregister", "needs a handle from "
	    "ddisim_intr_register" },
	{ "freeb", R_MSG },
	{ "dupb", R_MSG },
	{ "dupmsg", R_MSG },
	{ "copyb", R_MSG },
	{ "_Compat_copyb7", R_MSG },
	{ "_Compat_copyb5", R_MSG },
	{ "copymsg", R_MSG },
	{ "_Compat_copymsg7", R_MSG },
	{ "_Compat_copymsg5", R_MSG },
	{ "linkb", R_MSG },
	{ "unlinkb", R_MSG },
	{ "rmvb", R_MSG },
	{ "msgdsize", R_MSG },
	{ "adjmsg", R_MSG },
	{ "pullupmsg", R_MSG },
	{ "msgpullup", R_MSG },
	{ "_Compat_msgpullup7", R_MSG },
	{ "_Compat_msgpullup5", R_MSG },
	{ "msgphysreq", R_MSG },
	{ "_Compat_msgphysreq7", R_MSG },
	{ "msgpullup_physreq", R_MSG },
	{ "_Compat_msgpullup_physreq7", R_MSG },
	{ "msgscgth", R_MSG },
	{ "freerbuf", R_BUF },
	{ "biodone", R_BUF },
	{ "biowait", R_BUF },
	{ "bioerror", R_BUF },
	{ "geterror", R_BUF },
	{ "bioreset", R_BUF },
	{ "biocanblock", R_BUF },
	{ "biowait_sig", R_BUF },
	{ "brelse", "needs a buf from geteblk or ngeteblk" },
	{ "clrbuf", R_BUF },
	{ "uiobuf", R_BUF },
	{ "bp_mapin", R_BUF },
	{ "bp_mapout", R_BUF },
	{ "getnextpg", R_BUF },
	{ "buf_breakup", R_BUF },
	{ "_Compat_buf_breakup7", R_BUF },
	{ "dma_pageio", R_BUF },
	{ "bcb_free", "needs a bcb from bcb_alloc" },
	{ "physio", "takes its request from the user area, which only "
	    "_Compat_u reaches" },
	{ "dma_breakup", "needs the buf physio hands the strategy routine" },
	{ "pio_breakup", "needs the buf physio hands the strategy routine" },
	{ "ddisim_bio_detach", "needs a harness from ddisim_bio_attach" },
	{ "ddisim_bio_submit", "needs a harness from ddisim_bio_attach" },
	{ "ddisim_proc_destroy", "needs a process from ddisim_proc_create" },
	{ "ddisim_proc_signals", "needs a process from ddisim_proc_create" },
	{ "proc_unref", "needs a reference from proc_ref" },
	{ "phfree", "needs a pollhead from phalloc" },
	{ "kthread_wait", "needs a thread from kthread_spawn" },
	{ "kthread_exit", "ends a thread from kthread_spawn" },
	{ "pollwakeup", "needs a pollhead from phalloc" },
	{ "ddisim_poll_wait", "needs a pollhead from phalloc" },
	{ "proc_valid", "needs a reference from proc_ref" },
	{ "proc_signal", "needs a reference from proc_ref" },
	{ "ddisim_proc_base", "needs a process from ddisim_proc_create" },
	{ "ddisim_proc_size", "needs a process from ddisim_proc_create" },
	{ "ddisim_proc_write", "needs a process from ddisim_proc_create" },
	{ "ddisim_proc_read", "needs a process from ddisim_proc_create" },
	{ "ddisim_pagelist_destroy", "needs a list from "
	    "ddisim_pagelist_create" },
	{ "ddisim_page_addr", "needs a list from ddisim_pagelist_create" },
	{ "ddisim_page_phys", "needs a list from ddisim_pagelist_create" },
	{ "ddisim_page_next", "needs a list from ddisim_pagelist_create" },
	{ "ddisim_dma_store", "needs a device from ddisim_dma_create" },
	{ "ddisim_mmio_mem", "needs a window from ddisim_mmio_create" },
	{ "physmap_free", "frees a mapping physmap made" },
	{ "devmem_mapout", "frees a mapping devmem_mapin made" },
	{ "drv_munmap", "undoes a mapping drv_mmap made" },
	{ "ddisim_dma_wire_sent", "needs a device from ddisim_dma_create" },
	{ "ddisim_dma_wire_feed", "needs a device from ddisim_dma_create" },
	{ "ddisim_dma_fail", "needs a device from ddisim_dma_create" },
	{ "ddisim_dma_idle", "needs a device from ddisim_dma_create" },
	{ "ddisim_dma_stats", "needs a device from ddisim_dma_create" },
	{ "ddisim_isadev_buf", "needs a device from ddisim_isadev_create" },
	{ "ddisim_isadev_dreq", "needs a device from ddisim_isadev_create" },
	{ "ddisim_isadev_tc", "needs a device from ddisim_isadev_create" },
	{ "dma_free_cb", R_CB },
	{ "dma_get_best_mode", R_CB },
	{ "dma_prog", R_CB },
	{ "dma_swsetup", R_CB },
	{ "dma_swstart", R_CB },
	{ "dma_free_buf", "needs a descriptor from dma_get_buf" },
	{ "dma_relse", "needs a channel owned through dma_alloc or "
	    "dma_start" },
};

/* Exported objects, not functions: nothing to call. */
static const char *const data_symbols[] = {
	"lbolt",	/* the tick count <sys/ddi.h> declares */
	"totalmem",	/* DDI 5: the RAM in bytes */
	"ifstats",	/* the interface chain <net/if.h> declares */
	"malloc_conf",	/* the options the library gives jemalloc */
	"mod_drv_ops",	/* what a module wrapper names (sys/moddefs.h) */
	"mod_str_ops",
	"mod_misc_ops",
};

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* ---- the parent ---- */

struct symbol {
	char	type;		/* nm's letter: T, D, B... */
	char	name[128];
};

static struct symbol *syms;
static size_t nsyms;

static void
read_symbols(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[256];
	size_t cap = 0;

	if (f == NULL) {
		fprintf(stderr, "test_entry: %s: %s\n", path, strerror(errno));
		exit(99);
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		struct symbol s;

		if (sscanf(line, " %c %127s", &s.type, s.name) != 2)
			continue;
		if (nsyms == cap) {
			cap = cap != 0 ? 2 * cap : 256;
			syms = realloc(syms, cap * sizeof(*syms));
			if (syms == NULL)
				abort();
		}
		syms[nsyms++] = s;
	}
	fclose(f);
}

static const struct symbol *
symbol(const char *name)
{
	for (size_t i = 0; i < nsyms; i++)
		if (strcmp(syms[i].name, name) == 0)
			return &syms[i];
	return NULL;
}

static bool
is_function(const struct symbol *s)
{
	return s->type == 'T' || s->type == 't' || s->type == 'W' ||
	    s->type == 'i';
}

static bool
has_case(const char *name)
{
	for (size_t i = 0; i < NELEM(cases); i++)
		if (strcmp(cases[i].fn, name) == 0)
			return true;
	return false;
}

static const struct exclusion *
exclusion(const char *name)
{
	for (size_t i = 0; i < NELEM(excluded); i++)
		if (strcmp(excluded[i].fn, name) == 0)
			return &excluded[i];
	return NULL;
}

static bool
is_data_symbol(const char *name)
{
	for (size_t i = 0; i < NELEM(data_symbols); i++)
		if (strcmp(data_symbols[i], name) == 0)
			return true;
	return false;
}

/*
 * Every exported symbol has exactly one of a case, an exclusion or a
 * data entry, and every one of those names an exported symbol of its
 * kind.  Returns the number of problems, each printed.
 */
static unsigned
check_coverage(void)
{
	unsigned bad = 0;

	for (size_t i = 0; i < nsyms; i++) {
		const char *n = syms[i].name;
		int kinds = has_case(n) + (exclusion(n) != NULL) +
		    is_data_symbol(n);

		if (kinds == 0) {
			printf("FAIL exported %s has no first-call case\n", n);
			bad++;
		} else if (kinds > 1) {
			printf("FAIL %s is listed more than once (case, "
			    "exclusion, data)\n", n);
			bad++;
		} else if (is_data_symbol(n) == is_function(&syms[i])) {
			printf("FAIL %s is %s, but listed as %s\n", n,
			    is_function(&syms[i]) ? "a function" : "data",
			    is_data_symbol(n) ? "data" : "a function");
			bad++;
		}
	}
	for (size_t i = 0; i < NELEM(cases); i++)
		if (symbol(cases[i].fn) == NULL) {
			printf("FAIL case %s is not exported\n", cases[i].fn);
			bad++;
		}
	for (size_t i = 0; i < NELEM(excluded); i++) {
		if (symbol(excluded[i].fn) == NULL) {
			printf("FAIL excluded %s is not exported\n",
			    excluded[i].fn);
			bad++;
		}
		if (exclusion(excluded[i].fn) != &excluded[i]) {
			printf("FAIL %s is excluded twice\n", excluded[i].fn);
			bad++;
		}
	}
	for (size_t i = 0; i < NELEM(data_symbols); i++)
		if (symbol(data_symbols[i]) == NULL) {
			printf("FAIL data %s is not exported\n",
			    data_symbols[i]);
			bad++;
		}
	return bad;
}

/* The child: the case, then what every case must leave behind. */
static void __attribute__((noreturn))
run_child(const struct entry_case *c)
{
	unsigned long reports;

	cur = c;
	/* a case that hangs is killed, and named by the parent */
	alarm(60);
	if (c->spec != NULL)
		setenv("DDISIM_MACHINE", c->spec, 1);
	c->run();
	if (!first_checked)
		child_fail(__LINE__, "the case never checked the machine "
		    "after its first call");
	reports = ddisim_verify_count();
	if (reports != c->reports)
		child_fail(__LINE__, "%lu verifier reports, %u expected; "
		    "last: %s", reports, c->reports, ddisim_verify_last());
	if (ddisim_outstanding() != 0)
		child_fail(__LINE__, "%zu bytes still allocated",
		    ddisim_outstanding());
	fflush(stdout);
	_exit(0);
}

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Fork, run the case in the child, and judge its exit. */
static bool
run_case(const struct entry_case *c, double *ms)
{
	double t0 = now_ms();
	int status;
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		printf("FAIL %s (%s): fork: %s\n", c->fn, c->what,
		    strerror(errno));
		return false;
	}
	if (pid == 0)
		run_child(c);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			printf("FAIL %s (%s): waitpid: %s\n", c->fn, c->what,
			    strerror(errno));
			return false;
		}
	*ms = now_ms() - t0;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		printf("PASS %s: %s\n", c->fn, c->what);
		return true;
	}
	if (WIFSIGNALED(status))
		printf("FAIL %s (%s): killed by signal %d (%s)%s\n", c->fn,
		    c->what, WTERMSIG(status), strsignal(WTERMSIG(status)),
		    WTERMSIG(status) == SIGALRM ? ": it hung" : "");
	else
		printf("FAIL %s (%s): exit status %d\n", c->fn, c->what,
		    WEXITSTATUS(status));
	return false;
}

/*
 * ThreadSanitizer does not follow a lock across fork: a lock the fork
 * handlers took in the parent and released in the child still looks held
 * to it there, so every child would fail.  The other builds (plain,
 * debug, ASan+UBSan, Valgrind) run this test.
 */
#if defined(__SANITIZE_THREAD__)
#define UNDER_TSAN	1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define UNDER_TSAN	1
#endif
#endif

int
main(int argc, char **argv)
{
	unsigned passed = 0, failed = 0;
#ifdef UNDER_TSAN
	puts("test_entry: not run under ThreadSanitizer (see above main)");
	return 77;
#endif
	double total, slowest = 0, ms = 0, t0;
	const char *slow = "";

	if (argc != 2) {
		fprintf(stderr, "usage: test_entry EXPORTS\n"
		    "EXPORTS: \"TYPE NAME\" lines, as tests/entry.sh makes "
		    "them from nm -D\n");
		return 99;
	}
	/* the cases expect the default machine, and ask for any other */
	unsetenv("DDISIM_MACHINE");
	read_symbols(argv[1]);
	if (nsyms < 50) {
		printf("FAIL read only %zu exported symbols from %s\n", nsyms,
		    argv[1]);
		return 1;
	}
	failed += check_coverage();
	for (size_t i = 0; i < NELEM(excluded); i++)
		printf("excluded %s: %s\n", excluded[i].fn, excluded[i].why);
	t0 = now_ms();
	for (size_t i = 0; i < NELEM(cases); i++) {
		if (run_case(&cases[i], &ms))
			passed++;
		else
			failed++;
		if (ms > slowest) {
			slowest = ms;
			slow = cases[i].fn;
		}
	}
	total = now_ms() - t0;
	printf("first call: %zu cases in %.0f ms, slowest %s (%.1f ms)\n",
	    NELEM(cases), total, slow, slowest);
	printf("first call: %u passed, %u failed, %zu excluded\n", passed,
	    failed, NELEM(excluded));
	return failed == 0 ? 0 : 1;
}
