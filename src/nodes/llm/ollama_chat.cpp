// Ollama's own chat API: `/api/chat` without streaming, options, base64 images, `format`.
#include "nodes/llm/chat_wire.hpp"

#include "nodes/llm/image_reference.hpp"
#include "util/json_text.hpp"

#include <boost/json.hpp>

namespace clara::nodes::llm {
namespace json = boost::json;

namespace {

json::value arguments_object(const std::string& text) {
    boost::system::error_code ec;
    auto parsed = json::parse(text, ec);
    if (ec || !parsed.is_object()) {
        return json::object{};
    }
    return parsed;
}

json::object message_value(const ChatMessage& message) {
    json::object out{{"role", message.role}, {"content", message.joined_text()}};
    json::array images;
    for (const auto& part : message.parts) {
        if (part.kind != ContentPart::Kind::kImage) {
            continue;
        }
        const auto image = inline_image(part.image_url);
        if (!image) {
            // Ollama takes image bytes only, and fetching a workflow's URL here would bypass
            // the outbound policy.
            throw ChatRequestError(
                "Ollama accepts images only as base64 data (image-input or a data: URL), not "
                "as an image URL");
        }
        images.push_back(json::string(image->base64));
    }
    if (!images.empty()) {
        out["images"] = std::move(images);
    }
    if (!message.tool_calls.empty()) {
        json::array calls;
        for (const auto& call : message.tool_calls) {
            calls.push_back(json::object{
                {"function", json::object{{"name", call.name},
                                          {"arguments", arguments_object(call.arguments_text)}}}});
        }
        out["tool_calls"] = std::move(calls);
    }
    if (message.role == "tool" && !message.tool_name.empty()) {
        out["tool_name"] = message.tool_name;
    }
    return out;
}

}  // namespace

std::string ollama_endpoint(std::string_view base_url) {
    std::string base(base_url);
    if (base.size() >= 4 && base.compare(base.size() - 4, 4, "/api") == 0) {
        base.resize(base.size() - 4);
    }
    return base + "/api/chat";
}

json::object ollama_chat_body(const ChatRequest& request) {
    json::array messages;
    for (const auto& message : request.messages) {
        messages.push_back(message_value(message));
    }
    json::object body{{"model", request.model},
                      {"messages", std::move(messages)},
                      {"stream", false},
                      {"options", json::object{{"temperature", request.temperature},
                                               {"num_predict", request.max_tokens}}}};
    if (request.format == AnswerFormat::kJsonSchema) {
        body["format"] = request.schema;
    } else if (request.format == AnswerFormat::kJsonObject) {
        body["format"] = "json";
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
    }
    return body;
}

ChatReply parse_ollama_reply(const json::value& body) {
    const auto* root = body.if_object();
    if (root == nullptr) {
        throw ChatReplyError("the answer is not a JSON object");
    }
    ChatReply reply;
    if (root->contains("prompt_eval_count") || root->contains("eval_count")) {
        TokenCounts counts{count_field(*root, "prompt_eval_count"),
                           count_field(*root, "eval_count"), 0};
        counts.total_tokens = counts.prompt_tokens + counts.completion_tokens;
        reply.counts = counts;
        reply.usage = usage_object(counts);
    }
    if (const auto* model = root->if_contains("model"); model && model->is_string()) {
        reply.model = std::string(model->get_string());
    }
    const auto* message = root->if_contains("message");
    if (message == nullptr || !message->is_object()) {
        return reply;
    }
    reply.has_message = true;
    const auto& fields = message->get_object();
    if (const auto* content = fields.if_contains("content"); content && content->is_string()) {
        reply.text = std::string(content->get_string());
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
            const auto* arguments = fn.if_contains("arguments");
            parsed.arguments_text = arguments == nullptr ? "{}"
                                    : arguments->is_string()
                                        ? std::string(arguments->get_string())
                                        : util::to_json_text(*arguments);
            reply.tool_calls.push_back(std::move(parsed));
        }
    }
    return reply;
}

}  // namespace clara::nodes::llm
