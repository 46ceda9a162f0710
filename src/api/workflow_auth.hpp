#pragma once

#include "http/message.hpp"
#include "service/deployment_registry.hpp"

#include <string_view>

namespace clara::api {

/// Which part of the URL the key must belong to.
enum class KeyBinding { kSlug, kId };

/// Checks the workflow API key of `request` (deployment-api.md § 5.2) and that it belongs to
/// the workflow the URL addresses (`expected` slug or id). Returns that workflow. Throws ApiError:
/// 401 missing/malformed/unknown key, 403 a valid key of another workflow.
service::DeployedWorkflowPtr authenticate_workflow_key(const service::DeploymentRegistry& registry,
                                                       const http::Request& request,
                                                       KeyBinding binding,
                                                       std::string_view expected);

}  // namespace clara::api
