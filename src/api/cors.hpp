#pragma once

#include "http/message.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace clara::api {

/// CORS_ORIGINS as an allowlist: `*` allows any origin (without credentials); otherwise only
/// the listed origins are echoed back. Parsed once at start.
class CorsPolicy {
public:
    explicit CorsPolicy(std::vector<std::string> origins);

    /// Adds the CORS response headers for the request's Origin, when it is allowed.
    void apply(const http::Request& request, http::Response& response) const;

    /// The answer to a preflight (OPTIONS) request for a path that supports `methods`.
    http::Response preflight(const http::Request& request, std::string_view methods) const;

    bool allows(std::string_view origin) const;

private:
    bool any_ = false;
    std::vector<std::string> origins_;
};

}  // namespace clara::api
