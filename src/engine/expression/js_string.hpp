#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace clara::engine::expr {

// Strings are kept as UTF-8; these helpers give them the UTF-16 view JS has of them.

/// One decoded code point and the number of bytes it took (invalid bytes decode as U+FFFD, 1 byte).
struct CodePoint {
    char32_t value;
    std::size_t size;
};

/// Decodes the code point starting at byte `offset` (which must be < text.size()).
CodePoint decode_utf8(std::string_view text, std::size_t offset);

/// Appends `cp` as UTF-8.
void append_utf8(std::string& out, char32_t cp);

/// Number of UTF-16 code units of `text` (code points outside the BMP count as 2).
std::size_t utf16_length(std::string_view text);

/// Byte offset of UTF-16 index `units` (clamped to the end; an index inside a surrogate pair
/// maps to the end of that character).
std::size_t utf16_to_byte_offset(std::string_view text, std::size_t units);

/// UTF-16 index of byte offset `bytes` (which must be at a code point boundary).
std::size_t byte_to_utf16_offset(std::string_view text, std::size_t bytes);

/// The UTF-16 code unit at `index` as a UTF-8 string (a lone half of a surrogate pair becomes
/// U+FFFD, since UTF-8 cannot hold it); nullopt when out of range.
std::optional<std::string> utf16_unit_at(std::string_view text, std::size_t index);

/// Compares as JS does: by UTF-16 code units. Returns <0, 0 or >0.
int compare_utf16(std::string_view a, std::string_view b);

/// JS WhiteSpace or LineTerminator (what String.prototype.trim and ToNumber strip).
bool is_js_space(char32_t cp);

/// Removes JS whitespace from the chosen ends.
std::string_view trim_js_space(std::string_view text, bool leading = true, bool trailing = true);

/// JS toLowerCase/toUpperCase for Latin (ASCII, Latin-1, Extended-A, the paired letters of
/// Extended-B, Latin Extended Additional), Greek, Cyrillic, Armenian and fullwidth Latin, with
/// ß -> SS, İ -> i̇ and a final sigma rule that looks at the neighbouring characters only.
/// Other cased scripts (Georgian, Cherokee, Glagolitic, Deseret, ...), IPA letters and the
/// Latin digraphs (Ǆ ...) are left unchanged.
std::string to_lower_case(std::string_view text);
std::string to_upper_case(std::string_view text);

/// First byte offset >= `from` where `needle` occurs, in time linear in the input sizes.
std::optional<std::size_t> find_text(std::string_view haystack,
                                     std::string_view needle,
                                     std::size_t from);

/// Number of code points in `text`, i.e. the 1-based column just after it.
std::size_t code_point_count(std::string_view text);

}  // namespace clara::engine::expr
