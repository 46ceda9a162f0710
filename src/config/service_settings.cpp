#include "config/service_settings.hpp"

#include "config/env_reader.hpp"

namespace clara::config {
namespace {

constexpr long long kMaxBytes = 1LL << 32;

void read_url(const EnvReader& read, const std::string& name, std::string& target) {
    read.string(name, target);
    while (!target.empty() && target.back() == '/') {
        target.pop_back();
    }
}

}  // namespace

std::vector<std::string> ServiceSettings::trusted_service_urls() const {
    std::vector<std::string> urls{openai_api_base_url, anthropic_api_base_url,
                                  openrouter_api_base_url, clara_core_url};
    if (ollama_enabled) {
        urls.push_back(ollama_url);
    }
    if (comfyui_enabled) {
        urls.push_back(comfyui_url);
    }
    if (python_backend_enabled) {
        urls.push_back(python_backend_url);
    }
    if (!notebook_backend_url.empty()) {
        urls.push_back(notebook_backend_url);
    }
    if (clara_assistant_enabled) {
        urls.push_back(clara_assistant_url);
    }
    if (!agent_default_base_url.empty()) {
        urls.push_back(agent_default_base_url);
    }
    if (agent_tools_enabled) {
        urls.push_back(mcp_proxy_url);
    }
    return urls;
}

void read_service_settings(const EnvReader& read, ServiceSettings& s) {
    read.string("OPENAI_API_KEY", s.openai_api_key);
    read.string("ANTHROPIC_API_KEY", s.anthropic_api_key);
    read.string("OPENROUTER_API_KEY", s.openrouter_api_key);
    read_url(read, "OPENAI_API_BASE_URL", s.openai_api_base_url);
    read_url(read, "ANTHROPIC_API_BASE_URL", s.anthropic_api_base_url);
    read_url(read, "OPENROUTER_API_BASE_URL", s.openrouter_api_base_url);
    read_url(read, "OLLAMA_URL", s.ollama_url);
    read.boolean("OLLAMA_ENABLED", s.ollama_enabled);
    read_url(read, "COMFYUI_URL", s.comfyui_url);
    read.boolean("COMFYUI_ENABLED", s.comfyui_enabled);
    read_url(read, "PYTHON_BACKEND_URL", s.python_backend_url);
    read.boolean("PYTHON_BACKEND_ENABLED", s.python_backend_enabled);
    read_url(read, "NOTEBOOK_BACKEND_URL", s.notebook_backend_url);
    read_url(read, "CLARA_ASSISTANT_URL", s.clara_assistant_url);
    read.boolean("CLARA_ASSISTANT_ENABLED", s.clara_assistant_enabled);
    read_url(read, "CLARA_CORE_URL", s.clara_core_url);
    read_url(read, "MCP_PROXY_URL", s.mcp_proxy_url);
    read_url(read, "AGENT_DEFAULT_BASE_URL", s.agent_default_base_url);
    read.boolean("AGENT_TOOLS_ENABLED", s.agent_tools_enabled);
    read.list("AGENT_ALLOWED_MCP_SERVERS", s.agent_allowed_mcp_servers);

    read.milliseconds("LLM_TIMEOUT_MS", s.llm_timeout, 100, 86400000);
    read.milliseconds("COMFYUI_TIMEOUT_MS", s.comfyui_timeout, 100, 86400000);
    read.milliseconds("COMFYUI_POLL_MS", s.comfyui_poll, 10, 600000);
    read.integer("NODE_MAX_RESPONSE_BYTES", s.node_max_response_bytes, 1024, kMaxBytes);
    read.integer("API_REQUEST_MAX_BYTES", s.api_request_max_bytes, 1024, kMaxBytes);

    read.string("OUTBOUND_ALLOWLIST", s.outbound_allowlist);
    read.string("OUTBOUND_CA_FILE", s.outbound_ca_file);
    read.string("REWRITE_LOCALHOST_TO", s.rewrite_localhost_to);

    read.boolean("ENABLE_CUSTOM_NODES", s.enable_custom_nodes);
    read.milliseconds("CUSTOM_NODE_TIMEOUT_MS", s.custom_node_timeout, 100, 3600000);
    read.boolean("CUSTOM_NODE_FETCH", s.custom_node_fetch);
}

}  // namespace clara::config
