/*
 * test_nic.c - the example Ethernet driver as a DLPI user sees it: loaded
 * by the driver host as the kernel loaded it (its _load, drv_attach, and
 * CFG_ADD with the key of the adapter the resource manager lists), its
 * device opened by a simulated process and used through the stream head,
 * on a simulated adapter.
 *
 * The adapter (the device model below) is a bus master: it keeps the
 * frames it is handed in a ring of NIC_TXRING, and when the test lets
 * it send them it reads each frame's pair list and the bytes the pairs
 * name from simulated physical memory, checking every pair against its
 * rules, and records what went on the wire.  It receives by writing a
 * frame into the buffer the driver gave it.  Either way it interrupts.
 *
 * The tests bind and query the driver with DLPI primitives (putmsg and
 * getmsg), send data units and raw frames (write(2) from the process's
 * memory), some in more pieces than the adapter takes (through a module
 * that scatters each message's data), receive frames as DL_UNITDATA_IND
 * or with read(2), engage flow control both ways, and check the error
 * answers the DLPI specification calls for.  A STREAMS module loaded on
 * its own (upcase) is pushed on a stream by name.  Every test unloads the
 * driver at its end and finds nothing left.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sys/types.h>
#include <sys/stream.h>
#include <sys/stropts.h>
#include <sys/dlpi.h>
#include <sys/file.h>
#include <sys/conf.h>
#include <sys/poll.h>
#include <ddicompat/host.h>

#include "lib/testutil.h"
#include "nic.h"

#define BASE	0x300
#define IRQ	11
#define FRAMES	1024		/* frames the wire record holds */

static const unsigned char station[NIC_ADDRL] = {
	0x02, 0x00, 0x5e, 0x10, 0x20, 0x30
};

/* ---- the adapter ---- */

struct wire_frame {
	unsigned char	b[NIC_MTU];
	size_t		len;
	unsigned	npairs;
};

struct nicdev {
	pthread_mutex_t	mtx;
	uint32_t	list;		/* NIC_TX_LIST as written */
	struct { uint32_t list, n; } ring[NIC_TXRING];
	unsigned	first, count;	/* frames handed over, not sent */
	uint32_t	done, isr, ctl;
	uint32_t	rx_addr, rx_size, rx_len;
	struct wire_frame *wire;	/* what was sent, in order */
	size_t		nwire;
	unsigned	bad;		/* broken rules */
	unsigned	overrun;	/* frames beyond the ring */
};

static struct nicdev dev;

static uint32_t
dev_in(void *arg, int port, int width)
{
	struct nicdev *d = arg;
	uint32_t v = 0;

	(void)width;
	pthread_mutex_lock(&d->mtx);
	switch (port - BASE) {
	case NIC_RX_LEN:
		v = d->rx_len;
		break;
	case NIC_ISR:
		v = d->isr;
		d->isr = 0;
		break;
	case NIC_TX_DONE:
		v = d->done;
		d->done = 0;
		break;
	case NIC_MAC_LO:
		v = (uint32_t)station[0] | (uint32_t)station[1] << 8 |
		    (uint32_t)station[2] << 16 | (uint32_t)station[3] << 24;
		break;
	case NIC_MAC_HI:
		v = (uint32_t)station[4] | (uint32_t)station[5] << 8;
		break;
	case NIC_CTL:
		v = d->ctl;
		break;
	}
	pthread_mutex_unlock(&d->mtx);
	return v;
}

static void
dev_out(void *arg, int port, int width, uint32_t v)
{
	struct nicdev *d = arg;

	(void)width;
	pthread_mutex_lock(&d->mtx);
	switch (port - BASE) {
	case NIC_TX_LIST:
		d->list = v;
		break;
	case NIC_TX_COUNT:
		if (d->count == NIC_TXRING) {
			d->overrun++;
			break;
		}
		d->ring[(d->first + d->count) % NIC_TXRING].list = d->list;
		d->ring[(d->first + d->count) % NIC_TXRING].n = v;
		d->count++;
		break;
	case NIC_RX_ADDR:
		d->rx_addr = v;
		d->rx_len = 0;
		break;
	case NIC_RX_SIZE:
		d->rx_size = v;
		break;
	case NIC_CTL:
		d->ctl = v;
		break;
	}
	pthread_mutex_unlock(&d->mtx);
}

static const struct ddisim_port_ops dev_ops = { dev_in, dev_out };

/* Send one frame of the ring: read its pairs and bytes (mtx held). */
static void
dev_send_one(struct nicdev *d)
{
	uint32_t list = d->ring[d->first].list, n = d->ring[d->first].n;
	const uint32_t *el = ddisim_ptov(list);
	struct wire_frame *f = &d->wire[d->nwire];

	d->first = (d->first + 1) % NIC_TXRING;
	d->count--;
	d->done++;
	if (d->nwire == FRAMES) {
		d->bad++;
		return;
	}
	d->nwire++;
	f->len = 0;
	f->npairs = n;
	if (n == 0 || n > NIC_MAXFRAG || el == NULL || list % 4 != 0) {
		d->bad++;
		return;
	}
	for (uint32_t i = 0; i < n; i++) {
		uint32_t pa = el[2 * i], len = el[2 * i + 1];
		const unsigned char *src = ddisim_ptov(pa);

		if (pa % 4 != 0 || len == 0 || pa / 4096 !=
		    (pa + len - 1) / 4096 || src == NULL ||
		    f->len + len > sizeof(f->b)) {
			d->bad++;
			return;
		}
		memcpy(f->b + f->len, src, len);
		f->len += len;
	}
}

/* The adapter sends up to n frames and interrupts; how many it sent. */
static unsigned
dev_transmit(unsigned n)
{
	unsigned k = 0;

	pthread_mutex_lock(&dev.mtx);
	for (; k < n && dev.count > 0; k++)
		dev_send_one(&dev);
	if (k > 0)
		dev.isr |= NIC_ISR_TX;
	pthread_mutex_unlock(&dev.mtx);
	if (k > 0)
		(void)ddisim_intr_raise(IRQ);
	return k;
}

static unsigned
dev_pending(void)
{
	unsigned n;

	pthread_mutex_lock(&dev.mtx);
	n = dev.count;
	pthread_mutex_unlock(&dev.mtx);
	return n;
}

/* A frame arrives from the wire; 0, or -1 if the driver gave no buffer. */
static int
dev_receive(const unsigned char *frame, size_t len)
{
	unsigned char *dst;

	pthread_mutex_lock(&dev.mtx);
	if (dev.rx_len != 0 || dev.rx_size < len ||
	    (dst = ddisim_ptov(dev.rx_addr)) == NULL) {
		pthread_mutex_unlock(&dev.mtx);
		return -1;
	}
	memcpy(dst, frame, len);
	dev.rx_len = (uint32_t)len;
	dev.isr |= NIC_ISR_RX;
	pthread_mutex_unlock(&dev.mtx);
	(void)ddisim_intr_raise(IRQ);
	return 0;
}

static ddisim_ports_t *ports;
static ddisim_drv_t *drv;		/* the loaded driver */
static unsigned key;			/* its adapter's */
static struct proc *proc;		/* the program using it */
static unsigned char *ubase;		/* its memory */
static unsigned long nic_reports;	/* reports a test made on purpose */

#define UBYTES	(64 * 1024)
#define UFRAME	0			/* where frames are written from */
#define UREAD	(8 * 1024)		/* where read(2) puts data */
#define UNAME	(16 * 1024)		/* a module's name, for I_PUSH */

/*
 * The adapter in the resource manager, the driver loaded (its CFG_ADD
 * enables the adapter's interrupts and gives it a receive buffer), and a
 * process to use it.
 */
