/*
 * test_machine.c - the spec, the RAM layout, fork isolation.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/testutil.h"
#include "machine/machine.h"

static void
expect_reject(const char *spec, const char *key)
{
	int e = ddisim_init(spec);

	ck_assert_int_eq(e, EINVAL);
	ck_assert_msg(strstr(ddisim_init_error(), key) != NULL,
	    "spec \"%s\": message \"%s\" does not name \"%s\"", spec,
	    ddisim_init_error(), key);
	ck_assert_int_eq(ddisim_initialized(), 0);
}

START_TEST(spec_rejects)
{
	expect_reject("bogus=1", "bogus");
	expect_reject("mem=12Q", "mem");
	expect_reject("mem=", "mem");
	expect_reject("nodes=0", "nodes");
	expect_reject("nodes=9", "nodes");
	expect_reject("nodes=2:4G:5G", "nodes");
	expect_reject("cpus=65", "cpus");
	expect_reject("hole=3G-2G", "hole");
	expect_reject("hole=1G-2G,hole=1500M-3G", "hole");
	expect_reject("page=3000", "page");
	expect_reject("frag=0.99", "frag");
	expect_reject("frag=abc", "frag");
	expect_reject("seed=1K", "seed");
	expect_reject("failrate=2", "failrate");
	expect_reject("verify=maybe", "verify");
	expect_reject("audit=some", "audit");
	expect_reject("scatter=2", "scatter");
	expect_reject("mem=1G,nodes=2:2G", "nodes");
	expect_reject("mem=16T", "mem");
	expect_reject("mem=1G,,cpus=2", "empty");
	expect_reject("mem", "key=value");
	expect_reject("mem=0x12345", "mem");
	expect_reject("mem=1G,hole=1000-8192", "hole");
	expect_reject("maps=8", "maps");
	expect_reject("explain=3", "explain");
	expect_reject("explain=on", "explain");
	expect_reject("mem=0xfffff00010000000,hole=0x1000-0x100000001000",
	    "mem");
	expect_reject("mem=1G,hole=0x1000-0x100000001000", "hole");
}
END_TEST

/*
 * Random specs from the grammar.  An item is written with '|' wherever
 * the grammar lets white space in: around the key, the '=', the value,
 * the separators inside a value, and the commas.  spec_flat drops the
 * marks; spec_spaced puts random white space in their place.
 */
#define GEN_LEN		2048

static void
gen_add(char *buf, const char *fmt, ...)
{
	size_t n = strlen(buf);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf + n, GEN_LEN - n, fmt, ap);
	va_end(ap);
}

/* A size in one of the spellings the grammar allows. */
static void
gen_size(char *buf, uint64_t v)
{
	unsigned form = (unsigned)rndn(4);

	if (form == 2 && (v & ((UINT64_C(1) << 20) - 1)) == 0)
		gen_add(buf, "%lluM", (unsigned long long)(v >> 20));
	else if (form >= 2 && (v & 1023) == 0)
		gen_add(buf, "%lluk", (unsigned long long)(v >> 10));
	else if (form == 1)
		gen_add(buf, "0x%llx", (unsigned long long)v);
	else
		gen_add(buf, "%llu", (unsigned long long)v);
}

static void
gen_nodes(char *buf)
{
	unsigned n = 1 + (unsigned)rndn(8);

	gen_add(buf, "nodes|=|%u", n);
	if (n > 1 && rndn(2) == 0)
		for (unsigned k = 1; k < n; k++) {
			gen_add(buf, "|:|");
			gen_size(buf, (uint64_t)k << 30);
		}
}

/* 1 to 3 holes in distinct 1 GiB slots, in any order. */
static void
gen_holes(char *buf)
{
	unsigned used = 0, nh = 1 + (unsigned)rndn(3);

	for (unsigned h = 0; h < nh; h++) {
		unsigned slot;

		do
			slot = (unsigned)rndn(16);
		while (used & (1u << slot));
		used |= 1u << slot;
		if (h > 0)
			gen_add(buf, "|,|");
		gen_add(buf, "hole|=|");
		gen_size(buf, ((uint64_t)slot << 30) + ((uint64_t)rndn(4) << 20));
		gen_add(buf, "|-|");
		gen_size(buf, ((uint64_t)slot << 30) + (UINT64_C(512) << 20));
	}
}

