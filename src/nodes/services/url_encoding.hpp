#pragma once

// URL pieces as browsers build them: path segments, query parameters and origins of the URLs
// that service nodes call.

#include <optional>
#include <string>
#include <string_view>

namespace clara::nodes {

/// JavaScript's encodeURIComponent: everything but A-Z a-z 0-9 - _ . ! ~ * ' ( ) is
/// percent-encoded as UTF-8 (e.g. a notebook id placed in a path).
std::string encode_uri_component(std::string_view text);

/// application/x-www-form-urlencoded as URLSearchParams writes it: space → '+', everything but
/// A-Z a-z 0-9 * - . _ percent-encoded.
std::string form_urlencode(std::string_view text);

/// Lower-case "scheme://host:port" of an absolute http(s) URL, the port filled in from the
/// scheme when absent; nullopt when `url` is not one.
std::optional<std::string> url_origin(std::string_view url);

/// True when both are absolute http(s) URLs with the same scheme, host and port.
bool same_origin(std::string_view a, std::string_view b);

}  // namespace clara::nodes
