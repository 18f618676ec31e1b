/*
 * callback.c - drv_callback(9) and drv_shutdown(9): handlers for the
 * machine's exceptional events, and a driver's request to shut down.
 *
 * Handlers are kept on one list per event, the latest first, as the
 * original prepended them.  A test raises an event with
 * ddisim_callback_raise; NMI and machine-check handlers run at PLHI in
 * the raising thread (blocking in one is reported), and their answers
 * are weighed as the original weighed them: a fatal answer or a bus
 * timeout panics, a reboot request becomes drv_shutdown(SD_SOFT,
 * AD_BOOT), and an NMI that no handler recognizes panics.  A panic is
 * the console message and a verifier report, as cmn_err(CE_PANIC).
 *
 * drv_shutdown cannot stop the test that owns the machine: it prints
 * what the system would do and records the request for
 * ddisim_shutdown_requests.
 *
 * The records are host memory, so that a driver's handlers still
 * attached at shutdown are listed by callback_leak_report and then
 * dropped.  Locking: cb_lock guards the lists and the requests; no
 * handler runs under it (the list is copied first).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "util/forklock.h"
#include "machine/entry.h"
#include "verify/verify.h"
#include "kern/ctx.h"
#include "kern/kern.h"

#include "exports.h"
#include "sys/types.h"
#include "sys/cmn_err.h"
#include "sys/uadmin.h"
#include "sys/ddi.h"

enum cb_event { CB_NMI, CB_WATCHDOG, CB_POWERDOWN, CB_MCA, CB_NEVENTS };

static const char *const cb_name[CB_NEVENTS] = {
	"NMI", "WATCHDOG_ALIVE", "POWERDOWN", "MCA"
};

struct cb {
	__ddi_cbfn_t	fn;
	void		*arg;
	const void	*caller;	/* who attached it */
	struct cb	*next;
};

static FORK_MUTEX(cb_lock);
static struct cb *cb_list[CB_NEVENTS];
static unsigned sd_count;		/* drv_shutdown requests */
static int sd_rqt, sd_option;		/* the latest */

/* The event and direction of tag; false if it is none. */
static bool
cb_tag(int tag, enum cb_event *ev, bool *attach)
{
	static const int tags[CB_NEVENTS][2] = {
		{ NMI_ATTACH, NMI_DETACH },
		{ WATCHDOG_ALIVE_ATTACH, WATCHDOG_ALIVE_DETACH },
		{ POWERDOWN_ATTACH, POWERDOWN_DETACH },
		{ MCA_ATTACH, MCA_DETACH }
	};

	for (int e = 0; e < CB_NEVENTS; e++)
		for (int d = 0; d < 2; d++)
			if (tag == tags[e][d]) {
				*ev = (enum cb_event)e;
				*attach = d == 0;
				return true;
			}
	return false;
}

static void
cb_register(int tag, __ddi_cbfn_t fn, void *arg, const char *func,
    const void *caller)
{
	enum cb_event ev;
	bool attach;
	struct cb *c, **pp;

	if (!cb_tag(tag, &ev, &attach)) {
		verify_report(func, caller, "unknown event tag %#x", tag);
		return;
	}
	if (fn == NULL) {
		verify_report(func, caller, "NULL handler");
		return;
	}
	if (!kctx_check_block(func, caller, NULL, false))
		return;
	if (attach) {
		if ((c = calloc(1, sizeof(*c))) == NULL) {
			verify_report(func, caller, "out of host memory");
			return;
		}
		c->fn = fn;
		c->arg = arg;
		c->caller = caller;
		pthread_mutex_lock(&cb_lock);
		c->next = cb_list[ev];
		cb_list[ev] = c;
		pthread_mutex_unlock(&cb_lock);
		return;
	}
	pthread_mutex_lock(&cb_lock);
	for (pp = &cb_list[ev]; (c = *pp) != NULL; pp = &c->next)
		if (c->fn == fn && c->arg == arg) {
			*pp = c->next;
			break;
		}
	pthread_mutex_unlock(&cb_lock);
	if (c == NULL)
		verify_report(func, caller, "no %s handler %p with argument "
		    "%p is attached", cb_name[ev],
		    (void *)(uintptr_t)fn, arg);
	free(c);
}

