"""Malformed, hostile and oversized requests against the real server: each gets a 4xx JSON
answer (or, for transport-level garbage, a clean close), the server keeps serving, and nothing
is stored by a refused request. Table-driven, one subTest per case."""

import http.client
import json
import socket
import threading
import time
import unittest

from runner_process import ISO_TIMESTAMP, ServerTestCase, load_fixture, unique_token

BODY_LIMIT = 65536
SLOW_BYTE_INTERVAL_S = 0.2
# The server's header deadline is 15 s; a slow client must be cut off well before this.
SLOWLORIS_DEADLINE_S = 40.0

VALID_UUID = "123e4567-e89b-42d3-a456-426614174000"
UNKNOWN_KEY = "clara_sk_" + "ab" * 32


class BadInputTests(ServerTestCase):
    server_env = {
        # Every bad key below counts as a failed authentication; the limit has its own suite.
        "AUTH_FAIL_LIMIT": "100000000",
        "MAX_INPUT_SIZE": str(BODY_LIMIT),
        "MAX_WORKFLOW_SIZE": str(BODY_LIMIT),
    }

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        result = cls.server.deploy(f"Target {unique_token()}", load_fixture("echo"))
        if result.status != 201:
            raise AssertionError(f"deploy failed: {result!r}")
        cls.deployment = result.body["deployment"]
        cls.workflow_text = json.dumps(load_fixture("echo"))

    def setUp(self):
        self.counts_before = self.counts()

    # -- helpers -------------------------------------------------------------------------------

    @property
    def execute_path(self):
        return f"/api/workflows/{self.deployment['slug']}/execute"

    def auth(self):
        return {"Authorization": f"Bearer {self.deployment['apiKey']}"}

    def counts(self):
        listed = self.server.request("GET", "/api/deployments?limit=1000")
        self.assertEqual(listed.status, 200, listed)
        history = self.server.executions(self.deployment["slug"], self.deployment["apiKey"],
                                         "limit=1000")
        self.assertEqual(history.status, 200, history)
        return len(listed.body["deployments"]), len(history.body["executions"])

    def assert_server_intact(self):
        health = self.server.request("GET", "/health")
        self.assertEqual(health.status, 200, health)
        self.assertEqual(self.counts(), self.counts_before,
                         "a refused request changed the stored deployments or executions")
        # The target still works with its key (and that one execution is then expected).
        run = self.server.execute(self.deployment["slug"], {"message": "still here"},
                                  self.deployment["apiKey"])
        self.assertEqual(run.status, 200, run)
        self.assertEqual(run.body["outputs"], {"reply": "still here"})

    def assert_refused(self, result, statuses, error=None):
        self.assertIn(result.status, statuses, result)
        self.assertTrue(400 <= result.status < 500, result)
        if result.headers.get("content-length") == "0" and not result.raw:
            self.fail(f"empty error body: {result!r}")
        self.assertIsInstance(result.body, dict, result)
        self.assertIs(result.body.get("success"), False, result)
        self.assertIsInstance(result.body.get("error"), str, result)
        self.assertTrue(result.body["error"], result)
        if error is not None:
            self.assertEqual(result.body["error"], error, result)
        self.assertRegex(result.body.get("timestamp", ""), ISO_TIMESTAMP, result)
        self.assertTrue(result.headers.get("content-type", "").startswith("application/json"),
                        result.headers)

    def raw_or_close(self, data, timeout=10):
        """Sends raw bytes; returns the HttpResult, or None when the server closed the
        connection without an answer."""
        try:
            return self.server.raw_exchange(data, timeout=timeout)
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            return None
        except http.client.BadStatusLine as error:
            self.fail(f"garbage answer: {error!r}")

    def deploy_body(self, **fields):
        body = {"name": f"Bad {unique_token()}", "workflow": load_fixture("echo")}
        body.update(fields)
        return body

    # -- JSON syntax ---------------------------------------------------------------------------

    INVALID_JSON = (
        ("truncated object", b'{"name": "x", "workflow": {'),
        ("lone brace", b"{"),
        ("key only", b'{"name"'),
        ("key and colon", b'{"name":'),
        ("unterminated string", b'{"name": "abc'),
        ("trailing comma", b'{"name": "x",}'),
        ("array trailing comma", b'{"a": [1,2,]}'),
        ("single quotes", b"{'name': 'x'}"),
        ("unquoted key", b"{name: 1}"),
        ("missing comma", b'{"a": 1 "b": 2}'),
        ("garbage after document", b'{"a": 1}xyz'),
        ("two documents", b'{"a": 1}{"b": 2}'),
        ("NaN literal", b'{"a": NaN}'),
        ("Infinity literal", b'{"a": Infinity}'),
        ("comment", b'{"a": 1 /* note */}'),
        ("bare word", b"nul"),
        ("raw control character", b'{"a": "x\x01y"}'),
        ("raw newline in string", b'{"a": "x\ny"}'),
        ("bad escape", b'{"a": "\\q"}'),
        ("short unicode escape", b'{"a": "\\u12"}'),
        ("lone high surrogate", b'{"a": "\\ud800"}'),
        ("byte order mark", b'\xef\xbb\xbf{"a": 1}'),
        ("leading zero", b'{"a": 01}'),
        ("plus sign", b'{"a": +1}'),
        ("raw NUL byte", b'{"a": "x\x00y"}'),
        ("top-level array", b"[]"),
        ("top-level string", b'"text"'),
        ("top-level number", b"42"),
        ("top-level null", b"null"),
        ("top-level true", b"true"),
    )

    def test_invalid_json_is_refused_on_deploy_and_execute(self):
        for label, body in self.INVALID_JSON:
            for target in ("deploy", "execute"):
                with self.subTest(case=label, route=target):
                    if target == "deploy":
                        result = self.server.request("POST", "/api/deploy", body=body)
                    else:
                        result = self.server.request("POST", self.execute_path, body=body,
                                                     headers=self.auth())
                    self.assert_refused(result, (400,), "Invalid JSON body")
        self.assert_server_intact()

    def test_invalid_utf8_in_json_strings(self):
        cases = (
            ("lone continuation byte", b"\x80"),
            ("overlong slash", b"\xc0\xaf"),
            ("truncated two-byte", b"\xc3"),
            ("invalid lead byte", b"\xff\xfe"),
            ("encoded surrogate", b"\xed\xa0\x80"),
            ("beyond U+10FFFF", b"\xf4\x90\x80\x80"),
        )
        for label, raw in cases:
            with self.subTest(case=label, route="execute"):
                body = b'{"message": "a' + raw + b'b"}'
                result = self.server.request("POST", self.execute_path, body=body,
                                             headers=self.auth())
                self.assert_refused(result, (400,), "Invalid JSON body")
            with self.subTest(case=label, route="deploy"):
                body = (b'{"name": "n' + raw + b'", "workflow": ' +
                        self.workflow_text.encode() + b"}")
                result = self.server.request("POST", "/api/deploy", body=body)
                self.assert_refused(result, (400,), "Invalid JSON body")
        self.assert_server_intact()

    # -- deploy fields -------------------------------------------------------------------------

    def test_wrong_types_for_every_deploy_field(self):
        workflow = load_fixture("echo")
        cases = (
            ("missing name", {"workflow": workflow}),
            ("name number", self.deploy_body(name=5)),
            ("name null", self.deploy_body(name=None)),
            ("name array", self.deploy_body(name=["a"])),
            ("name object", self.deploy_body(name={"a": 1})),
            ("name bool", self.deploy_body(name=True)),
            ("name empty", self.deploy_body(name="")),
            ("name blank", self.deploy_body(name="   ")),
            ("name too long", self.deploy_body(name="n" * 300)),
            ("slug number", self.deploy_body(slug=7)),
            ("slug array", self.deploy_body(slug=["a"])),
            ("slug uppercase", self.deploy_body(slug="Upper")),
            ("slug space", self.deploy_body(slug="bad slug")),
            ("slug underscore", self.deploy_body(slug="bad_slug")),
            ("slug unicode", self.deploy_body(slug="caf\u00e9")),
            ("slug too long", self.deploy_body(slug="a" * 300)),
            ("description number", self.deploy_body(description=3)),
            ("description array", self.deploy_body(description=[])),
            ("description object", self.deploy_body(description={})),
            ("userId number", self.deploy_body(userId=5)),
            ("userId object", self.deploy_body(userId={})),
            ("missing workflow", {"name": "no workflow"}),
            ("workflow string", self.deploy_body(workflow="nodes")),
            ("workflow number", self.deploy_body(workflow=1)),
            ("workflow array", self.deploy_body(workflow=[])),
            ("workflow null", self.deploy_body(workflow=None)),
            ("workflow empty object", self.deploy_body(workflow={})),
            ("nodes string", self.deploy_body(workflow={"nodes": "x", "connections": []})),
            ("nodes of numbers", self.deploy_body(workflow={"nodes": [1, 2], "connections": []})),
            ("connections string", self.deploy_body(
                workflow={"nodes": workflow["nodes"], "connections": "x"})),
            ("node without type", self.deploy_body(
                workflow={"nodes": [{"id": "a"}], "connections": []})),
            ("node id number", self.deploy_body(
                workflow={"nodes": [{"id": 1, "type": "input"}], "connections": []})),
            ("unknown node type", self.deploy_body(
                workflow={"nodes": [{"id": "a", "type": "input"},
                                    {"id": "b", "type": "rm-rf"}], "connections": []})),
            ("dangling connection", self.deploy_body(workflow={
                "nodes": workflow["nodes"],
                "connections": [{"sourceNodeId": "ghost", "sourcePortId": "output",
                                 "targetNodeId": "reply", "targetPortId": "input"}]})),
            ("duplicate keys both bad", None),
            ("huge name string", self.deploy_body(name="x" * 60000)),
            ("name 1e999", None),
            ("name 2^64", self.deploy_body(name=2 ** 64)),
            ("name -0", None),
            ("deeply nested workflow", None),
        )
        raw_bodies = {
            "duplicate keys both bad": b'{"name": 5, "name": [], "workflow": ' +
                                       self.workflow_text.encode() + b"}",
            "name 1e999": b'{"name": 1e999, "workflow": ' + self.workflow_text.encode() + b"}",
            "name -0": b'{"name": -0, "workflow": ' + self.workflow_text.encode() + b"}",
            "deeply nested workflow": b'{"name": "deep", "workflow": ' + b"[" * 10000 +
                                      b"]" * 10000 + b"}",
        }
        for label, body in cases:
            with self.subTest(case=label):
                payload = raw_bodies.get(label, body)
                result = self.server.request("POST", "/api/deploy", body=payload)
                # 10,000 brackets make a 20 kB body: within the limit, refused for its depth.
                self.assert_refused(result, (400,))
                self.assertIn(result.body["error"], ("Validation failed", "Invalid JSON body"))
        self.assert_server_intact()

    def test_bad_execute_inputs(self):
        cases = (
            ("number input", b'{"message": 5}'),
            ("1e999", b'{"message": 1e999}'),
            ("2^64", b'{"message": 18446744073709551616}'),
            ("-0", b'{"message": -0}'),
            ("array input", b'{"message": ["a"]}'),
            ("object input", b'{"message": {"a": 1}}'),
            ("unknown field", b'{"message": "a", "other": 1}'),
            ("deep nesting", b'{"message": ' + b"[" * 10000 + b"]" * 10000 + b"}"),
            ("duplicate keys both bad", b'{"message": 1, "message": []}'),
            ("prototype key", b'{"__proto__": {"x": 1}, "message": "a"}'),
        )
        for label, body in cases:
            with self.subTest(case=label):
                result = self.server.request("POST", self.execute_path, body=body,
                                             headers=self.auth())
                self.assert_refused(result, (400,))
                self.assertIn(result.body["error"], ("Input validation failed",
                                                     "Invalid JSON body"))
        self.assert_server_intact()

    # -- paths, methods, identifiers -------------------------------------------------------------

    def test_bad_slugs_uuids_and_paths(self):
        key = self.auth()
        cases = (
            ("GET", "/api/workflows/Upper", None, (400,), "Invalid slug format"),
            ("GET", "/api/workflows/bad_slug", None, (400,), "Invalid slug format"),
            ("GET", "/api/workflows/a%20b", None, (400,), "Invalid slug format"),
            ("GET", "/api/workflows/%FF%FE", None, (400,), "Invalid slug format"),
            ("GET", "/api/workflows/a%00b", None, (400,), "Invalid slug format"),
            # Decoded slashes make another path, which does not exist.
            ("GET", "/api/workflows/..%2F..%2Fetc", None, (404,), "Endpoint not found"),
            ("GET", "/api/workflows/" + "a" * 5000, None, (400, 404), None),
            ("GET", "/api/workflows/unknown-slug-zz", None, (404,), "Workflow not found"),
            ("GET", "/api/workflows/Bad/schema", None, (400,), "Invalid slug format"),
            ("POST", "/api/workflows/Bad/execute", key, (400,), "Invalid slug format"),
            ("POST", "/api/workflows/caf%C3%A9/execute", key, (400,), "Invalid slug format"),
            ("GET", "/api/workflows/BAD/executions", key, (400,), "Invalid slug format"),
            ("DELETE", "/api/workflows/not-a-uuid", key, (400,), "Invalid UUID format"),
            ("DELETE", "/api/workflows/123e4567e89b42d3a456426614174000", key, (400,),
             "Invalid UUID format"),
            ("DELETE", "/api/workflows/123e4567-e89b-42d3-a456-42661417400g", key, (400,),
             "Invalid UUID format"),
            ("DELETE", "/api/workflows/" + VALID_UUID + "0", key, (400,), "Invalid UUID format"),
            ("POST", "/api/workflows/xyz/regenerate-key", key, (400,), "Invalid UUID format"),
            ("POST", "/api/workflows/%00/regenerate-key", key, (400,), "Invalid UUID format"),
            ("DELETE", "/api/workflows/" + VALID_UUID, key, (403,), "Access denied"),
            ("GET", "/api/deployments?limit=-1", None, (400,), "Validation failed"),
            ("GET", "/api/deployments?limit=abc", None, (400,), "Validation failed"),
            ("GET", "/api/deployments?offset=1e3", None, (400,), "Validation failed"),
            ("GET", f"/api/workflows/{self.deployment['slug']}/executions?status=bogus", key,
             (400,), "Validation failed"),
            ("GET", f"/api/workflows/{self.deployment['slug']}/executions?limit=99999999999999",
             key, (400,), "Validation failed"),
        )
        for method, path, headers, statuses, error in cases:
            with self.subTest(method=method, path=path[:80]):
                result = self.server.request(method, path, headers=headers)
                self.assert_refused(result, statuses, error)
        self.assert_server_intact()

    def test_unknown_and_unsupported_methods(self):
        cases = (
            ("PATCH", "/api/deploy", 405), ("TRACE", "/api/deploy", 405),
            ("FOO", "/health", 405), ("PUT", self.execute_path, 405),
            ("PATCH", f"/api/workflows/{self.deployment['slug']}", 405),
            ("TRACE", "/api/info", 405), ("CONNECT", "/api/info", 405),
            ("BREW", "/api/nowhere", 404), ("PROPFIND", "/", 405),
        )
        for method, path, status in cases:
            with self.subTest(method=method, path=path):
                result = self.raw_or_close(
                    f"{method} {path} HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n".encode())
                if result is None:
                    continue  # a clean close is acceptable for exotic methods
                self.assert_refused(result, (status, 400))
        self.assert_server_intact()

    def test_bad_authorization_headers(self):
        cases = (
            ("missing", None, "Missing Authorization header"),
            ("empty", "", None),
            ("scheme only", "Bearer", None),
            ("scheme and space", "Bearer ", None),
            ("basic scheme", "Basic dXNlcjpwYXNz", "Invalid API key format"),
            ("no scheme", "clara_sk_" + "0" * 64, None),
            # Only the prefix is a format check; these are then unknown keys.
            ("short key", "Bearer clara_sk_123", "Invalid API key"),
            ("non-hex key", "Bearer clara_sk_" + "z" * 64, "Invalid API key"),
            ("long key", "Bearer clara_sk_" + "a" * 65, "Invalid API key"),
            ("unknown key", "Bearer " + UNKNOWN_KEY, "Invalid API key"),
            ("key plus junk", f"Bearer {self.deployment['apiKey']} junk", None),
            ("two keys", f"Bearer {UNKNOWN_KEY}, Bearer {UNKNOWN_KEY}", None),
            ("huge value", "Bearer " + "a" * 8000, "Invalid API key format"),
            ("latin-1 bytes", "Bearer clara_sk_\u00e9\u00e9", None),
        )
        for label, value, error in cases:
            with self.subTest(case=label):
                headers = {} if value is None else {"Authorization": value}
                result = self.server.request("POST", self.execute_path,
                                             body={"message": "x"}, headers=headers)
                self.assert_refused(result, (401,), error)
        self.assert_server_intact()

    def test_unsupported_content_types(self):
        cases = (
            ("text/plain", b'{"message": "a"}'),
            ("application/xml", b"<message>a</message>"),
            ("application/x-www-form-urlencoded", b"message=a"),
            ("multipart/form-data; boundary=x", b"--x\r\n\r\na\r\n--x--\r\n"),
            ("image/png", b"\x89PNG\r\n"),
        )
        for content_type, body in cases:
            for route in ("deploy", "execute"):
                with self.subTest(content_type=content_type, route=route):
                    headers = {"Content-Type": content_type}
                    if route == "execute":
                        headers.update(self.auth())
                        path = self.execute_path
                    else:
                        path = "/api/deploy"
                    result = self.server.request("POST", path, body=body, headers=headers)
                    self.assert_refused(result, (415,), "Unsupported media type")
        self.assert_server_intact()

    # -- transport -------------------------------------------------------------------------------

    def test_the_header_limit_counts_the_whole_head(self):
        # Many short fields: each is parsed (and dropped from the read buffer) as it arrives, so
        # only a count of the whole head sees 16.9 KB pass the 16 KB limit.
        def head(fields):
            return (b"GET /health HTTP/1.1\r\nHost: x\r\n" +
                    b"".join(b"X-H%d: v\r\n" % i for i in range(fields)) + b"\r\n")
        under = self.server.raw_exchange(head(1400))
        self.assertEqual(under.status, 200, (len(head(1400)), under))
        over = self.server.raw_exchange(head(1500))
        self.assert_refused(over, (431,))

    def test_transport_level_garbage(self):
        execute = self.execute_path
        key_line = f"Authorization: Bearer {self.deployment['apiKey']}\r\n"
        big = b"x" * (BODY_LIMIT + 1)
        cases = (
            ("garbage line", b"GARBAGE\r\n\r\n", (400,)),
            ("binary noise", bytes(range(256)) + b"\r\n\r\n", (400,)),
            ("unknown version", b"GET /health HTTP/9.9\r\nHost: x\r\n\r\n", (400, 505)),
            ("invalid utf-8 in path", b"GET /api/workflows/\xff\xfe HTTP/1.1\r\nHost: x\r\n\r\n",
             (400,)),
            ("NUL in path", b"GET /api/\x00info HTTP/1.1\r\nHost: x\r\n\r\n", (400,)),
            ("NUL in header", b"GET /health HTTP/1.1\r\nHost: x\r\nX-A: a\x00b\r\n\r\n", (400,)),
            ("space in header name", b"GET /health HTTP/1.1\r\nBad Header: 1\r\n\r\n", (400,)),
            ("header without colon", b"GET /health HTTP/1.1\r\nNoColon\r\n\r\n", (400,)),
            ("bad content length", b"POST /api/deploy HTTP/1.1\r\nHost: x\r\n"
                                   b"Content-Length: abc\r\n\r\n", (400,)),
            ("negative content length", b"POST /api/deploy HTTP/1.1\r\nHost: x\r\n"
                                        b"Content-Length: -5\r\n\r\n", (400,)),
            ("conflicting content lengths", b"POST /api/deploy HTTP/1.1\r\nHost: x\r\n"
                                            b"Content-Length: 5\r\nContent-Length: 6\r\n\r\n"
                                            b"{}{}{}", (400,)),
            ("bad chunk size", b"POST /api/deploy HTTP/1.1\r\nHost: x\r\n"
                               b"Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n",
             (400,)),
            ("headers too large", b"GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " +
             b"a" * 20000 + b"\r\n\r\n", (431,)),
            ("too many headers", b"GET /health HTTP/1.1\r\nHost: x\r\n" +
             b"".join(b"X-H%d: v\r\n" % i for i in range(2000)) + b"\r\n", (431,)),
            ("declared body over the limit", (f"POST {execute} HTTP/1.1\r\nHost: x\r\n{key_line}"
                                              f"Content-Type: application/json\r\n"
                                              f"Content-Length: {BODY_LIMIT + 1}\r\n\r\n"
                                              ).encode() + big, (413,)),
            ("chunked body over the limit", (f"POST {execute} HTTP/1.1\r\nHost: x\r\n{key_line}"
                                             f"Content-Type: application/json\r\n"
                                             f"Transfer-Encoding: chunked\r\n\r\n").encode() +
             b"%x\r\n" % len(big) + big + b"\r\n0\r\n\r\n", (413,)),
            ("deploy body over the limit", (f"POST /api/deploy HTTP/1.1\r\nHost: x\r\n"
                                            f"Content-Type: application/json\r\n"
                                            f"Content-Length: {BODY_LIMIT * 4}\r\n\r\n"
                                            ).encode(), (413,)),
        )
        for label, data, statuses in cases:
            with self.subTest(case=label):
                result = self.raw_or_close(data)
                if result is not None:
                    self.assert_refused(result, statuses)
                    if 413 in statuses or 431 in statuses:
                        self.assertIn(result.status, statuses, result)
                elif statuses in ((413,), (431,)):
                    self.fail(f"{label}: connection closed without the {statuses[0]} answer")
        self.assert_server_intact()

    def test_slow_header_client_is_cut_off_while_others_are_served(self):
        sock = socket.create_connection(("127.0.0.1", self.server.port), timeout=5)
        self.addCleanup(sock.close)
        request = b"GET /health HTTP/1.1\r\nHost: x\r\n" + b"X-Slow: " + b"a" * 10000
        served_meanwhile = []
        stop = threading.Event()

        def others():
            while not stop.is_set():
                started = time.monotonic()
                result = self.server.request("GET", "/health", timeout=5)
                served_meanwhile.append((result.status, time.monotonic() - started))
                stop.wait(0.5)

        other_thread = threading.Thread(target=others)
        other_thread.start()
        closed = False
        started = time.monotonic()
        try:
            for index in range(len(request)):
                if time.monotonic() - started > SLOWLORIS_DEADLINE_S:
                    break
                try:
                    sock.sendall(request[index:index + 1])
                except (BrokenPipeError, ConnectionResetError):
                    closed = True
                    break
                # Did the server answer or close? A non-blocking peek tells without waiting.
                sock.setblocking(False)
                try:
                    data = sock.recv(65536, socket.MSG_PEEK)
                    if data == b"" or data:
                        closed = True
                        break
                except BlockingIOError:
                    pass
                except ConnectionResetError:
                    closed = True
                    break
                finally:
                    sock.setblocking(True)
                    sock.settimeout(5)
                time.sleep(SLOW_BYTE_INTERVAL_S)
        finally:
            stop.set()
            other_thread.join(timeout=30)
        elapsed = time.monotonic() - started
        self.assertTrue(closed, f"slow client still connected after {elapsed:.1f}s")
        self.assertLess(elapsed, SLOWLORIS_DEADLINE_S)
        self.assertTrue(served_meanwhile)
        for status, seconds in served_meanwhile:
            self.assertEqual(status, 200)
            self.assertLess(seconds, 2.0)
        self.assert_server_intact()


if __name__ == "__main__":
    unittest.main()
