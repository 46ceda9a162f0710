#pragma once

// One chat call of a model node: send, wait, record the token usage, and turn transport
// failures, malformed answers and provider errors into the node's failures.

#include "engine/node.hpp"
#include "nodes/llm/chat_message.hpp"
#include "nodes/llm/provider_route.hpp"
#include "nodes/node_services.hpp"

#include <functional>
#include <optional>
#include <string>

namespace clara::nodes::llm {

/// How a node words its failures and where it logs.
struct CallLabels {
    std::string node_id;    ///< for the execution log
    std::string prefix;     ///< wraps every failure, e.g. "LLM execution failed: "
    std::string api_error;  ///< names a non-2xx answer, e.g. "LLM API error"
};

/// The provider's HTTP answer: a parsed reply for 2xx, else the status.
struct ChatOutcome {
    unsigned status = 0;
    std::string status_text;
    std::optional<ChatReply> reply;  ///< set for 2xx
};

/// Continues a node run with a chat call's outcome; may throw NodeFailure (see send_outbound).
using ChatContinuation = std::function<void(ChatOutcome outcome)>;

/// Sends `request` to `route` (timeout LLM_TIMEOUT_MS, body cap NODE_MAX_RESPONSE_BYTES) and
/// calls `then` with the answer. Token usage of a 2xx answer is added to the execution. Throws
/// or fails the run with labels.prefix + message for: a request the provider cannot express
/// (kNode), no answer (kUpstream, kUpstreamTimeout for a timeout), a 2xx answer that is not the
/// provider's JSON (kUpstream). A non-2xx answer's body goes to the execution log only.
void send_chat(engine::NodeRun& run, const NodeServices& services, const ProviderRoute& route,
               ChatRequest request, const CallLabels& labels, ChatContinuation then);

/// The failure for a non-2xx answer (kUpstream): 401 and 403 get the spec's explanations,
/// others "<api_error>: <status> <text>"; the provider's host is named at the end.
engine::NodeFailure status_failure(const ChatOutcome& outcome, const ProviderRoute& route,
                                   const CallLabels& labels);

/// The reason phrase for `status` when a server sent none ("" for unknown codes).
std::string_view standard_status_text(unsigned status);

/// " (provider <host>)": the suffix that names the provider in failures.
std::string provider_suffix(const ProviderRoute& route);

}  // namespace clara::nodes::llm
