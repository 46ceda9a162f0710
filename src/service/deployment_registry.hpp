#pragma once

#include "service/deployed_workflow.hpp"

#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace clara::service {

/// The in-process cache of active deployments, found by slug, id or key hash without a database
/// round trip. Readers share a lock; entries are immutable and replaced whole.
class DeploymentRegistry {
public:
    /// Adds or replaces the deployment with this id.
    void put(DeployedWorkflowPtr deployment);

    /// Removes the deployment with this id, if present.
    void remove(std::string_view id);

    /// Replaces the whole content (after a reload from the database).
    void replace_all(const std::vector<DeployedWorkflowPtr>& deployments);

    DeployedWorkflowPtr find_by_slug(std::string_view slug) const;
    DeployedWorkflowPtr find_by_id(std::string_view id) const;
    DeployedWorkflowPtr find_by_key_hash(std::string_view hash) const;

    std::size_t size() const;

private:
    struct StringHash {
        using is_transparent = void;
        std::size_t operator()(std::string_view text) const {
            return std::hash<std::string_view>{}(text);
        }
    };
    using Index = std::unordered_map<std::string, DeployedWorkflowPtr, StringHash, std::equal_to<>>;

    void erase_locked(std::string_view id);

    mutable std::shared_mutex mutex_;
    Index by_id_;
    Index by_slug_;
    Index by_key_hash_;
};

}  // namespace clara::service
