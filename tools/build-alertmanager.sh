#!/bin/sh
# build-alertmanager.sh OUT: build the Alertmanager server at the version
# tools/go.mod pins (amtool's) into OUT, from the Go module proxy only.
#
# `go install` (or a Go tool) of cmd/alertmanager fails: ui/web.go embeds
# app/dist (the built web UI), which the module zip lacks, and go build's
# -overlay may not add files under GOMODCACHE. So this copies the module
# from the module cache into a writable directory outside the repository
# ($GENOPS_SRC_CACHE, default ~/.cache/genops-stack; kept, so that later
# builds compile from the same path and hit the Go build cache), adds a
# placeholder UI (app/dist/elm and app/dist/mantine, each an index.html.gz
# as the UI build writes them) and builds there with the module's own
# go.mod and go.sum. The API and notifications are untouched; the web UI
# pages say that the UI is not built.
set -eu

out=$1
here=$(cd "$(dirname "$0")" && pwd)
GO=${GO:-go}
mod=github.com/prometheus/alertmanager

$GO -C "$here" mod download "$mod"
ver=$($GO -C "$here" list -m -f '{{.Version}}' "$mod")
dir=$($GO -C "$here" list -m -f '{{.Dir}}' "$mod")
src=${GENOPS_SRC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/genops-stack}/alertmanager@$ver

if [ ! -f "$src/.placeholder-ui" ]; then
	tmp=$src.tmp.$$
	rm -rf "$src" "$tmp"
	mkdir -p "$(dirname "$src")"
	cp -R "$dir" "$tmp"
	chmod -R u+w "$tmp"
	for app in elm mantine; do
		mkdir -p "$tmp/ui/app/dist/$app"
		printf '<!doctype html><title>Alertmanager</title><p>Alertmanager %s, built by genops-stack without its web UI: use the API (/api/v2).</p>\n' "$ver" |
			gzip -9n >"$tmp/ui/app/dist/$app/index.html.gz"
	done
	touch "$tmp/.placeholder-ui"
	mv -T "$tmp" "$src" 2>/dev/null || rm -rf "$tmp" # another build made it first
fi

cd "$src"
$GO build -ldflags "-X github.com/prometheus/common/version.Version=$(cat VERSION) -X github.com/prometheus/common/version.BuildUser=genops-stack" \
	-o "$out" ./cmd/alertmanager
