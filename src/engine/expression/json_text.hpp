#pragma once

#include <boost/json/value.hpp>

#include <string>

namespace clara::engine::expr {

/// Compact JSON as JS JSON.stringify writes it: numbers in JS form (2.5, not 2.5E0),
/// non-finite numbers as null, non-ASCII characters unescaped.
std::string json_text(const boost::json::value& v);

}  // namespace clara::engine::expr
