#!/usr/bin/env bash
# Runs every test of the build in $1 (default: build) through CTest, so one summary reports the
# whole run: unit and storage suites, the HTTP integration suite on SQLite and on PostgreSQL,
# and the browser suite. A throwaway PostgreSQL cluster is started for the run and removed
# afterwards, also when tests fail.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir="${1:-build}"

pg_dir=$(mktemp -d /tmp/clara-pg.XXXXXX)
trap 'scripts/pg-test-cluster.sh stop "$pg_dir"' EXIT
pg_url=$(scripts/pg-test-cluster.sh start "$pg_dir")
export CLARA_TEST_POSTGRES_URL="$pg_url"
export CLARA_TEST_DATABASE_URL="$pg_url"

ctest --test-dir "$build_dir" --output-on-failure --timeout 900 -j "$(nproc)"
