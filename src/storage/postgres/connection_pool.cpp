#include "storage/postgres/connection_pool.hpp"

#include <utility>

namespace clara::storage::postgres {

ConnectionPool::Lease::~Lease() {
    if (connection_) {
        pool_->release(std::move(connection_));
    }
}

ConnectionPool::ConnectionPool(ConnectParams params, PoolLimits limits)
    : params_(std::move(params)), limits_(limits) {}

ConnectionPool::~ConnectionPool() = default;

void ConnectionPool::fill(Deadline deadline) {
    for (;;) {
        {
            std::lock_guard lock(mutex_);
            if (static_cast<int>(idle_.size()) >= limits_.min || open_ >= limits_.max) {
                return;
            }
            ++open_;
        }
        std::unique_ptr<Connection> connection;
        try {
            connection = std::make_unique<Connection>(params_, deadline);
        } catch (const StorageError&) {
            // The server may be down at start; calls will connect when it is back.
            std::lock_guard lock(mutex_);
            --open_;
            return;
        }
        {
            std::lock_guard lock(mutex_);
            idle_.push_back(Idle{std::move(connection), SteadyClock::now()});
        }
        released_.notify_one();
    }
}

ConnectionPool::Lease ConnectionPool::acquire(Deadline deadline) {
    std::unique_lock lock(mutex_);
    for (;;) {
        if (!idle_.empty()) {
            auto connection = std::move(idle_.back().connection);
            idle_.pop_back();
            lock.unlock();
            if (connection->usable()) {
                return Lease(*this, std::move(connection), true);
            }
            // Died while idle (server restart, terminated backend): drop it and look again.
            connection.reset();
            lock.lock();
            --open_;
            continue;
        }
        if (open_ < limits_.max) {
            ++open_;
            lock.unlock();
            try {
                return Lease(*this, std::make_unique<Connection>(params_, deadline), false);
            } catch (...) {
                lock.lock();
                --open_;
                lock.unlock();
                released_.notify_one();
                throw;
            }
        }
        const bool available = released_.wait_until(
            lock, deadline, [&] { return !idle_.empty() || open_ < limits_.max; });
        if (!available) {
            throw StorageError("no database connection available");
        }
    }
}

void ConnectionPool::release(std::unique_ptr<Connection> connection) {
    std::vector<std::unique_ptr<Connection>> closing;
    {
        std::lock_guard lock(mutex_);
        const auto now = SteadyClock::now();
        if (connection->usable()) {
            idle_.push_back(Idle{std::move(connection), now});
        } else {
            closing.push_back(std::move(connection));
            --open_;
        }
        // The least recently used come first; close those idle too long above the minimum.
        std::size_t expired = 0;
        while (expired < idle_.size() && open_ > limits_.min &&
               now - idle_[expired].since > limits_.idle_timeout) {
            closing.push_back(std::move(idle_[expired].connection));
            --open_;
            ++expired;
        }
        idle_.erase(idle_.begin(), idle_.begin() + static_cast<std::ptrdiff_t>(expired));
    }
    released_.notify_one();
    // `closing` goes out of scope here, outside the lock: PQfinish talks to the server.
}

int ConnectionPool::open_count() {
    std::lock_guard lock(mutex_);
    return open_;
}

}  // namespace clara::storage::postgres
