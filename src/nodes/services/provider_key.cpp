#include "nodes/services/provider_key.hpp"

#include "nodes/services/service_text.hpp"
#include "nodes/url_origin.hpp"

namespace clara::nodes {

std::string openai_key_for(const config::ServiceSettings& settings,
                           std::string_view node_key,
                           std::string_view url) {
    if (!js_trim(node_key).empty()) {
        return std::string(node_key);
    }
    if (settings.openai_api_key.empty()) {
        return {};
    }
    if (same_origin(url, settings.openai_api_base_url) ||
        same_origin(url, "https://api.openai.com")) {
        return settings.openai_api_key;
    }
    return {};
}

}  // namespace clara::nodes
