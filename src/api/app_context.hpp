#pragma once

#include "config/settings.hpp"
#include "engine/execution_context.hpp"
#include "engine/node.hpp"
#include "api/cors.hpp"
#include "service/blocking_pool.hpp"
#include "service/execution_gate.hpp"
#include "service/rate_limit_counter.hpp"
#include "service/rate_limiter.hpp"
#include "service/deployment_directory.hpp"
#include "service/execution_recorder.hpp"
#include "storage/store.hpp"

#include <atomic>
#include <cstdint>

namespace clara::api {

/// What the handlers share: settings, the store (reached through the blocking pool), the
/// recorder, the deployments and the node catalog. Built once in main.
struct AppContext {
    const config::Settings& settings;
    storage::Store& store;
    service::BlockingPool& blocking;
    service::ExecutionRecorder& recorder;
    service::DeploymentDirectory& deployments;
    const engine::NodeCatalog& catalog;
    service::ExecutionGate& gate;
    service::RateLimitCounter& rate_limiter;  ///< per API key and workflow, shared on PostgreSQL
    service::FixedWindowRateLimiter& auth_failures;  ///< failed authentications per client IP
    CorsPolicy cors;
    engine::ExecutionLimits limits;
    std::int64_t started_at_ms = 0;
};

}  // namespace clara::api
