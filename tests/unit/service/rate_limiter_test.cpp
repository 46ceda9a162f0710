#include "service/rate_limiter.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace clara::service {
namespace {

using namespace std::chrono_literals;

struct FakeClock {
    std::chrono::steady_clock::time_point now{std::chrono::hours(1)};
    FixedWindowRateLimiter::Clock function() {
        return [this] { return now; };
    }
};

TEST(FixedWindowRateLimiter, AllowsUpToTheLimitThenRefusesUntilTheWindowEnds) {
    FakeClock clock;
    FixedWindowRateLimiter limiter(3, 60s, clock.function());
    EXPECT_EQ(limiter.hit("k").remaining, 2u);
    EXPECT_EQ(limiter.hit("k").remaining, 1u);
    EXPECT_TRUE(limiter.hit("k").allowed);
    clock.now += 20s;
    const auto refused = limiter.hit("k");
    EXPECT_FALSE(refused.allowed);
    EXPECT_EQ(refused.remaining, 0u);
    EXPECT_EQ(refused.reset, 40s);
    clock.now += 40s;
    EXPECT_TRUE(limiter.hit("k").allowed);
}

TEST(FixedWindowRateLimiter, CountsKeysSeparatelyAndPeekDoesNotCount) {
    FakeClock clock;
    FixedWindowRateLimiter limiter(1, 10s, clock.function());
    EXPECT_TRUE(limiter.peek("a").allowed);
    EXPECT_TRUE(limiter.hit("a").allowed);
    EXPECT_FALSE(limiter.peek("a").allowed);
    EXPECT_TRUE(limiter.hit("b").allowed);
    EXPECT_FALSE(limiter.hit("a").allowed);
}

TEST(FixedWindowRateLimiter, IsExactUnderConcurrency) {
    FixedWindowRateLimiter limiter(1000, std::chrono::hours(1));
    std::atomic<int> allowed{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < 500; ++i) {
                allowed += limiter.hit("shared").allowed ? 1 : 0;
            }
        });
    }
    for (auto& thread : threads) {
        thread.join();
    }
    EXPECT_EQ(allowed.load(), 1000);
}

}  // namespace
}  // namespace clara::service
