#include "engine/workflow_document.hpp"

#include <boost/json.hpp>

namespace clara::engine {
namespace json = boost::json;

namespace {

/// A string field, or "" when absent or not a string.
std::string string_field(const json::object& object, std::string_view key) {
    const auto* value = object.if_contains(key);
    if (value != nullptr && value->is_string()) {
        return std::string(value->get_string());
    }
    return {};
}

/// First of `keys` holding a non-empty string ("empty counts as absent", workflow-format § 4).
std::string first_string(const json::object& object, std::initializer_list<std::string_view> keys) {
    for (const auto key : keys) {
        auto text = string_field(object, key);
        if (!text.empty()) {
            return text;
        }
    }
    return {};
}

std::vector<PortDecl> read_ports(const json::value* ports) {
    std::vector<PortDecl> result;
    if (ports == nullptr || !ports->is_array()) {
        return result;
    }
    for (const auto& port : ports->get_array()) {
        if (!port.is_object()) {
            continue;
        }
        const auto& object = port.get_object();
        result.push_back({string_field(object, "id"), string_field(object, "name")});
    }
    return result;
}

NodeDecl read_node(const json::value& value, std::size_t index, Diagnostics& diag) {
    NodeDecl node;
    if (!value.is_object()) {
        diag.errors.push_back("invalid_node: nodes[" + std::to_string(index) + "] is not an object");
        return node;
    }
    const auto& object = value.get_object();
    const auto* id = object.if_contains("id");
    if (id != nullptr && id->is_string()) {
        node.id = std::string(id->get_string());
    } else if (id != nullptr && id->is_number()) {
        node.id = json::serialize(*id);  // numeric ids from hand-written flows
    }
    node.type = string_field(object, "type");
    node.name = string_field(object, "name");
    if (const auto* data = object.if_contains("data"); data != nullptr && data->is_object()) {
        node.data = data->get_object();
        // Studio UI state, never used by execution and possibly large (deployment-api § 3.4).
        for (const auto key : {"lastGeneratedImage", "executionHistory", "onUpdate", "onDelete"}) {
            node.data.erase(key);
        }
    }
    // Declared ports: the node's own arrays, else the copies inside data (only when arrays;
    // file-upload keeps an uploaded file object in data.outputs).
    const auto* inputs = object.if_contains("inputs");
    node.inputs = read_ports(inputs != nullptr && inputs->is_array() ? inputs
                                                                     : node.data.if_contains("inputs"));
    const auto* outputs = object.if_contains("outputs");
    node.outputs = read_ports(outputs != nullptr && outputs->is_array()
                                  ? outputs
                                  : node.data.if_contains("outputs"));
    if (node.id.empty()) {
        diag.errors.push_back("invalid_node: nodes[" + std::to_string(index) +
                              "] has no id (a non-empty string)");
    }
    if (node.type.empty()) {
        diag.errors.push_back("invalid_node: node '" + node.id + "' has no type");
    }
    return node;
}

ConnectionDecl read_connection(const json::value& value, std::size_t index, Diagnostics& diag) {
    ConnectionDecl connection;
    if (!value.is_object()) {
        diag.errors.push_back("invalid_connection: connections[" + std::to_string(index) +
                              "] is not an object");
        return connection;
    }
    const auto& object = value.get_object();
    connection.id = first_string(object, {"id"});
    if (connection.id.empty()) {
        connection.id = "e" + std::to_string(index);
    }
    connection.source = first_string(object, {"sourceNodeId", "source"});
    connection.target = first_string(object, {"targetNodeId", "target"});
    connection.source_handle = first_string(object, {"sourcePortId", "sourceHandle"});
    connection.target_handle = first_string(object, {"targetPortId", "targetHandle"});
    if (connection.source_handle.empty()) {
        connection.source_handle = "output";
    }
    if (connection.target_handle.empty()) {
        connection.target_handle = "input";
    }
    if (connection.source.empty() || connection.target.empty()) {
        diag.errors.push_back("invalid_connection: connection '" + connection.id +
                              "' needs a source and a target node id");
    }
    return connection;
}

void append_custom_nodes(json::array& into, const json::value* list) {
    if (list != nullptr && list->is_array()) {
        for (const auto& definition : list->get_array()) {
            into.push_back(definition);
        }
    }
}

}  // namespace

WorkflowDocument normalize_workflow(const json::value& envelope, Diagnostics& diag) {
    WorkflowDocument document;
    if (!envelope.is_object()) {
        diag.errors.push_back("invalid_workflow_format: the workflow must be a JSON object");
        return document;
    }
    const auto& outer = envelope.get_object();
    const json::object* inner = &outer;
    if (const auto* flow = outer.if_contains("flow");
        flow != nullptr && flow->is_object() && flow->get_object().contains("nodes") &&
        flow->get_object().at("nodes").is_array()) {
        inner = &flow->get_object();
    } else if (const auto* nodes = outer.if_contains("nodes"); nodes == nullptr || !nodes->is_array()) {
        diag.errors.push_back(
            "invalid_workflow_format: expected a 'nodes' array, at the top level or inside 'flow'");
        return document;
    }

    const auto& nodes = inner->at("nodes").get_array();
    for (std::size_t i = 0; i < nodes.size(); ++i) {
        document.nodes.push_back(read_node(nodes[i], i, diag));
    }

    const json::value* connections = inner->if_contains("connections");
    if (connections == nullptr || !connections->is_array()) {
        connections = inner->if_contains("edges");
    }
    if (connections != nullptr && connections->is_array()) {
        const auto& list = connections->get_array();
        for (std::size_t i = 0; i < list.size(); ++i) {
            document.connections.push_back(read_connection(list[i], i, diag));
        }
    } else if (nodes.size() > 1) {
        diag.errors.push_back(
            "invalid_workflow_format: expected a 'connections' (or 'edges') array");
    }

    append_custom_nodes(document.custom_nodes, outer.if_contains("customNodes"));
    if (inner != &outer) {
        append_custom_nodes(document.custom_nodes, inner->if_contains("customNodes"));
    }

    document.name = first_string(*inner, {"name"});
    if (document.name.empty()) {
        document.name = first_string(outer, {"name"});
    }
    document.description = first_string(*inner, {"description"});
    if (document.description.empty()) {
        document.description = first_string(outer, {"description"});
    }
    document.version = first_string(*inner, {"version"});
    if (const auto* settings = inner->if_contains("settings");
        document.version.empty() && settings != nullptr && settings->is_object()) {
        document.version = first_string(settings->get_object(), {"version"});
    }
    if (document.version.empty()) {
        document.version = first_string(outer, {"version"});
    }
    return document;
}

namespace {

json::array ports_to_json(const std::vector<PortDecl>& ports) {
    json::array array;
    for (const auto& port : ports) {
        array.push_back(json::object{{"id", port.id}, {"name", port.name}});
    }
    return array;
}

}  // namespace

json::object to_json(const WorkflowDocument& document) {
    json::array nodes;
    for (const auto& node : document.nodes) {
        json::object object{{"id", node.id}, {"type", node.type}, {"data", node.data}};
        if (!node.name.empty()) {
            object["name"] = node.name;
        }
        if (!node.inputs.empty()) {
            object["inputs"] = ports_to_json(node.inputs);
        }
        if (!node.outputs.empty()) {
            object["outputs"] = ports_to_json(node.outputs);
        }
        nodes.push_back(std::move(object));
    }
    json::array connections;
    for (const auto& c : document.connections) {
        connections.push_back(json::object{{"id", c.id},
                                           {"sourceNodeId", c.source},
                                           {"sourcePortId", c.source_handle},
                                           {"targetNodeId", c.target},
                                           {"targetPortId", c.target_handle}});
    }
    json::object out{{"name", document.name},
                     {"description", document.description},
                     {"version", document.version},
                     {"nodes", std::move(nodes)},
                     {"connections", std::move(connections)}};
    if (!document.custom_nodes.empty()) {
        out["customNodes"] = document.custom_nodes;
    }
    return out;
}

}  // namespace clara::engine
