/*
 * sys/map.h - private space management maps (rmallocmap(9), rmalloc(9)).
 *
 * A map is an array of struct map: an index and a number of units free
 * there.  Its first three entries are the library's (the map's size, its
 * waiters, what it manages); the free fragments follow, sorted by index
 * and ended by an entry of size 0 or by the end of the array.  A map from
 * rmallocmap(n) holds n fragments; an array a driver declares for rminit
 * (DDI 5 and 6 and earlier) holds its size less three.
 */
#ifndef DDICOMPAT_SYS_MAP_H
#define DDICOMPAT_SYS_MAP_H

#include <stddef.h>
#include <sys/types.h>

__DDI_BEGIN_DECLS

struct map {
	ulong_t	m_size;		/* units free */
	ulong_t	m_addr;		/* index of the first */
};

struct map	*rmallocmap(ulong_t);
void		 rmfreemap(struct map *);
ulong_t		 rmalloc(struct map *, size_t);
ulong_t		 rmalloc_wait(struct map *, size_t);
void		 rmfree(struct map *, size_t, ulong_t);

/* The interface before rmallocmap: a map the driver declares. */
#if (__DDI_ODDI || __DDI_AT_MOST(60)) && !__DDI_STRICT
void		 rminit(struct map *, ulong_t) __DDI_ENTRY(_Compat_rminit);
void		 rmsetwant(struct map *) __DDI_ENTRY(_Compat_rmsetwant);
ulong_t		 rmwant(struct map *) __DDI_ENTRY(_Compat_rmwant);
#endif

__DDI_END_DECLS

#endif /* DDICOMPAT_SYS_MAP_H */
