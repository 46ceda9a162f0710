#include "nodes/llm/mcp_tools.hpp"

#include "util/json_text.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <array>
#include <cctype>

namespace clara::nodes::llm {
namespace json = boost::json;

namespace {

constexpr std::size_t kMaxFunctionName = 64;

/// Schema keywords providers reject or that make tool schemas ambiguous.
constexpr std::array<std::string_view, 8> kRemovedKeywords{
    "$schema", "additionalProperties", "anyOf", "oneOf", "allOf", "not", "const", "enum"};

bool is_string_equal(const json::value* value, std::string_view text) {
    return value != nullptr && value->is_string() && value->get_string() == text;
}

void strip_schema(json::object& schema) {
    for (const auto keyword : kRemovedKeywords) {
        schema.erase(keyword);
    }
    auto* properties = schema.if_contains("properties");
    if (properties && properties->is_object()) {
        for (auto& [key, property] : properties->get_object()) {
            if (property.is_object()) {
                strip_schema(property.get_object());
            }
        }
    }
    auto* items = schema.if_contains("items");
    if (items && items->is_object()) {
        strip_schema(items->get_object());
    }
    if (is_string_equal(schema.if_contains("type"), "array")) {
        items = schema.if_contains("items");
        if (items == nullptr || !items->is_object() || !items->get_object().contains("type")) {
            schema["items"] = json::object{{"type", "object"}};
        }
    }
}

bool usable_schema(const json::object& schema) {
    if (!is_string_equal(schema.if_contains("type"), "object")) {
        return false;
    }
    const auto* properties = schema.if_contains("properties");
    if (properties == nullptr || !properties->is_object()) {
        return false;
    }
    for (const auto& [key, property] : properties->get_object()) {
        const auto* fields = property.if_object();
        if (fields == nullptr || !fields->contains("type")) {
            return false;
        }
        if (is_string_equal(fields->if_contains("type"), "array")) {
            const auto* items = fields->if_contains("items");
            if (items == nullptr || !items->is_object() || !items->get_object().contains("type")) {
                return false;
            }
        }
    }
    return true;
}

std::vector<json::object> tools_in(const json::value& payload) {
    const json::array* list = payload.if_array();
    if (list == nullptr) {
        if (const auto* object = payload.if_object()) {
            if (const auto* tools = object->if_contains("tools")) {
                list = tools->if_array();
            }
        }
    }
    std::vector<json::object> tools;
    if (list == nullptr) {
        return tools;
    }
    for (const auto& entry : *list) {
        const auto* tool = entry.if_object();
        if (tool == nullptr) {
            continue;
        }
        const auto* name = tool->if_contains("name");
        if (name && name->is_string() && !name->get_string().empty() &&
            tool->contains("inputSchema")) {
            tools.push_back(*tool);
        }
    }
    return tools;
}

json::value parse_or_null(std::string_view text) {
    boost::system::error_code ec;
    auto value = json::parse(text, ec);
    return ec ? json::value(nullptr) : value;
}

}  // namespace

std::vector<std::string> running_servers(const json::value& body,
                                         const std::vector<std::string>& wanted) {
    const json::array* list = body.if_array();
    if (list == nullptr && body.is_object()) {
        if (const auto* servers = body.get_object().if_contains("servers")) {
            list = servers->if_array();
        }
    }
    std::vector<std::string> names;
    if (list == nullptr) {
        return names;
    }
    for (const auto& entry : *list) {
        const auto* server = entry.if_object();
        if (server == nullptr) {
            continue;
        }
        const auto* name = server->if_contains("name");
        const auto* running = server->if_contains("isRunning");
        if (name == nullptr || !name->is_string() || running == nullptr || !running->is_bool() ||
            !running->get_bool() || !is_string_equal(server->if_contains("status"), "running")) {
            continue;
        }
        const std::string text(name->get_string());
        if (std::find(wanted.begin(), wanted.end(), text) != wanted.end() &&
            std::find(names.begin(), names.end(), text) == names.end()) {
            names.push_back(text);
        }
    }
    return names;
}

std::vector<json::object> listed_tools(const json::value& body) {
    const json::value result = tool_result_of(body);
    const auto* fields = result.if_object();
    if (fields == nullptr) {
        return {};
    }
    const auto* success = fields->if_contains("success");
    const auto* content = fields->if_contains("content");
    if (success == nullptr || !success->is_bool() || !success->get_bool() || content == nullptr ||
        !content->is_array()) {
        return {};
    }
    for (const auto& entry : content->get_array()) {
        const auto* part = entry.if_object();
        if (part == nullptr) {
            continue;
        }
        const auto* type = part->if_contains("type");
        if (is_string_equal(type, "json")) {
            const auto* data = part->if_contains("data");
            if (data == nullptr) {
                return {};
            }
            return tools_in(data->is_string() ? parse_or_null(data->get_string()) : *data);
        }
        if (is_string_equal(type, "text")) {
            const auto* text = part->if_contains("text");
            return text && text->is_string() ? tools_in(parse_or_null(text->get_string()))
                                             : std::vector<json::object>{};
        }
    }
    return {};
}

std::optional<json::object> clean_tool_schema(const json::value& input_schema) {
    json::object schema = input_schema.is_object() ? input_schema.get_object() : json::object{};
    if (!schema.contains("type")) {
        schema["type"] = "object";
    }
    if (const auto* properties = schema.if_contains("properties");
        properties == nullptr || !properties->is_object()) {
        schema["properties"] = json::object{};
    }
    if (const auto* required = schema.if_contains("required");
        required == nullptr || !required->is_array()) {
        schema["required"] = json::array{};
    }
    strip_schema(schema);
    if (!usable_schema(schema)) {
        return std::nullopt;
    }
    return schema;
}

std::string sanitize_function_name(std::string_view name) {
    std::string out;
    out.reserve(std::min(name.size(), kMaxFunctionName));
    for (const char c : name) {
        if (out.size() == kMaxFunctionName) {
            break;
        }
        const bool allowed = std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
        out.push_back(allowed ? c : '_');
    }
    return out;
}

bool McpToolTable::add(std::string_view server, const json::object& tool) {
    const auto* name = tool.if_contains("name");
    if (name == nullptr || !name->is_string() || name->get_string().empty()) {
        return false;
    }
    const auto* input_schema = tool.if_contains("inputSchema");
    auto parameters = clean_tool_schema(input_schema ? *input_schema : json::value(nullptr));
    if (!parameters) {
        return false;
    }
    const std::string tool_name(name->get_string());
    const std::string base = sanitize_function_name("mcp_" + std::string(server) + "_" + tool_name);
    std::string function = base;
    for (int n = 2; find(function) != nullptr; ++n) {
        const std::string suffix = "_" + std::to_string(n);
        function = base.substr(0, kMaxFunctionName - suffix.size()) + suffix;
    }
    std::string description = tool_name;
    if (const auto* text = tool.if_contains("description"); text && text->is_string() &&
                                                            !text->get_string().empty()) {
        description = std::string(text->get_string());
    }
    McpTool entry;
    entry.server = std::string(server);
    entry.tool = tool_name;
    entry.spec.name = std::move(function);
    entry.spec.description = "[MCP:" + std::string(server) + "] " + description;
    entry.spec.parameters = std::move(*parameters);
    tools_.push_back(std::move(entry));
    return true;
}

const McpTool* McpToolTable::find(std::string_view function_name) const {
    for (const auto& tool : tools_) {
        if (tool.spec.name == function_name) {
            return &tool;
        }
    }
    return nullptr;
}

std::vector<ToolSpec> McpToolTable::specs() const {
    std::vector<ToolSpec> specs;
    for (const auto& tool : tools_) {
        specs.push_back(tool.spec);
    }
    return specs;
}

json::value tool_result_of(const json::value& body) {
    if (const auto* object = body.if_object()) {
        if (const auto* result = object->if_contains("result"); result && !result->is_null()) {
            return *result;
        }
    }
    return body;
}

std::string tool_result_text(const json::value& result) {
    const auto* fields = result.if_object();
    if (fields != nullptr) {
        const auto* success = fields->if_contains("success");
        if (success && success->is_bool() && !success->get_bool()) {
            const auto* error = fields->if_contains("error");
            if (error && error->is_string() && !error->get_string().empty()) {
                return "Error: " + std::string(error->get_string());
            }
            if (error && !error->is_null() && !error->is_string()) {
                return "Error: " + util::to_json_text(*error);
            }
            return "Error: Tool execution failed";
        }
        const auto* content = fields->if_contains("content");
        if (content && content->is_array()) {
            std::string texts;
            std::string payloads;
            for (const auto& entry : content->get_array()) {
                const auto* part = entry.if_object();
                if (part == nullptr) {
                    continue;
                }
                const auto* type = part->if_contains("type");
                if (is_string_equal(type, "text")) {
                    const auto* text = part->if_contains("text");
                    if (text && text->is_string()) {
                        texts += (texts.empty() ? "" : "\n\n") + std::string(text->get_string());
                    }
                } else if (is_string_equal(type, "json")) {
                    const auto* data = part->if_contains("data");
                    payloads += (payloads.empty() ? "" : "\n\n") +
                                util::to_json_text(data ? *data : json::value(nullptr), 2);
                }
            }
            if (!texts.empty()) {
                return texts;
            }
            if (!payloads.empty()) {
                return payloads;
            }
        }
    }
    return util::to_json_text(result, 2);
}

}  // namespace clara::nodes::llm
