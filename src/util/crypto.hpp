#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace clara::util {

/// Lower-case hex SHA-256 of `data`.
std::string sha256_hex(std::string_view data);

/// `byte_count` bytes from OpenSSL's CSPRNG, as lower-case hex (2 characters per byte).
std::string random_hex(std::size_t byte_count);

/// A random (version 4) UUID in canonical lower-case form.
std::string uuid_v4();

/// A time-ordered (version 7, RFC 9562) UUID for `unix_ms`: the milliseconds in the first 48
/// bits, then random bits. Rows keyed by it are inserted at the end of their index rather than
/// on a random page, so a write touches the same few pages as the one before.
std::string uuid_v7(std::int64_t unix_ms);

/// Compares two secrets in time that depends only on their lengths.
bool constant_time_equals(std::string_view a, std::string_view b);

}  // namespace clara::util
