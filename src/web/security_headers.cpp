#include "web/security_headers.hpp"

namespace clara::web {

void add_page_security_headers(http::Response& response) {
    response.set_header("Content-Security-Policy", std::string(kPageContentSecurityPolicy));
    response.set_header("X-Content-Type-Options", "nosniff");
    // For browsers that predate frame-ancestors.
    response.set_header("X-Frame-Options", "DENY");
    response.set_header("Referrer-Policy", "no-referrer");
    response.set_header("Cross-Origin-Opener-Policy", "same-origin");
    // Pages name their assets by content version, so the page itself must never be stale.
    response.set_header("Cache-Control", "no-store");
}

}  // namespace clara::web
