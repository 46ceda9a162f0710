#pragma once

#include "service/rate_limiter.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace clara::storage {
class Store;
}

namespace clara::service {

/// Counts workflow executions per API key and workflow against RATE_LIMIT_MAX_REQUESTS per
/// RATE_LIMIT_WINDOW_MS, exactly under concurrency. Safe to call from several threads.
class RateLimitCounter {
public:
    virtual ~RateLimitCounter() = default;

    /// Counts one request of the key with hash `api_key_hash` on the workflow `workflow_id`
    /// and says whether it is within the limit. nullopt when the request could not be counted
    /// (the shared counter is unreachable): it is let through.
    virtual std::optional<RateDecision> hit(const std::string& api_key_hash,
                                            const std::string& workflow_id) = 0;

    /// Whether hit() waits for the database, so that callers must run it off the I/O threads.
    virtual bool blocks() const = 0;

    virtual std::uint64_t limit() const = 0;
    virtual std::chrono::milliseconds window() const = 0;
};

/// The counter for a runner on `store`: in the database when several instances may share it
/// (PostgreSQL), so that they enforce one limit together; in memory otherwise (SQLite).
std::unique_ptr<RateLimitCounter> make_rate_limit_counter(storage::Store& store,
                                                          std::uint64_t limit,
                                                          std::chrono::milliseconds window);

}  // namespace clara::service
