/*
 * hba.h - the example host adapter driver's interface to programs: its
 * units, its ioctls and what they return.  Shared by the driver and its
 * test, which plays the adapter.
 */
#ifndef EXAMPLE_HBA_H
#define EXAMPLE_HBA_H

/*
 * The channels of an adapter: target * HBA_NLUN + LUN.  The adapter's
 * firmware shows its store to the bus as HBA_NTARGET * HBA_NLUN units of
 * HBA_UNIT_BLOCKS sectors each, unit c at sector c * HBA_UNIT_BLOCKS; a
 * unit past the end of the store is not there.
 */
#define HBA_NTARGET	4
#define HBA_NLUN	2
#define HBA_NCHAN	(HBA_NTARGET * HBA_NLUN)
#define HBA_UNIT_BLOCKS	4096		/* 2 MiB */
#define HBA_BSIZE	512

/* The adapter's limits, which its DMA engine has and the driver states. */
#define HBA_MAXSG	17		/* descriptors in a list */
#define HBA_BOUNDARY	0x10000		/* its address counter's carry */
#define HBA_ALIGN	4		/* addresses it can take */
#define HBA_MAXXFER	(64 * 1024)	/* bytes a command at most */

/* ioctls */
#define HBA_GETGEOM	0x6201		/* struct hba_geom out */
#define HBA_INQUIRY	0x6202		/* struct hba_inquiry out */

struct hba_geom {
	unsigned int	g_cyls;
	unsigned int	g_heads;
	unsigned int	g_sectors;	/* a track's */
	unsigned int	g_blocks;	/* the unit's */
};

struct hba_inquiry {
	unsigned int	i_key;		/* the adapter's resource manager key */
	unsigned int	i_target;
	unsigned int	i_lun;
	char		i_vendor[8];	/* not terminated */
	char		i_product[16];
};

#endif
