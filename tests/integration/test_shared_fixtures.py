"""Every workflow in $CLARA_SHARED_DIR/fixtures/workflows is deployed: those made only of node
types this build executes must deploy and run; the others must be refused, naming each
unsupported type."""

import json
import unittest

from runner_process import ServerTestCase, shared_dir, unique_token

SUPPORTED_TYPES = {"input", "output", "static-text", "combine-text", "json-parse",
                   "json-stringify", "if-else", "image-input", "pdf-input", "file-upload"}

SHARED = shared_dir()
FIXTURE_DIR = SHARED / "fixtures" / "workflows" if SHARED else None


def inner_flow(document):
    """The object holding `nodes`: the nested `flow` of SDK/template exports, else the document."""
    flow = document.get("flow")
    if isinstance(flow, dict) and isinstance(flow.get("nodes"), list):
        return flow
    return document


def fixture_files():
    return sorted(FIXTURE_DIR.glob("*.json"))


@unittest.skipUnless(FIXTURE_DIR is not None and FIXTURE_DIR.is_dir(),
                     "shared fixtures folder ($CLARA_SHARED_DIR/fixtures/workflows) is absent")
class SharedFixtureTests(ServerTestCase):

    def test_folder_holds_workflows(self):
        self.assertTrue(fixture_files(), f"no *.json in {FIXTURE_DIR}")

    def test_every_fixture_deploys_or_is_refused_for_its_unsupported_types(self):
        for path in fixture_files():
            with self.subTest(fixture=path.name):
                document = json.loads(path.read_text(encoding="utf-8"))
                nodes = inner_flow(document)["nodes"]
                types = {item["type"] for item in nodes}
                unsupported = sorted(types - SUPPORTED_TYPES)
                result = self.server.deploy(f"{path.stem} {unique_token()}", document)
                if unsupported:
                    self.assertRefused(result, unsupported, types)
                else:
                    self.assertDeploysAndRuns(result, len(nodes))

    def assertRefused(self, result, unsupported, types):
        self.assertErrorEnvelope(result, 400, "Validation failed")
        errors = result.body["validationErrors"]
        for node_type in unsupported:
            self.assertTrue(
                any(e.startswith(f"unsupported_node_type: {node_type} (") for e in errors),
                f"{node_type} not named in {errors}")
        for node_type in types - set(unsupported):
            self.assertFalse(any(e.startswith(f"unsupported_node_type: {node_type} ")
                                 for e in errors), f"{node_type} wrongly refused: {errors}")

    def assertDeploysAndRuns(self, result, node_count):
        self.assertEqual(result.status, 201, result)
        deployment = result.body["deployment"]
        slug = deployment["slug"]
        document = self.server.request("GET", f"/api/workflows/{slug}/schema").body
        operation = document["paths"][f"/api/workflows/{slug}/execute"]["post"]
        example = operation["requestBody"]["content"]["application/json"]["examples"]["default"]
        body = self.execute_ok(deployment, example["value"])
        self.assertEqual(set(body["outputs"]), set(deployment["schema"]["output"]["properties"]))
        metadata = body["metadata"]
        self.assertEqual(metadata["nodesExecuted"] + len(metadata["skippedNodes"]), node_count)


if __name__ == "__main__":
    unittest.main()
