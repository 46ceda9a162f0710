#!/usr/bin/env python3
"""Turns the records of bench/measure.py into the results table and the target verdicts.

Prints the Markdown and writes it to --out (bench/results/latest.md).
"""
import argparse
import json
import os
import subprocess
from datetime import datetime, timezone

EXTRA_NODES_B = 200 - 4  # scenario (b) runs 200 nodes, (a) 4
SCENARIO_TITLES = {
    "a": "(a) execute: input + static-text -> combine-text -> output",
    "b": "(b) execute: 200 text nodes (chain of static-text/combine-text)",
    "c": "(c) 10,000 executions in flight on a 1 s LLM",
    "d-first": "(d) history, first 10 pages (offset 0..450, limit 50)",
    "d-deep": "(d) history, deep page by cursor (the 50 oldest rows: cursor of the 51st oldest, "
              "limit 50)",
    "e": "(e) deploy, distinct slugs",
}


def machine() -> str:
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{os.cpu_count()} CPUs (nproc), {model}"


def commit(root: str) -> str:
    def git(*args: str) -> str:
        out = subprocess.run(["git", "-C", root, *args], capture_output=True, text=True)
        return out.stdout.strip()
    head = git("rev-parse", "--short=12", "HEAD") or "unknown"
    return head + (" (with uncommitted changes)" if git("status", "--porcelain") else "")


