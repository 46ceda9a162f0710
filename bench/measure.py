#!/usr/bin/env python3
"""Runs one wrk measurement against a server process and appends a JSON record to a file.

    measure.py --pid PID --out FILE --scenario a --backend sqlite --connections 64 \
        --warmup 5 --duration 20 [--count-cmd CMD] [--commits-cmd CMD] -- wrk ARGS...

Runs wrk twice with the same ARGS: a warm-up of --warmup seconds (output discarded) and the
measured run of --duration seconds (-d is appended). During the measured run it samples the
server's VmRSS every 50 ms; before and after it reads utime+stime from /proc/PID/stat, and, when
given, runs --count-cmd (prints a row count) and --commits-cmd (prints a commit counter), waiting
for the count to settle because executions are recorded asynchronously.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import threading
import time

CLK_TCK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # After the command name: state is field 3, utime 14, stime 15 (1-based in proc(5)).
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def status_kb(pid: int, name: str) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(name + ":"):
                return int(line.split()[1])
    return 0


def run_number(cmd: str) -> int | None:
    if not cmd:
        return None
    out = subprocess.run(cmd, shell=True, capture_output=True, text=True)
    try:
        return int(out.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        print(f"measure: count command failed: {out.stderr.strip()}", file=sys.stderr)
        return None


def settled_count(cmd: str, limit_s: float = 15.0) -> int | None:
    """The count once it stops changing (the recorder flushes in batches)."""
    last = run_number(cmd)
    deadline = time.monotonic() + limit_s
    stable = 0
    while last is not None and time.monotonic() < deadline and stable < 2:
        time.sleep(0.25)
        now = run_number(cmd)
        stable = stable + 1 if now == last else 0
        last = now
    return last


def run_wrk(args: list[str], seconds: int) -> str:
    out = subprocess.run(args + ["-d", f"{seconds}s"], capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"measure: wrk failed ({out.returncode}): {out.stderr.strip()}")
    return out.stdout


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pid", type=int, required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--scenario", required=True)
    parser.add_argument("--backend", required=True)
    parser.add_argument("--connections", type=int, required=True)
    parser.add_argument("--run", type=int, default=1)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--duration", type=int, default=20)
    parser.add_argument("--count-cmd", default="")
    parser.add_argument("--commits-cmd", default="")
    parser.add_argument("--log", default="")
    parser.add_argument("wrk", nargs=argparse.REMAINDER)
    opts = parser.parse_args()
    wrk = opts.wrk[1:] if opts.wrk and opts.wrk[0] == "--" else opts.wrk

    if opts.warmup > 0:
        run_wrk(wrk, opts.warmup)

    rows_before = settled_count(opts.count_cmd) if opts.count_cmd else None
    commits_before = run_number(opts.commits_cmd)
    cpu_before = cpu_seconds(opts.pid)
    peak_rss = status_kb(opts.pid, "VmRSS")
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak_rss
        while not stop.wait(0.05):
            try:
                peak_rss = max(peak_rss, status_kb(opts.pid, "VmRSS"))
            except OSError:
                return

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output = run_wrk(wrk, opts.duration)
    stop.set()
    sampler.join()
    cpu_after = cpu_seconds(opts.pid)
    rows_after = settled_count(opts.count_cmd) if opts.count_cmd else None
    if opts.commits_cmd:
        time.sleep(1.5)  # PostgreSQL publishes backend statistics at most once a second
    commits_after = run_number(opts.commits_cmd)

    if opts.log:
        with open(opts.log, "a") as log:
            log.write(f"### {opts.scenario} {opts.backend} c={opts.connections}\n{output}\n")
    match = re.search(r"^BENCH_SUMMARY (\{.*\})$", output, re.M)
    if not match:
        raise SystemExit("measure: no BENCH_SUMMARY line in the wrk output:\n" + output)
    summary = json.loads(match.group(1))
    requests = summary["requests"]
    seconds = summary["duration_us"] / 1e6
    errors = summary["errors"]
    record = {
        "scenario": opts.scenario,
        "backend": opts.backend,
        "connections": opts.connections,
        "run": opts.run,
        "duration_s": round(seconds, 2),
        "requests": requests,
        "rps": requests / seconds if seconds else 0.0,
        "p50_ms": summary["latency_us"]["p50"] / 1000,
        "p99_ms": summary["latency_us"]["p99"] / 1000,
        "errors": sum(errors.values()),
        "non2xx": errors["status"],
        "rss_peak_mb": peak_rss / 1024,
        "rss_end_mb": status_kb(opts.pid, "VmRSS") / 1024,
        "hwm_mb": status_kb(opts.pid, "VmHWM") / 1024,
        "cpu_us_per_req": (cpu_after - cpu_before) * 1e6 / requests if requests else None,
    }
    if rows_before is not None and rows_after is not None and requests:
        record["rows_per_req"] = (rows_after - rows_before) / requests
    if commits_before is not None and commits_after is not None:
        record["db_commits"] = commits_after - commits_before
    with open(opts.out, "a") as f:
        f.write(json.dumps(record) + "\n")
    print(f"  {opts.scenario:<8} {opts.backend:<9} c={opts.connections:<3} "
          f"{record['rps']:>9.0f} req/s  p50 {record['p50_ms']:.3f} ms  "
          f"p99 {record['p99_ms']:.3f} ms  errors {record['errors']}", flush=True)


if __name__ == "__main__":
    main()
