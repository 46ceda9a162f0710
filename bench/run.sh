#!/usr/bin/env bash
# The benchmark suite (`make bench`). Starts the runner on SQLite and on a throwaway PostgreSQL,
# nginx as the machine's ceiling, drives them with wrk on 127.0.0.1 only, prints a table and
# writes bench/results/latest.md. See BENCHMARKS.md.
#
# Knobs (environment): BENCH_WARMUP=5 BENCH_DURATION=20 (seconds), BENCH_CONNECTIONS="1 16 64",
# BENCH_BACKENDS="sqlite postgres", BENCH_SCENARIOS="a b c d e", BENCH_HISTORY_ROWS=1000000,
# BENCH_BUILD_DIR=build-bench, BENCH_SKIP_BUILD=1 (use the binary already built).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH=$ROOT/bench
WARMUP=${BENCH_WARMUP:-5}
DURATION=${BENCH_DURATION:-20}
CONNECTIONS=${BENCH_CONNECTIONS:-"1 16 64"}
BACKENDS=${BENCH_BACKENDS:-"sqlite postgres"}
SCENARIOS=${BENCH_SCENARIOS:-"a b c d e"}
HISTORY_ROWS=${BENCH_HISTORY_ROWS:-1000000}
INFLIGHT=${BENCH_INFLIGHT:-10000}
BUILD_DIR=${BENCH_BUILD_DIR:-$ROOT/build-bench}
THREADS=2
RUNNER=$BUILD_DIR/clara-runner
EXECUTE_BODY='{"name":"Ada"}'

log() { echo "bench: $*" >&2; }
die() {
    log "$*"
    exit 1
}
has() { [[ " $1 " == *" $2 "* ]]; }

