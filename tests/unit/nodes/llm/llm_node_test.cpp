// The llm node against fake providers over real sockets: what it sends, per adapter, and how
// it fails.
#include "nodes/llm/model_nodes.hpp"

#include "../service_node_harness.hpp"
#include "fake_provider.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

namespace clara::nodes::llm {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;
using nodes::testing::ServiceEnvironment;
using nodes::testing::ServiceNodeRun;
using testing::FakeProvider;
using testing::FakeReply;
using testing::openai_answer;
using testing::SilentServer;

std::string data_json(json::object data) { return json::serialize(data); }

bool has_log(const ServiceNodeRun& run, std::string_view level, std::string_view text) {
    for (const auto& entry : run.logs()) {
        if (entry.level == level && entry.message.find(text) != std::string::npos) {
            return true;
        }
    }
    return false;
}

TEST(LlmNode, SendsTheSpecBodyAndReturnsResponseUsageAndModel) {
    FakeProvider provider([](const auto&, std::size_t) { return openai_answer("Hello there"); });
    ServiceEnvironment env;
    env.settings().openai_api_key = "sk-server-secret";
    ServiceNodeRun run(env, "llm",
                       data_json({{"apiBaseUrl", provider.url("/v1/")},
                                  {"model", "gemma3:4b"},
                                  {"temperature", 0},
                                  {"maxTokens", 256},
                                  {"systemPrompt", "Be brief."}}));
    run.input("user", "Hi");

    const auto result = run.run();
    ASSERT_TRUE(result) << run.error();
    EXPECT_EQ(result->at("response"), "Hello there");
    EXPECT_EQ(result->at("model"), "fake-model");
    EXPECT_EQ(result->at("usage"),
              json::parse(R"({"prompt_tokens":11,"completion_tokens":7,"total_tokens":18})"));

    const auto requests = provider.requests();
    ASSERT_EQ(requests.size(), 1u);
    EXPECT_EQ(requests[0].method, "POST");
    EXPECT_EQ(requests[0].target, "/v1/chat/completions");
    EXPECT_EQ(requests[0].header("Content-Type"), "application/json");
    // The workflow chose this URL and wrote no key: the server's key must not leave.
    EXPECT_FALSE(requests[0].has_header("Authorization"));
    EXPECT_EQ(provider.body(0), json::parse(R"({"model":"gemma3:4b","messages":[
        {"role":"system","content":"Be brief."},{"role":"user","content":"Hi"}],
        "temperature":0,"max_tokens":256})"));

    const auto usage = run.usage();
    EXPECT_EQ(usage.calls, 1);
    EXPECT_EQ(usage.prompt_tokens, 11);
    EXPECT_EQ(usage.completion_tokens, 7);
    EXPECT_EQ(usage.total_tokens, 18);
}

TEST(LlmNode, DefaultsApplyAndTheAliasRuns) {
    FakeProvider provider([](const auto&, std::size_t) { return openai_answer("ok"); });
    ServiceEnvironment env;
    env.settings().openai_api_base_url = provider.url("/v1");
    ServiceNodeRun run(env, "llm-chat", "{}");
    run.input("input", 42);

    ASSERT_TRUE(run.run()) << run.error();
    EXPECT_EQ(provider.body(0), json::parse(R"({"model":"gpt-3.5-turbo","messages":[
        {"role":"user","content":"42"}],"temperature":0.7,"max_tokens":1000})"));
    EXPECT_FALSE(provider.requests()[0].has_header("Authorization"));
}

TEST(LlmNode, ServerKeyGoesOnlyToTheConfiguredOpenAiBase) {
    FakeProvider provider([](const auto&, std::size_t) { return openai_answer("ok"); });
    ServiceEnvironment env;
    env.settings().openai_api_base_url = provider.url("/v1");
    env.settings().openai_api_key = "sk-server";
    env.settings().anthropic_api_key = "sk-ant-server";
    ServiceNodeRun run(env, "llm", data_json({{"apiBaseUrl", ""}}));
    run.input("user", "Hi");

    ASSERT_TRUE(run.run()) << run.error();
    const auto request = provider.requests().at(0);
    EXPECT_EQ(request.header("Authorization"), "Bearer sk-server");
    EXPECT_FALSE(request.has_header("x-api-key"));
}

