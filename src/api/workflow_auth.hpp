#pragma once

#include "api/app_context.hpp"
#include "http/message.hpp"
#include "service/deployment_directory.hpp"

#include <boost/asio/awaitable.hpp>

#include <string_view>

namespace clara::api {

/// Which part of the URL the key must belong to.
enum class KeyBinding { kSlug, kId };

/// Whether the administrator key may stand in for the workflow key on a route.
enum class AdminAccess { kRefused, kAllowed };

/// Checks the workflow API key of `request` (deployment-api.md § 5.2) and that it belongs to
/// the workflow the URL addresses (`expected` slug or id). Returns that workflow. Throws ApiError:
/// 401 missing/malformed/unknown key, 403 a valid key of another workflow, 429 when this client
/// IP failed too often (AUTH_FAIL_LIMIT), 404 when the admin key names an unknown workflow.
boost::asio::awaitable<service::DeployedWorkflowPtr> authenticate_workflow_key(
    AppContext& app, const http::Request& request, KeyBinding binding, std::string_view expected,
    AdminAccess admin = AdminAccess::kRefused);

/// The active deployment `value` names (cache, else store), or nullptr. A stored workflow that no
/// longer compiles is a 500 ApiError saying to redeploy it.
boost::asio::awaitable<service::DeployedWorkflowPtr> find_deployment(AppContext& app,
                                                                     service::DeploymentKey key,
                                                                     std::string value);

}  // namespace clara::api
