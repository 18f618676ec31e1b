/*
 * The published headers that define structures and constants rather than
 * calls: <sys/vtoc.h>'s structures have the i386 layout a disk label has
 * on disk, <sys/i8237A.h>'s port names reach the simulated 8237 where the
 * AT has them, <sys/file.h>'s flags are distinct bits, and
 * <sys/sysmacros.h>'s conversions compute what the original's did, and
 * <sys/dlpi.h>'s primitives have the DLPI 2 numbers and the i386 layout,
 * 32-bit members without padding.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <sys/types.h>
#include <sys/param.h>
#include <sys/sysmacros.h>
#include <sys/file.h>
#include <sys/dma.h>
#include <sys/i8237A.h>
#include <sys/vtoc.h>
#include <sys/dlpi.h>
#include <sys/ddi.h>

#include <ddicompat/ddisim.h>
#include <ddicompat/isadma.h>

#include "lib/testutil.h"

/* ---- sys/vtoc.h ---- */

START_TEST(vtoc_sizes)
{
	ck_assert_uint_eq(sizeof(struct partition), 12);
	ck_assert_uint_eq(sizeof(struct xpartition), 16);
	ck_assert_uint_eq(sizeof(struct vtoc), 316);
	ck_assert_uint_eq(sizeof(struct pdinfo), 156);
	ck_assert_uint_eq(sizeof(struct vtoc_ext_hdr), 24);
	ck_assert_uint_eq(sizeof(struct vtoc_ext_trailer), 8);
	ck_assert_uint_eq(VE_SLICES_PER_SECT, 42);
	ck_assert_uint_eq(sizeof(struct vtoc_ext_sect), 512);
	ck_assert_uint_eq(V_NUMSLICES, 184);
	ck_assert_uint_eq(VE_NSECTS(43), 2);
	ck_assert_uint_eq(sizeof(struct disk_parms), 24);
	ck_assert_uint_eq(sizeof(struct disk_xparms), 64);
	ck_assert_uint_eq(sizeof(struct phyio), 16);
	ck_assert_uint_eq(sizeof(union vfy_io), 8);
	/* sector 29 holds the pdinfo, the vtoc and the extension header */
	ck_assert_uint_le(sizeof(struct pdinfo) + sizeof(struct vtoc) +
	    sizeof(struct vtoc_ext_hdr), VTOC_SMALLEST_SECTOR);
}
END_TEST

START_TEST(vtoc_offsets)
{
	ck_assert_uint_eq(offsetof(struct partition, p_flag), 2);
	ck_assert_uint_eq(offsetof(struct partition, p_start), 4);
	ck_assert_uint_eq(offsetof(struct partition, p_size), 8);
	ck_assert_uint_eq(offsetof(struct xpartition, p_type), 12);
	ck_assert_uint_eq(offsetof(struct vtoc, v_version), 4);
	ck_assert_uint_eq(offsetof(struct vtoc, v_volume), 8);
	ck_assert_uint_eq(offsetof(struct vtoc, v_nparts), 16);
	ck_assert_uint_eq(offsetof(struct vtoc, v_reserved), 20);
	ck_assert_uint_eq(offsetof(struct vtoc, v_part), 60);
	ck_assert_uint_eq(offsetof(struct vtoc, timestamp), 252);
	ck_assert_uint_eq(offsetof(struct pdinfo, serial), 12);
	ck_assert_uint_eq(offsetof(struct pdinfo, cyls), 24);
	ck_assert_uint_eq(offsetof(struct pdinfo, relnext), 80);
	ck_assert_uint_eq(offsetof(struct pdinfo, vtoc_ptr), 84);
	ck_assert_uint_eq(offsetof(struct pdinfo, vtoc_len), 88);
	ck_assert_uint_eq(offsetof(struct pdinfo, alt_ptr), 92);
	ck_assert_uint_eq(offsetof(struct pdinfo, alt_len), 96);
	ck_assert_uint_eq(offsetof(struct pdinfo, pcyls), 100);
	ck_assert_uint_eq(offsetof(struct pdinfo, interleave), 120);
	ck_assert_uint_eq(offsetof(struct pdinfo, pad), 124);
	ck_assert_uint_eq(offsetof(struct vtoc_ext_hdr, ve_firstsect), 8);
	ck_assert_uint_eq(offsetof(struct vtoc_ext_sect, ve_trailer), 504);
	ck_assert_uint_eq(offsetof(struct disk_parms, dp_cyls), 4);
	ck_assert_uint_eq(offsetof(struct disk_parms, dp_secsiz), 10);
	ck_assert_uint_eq(offsetof(struct disk_parms, dp_psense), 16);
	ck_assert_uint_eq(offsetof(struct disk_parms, dp_pnumsec), 20);
	ck_assert_uint_eq(offsetof(struct disk_xparms, dpx_heads), 4);
	ck_assert_uint_eq(offsetof(struct disk_xparms, dpx_psense), 24);
	ck_assert_uint_eq(offsetof(struct disk_xparms, dpx_pnumsec), 60);
}
END_TEST

