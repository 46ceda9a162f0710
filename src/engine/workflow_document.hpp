#pragma once

#include <boost/json/value.hpp>

#include <string>
#include <vector>

namespace clara::engine {

/// A port declared on a node (`node.inputs` / `node.outputs`, or the `data.*` copies).
struct PortDecl {
    std::string id;
    std::string name;
};

/// One node of a workflow, as written by Agent Studio (workflow-format § 3).
struct NodeDecl {
    std::string id;
    std::string type;
    std::string name;
    boost::json::object data;
    std::vector<PortDecl> inputs;
    std::vector<PortDecl> outputs;
};

/// One connection after key normalisation (workflow-format § 4).
struct ConnectionDecl {
    std::string id;
    std::string source;
    std::string source_handle;
    std::string target;
    std::string target_handle;
};

/// The normalised form of any accepted envelope (workflow-format § 2.4).
struct WorkflowDocument {
    std::string name;
    std::string description;
    std::string version;
    std::vector<NodeDecl> nodes;
    std::vector<ConnectionDecl> connections;
    boost::json::array custom_nodes;
};

/// Problems found while reading or validating a workflow; `errors` reject it, `warnings` do not.
struct Diagnostics {
    std::vector<std::string> errors;
    std::vector<std::string> warnings;

    bool ok() const { return errors.empty(); }
};

/// Normalises a native, `clara-sdk` or template envelope. Structural problems go to `diag.errors`
/// (prefixed with their reason code); the returned document is meaningful only when diag.ok().
WorkflowDocument normalize_workflow(const boost::json::value& envelope, Diagnostics& diag);

/// The normalised document as JSON `{name, description, version, nodes, connections, customNodes}`,
/// which is what the store keeps and what normalize_workflow reads back unchanged.
boost::json::object to_json(const WorkflowDocument& document);

}  // namespace clara::engine
