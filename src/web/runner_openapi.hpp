#pragma once

#include <boost/json/object.hpp>

#include <string_view>

namespace clara::web {

/// The OpenAPI 3.0.3 document of the runner's own API (web/openapi/runner-api.json, embedded)
/// with `servers[0].url` set to `base_url`. Throws std::runtime_error when the embedded file is
/// missing or not a JSON object.
boost::json::object runner_openapi_document(std::string_view base_url);

}  // namespace clara::web
