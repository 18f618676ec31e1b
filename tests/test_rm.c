/*
 * test_rm.c - the resource manager: the database the spec's board= items
 * and the device models fill, the cm_* calls of every version that read
 * and change it, its transactions, the boards' configuration spaces, and
 * drv_gethardware's answers from the same boards.
 *
 * Built at DDI 8; the DDI 5 to 7.2 forms are called by their library
 * names (_Compat_cm_getval_5 and so on), as <sys/confmgr.h> binds them.
 */
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sys/types.h>
#include <sys/confmgr.h>
#include <sys/cm_i386at.h>
#include <sys/resmgr.h>
#include <sys/conf.h>
#include <sys/ipl.h>
#include <sys/ddi.h>

#include <ddicompat/ddisim.h>
#include <ddicompat/devsim.h>
#include <ddicompat/isadma.h>

#include "exports.h"
#include "lib/testutil.h"

/* drv_gethardware's parm values and structure (sys/ddi_i386at.h, which
   a DDI 8 unit does not see). */
#define PROC_INFO	0
#define IOBUS_TYPE	1
#define TOTAL_MEM	2
#define DMA_SIZE	3
#define BOOT_DEV	4
#define EISA_BRDID	6
#define BUS_ISA		1
#define BUS_EISA	2
#define BUS_MCA		3
#define BUS_PCI		4
struct cpuparms {
	ulong_t		cpu_id;
	ulong_t		cpu_step;
	ulong_t		cpu_resrvd[2];
};

#define SPEC_BOARDS							\
	"mem=64M,verify=count,"						\
	"board=xx:irq=5:ipl=6:itype=level:ioaddr=0x300-0x31f:"		\
	"memaddr=0xd0000-0xd3fff:dmac=1:bus=isa:unit=7,"		\
	"board=xx:irq=9:bus=eisa:slot=3:brdid=ABC1234:"			\
	"ioaddr=0x3000-0x303f:dmac=5:memaddr=0xe0000-0xe7fff,"		\
	"board=nic:bus=pci:brdid=80861229:irq=11:bindcpu=1"

/* Read one value with the DDI 7.1 form; its errno. */
static int
get71(rm_key_t key, const char *param, uint_t n, void *val, size_t len)
{
	cm_args_t a = { key, (char *)param, val, len, n };

	return _Compat_cm_getval_7_1(&a);
}

static cm_num_t
num71(rm_key_t key, const char *param)
{
	cm_num_t v = 0xdeadbeef;

	ck_assert_int_eq(get71(key, param, 0, &v, sizeof(v)), 0);
	return v;
}

/* ---- core ---- */

START_TEST(spec_boards_read)
{
	rm_key_t k0, k1, k2;
	cm_range_t r;
	char name[32];
	cm_args_t a;
	cm_num_t v;

	MACHINE_UP(SPEC_BOARDS);
	ck_assert_uint_eq(ddisim_rm_nkeys(), 3);
	ck_assert_uint_eq(_Compat_cm_getnbrd("xx"), 2);
	ck_assert_uint_eq(_Compat_cm_getnbrd("nic"), 1);
	ck_assert_uint_eq(_Compat_cm_getnbrd("none"), 0);
	ck_assert_uint_eq(_Compat_cm_getnbrd(NULL), 0);
	k0 = _Compat_cm_getbrdkey("xx", 0);
	k1 = _Compat_cm_getbrdkey("xx", 1);
	k2 = _Compat_cm_getbrdkey("nic", 0);
	ck_assert_uint_ne(k0, RM_NULL_KEY);
	ck_assert_uint_ne(k1, RM_NULL_KEY);
	ck_assert_uint_ne(k0, k1);
	ck_assert_uint_eq(_Compat_cm_getbrdkey("xx", 2), RM_NULL_KEY);
	ck_assert_uint_eq(_Compat_cm_getbrdkey("none", 0), RM_NULL_KEY);

	ck_assert_uint_eq(num71(k0, CM_IRQ), 5);
	ck_assert_uint_eq(num71(k0, CM_IPL), 6);
	ck_assert_uint_eq(num71(k0, CM_ITYPE), CM_ITYPE_LEVEL);
	ck_assert_uint_eq(num71(k0, CM_DMAC), 1);
	ck_assert_uint_eq(num71(k0, CM_UNIT), 7);
	ck_assert_uint_eq(num71(k0, CM_BRDBUSTYPE), CM_BUS_ISA);
	ck_assert_uint_eq(num71(k0, CM_ENTRYTYPE), CM_ENTRY_DEFAULT);
	ck_assert_int_eq(get71(k0, CM_IOADDR, 0, &r, sizeof(r)), 0);
	ck_assert_uint_eq(r.startaddr, 0x300);
	ck_assert_uint_eq(r.endaddr, 0x31f);
	ck_assert_int_eq(get71(k0, CM_MEMADDR, 0, &r, sizeof(r)), 0);
	ck_assert_uint_eq(r.startaddr, 0xd0000);
	ck_assert_uint_eq(r.endaddr, 0xd3fff);
	ck_assert_int_eq(get71(k0, CM_MODNAME, 0, name, sizeof(name)), 0);
	ck_assert_str_eq(name, "xx");
	/* an absent parameter, and a value past the last */
	ck_assert_int_eq(get71(k0, CM_SLOT, 0, &v, sizeof(v)), ENOENT);
	ck_assert_int_eq(get71(k0, CM_IRQ, 1, &v, sizeof(v)), ENOENT);
	/* too small a buffer: ENOSPC, and the length it needs */
	a = (cm_args_t){ k0, (char *)CM_MODNAME, name, 1, 0 };
	ck_assert_int_eq(_Compat_cm_getval_7_1(&a), ENOSPC);
	ck_assert_uint_eq(a.cm_vallen, 3);
	/* a bad key or parameter */
	ck_assert_int_eq(get71(999, CM_IRQ, 0, &v, sizeof(v)), EINVAL);
	ck_assert_int_eq(get71(k0, NULL, 0, &v, sizeof(v)), EINVAL);
	ck_assert_int_eq(_Compat_cm_getval_7_1(NULL), EINVAL);

	ck_assert_uint_eq(num71(k1, CM_BRDBUSTYPE), CM_BUS_EISA);
	ck_assert_uint_eq(num71(k1, CM_SLOT), 3);
	ck_assert_int_eq(get71(k1, CM_BRDID, 0, name, sizeof(name)), 0);
	ck_assert_str_eq(name, "ABC1234");
	ck_assert_uint_eq(num71(k1, CM_IPL), 5);	/* the default */
	ck_assert_uint_eq(num71(k1, CM_ITYPE), CM_ITYPE_EDGE);
	ck_assert_uint_eq(num71(k2, CM_BINDCPU), 1);
	ck_assert_uint_eq(num71(k2, CM_BRDBUSTYPE), CM_BUS_PCI);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	MACHINE_DOWN();
}
END_TEST