/* A label written field by field reads back through the on-disk bytes. */
START_TEST(vtoc_on_disk_bytes)
{
	unsigned char sector[512] = { 0 };
	struct pdinfo pd = { 0 };
	struct vtoc v = { 0 };
	struct vtoc back;

	pd.sanity = VALID_PD;
	pd.version = XPDVERS - 1;
	pd.relnext = 3;
	ck_assert_uint_eq(PDINFO_SIZE(&pd), 156 - 56);
	ck_assert_uint_eq(getinterleave(&pd), 3);
	ck_assert_uint_eq(getpcyls(&pd), 0);
	pd.version = XPDVERS;
	(void)setpcyls(&pd, 1024);
	ck_assert_uint_eq(getpcyls(&pd), 1024);
	ck_assert_uint_eq(PDINFO_SIZE(&pd), 156);

	v.v_sanity = VTOC_SANE;
	v.v_version = V_VERSION;
	v.v_nparts = 2;
	v.v_part[1].p_tag = V_ROOT;
	v.v_part[1].p_flag = V_VALID | V_REMAP;
	v.v_part[1].p_start = 0x1000;
	v.v_part[1].p_size = 0x20000;
	memcpy(sector + sizeof(pd), &v, sizeof(v));
	/* little-endian i386 words where the original had them */
	ck_assert_uint_eq(sector[156], 0xEE);
	ck_assert_uint_eq(sector[159], 0x60);
	ck_assert_uint_eq(sector[156 + 60 + 12], V_ROOT);
	ck_assert_uint_eq(sector[156 + 60 + 12 + 3], 0x02);	/* V_VALID */
	ck_assert_uint_eq(sector[156 + 60 + 12 + 5], 0x10);	/* p_start */
	ck_assert_uint_eq(sector[156 + 60 + 12 + 10], 0x02);	/* p_size */
	memcpy(&back, sector + sizeof(pd), sizeof(back));
	ck_assert_int_eq(back.v_part[1].p_size, 0x20000);
	ck_assert_uint_eq(V_VERSION, 5);
	ck_assert_uint_eq(V_WRITE_VTOC, ('V' << 8) | 24);
}
END_TEST

/* ---- sys/i8237A.h ---- */

