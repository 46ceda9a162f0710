// Behaviour every Store backend must share; runs once per type in StoreBackends.
#include "storage/store.hpp"

#include "unit/storage/store_backends.hpp"
#include "util/crypto.hpp"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <barrier>
#include <mutex>
#include <numeric>
#include <set>
#include <thread>

namespace clara::storage {
namespace {

using test_support::BackendName;
using test_support::StoreBackends;

constexpr std::int64_t kT0 = 1'700'000'000'000;  // 2023-11-14T22:13:20.000Z

Deployment make_deployment(const std::string& slug, std::int64_t created_at_ms = kT0) {
    Deployment d;
    d.id = util::uuid_v4();
    d.name = "Workflow " + slug;
    d.slug = slug;
    d.description = "Deployed as " + slug;
    d.workflow = boost::json::parse(
        R"({"nodes":[{"id":"in-1","type":"input"},{"id":"out-1","type":"output"}],)"
        R"("connections":[{"source":"in-1","target":"out-1"}]})");
    d.schema = boost::json::parse(R"({"input":{"type":"object"},"output":{},"metadata":{}})");
    d.field_map = boost::json::parse(R"({"inputs":{"question":"in-1"},"outputs":{"a":"out-1"}})");
    d.user_id = "user-1";
    d.api_key_hash = util::sha256_hex(util::random_hex(16));
    d.created_at_ms = created_at_ms;
    d.updated_at_ms = created_at_ms;
    return d;
}

ExecutionRecord make_execution(const std::string& workflow_id,
                               const std::string& status,
                               std::int64_t created_at_ms,
                               std::optional<std::int64_t> duration_ms = 100) {
    ExecutionRecord e;
    e.id = util::uuid_v4();
    e.workflow_id = workflow_id;
    e.inputs = boost::json::parse(R"({"question":"What is 2+2?"})");
    if (status == "success") {
        e.outputs = boost::json::parse(R"({"answer":"4"})");
    }
    e.status = status;
    if (status == "error") {
        e.error_message = "Node 'LLM' failed: upstream 500";
        e.error_node_id = "llm-1";
    }
    if (status == "success") {
        e.token_usage = boost::json::parse(
            R"({"promptTokens":12,"completionTokens":30,"totalTokens":42,"calls":1})");
    }
    e.duration_ms = duration_ms;
    e.started_at_ms = created_at_ms - duration_ms.value_or(0);
    e.created_at_ms = created_at_ms;
    return e;
}

void expect_same_deployment(const Deployment& actual, const Deployment& expected) {
    EXPECT_EQ(actual.id, expected.id);
    EXPECT_EQ(actual.name, expected.name);
    EXPECT_EQ(actual.slug, expected.slug);
    EXPECT_EQ(actual.description, expected.description);
    EXPECT_EQ(actual.workflow, expected.workflow);
    EXPECT_EQ(actual.schema, expected.schema);
    EXPECT_EQ(actual.field_map, expected.field_map);
    EXPECT_EQ(actual.user_id, expected.user_id);
    EXPECT_EQ(actual.api_key_hash, expected.api_key_hash);
    EXPECT_EQ(actual.is_active, expected.is_active);
    EXPECT_EQ(actual.created_at_ms, expected.created_at_ms);
    EXPECT_EQ(actual.updated_at_ms, expected.updated_at_ms);
}

void expect_same_execution(const ExecutionRecord& actual, const ExecutionRecord& expected) {
    EXPECT_EQ(actual.id, expected.id);
    EXPECT_EQ(actual.workflow_id, expected.workflow_id);
    EXPECT_EQ(actual.inputs, expected.inputs);
    EXPECT_EQ(actual.outputs, expected.outputs);
    EXPECT_EQ(actual.status, expected.status);
    EXPECT_EQ(actual.error_message, expected.error_message);
    EXPECT_EQ(actual.error_node_id, expected.error_node_id);
    EXPECT_EQ(actual.duration_ms, expected.duration_ms);
    EXPECT_EQ(actual.token_usage, expected.token_usage);
    EXPECT_EQ(actual.started_at_ms, expected.started_at_ms);
    EXPECT_EQ(actual.created_at_ms, expected.created_at_ms);
}

std::vector<std::string> slugs_of(const std::vector<DeploymentSummary>& summaries) {
    std::vector<std::string> slugs;
    for (const auto& summary : summaries) {
        slugs.push_back(summary.deployment.slug);
    }
    return slugs;
}

std::vector<std::string> ids_of(const std::vector<ExecutionRecord>& records) {
    std::vector<std::string> ids;
    for (const auto& record : records) {
        ids.push_back(record.id);
    }
    return ids;
}

// The ids of `records` in the order a newest-first listing must return them.
std::vector<std::string> newest_first_ids(std::vector<ExecutionRecord> records) {
    std::sort(records.begin(), records.end(), [](const auto& a, const auto& b) {
        return a.created_at_ms != b.created_at_ms ? a.created_at_ms > b.created_at_ms
                                                  : a.id > b.id;
    });
    return ids_of(records);
}

template <typename Backend>
class StoreConformance : public ::testing::Test {
protected:
    void SetUp() override {
        if (auto reason = Backend::skip_reason()) {
            GTEST_SKIP() << *reason;
        }
        store_ = backend_.open();
        first_migration_count_ = store_->migrate();
    }

