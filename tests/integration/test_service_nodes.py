"""Service nodes end to end: workflows built here run through the real server against the fake
providers and services, and each test checks both the HTTP answer and what the fake received
(model, messages, image parts, schema, multipart parts, ComfyUI graph, headers).

Four servers, each shared by its class: one with every service configured (most tests), one
whose agent runs the local tool loop (CLARA_ASSISTANT_ENABLED=false), one with provider base URLs
configured on loopback without an allowlist, and one with a one-second execution deadline.
Fakes that stand for workflow-chosen destinations listen on a second loopback address, the only
one OUTBOUND_ALLOWLIST names."""

import base64
import json
import time
import unittest

from fake_services import (FakeAnthropic, FakeClaraAssistant, FakeComfyUI, FakeMcpProxy,
                           FakeOllama, FakeOpenAI, FakePythonBackend, FakeService, json_reply,
                           tiny_png, tiny_wav)
from runner_process import UUID_PATTERN
from service_flows import (FakeServerTestCase, content_text, edge, node, output, static_json,
                           static_text, text_input, workflow)

SERVER_OPENAI_KEY = "sk-server-openai-0123456789"
SERVER_ANTHROPIC_KEY = "sk-ant-server-0123456789"
ALLOWED_HOST = "127.0.0.2"  # a second loopback address, the only one OUTBOUND_ALLOWLIST names
LLM_TIMEOUT_MS = 1500
MAX_NODE_RESPONSE = 4096

PNG = tiny_png(3, 2, (0, 128, 255))
PNG_B64 = base64.b64encode(PNG).decode("ascii")
WAV = tiny_wav(0.05)
WAV_DATA_URL = "data:audio/wav;base64," + base64.b64encode(WAV).decode("ascii")
TIMEOUT_MESSAGE = "Workflow execution timeout after"


class FakeApi(FakeService):
    """A JSON API that answers every request with what it received (and header X-Reply)."""

    server_header = "FakeApi/1.0"

    def handle(self, request):
        return json_reply({"method": request.method, "path": request.path,
                           "query": request.query, "body": request.json},
                          headers={"X-Reply": "yes"})


def llm_flow(name, llm_type="llm", system=None, **llm_data):
    """input `message` → llm user (+ optional static system text) → output `reply`."""
    nodes = [text_input("message", "Message"), node("chat", llm_type, **llm_data),
             output("reply", "Reply")]
    connections = [edge("message", "output", "chat", "user"),
                   edge("chat", "response", "reply", "input")]
    if system is not None:
        nodes.append(static_text("system", system))
        connections.append(edge("system", "text", "chat", "system"))
    return workflow(name, nodes, connections)


def chat_reply_body(text, model="gpt-4o-mini"):
    """A complete chat.completion document, as bytes."""
    return json.dumps({"id": "chatcmpl-drip", "object": "chat.completion", "created": 1,
                       "model": model,
                       "choices": [{"index": 0, "finish_reason": "stop",
                                    "message": {"role": "assistant", "content": text}}],
                       "usage": {"prompt_tokens": 1, "completion_tokens": 1,
                                 "total_tokens": 2}}).encode("utf-8")


# ------------------------------------------------------------------------------------------------
# Every service configured
# ------------------------------------------------------------------------------------------------


