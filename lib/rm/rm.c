/*
 * rm.c - the resource manager database and the configuration manager
 * calls that read and change it (cm_getval(9), cm_begin_trans(9),
 * cm_newkey(9), cm_getbrdkey(9), cm_AT_putconf(9)).
 *
 * A record is a key, a list of parameters each with its values in order,
 * and for a board its bus and configuration space.  One mutex, rm_lock,
 * guards the table and every record; rm_cv tells waiters a transaction
 * ended.
 *
 * Transactions (DDI 8) are the original's read/write discipline on a
 * record: any number of RM_READ transactions, or one RM_RDWR and nothing
 * else.  An RM_RDWR transaction works on a copy of the parameters, which
 * cm_end_trans makes the record's and cm_abort_trans throws away; so no
 * other context sees a change before it is committed.  A context keeps
 * the transactions it has pending in thread-local storage, which is how
 * a call knows whether its caller holds one.
 *
 * The calls of DDI 5 to 7.2 are atomic each by itself: they wait until
 * no other context has an RM_RDWR transaction on the record, and change
 * the committed parameters directly.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/forklock.h"
#include "machine/entry.h"
#include "machine/machine.h"
#include "verify/verify.h"
#include "verify/wait.h"
#include "kern/kern.h"
#include "rm/rm.h"

#include "sys/types.h"
#include "sys/confmgr.h"
#include "sys/cm_i386at.h"
#include "exports.h"

struct rm_val {
	struct rm_val	*next;
	size_t		len;
	unsigned char	data[];
};

struct rm_param {
	struct rm_param	*next;
	struct rm_val	*vals;		/* in order: cm_n 0 first */
	unsigned	nvals;
	char		name[];
};

struct rm_rec {
	uint32_t	key;
	uint32_t	parent;		/* RM_NULL_KEY: none */
	bool		board;		/* made by rm_board_add */
	bool		unborn;		/* cm_newkey's, not yet committed */
	unsigned	bus;		/* CM_BUS_*; 0 for a non-board */
	struct rm_param	*params;	/* committed */
	struct rm_param	*work;		/* the RM_RDWR transaction's copy */
	unsigned	readers;	/* RM_READ transactions */
	bool		writer;		/* an RM_RDWR transaction */
	pthread_t	writer_thread;
	unsigned char	*cfg;		/* configuration space */
	size_t		cfglen;
};

/* A transaction the calling context has pending. */
struct rm_held {
	uint32_t	key;
	int		mode;		/* RM_READ or RM_RDWR */
};

static FORK_MUTEX(rm_lock);
static pthread_cond_t rm_cv = PTHREAD_COND_INITIALIZER;
static struct rm_rec *rm_tab[RM_MAX_KEYS + 1];	/* by key; 0 unused */
static uint32_t rm_last;	/* the key given out last */
static unsigned rm_count;	/* keys in use */
static uint32_t rm_generation;	/* committed changes (cm_getversion) */

static DDI_TLS struct rm_held rm_held[RM_MAX_HELD];
static DDI_TLS unsigned rm_nheld;

/* The parameters drivers may read but not change (cm_params(9)). */
static bool
rm_readonly(const char *param)
{
	return strcmp(param, CM_MODNAME) == 0 ||
	    strcmp(param, CM_BRDBUSTYPE) == 0 ||
	    strcmp(param, CM_BRDID) == 0 || strcmp(param, CM_SLOT) == 0;
}

/* ---- parameter lists ---- */

static void
rm_params_free(struct rm_param *p)
{
	while (p != NULL) {
		struct rm_param *next = p->next;
		struct rm_val *v = p->vals;

		while (v != NULL) {
			struct rm_val *vn = v->next;

			free(v);
			v = vn;
		}
		free(p);
		p = next;
	}
}

static struct rm_param *
rm_params_copy(const struct rm_param *p, bool *ok)
{
	struct rm_param *head = NULL, **tail = &head;

	*ok = true;
	for (; p != NULL; p = p->next) {
		size_t nl = strlen(p->name) + 1;
		struct rm_param *c = calloc(1, sizeof(*c) + nl);
		struct rm_val **vt;

		if (c == NULL)
			goto fail;
		memcpy(c->name, p->name, nl);
		*tail = c;
		tail = &c->next;
		vt = &c->vals;
		for (const struct rm_val *v = p->vals; v != NULL; v = v->next) {
			struct rm_val *cv = malloc(sizeof(*cv) + v->len);

			if (cv == NULL)
				goto fail;
			cv->next = NULL;
			cv->len = v->len;
			memcpy(cv->data, v->data, v->len);
			*vt = cv;
			vt = &cv->next;
			c->nvals++;
		}
	}
	return head;
fail:
	rm_params_free(head);
	*ok = false;
	return NULL;
}

static struct rm_param *
rm_param_find(struct rm_param *list, const char *name)
{
	for (; list != NULL; list = list->next)
		if (strcmp(list->name, name) == 0)
			return list;
	return NULL;
}

/* Append a value: 0, ENOSPC (too many or too long) or ENOMEM. */
static int
rm_param_add(struct rm_param **list, const char *name, const void *val,
    size_t len)
{
	struct rm_param *p = rm_param_find(*list, name);
	struct rm_val *v, **vt;

	if (len > RM_MAX_VALLEN || (p != NULL && p->nvals >= RM_MAX_VALS))
		return ENOSPC;
	if ((v = malloc(sizeof(*v) + len)) == NULL)
		return ENOMEM;
	v->next = NULL;
	v->len = len;
	memcpy(v->data, val, len);
	if (p == NULL) {
		size_t nl = strlen(name) + 1;

		if ((p = calloc(1, sizeof(*p) + nl)) == NULL) {
			free(v);
			return ENOMEM;
		}
		memcpy(p->name, name, nl);
		while (*list != NULL)
			list = &(*list)->next;
		*list = p;
	}
	for (vt = &p->vals; *vt != NULL; vt = &(*vt)->next)
		;
	*vt = v;
	p->nvals++;
	return 0;
}

/* Delete every value of name. */
static void
rm_param_del(struct rm_param **list, const char *name)
{
	for (; *list != NULL; list = &(*list)->next) {
		struct rm_param *p = *list;

		if (strcmp(p->name, name) == 0) {
			*list = p->next;
			p->next = NULL;
			rm_params_free(p);
			return;
		}
	}
}

static int
rm_param_num(struct rm_param **list, const char *name, cm_num_t n)
{
	return rm_param_add(list, name, &n, sizeof(n));
}

static int
rm_param_range(struct rm_param **list, const char *name, ulong_t s,
    ulong_t e)
{
	cm_range_t r = { s, e };

	return rm_param_add(list, name, &r, sizeof(r));
}

/* ---- records ---- */

static struct rm_rec *
rm_rec_of(uint32_t key)
{
	if (key == 0 || key > RM_MAX_KEYS)
		return NULL;
	return rm_tab[key];
}

