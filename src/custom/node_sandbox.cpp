#include "custom/node_sandbox.hpp"

#include "custom/child_process.hpp"
#include "custom/worker_protocol.hpp"
#include "custom/worker_script.hpp"
#include "engine/execution_context.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <array>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>

namespace clara::custom {
namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

namespace {

/// Longest line a worker may send (a 1 MiB result or a 2 MiB fetch body, JSON-escaped).
constexpr std::size_t kMaxLineBytes = 8 * 1024 * 1024;
/// How much of a worker's stderr is kept to explain its end.
constexpr std::size_t kStderrTailBytes = 4096;
constexpr int kMinNodeMajor = 20;
/// The worker ends a call at its time limit itself; the runner kills it this much later if
/// it has not (its event loop blocked outside the vm timeout, say).
constexpr auto kKillGrace = milliseconds(1000);
constexpr auto kReapInterval = milliseconds(20);
constexpr int kReapAttempts = 500;

struct Worker;

/// One run() from submission to its outcome.
struct Call {
    explicit Call(asio::io_context& io) : timer(io) {}

    std::uint64_t id = 0;
    engine::ScriptCall script;
    engine::ExecutionContext* ctx = nullptr;  // alive while script.keep_alive is held
    std::function<void(engine::ScriptOutcome)> done;
    asio::steady_timer timer;
    Clock::time_point deadline;  // the code's time limit, set when a worker takes the call
    std::shared_ptr<Worker> worker;
    bool finished = false;
};

/// One Node.js process and this process's ends of its streams.
struct Worker {
    explicit Worker(asio::io_context& io) : input(io), output(io), errors(io) {}

    pid_t pid = -1;
    asio::local::stream_protocol::socket input;
    asio::local::stream_protocol::socket output;
    asio::posix::stream_descriptor errors;
    std::string read_buffer;
    std::array<char, 1024> error_chunk{};
    std::string stderr_tail;
    std::deque<std::string> writes;
    bool writing = false;
    std::shared_ptr<Call> call;
    bool ready = false;
    bool dead = false;  // killed or exited: takes no call and its messages are ignored
    bool output_closed = false;
    bool errors_closed = false;
};

engine::ScriptOutcome failure(std::string message, bool timed_out = false) {
    engine::ScriptOutcome outcome;
    outcome.error = std::move(message);
    outcome.timed_out = timed_out;
    return outcome;
}

/// The last non-empty line of `text`.
std::string last_line(std::string_view text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) {
        text.remove_suffix(1);
    }
    const auto newline = text.rfind('\n');
    return std::string(newline == std::string_view::npos ? text : text.substr(newline + 1));
}

int major_version(const std::string& version) {
    std::size_t i = !version.empty() && version.front() == 'v' ? 1 : 0;
    int major = 0;
    for (; i < version.size() && version[i] >= '0' && version[i] <= '9'; ++i) {
        major = major * 10 + (version[i] - '0');
    }
    return major;
}

class Pool final : public NodeSandbox, public std::enable_shared_from_this<Pool> {
public:
    Pool(asio::io_context& io, SandboxSettings settings,
         std::shared_ptr<engine::HttpClient> fetch_client, std::string node_path,
         std::string version)
        : io_(io),
          settings_(std::move(settings)),
          fetch_client_(std::move(fetch_client)),
          fetch_on_(settings_.fetch_enabled && fetch_client_ != nullptr),
          script_(std::make_unique<WorkerScriptFile>(embedded_worker_script())) {
        stats_.node_version = std::move(version);
        settings_.workers = std::max<std::size_t>(1, settings_.workers);
        argv_ = worker_command(node_path, script_->path(), settings_.memory_mb);
    }

    // Without shutdown() (e.g. the io_context is gone): end the processes, notify nobody.
    ~Pool() override {
        for (const auto& worker : workers_) {
            kill_child(worker->pid);
            reap_child_blocking(worker->pid, std::chrono::seconds(2));
        }
    }

