#pragma once

#include "service/rate_limit_counter.hpp"
#include "service/rate_limiter.hpp"

namespace clara::service {

/// Counts in this process (a runner on SQLite is the only one on its database). A window
/// starts with the first request of its key. Never blocks and never fails.
class MemoryRateLimitCounter final : public RateLimitCounter {
public:
    MemoryRateLimitCounter(std::uint64_t limit, std::chrono::milliseconds window,
                           FixedWindowRateLimiter::Clock clock = [] {
                               return std::chrono::steady_clock::now();
                           });

    std::optional<RateDecision> hit(const std::string& api_key_hash,
                                    const std::string& workflow_id) override;
    bool blocks() const override { return false; }
    std::uint64_t limit() const override { return limiter_.limit(); }
    std::chrono::milliseconds window() const override { return limiter_.window(); }

private:
    FixedWindowRateLimiter limiter_;
};

}  // namespace clara::service
