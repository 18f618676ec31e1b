/*
 * cdefs.h - how the library's own declarations are marked.
 *
 * The library is built with -fvisibility=hidden, which hides what it
 * defines but not what a header declares extern: without DDI_HIDDEN on
 * the declaration, every read of a library global from position-
 * independent code goes through the GOT, an extra load the fast paths
 * pay on every call.  Public data (DDI_PUBLIC_DATA) is not marked.
 */
#ifndef DDICOMPAT_CDEFS_H
#define DDICOMPAT_CDEFS_H

#define DDI_HIDDEN	__attribute__((visibility("hidden")))
/*
 * The globals every fast path reads and almost never writes, from all
 * the layers: together in one section, so that after a copy that swept
 * the cache they are one or two lines to fetch again, not one each.
 * The linker gathers input sections of a name that its script does not
 * place into one output section of that name.
 */
#define DDI_READ_MOSTLY	__attribute__((section("ddi_read_mostly")))
/* Library thread-locals: initial-exec, no __tls_get_addr on hot paths. */
#define DDI_TLS		__thread __attribute__((tls_model("initial-exec")))

#endif
