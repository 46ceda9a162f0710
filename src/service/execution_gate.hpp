#pragma once

#include <boost/asio/awaitable.hpp>

#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <utility>

namespace clara::service {

/// Bounds how many executions run at once (MAX_CONCURRENT_EXECUTIONS). Further executions wait
/// in a FIFO queue of bounded length (MAX_QUEUED_EXECUTIONS) without holding a thread; beyond
/// it, admission is refused so the caller can answer 503 at once.
class ExecutionGate {
public:
    ExecutionGate(std::size_t max_running, std::size_t max_queued);

    /// A slot held until destroyed; moving transfers it.
    class Slot {
    public:
        Slot() = default;
        explicit Slot(ExecutionGate* gate) : gate_(gate) {}
        Slot(Slot&& other) noexcept : gate_(std::exchange(other.gate_, nullptr)) {}
        Slot& operator=(Slot&& other) noexcept;
        ~Slot();
        explicit operator bool() const { return gate_ != nullptr; }

    private:
        ExecutionGate* gate_ = nullptr;
    };

    /// Waits for a slot; an empty Slot means the queue was full (refused without waiting).
    boost::asio::awaitable<Slot> acquire();

    std::size_t running() const;
    std::size_t queued() const;
    std::size_t max_running() const { return max_running_; }

private:
    void release();

    const std::size_t max_running_;
    const std::size_t max_queued_;
    mutable std::mutex mutex_;
    std::size_t running_ = 0;
    std::deque<std::function<void()>> waiters_;  // each resumes one queued coroutine
};

}  // namespace clara::service
