#pragma once

#include <boost/json/value.hpp>

#include <string>

namespace clara::engine {

/// JavaScript semantics over JSON values, for the places where the original runner's
/// behaviour is defined by JS (truthiness, coercions, number formatting).

/// JS truthiness: false for null, false, 0, NaN, "" (and absent); true otherwise ([] and {} too).
bool js_truthy(const boost::json::value& v);

/// JS ToNumber: "" -> 0, " 12 " -> 12, "abc" -> NaN, null -> 0, true -> 1, objects -> NaN.
double js_to_number(const boost::json::value& v);

/// JS Number::toString for a double: 1 -> "1", 0.1 -> "0.1", 1e21 -> "1e+21", NaN -> "NaN".
std::string js_number_to_string(double d);

/// "Coerce to text" (nodes.md notation): strings unchanged, numbers as JS prints them,
/// booleans as true/false, null -> "", objects and arrays -> compact JSON.
std::string to_text(const boost::json::value& v);

/// JS `==` between two JSON values.
bool js_loose_equals(const boost::json::value& a, const boost::json::value& b);

/// JS `===` between two JSON values (objects/arrays compare by identity, i.e. address).
bool js_strict_equals(const boost::json::value& a, const boost::json::value& b);

/// The JS-visible number of a JSON number (int64/uint64/double), or NaN for non-numbers.
double json_number(const boost::json::value& v);

}  // namespace clara::engine