/* One item of key number k, with marks. */
static void
gen_item(char *buf, unsigned k)
{
	static const char *const verify[] = { "abort", "warn", "count" };

	switch (k) {
	case 0:
		gen_add(buf, "mem|=|");
		gen_size(buf, (1 + rndn(64)) << 28);
		break;
	case 1:
		gen_nodes(buf);
		break;
	case 2:
		gen_add(buf, "cpus|=|%u", 1 + (unsigned)rndn(64));
		break;
	case 3:
		gen_holes(buf);
		break;
	case 4:
		gen_add(buf, "page|=|");
		gen_size(buf, UINT64_C(4096) << rndn(5));
		break;
	case 5:
		gen_add(buf, "frag|=|%.2f", (double)rndn(96) / 100);
		break;
	case 6:
		gen_add(buf, rndn(2) ? "seed|=|%llu" : "seed|=|0x%llx",
		    (unsigned long long)rnd());
		break;
	case 7:
		gen_add(buf, "failrate|=|%.3f", (double)rndn(1001) / 1000);
		break;
	case 8:
		gen_add(buf, "verify|=|%s", verify[rndn(3)]);
		break;
	case 9:
		gen_add(buf, "audit|=|%s", rndn(2) ? "light" : "full");
		break;
	case 10:
		gen_add(buf, "scatter|=|%u", (unsigned)rndn(2));
		break;
	case 11:
		gen_add(buf, "isadma|=|%u", (unsigned)rndn(2));
		break;
	case 12:
		gen_add(buf, "sleeplimit|=|%u", (unsigned)rndn(3600001));
		break;
	case 13:
		gen_add(buf, "maps|=|%u", 16 + (unsigned)rndn(100000));
		break;
	default:
		gen_add(buf, "explain|=|%u", (unsigned)rndn(3));
		break;
	}
}

#define GEN_KEYS	15

/*
 * A valid spec of distinct keys in random order, with marks; returns the
 * set of keys it holds.
 */
static unsigned
gen_spec(char *buf)
{
	unsigned order[GEN_KEYS], n = 0, set = 0;

	buf[0] = '\0';
	for (unsigned k = 0; k < GEN_KEYS; k++)
		if (rndn(2) == 0)
			order[n++] = k;
	for (unsigned i = n; i > 1; i--) {
		unsigned j = (unsigned)rndn(i), t = order[i - 1];

		order[i - 1] = order[j];
		order[j] = t;
	}
	gen_add(buf, "|");
	for (unsigned i = 0; i < n; i++) {
		if (i > 0)
			gen_add(buf, "|,|");
		gen_item(buf, order[i]);
		set |= 1u << order[i];
	}
	gen_add(buf, "|");
	return set;
}

static void
spec_flat(const char *marked, char *out)
{
	for (; *marked != '\0'; marked++)
		if (*marked != '|')
			*out++ = *marked;
	*out = '\0';
}

static void
spec_spaced(const char *marked, char *out, size_t outlen)
{
	static const char ws[] = " \t\n\r\v\f";
	size_t n = 0;

	for (; *marked != '\0' && n + 4 < outlen; marked++) {
		if (*marked != '|') {
			out[n++] = *marked;
			continue;
		}
		for (size_t k = rndn(4) == 0 ? 1 + rndn(3) : 0; k > 0; k--)
			out[n++] = ws[rndn(sizeof(ws) - 1)];
	}
	out[n] = '\0';
}

static void
expect_same_machine(const char *a, const char *b)
{
	struct machine_spec ma, mb;
	char err[256];
	int e;

	e = machine_spec_parse(a, &ma, err, sizeof(err));
	ck_assert_msg(e == 0, "spec \"%s\": %s", a, err);
	e = machine_spec_parse(b, &mb, err, sizeof(err));
	ck_assert_msg(e == 0, "spec \"%s\" (from \"%s\"): %s", b, a, err);
	/* Both start from a zeroed structure, padding included. */
	ck_assert_msg(memcmp(&ma, &mb, sizeof(ma)) == 0,
	    "spec \"%s\" and \"%s\" give different machines", a, b);
}

/* White space around keys, values and separators changes nothing. */
START_TEST(spec_white_space_property)
{
	static char marked[GEN_LEN], flat[GEN_LEN], spaced[GEN_LEN];
	long iters = prop_iters(3000);

	prop_seed(UINT64_C(0x5bec0000));
	for (long i = 0; i < iters; i++) {
		gen_spec(marked);
		spec_flat(marked, flat);
		spec_spaced(marked, spaced, sizeof(spaced));
		if (strlen(spaced) > 1024)
			continue;	/* over the length limit */
		expect_same_machine(flat, spaced);
	}
}
END_TEST

