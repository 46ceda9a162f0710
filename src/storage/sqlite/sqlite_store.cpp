#include "storage/sqlite/sqlite_store.hpp"

#include "storage/migrations.hpp"
#include "storage/sqlite/sqlite_connection.hpp"
#include "storage/sqlite/wal_checkpointer.hpp"
#include "util/crypto.hpp"
#include "util/time_format.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <filesystem>
#include <system_error>

namespace clara::storage {
namespace {

using sqlite::Connection;
using sqlite::Statement;
using sqlite::Transaction;

// --- Queries ----------------------------------------------------------------------------------

constexpr std::string_view kCreateMigrationsTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)";

constexpr std::string_view kMigrationApplied =
    "SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = ?1)";

constexpr std::string_view kRecordMigration =
    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)";

constexpr std::string_view kInsertDeployment =
    "INSERT INTO deployed_workflows (id, name, slug, description, workflow_json, schema_json,"
    " field_map, user_id, api_key_hash, is_active, created_at, updated_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";

constexpr std::string_view kSlugExists =
    "SELECT EXISTS (SELECT 1 FROM deployed_workflows WHERE slug = ?1)";

// Deployment columns, in the order read_deployment() expects them.
constexpr std::string_view kFindDeploymentBySlug =
    "SELECT id, name, slug, description, workflow_json, schema_json, field_map, user_id,"
    " api_key_hash, is_active, created_at, updated_at"
    " FROM deployed_workflows WHERE slug = ?1";

constexpr std::string_view kFindDeploymentById =
    "SELECT id, name, slug, description, workflow_json, schema_json, field_map, user_id,"
    " api_key_hash, is_active, created_at, updated_at"
    " FROM deployed_workflows WHERE id = ?1";

constexpr std::string_view kFindDeploymentByKeyHash =
    "SELECT id, name, slug, description, workflow_json, schema_json, field_map, user_id,"
    " api_key_hash, is_active, created_at, updated_at"
    " FROM deployed_workflows WHERE api_key_hash = ?1";

constexpr std::string_view kLoadActiveDeployments =
    "SELECT id, name, slug, description, workflow_json, schema_json, field_map, user_id,"
    " api_key_hash, is_active, created_at, updated_at"
    " FROM deployed_workflows WHERE is_active = 1 ORDER BY created_at, id";

// ?1 is the lowest is_active to return: 1 for active only, 0 to include inactive rows. The view
// evaluates its statistics subqueries only for the rows of the page.
constexpr std::string_view kListDeployments =
    "SELECT d.id, d.name, d.slug, d.description, d.workflow_json, d.schema_json, d.field_map,"
    " d.user_id, d.api_key_hash, d.is_active, d.created_at, d.updated_at,"
    " s.total_executions, s.successful_executions, s.last_executed_at, s.avg_duration_ms"
    " FROM deployed_workflows AS d JOIN deployment_stats AS s ON s.id = d.id"
    " WHERE d.is_active >= ?1"
    " ORDER BY d.created_at DESC, d.id DESC LIMIT ?2 OFFSET ?3";

constexpr std::string_view kListDeploymentsOfUser =
    "SELECT d.id, d.name, d.slug, d.description, d.workflow_json, d.schema_json, d.field_map,"
    " d.user_id, d.api_key_hash, d.is_active, d.created_at, d.updated_at,"
    " s.total_executions, s.successful_executions, s.last_executed_at, s.avg_duration_ms"
    " FROM deployed_workflows AS d JOIN deployment_stats AS s ON s.id = d.id"
    " WHERE d.is_active >= ?1 AND d.user_id = ?4"
    " ORDER BY d.created_at DESC, d.id DESC LIMIT ?2 OFFSET ?3";

constexpr std::string_view kDeploymentStats =
    "SELECT total_executions, successful_executions, last_executed_at, avg_duration_ms"
    " FROM deployment_stats WHERE id = ?1";

constexpr std::string_view kDeactivateDeployment =
    "UPDATE deployed_workflows SET is_active = 0, updated_at = ?2"
    " WHERE id = ?1 AND is_active = 1";

