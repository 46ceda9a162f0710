#include "http/server.hpp"

#include "unit/http/raw_client.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <mutex>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <tuple>

namespace clara::http {
namespace {

namespace net = boost::asio;
using namespace std::chrono_literals;
using testing::RawClient;
using testing::RawResponse;

constexpr std::size_t kEchoLimit = 1024;
constexpr std::size_t kUploadLimit = 4 * 1024 * 1024;
constexpr int kParallel = 50;

/// Waits (bounded) for a condition that another thread makes true.
template <class Predicate>
bool eventually(Predicate predicate, std::chrono::milliseconds timeout = 5000ms) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!predicate()) {
        if (std::chrono::steady_clock::now() > deadline) {
            return false;
        }
        std::this_thread::sleep_for(2ms);
    }
    return true;
}

/// Suspends a handler coroutine until `done()` or the bound passes, without blocking a thread.
template <class Predicate>
net::awaitable<bool> wait_in_handler(Predicate done, std::chrono::milliseconds bound) {
    net::steady_timer timer(co_await net::this_coro::executor);
    auto deadline = std::chrono::steady_clock::now() + bound;
    while (!done()) {
        if (std::chrono::steady_clock::now() > deadline) {
            co_return false;
        }
        timer.expires_after(2ms);
        co_await timer.async_wait(net::use_awaitable);
    }
    co_return true;
}

std::string get(std::string_view target, std::string_view extra_headers = "") {
    return "GET " + std::string(target) + " HTTP/1.1\r\nHost: test\r\n" +
           std::string(extra_headers) + "\r\n";
}

std::string post(std::string_view target, std::string_view body) {
    return "POST " + std::string(target) + " HTTP/1.1\r\nHost: test\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\n\r\n" + std::string(body);
}

boost::json::value json_body(const RawResponse& response) {
    return boost::json::parse(response.body);
}

class ServerTest : public ::testing::Test {
protected:
    ServerTest() {
        router_.add("GET", "/hello", [](Request&) -> net::awaitable<Response> {
            co_return Response::text(200, "text/plain", "hello");
        });
        router_.add(
            "POST", "/echo",
            [this](Request& request) -> net::awaitable<Response> {
                ++echo_calls_;
                co_return Response::text(200, "application/octet-stream", request.body);
            },
            RouteOptions{kEchoLimit});
        router_.add(
            "POST", "/upload",
            [](Request& request) -> net::awaitable<Response> {
                co_return Response::json(200, {{"size", request.body.size()}});
            },
            RouteOptions{kUploadLimit});
        router_.add("GET", "/items/{id}", [](Request& request) -> net::awaitable<Response> {
            co_return Response::json(200, {{"id", request.param("id")}, {"path", request.path}});
        });
        router_.add("GET", "/query", [](Request& request) -> net::awaitable<Response> {
            boost::json::array pairs;
            for (const auto& [key, value] : request.query) {
                pairs.push_back(boost::json::array{key, value});
            }
            co_return Response::json(200, pairs);
        });
        router_.add("GET", "/request-id", [](Request& request) -> net::awaitable<Response> {
            co_return Response::text(200, "text/plain", request.request_id);
        });
        router_.add("GET", "/client", [](Request& request) -> net::awaitable<Response> {
            co_return Response::text(200, "text/plain", request.client_address);
        });
        router_.add("GET", "/boom", [](Request&) -> net::awaitable<Response> {
            throw std::runtime_error("secret internal detail");
            co_return Response{};
        });
        router_.add("GET", "/gate", [this](Request&) -> net::awaitable<Response> {
            ++gate_started_;
            bool opened = co_await wait_in_handler([this] { return gate_open_.load(); }, 10s);
            co_return Response::text(200, "text/plain", opened ? "released" : "stuck");
        });
        router_.add("GET", "/gather", [this](Request&) -> net::awaitable<Response> {
            ++gathered_;
            bool all = co_await wait_in_handler([this] { return gathered_.load() >= kParallel; },
                                                3s);
            co_return Response::text(200, "text/plain", all ? "together" : "alone");
        });
        router_.add("DELETE", "/hello", [](Request&) -> net::awaitable<Response> {
            co_return Response{204, "", "", {}};
        });
        router_.add("PUT", "/only-put", [](Request&) -> net::awaitable<Response> {
            co_return Response::text(200, "text/plain", "put");
        });
    }

    ~ServerTest() override {
        gate_open_ = true;
        if (server_) {
            std::promise<void> drained;
            server_->shutdown([&drained] { drained.set_value(); });
            drained.get_future().wait_for(5s);
        }
        work_.reset();
        io_.stop();
        for (auto& thread : threads_) {
            thread.join();
        }
        server_.reset();
    }

