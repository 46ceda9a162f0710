#include "http/request_target.hpp"

#include <gtest/gtest.h>

namespace clara::http {
namespace {

TEST(ParseRequestTarget, DecodesPathAndQuery) {
    Request request;
    ASSERT_TRUE(parse_request_target("/api/x%20y?limit=5&q=a+b&q=%C3%A9", request));
    EXPECT_EQ(request.path, "/api/x y");
    ASSERT_EQ(request.query.size(), 3u);
    EXPECT_EQ(request.query[0], (std::pair<std::string, std::string>{"limit", "5"}));
    EXPECT_EQ(request.query[1].second, "a b");
    EXPECT_EQ(request.query[2].second, "\xC3\xA9");
}

TEST(ParseRequestTarget, EmptyQueryHasNoParameters) {
    Request request;
    ASSERT_TRUE(parse_request_target("/health?", request));
    EXPECT_EQ(request.path, "/health");
    EXPECT_TRUE(request.query.empty());
}

TEST(ParseRequestTarget, RefusesFragmentsIncludingAfterAnEmptyQuery) {
    // `?#` once crashed the server through Boost.URL's params iterator (found by fuzzing).
    for (const auto* target : {"/health?#", "/?#x", "/health#top", "/a?b=1#c"}) {
        Request request;
        EXPECT_FALSE(parse_request_target(target, request)) << target;
    }
}

TEST(ParseRequestTarget, RefusesTargetsThatAreNotOriginForm) {
    for (const auto* target : {"", "*", "health", "/bad%zz", "htAtp:\xC6", "/caf\xC3\xA9",
                               "ftp://host/x"}) {
        Request request;
        EXPECT_FALSE(parse_request_target(target, request)) << target;
    }
}

}  // namespace
}  // namespace clara::http
