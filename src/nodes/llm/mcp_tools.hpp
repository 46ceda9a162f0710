#pragma once

// The Clara MCP proxy as the agent's tool source (nodes.md § 18 steps 3.1-3.3 and 3.6): which
// servers to use, their tools as model functions, and tool results as text. Pure functions.

#include "nodes/llm/chat_message.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace clara::nodes::llm {

/// Names from a `GET /api/servers` answer (`{servers:[...]}` or a bare array) whose server is in
/// `wanted`, has `isRunning == true` and `status == "running"`; in the proxy's order.
std::vector<std::string> running_servers(const boost::json::value& body,
                                         const std::vector<std::string>& wanted);

/// The tools of a `tools/list` answer: result = `body.result ?? body`; when `result.success`
/// and `result.content` is an array, the first `json` part (`data`, object or JSON text) or
/// `text` part (JSON text) holding a tool array (or `{tools:[...]}`); tools without `name` or
/// `inputSchema` are left out.
std::vector<boost::json::object> listed_tools(const boost::json::value& body);

/// `inputSchema` cleaned for model providers (type/properties/required filled in; `$schema`,
/// `additionalProperties`, `anyOf`, `oneOf`, `allOf`, `not`, `const`, `enum` removed through
/// `properties` and `items`; array properties without typed `items` get `{"type":"object"}`),
/// or nullopt when the result is not an object schema whose properties all have a type.
std::optional<boost::json::object> clean_tool_schema(const boost::json::value& input_schema);

/// An MCP tool offered to the model.
struct McpTool {
    std::string server;
    std::string tool;
    ToolSpec spec;  ///< spec.name is the function name the model calls
};

/// The tools offered in one agent run, with the function name → (server, tool) lookup.
class McpToolTable {
public:
    /// Adds `tool` of `server` as function `mcp_<server>_<tool>` (characters outside
    /// [A-Za-z0-9_-] become `_`, at most 64 characters, a numeric suffix when taken); false
    /// when the tool was dropped (no name, unusable schema).
    bool add(std::string_view server, const boost::json::object& tool);

    /// The tool behind a function name, or nullptr.
    const McpTool* find(std::string_view function_name) const;

    const std::vector<McpTool>& tools() const { return tools_; }
    std::vector<ToolSpec> specs() const;
    bool empty() const { return tools_.empty(); }

private:
    std::vector<McpTool> tools_;
};

/// A function name made safe for providers: [A-Za-z0-9_-] only, at most 64 characters.
std::string sanitize_function_name(std::string_view name);

/// The tool result in an execute answer: `body.result ?? body`.
boost::json::value tool_result_of(const boost::json::value& body);

/// The text the model sees for a tool result: `Error: <error>` when `success` is false; else
/// the `text` content parts joined by blank lines; else the `json` parts as indented JSON;
/// else the whole result as indented JSON.
std::string tool_result_text(const boost::json::value& result);

}  // namespace clara::nodes::llm
