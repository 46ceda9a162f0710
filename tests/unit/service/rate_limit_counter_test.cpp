#include "service/memory_rate_limit_counter.hpp"
#include "service/rate_limit_counter.hpp"
#include "service/store_rate_limit_counter.hpp"

#include "storage/store.hpp"
#include "util/crypto.hpp"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>

namespace clara::service {
namespace {

using namespace std::chrono_literals;

constexpr std::int64_t kW0 = 1'700'000'040'000;  // a multiple of one minute

/// A wall clock the test moves by hand.
struct ManualClock {
    std::atomic<std::int64_t> now_ms{kW0};
    StoreRateLimitCounter::WallClock function() {
        return [this] { return now_ms.load(); };
    }
};

/// A PostgreSQL URL on a local port that refuses connections (bound, never listening).
class RefusingPort {
public:
    RefusingPort() : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t length = sizeof address;
        if (::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
            ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
            throw std::runtime_error("cannot bind a local port");
        }
        port_ = ntohs(address.sin_port);
    }
    ~RefusingPort() { ::close(fd_); }
    RefusingPort(const RefusingPort&) = delete;
    RefusingPort& operator=(const RefusingPort&) = delete;

    std::string url() const {
        return "postgresql://clara@127.0.0.1:" + std::to_string(port_) + "/clara";
    }

private:
    int fd_;
    int port_ = 0;
};

class StoreRateLimitCounterTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() / ("clara-rate-" + util::random_hex(6));
        std::filesystem::create_directories(dir_);
        store_ = storage::open_store("sqlite:" + (dir_ / "clara.db").string());
        store_->migrate();
    }
    void TearDown() override {
        store_.reset();
        std::filesystem::remove_all(dir_);
    }

    std::filesystem::path dir_;
    std::unique_ptr<storage::Store> store_;
    ManualClock clock_;
    const std::string key_ = util::sha256_hex("key");
};

TEST_F(StoreRateLimitCounterTest, AllowsUpToTheLimitInAWindowAlignedOnItsLength) {
    StoreRateLimitCounter counter(*store_, 3, 60s, clock_.function());
    clock_.now_ms = kW0 + 20'000;
    for (const std::uint64_t remaining : {2u, 1u, 0u}) {
        const auto decision = counter.hit(key_, "wf");
        ASSERT_TRUE(decision.has_value());
        EXPECT_TRUE(decision->allowed);
        EXPECT_EQ(decision->limit, 3u);
        EXPECT_EQ(decision->remaining, remaining);
        EXPECT_EQ(decision->reset, 40s);  // the window started at kW0, not at the first request
    }
    clock_.now_ms = kW0 + 59'001;
    const auto refused = counter.hit(key_, "wf");
    ASSERT_TRUE(refused.has_value());
    EXPECT_FALSE(refused->allowed);
    EXPECT_EQ(refused->remaining, 0u);
    EXPECT_EQ(refused->reset, 1s);  // 999 ms, rounded up

    clock_.now_ms = kW0 + 60'000;
    const auto next = counter.hit(key_, "wf");
    ASSERT_TRUE(next.has_value());
    EXPECT_TRUE(next->allowed);
    EXPECT_EQ(next->remaining, 2u);
    EXPECT_EQ(next->reset, 60s);
}

TEST_F(StoreRateLimitCounterTest, CountersOnOneDatabaseShareTheLimitPerKeyAndWorkflow) {
    StoreRateLimitCounter first(*store_, 2, 60s, clock_.function());
    StoreRateLimitCounter second(*store_, 2, 60s, clock_.function());
    EXPECT_EQ(first.hit(key_, "wf")->remaining, 1u);
    EXPECT_EQ(second.hit(key_, "wf")->remaining, 0u);
    EXPECT_FALSE(first.hit(key_, "wf")->allowed);
    EXPECT_FALSE(second.hit(key_, "wf")->allowed);
    EXPECT_TRUE(second.hit(key_, "other-wf")->allowed);
    EXPECT_TRUE(first.hit(util::sha256_hex("other key"), "wf")->allowed);
}

TEST_F(StoreRateLimitCounterTest, DeletesWindowsBeforeThePreviousOneNowAndThen) {
    StoreRateLimitCounter counter(*store_, 10, 60s, clock_.function());
    counter.hit(key_, "wf");
    counter.hit(key_, "wf");
    clock_.now_ms = kW0 + 60'000;
    counter.hit(key_, "wf");  // prunes before kW0: the first window stays
    EXPECT_EQ(store_->count_rate_limited_request(key_, "wf", kW0, 10), 3);
    clock_.now_ms = kW0 + 120'000;
    counter.hit(key_, "wf");  // prunes before kW0 + 60 s: the first window goes

    EXPECT_EQ(store_->count_rate_limited_request(key_, "wf", kW0, 10), 1);
    EXPECT_EQ(store_->count_rate_limited_request(key_, "wf", kW0 + 60'000, 10), 2);
}

TEST_F(StoreRateLimitCounterTest, DeletesAtMostOnceAMinuteWithShortWindows) {
    StoreRateLimitCounter counter(*store_, 10, 1s, clock_.function());
    counter.hit(key_, "wf");  // the first hit prunes
    clock_.now_ms = kW0 + 30'000;
    counter.hit(key_, "wf");  // not yet: the window at kW0 stays
    EXPECT_EQ(store_->count_rate_limited_request(key_, "wf", kW0, 10), 2);
    clock_.now_ms = kW0 + 60'000;
    counter.hit(key_, "wf");
    EXPECT_EQ(store_->count_rate_limited_request(key_, "wf", kW0, 10), 1);
}

TEST(StoreRateLimitCounter, LetsRequestsThroughWhenTheDatabaseIsUnreachable) {
    RefusingPort port;
    auto store = storage::open_store(port.url());
    StoreRateLimitCounter counter(*store, 1, 60s);
    EXPECT_TRUE(counter.blocks());
    EXPECT_EQ(counter.hit("hash", "wf"), std::nullopt);
    EXPECT_EQ(counter.hit("hash", "wf"), std::nullopt);
}

TEST(MemoryRateLimitCounter, CountsEachKeyAndWorkflowWithoutBlocking) {
    MemoryRateLimitCounter counter(1, 10s);
    EXPECT_FALSE(counter.blocks());
    EXPECT_TRUE(counter.hit("a", "wf")->allowed);
    EXPECT_FALSE(counter.hit("a", "wf")->allowed);
    EXPECT_TRUE(counter.hit("a", "other-wf")->allowed);
    EXPECT_TRUE(counter.hit("b", "wf")->allowed);
    EXPECT_EQ(counter.window(), 10s);
}

TEST(MakeRateLimitCounter, CountsInTheDatabaseOnlyWhenInstancesShareIt) {
    const auto dir = std::filesystem::temp_directory_path() / ("clara-rate-" + util::random_hex(6));
    {
        auto sqlite = storage::open_store("sqlite:" + (dir / "clara.db").string());
        const auto in_memory = make_rate_limit_counter(*sqlite, 7, 5s);
        EXPECT_FALSE(in_memory->blocks());
        EXPECT_EQ(in_memory->limit(), 7u);
        EXPECT_EQ(in_memory->window(), 5s);

        RefusingPort port;
        auto postgres = storage::open_store(port.url());
        const auto shared = make_rate_limit_counter(*postgres, 7, 5s);
        EXPECT_TRUE(shared->blocks());
        EXPECT_EQ(shared->limit(), 7u);
        EXPECT_EQ(shared->window(), 5s);
    }
    std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace clara::service
