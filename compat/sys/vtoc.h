/*
 * sys/vtoc.h - the i386 disk label: the physical description (pdinfo)
 * and volume table of contents (vtoc) in sector 29 of a disk's UNIX
 * partition, the vtoc extension that holds slices beyond the first 16,
 * and the disk drivers' ioctl commands and their argument structures.
 *
 * These structures are read from and written to disk, and passed by
 * ioctl, so they keep the i386 layout exactly: every member the original
 * declared long, unsigned long, ulong or time_t is 32 bits here
 * (long_t, ulong_t), whatever the host's long.  Pointers keep the host's
 * width; only the in-core and absio structures have them.
 * tests/vtoc_layout.c checks the sizes and offsets.
 *
 * The header is the same at every interface version.
 */
#ifndef DDICOMPAT_SYS_VTOC_H
#define DDICOMPAT_SYS_VTOC_H

#include <sys/types.h>

#define V_NUMPAR	16		/* slices in the vtoc itself */
#define HDPDLOC		29		/* sector of the pdinfo and vtoc */
#define VTOC_SEC	HDPDLOC

#define VTOC_SANE	0x600DDEEE	/* v_sanity of a valid vtoc */
#define V_VERSION_1	0x01
#define V_VERSION_2	0x02		/* adds V_REMAP */
#define V_VERSION_3	0x03		/* extended pdinfo */
#define V_VERSION_4	0x04
#define V_VERSION_5	0x05		/* vtoc extension: more than 16 slices */
#define V_VERSION_DIVVY	0x06		/* OpenServer's layout */
#define V_VERSION	V_VERSION_5	/* what is written today */

#define XPDVERS		3		/* first version with the extended pdinfo */
#define XVTOCVERS	V_VERSION_5	/* first version with the extension */

/* p_tag: what a slice holds */
#define V_UNUSED	0x00
#define V_BOOT		0x01
#define V_ROOT		0x02
#define V_SWAP		0x03
#define V_USR		0x04
#define V_BACKUP	0x05		/* the whole disk */
#define V_ALTS		0x06		/* alternate sectors */
#define V_OTHER		0x07		/* not UNIX */
#define V_ALTTRK	0x08		/* alternate tracks */
#define V_ALTSOSR5	0x08		/* the same tag, for OpenServer 5 */
#define V_STAND		0x09
#define V_VAR		0x0a
#define V_HOME		0x0b
#define V_DUMP		0x0c
#define V_ALTSCTR	0x0d		/* alternate sector slice */
#define V_MANAGED_1	0x0e		/* volume manager, public */
#define V_MANAGED_2	0x0f		/* volume manager, private */

/* p_flag */
#define V_UNMNT		0x01		/* not mountable */
#define V_RONLY		0x10		/* read only */
#define V_REMAP		0x20		/* alternate sector mapping applies */
#define V_OPEN		0x100		/* open: the driver's own bit */
#define V_VALID		0x200		/* may be used: the driver's own bit */
#define V_VOMASK	0x300		/* V_OPEN | V_VALID */

/* Disk driver ioctl commands. */
#define VIOC		('V' << 8)
#define V_CONFIG	(VIOC | 1)	/* configure the drive (io_arg) */
#define V_REMOUNT	(VIOC | 2)	/* read the label again */
#define V_ADDBAD	(VIOC | 3)	/* add a bad sector (io_arg) */
#define V_GETPARMS	(VIOC | 4)	/* disk_parms */
#define V_FORMAT	(VIOC | 5)	/* format tracks (io_arg) */
#define V_PDLOC		(VIOC | 6)	/* where the pdinfo is */
#define V_GETERR	(VIOC | 7)	/* the last error */
#define V_EXERR		(VIOC | 8)	/* keep extended errors */
#define V_NOEXERR	(VIOC | 9)	/* do not (the default) */
#define V_RDABS		(VIOC | 10)	/* read an absolute sector (absio) */
#define V_WRABS		(VIOC | 11)	/* write one (absio) */
#define V_VERIFY	(VIOC | 12)	/* verify sectors (vfy_io) */
#define V_XFORMAT	(VIOC | 13)	/* mark sectors bad (io_arg) */
#define V_EXERRCTL	(VIOC | 14)	/* extended errors on or off */
#define V_XGETPARMS	(VIOC | 15)	/* disk_xparms */
#define V_RETRYCTL	(VIOC | 20)	/* V_RETRY_ON or V_RETRY_OFF */
#define V_DEFECTS	(VIOC | 21)	/* the drive's defect list */
#define V_FMTDRV	(VIOC | 22)	/* format the whole drive */

