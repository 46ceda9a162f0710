"""POST /api/deploy: response body, slugs, validation errors and accepted envelopes."""

import copy
import unittest

from runner_process import (API_KEY_PATTERN, ISO_TIMESTAMP, UUID_PATTERN, ServerTestCase,
                            load_fixture, unique_token)

BASE_URL = "http://clara.example.test:8080"

DEPLOY_MESSAGE = "Workflow deployed successfully. Save the API key - it will not be shown again!"


def node(node_id, node_type, **data):
    return {"id": node_id, "type": node_type, "data": data}


def edge(source, target, source_handle="output", target_handle="input"):
    return {"sourceNodeId": source, "sourcePortId": source_handle,
            "targetNodeId": target, "targetPortId": target_handle}


def to_react_flow_keys(workflow):
    """The same workflow with connections spelled source/target/sourceHandle/targetHandle."""
    converted = copy.deepcopy(workflow)
    converted["connections"] = [
        {"id": f"e{index}", "source": c["sourceNodeId"], "target": c["targetNodeId"],
         "sourceHandle": c["sourcePortId"], "targetHandle": c["targetPortId"]}
        for index, c in enumerate(workflow["connections"])]
    return converted


def to_edges(workflow):
    converted = copy.deepcopy(workflow)
    converted["edges"] = converted.pop("connections")
    return converted


def to_sdk_wrapper(workflow):
    """A `clara-sdk` export as the Studio writes it."""
    return {"format": "clara-sdk", "version": "1.0.0", "flow": copy.deepcopy(workflow),
            "customNodes": [],
            "metadata": {"exportedAt": "2025-01-07T10:00:00.000Z",
                         "exportedBy": "Clara Agent Studio", "hasCustomNodes": False}}


def to_template_wrapper(workflow):
    """A template-library entry: no `format`, the flow nested under `flow`."""
    return {"id": "template-greeting", "name": "Greeting template", "description": "template",
            "category": "Basics", "difficulty": "beginner", "tags": ["text"], "author": "Clara",
            "downloads": 0, "rating": 5, "flow": copy.deepcopy(workflow)}


def to_native_wrapper(workflow):
    """The Studio's typed `clara-native` export record (flow nested under `flow`)."""
    return {"format": "clara-native", "flow": copy.deepcopy(workflow),
            "metadata": {"exportedAt": "2025-01-07T10:00:00.000Z"}}


class DeployResponseTests(ServerTestCase):
    server_base_url = BASE_URL

    def test_deploy_returns_complete_deployment_with_key_and_urls(self):
        token = unique_token()
        result = self.server.deploy(f"Greeting {token}", load_fixture("text_pipeline"),
                                    description="Says hello")
        self.assertEqual(result.status, 201, result)
        body = result.body
        self.assertIs(body["success"], True)
        self.assertEqual(body["message"], DEPLOY_MESSAGE)
        self.assertIsInstance(body["warnings"], list)
        for warning in body["warnings"]:
            self.assertIsInstance(warning, str)
        deployment = body["deployment"]
        slug = f"greeting-{token}"
        self.assertRegex(deployment["id"], UUID_PATTERN)
        self.assertEqual(deployment["name"], f"Greeting {token}")
        self.assertEqual(deployment["slug"], slug)
        self.assertEqual(deployment["description"], "Says hello")
        self.assertEqual(deployment["endpoint"], f"{BASE_URL}/api/workflows/{slug}/execute")
        self.assertEqual(deployment["docs"], f"{BASE_URL}/api/workflows/{slug}/docs")
        self.assertRegex(deployment["apiKey"], API_KEY_PATTERN)
        self.assertRegex(deployment["createdAt"], ISO_TIMESTAMP)
        self.assertEqual(set(deployment["schema"]), {"input", "output", "metadata"})

    def test_schema_describes_inputs_outputs_and_counts(self):
        deployment = self.deploy_ok(f"Schema {unique_token()}", load_fixture("text_pipeline"))
        schema = deployment["schema"]
        self.assertEqual(schema["input"]["type"], "object")
        self.assertEqual(list(schema["input"]["properties"]), ["userName"])
        user_name = schema["input"]["properties"]["userName"]
        self.assertEqual(user_name["type"], "string")
        self.assertEqual(user_name["x-node-id"], "name-input")
        self.assertEqual(user_name["x-node-type"], "input")
        self.assertEqual(schema["input"]["required"], ["userName"])
        self.assertEqual(list(schema["output"]["properties"]), ["greeting", "fullMessage"])
        self.assertEqual(schema["output"]["properties"]["greeting"]["x-node-id"], "greeting-output")
        self.assertEqual(schema["metadata"]["nodeCount"], 7)
        self.assertEqual(schema["metadata"]["connectionCount"], 6)

    def test_description_is_null_when_absent(self):
        deployment = self.deploy_ok(f"No description {unique_token()}", load_fixture("echo"))
        self.assertIsNone(deployment["description"])

    def test_keys_are_unique_per_deployment(self):
        first = self.deploy_ok(f"Key one {unique_token()}", load_fixture("echo"))
        second = self.deploy_ok(f"Key two {unique_token()}", load_fixture("echo"))
        self.assertNotEqual(first["apiKey"], second["apiKey"])
        self.assertNotEqual(first["id"], second["id"])

    def test_field_names_follow_labels_and_number_duplicates(self):
        result = self.server.deploy(f"Fields {unique_token()}", load_fixture("field_names"))
        self.assertEqual(result.status, 201, result)
        schema = result.body["deployment"]["schema"]
        self.assertEqual(list(schema["input"]["properties"]),
                         ["userName", "searchTerm", "input3", "topic", "topic2"])
        self.assertEqual(schema["input"]["properties"]["topic2"]["x-node-id"], "topic-b")
        self.assertEqual(sorted(schema["input"]["required"]),
                         sorted(["userName", "searchTerm", "input3", "topic", "topic2"]))
        self.assertEqual(list(schema["output"]["properties"]),
                         ["result", "result2", "finaloutput", "aIResponse"])
        self.assertEqual(schema["output"]["properties"]["result2"]["x-node-id"], "out-b")
        # Renaming a duplicate is reported so the author can fix the labels.
        self.assertTrue(any("topic" in w.lower() for w in result.body["warnings"]),
                        result.body["warnings"])