static void
nic_machine(const char *spec, size_t ubytes)
{
	struct ddisim_board b;

	MACHINE_UP(spec);
	nic_reports = 0;
	memset(&dev, 0, sizeof(dev));
	pthread_mutex_init(&dev.mtx, NULL);
	dev.wire = calloc(FRAMES, sizeof(*dev.wire));
	ck_assert_ptr_nonnull(dev.wire);
	ports = ddisim_port_claim(BASE, NIC_NREGS, &dev_ops, &dev, "nic0");
	ck_assert_ptr_nonnull(ports);
	memset(&b, 0, sizeof(b));
	b.modname = "nic";
	b.set = DDISIM_BRD_IRQ | DDISIM_BRD_IOADDR;
	b.irq = IRQ;
	b.ipl = 6;
	b.io_start = BASE;
	b.io_end = BASE + NIC_NREGS - 1;
	key = ddisim_rm_add_board(&b);
	ck_assert_uint_ne(key, 0);
	/* the program; under failrate= its pages may take a few tries */
	for (int i = 0; i < 100 && (proc = ddisim_proc_create(ubytes, 0)) ==
	    NULL; i++)
		;
	ck_assert_ptr_nonnull(proc);
	ubase = ddisim_proc_base(proc);
}

static int
nic_load(void)
{
	struct ddisim_drvconf c;

	memset(&c, 0, sizeof(c));
	c.prefix = "nic";
	c.object = NIC_SO;
	return ddisim_drv_load_conf(&c, &drv);
}

static void
nic_up(const char *spec)
{
	nic_machine(spec, UBYTES);
	ck_assert_int_eq(nic_load(), 0);
	ck_assert_int_eq(ddisim_drv_interface(drv), 80);
	ck_assert_uint_eq(ddisim_drv_ninstances(drv), 1);
	ck_assert_uint_eq(ddisim_drv_key(drv, 0), key);
	ck_assert_uint_eq(dev.ctl, NIC_CTL_IE);
	ck_assert_uint_ge(dev.rx_size, NIC_MTU);
}

/* The driver gone: the machine holds nothing more. */
static void
nic_machine_down(void)
{
	ck_assert_uint_eq(dev.ctl, 0);		/* CFG_REMOVE stopped it */
	ck_assert_ptr_null(ddisim_drv_find("nic"));
	ddisim_proc_destroy(proc);
	ddisim_port_release(ports);
	(void)ddisim_streams_run();	/* esballoc free routines */
	ck_assert_uint_eq(dev.bad, 0);
	ck_assert_uint_eq(dev.overrun, 0);
	ck_assert_uint_eq(ddisim_verify_count(), nic_reports);
	ck_assert_uint_eq(ddisim_leak_report(NULL), 0);
	MACHINE_DOWN();
	free(dev.wire);
	pthread_mutex_destroy(&dev.mtx);
}

/* Every file is closed: the driver unloads and leaves nothing behind. */
static void
nic_down(void)
{
	ck_assert_int_eq(ddisim_drv_unload(drv), 0);
	nic_machine_down();
}

/* ---- a module that scatters each message's data ---- */

static size_t frag_piece;		/* 0: the module passes messages */
static unsigned frag_seed = 1;
static unsigned char frag_ext[256][64];
static int frag_next_ext;
static atomic_int frag_ext_freed;

static void
frag_ext_free(char *arg)
{
	(void)arg;
	atomic_fetch_add(&frag_ext_freed, 1);
}

static frtn_t frag_frtn = { frag_ext_free, NULL };

static unsigned
frag_rand(void)
{
	frag_seed = frag_seed * 1103515245u + 12345u;
	return frag_seed >> 8;
}

/* The data blocks of mp, copied into pieces at odd offsets, some lent. */
static mblk_t *
frag_data(mblk_t *dp)
{
	mblk_t *head = NULL, **tail = &head, *b;
	size_t total = (size_t)msgdsize(dp), at = 0;
	unsigned char *all = malloc(total);

	ck_assert_ptr_nonnull(all);
	for (b = dp; b != NULL; b = b->b_cont) {
		memcpy(all + at, b->b_rptr, (size_t)(b->b_wptr - b->b_rptr));
		at += (size_t)(b->b_wptr - b->b_rptr);
	}
	freemsg(dp);
	for (at = 0; at < total;) {
		size_t n = 1 + frag_rand() % frag_piece, off = frag_rand() % 7;

		if (n > total - at)
			n = total - at;
		if (n <= 64 && frag_next_ext < 256 && frag_rand() % 4 == 0)
			b = esballoc(frag_ext[frag_next_ext++], 64, BPRI_LO,
			    &frag_frtn);
		else if ((b = allocb((int)(n + off), BPRI_MED)) != NULL)
			b->b_rptr = b->b_wptr = b->b_rptr + off;
		ck_assert_ptr_nonnull(b);
		memcpy(b->b_wptr, all + at, n);
		b->b_wptr += n;
		at += n;
		*tail = b;
		tail = &b->b_cont;
	}
	free(all);
	return head;
}

static int
frag_wput(queue_t *q, mblk_t *mp)
{
	if (frag_piece > 0) {
		if (mp->b_datap->db_type == M_DATA)
			mp = frag_data(mp);
		else if (mp->b_datap->db_type == M_PROTO && mp->b_cont)
			mp->b_cont = frag_data(mp->b_cont);
	}
	putnext(q, mp);
	return 0;
}

static int
frag_rput(queue_t *q, mblk_t *mp)
{
	putnext(q, mp);
	return 0;
}

static int
frag_open(queue_t *q, dev_t *devp, int flag, int sflag, cred_t *cr)
{
	(void)devp; (void)flag; (void)cr;
	ck_assert_int_eq(sflag, MODOPEN);
	qprocson(q);
	return 0;
}

static int
frag_close(queue_t *q, int flag, cred_t *cr)
{
	(void)flag; (void)cr;
	qprocsoff(q);
	return 0;
}

static struct module_info frag_minfo = { 99, "frag", 0, INFPSZ, 8192, 1024 };
static struct qinit frag_rinit = {
	frag_rput, NULL, frag_open, frag_close, NULL, &frag_minfo, NULL
};
static struct qinit frag_winit = {
	frag_wput, NULL, NULL, NULL, NULL, &frag_minfo, NULL
};
static struct streamtab frag_tab = { &frag_rinit, &frag_winit, NULL, NULL };

/* ---- DLPI through the head ---- */

static ulong_t cbuf[256];		/* a control part, aligned */
static unsigned char dbuf[NIC_MTU + 64];

/* The channel an open file is on (its device number's). */
static unsigned
chan_of(ddisim_file_t *f)
{
	dev_t d = ddisim_dev_number(f);
	unsigned ch;

	for (ch = 0; ch <= NIC_NMINOR; ch++)
		if (ddisim_drv_dev(drv, 0, ch) == d)
			break;
	ck_assert_uint_le(ch, NIC_NMINOR);
	return ch;
}

/* A clone open: a stream on a free channel (returned in *chanp). */
static ddisim_file_t *
dl_open(int oflag, unsigned *chanp)
{
	ddisim_file_t *f = NULL;

	ck_assert_int_eq(ddisim_dev_open(proc, ddisim_drv_dev(drv, 0,
	    NIC_CLONE), DDISIM_CHR, FREAD | FWRITE | oflag, &f), 0);
	ck_assert_ptr_nonnull(ddisim_dev_stream(f));
	if (chanp != NULL)
		*chanp = chan_of(f);
	return f;
}

static int
dl_send(ddisim_file_t *f, const void *ctl, size_t clen, const void *data,
    size_t dlen, int flags)
{
	struct strbuf c = { 0, (int)clen, (char *)(uintptr_t)ctl };
	struct strbuf d = { 0, (int)dlen, (char *)(uintptr_t)data };

	return ddisim_stream_putmsg(ddisim_dev_stream(f), &c, data != NULL ?
	    &d : NULL, 0, flags);
}

