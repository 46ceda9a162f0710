#pragma once

#include <memory>
#include <string>

#include "storage/postgres/postgres_options.hpp"
#include "storage/store.hpp"

namespace clara::storage {

namespace postgres {
class ConnectionPool;
class Connection;
}  // namespace postgres

/// Store on a PostgreSQL (15+) database through libpq. Safe to call from several threads.
///
/// Each call borrows a connection from a pool of options.pool_min..pool_max (waiting up to
/// options.acquire_timeout for one), runs statements prepared once per connection with bound
/// text parameters, and hands the connection back. A connection that broke (server restart,
/// terminated backend, network error) is dropped and replaced on a later call, so the store
/// recovers by itself when the server is back; while it is down, calls fail fast with
/// StorageError. A read that hit a broken connection is retried once on a fresh one.
///
/// insert_deployment, deactivate_deployment, replace_api_key_hash and purge_deployment announce
/// the deployment id on the channel `clara_deployments` (NOTIFY) in the same statement as the
/// change; watch_deployment_changes() returns a PostgresChangeListener for it.
///
/// count_rate_limited_request is one upsert on `api_rate_limits`, so that the instances on one
/// database count their requests together, exactly.
class PostgresStore final : public Store {
public:
    /// Key of the transaction-level advisory lock that migrate() holds while it checks and
    /// applies a migration, so that instances starting together apply each migration once.
    static constexpr std::int64_t kMigrationLockKey = 0x436c617261;  // "Clara"

    /// Prepares the pool and opens up to pool_min connections; does not fail when the server
    /// is unreachable (calls will). Throws std::invalid_argument for bad pool parameters.
    explicit PostgresStore(PostgresOptions options);
    ~PostgresStore() override;

    PostgresStore(const PostgresStore&) = delete;
    PostgresStore& operator=(const PostgresStore&) = delete;

    // Store
    int migrate() override;
    int mark_interrupted_executions() override;
    void insert_deployment(const Deployment& deployment) override;
    bool slug_exists(const std::string& slug) override;
    std::optional<Deployment> find_deployment_by_slug(const std::string& slug) override;
    std::optional<Deployment> find_deployment_by_id(const std::string& id) override;
    std::optional<Deployment> find_deployment_by_key_hash(const std::string& hash) override;
    std::vector<Deployment> load_active_deployments() override;
    std::vector<DeploymentSummary> list_deployments(const DeploymentQuery& query) override;
    DeploymentStats deployment_stats(const std::string& workflow_id) override;
    bool deactivate_deployment(const std::string& id) override;
    bool replace_api_key_hash(const std::string& id, const std::string& new_hash) override;
    bool purge_deployment(const std::string& id) override;
    void insert_executions(std::span<const ExecutionRecord> records) override;
    std::vector<ExecutionRecord> list_executions(const ExecutionQuery& query) override;
    std::vector<ExecutionRecord> list_executions_page(const ExecutionPageQuery& query) override;
    std::int64_t delete_executions_before(std::int64_t cutoff_ms) override;
    std::optional<std::int64_t> count_rate_limited_request(const std::string& api_key_hash,
                                                           const std::string& endpoint,
                                                           std::int64_t window_start_ms,
                                                           std::int64_t limit) override;
    std::int64_t delete_rate_limit_windows_before(std::int64_t cutoff_ms) override;
    /// True: every instance behind a load balancer may use the same database.
    bool shared_by_instances() const override { return true; }
    /// SELECT 1 within about 2 s; false (never an exception) when the server does not answer.
    bool ping() override;
    std::unique_ptr<DeploymentChangeSubscription> watch_deployment_changes(
        DeploymentChangeCallback callback) override;

    /// The options in effect (pool sizes from the URL applied, pool parameters removed).
    const PostgresOptions& options() const { return options_; }

    /// Connections open now, idle or in use (diagnostics).
    int open_connections() const;

private:
    enum class Access { kRead, kWrite };

    std::int64_t now() const;

    template <typename Fn>
    auto with_connection(Access access, Fn&& fn);

    PostgresOptions options_;
    postgres::ConnectParams params_;
    std::unique_ptr<postgres::ConnectionPool> pool_;
};

}  // namespace clara::storage