class SlugTests(ServerTestCase):

    def test_slug_is_generated_from_the_name(self):
        token = unique_token()
        deployment = self.deploy_ok(f"  Hello, World!  Flow {token} ", load_fixture("echo"))
        self.assertEqual(deployment["slug"], f"hello-world-flow-{token}")

    def test_generated_slug_that_is_taken_gets_a_number(self):
        name = f"Twice Deployed {unique_token()}"
        first = self.deploy_ok(name, load_fixture("echo"))
        second = self.deploy_ok(name, load_fixture("echo"))
        third = self.deploy_ok(name, load_fixture("echo"))
        self.assertEqual(second["slug"], first["slug"] + "-1")
        self.assertEqual(third["slug"], first["slug"] + "-2")

    def test_generated_slug_is_cut_to_fifty_characters_without_trailing_dash(self):
        token = unique_token()
        # 49 characters, then a space: the cut at 50 leaves a dash at the end, which goes.
        name = "a" * 43 + token + " tail words"
        deployment = self.deploy_ok(name, load_fixture("echo"))
        self.assertEqual(deployment["slug"], "a" * 43 + token)

    def test_name_without_letters_or_digits_gets_a_fallback_slug(self):
        deployment = self.deploy_ok("!!! ???", load_fixture("echo"))
        self.assertRegex(deployment["slug"], r"^workflow-[0-9a-f]{8}$")

    def test_explicit_slug_is_used(self):
        slug = f"custom-slug-{unique_token()}"
        deployment = self.deploy_ok("Anything", load_fixture("echo"), slug=slug)
        self.assertEqual(deployment["slug"], slug)

    def test_explicit_slug_that_is_taken_is_refused_with_409(self):
        slug = f"taken-{unique_token()}"
        self.deploy_ok("First owner", load_fixture("echo"), slug=slug)
        result = self.server.deploy("Second owner", load_fixture("echo"), slug=slug)
        self.assertErrorEnvelope(result, 409, "Slug already in use")
        self.assertIn(slug, result.body.get("message", ""))

    def test_empty_slug_means_generate(self):
        token = unique_token()
        deployment = self.deploy_ok(f"Empty Slug {token}", load_fixture("echo"), slug="")
        self.assertEqual(deployment["slug"], f"empty-slug-{token}")


