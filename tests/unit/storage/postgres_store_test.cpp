// PostgreSQL-specific behaviour: migrations (concurrent, and by hand with psql), the stored
// representation, change notifications, and how the pool copes with broken or missing servers.
// Tests that need a server read it from CLARA_TEST_POSTGRES_URL and skip when it is unset.
#include "storage/postgres/postgres_store.hpp"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <barrier>
#include <boost/json/parse.hpp>
#include <chrono>
#include <fstream>
#include <mutex>
#include <numeric>
#include <set>
#include <thread>

#include "storage/migrations.hpp"
#include "unit/storage/postgres_test_support.hpp"
#include "unit/storage/store_backends.hpp"
#include "unit/storage/tcp_proxy.hpp"
#include "util/crypto.hpp"
#include "util/embedded_files.hpp"
#include "util/time_format.hpp"

namespace clara::storage {
namespace {

using namespace std::chrono_literals;
using test_support::PgSession;
using test_support::PgTestSchema;
using test_support::TempDir;

constexpr std::int64_t kT0 = 1'700'000'000'000;     // 2023-11-14T22:13:20.000Z
constexpr std::int64_t kClock = 1'750'000'000'000;  // 2025-06-15T15:06:40.000Z

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

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

/// A TCP socket on 127.0.0.1 that is bound (so the port stays ours) and optionally listening.
/// Listening without ever accepting, it completes TCP handshakes and then stays silent: a
/// server that hangs. Not listening, connections to it are refused.
class LocalPort {
public:
    explicit LocalPort(bool listening) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        address.sin_port = 0;
        if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
            (listening && ::listen(fd_, 16) != 0)) {
            throw std::runtime_error("cannot set up a local test port");
        }
        socklen_t length = sizeof address;
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
        port_ = ntohs(address.sin_port);
    }
    ~LocalPort() { ::close(fd_); }
    LocalPort(const LocalPort&) = delete;
    LocalPort& operator=(const LocalPort&) = delete;

    int port() const { return port_; }

    std::string url() const {
        return "postgresql://clara@127.0.0.1:" + std::to_string(port_) + "/clara_test";
    }

private:
    int fd_;
    int port_ = 0;
};

// --- Without a server -------------------------------------------------------------------------

TEST(PostgresStoreOffline, FailsFastWhenNothingListens) {
    LocalPort closed(false);
    const auto start = std::chrono::steady_clock::now();
    PostgresStore store(PostgresOptions{.url = closed.url()});
    EXPECT_FALSE(store.ping());
    EXPECT_THROW(store.migrate(), StorageError);
    EXPECT_THROW(store.insert_deployment(make_deployment("offline")), StorageError);
    EXPECT_THROW(store.slug_exists("offline"), StorageError);
    EXPECT_THROW(store.list_deployments({}), StorageError);
    EXPECT_LT(seconds_since(start), 3.0);
    EXPECT_EQ(store.open_connections(), 0);
}

TEST(PostgresStoreOffline, ConnectionErrorSaysWhyWithoutThePassword) {
    LocalPort closed(false);
    PostgresStore store(PostgresOptions{.url = "postgresql://clara:hunter2@127.0.0.1:" +
                                               std::to_string(closed.port()) + "/clara_test"});
    try {
        store.slug_exists("x");
        FAIL() << "expected StorageError";
    } catch (const StorageError& error) {
        const std::string message = error.what();
        EXPECT_NE(message.find("cannot connect to the database"), std::string::npos) << message;
        EXPECT_EQ(message.find("hunter2"), std::string::npos) << message;
    }
}

TEST(PostgresStoreOffline, GivesUpOnAServerThatNeverAnswers) {
    LocalPort silent(true);
    PostgresStore store(PostgresOptions{.url = silent.url(), .connect_timeout = 1s});
    auto start = std::chrono::steady_clock::now();
    EXPECT_FALSE(store.ping());
    EXPECT_LT(seconds_since(start), 3.0);

    start = std::chrono::steady_clock::now();
    EXPECT_THROW(store.slug_exists("hung"), StorageError);
    EXPECT_LT(seconds_since(start), 3.0);
}

TEST(PostgresStoreOffline, RejectsBadPoolParametersInTheUrl) {
    EXPECT_THROW(PostgresStore(PostgresOptions{.url = "postgresql://db/c?pool_max=many"}),
                 std::invalid_argument);
}

