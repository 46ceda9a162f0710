#include "service/memory_rate_limit_counter.hpp"

namespace clara::service {

MemoryRateLimitCounter::MemoryRateLimitCounter(std::uint64_t limit,
                                               std::chrono::milliseconds window,
                                               FixedWindowRateLimiter::Clock clock)
    : limiter_(limit, window, std::move(clock)) {}

std::optional<RateDecision> MemoryRateLimitCounter::hit(const std::string& api_key_hash,
                                                        const std::string& workflow_id) {
    return limiter_.hit(api_key_hash + ":" + workflow_id);
}

}  // namespace clara::service
