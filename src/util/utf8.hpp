#pragma once

#include <cstddef>
#include <string_view>

namespace clara::util {

/// Decodes the UTF-8 code point at byte `i` of `text` and advances `i` past it. A malformed
/// sequence yields U+FFFD and advances by one byte. Precondition: i < text.size().
char32_t next_code_point(std::string_view text, std::size_t& i);

/// JavaScript's WhiteSpace and LineTerminator set, which both `trim()` and the regex `\s` use.
bool is_js_whitespace(char32_t c);

}  // namespace clara::util
