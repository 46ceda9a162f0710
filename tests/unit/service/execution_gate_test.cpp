#include "service/execution_gate.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <gtest/gtest.h>

#include <vector>

namespace clara::service {
namespace {
namespace asio = boost::asio;

TEST(ExecutionGate, AdmitsUpToTheLimitQueuesThenRefuses) {
    ExecutionGate gate(2, 1);
    asio::io_context io;
    std::vector<ExecutionGate::Slot> held;
    int refused = 0;
    int admitted = 0;
    for (int i = 0; i < 4; ++i) {
        asio::co_spawn(io, [&]() -> asio::awaitable<void> {
            auto slot = co_await gate.acquire();
            if (!slot) {
                ++refused;
                co_return;
            }
            ++admitted;
            held.push_back(std::move(slot));
        }, asio::detached);
    }
    io.poll();
    EXPECT_EQ(admitted, 2);   // two run
    EXPECT_EQ(gate.queued(), 1u);  // one waits
    EXPECT_EQ(refused, 1);    // one is refused at once
    held.erase(held.begin());  // a slot frees: the queued one gets it
    io.restart();
    io.poll();
    EXPECT_EQ(admitted, 3);
    EXPECT_EQ(gate.running(), 2u);
    EXPECT_EQ(gate.queued(), 0u);
    held.clear();
    EXPECT_EQ(gate.running(), 0u);
}

TEST(ExecutionGate, ServesWaitersInArrivalOrder) {
    ExecutionGate gate(1, 10);
    asio::io_context io;
    std::vector<int> order;
    ExecutionGate::Slot first;
    asio::co_spawn(io, [&]() -> asio::awaitable<void> { first = co_await gate.acquire(); }, asio::detached);
    io.poll();
    io.restart();  // poll() stopped the context when it ran out of work
    for (int i = 0; i < 3; ++i) {
        asio::co_spawn(io, [&, i]() -> asio::awaitable<void> {
            auto slot = co_await gate.acquire();
            order.push_back(i);
        }, asio::detached);
    }
    io.poll();
    EXPECT_TRUE(order.empty());
    first = {};
    io.restart();
    io.poll();
    EXPECT_EQ(order, (std::vector<int>{0, 1, 2}));
    EXPECT_EQ(gate.running(), 0u);
}

}  // namespace
}  // namespace clara::service