TEST(LlmNode, WorkflowKeyGoesToTheWorkflowUrl) {
    FakeProvider provider([](const auto&, std::size_t) { return openai_answer("ok"); });
    ServiceEnvironment env;
    env.settings().openai_api_key = "sk-server";
    ServiceNodeRun run(env, "llm",
                       data_json({{"apiBaseUrl", provider.url("/v1")}, {"apiKey", "own-key"}}));
    run.input("user", "Hi");

    ASSERT_TRUE(run.run()) << run.error();
    EXPECT_EQ(provider.requests().at(0).header("Authorization"), "Bearer own-key");
}

TEST(LlmNode, SendsMemoryContextAndImageInOrder) {
    FakeProvider provider([](const auto&, std::size_t) { return openai_answer("A cat"); });
    ServiceEnvironment env;
    ServiceNodeRun run(env, "llm", data_json({{"apiBaseUrl", provider.url("/v1")}}));
    run.input("system", "You see images.")
        .input("memory", json::parse(R"([{"role":"user","content":"earlier question"},
            {"role":"assistant","content":[{"type":"text","text":"earlier answer"}]}])"))
        .input("context", "pets")
        .input("image", json::parse(R"({"base64":"data:image/png;base64,iVBORw0KGgo=",
                                        "metadata":{"type":"image/png"}})"))
        .input("user", "What is it?");

    ASSERT_TRUE(run.run()) << run.error();
    EXPECT_EQ(provider.body(0).at("messages"), json::parse(R"([
        {"role":"system","content":"You see images."},
        {"role":"user","content":"earlier question"},
        {"role":"assistant","content":[{"type":"text","text":"earlier answer"}]},
        {"role":"system","content":"Context: pets"},
        {"role":"user","content":[{"type":"text","text":"What is it?"},
            {"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="}}]}])"));
}

TEST(LlmNode, RawBase64ImageBecomesAJpegDataUrl) {
    FakeProvider provider([](const auto&, std::size_t) { return openai_answer("ok"); });
    ServiceEnvironment env;
    ServiceNodeRun run(env, "llm", data_json({{"apiBaseUrl", provider.url("/v1")}}));
    run.input("user", "look").input("image", "QUJDRA==");

    ASSERT_TRUE(run.run()) << run.error();
    EXPECT_EQ(provider.body(0).at("messages").as_array().back().at("content").as_array()[1],
              json::parse(R"({"type":"image_url",
                              "image_url":{"url":"data:image/jpeg;base64,QUJDRA=="}})"));
}

TEST(LlmNode, InvalidMemoryEntryFailsBeforeAnyCall) {
    FakeProvider provider([](const auto&, std::size_t) { return openai_answer("ok"); });
    ServiceEnvironment env;
    ServiceNodeRun run(env, "llm", data_json({{"apiBaseUrl", provider.url("/v1")}}));
    run.input("user", "Hi").input("memory", json::parse(R"([{"role":"robot","content":"x"}])"));

    EXPECT_FALSE(run.run());
    EXPECT_EQ(run.error(), "LLM execution failed: Invalid memory entry");
    EXPECT_EQ(run.failure_kind(), engine::FailureKind::kNode);
    EXPECT_EQ(provider.count(), 0u);
}

TEST(LlmNode, MissingUserMessageFails) {
    ServiceEnvironment env;
    ServiceNodeRun run(env, "llm", "{}");
    run.input("system", "only a system prompt");

    EXPECT_FALSE(run.run());
    EXPECT_EQ(run.error(), "LLM execution failed: LLM node requires user message");
    EXPECT_EQ(run.failure_kind(), engine::FailureKind::kNode);
}