    void start(ServerSettings settings = {}) {
        settings.host = "127.0.0.1";
        settings.port = 0;
        server_ = std::make_unique<Server>(
            io_, settings, router_,
            [](unsigned status, std::string_view error, std::string_view message) {
                return Response::json(status, {{"success", false},
                                               {"error", error},
                                               {"message", message}});
            },
            [this](const Request& request, const Response& response, std::chrono::microseconds) {
                std::lock_guard lock(log_mutex_);
                access_log_.emplace_back(request.method, request.path, response.status);
            });
        server_->start();
        for (int i = 0; i < 2; ++i) {
            threads_.emplace_back([this] { io_.run(); });
        }
    }

    std::uint16_t port() const { return server_->port(); }

    std::vector<std::tuple<std::string, std::string, unsigned>> access_log() {
        std::lock_guard lock(log_mutex_);
        return access_log_;
    }

    net::io_context io_;
    net::executor_work_guard<net::io_context::executor_type> work_ = net::make_work_guard(io_);
    std::vector<std::thread> threads_;
    Router router_;
    std::unique_ptr<Server> server_;

    std::atomic<int> echo_calls_{0};
    std::atomic<int> gate_started_{0};
    std::atomic<bool> gate_open_{false};
    std::atomic<int> gathered_{0};
    std::mutex log_mutex_;
    std::vector<std::tuple<std::string, std::string, unsigned>> access_log_;
};

TEST_F(ServerTest, BindsEphemeralPortWhenPortIsZero) {
    start();
    EXPECT_NE(port(), 0);
}

TEST_F(ServerTest, StartThrowsWhenPortIsTaken) {
    start();
    ServerSettings settings;
    settings.host = "127.0.0.1";
    settings.port = port();
    Server second(io_, settings, router_, {});
    EXPECT_THROW(second.start(), std::system_error);
}

TEST_F(ServerTest, GetRouteReturnsHandlerResponse) {
    start();
    RawClient client(port());
    ASSERT_TRUE(client.send(get("/hello")));
    auto response = client.read_response();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->version, "HTTP/1.1");
    EXPECT_EQ(response->body, "hello");
    EXPECT_EQ(response->header("content-type"), "text/plain");
    EXPECT_EQ(response->header("content-length"), "5");
    EXPECT_FALSE(response->header("x-request-id").empty());
}

TEST_F(ServerTest, PostBodyReachesHandler) {
    start();
    RawClient client(port());
    ASSERT_TRUE(client.send(post("/echo", "{\"x\":1}")));
    auto response = client.read_response();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->body, "{\"x\":1}");
}

TEST_F(ServerTest, KeepsConnectionAliveForSecondRequest) {
    start();
    RawClient client(port());
    ASSERT_TRUE(client.send(get("/hello")));
    auto first = client.read_response();
    ASSERT_TRUE(first);
    EXPECT_NE(first->header("connection"), "close");
    ASSERT_TRUE(client.send(post("/echo", "again")));
    auto second = client.read_response();
    ASSERT_TRUE(second);
    EXPECT_EQ(second->body, "again");
    EXPECT_EQ(server_->open_connections(), 1u);
}

TEST_F(ServerTest, AnswersPipelinedRequestsInOrder) {
    start();
    RawClient client(port());
    ASSERT_TRUE(client.send(post("/echo", "one") + post("/echo", "two")));
    auto first = client.read_response();
    auto second = client.read_response();
    ASSERT_TRUE(first && second);
    EXPECT_EQ(first->body, "one");
    EXPECT_EQ(second->body, "two");
}

TEST_F(ServerTest, Http10RequestClosesConnectionAfterResponse) {
    start();
    RawClient client(port());
    ASSERT_TRUE(client.send("GET /hello HTTP/1.0\r\n\r\n"));
    auto response = client.read_response();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->version, "HTTP/1.0");
    EXPECT_EQ(response->body, "hello");
    EXPECT_TRUE(client.wait_closed());
}