/* A record other contexts may see: not one cm_newkey has not committed. */
static struct rm_rec *
rm_visible(uint32_t key)
{
	struct rm_rec *r = rm_rec_of(key);

	if (r != NULL && r->unborn) {
		/* its creator sees it */
		if (!(r->writer &&
		    pthread_equal(r->writer_thread, pthread_self())))
			return NULL;
	}
	return r;
}

/* A free key, the one after the last given out first; 0 when full. */
static struct rm_rec *
rm_rec_new(void)
{
	struct rm_rec *r;
	uint32_t k = rm_last;

	if (rm_count == RM_MAX_KEYS)
		return NULL;
	do
		k = k % RM_MAX_KEYS + 1;
	while (rm_tab[k] != NULL);
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	r->key = k;
	rm_tab[k] = r;
	rm_last = k;
	rm_count++;
	return r;
}

static void
rm_rec_free(struct rm_rec *r)
{
	rm_tab[r->key] = NULL;
	rm_count--;
	rm_params_free(r->params);
	rm_params_free(r->work);
	free(r->cfg);
	free(r);
}

/* ---- the calling context's transactions ---- */

static struct rm_held *
rm_held_find(uint32_t key)
{
	for (unsigned i = 0; i < rm_nheld; i++)
		if (rm_held[i].key == key)
			return &rm_held[i];
	return NULL;
}

static void
rm_held_drop(struct rm_held *h)
{
	*h = rm_held[--rm_nheld];
}

/*
 * The parameters a call of the calling context works on: the copy of its
 * own RM_RDWR transaction, or the committed ones.
 */
static struct rm_param **
rm_params_for(struct rm_rec *r)
{
	if (r->writer && pthread_equal(r->writer_thread, pthread_self()))
		return &r->work;
	return &r->params;
}

/*
 * An atomic call (DDI 5 to 7.2, and the calls of every version that take
 * no transaction): wait, rm_lock held, until no other context has an
 * RM_RDWR transaction on key.  Returns the record, or NULL when the key
 * is not (or no longer) valid.
 */
static struct rm_rec *
rm_atomic_wait(uint32_t key, const char *func, const void *caller)
{
	struct rm_rec *r = rm_visible(key);
	struct vwait w;

	if (r == NULL || !r->writer ||
	    pthread_equal(r->writer_thread, pthread_self()))
		return r;
	vwait_start(&w, VWAIT_KEEP, func, caller);
	while ((r = rm_visible(key)) != NULL && r->writer &&
	    !pthread_equal(r->writer_thread, pthread_self()))
		(void)vwait_cond(&w, &rm_cv, &rm_lock, "key %u is in another "
		    "context's read/write transaction", key);
	return r;
}

/* ---- boards ---- */

/* The EISA function record, as the EISA BIOS gives it: 320 bytes. */
#define EISA_SLOT_HDR	12
#define EISA_FUNC_LEN	320
#define EISA_F_ID	0
#define EISA_F_FLAGS	34
#define EISA_F_TYPE	35
#define EISA_F_MEM	115	/* 9 entries of 7 bytes */
#define EISA_F_IRQ	178	/* 7 of 2 */
#define EISA_F_DMA	192	/* 4 of 2 */
#define EISA_F_PORT	200	/* 20 of 3 */
#define EISA_HAS_MEM	0x02
#define EISA_HAS_IRQ	0x04
#define EISA_HAS_DMA	0x08
#define EISA_HAS_PORT	0x10

/*
 * The EISA compressed ID of a board ID such as "ABC1234": three letters
 * in five bits each, then four hex digits.  0 for anything else.
 */
static uint32_t
rm_eisa_id(const char *s)
{
	uint32_t letters = 0, product = 0;

	if (s == NULL || strlen(s) != 7)
		return 0;
	for (int i = 0; i < 3; i++) {
		if (s[i] < 'A' || s[i] > 'Z')
			return 0;
		letters = letters << 5 | (uint32_t)(s[i] - 'A' + 1);
	}
	for (int i = 3; i < 7; i++) {
		char c = s[i];
		unsigned d;

		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (c >= 'A' && c <= 'F')
			d = (unsigned)(c - 'A' + 10);
		else
			return 0;
		product = product << 4 | d;
	}
	return letters << 16 | product;
}

static void
rm_put_be32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

/*
 * The configuration space a board gets when its description brings none
 * (ddisim_rm(3)): EISA, the slot header and one function record listing
 * the board's resources; PCI, a 256-byte header with the IDs from brdid
 * ("VVVVDDDD" in hex); MCA, eight POS bytes with the ID in the first two;
 * others none.
 */
static int
rm_default_cfg(const struct ddisim_board *b, unsigned char **cfgp,
    size_t *lenp)
{
	unsigned char *c;
	size_t len;

	switch (b->bus) {
	case CM_BUS_EISA:
		len = EISA_SLOT_HDR + EISA_FUNC_LEN;
		break;
	case CM_BUS_PCI:
		len = 256;
		break;
	case CM_BUS_MCA:
		len = 8;
		break;
	default:
		*cfgp = NULL;
		*lenp = 0;
		return 0;
	}
	if ((c = calloc(1, len)) == NULL)
		return ENOMEM;
	if (b->bus == CM_BUS_EISA) {
		unsigned char *f = c + EISA_SLOT_HDR;
		uint32_t id = (b->set & DDISIM_BRD_BRDID) != 0 ?
		    rm_eisa_id(b->brdid) : 0;

		c[6] = 1;			/* one function */
		rm_put_be32(c + 8, id);
		rm_put_be32(f + EISA_F_ID, id);
		if ((b->set & DDISIM_BRD_IRQ) != 0) {
			f[EISA_F_FLAGS] |= EISA_HAS_IRQ;
			f[EISA_F_IRQ] = (unsigned char)((b->irq & 0xf) |
			    (b->itype == CM_ITYPE_LEVEL ? 0x20 : 0));
		}
		if ((b->set & DDISIM_BRD_DMAC) != 0) {
			f[EISA_F_FLAGS] |= EISA_HAS_DMA;
			f[EISA_F_DMA] = (unsigned char)(b->dmac & 7);
		}
		if ((b->set & DDISIM_BRD_IOADDR) != 0) {
			uint32_t n = b->io_end - b->io_start + 1;

			/* up to 32 ports an entry, more entries for more */
			for (unsigned i = 0; i < 20 && n > 0; i++) {
				unsigned char *e = f + EISA_F_PORT + 3 * i;
				uint32_t k = n > 32 ? 32 : n;
				uint32_t a = b->io_start + 32 * i;

				e[0] = (unsigned char)(k - 1);
				e[1] = (unsigned char)a;
				e[2] = (unsigned char)(a >> 8);
				n -= k;
				if (n > 0)
					e[0] |= 0x80;
			}
			f[EISA_F_FLAGS] |= EISA_HAS_PORT;
		}
		if ((b->set & DDISIM_BRD_MEMADDR) != 0) {
			unsigned char *e = f + EISA_F_MEM;
			uint32_t a = b->mem_start >> 8;
			uint32_t kb = (b->mem_end - b->mem_start + 1) >> 10;

			e[0] = 0x01;		/* RAM */
			e[2] = (unsigned char)a;
			e[3] = (unsigned char)(a >> 8);
			e[4] = (unsigned char)(a >> 16);
			e[5] = (unsigned char)kb;
			e[6] = (unsigned char)(kb >> 8);
			f[EISA_F_FLAGS] |= EISA_HAS_MEM;
		}
	} else if (b->bus == CM_BUS_PCI && (b->set & DDISIM_BRD_BRDID) != 0) {
		unsigned vid = 0, did = 0;

		if (sscanf(b->brdid, "%4x%4x", &vid, &did) == 2) {
			c[0] = (unsigned char)vid;
			c[1] = (unsigned char)(vid >> 8);
			c[2] = (unsigned char)did;
			c[3] = (unsigned char)(did >> 8);
		}
		if ((b->set & DDISIM_BRD_IRQ) != 0)
			c[0x3c] = (unsigned char)b->irq;	/* line */
	} else if (b->bus == CM_BUS_MCA && (b->set & DDISIM_BRD_BRDID) != 0) {
		unsigned id = 0;

		if (sscanf(b->brdid, "%4x", &id) == 1) {
			c[0] = (unsigned char)id;
			c[1] = (unsigned char)(id >> 8);
		}
	}
	*cfgp = c;
	*lenp = len;
	return 0;
}

