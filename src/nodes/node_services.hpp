#pragma once

#include "config/service_settings.hpp"
#include "engine/http_client.hpp"
#include "engine/script_sandbox.hpp"
#include "engine/timer.hpp"

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace clara::nodes {

/// What service nodes use besides their inputs, fixed when the server starts: where the
/// providers live and their keys, the one outbound HTTP client, and timers.
struct NodeServices {
    config::ServiceSettings settings;
    /// Null: outbound calls fail with a clear message (offline validation, some tests).
    std::shared_ptr<engine::HttpClient> http;
    std::shared_ptr<engine::Timer> timer;
    /// Runs custom node code (ENABLE_CUSTOM_NODES); null: custom nodes are refused at deploy.
    std::shared_ptr<engine::ScriptSandbox> sandbox;
    /// The outbound policy's deploy-time verdict on a URL: why it will be refused, or nullopt.
    /// Unset: nothing is checked.
    std::function<std::optional<std::string>(std::string_view url)> precheck_url;
};

using NodeServicesPtr = std::shared_ptr<const NodeServices>;

}  // namespace clara::nodes
