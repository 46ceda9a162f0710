#pragma once

#include <boost/json/value.hpp>

#include <string>

namespace clara::util {

/// JSON text as JavaScript's JSON.stringify writes it. Boost.JSON's own serializer prints
/// doubles as `2.5E0`; clients of the original runner expect `2.5`, `1e+21`, `5`.

/// JavaScript's Number::toString for finite doubles ("NaN"/"Infinity" otherwise).
std::string format_js_number(double value);

/// Compact JSON (no whitespace), NaN and infinities written as null, as JSON.stringify does.
std::string to_json_text(const boost::json::value& value);

/// JSON with `indent` spaces per level (JSON.stringify(v, null, indent)); indent 0 is compact.
std::string to_json_text(const boost::json::value& value, int indent);

/// Appends the compact form of `value` to `out`.
void append_json_text(std::string& out, const boost::json::value& value);

}  // namespace clara::util