START_TEST(pre8_add_del_version)
{
	rm_key_t k;
	cm_num_t v = 42, got;
	cm_args_t a;
	int ver;

	MACHINE_UP(SPEC_BOARDS);
	k = _Compat_cm_getbrdkey("xx", 0);
	ver = _Compat_cm_getversion();
	a = (cm_args_t){ k, (char *)"MYPARAM", &v, sizeof(v), 0 };
	ck_assert_int_eq(_Compat_cm_addval(&a), 0);
	ck_assert_int_gt(_Compat_cm_getversion(), ver);
	v = 43;
	ck_assert_int_eq(_Compat_cm_addval(&a), 0);
	ck_assert_int_eq(get71(k, "MYPARAM", 0, &got, sizeof(got)), 0);
	ck_assert_uint_eq(got, 42);
	ck_assert_int_eq(get71(k, "MYPARAM", 1, &got, sizeof(got)), 0);
	ck_assert_uint_eq(got, 43);
	/* a second IRQ for a board with two lines */
	v = 10;
	a.cm_param = (char *)CM_IRQ;
	ck_assert_int_eq(_Compat_cm_addval(&a), 0);
	ck_assert_int_eq(get71(k, CM_IRQ, 1, &got, sizeof(got)), 0);
	ck_assert_uint_eq(got, 10);
	/* one cm_delval takes every value */
	a.cm_param = (char *)"MYPARAM";
	ck_assert_int_eq(_Compat_cm_delval(&a), 0);
	ck_assert_int_eq(get71(k, "MYPARAM", 0, &got, sizeof(got)), ENOENT);
	/* the read-only parameters */
	a.cm_param = (char *)CM_MODNAME;
	ck_assert_int_eq(_Compat_cm_addval(&a), EINVAL);
	ck_assert_int_eq(_Compat_cm_delval(&a), EINVAL);
	a.cm_param = (char *)CM_BRDBUSTYPE;
	ck_assert_int_eq(_Compat_cm_delval(&a), EINVAL);
	a.cm_key = 12345;
	a.cm_param = (char *)"MYPARAM";
	ck_assert_int_eq(_Compat_cm_addval(&a), EINVAL);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	MACHINE_DOWN();
}
END_TEST

/* DDI 5 to 7 did not know the I2O and system buses; 7.1 on do. */
START_TEST(getval_versions)
{
	struct ddisim_board b = { .modname = "i2o", .bus = CM_BUS_I2O };
	cm_args_t a;
	cm_num_t v;
	rm_key_t k;

	MACHINE_UP("mem=64M,verify=count");
	k = ddisim_rm_add_board(&b);
	ck_assert_uint_ne(k, 0);
	a = (cm_args_t){ k, (char *)CM_BRDBUSTYPE, &v, sizeof(v), 0 };
	ck_assert_int_eq(_Compat_cm_getval_5(&a), 0);
	ck_assert_uint_eq(v, CM_BUS_UNK);
	ck_assert_int_eq(_Compat_cm_getval_7_1(&a), 0);
	ck_assert_uint_eq(v, CM_BUS_I2O);
	cm_begin_trans(k, RM_READ);
	ck_assert_int_eq(cm_getval(&a), 0);
	ck_assert_uint_eq(v, CM_BUS_I2O);
	cm_end_trans(k);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	ck_assert_int_eq(ddisim_rm_remove_board(k), 0);
	ck_assert_uint_eq(ddisim_rm_nkeys(), 0);
	MACHINE_DOWN();
}
END_TEST

/* DDI 8: what a read/write transaction changes shows at its end only. */
struct peek {
	rm_key_t	key;
	int		mode;
	int		stage;		/* atomic */
	int		rc;
	cm_num_t	val;
};

