#include "engine/expression/js_string.hpp"

#include <algorithm>
#include <array>
#include <utility>
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

/// True when `cp` lies in [first, last] and has the parity that marks one case of a range
/// where upper and lower case letters alternate.
bool in_pairs(char32_t cp, char32_t first, char32_t last, bool even) {
    return cp >= first && cp <= last && ((cp % 2 == 0) == even);
}

/// One-to-one lower case mapping (the code point itself when there is none).
char32_t simple_lower(char32_t cp) {
    if (cp < 0x80) return cp >= 'A' && cp <= 'Z' ? cp + 32 : cp;
    if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7) return cp + 32;
    if (cp == 0x130) return cp;  // handled by to_lower_case (two code points)
    if (in_pairs(cp, 0x100, 0x137, true) || in_pairs(cp, 0x139, 0x148, false) ||
        in_pairs(cp, 0x14A, 0x177, true) || in_pairs(cp, 0x179, 0x17E, false)) {
        return cp + 1;
    }
    if (cp == 0x178) return 0xFF;
    if (in_pairs(cp, 0x1CD, 0x1DC, false) || in_pairs(cp, 0x1DE, 0x1EF, true) ||
        in_pairs(cp, 0x1F8, 0x21F, true) || in_pairs(cp, 0x222, 0x233, true)) {
        return cp + 1;
    }
    if (cp == 0x386) return 0x3AC;
    if (cp >= 0x388 && cp <= 0x38A) return cp + 37;
    if (cp == 0x38C) return 0x3CC;
    if (cp == 0x38E || cp == 0x38F) return cp + 63;
    if (cp >= 0x391 && cp <= 0x3AB && cp != 0x3A2) return cp + 32;
    if (cp == 0x3CF) return 0x3D7;
    if (cp >= 0x400 && cp <= 0x40F) return cp + 80;
    if (cp >= 0x410 && cp <= 0x42F) return cp + 32;
    if (cp == 0x4C0) return 0x4CF;
    if (in_pairs(cp, 0x460, 0x481, true) || in_pairs(cp, 0x48A, 0x4BF, true) ||
        in_pairs(cp, 0x4C1, 0x4CE, false) || in_pairs(cp, 0x4D0, 0x52F, true)) {
        return cp + 1;
    }
    if (cp >= 0x531 && cp <= 0x556) return cp + 48;
    if (in_pairs(cp, 0x1E00, 0x1E95, true) || in_pairs(cp, 0x1EA0, 0x1EFF, true)) return cp + 1;
    if (cp == 0x1E9E) return 0xDF;
    if (cp >= 0xFF21 && cp <= 0xFF3A) return cp + 32;
    return cp;
}

/// One-to-one upper case mapping (the code point itself when there is none).
char32_t simple_upper(char32_t cp) {
    if (cp < 0x80) return cp >= 'a' && cp <= 'z' ? cp - 32 : cp;
    if (cp == 0xB5) return 0x39C;
    if (cp >= 0xE0 && cp <= 0xFE && cp != 0xF7) return cp - 32;
    if (cp == 0xFF) return 0x178;
    if (cp == 0x131) return 'I';
    if (cp == 0x17F) return 'S';
    if (in_pairs(cp, 0x1CE, 0x1DC, true) || in_pairs(cp, 0x1DF, 0x1EF, false) ||
        in_pairs(cp, 0x1F9, 0x21F, false) || in_pairs(cp, 0x223, 0x233, false)) {
        return cp - 1;
    }
    if (in_pairs(cp, 0x101, 0x137, false) || in_pairs(cp, 0x13A, 0x148, true) ||
        in_pairs(cp, 0x14B, 0x177, false) || in_pairs(cp, 0x17A, 0x17E, true)) {
        return cp - 1;
    }
    if (cp == 0x3AC) return 0x386;
    if (cp >= 0x3AD && cp <= 0x3AF) return cp - 37;
    if (cp == 0x3CC) return 0x38C;
    if (cp == 0x3D7) return 0x3CF;
    if (cp == 0x3CD || cp == 0x3CE) return cp - 63;
    if (cp == 0x3C2) return 0x3A3;
    if (cp >= 0x3B1 && cp <= 0x3CB) return cp - 32;
    if (cp >= 0x430 && cp <= 0x44F) return cp - 32;
    if (cp >= 0x450 && cp <= 0x45F) return cp - 80;
    if (cp == 0x4CF) return 0x4C0;
    if (in_pairs(cp, 0x461, 0x481, false) || in_pairs(cp, 0x48B, 0x4BF, false) ||
        in_pairs(cp, 0x4C2, 0x4CE, true) || in_pairs(cp, 0x4D1, 0x52F, false)) {
        return cp - 1;
    }
    if (cp >= 0x561 && cp <= 0x586) return cp - 48;
    if (in_pairs(cp, 0x1E01, 0x1E95, false) || in_pairs(cp, 0x1EA1, 0x1EFF, false)) return cp - 1;
    if (cp == 0x1E9B) return 0x1E60;
    if (cp >= 0xFF41 && cp <= 0xFF5A) return cp - 32;
    return cp;
}

