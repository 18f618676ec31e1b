/*
 * entry.h - the one way into the library.
 *
 * Every exported function is defined with one of the macros below; nothing
 * else in lib/ gives a function default visibility (the library is built
 * with -fvisibility=hidden), so a function that does not pass through them
 * is not exported at all.  The macros emit the exported symbol as a small
 * wrapper that
 *
 *   - for DDI_ENTRY*: makes sure a machine exists (the first DDI call of a
 *     process builds the default one, or $DDISIM_MACHINE's), then
 *   - runs the body, inlined, with DDI_FUNC set to the public name and
 *     DDI_CALLER to the return address into the caller's code.
 *
 * DDI_CONTROL* is the same without the machine check, for the control
 * calls that must work, and must not build anything, before ddisim_init:
 * ddisim_init itself, ddisim_shutdown, the verifier's counters, the console
 * buffer.
 *
 * Usage mirrors a definition; the second list names the parameters:
 *
 *	DDI_ENTRY(void *, kmem_alloc, (size_t size, int flags),
 *	    (size, flags))
 *	{
 *		... DDI_FUNC, DDI_CALLER ...
 *	}
 *
 * with _VOID forms for functions returning void, 0 forms for functions
 * without parameters, and DDI_ENTRY_VA_VOID and DDI_ENTRY_VA for a
 * variadic one (its body gets the va_list `ap').
 *
 * Building the machine is the control API's business: it registers the
 * builder with machine_boot_register() from a constructor, so this layer
 * never names it.
 */
#ifndef DDICOMPAT_MACHINE_ENTRY_H
#define DDICOMPAT_MACHINE_ENTRY_H

#include <stdarg.h>

#include "machine/machine.h"
#include "verify/verify.h"

/*
 * Build the machine for the entry point fn, called from caller.  Runs the
 * registered builder once; aborts with a diagnostic if it fails (a bad
 * $DDISIM_MACHINE), as there is no way to report failure to a DDI caller.
 */
void	machine_boot(const char *fn, const void *caller);

/* The builder: 0 or an errno, with a message in err. */
typedef int (*machine_boot_fn)(const char *fn, const void *caller,
    char *err, size_t errlen);
void	machine_boot_register(machine_boot_fn);

/*
 * The doorbell: set while device register windows exist (ddisim_mmio(3)),
 * run at every DDI entry so that the stores a driver made to them reach
 * their models before the call, and its loads after it see the models'
 * state.
 */
typedef void (*machine_doorbell_fn)(const char *fn, const void *caller);
extern DDI_HIDDEN machine_doorbell_fn machine_doorbell;

/*
 * True while a machine exists and no doorbell rings: what the hot entry
 * points test, in one load.  machine_entry_update recomputes it after
 * every store to machine or machine_doorbell.
 */
extern DDI_HIDDEN bool machine_quiet;
void	machine_entry_update(void);

static inline bool
machine_entered(void)
{
	return __atomic_load_n(&machine_quiet, __ATOMIC_ACQUIRE);
}

static inline void
machine_enter(const char *fn, const void *caller)
{
	machine_doorbell_fn db;

	/* the common case, a machine and no doorbell, in one load */
	if (likely(machine_entered()))
		return;
	if (unlikely(__atomic_load_n(&machine, __ATOMIC_ACQUIRE) == NULL))
		machine_boot(fn, caller);
	db = __atomic_load_n(&machine_doorbell, __ATOMIC_ACQUIRE);
	if (unlikely(db != NULL))
		db(fn, caller);
}

/* Inside an entry body: the public name, and the caller's return address. */
#define DDI_FUNC	ddi_func_
#define DDI_CALLER	ddi_caller_

#define DDI_VISIBLE	__attribute__((visibility("default")))
#define DDI_BODY_	static inline __attribute__((always_inline))
#define DDI_UNPAREN_(...)	__VA_ARGS__
#define DDI_GATE_1(fn, caller)	machine_enter(fn, caller)
#define DDI_GATE_0(fn, caller)	((void)0)

#define DDI_EXPORT_(gate, ret, ret_kw, name, params, bparams, bargs)	\
	DDI_BODY_ ret name##__body bparams;				\
	DDI_VISIBLE ret name params					\
	{								\
		gate(#name, __builtin_return_address(0));		\
		ret_kw name##__body bargs;				\
	}								\
	DDI_BODY_ ret name##__body bparams

#define DDI_BP_(p)	(const char *ddi_func_, const void *ddi_caller_,	\
	    DDI_UNPAREN_ p)
#define DDI_BA_(n, a)	(#n, __builtin_return_address(0), DDI_UNPAREN_ a)
#define DDI_BP0_	(const char *ddi_func_, const void *ddi_caller_)
#define DDI_BA0_(n)	(#n, __builtin_return_address(0))

#define DDI_ENTRY(ret, name, params, args)				\
	DDI_EXPORT_(DDI_GATE_1, ret, return, name, params, DDI_BP_(params), \
	    DDI_BA_(name, args))
#define DDI_ENTRY_VOID(name, params, args)				\
	DDI_EXPORT_(DDI_GATE_1, void, , name, params, DDI_BP_(params),	\
	    DDI_BA_(name, args))
