#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan + UBSan) into ${BUILD_DIR:-build}/fuzz and runs each
# for [seconds] (default 60) on a scratch copy of its corpus in tests/fuzz/corpus/<target>, so
# the kept corpus never changes; dict/<target>.dict, when present, is passed as a dictionary.
# Fails when a target does not build or finds a crash; crash reproducers and logs stay in the
# scratch directory, whose path is printed.
#   usage: tests/fuzz/run-fuzzers.sh [seconds] [target...]
set -euo pipefail

seconds=${1:-60}
shift || true
fuzz_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build_dir=$(realpath -m "${BUILD_DIR:-build}")/fuzz
compiler=${CLARA_FUZZ_CXX:-clang++-14}
targets=("$@")
((${#targets[@]})) || targets=(workflow expression json_path http_request input_validator)

if ! command -v "$compiler" >/dev/null 2>&1; then
    echo "run-fuzzers: $compiler not found (scripts/install-deps.sh installs clang-14)" >&2
    exit 1
fi

build_started=$SECONDS
cmake -S "$fuzz_dir" -B "$build_dir" -DCMAKE_CXX_COMPILER="$compiler" >/dev/null
cmake --build "$build_dir" -j"${CLARA_FUZZ_JOBS:-2}" \
    --target "${targets[@]/%/_fuzzer}" >/dev/null
echo "run-fuzzers: built in $((SECONDS - build_started))s"

scratch=$(mktemp -d "${TMPDIR:-/tmp}/clara-fuzz.XXXXXX")
failed=()
for target in "${targets[@]}"; do
    work="$scratch/$target"
    mkdir -p "$work/corpus" "$work/artifacts"
    cp -R "$fuzz_dir/corpus/$target/." "$work/corpus/"
    dict=()
    [[ -f "$fuzz_dir/dict/$target.dict" ]] && dict=(-dict="$fuzz_dir/dict/$target.dict")
    started=$SECONDS
    # Leaks and UBSan reports end the run too (halt_on_error / -fno-sanitize-recover).
    if ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0} \
        UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
        "$build_dir/${target}_fuzzer" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
        -print_final_stats=1 -artifact_prefix="$work/artifacts/" "${dict[@]}" "$work/corpus" \
        >"$work/log" 2>&1; then
        runs=$(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "$work/log" | grep -o '[0-9]*$')
        echo "run-fuzzers: $target ok: ${runs:-?} runs in $((SECONDS - started))s," \
            "corpus $(find "$work/corpus" -type f | wc -l) files"
    else
        failed+=("$target")
        echo "run-fuzzers: $target FAILED after $((SECONDS - started))s; log and reproducer:" >&2
        echo "  $work/log" >&2
        find "$work/artifacts" -type f -printf '  %p\n' >&2
        grep -m1 -A12 -E '^==[0-9]+==ERROR|runtime error|deadly signal|Timeout|out-of-memory' \
            "$work/log" >&2 || tail -n 20 "$work/log" >&2
    fi
done

if ((${#failed[@]})); then
    echo "run-fuzzers: crashes in: ${failed[*]} (scratch kept in $scratch)" >&2
    exit 1
fi
rm -rf "$scratch"
