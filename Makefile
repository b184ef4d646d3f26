# The two commands of the README:
#   make run    installs what is missing, builds (server and web console), starts Wharf with a demo project
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
# npm packages of the console and the browser tests come from their lock files; npm's cache is kept across
# clones like ccache's.
NPM_CACHE  ?= $(HOME)/.cache/wharf/npm
NPM_CI     := npm ci --no-audit --no-fund --prefer-offline --cache $(NPM_CACHE)

.PHONY: all deps build build-asan console console-unit run test unit unit-asan integration e2e k8s format format-check bench \
        bench-k8s clean

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

# The web console (console/: TypeScript, React, Vite): packages from the lock file, a type check, the Vite
# build (prints its gzipped size against the 300 KB budget), installed next to the binary, where
# `wharf server` serves it at / (or --console-dir DIR).
console: console/node_modules/.package-lock.json
	@cd console && npx tsc --noEmit -p .
	@cd console && npx vite build --logLevel warn && node scripts/bundle-size.mjs dist
	@rm -rf $(BUILD)/console && mkdir -p $(BUILD) && cp -r console/dist $(BUILD)/console
	@echo "console: installed in $(BUILD)/console"

# The console's pure logic (formatting, diffs, release changes, the dictionaries) under vitest.
console-unit: console/node_modules/.package-lock.json
	@cd console && npx vitest run --dir test

console/node_modules/.package-lock.json: console/package-lock.json
	@command -v npm >/dev/null || { echo "console: npm is missing (Node.js 20.19 or later with npm)" >&2; exit 1; }
	@cd console && $(NPM_CI) >/dev/null
	@touch $@

test/e2e/node_modules/.package-lock.json: test/e2e/package-lock.json
	@cd test/e2e && $(NPM_CI) >/dev/null
	@touch $@

run: build console
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

# The console in Debian's headless chromium (playwright-core, no browser download) against the real server,
# registry and runtime; screenshots in $(BUILD)/e2e-screenshots.
e2e: build console test/e2e/node_modules/.package-lock.json
	@WHARF_BIN=$(abspath $(BUILD))/wharf SCREENSHOTS=$(abspath $(BUILD))/e2e-screenshots node test/e2e/run.mjs

# The Kubernetes client and driver tests run against a real control plane built from the Go modules
# (test/k8s): the first build on a fresh machine takes half an hour to an hour and a half (2 cores); later runs reuse ~/.cache/wharf.
k8s: build
	@bash test/k8s/run-tests.sh $(BUILD)

test: format-check unit unit-asan console-unit integration e2e k8s

bench: build
	@$(BUILD)/bench/api_load --wharf $(BUILD)/wharf
	@$(BUILD)/bench/config_push --wharf $(BUILD)/wharf

# Rollout time through the Kubernetes driver against the test control plane, and 200 apps at once.
bench-k8s: build
	@python3 bench/k8s_rollout.py --wharf $(abspath $(BUILD))/wharf

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
