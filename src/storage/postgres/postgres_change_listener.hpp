#pragma once

#include <atomic>
#include <chrono>
#include <string>
#include <string_view>
#include <thread>

#include "storage/postgres/postgres_options.hpp"
#include "storage/store.hpp"

namespace clara::storage {

/// Channel on which PostgresStore announces deployment changes (payload: the deployment id).
inline constexpr std::string_view kDeploymentChannel = "clara_deployments";

/// Listens on its own connection for the deployment changes PostgresStore announces (LISTEN
/// clara_deployments) and passes each deployment id to a callback, on a thread of its own that
/// sleeps in poll() on the connection's socket and on a wake-up descriptor used to stop it.
/// When the connection breaks it reconnects with a growing back-off (0.1 s to 5 s) and then
/// calls the callback with an empty id: notifications sent meanwhile are lost, so the receiver
/// reloads everything. An exception thrown by the callback is logged and otherwise ignored.
class PostgresChangeListener final : public DeploymentChangeSubscription {
public:
    /// Starts listening. Returns once the first attempt to connect has finished, so that a
    /// change made after a successful start is never missed; when that attempt failed, the
    /// thread keeps trying and the first successful connection reports an empty id.
    PostgresChangeListener(postgres::ConnectParams params, DeploymentChangeCallback callback);
    /// Stops the thread and waits for it; no callback runs after this returns.
    ~PostgresChangeListener() override;
    PostgresChangeListener(const PostgresChangeListener&) = delete;
    PostgresChangeListener& operator=(const PostgresChangeListener&) = delete;

    /// Whether a connection is listening right now.
    bool listening() const { return listening_.load(); }

private:
    void run();
    /// Sleeps up to `duration`; true when asked to stop meanwhile.
    bool stop_requested_within(std::chrono::milliseconds duration);
    void deliver(const std::string& deployment_id);
    void first_attempt_done();

    const postgres::ConnectParams params_;
    const DeploymentChangeCallback callback_;
    int wakeup_fd_ = -1;
    std::atomic<bool> listening_{false};
    std::atomic<bool> started_{false};
    std::thread thread_;
};

}  // namespace clara::storage
