"""Fake third-party services for the integration tests: real HTTP/1.1 servers on 127.0.0.1 at a
free port, speaking each provider's documented wire protocol, recording every request and
answering from a script (with misbehaviour modes) or with a sensible default.

    from fake_services import FakeOpenAI

    class LlmNodeTests(ServerTestCase):
        def test_reply_reaches_the_output(self):
            openai = self.enterContext(FakeOpenAI(required_key="sk-test"))
            openai.reply_text("hello", usage={"prompt_tokens": 3, "completion_tokens": 1,
                                              "total_tokens": 4})
            ...  # run a flow whose llm node has apiBaseUrl = openai.base_url
            body = openai.last_chat()
            self.assertEqual(body["model"], "gpt-4o-mini")

Fakes (each class docstring lists its endpoints, checks, defaults and scripting calls):
    FakeOpenAI          chat completions (plain, SSE, tool calls, response_format),
                        audio transcriptions, models; prefix "/v1" or "/api/v1" (OpenRouter)
    FakeAnthropic       Messages API
    FakeOllama          /api/chat (NDJSON streaming by default), /api/tags, /v1/chat/completions
    FakeComfyUI         object_info, prompt, history polling, view, queue, interrupt
    FakePythonBackend   transcribe, synthesize, health, notebooks documents and chat
    FakeMcpProxy        servers, tools/execute (tools/list discovery and tool runs)
    FakeClaraAssistant  execute-agent

Common to all (FakeService): the keyword options `host=` (an IPv4 address, default
"127.0.0.1") and `port=` (default 0, a free port), `url`, `host`, `port`, `stop()` / context
manager, `requests`, `requests_to(prefix)`, `last(prefix)`, `wait_for(count, timeout, prefix)`,
`errors`, and the generic replies `reply_status`, `reply_json`, `reply_raw`, `reply_slow_drip`,
`reply_oversized`, `reply_hang`, `reply_disconnect`, `reply_broken_http` (keywords path=,
method=, times=, delay_s=). The implementation lives in the `fakes` package.
"""

from fakes import *  # noqa: F401,F403 - this module is the public face of the package
from fakes import __all__  # noqa: F401