static void *
peek_thread(void *arg)
{
	struct peek *p = arg;
	cm_args_t a = { p->key, (char *)"V", &p->val, sizeof(p->val), 0 };

	cm_begin_trans(p->key, p->mode);
	__atomic_store_n(&p->stage, 1, __ATOMIC_RELEASE);
	p->rc = cm_getval(&a);
	cm_end_trans(p->key);
	return NULL;
}

START_TEST(transactions)
{
	rm_key_t k, nk;
	cm_num_t v = 1, got;
	struct peek pk;
	pthread_t t;
	cm_args_t a;
	int ver;

	MACHINE_UP(SPEC_BOARDS);
	k = _Compat_cm_getbrdkey("xx", 0);
	a = (cm_args_t){ k, (char *)"V", &v, sizeof(v), 0 };

	/* committed */
	cm_begin_trans(k, RM_RDWR);
	ck_assert_int_eq(cm_addval(&a), 0);
	ver = _Compat_cm_getversion();
	/* the context's own reads see the change; another's wait */
	got = 0;
	ck_assert_int_eq(cm_getval(&(cm_args_t){ k, (char *)"V", &got,
	    sizeof(got), 0 }), 0);
	ck_assert_uint_eq(got, 1);
	pk = (struct peek){ .key = k, .mode = RM_READ };
	pthread_create(&t, NULL, peek_thread, &pk);
	usleep(50000);
	/* the reader waits */
	ck_assert_int_eq(__atomic_load_n(&pk.stage, __ATOMIC_ACQUIRE), 0);
	cm_end_trans(k);
	pthread_join(t, NULL);
	ck_assert_int_eq(pk.rc, 0);
	ck_assert_uint_eq(pk.val, 1);
	ck_assert_int_gt(_Compat_cm_getversion(), ver);

	/* aborted */
	cm_begin_trans(k, RM_RDWR);
	ck_assert_int_eq(cm_delval(&a), 0);
	ck_assert_int_eq(cm_getval(&(cm_args_t){ k, (char *)"V", &got,
	    sizeof(got), 0 }), ENOENT);
	cm_abort_trans(k);
	ck_assert_uint_eq(num71(k, "V"), 1);

	/* readers share: a second reader does not wait */
	cm_begin_trans(k, RM_READ);
	pk = (struct peek){ .key = k, .mode = RM_READ };
	pthread_create(&t, NULL, peek_thread, &pk);
	pthread_join(t, NULL);
	ck_assert_int_eq(pk.rc, 0);
	/* and a writer waits for them */
	pk = (struct peek){ .key = k, .mode = RM_RDWR };
	pthread_create(&t, NULL, peek_thread, &pk);
	usleep(50000);
	ck_assert_int_eq(__atomic_load_n(&pk.stage, __ATOMIC_ACQUIRE), 0);
	cm_end_trans(k);
	pthread_join(t, NULL);
	ck_assert_int_eq(__atomic_load_n(&pk.stage, __ATOMIC_ACQUIRE), 1);

	/* a new key shows when its creator ends the transaction */
	nk = cm_newkey(k, B_FALSE);
	ck_assert_uint_ne(nk, RM_NULL_KEY);
	a.cm_key = nk;
	v = 77;
	ck_assert_int_eq(cm_addval(&a), 0);
	ck_assert_int_eq(get71(nk, "V", 0, &got, sizeof(got)), 0);
	cm_end_trans(nk);
	ck_assert_uint_eq(num71(nk, "V"), 77);
	ck_assert_uint_eq(ddisim_rm_nkeys(), 4);
	/* cm_delkey in a read/write transaction */
	cm_begin_trans(nk, RM_RDWR);
	ck_assert_int_eq(cm_delkey(nk), 0);
	ck_assert_int_eq(get71(nk, "V", 0, &got, sizeof(got)), EINVAL);
	ck_assert_uint_eq(ddisim_rm_nkeys(), 3);
	/* an aborted new key never was */
	nk = cm_newkey(RM_NULL_KEY, B_TRUE);
	ck_assert_uint_ne(nk, RM_NULL_KEY);
	cm_abort_trans(nk);
	ck_assert_uint_eq(ddisim_rm_nkeys(), 3);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	MACHINE_DOWN();
}
END_TEST

