#!/usr/bin/env python3
"""Scenario (c): many executions in flight at once, each waiting on a slow model.

    inflight.py --runner URL --pid PID --slug SLUG --key KEY --count 10000 --out FILE

The model is an OpenAI-compatible chat server started here (`--serve-llm PORT` in a child
process, so its sockets do not count against this process) that answers every request after
--delay seconds. This process first opens --count connections to the runner, then sends one
execute request on each, all at once, and waits for every answer: so the measurement covers
the runner holding the executions rather than this process ramping up its connections. It
reports when the first and the last answer arrived (from the moment the requests were sent), how
many succeeded, the runner's peak RSS and thread count (sampled every 50 ms from /proc), and its
RSS once it has been idle for --rest seconds after the last answer, as one JSON line appended to
--out.

Both sides are single-threaded event loops on raw non-blocking sockets (`selectors`, the
standard library), because they share the machine's two cores with the runner: every
microsecond they spend is taken from the runner being measured.
"""
import argparse
import collections
import errno
import json
import selectors
import socket
import sys
import threading
import time

HEADER_END = b"\r\n\r\n"


def content_length(head):
    """The Content-Length of an HTTP head (bytes up to the blank line), 0 when absent."""
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value)
    return 0


def split_message(buffer):
    """(status line or request line, message length) once a whole message is buffered."""
    end = buffer.find(HEADER_END)
    if end < 0:
        return None
    head = buffer[:end]
    total = end + len(HEADER_END) + content_length(head)
    return (head, total) if len(buffer) >= total else None


# -- the slow model -------------------------------------------------------------------------------

def llm_answer():
    body = json.dumps({
        "id": "chatcmpl-bench", "object": "chat.completion", "created": int(time.time()),
        "model": "bench",
        "choices": [{"index": 0, "finish_reason": "stop",
                     "message": {"role": "assistant", "content": "ok"}}],
        "usage": {"prompt_tokens": 5, "completion_tokens": 1, "total_tokens": 6},
    }).encode()
    return (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
            + str(len(body)).encode() + b"\r\n\r\n" + body)


def serve_llm(port, delay):
    """Answers each complete request `delay` seconds after it arrived, keeping connections."""
    answer = llm_answer()
    selector = selectors.DefaultSelector()
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen(16384)
    listener.setblocking(False)
    selector.register(listener, selectors.EVENT_READ, None)
    buffers = {}
    due = collections.deque()  # (time, socket): the delay is constant, so arrival order is due order
    print("ready", flush=True)
    while True:
        timeout = max(0.0, due[0][0] - time.monotonic()) if due else None
        for key, _ in selector.select(timeout):
            sock = key.fileobj
            if sock is listener:
                while True:
                    try:
                        connection, _ = listener.accept()
                    except BlockingIOError:
                        break
                    connection.setblocking(False)
                    buffers[connection] = b""
                    selector.register(connection, selectors.EVENT_READ, None)
                continue
            try:
                data = sock.recv(65536)
            except ConnectionError:
                data = b""
            if not data:
                selector.unregister(sock)
                buffers.pop(sock, None)
                sock.close()
                continue
            buffer = buffers[sock] + data
            while (message := split_message(buffer)) is not None:
                buffer = buffer[message[1]:]
                due.append((time.monotonic() + delay, sock))
            buffers[sock] = buffer
        now = time.monotonic()
        while due and due[0][0] <= now:
            _, sock = due.popleft()
            if sock in buffers:
                try:
                    sock.send(answer)  # a few hundred bytes: fits the socket buffer
                except OSError:
                    pass


# -- the callers ----------------------------------------------------------------------------------

