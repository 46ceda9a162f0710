#pragma once

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <exception>
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

    /// Runs `function` on a pool thread. Results must be default-constructible (the value
    /// handed over alongside an exception).
    template <typename Function>
    auto run(Function function) {
        using Result = std::invoke_result_t<Function&>;
        if constexpr (std::is_void_v<Result>) {
            return boost::asio::async_initiate<const boost::asio::use_awaitable_t<>,
                                               void(std::exception_ptr)>(
                [this](auto handler, Function work) {
                    boost::asio::post(pool_, [handler = std::move(handler),
                                              work = std::move(work)]() mutable {
                        std::exception_ptr error;
                        try {
                            work();
                        } catch (...) {
                            error = std::current_exception();
                        }
                        auto executor = boost::asio::get_associated_executor(handler);
                        boost::asio::post(executor, [handler = std::move(handler), error]() mutable {
                            std::move(handler)(error);
                        });
                    });
                },
                boost::asio::use_awaitable, std::move(function));
        } else {
            return boost::asio::async_initiate<const boost::asio::use_awaitable_t<>,
                                               void(std::exception_ptr, Result)>(
                [this](auto handler, Function work) {
                    boost::asio::post(pool_, [handler = std::move(handler),
                                              work = std::move(work)]() mutable {
                        std::exception_ptr error;
                        Result result{};
                        try {
                            result = work();
                        } catch (...) {
                            error = std::current_exception();
                        }
                        auto executor = boost::asio::get_associated_executor(handler);
                        boost::asio::post(executor, [handler = std::move(handler), error,
                                                     result = std::move(result)]() mutable {
                            std::move(handler)(error, std::move(result));
                        });
                    });
                },
                boost::asio::use_awaitable, std::move(function));
        }
    }

    /// Waits for queued work to finish and stops the threads.
    void join() { pool_.join(); }

private:
    boost::asio::thread_pool pool_;
};

}  // namespace clara::service
