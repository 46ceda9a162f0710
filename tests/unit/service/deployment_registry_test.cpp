#include "service/deployment_registry.hpp"

#include <gtest/gtest.h>

namespace clara::service {
namespace {

DeployedWorkflowPtr make(std::string id, std::string slug, std::string hash) {
    auto deployed = std::make_shared<DeployedWorkflow>();
    deployed->record.id = std::move(id);
    deployed->record.slug = std::move(slug);
    deployed->record.api_key_hash = std::move(hash);
    return deployed;
}

TEST(DeploymentRegistry, FindsByIdSlugAndKeyHash) {
    DeploymentRegistry registry;
    registry.put(make("id-1", "alpha", "h1"));
    registry.put(make("id-2", "beta", "h2"));
    EXPECT_EQ(registry.size(), 2u);
    EXPECT_EQ(registry.find_by_slug("alpha")->record.id, "id-1");
    EXPECT_EQ(registry.find_by_id("id-2")->record.slug, "beta");
    EXPECT_EQ(registry.find_by_key_hash("h2")->record.id, "id-2");
    EXPECT_EQ(registry.find_by_slug("gamma"), nullptr);
}

TEST(DeploymentRegistry, ReplacingAnEntryDropsItsOldKeyHash) {
    DeploymentRegistry registry;
    const auto original = make("id-1", "alpha", "old");
    registry.put(original);
    registry.put(with_key_hash(*original, "new"));
    EXPECT_EQ(registry.find_by_key_hash("old"), nullptr);
    EXPECT_EQ(registry.find_by_key_hash("new")->record.id, "id-1");
    EXPECT_EQ(registry.size(), 1u);
}

TEST(DeploymentRegistry, RemoveForgetsEveryIndex) {
    DeploymentRegistry registry;
    registry.put(make("id-1", "alpha", "h1"));
    registry.remove("id-1");
    registry.remove("id-unknown");
    EXPECT_EQ(registry.find_by_slug("alpha"), nullptr);
    EXPECT_EQ(registry.find_by_key_hash("h1"), nullptr);
    EXPECT_EQ(registry.size(), 0u);
}

}  // namespace
}  // namespace clara::service
