#pragma once

#include <boost/json/value.hpp>
#include <string>
#include <string_view>

namespace clara::storage::postgres {

/// Key of the wrapper that carries a document JSONB cannot hold as it is.
inline constexpr std::string_view kJsonTextKey = "$clara:json-text";

/// JSON text for a JSONB column that decode_jsonb() turns back into `value`. JSONB cannot hold
/// the character U+0000 in a string or key, so such a document (and, to stay unambiguous, one
/// that looks like the wrapper) is stored as {"$clara:json-text": "<the document's JSON text>"}.
std::string encode_jsonb(const boost::json::value& value);

/// The document stored by encode_jsonb(); throws StorageError naming `column` when `text` is not
/// valid JSON.
boost::json::value decode_jsonb(std::string_view text, std::string_view column);

}  // namespace clara::storage::postgres
