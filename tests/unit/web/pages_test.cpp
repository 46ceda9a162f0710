#include "web/pages.hpp"

#include "web/security_headers.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace clara::web {
namespace {

std::string_view header_of(const http::Response& response, std::string_view name) {
    for (const auto& [key, value] : response.headers) {
        if (key == name) {
            return value;
        }
    }
    return {};
}

/// The values of every `name="..."` attribute in `html`.
std::vector<std::string> attribute_values(const std::string& html, std::string_view name) {
    std::vector<std::string> values;
    const std::string marker = " " + std::string(name) + "=\"";
    for (auto at = html.find(marker); at != std::string::npos; at = html.find(marker, at + 1)) {
        const auto start = at + marker.size();
        values.push_back(html.substr(start, html.find('"', start) - start));
    }
    return values;
}

/// Every <script> element of `html` loads a file and has no inline code.
void expect_no_inline_script(const std::string& html) {
    std::size_t count = 0;
    for (auto at = html.find("<script"); at != std::string::npos;
         at = html.find("<script", at + 1)) {
        ++count;
        const auto end = html.find('>', at);
        const auto tag = html.substr(at, end - at + 1);
        EXPECT_EQ(tag.rfind("<script src=\"", 0), 0u) << tag;
        EXPECT_EQ(html.compare(end + 1, 9, "</script>"), 0) << "inline code after " << tag;
    }
    EXPECT_GT(count, 0u);
}

/// Scripts, styles and icons come from this server's versioned assets only (no CDN).
void expect_local_versioned_assets(const std::string& html, const AssetTable& assets) {
    std::vector<std::string> urls = attribute_values(html, "src");
    for (const auto& href : attribute_values(html, "href")) {
        if (href.rfind("/assets/", 0) == 0 || href.find("://") != std::string::npos) {
            urls.push_back(href);
        }
    }
    ASSERT_FALSE(urls.empty());
    for (const auto& url : urls) {
        EXPECT_EQ(url.find("://"), std::string::npos) << url;
        const auto question = url.find('?');
        const auto* asset = assets.find(url.substr(0, question));
        ASSERT_NE(asset, nullptr) << url;
        EXPECT_EQ(url, asset->versioned_url());
    }
}

void expect_page_security_headers(const http::Response& response) {
    const auto csp = header_of(response, "Content-Security-Policy");
    EXPECT_EQ(csp, kPageContentSecurityPolicy);
    EXPECT_NE(csp.find("script-src 'self'"), std::string_view::npos);
    EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string_view::npos);
    EXPECT_EQ(csp.find("unsafe-inline"), std::string_view::npos);
    EXPECT_EQ(csp.find("unsafe-eval"), std::string_view::npos);
    EXPECT_EQ(header_of(response, "X-Content-Type-Options"), "nosniff");
    EXPECT_EQ(header_of(response, "X-Frame-Options"), "DENY");
    EXPECT_EQ(header_of(response, "Referrer-Policy"), "no-referrer");
}

class PagesTest : public ::testing::Test {
protected:
    const AssetTable& assets_ = AssetTable::builtin();
    Pages pages_{assets_};
};

TEST_F(PagesTest, DocsPageEscapesAScriptInTheWorkflowName) {
    const auto response = pages_.docs("<script>alert(1)</script>", "./schema");
    EXPECT_EQ(response.status, 200u);
    EXPECT_NE(response.body.find("<title>&lt;script&gt;alert(1)&lt;/script&gt; - API Documentation"
                                 "</title>"),
              std::string::npos);
    EXPECT_EQ(response.body.find("<script>alert"), std::string::npos);
    EXPECT_EQ(response.body.find("alert(1)</script>"), std::string::npos);
}

TEST_F(PagesTest, DocsPageEscapesAnAttributeBreakoutInTheSpecUrl) {
    const auto response = pages_.docs("x", "./schema\" onerror=\"alert(1)");
    EXPECT_NE(response.body.find("data-spec-url=\"./schema&quot; onerror=&quot;alert(1)\""),
              std::string::npos);
}

TEST_F(PagesTest, DocsPageHandsTheSpecUrlToTheInitScriptThroughADataAttribute) {
    const auto response = pages_.docs("Greeter", "./schema");
    EXPECT_NE(response.body.find("<main id=\"swagger-ui\" data-spec-url=\"./schema\">"),
              std::string::npos);
    EXPECT_NE(response.body.find("<title>Greeter - API Documentation</title>"), std::string::npos);
    expect_no_inline_script(response.body);
}

TEST_F(PagesTest, DocsPageLoadsSwaggerUiFromThisServerOnly) {
    const auto response = pages_.docs("Greeter", "./schema");
    expect_local_versioned_assets(response.body, assets_);
    for (const auto path : {asset_paths::kSwaggerCss, asset_paths::kSwaggerBundle,
                            asset_paths::kSwaggerPreset, asset_paths::kDocsJs}) {
        EXPECT_NE(response.body.find(assets_.at(path).versioned_url()), std::string::npos) << path;
    }
    // The bundle and preset define globals the init script uses, so they load first.
    const auto init = response.body.find(asset_paths::kDocsJs);
    EXPECT_LT(response.body.find(asset_paths::kSwaggerBundle), init);
    EXPECT_LT(response.body.find(asset_paths::kSwaggerPreset), init);
}

TEST_F(PagesTest, DocsPageCarriesTheSecurityHeaders) {
    const auto response = pages_.docs("Greeter", "./schema");
    EXPECT_EQ(response.content_type, "text/html; charset=utf-8");
    expect_page_security_headers(response);
}

TEST_F(PagesTest, DashboardIsFullyRenderedAndLoadsOnlyLocalAssets) {
    const auto response = pages_.dashboard();
    EXPECT_EQ(response.status, 200u);
    EXPECT_EQ(response.content_type, "text/html; charset=utf-8");
    EXPECT_EQ(response.body.find("{{"), std::string::npos);
    EXPECT_NE(response.body.find("<title>Clara Agent Runner</title>"), std::string::npos);
    EXPECT_NE(response.body.find(assets_.at(asset_paths::kDashboardJs).versioned_url()),
              std::string::npos);
    EXPECT_NE(response.body.find(assets_.at(asset_paths::kDashboardCss).versioned_url()),
              std::string::npos);
    expect_no_inline_script(response.body);
    expect_local_versioned_assets(response.body, assets_);
    expect_page_security_headers(response);
}

TEST_F(PagesTest, DashboardHasNoInlineEventHandlersOrStyles) {
    const auto body = pages_.dashboard().body;
    // CSP forbids them, so any would silently not work.
    for (const auto attribute : {" onclick=", " onload=", " onsubmit=", " onchange=", " style="}) {
        EXPECT_EQ(body.find(attribute), std::string::npos) << attribute;
    }
}

TEST(PagesMessage, RendersOneEscapedHeadingWithTheStatus) {
    const auto response = Pages::message(404, "Workflow not found");
    EXPECT_EQ(response.status, 404u);
    EXPECT_EQ(response.content_type, "text/html; charset=utf-8");
    EXPECT_NE(response.body.find("<h1>Workflow not found</h1>"), std::string::npos);
    expect_page_security_headers(response);
    EXPECT_NE(Pages::message(400, "<b>").body.find("<h1>&lt;b&gt;</h1>"), std::string::npos);
}

}  // namespace
}  // namespace clara::web
