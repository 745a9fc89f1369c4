# VarianceKit: `make run` and `make test` do everything on a machine that has only Swift.
SWIFT        ?= swift
SWIFT_FLAGS  ?=
RELEASE_BIN  := .build/release/initbench
# apt-get needs root; use sudo when we are not root and it exists.
SUDO := $(shell [ "$$(id -u)" = "0" ] || command -v sudo >/dev/null 2>&1 && [ "$$(id -u)" != "0" ] && echo sudo)

.PHONY: all deps build test run bench clean

all: build

## deps: install OpenBLAS, LAPACKE and pkg-config with apt-get when pkg-config cannot find them.
deps:
	@if command -v pkg-config >/dev/null 2>&1 && pkg-config --exists openblas lapacke; then \
		echo "deps: found openblas $$(pkg-config --modversion openblas) and lapacke $$(pkg-config --modversion lapacke) through pkg-config"; \
	else \
		echo "deps: pkg-config cannot find openblas and lapacke; installing libopenblas-dev liblapacke-dev pkg-config with apt-get"; \
		$(SUDO) apt-get update && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y --no-install-recommends libopenblas-dev liblapacke-dev pkg-config && \
		pkg-config --exists openblas lapacke || { echo "deps: still cannot find openblas/lapacke through pkg-config" >&2; exit 1; }; \
	fi

## build: debug build of the library, initbench and the tests.
build: deps
	$(SWIFT) build $(SWIFT_FLAGS)

## test: install what is missing, build, run every test.
test: deps
	$(SWIFT) build $(SWIFT_FLAGS) --build-tests
	$(SWIFT) test $(SWIFT_FLAGS) --skip-build

## run: install what is missing, build optimized, run the default comparison.
run: deps
	$(SWIFT) build $(SWIFT_FLAGS) -c release --product initbench
	$(RELEASE_BIN)

## bench: the ordo-one/benchmark suite in the nested Benchmarks package.
bench: deps
	cd Benchmarks && $(SWIFT) package benchmark $(BENCH_FLAGS)

clean:
	rm -rf .build Benchmarks/.build
