#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace clara::util {

/// Standard base64 with padding.
std::string base64_encode(std::string_view bytes);

/// Decodes standard or URL-safe base64; padding optional, ASCII whitespace ignored.
/// Returns nullopt on any other character or an impossible length.
std::optional<std::string> base64_decode(std::string_view text);

/// A parsed `data:<mime>;base64,<payload>` URL.
struct DataUrl {
    std::string mime;
    std::string_view payload;  ///< the base64 text, pointing into the parsed string
};

/// Splits a base64 data URL; nullopt when `text` is not one.
std::optional<DataUrl> parse_data_url(std::string_view text);

}  // namespace clara::util
