"""Shared by the suites that run service nodes against the fake services: small workflow builders
in the native format, a test case that starts fakes before its server, and lookups of what the
server recorded."""

import json
import time

from runner_process import ServerTestCase, unique_token


def node(node_id, node_type, **data):
    """A node in the native format; its name is its id, so failures name it."""
    return {"id": node_id, "type": node_type, "name": node_id, "data": data}


def text_input(node_id, label, **data):
    return node(node_id, "input", label=label, **data)


def output(node_id, label):
    return node(node_id, "output", outputLabel=label)


def static_text(node_id, text):
    return node(node_id, "static-text", text=text)


def static_json(node_id, value):
    """A static-text node that emits `value` itself (textFormat json)."""
    return node(node_id, "static-text", text=json.dumps(value), textFormat="json")


def edge(source, source_port, target, target_port):
    return {"sourceNodeId": source, "sourcePortId": source_port, "targetNodeId": target,
            "targetPortId": target_port}


def workflow(name, nodes, connections):
    return {"name": name, "nodes": nodes, "connections": connections}


def content_text(content):
    """The text of an OpenAI or Anthropic message content (a string or text parts)."""
    if isinstance(content, str):
        return content
    return "".join(part.get("text", "") for part in content or []
                   if isinstance(part, dict) and part.get("type") == "text")


class FakeServerTestCase(ServerTestCase):
    """A server whose environment points at fakes started before it. Subclasses implement
    `start_fakes()` (class method): start fakes with `start_fake()` and return the server
    environment. Records and scripts of every fake are cleared before each test, and each test
    checks that no fake hit a bug of its own."""

    @classmethod
    def start_fakes(cls):
        raise NotImplementedError

    @classmethod
    def start_fake(cls, fake):
        cls.addClassCleanup(fake.stop)
        cls._fakes.append(fake)
        return fake

    @classmethod
    def setUpClass(cls):
        cls._fakes = []
        cls.server_env = cls.start_fakes()
        super().setUpClass()

    def setUp(self):
        super().setUp()
        for fake in self._fakes:
            fake.clear_replies()
            fake.clear_requests()
        self.addCleanup(self._check_fakes)

    def _check_fakes(self):
        for fake in self._fakes:
            self.assertEqual(fake.errors, [], f"{fake!r} failed inside")

    # -- running flows -------------------------------------------------------------------------

    def deploy_flow(self, flow):
        """Deploys a workflow (201 asserted) under a unique name; returns the deploy body."""
        result = self.server.deploy(f"{flow['name']} {unique_token()}", flow)
        self.assertEqual(result.status, 201, result)
        return result.body

    def run_flow(self, flow, inputs):
        """Deploys and executes once; returns (deployment, HttpResult)."""
        deployment = self.deploy_flow(flow)["deployment"]
        return deployment, self.server.execute(deployment["slug"], inputs, deployment["apiKey"])

    def run_ok(self, flow, inputs):
        """Deploys and executes once, asserting 200 and success; returns (deployment, body)."""
        deployment, result = self.run_flow(flow, inputs)
        self.assertEqual(result.status, 200, result)
        self.assertIs(result.body["success"], True, result)
        return deployment, result.body

    def timed_run(self, flow, inputs):
        """Like run_flow, also returning the seconds the execute call took."""
        deployment = self.deploy_flow(flow)["deployment"]
        started = time.monotonic()
        result = self.server.execute(deployment["slug"], inputs, deployment["apiKey"])
        return deployment, result, time.monotonic() - started

    def execution_record(self, deployment, execution_id):
        """The executions-list item of one execution."""
        result = self.server.executions(deployment["slug"], deployment["apiKey"], "limit=100")
        self.assertEqual(result.status, 200, result)
        for item in result.body["executions"]:
            if item["id"] == execution_id:
                return item
        self.fail(f"execution {execution_id} not in {result.body['executions']}")

    def assertUpstreamFailure(self, result, status, node_id, *fragments):
        """A failed execution answered with `status`, naming `node_id` as the failed node, whose
        error contains every fragment; returns the error text."""
        self.assertEqual(result.status, status, result)
        body = result.body
        self.assertIs(body.get("success"), False, result)
        self.assertEqual(body.get("failedNode", {}).get("id"), node_id, result)
        for fragment in fragments:
            self.assertIn(fragment, body["error"], result)
        return body["error"]
