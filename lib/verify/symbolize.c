/*
 * symbolize.c - the callers that reports name.
 *
 * With elfutils' libdwfl (configure finds libdw through pkg-config) a
 * code address becomes "function (file.c:123)": the innermost function
 * at that address, an inlined one included, and the source line of the
 * call, from the DWARF of the object that holds it or from its separate
 * debug information (found by build-id or debuglink, as gdb finds it).
 * Without DWARF it is "symbol+0x1c" from the object's .symtab, which has
 * static functions too and needs no -rdynamic; outside any symbol it is
 * "object+0x4a0".  A library built without libdw, or a process where
 * libdwfl cannot read its own maps, uses dladdr(3), which sees exported
 * symbols only.
 *
 * One Dwfl serves the process.  It is made by the first report, not
 * before, so a run without reports pays nothing; it is read under one
 * leaf lock, which no other lock is taken under, so reports may be made
 * from any thread and with library locks held; a forked child (a Check
 * test) goes on with its parent's copy, which describes the same
 * mappings; and a destructor frees it when the library is unloaded or
 * the process exits.  An address outside every module known (code that
 * dlopen loaded since) makes it read the maps again.
 */
#include "config.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef HAVE_LIBDW
#include <dwarf.h>
#include <elfutils/libdwfl.h>
#endif

#include "util/forklock.h"
#include "verify/verify.h"

static const char *
sym_base(const char *path)
{
	const char *b = strrchr(path, '/');

	return b != NULL ? b + 1 : path;
}

/* What the dynamic linker knows: exported symbols and objects. */
static void
sym_dladdr(const void *pc, char *buf, size_t len)
{
	Dl_info info;

	if (dladdr(pc, &info) != 0) {
		if (info.dli_sname != NULL) {
			snprintf(buf, len, "%s+%#lx", info.dli_sname,
			    (unsigned long)((const char *)pc -
			    (const char *)info.dli_saddr));
			return;
		}
		if (info.dli_fname != NULL) {
			snprintf(buf, len, "%s+%#lx", sym_base(info.dli_fname),
			    (unsigned long)((const char *)pc -
			    (const char *)info.dli_fbase));
			return;
		}
	}
	snprintf(buf, len, "%p", pc);
}

#ifdef HAVE_LIBDW

static FORK_MUTEX(sym_lock);
static Dwfl *sym_dwfl;			/* sym_lock */
static enum { SYM_NONE, SYM_UP, SYM_FAILED, SYM_ENDED } sym_state;

static const Dwfl_Callbacks sym_callbacks = {
	.find_elf = dwfl_linux_proc_find_elf,
	.find_debuginfo = dwfl_standard_find_debuginfo,
};

/* (Re)read the process's mappings into sym_dwfl. */
static bool
sym_report_maps(void)
{
	int error;

	dwfl_report_begin(sym_dwfl);
	error = dwfl_linux_proc_report(sym_dwfl, getpid());
	return dwfl_report_end(sym_dwfl, NULL, NULL) == 0 && error == 0;
}

static bool
sym_up(void)
{
	if (sym_state == SYM_UP)
		return true;
	if (sym_state != SYM_NONE)
		return false;
	sym_state = SYM_FAILED;
	if ((sym_dwfl = dwfl_begin(&sym_callbacks)) == NULL)
		return false;
	if (!sym_report_maps()) {
		dwfl_end(sym_dwfl);
		sym_dwfl = NULL;
		return false;
	}
	sym_state = SYM_UP;
	return true;
}

__attribute__((destructor)) static void
sym_fini(void)
{
	pthread_mutex_lock(&sym_lock);
	if (sym_dwfl != NULL)
		dwfl_end(sym_dwfl);
	sym_dwfl = NULL;
	sym_state = SYM_ENDED;
	pthread_mutex_unlock(&sym_lock);
}

/* The innermost function, inlined or not, whose code holds addr. */
static const char *
sym_function(Dwfl_Module *mod, Dwarf_Addr addr)
{
	Dwarf_Addr bias;
	Dwarf_Die *cu, *scopes;
	const char *name = NULL;
	int n;

	if ((cu = dwfl_module_addrdie(mod, addr, &bias)) == NULL)
		return NULL;
	if ((n = dwarf_getscopes(cu, addr - bias, &scopes)) <= 0)
		return NULL;
	for (int i = 0; i < n && name == NULL; i++) {
		Dwarf_Attribute a;
		int tag = dwarf_tag(&scopes[i]);

		if (tag == DW_TAG_subprogram ||
		    tag == DW_TAG_inlined_subroutine)
			name = dwarf_formstring(dwarf_attr_integrate(
			    &scopes[i], DW_AT_name, &a));
	}
	free(scopes);
	return name;
}

/* Under sym_lock.  False when no module holds pc. */
static bool
sym_dwfl_name(const void *pc, char *buf, size_t len)
{
	Dwarf_Addr addr = (Dwarf_Addr)(uintptr_t)pc, look, start;
	Dwfl_Module *mod;
	Dwfl_Line *line;
	GElf_Off off;
	GElf_Sym sym;
	const char *name, *fn, *src = NULL, *modname;
	int lineno = 0;

	if ((mod = dwfl_addrmodule(sym_dwfl, addr)) == NULL &&
	    (!sym_report_maps() ||
	    (mod = dwfl_addrmodule(sym_dwfl, addr)) == NULL))
		return false;
	name = dwfl_module_addrinfo(mod, addr, &off, &sym, NULL, NULL, NULL);
	/*
	 * A caller is a return address, just past its call instruction,
	 * which may be the last of its function: look one byte back.  A
	 * function's own address (a callback's) starts its symbol.
	 */
	look = name != NULL && off == 0 ? addr : addr - 1;
	fn = sym_function(mod, look);
	if ((line = dwfl_module_getsrc(mod, look)) != NULL)
		src = dwfl_lineinfo(line, NULL, &lineno, NULL, NULL, NULL);
	if (fn == NULL && name != NULL && src != NULL)
		fn = name;
	if (fn != NULL && src != NULL && lineno > 0) {
		snprintf(buf, len, "%s (%s:%d)", fn, sym_base(src), lineno);
		return true;
	}
	if (name != NULL) {
		snprintf(buf, len, "%s+%#lx", name, (unsigned long)off);
		return true;
	}
	modname = dwfl_module_info(mod, NULL, &start, NULL, NULL, NULL, NULL,
	    NULL);
	snprintf(buf, len, "%s+%#lx", modname != NULL ? sym_base(modname) :
	    "?", (unsigned long)(addr - start));
	return true;
}

void
verify_symbolize(const void *pc, char *buf, size_t len)
{
	bool done = false;

	if (pc == NULL) {
		snprintf(buf, len, "%p", pc);
		return;
	}
	pthread_mutex_lock(&sym_lock);
	if (sym_up())
		done = sym_dwfl_name(pc, buf, len);
	pthread_mutex_unlock(&sym_lock);
	if (!done)
		sym_dladdr(pc, buf, len);
}

#else /* !HAVE_LIBDW */

void
verify_symbolize(const void *pc, char *buf, size_t len)
{
	if (pc == NULL)
		snprintf(buf, len, "%p", pc);
	else
		sym_dladdr(pc, buf, len);
}

#endif /* HAVE_LIBDW */
