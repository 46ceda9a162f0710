"""Transport-level behaviour: health and info, unknown routes, wrong methods, malformed and
oversized bodies (declared and chunked)."""

import json
import unittest

from runner_process import ISO_TIMESTAMP, ServerTestCase, load_fixture, unique_token

MAX_INPUT_SIZE = 65536


class ServiceEndpointTests(ServerTestCase):

    def test_health(self):
        result = self.server.request("GET", "/health")
        self.assertEqual(result.status, 200, result)
        body = result.body
        self.assertEqual(body["status"], "healthy")
        self.assertEqual(body["service"], "Clara Agent Runner")
        self.assertEqual(body["database"], "connected")
        self.assertEqual(body["version"], "1.0.0")
        self.assertRegex(body["timestamp"], ISO_TIMESTAMP)
        self.assertRegex(body["uptime"], r"^\d+s$")

    def test_info_lists_the_endpoints(self):
        result = self.server.request("GET", "/api/info")
        self.assertEqual(result.status, 200, result)
        self.assertEqual(result.body["service"], "Clara Agent Runner API")
        endpoints = result.body["endpoints"]
        for route in ("POST /api/deploy", "GET /api/deployments", "GET /api/workflows/:slug",
                      "GET /api/workflows/:slug/schema", "POST /api/workflows/:slug/execute",
                      "GET /api/workflows/:slug/executions", "DELETE /api/workflows/:id",
                      "POST /api/workflows/:id/regenerate-key", "GET /health", "GET /api/info"):
            self.assertIn(route, endpoints)
            self.assertIsInstance(endpoints[route], str)


class RoutingTests(ServerTestCase):

    def test_unknown_route(self):
        for method, path in (("GET", "/api/nope"), ("POST", "/nothing/here"),
                             ("GET", "/api/workflows/a/b/c")):
            with self.subTest(method=method, path=path):
                result = self.server.request(method, path, body={} if method == "POST" else None)
                self.assertErrorEnvelope(result, 404, "Endpoint not found")
                self.assertEqual(result.body["availableEndpoints"], "/api/info")
                self.assertIn(path, result.body["message"])

    def test_wrong_method_on_a_known_path(self):
        cases = (("PUT", "/api/deploy", "POST"), ("DELETE", "/health", "GET"),
                 ("GET", "/api/workflows/some-slug/execute", "POST"),
                 ("PATCH", "/api/deployments", "GET"))
        for method, path, allowed in cases:
            with self.subTest(method=method, path=path):
                result = self.server.request(method, path)
                self.assertEqual(result.status, 405, result)
                self.assertIs(result.body["success"], False)
                self.assertIsInstance(result.body["error"], str)
                self.assertTrue(result.body["error"])
                self.assertRegex(result.body["timestamp"], ISO_TIMESTAMP)
                self.assertIn(allowed, [m.strip() for m in result.headers["allow"].split(",")])

    def test_query_string_does_not_change_the_route(self):
        result = self.server.request("GET", "/health?verbose=1")
        self.assertEqual(result.status, 200, result)


