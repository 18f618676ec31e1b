/*
 * spec.c - parse a machine spec string ("mem=8G,nodes=2:4G,frag=0.5,...").
 *
 * Every error names the key and says what is wrong with its value; a
 * rejected spec leaves no state behind.
 *
 * White space (blank, tab, newline, carriage return, vertical tab, form
 * feed) is ignored before and after every key and value and around the
 * separators inside a value (the '-' of hole=, the ':' of nodes=), so
 * that a spec can be spread over lines in a shell script; inside a key,
 * a number or a name it is an error, reported by the value's parser.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "machine/machine.h"
#include "verify/verify.h"

#define SPEC_MAX_LEN	1024

static int
spec_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return EINVAL;
}

static bool
spec_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
	    c == '\v' || c == '\f';
}

/* Narrow [*s, *end) to leave out white space at either end. */
static void
spec_trim(const char **s, const char **end)
{
	while (*s < *end && spec_space(**s))
		(*s)++;
	while (*end > *s && spec_space((*end)[-1]))
		(*end)--;
}

/*
 * A size: decimal or 0x-prefixed hex, optionally followed by one of
 * K, M, G, T (powers of 1024).  Overflow is an error.
 */
static int
spec_size(const char *s, const char *end, uint64_t *out)
{
	uint64_t v = 0, mul = 1;
	int base = 10;
	const char *p = s;

	if (p == end)
		return EINVAL;
	if (end - p > 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	const char *digits = p;
	for (; p < end; p++) {
		int d;

		if (*p >= '0' && *p <= '9')
			d = *p - '0';
		else if (base == 16 && *p >= 'a' && *p <= 'f')
			d = *p - 'a' + 10;
		else if (base == 16 && *p >= 'A' && *p <= 'F')
			d = *p - 'A' + 10;
		else
			break;
		if (v > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
			return ERANGE;
		v = v * (uint64_t)base + (uint64_t)d;
	}
	if (p == digits)
		return EINVAL;
	if (p < end) {
		switch (*p) {
		case 'k': case 'K': mul = UINT64_C(1) << 10; break;
		case 'm': case 'M': mul = UINT64_C(1) << 20; break;
		case 'g': case 'G': mul = UINT64_C(1) << 30; break;
		case 't': case 'T': mul = UINT64_C(1) << 40; break;
		default: return EINVAL;
		}
		if (++p != end)
			return EINVAL;
	}
	if (v != 0 && mul > UINT64_MAX / v)
		return ERANGE;
	*out = v * mul;
	return 0;
}

static int
spec_uint(const char *s, const char *end, uint64_t max, uint64_t *out)
{
	uint64_t v;
	int error;

	/* Counts and seeds take no size suffix. */
	for (const char *p = s; p < end; p++)
		if (*p == 'k' || *p == 'K' || *p == 'm' || *p == 'M' ||
		    *p == 'g' || *p == 'G' || *p == 't' || *p == 'T')
			return EINVAL;
	if ((error = spec_size(s, end, &v)) != 0)
		return error;
	if (v > max)
		return ERANGE;
	*out = v;
	return 0;
}

static int
spec_fraction(const char *s, const char *end, double max, double *out)
{
	char buf[64], *ep;
	size_t n = (size_t)(end - s);
	double v;

	if (n == 0 || n >= sizeof(buf))
		return EINVAL;
	memcpy(buf, s, n);
	buf[n] = '\0';
	errno = 0;
	v = strtod(buf, &ep);
	if (*ep != '\0' || errno != 0 || !isfinite(v) || v < 0 || v > max)
		return EINVAL;
	*out = v;
	return 0;
}

static bool
spec_is(const char *s, const char *end, const char *word)
{
	size_t n = strlen(word);

	return (size_t)(end - s) == n && memcmp(s, word, n) == 0;
}

/*
 * Refuse a value that reaches MACHINE_TOP_MAX, where page numbers would
 * need more than MACHINE_PFN_BITS bits; what says how it reaches it.
 */
static int
spec_ceiling(char *err, size_t errlen, const char *key, const char *v,
    const char *vend, const char *what)
{
	return spec_err(err, errlen, "%s: '%.*s' %s %llu TiB, the most that "
	    "%d-bit page numbers count in 4 KiB pages", key, (int)(vend - v),
	    v, what, (unsigned long long)(MACHINE_TOP_MAX >> 40),
	    MACHINE_PFN_BITS);
}

static void
spec_defaults(struct machine_spec *ms)
{
	memset(ms, 0, sizeof(*ms));
	ms->mem = UINT64_C(8) << 30;
	ms->nodes = 1;
	ms->cpus = 4;
	ms->page = 4096;
	ms->seed = 1;
	ms->verify = DDISIM_VERIFY_ABORT;
	ms->audit = AUDIT_LIGHT;
	ms->sleeplimit_ms = 10000;
	ms->isadma = true;
}

/*
 * nodes=N or nodes=N:ADDR:ADDR... (N-1 ascending split addresses); white
 * space around a ':' is ignored.
 */
static int
spec_nodes(struct machine_spec *ms, const char *v, const char *end,
    char *err, size_t errlen)
{
	const char *colon = memchr(v, ':', (size_t)(end - v));
	const char *ns = v, *nend = colon != NULL ? colon : end;
	uint64_t n;

	spec_trim(&ns, &nend);
	if (spec_uint(ns, nend, MACHINE_MAX_NODES, &n) != 0 || n == 0)
		return spec_err(err, errlen, "nodes: '%.*s' is not a node "
		    "count from 1 to %d", (int)(end - v), v, MACHINE_MAX_NODES);
	ms->nodes = (int)n;
	ms->nsplits = 0;
	while (colon != NULL) {
		const char *a = colon + 1;
		uint64_t addr;

		colon = memchr(a, ':', (size_t)(end - a));
		const char *aend = colon != NULL ? colon : end;
		spec_trim(&a, &aend);
		if (ms->nsplits + 1 >= n)
			return spec_err(err, errlen, "nodes: %llu nodes take "
			    "at most %llu split addresses",
			    (unsigned long long)n, (unsigned long long)n - 1);
		if (spec_size(a, aend, &addr) != 0)
			return spec_err(err, errlen, "nodes: bad split "
			    "address '%.*s'", (int)(aend - a), a);
		if (ms->nsplits > 0 && addr <= ms->split[ms->nsplits - 1])
			return spec_err(err, errlen, "nodes: split addresses "
			    "must ascend");
		ms->split[ms->nsplits++] = addr;
	}
	if (ms->nsplits != 0 && ms->nsplits != n - 1)
		return spec_err(err, errlen, "nodes: %llu nodes need %llu "
		    "split addresses, got %u", (unsigned long long)n,
		    (unsigned long long)n - 1, ms->nsplits);
	return 0;
}

/*
 * hole=START-END: [START, END) is not RAM; white space around the '-' is
 * ignored.
 */
static int
spec_hole(struct machine_spec *ms, const char *v, const char *end,
    char *err, size_t errlen)
{
	const char *dash = memchr(v, '-', (size_t)(end - v));
	const char *ss = v, *send = dash, *es = end, *eend = end;
	uint64_t s, e;

	if (spec_is(v, end, "none")) {
		ms->nholes = 0;
		return 0;
	}
	if (dash != NULL) {
		es = dash + 1;
		spec_trim(&ss, &send);
		spec_trim(&es, &eend);
	}
	if (dash == NULL || spec_size(ss, send, &s) != 0 ||
	    spec_size(es, eend, &e) != 0)
		return spec_err(err, errlen, "hole: '%.*s' is not START-END",
		    (int)(end - v), v);
	if (e <= s)
		return spec_err(err, errlen, "hole: '%.*s' ends before it "
		    "starts", (int)(end - v), v);
	if (e >= MACHINE_TOP_MAX)
		return spec_ceiling(err, errlen, "hole", v, end,
		    "does not end below");
	if (ms->nholes == MACHINE_MAX_HOLES)
		return spec_err(err, errlen, "hole: at most %d holes",
		    MACHINE_MAX_HOLES);
	for (unsigned i = 0; i < ms->nholes; i++)
		if (s < ms->hole_end[i] && ms->hole_start[i] < e)
			return spec_err(err, errlen, "hole: '%.*s' overlaps "
			    "hole %#llx-%#llx", (int)(end - v), v,
			    (unsigned long long)ms->hole_start[i],
			    (unsigned long long)ms->hole_end[i]);
	ms->hole_start[ms->nholes] = s;
	ms->hole_end[ms->nholes] = e;
	ms->nholes++;
	return 0;
}

/* A board's bus, by the name the spec gives it: the CM_BUS_* value. */
static const struct {
	const char	*name;
	unsigned	bus;
} spec_buses[] = {
	{ "isa", 0x01 }, { "eisa", 0x02 }, { "pci", 0x04 },
	{ "pccard", 0x08 }, { "pnpisa", 0x10 }, { "mca", 0x20 },
};

/* START-END, both inclusive, each below 4 GiB. */
static int
spec_range(const char *s, const char *end, uint32_t *start, uint32_t *last)
{
	const char *dash = memchr(s, '-', (size_t)(end - s));
	const char *ss = s, *send = dash, *es, *eend = end;
	uint64_t a, b;

	if (dash == NULL)
		return EINVAL;
	es = dash + 1;
	spec_trim(&ss, &send);
	spec_trim(&es, &eend);
	if (spec_size(ss, send, &a) != 0 || spec_size(es, eend, &b) != 0 ||
	    b < a || b > UINT32_MAX)
		return EINVAL;
	*start = (uint32_t)a;
	*last = (uint32_t)b;
	return 0;
}

/*
 * board=MODNAME:FIELD=VALUE:...: a board of the resource manager
 * (ddisim_rm(3)).  Fields: bus, irq, ipl, itype, ioaddr, memaddr, dmac,
 * slot, brdid, unit, bindcpu.
 */
static int
spec_board(struct machine_spec *ms, const char *v, const char *end,
    char *err, size_t errlen)
{
	const char *colon = memchr(v, ':', (size_t)(end - v));
	const char *n = v, *nend = colon != NULL ? colon : end;
	struct machine_board *mb;

	if (ms->nboards == MACHINE_MAX_BOARDS)
		return spec_err(err, errlen, "board: at most %d boards",
		    MACHINE_MAX_BOARDS);
	spec_trim(&n, &nend);
	if (n == nend || (size_t)(nend - n) >= DDISIM_RM_NAMELEN)
		return spec_err(err, errlen, "board: '%.*s' is not a module "
		    "name of 1 to %d characters", (int)(nend - n), n,
		    DDISIM_RM_NAMELEN - 1);
	for (const char *p = n; p < nend; p++)
		if (spec_space(*p) || *p == '=')
			return spec_err(err, errlen, "board: '%.*s' is not a "
			    "module name", (int)(nend - n), n);
	mb = &ms->board[ms->nboards];
	memset(mb, 0, sizeof(*mb));
	memcpy(mb->name, n, (size_t)(nend - n));
	mb->b.bus = 0x01;
	while (colon != NULL) {
		const char *f = colon + 1, *fend, *eq, *fv, *fvend;
		uint64_t u;

		colon = memchr(f, ':', (size_t)(end - f));
		fend = colon != NULL ? colon : end;
		spec_trim(&f, &fend);
		eq = memchr(f, '=', (size_t)(fend - f));
		if (eq == NULL)
			return spec_err(err, errlen, "board %s: '%.*s' is not "
			    "field=value", mb->name, (int)(fend - f), f);
		fv = eq + 1;
		fvend = fend;
		spec_trim(&fv, &fvend);
		const char *fk = f, *fkend = eq;
		spec_trim(&fk, &fkend);
#define FIELD(name)	spec_is(fk, fkend, name)
#define BADF(what)	spec_err(err, errlen, "board %s: %.*s: '%.*s' " what, \
		    mb->name, (int)(fkend - fk), fk, (int)(fvend - fv), fv)
		if (FIELD("bus")) {
			size_t i;

			for (i = 0; i < sizeof(spec_buses) /
			    sizeof(spec_buses[0]); i++)
				if (spec_is(fv, fvend, spec_buses[i].name))
					break;
			if (i == sizeof(spec_buses) / sizeof(spec_buses[0]))
				return BADF("is not isa, eisa, pci, pccard, "
				    "pnpisa or mca");
			mb->b.bus = spec_buses[i].bus;
		} else if (FIELD("irq")) {
			if (spec_uint(fv, fvend, DDISIM_NIRQ - 1, &u) != 0)
				return BADF("is not an interrupt line from 0 "
				    "to 63");
			mb->b.irq = (unsigned)u;
			mb->b.set |= DDISIM_BRD_IRQ;
		} else if (FIELD("ipl")) {
			if (spec_uint(fv, fvend, 7, &u) != 0 || u == 0)
				return BADF("is not a level from 1 to 7");
			mb->b.ipl = (unsigned)u;
		} else if (FIELD("itype")) {
			if (spec_is(fv, fvend, "edge"))
				mb->b.itype = 1;
			else if (spec_is(fv, fvend, "level"))
				mb->b.itype = 4;
			else
				return BADF("is not edge or level");
		} else if (FIELD("ioaddr")) {
			if (spec_range(fv, fvend, &mb->b.io_start,
			    &mb->b.io_end) != 0 || mb->b.io_end > 0xffff)
				return BADF("is not a port range START-END "
				    "below 0x10000");
			mb->b.set |= DDISIM_BRD_IOADDR;
		} else if (FIELD("memaddr")) {
			if (spec_range(fv, fvend, &mb->b.mem_start,
			    &mb->b.mem_end) != 0)
				return BADF("is not an address range "
				    "START-END below 4G");
			mb->b.set |= DDISIM_BRD_MEMADDR;
		} else if (FIELD("dmac")) {
			if (spec_uint(fv, fvend, 7, &u) != 0)
				return BADF("is not a DMA channel from 0 to 7");
			mb->b.dmac = (unsigned)u;
			mb->b.set |= DDISIM_BRD_DMAC;
		} else if (FIELD("slot")) {
			if (spec_uint(fv, fvend, 255, &u) != 0)
				return BADF("is not a slot from 0 to 255");
			mb->b.slot = (unsigned)u;
			mb->b.set |= DDISIM_BRD_SLOT;
		} else if (FIELD("brdid")) {
			if (fv == fvend ||
			    (size_t)(fvend - fv) >= DDISIM_RM_BRDIDLEN)
				return BADF("is not a board ID of 1 to 15 "
				    "characters");
			memcpy(mb->brdid, fv, (size_t)(fvend - fv));
			mb->b.set |= DDISIM_BRD_BRDID;
		} else if (FIELD("unit")) {
			if (spec_uint(fv, fvend, UINT32_MAX, &u) != 0)
				return BADF("is not a 32-bit number");
			mb->b.unit = (uint32_t)u;
			mb->b.set |= DDISIM_BRD_UNIT;
		} else if (FIELD("bindcpu")) {
			if (spec_uint(fv, fvend, MACHINE_MAX_CPUS - 1, &u) != 0)
				return BADF("is not a CPU from 0 to 63");
			mb->b.bindcpu = (unsigned)u;
			mb->b.set |= DDISIM_BRD_BINDCPU;
		} else {
			return spec_err(err, errlen, "board %s: unknown field "
			    "'%.*s' (known: bus, irq, ipl, itype, ioaddr, "
			    "memaddr, dmac, slot, brdid, unit, bindcpu)",
			    mb->name, (int)(fkend - fk), fk);
		}
#undef FIELD
#undef BADF
	}
	ms->nboards++;
	return 0;
}

/* The keys, in the order the message for an unknown key lists them. */
enum spec_keyid {
	SK_MEM, SK_NODES, SK_CPUS, SK_HOLE, SK_PAGE, SK_FRAG, SK_SEED,
	SK_FAILRATE, SK_VERIFY, SK_AUDIT, SK_SCATTER, SK_ISADMA,
	SK_SLEEPLIMIT, SK_MAPS, SK_BOARD, SK_EXPLAIN, SK_NKEYS
};
static const char *const spec_key_name[SK_NKEYS] = {
	"mem", "nodes", "cpus", "hole", "page", "frag", "seed",
	"failrate", "verify", "audit", "scatter", "isadma",
	"sleeplimit", "maps", "board", "explain"
};
/* Keys a spec may give more than once: each hole= adds a hole, each
   board= a board. */
#define SPEC_REPEATABLE	((1u << SK_HOLE) | (1u << SK_BOARD))

static int
spec_lookup(const char *k, const char *kend)
{
	for (int i = 0; i < SK_NKEYS; i++)
		if (spec_is(k, kend, spec_key_name[i]))
			return i;
	return -1;
}

static int
spec_unknown(const char *k, const char *kend, char *err, size_t errlen)
{
	size_t n;

	spec_err(err, errlen, "unknown key '%.*s' (known:", (int)(kend - k),
	    k);
	for (int i = 0; i < SK_NKEYS; i++)
		if ((n = strlen(err)) < errlen)
			snprintf(err + n, errlen - n, "%s %s", i > 0 ? "," : "",
			    spec_key_name[i]);
	if ((n = strlen(err)) < errlen)
		snprintf(err + n, errlen - n, ")");
	return EINVAL;
}

static int
spec_key(struct machine_spec *ms, enum spec_keyid key, const char *v,
    const char *vend, char *err, size_t errlen)
{
	uint64_t u;
	int len = (int)(vend - v);

#define BAD(what) spec_err(err, errlen, "%s: '%.*s' " what, \
	    spec_key_name[key], len, v)
	switch (key) {
	case SK_MEM:
		if (spec_size(v, vend, &ms->mem) != 0)
			return BAD("is not a size (K, M, G, T or hex)");
		if (ms->mem >= MACHINE_TOP_MAX)
			return spec_ceiling(err, errlen, "mem", v, vend,
			    "is not below");
		break;
	case SK_NODES:
		return spec_nodes(ms, v, vend, err, errlen);
	case SK_CPUS:
		if (spec_uint(v, vend, MACHINE_MAX_CPUS, &u) != 0 || u == 0)
			return BAD("is not a CPU count from 1 to 64");
		ms->cpus = (int)u;
		break;
	case SK_HOLE:
		return spec_hole(ms, v, vend, err, errlen);
	case SK_PAGE:
		if (spec_size(v, vend, &u) != 0 || u < 4096 ||
		    u > 65536 || (u & (u - 1)) != 0)
			return BAD("is not a power of two from 4K to 64K");
		ms->page = (size_t)u;
		break;
	case SK_FRAG:
		if (spec_fraction(v, vend, 0.95, &ms->frag) != 0)
			return BAD("is not a fraction from 0 to 0.95");
		break;
	case SK_SEED:
		if (spec_uint(v, vend, UINT64_MAX, &ms->seed) != 0)
			return BAD("is not an unsigned integer");
		break;
	case SK_FAILRATE:
		if (spec_fraction(v, vend, 1.0, &ms->failrate) != 0)
			return BAD("is not a probability from 0 to 1");
		break;
	case SK_VERIFY:
		ms->verify_given = true;
		if (spec_is(v, vend, "abort"))
			ms->verify = DDISIM_VERIFY_ABORT;
		else if (spec_is(v, vend, "warn"))
			ms->verify = DDISIM_VERIFY_WARN;
		else if (spec_is(v, vend, "count"))
			ms->verify = DDISIM_VERIFY_COUNT;
		else
			return BAD("is not abort, warn or count");
		break;
	case SK_AUDIT:
		if (spec_is(v, vend, "light"))
			ms->audit = AUDIT_LIGHT;
		else if (spec_is(v, vend, "full"))
			ms->audit = AUDIT_FULL;
		else
			return BAD("is not light or full");
		break;
	case SK_SCATTER:
		if (!spec_is(v, vend, "0") && !spec_is(v, vend, "1"))
			return BAD("is not 0 or 1");
		ms->scatter = *v == '1';
		break;
	case SK_ISADMA:
		if (!spec_is(v, vend, "0") && !spec_is(v, vend, "1"))
			return BAD("is not 0 or 1");
		ms->isadma = *v == '1';
		break;
	case SK_MAPS:
		if (spec_uint(v, vend, 1u << 30, &u) != 0 || u < 16)
			return BAD("is not a mapping count of at least 16");
		ms->maps = (unsigned)u;
		break;
	case SK_SLEEPLIMIT:
		if (spec_uint(v, vend, 3600000, &u) != 0)
			return BAD("is not a time in milliseconds up to 3600000");
		ms->sleeplimit_ms = (unsigned)u;
		break;
	case SK_BOARD:
		return spec_board(ms, v, vend, err, errlen);
	case SK_EXPLAIN:
		if (spec_uint(v, vend, 2, &u) != 0)
			return BAD("is not 0 (off), 1 (print) or 2 (keep)");
		ms->explain = (int)u;
		ms->explain_given = true;
		break;
	case SK_NKEYS:
		VERIFY3U(key, <, SK_NKEYS);	/* spec_next gives known keys */
		break;
	}
#undef BAD
	return 0;
}

