#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

namespace clara::engine {

/// Limits and switches that apply to every execution (from config::Settings).
struct ExecutionLimits {
    std::size_t max_input_size = 10 * 1024 * 1024;  ///< decoded size cap for files and images
    bool strict_node_errors = false;  ///< soft failures become hard failures (STRICT_NODE_ERRORS)
    std::chrono::milliseconds max_execution_time{300000};  ///< sets each execution's deadline
};

/// Tokens that model providers reported as used, summed over an execution's calls.
struct TokenUsage {
    std::int64_t prompt_tokens = 0;
    std::int64_t completion_tokens = 0;
    std::int64_t total_tokens = 0;
    std::int64_t calls = 0;  ///< provider calls that reported usage

    bool empty() const { return calls == 0; }
};

/// One line of an execution's log.
struct ExecutionLogEntry {
    std::int64_t timestamp_ms = 0;
    std::string level;  ///< info | warn | error
    std::string message;
    std::string node_id;
};

/// What a running node may use besides its inputs: the limits and the execution log.
/// One per execution; safe to use from several threads.
class ExecutionContext {
public:
    explicit ExecutionContext(const ExecutionLimits& limits) : limits_(limits) {}

    const ExecutionLimits& limits() const { return limits_; }

    /// Appends a warning for `node_id` (soft failures, ignored settings, fallbacks).
    void warn(std::string node_id, std::string message);
    void info(std::string node_id, std::string message);

    /// The log so far, in order.
    std::vector<ExecutionLogEntry> logs() const;

    /// Adds one provider call's token counts (a missing total is prompt + completion).
    void add_usage(std::int64_t prompt_tokens, std::int64_t completion_tokens,
                   std::int64_t total_tokens);
    TokenUsage usage() const;

    /// When the execution must be over (MAX_EXECUTION_TIME from its start); outbound calls use
    /// min(their own timeout, time left).
    std::chrono::steady_clock::time_point deadline() const { return deadline_; }
    void set_deadline(std::chrono::steady_clock::time_point deadline) { deadline_ = deadline; }

    /// Registers `hook` to run when the execution is cancelled (deadline, shutdown), e.g. to
    /// close a socket; runs it at once if that already happened. Hooks run on the cancelling
    /// thread and must not block.
    void on_cancel(std::function<void()> hook);

    /// Runs every registered hook once; later registrations run immediately.
    void cancel();
    bool cancelled() const;

private:
    void append(std::string level, std::string node_id, std::string message);

    const ExecutionLimits& limits_;
    mutable std::mutex mutex_;
    std::vector<ExecutionLogEntry> logs_;
    TokenUsage usage_;
    std::chrono::steady_clock::time_point deadline_ = std::chrono::steady_clock::time_point::max();
    std::vector<std::function<void()>> cancel_hooks_;
    bool cancelled_ = false;
};

}  // namespace clara::engine
