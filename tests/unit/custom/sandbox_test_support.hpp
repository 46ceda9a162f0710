#pragma once

#include "custom/node_sandbox.hpp"
#include "engine/execution_context.hpp"
#include "engine/http_client.hpp"

#include <gtest/gtest.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/json.hpp>

#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace clara::custom::testing {

/// Generous bound for one call to come back (a worker start plus the call itself).
inline constexpr auto kCallWait = std::chrono::seconds(60);

/// An io_context running on two threads for the lifetime of the fixture.
class IoThreads {
public:
    IoThreads() : guard_(io_.get_executor()) {
        for (int i = 0; i < 2; ++i) {
            threads_.emplace_back([this] { io_.run(); });
        }
    }
    ~IoThreads() {
        guard_.reset();
        io_.stop();
        for (auto& thread : threads_) {
            thread.join();
        }
    }
    boost::asio::io_context& io() { return io_; }

private:
    boost::asio::io_context io_;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_;
    std::vector<std::thread> threads_;
};

/// An engine::HttpClient that records requests and answers with a canned result on the
/// io_context (never inside send(), as the interface requires).
class FakeHttpClient final : public engine::HttpClient {
public:
    explicit FakeHttpClient(boost::asio::io_context& io) : io_(io) {}

    void send(engine::OutboundRequest request, engine::ExecutionContext&, engine::OutboundDone done,
              engine::OutboundChunkHandler) override {
        engine::OutboundResult result;
        {
            std::lock_guard lock(mutex_);
            requests_.push_back(std::move(request));
            result = answer_;
        }
        boost::asio::post(io_,
                          [done = std::move(done), result = std::move(result)] { done(result); });
    }

    void answer(engine::OutboundResult result) {
        std::lock_guard lock(mutex_);
        answer_ = std::move(result);
    }
    std::vector<engine::OutboundRequest> requests() const {
        std::lock_guard lock(mutex_);
        return requests_;
    }

private:
    boost::asio::io_context& io_;
    mutable std::mutex mutex_;
    std::vector<engine::OutboundRequest> requests_;
    engine::OutboundResult answer_ =
        engine::OutboundError{engine::OutboundErrorKind::kPolicy, "no answer configured"};
};

/// Runs one ScriptCall and waits for its outcome (fails the test when none comes).
inline engine::ScriptOutcome run_call(engine::ScriptSandbox& sandbox, engine::ExecutionContext& ctx,
                                      std::string code, boost::json::object inputs = {},
                                      boost::json::object properties = {}) {
    auto promise = std::make_shared<std::promise<engine::ScriptOutcome>>();
    auto future = promise->get_future();
    engine::ScriptCall call;
    call.code = std::move(code);
    call.inputs = std::move(inputs);
    call.properties = std::move(properties);
    call.node_id = "custom-1";
    call.node_name = "Custom One";
    sandbox.run(std::move(call), ctx, [promise](engine::ScriptOutcome outcome) {
        promise->set_value(std::move(outcome));
    });
    if (future.wait_for(kCallWait) != std::future_status::ready) {
        ADD_FAILURE() << "the sandbox did not answer";
        return {};
    }
    return future.get();
}

}  // namespace clara::custom::testing
