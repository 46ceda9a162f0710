"""Deployment management: the full lifecycle, key binding across workflows, the deployment list,
workflow details, the OpenAPI schema, execution history, key regeneration and deletion."""

import unittest

from runner_process import (API_KEY_PATTERN, DURATION_PATTERN, ISO_TIMESTAMP, UUID_PATTERN,
                            ServerTestCase, load_fixture, unique_token, wait_for_next_millisecond)

BASE_URL = "http://clara.example.test:9090"


def listed_deployments(server):
    """GET /api/deployments as {id: item} (newest first, so recent deployments are included)."""
    result = server.request("GET", "/api/deployments?limit=1000")
    if result.status != 200:
        raise AssertionError(result)
    return {item["id"]: item for item in result.body["deployments"]}


class LifecycleTests(ServerTestCase):
    server_base_url = BASE_URL

    def test_deploy_execute_history_regenerate_delete(self):
        server = self.server
        deployment = self.deploy_ok(f"Lifecycle {unique_token()}", load_fixture("echo"))
        slug, workflow_id, key = deployment["slug"], deployment["id"], deployment["apiKey"]

        # Execute twice.
        first = self.execute_ok(deployment, {"message": "first"})
        wait_for_next_millisecond()
        second = self.execute_ok(deployment, {"message": "second"})

        # History, newest first.
        history = server.executions(slug, key)
        self.assertEqual(history.status, 200, history)
        self.assertIs(history.body["success"], True)
        rows = history.body["executions"]
        self.assertEqual([row["id"] for row in rows],
                         [second["metadata"]["executionId"], first["metadata"]["executionId"]])
        self.assertEqual(rows[0]["inputs"], {"message": "second"})
        self.assertEqual(rows[0]["outputs"], {"reply": "second"})
        self.assertEqual(rows[0]["status"], "success")
        self.assertIsNone(rows[0]["error"])
        self.assertIsNone(rows[0]["errorNodeId"])
        self.assertRegex(rows[0]["duration"], DURATION_PATTERN)
        self.assertEqual(rows[0]["duration"], f"{rows[0]['durationMs']}ms")
        self.assertRegex(rows[0]["createdAt"], ISO_TIMESTAMP)
        self.assertEqual(history.body["pagination"],
                         {"limit": 50, "offset": 0, "hasMore": False, "nextCursor": None})

        # The deployment list counts the executions.
        listed = listed_deployments(server)
        self.assertEqual(listed[workflow_id]["executionCount"], 2)
        self.assertRegex(listed[workflow_id]["lastExecuted"], ISO_TIMESTAMP)

        # Regenerate: the old key stops working at once, the new one works.
        regenerated = server.json_request("POST", f"/api/workflows/{workflow_id}/regenerate-key",
                                          key=key)
        self.assertEqual(regenerated.status, 200, regenerated)
        self.assertIs(regenerated.body["success"], True)
        self.assertIsInstance(regenerated.body["message"], str)
        self.assertTrue(regenerated.body["message"])
        new_key = regenerated.body["workflow"]["apiKey"]
        self.assertEqual(regenerated.body["workflow"]["id"], workflow_id)
        self.assertEqual(regenerated.body["workflow"]["slug"], slug)
        self.assertRegex(new_key, API_KEY_PATTERN)
        self.assertNotEqual(new_key, key)
        self.assertErrorEnvelope(server.execute(slug, {"message": "old key"}, key), 401,
                                 "Invalid API key")
        self.assertErrorEnvelope(server.executions(slug, key), 401, "Invalid API key")
        result = server.execute(slug, {"message": "new key"}, new_key)
        self.assertEqual(result.status, 200, result)
        self.assertEqual(result.body["outputs"], {"reply": "new key"})
        history = server.executions(slug, new_key)
        self.assertEqual(len(history.body["executions"]), 3)

        # Delete with the new key.
        deleted = server.json_request("DELETE", f"/api/workflows/{workflow_id}", key=new_key)
        self.assertEqual(deleted.status, 200, deleted)
        self.assertEqual(deleted.body, {"success": True,
                                        "message": "Workflow deleted successfully",
                                        "workflow": {"id": workflow_id, "slug": slug}})
        self.assertErrorEnvelope(server.execute(slug, {"message": "gone"}, new_key), 401,
                                 "Invalid API key")
        self.assertErrorEnvelope(server.request("GET", f"/api/workflows/{slug}"), 404,
                                 "Workflow not found")
        self.assertErrorEnvelope(server.request("GET", f"/api/workflows/{slug}/schema"), 404,
                                 "Workflow not found")
        self.assertNotIn(workflow_id, listed_deployments(server))
        # The slug of a deleted workflow stays reserved.
        again = server.deploy("Reuse", load_fixture("echo"), slug=slug)
        self.assertErrorEnvelope(again, 409, "Slug already in use")

    def test_deleting_twice_fails_with_401(self):
        deployment = self.deploy_ok(f"Delete twice {unique_token()}", load_fixture("echo"))
        path = f"/api/workflows/{deployment['id']}"
        first = self.server.json_request("DELETE", path, key=deployment["apiKey"])
        self.assertEqual(first.status, 200, first)
        second = self.server.json_request("DELETE", path, key=deployment["apiKey"])
        self.assertErrorEnvelope(second, 401, "Invalid API key")

    def test_bad_uuid(self):
        deployment = self.deploy_ok(f"Uuid {unique_token()}", load_fixture("echo"))
        for path in ("/api/workflows/not-a-uuid/regenerate-key",):
            result = self.server.json_request("POST", path, key=deployment["apiKey"])
            self.assertErrorEnvelope(result, 400, "Invalid UUID format")
        result = self.server.json_request("DELETE", "/api/workflows/1234",
                                          key=deployment["apiKey"])
        self.assertErrorEnvelope(result, 400, "Invalid UUID format")
        # Still there.
        self.execute_ok(deployment, {"message": "still here"})

    def test_management_calls_need_a_key(self):
        deployment = self.deploy_ok(f"Needs key {unique_token()}", load_fixture("echo"))
        result = self.server.request("DELETE", f"/api/workflows/{deployment['id']}")
        self.assertErrorEnvelope(result, 401, "Missing Authorization header")
        result = self.server.request("POST", f"/api/workflows/{deployment['id']}/regenerate-key")
        self.assertErrorEnvelope(result, 401, "Missing Authorization header")
        result = self.server.request("GET", f"/api/workflows/{deployment['slug']}/executions")
        self.assertErrorEnvelope(result, 401, "Missing Authorization header")
        self.execute_ok(deployment, {"message": "not deleted"})


