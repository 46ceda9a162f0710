#pragma once

#include "http/message.hpp"
#include "web/static_assets.hpp"

#include <string_view>

namespace clara::web {

/// Whether an If-None-Match header value names `etag`: `*`, or a comma-separated list of entity
/// tags compared weakly (a `W/` prefix is ignored), as RFC 9110 § 13.1.2 asks for GET.
bool if_none_match_matches(std::string_view header, std::string_view etag);

/// The asset as a 200 response, or 304 without a body when the request's If-None-Match names
/// its ETag. A request whose `v` query parameter equals the asset's version may be cached for a
/// year as immutable; any other must be revalidated (`no-cache`), so a new build is seen at once.
http::Response asset_response(const StaticAsset& asset, const http::Request& request);

}  // namespace clara::web
