#include "web/asset_response.hpp"

namespace clara::web {
namespace {

constexpr std::string_view kImmutable = "public, max-age=31536000, immutable";
constexpr std::string_view kRevalidate = "no-cache";

std::string_view trim(std::string_view text) {
    const auto first = text.find_first_not_of(" \t");
    if (first == std::string_view::npos) {
        return {};
    }
    const auto last = text.find_last_not_of(" \t");
    return text.substr(first, last - first + 1);
}

std::string_view without_weak_prefix(std::string_view tag) {
    return tag.substr(0, 2) == "W/" ? tag.substr(2) : tag;
}

}  // namespace

bool if_none_match_matches(std::string_view header, std::string_view etag) {
    const auto wanted = without_weak_prefix(etag);
    while (!header.empty()) {
        const auto comma = header.find(',');
        const auto item = trim(header.substr(0, comma));
        if (item == "*" || (!item.empty() && without_weak_prefix(item) == wanted)) {
            return true;
        }
        if (comma == std::string_view::npos) {
            break;
        }
        header.remove_prefix(comma + 1);
    }
    return false;
}

http::Response asset_response(const StaticAsset& asset, const http::Request& request) {
    const bool versioned = request.query_param("v") == std::string_view(asset.version);
    http::Response response;
    response.content_type = asset.content_type;
    response.set_header("ETag", asset.etag);
    response.set_header("Cache-Control", std::string(versioned ? kImmutable : kRevalidate));
    response.set_header("X-Content-Type-Options", "nosniff");
    if (const auto header = request.header("If-None-Match");
        !header.empty() && if_none_match_matches(header, asset.etag)) {
        response.status = 304;
        return response;
    }
    response.status = 200;
    response.body = std::string(asset.bytes);
    return response;
}

}  // namespace clara::web
