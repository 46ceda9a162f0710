"""Fake third-party services for the integration tests, one module per service; see
fake_services.py for the overview."""

from .anthropic import FakeAnthropic, anthropic_error
from .base import FakeService, Headers, RecordedRequest
from .chat import ChatAnswer
from .clara_assistant import AgentResult, FakeClaraAssistant
from .comfyui import FakeComfyUI
from .mcp_proxy import FakeMcpProxy, McpTool, ToolResult
from .media import Transcription, png_size, tiny_png, tiny_wav, wav_duration
from .multipart import MultipartError, Part, encode_multipart, parse_multipart
from .ollama import FakeOllama
from .openai import FakeOpenAI, openai_error
from .python_backend import FakePythonBackend, NotebookAnswer, SynthesizedAudio
from .replies import (BrokenHttp, Disconnect, Hang, Oversized, Reply, Response, SlowDrip,
                      StreamResponse, json_reply, text_reply)

__all__ = [
    "AgentResult", "BrokenHttp", "ChatAnswer", "Disconnect", "FakeAnthropic",
    "FakeClaraAssistant", "FakeComfyUI", "FakeMcpProxy", "FakeOllama", "FakeOpenAI",
    "FakePythonBackend", "FakeService", "Hang", "Headers", "McpTool", "MultipartError",
    "NotebookAnswer", "Oversized", "Part", "RecordedRequest", "Reply", "Response", "SlowDrip",
    "StreamResponse", "SynthesizedAudio", "ToolResult", "Transcription", "anthropic_error",
    "encode_multipart", "json_reply", "openai_error", "parse_multipart", "png_size",
    "text_reply", "tiny_png", "tiny_wav", "wav_duration",
]