/* A walk over the items of a spec. */
struct spec_iter {
	const char	*p;		/* the rest of the spec */
	unsigned	n;		/* items seen so far */
	bool		comma;		/* the last item ended with a comma */
};

/* One key=value item, both trimmed of white space. */
struct spec_item {
	const char	*k, *kend;
	const char	*v, *vend;
	enum spec_keyid	key;
};

/*
 * The next item: 0, ENOENT after the last one, or EINVAL with a message
 * for an item that is not key=value or has an unknown key.  An item with
 * nothing but white space is empty, and so is one after a trailing comma.
 */
static int
spec_next(struct spec_iter *si, struct spec_item *it, char *err,
    size_t errlen)
{
	const char *s = si->p, *end, *eq;
	int key;

	while (spec_space(*s))
		s++;
	if (*s == '\0' && !si->comma)
		return ENOENT;
	end = strchr(s, ',');
	if (end == NULL)
		end = s + strlen(s);
	si->comma = *end == ',';
	si->p = si->comma ? end + 1 : end;
	si->n++;
	spec_trim(&s, &end);
	if (s == end)
		return spec_err(err, errlen, "item %u of the spec is empty",
		    si->n);
	eq = memchr(s, '=', (size_t)(end - s));
	if (eq == NULL)
		return spec_err(err, errlen, "'%.*s' is not key=value",
		    (int)(end - s), s);
	it->k = s;
	it->kend = eq;
	it->v = eq + 1;
	it->vend = end;
	spec_trim(&it->k, &it->kend);
	spec_trim(&it->v, &it->vend);
	if (it->k == it->kend)
		return spec_err(err, errlen, "'%.*s' has no key",
		    (int)(end - s), s);
	if ((key = spec_lookup(it->k, it->kend)) < 0)
		return spec_unknown(it->k, it->kend, err, errlen);
	it->key = (enum spec_keyid)key;
	return 0;
}