START_TEST(config_space)
{
	rm_key_t isa, eisa, pci;
	unsigned char buf[512];
	struct eisa_irq_info irq;
	struct eisa_port_info port;
	struct eisa_dma_info dma;
	struct eisa_mem_info mem;
	uchar_t b8;
	ushort_t b16;
	ulong_t b32;
	size_t n;

	MACHINE_UP(SPEC_BOARDS);
	isa = _Compat_cm_getbrdkey("xx", 0);
	eisa = _Compat_cm_getbrdkey("xx", 1);
	pci = _Compat_cm_getbrdkey("nic", 0);
	/* ISA: none */
	ck_assert_uint_eq(cm_devconfig_size(isa), 0);
	ck_assert_int_eq(cm_read_devconfig8(isa, 0, &b8), ENOENT);
	ck_assert_int_eq(cm_read_devconfig(isa, 0, buf, 4), 0);
	/* PCI: the header's IDs, all widths, little-endian */
	ck_assert_uint_eq(cm_devconfig_size(pci), 256);
	ck_assert_int_eq(cm_read_devconfig16(pci, 0, &b16), 0);
	ck_assert_uint_eq(b16, 0x8086);
	ck_assert_int_eq(cm_read_devconfig16(pci, 2, &b16), 0);
	ck_assert_uint_eq(b16, 0x1229);
	ck_assert_int_eq(cm_read_devconfig32(pci, 0, &b32), 0);
	ck_assert_uint_eq(b32, 0x12298086);
	ck_assert_int_eq(cm_read_devconfig8(pci, 0x3c, &b8), 0);
	ck_assert_uint_eq(b8, 11);
	b32 = 0xfeedface;
	ck_assert_int_eq(cm_write_devconfig32(pci, 0x40, &b32), 0);
	ck_assert_int_eq(cm_read_devconfig8(pci, 0x43, &b8), 0);
	ck_assert_uint_eq(b8, 0xfe);
	b16 = 0x1234;
	ck_assert_int_eq(cm_write_devconfig16(pci, 0x44, &b16), 0);
	b8 = 0x56;
	ck_assert_int_eq(cm_write_devconfig8(pci, 0x46, &b8), 0);
	ck_assert_int_eq(cm_read_devconfig(pci, 0x44, buf, 3), 3);
	ck_assert_uint_eq(buf[0], 0x34);
	ck_assert_uint_eq(buf[2], 0x56);
	memset(buf, 0xa5, 8);
	ck_assert_int_eq(cm_write_devconfig(pci, 0x48, buf, 8), 8);
	ck_assert_int_eq(cm_read_devconfig32(pci, 0x4c, &b32), 0);
	ck_assert_uint_eq(b32, 0xa5a5a5a5);
	/* the whole space, read in one piece */
	n = cm_devconfig_size(eisa);
	ck_assert_uint_eq(n, 12 + 320);
	ck_assert_int_eq(cm_read_devconfig(eisa, 0, buf, sizeof(buf)),
	    (int)n);
	/* EISA: bytes only, and the resources parse back */
	ck_assert_int_eq(cm_read_devconfig16(eisa, 0, &b16), ENOENT);
	ck_assert_int_eq(eisa_parse_devconfig(buf, &irq, EISA_IRQ, 0), 0);
	ck_assert_uint_eq(irq.irq, 9);
	ck_assert_uint_eq(irq.level, 0);
	ck_assert_int_eq(eisa_parse_devconfig(buf, &irq, EISA_IRQ, 1), ENOENT);
	ck_assert_int_eq(eisa_parse_devconfig(buf, &port, EISA_PORT, 0), 0);
	ck_assert_uint_eq(port.address, 0x3000);
	ck_assert_uint_eq(port.count, 32);
	ck_assert_int_eq(eisa_parse_devconfig(buf, &port, EISA_PORT, 1), 0);
	ck_assert_uint_eq(port.address, 0x3020);
	ck_assert_int_eq(eisa_parse_devconfig(buf, &port, EISA_PORT, 2),
	    ENOENT);
	ck_assert_int_eq(eisa_parse_devconfig(buf, &dma, EISA_DMA, 0), 0);
	ck_assert_uint_eq(dma.channel, 5);
	ck_assert_int_eq(eisa_parse_devconfig(buf, &mem, EISA_MEM, 0), 0);
	ck_assert_uint_eq(mem.address, 0xe0000);
	ck_assert_uint_eq(mem.size, 0x8000);
	ck_assert_int_eq(eisa_parse_devconfig(buf, &mem, 9, 0), EINVAL);
	ck_assert_int_eq(eisa_parse_devconfig(NULL, &mem, EISA_MEM, 0),
	    EINVAL);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	MACHINE_DOWN();
}
END_TEST

START_TEST(at_putconf)
{
	cm_range_t r;
	rm_key_t k;

	MACHINE_UP(SPEC_BOARDS);
	k = _Compat_cm_getbrdkey("xx", 0);
	ck_assert_int_eq(cm_AT_putconf(k, 7, CM_ITYPE_EDGE, 0x280, 0x29f,
	    0, 0, 3, CM_SET_IRQ | CM_SET_ITYPE | CM_SET_IOADDR | CM_SET_DMAC,
	    1), 0);
	ck_assert_uint_eq(num71(k, CM_IRQ), 7);
	ck_assert_int_eq(get71(k, CM_IRQ, 1, &r, sizeof(r)), ENOENT);
	ck_assert_uint_eq(num71(k, CM_ITYPE), CM_ITYPE_EDGE);
	ck_assert_uint_eq(num71(k, CM_DMAC), 3);
	ck_assert_uint_eq(num71(k, CM_ENTRYTYPE), CM_ENTRY_DRVOWNED);
	ck_assert_int_eq(get71(k, CM_IOADDR, 0, &r, sizeof(r)), 0);
	ck_assert_uint_eq(r.startaddr, 0x280);
	ck_assert_uint_eq(r.endaddr, 0x29f);
	/* untouched: the memory range */
	ck_assert_int_eq(get71(k, CM_MEMADDR, 0, &r, sizeof(r)), 0);
	ck_assert_uint_eq(r.startaddr, 0xd0000);
	/* refused, and nothing changed */
	ck_assert_int_eq(cm_AT_putconf(k, 9, 0, 0x300, 0x200, 0, 0, 0,
	    CM_SET_IRQ | CM_SET_IOADDR, 0), EINVAL);
	ck_assert_int_eq(cm_AT_putconf(999, 9, 0, 0, 0, 0, 0, 0, CM_SET_IRQ,
	    0), EINVAL);
	ck_assert_int_eq(cm_AT_putconf(k, 9, 0, 0, 0, 0, 0, 0, 0x100, 0),
	    EINVAL);
	ck_assert_uint_eq(num71(k, CM_IRQ), 7);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	MACHINE_DOWN();
}
END_TEST

