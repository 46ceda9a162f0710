#pragma once

// How a service node makes an outbound call and finishes its run from the answer.

#include "engine/http_client.hpp"
#include "engine/node.hpp"
#include "nodes/node_services.hpp"

#include <functional>
#include <string>
#include <string_view>

namespace clara::nodes {

/// Continues a node run with an outbound call's outcome. It may call run.succeed(), start
/// another call, or throw NodeFailure (the run then fails with that message and kind).
using OutboundContinuation = std::function<void(engine::OutboundResult result)>;

/// Sends `request` through services.http for `run` and calls `then` with the outcome, keeping
/// the execution alive meanwhile. Exceptions from `then` fail the run: NodeFailure with its
/// kind, anything else as an unexpected error.
void send_outbound(engine::NodeRun& run, const NodeServices& services,
                   engine::OutboundRequest request, OutboundContinuation then);

/// Waits `delay` (bounded by the execution's cancellation) and then calls `then(elapsed)`;
/// exceptions fail the run as in send_outbound.
void wait_then(engine::NodeRun& run, const NodeServices& services,
               std::chrono::milliseconds delay, std::function<void(bool elapsed)> then);

/// Runs `step` and turns what it throws into a failed run, as the helpers above do; for the
/// synchronous start of a service node.
void run_guarded(engine::NodeRun& run, const std::function<void()>& step);

/// The failure for a call that got no response: a timeout (504), a destination the outbound
/// policy refuses (the node's configuration: 500) or another transport error (502); `prefix`
/// is the node's wording, e.g. "LLM execution failed: ".
engine::NodeFailure transport_failure(const engine::OutboundError& error,
                                      std::string_view prefix);

/// The response, or throws transport_failure(error, prefix).
engine::OutboundResponse take_response(engine::OutboundResult& result, std::string_view prefix);

/// The value of header `name` (case-insensitive) or "".
std::string header_value(const engine::OutboundHeaders& headers, std::string_view name);

/// True for 200..299.
inline bool is_success(unsigned status) { return status >= 200 && status <= 299; }

/// Adds a deploy warning naming the node and `url` when the outbound policy will refuse it
/// (nodes.md § 0.3), so the failure is visible before the first call.
void warn_if_refused(const NodeServices& services, const engine::NodeDecl& node,
                     std::string_view url, engine::Diagnostics& diag);

/// "https://host/v1/" → "https://host/v1": trimmed, trailing slashes removed.
std::string trim_base_url(std::string_view url);

/// At most `limit` bytes of `text` (cut on a UTF-8 boundary), for logs and messages.
std::string shorten(std::string_view text, std::size_t limit = 500);

}  // namespace clara::nodes
