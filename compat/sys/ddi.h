/*
 * sys/ddi.h - DDI/ODDI kernel functions.  Include it last, as the DDI asks.
 *
 * Under the DDI, ptob, btop and btopr are functions (they answer with the
 * simulated machine's page size), not the kernel's macros.
 */
#ifndef DDICOMPAT_SYS_DDI_H
#define DDICOMPAT_SYS_DDI_H

#include <stddef.h>
#include <strings.h>	/* bcopy, bzero, bcmp: the host's, same semantics */
#include <sys/types.h>
#include <sys/param.h>
#include <sys/ipl.h>
/* As the original: a driver that includes only this header has these. */
#include <sys/uio.h>
#include <sys/buf.h>
#include <sys/ksynch.h>
/* ---- DDI 8 configuration and inter-driver calls (drv_attach(9)) ---- */
#if __DDI_AT_LEAST(80)
#include <sys/conf.h>
#endif
/* ---- end of DDI 8 configuration ---- */

__DDI_BEGIN_DECLS

#undef min
#undef max
uint_t	min(uint_t, uint_t);
uint_t	max(uint_t, uint_t);

/* Device numbers: DDI 8 drivers have channels instead. */
#if __DDI_ODDI || __DDI_AT_MOST(72)
major_t	getmajor(dev_t);
minor_t	getminor(dev_t);
major_t	getemajor(dev_t);
minor_t	geteminor(dev_t);
dev_t	makedevice(major_t, minor_t);
#endif

/*
 * Priority levels: spl(D3), and the ODDI spl0 ... spl7.  DDI 5 to 7.2
 * keep spl0 and spl7 as splbase and splhi; DDI 5 and 6, not at their
 * strict level, spl1, spl4, spl5, spl6 and splvm as the levels of the
 * same numbers (splvm is spl6).  DDI 8mp drivers have getpl only.
 */
pl_t	getpl(void);
#if __DDI_ODDI
int	spl0(void);
int	spl1(void);
int	spl2(void);
int	spl3(void);
int	spl4(void);
int	spl5(void);
int	spl6(void);
int	spl7(void);
int	splhi(void);
int	splstr(void);
int	spltty(void);
int	splx(int);
#elif !(__DDI_AT_LEAST(80) && __DDI_MP)
pl_t	splbase(void);
pl_t	spltimeout(void);
pl_t	spldisk(void);
pl_t	splstr(void);
pl_t	spltty(void);
pl_t	splhi(void);
pl_t	splx(pl_t);
#endif
#if __DDI_BETWEEN(50, 72)
pl_t	spl0(void) __DDI_ENTRY(splbase);
pl_t	spl7(void) __DDI_ENTRY(splhi);
#endif
#if __DDI_BETWEEN(50, 60) && !__DDI_STRICT
pl_t	spl1(void) __DDI_ENTRY(_Compat_spl1);
pl_t	spl4(void) __DDI_ENTRY(_Compat_spl4);
pl_t	spl5(void) __DDI_ENTRY(_Compat_spl5);
pl_t	spl6(void) __DDI_ENTRY(_Compat_spl6);
pl_t	splvm(void) __DDI_ENTRY(_Compat_spl6);
#endif

/*
 * ODDI sleep and wakeup (also DDI 1 to 6).  The library's symbol is not
 * "sleep", which is the C library's.  In C a file cannot include both
 * this header and <unistd.h>, as in the kernel; in C++ the two overload.
 */
#define PZERO		25	/* below: signals do not interrupt */
#define PCATCH		0x100	/* return 1 when a signal interrupts */
#define PRIBIO		20
#define PSLEP		39
#if (__DDI_ODDI || __DDI_AT_MOST(60)) && !__DDI_MP
#ifdef __cplusplus
int	_Compat_sleep(caddr_t, int);
extern "C++" inline int
sleep(caddr_t chan, int pri)
{
	return _Compat_sleep(chan, pri);
}
#else
int	sleep(caddr_t, int) __DDI_ENTRY(_Compat_sleep);
#endif
#endif
#if __DDI_ODDI || __DDI_AT_MOST(60)
void	wakeup(caddr_t);
#endif

/* Port I/O.  Counts of the rep forms are in items, not bytes. */
uchar_t	inb(int);
ushort_t inw(int);
ulong_t	inl(int);
void	outb(int, uchar_t);
void	outw(int, ushort_t);
void	outl(int, ulong_t);
void	repinsb(int, uchar_t *, int);
void	repinsw(int, ushort_t *, int);
void	repinsd(int, ulong_t *, int);
void	repoutsb(int, uchar_t *, int);
void	repoutsw(int, ushort_t *, int);
void	repoutsd(int, ulong_t *, int);