static bool
rm_bus_ok(unsigned bus)
{
	switch (bus) {
	case CM_BUS_ISA: case CM_BUS_EISA: case CM_BUS_PCI:
	case CM_BUS_PCCARD: case CM_BUS_PNPISA: case CM_BUS_MCA:
	case CM_BUS_SYS: case CM_BUS_I2O:
		return true;
	default:
		return false;
	}
}

/* The parameters of a board; 0 or an errno. */
static int
rm_board_params(struct rm_param **l, const struct ddisim_board *b)
{
	unsigned bus = b->bus == 0 ? CM_BUS_ISA : b->bus;
	int e = rm_param_add(l, CM_MODNAME, b->modname,
	    strlen(b->modname) + 1);

	if (e == 0)
		e = rm_param_num(l, CM_BRDBUSTYPE, bus);
	if (e == 0)
		e = rm_param_num(l, CM_ENTRYTYPE, CM_ENTRY_DEFAULT);
	if (e == 0 && (b->set & DDISIM_BRD_UNIT) != 0)
		e = rm_param_num(l, CM_UNIT, b->unit);
	if (e == 0 && (b->set & DDISIM_BRD_IRQ) != 0) {
		e = rm_param_num(l, CM_IRQ, b->irq);
		if (e == 0)
			e = rm_param_num(l, CM_IPL, b->ipl == 0 ? 5 : b->ipl);
		if (e == 0)
			e = rm_param_num(l, CM_ITYPE, b->itype == 0 ?
			    CM_ITYPE_EDGE : b->itype);
	}
	if (e == 0 && (b->set & DDISIM_BRD_IOADDR) != 0)
		e = rm_param_range(l, CM_IOADDR, b->io_start, b->io_end);
	if (e == 0 && (b->set & DDISIM_BRD_MEMADDR) != 0)
		e = rm_param_range(l, CM_MEMADDR, b->mem_start, b->mem_end);
	if (e == 0 && (b->set & DDISIM_BRD_DMAC) != 0)
		e = rm_param_num(l, CM_DMAC, b->dmac);
	if (e == 0 && (b->set & DDISIM_BRD_SLOT) != 0)
		e = rm_param_num(l, CM_SLOT, b->slot);
	if (e == 0 && (b->set & DDISIM_BRD_BRDID) != 0)
		e = rm_param_add(l, CM_BRDID, b->brdid, strlen(b->brdid) + 1);
	if (e == 0 && (b->set & DDISIM_BRD_BINDCPU) != 0)
		e = rm_param_num(l, CM_BINDCPU, b->bindcpu);
	return e;
}

/* What is wrong with a board's description, or NULL. */
static const char *
rm_board_check(const struct ddisim_board *b, char *buf, size_t len)
{
	const unsigned known = DDISIM_BRD_IRQ | DDISIM_BRD_IOADDR |
	    DDISIM_BRD_MEMADDR | DDISIM_BRD_DMAC | DDISIM_BRD_SLOT |
	    DDISIM_BRD_BRDID | DDISIM_BRD_UNIT | DDISIM_BRD_BINDCPU;

	if (b == NULL)
		return "NULL board";
	if (b->modname == NULL || b->modname[0] == '\0' ||
	    strlen(b->modname) >= DDISIM_RM_NAMELEN) {
		snprintf(buf, len, "modname is not 1 to %d characters",
		    DDISIM_RM_NAMELEN - 1);
		return buf;
	}
	if ((b->set & ~known) != 0) {
		snprintf(buf, len, "unknown bits %#x in set", b->set & ~known);
		return buf;
	}
	if (b->bus != 0 && !rm_bus_ok(b->bus)) {
		snprintf(buf, len, "bus %#x is not a CM_BUS_* value", b->bus);
		return buf;
	}
	if ((b->set & DDISIM_BRD_IRQ) != 0 && (b->irq >= DDISIM_NIRQ ||
	    b->ipl > 7 || (b->itype != 0 && b->itype != CM_ITYPE_EDGE &&
	    b->itype != CM_ITYPE_LEVEL)))
		return "irq, ipl or itype out of range";
	if ((b->set & DDISIM_BRD_IOADDR) != 0 &&
	    (b->io_end < b->io_start || b->io_end > 0xffff))
		return "ioaddr is not a port range";
	if ((b->set & DDISIM_BRD_MEMADDR) != 0 && b->mem_end < b->mem_start)
		return "memaddr ends before it starts";
	if ((b->set & DDISIM_BRD_DMAC) != 0 && b->dmac > 7)
		return "dmac is not a channel from 0 to 7";
	if ((b->set & DDISIM_BRD_BRDID) != 0 && (b->brdid == NULL ||
	    b->brdid[0] == '\0' || strlen(b->brdid) >= DDISIM_RM_BRDIDLEN))
		return "brdid is not 1 to 15 characters";
	if ((b->set & DDISIM_BRD_BINDCPU) != 0 &&
	    b->bindcpu >= MACHINE_MAX_CPUS)
		return "bindcpu is not a CPU";
	if (b->config != NULL && (b->config_len == 0 ||
	    b->config_len > DDISIM_RM_CFGMAX)) {
		snprintf(buf, len, "config_len %zu is not 1 to %d",
		    b->config_len, DDISIM_RM_CFGMAX);
		return buf;
	}
	return NULL;
}

