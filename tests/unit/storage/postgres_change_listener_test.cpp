// Deployment change notifications between stores on one PostgreSQL database.
#include "storage/postgres/postgres_change_listener.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <chrono>
#include <condition_variable>
#include <mutex>

#include "storage/postgres/postgres_store.hpp"
#include "storage/sqlite/sqlite_store.hpp"
#include "unit/storage/postgres_test_support.hpp"
#include "unit/storage/store_backends.hpp"
#include "unit/storage/tcp_proxy.hpp"
#include "util/crypto.hpp"

namespace clara::storage {
namespace {

using namespace std::chrono_literals;
using test_support::PgTestSchema;

constexpr auto kDeliveryTimeout = 10s;

Deployment make_deployment(const std::string& slug) {
    Deployment d;
    d.id = util::uuid_v4();
    d.name = slug;
    d.slug = slug;
    d.workflow = boost::json::parse(R"({"nodes":[]})");
    d.schema = boost::json::parse(R"({"input":{}})");
    d.field_map = boost::json::object{};
    d.api_key_hash = util::sha256_hex(util::random_hex(16));
    d.created_at_ms = 1'700'000'000'000;
    d.updated_at_ms = d.created_at_ms;
    return d;
}

/// Collects the ids a subscription delivers. Other tests may change deployments on the same
/// server at the same time, so checks look for particular ids rather than at everything.
class Received {
public:
    DeploymentChangeCallback callback() {
        return [this](const std::string& id) {
            {
                std::lock_guard lock(mutex_);
                ids_.push_back(id);
            }
            changed_.notify_all();
        };
    }

    /// Waits (bounded) until `id` has arrived `times` times in all.
    bool wait_for(const std::string& id, int times = 1) {
        std::unique_lock lock(mutex_);
        return changed_.wait_for(lock, kDeliveryTimeout,
                                 [&] { return std::count(ids_.begin(), ids_.end(), id) >= times; });
    }

    int count(const std::string& id) {
        std::lock_guard lock(mutex_);
        return static_cast<int>(std::count(ids_.begin(), ids_.end(), id));
    }

private:
    std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<std::string> ids_;
};

class PostgresChangeListenerTest : public ::testing::Test {
protected:
    void SetUp() override {
        if (auto reason = test_support::postgres_skip_reason()) {
            GTEST_SKIP() << *reason;
        }
        schema_.emplace(*test_support::postgres_test_url());
        writer_ = std::make_unique<PostgresStore>(schema_->options());
        writer_->migrate();
    }

    std::optional<PgTestSchema> schema_;
    std::unique_ptr<PostgresStore> writer_;
};

TEST_F(PostgresChangeListenerTest, EveryDeploymentChangeOfAnotherStoreIsDelivered) {
    PostgresStore reader(schema_->options());
    Received received;
    const auto subscription = reader.watch_deployment_changes(received.callback());
    ASSERT_NE(subscription, nullptr);

    const auto deployment = make_deployment("announced");
    writer_->insert_deployment(deployment);
    EXPECT_TRUE(received.wait_for(deployment.id, 1));
    ASSERT_TRUE(writer_->replace_api_key_hash(deployment.id, util::sha256_hex("k2")));
    EXPECT_TRUE(received.wait_for(deployment.id, 2));
    ASSERT_TRUE(writer_->deactivate_deployment(deployment.id));
    EXPECT_TRUE(received.wait_for(deployment.id, 3));
    ASSERT_TRUE(writer_->purge_deployment(deployment.id));
    EXPECT_TRUE(received.wait_for(deployment.id, 4));
}

TEST_F(PostgresChangeListenerTest, ChangesThatDidNotHappenAreNotAnnounced) {
    Received received;
    const auto subscription = writer_->watch_deployment_changes(received.callback());
    const auto first = make_deployment("taken-slug");
    writer_->insert_deployment(first);
    auto refused = make_deployment("taken-slug");
    EXPECT_THROW(writer_->insert_deployment(refused), ConflictError);
    const std::string unknown = util::uuid_v4();
    EXPECT_FALSE(writer_->deactivate_deployment(unknown));
    EXPECT_FALSE(writer_->purge_deployment(unknown));
    // A later change arrives after anything sent before it.
    const auto marker = make_deployment("marker");
    writer_->insert_deployment(marker);

    ASSERT_TRUE(received.wait_for(marker.id));
    EXPECT_EQ(received.count(first.id), 1);
    EXPECT_EQ(received.count(refused.id), 0);
    EXPECT_EQ(received.count(unknown), 0);
}

TEST_F(PostgresChangeListenerTest, ReconnectsAndAsksForAFullReloadAfterAnOutage) {
    const auto url = *test_support::postgres_test_url();
    const auto [host, port] = test_support::host_port_of(url);
    test_support::TcpProxy proxy(host, port);
    PostgresStore reader(PostgresOptions{
        .url = test_support::with_local_port(schema_->url(), proxy.port()), .pool_min = 0});
    Received received;
    const auto subscription = reader.watch_deployment_changes(received.callback());
    auto* listener = dynamic_cast<PostgresChangeListener*>(subscription.get());
    ASSERT_NE(listener, nullptr);
    EXPECT_TRUE(listener->listening());

    proxy.stop();
    for (int i = 0; i < 250 && listener->listening(); ++i) {
        std::this_thread::sleep_for(20ms);
    }
    EXPECT_FALSE(listener->listening());
    EXPECT_EQ(received.count(""), 0);

    proxy.start();
    EXPECT_TRUE(received.wait_for(""));
    EXPECT_TRUE(listener->listening());
    const auto after = make_deployment("after-reconnect");
    writer_->insert_deployment(after);
    EXPECT_TRUE(received.wait_for(after.id));
}

TEST_F(PostgresChangeListenerTest, ListenerThatStartsDuringAnOutageReportsAReloadWhenConnected) {
    const auto url = *test_support::postgres_test_url();
    const auto [host, port] = test_support::host_port_of(url);
    test_support::TcpProxy proxy(host, port);
    proxy.stop();
    PostgresStore reader(PostgresOptions{
        .url = test_support::with_local_port(schema_->url(), proxy.port()), .pool_min = 0});
    Received received;
    const auto subscription = reader.watch_deployment_changes(received.callback());
    EXPECT_EQ(received.count(""), 0);

    proxy.start();
    EXPECT_TRUE(received.wait_for(""));
}

TEST_F(PostgresChangeListenerTest, CallbackExceptionsDoNotStopTheListener) {
    Received received;
    bool threw = false;
    const auto subscription = writer_->watch_deployment_changes([&](const std::string& id) {
        if (!threw) {
            threw = true;
            throw std::runtime_error("callback failure");
        }
        received.callback()(id);
    });
    const auto first = make_deployment("first-change");
    writer_->insert_deployment(first);
    const auto second = make_deployment("second-change");
    writer_->insert_deployment(second);
    EXPECT_TRUE(received.wait_for(second.id));
    EXPECT_TRUE(threw);
}

TEST(SqliteChangeWatch, SingleProcessBackendHasNothingToWatch) {
    test_support::TempDir dir;
    SqliteStore store((dir.path() / "clara.db").string());
    EXPECT_EQ(store.watch_deployment_changes([](const std::string&) {}), nullptr);
}

}  // namespace
}  // namespace clara::storage
