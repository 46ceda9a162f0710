#include "api/execution_cursor.hpp"

#include "util/base64.hpp"

#include <algorithm>
#include <charconv>

namespace clara::api {
namespace {

constexpr std::size_t kMaxIdLength = 36;    // a UUID with its dashes
constexpr std::size_t kMaxTimeDigits = 15;  // epoch milliseconds up to the year 30000 and more

bool is_base64url_symbol(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '_';
}

bool is_id_char(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == '-';
}

/// Standard base64 turned into unpadded base64url.
std::string to_base64url(std::string text) {
    while (!text.empty() && text.back() == '=') {
        text.pop_back();
    }
    std::replace(text.begin(), text.end(), '+', '-');
    std::replace(text.begin(), text.end(), '/', '_');
    return text;
}

}  // namespace

std::string encode_execution_cursor(const storage::ExecutionCursor& cursor) {
    return to_base64url(
        util::base64_encode(std::to_string(cursor.created_at_ms) + "." + cursor.id));
}

std::optional<storage::ExecutionCursor> decode_execution_cursor(std::string_view text) {
    // util::base64_decode also takes padding, whitespace and the standard alphabet; a cursor
    // is exactly what encode_execution_cursor() writes, so those are refused first.
    if (text.empty() || text.size() > kMaxExecutionCursorLength ||
        !std::all_of(text.begin(), text.end(), is_base64url_symbol)) {
        return std::nullopt;
    }
    const auto raw = util::base64_decode(text);
    // Unused low bits of the last symbol must be zero: one cursor, one spelling.
    if (!raw || to_base64url(util::base64_encode(*raw)) != text) {
        return std::nullopt;
    }
    const std::string_view plain = *raw;
    const auto dot = plain.find('.');
    if (dot == std::string_view::npos) {
        return std::nullopt;
    }
    const auto time = plain.substr(0, dot);
    const auto id = plain.substr(dot + 1);
    if (time.empty() || time.size() > kMaxTimeDigits ||
        (time.size() > 1 && time.front() == '0') ||
        !std::all_of(time.begin(), time.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return std::nullopt;
    }
    if (id.empty() || id.size() > kMaxIdLength || !std::all_of(id.begin(), id.end(), is_id_char)) {
        return std::nullopt;
    }
    storage::ExecutionCursor cursor;
    std::from_chars(time.data(), time.data() + time.size(), cursor.created_at_ms);
    cursor.id = std::string(id);
    return cursor;
}

}  // namespace clara::api
