#include <atomic>
#include <thread>

#include "../service_node_harness.hpp"
#include "fake_service.hpp"
#include "util/base64.hpp"

namespace clara::nodes::testing {
namespace {

namespace json = boost::json;
using engine::FailureKind;
using std::chrono::milliseconds;

FakeReply ok_json(std::string_view body) { return FakeReply::json(body); }

json::value jv(const std::string& text) { return json::string(text); }

/// Cancels `run` from another thread once `ready` holds (checked every few milliseconds, for
/// at most ten seconds).
std::thread cancel_when(ServiceNodeRun& run, std::function<bool()> ready) {
    return std::thread([&run, ready = std::move(ready)] {
        const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (!ready() && std::chrono::steady_clock::now() < give_up) {
            std::this_thread::sleep_for(milliseconds(5));
        }
        run.cancel();
    });
}

TEST(ApiRequestNode, GetAppendsParamsSendsUserAgentAndParsesJson) {
    FakeService server([](const ReceivedRequest&) {
        return FakeReply{200,
                         R"({"items":[1,2]})",
                         {{"Content-Type", "application/json; charset=utf-8"},
                          {"X-Trace", "a"},
                          {"x-trace", "b"}}};
    });
    ServiceEnvironment env;
    ServiceNodeRun run(env, "api-request");
    run.input("url", jv(server.url("/items?x=1#frag")))
        .input("params", json::parse(R"({"q":"a b&c","n":1,"skip":null})"));
    const auto result = run.run();
    ASSERT_TRUE(result) << run.error();

    const auto request = server.request();
    EXPECT_EQ(request.method, "GET");
    EXPECT_EQ(request.target, "/items?x=1&q=a+b%26c&n=1");
    EXPECT_EQ(request.header("User-Agent"), "Clara-Agent-Runner/1.0");
    EXPECT_TRUE(request.body.empty());

    const auto& out = result->as_object();
    EXPECT_EQ(out.at("data"), json::parse(R"({"items":[1,2]})"));
    EXPECT_EQ(out.at("status"), 200u);
    EXPECT_EQ(out.at("statusText"), "OK");
    EXPECT_EQ(out.at("success"), true);
    EXPECT_EQ(out.at("headers").at("x-trace"), "a, b");
    EXPECT_EQ(out.at("headers").at("content-type"), "application/json; charset=utf-8");
    const auto& metadata = out.at("metadata").as_object();
    EXPECT_EQ(metadata.at("url"), jv(server.url("/items?x=1&q=a+b%26c&n=1")));
    EXPECT_EQ(metadata.at("method"), "GET");
    EXPECT_EQ(metadata.at("retryCount"), 0);
    EXPECT_EQ(metadata.at("contentType"), "application/json; charset=utf-8");
    EXPECT_EQ(metadata.at("size"), 15);
    EXPECT_TRUE(metadata.at("requestTime").is_int64());
    EXPECT_EQ(metadata.at("timestamp").as_string().size(), 24u);
}

TEST(ApiRequestNode, UsesDataUrlWhenNoUrlInputAndMergesHeadersInOrder) {
    FakeService server([](const ReceivedRequest&) { return ok_json("{}"); });
    ServiceEnvironment env;
    ServiceNodeRun run(
        env, "api-request",
        R"({"url":")" + server.url("/static") +
            R"(","method":"post","headers":{"X-A":"data","X-B":"data","User-Agent":"custom/2"}})");
    run.input("headers", json::parse(R"({"x-b":"input","X-C":7,"X-D":null})"))
        .input("body", json::parse(R"({"k":"v"})"));
    ASSERT_TRUE(run.run()) << run.error();
    const auto request = server.request();
    EXPECT_EQ(request.method, "POST");
    EXPECT_EQ(request.target, "/static");
    EXPECT_EQ(request.header("User-Agent"), "custom/2");
    EXPECT_EQ(request.header("X-A"), "data");
    EXPECT_EQ(request.header("X-B"), "input");
    EXPECT_EQ(request.header("X-C"), "7");
    EXPECT_FALSE(request.has_header("X-D"));
    EXPECT_EQ(request.header("Content-Type"), "application/json");
    EXPECT_EQ(request.body, R"({"k":"v"})");
}