START_TEST(gethardware)
{
	struct cpuparms cp;
	ulong_t v;

	MACHINE_UP("mem=64M,verify=count");
	ck_assert_int_eq(_Compat_drv_gethardware(IOBUS_TYPE, &v), 0);
	ck_assert_uint_eq(v, BUS_ISA);
	ck_assert_int_eq(_Compat_drv_gethardware(DMA_SIZE, &v), 0);
	ck_assert_uint_eq(v, 24);
	ck_assert_int_eq(_Compat_drv_gethardware(TOTAL_MEM, &v), 0);
	ck_assert_uint_eq(v, 64u << 20);
	ck_assert_int_eq(_Compat_drv_gethardware(PROC_INFO, &cp), 0);
	ck_assert_uint_eq(cp.cpu_id, 4);	/* CPU_i686 */
	ck_assert_int_eq(_Compat_drv_gethardware(BOOT_DEV, &v), -1);
	ck_assert_int_eq(_Compat_drv_gethardware(EISA_BRDID, &v), -1);
	ck_assert_int_eq(_Compat_drv_gethardware(99, &v), -1);
	MACHINE_DOWN();

	MACHINE_UP(SPEC_BOARDS);
	ck_assert_int_eq(_Compat_drv_gethardware(IOBUS_TYPE, &v), 0);
	ck_assert_uint_eq(v, BUS_EISA);
	ck_assert_int_eq(_Compat_drv_gethardware(DMA_SIZE, &v), 0);
	ck_assert_uint_eq(v, 32);
	v = 3;
	ck_assert_int_eq(_Compat_drv_gethardware(EISA_BRDID, &v), 0);
	/* "ABC" in 5-bit letters, then 0x1234 */
	ck_assert_uint_eq(v, (ulong_t)((1u << 10 | 2u << 5 | 3u) << 16 |
	    0x1234));
	v = 4;
	ck_assert_int_eq(_Compat_drv_gethardware(EISA_BRDID, &v), 0);
	ck_assert_uint_eq(v, (ulong_t)-1);
	MACHINE_DOWN();

	/* a PCI machine: DDI 7.2 says so; earlier versions knew ISA only */
	MACHINE_UP("mem=8G,verify=count,board=nic:bus=pci");
	ck_assert_int_eq(_Compat_drv_gethardware(IOBUS_TYPE, &v), 0);
	ck_assert_uint_eq(v, BUS_ISA);
	ck_assert_int_eq(_Compat_drv_gethardware_7_2(IOBUS_TYPE, &v), 0);
	ck_assert_uint_eq(v, BUS_PCI);
	ck_assert_int_eq(_Compat_drv_gethardware(TOTAL_MEM, &v), 0);
	ck_assert_uint_eq(v, 0xffffffffu);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	MACHINE_DOWN();
}
END_TEST

/* A device model is a board; its key attaches the interrupt. */
static int dev_intrs;	/* atomic */

static int
dev_intr(void *arg)
{
	(void)arg;
	__atomic_add_fetch(&dev_intrs, 1, __ATOMIC_RELAXED);
	return ISTAT_ASSERTED;
}

START_TEST(device_model_board)
{
	struct ddisim_dma_config c = {
		.model = DDISIM_DMA_SINGLE, .addr_bits = 32,
		.capacity = 4096, .port = 0x500, .irq = 10, .name = "toydma",
	};
	drvinfo_t info = { NULL, "toydma", D_MP, NULL, 0 };
	ddisim_dma_t *d;
	void *cookie = NULL;
	cm_range_t r;
	rm_key_t k;

	MACHINE_UP("mem=64M,verify=count");
	d = ddisim_dma_create(&c);
	ck_assert_ptr_nonnull(d);
	k = ddisim_dma_key(d);
	ck_assert_uint_ne(k, 0);
	ck_assert_uint_eq(_Compat_cm_getbrdkey("toydma", 0), k);
	ck_assert_uint_eq(num71(k, CM_IRQ), 10);
	ck_assert_uint_eq(num71(k, CM_BRDBUSTYPE), CM_BUS_PCI);
	ck_assert_int_eq(get71(k, CM_IOADDR, 0, &r, sizeof(r)), 0);
	ck_assert_uint_eq(r.startaddr, 0x500);
	ck_assert_uint_eq(r.endaddr, 0x500 + DDISIM_DMA_NPORTS - 1);
	ck_assert_int_eq(cm_intr_attach(k, dev_intr, NULL, &info, &cookie),
	    1);
	ck_assert_int_eq(ddisim_intr_raise(10), 1);
	ck_assert_int_eq(__atomic_load_n(&dev_intrs, __ATOMIC_RELAXED), 1);
	cm_intr_detach(cookie);
	ddisim_dma_destroy(d);
	ck_assert_uint_eq(_Compat_cm_getnbrd("toydma"), 0);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	MACHINE_DOWN();
}
END_TEST

