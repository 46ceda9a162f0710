#include "storage/postgres/postgres_store.hpp"

#include <algorithm>
#include <array>
#include <cctype>

#include "storage/migrations.hpp"
#include "storage/postgres/array_literal.hpp"
#include "storage/postgres/connection_pool.hpp"
#include "storage/postgres/jsonb_text.hpp"
#include "storage/postgres/pg_connection.hpp"
#include "storage/postgres/postgres_change_listener.hpp"
#include "util/time_format.hpp"

namespace clara::storage {
namespace {

using postgres::ArrayLiteral;
using postgres::Connection;
using postgres::ConnectionLost;
using postgres::Deadline;
using postgres::Param;
using postgres::Query;
using postgres::Result;
using postgres::SteadyClock;
using postgres::Transaction;

// --- Queries ----------------------------------------------------------------------------------
// Timestamps travel as ISO-8601 text in and as epoch milliseconds out, so neither depends on
// the session's DateStyle or TimeZone. Writes to deployed_workflows announce the deployment id
// with pg_notify in the same statement: it is delivered when (and only if) the change commits.
// clang-format off

constexpr std::string_view kCreateMigrationsTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
    " applied_at TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP)";

// Held until the migration's transaction ends, so that instances starting together apply each
// migration once: the second waits, then finds it recorded.
constexpr Query kLockMigrations{
    "lock_migrations",
    "SELECT pg_advisory_xact_lock($1::int8)"};

// A migration may legitimately run longer than a normal statement.
constexpr Query kLiftStatementTimeout{
    "lift_statement_timeout",
    "SELECT set_config('statement_timeout', '0', true)"};

constexpr Query kMigrationApplied{
    "migration_applied",
    "SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = $1::int4)"};

constexpr Query kRecordMigration{
    "record_migration",
    "INSERT INTO schema_migrations (version, name, applied_at)"
    " VALUES ($1::int4, $2, $3::timestamptz)"};

constexpr Query kInsertDeployment{
    "insert_deployment",
    "WITH inserted AS ("
    " INSERT INTO deployed_workflows (id, name, slug, description, workflow_json, schema_json,"
    " field_map, user_id, api_key_hash, is_active, created_at, updated_at)"
    " VALUES ($1::uuid, $2, $3, $4, $5::jsonb, $6::jsonb, $7::jsonb, $8, $9, $10::boolean,"
    " $11::timestamptz, $12::timestamptz)"
    " RETURNING id)"
    " SELECT pg_notify('clara_deployments', id::text) FROM inserted"};

constexpr Query kSlugExists{
    "slug_exists",
    "SELECT EXISTS (SELECT 1 FROM deployed_workflows WHERE slug = $1)"};

// Deployment columns of `d`, in the order read_deployment() expects them.
#define CLARA_DEPLOYMENT_COLUMNS                                                            \
    " d.id, d.name, d.slug, d.description, d.workflow_json, d.schema_json, d.field_map,"   \
    " d.user_id, d.api_key_hash, d.is_active,"                                              \
    " floor(extract(epoch FROM d.created_at) * 1000)::int8,"                                \
    " floor(extract(epoch FROM d.updated_at) * 1000)::int8"

// The statistics of deployment_stats for the deployment `d`: with a LIMIT they are aggregated
// for the rows of the page only (a nested loop), each through
// idx_workflow_executions_workflow_status.
#define CLARA_STATS_COLUMNS                                                                 \
    " s.total, s.successful, floor(extract(epoch FROM s.last_executed_at) * 1000)::int8,"  \
    " s.avg_duration_ms::float8"
#define CLARA_STATS_JOIN                                                                    \
    " CROSS JOIN LATERAL (SELECT COUNT(*) AS total,"                                        \
    " COUNT(*) FILTER (WHERE e.status = 'success') AS successful,"                          \
    " MAX(e.created_at) AS last_executed_at,"                                               \
    " AVG(e.duration_ms) FILTER (WHERE e.status = 'success') AS avg_duration_ms"           \
    " FROM workflow_executions AS e WHERE e.workflow_id = d.id) AS s"

// Execution columns, in the order read_executions() expects them.
#define CLARA_EXECUTION_COLUMNS                                                             \
    " id, workflow_id, inputs, outputs, status, error_message, error_node_id, duration_ms," \
    " floor(extract(epoch FROM started_at) * 1000)::int8,"                                  \
    " floor(extract(epoch FROM created_at) * 1000)::int8, token_usage"

constexpr Query kFindDeploymentBySlug{
    "find_deployment_by_slug",
    "SELECT" CLARA_DEPLOYMENT_COLUMNS
    " FROM deployed_workflows AS d WHERE d.slug = $1"};

constexpr Query kFindDeploymentById{
    "find_deployment_by_id",
    "SELECT" CLARA_DEPLOYMENT_COLUMNS
    " FROM deployed_workflows AS d WHERE d.id = $1::uuid"};

constexpr Query kFindDeploymentByKeyHash{
    "find_deployment_by_key_hash",
    "SELECT" CLARA_DEPLOYMENT_COLUMNS
    " FROM deployed_workflows AS d WHERE d.api_key_hash = $1"};

constexpr Query kLoadActiveDeployments{
    "load_active_deployments",
    "SELECT" CLARA_DEPLOYMENT_COLUMNS
    " FROM deployed_workflows AS d WHERE d.is_active ORDER BY d.created_at, d.id"};

// $1: whether to include inactive rows.
constexpr Query kListDeployments{
    "list_deployments",
    "SELECT" CLARA_DEPLOYMENT_COLUMNS "," CLARA_STATS_COLUMNS
    " FROM deployed_workflows AS d" CLARA_STATS_JOIN
    " WHERE (d.is_active OR $1::boolean)"
    " ORDER BY d.created_at DESC, d.id DESC LIMIT $2::int8 OFFSET $3::int8"};

constexpr Query kListDeploymentsOfUser{
    "list_deployments_of_user",
    "SELECT" CLARA_DEPLOYMENT_COLUMNS "," CLARA_STATS_COLUMNS
    " FROM deployed_workflows AS d" CLARA_STATS_JOIN
    " WHERE (d.is_active OR $1::boolean) AND d.user_id = $4"
    " ORDER BY d.created_at DESC, d.id DESC LIMIT $2::int8 OFFSET $3::int8"};

constexpr Query kDeploymentStats{
    "deployment_stats",
    "SELECT COUNT(*), COUNT(*) FILTER (WHERE status = 'success'),"
    " floor(extract(epoch FROM MAX(created_at)) * 1000)::int8,"
    " (AVG(duration_ms) FILTER (WHERE status = 'success'))::float8"
    " FROM workflow_executions WHERE workflow_id = $1::uuid"};

constexpr Query kDeactivateDeployment{
    "deactivate_deployment",
    "WITH changed AS ("
    " UPDATE deployed_workflows SET is_active = FALSE, updated_at = $2::timestamptz"
    " WHERE id = $1::uuid AND is_active RETURNING id)"
    " SELECT pg_notify('clara_deployments', id::text) FROM changed"};

constexpr Query kReplaceApiKeyHash{
    "replace_api_key_hash",
    "WITH changed AS ("
    " UPDATE deployed_workflows SET api_key_hash = $2, updated_at = $3::timestamptz"
    " WHERE id = $1::uuid AND is_active RETURNING id)"
    " SELECT pg_notify('clara_deployments', id::text) FROM changed"};

// Executions go with it through ON DELETE CASCADE.
constexpr Query kPurgeDeployment{
    "purge_deployment",
    "WITH removed AS (DELETE FROM deployed_workflows WHERE id = $1::uuid RETURNING id)"
    " SELECT pg_notify('clara_deployments', id::text) FROM removed"};

// The whole batch as one array per column: one statement, one round trip, atomic.
constexpr Query kInsertExecutions{
    "insert_executions",
    "INSERT INTO workflow_executions (id, workflow_id, inputs, outputs, status, error_message,"
    " error_node_id, duration_ms, started_at, finished_at, created_at, token_usage)"
    " SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::jsonb[], $4::jsonb[], $5::text[],"
    " $6::text[], $7::text[], $8::int8[], $9::timestamptz[], $10::timestamptz[],"
    " $11::timestamptz[], $12::jsonb[])"};

constexpr Query kListExecutions{
    "list_executions",
    "SELECT" CLARA_EXECUTION_COLUMNS " FROM workflow_executions"
    " WHERE workflow_id = $1::uuid"
    " ORDER BY created_at DESC, id DESC LIMIT $2::int8 OFFSET $3::int8"};

constexpr Query kListExecutionsWithStatus{
    "list_executions_with_status",
    "SELECT" CLARA_EXECUTION_COLUMNS " FROM workflow_executions"
    " WHERE workflow_id = $1::uuid AND status = $4"
    " ORDER BY created_at DESC, id DESC LIMIT $2::int8 OFFSET $3::int8"};

// Keyset: rows strictly after ($2, $3) in (created_at DESC, id DESC) order.
constexpr Query kPageExecutions{
    "page_executions",
    "SELECT" CLARA_EXECUTION_COLUMNS " FROM workflow_executions"
    " WHERE workflow_id = $1::uuid AND (created_at, id) < ($2::timestamptz, $3::uuid)"
    " ORDER BY created_at DESC, id DESC LIMIT $4::int8"};

constexpr Query kPageExecutionsWithStatus{
    "page_executions_with_status",
    "SELECT" CLARA_EXECUTION_COLUMNS " FROM workflow_executions"
    " WHERE workflow_id = $1::uuid AND status = $5"
    " AND (created_at, id) < ($2::timestamptz, $3::uuid)"
    " ORDER BY created_at DESC, id DESC LIMIT $4::int8"};

#undef CLARA_DEPLOYMENT_COLUMNS
#undef CLARA_STATS_COLUMNS
#undef CLARA_STATS_JOIN
#undef CLARA_EXECUTION_COLUMNS

constexpr Query kMarkInterruptedExecutions{
    "mark_interrupted_executions",
    "UPDATE workflow_executions"
    " SET status = 'error', error_message = 'interrupted',"
    " finished_at = COALESCE(finished_at, $1::timestamptz)"
    " WHERE status = 'running'"};

// Chunked, so that a large purge never holds its locks (or one huge transaction) for long.
constexpr Query kDeleteExecutionsBefore{
    "delete_executions_before",
    "DELETE FROM workflow_executions WHERE id IN"
    " (SELECT id FROM workflow_executions WHERE created_at < $1::timestamptz LIMIT $2::int8)"};

// One statement, so the row lock taken by ON CONFLICT makes concurrent requests of any
// instance count one after the other. A full window is left unchanged (no row is returned):
// refused requests write nothing and the count cannot grow past the limit.
constexpr Query kCountRateLimitedRequest{
    "count_rate_limited_request",
    "INSERT INTO api_rate_limits (api_key_hash, endpoint, request_count, window_start)"
    " VALUES ($1, $2, 1, $3::timestamptz)"
    " ON CONFLICT (api_key_hash, endpoint, window_start)"
    " DO UPDATE SET request_count = api_rate_limits.request_count + 1"
    " WHERE api_rate_limits.request_count < $4::int8"
    " RETURNING request_count"};

constexpr Query kDeleteRateLimitWindowsBefore{
    "delete_rate_limit_windows_before",
    "DELETE FROM api_rate_limits WHERE window_start < $1::timestamptz"};

constexpr Query kPing{"ping", "SELECT 1"};

// clang-format on

constexpr std::int64_t kDeleteChunkRows = 5000;
constexpr auto kMigrationTimeout = std::chrono::minutes(30);
constexpr auto kPingTimeout = std::chrono::seconds(2);
// The client-side limit of a call: the server's statement_timeout plus room for the reply.
constexpr auto kReplyMargin = std::chrono::seconds(5);
constexpr auto kCallTimeoutWithoutStatementTimeout = std::chrono::minutes(10);

// --- Values -----------------------------------------------------------------------------------

Param text(std::string value) { return Param(std::move(value)); }

Param optional_text(const std::optional<std::string>& value) {
    return value ? Param(*value) : Param();
}

Param number(std::int64_t value) { return Param(std::to_string(value)); }

Param timestamp(std::int64_t epoch_ms) { return Param(util::iso8601_ms(epoch_ms)); }

Param boolean(bool value) { return Param(value ? "true" : "false"); }

int clamp_non_negative(int value) { return std::max(value, 0); }

// The canonical 8-4-4-4-12 hex form. Other text never names a stored row; checking first
// keeps the uuid cast from turning such a lookup into an error.
bool is_uuid(std::string_view text) {
    if (text.size() != 36) {
        return false;
    }
    for (std::size_t i = 0; i < text.size(); ++i) {
        const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? text[i] != '-' : std::isxdigit(static_cast<unsigned char>(text[i])) == 0) {
            return false;
        }
    }
    return true;
}

template <std::size_t N>
Result run(Connection& db,
           const Query& query,
           const std::array<Param, N>& params,
           Deadline deadline) {
    return db.execute(query, std::span<const Param>(params), deadline);
}

// --- Row mapping ------------------------------------------------------------------------------

Deployment read_deployment(const Result& rows, int row) {
    Deployment d;
    d.id = rows.text(row, 0);
    d.name = rows.text(row, 1);
    d.slug = rows.text(row, 2);
    d.description = rows.optional_text(row, 3);
    d.workflow = postgres::decode_jsonb(rows.text(row, 4), "workflow_json");
    d.schema = postgres::decode_jsonb(rows.text(row, 5), "schema_json");
    d.field_map = postgres::decode_jsonb(rows.text(row, 6), "field_map");
    d.user_id = rows.optional_text(row, 7);
    d.api_key_hash = rows.text(row, 8);
    d.is_active = rows.boolean(row, 9);
    d.created_at_ms = rows.int64(row, 10);
    d.updated_at_ms = rows.int64(row, 11);
    return d;
}

// Reads total, successful, last executed, average duration from `first` on.
DeploymentStats read_stats(const Result& rows, int row, int first) {
    DeploymentStats stats;
    stats.execution_count = rows.int64(row, first);
    stats.success_count = rows.int64(row, first + 1);
    stats.last_executed_at_ms = rows.optional_int64(row, first + 2);
    if (!rows.is_null(row, first + 3)) {
        stats.avg_duration_ms = rows.float64(row, first + 3);
    }
    return stats;
}

std::vector<Deployment> read_deployments(const Result& rows) {
    std::vector<Deployment> deployments;
    deployments.reserve(static_cast<std::size_t>(rows.rows()));
    for (int row = 0; row < rows.rows(); ++row) {
        deployments.push_back(read_deployment(rows, row));
    }
    return deployments;
}

std::vector<ExecutionRecord> read_executions(const Result& rows) {
    std::vector<ExecutionRecord> records;
    records.reserve(static_cast<std::size_t>(rows.rows()));
    for (int row = 0; row < rows.rows(); ++row) {
        ExecutionRecord e;
        e.id = rows.text(row, 0);
        e.workflow_id = rows.text(row, 1);
        e.inputs = postgres::decode_jsonb(rows.text(row, 2), "inputs");
        if (!rows.is_null(row, 3)) {
            e.outputs = postgres::decode_jsonb(rows.text(row, 3), "outputs");
        }
        e.status = rows.text(row, 4);
        e.error_message = rows.optional_text(row, 5);
        e.error_node_id = rows.optional_text(row, 6);
        e.duration_ms = rows.optional_int64(row, 7);
        e.started_at_ms = rows.optional_int64(row, 8).value_or(0);
        e.created_at_ms = rows.int64(row, 9);
        if (!rows.is_null(row, 10)) {
            e.token_usage = postgres::decode_jsonb(rows.text(row, 10), "token_usage");
        }
        records.push_back(std::move(e));
    }
    return records;
}

}  // namespace

