/*
 * sys/dlpi.h - the Data Link Provider Interface, version 2: the messages
 * a STREAMS network driver (a DLS provider) and its users exchange.
 *
 * Each primitive travels as a message whose first block, M_PROTO or
 * M_PCPROTO, holds one of the structures below, its dl_primitive first;
 * addresses and other variable parts follow the structure in the same
 * block, located by the *_offset members (bytes from the start of the
 * block) and *_length members.  The numbers and the members are those of
 * the DLPI 2 specification, which UnixWare's LAN drivers implemented.
 * Every member is 32 bits wide, as ulong_t and long_t were on i386 (see
 * <sys/types.h>), so a structure has the same size and layout on every
 * host, and no padding.
 */
#ifndef DDICOMPAT_SYS_DLPI_H
#define DDICOMPAT_SYS_DLPI_H

#include <sys/types.h>

__DDI_BEGIN_DECLS

/* The revision of the interface (dl_version of DL_INFO_ACK). */
#define DL_CURRENT_VERSION	0x02
#define DL_VERSION_2		0x02

/* Primitives: local management. */
#define DL_INFO_REQ		0x00	/* what the provider is */
#define DL_BIND_REQ		0x01	/* bind a SAP */
#define DL_UNBIND_REQ		0x02	/* unbind it */
#define DL_INFO_ACK		0x03	/* the answer to DL_INFO_REQ */
#define DL_BIND_ACK		0x04	/* the SAP is bound */
#define DL_ERROR_ACK		0x05	/* a request failed */
#define DL_OK_ACK		0x06	/* a request succeeded */
#define DL_ATTACH_REQ		0x0b	/* style 2: attach a PPA */
#define DL_DETACH_REQ		0x0c	/* style 2: detach it */
#define DL_SUBS_UNBIND_REQ	0x15	/* drop a subsequent SAP */
#define DL_SUBS_BIND_REQ	0x1b	/* bind a subsequent SAP */
#define DL_SUBS_BIND_ACK	0x1c	/* it is bound */
#define DL_ENABMULTI_REQ	0x1d	/* receive a multicast address */
#define DL_DISABMULTI_REQ	0x1e	/* stop receiving it */
#define DL_PROMISCON_REQ	0x1f	/* promiscuous reception on */
#define DL_PROMISCOFF_REQ	0x20	/* and off */

/* Primitives: connectionless data. */
#define DL_UNITDATA_REQ		0x07	/* send a data unit */
#define DL_UNITDATA_IND		0x08	/* a data unit arrived */
#define DL_UDERROR_IND		0x09	/* a data unit could not be sent */
#define DL_UDQOS_REQ		0x0a	/* QOS of the next data units */

/* Primitives: connection mode. */
#define DL_CONNECT_REQ		0x0d
#define DL_CONNECT_IND		0x0e
#define DL_CONNECT_RES		0x0f
#define DL_CONNECT_CON		0x10
#define DL_TOKEN_REQ		0x11
#define DL_TOKEN_ACK		0x12
#define DL_DISCONNECT_REQ	0x13
#define DL_DISCONNECT_IND	0x14
#define DL_RESET_REQ		0x17
#define DL_RESET_IND		0x18
#define DL_RESET_RES		0x19
#define DL_RESET_CON		0x1a

/* Primitives: acknowledged connectionless data. */
#define DL_DATA_ACK_REQ		0x21
#define DL_DATA_ACK_IND		0x22
#define DL_DATA_ACK_STATUS_IND	0x23
#define DL_REPLY_REQ		0x24
#define DL_REPLY_IND		0x25
#define DL_REPLY_STATUS_IND	0x26
#define DL_REPLY_UPDATE_REQ	0x27
#define DL_REPLY_UPDATE_STATUS_IND 0x28

/* Primitives: XID and TEST frames. */
#define DL_XID_REQ		0x29
#define DL_XID_IND		0x2a
#define DL_XID_RES		0x2b
#define DL_XID_CON		0x2c
#define DL_TEST_REQ		0x2d
#define DL_TEST_IND		0x2e
#define DL_TEST_RES		0x2f
#define DL_TEST_CON		0x30

/* Primitives: the physical address and statistics. */
#define DL_PHYS_ADDR_REQ	0x31	/* what is the station address */
#define DL_PHYS_ADDR_ACK	0x32	/* this */
#define DL_SET_PHYS_ADDR_REQ	0x33	/* change it */
#define DL_GET_STATISTICS_REQ	0x34	/* the provider's counters */
#define DL_GET_STATISTICS_ACK	0x35	/* these */

/* States of a stream (dl_current_state). */
#define DL_UNBOUND		0x00	/* attached, no SAP */
#define DL_BIND_PENDING		0x01
#define DL_UNBIND_PENDING	0x02
#define DL_IDLE			0x03	/* bound: data may flow */
#define DL_UNATTACHED		0x04	/* style 2, no PPA yet */
#define DL_ATTACH_PENDING	0x05
#define DL_DETACH_PENDING	0x06
#define DL_UDQOS_PENDING	0x07
#define DL_OUTCON_PENDING	0x08
#define DL_INCON_PENDING	0x09
#define DL_CONN_RES_PENDING	0x0a
#define DL_DATAXFER		0x0b	/* connected */
#define DL_USER_RESET_PENDING	0x0c
#define DL_PROV_RESET_PENDING	0x0d
#define DL_RESET_RES_PENDING	0x0e
#define DL_DISCON8_PENDING	0x0f
#define DL_DISCON9_PENDING	0x10
#define DL_DISCON11_PENDING	0x11
#define DL_DISCON12_PENDING	0x12
#define DL_DISCON13_PENDING	0x13
#define DL_SUBS_BIND_PND	0x14
#define DL_SUBS_UNBIND_PND	0x15

