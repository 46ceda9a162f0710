#include "web/web_routes.hpp"

#include "nodes/builtin_catalog.hpp"
#include "storage/sqlite/sqlite_store.hpp"
#include "web/static_assets.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json.hpp>
#include <gtest/gtest.h>

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

class WebRoutesTest : public ::testing::Test {
protected:
    WebRoutesTest() {
        add("11111111-1111-4111-8111-111111111111", "greeter", "Greeter");
        add("22222222-2222-4222-8222-222222222222", "xss", "<script>alert(1)</script>");
        store_.migrate();
        add_web_routes(router_, deployments_, "http://runner.test:8080");
    }

    void add(std::string id, std::string slug, std::string name) {
        auto deployed = std::make_shared<service::DeployedWorkflow>();
        deployed->record.api_key_hash = "hash-" + id;
        deployed->record.id = std::move(id);
        deployed->record.slug = std::move(slug);
        deployed->record.name = std::move(name);
        deployments_.put(deployed);
    }

    /// Runs the route's handler as the server would; a missing route fails the test.
    http::Response get(std::string path,
                       std::vector<std::pair<std::string, std::string>> query = {},
                       http::HeaderList headers = {}) {
        auto match = router_.match("GET", path);
        EXPECT_NE(match.handler, nullptr) << path;
        if (match.handler == nullptr) {
            return http::Response::text(599, "text/plain", "no route");
        }
        http::Request request;
        request.method = "GET";
        request.path = path;
        request.target = path;
        request.query = std::move(query);
        request.headers = std::move(headers);
        request.params = std::move(match.params);
        boost::asio::io_context io;
        // A lookup in the store resumes the handler from the blocking pool: keep running until
        // the response is there rather than until the queue is momentarily empty.
        auto guard = boost::asio::make_work_guard(io);
        auto result = boost::asio::co_spawn(io, (*match.handler)(request), boost::asio::use_future);
        while (result.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
            io.run_one_for(std::chrono::milliseconds(10));
        }
        return result.get();
    }

    // An empty database behind the cache: a slug the cache does not hold is looked up there.
    storage::SqliteStore store_{":memory:"};
    service::BlockingPool blocking_{1};
    service::DeploymentDirectory deployments_{store_, blocking_, nodes::builtin_catalog(), 10};
    http::Router router_;
};

TEST_F(WebRoutesTest, ServesTheDashboardAtRootAndDashboard) {
    for (const auto* path : {"/", "/dashboard"}) {
        const auto response = get(path);
        EXPECT_EQ(response.status, 200u) << path;
        EXPECT_EQ(response.content_type, "text/html; charset=utf-8");
        EXPECT_NE(response.body.find("<title>Clara Agent Runner</title>"), std::string::npos);
        EXPECT_FALSE(header_of(response, "Content-Security-Policy").empty());
    }
}

TEST_F(WebRoutesTest, WorkflowDocsPageIsTitledWithTheWorkflowName) {
    const auto response = get("/api/workflows/greeter/docs");
    EXPECT_EQ(response.status, 200u);
    EXPECT_NE(response.body.find("<title>Greeter - API Documentation</title>"), std::string::npos);
    EXPECT_NE(response.body.find("data-spec-url=\"./schema\""), std::string::npos);
    EXPECT_FALSE(header_of(response, "Content-Security-Policy").empty());
    EXPECT_EQ(header_of(response, "X-Content-Type-Options"), "nosniff");
}

TEST_F(WebRoutesTest, WorkflowDocsPageRendersAScriptNameAsText) {
    const auto response = get("/api/workflows/xss/docs");
    EXPECT_EQ(response.status, 200u);
    EXPECT_NE(response.body.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
    EXPECT_EQ(response.body.find("<script>alert(1)"), std::string::npos);
}

TEST_F(WebRoutesTest, WorkflowDocsPageWithTrailingSlashStillFindsTheSchema) {
    const auto response = get("/api/workflows/greeter/docs/");
    EXPECT_EQ(response.status, 200u);
    EXPECT_NE(response.body.find("data-spec-url=\"../schema\""), std::string::npos);
}

TEST_F(WebRoutesTest, UnknownWorkflowGetsAnHtmlNotFoundPage) {
    const auto response = get("/api/workflows/nobody/docs");
    EXPECT_EQ(response.status, 404u);
    EXPECT_EQ(response.content_type, "text/html; charset=utf-8");
    EXPECT_NE(response.body.find("<h1>Workflow not found</h1>"), std::string::npos);
}

TEST_F(WebRoutesTest, MalformedSlugGetsAnHtmlBadRequestPage) {
    const auto response = get("/api/workflows/Not_A_Slug/docs");
    EXPECT_EQ(response.status, 400u);
    EXPECT_NE(response.body.find("<h1>Invalid slug format</h1>"), std::string::npos);
}

TEST_F(WebRoutesTest, RunnerDocsPageLoadsTheRunnerDocument) {
    const auto response = get("/api/docs");
    EXPECT_EQ(response.status, 200u);
    EXPECT_NE(response.body.find("<title>Clara Agent Runner API - API Documentation</title>"),
              std::string::npos);
    EXPECT_NE(response.body.find("data-spec-url=\"./openapi.json\""), std::string::npos);
}

TEST_F(WebRoutesTest, RunnerDocumentNamesThisServer) {
    const auto response = get("/api/openapi.json");
    EXPECT_EQ(response.status, 200u);
    EXPECT_EQ(response.content_type, "application/json; charset=utf-8");
    const auto document = boost::json::parse(response.body);
    EXPECT_EQ(document.at("servers").at(0).at("url"), "http://runner.test:8080");
    EXPECT_TRUE(document.at("paths").as_object().contains("/api/deploy"));
}

TEST_F(WebRoutesTest, ServesEveryAssetWithItsTypeAndValidators) {
    for (const auto& asset : AssetTable::builtin().assets()) {
        const auto response = get(asset.url_path);
        EXPECT_EQ(response.status, 200u) << asset.url_path;
        EXPECT_EQ(response.content_type, asset.content_type);
        EXPECT_EQ(response.body.size(), asset.bytes.size());
        EXPECT_EQ(header_of(response, "ETag"), asset.etag);
    }
}

TEST_F(WebRoutesTest, AssetRevalidationAnswersNotModified) {
    const auto& asset = AssetTable::builtin().at(asset_paths::kSwaggerBundle);
    const auto response =
        get(asset.url_path, {{"v", asset.version}}, {{"If-None-Match", asset.etag}});
    EXPECT_EQ(response.status, 304u);
    EXPECT_TRUE(response.body.empty());
    EXPECT_EQ(header_of(response, "Cache-Control"), "public, max-age=31536000, immutable");
}

TEST_F(WebRoutesTest, UnknownAssetHasNoRoute) {
    EXPECT_EQ(router_.match("GET", "/assets/swagger-ui/swagger-ui.js").handler, nullptr);
    EXPECT_EQ(router_.match("GET", "/assets/../src/main.cpp").handler, nullptr);
}

}  // namespace
}  // namespace clara::web
