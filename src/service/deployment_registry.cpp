#include "service/deployment_registry.hpp"

#include <mutex>

namespace clara::service {
namespace {

template <typename Index>
DeployedWorkflowPtr lookup(const Index& index, std::string_view key) {
    const auto it = index.find(key);
    return it == index.end() ? nullptr : it->second;
}

}  // namespace

void DeploymentRegistry::put(DeployedWorkflowPtr deployment) {
    std::unique_lock lock(mutex_);
    erase_locked(deployment->record.id);
    by_slug_[deployment->record.slug] = deployment;
    by_key_hash_[deployment->record.api_key_hash] = deployment;
    by_id_[deployment->record.id] = std::move(deployment);
}

void DeploymentRegistry::replace_all(const std::vector<DeployedWorkflowPtr>& deployments) {
    Index by_id;
    Index by_slug;
    Index by_key_hash;
    for (const auto& deployment : deployments) {
        by_id[deployment->record.id] = deployment;
        by_slug[deployment->record.slug] = deployment;
        by_key_hash[deployment->record.api_key_hash] = deployment;
    }
    std::unique_lock lock(mutex_);
    by_id_.swap(by_id);
    by_slug_.swap(by_slug);
    by_key_hash_.swap(by_key_hash);
}

void DeploymentRegistry::remove(std::string_view id) {
    std::unique_lock lock(mutex_);
    erase_locked(id);
}

void DeploymentRegistry::erase_locked(std::string_view id) {
    const auto it = by_id_.find(id);
    if (it == by_id_.end()) {
        return;
    }
    by_slug_.erase(it->second->record.slug);
    by_key_hash_.erase(it->second->record.api_key_hash);
    by_id_.erase(it);
}

DeployedWorkflowPtr DeploymentRegistry::find_by_slug(std::string_view slug) const {
    std::shared_lock lock(mutex_);
    return lookup(by_slug_, slug);
}

DeployedWorkflowPtr DeploymentRegistry::find_by_id(std::string_view id) const {
    std::shared_lock lock(mutex_);
    return lookup(by_id_, id);
}

DeployedWorkflowPtr DeploymentRegistry::find_by_key_hash(std::string_view hash) const {
    std::shared_lock lock(mutex_);
    return lookup(by_key_hash_, hash);
}

std::size_t DeploymentRegistry::size() const {
    std::shared_lock lock(mutex_);
    return by_id_.size();
}

}  // namespace clara::service
