#pragma once

// A fake HTTP service for the service nodes' tests: a real server on 127.0.0.1 (port 0) that
// answers each request from a route function, records what it received, and can hold a request
// unanswered. Also a multipart/form-data reader to check uploads.

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "../../client/test_server.hpp"

namespace clara::nodes::testing {

using client::testing::Fields;
using client::testing::ReceivedRequest;

/// What the fake answers; `hold` keeps the request unanswered until the client goes away.
struct FakeReply {
    unsigned status = 200;
    std::string body{};
    Fields headers{};
    bool hold = false;

    static FakeReply json(std::string_view text, unsigned status = 200) {
        return {status, std::string(text), {{"Content-Type", "application/json"}}};
    }
};

class FakeService {
public:
    using Route = std::function<FakeReply(const ReceivedRequest&)>;

    explicit FakeService(Route route)
        : route_(std::move(route)),
          server_(client::testing::TestServer::each_request(
              [this](const ReceivedRequest& request,
                     client::testing::ServerConnection& connection) {
                  serve(request, connection);
              })) {}

    std::string url(std::string_view path = "") const {
        auto base = server_.url("/");
        base.pop_back();
        return base + std::string(path);
    }

    std::vector<ReceivedRequest> requests() const {
        std::lock_guard lock(mutex_);
        return requests_;
    }

    /// The request `index` (fails the test when there are fewer).
    ReceivedRequest request(std::size_t index = 0) const {
        std::lock_guard lock(mutex_);
        if (index >= requests_.size()) {
            ADD_FAILURE() << "only " << requests_.size() << " requests arrived";
            return {};
        }
        return requests_[index];
    }

    std::size_t count() const {
        std::lock_guard lock(mutex_);
        return requests_.size();
    }

    /// Waits until at least `n` requests arrived; false after `wait`.
    bool wait_for(std::size_t n, std::chrono::milliseconds wait = std::chrono::seconds(10)) {
        std::unique_lock lock(mutex_);
        return arrived_.wait_for(lock, wait, [&] { return requests_.size() >= n; });
    }

    /// Waits until some request's target starts with `prefix`; false after `wait`.
    bool wait_for_target(std::string_view prefix,
                         std::chrono::milliseconds wait = std::chrono::seconds(10)) {
        std::unique_lock lock(mutex_);
        return arrived_.wait_for(lock, wait, [&] {
            for (const auto& request : requests_) {
                if (request.target.rfind(prefix, 0) == 0) {
                    return true;
                }
            }
            return false;
        });
    }

    /// Requests whose target starts with `prefix`.
    std::vector<ReceivedRequest> requests_to(std::string_view prefix) const {
        std::vector<ReceivedRequest> out;
        for (auto& request : requests()) {
            if (request.target.rfind(prefix, 0) == 0) {
                out.push_back(std::move(request));
            }
        }
        return out;
    }

private:
    void serve(const ReceivedRequest& request, client::testing::ServerConnection& connection) {
        {
            std::lock_guard lock(mutex_);
            requests_.push_back(request);
        }
        arrived_.notify_all();
        const auto reply = route_(request);
        if (reply.hold) {
            ReceivedRequest ignored;
            while (connection.read_request(ignored)) {
            }
            return;
        }
        connection.respond(reply.status, reply.body, reply.headers);
    }

    Route route_;
    mutable std::mutex mutex_;
    std::condition_variable arrived_;
    std::vector<ReceivedRequest> requests_;
    client::testing::TestServer server_;  // last: stops before the members it uses go away
};

/// One part of a multipart/form-data body.
struct FormPart {
    std::string name;
    std::optional<std::string> filename;
    std::string content_type;
    std::string data;
};

/// Splits a multipart/form-data body by the boundary of its Content-Type header.
inline std::vector<FormPart> parse_form(const ReceivedRequest& request) {
    const auto content_type = request.header("Content-Type");
    const auto at = content_type.find("boundary=");
    EXPECT_NE(at, std::string::npos) << content_type;
    EXPECT_EQ(content_type.rfind("multipart/form-data", 0), 0u) << content_type;
    if (at == std::string::npos) {
        return {};
    }
    const auto delimiter = "--" + content_type.substr(at + 9);
    const auto& body = request.body;
    std::vector<FormPart> parts;
    auto pos = body.find(delimiter);
    while (pos != std::string::npos) {
        pos += delimiter.size();
        if (body.compare(pos, 2, "--") == 0) {
            break;
        }
        pos += 2;  // CRLF
        const auto headers_end = body.find("\r\n\r\n", pos);
        const auto next = body.find("\r\n" + delimiter, headers_end);
        if (headers_end == std::string::npos || next == std::string::npos) {
            ADD_FAILURE() << "malformed multipart body";
            break;
        }
        FormPart part;
        const auto headers = body.substr(pos, headers_end - pos);
        const auto name_at = headers.find("name=\"");
        if (name_at != std::string::npos) {
            part.name = headers.substr(name_at + 6, headers.find('"', name_at + 6) - name_at - 6);
        }
        const auto file_at = headers.find("filename=\"");
        if (file_at != std::string::npos) {
            part.filename =
                headers.substr(file_at + 10, headers.find('"', file_at + 10) - file_at - 10);
        }
        const auto type_at = headers.find("Content-Type: ");
        if (type_at != std::string::npos) {
            const auto end = headers.find("\r\n", type_at);
            part.content_type = headers.substr(
                type_at + 14, end == std::string::npos ? std::string::npos : end - type_at - 14);
        }
        part.data = body.substr(headers_end + 4, next - headers_end - 4);
        parts.push_back(std::move(part));
        pos = next + 2;
    }
    return parts;
}

/// The part named `name`, or nullopt.
inline std::optional<FormPart> form_part(const std::vector<FormPart>& parts,
                                         std::string_view name) {
    for (const auto& part : parts) {
        if (part.name == name) {
            return part;
        }
    }
    return std::nullopt;
}

}  // namespace clara::nodes::testing
