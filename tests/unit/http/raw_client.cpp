#include "unit/http/raw_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <stdexcept>

namespace clara::http::testing {

namespace {

std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

int open_socket(std::uint16_t port) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
        return -1;
    }
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

}  // namespace

std::string RawResponse::header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string{} : it->second;
}

RawClient::RawClient(std::uint16_t port, std::chrono::milliseconds timeout) {
    fd_ = open_socket(port);
    if (fd_ < 0) {
        throw std::runtime_error("cannot connect to port " + std::to_string(port));
    }
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
    tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

RawClient::~RawClient() {
    if (fd_ >= 0) {
        ::close(fd_);
    }
}

bool RawClient::can_connect(std::uint16_t port) {
    int fd = open_socket(port);
    if (fd < 0) {
        return false;
    }
    ::close(fd);
    return true;
}

bool RawClient::send(std::string_view data) {
    while (!data.empty()) {
        ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
        if (n <= 0) {
            return false;
        }
        data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

bool RawClient::fill() {
    char chunk[16384];
    ssize_t n = ::recv(fd_, chunk, sizeof(chunk), 0);
    if (n <= 0) {
        return false;
    }
    buffer_.append(chunk, static_cast<std::size_t>(n));
    return true;
}

std::optional<std::string> RawClient::read_line() {
    while (true) {
        auto end = buffer_.find("\r\n");
        if (end != std::string::npos) {
            std::string line = buffer_.substr(0, end);
            buffer_.erase(0, end + 2);
            return line;
        }
        if (!fill()) {
            return std::nullopt;
        }
    }
}

std::optional<RawResponse> RawClient::read_response(bool head_request) {
    auto status_line = read_line();
    if (!status_line || status_line->size() < 12) {
        return std::nullopt;
    }
    RawResponse response;
    response.version = status_line->substr(0, 8);
    response.status = std::stoi(status_line->substr(9, 3));
    while (true) {
        auto line = read_line();
        if (!line) {
            return std::nullopt;
        }
        if (line->empty()) {
            break;
        }
        auto colon = line->find(':');
        if (colon == std::string::npos) {
            return std::nullopt;
        }
        std::string value = line->substr(colon + 1);
        value.erase(0, value.find_first_not_of(' '));
        response.headers[lower(line->substr(0, colon))] = value;
    }
    if (head_request || response.status < 200 || response.status == 204 ||
        response.status == 304) {
        return response;
    }
    if (lower(response.header("transfer-encoding")) == "chunked") {
        while (true) {
            auto size_line = read_line();
            if (!size_line) {
                return std::nullopt;
            }
            std::size_t size = std::stoul(*size_line, nullptr, 16);
            while (buffer_.size() < size + 2) {
                if (!fill()) {
                    return std::nullopt;
                }
            }
            response.body += buffer_.substr(0, size);
            buffer_.erase(0, size + 2);
            if (size == 0) {
                return response;
            }
        }
    }
    std::size_t length = std::stoul(response.header("content-length").empty()
                                        ? "0"
                                        : response.header("content-length"));
    while (buffer_.size() < length) {
        if (!fill()) {
            return std::nullopt;
        }
    }
    response.body = buffer_.substr(0, length);
    buffer_.erase(0, length);
    return response;
}

bool RawClient::wait_closed() {
    char chunk[4096];
    while (true) {
        ssize_t n = ::recv(fd_, chunk, sizeof(chunk), 0);
        if (n == 0) {
            return true;
        }
        if (n < 0) {
            // A reset also means closed; a timeout means the server kept the connection open.
            return errno == ECONNRESET;
        }
        buffer_.append(chunk, static_cast<std::size_t>(n));
    }
}

}  // namespace clara::http::testing
