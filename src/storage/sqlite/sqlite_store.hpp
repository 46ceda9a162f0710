#pragma once

#include "storage/store.hpp"

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace clara::storage {

namespace sqlite {
class Connection;
class WalCheckpointer;
}

/// Settings of a SqliteStore.
struct SqliteOptions {
    std::string path;          ///< database file (parent folders are created), or ":memory:"
    int read_connections = 4;  ///< concurrent readers; an in-memory database uses one connection
    int busy_timeout_ms = 5000;  ///< how long to wait for a lock held by another process
    /// true: synchronous=FULL, every commit waits for fsync and survives a power loss.
    /// false: synchronous=NORMAL, a commit is written to the WAL without waiting for the disk;
    /// it survives a crash or kill of the process, and a power loss may undo the last commits
    /// (never corrupting the file).
    bool sync_every_commit = false;
    /// The write-ahead log is copied back into the database file, off the commit path, once it
    /// holds this many pages (SQLite's own default threshold).
    int checkpoint_pages = 1000;
    /// Clock for updated_at, finished_at and applied_at (util::now_ms when empty); thread-safe.
    std::function<std::int64_t()> now_ms = {};
};

/// Store on an SQLite file in WAL mode. One write connection behind a mutex serialises writes
/// (SQLite allows one writer at a time anyway); a small pool of read connections serves reads
/// concurrently with it. Safe to call from several threads.
class SqliteStore final : public Store {
public:
    /// Opens (creating if needed) the database; throws StorageError. Call migrate() before use.
    explicit SqliteStore(SqliteOptions options);
    /// Opens `path` with default options.
    explicit SqliteStore(const std::string& path);
    ~SqliteStore() override;

    SqliteStore(const SqliteStore&) = delete;
    SqliteStore& operator=(const SqliteStore&) = delete;

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
    bool ping() override;

    /// The write connection's value of a pragma, e.g. "journal_mode" -> "wal" (diagnostics).
    std::string pragma(std::string_view name);

    /// Checkpoints of the write-ahead log run so far, off the commit path (diagnostics).
    std::uint64_t wal_checkpoints() const;

private:
    class ReaderLease;

    std::int64_t now() const;

    template <typename Fn>
    auto with_writer(Fn&& fn);
    template <typename Fn>
    auto with_reader(Fn&& fn);

    SqliteOptions options_;
    std::mutex writer_mutex_;
    std::unique_ptr<sqlite::Connection> writer_;
    std::mutex readers_mutex_;
    std::condition_variable reader_released_;
    std::vector<std::unique_ptr<sqlite::Connection>> readers_;
    std::vector<sqlite::Connection*> idle_readers_;
    std::unique_ptr<sqlite::WalCheckpointer> checkpointer_;  // last: unhooks before the writer goes
};

}  // namespace clara::storage