TEST_F(ServerTest, Http10KeepAliveRequestKeepsConnection) {
    start();
    RawClient client(port());
    ASSERT_TRUE(client.send("GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
    auto first = client.read_response();
    ASSERT_TRUE(first);
    EXPECT_EQ(first->header("connection"), "keep-alive");
    ASSERT_TRUE(client.send("GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
    auto second = client.read_response();
    ASSERT_TRUE(second);
    EXPECT_EQ(second->body, "hello");
}

TEST_F(ServerTest, ConnectionCloseRequestClosesAfterResponse) {
    start();
    RawClient client(port());
    ASSERT_TRUE(client.send(get("/hello", "Connection: close\r\n")));
    auto response = client.read_response();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->header("connection"), "close");
    EXPECT_TRUE(client.wait_closed());
}

TEST_F(ServerTest, UnknownPathGets404FromErrorResponder) {
    start();
    RawClient client(port());
    ASSERT_TRUE(client.send(get("/nope")));
    auto response = client.read_response();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 404);
    EXPECT_EQ(response->header("content-type"), "application/json");
    auto body = json_body(*response);
    EXPECT_EQ(body.at("success"), false);
    EXPECT_EQ(body.at("error"), "Endpoint not found");
    EXPECT_EQ(body.at("message"), "The endpoint GET /nope does not exist");
    // Nothing was left unread, so the connection stays usable.
    ASSERT_TRUE(client.send(get("/hello")));
    auto next = client.read_response();
    ASSERT_TRUE(next);
    EXPECT_EQ(next->status, 200);
}

TEST_F(ServerTest, WrongMethodGets405WithAllowHeader) {
    start();
    RawClient client(port());
    ASSERT_TRUE(client.send(post("/hello", "x")));
    auto response = client.read_response();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 405);
    EXPECT_EQ(response->header("allow"), "GET, DELETE, HEAD");
    EXPECT_EQ(json_body(*response).at("error"), "Method not allowed");
}

TEST_F(ServerTest, NoContentResponseHasNoBodyAndKeepsConnection) {
    start();
    RawClient client(port());
    ASSERT_TRUE(client.send("DELETE /hello HTTP/1.1\r\nHost: test\r\n\r\n"));
    auto response = client.read_response();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 204);
    EXPECT_EQ(response->header("content-length"), "");
    ASSERT_TRUE(client.send(get("/hello")));
    auto next = client.read_response();
    ASSERT_TRUE(next);
    EXPECT_EQ(next->body, "hello");
}

TEST_F(ServerTest, ContentLengthOverRouteLimitGets413AndCloses) {
    start();
    RawClient client(port());
    ASSERT_TRUE(client.send(post("/echo", std::string(kEchoLimit + 1, 'a'))));
    auto response = client.read_response();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 413);
    EXPECT_EQ(response->header("connection"), "close");
    auto body = json_body(*response);
    EXPECT_EQ(body.at("error"), "Request body too large");
    EXPECT_EQ(body.at("message"), "Maximum allowed size is 1024 bytes (0.00MB)");
    EXPECT_TRUE(client.wait_closed());
    EXPECT_EQ(echo_calls_, 0);
}

TEST_F(ServerTest, BodyExactlyAtLimitIsAccepted) {
    start();
    RawClient client(port());
    ASSERT_TRUE(client.send(post("/echo", std::string(kEchoLimit, 'a'))));
    auto response = client.read_response();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->body.size(), kEchoLimit);
}

TEST_F(ServerTest, ChunkedBodyOverLimitGets413WhileStillArriving) {
    start();
    RawClient client(port());
    std::string request =
        "POST /echo HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n";
    // 3 x 512 bytes and no final chunk: only a limit checked while reading can answer now.
    for (int i = 0; i < 3; ++i) {
        request += "200\r\n" + std::string(512, 'b') + "\r\n";
    }
    ASSERT_TRUE(client.send(request));
    auto response = client.read_response();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 413);
    EXPECT_EQ(json_body(*response).at("error"), "Request body too large");
    EXPECT_TRUE(client.wait_closed());
    EXPECT_EQ(echo_calls_, 0);
}

TEST_F(ServerTest, ChunkedBodyWithinLimitReachesHandler) {
    start();
    RawClient client(port());
    ASSERT_TRUE(client.send(
        "POST /echo HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n"
        "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"));
    auto response = client.read_response();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->body, "hello world");
}

TEST_F(ServerTest, MalformedRequestGets400AndCloses) {
    start();
    RawClient client(port());
    ASSERT_TRUE(client.send("THIS IS NOT HTTP\r\n\r\n"));
    auto response = client.read_response();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 400);
    EXPECT_EQ(json_body(*response).at("error"), "Bad request");
    EXPECT_TRUE(client.wait_closed());
}

TEST_F(ServerTest, MalformedChunkedBodyGets400) {
    start();
    RawClient client(port());
    ASSERT_TRUE(client.send(
        "POST /echo HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"));
    auto response = client.read_response();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 400);
    EXPECT_TRUE(client.wait_closed());
}

