#!/usr/bin/env bash
# Times the README's two commands on a fresh clone with an empty build cache:
# `make generate`, then `make test` (the end-to-end test included). The clone
# is of this repository's HEAD, the build cache a new empty directory, the
# modules those of the existing module cache (`go mod download` fetches what
# it lacks first, untimed). It needs tens of minutes of both cores: run it on
# an otherwise idle machine.
#
# It prints each command's wall and processor time, and the processor time of
# the compiler, linker and vet per module and per binary, from a -toolexec
# wrapper (scripts/toolexec-time.sh, which adds a few milliseconds per tool
# run), the wall time of every make recipe line (scripts/timed-sh), and how
# far compiling could shrink with any order or sharing (scripts/compile-floor.sh).
#   scripts/cold-test.sh [DIR]     (DIR: where to clone; default a new temp dir, kept)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-$(mktemp -d)}
mkdir -p "$work"
rm -rf "$work/genops-stack"
git clone -q "$repo" "$work/genops-stack"
cd "$work/genops-stack"
export GOCACHE=$work/gocache GENOPS_SRC_CACHE=$work/src
rm -rf "$GOCACHE" "$GENOPS_SRC_CACHE"
go mod download && (cd tools && go mod download) && (cd tools/otelcol-check && go mod download)
export GOFLAGS="-toolexec=$PWD/scripts/toolexec-time.sh" TOOLEXEC_LOG=$work/toolexec.log MAKE_STEP_LOG=$work/steps.log
rm -f "$TOOLEXEC_LOG" "$MAKE_STEP_LOG"
echo "$(uptime)" > "$work/load.log"
( while sleep 30; do cut -d' ' -f1-3 /proc/loadavg; done >> "$work/load.log" ) &
loadpid=$!
trap 'kill $loadpid 2>/dev/null' EXIT
for cmd in generate test; do
	start=$(date +%s)
	/usr/bin/time -o "$work/time.$cmd" -f '%e %U %S %M' make "$cmd" SHELL="$PWD/scripts/timed-sh" > "$work/make.$cmd.log" 2>&1 || {
		echo "make $cmd failed: $work/make.$cmd.log" >&2
		tail -30 "$work/make.$cmd.log" >&2
		exit 1
	}
	read -r wall user sys rss < "$work/time.$cmd"
	printf 'make %-8s %6.0f s wall (%d min %02d s), %6.0f s of processor time, peak RSS of one process %d MB\n' \
		"$cmd" "$wall" "$((${wall%.*} / 60))" "$((${wall%.*} % 60))" "$(echo "$user + $sys" | bc)" "$((rss / 1024))"
done
echo
# The tables read all of their input (sed -n, not head): under pipefail a
# sort killed by head's early exit would end the script.
echo "processor seconds by tool:"
awk -F'\t' '{cpu[$1] += $4 + $5; n[$1]++} END {for (t in cpu) printf "  %-8s %7.0f s  (%d runs)\n", t, cpu[t], n[t]}' "$TOOLEXEC_LOG" | sort -k2 -rn
echo "compile processor seconds by module (first path elements):"
awk -F'\t' '$1 == "compile" {
	p = $2; n = split(p, e, "/")
	if (p !~ /\./) m = "standard library"
	else if (p ~ /^github.com\/koshihq\/genops-stack/) m = "genops-stack"
	else if (e[1] ~ /^(github.com|gitlab.com|go.opentelemetry.io|sigs.k8s.io|cloud.google.com)$/ && n >= 3) m = e[1] "/" e[2] "/" e[3]
	else m = e[1] "/" e[2]
	cpu[m] += $4 + $5
} END {for (m in cpu) printf "  %7.0f s  %s\n", cpu[m], m}' "$TOOLEXEC_LOG" | sort -rn | sed -n 1,25p
echo "links (processor seconds, in order):"
awk -F'\t' '$1 == "link" {printf "  %6.1f s  wall %6.1f s\n", $4 + $5, $3}' "$TOOLEXEC_LOG" | sort -rn | sed -n 1,12p
echo "make recipe lines (wall, start relative to make test):"
awk -F'\t' 'NR == 1 {t0 = $1} {printf "  +%6.0f s  %6.0f s  rc %s  %s\n", $1 - t0, $2 - $1, $3, $4}' "$MAKE_STEP_LOG" | sort -k3 -rn | sed -n 1,25p
scripts/compile-floor.sh "$TOOLEXEC_LOG"
echo "load averages during the run: $work/load.log; logs: $work"
