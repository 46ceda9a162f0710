#pragma once

#include "http/message.hpp"
#include "web/static_assets.hpp"

#include <string>
#include <string_view>

namespace clara::web {

/// The runner's HTML pages, rendered from the embedded templates (web/dashboard/index.html,
/// web/docs/docs.html) with content-versioned asset URLs. Every response carries the page
/// security headers (security_headers.hpp).
class Pages {
public:
    /// Renders the dashboard once; throws std::runtime_error when a template is not embedded.
    explicit Pages(const AssetTable& assets);

    /// The dashboard page.
    http::Response dashboard() const;

    /// A Swagger UI page titled `<title> - API Documentation` showing the OpenAPI document at
    /// `spec_url` (relative to the page). Both are HTML-escaped.
    http::Response docs(std::string_view title, std::string_view spec_url) const;

    /// A minimal page whose only content is `<h1>heading</h1>` (heading escaped).
    static http::Response message(unsigned status, std::string_view heading);

private:
    const AssetTable& assets_;
    std::string_view docs_template_;
    std::string dashboard_html_;
};

}  // namespace clara::web
