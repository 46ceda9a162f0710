#pragma once

// Waiting without a thread, as nodes see it (polling, retry back-off). The implementation runs
// on the server's event loop (src/client/asio_timer.hpp); nodes never include Asio.

#include <chrono>
#include <functional>

namespace clara::engine {

class ExecutionContext;

/// One-shot waits bound to an execution.
class Timer {
public:
    virtual ~Timer() = default;

    /// Calls `done(true)` once `delay` has passed, or `done(false)` as soon as the execution is
    /// cancelled (deadline, shutdown). `done` runs exactly once, on an event-loop thread, never
    /// inside wait(). `ctx` must stay alive until then (hold NodeRun::keep_alive()).
    virtual void wait(std::chrono::milliseconds delay, ExecutionContext& ctx,
                      std::function<void(bool elapsed)> done) = 0;
};

}  // namespace clara::engine
