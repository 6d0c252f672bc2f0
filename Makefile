# genops-stack: `make generate` renders out/, `make test` runs every test.
# Nothing but Go is needed: promtool, amtool and kustomize are pinned Go tools
# (tools/go.mod), the Collector validator is its own module (tools/otelcol-check),
# and the Prometheus and Alertmanager servers the live tests run are built from
# the same pins (`make servers`).

GO            ?= go
BIN           := $(CURDIR)/bin
OTELCOL_CHECK := $(BIN)/otelcol-check
CLI           := $(BIN)/genops-stack
PROMETHEUS    := $(BIN)/prometheus
ALERTMANAGER  := $(BIN)/alertmanager
TOOL          := $(GO) -C $(CURDIR)/tools tool

# Every Go test that needs the real Collector components uses this binary.
export GENOPS_OTELCOL_CHECK := $(OTELCOL_CHECK)
# The live tests run these servers (internal/live).
export GENOPS_PROMETHEUS := $(PROMETHEUS)
export GENOPS_ALERTMANAGER := $(ALERTMANAGER)

.PHONY: generate check validate test test-go test-otelcol fmt-check vet bench fuzz tools servers e2e clean

## generate: render every environment into out/ (atomically; nothing changes on error).
## It builds only the CLI: the Collector configs are also validated by the real Collector
## components when tools/otelcol-check is built (make validate, make check and make test build it).
generate: $(CLI)
	$(CLI) generate --out out $(if $(wildcard $(OTELCOL_CHECK)),,--otelcol-check=)

## check: fail on any drift between the definitions and the committed out/
check: $(CLI) $(OTELCOL_CHECK)
	$(CLI) check --out out

## validate: run every check, write nothing
validate: $(CLI) $(OTELCOL_CHECK)
	$(CLI) validate

## test: formatting, vet, every Go test (with the pinned tools), every fuzz target for
## FUZZTIME, and the drift check
test: fmt-check vet test-go fuzz test-otelcol check

# The pinned tools are built first: a cold build of promtool alone takes
# minutes, which must not count against a test's timeout.
test-go: tools servers
	$(GO) test ./...

## e2e: the live end-to-end test alone: the rendered production stack on loopback (e2e/)
e2e: servers
	$(GO) test -count=1 -v -run TestEndToEnd ./e2e

test-otelcol:
	cd tools/otelcol-check && $(GO) vet ./... && $(GO) test ./...

fmt-check:
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

## bench: the generation, checking and linting benchmarks
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

## fuzz: run every fuzz target of the lint (internal/promlint) for FUZZTIME each (make test
## runs it: six targets, 10 s each plus their start). A failing input is written to
## internal/promlint/testdata/fuzz/<target>/: fix the lint and commit it, it joins the seeds.
FUZZTIME ?= 10s
fuzz:
	@for f in $$($(GO) test -list '^Fuzz' ./internal/promlint | grep '^Fuzz'); do \
		echo "$$f"; \
		$(GO) test -run '^$$' -fuzz "^$$f\$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 5s ./internal/promlint || exit 1; \
	done

## tools: build the pinned promtool, amtool and kustomize into the Go cache (`go tool -n` builds and prints the path)
tools:
	$(TOOL) -n promtool >/dev/null
	$(TOOL) -n amtool >/dev/null
	$(TOOL) -n kustomize >/dev/null

## servers: build the real servers the live tests run: the Collector (otelcol-check run),
## Prometheus and Alertmanager, at the versions tools/go.mod pins for promtool and amtool
servers: $(OTELCOL_CHECK) $(PROMETHEUS) $(ALERTMANAGER)

# Prometheus is a Go tool of tools/go.mod (the promtool pin, so it shares its
# build cache), built with `go build` to stamp the release's version from the
# module's VERSION file (module v0.316.0 is Prometheus 3.16.0). Without the
# builtinassets tag it has no web UI; the HTTP API is complete.
$(PROMETHEUS): tools/go.mod tools/go.sum
	cd tools && $(GO) mod download github.com/prometheus/prometheus && \
		v=$$(cat "$$($(GO) list -m -f '{{.Dir}}' github.com/prometheus/prometheus)/VERSION") && \
		$(GO) build -ldflags "-X github.com/prometheus/common/version.Version=$$v -X github.com/prometheus/common/version.BuildUser=genops-stack" \
		-o $@ github.com/prometheus/prometheus/cmd/prometheus

# Alertmanager cannot be a Go tool (its module zip lacks the web UI that
# ui/web.go embeds): the script builds it from a copy of the module.
$(ALERTMANAGER): tools/go.mod tools/go.sum tools/build-alertmanager.sh
	GO=$(GO) tools/build-alertmanager.sh $@

$(CLI): FORCE
	$(GO) build -o $@ ./cmd/genops-stack

$(OTELCOL_CHECK): tools/otelcol-check/go.mod tools/otelcol-check/go.sum $(wildcard tools/otelcol-check/*.go)
	cd tools/otelcol-check && $(GO) build -o $@ .

clean:
	rm -rf $(BIN)

FORCE:
