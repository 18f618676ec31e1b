/*
 * net/if.h - network interface statistics: struct ifstats, the chain a
 * network driver links its interface's counters into, ifstats_attach(9)
 * and ifstats_detach(9).
 *
 * Only the statistics part of the original header: the interface
 * request structures of socket ioctls are not declared.
 */
#ifndef DDICOMPAT_NET_IF_H
#define DDICOMPAT_NET_IF_H

#include <sys/types.h>

__DDI_BEGIN_DECLS

struct ifaddr;

/* One interface's counters, linked by ifs_next into the chain. */
struct ifstats {
	struct ifstats	*ifs_next;	/* next interface on the chain */
	char		*ifs_name;	/* interface name, e.g. "wd" */
	short		ifs_unit;	/* unit number */
	short		ifs_active;	/* nonzero while it runs */
	struct ifaddr	*ifs_addrs;	/* its addresses */
	short		ifs_mtu;	/* largest transmission unit */
	int		ifs_ipackets;	/* packets received */
	int		ifs_ierrors;	/* input errors */
	int		ifs_opackets;	/* packets sent */
	int		ifs_oerrors;	/* output errors */
	int		ifs_collisions;	/* collisions (CSMA) */
	struct ifs_mib {		/* MIB-II */
		int		im_iftype;	/* IF* below */
		int		im_ifspeed;	/* bits a second */
		struct ifs_ins {
			ulong_t	ii_ifinoctets;
			ulong_t	ii_ifinucastpkts;
			ulong_t	ii_ifinnucastpkts;
			ulong_t	ii_ifindiscards;
			ulong_t	ii_ifinunkprotos;
		} ifs_ins;
		struct ifs_outs {
			ulong_t	io_ifoutoctets;
			ulong_t	io_ifoutucastpkts;
			ulong_t	io_ifoutnucastpkts;
			ulong_t	io_ifoutdiscards;
		} ifs_outs;
	} ifs_mib;
};
typedef struct ifstats ifstats_t;

/* im_iftype: the MIB-II interface types. */
#define IFOTHER			1
#define IFDDN_X25		4
#define IFRFC877_X25		5
#define IFETHERNET_CSMACD	6
#define IFISO88023_CSMACD	7
#define IFISO88025_TOKENRING	9
#define IFPPP			23
#define IFLOOPBACK		24
#define IFSLIP			28

#define iftype		ifs_mib.im_iftype
#define ifspeed		ifs_mib.im_ifspeed
#define ifinoctets	ifs_mib.ifs_ins.ii_ifinoctets
#define ifinucastpkts	ifs_mib.ifs_ins.ii_ifinucastpkts
#define ifinnucastpkts	ifs_mib.ifs_ins.ii_ifinnucastpkts
#define ifindiscards	ifs_mib.ifs_ins.ii_ifindiscards
#define ifinunkprotos	ifs_mib.ifs_ins.ii_ifinunkprotos
#define ifoutoctets	ifs_mib.ifs_outs.io_ifoutoctets
#define ifoutucastpkts	ifs_mib.ifs_outs.io_ifoutucastpkts
#define ifoutnucastpkts	ifs_mib.ifs_outs.io_ifoutnucastpkts
#define ifoutdiscards	ifs_mib.ifs_outs.io_ifoutdiscards

/* The head of the chain, which drivers of DDI 6 and before could walk. */
#if __DDI_AT_MOST(60) && !__DDI_STRICT
extern struct ifstats *ifstats;
#endif

#if __DDI_AT_MOST(72)
void		ifstats_attach(struct ifstats *)
		    __DDI_ENTRY(_Compat_ifstats_attach);
struct ifstats	*ifstats_detach(struct ifstats *)
		    __DDI_ENTRY(_Compat_ifstats_detach);
#endif

__DDI_END_DECLS

#endif /* DDICOMPAT_NET_IF_H */