TEST_F(ServerTest, OversizedHeaderGets431) {
    ServerSettings settings;
    settings.header_limit = 4096;
    start(settings);
    RawClient client(port());
    ASSERT_TRUE(client.send(get("/hello", "X-Big: " + std::string(8000, 'h') + "\r\n")));
    auto response = client.read_response();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 431);
    EXPECT_TRUE(client.wait_closed());
}

TEST_F(ServerTest, ExpectContinueGets100BeforeBodyIsSent) {
    start();
    RawClient client(port());
    const std::size_t size = 2 * 1024 * 1024;
    ASSERT_TRUE(client.send("POST /upload HTTP/1.1\r\nHost: test\r\nContent-Length: " +
                            std::to_string(size) + "\r\nExpect: 100-continue\r\n\r\n"));
    auto interim = client.read_response();
    ASSERT_TRUE(interim);
    EXPECT_EQ(interim->status, 100);
    ASSERT_TRUE(client.send(std::string(size, 'u')));
    auto response = client.read_response();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(json_body(*response).at("size"), size);
}

TEST_F(ServerTest, ExpectContinueOverLimitGets413InsteadOf100) {
    start();
    RawClient client(port());
    ASSERT_TRUE(client.send("POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: 5000\r\n"
                            "Expect: 100-continue\r\n\r\n"));
    auto response = client.read_response();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 413);
    EXPECT_TRUE(client.wait_closed());
}

TEST_F(ServerTest, DecodesPathAndQuery) {
    start();
    RawClient client(port());
    ASSERT_TRUE(client.send(get("/query?name=John+Doe&city=S%C3%A3o%20Paulo&flag&a%26b=1%2B1")));
    auto response = client.read_response();
    ASSERT_TRUE(response);
    EXPECT_EQ(json_body(*response), boost::json::parse(R"([["name","John Doe"],
        ["city","S\u00e3o Paulo"],["flag",""],["a&b","1+1"]])"));

    ASSERT_TRUE(client.send(get("/items/hello%20world/?x=1")));
    auto item = client.read_response();
    ASSERT_TRUE(item);
    EXPECT_EQ(item->status, 200);
    EXPECT_EQ(json_body(*item).at("id"), "hello world");
    EXPECT_EQ(json_body(*item).at("path"), "/items/hello world/");
}

TEST_F(ServerTest, FillsClientAddress) {
    start();
    RawClient client(port());
    ASSERT_TRUE(client.send(get("/client")));
    auto response = client.read_response();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->body, "127.0.0.1");
}

TEST_F(ServerTest, EchoesSaneIncomingRequestId) {
    start();
    RawClient client(port());
    ASSERT_TRUE(client.send(get("/request-id", "X-Request-Id: trace-42.a_b\r\n")));
    auto response = client.read_response();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->header("x-request-id"), "trace-42.a_b");
    EXPECT_EQ(response->body, "trace-42.a_b");
}

TEST_F(ServerTest, ReplacesUnsafeOrLongRequestId) {
    start();
    RawClient client(port());
    for (std::string bad : {std::string("has space"), std::string(65, 'a'), std::string("a;b")}) {
        SCOPED_TRACE(bad);
        ASSERT_TRUE(client.send(get("/request-id", "X-Request-Id: " + bad + "\r\n")));
        auto response = client.read_response();
        ASSERT_TRUE(response);
        EXPECT_NE(response->body, bad);
        EXPECT_FALSE(response->body.empty());
        EXPECT_EQ(response->header("x-request-id"), response->body);
    }
}

TEST_F(ServerTest, GeneratesDistinctRequestIds) {
    start();
    RawClient client(port());
    ASSERT_TRUE(client.send(get("/request-id") + get("/request-id")));
    auto first = client.read_response();
    auto second = client.read_response();
    ASSERT_TRUE(first && second);
    EXPECT_NE(first->body, second->body);
}

TEST_F(ServerTest, HandlerExceptionGets500WithoutInternalDetail) {
    start();
    RawClient client(port());
    ASSERT_TRUE(client.send(get("/boom")));
    auto response = client.read_response();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 500);
    auto body = json_body(*response);
    EXPECT_EQ(body.at("error"), "Internal server error");
    EXPECT_EQ(body.at("message"), "An unexpected error occurred");
    EXPECT_EQ(response->body.find("secret"), std::string::npos);
    // The connection survives a failing handler.
    ASSERT_TRUE(client.send(get("/hello")));
    auto next = client.read_response();
    ASSERT_TRUE(next);
    EXPECT_EQ(next->status, 200);
}

