"""Fake Anthropic Messages API (POST /v1/messages), plain and streamed."""

import json
import re
import secrets

from .base import FakeService
from .replies import StreamResponse, json_reply
from .chat import (ChatAnswer, arguments_object, content_text, normalize_tool_calls,
                   prompt_tokens, estimate_tokens, stream_pieces)

MESSAGES_PATH = "/v1/messages"
_ERROR_TYPES = {400: "invalid_request_error", 401: "authentication_error",
                403: "permission_error", 404: "not_found_error", 413: "request_too_large",
                429: "rate_limit_error", 500: "api_error", 529: "overloaded_error"}
_IMAGE_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")
_BLOCK_TYPES = ("text", "image", "document", "tool_use", "tool_result")
_TOOL_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
_STOP_REASONS = {"stop": "end_turn", "tool_calls": "tool_use", "length": "max_tokens"}


def anthropic_error(status, message, error_type=None):
    """Anthropic's error document: {"type": "error", "error": {"type", "message"}}."""
    kind = error_type or _ERROR_TYPES.get(status, "api_error")
    return json_reply({"type": "error", "error": {"type": kind, "message": message}}, status)


def _invalid(message):
    return anthropic_error(400, message, "invalid_request_error")


def _validate_block(where, block):
    kind = block.get("type") if isinstance(block, dict) else None
    if kind not in _BLOCK_TYPES:
        return _invalid(f"{where}.type: Input tag '{kind}' found using 'type' does not match any "
                        "of the expected tags: 'text', 'image', 'document', 'tool_use', "
                        "'tool_result'")
    if kind == "text" and not isinstance(block.get("text"), str):
        return _invalid(f"{where}.text.text: Field required")
    if kind == "image":
        source = block.get("source")
        if not isinstance(source, dict):
            return _invalid(f"{where}.image.source: Field required")
        if source.get("type") == "base64":
            if source.get("media_type") not in _IMAGE_TYPES:
                return _invalid(f"{where}.image.source.base64.media_type: Input should be "
                                "'image/jpeg', 'image/png', 'image/gif' or 'image/webp'")
            if not isinstance(source.get("data"), str):
                return _invalid(f"{where}.image.source.base64.data: Field required")
        elif source.get("type") != "url" or not isinstance(source.get("url"), str):
            return _invalid(f"{where}.image.source: Input tag '{source.get('type')}' found using "
                            "'type' does not match any of the expected tags: 'base64', 'url'")
    return None


def _validate_messages(messages):
    if messages is None:
        return _invalid("messages: Field required")
    if not isinstance(messages, list) or not messages:
        return _invalid("messages: at least one message is required")
    expected_results = set()
    for index, message in enumerate(messages):
        role = message.get("role") if isinstance(message, dict) else None
        if role == "system":
            return _invalid('messages: Unexpected role "system". The Messages API accepts a '
                            'top-level `system` parameter, not "system" as an input message '
                            "role.")
        if role not in ("user", "assistant"):
            return _invalid(f"messages.{index}.role: Input should be 'user' or 'assistant'")
        content = message.get("content")
        blocks = content if isinstance(content, list) else []
        if isinstance(content, str):
            if not content and index < len(messages) - 1:
                return _invalid(f"messages.{index}: all messages must have non-empty content "
                                "except for the optional final assistant message")
        elif not isinstance(content, list):
            return _invalid(f"messages.{index}.content: Input should be a valid list")
        for number, block in enumerate(blocks):
            error = _validate_block(f"messages.{index}.content.{number}", block)
            if error:
                return error
        results = {b.get("tool_use_id") for b in blocks if b.get("type") == "tool_result"}
        if expected_results - results:
            return _invalid(f"messages.{index}: `tool_use` ids were found without `tool_result` "
                            "blocks immediately after: "
                            f"{', '.join(sorted(expected_results - results))}. Each `tool_use` "
                            "block must have a corresponding `tool_result` block in the next "
                            "message.")
        expected_results = {b.get("id") for b in blocks if b.get("type") == "tool_use"}
    return None


