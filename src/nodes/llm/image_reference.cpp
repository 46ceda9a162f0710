#include "nodes/llm/image_reference.hpp"

#include <boost/json.hpp>

namespace clara::nodes::llm {

namespace {

bool starts_with(std::string_view text, std::string_view prefix) {
    return text.substr(0, prefix.size()) == prefix;
}

std::optional<std::string> from_string(std::string_view text) {
    if (text.empty()) {
        return std::nullopt;
    }
    if (starts_with(text, "data:image/") || starts_with(text, "http://") ||
        starts_with(text, "https://")) {
        return std::string(text);
    }
    return "data:image/jpeg;base64," + std::string(text);
}

}  // namespace

std::optional<std::string> image_url_from_input(const boost::json::value& image) {
    if (image.is_string()) {
        return from_string(image.get_string());
    }
    if (const auto* object = image.if_object()) {
        if (const auto* base64 = object->if_contains("base64"); base64 && base64->is_string()) {
            return from_string(base64->get_string());
        }
    }
    return std::nullopt;
}

std::optional<InlineImage> inline_image(std::string_view url) {
    constexpr std::string_view kPrefix = "data:";
    constexpr std::string_view kMarker = ";base64,";
    if (!starts_with(url, kPrefix)) {
        return std::nullopt;
    }
    const auto marker = url.find(kMarker);
    if (marker == std::string_view::npos) {
        return std::nullopt;
    }
    InlineImage image;
    image.media_type = std::string(url.substr(kPrefix.size(), marker - kPrefix.size()));
    image.base64 = std::string(url.substr(marker + kMarker.size()));
    if (image.media_type.empty()) {
        image.media_type = "image/jpeg";
    }
    return image;
}

}  // namespace clara::nodes::llm
