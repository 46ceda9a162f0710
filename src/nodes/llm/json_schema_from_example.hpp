#pragma once

// The JSON schema a structured-llm answer must match, derived from the user's example
// (nodes.md § 9 step 5).

#include <boost/json/value.hpp>

namespace clara::nodes::llm {

/// Schema of `example`: null → {"type":"null"}; array → {"type":"array","items": schema of the
/// first element, or {} when empty}; object → {"type":"object","properties":{...},"required":
/// [every key in order],"additionalProperties":false}; string → string; integral number →
/// integer; other number → number; boolean → boolean.
boost::json::value schema_from_example(const boost::json::value& example);

}  // namespace clara::nodes::llm
