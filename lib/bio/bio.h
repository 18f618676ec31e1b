/*
 * bio.h - block I/O: what the bio files share.
 */
#ifndef DDICOMPAT_BIO_H
#define DDICOMPAT_BIO_H

#include <stdbool.h>

#include "sys/buf.h"

/*
 * Whether bcb b is one a driver may use (ddi8: under the DDI 8 rules);
 * reports the first fault for func.
 */
bool	bcb_valid(const bcb_t *b, bool ddi8, const char *func,
	    const void *caller);

#endif /* DDICOMPAT_BIO_H */
