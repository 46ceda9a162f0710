#pragma once

// The wire formats of the chat adapters: a neutral ChatRequest becomes a provider's HTTP
// request, and a provider's 2xx JSON answer becomes a neutral ChatReply. Pure functions, no I/O.

#include "engine/http_client.hpp"
#include "nodes/llm/chat_message.hpp"
#include "nodes/llm/provider_route.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <stdexcept>
#include <string>
#include <string_view>

namespace clara::nodes::llm {

/// A request the chosen provider cannot express (e.g. an image URL for Ollama's own API).
class ChatRequestError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// A 2xx answer that is not the provider's JSON shape.
class ChatReplyError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Name of the forced tool that carries an Anthropic structured answer.
inline constexpr std::string_view kStructuredToolName = "structured_output";

/// The HTTP request for `request` in `route`'s wire format (URL, headers incl. the route's
/// credential, JSON body). Timeout and size cap are left to the caller.
engine::OutboundRequest build_chat_request(const ChatRequest& request, const ProviderRoute& route);

/// Parses a 2xx answer for `request` in `api`'s wire format; throws ChatReplyError.
ChatReply parse_chat_reply(ChatApi api, const ChatRequest& request, const boost::json::value& body);

// OpenAI-compatible chat completions (openai_chat.cpp).

/// "{base}/chat/completions".
std::string openai_endpoint(std::string_view base_url);
/// `{model, messages, temperature, max_tokens}` plus response_format / tools when asked for.
boost::json::object openai_chat_body(const ChatRequest& request);
ChatReply parse_openai_reply(const boost::json::value& body);

// Anthropic Messages API (anthropic_chat.cpp).

/// "{base}/messages" ("/v1" added when the base URL has no path).
std::string anthropic_endpoint(std::string_view base_url);
/// `{model, max_tokens, temperature, system?, messages, tools?, tool_choice?}`; a JSON-schema
/// answer is requested as a forced call of the tool kStructuredToolName.
boost::json::object anthropic_messages_body(const ChatRequest& request);
ChatReply parse_anthropic_reply(const ChatRequest& request, const boost::json::value& body);

// Ollama's own chat API (ollama_chat.cpp).

/// "{base}/api/chat" (a trailing "/api" of the base URL is not doubled).
std::string ollama_endpoint(std::string_view base_url);
/// `{model, messages, stream:false, options:{temperature, num_predict}, format?, tools?}`.
boost::json::object ollama_chat_body(const ChatRequest& request);
ChatReply parse_ollama_reply(const boost::json::value& body);

/// A count field as an integer (0 when absent or not a number).
std::int64_t count_field(const boost::json::object& object, std::string_view key);

}  // namespace clara::nodes::llm