uint32_t
rm_board_add(const struct ddisim_board *b, const char *func,
    const void *caller)
{
	char buf[96];
	const char *why = rm_board_check(b, buf, sizeof(buf));
	struct rm_param *params = NULL;
	unsigned char *cfg = NULL;
	size_t cfglen = 0;
	struct rm_rec *r;
	int e;

	if (why != NULL) {
		verify_report(func, caller, "%s", why);
		return 0;
	}
	if ((e = rm_board_params(&params, b)) == 0) {
		if (b->config != NULL) {
			if ((cfg = malloc(b->config_len)) == NULL)
				e = ENOMEM;
			else {
				memcpy(cfg, b->config, b->config_len);
				cfglen = b->config_len;
			}
		} else
			e = rm_default_cfg(b, &cfg, &cfglen);
	}
	if (e != 0) {
		rm_params_free(params);
		verify_report(func, caller, "no memory for board %s",
		    b->modname);
		return 0;
	}
	pthread_mutex_lock(&rm_lock);
	r = rm_rec_new();
	if (r != NULL) {
		r->board = true;
		r->bus = b->bus == 0 ? CM_BUS_ISA : b->bus;
		r->params = params;
		r->cfg = cfg;
		r->cfglen = cfglen;
		rm_generation++;
	}
	pthread_mutex_unlock(&rm_lock);
	if (r == NULL) {
		rm_params_free(params);
		free(cfg);
		verify_report(func, caller, "the resource manager's %d keys "
		    "are in use", RM_MAX_KEYS);
		return 0;
	}
	return r->key;
}

int
rm_board_remove(uint32_t key)
{
	struct rm_rec *r;
	int e = EINVAL;

	pthread_mutex_lock(&rm_lock);
	r = rm_rec_of(key);
	if (r != NULL && r->board && !r->writer && r->readers == 0) {
		rm_rec_free(r);
		rm_generation++;
		e = 0;
	} else if (r != NULL && r->board)
		e = EBUSY;
	pthread_mutex_unlock(&rm_lock);
	return e;
}

int
rm_memaddr(uint32_t key, unsigned n, uint64_t *start, uint64_t *end)
{
	struct rm_rec *r;
	struct rm_param *p;
	struct rm_val *v = NULL;
	int e = ENOENT;

	pthread_mutex_lock(&rm_lock);
	if ((r = rm_visible(key)) != NULL) {
		e = ENXIO;
		p = rm_param_find(r->params, CM_MEMADDR);
		if (p != NULL && n < p->nvals)
			for (v = p->vals; n > 0; n--)
				v = v->next;
		if (v != NULL && v->len == sizeof(cm_range_t)) {
			cm_range_t rg;

			memcpy(&rg, v->data, sizeof(rg));
			*start = rg.startaddr;
			*end = rg.endaddr;
			e = 0;
		}
	}
	pthread_mutex_unlock(&rm_lock);
	return e;
}

unsigned
rm_nkeys(void)
{
	unsigned n;

	pthread_mutex_lock(&rm_lock);
	n = rm_count;
	pthread_mutex_unlock(&rm_lock);
	return n;
}

enum rm_sysbus
rm_sysbus(void)
{
	unsigned buses = 0;

	pthread_mutex_lock(&rm_lock);
	for (uint32_t k = 1; k <= RM_MAX_KEYS; k++)
		if (rm_tab[k] != NULL && rm_tab[k]->board)
			buses |= rm_tab[k]->bus;
	pthread_mutex_unlock(&rm_lock);
	if ((buses & CM_BUS_MCA) != 0)
		return RM_SYSBUS_MCA;
	if ((buses & CM_BUS_EISA) != 0)
		return RM_SYSBUS_EISA;
	if ((buses & CM_BUS_PCI) != 0)
		return RM_SYSBUS_PCI;
	return RM_SYSBUS_ISA;
}

bool
rm_eisa_slot_id(unsigned slot, uint32_t *id)
{
	bool found = false;

	pthread_mutex_lock(&rm_lock);
	for (uint32_t k = 1; k <= RM_MAX_KEYS && !found; k++) {
		struct rm_rec *r = rm_tab[k];
		struct rm_param *p;

		cm_num_t s;

		if (r == NULL || !r->board || r->bus != CM_BUS_EISA ||
		    (p = rm_param_find(r->params, CM_SLOT)) == NULL ||
		    p->vals->len != sizeof(s))
			continue;
		memcpy(&s, p->vals->data, sizeof(s));
		if (s != slot)
			continue;
		found = true;
		*id = r->cfglen >= EISA_SLOT_HDR ?
		    (uint32_t)r->cfg[8] << 24 | (uint32_t)r->cfg[9] << 16 |
		    (uint32_t)r->cfg[10] << 8 | r->cfg[11] : 0;
	}
	pthread_mutex_unlock(&rm_lock);
	return found;
}

/* cm_intr_attach's view of a key: its first CM_IRQ and CM_IPL. */
static bool
rm_key_intr(unsigned key, int *irq, unsigned *pl)
{
	struct rm_param *pi, *pp;
	struct rm_rec *r;
	bool ok = false;

	pthread_mutex_lock(&rm_lock);
	if ((r = rm_visible(key)) != NULL &&
	    (pi = rm_param_find(r->params, CM_IRQ)) != NULL &&
	    (pp = rm_param_find(r->params, CM_IPL)) != NULL &&
	    pi->vals->len == sizeof(cm_num_t) &&
	    pp->vals->len == sizeof(cm_num_t)) {
		cm_num_t i, l;

		memcpy(&i, pi->vals->data, sizeof(i));
		memcpy(&l, pp->vals->data, sizeof(l));
		*irq = i > INT32_MAX ? -1 : (int)i;
		*pl = l;
		ok = true;
	}
	pthread_mutex_unlock(&rm_lock);
	return ok;
}

/* One line of what key's record holds, for the driver host's listing. */
size_t
rm_describe(uint32_t key, char *buf, size_t len)
{
	static const char *const nums[] = { CM_IRQ, CM_IPL, CM_DMAC,
	    CM_SLOT };
	static const char *const ranges[] = { CM_IOADDR, CM_MEMADDR };
	struct rm_param *pa;
	struct rm_rec *r;
	size_t n = 0;

#define RM_PUT(...)	do {						\
		int k_ = snprintf(buf + n, len - n, __VA_ARGS__);	\
		if (k_ > 0)						\
			n = (size_t)k_ >= len - n ? len - 1 : n + (size_t)k_; \
	} while (0)
	if (len == 0)
		return 0;
	buf[0] = '\0';
	pthread_mutex_lock(&rm_lock);
	if ((r = rm_visible(key)) == NULL) {
		pthread_mutex_unlock(&rm_lock);
		RM_PUT("(no such key)");
		return n;
	}
	for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++)
		if ((pa = rm_param_find(r->params, nums[i])) != NULL)
			for (struct rm_val *v = pa->vals; v != NULL;
			    v = v->next) {
				cm_num_t x;

				if (v->len != sizeof(x))
					continue;
				memcpy(&x, v->data, sizeof(x));
				RM_PUT("%s%s %lu", n > 0 ? " " : "", nums[i],
				    (unsigned long)x);
			}
	for (size_t i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++)
		if ((pa = rm_param_find(r->params, ranges[i])) != NULL)
			for (struct rm_val *v = pa->vals; v != NULL;
			    v = v->next) {
				cm_range_t x;

				if (v->len != sizeof(x))
					continue;
				memcpy(&x, v->data, sizeof(x));
				RM_PUT("%s%s %#lx-%#lx", n > 0 ? " " : "",
				    ranges[i], (unsigned long)x.startaddr,
				    (unsigned long)x.endaddr);
			}
	pthread_mutex_unlock(&rm_lock);
