#pragma once

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
/// writer's commits never wait for a checkpoint (its reads of the log, its writes and its two
/// fsyncs). SQLite would otherwise checkpoint inside the commit that crosses the threshold,
/// stalling every execution queued behind it.
///
/// attach() replaces the writer connection's automatic checkpoint with a hook that wakes this
/// thread once the log holds `threshold_pages` pages. A first PASSIVE pass copies the log while
/// the writer goes on committing. The log restarts from its beginning (rather than grows) only
/// when a write transaction begins with every frame copied, which the frames committed
/// meanwhile prevent; so a second, short pass copies those while holding `writer_mutex`, the
/// mutex every write transaction runs under, and the next transaction restarts the log.
class WalCheckpointer {
public:
    WalCheckpointer(const std::string& path, int busy_timeout_ms, int threshold_pages,
                    std::mutex& writer_mutex);
    /// Stops the thread after a last checkpoint.
    ~WalCheckpointer();
    WalCheckpointer(const WalCheckpointer&) = delete;
    WalCheckpointer& operator=(const WalCheckpointer&) = delete;

    /// Hooks the writer's commits (call once, before it commits).
    void attach(Connection& writer);

    /// Checkpoints completed so far (diagnostics and tests).
    std::uint64_t checkpoints() const;

private:
    static int on_commit(void* self, sqlite3* db, const char* schema, int pages);
    void request();
    void run();

    void checkpoint_once();

    int threshold_pages_;
    std::mutex& writer_mutex_;
    sqlite3* attached_ = nullptr;
    std::unique_ptr<Connection> connection_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    bool requested_ = false;
    bool stopping_ = false;
    std::uint64_t checkpoints_ = 0;
    std::thread thread_;
};

}  // namespace clara::storage::sqlite
