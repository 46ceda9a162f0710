#pragma once

#include "engine/workflow_document.hpp"

#include <boost/json/value.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace clara::engine {

/// One API field bound to one node.
struct FieldBinding {
    std::string field;
    std::string node_id;
};

/// API field names of the entry nodes (request body) and output nodes (`outputs`), in
/// `nodes[]` order. Computed once at deploy and stored with the deployment.
struct FieldMap {
    std::vector<FieldBinding> inputs;
    std::vector<FieldBinding> outputs;
};

/// The original's fieldName() (deployment-api.md § 4.1): "Research Topic" -> "researchTopic".
std::string field_name(std::string_view label);

/// Whether `type` is an entry node type (input, image-input, pdf-input, file-upload).
bool is_entry_type(std::string_view type);

/// Names every entry and output node (§ 4.1 sources); a taken name gets 2, 3, ... appended
/// within its section, with a warning in `diag`.
FieldMap assign_fields(const WorkflowDocument& document, Diagnostics& diag);

/// `{"inputs": {field: nodeId, ...}, "outputs": {...}}`, field order preserved.
boost::json::object to_json(const FieldMap& map);

/// Reads what to_json wrote; throws std::invalid_argument on another shape.
FieldMap field_map_from_json(const boost::json::value& json);

}  // namespace clara::engine
