#include "nodes/services/notebook_backend.hpp"

#include "engine/js_value.hpp"
#include "nodes/node_data.hpp"
#include "nodes/outbound_call.hpp"
#include "nodes/services/service_text.hpp"
#include "nodes/services/url_encoding.hpp"
#include "util/json_text.hpp"

namespace clara::nodes {

std::string notebook_base_url(const config::ServiceSettings& settings) {
    if (!settings.notebook_backend_url.empty()) {
        return trim_base_url(settings.notebook_backend_url);
    }
    return settings.python_backend_enabled ? trim_base_url(settings.python_backend_url)
                                           : std::string();
}

std::string notebook_call_problem(std::string_view notebook_id, std::string_view base) {
    if (notebook_id.empty()) {
        return "No notebook selected (selectedNotebook is empty)";
    }
    if (base.empty()) {
        return "No notebook service is configured (NOTEBOOK_BACKEND_URL, or PYTHON_BACKEND_URL "
               "with PYTHON_BACKEND_ENABLED)";
    }
    return {};
}

std::string notebook_id_of(const boost::json::object& data) {
    const auto* id = non_empty(data, "selectedNotebook");
    return id != nullptr ? js_trim(engine::to_text(*id)) : std::string();
}

std::string notebook_url(std::string_view base,
                         std::string_view notebook_id,
                         std::string_view suffix) {
    return std::string(base) + "/notebooks/" + encode_uri_component(notebook_id) +
           std::string(suffix);
}

std::string notebook_error(const engine::OutboundResponse& response) {
    if (const auto body = parse_json(response.body); body && body->is_object()) {
        if (const auto* detail = body->get_object().if_contains("detail");
            detail != nullptr && !detail->is_null()) {
            return detail->is_string() ? std::string(detail->get_string())
                                       : shorten(util::to_json_text(*detail));
        }
    }
    return describe_status(response.status, response.reason);
}

}  // namespace clara::nodes
