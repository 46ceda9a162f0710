#pragma once

#include "config/settings.hpp"
#include "engine/node.hpp"
#include "nodes/node_services.hpp"

#include <memory>
#include <string>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace clara::cli {

/// The node catalog of a running server with what its service nodes use: the outbound client
/// and timers on `io`, the provider settings and the outbound policy.
struct NodeRuntime {
    nodes::NodeServicesPtr services;
    std::unique_ptr<engine::NodeCatalog> catalog;

    /// Stops what runs beside the event loop (the custom node workers); idempotent.
    void shutdown() const;
};

/// Builds the runtime; configuration problems (allowlist entries, service URLs, the CA file, a
/// missing Node.js for custom nodes) go to `problems` and the runtime is then not usable.
NodeRuntime make_node_runtime(const config::Settings& settings, boost::asio::io_context& io,
                              std::vector<std::string>& problems);

}  // namespace clara::cli
