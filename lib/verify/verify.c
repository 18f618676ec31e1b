/*
 * verify.c - misuse reports: one path, three policies.
 */
#include "config.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

#include "verify/verify.h"

static _Atomic int verify_pol = DDISIM_VERIFY_ABORT;
static _Atomic unsigned long verify_nreports;
static _Atomic verify_block_fn verify_block_pred;

/* Text of the last report; guarded by verify_lock. */
static pthread_mutex_t verify_lock = PTHREAD_MUTEX_INITIALIZER;
static char verify_last[1024];

void
verify_symbolize(const void *pc, char *buf, size_t len)
{
	Dl_info info;

	if (pc != NULL && dladdr(pc, &info) != 0) {
		if (info.dli_sname != NULL) {
			snprintf(buf, len, "%s+%#lx", info.dli_sname,
			    (unsigned long)((const char *)pc -
			    (const char *)info.dli_saddr));
			return;
		}
		if (info.dli_fname != NULL) {
			const char *base = strrchr(info.dli_fname, '/');

			snprintf(buf, len, "%s+%#lx",
			    base != NULL ? base + 1 : info.dli_fname,
			    (unsigned long)((const char *)pc -
			    (const char *)info.dli_fbase));
			return;
		}
	}
	snprintf(buf, len, "%p", pc);
}

void
verify_report(const char *func, const void *caller, const char *fmt, ...)
{
	char msg[384], who[128], line[1024];
	va_list ap;
	int pol = verify_pol;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	verify_symbolize(caller, who, sizeof(who));
	snprintf(line, sizeof(line), "ddicompat: %s: %s (called from %s)",
	    func, msg, who);

	pthread_mutex_lock(&verify_lock);
	memcpy(verify_last, line, sizeof(verify_last));
	pthread_mutex_unlock(&verify_lock);
	verify_nreports++;

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

DDI_PUBLIC void
ddisim_verify_set_policy(enum ddisim_verify_policy pol)
{
	if (pol != DDISIM_VERIFY_ABORT && pol != DDISIM_VERIFY_WARN &&
	    pol != DDISIM_VERIFY_COUNT) {
		verify_report(__func__, DDI_CALLER, "unknown policy %d",
		    (int)pol);
		return;
	}
	verify_set_policy(pol);
}

DDI_PUBLIC unsigned long
ddisim_verify_count(void)
{
	return verify_nreports;
}

DDI_PUBLIC const char *
ddisim_verify_last(void)
{
	static DDI_TLS char copy[1024];

	pthread_mutex_lock(&verify_lock);
	memcpy(copy, verify_last, sizeof(copy));
	pthread_mutex_unlock(&verify_lock);
	return copy;
}

DDI_PUBLIC void
ddisim_verify_reset(void)
{
	pthread_mutex_lock(&verify_lock);
	verify_last[0] = '\0';
	pthread_mutex_unlock(&verify_lock);
	verify_nreports = 0;
}