class DeployValidationTests(ServerTestCase):

    def assertValidationFailed(self, result):
        """400 `Validation failed` with a list of strings; returns the list."""
        self.assertErrorEnvelope(result, 400, "Validation failed")
        errors = result.body.get("validationErrors")
        self.assertIsInstance(errors, list, result)
        self.assertTrue(errors, result)
        for entry in errors:
            self.assertIsInstance(entry, str)
        return errors

    def assertHasEntry(self, errors, prefix):
        self.assertTrue(any(e.startswith(prefix) for e in errors),
                        f"no entry starting with {prefix!r} in {errors}")

    def test_missing_workflow(self):
        result = self.server.request("POST", "/api/deploy", body={"name": "No workflow"})
        self.assertIn("workflow is required", self.assertValidationFailed(result))

    def test_blank_name(self):
        result = self.server.deploy("   ", load_fixture("echo"))
        self.assertIn("name is required and must be a non-empty string",
                      self.assertValidationFailed(result))

    def test_missing_name(self):
        result = self.server.request("POST", "/api/deploy", body={"workflow": load_fixture("echo")})
        self.assertIn("name is required and must be a non-empty string",
                      self.assertValidationFailed(result))

    def test_name_longer_than_255_characters(self):
        result = self.server.deploy("n" * 256, load_fixture("echo"))
        self.assertIn("name must be 255 characters or less", self.assertValidationFailed(result))

    def test_bad_slug(self):
        for slug in ("Upper-Case", "with space", "under_score", "ünï"):
            with self.subTest(slug=slug):
                result = self.server.deploy("Bad slug", load_fixture("echo"), slug=slug)
                self.assertIn("slug must contain only lowercase letters, numbers, and hyphens",
                              self.assertValidationFailed(result))

    def test_null_slug(self):
        result = self.server.deploy("Null slug", load_fixture("echo"), slug=None)
        self.assertIn("slug must be a string", self.assertValidationFailed(result))

    def test_description_that_is_not_a_string(self):
        result = self.server.deploy("Numeric description", load_fixture("echo"), description=42)
        self.assertIn("description must be a string", self.assertValidationFailed(result))

    def test_all_request_problems_are_listed_together(self):
        result = self.server.request("POST", "/api/deploy", body={"name": "", "slug": "Bad Slug"})
        errors = self.assertValidationFailed(result)
        self.assertIn("workflow is required", errors)
        self.assertIn("name is required and must be a non-empty string", errors)
        self.assertIn("slug must contain only lowercase letters, numbers, and hyphens", errors)

    def test_cycle(self):
        workflow = {
            "nodes": [node("in", "input", label="Text"),
                      node("a", "combine-text"), node("b", "combine-text"),
                      node("out", "output")],
            "connections": [edge("in", "a", target_handle="text1"),
                            edge("a", "b", "combined", "text1"),
                            edge("b", "a", "combined", "text2"),
                            edge("b", "out", "combined")]}
        errors = self.assertValidationFailed(self.server.deploy("Cycle", workflow))
        self.assertHasEntry(errors, "cycle:")

    def test_self_loop_is_a_cycle(self):
        workflow = {
            "nodes": [node("in", "input"), node("loop", "combine-text"), node("out", "output")],
            "connections": [edge("in", "loop", target_handle="text1"),
                            edge("loop", "loop", "combined", "text2"),
                            edge("loop", "out", "combined")]}
        errors = self.assertValidationFailed(self.server.deploy("Self loop", workflow))
        self.assertHasEntry(errors, "cycle:")

    def test_dangling_connection(self):
        workflow = {"nodes": [node("in", "input"), node("out", "output")],
                    "connections": [edge("in", "out"), edge("ghost", "out")]}
        errors = self.assertValidationFailed(self.server.deploy("Dangling", workflow))
        self.assertHasEntry(errors, "dangling_connection:")
        self.assertTrue(any("ghost" in e for e in errors), errors)

    def test_duplicate_node_ids(self):
        workflow = {"nodes": [node("same", "input"), node("same", "static-text", text="x"),
                              node("out", "output")],
                    "connections": [edge("same", "out")]}
        errors = self.assertValidationFailed(self.server.deploy("Duplicates", workflow))
        self.assertHasEntry(errors, "duplicate_node_id:")
        self.assertTrue(any("same" in e for e in errors), errors)

    def test_no_output_node(self):
        workflow = {"nodes": [node("in", "input"), node("parse", "json-parse")],
                    "connections": [edge("in", "parse")]}
        errors = self.assertValidationFailed(self.server.deploy("No output", workflow))
        self.assertIn("Workflow must have at least one output node", errors)

    def test_unparsable_if_else_expression(self):
        workflow = {"nodes": [node("in", "input"), node("gate", "if-else", expression="input > "),
                              node("out", "output")],
                    "connections": [edge("in", "gate"), edge("gate", "out", "true")]}
        errors = self.assertValidationFailed(self.server.deploy("Bad expression", workflow))
        self.assertHasEntry(errors, "invalid_expression:")

    def test_unsupported_node_types_are_each_named(self):
        workflow = {"nodes": [node("in", "input"), node("legacy", "text"),
                              node("player", "audio-player"), node("legacy-2", "text"),
                              node("out", "output")],
                    "connections": [edge("in", "legacy", target_handle="input"),
                                    edge("legacy", "out")]}
        errors = self.assertValidationFailed(self.server.deploy("Legacy nodes", workflow))
        self.assertHasEntry(errors, "unsupported_node_type: text (")
        self.assertHasEntry(errors, "unsupported_node_type: audio-player (")
        self.assertEqual(sum(e.startswith("unsupported_node_type: text (") for e in errors), 1)

    def test_every_structural_problem_is_reported_at_once(self):
        workflow = {"nodes": [node("x", "input"), node("x", "input"), node("p", "json-parse")],
                    "connections": [edge("x", "p"), edge("p", "missing")]}
        errors = self.assertValidationFailed(self.server.deploy("Many problems", workflow))
        self.assertHasEntry(errors, "duplicate_node_id:")
        self.assertHasEntry(errors, "dangling_connection:")
        self.assertIn("Workflow must have at least one output node", errors)

    def test_workflow_without_nodes_array(self):
        result = self.server.deploy("Not a workflow", {"steps": []})
        errors = self.assertValidationFailed(result)
        self.assertHasEntry(errors, "invalid_workflow_format:")

    def test_refused_workflow_is_not_stored(self):
        slug = f"refused-{unique_token()}"
        workflow = {"nodes": [node("in", "input")], "connections": []}
        self.assertValidationFailed(self.server.deploy("Refused", workflow, slug=slug))
        result = self.server.request("GET", f"/api/workflows/{slug}")
        self.assertErrorEnvelope(result, 404, "Workflow not found")
        # The slug is still free.
        self.deploy_ok("Accepted", load_fixture("echo"), slug=slug)


