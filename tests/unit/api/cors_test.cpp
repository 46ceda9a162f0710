#include "api/cors.hpp"

#include <gtest/gtest.h>

namespace clara::api {
namespace {

http::Request request_from(std::string origin) {
    http::Request request;
    request.method = "GET";
    if (!origin.empty()) {
        request.headers.emplace_back("Origin", std::move(origin));
    }
    return request;
}

TEST(CorsPolicy, WildcardAllowsAnyOriginWithoutCredentials) {
    const CorsPolicy cors({"*"});
    http::Response response;
    cors.apply(request_from("https://app.example"), response);
    ASSERT_FALSE(response.headers.empty());
    EXPECT_EQ(response.headers[0], (std::pair<std::string, std::string>{"Access-Control-Allow-Origin", "*"}));
    for (const auto& [name, value] : response.headers) {
        EXPECT_NE(name, "Access-Control-Allow-Credentials");
    }
}

TEST(CorsPolicy, ListEchoesOnlyAllowedOriginsAndVaries) {
    const CorsPolicy cors({"https://a.example", "https://b.example"});
    http::Response allowed;
    cors.apply(request_from("https://b.example"), allowed);
    ASSERT_GE(allowed.headers.size(), 2u);
    EXPECT_EQ(allowed.headers[0].second, "https://b.example");
    EXPECT_EQ(allowed.headers[1], (std::pair<std::string, std::string>{"Vary", "Origin"}));

    http::Response refused;
    cors.apply(request_from("https://evil.example"), refused);
    EXPECT_TRUE(refused.headers.empty());
    http::Response no_origin;
    cors.apply(request_from(""), no_origin);
    EXPECT_TRUE(no_origin.headers.empty());
}

TEST(CorsPolicy, PreflightListsMethodsAndHeadersForAllowedOrigins) {
    const CorsPolicy cors({"https://a.example"});
    const auto ok = cors.preflight(request_from("https://a.example"), "POST");
    EXPECT_EQ(ok.status, 204u);
    bool has_methods = false;
    for (const auto& [name, value] : ok.headers) {
        if (name == "Access-Control-Allow-Methods") {
            has_methods = true;
            EXPECT_EQ(value, "POST, OPTIONS");
        }
    }
    EXPECT_TRUE(has_methods);
    EXPECT_TRUE(cors.preflight(request_from("https://other.example"), "POST").headers.empty());
}

}  // namespace
}  // namespace clara::api
