"""A stopped and restarted server on the same database keeps deployments, keys and history."""

import unittest

from runner_process import RunnerProcess, load_fixture, unique_token, wait_for_next_millisecond


class RestartTests(unittest.TestCase):

    def setUp(self):
        self.server = RunnerProcess()
        self.addCleanup(self.server.cleanup)

    def deploy(self, name, fixture):
        result = self.server.deploy(f"{name} {unique_token()}", load_fixture(fixture))
        self.assertEqual(result.status, 201, result)
        return result.body["deployment"]

    def execute(self, deployment, inputs, key=None):
        result = self.server.execute(deployment["slug"], inputs, key or deployment["apiKey"])
        self.assertEqual(result.status, 200, result)
        return result.body

    def history_ids(self, deployment, key=None):
        result = self.server.executions(deployment["slug"], key or deployment["apiKey"])
        self.assertEqual(result.status, 200, result)
        return [row["id"] for row in result.body["executions"]]

    def listed(self):
        result = self.server.request("GET", "/api/deployments?limit=1000")
        self.assertEqual(result.status, 200, result)
        return {item["id"]: item for item in result.body["deployments"]}

    def test_deployments_keys_and_history_survive_a_restart(self):
        self.server.start()
        self.assertIn("listening on", self.server.log_text())
        echo = self.deploy("Survivor", "echo")
        rotated = self.deploy("Rotated", "text_pipeline")
        removed = self.deploy("Removed", "echo")

        self.execute(echo, {"message": "before restart 1"})
        wait_for_next_millisecond()
        self.execute(echo, {"message": "before restart 2"})
        history_before = self.history_ids(echo)
        self.assertEqual(len(history_before), 2)

        regenerated = self.server.json_request(
            "POST", f"/api/workflows/{rotated['id']}/regenerate-key", key=rotated["apiKey"])
        self.assertEqual(regenerated.status, 200, regenerated)
        new_key = regenerated.body["workflow"]["apiKey"]
        deleted = self.server.json_request("DELETE", f"/api/workflows/{removed['id']}",
                                           key=removed["apiKey"])
        self.assertEqual(deleted.status, 200, deleted)

        self.assertEqual(self.server.stop(), 0, self.server.log_tail())
        self.server.start()

        listed = self.listed()
        self.assertIn(echo["id"], listed)
        self.assertIn(rotated["id"], listed)
        self.assertNotIn(removed["id"], listed)
        self.assertEqual(listed[echo["id"]]["executionCount"], 2)
        self.assertEqual(listed[echo["id"]]["slug"], echo["slug"])

        # History kept, the original key still executes.
        self.assertEqual(self.history_ids(echo), history_before)
        body = self.execute(echo, {"message": "after restart"})
        self.assertEqual(body["outputs"], {"reply": "after restart"})
        history_after = self.history_ids(echo)
        self.assertEqual(history_after[1:], history_before)
        self.assertEqual(history_after[0], body["metadata"]["executionId"])

        # Only the regenerated key is valid, the deleted workflow stays deleted.
        old = self.server.execute(rotated["slug"], {"userName": "Ada"}, rotated["apiKey"])
        self.assertEqual(old.status, 401, old)
        body = self.execute(rotated, {"userName": "Ada"}, key=new_key)
        self.assertEqual(body["outputs"]["greeting"], "Hello, Ada")
        gone = self.server.execute(removed["slug"], {"message": "x"}, removed["apiKey"])
        self.assertEqual(gone.status, 401, gone)
        details = self.server.request("GET", f"/api/workflows/{removed['slug']}")
        self.assertEqual(details.status, 404, details)

        self.assertEqual(self.server.stop(), 0, self.server.log_tail())


if __name__ == "__main__":
    unittest.main()