// --- Connections ------------------------------------------------------------------------------

PostgresStore::PostgresStore(PostgresOptions options)
    : options_(postgres::resolve_pool_parameters(std::move(options))),
      params_(postgres::connect_params(options_)),
      pool_(std::make_unique<postgres::ConnectionPool>(
          params_,
          postgres::PoolLimits{.min = options_.pool_min,
                               .max = options_.pool_max,
                               .idle_timeout = options_.idle_timeout})) {
    pool_->fill(SteadyClock::now() + options_.connect_timeout);
}

PostgresStore::~PostgresStore() = default;

std::int64_t PostgresStore::now() const {
    return options_.now_ms ? options_.now_ms() : util::now_ms();
}

int PostgresStore::open_connections() const { return pool_->open_count(); }

template <typename Fn>
auto PostgresStore::with_connection(Access access, Fn&& fn) {
    const auto call_timeout = options_.statement_timeout.count() > 0
                                  ? std::chrono::duration_cast<std::chrono::milliseconds>(
                                        options_.statement_timeout + kReplyMargin)
                                  : std::chrono::duration_cast<std::chrono::milliseconds>(
                                        kCallTimeoutWithoutStatementTimeout);
    for (int attempt = 0;; ++attempt) {
        auto lease = pool_->acquire(SteadyClock::now() + options_.acquire_timeout);
        try {
            return fn(lease.connection(), SteadyClock::now() + call_timeout);
        } catch (const ConnectionLost&) {
            // The server never ran a statement whose connection was already gone, and running
            // a read twice is harmless anyway; a write might have committed, so it is not
            // repeated.
            if (access == Access::kRead && attempt == 0) {
                continue;
            }
            throw;
        }
    }
}

