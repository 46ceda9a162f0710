// SQLite-specific behaviour: connection settings, file layout and the stored representation.
#include "storage/sqlite/sqlite_store.hpp"

#include "unit/storage/store_backends.hpp"
#include "util/crypto.hpp"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

namespace clara::storage {
namespace {

using test_support::TempDir;

constexpr std::int64_t kT0 = 1'700'000'000'000;  // 2023-11-14T22:13:20.000Z
constexpr std::int64_t kClock = 1'750'000'000'000;  // 2025-06-15T15:06:40.000Z

using Rows = std::vector<std::vector<std::string>>;

// Reads the file with a separate plain connection, as an operator's sqlite3 shell would.
Rows raw_query(const std::filesystem::path& path, const std::string& sql) {
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
        sqlite3_close(db);
        throw std::runtime_error("cannot open " + path.string());
    }
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
        const std::string message = sqlite3_errmsg(db);
        sqlite3_close(db);
        throw std::runtime_error(message);
    }
    Rows rows;
    while (sqlite3_step(stmt) == SQLITE_ROW) {
        std::vector<std::string> row;
        for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
            const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, i));
            row.push_back(text != nullptr ? text : "NULL");
        }
        rows.push_back(std::move(row));
    }
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return rows;
}

Deployment make_deployment(const std::string& slug) {
    Deployment d;
    d.id = util::uuid_v4();
    d.name = slug;
    d.slug = slug;
    d.workflow = boost::json::parse(R"({"nodes":[]})");
    d.schema = boost::json::parse(R"({"input":{}})");
    d.field_map = boost::json::object{};
    d.api_key_hash = util::sha256_hex(util::random_hex(16));
    d.created_at_ms = kT0;
    d.updated_at_ms = kT0;
    return d;
}

ExecutionRecord make_execution(const std::string& workflow_id, const std::string& status) {
    ExecutionRecord e;
    e.id = util::uuid_v4();
    e.workflow_id = workflow_id;
    e.inputs = boost::json::object{{"q", "hi"}};
    e.status = status;
    e.started_at_ms = kT0;
    e.created_at_ms = kT0 + 250;
    return e;
}

class SqliteStoreTest : public ::testing::Test {
protected:
    std::unique_ptr<SqliteStore> open() {
        return std::make_unique<SqliteStore>(SqliteOptions{
            .path = path_.string(), .now_ms = [] { return kClock; }});
    }

    TempDir dir_;
    std::filesystem::path path_ = dir_.path() / "clara.db";
};

TEST_F(SqliteStoreTest, FileDatabaseUsesWalNormalSyncAndForeignKeys) {
    auto store = open();
    EXPECT_EQ(store->pragma("journal_mode"), "wal");
    EXPECT_EQ(store->pragma("synchronous"), "1");  // NORMAL
    EXPECT_EQ(store->pragma("foreign_keys"), "1");
    EXPECT_EQ(raw_query(path_, "PRAGMA journal_mode"), (Rows{{"wal"}}));
}

TEST_F(SqliteStoreTest, SyncEveryCommitSelectsFullSync) {
    SqliteStore store(SqliteOptions{.path = path_.string(), .sync_every_commit = true});
    EXPECT_EQ(store.pragma("synchronous"), "2");  // FULL
}