/* write(2) of len bytes, from the process's memory. */
static int
uwrite(ddisim_file_t *f, const void *buf, size_t len, size_t *done)
{
	ck_assert_int_eq(ddisim_proc_write(proc, ubase + UFRAME, buf, len), 0);
	return ddisim_dev_write(f, ubase + UFRAME, len, done);
}

/* The next message: its control part in cbuf, data in dbuf; dlen < 0: none. */
static ulong_t
dl_recv(ddisim_file_t *f, int *clen, int *dlen)
{
	struct strbuf c = { sizeof(cbuf), 0, (char *)cbuf };
	struct strbuf d = { sizeof(dbuf), 0, (char *)dbuf };
	int flags = 0, more = 0;

	ck_assert_int_eq(ddisim_stream_getmsg(ddisim_dev_stream(f), &c, &d,
	    NULL, &flags, &more), 0);
	ck_assert_int_eq(more, 0);
	ck_assert_int_ge(c.len, (int)sizeof(ulong_t));
	if (clen != NULL)
		*clen = c.len;
	if (dlen != NULL)
		*dlen = d.len;
	return cbuf[0];
}

/* A request that needs no address; returns the answer's primitive. */
static ulong_t
dl_simple(ddisim_file_t *s, ulong_t prim)
{
	ulong_t req[2] = { prim, DL_CURR_PHYS_ADDR };

	ck_assert_int_eq(dl_send(s, req, sizeof(req), NULL, 0, 0), 0);
	return dl_recv(s, NULL, NULL);
}

static void
dl_expect_error(ddisim_file_t *s, ulong_t prim, ulong_t err)
{
	dl_error_ack_t *ea = (dl_error_ack_t *)cbuf;

	ck_assert_uint_eq(dl_recv(s, NULL, NULL), DL_ERROR_ACK);
	ck_assert_uint_eq(ea->dl_error_primitive, prim);
	ck_assert_uint_eq(ea->dl_errno, err);
}

static void
dl_bind(ddisim_file_t *s, ulong_t sap)
{
	dl_bind_req_t br;
	dl_bind_ack_t *ba = (dl_bind_ack_t *)cbuf;
	const unsigned char *a;

	memset(&br, 0, sizeof(br));
	br.dl_primitive = DL_BIND_REQ;
	br.dl_sap = sap;
	br.dl_service_mode = DL_CLDLS;
	ck_assert_int_eq(dl_send(s, &br, sizeof(br), NULL, 0, 0), 0);
	ck_assert_uint_eq(dl_recv(s, NULL, NULL), DL_BIND_ACK);
	ck_assert_uint_eq(ba->dl_sap, sap);
	ck_assert_uint_eq(ba->dl_addr_length, NIC_DLSAPL);
	a = (unsigned char *)cbuf + ba->dl_addr_offset;
	ck_assert_mem_eq(a, station, NIC_ADDRL);
	ck_assert_uint_eq(a[6], sap >> 8);
	ck_assert_uint_eq(a[7], sap & 0xff);
}

static struct nic_dlstats
dl_stats(ddisim_file_t *s)
{
	dl_get_statistics_ack_t *sa = (dl_get_statistics_ack_t *)cbuf;
	struct nic_dlstats st;

	ulong_t req = DL_GET_STATISTICS_REQ;

	/* High priority: it passes a full stream, as the answer does. */
	ck_assert_int_eq(dl_send(s, &req, sizeof(req), NULL, 0, MSG_HIPRI),
	    0);
	ck_assert_uint_eq(dl_recv(s, NULL, NULL), DL_GET_STATISTICS_ACK);
	ck_assert_uint_eq(sa->dl_stat_length, sizeof(st));
	memcpy(&st, (char *)cbuf + sa->dl_stat_offset, sizeof(st));
	return st;
}

/* A DL_UNITDATA_REQ to dst (a DLSAP address, alen bytes) with data. */
static int
dl_unitdata(ddisim_file_t *s, const unsigned char *dst, size_t alen,
    const void *data, size_t len)
{
	unsigned char req[DL_UNITDATA_REQ_SIZE + NIC_DLSAPL];
	dl_unitdata_req_t ur;

	memset(&ur, 0, sizeof(ur));
	ur.dl_primitive = DL_UNITDATA_REQ;
	ur.dl_dest_addr_length = (ulong_t)alen;
	ur.dl_dest_addr_offset = DL_UNITDATA_REQ_SIZE;
	memcpy(req, &ur, sizeof(ur));
	memcpy(req + DL_UNITDATA_REQ_SIZE, dst, alen);
	return dl_send(s, req, DL_UNITDATA_REQ_SIZE + alen, data, len, 0);
}

static void
fill(unsigned char *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)((seed = seed * 1103515245u + 12345u) >>
		    16);
}

/* A frame as the wire carries it. */
static size_t
mkframe(unsigned char *f, const unsigned char *dst, const unsigned char *src,
    unsigned type, size_t paylen, unsigned seed)
{
	memcpy(f, dst, NIC_ADDRL);
	memcpy(f + NIC_ADDRL, src, NIC_ADDRL);
	f[12] = (unsigned char)(type >> 8);
	f[13] = (unsigned char)type;
	fill(f + NIC_HDRLEN, paylen, seed);
	return NIC_HDRLEN + paylen;
}

/* ---- the tests ---- */

/*
 * Local management: two clone opens get two channels; information, bind,
 * physical address, multicast, unbind; and the errors DLPI gives for
 * requests in the wrong state or of the wrong kind.
 */
