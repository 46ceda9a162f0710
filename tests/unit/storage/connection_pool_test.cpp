#include "storage/postgres/connection_pool.hpp"

#include <gtest/gtest.h>

#include <thread>

#include "unit/storage/postgres_test_support.hpp"

namespace clara::storage::postgres {
namespace {

using namespace std::chrono_literals;

class ConnectionPoolTest : public ::testing::Test {
protected:
    void SetUp() override {
        if (auto reason = test_support::postgres_skip_reason()) {
            GTEST_SKIP() << *reason;
        }
        params_ = connect_params(PostgresOptions{.url = *test_support::postgres_test_url()});
    }

    static Deadline in(std::chrono::milliseconds duration) { return SteadyClock::now() + duration; }

    ConnectParams params_;
};

TEST_F(ConnectionPoolTest, FillOpensTheMinimumAhead) {
    ConnectionPool pool(params_, PoolLimits{.min = 2, .max = 5});
    EXPECT_EQ(pool.open_count(), 0);
    pool.fill(in(5s));
    EXPECT_EQ(pool.open_count(), 2);
    auto lease = pool.acquire(in(1s));
    EXPECT_TRUE(lease.reused());
    EXPECT_EQ(pool.open_count(), 2);
}

TEST_F(ConnectionPoolTest, LendsAtMostMaxConnectionsThenWaitsAndGivesUp) {
    ConnectionPool pool(params_, PoolLimits{.min = 0, .max = 2});
    auto first = pool.acquire(in(5s));
    auto second = pool.acquire(in(5s));
    EXPECT_FALSE(first.reused());
    EXPECT_EQ(pool.open_count(), 2);

    const auto start = SteadyClock::now();
    try {
        pool.acquire(in(200ms));
        ADD_FAILURE() << "expected StorageError";
    } catch (const StorageError& error) {
        EXPECT_EQ(std::string(error.what()), "no database connection available");
    }
    EXPECT_GE(SteadyClock::now() - start, 190ms);

    // A waiting caller gets the connection as soon as another hands it back.
    std::thread giver([lease = std::move(second)]() mutable {
        std::this_thread::sleep_for(50ms);
        auto returned = std::move(lease);
    });
    auto third = pool.acquire(in(5s));
    giver.join();
    EXPECT_TRUE(third.reused());
    EXPECT_EQ(pool.open_count(), 2);
}

TEST_F(ConnectionPoolTest, ClosesConnectionsIdleTooLongDownToTheMinimum) {
    ConnectionPool pool(params_, PoolLimits{.min = 1, .max = 3, .idle_timeout = 50ms});
    {
        auto a = pool.acquire(in(5s));
        auto b = pool.acquire(in(5s));
        auto c = pool.acquire(in(5s));
        EXPECT_EQ(pool.open_count(), 3);
    }
    EXPECT_EQ(pool.open_count(), 3);
    std::this_thread::sleep_for(120ms);  // past the idle timeout
    { auto d = pool.acquire(in(5s)); }   // handing it back prunes the idle ones
    EXPECT_EQ(pool.open_count(), 1);
}

TEST_F(ConnectionPoolTest, BrokenConnectionIsDroppedWhenHandedBack) {
    ConnectionPool pool(params_, PoolLimits{.min = 0, .max = 2});
    {
        auto lease = pool.acquire(in(5s));
        lease.connection().discard();
    }
    EXPECT_EQ(pool.open_count(), 0);
    auto fresh = pool.acquire(in(5s));
    EXPECT_FALSE(fresh.reused());
}

}  // namespace
}  // namespace clara::storage::postgres
