/*
 * sym.c - finding a driver's names as the kernel's configuration tools
 * did: in a shared object the host loads (dlopen, dlsym), or in the
 * running program.
 *
 * The running program rarely exports its symbols dynamically (that needs
 * -rdynamic), so its own symbol table is read from its file: the ELF
 * .symtab of /proc/self/exe, mapped once, with the load bias that
 * dl_iterate_phdr reports for the main program.  Only global and weak
 * definitions count, as only they could be linked against.  A name the
 * program exports is found by dlsym first, and taken only when it lies
 * in the program itself: "lpt" + "open" must never find a C library's
 * function.
 */
#include "config.h"

#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/forklock.h"
#include "host/host.h"

static FORK_MUTEX(sym_lock);
static struct {
	bool		tried;
	const uint8_t	*map;		/* the file, or NULL */
	size_t		len;
	const ElfW(Sym)	*syms;
	size_t		nsyms;
	const char	*strs;
	size_t		strlen;
	uintptr_t	bias;
	uintptr_t	lo, hi;		/* the program's loaded segments */
} prog;

static int
main_phdr(struct dl_phdr_info *info, size_t size, void *arg)
{
	(void)size;
	(void)arg;
	/* the first object is the main program */
	prog.bias = info->dlpi_addr;
	prog.lo = UINTPTR_MAX;
	prog.hi = 0;
	for (ElfW(Half) i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];

		if (ph->p_type != PT_LOAD)
			continue;
		if (info->dlpi_addr + ph->p_vaddr < prog.lo)
			prog.lo = info->dlpi_addr + ph->p_vaddr;
		if (info->dlpi_addr + ph->p_vaddr + ph->p_memsz > prog.hi)
			prog.hi = info->dlpi_addr + ph->p_vaddr + ph->p_memsz;
	}
	return 1;
}

/* Map the program's file and find its .symtab (sym_lock held). */
static void
prog_load(void)
{
	const ElfW(Ehdr) *eh;
	const ElfW(Shdr) *sh;
	struct stat st;
	void *map;
	int fd;

	prog.tried = true;
	(void)dl_iterate_phdr(main_phdr, NULL);
	if ((fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC)) < 0)
		return;
	if (fstat(fd, &st) != 0 || (size_t)st.st_size < sizeof(*eh)) {
		(void)close(fd);
		return;
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	(void)close(fd);
	if (map == MAP_FAILED)
		return;
	eh = map;
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 ||
	    eh->e_shoff == 0 || eh->e_shentsize != sizeof(ElfW(Shdr)) ||
	    eh->e_shoff + (uint64_t)eh->e_shnum * sizeof(ElfW(Shdr)) >
	    (uint64_t)st.st_size) {
		(void)munmap(map, (size_t)st.st_size);
		return;
	}
	sh = (const ElfW(Shdr) *)((const uint8_t *)map + eh->e_shoff);
	for (unsigned i = 0; i < eh->e_shnum; i++) {
		const ElfW(Shdr) *str;

		if (sh[i].sh_type != SHT_SYMTAB || sh[i].sh_link >= eh->e_shnum)
			continue;
		str = &sh[sh[i].sh_link];
		if (sh[i].sh_offset + sh[i].sh_size > (uint64_t)st.st_size ||
		    str->sh_offset + str->sh_size > (uint64_t)st.st_size ||
		    sh[i].sh_entsize != sizeof(ElfW(Sym)))
			break;
		prog.syms = (const ElfW(Sym) *)((const uint8_t *)map +
		    sh[i].sh_offset);
		prog.nsyms = sh[i].sh_size / sizeof(ElfW(Sym));
		prog.strs = (const char *)map + str->sh_offset;
		prog.strlen = str->sh_size;
		prog.map = map;
		prog.len = (size_t)st.st_size;
		return;
	}
	(void)munmap(map, (size_t)st.st_size);
}