#define DDI_ENTRY0(ret, name)						\
	DDI_EXPORT_(DDI_GATE_1, ret, return, name, (void), DDI_BP0_,	\
	    DDI_BA0_(name))
#define DDI_ENTRY0_VOID(name)						\
	DDI_EXPORT_(DDI_GATE_1, void, , name, (void), DDI_BP0_,		\
	    DDI_BA0_(name))

#define DDI_CONTROL(ret, name, params, args)				\
	DDI_EXPORT_(DDI_GATE_0, ret, return, name, params, DDI_BP_(params), \
	    DDI_BA_(name, args))
#define DDI_CONTROL_VOID(name, params, args)				\
	DDI_EXPORT_(DDI_GATE_0, void, , name, params, DDI_BP_(params),	\
	    DDI_BA_(name, args))
#define DDI_CONTROL0(ret, name)						\
	DDI_EXPORT_(DDI_GATE_0, ret, return, name, (void), DDI_BP0_,	\
	    DDI_BA0_(name))
#define DDI_CONTROL0_VOID(name)						\
	DDI_EXPORT_(DDI_GATE_0, void, , name, (void), DDI_BP0_,		\
	    DDI_BA0_(name))

/*
 * The same as DDI_ENTRY and DDI_ENTRY_VOID for the few entry points whose
 * fast path must run without a stack frame (kmem_alloc and kmem_free and
 * their kin): the wrapper only tests that the machine exists and that no
 * doorbell rings, and otherwise tail-calls a cold copy that runs the gate
 * first.  The body is inlined in both, so both are as the plain forms.
 */

#define DDI_ENTRY_HOT(ret, name, params, args)				\
	DDI_BODY_ ret name##__body DDI_BP_(params);			\
	static __attribute__((noinline, cold)) ret			\
	name##__gate(const void *ddi_gcaller_, DDI_UNPAREN_ params)	\
	{								\
		machine_enter(#name, ddi_gcaller_);			\
		return name##__body(#name, ddi_gcaller_,		\
		    DDI_UNPAREN_ args);					\
	}								\
	DDI_VISIBLE ret name params					\
	{								\
		if (unlikely(!machine_entered()))			\
			return name##__gate(				\
			    __builtin_return_address(0),		\
			    DDI_UNPAREN_ args);				\
		return name##__body DDI_BA_(name, args);		\
	}								\
	DDI_BODY_ ret name##__body DDI_BP_(params)

#define DDI_ENTRY_HOT_VOID(name, params, args)				\
	DDI_BODY_ void name##__body DDI_BP_(params);			\
	static __attribute__((noinline, cold)) void			\
	name##__gate(const void *ddi_gcaller_, DDI_UNPAREN_ params)	\
	{								\
		machine_enter(#name, ddi_gcaller_);			\
		name##__body(#name, ddi_gcaller_, DDI_UNPAREN_ args);	\
	}								\
	DDI_VISIBLE void name params					\
	{								\
		if (unlikely(!machine_entered())) {			\
			name##__gate(__builtin_return_address(0),	\
			    DDI_UNPAREN_ args);				\
			return;						\
		}							\
		name##__body DDI_BA_(name, args);			\
	}								\
	DDI_BODY_ void name##__body DDI_BP_(params)

/* params without the `...'; last is the last named one. */
#define DDI_ENTRY_VA_VOID(name, params, args, last)			\
	DDI_BODY_ void name##__body(const char *ddi_func_,		\
	    const void *ddi_caller_, DDI_UNPAREN_ params, va_list ap);	\
	DDI_VISIBLE void name(DDI_UNPAREN_ params, ...)			\
	{								\
		va_list ap;						\
									\
		machine_enter(#name, __builtin_return_address(0));	\
		va_start(ap, last);					\
		name##__body(#name, __builtin_return_address(0),	\
		    DDI_UNPAREN_ args, ap);				\
		va_end(ap);						\
	}								\
	DDI_BODY_ void name##__body(const char *ddi_func_,		\
	    const void *ddi_caller_, DDI_UNPAREN_ params, va_list ap)

#define DDI_ENTRY_VA(ret, name, params, args, last)			\
	DDI_BODY_ ret name##__body(const char *ddi_func_,		\
	    const void *ddi_caller_, DDI_UNPAREN_ params, va_list ap);	\
	DDI_VISIBLE ret name(DDI_UNPAREN_ params, ...)			\
	{								\
		va_list ap;						\
		ret r_;							\
									\
		machine_enter(#name, __builtin_return_address(0));	\
		va_start(ap, last);					\
		r_ = name##__body(#name, __builtin_return_address(0),	\
		    DDI_UNPAREN_ args, ap);				\
		va_end(ap);						\
		return r_;						\
	}								\
	DDI_BODY_ ret name##__body(const char *ddi_func_,		\
	    const void *ddi_caller_, DDI_UNPAREN_ params, va_list ap)

/* An exported object (a variable the legacy headers declare). */
#define DDI_PUBLIC_DATA	DDI_VISIBLE

#endif /* DDICOMPAT_MACHINE_ENTRY_H */
