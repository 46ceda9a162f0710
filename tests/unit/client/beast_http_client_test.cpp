#include "client/beast_http_client.hpp"

#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <future>
#include <memory>
#include <mutex>
#include <semaphore>
#include <string>
#include <thread>
#include <vector>

#include "engine/execution_context.hpp"
#include "unit/client/test_server.hpp"

namespace clara::client {
namespace {

namespace net = boost::asio;
using namespace std::chrono_literals;
using engine::OutboundError;
using engine::OutboundErrorKind;
using engine::OutboundRequest;
using engine::OutboundResponse;
using engine::OutboundResult;
using testing::ReceivedRequest;
using testing::ServerConnection;
using testing::TestCertificate;
using testing::TestServer;
using SteadyClock = std::chrono::steady_clock;

constexpr auto kResultWait = 10s;

/// Requests a server saw, readable from the test thread.
class Recorder {
public:
    void add(const ReceivedRequest& request) {
        std::lock_guard lock(mutex_);
        requests_.push_back(request);
    }
    std::vector<ReceivedRequest> all() const {
        std::lock_guard lock(mutex_);
        return requests_;
    }
    std::size_t size() const {
        std::lock_guard lock(mutex_);
        return requests_.size();
    }

private:
    mutable std::mutex mutex_;
    std::vector<ReceivedRequest> requests_;
};

OutboundPolicy policy_from(std::string allowlist, std::vector<std::string> trusted = {}) {
    std::vector<std::string> problems;
    auto policy =
        OutboundPolicy::from_settings({std::move(allowlist), std::move(trusted)}, problems);
    EXPECT_TRUE(problems.empty());
    return policy;
}

/// The tests' servers run on 127.0.0.1, which only the allowlist lets through.
OutboundPolicy allow_test_servers() { return policy_from("127.0.0.1/32 localhost"); }

OutboundRequest request_to(std::string url, std::string method = "GET") {
    OutboundRequest request;
    request.method = std::move(method);
    request.url = std::move(url);
    request.timeout = 5000ms;
    return request;
}

std::string describe(const OutboundResult& result) {
    if (const auto* error = std::get_if<OutboundError>(&result)) {
        return std::string(engine::to_string(error->kind)) + ": " + error->message;
    }
    return "HTTP " + std::to_string(std::get<OutboundResponse>(result).status);
}

std::string header_of(const OutboundResponse& response, std::string_view name) {
    for (const auto& [key, value] : response.headers) {
        if (key.size() == name.size() &&
            std::equal(key.begin(), key.end(), name.begin(),
                       [](char a, char b) { return std::tolower(a) == std::tolower(b); })) {
            return value;
        }
    }
    return "";
}

#define ASSERT_RESPONSE(result) \
    ASSERT_TRUE(std::holds_alternative<OutboundResponse>(result)) << describe(result)
#define ASSERT_ERROR(result, expected_kind)                                         \
    ASSERT_TRUE(std::holds_alternative<OutboundError>(result)) << describe(result); \
    ASSERT_EQ(std::get<OutboundError>(result).kind, expected_kind) << describe(result)

class BeastHttpClientTest : public ::testing::Test {
protected:
    BeastHttpClientTest() {
        // Two I/O threads, as in the server: calls must be safe across threads.
        for (int i = 0; i < 2; ++i) {
            threads_.emplace_back([this] { io_.run(); });
        }
    }

    ~BeastHttpClientTest() override {
        client_.reset();
        work_.reset();
        io_.stop();
        for (auto& thread : threads_) {
            thread.join();
        }
    }

    BeastHttpClient& make_client(OutboundPolicy policy = allow_test_servers(),
                                 ClientSettings settings = {}) {
        client_ = std::make_unique<BeastHttpClient>(io_, std::move(policy), std::move(settings));
        return *client_;
    }

    BeastHttpClient& client() {
        if (!client_) {
            make_client();
        }
        return *client_;
    }

