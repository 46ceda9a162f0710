#include "nodes/llm/json_schema_from_example.hpp"

#include <boost/json.hpp>

#include <cmath>

namespace clara::nodes::llm {
namespace json = boost::json;

json::value schema_from_example(const json::value& example) {
    switch (example.kind()) {
        case json::kind::null:
            return json::object{{"type", "null"}};
        case json::kind::bool_:
            return json::object{{"type", "boolean"}};
        case json::kind::string:
            return json::object{{"type", "string"}};
        case json::kind::int64:
        case json::kind::uint64:
            return json::object{{"type", "integer"}};
        case json::kind::double_: {
            // JavaScript's Number.isInteger: 2.0 is an integer.
            const double value = example.get_double();
            const bool integral = std::isfinite(value) && std::trunc(value) == value;
            return json::object{{"type", integral ? "integer" : "number"}};
        }
        case json::kind::array: {
            const auto& items = example.get_array();
            return json::object{
                {"type", "array"},
                {"items", items.empty() ? json::value(json::object{})
                                        : schema_from_example(items.front())}};
        }
        case json::kind::object: {
            json::object properties;
            json::array required;
            for (const auto& [key, value] : example.get_object()) {
                properties[key] = schema_from_example(value);
                required.push_back(json::string(key));
            }
            return json::object{{"type", "object"},
                                {"properties", std::move(properties)},
                                {"required", std::move(required)},
                                {"additionalProperties", false}};
        }
    }
    return json::object{};
}

}  // namespace clara::nodes::llm