    Store& store() { return *store_; }

    void reopen() {
        store_.reset();
        store_ = backend_.open();
    }

    Deployment deploy(const std::string& slug, std::int64_t created_at_ms = kT0) {
        auto deployment = make_deployment(slug, created_at_ms);
        store_->insert_deployment(deployment);
        return deployment;
    }

    std::vector<ExecutionRecord> all_executions(const std::string& workflow_id) {
        return store_->list_executions({.workflow_id = workflow_id, .limit = 100000});
    }

    Backend backend_;
    std::unique_ptr<Store> store_;
    int first_migration_count_ = 0;
};

TYPED_TEST_SUITE(StoreConformance, StoreBackends, BackendName);

// --- Migrations -------------------------------------------------------------------------------

TYPED_TEST(StoreConformance, MigrateAppliesPendingMigrationsOnlyOnce) {
    EXPECT_GE(this->first_migration_count_, 1);
    EXPECT_EQ(this->store().migrate(), 0);
    this->reopen();
    EXPECT_EQ(this->store().migrate(), 0);
}

// --- Deployments ------------------------------------------------------------------------------

TYPED_TEST(StoreConformance, InsertedDeploymentIsFoundBySlugAndById) {
    const auto deployment = this->deploy("weather-report");

    const auto by_slug = this->store().find_deployment_by_slug("weather-report");
    ASSERT_TRUE(by_slug.has_value());
    expect_same_deployment(*by_slug, deployment);

    const auto by_id = this->store().find_deployment_by_id(deployment.id);
    ASSERT_TRUE(by_id.has_value());
    expect_same_deployment(*by_id, deployment);

    const auto by_key = this->store().find_deployment_by_key_hash(deployment.api_key_hash);
    ASSERT_TRUE(by_key.has_value());
    expect_same_deployment(*by_key, deployment);
}

TYPED_TEST(StoreConformance, OptionalDeploymentFieldsRoundTripAsEmpty) {
    auto deployment = make_deployment("bare");
    deployment.description.reset();
    deployment.user_id.reset();
    this->store().insert_deployment(deployment);

    const auto found = this->store().find_deployment_by_id(deployment.id);
    ASSERT_TRUE(found.has_value());
    EXPECT_FALSE(found->description.has_value());
    EXPECT_FALSE(found->user_id.has_value());
}

TYPED_TEST(StoreConformance, FindReturnsNothingForUnknownSlugOrId) {
    this->deploy("present");
    EXPECT_FALSE(this->store().find_deployment_by_slug("absent").has_value());
    EXPECT_FALSE(this->store().find_deployment_by_id(util::uuid_v4()).has_value());
    EXPECT_FALSE(this->store().find_deployment_by_key_hash(util::sha256_hex("absent")).has_value());
}

TYPED_TEST(StoreConformance, MalformedIdsFindNothingInsteadOfFailing) {
    const auto deployment = this->deploy("well-formed");
    const auto run = make_execution(deployment.id, "success", kT0);
    this->store().insert_executions(std::span(&run, 1));

    for (const std::string id : {"not-a-uuid", "", "'; DROP TABLE deployed_workflows; --"}) {
        SCOPED_TRACE(id);
        EXPECT_FALSE(this->store().find_deployment_by_id(id).has_value());
        EXPECT_FALSE(this->store().deactivate_deployment(id));
        EXPECT_FALSE(this->store().replace_api_key_hash(id, util::sha256_hex("k")));
        EXPECT_FALSE(this->store().purge_deployment(id));
        EXPECT_EQ(this->store().deployment_stats(id).execution_count, 0);
        EXPECT_TRUE(this->store().list_executions({.workflow_id = id}).empty());
        EXPECT_TRUE(this->store().list_executions_page({.workflow_id = id}).empty());
    }
    EXPECT_TRUE(this->store().find_deployment_by_id(deployment.id).has_value());
    EXPECT_EQ(this->all_executions(deployment.id).size(), 1u);
}

TYPED_TEST(StoreConformance, SlugExistsForActiveAndInactiveDeployments) {
    const auto active = this->deploy("active-one");
    const auto retired = this->deploy("retired-one");
    ASSERT_TRUE(this->store().deactivate_deployment(retired.id));

    EXPECT_TRUE(this->store().slug_exists("active-one"));
    EXPECT_TRUE(this->store().slug_exists("retired-one"));
    EXPECT_FALSE(this->store().slug_exists("never-used"));
}

TYPED_TEST(StoreConformance, InsertThrowsConflictWhenSlugIsTaken) {
    this->deploy("taken");
    const auto second = make_deployment("taken");

    EXPECT_THROW(this->store().insert_deployment(second), ConflictError);
    EXPECT_FALSE(this->store().find_deployment_by_id(second.id).has_value());
}

TYPED_TEST(StoreConformance, InsertThrowsConflictWhenSlugBelongsToInactiveDeployment) {
    const auto first = this->deploy("reserved");
    ASSERT_TRUE(this->store().deactivate_deployment(first.id));

    EXPECT_THROW(this->store().insert_deployment(make_deployment("reserved")), ConflictError);
}

TYPED_TEST(StoreConformance, InsertThrowsConflictWhenApiKeyHashIsTaken) {
    const auto first = this->deploy("first");
    auto second = make_deployment("second");
    second.api_key_hash = first.api_key_hash;

    EXPECT_THROW(this->store().insert_deployment(second), ConflictError);
    EXPECT_FALSE(this->store().slug_exists("second"));
}

TYPED_TEST(StoreConformance, InsertRejectsSlugOutsideTheAllowedAlphabet) {
    for (const std::string slug : {"Upper-Case", "with space", "under_score", "", "caf\xc3\xa9"}) {
        EXPECT_THROW(this->store().insert_deployment(make_deployment(slug)), StorageError)
            << "slug '" << slug << "'";
    }
}

TYPED_TEST(StoreConformance, LoadActiveDeploymentsSkipsInactiveOnes) {
    const auto a = this->deploy("alpha", kT0);
    const auto b = this->deploy("beta", kT0 + 1);
    const auto c = this->deploy("gamma", kT0 + 2);
    ASSERT_TRUE(this->store().deactivate_deployment(b.id));

    const auto active = this->store().load_active_deployments();
    std::set<std::string> slugs;
    for (const auto& deployment : active) {
        EXPECT_TRUE(deployment.is_active);
        slugs.insert(deployment.slug);
    }
    EXPECT_EQ(slugs, (std::set<std::string>{"alpha", "gamma"}));
    const auto loaded = std::find_if(active.begin(), active.end(),
                                     [&](const Deployment& d) { return d.id == c.id; });
    ASSERT_NE(loaded, active.end());
    expect_same_deployment(*loaded, c);
}

TYPED_TEST(StoreConformance, ListDeploymentsIsNewestFirstWithIdAsTieBreak) {
    auto tie_a = make_deployment("tie-a", kT0 + 1000);
    auto tie_b = make_deployment("tie-b", kT0 + 1000);
    // Fixed ids make the expected tie order explicit: the larger id comes first.
    tie_a.id = "00000000-0000-4000-8000-00000000000a";
    tie_b.id = "00000000-0000-4000-8000-00000000000b";
    this->deploy("oldest", kT0);
    this->store().insert_deployment(tie_a);
    this->store().insert_deployment(tie_b);
    this->deploy("newest", kT0 + 2000);

    const auto listed = this->store().list_deployments({});
    EXPECT_EQ(slugs_of(listed), (std::vector<std::string>{"newest", "tie-b", "tie-a", "oldest"}));
}

TYPED_TEST(StoreConformance, ListDeploymentsPagesWithLimitAndOffset) {
    for (int i = 0; i < 5; ++i) {
        this->deploy("page-" + std::to_string(i), kT0 + i);
    }
    auto page = [&](int limit, int offset) {
        return slugs_of(this->store().list_deployments({.limit = limit, .offset = offset}));
    };
    EXPECT_EQ(page(2, 0), (std::vector<std::string>{"page-4", "page-3"}));
    EXPECT_EQ(page(2, 2), (std::vector<std::string>{"page-2", "page-1"}));
    EXPECT_EQ(page(2, 4), (std::vector<std::string>{"page-0"}));
    EXPECT_TRUE(page(2, 5).empty());
    EXPECT_TRUE(page(0, 0).empty());
}

TYPED_TEST(StoreConformance, ListDeploymentsFiltersByUser) {
    auto mine = make_deployment("mine", kT0);
    mine.user_id = "alice";
    auto theirs = make_deployment("theirs", kT0 + 1);
    theirs.user_id = "bob";
    auto nobodys = make_deployment("nobodys", kT0 + 2);
    nobodys.user_id.reset();
    for (const auto& d : {mine, theirs, nobodys}) {
        this->store().insert_deployment(d);
    }

    EXPECT_EQ(slugs_of(this->store().list_deployments({.user_id = "alice"})),
              (std::vector<std::string>{"mine"}));
    EXPECT_EQ(slugs_of(this->store().list_deployments({.user_id = "carol"})),
              (std::vector<std::string>{}));
    EXPECT_EQ(slugs_of(this->store().list_deployments({})),
              (std::vector<std::string>{"nobodys", "theirs", "mine"}));
}

TYPED_TEST(StoreConformance, ListDeploymentsShowsInactiveOnlyWhenAsked) {
    this->deploy("live", kT0);
    const auto gone = this->deploy("gone", kT0 + 1);
    ASSERT_TRUE(this->store().deactivate_deployment(gone.id));

    EXPECT_EQ(slugs_of(this->store().list_deployments({})), (std::vector<std::string>{"live"}));
    const auto all = this->store().list_deployments({.include_inactive = true});
    ASSERT_EQ(slugs_of(all), (std::vector<std::string>{"gone", "live"}));
    EXPECT_FALSE(all[0].deployment.is_active);
    EXPECT_TRUE(all[1].deployment.is_active);
}

TYPED_TEST(StoreConformance, ListDeploymentsCarriesDerivedStats) {
    const auto busy = this->deploy("busy", kT0);
    this->deploy("idle", kT0 + 1);
    const std::vector<ExecutionRecord> runs = {
        make_execution(busy.id, "success", kT0 + 10, 100),
        make_execution(busy.id, "error", kT0 + 30, 999),
        make_execution(busy.id, "success", kT0 + 20, 300),
    };
    this->store().insert_executions(runs);

    const auto listed = this->store().list_deployments({});
    ASSERT_EQ(slugs_of(listed), (std::vector<std::string>{"idle", "busy"}));
    EXPECT_EQ(listed[0].stats.execution_count, 0);
    EXPECT_EQ(listed[0].stats.success_count, 0);
    EXPECT_FALSE(listed[0].stats.last_executed_at_ms.has_value());
    EXPECT_FALSE(listed[0].stats.avg_duration_ms.has_value());
    EXPECT_EQ(listed[1].stats.execution_count, 3);
    EXPECT_EQ(listed[1].stats.success_count, 2);
    EXPECT_EQ(listed[1].stats.last_executed_at_ms, kT0 + 30);
    ASSERT_TRUE(listed[1].stats.avg_duration_ms.has_value());
    EXPECT_DOUBLE_EQ(*listed[1].stats.avg_duration_ms, 200.0);
}

TYPED_TEST(StoreConformance, DeactivateDeploymentSoftDeletesOnce) {
    const auto deployment = this->deploy("short-lived");

    EXPECT_TRUE(this->store().deactivate_deployment(deployment.id));
    EXPECT_FALSE(this->store().deactivate_deployment(deployment.id));
    EXPECT_FALSE(this->store().deactivate_deployment(util::uuid_v4()));

    const auto found = this->store().find_deployment_by_slug("short-lived");
    ASSERT_TRUE(found.has_value());
    EXPECT_FALSE(found->is_active);
    EXPECT_GT(found->updated_at_ms, deployment.updated_at_ms);
    EXPECT_EQ(found->created_at_ms, deployment.created_at_ms);
    EXPECT_TRUE(this->store().list_deployments({}).empty());
}

TYPED_TEST(StoreConformance, ReplaceApiKeyHashUpdatesOnlyActiveDeployments) {
    const auto active = this->deploy("keyed");
    const auto inactive = this->deploy("unkeyed");
    ASSERT_TRUE(this->store().deactivate_deployment(inactive.id));
    const std::string new_hash = util::sha256_hex("new key");

    EXPECT_TRUE(this->store().replace_api_key_hash(active.id, new_hash));
    const auto found = this->store().find_deployment_by_id(active.id);
    ASSERT_TRUE(found.has_value());
    EXPECT_EQ(found->api_key_hash, new_hash);
    EXPECT_GT(found->updated_at_ms, active.updated_at_ms);

    EXPECT_FALSE(this->store().replace_api_key_hash(inactive.id, util::sha256_hex("other")));
    EXPECT_EQ(this->store().find_deployment_by_id(inactive.id)->api_key_hash,
              inactive.api_key_hash);
    EXPECT_FALSE(this->store().replace_api_key_hash(util::uuid_v4(), util::sha256_hex("x")));
}

TYPED_TEST(StoreConformance, ReplaceApiKeyHashThrowsConflictWhenHashIsTaken) {
    const auto a = this->deploy("holder-a");
    const auto b = this->deploy("holder-b");

    EXPECT_THROW(this->store().replace_api_key_hash(b.id, a.api_key_hash), ConflictError);
    EXPECT_EQ(this->store().find_deployment_by_id(b.id)->api_key_hash, b.api_key_hash);
}

TYPED_TEST(StoreConformance, PurgeDeploymentRemovesItsExecutionsAndFreesTheSlug) {
    const auto doomed = this->deploy("doomed");
    const auto kept = this->deploy("kept");
    const std::vector<ExecutionRecord> runs = {make_execution(doomed.id, "success", kT0),
                                               make_execution(kept.id, "success", kT0)};
    this->store().insert_executions(runs);

    EXPECT_TRUE(this->store().purge_deployment(doomed.id));
    EXPECT_FALSE(this->store().purge_deployment(doomed.id));

    EXPECT_FALSE(this->store().find_deployment_by_id(doomed.id).has_value());
    EXPECT_FALSE(this->store().slug_exists("doomed"));
    EXPECT_TRUE(this->all_executions(doomed.id).empty());
    EXPECT_EQ(this->all_executions(kept.id).size(), 1u);
    EXPECT_NO_THROW(this->store().insert_deployment(make_deployment("doomed")));
}

// --- Executions -------------------------------------------------------------------------------

TYPED_TEST(StoreConformance, InsertExecutionsStoresEveryFieldOfTheBatch) {
    const auto deployment = this->deploy("recorded");
    auto no_duration = make_execution(deployment.id, "timeout", kT0 + 3, std::nullopt);
    no_duration.error_message = "Workflow execution timeout after 300000ms";
    const std::vector<ExecutionRecord> batch = {
        make_execution(deployment.id, "success", kT0 + 1, 120),
        make_execution(deployment.id, "error", kT0 + 2, 45),
        no_duration,
        make_execution(deployment.id, "running", kT0 + 4, std::nullopt),
    };
    this->store().insert_executions(batch);

    const auto listed = this->all_executions(deployment.id);
    ASSERT_EQ(listed.size(), batch.size());
    // Newest first: the batch in reverse.
    for (std::size_t i = 0; i < batch.size(); ++i) {
        SCOPED_TRACE(batch[i].status);
        expect_same_execution(listed[batch.size() - 1 - i], batch[i]);
    }
    EXPECT_TRUE(listed.back().outputs.is_object());
    EXPECT_TRUE(listed.front().outputs.is_null());
}

TYPED_TEST(StoreConformance, InsertExecutionsAcceptsAnEmptyBatch) {
    const auto deployment = this->deploy("quiet");
    EXPECT_NO_THROW(this->store().insert_executions({}));
    EXPECT_TRUE(this->all_executions(deployment.id).empty());
}

TYPED_TEST(StoreConformance, InsertExecutionsWritesNothingWhenOneRecordFails) {
    const auto deployment = this->deploy("atomic");
    const std::vector<ExecutionRecord> orphan_batch = {
        make_execution(deployment.id, "success", kT0),
        make_execution(util::uuid_v4(), "success", kT0 + 1),  // no such deployment
    };
    EXPECT_THROW(this->store().insert_executions(orphan_batch), StorageError);

    const std::vector<ExecutionRecord> bad_status_batch = {
        make_execution(deployment.id, "success", kT0),
        make_execution(deployment.id, "exploded", kT0 + 1),
    };
    EXPECT_THROW(this->store().insert_executions(bad_status_batch), StorageError);

    EXPECT_TRUE(this->all_executions(deployment.id).empty());
    EXPECT_EQ(this->store().deployment_stats(deployment.id).execution_count, 0);
}

TYPED_TEST(StoreConformance, ListExecutionsFiltersByStatusAndPages) {
    const auto deployment = this->deploy("listed");
    const auto other = this->deploy("other");
    std::vector<ExecutionRecord> runs;
    for (int i = 0; i < 10; ++i) {
        runs.push_back(make_execution(deployment.id, i % 2 == 0 ? "success" : "error", kT0 + i));
    }
    runs.push_back(make_execution(other.id, "success", kT0 + 100));
    this->store().insert_executions(runs);

    const auto all = this->store().list_executions({.workflow_id = deployment.id});
    ASSERT_EQ(all.size(), 10u);
    EXPECT_EQ(all.front().created_at_ms, kT0 + 9);
    EXPECT_EQ(all.back().created_at_ms, kT0);

    const auto page = this->store().list_executions(
        {.workflow_id = deployment.id, .limit = 3, .offset = 3});
    ASSERT_EQ(page.size(), 3u);
    EXPECT_EQ(page[0].created_at_ms, kT0 + 6);
    EXPECT_EQ(page[2].created_at_ms, kT0 + 4);

    const auto failures = this->store().list_executions(
        {.workflow_id = deployment.id, .status = "error", .limit = 2, .offset = 1});
    ASSERT_EQ(failures.size(), 2u);
    EXPECT_EQ(failures[0].created_at_ms, kT0 + 7);
    EXPECT_EQ(failures[1].created_at_ms, kT0 + 5);
    for (const auto& record : failures) {
        EXPECT_EQ(record.status, "error");
    }

    EXPECT_TRUE(
        this->store().list_executions({.workflow_id = deployment.id, .status = "timeout"}).empty());
    EXPECT_TRUE(this->store().list_executions({.workflow_id = deployment.id, .limit = 0}).empty());
}

TYPED_TEST(StoreConformance, ListExecutionsBreaksTimestampTiesById) {
    const auto deployment = this->deploy("ties");
    std::vector<ExecutionRecord> runs;
    for (int i = 0; i < 6; ++i) {
        runs.push_back(make_execution(deployment.id, "success", kT0 + i / 3));
    }
    this->store().insert_executions(runs);

    EXPECT_EQ(ids_of(this->all_executions(deployment.id)), newest_first_ids(runs));
}

TYPED_TEST(StoreConformance, ListExecutionsPageWalksEveryRowOnceInOrder) {
    const auto deployment = this->deploy("keyset");
    std::vector<ExecutionRecord> runs;
    for (int i = 0; i < 11; ++i) {
        // Several rows share a timestamp, so the cursor's id part matters.
        runs.push_back(make_execution(deployment.id, i % 3 == 0 ? "error" : "success",
                                      kT0 + i / 2));
    }
    this->store().insert_executions(runs);

    auto walk = [&](std::optional<std::string> status) {
        std::vector<std::string> seen;
        ExecutionPageQuery query{.workflow_id = deployment.id, .status = status, .limit = 3};
        for (int pages = 0; pages < 20; ++pages) {
            const auto page = this->store().list_executions_page(query);
            EXPECT_LE(page.size(), 3u);
            if (page.empty()) {
                break;
            }
            for (const auto& record : page) {
                seen.push_back(record.id);
            }
            query.after = ExecutionCursor{page.back().created_at_ms, page.back().id};
        }
        return seen;
    };

    EXPECT_EQ(walk(std::nullopt), newest_first_ids(runs));
    std::vector<ExecutionRecord> errors;
    std::copy_if(runs.begin(), runs.end(), std::back_inserter(errors),
                 [](const auto& r) { return r.status == "error"; });
    EXPECT_EQ(walk("error"), newest_first_ids(errors));
}

TYPED_TEST(StoreConformance, DeploymentStatsAreDerivedFromExecutions) {
    const auto deployment = this->deploy("measured");
    const std::vector<ExecutionRecord> runs = {
        make_execution(deployment.id, "success", kT0 + 1000, 100),
        make_execution(deployment.id, "error", kT0 + 2000, 50),
        make_execution(deployment.id, "success", kT0 + 3000, 300),
        make_execution(deployment.id, "timeout", kT0 + 4000, std::nullopt),
    };
    this->store().insert_executions(runs);

    const auto stats = this->store().deployment_stats(deployment.id);
    EXPECT_EQ(stats.execution_count, 4);
    EXPECT_EQ(stats.success_count, 2);
    EXPECT_EQ(stats.last_executed_at_ms, kT0 + 4000);
    ASSERT_TRUE(stats.avg_duration_ms.has_value());
    EXPECT_DOUBLE_EQ(*stats.avg_duration_ms, 200.0);  // successful rows only

    const auto none = this->store().deployment_stats(util::uuid_v4());
    EXPECT_EQ(none.execution_count, 0);
    EXPECT_EQ(none.success_count, 0);
    EXPECT_FALSE(none.last_executed_at_ms.has_value());
    EXPECT_FALSE(none.avg_duration_ms.has_value());
}

TYPED_TEST(StoreConformance, MarkInterruptedExecutionsFailsOnlyRunningRows) {
    const auto deployment = this->deploy("interrupted");
    const std::vector<ExecutionRecord> runs = {
        make_execution(deployment.id, "running", kT0 + 1, std::nullopt),
        make_execution(deployment.id, "success", kT0 + 2, 10),
        make_execution(deployment.id, "running", kT0 + 3, std::nullopt),
    };
    this->store().insert_executions(runs);

    EXPECT_EQ(this->store().mark_interrupted_executions(), 2);
    EXPECT_EQ(this->store().mark_interrupted_executions(), 0);

    for (const auto& record : this->all_executions(deployment.id)) {
        if (record.id == runs[1].id) {
            EXPECT_EQ(record.status, "success");
            EXPECT_FALSE(record.error_message.has_value());
        } else {
            EXPECT_EQ(record.status, "error");
            EXPECT_EQ(record.error_message, "interrupted");
        }
    }
}

TYPED_TEST(StoreConformance, DeleteExecutionsBeforeRemovesOnlyOlderRows) {
    const auto deployment = this->deploy("retained");
    const std::vector<ExecutionRecord> runs = {
        make_execution(deployment.id, "success", kT0),
        make_execution(deployment.id, "success", kT0 + 1),
        make_execution(deployment.id, "error", kT0 + 2),
    };
    this->store().insert_executions(runs);

    EXPECT_EQ(this->store().delete_executions_before(kT0 + 1), 1);  // the cutoff itself stays
    EXPECT_EQ(ids_of(this->all_executions(deployment.id)),
              (std::vector<std::string>{runs[2].id, runs[1].id}));
    EXPECT_EQ(this->store().delete_executions_before(kT0 + 1), 0);
    EXPECT_EQ(this->store().delete_executions_before(kT0 + 1'000'000), 2);
    EXPECT_TRUE(this->all_executions(deployment.id).empty());
    EXPECT_TRUE(this->store().find_deployment_by_id(deployment.id).has_value());
}

TYPED_TEST(StoreConformance, DeleteExecutionsBeforeHandlesMoreRowsThanOneChunk) {
    const auto deployment = this->deploy("backlog");
    std::vector<ExecutionRecord> runs;
    for (int i = 0; i < 12000; ++i) {
        runs.push_back(make_execution(deployment.id, "success", kT0 + i));
    }
    this->store().insert_executions(runs);

    EXPECT_EQ(this->store().delete_executions_before(kT0 + 11000), 11000);
    EXPECT_EQ(this->store().deployment_stats(deployment.id).execution_count, 1000);
}

// --- Rate limits ------------------------------------------------------------------------------

constexpr std::int64_t kWindow = 60'000;
constexpr std::int64_t kW0 = 1'700'000'040'000;  // a multiple of kWindow

TYPED_TEST(StoreConformance, RateLimitCountsAreKeptPerKeyEndpointAndWindow) {
    auto& store = this->store();
    const std::string key = util::sha256_hex("key");
    const std::string other_key = util::sha256_hex("other key");
    EXPECT_EQ(store.count_rate_limited_request(key, "wf-1", kW0, 100), 1);
    EXPECT_EQ(store.count_rate_limited_request(key, "wf-1", kW0, 100), 2);
    EXPECT_EQ(store.count_rate_limited_request(other_key, "wf-1", kW0, 100), 1);
    EXPECT_EQ(store.count_rate_limited_request(key, "wf-2", kW0, 100), 1);
    EXPECT_EQ(store.count_rate_limited_request(key, "wf-1", kW0 + kWindow, 100), 1);
    EXPECT_EQ(store.count_rate_limited_request(key, "wf-1", kW0, 100), 3);
}

TYPED_TEST(StoreConformance, FullRateLimitWindowCountsNothingMore) {
    auto& store = this->store();
    const std::string key = util::sha256_hex("key");
    EXPECT_EQ(store.count_rate_limited_request(key, "wf", kW0, 2), 1);
    EXPECT_EQ(store.count_rate_limited_request(key, "wf", kW0, 2), 2);
    EXPECT_EQ(store.count_rate_limited_request(key, "wf", kW0, 2), std::nullopt);
    EXPECT_EQ(store.count_rate_limited_request(key, "wf", kW0, 2), std::nullopt);
    // The refused requests were not counted: a higher limit continues at 3.
    EXPECT_EQ(store.count_rate_limited_request(key, "wf", kW0, 3), 3);
    EXPECT_EQ(store.count_rate_limited_request(key, "wf", kW0 + kWindow, 2), 1);
}

TYPED_TEST(StoreConformance, ConcurrentRateLimitCountsAreExact) {
    constexpr int kThreads = 8;
    constexpr int kPerThread = 40;
    constexpr int kTotal = kThreads * kPerThread;
    constexpr std::int64_t kLimit = kTotal / 2;
    const std::string key = util::sha256_hex("busy key");
    std::mutex mutex;
    std::vector<std::int64_t> unlimited;  // counts under a limit no thread reaches
    std::vector<std::int64_t> limited;    // counts under a limit half the requests exceed
    int refused = 0;
    std::atomic<int> failures{0};
    std::barrier start(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&] {
            start.arrive_and_wait();
            for (int i = 0; i < kPerThread; ++i) {
                try {
                    const auto a = this->store().count_rate_limited_request(key, "a", kW0, kTotal);
                    const auto b = this->store().count_rate_limited_request(key, "b", kW0, kLimit);
                    std::lock_guard lock(mutex);
                    if (a) {
                        unlimited.push_back(*a);
                    }
                    if (b) {
                        limited.push_back(*b);
                    } else {
                        ++refused;
                    }
                } catch (const std::exception&) {
                    ++failures;
                }
            }
        });
    }
    for (auto& thread : threads) {
        thread.join();
    }
    EXPECT_EQ(failures.load(), 0);
    std::sort(unlimited.begin(), unlimited.end());
    std::sort(limited.begin(), limited.end());
    std::vector<std::int64_t> expected_unlimited(kTotal);
    std::iota(expected_unlimited.begin(), expected_unlimited.end(), 1);
    std::vector<std::int64_t> expected_limited(kLimit);
    std::iota(expected_limited.begin(), expected_limited.end(), 1);
    EXPECT_EQ(unlimited, expected_unlimited);  // 1..N, each once
    EXPECT_EQ(limited, expected_limited);
    EXPECT_EQ(refused, kTotal - kLimit);
}