// --- Store ------------------------------------------------------------------------------------

int PostgresStore::migrate() {
    const auto migrations = embedded_migrations("postgres");
    return with_connection(Access::kWrite, [&](Connection& db, Deadline) {
        int applied = 0;
        for (const auto& migration : migrations) {
            const Deadline deadline = SteadyClock::now() + kMigrationTimeout;
            Transaction transaction(db, deadline);
            run(db, kLiftStatementTimeout, std::array<Param, 0>{}, deadline);
            run(db, kLockMigrations, std::array{number(kMigrationLockKey)}, deadline);
            db.execute_script(kCreateMigrationsTable, deadline);
            const auto done =
                run(db, kMigrationApplied, std::array{number(migration.version)}, deadline);
            if (done.boolean(0, 0)) {
                continue;  // the transaction rolls back, releasing the lock
            }
            db.execute_script(migration.sql, deadline);
            run(db, kRecordMigration,
                std::array{number(migration.version), text(migration.name), timestamp(now())},
                deadline);
            transaction.commit();
            ++applied;
        }
        return applied;
    });
}

int PostgresStore::mark_interrupted_executions() {
    const auto finished_at = timestamp(now());
    return with_connection(Access::kWrite, [&](Connection& db, Deadline deadline) {
        const auto result = run(db, kMarkInterruptedExecutions, std::array{finished_at}, deadline);
        return static_cast<int>(result.affected_rows());
    });
}

