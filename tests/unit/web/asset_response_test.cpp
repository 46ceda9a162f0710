#include "web/asset_response.hpp"

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

StaticAsset sample_asset() {
    StaticAsset asset;
    asset.url_path = "/assets/docs/docs.js";
    asset.content_type = "text/javascript; charset=utf-8";
    asset.bytes = "console.log(1);";
    asset.version = "0123456789abcdef";
    asset.etag = "\"0123456789abcdef\"";
    return asset;
}

http::Request get_request() {
    http::Request request;
    request.method = "GET";
    request.path = "/assets/docs/docs.js";
    request.target = request.path;
    return request;
}

TEST(IfNoneMatch, MatchesTheSameTagWeakOrStrong) {
    EXPECT_TRUE(if_none_match_matches("\"abc\"", "\"abc\""));
    EXPECT_TRUE(if_none_match_matches("W/\"abc\"", "\"abc\""));
    EXPECT_TRUE(if_none_match_matches("\"abc\"", "W/\"abc\""));
}

TEST(IfNoneMatch, MatchesAnyTagOfAListOrAStar) {
    EXPECT_TRUE(if_none_match_matches("\"x\", \"abc\" ,\"y\"", "\"abc\""));
    EXPECT_TRUE(if_none_match_matches(" * ", "\"abc\""));
}

TEST(IfNoneMatch, RejectsOtherTagsAndUnquotedValues) {
    EXPECT_FALSE(if_none_match_matches("\"abd\"", "\"abc\""));
    EXPECT_FALSE(if_none_match_matches("abc", "\"abc\""));
    EXPECT_FALSE(if_none_match_matches("\"abc\"x", "\"abc\""));
    EXPECT_FALSE(if_none_match_matches("", "\"abc\""));
    EXPECT_FALSE(if_none_match_matches(" , ", "\"abc\""));
}

TEST(AssetResponse, ServesTheBytesWithTypeEtagAndNosniff) {
    const auto asset = sample_asset();
    const auto response = asset_response(asset, get_request());
    EXPECT_EQ(response.status, 200u);
    EXPECT_EQ(response.body, "console.log(1);");
    EXPECT_EQ(response.content_type, "text/javascript; charset=utf-8");
    EXPECT_EQ(header_of(response, "ETag"), "\"0123456789abcdef\"");
    EXPECT_EQ(header_of(response, "X-Content-Type-Options"), "nosniff");
}

TEST(AssetResponse, AnswersNotModifiedWhenTheEtagMatches) {
    const auto asset = sample_asset();
    auto request = get_request();
    request.headers.emplace_back("if-none-match", "W/\"0123456789abcdef\"");
    const auto response = asset_response(asset, request);
    EXPECT_EQ(response.status, 304u);
    EXPECT_TRUE(response.body.empty());
    EXPECT_EQ(header_of(response, "ETag"), "\"0123456789abcdef\"");
    EXPECT_EQ(header_of(response, "Cache-Control"), "no-cache");
}

TEST(AssetResponse, ServesTheBodyAgainWhenTheEtagIsStale) {
    const auto asset = sample_asset();
    auto request = get_request();
    request.headers.emplace_back("If-None-Match", "\"fedcba9876543210\"");
    EXPECT_EQ(asset_response(asset, request).status, 200u);
}

TEST(AssetResponse, LetsVersionedUrlsBeCachedAsImmutable) {
    const auto asset = sample_asset();
    auto request = get_request();
    request.query.emplace_back("v", "0123456789abcdef");
    EXPECT_EQ(header_of(asset_response(asset, request), "Cache-Control"),
              "public, max-age=31536000, immutable");
}

TEST(AssetResponse, MakesUnversionedOrOutdatedUrlsRevalidate) {
    const auto asset = sample_asset();
    EXPECT_EQ(header_of(asset_response(asset, get_request()), "Cache-Control"), "no-cache");
    auto outdated = get_request();
    outdated.query.emplace_back("v", "ffffffffffffffff");
    EXPECT_EQ(header_of(asset_response(asset, outdated), "Cache-Control"), "no-cache");
}

}  // namespace
}  // namespace clara::web
