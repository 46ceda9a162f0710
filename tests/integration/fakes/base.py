"""The shared machinery of every fake service: a real HTTP/1.1 server on 127.0.0.1 (port 0), the
record of every request it received, and the scripting queue with the misbehaviour modes.

Scripting model
---------------
A fake answers each request from a FIFO list of scripted rules, else with its default behaviour.
A rule matches a request by method and path prefix (`path=None` matches every path); the first
matching rule wins. Every scripting call accepts the same keyword arguments:

    path     str or tuple of str: path prefixes the rule applies to (None = any path)
    method   "GET", "POST", ... (None = any method)
    times    how many matching requests the rule answers (None = every one, until cleared)
    delay_s  wait this long before answering (ends early, without an answer, on stop())

Generic rules (the `reply_*` methods defined here) are sent as they are, before any check the
fake makes (authentication, validation). Provider-shaped rules defined by the subclasses (e.g.
`FakeOpenAI.reply_text`) are used only by a request that passed the fake's checks, so a request
the provider would refuse never consumes them.
"""

import http
import json
import socket
import threading
import time
import traceback
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from .multipart import MultipartError, parse_multipart
from .replies import (BrokenHttp, Disconnect, Hang, Oversized, Reply, ReplyWriter, Response,
                      SlowDrip, json_reply, text_reply)

STOP_JOIN_TIMEOUT_S = 5.0
_POLL_INTERVAL_S = 0.05


class Headers:
    """A read-only, case-insensitive view of HTTP headers; repeated names are joined with ", "."""

    def __init__(self, pairs=()):
        self._items = {}
        for name, value in pairs:
            key = name.lower()
            if key in self._items:
                original, previous = self._items[key]
                self._items[key] = (original, f"{previous}, {value}")
            else:
                self._items[key] = (name, value)

    def get(self, name, default=None):
        item = self._items.get(name.lower())
        return item[1] if item else default

    def __getitem__(self, name):
        return self._items[name.lower()][1]

    def __contains__(self, name):
        return name.lower() in self._items

    def __iter__(self):
        return (original for original, _ in self._items.values())

    def __len__(self):
        return len(self._items)

    def items(self):
        return list(self._items.values())

    def __repr__(self):
        return f"Headers({dict(self.items())!r})"


@dataclass
class RecordedRequest:
    """One request as the fake received it. `query` keeps the first value of each name, `json` is
    the parsed body (None when it is not JSON) and `multipart` the parsed parts of a
    multipart/form-data body (empty otherwise)."""

    method: str
    path: str
    query: dict
    headers: Headers
    body: bytes
    json: object = None
    multipart: list = field(default_factory=list)
    target: str = ""
    received_at: float = 0.0  # time.monotonic() when the body had been read

    @property
    def text(self):
        """The body decoded as UTF-8 (undecodable bytes replaced)."""
        return self.body.decode("utf-8", errors="replace")

    def part(self, name):
        """The first multipart part with this name, or None."""
        return next((part for part in self.multipart if part.name == name), None)

    def parts(self, name):
        """Every multipart part with this name."""
        return [part for part in self.multipart if part.name == name]

    @property
    def form(self):
        """The multipart parts without a file name, as {name: text}."""
        return {part.name: part.data.decode("utf-8", errors="replace")
                for part in self.multipart if part.filename is None}


class _Aborted(Exception):
    """The fake is stopping: drop the connection without answering."""


@dataclass
class _Rule:
    payload: object
    paths: tuple
    method: str
    remaining: int
    delay_s: float

    def matches(self, request):
        if self.method and self.method.upper() != request.method:
            return False
        return not self.paths or any(request.path.startswith(p) for p in self.paths)


def _paths(path):
    if path is None:
        return ()
    return (path,) if isinstance(path, str) else tuple(path)


