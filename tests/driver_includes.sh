#!/bin/sh
# A driver source file that includes only published <sys/...> headers, in
# the order real UnixWare and OpenServer drivers include them (the types
# first, <sys/ddi.h> and <sys/ddi_i386at.h> last), compiles at every
# interface version with nothing but the include directories that
# "pkg-config --cflags ddicompat" names: here -I compat -I include.  The
# file uses the names drivers take from those headers: open flags, error
# numbers, signals, sector and page conversions, the vtoc, the 8237's
# ports.
#
# Each version is compiled in C89, C99 and C17 with -pedantic and in the
# compiler's default dialect, with -Wall -Wextra -Werror, by $CC and by
# the other of GCC and Clang when it is installed.  Headers that are not
# in the tree yet are left out of the list, so that the test names every
# header the tree has.
: "${srcdir:=.}" "${CC:=cc}"
inc="-I$srcdir/compat -I$srcdir/include"
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

# The order of a driver's includes.
order="sys/types.h sys/param.h sys/sysmacros.h sys/errno.h sys/signal.h
    sys/file.h sys/fcntl.h sys/cred.h sys/uio.h sys/buf.h sys/conf.h sys/kmem.h
    sys/cmn_err.h sys/debug.h sys/open.h sys/mkdev.h sys/map.h sys/immu.h
    sys/user.h sys/systm.h sys/inline.h sys/poll.h sys/stream.h sys/stropts.h
    sys/strlog.h sys/ksynch.h sys/ipl.h sys/dma.h sys/i8237A.h sys/vtoc.h
    sys/scgth.h sys/confmgr.h sys/cm_i386at.h sys/resmgr.h sys/moddefs.h
    sys/uadmin.h sys/iobitmap.h sys/dlpi.h net/if.h vm/page.h sys/f_ddi.h sys/ddi.h
    sys/ddi_i386at.h"

# Every header of ours must be in the order: a new one is added to it.
status=0
for h in "$srcdir"/compat/sys/*.h "$srcdir"/compat/vm/*.h \
    "$srcdir"/compat/net/*.h; do
	n=${h#"$srcdir"/compat/}
	case " $(echo $order) " in
	*" $n "*) ;;
	*)	echo "FAIL: $n is not in tests/driver_includes.sh's order"
		status=1 ;;
	esac
done

{
	for h in $order; do
		# The system's own <sys/errno.h> and <sys/signal.h> serve.
		if [ -f "$srcdir/compat/$h" ] || [ "$h" = sys/errno.h ] ||
		    [ "$h" = sys/signal.h ]; then
			printf '#include <%s>\n' "$h"
		fi
	done
	cat <<'EOF'

int xx_open_check(int, struct vtoc *, const struct pdinfo *);

/* What an open routine and a disk driver's label code do. */
int
xx_open_check(int oflag, struct vtoc *vp, const struct pdinfo *pdp)
{
	static const struct d37A_chan_reg_addr regs[D37A_MAX_CHAN] = {
		D37A_BASE_REGS_VALUES
	};
	struct partition *pp = &vp->v_part[0];

	if (oflag & (FNDELAY | FNONBLOCK))
		return EAGAIN;
	if ((oflag & FWRITE) && !(oflag & FREAD))
		return EACCES;
	if (oflag & (FEXCL | FAPPEND | FSYNC))
		return EBUSY;
	if (vp->v_sanity != VTOC_SANE || pdp->sanity != VALID_PD)
		return EINVAL;
	if (vp->v_nparts > V_NUMPAR || (pp->p_flag & V_VALID) == 0)
		return ENXIO;
	if (pp->p_tag == V_BACKUP && (pp->p_flag & V_RONLY))
		return EROFS;
	return (int)(btod(pp->p_size) + dtop(NDPP) + MIN(SIGHUP, SIGPOLL) +
	    regs[DMA_CH2].page_reg + DMA1WMR + OTYP_CHR + getpcyls(pdp));
}
EOF
} > "$tmp/driver.c"

versions="-D_DDI=1 -D_DDI=4 -D_DDI=5 -D_DDI=5:-D_DDI_MP
    -D_DDI=5:-D_DDI_STRICT -D_DDI=6 -D_DDI=6:-D_DDI_STRICT -D_DDI=7
    -D_DDI=7:-D_DDI_MINOR=1 -D_DDI=7:-D_DDI_MINOR=2 -D_DDI=8
    -D_DDI=8:-D_DDI_MP -D_ODDI=1 -D_ODDI=5 -D_ODDI=6"

compilers=$CC
if $CC -dM -E -x c /dev/null 2>/dev/null | grep -q '__clang__'; then
	other=gcc
else
	other=clang
fi
command -v $other >/dev/null 2>&1 && compilers="$compilers $other"

n=0
for cc in $compilers; do
	for mode in "-std=c89 -pedantic" "-std=c99 -pedantic" \
	    "-std=c17 -pedantic" ""; do
		for v in $versions; do
			flags=$(echo "$v" | tr : ' ')
			n=$((n + 1))
			# shellcheck disable=SC2086
			if ! $cc $inc $flags $mode -Wall -Wextra -Werror \
			    -fsyntax-only "$tmp/driver.c" > "$tmp/log" 2>&1
			then
				cat "$tmp/log"
				echo "FAIL: $cc $flags ${mode:-(default mode)}"
				status=1
			fi
		done
	done
done
echo "driver includes: $n compilations"
exit $status