struct AuthCase {
    std::string_view auth_type;
    std::string_view auth;
    std::string_view header;  ///< header expected, "" for none
    std::string value;  // owned: some expected values are built at run time
    std::string_view target = "/a";
};

TEST(ApiRequestNode, SendsEachAuthTypeFromTheAuthInput) {
    const std::vector<AuthCase> cases{
        {"bearer", R"({"token":"t0k"})", "Authorization", "Bearer t0k"},
        {"basic", R"({"username":"al","password":"p:w"})", "Authorization",
         "Basic " + util::base64_encode("al:p:w")},
        {"apiKey", R"({"key":"X-Api-Key","value":"k1","location":"header"})", "X-Api-Key", "k1"},
        {"apiKey", R"({"key":"api key","value":"k 2"})", "", "", "/a?api+key=k+2"},
        {"custom", R"({"headerName":"X-Custom","headerValue":"c"})", "X-Custom", "c"},
        {"bearer", R"({"token":""})", "", ""},
        {"basic", R"({"username":"only"})", "", ""},
        {"none", R"({"token":"ignored"})", "", ""},
    };
    FakeService server([](const ReceivedRequest&) { return ok_json("{}"); });
    ServiceEnvironment env;
    for (const auto& c : cases) {
        SCOPED_TRACE(std::string(c.auth_type) + " " + std::string(c.auth));
        const auto before = server.count();
        ServiceNodeRun run(env, "api-request",
                           R"({"authType":")" + std::string(c.auth_type) + R"("})");
        run.input("url", jv(server.url("/a"))).input("auth", json::parse(c.auth));
        const auto result = run.run();
        ASSERT_TRUE(result) << run.error();
        const auto request = server.request(before);
        EXPECT_EQ(request.target, c.target);
        if (!c.header.empty()) {
            EXPECT_EQ(request.header(c.header), c.value);
        } else {
            EXPECT_FALSE(request.has_header("Authorization"));
            EXPECT_FALSE(request.has_header("X-Api-Key"));
        }
        // A credential in the query is not echoed in the result.
        EXPECT_EQ(result->at("metadata").at("url"), jv(server.url("/a")));
    }
}

TEST(ApiRequestNode, EncodesBodiesByContentType) {
    FakeService server([](const ReceivedRequest&) { return ok_json("{}"); });
    ServiceEnvironment env;
    auto send = [&](std::string_view data, json::value body) {
        const auto before = server.count();
        ServiceNodeRun run(env, "api-request", data);
        run.input("url", jv(server.url("/b"))).input("body", std::move(body));
        EXPECT_TRUE(run.run()) << run.error();
        return server.request(before);
    };

    auto request = send(R"({"method":"POST"})", "raw text");
    EXPECT_EQ(request.body, "raw text");
    EXPECT_EQ(request.header("Content-Type"), "application/json");

    request = send(R"({"method":"PUT","contentType":"application/x-www-form-urlencoded"})",
                   json::parse(R"({"a b":"c&d","n":2,"z":null})"));
    EXPECT_EQ(request.method, "PUT");
    EXPECT_EQ(request.body, "a+b=c%26d&n=2");
    EXPECT_EQ(request.header("Content-Type"), "application/x-www-form-urlencoded");

    request = send(R"({"method":"PATCH","contentType":"multipart/form-data"})",
                   json::parse(R"({"name":"x","count":3,"skip":null})"));
    const auto parts = parse_form(request);
    ASSERT_EQ(parts.size(), 2u);
    EXPECT_EQ(parts[0].name, "name");
    EXPECT_EQ(parts[0].data, "x");
    EXPECT_FALSE(parts[0].filename);
    EXPECT_EQ(parts[1].name, "count");
    EXPECT_EQ(parts[1].data, "3");

    request = send(R"({"method":"POST","contentType":"application/xml"})", "<a/>");
    EXPECT_EQ(request.body, "<a/>");
    EXPECT_EQ(request.header("Content-Type"), "application/xml");

    request = send(R"({"method":"POST","contentType":"text/plain"})", json::parse("[1,2]"));
    EXPECT_EQ(request.body, "[1,2]");

    request = send(R"({"method":"POST","contentType":"custom"})", "as is");
    EXPECT_EQ(request.body, "as is");
    EXPECT_FALSE(request.has_header("Content-Type"));

    // GET, DELETE and friends carry no body.
    request = send(R"({"method":"DELETE"})", json::parse(R"({"ignored":true})"));
    EXPECT_EQ(request.method, "DELETE");
    EXPECT_TRUE(request.body.empty());
    EXPECT_FALSE(request.has_header("Content-Type"));
}

