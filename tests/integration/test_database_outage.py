"""The PostgreSQL server stops and starts again under a running runner: health reports the
outage, requests fail fast with a JSON 503, and service resumes without restarting the runner
(PostgreSQL backend only; the test owns a private cluster)."""

import threading
import time
import unittest

from private_cluster import PrivateCluster
from runner_process import RunnerProcess, backend, load_fixture, unique_token

DETECTION_DEADLINE_S = 5.0
FAST_FAILURE_S = 5.0
RECOVERY_DEADLINE_S = 10.0


class DatabaseOutageTests(unittest.TestCase):

    def setUp(self):
        if backend() != "postgres":
            self.skipTest("the outage test stops a PostgreSQL server")
        self.cluster = PrivateCluster()
        self.addCleanup(self.cluster.remove)
        url = self.cluster.start()
        self.server = RunnerProcess(database_url=url)
        self.addCleanup(self.server.cleanup)
        self.server.start()

    def poll(self, predicate, timeout):
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            last = predicate()
            if last[0]:
                return last
            time.sleep(0.05)
        return last

    def test_outage_is_reported_and_service_resumes_after_restart(self):
        deployment = self.server.deploy(f"Outage {unique_token()}", load_fixture("echo"))
        self.assertEqual(deployment.status, 201, deployment)
        deployment = deployment.body["deployment"]
        slug, key = deployment["slug"], deployment["apiKey"]
        ok = self.server.execute(slug, {"message": "before"}, key)
        self.assertEqual(ok.status, 200, ok)

        # Background traffic during the whole outage: every answer is recorded with its time.
        stop_traffic = threading.Event()
        answers = []

        def traffic():
            while not stop_traffic.is_set():
                started = time.monotonic()
                try:
                    result = self.server.execute(slug, {"message": "load"}, key)
                    answers.append((result.status, time.monotonic() - started, result))
                except OSError as error:
                    answers.append((None, time.monotonic() - started, error))

        worker = threading.Thread(target=traffic)
        worker.start()
        try:
            self.cluster.pause()

            def degraded():
                result = self.server.request("GET", "/health", timeout=10)
                return result.status == 503, result
            detected, health = self.poll(degraded, DETECTION_DEADLINE_S)
            self.assertTrue(detected, f"/health still answers {health!r} with the database down")
            self.assertEqual(health.body["status"], "degraded")
            self.assertEqual(health.body["database"], "disconnected")

            # Executions while down: a quick JSON 503, never a hang.
            for index in range(3):
                started = time.monotonic()
                result = self.server.execute(slug, {"message": f"down {index}"}, key)
                elapsed = time.monotonic() - started
                with self.subTest(request=index):
                    self.assertEqual(result.status, 503, result)
                    self.assertIs(result.body["success"], False, result)
                    self.assertIsInstance(result.body["error"], str)
                    self.assertLess(elapsed, FAST_FAILURE_S)
            listing = self.server.request("GET", "/api/deployments")
            self.assertEqual(listing.status, 503, listing)
            self.assertEqual(listing.body["error"], "Database unavailable")

            self.cluster.resume()

            def healthy():
                result = self.server.request("GET", "/health", timeout=10)
                return result.status == 200, result
            recovered, health = self.poll(healthy, RECOVERY_DEADLINE_S)
            self.assertTrue(recovered, f"/health after the restart: {health!r}")
            self.assertEqual(health.body["database"], "connected")

            def executes():
                result = self.server.execute(slug, {"message": "after"}, key)
                return result.status == 200, result
            served, result = self.poll(executes, RECOVERY_DEADLINE_S)
            self.assertTrue(served, f"execute after the restart: {result!r}")
            self.assertEqual(result.body["outputs"], {"reply": "after"})
        finally:
            stop_traffic.set()
            worker.join(timeout=60)
        self.assertFalse(worker.is_alive(), "a request hung during the outage")

        # No request of the background load hung or lost its connection.
        self.assertTrue(answers)
        for status, elapsed, result in answers:
            self.assertIn(status, (200, 503), result)
            self.assertLess(elapsed, FAST_FAILURE_S, result)

        # The runner kept its process: the history written after recovery is readable.
        history = self.server.executions(slug, key, "limit=1000")
        self.assertEqual(history.status, 200, history)
        self.assertIn(result.body["metadata"]["executionId"],
                      [row["id"] for row in history.body["executions"]])
        self.assertEqual(self.server.stop(), 0, self.server.log_tail())


if __name__ == "__main__":
    unittest.main()