/* Errors (dl_errno of DL_ERROR_ACK and DL_UDERROR_IND). */
#define DL_BADSAP		0x00	/* the SAP is not valid */
#define DL_BADADDR		0x01	/* an address is not valid */
#define DL_ACCESS		0x02	/* not permitted */
#define DL_OUTSTATE		0x03	/* not in this state */
#define DL_SYSERR		0x04	/* dl_unix_errno says what */
#define DL_BADCORR		0x05	/* no such connect indication */
#define DL_BADDATA		0x06	/* too much data */
#define DL_UNSUPPORTED		0x07	/* service not provided */
#define DL_BADPPA		0x08	/* no such PPA */
#define DL_BADPRIM		0x09	/* unknown primitive */
#define DL_BADQOSPARAM		0x0a	/* bad QOS values */
#define DL_BADQOSTYPE		0x0b	/* unknown QOS structure */
#define DL_BADTOKEN		0x0c	/* no stream has this token */
#define DL_BOUND		0x0d	/* a listener is already bound */
#define DL_INITFAILED		0x0e	/* the PPA did not initialise */
#define DL_NOADDR		0x0f	/* no address could be had */
#define DL_NOTINIT		0x10	/* the PPA is not initialised */
#define DL_UNDELIVERABLE	0x11	/* a data unit was not delivered */
#define DL_NOTSUPPORTED		0x12	/* known, not supported */
#define DL_TOOMANY		0x13	/* a limit was reached */
#define DL_NOTENAB		0x14	/* promiscuous mode is not on */
#define DL_BUSY			0x15	/* other streams use the PPA */
#define DL_NOAUTO		0x16	/* no automatic XID and TEST */
#define DL_NOXIDAUTO		0x17	/* no automatic XID */
#define DL_NOTESTAUTO		0x18	/* no automatic TEST */
#define DL_XIDAUTO		0x19	/* XID is answered automatically */
#define DL_TESTAUTO		0x1a	/* TEST is answered automatically */
#define DL_PENDING		0x1b	/* connect indications wait */

/* Media (dl_mac_type). */
#define DL_CSMACD		0x00	/* IEEE 802.3 */
#define DL_TPB			0x01	/* IEEE 802.4 token bus */
#define DL_TPR			0x02	/* IEEE 802.5 token ring */
#define DL_METRO		0x03	/* IEEE 802.6 */
#define DL_ETHER		0x04	/* Ethernet */
#define DL_HDLC			0x05	/* bit-synchronous HDLC */
#define DL_CHAR			0x06	/* character-synchronous */
#define DL_CTCA			0x07	/* channel-to-channel adapter */
#define DL_FDDI			0x08
#define DL_OTHER		0x09	/* none of these */
#define DL_FRAME		0x0a	/* frame relay LAPF */
#define DL_MPFRAME		0x0b	/* multiprotocol over frame relay */
#define DL_ASYNC		0x0c	/* character-asynchronous */
#define DL_IPX25		0x0d	/* IP over X.25 */
#define DL_LOOP			0x0e	/* software loopback */
#define DL_FC			0x10	/* Fibre Channel */
#define DL_ATM			0x11
#define DL_IPATM		0x12	/* classical IP over ATM */
#define DL_X25			0x13	/* X.25 LAPB */
#define DL_ISDN			0x14
#define DL_HIPPI		0x15
#define DL_100VG		0x16	/* 100VG-AnyLAN Ethernet */
#define DL_100VGTPR		0x17	/* 100VG-AnyLAN token ring */
#define DL_ETH_CSMA		0x18	/* Ethernet and IEEE 802.3 */
#define DL_100BT		0x19	/* 100BASE-T */

/* Service modes (dl_service_mode), which may be or'ed in DL_INFO_ACK. */
#define DL_CODLS		0x01	/* connection mode */
#define DL_CLDLS		0x02	/* connectionless */
#define DL_ACLDLS		0x04	/* acknowledged connectionless */

/* Provider styles (dl_provider_style). */
#define DL_STYLE1		0x0500	/* the open chooses the PPA */
#define DL_STYLE2		0x0501	/* DL_ATTACH_REQ chooses it */

/* Who ended a connection or reset it (dl_originator). */
#define DL_PROVIDER		0x0700
#define DL_USER			0x0701

/* Why a connection was refused or ended (dl_reason). */
#define DL_CONREJ_DEST_UNKNOWN			0x0800
#define DL_CONREJ_DEST_UNREACH_PERMANENT	0x0801
#define DL_CONREJ_DEST_UNREACH_TRANSIENT	0x0802
#define DL_CONREJ_QOS_UNAVAIL_PERMANENT		0x0803
#define DL_CONREJ_QOS_UNAVAIL_TRANSIENT		0x0804
#define DL_CONREJ_PERMANENT_COND		0x0805
#define DL_CONREJ_TRANSIENT_COND		0x0806
#define DL_DISC_ABNORMAL_CONDITION		0x0807
#define DL_DISC_NORMAL_CONDITION		0x0808
#define DL_DISC_PERMANENT_CONDITION		0x0809
#define DL_DISC_TRANSIENT_CONDITION		0x080a
#define DL_DISC_UNSPECIFIED			0x080b

/* Why a connection was reset (dl_reason). */
#define DL_RESET_FLOW_CONTROL	0x0900
#define DL_RESET_LINK_ERROR	0x0901
#define DL_RESET_RESYNCH	0x0902

/* Status of acknowledged connectionless requests (dl_status). */
#define DL_CMD_MASK		0x0f	/* the command's part */
#define DL_CMD_OK		0x00	/* accepted */
#define DL_CMD_RS		0x01	/* service not available */
#define DL_CMD_UE		0x05	/* user interface error */
#define DL_CMD_PE		0x06	/* protocol error */
#define DL_CMD_IP		0x07	/* permanent implementation error */
#define DL_CMD_UN		0x09	/* resources short for now */
#define DL_CMD_IT		0x0f	/* temporary implementation error */
#define DL_RSP_MASK		0xf0	/* the response's part */
#define DL_RSP_OK		0x00	/* a response is there */
#define DL_RSP_RS		0x10	/* service not available */
#define DL_RSP_NE		0x30	/* no response was ever given */
#define DL_RSP_NR		0x40	/* no response was asked for */
#define DL_RSP_UE		0x50	/* user interface error */
#define DL_RSP_IP		0x70	/* permanent implementation error */
#define DL_RSP_UN		0x90	/* resources short for now */
#define DL_RSP_IT		0xf0	/* temporary implementation error */

