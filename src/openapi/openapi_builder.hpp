#pragma once

#include "engine/field_map.hpp"
#include "engine/workflow_document.hpp"

#include <boost/json/object.hpp>

#include <string>
#include <string_view>

namespace clara::openapi {

/// What the OpenAPI document says about a deployment besides its schemas.
struct OpenApiParams {
    std::string slug;
    std::string base_url;  ///< BASE_URL; a trailing '/' is dropped
    std::string workflow_name;
    std::string workflow_description;
    std::string workflow_version;
    std::string deployment_name;         ///< fallback after workflow_name
    std::string deployment_description;  ///< fallback after workflow_description
};

/// The OpenAPI 3.0.3 document of one deployment (deployment-api.md § 4.5 with the runner rules)
/// from its simple input and output schemas (workflow_schema.hpp).
boost::json::object build_openapi(const OpenApiParams& params,
                                  const boost::json::object& input_schema,
                                  const boost::json::object& output_schema);

/// Same, computing the schemas from the workflow; the workflow's name, description and version
/// fill the `workflow_*` members of `params`.
boost::json::object build_openapi(const engine::WorkflowDocument& document,
                                  const engine::FieldMap& fields,
                                  OpenApiParams params);

/// Points `servers[0].url` of a stored document at `base_url` (served documents follow the
/// current BASE_URL, not the one at deploy time).
void set_server_url(boost::json::object& document, std::string_view base_url);

/// The path of the execute operation, `/api/workflows/<slug>/execute`.
std::string execute_path(std::string_view slug);

}  // namespace clara::openapi
