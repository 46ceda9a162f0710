#include "nodes/llm/chat_message.hpp"

namespace clara::nodes::llm {

ChatMessage ChatMessage::text(std::string role, std::string content) {
    ChatMessage message;
    message.role = std::move(role);
    message.parts.push_back(ContentPart::from_text(std::move(content)));
    return message;
}

std::string ChatMessage::joined_text() const {
    std::string text;
    for (const auto& part : parts) {
        if (part.kind == ContentPart::Kind::kText) {
            text += part.text;
        }
    }
    return text;
}

bool ChatMessage::has_image() const {
    for (const auto& part : parts) {
        if (part.kind == ContentPart::Kind::kImage) {
            return true;
        }
    }
    return false;
}

ChatMessage ChatReply::assistant_message() const {
    ChatMessage message;
    message.role = "assistant";
    if (!text.empty()) {
        message.parts.push_back(ContentPart::from_text(text));
    }
    message.tool_calls = tool_calls;
    return message;
}

boost::json::object usage_object(const TokenCounts& counts) {
    return boost::json::object{{"prompt_tokens", counts.prompt_tokens},
                               {"completion_tokens", counts.completion_tokens},
                               {"total_tokens", counts.total_tokens}};
}

}  // namespace clara::nodes::llm