/* Service classes of acknowledged connectionless data. */
#define DL_RQST_RSP		0x01	/* the MAC acknowledges */
#define DL_RQST_NORSP		0x02	/* no acknowledgement */

/* Physical address types (dl_addr_type of DL_PHYS_ADDR_REQ). */
#define DL_FACT_PHYS_ADDR	0x01	/* the factory address */
#define DL_CURR_PHYS_ADDR	0x02	/* the address in use */

/* dl_flag of XID and TEST primitives. */
#define DL_POLL_FINAL		0x01	/* the poll/final bit */

/* dl_xidtest_flg: what the provider answers by itself. */
#define DL_AUTO_XID		0x01
#define DL_AUTO_TEST		0x02

/* dl_subs_bind_class. */
#define DL_PEER_BIND		0x01	/* instead of the bound SAP */
#define DL_HIERARCHICAL_BIND	0x02	/* beneath the bound SAP */

/* Promiscuous levels (dl_level). */
#define DL_PROMISC_PHYS		0x01	/* every frame on the medium */
#define DL_PROMISC_SAP		0x02	/* every SAP of this station */
#define DL_PROMISC_MULTI	0x03	/* every multicast address */

/*
 * Quality of service.  A value a provider does not know is DL_UNKNOWN;
 * a user that does not care asks DL_QOS_DONT_CARE, below every value.
 * Each QOS structure starts with its type, as a primitive does.
 */
#define DL_UNKNOWN		(-1)
#define DL_QOS_DONT_CARE	(-2)

#define DL_QOS_CO_RANGE1	0x0101	/* connection mode, a range */
#define DL_QOS_CO_SEL1		0x0102	/* connection mode, chosen values */
#define DL_QOS_CL_RANGE1	0x0103	/* connectionless, a range */
#define DL_QOS_CL_SEL1		0x0104	/* connectionless, chosen values */

/* Protection levels. */
#define DL_NONE			0x0B01	/* none */
#define DL_MONITOR		0x0B02	/* against passive monitoring */
#define DL_MAXIMUM		0x0B03	/* against changes of any kind */

typedef struct {
	long_t	dl_target_value;	/* bits per second wanted */
	long_t	dl_accept_value;	/* the least acceptable */
} dl_through_t;

typedef struct {
	long_t	dl_target_value;	/* milliseconds for 128 bytes */
	long_t	dl_accept_value;	/* the most acceptable */
} dl_transdelay_t;

typedef struct {
	long_t	dl_min;			/* 0 (highest) to 100 */
	long_t	dl_max;
} dl_priority_t;

typedef struct {
	long_t	dl_min;			/* DL_NONE ... DL_MAXIMUM */
	long_t	dl_max;
} dl_protect_t;

typedef struct {
	long_t	dl_disc_prob;		/* per 10000, over 10000 seconds */
	long_t	dl_reset_prob;
} dl_resilience_t;

typedef struct {
	ulong_t		dl_qos_type;		/* DL_QOS_CO_RANGE1 */
	dl_through_t	dl_rcv_throughput;
	dl_transdelay_t	dl_rcv_trans_delay;
	dl_through_t	dl_xmt_throughput;
	dl_transdelay_t	dl_xmt_trans_delay;
	dl_priority_t	dl_priority;
	dl_protect_t	dl_protection;
	long_t		dl_residual_error;
	dl_resilience_t	dl_resilience;
} dl_qos_co_range1_t;

typedef struct {
	ulong_t		dl_qos_type;		/* DL_QOS_CO_SEL1 */
	long_t		dl_rcv_throughput;
	long_t		dl_rcv_trans_delay;
	long_t		dl_xmt_throughput;
	long_t		dl_xmt_trans_delay;
	long_t		dl_priority;
	long_t		dl_protection;
	long_t		dl_residual_error;
	dl_resilience_t	dl_resilience;
} dl_qos_co_sel1_t;

typedef struct {
	ulong_t		dl_qos_type;		/* DL_QOS_CL_RANGE1 */
	dl_transdelay_t	dl_trans_delay;
	dl_priority_t	dl_priority;
	dl_protect_t	dl_protection;
	long_t		dl_residual_error;
} dl_qos_cl_range1_t;

typedef struct {
	ulong_t		dl_qos_type;		/* DL_QOS_CL_SEL1 */
	long_t		dl_trans_delay;
	long_t		dl_priority;
	long_t		dl_protection;
	long_t		dl_residual_error;
} dl_qos_cl_sel1_t;

union DL_qos_types {
	ulong_t			dl_qos_type;
	dl_qos_co_range1_t	qos_co_range1;
	dl_qos_co_sel1_t	qos_co_sel1;
	dl_qos_cl_range1_t	qos_cl_range1;
	dl_qos_cl_sel1_t	qos_cl_sel1;
};

/*
 * The primitives.  Each is named with the message type it travels in;
 * members named dl_reserved or dl_growth are zero.
 */

/* Local management. */

/* DL_INFO_REQ: M_PCPROTO */
typedef struct {
	ulong_t	dl_primitive;		/* DL_INFO_REQ */
} dl_info_req_t;

