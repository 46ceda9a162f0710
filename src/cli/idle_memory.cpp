#include "cli/idle_memory.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <malloc.h>

#include <chrono>

namespace clara::cli {
namespace asio = boost::asio;

namespace {

constexpr std::chrono::seconds kCheckInterval{5};

}  // namespace

asio::awaitable<void> release_memory_when_idle(const service::ExecutionGate& gate,
                                               service::BlockingPool& blocking) {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    while (true) {
        timer.expires_after(kCheckInterval);
        const auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
        if (ec) {
            co_return;
        }
        if (gate.running() == 0 && gate.queued() == 0) {
            // Walks every arena: off the I/O threads.
            co_await blocking.run([] { ::malloc_trim(0); });
        }
    }
}

}  // namespace clara::cli
