/*
 * devsim.h - the simulated devices: what the rest of the library calls.
 */
#ifndef DDICOMPAT_DEVSIM_INT_H
#define DDICOMPAT_DEVSIM_INT_H

/* Tear down every device still alive; ddisim_shutdown calls it. */
void	devsim_fini(void);

#endif /* DDICOMPAT_DEVSIM_INT_H */
