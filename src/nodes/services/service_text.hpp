#pragma once

// Text helpers for what services send back and for the texts nodes put in their results.

#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace clara::nodes {

/// The status line's reason as sent, or the standard phrase when the server sent none
/// (e.g. 404 → "Not Found"); "" for unknown codes.
std::string status_text(unsigned status, std::string_view reason);

/// "HTTP <status> <statusText>" without a trailing space when the text is empty.
std::string describe_status(unsigned status, std::string_view reason);

/// The media type of a Content-Type value, lower-cased, without parameters
/// ("Audio/WAV; rate=16000" → "audio/wav").
std::string mime_essence(std::string_view content_type);

/// Replaces invalid UTF-8 sequences with U+FFFD, as a browser's TextDecoder does.
std::string decode_utf8_lossy(std::string_view bytes);

/// Parses JSON text; nullopt when it is not JSON (nesting up to 256 levels).
std::optional<boost::json::value> parse_json(std::string_view text);

/// The first `units` UTF-16 code units of UTF-8 `text` (JavaScript's `substring(0, units)`),
/// never splitting a character.
std::string utf16_prefix(std::string_view text, std::size_t units);

/// JavaScript's `trim()` (JS whitespace and line terminators at both ends).
std::string js_trim(std::string_view text);

/// The value as text when it is a non-empty string, else "" (for optional string fields of
/// service answers).
std::string string_member(const boost::json::value* value);

}  // namespace clara::nodes
