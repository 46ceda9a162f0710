"""Fake OpenAI (and OpenAI-compatible, e.g. OpenRouter at "/api/v1") API: chat completions
(plain, streamed, tool calls, response_format), audio transcriptions and the model list.

The chat functions at module level are shared with the Ollama fake's OpenAI-compatible endpoint.
"""

import json
import re
import secrets
import time

from .base import FakeService
from .replies import StreamResponse, json_reply, text_reply
from .chat import (ChatAnswer, arguments_text, content_text, example_from_schema,
                   last_user_text, normalize_tool_calls, prompt_tokens, estimate_tokens,
                   stream_pieces)
from .media import Transcription, wav_duration

DEFAULT_MODELS = ("gpt-4o-mini", "gpt-4o", "gpt-3.5-turbo", "gpt-4o-transcribe", "whisper-1")
_ROLES = ("system", "assistant", "user", "function", "tool", "developer")
_PART_TYPES = ("text", "image_url", "input_audio", "refusal", "audio", "file")
_TOOL_NAME = re.compile(r"^[a-zA-Z0-9_-]+$")
_AUDIO_FORMATS = ("flac", "m4a", "mp3", "mp4", "mpeg", "mpga", "oga", "ogg", "wav", "webm")
_TRANSCRIPT_FORMATS = ("json", "text", "srt", "verbose_json", "vtt")
_LANGUAGE_NAMES = {"en": "english", "de": "german", "fr": "french", "es": "spanish",
                   "it": "italian", "nl": "dutch", "pt": "portuguese", "ja": "japanese"}
_BAD_JSON = ("We could not parse the JSON body of your request. (HINT: This likely means you "
             "aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, "
             "but what was sent was not valid JSON.")


def openai_error(status, message, type="invalid_request_error", param=None, code=None):
    """OpenAI's error document: {"error": {"message", "type", "param", "code"}}."""
    return json_reply({"error": {"message": message, "type": type, "param": param,
                                 "code": code}}, status)


def _type_name(value):
    return {bool: "a boolean", int: "an integer", float: "a decimal", str: "a string",
            list: "an array", dict: "an object"}.get(type(value), "null")


def _invalid(param, message, code=None):
    return openai_error(400, message, param=param, code=code)


def _missing(param):
    return _invalid(param, f"Missing required parameter: '{param}'.",
                    "missing_required_parameter")


def _validate_content(index, message):
    content = message.get("content")
    if content is None:
        if message["role"] in ("user", "system", "developer", "tool") or \
                not message.get("tool_calls"):
            return _missing(f"messages[{index}].content")
        return None
    if isinstance(content, str):
        return None
    if not isinstance(content, list):
        return _invalid(f"messages[{index}].content",
                        f"Invalid type for 'messages[{index}].content': expected one of a string "
                        f"or array of objects, but got {_type_name(content)} instead.",
                        "invalid_type")
    for number, part in enumerate(content):
        where = f"messages[{index}].content[{number}]"
        kind = part.get("type") if isinstance(part, dict) else None
        if kind not in _PART_TYPES:
            return _invalid(f"{where}.type", f"Invalid value: '{kind}'. Supported values are: "
                            "'text', 'image_url', 'input_audio', 'refusal', 'audio', and "
                            "'file'.", "invalid_value")
        if kind == "text" and not isinstance(part.get("text"), str):
            return _missing(f"{where}.text")
        if kind == "image_url" and not isinstance((part.get("image_url") or {}).get("url"), str):
            return _missing(f"{where}.image_url.url")
    return None


def _unanswered(index, pending):
    return _invalid(f"messages.[{index}].role",
                    "An assistant message with 'tool_calls' must be followed by tool messages "
                    "responding to each 'tool_call_id'. The following tool_call_ids did not have "
                    f"response messages: {', '.join(sorted(pending))}")


