#include "service/store_rate_limit_counter.hpp"

#include "storage/store.hpp"
#include "util/time_format.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <exception>

namespace clara::service {
namespace {

constexpr std::int64_t kMinute = 60'000;

}  // namespace

StoreRateLimitCounter::StoreRateLimitCounter(storage::Store& store, std::uint64_t limit,
                                             std::chrono::milliseconds window, WallClock clock)
    : store_(store),
      limit_(limit),
      window_(std::max(window, std::chrono::milliseconds(1))),
      clock_(clock ? std::move(clock) : WallClock([] { return util::now_ms(); })) {}

std::optional<RateDecision> StoreRateLimitCounter::hit(const std::string& api_key_hash,
                                                       const std::string& workflow_id) {
    const std::int64_t now = clock_();
    const std::int64_t length = window_.count();
    // Floor division, so that the window is aligned for any clock value.
    const std::int64_t window_start = now - ((now % length) + length) % length;
    std::optional<std::int64_t> count;
    try {
        count = store_.count_rate_limited_request(api_key_hash, workflow_id, window_start,
                                                  static_cast<std::int64_t>(limit_));
    } catch (const std::exception& e) {
        warn_let_through(now, e.what());
        return std::nullopt;
    }
    prune_if_due(now, window_start);

    RateDecision decision;
    decision.allowed = count.has_value();
    decision.limit = limit_;
    const auto counted = static_cast<std::uint64_t>(count.value_or(0));
    decision.remaining = count ? limit_ - std::min(counted, limit_) : 0;
    // Round up: a client told "0 s" would retry too early.
    decision.reset = std::chrono::ceil<std::chrono::seconds>(
        std::chrono::milliseconds(window_start + length - now));
    return decision;
}

void StoreRateLimitCounter::prune_if_due(std::int64_t now_ms, std::int64_t window_start_ms) {
    auto due = next_prune_ms_.load();
    // One caller per period prunes; the others go on without waiting for it.
    if (now_ms < due ||
        !next_prune_ms_.compare_exchange_strong(due, now_ms + std::max(window_.count(), kMinute))) {
        return;
    }
    // The previous window is kept: an instance whose clock lags a little may still count in it.
    try {
        store_.delete_rate_limit_windows_before(window_start_ms - window_.count());
    } catch (const std::exception& e) {
        spdlog::warn("could not delete ended rate-limit windows: {}", e.what());
    }
}

void StoreRateLimitCounter::warn_let_through(std::int64_t now_ms, const char* reason) {
    ++let_through_;
    auto due = next_warning_ms_.load();
    if (now_ms < due || !next_warning_ms_.compare_exchange_strong(due, now_ms + kMinute)) {
        return;
    }
    spdlog::warn("rate limits cannot be counted in the database, so {} request(s) went through "
                 "unlimited since the last warning: {}",
                 let_through_.exchange(0), reason);
}

}  // namespace clara::service
