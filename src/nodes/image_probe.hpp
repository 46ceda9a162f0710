#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace clara::nodes {

/// Reads what the first bytes of an image file say about it, without decoding pixels.

/// MIME type from the magic bytes of PNG, JPEG, GIF and WEBP files; empty when unknown.
std::string_view sniff_image_mime(std::string_view bytes);

struct ImageSize {
    unsigned width = 0;
    unsigned height = 0;
};

/// Width and height from the PNG, JPEG (SOF marker), GIF or WEBP (VP8/VP8L/VP8X) header.
std::optional<ImageSize> probe_image_size(std::string_view bytes);

}  // namespace clara::nodes
