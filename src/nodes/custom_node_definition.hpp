#pragma once

#include "engine/node.hpp"
#include "engine/workflow_document.hpp"

#include <boost/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace clara::nodes {

/// A port or property of a custom node definition (workflow-format § 7).
struct CustomPort {
    std::string id;
    std::string name;  ///< the id when the definition gives none
    std::optional<boost::json::value> default_value;
};

/// A validated `customNodes[]` entry.
struct CustomNodeDefinition {
    std::string type;
    std::string name;  ///< display name for error messages; the type when absent
    /// executionCode, or the whole source as the body of
    /// `async function execute(inputs, properties, context)` when it declares no `function
    /// execute`.
    std::string code;
    std::vector<CustomPort> inputs;
    std::vector<CustomPort> outputs;
    std::vector<CustomPort> properties;
};

/// Reads and checks a definition: type, executionCode (≤ 100 KB), ports and properties with
/// unique non-empty ids. Problems go to `diag.errors` as `invalid_custom_node: <type>: ...`.
std::optional<CustomNodeDefinition> parse_custom_node_definition(
    const boost::json::object& definition, engine::Diagnostics& diag);

/// `lower(name)` with whitespace runs replaced by `_` (nodes.md § 23).
std::string normalise_custom_name(std::string_view name);

/// The `inputs` object handed to execute (nodes.md § 23 "Inputs object").
boost::json::object custom_node_inputs(const CustomNodeDefinition& definition,
                                       const engine::NodeInputs& inputs);

/// The `properties` object handed to execute, from `node.data.properties` (or `node.data`
/// itself when it has no `properties` object) (nodes.md § 23 "Properties object").
boost::json::object custom_node_properties(const CustomNodeDefinition& definition,
                                           const boost::json::object& data);

/// The node's result from what execute returned (nullopt: undefined), keyed by output port id
/// (nodes.md § 23 "Result mapping"), or the error message when it cannot be mapped.
std::variant<boost::json::object, std::string> custom_node_result(
    const CustomNodeDefinition& definition, const std::optional<boost::json::value>& returned);

}  // namespace clara::nodes
