/*
 * strlog.c - strlog(9): STREAMS log messages.
 *
 * The simulation has no log(7) driver and no strace or strerr reading
 * it: a message goes to the putbuf, and with SL_CONSOLE to the console
 * too, as one line that names its module and sub-ID, its level and its
 * flags, so that a test finds it with ddisim_putbuf.  The format is
 * checked as the original restricted it: integer and character
 * conversions only, at most NLOGARGS of them.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "machine/entry.h"
#include "verify/verify.h"
#include "kern/kern.h"

#include "sys/types.h"
#include "sys/strlog.h"

#define SL_ALL	(SL_FATAL | SL_NOTIFY | SL_ERROR | SL_TRACE | SL_CONSOLE | \
	    SL_WARN | SL_NOTE)

/*
 * Why fmt is not one strlog takes, or NULL: each conversion is one of
 * d i o u x X c (with flags, width, precision and h or l), %% aside, and
 * there are at most NLOGARGS of them, a '*' counting as one.
 */
static const char *
strlog_fmt_bad(const char *fmt, char *why, size_t len)
{
	int nargs = 0;

	for (const char *p = fmt; *p != '\0'; p++) {
		if (*p != '%')
			continue;
		if (*++p == '%')
			continue;
		while (*p != '\0' && strchr("-+ #0", *p) != NULL)
			p++;
		for (int part = 0; part < 2; part++) {
			if (*p == '*') {
				nargs++;
				p++;
			} else
				while (*p >= '0' && *p <= '9')
					p++;
			if (part == 0 && *p == '.')
				p++;
			else
				break;
		}
		while (*p == 'h' || *p == 'l')
			p++;
		if (*p == '\0') {
			snprintf(why, len, "format \"%s\" ends inside a "
			    "conversion", fmt);
			return why;
		}
		if (strchr("sSeEfFgGaA", *p) != NULL) {
			snprintf(why, len, "%%%c is not allowed (format \"%s\")",
			    *p, fmt);
			return why;
		}
		if (strchr("diouxXc", *p) == NULL) {
			snprintf(why, len, "unknown conversion %%%c (format "
			    "\"%s\")", *p, fmt);
			return why;
		}
		nargs++;
	}
	if (nargs > NLOGARGS) {
		snprintf(why, len, "%d arguments; at most NLOGARGS (%d) "
		    "(format \"%s\")", nargs, NLOGARGS, fmt);
		return why;
	}
	return NULL;
}

DDI_ENTRY_VA(int, strlog, (short mid, short sid, char level, ushort_t flags,
    char *fmt), (mid, sid, level, flags, fmt), fmt)
{
	static const struct { ushort_t bit; const char *name; } names[] = {
		{ SL_FATAL, "FATAL" }, { SL_NOTIFY, "NOTIFY" },
		{ SL_ERROR, "ERROR" }, { SL_TRACE, "TRACE" },
		{ SL_CONSOLE, "CONSOLE" }, { SL_WARN, "WARN" },
		{ SL_NOTE, "NOTE" }
	};
	char why[LOGMSGSZ + 128], msg[LOGMSGSZ], fl[64] = "", text[1200];

	if (fmt == NULL) {
		verify_report(DDI_FUNC, DDI_CALLER, "NULL format");
		return 0;
	}
	if ((flags & ~SL_ALL) != 0) {
		verify_report(DDI_FUNC, DDI_CALLER, "unknown flags %#x",
		    (unsigned)(flags & ~SL_ALL));
		return 0;
	}
	if (strlen(fmt) >= LOGMSGSZ) {
		verify_report(DDI_FUNC, DDI_CALLER, "format of %zu bytes; "
		    "at most LOGMSGSZ (%d) - 1", strlen(fmt), LOGMSGSZ);
		return 0;
	}
	if (strlog_fmt_bad(fmt, why, sizeof(why)) != NULL) {
		verify_report(DDI_FUNC, DDI_CALLER, "%s", why);
		return 0;
	}
	vsnprintf(msg, sizeof(msg), fmt, ap);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (flags & names[i].bit) {
			if (fl[0] != '\0')
				strcat(fl, "|");
			strcat(fl, names[i].name);
		}
	snprintf(text, sizeof(text), "STRLOG mid %d sid %d level %d%s%s: "
	    "%s\n", mid, sid, level, fl[0] != '\0' ? " " : "", fl, msg);
	cmn_emit(text, (flags & SL_CONSOLE) != 0, true);
	cmn_log(text);
	return 1;
}
