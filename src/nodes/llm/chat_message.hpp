#pragma once

// Provider-neutral chat types: what the model nodes ask for and what they get back. The
// adapters (openai_chat.cpp, anthropic_chat.cpp, ollama_chat.cpp) translate them to and from
// each provider's wire format.

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace clara::nodes::llm {

/// One piece of a message's content: text, or an image given as a data URL or http(s) URL.
struct ContentPart {
    enum class Kind { kText, kImage };

    Kind kind = Kind::kText;
    std::string text;       ///< kText
    std::string image_url;  ///< kImage: "data:image/...;base64,..." or "http(s)://..."

    static ContentPart from_text(std::string text) { return {Kind::kText, std::move(text), {}}; }
    static ContentPart from_image(std::string url) { return {Kind::kImage, {}, std::move(url)}; }
};

/// A function call the model asked for.
struct ToolCall {
    std::string id;              ///< provider's call id (generated when the provider has none)
    std::string name;            ///< function name as offered
    std::string arguments_text;  ///< arguments as JSON text, as the model wrote them
};

/// One chat message.
struct ChatMessage {
    std::string role;  ///< system | user | assistant | tool
    std::vector<ContentPart> parts;
    std::vector<ToolCall> tool_calls;  ///< assistant messages that call tools
    std::string tool_call_id;          ///< tool messages: the call answered
    std::string tool_name;             ///< tool messages: the function that answered
    /// A memory entry exactly as the workflow gave it; the OpenAI-compatible adapter sends it
    /// unchanged, the others use `parts`.
    std::optional<boost::json::object> verbatim;

    static ChatMessage text(std::string role, std::string content);

    /// The text parts joined (images left out).
    std::string joined_text() const;
    bool has_image() const;
};

/// A function the model may call.
struct ToolSpec {
    std::string name;
    std::string description;
    boost::json::object parameters;  ///< JSON schema of the arguments (type object)
};

/// What shape the answer must have.
enum class AnswerFormat {
    kText,
    kJsonObject,  ///< any JSON object ("json_object" / Ollama "json")
    kJsonSchema,  ///< JSON that matches `ChatRequest::schema`
};

/// One chat call, provider-neutral.
struct ChatRequest {
    std::string model;
    std::vector<ChatMessage> messages;
    double temperature = 0.7;
    std::int64_t max_tokens = 1000;
    std::vector<ToolSpec> tools;  ///< empty: no tool keys are sent
    AnswerFormat format = AnswerFormat::kText;
    boost::json::value schema;          ///< kJsonSchema
    std::string schema_name;            ///< kJsonSchema
    std::string schema_description;     ///< kJsonSchema
};

/// Token counts of one provider answer.
struct TokenCounts {
    std::int64_t prompt_tokens = 0;
    std::int64_t completion_tokens = 0;
    std::int64_t total_tokens = 0;
};

/// One provider answer, provider-neutral.
struct ChatReply {
    bool has_message = false;  ///< the answer carried a message at all
    std::string text;          ///< the message's text ("" when none)
    std::vector<ToolCall> tool_calls;
    /// The provider's usage object (OpenAI) or the counts mapped to OpenAI's names; {} if none.
    boost::json::object usage;
    std::optional<TokenCounts> counts;  ///< set when the answer reported usage
    std::optional<std::string> model;   ///< the model the provider says answered

    /// The assistant message to append to a conversation that continues.
    ChatMessage assistant_message() const;
};

/// `usage` as the OpenAI field names, for providers that use other names.
boost::json::object usage_object(const TokenCounts& counts);

}  // namespace clara::nodes::llm