/* The table of every channel's registers matches the AT's ports. */
START_TEST(i8237A_table)
{
	static const struct d37A_chan_reg_addr r[D37A_MAX_CHAN] = {
		D37A_BASE_REGS_VALUES
	};
	static const unsigned char page[8] = { 0x87, 0x83, 0x81, 0x82, 0x00,
		0x8b, 0x89, 0x8a };
	int c;

	for (c = 0; c < D37A_MAX_CHAN; c++) {
		int chip2 = c >= 4;
		int base = chip2 ? 0xc0 : 0;
		int step = chip2 ? 2 : 1;

		ck_assert_uint_eq(r[c].addr_reg, base + step * 2 * (c & 3));
		ck_assert_uint_eq(r[c].cnt_reg,
		    base + step * (2 * (c & 3) + 1));
		ck_assert_uint_eq(r[c].page_reg, page[c]);
		ck_assert_uint_eq(r[c].ff_reg, base + step * 12);
		ck_assert_uint_eq(r[c].cmd_reg, base + step * 8);
		ck_assert_uint_eq(r[c].stat_reg, base + step * 8);
		ck_assert_uint_eq(r[c].reqt_reg, base + step * 9);
		ck_assert_uint_eq(r[c].mask_reg, base + step * 10);
		ck_assert_uint_eq(r[c].mode_reg, base + step * 11);
	}
	ck_assert_uint_eq(DMA2WAMRB, 0xc0 + 2 * 15);
	ck_assert_uint_eq(DMA_Rdmode | DMA_CH2, 0x46);
}
END_TEST

/* A driver that programs channel 1 by hand, as the old tape drivers did. */
START_TEST(i8237A_ports_reach_the_chip)
{
	struct dma_stat st;
	uint16_t a;

	MACHINE_UP(NULL);
	ck_assert_int_eq(ddisim_isadma_attach(), 0);
	outb(DMA1WSMR, DMA_SETMSK | DMA_CH1);
	outb(DMA1CBPFF, 0);
	outb(DMA1WMR, DMA_Rdmode | DMA_CH1);
	outb(DMA1BCA1, 0x78);
	outb(DMA1BCA1, 0x56);
	outb(DMACH1PG, 0x04);
	outb(DMA1BCWC1, 0xff);
	outb(DMA1BCWC1, 0x01);
	outb(CTL1_CLFF, 0);
	a = inb(DMA_1ADR);
	a = (uint16_t)(a | inb(DMA_1ADR) << 8);
	ck_assert_uint_eq(a, 0x5678);
	ck_assert_uint_eq(inb(DMA_1XADR), 0x04);
	dma_get_chan_stat(&st, DMA_CH1);
	ck_assert_uint_eq(st.targaddr, 0x45678);
	ck_assert_uint_eq(st.count, 0x01ff);
	/* the mask bit is set, then cleared through the all-mask register */
	ck_assert_uint_eq(inb(DMA1WAMRB) & 0x02, 0x02);
	outb(DMA1CMR, 0);
	ck_assert_uint_eq(inb(CTL1_ALLMASK) & 0x0f, 0);
	MACHINE_DOWN();
}
END_TEST

/* ---- sys/file.h and sys/sysmacros.h ---- */

START_TEST(file_flags_are_distinct)
{
	static const long f[] = { FREAD, FWRITE, FNDELAY, FAPPEND, FSYNC,
		FASYNC, FCREAT, FTRUNC, FEXCL, FNOCTTY };
	size_t i, j;

	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		ck_assert_int_ne(f[i], 0);
		ck_assert_int_eq(f[i] & FOPEN, f[i]);
		for (j = 0; j < i; j++)
			ck_assert_int_eq(f[i] & f[j], 0);
	}
	ck_assert_int_eq(FREAD, 1);
	ck_assert_int_eq(FWRITE, 2);
	ck_assert_int_eq(FNONBLOCK, FNDELAY);
	ck_assert_int_eq(FMASK & FEXCL, 0);
	ck_assert_int_eq(FMASK & FNDELAY, FNDELAY);
}
END_TEST

START_TEST(sysmacros_conversions)
{
	ck_assert_int_eq(dtob(3), 1536);
	ck_assert_int_eq(btod(512), 1);
	ck_assert_int_eq(btod(513), 2);
	ck_assert_int_eq(btodt(1023), 1);
	ck_assert_int_eq(NDPP, 8);
	ck_assert_int_eq(ptod(2), 16);
	ck_assert_int_eq(dtop(9), 2);
	ck_assert_int_eq(dtopt(15), 1);
	ck_assert_int_eq(MIN(3, -1), -1);
	ck_assert_int_eq(MAX(3, -1), 3);
	ck_assert_int_eq(howmany(10, 4), 3);
	ck_assert_int_eq(roundup(10, 4), 12);
}
END_TEST

