#pragma once

#include "engine/node.hpp"
#include "service/blocking_pool.hpp"
#include "service/deployment_cache.hpp"
#include "storage/store.hpp"

#include <boost/asio/awaitable.hpp>

#include <cstddef>
#include <stdexcept>
#include <string>

namespace clara::service {

/// How a request names its deployment.
enum class DeploymentKey { kSlug, kId, kKeyHash };

/// A stored deployment that can no longer be compiled (its node types changed since).
class UnservableDeployment : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Finds active deployments for the handlers: in the bounded cache when recently used, else read
/// from the store on the blocking pool, compiled and cached. The store stays the only complete
/// list, so a runner serves any number of deployments in bounded memory.
class DeploymentDirectory {
public:
    DeploymentDirectory(storage::Store& store, BlockingPool& blocking,
                        const engine::NodeCatalog& catalog, std::size_t cache_capacity);

    /// The active deployment that `value` names, or nullptr. Throws UnservableDeployment when the
    /// stored workflow no longer compiles, storage errors when the store fails.
    boost::asio::awaitable<DeployedWorkflowPtr> find(DeploymentKey key, std::string value);

    /// Caches a deployment this process just stored (deploy, new key).
    void put(DeployedWorkflowPtr deployment) { cache_.put(std::move(deployment)); }

    /// Forgets a deployment this process just deactivated.
    void remove(std::string_view id) { cache_.remove(id); }

    /// Follows a change another instance made to deployment `id` (empty: any deployment): drops
    /// a cached copy that differs from the store. Blocks on the store; called off the I/O threads.
    void apply_change(const std::string& id);

    const DeploymentCache& cache() const { return cache_; }

private:
    DeployedWorkflowPtr load(DeploymentKey key, const std::string& value);

    storage::Store& store_;
    BlockingPool& blocking_;
    const engine::NodeCatalog& catalog_;
    DeploymentCache cache_;
};

}  // namespace clara::service