TEST(ApiRequestNode, MultipartWithoutAnObjectIsANodeError) {
    FakeService server([](const ReceivedRequest&) { return ok_json("{}"); });
    ServiceEnvironment env;
    ServiceNodeRun run(env, "api-request",
                       R"({"method":"POST","contentType":"multipart/form-data","retries":3})");
    run.input("url", jv(server.url("/m"))).input("body", "text");
    EXPECT_FALSE(run.run());
    EXPECT_EQ(run.error(), "Multipart form data requires an object");
    EXPECT_EQ(run.failure_kind(), FailureKind::kNode);
    EXPECT_EQ(server.count(), 0u);
}

TEST(ApiRequestNode, MissingOrInvalidUrlIsANodeError) {
    ServiceEnvironment env;
    {
        ServiceNodeRun run(env, "api-request");
        EXPECT_FALSE(run.run());
        EXPECT_EQ(run.error(), "URL is required for API request");
        EXPECT_EQ(run.failure_kind(), FailureKind::kNode);
    }
    for (const auto* url : {"ftp://example.com/x", "not a url", "http://"}) {
        ServiceNodeRun run(env, "api-request");
        run.input("url", url);
        EXPECT_FALSE(run.run());
        EXPECT_EQ(run.error(), "Invalid URL") << url;
    }
}

TEST(ApiRequestNode, PercentEncodesSpacesInTheUrlAsBrowsersDo) {
    FakeService server([](const ReceivedRequest&) { return ok_json("{}"); });
    ServiceEnvironment env;
    ServiceNodeRun run(env, "api-request");
    run.input("url", jv(server.url("/search?q=hello world&t={{topic}}")));
    ASSERT_TRUE(run.run()) << run.error();
    EXPECT_EQ(server.request().target, "/search?q=hello%20world&t=%7B%7Btopic%7D%7D");
}

TEST(ApiRequestNode, UrlWithoutAPathStillGetsItsParams) {
    FakeService server([](const ReceivedRequest&) { return ok_json("{}"); });
    ServiceEnvironment env;
    ServiceNodeRun run(env, "api-request");
    run.input("url", jv(server.url())).input("params", json::parse(R"({"a":true})"));
    const auto result = run.run();
    ASSERT_TRUE(result) << run.error();
    EXPECT_EQ(server.request().target, "/?a=true");
    EXPECT_EQ(result->at("metadata").at("url"), jv(server.url("?a=true")));
}

TEST(ApiRequestNode, RetriesServerErrorsWithExponentialBackoff) {
    std::atomic<int> calls{0};
    FakeService server([&](const ReceivedRequest&) {
        return ++calls <= 2 ? FakeReply{503, "busy"} : ok_json(R"({"ok":true})");
    });
    ServiceEnvironment env;
    ServiceNodeRun run(env, "api-request", R"({"retries":3,"retryDelay":40})");
    run.input("url", jv(server.url("/r")));
    const auto started = std::chrono::steady_clock::now();
    const auto result = run.run();
    const auto elapsed = std::chrono::steady_clock::now() - started;
    ASSERT_TRUE(result) << run.error();
    EXPECT_EQ(server.count(), 3u);
    EXPECT_EQ(result->at("metadata").at("retryCount"), 2);
    EXPECT_EQ(result->at("data"), json::parse(R"({"ok":true})"));
    // Waits of 40 ms and then 80 ms came before the second and third attempts.
    EXPECT_GE(elapsed, milliseconds(120));
}