/* SCSI disk driver ioctl commands; 14 and 15 as above. */
#define V_PREAD		(VIOC | 14)	/* physical read (phyio) */
#define V_PWRITE	(VIOC | 15)	/* physical write (phyio) */
#define V_PDREAD	(VIOC | 16)	/* read the physical description */
#define V_PDWRITE	(VIOC | 17)	/* write it */
#define V_READ_VTOC	(VIOC | 23)	/* read the extended vtoc */
#define V_WRITE_VTOC	(VIOC | 24)	/* write it (vtoc_ioctl) */
#define V_READ_PDINFO	(VIOC | 25)
#define V_WRITE_PDINFO	(VIOC | 26)

/* their failures */
#define V_BADREAD	0x01
#define V_BADWRITE	0x02

/* how the boot code found the vtoc */
#define VTOC_HARD	0x00
#define VTOC_SOFT	0x01

#define VALID_PD	0xCA5E600D	/* pdinfo sanity */

/* One slice: 12 bytes. */
struct partition {
	ushort_t	p_tag;		/* V_ROOT... */
	ushort_t	p_flag;		/* V_UNMNT... */
	daddr_t		p_start;	/* first sector */
	long_t		p_size;		/* sectors */
};

/* A driver's own slice, with the fdisk type of its partition: 16 bytes. */
struct xpartition {
	ushort_t	p_tag;
	ushort_t	p_flag;
	daddr_t		p_start;
	long_t		p_size;
	ulong_t		p_type;		/* the fdisk partition's system type */
};

/* The vtoc: 316 bytes. */
struct vtoc {
	ulong_t		v_sanity;	/* VTOC_SANE */
	ulong_t		v_version;	/* V_VERSION */
	char		v_volume[8];	/* volume name */
	ushort_t	v_nparts;	/* slices in use */
	ushort_t	v_pad;
	ulong_t		v_reserved[10];
	struct partition v_part[V_NUMPAR];
	long_t		timestamp[V_NUMPAR]; /* an i386 time_t per slice */
};

/* Header of the vtoc extension, after the vtoc in sector 29: 24 bytes. */
struct vtoc_ext_hdr {
	ulong_t		ve_sanity;
	ushort_t	ve_nslices;
	ushort_t	ve_nsects;	/* sectors the extension takes */
	daddr_t		ve_firstsect;
	uchar_t		ve_fill[12];
};

/* The end of each extension sector: 8 bytes. */
struct vtoc_ext_trailer {
	ushort_t	ve_firstslice;	/* first slice in the sector */
	ushort_t	ve_nslices;	/* slices in the sector */
	ulong_t		ve_cksum;	/* checksum of the sector */
};

#define VTOC_SMALLEST_SECTOR	512

/* 42 slices fill a 512-byte sector with its trailer. */
#define VE_SLICES_PER_SECT \
	((VTOC_SMALLEST_SECTOR - sizeof(struct vtoc_ext_trailer)) / \
	sizeof(struct partition))

/* One extension sector: 512 bytes. */
struct vtoc_ext_sect {
	struct partition	ve_slices[VE_SLICES_PER_SECT];
	struct vtoc_ext_trailer	ve_trailer;
};

