#pragma once

#include "http/message.hpp"
#include "http/router.hpp"

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace clara::http {

/// Transport settings (from config::Settings).
struct ServerSettings {
    std::string host = "0.0.0.0";
    std::uint16_t port = 3000;  ///< 0 picks a free port (see Server::port())
    std::chrono::milliseconds header_timeout{15000};  ///< to receive a request's header
    std::chrono::milliseconds body_timeout{60000};    ///< to receive its body / send the reply
    std::chrono::milliseconds idle_timeout{65000};    ///< keep-alive wait for the next request
    std::size_t header_limit = 16 * 1024;
};

/// Builds the JSON error body for failures the transport detects itself
/// (400 malformed request, 404/405 no route, 413 body over the route's limit, 408/431).
using ErrorResponder =
    std::function<Response(unsigned status, std::string_view error, std::string_view message)>;

/// Called once per finished request, for the access log.
using AccessLogger =
    std::function<void(const Request&, const Response&, std::chrono::microseconds)>;

/// HTTP/1.1 server on Boost.Beast with C++20 coroutines: keep-alive, a fresh parser per message,
/// the route's body limit enforced while reading, per-phase timeouts, graceful drain.
/// The caller runs the io_context on any number of threads; each connection has its own strand,
/// so the router, the error responder and the access logger must be safe to call concurrently.
/// HEAD requests are served by the GET route with the body left out. The Router must outlive
/// the server's last connection.
class Server {
public:
    Server(boost::asio::io_context& io, ServerSettings settings, const Router& router,
           ErrorResponder error_responder, AccessLogger access_logger = {});
    /// Closes the listener and every connection at once, without draining.
    ~Server();

    /// Binds and starts accepting. Throws std::system_error when the address is unavailable.
    void start();

    /// The bound port (after start()).
    std::uint16_t port() const;

    /// Stops accepting; in-flight requests finish and get their responses (with
    /// `Connection: close`), idle keep-alive connections are closed. `on_drained` runs on the
    /// io_context when the last connection is gone.
    void shutdown(std::function<void()> on_drained);

    /// Connections currently open.
    std::size_t open_connections() const;

private:
    struct Impl;
    std::shared_ptr<Impl> impl_;
};

}  // namespace clara::http