/* DL_INFO_ACK: M_PCPROTO */
typedef struct {
	ulong_t	dl_primitive;		/* DL_INFO_ACK */
	ulong_t	dl_max_sdu;		/* largest data unit, in bytes */
	ulong_t	dl_min_sdu;		/* smallest data unit, in bytes */
	ulong_t	dl_addr_length;		/* bytes of the DLSAP address */
	ulong_t	dl_mac_type;		/* the medium: DL_ETHER ... */
	ulong_t	dl_reserved;		/* zero */
	ulong_t	dl_current_state;	/* DL_UNBOUND, DL_IDLE ... */
	long_t	dl_sap_length;		/* SAP bytes; < 0: after the rest */
	ulong_t	dl_service_mode;	/* DL_CLDLS ... */
	ulong_t	dl_qos_length;		/* QOS values: length */
	ulong_t	dl_qos_offset;		/* and offset in the block */
	ulong_t	dl_qos_range_length;	/* QOS range: length */
	ulong_t	dl_qos_range_offset;	/* and offset */
	ulong_t	dl_provider_style;	/* DL_STYLE1 or DL_STYLE2 */
	ulong_t	dl_addr_offset;		/* offset of the DLSAP address */
	ulong_t	dl_version;		/* DL_VERSION_2 */
	ulong_t	dl_brdcst_addr_length;	/* broadcast address: length */
	ulong_t	dl_brdcst_addr_offset;	/* and offset */
	ulong_t	dl_growth;		/* zero */
} dl_info_ack_t;

/* DL_ATTACH_REQ: M_PROTO */
typedef struct {
	ulong_t	dl_primitive;		/* DL_ATTACH_REQ */
	ulong_t	dl_ppa;			/* the physical point of attachment */
} dl_attach_req_t;

/* DL_DETACH_REQ: M_PROTO */
typedef struct {
	ulong_t	dl_primitive;		/* DL_DETACH_REQ */
} dl_detach_req_t;

/* DL_BIND_REQ: M_PROTO */
typedef struct {
	ulong_t	dl_primitive;		/* DL_BIND_REQ */
	ulong_t	dl_sap;			/* the SAP: an Ethernet type */
	ulong_t	dl_max_conind;		/* connect indications it queues */
	ushort_t	dl_service_mode; /* DL_CLDLS, DL_CODLS, DL_ACLDLS */
	ushort_t	dl_conn_mgmt;	/* non-zero: connection management */
	ulong_t	dl_xidtest_flg;		/* DL_AUTO_XID | DL_AUTO_TEST */
} dl_bind_req_t;

/* DL_BIND_ACK: M_PCPROTO */
typedef struct {
	ulong_t	dl_primitive;		/* DL_BIND_ACK */
	ulong_t	dl_sap;			/* the SAP bound */
	ulong_t	dl_addr_length;		/* the whole DLSAP address: length */
	ulong_t	dl_addr_offset;		/* and offset */
	ulong_t	dl_max_conind;		/* connect indications allowed */
	ulong_t	dl_xidtest_flg;		/* what the provider answers itself */
} dl_bind_ack_t;

/* DL_SUBS_BIND_REQ: M_PROTO */
typedef struct {
	ulong_t	dl_primitive;		/* DL_SUBS_BIND_REQ */
	ulong_t	dl_subs_sap_offset;	/* the subsequent SAP: offset */
	ulong_t	dl_subs_sap_length;	/* and length */
	ulong_t	dl_subs_bind_class;	/* DL_PEER_ or DL_HIERARCHICAL_BIND */
} dl_subs_bind_req_t;

/* DL_SUBS_BIND_ACK: M_PCPROTO */
typedef struct {
	ulong_t	dl_primitive;		/* DL_SUBS_BIND_ACK */
	ulong_t	dl_subs_sap_offset;	/* the SAP bound: offset */
	ulong_t	dl_subs_sap_length;	/* and length */
} dl_subs_bind_ack_t;

/* DL_UNBIND_REQ: M_PROTO */
typedef struct {
	ulong_t	dl_primitive;		/* DL_UNBIND_REQ */
} dl_unbind_req_t;

/* DL_SUBS_UNBIND_REQ: M_PROTO */
typedef struct {
	ulong_t	dl_primitive;		/* DL_SUBS_UNBIND_REQ */
	ulong_t	dl_subs_sap_offset;	/* the SAP to drop: offset */
	ulong_t	dl_subs_sap_length;	/* and length */
} dl_subs_unbind_req_t;

/* DL_OK_ACK: M_PCPROTO */
typedef struct {
	ulong_t	dl_primitive;		/* DL_OK_ACK */
	ulong_t	dl_correct_primitive;	/* the request that succeeded */
} dl_ok_ack_t;

/* DL_ERROR_ACK: M_PCPROTO */
typedef struct {
	ulong_t	dl_primitive;		/* DL_ERROR_ACK */
	ulong_t	dl_error_primitive;	/* the request that failed */
	ulong_t	dl_errno;		/* DL_OUTSTATE ... */
	ulong_t	dl_unix_errno;		/* with DL_SYSERR: the errno value */
} dl_error_ack_t;

/* DL_ENABMULTI_REQ: M_PROTO */
typedef struct {
	ulong_t	dl_primitive;		/* DL_ENABMULTI_REQ */
	ulong_t	dl_addr_length;		/* the multicast address: length */
	ulong_t	dl_addr_offset;		/* and offset */
} dl_enabmulti_req_t;

/* DL_DISABMULTI_REQ: M_PROTO */
typedef struct {
	ulong_t	dl_primitive;		/* DL_DISABMULTI_REQ */
	ulong_t	dl_addr_length;		/* the multicast address: length */
	ulong_t	dl_addr_offset;		/* and offset */
} dl_disabmulti_req_t;

/* DL_PROMISCON_REQ: M_PROTO */
typedef struct {
	ulong_t	dl_primitive;		/* DL_PROMISCON_REQ */
	ulong_t	dl_level;		/* DL_PROMISC_PHYS, _SAP or _MULTI */
} dl_promiscon_req_t;

/* DL_PROMISCOFF_REQ: M_PROTO */
typedef struct {
	ulong_t	dl_primitive;		/* DL_PROMISCOFF_REQ */
	ulong_t	dl_level;		/* DL_PROMISC_PHYS, _SAP or _MULTI */
} dl_promiscoff_req_t;