TYPED_TEST(StoreConformance, DeleteRateLimitWindowsBeforeKeepsTheCutoffWindow) {
    auto& store = this->store();
    const std::string key = util::sha256_hex("key");
    for (const auto window_start : {kW0, kW0 + kWindow, kW0 + 2 * kWindow}) {
        store.count_rate_limited_request(key, "wf", window_start, 100);
        store.count_rate_limited_request(key, "wf", window_start, 100);
    }
    EXPECT_EQ(store.delete_rate_limit_windows_before(kW0 + kWindow), 1);
    EXPECT_EQ(store.delete_rate_limit_windows_before(kW0 + kWindow), 0);
    // The deleted window starts over; the kept ones continue.
    EXPECT_EQ(store.count_rate_limited_request(key, "wf", kW0, 100), 1);
    EXPECT_EQ(store.count_rate_limited_request(key, "wf", kW0 + kWindow, 100), 3);
    EXPECT_EQ(store.delete_rate_limit_windows_before(kW0 + 3 * kWindow), 3);
    EXPECT_EQ(store.count_rate_limited_request(key, "wf", kW0 + 2 * kWindow, 100), 1);
}

TYPED_TEST(StoreConformance, RateLimitCountsSurviveReopening) {
    const std::string key = util::sha256_hex("key");
    EXPECT_EQ(this->store().count_rate_limited_request(key, "wf", kW0, 10), 1);
    this->reopen();
    EXPECT_EQ(this->store().count_rate_limited_request(key, "wf", kW0, 10), 2);
}