void PostgresStore::insert_deployment(const Deployment& deployment) {
    const std::array params = {
        text(deployment.id),
        text(deployment.name),
        text(deployment.slug),
        optional_text(deployment.description),
        text(postgres::encode_jsonb(deployment.workflow)),
        text(postgres::encode_jsonb(deployment.schema)),
        text(deployment.field_map.is_null() ? std::string("{}")
                                            : postgres::encode_jsonb(deployment.field_map)),
        optional_text(deployment.user_id),
        text(deployment.api_key_hash),
        boolean(deployment.is_active),
        timestamp(deployment.created_at_ms),
        timestamp(deployment.updated_at_ms),
    };
    with_connection(Access::kWrite, [&](Connection& db, Deadline deadline) {
        run(db, kInsertDeployment, params, deadline);
    });
}

bool PostgresStore::slug_exists(const std::string& slug) {
    return with_connection(Access::kRead, [&](Connection& db, Deadline deadline) {
        return run(db, kSlugExists, std::array{text(slug)}, deadline).boolean(0, 0);
    });
}

std::optional<Deployment> PostgresStore::find_deployment_by_slug(const std::string& slug) {
    return with_connection(
        Access::kRead, [&](Connection& db, Deadline deadline) -> std::optional<Deployment> {
            const auto rows = run(db, kFindDeploymentBySlug, std::array{text(slug)}, deadline);
            if (rows.rows() == 0) {
                return std::nullopt;
            }
            return read_deployment(rows, 0);
        });
}

