#include "client/asio_timer.hpp"

#include "engine/execution_context.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <memory>

namespace clara::client {
namespace net = boost::asio;

namespace {

struct PendingWait {
    explicit PendingWait(net::io_context& io) : strand(net::make_strand(io)), timer(strand) {}

    net::strand<net::io_context::executor_type> strand;
    net::steady_timer timer;
    std::function<void(bool)> done;
    bool cancelled = false;
};

}  // namespace

void AsioTimer::wait(std::chrono::milliseconds delay, engine::ExecutionContext& ctx,
                     std::function<void(bool elapsed)> done) {
    auto pending = std::make_shared<PendingWait>(io_);
    pending->done = std::move(done);
    net::post(pending->strand, [pending, delay] {
        if (pending->cancelled) {
            return;  // the cancellation arrived first and already answered
        }
        pending->timer.expires_after(delay);
        pending->timer.async_wait([pending](const boost::system::error_code& ec) {
            if (auto done = std::exchange(pending->done, nullptr)) {
                done(!ec && !pending->cancelled);
            }
        });
    });
    // The hook outlives the wait (hooks are never removed), so it holds it weakly.
    ctx.on_cancel([weak = std::weak_ptr<PendingWait>(pending)] {
        if (auto waiting = weak.lock()) {
            net::post(waiting->strand, [waiting] {
                waiting->cancelled = true;
                waiting->timer.cancel();
                if (auto done = std::exchange(waiting->done, nullptr)) {
                    done(false);
                }
            });
        }
    });
}

}  // namespace clara::client
