#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

struct sqlite3;

namespace clara::storage::sqlite {

class Connection;

/// Copies the write-ahead log back into the database file on a thread of its own, so that the
/// writer's commits seldom wait for a checkpoint (its reads of the log, its writes and its
/// fsyncs). SQLite would otherwise checkpoint inside the commit that crosses the threshold,
/// stalling every execution queued behind it.
///
/// attach() replaces the writer connection's automatic checkpoint with a hook that wakes this
/// thread once the log holds `threshold_pages` pages. PASSIVE passes then copy the log while the
/// writer goes on committing, each pass copying what was committed during the one before. The
/// log restarts from its beginning (rather than grows) only when a write transaction commits
/// with every earlier frame copied and no other pass running, which those new frames prevent; so
/// the writer itself runs one last short pass before its next transaction (run_final_pass), that
/// transaction restarts the log, and only then do the background passes resume
/// (resume_background).
class WalCheckpointer {
public:
    WalCheckpointer(const std::string& path, int busy_timeout_ms, int threshold_pages);
    /// Stops the thread after a last checkpoint.
    ~WalCheckpointer();
    WalCheckpointer(const WalCheckpointer&) = delete;
    WalCheckpointer& operator=(const WalCheckpointer&) = delete;

    /// Hooks the writer's commits (call once, before it commits).
    void attach(Connection& writer);

    /// Called by the writer before each write transaction: once the background passes are done,
    /// copies the frames committed since and returns true; the caller then calls
    /// resume_background() after the transaction, which will have restarted the log.
    bool run_final_pass(Connection& writer);
    void resume_background();

    /// Checkpoint passes completed so far (diagnostics and tests).
    std::uint64_t checkpoints() const;

private:
    static int on_commit(void* self, sqlite3* db, const char* schema, int pages);
    void request();
    void run();
    /// One PASSIVE pass on `db`; returns the frames it copied, or -1 when another pass held the
    /// log.
    int checkpoint_once(sqlite3* db);

    int threshold_pages_;
    sqlite3* attached_ = nullptr;
    std::unique_ptr<Connection> connection_;
    std::atomic<bool> final_pass_due_{false};
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    bool requested_ = false;
    bool stopping_ = false;
    std::uint64_t checkpoints_ = 0;
    int copied_before_ = 0;  // frames copied of the current log, as of the last pass
    std::thread thread_;
};

}  // namespace clara::storage::sqlite