std::optional<Deployment> PostgresStore::find_deployment_by_key_hash(const std::string& hash) {
    return with_connection(
        Access::kRead, [&](Connection& db, Deadline deadline) -> std::optional<Deployment> {
            const auto rows = run(db, kFindDeploymentByKeyHash, std::array{text(hash)}, deadline);
            if (rows.rows() == 0) {
                return std::nullopt;
            }
            return read_deployment(rows, 0);
        });
}

std::optional<Deployment> PostgresStore::find_deployment_by_id(const std::string& id) {
    if (!is_uuid(id)) {
        return std::nullopt;
    }
    return with_connection(
        Access::kRead, [&](Connection& db, Deadline deadline) -> std::optional<Deployment> {
            const auto rows = run(db, kFindDeploymentById, std::array{text(id)}, deadline);
            if (rows.rows() == 0) {
                return std::nullopt;
            }
            return read_deployment(rows, 0);
        });
}

std::vector<Deployment> PostgresStore::load_active_deployments() {
    return with_connection(Access::kRead, [&](Connection& db, Deadline deadline) {
        return read_deployments(run(db, kLoadActiveDeployments, std::array<Param, 0>{}, deadline));
    });
}

std::vector<DeploymentSummary> PostgresStore::list_deployments(const DeploymentQuery& query) {
    return with_connection(Access::kRead, [&](Connection& db, Deadline deadline) {
        const Param include_inactive = boolean(query.include_inactive);
        const Param limit = number(clamp_non_negative(query.limit));
        const Param offset = number(clamp_non_negative(query.offset));
        const auto rows =
            query.user_id
                ? run(db, kListDeploymentsOfUser,
                      std::array{include_inactive, limit, offset, text(*query.user_id)}, deadline)
                : run(db, kListDeployments, std::array{include_inactive, limit, offset}, deadline);
        std::vector<DeploymentSummary> summaries;
        summaries.reserve(static_cast<std::size_t>(rows.rows()));
        for (int row = 0; row < rows.rows(); ++row) {
            summaries.push_back(
                DeploymentSummary{read_deployment(rows, row), read_stats(rows, row, 12)});
        }
        return summaries;
    });
}

