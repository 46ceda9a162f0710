#!/usr/bin/env bash
# Installs the Debian packages the build and the tests need. Idempotent: packages that are
# already present are not fetched again, and apt is only asked when something is missing.
set -euo pipefail

packages=(
    build-essential cmake pkg-config ccache
    libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
    libssl-dev libsqlite3-dev libpq-dev libpoppler-cpp-dev libspdlog-dev libfmt-dev libcli11-dev
    libvalijson-dev
    libgtest-dev libgmock-dev
    clang-14 libclang-rt-14-dev
    python3 sqlite3 curl ca-certificates
    chromium
)
# Node.js and npm fetch Swagger UI and the browser-test tools (package.json). A machine image may
# bring its own, newer Node; Debian's is installed only when there is none.
command -v node >/dev/null 2>&1 || packages+=(nodejs npm)

missing=()
for pkg in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done

if ((${#missing[@]})); then
    echo "Installing: ${missing[*]}"
    sudo_cmd=()
    [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
    "${sudo_cmd[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}"
fi