class CrossWorkflowKeyTests(ServerTestCase):
    """A valid key of workflow B must not act on workflow A."""

    def setUp(self):
        self.a = self.deploy_ok(f"Owner A {unique_token()}", load_fixture("echo"))
        self.b = self.deploy_ok(f"Owner B {unique_token()}", load_fixture("echo"))
        self.execute_ok(self.a, {"message": "a"})
        self.execute_ok(self.b, {"message": "b"})

    def history_ids(self, deployment):
        result = self.server.executions(deployment["slug"], deployment["apiKey"])
        self.assertEqual(result.status, 200, result)
        return [row["id"] for row in result.body["executions"]]

    def execution_count(self, deployment):
        return listed_deployments(self.server)[deployment["id"]]["executionCount"]

    def test_execute_with_another_workflows_key_is_denied_and_nothing_runs(self):
        a_before, b_before = self.history_ids(self.a), self.history_ids(self.b)
        result = self.server.execute(self.a["slug"], {"message": "intruder"}, self.b["apiKey"])
        self.assertErrorEnvelope(result, 403, "Access denied")
        self.assertNotIn("outputs", result.body)
        self.assertEqual(self.history_ids(self.a), a_before)
        self.assertEqual(self.history_ids(self.b), b_before)
        self.assertEqual(self.execution_count(self.a), 1)
        self.assertEqual(self.execution_count(self.b), 1)

    def test_history_of_another_workflow_is_denied(self):
        result = self.server.executions(self.a["slug"], self.b["apiKey"])
        self.assertErrorEnvelope(result, 403, "Access denied")
        self.assertNotIn("executions", result.body)

    def test_regenerating_another_workflows_key_is_denied(self):
        result = self.server.json_request(
            "POST", f"/api/workflows/{self.a['id']}/regenerate-key", key=self.b["apiKey"])
        self.assertErrorEnvelope(result, 403, "Access denied")
        self.assertNotIn("workflow", result.body)
        self.execute_ok(self.a, {"message": "key of A still valid"})

    def test_deleting_another_workflow_is_denied(self):
        result = self.server.json_request("DELETE", f"/api/workflows/{self.a['id']}",
                                          key=self.b["apiKey"])
        self.assertErrorEnvelope(result, 403, "Access denied")
        self.assertIn(self.a["id"], listed_deployments(self.server))
        self.execute_ok(self.a, {"message": "A still deployed"})