/*
 * Check the form of every item and that no key but hole= comes twice,
 * before any value is applied; tell whether the spec sets mem=.
 */
static int
spec_scan(const char *spec, bool *has_mem, char *err, size_t errlen)
{
	struct spec_iter si = { .p = spec };
	struct spec_item it;
	unsigned seen = 0;
	int error;

	*has_mem = false;
	while ((error = spec_next(&si, &it, err, errlen)) == 0) {
		unsigned bit = 1u << it.key;

		if ((seen & bit & ~SPEC_REPEATABLE) != 0)
			return spec_err(err, errlen, "%s: given twice; only "
			    "hole may be repeated", spec_key_name[it.key]);
		seen |= bit;
	}
	*has_mem = (seen & (1u << SK_MEM)) != 0;
	return error == ENOENT ? 0 : error;
}

static int
spec_apply(struct machine_spec *ms, const char *spec, bool user, char *err,
    size_t errlen)
{
	struct spec_iter si = { .p = spec };
	struct spec_item it;
	bool user_hole = false;
	int error;

	while ((error = spec_next(&si, &it, err, errlen)) == 0) {
		/* The first hole= of a user spec replaces the default holes. */
		if (user && !user_hole && it.key == SK_HOLE) {
			ms->nholes = 0;
			user_hole = true;
		}
		error = spec_key(ms, it.key, it.v, it.vend, err, errlen);
		if (error != 0)
			return error;
	}
	return error == ENOENT ? 0 : error;
}

