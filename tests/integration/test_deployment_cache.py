"""The runner keeps only the most recently used compiled deployments in memory
(DEPLOYMENT_CACHE_SIZE); every other deployment is read from the database and compiled when a
request names it, so all of them keep working whatever the cache holds."""

import unittest

from runner_process import RunnerProcess, ServerTestCase, load_fixture, unique_token


def shout_flow():
    """input -> custom node (uppercase) -> output, as a clara-sdk envelope."""
    return {
        "format": "clara-sdk",
        "flow": {
            "name": "Shout",
            "nodes": [
                {"id": "input-1", "type": "input", "name": "Text", "data": {"label": "Text"}},
                {"id": "custom-1", "type": "shout", "name": "Shout", "data": {}},
                {"id": "output-1", "type": "output", "name": "Loud", "data": {"label": "Loud"}},
            ],
            "connections": [
                {"sourceNodeId": "input-1", "sourcePortId": "output",
                 "targetNodeId": "custom-1", "targetPortId": "input"},
                {"sourceNodeId": "custom-1", "sourcePortId": "output",
                 "targetNodeId": "output-1", "targetPortId": "input"},
            ],
        },
        "customNodes": [{
            "type": "shout", "name": "Shout",
            "inputs": [{"id": "input", "name": "text"}],
            "outputs": [{"id": "output", "name": "result"}],
            "executionCode": "return inputs.text.toUpperCase();",
        }],
    }


class BoundedCacheTests(ServerTestCase):
    server_env = {"DEPLOYMENT_CACHE_SIZE": "2"}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.echoes = []
        for index in range(5):
            result = cls.server.deploy(f"Cached {index} {unique_token()}", load_fixture("echo"))
            if result.status != 201:
                raise AssertionError(f"deploy failed: {result}")
            cls.echoes.append(result.body["deployment"])

    def cache_state(self):
        health = self.server.request("GET", "/health")
        self.assertEqual(health.status, 200, health)
        return health.body["deploymentCache"]

    def echo(self, deployment, message, key=None):
        return self.server.execute(deployment["slug"], {"message": message},
                                   key or deployment["apiKey"])

    def test_every_deployment_answers_while_the_cache_holds_two(self):
        for round_number in range(2):
            for index, deployment in enumerate(self.echoes):
                message = f"round {round_number} workflow {index}"
                result = self.echo(deployment, message)
                self.assertEqual(result.status, 200, result)
                self.assertEqual(result.body["outputs"], {"reply": message}, result)
                state = self.cache_state()
                self.assertEqual(state["capacity"], 2)
                self.assertLessEqual(state["size"], 2)

    def test_evicted_deployments_serve_docs_schema_and_history(self):
        first = self.echoes[0]
        for other in self.echoes[1:]:  # push the first one out
            self.assertEqual(self.echo(other, "x").status, 200)
        docs = self.server.request("GET", f"/api/workflows/{first['slug']}/docs")
        self.assertEqual(docs.status, 200, docs)
        info = self.server.request("GET", f"/api/workflows/{first['slug']}")
        self.assertEqual(info.status, 200, info)
        history = self.server.executions(first["slug"], first["apiKey"])
        self.assertEqual(history.status, 200, history)

    def test_key_changes_and_deletes_of_evicted_deployments_take_effect(self):
        rotated = self.server.deploy(f"Rotated {unique_token()}", load_fixture("echo")).body["deployment"]
        removed = self.server.deploy(f"Removed {unique_token()}", load_fixture("echo")).body["deployment"]
        for other in self.echoes[:3]:  # neither is cached any more
            self.assertEqual(self.echo(other, "x").status, 200)

        regenerated = self.server.json_request(
            "POST", f"/api/workflows/{rotated['id']}/regenerate-key", key=rotated["apiKey"])
        self.assertEqual(regenerated.status, 200, regenerated)
        new_key = regenerated.body["workflow"]["apiKey"]
        self.assertEqual(self.echo(rotated, "old key").status, 401)
        self.assertEqual(self.echo(rotated, "new key", key=new_key).status, 200)

        for other in self.echoes[:3]:
            self.assertEqual(self.echo(other, "x").status, 200)
        deleted = self.server.json_request("DELETE", f"/api/workflows/{removed['id']}",
                                           key=removed["apiKey"])
        self.assertEqual(deleted.status, 200, deleted)
        for other in self.echoes[:3]:
            self.assertEqual(self.echo(other, "x").status, 200)
        self.assertEqual(self.echo(removed, "gone").status, 401)
        docs = self.server.request("GET", f"/api/workflows/{removed['slug']}/docs")
        self.assertEqual(docs.status, 404, docs)

    def test_unknown_keys_and_slugs_are_still_refused(self):
        result = self.server.execute(self.echoes[0]["slug"], {"message": "x"},
                                     "clara_sk_" + "0" * 64)
        self.assertErrorEnvelope(result, 401, "Invalid API key")
        docs = self.server.request("GET", f"/api/workflows/nobody-{unique_token()}/docs")
        self.assertEqual(docs.status, 404, docs)


class UncompilableDeploymentTests(unittest.TestCase):

    def test_a_stored_workflow_that_no_longer_compiles_says_to_redeploy(self):
        server = RunnerProcess(env={"ENABLE_CUSTOM_NODES": "true"})
        self.addCleanup(server.cleanup)
        server.start()
        deployed = server.deploy(f"Shout {unique_token()}", shout_flow())
        self.assertEqual(deployed.status, 201, deployed)
        deployment = deployed.body["deployment"]
        self.assertEqual(server.stop(), 0, server.log_tail())

        server.extra_env["ENABLE_CUSTOM_NODES"] = "false"
        server.start()
        result = server.execute(deployment["slug"], {"text": "hi"}, deployment["apiKey"])
        self.assertEqual(result.status, 500, result)
        self.assertEqual(result.body["error"], "Workflow cannot be served", result)
        self.assertIn("redeploy", result.body["message"], result)


if __name__ == "__main__":
    unittest.main()