TEST(PostgresStoreOffline, IsSharedByInstancesAndCountingFailsWithoutAServer) {
    LocalPort closed(false);
    PostgresStore store(PostgresOptions{.url = closed.url()});
    EXPECT_TRUE(store.shared_by_instances());
    EXPECT_THROW(store.count_rate_limited_request("hash", "wf", kT0, 10), StorageError);
    EXPECT_THROW(store.delete_rate_limit_windows_before(kT0), StorageError);
}

// --- With a server ----------------------------------------------------------------------------

class PostgresStoreTest : public ::testing::Test {
protected:
    void SetUp() override {
        if (auto reason = test_support::postgres_skip_reason()) {
            GTEST_SKIP() << *reason;
        }
        base_url_ = *test_support::postgres_test_url();
        schema_.emplace(base_url_);
    }

    /// A store in this test's schema with a fixed clock.
    std::unique_ptr<PostgresStore> open(PostgresOptions options = {}) {
        options.url = options.url.empty() ? schema_->url() : options.url;
        options.now_ms = [] { return kClock; };
        return std::make_unique<PostgresStore>(std::move(options));
    }

    /// A session on this test's schema, as psql would see it.
    PgSession session() { return PgSession(schema_->url()); }

    std::string base_url_;
    std::optional<PgTestSchema> schema_;
};

TEST_F(PostgresStoreTest, RecordsAppliedMigrations) {
    const auto applied = open()->migrate();
    EXPECT_EQ(applied, static_cast<int>(embedded_migrations("postgres").size()));
    const auto rows = session().query(
        "SELECT version::text, name, (extract(epoch FROM applied_at) * 1000)::int8::text"
        " FROM schema_migrations ORDER BY version");
    ASSERT_GE(rows.size(), 1u);
    EXPECT_EQ(rows[0][0], "1");
    EXPECT_EQ(rows[0][1], "init");
    EXPECT_EQ(rows[0][2], std::to_string(kClock));
}

TEST_F(PostgresStoreTest, ConcurrentMigrationsApplyEachMigrationOnce) {
    const int expected = static_cast<int>(embedded_migrations("postgres").size());
    // Several rounds, each on a fresh schema, to give the two starts many chances to overlap.
    for (int round = 0; round < 5; ++round) {
        SCOPED_TRACE(round);
        PgTestSchema schema(base_url_);
        auto first = std::make_unique<PostgresStore>(schema.options());
        auto second = std::make_unique<PostgresStore>(schema.options());
        std::barrier start(2);
        int applied_first = -1;
        int applied_second = -1;
        std::string error;
        std::mutex error_mutex;
        auto migrate = [&](PostgresStore& store, int& applied) {
            start.arrive_and_wait();
            try {
                applied = store.migrate();
            } catch (const std::exception& e) {
                std::lock_guard lock(error_mutex);
                error = e.what();
            }
        };
        std::thread a([&] { migrate(*first, applied_first); });
        std::thread b([&] { migrate(*second, applied_second); });
        a.join();
        b.join();

        EXPECT_EQ(error, "");
        EXPECT_EQ(applied_first + applied_second, expected);
        EXPECT_EQ(PgSession(schema.url()).value("SELECT COUNT(*) FROM schema_migrations"),
                  std::to_string(expected));
    }
}

