#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>

namespace clara::service {

/// The outcome of counting one request against a limit.
struct RateDecision {
    bool allowed = true;
    std::uint64_t limit = 0;
    std::uint64_t remaining = 0;
    std::chrono::seconds reset{0};  ///< until the window ends (RateLimit-Reset, Retry-After)
};

/// Fixed-window counters per key (an API key hash and workflow, or a client IP), counted
/// exactly under concurrency. The clock is injected so tests control time.
class FixedWindowRateLimiter {
public:
    using Clock = std::function<std::chrono::steady_clock::time_point()>;

    FixedWindowRateLimiter(std::uint64_t limit, std::chrono::milliseconds window,
                           Clock clock = [] { return std::chrono::steady_clock::now(); });

    /// Counts a request for `key` and says whether it is within the limit.
    RateDecision hit(const std::string& key);

    /// Like hit() but only reads: whether `key` is already over the limit.
    RateDecision peek(const std::string& key);

    std::uint64_t limit() const { return limit_; }
    std::chrono::milliseconds window() const { return window_; }

private:
    struct Window {
        std::chrono::steady_clock::time_point started;
        std::uint64_t count = 0;
    };

    RateDecision decide(Window& window, std::chrono::steady_clock::time_point now, bool count);
    void prune(std::chrono::steady_clock::time_point now);

    const std::uint64_t limit_;
    const std::chrono::milliseconds window_;
    Clock clock_;
    std::mutex mutex_;
    std::unordered_map<std::string, Window> windows_;
    std::chrono::steady_clock::time_point last_prune_{};
};

}  // namespace clara::service
