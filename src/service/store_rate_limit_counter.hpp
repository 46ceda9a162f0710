#pragma once

#include "service/rate_limit_counter.hpp"

#include <atomic>
#include <cstdint>
#include <functional>

namespace clara::storage {
class Store;
}

namespace clara::service {

/// Counts in the database (`api_rate_limits`), so that every instance on it enforces one limit
/// together. Windows are fixed and aligned on multiples of the window length since the Unix
/// epoch of this instance's wall clock: instances whose clocks agree (NTP) count in the same
/// window, and the reset time comes from the clock that chose the window. hit() blocks.
///
/// When the database cannot be reached the request is let through (fail open), with a warning
/// at most once a minute: /health already reports the outage, and recording the execution
/// fails anyway. Now and then (at most once a window and once a minute per instance) a hit also
/// deletes the windows that ended before the previous one, so the table stays small.
class StoreRateLimitCounter final : public RateLimitCounter {
public:
    /// Milliseconds since the Unix epoch; thread-safe.
    using WallClock = std::function<std::int64_t()>;

    /// `clock` defaults to the system clock.
    StoreRateLimitCounter(storage::Store& store, std::uint64_t limit,
                          std::chrono::milliseconds window, WallClock clock = {});

    std::optional<RateDecision> hit(const std::string& api_key_hash,
                                    const std::string& workflow_id) override;
    bool blocks() const override { return true; }
    std::uint64_t limit() const override { return limit_; }
    std::chrono::milliseconds window() const override { return window_; }

private:
    void prune_if_due(std::int64_t now_ms, std::int64_t window_start_ms);
    void warn_let_through(std::int64_t now_ms, const char* reason);

    storage::Store& store_;
    const std::uint64_t limit_;
    const std::chrono::milliseconds window_;
    WallClock clock_;
    std::atomic<std::int64_t> next_prune_ms_{0};
    std::atomic<std::int64_t> next_warning_ms_{0};
    std::atomic<std::uint64_t> let_through_{0};  ///< since the last warning
};

}  // namespace clara::service
