#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace clara::util {

using Clock = std::chrono::system_clock;

/// Milliseconds since the Unix epoch.
std::int64_t now_ms();

/// ISO-8601 UTC with milliseconds, as JavaScript's `Date.toISOString()`: 2025-01-07T12:00:00.000Z.
std::string iso8601_ms(std::int64_t epoch_ms);

/// Parses the format written by iso8601_ms (also accepts a space instead of 'T', no 'Z').
std::optional<std::int64_t> parse_iso8601_ms(std::string_view text);

}  // namespace clara::util