class _Server(ThreadingHTTPServer):
    """One thread per connection; tracks connections and workers so that stop() can unblock and
    join them with a bound."""

    daemon_threads = True
    block_on_close = False

    def __init__(self, address, fake):
        self.fake = fake
        self._tracked_lock = threading.Lock()
        self._connections = set()
        self._workers = set()
        super().__init__(address, _Handler)

    def process_request(self, request, client_address):
        worker = threading.Thread(target=self._work, args=(request, client_address), daemon=True,
                                  name=f"{type(self.fake).__name__}-conn")
        with self._tracked_lock:
            self._connections.add(request)
            self._workers.add(worker)
        worker.start()

    def _work(self, request, client_address):
        try:
            self.finish_request(request, client_address)
        except OSError:
            pass  # the connection broke (client gone, or stop() shut it down)
        except Exception:  # a bug in a fake: keep it visible to the tests
            self.fake.errors.append(traceback.format_exc())
        finally:
            self.shutdown_request(request)
            with self._tracked_lock:
                self._connections.discard(request)
                self._workers.discard(threading.current_thread())

    def close_connections_and_join(self, timeout):
        """Shuts every open connection down (unblocking reads and writes) and joins the workers;
        returns the workers still alive after `timeout`."""
        with self._tracked_lock:
            connections = list(self._connections)
            workers = list(self._workers)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        deadline = time.monotonic() + timeout
        for worker in workers:
            worker.join(max(0.0, deadline - time.monotonic()))
        return [worker for worker in workers if worker.is_alive()]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in separate writes

    def _dispatch(self):
        self.server.fake._serve(self)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _dispatch

    def version_string(self):
        return self.server.fake.server_header

    def log_message(self, format, *args):  # noqa: A002 - signature of the base class
        pass


def _read_chunked(stream):
    body = bytearray()
    while True:
        size_line = stream.readline(1024)
        if not size_line:
            raise ValueError("connection closed inside a chunked body")
        size = int(size_line.split(b";", 1)[0].strip(), 16)
        if size == 0:
            while stream.readline(1024) not in (b"\r\n", b"\n", b""):
                pass  # trailers
            return bytes(body)
        body += stream.read(size)
        stream.readline(1024)


