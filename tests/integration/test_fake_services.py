"""The fake third-party services speak their providers' protocols, record what they receive and
misbehave on request. Talks to the fakes directly over sockets; needs no runner binary."""

import http.client
import io
import json
import socket
import struct
import threading
import time
import unittest
import wave
import zlib

from fake_services import (FakeAnthropic, FakeClaraAssistant, FakeComfyUI, FakeMcpProxy,
                           FakeOllama, FakeOpenAI, FakePythonBackend, FakeService,
                           MultipartError, Part, encode_multipart, parse_multipart, png_size,
                           tiny_png, tiny_wav)

USER_HI = [{"role": "user", "content": "hi there"}]


class Result:
    """One HTTP answer: status, lower-case headers, raw body, parsed JSON (or None)."""

    def __init__(self, response):
        self.status = response.status
        self.headers = {name.lower(): value for name, value in response.getheaders()}
        self.raw = response.read()
        try:
            self.json = json.loads(self.raw) if self.raw else None
        except ValueError:
            self.json = None

    def __repr__(self):
        return f"HTTP {self.status} {self.raw[:500]!r}"


def call(fake, method, path, body=None, headers=None, timeout=5.0):
    """Sends one request on a fresh connection; dict/list bodies are sent as JSON."""
    headers = dict(headers or {})
    if isinstance(body, (dict, list)):
        body = json.dumps(body).encode("utf-8")
        headers.setdefault("Content-Type", "application/json")
    connection = http.client.HTTPConnection("127.0.0.1", fake.port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers)
        return Result(connection.getresponse())
    finally:
        connection.close()


def post_multipart(fake, path, parts, headers=None):
    body, content_type = encode_multipart(parts)
    return call(fake, "POST", path, body, dict(headers or {}, **{"Content-Type": content_type}))


def sse_data(raw):
    """The `data:` payloads of a server-sent event stream."""
    events = []
    for block in raw.decode("utf-8").split("\n\n"):
        for line in block.split("\n"):
            if line.startswith("data: "):
                events.append(line[len("data: "):])
    return events


def sse_events(raw):
    """(event name, parsed data) pairs of an Anthropic-style event stream."""
    events = []
    for block in raw.decode("utf-8").strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.split("\n"))
        events.append((lines["event"], json.loads(lines["data"])))
    return events


def fake_threads():
    return [t for t in threading.enumerate() if t.name.startswith("Fake") and t.is_alive()]


def tearDownModule():
    leftover = fake_threads()
    if leftover:
        raise AssertionError(f"fake service threads left behind: {leftover}")


class FakeTestCase(unittest.TestCase):
    """Starts fakes that are stopped after the test, which also checks that they hit no bug."""

    def start(self, fake):
        self.addCleanup(self._stop_and_check, fake)
        return fake

    def _stop_and_check(self, fake):
        fake.stop()
        self.assertEqual(fake.errors, [], f"{fake!r} raised inside")


class ExplodingFake(FakeService):
    def handle(self, request):
        raise KeyError("bug in a fake")


# ------------------------------------------------------------------------------------------------
# Base service: lifecycle, records, scripting, misbehaviour
# ------------------------------------------------------------------------------------------------


class LifecycleTests(FakeTestCase):

    def test_binds_loopback_on_a_free_port(self):
        first = self.start(FakeOpenAI())
        second = self.start(FakeOpenAI())
        self.assertNotEqual(first.port, second.port)
        self.assertEqual(first.url, f"http://127.0.0.1:{first.port}")
        self.assertEqual(first.base_url, f"http://127.0.0.1:{first.port}/v1")

    def test_listens_on_the_requested_loopback_address_and_port(self):
        address = "127.0.0.3"
        probe = FakeOpenAI(host=address)
        port = probe.port  # free on that address a moment ago
        probe.stop()
        fake = self.start(FakeOpenAI(host=address, port=port))
        self.assertEqual((fake.host, fake.port), (address, port))
        self.assertEqual(fake.url, f"http://{address}:{port}")
        connection = http.client.HTTPConnection(address, port, timeout=5)
        try:
            connection.request("GET", "/v1/models")
            self.assertEqual(connection.getresponse().status, 200)
        finally:
            connection.close()
        self.assertEqual(fake.last("/v1/models").method, "GET")

    def test_stop_releases_the_port_and_every_thread(self):
        fake = FakeOpenAI()
        self.assertEqual(call(fake, "GET", "/v1/models").status, 200)
        fake.stop()
        fake.stop()  # idempotent
        with self.assertRaises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", fake.port), timeout=2).close()
        self.assertEqual(fake_threads(), [])

    def test_context_manager_stops_with_an_idle_keep_alive_connection_open(self):
        with FakeOpenAI() as fake:
            connection = http.client.HTTPConnection("127.0.0.1", fake.port, timeout=5)
            connection.request("GET", "/v1/models")
            connection.getresponse().read()
            started = time.monotonic()
        self.assertLess(time.monotonic() - started, 3.0)
        connection.close()
        self.assertEqual(fake_threads(), [])

    def test_a_bug_inside_a_fake_answers_500_and_is_kept_in_errors(self):
        fake = ExplodingFake()
        try:
            result = call(fake, "GET", "/anything")
            self.assertEqual(result.status, 500)
            self.assertIn(b"bug in a fake", result.raw)
            self.assertEqual(len(fake.errors), 1)
        finally:
            fake.stop()


class RecordingTests(FakeTestCase):

    def setUp(self):
        self.fake = self.start(FakeOpenAI())

    def test_records_method_path_query_headers_and_body(self):
        call(self.fake, "POST", "/v1/chat/completions?trace=1&trace=2&empty=",
             {"model": "m", "messages": USER_HI}, {"X-Custom-Header": "abc"})
        request = self.fake.last("/v1/chat")
        self.assertEqual(request.method, "POST")
        self.assertEqual(request.path, "/v1/chat/completions")
        self.assertEqual(request.query, {"trace": "1", "empty": ""})
        self.assertEqual(request.headers["x-custom-header"], "abc")
        self.assertEqual(request.headers.get("X-CUSTOM-HEADER"), "abc")
        self.assertIn("content-type", request.headers)
        self.assertEqual(request.json, {"model": "m", "messages": USER_HI})
        self.assertEqual(json.loads(request.body), request.json)
        self.assertEqual(request.multipart, [])

    def test_reads_a_chunked_request_body(self):
        connection = http.client.HTTPConnection("127.0.0.1", self.fake.port, timeout=5)
        body = [b'{"model": "m", ', b'"messages": [{"role": "user", "content": "chunked"}]}']
        connection.request("POST", "/v1/chat/completions", body=iter(body),
                           headers={"Content-Type": "application/json"}, encode_chunked=True)
        result = Result(connection.getresponse())
        connection.close()
        self.assertEqual(result.status, 200, result)
        self.assertEqual(result.json["choices"][0]["message"]["content"], "echo: chunked")
        self.assertIn("chunked", self.fake.last().headers["Transfer-Encoding"])

    def test_keeps_a_connection_alive_across_requests(self):
        connection = http.client.HTTPConnection("127.0.0.1", self.fake.port, timeout=5)
        for _ in range(3):
            connection.request("GET", "/v1/models")
            self.assertEqual(connection.getresponse().read()[:1], b"{")
        connection.close()
        self.assertEqual(len(self.fake.requests_to("/v1/models")), 3)

    def test_requests_to_filters_by_prefix_and_method(self):
        call(self.fake, "GET", "/v1/models")
        call(self.fake, "POST", "/v1/models")
        call(self.fake, "GET", "/v1/other")
        self.assertEqual(len(self.fake.requests_to("/v1/models")), 2)
        self.assertEqual(len(self.fake.requests_to("/v1/models", "GET")), 1)
        self.assertEqual(len(self.fake.requests), 3)
        self.fake.clear_requests()
        self.assertEqual(self.fake.requests, [])

    def test_last_names_what_was_received_when_nothing_matches(self):
        call(self.fake, "GET", "/v1/models")
        with self.assertRaisesRegex(AssertionError, r"GET /v1/models"):
            self.fake.last("/v1/chat")

    def test_wait_for_returns_once_enough_requests_arrived(self):
        sender = threading.Timer(0.05, call, (self.fake, "GET", "/v1/models"))
        sender.start()
        self.addCleanup(sender.join)
        requests = self.fake.wait_for(1, timeout=5, path_prefix="/v1/models")
        self.assertEqual(requests[0].path, "/v1/models")

    def test_wait_for_fails_after_its_timeout(self):
        started = time.monotonic()
        with self.assertRaisesRegex(AssertionError, "0 of 1"):
            self.fake.wait_for(1, timeout=0.2)
        self.assertLess(time.monotonic() - started, 2.0)


