"""A server killed (SIGKILL) or stopped (SIGTERM) under load loses no acknowledged execution:
every execution id a client received is in the history after a restart on the same database."""

import http.client
import json
import signal
import socket
import threading
import time
import unittest

from runner_process import RunnerProcess, load_fixture, unique_token

THREADS = 8
ACKNOWLEDGED_BEFORE_KILL = 40
LOAD_DEADLINE_S = 60.0
SHUTDOWN_GRACE_MS = 4000


class LoadGenerator:
    """Threads sending execute requests until stopped; keeps every acknowledged execution id
    and every failure that is not a plain connection error."""

    def __init__(self, server, deployment):
        self.server = server
        self.deployment = deployment
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.acknowledged = []
        self.unexpected = []
        self.threads = [threading.Thread(target=self.run, args=(index,))
                        for index in range(THREADS)]

    def run(self, index):
        sequence = 0
        while not self.stop.is_set():
            sequence += 1
            try:
                result = self.server.execute(self.deployment["slug"],
                                             {"message": f"t{index}-{sequence}"},
                                             self.deployment["apiKey"])
            except (OSError, http.client.HTTPException, AssertionError):
                # Refused, reset or cut off: the server is going away; nothing was promised.
                if self.server.process.poll() is not None or self.stop.is_set():
                    return
                continue
            with self.lock:
                if 200 <= result.status < 300:
                    self.acknowledged.append(result.body["metadata"]["executionId"])
                else:
                    self.unexpected.append(result)

    def start(self):
        for thread in self.threads:
            thread.start()

    def count(self):
        with self.lock:
            return len(self.acknowledged)

    def wait_for(self, count, timeout):
        deadline = time.monotonic() + timeout
        while self.count() < count and time.monotonic() < deadline:
            time.sleep(0.01)
        return self.count() >= count

    def join(self):
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=60)
        return not any(thread.is_alive() for thread in self.threads)


class CrashSafetyTests(unittest.TestCase):

    def setUp(self):
        self.server = RunnerProcess(env={"SHUTDOWN_GRACE_MS": str(SHUTDOWN_GRACE_MS)})
        self.addCleanup(self.server.cleanup)
        self.server.start()
        result = self.server.deploy(f"Crash {unique_token()}", load_fixture("echo"))
        self.assertEqual(result.status, 201, result)
        self.deployment = result.body["deployment"]

    def full_history(self):
        rows = []
        offset = 0
        while True:
            page = self.server.executions(self.deployment["slug"], self.deployment["apiKey"],
                                          f"limit=1000&offset={offset}")
            self.assertEqual(page.status, 200, page)
            rows.extend(page.body["executions"])
            if not page.body["pagination"]["hasMore"]:
                return rows
            offset += len(page.body["executions"])

    def assert_history_holds(self, acknowledged):
        rows = self.full_history()
        ids = [row["id"] for row in rows]
        self.assertEqual(len(ids), len(set(ids)), "an execution is listed twice")
        missing = set(acknowledged) - set(ids)
        self.assertEqual(missing, set(), f"{len(missing)} acknowledged executions were lost")
        running = [row for row in rows if row["status"] == "running"]
        self.assertEqual(running, [])
        self.assertEqual({row["status"] for row in rows}, {"success"})

    def test_sigkill_under_load_loses_no_acknowledged_execution(self):
        load = LoadGenerator(self.server, self.deployment)
        load.start()
        try:
            self.assertTrue(load.wait_for(ACKNOWLEDGED_BEFORE_KILL, LOAD_DEADLINE_S),
                            f"only {load.count()} executions acknowledged")
            self.server.process.send_signal(signal.SIGKILL)
            self.server.process.wait(timeout=10)
            self.server.kill()  # already dead: only closes its log
        finally:
            self.assertTrue(load.join(), "a load thread hung")
        self.assertEqual(self.server.process.returncode, -signal.SIGKILL)
        self.assertEqual(load.unexpected, [])
        acknowledged = list(load.acknowledged)
        self.assertGreaterEqual(len(acknowledged), ACKNOWLEDGED_BEFORE_KILL)

        self.server.start()
        self.assert_history_holds(acknowledged)
        self.assertEqual(self.server.stop(), 0, self.server.log_tail())

    def test_sigterm_finishes_in_flight_requests_and_exits_zero(self):
        # A request whose body is still arriving when SIGTERM comes is in flight.
        body = json.dumps({"message": "in flight"}).encode()
        pending = socket.create_connection(("127.0.0.1", self.server.port), timeout=30)
        self.addCleanup(pending.close)
        pending.sendall((f"POST /api/workflows/{self.deployment['slug']}/execute HTTP/1.1\r\n"
                         f"Host: x\r\nAuthorization: Bearer {self.deployment['apiKey']}\r\n"
                         f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
                         ).encode() + body[:5])

        load = LoadGenerator(self.server, self.deployment)
        load.start()
        try:
            self.assertTrue(load.wait_for(ACKNOWLEDGED_BEFORE_KILL, LOAD_DEADLINE_S))
            signalled = time.monotonic()
            self.server.process.send_signal(signal.SIGTERM)

            # New connections are refused while the in-flight request keeps the process alive.
            refused = False
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline and not refused:
                try:
                    socket.create_connection(("127.0.0.1", self.server.port), timeout=2).close()
                    time.sleep(0.02)
                except ConnectionRefusedError:
                    refused = True
            self.assertTrue(refused, "the server still accepts connections after SIGTERM")
            self.assertIsNone(self.server.process.poll(),
                              "the server exited with a request in flight")
        finally:
            self.assertTrue(load.join(), "a load thread hung")

        pending.sendall(body[5:])
        response = http.client.HTTPResponse(pending, method="POST")
        response.begin()
        answer = json.loads(response.read())
        self.assertEqual(response.status, 200, answer)
        self.assertEqual(answer["outputs"], {"reply": "in flight"})
        self.assertEqual(response.getheader("Connection", "").lower(), "close")

        code = self.server.process.wait(timeout=SHUTDOWN_GRACE_MS / 1000 + 5)
        self.assertEqual(code, 0, self.server.log_tail())
        self.server.kill()  # already exited: only closes its log
        self.assertLess(time.monotonic() - signalled, SHUTDOWN_GRACE_MS / 1000 + 1)
        self.assertEqual(load.unexpected, [])
        acknowledged = list(load.acknowledged) + [answer["metadata"]["executionId"]]

        self.server.start()
        self.assert_history_holds(acknowledged)
        self.assertEqual(self.server.stop(), 0, self.server.log_tail())


if __name__ == "__main__":
    unittest.main()
