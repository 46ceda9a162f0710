"""Fake Clara MCP proxy: the server list and tool execution (including tools/list discovery)."""

import threading
import time
from dataclasses import dataclass, field
from typing import Callable, Optional

from .base import FakeService
from .replies import json_reply

RUN_PYTHON_SCHEMA = {"type": "object",
                     "properties": {"code": {"type": "string",
                                             "description": "Python source to run"}},
                     "required": ["code"]}


def run_python(arguments):
    """The default tool: reports the code it was given."""
    return f"ran python: {arguments.get('code', '')}"


@dataclass
class McpTool:
    """One tool; `handler(arguments)` returns text, a JSON value, or a whole result object
    (a dict with "success"), or raises to report a failure."""

    name: str
    description: str = ""
    input_schema: dict = field(default_factory=lambda: {"type": "object", "properties": {}})
    handler: Optional[Callable] = None


@dataclass
class ToolResult:
    """A scripted `result` object for the next tool execution."""

    result: dict


class FakeMcpProxy(FakeService):
    """The Clara MCP proxy.

    GET  /api/servers → {"servers": [{"name", "status", "isRunning", "pid", "startedAt",
         "error"}]}. Default: one server "python-mcp" (running) with the tool `run_python`
         ({"code"} → text "ran python: <code>").
    POST /api/tools/execute {"name", "arguments", "server", "callId"}:
         name "tools/list" → {"result": {"success": true, "callId", "content": [{"type": "json",
         "data": [{"name", "description", "inputSchema"}]}]}};
         another name → runs the tool: {"result": {"success": true, "callId", "content":
         [{"type": "text", "text"}]}} (a JSON value becomes a {"type": "json", "data"} part);
         unknown tool, stopped server or a raising handler → {"result": {"success": false,
         "error"}}; missing name/server → 400 {"error"}; unknown server → 404 {"error"}.

    Options: `servers` — None for the default, or a list of names (running, no tools).
    Setup: add_server(name, status="running", running=True), add_tool(server, name,
    description="", input_schema=None, handler=None).

    Scripting (plus FakeService's): reply_tool_result(result, times=1) — the next tool execution
    (not tools/list) answers {"result": result}.

    Helpers: tool_calls() → [(server, tool, arguments, callId)] of executions other than
    tools/list, in order.
    """

    server_header = "Express"
    EXECUTE_PATH = "/api/tools/execute"

    def __init__(self, *, servers=None, host="127.0.0.1", port=0):
        self._state = threading.Lock()
        self._servers = {}
        if servers is None:
            self.add_server("python-mcp")
            self.add_tool("python-mcp", "run_python", "Run Python code and return its output",
                          RUN_PYTHON_SCHEMA, run_python)
        else:
            for name in servers:
                self.add_server(name)
        super().__init__(host=host, port=port)

    # -- setup and scripting -----------------------------------------------------------------

    def add_server(self, name, *, status="running", running=True):
        with self._state:
            self._servers[name] = {"info": {"name": name, "status": status, "isRunning": running,
                                            "pid": 4000 + len(self._servers),
                                            "startedAt": "2025-01-01T00:00:00.000Z",
                                            "error": None},
                                   "tools": {}}
        return self

    def add_tool(self, server, name, description="", input_schema=None, handler=None):
        tool = McpTool(name, description, input_schema or {"type": "object", "properties": {}},
                       handler)
        with self._state:
            self._servers[server]["tools"][name] = tool
        return self

    def reply_tool_result(self, result, *, times=1, delay_s=0.0):
        return self.script(ToolResult(result), path=self.EXECUTE_PATH, times=times,
                           delay_s=delay_s)

    def tool_calls(self):
        calls = []
        for request in self.requests_to(self.EXECUTE_PATH, "POST"):
            body = request.json if isinstance(request.json, dict) else {}
            if body.get("name") != "tools/list":
                calls.append((body.get("server"), body.get("name"), body.get("arguments"),
                              body.get("callId")))
        return calls

    # -- behaviour ---------------------------------------------------------------------------

    def error_reply(self, status, message):
        return json_reply({"error": message}, status)

    def handle(self, request):
        if request.path == "/api/servers" and request.method == "GET":
            with self._state:
                servers = [dict(entry["info"]) for entry in self._servers.values()]
            return json_reply({"servers": servers})
        if request.path == self.EXECUTE_PATH and request.method == "POST":
            return self._execute(request)
        return json_reply({"error": f"Cannot {request.method} {request.path}"}, 404)

    def _execute(self, request):
        body = request.json if isinstance(request.json, dict) else {}
        name, server, call_id = body.get("name"), body.get("server"), body.get("callId")
        if not name:
            return json_reply({"error": "Tool name is required"}, 400)
        if not server:
            return json_reply({"error": "Server name is required"}, 400)
        with self._state:
            entry = self._servers.get(server)
            info = dict(entry["info"]) if entry else None
            tools = dict(entry["tools"]) if entry else {}
        if entry is None:
            return json_reply({"error": f"Server '{server}' not found"}, 404)
        if not info["isRunning"]:
            return self._failure(call_id, f"Server '{server}' is not running")
        if name == "tools/list":
            listed = [{"name": tool.name, "description": tool.description,
                       "inputSchema": tool.input_schema} for tool in tools.values()]
            return json_reply({"result": {"success": True, "callId": call_id,
                                          "content": [{"type": "json", "data": listed}]}})
        scripted = self.take_scripted(request, ToolResult)
        if scripted:
            return json_reply({"result": scripted.result})
        tool = tools.get(name)
        if tool is None:
            return self._failure(call_id, f"Tool '{name}' not found on server '{server}'")
        return self._run(tool, body.get("arguments") or {}, call_id)

    @staticmethod
    def _failure(call_id, message):
        return json_reply({"result": {"success": False, "callId": call_id, "error": message}})

    def _run(self, tool, arguments, call_id):
        started = time.monotonic()
        try:
            output = tool.handler(arguments) if tool.handler else f"{tool.name} done"
        except Exception as error:  # the tool failed: reported in the result, as the proxy does
            return self._failure(call_id, str(error))
        if isinstance(output, dict) and "success" in output:
            return json_reply({"result": output})
        part = {"type": "text", "text": output} if isinstance(output, str) else \
            {"type": "json", "data": output}
        return json_reply({"result": {"success": True, "callId": call_id, "content": [part],
                                      "metadata": {"duration_ms":
                                                   int((time.monotonic() - started) * 1000)}}})