DeploymentStats PostgresStore::deployment_stats(const std::string& workflow_id) {
    if (!is_uuid(workflow_id)) {
        return DeploymentStats{};
    }
    return with_connection(Access::kRead, [&](Connection& db, Deadline deadline) {
        return read_stats(run(db, kDeploymentStats, std::array{text(workflow_id)}, deadline), 0, 0);
    });
}

bool PostgresStore::deactivate_deployment(const std::string& id) {
    if (!is_uuid(id)) {
        return false;
    }
    const auto updated_at = timestamp(now());
    return with_connection(Access::kWrite, [&](Connection& db, Deadline deadline) {
        return run(db, kDeactivateDeployment, std::array{text(id), updated_at}, deadline).rows() >
               0;
    });
}

bool PostgresStore::replace_api_key_hash(const std::string& id, const std::string& new_hash) {
    if (!is_uuid(id)) {
        return false;
    }
    const auto updated_at = timestamp(now());
    return with_connection(Access::kWrite, [&](Connection& db, Deadline deadline) {
        return run(db, kReplaceApiKeyHash, std::array{text(id), text(new_hash), updated_at},
                   deadline)
                   .rows() > 0;
    });
}

bool PostgresStore::purge_deployment(const std::string& id) {
    if (!is_uuid(id)) {
        return false;
    }
    return with_connection(Access::kWrite, [&](Connection& db, Deadline deadline) {
        return run(db, kPurgeDeployment, std::array{text(id)}, deadline).rows() > 0;
    });
}

void PostgresStore::insert_executions(std::span<const ExecutionRecord> records) {
    if (records.empty()) {
        return;
    }
    // One array per column, encoded before a connection is borrowed.
    std::array<ArrayLiteral, 12> columns;
    for (const auto& record : records) {
        const std::string created_at = util::iso8601_ms(record.created_at_ms);
        columns[0].add(record.id);
        columns[1].add(record.workflow_id);
        columns[2].add(postgres::encode_jsonb(record.inputs));
        if (record.outputs.is_null()) {
            columns[3].add_null();
        } else {
            columns[3].add(postgres::encode_jsonb(record.outputs));
        }
        columns[4].add(record.status);
        columns[5].add_optional(record.error_message);
        columns[6].add_optional(record.error_node_id);
        if (record.duration_ms) {
            columns[7].add(std::to_string(*record.duration_ms));
        } else {
            columns[7].add_null();
        }
        columns[8].add(util::iso8601_ms(record.started_at_ms));
        // A finished record was finalised when it was created; a running one is not yet.
        if (record.status == "running") {
            columns[9].add_null();
        } else {
            columns[9].add(created_at);
        }
        columns[10].add(created_at);
        if (record.token_usage.is_null()) {
            columns[11].add_null();
        } else {
            columns[11].add(postgres::encode_jsonb(record.token_usage));
        }
    }
    std::array<Param, 12> params;
    for (std::size_t i = 0; i < columns.size(); ++i) {
        params[i] = columns[i].str();
    }
    with_connection(Access::kWrite, [&](Connection& db, Deadline deadline) {
        run(db, kInsertExecutions, params, deadline);
    });
}