TEST(ApiRequestNode, ExhaustedRetriesFailAsUpstreamError) {
    FakeService server([](const ReceivedRequest&) { return FakeReply{500, "boom"}; });
    ServiceEnvironment env;
    ServiceNodeRun run(env, "api-request", R"({"retries":2,"retryDelay":1})");
    run.input("url", jv(server.url("/e")));
    EXPECT_FALSE(run.run());
    EXPECT_EQ(server.count(), 3u);
    EXPECT_EQ(run.error(),
              "API request failed after 2 retries: HTTP Error: 500 Internal Server Error");
    EXPECT_EQ(run.failure_kind(), FailureKind::kUpstream);
}

TEST(ApiRequestNode, ClientErrorsAreNotRetried) {
    FakeService server([](const ReceivedRequest&) { return FakeReply{404, "missing"}; });
    ServiceEnvironment env;
    ServiceNodeRun run(env, "api-request", R"({"retries":3,"retryDelay":1})");
    run.input("url", jv(server.url("/missing")));
    EXPECT_FALSE(run.run());
    EXPECT_EQ(server.count(), 1u);
    EXPECT_EQ(run.error(), "API request failed: HTTP Error: 404 Not Found");
    EXPECT_EQ(run.failure_kind(), FailureKind::kUpstream);
}

TEST(ApiRequestNode, WithoutValidateStatusAnErrorStatusIsAResult) {
    FakeService server([](const ReceivedRequest&) {
        return FakeReply{503, "down", {{"Content-Type", "text/plain"}}};
    });
    ServiceEnvironment env;
    ServiceNodeRun run(env, "api-request", R"({"validateStatus":false,"retries":3})");
    run.input("url", jv(server.url("/s")));
    const auto result = run.run();
    ASSERT_TRUE(result) << run.error();
    EXPECT_EQ(server.count(), 1u);
    EXPECT_EQ(result->at("status"), 503u);
    EXPECT_EQ(result->at("success"), false);
    EXPECT_EQ(result->at("data"), "down");
    EXPECT_EQ(result->at("statusText"), "Service Unavailable");
}

TEST(ApiRequestNode, FollowsRedirectsUnlessTold) {
    FakeService server([](const ReceivedRequest& request) {
        if (request.target == "/old") {
            return FakeReply{302, "", {{"Location", "/new"}}};
        }
        return ok_json(R"({"at":"new"})");
    });
    ServiceEnvironment env;
    {
        ServiceNodeRun run(env, "api-request");
        run.input("url", jv(server.url("/old")));
        const auto result = run.run();
        ASSERT_TRUE(result) << run.error();
        EXPECT_EQ(result->at("data").at("at"), "new");
    }
    {
        ServiceNodeRun run(env, "api-request",
                           R"({"followRedirects":false,"validateStatus":false})");
        run.input("url", jv(server.url("/old")));
        const auto result = run.run();
        ASSERT_TRUE(result) << run.error();
        EXPECT_EQ(result->at("status"), 302u);
        EXPECT_EQ(result->at("headers").at("location"), "/new");
    }
    {
        ServiceNodeRun run(env, "api-request", R"({"followRedirects":false})");
        run.input("url", jv(server.url("/old")));
        EXPECT_FALSE(run.run());
        EXPECT_EQ(run.error(), "API request failed: HTTP Error: 302 Found");
    }
    EXPECT_EQ(server.requests_to("/new").size(), 1u);
}