constexpr std::string_view kReplaceApiKeyHash =
    "UPDATE deployed_workflows SET api_key_hash = ?2, updated_at = ?3"
    " WHERE id = ?1 AND is_active = 1";

// Executions go with it through ON DELETE CASCADE.
constexpr std::string_view kPurgeDeployment = "DELETE FROM deployed_workflows WHERE id = ?1";

constexpr std::string_view kInsertExecution =
    "INSERT INTO workflow_executions (id, workflow_id, inputs, outputs, status, error_message,"
    " error_node_id, duration_ms, started_at, finished_at, created_at, token_usage)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";

// Execution columns, in the order read_execution() expects them.
constexpr std::string_view kListExecutions =
    "SELECT id, workflow_id, inputs, outputs, status, error_message, error_node_id, duration_ms,"
    " started_at, created_at, token_usage FROM workflow_executions"
    " WHERE workflow_id = ?1"
    " ORDER BY created_at DESC, id DESC LIMIT ?2 OFFSET ?3";

constexpr std::string_view kListExecutionsWithStatus =
    "SELECT id, workflow_id, inputs, outputs, status, error_message, error_node_id, duration_ms,"
    " started_at, created_at, token_usage FROM workflow_executions"
    " WHERE workflow_id = ?1 AND status = ?4"
    " ORDER BY created_at DESC, id DESC LIMIT ?2 OFFSET ?3";

// Keyset: rows strictly after (?2, ?3) in (created_at DESC, id DESC) order. The redundant
// `created_at <= ?2` gives the planner a range on the index.
constexpr std::string_view kPageExecutions =
    "SELECT id, workflow_id, inputs, outputs, status, error_message, error_node_id, duration_ms,"
    " started_at, created_at, token_usage FROM workflow_executions"
    " WHERE workflow_id = ?1 AND created_at <= ?2 AND (created_at < ?2 OR id < ?3)"
    " ORDER BY created_at DESC, id DESC LIMIT ?4";

constexpr std::string_view kPageExecutionsWithStatus =
    "SELECT id, workflow_id, inputs, outputs, status, error_message, error_node_id, duration_ms,"
    " started_at, created_at, token_usage FROM workflow_executions"
    " WHERE workflow_id = ?1 AND status = ?5 AND created_at <= ?2 AND (created_at < ?2 OR id < ?3)"
    " ORDER BY created_at DESC, id DESC LIMIT ?4";

constexpr std::string_view kMarkInterruptedExecutions =
    "UPDATE workflow_executions"
    " SET status = 'error', error_message = 'interrupted', finished_at = COALESCE(finished_at, ?1)"
    " WHERE status = 'running'";

// Chunked so that a large purge never holds the write lock for long (see
// delete_executions_before). Every execution belongs to a deployment (foreign key), and CROSS
// JOIN keeps deployments as the outer loop: each one's old rows are a range of
// idx_workflow_executions_workflow_created, the only index on created_at (schema v3).
constexpr std::string_view kDeleteExecutionsBefore =
    "DELETE FROM workflow_executions WHERE rowid IN"
    " (SELECT e.rowid FROM deployed_workflows AS d CROSS JOIN workflow_executions AS e"
    " ON e.workflow_id = d.id AND e.created_at < ?1 LIMIT ?2)";

// A full window is left unchanged (no row is returned), as on PostgreSQL. Window starts are
// ISO-8601 text of one fixed format, so they compare in time order.
constexpr std::string_view kCountRateLimitedRequest =
    "INSERT INTO api_rate_limits (id, api_key_hash, endpoint, request_count, window_start)"
    " VALUES (?1, ?2, ?3, 1, ?4)"
    " ON CONFLICT (api_key_hash, endpoint, window_start)"
    " DO UPDATE SET request_count = api_rate_limits.request_count + 1"
    " WHERE api_rate_limits.request_count < ?5"
    " RETURNING request_count";

