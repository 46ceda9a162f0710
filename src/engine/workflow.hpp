#pragma once

#include "engine/field_map.hpp"
#include "engine/node.hpp"
#include "engine/workflow_document.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace clara::engine {

/// How an edge takes its value from the source node's result (workflow-format § 5.4).
struct IncomingEdge {
    std::uint32_t source = 0;  ///< index into Workflow::nodes
    std::string source_handle;
    /// The handle is a declared/canonical output of the source: a missing key means a dead edge.
    /// Otherwise a missing key falls back to the source's primary output.
    bool source_handle_declared = false;
    std::string target_key;  ///< resolved per § 5.3 rule 2
};

/// One node of a compiled workflow.
struct CompiledNode {
    std::string id;
    std::string name;
    std::string type;  ///< as written in the workflow (may be an alias)
    const NodeType* node_type = nullptr;
    std::unique_ptr<const NodeInstance> instance;
    std::vector<IncomingEdge> incoming;  ///< in connections[] order
    std::int32_t input_field = -1;       ///< entry nodes: index into fields.inputs
    std::int32_t output_field = -1;      ///< output nodes: index into fields.outputs
};

/// A workflow validated and compiled once (at deploy, or when loaded at start), then shared
/// read-only by every execution.
struct Workflow {
    WorkflowDocument document;
    FieldMap fields;
    /// The custom node types the nodes point to (CompiledNode::node_type), owned here and
    /// declared before `nodes` so that they outlive them.
    std::vector<std::shared_ptr<const NodeType>> custom_types;
    std::vector<CompiledNode> nodes;   ///< in nodes[] order
    std::vector<std::uint32_t> order;  ///< Kahn order (workflow-format § 5.2)
    std::vector<std::string> warnings;
};

using WorkflowPtr = std::shared_ptr<const Workflow>;

}  // namespace clara::engine
