#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <vector>

#include "storage/postgres/pg_connection.hpp"
#include "storage/postgres/postgres_options.hpp"

namespace clara::storage::postgres {

/// Sizes and timeouts of a ConnectionPool.
struct PoolLimits {
    int min = 2;                                    ///< idle connections kept open
    int max = 10;                                   ///< connections open at once
    std::chrono::milliseconds idle_timeout{30000};  ///< idle time before closing one above min
};

/// A bounded pool of connections to one database, safe to use from several threads.
/// Connections are opened on demand (up to `max`); a broken one is dropped when it is handed
/// back or found dead before use, so the pool heals by itself once the server is reachable.
class ConnectionPool {
public:
    /// A borrowed connection, returned to the pool (or dropped when broken) on destruction.
    class Lease {
    public:
        Lease(ConnectionPool& pool, std::unique_ptr<Connection> connection, bool reused)
            : pool_(&pool), connection_(std::move(connection)), reused_(reused) {}
        ~Lease();
        Lease(Lease&& other) noexcept = default;
        Lease& operator=(Lease&&) = delete;
        Lease(const Lease&) = delete;
        Lease& operator=(const Lease&) = delete;

        Connection& connection() { return *connection_; }
        /// Whether the connection served earlier callers (it may have died while idle).
        bool reused() const { return reused_; }

    private:
        ConnectionPool* pool_;
        std::unique_ptr<Connection> connection_;
        bool reused_;
    };

    ConnectionPool(ConnectParams params, PoolLimits limits);
    ~ConnectionPool();
    ConnectionPool(const ConnectionPool&) = delete;
    ConnectionPool& operator=(const ConnectionPool&) = delete;

    /// Opens connections until `min` are idle; stops quietly at the first failure.
    void fill(Deadline deadline);

    /// A usable connection: an idle one, a new one when fewer than `max` are open, or the next
    /// one handed back. Throws StorageError when none is available by `deadline` ("no database
    /// connection available") or a new one cannot be opened.
    Lease acquire(Deadline deadline);

    /// Connections open now (idle or lent).
    int open_count();

private:
    struct Idle {
        std::unique_ptr<Connection> connection;
        SteadyClock::time_point since;
    };

    void release(std::unique_ptr<Connection> connection);

    const ConnectParams params_;
    const PoolLimits limits_;
    std::mutex mutex_;
    std::condition_variable released_;
    std::vector<Idle> idle_;  // most recently used last
    int open_ = 0;            // idle + lent + being opened
};

}  // namespace clara::storage::postgres
