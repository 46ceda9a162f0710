#pragma once

#include <boost/json/value.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace clara::nodes {

/// A dot path such as `data.items.0.name` (nodes.md § 5 step 6): object keys, or array indexes
/// written as non-negative decimal integers. No brackets, wildcards or escaping; empty segments
/// look up the key "". Split once when the workflow is compiled.
class JsonPath {
public:
    explicit JsonPath(std::string_view text);

    /// The value at the path, or nullptr when any segment is missing.
    const boost::json::value* find(const boost::json::value& root) const;

private:
    std::vector<std::string> segments_;
};

}  // namespace clara::nodes
