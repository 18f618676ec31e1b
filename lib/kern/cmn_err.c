/*
 * cmn_err.c - kernel messages: the console, the putbuf, and panics.
 *
 * The putbuf is a circular buffer of the last PUTBUF_SIZE bytes of
 * messages, as the kernel's was; the console is standard error or a sink a
 * test installs.  Both are guarded by cmn_lock.  cmn_err needs no machine.
 */
#include "config.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/forklock.h"
#include "machine/entry.h"
#include "verify/verify.h"

#include "kern/kern.h"
#include "sys/cmn_err.h"
#include "sys/debug.h"
#include "exports.h"

#define PUTBUF_SIZE	(64 * 1024)

static FORK_MUTEX(cmn_lock);
static char putbuf[PUTBUF_SIZE];
static size_t putbuf_next;		/* where the next byte goes */
static size_t putbuf_len;		/* bytes held, up to PUTBUF_SIZE */
static void (*console_sink)(const char *, void *);
static void *console_arg;
static void (*log_sink)(const char *, void *);	/* strlog's messages */
static void *log_arg;

static void
putbuf_add_locked(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		putbuf[putbuf_next] = s[i];
		putbuf_next = (putbuf_next + 1) % PUTBUF_SIZE;
	}
	putbuf_len = putbuf_len + n > PUTBUF_SIZE ? PUTBUF_SIZE :
	    putbuf_len + n;
}

void
cmn_emit(const char *text, bool to_console, bool to_putbuf)
{
	pthread_mutex_lock(&cmn_lock);
	if (to_putbuf)
		putbuf_add_locked(text, strlen(text));
	if (to_console) {
		if (console_sink != NULL)
			console_sink(text, console_arg);
		else
			fputs(text, stderr);
	}
	pthread_mutex_unlock(&cmn_lock);
}

/*
 * CE_CONT prints the text as it is; the other levels prefix their word and
 * end the line.  A leading '!' sends the message to the putbuf only, a
 * leading '^' to the console only.  CE_PANIC then goes through the
 * verifier: by default the process aborts, as the system would halt.
 */
DDI_ENTRY_VA_VOID(cmn_err, (int level, const char *fmt), (level, fmt), fmt)
{
	static const char *const prefix[] = {
		"", "NOTICE: ", "WARNING: ", "PANIC: "
	};
	bool console = true, pbuf = true;
	char msg[1024], text[1100];

	if (fmt == NULL) {
		verify_report(DDI_FUNC, DDI_CALLER, "NULL format");
		return;
	}
	if (level < CE_CONT || level > CE_PANIC) {
		verify_report(DDI_FUNC, DDI_CALLER, "unknown level %d; "
		    "printed as CE_WARN", level);
		level = CE_WARN;
	}
	if (*fmt == '!') {
		console = false;
		fmt++;
	} else if (*fmt == '^') {
		pbuf = false;
		fmt++;
	}
	vsnprintf(msg, sizeof(msg), fmt, ap);
	snprintf(text, sizeof(text), "%s%s%s", prefix[level], msg,
	    level == CE_CONT ? "" : "\n");
	cmn_emit(text, console, pbuf);
	if (level == CE_PANIC)
		verify_report(DDI_FUNC, DDI_CALLER, "PANIC: %s", msg);
}

/*
 * The ODDI's and DDI 1 to 6's panic: the message as CE_PANIC prints it,
 * a report, and the end of the process whatever the verify= policy, as
 * the system would halt.
 */
DDI_ENTRY_VA_VOID(_Compat_panic, (const char *fmt), (fmt), fmt)
{
	char msg[1024], text[1100];

	if (fmt == NULL) {
		verify_report("panic", DDI_CALLER, "NULL format");
		snprintf(msg, sizeof(msg), "(no message)");
	} else {
		vsnprintf(msg, sizeof(msg), fmt, ap);
	}
	snprintf(text, sizeof(text), "PANIC: %s\n", msg);
	cmn_emit(text, true, true);
	verify_report("panic", DDI_CALLER, "PANIC: %s", msg);
	if (verify_policy() == DDISIM_VERIFY_COUNT) {
		/* counted, and not printed: the last words are still due */
		char who[128];

		verify_symbolize(DDI_CALLER, who, sizeof(who));
		fprintf(stderr, "ddicompat: panic: PANIC: %s (called from "
		    "%s)\n", msg, who);
	}
	fflush(NULL);
	abort();
}

/* The failure path of ASSERT in drivers built with -DDEBUG. */
DDI_ENTRY(int, assfail, (const char *expr, const char *file, int line),
    (expr, file, line))
{
	verify_report("ASSERT", DDI_CALLER, "assertion failed: %s, file %s, "
	    "line %d", expr != NULL ? expr : "?", file != NULL ? file : "?",
	    line);
	return 0;
}

DDI_CONTROL(size_t, ddisim_putbuf, (char *buf, size_t len), (buf, len))
{
	size_t held, start, n;

	pthread_mutex_lock(&cmn_lock);
	held = putbuf_len;
	start = (putbuf_next + PUTBUF_SIZE - held) % PUTBUF_SIZE;
	n = buf == NULL || len == 0 ? 0 : (held < len - 1 ? held : len - 1);
	for (size_t i = 0; i < n; i++)
		buf[i] = putbuf[(start + i) % PUTBUF_SIZE];
	if (buf != NULL && len > 0)
		buf[n] = '\0';
	pthread_mutex_unlock(&cmn_lock);
	return held;
}

DDI_CONTROL0_VOID(ddisim_putbuf_clear)
{
	pthread_mutex_lock(&cmn_lock);
	putbuf_next = 0;
	putbuf_len = 0;
	pthread_mutex_unlock(&cmn_lock);
}

void
cmn_log(const char *text)
{
	pthread_mutex_lock(&cmn_lock);
	if (log_sink != NULL)
		log_sink(text, log_arg);
	pthread_mutex_unlock(&cmn_lock);
}

DDI_CONTROL_VOID(ddisim_log, (void (*sink)(const char *, void *),
    void *arg), (sink, arg))
{
	pthread_mutex_lock(&cmn_lock);
	log_sink = sink;
	log_arg = arg;
	pthread_mutex_unlock(&cmn_lock);
}

DDI_CONTROL_VOID(ddisim_console, (void (*sink)(const char *, void *),
    void *arg), (sink, arg))
{
	pthread_mutex_lock(&cmn_lock);
	console_sink = sink;
	console_arg = arg;
	pthread_mutex_unlock(&cmn_lock);
}
