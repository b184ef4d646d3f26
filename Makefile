# The two commands of the README:
#   make run    installs what is missing, builds, starts Wharf with a demo project
#   make test   installs what is missing, builds, runs every test
BUILD      ?= build
ASAN_BUILD ?= build-asan
JOBS       ?= $(shell nproc)
DATA_DIR   ?= .wharf
LISTEN     ?= 127.0.0.1:7070
# ccache keeps compiled objects across clean clones (CI builds a fresh clone every time).
export CCACHE_DIR ?= $(HOME)/.cache/wharf/ccache
# Hits across clones in different directories: paths are hashed relative to the checkout.
export CCACHE_BASEDIR := $(CURDIR)
export CCACHE_NOHASHDIR := 1
CMAKE_GEN  := -G Ninja -DCMAKE_CXX_COMPILER_LAUNCHER=ccache

.PHONY: all deps build build-asan run test unit unit-asan integration k8s format format-check bench bench-k8s clean

all: build

deps:
	@bash scripts/install-deps.sh

build: deps
	@cmake -S . -B $(BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

build-asan: deps
	@cmake -S . -B $(ASAN_BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Debug -DWHARF_SANITIZE=ON \
	  -DWHARF_BUILD_BENCH=OFF >/dev/null
	@cmake --build $(ASAN_BUILD) -j $(JOBS) --target unit_tests

run: build
	@bash scripts/run-demo.sh $(BUILD)/wharf $(DATA_DIR) $(LISTEN)

format:
	@git ls-files '*.cpp' '*.h' | xargs clang-format -i

format-check: deps
	@git ls-files '*.cpp' '*.h' | xargs clang-format --dry-run --Werror
	@echo "format-check: ok"

unit: build
	@cd $(BUILD) && ctest --output-on-failure -L unit -j $(JOBS)

unit-asan: build-asan
	@cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --output-on-failure -L unit -j $(JOBS)

integration: build
	@WHARF_BIN=$(abspath $(BUILD))/wharf python3 -m pytest -q test/integration

# The Kubernetes client and driver tests run against a real control plane built from the Go modules
# (test/k8s): the first build on a fresh machine takes about half an hour; later runs reuse ~/.cache/wharf.
k8s: build
	@bash test/k8s/run-tests.sh $(BUILD)

test: format-check unit unit-asan integration k8s

bench: build
	@$(BUILD)/bench/api_load --wharf $(BUILD)/wharf

# Rollout time through the Kubernetes driver against the test control plane, and 200 apps at once.
bench-k8s: build
	@python3 bench/k8s_rollout.py --wharf $(abspath $(BUILD))/wharf

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
