#pragma once

#include "engine/timer.hpp"

namespace boost::asio {
class io_context;
}

namespace clara::client {

/// engine::Timer on an io_context: a steady_timer per wait, on its own strand so that a
/// cancellation from another thread is safe.
class AsioTimer final : public engine::Timer {
public:
    explicit AsioTimer(boost::asio::io_context& io) : io_(io) {}

    void wait(std::chrono::milliseconds delay, engine::ExecutionContext& ctx,
              std::function<void(bool elapsed)> done) override;

private:
    boost::asio::io_context& io_;
};

}  // namespace clara::client