/* Time: drv_getparm(D3) and friends. */
#define HZ		100	/* clock ticks a second; use drv_usectohz */
#define LBOLT		1	/* clock_t: ticks since boot */
#define TIME		2	/* time_t: seconds since the epoch */
#define UPROCP		3	/* proc_t *: the calling process, or NULL */
#define UCRED		4	/* cred_t *: its credentials, or NULL */
#define PPGRP		5	/* pid_t: its process group */
#define PPID		6	/* pid_t: its process ID */
#define PSID		7	/* pid_t: its session */
#define SYSCRED		8	/* cred_t *: the system's credentials */
#define STRMSGSIZE	9	/* size_t: largest STREAMS message */
#define DRV_MAXBIOSIZE	10	/* size_t: largest single transfer */
#define HW_PROVIDER	11	/* char *: the platform's name */

#define SYSRINT		1	/* drv_setparm counters */
#define SYSXINT		2
#define SYSMINT		3
#define SYSRAWC		4
#define SYSCANC		5
#define SYSOUTC		6

extern clock_t	lbolt;		/* ticks since boot; DDI drivers use LBOLT */

int	drv_getparm(ulong_t, void *);
int	drv_setparm(ulong_t, ulong_t);
clock_t	drv_hztousec(clock_t);
clock_t	drv_usectohz(clock_t);
void	drv_usecwait(clock_t);
void	delay(long);

/* Timeouts.  TO_PERIODIC in itimeout's ticks repeats the callback. */
#define TO_PERIODIC	0x40000000L
#ifdef __cplusplus
typedef void	(*__ddi_tofn_t)(void *);
#else
/* Unprototyped on purpose: drivers pass functions of any argument type. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wstrict-prototypes"
typedef void	(*__ddi_tofn_t)();
#pragma GCC diagnostic pop
#endif
#if __DDI_ODDI || __DDI_AT_MOST(60)
toid_t	timeout(__ddi_tofn_t, void *, long);
#endif
#if __DDI_AT_LEAST(50)
toid_t	itimeout(__ddi_tofn_t, void *, long, pl_t);
#endif
#if __DDI_BETWEEN(50, 72)
toid_t	dtimeout(__ddi_tofn_t, void *, long, pl_t, int);
#endif
void	untimeout(toid_t);

/*
 * Interrupts.  DDI 8 handlers take the instance pointer and say whether
 * their device interrupted; DDI 5 to 7 handlers take the vector.  The key
 * comes from the resource manager (ddisim_intr_key in tests).
 */
#define ISTAT_ASSERTED	0	/* the device interrupted */
#define ISTAT_ASSUMED	1	/* cannot tell; assume it did */
#define ISTAT_NONE	2	/* not this device */
struct drvinfo;
/*
 * The DDI 8 handler takes the idata pointer as the driver's own type:
 * unprototyped in C so that such a handler needs no cast, as in the
 * original.
 */
#ifdef __cplusplus
typedef int	(*__ddi_intrfn_t)(void *);
#else
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wstrict-prototypes"
typedef int	(*__ddi_intrfn_t)();
#pragma GCC diagnostic pop
#endif
#if __DDI_AT_LEAST(80)
int	cm_intr_attach(rm_key_t, __ddi_intrfn_t, void *, struct drvinfo *,
	    void **);
#elif __DDI_AT_LEAST(50)
int	cm_intr_attach(rm_key_t, void (*)(int), int *, void **)
	    __DDI_ENTRY(_Compat_cm_intr_attach5);
#endif
#if __DDI_AT_LEAST(50)
void	cm_intr_detach(void *);
#endif

#undef ptob
#undef btop
#undef btopr
ulong_t	ptob(ulong_t);
ulong_t	btop(ulong_t);
ulong_t	btopr(ulong_t);

/* Address translation. */
#if __DDI_ODDI || __DDI_AT_MOST(72)
paddr_t	vtop(caddr_t, proc_t *);
#endif
#if __DDI_AT_LEAST(30) && !__DDI_BETWEEN(40, 49)
ppid_t	kvtoppid(caddr_t);
#endif
#if __DDI_BETWEEN(50, 71)
ppid_t	phystoppid(paddr_t);
paddr_t	pptophys(ppid_t);
#endif

/*
 * Strings (string(9)): the C library's, declared here as the DDI had
 * them, strchr and strtoul for DDI 8 only; numtos is the library's.  In
 * C++ the C library's headers declare them, with their overloads.
 */
#ifdef __cplusplus
__DDI_END_DECLS
#include <string.h>
#if __DDI_AT_LEAST(80)
#include <stdlib.h>
#endif
__DDI_BEGIN_DECLS
#else
char	*strcat(char *, const char *);
int	 strcmp(const char *, const char *);
char	*strcpy(char *, const char *);
size_t	 strlen(const char *);
char	*strncat(char *, const char *, size_t);
int	 strncmp(const char *, const char *, size_t);
char	*strncpy(char *, const char *, size_t);
#if __DDI_AT_LEAST(80)
char	*strchr(const char *, int);
unsigned long strtoul(const char *, char **, int);
#endif
#endif
#if __DDI_AT_LEAST(80)
char	*numtos(ulong_t, char *);
#endif