START_TEST(nic_local_management)
{
	static const unsigned char group[NIC_ADDRL] = {
		0x01, 0x00, 0x5e, 0x00, 0x00, 0x01
	};
	unsigned char req[64];
	dl_info_ack_t *ia = (dl_info_ack_t *)cbuf;
	dl_phys_addr_ack_t *pa = (dl_phys_addr_ack_t *)cbuf;
	dl_uderror_ind_t *ue = (dl_uderror_ind_t *)cbuf;
	dl_enabmulti_req_t mr;
	ddisim_file_t *s, *t;
	unsigned d1, d2;
	int rval, clen;

	nic_up("mem=64M");
	s = dl_open(0, &d1);
	t = dl_open(0, &d2);
	ck_assert_uint_ne(d1, NIC_CLONE);	/* a channel each */
	ck_assert_uint_ne(d2, NIC_CLONE);
	ck_assert_uint_ne(d1, d2);

	ck_assert_uint_eq(dl_simple(s, DL_INFO_REQ), DL_INFO_ACK);
	ck_assert_uint_eq(ia->dl_current_state, DL_UNBOUND);
	ck_assert_uint_eq(ia->dl_mac_type, DL_ETHER);
	ck_assert_uint_eq(ia->dl_provider_style, DL_STYLE1);
	ck_assert_uint_eq(ia->dl_service_mode, DL_CLDLS);
	ck_assert_uint_eq(ia->dl_version, DL_VERSION_2);
	ck_assert_uint_eq(ia->dl_max_sdu, NIC_MTU - NIC_HDRLEN);
	ck_assert_int_eq(ia->dl_sap_length, -2);
	ck_assert_uint_eq(ia->dl_addr_length, NIC_DLSAPL);
	ck_assert_mem_eq((char *)cbuf + ia->dl_addr_offset, station,
	    NIC_ADDRL);
	ck_assert_uint_eq(ia->dl_brdcst_addr_length, NIC_ADDRL);

	dl_bind(s, 0x0800);
	ck_assert_uint_eq(dl_simple(s, DL_INFO_REQ), DL_INFO_ACK);
	ck_assert_uint_eq(ia->dl_current_state, DL_IDLE);
	/* A second bind: DL_OUTSTATE, and the first stays. */
	{
		dl_bind_req_t br;

		memset(&br, 0, sizeof(br));
		br.dl_primitive = DL_BIND_REQ;
		br.dl_sap = 0x0806;
		br.dl_service_mode = DL_CLDLS;
		ck_assert_int_eq(dl_send(s, &br, sizeof(br), NULL, 0, 0), 0);
		dl_expect_error(s, DL_BIND_REQ, DL_OUTSTATE);
		/* An 802.3 length is no type: DL_BADSAP. */
		br.dl_sap = 0x0100;
		ck_assert_int_eq(dl_send(t, &br, sizeof(br), NULL, 0, 0), 0);
		dl_expect_error(t, DL_BIND_REQ, DL_BADSAP);
		/* Connection mode is not provided. */
		br.dl_sap = 0x0800;
		br.dl_service_mode = DL_CODLS;
		ck_assert_int_eq(dl_send(t, &br, sizeof(br), NULL, 0, 0), 0);
		dl_expect_error(t, DL_BIND_REQ, DL_UNSUPPORTED);
	}
	ck_assert_uint_eq(dl_simple(s, DL_PHYS_ADDR_REQ), DL_PHYS_ADDR_ACK);
	ck_assert_uint_eq(pa->dl_addr_length, NIC_ADDRL);
	ck_assert_mem_eq((char *)cbuf + pa->dl_addr_offset, station,
	    NIC_ADDRL);

	/* Multicast: a group address only, once; then off. */
	memset(&mr, 0, sizeof(mr));
	mr.dl_primitive = DL_ENABMULTI_REQ;
	mr.dl_addr_length = NIC_ADDRL;
	mr.dl_addr_offset = DL_ENABMULTI_REQ_SIZE;
	memcpy(req, &mr, sizeof(mr));
	memcpy(req + sizeof(mr), station, NIC_ADDRL);
	ck_assert_int_eq(dl_send(s, req, sizeof(mr) + NIC_ADDRL, NULL, 0, 0),
	    0);
	dl_expect_error(s, DL_ENABMULTI_REQ, DL_BADADDR);
	memcpy(req + sizeof(mr), group, NIC_ADDRL);
	ck_assert_int_eq(dl_send(s, req, sizeof(mr) + NIC_ADDRL, NULL, 0, 0),
	    0);
	ck_assert_uint_eq(dl_recv(s, NULL, NULL), DL_OK_ACK);
	((dl_enabmulti_req_t *)(void *)req)->dl_primitive = DL_DISABMULTI_REQ;
	ck_assert_int_eq(dl_send(s, req, sizeof(mr) + NIC_ADDRL, NULL, 0, 0),
	    0);
	ck_assert_uint_eq(dl_recv(s, NULL, NULL), DL_OK_ACK);
	ck_assert_int_eq(dl_send(s, req, sizeof(mr) + NIC_ADDRL, NULL, 0, 0),
	    0);
	dl_expect_error(s, DL_DISABMULTI_REQ, DL_NOTENAB);

	/* Style 1: no attach.  Known but not provided.  Unknown. */
	ck_assert_uint_eq(dl_simple(t, DL_ATTACH_REQ), DL_ERROR_ACK);
	ck_assert_uint_eq(((dl_error_ack_t *)cbuf)->dl_errno, DL_OUTSTATE);
	ck_assert_uint_eq(dl_simple(t, DL_PROMISCON_REQ), DL_ERROR_ACK);
	ck_assert_uint_eq(((dl_error_ack_t *)cbuf)->dl_errno,
	    DL_NOTSUPPORTED);
	ck_assert_uint_eq(dl_simple(t, 0x77), DL_ERROR_ACK);
	ck_assert_uint_eq(((dl_error_ack_t *)cbuf)->dl_errno, DL_BADPRIM);

	/* A data unit on an unbound stream: DL_UDERROR_IND, its address. */
	{
		unsigned char dst[NIC_DLSAPL] = {
			0x02, 1, 2, 3, 4, 5, 0x08, 0x00
		};

		ck_assert_int_eq(dl_unitdata(t, dst, NIC_DLSAPL, "abc", 3), 0);
		ck_assert_uint_eq(dl_recv(t, &clen, NULL), DL_UDERROR_IND);
		ck_assert_uint_eq(ue->dl_errno, DL_OUTSTATE);
		ck_assert_uint_eq(ue->dl_dest_addr_length, NIC_DLSAPL);
		ck_assert_mem_eq((char *)cbuf + ue->dl_dest_addr_offset, dst,
		    NIC_DLSAPL);
		/* Bound, but a bad address, or too much data. */
		ck_assert_int_eq(dl_unitdata(s, dst, 3, "abc", 3), 0);
		ck_assert_uint_eq(dl_recv(s, NULL, NULL), DL_UDERROR_IND);
		ck_assert_uint_eq(ue->dl_errno, DL_BADADDR);
		ck_assert_int_eq(dl_unitdata(s, dst, NIC_DLSAPL, dbuf,
		    NIC_MTU), 0);
		ck_assert_uint_eq(dl_recv(s, NULL, NULL), DL_UDERROR_IND);
		ck_assert_uint_eq(ue->dl_errno, DL_BADDATA);
		ck_assert_int_eq(dl_unitdata(s, dst, NIC_DLSAPL, NULL, 0), 0);
		ck_assert_uint_eq(dl_recv(s, NULL, NULL), DL_UDERROR_IND);
		ck_assert_uint_eq(ue->dl_errno, DL_BADDATA);
	}
	/*
	 * An ioctl the driver does not know: I_STR, its strioctl and
	 * data in the program's memory, and transparent.
	 */
	{
		struct strioctl sio = { ('N' << 8) | 1, 0, 4,
		    (char *)ubase + UREAD };

		ck_assert_int_eq(ddisim_proc_write(proc, ubase + UFRAME, &sio,
		    sizeof(sio)), 0);
		ck_assert_int_eq(ddisim_dev_ioctl(s, I_STR, (intptr_t)(ubase +
		    UFRAME), &rval), EINVAL);
		ck_assert_int_eq(ddisim_dev_ioctl(s, I_STR, (intptr_t)&sio,
		    &rval), EFAULT);
		ck_assert_int_eq(ddisim_dev_ioctl(s, ('N' << 8) | 2,
		    (intptr_t)ubase, &rval), EINVAL);
	}
	/* Unbind, and again: DL_OUTSTATE. */
	ck_assert_uint_eq(dl_simple(s, DL_UNBIND_REQ), DL_OK_ACK);
	ck_assert_uint_eq(((dl_ok_ack_t *)cbuf)->dl_correct_primitive,
	    DL_UNBIND_REQ);
	ck_assert_uint_eq(dl_simple(s, DL_UNBIND_REQ), DL_ERROR_ACK);
	ck_assert_uint_eq(((dl_error_ack_t *)cbuf)->dl_errno, DL_OUTSTATE);
	ck_assert_uint_eq(dev_pending(), 0);	/* nothing was sent */

	ck_assert_int_eq(ddisim_dev_close(s), 0);
	ck_assert_int_eq(ddisim_dev_close(t), 0);
	nic_down();
}
END_TEST

/* Send n frames' worth of expectations and check the wire against them. */
static unsigned char (*expect)[NIC_MTU];
static size_t *expect_len;
static size_t nexpect;

static void
expect_frame(const unsigned char *f, size_t len)
{
	ck_assert_uint_lt(nexpect, FRAMES);
	memcpy(expect[nexpect], f, len);
	expect_len[nexpect++] = len;
}

static void
check_wire(void)
{
	ck_assert_uint_eq(dev.nwire, nexpect);
	for (size_t i = 0; i < nexpect; i++) {
		ck_assert_msg(dev.wire[i].len == expect_len[i], "frame %zu: "
		    "%zu bytes sent, %zu meant", i, dev.wire[i].len,
		    expect_len[i]);
		ck_assert_msg(memcmp(dev.wire[i].b, expect[i], expect_len[i])
		    == 0, "frame %zu differs", i);
	}
}