def _validate_messages(messages):
    if messages is None:
        return _missing("messages")
    if not isinstance(messages, list):
        return _invalid("messages", "Invalid type for 'messages': expected an array of objects, "
                        f"but got {_type_name(messages)} instead.", "invalid_type")
    if not messages:
        return _invalid("messages", "Invalid 'messages': empty array. Expected an array with "
                        "minimum length 1, but got an empty array instead.", "empty_array")
    pending = set()
    for index, message in enumerate(messages):
        if not isinstance(message, dict):
            return _invalid(f"messages[{index}]", f"Invalid type for 'messages[{index}]': "
                            f"expected an object, but got {_type_name(message)} instead.",
                            "invalid_type")
        role = message.get("role")
        if role is None:
            return _missing(f"messages[{index}].role")
        if role not in _ROLES:
            return _invalid(f"messages[{index}].role", f"Invalid value: '{role}'. Supported "
                            "values are: 'system', 'assistant', 'user', 'function', 'tool', and "
                            "'developer'.", "invalid_value")
        if pending and role != "tool":
            return _unanswered(index, pending)
        error = _validate_content(index, message)
        if error:
            return error
        if role == "tool":
            if message.get("tool_call_id") not in pending:
                return _invalid(f"messages.[{index}].role", "Invalid parameter: messages with "
                                "role 'tool' must be a response to a preceeding message with "
                                "'tool_calls'.")
            pending.discard(message["tool_call_id"])
        if role == "assistant" and message.get("tool_calls"):
            pending = {call.get("id") for call in message["tool_calls"]}
    return _unanswered(len(messages) - 1, pending) if pending else None


def _validate_number(body, name, integer, minimum, maximum=None):
    if name not in body or body[name] is None:
        return None
    value = body[name]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or \
            (integer and not isinstance(value, int)):
        expected = "an integer" if integer else "a decimal"
        return _invalid(name, f"Invalid type for '{name}': expected {expected}, but got "
                        f"{_type_name(value)} instead.", "invalid_type")
    kind = "integer" if integer else "decimal"
    if value < minimum:
        return _invalid(name, f"Invalid '{name}': {kind} below minimum value. Expected a value "
                        f">= {minimum}, but got {value} instead.", f"{kind}_below_min_value")
    if maximum is not None and value > maximum:
        return _invalid(name, f"Invalid '{name}': {kind} above maximum value. Expected a value "
                        f"<= {maximum}, but got {value} instead.", f"{kind}_above_max_value")
    return None


def _validate_tools(body):
    tools = body.get("tools")
    if tools is None:
        if body.get("tool_choice") is not None:
            return _invalid("tool_choice", "Invalid value for 'tool_choice': 'tool_choice' is only "
                            "allowed when 'tools' are specified.")
        return None
    if not isinstance(tools, list):
        return _invalid("tools", f"Invalid type for 'tools': expected an array of objects, but "
                        f"got {_type_name(tools)} instead.", "invalid_type")
    for index, tool in enumerate(tools):
        function = tool.get("function") if isinstance(tool, dict) else None
        if not isinstance(function, dict):
            return _missing(f"tools[{index}].function")
        name = function.get("name")
        where = f"tools[{index}].function.name"
        if not isinstance(name, str):
            return _missing(where)
        if not _TOOL_NAME.match(name):
            return _invalid(where, f"Invalid '{where}': string does not match pattern. Expected "
                            "a string that matches the pattern '^[a-zA-Z0-9_-]+$'.",
                            "invalid_value")
        if len(name) > 64:
            return _invalid(where, f"Invalid '{where}': string too long. Expected a string with "
                            f"maximum length 64, but got a string with length {len(name)} "
                            "instead.", "string_above_max_length")
    return None


def _strict_schema_problem(schema, context):
    """The first violation of OpenAI's strict structured-output rules, or None."""
    if not isinstance(schema, dict):
        return None
    where = repr(tuple(context))
    if schema.get("type") == "object":
        if schema.get("additionalProperties") is not False:
            return (f"In context={where}, 'additionalProperties' is required to be supplied and "
                    "to be false.")
        properties = schema.get("properties") or {}
        required = schema.get("required")
        for key in properties:
            if not isinstance(required, list) or key not in required:
                return (f"In context={where}, 'required' is required to be supplied and to be an "
                        f"array including every key in properties. Missing '{key}'.")
        for key, value in properties.items():
            problem = _strict_schema_problem(value, context + ("properties", key))
            if problem:
                return problem
    if schema.get("type") == "array":
        return _strict_schema_problem(schema.get("items"), context + ("items",))
    return None


