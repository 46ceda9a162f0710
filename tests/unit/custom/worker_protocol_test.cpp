#include "custom/worker_protocol.hpp"

#include <gtest/gtest.h>
#include <boost/json.hpp>

namespace clara::custom {
namespace {
namespace json = boost::json;

TEST(WorkerProtocol, ParsesEachWorkerMessage) {
    auto message = parse_worker_message(R"({"type":"ready","version":"v20.1.0"})");
    ASSERT_TRUE(message);
    EXPECT_EQ(std::get<WorkerReady>(*message).version, "v20.1.0");

    message = parse_worker_message(R"({"type":"log","id":7,"level":"warn","message":"m"})");
    ASSERT_TRUE(message);
    const auto& log = std::get<WorkerLog>(*message);
    EXPECT_EQ(log.call_id, 7u);
    EXPECT_EQ(log.level, "warn");
    EXPECT_EQ(log.message, "m");

    message = parse_worker_message(R"({"type":"fetch","id":7,"fetchId":2,"url":"https://x/",
        "method":"PUT","headers":[["A","1"]],"body":"b"})");
    ASSERT_TRUE(message);
    const auto& fetch = std::get<WorkerFetch>(*message);
    EXPECT_EQ(fetch.fetch_id, 2);
    EXPECT_EQ(fetch.method, "PUT");
    EXPECT_EQ(fetch.headers, (engine::OutboundHeaders{{"A", "1"}}));

    message = parse_worker_message(R"({"type":"result","id":7,"ok":true,"value":{"a":1}})");
    ASSERT_TRUE(message);
    const auto& ok = std::get<WorkerResult>(*message).outcome;
    EXPECT_TRUE(ok.ok);
    EXPECT_EQ(*ok.value, json::parse(R"({"a":1})"));

    message = parse_worker_message(R"({"type":"result","id":7,"ok":true})");
    EXPECT_FALSE(std::get<WorkerResult>(*message).outcome.value.has_value());

    message = parse_worker_message(
        R"({"type":"result","id":7,"ok":false,"error":"Execution timeout","timedOut":true})");
    const auto& failed = std::get<WorkerResult>(*message).outcome;
    EXPECT_FALSE(failed.ok);
    EXPECT_EQ(failed.error, "Execution timeout");
    EXPECT_TRUE(failed.timed_out);
}

TEST(WorkerProtocol, RejectsMalformedMessages) {
    for (const auto* line : {"", "not json", "[]", R"({"type":"log"})",
                             R"({"type":"result","id":1})", R"({"type":"other","id":1})",
                             R"({"type":"fetch","id":1,"headers":[["a"]],"fetchId":1})"}) {
        EXPECT_FALSE(parse_worker_message(line)) << line;
    }
}

TEST(WorkerProtocol, EncodesCallsAndFetchAnswersAsSingleLines) {
    engine::ScriptCall call;
    call.code = "function execute() {\n return 1;\n}";
    call.inputs = json::object{{"text", "a\nb"}};
    call.node_name = "Node";
    const auto line = encode_call(3, call, std::chrono::milliseconds(1500), true);
    ASSERT_EQ(line.back(), '\n');
    EXPECT_EQ(line.find('\n'), line.size() - 1);
    const auto message = json::parse(line).as_object();
    EXPECT_EQ(message.at("type"), "call");
    EXPECT_EQ(message.at("id"), 3);
    EXPECT_EQ(message.at("code").as_string(), call.code);
    EXPECT_EQ(message.at("timeoutMs"), 1500);
    EXPECT_EQ(message.at("fetch"), true);
    EXPECT_EQ(message.at("nodeName"), "Node");

    engine::OutboundResponse response;
    response.status = 200;
    response.body = "\x01\xff";
    const auto answer = json::parse(encode_fetch_result(3, 9, response)).as_object();
    EXPECT_EQ(answer.at("fetchId"), 9);
    EXPECT_EQ(answer.at("body"), "Af8=");

    const auto error = json::parse(encode_fetch_result(
        3, 9, engine::OutboundError{engine::OutboundErrorKind::kDns, "no such host x"}));
    EXPECT_EQ(error.at("error"), "no such host x");
}

TEST(WorkerProtocol, ChecksFetchMethodAndHeaders) {
    WorkerFetch fetch;
    fetch.method = "PATCH";
    fetch.headers = {{"X-Ok", "value with spaces"}};
    EXPECT_FALSE(check_fetch(fetch));
    fetch.method = "GET /x HTTP/1.1\r\n";
    EXPECT_EQ(check_fetch(fetch), "invalid method");
    fetch.method = "GET";
    fetch.headers = {{"Bad Name", "v"}};
    EXPECT_EQ(check_fetch(fetch), "invalid header name");
    fetch.headers = {{"X", std::string("a\0b", 3)}};
    EXPECT_EQ(check_fetch(fetch), "invalid value of header X");
}

}  // namespace
}  // namespace clara::custom
