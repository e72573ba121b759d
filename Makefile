# Everything CI runs is `make test`; `make demo` shows what the library does.
# Targets run one after another (generation and tests must not overlap).

GO       ?= go
# Fuzzing budgets are execution counts (new inputs per target), not durations:
# a run passes or fails on what it finds, however loaded the machine is.
FUZZTIME ?= 200000x
# The batch targets, whose every input is a whole batch of 1–390 mixture
# pairs, get a quarter of that count: with 200 000 inputs they took 3½ and
# 2¼ minutes of fuzz-short on a 2-core machine (every other target ≈ 10 s).
# The sample-set targets, whose exact math/big reference takes 700–1200
# new inputs a second with a fresh corpus, get 25 000 (about 30 s each).
FUZZTIME_TARGETS ?= FuzzSquaredBatch64=50000x FuzzSquaredBatch32=50000x FuzzSamples64=25000x FuzzSamples32=25000x

# Paths written by `make generate`; `make check-generate` fails if they change.
GENERATED := internal/approx purego asm kernels/asm.go kernels/purego.go

.NOTPARALLEL:
.PHONY: all test fmt-check vet test-unit test-purego test-nofma test-race test-arm64 \
	generate check-generate fuzz-short bench bench-libmvec demo fuzz-arm64

all: test

## test: everything CI needs (formatting, vet on amd64 and arm64, tests with
## and without assembly, the arm64 NEON tests and fuzzing under qemu,
## generated code up to date, short fuzzing, race tests).
test: fmt-check vet test-unit test-purego test-nofma test-arm64 check-generate fuzz-short fuzz-arm64 test-race

fmt-check:
	@files=$$(gofmt -l .); \
	if [ -n "$$files" ]; then \
		echo "gofmt -l: these files need formatting (run gofmt -w):"; \
		echo "$$files"; \
		exit 1; \
	fi

vet:
	$(GO) vet ./...
	GOARCH=amd64 $(GO) vet ./...
	GOARCH=arm64 $(GO) vet ./...
	$(GO) vet -tags purego ./...
	GOARCH=arm64 $(GO) vet -tags purego ./...
	cd gen && $(GO) vet ./...

# The generators' own tests decode every emitted arm64 WORD (gen/arm64, gen/neon).
test-unit:
	$(GO) test ./...
	cd gen && $(GO) test ./...

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
	$(GO) test -race -run 'Parallel|Deterministic' . ./fit
	$(GO) test -race -run 'KernelChoiceParallel' ./kernels

## test-arm64: the tests of every package that holds or reaches the
## architecture-specific code (ARM64_PKGS: the kernels, their assembly and
## references, the distances and the mixture-density losses (mdn, which calls
## the PairTerms kernel directly) built on them, the fuzz seeds and the
## cross-implementation checks) as arm64 binaries under qemu-aarch64-static,
## with the NEON kernels required (CRAMER_REQUIRE=neon fails the dispatch test
## if anything else was chosen). The CLI and the learning packages are plain Go
## above the root API: they run natively only. On an arm64 machine test-unit
## already ran everything natively. Without qemu the leg is skipped with a
## message, unless REQUIRE_QEMU=1 (set by .ci/run), which makes it fail.
ARM64_PKGS := . ./asm/... ./kernels/... ./purego/... ./internal/approx/... ./fuzz/... ./bench/... ./mdn/...
test-arm64:
	@if [ "$$($(GO) env GOARCH)" = arm64 ]; then echo "test-arm64: native arm64; covered by test-unit"; exit 0; fi; \
	if ! command -v qemu-aarch64-static >/dev/null 2>&1; then \
		echo "test-arm64: qemu-aarch64-static not on PATH (apt-get install qemu-user-static)"; \
		if [ "$(REQUIRE_QEMU)" = 1 ]; then exit 1; fi; echo "test-arm64: skipped"; exit 0; fi; \
	echo "CRAMER_REQUIRE=neon GOARCH=arm64 $(GO) test -exec qemu-aarch64-static $(ARM64_PKGS)"; \
	CRAMER_REQUIRE=neon GOARCH=arm64 $(GO) test -exec qemu-aarch64-static $(ARM64_PKGS)