#undef RM_PUT
	return n;
}

void
rm_init(void)
{
	const struct machine_spec *ms = &machine->spec;

	intr_key_resolver(rm_key_intr);
	for (unsigned i = 0; i < ms->nboards; i++) {
		struct ddisim_board b = ms->board[i].b;

		b.modname = ms->board[i].name;
		b.brdid = ms->board[i].brdid;
		/* the spec parser checked every field */
		VERIFY(rm_board_add(&b, "ddisim_init", NULL) != 0);
	}
}

void
rm_fini(void)
{
	pthread_mutex_lock(&rm_lock);
	for (uint32_t k = 1; k <= RM_MAX_KEYS; k++)
		if (rm_tab[k] != NULL)
			rm_rec_free(rm_tab[k]);
	rm_last = 0;
	rm_generation = 0;
	pthread_mutex_unlock(&rm_lock);
	rm_nheld = 0;
}

/* ---- cm_getval, cm_addval, cm_delval ---- */

/* The arguments' own faults: EINVAL, or 0. */
static int
rm_args_ok(const cm_args_t *a)
{
	return a == NULL || a->cm_param == NULL ? EINVAL : 0;
}

/* Read the n-th value; rm_lock held. */
static int
rm_get(struct rm_param *list, cm_args_t *a, bool old_buses)
{
	struct rm_param *p = rm_param_find(list, a->cm_param);
	struct rm_val *v;
	uint_t n = a->cm_n;
	cm_num_t bus;

	if (p == NULL)
		return ENOENT;
	for (v = p->vals; v != NULL && n > 0; v = v->next)
		n--;
	if (v == NULL)
		return ENOENT;
	if (a->cm_vallen < v->len) {
		a->cm_vallen = v->len;
		return ENOSPC;
	}
	if (a->cm_val == NULL)
		return EINVAL;
	memcpy(a->cm_val, v->data, v->len);
	a->cm_vallen = v->len;
	/* buses DDI 5 to 7 did not know read as unknown (cm_getval(9)) */
	if (old_buses && strcmp(a->cm_param, CM_BRDBUSTYPE) == 0 &&
	    v->len == sizeof(bus)) {
		memcpy(&bus, v->data, sizeof(bus));
		if (bus == CM_BUS_SYS || bus == CM_BUS_I2O) {
			bus = CM_BUS_UNK;
			memcpy(a->cm_val, &bus, sizeof(bus));
		}
	}
	return 0;
}

/* A pre-DDI 8 read. */
static int
rm_getval_atomic(cm_args_t *a, bool old_buses, const char *func,
    const void *caller)
{
	struct rm_rec *r;
	int e;

	if ((e = rm_args_ok(a)) != 0)
		return e;
	pthread_mutex_lock(&rm_lock);
	r = rm_atomic_wait(a->cm_key, func, caller);
	e = r == NULL ? EINVAL : rm_get(*rm_params_for(r), a, old_buses);
	pthread_mutex_unlock(&rm_lock);
	return e;
}

/* A write of any version; the record is r, rm_lock held. */
static int
rm_put(struct rm_param **l, cm_args_t *a, bool add)
{
	if (rm_readonly(a->cm_param))
		return EINVAL;
	if (!add) {
		rm_param_del(l, a->cm_param);
		return 0;
	}
	if (a->cm_val == NULL || a->cm_vallen == 0)
		return EINVAL;
	return rm_param_add(l, a->cm_param, a->cm_val, a->cm_vallen);
}

static int
rm_putval_atomic(cm_args_t *a, bool add, const char *func,
    const void *caller)
{
	struct rm_held *h;
	struct rm_rec *r;
	int e;

	if ((e = rm_args_ok(a)) != 0)
		return e;
	if ((h = rm_held_find(a->cm_key)) != NULL && h->mode == RM_READ) {
		verify_report(func, caller, "key %u is in this context's "
		    "read-only transaction", a->cm_key);
		return EINVAL;
	}
	pthread_mutex_lock(&rm_lock);
	r = rm_atomic_wait(a->cm_key, func, caller);
	if (r == NULL)
		e = EINVAL;
	else {
		struct rm_param **l = rm_params_for(r);

		e = rm_put(l, a, add);
		if (e == 0 && l == &r->params)
			rm_generation++;
	}
	pthread_mutex_unlock(&rm_lock);
	return e;
}

DDI_ENTRY(int, _Compat_cm_getval_5, (cm_args_t *args), (args))
{
	return rm_getval_atomic(args, true, "cm_getval", DDI_CALLER);
}

DDI_ENTRY(int, _Compat_cm_getval_7_1, (cm_args_t *args), (args))
{
	return rm_getval_atomic(args, false, "cm_getval", DDI_CALLER);
}

DDI_ENTRY(int, _Compat_cm_addval, (cm_args_t *args), (args))
{
	return rm_putval_atomic(args, true, "cm_addval", DDI_CALLER);
}

DDI_ENTRY(int, _Compat_cm_delval, (cm_args_t *args), (args))
{
	return rm_putval_atomic(args, false, "cm_delval", DDI_CALLER);
}

/*
 * DDI 8: the caller must have a transaction on the key, a read/write one
 * to change it.  Outside one a read is reported and answered as DDI 7.1
 * answers it; a change is reported and refused.
 */
DDI_ENTRY(int, _Compat_cm_getval_8, (cm_args_t *args), (args))
{
	struct rm_rec *r;
	int e;

	if ((e = rm_args_ok(args)) != 0)
		return e;
	if (rm_held_find(args->cm_key) == NULL) {
		verify_report("cm_getval", DDI_CALLER, "key %u: no "
		    "transaction (cm_begin_trans)", args->cm_key);
		return rm_getval_atomic(args, false, "cm_getval", DDI_CALLER);
	}
	pthread_mutex_lock(&rm_lock);
	r = rm_visible(args->cm_key);
	e = r == NULL ? EINVAL : rm_get(*rm_params_for(r), args, false);
	pthread_mutex_unlock(&rm_lock);
	return e;
}

static int
rm_putval_8(cm_args_t *a, bool add, const char *func, const void *caller)
{
	struct rm_held *h;
	struct rm_rec *r;
	int e;

	if ((e = rm_args_ok(a)) != 0)
		return e;
	h = rm_held_find(a->cm_key);
	if (h == NULL || h->mode != RM_RDWR) {
		verify_report(func, caller, "key %u: no read/write "
		    "transaction (cm_begin_trans with RM_RDWR)%s", a->cm_key,
		    h != NULL ? ", only a read-only one" : "");
		return EINVAL;
	}
	pthread_mutex_lock(&rm_lock);
	r = rm_visible(a->cm_key);
	e = r == NULL ? EINVAL : rm_put(&r->work, a, add);
	pthread_mutex_unlock(&rm_lock);
	return e;
}