/* ---- sys/dlpi.h ---- */

START_TEST(dlpi_layouts)
{
	ck_assert_uint_eq(DL_INFO_REQ_SIZE, 4);
	ck_assert_uint_eq(DL_INFO_ACK_SIZE, 76);
	ck_assert_uint_eq(offsetof(dl_info_ack_t, dl_current_state), 24);
	ck_assert_uint_eq(offsetof(dl_info_ack_t, dl_sap_length), 28);
	ck_assert_uint_eq(offsetof(dl_info_ack_t, dl_provider_style), 52);
	ck_assert_uint_eq(offsetof(dl_info_ack_t, dl_version), 60);
	ck_assert_uint_eq(offsetof(dl_info_ack_t, dl_growth), 72);
	ck_assert_uint_eq(DL_ATTACH_REQ_SIZE, 8);
	ck_assert_uint_eq(DL_BIND_REQ_SIZE, 20);
	ck_assert_uint_eq(offsetof(dl_bind_req_t, dl_service_mode), 12);
	ck_assert_uint_eq(offsetof(dl_bind_req_t, dl_conn_mgmt), 14);
	ck_assert_uint_eq(offsetof(dl_bind_req_t, dl_xidtest_flg), 16);
	ck_assert_uint_eq(DL_BIND_ACK_SIZE, 24);
	ck_assert_uint_eq(DL_SUBS_BIND_REQ_SIZE, 16);
	ck_assert_uint_eq(DL_OK_ACK_SIZE, 8);
	ck_assert_uint_eq(DL_ERROR_ACK_SIZE, 16);
	ck_assert_uint_eq(offsetof(dl_error_ack_t, dl_unix_errno), 12);
	ck_assert_uint_eq(DL_UNITDATA_REQ_SIZE, 20);
	ck_assert_uint_eq(offsetof(dl_unitdata_req_t, dl_priority), 12);
	ck_assert_uint_eq(DL_UNITDATA_IND_SIZE, 24);
	ck_assert_uint_eq(DL_UDERROR_IND_SIZE, 20);
	ck_assert_uint_eq(offsetof(dl_uderror_ind_t, dl_errno), 16);
	ck_assert_uint_eq(DL_PHYS_ADDR_REQ_SIZE, 8);
	ck_assert_uint_eq(DL_PHYS_ADDR_ACK_SIZE, 12);
	ck_assert_uint_eq(DL_ENABMULTI_REQ_SIZE, 12);
	ck_assert_uint_eq(DL_PROMISCON_REQ_SIZE, 8);
	ck_assert_uint_eq(DL_GET_STATISTICS_ACK_SIZE, 12);
	ck_assert_uint_eq(DL_CONNECT_IND_SIZE, 36);
	ck_assert_uint_eq(DL_DISCONNECT_IND_SIZE, 16);
	ck_assert_uint_eq(DL_TEST_IND_SIZE, 24);
	ck_assert_uint_eq(DL_XID_REQ_SIZE, 16);
	ck_assert_uint_eq(DL_DATA_ACK_REQ_SIZE, 32);
	ck_assert_uint_eq(sizeof(dl_qos_co_range1_t), 64);
	ck_assert_uint_eq(sizeof(dl_qos_cl_sel1_t), 20);
	ck_assert_uint_eq(sizeof(union DL_primitives), DL_INFO_ACK_SIZE);
}
END_TEST