static void
expect_setup(void)
{
	expect = calloc(FRAMES, sizeof(*expect));
	expect_len = calloc(FRAMES, sizeof(*expect_len));
	ck_assert_ptr_nonnull(expect);
	ck_assert_ptr_nonnull(expect_len);
	nexpect = 0;
}

static void
expect_teardown(void)
{
	free(expect);
	free(expect_len);
}

/*
 * Transmit: data units and raw frames, whole and scattered by a module
 * into up to dozens of pieces; the adapter reads exactly the frames, in
 * order, through pairs that keep its rules, and the frames in more pieces
 * than it takes were pulled up.
 */
START_TEST(nic_transmit)
{
	unsigned char f[NIC_MTU], dst[NIC_DLSAPL];
	unsigned seed = 5, maxpairs = 0, multi = 0;
	struct nic_dlstats st;
	ddisim_file_t *s;
	size_t got;

	nic_up("scatter=1");
	ddisim_cpu_set(3);		/* node 1: above the adapter's reach */
	expect_setup();
	atomic_store(&frag_ext_freed, 0);
	frag_next_ext = 0;
	frag_piece = 0;
	s = dl_open(0, NULL);
	ck_assert_int_eq(ddisim_stream_push(ddisim_dev_stream(s), &frag_tab,
	    D_MP), 0);
	/* Raw data before the bind: dropped. */
	mkframe(f, station, station, 0x0800, 60, 1);
	ck_assert_int_eq(uwrite(s, f, 74, &got), 0);
	ck_assert_uint_eq(dev_pending(), 0);
	dl_bind(s, 0x0800);
	for (int i = 0; i < 120; i++) {
		size_t len = 1 + (seed = seed * 1103515245u + 12345u) % 1500;
		size_t flen;

		/* Whole, then in pieces of up to 400, 60 and 8 bytes. */
		frag_piece = i < 30 ? 0 : i < 60 ? 400 : i < 90 ? 60 : 8;
		fill(dst, NIC_ADDRL, seed);
		dst[0] &= 0xfe;
		dst[6] = 0x08;
		dst[7] = 0x00;
		flen = mkframe(f, dst, station, 0x0800, len, seed);
		if (i % 3 == 0) {	/* raw, header and all */
			ck_assert_int_eq(uwrite(s, f, flen, &got),
			    0);
			ck_assert_uint_eq(got, flen);
		} else {		/* a data unit, with or without type */
			ck_assert_int_eq(dl_unitdata(s, dst, i % 3 == 1 ?
			    NIC_DLSAPL : NIC_ADDRL, f + NIC_HDRLEN, len), 0);
		}
		expect_frame(f, flen);
		/* The adapter sends now and then, so the ring fills. */
		if (i % 5 == 4)
			while (dev_transmit(NIC_TXRING) > 0)
				(void)ddisim_streams_run();
	}
	while (dev_transmit(NIC_TXRING) > 0 || dev_pending() > 0)
		(void)ddisim_streams_run();
	frag_piece = 0;
	check_wire();
	for (size_t i = 0; i < dev.nwire; i++) {
		if (dev.wire[i].npairs > maxpairs)
			maxpairs = dev.wire[i].npairs;
		multi += dev.wire[i].npairs > 2;
	}
	ck_assert_uint_le(maxpairs, NIC_MAXFRAG);
	ck_assert_uint_gt(multi, 10);	/* scattered lists were read */
	st = dl_stats(s);
	ck_assert_uint_eq(st.ns_opackets, 120);
	ck_assert_uint_ge(st.ns_pullups, 20);	/* the small pieces */
	ck_assert_uint_eq(st.ns_oerrors, 1);	/* the raw frame unbound */
	ck_assert_uint_eq(dev.bad, 0);
	ck_assert_int_eq(ddisim_dev_close(s), 0);
	expect_teardown();
	nic_down();
	ck_assert_int_eq(atomic_load(&frag_ext_freed), frag_next_ext);
}
END_TEST

/* One DL_UNITDATA_IND, checked: addresses, group flag, data. */
static void
check_ind(ddisim_file_t *s, const unsigned char *frame, size_t len)
{
	dl_unitdata_ind_t *ui = (dl_unitdata_ind_t *)cbuf;
	const unsigned char *a;
	int dlen;

	ck_assert_uint_eq(dl_recv(s, NULL, &dlen), DL_UNITDATA_IND);
	ck_assert_uint_eq(ui->dl_dest_addr_length, NIC_DLSAPL);
	ck_assert_uint_eq(ui->dl_src_addr_length, NIC_DLSAPL);
	a = (unsigned char *)cbuf + ui->dl_dest_addr_offset;
	ck_assert_mem_eq(a, frame, NIC_ADDRL);
	ck_assert_mem_eq(a + NIC_ADDRL, frame + 12, 2);
	a = (unsigned char *)cbuf + ui->dl_src_addr_offset;
	ck_assert_mem_eq(a, frame + NIC_ADDRL, NIC_ADDRL);
	ck_assert_mem_eq(a + NIC_ADDRL, frame + 12, 2);
	ck_assert_uint_eq(ui->dl_group_address, frame[0] & 1);
	ck_assert_int_eq(dlen, (int)(len - NIC_HDRLEN));
	ck_assert_mem_eq(dbuf, frame + NIC_HDRLEN, len - NIC_HDRLEN);
}

static int
nothing_to_read(ddisim_file_t *s)
{
	int rval = -1;

	ck_assert_int_eq(ddisim_dev_ioctl(s, I_NREAD, (intptr_t)(ubase +
	    UREAD), &rval), 0);
	return rval == 0;
}

/*
 * Receive: frames arrive through the interrupt and go up, as
 * DL_UNITDATA_IND, to the streams bound to their type that take their
 * destination: the station, broadcast, a multicast address enabled.
 */
START_TEST(nic_receive)
{
	static const unsigned char group[NIC_ADDRL] = {
		0x01, 0x00, 0x5e, 0x00, 0x00, 0x09
	};
	static const unsigned char other[NIC_ADDRL] = {
		0x02, 0x99, 0x99, 0x99, 0x99, 0x99
	};
	static const unsigned char bcast[NIC_ADDRL] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff
	};
	unsigned char f[NIC_MTU], g[NIC_MTU], req[64];
	dl_enabmulti_req_t mr;
	ddisim_file_t *ip, *arp;
	size_t len, glen;

	nic_up("mem=64M");
	ip = dl_open(0, NULL);
	arp = dl_open(0, NULL);
	dl_bind(ip, 0x0800);
	dl_bind(arp, 0x0806);
	memset(&mr, 0, sizeof(mr));
	mr.dl_primitive = DL_ENABMULTI_REQ;
	mr.dl_addr_length = NIC_ADDRL;
	mr.dl_addr_offset = DL_ENABMULTI_REQ_SIZE;
	memcpy(req, &mr, sizeof(mr));
	memcpy(req + sizeof(mr), group, NIC_ADDRL);
	ck_assert_int_eq(dl_send(ip, req, sizeof(mr) + NIC_ADDRL, NULL, 0, 0),
	    0);
	ck_assert_uint_eq(dl_recv(ip, NULL, NULL), DL_OK_ACK);

	for (unsigned i = 0; i < 40; i++) {
		len = mkframe(f, station, other, 0x0800, 46 + i * 35, i);
		ck_assert_int_eq(dev_receive(f, len), 0);
		check_ind(ip, f, len);
	}
	/* Broadcast ARP: the ARP stream only. */
	len = mkframe(f, bcast, other, 0x0806, 28, 77);
	ck_assert_int_eq(dev_receive(f, len), 0);
	check_ind(arp, f, len);
	ck_assert(nothing_to_read(ip));
	/* The enabled group, then another station's frame, another type. */
	len = mkframe(f, group, other, 0x0800, 100, 78);
	ck_assert_int_eq(dev_receive(f, len), 0);
	glen = mkframe(g, other, station, 0x0800, 100, 79);
	ck_assert_int_eq(dev_receive(g, glen), 0);
	glen = mkframe(g, station, other, 0x86dd, 100, 80);
	ck_assert_int_eq(dev_receive(g, glen), 0);
	check_ind(ip, f, len);
	ck_assert(nothing_to_read(ip));
	ck_assert(nothing_to_read(arp));
	ck_assert_uint_eq(dl_stats(ip).ns_ipackets, 44);
	ck_assert_uint_eq(dl_stats(ip).ns_delivered, 41);
	ck_assert_int_eq(ddisim_dev_close(ip), 0);
	ck_assert_int_eq(ddisim_dev_close(arp), 0);
	nic_down();
}
END_TEST

