#pragma once

#include "storage/store.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace clara::api {

/// Longest cursor text decode_execution_cursor() considers; a real one is about 70 characters.
constexpr std::size_t kMaxExecutionCursorLength = 96;

/// The opaque `cursor` of the execution listing: unpadded base64url of
/// `<created_at_ms>.<id>`, the position of the last row of a page.
std::string encode_execution_cursor(const storage::ExecutionCursor& cursor);

/// Reads a cursor made by encode_execution_cursor(); nullopt for anything else: other
/// alphabets, padding, non-canonical base64, a time that is not plain decimal digits, a missing
/// dot, an id that is empty, longer than a UUID or not made of [0-9a-fA-F-], overlong text.
std::optional<storage::ExecutionCursor> decode_execution_cursor(std::string_view text);

}  // namespace clara::api