    void start() {
        std::lock_guard lock(mutex_);
        for (std::size_t i = 0; i < settings_.workers; ++i) {
            if (spawn_locked() == nullptr) {
                throw std::runtime_error("custom nodes: cannot start " + argv_.front() + ": " +
                                         spawn_error_);
            }
        }
    }

    void run(engine::ScriptCall script, engine::ExecutionContext& ctx,
             std::function<void(engine::ScriptOutcome)> done) override {
        auto call = std::make_shared<Call>(io_);
        call->script = std::move(script);
        call->ctx = &ctx;
        call->done = std::move(done);
        std::uint64_t id = 0;
        {
            std::lock_guard lock(mutex_);
            if (stopped_) {
                asio::post(io_, [done = std::move(call->done)] {
                    done(failure("the custom node runtime was shut down"));
                });
                return;
            }
            id = call->id = next_call_id_++;
            ++stats_.calls;
            calls_.emplace(id, call);
            queue_.push_back(call);
            // While queued only the execution's deadline applies; the code's own limit starts
            // when a worker takes the call.
            if (ctx.deadline() != Clock::time_point::max()) {
                arm_timer_locked(call, ctx.deadline());
            }
        }
        // Outside the lock: the hook runs at once when the execution is already cancelled.
        ctx.on_cancel([weak = weak_from_this(), id] {
            if (auto self = weak.lock()) {
                self->end_call(id, failure("Execution cancelled"));
            }
        });
        std::lock_guard lock(mutex_);
        dispatch_locked();
    }

    void shutdown() override {
        std::vector<pid_t> pids;
        {
            std::lock_guard lock(mutex_);
            if (stopped_) {
                return;
            }
            stopped_ = true;
            const auto calls = calls_;
            for (const auto& [id, call] : calls) {
                finish_locked(call, failure("the custom node runtime was shut down"));
            }
            queue_.clear();
            for (const auto& worker : workers_) {
                worker->dead = true;
                kill_child(worker->pid);
                close_streams(*worker);
                pids.push_back(worker->pid);
            }
            workers_.clear();
            pids.insert(pids.end(), unreaped_.begin(), unreaped_.end());
            unreaped_.clear();
        }
        for (const auto pid : pids) {
            reap_child_blocking(pid, std::chrono::seconds(2));
        }
        script_.reset();
    }

    SandboxStats stats() const override {
        std::lock_guard lock(mutex_);
        auto stats = stats_;
        for (const auto& worker : workers_) {
            stats.worker_pids.push_back(worker->pid);
        }
        return stats;
    }

private:
    void arm_timer_locked(const std::shared_ptr<Call>& call, Clock::time_point at) {
        call->timer.expires_at(at);
        call->timer.async_wait(
            [weak = weak_from_this(), id = call->id](const boost::system::error_code& ec) {
                if (auto self = weak.lock(); self && !ec) {
                    self->end_call(id, failure("Execution timeout", true));
                }
            });
    }

    /// Ends call `id` with `outcome` if it is still open; a worker busy with it is killed.
    void end_call(std::uint64_t id, engine::ScriptOutcome outcome) {
        std::lock_guard lock(mutex_);
        const auto it = calls_.find(id);
        if (it == calls_.end()) {
            return;
        }
        const auto call = it->second;
        const auto worker = call->worker;
        finish_locked(call, std::move(outcome));
        if (worker != nullptr) {
            kill_locked(worker);
        }
        dispatch_locked();
    }

