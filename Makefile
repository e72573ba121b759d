# Everything CI runs is `make test`; `make demo` shows what the library does.
# Targets run one after another (generation and tests must not overlap).

GO       ?= go
FUZZTIME ?= 10s

# Paths written by `make generate`; `make check-generate` fails if they change.
GENERATED := internal/approx purego asm

.NOTPARALLEL:
.PHONY: all test fmt-check vet test-unit test-purego test-nofma test-race test-arm64 \
	generate check-generate fuzz-short bench demo fuzz-arm64

all: test

## test: everything CI needs (formatting, vet, tests with and without
## assembly, generated code up to date, short fuzzing, race tests).
test: fmt-check vet test-unit test-purego test-nofma check-generate fuzz-short test-race

fmt-check:
	@files=$$(gofmt -l .); \
	if [ -n "$$files" ]; then \
		echo "gofmt -l: these files need formatting (run gofmt -w):"; \
		echo "$$files"; \
		exit 1; \
	fi

vet:
	$(GO) vet ./...
	cd gen && $(GO) vet ./...

test-unit:
	$(GO) test ./...

# With -tags purego nothing is assembled: the purego kernel must be the one selected.
test-purego:
	CRAMER_REQUIRE=purego $(GO) test -tags purego ./...

## test-nofma: the amd64 tests on an emulated CPU without AVX2 or FMA
## (qemu-x86_64-static -cpu Penryn): the dispatch must fall back to purego and
## everything must still pass. Skipped with a message when qemu is missing or
## the machine is not amd64.
test-nofma:
	@if [ "$$($(GO) env GOARCH)" != amd64 ]; then echo "test-nofma: not amd64; skipped"; exit 0; fi; \
	if ! command -v qemu-x86_64-static >/dev/null 2>&1; then \
		echo "test-nofma: qemu-x86_64-static not on PATH (apt-get install qemu-user-static); skipped"; exit 0; fi; \
	set -e; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	$(GO) test -c -o $$tmp/kernels.test ./kernels; \
	$(GO) test -c -o $$tmp/root.test .; \
	echo "qemu-x86_64-static -cpu Penryn: kernels tests, CRAMER_REQUIRE=purego"; \
	(cd kernels && CRAMER_REQUIRE=purego qemu-x86_64-static -cpu Penryn $$tmp/kernels.test -test.run 'Golden|Conform|Required|Guard|Lookup|UseRestores'); \
	echo "qemu-x86_64-static -cpu Penryn: distance tests"; \
	CRAMER_REQUIRE= qemu-x86_64-static -cpu Penryn $$tmp/root.test -test.run 'Golden|Properties|Quadrature|Example'

# Race tests of the parallel paths (the full suite under -race is too slow).
test-race:
	$(GO) test -race -run 'Parallel|Deterministic' .

## test-arm64: vet for arm64; run the tests under qemu when it is installed
## (.ci/run installs nothing for it yet; see its qemu hook).
test-arm64:
	GOARCH=arm64 $(GO) vet ./...
	@if command -v qemu-aarch64-static >/dev/null 2>&1; then \
		echo "GOARCH=arm64 $(GO) test -exec qemu-aarch64-static ./..."; \
		GOARCH=arm64 $(GO) test -exec qemu-aarch64-static ./...; \
	else \
		echo "test-arm64: qemu-aarch64-static not on PATH; arm64 tests skipped (vet only)"; \
	fi

## generate: rewrite the generated tables, float32 kernels and assembly.
generate:
	cd gen && $(GO) run ./tables -o ../internal/approx/tables_gen.go
	cd gen && $(GO) run ./float32 -in ../purego/kernels64.go -o ../purego/kernels32.go
	cd gen && $(GO) run ./avx2 -out ../asm/pair_amd64.s -stubs ../asm/pair_amd64.go -pkg asm

## check-generate: fail if generated files differ from what is committed,
## or if generation produced files git does not know.
check-generate: generate
	git diff --exit-code -- $(GENERATED)
	@untracked=$$(git status --porcelain --untracked-files=all -- $(GENERATED) | grep '^??' || true); \
	if [ -n "$$untracked" ]; then \
		echo "check-generate: untracked generated files (commit them or fix the generator):"; \
		echo "$$untracked"; \
		exit 1; \
	fi

## fuzz-short: run every fuzz target in ./fuzz for FUZZTIME each.
fuzz-short:
	@if ! ls fuzz/*_test.go >/dev/null 2>&1; then \
		echo "fuzz-short: no fuzz tests in ./fuzz yet; skipping"; \
		exit 0; \
	fi; \
	list=$$($(GO) test -list 'Fuzz.*' ./fuzz) || { echo "$$list"; exit 1; }; \
	targets=$$(echo "$$list" | grep '^Fuzz' || true); \
	if [ -z "$$targets" ]; then \
		echo "fuzz-short: no fuzz targets in ./fuzz; skipping"; \
		exit 0; \
	fi; \
	for t in $$targets; do \
		echo "$(GO) test -run '^\$$' -fuzz '^$$t\$$' -fuzztime $(FUZZTIME) ./fuzz"; \
		$(GO) test -run '^$$' -fuzz "^$$t\$$" -fuzztime $(FUZZTIME) ./fuzz || exit 1; \
	done

## bench: the cross-implementation benchmarks.
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./bench/...

## demo: the distance between the two example mixtures, and a throughput figure.
demo:
	$(GO) run ./cmd/cramer dist testdata/examples/p.json testdata/examples/q.json
	@echo
	$(GO) run ./cmd/cramer bench --workload mixtures-1024

## fuzz-arm64: run every fuzz target in ./fuzz as an arm64 binary under
## qemu-aarch64-static for FUZZTIME each (default 5s; see .ci/fuzz-qemu-arm64).
## Skipped with a message when qemu-aarch64-static is missing.
fuzz-arm64:
	GO='$(GO)' .ci/fuzz-qemu-arm64