/// Letters whose upper case is several code points (unused slots are 0).
const std::array<char32_t, 3>* special_upper(char32_t cp) {
    static constexpr std::pair<char32_t, std::array<char32_t, 3>> kSpecial[] = {
        {0xDF, {'S', 'S', 0}},          {0x149, {0x2BC, 'N', 0}},   {0x390, {0x399, 0x308, 0x301}},
        {0x3B0, {0x3A5, 0x308, 0x301}}, {0x587, {0x535, 0x552, 0}}, {0x1E96, {'H', 0x331, 0}},
        {0x1E97, {'T', 0x308, 0}},      {0x1E98, {'W', 0x30A, 0}},  {0x1E99, {'Y', 0x30A, 0}},
        {0x1E9A, {'A', 0x2BE, 0}},
    };
    for (const auto& [from, to] : kSpecial) {
        if (from == cp) return &to;
    }
    return nullptr;
}

/// Whether `cp` is a letter with case (for the final sigma rule).
bool is_cased(char32_t cp) {
    return cp != 0 && (simple_lower(cp) != cp || simple_upper(cp) != cp || cp == 0xDF);
}

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
        case 0x09:
        case 0x0A:
        case 0x0B:
        case 0x0C:
        case 0x0D:
        case 0x20:
        case 0xA0:
        case 0x1680:
        case 0x2028:
        case 0x2029:
        case 0x202F:
        case 0x205F:
        case 0x3000:
        case 0xFEFF: return true;
        default: return cp >= 0x2000 && cp <= 0x200A;
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

std::string to_lower_case(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    char32_t previous = 0;
    for (std::size_t i = 0; i < text.size();) {
        const CodePoint cp = decode_utf8(text, i);
        i += cp.size;
        if (cp.value == 0x130) {  // İ -> i + combining dot above
            append_utf8(out, 'i');
            append_utf8(out, 0x307);
        } else if (cp.value == 0x3A3) {
            // Σ ends a word as ς: after a letter and not before one.
            const bool after_letter = is_cased(previous);
            const bool before_letter = i < text.size() && is_cased(decode_utf8(text, i).value);
            append_utf8(out, after_letter && !before_letter ? 0x3C2 : 0x3C3);
        } else {
            append_utf8(out, simple_lower(cp.value));
        }
        previous = cp.value;
    }
    return out;
}

std::string to_upper_case(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        const CodePoint cp = decode_utf8(text, i);
        i += cp.size;
        if (const auto* special = special_upper(cp.value)) {
            for (char32_t c : *special) {
                if (c != 0) append_utf8(out, c);
            }
        } else {
            append_utf8(out, simple_upper(cp.value));
        }
    }
    return out;
}

std::optional<std::size_t> find_text(std::string_view haystack,
                                     std::string_view needle,
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
