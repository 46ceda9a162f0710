#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

namespace clara::engine {

/// Limits and switches that apply to every execution (from config::Settings).
struct ExecutionLimits {
    std::size_t max_input_size = 10 * 1024 * 1024;  ///< decoded size cap for files and images
    bool strict_node_errors = false;  ///< soft failures become hard failures (STRICT_NODE_ERRORS)
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

private:
    void append(std::string level, std::string node_id, std::string message);

    const ExecutionLimits& limits_;
    mutable std::mutex mutex_;
    std::vector<ExecutionLogEntry> logs_;
};

}  // namespace clara::engine
