/*
 * ddisim - inspect the simulated machine and try allocations on it.
 *
 *	ddisim map [--svg FILE] [--machine SPEC]
 *	ddisim alloc SIZE [--align N] [--boundary N] [--dmasize N] [--contig]
 *	    [--count N] [--scgth N] [--svg FILE] [--machine SPEC]
 *	ddisim demo [--machine SPEC]
 *	ddisim dma [SCRIPT] [--machine SPEC]
 *	ddisim --help | -h | help [COMMAND]
 *	ddisim --version
 *
 * Exit status: 0 success, 1 a failure the machine gave, 2 a refused
 * argument (with its reason).
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/types.h>
#include <sys/kmem.h>
#include <sys/stream.h>
#include <sys/scgth.h>
#include <sys/dma.h>
#include <sys/ddi.h>
#include <ddicompat/ddisim.h>
#include <ddicompat/isadma.h>
#include <ddicompat/host.h>

/* The ODDI's channel calls: the tool is built for DDI 8. */
int	dma_alloc(unsigned, unsigned);
void	dma_relse(unsigned);

/*
 * The functions that call the library are external, and the tool is
 * linked with -rdynamic, so that verifier reports and the dma holder
 * column name them rather than an offset into the executable.
 */
struct req;
struct dma_script;
int	cmd_map(void);
int	try_alloc(const struct req *r, unsigned count, const char *title);
int	show_scgth(void *buf, const struct req *r, physreq_t *preq);
void	demo_free(char *arg);
int	demo_streams(void);
int	cmd_demo(const char *spec);
int	script_step(struct dma_script *st, char *step);
int	cmd_dma(const char *script);

static const char *const zone_name[DDISIM_ZONES] = {
	"below 16M", "16M-4G", "4G-64G", "above 64G"
};

/* ---- commands, their help, and the reasons arguments are refused ---- */

struct command {
	const char	*name;
	const char	*synopsis;
	const char	*help;
};