// --- JSON, concurrency, durability ------------------------------------------------------------

TYPED_TEST(StoreConformance, JsonRoundTripsUnicodeNestingAndNumbers) {
    const auto json = boost::json::parse(R"({
        "text": "na\u00efve caf\u00e9 \u65e5\u672c\u8a9e \u0645\u0631\u062d\u0628\u0627",
        "emoji": "\ud83d\ude80 \ud83e\uddea",
        "escapes": "quote \" backslash \\ newline \n tab \t nul \u0000 end",
        "nested": {"list": [1, [2, [3, {"deep": [true, false, null]}]]], "empty": {}, "none": []},
        "numbers": {"big": 9223372036854775807, "negative": -42, "fraction": 0.1,
                    "huge": 1e300, "unsigned": 18446744073709551615},
        "": "empty key"
    })");
    auto deployment = make_deployment("unicode");
    deployment.name = "R\u00e9sum\u00e9 \u2728 Builder";
    deployment.description = "\u041e\u043f\u0438\u0441\u0430\u043d\u0438\u0435 \U0001F9EA";
    deployment.workflow = json;
    deployment.schema = boost::json::object{{"input", json}};
    this->store().insert_deployment(deployment);

    auto run = make_execution(deployment.id, "success", kT0);
    run.inputs = json;
    run.outputs = boost::json::array{json, "\u00fc"};
    this->store().insert_executions(std::span(&run, 1));

    this->reopen();
    const auto found = this->store().find_deployment_by_slug("unicode");
    ASSERT_TRUE(found.has_value());
    expect_same_deployment(*found, deployment);
    const auto listed = this->all_executions(deployment.id);
    ASSERT_EQ(listed.size(), 1u);
    expect_same_execution(listed[0], run);
}