    /// Hands queued calls to idle started workers, starting workers up to the pool size (a
    /// call waits for a starting worker, so start-up time never counts as the code's time).
    void dispatch_locked() {
        while (!stopped_ && !queue_.empty()) {
            const auto call = queue_.front();
            if (call->finished) {
                queue_.pop_front();
                continue;
            }
            std::shared_ptr<Worker> worker;
            bool starting = false;
            for (const auto& candidate : workers_) {
                if (candidate->call == nullptr && !candidate->ready) {
                    starting = true;
                } else if (candidate->call == nullptr) {
                    worker = candidate;
                    break;
                }
            }
            if (worker == nullptr) {
                if (!starting && workers_.size() < settings_.workers && spawn_locked() == nullptr) {
                    fail_queue_locked("the custom node runtime could not start: " + spawn_error_);
                }
                return;  // a worker that becomes ready or free dispatches again
            }
            queue_.pop_front();
            const auto now = Clock::now();
            const auto deadline = call->ctx->deadline();
            const auto left = std::min<milliseconds>(
                settings_.timeout, std::chrono::duration_cast<milliseconds>(deadline - now));
            if (left.count() <= 0) {
                finish_locked(call, failure("Execution timeout", true));
                continue;
            }
            call->deadline = now + left;
            arm_timer_locked(call, std::min(now + settings_.timeout + kKillGrace, deadline));
            call->worker = worker;
            worker->call = call;
            write_locked(worker, encode_call(call->id, call->script, left, fetch_on_));
        }
    }

    void fail_queue_locked(const std::string& message) {
        const auto waiting = queue_;
        queue_.clear();
        for (const auto& call : waiting) {
            finish_locked(call, failure(message));
        }
    }

    /// Marks the call finished and hands its outcome to `done` on the io_context.
    void finish_locked(const std::shared_ptr<Call>& call, engine::ScriptOutcome outcome) {
        if (call->finished) {
            return;
        }
        call->finished = true;
        call->timer.cancel();
        calls_.erase(call->id);
        if (call->worker != nullptr && call->worker->call == call) {
            call->worker->call.reset();
        }
        call->worker.reset();
        // keep_alive is released in the handler too: the execution may end with it, and that
        // must not happen under this lock.
        asio::post(io_, [done = std::move(call->done), outcome = std::move(outcome),
                         keep = std::move(call->script.keep_alive)]() mutable {
            done(std::move(outcome));
        });
    }

    std::shared_ptr<Worker> spawn_locked() {
        ChildProcess child;
        try {
            child = spawn_child(argv_);
        } catch (const std::exception& e) {
            spawn_error_ = e.what();
            spdlog::error("custom nodes: cannot start a worker: {}", spawn_error_);
            return nullptr;
        }
        auto worker = std::make_shared<Worker>(io_);
        worker->pid = child.pid;
        boost::system::error_code ec;
        worker->input.assign(asio::local::stream_protocol(), child.stdin_fd, ec);
        if (!ec) {
            worker->output.assign(asio::local::stream_protocol(), child.stdout_fd, ec);
        }
        if (!ec) {
            worker->errors.assign(child.stderr_fd, ec);
        }
        if (ec) {
            for (const int fd : {child.stdin_fd, child.stdout_fd, child.stderr_fd}) {
                ::close(fd);
            }
            kill_child(child.pid);
            reap_later(child.pid);
            spawn_error_ = ec.message();
            return nullptr;
        }
        ++stats_.workers_started;
        workers_.push_back(worker);
        read_output_locked(worker);
        read_errors_locked(worker);
        return worker;
    }

    void read_output_locked(const std::shared_ptr<Worker>& worker) {
        asio::async_read_until(worker->output,
                               asio::dynamic_buffer(worker->read_buffer, kMaxLineBytes), '\n',
                               [self = shared_from_this(), worker](
                                   const boost::system::error_code& ec, std::size_t length) {
                                   std::lock_guard lock(self->mutex_);
                                   self->on_output_locked(worker, ec, length);
                               });
    }

