#pragma once

// A TCP forwarder on 127.0.0.1 that a test can take down and bring back, to play a database
// server that goes away (connections cut, new ones refused) and then returns on the same port.

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <future>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace clara::storage::test_support {

/// Host and port of a postgresql://user@host:port/db URL.
inline std::pair<std::string, int> host_port_of(const std::string& url) {
    const auto at = url.find('@');
    const auto start = at == std::string::npos ? url.find("://") + 3 : at + 1;
    const auto end = url.find('/', start);
    const std::string authority = url.substr(start, end - start);
    const auto colon = authority.rfind(':');
    if (colon == std::string::npos) {
        return {authority, 5432};
    }
    return {authority.substr(0, colon), std::stoi(authority.substr(colon + 1))};
}

/// `url` with its host and port replaced by 127.0.0.1:`port`.
inline std::string with_local_port(const std::string& url, int port) {
    const auto at = url.find('@');
    const auto start = at == std::string::npos ? url.find("://") + 3 : at + 1;
    const auto end = url.find('/', start);
    return url.substr(0, start) + "127.0.0.1:" + std::to_string(port) + url.substr(end);
}

/// Forwards every connection made to its port to a target address, on a thread of its own.
class TcpProxy {
public:
    TcpProxy(const std::string& target_host, int target_port) {
        target_.sin_family = AF_INET;
        target_.sin_port = htons(static_cast<std::uint16_t>(target_port));
        if (::inet_pton(AF_INET, target_host == "localhost" ? "127.0.0.1" : target_host.c_str(),
                        &target_.sin_addr) != 1) {
            throw std::runtime_error("TcpProxy needs an IPv4 target, not " + target_host);
        }
        if (::pipe(wakeup_.data()) != 0) {
            throw std::runtime_error("TcpProxy: pipe failed");
        }
        listen_on(0);
        thread_ = std::thread([this] { run(); });
    }

    ~TcpProxy() {
        command(Command::kQuit);
        thread_.join();
        close_all();
        ::close(wakeup_[0]);
        ::close(wakeup_[1]);
    }

    TcpProxy(const TcpProxy&) = delete;
    TcpProxy& operator=(const TcpProxy&) = delete;

    int port() const { return port_; }

    /// Cuts every forwarded connection and stops listening: connections are refused.
    void stop() { command(Command::kStop); }

    /// Listens again on the same port.
    void start() { command(Command::kStart); }

private:
    enum class Command : char { kStop = 's', kStart = 'S', kQuit = 'q' };

    struct Pair {
        int client;
        int server;
    };

    // Runs `what` on the proxy thread and waits until it is done.
    void command(Command what) {
        std::lock_guard lock(command_mutex_);
        done_ = std::promise<void>();
        auto finished = done_.get_future();
        const char code = static_cast<char>(what);
        if (::write(wakeup_[1], &code, 1) != 1) {
            throw std::runtime_error("TcpProxy: cannot send a command");
        }
        finished.wait();
    }

    void listen_on(int port) {
        listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
        const int yes = 1;
        ::setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        address.sin_port = htons(static_cast<std::uint16_t>(port));
        if (::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
            ::listen(listener_, 64) != 0) {
            throw std::runtime_error("TcpProxy cannot listen");
        }
        socklen_t length = sizeof address;
        ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length);
        port_ = ntohs(address.sin_port);
    }

    void close_all() {
        for (const auto& pair : pairs_) {
            ::close(pair.client);
            ::close(pair.server);
        }
        pairs_.clear();
        if (listener_ >= 0) {
            ::close(listener_);
            listener_ = -1;
        }
    }

    void accept_one() {
        const int client = ::accept(listener_, nullptr, nullptr);
        if (client < 0) {
            return;
        }
        const int server = ::socket(AF_INET, SOCK_STREAM, 0);
        if (::connect(server, reinterpret_cast<const sockaddr*>(&target_), sizeof target_) != 0) {
            ::close(server);
            ::close(client);
            return;
        }
        pairs_.push_back(Pair{client, server});
    }

    static bool write_all(int fd, const char* data, ssize_t size) {
        while (size > 0) {
            const ssize_t written = ::write(fd, data, static_cast<std::size_t>(size));
            if (written <= 0) {
                return false;
            }
            data += written;
            size -= written;
        }
        return true;
    }

    // Moves what `from` has to `to`; false when either side is finished.
    static bool forward(int from, int to) {
        std::array<char, 65536> buffer{};
        const ssize_t got = ::read(from, buffer.data(), buffer.size());
        return got > 0 && write_all(to, buffer.data(), got);
    }

    void run() {
        for (;;) {
            std::vector<pollfd> descriptors{{wakeup_[0], POLLIN, 0}};
            if (listener_ >= 0) {
                descriptors.push_back({listener_, POLLIN, 0});
            }
            const std::size_t first_pair = descriptors.size();
            for (const auto& pair : pairs_) {
                descriptors.push_back({pair.client, POLLIN, 0});
                descriptors.push_back({pair.server, POLLIN, 0});
            }
            if (::poll(descriptors.data(), descriptors.size(), -1) < 0) {
                if (errno == EINTR) {
                    continue;
                }
                return;
            }
            if (descriptors[0].revents != 0) {
                char code = 0;
                if (::read(wakeup_[0], &code, 1) == 1) {
                    const auto what = static_cast<Command>(code);
                    if (what == Command::kStop || what == Command::kQuit) {
                        close_all();
                    } else if (what == Command::kStart && listener_ < 0) {
                        listen_on(port_);
                    }
                    done_.set_value();
                    if (what == Command::kQuit) {
                        return;
                    }
                }
                continue;
            }
            if (first_pair == 2 && descriptors[1].revents != 0) {
                accept_one();
            }
            std::vector<Pair> kept;
            for (std::size_t i = 0; i < pairs_.size(); ++i) {
                const auto& pair = pairs_[i];
                const short client_events = descriptors[first_pair + 2 * i].revents;
                const short server_events = descriptors[first_pair + 2 * i + 1].revents;
                bool alive = true;
                if (client_events != 0) {
                    alive = forward(pair.client, pair.server);
                }
                if (alive && server_events != 0) {
                    alive = forward(pair.server, pair.client);
                }
                if (alive) {
                    kept.push_back(pair);
                } else {
                    ::close(pair.client);
                    ::close(pair.server);
                }
            }
            pairs_ = std::move(kept);
        }
    }

    sockaddr_in target_{};
    std::array<int, 2> wakeup_{-1, -1};
    int listener_ = -1;
    int port_ = 0;
    std::vector<Pair> pairs_;  // touched only by the proxy thread once it runs
    std::mutex command_mutex_;
    std::promise<void> done_;
    std::thread thread_;
};

}  // namespace clara::storage::test_support