def rss_kb(pid):
    """The process's resident set now, in KiB (0 once it is gone)."""
    try:
        with open(f"/proc/{pid}/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))
    except (OSError, StopIteration):
        return 0


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


def connect_all(address, count, errors):
    """`count` connected non-blocking sockets, at most 512 connecting at a time so that the
    runner's listen backlog never overflows."""
    selector = selectors.DefaultSelector()
    connected = []
    pending = 0
    started = 0
    while len(connected) + len(errors) < count:
        while pending < 512 and started < count:
            sock = socket.socket()
            sock.setblocking(False)
            code = sock.connect_ex(address)
            started += 1
            if code not in (0, errno.EINPROGRESS):
                errors.append(OSError(code, "connect"))
                sock.close()
                continue
            selector.register(sock, selectors.EVENT_WRITE)
            pending += 1
        for key, _ in selector.select(10):
            sock = key.fileobj
            selector.unregister(sock)
            pending -= 1
            code = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if code:
                errors.append(OSError(code, "connect"))
                sock.close()
            else:
                connected.append(sock)
    selector.close()
    return connected


def send_all_and_read(connections, request):
    """Sends `request` on every connection, then reads one response from each; returns the start
    time and the (status, arrival time) of every answer."""
    selector = selectors.DefaultSelector()
    buffers = {}
    started = time.monotonic()
    for sock in connections:
        sock.send(request)  # a few hundred bytes: fits the socket buffer
        buffers[sock] = b""
        selector.register(sock, selectors.EVENT_READ)
    answers = []
    while buffers:
        events = selector.select(60)
        if not events:
            break  # nothing for a minute: the rest count as lost
        now = time.monotonic()
        for key, _ in events:
            sock = key.fileobj
            try:
                data = sock.recv(65536)
            except ConnectionError:
                data = b""
            buffer = buffers[sock] + data
            message = split_message(buffer)
            if message is not None or not data:
                selector.unregister(sock)
                del buffers[sock]
                sock.close()
                if message is not None:
                    answers.append((int(message[0].split(b" ", 2)[1]), now))
            else:
                buffers[sock] = buffer
    selector.close()
    return started, answers, len(buffers)


def run_callers(options):
    host, port = options.runner.removeprefix("http://").split(":")
    body = json.dumps({options.field: "hello"}).encode()
    request = (f"POST /api/workflows/{options.slug}/execute HTTP/1.1\r\nHost: {host}\r\n"
               f"Authorization: Bearer {options.key}\r\nContent-Type: application/json\r\n"
               f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode() + body
    errors = []
    connections = connect_all((host, int(port)), options.count, errors)
    started, answers, unanswered = send_all_and_read(connections, request)
    ok = [t for status, t in answers if status == 200]
    times = [t for _, t in answers]
    statuses = collections.Counter(status for status, _ in answers)
    return {
        "sent": options.count,
        "ok": len(ok),
        "non_200": len(answers) - len(ok),
        "statuses": {str(status): n for status, n in sorted(statuses.items())},
        "transport_errors": len(errors) + unanswered,
        "first_error": repr(errors[0]) if errors else None,
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
    parser.add_argument("--rest", type=float, default=12.0)
    parser.add_argument("--out")
    options = parser.parse_args()
    if options.serve_llm is not None:
        serve_llm(options.serve_llm, options.delay)
        return
    peaks = {"rss_kb": 0, "threads": 0}
    stop = threading.Event()
    sampler = threading.Thread(target=sample_runner, args=(options.pid, stop, peaks))
    sampler.start()
    try:
        outcome = run_callers(options)
    finally:
        stop.set()
        sampler.join()
    time.sleep(options.rest)  # the runner hands memory back once idle
    rest_kb = rss_kb(options.pid)
    record = {"scenario": "c", "backend": options.backend, "connections": options.count, "run": 1,
              **outcome, "rss_peak_mb": round(peaks["rss_kb"] / 1024, 1),
              "rss_rest_mb": round(rest_kb / 1024, 1), "threads_peak": peaks["threads"]}
    print(json.dumps(record))
    if options.out:
        with open(options.out, "a") as out:
            out.write(json.dumps(record) + "\n")


if __name__ == "__main__":
    sys.exit(main())