class BodyTests(ServerTestCase):
    server_env = {"MAX_INPUT_SIZE": str(MAX_INPUT_SIZE)}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        result = cls.server.deploy(f"Bodies {unique_token()}", load_fixture("echo"))
        if result.status != 201:
            raise AssertionError(result)
        cls.echo = result.body["deployment"]

    def execute_path(self):
        return f"/api/workflows/{self.echo['slug']}/execute"

    def auth(self):
        return {"Authorization": f"Bearer {self.echo['apiKey']}"}

    def history_length(self):
        result = self.server.executions(self.echo["slug"], self.echo["apiKey"], "limit=1000")
        self.assertEqual(result.status, 200, result)
        return len(result.body["executions"])

    def chunked_execute(self, payload, chunk_size=16384):
        head = (f"POST {self.execute_path()} HTTP/1.1\r\n"
                f"Host: 127.0.0.1:{self.server.port}\r\n"
                f"Authorization: Bearer {self.echo['apiKey']}\r\n"
                "Content-Type: application/json\r\n"
                "Transfer-Encoding: chunked\r\n"
                "Connection: close\r\n\r\n").encode("ascii")
        body = b""
        for start in range(0, len(payload), chunk_size):
            piece = payload[start:start + chunk_size]
            body += f"{len(piece):x}\r\n".encode("ascii") + piece + b"\r\n"
        return self.server.raw_exchange(head + body + b"0\r\n\r\n")

    def test_malformed_json_on_deploy(self):
        for text in ('{"name": "x", "workflow": ', "not json at all", '{"a": 1,}'):
            with self.subTest(text=text):
                result = self.server.request("POST", "/api/deploy", body=text)
                self.assertErrorEnvelope(result, 400, "Invalid JSON body")
                self.assertTrue(result.body.get("message"), result)

    def test_malformed_json_on_execute(self):
        before = self.history_length()
        result = self.server.request("POST", self.execute_path(), body='{"message": "x"',
                                     headers=self.auth())
        self.assertErrorEnvelope(result, 400, "Invalid JSON body")
        self.assertEqual(self.history_length(), before)

    def test_json_that_is_not_an_object_is_refused(self):
        result = self.server.request("POST", "/api/deploy", body="[1, 2, 3]")
        self.assertEqual(result.status, 400, result)
        self.assertIs(result.body["success"], False)

    def test_non_json_content_type_on_deploy_is_refused(self):
        body = json.dumps({"name": "Plain", "workflow": load_fixture("echo")})
        result = self.server.request("POST", "/api/deploy", body=body,
                                     headers={"Content-Type": "text/plain"})
        self.assertEqual(result.status, 415, result)
        self.assertIs(result.body["success"], False)

    def test_body_over_the_limit_with_content_length(self):
        before = self.history_length()
        payload = json.dumps({"message": "x" * (MAX_INPUT_SIZE + 10)})
        result = self.server.request("POST", self.execute_path(), body=payload,
                                     headers=self.auth())
        self.assertErrorEnvelope(result, 413, "Request body too large")
        self.assertIn(str(MAX_INPUT_SIZE), result.body["message"])
        self.assertEqual(self.history_length(), before)

    def test_body_over_the_limit_sent_chunked(self):
        before = self.history_length()
        payload = json.dumps({"message": "y" * (2 * MAX_INPUT_SIZE)}).encode("utf-8")
        result = self.chunked_execute(payload)
        self.assertErrorEnvelope(result, 413, "Request body too large")
        self.assertEqual(self.history_length(), before)

    def test_chunked_body_under_the_limit_executes(self):
        text = "chunk " * 5000
        result = self.chunked_execute(json.dumps({"message": text}).encode("utf-8"),
                                      chunk_size=4096)
        self.assertEqual(result.status, 200, result)
        self.assertEqual(result.body["outputs"], {"reply": text})

    def test_body_just_under_the_limit_executes(self):
        text = "z" * (MAX_INPUT_SIZE - 100)
        result = self.server.request("POST", self.execute_path(), body={"message": text},
                                     headers=self.auth())
        self.assertEqual(result.status, 200, result)
        self.assertEqual(result.body["outputs"], {"reply": text})

    def test_deploy_is_not_limited_by_the_execute_input_size(self):
        workflow = load_fixture("text_pipeline")
        long_text = "long " * (MAX_INPUT_SIZE // 4)
        for item in workflow["nodes"]:
            if item["id"] == "closing-text":
                item["data"]["text"] = long_text
        deployment = self.deploy_ok(f"Big workflow {unique_token()}", workflow)
        body = self.execute_ok(deployment, {"userName": "Ada"})
        self.assertEqual(body["outputs"]["fullMessage"], "Hello, Ada|" + long_text)


if __name__ == "__main__":
    unittest.main()
