/*
 * ddicompat/version.h - which DDI or ODDI interface a translation unit uses.
 *
 * A driver selects its interface on the command line, as the UnixWare
 * Master file's "$interface" line did:
 *
 *	-D_DDI=N		DDI N, N in 1..8 (default: 8)
 *	-D_DDI=7 -D_DDI_MINOR=1	DDI 7.1 (likewise 7.2)
 *	-D_DDI_MP		the "mp" level of the chosen DDI (5mp...8mp)
 *	-D_DDI_STRICT		the "strict" level of DDI 5 or 6 (5-strict,
 *				6-strict): without the interfaces the DDI
 *				had deprecated
 *	-D_ODDI=N		ODDI N, N in 1..6 (_ODDI_MP for 6mp)
 *
 * The headers derive __DDICOMPAT_LEVEL: ten times the DDI version plus the
 * minor (10, 20, ..., 70, 71, 72, 80), or 0 for ODDI, with __DDICOMPAT_ODDI
 * set to the ODDI version.  __DDI_MP is 1 at an mp level, __DDI_STRICT at a
 * strict one, 0 otherwise.  Entry points whose behaviour depends on the
 * version are redirected to versioned library symbols with __DDI_ENTRY, so
 * drivers built for different versions share one process.
 */
#ifndef DDICOMPAT_VERSION_H
#define DDICOMPAT_VERSION_H

#if defined(_DDI) && defined(_ODDI)
#error "ddicompat: define _DDI or _ODDI, not both"
#endif

#if defined(_ODDI)
#if _ODDI < 1 || _ODDI > 6
#error "ddicompat: _ODDI must be 1..6"
#endif
#define __DDICOMPAT_ODDI	_ODDI
#define __DDICOMPAT_LEVEL	0
#else
#ifndef _DDI
#define _DDI	8
#endif
#if _DDI < 1 || _DDI > 8
#error "ddicompat: _DDI must be 1..8 (use _DDI_MINOR for 7.1 and 7.2)"
#endif
#ifdef _DDI_MINOR
#if _DDI != 7 || (_DDI_MINOR != 1 && _DDI_MINOR != 2)
#error "ddicompat: _DDI_MINOR is 1 or 2, and only with _DDI=7"
#endif
#define __DDICOMPAT_LEVEL	(_DDI * 10 + _DDI_MINOR)
#else
#define __DDICOMPAT_LEVEL	(_DDI * 10)
#endif
#define __DDICOMPAT_ODDI	0
#endif

/* The mp and strict levels. */
#if defined(_DDI_STRICT)
#if defined(_ODDI) || (_DDI != 5 && _DDI != 6)
#error "ddicompat: _DDI_STRICT is for _DDI=5 or _DDI=6 only"
#endif
#if defined(_DDI_MP)
#error "ddicompat: _DDI_STRICT and _DDI_MP select different levels"
#endif
#define __DDI_STRICT		1
#else
#define __DDI_STRICT		0
#endif
#if defined(_DDI_MP) && !defined(_ODDI)
#define __DDI_MP		1
#else
#define __DDI_MP		0
#endif

/* Interface family tests used by the legacy headers. */
#define __DDI_ODDI		(__DDICOMPAT_ODDI != 0)
#define __DDI_AT_LEAST(l)	(!__DDI_ODDI && __DDICOMPAT_LEVEL >= (l))
#define __DDI_AT_MOST(l)	(!__DDI_ODDI && __DDICOMPAT_LEVEL <= (l))
#define __DDI_BETWEEN(a, b)	(__DDI_AT_LEAST(a) && __DDI_AT_MOST(b))

/* Bind a declaration to a versioned library symbol. */
#define __DDI_ENTRY(sym)	__asm__(#sym)

#ifdef __cplusplus
#define __DDI_BEGIN_DECLS	extern "C" {
#define __DDI_END_DECLS		}
#else
#define __DDI_BEGIN_DECLS
#define __DDI_END_DECLS
#endif

#endif /* DDICOMPAT_VERSION_H */
