#!/usr/bin/env bash
# Installs the Debian packages the build and the tests need. Idempotent: packages that are
# already present are not fetched again, and apt is only asked when something is missing.
set -euo pipefail

packages=(
    build-essential cmake pkg-config ccache
    libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
    libssl-dev libsqlite3-dev libpq-dev libpoppler-cpp-dev libspdlog-dev libfmt-dev libcli11-dev
    libgtest-dev libgmock-dev
    python3 sqlite3 curl ca-certificates
)

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
