#include "service/slug.hpp"

#include "util/crypto.hpp"

namespace clara::service {
namespace {

constexpr std::size_t kMaxSlugLength = 255;

bool is_slug_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/// Lower-cases `name` the way JavaScript's toLowerCase() does, as far as it matters for slugs:
/// ASCII letters, plus the only two non-ASCII code points whose lower case contains ASCII
/// (U+212A KELVIN SIGN -> "k"; U+0130 -> "i" + U+0307). Every other non-ASCII code point, and
/// every malformed byte, becomes a '\x01' placeholder that the next step turns into '-'.
std::string js_lower_ascii(std::string_view name) {
    std::string out;
    out.reserve(name.size());
    for (std::size_t i = 0; i < name.size();) {
        const auto lead = static_cast<unsigned char>(name[i]);
        if (lead < 0x80) {
            const char c = name[i];
            out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
            ++i;
            continue;
        }
        // Both special cases are well-formed multi-byte sequences: E2 84 AA and C4 B0.
        if (name.substr(i, 3) == "\xE2\x84\xAA") {
            out.push_back('k');
            i += 3;
            continue;
        }
        if (name.substr(i, 2) == "\xC4\xB0") {
            out.push_back('i');
            out.push_back('\x01');  // the combining dot above
            i += 2;
            continue;
        }
        std::size_t length = 1;
        if ((lead & 0xE0) == 0xC0) {
            length = 2;
        } else if ((lead & 0xF0) == 0xE0) {
            length = 3;
        } else if ((lead & 0xF8) == 0xF0) {
            length = 4;
        }
        std::size_t k = 1;
        while (k < length && i + k < name.size() &&
               (static_cast<unsigned char>(name[i + k]) & 0xC0) == 0x80) {
            ++k;
        }
        out.push_back('\x01');
        i += k;
    }
    return out;
}

}  // namespace

std::string slug_from_name(std::string_view name) {
    const std::string lower = js_lower_ascii(name);
    std::string slug;
    for (const char c : lower) {
        if (is_slug_char(c)) {
            slug.push_back(c);
        } else if (slug.empty() || slug.back() != '-') {
            slug.push_back('-');
        }
    }
    // Runs are already collapsed, so at most one '-' sits at either end.
    if (!slug.empty() && slug.front() == '-') {
        slug.erase(slug.begin());
    }
    if (slug.size() > kMaxGeneratedSlugLength) {
        slug.resize(kMaxGeneratedSlugLength);
    }
    // The original kept a '-' left at the end by truncation; the runner does not.
    while (!slug.empty() && slug.back() == '-') {
        slug.pop_back();
    }
    if (slug.empty()) {
        return "workflow-" + util::random_hex(4);
    }
    return slug;
}

bool is_valid_slug(std::string_view slug) {
    if (slug.empty() || slug.size() > kMaxSlugLength) {
        return false;
    }
    for (const char c : slug) {
        if (!is_slug_char(c) && c != '-') {
            return false;
        }
    }
    return true;
}

}  // namespace clara::service
