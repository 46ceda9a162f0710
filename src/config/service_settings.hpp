#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

namespace clara::config {

class EnvReader;

/// Where the model providers and services that nodes call live, their credentials, and the
/// outbound limits (nodes.md §§ 0.2-0.4, DECISIONS.md § 6).
struct ServiceSettings {
    // Provider credentials: each is sent only to its own provider's configured base URL.
    std::string openai_api_key;
    std::string anthropic_api_key;
    std::string openrouter_api_key;

    std::string openai_api_base_url = "https://api.openai.com/v1";
    std::string anthropic_api_base_url = "https://api.anthropic.com/v1";
    std::string openrouter_api_base_url = "https://openrouter.ai/api/v1";
    std::string ollama_url = "http://localhost:11434";
    bool ollama_enabled = true;
    std::string comfyui_url = "http://localhost:8188";
    bool comfyui_enabled = true;
    std::string python_backend_url = "http://localhost:5001";
    bool python_backend_enabled = true;
    std::string notebook_backend_url;  ///< empty: python_backend_url
    std::string clara_assistant_url = "http://localhost:8069";
    bool clara_assistant_enabled = true;
    std::string clara_core_url = "http://localhost:8091/v1";  ///< the desktop's model server
    std::string mcp_proxy_url = "http://127.0.0.1:8092";
    std::string agent_default_base_url;  ///< empty: openai_api_base_url
    bool agent_tools_enabled = false;
    std::vector<std::string> agent_allowed_mcp_servers;

    std::chrono::milliseconds llm_timeout{120000};
    std::chrono::milliseconds comfyui_timeout{300000};
    std::chrono::milliseconds comfyui_poll{1000};
    std::size_t node_max_response_bytes = 20 * 1024 * 1024;
    std::size_t api_request_max_bytes = 10 * 1024 * 1024;

    std::string outbound_allowlist;  ///< hosts and CIDR ranges the SSRF guard lets through
    std::string outbound_ca_file;    ///< extra PEM CA bundle trusted besides the system store
    std::string rewrite_localhost_to;  ///< host that replaces localhost/127.0.0.1 in node URLs

    bool enable_custom_nodes = false;
    std::chrono::milliseconds custom_node_timeout{30000};
    bool custom_node_fetch = false;

    /// The configured service URLs that the outbound guard trusts (DECISIONS.md § 6).
    std::vector<std::string> trusted_service_urls() const;
};

/// Reads every ServiceSettings variable; trailing slashes are removed from URLs.
void read_service_settings(const EnvReader& read, ServiceSettings& services);

}  // namespace clara::config