static const struct command commands[] = {
	{ "map", "ddisim map [--svg FILE] [--machine SPEC]",
	  "Print the machine: RAM ranges and holes with their nodes, the CPUs\n"
	  "of each node, and each node and zone's free and total pages with\n"
	  "its free runs by size.\n"
	  "\n"
	  "  --svg FILE     also draw physical memory in FILE, an SVG picture:\n"
	  "                 nodes, zones, holes, and the share of each pixel\n"
	  "                 column's pages that is free\n" },
	{ "alloc", "ddisim alloc SIZE [--align N] [--boundary N] "
	  "[--dmasize N] [--contig]\n"
	  "                    [--count N] [--scgth N] [--svg FILE] "
	  "[--machine SPEC]",
	  "Prepare a physreq from the options, allocate SIZE bytes under it\n"
	  "with kmem_alloc_physreq and print where each buffer landed.\n"
	  "\n"
	  "  --align N      phys_align: N bytes, a power of two\n"
	  "  --boundary N   phys_boundary: N bytes, a power of two, at least\n"
	  "                 the alignment and the size (0: none)\n"
	  "  --dmasize N    phys_dmasize: N address bits, 0 to 64\n"
	  "  --contig       PREQ_PHYSCONTIG\n"
	  "  --count N      N allocations (1 to 256), each kept until the end\n"
	  "  --scgth N      phys_max_scgth: N elements (0 to 255); each buffer\n"
	  "                 is also handed to msgscgth as a message's data\n"
	  "                 and the scatter/gather list printed\n"
	  "  --svg FILE     draw physical memory as map --svg does, with the\n"
	  "                 buffers marked where they landed, while held\n"
	  "\n"
	  "Exit status 1 when an allocation fails or breaks the request.\n" },
	{ "demo", "ddisim demo [--machine SPEC]",
	  "Walk through the allocations a legacy driver typically makes and\n"
	  "a STREAMS message turned into a scatter/gather list.\n" },
	{ "dma", "ddisim dma [SCRIPT] [--machine SPEC]",
	  "Run the optional SCRIPT, steps separated by ';', then print the\n"
	  "system DMA controller's channel registry.  Steps:\n"
	  "  prog CHAN read|write BYTES   enable CHAN   disable CHAN   "
	  "stop CHAN\n"
	  "  cascade CHAN   uncascade CHAN   alloc CHAN   relse CHAN   "
	  "dreq CHAN N\n"
	  "CHAN is 0 to 7 other than 4.  A failing step gives exit status "
	  "1.\n" },
	{ "drivers", "ddisim drivers [DRIVER ...] [--machine SPEC]",
	  "Load each DRIVER with ddisim_drv_load, as the kernel loaded it,\n"
	  "and list the loaded drivers as the configuration tools did: their\n"
	  "prefix, module name, interface, kind, load type, major numbers and\n"
	  "flags, and each instance's or board's resource manager key with\n"
	  "its interrupt, ports and memory.  Then unload them, last first.\n"
	  "A DRIVER is a shared object (its prefix is its file name without\n"
	  "a leading 'lib', its directory and its extension) or PREFIX=OBJECT.\n"
	  "Boards come from the machine's board= items.\n"
	  "\n"
	  "Exit status 1 when a load or an unload fails.\n" },
	{ "help", "ddisim help [COMMAND]",
	  "Print the help of ddisim, or of one command.\n" },
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static const char *progname = "ddisim";	/* "ddisim CMD" once known */
static const char *cmdname;		/* the command, or NULL */

static const struct command *
command_find(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

static void
help(const struct command *c)
{
	if (c != NULL) {
		printf("usage: %s\n\n%s\nThe machine is --machine SPEC, "
		    "else $DDISIM_MACHINE, else the default\n(see "
		    "ddicompat(7)).  See ddisim(1).\n", c->synopsis, c->help);
		return;
	}
	printf("usage: ddisim COMMAND [ARGS] [--machine SPEC]\n"
	    "       ddisim --help | -h | help [COMMAND]\n"
	    "       ddisim --version\n\n"
	    "Inspect a simulated machine and try allocations on it.\n\n"
	    "Commands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		printf("  %s\n", commands[i].synopsis);
	printf("\n'ddisim COMMAND --help' tells more about each.  "
	    "See ddisim(1).\n");
}

/* A refused argument: the reason, a hint, exit status 2. */
static _Noreturn void __attribute__((format(printf, 1, 2)))
refuse(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (cmdname != NULL && strcmp(cmdname, "help") != 0)
		fprintf(stderr, "\nTry 'ddisim %s --help'.\n", cmdname);
	else
		fprintf(stderr, "\nTry 'ddisim --help'.\n");
	exit(2);
}

static int
parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	unsigned shift = 0;

	errno = 0;
	if (*s == '-' || *s == '+')
		return -1;
	v = strtoull(s, &end, 0);
	if (errno != 0 || end == s)
		return -1;
	switch (*end) {
	case '\0': break;
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	case 't': case 'T': shift = 40; end++; break;
	default: return -1;
	}
	if (*end != '\0' || (shift != 0 && v > (UINT64_MAX >> shift)))
		return -1;
	*out = (uint64_t)v << shift;
	return 0;
}

/* An option's value, or a refusal that says what a value must be. */
static uint64_t
option_size(const char *opt, const char *arg)
{
	uint64_t v;

	if (parse_size(arg, &v) != 0)
		refuse("%s: '%s' is not a size (decimal, 0x hex, with K, M, G "
		    "or T for powers of 1024)", opt, arg);
	return v;
}

static bool
is_p2(uint64_t x)
{
	return x != 0 && (x & (x - 1)) == 0;
}

static void
print_size_to(char *buf, size_t len, uint64_t b)
{
	if (b >= (UINT64_C(1) << 30) && b % (UINT64_C(1) << 30) == 0)
		snprintf(buf, len, "%" PRIu64 "G", b >> 30);
	else if (b >= (UINT64_C(1) << 20) && b % (UINT64_C(1) << 20) == 0)
		snprintf(buf, len, "%" PRIu64 "M", b >> 20);
	else if (b >= 1024 && b % 1024 == 0)
		snprintf(buf, len, "%" PRIu64 "K", b >> 10);
	else
		snprintf(buf, len, "%" PRIu64, b);
}

static void
print_size(uint64_t b)
{
	char buf[32];

	print_size_to(buf, sizeof(buf), b);
	fputs(buf, stdout);
}

/* The machine of spec; a spec it refuses is a refused argument. */
static void
machine_up(const char *spec, const char *from)
{
	if (ddisim_init(spec) != 0)
		refuse("%s: %s", from, ddisim_init_error());
}

/* ---- a picture of physical memory ---- */

/*
 * The physical address space from 0 to the top of RAM, in rows of
 * SVG_COLS pixel columns, each column the same power-of-two number of
 * bytes, chosen so that the whole space takes at most SVG_MAXCOLS
 * columns.  Each element is one line of the file, its address range in
 * data-start and data-end, so that a test can read it back.
 */
#define SVG_COLS	1024	/* columns in a row */
#define SVG_MAXCOLS	4096	/* columns in the picture */
#define SVG_X0		90.0	/* left margin: the row's address */
#define SVG_Y0		64.0	/* top margin: the title */
#define SVG_ZONEH	8.0	/* the zone strip above each row */
#define SVG_BAND	60	/* the memory band, pixels = levels */
#define SVG_ROWH	96.0	/* a row: strip, band, gap */

static FILE *svg_out;		/* the --svg file, open before the machine */
static const char *svg_path;

struct svg_geom {
	uint64_t	col;		/* bytes in a pixel column */
	uint64_t	rowbytes;	/* bytes in a row */
	unsigned	cols, rows;	/* columns in a row, rows */
	size_t		page;
};

/* A mark of alloc --svg: where one buffer's pages landed. */
struct svg_mark {
	uint64_t	start, end;	/* first byte, one past the last */
	uint64_t	bytes;		/* the buffer's bytes in between */
	unsigned	buf;		/* which buffer */
	unsigned	nseg;		/* physical segments merged into it */
};

static void
svg_text(FILE *f, const char *t)
{
	for (; *t != '\0'; t++)
		switch (*t) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		default: fputc(*t, f); break;
		}
}

static double
svg_x(const struct svg_geom *g, uint64_t a)
{
	return SVG_X0 + (double)(a % g->rowbytes) / (double)g->col;
}

static double
svg_rowy(uint64_t row)
{
	return SVG_Y0 + (double)row * SVG_ROWH;
}

static void
svg_size(char *buf, size_t len, uint64_t b)
{
	static const char unit[] = "KMGT";

	for (int k = 4; k >= 1; k--)
		if (b >= (UINT64_C(1) << (10 * k)) &&
		    b % (UINT64_C(1) << (10 * k)) == 0) {
			snprintf(buf, len, "%" PRIu64 " %ciB", b >> (10 * k),
			    unit[k - 1]);
			return;
		}
	snprintf(buf, len, "%" PRIu64 " bytes", b);
}

/*
 * One rect per row the range [s, e) crosses, from y0 within the row,
 * h high; attrs and title are written into each.  Returns the count.
 */
static unsigned
svg_rects(FILE *f, const struct svg_geom *g, const char *cls, uint64_t s,
    uint64_t e, double y0, double h, double minw, const char *attrs,
    const char *title)
{
	unsigned n = 0;

	while (s < e) {
		uint64_t row = s / g->rowbytes;
		uint64_t re = (row + 1) * g->rowbytes, pe = e < re ? e : re;
		double w = (double)(pe - s) / (double)g->col;

		fprintf(f, "<rect class=\"%s\" x=\"%.3f\" y=\"%.1f\" "
		    "width=\"%.3f\" height=\"%.1f\" data-start=\"0x%012" PRIx64
		    "\" data-end=\"0x%012" PRIx64 "\"%s>", cls, svg_x(g, s),
		    svg_rowy(row) + y0, w < minw ? minw : w, h, s, pe, attrs);
		if (title != NULL) {
			fputs("<title>", f);
			svg_text(f, title);
			fputs("</title>", f);
		}
		fputs("</rect>\n", f);
		n++;
		s = pe;
	}
	return n;
}

/* A run of columns with the same share free, inside one node and zone. */
struct svg_run {
	uint64_t	start, end, free;
	unsigned	level;		/* free bar height, 0 to SVG_BAND */
};

static void
svg_run_flush(FILE *f, const struct svg_geom *g, const struct svg_run *run,
    int node, int zone)
{
	char attrs[160], title[160], a[32];

	if (run->free == 0)
		return;
	snprintf(attrs, sizeof(attrs), " data-node=\"%d\" data-zone=\"%d\" "
	    "data-free=\"%" PRIu64 "\" data-pages=\"%" PRIu64 "\"", node, zone,
	    run->free, (run->end - run->start) / g->page);
	svg_size(a, sizeof(a), run->end - run->start);
	snprintf(title, sizeof(title), "0x%012" PRIx64 "-0x%012" PRIx64
	    ": %" PRIu64 " of %" PRIu64 " pages free (%s)", run->start,
	    run->end, run->free, (run->end - run->start) / g->page, a);
	svg_rects(f, g, "free", run->start, run->end,
	    SVG_ZONEH + 2 + (SVG_BAND - run->level), run->level, 0, attrs,
	    title);
}

static const char *const zone_css[DDISIM_ZONES] = {
	"#6a3d9a", "#1f78b4", "#b15928", "#e31a1c"
};

/*
 * The node's RAM in [s, e), inside one zone and one row: the zone strip,
 * the band of used memory, and the free bars of its columns.
 */
static void
svg_piece_row(FILE *f, const struct svg_geom *g, int node, int zone,
    uint64_t s, uint64_t e)
{
	char attrs[128], title[160], a[32];
	uint64_t pages = (e - s) / g->page, free = ddisim_free_pages(s, e);
	struct svg_run run = { s, s, 0, 0 };

	svg_size(a, sizeof(a), e - s);
	snprintf(attrs, sizeof(attrs), " data-node=\"%d\" data-zone=\"%d\" "
	    "data-pages=\"%" PRIu64 "\"", node, zone, pages);
	snprintf(title, sizeof(title), "node %d, zone %s: 0x%012" PRIx64
	    "-0x%012" PRIx64 " (%s)", node, zone_name[zone], s, e, a);
	svg_rects(f, g, "zone", s, e, 0, SVG_ZONEH, 0, attrs, title);
	snprintf(attrs, sizeof(attrs), " data-node=\"%d\" data-zone=\"%d\" "
	    "data-pages=\"%" PRIu64 "\" data-used=\"%" PRIu64 "\"", node, zone,
	    pages, pages - free);
	snprintf(title, sizeof(title), "node %d, zone %s: %" PRIu64 " of %"
	    PRIu64 " pages in use", node, zone_name[zone], pages - free,
	    pages);
	svg_rects(f, g, "used", s, e, SVG_ZONEH + 2, SVG_BAND, 0, attrs,
	    title);
	for (uint64_t c = s; c < e;) {
		uint64_t ce = (c / g->col + 1) * g->col, n, fr;
		unsigned level;

		if (ce > e)
			ce = e;
		n = (ce - c) / g->page;
		fr = ddisim_free_pages(c, ce);
		level = fr == 0 ? 0 : (unsigned)((fr * SVG_BAND + n / 2) / n);
		if (fr != 0 && level == 0)
			level = 1;	/* some free: never drawn as none */
		if (level != run.level) {
			svg_run_flush(f, g, &run, node, zone);
			run.start = c;
			run.free = 0;
			run.level = level;
		}
		run.end = ce;
		run.free += fr;
		c = ce;
	}
	svg_run_flush(f, g, &run, node, zone);
}

static void
svg_piece(FILE *f, const struct svg_geom *g, int node, int zone,
    uint64_t s, uint64_t e)
{
	while (s < e) {
		uint64_t re = (s / g->rowbytes + 1) * g->rowbytes;
		uint64_t pe = e < re ? e : re;

		svg_piece_row(f, g, node, zone, s, pe);
		s = pe;
	}
}

static int
svg_write(FILE *f, const char *what, const struct svg_mark *mark,
    size_t nmark)
{
	struct ddisim_info di;
	struct svg_geom g;
	char t[256], a[32];
	double w, h;

	ddisim_info(&di);
	g.page = di.page;
	g.col = di.page;
	while ((di.top + g.col - 1) / g.col > SVG_MAXCOLS)
		g.col <<= 1;
	g.cols = (unsigned)((di.top + g.col - 1) / g.col);
	if (g.cols > SVG_COLS)
		g.cols = SVG_COLS;
	g.rowbytes = g.col * g.cols;
	g.rows = (unsigned)((di.top + g.rowbytes - 1) / g.rowbytes);
	w = SVG_X0 + g.cols + 20;
	if (w < 760)
		w = 760;
	h = svg_rowy(g.rows) + 120;

	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" "
	    "viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" height=\"%.0f\" "
	    "data-page=\"%zu\" data-column=\"%" PRIu64 "\" data-top=\"0x%012"
	    PRIx64 "\" data-nodes=\"%d\">\n", w, h, w, h, di.page, g.col,
	    di.top, di.nodes);
	print_size_to(a, sizeof(a), di.mem);
	snprintf(t, sizeof(t), "%s: %s RAM, %d node%s, %d CPUs", what, a,
	    di.nodes, di.nodes == 1 ? "" : "s", di.cpus);
	fputs("<title>", f);
	svg_text(f, t);
	fputs("</title>\n", f);
	svg_size(a, sizeof(a), g.col);
	fprintf(f, "<desc>Simulated physical memory from 0 to 0x%" PRIx64
	    ", %u rows of up to %u pixel columns; one column is %s (%"
	    PRIu64 " pages).  The height of the green bar in a column is the "
	    "share of its pages that are free.</desc>\n", di.top, g.rows,
	    g.cols, a, g.col / di.page);
	fprintf(f, "<style>\n"
	    "text { font: 12px sans-serif; fill: #222; }\n"
	    "text.small { font-size: 10px; fill: #555; }\n"
	    "rect.used { fill: #d9a37a; }\n"
	    "rect.free { fill: #3a9d5d; }\n"
	    "rect.nodeline { fill: #444; }\n"
	    "rect.nodeline[data-node=\"1\"], rect.nodeline[data-node=\"3\"], "
	    "rect.nodeline[data-node=\"5\"], rect.nodeline[data-node=\"7\"] "
	    "{ fill: #aaa; }\n"
	    "rect.hole { fill: url(#hatch); stroke: #999; stroke-width: 0.5; }\n"
	    "rect.buffer { fill: #ffd400; stroke: #000; stroke-width: 0.6; "
	    "fill-opacity: 0.85; }\n");
	for (int z = 0; z < DDISIM_ZONES; z++)
		fprintf(f, "rect.zone[data-zone=\"%d\"] { fill: %s; }\n", z,
		    zone_css[z]);
	fprintf(f, "</style>\n"
	    "<defs><pattern id=\"hatch\" width=\"6\" height=\"6\" "
	    "patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">"
	    "<rect width=\"6\" height=\"6\" fill=\"#eee\"/><line x1=\"0\" "
	    "y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#aaa\" stroke-width=\"3\"/>"
	    "</pattern></defs>\n"
	    "<rect class=\"background\" width=\"100%%\" height=\"100%%\" "
	    "fill=\"#fff\"/>\n<text x=\"%.0f\" y=\"24\">", SVG_X0);
	svg_text(f, t);
	if (di.frag > 0)
		fprintf(f, ", aged: frag=%.2f seed=%" PRIu64, di.frag, di.seed);
	fprintf(f, "</text>\n<text class=\"small\" x=\"%.0f\" y=\"42\">one "
	    "pixel column = %s = %" PRIu64 " pages; green height = share of "
	    "the column free</text>\n", SVG_X0, a, g.col / di.page);

	/* the address of each row */
	fputs("<g class=\"axis\">\n", f);
	for (unsigned r = 0; r < g.rows; r++)
		fprintf(f, "<text class=\"small\" x=\"4\" y=\"%.1f\">0x%09"
		    PRIx64 "</text>\n", svg_rowy(r) + SVG_ZONEH + 2 +
		    SVG_BAND / 2 + 4, (uint64_t)r * g.rowbytes);
	fputs("</g>\n", f);

	for (int n = 0; n < di.nodes; n++) {
		int first = -1, last = -1;
		uint64_t total = 0, free = 0;

		for (int c = 0; c < di.cpus; c++)
			if (c * di.nodes / di.cpus == n) {
				if (first < 0)
					first = c;
				last = c;
			}
		for (int z = 0; z < DDISIM_ZONES; z++) {
			total += di.total_pages[n][z];
			free += di.free_pages[n][z];
		}
		fprintf(f, "<g class=\"node\" id=\"node%d\" data-node=\"%d\" "
		    "data-pages=\"%" PRIu64 "\" data-free=\"%" PRIu64 "\">\n"
		    "<title>node %d: %" PRIu64 " of %" PRIu64 " pages free, ",
		    n, n, total, free, n, free, total);
		if (first < 0)
			fprintf(f, "no CPUs");
		else
			fprintf(f, "CPUs %d-%d", first, last);
		fputs("</title>\n", f);
		for (unsigned i = 0; i < di.nranges; i++) {
			const struct ddisim_range *rg = &di.range[i];

			if (rg->node != n)
				continue;
			/* the node's line under the band, and its name */
			snprintf(t, sizeof(t), "node %d", n);
			snprintf(a, sizeof(a), " data-node=\"%d\"", n);
			svg_rects(f, &g, "nodeline", rg->start, rg->end,
			    SVG_ZONEH + 4 + SVG_BAND, 3, 0, a, t);
			fprintf(f, "<text class=\"small\" x=\"%.1f\" "
			    "y=\"%.1f\">node %d</text>\n", svg_x(&g, rg->start),
			    svg_rowy(rg->start / g.rowbytes) + SVG_ZONEH + 18 +
			    SVG_BAND, n);
			for (int z = 0; z < DDISIM_ZONES; z++) {
				uint64_t zs = z == 0 ? 0 : di.zone_line[z - 1];
				uint64_t ze = di.zone_line[z];
				uint64_t s = rg->start > zs ? rg->start : zs;
				uint64_t e = rg->end < ze ? rg->end : ze;

				if (s < e)
					svg_piece(f, &g, n, z, s, e);
			}
		}
		fputs("</g>\n", f);
	}

	fputs("<g class=\"holes\">\n", f);
	for (unsigned i = 0; i < di.nranges; i++) {
		const struct ddisim_range *rg = &di.range[i];

		if (rg->node >= 0)
			continue;
		svg_size(a, sizeof(a), rg->end - rg->start);
		snprintf(t, sizeof(t), "hole 0x%012" PRIx64 "-0x%012" PRIx64
		    " (%s): no RAM", rg->start, rg->end, a);
		svg_rects(f, &g, "hole", rg->start, rg->end, 0,
		    SVG_ZONEH + 2 + SVG_BAND, 1, "", t);
	}
	fputs("</g>\n", f);

	if (nmark > 0) {
		fputs("<g class=\"buffers\">\n", f);
		for (size_t i = 0; i < nmark; i++) {
			char attrs[96];

			snprintf(attrs, sizeof(attrs), " data-buffer=\"%u\" "
			    "data-bytes=\"%" PRIu64 "\" data-segments=\"%u\"",
			    mark[i].buf, mark[i].bytes, mark[i].nseg);
			snprintf(t, sizeof(t), "buffer %u: %" PRIu64 " bytes "
			    "in %u segment%s from 0x%012" PRIx64 " to 0x%012"
			    PRIx64, mark[i].buf, mark[i].bytes, mark[i].nseg,
			    mark[i].nseg == 1 ? "" : "s", mark[i].start,
			    mark[i].end);
			svg_rects(f, &g, "buffer", mark[i].start, mark[i].end,
			    0, SVG_ZONEH + 2 + SVG_BAND, 1.5, attrs, t);
		}
		fputs("</g>\n", f);
	}

	/* the legend */
	{
		static const struct { const char *fill, *text; } key[] = {
			{ "#3a9d5d", "free pages (bar height: share of the "
			  "column free)" },
			{ "#d9a37a", "pages in use (aging, allocators, "
			  "buffers)" },
			{ "url(#hatch)", "hole: addresses without RAM" },
			{ "#ffd400", "a buffer alloc --svg made" },
		};
		double y = svg_rowy(g.rows) + 10, x = SVG_X0;

		fputs("<g class=\"legend\">\n", f);
		for (size_t i = 0; i < sizeof(key) / sizeof(key[0]); i++)
			fprintf(f, "<rect class=\"swatch\" x=\"%.0f\" "
			    "y=\"%.0f\" width=\"14\" height=\"14\" fill=\"%s\" "
			    "stroke=\"#666\"/><text x=\"%.0f\" y=\"%.0f\">%s"
			    "</text>\n", x, y + 18.0 * (double)i, key[i].fill,
			    x + 20, y + 18.0 * (double)i + 11, key[i].text);
		x += 380;
		for (int z = 0; z < DDISIM_ZONES; z++)
			fprintf(f, "<rect class=\"swatch\" x=\"%.0f\" "
			    "y=\"%.0f\" width=\"14\" height=\"8\" fill=\"%s\"/>"
			    "<text x=\"%.0f\" y=\"%.0f\">zone %s (strip above "
			    "the band)</text>\n", x, y + 18.0 * z + 3,
			    zone_css[z], x + 20, y + 18.0 * z + 11,
			    zone_name[z]);
		fputs("</g>\n", f);
	}
	fputs("</svg>\n", f);
	return 0;
}

