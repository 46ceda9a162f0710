#include "api/workflow_auth.hpp"

#include "api/api_error.hpp"
#include "service/api_key.hpp"
#include "util/crypto.hpp"

namespace clara::api {

service::DeployedWorkflowPtr authenticate_workflow_key(const service::DeploymentRegistry& registry,
                                                       const http::Request& request,
                                                       KeyBinding binding,
                                                       std::string_view expected) {
    if (!request.has_header("Authorization")) {
        throw ApiError(401, "Missing Authorization header",
                       "Send the workflow's API key as 'Authorization: Bearer clara_sk_...'");
    }
    const auto key = service::key_from_authorization(request.header("Authorization"));
    if (!service::has_api_key_format(key)) {
        throw ApiError(401, "Invalid API key format",
                       "API keys start with 'clara_sk_'; send 'Authorization: Bearer clara_sk_...'");
    }
    const auto hash = service::hash_api_key(key);
    auto deployment = registry.find_by_key_hash(hash);
    // The map lookup found the row by hash; comparing the hashes again in constant time keeps
    // the decision itself free of timing differences.
    if (deployment == nullptr || !util::constant_time_equals(deployment->record.api_key_hash, hash)) {
        throw ApiError(401, "Invalid API key",
                       "The key is unknown, was regenerated, or its workflow was deleted");
    }
    const auto& bound = binding == KeyBinding::kSlug ? deployment->record.slug : deployment->record.id;
    if (bound != expected) {
        throw ApiError(403, "Access denied",
                       "This API key belongs to another workflow; use the key returned when this "
                       "workflow was deployed");
    }
    return deployment;
}

}  // namespace clara::api