    /// Starts a call; the future holds its result.
    std::future<OutboundResult> start(OutboundRequest request,
                                      engine::OutboundChunkHandler on_chunk = {}) {
        auto promise = std::make_shared<std::promise<OutboundResult>>();
        auto future = promise->get_future();
        client().send(
            std::move(request), ctx_,
            [promise](OutboundResult result) { promise->set_value(std::move(result)); },
            std::move(on_chunk));
        return future;
    }

    static OutboundResult wait(std::future<OutboundResult>& future) {
        if (future.wait_for(kResultWait) != std::future_status::ready) {
            ADD_FAILURE() << "the call did not complete";
            return OutboundError{OutboundErrorKind::kProtocol, "no result"};
        }
        return future.get();
    }

    OutboundResult send(OutboundRequest request, engine::OutboundChunkHandler on_chunk = {}) {
        auto future = start(std::move(request), std::move(on_chunk));
        return wait(future);
    }

    engine::ExecutionLimits limits_;
    engine::ExecutionContext ctx_{limits_};
    net::io_context io_;
    net::executor_work_guard<net::io_context::executor_type> work_ = net::make_work_guard(io_);
    std::vector<std::thread> threads_;
    std::unique_ptr<BeastHttpClient> client_;
};

TEST_F(BeastHttpClientTest, GetReturnsStatusReasonHeadersAndBody) {
    Recorder recorder;
    TestServer server(
        TestServer::each_request([&](const ReceivedRequest& request, ServerConnection& c) {
            recorder.add(request);
            c.respond(200, "hello", {{"X-Reply", "yes"}, {"Content-Type", "text/plain"}});
        }));
    auto request = request_to(server.url("/greet?name=a%20b"));
    request.headers = {{"X-Trace", "abc"}, {"Accept", "text/plain"}};
    const auto result = send(request);
    ASSERT_RESPONSE(result);
    const auto& response = std::get<OutboundResponse>(result);
    EXPECT_EQ(response.status, 200u);
    EXPECT_EQ(response.reason, "OK");
    EXPECT_EQ(response.body, "hello");
    EXPECT_EQ(header_of(response, "x-reply"), "yes");
    EXPECT_EQ(response.url, server.url("/greet?name=a%20b"));
    EXPECT_EQ(response.redirects, 0);

    const auto seen = recorder.all();
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].method, "GET");
    EXPECT_EQ(seen[0].target, "/greet?name=a%20b");
    EXPECT_EQ(seen[0].header("Host"), "127.0.0.1:" + std::to_string(server.port()));
    EXPECT_EQ(seen[0].header("X-Trace"), "abc");
    EXPECT_EQ(seen[0].header("User-Agent"), "Clara-Agent-Runner/1.0");
    EXPECT_FALSE(seen[0].has_header("Content-Length"));
}

TEST_F(BeastHttpClientTest, PostSendsBodyWithItsOwnFraming) {
    Recorder recorder;
    TestServer server(
        TestServer::each_request([&](const ReceivedRequest& request, ServerConnection& c) {
            recorder.add(request);
            c.respond(201, "created:" + request.body);
        }));
    auto request = request_to(server.url("/items"), "POST");
    request.body = R"({"a":1})";
    // Framing headers from the caller are ignored; the client writes its own.
    request.headers = {{"Content-Type", "application/json"},
                       {"Content-Length", "999"},
                       {"Host", "evil.example"},
                       {"User-Agent", "custom/2"}};
    const auto result = send(request);
    ASSERT_RESPONSE(result);
    const auto& response = std::get<OutboundResponse>(result);
    EXPECT_EQ(response.status, 201u);
    EXPECT_EQ(response.reason, "Created");
    EXPECT_EQ(response.body, R"(created:{"a":1})");

    const auto seen = recorder.all();
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].method, "POST");
    EXPECT_EQ(seen[0].body, R"({"a":1})");
    EXPECT_EQ(seen[0].header("Content-Type"), "application/json");
    EXPECT_EQ(seen[0].header("Content-Length"), "7");
    EXPECT_EQ(seen[0].header("Host"), "127.0.0.1:" + std::to_string(server.port()));
    EXPECT_EQ(seen[0].header("User-Agent"), "custom/2");
}

