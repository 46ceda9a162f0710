#include "service/deployment_cache.hpp"

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

TEST(DeploymentCache, FindsByIdSlugAndKeyHash) {
    DeploymentCache cache(10);
    cache.put(make("id-1", "alpha", "h1"));
    cache.put(make("id-2", "beta", "h2"));
    EXPECT_EQ(cache.size(), 2u);
    EXPECT_EQ(cache.find_by_slug("alpha")->record.id, "id-1");
    EXPECT_EQ(cache.find_by_id("id-2")->record.slug, "beta");
    EXPECT_EQ(cache.find_by_key_hash("h2")->record.id, "id-2");
    EXPECT_EQ(cache.find_by_slug("gamma"), nullptr);
}

TEST(DeploymentCache, ReplacingAnEntryDropsItsOldKeyHash) {
    DeploymentCache cache(10);
    const auto original = make("id-1", "alpha", "old");
    cache.put(original);
    cache.put(with_key_hash(*original, "new"));
    EXPECT_EQ(cache.find_by_key_hash("old"), nullptr);
    EXPECT_EQ(cache.find_by_key_hash("new")->record.id, "id-1");
    EXPECT_EQ(cache.size(), 1u);
}

TEST(DeploymentCache, RemoveForgetsEveryIndex) {
    DeploymentCache cache(10);
    cache.put(make("id-1", "alpha", "h1"));
    cache.remove("id-1");
    cache.remove("id-unknown");
    EXPECT_EQ(cache.find_by_slug("alpha"), nullptr);
    EXPECT_EQ(cache.find_by_key_hash("h1"), nullptr);
    EXPECT_EQ(cache.size(), 0u);
}

TEST(DeploymentCache, DropsTheLeastRecentlyUsedPastItsCapacity) {
    DeploymentCache cache(2);
    cache.put(make("id-1", "alpha", "h1"));
    cache.put(make("id-2", "beta", "h2"));
    ASSERT_NE(cache.find_by_key_hash("h1"), nullptr);  // alpha is now the most recently used
    cache.put(make("id-3", "gamma", "h3"));
    EXPECT_EQ(cache.size(), 2u);
    EXPECT_EQ(cache.find_by_id("id-2"), nullptr);
    EXPECT_EQ(cache.find_by_slug("beta"), nullptr);
    EXPECT_EQ(cache.find_by_key_hash("h2"), nullptr);
    EXPECT_NE(cache.find_by_slug("alpha"), nullptr);
    EXPECT_NE(cache.find_by_slug("gamma"), nullptr);
}

TEST(DeploymentCache, ANewerDeploymentTakesOverASlugHeldByAnother) {
    DeploymentCache cache(10);
    cache.put(make("id-1", "alpha", "h1"));
    cache.put(make("id-2", "alpha", "h2"));  // id-1 was deleted and its slug reused elsewhere
    EXPECT_EQ(cache.find_by_slug("alpha")->record.id, "id-2");
    EXPECT_EQ(cache.find_by_key_hash("h1"), nullptr);
    EXPECT_EQ(cache.size(), 1u);
}

TEST(DeploymentCache, ALoadThatRacedWithAChangeIsNotCached) {
    DeploymentCache cache(10);
    const auto before = cache.generation();
    cache.remove("id-1");  // another instance changed id-1 while it was being read
    cache.put_loaded(make("id-1", "alpha", "stale"), before);
    EXPECT_EQ(cache.find_by_id("id-1"), nullptr);

    cache.put_loaded(make("id-1", "alpha", "fresh"), cache.generation());
    EXPECT_EQ(cache.find_by_id("id-1")->record.api_key_hash, "fresh");
}

TEST(DeploymentCache, ClearEmptiesEveryIndex) {
    DeploymentCache cache(10);
    cache.put(make("id-1", "alpha", "h1"));
    cache.clear();
    EXPECT_EQ(cache.size(), 0u);
    EXPECT_EQ(cache.find_by_key_hash("h1"), nullptr);
}

}  // namespace
}  // namespace clara::service
