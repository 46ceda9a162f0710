#include "http/router.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace clara::http {
namespace {

using Params = std::vector<std::pair<std::string, std::string>>;

/// Registers a handler that cannot be called; tests identify routes by their body limit.
void add_route(Router& router, std::string_view method, std::string_view pattern,
               std::size_t tag) {
    router.add(method, pattern, Handler{}, RouteOptions{tag});
}

class RouterTest : public ::testing::Test {
protected:
    RouterTest() {
        add_route(router_, "GET", "/health", 1);
        add_route(router_, "GET", "/", 2);
        add_route(router_, "GET", "/api/workflows/{slug}", 3);
        add_route(router_, "GET", "/api/workflows/{slug}/schema", 4);
        add_route(router_, "POST", "/api/workflows/{slug}/execute", 5);
        add_route(router_, "DELETE", "/api/workflows/{id}", 6);
        add_route(router_, "POST", "/api/workflows/{id}/regenerate-key", 7);
        add_route(router_, "GET", "/api/workflows/featured", 8);
        add_route(router_, "GET", "/files/{a}/{b}", 9);
        add_route(router_, "GET", "/files/{a}/latest", 10);
        add_route(router_, "post", "/api/deploy", 11);
    }

    Router router_;
};

struct MatchCase {
    std::string method;
    std::string path;
    std::size_t expected_tag;  // 0: no route
    Params expected_params;
};

TEST_F(RouterTest, MatchesTable) {
    const std::vector<MatchCase> cases = {
        {"GET", "/health", 1, {}},
        {"GET", "/health/", 1, {}},
        {"GET", "/", 2, {}},
        {"GET", "", 2, {}},
        {"GET", "/api/workflows/my-flow", 3, {{"slug", "my-flow"}}},
        {"GET", "/api/workflows/my-flow/", 3, {{"slug", "my-flow"}}},
        {"GET", "/api/workflows/my flow", 3, {{"slug", "my flow"}}},
        {"GET", "/api/workflows/my-flow/schema", 4, {{"slug", "my-flow"}}},
        {"POST", "/api/workflows/abc/execute", 5, {{"slug", "abc"}}},
        {"DELETE", "/api/workflows/1234", 6, {{"id", "1234"}}},
        {"POST", "/api/workflows/1234/regenerate-key", 7, {{"id", "1234"}}},
        {"GET", "/api/workflows/featured", 8, {}},
        {"GET", "/files/x/latest", 10, {{"a", "x"}}},
        {"GET", "/files/x/y", 9, {{"a", "x"}, {"b", "y"}}},
        {"POST", "/api/deploy", 11, {}},
        {"post", "/api/deploy", 11, {}},
        {"HEAD", "/health", 1, {}},
        {"GET", "/api/workflows", 0, {}},
        {"GET", "/api/workflows//schema", 0, {}},
        {"GET", "/api/workflows/a/b/c", 0, {}},
        {"GET", "/healthz", 0, {}},
        {"GET", "/Health", 0, {}},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.method + " " + c.path);
        Router::Match match = router_.match(c.method, c.path);
        if (c.expected_tag == 0) {
            EXPECT_EQ(match.handler, nullptr);
            continue;
        }
        ASSERT_NE(match.handler, nullptr);
        ASSERT_NE(match.options, nullptr);
        EXPECT_EQ(match.options->body_limit, c.expected_tag);
        EXPECT_EQ(match.params, c.expected_params);
        EXPECT_FALSE(match.path_known);
    }
}

TEST_F(RouterTest, LiteralSegmentBeatsParameterWhateverTheOrderOfRegistration) {
    Router router;
    add_route(router, "GET", "/a/{x}", 1);
    add_route(router, "GET", "/a/b", 2);
    EXPECT_EQ(router.match("GET", "/a/b").options->body_limit, 2u);
    EXPECT_EQ(router.match("GET", "/a/c").options->body_limit, 1u);
}

TEST_F(RouterTest, ReportsAllowedMethodsWhenPathExistsUnderAnotherMethod) {
    Router::Match match = router_.match("PUT", "/api/workflows/abc");
    EXPECT_EQ(match.handler, nullptr);
    EXPECT_TRUE(match.path_known);
    EXPECT_EQ(match.allowed_methods, (std::vector<std::string>{"GET", "DELETE", "HEAD"}));

    Router::Match post_only = router_.match("GET", "/api/deploy");
    EXPECT_TRUE(post_only.path_known);
    EXPECT_EQ(post_only.allowed_methods, (std::vector<std::string>{"POST"}));
}

TEST_F(RouterTest, UnknownPathIsNotKnown) {
    Router::Match match = router_.match("GET", "/nope");
    EXPECT_EQ(match.handler, nullptr);
    EXPECT_FALSE(match.path_known);
    EXPECT_TRUE(match.allowed_methods.empty());
}

TEST_F(RouterTest, RejectsDuplicateRouteOfSameShape) {
    EXPECT_THROW(add_route(router_, "GET", "/api/workflows/{other}", 99), std::invalid_argument);
    EXPECT_THROW(add_route(router_, "GET", "/health/", 99), std::invalid_argument);
    EXPECT_NO_THROW(add_route(router_, "PUT", "/api/workflows/{other}", 99));
}

TEST_F(RouterTest, RejectsEmptySegmentInPattern) {
    EXPECT_THROW(add_route(router_, "GET", "/a//b", 1), std::invalid_argument);
}

TEST_F(RouterTest, ExplicitHeadRouteWinsOverGet) {
    add_route(router_, "HEAD", "/health", 42);
    EXPECT_EQ(router_.match("HEAD", "/health").options->body_limit, 42u);
}

}  // namespace
}  // namespace clara::http
