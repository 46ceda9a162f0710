#pragma once

#include <string>
#include <string_view>

namespace clara::engine::expr {


/// JS StringToNumber: trims JS whitespace, "" -> 0, decimal / Infinity / 0x 0o 0b literals,
/// anything else -> NaN.
double string_to_number(std::string_view text);

/// JS parseInt(text, radix) where `radix` is the already converted radix argument (0 = none).
double parse_int(std::string_view text, double radix);

/// JS parseFloat(text): the longest decimal (or Infinity) prefix after leading whitespace.
double parse_float(std::string_view text);

/// Converts an unsigned decimal literal already checked to match
/// `digits [. digits] [(e|E) [+-] digits]` (or `. digits ...`) to the nearest double.
double decimal_to_double(std::string_view literal);

/// JS ToIntegerOrInfinity: NaN -> 0, otherwise truncated toward zero.
double to_integer_or_infinity(double d);

}  // namespace clara::engine::expr