class DeploymentListTests(ServerTestCase):
    """The three deployments of this class carry their own userId, so the filtered list holds
    exactly them even when other suites share the database."""

    server_base_url = BASE_URL

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.token = unique_token()
        cls.user = f"integration-{cls.token}"
        cls.deployed = []
        for index in range(3):
            result = cls.server.deploy(f"Listed {index} {cls.token}", load_fixture("echo"),
                                       description=f"number {index}", userId=cls.user)
            if result.status != 201:
                raise AssertionError(result)
            cls.deployed.append(result.body["deployment"])
            if index < 2:
                wait_for_next_millisecond()
        cls.newest_first = [d["id"] for d in reversed(cls.deployed)]

    def list_items(self, query=""):
        result = self.server.request("GET", f"/api/deployments?userId={self.user}&{query}")
        self.assertEqual(result.status, 200, result)
        self.assertIs(result.body["success"], True)
        return result

    def ids(self, result):
        return [item["id"] for item in result.body["deployments"]]

    def test_items_carry_every_field(self):
        deployment = self.deployed[0]
        self.execute_ok(deployment, {"message": "count me"})
        items = {item["id"]: item for item in self.list_items().body["deployments"]}
        item = items[deployment["id"]]
        slug = deployment["slug"]
        self.assertEqual(item["name"], deployment["name"])
        self.assertEqual(item["slug"], slug)
        self.assertEqual(item["description"], "number 0")
        self.assertEqual(item["endpoint"], f"{BASE_URL}/api/workflows/{slug}/execute")
        self.assertEqual(item["docs"], f"{BASE_URL}/api/workflows/{slug}/docs")
        self.assertEqual(item["executionCount"], 1)
        self.assertRegex(item["lastExecuted"], ISO_TIMESTAMP)
        self.assertEqual(item["createdAt"], deployment["createdAt"])
        self.assertIs(item["isActive"], True)
        self.assertIsNone(items[self.deployed[1]["id"]]["lastExecuted"])
        self.assertEqual(items[self.deployed[1]["id"]]["executionCount"], 0)

    def test_user_filter_and_newest_first(self):
        self.assertEqual(self.ids(self.list_items()), self.newest_first)

    def test_unfiltered_list_holds_them_too(self):
        result = self.server.request("GET", "/api/deployments?limit=1000")
        self.assertEqual(result.status, 200, result)
        listed = [item["id"] for item in result.body["deployments"]]
        self.assertEqual([i for i in listed if i in self.newest_first], self.newest_first)

    def test_default_pagination(self):
        result = self.list_items()
        self.assertEqual(result.body["pagination"], {"limit": 100, "offset": 0, "hasMore": False})

    def test_limit_and_offset_page_through_the_list(self):
        first = self.list_items("limit=1")
        self.assertEqual(self.ids(first), self.newest_first[:1])
        self.assertEqual(first.body["pagination"], {"limit": 1, "offset": 0, "hasMore": True})
        middle = self.list_items("limit=1&offset=1")
        self.assertEqual(self.ids(middle), self.newest_first[1:2])
        self.assertIs(middle.body["pagination"]["hasMore"], True)
        rest = self.list_items("limit=2&offset=1")
        self.assertEqual(self.ids(rest), self.newest_first[1:])
        self.assertEqual(rest.body["pagination"], {"limit": 2, "offset": 1, "hasMore": False})
        exact = self.list_items("limit=3")
        self.assertIs(exact.body["pagination"]["hasMore"], False)
        beyond = self.list_items("offset=3")
        self.assertEqual(beyond.body["deployments"], [])

    def test_bad_pagination_is_refused(self):
        cases = {"limit=0": "limit must be a positive integer",
                 "limit=abc": "limit must be a positive integer",
                 "limit=-5": "limit must be a positive integer",
                 "limit=1001": "limit must be 1000 or less",
                 "offset=-1": "offset must be a non-negative integer",
                 "offset=x": "offset must be a non-negative integer"}
        for query, message in cases.items():
            with self.subTest(query=query):
                result = self.server.request("GET", f"/api/deployments?{query}")
                self.assertErrorEnvelope(result, 400, "Validation failed")
                self.assertIn(message, result.body["validationErrors"])


