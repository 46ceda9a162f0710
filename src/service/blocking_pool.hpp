#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <type_traits>
#include <utility>

namespace clara::service {

/// Threads for work that blocks (database calls), so that it never runs on the I/O threads.
/// A coroutine hands a function over with `co_await pool.run(f)` and resumes on its own
/// executor with the result (or the exception) once a pool thread has run it.
class BlockingPool {
public:
    explicit BlockingPool(std::size_t threads) : pool_(threads) {}
    ~BlockingPool() { join(); }

    BlockingPool(const BlockingPool&) = delete;
    BlockingPool& operator=(const BlockingPool&) = delete;

    template <typename Function>
    boost::asio::awaitable<std::invoke_result_t<Function&>> run(Function function) {
        using Result = std::invoke_result_t<Function&>;
        co_return co_await boost::asio::co_spawn(
            pool_,
            [function = std::move(function)]() mutable -> boost::asio::awaitable<Result> {
                if constexpr (std::is_void_v<Result>) {
                    function();
                    co_return;
                } else {
                    co_return function();
                }
            },
            boost::asio::use_awaitable);
    }

    /// Waits for queued work to finish and stops the threads.
    void join() { pool_.join(); }

private:
    boost::asio::thread_pool pool_;
};

}  // namespace clara::service
