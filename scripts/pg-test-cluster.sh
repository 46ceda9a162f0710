#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the storage tests, entirely inside DIR.
#
#   scripts/pg-test-cluster.sh start DIR   # create + start; prints the connection URL
#   scripts/pg-test-cluster.sh url DIR     # prints the URL of the cluster running in DIR
#   scripts/pg-test-cluster.sh stop DIR    # stops it (if running) and removes DIR
#
# The cluster listens on 127.0.0.1 only, on a free port, with its socket folder inside DIR and
# trust authentication for local clients. It has a database `clara_test` owned by the role
# `clara` (which may create further databases), reached as
#   postgresql://clara@127.0.0.1:<port>/clara_test
# Installs the `postgresql` package with apt-get when no server binaries are present. Never
# starts, stops or changes any other cluster on the machine. As root, the cluster runs as the
# `postgres` OS user (the server refuses to run as root), so DIR is handed to that user.
#
# Typical use in a test runner:
#   dir=$(mktemp -d /tmp/clara-pg.XXXXXX)
#   trap 'scripts/pg-test-cluster.sh stop "$dir"' EXIT
#   url=$(scripts/pg-test-cluster.sh start "$dir")   # a separate line, so `set -e` sees failures
#   export CLARA_TEST_POSTGRES_URL=$url
set -euo pipefail

readonly kDatabase=clara_test
readonly kRole=clara
readonly kStartAttempts=5

die() {
    echo "pg-test-cluster: $*" >&2
    exit 1
}

usage() {
    die "usage: $0 start|stop|url DIR"
}

# The bin folder of the newest installed server, or nothing.
find_bin_dir() {
    local candidate best=""
    for candidate in /usr/lib/postgresql/*/bin; do
        [[ -x "$candidate/initdb" && -x "$candidate/pg_ctl" ]] || continue
        if [[ -z "$best" ]] ||
            (("$(basename "$(dirname "$candidate")")" > "$(basename "$(dirname "$best")")")); then
            best="$candidate"
        fi
    done
    echo "$best"
}

install_server() {
    [[ $(id -u) -eq 0 ]] || die "no PostgreSQL server binaries; install 'postgresql' as root"
    echo "pg-test-cluster: installing postgresql with apt-get" >&2
    # Keep the package from creating (and starting) a default system cluster: the tests need
    # only the binaries. The setting is written only where postgresql-common is not installed
    # yet, and --force-confold keeps it when the package's own copy arrives.
    if [[ ! -e /etc/postgresql-common/createcluster.conf ]]; then
        mkdir -p /etc/postgresql-common
        echo "create_main_cluster = false" >/etc/postgresql-common/createcluster.conf
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq --no-install-recommends -o Dpkg::Options::=--force-confold \
        postgresql >&2
}

# Runs a command as the cluster's owner: `postgres` when we are root, ourselves otherwise.
as_owner() {
    if [[ $(id -u) -eq 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

free_port() {
    python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}

url_of() {
    local dir=$1
    [[ -f "$dir/port" ]] || die "no cluster in $dir (run: $0 start $dir)"
    echo "postgresql://$kRole@127.0.0.1:$(cat "$dir/port")/$kDatabase"
}

start_cluster() {
    local dir=$1
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    [[ -z "$(ls -A "$dir")" ]] || die "$dir is not empty"

    local bin
    bin=$(find_bin_dir)
    if [[ -z "$bin" ]]; then
        install_server
        bin=$(find_bin_dir)
        [[ -n "$bin" ]] || die "initdb not found under /usr/lib/postgresql after installing"
    fi

    mkdir -p "$dir/data" "$dir/run"
    if [[ $(id -u) -eq 0 ]]; then
        id postgres >/dev/null 2>&1 || die "the 'postgres' OS user does not exist"
        chown -R postgres: "$dir"
        as_owner test -w "$dir/data" ||
            die "user postgres cannot write $dir (a parent folder is not searchable)"
    fi
    chmod 700 "$dir/data"

    as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 \
        --locale=C >"$dir/initdb.log" 2>&1 || {
        cat "$dir/initdb.log" >&2
        die "initdb failed"
    }
    # Only loopback TCP and the private socket; trust is safe there.
    as_owner tee "$dir/data/pg_hba.conf" >/dev/null <<EOF
local all all              trust
host  all all 127.0.0.1/32 trust
EOF

    local attempt port=""
    for ((attempt = 1; attempt <= kStartAttempts; ++attempt)); do
        port=$(free_port)
        # Durable like production: fsync and synchronous commit stay on.
        as_owner tee "$dir/data/postgresql.auto.conf" >/dev/null <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir/run'
fsync = on
synchronous_commit = on
max_connections = 200
logging_collector = off
EOF
        if as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start \
            >/dev/null 2>&1; then
            break
        fi
        # Most likely another process took the port between the check and the start.
        port=""
    done
    if [[ -z "$port" ]]; then
        tail -n 20 "$dir/server.log" >&2 || true
        die "the server did not start (see $dir/server.log)"
    fi
    echo "$port" >"$dir/port"

    local psql=("$bin/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir/run" -p "$port" -U postgres
        -d postgres)
    as_owner "${psql[@]}" -c "CREATE ROLE $kRole LOGIN CREATEDB" >/dev/null
    as_owner "${psql[@]}" -c "CREATE DATABASE $kDatabase OWNER $kRole" >/dev/null
    url_of "$dir"
}

stop_cluster() {
    local dir=$1
    [[ -d "$dir" ]] || return 0
    if [[ -f "$dir/data/postmaster.pid" ]]; then
        local bin
        bin=$(find_bin_dir)
        if [[ -n "$bin" ]]; then
            as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null 2>&1 ||
                as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w -t 30 stop >/dev/null 2>&1 ||
                echo "pg-test-cluster: pg_ctl stop failed for $dir" >&2
        fi
    fi
    rm -rf "$dir"
}

[[ $# -eq 2 ]] || usage
case "$1" in
start) start_cluster "$2" ;;
stop) stop_cluster "$2" ;;
url) url_of "$2" ;;
*) usage ;;
esac