class ScriptingTests(FakeTestCase):

    def setUp(self):
        self.fake = self.start(FakeOpenAI())

    def chat(self, text="hi there"):
        return call(self.fake, "POST", "/v1/chat/completions",
                    {"model": "m", "messages": [{"role": "user", "content": text}]})

    def test_scripted_replies_are_used_in_order_then_the_default(self):
        self.fake.reply_text("first")
        self.fake.reply_status(503)
        self.fake.reply_text("third")
        self.assertEqual(self.chat().json["choices"][0]["message"]["content"], "first")
        self.assertEqual(self.chat().status, 503)
        self.assertEqual(self.chat().json["choices"][0]["message"]["content"], "third")
        self.assertEqual(self.chat("again").json["choices"][0]["message"]["content"],
                         "echo: again")
        self.assertEqual(self.fake.pending_replies(), 0)

    def test_times_repeats_a_reply_and_none_keeps_it(self):
        self.fake.reply_status(500, times=2)
        self.assertEqual([self.chat().status for _ in range(3)], [500, 500, 200])
        self.fake.reply_status(502, times=None)
        self.assertEqual([self.chat().status for _ in range(3)], [502, 502, 502])
        self.assertEqual(self.fake.pending_replies(), 1)
        self.fake.clear_replies()
        self.assertEqual(self.chat().status, 200)

    def test_path_and_method_select_which_requests_a_reply_serves(self):
        self.fake.reply_status(500, path="/v1/chat", method="POST")
        self.assertEqual(call(self.fake, "GET", "/v1/models").status, 200)
        self.assertEqual(self.chat().status, 500)

    def test_status_without_body_uses_the_provider_error_format(self):
        self.fake.reply_status(500)
        result = self.chat()
        self.assertEqual(result.status, 500)
        self.assertEqual(set(result.json["error"]), {"message", "type", "param", "code"})
        self.assertEqual(result.json["error"]["message"], "Internal Server Error")

    def test_status_with_body_and_headers(self):
        self.fake.reply_status(429, {"error": {"message": "slow down"}},
                               headers={"Retry-After": "7"})
        result = self.chat()
        self.assertEqual(result.status, 429)
        self.assertEqual(result.headers["retry-after"], "7")
        self.assertEqual(result.json, {"error": {"message": "slow down"}})

    def test_raw_body_is_sent_verbatim(self):
        self.fake.reply_raw(b"not json", content_type="application/json")
        result = self.chat()
        self.assertEqual((result.status, result.raw), (200, b"not json"))
        self.assertEqual(result.headers["content-type"], "application/json")

    def test_generic_replies_come_before_validation(self):
        self.fake.reply_status(503)
        result = call(self.fake, "POST", "/v1/chat/completions", {"messages": []})
        self.assertEqual(result.status, 503)

    def test_a_refused_request_does_not_consume_a_scripted_answer(self):
        self.fake.reply_text("kept")
        self.assertEqual(call(self.fake, "POST", "/v1/chat/completions", {}).status, 400)
        self.assertEqual(self.chat().json["choices"][0]["message"]["content"], "kept")

    def test_delay_postpones_the_answer(self):
        self.fake.reply_text("late", delay_s=0.3)
        started = time.monotonic()
        result = self.chat()
        self.assertGreaterEqual(time.monotonic() - started, 0.3)
        self.assertEqual(result.json["choices"][0]["message"]["content"], "late")


class MisbehaviourTests(FakeTestCase):

    def setUp(self):
        self.fake = self.start(FakeOpenAI())

    def connect(self, timeout=5.0):
        connection = http.client.HTTPConnection("127.0.0.1", self.fake.port, timeout=timeout)
        self.addCleanup(connection.close)
        connection.request("GET", "/v1/models")
        return connection

    def test_slow_drip_sends_headers_first_then_the_body_slowly(self):
        self.fake.reply_slow_drip([b'{"a":', b' 1', b"}"], delay_s=0.2)
        started = time.monotonic()
        response = self.connect().getresponse()
        headers_after = time.monotonic() - started
        body = response.read()
        body_after = time.monotonic() - started
        self.assertEqual(response.status, 200)
        self.assertEqual(response.getheader("Content-Length"), "8")
        self.assertEqual(json.loads(body), {"a": 1})
        self.assertGreaterEqual(body_after, 0.55)
        self.assertLess(headers_after, body_after - 0.3)

    def test_slow_drip_trips_a_client_read_timeout(self):
        self.fake.reply_slow_drip([b"{", b"}"], delay_s=2.0)
        response = self.connect(timeout=0.2).getresponse()
        with self.assertRaises(TimeoutError):
            response.read()

    def test_oversized_declares_and_sends_the_requested_length(self):
        self.fake.reply_oversized(300_000)
        response = self.connect().getresponse()
        self.assertEqual(response.getheader("Content-Length"), "300000")
        body = response.read()
        self.assertEqual(len(body), 300_000)
        self.assertEqual(set(json.loads(body)), {"data"})

    def test_oversized_chunked_has_no_length_and_survives_an_early_close(self):
        self.fake.reply_oversized(50 * 1024 * 1024, chunked=True)
        connection = self.connect()
        response = connection.getresponse()
        self.assertIsNone(response.getheader("Content-Length"))
        self.assertEqual(len(response.read(100_000)), 100_000)
        connection.close()
        self.assertEqual(call(self.fake, "GET", "/v1/models").status, 200)

    def test_hang_never_answers_within_the_client_timeout(self):
        self.fake.reply_hang(30)
        connection = self.connect(timeout=0.3)
        with self.assertRaises(TimeoutError):
            connection.getresponse()
        self.assertEqual(len(self.fake.requests), 1)

    def test_hang_closes_without_an_answer_when_its_time_is_up(self):
        self.fake.reply_hang(0.2)
        with self.assertRaises(http.client.RemoteDisconnected):
            self.connect().getresponse()

    def test_stop_ends_a_hanging_request_promptly(self):
        fake = FakeOpenAI()
        fake.reply_hang(60)
        outcome = []

        def client():
            try:
                call(fake, "GET", "/v1/models", timeout=30)
                outcome.append("answered")
            except (http.client.RemoteDisconnected, ConnectionError) as error:
                outcome.append(type(error).__name__)

        thread = threading.Thread(target=client)
        thread.start()
        fake.wait_for(1)
        started = time.monotonic()
        fake.stop()
        self.assertLess(time.monotonic() - started, 3.0)
        thread.join(5)
        self.assertFalse(thread.is_alive())
        self.assertEqual(len(outcome), 1)
        self.assertNotEqual(outcome, ["answered"])

    def test_disconnect_closes_without_a_response(self):
        self.fake.reply_disconnect()
        with self.assertRaises(http.client.RemoteDisconnected):
            self.connect().getresponse()

    def test_disconnect_with_reset(self):
        self.fake.reply_disconnect(reset=True)
        with self.assertRaises((ConnectionResetError, http.client.RemoteDisconnected)):
            self.connect().getresponse()

    def test_broken_http_is_not_a_valid_status_line(self):
        self.fake.reply_broken_http()
        with self.assertRaises(http.client.BadStatusLine):
            self.connect().getresponse()


# ------------------------------------------------------------------------------------------------
# Multipart and media helpers
# ------------------------------------------------------------------------------------------------


