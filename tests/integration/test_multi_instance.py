"""Two runner processes on one PostgreSQL database: deployments, key changes, deletions and
history made on one are seen by the other (PostgreSQL backend only)."""

import threading
import time
import unittest

from runner_process import TwoInstanceTestCase, load_fixture, unique_token

PROPAGATION_DEADLINE_S = 1.0


def poll_until(predicate, timeout):
    """Calls `predicate` until it returns a true value or `timeout` seconds pass; returns the
    last value and the seconds it took."""
    start = time.monotonic()
    while True:
        value = predicate()
        elapsed = time.monotonic() - start
        if value or elapsed >= timeout:
            return value, elapsed
        time.sleep(0.02)


class MultiInstanceTests(TwoInstanceTestCase):

    def deploy_on_first(self, name="Shared echo"):
        result = self.first.deploy(f"{name} {unique_token()}", load_fixture("echo"))
        self.assertEqual(result.status, 201, result)
        return result.body["deployment"]

    def execute_status(self, server, deployment, key, message="hi"):
        return server.execute(deployment["slug"], {"message": message}, key).status

    def test_deployment_made_on_one_executes_on_the_other(self):
        deployment = self.deploy_on_first()
        results = []
        ok, elapsed = poll_until(
            lambda: results.append(self.second.execute(deployment["slug"], {"message": "x"},
                                                       deployment["apiKey"]))
            or results[-1].status == 200, PROPAGATION_DEADLINE_S)
        self.assertTrue(ok, f"second instance did not accept the new deployment within "
                            f"{PROPAGATION_DEADLINE_S}s; last answer {results[-1]!r}")
        self.assertEqual(results[-1].body["outputs"], {"reply": "x"})
        self.assertEqual(results[-1].body["metadata"]["workflow"]["id"], deployment["id"])
        details = self.second.request("GET", f"/api/workflows/{deployment['slug']}")
        self.assertEqual(details.status, 200, details)

    def test_concurrent_executions_on_both_are_counted_by_either(self):
        deployment = self.deploy_on_first("Counted")
        poll_until(lambda: self.execute_status(self.second, deployment, deployment["apiKey"],
                                               "warm-up") == 200, PROPAGATION_DEADLINE_S)
        # The warm-up above may or may not have been recorded several times; count from here.
        baseline = self.second.executions(deployment["slug"], deployment["apiKey"],
                                          "limit=1000").body["executions"]
        per_server = 15
        ids = {self.first: [], self.second: []}
        failures = []

        def load(server, tag):
            for index in range(per_server):
                result = server.execute(deployment["slug"], {"message": f"{tag}-{index}"},
                                        deployment["apiKey"])
                if result.status == 200:
                    ids[server].append(result.body["metadata"]["executionId"])
                else:
                    failures.append(result)

        threads = [threading.Thread(target=load, args=(self.first, "one")),
                   threading.Thread(target=load, args=(self.second, "two"))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        self.assertEqual(failures, [])
        made = set(ids[self.first]) | set(ids[self.second])
        self.assertEqual(len(made), 2 * per_server)
        expected_total = len(baseline) + 2 * per_server

        for server in (self.first, self.second):
            with self.subTest(server=server.port):
                history = server.executions(deployment["slug"], deployment["apiKey"],
                                            "limit=1000")
                self.assertEqual(history.status, 200, history)
                listed = {row["id"] for row in history.body["executions"]}
                self.assertEqual(len(listed), expected_total)
                self.assertTrue(made <= listed, made - listed)
                statuses = {row["status"] for row in history.body["executions"]}
                self.assertEqual(statuses, {"success"})
                deployments = server.request("GET", "/api/deployments?limit=1000")
                self.assertEqual(deployments.status, 200, deployments)
                entry = [item for item in deployments.body["deployments"]
                         if item["id"] == deployment["id"]]
                self.assertEqual(len(entry), 1, deployments.body)
                self.assertEqual(entry[0]["executionCount"], expected_total)

    def test_regenerated_key_replaces_the_old_one_on_the_other_instance(self):
        deployment = self.deploy_on_first("Rotated")
        old_key = deployment["apiKey"]
        ok, _ = poll_until(lambda: self.execute_status(self.second, deployment, old_key) == 200,
                           PROPAGATION_DEADLINE_S)
        self.assertTrue(ok, "the deployment never reached the second instance")

        regenerated = self.first.json_request(
            "POST", f"/api/workflows/{deployment['id']}/regenerate-key", key=old_key)
        self.assertEqual(regenerated.status, 200, regenerated)
        new_key = regenerated.body["workflow"]["apiKey"]
        self.assertNotEqual(new_key, old_key)

        refused, elapsed = poll_until(
            lambda: self.execute_status(self.second, deployment, old_key) == 401,
            PROPAGATION_DEADLINE_S)
        self.assertTrue(refused, f"old key still accepted by the second instance after "
                                 f"{elapsed:.2f}s")
        accepted, _ = poll_until(
            lambda: self.execute_status(self.second, deployment, new_key) == 200,
            PROPAGATION_DEADLINE_S)
        self.assertTrue(accepted, "new key not accepted by the second instance")
        # Once refused, the old key stays refused.
        result = self.second.execute(deployment["slug"], {"message": "x"}, old_key)
        self.assertEqual(result.status, 401, result)
        self.assertEqual(result.body["error"], "Invalid API key")

    def test_deletion_on_one_instance_is_refused_by_the_other(self):
        deployment = self.deploy_on_first("Deleted")
        key = deployment["apiKey"]
        ok, _ = poll_until(lambda: self.execute_status(self.second, deployment, key) == 200,
                           PROPAGATION_DEADLINE_S)
        self.assertTrue(ok, "the deployment never reached the second instance")

        deleted = self.first.json_request("DELETE", f"/api/workflows/{deployment['id']}",
                                          key=key)
        self.assertEqual(deleted.status, 200, deleted)
        refused, elapsed = poll_until(
            lambda: self.execute_status(self.second, deployment, key) == 401,
            PROPAGATION_DEADLINE_S)
        self.assertTrue(refused, f"deleted workflow still executes on the second instance "
                                 f"after {elapsed:.2f}s")
        details = self.second.request("GET", f"/api/workflows/{deployment['slug']}")
        self.assertEqual(details.status, 404, details)
        listed = self.second.request("GET", "/api/deployments?limit=1000")
        self.assertEqual(listed.status, 200, listed)
        self.assertNotIn(deployment["id"], [item["id"] for item in listed.body["deployments"]])


if __name__ == "__main__":
    unittest.main()
