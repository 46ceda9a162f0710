#pragma once

#include "service/deployed_workflow.hpp"

#include <cstddef>
#include <cstdint>
#include <list>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace clara::service {

/// The compiled deployments most recently used, found by slug, id or key hash without a database
/// round trip. Bounded: past `capacity` the least recently used one is dropped, and is compiled
/// again from the store when next asked for, so memory does not grow with the number of
/// deployments. Entries are immutable and replaced whole. Thread-safe.
class DeploymentCache {
public:
    explicit DeploymentCache(std::size_t capacity);

    /// Adds or replaces the deployment with this id, as the most recently used.
    void put(DeployedWorkflowPtr deployment);

    /// Adds a deployment read from the store, unless the cache changed after `generation()`
    /// returned `generation`: the read may then predate that change.
    void put_loaded(DeployedWorkflowPtr deployment, std::uint64_t generation);

    /// Removes the deployment with this id, if present.
    void remove(std::string_view id);

    /// Removes everything.
    void clear();

    /// Changes with every put, remove and clear (see put_loaded).
    std::uint64_t generation() const;

    DeployedWorkflowPtr find_by_slug(std::string_view slug);
    DeployedWorkflowPtr find_by_id(std::string_view id);
    DeployedWorkflowPtr find_by_key_hash(std::string_view hash);

    std::size_t size() const;
    std::size_t capacity() const { return capacity_; }

private:
    struct StringHash {
        using is_transparent = void;
        std::size_t operator()(std::string_view text) const {
            return std::hash<std::string_view>{}(text);
        }
    };
    using Recency = std::list<DeployedWorkflowPtr>;  // most recently used first
    using Index = std::unordered_map<std::string, Recency::iterator, StringHash, std::equal_to<>>;

    DeployedWorkflowPtr find_in(const Index& index, std::string_view key);
    void insert_locked(DeployedWorkflowPtr deployment);
    void erase_locked(std::string_view id);
    void erase_holder_locked(const Index& index, std::string_view key);

    const std::size_t capacity_;
    mutable std::mutex mutex_;
    std::uint64_t generation_ = 0;
    Recency recency_;
    Index by_id_;
    Index by_slug_;
    Index by_key_hash_;
};

}  // namespace clara::service
