"""Every workflow in $CLARA_SHARED_DIR/fixtures/workflows (read in place) deploys and runs end to
end against the fake services, with outputs and provider requests checked per file.

The Studio templates point their model nodes at the desktop's model server,
http://localhost:8091/v1 (or 127.0.0.1). A fake OpenAI-compatible server listens on port 8091 of
a random loopback address and the runner is started with REWRITE_LOCALHOST_TO set to that
address and CLARA_CORE_URL naming it, so the stored URLs are used exactly as shipped. Every other
fake listens on the same address, since the rewrite applies to every outbound URL."""

import base64
import copy
import json
import random
import unittest

from fake_services import FakeOpenAI, tiny_png
from runner_process import shared_dir, unique_token
from service_flows import FakeServerTestCase, content_text

SHARED = shared_dir()
FIXTURE_DIR = SHARED / "fixtures" / "workflows" if SHARED else None
CORE_PORT = 8091
SERVER_OPENAI_KEY = "sk-server-openai-fixtures"
PNG_B64 = base64.b64encode(tiny_png(4, 4, (10, 200, 30))).decode("ascii")


def inner_flow(document):
    """The object holding `nodes`: the nested `flow` of SDK/template exports, else the document."""
    flow = document.get("flow")
    if isinstance(flow, dict) and isinstance(flow.get("nodes"), list):
        return flow
    return document


def nodes_by_id(document):
    return {item["id"]: item for item in inner_flow(document)["nodes"]}


def start_core_fake():
    """A FakeOpenAI on port 8091 of a random 127.x.y.z address."""
    last_error = None
    for _ in range(20):
        address = (f"127.{random.randint(1, 254)}.{random.randint(0, 255)}."
                   f"{random.randint(1, 254)}")
        try:
            return FakeOpenAI(host=address, port=CORE_PORT)
        except OSError as error:
            last_error = error
    raise AssertionError(f"no loopback address had port {CORE_PORT} free: {last_error}")


@unittest.skipUnless(FIXTURE_DIR is not None and FIXTURE_DIR.is_dir(),
                     "shared fixtures folder ($CLARA_SHARED_DIR/fixtures/workflows) is absent")
