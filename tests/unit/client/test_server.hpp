#pragma once

// A small blocking HTTP/1.1 server on 127.0.0.1, port 0, for the outbound client's tests: one
// thread per connection runs the test's handler, which reads requests and writes whatever
// bytes the test needs (chunked, slow, oversized, never). Plain TCP or TLS.

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace clara::client::testing {

using Fields = std::vector<std::pair<std::string, std::string>>;

/// A request as the server received it.
struct ReceivedRequest {
    std::string method;
    std::string target;
    Fields headers;
    std::string body;

    /// First header with this name (case-insensitive), or "" when absent.
    std::string header(std::string_view name) const;
    bool has_header(std::string_view name) const;
};

/// One accepted connection, handed to the handler on its own thread.
class ServerConnection {
public:
    ServerConnection(boost::asio::ip::tcp::socket socket, boost::asio::ssl::context* tls);

    /// Performs the TLS handshake (TLS servers only); false when it failed.
    bool handshake();
    /// The SNI name the client sent (TLS only; empty when none).
    std::string server_name();
    /// Reads the next request; false when the client closed or sent garbage.
    bool read_request(ReceivedRequest& request);
    /// Writes a complete response with Content-Length; false when the write failed.
    bool respond(unsigned status, std::string_view body, const Fields& headers = {});
    /// Writes raw bytes; false when the write failed (client gone).
    bool write(std::string_view bytes);
    /// Shuts the connection down (the client sees it closed).
    void close();
    /// Closes the descriptor (done by the server when the handler returns).
    void release();

private:
    boost::asio::ip::tcp::socket socket_;
    std::unique_ptr<boost::asio::ssl::stream<boost::asio::ip::tcp::socket&>> tls_;
    boost::beast::flat_buffer buffer_;
};

/// Runs the handler once per accepted connection until it returns.
using ConnectionHandler = std::function<void(ServerConnection&)>;
/// Answers one request; the connection keeps reading requests until the client closes.
using RequestHandler = std::function<void(const ReceivedRequest&, ServerConnection&)>;

/// The server. Destruction shuts every connection down and joins its threads.
class TestServer {
public:
    explicit TestServer(ConnectionHandler handler, boost::asio::ssl::context* tls = nullptr);
    ~TestServer();

    /// A handler that serves requests on a connection until the client closes it.
    static ConnectionHandler each_request(RequestHandler handler);

    std::uint16_t port() const { return port_; }
    /// "http://127.0.0.1:<port><path>" (or https with TLS).
    std::string url(std::string_view path = "/") const;
    /// Connections accepted so far.
    int connections() const { return connections_.load(); }

private:
    void accept_loop();

    ConnectionHandler handler_;
    boost::asio::ssl::context* tls_;
    boost::asio::io_context io_;
    boost::asio::ip::tcp::acceptor acceptor_;
    std::uint16_t port_ = 0;
    std::atomic<int> connections_{0};
    std::atomic<bool> stopping_{false};
    std::mutex mutex_;
    std::vector<int> open_fds_;
    std::vector<std::thread> workers_;
    std::thread acceptor_thread_;
};

/// A self-signed certificate for the name "localhost" only, made at run time, and its file.
class TestCertificate {
public:
    TestCertificate();
    ~TestCertificate();

    /// PEM file of the certificate (to trust it as a CA).
    const std::string& certificate_file() const { return certificate_file_; }
    /// A server TLS context that presents the certificate.
    boost::asio::ssl::context& server_context() { return *server_context_; }

private:
    std::string directory_;
    std::string certificate_file_;
    std::unique_ptr<boost::asio::ssl::context> server_context_;
};

}  // namespace clara::client::testing
