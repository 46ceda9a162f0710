#pragma once

#include "http/message.hpp"

#include <string_view>

namespace clara::web {

/// Content-Security-Policy of the runner's HTML pages: scripts and styles from this origin only
/// (no inline script, no eval), images from this origin or data: URLs (Swagger UI's stylesheet
/// uses them), fetches to this origin, no plugins, no <base>, no form posts, no framing.
inline constexpr std::string_view kPageContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; manifest-src 'self'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'";

/// Adds the CSP above, `X-Content-Type-Options: nosniff`, `X-Frame-Options: DENY`,
/// `Referrer-Policy: no-referrer` and `Cache-Control: no-store` to an HTML response.
void add_page_security_headers(http::Response& response);

}  // namespace clara::web
