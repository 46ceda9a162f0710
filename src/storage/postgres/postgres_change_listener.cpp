#include "storage/postgres/postgres_change_listener.hpp"

#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>

#include "storage/postgres/pg_connection.hpp"

namespace clara::storage {
namespace {

using postgres::SteadyClock;

constexpr std::chrono::milliseconds kMinBackoff{100};
constexpr std::chrono::milliseconds kMaxBackoff{5000};
constexpr std::chrono::seconds kListenTimeout{5};

// The channel name is a constant identifier, so the statement is too.
constexpr std::string_view kListen = "LISTEN clara_deployments";

}  // namespace

PostgresChangeListener::PostgresChangeListener(postgres::ConnectParams params,
                                               DeploymentChangeCallback callback)
    : params_(std::move(params)), callback_(std::move(callback)) {
    wakeup_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (wakeup_fd_ < 0) {
        throw StorageError(std::string("cannot create the listener's wake-up descriptor: ") +
                           std::strerror(errno));
    }
    thread_ = std::thread([this] { run(); });
    started_.wait(false);
}

PostgresChangeListener::~PostgresChangeListener() {
    const std::uint64_t one = 1;
    // An eventfd write of 1 cannot fail short of an overflow that 2^64 stops would need.
    [[maybe_unused]] const auto written = ::write(wakeup_fd_, &one, sizeof one);
    thread_.join();
    ::close(wakeup_fd_);
}

void PostgresChangeListener::first_attempt_done() {
    started_ = true;
    started_.notify_all();
}

bool PostgresChangeListener::stop_requested_within(std::chrono::milliseconds duration) {
    const auto deadline = SteadyClock::now() + duration;
    for (;;) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now());
        pollfd wakeup{wakeup_fd_, POLLIN, 0};
        const int rc =
            ::poll(&wakeup, 1, static_cast<int>(std::max<std::int64_t>(left.count(), 0)));
        if (rc > 0) {
            return true;
        }
        if (rc == 0 || errno != EINTR) {
            return false;
        }
    }
}

void PostgresChangeListener::deliver(const std::string& deployment_id) {
    try {
        callback_(deployment_id);
    } catch (const std::exception& error) {
        spdlog::error("deployment change callback failed for '{}': {}", deployment_id,
                      error.what());
    } catch (...) {
        spdlog::error("deployment change callback failed for '{}'", deployment_id);
    }
}

void PostgresChangeListener::run() {
    bool first_attempt = true;
    bool reported_outage = false;
    auto backoff = kMinBackoff;
    for (;;) {
        std::unique_ptr<postgres::Connection> connection;
        try {
            connection = std::make_unique<postgres::Connection>(
                params_, SteadyClock::now() + params_.connect_timeout);
            connection->execute_script(kListen, SteadyClock::now() + kListenTimeout);
        } catch (const StorageError& error) {
            connection.reset();
            if (!reported_outage) {
                spdlog::warn("deployment change listener cannot listen ({}); retrying",
                             error.what());
                reported_outage = true;
            }
            if (first_attempt) {
                first_attempt = false;
                first_attempt_done();
            }
            if (stop_requested_within(backoff)) {
                return;
            }
            backoff = std::min(backoff * 2, kMaxBackoff);
            continue;
        }
        listening_ = true;
        backoff = kMinBackoff;
        if (first_attempt) {
            first_attempt = false;
            first_attempt_done();
        } else {
            if (reported_outage) {
                spdlog::info("deployment change listener is listening again");
            }
            // Whatever was announced while no connection listened is lost.
            deliver("");
        }
        reported_outage = false;

        for (;;) {
            pollfd descriptors[2] = {{connection->socket(), POLLIN, 0}, {wakeup_fd_, POLLIN, 0}};
            const int rc = ::poll(descriptors, 2, -1);
            if (rc < 0) {
                if (errno == EINTR) {
                    continue;
                }
                break;
            }
            if (descriptors[1].revents != 0) {
                listening_ = false;
                return;
            }
            if (descriptors[0].revents != 0) {
                const bool alive = connection->consume_input();
                for (const auto& deployment_id : connection->take_notifications()) {
                    deliver(deployment_id);
                }
                if (!alive) {
                    break;
                }
            }
        }
        listening_ = false;
        spdlog::warn("deployment change listener lost its connection; reconnecting");
        reported_outage = true;
        if (stop_requested_within(backoff)) {
            return;
        }
    }
}

}  // namespace clara::storage