TEST(LlmNode, AnthropicMessagesApiNatively) {
    FakeProvider provider([](const auto&, std::size_t) {
        return FakeReply::json_text(R"({"id":"msg_1","type":"message","role":"assistant",
            "model":"claude-3-5-haiku-20241022",
            "content":[{"type":"text","text":"Bonjour"}],"stop_reason":"end_turn",
            "usage":{"input_tokens":20,"output_tokens":4}})");
    });
    ServiceEnvironment env;
    env.settings().anthropic_api_base_url = provider.url("/v1");
    env.settings().anthropic_api_key = "sk-ant-server";
    env.settings().openai_api_key = "sk-openai-server";
    ServiceNodeRun run(env, "llm",
                       data_json({{"apiBaseUrl", provider.url("/v1")},
                                  {"model", "claude-3-5-haiku-20241022"},
                                  {"maxTokens", 100},
                                  {"systemMessage", "Translate to French."}}));
    run.input("user", "Hello").input("context", "greeting").input("image", "QUJD");

    const auto result = run.run();
    ASSERT_TRUE(result) << run.error();
    EXPECT_EQ(result->at("response"), "Bonjour");
    EXPECT_EQ(result->at("model"), "claude-3-5-haiku-20241022");
    EXPECT_EQ(result->at("usage"),
              json::parse(R"({"prompt_tokens":20,"completion_tokens":4,"total_tokens":24})"));

    const auto request = provider.requests().at(0);
    EXPECT_EQ(request.target, "/v1/messages");
    EXPECT_EQ(request.header("x-api-key"), "sk-ant-server");
    EXPECT_EQ(request.header("anthropic-version"), "2023-06-01");
    EXPECT_FALSE(request.has_header("Authorization"));
    EXPECT_EQ(provider.body(0), json::parse(R"({"model":"claude-3-5-haiku-20241022",
        "max_tokens":100,"temperature":0.7,
        "system":"Translate to French.\n\nContext: greeting",
        "messages":[{"role":"user","content":[{"type":"text","text":"Hello"},
            {"type":"image","source":{"type":"base64","media_type":"image/jpeg",
                                      "data":"QUJD"}}]}]})"));
    EXPECT_EQ(run.usage().total_tokens, 24);
}

TEST(LlmNode, AnthropicProviderOnAWorkflowUrlGetsNoServerKey) {
    FakeProvider provider([](const auto&, std::size_t) {
        return FakeReply::json_text(R"({"content":[{"type":"text","text":"hi"}],
                                        "usage":{"input_tokens":1,"output_tokens":1}})");
    });
    ServiceEnvironment env;
    env.settings().anthropic_api_key = "sk-ant-server";
    ServiceNodeRun run(env, "llm",
                       data_json({{"apiBaseUrl", provider.url("/v1")}, {"provider", "anthropic"}}));
    run.input("user", "Hello");

    ASSERT_TRUE(run.run()) << run.error();
    const auto request = provider.requests().at(0);
    EXPECT_EQ(request.target, "/v1/messages");
    EXPECT_FALSE(request.has_header("x-api-key"));
    EXPECT_FALSE(request.has_header("Authorization"));
}