/* A device on the system DMA controller is an ISA board too. */
START_TEST(isa_dma_device_board)
{
	ddisim_isadev_t *d, *d2;
	rm_key_t k;
	cm_num_t v;

	MACHINE_UP("mem=64M,verify=count");
	d = ddisim_isadev_create(2, 6, 4096, "fdc");
	ck_assert_ptr_nonnull(d);
	k = _Compat_cm_getbrdkey("fdc", 0);
	ck_assert_uint_ne(k, RM_NULL_KEY);
	ck_assert_uint_eq(num71(k, CM_DMAC), 2);
	ck_assert_uint_eq(num71(k, CM_IRQ), 6);
	ck_assert_uint_eq(num71(k, CM_BRDBUSTYPE), CM_BUS_ISA);
	/* without an interrupt line, no CM_IRQ */
	d2 = ddisim_isadev_create(3, -1, 4096, "tape");
	ck_assert_ptr_nonnull(d2);
	k = _Compat_cm_getbrdkey("tape", 0);
	ck_assert_int_eq(get71(k, CM_IRQ, 0, &v, sizeof(v)), ENOENT);
	ddisim_isadev_destroy(d);
	ck_assert_uint_eq(_Compat_cm_getnbrd("fdc"), 0);
	ck_assert_uint_eq(ddisim_rm_nkeys(), 1);
	/* d2 dies with the machine, its board with it */
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	MACHINE_DOWN();
}
END_TEST

/* ---- limits ---- */

START_TEST(limits)
{
	unsigned char big[DDISIM_RM_CFGMAX + 1];
	struct ddisim_board b = { .modname = "big", .bus = CM_BUS_PCI,
	    .config = big, .config_len = DDISIM_RM_CFGMAX };
	rm_key_t keys[1024], k;
	cm_num_t v = 1;
	cm_args_t a;
	unsigned n;
	uchar_t b8;

	memset(big, 0x5a, sizeof(big));
	MACHINE_UP("mem=64M,verify=count");
	/* a configuration space of the largest size */
	k = ddisim_rm_add_board(&b);
	ck_assert_uint_ne(k, 0);
	ck_assert_uint_eq(cm_devconfig_size(k), DDISIM_RM_CFGMAX);
	ck_assert_int_eq(cm_read_devconfig(k, DDISIM_RM_CFGMAX - 2, big, 8),
	    2);
	ck_assert_int_eq(cm_read_devconfig(k, DDISIM_RM_CFGMAX, big, 8), 0);
	ck_assert_int_eq(cm_read_devconfig(k, DDISIM_RM_CFGMAX + 1, big, 8),
	    -1);
	ck_assert_int_eq(cm_read_devconfig8(k, DDISIM_RM_CFGMAX - 1, &b8), 0);
	ck_assert_int_eq(cm_read_devconfig8(k, DDISIM_RM_CFGMAX, &b8), EINVAL);
	ck_assert_int_eq(cm_read_devconfig16(k, 1, (ushort_t *)big), EINVAL);
	/* values: 64 of a parameter, 4096 bytes each */
	a = (cm_args_t){ k, (char *)"P", &v, sizeof(v), 0 };
	for (n = 0; n < 64; n++)
		ck_assert_int_eq(_Compat_cm_addval(&a), 0);
	ck_assert_int_eq(_Compat_cm_addval(&a), ENOSPC);
	a = (cm_args_t){ k, (char *)"Q", big, 4096, 0 };
	ck_assert_int_eq(_Compat_cm_addval(&a), 0);
	a.cm_vallen = 4097;
	ck_assert_int_eq(_Compat_cm_addval(&a), ENOSPC);
	/* keys: 1024 in all, then none */
	for (n = 0; n < 1023; n++) {
		keys[n] = cm_newkey(k, B_FALSE);
		ck_assert_uint_ne(keys[n], RM_NULL_KEY);
		cm_end_trans(keys[n]);
	}
	ck_assert_uint_eq(ddisim_rm_nkeys(), 1024);
	ck_assert_uint_eq(cm_newkey(k, B_FALSE), RM_NULL_KEY);
	/* a freed key is given out again */
	cm_begin_trans(keys[10], RM_RDWR);
	ck_assert_int_eq(cm_delkey(keys[10]), 0);
	k = cm_newkey(RM_NULL_KEY, B_FALSE);
	ck_assert_uint_eq(k, keys[10]);
	cm_end_trans(k);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	MACHINE_DOWN();
}
END_TEST

START_TEST(spec_rejects)
{
	static const char *const bad[] = {
		"board=",
		"board=x:irq=64",
		"board=x:ipl=8",
		"board=x:bus=vme",
		"board=x:ioaddr=0x300",
		"board=x:ioaddr=0x300-0x10000",
		"board=x:memaddr=0x2000-0x1000",
		"board=x:dmac=8",
		"board=x:color=red",
		"board=x:brdid=0123456789abcdef",
		"board=abcdefghijabcdefghijabcdefghijabc",
	};
	char spec[1024];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_int_eq(ddisim_init(bad[i]), EINVAL);
		ck_assert_msg(strstr(ddisim_init_error(), "board") != NULL,
		    "%s: %s", bad[i], ddisim_init_error());
	}
	strcpy(spec, "mem=64M");
	for (int i = 0; i < 17; i++)
		strcat(spec, ",board=b:irq=3");
	ck_assert_int_eq(ddisim_init(spec), EINVAL);
	ck_assert_contains(ddisim_init_error(), "at most 16 boards");
}
END_TEST

