#include "api/cors.hpp"

#include <algorithm>

namespace clara::api {
namespace {

constexpr std::string_view kAllowedHeaders = "Authorization, Content-Type, X-Request-Id";
constexpr std::string_view kExposedHeaders =
    "X-Request-Id, Retry-After, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, RateLimit-Policy";

}  // namespace

CorsPolicy::CorsPolicy(std::vector<std::string> origins) {
    for (auto& origin : origins) {
        if (origin == "*") {
            any_ = true;
        } else {
            origins_.push_back(std::move(origin));
        }
    }
}

bool CorsPolicy::allows(std::string_view origin) const {
    return any_ || std::find(origins_.begin(), origins_.end(), origin) != origins_.end();
}

void CorsPolicy::apply(const http::Request& request, http::Response& response) const {
    const auto origin = request.header("Origin");
    if (origin.empty() || !allows(origin)) {
        return;
    }
    // `*` never comes with credentials; a listed origin is echoed, so caches must vary on it.
    if (any_) {
        response.set_header("Access-Control-Allow-Origin", "*");
    } else {
        response.set_header("Access-Control-Allow-Origin", std::string(origin));
        response.set_header("Vary", "Origin");
    }
    response.set_header("Access-Control-Expose-Headers", std::string(kExposedHeaders));
}

http::Response CorsPolicy::preflight(const http::Request& request, std::string_view methods) const {
    http::Response response;
    response.status = 204;
    response.content_type.clear();
    apply(request, response);
    if (response.headers.empty()) {
        return response;  // origin not allowed: no CORS headers, the browser blocks the call
    }
    response.set_header("Access-Control-Allow-Methods", std::string(methods) + ", OPTIONS");
    response.set_header("Access-Control-Allow-Headers", std::string(kAllowedHeaders));
    response.set_header("Access-Control-Max-Age", "600");
    return response;
}

}  // namespace clara::api
