#pragma once

#include "api/app_context.hpp"
#include "http/router.hpp"

namespace clara::api {

/// Every route of the runner, on one screen (routes.cpp).
http::Router build_router(AppContext& app);

/// Error bodies for failures the transport detects itself (404, 405, 413, malformed requests).
http::Response transport_error(unsigned status, std::string_view error, std::string_view message);

}  // namespace clara::api
