/*
 * devsim.h - the simulated devices: what the rest of the library calls.
 */
#ifndef DDICOMPAT_DEVSIM_INT_H
#define DDICOMPAT_DEVSIM_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Tear down every device still alive; ddisim_shutdown calls it. */
void	devsim_fini(void);

#endif /* DDICOMPAT_DEVSIM_INT_H */
