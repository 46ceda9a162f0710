#pragma once

// Runs one service node against real sockets: a real BeastHttpClient and AsioTimer on an event
// loop of its own, the node built from a catalog bound to these services, and the outcome
// awaited. Test servers (tests/unit/client/test_server.hpp) listen on 127.0.0.1, which the
// policy allows here through OUTBOUND_ALLOWLIST.

#include "client/asio_timer.hpp"
#include "client/beast_http_client.hpp"
#include "client/outbound_policy.hpp"
#include "engine/execution_context.hpp"
#include "engine/node.hpp"
#include "nodes/builtin_catalog.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace clara::nodes::testing {

/// The event loop, outbound client and timer shared by the nodes of one test.
class ServiceEnvironment {
public:
    /// `allowlist` is OUTBOUND_ALLOWLIST; the default lets the node reach local test servers.
    explicit ServiceEnvironment(std::string allowlist = "127.0.0.0/8")
        : work_(boost::asio::make_work_guard(io_)), loop_([this] { io_.run(); }) {
        allowlist_ = std::move(allowlist);
    }

    ~ServiceEnvironment() {
        work_.reset();
        io_.stop();
        loop_.join();
    }

    /// Settings the services are built with; change them before the first node is built.
    config::ServiceSettings& settings() { return settings_; }

    /// The services (built once, on first use, from settings()).
    NodeServicesPtr services() {
        if (!services_) {
            std::vector<std::string> problems;
            client::OutboundPolicySettings policy;
            policy.allowlist = allowlist_;
            policy.trusted_service_urls = settings_.trusted_service_urls();
            policy.rewrite_localhost_to = settings_.rewrite_localhost_to;
            auto built = std::make_shared<NodeServices>();
            built->settings = settings_;
            built->http = std::make_shared<client::BeastHttpClient>(
                io_, client::OutboundPolicy::from_settings(policy, problems));
            built->timer = std::make_shared<client::AsioTimer>(io_);
            EXPECT_TRUE(problems.empty()) << problems.front();
            services_ = built;
            catalog_ = make_builtin_catalog(services_);
        }
        return services_;
    }

    const engine::NodeCatalog& catalog() {
        services();
        return *catalog_;
    }

private:
    boost::asio::io_context io_;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
    std::thread loop_;
    std::string allowlist_;
    config::ServiceSettings settings_;
    NodeServicesPtr services_;
    std::unique_ptr<engine::NodeCatalog> catalog_;
};

/// One node run whose completion may come from another thread.
class ServiceNodeRun final : public engine::NodeRun {
public:
    ServiceNodeRun(ServiceEnvironment& environment, std::string_view type,
                   std::string_view data_json = "{}")
        : context_(limits_) {
        const auto* node_type = environment.catalog().find(type);
        EXPECT_NE(node_type, nullptr) << type;
        decl_.id = "node-under-test";
        decl_.type = std::string(type);
        decl_.data = boost::json::parse(data_json).as_object();
        if (node_type != nullptr) {
            instance_ = node_type->create(decl_, diag_);
        }
    }

    const engine::Diagnostics& diagnostics() const { return diag_; }
    bool built() const { return instance_ != nullptr; }
    engine::ExecutionContext& execution() { return context_; }

    ServiceNodeRun& input(std::string_view key, boost::json::value value) {
        values_.push_back(std::move(value));
        keys_.emplace_back(key);
        inputs_.set(keys_.back(), &values_.back());
        return *this;
    }

    /// Limits the run's time as MAX_EXECUTION_TIME would (the deadline outbound calls honour).
    ServiceNodeRun& deadline_in(std::chrono::milliseconds budget) {
        context_.set_deadline(std::chrono::steady_clock::now() + budget);
        return *this;
    }

    /// Starts the node and waits up to `wait` for it to finish; the result, or nullopt when
    /// it failed (see error()). A run that does not finish in time fails the test.
    std::optional<boost::json::value> run(std::chrono::milliseconds wait = std::chrono::seconds(20)) {
        {
            std::lock_guard lock(mutex_);
            finished_ = false;
            result_.reset();
            error_.clear();
        }
        instance_->start(*this);
        std::unique_lock lock(mutex_);
        if (!finished_changed_.wait_for(lock, wait, [this] { return finished_; })) {
            ADD_FAILURE() << "the node did not finish within " << wait.count() << " ms";
            return std::nullopt;
        }
        return result_;
    }

    /// Cancels the execution (as the deadline or a shutdown does).
    void cancel() { context_.cancel(); }

    const std::string& error() const { return error_; }
    engine::FailureKind failure_kind() const { return failure_kind_; }
    std::vector<engine::ExecutionLogEntry> logs() const { return context_.logs(); }
    engine::TokenUsage usage() const { return context_.usage(); }

    // NodeRun
    const engine::NodeInputs& inputs() const override { return inputs_; }
    const boost::json::value* external_value() const override { return nullptr; }
    engine::ExecutionContext& context() override { return context_; }
    void succeed(boost::json::value result) override {
        std::lock_guard lock(mutex_);
        EXPECT_FALSE(finished_) << "the node finished twice";
        result_ = std::move(result);
        finished_ = true;
        finished_changed_.notify_all();
    }
    void fail(std::string message, engine::FailureKind kind) override {
        std::lock_guard lock(mutex_);
        EXPECT_FALSE(finished_) << "the node finished twice";
        error_ = std::move(message);
        failure_kind_ = kind;
        finished_ = true;
        finished_changed_.notify_all();
    }
    std::shared_ptr<void> keep_alive() override { return nullptr; }

private:
    engine::ExecutionLimits limits_;
    engine::ExecutionContext context_;
    engine::NodeDecl decl_;
    engine::Diagnostics diag_;
    std::unique_ptr<engine::NodeInstance> instance_;
    std::deque<boost::json::value> values_;
    std::deque<std::string> keys_;
    engine::NodeInputs inputs_;

    std::mutex mutex_;
    std::condition_variable finished_changed_;
    bool finished_ = false;
    std::optional<boost::json::value> result_;
    std::string error_;
    engine::FailureKind failure_kind_ = engine::FailureKind::kNode;
};

}  // namespace clara::nodes::testing