/* ---- misuse ---- */

#define NRM_MISUSE 14
static const char *const rm_misuse_text[NRM_MISUSE] = {
	"cm_addval: key 1: no read/write transaction",
	"cm_addval: key 1: no read/write transaction (cm_begin_trans with "
	    "RM_RDWR), only a read-only one",
	"cm_getval: key 1: no transaction (cm_begin_trans)",
	"cm_end_trans: key 1: no transaction of this context to end",
	"cm_abort_trans: key 1: no transaction of this context to abort",
	"cm_begin_trans: mode 7 is not RM_READ or RM_RDWR",
	"cm_begin_trans: key 1 is already in this context's transaction",
	"cm_begin_trans: key 77 is not a resource manager key",
	"cm_delkey: key 1: no read/write transaction",
	"cm_read_devconfig: a transaction on key 1 is pending in this context",
	"ddisim_rm_add_board: modname is not 1 to 31 characters",
	"drv_gethardware: NULL value_p",
	"cm_newkey: parent 77 is not a resource manager key",
	"cm_begin_trans: key 2: a transaction on key 1 is still pending",
};

/* The misuse itself, in a function of its own: the reports name it. */
__attribute__((noinline)) void rm_misuse_site(int which, rm_key_t k);
__attribute__((noinline)) void
rm_misuse_site(int which, rm_key_t k)
{
	struct ddisim_board b = { .modname = "" };
	cm_num_t v = 1;
	cm_args_t a = { k, (char *)"P", &v, sizeof(v), 0 };
	char buf[4];

	switch (which) {
	case 0:
		(void)cm_addval(&a);
		break;
	case 1:
		cm_begin_trans(k, RM_READ);
		(void)cm_addval(&a);
		cm_end_trans(k);
		break;
	case 2:
		(void)cm_getval(&a);
		break;
	case 3:
		cm_end_trans(k);
		break;
	case 4:
		cm_abort_trans(k);
		break;
	case 5:
		cm_begin_trans(k, 7);
		break;
	case 6:
		cm_begin_trans(k, RM_READ);
		cm_begin_trans(k, RM_READ);
		cm_end_trans(k);
		break;
	case 7:
		cm_begin_trans(77, RM_READ);
		break;
	case 8:
		(void)cm_delkey(k);
		break;
	case 9:
		cm_begin_trans(k, RM_READ);
		(void)cm_read_devconfig(k, 0, buf, sizeof(buf));
		cm_end_trans(k);
		break;
	case 10:
		(void)ddisim_rm_add_board(&b);
		break;
	case 11:
		(void)_Compat_drv_gethardware(IOBUS_TYPE, NULL);
		break;
	case 12:
		(void)cm_newkey(77, B_FALSE);
		break;
	default:
		cm_begin_trans(k, RM_READ);
		cm_begin_trans(k + 1, RM_READ);
		cm_end_trans(k + 1);
		cm_end_trans(k);
		break;
	}
}

static void
rm_misuse(int which)
{
	unsigned long n = ddisim_verify_count();
	rm_key_t k = _Compat_cm_getbrdkey("xx", 0);
	cm_num_t v;

	ck_assert_uint_eq(k, 1);
	rm_misuse_site(which, k);
	REPORTED(n, rm_misuse_text[which]);
	ck_assert_contains(ddisim_verify_last(), "(called from rm_misuse_site");
	/* nothing changed, nothing is left pending */
	ck_assert_int_eq(get71(k, "P", 0, &v, sizeof(v)), ENOENT);
	ck_assert_uint_eq(ddisim_rm_nkeys(), 3);
	cm_begin_trans(k, RM_RDWR);
	cm_end_trans(k);
	ck_assert_uint_eq(ddisim_verify_count(), n + 1);
}

START_TEST(rm_misuse_counted)
{
	MACHINE_UP(SPEC_BOARDS);
	rm_misuse(_i);
	MACHINE_DOWN();
}
END_TEST

START_TEST(rm_misuse_aborts)
{
	MACHINE_UP("mem=64M,board=xx:irq=5,board=xx:irq=6,board=nic:irq=7");
	rm_misuse(_i);
}
END_TEST

/* ---- property: the database against a model ---- */

#define PK	8	/* keys the model follows */
#define PP	3	/* parameters */
#define PV	6	/* values a parameter may hold in the model */

struct mkey {
	rm_key_t	key;		/* 0: none */
	unsigned	nval[PP];
	uint32_t	val[PP][PV];
};

static const char *const pname[PP] = { "A", "B", "C" };

static void
model_check(const struct mkey *m)
{
	for (int p = 0; p < PP; p++) {
		for (unsigned i = 0; i <= m->nval[p]; i++) {
			uint32_t got = 0;
			int rc = get71(m->key, pname[p], i, &got, sizeof(got));

			if (i == m->nval[p]) {
				ck_assert_int_eq(rc, ENOENT);
			} else {
				ck_assert_int_eq(rc, 0);
				ck_assert_uint_eq(got, m->val[p][i]);
			}
		}
	}
}