DDI_ENTRY(int, _Compat_cm_addval_8, (cm_args_t *args), (args))
{
	return rm_putval_8(args, true, "cm_addval", DDI_CALLER);
}

DDI_ENTRY(int, _Compat_cm_delval_8, (cm_args_t *args), (args))
{
	return rm_putval_8(args, false, "cm_delval", DDI_CALLER);
}

/* ---- boards by module name: DDI 5 to 7.2 ---- */

static bool
rm_is_board_of(struct rm_rec *r, const char *modname)
{
	struct rm_param *p;

	return r != NULL && r->board && !r->unborn &&
	    (p = rm_param_find(r->params, CM_MODNAME)) != NULL &&
	    p->vals != NULL && strcmp((char *)p->vals->data, modname) == 0;
}

uint32_t *
rm_board_keys(const char *modname, unsigned *n)
{
	uint32_t *keys = NULL;
	unsigned cnt = 0;

	*n = 0;
	pthread_mutex_lock(&rm_lock);
	for (uint32_t k = 1; k <= RM_MAX_KEYS; k++)
		if (rm_is_board_of(rm_tab[k], modname))
			cnt++;
	if (cnt > 0 && (keys = malloc(cnt * sizeof(*keys))) != NULL) {
		for (uint32_t k = 1; k <= RM_MAX_KEYS; k++)
			if (rm_is_board_of(rm_tab[k], modname))
				keys[(*n)++] = k;
	}
	pthread_mutex_unlock(&rm_lock);
	return keys;
}

DDI_ENTRY(cm_num_t, _Compat_cm_getnbrd, (char *modname), (modname))
{
	cm_num_t n = 0;

	if (modname == NULL)
		return 0;
	pthread_mutex_lock(&rm_lock);
	for (uint32_t k = 1; k <= RM_MAX_KEYS; k++)
		if (rm_is_board_of(rm_tab[k], modname))
			n++;
	pthread_mutex_unlock(&rm_lock);
	return n;
}

DDI_ENTRY(rm_key_t, _Compat_cm_getbrdkey, (char *modname, cm_num_t brdinst),
    (modname, brdinst))
{
	rm_key_t key = RM_NULL_KEY;
	cm_num_t n = brdinst;

	if (modname == NULL)
		return RM_NULL_KEY;
	pthread_mutex_lock(&rm_lock);
	for (uint32_t k = 1; k <= RM_MAX_KEYS; k++)
		if (rm_is_board_of(rm_tab[k], modname) && n-- == 0) {
			key = k;
			break;
		}
	pthread_mutex_unlock(&rm_lock);
	return key;
}

DDI_ENTRY0(int, _Compat_cm_getversion)
{
	uint32_t g;

	pthread_mutex_lock(&rm_lock);
	g = rm_generation;
	pthread_mutex_unlock(&rm_lock);
	return (int)(g & 0x7fffffff);
}

/* ---- DDI 8 transactions and keys ---- */

/* Whether the calling context may start a transaction on key. */
static bool
rm_may_begin(uint32_t key, const char *func, const void *caller)
{
	if (rm_held_find(key) != NULL) {
		verify_report(func, caller, "key %u is already in this "
		    "context's transaction", key);
		return false;
	}
	if (rm_nheld == RM_MAX_HELD) {
		verify_report(func, caller, "%d transactions pending in this "
		    "context", RM_MAX_HELD);
		return false;
	}
	if (rm_nheld > 0)
		verify_report(func, caller, "key %u: a transaction on key %u "
		    "is still pending in this context", key, rm_held[0].key);
	(void)verify_may_block(func, caller);
	return true;
}

DDI_ENTRY_VOID(cm_begin_trans, (rm_key_t key, int mode), (key, mode))
{
	struct rm_rec *r;
	struct vwait w;
	bool ok;

	if (mode != RM_READ && mode != RM_RDWR) {
		verify_report(DDI_FUNC, DDI_CALLER, "mode %d is not RM_READ "
		    "or RM_RDWR", mode);
		return;
	}
	if (!rm_may_begin(key, DDI_FUNC, DDI_CALLER))
		return;
	pthread_mutex_lock(&rm_lock);
	vwait_start(&w, VWAIT_KEEP, DDI_FUNC, DDI_CALLER);
	while ((r = rm_visible(key)) != NULL && (r->writer ||
	    (mode == RM_RDWR && r->readers > 0)))
		(void)vwait_cond(&w, &rm_cv, &rm_lock, "key %u: waiting for "
		    "another context's transaction to end", key);
	ok = r != NULL;
	if (ok && mode == RM_READ)
		r->readers++;
	else if (ok) {
		r->work = rm_params_copy(r->params, &ok);
		if (ok) {
			r->writer = true;
			r->writer_thread = pthread_self();
		}
	}
	pthread_mutex_unlock(&rm_lock);
	if (r == NULL) {
		verify_report(DDI_FUNC, DDI_CALLER, "key %u is not a "
		    "resource manager key", key);
		return;
	}
	if (!ok) {
		verify_report(DDI_FUNC, DDI_CALLER, "key %u: no memory for "
		    "the transaction", key);
		return;
	}
	rm_held[rm_nheld].key = key;
	rm_held[rm_nheld].mode = mode;
	rm_nheld++;
}

/* End the calling context's transaction h, committing or not. */
static void
rm_end(struct rm_held *h, bool commit)
{
	struct rm_rec *r;

	pthread_mutex_lock(&rm_lock);
	r = rm_rec_of(h->key);
	if (r != NULL && h->mode == RM_READ) {
		r->readers--;
	} else if (r != NULL && !commit && r->unborn) {
		rm_rec_free(r);		/* cm_newkey's record never was */
	} else if (r != NULL) {
		if (commit) {
			rm_params_free(r->params);
			r->params = r->work;
			r->unborn = false;
			rm_generation++;
		} else
			rm_params_free(r->work);
		r->work = NULL;
		r->writer = false;
	}
	pthread_cond_broadcast(&rm_cv);
	pthread_mutex_unlock(&rm_lock);
	rm_held_drop(h);
}

DDI_ENTRY_VOID(cm_end_trans, (rm_key_t key), (key))
{
	struct rm_held *h = rm_held_find(key);

	if (h == NULL) {
		verify_report(DDI_FUNC, DDI_CALLER, "key %u: no transaction "
		    "of this context to end", key);
		return;
	}
	rm_end(h, true);
}

DDI_ENTRY_VOID(cm_abort_trans, (rm_key_t key), (key))
{
	struct rm_held *h = rm_held_find(key);

	if (h == NULL) {
		verify_report(DDI_FUNC, DDI_CALLER, "key %u: no transaction "
		    "of this context to abort", key);
		return;
	}
	rm_end(h, false);
}