TYPED_TEST(StoreConformance, ConcurrentInsertExecutionsKeepEveryRow) {
    const auto deployment = this->deploy("busy-concurrent");
    constexpr int kThreads = 4;
    constexpr int kBatchesPerThread = 25;
    constexpr int kRecordsPerBatch = 8;
    std::atomic<int> failures{0};
    std::atomic<bool> writing{true};

    std::vector<std::thread> writers;
    for (int t = 0; t < kThreads; ++t) {
        writers.emplace_back([&, t] {
            for (int b = 0; b < kBatchesPerThread; ++b) {
                std::vector<ExecutionRecord> batch;
                for (int r = 0; r < kRecordsPerBatch; ++r) {
                    batch.push_back(make_execution(deployment.id, "success",
                                                   kT0 + t * 100000 + b * 100 + r));
                }
                try {
                    this->store().insert_executions(batch);
                } catch (const std::exception&) {
                    ++failures;
                }
            }
        });
    }
    // Reads run alongside the writers and must neither fail nor see a partial batch.
    std::thread reader([&] {
        while (writing) {
            try {
                const auto count = this->store().deployment_stats(deployment.id).execution_count;
                if (count % kRecordsPerBatch != 0) {
                    ++failures;
                }
            } catch (const std::exception&) {
                ++failures;
            }
        }
    });
    for (auto& writer : writers) {
        writer.join();
    }
    writing = false;
    reader.join();

    constexpr int kTotal = kThreads * kBatchesPerThread * kRecordsPerBatch;
    EXPECT_EQ(failures.load(), 0);
    EXPECT_EQ(this->store().deployment_stats(deployment.id).execution_count, kTotal);
    const auto listed = this->all_executions(deployment.id);
    EXPECT_EQ(listed.size(), static_cast<std::size_t>(kTotal));
    const auto ids = ids_of(listed);
    const std::set<std::string> unique(ids.begin(), ids.end());
    EXPECT_EQ(unique.size(), static_cast<std::size_t>(kTotal));
}

TYPED_TEST(StoreConformance, ReopenedStoreStillHasDeploymentsAndExecutions) {
    const auto deployment = this->deploy("durable");
    const auto run = make_execution(deployment.id, "success", kT0 + 5, 77);
    this->store().insert_executions(std::span(&run, 1));

    this->reopen();
    EXPECT_EQ(this->store().migrate(), 0);
    const auto found = this->store().find_deployment_by_slug("durable");
    ASSERT_TRUE(found.has_value());
    expect_same_deployment(*found, deployment);
    const auto listed = this->all_executions(deployment.id);
    ASSERT_EQ(listed.size(), 1u);
    expect_same_execution(listed[0], run);
    EXPECT_EQ(this->store().deployment_stats(deployment.id).execution_count, 1);
}

TYPED_TEST(StoreConformance, PingAnswers) {
    EXPECT_TRUE(this->store().ping());
}

}  // namespace
}  // namespace clara::storage
