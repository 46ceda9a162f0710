#include "service/deployment_sync.hpp"

#include <spdlog/spdlog.h>

namespace clara::service {

void reload_all_deployments(storage::Store& store, DeploymentRegistry& registry,
                            const engine::NodeCatalog& catalog) {
    std::vector<DeployedWorkflowPtr> loaded;
    for (auto& record : store.load_active_deployments()) {
        const auto slug = record.slug;
        try {
            loaded.push_back(load_deployed_workflow(std::move(record), catalog));
        } catch (const std::exception& e) {
            spdlog::error("workflow /{} is not served: {}", slug, e.what());
        }
    }
    registry.replace_all(loaded);
}

void apply_deployment_change(storage::Store& store, DeploymentRegistry& registry,
                             const engine::NodeCatalog& catalog, const std::string& deployment_id) {
    if (deployment_id.empty()) {
        reload_all_deployments(store, registry, catalog);
        spdlog::info("deployment cache reloaded ({} active)", registry.size());
        return;
    }
    auto record = store.find_deployment_by_id(deployment_id);
    if (!record || !record->is_active) {
        registry.remove(deployment_id);
        return;
    }
    const auto current = registry.find_by_id(deployment_id);
    if (current && current->record.api_key_hash == record->api_key_hash) {
        return;  // our own change, already applied
    }
    registry.put(load_deployed_workflow(std::move(*record), catalog));
}

}  // namespace clara::service
