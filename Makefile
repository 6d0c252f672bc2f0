# genops-stack: `make generate` renders out/, `make test` runs every test.
# Nothing but Go is needed: promtool, amtool and kustomize are pinned Go tools
# (tools/go.mod), the Collector validator is its own module (tools/otelcol-check).

GO            ?= go
BIN           := $(CURDIR)/bin
OTELCOL_CHECK := $(BIN)/otelcol-check
CLI           := $(BIN)/genops-stack
TOOL          := $(GO) -C $(CURDIR)/tools tool

# Every Go test that needs the real Collector components uses this binary.
export GENOPS_OTELCOL_CHECK := $(OTELCOL_CHECK)

.PHONY: generate check validate test test-go test-otelcol fmt-check vet bench fuzz tools clean

## generate: render every environment into out/ (atomically; nothing changes on error)
generate: $(CLI) $(OTELCOL_CHECK)
	$(CLI) generate --out out

## check: fail on any drift between the definitions and the committed out/
check: $(CLI) $(OTELCOL_CHECK)
	$(CLI) check --out out

## validate: run every check, write nothing
validate: $(CLI) $(OTELCOL_CHECK)
	$(CLI) validate

## test: formatting, vet, every Go test (with the pinned tools), and the drift check
test: fmt-check vet test-go test-otelcol check

# The pinned tools are built first: a cold build of promtool alone takes
# minutes, which must not count against a test's timeout.
test-go: tools $(OTELCOL_CHECK)
	$(GO) test ./...

test-otelcol:
	cd tools/otelcol-check && $(GO) vet ./... && $(GO) test ./...

fmt-check:
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

## bench: the generation, checking and linting benchmarks
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

## fuzz: run every fuzz target of the lint (internal/promlint) for FUZZTIME each;
## make test runs only their seed corpora
FUZZTIME ?= 15s
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

$(CLI): FORCE
	$(GO) build -o $@ ./cmd/genops-stack

$(OTELCOL_CHECK): tools/otelcol-check/go.mod tools/otelcol-check/go.sum $(wildcard tools/otelcol-check/*.go)
	cd tools/otelcol-check && $(GO) build -o $@ .

clean:
	rm -rf $(BIN)

FORCE:
