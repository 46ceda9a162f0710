#include "client/connection_pool.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>

namespace clara::client {

Connection::Connection(PoolKey key, boost::asio::ip::tcp::socket socket)
    : key_(std::move(key)), plain_(std::move(socket)) {}

void Connection::start_tls(boost::asio::ssl::context& context) {
    tls_.emplace(std::move(*plain_), context);
    plain_.reset();
}

boost::asio::ip::tcp::socket& Connection::socket() { return tls_ ? tls_->next_layer() : *plain_; }

void Connection::close() {
    boost::system::error_code ignored;
    socket().close(ignored);
}

bool Connection::idle_and_open() {
    auto& sock = socket();
    if (!sock.is_open() || buffer_.size() != 0) {
        return false;
    }
    // A peek that would block means the peer has neither closed nor sent anything unexpected;
    // 0 means it closed (FIN), data means a stray byte or a TLS close_notify.
    char byte = 0;
    const auto n = ::recv(sock.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

ConnectionPool::ConnectionPool(PoolSettings settings, Clock clock)
    : settings_(settings), clock_(std::move(clock)) {
    if (!clock_) {
        clock_ = [] { return std::chrono::steady_clock::now(); };
    }
}

ConnectionPool::~ConnectionPool() { clear(); }

std::unique_ptr<Connection> ConnectionPool::take(const PoolKey& key) {
    std::lock_guard lock(mutex_);
    drop_expired(clock_());
    for (auto it = idle_.rbegin(); it != idle_.rend(); ++it) {
        if (it->connection->key() == key) {
            auto connection = std::move(it->connection);
            idle_.erase(std::next(it).base());
            return connection;
        }
    }
    return nullptr;
}

void ConnectionPool::put(std::unique_ptr<Connection> connection) {
    if (!connection) {
        return;
    }
    if (settings_.max_idle_per_key == 0 || settings_.max_idle_total == 0) {
        connection->close();
        return;
    }
    std::lock_guard lock(mutex_);
    const auto now = clock_();
    drop_expired(now);
    const auto same_key = std::count_if(idle_.begin(), idle_.end(), [&](const Idle& idle) {
        return idle.connection->key() == connection->key();
    });
    if (static_cast<std::size_t>(same_key) >= settings_.max_idle_per_key) {
        // Replace the oldest connection of this key: the newest is the most likely to be alive.
        auto oldest = std::find_if(idle_.begin(), idle_.end(), [&](const Idle& idle) {
            return idle.connection->key() == connection->key();
        });
        oldest->connection->close();
        idle_.erase(oldest);
    } else if (idle_.size() >= settings_.max_idle_total && !idle_.empty()) {
        idle_.front().connection->close();
        idle_.erase(idle_.begin());
    }
    idle_.push_back({std::move(connection), now});
}

std::size_t ConnectionPool::idle_count() const {
    std::lock_guard lock(mutex_);
    return idle_.size();
}

void ConnectionPool::clear() {
    std::lock_guard lock(mutex_);
    for (auto& idle : idle_) {
        idle.connection->close();
    }
    idle_.clear();
}

void ConnectionPool::drop_expired(std::chrono::steady_clock::time_point now) {
    const auto expired = [&](const Idle& idle) {
        return now - idle.since >= settings_.idle_timeout;
    };
    for (auto& idle : idle_) {
        if (expired(idle)) {
            idle.connection->close();
        }
    }
    idle_.erase(std::remove_if(idle_.begin(), idle_.end(), expired), idle_.end());
}

}  // namespace clara::client
