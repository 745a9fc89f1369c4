# VarianceKit: `make run` and `make test` do everything on a machine that has only Swift.
SWIFT        ?= swift
SWIFT_FLAGS  ?=
RELEASE_BIN  := .build/release/initbench
# apt-get needs root; use sudo when we are not root and it exists.
SUDO := $(shell [ "$$(id -u)" = "0" ] || command -v sudo >/dev/null 2>&1 && [ "$$(id -u)" != "0" ] && echo sudo)

.PHONY: all deps build test run bench bench-kernels sanitize sanitize-address sanitize-thread sanitize-threaded fuzz docs sweep-slurm clean

all: build

## deps: install OpenBLAS, LAPACKE, zlib and pkg-config with apt-get (after apt-get update) when
## pkg-config cannot find them.
deps:
	@if command -v pkg-config >/dev/null 2>&1 && pkg-config --exists openblas lapacke zlib; then \
		echo "deps: found openblas $$(pkg-config --modversion openblas), lapacke $$(pkg-config --modversion lapacke) and zlib $$(pkg-config --modversion zlib) through pkg-config"; \
	else \
		echo "deps: pkg-config cannot find openblas, lapacke and zlib; installing libopenblas-dev liblapacke-dev zlib1g-dev pkg-config with apt-get"; \
		$(SUDO) apt-get update && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y --no-install-recommends libopenblas-dev liblapacke-dev zlib1g-dev pkg-config && \
		pkg-config --exists openblas lapacke zlib || { echo "deps: still cannot find openblas/lapacke/zlib through pkg-config" >&2; exit 1; }; \
	fi

## build: debug build of the library, initbench and the tests.
build: deps
	$(SWIFT) build $(SWIFT_FLAGS)

## test: install what is missing, build, run every test. TEST_SANITIZER=address builds and runs
## them as sanitize-address does instead (optimized, under AddressSanitizer and LeakSanitizer):
## CI's way, one build where a debug build and a sanitized one would take two.
TEST_SANITIZER ?=
test: deps
ifeq ($(TEST_SANITIZER),address)
	@$(MAKE) --no-print-directory sanitize-address
else ifeq ($(TEST_SANITIZER),)
	$(SWIFT) build $(SWIFT_FLAGS) --build-tests
	$(SWIFT) test $(SWIFT_FLAGS) --skip-build
else
	@echo "make test: TEST_SANITIZER must be address or empty (got '$(TEST_SANITIZER)')" >&2; exit 2
endif

## run: install what is missing, build optimized, run the default comparison.
run: deps
	$(SWIFT) build $(SWIFT_FLAGS) -c release --product initbench
	$(RELEASE_BIN)

## bench: the ordo-one/benchmark suite in the nested Benchmarks package.
bench: deps
	cd Benchmarks && $(SWIFT) package benchmark $(BENCH_FLAGS)

## bench-kernels: release build, then `initbench kernels` and the network-step peers under both of
## OpenBLAS's kernels (the environment's setting, and OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset),
## written as a dated section into Benchmarks/RESULTS.md (Benchmarks/run-both-kernels.sh says how).
bench-kernels: deps
	SWIFT="$(SWIFT)" Benchmarks/run-both-kernels.sh

## sanitize: the whole test suite under AddressSanitizer (with LeakSanitizer), then under
## ThreadSanitizer, each in its own scratch folder. The end-to-end tests run the initbench built
## with the same sanitizer (INITBENCH_BINARY), so the child processes are checked too. Both set
## VARIANCEKIT_SANITIZER (address, thread); under thread it leaves out the one test too slow
## there (the default comparison of `make run`; smaller reports take its code paths).
sanitize: sanitize-address sanitize-thread

# Sanitized builds are optimized (SANITIZE_BUILD): the suite then runs several times faster than
# a sanitized debug build, which more than pays for the longer compile. `-enable-testing` keeps
# the tests' `@testable import`; preconditions and overflow checks stay in `-O` code. Benchmarks/
# RESULTS.md has the figures. SANITIZE_BUILD="" gives the unoptimized sanitized build.
SANITIZE_BUILD ?= -c release -Xswiftc -enable-testing
SANITIZE_PRODUCTS = $(if $(findstring release,$(SANITIZE_BUILD)),release,debug)

# LeakSanitizer runs at exit in every ASan process (the toolchain's own ASan runtime includes it;
# no Debian package is needed). Scripts/lsan.supp suppresses what XCTest's runner, Foundation's
# Process.run and ArgumentParser's parser leave unreachable when the process exits: without it a
# clean `swift test` exits 1, and so does initbench after some usage errors, which should exit
# 64. Everything else is still checked; the file says why each line is there.
ASAN_SCRATCH := .build-asan
ASAN_ENV = VARIANCEKIT_SANITIZER=address INITBENCH_BINARY=$(CURDIR)/$(ASAN_SCRATCH)/$(SANITIZE_PRODUCTS)/initbench \
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
	LSAN_OPTIONS=suppressions=$(CURDIR)/Scripts/lsan.supp:print_suppressions=0
sanitize-address: deps
	$(SWIFT) build $(SWIFT_FLAGS) $(SANITIZE_BUILD) --build-tests --sanitize=address --scratch-path $(ASAN_SCRATCH)
	$(ASAN_ENV) $(SWIFT) test $(SWIFT_FLAGS) $(SANITIZE_BUILD) --skip-build --sanitize=address --scratch-path $(ASAN_SCRATCH)