constexpr std::string_view kDeleteRateLimitWindowsBefore =
    "DELETE FROM api_rate_limits WHERE window_start < ?1";

constexpr std::string_view kPing = "SELECT 1";

constexpr std::string_view kMemoryPath = ":memory:";
constexpr std::int64_t kDeleteChunkRows = 5000;

// --- Row mapping ------------------------------------------------------------------------------

std::string to_json_text(const boost::json::value& value) {
    return boost::json::serialize(value);
}

boost::json::value parse_json(const std::string& text, std::string_view column) {
    boost::system::error_code ec;
    auto value = boost::json::parse(text, ec);
    if (ec) {
        throw StorageError("stored JSON in column " + std::string(column) +
                           " is invalid: " + ec.message());
    }
    return value;
}

std::int64_t parse_timestamp(const std::string& text, std::string_view column) {
    const auto ms = util::parse_iso8601_ms(text);
    if (!ms) {
        throw StorageError("stored timestamp in column " + std::string(column) +
                           " is invalid: '" + text + "'");
    }
    return *ms;
}

std::optional<std::int64_t> parse_optional_timestamp(const std::optional<std::string>& text,
                                                     std::string_view column) {
    if (!text) {
        return std::nullopt;
    }
    return parse_timestamp(*text, column);
}

Deployment read_deployment(const Statement& row) {
    Deployment d;
    d.id = row.column_text(0);
    d.name = row.column_text(1);
    d.slug = row.column_text(2);
    d.description = row.column_optional_text(3);
    d.workflow = parse_json(row.column_text(4), "workflow_json");
    d.schema = parse_json(row.column_text(5), "schema_json");
    d.field_map = parse_json(row.column_text(6), "field_map");
    d.user_id = row.column_optional_text(7);
    d.api_key_hash = row.column_text(8);
    d.is_active = row.column_int(9) != 0;
    d.created_at_ms = parse_timestamp(row.column_text(10), "created_at");
    d.updated_at_ms = parse_timestamp(row.column_text(11), "updated_at");
    return d;
}

// Reads total, successful, last executed, average duration from `first` on.
DeploymentStats read_stats(const Statement& row, int first) {
    DeploymentStats stats;
    stats.execution_count = row.column_int(first);
    stats.success_count = row.column_int(first + 1);
    stats.last_executed_at_ms =
        parse_optional_timestamp(row.column_optional_text(first + 2), "last_executed_at");
    if (!row.column_is_null(first + 3)) {
        stats.avg_duration_ms = row.column_double(first + 3);
    }
    return stats;
}

ExecutionRecord read_execution(const Statement& row) {
    ExecutionRecord e;
    e.id = row.column_text(0);
    e.workflow_id = row.column_text(1);
    e.inputs = parse_json(row.column_text(2), "inputs");
    if (!row.column_is_null(3)) {
        e.outputs = parse_json(row.column_text(3), "outputs");
    }
    e.status = row.column_text(4);
    e.error_message = row.column_optional_text(5);
    e.error_node_id = row.column_optional_text(6);
    if (!row.column_is_null(7)) {
        e.duration_ms = row.column_int(7);
    }
    e.started_at_ms =
        parse_optional_timestamp(row.column_optional_text(8), "started_at").value_or(0);
    e.created_at_ms = parse_timestamp(row.column_text(9), "created_at");
    if (!row.column_is_null(10)) {
        e.token_usage = parse_json(row.column_text(10), "token_usage");
    }
    return e;
}

std::vector<ExecutionRecord> read_executions(Statement& statement) {
    std::vector<ExecutionRecord> records;
    while (statement.step()) {
        records.push_back(read_execution(statement));
    }
    return records;
}

int clamp_non_negative(int value) {
    return std::max(value, 0);
}

}  // namespace

// --- Connections ------------------------------------------------------------------------------

