#include "http/message.hpp"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

namespace clara::http {
namespace {

TEST(Request, FindsHeadersCaseInsensitively) {
    Request request;
    request.headers = {{"Content-Type", "application/json"}, {"X-Api-Key", "k1"}};
    EXPECT_EQ(request.header("content-type"), "application/json");
    EXPECT_EQ(request.header("X-API-KEY"), "k1");
    EXPECT_TRUE(request.has_header("x-api-key"));
    EXPECT_FALSE(request.has_header("Authorization"));
    EXPECT_EQ(request.header("Authorization"), "");
}

TEST(Request, ReturnsFirstQueryParameterWithName) {
    Request request;
    request.query = {{"limit", "5"}, {"limit", "7"}, {"empty", ""}};
    EXPECT_EQ(request.query_param("limit"), "5");
    ASSERT_TRUE(request.query_param("empty").has_value());
    EXPECT_EQ(*request.query_param("empty"), "");
    EXPECT_FALSE(request.query_param("LIMIT").has_value());
}

TEST(Request, ReturnsRouteParameterOrEmpty) {
    Request request;
    request.params = {{"slug", "my-flow"}};
    EXPECT_EQ(request.param("slug"), "my-flow");
    EXPECT_EQ(request.param("id"), "");
}

TEST(Response, JsonSerialisesValueWithJsonContentType) {
    Response response = Response::json(201, boost::json::value{{"ok", true}});
    EXPECT_EQ(response.status, 201u);
    EXPECT_EQ(response.content_type, "application/json");
    EXPECT_EQ(boost::json::parse(response.body), (boost::json::value{{"ok", true}}));
}

TEST(Response, TextKeepsContentTypeAndBody) {
    Response response = Response::text(200, "text/html; charset=utf-8", "<p>hi</p>");
    EXPECT_EQ(response.content_type, "text/html; charset=utf-8");
    EXPECT_EQ(response.body, "<p>hi</p>");
}

TEST(Response, SetHeaderReplacesExistingHeaderIgnoringCase) {
    Response response;
    response.set_header("Retry-After", "5");
    response.set_header("X-Other", "a");
    response.set_header("retry-after", "10");
    ASSERT_EQ(response.headers.size(), 2u);
    EXPECT_EQ(response.headers[0].first, "retry-after");
    EXPECT_EQ(response.headers[0].second, "10");
    EXPECT_EQ(response.headers[1].second, "a");
}

}  // namespace
}  // namespace clara::http
