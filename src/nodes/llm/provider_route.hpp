#pragma once

// Where a model node's chat call goes, with which credential, in which wire format
// (nodes.md §§ 0.2, 0.4, 18 and the secret-hygiene rule).

#include "config/service_settings.hpp"

#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace clara::nodes::llm {

/// The wire format of a chat call.
enum class ChatApi {
    kOpenAiCompatible,  ///< POST {base}/chat/completions (OpenAI, OpenRouter, Ollama /v1, ...)
    kAnthropic,         ///< POST {base}/messages (Anthropic Messages API)
    kOllama,            ///< POST {base}/api/chat (Ollama's own API)
};

/// "openai-compatible", "anthropic" or "ollama", for logs.
std::string_view to_string(ChatApi api);

/// The resolved destination of a node's chat calls.
struct ProviderRoute {
    ChatApi api = ChatApi::kOpenAiCompatible;
    std::string base_url;  ///< trimmed, no trailing slash
    std::string api_key;   ///< empty: no credential is sent
    std::string host;      ///< host[:port] of base_url, to name the provider in messages
};

/// host[:port] of a URL for messages (the port only when written in the URL); the URL itself
/// when it does not parse.
std::string url_host(std::string_view url);

/// The server-held key that may go to `base_url`: OPENAI_API_KEY only to the origin of
/// OPENAI_API_BASE_URL, OPENROUTER_API_KEY only to OPENROUTER_API_BASE_URL's origin,
/// ANTHROPIC_API_KEY only to ANTHROPIC_API_BASE_URL's origin; "" for any other URL.
std::string server_key_for(std::string_view base_url, const config::ServiceSettings& settings);

/// The adapter for a base URL and the node's `provider` field:
/// 1. Anthropic when the URL's host is api.anthropic.com, or its origin is that of
///    ANTHROPIC_API_BASE_URL, or provider is "anthropic";
/// 2. Ollama's own API when provider is "ollama" and the URL's path does not end in /v1, or
///    the URL's origin is OLLAMA_URL's and its path does not end in /v1;
/// 3. OpenAI-compatible chat completions otherwise.
ChatApi select_chat_api(std::string_view base_url, std::string_view provider,
                        const config::ServiceSettings& settings);

/// A route to `base_url`: the adapter per select_chat_api, and `explicit_key` (a key written
/// in the workflow) when not blank, else server_key_for(base_url).
ProviderRoute make_route(std::string_view base_url, std::string_view explicit_key,
                         std::string_view provider, const config::ServiceSettings& settings);

/// The route of an llm or structured-llm node: `apiBaseUrl` (default OPENAI_API_BASE_URL),
/// `apiKey`, `provider`.
ProviderRoute resolve_llm_route(const boost::json::object& data,
                                const config::ServiceSettings& settings);

/// An agent node's provider and model (nodes.md § 18 table).
struct AgentProvider {
    ProviderRoute route;
    std::string model;
};

/// Resolves the agent's provider table: custom provider, then `apiBaseUrl`, then `provider`
/// (openai, openrouter, anthropic, ollama), else AGENT_DEFAULT_BASE_URL.
AgentProvider resolve_agent_provider(const boost::json::object& data,
                                     const config::ServiceSettings& settings);

/// The Studio's "<providerId>:<model>" form without the prefix when the prefix is `provider`
/// or looks like a UUID; any other text verbatim (so "llama3.2:latest" stays as it is).
std::string normalise_agent_model(std::string_view text_model, std::string_view provider);

}  // namespace clara::nodes::llm