def _validate_response_format(body):
    response_format = body.get("response_format")
    if response_format is None:
        return None
    kind = response_format.get("type") if isinstance(response_format, dict) else None
    if kind not in ("text", "json_object", "json_schema"):
        return _invalid("response_format.type", f"Invalid value: '{kind}'. Supported values are: "
                        "'json_object', 'json_schema', and 'text'.", "invalid_value")
    if kind == "json_object":
        text = " ".join(content_text(m.get("content")) for m in body["messages"])
        if "json" not in text.lower():
            return _invalid("messages", "'messages' must contain the word 'json' in some form, to "
                            "use 'response_format' of type 'json_object'.")
    if kind == "json_schema":
        spec = response_format.get("json_schema")
        if not isinstance(spec, dict):
            return _missing("response_format.json_schema")
        if not isinstance(spec.get("name"), str):
            return _missing("response_format.json_schema.name")
        schema = spec.get("schema")
        if spec.get("strict") and isinstance(schema, dict):
            if schema.get("type") != "object":
                return _invalid("response_format", f"Invalid schema for response_format "
                                f"'{spec['name']}': schema must be a JSON Schema of 'type: "
                                f"\"object\"', got 'type: \"{schema.get('type')}\"'.")
            problem = _strict_schema_problem(schema, ())
            if problem:
                return _invalid("response_format", f"Invalid schema for response_format "
                                f"'{spec['name']}': {problem}")
    return None


def validate_chat_request(body):
    """OpenAI's 400 answer for an invalid chat request body, or None when it is acceptable."""
    if not isinstance(body, dict):
        return openai_error(400, _BAD_JSON)
    if not body.get("model"):
        return openai_error(400, "you must provide a model parameter")
    for check in (lambda: _validate_messages(body.get("messages")),
                  lambda: _validate_number(body, "temperature", False, 0, 2),
                  lambda: _validate_number(body, "max_tokens", True, 1),
                  lambda: _validate_number(body, "max_completion_tokens", True, 1),
                  lambda: _validate_tools(body),
                  lambda: _validate_response_format(body)):
        error = check()
        if error:
            return error
    return None


def default_chat_answer(body):
    """The unscripted answer: "echo: <last user text>", or JSON honouring response_format."""
    echo = "echo: " + last_user_text(body.get("messages"))
    response_format = body.get("response_format") or {}
    if response_format.get("type") == "json_object":
        return ChatAnswer(text=json.dumps({"echo": echo}))
    if response_format.get("type") == "json_schema":
        schema = (response_format.get("json_schema") or {}).get("schema") or {}
        return ChatAnswer(text=json.dumps(example_from_schema(schema, echo)))
    return ChatAnswer(text=echo)


def _usage(body, answer):
    if answer.usage is not None:
        return answer.usage
    prompt = prompt_tokens(body.get("messages"))
    completion = estimate_tokens(answer.text or "") + 10 * len(answer.tool_calls)
    return {"prompt_tokens": prompt, "completion_tokens": completion,
            "total_tokens": prompt + completion}


def _openai_tool_calls(answer):
    return [{"id": call["id"], "type": "function",
             "function": {"name": call["name"], "arguments": arguments_text(call["arguments"])}}
            for call in answer.tool_calls]


def chat_completion(body, answer):
    """The `chat.completion` object answering `body` with `answer`."""
    tool_calls = _openai_tool_calls(answer)
    message = answer.message
    if message is None:
        message = {"role": "assistant", "content": answer.text, "refusal": None}
        if tool_calls:
            message["tool_calls"] = tool_calls
    return {"id": "chatcmpl-" + secrets.token_hex(12), "object": "chat.completion",
            "created": int(time.time()), "model": answer.model or body["model"],
            "choices": [{"index": 0, "message": message, "logprobs": None,
                         "finish_reason": answer.finish_reason or
                         ("tool_calls" if tool_calls else "stop")}],
            "usage": _usage(body, answer), "system_fingerprint": "fp_fake"}


