"""Fake Clara assistant: the remote agent service (POST /api/execute-agent)."""

from dataclasses import dataclass, field
from typing import Optional

from .base import FakeService
from .replies import json_reply

EXECUTE_PATH = "/api/execute-agent"


@dataclass
class AgentResult:
    """A scripted agent result."""

    output: str
    tool_results: list = field(default_factory=list)
    log: str = ""
    success: bool = True
    metadata: Optional[dict] = None


class FakeClaraAssistant(FakeService):
    """The Clara assistant's agent endpoint.

    POST /api/execute-agent {"instructions", "context", "attachments", "config": {"provider",
         "textModel", "visionModel", "codeModel", "enabledMCPServers"}} →
         {"output": "echo: <instructions>", "toolResults": [], "log", "success": true,
          "metadata": {"provider", "textModel"}} (metadata echoes the config).
         Non-JSON body or no string `instructions` → 400 {"error", "success": false}.

    Scripting (plus FakeService's; all take times=, delay_s=):
      reply_result(output, tool_results=(), log="", success=True, metadata=None)

    Helpers: last_execution() (JSON body of the last request).
    """

    server_header = "Express"

    def reply_result(self, output, *, tool_results=(), log="", success=True, metadata=None,
                     times=1, delay_s=0.0):
        return self.script(AgentResult(output, list(tool_results), log, success, metadata),
                           path=EXECUTE_PATH, times=times, delay_s=delay_s)

    def last_execution(self):
        return self.last(EXECUTE_PATH).json

    def error_reply(self, status, message):
        return json_reply({"error": message, "success": False}, status)

    def handle(self, request):
        if request.path != EXECUTE_PATH:
            return json_reply({"error": f"Cannot {request.method} {request.path}"}, 404)
        if request.method != "POST":
            return json_reply({"error": f"Cannot {request.method} {request.path}"}, 404)
        body = request.json
        if not isinstance(body, dict) or not isinstance(body.get("instructions"), str):
            return self.error_reply(400, "instructions are required")
        config = body.get("config") if isinstance(body.get("config"), dict) else {}
        scripted = self.take_scripted(request, AgentResult)
        if scripted is None:
            scripted = AgentResult(f"echo: {body['instructions']}",
                                   log=f"[fake] executed agent with {len(body['instructions'])} "
                                   "characters of instructions")
        metadata = scripted.metadata if scripted.metadata is not None else \
            {"provider": config.get("provider"), "textModel": config.get("textModel")}
        return json_reply({"output": scripted.output, "toolResults": scripted.tool_results,
                           "log": scripted.log, "success": scripted.success,
                           "metadata": metadata})
