/* isa.h - the example ISA driver's entry points, for its test. */
#ifndef EXAMPLE_ISA_H
#define EXAMPLE_ISA_H

#include <stdint.h>

int	isa_init(uint32_t *);
char	*isa_buffer(void);
unsigned isa_bufsize(void);
void	isa_fini(void);

#endif