def chat_completion_stream(body, answer):
    """The server-sent events (`data: {chat.completion.chunk}` … `data: [DONE]`)."""
    include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
    base = {"id": "chatcmpl-" + secrets.token_hex(12), "object": "chat.completion.chunk",
            "created": int(time.time()), "model": answer.model or body["model"],
            "system_fingerprint": "fp_fake"}
    text = answer.text if answer.message is None else content_text(answer.message.get("content"))

    def chunk(delta, finish_reason=None):
        event = dict(base, choices=[{"index": 0, "delta": delta, "logprobs": None,
                                     "finish_reason": finish_reason}])
        if include_usage:
            event["usage"] = None
        return event

    events = [chunk({"role": "assistant", "content": "", "refusal": None})]
    events += [chunk({"content": piece}) for piece in stream_pieces(text or "")]
    for index, call in enumerate(_openai_tool_calls(answer)):
        events.append(chunk({"tool_calls": [{"index": index, "id": call["id"], "type": "function",
                                             "function": {"name": call["function"]["name"],
                                                          "arguments": ""}}]}))
        events.append(chunk({"tool_calls": [{"index": index, "function": {
            "arguments": call["function"]["arguments"]}}]}))
    events.append(chunk({}, answer.finish_reason or
                        ("tool_calls" if answer.tool_calls else "stop")))
    if include_usage:
        events.append(dict(base, choices=[], usage=_usage(body, answer)))
    pieces = [f"data: {json.dumps(event)}\n\n" for event in events] + ["data: [DONE]\n\n"]
    return StreamResponse(pieces, "text/event-stream; charset=utf-8",
                          delay_s=answer.chunk_delay_s)


def render_chat(body, answer):
    """The Reply for a valid chat request: streamed when `stream` is true."""
    if body.get("stream"):
        return chat_completion_stream(body, answer)
    return json_reply(chat_completion(body, answer))


