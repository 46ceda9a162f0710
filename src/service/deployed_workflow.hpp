#pragma once

#include "engine/node.hpp"
#include "engine/workflow.hpp"
#include "openapi/input_validator.hpp"
#include "storage/store.hpp"

#include <boost/json/value.hpp>

#include <memory>
#include <string>

namespace clara::service {

/// A deployment ready to execute: its stored row (without the workflow JSON, which the plan
/// replaces), the compiled plan and the compiled input validator. Immutable and shared.
struct DeployedWorkflow {
    storage::Deployment record;
    engine::WorkflowPtr plan;
    openapi::InputValidator validator;
};

using DeployedWorkflowPtr = std::shared_ptr<const DeployedWorkflow>;

/// Compiles a stored deployment (when a request names one the cache does not hold). Throws
/// std::runtime_error naming the deployment when the stored workflow no longer compiles.
DeployedWorkflowPtr load_deployed_workflow(storage::Deployment record,
                                           const engine::NodeCatalog& catalog);

/// The same deployment with another key hash (after regenerate-key).
DeployedWorkflowPtr with_key_hash(const DeployedWorkflow& current, std::string key_hash);

}  // namespace clara::service
