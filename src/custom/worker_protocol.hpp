#pragma once

// The messages between the runner and a sandbox worker: one JSON object per line (the full
// description is at the top of sandbox_worker.js).

#include "engine/http_client.hpp"
#include "engine/script_sandbox.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace clara::custom {

/// The worker has started.
struct WorkerReady {
    std::string version;
};

/// A line the code logged.
struct WorkerLog {
    std::uint64_t call_id = 0;
    std::string level;  ///< info | debug | warn | error
    std::string message;
};

/// The code called fetch(); the runner answers with encode_fetch_result.
struct WorkerFetch {
    std::uint64_t call_id = 0;
    std::int64_t fetch_id = 0;
    std::string url;
    std::string method;
    engine::OutboundHeaders headers;
    std::string body;
};

/// The call ended.
struct WorkerResult {
    std::uint64_t call_id = 0;
    engine::ScriptOutcome outcome;
};

using WorkerMessage = std::variant<WorkerReady, WorkerLog, WorkerFetch, WorkerResult>;

/// Reads one line from a worker; nullopt when it is not a well-formed message.
std::optional<WorkerMessage> parse_worker_message(std::string_view line);

/// Why `fetch` cannot be sent as it is (a method or header name that is not an HTTP token, a
/// header value with CR, LF or NUL), or nullopt when it can.
std::optional<std::string> check_fetch(const WorkerFetch& fetch);

/// The line that starts a call, with the time the worker may spend on it.
std::string encode_call(std::uint64_t call_id, const engine::ScriptCall& call,
                        std::chrono::milliseconds time_left, bool fetch_enabled);

/// The line that answers a fetch (the body travels as base64).
std::string encode_fetch_result(std::uint64_t call_id, std::int64_t fetch_id,
                                const engine::OutboundResult& result);

/// The line that refuses a fetch with `message`.
std::string encode_fetch_error(std::uint64_t call_id, std::int64_t fetch_id,
                               std::string_view message);

}  // namespace clara::custom
