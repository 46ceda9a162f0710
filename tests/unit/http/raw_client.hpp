#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace clara::http::testing {

/// A parsed HTTP/1.x response as a test sees it; header names are lower-cased.
struct RawResponse {
    int status = 0;
    std::string version;
    std::map<std::string, std::string> headers;
    std::string body;

    std::string header(const std::string& lower_name) const;
};

/// A tiny blocking HTTP client over a POSIX socket, so tests see exactly the bytes on the wire.
/// Every receive is bounded by a timeout, so a misbehaving server fails a test instead of hanging.
class RawClient {
public:
    /// Connects to 127.0.0.1:`port`; throws std::runtime_error when the connection fails.
    explicit RawClient(std::uint16_t port,
                       std::chrono::milliseconds timeout = std::chrono::milliseconds(5000));
    ~RawClient();
    RawClient(const RawClient&) = delete;
    RawClient& operator=(const RawClient&) = delete;

    /// Tries to connect; false when the connection is refused.
    static bool can_connect(std::uint16_t port);

    /// Sends all of `data`; false when the peer is gone.
    bool send(std::string_view data);

    /// Reads one response (status line, headers, Content-Length or chunked body). With
    /// `head_request` the body is not read. Empty when the connection closed or timed out first.
    std::optional<RawResponse> read_response(bool head_request = false);

    /// True when the server closes the connection (EOF or reset) within the timeout.
    bool wait_closed();

    /// Bytes received but not yet consumed by read_response.
    const std::string& pending() const { return buffer_; }

private:
    bool fill();  // one recv into buffer_; false on EOF, error or timeout
    std::optional<std::string> read_line();

    int fd_ = -1;
    std::string buffer_;
};

}  // namespace clara::http::testing
