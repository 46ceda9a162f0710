#include "api/workflow_auth.hpp"

#include "api/access_control.hpp"
#include "api/api_error.hpp"
#include "service/api_key.hpp"
#include "util/crypto.hpp"

namespace clara::api {
namespace {

/// A failed authentication counts against the client IP; past AUTH_FAIL_LIMIT the IP gets 429
/// until its window ends, so keys cannot be guessed at speed.
[[noreturn]] void fail(AppContext& app, const std::string& ip, unsigned status, std::string error,
                       std::string message) {
    app.auth_failures.hit(ip);
    throw ApiError(status, std::move(error), std::move(message));
}

}  // namespace

boost::asio::awaitable<service::DeployedWorkflowPtr> find_deployment(AppContext& app,
                                                                     service::DeploymentKey key,
                                                                     std::string value) {
    try {
        co_return co_await app.deployments.find(key, std::move(value));
    } catch (const service::UnservableDeployment& e) {
        throw ApiError(500, "Workflow cannot be served",
                       std::string(e.what()) + "; redeploy the workflow");
    }
}

boost::asio::awaitable<service::DeployedWorkflowPtr> authenticate_workflow_key(
    AppContext& app, const http::Request& request, KeyBinding binding, std::string_view expected,
    AdminAccess admin) {
    const auto ip = client_ip(app, request);
    if (const auto blocked = app.auth_failures.peek(ip); !blocked.allowed) {
        throw ApiError(429, "Too many requests",
                       "Too many failed authentications from this address; retry later",
                       {}, {{"Retry-After", std::to_string(blocked.reset.count())}});
    }
    if (admin == AdminAccess::kAllowed && has_admin_key(app, request)) {
        auto deployment = co_await find_deployment(
            app, binding == KeyBinding::kSlug ? service::DeploymentKey::kSlug
                                              : service::DeploymentKey::kId,
            std::string(expected));
        if (deployment == nullptr) {
            throw ApiError(404, "Workflow not found", "No active workflow matches '" + std::string(expected) + "'");
        }
        co_return deployment;
    }
    if (!request.has_header("Authorization")) {
        fail(app, ip, 401, "Missing Authorization header",
             "Send the workflow's API key as 'Authorization: Bearer clara_sk_...'");
    }
    const auto key = service::key_from_authorization(request.header("Authorization"));
    if (!service::has_api_key_format(key)) {
        fail(app, ip, 401, "Invalid API key format",
             "API keys start with 'clara_sk_'; send 'Authorization: Bearer clara_sk_...'");
    }
    const auto hash = service::hash_api_key(key);
    auto deployment = co_await find_deployment(app, service::DeploymentKey::kKeyHash, hash);
    // The lookup found the row by hash; comparing the hashes again in constant time keeps
    // the decision itself free of timing differences.
    if (deployment == nullptr || !util::constant_time_equals(deployment->record.api_key_hash, hash)) {
        fail(app, ip, 401, "Invalid API key",
             "The key is unknown, was regenerated, or its workflow was deleted");
    }
    const auto& bound = binding == KeyBinding::kSlug ? deployment->record.slug : deployment->record.id;
    if (bound != expected) {
        throw ApiError(403, "Access denied",
                       "This API key belongs to another workflow; use the key returned when this "
                       "workflow was deployed");
    }
    co_return deployment;
}

}  // namespace clara::api
