#pragma once

#include "service/blocking_pool.hpp"
#include "service/execution_gate.hpp"

#include <boost/asio/awaitable.hpp>

namespace clara::cli {

/// Every few seconds while no execution runs or waits, hands the allocator's free memory back to
/// the system (glibc keeps it otherwise): after a burst of thousands of executions the process
/// returns to its resting size instead of keeping the burst's peak. Runs until its executor
/// stops.
boost::asio::awaitable<void> release_memory_when_idle(const service::ExecutionGate& gate,
                                                      service::BlockingPool& blocking);

}  // namespace clara::cli
