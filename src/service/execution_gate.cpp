#include "service/execution_gate.hpp"

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <memory>

namespace clara::service {
namespace asio = boost::asio;

ExecutionGate::ExecutionGate(std::size_t max_running, std::size_t max_queued)
    : max_running_(max_running), max_queued_(max_queued) {}

ExecutionGate::Slot& ExecutionGate::Slot::operator=(Slot&& other) noexcept {
    if (this != &other) {
        if (gate_ != nullptr) {
            gate_->release();
        }
        gate_ = std::exchange(other.gate_, nullptr);
    }
    return *this;
}

ExecutionGate::Slot::~Slot() {
    if (gate_ != nullptr) {
        gate_->release();
    }
}

asio::awaitable<ExecutionGate::Slot> ExecutionGate::acquire() {
    {
        std::lock_guard lock(mutex_);
        if (running_ < max_running_) {
            ++running_;
            co_return Slot(this);
        }
        if (waiters_.size() >= max_queued_) {
            co_return Slot();
        }
    }
    // Queue: release() hands the slot over directly (running_ stays counted) and resumes us on
    // our own executor.
    co_await asio::async_initiate<decltype(asio::use_awaitable), void()>(
        [this](auto handler) {
            auto shared = std::make_shared<decltype(handler)>(std::move(handler));
            auto executor = asio::get_associated_executor(*shared);
            auto resume = [shared, executor] { asio::post(executor, [shared] { (*shared)(); }); };
            std::unique_lock lock(mutex_);
            if (running_ < max_running_) {  // a slot freed while we were getting here
                ++running_;
                lock.unlock();
                resume();
                return;
            }
            waiters_.push_back(std::move(resume));
        },
        asio::use_awaitable);
    co_return Slot(this);
}

void ExecutionGate::release() {
    std::function<void()> next;
    {
        std::lock_guard lock(mutex_);
        if (waiters_.empty()) {
            --running_;
            return;
        }
        next = std::move(waiters_.front());
        waiters_.pop_front();
    }
    next();
}

std::size_t ExecutionGate::running() const {
    std::lock_guard lock(mutex_);
    return running_;
}

std::size_t ExecutionGate::queued() const {
    std::lock_guard lock(mutex_);
    return waiters_.size();
}

}  // namespace clara::service
