// OpenAI-compatible chat completions (nodes.md § 0.4): OpenAI, OpenRouter, Ollama's /v1 and any
// server that speaks the same format.
#include "nodes/llm/chat_wire.hpp"

#include "util/json_text.hpp"

#include <boost/json.hpp>

namespace clara::nodes::llm {
namespace json = boost::json;

namespace {

json::value content_value(const ChatMessage& message) {
    if (!message.has_image()) {
        if (message.parts.empty() && !message.tool_calls.empty()) {
            return nullptr;  // an assistant turn that only calls tools
        }
        return json::string(message.joined_text());
    }
    json::array parts;
    for (const auto& part : message.parts) {
        if (part.kind == ContentPart::Kind::kText) {
            parts.push_back(json::object{{"type", "text"}, {"text", part.text}});
        } else {
            parts.push_back(json::object{{"type", "image_url"},
                                         {"image_url", json::object{{"url", part.image_url}}}});
        }
    }
    return parts;
}

json::object message_value(const ChatMessage& message) {
    if (message.verbatim) {
        return *message.verbatim;
    }
    json::object out{{"role", message.role}, {"content", content_value(message)}};
    if (!message.tool_calls.empty()) {
        json::array calls;
        for (const auto& call : message.tool_calls) {
            calls.push_back(json::object{
                {"id", call.id},
                {"type", "function"},
                {"function", json::object{{"name", call.name},
                                          {"arguments", call.arguments_text}}}});
        }
        out["tool_calls"] = std::move(calls);
    }
    if (message.role == "tool") {
        out["tool_call_id"] = message.tool_call_id;
    }
    return out;
}

std::string text_of_content(const json::value& content) {
    if (content.is_string()) {
        return std::string(content.get_string());
    }
    std::string text;
    if (const auto* parts = content.if_array()) {
        for (const auto& part : *parts) {
            const auto* object = part.if_object();
            if (object == nullptr) {
                continue;
            }
            const auto* type = object->if_contains("type");
            const auto* value = object->if_contains("text");
            if (type && type->is_string() && type->get_string() == "text" && value &&
                value->is_string()) {
                text += value->get_string();
            }
        }
    }
    return text;
}

}  // namespace

std::string openai_endpoint(std::string_view base_url) {
    return std::string(base_url) + "/chat/completions";
}

json::object openai_chat_body(const ChatRequest& request) {
    json::array messages;
    for (const auto& message : request.messages) {
        messages.push_back(message_value(message));
    }
    json::object body{{"model", request.model},
                      {"messages", std::move(messages)},
                      {"temperature", request.temperature},
                      {"max_tokens", request.max_tokens}};
    if (request.format == AnswerFormat::kJsonObject) {
        body["response_format"] = json::object{{"type", "json_object"}};
    } else if (request.format == AnswerFormat::kJsonSchema) {
        body["response_format"] = json::object{
            {"type", "json_schema"},
            {"json_schema", json::object{{"name", request.schema_name},
                                         {"description", request.schema_description},
                                         {"schema", request.schema},
                                         {"strict", true}}}};
    }
    if (!request.tools.empty()) {
        json::array tools;
        for (const auto& tool : request.tools) {
            tools.push_back(json::object{
                {"type", "function"},
                {"function", json::object{{"name", tool.name},
                                          {"description", tool.description},
                                          {"parameters", tool.parameters}}}});
        }
        body["tools"] = std::move(tools);
        body["tool_choice"] = "auto";
    }
    return body;
}

ChatReply parse_openai_reply(const json::value& body) {
    const auto* root = body.if_object();
    if (root == nullptr) {
        throw ChatReplyError("the answer is not a JSON object");
    }
    ChatReply reply;
    if (const auto* usage = root->if_contains("usage"); usage && usage->is_object()) {
        reply.usage = usage->get_object();
        if (reply.usage.contains("prompt_tokens") || reply.usage.contains("completion_tokens") ||
            reply.usage.contains("total_tokens")) {
            reply.counts = TokenCounts{count_field(reply.usage, "prompt_tokens"),
                                       count_field(reply.usage, "completion_tokens"),
                                       count_field(reply.usage, "total_tokens")};
        }
    }
    if (const auto* model = root->if_contains("model"); model && model->is_string()) {
        reply.model = std::string(model->get_string());
    }
    const auto* choices = root->if_contains("choices");
    if (choices == nullptr || !choices->is_array() || choices->get_array().empty()) {
        return reply;
    }
    const auto* choice = choices->get_array().front().if_object();
    const auto* message = choice ? choice->if_contains("message") : nullptr;
    if (message == nullptr || !message->is_object()) {
        return reply;
    }
    reply.has_message = true;
    const auto& fields = message->get_object();
    if (const auto* content = fields.if_contains("content")) {
        reply.text = text_of_content(*content);
    }
    if (const auto* calls = fields.if_contains("tool_calls"); calls && calls->is_array()) {
        for (const auto& entry : calls->get_array()) {
            const auto* call = entry.if_object();
            const auto* function = call ? call->if_contains("function") : nullptr;
            if (function == nullptr || !function->is_object()) {
                continue;
            }
            ToolCall parsed;
            if (const auto* id = call->if_contains("id"); id && id->is_string()) {
                parsed.id = std::string(id->get_string());
            }
            if (parsed.id.empty()) {
                parsed.id = "call_" + std::to_string(reply.tool_calls.size() + 1);
            }
            const auto& fn = function->get_object();
            if (const auto* name = fn.if_contains("name"); name && name->is_string()) {
                parsed.name = std::string(name->get_string());
            }
            if (const auto* arguments = fn.if_contains("arguments")) {
                // Some compatible servers send an object instead of JSON text.
                parsed.arguments_text = arguments->is_string()
                                            ? std::string(arguments->get_string())
                                            : util::to_json_text(*arguments);
            }
            reply.tool_calls.push_back(std::move(parsed));
        }
    }
    return reply;
}

std::int64_t count_field(const json::object& object, std::string_view key) {
    const auto* value = object.if_contains(key);
    if (value == nullptr) {
        return 0;
    }
    if (value->is_int64()) {
        return value->get_int64();
    }
    if (value->is_uint64()) {
        return static_cast<std::int64_t>(value->get_uint64());
    }
    if (value->is_double()) {
        return static_cast<std::int64_t>(value->get_double());
    }
    return 0;
}

}  // namespace clara::nodes::llm
