#!/bin/sh
# Print "SECTION NAME" for every section 9 page and MAN_LINKS name, with
# the UnixWare section (D2..D5) man/dsections gives it.
#	sh man/dlinks.sh man/dsections PAGE.9:NAME.9 ...
# Fails on a page the file does not classify, or an override naming
# something that is not one of its page's names.
set -e
dsections=$1
shift
status=0
while read -r page sec overrides; do
	case $page in ''|'#'*) continue ;; esac
	names=${page%.9}
	for l in "$@"; do
		case $l in
		"$page":*) dst=${l#*:}; names="$names ${dst%.9}" ;;
		esac
	done
	for o in $overrides; do
		case " $names " in
		*" ${o%%=*} "*) ;;
		*) echo "$dsections: $page: ${o%%=*} is none of its names" >&2
		   status=1 ;;
		esac
	done
	for n in $names; do
		s=$sec
		for o in $overrides; do
			[ "${o%%=*}" = "$n" ] && s=${o#*=}
		done
		case $s in
		D[2-5]) ;;
		*) echo "$dsections: $page: $n: section $s is not D2..D5" >&2
		   status=1 ;;
		esac
		echo "$s $n"
	done
done < "$dsections"
exit $status