TEST_F(ServerTest, HeadIsServedLikeGetWithoutBody) {
    start();
    RawClient client(port());
    ASSERT_TRUE(client.send("HEAD /hello HTTP/1.1\r\nHost: test\r\n\r\n"));
    auto head = client.read_response(true);
    ASSERT_TRUE(head);
    EXPECT_EQ(head->status, 200);
    EXPECT_EQ(head->header("content-length"), "5");
    // Had the body been sent, it would now be read as the next status line.
    ASSERT_TRUE(client.send(get("/hello")));
    auto next = client.read_response();
    ASSERT_TRUE(next);
    EXPECT_EQ(next->status, 200);
    EXPECT_EQ(next->body, "hello");
}

TEST_F(ServerTest, CallsAccessLoggerForEveryResponse) {
    start();
    RawClient client(port());
    ASSERT_TRUE(client.send(get("/hello") + get("/nope")));
    ASSERT_TRUE(client.read_response());
    ASSERT_TRUE(client.read_response());
    ASSERT_TRUE(eventually([&] { return access_log().size() == 2; }));
    auto log = access_log();
    EXPECT_EQ(log[0], std::make_tuple(std::string("GET"), std::string("/hello"), 200u));
    EXPECT_EQ(log[1], std::make_tuple(std::string("GET"), std::string("/nope"), 404u));
}

TEST_F(ServerTest, ClosesIdleKeepAliveConnectionAfterIdleTimeout) {
    ServerSettings settings;
    settings.idle_timeout = 200ms;
    start(settings);
    RawClient client(port());
    ASSERT_TRUE(client.send(get("/hello")));
    ASSERT_TRUE(client.read_response());
    EXPECT_TRUE(client.wait_closed());  // the client's own timeout is 5 s
    EXPECT_TRUE(eventually([&] { return server_->open_connections() == 0; }));
}

TEST_F(ServerTest, ClosesConnectionThatNeverCompletesHeader) {
    ServerSettings settings;
    settings.header_timeout = 200ms;
    start(settings);
    RawClient client(port());
    ASSERT_TRUE(client.send("GET /hello HTTP/1.1\r\nHost: te"));
    EXPECT_TRUE(client.wait_closed());
}

TEST_F(ServerTest, ServesManyConnectionsConcurrently) {
    start();
    std::vector<std::unique_ptr<RawClient>> clients;
    for (int i = 0; i < kParallel; ++i) {
        clients.push_back(std::make_unique<RawClient>(port()));
        ASSERT_TRUE(clients.back()->send(get("/gather")));
    }
    // Every handler waits until all requests are in flight at once.
    for (auto& client : clients) {
        auto response = client->read_response();
        ASSERT_TRUE(response);
        EXPECT_EQ(response->body, "together");
    }
    EXPECT_EQ(server_->open_connections(), static_cast<std::size_t>(kParallel));
}

TEST_F(ServerTest, ShutdownDrainsInFlightRequestAndRefusesNewConnections) {
    start();
    const std::uint16_t bound = port();
    RawClient busy(bound);
    ASSERT_TRUE(busy.send(get("/gate")));
    ASSERT_TRUE(eventually([&] { return gate_started_ == 1; }));

    RawClient idle(bound);
    ASSERT_TRUE(idle.send(get("/hello")));
    ASSERT_TRUE(idle.read_response());

    std::promise<void> drained;
    auto drained_future = drained.get_future();
    server_->shutdown([&drained] { drained.set_value(); });

    EXPECT_TRUE(idle.wait_closed());
    EXPECT_TRUE(eventually([&] { return !RawClient::can_connect(bound); }));
    EXPECT_EQ(drained_future.wait_for(0ms), std::future_status::timeout);

    gate_open_ = true;
    auto response = busy.read_response();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->body, "released");
    EXPECT_EQ(response->header("connection"), "close");
    EXPECT_TRUE(busy.wait_closed());

    ASSERT_EQ(drained_future.wait_for(5s), std::future_status::ready);
    EXPECT_EQ(server_->open_connections(), 0u);
    server_.reset();
}

TEST_F(ServerTest, ShutdownWithoutConnectionsCallsOnDrained) {
    start();
    std::promise<void> drained;
    auto drained_future = drained.get_future();
    server_->shutdown([&drained] { drained.set_value(); });
    EXPECT_EQ(drained_future.wait_for(5s), std::future_status::ready);
    server_.reset();
}

}  // namespace
}  // namespace clara::http
