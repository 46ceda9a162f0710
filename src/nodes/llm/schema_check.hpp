#pragma once

// Checks a model's structured answer against the schema derived from the example.

#include <boost/json/value.hpp>

#include <optional>
#include <string>

namespace clara::nodes::llm {

/// The first place where `value` breaks `schema` (the subset schema_from_example produces:
/// type, properties, required, additionalProperties false, items), as "<path>: <problem>"
/// with the path written `$.key[0].other`; nullopt when it matches. Properties are checked in
/// the schema's order, so the reported place is deterministic.
std::optional<std::string> find_schema_mismatch(const boost::json::value& value,
                                                const boost::json::value& schema);

}  // namespace clara::nodes::llm
