#include "http/server.hpp"

#include "http/request_target.hpp"

#include "util/crypto.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/object.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <mutex>
#include <system_error>
#include <unordered_map>

namespace clara::http {

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;
using boost::system::error_code;
using Strand = net::strand<net::io_context::executor_type>;
using Stream = beast::basic_stream<tcp, Strand>;
using SteadyClock = std::chrono::steady_clock;

// Errors come back as values (`auto [ec, n] = co_await ...`), never as exceptions.
constexpr auto kAsTuple = net::as_tuple(net::use_awaitable);

constexpr std::size_t kFirstReadSize = 1024;
// After an early final response (404/405/413) the unread part of the body is drained for a
// bounded time before closing, so the kernel does not answer with a RST that could destroy the
// response before the client has read it (RFC 9112 § 9.6, "lingering close").
constexpr std::chrono::milliseconds kLingerTime{1000};
constexpr std::size_t kLingerBytes = 1024 * 1024;
constexpr std::size_t kMaxRequestIdLength = 64;

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

std::string to_upper(std::string_view text) {
    std::string result(text);
    std::transform(result.begin(), result.end(), result.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    return result;
}

/// An incoming X-Request-Id is reused only when it cannot inject anything into logs or headers.
bool is_sane_request_id(std::string_view id) {
    return !id.empty() && id.size() <= kMaxRequestIdLength &&
           std::all_of(id.begin(), id.end(), [](unsigned char c) {
               return std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == ':';
           });
}

/// Splits a request target into the decoded path and query; false when it is not a valid URI.
bool is_http_error(const error_code& ec) {
    return ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category();
}

/// Failures that only mean the peer went away or was too slow; they end the connection quietly.
bool is_disconnect(const error_code& ec) {
    return ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message ||
           ec == net::error::eof || ec == net::error::connection_reset ||
           ec == net::error::operation_aborted || ec == beast::error::timeout ||
           ec == net::error::broken_pipe || ec == net::error::bad_descriptor;
}

std::string megabytes(std::size_t bytes) {
    return fmt::format("{:.2f}", static_cast<double>(bytes) / (1024.0 * 1024.0));
}

/// One accepted socket; `idle` and `draining` are only touched on the socket's strand.
struct Connection {
    explicit Connection(Stream s) : stream(std::move(s)) {}
    Stream stream;
    std::uint64_t id = 0;
    std::string client_address;
    bool idle = false;      ///< waiting for the first byte of the next request
    bool draining = false;  ///< the server is shutting down: answer the current request, then close
};

/// How a request was answered, for the session loop.
enum class Outcome { keep_alive, close, close_after_linger };

}  // namespace

struct Server::Impl : std::enable_shared_from_this<Impl> {
    Impl(net::io_context& io_context, ServerSettings server_settings, const Router& routes,
         ErrorResponder responder, AccessLogger logger)
        : io_(io_context),
          settings_(std::move(server_settings)),
          router_(routes),
          error_responder_(std::move(responder)),
          access_logger_(std::move(logger)),
          acceptor_(net::make_strand(io_context)) {}

    net::io_context& io_;
    const ServerSettings settings_;
    const Router& router_;
    const ErrorResponder error_responder_;
    const AccessLogger access_logger_;
    tcp::acceptor acceptor_;  // used only on its own strand once accepting
    std::atomic<std::uint16_t> bound_port_{0};

    mutable std::mutex mutex_;  // guards the members below
    std::unordered_map<std::uint64_t, std::shared_ptr<Connection>> connections_;
    std::uint64_t next_connection_id_ = 0;
    bool accepting_ = false;
    bool stopping_ = false;
    std::function<void()> on_drained_;

    void start();
    void begin_shutdown(std::function<void()> drained, bool hard);
    void notify_if_drained(std::unique_lock<std::mutex>& lock);
    std::shared_ptr<Connection> register_connection(tcp::socket::rebind_executor<Strand>::other
                                                        socket);
    void unregister_connection(std::uint64_t id);

    net::awaitable<void> accept_loop();
    net::awaitable<void> session(std::shared_ptr<Connection> connection);
    net::awaitable<Outcome> serve_one(Connection& connection, beast::flat_buffer& buffer,
                                      bool first);
    Response make_error(unsigned status, std::string_view error, std::string_view message) const;
    net::awaitable<error_code> write_response(Connection& connection, const Request& request,
                                              Response& response, unsigned version, bool close);
    net::awaitable<Outcome> finish(Connection& connection, const Request& request,
                                   Response response, unsigned version, bool close,
                                   SteadyClock::time_point started, bool unread_input);
    net::awaitable<void> linger_close(Connection& connection);
    void log_access(const Request& request, const Response& response,
                    SteadyClock::time_point started) const;

