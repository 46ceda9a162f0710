#include "service/deployment_cache.hpp"

#include <algorithm>

namespace clara::service {

DeploymentCache::DeploymentCache(std::size_t capacity) : capacity_(std::max<std::size_t>(1, capacity)) {}

void DeploymentCache::put(DeployedWorkflowPtr deployment) {
    std::lock_guard lock(mutex_);
    ++generation_;
    insert_locked(std::move(deployment));
}

void DeploymentCache::put_loaded(DeployedWorkflowPtr deployment, std::uint64_t generation) {
    std::lock_guard lock(mutex_);
    if (generation == generation_) {
        ++generation_;
        insert_locked(std::move(deployment));
    }
}

void DeploymentCache::insert_locked(DeployedWorkflowPtr deployment) {
    const auto& record = deployment->record;
    erase_locked(record.id);
    // Another deployment may still hold this slug or key hash in the cache when the store says
    // it no longer does (deleted here, re-deployed by another instance): the newer entry wins.
    erase_holder_locked(by_slug_, record.slug);
    erase_holder_locked(by_key_hash_, record.api_key_hash);
    recency_.push_front(deployment);
    const auto entry = recency_.begin();
    by_id_[record.id] = entry;
    by_slug_[record.slug] = entry;
    by_key_hash_[record.api_key_hash] = entry;
    while (recency_.size() > capacity_) {
        erase_locked(recency_.back()->record.id);
    }
}

void DeploymentCache::erase_holder_locked(const Index& index, std::string_view key) {
    if (const auto it = index.find(key); it != index.end()) {
        erase_locked((*it->second)->record.id);
    }
}

void DeploymentCache::remove(std::string_view id) {
    std::lock_guard lock(mutex_);
    ++generation_;
    erase_locked(id);
}

void DeploymentCache::clear() {
    std::lock_guard lock(mutex_);
    ++generation_;
    by_id_.clear();
    by_slug_.clear();
    by_key_hash_.clear();
    recency_.clear();
}

void DeploymentCache::erase_locked(std::string_view id) {
    const auto it = by_id_.find(id);
    if (it == by_id_.end()) {
        return;
    }
    const auto entry = it->second;
    by_slug_.erase((*entry)->record.slug);
    by_key_hash_.erase((*entry)->record.api_key_hash);
    by_id_.erase(it);
    recency_.erase(entry);
}

std::uint64_t DeploymentCache::generation() const {
    std::lock_guard lock(mutex_);
    return generation_;
}

DeployedWorkflowPtr DeploymentCache::find_in(const Index& index, std::string_view key) {
    std::lock_guard lock(mutex_);
    const auto it = index.find(key);
    if (it == index.end()) {
        return nullptr;
    }
    recency_.splice(recency_.begin(), recency_, it->second);  // iterators stay valid
    return *it->second;
}

DeployedWorkflowPtr DeploymentCache::find_by_slug(std::string_view slug) {
    return find_in(by_slug_, slug);
}

DeployedWorkflowPtr DeploymentCache::find_by_id(std::string_view id) { return find_in(by_id_, id); }

DeployedWorkflowPtr DeploymentCache::find_by_key_hash(std::string_view hash) {
    return find_in(by_key_hash_, hash);
}

std::size_t DeploymentCache::size() const {
    std::lock_guard lock(mutex_);
    return recency_.size();
}

}  // namespace clara::service