/// A read connection taken from the pool for the lifetime of the lease.
class SqliteStore::ReaderLease {
public:
    explicit ReaderLease(SqliteStore& store) : store_(store) {
        std::unique_lock lock(store_.readers_mutex_);
        store_.reader_released_.wait(lock, [this] { return !store_.idle_readers_.empty(); });
        connection_ = store_.idle_readers_.back();
        store_.idle_readers_.pop_back();
    }
    ~ReaderLease() {
        {
            std::lock_guard lock(store_.readers_mutex_);
            store_.idle_readers_.push_back(connection_);
        }
        store_.reader_released_.notify_one();
    }
    ReaderLease(const ReaderLease&) = delete;
    ReaderLease& operator=(const ReaderLease&) = delete;

    Connection& connection() { return *connection_; }

private:
    SqliteStore& store_;
    Connection* connection_ = nullptr;
};

template <typename Fn>
auto SqliteStore::with_writer(Fn&& fn) {
    std::lock_guard lock(writer_mutex_);
    if (!checkpointer_ || !checkpointer_->run_final_pass(*writer_)) {
        return fn(*writer_);
    }
    // Background passes wait until this transaction has restarted the log.
    struct Resume {
        sqlite::WalCheckpointer& checkpointer;
        ~Resume() { checkpointer.resume_background(); }
    } resume{*checkpointer_};
    return fn(*writer_);
}

template <typename Fn>
auto SqliteStore::with_reader(Fn&& fn) {
    // An in-memory database exists only inside its one connection, which then serves reads too.
    if (readers_.empty()) {
        return with_writer(std::forward<Fn>(fn));
    }
    ReaderLease lease(*this);
    return fn(lease.connection());
}

SqliteStore::SqliteStore(const std::string& path) : SqliteStore(SqliteOptions{.path = path}) {}

SqliteStore::SqliteStore(SqliteOptions options) : options_(std::move(options)) {
    if (options_.path.empty()) {
        throw StorageError("SQLite database path is empty");
    }
    const bool in_memory = options_.path == kMemoryPath;
    if (!in_memory) {
        const auto parent = std::filesystem::path(options_.path).parent_path();
        std::error_code ec;
        if (!parent.empty()) {
            std::filesystem::create_directories(parent, ec);
        }
        if (ec) {
            throw StorageError("cannot create folder '" + parent.string() +
                               "' for the SQLite database: " + ec.message());
        }
    }
    // The writer first: it creates the file and switches it to WAL before any reader opens it.
    writer_ = std::make_unique<Connection>(options_.path, true, options_.busy_timeout_ms);
    writer_->exec(options_.sync_every_commit ? "PRAGMA synchronous = FULL"
                                             : "PRAGMA synchronous = NORMAL");
    const int reader_count = in_memory ? 0 : clamp_non_negative(options_.read_connections);
    for (int i = 0; i < reader_count; ++i) {
        readers_.push_back(
            std::make_unique<Connection>(options_.path, false, options_.busy_timeout_ms));
        idle_readers_.push_back(readers_.back().get());
    }
    if (!in_memory) {
        checkpointer_ = std::make_unique<sqlite::WalCheckpointer>(
            options_.path, options_.busy_timeout_ms, options_.checkpoint_pages);
        checkpointer_->attach(*writer_);
    }
}

SqliteStore::~SqliteStore() = default;

std::int64_t SqliteStore::now() const {
    return options_.now_ms ? options_.now_ms() : util::now_ms();
}

std::uint64_t SqliteStore::wal_checkpoints() const {
    return checkpointer_ ? checkpointer_->checkpoints() : 0;
}

std::string SqliteStore::pragma(std::string_view name) {
    return with_writer([&](Connection& db) { return db.pragma(name); });
}

// --- Store ------------------------------------------------------------------------------------

