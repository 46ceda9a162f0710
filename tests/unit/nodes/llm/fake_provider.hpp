#pragma once

// A fake model provider (or MCP proxy, or Clara assistant) on 127.0.0.1: each request is
// recorded and answered by the test's responder, in the provider's real wire format.

#include "../../client/test_server.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

namespace clara::nodes::llm::testing {

using client::testing::ReceivedRequest;

/// One canned answer.
struct FakeReply {
    unsigned status = 200;
    std::string body;
    client::testing::Fields headers{{"Content-Type", "application/json"}};

    static FakeReply json(const boost::json::value& value, unsigned status = 200) {
        return FakeReply{status, boost::json::serialize(value)};
    }
    static FakeReply json_text(std::string_view text, unsigned status = 200) {
        return FakeReply{status, std::string(text)};
    }
};

/// Computes the answer for the `index`-th request (0-based, over all requests).
using Responder = std::function<FakeReply(const ReceivedRequest& request, std::size_t index)>;

/// The server and what it received.
class FakeProvider {
public:
    explicit FakeProvider(Responder responder)
        : responder_(std::move(responder)),
          server_(client::testing::TestServer::each_request(
              [this](const ReceivedRequest& request, client::testing::ServerConnection& c) {
                  FakeReply reply;
                  {
                      std::lock_guard lock(mutex_);
                      const auto index = requests_.size();
                      requests_.push_back(request);
                      reply = responder_(request, index);
                  }
                  c.respond(reply.status, reply.body, reply.headers);
              })) {}

    /// "http://127.0.0.1:<port><path>".
    std::string url(std::string_view path = "") const {
        auto base = server_.url("/");
        base.pop_back();
        return base + std::string(path);
    }

    std::vector<ReceivedRequest> requests() const {
        std::lock_guard lock(mutex_);
        return requests_;
    }

    std::size_t count() const {
        std::lock_guard lock(mutex_);
        return requests_.size();
    }

    /// The JSON body of request `index` (a test failure and null when absent or not JSON).
    boost::json::value body(std::size_t index) const {
        const auto all = requests();
        if (index >= all.size()) {
            ADD_FAILURE() << "no request " << index << " (got " << all.size() << ")";
            return nullptr;
        }
        boost::system::error_code ec;
        auto value = boost::json::parse(all[index].body, ec);
        EXPECT_FALSE(ec) << "request body is not JSON: " << all[index].body;
        return ec ? boost::json::value(nullptr) : value;
    }

private:
    Responder responder_;
    mutable std::mutex mutex_;
    std::vector<ReceivedRequest> requests_;
    client::testing::TestServer server_;  // last: stops (joins) before the members it uses
};

/// A server that reads a request and never answers; the connection stays open until the
/// client gives up (timeout, cancellation) or the server is destroyed.
class SilentServer {
public:
    SilentServer()
        : server_([this](client::testing::ServerConnection& c) {
              ReceivedRequest request;
              if (c.read_request(request)) {
                  {
                      std::lock_guard lock(mutex_);
                      ++received_;
                  }
                  changed_.notify_all();
                  c.read_request(request);  // returns when the client hangs up
              }
          }) {}

    std::string url(std::string_view path = "") const {
        auto base = server_.url("/");
        base.pop_back();
        return base + std::string(path);
    }

    /// Waits until a request arrived; false after `limit`.
    bool wait_for_request(std::chrono::milliseconds limit) {
        std::unique_lock lock(mutex_);
        return changed_.wait_for(lock, limit, [this] { return received_ > 0; });
    }

private:
    std::mutex mutex_;
    std::condition_variable changed_;
    int received_ = 0;
    client::testing::TestServer server_;  // last: joins its threads before the members go
};

/// An OpenAI chat-completions answer with `content` and usage 11/7/18.
inline FakeReply openai_answer(std::string_view content, std::string_view model = "fake-model") {
    return FakeReply::json(boost::json::object{
        {"id", "chatcmpl-1"},
        {"object", "chat.completion"},
        {"model", model},
        {"choices", boost::json::array{boost::json::object{
                        {"index", 0},
                        {"message", boost::json::object{{"role", "assistant"},
                                                        {"content", content}}},
                        {"finish_reason", "stop"}}}},
        {"usage", boost::json::object{{"prompt_tokens", 11},
                                      {"completion_tokens", 7},
                                      {"total_tokens", 18}}}});
}

/// An OpenAI answer that calls one function.
inline FakeReply openai_tool_call(std::string_view id, std::string_view name,
                                  std::string_view arguments) {
    return FakeReply::json(boost::json::object{
        {"model", "fake-model"},
        {"choices",
         boost::json::array{boost::json::object{
             {"index", 0},
             {"message",
              boost::json::object{
                  {"role", "assistant"},
                  {"content", nullptr},
                  {"tool_calls",
                   boost::json::array{boost::json::object{
                       {"id", id},
                       {"type", "function"},
                       {"function", boost::json::object{{"name", name},
                                                        {"arguments", arguments}}}}}}}},
             {"finish_reason", "tool_calls"}}}},
        {"usage", boost::json::object{{"prompt_tokens", 5},
                                      {"completion_tokens", 2},
                                      {"total_tokens", 7}}}});
}

}  // namespace clara::nodes::llm::testing