def fmt(value, digits=2) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return f"{value:,}"


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--results", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--root", required=True)
    p.add_argument("--scenarios", default="a b c d e")
    p.add_argument("--warmup", default="5")
    p.add_argument("--duration", default="20")
    p.add_argument("--connections", default="1 16 64")
    p.add_argument("--history-rows", default="1000000")
    p.add_argument("--response-bytes", default="0")
    p.add_argument("--fsync-ms", default="?")
    p.add_argument("--load", default="?")
    o = p.parse_args()

    records = []
    if os.path.exists(o.results):
        with open(o.results) as f:
            records = [json.loads(line) for line in f if line.strip()]

    def find(scenario, backend, connections, run=1):
        for r in records:
            if (r["scenario"], r["backend"], r["connections"], r["run"]) == (
                    scenario, backend, connections, run):
                return r
        return None

    conns = [int(c) for c in o.connections.split()]
    low, high = min(conns), max(conns)
    short = int(o.duration) < 20 or int(o.warmup) < 5
    lines = [
        "# Benchmark results" + (" (SHORT RUN: not the standard 5 s + 20 s)" if short else ""),
        "",
        f"* Date: {datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}",
        f"* Machine: {machine()}; load average at the start {o.load}; write+fsync of 4 KB in the "
        f"work folder: median {o.fsync_ms} ms (every execute waits for its durable commit)",
        f"* Commit: {commit(o.root)}",
        f"* Command: `make bench` (bench/run.sh): wrk -t2 (-t1 at 1 connection) --latency, "
        f"{o.warmup} s warm-up + {o.duration} s measured, connections {o.connections}; "
        f"execute response {o.response_bytes} bytes; history rows {int(o.history_rows):,}",
        "* Server RSS and CPU are the runner process's only (nginx: its master process, so "
        "blank); on PostgreSQL the database server's own CPU is not included",
        "",
        "| scenario | server | conns | req/s | p50 ms | p99 ms | errors | RSS peak MB | "
        "CPU µs/req | rows/req | db commits |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    order = ["a", "b", "c", "d-first", "d-deep", "e"]
    for scenario in order:
        if scenario == "c":
            for r in (r for r in records if r["scenario"] == "c"):
                lines.append(
                    f"| c | {r['backend']} | {r['connections']} in flight | "
                    f"{r['ok']} ok, last after {r['last_answer_s']} s | first {r['first_answer_s']} s | "
                    f"spread {r['spread_s']} s | {r['non_200'] + r['transport_errors']} | "
                    f"{fmt(r['rss_peak_mb'], 1)} (idle after: {fmt(r.get('rss_rest_mb'), 1)}) | "
                    f"{r['threads_peak']} threads | | |")
            continue
        rows = [r for r in records if r["scenario"] == scenario]
        rows.sort(key=lambda r: (["nginx", "sqlite", "postgres"].index(r["backend"])
                                 if r["backend"] in ("nginx", "sqlite", "postgres") else 9,
                                 r["run"], r["connections"]))
        for r in rows:
            nginx = r["backend"] == "nginx"
            label = scenario if r["run"] == 1 else f"{scenario} (repeat {r['run']})"
            lines.append(
                f"| {label} | {r['backend']} | {r['connections']} | {fmt(r['rps'], 0)} | "
                f"{r['p50_ms']:.3f} | {r['p99_ms']:.3f} | {r['errors']} | "
                f"{'' if nginx else fmt(r['rss_peak_mb'], 1)} | "
                f"{'' if nginx else fmt(r['cpu_us_per_req'], 1)} | "
                f"{fmt(r.get('rows_per_req'), 3) if 'rows_per_req' in r else ''} | "
                f"{fmt(r.get('db_commits')) if 'db_commits' in r else ''} |")
    lines += ["", "Scenarios: " + "; ".join(f"{k} = {v}" for k, v in SCENARIO_TITLES.items()),
              ""]

    targets = []

    def target(name, passed, measured):
        verdict = "–" if passed is None else ("PASS" if passed else "FAIL")
        targets.append(f"| {name} | {measured} | {verdict} |")

    ng, sq, pg = (find("a", b, high) for b in ("nginx", "sqlite", "postgres"))
    if ng and sq:
        ratio = sq["rps"] / ng["rps"]
        target(f"(a) SQLite req/s at {high} ≥ 25% of nginx", ratio >= 0.25,
               f"{sq['rps']:,.0f} / {ng['rps']:,.0f} = {ratio:.1%}")
    if ng and pg:
        goal = min(20000.0, 0.12 * ng["rps"])
        target(f"(a) PostgreSQL req/s at {high} ≥ min(20,000, 12% of nginx)", pg["rps"] >= goal,
               f"{pg['rps']:,.0f} vs {goal:,.0f} ({pg['rps'] / ng['rps']:.1%} of nginx)")
    if sq:
        target(f"(a) SQLite p99 at {high} ≤ 5 ms", sq["p99_ms"] <= 5.0, f"{sq['p99_ms']:.3f} ms")
    sq1 = find("a", "sqlite", low)
    if sq1:
        target(f"(a) SQLite p50 at {low} ≤ 0.2 ms", sq1["p50_ms"] <= 0.2, f"{sq1['p50_ms']:.3f} ms")
    for backend in ("sqlite", "postgres"):
        mine = [r for r in records if r["backend"] == backend and r["scenario"] != "c"]
        if not mine:
            continue
        peak = max(r["hwm_mb"] for r in mine)
        target(f"RSS ≤ 60 MB ({backend}, VmHWM over all scenarios)", peak <= 60.0,
               f"{peak:.1f} MB")
        runs = [find("a", backend, high, n) for n in (1, 2, 3)]
        if all(runs):
            ends = [r["rss_end_mb"] for r in runs]
            flat = ends[2] <= ends[0] * 1.05 + 1.0
            target(f"RSS flat across repeated (a) runs at {high} ({backend}; ≤ +5% +1 MB)", flat,
                   " → ".join(f"{e:.1f}" for e in ends) + " MB")
    for backend in ("sqlite", "postgres"):
        a_hi, b_hi = find("a", backend, high), find("b", backend, high)
        a_lo, b_lo = find("a", backend, low), find("b", backend, low)
        if a_hi and b_hi and a_lo and b_lo:
            by_cpu = (b_hi["cpu_us_per_req"] - a_hi["cpu_us_per_req"]) / EXTRA_NODES_B
            by_latency = (b_lo["p50_ms"] - a_lo["p50_ms"]) * 1000 / EXTRA_NODES_B
            worst = max(by_cpu, by_latency)
            target(f"(b) engine overhead per node < 5 µs ({backend}; worse of CPU at {high}, "
                   f"p50 at {low}, ÷ {EXTRA_NODES_B} extra nodes)", worst < 5.0,
                   f"CPU {by_cpu:.2f} µs, latency {by_latency:.2f} µs")
    for scenario, page in (("d-first", "first page"), ("d-deep", "deep page (cursor)")):
        for backend in ("sqlite", "postgres"):
            one, many = find(scenario, backend, low), find(scenario, backend, high)
            if one:
                extra = f" (at {high}: {many['p99_ms']:.2f} ms)" if many else ""
                target(f"(d) {page} p99 ≤ 10 ms ({backend}, {low} conn)",
                       one["p99_ms"] <= 10.0, f"{one['p99_ms']:.2f} ms{extra}")
    for r in (r for r in records if r["scenario"] == "c"):
        complete = r["ok"] == r["connections"] == 10000
        target(f"(c) 10,000 in flight all done within 2.5 s of the first answer ({r['backend']})",
               complete and r["spread_s"] <= 2.5,
               f"{r['ok']:,} of {r['connections']:,} ok, spread {r['spread_s']} s"
               + ("" if r["first_error"] is None else f"; first error {r['first_error']}"))
        target(f"(c) RSS ≤ 300 MB ({r['backend']})", r["rss_peak_mb"] <= 300.0,
               f"{r['rss_peak_mb']:.1f} MB, {r['threads_peak']} threads")

    lines += ["## Targets", "", "| target | measured | verdict |", "|---|---|---|", *targets, ""]
    text = "\n".join(lines)
    print(text)
    with open(o.out, "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