class FakeOpenAI(FakeService):
    """OpenAI API at `{prefix}` (default "/v1"; "/api/v1" for an OpenRouter stand-in).

    Endpoints: POST {prefix}/chat/completions, POST {prefix}/audio/transcriptions (multipart),
    GET {prefix}/models, GET {prefix}/models/{id}. Other paths → 404, wrong method → 405, in
    OpenAI's error format.

    Options: `required_key` (requests need `Authorization: Bearer <key>`, else 401 as OpenAI
    answers it), `models` (the list served; with `reject_unknown_models` a chat for another model
    gets 404 model_not_found).

    Checks (400 in OpenAI's format, none of them consume a scripted answer): body is JSON, model
    present, messages a non-empty array with valid roles and content parts, tool messages answer
    a preceding assistant tool_calls and every tool call is answered, temperature 0..2,
    max_tokens ≥ 1, tool function names match ^[a-zA-Z0-9_-]+$ (≤ 64), tool_choice only with
    tools, response_format type valid, json_object needs the word "json" in the messages, strict
    json_schema needs additionalProperties false and every property required at every level.

    Default chat answer: "echo: <last user text>"; with response_format json_object
    {"echo": "echo: …"}; with json_schema an instance of the schema whose strings are the echo.
    `stream: true` answers server-sent events.

    Scripting (plus everything in FakeService; all take times=, delay_s=):
      reply_text(text, usage=None, finish_reason=None, model=None, chunk_delay_s=0)
      reply_json_content(value)            the reply text is json.dumps(value)
      reply_tool_calls(calls, content=None, usage=None)
          calls: [{"name", "arguments": dict|str, "id"?}] or the OpenAI tool_call shape
      reply_message(message, finish_reason="stop", usage=None)   `message` verbatim
      reply_error(status, message, type=..., param=None, code=None)
      reply_transcription(text, language=None, duration=None)

    Helpers: chat_path, chat_requests(), last_chat() (the last chat request's JSON body).
    """

    server_header = "cloudflare"

    def __init__(self, *, prefix="/v1", required_key=None, models=DEFAULT_MODELS,
                 reject_unknown_models=False, host="127.0.0.1", port=0):
        self.prefix = prefix.rstrip("/")
        self.required_key = required_key
        self.models = list(models)
        self.reject_unknown_models = reject_unknown_models
        super().__init__(host=host, port=port)

    @property
    def chat_path(self):
        return f"{self.prefix}/chat/completions"

    @property
    def transcriptions_path(self):
        return f"{self.prefix}/audio/transcriptions"

    @property
    def base_url(self):
        """The base URL a client is configured with, e.g. "http://127.0.0.1:4000/v1"."""
        return self.url + self.prefix

    # -- scripting ---------------------------------------------------------------------------

    def reply_text(self, text, *, usage=None, finish_reason=None, model=None, chunk_delay_s=0.0,
                   times=1, delay_s=0.0):
        """The next chat completion(s) answer `text`."""
        return self.script(ChatAnswer(text=text, usage=usage, finish_reason=finish_reason,
                                      model=model, chunk_delay_s=chunk_delay_s),
                           path=self.chat_path, times=times, delay_s=delay_s)

    def reply_json_content(self, value, **options):
        """The next chat completion answers json.dumps(value) as its text."""
        return self.reply_text(json.dumps(value), **options)

    def reply_tool_calls(self, calls, *, content=None, usage=None, finish_reason=None, times=1,
                         delay_s=0.0):
        """The next chat completion asks for these tool calls (finish_reason "tool_calls")."""
        answer = ChatAnswer(text=content, tool_calls=normalize_tool_calls(calls, "call_fake_"),
                            usage=usage, finish_reason=finish_reason)
        return self.script(answer, path=self.chat_path, times=times, delay_s=delay_s)

    def reply_message(self, message, *, finish_reason="stop", usage=None, times=1, delay_s=0.0):
        """The next chat completion carries `message` verbatim (e.g. content as a parts array)."""
        return self.script(ChatAnswer(message=message, finish_reason=finish_reason, usage=usage),
                           path=self.chat_path, times=times, delay_s=delay_s)

    def reply_error(self, status, message, *, type="invalid_request_error", param=None,
                    code=None, **match):
        """Answers an OpenAI error document (any path unless path= is given)."""
        return self.script(openai_error(status, message, type, param, code), **match)

    def reply_transcription(self, text, *, language=None, duration=None, times=1, delay_s=0.0):
        """The next transcription answers `text`."""
        return self.script(Transcription(text, language, duration),
                           path=self.transcriptions_path, times=times, delay_s=delay_s)

    # -- records -----------------------------------------------------------------------------

    def chat_requests(self):
        return self.requests_to(self.chat_path)

    def last_chat(self):
        return self.last(self.chat_path).json

    # -- behaviour ---------------------------------------------------------------------------

    def error_reply(self, status, message):
        kind = {401: "invalid_request_error", 429: "requests", 500: "server_error",
                503: "server_error"}.get(status, "invalid_request_error")
        return openai_error(status, message, kind)

    def _authentication_error(self, request):
        if self.required_key is None:
            return None
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer ") or not header[7:].strip():
            return openai_error(401, "You didn't provide an API key. You need to provide your API "
                                "key in an Authorization header using Bearer auth (i.e. "
                                "Authorization: Bearer YOUR_KEY).")
        key = header[7:].strip()
        if key != self.required_key:
            return openai_error(401, f"Incorrect API key provided: {key[:3]}***{key[-2:]}. You "
                                "can find your API key at "
                                "https://platform.openai.com/account/api-keys.",
                                code="invalid_api_key")
        return None

    def handle(self, request):
        routes = {self.chat_path: ("POST", self._chat),
                  self.transcriptions_path: ("POST", self._transcribe),
                  f"{self.prefix}/models": ("GET", self._models)}
        route = routes.get(request.path)
        if route is None and request.path.startswith(f"{self.prefix}/models/"):
            route = ("GET", self._model)
        if route is None:
            return openai_error(404, f"Invalid URL ({request.method} {request.path})")
        if request.method != route[0]:
            return openai_error(405, f"Invalid method for URL ({request.method} {request.path})")
        return self._authentication_error(request) or route[1](request)

    def _chat(self, request):
        body = request.json
        error = validate_chat_request(body)
        if error:
            return error
        if self.reject_unknown_models and body["model"] not in self.models:
            return openai_error(404, f"The model `{body['model']}` does not exist or you do not "
                                "have access to it.", code="model_not_found")
        answer = self.take_scripted(request, ChatAnswer) or default_chat_answer(body)
        return render_chat(body, answer)

    def _model_object(self, model):
        return {"id": model, "object": "model", "created": 1700000000, "owned_by": "openai"}

    def _models(self, request):
        return json_reply({"object": "list",
                           "data": [self._model_object(model) for model in self.models]})

    def _model(self, request):
        model = request.path[len(f"{self.prefix}/models/"):]
        if model not in self.models:
            return openai_error(404, f"The model '{model}' does not exist", param="model",
                                code="model_not_found")
        return json_reply(self._model_object(model))

    def _transcribe(self, request):
        content_type = request.headers.get("Content-Type", "")
        if not content_type.lower().startswith("multipart/form-data"):
            return openai_error(400, f"Invalid Content-Type header ({content_type}), expected "
                                "multipart/form-data.")
        form = request.form
        if not form.get("model"):
            return openai_error(400, "you must provide a model parameter")
        upload = request.part("file")
        if upload is None or upload.filename is None:
            return openai_error(400, "1 validation error for Request\nbody -> file\n  field "
                                "required (type=value_error.missing)")
        extension = upload.filename.rsplit(".", 1)[-1].lower() if "." in upload.filename else ""
        if extension not in _AUDIO_FORMATS:
            return openai_error(400, "Invalid file format. Supported formats: "
                                f"{list(_AUDIO_FORMATS)}", param="file")
        response_format = form.get("response_format", "json")
        if response_format not in _TRANSCRIPT_FORMATS:
            return openai_error(400, f"Invalid value: '{response_format}'. Supported values are: "
                                "'json', 'text', 'srt', 'verbose_json', and 'vtt'.",
                                param="response_format", code="invalid_value")
        if form["model"].startswith("gpt-4o") and response_format not in ("json", "text"):
            return openai_error(400, f"response_format '{response_format}' is not compatible "
                                f"with model '{form['model']}'. Use 'json' or 'text' instead.",
                                param="response_format", code="unsupported_value")
        try:
            temperature = float(form.get("temperature", "0"))
        except ValueError:
            return openai_error(400, "Invalid type for 'temperature': expected a decimal.",
                                param="temperature", code="invalid_type")
        scripted = self.take_scripted(request, Transcription)
        text = scripted.text if scripted else \
            f"transcript of {upload.filename} ({len(upload.data)} bytes)"
        language = (scripted and scripted.language) or form.get("language") or "en"
        duration = (scripted and scripted.duration) or wav_duration(upload.data) or 1.0
        return self._transcript(response_format, text, language, duration, temperature)

    @staticmethod
    def _transcript(response_format, text, language, duration, temperature):
        if response_format == "json":
            return json_reply({"text": text})
        if response_format == "text":
            return text_reply(text + "\n")
        if response_format == "verbose_json":
            segment = {"id": 0, "seek": 0, "start": 0.0, "end": duration, "text": text,
                       "tokens": [50364, 50414], "temperature": temperature,
                       "avg_logprob": -0.25, "compression_ratio": 1.0, "no_speech_prob": 0.01}
            return json_reply({"task": "transcribe",
                               "language": _LANGUAGE_NAMES.get(language, language),
                               "duration": duration, "text": text, "segments": [segment]})
        end = f"00:00:{duration:06.3f}"
        if response_format == "srt":
            return text_reply(f"1\n00:00:00,000 --> {end.replace('.', ',')}\n{text}\n\n")
        return text_reply(f"WEBVTT\n\n00:00:00.000 --> {end}\n{text}\n\n")