std::vector<ExecutionRecord> PostgresStore::list_executions(const ExecutionQuery& query) {
    if (!is_uuid(query.workflow_id)) {
        return {};
    }
    return with_connection(Access::kRead, [&](Connection& db, Deadline deadline) {
        const Param workflow_id = text(query.workflow_id);
        const Param limit = number(clamp_non_negative(query.limit));
        const Param offset = number(clamp_non_negative(query.offset));
        return read_executions(
            query.status
                ? run(db, kListExecutionsWithStatus,
                      std::array{workflow_id, limit, offset, text(*query.status)}, deadline)
                : run(db, kListExecutions, std::array{workflow_id, limit, offset}, deadline));
    });
}

std::vector<ExecutionRecord> PostgresStore::list_executions_page(const ExecutionPageQuery& query) {
    if (!query.after) {
        return list_executions(ExecutionQuery{
            .workflow_id = query.workflow_id, .status = query.status, .limit = query.limit});
    }
    // A cursor whose id is no UUID cannot come from a listing of this store.
    if (!is_uuid(query.workflow_id) || !is_uuid(query.after->id)) {
        return {};
    }
    return with_connection(Access::kRead, [&](Connection& db, Deadline deadline) {
        const Param workflow_id = text(query.workflow_id);
        const Param after_created_at = timestamp(query.after->created_at_ms);
        const Param after_id = text(query.after->id);
        const Param limit = number(clamp_non_negative(query.limit));
        return read_executions(query.status
                                   ? run(db, kPageExecutionsWithStatus,
                                         std::array{workflow_id, after_created_at, after_id, limit,
                                                    text(*query.status)},
                                         deadline)
                                   : run(db, kPageExecutions,
                                         std::array{workflow_id, after_created_at, after_id, limit},
                                         deadline));
    });
}

std::int64_t PostgresStore::delete_executions_before(std::int64_t cutoff_ms) {
    const auto cutoff = timestamp(cutoff_ms);
    std::int64_t total = 0;
    // One chunk per statement (and so per transaction), so that execution batches keep
    // committing while a large backlog is removed.
    for (;;) {
        const std::int64_t deleted =
            with_connection(Access::kWrite, [&](Connection& db, Deadline deadline) {
                return run(db, kDeleteExecutionsBefore,
                           std::array{cutoff, number(kDeleteChunkRows)}, deadline)
                    .affected_rows();
            });
        total += deleted;
        if (deleted < kDeleteChunkRows) {
            return total;
        }
    }
}

std::optional<std::int64_t> PostgresStore::count_rate_limited_request(
    const std::string& api_key_hash, const std::string& endpoint, std::int64_t window_start_ms,
    std::int64_t limit) {
    if (limit <= 0) {
        return std::nullopt;
    }
    const std::array params = {text(api_key_hash), text(endpoint), timestamp(window_start_ms),
                               number(limit)};
    // A write: a connection lost mid-call may have counted, so it is not repeated.
    return with_connection(
        Access::kWrite, [&](Connection& db, Deadline deadline) -> std::optional<std::int64_t> {
            const auto rows = run(db, kCountRateLimitedRequest, params, deadline);
            if (rows.rows() == 0) {
                return std::nullopt;
            }
            return rows.int64(0, 0);
        });
}

std::int64_t PostgresStore::delete_rate_limit_windows_before(std::int64_t cutoff_ms) {
    const auto cutoff = timestamp(cutoff_ms);
    return with_connection(Access::kWrite, [&](Connection& db, Deadline deadline) {
        return run(db, kDeleteRateLimitWindowsBefore, std::array{cutoff}, deadline)
            .affected_rows();
    });
}

bool PostgresStore::ping() {
    try {
        const Deadline deadline = SteadyClock::now() + kPingTimeout;
        auto lease = pool_->acquire(deadline);
        const auto rows = run(lease.connection(), kPing, std::array<Param, 0>{}, deadline);
        return rows.rows() == 1 && rows.text(0, 0) == "1";
    } catch (const std::exception&) {
        return false;
    }
}

std::unique_ptr<DeploymentChangeSubscription> PostgresStore::watch_deployment_changes(
    DeploymentChangeCallback callback) {
    return std::make_unique<PostgresChangeListener>(params_, std::move(callback));
}

}  // namespace clara::storage
