"""What the chat fakes have in common: the scripted answer, echo text, token estimates, stream
splitting, and example JSON built from a JSON schema."""

import json
import re
import secrets
from dataclasses import dataclass, field
from typing import Optional


@dataclass
class ChatAnswer:
    """One scripted chat answer, rendered in whatever protocol the request used.

    text           reply text (None with tool calls → no text)
    tool_calls     normalised calls: {"id", "name", "arguments": dict or JSON text}
    usage          token usage given verbatim in the provider's own format (None → estimated)
    finish_reason  provider value ("stop", "tool_calls", "end_turn", ...; None → natural one)
    model          model reported back (None → the requested model)
    message        OpenAI only: the whole `message` object, sent verbatim
    chunk_delay_s  pause before each streamed piece
    """

    text: Optional[str] = None
    tool_calls: list = field(default_factory=list)
    usage: Optional[dict] = None
    finish_reason: Optional[str] = None
    model: Optional[str] = None
    message: Optional[dict] = None
    chunk_delay_s: float = 0.0


def normalize_tool_calls(calls, id_prefix):
    """Accepts {"name", "arguments"[, "id"]} or the OpenAI shape {"id", "type", "function": {...}}
    (Anthropic's {"name", "input"} too) and returns {"id", "name", "arguments"}; missing ids
    become unique "<id_prefix><n>_<hex>"."""
    normalized = []
    for index, call in enumerate(calls):
        function = call.get("function", call)
        arguments = function.get("arguments", function.get("input", call.get("input", {})))
        call_id = call.get("id") or f"{id_prefix}{index + 1}_{secrets.token_hex(4)}"
        normalized.append({"id": call_id, "name": function["name"], "arguments": arguments})
    return normalized


def arguments_text(arguments):
    """Tool arguments as JSON text (strings are passed through untouched)."""
    return arguments if isinstance(arguments, str) else json.dumps(arguments)


def arguments_object(arguments):
    """Tool arguments as an object (JSON text is parsed; unparsable text → {"raw": text})."""
    if not isinstance(arguments, str):
        return arguments
    try:
        return json.loads(arguments)
    except ValueError:
        return {"raw": arguments}


def content_text(content):
    """The text of a message content: a string, or the `text` of text parts (OpenAI
    `{"type":"text","text"}` and Anthropic text blocks; Anthropic tool_result contents too)."""
    if isinstance(content, str):
        return content
    if not isinstance(content, list):
        return ""
    texts = []
    for part in content:
        if not isinstance(part, dict):
            continue
        if part.get("type") == "text" and isinstance(part.get("text"), str):
            texts.append(part["text"])
        elif part.get("type") == "tool_result":
            texts.append(content_text(part.get("content")))
    return " ".join(texts)


def last_user_text(messages):
    """The text of the last message with role "user" ("" when there is none)."""
    for message in reversed(messages if isinstance(messages, list) else []):
        if isinstance(message, dict) and message.get("role") == "user":
            return content_text(message.get("content"))
    return ""


def estimate_tokens(text):
    """A deterministic token count: the number of whitespace-separated words (at least 1)."""
    return max(1, len(text.split()))


def prompt_tokens(messages, system=None):
    """Estimated prompt tokens of a message list (plus an Anthropic-style system prompt)."""
    text = content_text(system) if system else ""
    for message in messages if isinstance(messages, list) else []:
        if isinstance(message, dict):
            text += " " + content_text(message.get("content"))
    return estimate_tokens(text)


def usage_counts(usage, default_prompt, default_completion):
    """(prompt, completion) counts from a usage dict in any provider's naming."""
    usage = usage or {}
    prompt = usage.get("prompt_tokens", usage.get("input_tokens",
                                                  usage.get("prompt_eval_count", default_prompt)))
    completion = usage.get("completion_tokens", usage.get("output_tokens",
                                                          usage.get("eval_count",
                                                                    default_completion)))
    return prompt, completion


def stream_pieces(text):
    """`text` cut into word-sized pieces that concatenate back to it."""
    return re.findall(r"\s*\S+\s*", text) or ([text] if text else [])


def example_from_schema(schema, text):
    """A JSON value matching a (simple) JSON schema; strings are `text`."""
    if not isinstance(schema, dict):
        return text
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if "enum" in schema and schema["enum"]:
        return schema["enum"][0]
    if kind == "object" or (kind is None and "properties" in schema):
        return {key: example_from_schema(value, text)
                for key, value in (schema.get("properties") or {}).items()}
    if kind == "array":
        return [example_from_schema(schema.get("items") or {}, text)]
    return {"string": text, "integer": 1, "number": 1.5, "boolean": True,
            "null": None}.get(kind, text)