DDI_ENTRY_VOID(drv_callback, (int tag, __ddi_cbfn_t fn, void *arg),
    (tag, fn, arg))
{
	cb_register(tag, fn, arg, DDI_FUNC, DDI_CALLER);
}

/* DDI 5 to 7: only the NMI events existed; the others are ignored. */
DDI_ENTRY_VOID(_Compat_drv_callback_5, (int tag, __ddi_cbfn_t fn,
    void *arg), (tag, fn, arg))
{
	if (tag != NMI_ATTACH && tag != NMI_DETACH) {
		verify_report("drv_callback", DDI_CALLER, "event tag %#x is "
		    "not one of DDI 5 to 7 (NMI_ATTACH, NMI_DETACH); ignored",
		    tag);
		return;
	}
	cb_register(tag, fn, arg, "drv_callback", DDI_CALLER);
}

static void
sd_record(int rqt, int option)
{
	pthread_mutex_lock(&cb_lock);
	sd_count++;
	sd_rqt = rqt;
	sd_option = option;
	pthread_mutex_unlock(&cb_lock);
}

static void
cb_panic(const char *func, const void *who, const char *msg)
{
	char text[160];

	snprintf(text, sizeof(text), "PANIC: %s\n", msg);
	cmn_emit(text, true, true);
	verify_report(func, who, "PANIC: %s", msg);
}

DDI_ENTRY_VOID(drv_shutdown, (shutdown_request_t rqt, int option),
    (rqt, option))
{
	static const char *const what[] = { "halt", "reboot",
	    "reboot to the boot prompt" };

	switch (rqt) {
	case SD_SOFT:
	case SD_HARD:
		if (option < AD_HALT || option > AD_IBOOT) {
			verify_report(DDI_FUNC, DDI_CALLER, "option %d is not "
			    "AD_HALT, AD_BOOT or AD_IBOOT", option);
			return;
		}
		sd_record(rqt, option);
		cmn_emit(rqt == SD_SOFT ? "NOTICE: drv_shutdown: a clean "
		    "shutdown is requested; then " : "NOTICE: drv_shutdown: "
		    "an immediate shutdown is requested; then ", true, true);
		cmn_emit(what[option], true, true);
		cmn_emit("\n", true, true);
		return;
	case SD_PANIC:
		if (option != AD_QUERY && option != AD_NOQUERY) {
			verify_report(DDI_FUNC, DDI_CALLER, "option %d is not "
			    "AD_QUERY or AD_NOQUERY", option);
			return;
		}
		sd_record(rqt, option);
		if (option == AD_QUERY) {
			/* Nobody at the console answers yes. */
			cmn_emit("\nGenerate a panic on the system ? (y or n) "
			    ": n\n", true, true);
			return;
		}
		cb_panic(DDI_FUNC, DDI_CALLER, "hot key panic");
		return;
	default:
		verify_report(DDI_FUNC, DDI_CALLER, "request %d is not SD_SOFT, "
		    "SD_HARD or SD_PANIC", (int)rqt);
		return;
	}
}

/* The requests since the last call; the latest in *rqt and *option. */
DDI_CONTROL(unsigned, ddisim_shutdown_requests, (int *rqt, int *option),
    (rqt, option))
{
	unsigned n;

	pthread_mutex_lock(&cb_lock);
	n = sd_count;
	if (rqt != NULL)
		*rqt = n > 0 ? sd_rqt : -1;
	if (option != NULL)
		*option = n > 0 ? sd_option : -1;
	sd_count = 0;
	pthread_mutex_unlock(&cb_lock);
	return n;
}

/*
 * Raise the event tag names (its _ATTACH tag).  NMI and MCA: the
 * weighed answer (NMI_BENIGN, NMI_REBOOT, or the fatal one after its
 * panic; NMI_UNKNOWN when nobody recognized an NMI, or when nobody is
 * attached for an MCA).  The others: how many handlers ran.
 */
