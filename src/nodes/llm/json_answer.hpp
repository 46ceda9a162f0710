#pragma once

// Reading JSON out of a model's text answer (nodes.md § 9 step 8).

#include <boost/json/value.hpp>

#include <optional>
#include <string_view>

namespace clara::nodes::llm {

/// The JSON in `raw`: code fences ("```json", "```") removed, trimmed and cut to the span from
/// the first `{` to the last `}`; failing that the same span of the original text, then the
/// span from the first `[` to the last `]`. nullopt when none parses.
std::optional<boost::json::value> parse_json_answer(std::string_view raw);

}  // namespace clara::nodes::llm