class DeployedPipelineCase(ServerTestCase):
    """A server with the text pipeline deployed (base class; holds no tests)."""

    server_base_url = BASE_URL

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        result = cls.server.deploy(f"Details {unique_token()}", load_fixture("text_pipeline"),
                                   description="details test")
        if result.status != 201:
            raise AssertionError(result)
        cls.deployment = result.body["deployment"]
        cls.slug = cls.deployment["slug"]


class WorkflowDetailsTests(DeployedPipelineCase):
    """GET /api/workflows/{slug} for a deployed workflow (own server: a failure here must not
    hide the results of the schema tests)."""

    def test_details(self):
        before = self.server.request("GET", f"/api/workflows/{self.slug}")
        self.assertEqual(before.status, 200, before)
        self.assertEqual(before.body["workflow"]["executionCount"], 0)
        self.assertIsNone(before.body["workflow"]["lastExecuted"])
        self.execute_ok(self.deployment, {"userName": "Ada"})
        result = self.server.request("GET", f"/api/workflows/{self.slug}")
        self.assertEqual(result.status, 200, result)
        self.assertIs(result.body["success"], True)
        workflow = result.body["workflow"]
        self.assertEqual(workflow["executionCount"], 1)
        self.assertRegex(workflow["lastExecuted"], ISO_TIMESTAMP)
        self.assertEqual(workflow["id"], self.deployment["id"])
        self.assertEqual(workflow["name"], self.deployment["name"])
        self.assertEqual(workflow["slug"], self.slug)
        self.assertEqual(workflow["description"], "details test")
        self.assertEqual(workflow["endpoint"], f"{BASE_URL}/api/workflows/{self.slug}/execute")
        self.assertEqual(workflow["docs"], f"{BASE_URL}/api/workflows/{self.slug}/docs")
        self.assertEqual(workflow["createdAt"], self.deployment["createdAt"])
        self.assertRegex(workflow["updatedAt"], ISO_TIMESTAMP)
        for part in ("input", "output", "metadata"):
            self.assertEqual(workflow["schema"][part], self.deployment["schema"][part])
        self.assertEqual(workflow["schema"]["openapi"]["openapi"], "3.0.3")
        # Neither the workflow JSON (static text, inner node ids) nor the key is returned.
        self.assertNotIn("workflow", workflow)
        self.assertNotIn("greeting-text", result.text)
        self.assertNotIn("welcome aboard", result.text)
        self.assertNotIn(self.deployment["apiKey"], result.text)
        self.assertNotIn(self.deployment["apiKey"][len("clara_sk_"):], result.text)


class WorkflowLookupTests(DeployedPipelineCase):
    """Unknown and malformed slugs, and the OpenAPI document."""

    def test_unknown_slug(self):
        result = self.server.request("GET", f"/api/workflows/never-deployed-{unique_token()}")
        self.assertErrorEnvelope(result, 404, "Workflow not found")

    def test_bad_slug_format(self):
        for slug in ("Upper", "under_score", "dot.ted"):
            with self.subTest(slug=slug):
                result = self.server.request("GET", f"/api/workflows/{slug}")
                self.assertErrorEnvelope(result, 400, "Invalid slug format")
                result = self.server.request("GET", f"/api/workflows/{slug}/schema")
                self.assertErrorEnvelope(result, 400, "Invalid slug format")

    def test_schema_is_the_openapi_document(self):
        result = self.server.request("GET", f"/api/workflows/{self.slug}/schema")
        self.assertEqual(result.status, 200, result)
        document = result.body
        self.assertEqual(document["openapi"], "3.0.3")
        self.assertNotIn("success", document)
        self.assertEqual(document["servers"][0]["url"], BASE_URL)
        path = f"/api/workflows/{self.slug}/execute"
        self.assertEqual(list(document["paths"]), [path])
        operation = document["paths"][path]["post"]
        self.assertEqual(operation["operationId"], f"execute_{self.slug}")
        request_schema = operation["requestBody"]["content"]["application/json"]["schema"]
        self.assertEqual(list(request_schema["properties"]), ["userName"])
        self.assertEqual(request_schema["required"], ["userName"])
        example = operation["requestBody"]["content"]["application/json"]["examples"]["default"]
        self.assertEqual(example["value"], {"userName": "Example text"})
        outputs = operation["responses"]["200"]["content"]["application/json"]["schema"]
        self.assertEqual(list(outputs["properties"]["outputs"]["properties"]),
                         ["greeting", "fullMessage"])
        self.assertIn("securitySchemes", document["components"])

    def test_openapi_example_executes(self):
        document = self.server.request("GET", f"/api/workflows/{self.slug}/schema").body
        operation = document["paths"][f"/api/workflows/{self.slug}/execute"]["post"]
        example = operation["requestBody"]["content"]["application/json"]["examples"]["default"]
        body = self.execute_ok(self.deployment, example["value"])
        self.assertEqual(body["outputs"]["greeting"], "Hello, Example text")


