#include "web/web_routes.hpp"

#include "service/slug.hpp"
#include "util/json_text.hpp"
#include "web/asset_response.hpp"
#include "web/pages.hpp"
#include "web/runner_openapi.hpp"
#include "web/static_assets.hpp"

#include <spdlog/spdlog.h>

#include <memory>

namespace clara::web {
namespace {

using Awaitable = boost::asio::awaitable<http::Response>;

constexpr std::string_view kRunnerTitle = "Clara Agent Runner API";

/// What the handlers share, built once when the routes are added.
struct WebContent {
    const AssetTable& assets;
    Pages pages;
    std::string runner_openapi_text;
};

/// A URL of `name` next to the page at `path`. The router accepts a trailing slash, and
/// `./schema` under `/docs/` would resolve to `/docs/schema`.
std::string sibling_url(std::string_view path, std::string_view name) {
    return (path.size() > 1 && path.back() == '/' ? "../" : "./") + std::string(name);
}

Awaitable workflow_docs(const WebContent& content, service::DeploymentDirectory& deployments,
                        const http::Request& request) {
    const auto slug = request.param("slug");
    if (!service::is_valid_slug(slug)) {
        co_return Pages::message(400, "Invalid slug format");
    }
    const auto deployment =
        co_await deployments.find(service::DeploymentKey::kSlug, std::string(slug));
    if (deployment == nullptr) {
        co_return Pages::message(404, "Workflow not found");
    }
    co_return content.pages.docs(deployment->record.name, sibling_url(request.path, "schema"));
}

}  // namespace

void add_web_routes(http::Router& router, api::AppContext& app) {
    add_web_routes(router, app.deployments, app.settings.base_url);
}

void add_web_routes(http::Router& router, service::DeploymentDirectory& deployments,
                    std::string_view base_url) {
    const http::RouteOptions no_body{.body_limit = 16 * 1024};
    const auto& assets = AssetTable::builtin();
    auto content = std::make_shared<const WebContent>(WebContent{
        assets, Pages(assets), util::to_json_text(runner_openapi_document(base_url))});

    auto dashboard = [content](http::Request&) -> Awaitable {
        co_return content->pages.dashboard();
    };
    router.add("GET", "/", dashboard, no_body);
    router.add("GET", "/dashboard", dashboard, no_body);

    router.add(
        "GET", "/api/docs",
        [content](http::Request& request) -> Awaitable {
            co_return content->pages.docs(kRunnerTitle, sibling_url(request.path, "openapi.json"));
        },
        no_body);
    router.add(
        "GET", "/api/openapi.json",
        [content](http::Request&) -> Awaitable {
            co_return http::Response::text(200, "application/json; charset=utf-8",
                                           content->runner_openapi_text);
        },
        no_body);
    router.add(
        "GET", "/api/workflows/{slug}/docs",
        [content, &deployments](http::Request& request) -> Awaitable {
            try {
                co_return co_await workflow_docs(*content, deployments, request);
            } catch (const std::exception& error) {
                spdlog::error("docs page of '{}' failed: {}", request.param("slug"), error.what());
                co_return Pages::message(500, "Error loading documentation");
            }
        },
        no_body);

    for (const auto& asset : assets.assets()) {
        router.add(
            "GET", asset.url_path,
            [&asset](http::Request& request) -> Awaitable {
                co_return asset_response(asset, request);
            },
            no_body);
    }
}

}  // namespace clara::web
