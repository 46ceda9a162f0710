#pragma once

#include "engine/node.hpp"
#include "service/deployment_registry.hpp"
#include "storage/store.hpp"

#include <string>

namespace clara::service {

/// Keeps the in-process deployment cache equal to the database: at start, and whenever another
/// runner instance sharing the database changes a deployment. Calls block on the store.

/// Loads every active deployment; one that no longer compiles is logged and left out.
void reload_all_deployments(storage::Store& store, DeploymentRegistry& registry,
                            const engine::NodeCatalog& catalog);

/// Re-reads one deployment after a change notification: active ones are (re)compiled and cached,
/// inactive or purged ones leave the cache. An empty id reloads everything.
void apply_deployment_change(storage::Store& store, DeploymentRegistry& registry,
                             const engine::NodeCatalog& catalog, const std::string& deployment_id);

}  // namespace clara::service
