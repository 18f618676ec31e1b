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

DDI_PUBLIC pl_t
getpl(void)
{
	return kctx_self()->pl;
}

DDI_PUBLIC pl_t
splbase(void)
{
	return spl_set(__func__, DDI_CALLER, PLBASE);
}

DDI_PUBLIC pl_t
spltimeout(void)
{
	return spl_set(__func__, DDI_CALLER, PLTIMEOUT);
}

DDI_PUBLIC pl_t
spldisk(void)
{
	return spl_set(__func__, DDI_CALLER, PLDISK);
}

DDI_PUBLIC pl_t
splstr(void)
{
	return spl_set(__func__, DDI_CALLER, PLSTR);
}

DDI_PUBLIC pl_t
spltty(void)
{
	return spl_set(__func__, DDI_CALLER, PLTTY);
}

DDI_PUBLIC pl_t
splhi(void)
{
	return spl_set(__func__, DDI_CALLER, PLHI);
}

DDI_PUBLIC pl_t
splx(pl_t pl)
{
	return spl_set(__func__, DDI_CALLER, pl);
}

#define SPLN(n)								\
DDI_PUBLIC int								\
spl##n(void)								\
{									\
	return (int)spl_set(__func__, DDI_CALLER, PL##n);		\
}
SPLN(0)
SPLN(1)
SPLN(2)
SPLN(3)
SPLN(4)
SPLN(5)
SPLN(6)
SPLN(7)

DDI_PUBLIC unsigned
ddisim_ctx_id(void)
{
	return kctx_self()->id;
}

DDI_PUBLIC int
ddisim_ctx_signal(unsigned id)
{
	return kctx_signal(id);
}

DDI_PUBLIC unsigned
ddisim_ctx_pl(void)
{
	return kctx_self()->pl;
}

DDI_PUBLIC int
ddisim_ctx_locks_held(void)
{
	return kctx_self()->nheld;
}

DDI_PUBLIC int
ddisim_ctx_in_intr(void)
{
	return kctx_self()->intr;
}
