#include "api/request_parsing.hpp"

#include "api/api_error.hpp"
#include "api/execution_cursor.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

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

/// The validationErrors of the ApiError that `action` throws (empty when it throws none).
template <typename Action>
std::vector<std::string> validation_errors(Action action) {
    try {
        action();
    } catch (const ApiError& error) {
        EXPECT_EQ(error.status(), 400u);
        EXPECT_EQ(error.error(), "Validation failed");
        std::vector<std::string> problems;
        for (const auto& problem : error.extra().at("validationErrors").as_array()) {
            problems.emplace_back(problem.as_string());
        }
        return problems;
    }
    return {};
}

TEST(ParseKeysetPagination, OffsetPagesAsBefore) {
    const auto page = parse_keyset_pagination(with_query({{"limit", "10"}, {"offset", "20"}}), 50);
    EXPECT_EQ(page.limit, 10);
    EXPECT_EQ(page.offset, 20);
    EXPECT_FALSE(page.after);
    EXPECT_EQ(parse_keyset_pagination(with_query({}), 50).limit, 50);
}

TEST(ParseKeysetPagination, ReadsTheCursor) {
    const storage::ExecutionCursor cursor{1704067200051, "00000000-0000-4000-8000-000000000051"};
    const auto text = encode_execution_cursor(cursor);
    for (const auto& query : std::vector<std::vector<std::pair<std::string, std::string>>>{
             {{"cursor", text}, {"limit", "7"}},
             {{"cursor", text}, {"limit", "7"}, {"offset", "0"}}}) {
        const auto page = parse_keyset_pagination(with_query(query), 50);
        ASSERT_TRUE(page.after);
        EXPECT_EQ(page.after->created_at_ms, cursor.created_at_ms);
        EXPECT_EQ(page.after->id, cursor.id);
        EXPECT_EQ(page.limit, 7);
        EXPECT_EQ(page.offset, 0);
    }
}

TEST(ParseKeysetPagination, RefusesCursorWithOffset) {
    const auto text = encode_execution_cursor({1704067200051, "ab"});
    const auto problems = validation_errors(
        [&] { parse_keyset_pagination(with_query({{"cursor", text}, {"offset", "50"}}), 50); });
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_NE(problems[0].find("either cursor or offset"), std::string::npos) << problems[0];
}

TEST(ParseKeysetPagination, RefusesMalformedCursorSayingWhatToDo) {
    for (const std::string text : {"", "garbage!", "MTcwNDA2NzIwMDA1MQ"}) {
        const auto problems =
            validation_errors([&] { parse_keyset_pagination(with_query({{"cursor", text}}), 50); });
        ASSERT_EQ(problems.size(), 1u) << text;
        EXPECT_EQ(problems[0].rfind("cursor ", 0), 0u) << problems[0];
        EXPECT_NE(problems[0].find("without cursor"), std::string::npos) << problems[0];
    }
}

TEST(ParseKeysetPagination, ListsEveryProblemAtOnce) {
    const auto problems = validation_errors([&] {
        parse_keyset_pagination(
            with_query({{"cursor", "bad"}, {"offset", "5"}, {"limit", "0"}}), 50);
    });
    EXPECT_EQ(problems.size(), 3u);
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
