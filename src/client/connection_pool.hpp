#pragma once

// Keep-alive connections of the outbound client, kept per (scheme, host, port, resolved
// address) so a reused connection always goes to an address the policy already checked.

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "client/outbound_policy.hpp"

namespace clara::client {

/// Which connections may serve a request: the URL's origin and the address it was pinned to.
struct PoolKey {
    Origin origin;
    IpAddress address;

    friend bool operator==(const PoolKey&, const PoolKey&) = default;
};

/// One outbound TCP connection, plain or TLS, with the bytes read past the last response.
class Connection {
public:
    using TlsStream = boost::asio::ssl::stream<boost::asio::ip::tcp::socket>;

    Connection(PoolKey key, boost::asio::ip::tcp::socket socket);

    const PoolKey& key() const { return key_; }
    /// Wraps the (connected) socket in TLS; `tls()` is then the stream to use.
    void start_tls(boost::asio::ssl::context& context);
    bool is_tls() const { return tls_.has_value(); }
    boost::asio::ip::tcp::socket& plain() { return *plain_; }
    TlsStream& tls() { return *tls_; }
    /// The TCP socket under either kind of stream.
    boost::asio::ip::tcp::socket& socket();
    boost::beast::flat_buffer& buffer() { return buffer_; }

    /// Closes the socket; pending operations complete with an error.
    void close();
    /// True when an idle connection still looks usable: open, nothing to read, no FIN received.
    bool idle_and_open();

private:
    PoolKey key_;
    std::optional<boost::asio::ip::tcp::socket> plain_;
    std::optional<TlsStream> tls_;
    boost::beast::flat_buffer buffer_;
};

/// Limits of the idle pool.
struct PoolSettings {
    std::chrono::milliseconds idle_timeout{
        15000};  ///< an idle connection older than this is closed
    std::size_t max_idle_per_key = 4;
    std::size_t max_idle_total = 64;
};

/// Idle keep-alive connections; safe to use from any thread. Expired connections are closed
/// whenever the pool is touched. The clock is injectable for tests.
class ConnectionPool {
public:
    using Clock = std::function<std::chrono::steady_clock::time_point()>;

    explicit ConnectionPool(PoolSettings settings, Clock clock = {});
    ~ConnectionPool();

    /// The most recently returned idle connection for `key`, or nullptr. The caller should still
    /// check Connection::idle_and_open() before sending on it.
    std::unique_ptr<Connection> take(const PoolKey& key);
    /// Keeps `connection` for reuse (or closes it when the pool is full).
    void put(std::unique_ptr<Connection> connection);
    std::size_t idle_count() const;
    /// Closes every idle connection.
    void clear();

private:
    struct Idle {
        std::unique_ptr<Connection> connection;
        std::chrono::steady_clock::time_point since;
    };

    void drop_expired(std::chrono::steady_clock::time_point now);

    PoolSettings settings_;
    Clock clock_;
    mutable std::mutex mutex_;
    std::vector<Idle> idle_;  ///< oldest first; small, so linear scans are fine
};

}  // namespace clara::client