TEST_F(BeastHttpClientTest, EmptyPostStillSendsContentLengthZero) {
    Recorder recorder;
    TestServer server(
        TestServer::each_request([&](const ReceivedRequest& request, ServerConnection& c) {
            recorder.add(request);
            c.respond(204, "");
        }));
    const auto result = send(request_to(server.url("/ping"), "POST"));
    ASSERT_RESPONSE(result);
    EXPECT_EQ(std::get<OutboundResponse>(result).status, 204u);
    ASSERT_EQ(recorder.size(), 1u);
    EXPECT_EQ(recorder.all()[0].header("Content-Length"), "0");
}

TEST_F(BeastHttpClientTest, ReusesKeepAliveConnectionForTheSameOrigin) {
    TestServer server(
        TestServer::each_request([](const ReceivedRequest& request, ServerConnection& c) {
            c.respond(200, request.target);
        }));
    for (const char* path : {"/one", "/two", "/three"}) {
        const auto result = send(request_to(server.url(path)));
        ASSERT_RESPONSE(result);
        EXPECT_EQ(std::get<OutboundResponse>(result).body, path);
    }
    EXPECT_EQ(server.connections(), 1);
    EXPECT_EQ(client().idle_connections(), 1u);
}

TEST_F(BeastHttpClientTest, OpensNewConnectionWhenThePooledOneWasClosedByTheServer) {
    TestServer server([](ServerConnection& c) {
        ReceivedRequest request;
        if (c.read_request(request)) {
            c.respond(200, "once");  // keep-alive by default, yet the server hangs up
            c.close();
        }
    });
    for (int i = 0; i < 2; ++i) {
        const auto result = send(request_to(server.url("/")));
        ASSERT_RESPONSE(result);
        EXPECT_EQ(std::get<OutboundResponse>(result).body, "once");
    }
    EXPECT_EQ(server.connections(), 2);
}

TEST_F(BeastHttpClientTest, ClosesConnectionWhenTheServerAsksFor) {
    TestServer server(TestServer::each_request([](const ReceivedRequest&, ServerConnection& c) {
        c.respond(200, "bye", {{"Connection", "close"}});
        c.close();
    }));
    const auto result = send(request_to(server.url("/")));
    ASSERT_RESPONSE(result);
    EXPECT_EQ(client().idle_connections(), 0u);
}

