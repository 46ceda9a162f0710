#pragma once

// Where the notebook nodes find the notebook service (NOTEBOOK_BACKEND_URL, default
// PYTHON_BACKEND_URL) and how they read its errors.

#include <boost/json/object.hpp>
#include <string>
#include <string_view>

#include "config/service_settings.hpp"
#include "engine/http_client.hpp"

namespace clara::nodes {

/// The notebook service's base URL without a trailing slash; "" when none is configured
/// (no NOTEBOOK_BACKEND_URL and the Python backend disabled).
std::string notebook_base_url(const config::ServiceSettings& settings);

/// Why a notebook node cannot call the service (no notebook selected, or `base` from
/// notebook_base_url() empty), for its soft failure; "" when it can.
std::string notebook_call_problem(std::string_view notebook_id, std::string_view base);

/// `data.selectedNotebook` as text, trimmed ("" when unset).
std::string notebook_id_of(const boost::json::object& data);

/// `{base}/notebooks/{id}{suffix}` with the id encoded as one path segment.
std::string notebook_url(std::string_view base,
                         std::string_view notebook_id,
                         std::string_view suffix);

/// The error of a non-2xx answer: the JSON `detail` (text as is, anything else as JSON), else
/// the status line.
std::string notebook_error(const engine::OutboundResponse& response);

}  // namespace clara::nodes