class FakeService:
    """Base of every fake: a threaded HTTP/1.1 server on 127.0.0.1 at a free port, started by the
    constructor and stopped by stop() (or by leaving a `with` block).

    Listening address: `host` (an IPv4 address, default "127.0.0.1"; any 127.x.y.z works on
    Linux) and `port` (default 0: a free port), so a fake can stand in for a service at a fixed
    address such as a desktop model server on port 8091.

    Attributes: `url` ("http://<host>:<port>"), `host`, `port`, `errors` (tracebacks of bugs
    inside the fake; tests may assert it is empty).

    Records: `requests` (a copy of every RecordedRequest, in arrival order),
    `requests_to(path_prefix, method=None)`, `last(path_prefix="")`,
    `wait_for(count, timeout=5.0, path_prefix="")`, `clear_requests()`.

    Generic scripting (each takes path=, method=, times=, delay_s=; see the module docstring):
    `reply_status(status, body=None)`, `reply_json(obj, status=200)`,
    `reply_raw(body, content_type=..., status=200)`, `reply_slow_drip(chunks, delay_s)`,
    `reply_oversized(n_bytes, chunked=False)`, `reply_hang(seconds)`, `reply_disconnect(reset)`,
    `reply_broken_http(data)`; `script(reply_or_payload, ...)` queues any Reply;
    `clear_replies()`, `pending_replies()`.

    Subclasses implement `handle(request) -> Reply` and `error_reply(status, message) -> Reply`
    (the provider's error format) and may set `server_header`.
    """

    server_header = "FakeService/1.0"

    def __init__(self, host="127.0.0.1", port=0):
        self.errors = []
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)
        self._requests = []
        self._rules = []
        self._stopping = threading.Event()
        self._stopped = False
        self._server = _Server((host, port), self)
        self.host = host
        self.port = self._server.server_address[1]
        self.url = f"http://{host}:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": _POLL_INTERVAL_S},
                                        name=f"{type(self).__name__}-{self.port}", daemon=True)
        self._thread.start()

    # -- lifecycle ---------------------------------------------------------------------------

    def stop(self):
        """Stops accepting, ends hanging and dripping replies, closes every connection and joins
        all threads; raises RuntimeError when a thread is still alive after 5 s."""
        if self._stopped:
            return
        self._stopped = True
        self._stopping.set()
        self._server.shutdown()
        self._thread.join(STOP_JOIN_TIMEOUT_S)
        alive = self._server.close_connections_and_join(STOP_JOIN_TIMEOUT_S)
        self._server.server_close()
        if alive or self._thread.is_alive():
            raise RuntimeError(f"{type(self).__name__} threads still alive after stop: {alive}")

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.stop()

    def __repr__(self):
        return f"<{type(self).__name__} {self.url}>"

    # -- records -----------------------------------------------------------------------------

    @property
    def requests(self):
        with self._lock:
            return list(self._requests)

    def requests_to(self, path_prefix, method=None):
        """Recorded requests whose path starts with `path_prefix` (and of `method`, if given)."""
        return [r for r in self.requests
                if r.path.startswith(path_prefix) and (method is None or r.method == method)]

    def last(self, path_prefix=""):
        """The latest request under `path_prefix`; AssertionError naming what was recorded when
        there is none."""
        matching = self.requests_to(path_prefix)
        if not matching:
            seen = [f"{r.method} {r.path}" for r in self.requests]
            raise AssertionError(f"{type(self).__name__}: no request to {path_prefix!r}; "
                                 f"received {seen}")
        return matching[-1]

    def wait_for(self, count, timeout=5.0, path_prefix=""):
        """Blocks until at least `count` requests under `path_prefix` were recorded and returns
        them; AssertionError after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while True:
                matching = [r for r in self._requests if r.path.startswith(path_prefix)]
                if len(matching) >= count:
                    return matching
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"{type(self).__name__}: {len(matching)} of {count} "
                                         f"requests to {path_prefix!r} within {timeout}s")
                self._arrived.wait(remaining)

    def clear_requests(self):
        with self._lock:
            self._requests.clear()

    # -- scripting ---------------------------------------------------------------------------

    def script(self, payload, *, path=None, method=None, times=1, delay_s=0.0):
        """Queues `payload` (a Reply, or a payload of the subclass) for matching requests."""
        if times is not None and times < 1:
            raise ValueError("times must be positive or None")
        with self._lock:
            self._rules.append(_Rule(payload, _paths(path), method, times, delay_s))
        return self

    def clear_replies(self):
        with self._lock:
            self._rules.clear()

    def pending_replies(self):
        """How many scripted rules are still queued (a rule with times=None counts as one)."""
        with self._lock:
            return len(self._rules)

    def reply_status(self, status, body=None, *, content_type=None, headers=None, **match):
        """Answers `status` with `body` (dict/list → JSON, str → text, bytes → raw); without a
        body, the provider's own error document for that status."""
        if body is None:
            reply = self.error_reply(status, _reason(status))
            if headers:
                reply.headers += list(headers.items())
        elif isinstance(body, (dict, list)):
            reply = json_reply(body, status, headers, content_type or "application/json")
        elif isinstance(body, str):
            reply = text_reply(body, status, content_type or "text/plain; charset=utf-8", headers)
        else:
            reply = Response(status, body, content_type or "application/octet-stream", headers)
        return self.script(reply, **match)

    def reply_json(self, obj, status=200, *, headers=None, **match):
        """Answers this JSON document verbatim."""
        return self.script(json_reply(obj, status, headers), **match)

    def reply_raw(self, body, content_type="application/octet-stream", status=200, *,
                  headers=None, **match):
        """Answers these bytes verbatim (e.g. b"not json" as application/json)."""
        return self.script(Response(status, body, content_type, headers), **match)

    def reply_slow_drip(self, chunks, delay_s, *, status=200, content_type="application/json",
                        **match):
        """Sends the headers at once, then each chunk `delay_s` after the previous one."""
        return self.script(SlowDrip(chunks, delay_s, status, content_type), **match)

    def reply_oversized(self, n_bytes, *, chunked=False, content_type="application/json",
                        **match):
        """Answers 200 with a body of `n_bytes` (Content-Length, or chunked without a length)."""
        return self.script(Oversized(n_bytes, content_type, chunked), **match)

    def reply_hang(self, seconds=30.0, **match):
        """Accepts the request and stays silent for `seconds`, then closes without answering."""
        return self.script(Hang(seconds), **match)

    def reply_disconnect(self, reset=False, **match):
        """Closes the connection without answering (RST when `reset`)."""
        return self.script(Disconnect(reset), **match)

    def reply_broken_http(self, data=b"THIS IS NOT HTTP\r\n\r\n", **match):
        """Writes bytes that are not an HTTP response, then closes."""
        return self.script(BrokenHttp(data), **match)

    # -- for subclasses ----------------------------------------------------------------------

    def handle(self, request):
        """The default behaviour: a Reply for this request."""
        return self.error_reply(404, "Not Found")

    def error_reply(self, status, message):
        """The provider's error document for `status`."""
        return json_reply({"error": message}, status)

    def take_scripted(self, request, kind):
        """Consumes and returns the first queued payload of type `kind` matching the request
        (after its delay), or None."""
        with self._lock:
            rule = self._first_rule(request, kind)
        if rule is None:
            return None
        self._pause(rule.delay_s)
        return rule.payload

    # -- internals ---------------------------------------------------------------------------

    def _first_rule(self, request, kind=object):
        """Under the lock: the first matching rule if its payload is a `kind` (consumed)."""
        for index, rule in enumerate(self._rules):
            if not rule.matches(request):
                continue
            if not isinstance(rule.payload, kind):
                if kind is Reply:
                    return None  # a provider-shaped rule comes first: keep FIFO order
                continue
            if rule.remaining is not None:
                rule.remaining -= 1
                if rule.remaining == 0:
                    del self._rules[index]
            return rule
        return None

    def _pause(self, seconds):
        if seconds and self._stopping.wait(seconds):
            raise _Aborted()

    def _record(self, handler):
        target = handler.path
        split = urlsplit(target)
        headers = Headers(handler.headers.items())
        if "chunked" in headers.get("Transfer-Encoding", "").lower():
            body = _read_chunked(handler.rfile)
        else:
            body = handler.rfile.read(int(headers.get("Content-Length") or 0))
        parsed = None
        content_type = headers.get("Content-Type", "")
        if body and "multipart/" not in content_type:
            try:
                parsed = json.loads(body)
            except ValueError:
                parsed = None
        parts = []
        if content_type.lower().startswith("multipart/form-data"):
            try:
                parts = parse_multipart(body, content_type)
            except MultipartError:
                parts = []
        query = {}
        for name, value in parse_qsl(split.query, keep_blank_values=True):
            query.setdefault(name, value)
        request = RecordedRequest(handler.command, split.path, query, headers, body, parsed,
                                  parts, target, time.monotonic())
        with self._arrived:
            self._requests.append(request)
            self._arrived.notify_all()
        return request

    def _serve(self, handler):
        out = ReplyWriter(handler, self._stopping, handler.command == "HEAD")
        try:
            request = self._record(handler)
        except (ValueError, OSError):
            out.close()
            return text_reply("malformed request body", 400).send(out)
        try:
            with self._lock:
                rule = self._first_rule(request, Reply)
            if rule is not None:
                self._pause(rule.delay_s)
                reply = rule.payload
            else:
                reply = self.handle(request)
            reply.send(out)
        except (_Aborted, OSError):
            out.close()
        except Exception:
            self.errors.append(traceback.format_exc())
            if not out.started:
                text_reply(traceback.format_exc(), 500).send(out)
            out.close()
        return None


def _reason(status):
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return f"Status {status}"


__all__ = ["FakeService", "Headers", "RecordedRequest"]