/* Write the picture to the --svg file, if one was given. */
static int
svg_finish(const char *what, const struct svg_mark *mark, size_t nmark)
{
	if (svg_out == NULL)
		return 0;
	svg_write(svg_out, what, mark, nmark);
	if (fclose(svg_out) != 0) {
		svg_out = NULL;
		fprintf(stderr, "ddisim: --svg: cannot write %s: %s\n",
		    svg_path, strerror(errno));
		return 1;
	}
	svg_out = NULL;
	return 0;
}

static int
mark_cmp(const void *a, const void *b)
{
	const struct svg_mark *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/*
 * The marks of a buffer: its physical segments by address, those closer
 * than a pixel column apart merged, at most max of them.
 */
static size_t
svg_marks(const void *va, size_t len, unsigned buf, struct svg_mark *mark,
    size_t max)
{
	struct ddisim_info di;
	struct ddisim_seg *seg;
	struct svg_mark *m;
	size_t n = ddisim_segments(va, len, NULL, 0), k = 0;
	uint64_t col;

	ddisim_info(&di);
	for (col = di.page; (di.top + col - 1) / col > SVG_MAXCOLS; col <<= 1)
		;
	seg = calloc(n + 1, sizeof(*seg));
	m = calloc(n + 1, sizeof(*m));
	if (seg == NULL || m == NULL) {
		free(seg);
		free(m);
		return 0;
	}
	n = ddisim_segments(va, len, seg, n);
	for (size_t i = 0; i < n; i++)
		m[i] = (struct svg_mark){ seg[i].pa, seg[i].pa + seg[i].len,
		    seg[i].len, buf, 1 };
	qsort(m, n, sizeof(m[0]), mark_cmp);
	for (size_t i = 0; i < n; i++) {
		if (k > 0 && m[i].start <= mark[k - 1].end + col) {
			mark[k - 1].end = m[i].end;
			mark[k - 1].bytes += m[i].bytes;
			mark[k - 1].nseg++;
		} else if (k < max) {
			mark[k++] = m[i];
		}
	}
	free(seg);
	free(m);
	return k;
}

int
cmd_map(void)
{
	struct ddisim_info di;

	ddisim_info(&di);
	printf("machine: ");
	print_size(di.mem);
	printf(" RAM, %d node%s, %d CPUs, %zu-byte pages, top of RAM %#" PRIx64
	    "\n", di.nodes, di.nodes == 1 ? "" : "s", di.cpus, di.page, di.top);
	if (di.frag > 0)
		printf("aged: frag=%.2f seed=%" PRIu64 "\n", di.frag, di.seed);
	/* ddicompat(7), cpus=: CPU c belongs to node c * nodes / cpus. */
	printf("\nCPUs by node:\n");
	for (int n = 0; n < di.nodes; n++) {
		int first = -1, last = -1;

		for (int c = 0; c < di.cpus; c++)
			if (c * di.nodes / di.cpus == n) {
				if (first < 0)
					first = c;
				last = c;
			}
		printf("  node %d: ", n);
		if (first < 0)
			printf("no CPUs\n");
		else if (first == last)
			printf("CPU %d\n", first);
		else
			printf("CPUs %d-%d\n", first, last);
	}
	printf("\nphysical address map:\n");
	for (unsigned i = 0; i < di.nranges; i++) {
		const struct ddisim_range *r = &di.range[i];

		printf("  0x%012" PRIx64 "-0x%012" PRIx64 "  ", r->start, r->end);
		if (r->node < 0)
			printf("hole     ");
		else
			printf("RAM node %d", r->node);
		printf("  (");
		print_size(r->end - r->start);
		printf(")\n");
	}
	printf("\nzones (free / total pages) and free runs by size "
	    "(pages: count):\n");
	for (int n = 0; n < di.nodes; n++)
		for (int z = 0; z < DDISIM_ZONES; z++) {
			uint64_t hist[DDISIM_HIST_BUCKETS];

			if (di.total_pages[n][z] == 0)
				continue;
			printf("  node %d %-10s %10" PRIu64 " / %-10" PRIu64,
			    n, zone_name[z], di.free_pages[n][z],
			    di.total_pages[n][z]);
			ddisim_free_histogram(n, z, hist);
			for (int k = 0; k < DDISIM_HIST_BUCKETS; k++)
				if (hist[k] != 0)
					printf(" %" PRIu64 "+:%" PRIu64,
					    UINT64_C(1) << k, hist[k]);
			printf("\n");
		}
	return svg_finish("ddisim map", NULL, 0);
}

struct req {
	uint64_t	size, align, boundary;
	unsigned	dmasize;
	int		contig;
	int		scgth;		/* show msgscgth's list */
	unsigned	max_scgth;	/* phys_max_scgth */
};

/* Check a buffer against the request through its physical segments. */
static int
describe(const void *va, const struct req *r)
{
	struct ddisim_seg seg[64];
	size_t n = ddisim_segments(va, r->size, seg, 64), shown;
	uint64_t lim = r->dmasize == 0 || r->dmasize >= 64 ? UINT64_MAX :
	    (UINT64_C(1) << r->dmasize);
	int ok_dma = 1, ok_align = 1, ok_bnd = 1;

	shown = n < 64 ? n : 64;
	printf("  va %p, %zu physical segment%s:\n", va, n, n == 1 ? "" : "s");
	for (size_t i = 0; i < shown; i++) {
		uint64_t s = seg[i].pa, e = s + seg[i].len;

		if (i < 8 || i == shown - 1)
			printf("    pa 0x%012" PRIx64 "-0x%012" PRIx64 "\n", s, e);
		else if (i == 8)
			printf("    ...\n");
		if (e - 1 >= lim)
			ok_dma = 0;
		if (r->align > 1 && s % r->align != 0)
			ok_align = 0;
		if (r->boundary != 0 && s / r->boundary != (e - 1) / r->boundary)
			ok_bnd = 0;
	}
	printf("    dmasize %u: %s; align %" PRIu64 ": %s; boundary %#" PRIx64
	    ": %s; contiguous: %s%s\n", r->dmasize, ok_dma ? "ok" : "VIOLATED",
	    r->align, ok_align ? "ok" : "VIOLATED", r->boundary,
	    ok_bnd ? "ok" : "VIOLATED", n == 1 ? "yes" : "no",
	    r->contig && n != 1 ? " (VIOLATED)" : "");
	return ok_dma && ok_align && ok_bnd && (!r->contig || n == 1);
}

static void
alloc_free_rtn(char *arg)
{
	(void)arg;
}

/*
 * The buffer as the data of a STREAMS message (esballoc), and the
 * scatter/gather list msgscgth gives a device of the request: 0 when the
 * list meets the request, 1 when msgscgth fails or breaks it.
 */
int
show_scgth(void *buf, const struct req *r, physreq_t *preq)
{
	static frtn_t fr = { alloc_free_rtn, NULL };
	mblk_t *mp, *out;
	scgth_t sg;
	int bad = 0;

	if ((mp = esballoc(buf, (int)r->size, BPRI_MED, &fr)) == NULL) {
		printf("    msgscgth: esballoc failed\n");
		return 1;
	}
	mp->b_wptr += r->size;
	if ((out = msgscgth(mp, preq, &sg)) == NULL) {
		size_t n = ddisim_segments(buf, r->size, NULL, 0);

		printf("    msgscgth: NULL: the buffer is %zu physical "
		    "segment%s, phys_max_scgth %u allows %u element%s\n", n,
		    n == 1 ? "" : "s", r->max_scgth,
		    r->max_scgth == 0 ? 1 : r->max_scgth,
		    r->max_scgth == 1 ? "" : "s");
		freemsg(mp);
		(void)ddisim_streams_run();
		return 1;
	}
	printf("    msgscgth: %s, %u element%s of %s bits (phys_max_scgth "
	    "%u), array at pa 0x%012" PRIx64 ":\n", out == mp &&
	    out->b_rptr == (unsigned char *)buf ? "data kept in place" :
	    "data copied to a conforming block", sg.sg_nelem,
	    sg.sg_nelem == 1 ? "" : "s",
	    sg.sg_format == SCGTH_EL32 ? "32" : "64", r->max_scgth,
	    sg.sg_format == SCGTH_EL32 ? (uint64_t)sg.sg_el_addr.ea32.sg_base :
	    (uint64_t)sg.sg_el_addr.ea64.sg_base[0] |
	    (uint64_t)sg.sg_el_addr.ea64.sg_base[1] << 32);
	for (unsigned i = 0; i < sg.sg_nelem; i++) {
		uint64_t a, n;

		if (sg.sg_format == SCGTH_EL32) {
			a = sg.sg_elem.el32[i].sg_base;
			n = sg.sg_elem.el32[i].sg_size;
		} else {
			a = (uint64_t)sg.sg_elem.el64[i].sg_base[0] |
			    (uint64_t)sg.sg_elem.el64[i].sg_base[1] << 32;
			n = sg.sg_elem.el64[i].sg_size;
		}
		if (i < 8 || i == sg.sg_nelem - 1u)
			printf("      0x%012" PRIx64 " %8" PRIu64 " bytes\n",
			    a, n);
		else if (i == 8)
			printf("      ...\n");
	}
	if (sg.sg_nelem > (r->max_scgth == 0 ? 1 : r->max_scgth))
		bad = 1;
	scgth_free(&sg);
	freemsg(out);
	(void)ddisim_streams_run();	/* the esballoc free routine */
	return bad;
}

/*
 * The reason the library gave for the last failed request of this
 * thread, without the function's name, which the line already says.
 */
static const char *
explanation(const char *func)
{
	const char *why = ddisim_explain_last();
	size_t n = strlen(func);

	if (strncmp(why, func, n) == 0 && strncmp(why + n, ": ", 2) == 0)
		why += n + 2;
	return *why != '\0' ? why : "no reason was given";
}

int
try_alloc(const struct req *r, unsigned count, const char *title)
{
	physreq_t *preq = physreq_alloc(KM_SLEEP);
	void *bufs[256];
	int bad = 0;

	if (count > 256)
		count = 256;
	preq->phys_align = (paddr_t)(r->align == 0 ? 1 : r->align);
	preq->phys_boundary = (paddr_t)r->boundary;
	preq->phys_dmasize = (uchar_t)r->dmasize;
	preq->phys_flags = r->contig ? PREQ_PHYSCONTIG : 0;
	preq->phys_max_scgth = (uchar_t)r->max_scgth;
	if (title != NULL)
		printf("\n%s\n", title);
	printf("request: %" PRIu64 " bytes, dmasize %u, align %" PRIu64
	    ", boundary %#" PRIx64 "%s", r->size, r->dmasize, r->align,
	    r->boundary, r->contig ? ", PREQ_PHYSCONTIG" : "");
	if (r->scgth)
		printf(", max_scgth %u", r->max_scgth);
	printf("\n");
	/* keep the reason of a failure; print it too if the spec says so */
	if (ddisim_explain(2) == 1)
		(void)ddisim_explain(1);
	if (!physreq_prep(preq, KM_SLEEP)) {
		printf("  physreq_prep: B_FALSE (requirements cannot be "
		    "supported): %s\n", explanation("physreq_prep"));
		physreq_free(preq);
		(void)svg_finish("ddisim alloc", NULL, 0);
		return 1;
	}
	for (unsigned i = 0; i < count; i++) {
		bufs[i] = kmem_alloc_physreq(r->size, preq, KM_NOSLEEP);
		if (bufs[i] == NULL) {
			printf("  kmem_alloc_physreq: NULL (KM_NOSLEEP): %s\n",
			    explanation("kmem_alloc_physreq"));
			count = i;
			bad = 1;
			break;
		}
		if (!describe(bufs[i], r))
			bad = 1;
		if (r->scgth && show_scgth(bufs[i], r, preq))
			bad = 1;
	}
	if (svg_out != NULL) {
		static struct svg_mark mark[4096];
		size_t nmark = 0;

		for (unsigned i = 0; i < count; i++)
			nmark += svg_marks(bufs[i], r->size, i, mark + nmark,
			    sizeof(mark) / sizeof(mark[0]) - nmark);
		if (svg_finish("ddisim alloc", mark, nmark))
			bad = 1;
	}
	for (unsigned i = 0; i < count; i++)
		kmem_free(bufs[i], r->size);
	physreq_free(preq);
	return bad;
}

/* Where a block's data lies: its first physical address, or nowhere. */
static void
show_block(const char *tag, int i, const mblk_t *b)
{
	size_t len = (size_t)(b->b_wptr - b->b_rptr);
	uint64_t pa;

	if (ddisim_vtop(b->b_rptr, &pa) != 0)
		printf("    %s block %d: %5zu bytes in host memory (no "
		    "physical address)\n", tag, i, len);
	else
		printf("    %s block %d: %5zu bytes at pa 0x%012" PRIx64 "\n",
		    tag, i, len, pa);
}

void
demo_free(char *arg)
{
	(void)arg;
}

/*
 * A message a protocol module built, handed to a 32-bit adapter that
 * reads eight (address, length) pairs, 4-byte aligned, within 4 KiB.
 */
int
demo_streams(void)
{
	static uchar_t host[300];
	static frtn_t fr = { demo_free, NULL };
	physreq_t *p = physreq_alloc(KM_SLEEP);
	mblk_t *mp, *b, *orig[3];
	scgth_t sg;
	int i, bad = 0;

	p->phys_dmasize = 32;
	p->phys_align = 4;
	p->phys_boundary = 4096;
	p->phys_max_scgth = 8;
	if (!physreq_prep(p, KM_SLEEP))
		return 1;
	printf("\nmsgscgth: a three-block message for a 32-bit adapter that "
	    "reads up to 8\n(address, length) pairs, each 4-byte aligned "
	    "and within 4 KiB.\n");
	ddisim_cpu_set(2);		/* node 1: RAM above 4 GiB */
	mp = allocb(54, BPRI_MED);	/* headers, above 4 GiB */
	mp->b_wptr += 54;
	b = esballoc(host, sizeof(host), BPRI_MED, &fr);
	b->b_wptr += sizeof(host);
	linkb(mp, b);
	ddisim_cpu_set(0);
	b = allocb_physreq(1200, BPRI_MED, p);	/* already conforming */
	b->b_wptr += 1200;
	linkb(mp, b);
	for (i = 0, b = mp; b != NULL; b = b->b_cont, i++) {
		orig[i] = b;
		show_block("before:", i, b);
	}
	if ((mp = msgscgth(mp, p, &sg)) == NULL) {
		printf("  msgscgth: NULL\n");
		physreq_free(p);
		return 1;
	}
	for (i = 0, b = mp; b != NULL; b = b->b_cont, i++) {
		show_block(b == orig[i] ? "kept:  " : "copied:", i, b);
	}
	printf("  %u elements of 32 bits, array at pa 0x%08" PRIx32 ":\n",
	    sg.sg_nelem, sg.sg_el_addr.ea32.sg_base);
	for (i = 0; i < sg.sg_nelem; i++) {
		uint32_t a = sg.sg_elem.el32[i].sg_base;
		uint32_t n = sg.sg_elem.el32[i].sg_size;

		printf("    0x%08" PRIx32 " %5" PRIu32 " bytes\n", a, n);
		if (a % 4 != 0 || a / 4096 != (a + n - 1) / 4096)
			bad = 1;
	}
	scgth_free(&sg);
	freemsg(mp);
	(void)ddisim_streams_run();	/* the esballoc free routine */
	physreq_free(p);
	return bad;
}

int
cmd_demo(const char *spec)
{
	static const struct {
		struct req r;
		int cpu;
		const char *title;
	} tour[] = {
		{ { 16384, 1, 65536, 24, 1, 0, 0 }, -1,
		  "An ISA DMA buffer: 24 address bits, no 64 KiB crossing." },
		{ { 2048, 512, 0, 32, 1, 0, 0 }, -1,
		  "An HBA command block: 32 bits, 512-byte aligned, contiguous." },
		{ { 4096, 16, 4096, 32, 0, 0, 0 }, -1,
		  "A NIC descriptor ring that must not cross a 4 KiB line." },
		{ { 65536, 4096, 0, 64, 0, 0, 0 }, 2,
		  "A 64-bit-capable buffer, from a thread on CPU 2 (node 1): "
		  "placed above 4 GiB." },
		{ { UINT64_C(32) << 20, 4096, 0, 24, 1, 0, 0 }, -1,
		  "A request that cannot be met: 32 MiB contiguous below 16 MiB." },
	};
	int bad = 0;

	cmd_map();
	for (size_t i = 0; i < sizeof(tour) / sizeof(tour[0]); i++) {
		int expect_fail = i == 4;
		int r;

		if (tour[i].cpu >= 0)
			ddisim_cpu_set(tour[i].cpu);
		r = try_alloc(&tour[i].r, 1, tour[i].title);
		if (tour[i].cpu >= 0)
			ddisim_cpu_set(0);
		if (r != expect_fail)
			bad = 1;
	}
	if (demo_streams())
		bad = 1;
	/* Scattering needs a machine that allows it to show. */
	ddisim_shutdown();
	{
		char s[1100];
		struct req r = { 6 * 4096, 1, 0, 32, 0, 0, 0 };

		snprintf(s, sizeof(s), "%s%sscatter=1", spec != NULL ? spec : "",
		    spec != NULL && *spec != '\0' ? "," : "");
		machine_up(s, "--machine");
		printf("\nOn the same machine with scatter=1 (every eligible "
		    "buffer scattered):\n");
		if (try_alloc(&r, 1, "A six-page buffer without contiguity: "
		    "virtually contiguous, physically scattered."))
			bad = 1;
	}
	return bad;
}

/* ---- the system DMA controller's channels ---- */

static const char *const owner_name[] = {
	"free", "ddi", "oddi", "cascade", "system"
};

static void
print_channels(void)
{
	static const char *const xfer[4] = { "verify", "write", "read", "?" };
	static const char *const mode[4] = { "demand", "single", "block",
	    "cascade" };
	struct ddisim_chan ch[8];

	ddisim_isadma_channels(ch);
	printf("%-4s %-7s %-24s %-16s %-9s %-7s %s\n", "chan", "owner",
	    "holder", "mode", "address", "count", "state");
	for (int c = 0; c < 8; c++) {
		bool idle = ch[c].owner == DDISIM_CHAN_FREE &&
		    ch[c].transfers == 0;
		char m[32], a[16], n[16];

		if ((ch[c].mode & 0xc0) == 0xc0)
			snprintf(m, sizeof(m), "cascade");
		else
			snprintf(m, sizeof(m), "%s %s%s%s",
			    mode[ch[c].mode >> 6], xfer[(ch[c].mode >> 2) & 3],
			    ch[c].mode & 0x10 ? " auto" : "",
			    ch[c].mode & 0x20 ? " dec" : "");
		snprintf(a, sizeof(a), "0x%06" PRIx32, ch[c].addr);
		snprintf(n, sizeof(n), "%" PRIu32, ch[c].count);
		printf("%-4d %-7s %-24s %-16s %-9s %-7s %s%s", c,
		    owner_name[ch[c].owner], ch[c].holder[0] ? ch[c].holder :
		    "-", idle ? "-" : m, idle || c == 4 ? "-" : a,
		    idle || c == 4 ? "-" : n, ch[c].masked ? "masked" :
		    "enabled", ch[c].tc ? ", terminal count" : "");
		if (ch[c].cascades != 0)
			printf(", %u cascade%s", ch[c].cascades,
			    ch[c].cascades == 1 ? "" : "s");
		if (ch[c].queued != 0)
			printf(", %u queued", ch[c].queued);
		if (ch[c].transfers != 0)
			printf(", %" PRIu64 " transfers", ch[c].transfers);
		printf("\n");
	}
}

/* What one step of a script keeps alive until the end. */
struct dma_script {
	struct dma_cb	*cb[8];
	void		*buf[8];
	size_t		len[8];
	physreq_t	*preq[8];
	ddisim_isadev_t	*dev[8];
};

/* Why the last step failed: the call that said no. */
static const char *step_why = "";

int
script_step(struct dma_script *st, char *step)
{
	char *w[4] = { NULL, NULL, NULL, NULL };
	uint64_t chan, n = 0, v;
	int k = 0;

	for (char *t = strtok(step, " \t"); t != NULL && k < 4;
	    t = strtok(NULL, " \t"))
		w[k++] = t;
	if (k == 0)
		return 0;
	if (k < 2 || parse_size(w[1], &v) != 0 || (chan = v) > 7 ||
	    chan == 4) {
		fprintf(stderr, "ddisim dma: \"%s\": a command and a channel "
		    "0-7 other than 4, the cascade\n", w[0]);
		return 1;
	}
	if (strcmp(w[0], "prog") == 0 && k == 4) {
		int rd = strcmp(w[2], "read") == 0;
		uint64_t pa;

		if (parse_size(w[3], &n) != 0)
			n = 0;
		if ((!rd && strcmp(w[2], "write") != 0) || n == 0 ||
		    n > 65536 || st->cb[chan] != NULL) {
			fprintf(stderr, "ddisim dma: prog CHAN read|write "
			    "BYTES (1-65536), once per channel\n");
			return 1;
		}
		st->preq[chan] = physreq_alloc(KM_SLEEP);
		dma_physreq((int)chan, chan < 4 ? DMA_PATH_8 : DMA_PATH_16,
		    st->preq[chan]);
		step_why = "no buffer meets the channel's dma_physreq";
		if (!physreq_prep(st->preq[chan], KM_SLEEP) ||
		    (st->buf[chan] = kmem_zalloc_physreq(n, st->preq[chan],
		    KM_SLEEP)) == NULL)
			return 1;
		st->len[chan] = n;
		(void)ddisim_vtop(st->buf[chan], &pa);
		st->cb[chan] = dma_get_cb(DMA_SLEEP);
		st->cb[chan]->targbufs = dma_get_buf(DMA_SLEEP);
		st->cb[chan]->command = rd ? DMA_CMD_READ : DMA_CMD_WRITE;
		st->cb[chan]->targ_type = DMA_TYPE_MEM;
		st->cb[chan]->reqr_type = DMA_TYPE_IO;
		st->cb[chan]->targ_path = st->cb[chan]->reqr_path = chan < 4 ?
		    DMA_PATH_8 : DMA_PATH_16;
		st->cb[chan]->trans_type = DMA_TRANS_SNGL;
		st->cb[chan]->targbufs->address = (paddr_t)pa;
		st->cb[chan]->targbufs->count = (ushort_t)n;
		st->cb[chan]->targbufs->count_hi = (ushort_t)(n >> 16);
		step_why = "dma_prog returned B_FALSE: the channel is taken "
		    "(by alloc, cascade or another prog)";
		return dma_prog(st->cb[chan], (int)chan, DMA_NOSLEEP) ? 0 : 1;
	}
	if (strcmp(w[0], "dreq") == 0 && k == 3) {
		if (parse_size(w[2], &n) != 0)
			n = 0;
		step_why = "ddisim_isadev_create failed";
		if (st->dev[chan] == NULL && (st->dev[chan] =
		    ddisim_isadev_create((int)chan, -1, 131072, "script")) ==
		    NULL)
			return 1;
		if (n > 65536)
			n = 65536;
		printf("dreq on channel %" PRIu64 ": %zu transfers\n", chan,
		    ddisim_isadev_dreq(st->dev[chan], 0, n));
		return 0;
	}
	if (k != 2)
		goto bad;
	step_why = "the channel is taken (by alloc, cascade or prog)";
	if (strcmp(w[0], "enable") == 0)
		dma_enable((int)chan);
	else if (strcmp(w[0], "disable") == 0)
		dma_disable((int)chan);
	else if (strcmp(w[0], "stop") == 0)
		dma_stop((int)chan);
	else if (strcmp(w[0], "cascade") == 0)
		return dma_cascade((int)chan, DMA_ENABLE | DMA_NOSLEEP) ? 0 : 1;
	else if (strcmp(w[0], "uncascade") == 0)
		return dma_cascade((int)chan, DMA_DISABLE | DMA_NOSLEEP) ? 0 :
		    1;
	else if (strcmp(w[0], "alloc") == 0)
		return dma_alloc((unsigned)chan, DMA_NBLOCK) ? 0 : 1;
	else if (strcmp(w[0], "relse") == 0)
		dma_relse((unsigned)chan);
	else
		goto bad;
	return 0;
bad:
	fprintf(stderr, "ddisim dma: unknown step \"%s\"\n", w[0]);
	return 1;
}

/*
 * The channel registry, like Linux's /proc/dma, after the steps of an
 * optional script, separated by ';': prog CHAN read|write BYTES,
 * enable, disable, stop, cascade, uncascade, alloc, relse CHAN, and
 * dreq CHAN N (a device asserts DREQ for N transfers).
 */
int
cmd_dma(const char *script)
{
	struct dma_script st;
	char *copy, *save = NULL;
	int bad = 0;

	memset(&st, 0, sizeof(st));
	if (ddisim_isadma_attach() != 0) {
		fprintf(stderr, "ddisim dma: the controller's ports are "
		    "taken\n");
		return 1;
	}
	if (script != NULL) {
		if ((copy = strdup(script)) == NULL)
			return 1;
		int no = 0;

		for (char *s = strtok_r(copy, ";", &save); s != NULL && !bad;
		    s = strtok_r(NULL, ";", &save)) {
			char text[128];

			no++;
			snprintf(text, sizeof(text), "%s", s + strspn(s, " \t"));
			text[strcspn(text, "\n")] = '\0';
			bad = script_step(&st, s);
			if (bad)
				fprintf(stderr, "ddisim dma: step %d, '%s': %s\n",
				    no, text, step_why);
		}
		free(copy);
	}
	print_channels();
	for (int c = 0; c < 8; c++) {
		if (st.cb[c] != NULL) {
			dma_free_buf(st.cb[c]->targbufs);
			dma_free_cb(st.cb[c]);
		}
		if (st.buf[c] != NULL)
			kmem_free(st.buf[c], st.len[c]);
		if (st.preq[c] != NULL)
			physreq_free(st.preq[c]);
		ddisim_isadev_destroy(st.dev[c]);
	}
	return bad;
}

/*
 * A script's syntax, before anything runs: each step a known word, a
 * channel 0-7 other than 4, and the words the step takes.
 */
static void
script_check(const char *script)
{
	static const struct { const char *word; int nwords; const char *use; }
	    step[] = {
		{ "prog", 4, "prog CHAN read|write BYTES" },
		{ "dreq", 3, "dreq CHAN N" },
		{ "enable", 2, "enable CHAN" }, { "disable", 2, "disable CHAN" },
		{ "stop", 2, "stop CHAN" }, { "cascade", 2, "cascade CHAN" },
		{ "uncascade", 2, "uncascade CHAN" },
		{ "alloc", 2, "alloc CHAN" }, { "relse", 2, "relse CHAN" },
	};
	char *copy = strdup(script), *save = NULL, *s;
	int progs = 0, no = 0;

	if (copy == NULL)
		refuse("no memory for the script");
	for (s = strtok_r(copy, ";", &save); s != NULL;
	    s = strtok_r(NULL, ";", &save)) {
		char *w[5] = { NULL }, *save2 = NULL;
		int k = 0;
		size_t i;
		uint64_t chan, n;

		no++;
		for (char *t = strtok_r(s, " \t", &save2); t != NULL;
		    t = strtok_r(NULL, " \t", &save2))
			if (k < 5)
				w[k++] = t;
			else
				k++;
		if (k == 0)
			continue;
		for (i = 0; i < sizeof(step) / sizeof(step[0]); i++)
			if (strcmp(w[0], step[i].word) == 0)
				break;
		if (i == sizeof(step) / sizeof(step[0]))
			refuse("step %d: no step '%s'; the steps are prog, dreq, "
			    "enable, disable, stop, cascade, uncascade, alloc "
			    "and relse", no, w[0]);
		if (k != step[i].nwords)
			refuse("step %d: '%s' takes %d word%s: %s", no, w[0],
			    step[i].nwords - 1, step[i].nwords == 2 ? "" : "s",
			    step[i].use);
		if (parse_size(w[1], &chan) != 0 || chan > 7)
			refuse("step %d: %s: '%s' is not a channel from 0 to 7",
			    no, w[0], w[1]);
		if (chan == 4)
			refuse("step %d: %s: channel 4 is the cascade to the "
			    "first controller, the system's", no, w[0]);
		if (strcmp(w[0], "prog") == 0) {
			if (strcmp(w[2], "read") != 0 &&
			    strcmp(w[2], "write") != 0)
				refuse("step %d: prog: '%s' is not read or "
				    "write", no, w[2]);
			if (parse_size(w[3], &n) != 0 || n == 0 || n > 65536)
				refuse("step %d: prog: '%s' is not a byte count "
				    "from 1 to 65536", no, w[3]);
			if (progs & (1 << chan))
				refuse("step %d: prog: channel %" PRIu64 " was "
				    "programmed already (once per channel)", no,
				    chan);
			progs |= 1 << chan;
		}
		if (strcmp(w[0], "dreq") == 0 && parse_size(w[2], &n) != 0)
			refuse("step %d: dreq: '%s' is not a number of "
			    "transfers", no, w[2]);
	}
	free(copy);
}

/* The options of one command; --machine belongs to all. */
static void
option_for(const char *opt, const char *cmd)
{
	if (cmdname == NULL)
		refuse("%s belongs to a command (%s): name the command", opt,
		    cmd);
	if (strcmp(cmdname, cmd) != 0)
		refuse("%s is an option of 'ddisim %s', not of 'ddisim %s'",
		    opt, cmd, cmdname);
}

/* ---- drivers ---- */

/* DRIVER's prefix and object: "PREFIX=OBJECT", or OBJECT alone. */
static bool
driver_split(const char *arg, char *prefix, size_t plen, const char **obj)
{
	const char *eq = strchr(arg, '='), *base, *dot;
	size_t n;

	if (eq != NULL) {
		n = (size_t)(eq - arg);
		*obj = eq + 1;
		base = arg;
	} else {
		base = strrchr(arg, '/');
		base = base != NULL ? base + 1 : arg;
		if (strncmp(base, "lib", 3) == 0)
			base += 3;
		dot = strchr(base, '.');
		n = dot != NULL ? (size_t)(dot - base) : strlen(base);
		*obj = arg;
	}
	if (n == 0 || n >= plen)
		return false;
	memcpy(prefix, base, n);
	prefix[n] = '\0';
	for (size_t i = 0; i < n; i++)
		if (!(prefix[i] == '_' || (prefix[i] >= 'a' && prefix[i] <= 'z') ||
		    (prefix[i] >= 'A' && prefix[i] <= 'Z') ||
		    (i > 0 && prefix[i] >= '0' && prefix[i] <= '9')))
			return false;
	return true;
}

static void
driver_check(const char *arg)
{
	const char *obj = NULL;
	char prefix[33];

	if (!driver_split(arg, prefix, sizeof(prefix), &obj))
		refuse("DRIVER '%s': no prefix of 1 to 32 letters, digits and "
		    "'_' (say PREFIX=OBJECT)", arg);
	if (*obj == '\0')
		refuse("DRIVER '%s': no object after '='", arg);
}

static int
cmd_drivers(int n, char **args)
{
	ddisim_drv_t **d = calloc((size_t)(n > 0 ? n : 1), sizeof(*d));
	int rc = 0, e;

	if (d == NULL)
		return 1;
	for (int i = 0; i < n; i++) {
		struct ddisim_drvconf c;
		const char *obj = NULL;
		char prefix[33];

		(void)driver_split(args[i], prefix, sizeof(prefix), &obj);
		memset(&c, 0, sizeof(c));
		c.prefix = prefix;
		c.object = obj;
		if ((e = ddisim_drv_load_conf(&c, &d[i])) != 0) {
			fprintf(stderr, "%s: %s: cannot load %s: %s\n",
			    progname, args[i], prefix, strerror(e));
			rc = 1;
		}
	}
	ddisim_drv_report(stdout);
	for (int i = n - 1; i >= 0; i--)
		if (d[i] != NULL && (e = ddisim_drv_unload(d[i])) != 0) {
			fprintf(stderr, "%s: %s: cannot unload: %s\n",
			    progname, args[i], strerror(e));
			rc = 1;
		}
	free(d);
	return rc;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "machine", required_argument, NULL, 'm' },
		{ "align", required_argument, NULL, 'a' },
		{ "boundary", required_argument, NULL, 'b' },
		{ "dmasize", required_argument, NULL, 'd' },
		{ "contig", no_argument, NULL, 'c' },
		{ "count", required_argument, NULL, 'n' },
		{ "scgth", required_argument, NULL, 's' },
		{ "svg", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	/* The options given, by letter, kept for checks once the command
	 * is known: the option's long name and its value. */
	const char *given[128] = { NULL }, *value[128] = { NULL };
	static char optname[128][16];
	char bad[160] = "";
	struct req r = { 0, 1, 0, 0, 0, 0, 0 };
	const char *spec = NULL, *from = "--machine";
	uint64_t count = 1, v;
	int ch, rc, want_help = 0, want_version = 0;
	const struct command *c = NULL;
	char prog[32];

	/* GNU getopt permutes: options may come before or after words.
	 * The first refusal is kept until the command is known. */
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":m:a:b:d:cn:s:S:hV", opts,
	    NULL)) != -1) {
		const char *typed = argv[optind - 1];
		const char *name = NULL;

		switch (ch) {
		case 'h': want_help = 1; break;
		case 'V': want_version = 1; break;
		case ':':
			if (bad[0] == '\0')
				snprintf(bad, sizeof(bad), "%s needs a value",
				    typed);
			break;
		case '?':
			if (bad[0] != '\0')
				break;
			if (optopt != 0 && strncmp(typed, "--", 2) != 0)
				snprintf(bad, sizeof(bad), "unknown option "
				    "'-%c'", optopt);
			else
				snprintf(bad, sizeof(bad), "unknown option "
				    "'%s'", typed);
			break;
		default:
			/* named as the long option, however it was typed */
			for (size_t i = 0; opts[i].name != NULL; i++)
				if (opts[i].val == ch)
					name = opts[i].name;
			snprintf(optname[ch], sizeof(optname[ch]), "--%s",
			    name);
			given[ch] = optname[ch];
			value[ch] = optarg;
			break;
		}
	}
	if (optind < argc) {
		cmdname = argv[optind];
		if ((c = command_find(cmdname)) == NULL) {
			cmdname = NULL;
			refuse("no command '%s'; the commands are map, alloc, "
			    "demo, dma, drivers and help", argv[optind]);
		}
		snprintf(prog, sizeof(prog), "ddisim %s", cmdname);
		progname = prog;
	}
	if (want_version && c == NULL && !want_help) {
		printf("ddisim (%s) %s\n", PACKAGE_NAME, PACKAGE_VERSION);
		return 0;
	}
	if (want_help || (c != NULL && strcmp(c->name, "help") == 0)) {
		if (c != NULL && strcmp(c->name, "help") == 0 &&
		    optind + 1 < argc) {
			const struct command *h = command_find(argv[optind + 1]);

			if (h == NULL)
				refuse("no command '%s'; the commands are map, "
				    "alloc, demo, dma, drivers and help",
				    argv[optind + 1]);
			if (optind + 2 < argc)
				refuse("one command at a time: unexpected "
				    "'%s'", argv[optind + 2]);
			c = h;
		} else if (c != NULL && strcmp(c->name, "help") == 0 &&
		    !want_help) {
			c = NULL;
		}
		help(c);
		return 0;
	}
	if (bad[0] != '\0')
		refuse("%s", bad);
	if (want_version)
		refuse("--version takes no command");
	if (c == NULL)
		refuse("no command: say map, alloc, demo, dma, drivers or "
		    "help");

	for (const char *o = "abdcns"; *o != '\0'; o++)
		if (given[(unsigned char)*o] != NULL)
			option_for(given[(unsigned char)*o], "alloc");
	if (given['S'] != NULL && strcmp(cmdname, "map") != 0 &&
	    strcmp(cmdname, "alloc") != 0)
		refuse("--svg is an option of 'ddisim map' and 'ddisim alloc', "
		    "not of 'ddisim %s'", cmdname);
	if (strcmp(cmdname, "alloc") == 0) {
		if (optind + 1 >= argc)
			refuse("no SIZE: say how many bytes to allocate");
		if (optind + 2 < argc)
			refuse("one SIZE: unexpected '%s'", argv[optind + 2]);
		r.size = option_size("SIZE", argv[optind + 1]);
		if (r.size == 0)
			refuse("SIZE: 0 bytes cannot be allocated");
		if (r.size >= (UINT64_C(1) << 40))
			refuse("SIZE: %s is larger than any machine's memory "
			    "(less than 1T)", argv[optind + 1]);
		if (given['a'] != NULL) {
			r.align = option_size(given['a'], value['a']);
			if (!is_p2(r.align))
				refuse("%s: %s is not a power of two",
				    given['a'], value['a']);
		}
		if (given['b'] != NULL) {
			r.boundary = option_size(given['b'], value['b']);
			if (r.boundary != 0 && !is_p2(r.boundary))
				refuse("%s: %s is not a power of two (or 0 "
				    "for none)", given['b'], value['b']);
			if (r.boundary != 0 && r.boundary < r.align)
				refuse("%s: %s is smaller than the alignment "
				    "%s", given['b'], value['b'], value['a']);
			if (r.boundary != 0 && r.boundary < r.size)
				refuse("%s: %s is smaller than the size %s: "
				    "no buffer can fit between two lines",
				    given['b'], value['b'], argv[optind + 1]);
		}
		if (given['d'] != NULL) {
			v = option_size(given['d'], value['d']);
			if (v > 64)
				refuse("%s: %s is more than 64 address bits",
				    given['d'], value['d']);
			r.dmasize = (unsigned)v;
		}
		r.contig = given['c'] != NULL;
		if (given['n'] != NULL) {
			count = option_size(given['n'], value['n']);
			if (count == 0 || count > 256)
				refuse("%s: %s is not a count from 1 to 256",
				    given['n'], value['n']);
		}
		if (given['s'] != NULL) {
			v = option_size(given['s'], value['s']);
			if (v > 255)
				refuse("%s: %s is more than the 255 elements "
				    "phys_max_scgth can say", given['s'],
				    value['s']);
			if (r.size > INT_MAX)
				refuse("%s: a message block of %s bytes is "
				    "more than esballoc takes (less than 2G)",
				    given['s'], argv[optind + 1]);
			r.scgth = 1;
			r.max_scgth = (unsigned)v;
		}
	} else if (strcmp(cmdname, "dma") == 0) {
		if (optind + 2 < argc)
			refuse("one SCRIPT, its steps separated by ';': "
			    "unexpected '%s' (quote the script)",
			    argv[optind + 2]);
		if (optind + 1 < argc)
			script_check(argv[optind + 1]);
	} else if (strcmp(cmdname, "drivers") == 0) {
		for (int i = optind + 1; i < argc; i++)
			driver_check(argv[i]);
	} else if (optind + 1 < argc) {
		refuse("unexpected '%s': %s takes no words", argv[optind + 1],
		    cmdname);
	}

	if (given['m'] != NULL) {
		spec = value['m'];
		from = given['m'];
	} else if ((spec = getenv("DDISIM_MACHINE")) != NULL) {
		from = "DDISIM_MACHINE";
	}
	machine_up(spec, from);
	if (given['S'] != NULL) {
		svg_path = value['S'];
		if (*svg_path == '\0')
			refuse("--svg: an empty file name");
		if ((svg_out = fopen(svg_path, "w")) == NULL)
			refuse("--svg: cannot write %s: %s", svg_path,
			    strerror(errno));
	}
	/* A report the checks above missed is printed, not fatal. */
	ddisim_verify_set_policy(DDISIM_VERIFY_WARN);
	if (strcmp(cmdname, "map") == 0)
		rc = cmd_map();
	else if (strcmp(cmdname, "demo") == 0)
		rc = cmd_demo(spec);
	else if (strcmp(cmdname, "dma") == 0)
		rc = cmd_dma(optind + 1 < argc ? argv[optind + 1] : NULL);
	else if (strcmp(cmdname, "drivers") == 0)
		rc = cmd_drivers(argc - optind - 1, argv + optind + 1);
	else
		rc = try_alloc(&r, (unsigned)count, NULL);
	if (ddisim_verify_count() != 0)
		rc = 1;
	ddisim_shutdown();
	return rc;
}