/*
 * Write-side flow control: with the ring full the driver's queue fills;
 * a writer that may not wait gets EAGAIN until the adapter sends and its
 * interrupt enables the queue again; every frame goes out, in order.
 */
START_TEST(nic_write_flow_control)
{
	unsigned char f[NIC_MTU];
	ddisim_file_t *s;
	struct nic_dlstats st;
	size_t flen, got;
	int n = 0, err;

	nic_up("mem=64M");
	expect_setup();
	s = dl_open(FNDELAY, NULL);
	dl_bind(s, 0x0800);
	for (;;) {
		flen = mkframe(f, station, station, 0x0800, 986, (unsigned)n);
		if ((err = uwrite(s, f, flen, &got)) != 0)
			break;
		expect_frame(f, flen);
		ck_assert_int_lt(++n, 100);
	}
	ck_assert_int_eq(err, EAGAIN);
	ck_assert_uint_eq(got, 0);
	ck_assert_uint_eq(dev_pending(), NIC_TXRING);	/* the ring is full */
	ck_assert_int_gt(n, NIC_TXRING);		/* and frames wait */
	st = dl_stats(s);
	ck_assert_uint_ge(st.ns_txfull, 1);
	ck_assert_uint_eq(st.ns_opackets, 0);
	/* Still full: still EAGAIN. */
	ck_assert_int_eq(uwrite(s, f, flen, &got), EAGAIN);
	/* The adapter sends one: the interrupt lets one more in. */
	ck_assert_uint_eq(dev_transmit(1), 1);
	(void)ddisim_streams_run();
	ck_assert_uint_eq(dev_pending(), NIC_TXRING);
	/* It sends the rest, a ring at a time: writing goes on. */
	while (dev_pending() > 0) {
		(void)dev_transmit(NIC_TXRING);
		(void)ddisim_streams_run();
	}
	flen = mkframe(f, station, station, 0x0800, 986, 1000);
	ck_assert_int_eq(uwrite(s, f, flen, &got), 0);
	expect_frame(f, flen);
	(void)dev_transmit(NIC_TXRING);
	check_wire();
	ck_assert_uint_eq(dl_stats(s).ns_opackets, (unsigned)n + 1);
	ck_assert_int_eq(ddisim_dev_close(s), 0);
	expect_teardown();
	nic_down();
}
END_TEST

/* The adapter as a thread: it sends everything once told to. */
static atomic_int sender_go, sender_quit, sender_sent;

static void *
sender(void *arg)
{
	(void)arg;
	ddisim_cpu_set(0);
	while (!atomic_load(&sender_quit)) {
		if (atomic_load(&sender_go) && dev_pending() > 0) {
			atomic_store(&sender_sent, 1);
			(void)dev_transmit(NIC_TXRING);
		} else {
			struct timespec ts = { 0, 1000000 };

			nanosleep(&ts, NULL);
		}
	}
	return NULL;
}

/*
 * A writer that may wait blocks while the driver's queue is full, and
 * goes on once the adapter, in another thread, has sent and interrupted.
 */
START_TEST(nic_write_blocks)
{
	unsigned char f[NIC_MTU];
	ddisim_file_t *s;
	pthread_t t;
	size_t flen, got;
	int n = 0, rval = -1;

	nic_up("mem=64M,cpus=2");
	ddisim_cpu_set(0);
	expect_setup();
	atomic_store(&sender_go, 0);
	atomic_store(&sender_quit, 0);
	atomic_store(&sender_sent, 0);
	s = dl_open(0, NULL);
	dl_bind(s, 0x0800);
	/* Write while the stream below takes more (I_CANPUT). */
	for (;;) {
		ck_assert_int_eq(ddisim_dev_ioctl(s, I_CANPUT, 0, &rval),
		    0);
		if (rval == 0)
			break;
		flen = mkframe(f, station, station, 0x0800, 1000, (unsigned)n);
		ck_assert_int_eq(uwrite(s, f, flen, &got), 0);
		expect_frame(f, flen);
		ck_assert_int_lt(++n, 100);
	}
	ck_assert_uint_eq(dev_pending(), NIC_TXRING);
	ck_assert_int_eq(pthread_create(&t, NULL, sender, NULL), 0);
	atomic_store(&sender_go, 1);
	/* This write can only end after the adapter sent something. */
	flen = mkframe(f, station, station, 0x0800, 1000, 500);
	ck_assert_int_eq(uwrite(s, f, flen, &got), 0);
	ck_assert_int_eq(atomic_load(&sender_sent), 1);
	expect_frame(f, flen);
	while (dev_pending() > 0 || ddisim_streams_pending() > 0)
		(void)ddisim_streams_run();
	atomic_store(&sender_quit, 1);
	pthread_join(t, NULL);
	(void)dev_transmit(NIC_TXRING);
	(void)ddisim_streams_run();
	(void)dev_transmit(NIC_TXRING);
	check_wire();
	ck_assert_int_eq(ddisim_dev_close(s), 0);
	expect_teardown();
	nic_down();
}
END_TEST

/*
 * Read-side flow control: a reader that does not read lets the head's
 * read queue fill; the driver's read service stops at canputnext and
 * the frames wait on its queue; reading then drains every one, in order.
 */
START_TEST(nic_read_flow_control)
{
	unsigned char f[20][NIC_MTU];
	size_t len[20];
	struct nic_dlstats st;
	ddisim_file_t *s;
	int rval;

	nic_up("mem=64M");
	s = dl_open(0, NULL);
	dl_bind(s, 0x0800);
	for (unsigned i = 0; i < 20; i++) {
		len[i] = mkframe(f[i], station, station, 0x0800, 1000, i + 9);
		ck_assert_int_eq(dev_receive(f[i], len[i]), 0);
		(void)ddisim_streams_run();
	}
	ck_assert_int_eq(ddisim_dev_ioctl(s, I_NREAD, (intptr_t)(ubase +
	    UREAD), &rval), 0);
	ck_assert_int_gt(rval, 2);		/* the head holds some */
	ck_assert_int_lt(rval, 10);		/* up to its high water mark */
	st = dl_stats(s);
	ck_assert_uint_eq(st.ns_delivered, 20);	/* none dropped */
	ck_assert_uint_eq(st.ns_ierrors, 0);
	ck_assert_uint_eq(st.ns_rqueued, 20 - (unsigned)rval);
	for (unsigned i = 0; i < 20; i++)
		check_ind(s, f[i], len[i]);
	ck_assert(nothing_to_read(s));
	ck_assert_uint_eq(dl_stats(s).ns_rqueued, 0);
	ck_assert_int_eq(ddisim_dev_close(s), 0);
	nic_down();
}
END_TEST

/*
 * Closing with frames in the ring, on the write queue and on the read
 * queue: nothing leaks, and the adapter is detached clean.
 */