int SqliteStore::migrate() {
    const auto migrations = embedded_migrations("sqlite");
    return with_writer([&](Connection& db) {
        db.exec(std::string(kCreateMigrationsTable));
        int applied = 0;
        for (const auto& migration : migrations) {
            // Checked inside the write transaction, so two processes starting on the same file
            // cannot both apply a migration.
            Transaction transaction(db);
            bool done = false;
            {
                auto check = db.statement(kMigrationApplied);
                check.bind_int(1, migration.version);
                done = check.step() && check.column_int(0) != 0;
            }
            if (done) {
                continue;
            }
            db.exec(std::string(migration.sql));
            {
                auto record = db.statement(kRecordMigration);
                record.bind_int(1, migration.version);
                record.bind_text(2, migration.name);
                record.bind_text(3, util::iso8601_ms(now()));
                record.run();
            }
            transaction.commit();
            ++applied;
        }
        return applied;
    });
}

int SqliteStore::mark_interrupted_executions() {
    const std::string finished_at = util::iso8601_ms(now());
    return with_writer([&](Connection& db) {
        Transaction transaction(db);
        auto update = db.statement(kMarkInterruptedExecutions);
        update.bind_text(1, finished_at);
        update.run();
        const auto changed = db.changes();
        transaction.commit();
        return static_cast<int>(changed);
    });
}

void SqliteStore::insert_deployment(const Deployment& deployment) {
    // Serialise before taking the lock: JSON encoding needs no database.
    const std::string workflow_json = to_json_text(deployment.workflow);
    const std::string schema_json = to_json_text(deployment.schema);
    const std::string field_map =
        deployment.field_map.is_null() ? std::string("{}") : to_json_text(deployment.field_map);
    const std::string created_at = util::iso8601_ms(deployment.created_at_ms);
    const std::string updated_at = util::iso8601_ms(deployment.updated_at_ms);
    with_writer([&](Connection& db) {
        Transaction transaction(db);
        {
            auto insert = db.statement(kInsertDeployment);
            insert.bind_text(1, deployment.id);
            insert.bind_text(2, deployment.name);
            insert.bind_text(3, deployment.slug);
            insert.bind_optional_text(4, deployment.description);
            insert.bind_text(5, workflow_json);
            insert.bind_text(6, schema_json);
            insert.bind_text(7, field_map);
            insert.bind_optional_text(8, deployment.user_id);
            insert.bind_text(9, deployment.api_key_hash);
            insert.bind_int(10, deployment.is_active ? 1 : 0);
            insert.bind_text(11, created_at);
            insert.bind_text(12, updated_at);
            insert.run();
        }
        transaction.commit();
    });
}

bool SqliteStore::slug_exists(const std::string& slug) {
    return with_reader([&](Connection& db) {
        auto query = db.statement(kSlugExists);
        query.bind_text(1, slug);
        return query.step() && query.column_int(0) != 0;
    });
}

std::optional<Deployment> SqliteStore::find_deployment_by_slug(const std::string& slug) {
    return with_reader([&](Connection& db) -> std::optional<Deployment> {
        auto query = db.statement(kFindDeploymentBySlug);
        query.bind_text(1, slug);
        if (!query.step()) {
            return std::nullopt;
        }
        return read_deployment(query);
    });
}

std::optional<Deployment> SqliteStore::find_deployment_by_id(const std::string& id) {
    return with_reader([&](Connection& db) -> std::optional<Deployment> {
        auto query = db.statement(kFindDeploymentById);
        query.bind_text(1, id);
        if (!query.step()) {
            return std::nullopt;
        }
        return read_deployment(query);
    });
}

std::optional<Deployment> SqliteStore::find_deployment_by_key_hash(const std::string& hash) {
    return with_reader([&](Connection& db) -> std::optional<Deployment> {
        auto query = db.statement(kFindDeploymentByKeyHash);
        query.bind_text(1, hash);
        if (!query.step()) {
            return std::nullopt;
        }
        return read_deployment(query);
    });
}

std::vector<Deployment> SqliteStore::load_active_deployments() {
    return with_reader([&](Connection& db) {
        auto query = db.statement(kLoadActiveDeployments);
        std::vector<Deployment> deployments;
        while (query.step()) {
            deployments.push_back(read_deployment(query));
        }
        return deployments;
    });
}

