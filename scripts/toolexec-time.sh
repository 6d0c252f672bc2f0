#!/usr/bin/env bash
# go build -toolexec wrapper: runs the tool (compile, link, asm, vet...) and,
# when TOOLEXEC_LOG is set, appends one line to it: the tool, the package (or
# output file) it works on, wall, user and system seconds. scripts/cold-test.sh
# sums them per tool and per module.
#   GOFLAGS=-toolexec=$PWD/scripts/toolexec-time.sh TOOLEXEC_LOG=/tmp/log go build ...
tool=${1##*/}
what= prev=
for a in "$@"; do
	case $prev in
	-p) what=$a ;;
	-o) [ -z "$what" ] && what=$a ;;
	esac
	prev=$a
done
case " $* " in *" -V=full "*) exec "$@" ;; esac # the version query that keys the cache
[ -n "${TOOLEXEC_LOG:-}" ] || exec "$@"
exec /usr/bin/time -q -a -o "$TOOLEXEC_LOG" -f "$tool	$what	%e	%U	%S" "$@"