TEST(ApiRequestNode, ParsesResponsesByResponseType) {
    FakeService server([](const ReceivedRequest& request) {
        if (request.target == "/bytes") {
            return FakeReply{200,
                             std::string("\x89PNG\x00\xFF", 6),
                             {{"Content-Type", "application/octet-stream"}}};
        }
        if (request.target == "/broken") {
            return FakeReply{200, "{not json", {{"Content-Type", "application/json"}}};
        }
        return FakeReply{200, " {\"a\":1} ", {{"Content-Type", "text/plain"}}};
    });
    ServiceEnvironment env;
    auto fetch = [&](std::string_view data, std::string_view path) {
        ServiceNodeRun run(env, "api-request", data);
        run.input("url", jv(server.url(path)));
        auto result = run.run();
        EXPECT_TRUE(result) << run.error();
        return result ? result->at("data") : json::value();
    };
    EXPECT_EQ(fetch("{}", "/text"), json::parse(R"({"a":1})"));
    EXPECT_EQ(fetch(R"({"responseType":"text"})", "/text"), " {\"a\":1} ");
    EXPECT_EQ(fetch(R"({"responseType":"json"})", "/text"), json::parse(R"({"a":1})"));
    EXPECT_EQ(fetch(R"({"responseType":"binary"})", "/bytes"),
              jv(util::base64_encode(std::string("\x89PNG\x00\xFF", 6))));
    EXPECT_EQ(fetch("{}", "/broken"), "{not json");
    EXPECT_EQ(fetch(R"({"responseType":"text"})", "/bytes"),
              jv("\xEF\xBF\xBDPNG" + std::string(1, '\0') + "\xEF\xBF\xBD"));
}

TEST(ApiRequestNode, PerAttemptTimeoutFailsAsUpstreamTimeout) {
    FakeService server([](const ReceivedRequest&) { return FakeReply{.hold = true}; });
    ServiceEnvironment env;
    ServiceNodeRun run(env, "api-request", R"({"timeout":150,"retries":0})");
    run.input("url", jv(server.url("/slow")));
    EXPECT_FALSE(run.run());
    EXPECT_EQ(run.failure_kind(), FailureKind::kUpstreamTimeout);
    EXPECT_NE(run.error().find("API request failed after 0 retries: "), std::string::npos)
        << run.error();
    EXPECT_NE(run.error().find("timed out"), std::string::npos) << run.error();
}

TEST(ApiRequestNode, TimeoutsAreRetried) {
    FakeService server([](const ReceivedRequest&) { return FakeReply{.hold = true}; });
    ServiceEnvironment env;
    ServiceNodeRun run(env, "api-request", R"({"timeout":100,"retries":1,"retryDelay":1})");
    run.input("url", jv(server.url("/slow")));
    EXPECT_FALSE(run.run());
    EXPECT_EQ(server.count(), 2u);
    EXPECT_EQ(run.failure_kind(), FailureKind::kUpstreamTimeout);
    EXPECT_EQ(run.error().rfind("API request failed after 1 retries: ", 0), 0u) << run.error();
}

TEST(ApiRequestNode, OversizedResponseFailsWithoutRetry) {
    FakeService server([](const ReceivedRequest&) {
        return FakeReply{200, std::string(5000, 'x')};
    });
    ServiceEnvironment env;
    env.settings().api_request_max_bytes = 1024;
    ServiceNodeRun run(env, "api-request", R"({"retries":2,"retryDelay":1})");
    run.input("url", jv(server.url("/big")));
    EXPECT_FALSE(run.run());
    EXPECT_EQ(server.count(), 1u);
    EXPECT_EQ(run.failure_kind(), FailureKind::kUpstream);
    EXPECT_NE(run.error().find("1024"), std::string::npos) << run.error();
    EXPECT_NE(run.error().find("API_REQUEST_MAX_BYTES"), std::string::npos) << run.error();
}