class MultipartTests(unittest.TestCase):

    def test_round_trip_keeps_binary_parts_byte_for_byte(self):
        binary = bytes(range(256)) + b"\r\n--not-a-boundary\r\n\r\n" + b"\x00" * 10
        parts = [("file", "a \"quoted\" name.wav", "audio/wav", binary),
                 ("language", None, None, "en"), ("empty", None, None, b"")]
        body, content_type = encode_multipart(parts)
        parsed = parse_multipart(body, content_type)
        self.assertEqual(parsed, [Part("file", 'a "quoted" name.wav', "audio/wav", binary),
                                  Part("language", None, None, b"en"),
                                  Part("empty", None, None, b"")])
        self.assertEqual(parsed[1].text, "en")

    def test_parses_preamble_quoted_boundary_and_rfc2231_file_name(self):
        body = (b"preamble to ignore\r\n--b0\r\n"
                b"Content-Disposition: form-data; name=\"files\"; "
                b"filename*=UTF-8''na%C3%AFve.txt\r\nContent-Type: text/plain\r\n\r\n"
                b"hello\r\n--b0--\r\nepilogue")
        parts = parse_multipart(body, 'multipart/form-data; boundary="b0"')
        self.assertEqual(parts, [Part("files", "naïve.txt", "text/plain", b"hello")])

    def test_rejects_broken_bodies(self):
        content_type = "multipart/form-data; boundary=b0"
        for body in (b"no boundary at all",
                     b"--b0\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nunterminated",
                     b"--b0\r\nContent-Type: text/plain\r\n\r\nx\r\n--b0--"):
            with self.subTest(body=body), self.assertRaises(MultipartError):
                parse_multipart(body, content_type)
        with self.assertRaises(MultipartError):
            parse_multipart(b"--b0--", "multipart/form-data")


class MediaTests(unittest.TestCase):

    def test_tiny_png_is_a_valid_png(self):
        data = tiny_png(3, 2, (1, 2, 3))
        self.assertEqual(png_size(data), (3, 2))
        position, pixels = 8, b""
        while position < len(data):
            length, kind = struct.unpack(">I4s", data[position:position + 8])
            chunk = data[position + 8:position + 8 + length]
            crc = struct.unpack(">I", data[position + 8 + length:position + 12 + length])[0]
            self.assertEqual(crc, zlib.crc32(kind + chunk) & 0xFFFFFFFF, kind)
            if kind == b"IDAT":
                pixels += chunk
            position += 12 + length
        self.assertEqual(zlib.decompress(pixels), (b"\x00" + b"\x01\x02\x03" * 3) * 2)
        with self.assertRaises(ValueError):
            png_size(b"GIF89a")

    def test_tiny_wav_is_a_valid_wav(self):
        with wave.open(io.BytesIO(tiny_wav(0.25, 8000)), "rb") as reader:
            self.assertEqual((reader.getnchannels(), reader.getsampwidth()), (1, 2))
            self.assertEqual(reader.getnframes(), 2000)


# ------------------------------------------------------------------------------------------------
# OpenAI
# ------------------------------------------------------------------------------------------------


