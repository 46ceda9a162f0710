#include "nodes/image_probe.hpp"

#include <cstdint>

namespace clara::nodes {
namespace {

unsigned byte_at(std::string_view b, std::size_t i) { return static_cast<unsigned char>(b[i]); }

unsigned be16(std::string_view b, std::size_t i) { return byte_at(b, i) << 8 | byte_at(b, i + 1); }

unsigned le16(std::string_view b, std::size_t i) { return byte_at(b, i + 1) << 8 | byte_at(b, i); }

unsigned le24(std::string_view b, std::size_t i) { return le16(b, i) | byte_at(b, i + 2) << 16; }

unsigned be32(std::string_view b, std::size_t i) { return be16(b, i) << 16 | be16(b, i + 2); }

bool is_webp(std::string_view b) {
    return b.size() >= 12 && b.substr(0, 4) == "RIFF" && b.substr(8, 4) == "WEBP";
}

std::optional<ImageSize> jpeg_size(std::string_view b) {
    std::size_t i = 2;
    while (i + 9 < b.size()) {
        if (byte_at(b, i) != 0xFF) {
            return std::nullopt;
        }
        const unsigned marker = byte_at(b, i + 1);
        if (marker == 0xFF) {
            ++i;  // fill byte
            continue;
        }
        // SOF0..SOF15 carry the frame size; C4 (DHT), C8 (JPG) and CC (DAC) are not frames.
        if (marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC) {
            return ImageSize{be16(b, i + 7), be16(b, i + 5)};
        }
        if (marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7) || marker == 0x01) {
            i += 2;  // markers without a length
            continue;
        }
        i += 2 + be16(b, i + 2);
    }
    return std::nullopt;
}

std::optional<ImageSize> webp_size(std::string_view b) {
    if (b.size() < 30) {
        return std::nullopt;
    }
    const auto chunk = b.substr(12, 4);
    if (chunk == "VP8 ") {
        return ImageSize{le16(b, 26) & 0x3FFF, le16(b, 28) & 0x3FFF};
    }
    if (chunk == "VP8L") {
        const std::uint32_t bits = le16(b, 21) | static_cast<std::uint32_t>(le16(b, 23)) << 16;
        return ImageSize{(bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1};
    }
    if (chunk == "VP8X") {
        return ImageSize{le24(b, 24) + 1, le24(b, 27) + 1};
    }
    return std::nullopt;
}

}  // namespace

std::string_view sniff_image_mime(std::string_view b) {
    if (b.size() >= 4 && b.substr(0, 4) == "\x89PNG") {
        return "image/png";
    }
    if (b.size() >= 3 && b.substr(0, 3) == "\xFF\xD8\xFF") {
        return "image/jpeg";
    }
    if (b.size() >= 4 && b.substr(0, 4) == "GIF8") {
        return "image/gif";
    }
    if (is_webp(b)) {
        return "image/webp";
    }
    return {};
}

std::optional<ImageSize> probe_image_size(std::string_view b) {
    const auto mime = sniff_image_mime(b);
    if (mime == "image/png" && b.size() >= 24) {
        return ImageSize{be32(b, 16), be32(b, 20)};
    }
    if (mime == "image/gif" && b.size() >= 10) {
        return ImageSize{le16(b, 6), le16(b, 8)};
    }
    if (mime == "image/jpeg") {
        return jpeg_size(b);
    }
    if (mime == "image/webp") {
        return webp_size(b);
    }
    return std::nullopt;
}

}  // namespace clara::nodes
