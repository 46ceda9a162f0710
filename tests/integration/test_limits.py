"""Limits and access rules of the real server: per-key rate limiting, the failed-authentication
limit, the execution gate, CORS, administrator access, request ids and the output size limit."""

import threading
import time
import unittest

from runner_process import ServerTestCase, TwoInstanceTestCase, load_fixture, unique_token

ADMIN_KEY = "secret-admin-key-for-tests"
RATE_WINDOW_S = 3600
PROPAGATION_DEADLINE_S = 5.0


def wait_clear_of_window_end(window_s=RATE_WINDOW_S, margin_s=30):
    """On PostgreSQL the rate-limit windows end on wall-clock multiples of their length. Returns
    once at least `margin_s` seconds are left in the current window, so that a test's requests
    all fall into one window (waits at most margin_s seconds, rarely at all)."""
    left = window_s - time.time() % window_s
    if left < margin_s:
        time.sleep(left + 0.5)


def run_parallel(count, action):
    """Runs action(index) on `count` threads released together; returns the results in order."""
    barrier = threading.Barrier(count)
    results = [None] * count

    def worker(index):
        barrier.wait(timeout=30)
        try:
            results[index] = action(index)
        except Exception as error:  # reported by the caller's assertions
            results[index] = error

    threads = [threading.Thread(target=worker, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


class LimitsTestCase(ServerTestCase):

    def deploy_echo(self, name="Limited"):
        return self.deploy_ok(f"{name} {unique_token()}", load_fixture("echo"))

    def call(self, deployment, message="hi", headers=None):
        return self.server.json_request("POST", f"/api/workflows/{deployment['slug']}/execute",
                                        body={"message": message}, key=deployment["apiKey"],
                                        headers=headers)


class RateLimitTests(LimitsTestCase):
    server_env = {"RATE_LIMIT_ENABLED": "true", "RATE_LIMIT_MAX_REQUESTS": "3",
                  "RATE_LIMIT_WINDOW_MS": str(RATE_WINDOW_S * 1000)}

    def test_each_key_gets_its_window_then_429(self):
        wait_clear_of_window_end()
        deployment = self.deploy_echo()
        for expected_remaining in ("2", "1", "0"):
            result = self.call(deployment)
            with self.subTest(remaining=expected_remaining):
                self.assertEqual(result.status, 200, result)
                self.assertEqual(result.headers.get("ratelimit-limit"), "3")
                self.assertEqual(result.headers.get("ratelimit-remaining"), expected_remaining)
                self.assertEqual(result.headers.get("ratelimit-policy"), "3;w=3600")
                reset = int(result.headers["ratelimit-reset"])
                self.assertTrue(0 < reset <= RATE_WINDOW_S, reset)

        refused = self.call(deployment)
        self.assertErrorEnvelope(refused, 429, "Too many requests")
        retry_after = int(refused.headers["retry-after"])
        self.assertTrue(0 < retry_after <= RATE_WINDOW_S, retry_after)
        self.assertEqual(refused.headers.get("ratelimit-remaining"), "0")
        self.assertEqual(refused.headers.get("ratelimit-limit"), "3")

        # Refused calls run nothing: the history holds the three accepted ones.
        history = self.server.executions(deployment["slug"], deployment["apiKey"])
        self.assertEqual(history.status, 200, history)
        self.assertEqual(len(history.body["executions"]), 3)

        # Another workflow's key has its own quota.
        other = self.deploy_echo("Other")
        result = self.call(other)
        self.assertEqual(result.status, 200, result)
        self.assertEqual(result.headers.get("ratelimit-remaining"), "2")

    def test_health_shows_the_rate_limit(self):
        result = self.server.request("GET", "/health")
        self.assertEqual(result.status, 200, result)
        self.assertEqual(result.body["config"]["rateLimit"], {"enabled": True, "maxRequests": 3})


class RateLimitConcurrencyTests(LimitsTestCase):
    server_env = {"RATE_LIMIT_ENABLED": "true", "RATE_LIMIT_MAX_REQUESTS": "10",
                  "RATE_LIMIT_WINDOW_MS": str(RATE_WINDOW_S * 1000)}

    def test_parallel_requests_are_counted_exactly(self):
        wait_clear_of_window_end()
        deployment = self.deploy_echo()
        results = run_parallel(20, lambda index: self.call(deployment, f"m{index}"))
        statuses = sorted(getattr(result, "status", repr(result)) for result in results)
        self.assertEqual(statuses, [200] * 10 + [429] * 10)
        remaining = sorted(int(result.headers["ratelimit-remaining"]) for result in results
                           if result.status == 200)
        self.assertEqual(remaining, list(range(10)))
        history = self.server.executions(deployment["slug"], deployment["apiKey"], "limit=100")
        self.assertEqual(len(history.body["executions"]), 10)


class SharedRateLimitTests(TwoInstanceTestCase):
    """Two instances on one PostgreSQL database enforce one limit per key and workflow between
    them (PostgreSQL backend only; on SQLite a runner counts in memory)."""

    instance_env = {"RATE_LIMIT_ENABLED": "true", "RATE_LIMIT_MAX_REQUESTS": "3",
                    "RATE_LIMIT_WINDOW_MS": str(RATE_WINDOW_S * 1000),
                    # Polling the second instance for a new deployment answers 401 until it
                    # arrives.
                    "AUTH_FAIL_LIMIT": "100000"}

    def deploy_on_first_known_to_both(self):
        """Deploys on the first instance and waits until the second serves the key, probing a
        route that is not rate limited."""
        created = self.first.deploy(f"Shared limit {unique_token()}", load_fixture("echo"))
        self.assertEqual(created.status, 201, created)
        deployment = created.body["deployment"]
        deadline = time.monotonic() + PROPAGATION_DEADLINE_S
        while True:
            probe = self.second.executions(deployment["slug"], deployment["apiKey"])
            if probe.status == 200 or time.monotonic() > deadline:
                break
            time.sleep(0.02)
        self.assertEqual(probe.status, 200, f"the second instance never served the key: {probe!r}")
        return deployment

    def call(self, server, deployment, message="hi"):
        return server.json_request("POST", f"/api/workflows/{deployment['slug']}/execute",
                                   body={"message": message}, key=deployment["apiKey"])

    def assert_reset_is_the_window_end(self, result):
        reset = int(result.headers["ratelimit-reset"])
        left = RATE_WINDOW_S - time.time() % RATE_WINDOW_S
        # Both instances count in the window that ends at the next multiple of its length.
        self.assertLessEqual(abs(reset - left), 2, (reset, left))

    def test_the_instances_allow_the_limit_once_between_them(self):
        wait_clear_of_window_end()
        deployment = self.deploy_on_first_known_to_both()
        for server, expected_remaining in ((self.first, "2"), (self.second, "1"),
                                           (self.first, "0")):
            result = self.call(server, deployment)
            with self.subTest(port=server.port, remaining=expected_remaining):
                self.assertEqual(result.status, 200, result)
                self.assertEqual(result.headers.get("ratelimit-limit"), "3")
                self.assertEqual(result.headers.get("ratelimit-remaining"), expected_remaining)
                self.assertEqual(result.headers.get("ratelimit-policy"), "3;w=3600")
                self.assert_reset_is_the_window_end(result)

        for server in (self.second, self.first):
            refused = self.call(server, deployment)
            with self.subTest(refused_by=server.port):
                self.assertEqual(refused.status, 429, refused)
                self.assertEqual(refused.body.get("success"), False, refused)
                self.assertEqual(refused.body.get("error"), "Too many requests", refused)
                self.assertEqual(refused.body.get("message"),
                                 "Rate limit exceeded. Please try again later.", refused)
                self.assertEqual(refused.headers.get("ratelimit-limit"), "3")
                self.assertEqual(refused.headers.get("ratelimit-remaining"), "0")
                self.assertEqual(refused.headers.get("retry-after"),
                                 refused.headers.get("ratelimit-reset"))
                self.assert_reset_is_the_window_end(refused)

        history = self.second.executions(deployment["slug"], deployment["apiKey"])
        self.assertEqual(history.status, 200, history)
        self.assertEqual(len(history.body["executions"]), 3)

    def test_parallel_requests_on_both_instances_are_counted_exactly(self):
        wait_clear_of_window_end()
        deployment = self.deploy_on_first_known_to_both()
        servers = (self.first, self.second)
        results = run_parallel(12, lambda index: self.call(servers[index % 2], deployment,
                                                           f"m{index}"))
        statuses = sorted(getattr(result, "status", repr(result)) for result in results)
        self.assertEqual(statuses, [200] * 3 + [429] * 9)
        remaining = sorted(int(result.headers["ratelimit-remaining"]) for result in results
                           if result.status == 200)
        self.assertEqual(remaining, [0, 1, 2])
        history = self.first.executions(deployment["slug"], deployment["apiKey"])
        self.assertEqual(len(history.body["executions"]), 3)


class FailedAuthLimitTests(LimitsTestCase):
    server_env = {"AUTH_FAIL_LIMIT": "3", "TRUST_PROXY": "true"}

    def test_an_address_with_too_many_failures_is_refused_even_with_a_good_key(self):
        deployment = self.deploy_echo()
        blocked_ip = {"X-Forwarded-For": "198.51.100.7"}
        bad_keys = ("clara_sk_" + "0" * 64, "not-a-key", None)
        for index, key in enumerate(bad_keys):
            result = self.server.json_request(
                "POST", f"/api/workflows/{deployment['slug']}/execute", body={"message": "x"},
                key=key, headers=blocked_ip)
            with self.subTest(attempt=index):
                self.assertEqual(result.status, 401, result)
        good = self.call(deployment, headers=blocked_ip)
        self.assertErrorEnvelope(good, 429, "Too many requests")
        self.assertGreater(int(good.headers["retry-after"]), 0)
        # The history and other protected routes are refused as well.
        history = self.server.json_request(
            "GET", f"/api/workflows/{deployment['slug']}/executions", key=deployment["apiKey"],
            headers=blocked_ip)
        self.assertEqual(history.status, 429, history)

        # Another address is not affected.
        other = self.call(deployment, headers={"X-Forwarded-For": "198.51.100.8"})
        self.assertEqual(other.status, 200, other)
        self.assertEqual(other.body["outputs"], {"reply": "hi"})


class QueueLimitTests(LimitsTestCase):
    server_env = {"MAX_CONCURRENT_EXECUTIONS": "1", "MAX_QUEUED_EXECUTIONS": "0"}

    def test_a_full_gate_answers_503_with_retry_after(self):
        deployment = self.deploy_echo()
        results = run_parallel(30, lambda index: self.call(deployment, f"m{index}"))
        statuses = [getattr(result, "status", repr(result)) for result in results]
        self.assertTrue(set(statuses) <= {200, 503}, statuses)
        self.assertIn(200, statuses)
        for result in results:
            if result.status == 503:
                with self.subTest(request_id=result.headers.get("x-request-id")):
                    self.assertErrorEnvelope(result, 503, "Server busy")
                    self.assertEqual(result.headers.get("retry-after"), "1")
            else:
                self.assertEqual(result.body["outputs"]["reply"][0], "m")
        # Only the admitted executions ran and were recorded.
        history = self.server.executions(deployment["slug"], deployment["apiKey"], "limit=100")
        self.assertEqual(len(history.body["executions"]), statuses.count(200))

        health = self.server.request("GET", "/health")
        self.assertEqual(health.status, 200, health)
        self.assertEqual(health.body["executions"]["limit"], 1)
        self.assertEqual(health.body["config"]["execution"]["maxConcurrentExecutions"], 1)
        self.assertEqual(health.body["executions"]["running"], 0)
        self.assertEqual(health.body["executions"]["queued"], 0)


class OpenCorsTests(LimitsTestCase):

    def test_any_origin_gets_a_wildcard_without_credentials(self):
        for origin in ("https://a.example", "http://localhost:5173", "null"):
            with self.subTest(origin=origin):
                result = self.server.request("GET", "/api/info", headers={"Origin": origin})
                self.assertEqual(result.status, 200, result)
                self.assertEqual(result.headers.get("access-control-allow-origin"), "*")
                self.assertNotIn("access-control-allow-credentials", result.headers)

    def test_preflight_of_execute(self):
        result = self.server.request("OPTIONS", "/api/workflows/x/execute", headers={
            "Origin": "https://b.example", "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type"})
        self.assertEqual(result.status, 204, result)
        self.assertEqual(result.raw, b"")
        self.assertEqual(result.headers.get("access-control-allow-origin"), "*")
        methods = [m.strip() for m in result.headers["access-control-allow-methods"].split(",")]
        self.assertIn("POST", methods)
        allowed = [h.strip().lower()
                   for h in result.headers["access-control-allow-headers"].split(",")]
        self.assertIn("authorization", allowed)
        self.assertIn("content-type", allowed)


class AllowlistCorsTests(LimitsTestCase):
    server_env = {"CORS_ORIGINS": "https://a.example"}

    def test_listed_origin_is_echoed_and_others_get_nothing(self):
        listed = self.server.request("GET", "/api/info", headers={"Origin": "https://a.example"})
        self.assertEqual(listed.status, 200, listed)
        self.assertEqual(listed.headers.get("access-control-allow-origin"), "https://a.example")
        self.assertIn("Origin", listed.headers.get("vary", ""))
        for origin in ("https://b.example", "https://a.example.evil", "http://a.example"):
            with self.subTest(origin=origin):
                other = self.server.request("GET", "/api/info", headers={"Origin": origin})
                self.assertEqual(other.status, 200, other)
                self.assertNotIn("access-control-allow-origin", other.headers)
        preflight = self.server.request("OPTIONS", "/api/workflows/x/execute", headers={
            "Origin": "https://b.example", "Access-Control-Request-Method": "POST"})
        self.assertEqual(preflight.status, 204, preflight)
        self.assertNotIn("access-control-allow-origin", preflight.headers)
        self.assertNotIn("access-control-allow-methods", preflight.headers)


class AdminKeyTests(LimitsTestCase):
    server_env = {"ADMIN_API_KEY": ADMIN_KEY}

    def admin(self, method, path, body=None, key=ADMIN_KEY):
        return self.server.json_request(method, path, body=body, key=key)

    def test_management_routes_need_the_admin_key(self):
        body = {"name": f"Admin {unique_token()}", "workflow": load_fixture("echo")}
        self.assertErrorEnvelope(self.server.request("POST", "/api/deploy", body=body), 401,
                                 "Missing Authorization header")
        self.assertErrorEnvelope(self.admin("POST", "/api/deploy", body, key="wrong"), 403,
                                 "Access denied")
        self.assertErrorEnvelope(self.server.request("GET", "/api/deployments"), 401,
                                 "Missing Authorization header")
        self.assertErrorEnvelope(self.admin("GET", "/api/deployments", key="wrong"), 403,
                                 "Access denied")
        listed = self.admin("GET", "/api/deployments?limit=1000")
        self.assertEqual(listed.status, 200, listed)
        before = len(listed.body["deployments"])

        created = self.admin("POST", "/api/deploy", body)
        self.assertEqual(created.status, 201, created)
        deployment = created.body["deployment"]
        after = self.admin("GET", "/api/deployments?limit=1000")
        self.assertEqual(len(after.body["deployments"]), before + 1)

        # The workflow's own key executes; the admin key manages any workflow.
        run = self.server.execute(deployment["slug"], {"message": "m"}, deployment["apiKey"])
        self.assertEqual(run.status, 200, run)
        history = self.admin("GET", f"/api/workflows/{deployment['slug']}/executions")
        self.assertEqual(history.status, 200, history)
        self.assertEqual([row["id"] for row in history.body["executions"]],
                         [run.body["metadata"]["executionId"]])
        regenerated = self.admin("POST", f"/api/workflows/{deployment['id']}/regenerate-key")
        self.assertEqual(regenerated.status, 200, regenerated)
        new_key = regenerated.body["workflow"]["apiKey"]
        self.assertNotEqual(new_key, deployment["apiKey"])
        self.assertEqual(
            self.server.execute(deployment["slug"], {"message": "m"}, new_key).status, 200)
        deleted = self.admin("DELETE", f"/api/workflows/{deployment['id']}")
        self.assertEqual(deleted.status, 200, deleted)
        gone = self.server.execute(deployment["slug"], {"message": "m"}, new_key)
        self.assertEqual(gone.status, 401, gone)


class LoopbackManagementTests(LimitsTestCase):
    server_env = {"TRUST_PROXY": "true"}

    def test_without_admin_key_only_loopback_clients_manage(self):
        remote = {"X-Forwarded-For": "203.0.113.9"}
        body = {"name": f"Local {unique_token()}", "workflow": load_fixture("echo")}
        refused = self.server.request("POST", "/api/deploy", body=body, headers=remote)
        self.assertErrorEnvelope(refused, 403, "Access denied")
        self.assertErrorEnvelope(
            self.server.request("GET", "/api/deployments", headers=remote), 403, "Access denied")
        local = self.server.request("POST", "/api/deploy", body=body)
        self.assertEqual(local.status, 201, local)
        listed = self.server.request("GET", "/api/deployments?limit=1000")
        self.assertEqual(listed.status, 200, listed)
        self.assertIn(local.body["deployment"]["id"],
                      [item["id"] for item in listed.body["deployments"]])
        # Calling a workflow with its key is not a management action.
        deployment = local.body["deployment"]
        run = self.server.json_request("POST", f"/api/workflows/{deployment['slug']}/execute",
                                       body={"message": "r"}, key=deployment["apiKey"],
                                       headers=remote)
        self.assertEqual(run.status, 200, run)


class RequestIdTests(LimitsTestCase):

    def test_every_response_carries_a_request_id(self):
        deployment = self.deploy_echo("Ids")
        requests = (
            ("GET", "/health", None, None),
            ("GET", "/api/info", None, None),
            ("GET", "/api/nope", None, None),
            ("PUT", "/api/deploy", None, None),
            ("POST", f"/api/workflows/{deployment['slug']}/execute", {"message": "a"},
             deployment["apiKey"]),
            ("POST", f"/api/workflows/{deployment['slug']}/execute", {"message": "a"}, None),
            ("POST", "/api/deploy", {"name": ""}, None),
            ("OPTIONS", "/api/deploy", None, None),
        )
        seen = set()
        for method, path, body, key in requests:
            with self.subTest(method=method, path=path):
                result = self.server.json_request(method, path, body=body, key=key)
                request_id = result.headers.get("x-request-id", "")
                self.assertRegex(request_id, r"^[0-9a-f-]{36}$", result)
                self.assertNotIn(request_id, seen)
                seen.add(request_id)
        echoed = self.server.request("GET", "/health", headers={"X-Request-Id": "trace-42.a_b"})
        self.assertEqual(echoed.headers.get("x-request-id"), "trace-42.a_b")
        unsafe = self.server.request("GET", "/health", headers={"X-Request-Id": "a b<script>"})
        self.assertRegex(unsafe.headers.get("x-request-id", ""), r"^[0-9a-f-]{36}$")


class OutputSizeTests(LimitsTestCase):
    server_env = {"MAX_OUTPUT_SIZE": "1024"}

    def test_outputs_over_the_limit_fail_and_are_recorded_as_errors(self):
        deployment = self.deploy_echo("Big output")
        small = self.call(deployment, "x" * 500)
        self.assertEqual(small.status, 200, small)
        result = self.call(deployment, "x" * 2000)
        self.assertEqual(result.status, 500, result)
        self.assertIs(result.body["success"], False)
        self.assertTrue(result.body["error"].startswith("Output too large"), result.body)
        self.assertNotIn("outputs", result.body)
        execution_id = result.body["metadata"]["executionId"]
        history = self.server.executions(deployment["slug"], deployment["apiKey"])
        rows = {row["id"]: row for row in history.body["executions"]}
        self.assertEqual(rows[execution_id]["status"], "error")
        self.assertTrue(rows[execution_id]["error"].startswith("Output too large"))
        self.assertEqual(rows[small.body["metadata"]["executionId"]]["status"], "success")


if __name__ == "__main__":
    unittest.main()