class SharedFixtureTests(FakeServerTestCase):

    @classmethod
    def start_fakes(cls):
        cls.core = cls.start_fake(start_core_fake())
        address = cls.core.host
        cls.openai = cls.start_fake(FakeOpenAI(host=address, required_key=SERVER_OPENAI_KEY))
        return {
            "REWRITE_LOCALHOST_TO": address,
            "CLARA_CORE_URL": f"http://{address}:{CORE_PORT}/v1",
            "OPENAI_API_BASE_URL": cls.openai.base_url,
            "OPENAI_API_KEY": SERVER_OPENAI_KEY,
            "AGENT_DEFAULT_BASE_URL": cls.core.base_url,
            "CLARA_ASSISTANT_ENABLED": "false",
            "ENABLE_CUSTOM_NODES": "true",
            # research-assistant-flow calls a public URL; where the network neither answers nor
            # refuses, the deadline ends it well within the test client's timeout.
            "MAX_EXECUTION_TIME": "20000",
        }

    # -- helpers -------------------------------------------------------------------------------

    def load(self, name):
        """The fixture document; skips the test when the file is not there."""
        path = FIXTURE_DIR / name
        if not path.is_file():
            self.skipTest(f"{name} is not in {FIXTURE_DIR}")
        return json.loads(path.read_text(encoding="utf-8"))

    def deploy_fixture(self, name, document):
        result = self.server.deploy(f"{name.removesuffix('.json')} {unique_token()}", document)
        self.assertEqual(result.status, 201, result)
        return result.body

    def field(self, deployment, section, node_id):
        """The API field name the deployment gave node `node_id` (section input or output)."""
        properties = deployment["schema"][section]["properties"]
        names = [name for name, schema in properties.items()
                 if schema.get("x-node-id") == node_id]
        self.assertEqual(len(names), 1, f"{node_id} in {properties}")
        return names[0]

    def assertNoRefusalWarning(self, deploy_body):
        """The stored desktop URLs are trusted once rewritten, so deploy does not warn."""
        warnings = deploy_body["warnings"]
        self.assertFalse(any(f":{CORE_PORT}" in warning for warning in warnings), warnings)

    def assertChatRequest(self, request, model, key, messages):
        self.assertEqual(request.headers.get("Authorization"), f"Bearer {key}" if key else None)
        sent = request.json
        self.assertEqual(sent["model"], model)
        self.assertEqual(sent["messages"], messages)

    # -- every file ----------------------------------------------------------------------------

    def test_every_fixture_deploys(self):
        files = sorted(FIXTURE_DIR.glob("*.json"))
        self.assertTrue(files, f"no *.json in {FIXTURE_DIR}")
        for path in files:
            with self.subTest(fixture=path.name):
                self.deploy_fixture(path.name, json.loads(path.read_text(encoding="utf-8")))
                if path.name not in KNOWN_FIXTURES:
                    self.skipTest(f"{path.name} deploys, but this suite has no expectation for "
                                  "running it")

    # -- example flows -------------------------------------------------------------------------

    def test_simple_llm_flow(self):
        document = self.load("simple-llm-flow.json")
        nodes = nodes_by_id(document)
        deployment = self.deploy_fixture("simple-llm-flow.json", document)["deployment"]
        self.openai.reply_text("Start with coffee.")
        body = self.execute_ok(deployment, {self.field(deployment, "input", "input-1"):
                                         "Plan my day"})
        self.assertEqual(body["outputs"], {self.field(deployment, "output", "output-1"):
                                           "Start with coffee."})
        request = self.openai.last(self.openai.chat_path)
        # `prompt` with its {{input}} placeholder is ignored: only the user message is sent.
        self.assertChatRequest(request, nodes["llm-1"]["data"]["model"], SERVER_OPENAI_KEY,
                               [{"role": "user", "content": "Plan my day"}])
        self.assertEqual((request.json["temperature"], request.json["max_tokens"]), (0.7, 500))
        self.assertEqual(self.core.requests, [])

    def test_research_assistant_flow_deploys_but_fails_naming_a_node(self):
        # workflow-format.md § 1: the inputs arrive on handles no node reads, so the LLM has no
        # user message. Its api-request runs first and calls the public search URL with the
        # literal {{topic}}: without network access that call fails first (after its retries).
        document = self.load("research-assistant-flow.json")
        nodes = nodes_by_id(document)
        deployment = self.deploy_fixture("research-assistant-flow.json", document)["deployment"]
        inputs = {self.field(deployment, "input", "input-topic"): "quantum computing",
                  self.field(deployment, "input", "input-depth"): "Basic"}
        result = self.server.execute(deployment["slug"], inputs, deployment["apiKey"])
        self.assertIs(result.body["success"], False, result)
        if result.status == 504 and "failedNode" not in result.body:
            # The search call neither failed nor answered before MAX_EXECUTION_TIME.
            self.assertEqual(result.body["error"], "Workflow execution timeout after 20000ms")
            record = self.execution_record(deployment, result.body["metadata"]["executionId"])
            self.assertEqual(record["status"], "timeout")
            self.assertEqual(self.openai.chat_requests(), [])
            return
        failed = result.body.get("failedNode")
        self.assertIsNotNone(failed, result)
        expected = {"llm-analyzer": (500, "LLM node requires user message"),
                    "api-search": (502, "API request failed")}
        self.assertIn(failed["id"], expected, result)
        status, reason = expected[failed["id"]]
        self.assertEqual(result.status, status, result)
        declared = nodes[failed["id"]]
        self.assertEqual(failed["type"], declared["type"])
        error = result.body["error"]
        named = declared.get("name") or declared["type"]
        self.assertTrue(error.startswith(f"Node '{named}' failed: "), error)
        self.assertIn(reason, error)
        record = self.execution_record(deployment, result.body["metadata"]["executionId"])
        self.assertEqual(record["status"], "error")
        self.assertEqual(record["error"], error)
        self.assertEqual(record["errorNodeId"], failed["id"])
        self.assertEqual(self.openai.chat_requests(), [])

    # -- Studio exports ------------------------------------------------------------------------

    def test_testing_sdk_flow(self):
        name = "Testing_SDK_flow_sdk.json"
        document = self.load(name)
        deploy = self.deploy_fixture(name, document)
        self.assertNoRefusalWarning(deploy)
        deployment = deploy["deployment"]
        self.core.reply_text("Hello from the desktop model")
        body = self.execute_ok(deployment, {self.field(deployment, "input",
                                                    "1753607451076-xzng2gkp3"): "Hello SDK"})
        self.assertEqual(body["outputs"], {
            self.field(deployment, "output", "1753607502081-eoh6gq0xr"):
            "Hello from the desktop model"})
        request = self.core.last(self.core.chat_path)
        self.assertChatRequest(request, "gemma3:4b", "s",
                               [{"role": "user", "content": "Hello SDK"}])
        self.assertEqual((request.json["temperature"], request.json["max_tokens"]), (0.7, 1000))
        self.assertEqual(self.openai.requests, [])

    def test_custom_node_export_example(self):
        name = "custom-node-export-example.json"
        deployment = self.deploy_fixture(name, self.load(name))["deployment"]
        text = self.field(deployment, "input", "input-1")
        result = self.field(deployment, "output", "output-1")
        body = self.execute_ok(deployment, {text: "Mixed Case words"})
        self.assertEqual(body["outputs"], {result: "MIXED CASE WORDS"})
        body = self.execute_ok(deployment, {})  # the input's saved value, "hello world"
        self.assertEqual(body["outputs"], {result: "HELLO WORLD"})

    def test_template_simple_chat_assistant(self):
        name = "template-simple-chat-assistant.json"
        document = self.load(name)
        nodes = nodes_by_id(document)
        deploy = self.deploy_fixture(name, document)
        self.assertNoRefusalWarning(deploy)
        deployment = deploy["deployment"]
        self.core.reply_text("Hi, I am Clara.")
        body = self.execute_ok(deployment, {self.field(deployment, "input",
                                                    "1760355364381-prig9d0n0"): "Who are you?"})
        self.assertEqual(body["outputs"], {
            self.field(deployment, "output", "1760355474282-4yoh17mrw"): "Hi, I am Clara."})
        system = nodes["1760355412859-norbuub7f"]["data"]["text"]
        self.assertChatRequest(self.core.last(self.core.chat_path), "gpt-oss-20b-20b", "dddd",
                               [{"role": "system", "content": system},
                                {"role": "user", "content": "Who are you?"}])

    def test_template_content_summarizer(self):
        name = "template-content-summarizer.json"
        document = self.load(name)
        nodes = nodes_by_id(document)
        deploy = self.deploy_fixture(name, document)
        self.assertNoRefusalWarning(deploy)
        deployment = deploy["deployment"]
        self.core.reply_text("Cats nap.")
        article = "Cats sleep up to sixteen hours a day."
        body = self.execute_ok(deployment, {self.field(deployment, "input",
                                                    "1760359856179-gch4upiuh"): article})
        self.assertEqual(body["outputs"], {
            self.field(deployment, "output", "1760359638866-wn0iwuuhz"): "Cats nap."})
        system = nodes["1760359560051-yuawfvr4l"]["data"]["text"]
        instruction = nodes["1760359594704-b9fysrwp7"]["data"]["text"]
        # combine-text exported as {}: the Studio defaults, concat with a space.
        self.assertChatRequest(self.core.last(self.core.chat_path), "gpt-oss-20b-20b", "sdadsa",
                               [{"role": "system", "content": system},
                                {"role": "user", "content": f"{article} {instruction}"}])

    def test_template_image_analyzer(self):
        name = "template-image-analyzer.json"
        document = self.load(name)
        nodes = nodes_by_id(document)
        deploy = self.deploy_fixture(name, document)
        self.assertNoRefusalWarning(deploy)
        deployment = deploy["deployment"]
        model = "huihui-internvl3-14b-abliterated-q6-k-4b"
        system = nodes["1760360544244-ytgez5u04"]["data"]["text"]
        saved_image = nodes["1760360512847-x3e49kwyf"]["data"]["imageFile"]
        reply = self.field(deployment, "output", "1760360601320-c151d8xky")

        self.core.reply_text("A receipt.")
        body = self.execute_ok(deployment, {})  # the saved question and the saved JPEG
        self.assertEqual(body["outputs"], {reply: "A receipt."})
        self.assertChatRequest(self.core.last(self.core.chat_path), model, "asddas", [
            {"role": "system", "content": system},
            {"role": "user", "content": [
                {"type": "text", "text": "what's in this image"},
                {"type": "image_url",
                 "image_url": {"url": "data:image/jpeg;base64," + saved_image}}]}])

        body = self.execute_ok(deployment, {
            self.field(deployment, "input", "1760360591743-j70u5v6by"): "Read the sign",
            self.field(deployment, "input", "1760360512847-x3e49kwyf"): PNG_B64})
        self.assertEqual(body["outputs"], {reply: "echo: Read the sign"})
        user = self.core.last_chat()["messages"][-1]["content"]
        self.assertEqual(user[1]["image_url"]["url"], "data:image/png;base64," + PNG_B64)

    def test_template_structured_data_extractor(self):
        name = "template-structured-data-extractor.json"
        document = self.load(name)
        nodes = nodes_by_id(document)
        deploy = self.deploy_fixture(name, document)
        self.assertNoRefusalWarning(deploy)
        deployment = deploy["deployment"]
        example_text = nodes["1760361031394-cfxi30d14"]["data"]["text"]
        context = nodes["1760361039690-ytvokqchz"]["data"]["text"]
        instructions = nodes["1760363456879-0kmy6lhtm"]["data"]["text"]
        answer = copy.deepcopy(json.loads(example_text))
        answer.update(food_id="maggi_001", name="Maggi Noodles", calories_per_serving=350)

        self.core.reply_text("Maggi noodles: 350 kcal per packet.",
                             usage={"prompt_tokens": 40, "completion_tokens": 8,
                                    "total_tokens": 48})
        self.core.reply_json_content(answer, usage={"prompt_tokens": 900,
                                                    "completion_tokens": 400,
                                                    "total_tokens": 1300})
        body = self.execute_ok(deployment, {self.field(deployment, "input",
                                                    "1760361009034-w9d8syajc"): "maggi noodles"})
        self.assertEqual(body["outputs"], {
            self.field(deployment, "output", "1760361063171-42ev8cbsd"): answer})
        self.assertEqual(body["metadata"]["tokenUsage"], {"promptTokens": 940,
                                                          "completionTokens": 408,
                                                          "totalTokens": 1348, "calls": 2})
        model = "qwen-qwen3-30b-a3b-instruct-2507-3b"  # the provider UUID prefix removed
        agent, structured = self.core.chat_requests()

        # The agent-executor: provider UUID → AGENT_DEFAULT_BASE_URL, no key, no tools.
        self.assertIsNone(agent.headers.get("Authorization"))
        self.assertEqual(agent.json["model"], model)
        self.assertNotIn("tools", agent.json)
        self.assertEqual(agent.json["messages"][-1], {
            "role": "user",
            "content": f"Instructions: {instructions}\n\nContext: maggi noodles"})

        # The structured-llm: strict schema of the example, the agent's answer as the prompt.
        self.assertIsNone(structured.headers.get("Authorization"))
        sent = structured.json
        self.assertEqual(sent["model"], model)
        self.assertEqual(sent["response_format"]["type"], "json_schema")
        schema = sent["response_format"]["json_schema"]["schema"]
        self.assertEqual(list(schema["properties"]), list(json.loads(example_text)))
        system, user = sent["messages"]
        self.assertIn(f"Additional context: {context}", content_text(system["content"]))
        self.assertIn("Maggi noodles: 350 kcal per packet.", content_text(user["content"]))
        self.assertIn(example_text, content_text(user["content"]))
        self.assertEqual(self.openai.requests, [])


KNOWN_FIXTURES = {
    "simple-llm-flow.json", "research-assistant-flow.json", "Testing_SDK_flow_sdk.json",
    "custom-node-export-example.json", "template-simple-chat-assistant.json",
    "template-content-summarizer.json", "template-image-analyzer.json",
    "template-structured-data-extractor.json",
}


if __name__ == "__main__":
    unittest.main()
