/*
 * spl.c - setting the priority level: spl(9), the ODDI spl0 ... spl7, and
 * the calling context's state for tests (ddisim_ctx(3)).
 *
 * An spl call sets the level, up or down, and returns the old one.  It
 * may not drop below the level of a spin lock the context holds, nor, in
 * an interrupt handler, below the handler's own level: both would let in
 * the interrupts the driver meant to keep out.  Such a call is reported
 * and the level is set as low as is safe instead.  UNLOCK and RW_UNLOCK
 * set the level they are given under the same rule (spl_set_checked).
 */
#include "config.h"

#include "machine/entry.h"
#include "verify/verify.h"
#include "kern/ctx.h"
#include "kern/kern.h"

#include "sys/ddi.h"
#include "exports.h"

/*
 * The lowest level the calling context may set: the highest level of a
 * spin lock it holds, and in an interrupt handler the handler's own level.
 * *who says which of them sets it.
 */
pl_t
spl_floor(const struct kctx *k, const char **who)
{
	pl_t floor = k->intr > 0 ? k->frame_pl : PLBASE;

	*who = "the interrupt handler";
	for (int i = 0; i < k->nheld; i++)
		if (k->held[i].pl > floor) {
			floor = k->held[i].pl;
			*who = "a lock still held";
		}
	return floor;
}

/*
 * Set the level to pl for func, but not below the floor: a lower pl is
 * reported and the floor set instead.  Returns the previous level.
 */
pl_t
spl_set_checked(const char *func, const void *caller, pl_t pl)
{
	struct kctx *k = kctx_self();
	const char *who;
	pl_t floor = spl_floor(k, &who);

	if (pl < floor) {
		verify_report(func, caller, "level %u is below %u, which %s "
		    "needs", pl, floor, who);
		pl = floor;
	}
	return kctx_setpl(pl);
}

static pl_t
spl_set(const char *func, const void *caller, pl_t pl)
{
	if (!pl_valid(pl)) {
		verify_report(func, caller, "%u is not a priority level", pl);
		return kctx_self()->pl;
	}
	return spl_set_checked(func, caller, pl);
}

DDI_ENTRY0(pl_t, getpl)
{
	return kctx_self()->pl;
}

/* The named levels: each sets its level and returns the previous one. */
#define SPL_NAMED(name, level)						\
DDI_ENTRY0(pl_t, name)							\
{									\
	return spl_set(DDI_FUNC, DDI_CALLER, level);			\
}
SPL_NAMED(splbase, PLBASE)
SPL_NAMED(spltimeout, PLTIMEOUT)
SPL_NAMED(spldisk, PLDISK)
SPL_NAMED(splstr, PLSTR)
SPL_NAMED(spltty, PLTTY)
SPL_NAMED(splhi, PLHI)

DDI_ENTRY(pl_t, splx, (pl_t pl), (pl))
{
	return spl_set(DDI_FUNC, DDI_CALLER, pl);
}

#define SPLN(n)								\
DDI_ENTRY0(int, spl##n)							\
{									\
	return (int)spl_set(DDI_FUNC, DDI_CALLER, PL##n);		\
}
SPLN(0)
SPLN(1)
SPLN(2)
SPLN(3)
SPLN(4)
SPLN(5)
SPLN(6)
SPLN(7)

/*
 * DDI 5 and 6 (not strict): spl1, spl4, spl5, spl6 and splvm (spl6),
 * which answer with the previous level as a pl_t.
 */
#define SPLN_COMPAT(n, name)						\
DDI_ENTRY0(pl_t, _Compat_spl##n)					\
{									\
	return spl_set(name, DDI_CALLER, PL##n);			\
}
SPLN_COMPAT(1, "spl1")
SPLN_COMPAT(4, "spl4")
SPLN_COMPAT(5, "spl5")
SPLN_COMPAT(6, "spl6")

DDI_ENTRY0(unsigned, ddisim_ctx_id)
{
	return kctx_self()->id;
}

DDI_ENTRY(int, ddisim_ctx_signal, (unsigned id), (id))
{
	return kctx_signal(id);
}

DDI_ENTRY0(unsigned, ddisim_ctx_pl)
{
	return kctx_self()->pl;
}

DDI_ENTRY0(int, ddisim_ctx_locks_held)
{
	return kctx_self()->nheld;
}

DDI_ENTRY0(int, ddisim_ctx_in_intr)
{
	return kctx_self()->intr;
}
