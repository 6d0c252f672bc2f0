#!/usr/bin/env bash
# Times `genops-stack check` against the external chain it replaces, on the
# same out/: promtool check rules over every rule file, amtool check-config
# over every alertmanager.yaml, and kustomize build of every overlay. Runs
# both RUNS times, interleaved, and prints each median and their ratio:
# check without the real-Collector validation (the chain has none) and,
# when bin/otelcol-check is built, with it.
#   scripts/check-vs-chain.sh [RUNS]     (default 7; run from the repository root after make generate)
set -euo pipefail
runs=${1:-7}
cd "$(dirname "$0")/.."
go build -o bin/genops-stack ./cmd/genops-stack
# The tools make builds: promtool with the Makefile's TOOLS_TAGS, the others
# as Go tools.
make --no-print-directory "$PWD/bin/promtool" >/dev/null
promtool=bin/promtool
amtool=$(go -C tools tool -n amtool)
kustomize=$(go -C tools tool -n kustomize)

ms() { local t0 t1; t0=$(date +%s%N); "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; exit 1; }; t1=$(date +%s%N); echo $(((t1 - t0) / 1000000)); }
chain() {
	"$promtool" check rules out/prometheus/rules/*.yaml
	for f in out/alertmanager/*/alertmanager.yaml; do "$amtool" check-config "$f"; done
	for d in out/kubernetes/overlays/*/; do "$kustomize" build "$d" >/dev/null; done
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

check_ms=() full_ms=() chain_ms=()
for _ in $(seq "$runs"); do
	check_ms+=("$(ms bin/genops-stack check --out out --otelcol-check=)")
	if [ -x bin/otelcol-check ]; then full_ms+=("$(ms bin/genops-stack check --out out --otelcol-check=bin/otelcol-check)"); fi
	chain_ms+=("$(ms chain)")
done
x=$(printf '%s\n' "${chain_ms[@]}" | median)
echo "external chain (promtool, amtool, kustomize): median ${x} ms (${chain_ms[*]})"
c=$(printf '%s\n' "${check_ms[@]}" | median)
echo "genops-stack check: median ${c} ms (${check_ms[*]}), $(awk -v c="$c" -v x="$x" 'BEGIN {printf "%.2f", c / x}')x the chain"
if [ ${#full_ms[@]} -gt 0 ]; then
	f=$(printf '%s\n' "${full_ms[@]}" | median)
	echo "genops-stack check with the real Collector components: median ${f} ms (${full_ms[*]}), $(awk -v c="$f" -v x="$x" 'BEGIN {printf "%.2f", c / x}')x the chain"
fi