/* DL_PHYS_ADDR_REQ: M_PROTO */
typedef struct {
	ulong_t	dl_primitive;		/* DL_PHYS_ADDR_REQ */
	ulong_t	dl_addr_type;		/* DL_FACT_ or DL_CURR_PHYS_ADDR */
} dl_phys_addr_req_t;

/* DL_PHYS_ADDR_ACK: M_PCPROTO */
typedef struct {
	ulong_t	dl_primitive;		/* DL_PHYS_ADDR_ACK */
	ulong_t	dl_addr_length;		/* the physical address: length */
	ulong_t	dl_addr_offset;		/* and offset */
} dl_phys_addr_ack_t;

/* DL_SET_PHYS_ADDR_REQ: M_PROTO */
typedef struct {
	ulong_t	dl_primitive;		/* DL_SET_PHYS_ADDR_REQ */
	ulong_t	dl_addr_length;		/* the new address: length */
	ulong_t	dl_addr_offset;		/* and offset */
} dl_set_phys_addr_req_t;

/* DL_GET_STATISTICS_REQ: M_PROTO */
typedef struct {
	ulong_t	dl_primitive;		/* DL_GET_STATISTICS_REQ */
} dl_get_statistics_req_t;

/* DL_GET_STATISTICS_ACK: M_PCPROTO */
typedef struct {
	ulong_t	dl_primitive;		/* DL_GET_STATISTICS_ACK */
	ulong_t	dl_stat_length;		/* the provider's statistics: length */
	ulong_t	dl_stat_offset;		/* and offset */
} dl_get_statistics_ack_t;

/* Connection mode. */

/* DL_CONNECT_REQ: M_PROTO */
typedef struct {
	ulong_t	dl_primitive;		/* DL_CONNECT_REQ */
	ulong_t	dl_dest_addr_length;	/* the called DLSAP: length */
	ulong_t	dl_dest_addr_offset;	/* and offset */
	ulong_t	dl_qos_length;		/* QOS wanted: length */
	ulong_t	dl_qos_offset;		/* and offset */
	ulong_t	dl_growth;		/* zero */
} dl_connect_req_t;

/* DL_CONNECT_IND: M_PROTO */
typedef struct {
	ulong_t	dl_primitive;		/* DL_CONNECT_IND */
	ulong_t	dl_correlation;		/* the provider's token for it */
	ulong_t	dl_called_addr_length;	/* the called DLSAP: length */
	ulong_t	dl_called_addr_offset;	/* and offset */
	ulong_t	dl_calling_addr_length;	/* the calling DLSAP: length */
	ulong_t	dl_calling_addr_offset;	/* and offset */
	ulong_t	dl_qos_length;		/* QOS: length */
	ulong_t	dl_qos_offset;		/* and offset */
	ulong_t	dl_growth;		/* zero */
} dl_connect_ind_t;

/* DL_CONNECT_RES: M_PROTO */
typedef struct {
	ulong_t	dl_primitive;		/* DL_CONNECT_RES */
	ulong_t	dl_correlation;		/* from the DL_CONNECT_IND */
	ulong_t	dl_resp_token;		/* the stream to take it; 0: this */
	ulong_t	dl_qos_length;		/* QOS: length */
	ulong_t	dl_qos_offset;		/* and offset */
	ulong_t	dl_growth;		/* zero */
} dl_connect_res_t;

/* DL_CONNECT_CON: M_PROTO */
typedef struct {
	ulong_t	dl_primitive;		/* DL_CONNECT_CON */
	ulong_t	dl_resp_addr_length;	/* the responder's DLSAP: length */
	ulong_t	dl_resp_addr_offset;	/* and offset */
	ulong_t	dl_qos_length;		/* QOS: length */
	ulong_t	dl_qos_offset;		/* and offset */
	ulong_t	dl_growth;		/* zero */
} dl_connect_con_t;

/* DL_TOKEN_REQ: M_PCPROTO */
typedef struct {
	ulong_t	dl_primitive;		/* DL_TOKEN_REQ */
} dl_token_req_t;

/* DL_TOKEN_ACK: M_PCPROTO */
typedef struct {
	ulong_t	dl_primitive;		/* DL_TOKEN_ACK */
	ulong_t	dl_token;		/* the stream's token, not 0 */
} dl_token_ack_t;

/* DL_DISCONNECT_REQ: M_PROTO */
typedef struct {
	ulong_t	dl_primitive;		/* DL_DISCONNECT_REQ */
	ulong_t	dl_reason;		/* DL_DISC_* or DL_CONREJ_* */
	ulong_t	dl_correlation;		/* a refused DL_CONNECT_IND, or 0 */
} dl_disconnect_req_t;

/* DL_DISCONNECT_IND: M_PROTO */
typedef struct {
	ulong_t	dl_primitive;		/* DL_DISCONNECT_IND */
	ulong_t	dl_originator;		/* DL_PROVIDER or DL_USER */
	ulong_t	dl_reason;		/* DL_DISC_* or DL_CONREJ_* */
	ulong_t	dl_correlation;		/* a withdrawn DL_CONNECT_IND, or 0 */
} dl_disconnect_ind_t;

/* DL_RESET_REQ: M_PROTO */
typedef struct {
	ulong_t	dl_primitive;		/* DL_RESET_REQ */
} dl_reset_req_t;

/* DL_RESET_IND: M_PROTO */
typedef struct {
	ulong_t	dl_primitive;		/* DL_RESET_IND */
	ulong_t	dl_originator;		/* DL_PROVIDER or DL_USER */
	ulong_t	dl_reason;		/* DL_RESET_* */
} dl_reset_ind_t;

/* DL_RESET_RES: M_PROTO */
typedef struct {
	ulong_t	dl_primitive;		/* DL_RESET_RES */
} dl_reset_res_t;

/* DL_RESET_CON: M_PROTO */
typedef struct {
	ulong_t	dl_primitive;		/* DL_RESET_CON */
} dl_reset_con_t;