    /// Removes a connection from the table when its session ends, however it ends.
    class ConnectionGuard {
    public:
        ConnectionGuard(std::shared_ptr<Impl> impl, std::uint64_t id)
            : impl_(std::move(impl)), id_(id) {}
        ~ConnectionGuard() { impl_->unregister_connection(id_); }
        ConnectionGuard(const ConnectionGuard&) = delete;
        ConnectionGuard& operator=(const ConnectionGuard&) = delete;

    private:
        std::shared_ptr<Impl> impl_;
        std::uint64_t id_;
    };
};

void Server::Impl::start() {
    error_code ec;
    auto fail = [&](const char* what) {
        throw std::system_error(ec, fmt::format("http server: {} {}:{}", what, settings_.host,
                                                settings_.port));
    };
    tcp::resolver resolver(io_);
    auto endpoints = resolver.resolve(settings_.host, std::to_string(settings_.port),
                                      tcp::resolver::passive | tcp::resolver::numeric_service, ec);
    if (ec || endpoints.empty()) {
        fail("cannot resolve");
    }
    const tcp::endpoint endpoint = endpoints.begin()->endpoint();
    acceptor_.open(endpoint.protocol(), ec);
    if (ec) {
        fail("cannot open socket for");
    }
    acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) {
        acceptor_.bind(endpoint, ec);
    }
    if (ec) {
        acceptor_.close();
        fail("cannot bind");
    }
    acceptor_.listen(net::socket_base::max_listen_connections, ec);
    if (ec) {
        acceptor_.close();
        fail("cannot listen on");
    }
    bound_port_ = acceptor_.local_endpoint().port();
    {
        std::lock_guard lock(mutex_);
        accepting_ = true;
    }
    auto self = shared_from_this();
    net::co_spawn(acceptor_.get_executor(), self->accept_loop(), [self](std::exception_ptr error) {
        if (error) {
            try {
                std::rethrow_exception(error);
            } catch (const std::exception& e) {
                spdlog::error("http accept loop failed: {}", e.what());
            }
        }
        std::unique_lock lock(self->mutex_);
        self->accepting_ = false;
        self->notify_if_drained(lock);
    });
}

net::awaitable<void> Server::Impl::accept_loop() {
    auto self = shared_from_this();
    while (true) {
        // Each connection gets its own strand, so its handlers never run concurrently.
        auto [ec, socket] = co_await acceptor_.async_accept(net::make_strand(io_), kAsTuple);
        if (ec) {
            if (ec == net::error::operation_aborted || !acceptor_.is_open()) {
                co_return;
            }
            // Typically EMFILE: back off briefly instead of spinning on the error.
            spdlog::warn("http accept failed: {}", ec.message());
            net::steady_timer pause(acceptor_.get_executor(), std::chrono::milliseconds(50));
            co_await pause.async_wait(kAsTuple);
            continue;
        }
        auto connection = register_connection(std::move(socket));
        if (!connection) {
            continue;  // shutting down; the socket was closed
        }
        net::co_spawn(connection->stream.get_executor(), session(connection),
                      [id = connection->id](std::exception_ptr error) {
                          if (!error) {
                              return;
                          }
                          try {
                              std::rethrow_exception(error);
                          } catch (const std::exception& e) {
                              spdlog::error("http connection {} failed: {}", id, e.what());
                          } catch (...) {
                              spdlog::error("http connection {} failed", id);
                          }
                      });
    }
}

std::shared_ptr<Connection> Server::Impl::register_connection(
    tcp::socket::rebind_executor<Strand>::other socket) {
    error_code ec;
    auto remote = socket.remote_endpoint(ec);
    if (ec) {
        return nullptr;  // the peer is already gone
    }
    socket.set_option(tcp::no_delay(true), ec);
    auto connection = std::make_shared<Connection>(Stream(std::move(socket)));
    connection->client_address = remote.address().to_string();
    std::lock_guard lock(mutex_);
    if (stopping_) {
        connection->stream.close();
        return nullptr;
    }
    connection->id = ++next_connection_id_;
    connections_.emplace(connection->id, connection);
    return connection;
}