static const char *const gen_key_name[GEN_KEYS] = {
	"mem", "nodes", "cpus", "hole", "page", "frag", "seed", "failrate",
	"verify", "audit", "scatter", "isadma", "sleeplimit", "maps",
	"explain"
};

/* The message for a repeated key starts with the key. */
static void
expect_repeat_refused(const char *spec, const char *key)
{
	struct machine_spec ms;
	char err[256];
	size_t n = strlen(key);

	ck_assert_msg(machine_spec_parse(spec, &ms, err, sizeof(err)) ==
	    EINVAL, "spec \"%s\" repeats %s but was accepted", spec, key);
	ck_assert_msg(strncmp(err, key, n) == 0 && err[n] == ':' &&
	    strstr(err, "twice") != NULL, "spec \"%s\": message \"%s\" "
	    "does not say that %s is repeated", spec, err, key);
}

/* A key other than hole given twice is refused, wherever the two are. */
START_TEST(spec_repeat_property)
{
	static char marked[GEN_LEN], item[GEN_LEN], spec[GEN_LEN];
	long iters = prop_iters(3000);

	prop_seed(UINT64_C(0x5bec0001));
	for (long i = 0; i < iters; i++) {
		unsigned set = gen_spec(marked) & ~(1u << 3), k;

		if (set == 0)
			continue;
		do
			k = (unsigned)rndn(GEN_KEYS);
		while ((set & (1u << k)) == 0);
		item[0] = '\0';
		gen_item(item, k);
		/* the second one first, last, or as the only other item */
		spec[0] = '\0';
		if (rndn(2) == 0)
			gen_add(spec, "%s|,|%s", item, marked);
		else
			gen_add(spec, "%s|,|%s", marked, item);
		spec_spaced(spec, marked, sizeof(marked));
		if (strlen(marked) > 1024)
			continue;	/* over the length limit */
		expect_repeat_refused(marked, gen_key_name[k]);
	}
}
END_TEST