/* Connectionless mode. */

/* DL_UNITDATA_REQ: M_PROTO, then M_DATA */
typedef struct {
	ulong_t	dl_primitive;		/* DL_UNITDATA_REQ */
	ulong_t	dl_dest_addr_length;	/* the destination DLSAP: length */
	ulong_t	dl_dest_addr_offset;	/* and offset */
	dl_priority_t	dl_priority;	/* the data unit's priority */
} dl_unitdata_req_t;

/* DL_UNITDATA_IND: M_PROTO, then M_DATA */
typedef struct {
	ulong_t	dl_primitive;		/* DL_UNITDATA_IND */
	ulong_t	dl_dest_addr_length;	/* the destination DLSAP: length */
	ulong_t	dl_dest_addr_offset;	/* and offset */
	ulong_t	dl_src_addr_length;	/* the sender's DLSAP: length */
	ulong_t	dl_src_addr_offset;	/* and offset */
	ulong_t	dl_group_address;	/* non-zero: sent to a group address */
} dl_unitdata_ind_t;

/* DL_UDERROR_IND: M_PROTO */
typedef struct {
	ulong_t	dl_primitive;		/* DL_UDERROR_IND */
	ulong_t	dl_dest_addr_length;	/* the destination DLSAP: length */
	ulong_t	dl_dest_addr_offset;	/* and offset */
	ulong_t	dl_unix_errno;		/* with DL_SYSERR: the errno value */
	ulong_t	dl_errno;		/* DL_BADADDR ... */
} dl_uderror_ind_t;

/* DL_UDQOS_REQ: M_PROTO */
typedef struct {
	ulong_t	dl_primitive;		/* DL_UDQOS_REQ */
	ulong_t	dl_qos_length;		/* QOS: length */
	ulong_t	dl_qos_offset;		/* and offset */
} dl_udqos_req_t;

/* TEST and XID. */

/* DL_TEST_REQ: M_PROTO */
typedef struct {
	ulong_t	dl_primitive;		/* DL_TEST_REQ */
	ulong_t	dl_flag;		/* DL_POLL_FINAL or 0 */
	ulong_t	dl_dest_addr_length;	/* the destination DLSAP: length */
	ulong_t	dl_dest_addr_offset;	/* and offset */
} dl_test_req_t;

/* DL_TEST_IND: M_PROTO */
typedef struct {
	ulong_t	dl_primitive;		/* DL_TEST_IND */
	ulong_t	dl_flag;		/* DL_POLL_FINAL or 0 */
	ulong_t	dl_dest_addr_length;	/* the destination DLSAP: length */
	ulong_t	dl_dest_addr_offset;	/* and offset */
	ulong_t	dl_src_addr_length;	/* the source DLSAP: length */
	ulong_t	dl_src_addr_offset;	/* and offset */
} dl_test_ind_t;

/* DL_TEST_RES: M_PROTO */
typedef struct {
	ulong_t	dl_primitive;		/* DL_TEST_RES */
	ulong_t	dl_flag;		/* DL_POLL_FINAL or 0 */
	ulong_t	dl_dest_addr_length;	/* the destination DLSAP: length */
	ulong_t	dl_dest_addr_offset;	/* and offset */
} dl_test_res_t;

/* DL_TEST_CON: M_PROTO */
typedef struct {
	ulong_t	dl_primitive;		/* DL_TEST_CON */
	ulong_t	dl_flag;		/* DL_POLL_FINAL or 0 */
	ulong_t	dl_dest_addr_length;	/* the destination DLSAP: length */
	ulong_t	dl_dest_addr_offset;	/* and offset */
	ulong_t	dl_src_addr_length;	/* the source DLSAP: length */
	ulong_t	dl_src_addr_offset;	/* and offset */
} dl_test_con_t;

/* DL_XID_REQ: M_PROTO */
typedef struct {
	ulong_t	dl_primitive;		/* DL_XID_REQ */
	ulong_t	dl_flag;		/* DL_POLL_FINAL or 0 */
	ulong_t	dl_dest_addr_length;	/* the destination DLSAP: length */
	ulong_t	dl_dest_addr_offset;	/* and offset */
} dl_xid_req_t;

/* DL_XID_IND: M_PROTO */
typedef struct {
	ulong_t	dl_primitive;		/* DL_XID_IND */
	ulong_t	dl_flag;		/* DL_POLL_FINAL or 0 */
	ulong_t	dl_dest_addr_length;	/* the destination DLSAP: length */
	ulong_t	dl_dest_addr_offset;	/* and offset */
	ulong_t	dl_src_addr_length;	/* the source DLSAP: length */
	ulong_t	dl_src_addr_offset;	/* and offset */
} dl_xid_ind_t;

/* DL_XID_RES: M_PROTO */
typedef struct {
	ulong_t	dl_primitive;		/* DL_XID_RES */
	ulong_t	dl_flag;		/* DL_POLL_FINAL or 0 */
	ulong_t	dl_dest_addr_length;	/* the destination DLSAP: length */
	ulong_t	dl_dest_addr_offset;	/* and offset */
} dl_xid_res_t;

/* DL_XID_CON: M_PROTO */
typedef struct {
	ulong_t	dl_primitive;		/* DL_XID_CON */
	ulong_t	dl_flag;		/* DL_POLL_FINAL or 0 */
	ulong_t	dl_dest_addr_length;	/* the destination DLSAP: length */
	ulong_t	dl_dest_addr_offset;	/* and offset */
	ulong_t	dl_src_addr_length;	/* the source DLSAP: length */
	ulong_t	dl_src_addr_offset;	/* and offset */
} dl_xid_con_t;

/* Acknowledged connectionless mode. */