TEST_F(PostgresStoreTest, MigrationFileAppliesWithPsqlOnAFreshDatabase) {
    if (std::system("command -v psql >/dev/null 2>&1") != 0) {
        GTEST_SKIP() << "psql is not on PATH";
    }
    const auto sql = util::find_embedded_file("src/storage/migrations/postgres/V001__init.sql");
    ASSERT_TRUE(sql.has_value());
    TempDir dir;
    const auto file = dir.path() / "V001__init.sql";
    std::ofstream(file) << *sql;

    const std::string database = "clara_psql_" + util::random_hex(6);
    PgSession admin(base_url_);
    admin.script("CREATE DATABASE " + database);
    const std::string url = test_support::with_database(base_url_, database);
    struct DropDatabase {
        PgSession& admin;
        std::string name;
        ~DropDatabase() {
            try {
                admin.script("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            } catch (const std::exception&) {
            }
        }
    } drop{admin, database};

    // As the user's guide does it, twice: the file is idempotent.
    const std::string psql = "psql '" + url + "' -X -q -v ON_ERROR_STOP=1 -f '" + file.string() +
                             "' >" + (dir.path() / "psql.log").string() + " 2>&1";
    ASSERT_EQ(std::system(psql.c_str()), 0) << psql;
    ASSERT_EQ(std::system(psql.c_str()), 0) << psql;

    {
        PgSession db(url);
        EXPECT_EQ(db.value("SELECT COUNT(*) FROM pg_extension WHERE extname = 'uuid-ossp'"), "0");
        EXPECT_EQ(db.value("SELECT cleanup_old_executions(30)"), "0");
        EXPECT_EQ(db.value("SELECT COUNT(*) FROM deployment_stats"), "0");
        EXPECT_EQ(db.value("SELECT COUNT(*) FROM pg_trigger"
                           " WHERE tgname = 'update_deployed_workflows_updated_at'"),
                  "1");
        // A row inserted by hand gets its id from the default.
        EXPECT_EQ(db.value("INSERT INTO deployed_workflows (name, slug, workflow_json,"
                           " schema_json, api_key_hash) VALUES ('n', 'by-hand', '{}', '{}', 'h')"
                           " RETURNING length(id::text)"),
                  "36");
    }

    // The runner then takes over the hand-made schema: it records V001 and serves the row.
    PostgresStore store(PostgresOptions{.url = url, .pool_min = 0});
    EXPECT_EQ(store.migrate(), static_cast<int>(embedded_migrations("postgres").size()));
    EXPECT_TRUE(store.slug_exists("by-hand"));
    store.insert_deployment(make_deployment("by-runner"));
    EXPECT_EQ(store.list_deployments({}).size(), 2u);
}

TEST_F(PostgresStoreTest, SchemaHasTheSpecifiedConstraintsAndIndexes) {
    open()->migrate();
    auto db = session();
    const auto names = [&](const std::string& sql) {
        std::set<std::string> found;
        for (const auto& row : db.query(sql, {schema_->name()})) {
            found.insert(row[0].value_or(""));
        }
        return found;
    };
    const auto constraints = names(
        "SELECT conname FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace"
        " WHERE n.nspname = $1");
    for (const char* name : {"slug_format", "status_check", "deployed_workflows_slug_key",
                             "deployed_workflows_api_key_hash_key"}) {
        EXPECT_TRUE(constraints.contains(name)) << name;
    }
    const auto indexes = names("SELECT indexname FROM pg_indexes WHERE schemaname = $1");
    EXPECT_TRUE(indexes.contains("idx_workflow_executions_workflow_created"));
    EXPECT_TRUE(indexes.contains("idx_deployed_workflows_created_at"));
    const auto types = names(
        "SELECT table_name || '.' || column_name || ':' || data_type"
        " FROM information_schema.columns WHERE table_schema = $1");
    EXPECT_TRUE(types.contains("deployed_workflows.created_at:timestamp with time zone"));
    EXPECT_TRUE(types.contains("deployed_workflows.workflow_json:jsonb"));
    EXPECT_TRUE(types.contains("deployed_workflows.field_map:jsonb"));
    EXPECT_TRUE(types.contains("deployed_workflows.api_key_last_used_at:timestamp with time zone"));
    EXPECT_TRUE(types.contains("workflow_executions.inputs:jsonb"));
    EXPECT_TRUE(types.contains("workflow_executions.error_node_id:text"));
    EXPECT_TRUE(types.contains("workflow_executions.started_at:timestamp with time zone"));
    EXPECT_TRUE(types.contains("workflow_executions.finished_at:timestamp with time zone"));
    EXPECT_TRUE(types.contains("api_rate_limits.window_start:timestamp with time zone"));
}

TEST_F(PostgresStoreTest, StoresTimestampsAndFinishedAtOnlyForFinishedRows) {
    auto store = open();
    store->migrate();
    const auto deployment = make_deployment("stamped");
    store->insert_deployment(deployment);
    const std::vector<ExecutionRecord> runs = {make_execution(deployment.id, "success"),
                                               make_execution(deployment.id, "running")};
    store->insert_executions(runs);

    auto db = session();
    db.script("SET TIME ZONE 'UTC'");
    EXPECT_EQ(db.query("SELECT created_at::text, updated_at::text FROM deployed_workflows"),
              (test_support::PgRows{{"2023-11-14 22:13:20+00", "2023-11-14 22:13:20+00"}}));
    EXPECT_EQ(db.query("SELECT status, started_at::text, finished_at::text, created_at::text"
                       " FROM workflow_executions ORDER BY status DESC"),
              (test_support::PgRows{{"success", "2023-11-14 22:13:20+00",
                                     "2023-11-14 22:13:20.25+00", "2023-11-14 22:13:20.25+00"},
                                    {"running", "2023-11-14 22:13:20+00", std::nullopt,
                                     "2023-11-14 22:13:20.25+00"}}));

    EXPECT_EQ(store->mark_interrupted_executions(), 1);
    EXPECT_EQ(
        db.value("SELECT finished_at::text FROM workflow_executions WHERE id = $1", {runs[1].id}),
        "2025-06-15 15:06:40+00");
}

TEST_F(PostgresStoreTest, UpdatesUseTheInjectedClockAndHandEditsTheTrigger) {
    auto store = open();
    store->migrate();
    const auto deployment = make_deployment("clocked");
    store->insert_deployment(deployment);

    ASSERT_TRUE(store->replace_api_key_hash(deployment.id, util::sha256_hex("k2")));
    EXPECT_EQ(store->find_deployment_by_id(deployment.id)->updated_at_ms, kClock);

    // An UPDATE that leaves updated_at alone gets the current time from the trigger.
    session().query("UPDATE deployed_workflows SET name = 'renamed' WHERE id = $1",
                    {deployment.id});
    const auto renamed = store->find_deployment_by_id(deployment.id);
    ASSERT_TRUE(renamed.has_value());
    EXPECT_EQ(renamed->name, "renamed");
    EXPECT_GT(renamed->updated_at_ms, kClock);
}

TEST_F(PostgresStoreTest, NullFieldMapIsStoredAsEmptyObject) {
    auto store = open();
    store->migrate();
    auto deployment = make_deployment("no-map");
    deployment.field_map = nullptr;
    store->insert_deployment(deployment);

    EXPECT_EQ(store->find_deployment_by_slug("no-map")->field_map, boost::json::object{});
    EXPECT_EQ(session().value("SELECT field_map::text FROM deployed_workflows"), "{}");
}

TEST_F(PostgresStoreTest, JsonIsQueryableJsonbExceptForNulCharacters) {
    auto store = open();
    store->migrate();
    const auto deployment = make_deployment("jsonb");
    store->insert_deployment(deployment);
    auto plain = make_execution(deployment.id, "success");
    auto with_nul = make_execution(deployment.id, "success");
    with_nul.inputs = boost::json::object{{"q", std::string_view("a\0b", 3)}};
    store->insert_executions(std::vector{plain, with_nul});

    auto db = session();
    EXPECT_EQ(db.value("SELECT inputs->>'q' FROM workflow_executions WHERE id = $1", {plain.id}),
              "hi");
    EXPECT_EQ(db.value("SELECT jsonb_typeof(inputs->'$clara:json-text')"
                       " FROM workflow_executions WHERE id = $1",
                       {with_nul.id}),
              "string");
    const auto listed = store->list_executions({.workflow_id = deployment.id});
    ASSERT_EQ(listed.size(), 2u);
    for (const auto& record : listed) {
        EXPECT_EQ(record.inputs, record.id == plain.id ? plain.inputs : with_nul.inputs);
    }
}

TEST_F(PostgresStoreTest, DeploymentStatsViewAndCleanupFunctionWork) {
    auto store = open();
    store->migrate();
    const auto deployment = make_deployment("viewed");
    store->insert_deployment(deployment);
    auto failed = make_execution(deployment.id, "error");
    auto succeeded = make_execution(deployment.id, "success");
    succeeded.duration_ms = 40;
    auto recent = make_execution(deployment.id, "success");
    recent.created_at_ms = util::now_ms();
    recent.duration_ms = 60;
    store->insert_executions(std::vector{failed, succeeded, recent});

    auto db = session();
    EXPECT_EQ(db.query("SELECT slug, execution_count::text, total_executions::text,"
                       " successful_executions::text, failed_executions::text,"
                       " avg_duration_ms::float8::text FROM deployment_stats"),
              (test_support::PgRows{{"viewed", "3", "3", "2", "1", "50"}}));
    // The two rows of 2023 are older than 30 days; the recent one stays.
    EXPECT_EQ(db.value("SELECT cleanup_old_executions(30)"), "2");
    EXPECT_EQ(store->deployment_stats(deployment.id).execution_count, 1);
}

TEST_F(PostgresStoreTest, WaitsForAFreeConnectionThenGivesUp) {
    const std::string application = "clara_busy_" + util::random_hex(4);
    auto store = open({.url = test_support::with_query_parameter(schema_->url(),
                                                                 "application_name=" + application),
                       .pool_min = 0,
                       .pool_max = 1,
                       .acquire_timeout = 300ms});
    store->migrate();
    // Holding the migration lock makes migrate() keep the pool's only connection busy.
    PgSession holder(base_url_);
    const std::string key = std::to_string(PostgresStore::kMigrationLockKey);
    holder.value("SELECT pg_advisory_lock($1::int8)::text", {key});
    std::thread busy([&] { store->migrate(); });
    // Wait (bounded) until the busy call waits for the lock, holding the connection.
    for (int i = 0; i < 250 && holder.value("SELECT COUNT(*) FROM pg_stat_activity WHERE"
                                            " application_name = $1 AND wait_event_type = 'Lock'",
                                            {application}) == "0";
         ++i) {
        std::this_thread::sleep_for(20ms);
    }

    const auto start = std::chrono::steady_clock::now();
    try {
        store->slug_exists("x");
        ADD_FAILURE() << "expected StorageError";
    } catch (const StorageError& error) {
        EXPECT_EQ(std::string(error.what()), "no database connection available");
    }
    EXPECT_GE(seconds_since(start), 0.25);
    EXPECT_LT(seconds_since(start), 3.0);

    holder.value("SELECT pg_advisory_unlock($1::int8)::text", {key});
    busy.join();
    EXPECT_FALSE(store->slug_exists("x"));
}

TEST_F(PostgresStoreTest, RecoversAfterItsConnectionsAreTerminated) {
    // A name of its own, so that only this store's sessions are terminated.
    const std::string application = "clara_recovery_" + util::random_hex(4);
    auto store = open({.url = test_support::with_query_parameter(schema_->url(),
                                                                 "application_name=" + application),
                       .pool_min = 2});
    store->migrate();
    store->insert_deployment(make_deployment("before"));
    EXPECT_TRUE(store->ping());

    PgSession admin(base_url_);
    const auto killed = admin.value(
        "SELECT COUNT(*) FILTER (WHERE pg_terminate_backend(pid, 5000)) FROM pg_stat_activity"
        " WHERE application_name = $1",
        {application});
    EXPECT_GE(std::stoi(killed), 1);

    // The next calls, a write first, succeed on fresh connections.
    EXPECT_NO_THROW(store->insert_deployment(make_deployment("after")));
    EXPECT_TRUE(store->slug_exists("before"));
    EXPECT_TRUE(store->ping());
    EXPECT_LE(store->open_connections(), 10);

    // Again, now followed by a read.
    admin.value(
        "SELECT COUNT(*) FILTER (WHERE pg_terminate_backend(pid, 5000))"
        " FROM pg_stat_activity WHERE application_name = $1",
        {application});
    EXPECT_EQ(store->list_deployments({}).size(), 2u);
}

TEST_F(PostgresStoreTest, FailsFastWhileTheServerIsGoneAndRecoversWhenItReturns) {
    const auto [host, port] = test_support::host_port_of(base_url_);
    test_support::TcpProxy proxy(host, port);
    auto store = open({.url = test_support::with_local_port(schema_->url(), proxy.port())});
    store->migrate();
    store->insert_deployment(make_deployment("before-outage"));

    proxy.stop();
    const auto start = std::chrono::steady_clock::now();
    EXPECT_FALSE(store->ping());
    EXPECT_THROW(store->insert_deployment(make_deployment("during-outage")), StorageError);
    EXPECT_THROW(store->slug_exists("before-outage"), StorageError);
    EXPECT_THROW(store->list_deployments({}), StorageError);
    EXPECT_LT(seconds_since(start), 3.0);

    proxy.start();
    EXPECT_TRUE(store->ping());
    EXPECT_TRUE(store->slug_exists("before-outage"));
    EXPECT_NO_THROW(store->insert_deployment(make_deployment("after-outage")));
    EXPECT_FALSE(store->slug_exists("during-outage"));
}

TEST_F(PostgresStoreTest, RequiredTlsFailsAgainstAServerWithoutIt) {
    // The test server offers no TLS, so DB_SSL=true must refuse to fall back to plain text.
    PostgresStore store(
        PostgresOptions{.url = schema_->url(), .pool_min = 0, .ssl = true, .ssl_verify = false});
    EXPECT_FALSE(store.ping());
    try {
        store.slug_exists("x");
        FAIL() << "expected StorageError";
    } catch (const StorageError& error) {
        EXPECT_NE(std::string(error.what()).find("SSL"), std::string::npos) << error.what();
    }
}

TEST_F(PostgresStoreTest, ServerErrorsCarryTheServerMessage) {
    auto store = open();
    store->migrate();
    auto orphan = make_execution(util::uuid_v4(), "success");
    try {
        store->insert_executions(std::span(&orphan, 1));
        FAIL() << "expected StorageError";
    } catch (const ConflictError&) {
        FAIL() << "a foreign key violation is no conflict";
    } catch (const StorageError& error) {
        EXPECT_NE(std::string(error.what()).find("foreign key"), std::string::npos) << error.what();
    }
}

TEST_F(PostgresStoreTest, RateLimitRowHoldsTheCountOfItsKeyEndpointAndWindow) {
    auto store = open();
    store->migrate();
    const std::string key = util::sha256_hex("key");
    const std::int64_t window_start = kT0 - kT0 % 60'000;
    store->count_rate_limited_request(key, "wf-1", window_start, 5);
    store->count_rate_limited_request(key, "wf-1", window_start, 5);
    const auto rows = session().query(
        "SELECT api_key_hash, endpoint, request_count::text,"
        " floor(extract(epoch FROM window_start) * 1000)::int8::text FROM api_rate_limits");
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0][0], key);
    EXPECT_EQ(rows[0][1], "wf-1");
    EXPECT_EQ(rows[0][2], "2");
    EXPECT_EQ(rows[0][3], std::to_string(window_start));
}

