/*
 * atomic.c - atomic counters (ATOMIC_INT(9)) and KS_HOLD0LOCKS.
 *
 * A counter is an atomic_int_t of <sys/ksynch.h>: one the library
 * allocates from kernel memory (a leak is reported at shutdown under the
 * kind ATOMIC_INT_ALLOC), or one the driver declares and sets up with
 * ATOMIC_INT_INIT.  Its state word says which, or that it was
 * deallocated; every call checks it, so a counter used before its
 * ATOMIC_INT_INIT, after its ATOMIC_INT_DEALLOC, or deallocated although
 * the library did not allocate it, is reported and left alone.  The value
 * is changed with the host's atomic operations, sequentially consistent.
 */
#include "config.h"

#include <stdint.h>

#include "machine/entry.h"
#include "verify/verify.h"
#include "kmem/kmem_obj.h"
#include "kern/ctx.h"

#include "sys/kmem.h"
#include "sys/ksynch.h"
#include "sys/ddi.h"

#define AI_ALLOCATED	0x41544f4du	/* "ATOM": from ATOMIC_INT_ALLOC */
#define AI_INITED	0x41544f49u	/* "ATOI": the driver's, initialised */
#define AI_FREED	0xdeadc0deu	/* deallocated */

static const struct kcons ai_cons = { .high = UINT64_MAX, .align = 16 };

/* Whether c is a counter in use; reports for func if not. */
static bool
ai_valid(const char *func, const void *caller, atomic_int_t *c)
{
	unsigned st;

	if (unlikely(c == NULL)) {
		verify_report(func, caller, "NULL counter");
		return false;
	}
	st = __atomic_load_n(&c->__ai_state, __ATOMIC_ACQUIRE);
	if (likely(st == AI_ALLOCATED || st == AI_INITED))
		return true;
	if (st == AI_FREED)
		verify_report(func, caller, "counter %p was deallocated",
		    (void *)c);
	else
		verify_report(func, caller, "counter %p was never allocated "
		    "or initialised", (void *)c);
	return false;
}

DDI_ENTRY(atomic_int_t *, ATOMIC_INT_ALLOC, (int flag), (flag))
{
	const void *caller = DDI_CALLER;
	atomic_int_t *c;

	if (!kmem_flags_ok(flag, KM_NOSLEEP, DDI_FUNC, caller))
		return NULL;
	c = kmem_obj_alloc(sizeof(*c), &ai_cons, flag, KK_ATOMIC, DDI_FUNC,
	    caller);
	if (c == NULL)
		return NULL;
	c->__ai_value = 0;
	__atomic_store_n(&c->__ai_state, AI_ALLOCATED, __ATOMIC_RELEASE);
	return c;
}

DDI_ENTRY_VOID(ATOMIC_INT_DEALLOC, (atomic_int_t *c), (c))
{
	const void *caller = DDI_CALLER;
	unsigned st = AI_ALLOCATED;

	if (!ai_valid(DDI_FUNC, caller, c))
		return;
	/* only one of two racing deallocations frees it */
	if (!__atomic_compare_exchange_n(&c->__ai_state, &st, AI_FREED, false,
	    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		if (st == AI_INITED)
			verify_report(DDI_FUNC, caller, "counter %p was not "
			    "allocated by ATOMIC_INT_ALLOC", (void *)c);
		else
			(void)ai_valid(DDI_FUNC, caller, c);
		return;
	}
	kmem_obj_free(c, sizeof(*c), KK_ATOMIC, DDI_FUNC, caller);
}

/*
 * A counter of the driver's own is set up; one from ATOMIC_INT_ALLOC is
 * only given the value.
 */
DDI_ENTRY_VOID(ATOMIC_INT_INIT, (atomic_int_t *c, int value), (c, value))
{
	if (c == NULL) {
		verify_report(DDI_FUNC, DDI_CALLER, "NULL counter");
		return;
	}
	if (__atomic_load_n(&c->__ai_state, __ATOMIC_ACQUIRE) == AI_FREED) {
		verify_report(DDI_FUNC, DDI_CALLER, "counter %p was "
		    "deallocated", (void *)c);
		return;
	}
	__atomic_store_n(&c->__ai_value, value, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&c->__ai_state, __ATOMIC_ACQUIRE) != AI_ALLOCATED)
		__atomic_store_n(&c->__ai_state, AI_INITED, __ATOMIC_RELEASE);
}

DDI_ENTRY(int, ATOMIC_INT_READ, (atomic_int_t *c), (c))
{
	if (!ai_valid(DDI_FUNC, DDI_CALLER, c))
		return 0;
	return __atomic_load_n(&c->__ai_value, __ATOMIC_SEQ_CST);
}

DDI_ENTRY_VOID(ATOMIC_INT_WRITE, (atomic_int_t *c, int value), (c, value))
{
	if (ai_valid(DDI_FUNC, DDI_CALLER, c))
		__atomic_store_n(&c->__ai_value, value, __ATOMIC_SEQ_CST);
}

/* Wrapping as the i386's add did, without C's signed overflow. */
static int
ai_add(atomic_int_t *c, int delta)
{
	unsigned *v = (unsigned *)&c->__ai_value;

	return (int)__atomic_add_fetch(v, (unsigned)delta, __ATOMIC_SEQ_CST);
}

DDI_ENTRY_VOID(ATOMIC_INT_ADD, (atomic_int_t *c, int value), (c, value))
{
	if (ai_valid(DDI_FUNC, DDI_CALLER, c))
		(void)ai_add(c, value);
}

DDI_ENTRY_VOID(ATOMIC_INT_SUB, (atomic_int_t *c, int value), (c, value))
{
	if (ai_valid(DDI_FUNC, DDI_CALLER, c))
		(void)ai_add(c, (int)(0u - (unsigned)value));
}

DDI_ENTRY_VOID(ATOMIC_INT_INCR, (atomic_int_t *c), (c))
{
	if (ai_valid(DDI_FUNC, DDI_CALLER, c))
		(void)ai_add(c, 1);
}

/* B_TRUE when the decrement brought the counter to 0. */
DDI_ENTRY(boolean_t, ATOMIC_INT_DECR, (atomic_int_t *c), (c))
{
	if (!ai_valid(DDI_FUNC, DDI_CALLER, c))
		return B_FALSE;
	return ai_add(c, -1) == 0 ? B_TRUE : B_FALSE;
}

DDI_ENTRY0(boolean_t, KS_HOLD0LOCKS)
{
	return kctx_self()->nheld == 0 ? B_TRUE : B_FALSE;
}
