#include "api/request_parsing.hpp"

#include "api/api_error.hpp"

#include <gtest/gtest.h>

namespace clara::api {
namespace {

http::Request with_query(std::vector<std::pair<std::string, std::string>> query) {
    http::Request request;
    request.query = std::move(query);
    return request;
}

TEST(ParsePagination, UsesDefaultsAndStrictDigits) {
    auto page = parse_pagination(with_query({}), 50);
    EXPECT_EQ(page.limit, 50);
    EXPECT_EQ(page.offset, 0);
    page = parse_pagination(with_query({{"limit", "10"}, {"offset", "20"}}), 50);
    EXPECT_EQ(page.limit, 10);
    EXPECT_EQ(page.offset, 20);
}

TEST(ParsePagination, ReportsEveryProblem) {
    try {
        parse_pagination(with_query({{"limit", "10abc"}, {"offset", "-1"}}), 50);
        FAIL() << "expected ApiError";
    } catch (const ApiError& error) {
        EXPECT_EQ(error.status(), 400u);
        EXPECT_EQ(error.error(), "Validation failed");
        EXPECT_EQ(error.extra().at("validationErrors").as_array().size(), 2u);
    }
    EXPECT_THROW(parse_pagination(with_query({{"limit", "1001"}}), 50), ApiError);
    EXPECT_THROW(parse_pagination(with_query({{"limit", "0"}}), 50), ApiError);
}

TEST(ParseJsonObjectBody, AcceptsObjectsAndEmptyBodies) {
    http::Request request;
    EXPECT_TRUE(parse_json_object_body(request).empty());
    request.body = R"({"a":1})";
    request.headers.emplace_back("Content-Type", "application/json");
    EXPECT_EQ(parse_json_object_body(request).at("a"), 1);
}

TEST(ParseJsonObjectBody, RefusesMalformedDeepAndNonObjectBodies) {
    http::Request request;
    request.headers.emplace_back("Content-Type", "application/json");
    for (const std::string& body : std::vector<std::string>{"{bad", "[1,2]", "\"text\"", std::string(10000, '[')}) {
        request.body = body;
        try {
            parse_json_object_body(request);
            FAIL() << body.substr(0, 20);
        } catch (const ApiError& error) {
            EXPECT_EQ(error.status(), 400u);
            EXPECT_EQ(error.error(), "Invalid JSON body");
        }
    }
    request.headers = {{"Content-Type", "text/plain"}};
    request.body = "{}";
    EXPECT_THROW(parse_json_object_body(request), ApiError);
}

TEST(RequireUuid, AcceptsCanonicalUuidsOnly) {
    http::Request request;
    request.params = {{"id", "123e4567-e89b-12d3-a456-426614174000"}};
    EXPECT_EQ(require_uuid(request), "123e4567-e89b-12d3-a456-426614174000");
    request.params = {{"id", "123e4567e89b12d3a456426614174000"}};
    EXPECT_THROW(require_uuid(request), ApiError);
}

}  // namespace
}  // namespace clara::api