// Checkpoints run on the checkpointer's thread once the log crosses the threshold, and they let
// the log restart: without them 2,000 single-row commits would leave a log of ~16,000 pages.
TEST_F(SqliteStoreTest, CheckpointsOffTheCommitPathKeepTheLogBounded) {
    SqliteStore store(SqliteOptions{.path = path_.string(), .checkpoint_pages = 100});
    store.migrate();
    const auto deployment = make_deployment("logged");
    store.insert_deployment(deployment);
    const auto wait_for_checkpoint_after = [&store](std::uint64_t seen) {
        for (int i = 0; i < 1000 && store.wal_checkpoints() <= seen; ++i) {
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        return store.wal_checkpoints() > seen;
    };
    for (int round = 0; round < 20; ++round) {
        const auto seen = store.wal_checkpoints();
        for (int i = 0; i < 100; ++i) {
            store.insert_executions(std::vector<ExecutionRecord>{
                make_execution(deployment.id, "success")});
        }
        ASSERT_TRUE(wait_for_checkpoint_after(seen)) << "round " << round;
    }
    const auto wal_bytes = std::filesystem::file_size(path_.string() + "-wal");
    EXPECT_LT(wal_bytes, 4000u * (4096 + 24)) << "the log kept growing";
    EXPECT_EQ(raw_query(path_, "SELECT count(*) FROM workflow_executions"), (Rows{{"2000"}}));
}

TEST_F(SqliteStoreTest, PragmaRejectsAnythingButAName) {
    auto store = open();
    EXPECT_THROW(store->pragma("journal_mode; DROP TABLE x"), StorageError);
    EXPECT_THROW(store->pragma(""), StorageError);
}

TEST_F(SqliteStoreTest, CreatesMissingParentFolders) {
    const auto nested = dir_.path() / "a" / "b" / "c.db";
    SqliteStore store(nested.string());
    EXPECT_GE(store.migrate(), 1);
    EXPECT_TRUE(std::filesystem::exists(nested));
}

TEST_F(SqliteStoreTest, UnopenablePathThrowsStorageError) {
    // A folder where the file should be.
    std::filesystem::create_directories(dir_.path() / "is-a-folder.db");
    EXPECT_THROW(SqliteStore((dir_.path() / "is-a-folder.db").string()), StorageError);
    EXPECT_THROW(SqliteStore(""), StorageError);
}

TEST_F(SqliteStoreTest, ServesOneInstanceAndStoresRateLimitWindowsAsIsoText) {
    auto store = open();
    store->migrate();
    EXPECT_FALSE(store->shared_by_instances());
    store->count_rate_limited_request("hash", "wf", kT0, 5);
    store->count_rate_limited_request("hash", "wf", kT0, 5);
    EXPECT_EQ(raw_query(path_, "SELECT api_key_hash, endpoint, request_count, window_start"
                               " FROM api_rate_limits"),
              (Rows{{"hash", "wf", "2", "2023-11-14T22:13:20.000Z"}}));
}

TEST_F(SqliteStoreTest, RecordsAppliedMigrations) {
    open()->migrate();
    EXPECT_EQ(raw_query(path_, "SELECT version, name, applied_at FROM schema_migrations"),
              (Rows{{"1", "init", "2025-06-15T15:06:40.000Z"},
                    {"2", "token_usage", "2025-06-15T15:06:40.000Z"},
                    {"3", "lean_execution_indexes", "2025-06-15T15:06:40.000Z"}}));
}

TEST_F(SqliteStoreTest, StoresTimestampsAsIsoTextAndFinishedAtOnlyForFinishedRows) {
    auto store = open();
    store->migrate();
    const auto deployment = make_deployment("stamped");
    store->insert_deployment(deployment);
    const std::vector<ExecutionRecord> runs = {make_execution(deployment.id, "success"),
                                               make_execution(deployment.id, "running")};
    store->insert_executions(runs);

    EXPECT_EQ(raw_query(path_, "SELECT created_at, updated_at FROM deployed_workflows"),
              (Rows{{"2023-11-14T22:13:20.000Z", "2023-11-14T22:13:20.000Z"}}));
    EXPECT_EQ(raw_query(path_,
                        "SELECT status, started_at, finished_at, created_at"
                        " FROM workflow_executions ORDER BY status DESC"),
              (Rows{{"success", "2023-11-14T22:13:20.000Z", "2023-11-14T22:13:20.250Z",
                     "2023-11-14T22:13:20.250Z"},
                    {"running", "2023-11-14T22:13:20.000Z", "NULL",
                     "2023-11-14T22:13:20.250Z"}}));

    EXPECT_EQ(store->mark_interrupted_executions(), 1);
    EXPECT_EQ(raw_query(path_,
                        "SELECT finished_at FROM workflow_executions WHERE id = '" + runs[1].id +
                            "'"),
              (Rows{{"2025-06-15T15:06:40.000Z"}}));
}

TEST_F(SqliteStoreTest, UpdatesUseTheInjectedClock) {
    auto store = open();
    store->migrate();
    const auto deployment = make_deployment("clocked");
    store->insert_deployment(deployment);

    ASSERT_TRUE(store->replace_api_key_hash(deployment.id, util::sha256_hex("k2")));
    EXPECT_EQ(store->find_deployment_by_id(deployment.id)->updated_at_ms, kClock);
}

TEST_F(SqliteStoreTest, NullFieldMapIsStoredAsEmptyObject) {
    auto store = open();
    store->migrate();
    auto deployment = make_deployment("no-map");
    deployment.field_map = nullptr;
    store->insert_deployment(deployment);

    EXPECT_EQ(store->find_deployment_by_slug("no-map")->field_map, boost::json::object{});
}

TEST_F(SqliteStoreTest, DeploymentStatsViewHasTheOriginalColumns) {
    auto store = open();
    store->migrate();
    const auto deployment = make_deployment("viewed");
    store->insert_deployment(deployment);
    auto failed = make_execution(deployment.id, "error");
    auto succeeded = make_execution(deployment.id, "success");
    succeeded.duration_ms = 40;
    const std::vector<ExecutionRecord> runs = {failed, succeeded};
    store->insert_executions(runs);

    EXPECT_EQ(raw_query(path_,
                        "SELECT slug, execution_count, last_executed_at, total_executions,"
                        " successful_executions, failed_executions, avg_duration_ms"
                        " FROM deployment_stats"),
              (Rows{{"viewed", "2", "2023-11-14T22:13:20.250Z", "2", "1", "1", "40.0"}}));
}

TEST_F(SqliteStoreTest, InMemoryDatabaseServesReadsAndWritesOnOneConnection) {
    SqliteStore store(":memory:");
    EXPECT_EQ(store.pragma("journal_mode"), "memory");
    EXPECT_GE(store.migrate(), 1);
    const auto deployment = make_deployment("in-memory");
    store.insert_deployment(deployment);
    EXPECT_TRUE(store.find_deployment_by_slug("in-memory").has_value());
    EXPECT_TRUE(store.ping());
    EXPECT_FALSE(std::filesystem::exists(":memory:"));
}

TEST_F(SqliteStoreTest, ReadsWorkWithoutAReaderPool) {
    SqliteStore store(SqliteOptions{.path = path_.string(), .read_connections = 0});
    store.migrate();
    store.insert_deployment(make_deployment("writer-only"));
    EXPECT_TRUE(store.slug_exists("writer-only"));
}

TEST_F(SqliteStoreTest, CorruptStoredJsonSurfacesAsStorageError) {
    {
        auto store = open();
        store->migrate();
        const auto deployment = make_deployment("corrupt");
        store->insert_deployment(deployment);
        store->insert_executions(std::vector<ExecutionRecord>{
            make_execution(deployment.id, "success")});
    }
    {
        sqlite3* db = nullptr;
        ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
        ASSERT_EQ(sqlite3_exec(db, "UPDATE workflow_executions SET inputs = '{broken'", nullptr,
                               nullptr, nullptr),
                  SQLITE_OK);
        sqlite3_close(db);
    }
    auto store = open();
    const auto deployment = store->find_deployment_by_slug("corrupt");
    ASSERT_TRUE(deployment.has_value());
    EXPECT_THROW(store->list_executions({.workflow_id = deployment->id}), StorageError);
}

}  // namespace
}  // namespace clara::storage