install_tools() {
    local missing=()
    command -v wrk >/dev/null || missing+=(wrk)
    command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || missing+=(nginx)
    command -v sqlite3 >/dev/null || missing+=(sqlite3)
    command -v curl >/dev/null || missing+=(curl)
    if has "$BACKENDS" postgres; then command -v psql >/dev/null || missing+=(postgresql-client); fi
    ((${#missing[@]} == 0)) && return 0
    [[ $(id -u) -eq 0 ]] || die "missing ${missing[*]}; install them as root (apt-get install)"
    log "installing ${missing[*]} with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

build_runner() {
    [[ ${BENCH_SKIP_BUILD:-0} == 1 && -x $RUNNER ]] && return 0
    log "building clara-runner (Release) in $BUILD_DIR"
    cmake -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release >/dev/null
    cmake --build "$BUILD_DIR" -j "$(nproc)" --target clara-runner >/dev/null
}

free_port() {
    python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

wait_http() {  # url, pid
    local attempt
    for ((attempt = 0; attempt < 150; ++attempt)); do
        curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
        kill -0 "$2" 2>/dev/null || return 1
        sleep 0.2
    done
    return 1
}

json_field() {  # python expression on `d`, reading JSON from stdin
    python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"
}

WORK=$(mktemp -d /tmp/clara-bench.XXXXXX)
# Traversable by others: as root, PostgreSQL runs as `postgres` and nginx workers as `nobody`.
chmod 711 "$WORK"
PIDS=()
PG_DIR=""
cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do
        kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
    done
    [[ -n $PG_DIR ]] && "$ROOT/scripts/pg-test-cluster.sh" stop "$PG_DIR" || true
    rm -rf "$WORK"
}
trap cleanup EXIT

# Starts the runner with DATABASE_URL $2 in its own folder; sets RUNNER_PID and RUNNER_URL.
start_runner() {
    local name=$1 database_url=$2 port
    port=$(free_port)
    mkdir -p "$WORK/$name"
    (cd "$WORK/$name" && exec env HOST=127.0.0.1 PORT="$port" BASE_URL="http://127.0.0.1:$port" \
        DATABASE_URL="$database_url" RATE_LIMIT_ENABLED=false MAX_CONCURRENT_EXECUTIONS=10000 \
        MAX_QUEUED_EXECUTIONS=100000 LOG_LEVEL=warn OUTBOUND_ALLOWLIST=127.0.0.1 \
        "$RUNNER" serve >"$WORK/$name/runner.log" 2>&1) &
    RUNNER_PID=$!
    PIDS+=("$RUNNER_PID")
    RUNNER_URL="http://127.0.0.1:$port"
    wait_http "$RUNNER_URL/health" "$RUNNER_PID" ||
        { tail -n 20 "$WORK/$name/runner.log" >&2; die "the runner ($name) did not start"; }
}

stop_runner() {
    kill "$RUNNER_PID" 2>/dev/null || true
    wait "$RUNNER_PID" 2>/dev/null || true
}

# Deploys workflow file $1 under name $2; prints "id key slug".
deploy() {
    local body
    body=$(python3 -c 'import json,sys; print(json.dumps({"name": sys.argv[2],
        "workflow": json.load(open(sys.argv[1]))}))' "$1" "$2")
    curl -fsS -X POST "$RUNNER_URL/api/deploy" -H 'Content-Type: application/json' -d "$body" |
        json_field 'd["deployment"]["id"], d["deployment"]["apiKey"], d["deployment"]["slug"]'
}

# measure SCENARIO BACKEND CONNECTIONS PID [measure.py options] -- LUA [env...]
measure() {
    local scenario=$1 backend=$2 connections=$3 pid=$4 url=$5
    shift 5
    local options=()
    while [[ $1 != -- ]]; do options+=("$1"); shift; done
    shift
    local lua=$1
    shift
    local threads=$THREADS
    ((connections < threads)) && threads=$connections  # wrk needs connections >= threads
    env BENCH_LUA_DIR="$BENCH/wrk" "$@" python3 "$BENCH/measure.py" --pid "$pid" \
        --out "$WORK/results.jsonl" --log "$WORK/wrk.log" --scenario "$scenario" \
        --backend "$backend" --connections "$connections" --warmup "$WARMUP" \
        --duration "$DURATION" "${options[@]}" -- \
        wrk -t"$threads" -c"$connections" --latency -s "$BENCH/wrk/$lua" "$url"
}

# The SQL (sqlite3 or psql) that counts rows, and the command running it.
count_cmd() {  # backend table
    if [[ $1 == sqlite ]]; then
        echo "sqlite3 -cmd '.timeout 10000' '$SQLITE_DB' 'SELECT count(*) FROM $2'"
    else
        echo "psql -X -At '$PG_URL' -c 'SELECT count(*) FROM $2'"
    fi
}

commits_cmd() {
    [[ $1 == postgres ]] || return 0
    echo "psql -X -At '$PG_URL' -c 'SELECT xact_commit FROM pg_stat_database \
WHERE datname = current_database()'"
}

# Fills workflow_executions with HISTORY_ROWS successful executions of workflow $2.
fill_history() {
    local backend=$1 workflow_id=$2 started=$SECONDS
    log "$backend: inserting $HISTORY_ROWS executions with SQL"
    if [[ $backend == sqlite ]]; then
        sqlite3 -cmd '.timeout 60000' "$SQLITE_DB" <<SQL
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $HISTORY_ROWS)
INSERT INTO workflow_executions (id, workflow_id, inputs, outputs, status, duration_ms,
                                 started_at, finished_at, created_at)
SELECT printf('00000000-0000-4000-8000-%012d', i), '$workflow_id', '{"name":"Ada"}',
       '{"greeting":"Hello, Ada"}', 'success', 0, t, t, t
FROM (SELECT i, strftime('%Y-%m-%dT%H:%M:%fZ', '2024-01-01', printf('+%d.%03d seconds',
      i / 1000, i % 1000)) AS t FROM n);
COMMIT;
SQL
    else
        psql -X -q -v ON_ERROR_STOP=1 "$PG_URL" <<SQL
INSERT INTO workflow_executions (id, workflow_id, inputs, outputs, status, duration_ms,
                                 started_at, finished_at, created_at)
SELECT gen_random_uuid(), '$workflow_id', '{"name":"Ada"}', '{"greeting":"Hello, Ada"}',
       'success', 0, t, t, t
FROM (SELECT timestamptz '2024-01-01 00:00:00+00' + i * interval '1 millisecond' AS t
      FROM generate_series(1, $HISTORY_ROWS) AS i) AS g;
-- As after any bulk load: statistics and visibility map now, not autovacuum mid-measurement.
VACUUM (ANALYZE) workflow_executions;
SQL
    fi
    log "$backend: inserted in $((SECONDS - started)) s"
}

# The `cursor` of the row 50 rows from the oldest of workflow $2 (the 51st oldest): the page
# after it holds the 50 oldest rows, the page that offset=HISTORY_ROWS-50 returns.
deep_cursor() {
    local backend=$1 workflow_id=$2 position
    ((HISTORY_ROWS > 50)) || die "BENCH_HISTORY_ROWS must be more than 50 for scenario d"
    if [[ $backend == sqlite ]]; then
        # fill_history's row i: id 00000000-0000-4000-8000-<i in 12 digits>, created at
        # 2024-01-01T00:00:00Z (1704067200000 ms) + i ms.
        position="$((1704067200000 + 51)).$(printf '00000000-0000-4000-8000-%012d' 51)"
    else
        position=$(psql -X -At -v ON_ERROR_STOP=1 "$PG_URL" -c "SELECT
            floor(extract(epoch FROM created_at) * 1000)::int8 || '.' || id
            FROM workflow_executions WHERE workflow_id = '$workflow_id'
            ORDER BY created_at, id OFFSET 50 LIMIT 1")
    fi
    [[ -n $position ]] || die "no execution 50 rows from the oldest"
    # The API's cursor: unpadded base64url of <created_at_ms>.<id>.
    printf '%s' "$position" | base64 -w0 | tr '+/' '-_' | tr -d '='
}

# Fails unless GET $1 (with key $2) answers the last 50 rows of the history: a cursor that the
# runner refused or that points elsewhere would measure something else.
check_deep_page() {
    local body
    body=$(curl -sS "$RUNNER_URL$1" -H "Authorization: Bearer $2")
    [[ $(json_field 'len(d["executions"]) == 50 and not d["pagination"]["hasMore"]' \
        <<<"$body" 2>/dev/null) == True ]] ||
        die "the deep page $1 is not the 50 oldest executions: ${body:0:300}"
}

bench_backend() {
    local backend=$1 database_url c run
    if [[ $backend == sqlite ]]; then
        SQLITE_DB=$WORK/sqlite/bench.db
        mkdir -p "$WORK/sqlite"
        database_url="sqlite:$SQLITE_DB"
    else
        PG_DIR=$WORK/pg
        PG_URL=$("$ROOT/scripts/pg-test-cluster.sh" start "$PG_DIR")
        database_url=$PG_URL
    fi
    start_runner "$backend" "$database_url"
    log "$backend: runner pid $RUNNER_PID on $RUNNER_URL"
    local pid=$RUNNER_PID url=$RUNNER_URL id key slug

    if has "$SCENARIOS" a; then
        read -r id key slug < <(deploy "$BENCH/workflows/greeter.json" "bench greeter")
        for c in $CONNECTIONS; do
            measure a "$backend" "$c" "$pid" "$url" --count-cmd "$(count_cmd "$backend" \
                workflow_executions)" --commits-cmd "$(commits_cmd "$backend")" -- execute.lua \
                BENCH_PATH="/api/workflows/$slug/execute" BENCH_KEY="$key" BENCH_BODY="$EXECUTE_BODY"
        done
        # RSS must stay flat when the same load is repeated (at the highest connection count).
        for run in 2 3; do
            measure a "$backend" "${CONNECTIONS##* }" "$pid" "$url" --run "$run" -- execute.lua \
                BENCH_PATH="/api/workflows/$slug/execute" BENCH_KEY="$key" BENCH_BODY="$EXECUTE_BODY"
        done
    fi
    if has "$SCENARIOS" b; then
        read -r id key slug < <(deploy "$WORK/text200.json" "bench text 200")
        for c in $CONNECTIONS; do
            measure b "$backend" "$c" "$pid" "$url" -- execute.lua \
                BENCH_PATH="/api/workflows/$slug/execute" BENCH_KEY="$key" BENCH_BODY="$EXECUTE_BODY"
        done
    fi
    # (e) before (d): its million rows must not slow the deploys down.
    if has "$SCENARIOS" e; then
        for c in $CONNECTIONS; do
            measure e "$backend" "$c" "$pid" "$url" -- deploy.lua \
                BENCH_WORKFLOW="$BENCH/workflows/greeter.json" BENCH_RUN="$backend$c-$RANDOM"
        done
    fi
    if has "$SCENARIOS" d; then
        read -r id key slug < <(deploy "$BENCH/workflows/greeter.json" "bench history")
        fill_history "$backend" "$id"
        local first deep
        first=$(seq -f 'limit=50&offset=%g' -s, 0 50 450)
        deep="limit=50&cursor=$(deep_cursor "$backend" "$id")"
        check_deep_page "/api/workflows/$slug/executions?$deep" "$key"
        for c in $CONNECTIONS; do
            measure d-first "$backend" "$c" "$pid" "$url" -- history.lua \
                BENCH_PATH="/api/workflows/$slug/executions" BENCH_KEY="$key" BENCH_QUERIES="$first"
        done
        # Keyset paging: the deep page costs what a first page costs, at any connection count.
        for c in $CONNECTIONS; do
            measure d-deep "$backend" "$c" "$pid" "$url" -- history.lua \
                BENCH_PATH="/api/workflows/$slug/executions" BENCH_KEY="$key" BENCH_QUERIES="$deep"
        done
    fi
    stop_runner
    # (c) has a memory target of its own (300 MB with 10,000 executions in flight): a runner of
    # its own, so that its peak does not count against the 60 MB of the other scenarios.
    if has "$SCENARIOS" c; then
        start_runner "$backend-inflight" "$database_url"
        bench_inflight "$backend" "$RUNNER_PID" "$RUNNER_URL"
        stop_runner
    fi
    if [[ $backend == postgres ]]; then
        "$ROOT/scripts/pg-test-cluster.sh" stop "$PG_DIR"
        PG_DIR=""
    fi
}

# (c): INFLIGHT executions at once, each waiting on a model that answers after 1 s (a child
# process of its own, so that its sockets do not count against the caller's file limit).
bench_inflight() {
    local backend=$1 pid=$2 url=$3 llm_port llm_pid id key slug
    llm_port=$(free_port)
    python3 "$BENCH/inflight.py" --serve-llm "$llm_port" --delay 1 >"$WORK/llm.log" 2>&1 &
    llm_pid=$!
    PIDS+=("$llm_pid")
    sleep 0.5
    sed "s|@LLM_URL@|http://127.0.0.1:$llm_port/v1|" "$BENCH/workflows/slow_llm.json" \
        >"$WORK/slow_llm.json"
    read -r id key slug < <(deploy "$WORK/slow_llm.json" "bench slow llm")
    python3 "$BENCH/inflight.py" --runner "$url" --pid "$pid" --slug "$slug" --key "$key" \
        --count "$INFLIGHT" --backend "$backend" --out "$WORK/results.jsonl" >&2
    kill "$llm_pid" 2>/dev/null || true
    wait "$llm_pid" 2>/dev/null || true
}

# nginx serving a copy of a real execute response (same size), as the ceiling for (a).
bench_nginx() {
    local port dir=$WORK/nginx c
    port=$(free_port)
    mkdir -p "$dir/www" "$dir/tmp"
    cp "$WORK/execute-response.json" "$dir/www/execute.json"
    sed -e "s|@DIR@|$dir|g" -e "s|@PORT@|$port|g" -e "s|@WORKERS@|$(nproc)|g" \
        "$BENCH/nginx.conf.template" >"$dir/nginx.conf"
    chmod -R a+rX "$dir"
    nginx -c "$dir/nginx.conf" -p "$dir" -e "$dir/error.log" &
    local pid=$!
    PIDS+=("$pid")
    wait_http "http://127.0.0.1:$port/execute.json" "$pid" || die "nginx did not start"
    for c in $CONNECTIONS; do
        # CPU and RSS are the master's only; its workers do the work, so they are not reported.
        measure a nginx "$c" "$pid" "http://127.0.0.1:$port" -- execute.lua \
            BENCH_PATH=/execute.json BENCH_KEY="" BENCH_BODY="$EXECUTE_BODY"
    done
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

# The execute response of (a), captured once on SQLite, sizes the nginx file.
capture_response() {
    SQLITE_DB=$WORK/capture/bench.db
    mkdir -p "$WORK/capture"
    start_runner capture "sqlite:$SQLITE_DB"
    local id key slug
    read -r id key slug < <(deploy "$BENCH/workflows/greeter.json" "bench greeter")
    curl -fsS -X POST "$RUNNER_URL/api/workflows/$slug/execute" -H "Authorization: Bearer $key" \
        -H 'Content-Type: application/json' -d "$EXECUTE_BODY" -o "$WORK/execute-response.json"
    stop_runner
}

# Median time of write + fsync of 4 KB in the work folder: the floor of a durable commit there.
fsync_probe() {
    python3 - "$WORK" <<'PY'
import os, statistics, sys, time
path = os.path.join(sys.argv[1], "fsync.probe")
fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
times = []
for _ in range(100):
    start = time.perf_counter()
    os.write(fd, b"x" * 4096)
    os.fsync(fd)
    times.append(time.perf_counter() - start)
os.close(fd)
os.unlink(path)
print(f"{statistics.median(times) * 1000:.3f}")
PY
}

main() {
    install_tools
    build_runner
    [[ -x $RUNNER ]] || die "no runner at $RUNNER"
    python3 "$BENCH/gen_text_workflow.py" 200 >"$WORK/text200.json"
    local fsync_ms load
    fsync_ms=$(fsync_probe)
    load=$(cut -d' ' -f1 /proc/loadavg)
    log "load average $load; fsync of the work folder's disk: median $fsync_ms ms"
    log "work folder $WORK; warm-up ${WARMUP}s, measured ${DURATION}s, connections $CONNECTIONS"
    if has "$SCENARIOS" a; then
        capture_response
        bench_nginx
    fi
    local backend
    for backend in $BACKENDS; do
        bench_backend "$backend"
    done
    mkdir -p "$BENCH/results"
    python3 "$BENCH/report.py" --results "$WORK/results.jsonl" --out "$BENCH/results/latest.md" \
        --root "$ROOT" --scenarios "$SCENARIOS" --warmup "$WARMUP" --duration "$DURATION" \
        --connections "$CONNECTIONS" --history-rows "$HISTORY_ROWS" \
        --response-bytes "$(stat -c %s "$WORK/execute-response.json" 2>/dev/null || echo 0)" \
        --fsync-ms "$fsync_ms" --load "$load"
    cp "$WORK/wrk.log" "$BENCH/results/latest-wrk.log" 2>/dev/null || true
}

main "$@"