void Server::Impl::unregister_connection(std::uint64_t id) {
    std::unique_lock lock(mutex_);
    connections_.erase(id);
    notify_if_drained(lock);
}

void Server::Impl::notify_if_drained(std::unique_lock<std::mutex>& lock) {
    if (!stopping_ || accepting_ || !connections_.empty() || !on_drained_) {
        return;
    }
    auto callback = std::move(on_drained_);
    on_drained_ = nullptr;
    lock.unlock();
    net::post(io_, std::move(callback));
}

void Server::Impl::begin_shutdown(std::function<void()> drained, bool hard) {
    std::vector<std::shared_ptr<Connection>> open;
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
        on_drained_ = std::move(drained);
        for (const auto& [id, connection] : connections_) {
            open.push_back(connection);
        }
    }
    auto self = shared_from_this();
    net::post(acceptor_.get_executor(), [self] {
        error_code ignored;
        self->acceptor_.close(ignored);
    });
    for (auto& connection : open) {
        net::dispatch(connection->stream.get_executor(), [connection, hard] {
            connection->draining = true;
            if (hard) {
                connection->stream.close();
            } else if (connection->idle) {
                // Nothing in flight: end the wait for the next request now.
                connection->stream.cancel();
            }
        });
    }
    std::unique_lock lock(mutex_);
    notify_if_drained(lock);
}

net::awaitable<void> Server::Impl::session(std::shared_ptr<Connection> connection) {
    ConnectionGuard guard(shared_from_this(), connection->id);
    beast::flat_buffer buffer;
    bool first = true;
    while (true) {
        Outcome outcome = co_await serve_one(*connection, buffer, first);
        first = false;
        if (outcome == Outcome::close_after_linger) {
            co_await linger_close(*connection);
            break;
        }
        if (outcome == Outcome::close || connection->draining) {
            break;
        }
    }
    error_code ignored;
    connection->stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    connection->stream.close();
}

