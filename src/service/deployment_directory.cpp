#include "service/deployment_directory.hpp"

namespace clara::service {

DeploymentDirectory::DeploymentDirectory(storage::Store& store, BlockingPool& blocking,
                                         const engine::NodeCatalog& catalog,
                                         std::size_t cache_capacity)
    : store_(store), blocking_(blocking), catalog_(catalog), cache_(cache_capacity) {}

boost::asio::awaitable<DeployedWorkflowPtr> DeploymentDirectory::find(DeploymentKey key,
                                                                      std::string value) {
    DeployedWorkflowPtr cached;
    switch (key) {
        case DeploymentKey::kSlug: cached = cache_.find_by_slug(value); break;
        case DeploymentKey::kId: cached = cache_.find_by_id(value); break;
        case DeploymentKey::kKeyHash: cached = cache_.find_by_key_hash(value); break;
    }
    if (cached != nullptr) {
        co_return cached;
    }
    co_return co_await blocking_.run([this, key, &value] { return load(key, value); });
}

DeployedWorkflowPtr DeploymentDirectory::load(DeploymentKey key, const std::string& value) {
    // Read the generation first: a change applied while this load runs may make it stale.
    const auto generation = cache_.generation();
    std::optional<storage::Deployment> record;
    switch (key) {
        case DeploymentKey::kSlug: record = store_.find_deployment_by_slug(value); break;
        case DeploymentKey::kId: record = store_.find_deployment_by_id(value); break;
        case DeploymentKey::kKeyHash: record = store_.find_deployment_by_key_hash(value); break;
    }
    if (!record || !record->is_active) {
        return nullptr;
    }
    DeployedWorkflowPtr deployment;
    try {
        deployment = load_deployed_workflow(std::move(*record), catalog_);
    } catch (const std::runtime_error& e) {
        throw UnservableDeployment(e.what());
    }
    cache_.put_loaded(deployment, generation);
    return deployment;
}

void DeploymentDirectory::apply_change(const std::string& id) {
    if (id.empty()) {
        cache_.clear();
        return;
    }
    const auto cached = cache_.find_by_id(id);
    if (cached == nullptr) {
        return;  // the next request reads the stored version
    }
    const auto record = store_.find_deployment_by_id(id);
    if (record && record->is_active && record->api_key_hash == cached->record.api_key_hash) {
        return;  // unchanged, or this process's own change, already cached
    }
    cache_.remove(id);
}

}  // namespace clara::service