## generate: rewrite the generated tables, float32 kernels, assembly, the
## checked functions of package asm and their registration in package kernels.
generate:
	cd gen && $(GO) run ./tables -o ../internal/approx/tables_gen.go
	cd gen && $(GO) run ./float32 -in ../purego/kernels64.go -o ../purego/kernels32.go
	cd gen && $(GO) run ./float32 -in ../purego/batch64.go -o ../purego/batch32.go
	cd gen && $(GO) run ./avx2 -out ../asm/kernels_amd64.s -stubs ../asm/kernels_amd64.go -pkg asm
	cd gen && $(GO) run ./neon -out ../asm/kernels_arm64.s -stubs ../asm/kernels_arm64.go
	cd gen && $(GO) run ./checked -asm ../asm/checked.go -kernels ../kernels/asm.go -purego ../kernels/purego.go

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

## fuzz-short: fuzz every target in ./fuzz with FUZZTIME new inputs each
## (.ci/fuzz; about 10 s per target on one core).
fuzz-short:
	FUZZTIME='$(FUZZTIME)' FUZZTIME_TARGETS='$(FUZZTIME_TARGETS)' GO='$(GO)' .ci/fuzz native

## bench: the cross-implementation benchmarks. With cgo, gcc and glibc's
## libmvec (glibc >= 2.35) on an AVX2 + FMA machine, `make bench-libmvec`
## adds the C comparison (bench/libmvec.go: a direct C loop over
## _ZGVdN4v_erf/_ZGVdN4v_exp and the float32 _ZGVdN8v_erff/_ZGVdN8v_expf)
## and runs the cross kernels and the batch workloads next to it:
##   go test -tags libmvec -run '^$' -bench 'Kernels/.*/kernel=CrossRowSums|Batch' ./bench
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./bench/...

bench-libmvec:
	$(GO) test -tags libmvec -run 'Libmvec' ./bench
	$(GO) test -tags libmvec -run '^$$' -bench 'Kernels/.*/kernel=CrossRowSums|Batch' -benchmem -count 6 ./bench

## demo: the distance between the two example mixtures, a throughput figure,
## and a mixture of 8 components fitted to 1000 2-D points (the model and a
## PNG of the fit go to DEMO_DIR).
DEMO_DIR ?= $(or $(TMPDIR),/tmp)/cramer-demo
demo:
	$(GO) run ./cmd/cramer dist testdata/examples/p.json testdata/examples/q.json
	@echo
	$(GO) run ./cmd/cramer bench --workload mixtures-1024
	@echo
	@mkdir -p '$(DEMO_DIR)'
	$(GO) run ./cmd/cramer fit --k 8 --restarts 3 --out '$(DEMO_DIR)/model.json' --plot '$(DEMO_DIR)/fit.png' testdata/examples/clusters2.csv
	$(GO) run ./cmd/cramer dist '$(DEMO_DIR)/model.json' testdata/examples/clusters2.csv
	@echo
	@echo "the PNG of the fit: $(DEMO_DIR)/fit.png"

## fuzz-arm64: fuzz every target in ./fuzz as an arm64 binary under
## qemu-aarch64-static with FUZZTIME_ARM64 new inputs each (see .ci/fuzz),
## NEON required. Skipped with a message when
## qemu-aarch64-static is missing (a failure with REQUIRE_QEMU=1).
FUZZTIME_ARM64 ?= 10000x
# The sample-set targets: their math/big reference runs at 150–600 inputs
# a second under qemu (2 cores; 30–60 s for 5000).
FUZZTIME_TARGETS_ARM64 ?= FuzzSamples64=2500x FuzzSamples32=2500x
fuzz-arm64:
	@if [ "$$($(GO) env GOARCH)" = arm64 ]; then echo "fuzz-arm64: native arm64; covered by fuzz-short"; exit 0; fi; \
	if [ "$(REQUIRE_QEMU)" = 1 ] && ! command -v qemu-aarch64-static >/dev/null 2>&1; then \
		echo "fuzz-arm64: qemu-aarch64-static not on PATH"; exit 1; fi; \
	CRAMER_REQUIRE=neon FUZZTIME='$(FUZZTIME_ARM64)' FUZZTIME_TARGETS='$(FUZZTIME_TARGETS_ARM64)' GO='$(GO)' .ci/fuzz arm64
