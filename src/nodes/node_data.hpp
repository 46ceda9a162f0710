#pragma once

#include <boost/json.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace clara::nodes {

/// Readers for `node.data` fields with the spec's notion of "empty": absent, null or "".

/// True for absent (nullptr), null and "".
bool is_empty(const boost::json::value* value);

/// The field's value unless it is empty.
const boost::json::value* non_empty(const boost::json::object& data, std::string_view key);

/// The field as a string if it is a non-empty string, else `fallback`.
std::string string_or(const boost::json::object& data, std::string_view key,
                      std::string_view fallback);

/// The field as a bool if it is a bool, else `fallback`.
bool bool_or(const boost::json::object& data, std::string_view key, bool fallback);

/// The field as a number if it is a JSON number or a string holding a decimal number.
std::optional<double> number_field(const boost::json::object& data, std::string_view key);

/// A double as a JSON number: integral values within ±2^53 become integers, so they print as
/// `5`, not `5.0`.
boost::json::value json_number_value(double value);

}  // namespace clara::nodes

namespace clara::nodes {

/// Length of UTF-8 text in UTF-16 code units, as JavaScript's `String.length` counts.
std::size_t utf16_length(std::string_view utf8);

}  // namespace clara::nodes
