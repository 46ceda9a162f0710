#pragma once

#include "engine/field_map.hpp"
#include "engine/workflow_document.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

namespace clara::openapi {

/// A fixed 1x1 PNG as a data URL, the example for image fields (deployment-api.md § 4.6).
inline constexpr std::string_view kExamplePngDataUrl =
    "data:image/png;base64,"
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAAC0lEQVR42mNgAAIAAAUAAen63NgAAAAASUVORK5CYII=";

/// The request-body schema (§ 4.2 with the runner rules): one property per bound entry node, in
/// field-map order, with `x-node-id`/`x-node-type`, documented defaults and default-aware
/// `required`. Unknown fields are refused (`additionalProperties: false`).
boost::json::object build_input_schema(const engine::WorkflowDocument& document,
                                       const engine::FieldMap& fields);

/// The `outputs` schema (§ 4.3 with the runner rules): one property per bound output node.
boost::json::object build_output_schema(const engine::WorkflowDocument& document,
                                        const engine::FieldMap& fields);

/// `{nodeCount, connectionCount, hasCustomNodes}` (§ 4.4).
boost::json::object build_schema_metadata(const engine::WorkflowDocument& document);

/// The simple schema `{input, output, metadata}` stored with a deployment (§ 4.4).
boost::json::object build_simple_schema(const engine::WorkflowDocument& document,
                                        const engine::FieldMap& fields);

/// The example request body of § 4.6: per property its `example`, else its `default`, else a
/// placeholder of its type.
boost::json::object example_request(const boost::json::object& input_schema);

}  // namespace clara::openapi