TSAN_SCRATCH := .build-tsan
TSAN_SETTINGS := VARIANCEKIT_SANITIZER=thread TSAN_OPTIONS=halt_on_error=0:second_deadlock_stack=1
TSAN_ENV = $(TSAN_SETTINGS) INITBENCH_BINARY=$(CURDIR)/$(TSAN_SCRATCH)/$(SANITIZE_PRODUCTS)/initbench
sanitize-thread: deps
	$(SWIFT) build $(SWIFT_FLAGS) $(SANITIZE_BUILD) --build-tests --sanitize=thread --scratch-path $(TSAN_SCRATCH)
	$(TSAN_ENV) $(SWIFT) test $(SWIFT_FLAGS) $(SANITIZE_BUILD) --skip-build --sanitize=thread --scratch-path $(TSAN_SCRATCH)

## sanitize-threaded: the suites whose work is split over threads (thread policy, deterministic
## passes, the parallel runtime and thread placement, split activations, optimizer blocks, fills,
## orthogonal, fill measurement, the phase diagram, signal cleanup, sweep results) under
## ThreadSanitizer. They are a package of their own, Tests/ThreadSanitizer, whose files link to
## those in Tests/VarianceKitTests and Tests/VarianceKitIOTests, so this builds the library and those suites alone, at a
## fraction of the cost of sanitize-thread, which runs everything (as CI does): a quick check;
## ThreadSanitizerCoverageTests checks that the links cover every threaded library file.
THREADED_SCRATCH := .build-tsan-threaded
sanitize-threaded: deps
	cd Tests/ThreadSanitizer && $(SWIFT) build $(SWIFT_FLAGS) $(SANITIZE_BUILD) --build-tests --sanitize=thread --scratch-path $(CURDIR)/$(THREADED_SCRATCH)
	cd Tests/ThreadSanitizer && $(TSAN_SETTINGS) $(SWIFT) test $(SWIFT_FLAGS) $(SANITIZE_BUILD) --skip-build --sanitize=thread --scratch-path $(CURDIR)/$(THREADED_SCRATCH)

## fuzz: the seeded fuzz driver (Tests/initbenchTests/FuzzTests.swift) for FUZZ_SECONDS per test
## (make test runs it for 2); FUZZ_SEED picks the cases, FUZZ_CASE replays one command line.
FUZZ_SECONDS ?= 120
FUZZ_SEED    ?= 20260101
fuzz: deps
	$(SWIFT) build $(SWIFT_FLAGS) --build-tests
	VARIANCEKIT_FUZZ_SECONDS=$(FUZZ_SECONDS) VARIANCEKIT_FUZZ_SEED=$(FUZZ_SEED) $(if $(FUZZ_CASE),VARIANCEKIT_FUZZ_CASE=$(FUZZ_CASE)) \
		$(SWIFT) test $(SWIFT_FLAGS) --skip-build --filter FuzzTests

## docs: the DocC catalog Sources/VarianceKit/VarianceKit.docc as a documentation archive in
## .build-docs/VarianceKit.doccarchive (DOCC_FLAGS=--transform-for-static-hosting for a static site).
## It drives the toolchain's own docc on the symbol graph of a VarianceKit-only build in its own
## scratch folder, so the package needs no documentation plugin and `make test` builds nothing
## more. Warnings are errors: every symbol link and article link must resolve. Then it lists the
## public declarations that have no doc comment (Scripts/undocumented-symbols.py; needs python3).
DOCC         ?= docc
DOCS_SCRATCH := .build-docs
DOCS_GRAPHS  := $(DOCS_SCRATCH)/symbol-graphs
docs: deps
	rm -rf $(DOCS_GRAPHS) && mkdir -p $(DOCS_GRAPHS)
	$(SWIFT) build $(SWIFT_FLAGS) --target VarianceKit --scratch-path $(DOCS_SCRATCH) \
		-Xswiftc -emit-symbol-graph -Xswiftc -emit-symbol-graph-dir -Xswiftc $(CURDIR)/$(DOCS_GRAPHS) \
		-Xswiftc -symbol-graph-minimum-access-level -Xswiftc public
	# The build also emits the graphs of the dependencies (CSV.swift, ZIPFoundation); the catalog
	# documents VarianceKit alone, and their doc comments' warnings are not ours to fix.
	find $(DOCS_GRAPHS) -name '*.symbols.json' ! -name 'VarianceKit.symbols.json' ! -name 'VarianceKit@*.symbols.json' -delete
	$(DOCC) convert Sources/VarianceKit/VarianceKit.docc \
		--additional-symbol-graph-dir $(DOCS_GRAPHS) \
		--fallback-display-name VarianceKit --fallback-bundle-identifier org.variancekit.VarianceKit \
		--output-path $(DOCS_SCRATCH)/VarianceKit.doccarchive --warnings-as-errors $(DOCC_FLAGS)
	@if command -v python3 >/dev/null 2>&1; then python3 Scripts/undocumented-symbols.py $(DOCS_GRAPHS) VarianceKit; fi
	@echo "docs: $(DOCS_SCRATCH)/VarianceKit.doccarchive; to browse it: $(DOCC) preview Sources/VarianceKit/VarianceKit.docc --additional-symbol-graph-dir $(DOCS_GRAPHS)"

## sweep-slurm: a sweep of initbench on a real Slurm started on this machine (Scripts/sweep-slurm.sh
## says how): installs Slurm and munge with apt-get when missing, starts a private single-node
## cluster in a temporary folder, builds initbench in release, runs the sweep as an array job
## (ARRAY_TASKS shards of GRID or PRESET), merges the parts, checks them against an unsharded run
## and stops everything it started. Exits 77 when Slurm cannot be installed or started here.
sweep-slurm: deps
	SWIFT="$(SWIFT)" Scripts/sweep-slurm.sh

clean:
	rm -rf .build .build-asan .build-tsan .build-tsan-threaded .build-docs Benchmarks/.build Tests/ThreadSanitizer/.build