TEST(ApiRequestNode, RefusesLoopbackWhenNothingIsAllowListed) {
    FakeService server([](const ReceivedRequest&) { return ok_json("{}"); });
    ServiceEnvironment env("");
    ServiceNodeRun run(env, "api-request", R"({"retries":3})");
    run.input("url", jv(server.url("/private")));
    EXPECT_FALSE(run.run());
    EXPECT_EQ(run.failure_kind(), FailureKind::kNode);
    EXPECT_NE(run.error().find("refused"), std::string::npos) << run.error();
    EXPECT_NE(run.error().find("loopback"), std::string::npos) << run.error();
    EXPECT_NE(run.error().find("OUTBOUND_ALLOWLIST"), std::string::npos) << run.error();
    EXPECT_EQ(server.count(), 0u);
}

TEST(ApiRequestNode, GivesUpWhenTheBackoffWouldPassTheDeadline) {
    FakeService server([](const ReceivedRequest&) { return FakeReply{502, "bad"}; });
    ServiceEnvironment env;
    ServiceNodeRun run(env, "api-request", R"({"retries":3,"retryDelay":60000})");
    run.input("url", jv(server.url("/d"))).deadline_in(std::chrono::seconds(10));
    const auto started = std::chrono::steady_clock::now();
    EXPECT_FALSE(run.run());
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
    EXPECT_EQ(server.count(), 1u);
    EXPECT_EQ(run.error(), "API request failed after 0 retries: HTTP Error: 502 Bad Gateway");
}

TEST(ApiRequestNode, CancellationDuringTheBackoffEndsTheRunPromptly) {
    FakeService server([](const ReceivedRequest&) { return FakeReply{500, "no"}; });
    ServiceEnvironment env;
    ServiceNodeRun run(env, "api-request", R"({"retries":3,"retryDelay":60000})");
    run.input("url", jv(server.url("/c")));
    auto canceller = cancel_when(run, [&] {
        for (const auto& entry : run.logs()) {
            if (entry.message.find("retrying in 60000 ms") != std::string::npos) {
                return true;
            }
        }
        return false;
    });
    const auto started = std::chrono::steady_clock::now();
    EXPECT_FALSE(run.run());
    canceller.join();
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));
    EXPECT_EQ(run.error(), "API request cancelled");
    EXPECT_EQ(server.count(), 1u);
}

TEST(ApiRequestNode, CancellationInFlightEndsTheRunPromptly) {
    FakeService server([](const ReceivedRequest&) { return FakeReply{.hold = true}; });
    ServiceEnvironment env;
    ServiceNodeRun run(env, "api-request", R"({"timeout":60000})");
    run.input("url", jv(server.url("/hang")));
    auto canceller = cancel_when(run, [&] { return server.count() >= 1; });
    const auto started = std::chrono::steady_clock::now();
    EXPECT_FALSE(run.run());
    canceller.join();
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));
    EXPECT_EQ(run.error(), "API request cancelled");
}

TEST(ApiRequestNode, RejectsUnknownMethodsAtDeploy) {
    ServiceEnvironment env;
    ServiceNodeRun run(env, "api-request", R"({"method":"BREW"})");
    EXPECT_FALSE(run.built());
    ASSERT_EQ(run.diagnostics().errors.size(), 1u);
    EXPECT_NE(run.diagnostics().errors[0].find("BREW"), std::string::npos);
}

TEST(ApiRequestNode, HeaderValuesWithLineBreaksAreRefused) {
    FakeService server([](const ReceivedRequest&) { return ok_json("{}"); });
    ServiceEnvironment env;
    ServiceNodeRun run(env, "api-request");
    run.input("url", jv(server.url("/h")))
        .input("headers", json::parse(R"({"X-A":"a\r\nX-B: b"})"));
    EXPECT_FALSE(run.run());
    EXPECT_EQ(run.failure_kind(), FailureKind::kNode);
    EXPECT_EQ(run.error(), "Invalid value for header 'X-A'");
    EXPECT_EQ(server.count(), 0u);
}

}  // namespace
}  // namespace clara::nodes::testing
