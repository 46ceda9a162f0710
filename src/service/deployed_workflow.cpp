#include "service/deployed_workflow.hpp"

#include "engine/compiler.hpp"
#include "engine/field_map.hpp"

#include <stdexcept>

namespace clara::service {

DeployedWorkflowPtr load_deployed_workflow(storage::Deployment record,
                                           const engine::NodeCatalog& catalog) {
    engine::Diagnostics diag;
    auto document = engine::normalize_workflow(record.workflow, diag);
    std::optional<engine::FieldMap> fields;
    if (record.field_map.is_object() && !record.field_map.get_object().empty()) {
        fields = engine::field_map_from_json(record.field_map);
    }
    auto compiled = engine::compile_workflow(std::move(document), catalog,
                                             engine::CompileOptions{.deploy_checks = false}, fields);
    for (const auto& error : compiled.diag.errors) {
        diag.errors.push_back(error);
    }
    if (!diag.ok()) {
        throw std::runtime_error("deployment '" + record.slug + "' no longer compiles: " +
                                 diag.errors.front());
    }
    const auto* input_schema = record.schema.is_object()
                                   ? record.schema.get_object().if_contains("input")
                                   : nullptr;
    auto validator = openapi::InputValidator::from_schema(
        input_schema != nullptr && input_schema->is_object() ? input_schema->get_object()
                                                             : boost::json::object{});
    record.workflow = nullptr;  // the plan holds the document; no second copy in memory
    return std::make_shared<const DeployedWorkflow>(
        DeployedWorkflow{std::move(record), std::move(compiled.workflow), std::move(validator)});
}

DeployedWorkflowPtr with_key_hash(const DeployedWorkflow& current, std::string key_hash) {
    auto copy = std::make_shared<DeployedWorkflow>(current);
    copy->record.api_key_hash = std::move(key_hash);
    return copy;
}

}  // namespace clara::service
