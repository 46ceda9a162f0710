#include "engine/expression/js_string.hpp"

#include <algorithm>
#include <vector>

namespace clara::engine::expr {

namespace {

constexpr char32_t kReplacement = 0xFFFD;

bool is_continuation(unsigned char c) { return (c & 0xC0) == 0x80; }

/// The first UTF-16 code unit of `cp` (the high surrogate for code points outside the BMP).
char32_t first_utf16_unit(char32_t cp) {
    return cp < 0x10000 ? cp : 0xD800 + ((cp - 0x10000) >> 10);
}

std::size_t utf16_units(char32_t cp) { return cp >= 0x10000 ? 2 : 1; }

}  // namespace

CodePoint decode_utf8(std::string_view text, std::size_t offset) {
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
    const unsigned char lead = byte(offset);
    if (lead < 0x80) return {lead, 1};
    std::size_t size = 0;
    char32_t cp = 0;
    char32_t min = 0;
    if (lead >= 0xC2 && lead <= 0xDF) {
        size = 2, cp = lead & 0x1F, min = 0x80;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        size = 3, cp = lead & 0x0F, min = 0x800;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        size = 4, cp = lead & 0x07, min = 0x10000;
    } else {
        return {kReplacement, 1};
    }
    if (offset + size > text.size()) return {kReplacement, 1};
    for (std::size_t i = 1; i < size; ++i) {
        if (!is_continuation(byte(offset + i))) return {kReplacement, 1};
        cp = (cp << 6) | (byte(offset + i) & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return {kReplacement, 1};
    return {cp, size};
}

void append_utf8(std::string& out, char32_t cp) {
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = kReplacement;
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
}

std::size_t utf16_length(std::string_view text) {
    std::size_t units = 0;
    for (std::size_t i = 0; i < text.size();) {
        const CodePoint cp = decode_utf8(text, i);
        units += utf16_units(cp.value);
        i += cp.size;
    }
    return units;
}

std::size_t utf16_to_byte_offset(std::string_view text, std::size_t units) {
    std::size_t i = 0;
    std::size_t u = 0;
    while (i < text.size() && u < units) {
        const CodePoint cp = decode_utf8(text, i);
        u += utf16_units(cp.value);
        i += cp.size;
    }
    return i;
}

std::size_t byte_to_utf16_offset(std::string_view text, std::size_t bytes) {
    return utf16_length(text.substr(0, bytes));
}

std::optional<std::string> utf16_unit_at(std::string_view text, std::size_t index) {
    std::size_t u = 0;
    for (std::size_t i = 0; i < text.size();) {
        const CodePoint cp = decode_utf8(text, i);
        const std::size_t units = utf16_units(cp.value);
        if (index < u + units) {
            std::string out;
            append_utf8(out, units == 1 ? cp.value : kReplacement);
            return out;
        }
        u += units;
        i += cp.size;
    }
    return std::nullopt;
}

int compare_utf16(std::string_view a, std::string_view b) {
    const std::size_t n = std::min(a.size(), b.size());
    std::size_t i = 0;
    while (i < n && a[i] == b[i]) ++i;
    if (i == n) return a.size() < b.size() ? -1 : (a.size() > b.size() ? 1 : 0);
    // UTF-8 byte order is code point order, which differs from UTF-16 order only between
    // U+E000..U+FFFF and supplementary characters, so decide on the first differing character.
    while (i > 0 && is_continuation(static_cast<unsigned char>(a[i]))) --i;
    const char32_t cp_a = decode_utf8(a, i).value;
    const char32_t cp_b = decode_utf8(b, i).value;
    const char32_t unit_a = first_utf16_unit(cp_a);
    const char32_t unit_b = first_utf16_unit(cp_b);
    if (unit_a != unit_b) return unit_a < unit_b ? -1 : 1;
    return cp_a < cp_b ? -1 : (cp_a > cp_b ? 1 : 0);
}

bool is_js_space(char32_t cp) {
    switch (cp) {
        case 0x09: case 0x0A: case 0x0B: case 0x0C: case 0x0D: case 0x20: case 0xA0:
        case 0x1680: case 0x2028: case 0x2029: case 0x202F: case 0x205F: case 0x3000:
        case 0xFEFF:
            return true;
        default:
            return cp >= 0x2000 && cp <= 0x200A;
    }
}

std::string_view trim_js_space(std::string_view text, bool leading, bool trailing) {
    std::size_t begin = 0;
    std::size_t end = text.size();
    if (leading) {
        while (begin < end) {
            const CodePoint cp = decode_utf8(text, begin);
            if (!is_js_space(cp.value)) break;
            begin += cp.size;
        }
    }
    if (trailing) {
        while (end > begin) {
            std::size_t start = end - 1;
            while (start > begin && is_continuation(static_cast<unsigned char>(text[start]))) {
                --start;
            }
            const CodePoint cp = decode_utf8(text.substr(0, end), start);
            if (start + cp.size != end || !is_js_space(cp.value)) break;
            end = start;
        }
    }
    return text.substr(begin, end - begin);
}

std::string ascii_to_lower(std::string_view text) {
    std::string out(text);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
}

std::string ascii_to_upper(std::string_view text) {
    std::string out(text);
    for (char& c : out) {
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    }
    return out;
}

std::optional<std::size_t> find_text(std::string_view haystack, std::string_view needle,
                                     std::size_t from) {
    if (from > haystack.size()) return std::nullopt;
    // Short needles: the library search is at most needle-size times the haystack.
    constexpr std::size_t kShortNeedle = 64;
    if (needle.size() <= kShortNeedle) {
        const std::size_t pos = haystack.find(needle, from);
        if (pos == std::string_view::npos) return std::nullopt;
        return pos;
    }
    // Long needles (both sides may come from untrusted input): Knuth-Morris-Pratt, linear time.
    std::vector<std::size_t> border(needle.size(), 0);
    for (std::size_t i = 1, k = 0; i < needle.size(); ++i) {
        while (k > 0 && needle[i] != needle[k]) k = border[k - 1];
        if (needle[i] == needle[k]) ++k;
        border[i] = k;
    }
    for (std::size_t i = from, k = 0; i < haystack.size(); ++i) {
        while (k > 0 && haystack[i] != needle[k]) k = border[k - 1];
        if (haystack[i] == needle[k]) ++k;
        if (k == needle.size()) return i + 1 - needle.size();
    }
    return std::nullopt;
}

std::size_t code_point_count(std::string_view text) {
    std::size_t count = 0;
    for (std::size_t i = 0; i < text.size(); i += decode_utf8(text, i).size) ++count;
    return count;
}

}  // namespace clara::engine::expr
