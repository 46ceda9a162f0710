#include "service/rate_limit_counter.hpp"

#include "service/memory_rate_limit_counter.hpp"
#include "service/store_rate_limit_counter.hpp"
#include "storage/store.hpp"

namespace clara::service {

std::unique_ptr<RateLimitCounter> make_rate_limit_counter(storage::Store& store,
                                                          std::uint64_t limit,
                                                          std::chrono::milliseconds window) {
    if (store.shared_by_instances()) {
        return std::make_unique<StoreRateLimitCounter>(store, limit, window);
    }
    return std::make_unique<MemoryRateLimitCounter>(limit, window);
}

}  // namespace clara::service