START_TEST(nic_close_with_frames)
{
	unsigned char f[NIC_MTU];
	ddisim_file_t *s;
	size_t flen, got;
	int rval = 1;

	nic_up("mem=64M");
	s = dl_open(0, NULL);
	dl_bind(s, 0x0800);
	for (unsigned i = 0; i < 12; i++) {
		flen = mkframe(f, station, station, 0x0800, 900, i);
		ck_assert_int_eq(dev_receive(f, flen), 0);
		(void)ddisim_streams_run();
	}
	ck_assert_uint_gt(dl_stats(s).ns_rqueued, 0);
	for (int i = 0; rval != 0; i++) {
		flen = mkframe(f, station, station, 0x0800, 900, (unsigned)i);
		ck_assert_int_eq(uwrite(s, f, flen, &got), 0);
		ck_assert_int_eq(ddisim_dev_ioctl(s, I_CANPUT, 0, &rval),
		    0);
	}
	ck_assert_uint_eq(dev_pending(), NIC_TXRING);
	ck_assert_int_eq(ddisim_dev_close(s), 0);
	nic_down();
}
END_TEST

/*
 * Device numbers: a clone open takes the first free channel, a channel
 * is opened by its number once, and numbers past the driver's channels
 * are refused; buffers outside the program's memory are EFAULT; a
 * stream does not seek or map; and unloading waits for the last close.
 */
START_TEST(nic_device_numbers_and_errors)
{
	ddisim_file_t *f[NIC_NMINOR], *g;
	unsigned char host[64];
	unsigned long before;
	unsigned ch;
	size_t done;
	void *map;
	int rval;

	nic_up("mem=64M");
	/* past the last channel: no such device */
	ck_assert_uint_eq(ddisim_drv_dev(drv, 0, NIC_NMINOR + 1), NODEV);
	ck_assert_int_eq(ddisim_dev_open(proc, ddisim_drv_dev(drv, 0,
	    NIC_NMINOR) + 1, DDISIM_CHR, FREAD | FWRITE, &g), ENXIO);
	/* a channel by its number; then a clone takes channel 1 */
	ck_assert_int_eq(ddisim_dev_open(proc, ddisim_drv_dev(drv, 0, 3),
	    DDISIM_CHR, FREAD | FWRITE, &g), 0);
	ck_assert_uint_eq(chan_of(g), 3);
	ck_assert_int_eq(ddisim_dev_open(proc, ddisim_drv_dev(drv, 0, 3),
	    DDISIM_CHR, FREAD | FWRITE, &f[0]), EBUSY);
	f[0] = dl_open(0, &ch);
	ck_assert_uint_eq(ch, 1);
	/* clones take every other channel; then there is none left */
	for (unsigned i = 1; i < NIC_NMINOR - 1; i++) {
		f[i] = dl_open(0, &ch);
		ck_assert_uint_eq(ch, i < 2 ? i + 1 : i + 2);
	}
	ck_assert_int_eq(ddisim_dev_open(proc, ddisim_drv_dev(drv, 0,
	    NIC_CLONE), DDISIM_CHR, FREAD | FWRITE, &f[NIC_NMINOR - 1]),
	    ENXIO);
	ck_assert_int_eq(ddisim_dev_close(g), 0);
	f[NIC_NMINOR - 1] = dl_open(0, &ch);
	ck_assert_uint_eq(ch, 3);		/* closed, free again */

	/* the program's buffers must be its own */
	dl_bind(f[0], 0x0800);
	ck_assert_int_eq(ddisim_dev_write(f[0], host, sizeof(host), &done),
	    EFAULT);
	ck_assert_int_eq(ddisim_dev_read(f[0], host, sizeof(host), &done),
	    EFAULT);
	ck_assert_int_eq(ddisim_dev_write(f[0], ubase + UBYTES - 8, 64,
	    &done), EFAULT);
	ck_assert_int_eq(ddisim_dev_ioctl(f[0], I_PUSH, (intptr_t)"upcase",
	    &rval), EFAULT);
	ck_assert_int_eq(ddisim_dev_ioctl(f[0], I_NREAD, (intptr_t)host,
	    &rval), EFAULT);
	ck_assert_uint_eq(dev_pending(), 0);	/* nothing was sent */
	ck_assert_int_eq(ddisim_dev_seek(f[0], 0), ESPIPE);
	ck_assert_int_eq(ddisim_dev_mmap(f[0], 0, 4096, 1, &map), ENODEV);

	/* not while a stream is open */
	before = ddisim_verify_count();
	ddisim_verify_set_policy(DDISIM_VERIFY_COUNT);
	ck_assert_int_eq(ddisim_drv_unload(drv), EBUSY);
	ddisim_verify_set_policy(DDISIM_VERIFY_ABORT);
	ck_assert_uint_eq(ddisim_verify_count(), before + 1);
	nic_reports = 1;
	ck_assert_ptr_eq(ddisim_drv_find("nic"), drv);
	for (unsigned i = 0; i < NIC_NMINOR; i++)
		ck_assert_int_eq(ddisim_dev_close(f[i]), 0);
	nic_down();
}
END_TEST

/*
 * A program that waits for a frame with poll(2), asks its size (I_NREAD)
 * and reads it with read(2), the control part discarded (RPROTDIS), into
 * its own memory: POLLIN once the frame's interrupt passed it up, and
 * the frame's data.
 */
START_TEST(nic_poll_and_read)
{
	unsigned char f[NIC_MTU], back[NIC_MTU];
	ddisim_file_t *s;
	size_t len, done;
	short rev = -1;
	int rval, n = 0;

	nic_up("mem=64M");
	s = dl_open(0, NULL);
	dl_bind(s, 0x0800);
	ck_assert_int_eq(ddisim_dev_poll(s, POLLIN, 0, &rev), 0);
	ck_assert_int_eq(rev, 0);
	ck_assert_int_eq(ddisim_dev_poll(s, POLLIN, 20, &rev), 0);
	ck_assert_int_eq(rev, 0);		/* waited, and timed out */
	len = mkframe(f, station, station, 0x0800, 300, 21);
	ck_assert_int_eq(dev_receive(f, len), 0);
	ck_assert_int_eq(ddisim_dev_poll(s, POLLIN | POLLOUT, 0, &rev), 0);
	ck_assert_int_eq(rev & POLLIN, POLLIN);
	ck_assert_int_eq(ddisim_dev_ioctl(s, I_NREAD, (intptr_t)(ubase +
	    UREAD), &rval), 0);
	ck_assert_int_eq(rval, 1);		/* one message */
	ck_assert_int_eq(ddisim_proc_read(proc, ubase + UREAD, &n, sizeof(n)),
	    0);
	ck_assert_int_eq(n, (int)(DL_UNITDATA_IND_SIZE + 2 * NIC_DLSAPL +
	    len - NIC_HDRLEN));			/* of these bytes */
	ck_assert_int_eq(ddisim_dev_ioctl(s, I_SRDOPT, RMSGD | RPROTDIS,
	    &rval), 0);
	ck_assert_int_eq(ddisim_dev_read(s, ubase + UREAD, sizeof(back),
	    &done), 0);
	ck_assert_int_eq(ddisim_proc_read(proc, ubase + UREAD, back, done),
	    0);
	ck_assert_uint_eq(done, len - NIC_HDRLEN);
	ck_assert_mem_eq(back, f + NIC_HDRLEN, done);
	ck_assert_int_eq(ddisim_dev_poll(s, POLLIN, 0, &rev), 0);
	ck_assert_int_eq(rev, 0);
	ck_assert_int_eq(ddisim_dev_close(s), 0);
	nic_down();
}
END_TEST