std::vector<DeploymentSummary> SqliteStore::list_deployments(const DeploymentQuery& query) {
    return with_reader([&](Connection& db) {
        auto list = db.statement(query.user_id ? kListDeploymentsOfUser : kListDeployments);
        list.bind_int(1, query.include_inactive ? 0 : 1);
        list.bind_int(2, clamp_non_negative(query.limit));
        list.bind_int(3, clamp_non_negative(query.offset));
        if (query.user_id) {
            list.bind_text(4, *query.user_id);
        }
        std::vector<DeploymentSummary> summaries;
        while (list.step()) {
            summaries.push_back(DeploymentSummary{read_deployment(list), read_stats(list, 12)});
        }
        return summaries;
    });
}

DeploymentStats SqliteStore::deployment_stats(const std::string& workflow_id) {
    return with_reader([&](Connection& db) {
        auto query = db.statement(kDeploymentStats);
        query.bind_text(1, workflow_id);
        return query.step() ? read_stats(query, 0) : DeploymentStats{};
    });
}

bool SqliteStore::deactivate_deployment(const std::string& id) {
    const std::string updated_at = util::iso8601_ms(now());
    return with_writer([&](Connection& db) {
        Transaction transaction(db);
        auto update = db.statement(kDeactivateDeployment);
        update.bind_text(1, id);
        update.bind_text(2, updated_at);
        update.run();
        const bool changed = db.changes() > 0;
        transaction.commit();
        return changed;
    });
}

bool SqliteStore::replace_api_key_hash(const std::string& id, const std::string& new_hash) {
    const std::string updated_at = util::iso8601_ms(now());
    return with_writer([&](Connection& db) {
        Transaction transaction(db);
        auto update = db.statement(kReplaceApiKeyHash);
        update.bind_text(1, id);
        update.bind_text(2, new_hash);
        update.bind_text(3, updated_at);
        update.run();
        const bool changed = db.changes() > 0;
        transaction.commit();
        return changed;
    });
}

bool SqliteStore::purge_deployment(const std::string& id) {
    return with_writer([&](Connection& db) {
        Transaction transaction(db);
        auto remove = db.statement(kPurgeDeployment);
        remove.bind_text(1, id);
        remove.run();
        // changes() counts only the deployment row, not the cascaded executions.
        const bool removed = db.changes() > 0;
        transaction.commit();
        return removed;
    });
}

void SqliteStore::insert_executions(std::span<const ExecutionRecord> records) {
    if (records.empty()) {
        return;
    }
    // Encode outside the lock so other writers wait only for the database work.
    struct Encoded {
        std::string inputs;
        std::optional<std::string> outputs;
        std::string started_at;
        std::string created_at;
        std::optional<std::string> token_usage;
    };
    std::vector<Encoded> encoded;
    encoded.reserve(records.size());
    for (const auto& record : records) {
        encoded.push_back(Encoded{
            to_json_text(record.inputs),
            record.outputs.is_null() ? std::nullopt
                                     : std::optional<std::string>(to_json_text(record.outputs)),
            util::iso8601_ms(record.started_at_ms),
            util::iso8601_ms(record.created_at_ms),
            record.token_usage.is_null()
                ? std::nullopt
                : std::optional<std::string>(to_json_text(record.token_usage)),
        });
    }
    with_writer([&](Connection& db) {
        // One transaction for the whole batch: one WAL sync for all of its records.
        Transaction transaction(db);
        for (std::size_t i = 0; i < records.size(); ++i) {
            const auto& record = records[i];
            const auto& text = encoded[i];
            auto insert = db.statement(kInsertExecution);
            insert.bind_text(1, record.id);
            insert.bind_text(2, record.workflow_id);
            insert.bind_text(3, text.inputs);
            insert.bind_optional_text(4, text.outputs);
            insert.bind_text(5, record.status);
            insert.bind_optional_text(6, record.error_message);
            insert.bind_optional_text(7, record.error_node_id);
            insert.bind_optional_int(8, record.duration_ms);
            insert.bind_text(9, text.started_at);
            // A finished record was finalised when it was created; a running one is not yet.
            if (record.status == "running") {
                insert.bind_null(10);
            } else {
                insert.bind_text(10, text.created_at);
            }
            insert.bind_text(11, text.created_at);
            insert.bind_optional_text(12, text.token_usage);
            insert.run();
        }
        transaction.commit();
    });
}