#define VE_FIRSTSECT	(VTOC_SEC + 1)	/* sectors 30 to 33 */
#define VE_MAXSECTS	4
#define VE_MAXSLICES	(VE_MAXSECTS * VE_SLICES_PER_SECT)
#define V_NUMSLICES	(V_NUMPAR + VE_MAXSLICES)	/* 184 */
#define VE_NSECTS(extnslices) \
	(((extnslices) + VE_SLICES_PER_SECT - 1) / VE_SLICES_PER_SECT)

/* V_READ_VTOC and V_WRITE_VTOC's argument. */
struct vtoc_ioctl {
	int		v_nslices;
	struct partition v_slices[V_NUMSLICES];
};

/* A driver's merged in-core copy of the vtoc and its extension. */
struct vtoc_incore {
	ulong_t		v_sanity;
	ulong_t		v_version;
	ushort_t	v_nparts;
	struct partition *v_part;
	long_t		*timestamp;
};

/* The physical description: 156 bytes. */
struct pdinfo {
	ulong_t		driveid;	/* device type */
	ulong_t		sanity;		/* VALID_PD */
	ulong_t		version;
	char		serial[12];
	ulong_t		cyls;		/* logical geometry */
	ulong_t		tracks;
	ulong_t		sectors;
	ulong_t		bytes;
	ulong_t		logicalst;	/* sector of logical sector 0 */
	ulong_t		errlogst;	/* error log */
	ulong_t		errlogsz;
	ulong_t		mfgst;		/* manufacturer's defect list */
	ulong_t		mfgsz;
	ulong_t		defectst;	/* defect map */
	ulong_t		defectsz;
	ulong_t		relno;		/* relocation areas */
	ulong_t		relst;
	ulong_t		relsz;
	ulong_t		relnext;	/* next free relocation sector */
	ulong_t		vtoc_ptr;	/* byte offset of the vtoc */
	ushort_t	vtoc_len;
	ushort_t	vtoc_pad;
	ulong_t		alt_ptr;	/* byte offset of the alternates */
	ushort_t	alt_len;
	/* from XPDVERS: the physical geometry */
	ulong_t		pcyls;
	ulong_t		ptracks;
	ulong_t		psectors;
	ulong_t		pbytes;
	ulong_t		secovhd;	/* overhead bytes per sector */
	ushort_t	interleave;
	ushort_t	skew;
	ulong_t		pad[8];
};

/* A pdinfo's size and physical fields, whatever its version. */
#define PDINFO_SIZE(pdp) (sizeof(struct pdinfo) - \
	((pdp)->version < XPDVERS ? sizeof(ulong_t) * 14 : 0))
#define getpcyls(pdp)	((pdp)->version < XPDVERS ? 0 : (pdp)->pcyls)
#define getptracks(pdp)	((pdp)->version < XPDVERS ? 0 : (pdp)->ptracks)
#define getpsectors(pdp) ((pdp)->version < XPDVERS ? 0 : (pdp)->psectors)
#define getpbytes(pdp)	((pdp)->version < XPDVERS ? 0 : (pdp)->pbytes)
#define getsecovhd(pdp)	((pdp)->version < XPDVERS ? 0 : (pdp)->secovhd)
#define getinterleave(pdp) \
	((pdp)->version < XPDVERS ? (pdp)->relnext : (pdp)->interleave)
#define getskew(pdp)	((pdp)->version < XPDVERS ? 0 : (pdp)->skew)
#define setpcyls(pdp, x) \
	((pdp)->version < XPDVERS ? (x) : ((pdp)->pcyls = (x)))
#define setptracks(pdp, x) \
	((pdp)->version < XPDVERS ? (x) : ((pdp)->ptracks = (x)))
#define setpsectors(pdp, x) \
	((pdp)->version < XPDVERS ? (x) : ((pdp)->psectors = (x)))
#define setpbytes(pdp, x) \
	((pdp)->version < XPDVERS ? (x) : ((pdp)->pbytes = (x)))
