"""Fake Ollama server: the native chat API (/api/chat, streaming NDJSON by default), the model
list (/api/tags) and the OpenAI-compatible /v1/chat/completions."""

import json
from datetime import datetime, timezone

from .base import FakeService
from .replies import StreamResponse, json_reply, text_reply
from .chat import (ChatAnswer, arguments_object, example_from_schema, last_user_text,
                   normalize_tool_calls, prompt_tokens, estimate_tokens, stream_pieces,
                   usage_counts)
from .openai import default_chat_answer, openai_error, render_chat, validate_chat_request

CHAT_PATH = "/api/chat"
OPENAI_CHAT_PATH = "/v1/chat/completions"
DEFAULT_MODELS = ("llama3.2:latest", "gemma3:4b")


def _timestamp():
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _full_name(model):
    return model if ":" in model else f"{model}:latest"


class FakeOllama(FakeService):
    """Ollama: POST /api/chat, GET /api/tags, GET /api/version, POST /v1/chat/completions.

    /api/chat takes {model, messages, stream, options{temperature, num_predict, ...}, format?,
    tools?}. Ollama streams unless `stream` is false: the default answer is NDJSON
    (application/x-ndjson) with one {"message": {"role", "content": piece}, "done": false} line
    per word and a final line with done: true, done_reason and the counters; `stream: false`
    answers one JSON object. Empty `messages` answers Ollama's load reply (done_reason "load").
    `format` "json" (or a JSON schema) makes the default answer JSON text.

    Errors use Ollama's {"error": "..."}: missing model → 400 "model is required"; a model not
    in `models` (matched with and without ":latest") → 404 "model \"x\" not found, try pulling it
    first"; the OpenAI-compatible endpoint answers those in OpenAI's format and otherwise
    validates like FakeOpenAI. Unknown paths → 404 text "404 page not found" like Go.

    Scripting (plus FakeService's; all take times=, delay_s=); one scripted answer serves either
    endpoint, rendered in the protocol of the request that takes it:
      reply_text(text, usage=None, done_reason=None, chunk_delay_s=0)
          usage may use Ollama (prompt_eval_count/eval_count) or OpenAI names
      reply_tool_calls(calls)   calls: [{"name", "arguments": dict}]
      reply_error(status, message)   Ollama's {"error": message}

    Helpers: chat_requests() (native), last_chat() (JSON body of the last native chat).
    """

    server_header = "Ollama"

    def __init__(self, *, models=DEFAULT_MODELS, host="127.0.0.1", port=0):
        self.models = list(models)
        super().__init__(host=host, port=port)

    # -- scripting ---------------------------------------------------------------------------

    def reply_text(self, text, *, usage=None, done_reason=None, chunk_delay_s=0.0, times=1,
                   delay_s=0.0):
        return self.script(ChatAnswer(text=text, usage=usage, finish_reason=done_reason,
                                      chunk_delay_s=chunk_delay_s),
                           path=(CHAT_PATH, OPENAI_CHAT_PATH), times=times, delay_s=delay_s)

    def reply_tool_calls(self, calls, *, times=1, delay_s=0.0):
        answer = ChatAnswer(text="", tool_calls=normalize_tool_calls(calls, "call_fake_"))
        return self.script(answer, path=(CHAT_PATH, OPENAI_CHAT_PATH), times=times,
                           delay_s=delay_s)

    def reply_error(self, status, message, **match):
        return self.script(json_reply({"error": message}, status), **match)

    # -- records -----------------------------------------------------------------------------

    def chat_requests(self):
        return self.requests_to(CHAT_PATH)

    def last_chat(self):
        return self.last(CHAT_PATH).json

    # -- behaviour ---------------------------------------------------------------------------

    def error_reply(self, status, message):
        return json_reply({"error": message}, status)

    def _known(self, model):
        return _full_name(model) in {_full_name(name) for name in self.models}

    def handle(self, request):
        routes = {CHAT_PATH: ("POST", self._chat), OPENAI_CHAT_PATH: ("POST", self._openai_chat),
                  "/api/tags": ("GET", self._tags), "/api/version": ("GET", self._version)}
        route = routes.get(request.path)
        if route is None:
            return text_reply("404 page not found", 404)
        if request.method != route[0]:
            return text_reply("405 method not allowed", 405)
        return route[1](request)

    def _tags(self, request):
        return json_reply({"models": [
            {"name": _full_name(name), "model": _full_name(name),
             "modified_at": "2025-01-01T00:00:00.000000Z", "size": 2019393189,
             "digest": f"{index:064x}",
             "details": {"parent_model": "", "format": "gguf", "family": "llama",
                         "families": ["llama"], "parameter_size": "3.2B",
                         "quantization_level": "Q4_K_M"}}
            for index, name in enumerate(self.models)]})

    def _version(self, request):
        return json_reply({"version": "0.6.0"})

    def _openai_chat(self, request):
        body = request.json
        error = validate_chat_request(body)
        if error:
            return error
        if not self._known(body["model"]):
            return openai_error(404, f"model \"{body['model']}\" not found, try pulling it first",
                                type="api_error")
        answer = self.take_scripted(request, ChatAnswer) or default_chat_answer(body)
        return render_chat(body, answer)

    def _chat(self, request):
        body = request.json
        if not isinstance(body, dict):
            return json_reply({"error": "missing request body" if not request.body
                               else "invalid character in request body"}, 400)
        model = body.get("model")
        if not model:
            return json_reply({"error": "model is required"}, 400)
        if not self._known(model):
            return json_reply({"error": f"model \"{model}\" not found, try pulling it first"},
                              404)
        messages = body.get("messages") or []
        if not messages:
            return json_reply({"model": model, "created_at": _timestamp(),
                               "message": {"role": "assistant", "content": ""},
                               "done_reason": "load", "done": True})
        answer = self.take_scripted(request, ChatAnswer) or self._default(body)
        prompt, completion = usage_counts(answer.usage, prompt_tokens(messages),
                                          estimate_tokens(answer.text or ""))
        final = {"model": model, "created_at": _timestamp(),
                 "message": {"role": "assistant", "content": ""},
                 "done_reason": answer.finish_reason or "stop", "done": True,
                 "total_duration": 5_000_000, "load_duration": 1_000_000,
                 "prompt_eval_count": prompt, "prompt_eval_duration": 1_000_000,
                 "eval_count": completion, "eval_duration": 3_000_000}
        tool_calls = [{"function": {"name": call["name"],
                                    "arguments": arguments_object(call["arguments"])}}
                      for call in answer.tool_calls]
        if body.get("stream", True) is False:
            final["message"]["content"] = answer.text or ""
            if tool_calls:
                final["message"]["tool_calls"] = tool_calls
            return json_reply(final)
        lines = [{"model": model, "created_at": _timestamp(),
                  "message": {"role": "assistant", "content": piece}, "done": False}
                 for piece in stream_pieces(answer.text or "")]
        if tool_calls:
            lines.append({"model": model, "created_at": _timestamp(),
                          "message": {"role": "assistant", "content": "",
                                      "tool_calls": tool_calls}, "done": False})
        lines.append(final)
        return StreamResponse([json.dumps(line) + "\n" for line in lines],
                              "application/x-ndjson", delay_s=answer.chunk_delay_s)

    @staticmethod
    def _default(body):
        echo = "echo: " + last_user_text(body.get("messages"))
        output_format = body.get("format")
        if output_format == "json":
            return ChatAnswer(text=json.dumps({"echo": echo}))
        if isinstance(output_format, dict):
            return ChatAnswer(text=json.dumps(example_from_schema(output_format, echo)))
        return ChatAnswer(text=echo)
