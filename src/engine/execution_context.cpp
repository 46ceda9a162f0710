#include "engine/execution_context.hpp"

#include "util/time_format.hpp"

namespace clara::engine {

void ExecutionContext::warn(std::string node_id, std::string message) {
    append("warn", std::move(node_id), std::move(message));
}

void ExecutionContext::info(std::string node_id, std::string message) {
    append("info", std::move(node_id), std::move(message));
}

std::vector<ExecutionLogEntry> ExecutionContext::logs() const {
    std::lock_guard lock(mutex_);
    return logs_;
}

void ExecutionContext::add_usage(std::int64_t prompt_tokens, std::int64_t completion_tokens,
                                 std::int64_t total_tokens) {
    std::lock_guard lock(mutex_);
    usage_.prompt_tokens += prompt_tokens;
    usage_.completion_tokens += completion_tokens;
    usage_.total_tokens += total_tokens > 0 ? total_tokens : prompt_tokens + completion_tokens;
    ++usage_.calls;
}

TokenUsage ExecutionContext::usage() const {
    std::lock_guard lock(mutex_);
    return usage_;
}

void ExecutionContext::on_cancel(std::function<void()> hook) {
    {
        std::lock_guard lock(mutex_);
        if (!cancelled_) {
            cancel_hooks_.push_back(std::move(hook));
            return;
        }
    }
    hook();
}

void ExecutionContext::cancel() {
    std::vector<std::function<void()>> hooks;
    {
        std::lock_guard lock(mutex_);
        if (cancelled_) {
            return;
        }
        cancelled_ = true;
        hooks.swap(cancel_hooks_);
    }
    for (auto& hook : hooks) {
        hook();
    }
}

bool ExecutionContext::cancelled() const {
    std::lock_guard lock(mutex_);
    return cancelled_;
}

void ExecutionContext::append(std::string level, std::string node_id, std::string message) {
    std::lock_guard lock(mutex_);
    logs_.push_back({util::now_ms(), std::move(level), std::move(message), std::move(node_id)});
}

}  // namespace clara::engine