/*
 * printf(9): the C library's, so a driver's messages go to standard
 * output; cmn_err(9) is the call that reaches the simulated console.
 */
int	printf(const char *, ...) __attribute__((__format__(__printf__, 1, 2)));

/* Overlapping copies: ovbcopy(9). */
#if !__DDI_ODDI
void	ovbcopy(const void *, void *, size_t);
#endif

/* The clock in ticks, DDI 8: TICKS(9). */
#if __DDI_AT_LEAST(80)
clock_t	TICKS(void);
#endif

/* Physical memory in bytes, DDI 5 (not strict): totalmem(9). */
#if __DDI_BETWEEN(50, 50) && !__DDI_STRICT
extern ulong_t totalmem;
#endif

/* The end of the system: panic(9), up to DDI 6 (not strict) and ODDI. */
#if __DDI_ODDI || (__DDI_AT_MOST(60) && !__DDI_STRICT)
void	panic(const char *, ...) __DDI_ENTRY(_Compat_panic)
	    __attribute__((__noreturn__, __format__(__printf__, 1, 2)));
#endif

/* Credentials (sys/cred.h): drv_priv(9). */
#if !__DDI_ODDI
struct cred;
int	drv_priv(struct cred *);
#endif

/*
 * Access to the calling process's user memory (copyin(9), fubyte(9)):
 * 0 on success, -1 when a user address is not mapped.  useracc binds to
 * the library's _Compat_useracc, as the original's did.  The byte and
 * word forms are gone from DDI 7.
 */
int	copyin(const void *, void *, size_t);
int	copyout(const void *, void *, size_t);
#if (__DDI_ODDI || __DDI_AT_MOST(60)) && !__DDI_STRICT
int	fubyte(char *);
int	fuword(int *);
int	subyte(char *, char);
int	suword(int *, int);
int	useracc(caddr_t, uint_t, int) __DDI_ENTRY(_Compat_useracc);
#endif

/* ---- Processes, polling and miscellany (proc_ref(9), phalloc(9)) ---- */
#include <sys/f_ddi.h>
#if !__DDI_ODDI
void	*proc_ref(void);
void	proc_unref(void *);
int	proc_signal(void *, int);
#endif
#if __DDI_AT_LEAST(50)
boolean_t proc_valid(void *);
#endif
#if __DDI_AT_MOST(72)
int	etoimajor(major_t);
int	itoemajor(major_t, int);
#endif
#if __DDI_AT_LEAST(80)
typedef struct __ddi_kthread *kthread_id_t;
int	kthread_spawn(void (*)(void *), void *, const char *, kthread_id_t *);
void	kthread_exit(void);
int	kthread_wait(kthread_id_t);
char	*bs_getval(const char *);
void	call_demon(void);
#endif
/* ---- end of processes, polling and miscellany ---- */

/* ---- Device memory (physmap(9), devmem_mapin(9), drv_mmap(9)) ---- */
#if __DDI_BETWEEN(50, 72)
void	*physmap(paddr_t, ulong_t, uint_t);
void	physmap_free(void *, ulong_t, uint_t);
int	drv_mmap(vaddr_t, paddr_t, size_t, vaddr_t *, uint_t, uint_t, uint_t);
#endif
#if __DDI_BETWEEN(50, 80)
vaddr_t	physmap1(paddr_t, paddr_t *);
void	drv_munmap(vaddr_t, size_t);
#endif
#if __DDI_BETWEEN(50, 60) && !__DDI_STRICT
struct page;
paddr_t	kvtophys(caddr_t) __DDI_ENTRY(_Compat_kvtophys);
uint_t	hat_getkpfnum(caddr_t) __DDI_ENTRY(_Compat_hat_getkpfnum);
uint_t	hat_getppfnum(paddr_t, uint_t) __DDI_ENTRY(_Compat_hat_getppfnum);
struct page *page_numtopp(uint_t);
uint_t	page_pptonum(struct page *);
void	rdma_filter(void (*)(buf_t *), buf_t *)
	    __DDI_ENTRY(_Compat_rdma_filter);
#endif
#if __DDI_AT_LEAST(80)
void	*devmem_mapin(rm_key_t, uint_t, size_t, size_t);
void	devmem_mapout(void *, size_t);
int	devmem_size(rm_key_t, uint_t, size_t *);
ppid_t	devmem_ppid(rm_key_t, uint_t, size_t);
#endif
/* ---- end of device memory ---- */

__DDI_END_DECLS

#endif /* DDICOMPAT_SYS_DDI_H */
