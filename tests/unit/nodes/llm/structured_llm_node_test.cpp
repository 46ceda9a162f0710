// The structured-llm node against fake providers: schema mode, the 400 fallback, answer
// parsing and validation.
#include "nodes/llm/model_nodes.hpp"

#include "../service_node_harness.hpp"
#include "fake_provider.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

namespace clara::nodes::llm {
namespace {

namespace json = boost::json;
using nodes::testing::ServiceEnvironment;
using nodes::testing::ServiceNodeRun;
using testing::FakeProvider;
using testing::FakeReply;
using testing::openai_answer;

std::string data_json(json::object data) { return json::serialize(data); }

const json::value kExample = json::parse(R"({"name":"","age":0,"tags":["x"]})");

std::string system_text(const json::value& body) {
    return std::string(body.at("messages").as_array()[0].at("content").as_string());
}

TEST(StructuredLlmNode, AsksForAStrictSchemaAndReturnsTheParsedAnswer) {
    FakeProvider provider([](const auto&, std::size_t) {
        return openai_answer(R"({"name":"Ann","age":31,"tags":["a","b"]})");
    });
    ServiceEnvironment env;
    ServiceNodeRun run(env, "structured-llm",
                       data_json({{"apiBaseUrl", provider.url("/v1")}, {"model", "local-model"}}));
    run.input("prompt", "Ann is 31 and likes a and b.")
        .input("jsonExample", kExample)
        .input("context", "people records");

    const auto result = run.run();
    ASSERT_TRUE(result) << run.error();
    EXPECT_EQ(result->at("jsonOutput"), json::parse(R"({"name":"Ann","age":31,"tags":["a","b"]})"));
    EXPECT_EQ(result->at("rawResponse"), R"({"name":"Ann","age":31,"tags":["a","b"]})");
    EXPECT_EQ(result->at("method"), "structured_output");
    EXPECT_EQ(result->at("usage").at("total_tokens"), 18);

    const auto body = provider.body(0);
    EXPECT_EQ(body.at("model"), "local-model");
    const auto& format = body.at("response_format");
    EXPECT_EQ(format.at("type"), "json_schema");
    EXPECT_EQ(format.at("json_schema").at("name"), "structured_output");
    EXPECT_EQ(format.at("json_schema").at("strict"), true);
    EXPECT_EQ(format.at("json_schema").at("schema"), json::parse(R"({"type":"object",
        "properties":{"name":{"type":"string"},"age":{"type":"integer"},
                      "tags":{"type":"array","items":{"type":"string"}}},
        "required":["name","age","tags"],"additionalProperties":false})"));
    const auto& messages = body.at("messages").as_array();
    ASSERT_EQ(messages.size(), 2u);
    EXPECT_NE(system_text(body).find("\n\nAdditional context: people records"), std::string::npos);
    const std::string user(messages[1].at("content").as_string());
    EXPECT_EQ(user.rfind("Ann is 31 and likes a and b.\n\n", 0), 0u) << user;
    EXPECT_NE(user.find("\n" + json::serialize(kExample) + "\n\n"), std::string::npos) << user;
    EXPECT_EQ(run.usage().calls, 1);
}

TEST(StructuredLlmNode, RetriesOnceWithoutResponseFormatAfterA400) {
    FakeProvider provider([](const auto&, std::size_t index) {
        if (index == 0) {
            return FakeReply::json_text(R"({"error":{"message":"response_format unsupported"}})",
                                        400);
        }
        return openai_answer("```json\n{\"name\": \"Bo\", \"age\": 4, \"tags\": []}\n```");
    });
    ServiceEnvironment env;
    ServiceNodeRun run(env, "structured-llm",
                       data_json({{"apiBaseUrl", provider.url("/v1")},
                                  {"jsonExample", json::serialize(kExample)}}));
    run.input("user", "Bo is four.");

    const auto result = run.run();
    ASSERT_TRUE(result) << run.error();
    EXPECT_EQ(result->at("method"), "prompt_based_fallback");
    EXPECT_EQ(result->at("jsonOutput"), json::parse(R"({"name":"Bo","age":4,"tags":[]})"));
    ASSERT_EQ(provider.count(), 2u);
    EXPECT_TRUE(provider.body(0).as_object().contains("response_format"));
    const auto retry = provider.body(1);
    EXPECT_FALSE(retry.as_object().contains("response_format"));
    EXPECT_NE(system_text(retry).find("IMPORTANT"), std::string::npos);
    EXPECT_EQ(system_text(provider.body(0)).find("IMPORTANT"), std::string::npos);
}

TEST(StructuredLlmNode, DisabledSchemaModeAsksForAJsonObject) {
    FakeProvider provider([](const auto&, std::size_t) {
        return openai_answer(R"(Here you go: {"name":"C","age":1,"tags":["t"]} Enjoy!)");
    });
    ServiceEnvironment env;
    ServiceNodeRun run(env, "structured-llm",
                       data_json({{"apiBaseUrl", provider.url("/v1")},
                                  {"useStructuredOutput", "disable"}}));
    run.input("prompt", "C").input("jsonExample", json::string(json::serialize(kExample)));

    const auto result = run.run();
    ASSERT_TRUE(result) << run.error();
    EXPECT_EQ(result->at("method"), "prompt_based");
    EXPECT_EQ(result->at("jsonOutput").at("name"), "C");
    EXPECT_EQ(provider.body(0).at("response_format"), json::parse(R"({"type":"json_object"})"));
    EXPECT_NE(system_text(provider.body(0)).find("JSON only"), std::string::npos);
}

TEST(StructuredLlmNode, AnswerThatBreaksTheSchemaNamesTheFirstOffendingPath) {
    FakeProvider provider([](const auto&, std::size_t) {
        return openai_answer(R"({"name":"D","age":"forty","tags":[]})");
    });
    ServiceEnvironment env;
    ServiceNodeRun run(env, "structured-llm", data_json({{"apiBaseUrl", provider.url("/v1")}}));
    run.input("prompt", "D").input("jsonExample", kExample);

    EXPECT_FALSE(run.run());
    EXPECT_EQ(run.failure_kind(), engine::FailureKind::kNode);
    EXPECT_EQ(run.error(), "Structured LLM execution failed: The model's JSON does not match the "
                           "JSON example at $.age: expected integer, got string");
}

TEST(StructuredLlmNode, ProseAnswerIsInvalidJson) {
    FakeProvider provider(
        [](const auto&, std::size_t) { return openai_answer("Sorry, I cannot do that."); });
    ServiceEnvironment env;
    ServiceNodeRun run(env, "structured-llm", data_json({{"apiBaseUrl", provider.url("/v1")}}));
    run.input("prompt", "E").input("jsonExample", kExample);

    EXPECT_FALSE(run.run());
    EXPECT_EQ(run.error(), "Structured LLM execution failed: API returned invalid JSON. Raw "
                           "response: Sorry, I cannot do that.");
}

TEST(StructuredLlmNode, EmptyAnswerIsNoResponse) {
    FakeProvider provider([](const auto&, std::size_t) { return openai_answer(""); });
    ServiceEnvironment env;
    ServiceNodeRun run(env, "structured-llm", data_json({{"apiBaseUrl", provider.url("/v1")}}));
    run.input("prompt", "F").input("jsonExample", kExample);

    EXPECT_FALSE(run.run());
    EXPECT_EQ(run.error().rfind("Structured LLM execution failed: No response received from API",
                                0),
              0u)
        << run.error();
}

TEST(StructuredLlmNode, InputProblemsFailBeforeAnyCall) {
    FakeProvider provider([](const auto&, std::size_t) { return openai_answer("{}"); });
    ServiceEnvironment env;
    const std::string data = data_json({{"apiBaseUrl", provider.url("/v1")}});
    {
        ServiceNodeRun run(env, "structured-llm", data);
        run.input("jsonExample", kExample);
        EXPECT_FALSE(run.run());
        EXPECT_EQ(run.error(),
                  "Structured LLM execution failed: Prompt is required for Structured LLM node");
    }
    {
        ServiceNodeRun run(env, "structured-llm", data);
        run.input("prompt", "p");
        EXPECT_FALSE(run.run());
        EXPECT_EQ(run.error(), "Structured LLM execution failed: JSON Example is required for "
                               "Structured LLM node");
    }
    {
        ServiceNodeRun run(env, "structured-llm", data);
        run.input("prompt", "p").input("jsonExample", "{name:}");
        EXPECT_FALSE(run.run());
        EXPECT_EQ(run.error(), "Structured LLM execution failed: Invalid JSON example format. "
                               "Please provide valid JSON.");
    }
    EXPECT_EQ(provider.count(), 0u);
}

TEST(StructuredLlmNode, OtherProviderErrorsUseTheStructuredWording) {
    FakeProvider provider(
        [](const auto&, std::size_t) { return FakeReply::json_text(R"({"error":"busy"})", 503); });
    ServiceEnvironment env;
    ServiceNodeRun run(env, "structured-llm", data_json({{"apiBaseUrl", provider.url("/v1")}}));
    run.input("prompt", "G").input("jsonExample", kExample);

    EXPECT_FALSE(run.run());
    EXPECT_EQ(run.failure_kind(), engine::FailureKind::kUpstream);
    EXPECT_EQ(run.error().rfind("Structured LLM execution failed: Structured LLM API Error: 503 "
                                "Service Unavailable (provider 127.0.0.1:",
                                0),
              0u)
        << run.error();
    EXPECT_EQ(provider.count(), 1u);
}

TEST(StructuredLlmNode, AnthropicAnswersThroughAForcedTool) {
    FakeProvider provider([](const auto&, std::size_t) {
        return FakeReply::json_text(R"({"model":"claude","content":[{"type":"tool_use",
            "id":"toolu_1","name":"structured_output",
            "input":{"name":"H","age":8,"tags":["z"]}}],
            "usage":{"input_tokens":40,"output_tokens":12}})");
    });
    ServiceEnvironment env;
    ServiceNodeRun run(env, "structured-llm",
                       data_json({{"apiBaseUrl", provider.url("/v1")}, {"provider", "anthropic"}}));
    run.input("prompt", "H is 8").input("jsonExample", kExample);

    const auto result = run.run();
    ASSERT_TRUE(result) << run.error();
    EXPECT_EQ(result->at("jsonOutput"), json::parse(R"({"name":"H","age":8,"tags":["z"]})"));
    EXPECT_EQ(result->at("method"), "structured_output");
    const auto body = provider.body(0);
    EXPECT_EQ(provider.requests()[0].target, "/v1/messages");
    EXPECT_EQ(body.at("tool_choice"), json::parse(R"({"type":"tool","name":"structured_output"})"));
    EXPECT_EQ(body.at("tools").as_array()[0].at("input_schema").at("required"),
              json::parse(R"(["name","age","tags"])"));
    EXPECT_EQ(run.usage().total_tokens, 52);
}

TEST(StructuredLlmNode, OllamaGetsTheSchemaAsFormat) {
    FakeProvider provider([](const auto&, std::size_t) {
        return FakeReply::json_text(R"({"model":"qwen","message":{"role":"assistant",
            "content":"{\"name\":\"I\",\"age\":9,\"tags\":[]}"},"done":true,
            "prompt_eval_count":5,"eval_count":5})");
    });
    ServiceEnvironment env;
    ServiceNodeRun run(env, "structured-llm",
                       data_json({{"apiBaseUrl", provider.url()}, {"provider", "ollama"}}));
    run.input("prompt", "I").input("jsonExample", kExample);

    const auto result = run.run();
    ASSERT_TRUE(result) << run.error();
    EXPECT_EQ(result->at("jsonOutput").at("age"), 9);
    EXPECT_EQ(provider.requests()[0].target, "/api/chat");
    EXPECT_EQ(provider.body(0).at("format").at("type"), "object");
}

}  // namespace
}  // namespace clara::nodes::llm