#define setsecovhd(pdp, x) \
	((pdp)->version < XPDVERS ? (x) : ((pdp)->secovhd = (x)))
#define setinterleave(pdp, x) ((pdp)->version < XPDVERS ? \
	((pdp)->relnext = (x)) : ((pdp)->interleave = (x)))
#define setskew(pdp, x) \
	((pdp)->version < XPDVERS ? (x) : ((pdp)->skew = (x)))

struct v_defect;

/* The argument of V_CONFIG, V_ADDBAD, V_FORMAT, V_XFORMAT, V_FMTDRV and
   V_DEFECTS. */
union io_arg {
	struct {
		ushort_t	ncyl;
		uchar_t		nhead;
		uchar_t		nsec;
		ushort_t	secsiz;
	} ia_cd;			/* V_CONFIG */
	struct {
		ushort_t	flags;		/* V_ABS_NEAR */
		daddr_t		bad_sector;
		daddr_t		new_sector;	/* returned */
	} ia_abs;			/* V_ADDBAD */
	struct {
		ushort_t	start_trk;
		ushort_t	num_trks;
		ushort_t	intlv;
	} ia_fmt;			/* V_FORMAT */
	struct {
		ushort_t	start_trk;
		char		*intlv_tbl;
	} ia_xfmt;			/* V_XFORMAT */
	ushort_t	ia_fmtdrv_intlv; /* V_FMTDRV */
	struct {
		ushort_t	head;
		ushort_t	ndef;		/* returned */
		struct v_defect	*defs;
	} ia_def;			/* V_DEFECTS */
};

/* V_VERIFY's argument. */
union vfy_io {
	struct {
		daddr_t		abs_sec;
		ushort_t	num_sec;
		ushort_t	time_flg;	/* time the operation */
	} vfy_in;
	struct {
		long_t		deltatime;	/* an i386 clock_t */
		ushort_t	err_code;
	} vfy_out;
};

#define V_ABS_NEAR	1		/* ia_abs.flags: the nearest alternate */
#define V_RETRY_ON	1L		/* V_RETRYCTL: retries and ECC (default) */
#define V_RETRY_OFF	2L

/* V_GETPARMS's answer: 24 bytes. */
struct disk_parms {
	char		dp_type;	/* DPT_* */
	uchar_t		dp_heads;
	ulong_t		dp_cyls;
	uchar_t		dp_sectors;
	ushort_t	dp_secsiz;
	ushort_t	dp_ptag;	/* the slice's p_tag */
	ushort_t	dp_pflag;	/* and p_flag */
	union {
		struct {		/* slice 0 */
			uint_t	dp0_secovhd : 8;
			uint_t	dp0_rsrvdcyls : 3;
			uint_t	dp0_intlv : 4;
			uint_t	dp0_skew : 3;
			uint_t	dp0_ctlflags : 14;	/* DPCF_* */
		} dp0_ctl;
		daddr_t	dp1_pstartsec;	/* any other slice */
	} dp_psense;
	daddr_t		dp_pnumsec;
};

#define dp_pstartsec	dp_psense.dp1_pstartsec
#define dp_rsrvdcyls	dp_psense.dp0_ctl.dp0_rsrvdcyls
#define dp_ctlflags	dp_psense.dp0_ctl.dp0_ctlflags
#define dp_secovhd	dp_psense.dp0_ctl.dp0_secovhd
#define dp_interleave	dp_psense.dp0_ctl.dp0_intlv
#define dp_skew		dp_psense.dp0_ctl.dp0_skew

