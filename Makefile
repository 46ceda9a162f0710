# Two entry points for a fresh Debian 12 machine: `make run` and `make test`.
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)

.PHONY: deps build run test clean bench

deps:
	./scripts/install-deps.sh

# Swagger UI (embedded in the binary) and the browser-test tools come from npm; reinstalled
# whenever package-lock.json is newer than the last install. No install scripts are run.
node_modules/.package-lock.json: package.json package-lock.json | deps
	npm ci --ignore-scripts --no-audit --no-fund
	touch $@

build: deps node_modules/.package-lock.json
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE)
	cmake --build $(BUILD_DIR) -j $(JOBS)

run: build
	./$(BUILD_DIR)/clara-runner serve

test: build
	./scripts/run-tests.sh $(BUILD_DIR)

# Load benchmarks (see BENCHMARKS.md); not part of `make test`. Installs wrk and nginx if missing.
bench:
	./bench/run.sh

clean:
	rm -rf $(BUILD_DIR)