class OpenAIChatTests(FakeTestCase):

    def setUp(self):
        self.fake = self.start(FakeOpenAI())

    def chat(self, **body):
        body.setdefault("model", "gpt-4o-mini")
        body.setdefault("messages", USER_HI)
        return call(self.fake, "POST", "/v1/chat/completions", body)

    def assertOpenAIError(self, result, status, message_part, param=None, code=None):
        self.assertEqual(result.status, status, result)
        error = result.json["error"]
        self.assertEqual(set(error), {"message", "type", "param", "code"})
        self.assertIn(message_part, error["message"])
        self.assertEqual((error["param"], error["code"]), (param, code))

    def test_default_answer_is_a_chat_completion_echoing_the_user(self):
        result = self.chat(temperature=0, max_tokens=5)
        self.assertEqual(result.status, 200)
        self.assertEqual(result.headers["content-type"], "application/json")
        body = result.json
        self.assertTrue(body["id"].startswith("chatcmpl-"))
        self.assertEqual(body["object"], "chat.completion")
        self.assertIsInstance(body["created"], int)
        self.assertEqual(body["model"], "gpt-4o-mini")
        choice = body["choices"][0]
        self.assertEqual(choice["index"], 0)
        self.assertEqual(choice["message"]["role"], "assistant")
        self.assertEqual(choice["message"]["content"], "echo: hi there")
        self.assertEqual(choice["finish_reason"], "stop")
        usage = body["usage"]
        self.assertEqual(usage["total_tokens"], usage["prompt_tokens"] + usage["completion_tokens"])
        self.assertEqual(self.fake.last_chat()["temperature"], 0)

    def test_echo_uses_the_text_parts_of_the_last_user_message(self):
        messages = [{"role": "system", "content": "be brief"},
                    {"role": "user", "content": "older"},
                    {"role": "user", "content": [
                        {"type": "text", "text": "describe"},
                        {"type": "image_url", "image_url": {"url": "data:image/png;base64,AA=="}}]}]
        result = self.chat(messages=messages)
        self.assertEqual(result.json["choices"][0]["message"]["content"], "echo: describe")

    def test_scripted_text_usage_and_model(self):
        usage = {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4}
        self.fake.reply_text("hello", usage=usage, model="gpt-4o-2024-08-06")
        body = self.chat().json
        self.assertEqual(body["choices"][0]["message"]["content"], "hello")
        self.assertEqual(body["usage"], usage)
        self.assertEqual(body["model"], "gpt-4o-2024-08-06")

    def test_scripted_message_is_sent_verbatim(self):
        message = {"role": "assistant", "content": [{"type": "text", "text": "a"},
                                                    {"type": "text", "text": "b"}]}
        self.fake.reply_message(message)
        self.assertEqual(self.chat().json["choices"][0]["message"], message)

    def test_tool_calls_have_the_documented_shape(self):
        self.fake.reply_tool_calls([{"name": "mcp_python-mcp_run_python",
                                     "arguments": {"code": "print(1)"}},
                                    {"id": "call_given", "name": "other", "arguments": "{}"}])
        body = self.chat(tools=[{"type": "function", "function": {
            "name": "mcp_python-mcp_run_python", "parameters": {"type": "object"}}}],
            tool_choice="auto").json
        choice = body["choices"][0]
        self.assertEqual(choice["finish_reason"], "tool_calls")
        first, second = choice["message"]["tool_calls"]
        self.assertEqual(set(first), {"id", "type", "function"})
        self.assertEqual(first["type"], "function")
        self.assertEqual(first["function"]["name"], "mcp_python-mcp_run_python")
        self.assertEqual(json.loads(first["function"]["arguments"]), {"code": "print(1)"})
        self.assertEqual(second["id"], "call_given")
        self.assertEqual(second["function"]["arguments"], "{}")

    def test_a_complete_tool_round_is_accepted(self):
        messages = USER_HI + [
            {"role": "assistant", "content": None, "tool_calls": [
                {"id": "call_1", "type": "function",
                 "function": {"name": "f", "arguments": "{}"}}]},
            {"role": "tool", "tool_call_id": "call_1", "content": "42"}]
        self.assertEqual(self.chat(messages=messages).status, 200)

    def test_tool_messages_must_answer_a_preceding_tool_call(self):
        orphan = USER_HI + [{"role": "tool", "tool_call_id": "call_1", "content": "42"}]
        self.assertOpenAIError(self.chat(messages=orphan), 400,
                               "must be a response to a preceeding message with 'tool_calls'",
                               "messages.[1].role")
        unanswered = USER_HI + [{"role": "assistant", "content": None, "tool_calls": [
            {"id": "call_9", "type": "function", "function": {"name": "f", "arguments": "{}"}}]}]
        self.assertOpenAIError(self.chat(messages=unanswered), 400,
                               "did not have response messages: call_9", "messages.[1].role")

    def test_refuses_requests_missing_model_or_messages(self):
        self.assertOpenAIError(call(self.fake, "POST", "/v1/chat/completions",
                                    {"messages": USER_HI}),
                               400, "you must provide a model parameter")
        self.assertOpenAIError(call(self.fake, "POST", "/v1/chat/completions", {"model": "m"}),
                               400, "Missing required parameter: 'messages'.", "messages",
                               "missing_required_parameter")
        self.assertOpenAIError(self.chat(messages=[]), 400, "empty array", "messages",
                               "empty_array")
        self.assertOpenAIError(call(self.fake, "POST", "/v1/chat/completions", b"{oops",
                                    {"Content-Type": "application/json"}),
                               400, "could not parse the JSON body")

    def test_refuses_bad_roles_parameters_and_tools(self):
        self.assertOpenAIError(self.chat(messages=[{"role": "robot", "content": "x"}]), 400,
                               "Invalid value: 'robot'", "messages[0].role", "invalid_value")
        self.assertOpenAIError(self.chat(temperature=3), 400, "Expected a value <= 2",
                               "temperature", "decimal_above_max_value")
        self.assertOpenAIError(self.chat(max_tokens=0), 400, "Expected a value >= 1",
                               "max_tokens", "integer_below_min_value")
        self.assertOpenAIError(self.chat(tools=[{"type": "function",
                                                 "function": {"name": "has space"}}]),
                               400, "does not match pattern", "tools[0].function.name",
                               "invalid_value")
        self.assertOpenAIError(self.chat(tool_choice="auto"), 400,
                               "only allowed when 'tools' are specified", "tool_choice")

    def test_json_object_needs_the_word_json_and_answers_json(self):
        self.assertOpenAIError(self.chat(response_format={"type": "json_object"}), 400,
                               "must contain the word 'json'", "messages")
        messages = [{"role": "system", "content": "Answer in JSON."}] + USER_HI
        result = self.chat(messages=messages, response_format={"type": "json_object"})
        content = result.json["choices"][0]["message"]["content"]
        self.assertEqual(json.loads(content), {"echo": "echo: hi there"})

    def test_json_schema_is_recorded_and_answered_with_an_instance(self):
        schema = {"type": "object",
                  "properties": {"name": {"type": "string"}, "age": {"type": "integer"},
                                 "tags": {"type": "array", "items": {"type": "string"}}},
                  "required": ["name", "age", "tags"], "additionalProperties": False}
        response_format = {"type": "json_schema", "json_schema": {
            "name": "structured_output", "description": "d", "schema": schema, "strict": True}}
        result = self.chat(response_format=response_format)
        self.assertEqual(result.status, 200, result)
        content = json.loads(result.json["choices"][0]["message"]["content"])
        self.assertEqual(content, {"name": "echo: hi there", "age": 1, "tags": ["echo: hi there"]})
        self.assertEqual(self.fake.last_chat()["response_format"], response_format)

    def test_strict_json_schema_rules_are_enforced(self):
        loose = {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]}
        partial = {"type": "object", "additionalProperties": False, "required": ["a"],
                   "properties": {"a": {"type": "string"}, "b": {"type": "object",
                                                               "properties": {},
                                                               "required": [],
                                                               "additionalProperties": False}}}
        nested = {"type": "object", "additionalProperties": False, "required": ["b"],
                  "properties": {"b": {"type": "object", "properties": {}, "required": []}}}
        cases = [(loose, "In context=(), 'additionalProperties' is required"),
                 (partial, "Missing 'b'"),
                 (nested, "In context=('properties', 'b'), 'additionalProperties'")]
        for schema, message in cases:
            with self.subTest(message=message):
                result = self.chat(response_format={"type": "json_schema", "json_schema": {
                    "name": "structured_output", "schema": schema, "strict": True}})
                self.assertOpenAIError(result, 400, message, "response_format")

    def test_stream_sends_chunks_then_done(self):
        self.fake.reply_text("one two three")
        result = self.chat(stream=True, stream_options={"include_usage": True})
        self.assertEqual(result.headers["content-type"], "text/event-stream; charset=utf-8")
        self.assertEqual(result.headers["transfer-encoding"], "chunked")
        data = sse_data(result.raw)
        self.assertEqual(data[-1], "[DONE]")
        chunks = [json.loads(item) for item in data[:-1]]
        self.assertTrue(all(c["object"] == "chat.completion.chunk" for c in chunks))
        text = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks if c["choices"])
        self.assertEqual(text, "one two three")
        self.assertEqual(chunks[0]["choices"][0]["delta"]["role"], "assistant")
        self.assertEqual(chunks[-2]["choices"][0]["finish_reason"], "stop")
        self.assertEqual(chunks[-1]["choices"], [])
        self.assertEqual(chunks[-1]["usage"]["total_tokens"],
                         chunks[-1]["usage"]["prompt_tokens"] +
                         chunks[-1]["usage"]["completion_tokens"])

    def test_streamed_tool_calls_can_be_reassembled(self):
        self.fake.reply_tool_calls([{"id": "call_s", "name": "f", "arguments": {"x": [1, 2]}}])
        chunks = [json.loads(d) for d in sse_data(self.chat(stream=True).raw)[:-1]]
        deltas = [c["choices"][0]["delta"] for c in chunks if "tool_calls" in
                  c["choices"][0]["delta"]]
        self.assertEqual(deltas[0]["tool_calls"][0]["id"], "call_s")
        arguments = "".join(d["tool_calls"][0]["function"]["arguments"] for d in deltas)
        self.assertEqual(json.loads(arguments), {"x": [1, 2]})
        self.assertEqual(chunks[-1]["choices"][0]["finish_reason"], "tool_calls")

    def test_reply_error_uses_the_openai_error_shape(self):
        self.fake.reply_error(429, "Rate limit reached", type="requests",
                              code="rate_limit_exceeded")
        result = self.chat()
        self.assertEqual(result.status, 429)
        self.assertEqual(result.json["error"]["type"], "requests")
        self.assertEqual(result.json["error"]["code"], "rate_limit_exceeded")

    def test_unknown_paths_and_methods_answer_in_openai_format(self):
        self.assertOpenAIError(call(self.fake, "POST", "/v1/nothing", {}), 404,
                               "Invalid URL (POST /v1/nothing)")
        self.assertOpenAIError(call(self.fake, "GET", "/v1/chat/completions"), 405,
                               "Invalid method for URL")

    def test_models_are_listed(self):
        body = call(self.fake, "GET", "/v1/models").json
        self.assertEqual(body["object"], "list")
        self.assertIn({"id": "gpt-4o-mini", "object": "model", "created": 1700000000,
                       "owned_by": "openai"}, body["data"])
        self.assertEqual(call(self.fake, "GET", "/v1/models/whisper-1").json["id"], "whisper-1")
        self.assertEqual(call(self.fake, "GET", "/v1/models/nope").status, 404)


class OpenAIOptionsTests(FakeTestCase):

    def test_required_key_refuses_missing_and_wrong_keys(self):
        fake = self.start(FakeOpenAI(required_key="sk-test-123"))
        body = {"model": "m", "messages": USER_HI}
        missing = call(fake, "POST", "/v1/chat/completions", body)
        self.assertEqual(missing.status, 401)
        self.assertIn("You didn't provide an API key", missing.json["error"]["message"])
        wrong = call(fake, "POST", "/v1/chat/completions", body,
                     {"Authorization": "Bearer sk-wrong-999"})
        self.assertEqual(wrong.status, 401)
        self.assertTrue(wrong.json["error"]["message"].startswith("Incorrect API key provided"))
        self.assertEqual(wrong.json["error"]["code"], "invalid_api_key")
        right = call(fake, "POST", "/v1/chat/completions", body,
                     {"Authorization": "Bearer sk-test-123"})
        self.assertEqual(right.status, 200)
        self.assertEqual(fake.last_chat(), body)

    def test_prefix_serves_an_openrouter_style_base(self):
        fake = self.start(FakeOpenAI(prefix="/api/v1"))
        self.assertEqual(fake.base_url, f"{fake.url}/api/v1")
        result = call(fake, "POST", "/api/v1/chat/completions",
                      {"model": "openai/gpt-4o", "messages": USER_HI})
        self.assertEqual(result.json["model"], "openai/gpt-4o")
        self.assertEqual(call(fake, "POST", "/v1/chat/completions",
                              {"model": "m", "messages": USER_HI}).status, 404)

    def test_unknown_models_can_be_refused(self):
        fake = self.start(FakeOpenAI(models=["gpt-4o-mini"], reject_unknown_models=True))
        result = call(fake, "POST", "/v1/chat/completions",
                      {"model": "gpt-9", "messages": USER_HI})
        self.assertEqual(result.status, 404)
        self.assertEqual(result.json["error"]["code"], "model_not_found")


