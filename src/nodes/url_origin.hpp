#pragma once

// Origins of the URLs that nodes call, for the rule that a server-held key goes only to its own
// provider (nodes.md § 0.2).

#include <optional>
#include <string>
#include <string_view>

namespace clara::nodes {

/// Lower-case "scheme://host:port" of an absolute http(s) URL (surrounding spaces and trailing
/// slashes ignored, a trailing dot of the host dropped, the port filled in from the scheme when
/// absent); nullopt when `url` is not one.
std::optional<std::string> url_origin(std::string_view url);

/// True when both are absolute http(s) URLs with the same scheme, host and port.
bool same_origin(std::string_view a, std::string_view b);

}  // namespace clara::nodes