START_TEST(spec_repeat)
{
	struct ddisim_info di;
	struct machine_spec ms;
	char err[256];

	expect_reject("mem=8G,mem=4G", "mem");
	expect_repeat_refused("mem=8G,mem=4G", "mem");
	/* the same value twice is still a mistake in the spec */
	expect_repeat_refused("cpus=2,frag=0.1,cpus=2", "cpus");
	expect_repeat_refused("verify=warn , verify = warn", "verify");
	expect_repeat_refused("nodes=2,hole=1G-2G,nodes=2:1G", "nodes");
	expect_repeat_refused("seed=1,seed=1,seed=1", "seed");
	/* a repeat is refused before any value is looked at */
	expect_repeat_refused("mem=12Q,mem=1G", "mem");
	/* hole may be repeated, none included */
	ck_assert_msg(machine_spec_parse("mem=4G,hole=1G-2G,hole=3G-3500M",
	    &ms, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(ms.nholes, 2);
	expect_same_machine("hole=1G-2G", "hole=3G-4G,hole=none,hole=1G-2G");
	MACHINE_UP("mem=1G,hole=128M-256M,hole=512M-768M,hole=none,"
	    "hole=64M-128M");
	ck_assert_int_eq(ddisim_info(&di), 0);
	ck_assert_uint_eq(di.top, (UINT64_C(1) << 30) + (UINT64_C(64) << 20));
	MACHINE_DOWN();
}
END_TEST

START_TEST(spec_white_space)
{
	struct ddisim_info di;

	expect_same_machine("mem=8G", " mem=8G");
	expect_same_machine("frag=0.5", "frag= 0.5");
	expect_same_machine("frag=0.5", "frag =0.5 ");
	expect_same_machine("mem=1G,cpus=2", "\tmem = 1G ,\n cpus = 2\n");
	expect_same_machine("hole=640K-1M,nodes=2:4G",
	    "hole = 640K - 1M , nodes = 2 : 4G");
	expect_same_machine("verify=warn,audit=full",
	    "verify=\twarn\t,\raudit=full\f\v");
	expect_same_machine("hole=none", "hole = none");
	/* nothing but white space is the empty spec: the default machine */
	expect_same_machine("", " \t\n ");
	/* white space inside a key, a number or a name is not ignored */
	expect_reject("mem=8 G", "mem");
	expect_reject("mem=1 024M", "mem");
	expect_reject("frag=0. 5", "frag");
	expect_reject("verify=ab ort", "verify");
	expect_reject("ver ify=warn", "ver ify");
	expect_reject("hole=640 K-1M", "hole");
	expect_reject("nodes=2:4 G", "nodes");
	expect_reject("mem=1G, ,cpus=2", "empty");
	expect_reject("mem=1G, ", "empty");
	expect_reject(" ,mem=1G", "empty");
	expect_reject(" mem ", "key=value");
	/* and the machine built is the one without white space */
	MACHINE_UP(" mem = 64M ,\tcpus = 2\n");
	ck_assert_int_eq(ddisim_info(&di), 0);
	ck_assert_uint_eq(di.mem, UINT64_C(64) << 20);
	ck_assert_int_eq(di.cpus, 2);
	MACHINE_DOWN();
}
END_TEST

START_TEST(default_layout)
{
	struct ddisim_info di;

	MACHINE_UP(NULL);
	ck_assert_int_eq(ddisim_info(&di), 0);
	ck_assert_uint_eq(di.mem, UINT64_C(8) << 30);
	ck_assert_int_eq(di.nodes, 2);
	ck_assert_int_eq(di.cpus, 4);
	ck_assert_uint_eq(di.page, 4096);
	/* RAM 0-640K, hole, RAM 1M-3G, PCI hole, RAM from 4G. */
	ck_assert_uint_eq(di.range[0].start, 0);
	ck_assert_uint_eq(di.range[0].end, 640 * 1024);
	ck_assert_int_eq(di.range[0].node, 0);
	ck_assert_int_eq(di.range[1].node, -1);
	ck_assert_uint_eq(di.range[2].start, 1 << 20);
	ck_assert_uint_eq(di.range[2].end, UINT64_C(3) << 30);
	ck_assert_int_eq(di.range[3].node, -1);
	ck_assert_uint_eq(di.range[4].start, UINT64_C(4) << 30);
	ck_assert_int_eq(di.range[4].node, 1);
	/* holes push RAM up: top = mem + holes below it */
	ck_assert_uint_eq(di.top, (UINT64_C(8) << 30) + (UINT64_C(1) << 30) +
	    384 * 1024);
	ck_assert_uint_eq(di.total_pages[0][0], (16 << 20) / 4096 - 96);
	ck_assert_uint_eq(di.total_pages[1][0], 0);
	ck_assert_uint_eq(di.total_pages[1][1], 0);
	ck_assert_uint_eq(di.total_pages[1][2], (di.top - (UINT64_C(4) << 30))
	    / 4096);
	/*
	 * The jemalloc arenas exist by now, and their metadata took nothing
	 * from simulated RAM: every page is free but page 0.
	 */
	ck_assert_uint_eq(di.free_pages[0][0], di.total_pages[0][0] - 1);
	ck_assert_uint_eq(di.free_pages[0][1], di.total_pages[0][1]);
	ck_assert_uint_eq(di.free_pages[1][2], di.total_pages[1][2]);
	MACHINE_DOWN();
}
END_TEST

START_TEST(equal_nodes_and_cpus)
{
	struct ddisim_info di;

	MACHINE_UP("mem=4G,nodes=4,cpus=8");
	ddisim_info(&di);
	ck_assert_uint_eq(di.top, UINT64_C(4) << 30);
	for (int n = 0; n < 4; n++) {
		uint64_t t = 0;

		for (int z = 0; z < DDISIM_ZONES; z++)
			t += di.total_pages[n][z];
		ck_assert_uint_eq(t, (UINT64_C(1) << 30) / 4096);
	}
	ddisim_cpu_set(5);
	ck_assert_int_eq(ddisim_cpu_get(), 5);
	ck_assert_int_eq(machine_node(), 2);
	MACHINE_DOWN();
}
END_TEST

START_TEST(reinit_fresh)
{
	for (int i = 0; i < 3; i++) {
		MACHINE_UP("mem=64M,cpus=2");
		ck_assert_int_eq(ddisim_init("mem=64M"), EBUSY);
		MACHINE_DOWN();
	}
}
END_TEST

START_TEST(big_machine_is_cheap)
{
	struct ddisim_info di;
	/* Valgrind cannot give one process 68 GiB of address space. */
	unsigned gib = under_valgrind() ? 16 : 64;
	char spec[64];

	snprintf(spec, sizeof(spec), "mem=%uG,nodes=4", gib);
	MACHINE_UP(spec);
	ddisim_info(&di);
	ck_assert_uint_eq(di.mem, (uint64_t)gib << 30);
	ck_assert_uint_eq(di.total_pages[3][3], 0);
	MACHINE_DOWN();
}
END_TEST

/* Lay out the machine of spec without building it: its page count. */
static uint64_t
layout_npfn(const char *spec)
{
	struct machine *m = calloc(1, sizeof(*m));
	char err[256];
	uint64_t npfn;

	ck_assert_ptr_nonnull(m);
	ck_assert_msg(machine_spec_parse(spec, &m->spec, err, sizeof(err)) ==
	    0, "spec \"%s\": %s", spec, err);
	ck_assert_msg(machine_layout(m, err, sizeof(err)) == 0,
	    "spec \"%s\": %s", spec, err);
	npfn = m->npfn;
	free(m->seg_of_chunk);
	free(m);
	return npfn;
}

/*
 * The top of RAM stays below MACHINE_TOP_MAX, where page numbers would
 * need more than MACHINE_PFN_BITS bits.  Building such a machine takes
 * gigabytes of host memory for its page metadata, so the largest ones
 * are only laid out.
 */
START_TEST(ceiling)
{
	uint64_t top = MACHINE_TOP_MAX, page = 4096;
	char spec[160];

	ck_assert_uint_eq(top, UINT64_C(16) << 40);
	/* just below: the most pages 32-bit page numbers allow */
	snprintf(spec, sizeof(spec), "mem=%#llx",
	    (unsigned long long)(top - page));
	ck_assert_uint_eq(layout_npfn(spec),
	    (UINT64_C(1) << MACHINE_PFN_BITS) - 1);
	/* a hole below pushes RAM up to the same top */
	snprintf(spec, sizeof(spec), "mem=%#llx,hole=0x1000-0x2000",
	    (unsigned long long)(top - 2 * page));
	ck_assert_uint_eq(layout_npfn(spec),
	    (UINT64_C(1) << MACHINE_PFN_BITS) - 1);
	/* a hole at the top of RAM pushes nothing */
	snprintf(spec, sizeof(spec), "mem=%#llx,hole=%#llx-%#llx",
	    (unsigned long long)(top - 2 * page),
	    (unsigned long long)(top - 2 * page),
	    (unsigned long long)(top - page));
	ck_assert_uint_eq(layout_npfn(spec),
	    (UINT64_C(1) << MACHINE_PFN_BITS) - 2);

	/* at the ceiling: refused, and the message says why */
	expect_reject("mem=16T", "32-bit page numbers");
	expect_reject("mem=16T", "mem");
	expect_reject("page=64K,mem=16T", "mem");
	expect_reject("mem=17592186044416", "16 TiB");
	snprintf(spec, sizeof(spec), "mem=%#llx,hole=0x1000-0x2000",
	    (unsigned long long)(top - page));
	expect_reject(spec, "mem");
	expect_reject(spec, "page numbers");
	snprintf(spec, sizeof(spec), "mem=%#llx,hole=0x1000-0x2000,"
	    "hole=1G-2G", (unsigned long long)(top - page - (1 << 30)));
	expect_reject(spec, "mem");
	expect_reject(spec, "page numbers");
	expect_reject("mem=1G,hole=15T-16T", "hole");
	expect_reject("mem=1G,hole=15T-16T", "page numbers");
}
END_TEST

static Suite *
machine_suite(void)
{
	Suite *s = suite_create("machine");
	TCase *tc = tcase_new("core");

	tcase_add_test(tc, default_layout);
	tcase_add_test(tc, equal_nodes_and_cpus);
	tcase_add_test(tc, reinit_fresh);
	suite_add_tcase(s, tc);
	tc = tcase_new("limits");
	tcase_add_test(tc, big_machine_is_cheap);
	tcase_add_test(tc, ceiling);
	suite_add_tcase(s, tc);
	tc = tcase_new("spec");
	tcase_add_test(tc, spec_white_space);
	tcase_add_test(tc, spec_white_space_property);
	tcase_add_test(tc, spec_repeat);
	tcase_add_test(tc, spec_repeat_property);
	suite_add_tcase(s, tc);
	tc = tcase_new("misuse");
	tcase_add_test(tc, spec_rejects);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return run_suite(machine_suite()) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
