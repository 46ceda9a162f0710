#pragma once

// The outbound HTTP(S) client as nodes see it. The implementation (Beast, in src/client/) stays
// behind this interface so nodes and the engine never include Asio or Beast.

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace clara::engine {

class ExecutionContext;

/// Header fields in order; names compare case-insensitively.
using OutboundHeaders = std::vector<std::pair<std::string, std::string>>;

/// Default cap on a node's response body (NODE_MAX_RESPONSE_BYTES, nodes.md § 0.3).
inline constexpr std::size_t kDefaultMaxResponseBytes = 20 * 1024 * 1024;
/// Default cap on an api-request node's response body (API_REQUEST_MAX_BYTES).
inline constexpr std::size_t kDefaultApiRequestMaxBytes = 10 * 1024 * 1024;

/// One outbound call. The client manages Host, Content-Length, Transfer-Encoding and
/// Connection itself; those names in `headers` are ignored.
struct OutboundRequest {
    std::string method = "GET";  ///< any token, sent as given (e.g. "POST")
    std::string url;             ///< absolute http:// or https:// URL, no user:password@
    OutboundHeaders headers;
    std::string body;  ///< sent with Content-Length when non-empty, and always for POST/PUT/PATCH
    /// The call's own time budget, from sending until the whole body is read. The client uses
    /// min(timeout, time left before the execution deadline). Zero: only the deadline applies.
    std::chrono::milliseconds timeout{30000};
    /// Body cap, enforced while reading (kTooLarge when over).
    std::size_t max_response_bytes = kDefaultMaxResponseBytes;
    bool follow_redirects = true;  ///< false: a 3xx is returned as the response
    int max_redirects = 5;         ///< more hops than this fail with kProtocol
};

/// The final response (after redirects).
struct OutboundResponse {
    unsigned status = 0;
    std::string reason;  ///< status text as sent by the server (may be empty)
    OutboundHeaders headers;
    /// The body. Empty when the body went to `on_chunk` instead (streaming of a 2xx response).
    std::string body;
    std::string url;    ///< URL of the final hop
    int redirects = 0;  ///< redirects followed
};

/// Why a call failed.
enum class OutboundErrorKind {
    kPolicy,     ///< refused by the outbound policy (scheme, SSRF guard) before connecting
    kDns,        ///< the host name did not resolve
    kConnect,    ///< no TCP connection (refused, unreachable, connect timeout)
    kTls,        ///< TLS handshake or certificate verification failed
    kTimeout,    ///< the call's timeout or the execution deadline passed
    kTooLarge,   ///< the response body exceeded max_response_bytes
    kProtocol,   ///< malformed response, connection lost mid-response, too many redirects
    kCancelled,  ///< the execution was cancelled
};

/// A failed call. `message` names the host (never the path, query or headers, which may carry
/// secrets) and is safe to show users.
struct OutboundError {
    OutboundErrorKind kind = OutboundErrorKind::kProtocol;
    std::string message;
};

using OutboundResult = std::variant<OutboundResponse, OutboundError>;

/// Short lower-case name of an error kind ("policy", "timeout", ...), for logs and messages.
inline std::string_view to_string(OutboundErrorKind kind) {
    switch (kind) {
        case OutboundErrorKind::kPolicy:
            return "policy";
        case OutboundErrorKind::kDns:
            return "dns";
        case OutboundErrorKind::kConnect:
            return "connect";
        case OutboundErrorKind::kTls:
            return "tls";
        case OutboundErrorKind::kTimeout:
            return "timeout";
        case OutboundErrorKind::kTooLarge:
            return "too_large";
        case OutboundErrorKind::kProtocol:
            return "protocol";
        case OutboundErrorKind::kCancelled:
            return "cancelled";
    }
    return "unknown";
}

/// Receives a piece of a streamed response body, in order.
using OutboundChunkHandler = std::function<void(std::string_view chunk)>;
/// Receives the outcome of a call.
using OutboundDone = std::function<void(OutboundResult result)>;

/// The one outbound HTTP(S) client. Every call goes through the outbound policy (nodes.md § 0.3):
/// http/https only, the SSRF guard on every hop, redirects, timeouts and the response size cap.
/// Safe to call from any thread.
class HttpClient {
public:
    virtual ~HttpClient() = default;

    /// Sends `request`. `done` is called exactly once, on a client thread and never inside
    /// send(). The call honours ctx.deadline() (time left) and ctx.on_cancel() (the connection
    /// is closed and `done` gets kCancelled). `ctx` must stay alive until `done` runs (hold
    /// NodeRun::keep_alive()); the client does not touch it afterwards.
    /// With `on_chunk`, the body of a 2xx final response is streamed to it as bytes arrive (on a
    /// client thread, before `done`, the size cap still enforced) and the response's body stays
    /// empty; other statuses keep their body in the response.
    virtual void send(OutboundRequest request,
                      ExecutionContext& ctx,
                      OutboundDone done,
                      OutboundChunkHandler on_chunk = {}) = 0;
};

}  // namespace clara::engine
