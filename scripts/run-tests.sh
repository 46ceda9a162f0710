#!/usr/bin/env bash
# Runs every test of the build in $1 (default: build): unit, storage and integration suites,
# all through CTest so one summary line reports the whole run.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir="${1:-build}"

ctest --test-dir "$build_dir" --output-on-failure --timeout 900 -j "$(nproc)"
