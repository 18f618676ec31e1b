/*
 * verify.h - the one reporting path for misuse, and integrity checks.
 *
 * verify_report() is how every layer says "the caller did something a debug
 * kernel would panic on".  What happens next is the machine's verify=
 * policy.  VERIFY() is different: it guards the library's own invariants, is
 * always compiled in, and always aborts.
 */
#ifndef DDICOMPAT_VERIFY_H
#define DDICOMPAT_VERIFY_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "ddicompat/ddisim.h"
#include "util/cdefs.h"

#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)

#ifdef DDICOMPAT_DEBUG
static const bool config_debug = true;
#else
static const bool config_debug = false;
#endif

/* The longest report, with its NUL (ddisim_verify(3) promises 511). */
#define VERIFY_REPORT_MAX	512

/* Report misuse by the caller of the public function func. */
void	verify_report(const char *func, const void *caller, const char *fmt,
	    ...) __attribute__((format(printf, 3, 4)));

/* Abort on a broken internal invariant. */
_Noreturn void verify_panic(const char *file, int line, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

/*
 * Symbolic name of a code address (a caller's return address, or a
 * function): "func (file.c:123)", else "func+0x1c" or "module+0x4a0"
 * (symbolize.c).
 */
void	verify_symbolize(const void *pc, char *buf, size_t len);

void	verify_set_policy(enum ddisim_verify_policy);
enum ddisim_verify_policy verify_policy(void);

/* The count and the last report, for the control API. */
unsigned long verify_count(void);
void	verify_last_copy(char buf[VERIFY_REPORT_MAX]);
void	verify_reset(void);

/*
 * Context check for blocking calls.  The kernel-environment layer registers
 * a predicate telling whether the calling thread may block (not at
 * interrupt level, no basic lock held); allocators call verify_may_block()
 * before they wait.  Without a registered predicate every thread is in base
 * context, which is what a plain test thread is.
 */
typedef bool (*verify_block_fn)(const char **why);
void	verify_block_register(verify_block_fn);
bool	verify_may_block_slow(const char *func, const void *caller);

/*
 * Set by that layer, for the calling thread, whenever its context may
 * forbid blocking (an interrupt level, a lock held, a raised level), so
 * that the common case costs one thread-local load.  The predicate has
 * the last word.
 */
extern DDI_HIDDEN DDI_TLS bool verify_ctx_raised;

static inline bool
verify_may_block(const char *func, const void *caller)
{
	if (likely(!verify_ctx_raised))
		return true;
	return verify_may_block_slow(func, caller);
}

#define VERIFY(c) do {							\
	if (unlikely(!(c)))						\
		verify_panic(__FILE__, __LINE__, "VERIFY(%s) failed", #c); \
} while (0)

#define VERIFY3_IMPL(a, op, b, type, fmt) do {				\
	const type va_ = (type)(a);					\
	const type vb_ = (type)(b);					\
	if (unlikely(!(va_ op vb_)))					\
		verify_panic(__FILE__, __LINE__,			\
		    "VERIFY3(%s %s %s) failed (" fmt " %s " fmt ")",	\
		    #a, #op, #b, va_, #op, vb_);			\
} while (0)
#define VERIFY3U(a, op, b)	VERIFY3_IMPL(a, op, b, unsigned long long, "%#llx")
#define VERIFY3S(a, op, b)	VERIFY3_IMPL(a, op, b, long long, "%lld")
#define VERIFY3P(a, op, b)	VERIFY3_IMPL(a, op, b, unsigned long, "%#lx")

#define ASSERT(c)		do { if (config_debug) VERIFY(c); } while (0)
#define ASSERT3U(a, op, b)	do { if (config_debug) VERIFY3U(a, op, b); } while (0)

/*
 * Leak reports scoped to one driver (the driver host's unload): while a
 * thread has a scope set, every leak report it makes counts and lists
 * only what mine(caller, arg) says is the driver's, caller being the code
 * that made it (a streamtab's address for a stream).  Without a scope
 * everything counts.
 */
typedef bool (*verify_scope_fn)(const void *caller, void *arg);
void	verify_leak_scope(verify_scope_fn mine, void *arg);
bool	verify_leak_mine(const void *caller);

#endif /* DDICOMPAT_VERIFY_H */
