// Anthropic Messages API: top-level `system`, content blocks, `tool_use` / `tool_result`.
#include "nodes/llm/chat_wire.hpp"

#include "nodes/llm/image_reference.hpp"
#include "util/json_text.hpp"

#include <boost/json.hpp>
#include <boost/url/parse.hpp>

namespace clara::nodes::llm {
namespace json = boost::json;

namespace {

constexpr std::string_view kWrappedKey = "value";

/// Anthropic's tool input must be an object; other answers travel inside {"value": ...}.
bool schema_needs_wrapping(const json::value& schema) {
    const auto* object = schema.if_object();
    const auto* type = object ? object->if_contains("type") : nullptr;
    return !(type && type->is_string() && type->get_string() == "object");
}

json::object image_block(const std::string& url) {
    if (const auto image = inline_image(url)) {
        return json::object{{"type", "image"},
                            {"source", json::object{{"type", "base64"},
                                                    {"media_type", image->media_type},
                                                    {"data", image->base64}}}};
    }
    return json::object{{"type", "image"},
                        {"source", json::object{{"type", "url"}, {"url", url}}}};
}

json::value arguments_object(const std::string& text) {
    boost::system::error_code ec;
    auto parsed = json::parse(text, ec);
    if (ec || !parsed.is_object()) {
        return json::object{};
    }
    return parsed;
}

json::array content_blocks(const ChatMessage& message) {
    json::array blocks;
    if (message.role == "tool" && !message.tool_call_id.empty()) {
        blocks.push_back(json::object{{"type", "tool_result"},
                                      {"tool_use_id", message.tool_call_id},
                                      {"content", message.joined_text()}});
        return blocks;
    }
    for (const auto& part : message.parts) {
        if (part.kind == ContentPart::Kind::kImage) {
            blocks.push_back(image_block(part.image_url));
        } else if (!part.text.empty()) {  // the API refuses empty text blocks
            blocks.push_back(json::object{{"type", "text"}, {"text", part.text}});
        }
    }
    for (const auto& call : message.tool_calls) {
        blocks.push_back(json::object{{"type", "tool_use"},
                                      {"id", call.id},
                                      {"name", call.name},
                                      {"input", arguments_object(call.arguments_text)}});
    }
    return blocks;
}

}  // namespace

std::string anthropic_endpoint(std::string_view base_url) {
    std::string base(base_url);
    auto parsed = boost::urls::parse_uri(base);
    if (parsed && (parsed->encoded_path().empty() || parsed->encoded_path() == "/")) {
        base += "/v1";  // "https://api.anthropic.com" means the v1 API
    }
    return base + "/messages";
}

json::object anthropic_messages_body(const ChatRequest& request) {
    std::string system;
    json::array messages;
    std::string last_role;
    for (const auto& message : request.messages) {
        if (message.role == "system") {
            // The API has one top-level system prompt; system turns join it in order.
            const auto text = message.joined_text();
            if (!text.empty()) {
                system += system.empty() ? text : "\n\n" + text;
            }
            continue;
        }
        const std::string role = message.role == "assistant" ? "assistant" : "user";
        auto blocks = content_blocks(message);
        if (blocks.empty()) {
            continue;
        }
        // Consecutive turns of one role form one turn (all tool results answer one call turn).
        if (role == last_role && !messages.empty()) {
            auto& previous = messages.back().as_object()["content"].as_array();
            for (auto& block : blocks) {
                previous.push_back(std::move(block));
            }
            continue;
        }
        messages.push_back(json::object{{"role", role}, {"content", std::move(blocks)}});
        last_role = role;
    }

    json::object body{{"model", request.model},
                      {"max_tokens", request.max_tokens},
                      {"temperature", request.temperature}};
    if (!system.empty()) {
        body["system"] = system;
    }
    body["messages"] = std::move(messages);

    json::array tools;
    for (const auto& tool : request.tools) {
        tools.push_back(json::object{{"name", tool.name},
                                     {"description", tool.description},
                                     {"input_schema", tool.parameters}});
    }
    if (request.format == AnswerFormat::kJsonSchema) {
        // No response_format here: a forced call of one tool whose input schema is the answer's.
        json::value schema = request.schema;
        if (schema_needs_wrapping(schema)) {
            schema = json::object{{"type", "object"},
                                  {"properties", json::object{{kWrappedKey, schema}}},
                                  {"required", json::array{kWrappedKey}},
                                  {"additionalProperties", false}};
        }
        tools.push_back(json::object{{"name", kStructuredToolName},
                                     {"description", request.schema_description},
                                     {"input_schema", std::move(schema)}});
        body["tools"] = std::move(tools);
        body["tool_choice"] = json::object{{"type", "tool"}, {"name", kStructuredToolName}};
    } else if (!tools.empty()) {
        body["tools"] = std::move(tools);
        body["tool_choice"] = json::object{{"type", "auto"}};
    }
    return body;
}

ChatReply parse_anthropic_reply(const ChatRequest& request, const json::value& body) {
    const auto* root = body.if_object();
    if (root == nullptr) {
        throw ChatReplyError("the answer is not a JSON object");
    }
    ChatReply reply;
    if (const auto* usage = root->if_contains("usage"); usage && usage->is_object()) {
        const auto& fields = usage->get_object();
        TokenCounts counts{count_field(fields, "input_tokens"),
                           count_field(fields, "output_tokens"), 0};
        counts.total_tokens = counts.prompt_tokens + counts.completion_tokens;
        reply.counts = counts;
        reply.usage = usage_object(counts);
    }
    if (const auto* model = root->if_contains("model"); model && model->is_string()) {
        reply.model = std::string(model->get_string());
    }
    const auto* content = root->if_contains("content");
    if (content == nullptr || !content->is_array()) {
        return reply;
    }
    reply.has_message = true;
    const bool structured = request.format == AnswerFormat::kJsonSchema;
    for (const auto& entry : content->get_array()) {
        const auto* block = entry.if_object();
        const auto* type = block ? block->if_contains("type") : nullptr;
        if (type == nullptr || !type->is_string()) {
            continue;
        }
        if (type->get_string() == "text") {
            if (const auto* text = block->if_contains("text"); text && text->is_string()) {
                reply.text += text->get_string();
            }
            continue;
        }
        if (type->get_string() != "tool_use") {
            continue;
        }
        ToolCall call;
        if (const auto* id = block->if_contains("id"); id && id->is_string()) {
            call.id = std::string(id->get_string());
        }
        if (const auto* name = block->if_contains("name"); name && name->is_string()) {
            call.name = std::string(name->get_string());
        }
        const json::value* input = block->if_contains("input");
        if (structured && call.name == kStructuredToolName) {
            // The forced tool's input is the structured answer itself.
            if (input && schema_needs_wrapping(request.schema) && input->is_object()) {
                input = input->get_object().if_contains(kWrappedKey);
            }
            reply.text = input ? util::to_json_text(*input) : std::string();
            continue;
        }
        call.arguments_text = input ? util::to_json_text(*input) : "{}";
        reply.tool_calls.push_back(std::move(call));
    }
    return reply;
}

}  // namespace clara::nodes::llm
