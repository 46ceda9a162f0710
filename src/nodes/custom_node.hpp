#pragma once

#include "engine/node.hpp"
#include "engine/script_sandbox.hpp"

#include <boost/json/object.hpp>

#include <memory>

namespace clara::nodes {

/// The node type of one custom node definition (nodes.md § 23): ports from the definition
/// (the primary output is the first declared output), instances that run the definition's code
/// in `sandbox`. Null, with `invalid_custom_node: <type>: ...` errors in `diag`, when the
/// definition is invalid (no executionCode, code over 100 KB, bad ports).
std::shared_ptr<const engine::NodeType> make_custom_node_type(
    const boost::json::object& definition, std::shared_ptr<engine::ScriptSandbox> sandbox,
    engine::Diagnostics& diag);

}  // namespace clara::nodes