class ServiceNodeTests(FakeServerTestCase):

    @classmethod
    def start_fakes(cls):
        cls.openai = cls.start_fake(FakeOpenAI(required_key=SERVER_OPENAI_KEY))
        cls.other_openai = cls.start_fake(FakeOpenAI(host=ALLOWED_HOST))
        cls.anthropic = cls.start_fake(FakeAnthropic(required_key=SERVER_ANTHROPIC_KEY,
                                                     host=ALLOWED_HOST))
        cls.other_anthropic = cls.start_fake(FakeAnthropic(host=ALLOWED_HOST))
        cls.ollama = cls.start_fake(FakeOllama())
        cls.other_ollama = cls.start_fake(FakeOllama(host=ALLOWED_HOST))
        cls.comfyui = cls.start_fake(FakeComfyUI())
        cls.python = cls.start_fake(FakePythonBackend(notebooks=("notebook-1", "team notes")))
        cls.assistant = cls.start_fake(FakeClaraAssistant())
        cls.mcp = cls.start_fake(FakeMcpProxy())
        cls.api = cls.start_fake(FakeApi(host=ALLOWED_HOST))
        cls.private_api = cls.start_fake(FakeApi())  # loopback, neither configured nor allowed
        return {
            "OPENAI_API_KEY": SERVER_OPENAI_KEY,
            "OPENAI_API_BASE_URL": cls.openai.base_url,
            "ANTHROPIC_API_KEY": SERVER_ANTHROPIC_KEY,
            "ANTHROPIC_API_BASE_URL": cls.anthropic.url + "/v1",
            "OLLAMA_URL": cls.ollama.url,
            "COMFYUI_URL": cls.comfyui.url,
            "COMFYUI_POLL_MS": "50",
            "PYTHON_BACKEND_URL": cls.python.url,
            "CLARA_ASSISTANT_URL": cls.assistant.url,
            "CLARA_ASSISTANT_ENABLED": "true",
            "MCP_PROXY_URL": cls.mcp.url,
            "OUTBOUND_ALLOWLIST": ALLOWED_HOST,
            "LLM_TIMEOUT_MS": str(LLM_TIMEOUT_MS),
            "NODE_MAX_RESPONSE_BYTES": str(MAX_NODE_RESPONSE),
        }

    # -- llm: OpenAI-compatible ----------------------------------------------------------------

    def test_llm_sends_the_server_key_to_the_configured_openai_base(self):
        self.openai.reply_text("Hi from OpenAI", usage={"prompt_tokens": 12,
                                                        "completion_tokens": 4,
                                                        "total_tokens": 16})
        flow = llm_flow("OpenAI chat", system="Be brief.", model="gpt-4o-mini", temperature=0,
                        maxTokens=64)
        _, body = self.run_ok(flow, {"message": "hello"})
        self.assertEqual(body["outputs"], {"reply": "Hi from OpenAI"})
        request = self.openai.last(self.openai.chat_path)
        self.assertEqual(request.headers.get("Authorization"), f"Bearer {SERVER_OPENAI_KEY}")
        self.assertEqual(request.json, {
            "model": "gpt-4o-mini",
            "messages": [{"role": "system", "content": "Be brief."},
                         {"role": "user", "content": "hello"}],
            "temperature": 0, "max_tokens": 64})
        self.assertEqual(self.other_openai.requests, [])

    def test_llm_with_its_own_base_url_gets_no_server_key(self):
        flow = llm_flow("Own base", apiBaseUrl=self.other_openai.base_url + "/",
                        model="local-model")
        _, body = self.run_ok(flow, {"message": "hello there"})
        self.assertEqual(body["outputs"], {"reply": "echo: hello there"})
        request = self.other_openai.last(self.other_openai.chat_path)
        self.assertNotIn("Authorization", request.headers)
        self.assertNotIn(SERVER_OPENAI_KEY, request.text + repr(request.headers))
        self.assertEqual(request.json["model"], "local-model")
        self.assertEqual(request.json["temperature"], 0.7)
        self.assertEqual(request.json["max_tokens"], 1000)
        self.assertEqual(self.openai.requests, [])

    def test_llm_sends_the_key_written_in_the_workflow(self):
        flow = llm_flow("Own key", apiBaseUrl=self.other_openai.base_url, apiKey="sk-workflow")
        self.run_ok(flow, {"message": "hi"})
        request = self.other_openai.last(self.other_openai.chat_path)
        self.assertEqual(request.headers.get("Authorization"), "Bearer sk-workflow")
        self.assertEqual(request.json["model"], "gpt-3.5-turbo")  # the node's default model

    def test_llm_chat_alias_sends_memory_context_and_image_parts(self):
        memory = [{"role": "user", "content": "My name is Ada."},
                  {"role": "assistant", "content": "Hello Ada."}]
        flow = workflow("Multimodal", [
            text_input("message", "Message"),
            node("picture", "image-input", label="Picture"),
            static_json("history", memory),
            static_text("notes", "The user likes short answers."),
            node("chat", "llm-chat", model="gpt-4o"),
            output("reply", "Reply"),
        ], [
            edge("message", "output", "chat", "user"),
            edge("picture", "base64", "chat", "image"),
            edge("history", "text", "chat", "memory"),
            edge("notes", "text", "chat", "context"),
            edge("chat", "response", "reply", "input"),
        ])
        _, body = self.run_ok(flow, {"message": "What is in the picture?", "picture": PNG_B64})
        self.assertEqual(body["outputs"], {"reply": "echo: What is in the picture?"})
        sent = self.openai.last_chat()
        self.assertEqual(sent["model"], "gpt-4o")
        self.assertEqual(sent["messages"], memory + [
            {"role": "system", "content": "Context: The user likes short answers."},
            {"role": "user", "content": [
                {"type": "text", "text": "What is in the picture?"},
                {"type": "image_url", "image_url": {"url": "data:image/png;base64," + PNG_B64}},
            ]},
        ])

    # -- llm: Anthropic and Ollama adapters ------------------------------------------------------

    def test_anthropic_base_url_uses_the_messages_api_with_the_server_key(self):
        self.anthropic.reply_text("Bonjour", usage={"input_tokens": 9, "output_tokens": 3})
        flow = llm_flow("Anthropic", system="Answer in French.",
                        apiBaseUrl=self.anthropic.url + "/v1", model="claude-3-5-haiku-latest",
                        temperature=0.2, maxTokens=200)
        _, body = self.run_ok(flow, {"message": "hello"})
        self.assertEqual(body["outputs"], {"reply": "Bonjour"})
        self.assertEqual(body["metadata"]["tokenUsage"], {"promptTokens": 9,
                                                          "completionTokens": 3,
                                                          "totalTokens": 12, "calls": 1})
        request = self.anthropic.last("/v1/messages")
        self.assertEqual(request.headers.get("x-api-key"), SERVER_ANTHROPIC_KEY)
        self.assertTrue(request.headers.get("anthropic-version"))
        self.assertNotIn("Authorization", request.headers)
        sent = request.json
        self.assertEqual(sent["model"], "claude-3-5-haiku-latest")
        self.assertEqual(sent["max_tokens"], 200)
        self.assertEqual(sent["temperature"], 0.2)
        self.assertEqual(content_text(sent["system"]), "Answer in French.")
        self.assertEqual([m["role"] for m in sent["messages"]], ["user"])
        self.assertEqual(content_text(sent["messages"][0]["content"]), "hello")
        self.assertEqual(self.openai.requests, [])

    def test_provider_anthropic_uses_the_messages_api_without_the_server_key(self):
        flow = workflow("Anthropic by provider", [
            text_input("message", "Message"),
            node("picture", "image-input", label="Picture"),
            node("chat", "llm", provider="anthropic", apiBaseUrl=self.other_anthropic.url + "/v1",
                 apiKey="sk-ant-workflow", model="claude-sonnet-4"),
            output("reply", "Reply"),
        ], [
            edge("message", "output", "chat", "user"),
            edge("picture", "base64", "chat", "image"),
            edge("chat", "response", "reply", "input"),
        ])
        _, body = self.run_ok(flow, {"message": "Describe it", "picture": PNG_B64})
        self.assertEqual(body["outputs"], {"reply": "echo: Describe it"})
        request = self.other_anthropic.last("/v1/messages")
        self.assertEqual(request.headers.get("x-api-key"), "sk-ant-workflow")
        blocks = request.json["messages"][0]["content"]
        self.assertIn({"type": "text", "text": "Describe it"}, blocks)
        self.assertIn({"type": "image", "source": {"type": "base64", "media_type": "image/png",
                                                   "data": PNG_B64}}, blocks)
        self.assertEqual(self.anthropic.requests, [])

    def test_provider_ollama_uses_the_native_chat_api(self):
        self.other_ollama.reply_text("Llama says hi", usage={"prompt_eval_count": 21,
                                                             "eval_count": 5})
        flow = workflow("Ollama native", [
            text_input("message", "Message"),
            node("picture", "image-input", label="Picture"),
            static_text("system", "You are a llama."),
            node("chat", "llm", provider="ollama", apiBaseUrl=self.other_ollama.url,
                 model="llama3.2:latest", temperature=0.3, maxTokens=77),
            output("reply", "Reply"),
        ], [
            edge("message", "output", "chat", "user"),
            edge("picture", "base64", "chat", "image"),
            edge("system", "text", "chat", "system"),
            edge("chat", "response", "reply", "input"),
        ])
        _, body = self.run_ok(flow, {"message": "hi", "picture": PNG_B64})
        self.assertEqual(body["outputs"], {"reply": "Llama says hi"})
        self.assertEqual(body["metadata"]["tokenUsage"], {"promptTokens": 21,
                                                          "completionTokens": 5,
                                                          "totalTokens": 26, "calls": 1})
        sent = self.other_ollama.last_chat()
        self.assertEqual(sent["model"], "llama3.2:latest")
        self.assertIs(sent["stream"], False)
        self.assertEqual(sent["options"]["temperature"], 0.3)
        self.assertEqual(sent["options"]["num_predict"], 77)
        self.assertEqual(sent["messages"][0], {"role": "system", "content": "You are a llama."})
        self.assertEqual(sent["messages"][1]["role"], "user")
        self.assertEqual(sent["messages"][1]["content"], "hi")
        self.assertEqual(sent["messages"][1]["images"], [PNG_B64])
        self.assertEqual(self.other_ollama.requests_to("/v1/"), [])
        self.assertEqual(self.ollama.requests, [])

    def test_ollama_url_without_v1_uses_the_native_api_without_a_provider(self):
        flow = llm_flow("Ollama by URL", apiBaseUrl=self.ollama.url, model="gemma3:4b")
        _, body = self.run_ok(flow, {"message": "ping"})
        self.assertEqual(body["outputs"], {"reply": "echo: ping"})
        self.assertEqual(self.ollama.last_chat()["model"], "gemma3:4b")
        self.assertEqual(self.ollama.requests_to("/v1/"), [])

    def test_ollama_url_with_v1_uses_the_openai_compatible_api(self):
        flow = llm_flow("Ollama v1", apiBaseUrl=self.ollama.url + "/v1", provider="ollama",
                        model="gemma3:4b")
        _, body = self.run_ok(flow, {"message": "ping"})
        self.assertEqual(body["outputs"], {"reply": "echo: ping"})
        request = self.ollama.last("/v1/chat/completions")
        self.assertEqual(request.json["messages"], [{"role": "user", "content": "ping"}])
        self.assertEqual(self.ollama.chat_requests(), [])

    # -- structured-llm ------------------------------------------------------------------------

    @staticmethod
    def structured_flow():
        """request → structured-llm prompt, with a static JSON example and context; returns the
        workflow and the example's text."""
        example = {"name": "Ada", "age": 36, "skills": ["math"]}
        return workflow("Structured", [
            text_input("request", "Request"),
            node("example", "static-text", text=json.dumps(example)),
            static_text("notes", "People from computing history."),
            node("extract", "structured-llm", model="gpt-4o-mini"),
            output("person", "Person"),
            output("raw", "Raw"),
        ], [
            edge("request", "output", "extract", "prompt"),
            edge("example", "text", "extract", "jsonExample"),
            edge("notes", "text", "extract", "context"),
            edge("extract", "jsonOutput", "person", "input"),
            edge("extract", "rawResponse", "raw", "input"),
        ]), json.dumps(example)

    def test_structured_llm_asks_for_the_example_schema_and_returns_the_json(self):
        answer = {"name": "Grace Hopper", "age": 85, "skills": ["COBOL", "compilers"]}
        self.openai.reply_json_content(answer)
        flow, example_text = self.structured_flow()
        _, body = self.run_ok(flow, {"request": "Describe Grace Hopper"})
        self.assertEqual(body["outputs"]["person"], answer)
        self.assertEqual(json.loads(body["outputs"]["raw"]), answer)
        sent = self.openai.last_chat()
        self.assertEqual(sent["model"], "gpt-4o-mini")
        response_format = sent["response_format"]
        self.assertEqual(response_format["type"], "json_schema")
        self.assertIs(response_format["json_schema"]["strict"], True)
        self.assertEqual(response_format["json_schema"]["schema"], {
            "type": "object",
            "properties": {"name": {"type": "string"}, "age": {"type": "integer"},
                           "skills": {"type": "array", "items": {"type": "string"}}},
            "required": ["name", "age", "skills"], "additionalProperties": False})
        system, user = sent["messages"]
        self.assertEqual(system["role"], "system")
        self.assertIn("Additional context: People from computing history.",
                      content_text(system["content"]))
        self.assertEqual(user["role"], "user")
        self.assertIn("Describe Grace Hopper", content_text(user["content"]))
        self.assertIn(example_text, content_text(user["content"]))

    def test_structured_llm_retries_once_without_response_format_after_a_400(self):
        self.openai.reply_error(400, "response_format json_schema is not supported",
                                path=self.openai.chat_path)
        answer = {"name": "Alan", "age": 41, "skills": []}
        self.openai.reply_text("```json\n" + json.dumps(answer) + "\n```")
        flow, _ = self.structured_flow()
        _, body = self.run_ok(flow, {"request": "Describe Alan Turing"})
        self.assertEqual(body["outputs"]["person"], answer)
        first, second = [r.json for r in self.openai.chat_requests()]
        self.assertEqual(first["response_format"]["type"], "json_schema")
        self.assertNotIn("response_format", second)
        self.assertIn("Describe Alan Turing", content_text(second["messages"][-1]["content"]))

    # -- agent, Stage A ------------------------------------------------------------------------

    def test_agent_uses_the_assistant_service_when_it_answers(self):
        self.assistant.reply_result("Agent done", tool_results=[{"tool": "search", "ok": True}],
                                    log="step 1", metadata={"iterations": 2})
        flow = workflow("Agent A", [
            text_input("task", "Task"),
            static_text("background", "Use metric units."),
            node("agent", "agent-executor", provider="openai", textModel="gpt-4o",
                 enabledMCPServers=["python-mcp"]),
            output("answer", "Answer"), output("tools", "Tools"), output("ok", "Ok"),
            output("meta", "Meta"),
        ], [
            edge("task", "output", "agent", "instructions"),
            edge("background", "text", "agent", "context"),
            edge("agent", "result", "answer", "input"),
            edge("agent", "toolResults", "tools", "input"),
            edge("agent", "success", "ok", "input"),
            edge("agent", "metadata", "meta", "input"),
        ])
        _, body = self.run_ok(flow, {"task": "Convert 5 miles"})
        self.assertEqual(body["outputs"], {"answer": "Agent done",
                                           "tools": [{"tool": "search", "ok": True}],
                                           "ok": True, "meta": {"iterations": 2}})
        sent = self.assistant.last_execution()
        self.assertEqual(sent["instructions"], "Convert 5 miles")
        self.assertEqual(sent["context"], "Use metric units.")
        self.assertEqual(sent["config"]["provider"], "openai")
        self.assertEqual(sent["config"]["textModel"], "gpt-4o")
        self.assertEqual(sent["config"]["enabledMCPServers"], ["python-mcp"])
        self.assertEqual(self.openai.requests, [])
        self.assertEqual(self.mcp.requests, [])

    # -- api-request ---------------------------------------------------------------------------

    def api_flow(self, name, api_data, extra_nodes=(), extra_edges=()):
        nodes = [text_input("endpoint", "Endpoint"), node("call", "api-request", **api_data),
                 output("data", "Data"), output("status", "Status"), output("ok", "Ok"),
                 output("headers", "Headers")] + list(extra_nodes)
        edges = [edge("endpoint", "output", "call", "url"),
                 edge("call", "data", "data", "input"), edge("call", "status", "status", "input"),
                 edge("call", "success", "ok", "input"),
                 edge("call", "headers", "headers", "input")] + list(extra_edges)
        return workflow(name, nodes, edges)

    def test_api_request_sends_params_and_bearer_auth_to_an_allowed_host(self):
        flow = self.api_flow("API GET", {"method": "GET", "authType": "bearer"}, [
            static_json("params", {"q": "clara runner", "page": 2, "skip": None}),
            static_json("auth", {"token": "tok-123"}),
        ], [edge("params", "text", "call", "params"), edge("auth", "text", "call", "auth")])
        _, body = self.run_ok(flow, {"endpoint": self.api.url + "/search?fixed=1"})
        outputs = body["outputs"]
        self.assertEqual(outputs["status"], 200)
        self.assertIs(outputs["ok"], True)
        self.assertEqual(outputs["headers"].get("x-reply"), "yes")
        self.assertEqual(outputs["data"], {"method": "GET", "path": "/search", "body": None,
                                           "query": {"fixed": "1", "q": "clara runner",
                                                     "page": "2"}})
        request = self.api.last("/search")
        self.assertEqual(request.headers.get("Authorization"), "Bearer tok-123")
        self.assertEqual(request.headers.get("User-Agent"), "Clara-Agent-Runner/1.0")

    def test_api_request_posts_json_with_api_key_and_custom_headers(self):
        payload = {"name": "Ada", "tags": ["x", "y"]}
        flow = self.api_flow("API POST", {"method": "post", "authType": "apiKey",
                                          "retries": 0}, [
            static_json("payload", payload),
            static_json("extra", {"X-Trace": "t-1"}),
            static_json("auth", {"key": "X-Api-Key", "value": "k-1", "location": "header"}),
        ], [edge("payload", "text", "call", "body"), edge("extra", "text", "call", "headers"),
            edge("auth", "text", "call", "auth")])
        _, body = self.run_ok(flow, {"endpoint": self.api.url + "/items"})
        self.assertEqual(body["outputs"]["data"]["body"], payload)
        request = self.api.last("/items")
        self.assertEqual(request.method, "POST")
        self.assertEqual(request.json, payload)
        self.assertTrue(request.headers.get("Content-Type", "").startswith("application/json"))
        self.assertEqual(request.headers.get("X-Api-Key"), "k-1")
        self.assertEqual(request.headers.get("X-Trace"), "t-1")

    def assertRefusedDestination(self, url, *words):
        flow = workflow("Refused", [
            text_input("message", "Message"),
            node("call", "api-request", url=url, retries=0),
            output("data", "Data"),
        ], [edge("message", "output", "call", "body"), edge("call", "data", "data", "input")])
        deploy = self.deploy_flow(flow)
        self.assertTrue(any("call" in w and url in w for w in deploy["warnings"]),
                        deploy["warnings"])
        deployment = deploy["deployment"]
        result = self.server.execute(deployment["slug"], {"message": "x"},
                                     deployment["apiKey"])
        # A refused destination is the workflow's configuration: 500, not a provider failure.
        error = self.assertUpstreamFailure(result, 500, "call")
        self.assertIn("check its configuration", result.body["message"])
        self.assertTrue(any(word in error.lower() for word in words), error)
        record = self.execution_record(deployment, result.body["metadata"]["executionId"])
        self.assertEqual(record["status"], "error")

    def test_api_request_to_loopback_without_allowlist_is_refused(self):
        self.assertRefusedDestination(self.private_api.url + "/secret",
                                      "refused", "private", "loopback")
        self.assertEqual(self.private_api.requests, [])

    def test_api_request_to_the_metadata_address_is_refused(self):
        self.assertRefusedDestination("http://169.254.169.254/latest/meta-data/",
                                      "refused", "link-local", "metadata")

    def test_deploy_warns_about_stored_urls_the_policy_refuses(self):
        flow = llm_flow("Private LLM", apiBaseUrl="http://10.1.2.3:8000/v1")
        warnings = self.deploy_flow(flow)["warnings"]
        self.assertTrue(any("chat" in w and "http://10.1.2.3:8000/v1" in w for w in warnings),
                        warnings)
        trusted = llm_flow("Trusted LLM", apiBaseUrl=self.ollama.url)
        warnings = self.deploy_flow(trusted)["warnings"]
        self.assertFalse(any(self.ollama.url in w for w in warnings), warnings)

    # -- ComfyUI -------------------------------------------------------------------------------

    def test_comfyui_generates_an_image_with_the_configured_settings(self):
        flow = workflow("ComfyUI", [
            text_input("prompt", "Prompt"),
            node("draw", "comfyui-image-gen", steps=12, guidanceScale=6.5, denoise=0.9,
                 sampler="dpmpp_2m", scheduler="karras", width=640, height=448,
                 negativePrompt="blurry", seed=1234),
            output("image", "Image"), output("meta", "Meta"),
        ], [
            edge("prompt", "output", "draw", "prompt"),
            edge("draw", "image", "image", "input"), edge("draw", "metadata", "meta", "input"),
        ])
        _, body = self.run_ok(flow, {"prompt": "a lighthouse at dawn"})
        outputs = body["outputs"]
        self.assertEqual(outputs["image"],
                         "data:image/png;base64," + base64.b64encode(self.comfyui.png).decode())
        self.assertEqual(outputs["meta"]["seed"], 1234)
        self.assertEqual(outputs["meta"]["model"], "model-a.safetensors")
        self.assertTrue(self.comfyui.requests_to("/object_info/CheckpointLoaderSimple"))
        self.assertGreaterEqual(len(self.comfyui.requests_to("/history/")), 2)  # it polled
        graph = self.comfyui.last_graph()
        by_class = {}
        for item in graph.values():
            by_class.setdefault(item["class_type"], []).append(item["inputs"])
        self.assertEqual(by_class["CheckpointLoaderSimple"], [{"ckpt_name":
                                                               "model-a.safetensors"}])
        self.assertEqual(sorted(i["text"] for i in by_class["CLIPTextEncode"]),
                         ["a lighthouse at dawn", "blurry"])
        latent = by_class["EmptyLatentImage"][0]
        self.assertEqual((latent["width"], latent["height"], latent["batch_size"]),
                         (640, 448, 1))
        sampler = by_class["KSampler"][0]
        self.assertEqual({key: sampler[key] for key in ("seed", "steps", "cfg", "sampler_name",
                                                        "scheduler", "denoise")},
                         {"seed": 1234, "steps": 12, "cfg": 6.5, "sampler_name": "dpmpp_2m",
                          "scheduler": "karras", "denoise": 0.9})
        self.assertIn("SaveImage", by_class)
        self.assertTrue(self.comfyui.requests_to("/view"))

    # -- audio and notebooks -------------------------------------------------------------------

    def test_whisper_posts_the_audio_and_options_as_multipart(self):
        self.openai.reply_transcription("Guten Tag")
        flow = workflow("Whisper", [
            text_input("audio", "Audio"),
            node("listen", "whisper-transcription", apiBaseUrl=self.openai.base_url,
                 model="whisper-1", language="de", temperature=0.2, prompt="Names: Ada"),
            output("text", "Text"), output("meta", "Meta"),
        ], [
            edge("audio", "output", "listen", "audioData"),
            edge("listen", "text", "text", "input"), edge("listen", "metadata", "meta", "input"),
        ])
        _, body = self.run_ok(flow, {"audio": WAV_DATA_URL})
        self.assertEqual(body["outputs"]["text"], "Guten Tag")
        self.assertEqual(body["outputs"]["meta"]["language"], "de")
        request = self.openai.last(self.openai.transcriptions_path)
        self.assertEqual(request.headers.get("Authorization"), f"Bearer {SERVER_OPENAI_KEY}")
        upload = request.part("file")
        self.assertEqual((upload.filename, upload.content_type, upload.data),
                         ("audio.wav", "audio/wav", WAV))
        form = request.form
        self.assertEqual(form["model"], "whisper-1")
        self.assertEqual(form["language"], "de")
        self.assertEqual(float(form["temperature"]), 0.2)
        self.assertEqual(form["prompt"], "Names: Ada")

    def test_speech_to_text_posts_to_the_python_backend(self):
        segments = [{"start": 0.0, "end": 0.05, "text": "hola"}]
        self.python.reply_transcription("hola", language="es", segments=segments)
        flow = workflow("Speech", [
            text_input("audio", "Audio"), text_input("language", "Language"),
            node("listen", "speech-to-text", language="fr", beamSize=3, initialPrompt="Bonjour"),
            output("text", "Text"), output("segments", "Segments"),
        ], [
            edge("audio", "output", "listen", "audioBase64"),
            edge("language", "output", "listen", "languageOverride"),
            edge("listen", "transcription", "text", "input"),
            edge("listen", "segments", "segments", "input"),
        ])
        _, body = self.run_ok(flow, {"audio": WAV_DATA_URL, "language": "es"})
        self.assertEqual(body["outputs"], {"text": "hola", "segments": segments})
        request = self.python.last("/transcribe")
        upload = request.part("file")
        self.assertEqual((upload.filename, upload.content_type, upload.data),
                         ("audio.wav", "audio/wav", WAV))
        self.assertEqual(request.form, {"language": "es", "beam_size": "3",
                                        "initial_prompt": "Bonjour"})
        self.assertNotIn("Authorization", request.headers)

    def test_text_to_speech_returns_the_audio_as_a_data_url(self):
        for node_type in ("text-to-speech", "tts"):
            with self.subTest(node_type=node_type):
                self.python.clear_requests()
                self.python.reply_audio(b"ID3-fake-mp3", "audio/mpeg")
                flow = workflow("Speak", [
                    text_input("text", "Text"),
                    node("speak", node_type, engine="gtts", voice="af_nicole", language="en",
                         speed=0.8),
                    output("audio", "Audio"), output("ok", "Ok"),
                ], [
                    edge("text", "output", "speak", "text"),
                    edge("speak", "audioUrl", "audio", "input"),
                    edge("speak", "success", "ok", "input"),
                ])
                _, body = self.run_ok(flow, {"text": "Good morning"})
                self.assertEqual(body["outputs"], {
                    "audio": "data:audio/mpeg;base64," + base64.b64encode(b"ID3-fake-mp3")
                    .decode(), "ok": True})
                self.assertEqual(self.python.last("/synthesize").json, {
                    "text": "Good morning", "language": "en", "engine": "gtts", "slow": True,
                    "voice": "af_nicole", "speed": 0.8})

    def test_notebook_writer_uploads_the_text_as_a_file(self):
        before = len(self.python.documents("notebook-1"))
        text = "Quarterly report: Q3!\nRevenue grew."
        flow = workflow("Notebook writer", [
            text_input("text", "Text"),
            node("write", "notebook-writer", selectedNotebook="notebook-1"),
            output("doc", "Doc"), output("ok", "Ok"),
        ], [
            edge("text", "output", "write", "text"),
            edge("write", "documentId", "doc", "input"), edge("write", "success", "ok", "input"),
        ])
        _, body = self.run_ok(flow, {"text": text})
        self.assertRegex(body["outputs"]["doc"], UUID_PATTERN)
        self.assertIs(body["outputs"]["ok"], True)
        documents = self.python.documents("notebook-1")
        self.assertEqual(len(documents), before + 1)
        upload = documents[-1]
        self.assertEqual(upload.name, "files")
        self.assertEqual(upload.filename, "quarterly report_ q3_.txt")
        self.assertTrue((upload.content_type or "").startswith("text/plain"), upload)
        self.assertEqual(upload.data, text.encode("utf-8"))

    def test_notebook_chat_asks_the_notebook_and_returns_citations(self):
        citations = [{"filename": "q3.txt", "file_path": "/notebooks/team notes/q3.txt",
                      "document_id": "doc-1", "title": "q3"}]
        self.python.reply_answer("Revenue grew 12%.", citations=citations)
        flow = workflow("Notebook chat", [
            text_input("question", "Question"),
            node("ask", "notebook-chat", selectedNotebook="team notes", responseMode="local",
                 useChatHistory=False),
            output("answer", "Answer"), output("citations", "Citations"),
            output("count", "Count"), output("length", "Length"),
        ], [
            edge("question", "output", "ask", "query"),
            edge("ask", "answer", "answer", "input"),
            edge("ask", "citations", "citations", "input"),
            edge("ask", "citationCount", "count", "input"),
            edge("ask", "responseLength", "length", "input"),
        ])
        _, body = self.run_ok(flow, {"question": "  How did revenue change?  "})
        self.assertEqual(body["outputs"], {"answer": "Revenue grew 12%.", "citations": citations,
                                           "count": 1, "length": len("Revenue grew 12%.")})
        request = self.python.last("/notebooks/")
        self.assertEqual(request.path, "/notebooks/team%20notes/chat")
        self.assertEqual(request.json, {"question": "How did revenue change?", "mode": "local",
                                        "response_type": "Multiple Paragraphs", "top_k": 60,
                                        "llm_provider": None, "use_chat_history": False})

    # -- token usage ---------------------------------------------------------------------------

    def two_step_flow(self):
        return workflow("Two calls", [
            text_input("message", "Message"),
            node("first", "llm", model="gpt-4o-mini"),
            node("second", "llm", model="gpt-4o"),
            output("reply", "Reply"),
        ], [
            edge("message", "output", "first", "user"), edge("first", "response", "second", "user"),
            edge("second", "response", "reply", "input"),
        ])

    def test_token_usage_of_every_call_is_summed_in_the_response_and_the_record(self):
        self.openai.reply_text("draft", usage={"prompt_tokens": 10, "completion_tokens": 5,
                                               "total_tokens": 15})
        self.openai.reply_text("final", usage={"prompt_tokens": 7, "completion_tokens": 3,
                                               "total_tokens": 10})
        deployment, body = self.run_ok(self.two_step_flow(), {"message": "write"})
        self.assertEqual(body["outputs"], {"reply": "final"})
        expected = {"promptTokens": 17, "completionTokens": 8, "totalTokens": 25, "calls": 2}
        self.assertEqual(body["metadata"]["tokenUsage"], expected)
        record = self.execution_record(deployment, body["metadata"]["executionId"])
        self.assertEqual(record["tokenUsage"], expected)
        self.assertEqual([r.json["messages"][-1]["content"] for r in self.openai.chat_requests()],
                         ["write", "draft"])

    def test_a_failed_execution_still_reports_the_tokens_it_used(self):
        self.openai.reply_text("draft", usage={"prompt_tokens": 10, "completion_tokens": 5,
                                               "total_tokens": 15})
        self.openai.reply_status(500, path=self.openai.chat_path)
        deployment, result = self.run_flow(self.two_step_flow(), {"message": "write"})
        self.assertUpstreamFailure(result, 502, "second")
        usage = result.body["metadata"]["tokenUsage"]
        self.assertEqual((usage["promptTokens"], usage["completionTokens"]), (10, 5))
        record = self.execution_record(deployment, result.body["metadata"]["executionId"])
        self.assertEqual(record["status"], "error")
        self.assertEqual(record["tokenUsage"]["promptTokens"], 10)

    def test_a_flow_without_model_calls_has_no_token_usage(self):
        flow = workflow("No model", [text_input("message", "Message"), output("reply", "Reply")],
                        [edge("message", "output", "reply", "input")])
        deployment, body = self.run_ok(flow, {"message": "plain"})
        self.assertIsNone(body["metadata"].get("tokenUsage"))
        record = self.execution_record(deployment, body["metadata"]["executionId"])
        self.assertIn("tokenUsage", record)
        self.assertIsNone(record["tokenUsage"])

    # -- provider failures ---------------------------------------------------------------------

    def test_provider_error_status_is_a_bad_gateway(self):
        self.openai.reply_status(500, path=self.openai.chat_path)
        deployment, result = self.run_flow(llm_flow("Provider 500"), {"message": "hi"})
        self.assertUpstreamFailure(result, 502, "chat", "LLM execution failed", "500")
        record = self.execution_record(deployment, result.body["metadata"]["executionId"])
        self.assertEqual(record["status"], "error")
        self.assertEqual(record["errorNodeId"], "chat")

    def test_malformed_provider_json_is_a_bad_gateway(self):
        self.openai.reply_raw(b'{"choices": [', content_type="application/json",
                              path=self.openai.chat_path)
        _, result = self.run_flow(llm_flow("Malformed"), {"message": "hi"})
        self.assertUpstreamFailure(result, 502, "chat", "LLM execution failed")

    def test_provider_401_names_the_authentication_problem(self):
        flow = llm_flow("Wrong key", apiBaseUrl=self.openai.base_url, apiKey="sk-wrong")
        _, result = self.run_flow(flow, {"message": "hi"})
        self.assertUpstreamFailure(result, 502, "chat", "LLM execution failed: Authentication "
                                   "failed - API key may be required or invalid")
        self.assertEqual(self.openai.last(self.openai.chat_path).headers.get("Authorization"),
                         "Bearer sk-wrong")

    def test_oversized_provider_answer_is_a_bad_gateway(self):
        for chunked in (False, True):
            with self.subTest(chunked=chunked):
                self.openai.reply_oversized(20 * MAX_NODE_RESPONSE, chunked=chunked,
                                            path=self.openai.chat_path)
                _, result = self.run_flow(llm_flow("Oversized"), {"message": "hi"})
                self.assertUpstreamFailure(result, 502, "chat", "LLM execution failed")

    def test_slow_drip_answer_outlasting_the_llm_timeout_is_a_gateway_timeout(self):
        body = chat_reply_body("too late")
        # Ten pieces, one every 0.5 s: each gap is short, the whole answer takes 5 s.
        pieces = [body[i * len(body) // 10:(i + 1) * len(body) // 10] for i in range(10)]
        self.openai.reply_slow_drip(pieces, 0.5, path=self.openai.chat_path)
        deployment, result, elapsed = self.timed_run(llm_flow("Slow drip"), {"message": "hi"})
        error = self.assertUpstreamFailure(result, 504, "chat", "LLM execution failed")
        self.assertNotIn(TIMEOUT_MESSAGE, error)
        self.assertLess(elapsed, 4.0, "the node waited for the whole drip")
        record = self.execution_record(deployment, result.body["metadata"]["executionId"])
        self.assertEqual(record["status"], "error")


# ------------------------------------------------------------------------------------------------
# Agent without the assistant service: the local tool loop
# ------------------------------------------------------------------------------------------------


class LocalAgentLoopTests(FakeServerTestCase):

    TOOL = "mcp_python-mcp_run_python"

    @classmethod
    def start_fakes(cls):
        cls.chat = cls.start_fake(FakeOpenAI(required_key=SERVER_OPENAI_KEY))
        cls.assistant = cls.start_fake(FakeClaraAssistant())
        cls.mcp = cls.start_fake(FakeMcpProxy())
        cls.mcp.add_server("filesystem")
        cls.mcp.add_tool("filesystem", "read_file", "Read a file",
                         {"type": "object", "properties": {"path": {"type": "string"}},
                          "required": ["path"]})
        return {
            "OPENAI_API_KEY": SERVER_OPENAI_KEY,
            "OPENAI_API_BASE_URL": cls.chat.base_url,
            "CLARA_ASSISTANT_URL": cls.assistant.url,
            "CLARA_ASSISTANT_ENABLED": "false",
            "MCP_PROXY_URL": cls.mcp.url,
            "AGENT_TOOLS_ENABLED": "true",
            "AGENT_ALLOWED_MCP_SERVERS": "python-mcp",
        }

    def agent_flow(self):
        return workflow("Agent B", [
            text_input("task", "Task"),
            static_text("background", "Use Python."),
            node("agent", "agent-executor", provider="openai", textModel="gpt-4o-mini",
                 enabledMCPServers=["python-mcp", "filesystem"], maxToolCalls=5,
                 temperature=0.2, maxTokens=500),
            output("answer", "Answer"), output("tools", "Tools"), output("ok", "Ok"),
        ], [
            edge("task", "output", "agent", "instructions"),
            edge("background", "text", "agent", "context"),
            edge("agent", "result", "answer", "input"),
            edge("agent", "toolResults", "tools", "input"),
            edge("agent", "success", "ok", "input"),
        ])

    def test_tool_call_round_trip_through_the_mcp_proxy(self):
        self.chat.reply_tool_calls([{"name": self.TOOL, "arguments": {"code": "print(6*7)"},
                                     "id": "call_1"}],
                                   usage={"prompt_tokens": 30, "completion_tokens": 10,
                                          "total_tokens": 40})
        self.chat.reply_text("The answer is 42.", usage={"prompt_tokens": 50,
                                                         "completion_tokens": 6,
                                                         "total_tokens": 56})
        _, body = self.run_ok(self.agent_flow(), {"task": "Compute six times seven"})
        outputs = body["outputs"]
        self.assertEqual(outputs["answer"], "The answer is 42.")
        self.assertIs(outputs["ok"], True)
        self.assertEqual(len(outputs["tools"]), 1)
        self.assertEqual(outputs["tools"][0]["tool"], self.TOOL)
        self.assertEqual(outputs["tools"][0]["arguments"], {"code": "print(6*7)"})
        self.assertIn("ran python: print(6*7)", json.dumps(outputs["tools"][0]["result"]))
        self.assertEqual(body["metadata"]["tokenUsage"], {"promptTokens": 80,
                                                          "completionTokens": 16,
                                                          "totalTokens": 96, "calls": 2})

        self.assertEqual(self.mcp.tool_calls(),
                         [("python-mcp", "run_python", {"code": "print(6*7)"}, "call_1")])
        listed = [r.json["server"] for r in self.mcp.requests_to(self.mcp.EXECUTE_PATH)
                  if r.json["name"] == "tools/list"]
        self.assertEqual(listed, ["python-mcp"])  # filesystem is not allowed by the server

        first, second = self.chat.chat_requests()
        self.assertEqual(first.headers.get("Authorization"), f"Bearer {SERVER_OPENAI_KEY}")
        sent = first.json
        self.assertEqual((sent["model"], sent["temperature"], sent["max_tokens"]),
                         ("gpt-4o-mini", 0.2, 500))
        self.assertEqual(sent["tool_choice"], "auto")
        self.assertEqual([tool["function"]["name"] for tool in sent["tools"]], [self.TOOL])
        self.assertTrue(sent["tools"][0]["function"]["description"]
                        .startswith("[MCP:python-mcp] "))
        self.assertEqual(sent["messages"][0]["role"], "system")
        self.assertEqual(sent["messages"][1], {
            "role": "user",
            "content": "Instructions: Compute six times seven\n\nContext: Use Python."})
        tool_message = second.json["messages"][-1]
        self.assertEqual((tool_message["role"], tool_message["tool_call_id"]), ("tool", "call_1"))
        self.assertIn("ran python: print(6*7)", content_text(tool_message["content"]))
        self.assertEqual(self.assistant.requests, [])

    def test_agent_without_tool_calls_answers_after_one_reply(self):
        self.chat.reply_text("Done without tools.")
        _, body = self.run_ok(self.agent_flow(), {"task": "Say done"})
        self.assertEqual(body["outputs"], {"answer": "Done without tools.", "tools": [],
                                           "ok": True})
        self.assertEqual(len(self.chat.chat_requests()), 1)
        self.assertEqual(self.mcp.tool_calls(), [])

    def test_a_failing_tool_is_reported_to_the_model_and_the_loop_goes_on(self):
        self.mcp.reply_tool_result({"success": False, "error": "NameError: x"})
        self.chat.reply_tool_calls([{"name": self.TOOL, "arguments": {"code": "x"},
                                     "id": "call_9"}])
        self.chat.reply_text("It failed, sorry.")
        _, body = self.run_ok(self.agent_flow(), {"task": "Run x"})
        self.assertEqual(body["outputs"]["answer"], "It failed, sorry.")
        tool_message = self.chat.chat_requests()[-1].json["messages"][-1]
        self.assertEqual(tool_message["tool_call_id"], "call_9")
        self.assertIn("NameError: x", content_text(tool_message["content"]))


# ------------------------------------------------------------------------------------------------
# Provider base URLs configured on private addresses
# ------------------------------------------------------------------------------------------------


class ConfiguredProviderUrlTests(FakeServerTestCase):
    """ANTHROPIC_API_BASE_URL and OPENROUTER_API_BASE_URL on loopback, without an allowlist:
    configured provider URLs are trusted like OPENAI_API_BASE_URL, and each gets its own key."""

    @classmethod
    def start_fakes(cls):
        cls.anthropic = cls.start_fake(FakeAnthropic(required_key=SERVER_ANTHROPIC_KEY))
        cls.openrouter = cls.start_fake(FakeOpenAI(prefix="/api/v1",
                                                   required_key="sk-or-server"))
        return {
            "ANTHROPIC_API_KEY": SERVER_ANTHROPIC_KEY,
            "ANTHROPIC_API_BASE_URL": cls.anthropic.url + "/v1",
            "OPENROUTER_API_KEY": "sk-or-server",
            "OPENROUTER_API_BASE_URL": cls.openrouter.base_url,
            "CLARA_ASSISTANT_ENABLED": "false",
        }

    def test_llm_reaches_the_configured_anthropic_base_with_its_key(self):
        base_url = self.anthropic.url + "/v1"
        deploy = self.deploy_flow(llm_flow("Anthropic on loopback", apiBaseUrl=base_url,
                                           model="claude-3-5-haiku-latest"))
        self.assertFalse(any(base_url in warning for warning in deploy["warnings"]),
                         deploy["warnings"])
        deployment = deploy["deployment"]
        result = self.server.execute(deployment["slug"], {"message": "hello"},
                                     deployment["apiKey"])
        self.assertEqual(result.status, 200, result)
        self.assertEqual(result.body["outputs"], {"reply": "echo: hello"})
        request = self.anthropic.last("/v1/messages")
        self.assertEqual(request.headers.get("x-api-key"), SERVER_ANTHROPIC_KEY)

    def test_agent_with_provider_openrouter_uses_its_base_and_key(self):
        flow = workflow("OpenRouter agent", [
            text_input("task", "Task"),
            node("agent", "agent-executor", provider="openrouter",
                 textModel="openrouter:meta-llama/llama-3.1-8b-instruct"),
            output("answer", "Answer"),
        ], [edge("task", "output", "agent", "instructions"),
            edge("agent", "result", "answer", "input")])
        self.openrouter.reply_text("Hi!")
        deployment = self.deploy_flow(flow)["deployment"]
        result = self.server.execute(deployment["slug"], {"task": "Say hi"},
                                     deployment["apiKey"])
        self.assertEqual(result.status, 200, result)
        self.assertEqual(result.body["outputs"], {"answer": "Hi!"})
        request = self.openrouter.last(self.openrouter.chat_path)
        self.assertEqual(request.headers.get("Authorization"), "Bearer sk-or-server")
        self.assertEqual(request.json["model"], "meta-llama/llama-3.1-8b-instruct")
        self.assertEqual(request.json["messages"][-1],
                         {"role": "user", "content": "Instructions: Say hi\n\n"})


# ------------------------------------------------------------------------------------------------
# Execution deadline
# ------------------------------------------------------------------------------------------------


class DeadlineTests(FakeServerTestCase):

    @classmethod
    def start_fakes(cls):
        cls.openai = cls.start_fake(FakeOpenAI())
        return {"OPENAI_API_BASE_URL": cls.openai.base_url, "MAX_EXECUTION_TIME": "1000"}

    def test_a_hanging_provider_ends_at_the_deadline(self):
        self.openai.reply_hang(5.0, path=self.openai.chat_path)
        deployment, result, elapsed = self.timed_run(llm_flow("Hang"), {"message": "hi"})
        self.assertEqual(result.status, 504, result)
        self.assertIs(result.body["success"], False)
        self.assertEqual(result.body["error"], f"{TIMEOUT_MESSAGE} 1000ms")
        # The runner gave up on the provider at the deadline instead of waiting 5 s for it.
        self.assertLess(elapsed, 2.5)
        self.assertEqual(len(self.openai.chat_requests()), 1)
        record = self.execution_record(deployment, result.body["metadata"]["executionId"])
        self.assertEqual(record["status"], "timeout")

    def test_a_fast_provider_is_unaffected_by_the_deadline(self):
        _, body = self.run_ok(llm_flow("Fast"), {"message": "quick"})
        self.assertEqual(body["outputs"], {"reply": "echo: quick"})


if __name__ == "__main__":
    unittest.main()
