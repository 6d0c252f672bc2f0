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
PROMTOOL      := $(BIN)/promtool
# Prometheus' service discovery mechanisms (AWS, Azure, GCE, OpenStack and
# twenty more SDKs) are compiled into promtool, the Prometheus server and the
# Collector's prometheus receiver unless build tags leave them out. Nothing
# here uses them: the rendered configs discover with kubernetes_sd_configs
# (the Collector keeps it), the live tests' Prometheus uses static configs,
# and promtool only checks and tests rules. `go tool` takes no build flags
# (it ignores -tags in GOFLAGS), so promtool is built with go build, like the
# Prometheus server, whose packages it shares; internal/testutil builds it
# the same way when $GENOPS_PROMTOOL is not set. amtool and kustomize have no
# discovery: they stay Go tools.
TOOLS_TAGS    := remove_all_sd
OTELCOL_TAGS  := remove_all_sd,enable_kubernetes_sd
TOOL          := $(GO) -C $(CURDIR)/tools tool

# Every Go test that needs the real Collector components uses this binary.
export GENOPS_OTELCOL_CHECK := $(OTELCOL_CHECK)
# The rule tests run this promtool.
export GENOPS_PROMTOOL := $(PROMTOOL)
# The live tests run these servers (internal/live).
export GENOPS_PROMETHEUS := $(PROMETHEUS)
export GENOPS_ALERTMANAGER := $(ALERTMANAGER)

.PHONY: generate check validate test test-fast test-steps build-lane test-go test-e2e test-fuzz test-otelcol fmt-check vet bench fuzz tools servers e2e clean

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

## test: formatting, vet, every Go test (with the pinned tools, the real Collector
## components and the live end-to-end test), every fuzz target for FUZZTIME, and the
## drift check. E2E=0 leaves the end-to-end test out: that is test-fast.
E2E ?= 1
# TESTFLAGS are added to every go test, e.g. TESTFLAGS=-count=1 to run the tests
# again when nothing changed.
TESTFLAGS ?=
test:
	@$(MAKE) --no-print-directory -j3 --output-sync=target test-steps E2E=$(E2E)

## test-fast: make test without the end-to-end test (e2e/) and 200 inputs per fuzz target:
## the edit loop
test-fast:
	@$(MAKE) --no-print-directory -j3 --output-sync=target test-steps E2E=0 FUZZTIME=200x

# The steps of make test, run three at a time (-j3) where they share no build
# work. Two lanes build side by side: the Collector validator (a module of its
# own, so nothing it compiles is shared), and, one after the other, vet (which
# compiles every package the tests import), Prometheus, the pinned tools and
# Alertmanager, which share most of their packages. Then the end-to-end test
# (about 3 minutes, most of them waiting on the alerts' for durations) runs
# beside the other tests; the fuzzing, which keeps both cores busy, waits for
# the Go tests so that the live tests' servers are not starved.
test-steps: fmt-check test-go test-fuzz test-otelcol check $(if $(filter 0,$(E2E)),,test-e2e)

build-lane:
	@$(MAKE) --no-print-directory vet
	@$(MAKE) --no-print-directory $(PROMETHEUS)
	@$(MAKE) --no-print-directory tools
	@$(MAKE) --no-print-directory $(ALERTMANAGER)

# -vet=off: go vet ran over the same packages (build-lane), and go test's vet
# would type-check every test package's dependencies again.
test-go: build-lane $(OTELCOL_CHECK)
	$(GO) test -vet=off $(TESTFLAGS) $$($(GO) list ./... | grep -v '/e2e$$')

test-e2e: build-lane $(OTELCOL_CHECK)
	$(GO) test -vet=off $(TESTFLAGS) ./e2e

test-fuzz: test-go
	@$(MAKE) --no-print-directory fuzz

## e2e: the live end-to-end test alone, run again even when nothing changed (e2e/)
e2e: servers
	$(GO) test -count=1 -v -run TestEndToEnd ./e2e

test-otelcol: $(OTELCOL_CHECK)
	cd tools/otelcol-check && $(GO) vet -tags $(OTELCOL_TAGS) ./... && $(GO) test -tags $(OTELCOL_TAGS) -vet=off $(TESTFLAGS) ./...

fmt-check:
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

## bench: the generation, checking and linting benchmarks
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

## fuzz: run every fuzz target of the lint (internal/promlint) for FUZZTIME each (make test
## runs it: six targets, 3,000 inputs each, 2 to 10 s a target on 2 cores). A failing input is written to
## internal/promlint/testdata/fuzz/<target>/: fix the lint and commit it, it joins the seeds.
# A count, not a duration: Go 1.26's fuzzing coordinator can report its own
# -fuzztime deadline as a failure, "context deadline exceeded" with no failing
# input, when a worker is busy as it expires (golang/go#75804, fixed in Go
# 1.27); a count sets no deadline. It failed so in make test-fast at 2s.
FUZZTIME ?= 3000x
fuzz:
	@for f in $$($(GO) test -list '^Fuzz' ./internal/promlint | grep '^Fuzz'); do \
		echo "$$f"; \
		$(GO) test -run '^$$' -fuzz "^$$f\$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 5s ./internal/promlint || exit 1; \
	done

## tools: build the pinned promtool (bin/), amtool and kustomize (into the Go cache: `go tool -n`
## builds and prints the path)
tools: $(PROMTOOL)
	$(TOOL) -n amtool >/dev/null
	$(TOOL) -n kustomize >/dev/null

$(PROMTOOL): tools/go.mod tools/go.sum
	cd tools && $(GO) build -tags $(TOOLS_TAGS) -o $@ github.com/prometheus/prometheus/cmd/promtool

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
		$(GO) build -tags $(TOOLS_TAGS) -ldflags "-X github.com/prometheus/common/version.Version=$$v -X github.com/prometheus/common/version.BuildUser=genops-stack" \
		-o $@ github.com/prometheus/prometheus/cmd/prometheus

# Alertmanager cannot be a Go tool (its module zip lacks the web UI that
# ui/web.go embeds): the script builds it from a copy of the module.
$(ALERTMANAGER): tools/go.mod tools/go.sum tools/build-alertmanager.sh
	GO=$(GO) tools/build-alertmanager.sh $@

$(CLI): FORCE
	$(GO) build -o $@ ./cmd/genops-stack

$(OTELCOL_CHECK): tools/otelcol-check/go.mod tools/otelcol-check/go.sum $(wildcard tools/otelcol-check/*.go)
	cd tools/otelcol-check && $(GO) build -tags $(OTELCOL_TAGS) -o $@ .

clean:
	rm -rf $(BIN)

FORCE:
