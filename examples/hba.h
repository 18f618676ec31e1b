/* hba.h - the example HBA driver's entry points, for its test. */
#ifndef EXAMPLE_HBA_H
#define EXAMPLE_HBA_H

#include <stdint.h>

int	hba_init(void);
void	*hba_ccb(int, uint32_t *);
void	*hba_sense(int);
int	hba_nccb(void);
void	hba_fini(void);

#endif
