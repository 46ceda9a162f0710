#pragma once

#include <boost/json/value.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace clara::storage {

/// A deployed workflow as stored (deployment-api.md § 11, table `deployed_workflows`).
struct Deployment {
    std::string id;  ///< UUID
    std::string name;
    std::string slug;
    std::optional<std::string> description;
    boost::json::value workflow;  ///< normalised workflow document
    boost::json::value schema;    ///< {input, output, metadata, openapi}
    boost::json::value field_map; ///< {"inputs": {field: nodeId}, "outputs": {field: nodeId}}
    std::optional<std::string> user_id;
    std::string api_key_hash;  ///< lower-case hex SHA-256 of the key
    bool is_active = true;
    std::int64_t created_at_ms = 0;
    std::int64_t updated_at_ms = 0;
};

/// Execution counters, derived from `workflow_executions` (no hot counter row).
struct DeploymentStats {
    std::int64_t execution_count = 0;
    std::int64_t success_count = 0;
    std::optional<std::int64_t> last_executed_at_ms;
    std::optional<double> avg_duration_ms;  ///< over successful executions
};

struct DeploymentSummary {
    Deployment deployment;
    DeploymentStats stats;
};

struct DeploymentQuery {
    std::optional<std::string> user_id = std::nullopt;
    bool include_inactive = false;
    int limit = 100;
    int offset = 0;
};

/// One finished execution (`workflow_executions`). Written once, complete.
struct ExecutionRecord {
    std::string id;  ///< UUID
    std::string workflow_id;
    boost::json::value inputs;
    boost::json::value outputs;  ///< null when none
    std::string status;          ///< success | error | timeout | running
    std::optional<std::string> error_message;
    std::optional<std::string> error_node_id;
    std::optional<std::int64_t> duration_ms;
    /// Tokens reported by model providers ({promptTokens, completionTokens, totalTokens,
    /// calls}); null when the execution called none.
    boost::json::value token_usage;
    std::int64_t started_at_ms = 0;
    std::int64_t created_at_ms = 0;  ///< when the record was finalised
};

struct ExecutionQuery {
    std::string workflow_id;
    std::optional<std::string> status = std::nullopt;
    int limit = 50;
    int offset = 0;
};

/// A position in a newest-first execution listing: the last row of the previous page.
struct ExecutionCursor {
    std::int64_t created_at_ms = 0;
    std::string id;
};

/// A keyset page of executions: rows after `after` in (created_at DESC, id DESC) order, or the
/// first page when `after` is empty. Unlike OFFSET, the cost does not grow with the depth.
struct ExecutionPageQuery {
    std::string workflow_id;
    std::optional<std::string> status = std::nullopt;
    std::optional<ExecutionCursor> after = std::nullopt;
    int limit = 50;
};

/// The slug (or API key hash) is already used by another deployment.
class ConflictError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// The database could not be reached or answered with an error.
class StorageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// A running watch on deployment changes (see Store::watch_deployment_changes); it stops, and
/// no callback runs any more, once it is destroyed.
class DeploymentChangeSubscription {
public:
    virtual ~DeploymentChangeSubscription() = default;
};

/// Receives the id of a deployment that some instance inserted, deactivated, re-keyed or purged;
/// an empty id means that changes may have been missed and everything should be reloaded.
using DeploymentChangeCallback = std::function<void(const std::string& deployment_id)>;

/// The runner's persistent state, in domain terms. Calls block; callers run them on storage
/// threads, never on the I/O threads. Implementations are safe to call from several threads.
class Store {
public:
    virtual ~Store() = default;

    /// Applies every pending numbered migration (recorded in `schema_migrations`).
    /// Returns how many were applied.
    virtual int migrate() = 0;

    /// Marks rows left `running` by a previous process as `error` / "interrupted".
    virtual int mark_interrupted_executions() = 0;

    /// Inserts a deployment. Throws ConflictError when the slug is taken (active or not).
    virtual void insert_deployment(const Deployment& deployment) = 0;

    /// Whether any deployment, active or not, uses `slug`.
    virtual bool slug_exists(const std::string& slug) = 0;

    /// The deployment with this slug, active or not (callers check `is_active`).
    virtual std::optional<Deployment> find_deployment_by_slug(const std::string& slug) = 0;
    /// The deployment with this id, active or not (callers check `is_active`).
    virtual std::optional<Deployment> find_deployment_by_id(const std::string& id) = 0;
    /// The deployment whose API key hashes to `hash`, active or not.
    virtual std::optional<Deployment> find_deployment_by_key_hash(const std::string& hash) = 0;