DDI_ENTRY(rm_key_t, cm_newkey, (rm_key_t parent, boolean_t persistent),
    (parent, persistent))
{
	struct rm_rec *r = NULL;
	bool parent_ok;

	(void)persistent;	/* nothing outlives the simulated machine */
	if (rm_nheld == RM_MAX_HELD) {
		verify_report(DDI_FUNC, DDI_CALLER, "%d transactions pending "
		    "in this context", RM_MAX_HELD);
		return RM_NULL_KEY;
	}
	if (rm_nheld > 0)
		verify_report(DDI_FUNC, DDI_CALLER, "a transaction on key %u "
		    "is still pending in this context", rm_held[0].key);
	pthread_mutex_lock(&rm_lock);
	parent_ok = parent == RM_NULL_KEY || rm_visible(parent) != NULL;
	if (parent_ok && (r = rm_rec_new()) != NULL) {
		r->parent = parent;
		r->unborn = true;
		r->writer = true;
		r->writer_thread = pthread_self();
	}
	pthread_mutex_unlock(&rm_lock);
	if (!parent_ok) {
		verify_report(DDI_FUNC, DDI_CALLER, "parent %u is not a "
		    "resource manager key", parent);
		return RM_NULL_KEY;
	}
	if (r == NULL)
		return RM_NULL_KEY;
	rm_held[rm_nheld].key = r->key;
	rm_held[rm_nheld].mode = RM_RDWR;
	rm_nheld++;
	return r->key;
}

/*
 * Delete a record in the caller's read/write transaction on it, which
 * ends with it.  A board's record goes too: the board has gone away.
 */
DDI_ENTRY(int, cm_delkey, (rm_key_t key), (key))
{
	struct rm_held *h = rm_held_find(key);
	struct rm_rec *r;

	if (h == NULL || h->mode != RM_RDWR) {
		verify_report(DDI_FUNC, DDI_CALLER, "key %u: no read/write "
		    "transaction (cm_begin_trans with RM_RDWR)", key);
		return EINVAL;
	}
	pthread_mutex_lock(&rm_lock);
	if ((r = rm_rec_of(key)) != NULL) {
		rm_rec_free(r);
		rm_generation++;
	}
	pthread_cond_broadcast(&rm_cv);
	pthread_mutex_unlock(&rm_lock);
	rm_held_drop(h);
	return 0;
}

/* ---- cm_AT_putconf ---- */

DDI_ENTRY(int, cm_AT_putconf, (rm_key_t rm_key, int vector, int itype,
    ulong_t sioa, ulong_t eioa, ulong_t scma, ulong_t ecma, int dmac,
    uint_t setmask, int claim), (rm_key, vector, itype, sioa, eioa, scma,
    ecma, dmac, setmask, claim))
{
	const uint_t known = CM_SET_IRQ | CM_SET_ITYPE | CM_SET_IOADDR |
	    CM_SET_MEMADDR | CM_SET_DMAC;
	struct rm_param *l;
	struct rm_held *h;
	struct rm_rec *r;
	bool ok;
	int e = 0;

	if ((setmask & ~known) != 0 ||
	    ((setmask & CM_SET_IOADDR) != 0 && eioa < sioa) ||
	    ((setmask & CM_SET_MEMADDR) != 0 && ecma < scma) ||
	    ((setmask & CM_SET_IRQ) != 0 && vector < 0) ||
	    ((setmask & CM_SET_DMAC) != 0 && dmac < 0) ||
	    ((setmask & CM_SET_ITYPE) != 0 && itype != CM_ITYPE_EDGE &&
	    itype != CM_ITYPE_LEVEL))
		return EINVAL;
	if ((h = rm_held_find(rm_key)) != NULL && h->mode == RM_READ) {
		verify_report(DDI_FUNC, DDI_CALLER, "key %u is in this "
		    "context's read-only transaction", rm_key);
		return EINVAL;
	}
	pthread_mutex_lock(&rm_lock);
	r = rm_atomic_wait(rm_key, DDI_FUNC, DDI_CALLER);
	if (r == NULL) {
		pthread_mutex_unlock(&rm_lock);
		return EINVAL;
	}
	/* all or nothing: build the new list, then swap it in */
	l = rm_params_copy(*rm_params_for(r), &ok);
	if (!ok)
		e = ENOMEM;
#define SET(bit, name, call)						\
	if (e == 0 && (setmask & (bit)) != 0) {				\
		rm_param_del(&l, name);					\
		e = call;						\
	}
	SET(CM_SET_IRQ, CM_IRQ, rm_param_num(&l, CM_IRQ, (cm_num_t)vector))
	SET(CM_SET_ITYPE, CM_ITYPE, rm_param_num(&l, CM_ITYPE,
	    (cm_num_t)itype))
	SET(CM_SET_IOADDR, CM_IOADDR, rm_param_range(&l, CM_IOADDR, sioa,
	    eioa))
	SET(CM_SET_MEMADDR, CM_MEMADDR, rm_param_range(&l, CM_MEMADDR, scma,
	    ecma))
	SET(CM_SET_DMAC, CM_DMAC, rm_param_num(&l, CM_DMAC, (cm_num_t)dmac))
#undef SET
	if (e == 0 && claim != 0) {
		rm_param_del(&l, CM_ENTRYTYPE);
		e = rm_param_num(&l, CM_ENTRYTYPE, CM_ENTRY_DRVOWNED);
	}
	if (e == 0) {
		struct rm_param **dst = rm_params_for(r);

		rm_params_free(*dst);
		*dst = l;
		if (dst == &r->params)
			rm_generation++;
	} else
		rm_params_free(l);
	pthread_mutex_unlock(&rm_lock);
	return e;
}

/* ---- configuration space ---- */

/*
 * The calls that take no transaction: report one pending in the calling
 * context (cm_read_devconfig(9)).
 */
static void
rm_no_trans(const char *func, const void *caller)
{
	if (rm_nheld > 0)
		verify_report(func, caller, "a transaction on key %u is "
		    "pending in this context", rm_held[0].key);
}

DDI_ENTRY(size_t, cm_devconfig_size, (rm_key_t key), (key))
{
	struct rm_rec *r;
	size_t n = 0;

	rm_no_trans(DDI_FUNC, DDI_CALLER);
	pthread_mutex_lock(&rm_lock);
	if ((r = rm_visible(key)) != NULL)
		n = r->cfglen;
	pthread_mutex_unlock(&rm_lock);
	return n;
}

/* Copy [off, off + n) out of (write false) or into the space. */
static int
rm_cfg_io(rm_key_t key, uint64_t off, void *buf, size_t n, bool write)
{
	struct rm_rec *r;
	int got = -1;

	pthread_mutex_lock(&rm_lock);
	if ((r = rm_visible(key)) != NULL && off <= r->cfglen) {
		size_t k = r->cfglen - (size_t)off;

		if (k > n)
			k = n;
		if (k > 0 && write)
			memcpy(r->cfg + off, buf, k);
		else if (k > 0)
			memcpy(buf, r->cfg + off, k);
		got = (int)k;
	}
	pthread_mutex_unlock(&rm_lock);
	return got;
}

DDI_ENTRY(int, cm_read_devconfig, (rm_key_t key, off_t offset, void *buf,
    size_t nbyte), (key, offset, buf, nbyte))
{
	rm_no_trans(DDI_FUNC, DDI_CALLER);
	if (buf == NULL || offset < 0)
		return -1;
	return rm_cfg_io(key, (uint64_t)offset, buf, nbyte, false);
}

