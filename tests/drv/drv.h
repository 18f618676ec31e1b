/* drv.h - the per-version driver entry points the versions test calls. */
#ifndef DRV_H
#define DRV_H

#include <stddef.h>

struct physreq;

#define DRV_DECLS(v)							\
	void *drv_##v##_alloc(size_t);					\
	void *drv_##v##_zalloc(size_t);					\
	void drv_##v##_free(void *, size_t);				\
	int drv_##v##_level(void);					\
	void *drv_##v##_allocb(int);					\
	void *drv_##v##_copymsg(void *);				\
	void *drv_##v##_msgpullup(void *, int);				\
	void drv_##v##_freemsg(void *);					\
	int drv_##v##_testb(int);					\
	int drv_##v##_bufcall(int, void (*)(long), long);

DRV_DECLS(4)
DRV_DECLS(5)
DRV_DECLS(6)
DRV_DECLS(71)
DRV_DECLS(72)
DRV_DECLS(8)
DRV_DECLS(oddi)
void *drv_oddi_alloc_nodma(size_t);
void *drv_5_alloc64(size_t, struct physreq **);
unsigned long drv_5_totalmem(void);
void *drv_6_alloc64(size_t, struct physreq **);
void *drv_71_alloc64(size_t, struct physreq **);
void *drv_72_alloc64(size_t, struct physreq **);
void *drv_8_alloc64(size_t, struct physreq **);
unsigned long drv_4_vtop(void *);
unsigned long drv_5_vtop(void *);
unsigned long drv_6_vtop(void *);
unsigned long drv_71_vtop(void *);
unsigned long drv_oddi_vtop(void *);
struct proc;
unsigned long drv_4_uvtop(void *, struct proc *);
unsigned long drv_5_uvtop(void *, struct proc *);
unsigned long drv_6_uvtop(void *, struct proc *);
unsigned long drv_71_uvtop(void *, struct proc *);
unsigned long drv_oddi_uvtop(void *, struct proc *);
struct page;
#define DRV_MAP_DECLS(v)						\
	int drv_##v##_map_user(struct proc *, void *, size_t,		\
	    unsigned char *);						\
	int drv_##v##_map_pages(struct page *, size_t, size_t,		\
	    unsigned char *);
DRV_MAP_DECLS(4)
DRV_MAP_DECLS(5)
DRV_MAP_DECLS(6)
DRV_MAP_DECLS(71)
DRV_MAP_DECLS(oddi)
int drv_5_count_pages(struct page *);
int drv_71_raw(int, void *, int, int, int *);
unsigned char *drv_71_disk_image(void);
int drv_4_raw(int, void *, int, int, int *);
int drv_4_pageio(void *, int, int, unsigned long *, unsigned long *);
unsigned char *drv_4_disk_image(void);
int drv_5_raw(int, void *, int, int, int *);
unsigned char *drv_5_disk_image(void);
int drv_6_raw(int, void *, int, int, int *);
unsigned char *drv_6_disk_image(void);
int drv_6_count_pages(struct page *);
int drv_5_rdma(int, void *, int, int, unsigned long *, unsigned long *);
int drv_6_rdma(int, void *, int, int, unsigned long *, unsigned long *);
void drv_5_frames(void *, unsigned *, unsigned *);
void drv_6_frames(void *, unsigned *, unsigned *);
int drv_71_count_pages(struct page *);
void drv_5_preq_free(struct physreq *);
void drv_6_preq_free(struct physreq *);
void drv_71_preq_free(struct physreq *);
void drv_72_preq_free(struct physreq *);
void drv_8_preq_free(struct physreq *);
void *drv_5_physcontig(size_t, struct physreq **);
void *drv_6_physcontig(size_t, struct physreq **);

void *drv_5_allocb64(int, struct physreq **);
void *drv_6_allocb64(int, struct physreq **);
void *drv_71_allocb64(int, struct physreq **);
void *drv_72_allocb64(int, struct physreq **);
void *drv_8_allocb64(int, struct physreq **);
void *drv_6_msgphysreq64(void *);
void *drv_71_msgphysreq64(void *);
void *drv_72_msgphysreq64(void *);
void *drv_8_msgphysreq64(void *);

#endif
