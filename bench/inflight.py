#!/usr/bin/env python3
"""Scenario (c): many executions in flight at once, each waiting on a slow model.

    inflight.py --runner URL --pid PID --slug SLUG --key KEY --count 10000 --out FILE

The model is an OpenAI-compatible chat server started here (`--serve-llm PORT` in a child
process, so its sockets do not count against this process) that answers every request after
--delay seconds. This process first opens --count connections to the runner, then sends one
execute request on each, all at once, and waits for every answer: so the measurement covers
the runner holding the executions rather than this process ramping up its connections. It
reports when the first and the last answer arrived (from the moment the requests were sent), how
many succeeded, and the runner's peak RSS and thread count (sampled every 50 ms from /proc) as
one JSON line appended to --out.

Only the Python standard library is used (asyncio).
"""
import argparse
import asyncio
import json
import os
import sys
import threading
import time


# -- the slow model -------------------------------------------------------------------------------

async def handle_llm(reader, writer, delay):
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            body = json.loads(await reader.readexactly(length)) if length else {}
            await asyncio.sleep(delay)
            answer = json.dumps({
                "id": "chatcmpl-bench", "object": "chat.completion", "created": int(time.time()),
                "model": body.get("model", "bench"),
                "choices": [{"index": 0, "finish_reason": "stop",
                             "message": {"role": "assistant", "content": "ok"}}],
                "usage": {"prompt_tokens": 5, "completion_tokens": 1, "total_tokens": 6},
            }).encode()
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                         b"Content-Length: " + str(len(answer)).encode() + b"\r\n\r\n" + answer)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def serve_llm(port, delay):
    server = await asyncio.start_server(lambda r, w: handle_llm(r, w, delay), "127.0.0.1", port,
                                        backlog=16384)
    print("ready", flush=True)
    async with server:
        await server.serve_forever()


# -- the callers ----------------------------------------------------------------------------------

def sample_runner(pid, stop, peaks):
    while not stop.is_set():
        try:
            with open(f"/proc/{pid}/status") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        peaks["rss_kb"] = max(peaks["rss_kb"], int(line.split()[1]))
                    elif line.startswith("Threads:"):
                        peaks["threads"] = max(peaks["threads"], int(line.split()[1]))
        except OSError:
            return
        stop.wait(0.05)


async def connect(host, port, connect_gate):
    async with connect_gate:  # ramp connections up so the listen backlog never overflows
        return await asyncio.open_connection(host, port)


async def execute_once(connection, request):
    reader, writer = connection
    try:
        writer.write(request)
        await writer.drain()
        head = await reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":", 1)[1])
        await reader.readexactly(length)
        return status, time.monotonic()
    finally:
        writer.close()


async def run_callers(options):
    host, port = options.runner.removeprefix("http://").split(":")
    body = json.dumps({options.field: "hello"}).encode()
    request = (f"POST /api/workflows/{options.slug}/execute HTTP/1.1\r\nHost: {host}\r\n"
               f"Authorization: Bearer {options.key}\r\nContent-Type: application/json\r\n"
               f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode() + body
    gate = asyncio.Semaphore(512)
    connected = await asyncio.gather(
        *(connect(host, int(port), gate) for _ in range(options.count)), return_exceptions=True)
    connections = [c for c in connected if not isinstance(c, BaseException)]
    failures = [c for c in connected if isinstance(c, BaseException)]
    started = time.monotonic()
    results = await asyncio.gather(*(execute_once(c, request) for c in connections),
                                   return_exceptions=True)
    answered = [r for r in results if not isinstance(r, BaseException)]
    failures += [r for r in results if isinstance(r, BaseException)]
    ok = [t for status, t in answered if status == 200]
    times = [t for _, t in answered]
    return {
        "sent": options.count,
        "ok": len(ok),
        "non_200": len(answered) - len(ok),
        "transport_errors": len(failures),
        "first_error": repr(failures[0]) if failures else None,
        "first_answer_s": round(min(times) - started, 3) if times else None,
        "last_answer_s": round(max(times) - started, 3) if times else None,
        "spread_s": round(max(times) - min(times), 3) if times else None,
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--serve-llm", type=int, help="run only the slow model on this port")
    parser.add_argument("--delay", type=float, default=1.0)
    parser.add_argument("--runner")
    parser.add_argument("--pid", type=int)
    parser.add_argument("--slug")
    parser.add_argument("--key")
    parser.add_argument("--field", default="message")
    parser.add_argument("--count", type=int, default=10000)
    parser.add_argument("--backend", default="sqlite")
    parser.add_argument("--out")
    options = parser.parse_args()
    if options.serve_llm is not None:
        asyncio.run(serve_llm(options.serve_llm, options.delay))
        return
    peaks = {"rss_kb": 0, "threads": 0}
    stop = threading.Event()
    sampler = threading.Thread(target=sample_runner, args=(options.pid, stop, peaks))
    sampler.start()
    try:
        outcome = asyncio.run(run_callers(options))
    finally:
        stop.set()
        sampler.join()
    record = {"scenario": "c", "backend": options.backend, "connections": options.count, "run": 1,
              **outcome, "rss_peak_mb": round(peaks["rss_kb"] / 1024, 1),
              "threads_peak": peaks["threads"]}
    print(json.dumps(record))
    if options.out:
        with open(options.out, "a") as out:
            out.write(json.dumps(record) + "\n")


if __name__ == "__main__":
    sys.exit(main())
