#pragma once

// URL pieces as browsers build them: path segments and query parameters of the URLs that
// service nodes call.

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

}  // namespace clara::nodes