/* Every primitive has a number of its own, the specification's. */
START_TEST(dlpi_numbers)
{
	static const unsigned long prim[] = {
		DL_INFO_REQ, DL_BIND_REQ, DL_UNBIND_REQ, DL_INFO_ACK,
		DL_BIND_ACK, DL_ERROR_ACK, DL_OK_ACK, DL_UNITDATA_REQ,
		DL_UNITDATA_IND, DL_UDERROR_IND, DL_UDQOS_REQ, DL_ATTACH_REQ,
		DL_DETACH_REQ, DL_CONNECT_REQ, DL_CONNECT_IND, DL_CONNECT_RES,
		DL_CONNECT_CON, DL_TOKEN_REQ, DL_TOKEN_ACK, DL_DISCONNECT_REQ,
		DL_DISCONNECT_IND, DL_SUBS_UNBIND_REQ, DL_RESET_REQ,
		DL_RESET_IND, DL_RESET_RES, DL_RESET_CON, DL_SUBS_BIND_REQ,
		DL_SUBS_BIND_ACK, DL_ENABMULTI_REQ, DL_DISABMULTI_REQ,
		DL_PROMISCON_REQ, DL_PROMISCOFF_REQ, DL_DATA_ACK_REQ,
		DL_DATA_ACK_IND, DL_DATA_ACK_STATUS_IND, DL_REPLY_REQ,
		DL_REPLY_IND, DL_REPLY_STATUS_IND, DL_REPLY_UPDATE_REQ,
		DL_REPLY_UPDATE_STATUS_IND, DL_XID_REQ, DL_XID_IND, DL_XID_RES,
		DL_XID_CON, DL_TEST_REQ, DL_TEST_IND, DL_TEST_RES, DL_TEST_CON,
		DL_PHYS_ADDR_REQ, DL_PHYS_ADDR_ACK, DL_SET_PHYS_ADDR_REQ,
		DL_GET_STATISTICS_REQ, DL_GET_STATISTICS_ACK
	};
	size_t n = sizeof(prim) / sizeof(prim[0]), i, j;

	/* 0x00 to 0x35 but 0x16: the specification leaves it unused. */
	ck_assert_uint_eq(n, 0x36 - 1);
	for (i = 0; i < n; i++) {
		ck_assert_uint_le(prim[i], DL_GET_STATISTICS_ACK);
		ck_assert_uint_ne(prim[i], 0x16);
		for (j = 0; j < i; j++)
			ck_assert_uint_ne(prim[i], prim[j]);
	}
	ck_assert_uint_eq(DL_VERSION_2, 2);
	ck_assert_uint_eq(DL_UNBOUND, 0);
	ck_assert_uint_eq(DL_IDLE, 3);
	ck_assert_uint_eq(DL_UNATTACHED, 4);
	ck_assert_uint_eq(DL_SUBS_UNBIND_PND, 0x15);
	ck_assert_uint_eq(DL_OUTSTATE, 3);
	ck_assert_uint_eq(DL_BADPRIM, 9);
	ck_assert_uint_eq(DL_NOTSUPPORTED, 0x12);
	ck_assert_uint_eq(DL_PENDING, 0x1b);
	ck_assert_uint_eq(DL_CSMACD, 0);
	ck_assert_uint_eq(DL_ETHER, 4);
	ck_assert_uint_eq(DL_100BT, 0x19);
	ck_assert_uint_eq(DL_CLDLS, 2);
	ck_assert_uint_eq(DL_STYLE1, 0x500);
	ck_assert_uint_eq(DL_STYLE2, 0x501);
	ck_assert_uint_eq(DL_PROMISC_MULTI, 3);
	ck_assert_uint_eq(DL_CURR_PHYS_ADDR, 2);
	ck_assert_int_eq(DL_UNKNOWN, -1);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("drvhdr");
	TCase *tc;

	tc = tcase_new("core");
	tcase_add_test(tc, vtoc_sizes);
	tcase_add_test(tc, vtoc_offsets);
	tcase_add_test(tc, vtoc_on_disk_bytes);
	tcase_add_test(tc, i8237A_table);
	tcase_add_test(tc, i8237A_ports_reach_the_chip);
	tcase_add_test(tc, file_flags_are_distinct);
	tcase_add_test(tc, sysmacros_conversions);
	tcase_add_test(tc, dlpi_layouts);
	tcase_add_test(tc, dlpi_numbers);
	suite_add_tcase(s, tc);
	return run_suite(s) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