START_TEST(database_model)
{
	long iters = prop_floor(prop_iters(3000), 400);
	struct mkey m[PK], shadow;
	unsigned seen[8] = { 0 };
	int ver = 0;

	prop_seed(0x524d);
	memset(m, 0, sizeof(m));
	MACHINE_UP("mem=64M,verify=count");
	for (long it = 0; it < iters; it++) {
		int s = (int)rndn(PK), p = (int)rndn(PP);
		struct mkey *k = &m[s];
		unsigned op = (unsigned)rndn(7);
		uint32_t v = (uint32_t)rnd();
		cm_args_t a = { k->key, (char *)pname[p], &v, sizeof(v), 0 };
		int nv;

		if (k->key == 0)
			op = 0;			/* make it first */
		switch (op) {
		case 0:		/* cm_newkey, committed or not */
			if (k->key != 0)
				break;
			k->key = cm_newkey(RM_NULL_KEY, B_FALSE);
			ck_assert_uint_ne(k->key, RM_NULL_KEY);
			if (rndn(4) == 0) {
				cm_abort_trans(k->key);
				ck_assert_int_eq(get71(k->key, "A", 0, &v,
				    sizeof(v)), EINVAL);
				memset(k, 0, sizeof(*k));
				seen[1]++;
			} else {
				cm_end_trans(k->key);
				memset(k->nval, 0, sizeof(k->nval));
				seen[0]++;
			}
			break;
		case 1:		/* cm_addval, DDI 5 to 7.2 */
			if (k->nval[p] == PV)
				break;
			ck_assert_int_eq(_Compat_cm_addval(&a), 0);
			k->val[p][k->nval[p]++] = v;
			seen[2]++;
			break;
		case 2:		/* cm_delval, DDI 5 to 7.2 */
			ck_assert_int_eq(_Compat_cm_delval(&a), 0);
			k->nval[p] = 0;
			seen[3]++;
			break;
		case 3:		/* a DDI 8 transaction of adds and deletes */
			shadow = *k;
			cm_begin_trans(k->key, RM_RDWR);
			nv = (int)rndn(4);
			for (int j = 0; j < nv; j++) {
				p = (int)rndn(PP);
				a.cm_param = (char *)pname[p];
				v = (uint32_t)rnd();
				if (rndn(3) == 0) {
					ck_assert_int_eq(cm_delval(&a), 0);
					shadow.nval[p] = 0;
				} else if (shadow.nval[p] < PV) {
					ck_assert_int_eq(cm_addval(&a), 0);
					shadow.val[p][shadow.nval[p]++] = v;
				}
			}
			model_check(&shadow);	/* its own view */
			if (rndn(3) == 0) {
				cm_abort_trans(k->key);
				seen[4]++;
			} else {
				cm_end_trans(k->key);
				*k = shadow;
				seen[5]++;
			}
			break;
		case 4:		/* cm_delkey */
			if (rndn(4) != 0)
				break;
			cm_begin_trans(k->key, RM_RDWR);
			ck_assert_int_eq(cm_delkey(k->key), 0);
			ck_assert_int_eq(get71(k->key, "A", 0, &v, sizeof(v)),
			    EINVAL);
			memset(k, 0, sizeof(*k));
			seen[6]++;
			break;
		default:	/* read it all, DDI 8 */
			cm_begin_trans(k->key, RM_READ);
			for (p = 0; p < PP; p++)
				for (unsigned i = 0; i < k->nval[p]; i++) {
					uint32_t got;
					cm_args_t g = { k->key,
					    (char *)pname[p], &got,
					    sizeof(got), i };

					ck_assert_int_eq(cm_getval(&g), 0);
					ck_assert_uint_eq(got, k->val[p][i]);
				}
			cm_end_trans(k->key);
			seen[7]++;
			break;
		}
		if (k->key != 0)
			model_check(k);
		/* cm_getversion never goes back */
		ck_assert_int_ge(_Compat_cm_getversion(), ver);
		ver = _Compat_cm_getversion();
	}
	for (int s = 0; s < PK; s++)
		if (m[s].key != 0)
			model_check(&m[s]);
	for (int i = 0; i < 8; i++)
		ck_assert_msg(seen[i] > 0, "operation %d never ran", i);
	ck_assert_uint_eq(ddisim_verify_count(), 0);
	MACHINE_DOWN();
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("rm");
	TCase *tc;

	tc = tcase_new("core");
	tcase_add_test(tc, spec_boards_read);
	tcase_add_test(tc, pre8_add_del_version);
	tcase_add_test(tc, getval_versions);
	tcase_add_test(tc, transactions);
	tcase_add_test(tc, config_space);
	tcase_add_test(tc, at_putconf);
	tcase_add_test(tc, gethardware);
	tcase_add_test(tc, device_model_board);
	tcase_add_test(tc, isa_dma_device_board);
	suite_add_tcase(s, tc);

	tc = tcase_new("limits");
	tcase_add_test(tc, limits);
	tcase_add_test(tc, spec_rejects);
	suite_add_tcase(s, tc);

	tc = tcase_new("misuse");
	TCASE_ADD_MISUSE(tc, rm_misuse_counted, rm_misuse_aborts,
	    NRM_MISUSE);
	suite_add_tcase(s, tc);

	tc = tcase_new("property");
	tcase_add_test(tc, database_model);
	suite_add_tcase(s, tc);
	return run_suite(s) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
