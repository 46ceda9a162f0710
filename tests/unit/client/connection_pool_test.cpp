#include "client/connection_pool.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <memory>

namespace clara::client {
namespace {

using namespace std::chrono_literals;

class OutboundConnectionPool : public ::testing::Test {
protected:
    PoolKey key(std::uint16_t port, std::string_view address = "127.0.0.1") {
        return PoolKey{Origin{"http", "example.test", port}, *parse_ip_address(address)};
    }

    /// An unconnected connection: the pool never does I/O, so none is needed.
    std::unique_ptr<Connection> connection(const PoolKey& pool_key) {
        return std::make_unique<Connection>(pool_key, boost::asio::ip::tcp::socket(io_));
    }

    ConnectionPool make_pool(PoolSettings settings = {}) {
        return ConnectionPool(settings, [this] { return now_; });
    }

    boost::asio::io_context io_;
    std::chrono::steady_clock::time_point now_{};
};

TEST_F(OutboundConnectionPool, ReturnsConnectionOnlyForTheSameKey) {
    auto pool = make_pool();
    auto first = connection(key(80));
    const Connection* raw = first.get();
    pool.put(std::move(first));
    EXPECT_EQ(pool.take(key(81)), nullptr);
    EXPECT_EQ(pool.take(key(80, "127.0.0.2")), nullptr);
    auto taken = pool.take(key(80));
    EXPECT_EQ(taken.get(), raw);
    EXPECT_EQ(pool.idle_count(), 0u);
}

TEST_F(OutboundConnectionPool, HandsOutTheMostRecentlyReturnedConnectionFirst) {
    auto pool = make_pool();
    auto older = connection(key(80));
    auto newer = connection(key(80));
    const Connection* newer_raw = newer.get();
    pool.put(std::move(older));
    now_ += 1s;
    pool.put(std::move(newer));
    EXPECT_EQ(pool.take(key(80)).get(), newer_raw);
}

TEST_F(OutboundConnectionPool, DropsConnectionsIdleLongerThanTheTimeout) {
    auto pool = make_pool(PoolSettings{.idle_timeout = 10s});
    pool.put(connection(key(80)));
    now_ += 9s;
    pool.put(connection(key(81)));
    now_ += 2s;  // the first is 11 s old, the second 2 s
    EXPECT_EQ(pool.take(key(80)), nullptr);
    EXPECT_NE(pool.take(key(81)), nullptr);
}

TEST_F(OutboundConnectionPool, KeepsAtMostTheConfiguredNumberPerKeyAndInTotal) {
    auto pool =
        make_pool(PoolSettings{.idle_timeout = 10s, .max_idle_per_key = 2, .max_idle_total = 3});
    for (int i = 0; i < 3; ++i) {
        pool.put(connection(key(80)));
    }
    EXPECT_EQ(pool.idle_count(), 2u);
    pool.put(connection(key(81)));
    pool.put(connection(key(82)));
    EXPECT_EQ(pool.idle_count(), 3u);
}

TEST_F(OutboundConnectionPool, ClosedConnectionIsNotReusable) {
    auto idle = connection(key(80));
    EXPECT_FALSE(idle->idle_and_open());
}

}  // namespace
}  // namespace clara::client