class OpenAITranscriptionTests(FakeTestCase):

    def setUp(self):
        self.fake = self.start(FakeOpenAI(required_key="sk-a"))
        self.auth = {"Authorization": "Bearer sk-a"}
        self.audio = tiny_wav(0.5)

    def transcribe(self, *fields, filename="audio.wav"):
        parts = [("file", filename, "audio/wav", self.audio)] if filename else []
        parts += [(name, None, None, value) for name, value in fields]
        return post_multipart(self.fake, "/v1/audio/transcriptions", parts, self.auth)

    def test_json_answer_and_recorded_fields(self):
        result = self.transcribe(("model", "gpt-4o-transcribe"), ("language", "de"),
                                 ("temperature", "0.2"), ("prompt", "be exact"))
        self.assertEqual(result.status, 200, result)
        expected = f"transcript of audio.wav ({len(self.audio)} bytes)"
        self.assertEqual(result.json, {"text": expected})
        request = self.fake.last("/v1/audio")
        self.assertEqual(request.form, {"model": "gpt-4o-transcribe", "language": "de",
                                        "temperature": "0.2", "prompt": "be exact"})
        upload = request.part("file")
        self.assertEqual((upload.filename, upload.content_type, upload.data),
                         ("audio.wav", "audio/wav", self.audio))

    def test_verbose_json_reports_language_and_duration(self):
        self.fake.reply_transcription("Hallo Welt")
        result = self.transcribe(("model", "whisper-1"), ("language", "de"),
                                 ("response_format", "verbose_json"))
        body = result.json
        self.assertEqual((body["text"], body["language"], body["task"]),
                         ("Hallo Welt", "german", "transcribe"))
        self.assertAlmostEqual(body["duration"], 0.5)
        self.assertEqual(body["segments"][0]["text"], "Hallo Welt")

    def test_text_format_is_plain_text(self):
        result = self.transcribe(("model", "whisper-1"), ("response_format", "text"))
        self.assertTrue(result.headers["content-type"].startswith("text/plain"))
        self.assertTrue(result.raw.startswith(b"transcript of audio.wav"))

    def test_refuses_what_openai_refuses(self):
        self.assertEqual(self.transcribe(("model", "whisper-1"), filename=None).status, 400)
        missing_model = self.transcribe()
        self.assertIn("model parameter", missing_model.json["error"]["message"])
        wrong_type = self.transcribe(("model", "whisper-1"), filename="audio.txt")
        self.assertIn("Invalid file format", wrong_type.json["error"]["message"])
        incompatible = self.transcribe(("model", "gpt-4o-transcribe"),
                                       ("response_format", "verbose_json"))
        self.assertEqual(incompatible.json["error"]["param"], "response_format")
        as_json = call(self.fake, "POST", "/v1/audio/transcriptions", {"model": "whisper-1"},
                       self.auth)
        self.assertIn("expected multipart/form-data", as_json.json["error"]["message"])
        unauthorised = post_multipart(self.fake, "/v1/audio/transcriptions",
                                      [("file", "a.wav", "audio/wav", self.audio),
                                       ("model", None, None, "whisper-1")])
        self.assertEqual(unauthorised.status, 401)


# ------------------------------------------------------------------------------------------------
# Anthropic
# ------------------------------------------------------------------------------------------------


class AnthropicTests(FakeTestCase):

    HEADERS = {"x-api-key": "sk-ant-1", "anthropic-version": "2023-06-01"}

    def setUp(self):
        self.fake = self.start(FakeAnthropic(required_key="sk-ant-1"))

    def messages(self, headers=None, **body):
        body.setdefault("model", "claude-3-5-haiku-latest")
        body.setdefault("max_tokens", 100)
        body.setdefault("messages", USER_HI)
        return call(self.fake, "POST", "/v1/messages", body,
                    self.HEADERS if headers is None else headers)

    def assertAnthropicError(self, result, status, error_type, message_part):
        self.assertEqual(result.status, status, result)
        self.assertEqual(result.json["type"], "error")
        self.assertEqual(result.json["error"]["type"], error_type)
        self.assertIn(message_part, result.json["error"]["message"])

    def test_default_answer_is_a_message(self):
        result = self.messages(system="be brief", temperature=0.5)
        self.assertEqual(result.status, 200, result)
        body = result.json
        self.assertTrue(body["id"].startswith("msg_"))
        self.assertEqual((body["type"], body["role"], body["model"]),
                         ("message", "assistant", "claude-3-5-haiku-latest"))
        self.assertEqual(body["content"], [{"type": "text", "text": "echo: hi there"}])
        self.assertEqual(body["stop_reason"], "end_turn")
        self.assertEqual(set(body["usage"]), {"input_tokens", "output_tokens"})
        self.assertEqual(self.fake.last_messages()["system"], "be brief")
        self.assertEqual(self.fake.last("/v1/messages").headers["anthropic-version"],
                         "2023-06-01")

    def test_text_blocks_and_images_are_accepted(self):
        content = [{"type": "image", "source": {"type": "base64", "media_type": "image/png",
                                                "data": "AA=="}},
                   {"type": "text", "text": "what is this"}]
        result = self.messages(messages=[{"role": "user", "content": content}])
        self.assertEqual(result.json["content"][0]["text"], "echo: what is this")

    def test_scripted_tool_use(self):
        self.fake.reply_tool_use([{"name": "get_weather", "input": {"city": "Paris"}}],
                                 text="Let me check.")
        body = self.messages(tools=[{"name": "get_weather", "input_schema": {"type": "object"}}]
                             ).json
        self.assertEqual(body["stop_reason"], "tool_use")
        text, tool = body["content"]
        self.assertEqual(text, {"type": "text", "text": "Let me check."})
        self.assertEqual((tool["type"], tool["name"], tool["input"]),
                         ("tool_use", "get_weather", {"city": "Paris"}))
        self.assertTrue(tool["id"].startswith("toolu_"))

    def test_authentication_and_version_header(self):
        no_key = self.messages(headers={"anthropic-version": "2023-06-01"})
        self.assertAnthropicError(no_key, 401, "authentication_error", "x-api-key header")
        wrong = self.messages(headers={"x-api-key": "bad", "anthropic-version": "2023-06-01"})
        self.assertAnthropicError(wrong, 401, "authentication_error", "invalid x-api-key")
        no_version = self.messages(headers={"x-api-key": "sk-ant-1"})
        self.assertAnthropicError(no_version, 400, "invalid_request_error",
                                  "anthropic-version: header is required")

    def test_refuses_invalid_bodies(self):
        valid = {"model": "claude-3-5-haiku-latest", "max_tokens": 100, "messages": USER_HI}
        tool_use = {"role": "assistant", "content": [{"type": "tool_use", "id": "toolu_1",
                                                      "name": "f", "input": {}}]}
        bmp = {"type": "image", "source": {"type": "base64", "media_type": "image/bmp",
                                           "data": "AA=="}}
        cases = [({"max_tokens": None}, "max_tokens: Field required"),
                 ({"model": None}, "model: Field required"),
                 ({"messages": [{"role": "system", "content": "x"}]}, 'Unexpected role "system"'),
                 ({"messages": []}, "at least one message"),
                 ({"temperature": 1.5}, "temperature"),
                 ({"messages": [{"role": "user", "content": [bmp]}]}, "media_type"),
                 ({"messages": USER_HI + [tool_use, {"role": "user", "content": "no result"}]},
                  "`tool_use` ids were found without `tool_result`"),
                 ({"tools": [{"name": "f"}]}, "input_schema: Field required")]
        for changes, message in cases:
            with self.subTest(message=message):
                body = {key: value for key, value in dict(valid, **changes).items()
                        if value is not None}
                result = call(self.fake, "POST", "/v1/messages", body, self.HEADERS)
                self.assertAnthropicError(result, 400, "invalid_request_error", message)

    def test_stream_events_follow_the_documented_order(self):
        self.fake.reply_text("alpha beta")
        result = self.messages(stream=True)
        events = sse_events(result.raw)
        names = [name for name, _ in events]
        self.assertEqual(names[0], "message_start")
        self.assertEqual(names[-2:], ["message_delta", "message_stop"])
        self.assertIn("content_block_start", names)
        text = "".join(data["delta"]["text"] for name, data in events
                       if name == "content_block_delta")
        self.assertEqual(text, "alpha beta")
        self.assertEqual(events[-2][1]["delta"]["stop_reason"], "end_turn")

    def test_reply_error_overloaded(self):
        self.fake.reply_error(529, "Overloaded")
        self.assertAnthropicError(self.messages(), 529, "overloaded_error", "Overloaded")
        self.fake.reply_status(500)
        self.assertAnthropicError(self.messages(), 500, "api_error", "Internal Server Error")