def _validate_body(body):
    if not isinstance(body, dict):
        return _invalid("There was an error parsing the body of your request as JSON.")
    if not body.get("model"):
        return _invalid("model: Field required")
    max_tokens = body.get("max_tokens")
    if max_tokens is None:
        return _invalid("max_tokens: Field required")
    if isinstance(max_tokens, bool) or not isinstance(max_tokens, int):
        return _invalid("max_tokens: Input should be a valid integer")
    if max_tokens < 1:
        return _invalid("max_tokens: Input should be greater than or equal to 1")
    temperature = body.get("temperature")
    if temperature is not None and (not isinstance(temperature, (int, float))
                                    or not 0 <= temperature <= 1):
        return _invalid("temperature: Input should be less than or equal to 1")
    system = body.get("system")
    if system is not None and not isinstance(system, (str, list)):
        return _invalid("system: Input should be a valid string")
    for index, tool in enumerate(body.get("tools") or []):
        if not isinstance(tool.get("name"), str) or not _TOOL_NAME.match(tool["name"]):
            return _invalid(f"tools.{index}.custom.name: String should match pattern "
                            "'^[a-zA-Z0-9_-]{1,64}$'")
        if not isinstance(tool.get("input_schema"), dict):
            return _invalid(f"tools.{index}.custom.input_schema: Field required")
    return _validate_messages(body.get("messages"))


def _last_user_text(messages):
    for message in reversed(messages):
        if message.get("role") == "user":
            return content_text(message.get("content"))
    return ""


