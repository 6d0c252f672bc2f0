#!/usr/bin/env bash
# How much of a cold build's compiling could any build order or cache sharing
# save? Reads the -toolexec log of scripts/cold-test.sh and the package graphs
# of the three modules make test builds (the main module with its tests, the
# pinned tools, the Collector validator), and prints:
#   - observed: the compiler's processor seconds in the log;
#   - floor: each package compiled once per distinct version among the three
#     graphs (its first compile's cost), which no sharing can go below while
#     the modules pin different versions of it;
#   - one version: each package compiled once, as if all three graphs used
#     one version of every module.
# Recompiles above the floor are test variants, the fuzzing's instrumented
# build and the Alertmanager build's copy of its module.
#   scripts/compile-floor.sh TOOLEXEC_LOG     (from the repository root)
set -euo pipefail
log=${1:?usage: scripts/compile-floor.sh TOOLEXEC_LOG}
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
f='{{.ImportPath}} {{with .Module}}{{.Version}}{{else}}std{{end}}'
go list -deps -test -f "$f" ./... >"$tmp/main"
(cd tools && go list -tags remove_all_sd -deps -f "$f" github.com/prometheus/prometheus/cmd/prometheus \
	github.com/prometheus/prometheus/cmd/promtool github.com/prometheus/alertmanager/cmd/amtool \
	sigs.k8s.io/kustomize/kustomize/v5) >"$tmp/tools"
(cd tools/otelcol-check && go list -tags remove_all_sd,enable_kubernetes_sd -deps -test -f "$f" ./...) >"$tmp/validator"
# The number of distinct versions of each package path among the graphs.
sort -u "$tmp/main" "$tmp/tools" "$tmp/validator" | awk '{n[$1]++} END {for (p in n) print p "\t" n[p]}' | sort >"$tmp/versions"
# Each compiled package: its first compile's processor seconds and how often it was compiled.
awk -F'\t' '$1 == "compile" {k[$2]++; if (!($2 in s)) s[$2] = $4 + $5} END {for (p in s) print p "\t" s[p] "\t" k[p]}' "$log" | sort >"$tmp/compiled"
observed=$(awk -F'\t' '$1 == "compile" {s += $4 + $5} END {printf "%.0f", s}' "$log")
join -t$'\t' -a1 "$tmp/compiled" "$tmp/versions" | awk -F'\t' -v observed="$observed" '
	{v = ($4 == "" ? 1 : $4); floor += $2 * ($3 < v ? $3 : v); one += $2}
	END {
		printf "compile, processor seconds: observed %.0f; floor %.0f (%.1f min of 2 cores); one version of every module %.0f (%.1f min)\n", observed, floor, floor / 120, one, one / 120
	}'
