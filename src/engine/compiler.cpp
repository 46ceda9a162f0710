#include "engine/compiler.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cctype>
#include <deque>
#include <map>
#include <set>
#include <unordered_map>

namespace clara::engine {
namespace {

/// Port names compare case-insensitively with whitespace runs collapsed (nodes.md § 26).
std::string normalize_port_name(std::string_view name) {
    std::string out;
    bool pending_space = false;
    for (const char c : name) {
        if (std::isspace(static_cast<unsigned char>(c))) {
            pending_space = !out.empty();
            continue;
        }
        if (pending_space) {
            out.push_back(' ');
            pending_space = false;
        }
        out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    }
    return out;
}

/// The input key a target handle resolves to (workflow-format § 5.3 rule 2).
std::string resolve_target_key(const NodeDecl& node, const NodeType& type, const std::string& handle) {
    for (const auto& port : node.inputs) {
        if (port.id == handle) {
            return handle;
        }
    }
    for (const auto& port : type.inputs) {
        if (port.id == handle) {
            return handle;
        }
    }
    const auto wanted = normalize_port_name(handle);
    for (const auto& port : node.inputs) {
        if (!port.id.empty() && normalize_port_name(port.name) == wanted) {
            return port.id;
        }
    }
    for (const auto& port : type.inputs) {
        if (normalize_port_name(port.name) == wanted) {
            return std::string(port.id);
        }
    }
    return handle;
}

bool is_declared_output(const NodeDecl& node, const NodeType& type, const std::string& handle) {
    const auto matches = [&](std::string_view id) { return id == handle; };
    return std::any_of(node.outputs.begin(), node.outputs.end(),
                       [&](const PortDecl& p) { return matches(p.id); }) ||
           std::any_of(type.outputs.begin(), type.outputs.end(),
                       [&](const PortSpec& p) { return matches(p.id); });
}

/// Puts the node reference right after the reason code: "code: node 'x': detail".
std::string with_node(const std::string& message, const NodeDecl& node) {
    const auto label = "node '" + node.id + "'";
    const auto colon = message.find(": ");
    if (colon == std::string::npos || message.find(' ') < colon) {
        return label + ": " + message;
    }
    return message.substr(0, colon + 2) + label + ": " + message.substr(colon + 2);
}

void check_ids(const WorkflowDocument& document, Diagnostics& diag) {
    std::set<std::string_view> seen;
    std::set<std::string_view> reported;
    for (const auto& node : document.nodes) {
        if (!node.id.empty() && !seen.insert(node.id).second && reported.insert(node.id).second) {
            diag.errors.push_back("duplicate_node_id: '" + node.id +
                                  "' is used by more than one node; node ids must be unique");
        }
    }
}

/// The customNodes[] entries that define `type`.
std::vector<const boost::json::object*> custom_definitions(const WorkflowDocument& document,
                                                           std::string_view type) {
    std::vector<const boost::json::object*> found;
    for (const auto& definition : document.custom_nodes) {
        if (const auto* object = definition.if_object()) {
            if (const auto* name = object->if_contains("type");
                name != nullptr && name->is_string() && name->get_string() == type) {
                found.push_back(object);
            }
        }
    }
    return found;
}

/// Custom node types built for this workflow, by type string.
using CustomTypes = std::map<std::string, std::shared_ptr<const NodeType>, std::less<>>;

/// Checks that every node type is known (workflow-format § 5.1 rule 4) and builds the custom
/// node types the workflow uses.
CustomTypes check_types(const WorkflowDocument& document, const NodeCatalog& catalog,
                        Diagnostics& diag) {
    CustomTypes custom;
    std::set<std::string> reported;
    for (const auto& node : document.nodes) {
        if (node.type.empty() || catalog.find(node.type) != nullptr ||
            !reported.insert(node.type).second) {
            continue;
        }
        const auto definitions = custom_definitions(document, node.type);
        if (definitions.empty()) {
            diag.errors.push_back("unsupported_node_type: " + node.type + " (" +
                                  catalog.unsupported_reason(node.type) + ")");
            continue;
        }
        if (definitions.size() > 1) {
            diag.errors.push_back("invalid_custom_node: " + node.type + ": defined " +
                                  std::to_string(definitions.size()) +
                                  " times in customNodes; a type may be defined only once");
            continue;
        }
        Diagnostics definition_diag;
        auto type = catalog.custom_type(*definitions.front(), definition_diag);
        diag.warnings.insert(diag.warnings.end(), definition_diag.warnings.begin(),
                             definition_diag.warnings.end());
        if (type != nullptr && definition_diag.ok()) {
            custom.emplace(node.type, std::move(type));
        } else if (!definition_diag.ok()) {
            diag.errors.insert(diag.errors.end(), definition_diag.errors.begin(),
                               definition_diag.errors.end());
        } else {
            diag.errors.push_back("unsupported_node_type: " + node.type +
                                  " (custom node defined in customNodes; custom nodes are "
                                  "disabled (set ENABLE_CUSTOM_NODES=true))");
        }
    }
    return custom;
}

/// Kahn's algorithm with the original's tie-breaking (workflow-format § 5.2). Returns the order,
/// shorter than the node count when there is a cycle.
std::vector<std::uint32_t> kahn_order(std::size_t node_count,
                                      const std::vector<std::pair<std::uint32_t, std::uint32_t>>& edges) {
    std::vector<std::uint32_t> in_degree(node_count, 0);
    std::vector<std::vector<std::uint32_t>> outgoing(node_count);
    for (const auto& [source, target] : edges) {
        ++in_degree[target];
        outgoing[source].push_back(target);
    }
    std::deque<std::uint32_t> queue;
    for (std::uint32_t i = 0; i < node_count; ++i) {
        if (in_degree[i] == 0) {
            queue.push_back(i);
        }
    }
    std::vector<std::uint32_t> order;
    order.reserve(node_count);
    while (!queue.empty()) {
        const auto current = queue.front();
        queue.pop_front();
        order.push_back(current);
        for (const auto target : outgoing[current]) {
            if (--in_degree[target] == 0) {
                queue.push_back(target);
            }
        }
    }
    return order;
}

void bind_fields(Workflow& workflow, Diagnostics& diag) {
    std::unordered_map<std::string_view, std::uint32_t> index_of;
    for (std::uint32_t i = 0; i < workflow.nodes.size(); ++i) {
        index_of.emplace(workflow.nodes[i].id, i);
    }
    for (std::size_t f = 0; f < workflow.fields.inputs.size(); ++f) {
        const auto it = index_of.find(workflow.fields.inputs[f].node_id);
        if (it == index_of.end()) {
            diag.errors.push_back("invalid_field_map: input field '" + workflow.fields.inputs[f].field +
                                  "' names an unknown node");
            continue;
        }
        workflow.nodes[it->second].input_field = static_cast<std::int32_t>(f);
    }
    for (std::size_t f = 0; f < workflow.fields.outputs.size(); ++f) {
        const auto it = index_of.find(workflow.fields.outputs[f].node_id);
        if (it == index_of.end()) {
            diag.errors.push_back("invalid_field_map: output field '" +
                                  workflow.fields.outputs[f].field + "' names an unknown node");
            continue;
        }
        workflow.nodes[it->second].output_field = static_cast<std::int32_t>(f);
    }
}

}  // namespace

CompileResult compile_workflow(WorkflowDocument document, const NodeCatalog& catalog,
                               const CompileOptions& options,
                               const std::optional<FieldMap>& stored_fields) {
    CompileResult result;
    auto& diag = result.diag;
    if (document.nodes.empty()) {
        diag.errors.push_back("invalid_workflow_format: the workflow has no nodes");
        return result;
    }
    check_ids(document, diag);
    auto custom_types = check_types(document, catalog, diag);

    std::unordered_map<std::string_view, std::uint32_t> index_of;
    for (std::uint32_t i = 0; i < document.nodes.size(); ++i) {
        index_of.emplace(document.nodes[i].id, i);
    }

    // Connections: both ends must exist.
    std::vector<std::pair<std::uint32_t, std::uint32_t>> edges;
    std::vector<bool> connected(document.nodes.size(), false);
    for (const auto& connection : document.connections) {
        const auto source = index_of.find(connection.source);
        const auto target = index_of.find(connection.target);
        if (source == index_of.end()) {
            diag.errors.push_back("dangling_connection: connection '" + connection.id +
                                  "' comes from unknown node '" + connection.source + "'");
        }
        if (target == index_of.end()) {
            diag.errors.push_back("dangling_connection: connection '" + connection.id +
                                  "' goes to unknown node '" + connection.target + "'");
        }
        if (source != index_of.end() && target != index_of.end()) {
            edges.emplace_back(source->second, target->second);
            connected[source->second] = connected[target->second] = true;
        }
    }

    auto order = kahn_order(document.nodes.size(), edges);
    if (order.size() < document.nodes.size()) {
        std::vector<bool> ordered(document.nodes.size(), false);
        for (const auto i : order) {
            ordered[i] = true;
        }
        std::string members;
        for (std::uint32_t i = 0; i < document.nodes.size(); ++i) {
            if (!ordered[i]) {
                members += (members.empty() ? "'" : ", '") + document.nodes[i].id + "'";
            }
        }
        diag.errors.push_back("cycle: circular dependency involving nodes " + members +
                              "; remove a connection so that the graph has no loop");
    }

    bool has_output = false;
    bool has_entry = false;
    for (const auto& node : document.nodes) {
        has_output = has_output || node.type == "output";
        has_entry = has_entry || is_entry_type(node.type);
    }
    if (options.deploy_checks && !has_output) {
        diag.errors.push_back("Workflow must have at least one output node");
    }
    if (options.deploy_checks && !has_entry) {
        diag.errors.push_back(
            "Workflow must have at least one input node (input, image-input, pdf-input or "
            "file-upload); add one so that API calls can pass values to the workflow");
    }
    if (!diag.ok()) {
        return result;
    }

    auto workflow = std::make_shared<Workflow>();
    workflow->order = std::move(order);
    for (auto& [type, node_type] : custom_types) {
        workflow->custom_types.push_back(node_type);
    }
    workflow->nodes.resize(document.nodes.size());
    for (std::uint32_t i = 0; i < document.nodes.size(); ++i) {
        const auto& decl = document.nodes[i];
        auto& node = workflow->nodes[i];
        node.id = decl.id;
        node.name = decl.name;
        node.type = decl.type;
        node.node_type = catalog.find(decl.type);
        if (node.node_type == nullptr) {
            node.node_type = custom_types.find(decl.type)->second.get();
        }
        Diagnostics node_diag;
        node.instance = node.node_type->create(decl, node_diag);
        for (const auto& error : node_diag.errors) {
            diag.errors.push_back(with_node(error, decl));
        }
        for (const auto& warning : node_diag.warnings) {
            diag.warnings.push_back(with_node(warning, decl));
        }
        if (node.instance == nullptr && node_diag.ok()) {
            diag.errors.push_back("invalid_node: node '" + decl.id + "' could not be built");
        }
        if (!connected[i] && document.nodes.size() > 1) {
            diag.warnings.push_back("node '" + decl.id + "' is not connected");
        }
        if (const auto* disabled = decl.data.if_contains("disabled");
            disabled != nullptr && disabled->is_bool() && disabled->get_bool()) {
            diag.warnings.push_back("node '" + decl.id +
                                    "' is marked disabled; the runner executes it anyway");
        }
    }

    // Incoming edges, in connections[] order, with handles resolved once.
    std::map<std::pair<std::uint32_t, std::string>, int> handle_uses;
    for (const auto& connection : document.connections) {
        const auto source = index_of.at(connection.source);
        const auto target = index_of.at(connection.target);
        const auto& source_decl = document.nodes[source];
        const auto& target_decl = document.nodes[target];
        IncomingEdge edge;
        edge.source = source;
        edge.source_handle = connection.source_handle;
        edge.source_handle_declared =
            is_declared_output(source_decl, *workflow->nodes[source].node_type, connection.source_handle);
        edge.target_key =
            resolve_target_key(target_decl, *workflow->nodes[target].node_type, connection.target_handle);
        if (++handle_uses[{target, edge.target_key}] == 2) {
            diag.warnings.push_back("multiple connections into handle '" + edge.target_key +
                                    "' of node '" + target_decl.id + "'; the last one wins");
        }
        workflow->nodes[target].incoming.push_back(std::move(edge));
    }

    workflow->fields = stored_fields ? *stored_fields : assign_fields(document, diag);
    bind_fields(*workflow, diag);
    if (!diag.ok()) {
        return result;
    }
    workflow->warnings = diag.warnings;
    workflow->document = std::move(document);
    result.workflow = std::move(workflow);
    return result;
}

CompileResult compile_envelope(const boost::json::value& envelope, const NodeCatalog& catalog,
                               const CompileOptions& options) {
    Diagnostics diag;
    auto document = normalize_workflow(envelope, diag);
    if (!diag.ok()) {
        return CompileResult{nullptr, std::move(diag)};
    }
    auto result = compile_workflow(std::move(document), catalog, options);
    result.diag.errors.insert(result.diag.errors.begin(), diag.errors.begin(), diag.errors.end());
    result.diag.warnings.insert(result.diag.warnings.begin(), diag.warnings.begin(),
                                diag.warnings.end());
    return result;
}

}  // namespace clara::engine