class EnvelopeTests(ServerTestCase):
    """Every accepted envelope deploys and runs the same workflow with the same outputs."""

    EXPECTED = {"greeting": "Hello, Ada",
                "fullMessage": "Hello, Ada|  welcome aboard.  "}

    def assertDeploysAndRuns(self, workflow):
        deployment = self.deploy_ok(f"Envelope {unique_token()}", workflow)
        self.assertEqual(list(deployment["schema"]["input"]["properties"]), ["userName"])
        body = self.execute_ok(deployment, {"userName": "Ada"})
        self.assertEqual(body["outputs"], self.EXPECTED)

    def test_native_connections(self):
        self.assertDeploysAndRuns(load_fixture("text_pipeline"))

    def test_native_edges(self):
        self.assertDeploysAndRuns(to_edges(load_fixture("text_pipeline")))

    def test_react_flow_keys(self):
        self.assertDeploysAndRuns(to_react_flow_keys(load_fixture("text_pipeline")))

    def test_react_flow_keys_under_edges(self):
        self.assertDeploysAndRuns(to_edges(to_react_flow_keys(load_fixture("text_pipeline"))))

    def test_clara_sdk_wrapper(self):
        self.assertDeploysAndRuns(to_sdk_wrapper(load_fixture("text_pipeline")))

    def test_template_wrapper(self):
        self.assertDeploysAndRuns(to_template_wrapper(load_fixture("text_pipeline")))

    def test_nested_clara_native_wrapper(self):
        self.assertDeploysAndRuns(to_native_wrapper(load_fixture("text_pipeline")))

    def test_connections_win_over_edges_when_both_are_present(self):
        workflow = load_fixture("text_pipeline")
        workflow["edges"] = [edge("name-input", "greeting-output")]
        self.assertDeploysAndRuns(workflow)

    def test_ui_state_in_node_data_does_not_break_deploy(self):
        workflow = to_template_wrapper(load_fixture("text_pipeline"))
        for item in workflow["flow"]["nodes"]:
            item["position"] = {"x": 10, "y": 20}
            item["data"]["executionHistory"] = [{"at": "2025-01-01"}]
        self.assertDeploysAndRuns(workflow)


if __name__ == "__main__":
    unittest.main()