std::vector<ExecutionRecord> SqliteStore::list_executions(const ExecutionQuery& query) {
    return with_reader([&](Connection& db) {
        auto list = db.statement(query.status ? kListExecutionsWithStatus : kListExecutions);
        list.bind_text(1, query.workflow_id);
        list.bind_int(2, clamp_non_negative(query.limit));
        list.bind_int(3, clamp_non_negative(query.offset));
        if (query.status) {
            list.bind_text(4, *query.status);
        }
        return read_executions(list);
    });
}

std::vector<ExecutionRecord> SqliteStore::list_executions_page(const ExecutionPageQuery& query) {
    if (!query.after) {
        return list_executions(ExecutionQuery{
            .workflow_id = query.workflow_id, .status = query.status, .limit = query.limit});
    }
    const std::string after_created_at = util::iso8601_ms(query.after->created_at_ms);
    return with_reader([&](Connection& db) {
        auto page = db.statement(query.status ? kPageExecutionsWithStatus : kPageExecutions);
        page.bind_text(1, query.workflow_id);
        page.bind_text(2, after_created_at);
        page.bind_text(3, query.after->id);
        page.bind_int(4, clamp_non_negative(query.limit));
        if (query.status) {
            page.bind_text(5, *query.status);
        }
        return read_executions(page);
    });
}

std::int64_t SqliteStore::delete_executions_before(std::int64_t cutoff_ms) {
    const std::string cutoff = util::iso8601_ms(cutoff_ms);
    std::int64_t total = 0;
    // One chunk per transaction, releasing the write lock in between, so that execution
    // batches keep committing while a large backlog is removed.
    for (;;) {
        const std::int64_t deleted = with_writer([&](Connection& db) {
            Transaction transaction(db);
            auto remove = db.statement(kDeleteExecutionsBefore);
            remove.bind_text(1, cutoff);
            remove.bind_int(2, kDeleteChunkRows);
            remove.run();
            const auto changed = db.changes();
            transaction.commit();
            return changed;
        });
        total += deleted;
        if (deleted < kDeleteChunkRows) {
            return total;
        }
    }
}

std::optional<std::int64_t> SqliteStore::count_rate_limited_request(
    const std::string& api_key_hash, const std::string& endpoint, std::int64_t window_start_ms,
    std::int64_t limit) {
    if (limit <= 0) {
        return std::nullopt;
    }
    const std::string id = util::uuid_v4();  // used only when the window's row is new
    const std::string window_start = util::iso8601_ms(window_start_ms);
    return with_writer([&](Connection& db) {
        Transaction transaction(db);
        std::optional<std::int64_t> count;
        {
            auto upsert = db.statement(kCountRateLimitedRequest);
            upsert.bind_text(1, id);
            upsert.bind_text(2, api_key_hash);
            upsert.bind_text(3, endpoint);
            upsert.bind_text(4, window_start);
            upsert.bind_int(5, limit);
            if (upsert.step()) {
                count = upsert.column_int(0);
            }
        }
        transaction.commit();
        return count;
    });
}

std::int64_t SqliteStore::delete_rate_limit_windows_before(std::int64_t cutoff_ms) {
    const std::string cutoff = util::iso8601_ms(cutoff_ms);
    return with_writer([&](Connection& db) {
        Transaction transaction(db);
        auto remove = db.statement(kDeleteRateLimitWindowsBefore);
        remove.bind_text(1, cutoff);
        remove.run();
        const auto changed = db.changes();
        transaction.commit();
        return changed;
    });
}

bool SqliteStore::ping() {
    try {
        return with_reader([&](Connection& db) {
            auto query = db.statement(kPing);
            return query.step() && query.column_int(0) == 1;
        });
    } catch (const std::exception&) {
        return false;
    }
}

}  // namespace clara::storage