class FakeAnthropic(FakeService):
    """Anthropic Messages API: POST /v1/messages with `x-api-key` and `anthropic-version`.

    Options: `required_key` (x-api-key absent → 401 "x-api-key header is required", wrong → 401
    "invalid x-api-key", both authentication_error), `models` (None accepts any model; else
    another model → 404 not_found_error).

    Checks (400 invalid_request_error, in Anthropic's format): anthropic-version header present;
    body is JSON with model, integer max_tokens ≥ 1, temperature 0..1, messages non-empty with
    roles user/assistant (a "system" role gets Anthropic's dedicated message), content a string
    or blocks text/image/document/tool_use/tool_result (image source base64 with an allowed
    media_type, or url), every tool_use answered by a tool_result in the next message, tools
    with a valid name and input_schema.

    Default answer: one text block "echo: <last user text>", stop_reason "end_turn". With
    `stream: true`: server-sent events message_start … message_stop.

    Scripting (plus FakeService's; all take times=, delay_s=):
      reply_text(text, usage=None, stop_reason=None, model=None)
      reply_tool_use(calls, text=None, usage=None)   calls: [{"name", "input": dict, "id"?}]
      reply_error(status, message, error_type=None)  e.g. 529 overloaded_error

    Helpers: messages_requests(), last_messages() (JSON body of the last /v1/messages request).
    """

    def __init__(self, *, required_key=None, models=None, host="127.0.0.1", port=0):
        self.required_key = required_key
        self.models = list(models) if models is not None else None
        super().__init__(host=host, port=port)

    # -- scripting ---------------------------------------------------------------------------

    def reply_text(self, text, *, usage=None, stop_reason=None, model=None, times=1,
                   delay_s=0.0):
        return self.script(ChatAnswer(text=text, usage=usage, finish_reason=stop_reason,
                                      model=model), path=MESSAGES_PATH, times=times,
                           delay_s=delay_s)

    def reply_tool_use(self, calls, *, text=None, usage=None, times=1, delay_s=0.0):
        answer = ChatAnswer(text=text, tool_calls=normalize_tool_calls(calls, "toolu_fake_"),
                            usage=usage)
        return self.script(answer, path=MESSAGES_PATH, times=times, delay_s=delay_s)

    def reply_error(self, status, message, error_type=None, **match):
        return self.script(anthropic_error(status, message, error_type), **match)

    # -- records -----------------------------------------------------------------------------

    def messages_requests(self):
        return self.requests_to(MESSAGES_PATH)

    def last_messages(self):
        return self.last(MESSAGES_PATH).json

    # -- behaviour ---------------------------------------------------------------------------

    def error_reply(self, status, message):
        return anthropic_error(status, message)

    def handle(self, request):
        if request.path != MESSAGES_PATH:
            return anthropic_error(404, "Not Found")
        if request.method != "POST":
            return anthropic_error(405, f"Method Not Allowed ({request.method})",
                                   "invalid_request_error")
        if self.required_key is not None:
            key = request.headers.get("x-api-key")
            if not key:
                return anthropic_error(401, "x-api-key header is required")
            if key != self.required_key:
                return anthropic_error(401, "invalid x-api-key")
        if not request.headers.get("anthropic-version"):
            return _invalid("anthropic-version: header is required")
        body = request.json
        error = _validate_body(body)
        if error:
            return error
        if self.models is not None and body["model"] not in self.models:
            return anthropic_error(404, f"model: {body['model']}")
        answer = self.take_scripted(request, ChatAnswer) or \
            ChatAnswer(text="echo: " + _last_user_text(body["messages"]))
        if body.get("stream"):
            return self._stream(body, answer)
        return json_reply(self._message(body, answer),
                          headers={"request-id": "req_fake_" + secrets.token_hex(8)})

    def _blocks(self, answer):
        blocks = [{"type": "text", "text": answer.text}] if answer.text is not None else []
        blocks += [{"type": "tool_use", "id": call["id"], "name": call["name"],
                    "input": arguments_object(call["arguments"])} for call in answer.tool_calls]
        return blocks

    def _usage(self, body, answer):
        if answer.usage is not None:
            return answer.usage
        return {"input_tokens": prompt_tokens(body["messages"], body.get("system")),
                "output_tokens": estimate_tokens(answer.text or "") + 10 * len(answer.tool_calls)}

    @staticmethod
    def _stop_reason(answer):
        reason = answer.finish_reason or ("tool_use" if answer.tool_calls else "end_turn")
        return _STOP_REASONS.get(reason, reason)

    def _message(self, body, answer):
        return {"id": "msg_fake_" + secrets.token_hex(10), "type": "message",
                "role": "assistant", "model": answer.model or body["model"],
                "content": self._blocks(answer), "stop_reason": self._stop_reason(answer),
                "stop_sequence": None, "usage": self._usage(body, answer)}

    def _stream(self, body, answer):
        message = self._message(body, answer)
        usage = message["usage"]
        start = dict(message, content=[], stop_reason=None,
                     usage={"input_tokens": usage.get("input_tokens", 0), "output_tokens": 1})
        events = [("message_start", {"type": "message_start", "message": start})]
        for index, block in enumerate(message["content"]):
            if block["type"] == "text":
                opening = {"type": "text", "text": ""}
                deltas = [{"type": "text_delta", "text": piece}
                          for piece in stream_pieces(block["text"])]
            else:
                opening = dict(block, input={})
                deltas = [{"type": "input_json_delta", "partial_json": json.dumps(block["input"])}]
            events.append(("content_block_start", {"type": "content_block_start", "index": index,
                                                   "content_block": opening}))
            events += [("content_block_delta", {"type": "content_block_delta", "index": index,
                                                "delta": delta}) for delta in deltas]
            events.append(("content_block_stop", {"type": "content_block_stop", "index": index}))
        events.append(("message_delta", {"type": "message_delta",
                                         "delta": {"stop_reason": message["stop_reason"],
                                                   "stop_sequence": None},
                                         "usage": {"output_tokens": usage.get("output_tokens",
                                                                              0)}}))
        events.append(("message_stop", {"type": "message_stop"}))
        pieces = [f"event: {name}\ndata: {json.dumps(data)}\n\n" for name, data in events]
        return StreamResponse(pieces, "text/event-stream; charset=utf-8",
                              delay_s=answer.chunk_delay_s)