TEST_F(PostgresStoreTest, InstancesOnOneDatabaseEnforceOneRateLimitTogether) {
    auto first = open();
    first->migrate();
    auto second = open();
    constexpr int kThreadsPerStore = 4;
    constexpr int kAttemptsPerThread = 25;
    constexpr std::int64_t kLimit = 60;
    const std::string key = util::sha256_hex("shared key");
    std::mutex mutex;
    std::vector<std::int64_t> counts;
    std::atomic<int> refused{0};
    std::atomic<int> failures{0};
    std::barrier start(2 * kThreadsPerStore);
    std::vector<std::thread> threads;
    for (auto* store : {first.get(), second.get()}) {
        for (int t = 0; t < kThreadsPerStore; ++t) {
            threads.emplace_back([&, store] {
                start.arrive_and_wait();
                for (int i = 0; i < kAttemptsPerThread; ++i) {
                    try {
                        if (const auto count =
                                store->count_rate_limited_request(key, "wf", kT0, kLimit)) {
                            std::lock_guard lock(mutex);
                            counts.push_back(*count);
                        } else {
                            ++refused;
                        }
                    } catch (const std::exception&) {
                        ++failures;
                    }
                }
            });
        }
    }
    for (auto& thread : threads) {
        thread.join();
    }
    EXPECT_EQ(failures.load(), 0);
    std::sort(counts.begin(), counts.end());
    std::vector<std::int64_t> expected(kLimit);
    std::iota(expected.begin(), expected.end(), 1);
    EXPECT_EQ(counts, expected);
    EXPECT_EQ(refused.load(), 2 * kThreadsPerStore * kAttemptsPerThread - kLimit);
    EXPECT_EQ(session().value("SELECT request_count::text FROM api_rate_limits"), "60");
}

TEST_F(PostgresStoreTest, OpenStoreRoutesPostgresUrlsWithTheirOptions) {
    auto store = open_store(schema_->url() + "&pool_max=3", StoreOptions{.pool_min = 1});
    auto* postgres = dynamic_cast<PostgresStore*>(store.get());
    ASSERT_NE(postgres, nullptr);
    EXPECT_EQ(postgres->options().pool_min, 1);
    EXPECT_EQ(postgres->options().pool_max, 3);
    EXPECT_EQ(postgres->options().url.find("pool_max"), std::string::npos);
    EXPECT_GE(store->migrate(), 1);
    EXPECT_TRUE(store->ping());
}

}  // namespace
}  // namespace clara::storage
