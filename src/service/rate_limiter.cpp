#include "service/rate_limiter.hpp"

namespace clara::service {

FixedWindowRateLimiter::FixedWindowRateLimiter(std::uint64_t limit, std::chrono::milliseconds window,
                                               Clock clock)
    : limit_(limit), window_(window), clock_(std::move(clock)) {}

RateDecision FixedWindowRateLimiter::hit(const std::string& key) {
    const auto now = clock_();
    std::lock_guard lock(mutex_);
    prune(now);
    return decide(windows_[key], now, true);
}

RateDecision FixedWindowRateLimiter::peek(const std::string& key) {
    const auto now = clock_();
    std::lock_guard lock(mutex_);
    const auto it = windows_.find(key);
    if (it == windows_.end()) {
        return RateDecision{true, limit_, limit_, std::chrono::duration_cast<std::chrono::seconds>(window_)};
    }
    return decide(it->second, now, false);
}

RateDecision FixedWindowRateLimiter::decide(Window& window, std::chrono::steady_clock::time_point now,
                                            bool count) {
    if (window.count == 0 || now - window.started >= window_) {
        window.started = now;
        window.count = 0;
    }
    const bool allowed = window.count < limit_;
    if (count && allowed) {
        ++window.count;
    }
    const auto left = window_ - (now - window.started);
    RateDecision decision;
    decision.allowed = allowed;
    decision.limit = limit_;
    decision.remaining = limit_ - std::min(window.count, limit_);
    // Round up: a client told "0 s" would retry too early.
    decision.reset = std::chrono::ceil<std::chrono::seconds>(left);
    return decision;
}

void FixedWindowRateLimiter::prune(std::chrono::steady_clock::time_point now) {
    // Expired windows are dropped once per window length, so memory follows active keys only.
    if (now - last_prune_ < window_) {
        return;
    }
    last_prune_ = now;
    std::erase_if(windows_, [&](const auto& entry) { return now - entry.second.started >= window_; });
}

}  // namespace clara::service