/* DL_DATA_ACK_REQ: M_PROTO */
typedef struct {
	ulong_t	dl_primitive;		/* DL_DATA_ACK_REQ */
	ulong_t	dl_correlation;		/* the user's token */
	ulong_t	dl_dest_addr_length;	/* the destination DLSAP: length */
	ulong_t	dl_dest_addr_offset;	/* and offset */
	ulong_t	dl_src_addr_length;	/* the source DLSAP: length */
	ulong_t	dl_src_addr_offset;	/* and offset */
	ulong_t	dl_priority;		/* the data unit's priority */
	ulong_t	dl_service_class;	/* DL_RQST_RSP or DL_RQST_NORSP */
} dl_data_ack_req_t;

/* DL_DATA_ACK_IND: M_PROTO */
typedef struct {
	ulong_t	dl_primitive;		/* DL_DATA_ACK_IND */
	ulong_t	dl_dest_addr_length;	/* the destination DLSAP: length */
	ulong_t	dl_dest_addr_offset;	/* and offset */
	ulong_t	dl_src_addr_length;	/* the source DLSAP: length */
	ulong_t	dl_src_addr_offset;	/* and offset */
	ulong_t	dl_priority;		/* the data unit's priority */
	ulong_t	dl_service_class;	/* DL_RQST_RSP or DL_RQST_NORSP */
} dl_data_ack_ind_t;

/* DL_DATA_ACK_STATUS_IND: M_PROTO */
typedef struct {
	ulong_t	dl_primitive;		/* DL_DATA_ACK_STATUS_IND */
	ulong_t	dl_correlation;		/* the user's token */
	ulong_t	dl_status;		/* DL_CMD_* | DL_RSP_* */
} dl_data_ack_status_ind_t;

/* DL_REPLY_REQ: M_PROTO */
typedef struct {
	ulong_t	dl_primitive;		/* DL_REPLY_REQ */
	ulong_t	dl_correlation;		/* the user's token */
	ulong_t	dl_dest_addr_length;	/* the destination DLSAP: length */
	ulong_t	dl_dest_addr_offset;	/* and offset */
	ulong_t	dl_src_addr_length;	/* the source DLSAP: length */
	ulong_t	dl_src_addr_offset;	/* and offset */
	ulong_t	dl_priority;		/* the data unit's priority */
	ulong_t	dl_service_class;	/* DL_RQST_RSP or DL_RQST_NORSP */
} dl_reply_req_t;

/* DL_REPLY_IND: M_PROTO */
typedef struct {
	ulong_t	dl_primitive;		/* DL_REPLY_IND */
	ulong_t	dl_dest_addr_length;	/* the destination DLSAP: length */
	ulong_t	dl_dest_addr_offset;	/* and offset */
	ulong_t	dl_src_addr_length;	/* the source DLSAP: length */
	ulong_t	dl_src_addr_offset;	/* and offset */
	ulong_t	dl_priority;		/* the data unit's priority */
	ulong_t	dl_service_class;	/* DL_RQST_RSP or DL_RQST_NORSP */
} dl_reply_ind_t;

/* DL_REPLY_STATUS_IND: M_PROTO */
typedef struct {
	ulong_t	dl_primitive;		/* DL_REPLY_STATUS_IND */
	ulong_t	dl_correlation;		/* the user's token */
	ulong_t	dl_status;		/* DL_CMD_* | DL_RSP_* */
} dl_reply_status_ind_t;

/* DL_REPLY_UPDATE_REQ: M_PROTO */
typedef struct {
	ulong_t	dl_primitive;		/* DL_REPLY_UPDATE_REQ */
	ulong_t	dl_correlation;		/* the user's token */
	ulong_t	dl_src_addr_length;	/* the source DLSAP: length */
	ulong_t	dl_src_addr_offset;	/* and offset */
} dl_reply_update_req_t;

/* DL_REPLY_UPDATE_STATUS_IND: M_PROTO */
typedef struct {
	ulong_t	dl_primitive;		/* DL_REPLY_UPDATE_STATUS_IND */
	ulong_t	dl_correlation;		/* the user's token */
	ulong_t	dl_status;		/* DL_CMD_* | DL_RSP_* */
} dl_reply_update_status_ind_t;

/* Every primitive, as a message's first block is read. */
union DL_primitives {
	ulong_t			dl_primitive;
	dl_info_req_t		info_req;
	dl_info_ack_t		info_ack;
	dl_attach_req_t		attach_req;
	dl_detach_req_t		detach_req;
	dl_bind_req_t		bind_req;
	dl_bind_ack_t		bind_ack;
	dl_subs_bind_req_t	subs_bind_req;
	dl_subs_bind_ack_t	subs_bind_ack;
	dl_unbind_req_t		unbind_req;
	dl_subs_unbind_req_t	subs_unbind_req;
	dl_ok_ack_t		ok_ack;
	dl_error_ack_t		error_ack;
	dl_enabmulti_req_t	enabmulti_req;
	dl_disabmulti_req_t	disabmulti_req;
	dl_promiscon_req_t	promiscon_req;
	dl_promiscoff_req_t	promiscoff_req;
	dl_phys_addr_req_t	physaddr_req;
	dl_phys_addr_ack_t	physaddr_ack;
	dl_set_phys_addr_req_t	set_physaddr_req;
	dl_get_statistics_req_t	get_statistics_req;
	dl_get_statistics_ack_t	get_statistics_ack;
	dl_connect_req_t	connect_req;
	dl_connect_ind_t	connect_ind;
	dl_connect_res_t	connect_res;
	dl_connect_con_t	connect_con;
	dl_token_req_t		token_req;
	dl_token_ack_t		token_ack;
	dl_disconnect_req_t	disconnect_req;
	dl_disconnect_ind_t	disconnect_ind;
	dl_reset_req_t		reset_req;
	dl_reset_ind_t		reset_ind;
	dl_reset_res_t		reset_res;
	dl_reset_con_t		reset_con;
	dl_unitdata_req_t	unitdata_req;
	dl_unitdata_ind_t	unitdata_ind;
	dl_uderror_ind_t	uderror_ind;
	dl_udqos_req_t		udqos_req;
	dl_test_req_t		test_req;
	dl_test_ind_t		test_ind;
	dl_test_res_t		test_res;
	dl_test_con_t		test_con;
	dl_xid_req_t		xid_req;
	dl_xid_ind_t		xid_ind;
	dl_xid_res_t		xid_res;
	dl_xid_con_t		xid_con;
	dl_data_ack_req_t	data_ack_req;
	dl_data_ack_ind_t	data_ack_ind;
	dl_data_ack_status_ind_t	data_ack_status_ind;
	dl_reply_req_t		reply_req;
	dl_reply_ind_t		reply_ind;
	dl_reply_status_ind_t	reply_status_ind;
	dl_reply_update_req_t	reply_update_req;
	dl_reply_update_status_ind_t	reply_update_status_ind;
};