    /// Every active deployment (to warm the in-process cache at start).
    virtual std::vector<Deployment> load_active_deployments() = 0;

    /// Newest first; returns at most query.limit rows.
    virtual std::vector<DeploymentSummary> list_deployments(const DeploymentQuery& query) = 0;

    virtual DeploymentStats deployment_stats(const std::string& workflow_id) = 0;

    /// Soft delete. False when no active deployment has this id.
    virtual bool deactivate_deployment(const std::string& id) = 0;

    /// Replaces the key hash of an active deployment. False when none has this id.
    virtual bool replace_api_key_hash(const std::string& id, const std::string& new_hash) = 0;

    /// Hard delete (admin purge): removes the deployment and its executions, freeing the slug.
    /// False when no deployment, active or not, has this id.
    virtual bool purge_deployment(const std::string& id) = 0;

    /// Writes all records in one transaction (group commit).
    virtual void insert_executions(std::span<const ExecutionRecord> records) = 0;

    /// Newest first; returns at most query.limit rows.
    virtual std::vector<ExecutionRecord> list_executions(const ExecutionQuery& query) = 0;

    /// Newest first from `query.after` (keyset paging); returns at most query.limit rows.
    virtual std::vector<ExecutionRecord> list_executions_page(const ExecutionPageQuery& query) = 0;

    /// Deletes executions created before `cutoff_ms`; returns how many.
    virtual std::int64_t delete_executions_before(std::int64_t cutoff_ms) = 0;

    /// Counts one request of `api_key_hash` on `endpoint` in the fixed window that starts at
    /// `window_start_ms`, atomically for every process on the database, unless `limit` requests
    /// are counted there already. Returns the count including this request (1 for the first),
    /// or nullopt when the window was full and nothing was counted.
    virtual std::optional<std::int64_t> count_rate_limited_request(const std::string& api_key_hash,
                                                                   const std::string& endpoint,
                                                                   std::int64_t window_start_ms,
                                                                   std::int64_t limit) = 0;

    /// Deletes the rate-limit windows that started before `cutoff_ms`; returns how many.
    virtual std::int64_t delete_rate_limit_windows_before(std::int64_t cutoff_ms) = 0;

    /// Whether several runner processes may use this database at once (PostgreSQL), so that
    /// what they must agree on, such as rate-limit counts, has to be kept in it. SQLite serves
    /// one process.
    virtual bool shared_by_instances() const { return false; }

    /// A cheap round trip to the database.
    virtual bool ping() = 0;

    /// Calls `callback` (on a background thread) for each deployment change made through any
    /// store on the same database, this one included, so that several instances behind a load
    /// balancer keep their caches in step. Changes are announced in the same transaction as the
    /// change itself (PostgreSQL NOTIFY), so no caller can forget to. Subscribe before loading
    /// the deployments: no change after this returns is missed (if the database could not be
    /// reached yet, an empty id follows once it can). Returns nullptr when the backend serves a
    /// single process (SQLite), where there is nothing to hear.
    virtual std::unique_ptr<DeploymentChangeSubscription> watch_deployment_changes(
        DeploymentChangeCallback callback) {
        return nullptr;
    }
};

/// Connection settings for a server database (DB_POOL_MIN, DB_POOL_MAX, DB_SSL,
/// DB_SSL_VERIFY); SQLite ignores them. `pool_min` / `pool_max` in the URL's query win.
struct StoreOptions {
    int pool_min = 2;
    int pool_max = 10;
    bool ssl = false;        ///< require TLS
    bool ssl_verify = true;  ///< with ssl: verify the server certificate and host name
    bool sqlite_sync_every_commit = false;  ///< SQLite: fsync each commit (SqliteOptions)
};

/// Opens the backend named by `database_url`: empty or `sqlite:PATH` -> SQLite (the default
/// path is ./data/clara.db); `postgresql://` or `postgres://` -> PostgreSQL (an unreachable
/// server makes calls fail, not the opening). Throws std::invalid_argument for an unsupported
/// URL.
std::unique_ptr<Store> open_store(const std::string& database_url);

/// open_store() with explicit connection settings for PostgreSQL.
std::unique_ptr<Store> open_store(const std::string& database_url, const StoreOptions& options);

}  // namespace clara::storage
