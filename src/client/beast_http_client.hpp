#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "client/outbound_policy.hpp"
#include "engine/http_client.hpp"

namespace boost::asio {
class io_context;
}

namespace clara::client {

namespace detail {
struct ClientCore;
}

/// Transport settings of the outbound client (the policy is separate).
struct ClientSettings {
    std::chrono::milliseconds connect_timeout{10000};  ///< per TCP connect (kConnect when over)
    std::chrono::milliseconds tls_handshake_timeout{10000};  ///< kTls when over
    /// Idle keep-alive connections are closed after this.
    std::chrono::milliseconds idle_timeout{15000};
    std::size_t max_idle_per_origin = 4;  ///< per (scheme, host, port, address)
    std::size_t max_idle_total = 64;
    std::size_t max_header_bytes = 64 * 1024;  ///< response header cap (kTooLarge when over)
    /// PEM file of extra CA certificates to trust besides the system store (a private CA;
    /// tests use it for a self-signed server). Empty: system store only.
    std::string extra_ca_file{};
    std::string user_agent = "Clara-Agent-Runner/1.0";  ///< sent when the request has none
};

/// engine::HttpClient on Boost.Beast and OpenSSL, running on the server's io_context: async
/// DNS, TLS with SNI, peer and host name verification, keep-alive pool, per-phase timeouts,
/// size cap while reading, redirects through the policy on every hop.
/// Error kinds: total timeout or execution deadline → kTimeout; connect timeout → kConnect;
/// TLS handshake timeout → kTls.
class BeastHttpClient final : public engine::HttpClient {
public:
    /// Throws std::runtime_error when the TLS context cannot be set up (e.g. a bad CA file).
    BeastHttpClient(boost::asio::io_context& io,
                    OutboundPolicy policy,
                    ClientSettings settings = {});
    /// Closes idle connections; calls in flight still complete.
    ~BeastHttpClient() override;

    // engine::HttpClient
    void send(engine::OutboundRequest request,
              engine::ExecutionContext& ctx,
              engine::OutboundDone done,
              engine::OutboundChunkHandler on_chunk = {}) override;

    /// Idle keep-alive connections currently pooled.
    std::size_t idle_connections() const;
    /// Closes every idle connection (e.g. at shutdown).
    void close_idle();

    const OutboundPolicy& policy() const;

private:
    std::shared_ptr<detail::ClientCore> core_;
};

}  // namespace clara::client
