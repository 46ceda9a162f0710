#include "nodes/llm/provider_route.hpp"

#include "nodes/node_data.hpp"
#include "nodes/outbound_call.hpp"
#include "nodes/url_origin.hpp"

#include <boost/url/parse.hpp>

#include <algorithm>
#include <cctype>

namespace clara::nodes::llm {
namespace json = boost::json;

namespace {

constexpr std::string_view kAnthropicHost = "api.anthropic.com";

std::string to_lower(std::string_view text) {
    std::string lower(text);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return lower;
}

struct ParsedUrl {
    std::string scheme;
    std::string host;  ///< lower case, IPv6 in brackets
    std::string port;  ///< as written ("" when absent)
    std::string path;
};

std::optional<ParsedUrl> parse_http_url(std::string_view url) {
    const auto trimmed = trim_base_url(url);
    auto parsed = boost::urls::parse_uri(trimmed);
    if (!parsed) {
        return std::nullopt;
    }
    ParsedUrl result;
    result.scheme = to_lower(parsed->scheme());
    if ((result.scheme != "http" && result.scheme != "https") || !parsed->has_authority()) {
        return std::nullopt;
    }
    result.host = to_lower(parsed->encoded_host());
    while (!result.host.empty() && result.host.back() == '.') {
        result.host.pop_back();
    }
    if (result.host.empty()) {
        return std::nullopt;
    }
    if (parsed->has_port()) {
        result.port = parsed->port();
    }
    result.path = parsed->encoded_path();
    return result;
}

bool path_ends_with_v1(std::string_view url) {
    const auto parsed = parse_http_url(url);
    std::string_view path = parsed ? std::string_view(parsed->path) : url;
    while (!path.empty() && path.back() == '/') {
        path.remove_suffix(1);
    }
    return path.size() >= 3 && to_lower(path.substr(path.size() - 3)) == "/v1";
}

bool looks_like_uuid(std::string_view text) {
    if (text.size() != 36) {
        return false;
    }
    for (std::size_t i = 0; i < text.size(); ++i) {
        const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? text[i] != '-' : !std::isxdigit(static_cast<unsigned char>(text[i]))) {
            return false;
        }
    }
    return true;
}

std::string trimmed_string(const json::object& data, std::string_view key) {
    return trim_base_url(string_or(data, key, ""));  // also strips spaces at both ends
}

std::string blank_to_empty(std::string text) {
    const bool blank = std::all_of(text.begin(), text.end(),
                                   [](unsigned char c) { return std::isspace(c) != 0; });
    return blank ? std::string() : text;
}

}  // namespace

std::string_view to_string(ChatApi api) {
    switch (api) {
        case ChatApi::kOpenAiCompatible:
            return "openai-compatible";
        case ChatApi::kAnthropic:
            return "anthropic";
        case ChatApi::kOllama:
            return "ollama";
    }
    return "unknown";
}

std::string url_host(std::string_view url) {
    const auto parsed = parse_http_url(url);
    if (!parsed) {
        return std::string(url);
    }
    return parsed->port.empty() ? parsed->host : parsed->host + ":" + parsed->port;
}

std::string server_key_for(std::string_view base_url, const config::ServiceSettings& settings) {
    // Each key belongs to exactly one configured origin; a workflow-chosen URL on any other
    // origin gets nothing, so a deployer cannot collect the operator's keys.
    if (!settings.openai_api_key.empty() && same_origin(base_url, settings.openai_api_base_url)) {
        return settings.openai_api_key;
    }
    if (!settings.openrouter_api_key.empty() &&
        same_origin(base_url, settings.openrouter_api_base_url)) {
        return settings.openrouter_api_key;
    }
    if (!settings.anthropic_api_key.empty() &&
        same_origin(base_url, settings.anthropic_api_base_url)) {
        return settings.anthropic_api_key;
    }
    return {};
}

ChatApi select_chat_api(std::string_view base_url, std::string_view provider,
                        const config::ServiceSettings& settings) {
    const auto parsed = parse_http_url(base_url);
    const std::string provider_name = to_lower(provider);
    if ((parsed && parsed->host == kAnthropicHost) ||
        same_origin(base_url, settings.anthropic_api_base_url) || provider_name == "anthropic") {
        return ChatApi::kAnthropic;
    }
    const bool v1 = path_ends_with_v1(base_url);
    if (!v1 && (provider_name == "ollama" || same_origin(base_url, settings.ollama_url))) {
        return ChatApi::kOllama;
    }
    return ChatApi::kOpenAiCompatible;
}

ProviderRoute make_route(std::string_view base_url, std::string_view explicit_key,
                         std::string_view provider, const config::ServiceSettings& settings) {
    ProviderRoute route;
    route.base_url = trim_base_url(base_url);
    route.api = select_chat_api(route.base_url, provider, settings);
    route.api_key = blank_to_empty(std::string(explicit_key));
    if (route.api_key.empty()) {
        route.api_key = server_key_for(route.base_url, settings);
    }
    route.host = url_host(route.base_url);
    return route;
}

ProviderRoute resolve_llm_route(const json::object& data,
                                const config::ServiceSettings& settings) {
    std::string base = trimmed_string(data, "apiBaseUrl");
    if (base.empty()) {
        base = settings.openai_api_base_url;
    }
    return make_route(base, string_or(data, "apiKey", ""), string_or(data, "provider", ""),
                      settings);
}

AgentProvider resolve_agent_provider(const json::object& data,
                                     const config::ServiceSettings& settings) {
    const std::string provider = to_lower(string_or(data, "provider", ""));
    const std::string text_model = string_or(data, "textModel", "gpt-4o-mini");
    AgentProvider result;
    result.model = normalise_agent_model(text_model, string_or(data, "provider", ""));

    const std::string custom_url = trimmed_string(data, "customProviderUrl");
    if (bool_or(data, "useCustomProvider", false) && !custom_url.empty()) {
        result.route = make_route(custom_url, string_or(data, "customProviderKey", ""), provider,
                                  settings);
        const std::string custom_model = string_or(data, "customProviderModel", "");
        if (!custom_model.empty()) {
            result.model = custom_model;
        }
        return result;
    }
    const std::string own_url = trimmed_string(data, "apiBaseUrl");
    if (!own_url.empty()) {
        result.route = make_route(own_url, string_or(data, "apiKey", ""), provider, settings);
        return result;
    }
    // Provider rows: the base URL is the configured one, so server_key_for() attaches exactly
    // that provider's key (nodes.md § 18 table).
    std::string base;
    if (provider == "openai") {
        base = settings.openai_api_base_url;
    } else if (provider == "openrouter") {
        base = settings.openrouter_api_base_url;
    } else if (provider == "anthropic") {
        base = settings.anthropic_api_base_url;
    } else if (provider == "ollama") {
        base = trim_base_url(settings.ollama_url) + "/v1";
    } else {
        base = settings.agent_default_base_url.empty() ? settings.openai_api_base_url
                                                        : settings.agent_default_base_url;
    }
    result.route = make_route(base, "", provider, settings);
    if (provider == "ollama") {
        result.route.api_key.clear();  // Ollama takes no key (§ 18 table)
    }
    return result;
}

std::string normalise_agent_model(std::string_view text_model, std::string_view provider) {
    const auto colon = text_model.find(':');
    if (colon == std::string_view::npos) {
        return std::string(text_model);
    }
    const auto prefix = text_model.substr(0, colon);
    if ((!provider.empty() && prefix == provider) || looks_like_uuid(prefix)) {
        return std::string(text_model.substr(colon + 1));
    }
    return std::string(text_model);
}

}  // namespace clara::nodes::llm