/*
 * mem= and every hole lie below MACHINE_TOP_MAX, but the holes push RAM
 * up (layout.c), so the top of RAM may not.  It does iff fewer than mem
 * of the addresses below MACHINE_TOP_MAX - 1 are outside every hole.
 * The holes end below MACHINE_TOP_MAX and do not overlap, so they cover
 * the sum of their sizes there.
 */
static int
spec_check_top(const struct machine_spec *ms, char *err, size_t errlen)
{
	uint64_t room = MACHINE_TOP_MAX - 1;

	for (unsigned i = 0; i < ms->nholes; i++)
		room -= ms->hole_end[i] - ms->hole_start[i];
	if (room >= ms->mem)
		return 0;
	return spec_err(err, errlen, "mem: %#llx bytes of RAM with the holes "
	    "below them reach %llu TiB, the most that %d-bit page numbers "
	    "count in 4 KiB pages", (unsigned long long)ms->mem,
	    (unsigned long long)(MACHINE_TOP_MAX >> 40), MACHINE_PFN_BITS);
}

/*
 * Parse spec into *ms.  The spec modifies the default machine
 * (DDISIM_DEFAULT_SPEC); a spec that sets mem= starts instead from a flat
 * machine of one node without holes, since the PC layout of the default
 * only fits its own size.  NULL, "" or only white space means the default
 * machine.  Returns 0, or EINVAL with a message naming the key in err.
 */
int
machine_spec_parse(const char *spec, struct machine_spec *ms, char *err,
    size_t errlen)
{
	bool has_mem;
	int error;

	spec_defaults(ms);
	if (spec == NULL)
		spec = "";
	if (strlen(spec) > SPEC_MAX_LEN)
		return spec_err(err, errlen, "spec longer than %d bytes",
		    SPEC_MAX_LEN);
	if ((error = spec_scan(spec, &has_mem, err, errlen)) != 0)
		return error;
	if (!has_mem) {
		error = spec_apply(ms, DDISIM_DEFAULT_SPEC, false, err, errlen);
		VERIFY(error == 0);
	}
	if ((error = spec_apply(ms, spec, true, err, errlen)) != 0)
		return error;
	return spec_check_top(ms, err, errlen);
}