static void *
prog_sym(const char *name)
{
	void *addr = NULL;
	Dl_info dli;
	void *p;

	pthread_mutex_lock(&sym_lock);
	if (!prog.tried)
		prog_load();
	/* exported by the program itself */
	if ((p = dlsym(RTLD_DEFAULT, name)) != NULL &&
	    (uintptr_t)p >= prog.lo && (uintptr_t)p < prog.hi &&
	    dladdr(p, &dli) != 0) {
		pthread_mutex_unlock(&sym_lock);
		return p;
	}
	for (size_t i = 0; i < prog.nsyms && addr == NULL; i++) {
		const ElfW(Sym) *s = &prog.syms[i];
		int bind = ELF64_ST_BIND(s->st_info);

		if (s->st_shndx == SHN_UNDEF || s->st_shndx >= SHN_LORESERVE ||
		    (bind != STB_GLOBAL && bind != STB_WEAK) ||
		    s->st_name >= prog.strlen)
			continue;
		if (strcmp(prog.strs + s->st_name, name) == 0)
			addr = (void *)(prog.bias + s->st_value);
	}
	pthread_mutex_unlock(&sym_lock);
	return addr;
}

int
host_obj_open(const char *object, void **handlep, char *err, size_t errlen)
{
	const char *path = object, *dirs;
	char buf[4096];
	void *h;

	*handlep = NULL;
	if (object == NULL)
		return 0;
	/* a bare name is looked for along $DDISIM_MODPATH */
	if (strchr(object, '/') == NULL &&
	    (dirs = getenv("DDISIM_MODPATH")) != NULL) {
		while (*dirs != '\0') {
			size_t n = strcspn(dirs, ":");

			if (n > 0 && (size_t)snprintf(buf, sizeof(buf),
			    "%.*s/%s", (int)n, dirs, object) < sizeof(buf) &&
			    access(buf, R_OK) == 0) {
				path = buf;
				break;
			}
			dirs += n + (dirs[n] == ':');
		}
	}
	if ((h = dlopen(path, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		const char *why = dlerror();

		(void)snprintf(err, errlen, "%s", why != NULL ? why :
		    "dlopen failed");
		return ENOENT;
	}
	*handlep = h;
	return 0;
}

void
host_obj_close(void *handle)
{
	if (handle != NULL)
		(void)dlclose(handle);
}

void *
host_sym(void *handle, const char *prefix, const char *suffix)
{
	char name[256];

	if ((size_t)snprintf(name, sizeof(name), "%s%s", prefix, suffix) >=
	    sizeof(name))
		return NULL;
	if (handle != NULL) {
		struct link_map *lm;
		Dl_info dli;
		void *p;

		/* dlsym also searches the object's dependencies: not those */
		if ((p = dlsym(handle, name)) == NULL ||
		    dlinfo(handle, RTLD_DI_LINKMAP, &lm) != 0 ||
		    dladdr(p, &dli) == 0 || dli.dli_fname == NULL ||
		    strcmp(dli.dli_fname, lm->l_name) != 0)
			return NULL;
		return p;
	}
	return prog_sym(name);
}

void
host_sym_fini(void)
{
	pthread_mutex_lock(&sym_lock);
	if (prog.map != NULL)
		(void)munmap((void *)(uintptr_t)prog.map, prog.len);
	memset(&prog, 0, sizeof(prog));
	pthread_mutex_unlock(&sym_lock);
}

const char *
host_addr_owner(void *handle, const void *addr)
{
	const char *name = NULL;

	if (handle != NULL) {
		struct link_map *lm;
		Dl_info dli;

		return dlinfo(handle, RTLD_DI_LINKMAP, &lm) == 0 &&
		    dladdr(addr, &dli) != 0 && dli.dli_fname != NULL &&
		    strcmp(dli.dli_fname, lm->l_name) == 0 ? lm->l_name : NULL;
	}
	pthread_mutex_lock(&sym_lock);
	if (!prog.tried)
		prog_load();
	if (prog.syms == NULL) {
		pthread_mutex_unlock(&sym_lock);
		return "";	/* no symbol table to tell by */
	}
	for (size_t i = 0; i < prog.nsyms; i++) {
		const ElfW(Sym) *sy = &prog.syms[i];
		int type = ELF64_ST_TYPE(sy->st_info);
		uintptr_t lo = prog.bias + sy->st_value;

		if (sy->st_shndx == SHN_UNDEF || sy->st_shndx >= SHN_LORESERVE ||
		    (type != STT_FUNC && type != STT_OBJECT) ||
		    sy->st_name >= prog.strlen || (uintptr_t)addr < lo ||
		    (uintptr_t)addr >= lo + (sy->st_size > 0 ? sy->st_size : 1))
			continue;
		name = prog.strs + sy->st_name;
		break;
	}
	pthread_mutex_unlock(&sym_lock);
	return name;
}
