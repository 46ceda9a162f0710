#pragma once

// How an `image` input becomes the image a model sees (nodes.md § 8 step 3).

#include <boost/json/value.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace clara::nodes::llm {

/// The image as a URL: a `data:image/` URL or an http(s) URL as is, any other non-empty string
/// as base64 JPEG data (`data:image/jpeg;base64,` + text), an object's string `base64` field by
/// the same rules (the image-input node's output); nullopt for anything else.
std::optional<std::string> image_url_from_input(const boost::json::value& image);

/// A `data:` image URL split into media type and base64 payload (nullopt for other URLs).
struct InlineImage {
    std::string media_type;  ///< e.g. image/png
    std::string base64;
};
std::optional<InlineImage> inline_image(std::string_view url);

}  // namespace clara::nodes::llm