TEST(LlmNode, OllamaNativeChatApi) {
    FakeProvider provider([](const auto&, std::size_t) {
        return FakeReply::json_text(R"({"model":"llava:7b","created_at":"2024-01-01T00:00:00Z",
            "message":{"role":"assistant","content":"A red square"},"done":true,
            "prompt_eval_count":30,"eval_count":6})");
    });
    ServiceEnvironment env;
    env.settings().ollama_url = provider.url();
    env.settings().openai_api_key = "sk-openai-server";
    ServiceNodeRun run(env, "llm",
                       data_json({{"apiBaseUrl", provider.url()},
                                  {"model", "llava:7b"},
                                  {"temperature", 0.2},
                                  {"maxTokens", 64}}));
    run.input("user", "Describe").input("image", "data:image/png;base64,iVBORw0KGgo=");

    const auto result = run.run();
    ASSERT_TRUE(result) << run.error();
    EXPECT_EQ(result->at("response"), "A red square");
    EXPECT_EQ(result->at("usage"),
              json::parse(R"({"prompt_tokens":30,"completion_tokens":6,"total_tokens":36})"));
    const auto request = provider.requests().at(0);
    EXPECT_EQ(request.target, "/api/chat");
    EXPECT_FALSE(request.has_header("Authorization"));
    EXPECT_EQ(provider.body(0), json::parse(R"({"model":"llava:7b","messages":[
        {"role":"user","content":"Describe","images":["iVBORw0KGgo="]}],
        "stream":false,"options":{"temperature":0.2,"num_predict":64}})"));
    EXPECT_EQ(run.usage().prompt_tokens, 30);
}

TEST(LlmNode, ProviderServerErrorIsUpstreamAndKeepsTheBodyInTheLog) {
    FakeProvider provider([](const auto&, std::size_t) {
        return FakeReply::json_text(R"({"error":{"message":"model overloaded xyz"}})", 500);
    });
    ServiceEnvironment env;
    ServiceNodeRun run(env, "llm", data_json({{"apiBaseUrl", provider.url("/v1")}}));
    run.input("user", "Hi");

    EXPECT_FALSE(run.run());
    EXPECT_EQ(run.error(), "LLM execution failed: LLM API error: 500 Internal Server Error "
                           "(provider 127.0.0.1:" +
                               provider.url().substr(provider.url().rfind(':') + 1) + ")");
    EXPECT_EQ(run.failure_kind(), engine::FailureKind::kUpstream);
    EXPECT_TRUE(has_log(run, "warn", "model overloaded xyz"));
    EXPECT_EQ(run.usage().calls, 0);
}

TEST(LlmNode, AuthenticationErrorsUseTheSpecWording) {
    FakeProvider provider([](const auto&, std::size_t index) {
        return FakeReply::json_text(R"({"error":"no"})", index == 0 ? 401 : 403);
    });
    ServiceEnvironment env;
    for (const auto* expected : {"Authentication failed - API key may be required or invalid",
                                 "Access forbidden - check API key permissions"}) {
        ServiceNodeRun run(env, "llm", data_json({{"apiBaseUrl", provider.url("/v1")}}));
        run.input("user", "Hi");
        EXPECT_FALSE(run.run());
        EXPECT_NE(run.error().find(std::string("LLM execution failed: ") + expected),
                  std::string::npos)
            << run.error();
        EXPECT_EQ(run.failure_kind(), engine::FailureKind::kUpstream);
    }
}

TEST(LlmNode, MalformedProviderJsonIsUpstream) {
    FakeProvider provider(
        [](const auto&, std::size_t) { return FakeReply::json_text("<html>oops</html>"); });
    ServiceEnvironment env;
    ServiceNodeRun run(env, "llm", data_json({{"apiBaseUrl", provider.url("/v1")}}));
    run.input("user", "Hi");

    EXPECT_FALSE(run.run());
    EXPECT_EQ(run.failure_kind(), engine::FailureKind::kUpstream);
    EXPECT_NE(run.error().find("LLM execution failed: the provider's answer is not valid JSON"),
              std::string::npos)
        << run.error();
    EXPECT_NE(run.error().find("127.0.0.1"), std::string::npos);
}

TEST(LlmNode, ProviderTimeoutIsUpstreamTimeout) {
    SilentServer provider;
    ServiceEnvironment env;
    env.settings().llm_timeout = 300ms;
    ServiceNodeRun run(env, "llm", data_json({{"apiBaseUrl", provider.url("/v1")}}));
    run.input("user", "Hi");

    const auto started = std::chrono::steady_clock::now();
    EXPECT_FALSE(run.run(10s));
    EXPECT_LT(std::chrono::steady_clock::now() - started, 8s);
    EXPECT_EQ(run.failure_kind(), engine::FailureKind::kUpstreamTimeout);
    EXPECT_EQ(run.error().rfind("LLM execution failed: ", 0), 0u) << run.error();
    EXPECT_NE(run.error().find("127.0.0.1"), std::string::npos) << run.error();
}