/* V_XGETPARMS's answer: 64 bytes. */
struct disk_xparms {
	char		dpx_type;
	ulong_t		dpx_heads;
	ulong_t		dpx_cyls;
	ulong_t		dpx_sectors;
	ulong_t		dpx_secsiz;
	ushort_t	dpx_ptag;
	ushort_t	dpx_pflag;
	union {
		struct {		/* slice 0 */
			ulong_t	dp0_secovhd;
			ulong_t	dp0_rsrvdcyls;
			ulong_t	dp0_intlv;
			ulong_t	dp0_skew;
			ulong_t	dp0_ctlflags;
			ulong_t	dp0_pheads;
			ulong_t	dp0_pcyls;
			ulong_t	dp0_psectors;
			ulong_t	dp0_psecsiz;
		} dp0_ctl;
		daddr_t	dp1_pstartsec;	/* any other slice */
	} dpx_psense;
	daddr_t		dpx_pnumsec;
};

#define dpx_pstartsec	dpx_psense.dp1_pstartsec
#define dpx_rsrvdcyls	dpx_psense.dp0_ctl.dp0_rsrvdcyls
#define dpx_ctlflags	dpx_psense.dp0_ctl.dp0_ctlflags
#define dpx_secovhd	dpx_psense.dp0_ctl.dp0_secovhd
#define dpx_interleave	dpx_psense.dp0_ctl.dp0_intlv
#define dpx_skew	dpx_psense.dp0_ctl.dp0_skew
#define dpx_pcyls	dpx_psense.dp0_ctl.dp0_pcyls
#define dpx_pheads	dpx_psense.dp0_ctl.dp0_pheads
#define dpx_psectors	dpx_psense.dp0_ctl.dp0_psectors
#define dpx_psecsiz	dpx_psense.dp0_ctl.dp0_psecsiz

/* dp_type, dpx_type */
#define DPT_NOTDISK	0
#define DPT_WINI	1
#define DPT_FLOPPY	2
#define DPT_OTHER	3
#define DPT_SCSI_HD	4
#define DPT_SCSI_OD	5		/* optical */
#define DPT_SCSI_FD	6
#define DPT_ESDI_HD	0x11

/* dp_ctlflags */
#define DPCF_NOTRKFMT	0x02		/* formats only the whole drive */
#define DPCF_BADMAP	0x04		/* the drive has a bad sector map */
#define DPCF_CHGHEADS	0x08		/* the geometry may be changed */
#define DPCF_CHGSECTS	0x10
#define DPCF_CHGCYLS	0x20
#define DPCF_CHGSECSIZ	0x40
#define DPCF_NOALTS	0x80		/* no software alternates */

/* V_RDABS and V_WRABS's argument. */
struct absio {
	daddr_t		abs_sec;	/* from 0 */
	char		*abs_buf;
};

/* V_PREAD and V_PWRITE's argument: 16 bytes. */
struct phyio {
	int		retval;
	ulong_t		sectst;		/* sector */
	ulong_t		memaddr;	/* buffer, as an i386 address */
	ulong_t		datasz;		/* bytes */
};

#define EDVTOC_LOCK	"/etc/scsi/.pdimkdev_hint"

#ifdef IOCTL_ERROR
/* V_GETERR's answer, in drivers built with IOCTL_ERROR. */
#define FD_NOARGS	0		/* type: no argument */
#define FD_TRKERR	1		/* a track */
#define FD_BLKERR	2		/* a block */

#define FD_ENOERROR	0
#define FD_ECMDTIMEOUT	1
#define FD_ESTATIMEOUT	2
#define FD_EBUSY	3
#define FD_EMISSDADDR	4
#define FD_EBADCYL	5
#define FD_EWRONGCYL	6
#define FD_ECANTREAD	7
#define FD_EBADSECTOR	8
#define FD_EMISSHADDR	9
#define FD_EWRITEPROT	10
#define FD_ESECNOTFND	11
#define FD_EDATAOVRUN	12
#define FD_EHCANTREAD	13
#define FD_ILLSECT	14
#define FD_EDOOROPEN	15

typedef struct lasterr_t {
	char	number;			/* FD_E* */
	char	type;			/* FD_*ERR */
	union {
		int	trk;
		int	blk;
	} arg1;
} lasterr_t;
#endif /* IOCTL_ERROR */

#endif /* DDICOMPAT_SYS_VTOC_H */
