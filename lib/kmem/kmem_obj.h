/*
 * kmem_obj.h - what other layers allocate their objects and buffers with:
 * kmem_obj_alloc and kmem_obj_free, kmem_physreq_cons_fast for a
 * physreq's constraint, and kmem_live_size_fast.  They are inline (the fast paths of kmem_fast.h,
 * which other layers do not include themselves), and each does every step
 * a caller could otherwise forget: the slow path on a miss, the checked
 * free, telling the page allocator's waiters of a free.
 */
#ifndef DDICOMPAT_KMEM_OBJ_H
#define DDICOMPAT_KMEM_OBJ_H

#include "kmem/kmem.h"
#include "kmem/kmem_fast.h"

#endif /* DDICOMPAT_KMEM_OBJ_H */