net::awaitable<Outcome> Server::Impl::serve_one(Connection& connection,
                                                beast::flat_buffer& buffer, bool first) {
    // Wait for the first bytes of the next request. The first request's header shares one
    // deadline with this wait; later requests get the keep-alive idle timeout.
    if (buffer.size() == 0) {
        if (connection.draining) {
            co_return Outcome::close;
        }
        connection.stream.expires_after(first ? settings_.header_timeout : settings_.idle_timeout);
        connection.idle = true;
        auto [ec, n] = co_await connection.stream.async_read_some(
            buffer.prepare(kFirstReadSize), kAsTuple);
        connection.idle = false;
        if (ec) {
            // Peer closed, idle timeout, or shutdown: all normal ends of a keep-alive wait.
            co_return Outcome::close;
        }
        buffer.commit(n);
    }
    const auto started = SteadyClock::now();
    if (!first) {
        connection.stream.expires_after(settings_.header_timeout);
    }

    // A fresh parser per message; the body limit is unknown until the route is found.
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(settings_.header_limit));
    parser.body_limit(boost::none);

    Request request;
    request.client_address = connection.client_address;

    {
        // Beast checks its header limit against the unparsed rest only: it consumes complete
        // field lines as they arrive, so a client trickling fields would never reach it. The
        // bytes the parser consumed are summed here, against the same limit, for the whole head.
        error_code ec;
        std::size_t header_bytes = 0;
        while (!parser.is_header_done()) {
            auto [read_ec, n] =
                co_await bhttp::async_read_some(connection.stream, buffer, parser, kAsTuple);
            header_bytes += n;
            if (read_ec) {
                ec = read_ec;
                break;
            }
            if (header_bytes > settings_.header_limit) {
                ec = bhttp::error::header_limit;
                break;
            }
        }
        if (ec) {
            if (ec == bhttp::error::header_limit) {
                request.request_id = util::uuid_v4();
                co_return co_await finish(
                    connection, request,
                    make_error(431, "Request header fields too large",
                               fmt::format("Request headers exceed {} bytes",
                                           settings_.header_limit)),
                    11, true, started, true);
            }
            if (is_http_error(ec) && !is_disconnect(ec)) {
                request.request_id = util::uuid_v4();
                co_return co_await finish(connection, request,
                                          make_error(400, "Bad request", "Malformed HTTP request"),
                                          11, true, started, true);
            }
            if (!is_disconnect(ec)) {
                spdlog::debug("http connection {}: read failed: {}", connection.id, ec.message());
            }
            co_return Outcome::close;
        }
    }

    auto& message = parser.get();
    const unsigned version = message.version();
    bool close = !message.keep_alive();
    request.method = to_upper(message.method_string());
    request.target = std::string(message.target());
    for (const auto& field : message) {
        request.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    std::string_view incoming_id = message["X-Request-Id"];
    request.request_id =
        is_sane_request_id(incoming_id) ? std::string(incoming_id) : util::uuid_v4();

    const bool unread_input = !parser.is_done();
    if (!parse_request_target(request.target, request)) {
        co_return co_await finish(connection, request,
                                  make_error(400, "Bad request", "Malformed request target"),
                                  version, true, started, unread_input);
    }

    Router::Match match = router_.match(request.method, request.path);
    if (!match.handler) {
        Response response;
        if (match.path_known) {
            response = make_error(405, "Method not allowed",
                                  fmt::format("The endpoint {} {} does not support this method",
                                              request.method, request.path));
            std::string allow;
            for (const auto& method : match.allowed_methods) {
                allow += allow.empty() ? method : ", " + method;
            }
            response.set_header("Allow", allow);
        } else {
            response = make_error(404, "Endpoint not found",
                                  fmt::format("The endpoint {} {} does not exist", request.method,
                                              request.path));
        }
        // The body was never asked for, so the connection cannot be reused.
        co_return co_await finish(connection, request, std::move(response), version,
                                  close || unread_input, started, unread_input);
    }

    const std::size_t limit = match.options->body_limit;
    auto too_large = [&] {
        return make_error(413, "Request body too large",
                          fmt::format("Maximum allowed size is {} bytes ({}MB)", limit,
                                      megabytes(limit)));
    };
    if (auto declared = parser.content_length(); declared && *declared > limit) {
        co_return co_await finish(connection, request, too_large(), version, true, started,
                                  unread_input);
    }

    if (unread_input) {
        // The client waits for this before sending the body (curl does so above 1 MiB).
        if (version >= 11 && iequals(message[bhttp::field::expect], "100-continue")) {
            static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
            auto [ec, n] = co_await net::async_write(
                connection.stream, net::buffer(kContinue.data(), kContinue.size()), kAsTuple);
            if (ec) {
                co_return Outcome::close;
            }
        }
        // Chunked bodies are limited as they arrive, not only by Content-Length.
        parser.body_limit(limit);
        connection.stream.expires_after(settings_.body_timeout);
        auto [ec, n] = co_await bhttp::async_read(connection.stream, buffer, parser, kAsTuple);
        if (ec == bhttp::error::body_limit) {
            co_return co_await finish(connection, request, too_large(), version, true, started,
                                      true);
        }
        if (ec) {
            if (is_http_error(ec) && !is_disconnect(ec)) {
                co_return co_await finish(connection, request,
                                          make_error(400, "Bad request", "Malformed request body"),
                                          version, true, started, true);
            }
            co_return Outcome::close;
        }
    }
    request.body = std::move(message.body());
    request.params = std::move(match.params);

    // The handler takes as long as it needs; execution deadlines are the engine's business.
    connection.stream.expires_never();
    Response response;
    bool failed = false;
    try {
        response = co_await (*match.handler)(request);
    } catch (const std::exception& e) {
        spdlog::error("request {} {} {} failed: {}", request.request_id, request.method,
                      request.path, e.what());
        failed = true;
    } catch (...) {
        spdlog::error("request {} {} {} failed with a non-standard exception",
                      request.request_id, request.method, request.path);
        failed = true;
    }
    if (failed) {
        response = make_error(500, "Internal server error", "An unexpected error occurred");
    }
    co_return co_await finish(connection, request, std::move(response), version, close, started,
                              false);
}

net::awaitable<Outcome> Server::Impl::finish(Connection& connection, const Request& request,
                                             Response response, unsigned version, bool close,
                                             SteadyClock::time_point started, bool unread_input) {
    close = close || unread_input || connection.draining ||
            std::any_of(response.headers.begin(), response.headers.end(), [](const auto& field) {
                return iequals(field.first, "Connection") && iequals(field.second, "close");
            });
    error_code ec = co_await write_response(connection, request, response, version, close);
    log_access(request, response, started);
    if (ec) {
        if (!is_disconnect(ec)) {
            spdlog::debug("http connection {}: write failed: {}", connection.id, ec.message());
        }
        co_return Outcome::close;
    }
    if (unread_input) {
        co_return Outcome::close_after_linger;
    }
    co_return close ? Outcome::close : Outcome::keep_alive;
}