    void on_output_locked(const std::shared_ptr<Worker>& worker,
                          const boost::system::error_code& ec, std::size_t length) {
        if (worker->dead) {
            return;
        }
        if (ec == asio::error::not_found) {
            misbehaved_locked(worker, "the custom node runtime sent a message over the size limit");
            return;
        }
        if (ec) {
            worker->output_closed = true;
            if (worker->errors_closed) {
                exited_locked(worker);
            }
            return;
        }
        const std::string line = worker->read_buffer.substr(0, length - 1);
        worker->read_buffer.erase(0, length);
        handle_line_locked(worker, line);
        if (!worker->dead) {
            read_output_locked(worker);
        }
    }

    void read_errors_locked(const std::shared_ptr<Worker>& worker) {
        worker->errors.async_read_some(asio::buffer(worker->error_chunk),
                                       [self = shared_from_this(), worker](
                                           const boost::system::error_code& ec, std::size_t n) {
                                           std::lock_guard lock(self->mutex_);
                                           if (worker->dead) {
                                               return;
                                           }
                                           if (ec) {
                                               worker->errors_closed = true;
                                               if (worker->output_closed) {
                                                   self->exited_locked(worker);
                                               }
                                               return;
                                           }
                                           auto& tail = worker->stderr_tail;
                                           tail.append(worker->error_chunk.data(), n);
                                           if (tail.size() > kStderrTailBytes) {
                                               tail.erase(0, tail.size() - kStderrTailBytes);
                                           }
                                           self->read_errors_locked(worker);
                                       });
    }

    void handle_line_locked(const std::shared_ptr<Worker>& worker, std::string_view line) {
        auto message = parse_worker_message(line);
        if (!message) {
            misbehaved_locked(worker, "the custom node runtime sent an invalid message");
            return;
        }
        if (std::holds_alternative<WorkerReady>(*message)) {
            worker->ready = true;
            dispatch_locked();
            return;
        }
        const auto call = worker->call;
        if (auto* log = std::get_if<WorkerLog>(&*message)) {
            if (call != nullptr && call->id == log->call_id) {
                if (log->level == "warn" || log->level == "error") {
                    call->ctx->warn(call->script.node_id, std::move(log->message));
                } else {
                    call->ctx->info(call->script.node_id, std::move(log->message));
                }
            }
            return;
        }
        if (auto* fetch = std::get_if<WorkerFetch>(&*message)) {
            if (call != nullptr && call->id == fetch->call_id) {
                start_fetch_locked(worker, call, std::move(*fetch));
            }
            return;
        }
        auto& result = std::get<WorkerResult>(*message);
        if (call == nullptr || call->id != result.call_id) {
            return;
        }
        auto outcome = std::move(result.outcome);
        if (outcome.ok && outcome.value &&
            boost::json::serialize(*outcome.value).size() > engine::kMaxScriptResultBytes) {
            outcome = failure("the result is larger than 1 MiB");
        }
        const bool timed_out = outcome.timed_out;
        finish_locked(call, std::move(outcome));
        if (timed_out) {
            kill_locked(worker);  // never trust a worker that ran out of time
        }
        dispatch_locked();
    }

    void start_fetch_locked(const std::shared_ptr<Worker>& worker,
                            const std::shared_ptr<Call>& call, WorkerFetch fetch) {
        if (!fetch_on_) {
            write_locked(worker,
                         encode_fetch_error(call->id, fetch.fetch_id,
                                            "fetch is disabled (set CUSTOM_NODE_FETCH=true)"));
            return;
        }
        if (auto problem = check_fetch(fetch)) {
            write_locked(worker, encode_fetch_error(call->id, fetch.fetch_id, *problem));
            return;
        }
        engine::OutboundRequest request;
        request.method = fetch.method.empty() ? "GET" : std::move(fetch.method);
        request.url = std::move(fetch.url);
        request.headers = std::move(fetch.headers);
        request.body = std::move(fetch.body);
        request.timeout =
            std::max(milliseconds(1),
                     std::chrono::duration_cast<milliseconds>(call->deadline - Clock::now()));
        request.max_response_bytes = settings_.fetch_max_response_bytes;
        asio::post(io_, [client = fetch_client_, request = std::move(request), ctx = call->ctx,
                         keep = call->script.keep_alive, weak = weak_from_this(),
                         call_id = call->id, fetch_id = fetch.fetch_id]() mutable {
            client->send(std::move(request), *ctx,
                         [weak, call_id, fetch_id, keep](engine::OutboundResult result) {
                             if (auto self = weak.lock()) {
                                 self->deliver_fetch(call_id, fetch_id, result);
                             }
                         });
        });
    }

