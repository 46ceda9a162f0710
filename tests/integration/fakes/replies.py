"""What a fake sends back: complete responses, chunked streams, and the deliberate failures
(slow drip, oversized body, hang, disconnect, broken HTTP), written through a ReplyWriter that
turns every socket error into a closed connection and ends pauses when the fake stops."""

import json
import socket
import struct


class Reply:
    """Something a fake sends back for one request (a response, or a deliberate failure)."""

    def send(self, out):
        raise NotImplementedError


class Response(Reply):
    """A complete response with a Content-Length."""

    def __init__(self, status, body=b"", content_type=None, headers=None):
        self.status = status
        self.body = body if isinstance(body, bytes) else str(body).encode("utf-8")
        self.content_type = content_type
        self.headers = list((headers or {}).items())

    def send(self, out):
        headers = [("Content-Type", self.content_type)] if self.content_type else []
        headers += self.headers + [("Content-Length", str(len(self.body)))]
        out.start(self.status, headers)
        out.write(self.body)


class StreamResponse(Reply):
    """A chunked (Transfer-Encoding: chunked) response written piece by piece, e.g. server-sent
    events or NDJSON, with an optional pause before each piece."""

    def __init__(self, pieces, content_type, status=200, delay_s=0.0, headers=None):
        self.pieces = [p if isinstance(p, bytes) else p.encode("utf-8") for p in pieces]
        self.content_type = content_type
        self.status = status
        self.delay_s = delay_s
        self.headers = list((headers or {}).items())

    def send(self, out):
        out.start(self.status, [("Content-Type", self.content_type),
                                ("Transfer-Encoding", "chunked")] + self.headers)
        for piece in self.pieces:
            if self.delay_s and not out.pause(self.delay_s):
                return out.close()
            if piece and not out.write(b"%x\r\n%s\r\n" % (len(piece), piece)):
                return None
        out.write(b"0\r\n\r\n")
        return None


class SlowDrip(Reply):
    """Headers at once (with the full Content-Length), then each chunk after `delay_s`."""

    def __init__(self, chunks, delay_s, status=200, content_type="application/json"):
        self.chunks = [c if isinstance(c, bytes) else c.encode("utf-8") for c in chunks]
        self.delay_s = delay_s
        self.status = status
        self.content_type = content_type

    def send(self, out):
        total = sum(len(chunk) for chunk in self.chunks)
        out.start(self.status, [("Content-Type", self.content_type),
                                ("Content-Length", str(total))])
        for chunk in self.chunks:
            if not out.pause(self.delay_s):
                return out.close()
            if not out.write(chunk):
                return None
        return None


class Oversized(Reply):
    """A 200 body of exactly `n_bytes` (`{"data":"xxx…"}` when n_bytes ≥ 11, so a client without
    a limit would read valid JSON), declared by Content-Length or sent chunked."""

    _BLOCK = 64 * 1024

    def __init__(self, n_bytes, content_type="application/json", chunked=False):
        self.n_bytes = n_bytes
        self.content_type = content_type
        self.chunked = chunked

    def _blocks(self):
        head, tail = (b'{"data":"', b'"}') if self.n_bytes >= 11 else (b"", b"")
        filler = self.n_bytes - len(head) - len(tail)
        yield head
        while filler > 0:
            size = min(filler, self._BLOCK)
            filler -= size
            yield b"x" * size
        yield tail

    def send(self, out):
        length = ("Transfer-Encoding", "chunked") if self.chunked else \
            ("Content-Length", str(self.n_bytes))
        out.start(200, [("Content-Type", self.content_type), length])
        for block in self._blocks():
            if out.stopping:
                return out.close()
            if not block:
                continue
            data = b"%x\r\n%s\r\n" % (len(block), block) if self.chunked else block
            if not out.write(data):
                return None
        if self.chunked:
            out.write(b"0\r\n\r\n")
        return None


class Hang(Reply):
    """Reads the request, then says nothing for `seconds` (ending early on stop()) and closes the
    connection without a response."""

    def __init__(self, seconds):
        self.seconds = seconds

    def send(self, out):
        out.pause(self.seconds)
        out.close()


class Disconnect(Reply):
    """Closes the connection without a response; `reset=True` sends a TCP RST instead of a FIN."""

    def __init__(self, reset=False):
        self.reset = reset

    def send(self, out):
        if self.reset:
            out.set_linger_zero()
        out.close()


class BrokenHttp(Reply):
    """Writes raw bytes that are not a valid HTTP response, then closes the connection."""

    def __init__(self, data):
        self.data = data

    def send(self, out):
        out.write(self.data)
        out.close()


class ReplyWriter:
    """Writes one response on a handler's connection; every write failure closes it."""

    def __init__(self, handler, stopping, head_only):
        self._handler = handler
        self._stopping = stopping
        self._head_only = head_only
        self.started = False

    @property
    def stopping(self):
        return self._stopping.is_set()

    def start(self, status, headers):
        self.started = True
        try:
            self._handler.send_response(status)
            for name, value in headers:
                self._handler.send_header(name, value)
            self._handler.end_headers()
        except OSError:  # the client went away
            self.close()

    def write(self, data):
        if self._head_only:
            return True
        try:
            self._handler.wfile.write(data)
            self._handler.wfile.flush()
            return True
        except OSError:  # the client went away
            self.close()
            return False

    def pause(self, seconds):
        """Waits; False when the fake began stopping meanwhile."""
        return not self._stopping.wait(seconds)

    def close(self):
        self._handler.close_connection = True

    def set_linger_zero(self):
        try:
            self._handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                                struct.pack("ii", 1, 0))
        except OSError:
            pass


def json_reply(obj, status=200, headers=None, content_type="application/json"):
    """A JSON response."""
    return Response(status, json.dumps(obj).encode("utf-8"), content_type, headers)


def text_reply(text, status=200, content_type="text/plain; charset=utf-8", headers=None):
    """A text response."""
    return Response(status, text.encode("utf-8"), content_type, headers)