/* Sizes of the fixed parts. */
#define DL_INFO_REQ_SIZE		sizeof(dl_info_req_t)
#define DL_INFO_ACK_SIZE		sizeof(dl_info_ack_t)
#define DL_ATTACH_REQ_SIZE		sizeof(dl_attach_req_t)
#define DL_DETACH_REQ_SIZE		sizeof(dl_detach_req_t)
#define DL_BIND_REQ_SIZE		sizeof(dl_bind_req_t)
#define DL_BIND_ACK_SIZE		sizeof(dl_bind_ack_t)
#define DL_SUBS_BIND_REQ_SIZE		sizeof(dl_subs_bind_req_t)
#define DL_SUBS_BIND_ACK_SIZE		sizeof(dl_subs_bind_ack_t)
#define DL_UNBIND_REQ_SIZE		sizeof(dl_unbind_req_t)
#define DL_SUBS_UNBIND_REQ_SIZE		sizeof(dl_subs_unbind_req_t)
#define DL_OK_ACK_SIZE			sizeof(dl_ok_ack_t)
#define DL_ERROR_ACK_SIZE		sizeof(dl_error_ack_t)
#define DL_ENABMULTI_REQ_SIZE		sizeof(dl_enabmulti_req_t)
#define DL_DISABMULTI_REQ_SIZE		sizeof(dl_disabmulti_req_t)
#define DL_PROMISCON_REQ_SIZE		sizeof(dl_promiscon_req_t)
#define DL_PROMISCOFF_REQ_SIZE		sizeof(dl_promiscoff_req_t)
#define DL_PHYS_ADDR_REQ_SIZE		sizeof(dl_phys_addr_req_t)
#define DL_PHYS_ADDR_ACK_SIZE		sizeof(dl_phys_addr_ack_t)
#define DL_SET_PHYS_ADDR_REQ_SIZE	sizeof(dl_set_phys_addr_req_t)
#define DL_GET_STATISTICS_REQ_SIZE	sizeof(dl_get_statistics_req_t)
#define DL_GET_STATISTICS_ACK_SIZE	sizeof(dl_get_statistics_ack_t)
#define DL_CONNECT_REQ_SIZE		sizeof(dl_connect_req_t)
#define DL_CONNECT_IND_SIZE		sizeof(dl_connect_ind_t)
#define DL_CONNECT_RES_SIZE		sizeof(dl_connect_res_t)
#define DL_CONNECT_CON_SIZE		sizeof(dl_connect_con_t)
#define DL_TOKEN_REQ_SIZE		sizeof(dl_token_req_t)
#define DL_TOKEN_ACK_SIZE		sizeof(dl_token_ack_t)
#define DL_DISCONNECT_REQ_SIZE		sizeof(dl_disconnect_req_t)
#define DL_DISCONNECT_IND_SIZE		sizeof(dl_disconnect_ind_t)
#define DL_RESET_REQ_SIZE		sizeof(dl_reset_req_t)
#define DL_RESET_IND_SIZE		sizeof(dl_reset_ind_t)
#define DL_RESET_RES_SIZE		sizeof(dl_reset_res_t)
#define DL_RESET_CON_SIZE		sizeof(dl_reset_con_t)
#define DL_UNITDATA_REQ_SIZE		sizeof(dl_unitdata_req_t)
#define DL_UNITDATA_IND_SIZE		sizeof(dl_unitdata_ind_t)
#define DL_UDERROR_IND_SIZE		sizeof(dl_uderror_ind_t)
#define DL_UDQOS_REQ_SIZE		sizeof(dl_udqos_req_t)
#define DL_TEST_REQ_SIZE		sizeof(dl_test_req_t)
#define DL_TEST_IND_SIZE		sizeof(dl_test_ind_t)
#define DL_TEST_RES_SIZE		sizeof(dl_test_res_t)
#define DL_TEST_CON_SIZE		sizeof(dl_test_con_t)
#define DL_XID_REQ_SIZE			sizeof(dl_xid_req_t)
#define DL_XID_IND_SIZE			sizeof(dl_xid_ind_t)
#define DL_XID_RES_SIZE			sizeof(dl_xid_res_t)
#define DL_XID_CON_SIZE			sizeof(dl_xid_con_t)
#define DL_DATA_ACK_REQ_SIZE		sizeof(dl_data_ack_req_t)
#define DL_DATA_ACK_IND_SIZE		sizeof(dl_data_ack_ind_t)
#define DL_DATA_ACK_STATUS_IND_SIZE	sizeof(dl_data_ack_status_ind_t)
#define DL_REPLY_REQ_SIZE		sizeof(dl_reply_req_t)
#define DL_REPLY_IND_SIZE		sizeof(dl_reply_ind_t)
#define DL_REPLY_STATUS_IND_SIZE	sizeof(dl_reply_status_ind_t)
#define DL_REPLY_UPDATE_REQ_SIZE	sizeof(dl_reply_update_req_t)
#define DL_REPLY_UPDATE_STATUS_IND_SIZE	sizeof(dl_reply_update_status_ind_t)

__DDI_END_DECLS

#endif /* DDICOMPAT_SYS_DLPI_H */