net::awaitable<error_code> Server::Impl::write_response(Connection& connection,
                                                        const Request& request,
                                                        Response& response, unsigned version,
                                                        bool close) {
    if (response.status < 100 || response.status > 599) {
        spdlog::error("request {}: handler returned invalid status {}", request.request_id,
                      response.status);
        response = make_error(500, "Internal server error", "An unexpected error occurred");
    }
    bhttp::response<bhttp::string_body> message;
    message.version(version == 10 ? 10 : 11);
    message.result(response.status);
    const bool bodiless =
        response.status < 200 || response.status == 204 || response.status == 304;
    if (!bodiless || !response.body.empty()) {
        message.set(bhttp::field::content_type, response.content_type);
    }
    for (const auto& [name, value] : response.headers) {
        // Framing headers belong to the transport.
        if (iequals(name, "Content-Length") || iequals(name, "Transfer-Encoding") ||
            iequals(name, "Connection")) {
            continue;
        }
        if (iequals(name, "Content-Type")) {
            message.set(bhttp::field::content_type, value);
        } else {
            message.insert(name, value);
        }
    }
    message.set("X-Request-Id", request.request_id);
    message.keep_alive(!close);
    if (bodiless) {
        response.body.clear();  // RFC 9110 § 15: these statuses carry no content
    } else {
        message.body() = std::move(response.body);
        message.prepare_payload();
    }

    connection.stream.expires_after(settings_.body_timeout);
    error_code ec;
    if (request.method == "HEAD") {
        // Same header as GET (including Content-Length), no body.
        bhttp::response_serializer<bhttp::string_body> serializer(message);
        auto [write_ec, n] =
            co_await bhttp::async_write_header(connection.stream, serializer, kAsTuple);
        ec = write_ec;
    } else {
        auto [write_ec, n] = co_await bhttp::async_write(connection.stream, message, kAsTuple);
        ec = write_ec;
    }
    connection.stream.expires_never();
    if (!bodiless) {
        response.body = std::move(message.body());  // the access logger still sees it
    }
    co_return ec;
}

net::awaitable<void> Server::Impl::linger_close(Connection& connection) {
    error_code ignored;
    connection.stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    connection.stream.expires_after(kLingerTime);
    std::array<char, 16 * 1024> sink;
    std::size_t discarded = 0;
    while (discarded < kLingerBytes) {
        auto [ec, n] = co_await connection.stream.async_read_some(net::buffer(sink), kAsTuple);
        if (ec) {
            break;
        }
        discarded += n;
    }
    connection.stream.close();
}

Response Server::Impl::make_error(unsigned status, std::string_view error,
                                  std::string_view message) const {
    if (error_responder_) {
        try {
            return error_responder_(status, error, message);
        } catch (const std::exception& e) {
            spdlog::error("http error responder failed: {}", e.what());
        }
    }
    boost::json::object body;
    body["success"] = false;
    body["error"] = error;
    body["message"] = message;
    return Response::json(status, body);
}

void Server::Impl::log_access(const Request& request, const Response& response,
                              SteadyClock::time_point started) const {
    if (!access_logger_) {
        return;
    }
    try {
        auto elapsed = std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() -
                                                                             started);
        access_logger_(request, response, elapsed);
    } catch (const std::exception& e) {
        spdlog::error("http access logger failed: {}", e.what());
    }
}

Server::Server(net::io_context& io, ServerSettings settings, const Router& router,
               ErrorResponder error_responder, AccessLogger access_logger)
    : impl_(std::make_shared<Impl>(io, std::move(settings), router, std::move(error_responder),
                                   std::move(access_logger))) {}

Server::~Server() {
    // Sessions keep the Impl alive; make sure they end instead of serving with a dead owner.
    // A pending shutdown() callback is dropped: what it refers to may be gone with the server.
    impl_->begin_shutdown(nullptr, true);
}

void Server::start() { impl_->start(); }

std::uint16_t Server::port() const { return impl_->bound_port_; }

void Server::shutdown(std::function<void()> on_drained) {
    impl_->begin_shutdown(std::move(on_drained), false);
}

std::size_t Server::open_connections() const {
    std::lock_guard lock(impl_->mutex_);
    return impl_->connections_.size();
}

}  // namespace clara::http