# ------------------------------------------------------------------------------------------------
# Ollama
# ------------------------------------------------------------------------------------------------


class OllamaTests(FakeTestCase):

    def setUp(self):
        self.fake = self.start(FakeOllama())

    def chat(self, **body):
        body.setdefault("model", "llama3.2")
        body.setdefault("messages", USER_HI)
        return call(self.fake, "POST", "/api/chat", body)

    def test_streams_ndjson_by_default(self):
        result = self.chat(options={"temperature": 0.2, "num_predict": 50})
        self.assertEqual(result.headers["content-type"], "application/x-ndjson")
        lines = [json.loads(line) for line in result.raw.decode().splitlines()]
        self.assertTrue(all(not line["done"] for line in lines[:-1]))
        self.assertEqual("".join(line["message"]["content"] for line in lines),
                         "echo: hi there")
        final = lines[-1]
        self.assertTrue(final["done"])
        self.assertEqual(final["done_reason"], "stop")
        self.assertGreater(final["eval_count"], 0)
        self.assertEqual(self.fake.last_chat()["options"], {"temperature": 0.2, "num_predict": 50})

    def test_stream_false_answers_one_object(self):
        self.fake.reply_text("Hello!", usage={"prompt_tokens": 7, "completion_tokens": 2})
        body = self.chat(stream=False).json
        self.assertEqual(body["message"], {"role": "assistant", "content": "Hello!"})
        self.assertEqual(body["model"], "llama3.2")
        self.assertTrue(body["done"])
        self.assertEqual((body["prompt_eval_count"], body["eval_count"]), (7, 2))
        self.assertRegex(body["created_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z$")

    def test_format_json_makes_the_default_answer_json(self):
        body = self.chat(stream=False, format="json").json
        self.assertEqual(json.loads(body["message"]["content"]), {"echo": "echo: hi there"})
        schema = {"type": "object", "properties": {"n": {"type": "number"}}}
        body = self.chat(stream=False, format=schema).json
        self.assertEqual(json.loads(body["message"]["content"]), {"n": 1.5})

    def test_tool_calls_use_argument_objects(self):
        self.fake.reply_tool_calls([{"name": "run", "arguments": {"code": "1"}}])
        message = self.chat(stream=False).json["message"]
        self.assertEqual(message["tool_calls"],
                         [{"function": {"name": "run", "arguments": {"code": "1"}}}])

    def test_errors_use_the_ollama_shape(self):
        missing = call(self.fake, "POST", "/api/chat", {"messages": USER_HI})
        self.assertEqual((missing.status, missing.json), (400, {"error": "model is required"}))
        unknown = self.chat(model="mistral")
        self.assertEqual(unknown.status, 404)
        self.assertEqual(unknown.json["error"],
                         'model "mistral" not found, try pulling it first')
        self.assertEqual(call(self.fake, "GET", "/api/nothing").raw, b"404 page not found")

    def test_empty_messages_load_the_model(self):
        body = self.chat(messages=[], stream=False).json
        self.assertEqual((body["done"], body["done_reason"]), (True, "load"))

    def test_tags_lists_the_models(self):
        models = call(self.fake, "GET", "/api/tags").json["models"]
        self.assertEqual([m["name"] for m in models], ["llama3.2:latest", "gemma3:4b"])
        self.assertEqual(models[0]["details"]["format"], "gguf")

    def test_openai_compatible_endpoint_shares_the_script(self):
        self.fake.reply_text("via compat")
        result = call(self.fake, "POST", "/v1/chat/completions",
                      {"model": "gemma3:4b", "messages": USER_HI})
        self.assertEqual(result.json["object"], "chat.completion")
        self.assertEqual(result.json["choices"][0]["message"]["content"], "via compat")
        unknown = call(self.fake, "POST", "/v1/chat/completions",
                       {"model": "nope", "messages": USER_HI})
        self.assertEqual(unknown.status, 404)
        self.assertIn("not found", unknown.json["error"]["message"])
        invalid = call(self.fake, "POST", "/v1/chat/completions", {"model": "gemma3:4b"})
        self.assertEqual(invalid.json["error"]["param"], "messages")


# ------------------------------------------------------------------------------------------------
# ComfyUI
# ------------------------------------------------------------------------------------------------


def spec_graph(model="model-a.safetensors", save_id="7"):
    """The graph the comfyui-image-gen node submits (nodes.md § 17)."""
    return {
        "1": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": model}},
        "2": {"class_type": "CLIPTextEncode", "inputs": {"text": "a cat", "clip": ["1", 1]}},
        "3": {"class_type": "CLIPTextEncode", "inputs": {"text": "", "clip": ["1", 1]}},
        "4": {"class_type": "EmptyLatentImage",
              "inputs": {"width": 512, "height": 512, "batch_size": 1}},
        "5": {"class_type": "KSampler", "inputs": {
            "seed": 0, "steps": 20, "cfg": 7.5, "sampler_name": "euler", "scheduler": "normal",
            "denoise": 1.0, "model": ["1", 0], "positive": ["2", 0], "negative": ["3", 0],
            "latent_image": ["4", 0]}},
        "6": {"class_type": "VAEDecode", "inputs": {"samples": ["5", 0], "vae": ["1", 2]}},
        save_id: {"class_type": "SaveImage",
                  "inputs": {"filename_prefix": "clara_runner", "images": ["6", 0]}},
    }


class ComfyUITests(FakeTestCase):

    def setUp(self):
        self.fake = self.start(FakeComfyUI(polls_before_done=2))

    def submit(self, graph):
        return call(self.fake, "POST", "/prompt", {"prompt": graph, "client_id": "client-1"})

    def poll_until_done(self, prompt_id, limit=10):
        for attempt in range(1, limit + 1):
            body = call(self.fake, "GET", f"/history/{prompt_id}").json
            if prompt_id in body:
                return attempt, body[prompt_id]
        raise AssertionError("job never finished")

    def test_checkpoints_are_listed(self):
        body = call(self.fake, "GET", "/object_info/CheckpointLoaderSimple").json
        self.assertEqual(body["CheckpointLoaderSimple"]["input"]["required"]["ckpt_name"][0],
                         ["model-a.safetensors", "model-b.ckpt"])
        self.assertEqual(call(self.fake, "GET", "/object_info/NoSuchNode").json, {})

    def test_submit_poll_and_download_an_image(self):
        result = self.submit(spec_graph())
        self.assertEqual(result.status, 200, result)
        self.assertEqual(set(result.json), {"prompt_id", "number", "node_errors"})
        self.assertEqual(result.json["node_errors"], {})
        prompt_id = result.json["prompt_id"]
        attempts, entry = self.poll_until_done(prompt_id)
        self.assertEqual(attempts, 3)
        self.assertEqual(entry["status"]["status_str"], "success")
        self.assertTrue(entry["status"]["completed"])
        self.assertEqual(entry["status"]["messages"][-1][0], "execution_success")
        self.assertEqual(entry["prompt"][1], prompt_id)
        image = entry["outputs"]["7"]["images"][0]
        self.assertEqual(image, {"filename": "clara_runner_00001_.png", "subfolder": "",
                                 "type": "output"})
        view = call(self.fake, "GET", f"/view?filename={image['filename']}&subfolder=&type=output")
        self.assertEqual(view.headers["content-type"], "image/png")
        self.assertEqual(view.raw, self.fake.png)
        self.assertEqual(png_size(view.raw), (8, 8))
        self.assertEqual(self.fake.last_graph(), spec_graph())
        self.assertEqual(self.fake.last("/prompt").json["client_id"], "client-1")

    def test_outputs_are_keyed_by_the_save_image_node_id(self):
        prompt_id = self.submit(spec_graph(save_id="save")).json["prompt_id"]
        _, entry = self.poll_until_done(prompt_id)
        self.assertEqual(list(entry["outputs"]), ["save"])

    def test_graph_errors_use_the_comfyui_shape(self):
        no_class = spec_graph()
        del no_class["4"]["class_type"]
        unknown_class = spec_graph()
        unknown_class["4"]["class_type"] = "MagicNode"
        no_output = spec_graph()
        del no_output["7"]
        cases = [(no_class, "invalid_prompt", "missing the class_type property"),
                 (unknown_class, "invalid_prompt", "node MagicNode does not exist"),
                 (no_output, "prompt_no_outputs", "Prompt has no outputs")]
        for graph, error_type, message in cases:
            with self.subTest(error_type=error_type, message=message):
                result = self.submit(graph)
                self.assertEqual(result.status, 400)
                error = result.json["error"]
                self.assertEqual(set(error), {"type", "message", "details", "extra_info"})
                self.assertEqual(error["type"], error_type)
                self.assertIn(message, error["message"])
                self.assertIn("node_errors", result.json)
        no_prompt = call(self.fake, "POST", "/prompt", {"client_id": "x"})
        self.assertEqual(no_prompt.json["error"]["type"], "no_prompt")

    def test_node_input_errors_are_reported_per_node(self):
        graph = spec_graph(model="missing.safetensors")
        del graph["4"]["inputs"]["width"]
        graph["6"]["inputs"]["samples"] = ["99", 0]
        result = self.submit(graph)
        self.assertEqual(result.status, 400)
        self.assertEqual(result.json["error"]["type"], "prompt_outputs_failed_validation")
        node_errors = result.json["node_errors"]
        self.assertEqual(set(node_errors), {"1", "4", "6"})
        self.assertEqual(node_errors["1"]["errors"][0]["type"], "value_not_in_list")
        self.assertEqual(node_errors["4"]["errors"][0]["type"], "required_input_missing")
        self.assertEqual(node_errors["4"]["errors"][0]["details"], "width")
        self.assertEqual(node_errors["6"]["errors"][0]["type"], "bad_linked_input")
        self.assertEqual(node_errors["4"]["class_type"], "EmptyLatentImage")
        self.assertEqual(node_errors["4"]["dependent_outputs"], ["7"])
        self.assertEqual(self.fake.submitted_graphs(), [])

    def test_a_failing_job_ends_with_status_error(self):
        self.fake.fail_next_job("CUDA out of memory")
        failed_id = self.submit(spec_graph()).json["prompt_id"]
        ok_id = self.submit(spec_graph()).json["prompt_id"]
        _, failed = self.poll_until_done(failed_id)
        self.assertEqual(failed["status"]["status_str"], "error")
        self.assertFalse(failed["status"]["completed"])
        self.assertEqual(failed["outputs"], {})
        event, data = failed["status"]["messages"][-1]
        self.assertEqual((event, data["exception_message"], data["node_type"]),
                         ("execution_error", "CUDA out of memory", "KSampler"))
        _, succeeded = self.poll_until_done(ok_id)
        self.assertEqual(succeeded["status"]["status_str"], "success")

    def test_a_job_without_images(self):
        self.fake.next_job_without_images()
        _, entry = self.poll_until_done(self.submit(spec_graph()).json["prompt_id"])
        self.assertEqual((entry["status"]["status_str"], entry["outputs"]), ("success", {}))

    def test_queue_delete_and_interrupt_are_recorded(self):
        self.fake.next_job_never_finishes(times=2)
        stuck = self.submit(spec_graph()).json["prompt_id"]
        running = self.submit(spec_graph()).json["prompt_id"]
        for _ in range(5):
            self.assertEqual(call(self.fake, "GET", f"/history/{stuck}").json, {})
        queued = call(self.fake, "GET", "/queue").json["queue_pending"]
        self.assertEqual({item[1] for item in queued}, {stuck, running})
        self.assertEqual(call(self.fake, "POST", "/queue", {"delete": [stuck]}).status, 200)
        self.assertEqual(call(self.fake, "POST", "/interrupt").status, 200)
        self.assertEqual(self.fake.deleted_ids, [stuck])
        self.assertEqual(self.fake.interrupts, 1)
        self.assertEqual(self.fake.last("/queue").json, {"delete": [stuck]})
        self.assertEqual(call(self.fake, "GET", f"/history/{stuck}").json, {})
        _, interrupted = self.poll_until_done(running)
        self.assertEqual(interrupted["status"]["status_str"], "error")
        self.assertEqual(interrupted["status"]["messages"][-1][0], "execution_interrupted")

    def test_unknown_ids_and_files(self):
        self.assertEqual(call(self.fake, "GET", "/history/unknown").json, {})
        self.assertEqual(call(self.fake, "GET", "/view?filename=nope.png&type=output").status,
                         404)
        self.assertEqual(call(self.fake, "GET", "/view?filename=a.png&type=secret").status, 400)

    def test_generic_reply_targets_one_endpoint(self):
        self.fake.reply_status(500, path="/prompt")
        self.assertEqual(call(self.fake, "GET", "/object_info/CheckpointLoaderSimple").status,
                         200)
        result = self.submit(spec_graph())
        self.assertEqual((result.status, result.raw), (500, b"500: Internal Server Error"))


# ------------------------------------------------------------------------------------------------
# Clara Python backend
# ------------------------------------------------------------------------------------------------


class PythonBackendTests(FakeTestCase):

    def setUp(self):
        self.fake = self.start(FakePythonBackend(notebooks=["nb-1"]))

    def test_transcribe_answers_the_backend_shape(self):
        audio = tiny_wav(0.5)
        result = post_multipart(self.fake, "/transcribe", [
            ("file", "audio.wav", "audio/wav", audio), ("language", None, None, "fr"),
            ("beam_size", None, None, "5"), ("initial_prompt", None, None, "names")])
        self.assertEqual(result.status, 200, result)
        transcription = result.json["transcription"]
        self.assertEqual(transcription["text"], f"transcript of audio.wav ({len(audio)} bytes)")
        self.assertEqual(transcription["language"], "fr")
        self.assertEqual(transcription["segments"],
                         [{"start": 0.0, "end": 0.5, "text": transcription["text"]}])
        self.assertEqual(self.fake.last("/transcribe").form,
                         {"language": "fr", "beam_size": "5", "initial_prompt": "names"})

    def test_transcribe_script_and_missing_file(self):
        self.fake.reply_transcription("bonjour", language="fr", segments=[])
        result = post_multipart(self.fake, "/transcribe", [("file", "a.mp3", "audio/mpeg", b"x")])
        self.assertEqual(result.json["transcription"],
                         {"text": "bonjour", "language": "fr", "segments": []})
        missing = post_multipart(self.fake, "/transcribe", [("language", None, None, "en")])
        self.assertEqual(missing.status, 422)
        self.assertEqual(missing.json["detail"][0]["loc"], ["body", "file"])

    def test_synthesize_returns_wav_audio(self):
        request = {"text": "Hello", "language": "en", "engine": "kokoro", "slow": False,
                   "voice": "af_sarah", "speed": 1.0}
        result = call(self.fake, "POST", "/synthesize", request)
        self.assertEqual(result.headers["content-type"], "audio/wav")
        with wave.open(io.BytesIO(result.raw), "rb") as reader:
            self.assertGreater(reader.getnframes(), 0)
        self.assertEqual(self.fake.last("/synthesize").json, request)
        self.fake.reply_audio(b"ID3fake", "audio/mpeg")
        scripted = call(self.fake, "POST", "/synthesize", {"text": "x"})
        self.assertEqual((scripted.raw, scripted.headers["content-type"]),
                         (b"ID3fake", "audio/mpeg"))
        self.assertEqual(call(self.fake, "POST", "/synthesize", {"voice": "x"}).status, 422)

    def test_health(self):
        self.assertEqual(call(self.fake, "GET", "/health").json["status"], "healthy")

    def test_notebook_upload_then_chat_cites_the_document(self):
        upload = post_multipart(self.fake, "/notebooks/nb-1/documents",
                                [("files", "my_notes.txt", "text/plain", "Some notes")])
        self.assertEqual(upload.status, 200, upload)
        [document] = upload.json
        self.assertEqual((document["filename"], document["notebook_id"], document["status"]),
                         ("my_notes.txt", "nb-1", "processing"))
        self.assertIn("uploaded_at", document)
        self.assertEqual(self.fake.documents("nb-1")[0].data, b"Some notes")
        question = {"question": "What do the notes say?", "mode": "hybrid",
                    "response_type": "Multiple Paragraphs", "top_k": 60, "llm_provider": None,
                    "use_chat_history": True}
        answer = call(self.fake, "POST", "/notebooks/nb-1/chat", question).json
        self.assertEqual(answer["answer"], "echo: What do the notes say?")
        self.assertEqual((answer["mode"], answer["context_used"]), ("hybrid", True))
        self.assertEqual(answer["citations"][0]["document_id"], document["id"])
        self.assertEqual(set(answer["citations"][0]),
                         {"filename", "file_path", "document_id", "title"})
        self.assertEqual(self.fake.last("/notebooks/nb-1/chat").json, question)

    def test_notebook_errors(self):
        unknown = post_multipart(self.fake, "/notebooks/nope/documents",
                                 [("files", "a.txt", "text/plain", "x")])
        self.assertEqual((unknown.status, unknown.json), (404, {"detail": "Notebook not found"}))
        self.assertEqual(call(self.fake, "POST", "/notebooks/nope/chat",
                              {"question": "q"}).status, 404)
        no_files = post_multipart(self.fake, "/notebooks/nb-1/documents",
                                  [("other", None, None, "x")])
        self.assertEqual(no_files.status, 422)
        self.assertEqual(call(self.fake, "POST", "/notebooks/nb-1/chat", {}).status, 422)
        self.fake.add_notebook("nb 2")
        added = post_multipart(self.fake, "/notebooks/nb%202/documents",
                               [("files", "b.txt", "text/plain", "y")])
        self.assertEqual(added.json[0]["notebook_id"], "nb 2")

    def test_scripted_empty_answer(self):
        self.fake.reply_answer("", citations=[])
        body = call(self.fake, "POST", "/notebooks/nb-1/chat", {"question": "q"}).json
        self.assertEqual((body["answer"], body["citations"]), ("", []))


# ------------------------------------------------------------------------------------------------
# MCP proxy and Clara assistant
# ------------------------------------------------------------------------------------------------


class McpProxyTests(FakeTestCase):

    def setUp(self):
        self.fake = self.start(FakeMcpProxy())

    def execute(self, name, arguments=None, server="python-mcp", call_id="c1"):
        return call(self.fake, "POST", "/api/tools/execute",
                    {"name": name, "arguments": arguments or {}, "server": server,
                     "callId": call_id})

    def test_servers_are_listed(self):
        [server] = call(self.fake, "GET", "/api/servers").json["servers"]
        self.assertEqual((server["name"], server["status"], server["isRunning"]),
                         ("python-mcp", "running", True))

    def test_tools_list_returns_json_content(self):
        result = self.execute("tools/list", call_id="discover_python-mcp_1").json["result"]
        self.assertTrue(result["success"])
        [part] = result["content"]
        self.assertEqual(part["type"], "json")
        [tool] = part["data"]
        self.assertEqual(tool["name"], "run_python")
        self.assertEqual(tool["inputSchema"]["required"], ["code"])
        self.assertEqual(self.fake.tool_calls(), [])

    def test_default_tool_runs_and_is_recorded(self):
        result = self.execute("run_python", {"code": "print(2)"}, call_id="call_7").json
        self.assertEqual(result["result"]["content"],
                         [{"type": "text", "text": "ran python: print(2)"}])
        self.assertTrue(result["result"]["success"])
        self.assertEqual(self.fake.tool_calls(),
                         [("python-mcp", "run_python", {"code": "print(2)"}, "call_7")])

    def test_custom_tools_and_failures(self):
        def explode(arguments):
            raise RuntimeError("disk full")

        self.fake.add_server("fs_tools")
        self.fake.add_tool("fs_tools", "stat", "File info", handler=lambda a: {"size": 3})
        self.fake.add_tool("fs_tools", "write", handler=explode)
        self.fake.add_server("sleepy", status="stopped", running=False)
        stat = self.execute("stat", server="fs_tools").json["result"]
        self.assertEqual(stat["content"], [{"type": "json", "data": {"size": 3}}])
        failed = self.execute("write", server="fs_tools").json["result"]
        self.assertEqual((failed["success"], failed["error"]), (False, "disk full"))
        self.assertFalse(self.execute("nope").json["result"]["success"])
        self.assertFalse(self.execute("tools/list", server="sleepy").json["result"]["success"])
        self.assertEqual(self.execute("x", server="ghost").status, 404)
        missing = call(self.fake, "POST", "/api/tools/execute", {"server": "python-mcp"})
        self.assertEqual(missing.status, 400)

    def test_scripted_tool_result_skips_discovery(self):
        self.fake.reply_tool_result({"success": False, "error": "quota"})
        self.assertTrue(self.execute("tools/list").json["result"]["success"])
        self.assertEqual(self.execute("run_python").json,
                         {"result": {"success": False, "error": "quota"}})


class ClaraAssistantTests(FakeTestCase):

    def setUp(self):
        self.fake = self.start(FakeClaraAssistant())

    def test_default_execution_echoes_the_instructions(self):
        request = {"instructions": "Summarise", "context": "ctx", "attachments": [],
                   "config": {"provider": "openai", "textModel": "gpt-4o-mini",
                              "enabledMCPServers": ["python-mcp"]}}
        body = call(self.fake, "POST", "/api/execute-agent", request).json
        self.assertEqual(body["output"], "echo: Summarise")
        self.assertEqual((body["toolResults"], body["success"]), ([], True))
        self.assertIsInstance(body["log"], str)
        self.assertEqual(body["metadata"], {"provider": "openai", "textModel": "gpt-4o-mini"})
        self.assertEqual(self.fake.last_execution(), request)

    def test_scripted_result_and_errors(self):
        self.fake.reply_result("done", tool_results=[{"tool": "t"}], log="l", success=False,
                               metadata={"k": 1})
        body = call(self.fake, "POST", "/api/execute-agent", {"instructions": "x"}).json
        self.assertEqual(body, {"output": "done", "toolResults": [{"tool": "t"}], "log": "l",
                                "success": False, "metadata": {"k": 1}})
        self.assertEqual(call(self.fake, "POST", "/api/execute-agent", {}).status, 400)
        self.fake.reply_status(502)
        failed = call(self.fake, "POST", "/api/execute-agent", {"instructions": "x"})
        self.assertEqual((failed.status, failed.json["success"]), (502, False))


if __name__ == "__main__":
    unittest.main()