class ExecutionHistoryTests(ServerTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        result = cls.server.deploy(f"History {unique_token()}", load_fixture("strict_json_parse"))
        if result.status != 201:
            raise AssertionError(result)
        cls.deployment = result.body["deployment"]
        cls.slug, cls.key = cls.deployment["slug"], cls.deployment["apiKey"]
        # Oldest to newest: ok, error, ok, error, ok.
        cls.documents = ['{"n": 1}', "{bad 2", '{"n": 3}', "{bad 4", '{"n": 5}']
        cls.expected_ids = []
        for document in cls.documents:
            result = cls.server.execute(cls.slug, {"document": document}, cls.key)
            if result.status not in (200, 500):
                raise AssertionError(result)
            cls.expected_ids.append(result.body["metadata"]["executionId"])
            wait_for_next_millisecond()
        cls.expected_ids.reverse()  # newest first

    def history(self, query=""):
        result = self.server.executions(self.slug, self.key, query)
        self.assertEqual(result.status, 200, result)
        return result

    def test_newest_first_with_inputs_outputs_and_status(self):
        rows = self.history().body["executions"]
        self.assertEqual([row["id"] for row in rows], self.expected_ids)
        self.assertEqual([row["inputs"]["document"] for row in rows],
                         list(reversed(self.documents)))
        self.assertEqual([row["status"] for row in rows],
                         ["success", "error", "success", "error", "success"])
        self.assertEqual(rows[0]["outputs"], {"parsed": {"n": 5}})
        self.assertTrue(rows[1]["error"].startswith("Node 'Strict Parser' failed:"), rows[1])
        self.assertEqual(rows[1]["errorNodeId"], "strict-parse")
        for row in rows:
            self.assertRegex(row["duration"], DURATION_PATTERN)
            self.assertRegex(row["createdAt"], ISO_TIMESTAMP)
            self.assertRegex(row["id"], UUID_PATTERN)

    def test_limit_and_offset(self):
        page = self.history("limit=2")
        self.assertEqual([row["id"] for row in page.body["executions"]], self.expected_ids[:2])
        self.assertEqual({k: v for k, v in page.body["pagination"].items() if k != "nextCursor"},
                         {"limit": 2, "offset": 0, "hasMore": True})
        self.assertIsInstance(page.body["pagination"]["nextCursor"], str)
        page = self.history("limit=2&offset=4")
        self.assertEqual([row["id"] for row in page.body["executions"]], self.expected_ids[4:])
        self.assertEqual(page.body["pagination"],
                         {"limit": 2, "offset": 4, "hasMore": False, "nextCursor": None})
        page = self.history("limit=5")
        self.assertIs(page.body["pagination"]["hasMore"], False)

    def test_status_filter(self):
        errors = self.history("status=error").body["executions"]
        self.assertEqual([row["id"] for row in errors],
                         [self.expected_ids[1], self.expected_ids[3]])
        successes = self.history("status=success").body["executions"]
        self.assertEqual(len(successes), 3)
        self.assertEqual(self.history("status=timeout").body["executions"], [])

    def test_bad_query_is_refused(self):
        for query in ("limit=0", "limit=abc", "limit=1001", "offset=-1", "status=bogus"):
            with self.subTest(query=query):
                result = self.server.executions(self.slug, self.key, query)
                self.assertErrorEnvelope(result, 400, "Validation failed")
                self.assertTrue(result.body.get("validationErrors"), result)


if __name__ == "__main__":
    unittest.main()