DDI_ENTRY(int, ddisim_callback_raise, (int tag, struct mca_info *mi),
    (tag, mi))
{
	enum cb_event ev;
	bool attach;
	struct cb *c, *copy = NULL, **tail = &copy;
	int verdict = NMI_UNKNOWN, n = 0;
	pl_t opl = 0;

	if (!cb_tag(tag, &ev, &attach) || !attach) {
		verify_report(DDI_FUNC, DDI_CALLER, "%#x is not an _ATTACH "
		    "event tag", tag);
		return -1;
	}
	if (ev == CB_MCA && mi == NULL) {
		verify_report(DDI_FUNC, DDI_CALLER, "an MCA needs its "
		    "mca_info");
		return -1;
	}
	/* A copy, so that a handler may detach itself. */
	pthread_mutex_lock(&cb_lock);
	for (c = cb_list[ev]; c != NULL; c = c->next) {
		struct cb *k = calloc(1, sizeof(*k));

		if (k == NULL)
			break;
		*k = *c;
		k->next = NULL;
		*tail = k;
		tail = &k->next;
	}
	pthread_mutex_unlock(&cb_lock);
	if (ev == CB_NMI || ev == CB_MCA)
		opl = kctx_setpl(PLHI);
	while ((c = copy) != NULL) {
		__ddi_cbfn_t fn = c->fn;
		int r;

		copy = c->next;
		r = ev == CB_MCA ? fn(c->arg, mi) : fn(c->arg);
		n++;
		free(c);
		if (ev != CB_NMI && ev != CB_MCA)
			continue;
		if (r == NMI_FATAL || r == NMI_BUS_TIMEOUT) {
			/* The system panics: no later handler runs. */
			cb_panic(DDI_FUNC, (const void *)(uintptr_t)fn,
			    r == NMI_FATAL ? (ev == CB_NMI ? "Fatal NMI "
			    "Interrupt" : "Fatal Machine Check Exception") :
			    (ev == CB_NMI ? "Bus Timeout NMI error" : "Fatal "
			    "Machine Check: Bus Timeout"));
			verdict = r;
			while ((c = copy) != NULL) {
				copy = c->next;
				free(c);
			}
			break;
		} else if (r == NMI_REBOOT) {
			if (verdict == NMI_UNKNOWN || verdict == NMI_BENIGN)
				verdict = NMI_REBOOT;
		} else if (r == NMI_BENIGN && verdict == NMI_UNKNOWN)
			verdict = NMI_BENIGN;
	}
	if (ev == CB_NMI || ev == CB_MCA)
		(void)kctx_setpl(opl);
	if (ev != CB_NMI && ev != CB_MCA)
		return n;
	if (verdict == NMI_REBOOT)
		drv_shutdown(SD_SOFT, AD_BOOT);
	else if (verdict == NMI_UNKNOWN && ev == CB_NMI)
		cb_panic(DDI_FUNC, DDI_CALLER, "An unknown NMI interrupt "
		    "occurred.");
	return verdict;
}

/* Handlers still attached, listed on f if not NULL: their number. */
size_t
callback_leak_report(FILE *f)
{
	size_t n = 0;

	pthread_mutex_lock(&cb_lock);
	for (int e = 0; e < CB_NEVENTS; e++)
		for (struct cb *c = cb_list[e]; c != NULL; c = c->next) {
			if (!verify_leak_mine(c->caller))
				continue;
			if (f != NULL) {
				char fn[128], who[128];

				verify_symbolize((const void *)(uintptr_t)c->fn,
				    fn, sizeof(fn));
				verify_symbolize(c->caller, who, sizeof(who));
				fprintf(f, "ddicompat: leak: drv_callback: %s "
				    "handler %s still attached, by %s\n",
				    cb_name[e], fn, who);
			}
			n++;
		}
	pthread_mutex_unlock(&cb_lock);
	if (n > 0 && f != NULL)
		fprintf(f, "ddicompat: %zu event handler%s still attached at "
		    "shutdown\n", n, n == 1 ? "" : "s");
	return n;
}

void
callback_fini(void)
{
	pthread_mutex_lock(&cb_lock);
	for (int e = 0; e < CB_NEVENTS; e++)
		while (cb_list[e] != NULL) {
			struct cb *c = cb_list[e];

			cb_list[e] = c->next;
			free(c);
		}
	sd_count = 0;
	pthread_mutex_unlock(&cb_lock);
}
