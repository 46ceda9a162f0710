#include "web/pages.hpp"

#include "util/embedded_files.hpp"
#include "web/html_escape.hpp"
#include "web/html_template.hpp"
#include "web/security_headers.hpp"

#include <stdexcept>

namespace clara::web {
namespace {

namespace paths = asset_paths;

constexpr std::string_view kHtml = "text/html; charset=utf-8";
constexpr std::string_view kDashboardTemplate = "web/dashboard/index.html";
constexpr std::string_view kDocsTemplate = "web/docs/docs.html";

std::string_view embedded_template(std::string_view path) {
    const auto text = util::find_embedded_file(path);
    if (!text) {
        throw std::runtime_error("page template not embedded: " + std::string(path));
    }
    return *text;
}

http::Response html_response(unsigned status, std::string body) {
    auto response = http::Response::text(status, std::string(kHtml), std::move(body));
    add_page_security_headers(response);
    return response;
}

}  // namespace

Pages::Pages(const AssetTable& assets)
    : assets_(assets), docs_template_(embedded_template(kDocsTemplate)) {
    dashboard_html_ = render_template(
        embedded_template(kDashboardTemplate),
        {{"faviconUrl", assets_.at(paths::kFavicon).versioned_url()},
         {"dashboardCssUrl", assets_.at(paths::kDashboardCss).versioned_url()},
         {"dashboardJsUrl", assets_.at(paths::kDashboardJs).versioned_url()}});
}

http::Response Pages::dashboard() const {
    return html_response(200, dashboard_html_);
}

http::Response Pages::docs(std::string_view title, std::string_view spec_url) const {
    const auto url = [this](std::string_view path) { return assets_.at(path).versioned_url(); };
    return html_response(200, render_template(docs_template_,
                                              {{"title", std::string(title)},
                                               {"specUrl", std::string(spec_url)},
                                               {"faviconUrl", url(paths::kFavicon)},
                                               {"swaggerCssUrl", url(paths::kSwaggerCss)},
                                               {"docsCssUrl", url(paths::kDocsCss)},
                                               {"swaggerBundleUrl", url(paths::kSwaggerBundle)},
                                               {"swaggerPresetUrl", url(paths::kSwaggerPreset)},
                                               {"docsJsUrl", url(paths::kDocsJs)}}));
}

http::Response Pages::message(unsigned status, std::string_view heading) {
    const auto text = html_escape(heading);
    return html_response(status,
                         "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                         "<title>" + text + "</title>\n</head>\n<body>\n<h1>" + text +
                             "</h1>\n</body>\n</html>\n");
}

}  // namespace clara::web