    void deliver_fetch(std::uint64_t call_id, std::int64_t fetch_id,
                       const engine::OutboundResult& result) {
        std::lock_guard lock(mutex_);
        const auto it = calls_.find(call_id);
        if (it == calls_.end() || it->second->worker == nullptr) {
            return;  // the call ended meanwhile
        }
        write_locked(it->second->worker, encode_fetch_result(call_id, fetch_id, result));
    }

    void write_locked(const std::shared_ptr<Worker>& worker, std::string line) {
        if (worker->dead) {
            return;
        }
        worker->writes.push_back(std::move(line));
        if (!worker->writing) {
            write_next_locked(worker);
        }
    }

    void write_next_locked(const std::shared_ptr<Worker>& worker) {
        worker->writing = true;
        asio::async_write(
            worker->input, asio::buffer(worker->writes.front()),
            [self = shared_from_this(), worker](const boost::system::error_code& ec, std::size_t) {
                std::lock_guard lock(self->mutex_);
                worker->writing = false;
                if (worker->dead || ec) {
                    // A worker that stopped reading has died; its streams closing
                    // (or the call's timer) deal with it.
                    return;
                }
                worker->writes.pop_front();
                if (!worker->writes.empty()) {
                    self->write_next_locked(worker);
                }
            });
    }

    /// The worker broke the protocol: its call fails with `message` and it is killed.
    void misbehaved_locked(const std::shared_ptr<Worker>& worker, const std::string& message) {
        spdlog::warn("custom nodes: worker {} killed: {}", worker->pid, message);
        if (const auto call = worker->call) {
            finish_locked(call, failure(message));
        }
        kill_locked(worker, true);
        dispatch_locked();
    }

    /// Both streams closed without us killing it: the process ended (crash, heap limit).
    void exited_locked(const std::shared_ptr<Worker>& worker) {
        const auto& tail = worker->stderr_tail;
        const bool out_of_memory = tail.find("heap out of memory") != std::string::npos ||
                                   tail.find("Reached heap limit") != std::string::npos;
        spdlog::warn("custom nodes: worker {} exited: {}", worker->pid,
                     out_of_memory ? "heap limit reached" : last_line(tail));
        if (const auto call = worker->call) {
            finish_locked(call,
                          failure(out_of_memory ? "Memory limit exceeded (" +
                                                      std::to_string(settings_.memory_mb) + " MiB)"
                                                : "the custom node runtime stopped unexpectedly"));
        }
        ++stats_.workers_crashed;
        if (!worker->ready) {
            // It died while starting: another would too, so the waiting calls fail now.
            fail_queue_locked("the custom node runtime could not start: " +
                              (tail.empty() ? std::string("the process exited") : last_line(tail)));
            retire_locked(worker, false);
            return;
        }
        retire_locked(worker, true);
        dispatch_locked();
    }

    /// Kills a worker. It is replaced at once (the pool stays warm) unless it broke the protocol
    /// before it ever started properly, which would only repeat.
    void kill_locked(const std::shared_ptr<Worker>& worker, bool misbehaved = false) {
        if (worker->dead) {
            return;
        }
        kill_child(worker->pid);
        ++stats_.workers_killed;
        retire_locked(worker, !misbehaved || worker->ready);
    }