/* A module loaded on its own, pushed by name (I_PUSH) from the program. */
static ddisim_drv_t *
upcase_load(void)
{
	struct ddisim_drvconf c;
	ddisim_drv_t *m = NULL;

	memset(&c, 0, sizeof(c));
	c.prefix = "upcase";
	c.object = UPCASE_SO;
	c.flags = DDISIM_DRV_MODULE;
	ck_assert_int_eq(ddisim_drv_load_conf(&c, &m), 0);
	ck_assert_uint_eq(ddisim_drv_major(m), 0);	/* no device */
	return m;
}

static void
upcase_push(ddisim_file_t *f)
{
	int rval;

	ck_assert_int_eq(ddisim_proc_write(proc, ubase + UNAME, "upcase", 7),
	    0);
	ck_assert_int_eq(ddisim_dev_ioctl(f, I_PUSH, (intptr_t)(ubase +
	    UNAME), &rval), 0);
}

/* Data as the program sends it, and as the module makes it. */
static const char lower[] = "hello, wire 123";
static const char upper[] = "HELLO, WIRE 123";

/*
 * The upcase module: loaded, pushed by name on a nic stream, it turns
 * the data of the data units sent into capitals, and of those received;
 * popped, the data passes as it is.  It is not unloaded while it is
 * pushed; a name no module has is refused.
 */
START_TEST(nic_upcase_pushed_by_name)
{
	unsigned char dst[NIC_DLSAPL], f[NIC_MTU], g[NIC_MTU];
	ddisim_drv_t *m;
	ddisim_file_t *s, *t;
	unsigned long before;
	size_t len;
	int rval, dlen;

	nic_up("mem=64M");
	expect_setup();
	m = upcase_load();
	s = dl_open(0, NULL);
	t = dl_open(0, NULL);
	dl_bind(s, 0x0800);
	dl_bind(t, 0x0800);
	memcpy(dst, station, NIC_ADDRL);
	dst[6] = 0x08;
	dst[7] = 0x00;
	upcase_push(s);
	/* a unit sent: its data in capitals on the wire */
	ck_assert_int_eq(dl_unitdata(s, dst, NIC_DLSAPL, lower,
	    sizeof(lower) - 1), 0);
	len = mkframe(f, station, station, 0x0800, 0, 0);
	memcpy(f + len, upper, sizeof(upper) - 1);
	expect_frame(f, len + sizeof(upper) - 1);
	(void)dev_transmit(NIC_TXRING);
	check_wire();
	/* a frame received on both streams: capitals only where pushed */
	len = mkframe(g, station, station, 0x0800, 0, 0);
	memcpy(g + len, lower, sizeof(lower) - 1);
	len += sizeof(lower) - 1;
	ck_assert_int_eq(dev_receive(g, len), 0);
	ck_assert_uint_eq(dl_recv(s, NULL, &dlen), DL_UNITDATA_IND);
	ck_assert_int_eq(dlen, (int)sizeof(upper) - 1);
	ck_assert_mem_eq(dbuf, upper, sizeof(upper) - 1);
	check_ind(t, g, len);		/* its own copy, untouched */
	/* the module stays while it is pushed: refused, and reported */
	before = ddisim_verify_count();
	ddisim_verify_set_policy(DDISIM_VERIFY_COUNT);
	ck_assert_int_eq(ddisim_drv_unload(m), EBUSY);
	ddisim_verify_set_policy(DDISIM_VERIFY_ABORT);
	ck_assert_uint_eq(ddisim_verify_count(), before + 1);
	ck_assert_ptr_nonnull(strstr(ddisim_verify_last(), "pushed"));
	/* popped: the data passes as it is */
	ck_assert_int_eq(ddisim_dev_ioctl(s, I_POP, 0, &rval), 0);
	ck_assert_int_eq(ddisim_dev_ioctl(s, I_POP, 0, &rval), EINVAL);
	ck_assert_int_eq(dl_unitdata(s, dst, NIC_DLSAPL, lower,
	    sizeof(lower) - 1), 0);
	memcpy(f + NIC_HDRLEN, lower, sizeof(lower) - 1);
	expect_frame(f, NIC_HDRLEN + sizeof(lower) - 1);
	(void)dev_transmit(NIC_TXRING);
	check_wire();
	/* pushed again, and closed with it on: the close pops it */
	upcase_push(s);
	before = ddisim_verify_count();
	ddisim_verify_set_policy(DDISIM_VERIFY_COUNT);
	ck_assert_int_eq(ddisim_proc_write(proc, ubase + UNAME, "nosuch", 7),
	    0);
	ck_assert_int_eq(ddisim_dev_ioctl(t, I_PUSH, (intptr_t)(ubase +
	    UNAME), &rval), EINVAL);
	ddisim_verify_set_policy(DDISIM_VERIFY_ABORT);
	ck_assert_uint_eq(ddisim_verify_count(), before + 1);
	ck_assert_ptr_nonnull(strstr(ddisim_verify_last(), "nosuch"));
	nic_reports = 2;
	ck_assert_int_eq(ddisim_dev_close(s), 0);
	ck_assert_int_eq(ddisim_dev_close(t), 0);
	ck_assert_int_eq(ddisim_drv_unload(m), 0);
	expect_teardown();
	nic_down();
}
END_TEST

/*
 * Loading and unloading with no-sleep allocations failing: an adapter
 * whose receive buffer could not be had is refused by its CFG_ADD and
 * the driver loads without it; either way a stream opens or fails with
 * an errno, and unloading leaves nothing, with no report.
 */
START_TEST(nic_load_under_failrate)
{
	long seeds = prop_floor(prop_iters(1000), 50);
	unsigned none = 0, one = 0;
	char spec[64];

	for (long i = 1; i <= seeds; i++) {
		ddisim_file_t *f;
		int rc;

		(void)snprintf(spec, sizeof(spec),
		    "mem=16M,failrate=0.3,seed=%ld", i);
		nic_machine(spec, 4096);
		rc = nic_load();
		ck_assert_msg(rc == 0 || rc == ENOMEM, "seed %ld: %d", i, rc);
		if (rc != 0) {
			nic_machine_down();
			continue;
		}
		if (ddisim_drv_ninstances(drv) == 0) {
			none++;
			ck_assert_uint_eq(dev.ctl, 0);
			ck_assert_uint_eq(ddisim_drv_dev(drv, 0, NIC_CLONE),
			    NODEV);
		} else {
			one++;
			ck_assert_uint_eq(dev.ctl, NIC_CTL_IE);
			rc = ddisim_dev_open(proc, ddisim_drv_dev(drv, 0,
			    NIC_CLONE), DDISIM_CHR, FREAD | FWRITE, &f);
			ck_assert_msg(rc == 0 || rc == ENOMEM || rc == ENOSR,
			    "seed %ld: open: %d", i, rc);
			if (rc == 0)
				ck_assert_int_eq(ddisim_dev_close(f), 0);
		}
		nic_down();
	}
	/* both outcomes were met */
	ck_assert_uint_gt(none, 0);
	ck_assert_uint_gt(one, 0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("nic");
	TCase *tc = tcase_new("core");

	tcase_add_test(tc, nic_local_management);
	tcase_add_test(tc, nic_transmit);
	tcase_add_test(tc, nic_receive);
	tcase_add_test(tc, nic_write_flow_control);
	tcase_add_test(tc, nic_write_blocks);
	tcase_add_test(tc, nic_read_flow_control);
	tcase_add_test(tc, nic_close_with_frames);
	tcase_add_test(tc, nic_device_numbers_and_errors);
	tcase_add_test(tc, nic_poll_and_read);
	tcase_add_test(tc, nic_upcase_pushed_by_name);
	suite_add_tcase(s, tc);
	tc = tcase_new("failrate");
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, nic_load_under_failrate);
	suite_add_tcase(s, tc);
	return run_suite(s) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