TEST_F(BeastHttpClientTest, ReadsChunkedResponse) {
    TestServer server(TestServer::each_request([](const ReceivedRequest&, ServerConnection& c) {
        c.write(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
            "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
    }));
    const auto result = send(request_to(server.url("/")));
    ASSERT_RESPONSE(result);
    EXPECT_EQ(std::get<OutboundResponse>(result).body, "hello world");
}

TEST_F(BeastHttpClientTest, ReadsBodyDelimitedByConnectionClose) {
    TestServer server([](ServerConnection& c) {
        ReceivedRequest request;
        if (c.read_request(request)) {
            c.write("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end");
            c.close();
        }
    });
    const auto result = send(request_to(server.url("/")));
    ASSERT_RESPONSE(result);
    EXPECT_EQ(std::get<OutboundResponse>(result).body, "until the end");
    EXPECT_EQ(client().idle_connections(), 0u);
}

TEST_F(BeastHttpClientTest, HeadResponseHasNoBodyDespiteContentLength) {
    TestServer server(TestServer::each_request([](const ReceivedRequest&, ServerConnection& c) {
        c.write("HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n");
    }));
    const auto result = send(request_to(server.url("/"), "HEAD"));
    ASSERT_RESPONSE(result);
    EXPECT_EQ(std::get<OutboundResponse>(result).status, 200u);
    EXPECT_EQ(std::get<OutboundResponse>(result).body, "");
    EXPECT_EQ(header_of(std::get<OutboundResponse>(result), "content-length"), "1234");
}

TEST_F(BeastHttpClientTest, SlowDripResponseHitsTheTotalTimeout) {
    TestServer server(TestServer::each_request([](const ReceivedRequest&, ServerConnection& c) {
        if (!c.write("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n")) {
            return;
        }
        // One byte every 20 ms: each read makes progress, only the total budget can stop it.
        for (int i = 0; i < 250 && c.write("x"); ++i) {
            std::this_thread::sleep_for(20ms);
        }
    }));
    auto request = request_to(server.url("/"));
    request.timeout = 300ms;
    const auto started = SteadyClock::now();
    const auto result = send(request);
    const auto elapsed = SteadyClock::now() - started;
    ASSERT_ERROR(result, OutboundErrorKind::kTimeout);
    EXPECT_NE(std::get<OutboundError>(result).message.find("timed out after 300ms"),
              std::string::npos);
    EXPECT_GE(elapsed, 250ms);
    EXPECT_LT(elapsed, 3s);
}

TEST_F(BeastHttpClientTest, ExecutionDeadlineShortensTheCallTimeout) {
    TestServer server([](ServerConnection& c) {
        ReceivedRequest request;
        c.read_request(request);
        c.read_request(request);  // never answers; returns when the client hangs up
    });
    ctx_.set_deadline(SteadyClock::now() + 300ms);
    auto request = request_to(server.url("/"));
    request.timeout = 60s;
    const auto started = SteadyClock::now();
    const auto result = send(request);
    ASSERT_ERROR(result, OutboundErrorKind::kTimeout);
    EXPECT_LT(SteadyClock::now() - started, 3s);
}

TEST_F(BeastHttpClientTest, CancelClosesAHangingCallPromptly) {
    std::promise<void> arrived;
    std::promise<void> hung_up;
    TestServer server([&](ServerConnection& c) {
        ReceivedRequest request;
        if (c.read_request(request)) {
            arrived.set_value();
            c.read_request(request);  // blocks until the client closes the socket
            hung_up.set_value();
        }
    });
    auto request = request_to(server.url("/"));
    request.timeout = 60s;
    auto future = start(request);
    ASSERT_EQ(arrived.get_future().wait_for(5s), std::future_status::ready);

    const auto cancelled_at = SteadyClock::now();
    ctx_.cancel();
    const auto result = wait(future);
    ASSERT_ERROR(result, OutboundErrorKind::kCancelled);
    EXPECT_LT(SteadyClock::now() - cancelled_at, 1s);
    EXPECT_EQ(hung_up.get_future().wait_for(5s), std::future_status::ready)
        << "the connection was not closed";
}

TEST_F(BeastHttpClientTest, AlreadyCancelledExecutionFailsOnAClientThread) {
    TestServer server(TestServer::each_request(
        [](const ReceivedRequest&, ServerConnection& c) { c.respond(200, "late"); }));
    ctx_.cancel();
    std::promise<std::thread::id> thread;
    auto promise = std::make_shared<std::promise<OutboundResult>>();
    client().send(request_to(server.url("/")), ctx_, [&thread, promise](OutboundResult result) {
        thread.set_value(std::this_thread::get_id());
        promise->set_value(std::move(result));
    });
    auto future = promise->get_future();
    const auto result = wait(future);
    ASSERT_ERROR(result, OutboundErrorKind::kCancelled);
    EXPECT_NE(thread.get_future().get(), std::this_thread::get_id());
    EXPECT_EQ(server.connections(), 0);
}

TEST_F(BeastHttpClientTest, OversizedBodyFailsWithTooLarge) {
    TestServer server(TestServer::each_request([](const ReceivedRequest&, ServerConnection& c) {
        c.respond(200, std::string(2000, 'a'));
    }));
    auto request = request_to(server.url("/"));
    request.max_response_bytes = 1000;
    const auto result = send(request);
    ASSERT_ERROR(result, OutboundErrorKind::kTooLarge);
    EXPECT_NE(std::get<OutboundError>(result).message.find("1000 bytes"), std::string::npos);
}

TEST_F(BeastHttpClientTest, EndlessChunkedBodyIsCutOffAtTheCap) {
    TestServer server(TestServer::each_request([](const ReceivedRequest&, ServerConnection& c) {
        if (!c.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")) {
            return;
        }
        const std::string chunk = "200\r\n" + std::string(512, 'z') + "\r\n";
        for (int i = 0; i < 2000 && c.write(chunk); ++i) {
        }
    }));
    auto request = request_to(server.url("/"));
    request.max_response_bytes = 4096;
    std::size_t streamed = 0;
    const auto result =
        send(request, [&streamed](std::string_view piece) { streamed += piece.size(); });
    ASSERT_ERROR(result, OutboundErrorKind::kTooLarge);
    EXPECT_LE(streamed, 4096u);
}

TEST_F(BeastHttpClientTest, FollowsRedirectChainToTheFinalResponse) {
    Recorder recorder;
    TestServer server(
        TestServer::each_request([&](const ReceivedRequest& request, ServerConnection& c) {
            recorder.add(request);
            if (request.target == "/a") {
                c.respond(301, "", {{"Location", "/b"}});
            } else if (request.target == "/b") {
                c.respond(302, "moved", {{"Location", "c?x=1"}});  // relative to /b
            } else if (request.target == "/c?x=1") {
                c.respond(308, "", {{"Location", "/d"}});
            } else {
                c.respond(200, "final:" + request.target);
            }
        }));
    const auto result = send(request_to(server.url("/a")));
    ASSERT_RESPONSE(result);
    const auto& response = std::get<OutboundResponse>(result);
    EXPECT_EQ(response.body, "final:/d");
    EXPECT_EQ(response.redirects, 3);
    EXPECT_EQ(response.url, server.url("/d"));
    EXPECT_EQ(recorder.size(), 4u);
    EXPECT_EQ(server.connections(), 1);  // every hop reused the same connection
}

TEST_F(BeastHttpClientTest, SeeOtherTurnsPostIntoGetWhileTemporaryRedirectKeepsIt) {
    Recorder recorder;
    TestServer server(
        TestServer::each_request([&](const ReceivedRequest& request, ServerConnection& c) {
            recorder.add(request);
            if (request.target == "/see-other") {
                c.respond(303, "", {{"Location", "/result"}});
            } else if (request.target == "/temporary") {
                c.respond(307, "", {{"Location", "/result"}});
            } else {
                c.respond(200, request.method + ":" + request.body);
            }
        }));
    auto request = request_to(server.url("/see-other"), "POST");
    request.body = "payload";
    request.headers = {{"Content-Type", "text/plain"}};
    auto result = send(request);
    ASSERT_RESPONSE(result);
    EXPECT_EQ(std::get<OutboundResponse>(result).body, "GET:");
    auto seen = recorder.all();
    ASSERT_EQ(seen.size(), 2u);
    EXPECT_FALSE(seen[1].has_header("Content-Type"));

    request.url = server.url("/temporary");
    result = send(request);
    ASSERT_RESPONSE(result);
    EXPECT_EQ(std::get<OutboundResponse>(result).body, "POST:payload");
}

TEST_F(BeastHttpClientTest, RedirectToARefusedAddressFailsWithPolicy) {
    TestServer server(TestServer::each_request([](const ReceivedRequest&, ServerConnection& c) {
        c.respond(302, "", {{"Location", "http://169.254.169.254/latest/meta-data/"}});
    }));
    const auto result = send(request_to(server.url("/")));
    ASSERT_ERROR(result, OutboundErrorKind::kPolicy);
    EXPECT_NE(std::get<OutboundError>(result).message.find("link-local"), std::string::npos);
}

TEST_F(BeastHttpClientTest, RedirectToAnotherSchemeFailsWithPolicy) {
    TestServer server(TestServer::each_request([](const ReceivedRequest&, ServerConnection& c) {
        c.respond(302, "", {{"Location", "file:///etc/passwd"}});
    }));
    const auto result = send(request_to(server.url("/")));
    ASSERT_ERROR(result, OutboundErrorKind::kPolicy);
}

TEST_F(BeastHttpClientTest, MoreThanFiveRedirectsFail) {
    Recorder recorder;
    TestServer server(
        TestServer::each_request([&](const ReceivedRequest& request, ServerConnection& c) {
            recorder.add(request);
            c.respond(302, "", {{"Location", request.target + "x"}});
        }));
    const auto result = send(request_to(server.url("/r")));
    ASSERT_ERROR(result, OutboundErrorKind::kProtocol);
    EXPECT_NE(std::get<OutboundError>(result).message.find("Too many redirects"),
              std::string::npos);
    EXPECT_EQ(recorder.size(), 6u);  // the request and five followed redirects
}

TEST_F(BeastHttpClientTest, RedirectIsReturnedWhenFollowingIsOff) {
    TestServer server(TestServer::each_request([](const ReceivedRequest&, ServerConnection& c) {
        c.respond(302, "see /elsewhere", {{"Location", "/elsewhere"}});
    }));
    auto request = request_to(server.url("/"));
    request.follow_redirects = false;
    const auto result = send(request);
    ASSERT_RESPONSE(result);
    const auto& response = std::get<OutboundResponse>(result);
    EXPECT_EQ(response.status, 302u);
    EXPECT_EQ(header_of(response, "location"), "/elsewhere");
    EXPECT_EQ(response.body, "see /elsewhere");
}

TEST_F(BeastHttpClientTest, CredentialsDoNotFollowARedirectToAnotherOrigin) {
    Recorder other_recorder;
    TestServer other(
        TestServer::each_request([&](const ReceivedRequest& request, ServerConnection& c) {
            other_recorder.add(request);
            c.respond(200, "other");
        }));
    Recorder recorder;
    const std::string other_url = other.url("/landing");
    TestServer server(
        TestServer::each_request([&](const ReceivedRequest& request, ServerConnection& c) {
            recorder.add(request);
            if (request.target == "/same") {
                c.respond(302, "", {{"Location", "/landing"}});
            } else if (request.target == "/cross") {
                c.respond(302, "", {{"Location", other_url}});
            } else {
                c.respond(200, "same");
            }
        }));
    auto request = request_to(server.url("/same"));
    request.headers = {
        {"Authorization", "Bearer sk-secret"}, {"X-Api-Key", "k"}, {"X-Custom", "1"}};
    ASSERT_RESPONSE(send(request));
    auto seen = recorder.all();
    ASSERT_EQ(seen.size(), 2u);
    EXPECT_EQ(seen[1].header("Authorization"), "Bearer sk-secret");
    EXPECT_EQ(seen[1].header("X-Api-Key"), "k");

    request.url = server.url("/cross");
    ASSERT_RESPONSE(send(request));
    const auto other_seen = other_recorder.all();
    ASSERT_EQ(other_seen.size(), 1u);
    EXPECT_FALSE(other_seen[0].has_header("Authorization"));
    EXPECT_FALSE(other_seen[0].has_header("X-Api-Key"));
    EXPECT_EQ(other_seen[0].header("X-Custom"), "1");
}

TEST_F(BeastHttpClientTest, StreamsChunksInOrderAsTheyArrive) {
    std::binary_semaphore delivered(0);
    std::atomic<bool> server_waited_in_vain{false};
    TestServer server(TestServer::each_request([&](const ReceivedRequest&, ServerConnection& c) {
        c.write(
            "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
            "Transfer-Encoding: chunked\r\n\r\n");
        for (int i = 0; i < 3; ++i) {
            const std::string event = "data: " + std::to_string(i) + "\n\n";
            char size[16];
            std::snprintf(size, sizeof size, "%zx\r\n", event.size());
            c.write(std::string(size) + event + "\r\n");
            // The next event goes out only once the client has handed this one over.
            if (!delivered.try_acquire_for(5s)) {
                server_waited_in_vain = true;
            }
        }
        c.write("0\r\n\r\n");
    }));
    std::mutex mutex;
    std::vector<std::string> pieces;
    const auto result = send(request_to(server.url("/events")), [&](std::string_view piece) {
        {
            std::lock_guard lock(mutex);
            pieces.emplace_back(piece);
        }
        delivered.release();
    });
    ASSERT_RESPONSE(result);
    EXPECT_FALSE(server_waited_in_vain);
    EXPECT_EQ(std::get<OutboundResponse>(result).body, "");
    std::string joined;
    for (const auto& piece : pieces) {
        joined += piece;
    }
    EXPECT_EQ(joined, "data: 0\n\ndata: 1\n\ndata: 2\n\n");
    EXPECT_GE(pieces.size(), 3u);
}

TEST_F(BeastHttpClientTest, ErrorStatusKeepsItsBodyInsteadOfStreaming) {
    TestServer server(TestServer::each_request([](const ReceivedRequest&, ServerConnection& c) {
        c.respond(401, R"({"error":"bad key"})");
    }));
    bool streamed = false;
    const auto result =
        send(request_to(server.url("/")), [&](std::string_view) { streamed = true; });
    ASSERT_RESPONSE(result);
    EXPECT_EQ(std::get<OutboundResponse>(result).status, 401u);
    EXPECT_EQ(std::get<OutboundResponse>(result).body, R"({"error":"bad key"})");
    EXPECT_FALSE(streamed);
}

TEST_F(BeastHttpClientTest, RefusedConnectionFailsWithConnect) {
    std::uint16_t port = 0;
    {
        net::io_context io;
        net::ip::tcp::acceptor acceptor(io, {net::ip::make_address("127.0.0.1"), 0});
        port = acceptor.local_endpoint().port();
    }  // closed again: nothing listens there now
    const auto result = send(request_to("http://127.0.0.1:" + std::to_string(port) + "/"));
    ASSERT_ERROR(result, OutboundErrorKind::kConnect);
    EXPECT_NE(std::get<OutboundError>(result).message.find("127.0.0.1"), std::string::npos);
}

TEST_F(BeastHttpClientTest, LoopbackIsRefusedBeforeConnectingWhenNotAllowlisted) {
    TestServer server(TestServer::each_request([](const ReceivedRequest&, ServerConnection& c) {
        c.respond(200, "should not be reached");
    }));
    make_client(OutboundPolicy{});
    for (const std::string& url : std::vector<std::string>{
             server.url("/"), "http://localhost:" + std::to_string(server.port()) + "/"}) {
        const auto result = send(request_to(url));
        ASSERT_ERROR(result, OutboundErrorKind::kPolicy);
        EXPECT_NE(std::get<OutboundError>(result).message.find("loopback"), std::string::npos);
    }
    EXPECT_EQ(server.connections(), 0);
}

TEST_F(BeastHttpClientTest, TrustedServiceOriginIsReachableOnLoopback) {
    TestServer service(TestServer::each_request(
        [](const ReceivedRequest&, ServerConnection& c) { c.respond(200, "service"); }));
    TestServer other(TestServer::each_request(
        [](const ReceivedRequest&, ServerConnection& c) { c.respond(200, "other"); }));
    make_client(policy_from("", {service.url("/v1")}));
    const auto trusted = send(request_to(service.url("/v1/chat/completions")));
    ASSERT_RESPONSE(trusted);
    EXPECT_EQ(std::get<OutboundResponse>(trusted).body, "service");
    const auto untrusted = send(request_to(other.url("/v1")));
    ASSERT_ERROR(untrusted, OutboundErrorKind::kPolicy);
    EXPECT_EQ(other.connections(), 0);
}

TEST_F(BeastHttpClientTest, InvalidHeaderIsRefusedBeforeConnecting) {
    TestServer server(TestServer::each_request(
        [](const ReceivedRequest&, ServerConnection& c) { c.respond(200, ""); }));
    auto request = request_to(server.url("/"));
    request.headers = {{"X-Note", "a\r\nInjected: yes"}};
    const auto result = send(request);
    ASSERT_ERROR(result, OutboundErrorKind::kProtocol);
    EXPECT_EQ(std::get<OutboundError>(result).message.find("Injected"), std::string::npos);
    EXPECT_EQ(server.connections(), 0);
}

class BeastHttpClientTlsTest : public BeastHttpClientTest {
protected:
    TestCertificate certificate_;
};

TEST_F(BeastHttpClientTlsTest, SelfSignedServerFailsVerificationWithTheSystemStore) {
    TestServer server(TestServer::each_request([](const ReceivedRequest&, ServerConnection& c) {
                          c.respond(200, "secure");
                      }),
                      &certificate_.server_context());
    const auto result =
        send(request_to("https://localhost:" + std::to_string(server.port()) + "/"));
    ASSERT_ERROR(result, OutboundErrorKind::kTls);
    EXPECT_NE(std::get<OutboundError>(result).message.find("certificate verify failed"),
              std::string::npos);
}

TEST_F(BeastHttpClientTlsTest, TrustedCaGivesVerifiedConnectionWithSni) {
    std::mutex mutex;
    std::string server_name;
    TestServer server(
        [&](ServerConnection& c) {
            {
                std::lock_guard lock(mutex);
                server_name = c.server_name();
            }
            TestServer::each_request([](const ReceivedRequest& request, ServerConnection& conn) {
                conn.respond(200, "secure " + request.target);
            })(c);
        },
        &certificate_.server_context());
    make_client(allow_test_servers(),
                ClientSettings{.extra_ca_file = certificate_.certificate_file()});
    const std::string base = "https://localhost:" + std::to_string(server.port());
    for (const char* path : {"/one", "/two"}) {
        const auto result = send(request_to(base + path));
        ASSERT_RESPONSE(result);
        EXPECT_EQ(std::get<OutboundResponse>(result).body, std::string("secure ") + path);
    }
    EXPECT_EQ(server.connections(), 1);  // the TLS connection was reused
    std::lock_guard lock(mutex);
    EXPECT_EQ(server_name, "localhost");
}

TEST_F(BeastHttpClientTlsTest, CertificateForAnotherNameFailsHostNameVerification) {
    TestServer server(TestServer::each_request([](const ReceivedRequest&, ServerConnection& c) {
                          c.respond(200, "secure");
                      }),
                      &certificate_.server_context());
    make_client(allow_test_servers(),
                ClientSettings{.extra_ca_file = certificate_.certificate_file()});
    // The certificate names only "localhost"; 127.0.0.1 is not in it.
    const auto result = send(request_to(server.url("/")));
    ASSERT_ERROR(result, OutboundErrorKind::kTls);
}

TEST_F(BeastHttpClientTlsTest, SilentServerFailsTheHandshakeAfterItsTimeout) {
    std::promise<void> release;
    auto released = release.get_future().share();
    TestServer server([released](ServerConnection&) {
        released.wait_for(5s);  // accepts, then never speaks TLS
    });
    make_client(allow_test_servers(), ClientSettings{.tls_handshake_timeout = 200ms});
    auto request = request_to("https://localhost:" + std::to_string(server.port()) + "/");
    const auto started = SteadyClock::now();
    const auto result = send(request);
    release.set_value();
    ASSERT_ERROR(result, OutboundErrorKind::kTls);
    EXPECT_NE(std::get<OutboundError>(result).message.find("timed out after 200ms"),
              std::string::npos);
    EXPECT_LT(SteadyClock::now() - started, 3s);
}

TEST(BeastHttpClient, UnreadableCaFileIsAConstructionError) {
    net::io_context io;
    EXPECT_THROW(BeastHttpClient(io, OutboundPolicy{},
                                 ClientSettings{.extra_ca_file = "/nonexistent/ca.pem"}),
                 std::runtime_error);
}

}  // namespace
}  // namespace clara::client