TEST(LlmNode, CancellationEndsTheCallPromptly) {
    SilentServer provider;
    ServiceEnvironment env;
    env.settings().llm_timeout = 60s;
    ServiceNodeRun run(env, "llm", data_json({{"apiBaseUrl", provider.url("/v1")}}));
    run.input("user", "Hi");

    std::thread canceller([&] {
        if (provider.wait_for_request(10s)) {
            run.cancel();
        }
    });
    const auto started = std::chrono::steady_clock::now();
    const auto result = run.run(15s);
    canceller.join();
    EXPECT_FALSE(result);
    EXPECT_LT(std::chrono::steady_clock::now() - started, 10s);
    EXPECT_EQ(run.failure_kind(), engine::FailureKind::kUpstream);
    EXPECT_NE(run.error().find("cancelled"), std::string::npos) << run.error();
}

TEST(LlmNode, PrivateAddressIsRefusedWithoutAnAllowlist) {
    FakeProvider provider([](const auto&, std::size_t) { return openai_answer("ok"); });
    ServiceEnvironment env("");
    ServiceNodeRun run(env, "llm", data_json({{"apiBaseUrl", provider.url("/v1")}}));
    run.input("user", "Hi");

    EXPECT_FALSE(run.run());
    EXPECT_EQ(run.failure_kind(), engine::FailureKind::kNode);  // the workflow's configuration
    EXPECT_EQ(run.error().rfind("LLM execution failed: Outbound request refused", 0), 0u)
        << run.error();
    EXPECT_NE(run.error().find("127.0.0.1"), std::string::npos) << run.error();
    EXPECT_EQ(provider.count(), 0u);
}

TEST(LlmNode, DeployWarnsAboutBaseUrlsThePolicyWillRefuse) {
    auto services = std::make_shared<NodeServices>();
    services->precheck_url = [](std::string_view url) -> std::optional<std::string> {
        if (url.find("localhost") != std::string_view::npos) {
            return "localhost is a loopback address";
        }
        return std::nullopt;
    };
    for (const auto& type : {llm_node_type(services), structured_llm_node_type(services),
                             agent_node_type(services)}) {
        for (const auto* url : {"http://localhost:8091/v1", "https://models.example.com/v1"}) {
            engine::NodeDecl decl;
            decl.id = "model-1";
            decl.type = std::string(type.type);
            decl.data = json::object{{"apiBaseUrl", url}};
            engine::Diagnostics diag;
            EXPECT_TRUE(type.create(decl, diag));
            EXPECT_TRUE(diag.ok());
            if (std::string_view(url).find("localhost") == std::string_view::npos) {
                EXPECT_TRUE(diag.warnings.empty()) << type.type;
                continue;
            }
            ASSERT_EQ(diag.warnings.size(), 1u) << type.type;
            EXPECT_EQ(diag.warnings[0].rfind("outbound_url_refused", 0), 0u) << diag.warnings[0];
            EXPECT_NE(diag.warnings[0].find(url), std::string::npos);
        }
    }
}

TEST(LlmNode, DeclaresTheStudioPorts) {
    ServiceEnvironment env;
    const auto* type = env.catalog().find("llm-chat");
    ASSERT_NE(type, nullptr);
    EXPECT_EQ(type, env.catalog().find("llm"));
    EXPECT_EQ(type->primary_output, "response");
    ASSERT_EQ(type->inputs.size(), 5u);
    EXPECT_EQ(type->inputs[1].id, "user");
    EXPECT_EQ(type->inputs[1].name, "User Message");
}

}  // namespace
}  // namespace clara::nodes::llm
