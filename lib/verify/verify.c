/*
 * verify.c - misuse reports: one path, three policies.
 */
#include "config.h"

#include <pthread.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

#include "util/forklock.h"
#include "verify/verify.h"

static _Atomic int verify_pol = DDISIM_VERIFY_ABORT;
static _Atomic unsigned long verify_nreports;
static _Atomic verify_block_fn verify_block_pred;

/* Text of the last report; guarded by verify_lock. */
static FORK_MUTEX(verify_lock);
static char verify_last[VERIFY_REPORT_MAX];

/*
 * A report is "ddicompat: FUNC: MESSAGE (called from CALLER)" in at most
 * VERIFY_REPORT_MAX - 1 bytes.  A message too long for that loses its
 * middle, not its end: reports name the object first and the fault last,
 * and a long lock name must not push out the reason.
 */
static void
verify_format(char line[VERIFY_REPORT_MAX], const char *func,
    const char *msg, const char *who)
{
	static const char elide[] = "...";
	char head[96], tail[160];
	size_t hl, tl, ml, room, keep;
	char *p = line;

	snprintf(head, sizeof(head), "ddicompat: %s: ", func);
	snprintf(tail, sizeof(tail), " (called from %s)", who);
	hl = strlen(head);
	tl = strlen(tail);
	ml = strlen(msg);
	room = VERIFY_REPORT_MAX - 1 - hl - tl;	/* > 250 by the sizes */
	memcpy(p, head, hl);
	p += hl;
	if (ml <= room) {
		memcpy(p, msg, ml);
		p += ml;
	} else {
		room -= sizeof(elide) - 1;
		keep = room / 3;
		memcpy(p, msg, keep);
		p += keep;
		memcpy(p, elide, sizeof(elide) - 1);
		p += sizeof(elide) - 1;
		memcpy(p, msg + ml - (room - keep), room - keep);
		p += room - keep;
	}
	memcpy(p, tail, tl + 1);
}

void
verify_report(const char *func, const void *caller, const char *fmt, ...)
{
	char msg[1024], who[128], line[VERIFY_REPORT_MAX];
	va_list ap;
	int pol = verify_pol;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	verify_symbolize(caller, who, sizeof(who));
	verify_format(line, func, msg, who);

	pthread_mutex_lock(&verify_lock);
	memcpy(verify_last, line, sizeof(verify_last));
	verify_nreports++;
	pthread_mutex_unlock(&verify_lock);

	if (pol == DDISIM_VERIFY_COUNT)
		return;
	fprintf(stderr, "%s\n", line);
	if (pol == DDISIM_VERIFY_ABORT) {
		fflush(stderr);
		abort();
	}
}

_Noreturn void
verify_panic(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "ddicompat: internal error at %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

void
verify_set_policy(enum ddisim_verify_policy pol)
{
	verify_pol = pol;
}

enum ddisim_verify_policy
verify_policy(void)
{
	return (enum ddisim_verify_policy)verify_pol;
}

void
verify_block_register(verify_block_fn fn)
{
	verify_block_pred = fn;
}

DDI_TLS bool verify_ctx_raised;

bool
verify_may_block_slow(const char *func, const void *caller)
{
	verify_block_fn fn = verify_block_pred;
	const char *why = NULL;

	if (fn == NULL || fn(&why))
		return true;
	verify_report(func, caller, "may block, but the caller %s",
	    why != NULL ? why : "may not block");
	return false;
}

unsigned long
verify_count(void)
{
	return verify_nreports;
}

void
verify_last_copy(char buf[VERIFY_REPORT_MAX])
{
	pthread_mutex_lock(&verify_lock);
	memcpy(buf, verify_last, VERIFY_REPORT_MAX);
	pthread_mutex_unlock(&verify_lock);
}

void
verify_reset(void)
{
	pthread_mutex_lock(&verify_lock);
	verify_last[0] = '\0';
	verify_nreports = 0;
	pthread_mutex_unlock(&verify_lock);
}

/* ---- leak reports scoped to a driver ---- */

static DDI_TLS verify_scope_fn scope_fn;
static DDI_TLS void *scope_arg;

void
verify_leak_scope(verify_scope_fn mine, void *arg)
{
	scope_fn = mine;
	scope_arg = arg;
}

bool
verify_leak_mine(const void *caller)
{
	return scope_fn == NULL || (caller != NULL &&
	    scope_fn(caller, scope_arg));
}