    /// Takes an ended or killed worker out of the pool, starting another when `replace`.
    void retire_locked(const std::shared_ptr<Worker>& worker, bool replace) {
        worker->dead = true;
        if (const auto call = worker->call) {
            finish_locked(call, failure("the custom node runtime stopped unexpectedly"));
        }
        close_streams(*worker);
        workers_.erase(std::remove(workers_.begin(), workers_.end(), worker), workers_.end());
        reap_later(worker->pid);
        if (replace && !stopped_ && workers_.size() < settings_.workers) {
            spawn_locked();
        }
    }

    static void close_streams(Worker& worker) {
        boost::system::error_code ignored;
        worker.input.close(ignored);
        worker.output.close(ignored);
        worker.errors.close(ignored);
    }

    void reap_later(pid_t pid) {
        if (try_reap_child(pid)) {
            return;
        }
        unreaped_.insert(pid);
        auto timer = std::make_shared<asio::steady_timer>(io_);
        poll_reap(timer, pid, 0);
    }

    void poll_reap(const std::shared_ptr<asio::steady_timer>& timer, pid_t pid, int attempt) {
        timer->expires_after(kReapInterval);
        timer->async_wait(
            [weak = weak_from_this(), timer, pid, attempt](const boost::system::error_code&) {
                const auto self = weak.lock();
                if (self == nullptr) {
                    return;
                }
                std::lock_guard lock(self->mutex_);
                if (!self->unreaped_.contains(pid)) {
                    return;  // shutdown took it over
                }
                if (try_reap_child(pid)) {
                    self->unreaped_.erase(pid);
                } else if (attempt + 1 >= kReapAttempts) {
                    spdlog::warn("custom nodes: worker {} did not exit after SIGKILL", pid);
                    self->unreaped_.erase(pid);
                } else {
                    self->poll_reap(timer, pid, attempt + 1);
                }
            });
    }

    asio::io_context& io_;
    SandboxSettings settings_;
    std::shared_ptr<engine::HttpClient> fetch_client_;
    const bool fetch_on_;
    std::unique_ptr<WorkerScriptFile> script_;
    std::vector<std::string> argv_;

    mutable std::mutex mutex_;
    bool stopped_ = false;
    std::uint64_t next_call_id_ = 1;
    std::map<std::uint64_t, std::shared_ptr<Call>> calls_;  // open calls
    std::deque<std::shared_ptr<Call>> queue_;               // open calls without a worker
    std::vector<std::shared_ptr<Worker>> workers_;          // live workers
    std::set<pid_t> unreaped_;
    std::string spawn_error_;
    SandboxStats stats_;
};

}  // namespace

std::vector<std::string> worker_command(const std::string& node_path,
                                        const std::string& script_path, std::size_t memory_mb) {
    return {node_path, "--experimental-permission", "--allow-fs-read=" + script_path,
            "--max-old-space-size=" + std::to_string(memory_mb),
            // Code of the worker's realm cannot eval: a function of it that leaked into a
            // context could not be turned into new code there.
            "--disallow-code-generation-from-strings", "--no-experimental-fetch", "--no-warnings",
            script_path};
}

std::shared_ptr<NodeSandbox> start_node_sandbox(asio::io_context& io, SandboxSettings settings,
                                                std::shared_ptr<engine::HttpClient> fetch_client) {
    const auto node_path = find_program(settings.node_binary);
    if (node_path.empty()) {
        throw std::runtime_error("custom nodes: Node.js was not found ('" + settings.node_binary +
                                 "' is not an executable file nor in PATH)");
    }
    std::string version;
    try {
        version = program_version(node_path);
    } catch (const std::exception& e) {
        throw std::runtime_error("custom nodes: " + node_path + " does not run: " + e.what());
    }
    if (major_version(version) < kMinNodeMajor) {
        throw std::runtime_error(
            "custom nodes: Node.js 20 or later is required for its "
            "permission model; " +
            node_path + " is " + version);
    }
    auto pool = std::make_shared<Pool>(io, std::move(settings), std::move(fetch_client), node_path,
                                       version);
    pool->start();
    return pool;
}

}  // namespace clara::custom