DDI_ENTRY(int, cm_write_devconfig, (rm_key_t key, off_t offset, void *buf,
    size_t nbyte), (key, offset, buf, nbyte))
{
	rm_no_trans(DDI_FUNC, DDI_CALLER);
	if (buf == NULL || offset < 0)
		return -1;
	return rm_cfg_io(key, (uint64_t)offset, buf, nbyte, true);
}

/*
 * One item of 1, 2 or 4 bytes, little-endian: PCI gives all three widths
 * at aligned offsets, EISA and MCA bytes only, other buses none.
 */
static int
rm_cfg_item(rm_key_t key, off_t off, void *val, unsigned width, bool write)
{
	unsigned char b[4];
	struct rm_rec *r;
	uint32_t v = 0;
	int e = 0;

	if (val == NULL || off < 0)
		return EINVAL;
	if (write) {
		if (width == 1)
			v = *(uchar_t *)val;
		else if (width == 2)
			v = *(ushort_t *)val;
		else
			v = *(ulong_t *)val;
		for (unsigned i = 0; i < width; i++)
			b[i] = (unsigned char)(v >> (8 * i));
	}
	pthread_mutex_lock(&rm_lock);
	r = rm_visible(key);
	if (r == NULL)
		e = EINVAL;
	else if (r->cfglen == 0 || (width > 1 && r->bus != CM_BUS_PCI))
		e = ENOENT;
	else if ((uint64_t)off + width > r->cfglen ||
	    (uint64_t)off % width != 0)
		e = EINVAL;
	else if (write)
		memcpy(r->cfg + off, b, width);
	else
		memcpy(b, r->cfg + off, width);
	pthread_mutex_unlock(&rm_lock);
	if (e != 0 || write)
		return e;
	for (unsigned i = 0; i < width; i++)
		v |= (uint32_t)b[i] << (8 * i);
	if (width == 1)
		*(uchar_t *)val = (uchar_t)v;
	else if (width == 2)
		*(ushort_t *)val = (ushort_t)v;
	else
		*(ulong_t *)val = v;
	return 0;
}

#define RM_CFG_ITEM(name, type, width, write)				\
DDI_ENTRY(int, name, (rm_key_t key, off_t offset, type *buf),		\
    (key, offset, buf))							\
{									\
	rm_no_trans(DDI_FUNC, DDI_CALLER);				\
	return rm_cfg_item(key, offset, buf, width, write);		\
}
RM_CFG_ITEM(cm_read_devconfig8, uchar_t, 1, false)
RM_CFG_ITEM(cm_read_devconfig16, ushort_t, 2, false)
RM_CFG_ITEM(cm_read_devconfig32, ulong_t, 4, false)
RM_CFG_ITEM(cm_write_devconfig8, uchar_t, 1, true)
RM_CFG_ITEM(cm_write_devconfig16, ushort_t, 2, true)
RM_CFG_ITEM(cm_write_devconfig32, ulong_t, 4, true)

/* ---- EISA configuration ---- */

/* One resource entry of an EISA function record, into its structure. */
static void
eisa_decode(const unsigned char *e, void *cfgp, int type)
{
	switch (type) {
	case EISA_IRQ: {
		struct eisa_irq_info *o = cfgp;

		o->irq = e[0] & 0x0f;
		o->level = (e[0] & 0x20) != 0;
		o->shared = (e[0] & 0x40) != 0;
		break;
	}
	case EISA_DMA: {
		struct eisa_dma_info *o = cfgp;

		o->channel = e[0] & 0x07;
		o->shared = (e[0] & 0x40) != 0;
		break;
	}
	case EISA_PORT: {
		struct eisa_port_info *o = cfgp;

		o->count = (ushort_t)((e[0] & 0x1f) + 1);
		o->address = (ushort_t)(e[1] | e[2] << 8);
		o->shared = (e[0] & 0x40) != 0;
		break;
	}
	default: {
		struct eisa_mem_info *o = cfgp;
		ulong_t kb = (ulong_t)(e[5] | e[6] << 8);

		o->address = ((ulong_t)e[2] | (ulong_t)e[3] << 8 |
		    (ulong_t)e[4] << 16) << 8;
		o->size = (kb == 0 ? 0x10000 : kb) << 10;
		o->shared = (e[0] & 0x20) != 0;
		break;
	}
	}
}

/*
 * The occurrence-th resource of type across the enabled functions of an
 * EISA slot's configuration (the layout cm_read_devconfig gives for an
 * EISA board: the slot header, then the function records).
 */
DDI_ENTRY(int, eisa_parse_devconfig, (void *data, void *cfgp, int type,
    int occurrence), (data, cfgp, type, occurrence))
{
	const unsigned char *d = data;
	unsigned nfunc;
	int seen = 0;

	if (data == NULL || cfgp == NULL || occurrence < 0 ||
	    type < EISA_IRQ || type > EISA_MEM)
		return EINVAL;
	nfunc = d[6];
	if (nfunc > 16)
		return EINVAL;
	for (unsigned fi = 0; fi < nfunc; fi++) {
		const unsigned char *f = d + EISA_SLOT_HDR + fi * EISA_FUNC_LEN;
		static const struct {
			unsigned off, size, max, has;
		} shape[] = {
			[EISA_IRQ] = { EISA_F_IRQ, 2, 7, EISA_HAS_IRQ },
			[EISA_DMA] = { EISA_F_DMA, 2, 4, EISA_HAS_DMA },
			[EISA_PORT] = { EISA_F_PORT, 3, 20, EISA_HAS_PORT },
			[EISA_MEM] = { EISA_F_MEM, 7, 9, EISA_HAS_MEM },
		};

		if ((f[EISA_F_FLAGS] & 0x80) != 0 ||	/* disabled */
		    (f[EISA_F_FLAGS] & shape[type].has) == 0)
			continue;
		for (unsigned i = 0; i < shape[type].max; i++) {
			const unsigned char *e = f + shape[type].off +
			    i * shape[type].size;
			/* the "more entries" bit: byte 0 bit 7 */
			bool more = (e[0] & 0x80) != 0;

			if (seen++ == occurrence) {
				eisa_decode(e, cfgp, type);
				return 0;
			}
			if (!more)
				break;
		}
	}
	return ENOENT;
}

/* ---- the control calls (ddisim_rm(3)) ---- */

DDI_ENTRY(unsigned, ddisim_rm_add_board, (const struct ddisim_board *b),
    (b))
{
	return rm_board_add(b, DDI_FUNC, DDI_CALLER);
}

DDI_ENTRY(int, ddisim_rm_remove_board, (unsigned key), (key))
{
	int e = rm_board_remove(key);

	if (e == EINVAL)
		verify_report(DDI_FUNC, DDI_CALLER, "key %u is not a board's",
		    key);
	else if (e == EBUSY)
		verify_report(DDI_FUNC, DDI_CALLER, "key %u is in a "
		    "transaction", key);
	return e;
}

DDI_ENTRY0(unsigned, ddisim_rm_nkeys)
{
	return rm_nkeys();
}
